//! Any bytes as a customers CSV file: reading never panics, under `skip` the summary
//! counts every record once, and the table joins a population.

#![no_main]

use customer_tiering::PopulationBuilder;
use customer_tiering::source::OnInvalid;
use customer_tiering::source::customers::read_customers;
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut seen = 0u64;
    let read = read_customers("customers.csv", data, OnInvalid::Skip, |reject| {
        seen += 1;
        let _ = reject.to_string();
    });
    let Ok((table, summary)) = read else {
        return;
    };
    assert_eq!(
        summary.read,
        summary.accepted + summary.rejected,
        "{summary:?}"
    );
    assert_eq!(summary.rejected, seen, "{summary:?}");
    assert_eq!(table.len() as u64, summary.accepted, "{summary:?}");
    let _ = table.columns();
    if let Ok(population) =
        PopulationBuilder::new(date(2026, 3, 31)).finish_with(table.into_customers())
    {
        assert_eq!(population.len() as u64, summary.accepted);
    }
});
