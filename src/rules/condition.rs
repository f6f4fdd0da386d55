//! The parsed form of a rule's `when`, its evaluation against one customer, and the
//! impossible-range check of load time.
//!
//! A condition is a tree of `and` / `or` / `not` over leaves; `and` and `or` chains are
//! flattened by the parser, so `a and (b and c)` is one conjunction of three tests. A leaf
//! is a [`Test`] (one identifier against literals: the simple forms, evaluated without
//! arithmetic) or a [`Compare`] (two numeric expressions, with arithmetic or a second
//! identifier).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::attributes::AttrValue;
use crate::classify::Label;
use crate::profile::{Metric, Profile};

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }

    /// Whether `left op right` holds, given `left.cmp(right)`.
    #[inline]
    pub(crate) fn holds(self, ord: Ordering) -> bool {
        match self {
            CmpOp::Eq => ord == Ordering::Equal,
            CmpOp::Ne => ord != Ordering::Equal,
            CmpOp::Lt => ord == Ordering::Less,
            CmpOp::Le => ord != Ordering::Greater,
            CmpOp::Gt => ord == Ordering::Greater,
            CmpOp::Ge => ord != Ordering::Less,
        }
    }

    /// `<`, `<=`, `>` or `>=`: needs an order.
    pub(crate) fn is_ordered(self) -> bool {
        matches!(self, CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge)
    }

    /// The operator with its sides swapped: `a < b` is `b > a`.
    pub(crate) fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Eq | CmpOp::Ne => self,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
        }
    }
}

/// What a test does with its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `x op literal`.
    Cmp(CmpOp),
    /// `x in [..]`.
    In,
    /// `x not in [..]`.
    NotIn,
    /// `x is missing`.
    IsMissing,
    /// `x is not missing`.
    IsNotMissing,
}

impl Op {
    /// Whether the test needs an order on its subject.
    pub(crate) fn is_ordered(self) -> bool {
        matches!(self, Op::Cmp(c) if c.is_ordered())
    }
}

/// What a test looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Subject {
    /// A profile metric ([profile metrics](crate::definitions#profile-metrics)).
    Metric(Metric),
    /// The rule set's own column: the tier so far (caps, floors) or the final tier (tags).
    Tier,
    /// A label column of another classifier or an attribute: index into the rule set's
    /// table of names. A name that is one of the facts' columns is that column's label,
    /// any other name is an attribute.
    Name(u16),
}

/// The literals of a test.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Values {
    /// `is missing`, `is not missing`.
    None,
    /// Exact decimals (never empty).
    Num(Box<[Decimal]>),
    /// Quoted texts (never empty).
    Text(Box<[SmolStr]>),
    /// Tiers of the rule set, by position in its `tiers` (0 = best; never empty).
    Tiers(Box<[usize]>),
}

/// One comparison of a condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Test {
    pub(crate) subject: Subject,
    pub(crate) op: Op,
    pub(crate) values: Values,
    /// For `<`, `<=`, `>`, `>=` with a text on a label column whose order the rule set
    /// knows (`label_orders`): the text's position in that order (0 = best). Without it
    /// such a test is false.
    pub(crate) rank: Option<usize>,
    /// Byte span of the test in the `when` text.
    pub(crate) span: (u32, u32),
    /// 1-based character column of the test in the `when` text.
    pub(crate) column: u32,
}

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cond {
    Const(bool),
    And(Box<[Cond]>),
    Or(Box<[Cond]>),
    Not(Box<Cond>),
    Test(Test),
    /// Boxed, so that `Cond` does not grow for it.
    Compare(Box<Compare>),
}

