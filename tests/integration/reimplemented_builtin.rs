//! The built-in Pareto metals classifier ([Pareto
//! tiers](customer_tiering::definitions#pareto-tiers-and-abc), count basis) written again
//! from its definition with the public API only, as an application would write it, under a
//! kind of its own but the same column: on populations of every size, with ties, zero and
//! negative amounts and customers without purchases, it gives the same `tiers.csv` bytes,
//! the same summary JSON, the same warnings, the same labels from the saved thresholds on
//! other data, the same hysteresis, and explanations in the same words.

use customer_tiering::attributes::Attributes;
use customer_tiering::classify::pareto::{ParetoModel, ParetoParams};
use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, HysteresisTarget, Label, Model, Reads, Unscored,
    Warning,
};
use customer_tiering::hysteresis::Hysteresis;
use customer_tiering::migration::Period;
use customer_tiering::output::write_tiers_csv;
use customer_tiering::profile::Direction;
use customer_tiering::report::{Summary, warnings};
use customer_tiering::{
    ConfigError, CustomerId, Error, FittedPipeline, Metric, PipelineBuilder, Population,
    PopulationBuilder, Profile, Registry, Tiering, Transaction,
};
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::support::{AS_OF, Row, builder_of, days_before, id, seeded_rows, tied_rows};

// ---- the classifier, from `definitions`: Pareto tiers and saved models ----

/// One band: its name and its share of the customers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tier {
    name: SmolStr,
    #[serde(with = "rust_decimal::serde::str")]
    share: Decimal,
}

/// The customer pyramid: bands by share of the buyers ranked by `metric` (in its
/// [direction](customer_tiering::definitions#quantile-scores)), best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Pyramid {
    column: String,
    metric: Metric,
    tiers: Vec<Tier>,
}

impl Pyramid {
    /// Platinum 1 %, gold 4 %, iron 15 %, lead 80 % by `monetary`, in `metal`.
    fn metals() -> Self {
        let tier = |name: &str, percent: i64| Tier {
            name: name.into(),
            share: Decimal::new(percent, 2),
        };
        Pyramid {
            column: "metal".into(),
            metric: Metric::Monetary,
            tiers: vec![
                tier("platinum", 1),
                tier("gold", 4),
                tier("iron", 15),
                tier("lead", 80),
            ],
        }
    }

    fn column(self, column: &str) -> Self {
        Pyramid {
            column: column.into(),
            ..self
        }
    }

    fn metric(self, metric: Metric) -> Self {
        Pyramid { metric, ..self }
    }

    fn direction(&self) -> Direction {
        self.metric.default_direction()
    }

    /// The cumulative shares `c_1 < c_2 < …` of every band but the last.
    fn cumulative(&self) -> Vec<Decimal> {
        let mut sum = Decimal::ZERO;
        let all_but_last = &self.tiers[..self.tiers.len() - 1];
        all_but_last
            .iter()
            .map(|t| {
                sum += t.share;
                sum
            })
            .collect()
    }
}

/// The fitted pyramid ([saved models](customer_tiering::definitions#saved-models)): per
/// boundary, the value at position `ceil(c_b · n)` of the fit population ordered best
/// first; a value is in band `b` or better iff it reaches `t_b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PyramidModel {
    params: Pyramid,
    fit_size: usize,
    thresholds: Vec<Decimal>,
    sizes: Vec<usize>,
}

impl Classifier for Pyramid {
    type Model = PyramidModel;
    const KIND: &'static str = "pyramid";

    fn columns(&self) -> Vec<Column> {
        let labels = self.tiers.iter().map(|t| t.name.to_string()).collect();
        vec![Column::new(
            self.column.as_str(),
            ColumnLabels::ordered(labels),
        )]
    }

