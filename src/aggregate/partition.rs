//! One range of customer ids: its customers interned to small numbers, and per customer
//! flat columns of fixed-size accumulators (counts, exact sums) plus packed
//! `(customer, day)` keys whose sorted, deduplicated run per customer gives its
//! distinct purchase dates. Nothing here depends on the order rows arrive in.

use std::collections::HashMap;

use smol_str::SmolStr;

use super::sum::SumColumn;
use crate::attributes::Attributes;
use crate::error::Error;
use crate::profile::{CustomerId, Profile, Transaction};

type Index = HashMap<SmolStr, u32, foldhash::fast::FixedState>;

/// An as-of date of the aggregation and its window, as day numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) day: i32,
    pub(crate) window: i64,
}

/// A row of the common shape: an amount whose mantissa fits `i64`, nothing else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// Where the row's id ends in [`RowBatch::ids`] (it starts where the previous
    /// row's ended).
    pub(crate) id_end: u32,
    pub(crate) day: i32,
    pub(crate) amount: i64,
    pub(crate) scale: u8,
}

/// One partition's rows of one chunk of input, on their way to the partition.
#[derive(Debug, Default)]
pub(crate) struct RowBatch {
    pub(crate) ids: Vec<u8>,
    pub(crate) rows: Vec<Row>,
    /// Rows with a profit or product, or an amount beyond `i64`.
    pub(crate) full: Vec<(i32, Transaction)>,
}

impl RowBatch {
    #[inline]
    pub(crate) fn push(&mut self, id: &[u8], day: i32, amount: i64, scale: u8) {
        self.ids.extend_from_slice(id);
        self.rows.push(Row {
            id_end: self.ids.len() as u32,
            day,
            amount,
            scale,
        });
    }
}

/// The sums of one customer at one as-of date.
#[derive(Debug, Clone, Default)]
struct Columns {
    transactions: Vec<u64>,
    monetary: SumColumn,
    current: SumColumn,
    previous: SumColumn,
    profit: SumColumn,
}

impl Columns {
    fn push(&mut self) {
        self.transactions.push(0);
        self.monetary.push();
        self.current.push();
        self.previous.push();
        self.profit.push();
    }
}

/// A `(customer, day)` key: the customer in the high half, the day biased so that
/// keys sort by customer, then date.
#[inline]
fn key(customer: u32, day: i32) -> u64 {
    (u64::from(customer) << 32) | u64::from((day as u32) ^ 0x8000_0000)
}

#[inline]
fn key_day(key: u64) -> i32 {
    ((key as u32) ^ 0x8000_0000) as i32
}

#[inline]
fn key_customer(key: u64) -> u32 {
    (key >> 32) as u32
}

/// Distinct product codes per customer, with the first date each was bought on.
#[derive(Debug, Clone, Default)]
struct Products {
    index: Index,
    names: Vec<SmolStr>,
    /// `(customer, product, day)`.
    seen: Vec<(u32, u32, i32)>,
}

impl Products {
    fn code(&mut self, name: &SmolStr) -> u32 {
        if let Some(&code) = self.index.get(name.as_str()) {
            return code;
        }
        let code = self.names.len() as u32;
        self.index.insert(name.clone(), code);
        self.names.push(name.clone());
        code
    }
}

/// The aggregate of one range of ids.
#[derive(Debug, Clone, Default)]
pub(crate) struct Partition {
    index: Index,
    /// Per customer, the day of its last key pushed: rows of one day in a row push one.
    recent: Vec<i32>,
    keys: Vec<u64>,
    /// Keys up to here are sorted and distinct.
    compacted: usize,
    periods: Vec<Columns>,
    products: Products,
}

impl Partition {
    pub(crate) fn new(periods: usize) -> Self {
        Partition {
            periods: vec![Columns::default(); periods],
            ..Partition::default()
        }
    }

    /// The number of customers.
    pub(crate) fn customers(&self) -> usize {
        self.recent.len()
    }

    #[inline]
    fn intern(&mut self, id: &str) -> u32 {
        if let Some(&at) = self.index.get(id) {
            return at;
        }
        let at = self.recent.len() as u32;
        self.index.insert(SmolStr::new(id), at);
        self.recent.push(i32::MIN);
        for columns in &mut self.periods {
            columns.push();
        }
        at
    }

