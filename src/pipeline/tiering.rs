//! The labels of a run: one row per customer, in id order.
//!
//! A million customers with six label columns would be 144 MB as [`Label`]s (24 bytes
//! each). A [`Tiering`] keeps each column as small integer codes into the column's
//! dictionary of distinct labels instead: one byte per cell for any tier scheme (at
//! most 256 distinct labels in a column), two or four past that. Dictionaries list the
//! labels in the order customers (by id) first have them, so a tiering is the same
//! data however it was built (one thread or many, in whatever pieces).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::ops::Index;
use std::sync::Arc;

use super::TAGS;
use crate::classify::Label;
use crate::profile::{CustomerId, Population};

/// Labels for every customer of a population, sorted by customer id.
///
/// # Example
/// ```
/// use customer_tiering::classify::pareto::ParetoParams;
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// for (id, amount) in [("C", 20), ("A", 90), ("B", 5)] {
///     let id = CustomerId::new(id).unwrap();
///     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
/// }
/// let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let (_, tiering) = pipeline.run(&orders.finish()?)?;
/// // By id, whatever the input order:
/// let rows: Vec<String> = tiering.rows().map(|(id, l)| format!("{id},{}", l[0])).collect();
/// assert_eq!(rows, ["A,platinum", "B,lead", "C,lead"]);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Clone)]
pub struct Tiering {
    columns: Vec<String>,
    /// Shared with the population labelled.
    ids: Arc<Vec<CustomerId>>,
    /// Per column, its distinct labels in order of first use (by row).
    dictionaries: Vec<Vec<Label>>,
    /// Per column, each row's index into the column's dictionary.
    codes: Vec<Codes>,
}

impl Tiering {
    /// Labels of a population's customers from pieces of consecutive rows (in order)
    /// each encoded on its own: their dictionaries merge in order, so the result is the
    /// same for any cut into pieces.
    pub(super) fn from_pieces(
        columns: Vec<String>,
        population: &Population,
        pieces: Vec<Encoder>,
    ) -> Self {
        let ids = population.customer_ids();
        let width = columns.len();
        let mut dictionaries = vec![Dictionary::default(); width];
        // Per piece and column: piece code → tiering code.
        let remaps: Vec<Vec<Vec<u32>>> = pieces
            .iter()
            .map(|piece| {
                piece
                    .dictionaries
                    .iter()
                    .zip(&mut dictionaries)
                    .zip(&piece.unmapped)
                    .map(|((local, global), unmapped)| {
                        let remap: Vec<u32> = local
                            .labels
                            .iter()
                            .map(|label| global.code_of(label))
                            .collect();
                        match unmapped {
                            // Codes still index the fixed list: through the piece's
                            // dictionary to the tiering's at once.
                            Some(unmapped) => unmapped
                                .iter()
                                .map(|&at| remap.get(at as usize).copied().unwrap_or(0))
                                .collect(),
                            None => remap,
                        }
                    })
                    .collect()
            })
            .collect();
        debug_assert_eq!(pieces.iter().map(|p| p.rows).sum::<usize>(), ids.len());
        let codes = (0..width)
            .map(|column| {
                let mut out = Codes::zeroed(ids.len(), dictionaries[column].labels.len());
                let mut jobs: Vec<(&Codes, &[u32], CodesMut<'_>)> =
                    Vec::with_capacity(pieces.len());
                let mut rest = out.as_mut();
                for (piece, remap) in pieces.iter().zip(&remaps) {
                    let (head, tail) = rest.split_at(piece.rows);
                    jobs.push((&piece.codes[column], &remap[column], head));
                    rest = tail;
                }
                crate::parallel::for_each_mut(&mut jobs, |(local, remap, out)| {
                    out.fill_from(local, remap);
                });
                drop(jobs);
                out
            })
            .collect();
        Tiering {
            columns,
            ids,
            dictionaries: dictionaries.into_iter().map(|d| d.labels).collect(),
            codes,
        }
    }

    /// The label columns, in order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.columns(), ["metal"]);
    /// assert_eq!(tiering.columns(), fitted.columns());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The number of customers.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.len(), 4); // P too, unscored
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether there is no customer.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert!(!tiering.is_empty());
    /// let nobody = Population::new(date(2026, 3, 31), Vec::new())?;
    /// assert!(fitted.classify_all(&nobody).is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Each customer with its labels (one per column), in id order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// // One CSV row per customer, as `tiers.csv` writes them (an unscored label is empty).
    /// let csv: Vec<String> =
    ///     tiering.rows().map(|(id, labels)| format!("{id},{}", labels[0].as_cell())).collect();
    /// assert_eq!(csv, ["A,platinum", "B,lead", "C,lead", "P,"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn rows(&self) -> impl ExactSizeIterator<Item = (&CustomerId, RowLabels<'_>)> {
        self.ids
            .iter()
            .enumerate()
            .map(move |(row, id)| (id, RowLabels { tiering: self, row }))
    }

