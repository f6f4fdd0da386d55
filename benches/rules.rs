//! Loading and checking a rule file whose one condition has 100k and 200k terms: the
//! time should double, not quadruple, from one size to the next. And applying rule sets
//! of the simple forms (`monetary >= 1000`, `metal == "gold"`) to every customer of a
//! population: the cost per customer of the conditions most rule files hold.

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use customer_tiering::classify::Label;
use customer_tiering::rules::{Facts, RuleSet, Schema, TierRules};

mod support;

/// The shapes of a long condition, each `n` tests (or list entries) long.
const SHAPES: [&str; 4] = ["or_chain", "and_chain", "in_lists", "mixed"];

/// The condition of one shape: `n` terms.
fn condition(shape: &str, n: usize) -> String {
    let mut when = String::with_capacity(n * 24);
    match shape {
        "or_chain" => {
            for i in 0..n {
                let sep = if i == 0 { "" } else { " or " };
                let _ = write!(when, "{sep}monetary > {i}");
            }
        }
        // Possible: every lower bound is below every upper bound.
        "and_chain" => {
            for i in 0..n {
                let sep = if i == 0 { "" } else { " and " };
                let _ = match i % 2 {
                    0 => write!(when, "{sep}monetary >= -{i}"),
                    _ => write!(when, "{sep}monetary <= {}", n + i),
                };
            }
        }
        // On one metric and on one label column, an `in` list and a `not in` list
        // that leave one value: the impossible-range check compares every entry of one
        // with the other.
        "in_lists" => {
            let quarter = n / 4;
            let list = |when: &mut String, len: usize, text: bool| {
                for i in 0..len {
                    let sep = if i == 0 { "" } else { ", " };
                    let _ = if text {
                        write!(when, "{sep}\"s{i}\"")
                    } else {
                        write!(when, "{sep}{i}")
                    };
                }
            };
            when.push_str("monetary in [");
            list(&mut when, quarter, false);
            when.push_str("] and monetary not in [");
            list(&mut when, quarter - 1, false);
            when.push_str("] and rfm_segment in [");
            list(&mut when, quarter, true);
            when.push_str("] and rfm_segment not in [");
            list(&mut when, quarter - 1, true);
            when.push(']');
        }
        // Every kind of test, `and` groups in parentheses, `not`s, in one `or` chain.
        _ => {
            let mut i = 0;
            while i < n {
                if i > 0 {
                    when.push_str(" or ");
                }
                let _ = match i % 8 {
                    0 => write!(when, "monetary > {i}.5"),
                    1 => write!(when, "r in [1, 2, 5]"),
                    2 => write!(when, "metal >= \"gold\""),
                    3 => write!(when, "not frequency < {i}"),
                    4 => write!(
                        when,
                        "(lifecycle in [\"active\", \"new\"] and growth is not missing)"
                    ),
                    5 => write!(when, "rfm_segment != \"s{i}\""),
                    6 => write!(when, "(satisfaction >= 3 and not (complaints > {i}))"),
                    _ => write!(when, "recency_days <= {i}"),
                };
                // The two-test groups count twice.
                i += if matches!(i % 8, 4 | 6) { 2 } else { 1 };
            }
        }
    }
    when
}

/// A rule file with one long condition among ordinary rules.
fn rule_file(shape: &str, n: usize) -> String {
    format!(
        r#"name = "long"
tiers = ["a", "b", "c"]
default = "c"

[[rules]]
name = "long"
when = '{}'
tier = "a"

[[rules]]
when = 'metal == "platinum"'
tier = "b"

[[rules]]
when = 'credit_rating == "D"'
at_most = "b"
"#,
        condition(shape, n)
    )
}

fn schema() -> Schema {
    let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Schema::new()
        .label_column("metal", list(&["platinum", "gold", "iron", "lead"]), true)
        .label_column(
            "lifecycle",
            list(&["new", "active", "dormant", "lost"]),
            false,
        )
        .label_column("rfm_segment", vec![], false)
        .score_column("r", 5)
}

fn load_and_check(c: &mut Criterion) {
    let schema = schema();
    let mut group = c.benchmark_group("rules_load_and_check");
    group.sample_size(10);
    for shape in SHAPES {
        for n in [100_000, 200_000] {
            let text = rule_file(shape, n);
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(shape, n), &text, |b, text| {
                b.iter(|| {
                    let rules = RuleSet::from_toml_str("long.toml", black_box(text))
                        .expect("loads")
                        .with_schema(&schema)
                        .expect("checks");
                    black_box(rules.rules().len())
                })
            });
        }
    }
    group.finish();
}

/// Rule sets of the simple forms, by name: one comparison of a metric with a decimal,
/// of a label with a text, and a mix of both with caps and tags.
const SIMPLE: [(&str, &str); 3] = [
    (
        "metric",
        "[[rules]]\nwhen = 'monetary >= 1000'\ntier = \"a\"\n",
    ),
    (
        "label",
        "[[rules]]\nwhen = 'metal == \"gold\"'\ntier = \"a\"\n",
    ),
    (
        "mixed",
        "[[rules]]\nwhen = 'monetary >= 1000 and metal >= \"gold\"'\ntier = \"a\"\n\
         [[rules]]\nwhen = 'frequency > 3 or recency_days < 30'\ntier = \"b\"\n\
         [[rules]]\nwhen = 'monetary < 0'\nat_most = \"b\"\n\
         [[rules]]\nwhen = 'tier == \"a\" and metal in [\"iron\", \"lead\"]'\ntag = \"odd\"\n",
    ),
];

fn apply_simple(c: &mut Criterion) {
    let population = support::population(20_000, 200_000, 7);
    let metals = ["platinum", "gold", "iron", "lead"];
    let columns = vec!["metal".to_string()];
    let labels: Vec<[Label; 1]> = (0..population.profiles().len())
        .map(|i| [Label::Name(metals[i % metals.len()].into())])
        .collect();
    let mut group = c.benchmark_group("rules_apply");
    group.throughput(Throughput::Elements(population.profiles().len() as u64));
    for (name, rules) in SIMPLE {
        let text = format!("name = \"s\"\ntiers = [\"a\", \"b\", \"c\"]\ndefault = \"c\"\n{rules}");
        let rules = RuleSet::from_toml_str("simple.toml", &text)
            .expect("loads")
            .with_schema(&schema())
            .expect("checks");
        let index = TierRules::index_columns(&rules, &columns);
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut tiered = 0usize;
                for (profile, labels) in population.profiles().iter().zip(&labels) {
                    let facts = Facts {
                        profile,
                        columns: &columns,
                        labels,
                    };
                    let outcome = TierRules::decide_indexed(&rules, black_box(&facts), &index);
                    tiered += usize::from(outcome.tier_rule.is_some());
                }
                black_box(tiered)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, load_and_check, apply_simple);
criterion_main!(benches);
