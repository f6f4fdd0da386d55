//! The graded accounts fixture (`data/graded_accounts.csv`): how it is made and how it
//! is read.
//!
//! **What it stands for.** 240 accounts at 2026-06-30 that sales managers graded A/B/C/D
//! by hand, one row each: profile metrics aggregated elsewhere (`recency_days`,
//! `frequency`, `monetary`, `tenure_days`; empty recency and tenure for the accounts that
//! never bought), customer attributes (`kind`, `employees`, `credit_rating`,
//! `satisfaction`, `complaints`, each sometimes unknown) and the grade (`manager_grade`).
//!
//! **How it is made** ([`generate`], seeded, integer arithmetic only, so every platform
//! writes the same bytes; `cargo run -p customer-tiering-apps --example
//! gen_graded_accounts -- examples/apps/data/graded_accounts.csv` rewrites it, and a test
//! checks that the committed file is this function's output). The managers' judgement is
//! [`rule_grade`], a points rule:
//!
//! | points | when |
//! |---|---|
//! | +3 / +2 / +1 | monetary ≥ 3000 / ≥ 1000 / ≥ 250 |
//! | +2 / +1 | recency_days ≤ 90 / ≤ 240 |
//! | −1 | satisfaction ≤ 2 (when known) |
//! | −1 | complaints ≥ 4 (when known) |
//!
//! A for ≥ 5 points, B for ≥ 3, C for ≥ 1, D otherwise; a `credit_rating` of D caps the
//! grade at C. Then **noise**: each account has an 8 % chance (drawn by the seeded
//! generator) of being moved one grade up or down — the judgement calls no rule explains;
//! in the committed file that is 23 of the 240. A tree can therefore agree with at most
//! 217 of the grades without memorising noise, and with fewer where its depth cannot
//! follow the additive rule (the default settings: 201).

use std::fmt::Write as _;
use std::io::Read;
use std::path::Path;

use customer_tiering::attributes::{Attributes, parse_value};
use customer_tiering::money::parse_amount;
use customer_tiering::{CustomerId, Error, Location, Metric, Population, Profile, Reject};
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

use crate::rng::SplitMix64;

/// The committed fixture.
pub const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/graded_accounts.csv");

/// The date the fixture's metrics are relative to.
pub const AS_OF: Date = date(2026, 6, 30);

/// Accounts in the fixture.
pub const ACCOUNTS: u64 = 240;

/// The generator's seed.
pub const SEED: u64 = 20_260_630;

/// Percent of accounts whose grade is moved one step (the managers' own judgement).
pub const NOISE_PERCENT: u64 = 8;

/// The grades, best first.
pub const GRADES: [&str; 4] = ["A", "B", "C", "D"];

/// One generated account (money in cents, satisfaction in half points).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Days since the last purchase; none without purchases.
    pub recency_days: Option<i64>,
    /// Distinct purchase dates.
    pub frequency: u64,
    /// Sum of amounts, in cents.
    pub monetary_cents: i64,
    /// Days since the first purchase; none without purchases.
    pub tenure_days: Option<i64>,
    /// `enterprise`, `individual`, `channel`, or unknown.
    pub kind: Option<&'static str>,
    /// Staff, for enterprises and channel partners.
    pub employees: Option<u64>,
    /// `A`..`D`, or unknown.
    pub credit_rating: Option<&'static str>,
    /// 2..=10 half points (1.0 to 5.0), or unknown.
    pub satisfaction_halves: Option<u64>,
    /// Complaints this year, or unknown.
    pub complaints: Option<u64>,
}

/// The managers' rule (before noise): the index into [`GRADES`].
///
/// # Example
/// ```
/// use customer_tiering_apps::learned_grade::accounts::{rule_grade, Account};
/// let big = Account {
///     recency_days: Some(12), frequency: 20, monetary_cents: 800_000, tenure_days: Some(600),
///     kind: Some("enterprise"), employees: Some(900), credit_rating: Some("B"),
///     satisfaction_halves: Some(8), complaints: Some(0),
/// };
/// assert_eq!(rule_grade(&big), 0); // 3 + 2 points: A
/// let capped = Account { credit_rating: Some("D"), ..big.clone() };
/// assert_eq!(rule_grade(&capped), 2); // a D credit rating caps at C
/// ```
pub fn rule_grade(a: &Account) -> usize {
    let mut points: i64 = match a.monetary_cents {
        m if m >= 300_000 => 3,
        m if m >= 100_000 => 2,
        m if m >= 25_000 => 1,
        _ => 0,
    };
    points += match a.recency_days {
        Some(r) if r <= 90 => 2,
        Some(r) if r <= 240 => 1,
        _ => 0,
    };
    if a.satisfaction_halves.is_some_and(|s| s <= 4) {
        points -= 1;
    }
    if a.complaints.is_some_and(|c| c >= 4) {
        points -= 1;
    }
    let grade = match points {
        p if p >= 5 => 0,
        p if p >= 3 => 1,
        p if p >= 1 => 2,
        _ => 3,
    };
    if a.credit_rating == Some("D") {
        grade.max(2)
    } else {
        grade
    }
}