/// A leaf of a condition.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Leaf<'c> {
    Test(&'c Test),
    Compare(&'c Compare),
}

/// A leaf of a condition, its test mutable.
#[derive(Debug)]
pub(crate) enum LeafMut<'c> {
    Test(&'c mut Test),
    Compare(&'c Compare),
}

impl Cond {
    /// Calls `f` on every test, left to right (not on comparisons with arithmetic).
    pub(crate) fn for_each_test<'c>(&'c self, f: &mut impl FnMut(&'c Test)) {
        self.for_each_leaf(&mut |leaf| {
            if let Leaf::Test(test) = leaf {
                f(test);
            }
        });
    }

    /// Calls `f` on every leaf, left to right.
    pub(crate) fn for_each_leaf<'c>(&'c self, f: &mut impl FnMut(Leaf<'c>)) {
        match self {
            Cond::Const(_) => {}
            Cond::And(items) | Cond::Or(items) => {
                for item in items.iter() {
                    item.for_each_leaf(f);
                }
            }
            Cond::Not(inner) => inner.for_each_leaf(f),
            Cond::Test(test) => f(Leaf::Test(test)),
            Cond::Compare(compare) => f(Leaf::Compare(compare)),
        }
    }

    /// Calls `f` on every leaf, left to right, the tests mutably.
    pub(crate) fn for_each_leaf_mut(&mut self, f: &mut impl FnMut(LeafMut<'_>)) {
        match self {
            Cond::Const(_) => {}
            Cond::And(items) | Cond::Or(items) => {
                for item in items.iter_mut() {
                    item.for_each_leaf_mut(f);
                }
            }
            Cond::Not(inner) => inner.for_each_leaf_mut(f),
            Cond::Test(test) => f(LeafMut::Test(test)),
            Cond::Compare(compare) => f(LeafMut::Compare(compare)),
        }
    }

    /// Evaluates the condition for one customer.
    pub(crate) fn eval(&self, env: &Env<'_>) -> bool {
        match self {
            Cond::Const(value) => *value,
            Cond::And(items) => items.iter().all(|c| c.eval(env)),
            Cond::Or(items) => items.iter().any(|c| c.eval(env)),
            Cond::Not(inner) => !inner.eval(env),
            Cond::Test(test) => test.eval(env),
            Cond::Compare(compare) => compare.eval(env),
        }
    }

    /// What an explanation shows of the condition, in order of first use: every
    /// identifier once, and after the identifiers of a comparison whose arithmetic fails,
    /// the failing part.
    pub(crate) fn shown(&self, env: &Env<'_>) -> Vec<Shown> {
        let mut shown = Vec::new();
        let mut seen: BTreeSet<Subject> = BTreeSet::new();
        self.for_each_leaf(&mut |leaf| match leaf {
            Leaf::Test(test) => {
                if seen.insert(test.subject) {
                    shown.push(Shown::Value(test.subject));
                }
            }
            Leaf::Compare(compare) => {
                compare.for_each_var(&mut |var| {
                    if seen.insert(var.subject) {
                        shown.push(Shown::Value(var.subject));
                    }
                });
                if let Err(Fail::Arith(failure)) = compare.ordering(env) {
                    shown.push(Shown::Failed(failure));
                }
            }
        });
        shown
    }
}

/// One entry of an explanation's list of values (see [`Cond::shown`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shown {
    /// `name = value`.
    Value(Subject),
    /// `a / b = (division by zero)`.
    Failed(ArithFailure),
}

/// A label column's labels and their positions in its order (0 = best).
pub(crate) type Positions = foldhash::HashMap<SmolStr, usize>;

/// How names are found among the facts' label columns.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Columns<'a> {
    /// Search the column names on every look-up.
    Scan(&'a [String]),
    /// Column index per name slot, resolved once.
    Indexed(&'a [Option<usize>]),
}

/// Everything a condition can look at for one customer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Env<'a> {
    pub(crate) profile: &'a Profile,
    pub(crate) names: &'a [SmolStr],
    pub(crate) columns: Columns<'a>,
    pub(crate) labels: &'a [Label],
    /// Per name slot, the order of its labels when the rule set knows one.
    pub(crate) orders: &'a [Option<Positions>],
    /// The rule set's own tier so far, by position in `tiers`.
    pub(crate) tier: Option<usize>,
}

/// A value a test compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Val<'a> {
    Num(Decimal),
    Text(&'a str),
    /// A tier by position (0 = best).
    Rank(usize),
}

impl<'a> Env<'a> {
    /// The value of a subject; `None` when missing (no metric value, no attribute, an
    /// unscored label, no tier).
    pub(crate) fn value(&self, subject: Subject) -> Option<Val<'a>> {
        match subject {
            Subject::Metric(metric) => self.profile.metric(metric).map(Val::Num),
            Subject::Tier => self.tier.map(Val::Rank),
            Subject::Name(slot) => {
                let slot = usize::from(slot);
                let name = self.names.get(slot)?;
                let column = match self.columns {
                    Columns::Scan(columns) => columns.iter().position(|c| c == name),
                    Columns::Indexed(index) => index.get(slot).copied().flatten(),
                };
                match column {
                    Some(i) => match self.labels.get(i)? {
                        Label::Score(score) => Some(Val::Num(Decimal::from(*score))),
                        Label::Name(label) => Some(Val::Text(label.as_str())),
                        Label::Unscored(_) => None,
                    },
                    None => match self.profile.attributes.get(name)? {
                        AttrValue::Number(n) => Some(Val::Num(*n)),
                        AttrValue::Text(t) => Some(Val::Text(t.as_str())),
                    },
                }
            }
        }
    }
}

impl Test {
    /// Evaluates the test: a missing value makes every test false except `is missing`; a
    /// value of the other type (a text attribute where a number is compared) too.
    #[inline]
    pub(crate) fn eval(&self, env: &Env<'_>) -> bool {
        let value = env.value(self.subject);
        match self.op {
            Op::IsMissing => return value.is_none(),
            Op::IsNotMissing => return value.is_some(),
            Op::Cmp(_) | Op::In | Op::NotIn => {}
        }
        let Some(value) = value else {
            return false;
        };
        match (value, &self.values) {
            (Val::Num(x), Values::Num(list)) => match self.op {
                Op::Cmp(op) => list.first().is_some_and(|lit| op.holds(x.cmp(lit))),
                Op::In => list.contains(&x),
                Op::NotIn => !list.contains(&x),
                Op::IsMissing | Op::IsNotMissing => false,
            },
            (Val::Text(x), Values::Text(list)) => match self.op {
                Op::Cmp(CmpOp::Eq) => list.first().is_some_and(|lit| lit == x),
                Op::Cmp(CmpOp::Ne) => list.first().is_some_and(|lit| lit != x),
                // Better (earlier) is greater: compare the literal's position with x's.
                Op::Cmp(op) => match (self.rank, self.subject) {
                    (Some(lit), Subject::Name(slot)) => env
                        .orders
                        .get(usize::from(slot))
                        .and_then(|order| order.as_ref()?.get(x))
                        .is_some_and(|&position| op.holds(lit.cmp(&position))),
                    _ => false,
                },
                Op::In => list.iter().any(|l| l == x),
                Op::NotIn => !list.iter().any(|l| l == x),
                Op::IsMissing | Op::IsNotMissing => false,
            },
            // Better is greater: `tier >= "b"` is b or better, that is, a position at
            // most b's; so compare the literal's position with the tier's.
            (Val::Rank(x), Values::Tiers(list)) => match self.op {
                Op::Cmp(op) => list.first().is_some_and(|lit| op.holds(lit.cmp(&x))),
                Op::In => list.contains(&x),
                Op::NotIn => !list.contains(&x),
                Op::IsMissing | Op::IsNotMissing => false,
            },
            _ => false,
        }
    }

    /// The test's text as written.
    pub(crate) fn source<'t>(&self, when: &'t str) -> &'t str {
        span_of(when, self.span)
    }
}

