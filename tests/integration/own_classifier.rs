//! An application's own classifier, written here as an application crate would write it
//! (public API only), is a first-class citizen: it fits through `PipelineBuilder` beside
//! the built-ins, and its labels reach `Tiering`, `tiers.csv`, the summary, a migration
//! between two periods and the explanations; a TOML rule set reads them, checked at
//! build; a registry that knows its kind loads a saved pipeline back to the same bytes;
//! a registry that does not refuses it by name (classifier kinds and rule kinds alike);
//! and what it declares it reads decides whether a live tiering computes `growth`.

use std::collections::BTreeMap;

use customer_tiering::attributes::Attributes;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, Label, Model, Reads, Unscored, Warning,
};
use customer_tiering::incremental::TieringState;
use customer_tiering::migration::{ABSENT, Period, migrate};
use customer_tiering::output::write_tiers_csv;
use customer_tiering::report::{Summary, warnings};
use customer_tiering::rules::{Facts, RuleOutcome, TierRules};
use customer_tiering::{
    ConfigError, CustomerId, Error, FittedPipeline, Metric, PipelineBuilder, Population,
    PopulationBuilder, Profile, Registry, RuleSet, Tiering,
};
use jiff::civil::Date;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use crate::support::{AS_OF, Row, builder_of, days_before, names, seeded_rows};

// ---- the application's classifier ----

/// Churn risk. Fitting finds the cut: the recency (in days) of the buyer at
/// `quantile` of the fit population ordered by recency, most recent first (the value at
/// 1-based position `ceil(quantile · n)`). A buyer whose last order is longer ago than
/// the cut is `at_risk`; one that is not but whose spend shrinks (growth < 0) is `watch`
/// when `watch_growth` is set; everyone else is `safe`. Customers without purchases
/// get no label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChurnRisk {
    column: String,
    /// A decimal in `0 < quantile ≤ 1`, as a string (exact).
    #[serde(with = "rust_decimal::serde::str")]
    quantile: Decimal,
    watch_growth: bool,
}

impl ChurnRisk {
    /// The cut at the 75th percentile, watching growth.
    fn new() -> Self {
        ChurnRisk {
            column: "churn".into(),
            quantile: Decimal::new(75, 2),
            watch_growth: true,
        }
    }

    fn watch_growth(self, watch_growth: bool) -> Self {
        ChurnRisk {
            watch_growth,
            ..self
        }
    }

    fn quantile(self, quantile: Decimal) -> Self {
        ChurnRisk { quantile, ..self }
    }

    /// Its labels, best first.
    fn labels(&self) -> Vec<&'static str> {
        if self.watch_growth {
            vec!["safe", "watch", "at_risk"]
        } else {
            vec!["safe", "at_risk"]
        }
    }
}

/// The fitted churn risk: the cut, and the settings it was fitted with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ChurnModel {
    params: ChurnRisk,
    cut_days: i64,
    fit_size: usize,
}

impl Classifier for ChurnRisk {
    type Model = ChurnModel;
    const KIND: &'static str = "churn_risk";

    fn columns(&self) -> Vec<Column> {
        let labels = self.labels().into_iter().map(String::from).collect();
        vec![Column::new(
            self.column.as_str(),
            ColumnLabels::ordered(labels),
        )]
    }

