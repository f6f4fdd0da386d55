//! Writes the graded accounts fixture, deterministically (seeded, integer arithmetic), so
//! that anyone can check that `examples/apps/data/graded_accounts.csv` is what the
//! documented rule and noise make (see `learned_grade::accounts`):
//!
//! ```text
//! cargo run -p customer-tiering-apps --example gen_graded_accounts -- examples/apps/data/graded_accounts.csv
//! ```

use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: gen_graded_accounts OUT.csv");
        return ExitCode::from(2);
    };
    let text = customer_tiering_apps::learned_grade::accounts::generate();
    match std::fs::write(&path, text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            ExitCode::from(1)
        }
    }
}
