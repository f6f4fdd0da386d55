//! The parallel, partitioned reader (`ingest_csv` into an `Aggregator`) against the
//! sequential one (`ingest_periods` into `PopulationBuilder`s): the same counts, the
//! same rejects in the same order, the same profiles — with one thread or two, pieces
//! of one line or many, any order of the rows — and exact integer money against the
//! `Decimal` sums, near the limits of the decimal range too.

use customer_tiering::aggregate::Aggregator;
use customer_tiering::attributes::Attributes;
use customer_tiering::source::{
    ColumnMapping, CsvTransactions, OnInvalid, ReadSummary, ingest_csv, ingest_periods,
};
use customer_tiering::{CustomerId, Error, Population, PopulationBuilder, Transaction};
use jiff::civil::{Date, date};
use proptest::collection::vec;
use proptest::prelude::*;
use rust_decimal::Decimal;

const AS_OF: Date = date(2026, 3, 31);
const EARLIER: Date = date(2025, 12, 31);

/// One line of a transactions file: mostly good rows, some of every kind of bad one.
fn line() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        8 => (0..40u32).prop_map(|i| format!("C{i:03}")),
        1 => Just("\u{feff}C001".to_string()), // a byte-order mark inside the file is data
        1 => Just("  C002 ".to_string()),
        1 => Just("\"C,3\"".to_string()),
        1 => Just(String::new()),
        1 => Just("顧客7".to_string()),
        // Ids around the 15 bytes held inline by the reader, and far past them.
        1 => (0..3u32).prop_map(|i| format!("CUSTOMER-{i:06}")),
        1 => (0..3u32).prop_map(|i| format!("CUSTOMER-{i:07}")),
        1 => (0..3u32).prop_map(|i| format!("{i}-4f1c2a9e-8d7b-4c3a-9e1f-0a2b3c4d5e6f")),
    ];
    let day = (0..800i64).prop_map(|back| {
        let d = AS_OF
            .checked_add(jiff::Span::new().days(40 - back))
            .unwrap();
        d.to_string()
    });
    let day = prop_oneof![
        10 => day,
        1 => Just("2026-02-30".to_string()),
        1 => Just("2026-03-01T10:00:00".to_string()),
        1 => Just(String::new()),
        1 => Just(" 2026-03-01".to_string()),
    ];
    let amount = prop_oneof![
        6 => (-500i64..50_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s).to_string()),
        1 => (any::<i64>(), 0u32..20).prop_map(|(m, s)| Decimal::new(m, s).to_string()),
        1 => Just("1e3".to_string()),
        1 => Just("0.00".to_string()),
        1 => Just(String::new()),
        1 => Just("-0.00".to_string()),
        1 => Just("99999999999999999999.5".to_string()),
    ];
    prop_oneof![
        20 => (id, day, amount).prop_map(|(i, d, a)| format!("{i},{d},{a}")),
        1 => Just("C001,2026-03-01".to_string()),
        1 => Just("C001,2026-03-01,5,extra".to_string()),
        1 => Just("\"C001,2026-03-01,5".to_string()), // a quote left open
        1 => Just(String::new()),
        1 => Just("C004,2026-03-02,7.5\r".to_string()),
        1 => Just("C005\r,2026-03-02,1".to_string()),
        1 => Just("\r".to_string()),
        // Lines of 30 to 33 bytes, around the 32 the reader looks at for a line end.
        1 => (14..18usize).prop_map(|n| format!("C006,2026-03-02,{}", "1".repeat(n))),
    ]
}

fn file(lines: &[String]) -> String {
    let mut text = String::from("customer_id,date,amount\n");
    for l in lines {
        text += l;
        text.push('\n');
    }
    text
}

type Read = (ReadSummary, Vec<String>, Vec<Population>);

fn sequential(text: &str, known: &[(CustomerId, Attributes)]) -> Result<Read, String> {
    let source = CsvTransactions::from_reader("t.csv", text.as_bytes(), &ColumnMapping::default())
        .map_err(|e| e.to_string())?;
    let mut builders = [
        PopulationBuilder::new(AS_OF),
        PopulationBuilder::new(EARLIER),
    ];
    let mut rejects = Vec::new();
    let summary = ingest_periods(source, &mut builders, OnInvalid::Skip, |r| {
        rejects.push(r.to_string())
    })
    .map_err(|e| e.to_string())?;
    let populations = builders
        .into_iter()
        .map(|b| b.finish_with(known.iter().cloned()))
        .collect::<Result<Vec<_>, Error>>()
        .map_err(|e| e.to_string())?;
    Ok((summary, rejects, populations))
}

