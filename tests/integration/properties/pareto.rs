//! Pareto bands ([Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc)) on the
//! fit population, against their definitions computed naively: count basis (metals) and
//! value basis (ABC).

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::{Metric, PipelineBuilder, Population};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{better, buyer_values};
use crate::support::{names, one_purchase_each, population_of, population_rows};

const METALS: [&str; 4] = ["platinum", "gold", "iron", "lead"];

/// [Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc) count basis: `p` =
/// customers strictly better; the first band with `p·100 < c·n` for cumulative percentages
/// 1, 5, 20; else lead.
fn naive_metals(values: &[Decimal], metric: Metric) -> Vec<String> {
    let n = values.len();
    values
        .iter()
        .map(|x| {
            let p = values.iter().filter(|v| better(metric, v, x)).count();
            let band = [1, 5, 20]
                .iter()
                .position(|pct| p * 100 < pct * n)
                .unwrap_or(3);
            METALS[band].to_string()
        })
        .collect()
}

/// [Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc) value basis: `S` =
/// sum over customers strictly better, `T` = sum of the positive values; A if `S < 0.80·T`,
/// else B if `S < 0.95·T`, else C; values ≤ 0 and every value when `T = 0` are C.
fn naive_abc(values: &[Decimal]) -> Vec<String> {
    let total: Decimal = values.iter().filter(|v| **v > Decimal::ZERO).sum();
    values
        .iter()
        .map(|x| {
            if *x <= Decimal::ZERO || total.is_zero() {
                return "c".to_string();
            }
            let better_sum: Decimal = values.iter().filter(|v| *v > x).sum();
            let band = if better_sum < Decimal::new(80, 2) * total {
                "a"
            } else if better_sum < Decimal::new(95, 2) * total {
                "b"
            } else {
                "c"
            };
            band.to_string()
        })
        .collect()
}

fn pareto_pipeline() -> customer_tiering::Pipeline {
    PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .classifier(ParetoParams::abc())
        .classifier(
            ParetoParams::metals()
                .column("recency_metal")
                .metric(Metric::RecencyDays),
        )
        .build()
        .unwrap()
}

fn check(population: &Population) -> Result<(), TestCaseError> {
    let (_, tiering) = pareto_pipeline().run(population).unwrap();
    let monetary = buyer_values(population, Metric::Monetary);
    let recency = buyer_values(population, Metric::RecencyDays);
    let metals = names(&tiering, "metal");
    prop_assert_eq!(&metals, &naive_metals(&monetary, Metric::Monetary));
    prop_assert_eq!(
        names(&tiering, "recency_metal"),
        naive_metals(&recency, Metric::RecencyDays)
    );
    prop_assert_eq!(names(&tiering, "abc"), naive_abc(&monetary));
    // The best customer is always platinum.
    let best = monetary.iter().max().unwrap();
    let at_best = monetary.iter().position(|v| v == best).unwrap();
    prop_assert_eq!(metals[at_best].as_str(), "platinum");
    Ok(())
}

proptest! {
    /// Metals (by monetary and by recency) and ABC bands of a tie-heavy population follow
    /// [Pareto tiers](customer_tiering::definitions#pareto-tiers-and-abc) exactly.
    #[test]
    fn bands_follow_spec_4_with_ties(rows in population_rows()) {
        check(&population_of(&rows))?;
    }

    /// The same with distinct values (every band boundary falls between customers).
    #[test]
    fn bands_follow_spec_4_with_distinct_values(
        (amounts, recency) in crate::support::distinct_values(),
    ) {
        check(&one_purchase_each(&amounts, &recency))?;
    }
}
