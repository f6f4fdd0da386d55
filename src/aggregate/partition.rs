//! One range of customer ids: its customers interned to small numbers, and per customer
//! flat columns of fixed-size accumulators (counts, exact sums) plus packed
//! `(customer, day)` keys whose sorted, deduplicated run per customer gives its
//! distinct purchase dates. Nothing here depends on the order rows arrive in.

use std::collections::HashMap;

use smol_str::SmolStr;

use super::sum::{Accs, CURRENT, MONETARY, PREVIOUS, PROFIT};
use crate::attributes::Attributes;
use crate::error::Error;
use crate::population::Columns;
use crate::profile::{CustomerId, Profile, Transaction};

type Index = HashMap<SmolStr, u32, foldhash::fast::FixedState>;

/// Customer ids interned to numbers 0, 1, …: their bytes back to back in one arena,
/// and an open-addressing table (linear probing, at most 70 % full) whose slots hold
/// ids of up to 15 bytes themselves. A lookup of a short id usually reads one slot:
/// one trip to memory, where a table with separate control bytes takes two.
#[derive(Debug, Clone, Default)]
struct Ids {
    bytes: Vec<u8>,
    /// Where each id ends in `bytes` (it starts where the one before ended).
    ends: Vec<u32>,
    /// A power of two long (or empty); [`Slot::EMPTY`] marks a free slot.
    table: Vec<Slot>,
    hasher: foldhash::fast::FixedState,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    inline: Inline,
    at: u32,
}

impl Slot {
    const EMPTY: Slot = Slot {
        inline: Inline([0, 0]),
        at: u32::MAX,
    };
}

/// An id's bytes padded to 15 and its length in the last byte; for a longer id, its
/// first 15 bytes and [`LONG`] (the arena decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Inline([u64; 2]);

const LONG: u8 = 0xff;

impl Inline {
    /// The inline form of `id`, a slice of `buffer` followed in it by at least 16
    /// bytes where possible: then its bytes are read as two fixed words and masked,
    /// without a copy of variable length.
    #[inline(always)]
    pub(crate) fn within(id: &[u8], buffer: &[u8]) -> Inline {
        let offset = (id.as_ptr() as usize).wrapping_sub(buffer.as_ptr() as usize);
        match buffer.get(offset..offset.wrapping_add(16)) {
            Some(window) if id.len() <= 15 && offset < buffer.len() => {
                let word = u128::from_le_bytes(window.try_into().unwrap_or_default());
                let kept = word & ((1u128 << (8 * id.len())) - 1);
                let value = kept | (id.len() as u128) << 120;
                Inline([value as u64, (value >> 64) as u64])
            }
            _ => Inline::of(id),
        }
    }

    /// A hash of the two words: one multiplication, its 128-bit product folded in half
    /// (as `foldhash` does), so that every input bit reaches the low bits the table
    /// reads: ids of one export differ mostly in their last bytes, which are the high
    /// bytes of a word. Through the `Hasher` trait, the same took several times the
    /// instructions.
    #[inline]
    fn hash(self) -> u64 {
        const SEEDS: [u64; 2] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344];
        let product = u128::from(self.0[0] ^ SEEDS[0]) * u128::from(self.0[1] ^ SEEDS[1]);
        (product as u64) ^ ((product >> 64) as u64)
    }

    /// The first bytes of a short id (its length is in the last byte).
    fn short_bytes(&self) -> ([u8; 16], usize) {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.0[0].to_le_bytes());
        bytes[8..].copy_from_slice(&self.0[1].to_le_bytes());
        let len = usize::from(bytes[15]).min(15);
        (bytes, len)
    }

    #[inline]
    pub(crate) fn of(id: &[u8]) -> Inline {
        let mut bytes = [0u8; 16];
        let n = id.len().min(15);
        bytes[..n].copy_from_slice(&id[..n]);
        bytes[15] = if id.len() <= 15 { id.len() as u8 } else { LONG };
        let (low, high) = bytes.split_at(8);
        Inline([
            u64::from_le_bytes(low.try_into().unwrap_or_default()),
            u64::from_le_bytes(high.try_into().unwrap_or_default()),
        ])
    }

    /// The sixteen bytes as two big-endian words (the first byte the highest).
    #[inline]
    pub(crate) fn big_endian(self) -> (u64, u64) {
        (self.0[0].swap_bytes(), self.0[1].swap_bytes())
    }

    /// A number that orders short ids as their bytes do (the bytes big-endian, then
    /// the length: a prefix sorts first); a long id sorts after every id it starts
    /// with, among the long ids of its first 15 bytes in an order its bytes decide.
    #[inline]
    fn order_key(self) -> u128 {
        (u128::from(self.0[0].swap_bytes()) << 64) | u128::from(self.0[1].swap_bytes())
    }

    /// A long id's place in a batch's id bytes, in place of its inline form (its last
    /// byte still [`LONG`], so that it is never taken for a short id).
    fn spill(start: usize, end: usize) -> Inline {
        Inline([(start as u64) | (end as u64) << 32, u64::from(LONG) << 56])
    }

    /// Where a [`spill`](Self::spill)ed id's bytes are; none for a short id.
    fn spilled(self) -> Option<std::ops::Range<usize>> {
        self.is_long()
            .then(|| (self.0[0] as u32) as usize..(self.0[0] >> 32) as usize)
    }

    pub(crate) fn is_long(self) -> bool {
        (self.0[1] >> 56) as u8 == LONG
    }
}

