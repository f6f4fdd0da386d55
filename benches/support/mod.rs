//! Seeded synthetic transactions shared by the benches.

// Each bench binary compiles this module and uses only part of it.
#![allow(dead_code)]

use customer_tiering::{CustomerId, Population, PopulationBuilder, Transaction};
use jiff::ToSpan;
use jiff::civil::{Date, date};
use rust_decimal::Decimal;

/// The as-of date of every bench population.
pub(crate) const AS_OF: Date = date(2026, 6, 30);

/// `rows` transactions over `customers` customers within two years of [`AS_OF`], the
/// same for every run (splitmix64 seeded by `seed`).
pub(crate) fn transactions(customers: u64, rows: u64, seed: u64) -> Vec<Transaction> {
    let mut next = splitmix(seed);
    let ids: Vec<CustomerId> = (0..customers)
        .map(|c| CustomerId::new(&format!("C{c:08}")).expect("valid id"))
        .collect();
    (0..rows)
        .map(|_| {
            // Squaring a uniform skews purchases toward low ids: a heavy-ish tail.
            let u = next() % customers;
            let c = (u * u / customers) as usize;
            let day = (next() % 730) as i64;
            let cents = (next() % 20_000) as i64 - 200;
            Transaction::new(
                ids[c].clone(),
                AS_OF.checked_sub(day.days()).expect("in range"),
                Decimal::new(cents, 2),
            )
        })
        .collect()
}

/// The population of [`transactions`] at [`AS_OF`].
pub(crate) fn population(customers: u64, rows: u64, seed: u64) -> Population {
    let mut builder = PopulationBuilder::new(AS_OF);
    for tx in transactions(customers, rows, seed) {
        builder.add(tx).expect("no overflow");
    }
    builder.finish().expect("no overflow")
}

/// The same transactions as CSV text with a header.
pub(crate) fn csv(customers: u64, rows: u64, seed: u64) -> String {
    let mut out = String::from("customer_id,date,amount\n");
    for tx in transactions(customers, rows, seed) {
        out.push_str(&format!("{},{},{}\n", tx.customer_id, tx.date, tx.amount));
    }
    out
}

/// splitmix64: the benches' one source of deterministic noise.
pub(crate) fn splitmix(seed: u64) -> impl FnMut() -> u64 {
    let mut state = seed;
    move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `customers` profiles at [`AS_OF`] built directly (no transactions), shaped like the
/// aggregates of two years of orders: recency and tenure in days, heavy ties on small
/// frequencies, money in cents with a long tail, one customer in fifty without
/// purchases. The same for every run with the same seed.
pub(crate) fn profiles(customers: u64, seed: u64) -> Population {
    use customer_tiering::Profile;
    let mut next = splitmix(seed);
    let profiles = (0..customers)
        .map(|c| {
            let id = CustomerId::new(&format!("C{c:08}")).expect("valid id");
            if next().is_multiple_of(50) {
                return Profile::without_purchases(id);
            }
            // Squaring a uniform: most customers buy a few times, some often.
            let u = next() % 1000;
            let frequency = 1 + u * u / 20_000;
            let transactions = frequency + next() % (frequency + 1);
            let tenure = (next() % 730) as i64;
            let recency = if frequency == 1 {
                tenure
            } else {
                (next() % (tenure as u64 + 1)) as i64
            };
            let spend = |next: &mut dyn FnMut() -> u64, rows: u64| {
                let per_row = (next() % 20_000) as i64 - 200;
                Decimal::new(per_row * rows as i64, 2)
            };
            let monetary = spend(&mut next, transactions);
            let current = spend(&mut next, transactions / 2);
            let previous = if next().is_multiple_of(3) {
                Decimal::ZERO
            } else {
                spend(&mut next, transactions - transactions / 2)
            };
            let growth = (previous > Decimal::ZERO).then(|| (current - previous) / previous);
            Profile {
                recency_days: Some(recency),
                frequency,
                transactions,
                monetary,
                tenure_days: Some(tenure),
                monetary_current: current,
                monetary_previous: previous,
                growth,
                ..Profile::without_purchases(id)
            }
        })
        .collect();
    Population::new(AS_OF, profiles).expect("distinct ids")
}