    fn reads(&self) -> Reads {
        let mut reads = Reads::metrics([Metric::RecencyDays]);
        if self.watch_growth {
            reads.add_metric(Metric::Growth);
        }
        reads
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if self.quantile <= Decimal::ZERO || self.quantile > Decimal::ONE {
            return Err(ConfigError::Settings {
                kind: Self::KIND,
                column: self.column.clone(),
                reason: format!("quantile must be in 0 < q <= 1, got {}", self.quantile),
            });
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<ChurnModel, Error> {
        self.validate()?;
        let mut days: Vec<i64> = population.buyers().filter_map(|p| p.recency_days).collect();
        if days.is_empty() {
            return Err(Error::classifier(Self::KIND, "no buyer to fit the cut on"));
        }
        days.sort_unstable();
        let position = Decimal::from(days.len())
            .checked_mul(self.quantile)
            .and_then(|p| p.ceil().to_usize())
            .ok_or_else(|| Error::classifier(Self::KIND, "the quantile's position overflows"))?;
        Ok(ChurnModel {
            params: self.clone(),
            cut_days: days[position.clamp(1, days.len()) - 1],
            fit_size: days.len(),
        })
    }
}

impl ChurnModel {
    /// The label, with the recency that decided it.
    fn label_of(&self, profile: &Profile) -> Result<(&'static str, i64), Unscored> {
        let days = profile.recency_days.ok_or(Unscored::NoPurchases)?;
        let shrinking = profile.growth.is_some_and(|g| g < Decimal::ZERO);
        let label = if days > self.cut_days {
            "at_risk"
        } else if self.params.watch_growth && shrinking {
            "watch"
        } else {
            "safe"
        };
        Ok((label, days))
    }
}

impl Model for ChurnModel {
    type Params = ChurnRisk;

    fn params(&self) -> &ChurnRisk {
        &self.params
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }

    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        if self.cut_days < 0 || self.fit_size == 0 {
            return Err(ConfigError::Model {
                kind: ChurnRisk::KIND,
                column: self.params.column.clone(),
                reason: format!(
                    "a cut of {} days fitted on {} buyers cannot be",
                    self.cut_days, self.fit_size
                ),
            });
        }
        Ok(())
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match self.label_of(profile) {
            Ok((label, _)) => Label::Name(label.into()),
            Err(why) => Label::Unscored(why),
        });
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let column = self.params.column.as_str();
        let (label, days) = match self.label_of(profile) {
            Ok(found) => found,
            Err(why) => return vec![Explanation::unscored(column, why)],
        };
        let cut = self.cut_days;
        let compared = if days > cut { "more" } else { "not more" };
        let mut why = format!(
            "last order {days} days ago, {compared} than the cut of {cut} days (the {} quantile of recency over {} buyers)",
            self.params.quantile, self.fit_size
        );
        if label == "watch" {
            let growth = profile.growth.unwrap_or_default();
            why.push_str(&format!(", and spend shrinking (growth {growth})"));
        }
        vec![Explanation::text(column, Label::Name(label.into()), why)]
    }

    fn warnings(&self, population: &Population) -> Vec<Warning> {
        let column = self.params.column.as_str();
        let at_risk = population
            .buyers()
            .filter(|p| p.recency_days.is_some_and(|d| d > self.cut_days))
            .count();
        if at_risk > 0 {
            return Vec::new();
        }
        vec![Warning::new(
            "no_churn_risk",
            column,
            format!(
                "{column}: no buyer of the {} fitted is past the cut of {} days",
                self.fit_size, self.cut_days
            ),
            serde_json::json!({ "cut_days": self.cut_days, "fit_size": self.fit_size }),
        )]
    }
}

/// The cut by its definition, worked out without sorting: the least recency `d` of a
/// buyer such that at least `quantile · n` buyers have a recency of at most `d`.
fn naive_cut(population: &Population, quantile: Decimal) -> i64 {
    let days: Vec<i64> = population.buyers().filter_map(|p| p.recency_days).collect();
    let n = Decimal::from(days.len());
    days.iter()
        .copied()
        .filter(|d| Decimal::from(days.iter().filter(|x| *x <= d).count()) >= quantile * n)
        .min()
        .expect("a buyer")
}

/// The label of `profile` by the definition, given the cut.
fn naive_churn(profile: &Profile, cut: i64, watch_growth: bool) -> &'static str {
    match profile.recency_days {
        None => "",
        Some(days) if days > cut => "at_risk",
        Some(_) if watch_growth && profile.growth.is_some_and(|g| g < Decimal::ZERO) => "watch",
        Some(_) => "safe",
    }
}

