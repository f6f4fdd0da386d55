//! The kinds of classifier and rule logic a saved pipeline may name, and how to load
//! each.
//!
//! # Example
//! ```
//! use customer_tiering::Registry;
//! let registry = Registry::builtin();
//! assert!(registry.kinds().any(|k| k == "pareto"));
//! assert!(registry.rule_kinds().any(|k| k == "rule_set"));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use crate::classify::composite::CompositeParams;
use crate::classify::grade::GradeParams;
use crate::classify::lifecycle::LifecycleParams;
use crate::classify::pareto::ParetoParams;
use crate::classify::rfm::RfmParams;
use crate::classify::{AnyModel, AnyParams, Classifier, Model};
use crate::error::{ConfigError, SavedModelProblem};
use crate::names::is_snake_case;
use crate::rules::{AnyRules, RuleSet, TierRules};

type Load<T> = fn(serde_json::Value) -> Result<T, SavedModelProblem>;

/// How to load one kind.
#[derive(Clone, Copy)]
struct Kind {
    params: Load<AnyParams>,
    model: Load<AnyModel>,
}

/// The classifier and rule kinds a saved pipeline (`model.json`) may name, with the
/// types that load each: the built-ins (classifiers `rfm`, `pareto`, `grade`,
/// `lifecycle`, `composite`; rules `rule_set`) and whatever the application registers.
/// A model of a kind the registry does not know is an error naming the kind; every
/// model loaded is checked ([`Model::validate`]) before it can classify.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::Registry;
/// use customer_tiering::{FittedPipeline, PipelineBuilder};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut b = PopulationBuilder::new(date(2026, 3, 31));
/// # b.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 5.into()))?;
/// # let population = b.finish()?;
/// let fitted = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?.fit(&population)?;
/// let json = fitted.to_json()?;
/// let registry = Registry::builtin(); // an application adds its kinds with `register`
/// assert_eq!(FittedPipeline::from_json_with("model.json", &json, &registry)?, fitted);
///
/// let renamed = json.replace(r#""kind": "pareto""#, r#""kind": "churn_risk""#);
/// let err = FittedPipeline::from_json_with("model.json", &renamed, &registry).unwrap_err();
/// assert!(err.to_string().contains(r#"unknown classifier kind "churn_risk""#), "{err}");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Clone)]
pub struct Registry {
    kinds: BTreeMap<&'static str, Kind>,
    rules: BTreeMap<&'static str, Load<AnyRules>>,
}

