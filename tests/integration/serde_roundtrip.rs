//! Fitted pipelines as JSON ([saved models](customer_tiering::definitions#saved-models),
//! [CLI files](customer_tiering::definitions#cli-files-and-exit-codes) `model.json`): a
//! saved model classifies as the original does, decimals stay exact strings, and a
//! corrupted file is a parse error.

use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::{pareto::ParetoModel, rfm::RfmModel};
use customer_tiering::{Error, FittedPipeline, Population};
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::support::{full_pipeline, one_purchase_each, population_of, reload, seeded_rows};

fn amounts(values: &[&str]) -> Vec<Decimal> {
    values
        .iter()
        .map(|v| Decimal::from_str_exact(v).unwrap())
        .collect()
}

/// Five customers whose tie-aware monetary cut points (k = 5) are 10.00, 12.50, 15.00
/// and 17.25.
fn cents_population() -> Population {
    one_purchase_each(
        &amounts(&["10.00", "12.50", "15.00", "17.25", "20.00"]),
        &[1, 2, 3, 4, 5],
    )
}

fn fitted(population: &Population, mode: QuantileMode) -> FittedPipeline {
    full_pipeline(5, mode).fit(population).unwrap()
}

fn parse_error(json: &str) -> (String, String) {
    match FittedPipeline::from_json("saved-model.json", json) {
        Err(Error::Parse { what, reason, .. }) => (what, reason),
        Err(other) => panic!("expected Error::Parse, got {other:?}"),
        Ok(_) => panic!("a corrupted model loaded:\n{json}"),
    }
}

#[test]
fn a_reloaded_model_classifies_population_and_unseen_profiles_identically() {
    let population = population_of(&seeded_rows(1, 0, 200));
    let unseen = population_of(&seeded_rows(2, 150, 120));
    for bins in [3, 5, 10] {
        for mode in [QuantileMode::TieAware, QuantileMode::EqualCount] {
            let fitted = full_pipeline(bins, mode).fit(&population).unwrap();
            let json = fitted.to_json().unwrap();
            let loaded = FittedPipeline::from_json("model.json", &json).unwrap();
            assert_eq!(loaded, fitted, "k = {bins} {mode:?}");
            assert_eq!(loaded.to_json().unwrap(), json, "byte-stable");
            assert_eq!(
                (loaded.as_of(), loaded.fit_size()),
                (fitted.as_of(), fitted.fit_size())
            );
            assert_eq!(
                loaded.classify_all(&population),
                fitted.classify_all(&population)
            );
            assert_eq!(loaded.classify_all(&unseen), fitted.classify_all(&unseen));
            for profile in unseen.profiles().iter().take(20) {
                assert_eq!(loaded.explain(profile), fitted.explain(profile));
            }
        }
    }
}

#[test]
fn decimals_are_kept_as_exact_strings() {
    let fitted = fitted(&cents_population(), QuantileMode::TieAware);
    let json = fitted.to_json().unwrap();
    let value: Value = serde_json::from_str(&json).unwrap();
    let rfm = &value["models"][0];
    assert_eq!(rfm["kind"], "rfm");
    assert_eq!(
        rfm["monetary"]["cuts"],
        json!(["10.00", "12.50", "15.00", "17.25"])
    );
    let metals = &value["models"][1];
    assert_eq!(metals["thresholds"], json!(["20.00", "20.00", "20.00"]));
    assert_eq!(
        metals["params"]["bands"][0],
        json!({"name": "platinum", "share": "0.01"})
    );

    let loaded = reload(&fitted);
    let model: &RfmModel = loaded.models()[0].downcast_ref().expect("RFM first");
    let cuts: Vec<String> = model
        .monetary()
        .cuts()
        .iter()
        .map(Decimal::to_string)
        .collect();
    assert_eq!(cuts, ["10.00", "12.50", "15.00", "17.25"]);

    // Beyond f64 precision: a float path would print 12345678901234567000.
    let big = one_purchase_each(&amounts(&["1", "12345678901234567890.12"]), &[]);
    let json = fitted_json(&big);
    assert!(json.contains("\"12345678901234567890.12\""), "{json}");
    let loaded = FittedPipeline::from_json("big.json", &json).unwrap();
    let metals: &ParetoModel = loaded.models()[1].downcast_ref().expect("metals second");
    assert_eq!(
        metals.thresholds()[0].to_string(),
        "12345678901234567890.12"
    );
}