    /// The labels of one customer.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// let a = tiering.get("A").unwrap();
    /// assert_eq!(a, [Label::Name("platinum".into())]);
    /// assert_eq!((a.len(), a[0].to_string()), (1, "platinum".to_string()));
    /// assert_eq!(tiering.get("Z"), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn get(&self, id: &str) -> Option<RowLabels<'_>> {
        let row = self.ids.binary_search_by(|c| c.as_str().cmp(id)).ok()?;
        Some(RowLabels { tiering: self, row })
    }

    /// The labels of the customer at `row` (0-based, in id order).
    ///
    /// # Panics
    /// When `row` is not below [`len`](Self::len).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.row(0), tiering.get("A").unwrap());
    /// assert_eq!(tiering.row(3)[0].as_cell(), ""); // P: unscored
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn row(&self, row: usize) -> RowLabels<'_> {
        assert!(row < self.len(), "row {row} of a tiering of {}", self.len());
        RowLabels { tiering: self, row }
    }

    /// The distinct labels of a column, in the order customers (by id) first have
    /// them: what [`code`](Self::code) indexes. Writing a column, format each once.
    ///
    /// # Panics
    /// When `column` is not below the number of columns.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// let metal = tiering.dictionary(0);
    /// let names: Vec<String> = metal.iter().map(|l| l.as_cell().into_owned()).collect();
    /// assert_eq!(names, ["platinum", "lead", ""]); // A, then B, then P (unscored)
    /// assert_eq!(tiering.code(2, 0), 1); // C: lead
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn dictionary(&self, column: usize) -> &[Label] {
        &self.dictionaries[column]
    }

    /// The label of the customer at `row` in `column`, as its index in the column's
    /// [`dictionary`](Self::dictionary).
    ///
    /// # Panics
    /// When `row` or `column` is out of range.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// for (row, (_, labels)) in tiering.rows().enumerate() {
    ///     assert_eq!(&tiering.dictionary(0)[tiering.code(row, 0)], &labels[0]);
    /// }
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn code(&self, row: usize, column: usize) -> usize {
        self.codes[column].get(row)
    }

    /// Replaces the label of the customer at `row` in the column at `column`.
    pub(crate) fn set_label(&mut self, row: usize, column: usize, label: Label) {
        if *self.cell(row, column) == label {
            return;
        }
        let dictionary = &mut self.dictionaries[column];
        let code = match dictionary.iter().position(|l| *l == label) {
            Some(code) => code,
            None => {
                dictionary.push(label);
                dictionary.len() - 1
            }
        };
        self.codes[column].set(row, code);
    }

    /// The label of one customer in one column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::{Label, Unscored};
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// assert_eq!(tiering.label("C", "metal"), Some(&Label::Name("lead".into())));
    /// assert_eq!(tiering.label("P", "metal"), Some(&Label::Unscored(Unscored::NoPurchases)));
    /// assert_eq!(tiering.label("A", "abc"), None); // no such column
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label(&self, id: &str, column: &str) -> Option<&Label> {
        let index = self.columns.iter().position(|c| c == column)?;
        let row = self.ids.binary_search_by(|c| c.as_str().cmp(id)).ok()?;
        Some(self.cell(row, index))
    }

    fn cell(&self, row: usize, column: usize) -> &Label {
        &self.dictionaries[column][self.codes[column].get(row)]
    }

    /// Customers per label, per column (unscored customers under `(unscored)`; the
    /// `tags` column is not a label and is left out).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, Population, PopulationBuilder};
    /// # use customer_tiering::{Profile, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # for (id, amount) in [("B", 5), ("A", 90), ("C", 20)] {
    /// #     let id = CustomerId::new(id).unwrap();
    /// #     orders.add(Transaction::new(id, date(2026, 3, 1), amount.into()))?;
    /// # }
    /// # let mut profiles = orders.finish()?.profiles().to_vec();
    /// # profiles.push(Profile::without_purchases(CustomerId::new("P").unwrap()));
    /// # let population = Population::new(date(2026, 3, 31), profiles)?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// # let (fitted, tiering) = pipeline.run(&population)?;
    /// // tiering: metals of A (spent 90), B (5), C (20), and P, who has not bought yet
    /// let metal = &tiering.counts()["metal"];
    /// assert_eq!((metal["platinum"], metal["lead"], metal["(unscored)"]), (1, 2, 1));
    /// assert!(!metal.contains_key("gold")); // nobody is gold: no entry
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn counts(&self) -> BTreeMap<String, BTreeMap<String, u64>> {
        let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for (column, name) in self.columns.iter().enumerate() {
            if name == TAGS {
                continue;
            }
            let dictionary = &self.dictionaries[column];
            let per_code = self.codes[column].histogram(dictionary.len());
            let entry = counts.entry(name.clone()).or_default();
            for (label, n) in dictionary.iter().zip(per_code) {
                if n == 0 {
                    continue;
                }
                let key = if label.is_scored() {
                    label.as_cell().into_owned()
                } else {
                    "(unscored)".to_string()
                };
                *entry.entry(key).or_default() += n;
            }
        }
        counts
    }
}

