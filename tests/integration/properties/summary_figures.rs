//! [Summary figures](customer_tiering::definitions#summary-figures): the summary figures of
//! a run equal the definition worked out the plain way (a checked `Decimal` sum per label
//! in customer order, a sorted list per median), on populations with mixed scales, refunds,
//! amounts near the decimal limit, odd recency days and hostile labels; an overflow is the
//! same error, naming the same label.

use std::collections::BTreeMap;

use customer_tiering::classify::Label;
use customer_tiering::migration::Period;
use customer_tiering::money::checked_add;
use customer_tiering::report::Summary;
use customer_tiering::{CustomerId, Population, Profile, Tiering};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::{Decimal, RoundingStrategy};

use super::tiers_files::{Pick, hostile_text, profiles, run, run_alone};
use crate::support::{AS_OF, Seeded};

/// A figure by the definition: absent, its text, or beyond what the plain `Decimal`
/// way can work out (a total past the decimal range).
#[derive(Debug, PartialEq)]
enum Want {
    Absent,
    Text(String),
    Unknown,
}

/// One label's figures by the definition, decimals as text.
#[derive(Debug, PartialEq)]
struct Plain {
    customers: u64,
    share: Want,
    revenue: String,
    revenue_share: Want,
    average_order_value: Want,
    median_recency_days: Option<i64>,
}

/// `num / den` rounded half away from zero to 4 places, when `Decimal` can hold it.
fn round4(num: Decimal, den: Decimal) -> Want {
    // Past 10^23 `Decimal`'s 28 digits leave fewer than 5 places to round from (and
    // the library keeps fewer than 4 past 10^24, see `definitions`, summary figures).
    let limit = Decimal::from(10u128.pow(23));
    let Some(q) = num.checked_div(den).filter(|q| q.abs() < limit) else {
        return Want::Unknown;
    };
    let mut q = q.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
    q.rescale(4);
    if q.is_zero() {
        q.set_sign_positive(true);
    }
    Want::Text(q.to_string())
}

/// Column → label → figures, and the revenue total, by the definition.
type PlainSummary = (BTreeMap<String, BTreeMap<String, Plain>>, String);

/// The run's figures and revenue total by [summary
/// figures](customer_tiering::definitions#summary-figures), or the overflow error's
/// message.
fn plain(population: &Population, tiering: &Tiering) -> Result<PlainSummary, String> {
    let n = Decimal::from(population.len().max(1));
    let mut out = BTreeMap::new();
    let mut total = None;
    for (index, column) in tiering.columns().iter().enumerate() {
        if column == "tags" {
            continue;
        }
        struct Acc {
            customers: u64,
            revenue: Decimal,
            transactions: u64,
            recency: Vec<i64>,
        }
        let mut per: BTreeMap<String, Acc> = BTreeMap::new();
        for (profile, (_, labels)) in population.profiles().iter().zip(tiering.rows()) {
            let label: &Label = &labels[index];
            let cell = match label {
                Label::Unscored(_) => "(unscored)".to_string(),
                other => other.as_cell().into_owned(),
            };
            let acc = per.entry(cell.clone()).or_insert(Acc {
                customers: 0,
                revenue: Decimal::ZERO,
                transactions: 0,
                recency: Vec::new(),
            });
            acc.customers += 1;
            acc.revenue = checked_add(acc.revenue, profile.monetary).ok_or_else(|| {
                format!("revenue of {column} label {cell:?} overflows the decimal range")
            })?;
            acc.transactions += profile.transactions;
            acc.recency.extend(profile.recency_days);
        }
        if total.is_none() {
            total = Some((
                column.clone(),
                per.values().map(|a| a.revenue).collect::<Vec<_>>(),
            ));
        }
        let positive = per
            .values()
            .filter(|a| a.revenue > Decimal::ZERO)
            .try_fold(Decimal::ZERO, |t, a| checked_add(t, a.revenue));
        let figures = per
            .into_iter()
            .map(|(label, mut acc)| {
                acc.recency.sort_unstable();
                let median = (!acc.recency.is_empty())
                    .then(|| acc.recency[acc.recency.len().div_ceil(2) - 1]);
                let revenue_share = match positive {
                    None => Want::Unknown,
                    Some(t) if t > Decimal::ZERO && acc.revenue > Decimal::ZERO => {
                        round4(acc.revenue, t)
                    }
                    Some(_) => Want::Absent,
                };
                let average_order_value = match acc.transactions {
                    0 => Want::Absent,
                    t => round4(acc.revenue, Decimal::from(t)),
                };
                let figures = Plain {
                    customers: acc.customers,
                    share: round4(Decimal::from(acc.customers), n),
                    revenue: customer_tiering::money::display(acc.revenue),
                    revenue_share,
                    average_order_value,
                    median_recency_days: median,
                };
                (label, figures)
            })
            .collect();
        out.insert(column.clone(), figures);
    }
    let (column, revenues) = total.expect("a column");
    let total = revenues
        .into_iter()
        .try_fold(Decimal::ZERO, checked_add)
        .ok_or_else(|| format!("revenue_total of {column} overflows the decimal range"))?;
    Ok((out, customer_tiering::money::display(total)))
}

