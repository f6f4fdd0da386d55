"""The tier job in polars, one process: peer_polars.py TRANSACTIONS.csv AS_OF OUT.csv

The tier job of the crate's `definitions` (profile metrics to RFM segments) as one lazy query: profiles, tie-aware RFM scores, the default segment map,
metals; one row per buyer, by customer_id in byte order. Amounts are read as
Decimal(18, 2): exact, but a customer's sum prints with two decimals whatever the
input's scale (tier keeps the largest scale written).
"""
import datetime as dt
import sys

import polars as pl

K = 5
# Metals (see `definitions`, Pareto tiers): cumulative shares of customers in %, best band first; the rest lead.
METALS = ((1, "platinum"), (5, "gold"), (20, "iron"))
# The default segment map (see `definitions`, RFM segments), indexed by (r - 1) * 5 + (f - 1).
SEGMENTS = (
    ["hibernating", "hibernating", "at_risk", "at_risk", "cant_lose"] * 2
    + ["about_to_sleep", "about_to_sleep", "need_attention", "loyal_customers", "loyal_customers"]
    + ["promising", "potential_loyalists", "potential_loyalists", "loyal_customers", "loyal_customers"]
    + ["new_customers", "potential_loyalists", "potential_loyalists", "champions", "champions"]
)


def worse(column: str, lower_is_better: bool = False) -> pl.Expr:
    """L of quantile scores (see `definitions`): customers whose value is worse (strictly) than this one's."""
    return pl.col(column).rank("min", descending=lower_is_better).cast(pl.Int64) - 1


def score(column: str, lower_is_better: bool = False) -> pl.Expr:
    """Tie-aware quantile scores (see `definitions`): 1 + floor(k·L/n)."""
    return 1 + (K * worse(column, lower_is_better)) // pl.len()


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    file, as_of, out = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), sys.argv[3]
    tx = pl.scan_csv(file, schema={"customer_id": pl.String, "date": pl.Date, "amount": pl.Decimal(18, 2)})
    profiles = (
        # Rows after the as-of date are read but counted in no metric (see `definitions`, profile metrics).
        tx.filter(pl.col("date") <= as_of)
        .group_by("customer_id")
        .agg(
            last=pl.col("date").max(),
            first=pl.col("date").min(),
            frequency=pl.col("date").n_unique(),
            transactions=pl.len(),
            monetary=pl.col("amount").sum(),
        )
        .with_columns(
            recency_days=(pl.lit(as_of) - pl.col("last")).dt.total_days(),
            tenure_days=(pl.lit(as_of) - pl.col("first")).dt.total_days(),
        )
    )
    # Pareto tiers (see `definitions`): p = customers with strictly more money, in band b while 100·p < c_b·n.
    p = worse("monetary", lower_is_better=True)
    metal = pl.when(100 * p < METALS[0][0] * pl.len()).then(pl.lit(METALS[0][1]))
    for share, name in METALS[1:]:
        metal = metal.when(100 * p < share * pl.len()).then(pl.lit(name))
    tiers = (
        profiles.with_columns(
            r=score("recency_days", lower_is_better=True),
            f=score("frequency"),
            m=score("monetary"),
            metal=metal.otherwise(pl.lit("lead")),
        )
        .with_columns(
            rfm_segment=((pl.col("r") - 1) * K + pl.col("f") - 1).replace_strict(
                dict(enumerate(SEGMENTS)), return_dtype=pl.String
            )
        )
        .select(
            "customer_id", "recency_days", "frequency", "transactions", "monetary", "tenure_days",
            "r", "f", "m", "rfm_segment", "metal",
        )
        .sort("customer_id")
    )
    tiers.collect().write_csv(out)


if __name__ == "__main__":
    main()
