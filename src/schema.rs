//! The index schema, built in code, with typed field handles.
//!
//! One tantivy document per passage. The engine names every field it reads
//! and writes in [`Fields`]; how each is stored and analysed is decided here
//! and nowhere else. [`fingerprint`] identifies everything that decides which
//! terms a text produces (this schema, the word lists, the analysis code):
//! an index built under another fingerprint is refused, never searched with
//! mismatched words.

use std::sync::OnceLock;

use tantivy::schema::{
    DateOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{self, tokenizer::Terms};

/// Version of the field list below; part of the fingerprint. 4: each
/// passage carries its record's number (`record`). 5: the source as one
/// fast term (`source_key`) and the passage's signature (`sentences`,
/// `sentence_count`). 6: only a signature's lowest sentences are indexed
/// ([`crate::copies::indexed`]). 7: no stem term for a word that is its
/// own stem ([`crate::terms::stem_is_indexed`]); norms for `body` only.
/// 8: the signature's summary (`signature`, [`crate::copies::summary`])
/// instead of its sentence count; no stored `line` (the unit holds it).
pub const SCHEMA_VERSION: u32 = 8;

/// Handles of the fields the engine reads and writes.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// Article id: the record's id, else `path#line` (JSONL) or the file's
    /// path. Stored, indexed as one term.
    pub doc: Field,
    /// Identity of the source record ([`crate::terms::Unit`]): what
    /// incremental indexing compares and deletes. Indexed and fast.
    pub unit: Field,
    /// The record's number ([`crate::index::State::next_record`]), dense
    /// and fast: the distinct values among matching passages are the
    /// articles a search counts, across segments, in a bitset.
    pub record: Field,
    /// Path of the source file, relative to the corpus root.
    pub file: Field,
    /// Number of the passage in its article, from 0; the lead comes first.
    pub passage: Field,
    /// Article title, shown with every passage (searched through `body`).
    pub title: Field,
    /// The passage as written; highlight offsets point into it.
    pub text: Field,
    /// What is searched: the title then the passage, exact words and the
    /// acronym terms of words written in capitals (tokenizer
    /// [`Terms::Exact`]).
    pub body: Field,
    /// The same text, the stem term of each word that is not its own stem,
    /// at the word's position ([`Terms::Stems`]). No norms: a stem is scored
    /// with the passage's length in `body` ([`crate::search::stem_query`]).
    pub stems: Field,
    /// The same text, one spelling-key term per capitalised word that can be
    /// a name; no positions: listed and counted, never matched by position
    /// ([`Terms::Names`]).
    pub names: Field,
    /// Agency or publisher; `--source` matches its words.
    pub source: Field,
    /// The source as one term ([`crate::terms::source_key`]), indexed and
    /// fast: the source facet's values, kept or excluded as a whole.
    pub source_key: Field,
    /// The passage's signature ([`crate::copies::signature`]), its lowest
    /// hashes only ([`crate::copies::indexed`]): one u64 term each,
    /// indexed only. Two copies share at least one.
    pub sentences: Field,
    /// The passage's signature in one number, [`crate::copies::summary`]:
    /// how many sentences sign it, and their hash (fast).
    pub signature: Field,
    /// Publication day (midnight UTC): date filters and newest-first ties.
    pub date: Field,
    /// Article address.
    pub url: Field,
}

/// The tantivy schema and its field handles.
#[derive(Clone, Debug)]
pub struct IndexSchema {
    pub schema: Schema,
    pub fields: Fields,
}

/// A field analysed into `terms`; `norms` when BM25 reads its lengths
/// (`body` only: stems are scored with `body`'s lengths, names are listed
/// and counted, sources filter).
fn analysed(terms: Terms, stored: bool, norms: bool) -> TextOptions {
    let record = match terms {
        Terms::Names => IndexRecordOption::WithFreqs,
        Terms::Exact | Terms::Stems => IndexRecordOption::WithFreqsAndPositions,
    };
    let opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(terms.tokenizer_name())
            .set_index_option(record)
            .set_fieldnorms(norms),
    );
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

/// A field indexed as one term, without norms (never scored).
fn keyword() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("raw")
            .set_index_option(IndexRecordOption::Basic)
            .set_fieldnorms(false),
    )
}

