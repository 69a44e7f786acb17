#!/usr/bin/env bash
# vestige's benchmarks against the floor (merely reading every in-scope file) and ripgrep, on two
# data sets: `synthetic` (gen.py's own names, tokens planted) and `real` (filler and tokens drawn
# from a real Laravel application's vocabulary, bench/data/laravel-vocab.tsv).
#
#   bench/run.sh [--dataset synthetic|real|all] [small|medium|large|all]
#                                           time the tree(s) (default: both data sets, medium),
#                                           write BENCHMARKS.md
#   bench/run.sh --smoke                    CI: the small tree of both data sets, vestige once per
#                                           rule file (and --threads 1), hit counts checked against
#                                           the manifest; no timing, no installs
#
# Full runs build vestige (release) and bench/floor, install ripgrep into bench/.tools and
# hyperfine / GNU time with apt-get when missing, generate the trees when missing or stale, then
# for each rule file (token sets of 10, 100, 1,000 and 10,000 tokens; word and part mode;
# case-sensitive and not): check that floor, vestige and rg see the same files, check that
# vestige, vestige -j1 and (word mode) rg -o report exactly the manifest's number of hits, time
# floor / vestige / rg (each also with one thread) with hyperfine, in rounds of one run of each
# command so that the machine's drift reaches them alike, and take peak RSS with
# /usr/bin/time -v. Part mode has no ripgrep equivalent: rg is not run there. Any disagreement is
# printed loudly and the script exits 1 at the end.
#
# Environment:
#   VESTIGE_BIN   the vestige binary to use (skips building it)
#   WARMUP RUNS   hyperfine warmup runs (before the first round) and rounds of timed runs
#                 (default 2 and 10)
#   SETS MODES CASES  restrict the rule files (default "10 100 1000 10000", "word part", "cs ci")
#   RG_SLOW       seconds: when rg's check run takes longer, rg is timed once (no warmup) instead
#                 of RUNS times (default 5)
#   RG_J1_MAX     seconds: rg -j1 is timed only when its check run times the core count stays
#                 under this (default 120); otherwise it is reported as not run
#   RG_TIMEOUT    seconds: rg's check run is stopped after this long (default 600); rg is then
#                 reported as slower than that, neither checked nor timed (ripgrep with -i and
#                 1,000 or more of the synthetic tokens can take hours)
#   PYTHON        python3 to run gen.py / report.py with (default python3)
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
TREES=$BENCH/trees
RESULTS=$BENCH/results
TOOLS=$BENCH/.tools
PY=${PYTHON:-python3}
WARMUP=${WARMUP:-2}
RUNS=${RUNS:-10}
read -r -a SETS <<<"${SETS:-10 100 1000 10000}"
read -r -a MODES <<<"${MODES:-word part}"
read -r -a CASES <<<"${CASES:-cs ci}"
RG_SLOW=${RG_SLOW:-5}
RG_J1_MAX=${RG_J1_MAX:-120}
RG_TIMEOUT=${RG_TIMEOUT:-600}
DATASETS=(synthetic real)
ROOTS=(app database resources routes)
TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench/run.sh: %s\n' "$*" >&2; exit 2; }
loud() {
  printf '%s\n' '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
  printf '!! %s\n' "$@" >&2
  printf '%s\n' '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!' >&2
}

# manifest_get TREE_DIR PYTHON_EXPR_ON_m
manifest_get() {
  "$PY" -c 'import json,sys; m=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1/manifest.json" "$2"
}

# On a hit count mismatch: where vestige and bench/count.py (the reference) disagree.
explain_mismatch() {
  local dir=$1 name=$2 out=$3 out1=$4
  "$PY" "$BENCH/count.py" "$dir/vestige-$name.toml" "$dir/tree" "$dir/in-scope.txt" --list >"$out.ref" 2>/dev/null || true
  "$PY" "$BENCH/report.py" counts --label "$name" --expected "$(wc -l <"$out.ref")" \
    --vestige "$out" --vestige-j1 "$out1" --reference "$out.ref" || true
}