impl PartialEq for Tiering {
    /// Equal labels for equal customers and columns, however each is encoded.
    fn eq(&self, other: &Self) -> bool {
        if self.columns != other.columns || self.ids != other.ids {
            return false;
        }
        (0..self.columns.len()).all(|c| {
            if self.dictionaries[c] == other.dictionaries[c] && self.codes[c] == other.codes[c] {
                return true;
            }
            (0..self.len()).all(|row| self.cell(row, c) == other.cell(row, c))
        })
    }
}

impl Eq for Tiering {}

impl fmt::Debug for Tiering {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Tiering")
            .field("columns", &self.columns)
            .field("rows", &DebugRows(self))
            .finish()
    }
}

struct DebugRows<'a>(&'a Tiering);

impl fmt::Debug for DebugRows<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.0.rows()).finish()
    }
}

/// The labels of one customer in a [`Tiering`], one per column, in column order: a
/// view into the tiering, indexed and iterated like a slice of [`Label`]s.
///
/// # Example
/// ```
/// use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams, Label};
/// use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// use jiff::civil::date;
/// let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
/// let pipeline = PipelineBuilder::new()
///     .classifier(RfmParams::default())
///     .classifier(ParetoParams::metals())
///     .build()?;
/// let (_, tiering) = pipeline.run(&orders.finish()?)?;
/// let a = tiering.get("A").unwrap();
/// assert_eq!(a.len(), 5); // r, f, m, rfm_segment, metal
/// assert_eq!(a[4], Label::Name("platinum".into()));
/// let cells: Vec<String> = a.iter().map(|l| l.as_cell().into_owned()).collect();
/// assert_eq!(cells, ["1", "1", "1", "hibernating", "platinum"]);
/// assert_eq!(a.to_vec(), a); // compares with slices, vectors and arrays of labels
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Clone, Copy)]
pub struct RowLabels<'a> {
    tiering: &'a Tiering,
    row: usize,
}

