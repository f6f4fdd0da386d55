//! Rule logic as a trait: what decides a rule column (the final tier), whether it is a
//! TOML/JSON [`RuleSet`] or an application's own Rust.

use std::any::Any;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use smol_str::SmolStr;

use super::{ColumnIndex, Facts, RuleOutcome, RuleSet, Schema, TierInfo};
use crate::attributes::known_type;
use crate::classify::{Explanation, Reads, Tagged};
use crate::error::{ConfigError, Error};

/// Logic that decides one column — the final tier by default — from a customer's metrics,
/// attributes and the labels of the columns before it ([rule
/// sets](crate::definitions#rule-sets-and-the-final-tier)).
///
/// [`RuleSet`] (rules written in TOML or JSON) is one implementation; an application
/// implements it to decide in Rust — from its CRM's account status, say — and still
/// gets what a rule set gets in a pipeline: the columns and attributes it reads are
/// checked when the pipeline is built, its column appears in `tiers.csv`, summaries and
/// migrations with its tiers in order, and [`FittedPipeline::explain`](crate::FittedPipeline::explain)
/// includes its reason. It is saved in `model.json` under its [`KIND`](TierRules::KIND)
/// and loaded back through a [`Registry`](crate::Registry).
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, Explanation, Label};
/// use customer_tiering::rules::{Facts, RuleOutcome, TierRules};
/// use customer_tiering::{PipelineBuilder, Population};
/// use serde::{Deserialize, Serialize};
/// use smol_str::SmolStr;
///
/// /// Key accounts by the CRM, then everyone platinum.
/// #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
/// struct KeyAccounts { tiers: Vec<SmolStr> }
///
/// impl TierRules for KeyAccounts {
///     const KIND: &'static str = "key_accounts";
///     fn name(&self) -> &str { "key accounts" }
///     fn column(&self) -> &str { "tier" }
///     fn tiers(&self) -> &[SmolStr] { &self.tiers }
///     fn columns_read(&self) -> Vec<String> { vec!["metal".into()] }
///     fn decide(&self, facts: &Facts<'_>) -> RuleOutcome {
///         let key = facts.profile.attributes.text("status") == Some("key_account")
///             || facts.label("metal").is_some_and(|l| l.as_cell() == "platinum");
///         RuleOutcome::tier(if key { "key" } else { "other" })
///     }
///     fn explain(&self, facts: &Facts<'_>) -> Explanation {
///         let tier = self.decide(facts).tier.unwrap_or_default();
///         Explanation::text("tier", Label::Name(tier), "CRM status key_account, or platinum")
///     }
/// }
///
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=100i64 {
/// #     b.add(Transaction::new(CustomerId::new(&format!("C{i:03}")).unwrap(), date(2026, 3, 1), i.into()))?;
/// # }
/// # let population = b.finish()?;
/// let rules = KeyAccounts { tiers: vec!["key".into(), "other".into()] };
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).rules(rules).build()?;
/// let (_, tiering) = pipeline.run(&population)?; // C001 … C100 spent 1 … 100
/// assert_eq!(tiering.label("C100", "tier").unwrap().to_string(), "key");
/// assert_eq!(tiering.label("C099", "tier").unwrap().to_string(), "other");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub trait TierRules:
    fmt::Debug + Clone + PartialEq + Serialize + DeserializeOwned + Send + Sync + 'static
{
    /// The kind's name in `model.json` (lower snake case; [`RuleSet`]'s is `rule_set`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// assert_eq!(RuleSet::KIND, "rule_set");
    /// ```
    const KIND: &'static str;

    /// The rules' name, for errors and explanations.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// assert_eq!(TierRules::name(&RuleSet::preset("intent")?), "intent");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn name(&self) -> &str;

    /// The column it writes (`tier` by convention).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// assert_eq!(TierRules::column(&RuleSet::preset("intent")?), "intent");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn column(&self) -> &str;

    /// The tiers it can give, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// assert_eq!(TierRules::tiers(&RuleSet::preset("intent")?), ["a", "b", "c"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn tiers(&self) -> &[SmolStr];

    /// The label columns of earlier classifiers or rules it reads; a pipeline checks
    /// they exist before them. The default: none.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// let rules = RuleSet::from_toml_str("x.toml", r#"
    ///     name = "x"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     when = 'metal == "gold" and monetary > 5'
    ///     tier = "a"
    /// "#)?;
    /// assert_eq!(rules.columns_read(), ["metal"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn columns_read(&self) -> Vec<String> {
        Vec::new()
    }

    /// The metrics and attributes it reads; attributes other than the known ones of
    /// [inputs](crate::definitions#inputs) ones must be declared with
    /// [`PipelineBuilder::attributes`](crate::PipelineBuilder::attributes). The default:
    /// every metric, no attribute. As for a classifier
    /// ([`Classifier::reads`](crate::classify::Classifier::reads)), it must name every
    /// metric `decide` reads: a live tiering computes `growth` only when something says it
    /// reads it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// use customer_tiering::Metric;
    /// let rules = RuleSet::from_toml_str("x.toml", r#"
    ///     name = "x"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     when = "growth > 0.5"
    ///     tier = "a"
    /// "#)?;
    /// assert_eq!(TierRules::reads(&rules).metrics, [Metric::Growth]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn reads(&self) -> Reads {
        Reads::default()
    }

    /// Checks the rules against what comes before them in a pipeline (the columns with
    /// their labels, the declared attributes) and returns them ready to run. The
    /// default checks that every column read exists and every attribute read is known
    /// or declared.
    ///
    /// # Errors
    /// [`ConfigError::Rules`] naming the rules and what they read that does not exist.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, Schema, TierRules};
    /// let rules = RuleSet::from_toml_str("x.toml", r#"
    ///     name = "x"
    ///     tiers = ["a", "b"]
    ///     default = "b"
    ///     [[rules]]
    ///     when = 'metal == "gold"'
    ///     tier = "a"
    /// "#)?;
    /// assert!(rules.clone().check(&Schema::new()).is_err()); // no `metal` column
    /// let schema = Schema::new().label_column("metal", vec!["gold".into(), "lead".into()], true);
    /// assert!(rules.check(&schema).is_ok());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn check(self, schema: &Schema) -> Result<Self, Error> {
        let fail = |reason: String| ConfigError::Rules {
            name: self.name().to_string(),
            reason,
        };
        if self.tiers().is_empty() {
            return Err(fail("it gives no tier".into()).into());
        }
        for column in self.columns_read() {
            if !schema.has_column(&column) {
                return Err(fail(format!("it reads the column {column:?}, which no classifier or rule set before it writes")).into());
            }
        }
        for attribute in self.reads().attributes {
            if known_type(&attribute).is_none() && schema.attribute_type(&attribute).is_none() {
                return Err(fail(format!(
                    "it reads the attribute {attribute:?}, which is neither a known attribute nor declared with PipelineBuilder::attributes"
                ))
                .into());
            }
        }
        Ok(self)
    }

    /// Decides one customer: the tier (none: no label, [`Unscored::NoRuleMatched`](crate::classify::Unscored::NoRuleMatched))
    /// and any tags.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{Facts, RuleSet, TierRules};
    /// use customer_tiering::{CustomerId, Profile};
    /// let rules = RuleSet::preset("intent")?;
    /// let profile = Profile::without_purchases(CustomerId::new("P1").unwrap());
    /// let outcome = rules.decide(&Facts { profile: &profile, columns: &[], labels: &[] });
    /// assert_eq!(outcome.tier, None); // no `intent` attribute: no tier, never a made-up one
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn decide(&self, facts: &Facts<'_>) -> RuleOutcome;

    /// Why `facts` get their tier ([explanations](crate::definitions#explanations)): an
    /// [`Explanation`] of the rules' column and tier; an application's rules usually give
    /// [`Explanation::text`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{Facts, RuleSet, TierRules};
    /// use customer_tiering::{CustomerId, Profile};
    /// let rules = RuleSet::preset("intent")?;
    /// let profile = Profile::without_purchases(CustomerId::new("P1").unwrap());
    /// let why = TierRules::explain(&rules, &Facts { profile: &profile, columns: &[], labels: &[] });
    /// assert!(why.to_string().starts_with("intent = none: no tier rule matched"), "{why}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn explain(&self, facts: &Facts<'_>) -> Explanation;

    /// The display names and playbook of a tier, when the rules carry them.
    /// The default: none.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// let intent = RuleSet::preset("intent")?;
    /// assert!(TierRules::tier_info(&intent, "a").is_none()); // the preset names no tier
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn tier_info(&self, tier: &str) -> Option<&TierInfo> {
        let _ = tier;
        None
    }

    /// What gives each tier, for the management table (one
    /// [`Criterion`](crate::classify::criterion::Criterion) per tier). The default: none,
    /// and the table's criterion cells stay empty.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::names::Lang;
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// let size = RuleSet::from_toml_str("size.toml", r#"
    ///     name = "size"
    ///     tiers = ["big", "small"]
    ///     default = "small"
    ///     [[rules]]
    ///     name = "big spender"
    ///     when = "monetary >= 90"
    ///     tier = "big"
    /// "#)?;
    /// let said: Vec<String> = size.criteria().iter().map(|c| c.rule.render(Lang::En)).collect();
    /// assert_eq!(said, ["rules: big spender", "no tier rule matches (default)"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn criteria(&self) -> Vec<crate::classify::criterion::Criterion> {
        Vec::new()
    }

    /// Works out once per run where the columns read are among a run's columns, for
    /// [`decide_indexed`](TierRules::decide_indexed). The default finds nothing: rules
    /// that read labels through [`Facts::label`] need no index.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{RuleSet, TierRules};
    /// let intent = RuleSet::preset("intent")?;
    /// let _index = TierRules::index_columns(&intent, &["r".to_string()]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn index_columns(&self, columns: &[String]) -> ColumnIndex {
        let _ = columns;
        ColumnIndex::default()
    }

    /// [`decide`](TierRules::decide) with the positions worked out by
    /// [`index_columns`](TierRules::index_columns): a pipeline calls this once per
    /// customer. The default ignores the index.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{Facts, RuleSet, TierRules};
    /// use customer_tiering::{CustomerId, Profile};
    /// let rules = RuleSet::preset("intent")?;
    /// let index = TierRules::index_columns(&rules, &[]);
    /// let profile = Profile::without_purchases(CustomerId::new("P1").unwrap());
    /// let facts = Facts { profile: &profile, columns: &[], labels: &[] };
    /// assert_eq!(rules.decide_indexed(&facts, &index), rules.decide(&facts));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn decide_indexed(&self, facts: &Facts<'_>, index: &ColumnIndex) -> RuleOutcome {
        let _ = index;
        self.decide(facts)
    }
}

