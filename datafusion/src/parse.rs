//! The input grammar as engine functions: text columns are parsed by the core crate's own
//! parsers, so that the engine accepts exactly the rows `tier` accepts.
//!
//! DataFusion's own CSV typing is not used for values: it rounds `1.235` into a
//! `Decimal128(38, 2)` column as `1.24`, accepts `1e3`, `.5`, `5.` and `+5`, and fails a
//! whole query on one `" 5.00"`. Every text column is read as text instead, and these
//! functions return null where the grammar rejects a value; a row with a null in a
//! required column is a reject, counted by the plan and located afterwards
//! ([`crate::locate`]).

use std::sync::Arc;

use customer_tiering::CustomerId;
use customer_tiering::dates::{day_number, parse_date};
use customer_tiering::money::{MAX_DIGITS, parse_amount};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, Date32Builder, Decimal256Builder, StringViewBuilder, StructArray,
    UInt8Builder,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields, i256};
use datafusion::common::{Result, ScalarValue, exec_err};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, TypeSignature,
    Volatility,
};

/// The scale every text amount is widened to before it is summed: the largest scale the
/// grammar allows, so that no amount is rounded.
pub(crate) const TEXT_SCALE: i8 = MAX_DIGITS as i8;
/// The precision of every summed amount: `Decimal256`'s widest. An amount has at most 28
/// digits before and 28 after the point (56 in all), so the sum of up to 10^20 rows cannot
/// wrap (DataFusion's decimal sums wrap silently where they overflow).
pub(crate) const SUM_PRECISION: u8 = 76;

/// `ct_customer_id(text)`: the id trimmed of ASCII whitespace, null when it is empty or
/// longer than 128 bytes.
pub(crate) const CUSTOMER_ID: &str = "ct_customer_id";
/// `ct_date(text)`: the date of a date field as a `Date32`, null when it is malformed.
pub(crate) const DATE: &str = "ct_date";
/// `ct_amount(text)`: a struct `{v: Decimal256(76, 28), s: UInt8}`, the exact value and
/// the scale it was written with; null when it is outside the grammar.
pub(crate) const AMOUNT: &str = "ct_amount";

/// `ct_text(text)`: a text field trimmed of ASCII whitespace, null when blank (an optional
/// product code).
pub(crate) const TEXT: &str = "ct_text";

/// A text literal argument of `function` (its `what`, for the message).
pub(crate) fn text_literal(
    function: &str,
    value: Option<&ScalarValue>,
    what: &str,
) -> Result<String> {
    match value {
        Some(ScalarValue::Utf8(Some(s)))
        | Some(ScalarValue::Utf8View(Some(s)))
        | Some(ScalarValue::LargeUtf8(Some(s))) => Ok(s.clone()),
        _ => exec_err!("{function}: the {what} must be a text literal"),
    }
}

/// A constant text argument of a call of `function`: a literal, or the first row of a
/// constant column.
pub(crate) fn text_argument(function: &str, value: &ColumnarValue, what: &str) -> Result<String> {
    match value {
        ColumnarValue::Scalar(s) => text_literal(function, Some(s), what),
        ColumnarValue::Array(a) if !a.is_empty() && !a.is_null(0) => {
            text_literal(function, Some(&ScalarValue::try_from_array(a, 0)?), what)
        }
        ColumnarValue::Array(_) => exec_err!("{function}: no {what}"),
    }
}

/// Every function of this module, to register with a session.
pub(crate) fn functions() -> [ScalarUDF; 4] {
    [
        ScalarUDF::new_from_impl(TextFunction::new(CUSTOMER_ID, DataType::Utf8View)),
        ScalarUDF::new_from_impl(TextFunction::new(TEXT, DataType::Utf8View)),
        ScalarUDF::new_from_impl(TextFunction::new(DATE, DataType::Date32)),
        ScalarUDF::new_from_impl(TextFunction::new(AMOUNT, DataType::Struct(amount_fields()))),
    ]
}

/// The fields of `ct_amount`'s struct.
pub(crate) fn amount_fields() -> Fields {
    Fields::from(vec![
        Field::new("v", DataType::Decimal256(SUM_PRECISION, TEXT_SCALE), true),
        Field::new("s", DataType::UInt8, true),
    ])
}

/// One function of one text argument (`Utf8`, `LargeUtf8` or `Utf8View`).
#[derive(Debug, PartialEq, Eq, Hash)]
struct TextFunction {
    name: &'static str,
    output: DataType,
    signature: Signature,
}

impl TextFunction {
    fn new(name: &'static str, output: DataType) -> Self {
        let text = [DataType::Utf8, DataType::LargeUtf8, DataType::Utf8View];
        let signature = Signature::one_of(
            text.into_iter()
                .map(|t| TypeSignature::Exact(vec![t]))
                .collect(),
            Volatility::Immutable,
        );
        TextFunction {
            name,
            output,
            signature,
        }
    }
}

impl ScalarUDFImpl for TextFunction {
    fn name(&self) -> &str {
        self.name
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _args: &[DataType]) -> Result<DataType> {
        Ok(self.output.clone())
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let rows = args.number_rows;
        let [arg] = &args.args[..] else {
            return exec_err!("{} takes one argument", self.name);
        };
        let array = arg.to_array(rows)?;
        let out = match self.name {
            CUSTOMER_ID => customer_ids(&array)?,
            DATE => dates(&array)?,
            AMOUNT => amounts(&array)?,
            TEXT => trimmed(&array)?,
            other => return exec_err!("no function {other}"),
        };
        Ok(ColumnarValue::Array(out))
    }
}

