//! PLACEHOLDER while helper enc14 writes the real module; never committed.
use std::io::Read;
/// Placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Encoding {
    /// UTF-8.
    #[default]
    Utf8,
}
impl Encoding {
    /// Name.
    pub fn name(self) -> &'static str {
        "utf-8"
    }
}
impl std::fmt::Display for Encoding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
impl std::str::FromStr for Encoding {
    type Err = crate::ConfigError;
    fn from_str(t: &str) -> Result<Self, Self::Err> {
        match t {
            "utf-8" => Ok(Encoding::Utf8),
            _ => Err(super::bad_key("encoding", t, "unknown")),
        }
    }
}
/// Placeholder.
#[derive(Debug)]
pub(crate) struct Decoding<R>(R);
impl<R: Read> Decoding<R> {
    pub(crate) fn new(r: R, _e: Encoding) -> std::io::Result<Self> {
        Ok(Decoding(r))
    }
}
impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, b: &mut [u8]) -> std::io::Result<usize> {
        self.0.read(b)
    }
}
