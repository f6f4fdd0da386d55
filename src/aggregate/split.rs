//! Which partition a customer id belongs to: ranges of ids, cut at points chosen from a
//! sample, so that every id of one partition sorts before every id of the next. Each
//! partition is then sorted on its own and the partitions, in order, are the population
//! in id order — no global sort, and each partition can be turned into profiles and
//! dropped in turn.
//!
//! Comparing whole ids against the cut points would cost a string comparison per step
//! of a binary search per row. Ids of one export usually share a prefix (`C0…`,
//! `CUST-…`); past the prefix of the sample, the next eight bytes read as a big-endian
//! number order ids the way their bytes do (ties only go to the same partition), so the
//! search compares integers.

use super::Inline;

/// The cut points of a range partitioning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Splitter {
    /// The bytes every sampled id starts with.
    prefix: Vec<u8>,
    /// Upper bounds, ascending: keys below `bounds[i]` (and not below `bounds[i − 1]`)
    /// go to partition `i`, keys from the last bound on to the last partition.
    bounds: Vec<u64>,
    /// Keys from `low` up, cut into [`BUCKETS`] equal spans: for each, the first
    /// partition a key in it can go to. A key then steps over at most the few bounds
    /// inside its span, where a binary search over all bounds would take eight
    /// unpredictable steps.
    low: u64,
    shift: u32,
    first_in_bucket: Vec<u16>,
    /// The prefix as the top bytes of a big-endian word, when
    /// [`route_inline`](Self::route_inline) may read a short id's inline form: the
    /// prefix is at most seven bytes, none of them zero (a zero past the end of an id
    /// is padding there).
    prefix_word: Option<u64>,
}

/// Spans of the lookup table (a few hundred per partition, 128 KiB).
const BUCKETS: usize = 1 << 16;

impl Default for Splitter {
    /// One range holding every id.
    fn default() -> Self {
        Splitter {
            prefix: Vec::new(),
            bounds: Vec::new(),
            low: 0,
            shift: 0,
            first_in_bucket: Vec::new(),
            prefix_word: Some(0),
        }
    }
}

impl Splitter {
    /// At most `partitions` ranges holding about as many of `sample` each (one range
    /// for an empty sample).
    pub(crate) fn from_sample<'a>(
        sample: impl IntoIterator<Item = &'a [u8]>,
        partitions: usize,
    ) -> Self {
        let sample: Vec<&[u8]> = sample.into_iter().collect();
        let Some(first) = sample.first() else {
            return Splitter::default();
        };
        if partitions <= 1 {
            return Splitter::default();
        }
        let mut common = first.len().min(64);
        for id in &sample[1..] {
            common = common.min(id.len());
            common = first[..common]
                .iter()
                .zip(*id)
                .position(|(a, b)| a != b)
                .unwrap_or(common);
        }
        let prefix = first[..common].to_vec();
        let mut keys: Vec<u64> = sample.iter().map(|id| key_after(id, common)).collect();
        keys.sort_unstable();
        let parts = partitions.clamp(1, keys.len().max(1));
        let mut bounds: Vec<u64> = (1..parts).map(|i| keys[i * keys.len() / parts]).collect();
        bounds.dedup();
        // A bound equal to the smallest key would leave the first range empty.
        bounds.retain(|&b| b > keys[0]);
        let (low, high) = (keys[0], keys[keys.len() - 1]);
        // The smallest shift that maps `high − low` into the table.
        let span = high - low;
        let shift = (64 - span.leading_zeros()).saturating_sub(BUCKETS.trailing_zeros());
        let first_in_bucket = (0..BUCKETS as u64)
            .map(|bucket| {
                let start = low.saturating_add(bucket << shift);
                bounds.partition_point(|&b| b <= start) as u16
            })
            .collect();
        let prefix_word = (prefix.len() <= 7 && !prefix.contains(&0)).then(|| {
            let mut word = [0u8; 8];
            word[..prefix.len()].copy_from_slice(&prefix);
            u64::from_be_bytes(word)
        });
        Splitter {
            prefix,
            bounds,
            low,
            shift,
            first_in_bucket,
            prefix_word,
        }
    }

    /// The number of partitions.
    pub(crate) fn partitions(&self) -> usize {
        self.bounds.len() + 1
    }

    /// The partition of `id`: ids in byte order go to partitions in non-decreasing order.
    #[inline]
    pub(crate) fn route(&self, id: &[u8]) -> usize {
        if self.bounds.is_empty() {
            return 0;
        }
        // Byte by byte: the prefix is short, and a call to compare costs more.
        for (i, &p) in self.prefix.iter().enumerate() {
            match id.get(i) {
                None => return 0,
                Some(&b) if b < p => return 0,
                Some(&b) if b > p => return self.bounds.len(),
                Some(_) => {}
            }
        }
        self.place(key_after(id, self.prefix.len()))
    }

    /// [`route`](Self::route) for an id given with its inline form (see
    /// [`Inline::within`]): for a short id, the prefix and the key are read from the
    /// inline form's two words by shifts, not byte by byte.
    #[inline]
    pub(crate) fn route_inline(&self, inline: Inline, id: &[u8]) -> usize {
        let Some(prefix) = self.prefix_word.filter(|_| !inline.is_long()) else {
            return self.route(id);
        };
        if self.bounds.is_empty() {
            return 0;
        }
        // The id's first sixteen bytes as two big-endian words: its bytes, zeros after
        // them, and its length in the very last byte, which a prefix of at most seven
        // bytes and the eight after it never reach.
        let (high, low) = inline.big_endian();
        let p = self.prefix.len();
        if p == 0 {
            return self.place(high);
        }
        // The first `p` bytes against the prefix: the first byte that differs decides,
        // and a padding zero (the id ended) is below any byte of the prefix.
        let head = high >> (64 - 8 * p);
        let wanted = prefix >> (64 - 8 * p);
        if head != wanted {
            return if head < wanted { 0 } else { self.bounds.len() };
        }
        self.place((high << (8 * p)) | (low >> (64 - 8 * p)))
    }

    /// The partition of a key: the eight bytes after the prefix, big-endian.
    #[inline]
    fn place(&self, key: u64) -> usize {
        let bucket = (key.saturating_sub(self.low) >> self.shift).min(BUCKETS as u64 - 1);
        let mut at = usize::from(self.first_in_bucket[bucket as usize]);
        while self.bounds.get(at).is_some_and(|&b| b <= key) {
            at += 1;
        }
        at
    }
}

