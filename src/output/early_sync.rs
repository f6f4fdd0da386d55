//! Early writeback of a large output file: while a run is still writing `tiers.csv`, a
//! background thread asks the operating system to put what is written so far on disk,
//! so that the fsync of the commit only waits for the last few megabytes.
//!
//! The fsync at the commit stays, and it is what makes a file durable; this only moves
//! disk time to where the processor is busy formatting the next rows. A failed early
//! flush is not forgotten (Linux reports a writeback error to one fsync only): the
//! commit's fsync returns it.

use std::fs::File;
use std::io;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::thread::JoinHandle;

/// Bytes written between two requests to flush: a few fsyncs per hundred megabytes, each
/// far larger than what the commit's fsync is then left with.
const STEP: u64 = 8 << 20;

/// The background flushes of one file.
#[derive(Debug, Default)]
pub(super) struct EarlySync {
    /// Bytes written since the last request.
    pending: u64,
    /// Wakes the flushing thread (a request waiting is enough: it covers every byte
    /// written before the thread gets to it).
    wake: Option<SyncSender<()>>,
    worker: Option<JoinHandle<io::Result<()>>>,
}

impl EarlySync {
    /// Notes `bytes` more written to `file`; every [`STEP`] bytes, asks for a flush of
    /// what is written. Without a second handle or a thread, nothing is flushed early and
    /// the commit's fsync does it all.
    pub(super) fn wrote(&mut self, file: &File, bytes: usize) {
        self.pending += bytes as u64;
        if self.pending < STEP {
            return;
        }
        self.pending = 0;
        if self.wake.is_none() && self.worker.is_none() {
            self.start(file);
        }
        if let Some(wake) = &self.wake {
            // Full: a request is waiting already. Gone: the thread ended, and `finish`
            // says why.
            let _ = wake.try_send(());
        }
    }

    fn start(&mut self, file: &File) {
        let Ok(handle) = file.try_clone() else {
            return;
        };
        let (wake, requests) = sync_channel::<()>(1);
        let flushing = std::thread::Builder::new()
            .name("tier-early-sync".into())
            .spawn(move || {
                let mut first = Ok(());
                for () in requests {
                    if let Err(e) = handle.sync_data()
                        && first.is_ok()
                    {
                        first = Err(e);
                    }
                }
                first
            });
        if let Ok(worker) = flushing {
            self.wake = Some(wake);
            self.worker = Some(worker);
        }
    }

    /// Waits for the flushes asked for; the first error of any of them.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        self.wake = None;
        match self.worker.take().map(JoinHandle::join) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => Err(io::Error::other("the early writeback thread panicked")),
        }
    }
}

impl Drop for EarlySync {
    fn drop(&mut self) {
        // A file dropped uncommitted: its flushes end with it, their errors unneeded.
        let _ = self.finish();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_large_file_is_flushed_in_the_background_and_finish_waits_for_it() {
        let path = std::env::temp_dir().join(format!("ct-early-sync-{}", std::process::id()));
        let mut file = File::create(&path).unwrap();
        let mut early = EarlySync::default();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..(2 * STEP as usize / chunk.len() + 1) {
            file.write_all(&chunk).unwrap();
            early.wrote(&file, chunk.len());
        }
        assert!(
            early.worker.is_some(),
            "a thread flushes past the first step"
        );
        early.finish().unwrap();
        assert!(early.worker.is_none() && early.wake.is_none());
        // finishing twice is harmless, and a small file never starts a thread
        early.finish().unwrap();
        let mut small = EarlySync::default();
        small.wrote(&file, 1000);
        assert!(small.worker.is_none());
        drop(file);
        std::fs::remove_file(&path).unwrap();
    }
}