// ---- rule logic of the application, reading the classifier's column ----

/// Retention calls: a customer at risk who is platinum or gold gets a call, anyone else
/// at risk or watched a mail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RetentionCalls {
    tiers: Vec<SmolStr>,
}

impl RetentionCalls {
    fn new() -> Self {
        RetentionCalls {
            tiers: vec!["call".into(), "mail".into(), "none".into()],
        }
    }

    fn tier(facts: &Facts<'_>) -> &'static str {
        let cell = |column: &str| facts.label(column).map(|l| l.as_cell().into_owned());
        let churn = cell("churn").unwrap_or_default();
        let valuable = matches!(cell("metal").as_deref(), Some("platinum" | "gold"));
        match churn.as_str() {
            "at_risk" if valuable => "call",
            "at_risk" | "watch" => "mail",
            _ => "none",
        }
    }
}

impl TierRules for RetentionCalls {
    const KIND: &'static str = "retention_calls";

    fn name(&self) -> &str {
        "retention calls"
    }
    fn column(&self) -> &str {
        "retention"
    }
    fn tiers(&self) -> &[SmolStr] {
        &self.tiers
    }
    fn columns_read(&self) -> Vec<String> {
        vec!["churn".into(), "metal".into()]
    }
    fn reads(&self) -> Reads {
        Reads::nothing()
    }
    fn decide(&self, facts: &Facts<'_>) -> RuleOutcome {
        RuleOutcome::tier(Self::tier(facts))
    }
    fn explain(&self, facts: &Facts<'_>) -> Explanation {
        let tier = Self::tier(facts);
        Explanation::text("retention", Label::Name(tier.into()), "by churn and metal")
    }
}

// ---- data ----

/// Seeded purchases of 400 customers over two years (refunds and zero amounts
/// included), joined with three prospects who never bought.
fn rows() -> Vec<Row> {
    seeded_rows(0x00c4_0a1d, 0, 400)
}

fn population_at(rows: &[Row], as_of: Date) -> Population {
    let mut builder = PopulationBuilder::new(as_of);
    for row in rows {
        builder.add(row.transaction()).expect("no overflow");
    }
    let prospects =
        ["P1", "P2", "P3"].map(|id| (CustomerId::new(id).expect("an id"), Attributes::default()));
    builder.finish_with(prospects).expect("no overflow")
}

/// A TOML rule set reading `churn`, with its order, beside `metal`.
const RETENTION: &str = r#"
    name = "retention"
    tiers = ["call", "mail", "none"]
    default = "none"

    [[rules]]
    name = "valuable and slipping"
    when = 'churn == "at_risk" and metal >= "gold"'
    tier = "call"

    [[rules]]
    when = 'churn <= "watch"'
    tier = "mail"

