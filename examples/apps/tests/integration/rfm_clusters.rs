//! RFM clusters as a classifier: stable numbers across seeds through the pipeline,
//! unscored non-buyers, saved pipelines.

use customer_tiering::classify::{Classifier, Label, Model, Unscored};
use customer_tiering::{
    CustomerId, Error, FittedPipeline, PipelineBuilder, Population, Profile, Registry, RuleSet,
    Tiering,
};
use customer_tiering_apps::rfm_clusters::{ClusterParams, RfmClusters};
use customer_tiering_apps::rng::SplitMix64;
use jiff::civil::date;

fn buyer(id: &str, recency: i64, frequency: u64, monetary_cents: i64) -> Profile {
    Profile {
        recency_days: Some(recency),
        frequency,
        transactions: frequency,
        monetary: rust_decimal::Decimal::new(monetary_cents, 2),
        tenure_days: Some(recency + 200),
        ..Profile::without_purchases(CustomerId::new(id).unwrap())
    }
}

/// Three well-separated groups of 40 buyers (jittered), and five customers who never
/// bought.
fn separated() -> Population {
    let mut rng = SplitMix64::new(99);
    let mut profiles = Vec::new();
    let groups: [(&str, i64, i64, i64); 3] = [
        ("vip", 5, 40, 2_000_000), // recent, frequent, big
        ("mid", 60, 8, 150_000),   // every couple of months
        ("gone", 500, 1, 3_000),   // once, long ago
    ];
    for (name, recency, frequency, cents) in groups {
        for i in 0..40 {
            let mut j = |spread: i64| rng.below(spread as u64) as i64;
            profiles.push(buyer(
                &format!("{name}{i:02}"),
                recency + j(recency / 5 + 2),
                (frequency + j(frequency / 5 + 1)) as u64,
                cents + j(cents / 5),
            ));
        }
    }
    for i in 0..5 {
        profiles.push(Profile::without_purchases(
            CustomerId::new(&format!("prospect{i}")).unwrap(),
        ));
    }
    Population::new(date(2026, 6, 30), profiles).unwrap()
}

fn run(params: ClusterParams, population: &Population) -> (FittedPipeline, Tiering) {
    PipelineBuilder::new()
        .classifier(params)
        .build()
        .unwrap()
        .run(population)
        .unwrap()
}

fn clusters_of(fitted: &FittedPipeline) -> &RfmClusters {
    fitted
        .models()
        .iter()
        .find_map(|m| m.downcast_ref())
        .expect("the clusters")
}

#[test]
fn two_seeds_give_the_same_labels_through_the_pipeline_on_well_separated_data() {
    let population = separated();
    let params = ClusterParams::default().k(3).runs(1);
    let runs: Vec<(FittedPipeline, Tiering)> = [1, 2, 42, 12345]
        .into_iter()
        .map(|seed| run(params.clone().seed(seed), &population))
        .collect();
    let (first, first_labels) = &runs[0];
    for (fitted, tiering) in &runs[1..] {
        assert_eq!(tiering, first_labels);
        assert_eq!(
            clusters_of(fitted).centroids(),
            clusters_of(first).centroids(),
            "exact means after the polish"
        );
        assert_eq!(clusters_of(fitted).sizes(), clusters_of(first).sizes());
    }
    // The numbers mean something: "1" = the highest monetary centre.
    assert_eq!(first_labels.columns(), ["rfm_cluster"]);
    let counts = first_labels.counts();
    let column = &counts["rfm_cluster"];
    assert_eq!(
        (column["1"], column["2"], column["3"], column["(unscored)"]),
        (40, 40, 40, 5)
    );
    for (prefix, cluster) in [("vip", "1"), ("mid", "2"), ("gone", "3")] {
        for (id, labels) in first_labels
            .rows()
            .filter(|(id, _)| id.as_str().starts_with(prefix))
        {
            assert_eq!(labels, [Label::Name(cluster.into())], "{id}");
        }
    }
    let centres = clusters_of(first).centres();
    assert!(centres[0][2] > centres[1][2] && centres[1][2] > centres[2][2]);
}

#[test]
fn customers_without_purchases_are_not_clustered() {
    let population = separated();
    let (fitted, tiering) = run(ClusterParams::default().k(3), &population);
    let none = Label::Unscored(Unscored::NoPurchases);
    assert_eq!(tiering.label("prospect0", "rfm_cluster"), Some(&none));
    let prospect = population.get("prospect0").unwrap();
    let c = clusters_of(&fitted);
    assert_eq!(c.cluster(prospect), None);
    assert!(c.assignment(prospect).is_none());
    assert_eq!(c.fit_size(), 120);
    assert_eq!(
        fitted.explain(prospect)[0].to_string(),
        "rfm_cluster unscored: no purchase on or before the as-of date"
    );
}

