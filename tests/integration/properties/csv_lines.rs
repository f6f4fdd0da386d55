//! [Bad input](customer_tiering::definitions#bad-input-and-rejects) on any bytes: the CSV
//! sources never panic; under skip every record is accepted or rejected (`read = accepted +
//! rejected`); in a transactions file every non-empty physical data line is one record,
//! whatever quotes, commas, carriage returns or invalid bytes it holds.

use customer_tiering::source::customers::read_customers;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, ingest};
use customer_tiering::{Error, PopulationBuilder};
use jiff::civil::date;
use proptest::collection::vec;
use proptest::prelude::*;

use crate::support::data_lines;

/// Pieces that make CSV hard: quotes, separators, line ends, valid values, extremes.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"\"".to_vec()),
        Just(b"\"\"".to_vec()),
        Just(b",".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b" ".to_vec()),
        Just(b"C1".to_vec()),
        Just(b"2026-03-01".to_vec()),
        Just(b"2026-02-30".to_vec()),
        Just(b"12.50".to_vec()),
        Just(b"-0.00".to_vec()),
        Just(b"79228162514264337593543950335".to_vec()),
        Just(b"9999999999999999999999999999".to_vec()),
        Just(b"\xEF\xBB\xBF".to_vec()),
        Just(b"\xFF\xFE".to_vec()),
        Just(b"\0".to_vec()),
        vec(any::<u8>(), 0..8),
    ]
}

/// Bytes made of pieces, after the given header.
fn file(header: &'static [u8]) -> impl Strategy<Value = Vec<u8>> {
    vec(piece(), 0..60).prop_map(move |pieces| {
        let mut bytes = header.to_vec();
        bytes.extend(pieces.concat());
        bytes
    })
}

proptest! {
    #[test]
    fn every_transactions_line_is_one_record(bytes in file(b"customer_id,date,amount\n")) {
        let source = CsvTransactions::from_reader("t.csv", &bytes[..], &ColumnMapping::default())
            .expect("the header is fine");
        let mut rejects = 0u64;
        let builder = PopulationBuilder::new(date(2026, 3, 31));
        match ingest(source, builder, OnInvalid::Skip, |_| rejects += 1) {
            Ok(ingested) => {
                let s = ingested.summary;
                prop_assert_eq!(s.read, s.accepted + s.rejected);
                prop_assert_eq!(s.rejected, rejects);
                prop_assert_eq!(s.read, data_lines(&bytes));
            }
            // Sums of extreme amounts may leave the decimal range: an error, not a panic.
            Err(Error::Overflow { .. }) => {}
            Err(e) => prop_assert!(false, "{e}"),
        }
    }

    #[test]
    fn any_bytes_are_read_or_refused_never_a_panic(bytes in vec(any::<u8>(), 0..400)) {
        if let Ok(source) = CsvTransactions::from_reader("t.csv", &bytes[..], &ColumnMapping::default()) {
            let builder = PopulationBuilder::new(date(2026, 3, 31));
            if let Ok(ingested) = ingest(source, builder, OnInvalid::Skip, |_| {}) {
                let s = ingested.summary;
                prop_assert_eq!(s.read, s.accepted + s.rejected);
            }
        }
        if let Ok((_, s)) = read_customers("c.csv", &bytes[..], OnInvalid::Skip, |_| {}) {
            prop_assert_eq!(s.read, s.accepted + s.rejected);
        }
    }

    #[test]
    fn every_customers_record_is_counted(bytes in file(b"customer_id,status,note\n")) {
        match read_customers("c.csv", &bytes[..], OnInvalid::Skip, |_| {}) {
            Ok((table, s)) => {
                prop_assert_eq!(s.read, s.accepted + s.rejected);
                prop_assert_eq!(table.len() as u64, s.accepted);
            }
            // Only a quote open at the end of the file refuses it.
            Err(Error::Malformed { reason, .. }) => prop_assert!(reason.contains("still open"), "{reason}"),
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