fn fitted_json(population: &Population) -> String {
    fitted(population, QuantileMode::TieAware)
        .to_json()
        .unwrap()
}

#[test]
fn syntactically_corrupted_models_are_parse_errors() {
    let json = fitted_json(&cents_population());
    let cases = [
        ("empty", String::new()),
        ("truncated", json[..json.len() / 2].to_string()),
        ("not JSON", "model: yes".to_string()),
        (
            "a cut point as a number",
            json.replacen("\"12.50\"", "12.50", 1),
        ),
        (
            "a cut point that is no decimal",
            json.replacen("\"12.50\"", "\"12,50\"", 1),
        ),
        (
            "an unknown kind",
            json.replacen("\"kind\": \"rfm\"", "\"kind\": \"kmeans\"", 1),
        ),
        ("a bad date", json.replacen("2026-03-31", "2026-02-30", 1)),
        ("a bad mode", json.replacen("\"tie-aware\"", "\"ties\"", 1)),
    ];
    for (what, corrupted) in cases {
        assert_ne!(corrupted, json, "{what}: the corruption applied");
        let (name, reason) = parse_error(&corrupted);
        assert_eq!(name, "saved-model.json", "{what}");
        assert!(!reason.is_empty(), "{what}");
    }
}

/// A named change to a saved model's JSON.
type Edit = fn(&mut Value);

/// Edits the saved JSON of the cents population and loads it back.
fn edited(edit: Edit) -> String {
    let mut value: Value = serde_json::from_str(&fitted_json(&cents_population())).unwrap();
    edit(&mut value);
    serde_json::to_string_pretty(&value).unwrap()
}

#[test]
fn models_missing_a_field_are_parse_errors() {
    let cases: [(&str, Edit); 4] = [
        ("no as_of", |v| {
            v.as_object_mut().unwrap().remove("as_of");
        }),
        ("no models", |v| {
            v.as_object_mut().unwrap().remove("models");
        }),
        ("no cuts", |v| {
            v["models"][0]["monetary"]
                .as_object_mut()
                .unwrap()
                .remove("cuts");
        }),
        ("no thresholds", |v| {
            v["models"][1].as_object_mut().unwrap().remove("thresholds");
        }),
    ];
    for (what, edit) in cases {
        let (name, _) = parse_error(&edited(edit));
        assert_eq!(name, "saved-model.json", "{what}");
    }
}