#[test]
fn standardising_uses_the_fit_means_and_population_sds() {
    let population = separated();
    let c = ClusterParams::default().k(3).fit(&population).unwrap();
    let z: Vec<[f64; 3]> = population
        .buyers()
        .filter_map(|p| c.standardise(p))
        .collect();
    for axis in 0..3 {
        let mean = z.iter().map(|p| p[axis]).sum::<f64>() / z.len() as f64;
        let var = z.iter().map(|p| (p[axis] - mean).powi(2)).sum::<f64>() / z.len() as f64;
        assert!(mean.abs() < 1e-12, "mean {mean}");
        assert!((var - 1.0).abs() < 1e-12, "variance {var}");
    }
}

#[test]
fn explanations_name_the_values_the_nearest_centre_and_the_runner_up() {
    let population = separated();
    let c = ClusterParams::default().k(3).fit(&population).unwrap();
    let vip = population.get("vip00").unwrap();
    let a = c.assignment(vip).unwrap();
    assert_eq!((a.cluster, a.of), (1, 3));
    assert!(a.runner_up.unwrap().1 > a.distance);
    let why = c.explain(vip);
    assert_eq!(why.len(), 1);
    assert_eq!(why[0].label(), &Label::Name("1".into()));
    let text = why[0].to_string();
    let start = format!(
        "rfm_cluster = 1: recency_days {}, frequency {}, monetary {}; nearest centre: cluster 1 of 3 (recency_days ",
        vip.recency_days.unwrap(),
        vip.frequency,
        vip.monetary
    );
    assert!(text.starts_with(&start), "{text}");
    assert!(text.contains("; next: cluster 2 at "), "{text}");
}

#[test]
fn a_rule_set_reads_the_ordered_cluster_labels() {
    let population = separated();
    let rules = RuleSet::from_toml_str(
        "care.toml",
        r#"
        name = "care"
        tiers = ["nurture", "standard"]
        default = "standard"
        [[rules]]
        when = 'rfm_cluster >= "2"'
        tier = "nurture"
        "#,
    )
    .unwrap();
    let (_, tiering) = PipelineBuilder::new()
        .classifier(ClusterParams::default().k(3))
        .rules(rules)
        .build()
        .unwrap()
        .run(&population)
        .unwrap();
    let tier = |id: &str| tiering.label(id, "tier").unwrap().to_string();
    assert_eq!(
        (
            tier("vip00"),
            tier("mid00"),
            tier("gone00"),
            tier("prospect0")
        ),
        (
            "nurture".into(),
            "nurture".into(),
            "standard".into(),
            "standard".into()
        )
    );
}

#[test]
fn a_saved_pipeline_loads_through_a_registry_and_bad_clusters_are_refused() {
    let population = separated();
    let (fitted, tiering) = run(ClusterParams::default().k(3), &population);
    let json = fitted.to_json().unwrap();
    let registry = Registry::builtin().register::<ClusterParams>().unwrap();
    let loaded = FittedPipeline::from_json_with("model.json", &json, &registry).unwrap();
    assert_eq!(loaded, fitted);
    assert_eq!(loaded.classify_all(&population), tiering);
    assert_eq!(loaded.to_json().unwrap(), json);

    let err = FittedPipeline::from_json("model.json", &json).unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"saved model 1: unknown classifier kind "rfm_kmeans""#),
        "{err}"
    );
    let wrong_k = json.replacen(r#""k": 3"#, r#""k": 4"#, 1);
    assert_ne!(wrong_k, json);
    let err = FittedPipeline::from_json_with("model.json", &wrong_k, &registry).unwrap_err();
    assert!(
        err.to_string().contains(
            r#"pipeline: rfm_kmeans model "rfm_cluster": 3 centroids and 3 sizes for k = 4"#
        ),
        "{err}"
    );
}

#[test]
fn too_few_points_or_buyers_and_bad_settings_are_errors() {
    let two = Population::new(
        date(2026, 6, 30),
        vec![
            buyer("a", 1, 1, 100),
            buyer("b", 1, 1, 100),
            buyer("c", 9, 2, 500),
        ],
    )
    .unwrap();
    let err = ClusterParams::default().k(3).fit(&two).unwrap_err();
    assert_eq!(
        err.to_string(),
        "classifier rfm_kmeans: k = 3 but the buyers have only 2 distinct R, F, M points"
    );
    assert!(matches!(&err, Error::Classifier { kind, .. } if kind == "rfm_kmeans"));
    let nobody = Population::new(date(2026, 6, 30), vec![]).unwrap();
    assert!(matches!(
        ClusterParams::default().fit(&nobody),
        Err(Error::EmptyPopulation { .. })
    ));
    assert!(matches!(
        ClusterParams::default().tolerance(0.0).fit(&two),
        Err(Error::Config(_))
    ));
    let err = PipelineBuilder::new()
        .classifier(ClusterParams::default().runs(0))
        .build()
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"pipeline: rfm_kmeans "rfm_cluster": runs must be in 1..=100, got 0"#
    );
}
