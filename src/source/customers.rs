//! Customer attributes ([inputs](crate::definitions#inputs), [bad
//! input](crate::definitions#bad-input-and-rejects)): one record per customer,
//! `customer_id` plus any attribute columns, from CSV ([`CsvCustomers`]) or memory
//! ([`MemorySource`](super::MemorySource) of [`CustomerRecord`]s), read by
//! [`ingest_customers`] into a [`CustomerTable`].
//!
//! Known attributes (`kind`, `status`, `satisfaction` …) are checked against their type;
//! any other column becomes a number column when every value in it is a plain decimal,
//! a text column otherwise. A second record for the same customer is a reject (the
//! first is kept).
//!
//! # Example
//! ```
//! use customer_tiering::source::customers::read_customers;
//! use customer_tiering::source::{ingest_into, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//!
//! let people = "customer_id,kind,region\nC1,Enterprise,north\nP1,individual,south\n";
//! let orders = "customer_id,date,amount\nC1,2026-03-01,250.00\n";
//! let (table, _) = read_customers("customers.csv", people.as_bytes(), OnInvalid::Fail, |_| {})?;
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! let mapping = ColumnMapping::default();
//! let source = CsvTransactions::from_reader("orders.csv", orders.as_bytes(), &mapping)?;
//! ingest_into(source, &mut builder, OnInvalid::Fail, |_| {})?;
//! let population = builder.finish_with(table.into_customers())?;
//! assert_eq!(population.get("C1").unwrap().attributes.text("kind"), Some("enterprise"));
//! let p1 = population.get("P1").unwrap(); // in the customers file only
//! assert!(!p1.is_buyer());
//! assert_eq!(p1.attributes.text("region"), Some("south"));
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use smol_str::SmolStr;

use super::csv::{FieldFormat, first_lines_hints, open_records};
use super::{OnInvalid, ReadSummary, Source};
use crate::attributes::{AttrType, AttrValue, Attributes, known_type, parse_value};
use crate::csv_lines::{Records, Row};
use crate::error::{Error, Location, Position, Reject};
use crate::format::{AmountFormat, Decoding, InputFormat};
use crate::profile::CustomerId;

/// One customer's attributes, and where the record came from (for rejects).
///
/// # Example
/// ```
/// use customer_tiering::source::customers::CsvCustomers;
/// use customer_tiering::source::Source;
/// use customer_tiering::Location;
/// let data = "customer_id,kind,score\nC1,Enterprise,7\n";
/// let mut source = CsvCustomers::from_reader("customers.csv", data.as_bytes())?;
/// let record = source.next_record().unwrap()?;
/// assert_eq!(record.location, Location::line("customers.csv", 2));
/// assert_eq!(record.customer_id.as_str(), "C1");
/// assert_eq!(record.attributes.text("kind"), Some("enterprise")); // a known attribute: checked
/// assert_eq!(record.attributes.text("score"), Some("7")); // typed later, by ingest_customers
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerRecord {
    /// Where the record is: its line in a file, its number among records built in
    /// memory, or whatever position the source gives it.
    pub location: Location,
    /// Who.
    pub customer_id: CustomerId,
    /// What is known of them. Text values of columns that are not known attributes
    /// ([inputs](crate::definitions#inputs)) are typed by [`ingest_customers`] once every
    /// record is read.
    pub attributes: Attributes,
}

impl CustomerRecord {
    /// A record built in memory, the `record`th (1-based) of its source `memory`. A
    /// source of its own (a database table) sets [`location`](Self::location) as it
    /// finds it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::Attributes;
    /// use customer_tiering::source::customers::CustomerRecord;
    /// use customer_tiering::{CustomerId, Location};
    /// let record = CustomerRecord::new(3, CustomerId::new("C9")?, Attributes::default());
    /// assert_eq!(record.location.to_string(), "memory: record 3");
    /// let from_crm = CustomerRecord { location: Location::row("crm.sqlite", "customers", 42), ..record };
    /// assert_eq!(from_crm.location.to_string(), "crm.sqlite: table customers, row 42");
    /// # Ok::<(), customer_tiering::profile::IdError>(())
    /// ```
    pub fn new(record: u64, customer_id: CustomerId, attributes: Attributes) -> Self {
        CustomerRecord {
            location: Location::record("memory", record),
            customer_id,
            attributes,
        }
    }
}

