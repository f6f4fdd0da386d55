#!/usr/bin/env bash
# The tier job through DataFusion beside tier and DuckDB, on one file:
#   datafusion/benches/run.sh FILE AS_OF
# FILE is a transactions CSV (benches/peers/gen.py makes one); it is also rewritten as
# Parquet (Date32, Decimal128(38, 2)) for the Parquet rows. DuckDB goes into the same
# throwaway virtualenv as benches/peers (PEERS_VENV); RUNS rounds (default 3).
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 FILE AS_OF" >&2
    exit 2
fi
file="$(realpath "$1")"
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${PEERS_VENV:-${TMPDIR:-/tmp}/customer-tiering-peers}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$repo/benches/peers/requirements.txt"
(cd "$repo" && cargo build --release -q --example tier \
    && cargo build --release -q -p customer-tiering-datafusion --example distributed --example plain_profiles)
bin="${CARGO_TARGET_DIR:-$repo/target}/release/examples"
work="$(mktemp -d "${TMPDIR:-/tmp}/customer-tiering-df-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 "$here/compare.py" "${RUNS:-3}" "$work" "$bin/tier" "$bin/distributed" "$bin/plain_profiles" \
    "$venv/bin/python" "$file" "$2"
