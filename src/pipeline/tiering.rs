//! The labels of a run: one row per customer, in id order.

use std::collections::BTreeMap;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tiering {
    columns: Vec<String>,
    ids: Vec<CustomerId>,
    labels: Vec<Label>,
}

impl Tiering {
    /// Labels (row-major, one per column per customer) of a population's customers.
    pub(super) fn new(columns: Vec<String>, population: &Population, labels: Vec<Label>) -> Self {
        debug_assert_eq!(labels.len(), columns.len() * population.len());
        let ids = population
            .profiles()
            .iter()
            .map(|p| p.customer_id.clone())
            .collect();
        Tiering {
            columns,
            ids,
            labels,
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
    pub fn rows(&self) -> impl Iterator<Item = (&CustomerId, &[Label])> {
        let width = self.columns.len().max(1);
        self.ids.iter().zip(self.labels.chunks(width))
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
    /// assert_eq!(tiering.get("A"), Some(&[Label::Name("platinum".into())][..]));
    /// assert_eq!(tiering.get("Z"), None);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn get(&self, id: &str) -> Option<&[Label]> {
        let width = self.columns.len();
        let row = self.ids.binary_search_by(|c| c.as_str().cmp(id)).ok()?;
        Some(&self.labels[row * width..(row + 1) * width])
    }

    /// Replaces the label of the customer at `row` in the column at `column`.
    pub(crate) fn set_label(&mut self, row: usize, column: usize, label: Label) {
        let width = self.columns.len();
        self.labels[row * width + column] = label;
    }

    /// The labels of the customer at `row`, mutable.
    pub(crate) fn row_mut(&mut self, row: usize) -> &mut [Label] {
        let width = self.columns.len();
        &mut self.labels[row * width..(row + 1) * width]
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
        self.get(id).map(|labels| &labels[index])
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
        for (_, labels) in self.rows() {
            for (column, label) in self.columns.iter().zip(labels).filter(|(c, _)| *c != TAGS) {
                let key = if label.is_scored() {
                    label.as_cell().into_owned()
                } else {
                    "(unscored)".to_string()
                };
                *counts
                    .entry(column.clone())
                    .or_default()
                    .entry(key)
                    .or_default() += 1;
            }
        }
        counts
    }
}
