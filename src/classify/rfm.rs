//! RFM: recency, frequency and monetary quantile scores and a named segment ([quantile
//! scores](crate::definitions#quantile-scores), [RFM
//! segments](crate::definitions#named-rfm-segments)).
//!
//! # Example
//!
//! ```
//! use customer_tiering::classify::{rfm::RfmParams, Classifier, Model};
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//!
//! // Customer Ci bought i times (on March 1..=i), 10.00 each.
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=5i8 {
//!     for day in 1..=i {
//!         let id = CustomerId::new(&format!("C{i}")).unwrap();
//!         builder.add(Transaction::new(id, date(2026, 3, day), dec!(10.00)))?;
//!     }
//! }
//! let population = builder.finish()?;
//!
//! let model = RfmParams::default().fit(&population)?; // quintiles, rfm-default map
//! let c4 = population.get("C4").unwrap();
//! assert_eq!(model.scores(c4), Some([4, 4, 4]));
//! let why = model.explain(c4); // one explanation per column: r, f, m, rfm_segment
//! assert_eq!(
//!     why[3].to_string(),
//!     "rfm_segment = loyal_customers: (R 4, F 4, M 4) matches rule 2 of rfm-default"
//! );
//! # Ok::<(), customer_tiering::Error>(())
//! ```

use std::ops::Range;

use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

use super::criterion::{Criterion, EmptyWhy, Quantity, Rule, score_boxes, score_range};
use super::quantile::{
    CutPoints, EmptyCause, FastCuts, KeyedCuts, QuantileMode, batch_scores, check_bins,
};
use super::segments::{SegmentMap, coverage_warning};
use super::{
    Classifier, Coder, Column, ColumnLabels, Explanation, FitData, HysteresisTarget, Label, Model,
    Reads, Reason, Unscored, Wanted, Warning, single_value,
};
use crate::error::{ConfigError, Error};
use crate::population::Columns;
use crate::profile::{Metric, Population, Profile};

/// The columns an RFM model writes.
///
/// # Example
/// ```
/// use customer_tiering::classify::rfm::{RfmParams, COLUMNS};
/// use customer_tiering::classify::{Classifier, Model};
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=5i8 {
/// #     for day in 1..=i {
/// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
/// #     }
/// # }
/// # let population = builder.finish()?;
/// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
/// let model = RfmParams::default().fit(&population)?;
/// assert_eq!(model.columns(), COLUMNS);
/// assert_eq!(COLUMNS[3], "rfm_segment");
/// # Ok::<(), customer_tiering::Error>(())
/// ```
pub const COLUMNS: [&str; 4] = ["r", "f", "m", "rfm_segment"];

/// RFM settings: bins, quantile mode and the segment map.
///
/// In JSON (a saved pipeline), `mode` left out is tie-aware and `segment_map` left out
/// is the default map (`rfm-default`), as in [`RfmParams::default`]; `"segment_map": null`
/// scores R, F and M without segments.
///
/// # Example
/// ```
/// use customer_tiering::classify::quantile::QuantileMode;
/// use customer_tiering::classify::rfm::RfmParams;
/// let params = RfmParams::default().bins(4).mode(QuantileMode::EqualCount).segment_map(None);
/// assert_eq!(params.get_bins(), 4);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmParams {
    bins: u8,
    #[serde(default)]
    mode: QuantileMode,
    /// Left out of a file, the default map, as in [`RfmParams::default`]; `null` is no map.
    #[serde(default = "default_segment_map")]
    segment_map: Option<SegmentMap>,
}

fn default_segment_map() -> Option<SegmentMap> {
    Some(SegmentMap::default())
}

impl Default for RfmParams {
    /// Quintiles, tie-aware, the default segment map (`rfm-default`).
    fn default() -> Self {
        RfmParams {
            bins: 5,
            mode: QuantileMode::TieAware,
            segment_map: default_segment_map(),
        }
    }
}

impl RfmParams {
    /// Sets the number of bins `k` (2..=10, checked by `fit`).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::{rfm::RfmParams, segments::SegmentMap};
    /// // Quartiles need a segment map written for k = 4.
    /// let pymc = SegmentMap::preset("rfm-pymc")?;
    /// let params = RfmParams::default().bins(4).segment_map(Some(pymc));
    /// params.validate()?;
    /// assert!(RfmParams::default().bins(4).validate().is_err()); // rfm-default is for k = 5
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    #[must_use]
    pub fn bins(mut self, bins: u8) -> Self {
        self.bins = bins;
        self
    }

    /// Sets the quantile mode.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for id in ["C1", "C2", "C3", "C4", "C5"] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     builder.add(Transaction::new(id, date(2026, 3, 1), rust_decimal::dec!(10.00)))?;
    /// # }
    /// # let population = builder.finish()?;
    /// // C1..C5 made one identical purchase each: every value ties.
    /// let tie_aware = RfmParams::default().fit(&population)?;
    /// let equal_count = RfmParams::default().mode(QuantileMode::EqualCount).fit(&population)?;
    /// // customers per frequency score 1..=5 on the fit population
    /// assert_eq!(tie_aware.frequency().sizes(), [5, 0, 0, 0, 0]); // equal values, equal scores
    /// assert_eq!(equal_count.frequency().sizes(), [1, 1, 1, 1, 1]); // SQL NTILE splits ties
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn mode(mut self, mode: QuantileMode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the segment map; `None` leaves `rfm_segment` unscored.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier, Label, Model, Unscored};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = RfmParams::default().segment_map(None).fit(&population)?;
    /// let mut labels = Vec::new();
    /// model.classify_into(population.get("C5").unwrap(), &mut labels);
    /// assert_eq!(labels[..3], [Label::Score(5), Label::Score(5), Label::Score(5)]);
    /// assert_eq!(labels[3], Label::Unscored(Unscored::NoSegmentMap));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    #[must_use]
    pub fn segment_map(mut self, map: Option<SegmentMap>) -> Self {
        self.segment_map = map;
        self
    }

    /// The number of bins.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::rfm::RfmParams;
    /// assert_eq!(RfmParams::default().get_bins(), 5);
    /// assert_eq!(RfmParams::default().bins(3).get_bins(), 3);
    /// ```
    pub fn get_bins(&self) -> u8 {
        self.bins
    }

    /// The quantile mode.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{quantile::QuantileMode, rfm::RfmParams};
    /// assert_eq!(RfmParams::default().get_mode(), QuantileMode::TieAware);
    /// let params = RfmParams::default().mode(QuantileMode::EqualCount);
    /// assert_eq!(params.get_mode(), QuantileMode::EqualCount);
    /// ```
    pub fn get_mode(&self) -> QuantileMode {
        self.mode
    }

    /// The segment map, if any.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::rfm::RfmParams;
    /// let params = RfmParams::default();
    /// assert_eq!(params.get_segment_map().map(|map| map.name()), Some("rfm-default"));
    /// assert!(RfmParams::default().segment_map(None).get_segment_map().is_none());
    /// ```
    pub fn get_segment_map(&self) -> Option<&SegmentMap> {
        self.segment_map.as_ref()
    }

    /// Validates, then fits the cut points, on columns of the buyers' values keyed
    /// worst first.
    /// The columns the fit reads.
    pub(crate) fn wanted(&self) -> Vec<Wanted> {
        RFM_METRICS.map(Wanted::buyers).to_vec()
    }

    /// Validates, then fits the cut points on the buyers' columns.
    pub(crate) fn fit_data(&self, data: &FitData<'_>) -> Result<RfmModel, Error> {
        self.validate()?;
        let columns = RFM_METRICS.map(|metric| data.ranked(Wanted::buyers(metric)));
        if columns[0].len() == 0 {
            return Err(Error::EmptyPopulation {
                as_of: data.as_of(),
            });
        }
        let fit = |i: usize| {
            CutPoints::fit_column(
                &columns[i],
                self.bins,
                self.mode,
                RFM_METRICS[i].default_direction(),
            )
        };
        let model = RfmModel {
            params: self.clone(),
            fit_size: columns[0].len(),
            recency: fit(0)?,
            frequency: fit(1)?,
            monetary: fit(2)?,
        };
        Ok(model)
    }
}

const RFM_METRICS: [Metric; 3] = [Metric::RecencyDays, Metric::Frequency, Metric::Monetary];

impl Classifier for RfmParams {
    type Model = RfmModel;

    const KIND: &'static str = "rfm";

    fn columns(&self) -> Vec<Column> {
        let segments = self
            .segment_map
            .as_ref()
            .map(|m| m.labels().into_iter().map(String::from).collect())
            .unwrap_or_default();
        let mut columns: Vec<Column> = COLUMNS[..3]
            .iter()
            .map(|c| Column::new(*c, ColumnLabels::Scores(self.bins)))
            .collect();
        columns.push(Column::new(COLUMNS[3], ColumnLabels::unordered(segments)));
        columns
    }

    fn reads(&self) -> Reads {
        Reads::metrics(RFM_METRICS)
    }

    /// Checks the settings without data.
    ///
    /// # Errors
    /// [`ConfigError::Bins`] for bins outside 2..=10; [`ConfigError::SegmentMap`] when the
    /// map is written for another `k` ([RFM
    /// segments](crate::definitions#named-rfm-segments)).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::rfm::RfmParams;
    /// let err = RfmParams::default().bins(4).validate().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"segment map "rfm-default": written for k = 5, but the scores have k = 4"#
    /// );
    /// let err = RfmParams::default().bins(11).validate().unwrap_err();
    /// assert_eq!(err.to_string(), "bins must be in 2..=10, got 11");
    /// RfmParams::default().bins(4).segment_map(None).validate()?; // no map: any k in 2..=10
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        check_bins(self.bins)?;
        if let Some(map) = &self.segment_map
            && map.bins() != self.bins
        {
            return Err(ConfigError::SegmentMap {
                map: map.name().to_string(),
                reason: format!(
                    "written for k = {}, but the scores have k = {}",
                    map.bins(),
                    self.bins
                ),
            });
        }
        Ok(())
    }

    fn fit(&self, population: &Population) -> Result<RfmModel, Error> {
        self.fit_data(&FitData::new(population, &self.wanted()))
    }

    /// Equal-count scores split ties at a cut point by `customer_id`, which only the
    /// whole population shows.
    fn has_batch_labels(&self) -> bool {
        self.mode == QuantileMode::EqualCount
    }

    /// Equal-count scores label the fit population by the batch definition of [quantile
    /// scores](crate::definitions#quantile-scores), SQL `NTILE(k)` with the `customer_id`
    /// tiebreak, exactly; tie-aware scores are the model's own.
    fn batch_labels(
        &self,
        model: &RfmModel,
        population: &Population,
    ) -> Result<Option<Vec<Label>>, Error> {
        // Tie-aware scores are the model's own; SQL NTILE splits ties by id.
        if self.mode == QuantileMode::TieAware {
            return Ok(None);
        }
        let data = FitData::keyed(population, &self.wanted());
        let columns = RFM_METRICS.map(|metric| data.column(Wanted::buyers(metric)));
        let [r, f, m] = [
            batch_scores(&columns[0], &model.recency),
            batch_scores(&columns[1], &model.frequency),
            batch_scores(&columns[2], &model.monetary),
        ];
        let mut labels = Vec::with_capacity(population.len() * COLUMNS.len());
        let mut buyer = 0;
        for i in 0..population.len() {
            if population.columns().is_buyer(i) {
                model.push_scores(r[buyer], f[buyer], m[buyer], &mut labels);
                buyer += 1;
            } else {
                labels.extend([const { Label::Unscored(Unscored::NoPurchases) }; 4]);
            }
        }
        Ok(Some(labels))
    }
}

