//! A customer's labels as small codes: what a live tiering keeps per customer.

use smol_str::SmolStr;
use std::collections::HashMap;

use crate::classify::{Label, Unscored};
use crate::error::Error;

/// Columns whose codes an entry keeps in place; more go to the heap.
const IN_PLACE: usize = 16;

/// A customer's label codes, one per column; 0 = not labelled yet.
#[derive(Debug, Clone)]
pub(super) enum Codes {
    InPlace([u16; IN_PLACE]),
    Heap(Box<[u16]>),
}

impl Codes {
    pub(super) fn new(columns: usize) -> Self {
        if columns <= IN_PLACE {
            Codes::InPlace([0; IN_PLACE])
        } else {
            Codes::Heap(vec![0; columns].into_boxed_slice())
        }
    }

    pub(super) fn as_slice(&self) -> &[u16] {
        match self {
            Codes::InPlace(codes) => codes,
            Codes::Heap(codes) => codes,
        }
    }

    pub(super) fn as_mut_slice(&mut self) -> &mut [u16] {
        match self {
            Codes::InPlace(codes) => codes,
            Codes::Heap(codes) => codes,
        }
    }
}

/// Label ↔ code, per column: scores are their value (1..=10), unscored reasons
/// `UNSCORED + n`, names `NAMES +` their index in the column's list of names seen.
#[derive(Debug, Clone, Default)]
pub(super) struct Codebook {
    names: Vec<Vec<SmolStr>>,
    /// Per column, name → index in `names` (tag combinations can be many).
    index: Vec<HashMap<SmolStr, usize, foldhash::fast::RandomState>>,
    /// The reasons for no label met so far, in every column (an application's
    /// classifier may give reasons of its own).
    reasons: Vec<Unscored>,
}

const NAMES: u16 = 0x100;
const UNSCORED: u16 = 0xF000;

impl Codebook {
    pub(super) fn new(columns: usize) -> Self {
        Codebook {
            names: vec![Vec::new(); columns],
            index: vec![HashMap::default(); columns],
            reasons: Vec::new(),
        }
    }

    /// The code of a label.
    ///
    /// # Errors
    /// [`Error::TooManyLabels`] past 61 184 distinct names in one column (only tag
    /// combinations could get there).
    pub(super) fn encode(&mut self, column: usize, label: &Label) -> Result<u16, Error> {
        Ok(match label {
            Label::Score(score) => u16::from(*score),
            Label::Unscored(why) => {
                let at = self
                    .reasons
                    .iter()
                    .position(|r| r == why)
                    .unwrap_or_else(|| {
                        self.reasons.push(why.clone());
                        self.reasons.len() - 1
                    });
                match u16::try_from(at) {
                    Ok(at) if at <= u16::MAX - UNSCORED => UNSCORED + at,
                    _ => {
                        return Err(Error::TooManyLabels { column: None });
                    }
                }
            }
            Label::Name(name) => {
                let (names, index) = (&mut self.names[column], &mut self.index[column]);
                // A scan beats hashing for the few labels of a tier scheme.
                let found = if names.len() <= 16 {
                    names.iter().position(|n| n == name)
                } else {
                    index.get(name).copied()
                };
                let index = found.unwrap_or_else(|| {
                    names.push(name.clone());
                    index.insert(name.clone(), names.len() - 1);
                    names.len() - 1
                });
                match u16::try_from(index) {
                    Ok(index) if index < UNSCORED - NAMES => NAMES + index,
                    _ => {
                        return Err(Error::TooManyLabels {
                            column: Some(column),
                        });
                    }
                }
            }
        })
    }

    /// The label of a code; none for 0 (not labelled yet).
    pub(super) fn decode(&self, column: usize, code: u16) -> Option<Label> {
        match code {
            0 => None,
            1..NAMES => Some(Label::Score(code as u8)),
            NAMES..UNSCORED => Some(Label::Name(
                self.names[column][usize::from(code - NAMES)].clone(),
            )),
            _ => self
                .reasons
                .get(usize::from(code - UNSCORED))
                .cloned()
                .map(Label::Unscored),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_every_kind_of_label() {
        let mut book = Codebook::new(2);
        let labels = [
            Label::Score(1),
            Label::Score(10),
            Label::Name("gold".into()),
            Label::Name("lead".into()),
            Label::Unscored(Unscored::NoPurchases),
            Label::Unscored(Unscored::NoRuleMatched),
        ];
        for label in &labels {
            let code = book.encode(1, label).unwrap();
            assert_ne!(code, 0, "0 means not labelled yet");
            assert_eq!(book.decode(1, code).as_ref(), Some(label));
        }
        assert_eq!(book.encode(1, &Label::Name("gold".into())).unwrap(), NAMES);
        assert_eq!(book.decode(0, 0), None);
    }

    #[test]
    fn too_many_names_in_a_column_is_an_error_not_a_wrong_label() {
        let mut book = Codebook::new(1);
        for i in 0..(UNSCORED - NAMES) {
            book.encode(0, &Label::Name(SmolStr::new(i.to_string())))
                .unwrap();
        }
        let err = book.encode(0, &Label::Name("one more".into())).unwrap_err();
        assert!(
            err.to_string().contains("too many distinct labels"),
            "{err}"
        );
    }
}
