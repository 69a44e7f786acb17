"""The real-vocabulary data set of the benchmark (`gen.py --dataset real`).

Filler text and tokens come from a real Laravel application's identifier vocabulary and line
shapes, derived by bench/vocab.py into bench/data/ (word frequencies and numbers only, no source):

- Lines: per kind of file (PHP, migration, route, view), blank lines, indentation and line lengths
  are drawn from the application's own distributions. Code lines are chains of identifiers drawn
  by their real frequency and written as their shape suggests (`PiggyBank::`, `$piggyBank`,
  `->getPiggyBanks(`, `'piggy_bank_id'`, `'piggy-banks.index'`); comment lines are prose.
- Compounds: 8% of the identifiers are a vocabulary word with one more part drawn from the
  vocabulary's parts (`getPiggyBankRepository`, `piggy_bank_archive_id`), as code has.
- A bigger tree is more code, not the same application repeated: the tail words (rank beyond
  1,000) are replaced, with the probability 1 - (the application's bytes / the tree's
  bytes), by new names of 2 to 3 vocabulary parts in the same style. So a rare name occurs about
  as often in every tree as it does in the application, while the common words (framework names,
  keywords) scale with the tree. Without this, 10,000 tokens drawn from a 20,000-word vocabulary
  would hit millions of times in 1 GB, and the benchmark would time the output.
- Invented legacy names (`LegacyPiggyBank`, `piggy_bank_archive`, ...): half of them occur
  (rarely) in the text, half never do.

The same file layout as the synthetic set (gen.py's Planner without its planted tokens).
Token sets of 10, 100, 1,000 and 10,000 are nested, ASCII-case distinct, and drawn across the
frequency range, frequency meaning how often a word matches in the application in the broadest
mode (part mode, case folded: `Amount` counts every `amount` and `getAmount`): a few frequent
words (100 to 2,000 matches), some middling ones (10 to 100), many rare ones, and invented
names. Part-mode sets swap a few rare words for kebab names (`piggy-banks`). The counts the tree
must give are computed by bench/count.py while the files are written.
"""

from __future__ import annotations

import json
import os
import random
from bisect import bisect
from itertools import accumulate

from count import Config, Counter16, pieces

HERE = os.path.dirname(os.path.abspath(__file__))
VOCAB_PATH = os.path.join(HERE, "data", "laravel-vocab.tsv")
SHAPES_PATH = os.path.join(HERE, "data", "laravel-shapes.json")

# How many tokens of each band the nested sets hold: frequent, middling, rare, invented; and how
# many of the rare words a part-mode set swaps for kebab names.
SET_MIX = {
    10: (1, 2, 5, 2, 1),
    100: (2, 8, 60, 30, 5),
    1000: (4, 30, 666, 300, 30),
    10000: (6, 120, 6874, 3000, 200),
}
# Bands of match frequency (see match_frequency): frequent, middling, and rare below.
FREQUENT = (100, 2000)
MIDDLING = (10, 100)
COMPOUND_SHARE = 0.08
INVENTED = 3200
INVENTED_SHARE = 0.0004  # of identifier draws, spread over the invented names that occur
TAIL_RANK = 1000
# Lines too short for an identifier chain: closers.
SHORT_PHP = ["}", "});", "];", "{", ");", "]);", "},", "*/", "/**"]
SHORT_VIEW = ["</div>", "</td>", "</tr>", "{% endif %}", "{% endfor %}", "</ul>", "</li>", "<tr>", "</span>"]
LEGACY_PASCAL = ["Legacy{}", "{}Legacy", "Old{}", "{}V1", "{}Archive", "{}Shim", "Deprecated{}", "{}Compat"]
LEGACY_CAMEL = ["legacy{}", "old{}", "{}V1", "{}Archive"]
LEGACY_SNAKE = ["legacy_{}", "{}_archive", "{}_v1", "old_{}", "{}_legacy"]


def shape(w: str) -> str:
    """The style of a word: kebab, snake, upper, pascal, camel or lower."""
    if "-" in w:
        return "kebab"
    if "_" in w.strip("_"):
        return "upper" if w.upper() == w else "snake"
    if w.upper() == w and any(c.isalpha() for c in w):
        return "upper"
    if w[0].isupper():
        return "pascal"
    if any(c.isupper() for c in w):
        return "camel"
    return "lower"


