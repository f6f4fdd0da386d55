//! Declared input formats: how an export writes its fields, so that it is read exactly
//! as declared and never guessed.
//!
//! The crate's own format is plain: comma-separated, `"` quotes, UTF-8, amounts like
//! `-1234.50` (a dot, no grouping, no symbol), dates like `2024-12-31`. CRM and
//! spreadsheet exports differ: a German one writes `Kunde;Datum;Betrag` and
//! `31.12.2024;1.890,00`, a Chinese one is in GBK or Big5, a US Excel one quotes
//! `"1,890.00"`. An [`InputFormat`] declares such a dialect:
//!
//! | key | values | default |
//! |---|---|---|
//! | `delimiter` | one ASCII character, or `tab` | `,` |
//! | `quote` | one ASCII character | `"` |
//! | `decimal_separator` | `.` or `,` | `.` |
//! | `thousands_separator` | `none`, `,`, `.`, `space` (also U+00A0 and U+202F), `'` | `none` |
//! | `date_format` | `%Y`, `%m`, `%d` between literal separators ([`DateFormat`]) | `%Y-%m-%d` |
//! | `encoding` | `utf-8`, `utf-16` (byte-order mark required), `gbk`, `gb18030`, `big5`, `windows-1252` | `utf-8` |
//! | `currency_symbol` | text removed once from the start or end of an amount | none |
//! | `sheet` | a workbook sheet's name, or its 1-based position | the first |
//!
//! The rules of reading:
//! - an amount loses its currency symbol, then its thousands separators — only
//!   between groups of exactly three digits of the whole part, so `1.890,00` reads
//!   under `,`/`.` but `18.90,00` is rejected — and is then read by the plain grammar
//!   with the declared decimal separator, exactly: `1.890,50` is `1890.50`, scale kept;
//! - a date is read by its pattern; a time after it is ignored;
//! - a field that does not fit is rejected, and the reject says which format it was
//!   read with; nothing is ever read with a format that was not declared;
//! - a delimiter, decimal separator and thousands separator that coincide are a
//!   configuration error (`;` is then the delimiter of a file with `12,50`).
//!
//! A team saves its CRM's format once as an *input profile*, a TOML file with the keys
//! above, an optional `[columns]` table (as [`ColumnMapping`]) and an optional
//! `[customers]` table whose keys apply to the customers file only
//! ([`InputProfile`]).
//!
//! # Example
//! ```
//! use customer_tiering::format::InputProfile;
//! use customer_tiering::source::{ingest, CsvTransactions, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//!
//! let export = "Kunde;Datum;Betrag\nK1;31.12.2024;1.890,50 €\nK1;02.01.2025;-5,00 €\n";
//! let profile = InputProfile::from_toml(r#"
//!     delimiter = ";"
//!     decimal_separator = ","
//!     thousands_separator = "."
//!     date_format = "%d.%m.%Y"
//!     currency_symbol = "€"
//!     [columns]
//!     customer_id = "Kunde"
//!     date = "Datum"
//!     amount = "Betrag"
//! "#)?;
//! let (format, _) = profile.formats()?;
//! let source = CsvTransactions::with_format("crm.csv", export.as_bytes(), profile.columns(), &format)?;
//! let population = ingest(source, PopulationBuilder::new(date(2025, 1, 31)), OnInvalid::Fail, |_| {})?.population;
//! assert_eq!(population.get("K1").unwrap().monetary.to_string(), "1885.50");
//! # Ok::<(), customer_tiering::Error>(())
//! ```

mod amount;
mod columns;
mod date;
mod encoding;
mod hint;

use std::path::Path;

use serde::Deserialize;

pub(crate) use amount::AmountFormat;
pub use amount::{AmountFormatError, DecimalSeparator, ThousandsSeparator};
pub use columns::ColumnMapping;
pub use date::{DateFormat, DateFormatError};
pub(crate) use encoding::Decoding;
pub use encoding::Encoding;
pub(crate) use hint::hints;

use crate::error::{ConfigError, Error};