    [[rules]]
    when = 'churn == "watch"'
    tag = "shrinking"
"#;

fn retention_rules() -> RuleSet {
    RuleSet::from_toml_str("retention.toml", RETENTION).expect("a valid rule set")
}

fn pipeline() -> PipelineBuilder {
    PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .classifier(ChurnRisk::new())
}

fn csv(population: &Population, tiering: &Tiering) -> String {
    let mut out = Vec::new();
    write_tiers_csv("tiers.csv", population, tiering, &mut out).expect("writes");
    String::from_utf8(out).expect("UTF-8")
}

// ---- the tests ----

#[test]
fn it_fits_beside_the_built_ins_and_its_labels_reach_tiering_csv_and_summary() {
    let population = population_at(&rows(), AS_OF);
    let pipeline = pipeline().rules(retention_rules()).build().expect("builds");
    assert_eq!(
        pipeline.columns(),
        [
            "r",
            "f",
            "m",
            "rfm_segment",
            "metal",
            "churn",
            "tier",
            "tags"
        ]
    );
    let (fitted, tiering) = pipeline.run(&population).expect("fits");

    // The model fitted a cut from the population, and labels every customer by it.
    let model = fitted.models()[2]
        .downcast_ref::<ChurnModel>()
        .expect("the application's model");
    let cut = naive_cut(&population, Decimal::new(75, 2));
    assert_eq!((model.cut_days, model.fit_size), (cut, 400));
    let want: Vec<&str> = population
        .profiles()
        .iter()
        .map(|p| naive_churn(p, cut, true))
        .collect();
    assert_eq!(names(&tiering, "churn"), want);
    for label in ["safe", "watch", "at_risk"] {
        assert!(want.contains(&label), "no {label} customer in the data");
    }
    assert_eq!(
        tiering.label("P1", "churn"),
        Some(&Label::Unscored(Unscored::NoPurchases))
    );
    // The same labels from the fitted model as from the run.
    assert_eq!(fitted.classify_all(&population), tiering);

    // tiers.csv: its column after metal, its label in every row, empty for prospects.
    let text = csv(&population, &tiering);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "customer_id,recency_days,frequency,transactions,monetary,tenure_days,\
             r,f,m,rfm_segment,metal,churn,tier,tags"
        )
    );
    let mut cells = BTreeMap::new();
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        cells.insert(fields[0].to_string(), fields[11].to_string());
    }
    for (profile, want) in population.profiles().iter().zip(&want) {
        assert_eq!(&cells[profile.customer_id.as_str()], want);
    }

    // Counts and summary figures, (unscored) included, in its column.
    let counts = &tiering.counts()["churn"];
    let summary = Summary::new(&population, &tiering).expect("sums");
    let churn = &summary.labels["churn"];
    let keys: Vec<&str> = churn.keys().map(String::as_str).collect();
    assert_eq!(keys, ["(unscored)", "at_risk", "safe", "watch"]);
    for (label, figures) in churn {
        let naive = want
            .iter()
            .filter(|w| **w == label.as_str() || (w.is_empty() && label == "(unscored)"))
            .count() as u64;
        assert_eq!(
            (figures.customers, counts[label]),
            (naive, naive),
            "{label}"
        );
        let revenue: Decimal = population
            .profiles()
            .iter()
            .zip(&want)
            .filter(|(_, w)| **w == label.as_str() || (w.is_empty() && label == "(unscored)"))
            .map(|(p, _)| p.monetary)
            .sum();
        assert_eq!(figures.revenue, revenue, "{label}");
    }
    assert_eq!(churn["(unscored)"].customers, 3);
    let json = serde_json::to_value(&summary).expect("JSON");
    assert_eq!(
        json["labels"]["churn"]["at_risk"]["customers"],
        churn["at_risk"].customers
    );

    // The TOML rule set decided by its labels and its order (`churn <= "watch"`).
    let tiers = names(&tiering, "tier");
    let metals = names(&tiering, "metal");
    for (i, churn) in want.iter().enumerate() {
        let valuable = matches!(metals[i].as_str(), "platinum" | "gold");
        let tier = match *churn {
            "at_risk" if valuable => "call",
            "at_risk" | "watch" => "mail",
            _ => "none",
        };
        assert_eq!(tiers[i], tier, "customer {i}");
    }
    assert_eq!(
        names(&tiering, "tags")
            .iter()
            .filter(|t| *t == "shrinking")
            .count(),
        want.iter().filter(|w| **w == "watch").count()
    );
}

#[test]
fn its_warnings_join_the_run_warnings() {
    // Everyone bought on the same day: the cut is that day, nobody is past it.
    let rows: Vec<Row> = (0..20)
        .map(|customer| Row {
            customer,
            days_ago: 30,
            cents: 1_000 + customer as i64,
            short: false,
            profit: None,
            product: None,
        })
        .collect();
    let population = builder_of(&rows).finish().expect("no overflow");
    let fitted = pipeline()
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let found: Vec<String> = warnings(&fitted, &population)
        .iter()
        .filter(|w| w.classifier == "churn")
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        found,
        ["warning: no_churn_risk: churn: no buyer of the 20 fitted is past the cut of 30 days"]
    );
}