/// Calls `each` with every value of a text array (none for a null).
fn for_each_text(array: &ArrayRef, mut each: impl FnMut(Option<&str>)) -> Result<()> {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().iter().for_each(each),
        DataType::LargeUtf8 => array.as_string::<i64>().iter().for_each(each),
        DataType::Utf8View => array.as_string_view().iter().for_each(&mut each),
        other => return exec_err!("expected text, got {other}"),
    }
    Ok(())
}

fn customer_ids(array: &ArrayRef) -> Result<ArrayRef> {
    // Most ids are valid as they are: a view array of them is returned unchanged.
    if let Some(views) = array.as_string_view_opt()
        && views.null_count() == 0
        && views
            .iter()
            .flatten()
            .all(|id| CustomerId::new(id).is_ok_and(|valid| valid.as_str().len() == id.len()))
    {
        return Ok(Arc::new(views.clone()));
    }
    let mut out = StringViewBuilder::with_capacity(array.len());
    for_each_text(array, |text| match text.map(CustomerId::new) {
        Some(Ok(id)) => out.append_value(id.as_str()),
        _ => out.append_null(),
    })?;
    Ok(Arc::new(out.finish()))
}

fn trimmed(array: &ArrayRef) -> Result<ArrayRef> {
    let mut out = StringViewBuilder::with_capacity(array.len());
    for_each_text(array, |text| match text.map(|t| t.trim_ascii()) {
        Some(t) if !t.is_empty() => out.append_value(t),
        _ => out.append_null(),
    })?;
    Ok(Arc::new(out.finish()))
}

fn dates(array: &ArrayRef) -> Result<ArrayRef> {
    let mut out = Date32Builder::with_capacity(array.len());
    for_each_text(array, |text| {
        out.append_option(
            text.and_then(|t| parse_date(t.as_bytes()).ok())
                .map(day_number),
        );
    })?;
    Ok(Arc::new(out.finish()))
}

fn amounts(array: &ArrayRef) -> Result<ArrayRef> {
    let mut values = Decimal256Builder::with_capacity(array.len())
        .with_precision_and_scale(SUM_PRECISION, TEXT_SCALE)?;
    let mut scales = UInt8Builder::with_capacity(array.len());
    for_each_text(array, |text| match text.map(parse_amount) {
        Some(Ok(amount)) => {
            let scale = amount.scale();
            // |mantissa| < 10^28 and 28 − scale ≤ 28: the product is below 10^56.
            let widened = i256::from_i128(amount.mantissa())
                .wrapping_mul(i256::from_i128(10i128.pow(MAX_DIGITS as u32 - scale)));
            values.append_value(widened);
            scales.append_value(scale as u8);
        }
        _ => {
            values.append_null();
            scales.append_null();
        }
    })?;
    let (values, scales) = (values.finish(), scales.finish());
    let nulls = values.nulls().cloned();
    let out = StructArray::try_new(
        amount_fields(),
        vec![Arc::new(values), Arc::new(scales)],
        nulls,
    )?;
    Ok(Arc::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Date32Array, StringArray, StringViewArray};

    fn text(values: &[Option<&str>]) -> ArrayRef {
        Arc::new(StringArray::from(values.to_vec()))
    }

    #[test]
    fn ids_are_trimmed_and_bounded() {
        let long = "x".repeat(129);
        let ids = customer_ids(&text(&[
            Some(" C1\t"),
            Some(""),
            Some("  "),
            None,
            Some(&long),
        ]))
        .unwrap();
        let ids: &StringViewArray = ids.as_string_view();
        let got: Vec<_> = ids.iter().collect();
        assert_eq!(got, [Some("C1"), None, None, None, None]);
    }

    #[test]
    fn valid_view_ids_come_back_unchanged() {
        let views: ArrayRef = Arc::new(StringViewArray::from(vec!["C1", "C2"]));
        let ids = customer_ids(&views).unwrap();
        assert_eq!(ids.as_string_view().value(1), "C2");
        let spaced: ArrayRef = Arc::new(StringViewArray::from(vec!["C1", " C2"]));
        assert_eq!(
            customer_ids(&spaced).unwrap().as_string_view().value(1),
            "C2"
        );
    }

    #[test]
    fn dates_follow_the_grammar() {
        let got = dates(&text(&[
            Some("2011-12-09T23:30:00-05:00"),
            Some("2011-12-9"),
            Some("2011-02-30"),
            Some("1970-01-02"),
        ]))
        .unwrap();
        let got: &Date32Array = got.as_primitive();
        let got: Vec<_> = got.iter().collect();
        assert_eq!(got, [Some(15317), None, None, Some(1)]);
    }

    #[test]
    fn amounts_keep_value_and_scale_and_reject_what_the_grammar_rejects() {
        let got = amounts(&text(&[
            Some(" 12.50 "),
            Some("1.235"),
            Some("1e3"),
            Some(".5"),
            Some("5."),
            Some("+5"),
            Some("-0.00"),
            Some("9999999999999999999999999999"),
        ]))
        .unwrap();
        let got = got.as_struct();
        let v = got
            .column(0)
            .as_primitive::<datafusion::arrow::datatypes::Decimal256Type>();
        let s = got
            .column(1)
            .as_primitive::<datafusion::arrow::datatypes::UInt8Type>();
        let ten = |p: u32| i256::from_i128(10).wrapping_pow(p);
        assert_eq!(v.value(0), i256::from_i128(1250).wrapping_mul(ten(26)));
        assert_eq!(s.value(0), 2);
        assert_eq!(v.value(1), i256::from_i128(1235).wrapping_mul(ten(25)));
        assert_eq!(s.value(1), 3);
        for bad in 2..=5 {
            assert!(got.is_null(bad), "row {bad}");
        }
        assert_eq!((v.value(6), s.value(6)), (i256::ZERO, 2));
        assert_eq!(s.value(7), 0);
    }
}