impl<'a> RowLabels<'a> {
    /// The number of labels: the tiering's number of columns.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (_, tiering) = pipeline.run(&orders.finish()?)?;
    /// assert_eq!(tiering.get("A").unwrap().len(), tiering.columns().len());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn len(&self) -> usize {
        self.tiering.columns.len()
    }

    /// Whether there is no label (a tiering without columns).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (_, tiering) = pipeline.run(&orders.finish()?)?;
    /// assert!(!tiering.get("A").unwrap().is_empty());
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The label in column `column`, if there is such a column.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (_, tiering) = pipeline.run(&orders.finish()?)?;
    /// let a = tiering.get("A").unwrap();
    /// assert_eq!(a.get(0).map(|l| l.to_string()), Some("platinum".into()));
    /// assert_eq!(a.get(1), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn get(&self, column: usize) -> Option<&'a Label> {
        (column < self.len()).then(|| self.tiering.cell(self.row, column))
    }

    /// The label in column `column`, borrowed from the tiering (not from this view):
    /// what `labels[column]` gives, for as long as the tiering lives.
    ///
    /// # Panics
    /// When there is no such column.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (_, tiering) = pipeline.run(&orders.finish()?)?;
    /// // Borrowed from the tiering, a label outlives the row it came from:
    /// let labels: Vec<&Label> = tiering.rows().map(|(_, labels)| labels.label(0)).collect();
    /// assert_eq!(labels, [&Label::Name("platinum".into())]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn label(&self, column: usize) -> &'a Label {
        assert!(
            column < self.len(),
            "column {column} of a tiering of {} columns",
            self.len()
        );
        self.tiering.cell(self.row, column)
    }

    /// The labels in column order.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (_, tiering) = pipeline.run(&orders.finish()?)?;
    /// let shown: Vec<String> = tiering.get("A").unwrap().iter().map(ToString::to_string).collect();
    /// assert_eq!(shown, ["platinum"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn iter(&self) -> RowIter<'a> {
        RowIter {
            tiering: self.tiering,
            row: self.row,
            columns: 0..self.len(),
        }
    }

    /// The labels as an owned vector.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::classify::Label;
    /// # use customer_tiering::classify::pareto::ParetoParams;
    /// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
    /// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
    /// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
    /// let (_, tiering) = pipeline.run(&orders.finish()?)?;
    /// let labels: Vec<Label> = tiering.get("A").unwrap().to_vec();
    /// assert_eq!(labels, [Label::Name("platinum".into())]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn to_vec(&self) -> Vec<Label> {
        self.iter().cloned().collect()
    }
}

impl Index<usize> for RowLabels<'_> {
    type Output = Label;

    fn index(&self, column: usize) -> &Label {
        self.label(column)
    }
}

impl<'a> IntoIterator for RowLabels<'a> {
    type Item = &'a Label;
    type IntoIter = RowIter<'a>;

    fn into_iter(self) -> RowIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &RowLabels<'a> {
    type Item = &'a Label;
    type IntoIter = RowIter<'a>;

    fn into_iter(self) -> RowIter<'a> {
        self.iter()
    }
}

impl fmt::Debug for RowLabels<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for RowLabels<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for RowLabels<'_> {}

impl PartialEq<[Label]> for RowLabels<'_> {
    fn eq(&self, other: &[Label]) -> bool {
        self.iter().eq(other.iter())
    }
}

impl PartialEq<&[Label]> for RowLabels<'_> {
    fn eq(&self, other: &&[Label]) -> bool {
        self.iter().eq(other.iter())
    }
}

impl PartialEq<Vec<Label>> for RowLabels<'_> {
    fn eq(&self, other: &Vec<Label>) -> bool {
        self.iter().eq(other.iter())
    }
}

impl<const N: usize> PartialEq<[Label; N]> for RowLabels<'_> {
    fn eq(&self, other: &[Label; N]) -> bool {
        self.iter().eq(other.iter())
    }
}

impl PartialEq<RowLabels<'_>> for [Label] {
    fn eq(&self, other: &RowLabels<'_>) -> bool {
        other == self
    }
}

impl PartialEq<RowLabels<'_>> for &[Label] {
    fn eq(&self, other: &RowLabels<'_>) -> bool {
        other == *self
    }
}

impl PartialEq<RowLabels<'_>> for Vec<Label> {
    fn eq(&self, other: &RowLabels<'_>) -> bool {
        other == self
    }
}

