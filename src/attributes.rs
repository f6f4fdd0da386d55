//! Customer attributes ([inputs](crate::definitions#inputs)): the typed known ones (`kind`,
//! `status`, `credit_rating`, `satisfaction` …) and any other named number or text label.
//!
//! # Example
//! ```
//! use customer_tiering::attributes::{parse_value, Attributes};
//! use rust_decimal::dec;
//!
//! let mut attrs = Attributes::default();
//! for (name, raw) in [("kind", "Enterprise"), ("employees", "250"), ("vip_score", "A+")] {
//!     if let Some(value) = parse_value(name, raw)? {
//!         attrs.insert(name, value);
//!     }
//! }
//! assert_eq!(attrs.text("kind"), Some("enterprise")); // a fixed label set, stored lower-case
//! assert_eq!(attrs.number("employees"), Some(dec!(250)));
//! assert_eq!(attrs.text("vip_score"), Some("A+")); // not a decimal: a text label
//! assert!(parse_value("employees", "many").is_err());
//! # Ok::<(), String>(())
//! ```

use std::collections::BTreeMap;
use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// One attribute value: an exact number or a text label.
///
/// # Example
/// ```
/// use customer_tiering::attributes::AttrValue;
/// use rust_decimal::dec;
/// let rating = AttrValue::Number(dec!(4.50));
/// assert_eq!(rating.to_string(), "4.50");
/// assert_eq!(serde_json::to_string(&rating)?, r#"{"number":"4.50"}"#);
/// assert_eq!(AttrValue::Text("enterprise".into()).to_string(), "enterprise");
/// # Ok::<(), serde_json::Error>(())
/// ```
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
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrValue;
    /// use rust_decimal::dec;
    /// assert_eq!(AttrValue::Number(dec!(250)).as_number(), Some(dec!(250)));
    /// assert_eq!(AttrValue::Text("250".into()).as_number(), None); // text, even if numeric
    /// ```
    pub fn as_number(&self) -> Option<Decimal> {
        match self {
            AttrValue::Number(n) => Some(*n),
            AttrValue::Text(_) => None,
        }
    }

    /// The text, if this is a label.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::AttrValue;
    /// use rust_decimal::dec;
    /// assert_eq!(AttrValue::Text("north".into()).as_text(), Some("north"));
    /// assert_eq!(AttrValue::Number(dec!(3)).as_text(), None);
    /// ```
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
///
/// # Example
/// ```
/// use customer_tiering::attributes::{known_type, AttrType};
/// assert_eq!(known_type("employees"), Some(AttrType::Number));
/// let Some(AttrType::OneOf(kinds)) = known_type("kind") else { panic!("kind is a label set") };
/// assert_eq!(kinds, ["individual", "enterprise", "channel", "internal"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrType {
    /// Any decimal.
    Number,
    /// Any text.
    Text,
    /// One of a fixed set of lower-case labels.
    OneOf(&'static [&'static str]),
}

/// The known attributes of [inputs](crate::definitions#inputs) (and `intent`, the A/B/C
/// [purchase intent](crate::definitions#purchase-intent)), with their types. Any other
/// column is a number when its value is a plain decimal and a text label otherwise.
///
/// # Example
/// ```
/// use customer_tiering::attributes::{AttrType, KNOWN_ATTRIBUTES};
/// let numeric: Vec<&str> = KNOWN_ATTRIBUTES
///     .iter()
///     .filter(|(_, kind)| *kind == AttrType::Number)
///     .map(|(name, _)| *name)
///     .collect();
/// assert_eq!(numeric, ["employees", "annual_revenue", "satisfaction", "complaints"]);
/// ```
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
///
/// # Example
/// ```
/// use customer_tiering::attributes::{known_type, AttrType};
/// assert_eq!(known_type("region"), Some(AttrType::Text));
/// assert_eq!(known_type("vip_score"), None); // any other column is typed by its values
/// ```
pub fn known_type(name: &str) -> Option<AttrType> {
    KNOWN_ATTRIBUTES
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, t)| *t)
}

/// Parses one attribute value by its column's type: a known attribute must fit its type
/// (labels of a fixed set are matched case-insensitively and stored lower-case); any other
/// column becomes a number when it is a plain decimal ([inputs](crate::definitions#inputs)
/// grammar), text otherwise. An empty field is no value.
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
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{AttrValue, Attributes};
    /// let mut attrs = Attributes::default();
    /// attrs.insert("region", AttrValue::Text("north".into()));
    /// attrs.insert("region", AttrValue::Text("south".into())); // replaces the value
    /// assert_eq!(attrs.text("region"), Some("south"));
    /// ```
    pub fn insert(&mut self, name: &str, value: AttrValue) {
        self.0.insert(SmolStr::new(name), value);
    }

    /// An attribute's value.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{AttrValue, Attributes};
    /// use rust_decimal::dec;
    /// let mut attrs = Attributes::default();
    /// attrs.insert("employees", AttrValue::Number(dec!(250)));
    /// assert_eq!(attrs.get("employees"), Some(&AttrValue::Number(dec!(250))));
    /// assert_eq!(attrs.get("region"), None); // unknown
    /// ```
    pub fn get(&self, name: &str) -> Option<&AttrValue> {
        self.0.get(name)
    }

    /// A numeric attribute's value.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{AttrValue, Attributes};
    /// use rust_decimal::dec;
    /// let mut attrs = Attributes::default();
    /// attrs.insert("satisfaction", AttrValue::Number(dec!(4.5)));
    /// attrs.insert("credit_rating", AttrValue::Text("AA".into()));
    /// assert_eq!(attrs.number("satisfaction"), Some(dec!(4.5)));
    /// assert_eq!(attrs.number("credit_rating"), None); // a label, not a number
    /// ```
    pub fn number(&self, name: &str) -> Option<Decimal> {
        self.get(name).and_then(AttrValue::as_number)
    }

    /// A text attribute's value.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{AttrValue, Attributes};
    /// use rust_decimal::dec;
    /// let mut attrs = Attributes::default();
    /// attrs.insert("credit_rating", AttrValue::Text("AA".into()));
    /// attrs.insert("complaints", AttrValue::Number(dec!(2)));
    /// assert_eq!(attrs.text("credit_rating"), Some("AA"));
    /// assert_eq!(attrs.text("complaints"), None); // a number, not a label
    /// ```
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(AttrValue::as_text)
    }

    /// Whether no attribute is known.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{AttrValue, Attributes};
    /// let mut attrs = Attributes::default();
    /// assert!(attrs.is_empty());
    /// attrs.insert("kind", AttrValue::Text("channel".into()));
    /// assert!(!attrs.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every attribute, by name.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::attributes::{AttrValue, Attributes};
    /// use rust_decimal::dec;
    /// let mut attrs = Attributes::default();
    /// attrs.insert("region", AttrValue::Text("north".into()));
    /// attrs.insert("employees", AttrValue::Number(dec!(12)));
    /// let pairs: Vec<String> = attrs.iter().map(|(name, v)| format!("{name}={v}")).collect();
    /// assert_eq!(pairs, ["employees=12", "region=north"]); // by name
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }
}
