//! Any bytes as a transactions CSV file: reading never panics, and under `skip` the
//! summary counts every data row once (SPEC §12: `read = accepted + rejected`).
//!
//! Input that starts with `@` carries a column mapping on its first line
//! (`@customer_id=Kunde,amount=Betrag`), so the mapping is fuzzed too.

#![no_main]

use customer_tiering::PopulationBuilder;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (mapping, csv) = match data.strip_prefix(b"@") {
        Some(rest) => {
            let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let Ok(spec) = std::str::from_utf8(&rest[..end]) else {
                return;
            };
            let Ok(mapping) = ColumnMapping::parse(spec) else {
                return;
            };
            (mapping, rest.get(end + 1..).unwrap_or_default())
        }
        None => (ColumnMapping::default(), data),
    };
    for on_invalid in [OnInvalid::Skip, OnInvalid::Fail] {
        let Ok(source) = CsvTransactions::from_reader("fuzz.csv", csv, &mapping) else {
            return;
        };
        let mut seen = 0u64;
        let ingested = ingest(
            source,
            PopulationBuilder::new(date(2026, 3, 31)),
            on_invalid,
            |reject| {
                seen += 1;
                let _ = reject.to_string();
            },
        );
        if let Ok(ingested) = ingested {
            let summary = ingested.summary;
            assert_eq!(
                summary.read,
                summary.accepted + summary.rejected,
                "{summary:?}"
            );
            assert_eq!(summary.rejected, seen, "{summary:?}");
            assert!(summary.after_as_of <= summary.accepted, "{summary:?}");
            if on_invalid == OnInvalid::Fail {
                assert_eq!(summary.rejected, 0, "{summary:?}");
            }
        }
    }
});
