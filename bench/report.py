#!/usr/bin/env python3
"""Helpers for bench/run.sh (standard library only).

    report.py meta OUT.json --vestige-rev REV --rg RG --hyperfine HF
        Record the machine and the tool versions of a measurement.
    report.py counts --expected N --label L --vestige FILE [--vestige-j1 FILE] [--rg FILE]
                     [--reference FILE]
        Check that vestige's short output, `rg -o -n --column` output and bench/count.py --list
        output have N hits each. A mismatch is printed loudly, with examples of the lines where
        they differ, and the exit code is 1.
    report.py merge OUT.json ROUND.json...
        Merge hyperfine exports of the same commands, one per round, into one export: each
        command's times from every round, their median, mean and spread, its mean user and
        system time.
    report.py medians EXPORT.json
        Print each command's median time and number of runs in a hyperfine export.
    report.py rss FILE...
        Print the largest "Maximum resident set size" (KiB) of `/usr/bin/time -v` outputs.
    report.py write RESULTS_DIR OUT.md
        Write BENCHMARKS.md from every RESULTS_DIR/<data set>/<size>/ that holds a finished
        measurement.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import statistics
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
    if "--reference" in opts:
        runs["count.py"] = read_hits(opts["--reference"], _RG)
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


def cmd_merge(argv: list[str]) -> int:
    out, parts = argv[0], argv[1:]
    merged: dict[str, dict] = {}
    for path in parts:
        with open(path) as f:
            for r in json.load(f)["results"]:
                m = merged.setdefault(r["command"], {"command": r["command"], "times": [], "user": [],
                                                     "system": [], "exit_codes": []})
                m["times"] += r["times"]
                m["user"].append(r["user"])
                m["system"].append(r["system"])
                m["exit_codes"] += r.get("exit_codes") or []
    results = []
    for m in merged.values():
        t = m["times"]
        results.append({**m, "mean": statistics.fmean(t), "median": statistics.median(t),
                        "stddev": statistics.stdev(t) if len(t) > 1 else None, "min": min(t), "max": max(t),
                        "user": statistics.fmean(m["user"]), "system": statistics.fmean(m["system"])})
    with open(out, "w") as f:
        json.dump({"results": results, "rounds": len(parts)}, f, indent=1)
    return 0


def cmd_medians(argv: list[str]) -> int:
    with open(argv[0]) as f:
        for r in json.load(f)["results"]:
            print(f"  {r['command']}: {r['median'] * 1000:.1f} ms (median of {len(r['times'])})")
    return 0


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



DATASET_ORDER = {"synthetic": 0, "real": 1}
MODE_ORDER = {"word": 0, "part": 1}
CASE_ORDER = {"cs": 0, "ci": 1}
# Issue 15's goals for vestige/floor on the real data set's large tree, by token count.
GOALS = {10: 1.10, 100: 1.20, 1000: 1.35, 10000: 1.6}
RSS_GOAL_MB = 32

DESCRIPTION = """\
Generated by `bench/run.sh` (do not edit by hand; rerun it). What is measured, with warm page
cache, on Laravel-shaped trees made by `bench/gen.py` (deterministic, seed in the manifest), of
two data sets:

- **synthetic**: gen.py's own entity names and templates; the tokens are names it plants
  (and near misses beside them) or names that never occur.
- **real**: filler and tokens drawn from a real Laravel application's identifier vocabulary,
  Firefly III (github.com/firefly-iii/firefly-iii at commit
  a95b82b14cb01b6e40491f2a94c53b47b71766e7), derived by `bench/vocab.py` into
  `bench/data/laravel-vocab.tsv` (19,610 words with their counts; no source is stored) and
  `bench/data/laravel-shapes.json` (line lengths, indentation and blank lines per kind of file).
  Identifiers are drawn by their real frequency and written as their shape suggests
  (`PiggyBank::`, `$piggyBank`, `'piggy_bank_id'`, `'piggy-banks.index'`); 8% get one more
  part (`getPiggyBankRepository`); in trees bigger than the application, rare names are
  replaced in proportion by new names made of the vocabulary's parts, so a rare name occurs
  about as often as in the application (see `bench/gen_real.py`). Token sets are drawn across
  the frequency range: for 10 / 100 / 1,000 / 10,000 tokens, 1 / 2 / 4 / 6 frequent words,
  2 / 8 / 30 / 120 of middling frequency, then rare words and 20-30% invented legacy names
  (half of which occur, rarely). Part-mode sets swap a few rare words for kebab names.

