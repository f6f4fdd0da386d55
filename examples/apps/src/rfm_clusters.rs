//! RFM clusters: k-means ([`linfa_clustering`]) on standardised recency, frequency and
//! monetary, as a classifier (kind `rfm_kmeans`, column `rfm_cluster`) whose cluster
//! numbers mean the same thing on every run.
//!
//! [`ClusterParams`] implements [`Classifier`] and the fitted [`RfmClusters`] implements
//! [`Model`], so the clusters join a [`PipelineBuilder`](customer_tiering::PipelineBuilder)
//! beside the built-in classifiers, rule sets can read `rfm_cluster` (`rfm_cluster ==
//! "1"`, or `rfm_cluster >= "2"` for clusters 1 and 2: the labels are ordered, 1 best),
//! and a fitted pipeline saves the clusters in `model.json`, loaded back through a
//! [`Registry`](customer_tiering::Registry) that knows the kind (see [`crate::registry`]).
//!
//! **Points.** Only buyers are clustered: customers without purchases have no recency
//! and get [`Unscored::NoPurchases`], never a made-up cluster. With `log_scale` (the
//! default) each buyer is `R' = ln(1 + recency_days)`, `F' = ln(frequency)`,
//! `M' = sign(M)·ln(1 + |M|)` (monetary can be zero or negative after refunds): RFM
//! values are heavily skewed, and without the logarithm a handful of big accounts would
//! make their own clusters. Without it the raw values are used.
//!
//! **Standardising.** Each coordinate becomes `z = (x − mean) / sd` with the mean and the
//! population standard deviation (divided by `n`) over the buyers of the fit; an `sd` of
//! 0 (every buyer alike) is taken as 1. Means and sds are stored in the fitted
//! [`RfmClusters`], so a new customer is standardised exactly as the fit population was.
//!
//! **Stable numbers.** k-means numbers its clusters in the order its random start found
//! them. Here cluster **1 is the cluster whose centre has the highest monetary**, 2 the
//! next, and so on (ties: higher frequency, then lower recency). After linfa converges,
//! its centroids are polished by plain Lloyd steps to the exact means of their members
//! (linfa's update counts the old centroid as one more member, so its centroids stop
//! within `tolerance` of the means, at a place that depends on the start): two seeds that
//! find the same partition give bit-identical centroids, not merely the same labels.
//!
//! **Explanations** name the customer's R, F and M, the nearest centre (in days,
//! purchases and money), its distance in standardised units and the runner-up's.
//!
//! # Example
//! ```
//! use customer_tiering::classify::{Classifier, Label, Model, Unscored};
//! use customer_tiering::{CustomerId, FittedPipeline, PipelineBuilder, Population, Profile, Registry};
//! use customer_tiering_apps::rfm_clusters::ClusterParams;
//! use jiff::civil::date;
//!
//! let buyer = |id: String, recency: i64, frequency: u64, monetary: i64| Profile {
//!     recency_days: Some(recency),
//!     frequency,
//!     transactions: frequency,
//!     monetary: monetary.into(),
//!     tenure_days: Some(recency + 100),
//!     ..Profile::without_purchases(CustomerId::new(&id).unwrap())
//! };
//! let mut profiles = Vec::new();
//! for i in 0..10 {
//!     profiles.push(buyer(format!("big{i}"), 5 + i, 30 + i as u64, 20_000 + 100 * i));
//!     profiles.push(buyer(format!("small{i}"), 300 + i, 1, 20 + i));
//! }
//! profiles.push(Profile::without_purchases(CustomerId::new("prospect").unwrap()));
//! let population = Population::new(date(2026, 6, 30), profiles)?;
//!
//! let clusters = ClusterParams::default().k(2).fit(&population)?;
//! assert_eq!(clusters.cluster(population.get("big3").unwrap()), Some(1)); // highest monetary
//! assert_eq!(clusters.cluster(population.get("small3").unwrap()), Some(2));
//! assert_eq!(clusters.sizes(), [10, 10]);
//!
//! // In a pipeline: column `rfm_cluster`, labels "1" and "2"; saved and loaded back.
//! let pipeline = PipelineBuilder::new().classifier(ClusterParams::default().k(2)).build()?;
//! let (fitted, tiering) = pipeline.run(&population)?;
//! assert_eq!(tiering.label("big3", "rfm_cluster"), Some(&Label::Name("1".into())));
//! let none = Label::Unscored(Unscored::NoPurchases); // never a made-up cluster
//! assert_eq!(tiering.label("prospect", "rfm_cluster"), Some(&none));
//! let registry = Registry::builtin().register::<ClusterParams>()?;
//! let loaded = FittedPipeline::from_json_with("model.json", &fitted.to_json()?, &registry)?;
//! assert_eq!(loaded.classify_all(&population), tiering);
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::fmt;