/// A fitted RFM model: the cut points of recency, frequency and monetary, and the
/// settings it was fitted with.
///
/// Plain data: it serializes, and a loaded model scores like the original.
///
/// # Example
/// ```
/// # use customer_tiering::classify::{Classifier as _, Model as _};
/// use customer_tiering::classify::rfm::{RfmModel, RfmParams};
/// use customer_tiering::classify::Classifier;
/// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
/// # for i in 1..=5i8 {
/// #     for day in 1..=i {
/// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
/// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
/// #     }
/// # }
/// # let population = builder.finish()?;
/// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
/// let model = RfmParams::default().fit(&population)?;
/// let json = serde_json::to_string(&model)?;
/// let loaded: RfmModel = serde_json::from_str(&json)?;
/// loaded.validate()?;
/// assert_eq!(loaded.scores(population.get("C3").unwrap()), Some([3, 3, 3]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RfmModel {
    params: RfmParams,
    fit_size: usize,
    recency: CutPoints,
    frequency: CutPoints,
    monetary: CutPoints,
}

impl RfmModel {
    /// The cut points of recency (days; fewer is better).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier};
    /// use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = RfmParams::default().fit(&population)?;
    /// // C1..C5 last bought 30, 29, 28, 27 and 26 days before March 31: worst first
    /// assert_eq!(model.recency().cuts(), [dec!(30), dec!(29), dec!(28), dec!(27)]);
    /// assert_eq!(model.recency().score(&dec!(3)), 5); // bought 3 days ago: better than all
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn recency(&self) -> &CutPoints {
        &self.recency
    }