/// Every customer of a customers source with its attributes, and the attribute columns
/// with their types.
///
/// # Example
/// ```
/// use customer_tiering::source::{customers::read_customers, OnInvalid};
/// let data = "customer_id,region,employees\nC1,north,250\nC2,south,\n";
/// let (table, _) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Fail, |_| {})?;
/// assert_eq!(table.len(), 2);
/// assert_eq!(table.get("C1").unwrap().number("employees"), Some(250.into()));
/// assert_eq!(table.get("C2").unwrap().number("employees"), None); // an empty field: no value
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerTable {
    customers: BTreeMap<CustomerId, Attributes>,
    columns: Vec<(String, AttrType)>,
}

impl CustomerTable {
    /// The attribute columns and their types: the known ones, then the others (each
    /// group in order of first appearance, a record's attributes by name).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrType;
    ///
    /// # use customer_tiering::source::{customers::read_customers, OnInvalid};
    /// let data = "customer_id,score,region\nC1,7,north\nC2,,south\n";
    /// let (table, _) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Fail, |_| {})?;
    ///
    /// let known = ("region".to_string(), AttrType::Text);
    /// assert_eq!(table.columns(), [known, ("score".to_string(), AttrType::Number)]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &[(String, AttrType)] {
        &self.columns
    }

    /// The number of customers.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::source::{customers::read_customers, OnInvalid};
    /// let data = "customer_id,score,region\nC1,7,north\nC2,,south\n";
    /// let (table, _) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Fail, |_| {})?;
    ///
    /// assert_eq!(table.len(), 2);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether the table has no customer.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::{customers::read_customers, OnInvalid};
    /// let header = "customer_id,region\n";
    /// let (table, _) = read_customers("empty.csv", header.as_bytes(), OnInvalid::Fail, |_| {})?;
    /// assert!(table.is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// One customer's attributes.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::source::{customers::read_customers, OnInvalid};
    /// let data = "customer_id,score,region\nC1,7,north\nC2,,south\n";
    /// let (table, _) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Fail, |_| {})?;
    ///
    /// assert_eq!(table.get("C1").unwrap().text("region"), Some("north"));
    /// assert_eq!(table.get("C2").unwrap().number("score"), None); // left empty
    /// assert!(table.get("C3").is_none());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn get(&self, id: &str) -> Option<&Attributes> {
        CustomerId::new(id)
            .ok()
            .and_then(|id| self.customers.get(&id))
    }

    /// Every customer with its attributes, by id (for
    /// [`PopulationBuilder::finish_with`](crate::PopulationBuilder::finish_with)).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::PopulationBuilder;
    /// use jiff::civil::date;
    ///
    /// # use customer_tiering::source::{customers::read_customers, OnInvalid};
    /// let data = "customer_id,score,region\nC1,7,north\nC2,,south\n";
    /// let (table, _) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Fail, |_| {})?;
    ///
    /// let builder = PopulationBuilder::new(date(2026, 3, 31));
    /// let population = builder.finish_with(table.into_customers())?;
    /// assert_eq!(population.len(), 2); // both join, as customers without purchases
    /// assert_eq!(population.buyers().count(), 0);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn into_customers(self) -> BTreeMap<CustomerId, Attributes> {
        self.customers
    }
}

/// The record with its known attributes ([inputs](crate::definitions#inputs)) checked
/// against their types and written as [`parse_value`] writes them, whatever source made it:
/// a `status` of `"Prospect"` becomes `prospect`, an `employees` of text `"12"` the number
/// 12, an empty text no value.
fn with_known_types(mut record: CustomerRecord) -> Result<CustomerRecord, Box<Reject>> {
    if !record
        .attributes
        .iter()
        .any(|(name, _)| known_type(name).is_some())
    {
        return Ok(record);
    }
    let mut checked = Attributes::default();
    for (name, value) in record.attributes.iter() {
        if known_type(name).is_none() {
            checked.insert(name, value.clone());
            continue;
        }
        let text = match value {
            AttrValue::Number(n) => n.to_string(),
            AttrValue::Text(t) => t.to_string(),
        };
        match parse_value(name, &text) {
            Ok(Some(value)) => checked.insert(name, value),
            Ok(None) => {}
            Err(reason) => {
                return Err(Box::new(Reject::new(
                    record.location.clone(),
                    name,
                    text,
                    reason,
                )));
            }
        }
    }
    record.attributes = checked;
    Ok(record)
}

