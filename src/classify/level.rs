//! The level of a grading dimension.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A dimension's level.
///
/// # Example
/// ```
/// use customer_tiering::classify::grade::Level;
/// // ordered as their points: none < low < mid < high
/// assert!(Level::None < Level::Low && Level::Mid < Level::High);
/// let level: Level = serde_json::from_str(r#""mid""#)?;
/// assert_eq!(level, Level::Mid);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Nothing (0 points by default).
    None,
    /// Low (1 point).
    Low,
    /// Mid (2 points).
    Mid,
    /// High (3 points).
    High,
}

impl Level {
    /// The key used in files (`high` …).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::grade::Level;
    /// assert_eq!([Level::High, Level::None].map(Level::name), ["high", "none"]);
    /// assert_eq!(Level::Mid.to_string(), Level::Mid.name());
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Level::High => "high",
            Level::Mid => "mid",
            Level::Low => "low",
            Level::None => "none",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
