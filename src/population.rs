//! The customers of one run as columns: the ids in one column and every metric in a
//! column of its own, in id order. A fit reads a metric of a million customers from one
//! 8- or 16-byte column instead of from a million 200-byte profiles, and the columns take
//! about 120 bytes a customer (optional metrics nobody has take none); a [`Profile`] is
//! made only where one is asked for (one customer with [`Population::profile_of`], all of
//! them once with [`Population::profiles`]).
//!
//! # Example
//! ```
//! use customer_tiering::population::Population;
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut builder = PopulationBuilder::new(date(2026, 3, 31));
//! for (id, day) in [("C2", 1), ("C1", 5), ("C2", 20)] {
//!     builder.add(Transaction::new(CustomerId::new(id)?, date(2026, 3, day), 10.into()))?;
//! }
//! let population: Population = builder.finish()?;
//! assert_eq!(population.ids().collect::<Vec<_>>(), ["C1", "C2"]);
//! assert_eq!(population.profile_of("C2").map(|p| p.frequency), Some(2)); // one profile made
//! assert_eq!(population.profiles()[1].monetary, 20.into()); // every profile made, and kept
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::attributes::Attributes;
use crate::error::{Error, PopulationProblem};
use crate::profile::{CustomerId, Metric, Profile};

/// Customers per piece of parallel work (fixed: results never depend on the thread
/// count).
const PIECE: usize = 1 << 16;

/// The customers of one run at one as-of date, sorted by id (byte order), each once.
///
/// Kept as columns (see the [`population`](crate::population) module docs): reading
/// [`len`](Self::len), [`buyer_count`](Self::buyer_count) or one customer with
/// [`profile_of`](Self::profile_of) costs no profile; [`profiles`](Self::profiles),
/// [`buyers`](Self::buyers) and [`get`](Self::get) make every profile the first time one
/// of them is called, and keep them.
///
/// # Example
/// ```
/// use customer_tiering::{CustomerId, Population, Profile};
/// use jiff::civil::date;
/// let ids = ["b", "a"].map(|s| Profile::without_purchases(CustomerId::new(s).unwrap()));
/// let population = Population::new(date(2026, 3, 31), ids.to_vec()).unwrap();
/// assert_eq!(population.profiles()[0].customer_id.as_str(), "a");
/// assert_eq!(population.buyers().count(), 0);
/// ```
#[derive(Debug, Clone)]
pub struct Population {
    as_of: Date,
    columns: Columns,
    /// Every profile, made from the columns the first time one is borrowed.
    profiles: OnceLock<Vec<Profile>>,
}

/// The metrics of a population, one column each, in id order. A column that is none
/// for every customer (profit without profits, growth not computed, attributes without
/// a customers source) is not kept at all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Columns {
    /// Every id, shared with the tierings of the population (a short id is kept in
    /// place, a long one behind a shared pointer: a copy is a copy of 24 bytes).
    ids: Arc<Vec<CustomerId>>,
    pub(crate) recency_days: Vec<Option<i64>>,
    pub(crate) frequency: Vec<u64>,
    pub(crate) transactions: Vec<u64>,
    pub(crate) monetary: Vec<Decimal>,
    pub(crate) profit: Option<Vec<Option<Decimal>>>,
    pub(crate) tenure_days: Vec<Option<i64>>,
    pub(crate) distinct_products: Option<Vec<Option<u64>>>,
    pub(crate) monetary_current: Vec<Decimal>,
    pub(crate) monetary_previous: Vec<Decimal>,
    pub(crate) growth: Option<Vec<Option<Decimal>>>,
    attributes: Option<Vec<Attributes>>,
}

impl Columns {
    /// Columns with room for `customers` without growing (optional columns aside).
    pub(crate) fn with_capacity(customers: usize) -> Self {
        Columns {
            ids: Arc::new(Vec::with_capacity(customers)),
            recency_days: Vec::with_capacity(customers),
            frequency: Vec::with_capacity(customers),
            transactions: Vec::with_capacity(customers),
            monetary: Vec::with_capacity(customers),
            tenure_days: Vec::with_capacity(customers),
            monetary_current: Vec::with_capacity(customers),
            monetary_previous: Vec::with_capacity(customers),
            ..Columns::default()
        }
    }

