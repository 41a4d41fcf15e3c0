#!/usr/bin/env bash
# Builds the release app and serves it at http://127.0.0.1:8080 with its data folder filled by
# `tideline mirror`: from the public feeds, or from a local folder with --data-from DIR.
#   ./scripts/serve.sh                              # online: mirror the public feeds
#   ./scripts/serve.sh --data-from ../shared/data   # offline: copy and validate a local folder
set -euo pipefail
cd "$(dirname "$0")/.."
FROM=()
PORT=8080
while [ $# -gt 0 ]; do
  case "$1" in
    --data-from) FROM=(--from "$2"); shift 2 ;;
    --port) PORT="$2"; shift 2 ;;
    *) echo "usage: $0 [--data-from DIR] [--port N]" >&2; exit 2 ;;
  esac
done
./scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"
trunk build --release
# A series that fails is reported and left out; the page says which are missing.
cargo run -q --release -p tideline-cli -- mirror --out dist/data "${FROM[@]}" \
  || echo "serve: some series could not be mirrored (see above); serving what was" >&2
echo "serving http://127.0.0.1:$PORT/ (Ctrl-C to stop)"
exec python3 -m http.server "$PORT" --bind 127.0.0.1 --directory dist
