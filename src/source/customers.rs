//! Customer attributes from CSV (SPEC §1, §12): one row per customer, `customer_id` plus
//! any attribute columns.
//!
//! Known attributes (`kind`, `status`, `satisfaction` …) are checked against their type;
//! any other column becomes a number column when every value in it is a plain decimal,
//! a text column otherwise. A second row for the same customer is a reject (the first
//! is kept).

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use csv::ByteRecord;
use smol_str::SmolStr;

use super::{OnInvalid, ReadSummary};
use crate::attributes::{AttrType, AttrValue, Attributes, known_type, parse_value};
use crate::error::{Error, Location, Reject};
use crate::profile::CustomerId;

/// Every customer of a customers file with its attributes, and the attribute columns
/// with their types.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerTable {
    customers: BTreeMap<CustomerId, Attributes>,
    columns: Vec<(String, AttrType)>,
}

impl CustomerTable {
    /// A table from customers already in memory; column types are taken from the known
    /// attributes, and for other names from the values (number only when all are).
    pub fn from_memory(rows: impl IntoIterator<Item = (CustomerId, Attributes)>) -> Self {
        let customers: BTreeMap<CustomerId, Attributes> = rows.into_iter().collect();
        let mut names: Vec<String> = customers
            .values()
            .flat_map(|a| a.iter().map(|(name, _)| name.to_string()))
            .collect();
        names.sort();
        names.dedup();
        let columns = names
            .into_iter()
            .map(|name| {
                let kind = known_type(&name).unwrap_or_else(|| {
                    let all_numbers = customers
                        .values()
                        .filter_map(|a| a.get(&name))
                        .all(|v| v.as_number().is_some());
                    if all_numbers {
                        AttrType::Number
                    } else {
                        AttrType::Text
                    }
                });
                (name, kind)
            })
            .collect();
        CustomerTable { customers, columns }
    }

    /// The attribute columns and their types, in file order.
    pub fn columns(&self) -> &[(String, AttrType)] {
        &self.columns
    }

    /// The number of customers.
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether the table has no customer.
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// One customer's attributes.
    pub fn get(&self, id: &str) -> Option<&Attributes> {
        CustomerId::new(id)
            .ok()
            .and_then(|id| self.customers.get(&id))
    }

    /// Every customer with its attributes, by id.
    pub fn into_customers(self) -> BTreeMap<CustomerId, Attributes> {
        self.customers
    }
}

/// Reads a customers CSV (header with `customer_id` and attribute columns).
///
/// Rejected (SPEC §12), with file, line, field, raw value and reason: an empty or
/// over-long id, a row with too few or too many fields, a known attribute that does not
/// fit its type, and a second row for a customer. Under [`OnInvalid::Fail`] the first
/// reject stops the read; under [`OnInvalid::Skip`] each is passed to `on_reject`.
///
/// # Errors
/// [`Error::Io`] for an unreadable file, [`Error::MissingColumn`] without a
/// `customer_id` column, the first reject under `Fail`.
///
/// # Example
/// ```
/// use customer_tiering::source::customers::read_customers;
/// use customer_tiering::source::OnInvalid;
/// let data = "customer_id,status,satisfaction,segment_code\nC1,target,,A7\nC2,,4.5,12\nC1,prospect,1,9\n";
/// let mut rejects = Vec::new();
/// let (table, summary) = read_customers("customers.csv", data.as_bytes(), OnInvalid::Skip, |r| rejects.push(r.clone()))?;
/// assert_eq!((summary.read, summary.accepted, summary.rejected), (3, 2, 1));
/// assert_eq!(rejects[0].reason, "duplicate customer id (first at line 2)");
/// assert_eq!(table.get("C1").unwrap().text("status"), Some("target"));
/// assert_eq!(table.get("C2").unwrap().text("segment_code"), Some("12")); // "A7" makes the column text
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub fn read_customers<R: Read>(
    origin: &str,
    reader: R,
    on_invalid: OnInvalid,
    mut on_reject: impl FnMut(&Reject),
) -> Result<(CustomerTable, ReadSummary), Error> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let header = reader
        .byte_headers()
        .map_err(|e| super::csv::csv_error(origin, e))?
        .clone();
    let names = super::csv::header_names(&header);
    let id_column = names
        .iter()
        .position(|n| n == "customer_id")
        .ok_or_else(|| Error::MissingColumn {
            source_name: origin.to_string(),
            column: "customer_id".into(),
            header: names.join(","),
        })?;
    let attribute_columns: Vec<usize> = (0..names.len()).filter(|&i| i != id_column).collect();
    let mut first_line: BTreeMap<CustomerId, u64> = BTreeMap::new();
    let mut customers: BTreeMap<CustomerId, Attributes> = BTreeMap::new();
    // Columns not known by SPEC stay text until every value has been seen.
    let mut all_numeric = vec![true; names.len()];
    let mut summary = ReadSummary::default();
    let mut record = ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(super::csv::csv_error(origin, e)),
        }
        summary.read += 1;
        let line = record.position().map_or(0, |p| p.line());
        let reject = |field: &str, raw: &[u8], reason: String| Reject {
            location: Location {
                source: origin.to_string(),
                line,
            },
            field: field.to_string(),
            value: String::from_utf8_lossy(raw).into_owned(),
            reason,
        };
        let parsed = parse_row(
            &record,
            &names,
            id_column,
            &attribute_columns,
            &first_line,
            &reject,
        );
        match parsed {
            Ok((id, attributes)) => {
                for &i in &attribute_columns {
                    if let Some(AttrValue::Text(t)) = attributes.get(&names[i]) {
                        all_numeric[i] &= crate::money::parse_amount(t).is_ok();
                    }
                }
                first_line.insert(id.clone(), line);
                customers.insert(id, attributes);
                summary.accepted += 1;
            }
            Err(reject) => {
                summary.rejected += 1;
                match on_invalid {
                    OnInvalid::Fail => return Err(reject.into()),
                    OnInvalid::Skip => on_reject(&reject),
                }
            }
        }
    }
    let mut columns = Vec::new();
    for &i in &attribute_columns {
        let name = &names[i];
        let kind = match known_type(name) {
            Some(kind) => kind,
            None if all_numeric[i] => {
                for attributes in customers.values_mut() {
                    if let Some(AttrValue::Text(t)) = attributes.get(name) {
                        let number = crate::money::parse_amount(t).expect("checked numeric above");
                        attributes.insert(name, AttrValue::Number(number));
                    }
                }
                AttrType::Number
            }
            None => AttrType::Text,
        };
        columns.push((name.clone(), kind));
    }
    Ok((CustomerTable { customers, columns }, summary))
}

