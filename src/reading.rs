//! Reads that retry when a signal interrupts them, as every reader of the crate's
//! input files needs (`Read::read` may fail with `Interrupted` and then only be
//! called again).

use std::io::{self, Read};

/// Reads some bytes into `buf`: the number read, 0 only at the end of the input.
pub(crate) fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match reader.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Reads until `buf` is full or the input ends: the number of bytes read.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match read_some(reader, &mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    Ok(filled)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One byte per read, and an interruption before each.
    struct Stuttering<'a> {
        bytes: &'a [u8],
        interrupt: bool,
    }

    impl Read for Stuttering<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.interrupt = !self.interrupt;
            if self.interrupt {
                return Err(io::Error::from(io::ErrorKind::Interrupted));
            }
            let n = self.bytes.len().min(buf.len()).min(1);
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    #[test]
    fn interrupted_reads_are_retried_until_the_buffer_or_the_input_ends() {
        let mut reader = Stuttering {
            bytes: b"abcdef",
            interrupt: false,
        };
        let mut buf = [0; 4];
        assert_eq!(read_up_to(&mut reader, &mut buf).unwrap(), 4);
        assert_eq!(&buf, b"abcd");
        assert_eq!(read_some(&mut reader, &mut buf).unwrap(), 1);
        assert_eq!(read_up_to(&mut reader, &mut buf).unwrap(), 1);
        assert_eq!(read_up_to(&mut reader, &mut buf).unwrap(), 0);
    }
}
