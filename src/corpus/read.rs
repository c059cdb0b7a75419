//! Reading article files as records, and records as articles.
//!
//! [`read_records`] streams the records of one file, each with a content hash
//! (xxh3-64) that is stable across runs and versions, so that an indexer can
//! skip records it has already seen; [`Record::parse`] then builds the
//! [`Article`]. What is hashed: for JSONL, the line without its line ending
//! (`\n` or `\r\n`); for `.txt` / `.md`, the whole file as stored; for `.json`,
//! the compact re-serialisation of the article object (keys in sorted order),
//! so reformatting a JSON file does not change its hashes.
//!
//! Guarantees:
//! - JSONL and gzip-compressed JSONL are read line by line, never loaded
//!   whole; a single line may not exceed [`MAX_LINE_BYTES`]. Blank lines are
//!   skipped silently.
//! - `.txt` / `.md` files over [`MAX_TEXT_BYTES`] and `.json` files over
//!   [`MAX_JSON_BYTES`] are refused.
//! - A problem with one record (invalid UTF-8, malformed JSON, a value that
//!   is not an article, no text at all) is reported for that record and the
//!   other records still come through. Only a file that cannot be read at all
//!   or past some point (vanished, permission denied, corrupt gzip data, too
//!   large) makes [`read_records`] return an error.
//! - No input makes this code panic.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

use flate2::read::MultiGzDecoder;
use serde_json::{Map, Value};
use xxhash_rust::xxh3::xxh3_64;

use super::date::parse_date;
use super::fields::{field_for, Field, Fields};
use super::text::parse_text;
use super::{Article, CorpusFile, Format, Problem};

const MIB: u64 = 1024 * 1024;
/// Largest `.txt` / `.md` article file read.
pub const MAX_TEXT_BYTES: u64 = 32 * MIB;
/// Largest `.json` file read (these are parsed whole; use JSONL for more).
pub const MAX_JSON_BYTES: u64 = 256 * MIB;
/// Largest single JSONL line read.
pub const MAX_LINE_BYTES: u64 = 32 * MIB;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const NO_TEXT: &str = "no text (expected a title, lead or body field)";

/// One record of a corpus file: a JSONL line, an element of a JSON array,
/// or a whole single-article file.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Position of the record: its line (from 1) in a JSONL file, its index
    /// (from 1) in a JSON array, or 1 for a single-article file.
    pub line: u64,
    /// xxh3-64 hash of the record's content (see the module documentation).
    pub hash: u64,
    payload: Payload,
}

#[derive(Debug, Clone, PartialEq)]
enum Payload {
    /// A JSONL line, not yet parsed.
    JsonLine(String),
    /// The N-th (from 1) element of a JSON array.
    JsonElement(Value, u64),
    /// The single object of a `.json` file.
    JsonObject(Value),
    /// A whole `.txt` / `.md` file.
    Text(String),
}

impl Record {
    /// Builds the article held by this record. `file` must be the file the
    /// record was read from. Fails on malformed JSON (with the column), on a
    /// JSON value that is not an object, and on a record without any text.
    pub fn parse(&self, file: &CorpusFile) -> Result<Article, Problem> {
        let rel = file.rel.as_str();
        let (article, problem_line, prefix) = match &self.payload {
            Payload::JsonLine(line) => {
                let value: Value = serde_json::from_str(line).map_err(|e| {
                    Problem::new(
                        rel,
                        Some(self.line),
                        json_reason(&e, "fix or remove this line"),
                    )
                })?;
                let Value::Object(map) = value else {
                    return Err(Problem::new(
                        rel,
                        Some(self.line),
                        format!(
                            "expected a JSON object (one article per line), found {}",
                            kind_of(&value)
                        ),
                    ));
                };
                let fallback = format!("{rel}#{}", self.line);
                (
                    from_object(&map, &fallback, rel, Some(self.line)),
                    Some(self.line),
                    String::new(),
                )
            }
            Payload::JsonElement(value, index) => {
                let prefix = format!("element {index} of the array: ");
                let Value::Object(map) = value else {
                    return Err(not_an_object(rel, *index, value));
                };
                let fallback = format!("{rel}#{index}");
                (from_object(map, &fallback, rel, None), None, prefix)
            }
            Payload::JsonObject(value) => {
                let Value::Object(map) = value else {
                    return Err(Problem::new(rel, None, whole_file_kind(value)));
                };
                (from_object(map, rel, rel, None), None, String::new())
            }
            Payload::Text(text) => (parse_text(text, rel), None, String::new()),
        };
        if article.title.is_empty() && article.lead.is_empty() && article.body.is_empty() {
            return Err(Problem::new(
                rel,
                problem_line,
                format!("{prefix}{NO_TEXT}"),
            ));
        }
        Ok(article)
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
        Format::Jsonl => {
            let reader = BufReader::new(open(file)?);
            read_jsonl(file, reader, false, visit)
        }
        Format::JsonlGz => {
            let reader = BufReader::new(MultiGzDecoder::new(BufReader::new(open(file)?)));
            read_jsonl(file, reader, true, visit)
        }
        Format::Json => read_json(file, visit),
        Format::Text => read_text(file, visit),
    }
}

