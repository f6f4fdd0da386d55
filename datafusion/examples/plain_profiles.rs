//! The profiles as a user would first write them in DataFusion SQL, for comparison with
//! the crate's plan (see the crate's guide, "Performance"): DataFusion's own CSV typing
//! and `count(DISTINCT date)`. Not exact (the typing rounds and accepts what the input
//! grammar rejects); it only times the query.
//!
//! ```text
//! cargo run --release -p customer-tiering-datafusion --example plain_profiles -- FILE AS_OF [PARTITIONS]
//! ```
//!
//! Prints one JSON line: the wall milliseconds, the customers and the partitions.

use std::time::Instant;

use customer_tiering_datafusion::datafusion::error::Result;
use customer_tiering_datafusion::datafusion::prelude::{
    CsvReadOptions, SessionConfig, SessionContext,
};

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(as_of)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: plain_profiles FILE AS_OF [PARTITIONS]");
        std::process::exit(2);
    };
    let partitions = args.get(3).and_then(|p| p.parse().ok()).unwrap_or(2);
    let start = Instant::now();
    let config = SessionConfig::new().with_target_partitions(partitions);
    let ctx = SessionContext::new_with_config(config);
    ctx.register_csv("tx", file, CsvReadOptions::new()).await?;
    let query = format!(
        "SELECT customer_id, count(DISTINCT date) AS frequency, count(*) AS transactions, \
         sum(amount) AS monetary, max(date) AS last, min(date) AS first \
         FROM tx WHERE date <= DATE '{as_of}' GROUP BY customer_id"
    );
    let batches = ctx.sql(&query).await?.collect().await?;
    let customers: usize = batches.iter().map(|b| b.num_rows()).sum();
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!(
        "{{\"plain_profiles_ms\":{ms:.1},\"customers\":{customers},\"partitions\":{partitions}}}"
    );
    Ok(())
}