    /// The number of customers.
    pub(crate) fn len(&self) -> usize {
        self.ids.len()
    }

    /// Customer `i`'s id.
    #[inline]
    pub(crate) fn id(&self, i: usize) -> &str {
        self.ids[i].as_str()
    }

    /// Whether customer `i` bought on or before the as-of date.
    #[inline]
    pub(crate) fn is_buyer(&self, i: usize) -> bool {
        self.frequency[i] >= 1
    }

    /// Customer `i`'s value of a metric, as [`Profile::metric`] gives it.
    #[inline]
    pub(crate) fn metric(&self, i: usize, metric: Metric) -> Option<Decimal> {
        let optional = |column: &Option<Vec<Option<Decimal>>>| column.as_ref().and_then(|c| c[i]);
        match metric {
            Metric::RecencyDays => self.recency_days[i].map(Decimal::from),
            Metric::Frequency => Some(self.frequency[i].into()),
            Metric::Transactions => Some(self.transactions[i].into()),
            Metric::Monetary => Some(self.monetary[i]),
            Metric::Profit => optional(&self.profit),
            Metric::TenureDays => self.tenure_days[i].map(Decimal::from),
            Metric::DistinctProducts => self
                .distinct_products
                .as_ref()
                .and_then(|c| c[i])
                .map(Decimal::from),
            Metric::MonetaryCurrent => Some(self.monetary_current[i]),
            Metric::MonetaryPrevious => Some(self.monetary_previous[i]),
            Metric::Growth => optional(&self.growth),
        }
    }

    /// Customer `i`'s attributes (empty without a customers source).
    pub(crate) fn attributes(&self, i: usize) -> Option<&Attributes> {
        self.attributes.as_ref().map(|a| &a[i])
    }

    /// Customer `i`'s profile.
    pub(crate) fn profile(&self, i: usize) -> Profile {
        Profile {
            customer_id: self.ids[i].clone(),
            recency_days: self.recency_days[i],
            frequency: self.frequency[i],
            transactions: self.transactions[i],
            monetary: self.monetary[i],
            profit: self.profit.as_ref().and_then(|c| c[i]),
            tenure_days: self.tenure_days[i],
            distinct_products: self.distinct_products.as_ref().and_then(|c| c[i]),
            monetary_current: self.monetary_current[i],
            monetary_previous: self.monetary_previous[i],
            growth: self.growth.as_ref().and_then(|c| c[i]),
            attributes: self.attributes(i).cloned().unwrap_or_default(),
        }
    }

    /// The profiles of the customers of `range`, made into `out` (emptied first): a
    /// block at a time for code that reads profiles, in a buffer that stays in the
    /// cache.
    pub(crate) fn fill(&self, range: std::ops::Range<usize>, out: &mut Vec<Profile>) {
        out.clear();
        out.extend(range.map(|i| self.profile(i)));
    }

    /// Appends profiles (in id order, after every id here).
    pub(crate) fn extend(&mut self, profiles: &[Profile]) {
        self.reserve(profiles.len());
        for profile in profiles {
            self.push(profile.clone());
        }
    }

    /// Room for `n` more customers in every column kept for all.
    fn reserve(&mut self, n: usize) {
        Arc::make_mut(&mut self.ids).reserve(n);
        self.recency_days.reserve(n);
        self.frequency.reserve(n);
        self.transactions.reserve(n);
        self.tenure_days.reserve(n);
        self.monetary.reserve(n);
        self.monetary_current.reserve(n);
        self.monetary_previous.reserve(n);
    }