/// An arithmetic operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    /// The operator as written.
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }

    /// `left op right` with checked decimal arithmetic: an error on division by zero or
    /// overflow, never a panic.
    #[inline]
    pub(crate) fn apply(self, left: Decimal, right: Decimal) -> Result<Decimal, ArithError> {
        let result = match self {
            ArithOp::Add => left.checked_add(right),
            ArithOp::Sub => left.checked_sub(right),
            ArithOp::Mul => left.checked_mul(right),
            ArithOp::Div if right.is_zero() => return Err(ArithError::DivisionByZero),
            ArithOp::Div => left.checked_div(right),
        };
        result.ok_or(ArithError::Overflow)
    }
}

/// Why an arithmetic operation has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithError {
    DivisionByZero,
    /// The result is beyond the range of a decimal (±79228162514264337593543950335).
    Overflow,
}

impl ArithError {
    /// How an explanation says it: `a / b = (division by zero)`.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            ArithError::DivisionByZero => "division by zero",
            ArithError::Overflow => "overflow",
        }
    }
}

/// An operation that failed, and the part of the `when` text whose value it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ArithFailure {
    pub(crate) error: ArithError,
    /// Byte span of the failing part in the `when` text: from the start of its chain to
    /// the end of the operand that failed (`profit / monetary`).
    pub(crate) span: (u32, u32),
}