/// The labels of a [`RowLabels`], in column order.
///
/// # Example
/// ```
/// # use customer_tiering::classify::pareto::ParetoParams;
/// # use customer_tiering::{CustomerId, PipelineBuilder, PopulationBuilder, Transaction};
/// # use jiff::civil::date;
/// # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
/// # orders.add(Transaction::new(CustomerId::new("A").unwrap(), date(2026, 3, 1), 90.into()))?;
/// # let pipeline = PipelineBuilder::new().classifier(ParetoParams::metals()).build()?;
/// let (_, tiering) = pipeline.run(&orders.finish()?)?;
/// let mut labels = tiering.get("A").unwrap().iter();
/// assert_eq!(labels.len(), 1);
/// assert_eq!(labels.next().map(|l| l.as_cell().into_owned()), Some("platinum".into()));
/// assert_eq!(labels.next(), None);
/// # Ok::<(), customer_tiering::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RowIter<'a> {
    tiering: &'a Tiering,
    row: usize,
    columns: std::ops::Range<usize>,
}

impl<'a> Iterator for RowIter<'a> {
    type Item = &'a Label;

    fn next(&mut self) -> Option<&'a Label> {
        let column = self.columns.next()?;
        Some(self.tiering.cell(self.row, column))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.columns.size_hint()
    }
}

impl DoubleEndedIterator for RowIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let column = self.columns.next_back()?;
        Some(self.tiering.cell(self.row, column))
    }
}

impl ExactSizeIterator for RowIter<'_> {}

/// One column's codes, as narrow as its dictionary allows.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Codes {
    Narrow(Vec<u8>),
    Medium(Vec<u16>),
    Wide(Vec<u32>),
}

/// A mutable run of one column's codes.
#[derive(Debug)]
enum CodesMut<'a> {
    Narrow(&'a mut [u8]),
    Medium(&'a mut [u16]),
    Wide(&'a mut [u32]),
}

impl Codes {
    /// `rows` codes 0, wide enough for a dictionary of `labels`.
    fn zeroed(rows: usize, labels: usize) -> Self {
        if labels <= 1 << 8 {
            Codes::Narrow(vec![0; rows])
        } else if labels <= 1 << 16 {
            Codes::Medium(vec![0; rows])
        } else {
            Codes::Wide(vec![0; rows])
        }
    }

    fn len(&self) -> usize {
        match self {
            Codes::Narrow(c) => c.len(),
            Codes::Medium(c) => c.len(),
            Codes::Wide(c) => c.len(),
        }
    }

    #[inline]
    fn get(&self, row: usize) -> usize {
        match self {
            Codes::Narrow(c) => usize::from(c[row]),
            Codes::Medium(c) => usize::from(c[row]),
            Codes::Wide(c) => c[row] as usize,
        }
    }

    /// Sets a code, widening the column first if it does not fit.
    fn set(&mut self, row: usize, code: usize) {
        if let Codes::Narrow(c) = self {
            match u8::try_from(code) {
                Ok(code) => return c[row] = code,
                Err(_) => *self = Codes::Medium(c.iter().map(|&x| u16::from(x)).collect()),
            }
        }
        if let Codes::Medium(c) = self {
            match u16::try_from(code) {
                Ok(code) => return c[row] = code,
                Err(_) => *self = Codes::Wide(c.iter().map(|&x| u32::from(x)).collect()),
            }
        }
        if let Codes::Wide(c) = self {
            c[row] = code_u32(code);
        }
    }

    /// Appends a code, widening the column first if it does not fit.
    #[inline]
    fn push(&mut self, code: usize) {
        if let Codes::Narrow(c) = self
            && let Ok(code) = u8::try_from(code)
        {
            return c.push(code);
        }
        let row = self.len();
        match self {
            Codes::Narrow(c) => c.push(0),
            Codes::Medium(c) => c.push(0),
            Codes::Wide(c) => c.push(0),
        }
        self.set(row, code);
    }

    fn as_mut(&mut self) -> CodesMut<'_> {
        match self {
            Codes::Narrow(c) => CodesMut::Narrow(c),
            Codes::Medium(c) => CodesMut::Medium(c),
            Codes::Wide(c) => CodesMut::Wide(c),
        }
    }

    /// Customers per code.
    fn histogram(&self, labels: usize) -> Vec<u64> {
        let mut counts = vec![0u64; labels];
        match self {
            Codes::Narrow(c) => {
                let mut by_byte = [0u64; 256];
                for &x in c {
                    by_byte[usize::from(x)] += 1;
                }
                for (count, n) in counts.iter_mut().zip(by_byte) {
                    *count = n;
                }
            }
            Codes::Medium(c) => c.iter().for_each(|&x| counts[usize::from(x)] += 1),
            Codes::Wide(c) => c.iter().for_each(|&x| counts[x as usize] += 1),
        }
        counts
    }
}

/// A dictionary never holds more labels than there are customers, and no population
/// of 2^32 customers fits in memory.
fn code_u32(code: usize) -> u32 {
    u32::try_from(code).unwrap_or(u32::MAX)
}

impl CodesMut<'_> {
    fn split_at(self, mid: usize) -> (Self, Self) {
        match self {
            CodesMut::Narrow(c) => {
                let (a, b) = c.split_at_mut(mid);
                (CodesMut::Narrow(a), CodesMut::Narrow(b))
            }
            CodesMut::Medium(c) => {
                let (a, b) = c.split_at_mut(mid);
                (CodesMut::Medium(a), CodesMut::Medium(b))
            }
            CodesMut::Wide(c) => {
                let (a, b) = c.split_at_mut(mid);
                (CodesMut::Wide(a), CodesMut::Wide(b))
            }
        }
    }

    /// Writes `remap[code]` for every code of `local`; the column is wide enough for
    /// every remapped code (it was sized for the merged dictionary).
    fn fill_from(&mut self, local: &Codes, remap: &[u32]) {
        match self {
            // The casts cannot truncate: see above.
            CodesMut::Narrow(out) => fill(out, local, |i| remap[i] as u8),
            CodesMut::Medium(out) => fill(out, local, |i| remap[i] as u16),
            CodesMut::Wide(out) => fill(out, local, |i| remap[i]),
        }
    }
}