    /// Appends one customer (its id after every id here).
    #[inline]
    pub(crate) fn push(&mut self, p: Profile) {
        let at = self.len();
        Arc::make_mut(&mut self.ids).push(p.customer_id);
        self.recency_days.push(p.recency_days);
        self.frequency.push(p.frequency);
        self.transactions.push(p.transactions);
        self.monetary.push(p.monetary);
        self.tenure_days.push(p.tenure_days);
        self.monetary_current.push(p.monetary_current);
        self.monetary_previous.push(p.monetary_previous);
        push_optional(&mut self.profit, at, p.profit);
        push_optional(&mut self.distinct_products, at, p.distinct_products);
        push_optional(&mut self.growth, at, p.growth);
        match (&mut self.attributes, p.attributes.is_empty()) {
            (Some(column), _) => column.push(p.attributes),
            (None, true) => {}
            (None, false) => {
                let mut column = vec![Attributes::default(); at];
                column.push(p.attributes);
                self.attributes = Some(column);
            }
        }
    }

    /// Moves every customer of `chunk` after these (its ids after every id here).
    pub(crate) fn append(&mut self, mut chunk: Columns) {
        let (before, n) = (self.len(), chunk.len());
        Arc::make_mut(&mut self.ids).append(Arc::make_mut(&mut chunk.ids));
        self.recency_days.append(&mut chunk.recency_days);
        self.frequency.append(&mut chunk.frequency);
        self.transactions.append(&mut chunk.transactions);
        self.monetary.append(&mut chunk.monetary);
        self.tenure_days.append(&mut chunk.tenure_days);
        self.monetary_current.append(&mut chunk.monetary_current);
        self.monetary_previous.append(&mut chunk.monetary_previous);
        append_optional(&mut self.profit, before, chunk.profit, n);
        append_optional(
            &mut self.distinct_products,
            before,
            chunk.distinct_products,
            n,
        );
        append_optional(&mut self.growth, before, chunk.growth, n);
        append_optional(&mut self.attributes, before, chunk.attributes, n);
    }

    /// The first id that comes twice (ids are sorted, so it is next to its twin).
    fn first_repeat(&self) -> Option<&str> {
        let starts: Vec<usize> = (0..self.len()).step_by(PIECE).collect();
        // Each piece compared with the first id of the next: the first repeat in id
        // order is the one named.
        let repeats = crate::parallel::map(&starts, |&start| {
            let end = (start + PIECE + 1).min(self.len());
            (start + 1..end).find(|&i| self.id(i - 1) == self.id(i))
        });
        repeats.into_iter().flatten().next().map(|i| self.id(i))
    }

