#!/usr/bin/env python3
"""Random small texts and rule files: vestige's findings against bench/count.py's, position by position.

    python3 bench/crosscheck.py VESTIGE_BIN [--seed N] [--cases N]

The benchmark trees test the count on realistic text; this tests it where the two are most
likely to part: short texts dense in part boundaries (`HTTPClient`, `x2`, `_`, `-`, digits,
case runs), non-ASCII letters, CRLF line ends, a BOM, tokens cut from the text at random
places (or with their case swapped), word and part mode, case-sensitive and not, per rule,
with few tokens (vestige's automaton) and many (its identifier table). Exits 1 at the first
cases that disagree, printing the positions only one of them reports; the case is kept in a
temporary directory to rerun by hand. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

import count

PIECES = list("AABBCaabbc019_-  .:$\n") + ["é", "Ü", "\t", "\r\n", "HTTP", "Client", "ID", "Ids", "x2", "-"]


def token_from(r: random.Random, texts: list[str]) -> str:
    """A token cut from a run of the text (sometimes case-swapped), or made up."""
    if r.random() < 0.7:
        runs = [x for x in count.RUN.findall(r.choice(texts)) if x]
        if runs:
            w = r.choice(runs)
            i = r.randrange(len(w))
            t = w[i:r.randrange(i, len(w)) + 1]
            return t.swapcase() if r.random() < 0.3 else t
    return "".join(r.choice("ABCabc01_-") for _ in range(r.randint(1, 5)))


def one_case(r: random.Random, vestige: str, d: str) -> tuple[list[str], list[str]]:
    """Writes a case into `d`; returns (vestige's findings, count.py's), as `path:line:col rule`."""
    os.makedirs(os.path.join(d, "src"))
    texts = ["".join(r.choice(PIECES) for _ in range(r.randint(1, 300))) for _ in range(3)]
    for i, t in enumerate(texts):
        with open(os.path.join(d, "src", f"f{i}.txt"), "w", encoding="utf-8", newline="") as f:
            f.write(("\ufeff" if r.random() < 0.1 else "") + t)
    many = r.random() < 0.4
    rules: list[tuple[str, bool, list[str]]] = []
    for _ in range(r.randint(1, 3)):
        toks: list[str] = []
        for _ in range(r.randint(10, 40) if many else r.randint(1, 6)):
            t = token_from(r, texts)
            if t and count.RUN.fullmatch(t) and t not in toks:
                toks.append(t)
        if toks:
            rules.append((r.choice(["word", "part"]), r.random() < 0.5, toks))
    toml = ["[scan]", 'roots = ["src"]', ""]
    for k, (mode, cs, toks) in enumerate(rules):
        toml += ["[[rule]]", f'id = "r{k}"', 'message = "m"', f'match = "{mode}"']
        toml += [] if cs else ["case_sensitive = false"]
        toml += ["tokens = " + json.dumps(toks), ""]
    with open(os.path.join(d, "rules.toml"), "w") as f:
        f.write("\n".join(toml))
    out = subprocess.run([vestige, "check", "--config", os.path.join(d, "rules.toml"), "--root", d,
                          "--format", "short"], capture_output=True, text=True, check=False)
    if out.returncode not in (0, 1):
        sys.exit(f"crosscheck.py: vestige exited {out.returncode} on {d}: {out.stderr[:500]}")
    got = sorted(line.split(": ")[0] + " " + line.split("[", 1)[1].split("]", 1)[0]
                 for line in out.stdout.splitlines() if line.strip())
    counter = count.Counter16([count.Config(str(k), mode, cs, [toks]) for k, (mode, cs, toks) in enumerate(rules)])
    want = []
    for i, t in enumerate(texts):
        for ln, line in enumerate(t.split("\n"), 1):
            for m in count.RUN.finditer(line):
                for ci, hits in counter.run_hits(m.group(0)):
                    for s, _e, _rule, _t in hits:
                        want.append(f"src/f{i}.txt:{ln}:{m.start() + s + 1} r{ci}")
    return got, sorted(want)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vestige")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cases", type=int, default=500)
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="vestige-crosscheck-")
    hits = 0
    for i in range(args.cases):
        r = random.Random(f"crosscheck:{args.seed}:{i}")
        d = os.path.join(base, f"case-{i}")
        got, want = one_case(r, args.vestige, d)
        hits += len(want)
        if got != want:
            print(f"crosscheck.py: case {i} disagrees (kept in {d}):\n"
                  f"  only vestige:  {sorted(set(got) - set(want))[:8]}\n"
                  f"  only count.py: {sorted(set(want) - set(got))[:8]}")
            return 1
        shutil.rmtree(d)
    shutil.rmtree(base)
    print(f"crosscheck.py: {args.cases} cases, {hits} hits, vestige and count.py agree")
    return 0


if __name__ == "__main__":
    sys.exit(main())
