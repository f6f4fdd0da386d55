//! `SqliteTransactions` over real SQLite databases (in memory and on disk).

use customer_tiering::error::Position;
use customer_tiering::source::{ColumnMapping, CsvTransactions, OnInvalid, Source, ingest};
use customer_tiering::{Error, Location, PopulationBuilder, Reject};
use customer_tiering_apps::sqlite_source::SqliteTransactions;
use jiff::civil::date;
use rusqlite::Connection;
use rusqlite::types::Value;

/// A table whose `amount` and `customer_id` have no declared type, so that every value is
/// kept exactly as bound (a `REAL` stays a `REAL`), with rows at the given rowids.
fn orders(rows: &[(i64, Value, Value, Value)]) -> Connection {
    let conn = Connection::open_in_memory().expect("sqlite");
    conn.execute_batch("CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id, date, amount)")
        .expect("schema");
    for (id, customer, day, amount) in rows {
        conn.execute(
            "INSERT INTO orders VALUES (?1, ?2, ?3, ?4)",
            (id, customer, day, amount),
        )
        .expect("insert");
    }
    conn
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

fn skip_all(conn: &Connection) -> (customer_tiering::source::Ingested, Vec<Reject>) {
    let source =
        SqliteTransactions::new(conn, "orders", &ColumnMapping::default()).expect("source");
    let mut rejects = Vec::new();
    let ingested = ingest(
        source,
        PopulationBuilder::new(date(2026, 6, 30)),
        OnInvalid::Skip,
        |r| rejects.push(r.clone()),
    )
    .expect("ingest");
    (ingested, rejects)
}

#[test]
fn rejects_name_the_table_the_rowid_the_field_and_the_value() {
    let good = |id: i64| (id, text("C1"), text("2026-03-01"), text("10.00"));
    let rows = vec![
        good(1),
        (7, Value::Null, text("2026-03-01"), text("1")),
        (8, text("   "), text("2026-03-01"), text("1")),
        (9, Value::Real(17850.0), text("2026-03-01"), text("1")),
        (10, Value::Blob(vec![1, 2]), text("2026-03-01"), text("1")),
        (20, text("C2"), text("2026-02-30"), text("1")),
        (21, text("C2"), Value::Integer(20260301), text("1")),
        (22, text("C2"), Value::Null, text("1")),
        (23, text("C2"), text("01/03/2026"), text("1")),
        (42, text("C3"), text("2026-03-01"), Value::Real(19.99)),
        (43, text("C3"), text("2026-03-01"), text("12,50")),
        (44, text("C3"), text("2026-03-01"), text("1e3")),
        (45, text("C3"), text("2026-03-01"), Value::Null),
        (46, text("C3"), text("2026-03-01"), Value::Blob(vec![0; 4])),
        (
            47,
            text("C3"),
            text("2026-03-01"),
            text("0.1000000000000000000000000000001"),
        ),
        good(100),
    ];
    let (ingested, rejects) = skip_all(&orders(&rows));
    let s = ingested.summary;
    assert_eq!((s.read, s.accepted, s.rejected), (16, 2, 14));
    let shown: Vec<String> = rejects.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            r#"memory: table orders, row 7, field "customer_id": "NULL": no customer id (NULL)"#,
            r#"memory: table orders, row 8, field "customer_id": "   ": empty customer id"#,
            r#"memory: table orders, row 9, field "customer_id": "17850": a REAL is not a customer id: store ids as TEXT or INTEGER"#,
            r#"memory: table orders, row 10, field "customer_id": "BLOB of 2 bytes": a BLOB is not a customer id"#,
            r#"memory: table orders, row 20, field "date": "2026-02-30": no such calendar day"#,
            r#"memory: table orders, row 21, field "date": "20260301": a date must be TEXT of the form YYYY-MM-DD"#,
            r#"memory: table orders, row 22, field "date": "NULL": no date (NULL)"#,
            r#"memory: table orders, row 23, field "date": "01/03/2026": not a date of the form YYYY-MM-DD"#,
            r#"memory: table orders, row 42, field "amount": "19.99": a REAL is a binary float, not an exact decimal: store amounts as TEXT or INTEGER"#,
            r#"memory: table orders, row 43, field "amount": "12,50": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"#,
            r#"memory: table orders, row 44, field "amount": "1e3": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"#,
            r#"memory: table orders, row 45, field "amount": "NULL": no amount (NULL)"#,
            r#"memory: table orders, row 46, field "amount": "BLOB of 4 bytes": a BLOB is not an exact decimal amount"#,
            r#"memory: table orders, row 47, field "amount": "0.1000000000000000000000000000001": more than 28 significant digits; it cannot be held exactly"#,
        ]
    );
    // The structured reject: the database as the source, table and rowid as the position.
    let at = rejects[8].location();
    assert_eq!(at, &Location::row("memory", "orders", 42));
    assert_eq!(at.source(), "memory");
    let Position::Row { table, key } = at.position() else {
        panic!("a row position, got {at}");
    };
    assert_eq!((table.as_str(), key.as_str()), ("orders", "42"));
    assert_eq!(rejects[8].field(), "amount");
}

