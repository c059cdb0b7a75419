//! Bounded reads: opening a corpus file, reading a whole file up to a limit,
//! reading lines up to a limit, and counting the bytes taken from disk.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use super::super::{CorpusFile, Problem};

pub(crate) const MIB: u64 = 1024 * 1024;

/// The UTF-8 byte order mark, ignored at the start of a file.
pub(super) const BOM: &[u8] = b"\xEF\xBB\xBF";

pub(super) fn open(file: &CorpusFile) -> Result<File, Problem> {
    File::open(&file.path).map_err(|e| Problem::new(&file.rel, None, io_reason(&e)))
}

/// What went wrong reading a file, and what to do.
pub(super) fn io_reason(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => {
            "file not found (moved or deleted since the scan); scan the corpus again".to_string()
        }
        io::ErrorKind::PermissionDenied => {
            "permission denied; make the file readable by the indexer".to_string()
        }
        _ => format!("cannot read the file ({e})"),
    }
}

fn too_large(file: &CorpusFile, size: u64, limit: u64) -> Problem {
    Problem::new(
        &file.rel,
        None,
        format!(
            "file too large ({} MiB, limit {} MiB); split it into smaller files",
            size.div_ceil(MIB),
            limit / MIB
        ),
    )
}

/// Reads a whole file, refusing files over `limit` bytes.
pub(super) fn read_whole(file: &CorpusFile, limit: u64) -> Result<Vec<u8>, Problem> {
    let handle = open(file)?;
    let size = handle.metadata().map(|m| m.len()).unwrap_or(0);
    if size > limit {
        return Err(too_large(file, size, limit));
    }
    let mut bytes = Vec::new();
    handle
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| Problem::new(&file.rel, None, io_reason(&e)))?;
    let read = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if read > limit {
        return Err(too_large(file, read, limit));
    }
    Ok(bytes)
}

/// A reader that counts the bytes it hands out; the count is shared, so it
/// can be read while the reader is owned by a decoder.
pub(super) struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Counting<R> {
    pub(super) fn new(inner: R) -> (Counting<R>, Rc<Cell<u64>>) {
        let count = Rc::new(Cell::new(0));
        (
            Counting {
                inner,
                count: count.clone(),
            },
            count,
        )
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let added = u64::try_from(n).unwrap_or(u64::MAX);
        self.count.set(self.count.get().saturating_add(added));
        Ok(n)
    }
}

/// What [`next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LineRead {
    /// A line, now in the buffer.
    Line,
    /// A line longer than the limit, consumed and dropped.
    TooLong,
    /// No more input.
    End,
}

/// Reads the next line (without its `\n`) into `buf`. A line longer than
/// `limit` is consumed but not kept.
pub(super) fn next_line<R: BufRead>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: u64,
) -> io::Result<LineRead> {
    buf.clear();
    let mut any = false;
    let mut too_long = false;
    loop {
        let available = match reader.fill_buf() {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (any, too_long) {
                (false, _) => LineRead::End,
                (true, false) => LineRead::Line,
                (true, true) => LineRead::TooLong,
            });
        }
        any = true;
        let (chunk_len, used, done) = match available.iter().position(|b| *b == b'\n') {
            Some(i) => (i, i + 1, true),
            None => (available.len(), available.len(), false),
        };
        if !too_long {
            let wanted = u64::try_from(buf.len() + chunk_len).unwrap_or(u64::MAX);
            if wanted > limit {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(available.get(..chunk_len).unwrap_or(&[]));
            }
        }
        reader.consume(used);
        if done {
            return Ok(if too_long {
                LineRead::TooLong
            } else {
                LineRead::Line
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    #[test]
    fn overlong_jsonl_line_is_skipped_by_the_line_reader() {
        let data = b"abc\ndefghij\nxy".to_vec();
        let mut reader = BufReader::with_capacity(2, &data[..]);
        let mut buf = Vec::new();
        let mut got = Vec::new();
        loop {
            match next_line(&mut reader, &mut buf, 4).unwrap() {
                LineRead::End => break,
                LineRead::TooLong => got.push("<too long>".to_string()),
                LineRead::Line => got.push(String::from_utf8(buf.clone()).unwrap()),
            }
        }
        assert_eq!(got, vec!["abc", "<too long>", "xy"]);
    }

    #[test]
    fn counting_reader_counts_what_it_hands_out() {
        let data = vec![7u8; 10_000];
        let (mut reader, count) = Counting::new(&data[..]);
        let mut first = [0u8; 100];
        reader.read_exact(&mut first).unwrap();
        assert_eq!(count.get(), 100);
        let mut rest = Vec::new();
        reader.read_to_end(&mut rest).unwrap();
        assert_eq!(count.get(), 10_000);
    }

    proptest::proptest! {
        /// Whatever the bytes and the buffer size, lines come back as split
        /// on `\n`, and each line over the limit is one `TooLong`.
        #[test]
        fn line_reader_agrees_with_split(data in proptest::collection::vec(
            proptest::prop_oneof![proptest::strategy::Just(b'\n'), proptest::prelude::any::<u8>()], 0..200),
            capacity in 1usize..16, limit in 0u64..20) {
            let mut reader = BufReader::with_capacity(capacity, &data[..]);
            let mut buf = Vec::new();
            let mut got = Vec::new();
            loop {
                match next_line(&mut reader, &mut buf, limit).unwrap() {
                    LineRead::End => break,
                    LineRead::TooLong => got.push(None),
                    LineRead::Line => got.push(Some(buf.clone())),
                }
            }
            let mut expected: Vec<Option<Vec<u8>>> = data
                .split(|b| *b == b'\n')
                .map(|l| (l.len() as u64 <= limit).then(|| l.to_vec()))
                .collect();
            if data.is_empty() || data.last() == Some(&b'\n') {
                expected.pop();
            }
            proptest::prop_assert_eq!(got, expected);
        }
    }
}
