#!/usr/bin/env python3
"""An independent count of what vestige must report, for the benchmark's expected hit counts.

    python3 bench/count.py RULES.toml ROOT FILE_LIST [--list]

counts (or, with --list, prints as `path:line:column: rule-id token`) the hits of the rule file's
tokens in the files named by FILE_LIST (one path per line, relative to ROOT). gen.py uses the
same functions on every file it writes, so the manifest's expected counts come from here.

It is written from the documented semantics, not from vestige's code, and works differently:
the text is cut into maximal runs of `[A-Za-z0-9_-]` (no token holds another byte, so no hit
crosses one), each distinct run is evaluated once, and

- word mode: the run is cut into maximal runs of `[A-Za-z0-9_]` and single `-`, and a hit is
  a contiguous sequence of these pieces equal to a token, with no word byte before or after it
  (so an identifier token is hit only as a whole identifier run);
- part mode: the run is cut into pieces at every identifier-part boundary (before and after
  every byte that is not a letter or digit; between a lower-case letter or digit and an
  upper-case letter; before the last capital of an acronym followed by a lower-case letter,
  `HTTP|Client`), and a hit is a contiguous sequence of pieces whose concatenation equals a
  token: so both of its ends lie on a boundary;
- case-insensitive rules compare in ASCII lower case, the boundaries still follow the text;
- each rule scans left to right and keeps, at each position, the longest token there, then
  resumes after it; two rules count separately.

Standard library only.
"""

from __future__ import annotations

import re
import sys
from collections import Counter

RUN = re.compile(r"[A-Za-z0-9_-]+")
# Word mode's pieces of a run: maximal runs of word bytes, and each `-` alone.
WORD_PIECES = re.compile(r"[A-Za-z0-9_]+|-")
# Zero-width cuts inside a run of letters and digits.
CASE_CUT = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
ALNUM = re.compile(r"[A-Za-z0-9]+|[^A-Za-z0-9]")


def pieces(run: str) -> list[str]:
    """The run cut at every identifier-part boundary."""
    out: list[str] = []
    for chunk in ALNUM.findall(run):
        if chunk[0].isascii() and chunk[0].isalnum():
            out.extend(CASE_CUT.split(chunk))
        else:
            out.append(chunk)
    return out


class Config:
    """One rule file's tokens: their mode, case, and the rule each belongs to."""

    def __init__(self, name: str, mode: str, case_sensitive: bool, rules: list[list[str]]):
        assert mode in ("word", "part"), mode
        self.name = name
        self.mode = mode
        self.cs = case_sensitive
        # folded token -> [(rule, token as written)]
        self.tokens: dict[str, list[tuple[int, str]]] = {}
        for rule, toks in enumerate(rules):
            for t in toks:
                assert t and RUN.fullmatch(t), f"token outside [A-Za-z0-9_-]: {t!r}"
                self.tokens.setdefault(t.lower(), []).append((rule, t))

    def owners(self, text: str) -> list[int]:
        """The rules with a token equal to `text` under this config's case rule."""
        found = self.tokens.get(text.lower())
        if not found:
            return []
        return [rule for rule, t in found if not self.cs or t == text]