/// Where a customer's first record was, for the reason of a later duplicate's reject: a
/// line by its number, any other position boxed, so that this map of every customer
/// costs 16 bytes a customer instead of a whole [`Position`] (48).
enum FirstAt {
    Line(u64),
    Other(Box<Position>),
}

impl FirstAt {
    fn of(position: &Position) -> FirstAt {
        match position {
            Position::Line(line) => FirstAt::Line(*line),
            other => FirstAt::Other(Box::new(other.clone())),
        }
    }
}

impl std::fmt::Display for FirstAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FirstAt::Line(line) => Position::Line(*line).fmt(f),
            FirstAt::Other(position) => position.fmt(f),
        }
    }
}

/// Reads every customer record of `source` into a table ([bad
/// input](crate::definitions#bad-input-and-rejects)).
///
/// Under [`OnInvalid::Skip`] every reject — the source's own, and a second record for a
/// customer — is passed to `on_reject` and counted; under [`OnInvalid::Fail`] the first
/// one is returned as [`Error::Reject`].
///
/// # Errors
/// The first reject under `Fail`; a failure of the source itself under either policy.
///
/// # Example
/// ```
/// use customer_tiering::attributes::{AttrValue, Attributes};
/// use customer_tiering::source::customers::{ingest_customers, CustomerRecord};
/// use customer_tiering::source::{MemorySource, OnInvalid};
/// use customer_tiering::CustomerId;
/// let mut attrs = Attributes::default();
/// attrs.insert("tier_code", AttrValue::Text("7".into()));
/// let id = CustomerId::new("C1").unwrap();
/// let records = vec![CustomerRecord::new(1, id.clone(), attrs.clone()), CustomerRecord::new(2, id, attrs)];
/// let mut rejects = Vec::new();
/// let (table, summary) = ingest_customers(MemorySource::new(records), OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// assert_eq!((summary.accepted, summary.rejected), (1, 1));
/// assert_eq!(rejects[0].to_string(), "memory: record 2, field \"customer_id\": \"C1\": duplicate customer id (first at record 1)");
/// assert_eq!(table.get("C1").unwrap().number("tier_code"), Some(7.into())); // every value numeric
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn ingest_customers<S: Source<Record = CustomerRecord>>(
    mut source: S,
    on_invalid: OnInvalid,
    mut on_reject: impl FnMut(&Reject),
) -> Result<(CustomerTable, ReadSummary), Error> {
    let mut first_at: BTreeMap<CustomerId, FirstAt> = BTreeMap::new();
    let mut customers: BTreeMap<CustomerId, Attributes> = BTreeMap::new();
    // Columns that are not known attributes (see `definitions`, inputs): (name, every value
    // so far is a plain decimal).
    let mut other_columns: Vec<(String, bool)> = Vec::new();
    let mut known_columns: Vec<String> = Vec::new();
    let mut summary = ReadSummary::default();
    while let Some(record) = source.next_record() {
        let reject = match record.and_then(|r| with_known_types(r).map_err(Error::Reject)) {
            Ok(record) => match first_at.get(&record.customer_id) {
                Some(first) => Reject::new(
                    record.location,
                    "customer_id",
                    record.customer_id.as_str(),
                    format_args!("duplicate customer id (first at {first})"),
                ),
                None => {
                    summary.read += 1;
                    summary.accepted += 1;
                    for (name, value) in record.attributes.iter() {
                        if known_type(name).is_some() {
                            if !known_columns.iter().any(|c| c == name) {
                                known_columns.push(name.to_string());
                            }
                            continue;
                        }
                        let numeric = match value {
                            AttrValue::Number(_) => true,
                            AttrValue::Text(t) => crate::money::parse_amount(t).is_ok(),
                        };
                        match other_columns.iter_mut().find(|(c, _)| c == name) {
                            Some((_, all)) => *all &= numeric,
                            None => other_columns.push((name.to_string(), numeric)),
                        }
                    }
                    first_at.insert(
                        record.customer_id.clone(),
                        FirstAt::of(record.location.position()),
                    );
                    customers.insert(record.customer_id, record.attributes);
                    continue;
                }
            },
            Err(Error::Reject(reject)) => *reject,
            Err(fatal) => return Err(fatal),
        };
        summary.read += 1;
        summary.rejected += 1;
        match on_invalid {
            OnInvalid::Fail => return Err(reject.into()),
            OnInvalid::Skip => on_reject(&reject),
        }
    }
    let mut columns: Vec<(String, AttrType)> = Vec::new();
    for name in known_columns {
        let kind = known_type(&name).unwrap_or(AttrType::Text);
        columns.push((name, kind));
    }
    for (name, all_numeric) in other_columns {
        if all_numeric {
            for attributes in customers.values_mut() {
                if let Some(AttrValue::Text(t)) = attributes.get(&name) {
                    let number = crate::money::parse_amount(t).expect("checked numeric above");
                    attributes.insert(&name, AttrValue::Number(number));
                }
            }
        } else {
            for attributes in customers.values_mut() {
                if let Some(AttrValue::Number(n)) = attributes.get(&name) {
                    let text = AttrValue::Text(SmolStr::new(n.to_string()));
                    attributes.insert(&name, text);
                }
            }
        }
        columns.push((
            name,
            if all_numeric {
                AttrType::Number
            } else {
                AttrType::Text
            },
        ));
    }
    Ok((CustomerTable { customers, columns }, summary))
}