use customer_tiering::classify::{
    Classifier, Column, ColumnLabels, Explanation, Label, Model, Reads, Unscored,
};
use customer_tiering::{ConfigError, Error, Metric, Population, Profile};
use linfa::DatasetBase;
use linfa::traits::Fit;
use linfa_clustering::KMeans;
use ndarray::Array2;
use rand_xoshiro::Xoshiro256Plus;
use rand_xoshiro::rand_core::SeedableRng;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};

/// The coordinates, in order.
pub const AXES: [&str; 3] = ["recency_days", "frequency", "monetary"];

/// The most clusters allowed.
pub const MAX_K: usize = 12;

/// The most Lloyd steps of the polish after linfa (it needs one or two).
const POLISH_STEPS: usize = 100;

/// The settings of RFM clusters: plain data, loadable from JSON or TOML; a
/// [`Classifier`] of kind `rfm_kmeans`.
///
/// Defaults: column `rfm_cluster`, 4 clusters, seed 42, 10 runs of k-means++ (the lowest
/// inertia is kept), at most 300 iterations, tolerance 1e-4, `log_scale` on.
///
/// # Example
/// ```
/// use customer_tiering::classify::{Classifier, ColumnLabels};
/// use customer_tiering::Metric;
/// use customer_tiering_apps::rfm_clusters::ClusterParams;
/// let params = ClusterParams::default().k(5).seed(7);
/// assert_eq!((params.get_k(), params.get_seed()), (5, 7));
/// assert!(params.validate().is_ok());
/// assert_eq!(
///     ClusterParams::default().k(1).validate().unwrap_err().to_string(),
///     r#"pipeline: rfm_kmeans "rfm_cluster": k must be in 2..=12, got 1"#
/// );
/// let column = &params.columns()[0];
/// assert_eq!(column.name, "rfm_cluster");
/// assert_eq!(column.labels.order().unwrap(), ["1", "2", "3", "4", "5"]); // 1 best
/// assert_eq!(params.reads().metrics, [Metric::RecencyDays, Metric::Frequency, Metric::Monetary]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClusterParams {
    column: String,
    k: usize,
    seed: u64,
    runs: usize,
    max_iterations: u64,
    tolerance: f64,
    log_scale: bool,
}

impl Default for ClusterParams {
    fn default() -> Self {
        ClusterParams {
            column: "rfm_cluster".into(),
            k: 4,
            seed: 42,
            runs: 10,
            max_iterations: 300,
            tolerance: 1e-4,
            log_scale: true,
        }
    }
}

impl ClusterParams {
    /// Sets the output column (default `rfm_cluster`).
    #[must_use]
    pub fn column(mut self, column: &str) -> Self {
        self.column = column.into();
        self
    }

    /// Sets the number of clusters (2..=[`MAX_K`]).
    #[must_use]
    pub fn k(mut self, k: usize) -> Self {
        self.k = k;
        self
    }