/// Reads a customers CSV file; see [`read_customers`].
///
/// # Errors
/// As [`read_customers`].
pub fn read_customers_path(
    path: impl AsRef<Path>,
    on_invalid: OnInvalid,
    on_reject: impl FnMut(&Reject),
) -> Result<(CustomerTable, ReadSummary), Error> {
    let path = path.as_ref();
    let file = File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_customers(&path.display().to_string(), file, on_invalid, on_reject)
}

fn parse_row(
    record: &ByteRecord,
    names: &[String],
    id_column: usize,
    attribute_columns: &[usize],
    first_line: &BTreeMap<CustomerId, u64>,
    reject: &impl Fn(&str, &[u8], String) -> Reject,
) -> Result<(CustomerId, Attributes), Reject> {
    if record.len() != names.len() {
        let joined: Vec<&[u8]> = record.iter().collect();
        return Err(reject(
            "record",
            &joined.join(&b","[..]),
            format!("expected {} fields, found {}", names.len(), record.len()),
        ));
    }
    let raw_id = &record[id_column];
    let id =
        CustomerId::from_bytes(raw_id).map_err(|e| reject("customer_id", raw_id, e.to_string()))?;
    if let Some(first) = first_line.get(&id) {
        return Err(reject(
            "customer_id",
            raw_id,
            format!("duplicate customer id (first at line {first})"),
        ));
    }
    let mut attributes = Attributes::default();
    for &i in attribute_columns {
        let raw = &record[i];
        let text = std::str::from_utf8(raw)
            .map_err(|_| reject(&names[i], raw, "not valid UTF-8".into()))?;
        let value = if known_type(&names[i]).is_some() {
            parse_value(&names[i], text).map_err(|reason| reject(&names[i], raw, reason))?
        } else {
            // Decided per column once the whole file is read.
            Some(text.trim_ascii())
                .filter(|t| !t.is_empty())
                .map(|t| AttrValue::Text(SmolStr::new(t)))
        };
        if let Some(value) = value {
            attributes.insert(&names[i], value);
        }
    }
    Ok((id, attributes))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(
            table.columns(),
            [
                ("kind".to_string(), known_type("kind").unwrap()),
                ("employees".to_string(), AttrType::Number),
                ("credit_rating".to_string(), AttrType::Text)
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
    fn other_columns_are_numbers_only_when_every_value_is() {
        let data = "customer_id,score,code\nC1,1.5,A1\nC2,,2\nC3,-2,3\n";
        let (table, _) = read_customers("c.csv", data.as_bytes(), OnInvalid::Fail, |_| {}).unwrap();
        assert_eq!(table.get("C3").unwrap().number("score"), Some((-2).into()));
        assert_eq!(table.get("C3").unwrap().text("code"), Some("3"));
        assert_eq!(table.columns()[0].1, AttrType::Number);
        assert_eq!(table.columns()[1].1, AttrType::Text);
    }
}