    /// The cut points of frequency.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier};
    /// use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = RfmParams::default().fit(&population)?;
    /// assert_eq!(model.frequency().cuts(), [dec!(1), dec!(2), dec!(3), dec!(4)]);
    /// assert_eq!(model.frequency().score(&dec!(2)), 2); // better than one cut point
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn frequency(&self) -> &CutPoints {
        &self.frequency
    }

    /// The cut points of monetary.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier};
    /// use rust_decimal::dec;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = RfmParams::default().fit(&population)?;
    /// let cuts: Vec<String> = model.monetary().cuts().iter().map(ToString::to_string).collect();
    /// assert_eq!(cuts, ["10.00", "20.00", "30.00", "40.00"]);
    /// assert_eq!(model.monetary().score(&dec!(35)), 4);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn monetary(&self) -> &CutPoints {
        &self.monetary
    }

    /// The R, F and M scores of a profile, none for a customer without purchases.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier};
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// use rust_decimal::Decimal;
    /// let mut b = PopulationBuilder::new(date(2026, 3, 31));
    /// for i in 1..=10i64 {
    ///     let id = CustomerId::new(&format!("C{i:02}")).unwrap();
    ///     b.add(Transaction::new(id, date(2026, 3, i as i8), Decimal::new(i * 100, 2)))?;
    /// }
    /// let population = b.finish()?;
    /// let model = RfmParams::default().fit(&population)?;
    /// let best = population.get("C10").unwrap();
    /// assert_eq!(model.scores(best), Some([5, 1, 5]));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn scores(&self, profile: &Profile) -> Option<[u8; 3]> {
        let [r, f, m] = RFM_METRICS.map(|metric| profile.metric(metric));
        Some([
            self.recency.score(&r?),
            self.frequency.score(&f?),
            self.monetary.score(&m?),
        ])
        .filter(|_| profile.is_buyer())
    }

    /// The fast path of labelling many customers.
    pub(crate) fn coder(&self) -> RfmCoder<'_> {
        let k = usize::from(self.params.bins);
        let (segments, table) = match &self.params.segment_map {
            Some(map) => {
                let names = map.labels();
                let mut table = Vec::with_capacity(k * k * k);
                for r in 1..=self.params.bins {
                    for f in 1..=self.params.bins {
                        for m in 1..=self.params.bins {
                            let segment = map.segment(r, f, m);
                            let code = names.iter().position(|n| *n == segment).unwrap_or(0);
                            // fewer names than rules + 1
                            table.push(code as u32);
                        }
                    }
                }
                let labels = names.iter().map(|n| Label::Name(SmolStr::new(n))).collect();
                (labels, table)
            }
            None => (
                vec![Label::Unscored(Unscored::NoSegmentMap)],
                vec![0; k * k * k],
            ),
        };
        RfmCoder {
            k,
            recency: FastCuts::new(&self.recency),
            frequency: FastCuts::new(&self.frequency),
            monetary: FastCuts::new(&self.monetary),
            segments,
            table,
        }
    }

    fn push_scores(&self, r: u8, f: u8, m: u8, out: &mut Vec<Label>) {
        out.extend([Label::Score(r), Label::Score(f), Label::Score(m)]);
        out.push(match &self.params.segment_map {
            Some(map) => Label::Name(SmolStr::new(map.segment(r, f, m))),
            None => Label::Unscored(Unscored::NoSegmentMap),
        });
    }

    /// A score's explanation: the value against the cut points.
    fn explain_score(
        column: &str,
        metric: Metric,
        value: rust_decimal::Decimal,
        cuts: &CutPoints,
    ) -> Explanation {
        let score = cuts.score(&value);
        let reason = Reason::Score {
            metric,
            value,
            cuts: cuts.cuts().to_vec(),
            better_than: score - 1,
            direction: cuts.direction(),
            mode: cuts.mode(),
            bins: cuts.bins(),
            fit_size: cuts.fit_size(),
        };
        Explanation::new(column, Label::Score(score), reason)
    }
}