#[test]
fn its_labels_migrate_between_two_periods_in_its_order() {
    let rows = rows();
    let earlier = days_before(180);
    let pipeline = pipeline().build().expect("builds");
    let (before_pop, after_pop) = (population_at(&rows, earlier), population_at(&rows, AS_OF));
    let (_, before) = pipeline.run(&before_pop).expect("fits");
    let (fitted, after) = pipeline.run(&after_pop).expect("fits");
    let orders = fitted.label_orders();
    assert_eq!(orders["churn"], ["safe", "watch", "at_risk"]);

    let (p1, p2) = (
        Period::from_tiering(&before_pop, &before),
        Period::from_tiering(&after_pop, &after),
    );
    let churn = migrate(&p1, &p2, &orders)
        .expect("migrates")
        .into_iter()
        .find(|m| m.column == "churn")
        .expect("a churn migration");
    assert_eq!(
        churn.order.as_deref(),
        Some(&["safe", "watch", "at_risk"].map(String::from)[..])
    );

    // Every customer in the matrix once; the moves by the column's order.
    let rank = |label: &str| {
        ["safe", "watch", "at_risk"]
            .iter()
            .position(|l| *l == label)
    };
    let (mut up, mut down, mut new, mut total) = (Vec::new(), Vec::new(), Vec::new(), 0);
    for profile in after_pop.profiles() {
        let id = &profile.customer_id;
        let now = after.label(id.as_str(), "churn").expect("labelled");
        let now = if now.is_scored() {
            now.as_cell().into_owned()
        } else {
            "(unscored)".into()
        };
        let was = before.label(id.as_str(), "churn").map(|l| {
            if l.is_scored() {
                l.as_cell().into_owned()
            } else {
                "(unscored)".into()
            }
        });
        let from = was.clone().unwrap_or_else(|| ABSENT.into());
        assert!(churn.cells.contains_key(&(from, now.clone())), "{id}");
        total += 1;
        match was {
            None => new.push(id.clone()),
            Some(was) => match (rank(&was), rank(&now)) {
                (Some(a), Some(b)) if b < a => up.push(id.clone()),
                (Some(a), Some(b)) if b > a => down.push(id.clone()),
                _ => {}
            },
        }
    }
    assert_eq!(
        churn.cells.values().map(|c| c.customers).sum::<u64>(),
        total
    );
    assert_eq!(
        (churn.upgraded.clone(), churn.downgraded.clone()),
        (up, down)
    );
    assert_eq!(churn.new, new);
    assert!(!churn.new.is_empty() && !churn.upgraded.is_empty() && !churn.downgraded.is_empty());
}

#[test]
fn the_pipeline_explains_its_labels_in_its_own_words() {
    let population = population_at(&rows(), AS_OF);
    let fitted = pipeline()
        .rules(retention_rules())
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let cut = naive_cut(&population, Decimal::new(75, 2));
    let tiering = fitted.classify_all(&population);
    let mut seen = Vec::new();
    for profile in population.profiles() {
        let why = fitted.explain(profile);
        let columns: Vec<&str> = why.iter().map(Explanation::column).collect();
        assert_eq!(
            columns,
            ["r", "f", "m", "rfm_segment", "metal", "churn", "tier"]
        );
        let churn = &why[5];
        let label = tiering
            .label(profile.customer_id.as_str(), "churn")
            .expect("a label");
        assert_eq!(churn.label(), label);
        let Some(days) = profile.recency_days else {
            assert_eq!(
                churn.to_string(),
                "churn unscored: no purchase on or before the as-of date"
            );
            continue;
        };
        let compared = if days > cut { "more" } else { "not more" };
        let mut want = format!(
            "churn = {}: last order {days} days ago, {compared} than the cut of {cut} days (the 0.75 quantile of recency over 400 buyers)",
            label.as_cell()
        );
        if label.as_cell() == "watch" {
            want.push_str(&format!(
                ", and spend shrinking (growth {})",
                profile.growth.unwrap()
            ));
        }
        assert_eq!(churn.to_string(), want);
        // The rule that fired names the churn label it read (none fires for the safe).
        let rule = why[6].to_string();
        if label.as_cell() == "safe" {
            assert_eq!(
                rule,
                "tier = none: no tier rule matched, default none; tags: none"
            );
        } else {
            let fact = format!("churn = {}", label.as_cell());
            assert!(rule.contains(&fact), "{rule}");
        }
        seen.push(label.as_cell().into_owned());
    }
    for label in ["safe", "watch", "at_risk"] {
        assert!(seen.iter().any(|s| s == label), "no {label} explained");
    }
}

