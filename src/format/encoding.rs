//! Text encodings of input files (the `encoding` key of a format), and the streaming
//! decoder that turns a file in one of them into the UTF-8 the CSV layer reads.

use std::fmt;
use std::io::{self, Read};
use std::str::FromStr;

use encoding_rs::{Decoder, DecoderResult};
use serde::{Deserialize, Serialize};

use crate::error::ConfigError;
use crate::reading::{read_some, read_up_to};

/// The text encoding an input file is written in (the `encoding` key), declared, never
/// guessed. UTF-8 is the default; the others are decoded to UTF-8 as the file is read.
///
/// Written and read by its name (`utf-8`, `utf-16`, `gbk`, `gb18030`, `big5`,
/// `windows-1252`), ASCII case-insensitively; `utf-16` requires a byte-order mark,
/// which says whether the file is little- or big-endian.
///
/// # Example
/// ```
/// use customer_tiering::format::Encoding;
/// let encoding: Encoding = "GBK".parse()?;
/// assert_eq!(encoding, Encoding::Gbk);
/// assert_eq!(encoding.to_string(), "gbk");
/// assert_eq!(Encoding::default(), Encoding::Utf8);
/// // In an input profile or any serde format, by its name.
/// let read: Encoding = serde_json::from_str(r#""big5""#).unwrap();
/// assert_eq!(serde_json::to_string(&read).unwrap(), r#""big5""#);
/// # Ok::<(), customer_tiering::ConfigError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum Encoding {
    /// UTF-8 (`utf-8`), read as it is; a leading byte-order mark is stripped.
    #[default]
    Utf8,
    /// UTF-16 (`utf-16`) starting with a byte-order mark: `FF FE` little-endian, `FE FF`
    /// big-endian.
    Utf16,
    /// GBK (`gbk`), simplified Chinese, as the WHATWG Encoding Standard decodes it (the
    /// GB18030 decoder, which reads every GBK file).
    Gbk,
    /// GB18030 (`gb18030`), the Chinese national standard covering all of Unicode.
    Gb18030,
    /// Big5 (`big5`), traditional Chinese, with the HKSCS extensions of the WHATWG
    /// Encoding Standard.
    Big5,
    /// Windows-1252 (`windows-1252`), the Western European code page of Windows (a
    /// superset of ISO-8859-1 in the printable range: `€` is `0x80`).
    Windows1252,
}

impl Encoding {
    /// Every encoding, in the order of [`crate::format`]'s table.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::Encoding;
    /// let names: Vec<_> = Encoding::ALL.iter().map(|e| e.name()).collect();
    /// assert_eq!(names, ["utf-8", "utf-16", "gbk", "gb18030", "big5", "windows-1252"]);
    /// ```
    pub const ALL: [Encoding; 6] = [
        Encoding::Utf8,
        Encoding::Utf16,
        Encoding::Gbk,
        Encoding::Gb18030,
        Encoding::Big5,
        Encoding::Windows1252,
    ];

