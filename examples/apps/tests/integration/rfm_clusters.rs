//! RFM clusters: stable numbers across seeds, unscored non-buyers, saved models.

use customer_tiering::{CustomerId, Error, Population, Profile};
use customer_tiering_apps::rfm_clusters::{ClusterParams, RfmClusters, fit};
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

#[test]
fn two_seeds_give_the_same_labels_and_centroids_on_well_separated_data() {
    let population = separated();
    let params = ClusterParams::default().k(3);
    let fits: Vec<RfmClusters> = [1, 2, 42, 12345]
        .into_iter()
        .map(|seed| fit(&params.clone().seed(seed).runs(1), &population).unwrap())
        .collect();
    let labels = |c: &RfmClusters| -> Vec<Option<usize>> {
        population
            .profiles()
            .iter()
            .map(|p| c.classify(p))
            .collect()
    };
    for other in &fits[1..] {
        assert_eq!(labels(other), labels(&fits[0]));
        assert_eq!(
            other.centroids(),
            fits[0].centroids(),
            "exact means after the polish"
        );
        assert_eq!(other.sizes(), fits[0].sizes());
    }
    // The numbers mean something: 1 = the highest monetary centre.
    let c = &fits[0];
    assert_eq!(c.sizes(), [40, 40, 40]);
    for (prefix, cluster) in [("vip", 1), ("mid", 2), ("gone", 3)] {
        for p in population
            .profiles()
            .iter()
            .filter(|p| p.customer_id.as_str().starts_with(prefix))
        {
            assert_eq!(c.classify(p), Some(cluster), "{}", p.customer_id);
        }
    }
    let centres = c.centres();
    assert!(centres[0][2] > centres[1][2] && centres[1][2] > centres[2][2]);
}

#[test]
fn customers_without_purchases_are_not_clustered() {
    let population = separated();
    let c = fit(&ClusterParams::default().k(3), &population).unwrap();
    let prospect = population.get("prospect0").unwrap();
    assert_eq!(c.classify(prospect), None);
    assert!(c.explain(prospect).is_none());
    assert_eq!(c.fit_size(), 120);
}

#[test]
fn standardising_uses_the_fit_means_and_population_sds() {
    let population = separated();
    let c = fit(&ClusterParams::default().k(3), &population).unwrap();
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
fn explanations_name_the_cluster_its_centre_and_the_runner_up() {
    let population = separated();
    let c = fit(&ClusterParams::default().k(3), &population).unwrap();
    let a = c.explain(population.get("vip00").unwrap()).unwrap();
    assert_eq!((a.cluster, a.of), (1, 3));
    assert!(a.runner_up.unwrap().1 > a.distance);
    let text = a.to_string();
    assert!(
        text.starts_with("cluster 1 of 3 (1 = highest monetary): nearest centre recency_days"),
        "{text}"
    );
}

#[test]
fn clusters_round_trip_through_json_and_bad_ones_are_refused() {
    let c = fit(&ClusterParams::default().k(3), &separated()).unwrap();
    let json = c.to_json().unwrap();
    assert_eq!(RfmClusters::from_json("c.json", &json).unwrap(), c);
    let no_k = json.replacen(r#""k": 3"#, r#""k": 4"#, 1);
    let err = RfmClusters::from_json("c.json", &no_k).unwrap_err();
    assert!(err.to_string().contains("for k = 4"), "{err}");
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
    let err = fit(&ClusterParams::default().k(3), &two).unwrap_err();
    assert_eq!(
        err.to_string(),
        "pipeline: rfm_clusters: k = 3 but the buyers have only 2 distinct R, F, M points"
    );
    let nobody = Population::new(date(2026, 6, 30), vec![]).unwrap();
    assert!(matches!(
        fit(&ClusterParams::default(), &nobody),
        Err(Error::EmptyPopulation { .. })
    ));
    assert!(matches!(
        fit(&ClusterParams::default().tolerance(0.0), &two),
        Err(Error::Config(_))
    ));
}