fn fill<T>(out: &mut [T], local: &Codes, map: impl Fn(usize) -> T) {
    match local {
        Codes::Narrow(c) => out
            .iter_mut()
            .zip(c)
            .for_each(|(o, &x)| *o = map(usize::from(x))),
        Codes::Medium(c) => out
            .iter_mut()
            .zip(c)
            .for_each(|(o, &x)| *o = map(usize::from(x))),
        Codes::Wide(c) => out
            .iter_mut()
            .zip(c)
            .for_each(|(o, &x)| *o = map(x as usize)),
    }
}

/// Distinct labels in order of first use, with their codes.
#[derive(Debug, Clone, Default)]
struct Dictionary {
    labels: Vec<Label>,
    /// Label → code, once there are too many labels to scan (tag combinations).
    index: HashMap<Label, u32, foldhash::fast::FixedState>,
    /// The code last given: neighbours (in id order) often share a label.
    last: usize,
}

/// Labels a dictionary scans before it builds a hash index.
const SCAN: usize = 16;

impl Dictionary {
    /// The code of a label, giving it a new one if it is new.
    fn code_of(&mut self, label: &Label) -> u32 {
        match self.find(label) {
            Some(code) => code,
            None => self.insert(label.clone()),
        }
    }

    /// The code of an owned label (kept only if new).
    #[inline]
    fn code_of_owned(&mut self, label: Label) -> u32 {
        match self.find(&label) {
            Some(code) => code,
            None => self.insert(label),
        }
    }

    #[inline]
    fn find(&mut self, label: &Label) -> Option<u32> {
        if self.labels.get(self.last) == Some(label) {
            return Some(code_u32(self.last));
        }
        let found = if self.labels.len() <= SCAN {
            self.labels.iter().position(|l| l == label)
        } else {
            self.index.get(label).map(|&c| c as usize)
        }?;
        self.last = found;
        Some(code_u32(found))
    }

    fn insert(&mut self, label: Label) -> u32 {
        let code = self.labels.len();
        if code >= SCAN {
            if self.index.is_empty() {
                for (i, l) in self.labels.iter().enumerate() {
                    self.index.insert(l.clone(), code_u32(i));
                }
            }
            self.index.insert(label.clone(), code_u32(code));
        }
        self.labels.push(label);
        self.last = code;
        code_u32(code)
    }
}

