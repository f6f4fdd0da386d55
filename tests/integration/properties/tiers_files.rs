//! [CLI files](customer_tiering::definitions#cli-files-and-exit-codes): `tiers.csv` and
//! `tiers.jsonl` are the bytes the `csv` crate's default writer and `serde_json` give for
//! the same cells, for any id and label: commas, quotes, line breaks, inner spaces,
//! non-ASCII, empty names, names that look like numbers. The references here write each row
//! the plain way, a `String` per cell.

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, Label, Model, Unscored,
};
use customer_tiering::output::{METRIC_COLUMNS, write_tiers_csv, write_tiers_jsonl};
use customer_tiering::{
    CustomerId, Error, PipelineBuilder, Population, Profile, RuleSet, Tiering, money,
};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::support::{AS_OF, Seeded};

/// One label the [`Hostile`] classifier can give.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) enum Pick {
    Name(String),
    Score(u8),
    Unscored,
}

/// A classifier (column `hostile`) that labels a customer with `picks[transactions %
/// len]`: names a writer must quote or escape, scores, and none, in one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Hostile {
    pub(super) picks: Vec<Pick>,
}

/// The fitted [`Hostile`]: nothing to fit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct HostileModel {
    params: Hostile,
}

impl Classifier for Hostile {
    type Model = HostileModel;
    const KIND: &'static str = "hostile";

    fn columns(&self) -> Vec<Column> {
        let any = ColumnLabels::Named {
            labels: Vec::new(),
            ordered: false,
        };
        vec![Column::new("hostile", any)]
    }

    fn fit(&self, _: &Population) -> Result<HostileModel, Error> {
        Ok(HostileModel {
            params: self.clone(),
        })
    }
}

impl Model for HostileModel {
    type Params = Hostile;

    fn params(&self) -> &Hostile {
        &self.params
    }

    fn fit_size(&self) -> usize {
        0
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        let picks = &self.params.picks;
        let at = profile.transactions % picks.len().max(1) as u64;
        out.push(match picks.get(at as usize) {
            Some(Pick::Name(name)) => Label::Name(name.as_str().into()),
            Some(Pick::Score(score)) => Label::Score(*score),
            Some(Pick::Unscored) | None => Label::Unscored(Unscored::NoPurchases),
        });
    }

    fn explain(&self, _: &Profile) -> Vec<Explanation> {
        Vec::new()
    }
}

/// Text a CSV or JSON writer must take care with.
pub(super) fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]{1,6}",
        "[ ,\"\r\n\t;a\\\\#'é客\u{1}\u{7f}\u{2028}]{0,8}",
        Just("(unscored)".to_string()),
        Just("3".to_string()),
        Just(String::new()),
    ]
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        4 => hostile_text().prop_map(Pick::Name),
        1 => (1u8..=5).prop_map(Pick::Score),
        1 => Just(Pick::Unscored),
    ]
}

/// Any decimal: small cents mostly, then any scale, then mantissas near the limit.
pub(super) fn amount() -> impl Strategy<Value = Decimal> {
    let limit = (1i128 << 96) - 1;
    prop_oneof![
        6 => (-100_000i64..1_000_000).prop_map(|c| Decimal::new(c, 2)),
        2 => (any::<i64>(), 0u32..=28).prop_map(|(m, s)| Decimal::from_i128_with_scale(m.into(), s)),
        1 => (limit - 1000..=limit, any::<bool>(), 0u32..=3).prop_map(|(m, negative, s)| {
            Decimal::from_i128_with_scale(if negative { -m } else { m }, s)
        }),
    ]
}

/// A profile of customer `i` (its id made of `text` and `i`, so ids stay distinct); a
/// buyer when `frequency > 0` (the first always is). Days may be negative or far back: a caller may hand over
/// any profile.
pub(super) fn profile(i: usize) -> impl Strategy<Value = Profile> {
    let days = prop_oneof![8 => (0i64..800).prop_map(Some), 1 => Just(None), 1 => any::<i64>().prop_map(Some), 1 => (-50i64..0).prop_map(Some), 1 => (4000i64..9000).prop_map(Some)];
    // The first customer is a buyer: metals need one to fit.
    let frequency = u64::from(i == 0)..6;
    (
        hostile_text(),
        days.clone(),
        frequency,
        0u64..9,
        amount(),
        days,
    )
        .prop_map(
            move |(text, recency_days, frequency, transactions, monetary, tenure_days)| {
                let id = CustomerId::new(&format!("{text}#{i}")).expect("ends in a digit");
                Profile {
                    recency_days,
                    frequency,
                    transactions,
                    monetary,
                    tenure_days,
                    ..Profile::without_purchases(id)
                }
            },
        )
}

/// Up to `max` profiles.
pub(super) fn profiles(max: usize) -> impl Strategy<Value = Vec<Profile>> {
    (1..=max).prop_flat_map(|n| (0..n).map(profile).collect::<Vec<_>>())
}

/// The hostile column, metals, and a rule set with tags (an empty tag cell is none in
/// JSON Lines), run on `population`.
pub(super) fn run(population: &Population, picks: Vec<Pick>) -> Tiering {
    let rules = RuleSet::from_toml_str(
        "tags.toml",
        r#"
        name = "status"
        column = "status"
        tiers = ["top", "rest"]
        default = "rest"

        [[rules]]
        when = 'metal == "platinum"'
        tier = "top"

        [[rules]]
        when = 'recency_days > 300'
        tag = "lapsed"

        [[rules]]
        when = 'frequency >= 3'
        tag = "loyal"
        "#,
    )
    .expect("valid rules");
    PipelineBuilder::new()
        .classifier(Hostile { picks })
        .classifier(ParetoParams::metals())
        .rules(rules)
        .build()
        .expect("valid pipeline")
        .run(population)
        .expect("runs")
        .1
}