    /// Sets the seed of the k-means++ starts (Xoshiro256+).
    #[must_use]
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Sets how many starts are tried (1..=100); the lowest inertia wins.
    #[must_use]
    pub fn runs(mut self, runs: usize) -> Self {
        self.runs = runs;
        self
    }

    /// Sets the most iterations of one run (≥ 1).
    #[must_use]
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.max_iterations = n;
        self
    }

    /// Sets how far centroids may still move when a run stops (> 0).
    #[must_use]
    pub fn tolerance(mut self, tolerance: f64) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// Sets whether R, F and M are log-transformed before standardising.
    #[must_use]
    pub fn log_scale(mut self, on: bool) -> Self {
        self.log_scale = on;
        self
    }

    /// The number of clusters.
    pub fn get_k(&self) -> usize {
        self.k
    }

    /// The seed.
    pub fn get_seed(&self) -> u64 {
        self.seed
    }

    /// Whether R, F and M are log-transformed.
    pub fn get_log_scale(&self) -> bool {
        self.log_scale
    }

    /// The output column.
    pub fn get_column(&self) -> &str {
        &self.column
    }

    /// What is wrong with the settings, if anything.
    fn problem(&self) -> Option<String> {
        if !(2..=MAX_K).contains(&self.k) {
            Some(format!("k must be in 2..={MAX_K}, got {}", self.k))
        } else if !(1..=100).contains(&self.runs) {
            Some(format!("runs must be in 1..=100, got {}", self.runs))
        } else if self.max_iterations == 0 {
            Some("max_iterations must be at least 1".into())
        } else if !(self.tolerance > 0.0 && self.tolerance.is_finite()) {
            Some(format!("tolerance must be > 0, got {}", self.tolerance))
        } else {
            None
        }
    }
}

impl Classifier for ClusterParams {
    type Model = RfmClusters;

    const KIND: &'static str = "rfm_kmeans";

    /// One column, labels `"1"` to `"k"` in that order (1 = highest monetary centre).
    fn columns(&self) -> Vec<Column> {
        let labels = (1..=self.k).map(|c| c.to_string()).collect();
        vec![Column::new(
            self.column.clone(),
            ColumnLabels::ordered(labels),
        )]
    }

    /// Recency, frequency and monetary.
    fn reads(&self) -> Reads {
        Reads::metrics([Metric::RecencyDays, Metric::Frequency, Metric::Monetary])
    }

    /// Checks the settings, before any data is seen.
    ///
    /// # Errors
    /// [`ConfigError::Settings`] naming the setting out of range.
    fn validate(&self) -> Result<(), ConfigError> {
        match self.problem() {
            Some(reason) => Err(ConfigError::Settings {
                kind: Self::KIND,
                column: self.column.clone(),
                reason,
            }),
            None => Ok(()),
        }
    }

    /// Validates the settings, standardises the buyers of `population`, runs linfa's
    /// k-means, polishes its centroids to exact means and numbers the clusters by centre
    /// monetary, highest first.
    ///
    /// # Errors
    /// [`Error::Config`] for settings that do not validate; [`Error::EmptyPopulation`]
    /// without buyers; [`Error::Classifier`] (kind `rfm_kmeans`) for fewer distinct buyer
    /// points than clusters, or linfa's own failure (kept as the cause).
    fn fit(&self, population: &Population) -> Result<RfmClusters, Error> {
        fit(self, population)
    }
}