impl TierRules for RuleSet {
    const KIND: &'static str = "rule_set";

    fn name(&self) -> &str {
        RuleSet::name(self)
    }
    fn column(&self) -> &str {
        RuleSet::column(self)
    }
    fn tiers(&self) -> &[SmolStr] {
        RuleSet::tiers(self)
    }
    fn columns_read(&self) -> Vec<String> {
        self.referenced_columns()
            .into_iter()
            .map(String::from)
            .collect()
    }
    fn reads(&self) -> Reads {
        let mut reads = Reads::metrics(self.metrics_read());
        for name in self.attributes_read() {
            reads.add_attribute(name);
        }
        reads
    }
    /// Checks every condition against the schema: columns, labels, label orders, attributes
    /// and their types, naming the rule ([rule
    /// sets](crate::definitions#rule-sets-and-the-final-tier)).
    fn check(self, schema: &Schema) -> Result<Self, Error> {
        self.with_schema(schema)
    }
    fn decide(&self, facts: &Facts<'_>) -> RuleOutcome {
        self.apply(facts)
    }
    fn explain(&self, facts: &Facts<'_>) -> Explanation {
        RuleSet::explain(self, facts)
    }
    fn tier_info(&self, tier: &str) -> Option<&TierInfo> {
        RuleSet::tier_info(self, tier)
    }
    fn criteria(&self) -> Vec<crate::classify::criterion::Criterion> {
        RuleSet::criteria(self)
    }
    fn index_columns(&self, columns: &[String]) -> ColumnIndex {
        RuleSet::index_columns(self, columns)
    }
    fn decide_indexed(&self, facts: &Facts<'_>, index: &ColumnIndex) -> RuleOutcome {
        self.apply_indexed(facts, index)
    }
}