impl Ids {
    fn len(&self) -> usize {
        self.ends.len()
    }

    #[inline]
    fn get(&self, at: u32) -> &[u8] {
        id_in(&self.bytes, &self.ends, at)
    }

    #[inline]
    fn hash(hasher: &foldhash::fast::FixedState, inline: Inline, id: &[u8]) -> u64 {
        use std::hash::BuildHasher;
        match inline.is_long() {
            false => inline.hash(),
            true => hasher.hash_one(id),
        }
    }

    /// The number of an id given in its inline form, and whether it is new; `long`
    /// holds the bytes of an id over 15 bytes (a short id's bytes are its inline form).
    #[inline]
    fn intern_inline(&mut self, inline: Inline, long: &[u8]) -> (u32, bool) {
        let (short, len) = inline.short_bytes();
        let id = if inline.is_long() {
            long
        } else {
            &short[..len]
        };
        let hash = Ids::hash(&self.hasher, inline, id);
        if self.table.is_empty() {
            self.table = vec![Slot::EMPTY; 64];
        }
        let mask = self.table.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = self.table[i];
            if slot.at == u32::MAX {
                break;
            }
            if slot.inline == inline
                && (!inline.is_long() || id_in(&self.bytes, &self.ends, slot.at) == id)
            {
                return (slot.at, false);
            }
            i = (i + 1) & mask;
        }
        let at = self.ends.len() as u32;
        self.bytes.extend_from_slice(id);
        self.ends.push(self.bytes.len() as u32);
        self.table[i] = Slot { inline, at };
        if self.ends.len() * 10 > self.table.len() * 7 {
            self.grow();
        }
        (at, true)
    }

    /// The number of a short id found in the first slot it hashes to, else
    /// `u32::MAX` (a new id, a collision, or a long id: [`intern_inline`](Self::intern_inline)
    /// decides). Nothing here branches on the slot's contents, so the lookups of many
    /// rows can wait on memory at once.
    #[inline]
    fn first_probe(&self, inline: Inline, hash: u64) -> u32 {
        let mask = self.table.len().wrapping_sub(1);
        match self.table.get(hash as usize & mask) {
            Some(slot) => {
                let hit = slot.inline == inline && !inline.is_long();
                if hit { slot.at } else { u32::MAX }
            }
            None => u32::MAX,
        }
    }

    /// The hash of an id's inline form (for a long id, of no use: it never hits in
    /// [`first_probe`](Self::first_probe)).
    #[inline]
    fn short_hash(&self, inline: Inline) -> u64 {
        inline.hash()
    }

    /// Asks for the slot of `hash` to be brought into the cache.
    #[inline]
    fn prefetch(&self, hash: u64) {
        let mask = self.table.len().wrapping_sub(1);
        crate::prefetch::prefetch(&self.table, hash as usize & mask);
    }

    /// Doubles the table and puts every id back.
    fn grow(&mut self) {
        let mut table = vec![Slot::EMPTY; self.table.len() * 2];
        let mask = table.len() - 1;
        for slot in self.table.iter().filter(|s| s.at != u32::MAX) {
            let id = id_in(&self.bytes, &self.ends, slot.at);
            let mut i = (Ids::hash(&self.hasher, slot.inline, id) as usize) & mask;
            while table[i].at != u32::MAX {
                i = (i + 1) & mask;
            }
            table[i] = *slot;
        }
        self.table = table;
    }

    /// Every id's number, in the order of the ids' bytes: sorted by a number made of
    /// each id's first bytes, then, where long ids share those, by their bytes.
    fn sorted(&self) -> Vec<u32> {
        let mut keyed: Vec<(u128, u32)> = (0..self.len() as u32)
            .map(|at| (Inline::of(self.get(at)).order_key(), at))
            .collect();
        keyed.sort_unstable();
        // Equal keys are rare (long ids sharing their first bytes): the runs are found
        // in one pass, not by a search from each.
        let mut order: Vec<u32> = Vec::with_capacity(keyed.len());
        for run in keyed.chunk_by(|a, b| a.0 == b.0) {
            let start = order.len();
            order.extend(run.iter().map(|&(_, at)| at));
            if run.len() > 1 {
                order[start..].sort_unstable_by(|&a, &b| self.get(a).cmp(self.get(b)));
            }
        }
        order
    }

    /// Id `at` as text (ids were checked to be UTF-8 when read).
    fn text(&self, at: u32) -> &str {
        std::str::from_utf8(self.get(at)).unwrap_or_default()
    }

    /// Every id as text.
    fn texts(&self) -> impl Iterator<Item = &str> {
        (0..self.len() as u32).map(|at| self.text(at))
    }
}

