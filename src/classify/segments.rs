//! PLACEHOLDER (replaced by the real module).
#![allow(missing_docs)]
use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentRule {
    segment: String,
}
impl SegmentRule {
    pub fn segment(&self) -> &str {
        &self.segment
    }
}
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentMap {
    name: String,
    bins: u8,
    rules: Vec<SegmentRule>,
}
impl Default for SegmentMap {
    fn default() -> Self {
        SegmentMap {
            name: "rfm-default".into(),
            bins: 5,
            rules: vec![],
        }
    }
}
impl SegmentMap {
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn bins(&self) -> u8 {
        self.bins
    }
    pub fn segment(&self, _r: u8, _f: u8, _m: u8) -> &str {
        "x"
    }
    pub fn matching_rule(&self, _r: u8, _f: u8, _m: u8) -> Option<(usize, &SegmentRule)> {
        None
    }
}