/// Why an expression has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fail {
    /// An identifier has no value (or not a number).
    Missing,
    Arith(ArithFailure),
}

/// An identifier in an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Var {
    pub(crate) subject: Subject,
    /// Byte span in the `when` text.
    pub(crate) span: (u32, u32),
    /// 1-based character column in the `when` text.
    pub(crate) column: u32,
}

/// A numeric expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A decimal; also what an expression of literals alone is reduced to on load.
    Num(Decimal),
    Var(Var),
    /// Unary minus (exact: a decimal's range is symmetric).
    Neg(Box<Expr>),
    /// Operands of one precedence level (`+ -`, or `* /`), computed left to right: a
    /// left-associative chain kept flat, so that a long one nests no deeper than a short
    /// one.
    Chain(Box<Chain>),
}

/// `first op operand op operand …`, see [`Expr::Chain`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Chain {
    pub(crate) first: Expr,
    pub(crate) rest: Box<[Link]>,
    /// Byte offset of the chain's start in the `when` text.
    pub(crate) start: u32,
}

/// One `op operand` of a [`Chain`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Link {
    pub(crate) op: ArithOp,
    pub(crate) operand: Expr,
    /// Byte offset of the operand's end in the `when` text.
    pub(crate) end: u32,
}

impl Expr {
    /// The value for one customer.
    pub(crate) fn value(&self, env: &Env<'_>) -> Result<Decimal, Fail> {
        match self {
            Expr::Num(n) => Ok(*n),
            Expr::Var(var) => match env.value(var.subject) {
                Some(Val::Num(n)) => Ok(n),
                // A text where a number is expected is treated like a missing value.
                Some(Val::Text(_) | Val::Rank(_)) | None => Err(Fail::Missing),
            },
            Expr::Neg(inner) => inner.value(env).map(|n| -n),
            Expr::Chain(chain) => {
                let mut acc = chain.first.value(env)?;
                for link in chain.rest.iter() {
                    let operand = link.operand.value(env)?;
                    acc = link.op.apply(acc, operand).map_err(|error| {
                        Fail::Arith(ArithFailure {
                            error,
                            span: (chain.start, link.end),
                        })
                    })?;
                }
                Ok(acc)
            }
        }
    }

    /// Calls `f` on every identifier, left to right.
    pub(crate) fn for_each_var<'e>(&'e self, f: &mut impl FnMut(&'e Var)) {
        match self {
            Expr::Num(_) => {}
            Expr::Var(var) => f(var),
            Expr::Neg(inner) => inner.for_each_var(f),
            Expr::Chain(chain) => {
                chain.first.for_each_var(f);
                for link in chain.rest.iter() {
                    link.operand.for_each_var(f);
                }
            }
        }
    }
}

/// A comparison of two numeric expressions that is not a [`Test`]: one with arithmetic,
/// or of two identifiers (`recency_days > 2 * tenure_days`, `profit / monetary < 0.1`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Compare {
    pub(crate) left: Expr,
    pub(crate) op: CmpOp,
    pub(crate) right: Expr,
    /// Byte span of the comparison in the `when` text.
    pub(crate) span: (u32, u32),
    /// 1-based character column of the comparison in the `when` text.
    pub(crate) column: u32,
}

impl Compare {
    /// How the two sides compare, or why they cannot be: a missing value, a division by
    /// zero, an overflow. Left side first, each left to right; the first failure counts.
    pub(crate) fn ordering(&self, env: &Env<'_>) -> Result<Ordering, Fail> {
        let left = self.left.value(env)?;
        let right = self.right.value(env)?;
        Ok(left.cmp(&right))
    }

    /// Whether the comparison holds: false when [`ordering`](Compare::ordering) fails, as
    /// a [`Test`] on a missing value is false.
    pub(crate) fn eval(&self, env: &Env<'_>) -> bool {
        self.ordering(env).is_ok_and(|ord| self.op.holds(ord))
    }

    /// Calls `f` on every identifier, left to right.
    pub(crate) fn for_each_var<'c>(&'c self, f: &mut impl FnMut(&'c Var)) {
        self.left.for_each_var(f);
        self.right.for_each_var(f);
    }

    /// The comparison's text as written.
    pub(crate) fn source<'t>(&self, when: &'t str) -> &'t str {
        span_of(when, self.span)
    }
}

