"""The tier job in DuckDB, one process: peer_duckdb.py TRANSACTIONS AS_OF OUT.csv

Runs tiers.sql (next to this file) on a fresh in-memory database with DuckDB's defaults
(every core). TRANSACTIONS is a CSV file, or Parquet files (a path or glob ending in
.parquet, typed columns read as they are). CSV amounts are read as DECIMAL(18,2): exact,
but a customer's sum prints with two decimals whatever the input's scale (tier keeps the
largest scale written).
"""
import datetime as dt
import pathlib
import sys

import duckdb


def quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    file, as_of, out = sys.argv[1], dt.date.fromisoformat(sys.argv[2]).isoformat(), sys.argv[3]
    sql = (pathlib.Path(__file__).parent / "tiers.sql").read_text()
    if file.endswith(".parquet"):
        start = sql.index("read_csv({file}")
        end = sql.index("})", start) + 2
        sql = sql[:start] + "read_parquet({file})" + sql[end:]
    sql = sql.replace("{file}", quoted(file)).replace("{as_of}", quoted(as_of)).replace("{out}", quoted(out))
    duckdb.connect().execute(sql)


if __name__ == "__main__":
    main()