    /// Where customer `id` is.
    fn position(&self, id: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.id(mid).cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// Appends customer `at`'s value to an optional column, which comes into being (none
/// for the customers before) with its first value that is not none.
#[inline]
/// Appends an optional column of `n` customers to one of `before` (a column not kept
/// is all defaults).
fn append_optional<T: Clone + Default>(
    column: &mut Option<Vec<T>>,
    before: usize,
    chunk: Option<Vec<T>>,
    n: usize,
) {
    match (column.as_mut(), chunk) {
        (Some(column), Some(mut chunk)) => column.append(&mut chunk),
        (Some(column), None) => column.resize(before + n, T::default()),
        (None, None) => {}
        (None, Some(mut chunk)) => {
            let mut new = Vec::with_capacity(before + n);
            new.resize(before, T::default());
            new.append(&mut chunk);
            *column = Some(new);
        }
    }
}

fn push_optional<T: Copy>(column: &mut Option<Vec<Option<T>>>, at: usize, value: Option<T>) {
    match (column.as_mut(), value) {
        (Some(column), value) => column.push(value),
        (None, None) => {}
        (None, Some(value)) => {
            let mut new = vec![None; at];
            new.push(Some(value));
            *column = Some(new);
        }
    }
}

impl Population {
    /// Sorts the profiles by id.
    ///
    /// # Errors
    /// [`Error::Population`] naming the first id given twice
    /// ([`PopulationProblem::TwoProfiles`]).
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Population, Profile};
    /// use jiff::civil::date;
    /// let p = Profile::without_purchases(CustomerId::new("C1")?);
    /// let err = Population::new(date(2026, 3, 31), vec![p.clone(), p]).unwrap_err();
    /// assert_eq!(err.to_string(), r#"pipeline: customer "C1" has two profiles"#);
    /// # Ok::<(), customer_tiering::profile::IdError>(())
    /// ```
    pub fn new(as_of: Date, mut profiles: Vec<Profile>) -> Result<Self, Error> {
        profiles.sort_unstable_by(|a, b| a.customer_id.cmp(&b.customer_id));
        let mut columns = Columns::default();
        columns.extend(&profiles);
        Population::from_columns(as_of, columns)
    }

    /// Columns already in id order; checks that no id comes twice.
    pub(crate) fn from_columns(as_of: Date, columns: Columns) -> Result<Self, Error> {
        debug_assert!((1..columns.len()).all(|i| columns.id(i - 1) <= columns.id(i)));
        if let Some(id) = columns.first_repeat() {
            return Err(Error::Population {
                reason: PopulationProblem::TwoProfiles {
                    customer: id.to_string(),
                },
            });
        }
        Ok(Population {
            as_of,
            columns,
            profiles: OnceLock::new(),
        })
    }

    /// The columns.
    pub(crate) fn columns(&self) -> &Columns {
        &self.columns
    }

    /// The as-of date the metrics are relative to.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::PopulationBuilder;
    /// use jiff::civil::date;
    /// let population = PopulationBuilder::new(date(2026, 3, 31)).finish()?;
    /// assert_eq!(population.as_of(), date(2026, 3, 31));
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn as_of(&self) -> Date {
        self.as_of
    }

    /// Every customer, sorted by id. The profiles are made from the columns the first
    /// time (on every thread) and kept: a million of them take about 200 MB.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Population, Profile};
    /// use jiff::civil::date;
    /// let ids = ["b", "a", "B"].map(|id| CustomerId::new(id).unwrap());
    /// let profiles = ids.map(Profile::without_purchases);
    /// let population = Population::new(date(2026, 3, 31), profiles.to_vec())?;
    /// let ids: Vec<&str> = population.profiles().iter().map(|p| p.customer_id.as_str()).collect();
    /// assert_eq!(ids, ["B", "a", "b"]); // byte order: upper case first
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn profiles(&self) -> &[Profile] {
        self.profiles.get_or_init(|| {
            let mut all = Vec::with_capacity(self.len());
            let indexes: Vec<usize> = (0..self.len()).collect();
            crate::parallel::extend_mapped(&mut all, &indexes, |&i| self.columns.profile(i));
            all
        })
    }

    /// The scored population: customers with at least one purchase.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{attributes::Attributes, CustomerId};
    /// # use customer_tiering::{PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 25.into()))?;
    /// let population = builder.finish_with([(CustomerId::new("P1")?, Attributes::default())])?;
    ///
    /// let buyers: Vec<&str> = population.buyers().map(|p| p.customer_id.as_str()).collect();
    /// assert_eq!(buyers, ["C1"]); // P1 never bought
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn buyers(&self) -> impl Iterator<Item = &Profile> {
        self.profiles().iter().filter(|p| p.is_buyer())
    }

    /// The number of [buyers](Self::buyers), read from one column.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{attributes::Attributes, CustomerId};
    /// # use customer_tiering::{PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 25.into()))?;
    /// let population = builder.finish_with([(CustomerId::new("P1")?, Attributes::default())])?;
    /// assert_eq!((population.len(), population.buyer_count()), (2, 1));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn buyer_count(&self) -> usize {
        // A buyer has a purchase (as `Columns::is_buyer`), counted over the column.
        self.columns.frequency.iter().filter(|&&f| f >= 1).count()
    }

    /// The number of customers.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{attributes::Attributes, CustomerId};
    /// # use customer_tiering::{PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 25.into()))?;
    /// let population = builder.finish_with([(CustomerId::new("P1")?, Attributes::default())])?;
    ///
    /// assert_eq!(population.len(), 2); // buyers and known customers without purchases
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn len(&self) -> usize {
        self.columns.len()
    }