/// The text of a byte span of `when`.
pub(crate) fn span_of(when: &str, span: (u32, u32)) -> &str {
    when.get(span.0 as usize..span.1 as usize).unwrap_or(when)
}

/// The first conjunction (an `and` chain, anywhere in the condition) with tests on one
/// subject that can never all hold: `monetary > 5 and monetary < 3`, `r == 1 and r == 2`,
/// `tier == "a" and tier == "b"`, `x is missing and x > 0`. Returns those tests.
/// `orders` are the label orders by name slot (as in [`Env`]). Comparisons with
/// arithmetic or of two identifiers ([`Compare`]) take no part: what they allow is not
/// worked out, so they never make a conjunction impossible.
///
/// Each test is looked at once, and the tests on one subject are combined with sets, so
/// the check takes time proportional to the condition's length (times a logarithm).
pub(crate) fn impossible_conjunction<'c>(
    cond: &'c Cond,
    orders: &[Option<Positions>],
) -> Option<Vec<&'c Test>> {
    match cond {
        Cond::Const(_) | Cond::Test(_) | Cond::Compare(_) => None,
        Cond::Not(inner) => impossible_conjunction(inner, orders),
        Cond::Or(items) => items
            .iter()
            .find_map(|item| impossible_conjunction(item, orders)),
        Cond::And(items) => {
            let mut groups: BTreeMap<Subject, Vec<&Test>> = BTreeMap::new();
            for item in items.iter() {
                if let Cond::Test(test) = item {
                    groups.entry(test.subject).or_default().push(test);
                }
            }
            groups
                .into_values()
                .find(|tests| tests.len() > 1 && group_is_empty(tests, orders))
                .or_else(|| {
                    items
                        .iter()
                        .find_map(|item| impossible_conjunction(item, orders))
                })
        }
    }
}

/// Whether a subject only takes whole values: the day and count metrics, and tiers (by
/// position).
fn is_integral(subject: Subject) -> bool {
    matches!(
        subject,
        Subject::Tier
            | Subject::Metric(
                Metric::RecencyDays
                    | Metric::Frequency
                    | Metric::Transactions
                    | Metric::TenureDays
                    | Metric::DistinctProducts
            )
    )
}

/// Whether tests on one subject, all required, leave no possible value.
fn group_is_empty(tests: &[&Test], orders: &[Option<Positions>]) -> bool {
    let wants_missing = tests.iter().any(|t| t.op == Op::IsMissing);
    let wants_value = tests.iter().any(|t| t.op != Op::IsMissing);
    if wants_missing && wants_value {
        return true;
    }
    let mut numbers = Interval {
        integral: tests.first().is_some_and(|t| is_integral(t.subject)),
        ..Interval::default()
    };
    let mut texts = Points {
        order: tests.first().and_then(|t| match t.subject {
            Subject::Name(slot) => orders.get(usize::from(slot))?.as_ref(),
            Subject::Metric(_) | Subject::Tier => None,
        }),
        ..Points::default()
    };
    for test in tests {
        match &test.values {
            Values::None => {}
            Values::Num(list) => numbers.add(test.op, list.iter().copied()),
            // A tier's goodness is minus its position, so that better is greater.
            Values::Tiers(list) => numbers.add(test.op, list.iter().map(|&i| -Decimal::from(i))),
            Values::Text(list) => match (test.op, test.rank) {
                (Op::Cmp(c), Some(rank)) if c.is_ordered() => texts.rank(c, rank),
                (Op::Cmp(c), None) if c.is_ordered() => {}
                (op, _) => texts.add(op, list),
            },
        }
    }
    numbers.is_empty() || texts.is_empty()
}

/// Numeric constraints of a conjunction.
#[derive(Debug, Default)]
struct Interval {
    /// Lower bound and whether it is included.
    low: Option<(Decimal, bool)>,
    high: Option<(Decimal, bool)>,
    /// The only values allowed (`==`, `in`), when any test says so.
    points: Option<BTreeSet<Decimal>>,
    /// Values excluded (`!=`, `not in`).
    excluded: BTreeSet<Decimal>,
    /// Whether only whole numbers are possible.
    integral: bool,
}