/// A buyer's point before standardising: `[R, F, M]`, log-transformed when `log_scale`;
/// none for a customer without purchases.
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, Profile};
/// use customer_tiering_apps::rfm_clusters::rfm_point;
/// let p = Profile {
///     recency_days: Some(0),
///     frequency: 1,
///     transactions: 1,
///     monetary: (-5).into(), // refunded more than bought
///     tenure_days: Some(0),
///     ..Profile::without_purchases(CustomerId::new("C1").unwrap())
/// };
/// assert_eq!(rfm_point(&p, false), Some([0.0, 1.0, -5.0]));
/// assert_eq!(rfm_point(&p, true), Some([0.0, 0.0, -(5f64.ln_1p())]));
/// assert_eq!(rfm_point(&Profile::without_purchases(CustomerId::new("P").unwrap()), true), None);
/// ```
pub fn rfm_point(profile: &Profile, log_scale: bool) -> Option<[f64; 3]> {
    if !profile.is_buyer() {
        return None;
    }
    let r = profile.recency_days? as f64;
    let f = profile.frequency as f64;
    let m = profile.monetary.to_f64()?;
    Some(if log_scale {
        [r.ln_1p(), f.ln(), m.signum() * m.abs().ln_1p()]
    } else {
        [r, f, m]
    })
}

/// The inverse of [`rfm_point`]'s transform: a point back in days, purchases and money.
fn from_log(point: [f64; 3], log_scale: bool) -> [f64; 3] {
    if !log_scale {
        return point;
    }
    let [r, f, m] = point;
    [r.exp_m1(), f.exp(), m.signum() * m.abs().exp_m1()]
}

/// [`Classifier::fit`] for [`ClusterParams`].
fn fit(params: &ClusterParams, population: &Population) -> Result<RfmClusters, Error> {
    Classifier::validate(params)?;
    let points: Vec<[f64; 3]> = population
        .profiles()
        .iter()
        .filter_map(|p| rfm_point(p, params.log_scale))
        .collect();
    if points.is_empty() {
        return Err(Error::EmptyPopulation {
            as_of: population.as_of(),
        });
    }
    let mut distinct: Vec<[u64; 3]> = points.iter().map(|p| p.map(f64::to_bits)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < params.k {
        return Err(Error::classifier(
            ClusterParams::KIND,
            format!(
                "k = {} but the buyers have only {} distinct R, F, M points",
                params.k,
                distinct.len()
            ),
        ));
    }
    let n = points.len() as f64;
    let mut means = [0.0; 3];
    let mut sds = [0.0; 3];
    for axis in 0..3 {
        means[axis] = points.iter().map(|p| p[axis]).sum::<f64>() / n;
        let var = points
            .iter()
            .map(|p| (p[axis] - means[axis]).powi(2))
            .sum::<f64>()
            / n;
        let sd = var.sqrt();
        sds[axis] = if sd > 0.0 && sd.is_finite() { sd } else { 1.0 };
    }
    let z: Vec<[f64; 3]> = points
        .iter()
        .map(|p| std::array::from_fn(|a| (p[a] - means[a]) / sds[a]))
        .collect();
    let records = Array2::from_shape_fn((z.len(), 3), |(i, a)| z[i][a]);
    let model = KMeans::params_with_rng(params.k, Xoshiro256Plus::seed_from_u64(params.seed))
        .n_runs(params.runs)
        .max_n_iterations(params.max_iterations)
        .tolerance(params.tolerance)
        .fit(&DatasetBase::from(records))
        .map_err(|e| Error::classifier_with_source(ClusterParams::KIND, "k-means", e))?;
    let mut centroids: Vec<[f64; 3]> = model
        .centroids()
        .rows()
        .into_iter()
        .map(|row| [row[0], row[1], row[2]])
        .collect();
    polish(&mut centroids, &z);
    // Cluster 1: highest monetary centre; ties by frequency (higher), recency (lower).
    centroids.sort_by(|a, b| {
        b[2].total_cmp(&a[2])
            .then(b[1].total_cmp(&a[1]))
            .then(a[0].total_cmp(&b[0]))
    });
    let mut sizes = vec![0; centroids.len()];
    for p in &z {
        sizes[nearest(&centroids, p).0] += 1;
    }
    Ok(RfmClusters {
        params: params.clone(),
        means,
        sds,
        centroids,
        sizes,
        fit_size: z.len(),
    })
}

/// Lloyd steps until no point changes cluster: each centroid becomes the exact mean of
/// its members (summed in population order); a cluster left empty keeps its centroid.
fn polish(centroids: &mut [[f64; 3]], z: &[[f64; 3]]) {
    let mut members: Vec<usize> = z.iter().map(|p| nearest(centroids, p).0).collect();
    for _ in 0..POLISH_STEPS {
        for (c, centroid) in centroids.iter_mut().enumerate() {
            let mut sum = [0.0; 3];
            let mut count = 0usize;
            for (p, _) in z.iter().zip(&members).filter(|(_, m)| **m == c) {
                for a in 0..3 {
                    sum[a] += p[a];
                }
                count += 1;
            }
            if count > 0 {
                *centroid = sum.map(|s| s / count as f64);
            }
        }
        let next: Vec<usize> = z.iter().map(|p| nearest(centroids, p).0).collect();
        if next == members {
            return;
        }
        members = next;
    }
}

/// The nearest centroid (the lower index on a tie) and its squared distance.
fn nearest(centroids: &[[f64; 3]], z: &[f64; 3]) -> (usize, f64) {
    let mut best = (0, f64::INFINITY);
    for (i, c) in centroids.iter().enumerate() {
        let d: f64 = (0..3).map(|a| (z[a] - c[a]).powi(2)).sum();
        if d < best.1 {
            best = (i, d);
        }
    }
    best
}

/// Fitted RFM clusters (a [`Model`]): the standardisation (means, sds), the centroids in
/// standardised units with cluster 1 (highest monetary) first, and the training
/// customers per cluster.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmClusters {
    params: ClusterParams,
    means: [f64; 3],
    sds: [f64; 3],
    centroids: Vec<[f64; 3]>,
    sizes: Vec<usize>,
    fit_size: usize,
}