#[test]
fn the_fail_policy_stops_at_the_first_reject_with_its_rowid() {
    let conn = orders(&[
        (1, text("C1"), text("2026-03-01"), text("5")),
        (2, text("C1"), text("2026-03-02"), Value::Real(0.1)),
        (3, Value::Null, text("2026-03-03"), text("5")),
    ]);
    let source = SqliteTransactions::new(&conn, "orders", &ColumnMapping::default()).unwrap();
    let builder = PopulationBuilder::new(date(2026, 6, 30));
    let Err(Error::Reject(reject)) = ingest(source, builder, OnInvalid::Fail, |_| {}) else {
        panic!("expected a reject");
    };
    assert_eq!(reject.location(), &Location::row("memory", "orders", 2));
    assert_eq!((reject.field(), reject.value()), ("amount", "0.1"));
}

#[test]
fn integers_are_exact_amounts_and_ids_and_text_keeps_its_scale() {
    let conn = orders(&[
        (
            1,
            Value::Integer(17850),
            text("2026-03-01 08:26:00"),
            Value::Integer(12),
        ),
        (
            2,
            text(" 17850 "),
            text("2026-03-02T10:00:00"),
            text("0.50"),
        ),
        (3, text("17850"), text("2026-03-02"), text("-2.25")),
    ]);
    let (ingested, rejects) = skip_all(&conn);
    assert!(rejects.is_empty(), "{rejects:?}");
    let p = ingested.population.get("17850").unwrap();
    assert_eq!((p.transactions, p.frequency), (3, 2));
    assert_eq!(p.monetary.to_string(), "10.25");
}