impl Default for Registry {
    /// The built-in kinds.
    fn default() -> Self {
        Registry::builtin()
    }
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.kinds.keys().collect::<Vec<_>>())
            .field("rules", &self.rules.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    /// A registry without any kind, not even the built-ins.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// assert_eq!(Registry::empty().kinds().count(), 0);
    /// ```
    pub fn empty() -> Self {
        Registry {
            kinds: BTreeMap::new(),
            rules: BTreeMap::new(),
        }
    }

    /// The built-in kinds: `composite`, `grade`, `lifecycle`, `pareto`, `rfm`.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// let kinds: Vec<&str> = Registry::builtin().kinds().collect();
    /// assert_eq!(kinds, ["composite", "grade", "lifecycle", "pareto", "rfm"]);
    /// ```
    pub fn builtin() -> Self {
        let mut registry = Registry::empty();
        registry.insert::<RfmParams>();
        registry.insert::<ParetoParams>();
        registry.insert::<GradeParams>();
        registry.insert::<LifecycleParams>();
        registry.insert::<CompositeParams>();
        registry.rules.insert(RuleSet::KIND, load_rules::<RuleSet>);
        registry
    }

    /// Adds the kind `C` (its settings and its model type).
    ///
    /// # Errors
    /// [`ConfigError::ClassifierKind`] when the registry knows the kind already or its
    /// name is not lower snake case (`[a-z][a-z0-9_]*`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::pareto::ParetoParams;
    /// use customer_tiering::Registry;
    /// let err = Registry::builtin().register::<ParetoParams>().unwrap_err();
    /// assert_eq!(err.to_string(), r#"classifier kind "pareto": registered twice"#);
    /// assert_eq!(Registry::empty().register::<ParetoParams>()?.kinds().count(), 1);
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn register<C: Classifier>(mut self) -> Result<Self, ConfigError> {
        check_new_kind(C::KIND, self.kinds.contains_key(C::KIND))?;
        self.insert::<C>();
        Ok(self)
    }

    /// The kinds it knows, in name order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// assert!(Registry::builtin().kinds().any(|k| k == "rfm"));
    /// ```
    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.kinds.keys().copied()
    }

    /// Adds the rule kind `R`.
    ///
    /// # Errors
    /// [`ConfigError::ClassifierKind`] when the registry knows the kind already or its
    /// name is not lower snake case.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::rules::RuleSet;
    /// use customer_tiering::Registry;
    /// assert!(Registry::builtin().register_rules::<RuleSet>().is_err()); // built in
    /// assert!(Registry::empty().register_rules::<RuleSet>().is_ok());
    /// ```
    pub fn register_rules<R: TierRules>(mut self) -> Result<Self, ConfigError> {
        check_new_kind(R::KIND, self.rules.contains_key(R::KIND))?;
        self.rules.insert(R::KIND, load_rules::<R>);
        Ok(self)
    }

    /// The rule kinds it knows, in name order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::Registry;
    /// assert_eq!(Registry::builtin().rule_kinds().collect::<Vec<_>>(), ["rule_set"]);
    /// ```
    pub fn rule_kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.rules.keys().copied()
    }

    /// Loads rules tagged with their kind; an entry without a kind is a [`RuleSet`]
    /// (saved before rule logic had kinds). `rules` is their 1-based position in a
    /// saved pipeline, for the error.
    pub(crate) fn rules_from_value(
        &self,
        rules: usize,
        mut value: serde_json::Value,
    ) -> Result<AnyRules, ConfigError> {
        let fail = |kind: &str, reason: SavedModelProblem| ConfigError::SavedRules {
            rules,
            kind: kind.to_string(),
            reason: Box::new(reason),
        };
        let kind = match value.as_object_mut().map(|o| o.remove("kind")) {
            Some(Some(serde_json::Value::String(kind))) => kind,
            Some(Some(other)) => {
                let found = other.to_string();
                return Err(fail("", SavedModelProblem::KindNotAString { found }));
            }
            Some(None) => RuleSet::KIND.to_string(),
            None => return Err(fail("", SavedModelProblem::NotAnObject)),
        };
        let Some(load) = self.rules.get(kind.as_str()) else {
            let known = self.rule_kinds().collect();
            let problem = SavedModelProblem::UnknownRuleKind {
                kind: kind.clone(),
                known,
            };
            return Err(fail(&kind, problem));
        };
        load(value).map_err(|problem| fail(&kind, problem))
    }

    fn insert<C: Classifier>(&mut self) {
        self.kinds.insert(
            C::KIND,
            Kind {
                params: load_params::<C>,
                model: load_model::<C::Model>,
            },
        );
    }

    /// The kind `value` names (taken out of it), and how to load that kind.
    fn kind_of(&self, value: &mut serde_json::Value) -> Result<(String, Kind), SavedModelProblem> {
        let Some(object) = value.as_object_mut() else {
            return Err(SavedModelProblem::NotAnObject);
        };
        let kind = match object.remove("kind") {
            Some(serde_json::Value::String(kind)) => kind,
            Some(other) => {
                return Err(SavedModelProblem::KindNotAString {
                    found: other.to_string(),
                });
            }
            None => return Err(SavedModelProblem::MissingKind),
        };
        match self.kinds.get(kind.as_str()) {
            Some(loader) => Ok((kind, *loader)),
            None => Err(SavedModelProblem::UnknownKind {
                kind,
                known: self.kinds().collect(),
            }),
        }
    }

    /// Loads settings tagged with their kind.
    pub(crate) fn params_from_value(
        &self,
        mut value: serde_json::Value,
    ) -> Result<AnyParams, SavedModelProblem> {
        let (_, kind) = self.kind_of(&mut value)?;
        (kind.params)(value)
    }

    /// Loads a model tagged with its kind, and checks it; `model` is its 1-based
    /// position in a saved pipeline, for the error.
    pub(crate) fn model_from_value(
        &self,
        model: usize,
        mut value: serde_json::Value,
    ) -> Result<AnyModel, ConfigError> {
        let fail = |kind: Option<String>, reason: SavedModelProblem| ConfigError::SavedModel {
            model,
            kind,
            reason: Box::new(reason),
        };
        let (name, kind) = match self.kind_of(&mut value) {
            Ok(found) => found,
            Err(SavedModelProblem::UnknownKind { kind, known }) => {
                let name = Some(kind.clone());
                return Err(fail(name, SavedModelProblem::UnknownKind { kind, known }));
            }
            Err(problem) => return Err(fail(None, problem)),
        };
        (kind.model)(value).map_err(|problem| fail(Some(name), problem))
    }
}

fn load_params<C: Classifier>(value: serde_json::Value) -> Result<AnyParams, SavedModelProblem> {
    let params: C =
        serde_json::from_value(value).map_err(|e| SavedModelProblem::Json { source: e.into() })?;
    Ok(AnyParams::new(params))
}

fn load_model<M: Model>(value: serde_json::Value) -> Result<AnyModel, SavedModelProblem> {
    let model: M =
        serde_json::from_value(value).map_err(|e| SavedModelProblem::Json { source: e.into() })?;
    model.validate().map_err(|e| SavedModelProblem::Invalid {
        source: Box::new(e),
    })?;
    Ok(AnyModel::new(model))
}

fn load_rules<R: TierRules>(value: serde_json::Value) -> Result<AnyRules, SavedModelProblem> {
    let rules: R =
        serde_json::from_value(value).map_err(|e| SavedModelProblem::Json { source: e.into() })?;
    Ok(AnyRules::new(rules))
}

/// A new kind's name must be lower snake case, and not one the registry knows already.
fn check_new_kind(kind: &str, known: bool) -> Result<(), ConfigError> {
    let reason = if !is_snake_case(kind) {
        "a kind must match [a-z][a-z0-9_]*"
    } else if known {
        "registered twice"
    } else {
        return Ok(());
    };
    Err(ConfigError::ClassifierKind {
        kind: kind.to_string(),
        reason: reason.into(),
    })
}