/// Customer records read from CSV with a header: `customer_id` and attribute columns.
///
/// Rejected here, with file, line, field, raw value and reason: an empty or over-long
/// id, a row with too few or too many fields, and a known attribute that does not fit
/// its type. (A second row for a customer is rejected by [`ingest_customers`].)
///
/// # Example
/// ```
/// use customer_tiering::source::customers::{ingest_customers, CsvCustomers};
/// use customer_tiering::source::OnInvalid;
/// let data = "customer_id,status\nC1,Target\nC2,lead\n";
/// let source = CsvCustomers::from_reader("customers.csv", data.as_bytes())?;
/// let mut rejects = Vec::new();
/// let (table, _) = ingest_customers(source, OnInvalid::Skip, |r| rejects.push(r.to_string()))?;
/// assert_eq!(table.get("C1").unwrap().text("status"), Some("target"));
/// assert_eq!(
///     rejects,
///     ["customers.csv: line 3, field \"status\": \"lead\": \
///       status must be one of non_customer, prospect, target"]
/// );
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug)]
pub struct CsvCustomers<R> {
    origin: String,
    records: Records<Decoding<R>>,
    fields: FieldFormat,
    names: Vec<String>,
    id_column: usize,
}

impl CsvCustomers<File> {
    /// Opens a file and reads its header.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::MissingColumn`] without a
    /// `customer_id` column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::customers::{ingest_customers, CsvCustomers};
    /// use customer_tiering::source::OnInvalid;
    /// use customer_tiering::Error;
    /// let path = std::env::temp_dir().join(format!("customers-{}.csv", std::process::id()));
    /// std::fs::write(&path, "customer_id,status\nP1,Prospect\n")?;
    /// let source = CsvCustomers::from_path(&path)?;
    /// let (table, _) = ingest_customers(source, OnInvalid::Fail, |_| {})?;
    /// assert_eq!(table.get("P1").unwrap().text("status"), Some("prospect"));
    /// assert!(matches!(CsvCustomers::from_path("no/such/customers.csv"), Err(Error::Io { .. })));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, Error> {
        CsvCustomers::open(path, &InputFormat::default())
    }

    /// Opens a file written in a declared `format` and reads its header. Numeric
    /// attributes are read with the format's separators and currency symbol.
    ///
    /// # Errors
    /// As [`from_path`](Self::from_path); [`Error::Config`] for a format whose keys
    /// clash.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::{DecimalSeparator, InputFormat};
    /// use customer_tiering::source::customers::{ingest_customers, CsvCustomers};
    /// use customer_tiering::source::OnInvalid;
    /// use rust_decimal::dec;
    /// let path = std::env::temp_dir().join(format!("kunden-{}.csv", std::process::id()));
    /// std::fs::write(&path, "customer_id;satisfaction\nK1;4,5\n")?;
    /// let format = InputFormat { delimiter: b';', decimal_separator: DecimalSeparator::Comma, ..InputFormat::default() };
    /// let (table, _) = ingest_customers(CsvCustomers::open(&path, &format)?, OnInvalid::Fail, |_| {})?;
    /// assert_eq!(table.get("K1").unwrap().number("satisfaction"), Some(dec!(4.5)));
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn open(path: impl AsRef<Path>, format: &InputFormat) -> Result<Self, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        CsvCustomers::with_format(&path.display().to_string(), file, format)
    }
}

