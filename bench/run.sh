#!/usr/bin/env bash
# vestige's benchmarks against the floor (merely reading every in-scope file) and ripgrep.
#
#   bench/run.sh [small|medium|large|all]   time the tree(s) (default: medium), write BENCHMARKS.md
#   bench/run.sh --smoke                    CI: small tree, vestige once per token set, hit counts
#                                           checked against the manifest; no timing, no installs
#
# Full runs build vestige (release) and bench/floor, install ripgrep into bench/.tools and
# hyperfine / GNU time with apt-get when missing, generate the trees when missing or stale, then
# for each token set (10, 100, 1,000 tokens): check that floor, vestige and rg see the same files,
# check that vestige, vestige -j1 and rg -o report exactly the manifest's number of hits, time
# floor / vestige / rg (each also with one thread) with hyperfine, and take peak RSS with
# /usr/bin/time -v. Any disagreement is printed loudly and the script exits 1 at the end.
#
# Environment:
#   VESTIGE_BIN   the vestige binary to use (skips building it)
#   WARMUP RUNS   hyperfine warmup runs and timed runs (default 2 and 10)
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
SETS=(10 100 1000)
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

# ---------------------------------------------------------------------------------------------
# Smoke test (CI)
# ---------------------------------------------------------------------------------------------
smoke() {
  local t0=$SECONDS
  "$PY" "$BENCH/gen.py" --size small --out "$TREES"
  local vestige=${VESTIGE_BIN:-}
  if [[ -z $vestige ]]; then
    say "building vestige (debug)"
    (cd "$REPO" && cargo build --locked --quiet)
    vestige=$TARGET_DIR/debug/vestige
  fi
  [[ -x $vestige ]] || die "no vestige binary at $vestige"
  local dir=$TREES/small tmp passed=0 failed=0
  tmp=$(mktemp -d)
  for n in "${SETS[@]}"; do
    local expected rc rc1 got got1
    expected=$(manifest_get "$dir" "m['token_sets']['$n']['expected_hits']")
    rc=0; "$vestige" check --config "$dir/vestige-$n.toml" --root "$dir/tree" --format short \
      >"$tmp/out-$n" 2>"$tmp/err-$n" || rc=$?
    rc1=0; "$vestige" check --config "$dir/vestige-$n.toml" --root "$dir/tree" --format short \
      --threads 1 >"$tmp/out1-$n" 2>/dev/null || rc1=$?
    got=$(wc -l <"$tmp/out-$n"); got1=$(wc -l <"$tmp/out1-$n")
    local want_rc=$(( expected > 0 ? 1 : 0 ))
    if [[ $got -eq $expected && $rc -eq $want_rc && $rc1 -eq $want_rc ]] && cmp -s "$tmp/out-$n" "$tmp/out1-$n"; then
      echo "smoke tokens-$n: $got hits (expected $expected), exit $rc, --threads 1 identical: ok"
      passed=$((passed + 1))
    else
      loud "SMOKE FAILURE tokens-$n: expected $expected hits and exit $want_rc" \
        "got $got hits with exit $rc, and $got1 hits with exit $rc1 for --threads 1" \
        "$(if cmp -s "$tmp/out-$n" "$tmp/out1-$n"; then echo "outputs identical"; else echo "outputs DIFFER between default threads and --threads 1"; fi)" \
        "stderr: $(head -c 600 "$tmp/err-$n")"
      failed=$((failed + 1))
    fi
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
    VESTIGE=$VESTIGE_BIN
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
# One tree size
# ---------------------------------------------------------------------------------------------
FAILURES=0

bench_size() {
  local size=$1
  local dir=$TREES/$size tree=$TREES/$size/tree out=$RESULTS/$size
  say "tree $size"
  "$PY" "$BENCH/gen.py" --size "$size" --out "$TREES"
  rm -rf "$out"
  mkdir -p "$out"
  cp "$dir/manifest.json" "$out/manifest.json"

  local rg_args=(--no-config --no-require-git --no-ignore-global -g '!vendor/' -g '!storage/')
  local floor_cmd=("$FLOOR" --exclude vendor/ --exclude storage/ "$tree" "${ROOTS[@]}")

  # The same files for everyone.
  local want_files f_floor f_rg f_vestige
  want_files=$(manifest_get "$dir" "m['files_in_scope']")
  f_floor=$("${floor_cmd[@]}" | sed -n 's/^files=\([0-9]*\) .*/\1/p')
  f_rg=$(cd "$tree" && "$RG" "${rg_args[@]}" --files "${ROOTS[@]}" | wc -l)
  f_vestige=$("$VESTIGE" check --config "$dir/vestige-10.toml" --root "$tree" --format json 2>/dev/null \
    | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["summary"]["files_scanned"])' || true)
  if [[ $f_floor == "$want_files" && $f_rg == "$want_files" && $f_vestige == "$want_files" ]]; then
    echo "  files: floor $f_floor, rg $f_rg, vestige $f_vestige, manifest $want_files: ok"
  else
    loud "FILE SET MISMATCH on $size: manifest $want_files, floor $f_floor, rg $f_rg, vestige $f_vestige"
    FAILURES=$((FAILURES + 1))
  fi

  for n in "${SETS[@]}"; do
    local cfg=$dir/vestige-$n.toml toks=$dir/tokens-$n.txt expected rc
    expected=$(manifest_get "$dir" "m['token_sets']['$n']['expected_hits']")
    say "$size, $n tokens: checking hit counts (expected $expected)"
    rc=0; "$VESTIGE" check --config "$cfg" --root "$tree" --format short >"$out/vestige-$n.txt" 2>"$out/vestige-$n.err" || rc=$?
    if [[ $rc -eq 2 ]]; then
      loud "vestige exited 2 on $size/tokens-$n:" "$(head -c 800 "$out/vestige-$n.err")"
    fi
    "$VESTIGE" check --config "$cfg" --root "$tree" --format short --threads 1 >"$out/vestige-j1-$n.txt" 2>/dev/null || true
    (cd "$tree" && "$RG" "${rg_args[@]}" -o -n --column -w -F -f "$toks" "${ROOTS[@]}" >"$out/rg-$n.txt" || true)
    if "$PY" "$BENCH/report.py" counts --label "$size/tokens-$n" --expected "$expected" \
        --vestige "$out/vestige-$n.txt" --vestige-j1 "$out/vestige-j1-$n.txt" --rg "$out/rg-$n.txt" && [[ $rc -ne 2 ]]; then
      echo "ok ($expected)" >"$out/counts-$n.txt"
    else
      echo "**MISMATCH**" >"$out/counts-$n.txt"
      FAILURES=$((FAILURES + 1))
    fi

    say "$size, $n tokens: hyperfine (--warmup $WARMUP --runs $RUNS)"
    local v="$VESTIGE check --config $cfg --root $tree --format short"
    # hyperfine -N splits these on spaces (no shell): no quoting needed, no path has a space.
    local r="$RG --no-config --no-require-git --no-ignore-global -g !vendor/ -g !storage/ -n --column -w -F -f $toks ${ROOTS[*]}"
    local fl="$FLOOR --exclude vendor/ --exclude storage/ $tree ${ROOTS[*]}"
    (cd "$tree" && "$HYPERFINE" -N -i --warmup "$WARMUP" --runs "$RUNS" --output=pipe --style basic \
      --export-json "$out/hyperfine-$n.json" \
      -n floor "$fl" -n "floor -j1" "$fl -j 1" \
      -n vestige "$v" -n "vestige -j1" "$v --threads 1" \
      -n rg "$r" -n "rg -j1" "$r -j1") | grep -E '^(Benchmark|  Time)' || true

    say "$size, $n tokens: peak RSS (/usr/bin/time -v, max of 3)"
    local name cmd i rss_json="{"
    for name in floor "floor -j1" vestige "vestige -j1" rg "rg -j1"; do
      case $name in
        floor) cmd=$fl ;;
        "floor -j1") cmd="$fl -j 1" ;;
        vestige) cmd=$v ;;
        "vestige -j1") cmd="$v --threads 1" ;;
        rg) cmd=$r ;;
        "rg -j1") cmd="$r -j1" ;;
      esac
      for i in 1 2 3; do
        # Unquoted on purpose: the command line has no spaces inside arguments or glob characters
        # that match here (the `!vendor/` globs name no file in the tree).
        (cd "$tree" && set -f && /usr/bin/time -v -o "$out/time-$n-${name// /}-$i.txt" $cmd >/dev/null 2>&1 || true)
      done
      rss_json+="\"$name\": $("$PY" "$BENCH/report.py" rss "$out/time-$n-${name// /}-"*.txt), "
    done
    echo "${rss_json%, }}" >"$out/rss-$n.json"
    echo "  peak RSS KiB: $(cat "$out/rss-$n.json")"
  done
  "$PY" "$BENCH/report.py" meta "$out/meta.json" --vestige-rev "$(vestige_rev)" --rg "$RG" --hyperfine "$HYPERFINE"
}

# ---------------------------------------------------------------------------------------------
main() {
  local arg=${1:-medium}
  case $arg in
    --smoke) smoke; return ;;
    small | medium | large) SIZES=("$arg") ;;
    all) SIZES=(small medium large) ;;
    -h | --help) sed -n '2,20p' "$0"; return ;;
    *) die "unknown argument $arg (small, medium, large, all or --smoke)" ;;
  esac
  command -v "$PY" >/dev/null || die "python3 is needed"
  ensure_tools
  build
  for size in "${SIZES[@]}"; do
    bench_size "$size"
  done
  "$PY" "$BENCH/report.py" write "$RESULTS" "$REPO/BENCHMARKS.md"
  if [[ $FAILURES -gt 0 ]]; then
    loud "$FAILURES check(s) FAILED: see the messages above; BENCHMARKS.md marks them **MISMATCH**"
    exit 1
  fi
  say "all checks passed; BENCHMARKS.md written"
}

main "$@"