impl Interval {
    fn add(&mut self, op: Op, mut values: impl Iterator<Item = Decimal>) {
        let Some(first) = values.next() else {
            return;
        };
        let all = std::iter::once(first).chain(values);
        match op {
            Op::Cmp(CmpOp::Eq) | Op::In => {
                let values: BTreeSet<Decimal> = all.collect();
                self.points = Some(match self.points.take() {
                    None => values,
                    // Decimals equal in value (`1.0`, `1`) are one set entry.
                    Some(mut points) => {
                        points.retain(|p| values.contains(p));
                        points
                    }
                });
            }
            Op::Cmp(CmpOp::Ne) | Op::NotIn => self.excluded.extend(all),
            Op::Cmp(CmpOp::Gt) => self.raise_low(first, false),
            Op::Cmp(CmpOp::Ge) => self.raise_low(first, true),
            Op::Cmp(CmpOp::Lt) => self.lower_high(first, false),
            Op::Cmp(CmpOp::Le) => self.lower_high(first, true),
            Op::IsMissing | Op::IsNotMissing => {}
        }
    }

    fn raise_low(&mut self, value: Decimal, inclusive: bool) {
        self.low = Some(match self.low {
            Some((low, inc)) if low > value => (low, inc),
            Some((low, inc)) if low == value => (low, inc && inclusive),
            _ => (value, inclusive),
        });
    }

    fn lower_high(&mut self, value: Decimal, inclusive: bool) {
        self.high = Some(match self.high {
            Some((high, inc)) if high < value => (high, inc),
            Some((high, inc)) if high == value => (high, inc && inclusive),
            _ => (value, inclusive),
        });
    }

    fn admits(&self, x: Decimal) -> bool {
        (!self.integral || x.is_integer())
            && self
                .low
                .is_none_or(|(low, inc)| x > low || (inc && x == low))
            && self
                .high
                .is_none_or(|(high, inc)| x < high || (inc && x == high))
            && !self.excluded.contains(&x)
    }

    fn is_empty(&self) -> bool {
        if let Some(points) = &self.points {
            return !points.iter().any(|&p| self.admits(p));
        }
        let (Some((low, low_inc)), Some((high, high_inc))) = (self.low, self.high) else {
            return false;
        };
        if self.integral {
            // The smallest and largest whole numbers inside the bounds.
            let first = if low_inc {
                low.ceil()
            } else {
                low.floor() + Decimal::ONE
            };
            let last = if high_inc {
                high.floor()
            } else {
                high.ceil() - Decimal::ONE
            };
            return first > last || (first == last && self.excluded.contains(&first));
        }
        low > high || (low == high && !(low_inc && high_inc && self.admits(low)))
    }
}

/// Text constraints of a conjunction.
#[derive(Debug, Default)]
struct Points<'t> {
    /// The only texts allowed (`==`, `in`), when any test says so.
    allowed: Option<foldhash::HashSet<&'t str>>,
    /// Texts excluded (`!=`, `not in`).
    excluded: foldhash::HashSet<&'t str>,
    /// The subject's label order, when the rule set knows one.
    order: Option<&'t Positions>,
    /// The positions in `order` that `<`, `<=`, `>`, `>=` allow, `lo..hi`, when any
    /// such test has a rank.
    ranks: Option<(usize, usize)>,
}

impl<'t> Points<'t> {
    fn add(&mut self, op: Op, values: &'t [SmolStr]) {
        match op {
            Op::Cmp(CmpOp::Eq) | Op::In => {
                let values: foldhash::HashSet<&str> = values.iter().map(SmolStr::as_str).collect();
                self.allowed = Some(match self.allowed.take() {
                    None => values,
                    Some(mut allowed) => {
                        allowed.retain(|a| values.contains(a));
                        allowed
                    }
                });
            }
            Op::Cmp(CmpOp::Ne) | Op::NotIn => {
                self.excluded.extend(values.iter().map(SmolStr::as_str));
            }
            Op::Cmp(_) | Op::IsMissing | Op::IsNotMissing => {}
        }
    }

    /// An ordered test whose literal is at position `rank`: better (earlier) is greater,
    /// so `x > lit` allows the positions before `rank`, `x <= lit` those from it on.
    fn rank(&mut self, op: CmpOp, rank: usize) {
        let len = self.order.map_or(0, |order| order.len());
        let (lo, hi) = match op {
            CmpOp::Gt => (0, rank),
            CmpOp::Ge => (0, rank + 1),
            CmpOp::Lt => (rank + 1, len),
            CmpOp::Le => (rank, len),
            CmpOp::Eq | CmpOp::Ne => return,
        };
        let (old_lo, old_hi) = self.ranks.unwrap_or((0, len));
        self.ranks = Some((lo.max(old_lo), hi.min(old_hi)));
    }

