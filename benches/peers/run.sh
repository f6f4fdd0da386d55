#!/usr/bin/env bash
# The tier job in tier, DuckDB and polars on one file, timed side by side:
#   benches/peers/run.sh FILE AS_OF
# Needs python3 (3.10+) and cargo. DuckDB and polars go into a throwaway virtualenv
# outside the repository (PEERS_VENV, default ${TMPDIR:-/tmp}/customer-tiering-peers);
# PEERS_RUNS rounds (default 3); TIER=path times that binary instead of building one.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 FILE AS_OF" >&2
    exit 2
fi
file="$(realpath "$1")"
as_of="$2"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-${TMPDIR:-/tmp}/customer-tiering-peers}"

[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$here/requirements.txt"

if [ -z "${TIER:-}" ]; then
    (cd "$repo" && cargo build --release --example tier)
    TIER="${CARGO_TARGET_DIR:-$repo/target}/release/examples/tier"
fi
[ -x "$TIER" ] || { echo "error: $TIER is not an executable tier" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/customer-tiering-peers-run.XXXXXX")"
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/compare.py" "${PEERS_RUNS:-3}" "$work" "$TIER" "$file" "$as_of"