/// A configuration error for one key.
pub(crate) fn bad_key(key: &str, value: &str, reason: &str) -> ConfigError {
    ConfigError::InputFormat {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

/// A workbook's sheet: by name, or by 1-based position.
///
/// # Example
/// ```
/// use customer_tiering::format::Sheet;
/// assert_eq!("Orders".parse::<Sheet>()?, Sheet::Name("Orders".into()));
/// assert_eq!("2".parse::<Sheet>()?, Sheet::Position(2));
/// assert!("0".parse::<Sheet>().is_err());
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Sheet {
    /// The sheet of this name.
    Name(String),
    /// The sheet at this position, the first being 1.
    Position(usize),
}

impl std::str::FromStr for Sheet {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            return Err(bad_key("sheet", text, "empty"));
        }
        if text.bytes().all(|b| b.is_ascii_digit()) {
            return match text.parse::<usize>() {
                Ok(n) if n >= 1 => Ok(Sheet::Position(n)),
                _ => Err(bad_key("sheet", text, "positions start at 1")),
            };
        }
        Ok(Sheet::Name(text.to_string()))
    }
}

impl std::fmt::Display for Sheet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Sheet::Name(name) => f.write_str(name),
            Sheet::Position(n) => write!(f, "{n}"),
        }
    }
}

/// How an input file writes its fields (see the [module docs](self)). The default is
/// the crate's own format.
///
/// # Example
/// ```
/// use customer_tiering::format::{DecimalSeparator, InputFormat, ThousandsSeparator};
/// let german = InputFormat {
///     delimiter: b';',
///     decimal_separator: DecimalSeparator::Comma,
///     thousands_separator: ThousandsSeparator::Dot,
///     date_format: "%d.%m.%Y".parse()?,
///     ..InputFormat::default()
/// };
/// german.check()?;
/// assert_eq!(german.read_amount(b"1.890,50")?.to_string(), "1890.50");
/// let clash = InputFormat { delimiter: b',', ..german };
/// assert_eq!(
///     clash.check().unwrap_err().to_string(),
///     r#"input format: delimiter ",": it is also the decimal separator"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputFormat {
    /// The byte between fields.
    pub delimiter: u8,
    /// The byte that quotes a field.
    pub quote: u8,
    /// What separates an amount's whole part from its fraction.
    pub decimal_separator: DecimalSeparator,
    /// What groups the thousands of an amount's whole part.
    pub thousands_separator: ThousandsSeparator,
    /// How dates are written.
    pub date_format: DateFormat,
    /// The file's text encoding.
    pub encoding: crate::format::Encoding,
    /// A currency symbol an amount may carry at its start or end (`€`, `$`, `CHF`).
    pub currency_symbol: Option<String>,
    /// For a workbook, the sheet to read.
    pub sheet: Option<Sheet>,
}

impl Default for InputFormat {
    fn default() -> Self {
        InputFormat {
            delimiter: b',',
            quote: b'"',
            decimal_separator: DecimalSeparator::Dot,
            thousands_separator: ThousandsSeparator::None,
            date_format: DateFormat::default(),
            encoding: crate::format::Encoding::default(),
            currency_symbol: None,
            sheet: None,
        }
    }
}

/// A delimiter or quote as written in a profile or flag: one ASCII character, or `tab`.
fn one_byte(key: &str, text: &str) -> Result<u8, ConfigError> {
    match text {
        "tab" | "\t" => Ok(b'\t'),
        _ if text.len() == 1 && text.is_ascii() => {
            let b = text.as_bytes()[0];
            if b == b'\n' || b == b'\r' || b.is_ascii_alphanumeric() {
                Err(bad_key(
                    key,
                    text,
                    "a line end, letter or digit cannot separate fields",
                ))
            } else {
                Ok(b)
            }
        }
        _ => Err(bad_key(key, text, "not one ASCII character or tab")),
    }
}

/// A byte as a key's value is written.
fn shown(b: u8) -> String {
    match b {
        b'\t' => "tab".into(),
        b => char::from(b).to_string(),
    }
}

impl InputFormat {
    /// The keys that concern amounts.
    pub(crate) fn amount_format(&self) -> AmountFormat {
        AmountFormat {
            decimal: self.decimal_separator,
            thousands: self.thousands_separator,
            currency: self.currency_symbol.clone(),
        }
    }