# ---------------------------------------------------------------------------------------------
# Smoke test (CI)
# ---------------------------------------------------------------------------------------------
smoke() {
  local t0=$SECONDS
  local vestige=${VESTIGE_BIN:+$(realpath "$VESTIGE_BIN")}
  if [[ -z $vestige ]]; then
    say "building vestige (debug)"
    (cd "$REPO" && cargo build --locked --quiet)
    vestige=$TARGET_DIR/debug/vestige
  fi
  [[ -x $vestige ]] || die "no vestige binary at $vestige"
  local passed=0 failed=0 tmp ds
  tmp=$(mktemp -d)
  for ds in "${DATASETS[@]}"; do
    "$PY" "$BENCH/gen.py" --dataset "$ds" --size small --out "$TREES"
    local dir=$TREES/$ds/small n mode case
    for n in "${SETS[@]}"; do
      for mode in "${MODES[@]}"; do
        for case in "${CASES[@]}"; do
          local name=$n-$mode-$case expected rc rc1 got got1
          expected=$(manifest_get "$dir" "m['configs']['$name']['expected_hits']")
          rc=0; "$vestige" check --config "$dir/vestige-$name.toml" --root "$dir/tree" --format short \
            >"$tmp/out-$name" 2>"$tmp/err-$name" || rc=$?
          rc1=0; "$vestige" check --config "$dir/vestige-$name.toml" --root "$dir/tree" --format short \
            --threads 1 >"$tmp/out1-$name" 2>/dev/null || rc1=$?
          got=$(wc -l <"$tmp/out-$name"); got1=$(wc -l <"$tmp/out1-$name")
          local want_rc=$(( expected > 0 ? 1 : 0 ))
          if [[ $got -eq $expected && $rc -eq $want_rc && $rc1 -eq $want_rc ]] && cmp -s "$tmp/out-$name" "$tmp/out1-$name"; then
            echo "smoke $ds/$name: $got hits (expected $expected), exit $rc, --threads 1 identical: ok"
            passed=$((passed + 1))
          else
            loud "SMOKE FAILURE $ds/$name: expected $expected hits and exit $want_rc" \
              "got $got hits with exit $rc, and $got1 hits with exit $rc1 for --threads 1" \
              "$(if cmp -s "$tmp/out-$name" "$tmp/out1-$name"; then echo "outputs identical"; else echo "outputs DIFFER between default threads and --threads 1"; fi)" \
              "stderr: $(head -c 600 "$tmp/err-$name")"
            explain_mismatch "$dir" "$name" "$tmp/out-$name" "$tmp/out1-$name"
            failed=$((failed + 1))
          fi
        done
      done
    done
  done
  rm -rf "$tmp"
  echo "smoke: $passed passed, $failed failed ($((SECONDS - t0))s)"
  [[ $failed -eq 0 ]]
}

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
apt_install() {
  local pkg=$1
  local sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  say "installing $pkg with apt-get"
  if ! $sudo apt-get install -y "$pkg" >/dev/null 2>&1; then
    $sudo apt-get update >/dev/null && $sudo apt-get install -y "$pkg" >/dev/null
  fi
}

ensure_tools() {
  RG=$TOOLS/bin/rg
  if [[ ! -x $RG ]] || ! "$RG" --version | head -1 | grep -q '^ripgrep 1[5-9]'; then
    say "installing ripgrep into $TOOLS (cargo install --locked)"
    cargo install ripgrep --locked --root "$TOOLS"
  fi
  HYPERFINE=$(command -v hyperfine || true)
  if [[ -z $HYPERFINE ]]; then
    apt_install hyperfine || true
    HYPERFINE=$(command -v hyperfine || true)
  fi
  if [[ -z $HYPERFINE ]]; then
    say "apt-get has no hyperfine; cargo install into $TOOLS"
    cargo install hyperfine --locked --root "$TOOLS"
    HYPERFINE=$TOOLS/bin/hyperfine
  fi
  [[ -x /usr/bin/time ]] || apt_install time
  [[ -x /usr/bin/time ]] || die "GNU time (/usr/bin/time) is missing"
}

