//! Tiers from a SQLite database: the library's `ingest` reading a real table through
//! `SqliteTransactions`, with the bad rows rejected by table and rowid.
//!
//! ```text
//! cargo run -p customer-tiering-apps --release --example sqlite_source
//! ```
//!
//! Creates a database in the temp directory with an `orders` table (its `amount` column
//! has no declared type, as in many exported schemas, so SQLite keeps each value as the
//! program bound it: text stays exact text, a float stays a `REAL`), inserts 400 seeded orders of 60 customers and five
//! bad rows (a `NULL` customer, a blank customer, 30 February, an amount with a decimal
//! comma, an amount stored as a `REAL`), ingests them under `OnInvalid::Skip` at
//! 2026-06-30, prints every reject and the counts, fits RFM and Pareto metals and prints
//! the customers per label. The database (`shop.sqlite` in a directory of its own) is
//! removed at the end.

use std::process::ExitCode;

use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::source::{ColumnMapping, OnInvalid, ingest};
use customer_tiering::{PipelineBuilder, PopulationBuilder};
use customer_tiering_apps::rng::SplitMix64;
use customer_tiering_apps::sqlite_source::SqliteTransactions;
use jiff::ToSpan;
use jiff::civil::date;
use rusqlite::Connection;

fn main() -> ExitCode {
    let dir = std::env::temp_dir().join(format!("customer-tiering-{}", std::process::id()));
    let result = std::fs::create_dir_all(&dir)
        .map_err(Into::into)
        .and_then(|()| run(&dir.join("shop.sqlite")));
    let _ = std::fs::remove_dir_all(&dir);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error>> {
    let conn = Connection::open(path)?;
    create_orders(&conn)?;

    let as_of = date(2026, 6, 30);
    let source = SqliteTransactions::new(&conn, "orders", &ColumnMapping::default())?;
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(as_of),
        OnInvalid::Skip,
        |r| rejects.push(r.clone()),
    )?;
    for reject in &rejects {
        println!("rejected: {reject}");
    }
    let s = ingested.summary;
    println!(
        "{} rows read: {} accepted, {} rejected, {} after {as_of}; {} customers\n",
        s.read,
        s.accepted,
        s.rejected,
        s.after_as_of,
        ingested.population.len()
    );

    let pipeline = PipelineBuilder::new()
        .classifier(RfmParams::default())
        .classifier(ParetoParams::metals())
        .build()?;
    let (_, tiering) = pipeline.run(&ingested.population)?;
    let counts = tiering.counts();
    for column in ["rfm_segment", "metal"] {
        let mut labels: Vec<(&String, &u64)> = counts[column].iter().collect();
        labels.sort_by_key(|(label, n)| (u64::MAX - **n, label.as_str()));
        let cells: Vec<String> = labels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        println!("{column:>12}: {}", cells.join(", "));
    }
    Ok(())
}

/// The `orders` table: 400 seeded orders, then five bad rows (rowids 401-405).
fn create_orders(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute_batch(
        "CREATE TABLE orders (
             id INTEGER PRIMARY KEY,  -- the rowid
             customer_id TEXT,
             date TEXT,
             amount,                  -- no type: stored as bound ('12.50' stays TEXT)
             product TEXT
         );",
    )?;
    let tx = conn.unchecked_transaction()?;
    {
        let mut insert = tx.prepare(
            "INSERT INTO orders (customer_id, date, amount, product) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut rng = SplitMix64::new(2026);
        let start = date(2025, 1, 1);
        for _ in 0..400 {
            // Customer c buys more often the lower its number (a heavy head).
            let c = rng.below(60).min(rng.below(60)) + 1;
            let day = start
                .checked_add((rng.below(546) as i64).days())
                .expect("in range");
            let cents = 500 + rng.below(20_000) * (61 - c) / 30;
            let amount = format!("{}.{:02}", cents / 100, cents % 100);
            let product = format!("P{:02}", rng.below(12));
            insert.execute((format!("C{c:03}"), day.to_string(), amount, product))?;
        }
        // The bad rows, as a careless export leaves them.
        let bad =
            "INSERT INTO orders (customer_id, date, amount, product) VALUES (?1, ?2, ?3, 'P01')";
        tx.execute(bad, (None::<String>, "2026-03-01", "10.00"))?;
        tx.execute(bad, ("   ", "2026-03-02", "11.00"))?;
        tx.execute(bad, ("C001", "2026-02-30", "12.00"))?;
        tx.execute(bad, ("C002", "2026-03-04", "12,50"))?;
        tx.execute(bad, ("C003", "2026-03-05", 19.99_f64))?;
    }
    tx.commit()
}