    fn reads(&self) -> Reads {
        Reads::metrics([self.metric])
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let fail = |reason: &str| ConfigError::Settings {
            kind: Self::KIND,
            column: self.column.clone(),
            reason: reason.into(),
        };
        if self.tiers.is_empty() {
            return Err(fail("no bands"));
        }
        if self.tiers.iter().any(|t| t.share <= Decimal::ZERO) {
            return Err(fail("a share is not positive"));
        }
        if self.tiers.iter().map(|t| t.share).sum::<Decimal>() != Decimal::ONE {
            return Err(fail("the shares do not sum to 1"));
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<PyramidModel, Error> {
        self.validate()?;
        if population.buyers().next().is_none() {
            return Err(Error::EmptyPopulation {
                as_of: population.as_of(),
            });
        }
        let direction = self.direction();
        let mut best_first: Vec<Decimal> = population
            .buyers()
            .filter_map(|p| p.metric(self.metric))
            .collect();
        best_first.sort_by(|a, b| direction.worst_first(b, a));
        let n = best_first.len();
        let thresholds = if n == 0 {
            Vec::new()
        } else {
            self.cumulative()
                .into_iter()
                .map(|c| {
                    let at = (c * Decimal::from(n)).ceil().to_usize().expect("≤ n");
                    best_first[at.clamp(1, n) - 1]
                })
                .collect()
        };
        let mut model = PyramidModel {
            params: self.clone(),
            fit_size: n,
            thresholds,
            sizes: vec![0; self.tiers.len()],
        };
        for value in &best_first {
            let band = model.band_of(*value);
            model.sizes[band] += 1;
        }
        Ok(model)
    }
}

impl PyramidModel {
    /// The first band whose threshold the value reaches; the last band otherwise.
    fn band_of(&self, value: Decimal) -> usize {
        let reaches = |t: &Decimal| match self.params.direction() {
            Direction::HigherIsBetter => value >= *t,
            Direction::LowerIsBetter => value <= *t,
        };
        self.thresholds
            .iter()
            .position(reaches)
            .unwrap_or(self.params.tiers.len() - 1)
    }

    fn label_of(&self, profile: &Profile) -> Result<(usize, Decimal), Unscored> {
        if !profile.is_buyer() {
            return Err(Unscored::NoPurchases);
        }
        let value = profile
            .metric(self.params.metric)
            .ok_or(Unscored::MissingMetric)?;
        Ok((self.band_of(value), value))
    }

    /// [Explanations](customer_tiering::definitions#explanations) in the built-in's words:
    /// the value against the threshold of its band and of the next better one, then the
    /// scheme.
    fn prose(&self, band: usize, value: Decimal) -> String {
        let (reached, short) = match self.params.direction() {
            Direction::HigherIsBetter => ("at least", "below"),
            Direction::LowerIsBetter => ("at most", "above"),
        };
        let tiers = &self.params.tiers;
        let mut compared = Vec::new();
        if let Some(t) = self.thresholds.get(band) {
            compared.push(format!(
                "is {reached} the {} threshold {t}",
                tiers[band].name
            ));
        }
        if let Some(t) = band.checked_sub(1).and_then(|b| self.thresholds.get(b)) {
            compared.push(format!(
                "is {short} the {} threshold {t}",
                tiers[band - 1].name
            ));
        }
        let comparison = format!("{} {value} {}", self.params.metric, compared.join(" and "));
        let shares: Vec<String> = tiers
            .iter()
            .map(|t| {
                let percent = (t.share * Decimal::ONE_HUNDRED).normalize();
                format!("{} {percent} %", t.name)
            })
            .collect();
        format!(
            "{} (count basis, {}; fitted on {} buyers)",
            comparison.trim_end(),
            shares.join(" / "),
            self.fit_size
        )
    }
}

impl Model for PyramidModel {
    type Params = Pyramid;

    fn params(&self) -> &Pyramid {
        &self.params
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        let boundaries = self.params.tiers.len() - 1;
        let reaches_next = |w: &[Decimal]| match self.params.direction() {
            Direction::HigherIsBetter => w[1] <= w[0],
            Direction::LowerIsBetter => w[1] >= w[0],
        };
        let whole = self.thresholds.len() == boundaries || self.fit_size == 0;
        if !whole || !self.thresholds.windows(2).all(reaches_next) {
            return Err(ConfigError::Model {
                kind: Pyramid::KIND,
                column: self.params.column.clone(),
                reason: "thresholds do not fit the bands".into(),
            });
        }
        Ok(())
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match self.label_of(profile) {
            Ok((band, _)) => Label::Name(self.params.tiers[band].name.clone()),
            Err(why) => Label::Unscored(why),
        });
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let column = self.params.column.as_str();
        match self.label_of(profile) {
            Ok((band, value)) => {
                let label = Label::Name(self.params.tiers[band].name.clone());
                vec![Explanation::text(column, label, self.prose(band, value))]
            }
            Err(why) => vec![Explanation::unscored(column, why)],
        }
    }

    /// [Warnings](customer_tiering::definitions#warnings): every empty band, and a metric
    /// with one value among the buyers.
    fn warnings(&self, population: &Population) -> Vec<Warning> {
        let column = self.params.column.as_str();
        let mut out = Vec::new();
        for (tier, size) in self.params.tiers.iter().zip(&self.sizes) {
            if *size == 0 {
                out.push(Warning::new(
                    "empty_band",
                    column,
                    format!(
                        "{column}: band {} holds no customer of the {} fitted",
                        tier.name, self.fit_size
                    ),
                    serde_json::json!({ "band": tier.name, "fit_size": self.fit_size }),
                ));
            }
        }
        let metric = self.params.metric;
        let mut values: Vec<Decimal> = population
            .buyers()
            .filter_map(|p| p.metric(metric))
            .collect();
        values.sort();
        values.dedup();
        if values.len() == 1 {
            out.push(Warning::new(
                "single_value",
                column,
                format!("{column}: every buyer has the same {metric}, so the ranking says nothing"),
                serde_json::json!({ "metric": metric.name() }),
            ));
        }
        out
    }

    /// [Hysteresis](customer_tiering::definitions#hysteresis): count-basis bands take
    /// hysteresis by the share of buyers better.
    fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError> {
        Ok(vec![HysteresisTarget::Band {
            column: self.params.column.clone(),
            cumulative: self.params.cumulative(),
            metric: self.params.metric,
            direction: self.params.direction(),
            labels: self.params.tiers.iter().map(|t| t.name.clone()).collect(),
        }])
    }
}

// ---- running both ----

/// Metals by monetary and by recency: built in, and written here.
fn builtin() -> PipelineBuilder {
    PipelineBuilder::new()
        .classifier(ParetoParams::metals())
        .classifier(
            ParetoParams::metals()
                .column("recency_metal")
                .metric(Metric::RecencyDays),
        )
}

fn own() -> PipelineBuilder {
    PipelineBuilder::new()
        .classifier(Pyramid::metals())
        .classifier(
            Pyramid::metals()
                .column("recency_metal")
                .metric(Metric::RecencyDays),
        )
}

fn csv(population: &Population, tiering: &Tiering) -> Vec<u8> {
    let mut out = Vec::new();
    write_tiers_csv("tiers.csv", population, tiering, &mut out).expect("writes");
    out
}

/// What a run shows of one pipeline fitted on `population`: `tiers.csv`, the summary
/// JSON, the warnings, every explanation; then, by the fitted thresholds, `tiers.csv` of
/// `later` and the labels hysteresis keeps against `later`'s labels as a previous period.
#[derive(Debug, PartialEq)]
struct Shown {
    tiers_csv: String,
    summary_json: String,
    warnings: Vec<Warning>,
    explanations: Vec<(Label, String)>,
    later_csv: String,
    kept_csv: String,
    held: Vec<String>,
}

fn show(
    pipeline: PipelineBuilder,
    population: &Population,
    later: &Population,
) -> (FittedPipeline, Shown) {
    let (fitted, tiering) = pipeline
        .build()
        .expect("builds")
        .run(population)
        .expect("fits");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8");
    let summary = Summary::new(population, &tiering).expect("sums");
    let explanations = population
        .profiles()
        .iter()
        .flat_map(|p| fitted.explain(p))
        .map(|e| (e.label().clone(), e.to_string()))
        .collect();
    let later_tiering = fitted.classify_all(later);
    let previous = Period::from_tiering(later, &later_tiering);
    let hysteresis = Hysteresis::new(Decimal::new(2, 2)).expect("a margin");
    let (kept, held) = hysteresis
        .apply(&fitted, population, &tiering, &previous)
        .expect("applies");
    let shown = Shown {
        tiers_csv: text(csv(population, &tiering)),
        summary_json: serde_json::to_string(&summary).expect("JSON"),
        warnings: warnings(&fitted, population),
        explanations,
        later_csv: text(csv(later, &later_tiering)),
        kept_csv: text(csv(population, &kept)),
        held: held.iter().map(ToString::to_string).collect(),
    };
    (fitted, shown)
}

/// Whether two texts are the same but for numbers that are equal at another scale
/// (`2.5` and `2.50`).
fn same_up_to_scale(a: &str, b: &str) -> bool {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.split(' ').collect(), b.split(' ').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            x == y
                || matches!(
                    (x.parse::<Decimal>(), y.parse::<Decimal>()),
                    (Ok(x), Ok(y)) if x == y
                )
        })
}