build() {
  if [[ -n ${VESTIGE_BIN:-} ]]; then
    # Absolute: the timed commands run inside the tree.
    VESTIGE=$(realpath "$VESTIGE_BIN")
  else
    say "building vestige (release)"
    (cd "$REPO" && cargo build --release --locked)
    VESTIGE=$TARGET_DIR/release/vestige
  fi
  [[ -x $VESTIGE ]] || die "no vestige binary at $VESTIGE"
  say "building the floor"
  local locked=""
  [[ -f $BENCH/floor/Cargo.lock ]] && locked=--locked
  CARGO_TARGET_DIR=$BENCH/floor/target cargo build --release $locked --manifest-path "$BENCH/floor/Cargo.toml"
  FLOOR=$BENCH/floor/target/release/vestige-floor
}

vestige_rev() {
  local rev dirty
  rev=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
  # GIT_OPTIONAL_LOCKS=0: a read-only look, no index refresh written.
  dirty=$(GIT_OPTIONAL_LOCKS=0 git -C "$REPO" status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock 2>/dev/null || true)
  [[ -n $dirty ]] && rev="$rev+dirty"
  echo "$rev"
}

# ---------------------------------------------------------------------------------------------
# One tree of one data set
# ---------------------------------------------------------------------------------------------
FAILURES=0

# peak_rss OUT_PREFIX TIMES CMD...: the largest peak RSS (KiB) of TIMES runs, run in $tree.
# The command comes unquoted from a string with no spaces inside arguments; callers pass it
# under `set -f` when it holds glob characters (rg's `!vendor/`).
peak_rss() {
  local prefix=$1 times=$2 i files=()
  shift 2
  for ((i = 1; i <= times; i++)); do
    (cd "$tree" && /usr/bin/time -v -o "$prefix-$i.txt" "$@" >/dev/null 2>&1 || true)
    files+=("$prefix-$i.txt")
  done
  "$PY" "$BENCH/report.py" rss "${files[@]}"
}