    /// Counts one row of customer `at` (dated on or before the latest as-of date).
    #[inline]
    fn count(&mut self, periods: &[Period], at: u32, day: i32, amount: i128, scale: u32) {
        for (period, columns) in periods.iter().zip(&mut self.periods) {
            if day > period.day {
                continue;
            }
            columns.transactions[at as usize] += 1;
            columns.monetary.add(at, amount, scale);
            let age = i64::from(period.day) - i64::from(day);
            if age < period.window {
                columns.current.add(at, amount, scale);
            } else if age < 2 * period.window {
                columns.previous.add(at, amount, scale);
            }
        }
        let recent = &mut self.recent[at as usize];
        if *recent != day {
            *recent = day;
            self.keys.push(key(at, day));
        }
    }

    /// Counts a batch of rows (each dated on or before the latest as-of date).
    pub(crate) fn absorb(&mut self, periods: &[Period], batch: &RowBatch) {
        let mut start = 0;
        for row in &batch.rows {
            let end = row.id_end as usize;
            // Ids were checked to be UTF-8 when read; a failure here cannot happen.
            let id = std::str::from_utf8(&batch.ids[start..end]).unwrap_or_default();
            start = end;
            let at = self.intern(id);
            self.count(
                periods,
                at,
                row.day,
                i128::from(row.amount),
                u32::from(row.scale),
            );
        }
        for (day, tx) in &batch.full {
            self.add(periods, *day, tx);
        }
        self.compact();
    }

    /// Counts one transaction dated `day` (on or before the latest as-of date).
    pub(crate) fn add(&mut self, periods: &[Period], day: i32, tx: &Transaction) {
        let at = self.intern(tx.customer_id.as_str());
        self.count(periods, at, day, tx.amount.mantissa(), tx.amount.scale());
        if let Some(profit) = tx.profit {
            for (period, columns) in periods.iter().zip(&mut self.periods) {
                if day <= period.day {
                    columns.profit.add(at, profit.mantissa(), profit.scale());
                }
            }
        }
        if let Some(product) = &tx.product {
            let code = self.products.code(product);
            self.products.seen.push((at, code, day));
        }
    }

    /// Sorts and deduplicates the keys once they have doubled, so that memory follows
    /// distinct `(customer, day)` pairs, not rows.
    fn compact(&mut self) {
        if self.keys.len() > 2 * self.compacted + (1 << 14) {
            self.keys.sort_unstable();
            self.keys.dedup();
            self.compacted = self.keys.len();
        }
    }

    /// Every customer's id, by its number.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        let mut ids = vec![""; self.recent.len()];
        for (id, &at) in &self.index {
            ids[at as usize] = id.as_str();
        }
        ids.into_iter()
    }

    /// Adds the customers of `other` (a partial aggregate of other rows) that `take`
    /// selects by their number there.
    pub(crate) fn merge(&mut self, other: &Partition, take: &dyn Fn(u32) -> bool) {
        let mut mapped = vec![u32::MAX; other.recent.len()];
        let mut ids: Vec<(&SmolStr, u32)> = other.index.iter().map(|(id, &at)| (id, at)).collect();
        ids.sort_unstable_by_key(|&(_, at)| at);
        for (id, from) in ids {
            if take(from) {
                mapped[from as usize] = self.intern(id);
            }
        }
        for (mine, theirs) in self.periods.iter_mut().zip(&other.periods) {
            for (from, &at) in mapped.iter().enumerate().filter(|(_, at)| **at != u32::MAX) {
                let from = from as u32;
                mine.transactions[at as usize] += theirs.transactions[from as usize];
                mine.monetary.add_from(at, &theirs.monetary, from);
                mine.current.add_from(at, &theirs.current, from);
                mine.previous.add_from(at, &theirs.previous, from);
                mine.profit.add_from(at, &theirs.profit, from);
            }
        }
        let moved = other.keys.iter().filter_map(|&k| {
            let at = mapped[key_customer(k) as usize];
            (at != u32::MAX).then(|| key(at, key_day(k)))
        });
        self.keys.extend(moved);
        for &(customer, code, day) in &other.products.seen {
            let at = mapped[customer as usize];
            if at == u32::MAX {
                continue;
            }
            let name = &other.products.names[code as usize];
            let code = self.products.code(name);
            self.products.seen.push((at, code, day));
        }
        // `recent` stays true: each customer's recent day still has its key.
        self.compact();
    }

    /// The profiles of this range at every as-of date, in id order, joined with the
    /// known customers of this range (sorted by id): one list per period.
    ///
    /// # Errors
    /// [`Error::Overflow`] naming the first customer (in id order) whose total does not
    /// fit a decimal.
    pub(crate) fn finish(
        mut self,
        periods: &[Period],
        growth: bool,
        known: Vec<(CustomerId, Attributes)>,
    ) -> Result<Vec<Vec<Profile>>, Error> {
        let n = self.recent.len();
        let mut ids = vec![SmolStr::default(); n];
        for (id, at) in std::mem::take(&mut self.index) {
            ids[at as usize] = id;
        }
        let mut order: Vec<u32> = (0..n as u32).collect();
        order.sort_unstable_by(|&a, &b| ids[a as usize].cmp(&ids[b as usize]));
        self.keys.sort_unstable();
        self.keys.dedup();
        let key_runs = runs(&self.keys, n, |&k| key_customer(k));
        let mut products = std::mem::take(&mut self.products.seen);
        products.sort_unstable();
        let product_runs = runs(&products, n, |&(c, _, _)| c);

        let mut out = Vec::with_capacity(periods.len());
        for (period, columns) in periods.iter().zip(&self.periods) {
            let mut profiles = Vec::with_capacity(n + known.len());
            let mut known = known.iter().peekable();
            for &at in &order {
                let id = &ids[at as usize];
                while let Some((k, attributes)) = known.next_if(|(k, _)| k.as_str() < id.as_str()) {
                    let mut profile = Profile::without_purchases(k.clone());
                    profile.attributes = attributes.clone();
                    profiles.push(profile);
                }
                let attributes = known
                    .next_if(|(k, _)| k.as_str() == id.as_str())
                    .map(|(_, attributes)| attributes.clone());
                let days = &self.keys[key_runs[at as usize].clone()];
                let products = &products[product_runs[at as usize].clone()];
                let profile = profile(id, at, *period, columns, days, products, growth)?;
                match (profile, attributes) {
                    (Some(mut profile), attributes) => {
                        profile.attributes = attributes.unwrap_or_default();
                        profiles.push(profile);
                    }
                    // Known, but every row of it is after this as-of date.
                    (None, Some(attributes)) => {
                        let mut profile =
                            Profile::without_purchases(CustomerId::from_valid(id.clone()));
                        profile.attributes = attributes;
                        profiles.push(profile);
                    }
                    (None, None) => {}
                }
            }
            for (k, attributes) in known {
                let mut profile = Profile::without_purchases(k.clone());
                profile.attributes = attributes.clone();
                profiles.push(profile);
            }
            out.push(profiles);
        }
        Ok(out)
    }
}

