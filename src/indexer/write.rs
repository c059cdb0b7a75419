//! Turning an article into index documents: one document per passage.
//!
//! Every passage carries its article's identity and metadata, and its
//! searchable `body` holds the article title followed by the passage, so a
//! title word counts for each passage of the article in the same BM25 field
//! (separate title scoring lifts all passages of an article alike and ranks
//! worse).

use tantivy::TantivyDocument;

use crate::corpus::{passages, Article};
use crate::schema::Fields;

/// The identity of a source record: its file, line and content hash.
pub fn unit(file: &str, line: u64, hash: u64) -> String {
    format!("{file}#{line}:{hash:016x}")
}

/// Parses a [`unit`] back into (file, line, hash).
pub fn parse_unit(unit: &str) -> Option<(&str, u64, u64)> {
    let (file, rest) = unit.rsplit_once('#')?;
    let (line, hash) = rest.split_once(':')?;
    Some((
        file,
        line.parse().ok()?,
        u64::from_str_radix(hash, 16).ok()?,
    ))
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
        if !article.title.is_empty() {
            doc.add_text(fields.body, &article.title);
        }
        doc.add_text(fields.body, &passage.text);
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

    #[test]
    fn units_round_trip_even_with_hashes_in_paths() {
        let u = unit("a#b/c.jsonl", 12, 0xdead_beef);
        assert_eq!(parse_unit(&u), Some(("a#b/c.jsonl", 12, 0xdead_beef)));
        assert_eq!(parse_unit("nonsense"), None);
    }
}
