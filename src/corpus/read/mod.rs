//! Reading article files as records.
//!
//! [`read_records`] streams the records of one file: each comes as the
//! [`Article`] it holds, its own `id` when it has one, and a content hash that
//! is stable across runs and versions, so that an indexer can tell unchanged
//! records from changed ones. The work is split by job: bounded reads and the
//! line reader ([`io`]), the three formats ([`jsonl`], [`json`], [`text`]),
//! the record hash ([`hash`]) and the problem messages ([`messages`]).
//!
//! Guarantees:
//! - JSONL and gzip-compressed JSONL are read line by line, never loaded
//!   whole; a single line may not exceed [`MAX_LINE_BYTES`] (a longer line is
//!   one problem, and reading goes on after it). Blank lines are skipped
//!   silently.
//! - `.txt` / `.md` files over [`MAX_TEXT_BYTES`] and `.json` files over
//!   [`MAX_JSON_BYTES`] are refused.
//! - A problem with one record (invalid UTF-8, malformed JSON, a value that
//!   is not an article, no text at all) is reported for that record and the
//!   other records still come through. Only a file that cannot be read at all
//!   or past some point (vanished, permission denied, corrupt gzip data, too
//!   large) makes [`read_records`] return an error.
//! - A record's hash depends only on the article fields recoupe takes from it
//!   (id, title, date, source, url, lead, body, image), not on key order,
//!   spacing, number formatting or fields recoupe ignores.
//! - No input makes this code panic.

mod hash;
mod io;
mod json;
mod jsonl;
mod messages;
mod text;

use super::{Article, CorpusFile, Format, Problem};

pub(crate) use io::MIB;

/// Largest `.txt` / `.md` article file read.
pub const MAX_TEXT_BYTES: u64 = 32 * MIB;
/// Largest `.json` file read (these are parsed whole; use JSONL for more).
pub const MAX_JSON_BYTES: u64 = 256 * MIB;
/// Largest single JSONL line read.
pub const MAX_LINE_BYTES: u64 = 32 * MIB;

/// One record of a corpus file: a JSONL line, an element of a JSON array,
/// or a whole single-article file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Position of the record: its line (from 1) in a JSONL file, its index
    /// (from 1) in a JSON array, or 1 for a single-article file.
    pub line: u64,
    /// The record's own `id` field (numbers as their decimal text), when it
    /// has one; records with an id are known by it rather than by position.
    pub id: Option<String>,
    /// Hash of the record's article fields (see the module documentation).
    pub hash: u64,
    /// Bytes of the file as stored (compressed, for `.jsonl.gz`) read so far,
    /// for progress reports.
    pub consumed: u64,
    /// The article the record holds.
    pub article: Article,
    /// Things worth saying about a record that is indexed all the same, such
    /// as a date that could not be understood.
    pub warnings: Vec<Problem>,
}

impl Record {
    fn new(line: u64, id: Option<String>, article: Article, consumed: u64) -> Record {
        let hash = hash::record_hash(id.as_deref(), &article);
        Record {
            line,
            id,
            hash,
            consumed,
            article,
            warnings: Vec::new(),
        }
    }
}

/// Streams the records of `file` to `visit`, in file order.
///
/// Problems with single records go to `visit` as `Err` and reading goes on.
/// `Err` from this function means the file could not be read, entirely or
/// past some point: records already visited are valid, the rest are missing.
pub fn read_records(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    match file.format {
        Format::Jsonl => jsonl::read(file, false, visit),
        Format::JsonlGz => jsonl::read(file, true, visit),
        Format::Json => json::read(file, visit),
        Format::Text => text::read(file, visit),
    }
}