/// What a pipeline needs of rule logic, whatever its type.
trait DynRules: fmt::Debug + Send + Sync {
    fn kind(&self) -> &'static str;
    fn name(&self) -> &str;
    fn column(&self) -> &str;
    fn tiers(&self) -> &[SmolStr];
    fn columns_read(&self) -> Vec<String>;
    fn reads(&self) -> Reads;
    fn check(self: Box<Self>, schema: &Schema) -> Result<Box<dyn DynRules>, Error>;
    fn decide_indexed(&self, facts: &Facts<'_>, index: &ColumnIndex) -> RuleOutcome;
    fn explain(&self, facts: &Facts<'_>) -> Explanation;
    fn tier_info(&self, tier: &str) -> Option<&TierInfo>;
    fn criteria(&self) -> Vec<crate::classify::criterion::Criterion>;
    fn index_columns(&self, columns: &[String]) -> ColumnIndex;
    fn clone_box(&self) -> Box<dyn DynRules>;
    fn as_any(&self) -> &dyn Any;
    fn eq_dyn(&self, other: &dyn Any) -> bool;
    fn as_serialize(&self) -> &dyn erased_serde::Serialize;
}

impl<R: TierRules> DynRules for R {
    fn kind(&self) -> &'static str {
        R::KIND
    }
    fn name(&self) -> &str {
        TierRules::name(self)
    }
    fn column(&self) -> &str {
        TierRules::column(self)
    }
    fn tiers(&self) -> &[SmolStr] {
        TierRules::tiers(self)
    }
    fn columns_read(&self) -> Vec<String> {
        TierRules::columns_read(self)
    }
    fn reads(&self) -> Reads {
        TierRules::reads(self)
    }
    fn check(self: Box<Self>, schema: &Schema) -> Result<Box<dyn DynRules>, Error> {
        Ok(Box::new(TierRules::check(*self, schema)?))
    }
    fn decide_indexed(&self, facts: &Facts<'_>, index: &ColumnIndex) -> RuleOutcome {
        TierRules::decide_indexed(self, facts, index)
    }
    fn explain(&self, facts: &Facts<'_>) -> Explanation {
        TierRules::explain(self, facts)
    }
    fn tier_info(&self, tier: &str) -> Option<&TierInfo> {
        TierRules::tier_info(self, tier)
    }
    fn criteria(&self) -> Vec<crate::classify::criterion::Criterion> {
        TierRules::criteria(self)
    }
    fn index_columns(&self, columns: &[String]) -> ColumnIndex {
        TierRules::index_columns(self, columns)
    }
    fn clone_box(&self) -> Box<dyn DynRules> {
        Box::new(self.clone())
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn eq_dyn(&self, other: &dyn Any) -> bool {
        other.downcast_ref::<R>() == Some(self)
    }
    fn as_serialize(&self) -> &dyn erased_serde::Serialize {
        self
    }
}

/// Rule logic of any kind — a [`RuleSet`] or an application's [`TierRules`] — as a
/// pipeline holds it, saves it (tagged with its kind) and loads it back.
///
/// # Example
/// ```
/// use customer_tiering::rules::{AnyRules, RuleSet};
/// let intent = AnyRules::from(RuleSet::preset("intent")?);
/// assert_eq!((intent.kind(), intent.name(), intent.column()), ("rule_set", "intent", "intent"));
/// assert!(intent.downcast_ref::<RuleSet>().is_some());
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub struct AnyRules(Box<dyn DynRules>);

impl AnyRules {
    /// Wraps rule logic of any kind.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert_eq!(AnyRules::new(RuleSet::preset("intent")?).kind(), "rule_set");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn new<R: TierRules>(rules: R) -> Self {
        AnyRules(Box::new(rules))
    }

    /// The kind ([`TierRules::KIND`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert_eq!(AnyRules::from(RuleSet::preset("intent")?).kind(), "rule_set");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn kind(&self) -> &'static str {
        self.0.kind()
    }

