//! Any bytes as a saved pipeline (`model.json`): loading never panics, and what loads
//! classifies and explains edge-case customers and saves to an equal pipeline.

#![no_main]

use customer_tiering::attributes::AttrValue;
use customer_tiering::{CustomerId, FittedPipeline, Population, Profile};
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;

fn profiles() -> Vec<Profile> {
    let empty = Profile::without_purchases(CustomerId::new("E0").expect("valid id"));
    let mut big = Profile::without_purchases(CustomerId::new("E1").expect("valid id"));
    big.recency_days = Some(i64::MAX);
    big.frequency = u64::MAX;
    big.transactions = u64::MAX;
    big.monetary = Decimal::MAX;
    big.tenure_days = Some(i64::MIN);
    big.monetary_current = Decimal::MAX;
    big.monetary_previous = Decimal::MIN;
    big.growth = Some(Decimal::MAX);
    big.attributes
        .insert("credit_rating", AttrValue::Text("D".into()));
    big.attributes
        .insert("satisfaction", AttrValue::Number(Decimal::MIN));
    let mut small = big.clone();
    small.customer_id = CustomerId::new("E2").expect("valid id");
    small.recency_days = Some(i64::MIN);
    small.monetary = Decimal::MIN;
    small.growth = Some(Decimal::MIN);
    vec![empty, big, small]
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(fitted) = FittedPipeline::from_json("fuzz.json", text) else {
        return;
    };
    for profile in profiles() {
        let _ = fitted.classify(&profile);
        let _ = fitted.explain(&profile);
    }
    if let Ok(population) = Population::new(date(2026, 3, 31), profiles()) {
        let _ = fitted.classify_all(&population);
    }
    let _ = (
        fitted.columns(),
        fitted.label_orders(),
        fitted.column_labels(),
    );
    let json = fitted.to_json().expect("a loaded pipeline saves");
    let back = FittedPipeline::from_json("again.json", &json);
    assert_eq!(
        back.as_ref().ok(),
        Some(&fitted),
        "{:?}",
        back.as_ref().err()
    );
});
