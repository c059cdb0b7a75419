//! `.json` files (one article object, or an array of them) and the mapping
//! of a JSON object's fields to an article, shared with JSONL.

use serde_json::{Map, Value};

use super::super::date::parse_date;
use super::super::fields::{field_for, Field, Fields};
use super::super::{Article, CorpusFile, Problem};
use super::io::{read_whole, BOM};
use super::messages::{
    date_warning, json_reason, not_an_object, utf8_problem, whole_file_kind, NO_TEXT,
};
use super::{Record, MAX_JSON_BYTES};

/// Reads a `.json` file: parsed whole (it is bounded by [`MAX_JSON_BYTES`]).
pub(super) fn read(
    file: &CorpusFile,
    visit: &mut dyn FnMut(Result<Record, Problem>),
) -> Result<(), Problem> {
    let rel = file.rel.as_str();
    let bytes = read_whole(file, MAX_JSON_BYTES)?;
    let consumed = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
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
                let Value::Object(map) = &item else {
                    visit(Err(not_an_object(rel, index, &item)));
                    continue;
                };
                let at = Origin {
                    rel,
                    fallback_id: &format!("{rel}#{index}"),
                    line: None,
                    prefix: &format!("element {index} of the array: "),
                };
                visit(record(map, &at, index, consumed));
            }
        }
        Value::Object(map) => {
            let at = Origin {
                rel,
                fallback_id: rel,
                line: None,
                prefix: "",
            };
            visit(record(&map, &at, 1, consumed));
        }
        other => visit(Err(Problem::new(rel, None, whole_file_kind(&other)))),
    }
    Ok(())
}

/// Where a JSON object comes from, for its article and its messages.
pub(super) struct Origin<'a> {
    /// The file, relative to the corpus root.
    pub(super) rel: &'a str,
    /// The article id when the object has none.
    pub(super) fallback_id: &'a str,
    /// The line of a JSONL record.
    pub(super) line: Option<u64>,
    /// Put before problem reasons (`element 3 of the array: `).
    pub(super) prefix: &'a str,
}

/// The record held by a JSON object at position `position`, or the problem
/// that it holds no text.
pub(super) fn record(
    map: &Map<String, Value>,
    at: &Origin<'_>,
    position: u64,
    consumed: u64,
) -> Result<Record, Problem> {
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
    let id = fields.get(Field::Id).map(str::to_string);
    let written_date = fields.get(Field::Date);
    let date = written_date.and_then(parse_date);
    let article = Article {
        id: id.clone().unwrap_or_else(|| at.fallback_id.to_string()),
        title: fields.text(Field::Title),
        date,
        source: fields.text(Field::Source),
        url: fields.text(Field::Url),
        lead: fields.text(Field::Lead),
        body: fields.text(Field::Body),
        image: fields.get(Field::Image).map(str::to_string),
        path: at.rel.to_string(),
        line: at.line,
    };
    if article.title.is_empty() && article.lead.is_empty() && article.body.is_empty() {
        return Err(Problem::new(
            at.rel,
            at.line,
            format!("{}{NO_TEXT}", at.prefix),
        ));
    }
    let mut record = Record::new(position, id, article, consumed);
    if let (Some(written), None) = (written_date, date) {
        record
            .warnings
            .push(date_warning(at.rel, at.line, at.prefix, written));
    }
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

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
        let h = |f: &super::super::CorpusFile| records(f)[0].as_ref().unwrap().hash;
        assert_eq!(h(&a), h(&b));
        assert_ne!(h(&a), h(&c));
    }

    #[test]
    fn array_elements_carry_their_ids() {
        let dir = tempfile::tempdir().unwrap();
        let f = corpus_file(
            dir.path(),
            "ids.json",
            b"[{\"id\":\"x\",\"title\":\"A\"},{\"title\":\"B\"}]",
        );
        let ids: Vec<Option<String>> = records(&f).into_iter().map(|r| r.unwrap().id).collect();
        assert_eq!(ids, vec![Some("x".to_string()), None]);
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
}