/// Id `at` of an arena.
#[inline]
fn id_in<'a>(bytes: &'a [u8], ends: &[u32], at: u32) -> &'a [u8] {
    let at = at as usize;
    let start = if at == 0 { 0 } else { ends[at - 1] as usize };
    &bytes[start..ends[at] as usize]
}

/// An as-of date of the aggregation and its window, as day numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Period {
    pub(crate) day: i32,
    pub(crate) window: i64,
}

/// A row of the common shape: an amount whose mantissa fits `i64`, nothing else. Kept
/// to 32 bytes: every row is written once and read back once on its way to its range.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// The id's inline form, or for an id over 15 bytes, where its bytes are in
    /// [`RowBatch::ids`] (see [`Inline::spilled`]).
    pub(crate) id: Inline,
    pub(crate) amount: i64,
    pub(crate) day: i32,
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
    /// Empties the batch, keeping its room.
    pub(crate) fn clear(&mut self) {
        self.ids.clear();
        self.rows.clear();
        self.full.clear();
    }

    #[inline(always)]
    pub(crate) fn push(&mut self, inline: Inline, id: &[u8], day: i32, amount: i64, scale: u8) {
        let id = match inline.is_long() {
            false => inline,
            true => {
                let start = self.ids.len();
                self.ids.extend_from_slice(id);
                Inline::spill(start, self.ids.len())
            }
        };
        self.rows.push(Row {
            id,
            amount,
            day,
            scale,
        });
    }

    /// The inline form and bytes of a row's id (the bytes only for a long id).
    #[inline]
    fn id(&self, row: &Row) -> (Inline, &[u8]) {
        match row.id.spilled() {
            Some(range) => {
                let long = &self.ids[range];
                (Inline::of(long), long)
            }
            None => (row.id, &[]),
        }
    }
}

/// Rows ahead whose memory is asked for while a row is looked up or counted.
const AHEAD: usize = 12;

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
    ids: Ids,
    keys: Vec<u64>,
    /// Keys up to here are sorted and distinct.
    compacted: usize,
    /// Keys pushed since then that may repeat an earlier one: their day is not after
    /// every earlier day of their customer. Rows in date order push none, and their keys
    /// are then never sorted before the end.
    repeats: usize,
    /// Per as-of date, every customer's accumulator.
    periods: Vec<Accs>,
    products: Products,
    /// Scratch: the customer of each row of the batch being absorbed.
    numbers: Vec<u32>,
    /// Scratch: the hash of each row's id.
    hashes: Vec<u64>,
}