/// Whether two buyers tie on `metric` with values written at different scales.
fn ties_at_two_scales(population: &Population, metric: Metric) -> bool {
    let mut values: Vec<Decimal> = population
        .buyers()
        .filter_map(|p| p.metric(metric))
        .collect();
    values.sort();
    values
        .windows(2)
        .any(|w| w[0] == w[1] && w[0].scale() != w[1].scale())
}

/// Runs both on `population` (and `later`) and checks that they agree.
fn agree(population: &Population, later: &Population) {
    let (builtin_fit, builtin) = show(builtin(), population, later);
    let (own_fit, own) = show(own(), population, later);
    assert_eq!(own.tiers_csv, builtin.tiers_csv);
    assert_eq!(own.summary_json, builtin.summary_json);
    assert_eq!(own.warnings, builtin.warnings);
    assert_eq!(own.later_csv, builtin.later_csv);
    assert_eq!(own.kept_csv, builtin.kept_csv);
    assert_eq!(own.held, builtin.held);

    // The thresholds agree as values, the sizes exactly.
    for (theirs, mine) in builtin_fit.models().iter().zip(own_fit.models()) {
        let theirs = theirs.downcast_ref::<ParetoModel>().expect("built in");
        let mine = mine.downcast_ref::<PyramidModel>().expect("written here");
        assert_eq!(
            (theirs.thresholds(), theirs.sizes()),
            (&mine.thresholds[..], &mine.sizes[..])
        );
    }

    // Explanations: the same labels, in the same words. A threshold is one of the tied
    // values at its position; among equal values written at different scales (2.5, 2.50)
    // the definitions do not say which one is shown, and the built-in's selection need not
    // pick the one a sort puts there: then the words agree up to the scale of equal
    // numbers.
    let mixed = ties_at_two_scales(population, Metric::Monetary);
    assert_eq!(own.explanations.len(), builtin.explanations.len());
    for ((own_label, own_text), (label, text)) in own.explanations.iter().zip(&builtin.explanations)
    {
        assert_eq!(own_label, label);
        if mixed {
            assert!(same_up_to_scale(own_text, text), "{own_text}\n{text}");
        } else {
            assert_eq!(own_text, text);
        }
    }
}