    fn is_empty(&self) -> bool {
        let Some((lo, hi)) = self.ranks else {
            return self
                .allowed
                .as_ref()
                .is_some_and(|allowed| allowed.iter().all(|a| self.excluded.contains(a)));
        };
        if lo >= hi {
            return true;
        }
        let in_range = |label: &str| {
            self.order
                .and_then(|order| order.get(label))
                .is_some_and(|&i| lo <= i && i < hi)
        };
        match &self.allowed {
            Some(allowed) => !allowed
                .iter()
                .any(|a| in_range(a) && !self.excluded.contains(a)),
            // Every label in the range is excluded (the excluded set has no duplicates).
            None => self.excluded.iter().filter(|e| in_range(e)).count() >= hi - lo,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse::{Names, parse};

    fn impossible(text: &str) -> Option<String> {
        let mut names = Names::default();
        let cond = parse(text, &mut names).unwrap_or_else(|e| panic!("{text}: {e:?}"));
        impossible_conjunction(&cond, &[]).map(|tests| {
            tests
                .iter()
                .map(|t| t.source(text))
                .collect::<Vec<_>>()
                .join(" and ")
        })
    }

    #[test]
    fn empty_intervals_are_found() {
        let cases = [
            ("monetary > 5 and monetary < 3", true),
            ("monetary >= 5 and monetary <= 5", false),
            ("monetary > 5 and monetary <= 5", true),
            ("monetary >= 5 and monetary < 5", true),
            ("monetary >= 5 and monetary <= 5 and monetary != 5.00", true),
            ("r == 1 and r == 2", true),
            ("r == 1 and r == 1.0", false),
            ("r in [1, 2] and r in [3, 4]", true),
            ("r in [1, 2] and r > 1", false),
            ("r in [1, 2] and r > 2", true),
            ("r in [1, 2] and r not in [2, 1]", true),
            ("r > 5 or r < 3", false),
            ("frequency > 1 and (monetary > 5 and monetary < 3)", true),
            ("not (monetary > 5 and monetary < 3)", true),
            ("x > 1 or (y == 2 and y == 3)", true),
            ("x > 5 and y < 3", false),
            ("x is missing and x > 1", true),
            ("x is missing and x is not missing", true),
            ("x is missing and x is missing", false),
            ("x is not missing and x > 1", false),
            ("metal == \"gold\" and metal == \"iron\"", true),
            ("metal == \"gold\" and metal != \"gold\"", true),
            ("metal in [\"gold\", \"iron\"] and metal != \"gold\"", false),
            ("tier == \"a\" and tier == \"b\"", true),
            ("monetary > -1 and monetary < -2", true),
            ("monetary > 1 and monetary > 2 and monetary < 2", true),
            ("monetary > 1 and monetary < 2", false),
            ("frequency > 1 and frequency < 2", true),
            ("frequency > 1 and frequency < 3 and frequency != 2", true),
            ("frequency > 1 and frequency <= 2", false),
            ("recency_days >= 0.5 and recency_days <= 0.9", true),
            ("recency_days in [0.5, 1] and recency_days < 1", true),
        ];
        for (text, want) in cases {
            assert_eq!(impossible(text).is_some(), want, "{text}");
        }
        assert_eq!(
            impossible("frequency > 1 and monetary > 5 and monetary < 3").as_deref(),
            Some("monetary > 5 and monetary < 3")
        );
    }

    #[test]
    fn operators_hold_as_written() {
        use Ordering::*;
        let table = [
            (CmpOp::Eq, [false, true, false]),
            (CmpOp::Ne, [true, false, true]),
            (CmpOp::Lt, [true, false, false]),
            (CmpOp::Le, [true, true, false]),
            (CmpOp::Gt, [false, false, true]),
            (CmpOp::Ge, [false, true, true]),
        ];
        for (op, want) in table {
            let got = [Less, Equal, Greater].map(|o| op.holds(o));
            assert_eq!(got, want, "{}", op.symbol());
        }
    }
}