Both data sets have the same file layout (20,000 files and 200 MB in scope for medium, 100,000
files and 1 GB for large, plus vendor/, storage/ and git-ignored files that must be skipped),
and rule files for 10, 100, 1,000 and 10,000 tokens, in word and part mode (`match = "part"`),
case-sensitive (**cs**) and not (**ci**, `case_sensitive = false`).

- **floor**: `bench/floor`, which walks exactly the files vestige scans (same `ignore` walker,
  roots, excludes, `.gitignore`, hidden files skipped) and only reads each one into a reused
  buffer, with the system calls vestige makes (`open`, `fstat`, one `read` of the reported
  size, `close`). It is the lower bound: the time it takes merely to read every in-scope file.
- **vestige**: `vestige check --config vestige-N-MODE-CASE.toml --root tree --format short`
  (release build).
- **rg**: ripgrep, `rg -n --column -w -F [-i] -f tokens-N-word.txt -g '!vendor/' -g '!storage/'
  --no-require-git --no-ignore-global --no-config app database resources routes`, run in the
  tree: the same files and the same word-bounded literal search. Part mode has no ripgrep
  equivalent (no flag matches on identifier-part boundaries), so rg is not run there (**n/a**).
  Where rg's check run takes longer than `RG_SLOW` seconds (default 5), rg is timed once
  instead of with every run (marked ¹), and rg -j1 only when it would take under `RG_J1_MAX`
  seconds (default 120; otherwise **not run**). rg's check run is stopped after `RG_TIMEOUT`
  seconds (default 600; marked ²): ripgrep with `-i` and 1,000 or more of the synthetic
  tokens ran for more than 5 minutes on the small tree and more than 17 on the medium one.
- `-j1`: one thread (`--threads 1`, `rg -j1`, `floor -j1`); the others use every core.

