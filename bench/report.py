#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

    report.py meta OUT.json --vestige-rev REV --rg RG --hyperfine HF
        Record the machine and the tool versions of a measurement.
    report.py counts --expected N --label L --vestige FILE [--vestige-j1 FILE] [--rg FILE]
        Check that vestige's short output and `rg -o -n --column` output have N hits each.
        A mismatch is printed loudly, with examples, and the exit code is 1.
    report.py rss FILE...
        Print the largest "Maximum resident set size" (KiB) of `/usr/bin/time -v` outputs.
    report.py write RESULTS_DIR OUT.md
        Write BENCHMARKS.md from every RESULTS_DIR/<size>/ that holds a finished measurement.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import subprocess
import sys
from collections import Counter

COMMANDS = ["floor", "floor -j1", "vestige", "vestige -j1", "rg", "rg -j1"]
SIZE_ORDER = {"small": 0, "medium": 1, "large": 2}


def first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        return out.strip().splitlines()[0] if out.strip() else "?"
    except OSError:
        return "?"


def cmd_meta(argv: list[str]) -> int:
    out = argv[0]
    opts = dict(zip(argv[1::2], argv[2::2]))
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kib = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kib = int(line.split()[1])
    meta = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "vestige_rev": opts.get("--vestige-rev", "?"),
        "rustc": first_line(["rustc", "--version"]),
        "rg": first_line([opts.get("--rg", "rg"), "--version"]),
        "hyperfine": first_line([opts.get("--hyperfine", "hyperfine"), "--version"]),
        "python": platform.python_version(),
    }
    with open(out, "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    return 0


# vestige short: path:line:col: severity[rule]: message  ->  (path, line)
_VESTIGE = re.compile(r"^(.*?):(\d+):(\d+): (?:error|warning|note)\[")
# rg -o -n --column: path:line:col:match  ->  (path, line)
_RG = re.compile(r"^(.*?):(\d+):(\d+):")


def read_hits(path: str, pattern: re.Pattern) -> Counter:
    hits: Counter = Counter()
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = pattern.match(line)
            if m:
                hits[(m.group(1), int(m.group(2)))] += 1
            else:
                hits[("<unparsed>", line.rstrip("\n")[:120])] += 1
    return hits


def cmd_counts(argv: list[str]) -> int:
    opts = dict(zip(argv[0::2], argv[1::2]))
    expected = int(opts["--expected"])
    label = opts.get("--label", "")
    runs = {}
    if "--vestige" in opts:
        runs["vestige"] = read_hits(opts["--vestige"], _VESTIGE)
    if "--vestige-j1" in opts:
        runs["vestige -j1"] = read_hits(opts["--vestige-j1"], _VESTIGE)
    if "--rg" in opts:
        runs["rg -o"] = read_hits(opts["--rg"], _RG)
    ok = True
    parts = []
    for name, hits in runs.items():
        n = sum(hits.values())
        parts.append(f"{name} {n}")
        ok &= n == expected
    if ok:
        print(f"  counts {label}: expected {expected}: " + ", ".join(parts) + ": ok")
        return 0
    bar = "!" * 78
    print(bar, file=sys.stderr)
    print(f"!! HIT COUNT MISMATCH {label}: expected {expected} (manifest): " + ", ".join(parts), file=sys.stderr)
    names = list(runs)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            only_a = runs[a] - runs[b]
            only_b = runs[b] - runs[a]
            for who, diff in ((a, only_a), (b, only_b)):
                if diff:
                    print(f"!! {sum(diff.values())} hit(s) only in {who} (vs {b if who == a else a}), e.g.:", file=sys.stderr)
                    for (path, line), k in sorted(diff.items())[:8]:
                        print(f"!!     {path}:{line}" + (f" (x{k})" if k > 1 else ""), file=sys.stderr)
    print(bar, file=sys.stderr)
    return 1


def max_rss(paths: list[str]) -> int:
    best = 0
    for p in paths:
        with open(p) as f:
            for line in f:
                if "Maximum resident set size" in line:
                    best = max(best, int(line.rsplit(":", 1)[1]))
    return best


def cmd_rss(argv: list[str]) -> int:
    print(max_rss(argv))
    return 0


def fmt_time(s: float | None) -> str:
    if s is None:
        return "—"
    if s < 1:
        return f"{s * 1000:.0f} ms" if s >= 0.1 else f"{s * 1000:.1f} ms"
    return f"{s:.2f} s"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if not a or not b:
        return "—"
    return f"{a / b:.2f}×"


def fmt_mb(kib: int | None) -> str:
    if not kib:
        return "—"
    return f"{kib / 1024:.1f}"


def load_size(d: str) -> dict | None:
    try:
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
    except FileNotFoundError:
        return None
    sets = {}
    for n in sorted(manifest["token_sets"], key=int):
        hf_path = os.path.join(d, f"hyperfine-{n}.json")
        if not os.path.exists(hf_path):
            continue
        with open(hf_path) as f:
            hf = json.load(f)
        med = {r["command"]: r["median"] for r in hf["results"]}
        runs = {r["command"]: len(r["times"]) for r in hf["results"]}
        rss = {}
        rss_path = os.path.join(d, f"rss-{n}.json")
        if os.path.exists(rss_path):
            with open(rss_path) as f:
                rss = json.load(f)
        status = "?"
        st_path = os.path.join(d, f"counts-{n}.txt")
        if os.path.exists(st_path):
            with open(st_path) as f:
                status = f.read().strip()
        sets[int(n)] = {"median": med, "runs": runs, "rss": rss, "status": status,
                        "expected": manifest["token_sets"][n]["expected_hits"]}
    if not sets:
        return None
    return {"meta": meta, "manifest": manifest, "sets": sets}


def cmd_write(argv: list[str]) -> int:
    results, out = argv[0], argv[1]
    sizes = []
    for name in sorted(os.listdir(results) if os.path.isdir(results) else [], key=lambda s: SIZE_ORDER.get(s, 9)):
        data = load_size(os.path.join(results, name))
        if data:
            sizes.append((name, data))
    if not sizes:
        print("report.py: no finished measurement to report", file=sys.stderr)
        return 1
    L: list[str] = []
    L.append("# vestige benchmarks")
    L.append("")
    L.append("Generated by `bench/run.sh` (do not edit by hand; rerun it). What is measured, with warm page")
    L.append("cache, on synthetic Laravel-shaped trees made by `bench/gen.py` (deterministic, seed in the")
    L.append("manifest):")
    L.append("")
    L.append("- **floor**: `bench/floor`, which walks exactly the files vestige scans (same `ignore` walker,")
    L.append("  roots, excludes, `.gitignore`, hidden files skipped) and only reads each one into a reused")
    L.append("  buffer. It is the lower bound: the time it takes merely to read every in-scope file.")
    L.append("- **vestige**: `vestige check --config vestige-N.toml --root tree --format short` (release build).")
    L.append("- **rg**: ripgrep, `rg -n --column -w -F -f tokens-N.txt -g '!vendor/' -g '!storage/' --no-require-git")
    L.append("  --no-ignore-global --no-config app database resources routes`, run in the tree: the same files")
    L.append("  and the same word-bounded literal search.")
    L.append("- `-j1`: one thread (`--threads 1`, `rg -j1`, `floor -j1`); the others use every core.")
    L.append("")
    L.append("Times are hyperfine medians (timed runs per command: "
             + ", ".join(f"{name} {max(max(st['runs'].values()) for st in d['sets'].values())}" for name, d in sizes)
             + "; stdout into a pipe: `--output=pipe`). Before timing,")
    L.append("run.sh checks that floor, rg and vestige see the same files, and that vestige (default and `-j1`)")
    L.append("and `rg -o` report exactly the number of hits the generator planted (**hits**). Peak RSS is the")
    L.append("largest of 3 runs under `/usr/bin/time -v`.")
    L.append("")
    metas = {json.dumps({k: v for k, v in d["meta"].items() if k != "date"}, sort_keys=True) for _, d in sizes}
    L.append("## Machine and versions")
    L.append("")
    for name, d in sizes:
        m = d["meta"]
        if len(metas) > 1 or name == sizes[0][0]:
            prefix = f"{name}: " if len(metas) > 1 else ""
            L.append(f"- {prefix}{m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}")
            L.append(f"- {prefix}vestige `{m['vestige_rev']}`, {m['rustc']}, {m['rg']}, {m['hyperfine']}, Python {m['python']}")
    L.append("- measured: " + ", ".join(f"{name} on {d['meta']['date']}" for name, d in sizes))
    L.append("")
    L.append("## Trees")
    L.append("")
    L.append("| tree | in-scope files | in-scope MB | files in all (with vendor/, storage/, ignored) | hits for 10 / 100 / 1,000 tokens |")
    L.append("|---|---:|---:|---:|---|")
    for name, d in sizes:
        man = d["manifest"]
        hits = " / ".join(str(man["token_sets"][str(n)]["expected_hits"]) for n in (10, 100, 1000) if str(n) in man["token_sets"])
        L.append(f"| {name} | {man['files_in_scope']:,} | {man['bytes_in_scope'] / 1e6:.0f} | {man['files_total']:,} | {hits} |")
    L.append("")
    L.append("## Time (median)")
    L.append("")
    L.append("| tree | tokens | hits | floor | vestige | rg | vestige/floor | vestige/rg | rg/floor | floor -j1 | vestige -j1 | rg -j1 | vestige/floor -j1 |")
    L.append("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, d in sizes:
        for n, s in sorted(d["sets"].items()):
            md = s["median"].get
            L.append("| " + " | ".join([
                name, f"{n:,}", s["status"],
                fmt_time(md("floor")), fmt_time(md("vestige")), fmt_time(md("rg")),
                fmt_ratio(md("vestige"), md("floor")), fmt_ratio(md("vestige"), md("rg")), fmt_ratio(md("rg"), md("floor")),
                fmt_time(md("floor -j1")), fmt_time(md("vestige -j1")), fmt_time(md("rg -j1")),
                fmt_ratio(md("vestige -j1"), md("floor -j1")),
            ]) + " |")
    L.append("")
    L.append("## Peak RSS (MB)")
    L.append("")
    L.append("| tree | tokens | floor | vestige | vestige -j1 | rg | rg -j1 |")
    L.append("|---|---:|---:|---:|---:|---:|---:|")
    for name, d in sizes:
        for n, s in sorted(d["sets"].items()):
            r = s["rss"].get
            L.append(f"| {name} | {n:,} | {fmt_mb(r('floor'))} | {fmt_mb(r('vestige'))} | {fmt_mb(r('vestige -j1'))} | {fmt_mb(r('rg'))} | {fmt_mb(r('rg -j1'))} |")
    L.append("")
    L.append("## Targets")
    L.append("")
    L.append("vestige ≤ 1.15× the floor with 10 tokens, ≤ 1.5× the floor with 1,000 tokens, peak RSS ≤ 32 MB on the large tree.")
    L.append("")
    for name, d in sizes:
        s10, s1k = d["sets"].get(10), d["sets"].get(1000)
        bits = []
        if s10:
            r = s10["median"].get("vestige", 0) / s10["median"].get("floor", 1)
            bits.append(f"10 tokens {r:.2f}× ({'met' if r <= 1.15 else 'not met'})")
        if s1k:
            r = s1k["median"].get("vestige", 0) / s1k["median"].get("floor", 1)
            bits.append(f"1,000 tokens {r:.2f}× ({'met' if r <= 1.5 else 'not met'})")
        rss = max((s["rss"].get("vestige", 0) for s in d["sets"].values()), default=0)
        if rss:
            bits.append(f"peak RSS {rss / 1024:.1f} MB" + (f" ({'met' if rss <= 32 * 1024 else 'not met'})" if name == "large" else ""))
        L.append(f"- {name}: " + ", ".join(bits))
    L.append("")
    L.append("Reproduce: `bench/run.sh medium` (or `small`, `large`, `all`). CI smoke test, no timing:")
    L.append("`bench/run.sh --smoke`.")
    L.append("")
    with open(out, "w") as f:
        f.write("\n".join(L))
    print(f"report.py: wrote {out}")
    return 0


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, argv = sys.argv[1], sys.argv[2:]
    return {"meta": cmd_meta, "counts": cmd_counts, "rss": cmd_rss, "write": cmd_write}[cmd](argv)


if __name__ == "__main__":
    sys.exit(main())