/// The population of `rows` at `as_of`, with `prospects` customers who never bought.
fn population_at(rows: &[Row], as_of: jiff::civil::Date, prospects: usize) -> Population {
    let mut builder = PopulationBuilder::new(as_of);
    for row in rows {
        builder.add(row.transaction()).expect("no overflow");
    }
    let known = (0..prospects).map(|i| {
        let prospect = CustomerId::new(&format!("P{i}")).expect("an id");
        (prospect, Attributes::default())
    });
    builder.finish_with(known).expect("no overflow")
}

/// Runs both on `rows` as of [`AS_OF`], and their thresholds on the rows as of 45 days
/// before.
fn agree_on(rows: &[Row], prospects: usize) {
    let population = population_at(rows, AS_OF, prospects);
    let later = population_at(rows, days_before(45), prospects);
    agree(&population, &later);
}

/// One purchase each of `amounts` (in cents), `i` days ago for customer `i`.
fn one_each(amounts: impl IntoIterator<Item = i64>) -> Vec<Row> {
    amounts
        .into_iter()
        .enumerate()
        .map(|(customer, cents)| Row {
            customer,
            days_ago: customer as i64 % 400,
            cents,
            short: false,
            profit: None,
            product: None,
        })
        .collect()
}

// ---- the tests ----