class Counter16:
    """Counts the hits of several configs at once, remembering each distinct run."""

    def __init__(self, configs: list[Config], per_token: set[str] | None = None):
        self.configs = configs
        self.keys: dict[str, set[str]] = {"word": set(), "part": set()}
        self.prefixes: dict[str, set[str]] = {"word": set(), "part": set()}
        for c in configs:
            self.keys[c.mode].update(c.tokens)
        for mode, keys in self.keys.items():
            for k in keys:
                for i in range(1, len(k) + 1):
                    self.prefixes[mode].add(k[:i])
        self.memo: dict[str, tuple | None] = {}
        # Configs whose per-token counts are kept (by name).
        self.per_token = per_token or set()

    def candidates(self, run: str, mode: str) -> list[tuple[int, int, str]]:
        """Every (start, end, text) of `run` that equals a token of `mode` (folded) and starts
        and ends where `mode` allows."""
        keys, prefixes = self.keys[mode], self.prefixes[mode]
        if not keys:
            return []
        ps = pieces(run) if mode == "part" else WORD_PIECES.findall(run)
        low = [p.lower() for p in ps]
        if not any(p in prefixes for p in low):
            return []
        offs = [0]
        for p in ps:
            offs.append(offs[-1] + len(p))
        out = []
        for i in range(len(ps)):
            # Word mode: the byte before the start and the byte after the end are not word bytes.
            if mode == "word" and i > 0 and ps[i - 1] != "-":
                continue
            s = ""
            for j in range(i, len(ps)):
                s += low[j]
                if s not in prefixes:
                    break
                if s in keys and (mode == "part" or j + 1 == len(ps) or ps[j + 1] == "-"):
                    out.append((offs[i], offs[j + 1], run[offs[i]:offs[j + 1]]))
        return out

    def run_hits(self, run: str) -> list[tuple[int, list[tuple[int, int, int, str]]]]:
        """For each config with hits in `run`: (config index, [(start, end, rule, text)])."""
        cands = {mode: self.candidates(run, mode) for mode in ("word", "part")}
        out = []
        for ci, c in enumerate(self.configs):
            by_rule: dict[int, list[tuple[int, int, str]]] = {}
            for s, e, text in cands[c.mode]:
                for rule in set(c.owners(text)):
                    by_rule.setdefault(rule, []).append((s, e, text))
            hits: list[tuple[int, int, int, str]] = []
            for rule, spans in by_rule.items():
                spans.sort(key=lambda x: (x[0], -x[1]))
                resume = 0
                for s, e, text in spans:
                    if s >= resume:
                        hits.append((s, e, rule, text))
                        resume = e
            if hits:
                out.append((ci, hits))
        return out

    def count_text(self, text: str, totals: list[int], tokens: Counter) -> None:
        """Adds the hits in `text` to `totals` (per config) and `tokens` ((config, token))."""
        runs = Counter(RUN.findall(text))
        memo = self.memo
        if len(memo) > 3_000_000:
            memo.clear()
        for run, n in runs.items():
            r = memo.get(run, False)
            if r is False:
                found = self.run_hits(run)
                r = tuple((ci, len(h), tuple(Counter(t.lower() for _, _, _, t in h).items())
                           if self.configs[ci].name in self.per_token else ()) for ci, h in found) or None
                memo[run] = r
            if r is None:
                continue
            for ci, k, per in r:
                totals[ci] += k * n
                for t, m in per:
                    tokens[(self.configs[ci].name, t)] += m * n


def load_rules(path: str) -> tuple[Config, list[str]]:
    import tomllib
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    rules = doc.get("rule", [])
    modes = {r.get("match", "word") for r in rules}
    cases = {r.get("case_sensitive", True) for r in rules}
    assert len(modes) == 1 and len(cases) == 1, "count.py wants one mode and one case per file"
    return Config(path, modes.pop(), cases.pop(), [r.get("tokens", []) for r in rules]), [r["id"] for r in rules]


def main() -> int:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    listing = "--list" in sys.argv
    cfg, ids = load_rules(args[0])
    counter = Counter16([cfg])
    root = args[1]
    with open(args[2], encoding="utf-8") as f:
        files = [line.rstrip("\n") for line in f if line.strip()]
    total = 0
    for rel in files:
        with open(f"{root}/{rel}", "rb") as f:
            text = f.read().decode("utf-8", "replace")
        if not listing:
            totals = [0]
            counter.count_text(text, totals, Counter())
            total += totals[0]
            continue
        for ln, line in enumerate(text.split("\n"), 1):
            for m in RUN.finditer(line):
                for _ci, hits in counter.run_hits(m.group(0)):
                    for s, _e, rule, t in sorted(hits):
                        total += 1
                        print(f"{rel}:{ln}:{m.start() + s + 1}: {ids[rule]} {t}")
    print(f"count.py: {total} hits", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