/// `FittedPipeline::from_json` promises that "every model is validated as it is read" and
/// `classify` cannot fail: a model file that is well-formed JSON but could never have been
/// fitted must be refused on load, not classify wrongly or panic later ([CLI
/// files](customer_tiering::definitions#cli-files-and-exit-codes): a panic is a bug
/// whatever the input).
#[test]
fn semantically_corrupted_models_are_parse_errors() {
    let cases: [(&str, Edit); 6] = [
        ("bins 11", |v| {
            v["models"][0]["monetary"]["bins"] = json!(11)
        }),
        ("a cut point missing", |v| {
            v["models"][0]["monetary"]["cuts"] = json!(["10.00", "12.50", "15.00"])
        }),
        ("cut points out of order", |v| {
            v["models"][0]["monetary"]["cuts"] = json!(["17.25", "15.00", "12.50", "10.00"])
        }),
        ("band shares summing to 1.5", |v| {
            v["models"][1]["params"]["bands"][3]["share"] = json!("1.30")
        }),
        ("more thresholds than band boundaries", |v| {
            v["models"][1]["thresholds"] = json!(["20.00", "20.00", "20.00", "1.00", "0.50"])
        }),
        ("rfm bins differing from the segment map's", |v| {
            v["models"][0]["params"]["bins"] = json!(4)
        }),
    ];
    // 0.70 falls between the fourth and fifth threshold of the corrupted metals model.
    let probe = one_purchase_each(&amounts(&["0.70", "10.00", "30.00"]), &[]);
    let mut loaded_anyway = Vec::new();
    for (what, edit) in cases {
        let json = edited(edit);
        match FittedPipeline::from_json("saved-model.json", &json) {
            Err(Error::Parse { what: name, .. }) => assert_eq!(name, "saved-model.json"),
            Err(other) => panic!("{what}: expected Error::Parse, got {other:?}"),
            Ok(model) => {
                let classified = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    model.classify_all(&probe)
                }))
                .is_ok();
                loaded_anyway.push(if classified {
                    what.to_string()
                } else {
                    format!("{what} (and classify panics)")
                });
            }
        }
    }
    assert!(
        loaded_anyway.is_empty(),
        "corrupted models loaded without error: {loaded_anyway:?}"
    );
}

/// A model refused on load keeps its cause: the `Error::Parse` a caller sees (its
/// message as before) holds the failed check, typed, and `source()` walks to it.
#[test]
fn a_refused_model_keeps_its_typed_cause() {
    use customer_tiering::ConfigError;
    use customer_tiering::error::SavedModelProblem;
    use std::error::Error as _;

    let json = edited(|v| v["models"][1]["thresholds"] = json!(["1.00", "2.00", "3.00"]));
    let err = FittedPipeline::from_json("saved-model.json", &json).unwrap_err();
    assert_eq!(
        err.to_string(),
        "saved-model.json: pipeline: saved model 2: pipeline: pareto model \"metal\": \
         thresholds are not ordered best first"
    );
    let Error::Parse {
        source: Some(check),
        ..
    } = &err
    else {
        panic!("expected a failed check, got {err:?}");
    };
    let Error::Config(ConfigError::SavedModel {
        model: 2,
        kind: Some(kind),
        reason,
    }) = &**check
    else {
        panic!("expected the second model refused, got {check:?}");
    };
    assert_eq!(kind, "pareto");
    let SavedModelProblem::Invalid { source } = &**reason else {
        panic!("expected a model that does not validate, got {reason:?}");
    };
    assert!(matches!(
        &**source,
        ConfigError::Model { kind: "pareto", column, .. } if column == "metal"
    ));
    // The chain, as an error reporter walks it, ends at the model's own check.
    let mut chain = Vec::new();
    let mut next = err.source();
    while let Some(e) = next {
        chain.push(e.to_string());
        next = e.source();
    }
    assert_eq!(
        chain.last().map(String::as_str),
        Some("pipeline: pareto model \"metal\": thresholds are not ordered best first")
    );

    // Fields its kind cannot read: the `serde_json` error is the cause.
    let json = edited(|v| {
        v["models"][1].as_object_mut().unwrap().remove("thresholds");
    });
    let Err(Error::Parse {
        source: Some(check),
        ..
    }) = FittedPipeline::from_json("saved-model.json", &json)
    else {
        panic!("expected a failed check");
    };
    let Error::Config(ConfigError::SavedModel { reason, .. }) = *check else {
        panic!("expected a saved model error");
    };
    let SavedModelProblem::Json { source } = *reason else {
        panic!("expected a JSON error");
    };
    assert!(source.get().is_data());
    assert_eq!(source.to_string(), "missing field `thresholds`");

    // A syntax error has no check behind it.
    let err = FittedPipeline::from_json("saved-model.json", "{").unwrap_err();
    assert!(matches!(err, Error::Parse { source: None, .. }), "{err:?}");
}
