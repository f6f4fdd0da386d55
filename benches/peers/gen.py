"""A transactions file to time: gen.py CUSTOMERS ROWS SEED OUT.csv

`customer_id,date,amount`: a log in date order over the 730 days ending 2026-06-30, ids
`C` and seven digits drawn uniformly from CUSTOMERS (ROWS / CUSTOMERS rows each on
average), amounts -2.00 to 197.99 with two decimals. Deterministic for one polars
version (its hash is the random source).
"""
import datetime as dt
import sys

import polars as pl


def main() -> None:
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    customers, rows, seed, out = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if not 1 <= customers <= 10_000_000 or rows < 1:
        sys.exit("CUSTOMERS must be in 1..=10000000 and ROWS at least 1")
    row = pl.int_range(rows, dtype=pl.UInt64)
    pl.LazyFrame().select(
        customer_id=pl.lit("C") + (row.hash(seed) % customers).cast(pl.String).str.zfill(7),
        date=pl.lit(dt.date(2024, 7, 1)) + pl.duration(days=row * 730 // rows),
        cents=(row.hash(seed + 1) % 20_000).cast(pl.Int64) - 200,
    ).select(
        "customer_id",
        "date",
        amount=pl.when(pl.col("cents") < 0).then(pl.lit("-")).otherwise(pl.lit(""))
        + (pl.col("cents").abs() // 100).cast(pl.String)
        + "."
        + (pl.col("cents").abs() % 100).cast(pl.String).str.zfill(2),
    ).sink_csv(out, date_format="%Y-%m-%d")


if __name__ == "__main__":
    main()
