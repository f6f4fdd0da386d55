//! The English rendering of explanations: every word of the one line of
//! [explanations](crate::definitions#explanations) lives here. A renderer in another
//! language goes beside this file and reads the same values.

use std::fmt;

use rust_decimal::Decimal;

use super::{
    Bound, CompositeTerm, Explanation, FactValue, GradedDimension, MatchedRule, Reason, RuleTrace,
    StageBy, Threshold, TierDecision,
};
use crate::classify::band::{Band, Basis};
use crate::profile::Direction;
use crate::profile::Metric;

impl fmt::Display for Explanation {
    /// One line of English: `column = label: why`, or `column unscored: why`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let column = &self.column;
        match &self.reason {
            Reason::Unscored { why } => return write!(f, "{column} unscored: {why}"),
            Reason::Text { text } => return write!(f, "{column} = {}: {text}", self.label),
            Reason::RuleSet(_) if !self.label.is_scored() => write!(f, "{column} = none: ")?,
            _ => write!(f, "{column} = {}: ", self.label.as_cell())?,
        }
        match &self.reason {
            Reason::Score {
                metric,
                value,
                cuts,
                better_than,
                direction,
                mode,
                bins,
                fit_size,
            } => {
                let better = match direction {
                    Direction::LowerIsBetter => "fewer is better",
                    Direction::HigherIsBetter => "more is better",
                };
                write!(
                    f,
                    "{metric} {value} is better than {better_than} of the {} cut points [{}] ({better}; {}, k = {bins}, fitted on {fit_size} buyers)",
                    cuts.len(),
                    List(cuts),
                    mode.name(),
                )
            }
            Reason::Band {
                metric,
                value,
                basis,
                direction,
                not_positive,
                reaches,
                short_of,
                bands,
                fit_size,
            } => {
                let comparison = band_comparison(
                    *metric,
                    *value,
                    *direction,
                    *not_positive,
                    reaches.as_ref(),
                    short_of.as_ref(),
                );
                let basis = match basis {
                    Basis::Count => "count",
                    Basis::Value => "value",
                };
                write!(
                    f,
                    "{comparison} ({basis} basis, {}; fitted on {fit_size} buyers)",
                    Shares(bands)
                )
            }
            Reason::Composite {
                composite,
                terms,
                bands,
                fit_size,
            } => {
                f.write_str("composite ")?;
                match composite {
                    Some(c) => write!(f, "{c}")?,
                    None => f.write_str("?")?,
                }
                f.write_str(" = ")?;
                for (i, term) in terms.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" + ")?;
                    }
                    composite_term(term, f)?;
                }
                write!(f, " ({}; fitted on {fit_size} buyers)", Shares(bands))
            }
            Reason::NoPurchase => f.write_str("no purchase"),
            Reason::Grade { dimensions, points } => {
                for (i, dimension) in dimensions.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    graded_dimension(dimension, f)?;
                }
                match points {
                    Some(points) => write!(f, " = {} points", points.normalize()),
                    None => Ok(()),
                }
            }
            Reason::Stage(by) => stage(by, f),
            Reason::Segment { scores, map, rule } => {
                let [r, fr, m] = scores;
                write!(f, "(R {r}, F {fr}, M {m}) matches ")?;
                match rule {
                    Some(number) => write!(f, "rule {number} of {map}"),
                    None => write!(f, "no rule of {map}, so it falls back"),
                }
            }
            Reason::RuleSet(trace) => rule_set(trace, f),
            // Written whole above.
            Reason::Unscored { .. } | Reason::Text { .. } => Ok(()),
        }
    }
}

/// `monetary 99 is at least the gold threshold 96 and is below the platinum threshold
/// 100`; the value alone when nothing was compared (a single band).
fn band_comparison(
    metric: Metric,
    value: Decimal,
    direction: Direction,
    not_positive: bool,
    reaches: Option<&Threshold>,
    short_of: Option<&Threshold>,
) -> String {
    let (at_least, below) = match direction {
        Direction::HigherIsBetter => ("at least", "below"),
        Direction::LowerIsBetter => ("at most", "above"),
    };
    let mut reasons = Vec::new();
    if not_positive {
        reasons.push("is not positive".to_string());
    } else {
        if let Some(t) = reaches {
            reasons.push(format!(
                "is {at_least} the {} threshold {}",
                t.band, t.value
            ));
        }
        if let Some(t) = short_of {
            reasons.push(format!("is {below} the {} threshold {}", t.band, t.value));
        }
    }
    let line = format!("{metric} {value} {}", reasons.join(" and "));
    line.trim_end().to_string()
}