/// Where each customer's run of `items` (sorted by customer) starts and ends.
fn runs<T>(
    items: &[T],
    customers: usize,
    customer: impl Fn(&T) -> u32,
) -> Vec<std::ops::Range<usize>> {
    let mut ranges = vec![0..0; customers];
    let mut start = 0;
    while start < items.len() {
        let c = customer(&items[start]);
        let end = start + items[start..].partition_point(|item| customer(item) == c);
        ranges[c as usize] = start..end;
        start = end;
    }
    ranges
}

/// The profile of customer `at` at one as-of date; none when it has no row on or
/// before that date.
fn profile(
    id: &SmolStr,
    at: u32,
    period: Period,
    columns: &Columns,
    keys: &[u64],
    products: &[(u32, u32, i32)],
    growth: bool,
) -> Result<Option<Profile>, Error> {
    let transactions = columns.transactions[at as usize];
    if transactions == 0 {
        return Ok(None);
    }
    let overflow = |metric| Error::customer_overflow(metric, id);
    let counted = keys.partition_point(|&k| key_day(k) <= period.day);
    let (first, last) = (key_day(keys[0]), key_day(keys[counted - 1]));
    let total = |column: &SumColumn, metric| column.total(at).ok_or_else(|| overflow(metric));
    let monetary = total(&columns.monetary, "monetary")?;
    let current = total(&columns.current, "monetary_current")?;
    let previous = total(&columns.previous, "monetary_previous")?;
    let profit = match columns.profit.seen(at) {
        true => Some(total(&columns.profit, "profit")?),
        false => None,
    };
    // The first row of each (customer, product) run has the product's first date.
    let mut distinct = 0u64;
    let mut previous_code = None;
    for &(_, code, day) in products {
        if previous_code != Some(code) {
            previous_code = Some(code);
            distinct += u64::from(day <= period.day);
        }
    }
    let growth = match growth {
        true => crate::metrics::growth(current, previous).map_err(|()| overflow("growth"))?,
        false => None,
    };
    let today = i64::from(period.day);
    Ok(Some(Profile {
        customer_id: CustomerId::from_valid(id.clone()),
        recency_days: Some(today - i64::from(last)),
        frequency: counted as u64,
        transactions,
        monetary,
        profit,
        tenure_days: Some(today - i64::from(first)),
        distinct_products: (distinct > 0).then_some(distinct),
        monetary_current: current,
        monetary_previous: previous,
        growth,
        attributes: Attributes::default(),
    }))
}