impl<R: Read> CsvCustomers<R> {
    /// Reads the header from any reader; `origin` names the source in rejects.
    ///
    /// # Errors
    /// As [`CsvCustomers::from_path`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::source::customers::CsvCustomers;
    /// use customer_tiering::source::Source;
    /// let source = CsvCustomers::from_reader("crm-export", "customer_id,region\n".as_bytes())?;
    /// assert_eq!(source.origin(), "crm-export");
    /// let err = CsvCustomers::from_reader("crm-export", "id,region\n".as_bytes()).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"crm-export: missing required column "customer_id" (header: id,region)"#
    /// );
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn from_reader(origin: &str, reader: R) -> Result<Self, Error> {
        CsvCustomers::with_format(origin, reader, &InputFormat::default())
    }

    /// Reads the header of a reader written in a declared `format`.
    ///
    /// # Errors
    /// As [`open`](CsvCustomers::open).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputFormat;
    /// use customer_tiering::source::customers::CsvCustomers;
    /// let tabs = InputFormat { delimiter: b'\t', ..InputFormat::default() };
    /// assert!(CsvCustomers::with_format("crm.tsv", "customer_id\tregion\n".as_bytes(), &tabs).is_ok());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn with_format(origin: &str, reader: R, format: &InputFormat) -> Result<Self, Error> {
        // CRM exports put line breaks in quoted notes: customers' records may span lines.
        let (mut records, names) = open_records(origin, reader, format, true)?;
        let Some(id_column) = names.iter().position(|n| n == "customer_id") else {
            return Err(Error::MissingColumn {
                source_name: origin.to_string(),
                column: "customer_id".into(),
                header: names.join(","),
                hints: first_lines_hints(&mut records, &names, format).into(),
            });
        };
        Ok(CsvCustomers {
            origin: origin.to_string(),
            records,
            fields: FieldFormat::of(format),
            names,
            id_column,
        })
    }
}

/// One customer record from a row, or the reject naming the first field that fails.
fn parse_customer(
    origin: &str,
    names: &[String],
    id_column: usize,
    fields: &FieldFormat,
    row: &Row<'_>,
) -> Result<CustomerRecord, Error> {
    let line = row.line;
    let reject = |field: &str, raw: &[u8], reason: String| -> Error {
        Reject::of_field(origin, line, field, raw, reason).into()
    };
    let raw_id = row.get(id_column);
    let customer_id =
        CustomerId::from_bytes(raw_id).map_err(|e| reject("customer_id", raw_id, e.to_string()))?;
    let mut attributes = Attributes::default();
    // A column without a name holds nothing anyone can refer to.
    for (i, name) in names
        .iter()
        .enumerate()
        .filter(|(i, name)| *i != id_column && !name.is_empty())
    {
        let raw = row.get(i);
        let text =
            std::str::from_utf8(raw).map_err(|_| reject(name, raw, "not valid UTF-8".into()))?;
        let value = attribute_value(name, text, Some(fields.amounts()))
            .map_err(|reason| reject(name, raw, reason))?;
        if let Some(value) = value {
            attributes.insert(name, value);
        }
    }
    Ok(CustomerRecord {
        location: Location::line(origin, line),
        customer_id,
        attributes,
    })
}

