#!/usr/bin/env python3
"""Derive the real-vocabulary data of the benchmark from a public Laravel application.

    python3 bench/vocab.py GIT_DIR [--commit REV] [--repo owner/name] [--top 20000]

GIT_DIR is a clone (bare or not) of the application; nothing is checked out, the files are read
from the commit's tree with `git cat-file`. Two derived files are written, and only these go
into vestige's repository (never the application's source):

    bench/data/laravel-vocab.tsv     word<TAB>count, most frequent first, the top --top words:
                                     identifier runs [A-Za-z_][A-Za-z0-9_]* of PHP, Twig/Blade,
                                     JS/Vue and SQL files, and kebab names (`piggy-banks`,
                                     `fa-piggy-bank`) of views, routes and scripts
    bench/data/laravel-shapes.json   numbers about the lines of each kind of file: line lengths,
                                     indentation, identifiers per line, blank lines, the bytes
                                     between identifiers

Both start with the repository, the pinned commit and the files they were read from.
The application used by default is Firefly III (github.com/firefly-iii/firefly-iii): a real
Laravel application with a `PiggyBank` model and a `piggy_banks` table.

Standard library only. Deterministic: the same commit gives byte-identical outputs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")

# Files read, by the kind of line shapes they feed. Paths under these prefixes are skipped:
# third-party code, build output, fixtures of other languages.
SKIP_PREFIXES = ("public/", "vendor/", "node_modules/", "storage/", "resources/assets/v1/dist/",
                 "resources/assets/v2/dist/")
MAX_AVG_LINE = 300  # a file whose lines average more than this is minified: skipped

IDENT = re.compile(rb"[A-Za-z0-9_]+")
# Kebab names: at least two hyphen-joined segments, each starting with a letter, not inside a
# longer identifier-or-hyphen run.
KEBAB = re.compile(rb"(?<![A-Za-z0-9_-])[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z][A-Za-z0-9]*)+(?![A-Za-z0-9_-])")
LEAD = re.compile(rb"^[ \t]*")


def kind_of(path: str) -> str | None:
    """The kind of a file for line shapes, or None when it is not read."""
    if path.startswith(SKIP_PREFIXES) or "/vendor/" in path:
        return None
    if path.endswith((".twig", ".blade.php")):
        return "view"
    if path.startswith("database/migrations/") and path.endswith(".php"):
        return "migration"
    if path.startswith("routes/") and path.endswith(".php"):
        return "route"
    if path.endswith(".php"):
        return "php"
    if path.endswith((".js", ".vue", ".ts")):
        return "script"
    if path.endswith(".sql"):
        return "sql"
    return None


def git(git_dir: str, *args: str) -> bytes:
    return subprocess.run(["git", "--git-dir", git_dir, *args], check=True,
                          capture_output=True).stdout


def read_blobs(git_dir: str, commit: str):
    """Yield (path, bytes) for every file of the commit's tree that this script reads."""
    listing = git(git_dir, "ls-tree", "-r", "-z", commit).split(b"\0")
    wanted = []
    for entry in listing:
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        _mode, typ, sha = meta.split()
        p = path.decode("utf-8", "replace")
        if typ == b"blob" and kind_of(p):
            wanted.append((p, sha.decode()))
    wanted.sort()
    proc = subprocess.Popen(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdin and proc.stdout
    for p, sha in wanted:
        proc.stdin.write(sha.encode() + b"\n")
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        size = int(header[2])
        data = proc.stdout.read(size)
        proc.stdout.read(1)
        yield p, data
    proc.stdin.close()
    proc.wait()


def histogram(values: Counter, cap: int) -> dict[str, int]:
    """Counts of 0..cap-1 as they are, and everything from cap on in the bucket `cap`."""
    out: Counter = Counter()
    for v, n in values.items():
        out[min(v, cap)] += n
    return {str(k): out[k] for k in sorted(out)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("git_dir")
    ap.add_argument("--commit", default="HEAD")
    ap.add_argument("--repo", default="firefly-iii/firefly-iii")
    ap.add_argument("--top", type=int, default=20_000)
    ap.add_argument("--out", default=DATA)
    args = ap.parse_args()

    commit = git(args.git_dir, "rev-parse", args.commit + "^{commit}").decode().strip()
    date = git(args.git_dir, "show", "-s", "--format=%cI", commit).decode().strip()

    words: Counter = Counter()
    files: Counter = Counter()
    nbytes: Counter = Counter()
    line_len = {}
    indent = {}
    idents_per_line = {}
    ident_len: Counter = Counter()
    blank: Counter = Counter()
    lines_total: Counter = Counter()
    ident_bytes: Counter = Counter()
    skipped_minified = 0
    for path, data in read_blobs(args.git_dir, commit):
        kind = kind_of(path)
        lines = data.split(b"\n")
        if data and len(data) / max(1, len(lines)) > MAX_AVG_LINE:
            skipped_minified += 1
            continue
        files[kind] += 1
        nbytes[kind] += len(data)
        ll = line_len.setdefault(kind, Counter())
        ind = indent.setdefault(kind, Counter())
        ipl = idents_per_line.setdefault(kind, Counter())
        for line in lines:
            line = line.rstrip(b"\r")
            lines_total[kind] += 1
            if not line.strip():
                blank[kind] += 1
                continue
            ll[len(line)] += 1
            lead = LEAD.match(line).group(0)
            ind[len(lead.replace(b"\t", b"    "))] += 1
            n = 0
            for m in IDENT.finditer(line):
                w = m.group(0)
                ident_bytes[kind] += len(w)
                if w[0:1].isdigit():
                    continue
                n += 1
                ident_len[len(w)] += 1
                words[w.decode()] += 1
            ipl[n] += 1
        if kind in ("view", "route", "script", "php"):
            for m in KEBAB.finditer(data):
                words[m.group(0).decode()] += 1

    os.makedirs(args.out, exist_ok=True)
    source = f"https://github.com/{args.repo}"
    ranked = sorted(words.items(), key=lambda kv: (-kv[1], kv[0]))
    top = ranked[: args.top]
    total_files = sum(files.values())
    vocab_path = os.path.join(args.out, "laravel-vocab.tsv")
    with open(vocab_path, "w", encoding="utf-8") as f:
        f.write(f"# Derived by bench/vocab.py from {source} at commit {commit} ({date}).\n")
        f.write(f"# {total_files} files read ({', '.join(f'{k} {v}' for k, v in sorted(files.items()))}),"
                f" {sum(nbytes.values())} bytes; {len(words)} distinct words, the {len(top)} most frequent kept.\n")
        f.write("# Identifier runs [A-Za-z_][A-Za-z0-9_]* and kebab names; no source text.\n")
        f.write("# word\tcount\n")
        for w, n in top:
            f.write(f"{w}\t{n}\n")
    shapes = {
        "source": source,
        "commit": commit,
        "commit_date": date,
        "derived_by": "bench/vocab.py",
        "files": dict(sorted(files.items())),
        "bytes": dict(sorted(nbytes.items())),
        "skipped_minified_files": skipped_minified,
        "distinct_words": len(words),
        "words_total": sum(words.values()),
        "words_kept": len(top),
        "kinds": {
            k: {
                "lines": lines_total[k],
                "blank_lines": blank[k],
                "identifier_bytes": ident_bytes[k],
                "line_length": histogram(line_len[k], 240),
                "indent": histogram(indent[k], 40),
                "identifiers_per_line": histogram(idents_per_line[k], 30),
            } for k in sorted(files)
        },
        "identifier_length": histogram(ident_len, 60),
    }
    shapes_path = os.path.join(args.out, "laravel-shapes.json")
    with open(shapes_path, "w", encoding="utf-8") as f:
        json.dump(shapes, f, indent=1, sort_keys=False)
        f.write("\n")
    print(f"vocab.py: {total_files} files of {source}@{commit[:12]}: {len(words)} distinct words, "
          f"kept {len(top)} in {vocab_path}; shapes in {shapes_path}", file=sys.stderr)


if __name__ == "__main__":
    main()
