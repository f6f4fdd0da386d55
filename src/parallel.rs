//! Data parallelism in one place: with the `parallel` feature (default) the helpers
//! below spread work over rayon's thread pool; without it they run on the calling
//! thread. Either way the work is cut into pieces whose size does not depend on the
//! number of threads, and results come back in piece order, so that every output is
//! the same bytes with one thread or many ([determinism](crate::definitions#determinism)).
//!
//! The thread count is rayon's: `RAYON_NUM_THREADS`, or a pool an application installs
//! around its calls (`rayon::ThreadPool::install`).

/// Calls `f` on consecutive pieces of `items` of `piece` elements each (the last may be
/// shorter) and returns the results in piece order.
pub(crate) fn map_pieces<T, R, F>(items: &[T], piece: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> R + Sync + Send,
{
    let piece = piece.max(1);
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_chunks(piece).map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.chunks(piece).map(f).collect()
    }
}

/// Maps every element by value, keeping the order.
pub(crate) fn map_owned<T, R, F>(items: Vec<T>, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.into_par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.into_iter().map(f).collect()
    }
}

/// Calls `f` on every element, possibly at the same time on several threads.
pub(crate) fn for_each_mut<T, F>(items: &mut [T], f: F)
where
    T: Send,
    F: Fn(&mut T) + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter_mut().for_each(f);
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter_mut().for_each(f);
    }
}

/// Maps every element, keeping the order.
pub(crate) fn map<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    }
    #[cfg(not(feature = "parallel"))]
    {
        items.iter().map(f).collect()
    }
}

/// Appends `f` of every element of `items` to `out`, in order: each result is written
/// straight into its place, so a large output is neither copied nor first touched by
/// one thread alone.
pub(crate) fn extend_mapped<T, R, F>(out: &mut Vec<R>, items: &[T], f: F)
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        out.par_extend(items.par_iter().map(f));
    }
    #[cfg(not(feature = "parallel"))]
    {
        out.extend(items.iter().map(f));
    }
}

/// Runs both closures, possibly at the same time.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    #[cfg(feature = "parallel")]
    {
        rayon::join(a, b)
    }
    #[cfg(not(feature = "parallel"))]
    {
        (a(), b())
    }
}

/// The number of threads work is spread over (1 without the `parallel` feature).
pub(crate) fn threads() -> usize {
    #[cfg(feature = "parallel")]
    {
        rayon::current_num_threads()
    }
    #[cfg(not(feature = "parallel"))]
    {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_come_back_in_order_whatever_the_piece_size() {
        let items: Vec<u32> = (0..1000).collect();
        for piece in [1, 7, 1000, 5000] {
            let sums = map_pieces(&items, piece, |s| s.iter().sum::<u32>());
            assert_eq!(sums.iter().sum::<u32>(), 499_500);
            assert_eq!(sums[0], (0..piece.min(1000) as u32).sum::<u32>());
        }
        let mut doubled = items.clone();
        for_each_mut(&mut doubled, |x| *x *= 2);
        assert_eq!(map(&doubled, |x| x / 2), items);
        assert_eq!(join(|| 1, || 2), (1, 2));
        assert!(threads() >= 1);
    }
}