#[test]
fn the_spec_examples_give_the_same_sizes_and_the_same_outputs() {
    // See `definitions`, Pareto tiers: n = 7 → 1, 0, 1, 5; n = 1003 distinct → 11, 40, 150,
    // 802.
    for (rows, sizes) in [
        (one_each(1..=7), [1, 0, 1, 5]),
        (
            one_each((0..1003).map(|i| (i * 7919) % 1003)),
            [11, 40, 150, 802],
        ),
    ] {
        let population = builder_of(&rows).finish().expect("no overflow");
        let model = Pyramid::metals().fit(&population).expect("fits");
        assert_eq!(model.sizes, sizes);
        agree_on(&rows, 2);
    }
}

#[test]
fn tiny_tied_negative_and_large_populations_give_the_same_outputs() {
    let cases: Vec<(&str, Vec<Row>)> = vec![
        ("one buyer", one_each([500])),
        ("two buyers", one_each([500, -500])),
        ("every value tied", one_each([250; 40])),
        (
            "refunds and zeros only",
            one_each([0, -1, -1, 0, -250, 0, -3]),
        ),
        ("ties at two scales", {
            let mut rows = one_each([250, 250, 250, 250, 100, 100]);
            rows[1].short = true; // 2.5 beside 2.50
            rows[4].short = true;
            rows
        }),
        ("99 buyers", one_each((0..99).map(|i| (i % 13) * 100 - 200))),
        ("101 buyers", one_each((0..101).map(|i| i * 3))),
        ("2500 seeded customers", seeded_rows(0x5eed_0004, 0, 2_500)),
    ];
    for (name, rows) in cases {
        for prospects in [0, 3] {
            // A failure names the case.
            let outcome = std::panic::catch_unwind(|| agree_on(&rows, prospects));
            assert!(outcome.is_ok(), "case {name:?} with {prospects} prospects");
        }
    }
}

#[test]
fn its_saved_model_loads_through_a_registry_to_the_same_bytes_and_labels() {
    let rows = seeded_rows(0x5eed_0005, 0, 300);
    let population = population_at(&rows, AS_OF, 2);
    let fitted = own()
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let json = fitted.to_json().expect("saves");
    let registry = Registry::builtin()
        .register::<Pyramid>()
        .expect("a new kind");
    let loaded = FittedPipeline::from_json_with("model.json", &json, &registry).expect("loads");
    assert_eq!(loaded, fitted);
    assert_eq!(loaded.to_json().expect("saves"), json);
    let builtin = builtin()
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let later = population_at(&rows, days_before(90), 2);
    assert_eq!(
        csv(&later, &loaded.classify_all(&later)),
        csv(&later, &builtin.classify_all(&later))
    );
    // The same column name, another kind: the model file says which.
    let err = FittedPipeline::from_json("model.json", &json).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"unknown classifier kind "pyramid""#),
        "{err}"
    );
    // And a customer it has never seen, classified by the loaded thresholds.
    let mut newcomer = PopulationBuilder::new(AS_OF);
    newcomer
        .add(Transaction::new(id(9_999), AS_OF, Decimal::new(1, 2)))
        .expect("no overflow");
    let newcomer = newcomer.finish().expect("no overflow");
    let profile = &newcomer.profiles()[0];
    assert_eq!(loaded.classify(profile), builtin.classify(profile));
}

proptest! {
    /// Populations of 1 to 150 customers with many ties, zero and negative amounts,
    /// amounts written at two scales, and up to three customers who never bought.
    #[test]
    fn generated_populations_give_the_same_outputs(
        rows in tied_rows(150),
        prospects in 0usize..=3,
    ) {
        agree_on(&rows, prospects);
    }
}
