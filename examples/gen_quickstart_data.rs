//! Writes the quickstart data set, deterministically (seeded), so that anyone can check
//! that `tests/data/quickstart.csv` is what this program makes:
//!
//! ```text
//! cargo run --example gen_quickstart_data -- tests/data/quickstart.csv
//! ```
//!
//! 300 customers over the two years ending 2026-06-30: a third buy once, the rest
//! repeatedly with a heavy tail; some orders have several lines on one date; a few lines
//! are free (0.00) or refunds (negative). Columns: `customer_id,date,amount,profit,product`.

use std::fmt::Write as _;
use std::process::ExitCode;

use jiff::ToSpan;
use jiff::civil::{Date, date};

/// splitmix64: tiny, seeded, and the same on every platform.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const CUSTOMERS: u64 = 300;
const DAYS: i64 = 730;
const SEED: u64 = 20_261_125;

fn generate() -> String {
    let end: Date = date(2026, 6, 30);
    let start = end.checked_sub((DAYS - 1).days()).expect("in range");
    let mut rng = Rng(SEED);
    let mut rows: Vec<(Date, String, String)> = Vec::new();
    for c in 1..=CUSTOMERS {
        let id = format!("C{c:04}");
        // A third buy once; the others a heavy-tailed number of orders.
        let orders = if rng.below(3) == 0 {
            1
        } else {
            // Integer arithmetic only, so every platform makes the same file.
            (1 + 1500 / (1 + rng.below(1000))).min(60)
        };
        let first = rng.below(DAYS as u64) as i64;
        let active = 30 + rng.below(500) as i64;
        let u = rng.unit();
        let basket = 5.0 + 200.0 * u * u * u; // typical line value
        for _ in 0..orders {
            // An order past the end of the window falls back to the first purchase day.
            let day = Some(first + rng.below(active as u64) as i64)
                .filter(|d| *d < DAYS)
                .unwrap_or(first);
            let when = start.checked_add(day.days()).expect("in range");
            let lines = 1 + rng.below(3);
            for _ in 0..lines {
                let roll = rng.below(200);
                let cents: i64 = match roll {
                    0 => 0,
                    1 | 2 => -((basket * 100.0 * rng.unit()) as i64 + 1),
                    _ => (basket * 100.0 * (0.5 + rng.unit())) as i64 + 1,
                };
                let profit = cents * (10 + rng.below(30) as i64) / 100;
                let product = format!("P{:02}", rng.below(25));
                let line = format!("{},{},{product}", money(cents), money(profit));
                rows.push((when, id.clone(), line));
            }
        }
    }
    rows.sort();
    let mut out = String::from("customer_id,date,amount,profit,product\n");
    for (when, id, rest) in rows {
        writeln!(out, "{id},{when},{rest}").ok();
    }
    out
}

fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: gen_quickstart_data OUT.csv");
        return ExitCode::from(2);
    };
    match std::fs::write(&path, generate()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            ExitCode::from(1)
        }
    }
}