/// The hostile column alone, run on `population`.
pub(super) fn run_alone(population: &Population, picks: Vec<Pick>) -> Tiering {
    PipelineBuilder::new()
        .classifier(Hostile { picks })
        .build()
        .expect("valid pipeline")
        .run(population)
        .expect("runs")
        .1
}

/// `tiers.csv` as it was written before: a `csv::Writer`, a `String` per cell.
fn reference_csv(population: &Population, tiering: &Tiering) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<&str> = METRIC_COLUMNS.to_vec();
    header.extend(tiering.columns().iter().map(String::as_str));
    writer.write_record(&header).unwrap();
    let opt = |v: Option<i64>| v.map(|d| d.to_string()).unwrap_or_default();
    for (profile, (_, labels)) in population.profiles().iter().zip(tiering.rows()) {
        let mut row = vec![
            profile.customer_id.to_string(),
            opt(profile.recency_days),
            profile.frequency.to_string(),
            profile.transactions.to_string(),
            money::display(profile.monetary),
            opt(profile.tenure_days),
        ];
        row.extend(labels.iter().map(|l| l.as_cell().into_owned()));
        writer.write_record(&row).unwrap();
    }
    writer.into_inner().unwrap()
}

/// `tiers.jsonl` as it was written before: `serde_json::Value`s joined by hand.
fn reference_jsonl(population: &Population, tiering: &Tiering) -> Vec<u8> {
    use serde_json::Value;
    let number = |v: Option<i64>| v.map_or(Value::Null, Value::from);
    let mut out = String::new();
    for (profile, (_, labels)) in population.profiles().iter().zip(tiering.rows()) {
        let mut fields: Vec<(&str, Value)> = vec![
            ("customer_id", Value::from(profile.customer_id.as_str())),
            ("recency_days", number(profile.recency_days)),
            ("frequency", Value::from(profile.frequency)),
            ("transactions", Value::from(profile.transactions)),
            ("monetary", Value::from(money::display(profile.monetary))),
            ("tenure_days", number(profile.tenure_days)),
        ];
        for (column, label) in tiering.columns().iter().zip(labels.iter()) {
            let value = match label {
                Label::Score(s) => Value::from(*s),
                Label::Name(n) if n.is_empty() && column == "tags" => Value::Null,
                Label::Name(n) => Value::from(n.as_str()),
                Label::Unscored(_) => Value::Null,
            };
            fields.push((column.as_str(), value));
        }
        let body: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{}:{v}", Value::from(*k)))
            .collect();
        out.push_str(&format!("{{{}}}\n", body.join(",")));
    }
    out.into_bytes()
}

/// Both files, written by the library and by the references.
fn both(population: &Population, tiering: &Tiering) -> [(Vec<u8>, Vec<u8>); 2] {
    let (mut csv, mut jsonl) = (Vec::new(), Vec::new());
    write_tiers_csv("tiers.csv", population, tiering, &mut csv).unwrap();
    write_tiers_jsonl("tiers.jsonl", population, tiering, &mut jsonl).unwrap();
    [
        (csv, reference_csv(population, tiering)),
        (jsonl, reference_jsonl(population, tiering)),
    ]
}

proptest! {
    #[test]
    fn tiers_files_are_the_bytes_of_the_csv_crate_and_serde_json(
        profiles in profiles(40),
        picks in vec(pick(), 1..6),
    ) {
        let population = Population::new(AS_OF, profiles).unwrap();
        let tiering = run(&population, picks);
        for (ours, reference) in both(&population, &tiering) {
            prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&reference));
            prop_assert_eq!(ours, reference);
        }
    }
}

/// Enough customers for several batches of pieces, so that pieces are written in order.
#[test]
fn a_large_population_is_written_in_order_across_pieces_and_batches() {
    let mut seeded = Seeded::new(0x7135);
    let profiles: Vec<Profile> = (0..70_000)
        .map(|i| {
            let id = match i % 97 {
                0 => format!("C,{i}"),
                1 => format!("\"q\" {i}"),
                2 => format!("客{i}"),
                _ => format!("C{i:06}"),
            };
            let frequency = seeded.range(0, 4) as u64;
            let buyer = frequency > 0;
            Profile {
                recency_days: buyer.then(|| seeded.range(0, 900)),
                frequency,
                transactions: frequency + seeded.range(0, 2) as u64,
                monetary: Decimal::new(seeded.range(-500, 90_000), 2),
                tenure_days: buyer.then(|| seeded.range(900, 1200)),
                ..Profile::without_purchases(CustomerId::new(&id).unwrap())
            }
        })
        .collect();
    let population = Population::new(AS_OF, profiles).unwrap();
    let picks = vec![
        Pick::Name("a,b".into()),
        Pick::Score(2),
        Pick::Name("plain".into()),
        Pick::Unscored,
    ];
    let tiering = run(&population, picks);
    for (ours, reference) in both(&population, &tiering) {
        assert!(
            ours == reference,
            "{} bytes, {} expected",
            ours.len(),
            reference.len()
        );
    }
}