    /// Checks that the keys can be used together: the delimiter, quote, decimal and
    /// thousands separators all differ, and the currency symbol is not empty and holds
    /// no digit or separator.
    ///
    /// # Errors
    /// [`ConfigError::InputFormat`] naming the key.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputFormat;
    /// assert!(InputFormat::default().check().is_ok());
    /// let same = InputFormat { quote: b',', ..InputFormat::default() };
    /// assert_eq!(same.check().unwrap_err().to_string(), r#"input format: quote ",": it is also the delimiter"#);
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn check(&self) -> Result<(), ConfigError> {
        let delimiter = shown(self.delimiter);
        if self.quote == self.delimiter {
            return Err(bad_key(
                "quote",
                &shown(self.quote),
                "it is also the delimiter",
            ));
        }
        if self.delimiter == self.decimal_separator.byte() {
            return Err(bad_key(
                "delimiter",
                &delimiter,
                "it is also the decimal separator",
            ));
        }
        if let Some(t) = self.thousands_separator.ascii() {
            if t == self.delimiter {
                return Err(bad_key(
                    "delimiter",
                    &delimiter,
                    "it is also the thousands separator",
                ));
            }
            if t == self.decimal_separator.byte() {
                return Err(bad_key(
                    "thousands_separator",
                    &self.thousands_separator.to_string(),
                    "it is also the decimal separator",
                ));
            }
        }
        if self.thousands_separator == ThousandsSeparator::Space && self.delimiter == b' ' {
            return Err(bad_key(
                "delimiter",
                &delimiter,
                "it is also the thousands separator",
            ));
        }
        if let Some(symbol) = &self.currency_symbol {
            let clashes = |c: char| {
                c.is_ascii_digit()
                    || c == '-'
                    || c == char::from(self.delimiter)
                    || c == char::from(self.quote)
                    || c == char::from(self.decimal_separator.byte())
                    || self.thousands_separator.ascii().map(char::from) == Some(c)
            };
            if symbol.trim().is_empty() || symbol.chars().any(clashes) {
                return Err(bad_key(
                    "currency_symbol",
                    symbol,
                    "must be non-empty text without digits, '-', the delimiter, quote or separators",
                ));
            }
        }
        Ok(())
    }

    /// Reads an amount written in this format, exactly.
    ///
    /// # Errors
    /// The reason an amount is rejected: empty, too many digits, or not of the
    /// declared shape (the reason names the separators and symbol it was read with).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::{InputFormat, ThousandsSeparator};
    /// let us = InputFormat {
    ///     thousands_separator: ThousandsSeparator::Comma,
    ///     currency_symbol: Some("$".into()),
    ///     ..InputFormat::default()
    /// };
    /// assert_eq!(us.read_amount(b"$1,890.00")?.to_string(), "1890.00");
    /// assert!(us.read_amount(b"18,90.00").is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_amount(&self, raw: &[u8]) -> Result<rust_decimal::Decimal, AmountFormatError> {
        self.amount_format().read(raw)
    }

    /// The keys as written in an input profile, for messages: only those that differ
    /// from the default.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputFormat;
    /// assert_eq!(InputFormat::default().describe(), "the default format");
    /// let semicolons = InputFormat { delimiter: b';', ..InputFormat::default() };
    /// assert_eq!(semicolons.describe(), r#"delimiter = ";""#);
    /// ```
    pub fn describe(&self) -> String {
        let d = InputFormat::default();
        let mut keys = Vec::new();
        let mut key = |name: &str, value: String| keys.push(format!("{name} = {value:?}"));
        if self.delimiter != d.delimiter {
            key("delimiter", shown(self.delimiter));
        }
        if self.quote != d.quote {
            key("quote", shown(self.quote));
        }
        if self.decimal_separator != d.decimal_separator {
            key("decimal_separator", self.decimal_separator.to_string());
        }
        if self.thousands_separator != d.thousands_separator {
            key("thousands_separator", self.thousands_separator.to_string());
        }
        if self.date_format != d.date_format {
            key("date_format", self.date_format.to_string());
        }
        if self.encoding != d.encoding {
            key("encoding", self.encoding.to_string());
        }
        if let Some(symbol) = &self.currency_symbol {
            key("currency_symbol", symbol.clone());
        }
        if let Some(sheet) = &self.sheet {
            key("sheet", sheet.to_string());
        }
        match keys.is_empty() {
            true => "the default format".into(),
            false => keys.join(", "),
        }
    }
}

/// The keys of a profile, each optional, as TOML has them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    delimiter: Option<String>,
    quote: Option<String>,
    decimal_separator: Option<String>,
    thousands_separator: Option<String>,
    date_format: Option<String>,
    encoding: Option<String>,
    currency_symbol: Option<String>,
    sheet: Option<toml::Value>,
}