#[test]
fn reads_every_row_across_batches_in_rowid_order_with_gaps() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch("CREATE TABLE orders (customer_id TEXT, date TEXT, amount TEXT)")
        .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    for i in 0..2500 {
        tx.execute(
            "INSERT INTO orders VALUES (?1, '2026-01-01', ?2)",
            (format!("C{:02}", i % 37), format!("{i}.01")),
        )
        .unwrap();
    }
    // Holes in the rowids, also at a batch boundary.
    tx.execute(
        "DELETE FROM orders WHERE rowid % 100 = 0 OR rowid BETWEEN 1020 AND 1030",
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    let mut source = SqliteTransactions::new(&conn, "orders", &ColumnMapping::default()).unwrap();
    let mut amounts = Vec::new();
    while let Some(tx) = source.next_record() {
        amounts.push(tx.unwrap().amount);
    }
    assert_eq!(amounts.len() as i64, left);
    // Rowid i holds the amount "{i-1}.01": ascending, as the rowids are read.
    assert!(amounts.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn reads_the_same_population_as_the_csv_source() {
    let csv = "customer_id,date,amount,profit,product\n\
               C1,2026-03-01,10.00,2.50,tea\nC2,2026-04-01,7,,cup\nC1,2026-05-01,-1.5,-0.30,\n\
               C3,2026-07-01,9.99,1,tea\n";
    let mapping = ColumnMapping::default();
    let from_csv = ingest(
        CsvTransactions::from_reader("orders.csv", csv.as_bytes(), &mapping).unwrap(),
        PopulationBuilder::new(date(2026, 6, 30)),
        OnInvalid::Fail,
        |_| {},
    )
    .unwrap();

    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (customer_id TEXT, date TEXT, amount TEXT, profit TEXT, product TEXT);
         INSERT INTO orders VALUES ('C1', '2026-03-01', '10.00', '2.50', 'tea'),
                                   ('C2', '2026-04-01', '7', NULL, 'cup'),
                                   ('C1', '2026-05-01', '-1.5', '-0.30', ''),
                                   ('C3', '2026-07-01', '9.99', '1', 'tea');",
    )
    .unwrap();
    let from_sqlite = ingest(
        SqliteTransactions::new(&conn, "orders", &mapping).unwrap(),
        PopulationBuilder::new(date(2026, 6, 30)),
        OnInvalid::Fail,
        |_| {},
    )
    .unwrap();
    assert_eq!(from_sqlite.population, from_csv.population);
    assert_eq!(from_sqlite.summary, from_csv.summary);
    assert_eq!(
        from_sqlite
            .population
            .get("C1")
            .unwrap()
            .profit
            .unwrap()
            .to_string(),
        "2.20"
    );
}

#[test]
fn a_database_file_is_named_by_its_file_name_with_the_table_in_each_reject() {
    let dir = std::env::temp_dir().join(format!("ct-apps-sqlite-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shop.sqlite");
    let _ = std::fs::remove_file(&path);
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE \"order lines\" (customer_id TEXT, date TEXT, amount TEXT);
             INSERT INTO \"order lines\" VALUES ('C1', '2026-03-01', 'ten');",
        )
        .unwrap();
        let (ingested, rejects) = {
            let source =
                SqliteTransactions::new(&conn, "order lines", &ColumnMapping::default()).unwrap();
            assert_eq!(source.origin(), "shop.sqlite");
            let mut rejects = Vec::new();
            let ingested = ingest(
                source,
                PopulationBuilder::new(date(2026, 6, 30)),
                OnInvalid::Skip,
                |r| rejects.push(r.to_string()),
            )
            .unwrap();
            (ingested, rejects)
        };
        assert_eq!(ingested.summary.rejected, 1);
        assert!(
            rejects[0]
                .starts_with(r#"shop.sqlite: table order lines, row 1, field "amount": "ten""#),
            "{rejects:?}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_table_or_column_or_rowid_fails_before_reading() {
    let conn = Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE TABLE orders (customer_id TEXT, day TEXT, amount TEXT);
         CREATE TABLE keyed (customer_id TEXT PRIMARY KEY, date TEXT, amount TEXT) WITHOUT ROWID;",
    )
    .unwrap();
    let mapping = ColumnMapping::default();
    let err = SqliteTransactions::new(&conn, "orders", &mapping).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"memory: table orders: missing required column "date" (header: customer_id,day,amount)"#
    );
    let mapped = ColumnMapping::parse("date=day").unwrap();
    assert!(SqliteTransactions::new(&conn, "orders", &mapped).is_ok());
    let err = SqliteTransactions::new(&conn, "nope", &mapping).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    let err = SqliteTransactions::new(&conn, "keyed", &mapping).unwrap_err();
    assert!(err.to_string().contains("rowid"), "{err}");
}

#[test]
fn a_negative_rowid_is_shown_as_it_is() {
    let conn = orders(&[(-5, text("C1"), text("2026-03-01"), text("x"))]);
    let (_, rejects) = skip_all(&conn);
    assert_eq!(
        rejects[0].location(),
        &Location::row("memory", "orders", -5)
    );
    assert!(
        rejects[0]
            .to_string()
            .starts_with(r#"memory: table orders, row -5, field "amount": "x": "#),
        "{}",
        rejects[0]
    );
}