/// Reads `file` and hands each record's article (or problem) to `visit`; a
/// convenience over [`read_records`] for callers that need only articles.
pub fn read_articles(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Article, Problem>),
) -> Result<(), Problem> {
    read_records(file, &mut |record| visit(record.map(|r| r.article)))
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use std::io::Write;
    use std::path::Path;

    pub(crate) fn corpus_file(dir: &Path, rel: &str, bytes: &[u8]) -> CorpusFile {
        let path = dir.join(rel);
        std::fs::write(&path, bytes).unwrap();
        let format = super::super::scan::format_of(rel).unwrap();
        CorpusFile {
            rel: rel.to_string(),
            size: bytes.len() as u64,
            path,
            mtime_ns: 0,
            format,
        }
    }

    pub(crate) fn records(file: &CorpusFile) -> Vec<Result<Record, Problem>> {
        let mut out = Vec::new();
        read_records(file, &mut |r| out.push(r)).unwrap();
        out
    }

    pub(crate) fn articles(file: &CorpusFile) -> Vec<Result<Article, Problem>> {
        let mut out = Vec::new();
        read_articles(file, &mut |r| out.push(r)).unwrap();
        out
    }

    pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    /// Each file (name, bytes) yields exactly one problem whose reason starts
    /// with `reason`, at `line`.
    pub(crate) fn expect_one_problem(dir: &Path, cases: &[(&str, &[u8], &str, Option<u64>)]) {
        for &(name, bytes, reason, line) in cases {
            let file = corpus_file(dir, name, bytes);
            let got = records(&file);
            assert_eq!(got.len(), 1, "{name}: {got:?}");
            let err = got[0].as_ref().unwrap_err();
            assert!(err.reason.starts_with(reason), "{name}: {}", err.reason);
            assert_eq!(err.line, line, "{name}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;
    use std::fs::File;

    #[test]
    fn vanished_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        for (rel, format) in [
            ("gone.jsonl", Format::Jsonl),
            ("gone.jsonl.gz", Format::JsonlGz),
            ("gone.json", Format::Json),
            ("gone.txt", Format::Text),
        ] {
            let file = CorpusFile {
                rel: rel.into(),
                path: dir.path().join(rel),
                size: 0,
                mtime_ns: 0,
                format,
            };
            let err = read_records(&file, &mut |_| {}).unwrap_err();
            assert_eq!(err.path, rel);
            assert!(
                err.reason.contains("scan the corpus again"),
                "{}",
                err.reason
            );
        }
    }

    #[test]
    fn oversized_text_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.txt");
        let handle = File::create(&path).unwrap();
        handle.set_len(MAX_TEXT_BYTES + 5 * MIB).unwrap();
        let file = CorpusFile {
            rel: "big.txt".into(),
            path,
            size: 0,
            mtime_ns: 0,
            format: Format::Text,
        };
        let err = read_records(&file, &mut |_| panic!("nothing to visit")).unwrap_err();
        assert_eq!(
            err.reason,
            "file too large (37 MiB, limit 32 MiB); split it into smaller files"
        );
    }

    #[test]
    fn consumed_bytes_grow_to_the_file_size() {
        let dir = tempfile::tempdir().unwrap();
        let mut text = String::new();
        let mut x: u64 = 7;
        for _ in 0..5000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            text.push_str(&format!("{{\"title\":\"titre {x:x}\"}}\n"));
        }
        for (rel, bytes) in [
            ("p.jsonl", text.clone().into_bytes()),
            ("p.jsonl.gz", gzip(text.as_bytes())),
        ] {
            let file = corpus_file(dir.path(), rel, &bytes);
            let consumed: Vec<u64> = records(&file)
                .into_iter()
                .map(|r| r.unwrap().consumed)
                .collect();
            assert!(consumed.windows(2).all(|w| w[0] <= w[1]), "{rel}");
            let last = consumed.last().copied().unwrap_or(0);
            assert!(
                last <= bytes.len() as u64 && last * 2 > bytes.len() as u64,
                "{rel}"
            );
            let distinct: std::collections::BTreeSet<u64> = consumed.iter().copied().collect();
            assert!(distinct.len() > 1, "{rel}: progress moves within the file");
        }
    }
}