/// The eight bytes of `id` after its first `skip`, big-endian, zero-padded.
#[inline]
fn key_after(id: &[u8], skip: usize) -> u64 {
    let rest = id.get(skip..).unwrap_or_default();
    if let Some(eight) = rest.first_chunk::<8>() {
        return u64::from_be_bytes(*eight);
    }
    // Fewer than eight bytes: shifted in one by one (a call to copy them costs more).
    let mut key = 0u64;
    for (i, &b) in rest.iter().enumerate() {
        key |= u64::from(b) << (56 - 8 * i);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    #[test]
    fn ranges_follow_byte_order() {
        let ids: Vec<String> = (0..1000)
            .map(|i| format!("CUST-{:06}", i * 7919 % 100_000))
            .collect();
        let splitter = Splitter::from_sample(ids.iter().map(|s| s.as_bytes()), 16);
        assert_eq!(splitter.prefix, b"CUST-0");
        assert_eq!(splitter.partitions(), 16);
        let mut all: Vec<&str> = ids.iter().map(String::as_str).collect();
        all.extend([
            "",
            "A",
            "CUST-",
            "CUST-0",
            "CUST-1",
            "Z",
            "CUST-0\u{ff}",
            "CUST-000000000000",
        ]);
        all.sort_unstable();
        let parts: Vec<usize> = all.iter().map(|id| splitter.route(id.as_bytes())).collect();
        assert!(parts.windows(2).all(|w| w[0] <= w[1]), "{parts:?}");
        assert_eq!(parts.first(), Some(&0));
        assert_eq!(parts.last(), Some(&15));
    }

    proptest::proptest! {
        /// Reading a short id's inline form routes every id as reading its bytes does,
        /// whatever the prefix (none, a few bytes, with a zero byte, longer than seven)
        /// and whether the id is shorter than it, equal to it, or long.
        #[test]
        fn the_inline_route_is_the_byte_route(
            prefix in vec(prop_oneof![Just(0u8), Just(b'C'), Just(b'0'), any::<u8>()], 0..9),
            tails in vec(vec(prop_oneof![Just(0u8), b'0'..=b'9', any::<u8>()], 0..12), 2..60),
            probes in vec(vec(prop_oneof![Just(0u8), Just(b'C'), b'0'..=b'9', any::<u8>()], 0..20), 1..60),
            parts in 2usize..40,
        ) {
            let sample: Vec<Vec<u8>> = tails.iter().map(|t| [&prefix[..], t].concat()).collect();
            let splitter = Splitter::from_sample(sample.iter().map(Vec::as_slice), parts);
            // Probes that start with some of the prefix, and probes that do not.
            let near: Vec<Vec<u8>> = probes
                .iter()
                .map(|t| [&prefix[..t.len().min(prefix.len())], t].concat())
                .collect();
            for id in sample.iter().chain(&probes).chain(&near) {
                let want = splitter.route(id);
                prop_assert_eq!(splitter.route_inline(Inline::of(id), id), want, "{:?}", id);
                let mut buffer = id.clone();
                buffer.extend_from_slice(&[0xaa; 16]);
                let within = Inline::within(&buffer[..id.len()], &buffer);
                prop_assert_eq!(splitter.route_inline(within, id), want, "{:?}", id);
            }
        }
    }

    #[test]
    fn an_empty_or_uniform_sample_gives_one_range() {
        assert_eq!(
            Splitter::from_sample(Vec::<&[u8]>::new(), 8).partitions(),
            1
        );
        let same = Splitter::from_sample([&b"A"[..], b"A", b"A"], 8);
        assert_eq!(same.partitions(), 1);
        assert_eq!(same.route(b"B"), 0);
    }
}