    /// The rules' name.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert_eq!(AnyRules::from(RuleSet::preset("intent")?).name(), "intent");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn name(&self) -> &str {
        self.0.name()
    }

    /// The column written.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert_eq!(AnyRules::from(RuleSet::preset("intent")?).column(), "intent");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn column(&self) -> &str {
        self.0.column()
    }

    /// The tiers, best first.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert_eq!(AnyRules::from(RuleSet::preset("intent")?).tiers(), ["a", "b", "c"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn tiers(&self) -> &[SmolStr] {
        self.0.tiers()
    }

    /// The label columns read ([`TierRules::columns_read`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert!(AnyRules::from(RuleSet::preset("intent")?).columns_read().is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns_read(&self) -> Vec<String> {
        self.0.columns_read()
    }

    /// The metrics and attributes read ([`TierRules::reads`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// let intent = AnyRules::from(RuleSet::preset("intent")?);
    /// assert!(intent.reads().attributes.contains(&"intent".to_string()));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn reads(&self) -> Reads {
        self.0.reads()
    }

    /// Why `facts` get their tier ([`TierRules::explain`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, Facts, RuleSet};
    /// use customer_tiering::{CustomerId, Profile};
    /// let intent = AnyRules::from(RuleSet::preset("intent")?);
    /// let profile = Profile::without_purchases(CustomerId::new("P1").unwrap());
    /// let why = intent.explain(&Facts { profile: &profile, columns: &[], labels: &[] });
    /// assert!(why.to_string().starts_with("intent = none: no tier rule matched"), "{why}");
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn explain(&self, facts: &Facts<'_>) -> Explanation {
        self.0.explain(facts)
    }

    /// The display names and playbook of a tier ([`TierRules::tier_info`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// assert!(AnyRules::from(RuleSet::preset("intent")?).tier_info("a").is_none()); // no names
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn tier_info(&self, tier: &str) -> Option<&TierInfo> {
        self.0.tier_info(tier)
    }

    /// What gives each tier ([`TierRules::criteria`]).
    pub(crate) fn criteria(&self) -> Vec<crate::classify::criterion::Criterion> {
        self.0.criteria()
    }

    /// The rules as their own type, when they are of type `R`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::{AnyRules, RuleSet};
    /// let intent = AnyRules::from(RuleSet::preset("intent")?);
    /// assert_eq!(intent.downcast_ref::<RuleSet>().unwrap().rules().len(), 3);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn downcast_ref<R: TierRules>(&self) -> Option<&R> {
        self.0.as_any().downcast_ref::<R>()
    }

    pub(crate) fn check(self, schema: &Schema) -> Result<AnyRules, Error> {
        Ok(AnyRules(self.0.check(schema)?))
    }

    pub(crate) fn decide_indexed(&self, facts: &Facts<'_>, index: &ColumnIndex) -> RuleOutcome {
        self.0.decide_indexed(facts, index)
    }

    pub(crate) fn index_columns(&self, columns: &[String]) -> ColumnIndex {
        self.0.index_columns(columns)
    }
}

impl<R: TierRules> From<R> for AnyRules {
    fn from(rules: R) -> Self {
        AnyRules::new(rules)
    }
}

impl Clone for AnyRules {
    fn clone(&self) -> Self {
        AnyRules(self.0.clone_box())
    }
}

impl PartialEq for AnyRules {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_dyn(other.0.as_any())
    }
}

impl fmt::Debug for AnyRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for AnyRules {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A rule set is the default kind: saved untagged, so `model.json` files written
        // before rule logic had kinds read and write unchanged.
        let kind = self.kind();
        Tagged {
            kind: (kind != RuleSet::KIND).then_some(kind),
            body: self.0.as_serialize(),
        }
        .serialize(serializer)
    }
}