    /// The encoding's name, as an input profile and `tier --encoding` write
    /// it.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::Encoding;
    /// assert_eq!(Encoding::Windows1252.name(), "windows-1252");
    /// assert_eq!(Encoding::Gb18030.name(), "gb18030");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf16 => "utf-16",
            Encoding::Gbk => "gbk",
            Encoding::Gb18030 => "gb18030",
            Encoding::Big5 => "big5",
            Encoding::Windows1252 => "windows-1252",
        }
    }

    /// The decoder of a file in this encoding, whose first bytes (a UTF-16 byte-order
    /// mark) have been read: `None` for UTF-8, which is passed through. No decoder
    /// handles a byte-order mark itself, so that a GBK file's first bytes are never
    /// read as one.
    fn decoder(self, bom: [u8; 2]) -> Option<Decoder> {
        let encoding = match self {
            Encoding::Utf8 => return None,
            Encoding::Utf16 if bom == [0xFE, 0xFF] => encoding_rs::UTF_16BE,
            Encoding::Utf16 => encoding_rs::UTF_16LE,
            Encoding::Gbk => encoding_rs::GBK,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Big5 => encoding_rs::BIG5,
            Encoding::Windows1252 => encoding_rs::WINDOWS_1252,
        };
        Some(encoding.new_decoder_without_bom_handling())
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = ConfigError;

    /// Reads an encoding's name, ASCII case-insensitively.
    ///
    /// # Errors
    /// [`ConfigError::InputFormat`] for any other text, listing the names.
    ///
    /// # Example
    /// ```
    /// use customer_tiering::format::Encoding;
    /// assert_eq!("UTF-16".parse::<Encoding>()?, Encoding::Utf16);
    /// let err = "latin9".parse::<Encoding>().unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"input format: encoding "latin9": not one of utf-8, utf-16, gbk, gb18030, big5, windows-1252"#
    /// );
    /// # Ok::<(), customer_tiering::ConfigError>(())
    /// ```
    fn from_str(name: &str) -> Result<Encoding, ConfigError> {
        Encoding::ALL
            .into_iter()
            .find(|encoding| encoding.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| ConfigError::InputFormat {
                key: "encoding".to_string(),
                value: name.to_string(),
                reason: format!(
                    "not one of {}",
                    Encoding::ALL.map(Encoding::name).join(", ")
                ),
            })
    }
}

impl TryFrom<String> for Encoding {
    type Error = ConfigError;

    fn try_from(name: String) -> Result<Encoding, ConfigError> {
        name.parse()
    }
}

impl From<Encoding> for &'static str {
    fn from(encoding: Encoding) -> &'static str {
        encoding.name()
    }
}

/// What a malformed byte sequence becomes in the decoded output: one byte that valid
/// UTF-8 never contains, so that the CSV layer's UTF-8 check rejects exactly the line
/// it stands in (reason `encoding`), and nothing else of the file.
pub(crate) const MALFORMED: u8 = 0xFF;

/// The bytes of the file read at a time.
const INPUT_CAPACITY: usize = 64 * 1024;

/// Output room the decoder is always given: encoding_rs needs 4 bytes for one
/// character, and one more goes to a [`MALFORMED`] byte. A caller's buffer shorter than
/// this is served from a pending buffer of this size.
const MIN_OUTPUT: usize = 16;

/// A reader of a file in a declared [`Encoding`] that yields its text as UTF-8,
/// streaming, in bounded memory (64 KiB of input, 16 bytes of pending output).
///
/// UTF-8 passes through untouched: the CSV layer strips its byte-order mark and checks
/// it itself. Any other encoding is decoded by encoding_rs as the WHATWG Encoding
/// Standard says, except that each malformed byte sequence becomes the single byte
/// [`MALFORMED`] (`0xFF`) rather than U+FFFD, so the line holding it is rejected with
/// reason `encoding` instead of being read with a replacement character. A malformed
/// sequence never takes the bytes after it: a GBK lead byte right before `\n` is one
/// `0xFF` followed by the `\n`, and the next line is read as usual. A sequence cut off
/// by the end of the file is one `0xFF` too.
///
/// UTF-16 requires a byte-order mark, read (and dropped) by [`Decoding::new`].
pub(crate) struct Decoding<R> {
    encoding: Encoding,
    inner: Inner<R>,
}

enum Inner<R> {
    /// UTF-8: the reader itself.
    Plain(R),
    /// Any other encoding.
    Decode {
        transcoder: Box<Transcoder<R>>,
        /// Decoded bytes not yet handed to a caller whose buffer was too short.
        pending: [u8; MIN_OUTPUT],
        pending_start: usize,
        pending_end: usize,
    },
}

