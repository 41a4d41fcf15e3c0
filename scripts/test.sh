#!/usr/bin/env bash
# Runs every Tideline test: formatting, lints, native unit/golden/property tests, a short fuzzing
# run of every parser, browser tests in headless Chromium, the release build and the end-to-end
# tests; prints the bundle size.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export CARGO_TERM_COLOR=never

step() { printf '\n== %s\n' "$*"; }

step "workflow lint (actionlint)"
.tools/venv/bin/actionlint -color=false .github/workflows/*.yml

step "cargo fmt --check"
cargo fmt --all --check
cargo fmt --all --check --manifest-path fuzz/Cargo.toml

step "cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

step "native tests (core, cli, app)"
cargo test --workspace

step "fuzzing, 3 s per target (cargo-fuzz on stable, --sanitizer none; the long run: README, Fuzzing)"
./scripts/fuzz.sh 3

step "browser tests (wasm-bindgen-test, headless Chromium)"
CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=120 \
  cargo test -p tideline-app --target wasm32-unknown-unknown

step "release build (trunk, wasm-opt 132)"
trunk build --release

step "release build under a sub-path (/tideline/, as on GitHub Pages)"
trunk build --release --public-url /tideline/ --dist target/dist-subpath

step "end-to-end data: tideline mirror --from the hand-written fixtures"
rm -rf target/e2e-data
cargo run -q -p tideline-cli -- mirror --out target/e2e-data --from tests/fixtures/data \
  --only WALCL,WDTGAL,WTREGEN,RRPONTSYD,etf_flows.csv

step "end-to-end tests (Playwright, Debian Chromium, 127.0.0.1)"
SITE_DIR=dist SUBPATH_SITE_DIR=target/dist-subpath DATA_DIR=target/e2e-data \
  FIXTURE_DIR=tests/fixtures/data OUT_DIR=tests/e2e/output \
  node --test --test-concurrency=1 tests/e2e/

step "release bundle size"
wasm=$(find dist -maxdepth 1 -name 'tideline-app-*_bg.wasm' | head -1)
js=$(find dist -maxdepth 1 -name 'tideline-app-*.js' | head -1)
wasm_gz=$(gzip -9 -c "$wasm" | wc -c)
js_gz=$(gzip -9 -c "$js" | wc -c)
printf 'wasm %s: %d bytes (%d gzipped)\n' "$(basename "$wasm")" "$(wc -c <"$wasm")" "$wasm_gz"
printf 'js   %s: %d bytes (%d gzipped)\n' "$(basename "$js")" "$(wc -c <"$js")" "$js_gz"
awk -v w="$wasm_gz" -v j="$js_gz" 'BEGIN { printf "page bundle (wasm + js), gzipped: %d bytes (%.1f KiB)\n", w + j, (w + j) / 1024 }'
worker_gz=$(( $(gzip -9 -c dist/tideline-worker_bg.wasm | wc -c) + $(gzip -9 -c dist/tideline-worker.js | wc -c) ))
printf 'worker bundle (the model: wasm + js), gzipped: %d bytes (%.1f KiB)\n' "$worker_gz" "$(awk -v b="$worker_gz" 'BEGIN { print b / 1024 }')"
