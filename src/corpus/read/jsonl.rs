//! `.jsonl` and `.jsonl.gz` files: one article object a line, streamed.

use std::io::{self, BufReader, Read};

use flate2::read::MultiGzDecoder;
use serde_json::Value;

use super::super::{CorpusFile, Problem};
use super::io::{io_reason, next_line, open, Counting, LineRead, BOM, MIB};
use super::json::{record, Origin};
use super::messages::{json_reason, not_an_object_line};
use super::{Record, MAX_LINE_BYTES};

/// Reads a JSONL file (gzip-compressed when `gzip`) line by line.
pub(super) fn read(
    file: &CorpusFile,
    gzip: bool,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    let (counted, consumed) = Counting::new(open(file)?);
    // The decoder reads the file in 32 KiB chunks: progress moves by those.
    let reader: Box<dyn Read> = if gzip {
        Box::new(MultiGzDecoder::new(counted))
    } else {
        Box::new(counted)
    };
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let rel = file.rel.as_str();
    let mut buf = Vec::new();
    let mut line_no: u64 = 0;
    // Lines that were not blank, good or bad.
    let mut lines: u64 = 0;
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
            LineRead::End if lines == 0 => {
                visit(Err(Problem::new(
                    rel,
                    None,
                    "empty file (no JSON line); add articles or remove the file",
                )));
                return Ok(());
            }
            LineRead::End => return Ok(()),
            LineRead::TooLong => {
                lines += 1;
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
        lines += 1;
        visit(parse_line(rel, line_no, content, consumed.get()));
    }
}

fn parse_line(rel: &str, line: u64, content: &[u8], consumed: u64) -> Result<Record, Problem> {
    let text = std::str::from_utf8(content).map_err(|e| {
        Problem::new(
            rel,
            Some(line),
            format!(
                "invalid UTF-8 at byte {} of the line; save the file as UTF-8",
                e.valid_up_to()
            ),
        )
    })?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Problem::new(rel, Some(line), json_reason(&e, "fix or remove this line")))?;
    let Value::Object(map) = &value else {
        return Err(not_an_object_line(rel, line, &value));
    };
    let at = Origin {
        rel,
        fallback_id: &format!("{rel}#{line}"),
        line: Some(line),
        prefix: "",
    };
    record(map, &at, line, consumed)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::super::*;
    use chrono::NaiveDate;

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
        let ids: Vec<Option<String>> = records(&file).into_iter().map(|r| r.unwrap().id).collect();
        assert_eq!(ids, vec![Some("a1".into()), None, Some("42".into())]);
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
    fn record_hashes_ignore_key_order_spacing_number_format_and_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let file = corpus_file(
            dir.path(),
            "h.jsonl",
            concat!(
                "{\"id\":1.5,\"title\":\"a\",\"body\":\"b\"}\n",
                "{ \"body\" : \"b\", \"section\": \"x\", \"title\": \"a\", \"id\": 1.50 }\r\n",
                "{\"id\":15e-1,\"title\":\"\\u0061\",\"body\":\"b\",\"extra\":[1,2]}\n",
                "{\"id\":1.5,\"title\":\"a\",\"body\":\"c\"}\n",
                "{\"id\":\"1.5\",\"title\":\"a\",\"body\":\"b\",\"date\":\"2025-02-12\"}\n",
                "{\"id\":\"1.5\",\"title\":\"a\",\"body\":\"b\",\"date\":\"2025-02-12T08:00:00Z\"}\n",
            )
            .as_bytes(),
        );
        let h: Vec<u64> = records(&file)
            .into_iter()
            .map(|r| r.unwrap().hash)
            .collect();
        assert_eq!(h[0], h[1]);
        assert_eq!(h[0], h[2]);
        assert_ne!(h[0], h[3], "another body is another hash");
        assert_ne!(h[0], h[4], "a date is part of the content");
        assert_eq!(h[4], h[5], "the same calendar date, written otherwise");
        let again: Vec<u64> = records(&file)
            .into_iter()
            .map(|r| r.unwrap().hash)
            .collect();
        assert_eq!(h, again);
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
    fn a_date_that_is_not_understood_is_a_warning_and_the_record_comes_through() {
        let dir = tempfile::tempdir().unwrap();
        let file = corpus_file(
            dir.path(),
            "d.jsonl",
            b"{\"title\":\"a\",\"date\":\"2020-13-40\"}\n{\"title\":\"b\",\"date\":\"2020-12-04\"}\n{\"title\":\"c\"}\n",
        );
        let got: Vec<Record> = records(&file).into_iter().map(Result::unwrap).collect();
        assert_eq!(got[0].article.date, None);
        let warnings: Vec<String> = got[0].warnings.iter().map(ToString::to_string).collect();
        assert_eq!(
            warnings,
            vec!["d.jsonl:1: date \"2020-13-40\" not understood; indexed without a date"]
        );
        assert!(got[1].warnings.is_empty());
        assert!(
            got[2].warnings.is_empty(),
            "no date at all is not a warning"
        );
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

    #[test]
    fn an_overlong_line_is_one_problem() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("{{\"title\":\"{}\"}}", "x".repeat(MAX_LINE_BYTES as usize));
        let alone = corpus_file(dir.path(), "alone.jsonl", long.as_bytes());
        let got = records(&alone);
        assert_eq!(
            got.len(),
            1,
            "{:?}",
            got.iter().map(|r| r.as_ref().err()).collect::<Vec<_>>()
        );
        let err = got[0].as_ref().unwrap_err();
        assert_eq!(err.line, Some(1));
        assert!(
            err.reason.starts_with("line longer than 32 MiB"),
            "{}",
            err.reason
        );

        let mixed = corpus_file(
            dir.path(),
            "mixed.jsonl",
            format!("{{\"title\":\"a\"}}\n{long}\n{{\"title\":\"c\"}}\n").as_bytes(),
        );
        let got = records(&mixed);
        assert_eq!(got.len(), 3);
        assert!(got[0].is_ok() && got[2].is_ok());
        assert_eq!(got[1].as_ref().unwrap_err().line, Some(2));
    }
}
