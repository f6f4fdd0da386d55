//! Customer attributes (SPEC §1): the typed known ones (`kind`, `status`,
//! `credit_rating`, `satisfaction` …) and any other named number or text label.

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// One attribute value: an exact number or a text label.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrValue {
    /// A decimal (`employees`, `satisfaction`, any numeric column).
    Number(#[serde(with = "rust_decimal::serde::str")] Decimal),
    /// A label (`enterprise`, `D`, `retail`).
    Text(SmolStr),
}

impl AttrValue {
    /// The number, if this is one.
    pub fn as_number(&self) -> Option<Decimal> {
        match self {
            AttrValue::Number(n) => Some(*n),
            AttrValue::Text(_) => None,
        }
    }

    /// The text, if this is a label.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            AttrValue::Text(t) => Some(t),
            AttrValue::Number(_) => None,
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Number(n) => write!(f, "{n}"),
            AttrValue::Text(t) => f.write_str(t),
        }
    }
}

/// The type a known attribute must have, and for labels the values it may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// Any decimal.
    Number,
    /// Any text.
    Text,
    /// One of a fixed set of lower-case labels.
    OneOf(&'static [&'static str]),
}

/// The attributes SPEC §1 names, with their types. Any other column is a number when
/// its value is a plain decimal and a text label otherwise.
pub const KNOWN_ATTRIBUTES: &[(&str, AttrType)] = &[
    (
        "kind",
        AttrType::OneOf(&["individual", "enterprise", "channel", "internal"]),
    ),
    ("industry", AttrType::Text),
    ("region", AttrType::Text),
    ("employees", AttrType::Number),
    ("annual_revenue", AttrType::Number),
    ("credit_rating", AttrType::Text),
    (
        "status",
        AttrType::OneOf(&["non_customer", "prospect", "target"]),
    ),
    ("satisfaction", AttrType::Number),
    ("complaints", AttrType::Number),
    ("intent", AttrType::OneOf(&["a", "b", "c"])),
];

/// The declared type of a known attribute.
pub fn known_type(name: &str) -> Option<AttrType> {
    KNOWN_ATTRIBUTES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, t)| *t)
}

/// Parses one attribute value by its column's type: a known attribute must fit its
/// type (labels of a fixed set are matched case-insensitively and stored lower-case);
/// any other column becomes a number when it is a plain decimal (SPEC §1 grammar),
/// text otherwise. An empty field is no value.
///
/// # Errors
/// A reason, when a known attribute does not fit its type.
///
/// # Example
/// ```
/// use customer_tiering::attributes::{parse_value, AttrValue};
/// assert_eq!(parse_value("status", " Target "), Ok(Some(AttrValue::Text("target".into()))));
/// assert!(parse_value("status", "customer").is_err());
/// assert_eq!(parse_value("employees", ""), Ok(None));
/// assert!(matches!(parse_value("vip_score", "7.5"), Ok(Some(AttrValue::Number(_)))));
/// ```
pub fn parse_value(name: &str, raw: &str) -> Result<Option<AttrValue>, String> {
    let text = raw.trim_ascii();
    if text.is_empty() {
        return Ok(None);
    }
    match known_type(name) {
        Some(AttrType::Number) => crate::money::parse_amount(text)
            .map(|n| Some(AttrValue::Number(n)))
            .map_err(|e| e.to_string()),
        Some(AttrType::Text) => Ok(Some(AttrValue::Text(SmolStr::new(text)))),
        Some(AttrType::OneOf(allowed)) => {
            let lower = text.to_ascii_lowercase();
            if allowed.contains(&lower.as_str()) {
                Ok(Some(AttrValue::Text(SmolStr::new(lower))))
            } else {
                Err(format!("{name} must be one of {}", allowed.join(", ")))
            }
        }
        None => Ok(Some(match crate::money::parse_amount(text) {
            Ok(n) => AttrValue::Number(n),
            Err(_) => AttrValue::Text(SmolStr::new(text)),
        })),
    }
}

/// A customer's attributes by name; absent means unknown.
///
/// # Example
/// ```
/// use customer_tiering::attributes::{Attributes, AttrValue};
/// use rust_decimal::dec;
/// let mut attrs = Attributes::default();
/// attrs.insert("satisfaction", AttrValue::Number(dec!(4.5)));
/// attrs.insert("credit_rating", AttrValue::Text("D".into()));
/// assert_eq!(attrs.number("satisfaction"), Some(dec!(4.5)));
/// assert_eq!(attrs.text("credit_rating"), Some("D"));
/// assert_eq!(attrs.text("status"), None);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Attributes(BTreeMap<SmolStr, AttrValue>);

impl Attributes {
    /// Sets an attribute.
    pub fn insert(&mut self, name: &str, value: AttrValue) {
        self.0.insert(SmolStr::new(name), value);
    }

    /// An attribute's value.
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.0.get(name)
    }

    /// A numeric attribute's value.
    pub fn number(&self, name: &str) -> Option<Decimal> {
        self.get(name).and_then(AttrValue::as_number)
    }

    /// A text attribute's value.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(AttrValue::as_text)
    }

    /// Whether no attribute is known.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every attribute, by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}