impl<R: Read> Decoding<R> {
    /// A reader of `reader`'s bytes, declared in `encoding`, as UTF-8. For UTF-16 it reads
    /// the byte-order mark at once.
    ///
    /// # Errors
    /// Under `utf-16`, an [`io::ErrorKind::InvalidData`] error when the input does not
    /// start with `FF FE` or `FE FF` (`utf-16 input must start with a byte-order mark
    /// (FF FE or FE FF)`), and any error of `reader` reading it.
    pub(crate) fn new(mut reader: R, encoding: Encoding) -> io::Result<Decoding<R>> {
        let mut bom = [0; 2];
        if encoding == Encoding::Utf16 {
            let found = read_up_to(&mut reader, &mut bom)?;
            if found < 2 || !matches!(bom, [0xFF, 0xFE] | [0xFE, 0xFF]) {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "utf-16 input must start with a byte-order mark (FF FE or FE FF)",
                ));
            }
        }
        let inner = match encoding.decoder(bom) {
            None => Inner::Plain(reader),
            Some(decoder) => Inner::Decode {
                transcoder: Box::new(Transcoder {
                    reader,
                    decoder,
                    input: vec![0; INPUT_CAPACITY].into_boxed_slice(),
                    start: 0,
                    end: 0,
                    input_ended: false,
                    finished: false,
                    owed_malformed: false,
                }),
                pending: [0; MIN_OUTPUT],
                pending_start: 0,
                pending_end: 0,
            },
        };
        Ok(Decoding { encoding, inner })
    }
}

impl<R: Read> Read for Decoding<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.inner {
            Inner::Plain(reader) => reader.read(buf),
            Inner::Decode {
                transcoder,
                pending,
                pending_start,
                pending_end,
            } => {
                if buf.is_empty() {
                    return Ok(0);
                }
                if pending_start == pending_end {
                    if buf.len() >= MIN_OUTPUT {
                        return transcoder.decode_into(buf);
                    }
                    *pending_end = transcoder.decode_into(pending)?;
                    *pending_start = 0;
                }
                let ready = &pending[*pending_start..*pending_end];
                let n = ready.len().min(buf.len());
                buf[..n].copy_from_slice(&ready[..n]);
                *pending_start += n;
                Ok(n)
            }
        }
    }
}

impl<R> fmt::Debug for Decoding<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decoding")
            .field("encoding", &self.encoding)
            .finish_non_exhaustive()
    }
}

/// The decoding state of a file in an encoding other than UTF-8.
struct Transcoder<R> {
    reader: R,
    decoder: Decoder,
    input: Box<[u8]>,
    /// The bytes of `input` not yet decoded.
    start: usize,
    end: usize,
    /// The reader has said end of input.
    input_ended: bool,
    /// The decoder has been flushed at the end of input: nothing more comes.
    finished: bool,
    /// A malformed sequence was found when the caller's buffer was full: its byte opens
    /// the next read.
    owed_malformed: bool,
}

impl<R: Read> Transcoder<R> {
    /// Decodes into `dst` (at least [`MIN_OUTPUT`] bytes), reading input as needed;
    /// returns the bytes written, 0 only once the input has ended and been flushed.
    fn decode_into(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        let mut written = 0;
        if self.owed_malformed {
            dst[0] = MALFORMED;
            written = 1;
            self.owed_malformed = false;
        }
        loop {
            if self.finished {
                return Ok(written);
            }
            if self.start == self.end && !self.input_ended {
                // Output in hand is returned rather than held behind a read that may block.
                if written > 0 {
                    return Ok(written);
                }
                self.fill()?;
            }
            let (result, read, wrote) = self.decoder.decode_to_utf8_without_replacement(
                &self.input[self.start..self.end],
                &mut dst[written..],
                self.input_ended,
            );
            self.start += read;
            written += wrote;
            match result {
                DecoderResult::InputEmpty => self.finished = self.input_ended,
                DecoderResult::OutputFull if written > 0 => return Ok(written),
                DecoderResult::OutputFull => {
                    // encoding_rs always fits one character in MIN_OUTPUT bytes; if it
                    // ever did not, looping would never end.
                    return Err(io::Error::other(
                        "text decoder made no progress with 16 bytes of output room",
                    ));
                }
                DecoderResult::Malformed(_, _) => {
                    if written < dst.len() {
                        dst[written] = MALFORMED;
                        written += 1;
                    } else {
                        // encoding_rs stops with OutputFull well before this in every
                        // case tried; should it not, the marker is still never lost.
                        self.owed_malformed = true;
                        return Ok(written);
                    }
                }
            }
        }
    }