impl Model for RfmModel {
    type Params = RfmParams;

    /// The settings the model was fitted with.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::{rfm::RfmParams, Classifier};
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let model = RfmParams::default().bins(4).segment_map(None).fit(&population)?;
    /// assert_eq!(model.params().get_bins(), 4);
    /// assert!(model.params().get_segment_map().is_none());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    fn params(&self) -> &RfmParams {
        &self.params
    }

    /// Checks a loaded model: valid settings, and cut points that agree with them.
    ///
    /// # Errors
    /// [`ConfigError::CutPoints`] naming the metric and the inconsistency.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::{Classifier as _, Model as _};
    /// use customer_tiering::classify::rfm::{RfmModel, RfmParams};
    /// use customer_tiering::classify::Classifier;
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// # for i in 1..=5i8 {
    /// #     for day in 1..=i {
    /// #         let id = CustomerId::new(&format!("C{i}")).unwrap();
    /// #         builder.add(Transaction::new(id, date(2026, 3, day), rust_decimal::dec!(10.00)))?;
    /// #     }
    /// # }
    /// # let population = builder.finish()?;
    /// // Customer Ci (C1..C5) bought i times, on March 1..=i, 10.00 each.
    /// let mut json = serde_json::to_value(RfmParams::default().fit(&population)?)?;
    /// json["params"]["mode"] = "equal-count".into(); // hand-edited: the cut points are tie-aware
    /// let tampered: RfmModel = serde_json::from_value(json)?;
    /// assert_eq!(
    ///     tampered.validate().unwrap_err().to_string(),
    ///     "pipeline: rfm model, recency_days: \
    ///      cut points fitted with other bins or mode than the settings"
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn validate(&self) -> Result<(), ConfigError> {
        self.params.validate()?;
        let cuts = [&self.recency, &self.frequency, &self.monetary];
        for (metric, cuts) in RFM_METRICS.iter().zip(cuts) {
            let fail = |reason: String| ConfigError::CutPoints {
                kind: RfmParams::KIND,
                metric: metric.name(),
                reason,
            };
            cuts.validate().map_err(fail)?;
            if (cuts.bins(), cuts.mode()) != (self.params.bins, self.params.mode) {
                return Err(fail(
                    "cut points fitted with other bins or mode than the settings".into(),
                ));
            }
            if cuts.direction() != metric.default_direction() {
                return Err(fail("cut points ranked in the wrong direction".into()));
            }
        }
        Ok(())
    }

    fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
        match self.scores(profile) {
            Some([r, f, m]) => self.push_scores(r, f, m, out),
            None => out.extend([const { Label::Unscored(Unscored::NoPurchases) }; 4]),
        }
    }

    fn explain(&self, profile: &Profile) -> Vec<Explanation> {
        let Some([r, f, m]) = self.scores(profile) else {
            return COLUMNS
                .iter()
                .map(|c| Explanation::unscored(*c, Unscored::NoPurchases))
                .collect();
        };
        let cuts = [&self.recency, &self.frequency, &self.monetary];
        let mut lines: Vec<Explanation> = (0..3)
            .filter_map(|i| {
                let value = profile.metric(RFM_METRICS[i])?;
                Some(Self::explain_score(
                    COLUMNS[i],
                    RFM_METRICS[i],
                    value,
                    cuts[i],
                ))
            })
            .collect();
        lines.push(match &self.params.segment_map {
            Some(map) => {
                let segment = Label::Name(SmolStr::new(map.segment(r, f, m)));
                let reason = Reason::Segment {
                    scores: [r, f, m],
                    map: map.name().to_string(),
                    rule: map.matching_rule(r, f, m).map(|(index, _)| index + 1),
                };
                Explanation::new(COLUMNS[3], segment, reason)
            }
            None => Explanation::unscored(COLUMNS[3], Unscored::NoSegmentMap),
        });
        lines
    }

    /// No policy of this model fills a missing value.
    fn reports_missing(&self) -> bool {
        false
    }

    fn fit_size(&self) -> usize {
        self.fit_size
    }

    /// `too_few_buyers` (fewer than `10·k`), `segment_map_coverage`, and per score
    /// `empty_score` and `single_value`.
    fn warnings(&self, population: &Population) -> Vec<Warning> {
        let mut out = Vec::new();
        let k = self.params.bins;
        // Only a count below 10·k is reported: counting stops there, so that a million
        // customers are not all read to learn that there are more than 50.
        let buyers = (0..population.len())
            .filter(|&i| population.columns().is_buyer(i))
            .take(10 * usize::from(k))
            .count();
        if buyers < 10 * usize::from(k) {
            out.push(Warning::new(
                "too_few_buyers",
                "rfm",
                format!(
                    "{buyers} buyers for {k} quantile bins (fewer than {})",
                    10 * usize::from(k)
                ),
                serde_json::json!({ "buyers": buyers, "bins": k }),
            ));
        }
        if let Some(map) = &self.params.segment_map {
            out.extend(coverage_warning(map));
        }
        let cuts = [&self.recency, &self.frequency, &self.monetary];
        for ((column, metric), cuts) in COLUMNS.iter().zip(RFM_METRICS).zip(cuts) {
            for empty in cuts.empty_scores() {
                out.push(Warning::new(
                    "empty_score",
                    *column,
                    format!("{column}: {empty}"),
                    serde_json::to_value(empty).unwrap_or_default(),
                ));
            }
            out.extend(single_value(column, metric, population));
        }
        out
    }

    /// Per score, its range on the metric (or why it is empty); per segment, the score
    /// cells that give it.
    fn criteria(&self) -> Vec<Criterion> {
        let k = self.params.bins;
        let mut out = Vec::new();
        let cuts = [&self.recency, &self.frequency, &self.monetary];
        for ((column, metric), cuts) in COLUMNS.iter().zip(RFM_METRICS).zip(cuts) {
            for score in (1..=k).rev() {
                let rule = match cuts.empty_scores().iter().find(|e| e.score == score) {
                    Some(empty) => Rule::Empty {
                        why: match &empty.cause {
                            EmptyCause::Tie { value, customers } => EmptyWhy::Tie {
                                value: *value,
                                customers: *customers as u64,
                            },
                            EmptyCause::FewerCustomersThanBins { customers } => {
                                EmptyWhy::FewerCustomersThanBins {
                                    customers: *customers as u64,
                                }
                            }
                        },
                    },
                    None => score_range(
                        Quantity::Metric(metric),
                        cuts.cuts(),
                        score,
                        cuts.direction(),
                    ),
                };
                out.push(Criterion {
                    column: column.to_string(),
                    label: score.to_string(),
                    rule,
                });
            }
        }
        if let Some(map) = &self.params.segment_map {
            for segment in map.labels() {
                let any_of = score_boxes(k, |r, f, m| map.segment(r, f, m) == segment);
                out.push(Criterion {
                    column: COLUMNS[3].to_string(),
                    label: segment.to_string(),
                    rule: Rule::Scores { any_of },
                });
            }
        }
        out
    }

    /// The three tie-aware scores; equal-count scores rule hysteresis out.
    fn hysteresis_targets(&self) -> Result<Vec<HysteresisTarget>, ConfigError> {
        if self.params.mode != QuantileMode::TieAware {
            return Err(ConfigError::HysteresisNeedsTieAware {
                kind: RfmParams::KIND,
            });
        }
        Ok(COLUMNS
            .iter()
            .zip(RFM_METRICS)
            .map(|(column, metric)| HysteresisTarget::Score {
                column: column.to_string(),
                bins: self.params.bins,
                metric,
            })
            .collect())
    }

    /// The segment follows the scores.
    fn rederive(&self, labels: &mut [Label]) {
        if let [Label::Score(r), Label::Score(f), Label::Score(m), segment] = labels
            && let Some(map) = &self.params.segment_map
        {
            *segment = Label::Name(SmolStr::new(map.segment(*r, *f, *m)));
        }
    }
}