Before timing, run.sh checks that floor, rg and vestige see the same files, and that vestige
(default and `-j1`) and, in word mode, `rg -o` report exactly the number of hits in the
manifest (**hits**). The manifest's counts are independent of vestige: `bench/count.py`
counts them in every file as gen.py writes it, from the documented semantics (word mode: for
the identifier tokens used here, a whole `[A-Za-z0-9_]` run equal to a token; part mode: the
text cut into pieces at every identifier-part boundary, a hit being a run of whole pieces equal
to a token; per rule, leftmost longest), and on the synthetic set they must equal the
generator's count of planted tokens.
"""


def load_tree(d: str) -> dict | None:
    try:
        with open(os.path.join(d, "meta.json")) as f:
            meta = json.load(f)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
    except FileNotFoundError:
        return None
    rss_floor = {}
    if os.path.exists(os.path.join(d, "rss-floor.json")):
        with open(os.path.join(d, "rss-floor.json")) as f:
            rss_floor = json.load(f)
    rows = {}
    for name, cfg in manifest["configs"].items():
        hf_path = os.path.join(d, f"hyperfine-{name}.json")
        if not os.path.exists(hf_path):
            continue
        med: dict[str, float] = {}
        runs: dict[str, int] = {}
        with open(hf_path) as f:
            rounds = "rounds" in json.load(f)
        for path in (hf_path, os.path.join(d, f"hyperfine-rg-{name}.json")):
            if os.path.exists(path):
                with open(path) as f:
                    for r in json.load(f)["results"]:
                        med[r["command"]] = r["median"]
                        runs[r["command"]] = len(r["times"])
        rss = {}
        if os.path.exists(os.path.join(d, f"rss-{name}.json")):
            with open(os.path.join(d, f"rss-{name}.json")) as f:
                rss = json.load(f)
        status = "?"
        if os.path.exists(os.path.join(d, f"counts-{name}.txt")):
            with open(os.path.join(d, f"counts-{name}.txt")) as f:
                status = f.read().strip()
        timeout = None
        if os.path.exists(os.path.join(d, f"rg-timeout-{name}.txt")):
            with open(os.path.join(d, f"rg-timeout-{name}.txt")) as f:
                timeout = int(f.read().strip())
        n, mode, case = name.split("-")
        rows[name] = {"n": int(n), "mode": mode, "case": case, "median": med, "runs": runs,
                      "rss": rss, "status": status, "rg_timeout": timeout, "rounds": rounds,
                      "rg_once": os.path.exists(os.path.join(d, f"hyperfine-rg-{name}.json"))}
    if not rows:
        return None
    return {"meta": meta, "manifest": manifest, "rows": rows, "rss_floor": rss_floor}


def cmd_write(argv: list[str]) -> int:
    results, out = argv[0], argv[1]
    trees = []
    for ds in sorted(os.listdir(results) if os.path.isdir(results) else [], key=lambda s: DATASET_ORDER.get(s, 9)):
        dsdir = os.path.join(results, ds)
        if not os.path.isdir(dsdir):
            continue
        for size in sorted(os.listdir(dsdir), key=lambda s: SIZE_ORDER.get(s, 9)):
            data = load_tree(os.path.join(dsdir, size))
            if data:
                trees.append((ds, size, data))
    if not trees:
        print("report.py: no finished measurement to report", file=sys.stderr)
        return 1
    L: list[str] = ["# vestige benchmarks", ""]
    L += DESCRIPTION.splitlines()
    runs = sorted({max(v for k, v in r["runs"].items() if not k.startswith("rg")) for _, _, d in trees for r in d["rows"].values() if r["runs"]})
    L.append("")
    L.append("Times are hyperfine medians (timed runs per command: " + " or ".join(map(str, runs))
             + "; stdout into a pipe: `--output=pipe`). Peak RSS is the largest of 3 runs under"
             " `/usr/bin/time -v` (for a slow rg, that of its check run).")
    L.append("")
    L.append("## Machine and versions")
    L.append("")
    metas = {json.dumps({k: v for k, v in d["meta"].items() if k != "date"}, sort_keys=True) for _, _, d in trees}
    for i, (ds, size, d) in enumerate(trees):
        m = d["meta"]
        if len(metas) > 1 or i == 0:
            prefix = f"{ds}/{size}: " if len(metas) > 1 else ""
            L.append(f"- {prefix}{m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Linux {m['kernel']}")
            L.append(f"- {prefix}vestige `{m['vestige_rev']}`, {m['rustc']}, {m['rg']}, {m['hyperfine']}, Python {m['python']}")
    L.append("- measured: " + ", ".join(f"{ds}/{size} on {d['meta']['date']}" for ds, size, d in trees))
    L.append("")
    L.append("## Trees")
    L.append("")
    L.append("| data set | tree | in-scope files | in-scope MB | files in all (with vendor/, storage/, ignored) | peak RSS of floor / floor -j1 (MB) |")
    L.append("|---|---|---:|---:|---:|---|")
    for ds, size, d in trees:
        man = d["manifest"]
        rf = d["rss_floor"]
        L.append(f"| {ds} | {size} | {man['files_in_scope']:,} | {man['bytes_in_scope'] / 1e6:.0f} | {man['files_total']:,} | "
                 f"{fmt_mb(rf.get('floor'))} / {fmt_mb(rf.get('floor -j1'))} |")
    L.append("")
    L.append("## Time (median)")
    L.append("")
    if all(r["rounds"] for _, _, d in trees for r in d["rows"].values()):
        L.append("vestige/floor and rg/floor side by side: each row's commands are timed in rounds, one run of "
                 "each command per round (in reverse order every other round), so that the machine's drift "
                 "reaches every command alike.")
    else:
        L.append("vestige/floor and rg/floor side by side: each row is one hyperfine run of all its commands.")
    L.append("")
    L.append("| data set | tree | tokens | mode | case | hits | floor | vestige | rg | vestige/floor | rg/floor | vestige/rg "
             "| floor -j1 | vestige -j1 | rg -j1 | vestige/floor -j1 | rg/floor -j1 | vestige/rg -j1 |")
    L.append("|---|---|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    slow_rg = False
    stopped_rg = False

    def rg_time(row: dict, key: str) -> str:
        nonlocal slow_rg, stopped_rg
        if row["mode"] == "part":
            return "n/a"
        if row["rg_timeout"]:
            stopped_rg = True
            return f"> {row['rg_timeout']} s ²" if key == "rg" else "not run"
        t = row["median"].get(key)
        if t is None:
            return "not run"
        if row["rg_once"]:
            slow_rg = True
            return fmt_time(t) + " ¹"
        return fmt_time(t)

    def rg_ratio(row: dict, a: float | None, b: float | None) -> str:
        return "n/a" if row["mode"] == "part" else fmt_ratio(a, b)

    for ds, size, d in trees:
        for name, row in sorted(d["rows"].items(), key=lambda kv: (kv[1]["n"], MODE_ORDER[kv[1]["mode"]], CASE_ORDER[kv[1]["case"]])):
            md = row["median"].get
            L.append("| " + " | ".join([
                ds, size, f"{row['n']:,}", row["mode"], row["case"], row["status"],
                fmt_time(md("floor")), fmt_time(md("vestige")), rg_time(row, "rg"),
                fmt_ratio(md("vestige"), md("floor")), rg_ratio(row, md("rg"), md("floor")), rg_ratio(row, md("vestige"), md("rg")),
                fmt_time(md("floor -j1")), fmt_time(md("vestige -j1")), rg_time(row, "rg -j1"),
                fmt_ratio(md("vestige -j1"), md("floor -j1")), rg_ratio(row, md("rg -j1"), md("floor -j1")),
                rg_ratio(row, md("vestige -j1"), md("rg -j1")),
            ]) + " |")
    if slow_rg or stopped_rg:
        L.append("")
    if slow_rg:
        L.append("¹ rg timed once (its check run took longer than `RG_SLOW`), not a median.")
    if stopped_rg:
        L.append("² rg's check run was stopped after `RG_TIMEOUT` seconds: neither checked nor timed.")
    L.append("")
    L.append("## Peak RSS (MB)")
    L.append("")
    L.append("| data set | tree | tokens | mode | case | vestige | vestige -j1 | rg | rg -j1 |")
    L.append("|---|---|---:|---|---|---:|---:|---:|---:|")
    for ds, size, d in trees:
        for name, row in sorted(d["rows"].items(), key=lambda kv: (kv[1]["n"], MODE_ORDER[kv[1]["mode"]], CASE_ORDER[kv[1]["case"]])):
            r = row["rss"].get
            rg = "n/a" if row["mode"] == "part" else fmt_mb(r("rg"))
            rg1 = "n/a" if row["mode"] == "part" else fmt_mb(r("rg -j1"))
            L.append(f"| {ds} | {size} | {row['n']:,} | {row['mode']} | {row['case']} | {fmt_mb(r('vestige'))} | {fmt_mb(r('vestige -j1'))} | {rg} | {rg1} |")
    L.append("")
    L.append("## Targets (issue 15)")
    L.append("")
    L.append("On the real data set's large tree: vestige/floor <= "
             + ", ".join(f"{g:.2f}× at {n:,} tokens" for n, g in GOALS.items())
             + ", in word and part mode, case-sensitive and not; never slower than rg (all threads and"
             f" -j1); peak RSS <= {RSS_GOAL_MB} MB. Shown for every measured tree, binding on real/large.")
    L.append("")
    for ds, size, d in trees:
        missed = []
        met = 0
        for name, row in sorted(d["rows"].items(), key=lambda kv: (kv[1]["n"], MODE_ORDER[kv[1]["mode"]], CASE_ORDER[kv[1]["case"]])):
            md = row["median"]
            goal = GOALS.get(row["n"])
            checks = []
            if goal and md.get("vestige") and md.get("floor"):
                checks.append((f"{md['vestige'] / md['floor']:.2f}× > {goal:.2f}×", md["vestige"] / md["floor"] <= goal))
            for a, b in (("vestige", "rg"), ("vestige -j1", "rg -j1")):
                if md.get(a) and md.get(b):
                    checks.append((f"{a} {fmt_time(md[a])} > {b} {fmt_time(md[b])}", md[a] <= md[b]))
            rss = max(row["rss"].get("vestige", 0) or 0, row["rss"].get("vestige -j1", 0) or 0)
            if rss:
                checks.append((f"RSS {rss / 1024:.1f} MB", rss <= RSS_GOAL_MB * 1024))
            for what, ok in checks:
                met += ok
                if not ok:
                    missed.append(f"{name}: {what}")
        L.append(f"- {ds}/{size}: {met} checks met" + (", not met: " + "; ".join(missed) if missed else ", none missed"))
    L.append("")
    L.append("Reproduce: `bench/run.sh --dataset all large` (or `small`, `medium`, `all`; `--dataset")
    L.append("synthetic|real`; restrict with `SETS`, `MODES`, `CASES`). CI smoke test, no timing:")
    L.append("`bench/run.sh --smoke`.")
    L.append("")
    # Measurements run.sh does not make (hostile inputs, the cost of asking git) are kept by hand
    # in bench/measured-by-hand.md, each with its own date and command, and appended here.
    by_hand = os.path.join(os.path.dirname(os.path.abspath(__file__)), "measured-by-hand.md")
    if os.path.exists(by_hand):
        with open(by_hand) as f:
            L.append(f.read().rstrip("\n"))
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
    return {"meta": cmd_meta, "counts": cmd_counts, "merge": cmd_merge, "medians": cmd_medians, "rss": cmd_rss, "write": cmd_write}[cmd](argv)


if __name__ == "__main__":
    sys.exit(main())