fn build() -> IndexSchema {
    let mut b = Schema::builder();
    let stored_text = TextOptions::default().set_stored();
    let fields = Fields {
        doc: b.add_text_field("doc", keyword().set_stored()),
        unit: b.add_text_field("unit", keyword().set_fast("raw")),
        record: b.add_u64_field("record", NumericOptions::default().set_fast()),
        file: b.add_text_field("file", keyword().set_stored()),
        passage: b.add_u64_field("passage", NumericOptions::default().set_stored()),
        title: b.add_text_field("title", stored_text.clone()),
        text: b.add_text_field("text", stored_text.clone()),
        body: b.add_text_field("body", analysed(Terms::Exact, false, true)),
        stems: b.add_text_field("stems", analysed(Terms::Stems, false, false)),
        names: b.add_text_field("names", analysed(Terms::Names, false, false)),
        source: b.add_text_field("source", analysed(Terms::Exact, true, false)),
        source_key: b.add_text_field("source_key", keyword().set_fast("raw")),
        sentences: b.add_u64_field("sentences", NumericOptions::default().set_indexed()),
        signature: b.add_u64_field("signature", NumericOptions::default().set_fast()),
        date: b.add_date_field(
            "date",
            DateOptions::default().set_indexed().set_fast().set_stored(),
        ),
        url: b.add_text_field("url", stored_text),
    };
    IndexSchema {
        schema: b.build(),
        fields,
    }
}

/// The schema of this binary (built once).
pub fn load() -> &'static IndexSchema {
    static SCHEMA: OnceLock<IndexSchema> = OnceLock::new();
    SCHEMA.get_or_init(build)
}

/// The stored passages are compressed with zstd in blocks of this many
/// bytes. On OrangeSum (36,152 articles) the store takes 47 MB where lz4
/// took 67 (the whole index 101 MB instead of 121), and a search pays about
/// 15 µs more per block it reads: 0.3 ms at the median of the scale
/// benchmark's queries, which read the blocks of 20 candidates. Blocks of
/// 8 KiB would make the index 105 MB for half that time; 32 KiB, 98 MB for
/// twice as much.
pub const STORE_BLOCK_BYTES: usize = 16_384;

/// How a new generation stores its documents. An index written with other
/// settings stays readable: each segment's store names its own compressor.
pub fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: Some(STORE_LEVEL),
        }),
        docstore_blocksize: STORE_BLOCK_BYTES,
        ..tantivy::IndexSettings::default()
    }
}

/// The zstd level of the store: level 9 makes OrangeSum's index 1% smaller
/// for 11% more indexing time.
const STORE_LEVEL: i32 = 3;

/// Identifies the schema, word lists and analysis code of this binary, e.g.
/// `s2-a4-3f2a…`. Two binaries with the same fingerprint index text alike.
pub fn fingerprint() -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let schema = serde_json::to_string(&load().schema).unwrap_or_default();
    for part in [
        schema.as_str(),
        analysis::ELISIONS,
        analysis::STOPWORDS,
        crate::names::KEY_VERSION,
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    format!(
        "s{SCHEMA_VERSION}-a{}-{:016x}",
        analysis::ANALYZER_VERSION,
        h.digest()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_the_name_the_index_files_give_it() {
        let s = load();
        let f = s.fields;
        let names: Vec<&str> = [
            f.doc,
            f.unit,
            f.file,
            f.passage,
            f.title,
            f.text,
            f.body,
            f.stems,
            f.names,
            f.source,
            f.source_key,
            f.sentences,
            f.signature,
            f.date,
            f.url,
        ]
        .iter()
        .map(|&x| s.schema.get_field_name(x))
        .collect();
        assert_eq!(
            names,
            [
                "doc",
                "unit",
                "file",
                "passage",
                "title",
                "text",
                "body",
                "stems",
                "names",
                "source",
                "source_key",
                "sentences",
                "signature",
                "date",
                "url"
            ]
        );
    }

    #[test]
    fn name_keys_have_no_positions_and_searched_text_is_not_stored() {
        let s = load();
        let entry = |f| s.schema.get_field_entry(f);
        let indexing = |f| match entry(f).field_type() {
            tantivy::schema::FieldType::Str(o) => o.get_indexing_options().cloned(),
            _ => None,
        };
        let names = indexing(s.fields.names).expect("names is indexed");
        assert_eq!(names.index_option(), IndexRecordOption::WithFreqs);
        let body = indexing(s.fields.body).expect("body is indexed");
        assert_eq!(
            body.index_option(),
            IndexRecordOption::WithFreqsAndPositions
        );
        assert_eq!(body.tokenizer(), Terms::Exact.tokenizer_name());
        assert!(!entry(s.fields.body).is_stored());
        assert!(entry(s.fields.text).is_stored());
        assert!(entry(s.fields.date).is_fast());
        assert!(entry(s.fields.unit).is_fast());
    }

    #[test]
    fn the_fingerprint_names_schema_and_analyzer_versions() {
        let f = fingerprint();
        let expected = format!("s{SCHEMA_VERSION}-a{}-", analysis::ANALYZER_VERSION);
        assert!(f.starts_with(&expected), "{f}");
        assert_eq!(f.len(), expected.len() + 16, "{f}");
    }
}