/// [`RfmModel`]'s labels as codes: a score `s` is code `s − 1`, no purchase code `k`;
/// the segment is looked up in a table of the `k³` score cells.
#[derive(Debug)]
pub(crate) struct RfmCoder<'a> {
    k: usize,
    recency: FastCuts<'a>,
    frequency: FastCuts<'a>,
    monetary: FastCuts<'a>,
    /// The segment column's labels, then "no purchase" after them.
    segments: Vec<Label>,
    table: Vec<u32>,
}

impl Coder for RfmCoder<'_> {
    fn labels(&self) -> Vec<Vec<Label>> {
        let unscored = Label::Unscored(Unscored::NoPurchases);
        let mut scores: Vec<Label> = (1..=self.k).map(|s| Label::Score(s as u8)).collect();
        scores.push(unscored.clone());
        let mut segments = self.segments.clone();
        segments.push(unscored);
        vec![scores.clone(), scores.clone(), scores, segments]
    }

    #[inline]
    fn code(&self, profile: &Profile, out: &mut [u32]) {
        let k = self.k as u32;
        // As `RfmModel::scores`: a buyer with a recency, else no purchase.
        let Some(recency) = profile.recency_days.filter(|_| profile.is_buyer()) else {
            out[..4].copy_from_slice(&[k, k, k, self.segments.len() as u32]);
            return;
        };
        let r = self.recency.score_int(recency);
        let f = match i64::try_from(profile.frequency) {
            Ok(f) => self.frequency.score_int(f),
            Err(_) => self.frequency.score(&profile.frequency.into()),
        };
        let m = self.monetary.score(&profile.monetary);
        let cell =
            ((usize::from(r) - 1) * self.k + usize::from(f) - 1) * self.k + usize::from(m) - 1;
        out[0] = u32::from(r) - 1;
        out[1] = u32::from(f) - 1;
        out[2] = u32::from(m) - 1;
        out[3] = self.table[cell];
    }

    /// As [`codes`](Coder::codes), from the three columns the scores read.
    fn codes_at(
        &self,
        customers: &Columns,
        range: Range<usize>,
        _: &mut Vec<Profile>,
        out: &mut [Vec<u32>],
    ) {
        let [r_out, f_out, m_out, _] = out else {
            return;
        };
        let k = self.k as u32;
        let recency = &customers.recency_days[range.clone()];
        let frequency = &customers.frequency[range.clone()];
        let monetary = &customers.monetary[range];
        let start = r_out.len();
        // As `RfmModel::scores`: a buyer with a recency, else no purchase; so a
        // customer without a recency code has no other score either. A value without
        // a key (or cuts without keys) is scored by the cuts themselves.
        let [r_keys, f_keys, m_keys] = self.keyed();
        r_out.extend(recency.iter().zip(frequency).map(|(r, &f)| {
            match r {
                Some(days) if f >= 1 => r_keys
                    .and_then(|c| c.code_int(*days))
                    .unwrap_or_else(|| self.recency.code_slow(&(*days).into())),
                _ => k,
            }
        }));
        let scored = &r_out[start..];
        f_out.extend(scored.iter().zip(frequency).map(|(&r, &f)| {
            let code = f_keys.and_then(|c| c.code_int(i64::try_from(f).ok()?));
            match (r == k, code) {
                (true, _) => k,
                (false, Some(code)) => code,
                (false, None) => self.frequency.code_slow(&f.into()),
            }
        }));
        m_out.extend(scored.iter().zip(monetary).map(|(&r, m)| {
            match r == k {
                true => k,
                false => m_keys
                    .and_then(|c| c.code(m))
                    .unwrap_or_else(|| self.monetary.code_slow(m)),
            }
        }));
        self.segments_of(start, out);
    }

    /// Score by score over the block, each a short loop of one kind.
    fn codes(&self, profiles: &[Profile], out: &mut [Vec<u32>]) {
        let [r_out, f_out, m_out, _] = out else {
            return;
        };
        let k = self.k as u32;
        let scored = |p: &Profile| p.is_buyer() && p.recency_days.is_some();
        let start = r_out.len();
        r_out.extend(profiles.iter().map(|p| match p.recency_days {
            Some(recency) if p.is_buyer() => u32::from(self.recency.score_int(recency)) - 1,
            _ => k,
        }));
        f_out.extend(profiles.iter().map(|p| {
            if !scored(p) {
                return k;
            }
            let f = match i64::try_from(p.frequency) {
                Ok(f) => self.frequency.score_int(f),
                Err(_) => self.frequency.score(&p.frequency.into()),
            };
            u32::from(f) - 1
        }));
        m_out.extend(profiles.iter().map(|p| {
            if scored(p) {
                u32::from(self.monetary.score(&p.monetary)) - 1
            } else {
                k
            }
        }));
        self.segments_of(start, out);
    }
}

