//! The job `tier` runs before any preset: RFM with its segment map, then metals. Shared
//! with the DataFusion member's `distributed` example, which runs the same job.

use customer_tiering::PipelineBuilder;
use customer_tiering::classify::Warning;
use customer_tiering::classify::pareto::ParetoParams;
use customer_tiering::classify::quantile::QuantileMode;
use customer_tiering::classify::rfm::RfmParams;
use customer_tiering::classify::segments::SegmentMap;
use serde_json::json;

/// RFM in `bins` bins and `mode`, named by `chosen` or else the default segment map
/// (written for 5 bins: for other bins `rfm_segment` is left empty, with a warning),
/// then metals.
pub(crate) fn base_job(
    bins: u8,
    mode: QuantileMode,
    chosen: Option<SegmentMap>,
    warnings: &mut Vec<Warning>,
) -> PipelineBuilder {
    let segment_map = match chosen {
        Some(map) => Some(map),
        None if bins == 5 => Some(SegmentMap::default()),
        None => {
            warnings.push(Warning {
                code: "segment_map_bins",
                classifier: "rfm_segment".into(),
                message: format!(
                    "the default segment map is written for k = 5; rfm_segment is left empty for k = {bins}"
                ),
                figures: json!({ "map_bins": 5, "bins": bins }),
            });
            None
        }
    };
    PipelineBuilder::new()
        .classifier(
            RfmParams::default()
                .bins(bins)
                .mode(mode)
                .segment_map(segment_map),
        )
        .classifier(ParetoParams::metals())
}