def load_vocab() -> tuple[list[tuple[str, int]], dict]:
    """The derived word list (word, count), most frequent first, and the line shapes."""
    words = []
    with open(VOCAB_PATH, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            w, n = line.rstrip("\n").split("\t")
            words.append((w, int(n)))
    with open(SHAPES_PATH, encoding="utf-8") as f:
        shapes = json.load(f)
    return words, shapes


def style(parts: list[str], how: str) -> str:
    """The parts joined in the given style."""
    parts = [p.lower() for p in parts if p]
    if how == "pascal":
        return "".join(p.capitalize() for p in parts)
    if how == "camel":
        return parts[0] + "".join(p.capitalize() for p in parts[1:])
    if how == "snake":
        return "_".join(parts)
    if how == "kebab":
        return "-".join(parts)
    if how == "upper":
        return "_".join(parts).upper()
    return "".join(parts)


class Vocab:
    """The vocabulary with its frequencies, its parts, and the invented legacy names."""

    def __init__(self, seed: int):
        words, shapes = load_vocab()
        self.words = [w for w, _ in words]
        self.counts = [n for _, n in words]
        self.rank = {w: i + 1 for i, w in enumerate(self.words)}
        self.shapes = shapes
        self.source_bytes = sum(shapes["bytes"].values())
        self.cum = list(accumulate(self.counts))
        self.total = self.cum[-1]
        parts: dict[str, int] = {}
        for w, n in words:
            for p in pieces(w):
                if p[0].isalpha() and len(p) >= 2:
                    parts[p.lower()] = parts.get(p.lower(), 0) + n
        ranked = sorted(parts.items(), key=lambda kv: (-kv[1], kv[0]))[:3000]
        self.parts = [p for p, _ in ranked]
        self.parts_cum = list(accumulate(n for _, n in ranked))
        self.parts_total = self.parts_cum[-1]
        self.shape = [shape(w) for w in self.words]
        prose = [(w, n) for w, n in words if shape(w) == "lower" and w.isalpha()]
        self.prose = [w for w, _ in prose]
        self.prose_cum = list(accumulate(n for _, n in prose))
        self.kinds = {}
        for kind, v in shapes["kinds"].items():
            self.kinds[kind] = {
                "blank": v["blank_lines"] / v["lines"],
                "len": cum_hist(v["line_length"]),
                "indent": cum_hist(v["indent"]),
            }
        self.invented, self.invented_present = self._invent(seed)

    def _invent(self, seed: int) -> tuple[list[str], list[str]]:
        r = random.Random(f"invented:{seed}")
        lower = {w.lower() for w in self.words}
        base = [w for w in self.words[FREQUENT[0]:] if len(w) >= 5 and shape(w) in ("pascal", "camel", "snake")]
        out: list[str] = []
        seen: set[str] = set()
        while len(out) < INVENTED:
            b = r.choice(base)
            s = shape(b)
            if s == "pascal":
                name = r.choice(LEGACY_PASCAL).format(b)
            elif s == "camel":
                t = r.choice(LEGACY_CAMEL)
                name = t.format(b[0].upper() + b[1:] if t.startswith(("legacy", "old")) else b)
            else:
                name = r.choice(LEGACY_SNAKE).format(b)
            if name.lower() in lower or name.lower() in seen:
                continue
            seen.add(name.lower())
            out.append(name)
        present = out[::2]
        return out, present

    def draw_part(self, r: random.Random) -> str:
        return self.parts[bisect(self.parts_cum, r.random() * self.parts_total)]


def cum_hist(h: dict[str, int]) -> tuple[list[int], list[int], int]:
    keys = sorted(int(k) for k in h)
    cum = []
    total = 0
    for k in keys:
        total += h[str(k)]
        cum.append(total)
    return keys, cum, total


def sample_hist(r: random.Random, hist: tuple[list[int], list[int], int]) -> int:
    keys, cum, total = hist
    return keys[bisect(cum, r.random() * total)]


# ---------------------------------------------------------------------------------------------
# Token sets
# ---------------------------------------------------------------------------------------------

def token_sets(v: Vocab, seed: int) -> dict[str, dict[int, list[str]]]:
    """{"word": {n: tokens}, "part": {n: tokens}}: nested, ASCII-case-distinct sets."""
    r = random.Random(f"real-tokens:{seed}")
    used: set[str] = set()

    def band(lo: int, hi: int | None, ok) -> list[str]:
        pool = [w for w in v.words[lo - 1: hi] if ok(w)]
        r.shuffle(pool)
        return pool

    def ident(w: str) -> bool:
        return "-" not in w and len(w) >= 4 and not w[0].isdigit()

    fr = match_frequency(v)
    freq = band(1, None, lambda w: ident(w) and shape(w) != "lower" and FREQUENT[0] <= fr[w.lower()] < FREQUENT[1])
    mid = band(1, None, lambda w: ident(w) and MIDDLING[0] <= fr[w.lower()] < MIDDLING[1])
    rare = band(1, None, lambda w: ident(w) and fr[w.lower()] < MIDDLING[0])
    kebab = band(1, None, lambda w: "-" in w and len(w) >= 5 and fr[w.lower()] < MIDDLING[1])
    invented = list(v.invented)
    r.shuffle(invented)

    def take(pool: list[str], k: int, into: list[str]) -> None:
        while len(into) < k:
            w = pool.pop(0)
            if w.lower() not in used:
                used.add(w.lower())
                into.append(w)

    f_l: list[str] = []
    m_l: list[str] = []
    r_l: list[str] = []
    i_l: list[str] = []
    k_l: list[str] = []
    word: dict[int, list[str]] = {}
    part: dict[int, list[str]] = {}
    for n in sorted(SET_MIX):
        nf, nm, nr, ni, nk = SET_MIX[n]
        assert nf + nm + nr + ni == n
        take(freq, nf, f_l)
        take(mid, nm, m_l)
        take(rare, nr, r_l)
        take(invented, ni, i_l)
        take(kebab, nk, k_l)
        word[n] = f_l[:nf] + m_l[:nm] + r_l[:nr] + i_l[:ni]
        part[n] = f_l[:nf] + m_l[:nm] + r_l[:nr - nk] + k_l[:nk] + i_l[:ni]
    for sets in (word, part):
        for n in sets:
            sets[n] = list(sets[n])
            random.Random(f"real-order:{seed}:{n}").shuffle(sets[n])
    return {"word": word, "part": part}


def match_frequency(v: Vocab) -> dict[str, int]:
    """How often each word matches in the application in the broadest mode (part mode, case
    folded): as itself, in other spellings, and as a part of longer names, overlaps included."""
    firsts: dict[str, str] = {}
    for w in v.words:
        firsts.setdefault(w.lower(), w)
    counter = Counter16([Config("all", "part", False, [[w] for w in firsts.values()])])
    out = dict.fromkeys(firsts, 0)
    for w, n in zip(v.words, v.counts):
        for _ci, hits in counter.run_hits(w):
            for _s, _e, _rule, text in hits:
                out[text.lower()] += n
    return out


def bands_of(v: Vocab, tokens: list[str], fr: dict[str, int]) -> dict[str, int]:
    """How many of the tokens are frequent, middling, rare, kebab or invented."""
    out = {"frequent": 0, "middling": 0, "rare": 0, "kebab": 0, "invented": 0}
    for t in tokens:
        f = fr.get(t.lower())
        if t not in v.rank:
            out["invented"] += 1
        elif "-" in t:
            out["kebab"] += 1
        elif f >= FREQUENT[0]:
            out["frequent"] += 1
        elif f >= MIDDLING[0]:
            out["middling"] += 1
        else:
            out["rare"] += 1
    return out


# ---------------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------------

class Writer:
    """Draws identifiers and lines for one file."""

    def __init__(self, v: Vocab, r: random.Random, dilute: float):
        self.v = v
        self.r = r
        self.dilute = dilute
        self.buf: list[str] = []

    def word(self) -> tuple[str, str]:
        """An identifier drawn by frequency, and its shape."""
        v, r = self.v, self.r
        if r.random() < INVENTED_SHARE:
            w = r.choice(v.invented_present)
            return w, shape(w)
        i = bisect(v.cum, r.random() * v.total)
        w = v.words[i]
        s = v.shape[i]
        if i >= TAIL_RANK and r.random() < self.dilute:
            if s == "lower":
                s = "camel"
            w = style([v.draw_part(r) for _ in range(r.randint(2, 3))], s)
        elif s in ("pascal", "camel", "snake") and r.random() < COMPOUND_SHARE:
            extra = v.draw_part(r)
            if s == "snake":
                w = f"{w}_{extra}" if r.random() < 0.6 else f"{extra}_{w}"
            elif s == "pascal":
                w = w + extra.capitalize() if r.random() < 0.6 else extra.capitalize() + w
            else:
                w = w + extra.capitalize() if r.random() < 0.5 else extra + w[0].upper() + w[1:]
        return w, s

    def php_fragment(self) -> str:
        r = self.r
        w, s = self.word()
        k = r.random()
        if s == "pascal":
            return (f"{w}::" if k < 0.3 else f"new {w}(" if k < 0.45 else f"{w}::class" if k < 0.6
                    else f"\\{w}\\" if k < 0.7 else f"{w} $")
        if s in ("camel", "lower"):
            return f"${w}" if k < 0.4 else f"->{w}(" if k < 0.7 else f"$this->{w}" if k < 0.8 else f"{w}("
        if s == "snake":
            return f"'{w}'" if k < 0.7 else f"['{w}']" if k < 0.85 else f"${w}"
        if s == "upper":
            return f"self::{w}" if k < 0.5 else w
        return f"'{w}'" if k < 0.6 else f"route('{w}.index'"

    def php_code(self, target: int) -> str:
        r = self.r
        out = [self.php_fragment()]
        size = len(out[0])
        while size < target:
            j = r.choice([" = ", ", ", " => ", " . ", " && ", " ", ")->", "(", " === ", ", ", " ?? "])
            f = self.php_fragment()
            out.append(j)
            out.append(f)
            size += len(j) + len(f)
        return "".join(out) + r.choice([";", ";", ";", " {", ",", ");", ""])

    def prose(self, target: int) -> str:
        v, r = self.v, self.r
        out: list[str] = []
        size = 0
        while size < target:
            if r.random() < 0.7:
                w = v.prose[bisect(v.prose_cum, r.random() * v.prose_cum[-1])]
            else:
                w = self.word()[0]
            out.append(w)
            size += len(w) + 1
        return " ".join(out)

    def view_code(self, target: int) -> str:
        r = self.r
        out: list[str] = []
        size = 0
        while size < target or not out:
            w, s = self.word()
            k = r.random()
            if s == "kebab":
                f = f'<div class="{w} {self.word()[0] if r.random() < 0.3 else "row"}">' if k < 0.5 else f"{{{{ route('{w}.index') }}}}"
            elif s == "snake":
                f = f"{{{{ '{w}'|_ }}}}" if k < 0.6 else f"{{{{ {w} }}}}"
            elif s in ("camel", "lower"):
                f = f"{{{{ {w}.{self.word()[0]} }}}}" if k < 0.4 else f"{{% if {w} %}}" if k < 0.55 else w
            elif s == "pascal":
                f = f"<span>{w}</span>" if k < 0.5 else w
            else:
                f = w
            out.append(f)
            size += len(f) + 1
        return " ".join(out)

    def file(self, kind: str, size: int, view: bool) -> str:
        v, r = self.v, self.r
        shapes = v.kinds["view" if view else ("migration" if kind == "migration" else "route" if kind == "route" else "php")]
        lines = ["<?php", ""] if not view else []
        total = sum(len(x) + 1 for x in lines)
        while total < size:
            if r.random() < shapes["blank"]:
                line = ""
            else:
                indent = sample_hist(r, shapes["indent"])
                length = max(indent + 4, sample_hist(r, shapes["len"]))
                body = length - indent
                if body <= 8:
                    line = " " * indent + r.choice(SHORT_VIEW if view else SHORT_PHP)
                elif view:
                    line = " " * indent + (f"{{# {self.prose(body - 6)} #}}" if r.random() < 0.08 else self.view_code(body - 11))
                elif indent % 4 == 1:
                    line = " " * (indent - 1) + " * " + self.prose(body - 3)
                elif r.random() < 0.08:
                    line = " " * indent + "// " + self.prose(body - 3)
                else:
                    # A line ends once it reaches its length: aim about a fragment short.
                    line = " " * indent + self.php_code(body - 8)
            lines.append(line)
            total += len(line) + 1
        return "\n".join(lines) + "\n"


def render(vocab: Vocab, spec: dict, seed: int, dilute: float) -> str:
    r = random.Random(f"real-file:{seed}:{spec['path']}")
    view = spec["kind"] in ("view", "compiled")
    return Writer(vocab, r, dilute).file(spec["kind"], spec["size"], view)


def dilution(vocab: Vocab, target_bytes: int) -> float:
    """The share of tail words renamed, so a rare name occurs about as often as in the source."""
    return max(0.0, round(1 - vocab.source_bytes / target_bytes, 4))