/// The keys a user gives one by one (an input profile's, or `tier`'s flags): each set
/// key replaces the format's.
///
/// # Example
/// ```
/// use customer_tiering::format::{FormatKeys, InputFormat};
/// let mut keys = FormatKeys::default();
/// keys.set("delimiter", ";")?;
/// keys.set("decimal-separator", ",")?; // kebab case, as a flag
/// let format = keys.apply(InputFormat::default())?;
/// assert_eq!((format.delimiter, format.decimal_separator.byte()), (b';', b','));
/// assert!(keys.set("separator", ";").is_err());
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormatKeys {
    values: Vec<(&'static str, String)>,
}

/// Every key, as an input profile writes it.
const KEYS: [&str; 8] = [
    "delimiter",
    "quote",
    "decimal_separator",
    "thousands_separator",
    "date_format",
    "encoding",
    "currency_symbol",
    "sheet",
];

impl FormatKeys {
    /// Sets a key (snake or kebab case) to a value, replacing an earlier one; the value
    /// is checked when the keys are [applied](Self::apply).
    ///
    /// # Errors
    /// [`ConfigError::InputFormat`] for an unknown key.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::FormatKeys;
    /// let mut keys = FormatKeys::default();
    /// keys.set("encoding", "gbk")?;
    /// let err = keys.set("charset", "gbk").unwrap_err();
    /// assert!(err.to_string().starts_with(r#"input format: key "charset": unknown"#));
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let snake = key.replace('-', "_");
        let Some(&name) = KEYS.iter().find(|k| **k == snake) else {
            return Err(bad_key(
                "key",
                key,
                &format!("unknown (known: {})", KEYS.join(", ")),
            ));
        };
        self.values.retain(|(k, _)| *k != name);
        self.values.push((name, value.to_string()));
        Ok(())
    }

    /// Whether no key is set.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::FormatKeys;
    /// assert!(FormatKeys::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// `base` with every set key replaced, then [checked](InputFormat::check).
    ///
    /// # Errors
    /// [`ConfigError::InputFormat`] naming the key whose value cannot be used.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::{FormatKeys, InputFormat};
    /// let mut keys = FormatKeys::default();
    /// keys.set("date-format", "%d/%m/%Y")?;
    /// assert_eq!(keys.apply(InputFormat::default())?.date_format.pattern(), "%d/%m/%Y");
    /// keys.set("quote", ";;")?;
    /// assert!(keys.apply(InputFormat::default()).is_err());
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    pub fn apply(&self, mut base: InputFormat) -> Result<InputFormat, ConfigError> {
        for (key, value) in &self.values {
            match *key {
                "delimiter" => base.delimiter = one_byte(key, value)?,
                "quote" => base.quote = one_byte(key, value)?,
                "decimal_separator" => base.decimal_separator = value.parse()?,
                "thousands_separator" => base.thousands_separator = value.parse()?,
                "date_format" => base.date_format = value.parse()?,
                "encoding" => base.encoding = value.parse()?,
                "currency_symbol" => base.currency_symbol = Some(value.clone()),
                "sheet" => base.sheet = Some(value.parse()?),
                _ => unreachable!("set accepts only the known keys"),
            }
        }
        base.check()?;
        Ok(base)
    }

    fn of(keys: Keys) -> Result<Self, ConfigError> {
        let mut out = FormatKeys::default();
        let Keys {
            delimiter,
            quote,
            decimal_separator,
            thousands_separator,
            date_format,
            encoding,
            currency_symbol,
            sheet,
        } = keys;
        let text = [
            ("delimiter", delimiter),
            ("quote", quote),
            ("decimal_separator", decimal_separator),
            ("thousands_separator", thousands_separator),
            ("date_format", date_format),
            ("encoding", encoding),
            ("currency_symbol", currency_symbol),
        ];
        for (key, value) in text {
            if let Some(value) = value {
                out.set(key, &value)?;
            }
        }
        match sheet {
            None => {}
            Some(toml::Value::String(name)) => out.set("sheet", &name)?,
            Some(toml::Value::Integer(n)) => out.set("sheet", &n.to_string())?,
            Some(other) => {
                return Err(bad_key(
                    "sheet",
                    &other.to_string(),
                    "not a name or a position",
                ));
            }
        }
        Ok(out)
    }
}