/// Reads `file` and hands each record's article (or problem) to `visit`; a
/// convenience over [`read_records`] and [`Record::parse`] for callers that
/// do not skip unchanged records.
pub fn read_articles(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Article, Problem>),
) -> Result<(), Problem> {
    read_records(file, &mut |record| {
        visit(record.and_then(|r| r.parse(file)));
    })
}

fn open(file: &CorpusFile) -> Result<File, Problem> {
    File::open(&file.path).map_err(|e| Problem::new(&file.rel, None, io_reason(&e)))
}

fn io_reason(e: &io::Error) -> String {
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
fn read_whole(file: &CorpusFile, limit: u64) -> Result<Vec<u8>, Problem> {
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

enum LineRead {
    Line,
    TooLong,
    End,
}

/// Reads the next line (without its `\n`) into `buf`. A line longer than
/// `limit` is consumed but not kept.
fn next_line<R: BufRead>(reader: &mut R, buf: &mut Vec<u8>, limit: u64) -> io::Result<LineRead> {
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

fn read_jsonl<R: BufRead>(
    file: &CorpusFile,
    mut reader: R,
    gzip: bool,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    let rel = file.rel.as_str();
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    let mut records: u64 = 0;
    loop {
        let outcome = next_line(&mut reader, &mut buf, MAX_LINE_BYTES).map_err(|e| {
            let reason = if gzip && e.kind() != io::ErrorKind::PermissionDenied {
                format!(
                    "corrupt or truncated gzip data after line {line_no} ({e}); re-compress or replace the file"
                )
            } else {
                format!("{} (after line {line_no})", io_reason(&e))
            };
            Problem::new(rel, None, reason)
        })?;
        line_no += 1;
        match outcome {
            LineRead::End if records == 0 => {
                visit(Err(Problem::new(
                    rel,
                    None,
                    "empty file (no JSON line); add articles or remove the file",
                )));
                return Ok(());
            }
            LineRead::End => return Ok(()),
            LineRead::TooLong => {
                visit(Err(Problem::new(
                    rel,
                    Some(line_no),
                    format!(
                        "line longer than {} MiB, skipped; split this record",
                        MAX_LINE_BYTES / MIB
                    ),
                )));
                continue;
            }
            LineRead::Line => {}
        }
        let raw = buf.strip_suffix(b"\r").unwrap_or(&buf);
        let content = if line_no == 1 {
            raw.strip_prefix(BOM).unwrap_or(raw)
        } else {
            raw
        };
        if content.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let hash = xxh3_64(raw);
        records += 1;
        match std::str::from_utf8(content) {
            Ok(text) => visit(Ok(Record {
                line: line_no,
                hash,
                payload: Payload::JsonLine(text.to_string()),
            })),
            Err(e) => visit(Err(Problem::new(
                rel,
                Some(line_no),
                format!(
                    "invalid UTF-8 at byte {} of the line; save the file as UTF-8",
                    e.valid_up_to()
                ),
            ))),
        }
    }
}

fn read_json(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    let rel = file.rel.as_str();
    let bytes = read_whole(file, MAX_JSON_BYTES)?;
    let content = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    if let Err(e) = std::str::from_utf8(content) {
        visit(Err(utf8_problem(rel, content, e.valid_up_to())));
        return Ok(());
    }
    if content.iter().all(u8::is_ascii_whitespace) {
        visit(Err(Problem::new(
            rel,
            None,
            "empty file; add articles or remove the file",
        )));
        return Ok(());
    }
    let value: Value = match serde_json::from_slice(content) {
        Ok(v) => v,
        Err(e) => {
            let line = u64::try_from(e.line()).ok().filter(|l| *l > 0);
            visit(Err(Problem::new(
                rel,
                line,
                json_reason(&e, "fix the JSON syntax"),
            )));
            return Ok(());
        }
    };
    match value {
        Value::Array(items) => {
            for (i, item) in items.into_iter().enumerate() {
                let index = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
                if item.is_object() {
                    visit(Ok(Record {
                        line: index,
                        hash: compact_hash(&item),
                        payload: Payload::JsonElement(item, index),
                    }));
                } else {
                    visit(Err(not_an_object(rel, index, &item)));
                }
            }
        }
        Value::Object(_) => visit(Ok(Record {
            line: 1,
            hash: compact_hash(&value),
            payload: Payload::JsonObject(value),
        })),
        other => visit(Err(Problem::new(rel, None, whole_file_kind(&other)))),
    }
    Ok(())
}

fn read_text(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    let rel = file.rel.as_str();
    let bytes = read_whole(file, MAX_TEXT_BYTES)?;
    let hash = xxh3_64(&bytes);
    let content = bytes.strip_prefix(BOM).unwrap_or(&bytes);
    if looks_binary(content) {
        visit(Err(Problem::new(
            rel,
            None,
            "binary file (not text); remove it from the corpus or export it as plain text",
        )));
        return Ok(());
    }
    let text = match std::str::from_utf8(content) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to() + (bytes.len() - content.len());
            let mut problem = utf8_problem(rel, content, e.valid_up_to());
            problem.reason = format!("invalid UTF-8 at byte {at}; save the file as UTF-8");
            visit(Err(problem));
            return Ok(());
        }
    };
    if text.trim().is_empty() {
        visit(Err(Problem::new(
            rel,
            None,
            "empty file; add the article text or remove the file",
        )));
        return Ok(());
    }
    visit(Ok(Record {
        line: 1,
        hash,
        payload: Payload::Text(text.to_string()),
    }));
    Ok(())
}

/// A problem for invalid UTF-8 found at byte `at` of `content`, with the
/// line it is on.
fn utf8_problem(rel: &str, content: &[u8], at: usize) -> Problem {
    let newlines = content
        .get(..at)
        .unwrap_or(content)
        .iter()
        .filter(|b| **b == b'\n')
        .count();
    let line = u64::try_from(newlines)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    Problem::new(
        rel,
        Some(line),
        format!("invalid UTF-8 at byte {at}; save the file as UTF-8"),
    )
}

/// True for content that is not text: it holds a NUL byte, or more than one
/// byte in ten among its first 8 KiB is a control character.
fn looks_binary(content: &[u8]) -> bool {
    if content.contains(&0) {
        return true;
    }
    let sample = content.get(..8192).unwrap_or(content);
    let controls = sample
        .iter()
        .filter(|b| (**b < 0x20 && !matches!(**b, b'\t' | b'\n' | b'\r' | 0x0c)) || **b == 0x7f)
        .count();
    controls * 10 > sample.len()
}

fn compact_hash(value: &Value) -> u64 {
    xxh3_64(&serde_json::to_vec(value).unwrap_or_default())
}

/// A problem reason for a JSON syntax error: the column, serde's message
/// without its position, and `advice`.
fn json_reason(e: &serde_json::Error, advice: &str) -> String {
    let full = e.to_string();
    let message = match full.rfind(" at line ") {
        Some(i) => full.get(..i).unwrap_or(&full),
        None => full.as_str(),
    };
    format!(
        "malformed JSON at column {}: {message}; {advice}",
        e.column()
    )
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn not_an_object(rel: &str, index: u64, value: &Value) -> Problem {
    Problem::new(
        rel,
        None,
        format!(
            "element {index} of the array is {}, not an article object; remove it or make it an object",
            kind_of(value)
        ),
    )
}

fn whole_file_kind(value: &Value) -> String {
    format!(
        "the file holds {}; expected an article object or an array of article objects",
        kind_of(value)
    )
}

/// Builds an article from a JSON object. Non-string values are ignored,
/// except numeric ids which are kept as their decimal text.
fn from_object(
    map: &Map<String, Value>,
    fallback_id: &str,
    rel: &str,
    line: Option<u64>,
) -> Article {
    let mut fields = Fields::default();
    for (key, value) in map {
        match value {
            Value::String(s) => fields.offer(key, s),
            Value::Number(n) if matches!(field_for(key), Some((Field::Id, _))) => {
                fields.offer(key, &n.to_string());
            }
            _ => {}
        }
    }
    Article {
        id: fields.get(Field::Id).unwrap_or(fallback_id).to_string(),
        title: fields.text(Field::Title),
        date: fields.get(Field::Date).and_then(parse_date),
        source: fields.text(Field::Source),
        url: fields.text(Field::Url),
        lead: fields.text(Field::Lead),
        body: fields.text(Field::Body),
        image: fields.get(Field::Image).map(str::to_string),
        path: rel.to_string(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;
    use std::path::Path;

    fn corpus_file(dir: &Path, rel: &str, bytes: &[u8]) -> CorpusFile {
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

    fn records(file: &CorpusFile) -> Vec<Result<Record, Problem>> {
        let mut out = Vec::new();
        read_records(file, &mut |r| out.push(r)).unwrap();
        out
    }

    fn articles(file: &CorpusFile) -> Vec<Result<Article, Problem>> {
        let mut out = Vec::new();
        read_articles(file, &mut |r| out.push(r)).unwrap();
        out
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::default());
        enc.write_all(bytes).unwrap();
        enc.finish().unwrap()
    }

    const THREE_LINES: &str = "{\"id\":\"a1\",\"title\":\"Un\",\"body\":\"Texte un.\",\"date\":\"2025-02-12\"}\n\n{\"title\":\"Deux\",\"text\":\"Texte deux.\",\"source\":\"AFP\",\"url\":\"https://x.fr/2\"}\r\n{\"id\":42,\"title\":\"Trois\",\"content\":\"Texte trois.\"}";

    #[test]
    fn jsonl_records_become_articles_with_ids_and_lines() {
        let dir = tempfile::tempdir().unwrap();
        let file = corpus_file(dir.path(), "feed.jsonl", THREE_LINES.as_bytes());
        let got: Vec<Article> = articles(&file).into_iter().map(Result::unwrap).collect();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].id, "a1");
        assert_eq!(got[0].date, NaiveDate::from_ymd_opt(2025, 2, 12));
        assert_eq!(got[0].line, Some(1));
        assert_eq!(got[1].id, "feed.jsonl#3");
        assert_eq!(got[1].body, "Texte deux.");
        assert_eq!(got[1].source, "AFP");
        assert_eq!(got[1].url, "https://x.fr/2");
        assert_eq!(got[1].line, Some(3));
        assert_eq!(got[2].id, "42");
        assert_eq!(got[2].body, "Texte trois.");
        assert_eq!(got[2].path, "feed.jsonl");
    }

    #[test]
    fn jsonl_gz_reads_like_jsonl_with_the_same_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let plain = corpus_file(dir.path(), "f.jsonl", THREE_LINES.as_bytes());
        let packed = corpus_file(dir.path(), "f.jsonl.gz", &gzip(THREE_LINES.as_bytes()));
        let hashes = |f: &CorpusFile| -> Vec<(u64, u64)> {
            records(f)
                .into_iter()
                .map(|r| r.map(|r| (r.line, r.hash)).unwrap())
                .collect()
        };
        assert_eq!(hashes(&plain), hashes(&packed));
        let titles: Vec<String> = articles(&packed)
            .into_iter()
            .map(|a| a.unwrap().title)
            .collect();
        assert_eq!(titles, vec!["Un", "Deux", "Trois"]);
    }

    #[test]
    fn record_hashes_are_stable_and_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let file = corpus_file(
            dir.path(),
            "h.jsonl",
            b"{\"title\":\"a\"}\n{\"title\":\"b\"}\r\n",
        );
        let first: Vec<u64> = records(&file)
            .into_iter()
            .map(|r| r.unwrap().hash)
            .collect();
        let again: Vec<u64> = records(&file)
            .into_iter()
            .map(|r| r.unwrap().hash)
            .collect();
        assert_eq!(first, again);
        assert_ne!(first[0], first[1]);
        // The hash is xxh3-64 of the line without its line ending.
        assert_eq!(first[0], xxh3_64(b"{\"title\":\"a\"}"));
        assert_eq!(first[1], xxh3_64(b"{\"title\":\"b\"}"));
        // Pinned value: a change here would make every index re-read everything.
        assert_eq!(first[0], 0x9125_c6ed_68e3_cdf8);
    }

    #[test]
    fn malformed_line_is_reported_with_line_and_column_and_others_come_through() {
        let dir = tempfile::tempdir().unwrap();
        let text = "{\"title\":\"ok 1\"}\n{\"title\": oops}\n{\"title\":\"ok 3\"}\n[1,2]\n";
        let file = corpus_file(dir.path(), "bad.jsonl", text.as_bytes());
        let got = articles(&file);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].as_ref().unwrap().title, "ok 1");
        let err = got[1].as_ref().unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.reason.starts_with("malformed JSON at column 11"),
            "{}",
            err.reason
        );
        assert!(err.to_string().starts_with("bad.jsonl:2: malformed JSON"));
        assert_eq!(got[2].as_ref().unwrap().title, "ok 3");
        let err = got[3].as_ref().unwrap_err();
        assert_eq!(err.line, Some(4));
        assert!(err.reason.contains("found an array"), "{}", err.reason);
    }

    #[test]
    fn invalid_utf8_line_is_reported_and_reading_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = b"{\"title\":\"un\"}\n{\"title\":\"d\xe9j\xe0\"}\n{\"title\":\"trois\"}\n";
        let file = corpus_file(dir.path(), "latin1.jsonl", bytes);
        let got = records(&file);
        assert_eq!(got.len(), 3);
        let err = got[1].as_ref().unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(
            err.reason.contains("invalid UTF-8 at byte 11"),
            "{}",
            err.reason
        );
        assert!(err.reason.contains("save the file as UTF-8"));
        assert_eq!(got[2].as_ref().unwrap().line, 3);
    }

    #[test]
    fn record_without_text_and_non_string_fields() {
        let dir = tempfile::tempdir().unwrap();
        let text = "{\"id\":\"x\",\"source\":\"AFP\"}\n{\"title\":null,\"body\":12,\"lead\":\"  \"}\n{\"body\":7,\"text\":\"vrai texte\"}\n";
        let file = corpus_file(dir.path(), "n.jsonl", text.as_bytes());
        let got = articles(&file);
        let err = got[0].as_ref().unwrap_err();
        assert_eq!(
            err.to_string(),
            "n.jsonl:1: no text (expected a title, lead or body field)"
        );
        assert!(got[1].is_err());
        assert_eq!(got[2].as_ref().unwrap().body, "vrai texte");
    }

    #[test]
    fn alternate_field_names() {
        let dir = tempfile::tempdir().unwrap();
        let lines = [
            ("{\"title\":\"t\",\"text\":\"B\"}", "", "B", None),
            ("{\"title\":\"t\",\"article\":\"B\"}", "", "B", None),
            ("{\"title\":\"t\",\"content\":\"B\"}", "", "B", None),
            ("{\"title\":\"t\",\"heading\":\"L\"}", "L", "", None),
            ("{\"title\":\"t\",\"description\":\"L\"}", "L", "", None),
            ("{\"title\":\"t\",\"chapo\":\"L\"}", "L", "", None),
            (
                "{\"title\":\"t\",\"pubDate\":\"Wed, 12 Feb 2025 10:00:00 +0000\"}",
                "",
                "",
                Some(12),
            ),
            (
                "{\"title\":\"t\",\"published\":\"2025-02-12T10:00:00Z\"}",
                "",
                "",
                Some(12),
            ),
            (
                "{\"title\":\"t\",\"published_time\":\"2025-02-12 10:00:00\"}",
                "",
                "",
                Some(12),
            ),
            ("{\"title\":\"t\",\"date\":\"pas une date\"}", "", "", None),
        ];
        let text: Vec<&str> = lines.iter().map(|l| l.0).collect();
        let file = corpus_file(dir.path(), "alt.jsonl", text.join("\n").as_bytes());
        let got = articles(&file);
        for (i, (line, lead, body, day)) in lines.iter().enumerate() {
            let a = got[i].as_ref().unwrap();
            assert_eq!(a.lead, *lead, "{line}");
            assert_eq!(a.body, *body, "{line}");
            let expected = day.and_then(|d| NaiveDate::from_ymd_opt(2025, 2, d));
            assert_eq!(a.date, expected, "{line}");
        }
    }

    #[test]
    fn json_object_and_array_files() {
        let dir = tempfile::tempdir().unwrap();
        let one = corpus_file(
            dir.path(),
            "one.json",
            "\u{feff}{\n  \"title\": \"Seul\",\n  \"body\": \"Corps.\"\n}".as_bytes(),
        );
        let got = articles(&one);
        let a = got[0].as_ref().unwrap();
        assert_eq!(
            (a.id.as_str(), a.title.as_str(), a.line),
            ("one.json", "Seul", None)
        );

        let many = corpus_file(
            dir.path(),
            "many.json",
            b"[{\"title\":\"A\"}, 3, {\"id\": 7.5, \"title\":\"C\"}, {\"url\":\"u\"}]",
        );
        let got = articles(&many);
        assert_eq!(got.len(), 4);
        assert_eq!(got[0].as_ref().unwrap().id, "many.json#1");
        let err = got[1].as_ref().unwrap_err();
        assert!(
            err.reason.contains("element 2 of the array is a number"),
            "{}",
            err.reason
        );
        assert_eq!(got[2].as_ref().unwrap().id, "7.5");
        let err = got[3].as_ref().unwrap_err();
        assert_eq!(
            err.reason,
            "element 4 of the array: no text (expected a title, lead or body field)"
        );
    }

    #[test]
    fn json_array_hashes_ignore_formatting() {
        let dir = tempfile::tempdir().unwrap();
        let a = corpus_file(dir.path(), "a.json", b"[{\"title\":\"A\",\"body\":\"b\"}]");
        let b = corpus_file(
            dir.path(),
            "b.json",
            b"[\n  { \"body\": \"b\",\n    \"title\": \"A\" }\n]\n",
        );
        let c = corpus_file(dir.path(), "c.json", b"[{\"title\":\"A\",\"body\":\"c\"}]");
        let h = |f: &CorpusFile| records(f)[0].as_ref().unwrap().hash;
        assert_eq!(h(&a), h(&b));
        assert_ne!(h(&a), h(&c));
    }

    #[test]
    fn bad_json_files() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str, Option<u64>); 4] = [
            (
                "syntax.json",
                b"{\n\"title\": \"x\",\n}",
                "malformed JSON at column 1",
                Some(3),
            ),
            ("empty.json", b"  \n", "empty file", None),
            (
                "scalar.json",
                b"\"juste une chaine\"",
                "the file holds a string",
                None,
            ),
            (
                "latin.json",
                b"{\"title\":\n\"\xe9t\xe9\"}",
                "invalid UTF-8 at byte 11",
                Some(2),
            ),
        ];
        expect_one_problem(dir.path(), &cases);
    }

    /// Each file (name, bytes) yields exactly one problem whose reason starts
    /// with `reason`, at `line`.
    fn expect_one_problem(dir: &Path, cases: &[(&str, &[u8], &str, Option<u64>)]) {
        for &(name, bytes, reason, line) in cases {
            let file = corpus_file(dir, name, bytes);
            let got = records(&file);
            assert_eq!(got.len(), 1, "{name}");
            let err = got[0].as_ref().unwrap_err();
            assert!(err.reason.starts_with(reason), "{name}: {}", err.reason);
            assert_eq!(err.line, line, "{name}");
        }
    }

    #[test]
    fn bad_text_files() {
        let dir = tempfile::tempdir().unwrap();
        let cases: [(&str, &[u8], &str, Option<u64>); 5] = [
            (
                "bin.txt",
                b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                "binary file",
                None,
            ),
            (
                "ctl.txt",
                b"\x01\x02\x03\x04abc\x05\x06",
                "binary file",
                None,
            ),
            ("blank.txt", b" \r\n\t\n", "empty file", None),
            ("zero.md", b"", "empty file", None),
            (
                "latin.txt",
                b"Titre\nLigne deux\nCaf\xe9\n",
                "invalid UTF-8 at byte 20",
                Some(3),
            ),
        ];
        expect_one_problem(dir.path(), &cases);
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
    fn corrupt_gzip_keeps_records_read_before_the_damage() {
        let dir = tempfile::tempdir().unwrap();
        let text = "{\"title\":\"a\"}\n".repeat(2000);
        let mut packed = gzip(text.as_bytes());
        let len = packed.len();
        packed.truncate(len - 10);
        let file = corpus_file(dir.path(), "cut.jsonl.gz", &packed);
        let mut seen = 0;
        let err = read_records(&file, &mut |r| {
            assert!(r.is_ok());
            seen += 1;
        })
        .unwrap_err();
        assert!(err.reason.contains("gzip"), "{}", err.reason);
        assert!(seen < 2000);

        let junk = corpus_file(dir.path(), "junk.jsonl.gz", b"not gzip at all");
        let err = read_records(&junk, &mut |_| {}).unwrap_err();
        assert!(
            err.reason
                .starts_with("corrupt or truncated gzip data after line 0"),
            "{}",
            err.reason
        );
    }

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
    fn bom_and_blank_lines_in_jsonl() {
        let dir = tempfile::tempdir().unwrap();
        let file = corpus_file(
            dir.path(),
            "bom.jsonl",
            "\u{feff}{\"title\":\"a\"}\n   \n\t\n".as_bytes(),
        );
        let got = articles(&file);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].as_ref().unwrap().title, "a");
    }
}