/// Labels of consecutive rows, encoded column by column into dictionaries of their own
/// (one per piece of a population classified in parallel).
#[derive(Debug)]
pub(super) struct Encoder {
    rows: usize,
    dictionaries: Vec<Dictionary>,
    codes: Vec<Codes>,
    /// Columns whose dictionary is a fixed list given up front (a built-in model's
    /// labels), in no particular order until [`finish`](Self::finish).
    fixed: Vec<bool>,
    /// Per column that had a fixed list, once finished: its codes are still indexes in
    /// that list, and this gives each one's code in the dictionary (`u32::MAX` for a
    /// label nobody has). The tiering renumbers them once, not the piece and then the
    /// tiering.
    unmapped: Vec<Option<Vec<u32>>>,
}

impl Encoder {
    /// An encoder for `width` columns, room for `rows` rows.
    pub(super) fn new(width: usize, rows: usize) -> Self {
        Encoder {
            rows: 0,
            dictionaries: vec![Dictionary::default(); width],
            codes: (0..width)
                .map(|_| Codes::Narrow(Vec::with_capacity(rows)))
                .collect(),
            fixed: vec![false; width],
            unmapped: vec![None; width],
        }
    }

    /// Gives a column a fixed list of labels, which [`push_code`](Self::push_code)
    /// indexes.
    pub(super) fn fix(&mut self, column: usize, labels: Vec<Label>) {
        self.dictionaries[column] = Dictionary {
            labels,
            ..Dictionary::default()
        };
        self.fixed[column] = true;
    }

    /// Appends a label to a column by its index in the column's fixed list.
    #[inline]
    pub(super) fn push_code(&mut self, column: usize, code: u32) {
        self.codes[column].push(code as usize);
    }

    /// Appends a label to a column (the label is kept only if it is new).
    #[inline]
    pub(super) fn push_label(&mut self, column: usize, label: Label) {
        let code = self.dictionaries[column].code_of_owned(label);
        self.codes[column].push(code as usize);
    }

    /// Appends labels to a column by their indexes in the column's fixed list.
    pub(super) fn extend_codes(&mut self, column: usize, codes: &[u32]) {
        let out = &mut self.codes[column];
        // Without a branch per code (an `or` of them all, then a plain copy), so that
        // both loops run on whole vectors of codes.
        let widest = codes.iter().fold(0, |widest, &x| widest | x);
        match out {
            Codes::Narrow(c) if widest <= u32::from(u8::MAX) => {
                let at = c.len();
                c.resize(at + codes.len(), 0);
                for (o, &x) in c[at..].iter_mut().zip(codes) {
                    // checked just above
                    *o = x as u8;
                }
            }
            _ => codes.iter().for_each(|&x| out.push(x as usize)),
        }
    }

    /// Ends `rows` rows: every column has had a label for each.
    #[inline]
    pub(super) fn rows_done(&mut self, rows: usize) {
        self.rows += rows;
        debug_assert!(self.codes.iter().all(|c| c.len() == self.rows));
    }

    /// Puts the fixed lists in order of first use, without the labels nobody has, as
    /// every other column's dictionary is. Their codes are left as they are, with the
    /// table that [`Tiering::from_pieces`] reads them through.
    pub(super) fn finish(&mut self) {
        for column in 0..self.codes.len() {
            if !std::mem::take(&mut self.fixed[column]) {
                continue;
            }
            let dictionary = &mut self.dictionaries[column];
            let codes = &self.codes[column];
            let labels = dictionary.labels.len();
            let mut renumbered = vec![u32::MAX; labels];
            let mut used = Vec::new();
            let mut first_use = |code: usize| {
                if renumbered[code] == u32::MAX {
                    renumbered[code] = code_u32(used.len());
                    used.push(code);
                }
                used.len() == labels
            };
            match codes {
                Codes::Narrow(c) => {
                    // Rows already seen in the order first used are skipped in bulk.
                    let mut seen = [false; 256];
                    for &x in c.iter() {
                        if !seen[usize::from(x)] {
                            seen[usize::from(x)] = true;
                            if first_use(usize::from(x)) {
                                break;
                            }
                        }
                    }
                }
                _ => {
                    for row in 0..codes.len() {
                        if first_use(codes.get(row)) {
                            break;
                        }
                    }
                }
            }
            *dictionary = Dictionary {
                labels: used.iter().map(|&c| dictionary.labels[c].clone()).collect(),
                ..Dictionary::default()
            };
            self.unmapped[column] = Some(renumbered);
        }
    }
}