/// The accounts of the fixture with their grades (rule plus noise), in id order.
pub fn accounts() -> Vec<(String, Account, usize)> {
    let mut rng = SplitMix64::new(SEED);
    (1..=ACCOUNTS)
        .map(|i| {
            let account = account(&mut rng);
            let mut grade = rule_grade(&account);
            if rng.below(100) < NOISE_PERCENT {
                let up = rng.below(2) == 0;
                grade = match (grade, up) {
                    (0, _) => 1,
                    (3, _) => 2,
                    (g, true) => g - 1,
                    (g, false) => g + 1,
                };
            }
            (format!("G{i:04}"), account, grade)
        })
        .collect()
}

fn account(rng: &mut SplitMix64) -> Account {
    let buyer = rng.below(100) >= 6;
    let (recency_days, frequency, monetary_cents, tenure_days) = if buyer {
        // Heavy-tailed order counts (1 to 40) and baskets (40.00 to 2040.00, most small);
        // recency skewed towards recent (the product of two uniform draws).
        let frequency = (1 + 600 / (1 + rng.below(1000))).min(40);
        let cube = rng.below(1000).pow(3); // 0..1e9
        let basket = 4_000 + (cube * 200_000 / 1_000_000_000) as i64;
        let recency = (rng.below(721) * rng.below(721) / 720) as i64;
        let tenure = if frequency == 1 {
            recency
        } else {
            recency + 30 + rng.below(700) as i64
        };
        (
            Some(recency),
            frequency,
            basket * frequency as i64,
            Some(tenure),
        )
    } else {
        (None, 0, 0, None)
    };
    let kind = match rng.below(10) {
        0..=2 => Some("enterprise"),
        3..=7 => Some("individual"),
        8 => Some("channel"),
        _ => None,
    };
    let employees = match kind {
        Some("enterprise") => Some(50 + rng.below(5000)),
        Some("channel") => Some(5 + rng.below(200)),
        _ => None,
    };
    let credit_rating = match rng.below(100) {
        0..=14 => None,
        15..=24 => Some("D"),
        25..=49 => Some("C"),
        50..=79 => Some("B"),
        _ => Some("A"),
    };
    let satisfaction_halves = (rng.below(100) >= 20).then(|| 2 + rng.below(9));
    let complaints = (rng.below(100) >= 10).then(|| rng.below(4) * rng.below(3));
    Account {
        recency_days,
        frequency,
        monetary_cents,
        tenure_days,
        kind,
        employees,
        credit_rating,
        satisfaction_halves,
        complaints,
    }
}

/// The fixture's text: a header, then one row per account.
pub fn generate() -> String {
    let mut out = String::from(
        "customer_id,recency_days,frequency,monetary,tenure_days,kind,employees,credit_rating,satisfaction,complaints,manager_grade\n",
    );
    let opt = |v: Option<String>| v.unwrap_or_default();
    for (id, a, grade) in accounts() {
        let money = format!("{}.{:02}", a.monetary_cents / 100, a.monetary_cents % 100);
        let satisfaction = a.satisfaction_halves.map(|h| {
            if h % 2 == 0 {
                (h / 2).to_string()
            } else {
                format!("{}.5", h / 2)
            }
        });
        writeln!(
            out,
            "{id},{},{},{money},{},{},{},{},{},{},{}",
            opt(a.recency_days.map(|r| r.to_string())),
            a.frequency,
            opt(a.tenure_days.map(|t| t.to_string())),
            a.kind.unwrap_or_default(),
            opt(a.employees.map(|e| e.to_string())),
            a.credit_rating.unwrap_or_default(),
            opt(satisfaction),
            opt(a.complaints.map(|c| c.to_string())),
            GRADES[grade],
        )
        .ok();
    }
    out
}