/// `monetary 0.6 × 9/10`, or `growth 0.1 × 0 (no value)`.
fn composite_term(term: &CompositeTerm, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let (metric, weight) = (term.metric, term.weight);
    match term.worse_than {
        Some(worse) => write!(f, "{metric} {weight} × {worse}/{}", term.buyers),
        None => write!(f, "{metric} {weight} × 0 (no value)"),
    }
}

/// `value high ×2 (tercile cuts [200, 300])`: the weight when it is not 1.
fn graded_dimension(d: &GradedDimension, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{} {}", d.name, d.level)?;
    if d.weight != Decimal::ONE {
        write!(f, " ×{}", d.weight)?;
    }
    match &d.tercile_cuts {
        Some(cuts) => write!(f, " (tercile cuts [{}])", List(cuts)),
        None => Ok(()),
    }
}

fn stage(by: &StageBy, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match by {
        StageBy::Status { status } => write!(f, "status is {status}"),
        StageBy::NoPurchase { status: None } => f.write_str("no purchase"),
        StageBy::NoPurchase {
            status: Some(status),
        } => write!(f, "no purchase, status is {status}"),
        StageBy::Days {
            metric,
            days,
            limit,
            within,
        } => {
            let which = match metric {
                Metric::TenureDays => "first",
                _ => "last",
            };
            let compared = if *within { "≤" } else { ">" };
            write!(f, "{which} purchase {days} days ago ({compared} {limit})")
        }
    }
}

/// `rule 1 ("vip": monetary > 5) gave a; rule 2 (…) capped it at b; tags: none`.
fn rule_set(trace: &RuleTrace, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match &trace.decided {
        TierDecision::Rule { rule, tier } => {
            matched_rule(rule, f)?;
            write!(f, " gave {tier}")?;
        }
        TierDecision::Default { tier } => {
            write!(f, "no tier rule matched, default {tier}")?;
        }
        TierDecision::Unmatched => {
            f.write_str("no tier rule matched, and unmatched customers get no tier")?;
        }
    }
    for step in &trace.bounds {
        f.write_str("; ")?;
        matched_rule(&step.rule, f)?;
        let (target, before) = (&step.target, &step.before);
        match (step.bound, step.after != step.before) {
            (Bound::AtMost, true) => write!(f, " capped it at {target}"),
            (Bound::AtMost, false) => write!(f, " caps at {target}: stays {before}"),
            (Bound::AtLeast, true) => write!(f, " raised it to {target}"),
            (Bound::AtLeast, false) => write!(f, " floors at {target}: stays {before}"),
        }?;
    }
    f.write_str("; tags: ")?;
    if trace.tags.is_empty() {
        f.write_str("none")?;
    }
    for (k, step) in trace.tags.iter().enumerate() {
        if k > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{} by ", step.tag)?;
        for (i, rule) in step.rules.iter().enumerate() {
            if i > 0 {
                f.write_str(" and ")?;
            }
            matched_rule(rule, f)?;
        }
    }
    Ok(())
}

/// `rule 1 ("vip": monetary > 5; monetary = 7.50)`: number, name, condition (`always`
/// without one) and the values it looked at.
fn matched_rule(rule: &MatchedRule, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let when = rule.when.as_deref().unwrap_or("always");
    match &rule.name {
        Some(name) => write!(f, "rule {} ({name:?}: {when}", rule.number)?,
        None => write!(f, "rule {} ({when}", rule.number)?,
    }
    for (k, fact) in rule.facts.iter().enumerate() {
        let sep = if k == 0 { "; " } else { ", " };
        write!(f, "{sep}{} = ", fact.name)?;
        match &fact.value {
            None => f.write_str("(missing)")?,
            Some(FactValue::Number(n)) => f.write_str(&crate::money::display(*n))?,
            Some(FactValue::Text(t) | FactValue::Tier(t)) => f.write_str(t)?,
            Some(FactValue::Failed(why)) => write!(f, "({why})")?,
        }
    }
    f.write_str(")")
}

/// Decimals as written, separated by `, `.
struct List<'a>(&'a [Decimal]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{value}")?;
        }
        Ok(())
    }
}

/// `platinum 1 % / gold 4 % / …`: the bands' shares in per cent.
struct Shares<'a>(&'a [Band]);

impl fmt::Display for Shares<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, band) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" / ")?;
            }
            write!(
                f,
                "{} {} %",
                band.name,
                (band.share * Decimal::ONE_HUNDRED).normalize()
            )?;
        }
        Ok(())
    }
}