/// A saved input profile: the format of a team's exports, for the transactions file
/// and the customers file (see the [module docs](self)).
///
/// # Example
/// ```
/// use customer_tiering::format::InputProfile;
/// let profile = InputProfile::from_toml(r#"
///     delimiter = ";"
///     decimal_separator = ","
///     thousands_separator = "."
///     date_format = "%d.%m.%Y"
///     encoding = "windows-1252"
///     currency_symbol = "€"
///
///     [columns]
///     customer_id = "Kunde"
///     date = "Datum"
///     amount = "Betrag"
///
///     [customers]
///     encoding = "utf-8"
/// "#)?;
/// let (transactions, customers) = profile.formats()?;
/// assert_eq!(transactions.encoding.name(), "windows-1252");
/// assert_eq!((customers.encoding.name(), customers.delimiter), ("utf-8", b';'));
/// assert_eq!(profile.columns().amount, "Betrag");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InputProfile {
    keys: FormatKeys,
    customers: FormatKeys,
    columns: ColumnMapping,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    #[serde(flatten)]
    keys: Keys,
    #[serde(default)]
    columns: std::collections::BTreeMap<String, String>,
    #[serde(default)]
    customers: Option<Keys>,
}

impl InputProfile {
    /// Reads a profile from TOML text.
    ///
    /// # Errors
    /// [`Error::Parse`] for TOML that does not parse or has an unknown key, with the
    /// [`ConfigError`] of a value that cannot be used as its cause.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// let err = InputProfile::from_toml("decimal_separator = \";\"\n").unwrap_err();
    /// assert_eq!(err.to_string(), r#"input profile: input format: decimal_separator ";": not one of ".", ",""#);
    /// ```
    pub fn from_toml(text: &str) -> Result<Self, Error> {
        Self::parse("input profile", text)
    }