/// The library's figures against the plain ones; a figure the plain way could not work
/// out is left out of the comparison.
fn compare(
    summary: &Summary,
    (plain, total): &(BTreeMap<String, BTreeMap<String, Plain>>, String),
) {
    let text = |d: &Decimal| Want::Text(d.to_string());
    let opt = |d: &Option<Decimal>| d.as_ref().map_or(Want::Absent, text);
    assert_eq!(&summary.revenue_total.to_string(), total);
    assert_eq!(
        summary.labels.keys().collect::<Vec<_>>(),
        plain.keys().collect::<Vec<_>>()
    );
    for (column, labels) in plain {
        let ours = &summary.labels[column];
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            labels.keys().collect::<Vec<_>>()
        );
        for (label, want) in labels {
            let got = &ours[label];
            let known = |want: &Want, got: Want| match want {
                Want::Unknown => Want::Unknown,
                _ => got,
            };
            let got = Plain {
                customers: got.customers,
                share: known(&want.share, text(&got.share)),
                revenue: got.revenue.to_string(),
                revenue_share: known(&want.revenue_share, opt(&got.revenue_share)),
                average_order_value: known(
                    &want.average_order_value,
                    opt(&got.average_order_value),
                ),
                median_recency_days: got.median_recency_days,
            };
            assert_eq!(&got, want, "{column} {label:?}");
        }
    }
}

/// Both the summary of the run and that of its period (the figures worked out from
/// each customer's cells), as JSON text (decimals with their scale), or the error.
fn both(
    population: &Population,
    tiering: &Tiering,
) -> (Result<String, String>, Result<String, String>) {
    let json = |s: Summary| serde_json::to_string(&s).unwrap();
    let direct = Summary::new(population, tiering)
        .map(json)
        .map_err(|e| e.to_string());
    let period = Period::from_tiering(population, tiering);
    let through = Summary::from_period(&period)
        .map(json)
        .map_err(|e| e.to_string());
    (direct, through)
}

fn check(population: &Population, tiering: &Tiering) {
    let (direct, through) = both(population, tiering);
    assert_eq!(direct, through);
    match (
        Summary::new(population, tiering),
        plain(population, tiering),
    ) {
        (Ok(summary), Ok(plain)) => compare(&summary, &plain),
        (Err(ours), Err(plain)) => assert_eq!(ours.to_string(), plain),
        (Ok(_), Err(plain)) => panic!("the plain way overflows ({plain}), the library does not"),
        (Err(ours), Ok(_)) => panic!("the library overflows ({ours}), the plain way does not"),
    }
}

proptest! {
    #[test]
    fn summary_figures_are_the_definitions_worked_out_the_plain_way(
        profiles in profiles(60),
        picks in vec(
            prop_oneof![
                hostile_text().prop_map(Pick::Name),
                (1u8..=5).prop_map(Pick::Score),
                Just(Pick::Unscored),
            ],
            1..6,
        ),
    ) {
        let population = Population::new(AS_OF, profiles).unwrap();
        let tiering = run(&population, picks);
        check(&population, &tiering);
    }
}

/// Enough customers for several pieces and batches of the summary's pass.
#[test]
fn a_large_population_sums_the_same_across_pieces() {
    let mut seeded = Seeded::new(0x5u64 << 40);
    let profiles: Vec<Profile> = (0..150_000)
        .map(|i| {
            let frequency = seeded.range(0, 3) as u64;
            let buyer = frequency > 0;
            let scale = [2, 2, 2, 0, 1, 4][seeded.range(0, 5) as usize];
            let recency = match seeded.range(0, 50) {
                0 => seeded.range(4000, 20_000),
                1 => -seeded.range(1, 9),
                _ => seeded.range(0, 900),
            };
            Profile {
                recency_days: buyer.then_some(recency),
                frequency,
                transactions: frequency * 2,
                monetary: Decimal::new(seeded.range(-5_000, 900_000), scale),
                tenure_days: buyer.then_some(1000),
                ..Profile::without_purchases(CustomerId::new(&format!("C{i:06}")).unwrap())
            }
        })
        .collect();
    let population = Population::new(AS_OF, profiles).unwrap();
    let picks = vec![
        Pick::Name("3".into()),
        Pick::Score(3),
        Pick::Name("(unscored)".into()),
        Pick::Unscored,
        Pick::Name("a,\"b\"".into()),
    ];
    let tiering = run(&population, picks);
    check(&population, &tiering);
}

/// Revenues whose magnitudes pass the decimal range while no partial sum does: summed
/// exactly in order; and a label whose partial sum does: the error names it.
#[test]
fn sums_near_the_limit_are_worked_out_in_order() {
    let limit = (1i128 << 96) - 1;
    let profile = |i: usize, mantissa: i128| Profile {
        frequency: 1,
        transactions: 1,
        recency_days: Some(3),
        tenure_days: Some(3),
        monetary: Decimal::from_i128_with_scale(mantissa, 0),
        ..Profile::without_purchases(CustomerId::new(&format!("C{i}")).unwrap())
    };
    // Up and down again: the magnitudes sum past the limit, no partial sum does.
    let swings: Vec<Profile> = (0..5)
        .map(|i| profile(i, if i % 2 == 0 { limit } else { -limit }))
        .collect();
    let population = Population::new(AS_OF, swings).unwrap();
    let tiering = run_alone(&population, vec![Pick::Name("same".into())]);
    let summary = Summary::new(&population, &tiering).unwrap();
    assert_eq!(summary.labels["hostile"]["same"].revenue, Decimal::MAX);
    check(&population, &tiering);
    // Two of the limit under one label: the second customer overflows it.
    let twice = vec![profile(0, limit), profile(1, -1), profile(2, limit)];
    let population = Population::new(AS_OF, twice).unwrap();
    let tiering = run_alone(&population, vec![Pick::Name("big \"one\"".into())]);
    let err = Summary::new(&population, &tiering).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"revenue of hostile label "big \"one\"" overflows the decimal range"#
    );
    check(&population, &tiering);
}