#[test]
fn a_toml_rule_set_is_checked_against_its_labels_at_build() {
    let naming = |label: &str| {
        RuleSet::from_toml_str(
            "lapsed.toml",
            &format!(
                "name = \"lapsed\"\ntiers = [\"lapsed\", \"rest\"]\ndefault = \"rest\"\n\
                 [[rules]]\nname = \"gone\"\nwhen = 'churn == \"{label}\"'\ntier = \"lapsed\"\n"
            ),
        )
        .expect("loads: labels are checked against the pipeline")
    };
    // A label the column cannot take: an error naming the file, the rule and the label.
    let err = pipeline().rules(naming("lapsed")).build().unwrap_err();
    assert!(
        matches!(&err, Error::Rule { rule, .. } if rule.contains("gone")),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        r#"lapsed.toml: rule 1 ("gone"): when, column 1: `churn == "lapsed"`: "lapsed" is not a known label of churn (safe, watch, at_risk)"#
    );

    // `watch` is a label only when the classifier watches growth: its columns say so.
    assert!(pipeline().rules(naming("watch")).build().is_ok());
    let without_growth = PipelineBuilder::new()
        .classifier(ChurnRisk::new().watch_growth(false))
        .rules(naming("watch"));
    assert_eq!(
        without_growth.build().unwrap_err().to_string(),
        r#"lapsed.toml: rule 1 ("gone"): when, column 1: `churn == "watch"`: "watch" is not a known label of churn (safe, at_risk)"#
    );

    // Ordered comparisons need an order, which its column has.
    assert!(pipeline().rules(retention_rules()).build().is_ok());

    // Its own settings are checked at build too, naming its kind and column.
    let bad = PipelineBuilder::new().classifier(ChurnRisk::new().quantile(Decimal::ZERO));
    assert_eq!(
        bad.build().unwrap_err().to_string(),
        r#"pipeline: churn_risk "churn": quantile must be in 0 < q <= 1, got 0"#
    );
}