    /// Whether there is no customer at all.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 4, 1), 25.into()))?;
    /// assert!(builder.finish()?.is_empty()); // the only row is after the as-of date
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.columns.len() == 0
    }

    /// Every customer's id, in order.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::{CustomerId, Population, Profile};
    /// use jiff::civil::date;
    /// let profiles = ["b", "a"].map(|id| Profile::without_purchases(CustomerId::new(id).unwrap()));
    /// let population = Population::new(date(2026, 3, 31), profiles.to_vec())?;
    /// assert_eq!(population.ids().collect::<Vec<_>>(), ["a", "b"]);
    /// # Ok::<(), customer_tiering::Error>(())
    /// ```
    pub fn ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.columns.id(i))
    }

    /// Whether anybody bought.
    pub(crate) fn has_buyers(&self) -> bool {
        (0..self.len()).any(|i| self.columns.is_buyer(i))
    }

    /// The [buyers](Self::buyers)' profiles, each made as the iteration reaches it.
    pub(crate) fn each_buyer(&self) -> impl Iterator<Item = Profile> + '_ {
        (0..self.len())
            .filter(|&i| self.columns.is_buyer(i))
            .map(|i| self.columns.profile(i))
    }

    /// Every customer's id, shared (not copied).
    pub(crate) fn customer_ids(&self) -> Arc<Vec<CustomerId>> {
        Arc::clone(&self.columns.ids)
    }

    /// The profile of one customer, made from the columns (the others are not made).
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 25.into()))?;
    /// let population = builder.finish()?;
    /// assert_eq!(population.profile_of("C1").map(|p| p.recency_days), Some(Some(30)));
    /// assert_eq!(population.profile_of("C2"), None);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn profile_of(&self, id: &str) -> Option<Profile> {
        self.columns.position(id).map(|i| self.columns.profile(i))
    }

    /// The profile of one customer, borrowed from [`profiles`](Self::profiles) (which
    /// makes every profile the first time); [`profile_of`](Self::profile_of) makes only
    /// this one.
    ///
    /// # Example
    /// ```
    /// # use customer_tiering::{attributes::Attributes, CustomerId};
    /// # use customer_tiering::{PopulationBuilder, Transaction};
    /// # use jiff::civil::date;
    /// let mut builder = PopulationBuilder::new(date(2026, 3, 31));
    /// builder.add(Transaction::new(CustomerId::new("C1")?, date(2026, 3, 1), 25.into()))?;
    /// let population = builder.finish_with([(CustomerId::new("P1")?, Attributes::default())])?;
    ///
    /// assert_eq!(population.get("C1").map(|p| p.monetary), Some(25.into()));
    /// assert_eq!(population.get("c1"), None); // ids are case-sensitive
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.columns.position(id).map(|i| &self.profiles()[i])
    }
}

impl PartialEq for Population {
    fn eq(&self, other: &Self) -> bool {
        self.as_of == other.as_of && self.columns == other.columns
    }
}

impl Eq for Population {}

/// A population as it is written: its date and its profiles, in id order.
#[derive(Serialize)]
struct Written<'a> {
    as_of: Date,
    profiles: Rows<'a>,
}

/// The profiles of a population, each made as it is written.
struct Rows<'a>(&'a Columns);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq((0..self.0.len()).map(|i| self.0.profile(i)))
    }
}

impl Serialize for Population {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Written {
            as_of: self.as_of,
            profiles: Rows(&self.columns),
        }
        .serialize(serializer)
    }
}

/// A population as it is read back.
#[derive(Deserialize)]
struct Read {
    as_of: Date,
    profiles: Vec<Profile>,
}

impl<'de> Deserialize<'de> for Population {
    /// As [`Population::new`]: sorted, and an id given twice is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let read = Read::deserialize(deserializer)?;
        Population::new(read.as_of, read.profiles).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn customer(id: &str) -> Profile {
        Profile::without_purchases(CustomerId::new(id).unwrap())
    }