fn parallel(
    text: &str,
    piece: usize,
    threads: usize,
    known: &[(CustomerId, Attributes)],
) -> Result<Read, String> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let source =
            CsvTransactions::from_reader("t.csv", text.as_bytes(), &ColumnMapping::default())
                .map_err(|e| e.to_string())?
                .piece_bytes(piece);
        let mut aggregator = Aggregator::new(AS_OF).also_as_of(EARLIER);
        let mut rejects = Vec::new();
        let summary = ingest_csv(source, &mut aggregator, OnInvalid::Skip, |r| {
            rejects.push(r.to_string())
        })
        .map_err(|e| e.to_string())?;
        let populations = aggregator
            .finish_all(known.to_vec())
            .map_err(|e| e.to_string())?;
        Ok((summary, rejects, populations))
    })
}

proptest! {
    #[test]
    fn the_parallel_reader_reads_what_the_sequential_one_reads(
        lines in vec(line(), 0..120),
        piece in prop_oneof![Just(1usize), 2..200usize, Just(1 << 20)],
        threads in 1..=2usize,
        known_ids in vec(0..60u32, 0..5),
    ) {
        let mut known: Vec<(CustomerId, Attributes)> = known_ids
            .iter()
            .map(|i| (CustomerId::new(&format!("C{i:03}")).unwrap(), Attributes::default()))
            .collect();
        known.sort_by(|a, b| a.0.cmp(&b.0));
        known.dedup_by(|a, b| a.0 == b.0);
        let text = file(&lines);
        let expected = sequential(&text, &known);
        let got = parallel(&text, piece, threads, &known);
        match (&expected, &got) {
            (Ok(e), Ok(g)) => prop_assert_eq!(e, g),
            // Only an overflow may differ: the builder fails on a running sum, the
            // aggregator on the total.
            (Err(e), Ok(_)) => prop_assert!(e.contains("overflow"), "{}", e),
            (Ok(_), Err(g)) => prop_assert!(false, "only the parallel reader failed: {}", g),
            (Err(e), Err(g)) => prop_assert!(e.contains("overflow") && g.contains("overflow"), "{} / {}", e, g),
        }
    }

    #[test]
    fn shuffled_rows_give_the_same_profiles(
        lines in vec(line(), 1..120).prop_shuffle(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = lines.clone();
        // A rotation and a reversal: another order of the same rows.
        let n = shuffled.len();
        shuffled.rotate_left((seed % n as u64) as usize);
        shuffled.reverse();
        let a = parallel(&file(&lines), 64, 2, &[]);
        let b = parallel(&file(&shuffled), 1, 1, &[]);
        match (a, b) {
            (Ok(a), Ok(b)) => {
                prop_assert_eq!(a.0, b.0);
                prop_assert_eq!(a.2, b.2);
            }
            (a, b) => prop_assert_eq!(a.is_err(), b.is_err()),
        }
    }

    #[test]
    fn integer_money_equals_decimal_sums_near_the_limits(
        amounts in vec((any::<i128>(), 0u32..=28, 0..3i8, any::<bool>()), 1..12),
        split in any::<u16>(),
    ) {
        let c1 = CustomerId::new("C1").unwrap();
        let rows: Vec<Transaction> = amounts
            .iter()
            .map(|&(m, scale, day, huge)| {
                // Mantissas below 10^28, often close to it.
                let limit = 10i128.pow(28) - 1;
                let m = if huge { limit - (m.rem_euclid(1000)) } else { m % 10i128.pow(12) };
                let m = if m % 3 == 0 { -m } else { m };
                let amount = Decimal::from_i128_with_scale(m, scale);
                Transaction::new(c1.clone(), date(2026, 3, 1 + day), amount)
            })
            .collect();
        let mut builder = PopulationBuilder::new(AS_OF);
        let mut added = Ok(());
        for tx in &rows {
            if let Err(e) = builder.add(tx.clone()) {
                added = Err(e);
                break;
            }
        }
        let by_decimal = added.and_then(|()| builder.finish());
        // The same rows in two partial aggregates, merged.
        let (mut left, mut right) = (Aggregator::new(AS_OF), Aggregator::new(AS_OF));
        for (i, tx) in rows.iter().enumerate() {
            let part = if (split >> (i % 16)) & 1 == 1 { &mut left } else { &mut right };
            part.add(tx).unwrap();
        }
        left.merge(right).unwrap();
        let by_integer = left.finish();
        match (by_decimal, by_integer) {
            (Ok(d), Ok(i)) => prop_assert_eq!(d, i),
            // The total fits only when no running sum left the range, or they differ.
            (Err(_), Ok(_)) => {}
            (Ok(d), Err(e)) => prop_assert!(false, "{e} but the decimal sum is {:?}", d.profiles()[0].monetary),
            (Err(_), Err(e)) => prop_assert!(matches!(e, Error::Overflow { .. }) && e.to_string().contains("C1"), "{e}"),
        }
    }
}