/// Reads profiles given as one row per customer: a `customer_id` column, metric columns by
/// their [profile metrics](customer_tiering::definitions#profile-metrics) names
/// (`recency_days`, `frequency`, `transactions`, `monetary`, `profit`, `tenure_days`,
/// `distinct_products`, `monetary_current`, `monetary_previous`, `growth`; an empty cell is
/// "none" where the metric can be none, else 0), and every other column an attribute, typed
/// as a customers file types it. Without a `transactions` column, transactions equal
/// frequency.
///
/// # Errors
/// [`Error::Reject`] naming `origin`, the line, the field and the value of the first bad
/// cell; [`Error::MissingColumn`] without `customer_id`; [`Error::Config`] for a customer
/// given twice.
///
/// # Example
/// ```
/// use customer_tiering_apps::learned_grade::accounts::read_profiles;
/// use jiff::civil::date;
/// let data = "customer_id,recency_days,frequency,monetary,satisfaction\nC1,12,3,250.00,4.5\nC2,,0,0,\n";
/// let population = read_profiles("profiles.csv", data.as_bytes(), date(2026, 6, 30))?;
/// let c1 = population.get("C1").unwrap();
/// assert_eq!((c1.recency_days, c1.transactions, c1.monetary.to_string()), (Some(12), 3, "250.00".into()));
/// assert_eq!(c1.attributes.number("satisfaction"), Some(rust_decimal::dec!(4.5)));
/// assert!(!population.get("C2").unwrap().is_buyer());
/// let err = read_profiles("p.csv", "customer_id,frequency\nC1,many\n".as_bytes(), date(2026, 6, 30));
/// assert_eq!(err.unwrap_err().to_string(), r#"p.csv: line 2, field "frequency": "many": not a whole number"#);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn read_profiles<R: Read>(origin: &str, reader: R, as_of: Date) -> Result<Population, Error> {
    let mut csv = csv::ReaderBuilder::new().from_reader(reader);
    // `Error::Parse` keeps a cause only of the library's own `Error`: csv's error is
    // kept as its message.
    let parse_err = |e: csv::Error| Error::Parse {
        what: origin.into(),
        reason: e.to_string(),
        source: None,
    };
    let header: Vec<String> = csv
        .headers()
        .map_err(parse_err)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let Some(id_at) = header.iter().position(|h| h == "customer_id") else {
        return Err(Error::MissingColumn {
            source_name: origin.into(),
            column: "customer_id".into(),
            header: header.join(","),
            hints: Box::default(),
        });
    };
    let has_transactions = header.iter().any(|h| h == "transactions");
    let mut profiles = Vec::new();
    for record in csv.records() {
        let record = record.map_err(parse_err)?;
        let line = record.position().map_or(0, |p| p.line());
        let reject = |field: &str, value: &str, reason: &str| -> Error {
            Reject::new(Location::line(origin, line), field, value, reason).into()
        };
        let raw_id = record.get(id_at).unwrap_or_default();
        let id =
            CustomerId::new(raw_id).map_err(|e| reject("customer_id", raw_id, &e.to_string()))?;
        let mut p = Profile::without_purchases(id);
        let mut attributes = Attributes::default();
        for (name, raw) in header
            .iter()
            .zip(record.iter())
            .filter(|(n, _)| *n != "customer_id")
        {
            let raw = raw.trim();
            let whole = || -> Result<Option<i64>, Error> {
                if raw.is_empty() {
                    return Ok(None);
                }
                raw.parse::<i64>()
                    .map(Some)
                    .map_err(|_| reject(name, raw, "not a whole number"))
            };
            let count = || -> Result<Option<u64>, Error> {
                whole()?
                    .map(|n| u64::try_from(n).map_err(|_| reject(name, raw, "negative count")))
                    .transpose()
            };
            let decimal = || -> Result<Option<Decimal>, Error> {
                if raw.is_empty() {
                    return Ok(None);
                }
                parse_amount(raw)
                    .map(Some)
                    .map_err(|e| reject(name, raw, &e.to_string()))
            };
            match Metric::from_name(name) {
                Some(Metric::RecencyDays) => p.recency_days = whole()?,
                Some(Metric::TenureDays) => p.tenure_days = whole()?,
                Some(Metric::Frequency) => p.frequency = count()?.unwrap_or(0),
                Some(Metric::Transactions) => p.transactions = count()?.unwrap_or(0),
                Some(Metric::DistinctProducts) => p.distinct_products = count()?,
                Some(Metric::Monetary) => p.monetary = decimal()?.unwrap_or_default(),
                Some(Metric::MonetaryCurrent) => {
                    p.monetary_current = decimal()?.unwrap_or_default()
                }
                Some(Metric::MonetaryPrevious) => {
                    p.monetary_previous = decimal()?.unwrap_or_default()
                }
                Some(Metric::Profit) => p.profit = decimal()?,
                Some(Metric::Growth) => p.growth = decimal()?,
                Some(_) => return Err(reject(name, raw, "this metric cannot be read here")),
                None => {
                    if let Some(value) =
                        parse_value(name, raw).map_err(|e| reject(name, raw, &e))?
                    {
                        attributes.insert(name, value);
                    }
                }
            }
        }
        if !has_transactions {
            p.transactions = p.frequency;
        }
        p.attributes = attributes;
        profiles.push(p);
    }
    Population::new(as_of, profiles)
}

/// Reads the committed fixture at [`AS_OF`].
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; as [`read_profiles`] otherwise.
pub fn load(path: &Path) -> Result<Population, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    read_profiles(&name, std::io::BufReader::new(file), AS_OF)
}
