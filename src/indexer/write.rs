//! Turning an article into index documents: one document per passage, and
//! the `unit` that identifies the record they come from.
//!
//! Every passage carries its article's identity and metadata, and its
//! searchable `body` holds the article title followed by the passage, so a
//! title word counts for each passage of the article in the same BM25 field
//! (separate title scoring lifts all passages of an article alike and ranks
//! worse).

use tantivy::TantivyDocument;

use crate::corpus::{passages, Article};
use crate::schema::Fields;

/// The identity of a source record as the index holds it (the `unit` field):
/// where it lies, its own id if it has one, and its content hash. Encoded
/// and decoded here only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// File, relative to the corpus root.
    pub file: String,
    /// Line (or array position) of the record when it was indexed.
    pub line: u64,
    /// The record's own id.
    pub id: Option<String>,
    /// Content hash of the record.
    pub hash: u64,
}

impl Unit {
    /// The text stored in the `unit` field: a JSON array
    /// `[file, line, id or null, hash]`, so that any character in a path or
    /// an id round-trips.
    pub fn encode(&self) -> String {
        let value = (&self.file, self.line, &self.id, self.hash);
        serde_json::to_string(&value).unwrap_or_default()
    }

    /// Reads back what [`Unit::encode`] wrote; `None` for anything else.
    pub fn decode(text: &str) -> Option<Unit> {
        let (file, line, id, hash): (String, u64, Option<String>, u64) =
            serde_json::from_str(text).ok()?;
        Some(Unit {
            file,
            line,
            id,
            hash,
        })
    }
}

/// Calls `sink` with the document of each passage of `article`.
pub fn documents(
    fields: &Fields,
    article: &Article,
    unit: &str,
    line: u64,
    mut sink: impl FnMut(TantivyDocument),
) {
    let date = article
        .date
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|dt| tantivy::DateTime::from_timestamp_secs(dt.and_utc().timestamp()));
    for passage in passages(article) {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.doc, &article.id);
        doc.add_text(fields.unit, unit);
        doc.add_text(fields.file, &article.path);
        doc.add_u64(fields.line, line);
        doc.add_u64(fields.passage, u64::from(passage.number));
        doc.add_text(fields.title, &article.title);
        doc.add_text(fields.text, &passage.text);
        for field in [fields.body, fields.stems, fields.names] {
            if !article.title.is_empty() {
                doc.add_text(field, &article.title);
            }
            doc.add_text(field, &passage.text);
        }
        if !article.source.is_empty() {
            doc.add_text(fields.source, &article.source);
        }
        if let Some(d) = date {
            doc.add_date(fields.date, d);
        }
        if !article.url.is_empty() {
            doc.add_text(fields.url, &article.url);
        }
        sink(doc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn units_round_trip_with_any_character_in_paths_and_ids() {
        let u = Unit {
            file: "a#b/c:d\".jsonl".into(),
            line: 12,
            id: Some("x#1:2\"]\n".into()),
            hash: u64::MAX,
        };
        assert_eq!(Unit::decode(&u.encode()), Some(u.clone()));
        let none = Unit { id: None, ..u };
        assert_eq!(Unit::decode(&none.encode()), Some(none.clone()));
        assert_ne!(
            none.encode(),
            Unit {
                id: Some(String::new()),
                ..none.clone()
            }
            .encode()
        );
        assert_eq!(Unit::decode("nonsense"), None);
        assert_eq!(Unit::decode("a.jsonl#3:00000000deadbeef"), None);
    }

    proptest! {
        #[test]
        fn any_unit_round_trips(file in any::<String>(), line in any::<u64>(),
                                id in proptest::option::of(any::<String>()), hash in any::<u64>()) {
            let u = Unit { file, line, id, hash };
            prop_assert_eq!(Unit::decode(&u.encode()), Some(u));
        }
    }
}