#[test]
fn a_registry_that_registers_its_kinds_loads_the_pipeline_back_to_the_same_bytes() {
    let population = population_at(&rows(), AS_OF);
    let fitted = pipeline()
        .rules(retention_rules())
        .rules(RetentionCalls::new())
        .build()
        .expect("builds")
        .fit(&population)
        .expect("fits");
    let json = fitted.to_json().expect("saves");
    assert!(json.contains(r#""kind": "churn_risk""#), "{json}");
    assert!(json.contains(r#""kind": "retention_calls""#), "{json}");

    // Built-in kinds only: the classifier kind is refused by name.
    let err = FittedPipeline::from_json("model.json", &json).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(
            r#"model.json: pipeline: saved model 3: unknown classifier kind "churn_risk""#
        ),
        "{message}"
    );
    // The classifier kind registered, not the rule kind: the rule kind is refused by name.
    let classifier_only = Registry::builtin()
        .register::<ChurnRisk>()
        .expect("a new kind");
    let err = FittedPipeline::from_json_with("model.json", &json, &classifier_only).unwrap_err();
    let message = err.to_string();
    assert!(
        message.starts_with(
            r#"model.json: pipeline: saved rule set 2: unknown rule kind "retention_calls""#
        ),
        "{message}"
    );
    // Registering a kind twice is an error naming it.
    let twice = classifier_only.clone().register::<ChurnRisk>().unwrap_err();
    assert_eq!(
        twice.to_string(),
        r#"classifier kind "churn_risk": registered twice"#
    );

    // Both registered: the same pipeline, the same bytes, the same labels.
    let registry = classifier_only
        .register_rules::<RetentionCalls>()
        .expect("a new kind");
    let loaded = FittedPipeline::from_json_with("model.json", &json, &registry).expect("loads");
    assert_eq!(loaded, fitted);
    assert_eq!(loaded.to_json().expect("saves"), json);
    assert_eq!(
        loaded.classify_all(&population),
        fitted.classify_all(&population)
    );
    let model = loaded.models()[2]
        .downcast_ref::<ChurnModel>()
        .expect("its own type");
    assert_eq!(model.params(), &ChurnRisk::new());

    // A tampered model is refused on load by the model's own check.
    let tampered = json.replacen(
        &format!(r#""cut_days": {}"#, model.cut_days),
        r#""cut_days": -1"#,
        1,
    );
    assert_ne!(tampered, json);
    let message = FittedPipeline::from_json_with("model.json", &tampered, &registry)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains(r#"churn_risk model "churn": a cut of -1 days fitted on 400 buyers"#),
        "{message}"
    );
}

/// [`ChurnRisk`] under another kind that reads growth but does not say so: what an
/// application's classifier that forgets to declare a metric gets in a live tiering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Undeclared(ChurnRisk);

/// The model of a classifier that wraps [`ChurnRisk`]: its settings and the churn model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct WrappedModel<P> {
    params: P,
    inner: ChurnModel,
}

impl<P: Classifier<Model = WrappedModel<P>>> Model for WrappedModel<P> {
    type Params = P;

    fn params(&self) -> &P {
        &self.params
    }
    fn fit_size(&self) -> usize {
        self.inner.fit_size()
    }
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        self.inner.classify_into(profile, out);
    }
    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        self.inner.explain(profile)
    }
}

impl Classifier for Undeclared {
    type Model = WrappedModel<Undeclared>;
    const KIND: &'static str = "churn_risk_undeclared";

    fn columns(&self) -> Vec<Column> {
        self.0.columns()
    }
    fn reads(&self) -> Reads {
        Reads::metrics([Metric::RecencyDays]) // growth left out
    }
    fn fit(&self, population: &Population) -> Result<WrappedModel<Undeclared>, Error> {
        Ok(WrappedModel {
            params: self.clone(),
            inner: self.0.fit(population)?,
        })
    }
}

#[test]
fn a_live_tiering_computes_growth_only_when_the_classifier_says_it_reads_it() {
    let rows = rows();
    let history = builder_of(&rows);
    let population = history.clone().finish().expect("no overflow");
    let live = |pipeline: PipelineBuilder| {
        let fitted = pipeline
            .build()
            .expect("builds")
            .fit(&population)
            .expect("fits");
        let state = TieringState::new(fitted.clone(), history.clone()).expect("a state");
        let batch = fitted.classify_all(&population);
        (fitted, state, batch)
    };
    let churn = |state: &TieringState, id: &CustomerId| {
        state.labels(id).expect("a customer")["churn"]
            .as_cell()
            .into_owned()
    };

    // It reads growth and says so: growth is computed, live labels equal the batch ones.
    let (fitted, state, batch) = live(PipelineBuilder::new().classifier(ChurnRisk::new()));
    assert!(fitted.reads().metrics.contains(&Metric::Growth));
    let mut watched = 0;
    for (id, labels) in batch.rows() {
        assert_eq!(
            state.labels(id).expect("a customer").as_slice(),
            labels,
            "{id}"
        );
        watched += usize::from(labels[0].as_cell() == "watch");
    }
    assert!(watched > 0);

    // Without watching growth it does not read it, and says so.
    let (fitted, _, _) =
        live(PipelineBuilder::new().classifier(ChurnRisk::new().watch_growth(false)));
    assert_eq!(fitted.reads().metrics, [Metric::RecencyDays]);

    // It reads growth but does not say so, and is the only one that could: the live
    // tiering leaves growth out, so nobody is watched live, though the batch (whose
    // profiles always have growth) watches the same customers as above.
    let (fitted, state, batch) =
        live(PipelineBuilder::new().classifier(Undeclared(ChurnRisk::new())));
    assert!(!fitted.reads().metrics.contains(&Metric::Growth));
    let batch_watched: Vec<&CustomerId> = batch
        .rows()
        .filter(|(_, labels)| labels[0].as_cell() == "watch")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(batch_watched.len(), watched);
    for id in &batch_watched {
        assert_eq!(churn(&state, id), "safe", "{id}");
    }
    // Something else in the pipeline that reads growth brings it back for everyone.
    let growing = RuleSet::from_toml_str(
        "growing.toml",
        "name = \"growing\"\ntiers = [\"up\", \"flat\"]\ndefault = \"flat\"\n\
         [[rules]]\nwhen = \"growth > 0\"\ntier = \"up\"\n",
    )
    .expect("a valid rule set");
    let (fitted, state, _) = live(
        PipelineBuilder::new()
            .classifier(Undeclared(ChurnRisk::new()))
            .rules(growing),
    );
    assert!(fitted.reads().metrics.contains(&Metric::Growth));
    for id in &batch_watched {
        assert_eq!(churn(&state, id), "watch", "{id}");
    }
}

/// [`ChurnRisk`] with batch labels of its own (every customer of the fit population
/// `watch`), saying so or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Batched {
    inner: ChurnRisk,
    says_so: bool,
}