    /// Reads a profile file.
    ///
    /// # Errors
    /// [`Error::Io`] when it cannot be read; otherwise as [`from_toml`](Self::from_toml),
    /// naming the file.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// let path = std::env::temp_dir().join(format!("crm-{}.toml", std::process::id()));
    /// std::fs::write(&path, "delimiter = \";\"\nseparator = \",\"\n")?;
    /// let err = InputProfile::load(&path).unwrap_err().to_string();
    /// assert!(err.contains("unknown field `separator`"), "{err}");
    /// # std::fs::remove_file(&path)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, Error> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    fn parse(origin: &str, text: &str) -> Result<Self, Error> {
        let parse_error = |reason: String, source: Option<ConfigError>| Error::Parse {
            what: origin.to_string(),
            reason,
            source: source.map(|e| Box::new(Error::Config(e))),
        };
        let file: ProfileFile =
            toml::from_str(text).map_err(|e| parse_error(e.message().to_string(), None))?;
        let config = |e: ConfigError| parse_error(e.to_string(), Some(e));
        let keys = FormatKeys::of(file.keys).map_err(config)?;
        let customers = FormatKeys::of(file.customers.unwrap_or_default()).map_err(config)?;
        let spec: Vec<String> = file
            .columns
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let columns = ColumnMapping::parse(&spec.join(",")).map_err(config)?;
        let profile = InputProfile {
            keys,
            customers,
            columns,
        };
        profile.formats().map_err(config)?;
        Ok(profile)
    }

    /// The column mapping of the transactions file.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// let profile = InputProfile::from_toml("[columns]\ncustomer_id = \"Kunde\"\n")?;
    /// assert_eq!((profile.columns().customer_id.as_str(), profile.columns().date.as_str()), ("Kunde", "date"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &ColumnMapping {
        &self.columns
    }

    /// Replaces the column mapping (a `--columns` flag over a profile's `[columns]`).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// use customer_tiering::source::ColumnMapping;
    /// let mut profile = InputProfile::from_toml("[columns]\ncustomer_id = \"Kunde\"\n")?;
    /// profile.set_columns(ColumnMapping::parse("customer_id=Kundennr")?);
    /// assert_eq!(profile.columns().customer_id, "Kundennr");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_columns(&mut self, columns: ColumnMapping) {
        self.columns = columns;
    }

    /// Sets a key for both files, over the profile's (a flag over a profile).
    ///
    /// # Errors
    /// As [`FormatKeys::set`].
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// let mut profile = InputProfile::from_toml("delimiter = \";\"\n[customers]\ndelimiter = \"|\"\n")?;
    /// profile.set("delimiter", "tab")?;
    /// let (transactions, customers) = profile.formats()?;
    /// assert_eq!((transactions.delimiter, customers.delimiter), (b'\t', b'\t'));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        self.keys.set(key, value)?;
        // The `[customers]` table yields to a flag given for both files.
        let snake = key.replace('-', "_");
        self.customers.values.retain(|(k, _)| *k != snake);
        Ok(())
    }

    /// The formats of the transactions file and of the customers file (the first with
    /// the `[customers]` keys over it), each checked.
    ///
    /// # Errors
    /// [`ConfigError::InputFormat`] naming the key that cannot be used.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::InputProfile;
    /// let profile = InputProfile::from_toml("encoding = \"big5\"\n[customers]\nencoding = \"utf-8\"\n")?;
    /// let (transactions, customers) = profile.formats()?;
    /// assert_eq!((transactions.encoding.name(), customers.encoding.name()), ("big5", "utf-8"));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn formats(&self) -> Result<(InputFormat, InputFormat), ConfigError> {
        let transactions = self.keys.apply(InputFormat::default())?;
        let customers = self.customers.apply(transactions.clone())?;
        Ok((transactions, customers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coinciding_separators_are_refused() {
        let mut keys = FormatKeys::default();
        keys.set("delimiter", ";").unwrap();
        keys.set("thousands_separator", ".").unwrap();
        keys.set("decimal_separator", ".").unwrap();
        assert_eq!(
            keys.apply(InputFormat::default()).unwrap_err().to_string(),
            r#"input format: thousands_separator ".": it is also the decimal separator"#
        );
        let mut keys = FormatKeys::default();
        keys.set("thousands-separator", "space").unwrap();
        keys.set("delimiter", " ").unwrap();
        assert!(keys.apply(InputFormat::default()).is_err());
    }

    #[test]
    fn a_value_a_key_cannot_take_names_the_key() {
        for (key, value, reason) in [
            ("delimiter", ";;", "not one ASCII character or tab"),
            (
                "delimiter",
                "a",
                "a line end, letter or digit cannot separate fields",
            ),
            ("decimal_separator", ";", "not one of \".\", \",\""),
            (
                "thousands_separator",
                "x",
                "not one of none, \",\", \".\", space, \"'\"",
            ),
            (
                "date_format",
                "%d/%m/%y",
                "only %Y, %m and %d may follow a %",
            ),
            ("sheet", "0", "positions start at 1"),
            (
                "currency_symbol",
                "",
                "must be non-empty text without digits, '-', the delimiter, quote or separators",
            ),
        ] {
            let mut keys = FormatKeys::default();
            keys.set(key, value).unwrap();
            let err = keys.apply(InputFormat::default()).unwrap_err().to_string();
            assert_eq!(err, format!("input format: {key} {value:?}: {reason}"));
        }
    }

    #[test]
    fn a_profile_with_an_unknown_key_or_bad_value_is_refused_with_its_origin() {
        let err = InputProfile::from_toml("delimeter = \";\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("input profile: unknown field `delimeter`"),
            "{err}"
        );
        let err = InputProfile::from_toml("[customers]\nquote = \"''\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            r#"input profile: input format: quote "''": not one ASCII character or tab"#
        );
        let err = InputProfile::from_toml("[columns]\nprice = \"Betrag\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field \"price\""), "{err}");
    }

    #[test]
    fn sheets_are_named_or_numbered_in_a_profile() {
        let by_number = InputProfile::from_toml("sheet = 2\n").unwrap();
        assert_eq!(
            by_number.formats().unwrap().0.sheet,
            Some(Sheet::Position(2))
        );
        let by_name = InputProfile::from_toml("sheet = \"Orders\"\n").unwrap();
        assert_eq!(
            by_name.formats().unwrap().0.sheet,
            Some(Sheet::Name("Orders".into()))
        );
    }

    #[test]
    fn describe_lists_what_differs() {
        let mut keys = FormatKeys::default();
        keys.set("delimiter", "tab").unwrap();
        keys.set("date_format", "%d/%m/%Y").unwrap();
        let format = keys.apply(InputFormat::default()).unwrap();
        assert_eq!(
            format.describe(),
            r#"delimiter = "tab", date_format = "%d/%m/%Y""#
        );
    }
}