impl Partition {
    pub(crate) fn new(periods: usize) -> Self {
        Partition {
            periods: vec![Accs::default(); periods.max(1)],
            ..Partition::default()
        }
    }

    /// The number of customers.
    pub(crate) fn customers(&self) -> usize {
        self.ids.len()
    }

    #[inline]
    fn intern(&mut self, id: &[u8]) -> u32 {
        self.intern_with(Inline::of(id), id)
    }

    #[inline]
    fn intern_with(&mut self, inline: Inline, long: &[u8]) -> u32 {
        let (at, new) = self.ids.intern_inline(inline, long);
        if new {
            for accs in &mut self.periods {
                accs.push();
            }
        }
        at
    }

    /// Counts one row of customer `at` (dated on or before the latest as-of date).
    #[inline]
    fn count(&mut self, periods: &[Period], at: u32, day: i32, amount: i128, scale: u32) {
        let small = i64::try_from(amount).ok();
        let add = |accs: &mut Accs, which: usize| match small {
            Some(amount) => accs.add_i64(at, which, amount, scale),
            None => accs.add(at, which, amount, scale),
        };
        for (period, accs) in periods.iter().zip(&mut self.periods) {
            if day > period.day {
                continue;
            }
            accs.rows[at as usize].count_day(day);
            add(accs, MONETARY);
            let age = i64::from(period.day) - i64::from(day);
            if age < period.window {
                add(accs, CURRENT);
            } else if age < 2 * period.window {
                add(accs, PREVIOUS);
            }
        }
        let first = &mut self.periods[0].rows[at as usize];
        if first.recent != day {
            first.recent = day;
            self.keys.push(key(at, day));
            // `last` counts this row already. A day before it may have been seen; so
            // may `last` itself with another `recent`, but only after a row out of
            // order, which `unordered` remembers.
            self.repeats += usize::from(day < first.last || first.unordered);
        }
    }

    /// Counts a batch of rows (each dated on or before the latest as-of date).
    pub(crate) fn absorb(&mut self, periods: &[Period], batch: &RowBatch) {
        // First every row's customer, then every row's sums: lookups of different
        // rows do not wait on each other, so the processor overlaps their trips to
        // memory. The customers come in two passes: the first only probes each row's
        // first slot, which finds most customers already seen; the second interns the
        // rest in row order, so customers are numbered as one row at a time would.
        // The hashes come first, so that each probe and count can ask for the memory of
        // the row `AHEAD` rows on (see `crate::prefetch`).
        let mut numbers = std::mem::take(&mut self.numbers);
        numbers.clear();
        let mut hashes = std::mem::take(&mut self.hashes);
        hashes.clear();
        hashes.extend(batch.rows.iter().map(|row| self.ids.short_hash(row.id)));
        numbers.extend(
            hashes
                .iter()
                .zip(&batch.rows)
                .enumerate()
                .map(|(i, (&hash, row))| {
                    if let Some(&next) = hashes.get(i + AHEAD) {
                        self.ids.prefetch(next);
                    }
                    self.ids.first_probe(row.id, hash)
                }),
        );
        self.hashes = hashes;
        for (row, at) in batch.rows.iter().zip(&mut numbers) {
            if *at == u32::MAX {
                let (inline, long) = batch.id(row);
                *at = self.intern_with(inline, long);
            }
        }
        for (i, (row, &at)) in batch.rows.iter().zip(&numbers).enumerate() {
            if let Some(&next) = numbers.get(i + AHEAD) {
                crate::prefetch::prefetch(&self.periods[0].rows, next as usize);
            }
            self.count(
                periods,
                at,
                row.day,
                i128::from(row.amount),
                u32::from(row.scale),
            );
        }
        self.numbers = numbers;
        for (day, tx) in &batch.full {
            self.add(periods, *day, tx);
        }
        self.compact();
    }