/// Why a buyer is in its cluster.
///
/// Displays as `nearest centre: cluster 1 of 3 (recency_days 6, frequency 41.3,
/// monetary 20987.12) at distance 0.42; next: cluster 2 at 3.10 (standardised units;
/// 1 = highest monetary)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The cluster, 1-based (1 = highest monetary centre).
    pub cluster: usize,
    /// Of how many.
    pub of: usize,
    /// The standardised point.
    pub z: [f64; 3],
    /// Euclidean distance to the cluster's centre (standardised units).
    pub distance: f64,
    /// The next nearest cluster and its distance.
    pub runner_up: Option<(usize, f64)>,
    /// The cluster's centre in days, purchases and money.
    pub centre: [f64; 3],
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [r, fr, m] = self.centre;
        write!(
            f,
            "nearest centre: cluster {} of {} (recency_days {r:.0}, frequency {fr:.1}, \
             monetary {m:.2}) at distance {:.2}",
            self.cluster, self.of, self.distance
        )?;
        if let Some((c, d)) = self.runner_up {
            write!(f, "; next: cluster {c} at {d:.2}")?;
        }
        f.write_str(" (standardised units; 1 = highest monetary)")
    }
}

impl RfmClusters {
    /// Mean of each (transformed) coordinate over the fit's buyers.
    pub fn means(&self) -> [f64; 3] {
        self.means
    }

    /// Population standard deviation of each coordinate (1 where it was 0).
    pub fn sds(&self) -> [f64; 3] {
        self.sds
    }

    /// The centroids in standardised units, cluster 1 first.
    pub fn centroids(&self) -> &[[f64; 3]] {
        &self.centroids
    }

    /// Each cluster's centre in days, purchases and money (with `log_scale`, the
    /// back-transformed mean of the logarithms: a geometric-mean-like typical value).
    pub fn centres(&self) -> Vec<[f64; 3]> {
        self.centroids
            .iter()
            .map(|c| {
                let x = std::array::from_fn(|a| c[a] * self.sds[a] + self.means[a]);
                from_log(x, self.params.log_scale)
            })
            .collect()
    }