    /// Reads the next piece of input, all of the previous one having been decoded.
    fn fill(&mut self) -> io::Result<()> {
        self.start = 0;
        self.end = read_some(&mut self.reader, &mut self.input)?;
        self.input_ended = self.end == 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Gives at most `step` bytes per read, so that sequences are split across the
    /// decoder's input at every position.
    struct Trickle<'a> {
        bytes: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len());
            buf[..n].copy_from_slice(&self.bytes[..n]);
            self.bytes = &self.bytes[n..];
            Ok(n)
        }
    }

    /// Decodes all of `bytes`, `chunk` bytes asked at a time from a reader that gives
    /// `step` bytes at a time.
    fn decode_with(bytes: &[u8], encoding: Encoding, chunk: usize, step: usize) -> Vec<u8> {
        let reader = Trickle { bytes, step };
        let mut decoding = Decoding::new(reader, encoding).unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = decoding.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    /// Decodes `bytes` with every caller buffer and reader step of interest, checks they
    /// all agree, and returns the result.
    fn decode(bytes: &[u8], encoding: Encoding) -> Vec<u8> {
        let whole = decode_with(bytes, encoding, INPUT_CAPACITY, usize::MAX);
        for chunk in [1, 2, 3, 7, 15, 16, 17, 4096] {
            for step in [1, 2, 3, 5, usize::MAX] {
                assert_eq!(
                    decode_with(bytes, encoding, chunk, step),
                    whole,
                    "{encoding}, {chunk}-byte reads of {step}-byte steps"
                );
            }
        }
        let mut read_to_end = Vec::new();
        Decoding::new(bytes, encoding)
            .unwrap()
            .read_to_end(&mut read_to_end)
            .unwrap();
        assert_eq!(read_to_end, whole);
        whole
    }

    /// `text` in `encoding`, with a byte-order mark for UTF-16.
    fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
        let (bom, big_endian) = match encoding {
            Encoding::Utf16 => (None, false),
            Encoding::Utf8 => return text.as_bytes().to_vec(),
            Encoding::Gbk => (Some(encoding_rs::GBK), false),
            Encoding::Gb18030 => (Some(encoding_rs::GB18030), false),
            Encoding::Big5 => (Some(encoding_rs::BIG5), false),
            Encoding::Windows1252 => (Some(encoding_rs::WINDOWS_1252), false),
        };
        if let Some(rs) = bom {
            let (bytes, _, unmappable) = rs.encode(text);
            assert!(!unmappable, "{text:?} has no {encoding} form");
            return bytes.into_owned();
        }
        utf16(text, big_endian)
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            bytes.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        bytes
    }

    const SIMPLIFIED: &str =
        "客户,日期,金额\n客户001,2026-03-01,12.50\n客户002,2026-03-02,1890.00\n";
    const TRADITIONAL: &str =
        "客戶,日期,金額\n客戶001,2026-03-01,12.50\n客戶002,2026-03-02,1890.00\n";

    #[test]
    fn chinese_exports_decode_to_the_same_text() {
        let cases = [
            (Encoding::Gbk, SIMPLIFIED),
            (Encoding::Gb18030, SIMPLIFIED),
            (Encoding::Gb18030, TRADITIONAL),
            (Encoding::Big5, TRADITIONAL),
            (Encoding::Utf16, SIMPLIFIED),
            (Encoding::Utf8, SIMPLIFIED),
        ];
        for (encoding, text) in cases {
            let bytes = encode(text, encoding);
            assert_eq!(decode(&bytes, encoding), text.as_bytes(), "{encoding}");
        }
        // Characters outside the BMP: GB18030's four-byte form, UTF-16 surrogate pairs.
        let astral = "客户𠀀,2026-03-01,1.00\n";
        assert_eq!(
            decode(&encode(astral, Encoding::Gb18030), Encoding::Gb18030),
            astral.as_bytes()
        );
        assert_eq!(
            decode(&encode(astral, Encoding::Utf16), Encoding::Utf16),
            astral.as_bytes()
        );
    }

    #[test]
    fn utf16_reads_either_byte_order_and_drops_the_mark() {
        for big_endian in [false, true] {
            let bytes = utf16(SIMPLIFIED, big_endian);
            assert_eq!(decode(&bytes, Encoding::Utf16), SIMPLIFIED.as_bytes());
        }
        // Only the first mark is the byte-order mark; a later U+FEFF is text.
        let twice = utf16("\u{FEFF}a", true);
        assert_eq!(decode(&twice, Encoding::Utf16), "\u{FEFF}a".as_bytes());
    }

    #[test]
    fn utf16_without_a_byte_order_mark_is_refused() {
        let mut no_bom = utf16("customer_id\n", false);
        no_bom.drain(..2);
        for bytes in [&no_bom[..], b"", b"\xFF"] {
            let err = Decoding::new(bytes, Encoding::Utf16).unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData);
            assert_eq!(
                err.to_string(),
                "utf-16 input must start with a byte-order mark (FF FE or FE FF)"
            );
        }
    }

    #[test]
    fn windows_1252_decodes_umlauts_and_the_euro_sign() {
        let bytes = encode("Kunde;Betrag\nMüller;12,50 €\n", Encoding::Windows1252);
        assert_eq!(&bytes[13..22], b"M\xFCller;12");
        assert_eq!(
            decode(&bytes, Encoding::Windows1252),
            "Kunde;Betrag\nMüller;12,50 €\n".as_bytes()
        );
    }

    #[test]
    fn utf8_passes_through_untouched() {
        let bytes = b"\xEF\xBB\xBFid\nC1\xFF\xFE\n";
        assert_eq!(decode(bytes, Encoding::Utf8), bytes);
    }

    #[test]
    fn a_malformed_sequence_is_one_marker_byte_and_keeps_its_line_end() {
        let gbk = |text: &str| encode(text, Encoding::Gbk);
        let le = |text: &str| utf16(text, false)[2..].to_vec();
        let cases: [(Encoding, Vec<u8>, Vec<u8>); 10] = [
            // A GBK lead byte with a byte it cannot take (ASCII is never a trail byte).
            (
                Encoding::Gbk,
                [gbk("客户001,"), b"\x81 12.50\nC2,1\n".to_vec()].concat(),
                ["客户001,".as_bytes(), b"\xFF 12.50\nC2,1\n"].concat(),
            ),
            // A lead byte right before the line end.
            (
                Encoding::Gbk,
                [gbk("客户001,12.50"), b"\x81\n".to_vec(), gbk("客户002,1\n")].concat(),
                [
                    "客户001,12.50".as_bytes(),
                    b"\xFF\n",
                    "客户002,1\n".as_bytes(),
                ]
                .concat(),
            ),
            // A four-byte sequence broken at its third or fourth byte by the line end:
            // as the WHATWG standard says, only the lead byte is malformed, and the
            // bytes after it are read again (`0`, then a lead byte before `\n`).
            (
                Encoding::Gb18030,
                b"C1,\xFF,1\nC2,\x81\x30\nC3,\x81\x30\x81\nC4\n".to_vec(),
                b"C1,\xFF,1\nC2,\xFF0\nC3,\xFF0\xFF\nC4\n".to_vec(),
            ),
            (
                Encoding::Big5,
                b"C1,\xA4\nC2,\x80\n".to_vec(),
                b"C1,\xFF\nC2,\xFF\n".to_vec(),
            ),
            // A high surrogate without its low one, and a lone low one before the line end.
            (
                Encoding::Utf16,
                [
                    utf16("C1,", false),
                    vec![0x00, 0xD8],
                    le("a\nC2,"),
                    vec![0x00, 0xDC],
                    le("\n"),
                ]
                .concat(),
                b"C1,\xFFa\nC2,\xFF\n".to_vec(),
            ),
            (
                Encoding::Utf16,
                [utf16("C1,", false), vec![0x00, 0xD8], le("\nC2\n")].concat(),
                b"C1,\xFF\nC2\n".to_vec(),
            ),
            // Cut off by the end of the file.
            (Encoding::Gbk, b"C1,\xB0".to_vec(), b"C1,\xFF".to_vec()),
            (Encoding::Big5, b"C1\n\xA4".to_vec(), b"C1\n\xFF".to_vec()),
            (
                Encoding::Utf16,
                b"\xFF\xFEa\x00\x00".to_vec(),
                b"a\xFF".to_vec(),
            ),
            (
                Encoding::Utf16,
                b"\xFE\xFF\x00a\xD8\x00".to_vec(),
                b"a\xFF".to_vec(),
            ),
        ];
        for (encoding, bytes, expected) in cases {
            assert_eq!(
                decode(&bytes, encoding),
                expected,
                "{encoding}: {bytes:02X?}"
            );
        }
    }

    #[test]
    fn a_marker_byte_found_with_the_callers_buffer_full_opens_the_next_read() {
        for encoding in [Encoding::Gbk, Encoding::Big5] {
            let text = if encoding == Encoding::Gbk {
                "客户"
            } else {
                "客戶"
            };
            for before in 0..40 {
                for malformed in [&b"\x81\n"[..], b"\xFF\n", b"\x81"] {
                    let prefix = [
                        encode(&text.repeat(before / 3), encoding),
                        vec![b'a'; before % 3],
                    ];
                    let bytes = [&prefix.concat()[..], malformed].concat();
                    let expected = [
                        text.repeat(before / 3).as_bytes(),
                        &vec![b'a'; before % 3],
                        b"\xFF",
                        &malformed[1..],
                    ]
                    .concat();
                    assert_eq!(
                        decode(&bytes, encoding),
                        expected,
                        "{encoding}: {bytes:02X?}"
                    );
                }
            }
        }
    }

    #[test]
    fn sequences_split_at_the_end_of_the_input_buffer_are_read_whole() {
        // A two-byte character, then a lead byte before a line end, each straddling
        // the 64 KiB boundary of the decoder's input.
        for encoding in [Encoding::Gbk, Encoding::Big5] {
            let text = if encoding == Encoding::Gbk {
                "客户"
            } else {
                "客戶"
            };
            let mut bytes = vec![b'a'; INPUT_CAPACITY - 1];
            bytes.extend(encode(text, encoding));
            let expected = ["a".repeat(INPUT_CAPACITY - 1), text.into()].concat();
            assert_eq!(decode(&bytes, encoding), expected.as_bytes());

            let mut bytes = vec![b'a'; INPUT_CAPACITY - 1];
            bytes.extend(b"\xA4\nb\n");
            let mut expected = vec![b'a'; INPUT_CAPACITY - 1];
            expected.extend(b"\xFF\nb\n");
            assert_eq!(decode(&bytes, encoding), expected);
        }
        // UTF-16: the boundary falls between the two halves of a surrogate pair (the
        // byte-order mark is read before the decoder's input), and between a high
        // surrogate and the line end that makes it malformed.
        for (tail, expected) in [("𠀀\n", "𠀀\n".as_bytes()), ("\u{1}\n", b"\xFF\n")] {
            let mut bytes = utf16(&"a".repeat(INPUT_CAPACITY / 2 - 1), false);
            let mut units = utf16(tail, false).split_off(2);
            if tail.starts_with('\u{1}') {
                units[..2].copy_from_slice(&[0x00, 0xD8]);
            }
            bytes.extend(units);
            let decoded = decode(&bytes, Encoding::Utf16);
            let half = INPUT_CAPACITY / 2 - 1;
            assert_eq!(&decoded[..half], "a".repeat(half).as_bytes());
            assert_eq!(&decoded[half..], expected);
        }
    }

    #[test]
    fn names_round_trip_in_any_case_and_others_are_refused() {
        for encoding in Encoding::ALL {
            let name = encoding.name();
            assert_eq!(name.parse::<Encoding>().unwrap(), encoding);
            assert_eq!(name.to_uppercase().parse::<Encoding>().unwrap(), encoding);
            assert_eq!(encoding.to_string(), name);
            let json = serde_json::to_string(&encoding).unwrap();
            assert_eq!(json, format!("{name:?}"));
            assert_eq!(serde_json::from_str::<Encoding>(&json).unwrap(), encoding);
        }
        for other in [
            "latin9",
            "utf8",
            "UTF_8",
            " gbk",
            "",
            "utf-16le",
            "big5-hkscs",
        ] {
            let err = other.parse::<Encoding>().unwrap_err();
            assert!(matches!(&err, ConfigError::InputFormat { key, value, .. }
                if key == "encoding" && value == other));
            assert_eq!(
                err.to_string(),
                format!(
                    "input format: encoding {other:?}: not one of utf-8, utf-16, gbk, gb18030, big5, windows-1252"
                )
            );
        }
        let err = serde_json::from_str::<Encoding>(r#""latin9""#).unwrap_err();
        assert!(
            err.to_string()
                .contains(r#"encoding "latin9": not one of utf-8"#),
            "{err}"
        );
    }

    #[test]
    fn decoding_is_send_and_debug_names_the_encoding() {
        fn assert_send<T: Send>() {}
        assert_send::<Decoding<std::fs::File>>();
        let decoding = Decoding::new(&b""[..], Encoding::Big5).unwrap();
        assert_eq!(format!("{decoding:?}"), "Decoding { encoding: Big5, .. }");
    }

    proptest! {
        /// Any text GB18030 or UTF-16 can write (all of Unicode) reads back the same.
        #[test]
        fn any_text_round_trips(text in "\\PC{0,200}", chunk in 1usize..40, step in 1usize..40) {
            for encoding in [Encoding::Gb18030, Encoding::Utf16] {
                let bytes = encode(&text, encoding);
                prop_assert_eq!(decode_with(&bytes, encoding, chunk, step), text.as_bytes());
            }
        }

        /// On any bytes, the output is encoding_rs's own decoding with one marker byte
        /// where it puts U+FFFD, and no line end is lost or made up.
        #[test]
        fn any_bytes_decode_as_encoding_rs_does(
            bytes in proptest::collection::vec(
                prop_oneof![Just(b'\n'), Just(0x81u8), Just(0x30u8), any::<u8>()],
                0..300,
            ),
            chunk in 1usize..40,
            step in 1usize..40,
        ) {
            let cases = [
                (Encoding::Gbk, encoding_rs::GBK),
                (Encoding::Gb18030, encoding_rs::GB18030),
                (Encoding::Big5, encoding_rs::BIG5),
                (Encoding::Windows1252, encoding_rs::WINDOWS_1252),
            ];
            for (encoding, rs) in cases {
                let decoded = decode_with(&bytes, encoding, chunk, step);
                let marked = String::from_utf8_lossy(&decoded).into_owned();
                let (reference, _) = rs.decode_without_bom_handling(&bytes);
                prop_assert_eq!(&marked, &reference, "{}", encoding);
                let lines = |b: &[u8]| b.iter().filter(|&&b| b == b'\n').count();
                prop_assert_eq!(lines(&decoded), lines(&bytes), "{}", encoding);
            }
            let with_bom = [b"\xFF\xFE".as_slice(), &bytes].concat();
            let decoded = decode_with(&with_bom, Encoding::Utf16, chunk, step);
            let (reference, _) = encoding_rs::UTF_16LE.decode_without_bom_handling(&bytes);
            prop_assert_eq!(String::from_utf8_lossy(&decoded), reference);
        }
    }
}