/// An attribute's value from its text, for any customers source: a known attribute by
/// its type; any other as text, typed per column by [`ingest_customers`] once every
/// record is read. Under a `declared` amount format other than the crate's own, a
/// number attribute, and any other that reads as a number, is read with its
/// separators and symbol. None for an empty text.
///
/// # Errors
/// Why the text does not fit the attribute's type.
pub(super) fn attribute_value(
    name: &str,
    text: &str,
    declared: Option<&AmountFormat>,
) -> Result<Option<AttrValue>, String> {
    let text = text.trim_ascii();
    if text.is_empty() {
        return Ok(None);
    }
    let declared = declared.filter(|amounts| !amounts.is_plain());
    let as_text = || AttrValue::Text(SmolStr::new(text));
    match (known_type(name), declared) {
        (Some(AttrType::Number), Some(amounts)) => amounts
            .read(text.as_bytes())
            .map(|number| Some(AttrValue::Number(number)))
            .map_err(|e| e.to_string()),
        (Some(_), _) => parse_value(name, text),
        (None, Some(amounts)) => Ok(Some(
            amounts
                .read(text.as_bytes())
                .map_or_else(|_| as_text(), AttrValue::Number),
        )),
        (None, None) => Ok(Some(as_text())),
    }
}

impl<R: Read> Source for CsvCustomers<R> {
    type Record = CustomerRecord;

    fn origin(&self) -> &str {
        &self.origin
    }

    fn next_record(&mut self) -> Option<Result<CustomerRecord, Error>> {
        let row = self.records.next_row(&self.origin, self.names.len())?;
        Some(row.and_then(|row| {
            parse_customer(
                &self.origin,
                &self.names,
                self.id_column,
                &self.fields,
                &row,
            )
        }))
    }
}