    /// Counts one transaction dated `day` (on or before the latest as-of date).
    pub(crate) fn add(&mut self, periods: &[Period], day: i32, tx: &Transaction) {
        let at = self.intern(tx.customer_id.as_str().as_bytes());
        self.count(periods, at, day, tx.amount.mantissa(), tx.amount.scale());
        if let Some(profit) = tx.profit {
            for (period, accs) in periods.iter().zip(&mut self.periods) {
                if day <= period.day {
                    accs.add(at, PROFIT, profit.mantissa(), profit.scale());
                }
            }
        }
        if let Some(product) = &tx.product {
            let code = self.products.code(product);
            self.products.seen.push((at, code, day));
        }
    }

    /// Sorts and deduplicates the keys once the keys that may repeat outnumber those
    /// left by the last compaction, so that memory follows distinct `(customer, day)`
    /// pairs, not rows: at most twice as many keys (and 2^16) are ever kept. Keys that
    /// cannot repeat (rows in date order) never call for it.
    fn compact(&mut self) {
        if self.repeats > self.compacted.max(1 << 16) {
            self.keys.sort_unstable();
            self.keys.dedup();
            self.compacted = self.keys.len();
            self.repeats = 0;
        }
    }

    /// Every customer's id, by its number.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.texts()
    }

    /// Adds the customers of `other` (a partial aggregate of other rows) that `take`
    /// selects by their number there.
    pub(crate) fn merge(&mut self, other: &Partition, take: &dyn Fn(u32) -> bool) {
        let mut mapped = vec![u32::MAX; other.ids.len()];
        for from in 0..other.ids.len() as u32 {
            if take(from) {
                mapped[from as usize] = self.intern(other.ids.get(from));
            }
        }
        for (mine, theirs) in self.periods.iter_mut().zip(&other.periods) {
            for (from, &at) in mapped.iter().enumerate().filter(|(_, at)| **at != u32::MAX) {
                mine.add_from(at, theirs, from as u32);
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

    /// Drops what only reading needs: the id table, and the keys of customers whose
    /// rows came in date order (their counters hold their dates). Done for every range
    /// before any profile is made, so that the profiles do not come on top of it.
    pub(crate) fn settle(&mut self) {
        self.ids.table = Vec::new();
        let unordered: Vec<bool> = (0..self.ids.len())
            .map(|at| self.periods.iter().any(|accs| accs.rows[at].unordered))
            .collect();
        self.keys.retain(|&k| unordered[key_customer(k) as usize]);
        self.keys.shrink_to_fit();
    }

    /// Readies this range to be turned into profiles: its ids in order, each customer's
    /// distinct days and products, and per as-of date the list of profiles to make
    /// (joined with the known customers of this range, sorted by id).
    pub(crate) fn finishing(mut self, known: Vec<(CustomerId, Attributes)>) -> Finishing {
        // `Aggregator::finish_all` settled every range first: only customers whose
        // rows came out of date order still have keys.
        let n = self.ids.len();
        let order = self.ids.sorted();
        // Customers renumbered in id order: profiles are made in that order, and then
        // read their accumulators one after the other, not each at a place of its own.
        let ids: Vec<SmolStr> = order
            .iter()
            .map(|&at| SmolStr::new(self.ids.text(at)))
            .collect();
        self.ids = Ids::default();
        let mut number = vec![0u32; n];
        for (rank, &at) in order.iter().enumerate() {
            number[at as usize] = rank as u32;
        }
        for accs in &mut self.periods {
            accs.renumber(&order, &number);
        }
        for k in &mut self.keys {
            *k = key(number[key_customer(*k) as usize], key_day(*k));
        }
        for seen in &mut self.products.seen {
            seen.0 = number[seen.0 as usize];
        }
        self.keys.sort_unstable();
        self.keys.dedup();
        let key_runs = runs(&self.keys, n, |&k| key_customer(k));
        let mut products = std::mem::take(&mut self.products.seen);
        products.sort_unstable();
        let product_runs = runs(&products, n, |&(c, _, _)| c);
        let plans = self
            .periods
            .iter()
            .map(|accs| plan(&ids, &known, accs))
            .collect();
        Finishing {
            ids,
            keys: self.keys,
            key_runs,
            products,
            product_runs,
            periods: self.periods,
            known,
            plans,
        }
    }
}

/// Which customers of a range get a profile at one as-of date, in id order: the
/// buyers with a row on or before it, and the known customers, joined by id. The
/// customers are numbered in id order.
fn plan(ids: &[SmolStr], known: &[(CustomerId, Attributes)], accs: &Accs) -> Vec<Entry> {
    let mut entries = Vec::with_capacity(ids.len() + known.len());
    let mut k = 0;
    for (at, id) in ids.iter().enumerate() {
        let at = at as u32;
        let id = id.as_str();
        while k < known.len() && known[k].0.as_str() < id {
            entries.push(Entry::known(k));
            k += 1;
        }
        let joined = (k < known.len() && known[k].0.as_str() == id).then(|| {
            k += 1;
            k - 1
        });
        // A customer whose every row is after this date has no profile, unless known.
        if accs.rows[at as usize].transactions > 0 || joined.is_some() {
            entries.push(Entry {
                customer: at,
                known: joined.map_or(Entry::NONE, |k| k as u32),
            });
        }
    }
    entries.extend((k..known.len()).map(Entry::known));
    entries
}

/// One profile to make: a customer of the range (or [`Entry::NONE`]) and the known
/// customer joined to it (or [`Entry::NONE`]).
#[derive(Debug, Clone, Copy)]
struct Entry {
    customer: u32,
    known: u32,
}

impl Entry {
    const NONE: u32 = u32::MAX;

    fn known(k: usize) -> Self {
        Entry {
            customer: Entry::NONE,
            known: k as u32,
        }
    }
}

/// A range readied to be turned into profiles (see [`Partition::finishing`]): each
/// profile is then made on its own, straight into the population, on any thread.
#[derive(Debug)]
pub(crate) struct Finishing {
    ids: Vec<SmolStr>,
    keys: Vec<u64>,
    key_runs: Vec<std::ops::Range<usize>>,
    products: Vec<(u32, u32, i32)>,
    product_runs: Vec<std::ops::Range<usize>>,
    periods: Vec<Accs>,
    known: Vec<(CustomerId, Attributes)>,
    /// Per as-of date, the profiles to make, in id order.
    plans: Vec<Vec<Entry>>,
}

impl Finishing {
    /// The customers of this range at the `index`-th as-of date, `period`, as columns
    /// in id order.
    ///
    /// # Errors
    /// The place in the range's plan of the first customer one of whose totals does not
    /// fit a decimal, and the [`Error::Overflow`] naming it.
    pub(crate) fn columns(
        &self,
        index: usize,
        period: Period,
        growth: bool,
    ) -> Result<Columns, (usize, Error)> {
        let plan = &self.plans[index];
        let mut columns = Columns::with_capacity(plan.len());
        for (at, &entry) in plan.iter().enumerate() {
            let profile = self.profile(index, period, growth, entry);
            columns.push(profile.map_err(|error| (at, error))?);
        }
        Ok(columns)
    }

    /// The profile of `entry` at the `index`-th as-of date, `period`.
    ///
    /// # Errors
    /// [`Error::Overflow`] naming the customer when one of its totals does not fit a
    /// decimal.
    fn profile(
        &self,
        index: usize,
        period: Period,
        growth: bool,
        entry: Entry,
    ) -> Result<Profile, Error> {
        let attributes = |k: u32| match k {
            Entry::NONE => Attributes::default(),
            k => self.known[k as usize].1.clone(),
        };
        if entry.customer == Entry::NONE {
            let mut profile =
                Profile::without_purchases(self.known[entry.known as usize].0.clone());
            profile.attributes = attributes(entry.known);
            return Ok(profile);
        }
        let at = entry.customer as usize;
        let id = &self.ids[at];
        // A customer's runs are looked up only where there are any: each lookup is a
        // trip to memory, the customers being taken in id order, not by number.
        let run = |runs: &[std::ops::Range<usize>]| runs.get(at).cloned().unwrap_or(0..0);
        let accs = &self.periods[index];
        let days = match accs.rows[at].unordered {
            true => &self.keys[run(&self.key_runs)],
            false => &[],
        };
        let products = &self.products[run(&self.product_runs)];
        let mut profile = match profile(id, entry.customer, period, accs, days, products, growth)? {
            Some(profile) => profile,
            // Known, but every row of it is after this as-of date.
            None => Profile::without_purchases(CustomerId::from_valid(id.clone())),
        };
        profile.attributes = attributes(entry.known);
        Ok(profile)
    }
}

/// Where each customer's run of `items` (sorted by customer) starts and ends; nothing
/// for no items.
fn runs<T>(
    items: &[T],
    customers: usize,
    customer: impl Fn(&T) -> u32,
) -> Vec<std::ops::Range<usize>> {
    if items.is_empty() {
        return Vec::new();
    }
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
    accs: &Accs,
    keys: &[u64],
    products: &[(u32, u32, i32)],
    growth: bool,
) -> Result<Option<Profile>, Error> {
    let acc = &accs.rows[at as usize];
    let transactions = acc.transactions;
    if transactions == 0 {
        return Ok(None);
    }
    let overflow = |metric| Error::customer_overflow(metric, id);
    let (counted, first, last) = match acc.unordered {
        false => (acc.days as usize, acc.first, acc.last),
        true => {
            let counted = keys.partition_point(|&k| key_day(k) <= period.day);
            (counted, key_day(keys[0]), key_day(keys[counted - 1]))
        }
    };
    let total = |which, metric| accs.total(at, which).ok_or_else(|| overflow(metric));
    let monetary = total(MONETARY, "monetary")?;
    let current = total(CURRENT, "monetary_current")?;
    let previous = total(PREVIOUS, "monetary_previous")?;
    let profit = match accs.seen(at, PROFIT) {
        true => Some(total(PROFIT, "profit")?),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_sort_as_their_bytes() {
        let texts = [
            "b",
            "a",
            "ab",
            "a\u{0}",
            "é",
            "z",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "abcdefghijklmnoa",
            "abcdefghijklmnoz-longer",
            "abcdefghijklmn",
            "abcdefghijklmnoé",
            "C0001",
            "C001",
            "C1",
        ];
        let mut ids = Ids::default();
        for text in texts {
            ids.intern_inline(Inline::of(text.as_bytes()), text.as_bytes());
        }
        let sorted: Vec<&[u8]> = ids.sorted().into_iter().map(|at| ids.get(at)).collect();
        let mut expected: Vec<&[u8]> = texts.iter().map(|t| t.as_bytes()).collect();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
    }

    #[test]
    fn keys_are_sorted_early_only_when_they_may_repeat_and_stay_within_twice_the_distinct() {
        let periods = [Period {
            day: 1000,
            window: 365,
        }];
        let (customers, days) = (300u32, 400i32);
        let ids: Vec<CustomerId> = (0..customers)
            .map(|c| CustomerId::new(&format!("C{c}")).unwrap())
            .collect();
        let date = jiff::civil::date(2026, 1, 1);
        let mut partition = Partition::new(1);
        let add = |partition: &mut Partition, c: u32, day: i32| {
            let tx = Transaction::new(ids[c as usize].clone(), date, rust_decimal::Decimal::ONE);
            partition.add(&periods, day, &tx);
            partition.compact();
            let bound = 2 * (customers as usize * days as usize) + (1 << 16);
            assert!(
                partition.keys.len() <= bound,
                "{} keys",
                partition.keys.len()
            );
        };
        // In date order every key is new: nothing is sorted on the way.
        for day in 0..days {
            for c in 0..customers {
                add(&mut partition, c, day);
            }
        }
        assert_eq!((partition.compacted, partition.repeats), (0, 0));
        assert_eq!(partition.keys.len(), (customers * days as u32) as usize);
        // The same rows again, and again backwards: each may repeat, and the keys are
        // compacted on the way.
        for day in (0..days).chain((0..days).rev()) {
            for c in 0..customers {
                add(&mut partition, c, day);
            }
        }
        assert!(partition.compacted > 0);
        // A day equal to the last one comes again only after a row out of order.
        let mut small = Partition::new(1);
        let tx = Transaction::new(ids[0].clone(), date, rust_decimal::Decimal::ONE);
        for day in [5, 3, 5, 5, 7] {
            small.add(&periods, day, &tx);
        }
        assert_eq!((small.keys.len(), small.repeats), (4, 3));
        let mut keys = partition.keys.clone();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), (customers * days as u32) as usize);
    }
}