# Times the commands (hyperfine `-n NAME COMMAND` pairs) in the tree TREE in RUNS rounds of one
# run of each, in reverse order every other round and after WARMUP runs of each in the first,
# so that the machine's drift reaches every command alike (hyperfine alone runs each command's
# runs back to back); the rounds are merged into BASE.json, hyperfine's output kept in BASE.txt.
time_in_rounds() {
  local tree=$1 base=$2
  shift 2
  local forward=("$@") backward=() parts=() i
  for ((i = ${#forward[@]} - 3; i >= 0; i -= 3)); do backward+=("${forward[@]:i:3}"); done
  : >"$base.txt"
  for ((i = 1; i <= RUNS; i++)); do
    local order=("${forward[@]}") warmup=0
    if ((i % 2 == 0)); then order=("${backward[@]}"); fi
    if ((i == 1)); then warmup=$WARMUP; fi
    (cd "$tree" && "$HYPERFINE" -N -i --warmup "$warmup" --runs 1 --output=pipe --style basic \
      --export-json "$base.round-$i.json" "${order[@]}") >>"$base.txt" 2>&1 || return 1
    parts+=("$base.round-$i.json")
  done
  "$PY" "$BENCH/report.py" merge "$base.json" "${parts[@]}" && rm -f "${parts[@]}"
}

bench_tree() {
  local ds=$1 size=$2
  local dir=$TREES/$ds/$size tree=$TREES/$ds/$size/tree out=$RESULTS/$ds/$size
  say "$ds tree $size"
  "$PY" "$BENCH/gen.py" --dataset "$ds" --size "$size" --out "$TREES"
  rm -rf "$out"
  mkdir -p "$out"
  cp "$dir/manifest.json" "$out/manifest.json"

  local rg_base=("$RG" --no-config --no-require-git --no-ignore-global -g '!vendor/' -g '!storage/')
  local floor_cmd=("$FLOOR" --exclude vendor/ --exclude storage/ "$tree" "${ROOTS[@]}")
  local nproc
  nproc=$(nproc)

  # The same files for everyone.
  local want_files f_floor f_rg f_vestige
  want_files=$(manifest_get "$dir" "m['files_in_scope']")
  f_floor=$("${floor_cmd[@]}" | sed -n 's/^files=\([0-9]*\) .*/\1/p')
  f_rg=$(cd "$tree" && "${rg_base[@]}" --files "${ROOTS[@]}" | wc -l)
  f_vestige=$("$VESTIGE" check --config "$dir/vestige-10-word-cs.toml" --root "$tree" --format json 2>/dev/null \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["summary"]["files_scanned"])' || true)
  if [[ $f_floor == "$want_files" && $f_rg == "$want_files" && $f_vestige == "$want_files" ]]; then
    echo "  files: floor $f_floor, rg $f_rg, vestige $f_vestige, manifest $want_files: ok"
  else
    loud "FILE SET MISMATCH on $ds/$size: manifest $want_files, floor $f_floor, rg $f_rg, vestige $f_vestige"
    FAILURES=$((FAILURES + 1))
  fi
  local fl="$FLOOR --exclude vendor/ --exclude storage/ $tree ${ROOTS[*]}"
  echo "{\"floor\": $(peak_rss "$out/time-floor" 3 $fl), \"floor -j1\": $(peak_rss "$out/time-floor-j1" 3 $fl -j 1)}" >"$out/rss-floor.json"

  local n mode case
  for n in "${SETS[@]}"; do
    for mode in "${MODES[@]}"; do
      for case in "${CASES[@]}"; do
        local name=$n-$mode-$case
        local cfg=$dir/vestige-$name.toml toks=$dir/tokens-$n-word.txt expected rc i_flag=""
        [[ $case == ci ]] && i_flag=-i
        expected=$(manifest_get "$dir" "m['configs']['$name']['expected_hits']")
        say "$ds/$size, $name: checking hit counts (expected $expected)"
        rc=0; "$VESTIGE" check --config "$cfg" --root "$tree" --format short >"$out/vestige-$name.txt" 2>"$out/vestige-$name.err" || rc=$?
        if [[ $rc -eq 2 ]]; then
          loud "vestige exited 2 on $ds/$size/$name:" "$(head -c 800 "$out/vestige-$name.err")"
        fi
        "$VESTIGE" check --config "$cfg" --root "$tree" --format short --threads 1 >"$out/vestige-j1-$name.txt" 2>/dev/null || true
        local rg_check=() rg_secs=0 rg_rc=0 rg_run=0
        if [[ $mode == word ]]; then
          local t_rg=$SECONDS
          # Under /usr/bin/time: a slow rg's peak RSS is taken from this run.
          (cd "$tree" && /usr/bin/time -v -o "$out/time-$name-rg-check.txt" timeout "$RG_TIMEOUT" \
            "${rg_base[@]}" $i_flag -o -n --column -w -F -f "$toks" "${ROOTS[@]}" >"$out/rg-$name.txt") || rg_rc=$?
          rg_secs=$((SECONDS - t_rg))
          if [[ $rg_rc -eq 124 ]]; then
            say "$ds/$size, $name: rg did not finish in ${RG_TIMEOUT}s (RG_TIMEOUT): not checked, not timed"
            echo "$RG_TIMEOUT" >"$out/rg-timeout-$name.txt"
          else
            rg_run=1
            rg_check=(--rg "$out/rg-$name.txt")
          fi
        fi
        if "$PY" "$BENCH/report.py" counts --label "$ds/$size/$name" --expected "$expected" \
            --vestige "$out/vestige-$name.txt" --vestige-j1 "$out/vestige-j1-$name.txt" "${rg_check[@]}" && [[ $rc -ne 2 ]]; then
          echo "ok ($expected)" >"$out/counts-$name.txt"
        else
          echo "**MISMATCH**" >"$out/counts-$name.txt"
          explain_mismatch "$dir" "$name" "$out/vestige-$name.txt" "$out/vestige-j1-$name.txt"
          FAILURES=$((FAILURES + 1))
        fi

        say "$ds/$size, $name: hyperfine, $RUNS rounds (--warmup $WARMUP in the first)"
        local v="$VESTIGE check --config $cfg --root $tree --format short"
        # hyperfine -N splits these on spaces (no shell): no quoting needed, no path has a space.
        local r="$RG --no-config --no-require-git --no-ignore-global -g !vendor/ -g !storage/ $i_flag -n --column -w -F -f $toks ${ROOTS[*]}"
        local cmds=(-n floor "$fl" -n "floor -j1" "$fl -j 1" -n vestige "$v" -n "vestige -j1" "$v --threads 1")
        local rg_fast=0
        if [[ $rg_run -eq 1 && $rg_secs -lt $RG_SLOW ]]; then
          rg_fast=1
          cmds+=(-n rg "$r" -n "rg -j1" "$r -j1")
        fi
        if time_in_rounds "$tree" "$out/hyperfine-$name" "${cmds[@]}"; then
          "$PY" "$BENCH/report.py" medians "$out/hyperfine-$name.json"
        else
          loud "TIMING FAILED $ds/$size $name: hyperfine could not run every command" \
            "$(tail -n 3 "$out/hyperfine-$name.txt")"
          FAILURES=$((FAILURES + 1))
        fi
        if [[ $rg_run -eq 1 && $rg_fast -eq 0 ]]; then
          # rg is slow here: one timed run of each, no warmup beyond the check run above.
          local rg_cmds=(-n rg "$r")
          if (( rg_secs * nproc < RG_J1_MAX )); then
            rg_cmds+=(-n "rg -j1" "$r -j1")
          else
            say "$ds/$size, $name: rg took ${rg_secs}s; rg -j1 not timed (RG_J1_MAX=$RG_J1_MAX)"
          fi
          say "$ds/$size, $name: rg took ${rg_secs}s (RG_SLOW=$RG_SLOW): timed once"
          (cd "$tree" && "$HYPERFINE" -N -i --warmup 0 --runs 1 --output=pipe --style basic \
            --export-json "$out/hyperfine-rg-$name.json" "${rg_cmds[@]}") | grep -E '^(Benchmark|  Time)' || true
        fi

        say "$ds/$size, $name: peak RSS (/usr/bin/time -v, max of 3; a slow rg: its check run)"
        local rss_json="{\"vestige\": $(peak_rss "$out/time-$name-vestige" 3 $v), \"vestige -j1\": $(peak_rss "$out/time-$name-vestige-j1" 3 $v --threads 1)"
        if [[ $rg_run -eq 1 && $rg_fast -eq 1 ]]; then
          rss_json+=", \"rg\": $(set -f; peak_rss "$out/time-$name-rg" 3 $r)"
          rss_json+=", \"rg -j1\": $(set -f; peak_rss "$out/time-$name-rg-j1" 3 $r -j1)"
        elif [[ $rg_run -eq 1 ]]; then
          rss_json+=", \"rg\": $("$PY" "$BENCH/report.py" rss "$out/time-$name-rg-check.txt")"
        fi
        echo "$rss_json}" >"$out/rss-$name.json"
        echo "  peak RSS KiB: $(cat "$out/rss-$name.json")"
      done
    done
  done
  "$PY" "$BENCH/report.py" meta "$out/meta.json" --vestige-rev "$(vestige_rev)" --rg "$RG" --hyperfine "$HYPERFINE"
}

# ---------------------------------------------------------------------------------------------
main() {
  local sizes=(medium) datasets=("${DATASETS[@]}")
  while [[ $# -gt 0 ]]; do
    case $1 in
      --smoke) smoke; return ;;
      --dataset)
        [[ $# -ge 2 ]] || die "--dataset needs synthetic, real or all"
        case $2 in
          synthetic | real) datasets=("$2") ;;
          all) datasets=("${DATASETS[@]}") ;;
          *) die "unknown data set $2 (synthetic, real or all)" ;;
        esac
        shift ;;
      small | medium | large) sizes=("$1") ;;
      all) sizes=(small medium large) ;;
      -h | --help) sed -n '2,32p' "$0"; return ;;
      *) die "unknown argument $1 (--dataset synthetic|real|all, small, medium, large, all or --smoke)" ;;
    esac
    shift
  done
  command -v "$PY" >/dev/null || die "python3 is needed"
  ensure_tools
  build
  local ds size
  for ds in "${datasets[@]}"; do
    for size in "${sizes[@]}"; do
      bench_tree "$ds" "$size"
    done
  done
  "$PY" "$BENCH/report.py" write "$RESULTS" "$REPO/BENCHMARKS.md"
  if [[ $FAILURES -gt 0 ]]; then
    loud "$FAILURES check(s) FAILED: see the messages above; BENCHMARKS.md marks them **MISMATCH**"
    exit 1
  fi
  say "all checks passed; BENCHMARKS.md written"
}

main "$@"