    /// Fit customers per cluster, cluster 1 first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// A profile standardised as the fit population was; none without purchases.
    pub fn standardise(&self, profile: &Profile) -> Option<[f64; 3]> {
        let p = rfm_point(profile, self.params.log_scale)?;
        Some(std::array::from_fn(|a| {
            (p[a] - self.means[a]) / self.sds[a]
        }))
    }

    /// The cluster (1-based) of the nearest centroid; none for a customer without
    /// purchases. An exact tie goes to the lower number.
    pub fn cluster(&self, profile: &Profile) -> Option<usize> {
        let z = self.standardise(profile)?;
        Some(nearest(&self.centroids, &z).0 + 1)
    }

    /// The cluster with the distances that chose it; none without purchases.
    pub fn assignment(&self, profile: &Profile) -> Option<Assignment> {
        let z = self.standardise(profile)?;
        let mut by_distance: Vec<(usize, f64)> = self
            .centroids
            .iter()
            .enumerate()
            .map(|(i, c)| (i, (0..3).map(|a| (z[a] - c[a]).powi(2)).sum::<f64>()))
            .collect();
        by_distance.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let (best, d2) = by_distance[0];
        Some(Assignment {
            cluster: best + 1,
            of: self.centroids.len(),
            z,
            distance: d2.sqrt(),
            runner_up: by_distance.get(1).map(|&(i, d)| (i + 1, d.sqrt())),
            centre: self.centres()[best],
        })
    }

    /// Why a profile has no cluster: no purchases, or (a profile built by hand) a buyer
    /// without a recency.
    fn unscored(profile: &Profile) -> Unscored {
        if profile.is_buyer() {
            Unscored::MissingMetric
        } else {
            Unscored::NoPurchases
        }
    }

    fn model_error(&self, reason: String) -> ConfigError {
        ConfigError::Model {
            kind: ClusterParams::KIND,
            column: self.params.column.clone(),
            reason,
        }
    }
}

impl Model for RfmClusters {
    type Params = ClusterParams;

    fn params(&self) -> &ClusterParams {
        &self.params
    }

    /// Buyers in the fit.
    fn fit_size(&self) -> usize {
        self.fit_size
    }

    /// The cluster's number as a label (`"1"` … `"k"`); no purchases:
    /// [`Unscored::NoPurchases`].
    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        out.push(match self.cluster(profile) {
            Some(c) => Label::Name(c.to_string().into()),
            None => Label::Unscored(Self::unscored(profile)),
        });
    }

    /// The customer's R, F and M, then the [`Assignment`].
    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let column = self.params.column.clone();
        let Some(a) = self.assignment(profile) else {
            return vec![Explanation::unscored(column, Self::unscored(profile))];
        };
        let label = Label::Name(a.cluster.to_string().into());
        let recency = profile.recency_days.unwrap_or_default();
        let why = format!(
            "recency_days {recency}, frequency {}, monetary {}; {a}",
            profile.frequency, profile.monetary
        );
        vec![Explanation::text(column, label, why)]
    }

    /// Checks clusters read from a file: valid settings, `k` centroids and sizes, every
    /// number finite, every sd positive.
    ///
    /// # Errors
    /// [`ConfigError::Settings`] for the settings, [`ConfigError::Model`] naming the
    /// problem with the clusters.
    fn validate(&self) -> Result<(), ConfigError> {
        Classifier::validate(&self.params)?;
        if self.centroids.len() != self.params.k || self.sizes.len() != self.params.k {
            return Err(self.model_error(format!(
                "{} centroids and {} sizes for k = {}",
                self.centroids.len(),
                self.sizes.len(),
                self.params.k
            )));
        }
        let mut numbers = self
            .means
            .iter()
            .chain(&self.sds)
            .chain(self.centroids.iter().flatten());
        if numbers.any(|x| !x.is_finite()) {
            return Err(self.model_error("a mean, sd or centroid is not finite".into()));
        }
        if self.sds.iter().any(|&s| s <= 0.0) {
            return Err(self.model_error("a standard deviation is not positive".into()));
        }
        Ok(())
    }
}