    #[test]
    fn columns_give_back_the_profiles_they_were_made_of() {
        let mut attributes = Attributes::default();
        attributes.insert("region", crate::attributes::AttrValue::Text("north".into()));
        let full = Profile {
            recency_days: Some(3),
            frequency: 2,
            transactions: 5,
            monetary: dec!(10.50),
            profit: Some(dec!(-1.0)),
            tenure_days: Some(40),
            distinct_products: Some(2),
            monetary_current: dec!(7),
            monetary_previous: dec!(3.50),
            growth: Some(dec!(1)),
            attributes,
            ..customer("B")
        };
        let bare = Profile {
            frequency: 1,
            transactions: 1,
            ..customer("A")
        };
        let profiles = vec![full.clone(), customer("C"), bare.clone()];
        let population = Population::new(jiff::civil::date(2026, 3, 31), profiles).unwrap();
        assert_eq!(
            population.profiles(),
            [bare.clone(), full.clone(), customer("C")]
        );
        assert_eq!(population.profile_of("B"), Some(full.clone()));
        assert_eq!(population.profile_of("D"), None);
        assert_eq!(population.get("A"), Some(&bare));
        assert_eq!(population.buyer_count(), 2);
        for metric in Metric::ALL {
            assert_eq!(population.columns().metric(1, metric), full.metric(metric));
            assert_eq!(
                population.columns().metric(2, metric),
                customer("C").metric(metric)
            );
        }
        let json = serde_json::to_string(&population).unwrap();
        let back: Population = serde_json::from_str(&json).unwrap();
        assert_eq!(back, population);
        assert_eq!(back.profiles(), population.profiles());
    }

    #[test]
    fn optional_columns_appear_with_their_first_value() {
        let mut columns = Columns::default();
        columns.extend(&[customer("A")]);
        assert!(columns.profit.is_none() && columns.attributes.is_none());
        let with_profit = Profile {
            profit: Some(dec!(2)),
            ..customer("B")
        };
        columns.extend(&[with_profit.clone(), customer("C")]);
        assert_eq!(columns.profit, Some(vec![None, Some(dec!(2)), None]));
        assert_eq!(columns.profile(1), with_profit);
        assert_eq!(columns.profile(0), customer("A"));
    }

    #[test]
    fn appended_chunks_equal_the_profiles_pushed_one_by_one() {
        let with_profit = |id: &str| Profile {
            profit: Some(dec!(-1.5)),
            ..customer(id)
        };
        let with_attributes = |id: &str| {
            let mut p = customer(id);
            let retail = crate::attributes::AttrValue::Text("retail".into());
            p.attributes.insert("industry", retail);
            p
        };
        // Every mix of an optional column kept on one side, the other or both.
        let chunks = [
            vec![customer("A"), customer("B")],
            vec![with_profit("C")],
            vec![customer("D")],
            vec![with_attributes("E"), with_profit("F")],
            vec![],
            vec![customer("G")],
        ];
        let mut appended = Columns::default();
        let mut pushed = Columns::default();
        for chunk in &chunks {
            let mut columns = Columns::default();
            columns.extend(chunk);
            appended.append(columns);
            for profile in chunk {
                pushed.push(profile.clone());
            }
        }
        assert_eq!(appended, pushed);
        let all: Vec<Profile> = chunks.concat();
        assert_eq!(
            (0..all.len())
                .map(|i| appended.profile(i))
                .collect::<Vec<_>>(),
            all
        );
        assert_eq!(appended.profit.as_ref().map(Vec::len), Some(7));
        assert_eq!(appended.attributes.as_ref().map(Vec::len), Some(7));
        assert!(appended.distinct_products.is_none());
    }

    #[test]
    fn the_first_repeated_id_is_named_wherever_the_pieces_are_cut() {
        let id = |i: usize| CustomerId::new(&format!("C{i:06}")).unwrap();
        let as_of = jiff::civil::date(2026, 3, 31);
        // Repeats across the boundary of the first piece (65,535 | 65,536) and later.
        for (first, second) in [(65_535, 100_000), (100_000, 120_000), (0, 65_535)] {
            let profiles: Vec<Profile> = (0..140_000)
                .map(|i| match i {
                    i if i == first + 1 => id(first),
                    i if i == second + 1 => id(second),
                    i => id(i),
                })
                .map(Profile::without_purchases)
                .collect();
            let err = Population::new(as_of, profiles).unwrap_err();
            let want = format!(
                "pipeline: customer \"{}\" has two profiles",
                id(first).as_str()
            );
            assert_eq!(err.to_string(), want);
        }
        let single: Vec<Profile> = (0..140_000)
            .map(|i| Profile::without_purchases(id(i)))
            .collect();
        assert!(Population::new(as_of, single).is_ok());
    }
}