/// Reads a customers CSV file: [`CsvCustomers`] through [`ingest_customers`].
///
/// # Errors
/// As both.
///
/// # Example
/// ```
/// use customer_tiering::source::customers::read_customers;
/// use customer_tiering::source::OnInvalid;
/// let data = "customer_id,status,satisfaction,segment_code\nC1,target,,A7\nC2,,4.5,12\nC1,prospect,1,9\n";
/// let mut rejects = Vec::new();
/// let (table, summary) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// assert_eq!((summary.read, summary.accepted, summary.rejected), (3, 2, 1));
/// assert_eq!(rejects[0].reason(), "duplicate customer id (first at line 2)");
/// assert_eq!(table.get("C1").unwrap().text("status"), Some("target"));
/// assert_eq!(table.get("C2").unwrap().text("segment_code"), Some("12")); // "A7" makes the column text
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn read_customers<R: Read>(
    origin: &str,
    reader: R,
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<(CustomerTable, ReadSummary), Error> {
    ingest_customers(
        CsvCustomers::from_reader(origin, reader)?,
        on_invalid,
        on_reject,
    )
}

/// Reads a customers CSV file by path; see [`read_customers`].
///
/// # Errors
/// As [`read_customers`].
///
/// # Example
/// ```
/// use customer_tiering::source::customers::read_customers_path;
/// use customer_tiering::source::OnInvalid;
/// let path = std::env::temp_dir().join(format!("crm-{}.csv", std::process::id()));
/// std::fs::write(&path, "customer_id,employees\nC1,250\nC1,300\n")?;
/// let mut rejects = Vec::new();
/// let (table, summary) =
///     read_customers_path(&path, OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// assert_eq!((summary.accepted, summary.rejected), (1, 1));
/// assert_eq!(table.get("C1").unwrap().number("employees"), Some(250.into())); // the first is kept
/// assert_eq!(rejects[0].location().to_string(), format!("{}: line 3", path.display()));
/// # std::fs::remove_file(&path)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_customers_path(
    path: impl AsRef<Path>,
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<(CustomerTable, ReadSummary), Error> {
    ingest_customers(CsvCustomers::from_path(path)?, on_invalid, on_reject)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_from_memory_are_checked_like_csv_rows() {
        use crate::source::MemorySource;
        let record = |number: u64, id: &str, attrs: &[(&str, AttrValue)]| {
            let mut attributes = Attributes::default();
            for (name, value) in attrs {
                attributes.insert(name, value.clone());
            }
            CustomerRecord::new(number, CustomerId::new(id).unwrap(), attributes)
        };
        let text = |t: &str| AttrValue::Text(t.into());
        let records = vec![
            record(
                1,
                "C1",
                &[("status", text("Prospect")), ("employees", text("12"))],
            ),
            record(2, "C2", &[("employees", text("many"))]),
            record(3, "C3", &[("status", text("vip")), ("note", text("x"))]),
            record(
                4,
                "C4",
                &[
                    ("kind", text("")),
                    ("employees", AttrValue::Number(5.into())),
                ],
            ),
        ];
        let mut rejects = Vec::new();
        let (table, summary) = ingest_customers(MemorySource::new(records), OnInvalid::Skip, |r| {
            rejects.push(r.to_string())
        })
        .unwrap();
        assert_eq!((summary.accepted, summary.rejected), (2, 2), "{rejects:?}");
        assert_eq!(
            rejects[0],
            "memory: record 2, field \"employees\": \"many\": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"
        );
        assert!(
            rejects[1]
                .starts_with("memory: record 3, field \"status\": \"vip\": status must be one of"),
            "{}",
            rejects[1]
        );
        let c1 = table.get("C1").unwrap();
        assert_eq!(c1.text("status"), Some("prospect"));
        assert_eq!(c1.number("employees"), Some(12.into()));
        let c4 = table.get("C4").unwrap();
        assert_eq!(
            (c4.get("kind"), c4.number("employees")),
            (None, Some(5.into()))
        );
    }

    #[test]
    fn known_attributes_are_typed_and_rejects_located() {
        let data = "customer_id,kind,employees,credit_rating\n\
                    C1,Enterprise,250,D\n\
                    C2,company,3,A\n\
                    C3,individual,many,B\n\
                    ,individual,1,A\n\
                    C4,channel\n";
        let mut rejects = Vec::new();
        let (table, summary) = read_customers("c.csv", data.as_bytes(), OnInvalid::Skip, |r| {
            rejects.push(r.to_string())
        })
        .unwrap();
        assert_eq!(
            (summary.read, summary.accepted, summary.rejected),
            (5, 1, 4)
        );
        assert_eq!(
            rejects,
            [
                r#"c.csv: line 3, field "kind": "company": kind must be one of individual, enterprise, channel, internal"#,
                r#"c.csv: line 4, field "employees": "many": not a decimal of the form -?[0-9]+(.[0-9]+)? (no sign +, exponent, grouping or currency)"#,
                r#"c.csv: line 5, field "customer_id": "": empty customer id"#,
                r#"c.csv: line 6, field "record": "C4,channel": expected 4 fields, found 2"#,
            ]
        );
        let c1 = table.get("C1").unwrap();
        assert_eq!(c1.text("kind"), Some("enterprise"));
        assert_eq!(c1.number("employees"), Some(250.into()));
        let mut columns = table.columns().to_vec();
        columns.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            columns,
            [
                ("credit_rating".to_string(), AttrType::Text),
                ("employees".to_string(), AttrType::Number),
                ("kind".to_string(), known_type("kind").unwrap()),
            ]
        );
    }

    #[test]
    fn fail_stops_at_the_first_duplicate() {
        let data = "customer_id,region\nC1,north\nC1,south\n";
        let err = read_customers("c.csv", data.as_bytes(), OnInvalid::Fail, |_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"c.csv: line 3, field "customer_id": "C1": duplicate customer id (first at line 2)"#
        );
    }

    #[test]
    fn a_duplicate_names_where_the_first_was_in_its_source_s_own_terms() {
        use crate::source::MemorySource;
        let id = CustomerId::new("C1").unwrap();
        let at = |key: u64| CustomerRecord {
            location: Location::row("crm.sqlite", "customers", key),
            ..CustomerRecord::new(0, id.clone(), Attributes::default())
        };
        let records = vec![at(7), at(42)];
        let err =
            ingest_customers(MemorySource::new(records), OnInvalid::Fail, |_| {}).unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"crm.sqlite: table customers, row 42, field "customer_id": "C1": duplicate customer id (first at table customers, row 7)"#
        );
        assert_eq!(std::mem::size_of::<FirstAt>(), 16);
    }

    #[test]
    fn other_columns_are_numbers_only_when_every_value_is() {
        let data = "customer_id,score,code\nC1,1.5,A1\nC2,,2\nC3,-2,3\n";
        let (table, _) = read_customers("c.csv", data.as_bytes(), OnInvalid::Fail, |_| {}).unwrap();
        assert_eq!(table.get("C3").unwrap().number("score"), Some((-2).into()));
        assert_eq!(table.get("C3").unwrap().text("code"), Some("3"));
        assert_eq!(
            table.columns(),
            [
                ("code".to_string(), AttrType::Text),
                ("score".to_string(), AttrType::Number)
            ]
        );
    }
}
