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
trap 'rm -rf "$work"' EXIT

data=tests/data/quickstart.csv
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
        for file in tiers.csv summary.json model.json management.csv pyramid.svg rfm_heatmap.svg; do
            cmp "$work/tier/$file" "$out/$file"
        done
        echo "same files: $input, $partitions partitions"
    done
done

# Equal-count scores: the fit population's labels split ties by id, in this process.
"$bin/tier" --transactions "$data" --as-of 2026-06-30 --quantiles equal-count --quiet --out "$work/tier-ec"
"$bin/distributed" --transactions "$data" --as-of 2026-06-30 --quantiles equal-count \
    --partitions 3 --quiet --timings --out "$work/df-ec" 2>"$work/timings"
grep -q '"labelled_on":"process"' "$work/timings"
for file in tiers.csv summary.json model.json management.csv; do
    cmp "$work/tier-ec/$file" "$work/df-ec/$file"
done
echo "same files: $data, equal-count"

# The same on an in-process Ballista cluster (a debug build needs bigger thread stacks).
out="$work/ballista"
RUST_MIN_STACK=33554432 "$bin/distributed" --transactions "$data" --as-of 2026-06-30 \
    --preset four-dimension --ballista-standalone --partitions 2 --quiet --out "$out"
for file in tiers.csv summary.json model.json management.csv; do
    cmp "$work/tier/$file" "$out/$file"
done
echo "same files: $data, Ballista standalone"

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
