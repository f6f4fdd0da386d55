//! The checks a pipeline's parts pass when it is built and when it is loaded: column
//! names, rule sets against the columns and attributes before them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::TAGS;
use crate::attributes::AttrType;
use crate::classify::{AnyParams, Column, ColumnLabels, Reads};
use crate::error::{ColumnNameProblem, ColumnWriter, ConfigError, Error};
use crate::names::is_snake_case;
use crate::profile::Metric;
use crate::rules::{AnyRules, Schema};

/// The schema rule sets are checked against: the classifiers' columns with their
/// labels, and the custom attributes.
pub(super) fn rule_schema<'a>(
    classifiers: impl Iterator<Item = &'a AnyParams>,
    attributes: &BTreeMap<String, AttrKind>,
) -> Schema {
    let mut schema = Schema::new();
    for (name, kind) in attributes {
        schema = schema.attribute(name, AttrType::from(*kind));
    }
    for params in classifiers {
        schema = describe(schema, params.columns());
    }
    schema
}

/// Checks rule sets in order, each against the columns before it ([rule
/// sets](crate::definitions#rule-sets-and-the-final-tier), [output
/// safety](crate::definitions#output-safety)): its column's name, and every column, label
/// and attribute its rules read.
pub(super) fn check_rule_sets(
    mut schema: Schema,
    mut columns: Vec<String>,
    rule_sets: Vec<AnyRules>,
) -> Result<Vec<AnyRules>, Error> {
    let mut checked = Vec::with_capacity(rule_sets.len());
    for rules in rule_sets {
        let column = rules.column().to_string();
        let writer = ColumnWriter::RuleSet {
            name: rules.name().to_string(),
        };
        claim_columns(&mut columns, vec![column.clone()], &writer)?;
        let rules = rules.check(&schema)?;
        let tiers = rules.tiers().iter().map(ToString::to_string).collect();
        schema = schema.label_column(&column, tiers, true);
        checked.push(rules);
    }
    Ok(checked)
}

/// Adds `columns` to `taken`, each checked by [`check_column_name`]; `writer` is named
/// in the error.
pub(super) fn claim_columns(
    taken: &mut Vec<String>,
    columns: Vec<String>,
    writer: &ColumnWriter,
) -> Result<(), ConfigError> {
    for column in columns {
        if let Err(reason) = check_column_name(&column, taken) {
            return Err(ConfigError::ColumnName {
                column,
                writer: writer.clone(),
                reason,
            });
        }
        taken.push(column);
    }
    Ok(())
}

/// Why `column` cannot be an output column next to `taken` ([output
/// safety](crate::definitions#output-safety)): names match `[a-z][a-z0-9_]*` and are unique
/// across `tiers.csv`, so they clash neither with the metric columns nor with `tags`.
fn check_column_name(column: &str, taken: &[String]) -> Result<(), ColumnNameProblem> {
    if !is_snake_case(column) {
        return Err(ColumnNameProblem::Malformed);
    }
    if column == "customer_id" || Metric::ALL.iter().any(|m| m.name() == column) {
        return Err(ColumnNameProblem::Metric);
    }
    if column == TAGS {
        return Err(ColumnNameProblem::Tags);
    }
    if taken.iter().any(|c| c == column) {
        return Err(ColumnNameProblem::Taken);
    }
    Ok(())
}

/// The type of a custom attribute that rule sets read, as a saved pipeline keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum AttrKind {
    Number,
    Text,
}

impl From<AttrType> for AttrKind {
    fn from(kind: AttrType) -> Self {
        match kind {
            AttrType::Number => AttrKind::Number,
            // Custom columns are numbers or text; a fixed label set is a known attribute's
            // own (see `definitions`, inputs).
            AttrType::Text | AttrType::OneOf(_) => AttrKind::Text,
        }
    }
}

impl From<AttrKind> for AttrType {
    fn from(kind: AttrKind) -> Self {
        match kind {
            AttrKind::Number => AttrType::Number,
            AttrKind::Text => AttrType::Text,
        }
    }
}

/// The names of `columns`.
pub(super) fn names(columns: Vec<Column>) -> Vec<String> {
    columns.into_iter().map(|c| c.name).collect()
}

/// Adds `columns`, with their labels, to a rule schema.
fn describe(mut schema: Schema, columns: Vec<Column>) -> Schema {
    for Column { name, labels } in columns {
        schema = match labels {
            ColumnLabels::Scores(bins) => schema.score_column(&name, bins),
            ColumnLabels::Named { labels, ordered } => schema.label_column(&name, labels, ordered),
        };
    }
    schema
}

/// What classifiers (their `reads`) and rule sets read together; a rule set's custom
/// attributes are among the names it reads that are declared attributes.
pub(super) fn reads_of(
    classifiers: impl Iterator<Item = Reads>,
    rules: &[AnyRules],
    attributes: &BTreeMap<String, AttrKind>,
) -> Reads {
    let mut reads = Reads::nothing();
    for one in classifiers {
        reads.extend(one);
    }
    for rules in rules {
        reads.extend(rules.reads());
        for name in rules.columns_read() {
            if attributes.contains_key(&name) {
                reads.add_attribute(name);
            }
        }
    }
    reads
}
