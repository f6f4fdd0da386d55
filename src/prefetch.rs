//! Asking for memory before it is read.
//!
//! Rows are counted into accumulators of customers spread at random over a range's
//! columns; most reads go past the core's cache, and the processor can only overlap a
//! few of them by itself. Naming the place a dozen rows ahead lets the trips overlap.
//!
//! This is the crate's only `unsafe` (a hint that reads nothing). Measured on the 10M-row,
//! 1M-customer job, 12 rounds with and without it in alternating order: ingest −2.4 %,
//! processor time −2.6 %.

/// Asks for `slice[at]` to be brought into the cache; does nothing if `at` is out of
/// bounds, or on a processor without a prefetch instruction.
#[inline(always)]
pub(crate) fn prefetch<T>(slice: &[T], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(item) = slice.get(at) {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let address = std::ptr::from_ref(item).cast::<i8>();
        // SAFETY: a prefetch only hints the cache; it reads nothing the program sees
        // and cannot fault, and `address` is that of a live element anyway. The
        // instruction is SSE, which every x86-64 processor has.
        #[allow(unsafe_code)]
        unsafe {
            _mm_prefetch::<_MM_HINT_T0>(address);
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (slice, at);
}