impl RfmCoder<'_> {
    /// Each score's cuts as keys, where they have them and at most four cuts (five
    /// bins or fewer, the presets): counted by four compares.
    fn keyed(&self) -> [Option<KeyedCuts<4>>; 3] {
        [
            self.recency.keyed(),
            self.frequency.keyed(),
            self.monetary.keyed(),
        ]
    }

    /// The segment codes of the scores coded from `start` on.
    fn segments_of(&self, start: usize, out: &mut [Vec<u32>]) {
        let [r_out, f_out, m_out, segment_out] = out else {
            return;
        };
        let k = self.k as u32;
        let unscored = self.segments.len() as u32;
        let (r, f, m) = (&r_out[start..], &f_out[start..], &m_out[start..]);
        segment_out.extend(r.iter().zip(f).zip(m).map(|((&r, &f), &m)| {
            if r == k {
                unscored
            } else {
                self.table[((r * k + f) * k + m) as usize]
            }
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_segment_map_left_out_of_json_is_the_default_and_null_is_none() {
        let left_out: RfmParams = serde_json::from_str(r#"{"bins": 5}"#).unwrap();
        assert_eq!(left_out, RfmParams::default());
        let none: RfmParams = serde_json::from_str(r#"{"bins": 5, "segment_map": null}"#).unwrap();
        assert_eq!(none, RfmParams::default().segment_map(None));
        let round_trip = serde_json::to_string(&none).unwrap();
        assert_eq!(
            serde_json::from_str::<RfmParams>(&round_trip).unwrap(),
            none
        );
    }
}
