//! The content hash of a record.
//!
//! What is hashed is what recoupe takes from the record, field by field, each
//! with its length in front: the record's own id (or its absence), title,
//! date (as the calendar date understood, or its absence), source, url,
//! lead, body and image. So the hash does not move when a JSON file is
//! re-serialised with other key order, spacing or number formatting, or
//! gains fields recoupe does not read, and it does move for any change that
//! would show in search results. xxh3-64 is stable across versions and
//! platforms.

use xxhash_rust::xxh3::xxh3_64;

use super::super::Article;

/// Hash of a record with id `id` (if any) holding `article`.
pub(super) fn record_hash(id: Option<&str>, article: &Article) -> u64 {
    let mut bytes =
        Vec::with_capacity(64 + article.title.len() + article.lead.len() + article.body.len());
    let date = article.date.map(|d| d.format("%Y-%m-%d").to_string());
    let fields: [Option<&str>; 8] = [
        id,
        Some(&article.title),
        date.as_deref(),
        Some(&article.source),
        Some(&article.url),
        Some(&article.lead),
        Some(&article.body),
        article.image.as_deref(),
    ];
    for field in fields {
        match field {
            None => bytes.push(0),
            Some(text) => {
                bytes.push(1);
                let len = u64::try_from(text.len()).unwrap_or(u64::MAX);
                bytes.extend_from_slice(&len.to_le_bytes());
                bytes.extend_from_slice(text.as_bytes());
            }
        }
    }
    xxh3_64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(title: &str, body: &str) -> Article {
        Article {
            title: title.into(),
            body: body.into(),
            ..Article::default()
        }
    }

    #[test]
    fn field_boundaries_matter() {
        // Moving text from one field to the next changes the hash.
        assert_ne!(
            record_hash(None, &article("ab", "c")),
            record_hash(None, &article("a", "bc"))
        );
        // An empty id is not a missing id.
        assert_ne!(
            record_hash(Some(""), &article("a", "b")),
            record_hash(None, &article("a", "b"))
        );
    }

    #[test]
    fn where_the_record_lies_is_not_hashed() {
        let a = article("t", "b");
        let mut b = a.clone();
        b.path = "elsewhere.jsonl".into();
        b.line = Some(99);
        b.id = "fallback".into();
        assert_eq!(record_hash(Some("x"), &a), record_hash(Some("x"), &b));
    }

    #[test]
    fn pinned_value() {
        // A change here makes every index re-read and re-index everything.
        assert_eq!(
            record_hash(Some("a1"), &article("Un", "Texte un.")),
            0xa484_640e_fa89_086d
        );
    }
}