impl Classifier for Batched {
    type Model = WrappedModel<Batched>;
    const KIND: &'static str = "churn_risk_batched";

    fn columns(&self) -> Vec<Column> {
        self.inner.columns()
    }
    fn reads(&self) -> Reads {
        self.inner.reads()
    }
    fn fit(&self, population: &Population) -> Result<WrappedModel<Batched>, Error> {
        Ok(WrappedModel {
            params: self.clone(),
            inner: self.inner.fit(population)?,
        })
    }
    fn batch_labels(
        &self,
        _model: &WrappedModel<Batched>,
        population: &Population,
    ) -> Result<Option<Vec<Label>>, Error> {
        Ok(Some(vec![Label::Name("watch".into()); population.len()]))
    }
    fn has_batch_labels(&self) -> bool {
        self.says_so
    }
}

#[test]
fn batch_labels_are_taken_only_from_a_classifier_that_says_it_has_them() {
    let population = population_at(&rows(), AS_OF);
    let batched = |says_so| {
        let inner = ChurnRisk::new();
        let pipeline = PipelineBuilder::new().classifier(Batched { inner, says_so });
        pipeline.build().expect("builds")
    };

    // Said: the run takes its batch labels, and whoever labels one customer at a time
    // (an engine's executors) knows it cannot.
    let pipeline = batched(true);
    assert!(!pipeline.labels_by_model());
    let (_, tiering) = pipeline.run(&population).expect("runs");
    assert_eq!(tiering.counts()["churn"]["watch"], population.len() as u64);

    // Not said: the labels would differ between the run and the executors unseen, so
    // the run refuses them, naming the classifier.
    let pipeline = batched(false);
    assert!(pipeline.labels_by_model());
    let err = pipeline.run(&population).unwrap_err();
    assert_eq!(
        err.to_string(),
        "classifier churn_risk_batched: batch_labels gave labels, but has_batch_labels says it gives none"
    );
}
