#!/usr/bin/env bash
# The `distributed` example against `tier` on the bundled data: the same files, byte for
# byte, from CSV and from the same rows as Parquet, in 1 and 3 partitions and on an
# in-process Ballista cluster; and a bad row named as `tier` names it.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked -q --example tier
cargo build --locked -q -p customer-tiering-datafusion --example distributed
bin="${CARGO_TARGET_DIR:-target}/debug/examples"
work="$(mktemp -d)"
nodes=()
trap 'kill "${nodes[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

data=tests/data/quickstart.csv
# same EXPECTED_DIR GOT_DIR FILE…: each file byte for byte.
same() {
    local expected="$1" got="$2"
    shift 2
    for file in "$@"; do
        cmp "$expected/$file" "$got/$file"
    done
}
files=(tiers.csv summary.json model.json management.csv)
"$bin/tier" --transactions "$data" --as-of 2026-06-30 --preset four-dimension --quiet --out "$work/tier"
# The same rows as Parquet (Date32, Decimal128(38, 2)), written by the example itself.
"$bin/distributed" --transactions "$data" --as-of 2026-06-30 --write-parquet "$work/parquet" --quiet --out "$work/unused"
for input in "$data" "$work/parquet/*.parquet"; do
    for partitions in 1 3; do
        out="$work/df-$partitions"
        rm -rf "$out"
        "$bin/distributed" --transactions "$input" --as-of 2026-06-30 --preset four-dimension \
            --partitions "$partitions" --quiet --timings --tiers-parquet "$work/tiers-parquet" \
            --out "$out" 2>"$work/timings"
        # tiers.csv was labelled and sorted by the engine, not by this process.
        grep -q '"labelled_on":"engine"' "$work/timings"
        ls "$work/tiers-parquet"/*.parquet >/dev/null
        same "$work/tier" "$out" "${files[@]}" pyramid.svg rfm_heatmap.svg
        echo "same files: $input, $partitions partitions"
    done
done

# Equal-count scores: the fit population's labels split ties by id, in this process.
"$bin/tier" --transactions "$data" --as-of 2026-06-30 --quantiles equal-count --quiet --out "$work/tier-ec"
"$bin/distributed" --transactions "$data" --as-of 2026-06-30 --quantiles equal-count \
    --partitions 3 --quiet --timings --out "$work/df-ec" 2>"$work/timings"
grep -q '"labelled_on":"process"' "$work/timings"
same "$work/tier-ec" "$work/df-ec" "${files[@]}"
echo "same files: $data, equal-count"

# The same on an in-process Ballista cluster (a debug build needs bigger thread stacks).
out="$work/ballista"
RUST_MIN_STACK=33554432 "$bin/distributed" --transactions "$data" --as-of 2026-06-30 \
    --preset four-dimension --ballista-standalone --partitions 2 --quiet --out "$out"
same "$work/tier" "$out" "${files[@]}"
echo "same files: $data, Ballista standalone"

# The same on a Ballista cluster of separate processes (a scheduler and an executor of
# the `ballista_node` example, on loopback), with a work directory both see: the
# executors keep the profiles there, fit and label.
cargo build --locked -q -p customer-tiering-datafusion --example ballista_node
export RUST_MIN_STACK=33554432
port=$((20000 + RANDOM % 20000))
listening() {
    for _ in $(seq 100); do
        if (echo >"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
        sleep 0.2
    done
    echo "nothing listens on port $1" >&2
    return 1
}
"$bin/ballista_node" scheduler --bind-host 127.0.0.1 --port "$port" >"$work/scheduler.log" 2>&1 &
nodes+=($!)
listening "$port"
"$bin/ballista_node" executor --scheduler-host 127.0.0.1 --scheduler-port "$port" \
    --bind-host 127.0.0.1 --port $((port + 1)) --grpc-port $((port + 2)) --vcores 2 \
    >"$work/executor.log" 2>&1 &
nodes+=($!)
listening $((port + 2))
sleep 2 # the executor registers with the scheduler
mkdir "$work/shared"
out="$work/cluster"
"$bin/distributed" --transactions "$data" --as-of 2026-06-30 --preset four-dimension \
    --scheduler "df://127.0.0.1:$port" --work-dir "$work/shared" --partitions 2 --quiet \
    --timings --out "$out" 2>"$work/timings"
grep -q '"fitted_on":"engine","labelled_on":"engine"' "$work/timings"
same "$work/tier" "$out" "${files[@]}"
# The profiles the executors kept went with the session.
[ -z "$(ls -A "$work/shared")" ]
kill "${nodes[@]}"
nodes=()
unset RUST_MIN_STACK
echo "same files: $data, a Ballista cluster (scheduler and executor processes)"

# A bad row stops both with the same message (but the file's name).
bad="$work/bad.csv"
head -20 "$data" >"$bad"
echo "C9,2026-01-05,1e3" >>"$bad"
tail -n +21 "$data" >>"$bad"
if "$bin/tier" --transactions "$bad" --as-of 2026-06-30 --quiet --out "$work/t" 2>"$work/t.err"; then
    echo "tier accepted a bad row" >&2; exit 1
fi
if "$bin/distributed" --transactions "$bad" --as-of 2026-06-30 --quiet --out "$work/d" 2>"$work/d.err"; then
    echo "distributed accepted a bad row" >&2; exit 1
fi
cmp "$work/t.err" "$work/d.err"
echo "same error: $(cat "$work/d.err")"
