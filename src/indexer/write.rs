//! Turning an article into index documents: one document per passage, each
//! carrying the `unit` ([`crate::terms::Unit`]) of the record it comes from.
//!
//! Every passage carries its article's identity and metadata, and its
//! searchable `body` holds the article title followed by the passage, so a
//! title word counts for each passage of the article in the same BM25 field
//! (separate title scoring lifts all passages of an article alike and ranks
//! worse).

use tantivy::TantivyDocument;

use crate::copies;
use crate::corpus::{passages, Article};
use crate::schema::Fields;
use crate::terms;

/// Calls `sink` with the document of each passage of `article`.
pub fn documents(
    fields: &Fields,
    article: &Article,
    unit: &str,
    record: u64,
    mut sink: impl FnMut(TantivyDocument),
) {
    let date = article.date.and_then(terms::date_value);
    for passage in passages(article) {
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.doc, &article.id);
        doc.add_text(fields.unit, unit);
        doc.add_u64(fields.record, record);
        doc.add_text(fields.file, &article.path);
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
            doc.add_text(fields.source_key, terms::source_key(&article.source));
        }
        let signature = copies::signature(&passage.text);
        for sentence in copies::indexed(&signature) {
            doc.add_u64(fields.sentences, sentence);
        }
        doc.add_u64(fields.signature, copies::summary(&signature));
        if let Some(d) = date {
            doc.add_date(fields.date, d);
        }
        if !article.url.is_empty() {
            doc.add_text(fields.url, &article.url);
        }
        sink(doc);
    }
}
