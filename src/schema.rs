//! The index schema, read from `index-schema/schema.json` (embedded in the
//! binary), turned into a tantivy schema with typed field handles.
//!
//! The code names the fields it needs in [`Fields`]; the data file says how
//! each is stored and analysed. [`fingerprint`] identifies everything that
//! decides which terms a text produces (schema, word lists, analysis code):
//! an index built under another fingerprint is refused, never searched with
//! mismatched words.

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions,
};

use crate::analysis::{
    self,
    tokenizer::{Terms, NAMES_TOKENIZER, STEMS_TOKENIZER, TOKENIZER_NAME},
};

/// `index-schema/schema.json`, as embedded at build time.
pub const SCHEMA_JSON: &str = include_str!("../index-schema/schema.json");

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("index-schema/schema.json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("index-schema/schema.json: field {name:?}: {reason}")]
    Field { name: String, reason: String },
}

#[derive(Deserialize)]
struct SchemaFile {
    version: u32,
    fields: Vec<FieldSpec>,
}

#[derive(Deserialize)]
struct FieldSpec {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    stored: bool,
    #[serde(default)]
    indexed: bool,
    #[serde(default)]
    fast: bool,
    #[serde(default)]
    analyzer: Option<String>,
}

/// Handles of the fields the engine reads and writes.
#[derive(Clone, Copy, Debug)]
pub struct Fields {
    pub doc: Field,
    pub unit: Field,
    pub file: Field,
    pub line: Field,
    pub passage: Field,
    pub title: Field,
    pub text: Field,
    pub body: Field,
    pub stems: Field,
    pub names: Field,
    pub source: Field,
    pub date: Field,
    pub url: Field,
}

/// The tantivy schema and its field handles.
#[derive(Clone, Debug)]
pub struct IndexSchema {
    pub schema: Schema,
    pub fields: Fields,
    pub version: u32,
}

/// Applies a field's stored/indexed/fast flags to numeric or date options
/// (two tantivy types with the same builder methods).
macro_rules! numeric_flags {
    ($opts:expr, $spec:expr) => {{
        let mut opts = $opts;
        if $spec.stored {
            opts = opts.set_stored();
        }
        if $spec.indexed {
            opts = opts.set_indexed();
        }
        if $spec.fast {
            opts = opts.set_fast();
        }
        opts
    }};
}

fn field_err(name: &str, reason: impl Into<String>) -> SchemaError {
    SchemaError::Field {
        name: name.to_string(),
        reason: reason.into(),
    }
}

/// Builds the schema from `json` (the contents of `schema.json`).
pub fn parse(json: &str) -> Result<IndexSchema, SchemaError> {
    let file: SchemaFile = serde_json::from_str(json)?;
    let mut builder = Schema::builder();
    for f in &file.fields {
        let _field = match f.kind.as_str() {
            "text" | "string" => {
                let mut opts = TextOptions::default();
                if f.stored {
                    opts = opts.set_stored();
                }
                if f.fast {
                    opts = opts.set_fast("raw");
                }
                if f.indexed {
                    let indexing = if f.kind == "string" {
                        TextFieldIndexing::default()
                            .set_tokenizer("raw")
                            .set_index_option(IndexRecordOption::Basic)
                    } else {
                        let analyzer = f.analyzer.as_deref().unwrap_or(TOKENIZER_NAME);
                        let Some(terms) = Terms::by_tokenizer_name(analyzer) else {
                            return Err(field_err(
                                &f.name,
                                format!(
                                    "unknown analyzer {analyzer:?} (known: {TOKENIZER_NAME:?}, {STEMS_TOKENIZER:?}, {NAMES_TOKENIZER:?})"
                                ),
                            ));
                        };
                        // Name keys are only listed and counted, never
                        // matched by position.
                        let record = if terms == Terms::Names {
                            IndexRecordOption::WithFreqs
                        } else {
                            IndexRecordOption::WithFreqsAndPositions
                        };
                        TextFieldIndexing::default()
                            .set_tokenizer(analyzer)
                            .set_index_option(record)
                    };
                    opts = opts.set_indexing_options(indexing);
                }
                builder.add_text_field(&f.name, opts)
            }
            "u64" => builder.add_u64_field(&f.name, numeric_flags!(NumericOptions::default(), f)),
            "date" => builder.add_date_field(&f.name, numeric_flags!(DateOptions::default(), f)),
            other => {
                return Err(field_err(
                    &f.name,
                    format!("unknown type {other:?} (known: text, string, u64, date)"),
                ))
            }
        };
    }
    let schema = builder.build();
    let get = |name: &str| {
        schema
            .get_field(name)
            .map_err(|_| field_err(name, "missing: the engine needs this field"))
    };
    let fields = Fields {
        doc: get("doc")?,
        unit: get("unit")?,
        file: get("file")?,
        line: get("line")?,
        passage: get("passage")?,
        title: get("title")?,
        text: get("text")?,
        body: get("body")?,
        stems: get("stems")?,
        names: get("names")?,
        source: get("source")?,
        date: get("date")?,
        url: get("url")?,
    };
    Ok(IndexSchema {
        schema,
        fields,
        version: file.version,
    })
}

/// The schema shipped with this binary.
pub fn load() -> Result<IndexSchema, SchemaError> {
    parse(SCHEMA_JSON)
}

/// Identifies the schema, word lists and analysis code of this binary, e.g.
/// `s1-a1-3f2a…`. Two binaries with the same fingerprint index text alike.
pub fn fingerprint() -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [
        SCHEMA_JSON,
        analysis::ELISIONS,
        analysis::STOPWORDS,
        crate::names::KEY_VERSION,
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    let version = parse(SCHEMA_JSON).map(|s| s.version).unwrap_or(0);
    format!(
        "s{version}-a{}-{:016x}",
        analysis::ANALYZER_VERSION,
        h.digest()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_schema_loads_with_every_field() {
        let s = load().expect("index-schema/schema.json must load");
        assert!(s.version >= 1);
        assert_eq!(s.schema.get_field_name(s.fields.body), "body");
    }

    #[test]
    fn a_missing_field_is_named() {
        let err = parse(r#"{"version":1,"fields":[]}"#).unwrap_err();
        assert!(err.to_string().contains("\"doc\""), "{err}");
    }

    #[test]
    fn unknown_types_and_analyzers_are_refused() {
        let err = parse(r#"{"version":1,"fields":[{"name":"x","type":"blob"}]}"#).unwrap_err();
        assert!(err.to_string().contains("unknown type"), "{err}");
        let err = parse(
            r#"{"version":1,"fields":[{"name":"x","type":"text","indexed":true,"analyzer":"en"}]}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("unknown analyzer"), "{err}");
    }

    #[test]
    fn fingerprint_is_stable_within_a_build() {
        assert_eq!(fingerprint(), fingerprint());
        assert!(fingerprint().starts_with("s1-a"));
    }
}
