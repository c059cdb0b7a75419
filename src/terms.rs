//! Every encoding the index holds, in one place: how indexed terms are
//! written, how a record's identity (the `unit` field) is written, and how
//! days become index dates. The tokenizers, the indexer and the searcher
//! all go through these functions; no term, unit or date is built by hand
//! anywhere else.
//!
//! Terms of the two searched fields:
//! - `body`: each word's exact (folded) form, `refugies`; for a word written
//!   in capitals, also its acronym term after [`ACRONYM_MARK`]: `=ei`, so
//!   that an acronym is matched only where the text writes it as one;
//! - `stems`: each word's stem after [`STEM_MARK`], `~refug`, unless the
//!   stem is the word itself (`paris`, `mort`: a third of the words of
//!   French news), whose exact term then stands for its stem as well
//!   ([`stem_alternatives`]);
//! - `names` (no positions): for a capitalised word that can be a name, its
//!   spelling key and exact form after [`NAME_MARK`], separated by
//!   [`NAME_SEP`] where no capital was required (`^XR/charaa`: written as a
//!   name) and by [`NAME_SEP_INITIAL`] at the start of a text or sentence
//!   (`^KRM|crime`: a capital that says nothing). A range scan over `^KEY/`
//!   and `^KEY|` lists every capitalised spelling of that key in the index,
//!   with document counts that tell names from common words.
//!
//! The marks cannot occur inside words (the segmenter splits on them), so
//! the kinds of term never collide. Query alternatives may also hold a
//! prefix pattern ([`initial_pattern`], `j*`), which is never indexed.

use chrono::NaiveDate;
use tantivy::schema::Field;
use tantivy::Term;

/// First char of stem terms.
pub const STEM_MARK: char = '~';
/// The term of `stems` that marks the end of a text none of whose words
/// has a stem term ([`crate::analysis::tokenizer`]): it keeps the fields'
/// positions in step. The stem mark alone, never searched.
pub const STEM_END: &str = "~";
/// First char of name-key terms.
pub const NAME_MARK: char = '^';
/// Separates a name key from the spelling in a name-key term, for a word
/// capitalised where no capital was required.
pub const NAME_SEP: char = '/';
/// The same, for a word capitalised at the start of a text or sentence.
pub const NAME_SEP_INITIAL: char = '|';
/// First char of the terms of words written in capitals.
pub const ACRONYM_MARK: char = '=';
/// Last char of a prefix pattern in a query alternative: `j*` matches any
/// word starting with `j` (an initial). Never part of an indexed term.
pub const PREFIX_MARK: char = '*';

/// Appends the acronym term of `exact` to `buf`.
pub fn push_acronym(buf: &mut String, exact: &str) {
    buf.push(ACRONYM_MARK);
    buf.push_str(exact);
}

/// Appends the stem term of `stem` to `buf`.
pub fn push_stem(buf: &mut String, stem: &str) {
    buf.push(STEM_MARK);
    buf.push_str(stem);
}

/// Appends the name term of the spelling `exact` under `key` to `buf`.
pub fn push_name(buf: &mut String, key: &str, initial: bool, exact: &str) {
    buf.push(NAME_MARK);
    buf.push_str(key);
    buf.push(if initial { NAME_SEP_INITIAL } else { NAME_SEP });
    buf.push_str(exact);
}

/// Term text for a word written in capitals.
pub fn acronym_term(exact: &str) -> String {
    let mut s = String::with_capacity(exact.len() + 1);
    push_acronym(&mut s, exact);
    s
}

/// Term text for a word's stem.
pub fn stem_term(stem: &str) -> String {
    let mut s = String::with_capacity(stem.len() + 1);
    push_stem(&mut s, stem);
    s
}

/// Term text for a spelling under a name key (see [`name_prefix`]).
pub fn name_term(key: &str, exact: &str, initial: bool) -> String {
    let mut s = String::with_capacity(key.len() + exact.len() + 2);
    push_name(&mut s, key, initial, exact);
    s
}

/// Prefix shared by every name term of `key`, written as a name
/// (`initial` false) or at the start of a sentence (`initial` true).
pub fn name_prefix(key: &str, initial: bool) -> String {
    name_term(key, "", initial)
}

/// The first key after every term that starts with `prefix` (a non-empty
/// UTF-8 string): the end of that prefix's range in a term dictionary.
pub fn prefix_end(prefix: &str) -> Vec<u8> {
    let mut end = prefix.as_bytes().to_vec();
    // UTF-8 never holds 0xFF, so the last byte can always be raised.
    if let Some(last) = end.last_mut() {
        *last += 1;
    }
    end
}

/// The spelling in a name term: `charaa` for `^XR/charaa`.
pub fn name_spelling(term: &str) -> Option<&str> {
    let rest = term.strip_prefix(NAME_MARK)?;
    let at = rest.find([NAME_SEP, NAME_SEP_INITIAL])?;
    Some(&rest[at + 1..])
}

/// True for terms that hold an exact word (not a stem, a name key, an
/// acronym or a prefix pattern).
pub fn is_exact_term(term: &str) -> bool {
    !term.starts_with([STEM_MARK, NAME_MARK, ACRONYM_MARK]) && !term.ends_with(PREFIX_MARK)
}

/// True for stem terms.
pub fn is_stem_term(term: &str) -> bool {
    term.starts_with(STEM_MARK)
}

/// True when the index holds a stem term for a word written `exact` whose
/// stem is `stem`: when the two differ. A word that is its own stem is
/// found under its exact term alone.
pub fn stem_is_indexed(exact: &str, stem: &str) -> bool {
    !stem.is_empty() && stem != exact
}

/// The terms that hold the words of stem `stem` (without its mark): its
/// stem term (in `stems`) and, when `own` (the stem is a word that is its
/// own stem, [`crate::analysis::Analyzer::is_own_stem`]), that word's exact
/// term (in `body`).
pub fn stem_alternatives(stem: &str, own: bool) -> Vec<String> {
    let mut out = vec![stem_term(stem)];
    if own {
        out.push(stem.to_string());
    }
    out
}

/// The pattern of a phrase position matching `term` exactly.
pub fn literal_pattern(term: &str) -> String {
    let mut s = String::with_capacity(term.len() + 2);
    push_escaped(&mut s, term);
    s
}

/// Characters that mean something in a term pattern.
const REGEX_SPECIAL: &str = "\\.+*?()|[]{}^$#&-~";

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        if REGEX_SPECIAL.contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// The pattern of a query alternative matching any word that starts with
/// `letters`.
pub fn initial_pattern(letters: &str) -> String {
    let mut s = String::with_capacity(letters.len() + 1);
    s.push_str(letters);
    s.push(PREFIX_MARK);
    s
}

/// The letters of a prefix pattern, `None` for any other term.
pub fn pattern_prefix(term: &str) -> Option<&str> {
    term.strip_suffix(PREFIX_MARK)
}

/// What a term matches in a text: its exact word, stem, acronym or prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind<'a> {
    Exact(&'a str),
    Stem(&'a str),
    Acronym(&'a str),
    Prefix(&'a str),
}

/// Reads a term of `body` or `stems`, or a query pattern.
pub fn kind(term: &str) -> TermKind<'_> {
    if let Some(stem) = term.strip_prefix(STEM_MARK) {
        TermKind::Stem(stem)
    } else if let Some(acronym) = term.strip_prefix(ACRONYM_MARK) {
        TermKind::Acronym(acronym)
    } else if let Some(prefix) = pattern_prefix(term) {
        TermKind::Prefix(prefix)
    } else {
        TermKind::Exact(term)
    }
}

/// Longest source name kept whole in `source_key`, in bytes.
pub const SOURCE_KEY_MAX: usize = 200;

/// A source as the `source_key` field holds it, and as the source facet
/// shows and filters it: trimmed, runs of spaces made one, at most
/// [`SOURCE_KEY_MAX`] bytes (cut on a character boundary).
pub fn source_key(source: &str) -> String {
    let mut key = source.split_whitespace().collect::<Vec<_>>().join(" ");
    if key.len() > SOURCE_KEY_MAX {
        let mut end = SOURCE_KEY_MAX;
        while !key.is_char_boundary(end) {
            end -= 1;
        }
        key.truncate(end);
    }
    key
}

/// The term of one sentence of a passage's signature.
pub fn sentence_term(field: Field, sentence: u64) -> Term {
    Term::from_field_u64(field, sentence)
}

/// The term of a source facet value.
pub fn source_term(field: Field, source: &str) -> Term {
    Term::from_field_text(field, &source_key(source))
}

/// The identity of a source record as the index holds it (the `unit`
/// field): where it lies, its own id if it has one, and its content hash.
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

    /// The term that finds every passage of this record.
    pub fn term(&self, field: Field) -> Term {
        Term::from_field_text(field, &self.encode())
    }
}

/// Seconds in a day.
const DAY_SECS: i64 = 86_400;

/// The index value of a publication day: its midnight, UTC. `None` for a
/// day the index cannot hold (it counts nanoseconds in an `i64`: years
/// 1678 to 2261).
pub fn date_value(day: NaiveDate) -> Option<tantivy::DateTime> {
    let secs = midnight(day)?;
    (secs.abs() < MAX_SECS).then(|| tantivy::DateTime::from_timestamp_secs(secs))
}

/// Seconds an index date can be away from 1970 (less a day of margin).
const MAX_SECS: i64 = i64::MAX / 1_000_000_000 - DAY_SECS;

/// The term bounding a date range at the start of `day`, or at its last
/// second with `end_of_day`.
/// Days beyond what the index holds are bounded at its limits.
pub fn date_bound(field: Field, day: NaiveDate, end_of_day: bool) -> Term {
    let secs = midnight(day).unwrap_or(0).clamp(-MAX_SECS, MAX_SECS)
        + if end_of_day { DAY_SECS - 1 } else { 0 };
    Term::from_field_date_for_search(field, tantivy::DateTime::from_timestamp_secs(secs))
}

/// The day an index date falls on (UTC).
pub fn day_of(date: tantivy::DateTime) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp(date.into_timestamp_secs(), 0).map(|d| d.date_naive())
}

fn midnight(day: NaiveDate) -> Option<i64> {
    day.and_hms_opt(0, 0, 0).map(|d| d.and_utc().timestamp())
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

    #[test]
    fn each_kind_of_term_reads_back_as_itself() {
        assert_eq!(kind(&stem_term("refugi")), TermKind::Stem("refugi"));
        assert_eq!(kind(&acronym_term("ei")), TermKind::Acronym("ei"));
        assert_eq!(kind(&initial_pattern("j")), TermKind::Prefix("j"));
        assert_eq!(kind("charaa"), TermKind::Exact("charaa"));
        assert!(is_exact_term("charaa"));
        for t in [
            stem_term("a"),
            acronym_term("a"),
            name_term("K", "a", false),
            initial_pattern("a"),
        ] {
            assert!(!is_exact_term(&t), "{t}");
        }
        assert_eq!(name_term("XR", "charaa", false), "^XR/charaa");
        assert_eq!(name_term("KRM", "crime", true), "^KRM|crime");
        assert!(name_term("XR", "charaa", true).starts_with(&name_prefix("XR", true)));
        assert_eq!(name_spelling("^XR|charaa"), Some("charaa"));
        assert_eq!(name_spelling("charaa"), None);
    }

    #[test]
    fn a_day_is_its_utc_midnight_and_a_range_covers_the_whole_day() {
        let day = NaiveDate::from_ymd_opt(2025, 2, 12).unwrap();
        let value = date_value(day).unwrap();
        assert_eq!(value.into_timestamp_secs(), 1_739_318_400);
        assert_eq!(day_of(value), Some(day));
        // Outside what the index can count, no date rather than a wrong one.
        assert_eq!(date_value(NaiveDate::from_ymd_opt(1, 1, 1).unwrap()), None);
        assert_eq!(
            date_value(NaiveDate::from_ymd_opt(2300, 1, 1).unwrap()),
            None
        );
        let late = tantivy::DateTime::from_timestamp_secs(1_739_318_400 + DAY_SECS - 1);
        assert_eq!(day_of(late), Some(day));
        let f = Field::from_field_id(0);
        assert!(date_bound(f, day, true) > date_bound(f, day, false));
    }

    proptest! {
        #[test]
        fn any_unit_round_trips(file in any::<String>(), line in any::<u64>(),
                                id in proptest::option::of(any::<String>()), hash in any::<u64>()) {
            let u = Unit { file, line, id, hash };
            prop_assert_eq!(Unit::decode(&u.encode()), Some(u));
        }

        #[test]
        fn any_day_reads_back_or_is_refused(days in 1i32..1_000_000) {
            let day = NaiveDate::from_num_days_from_ce_opt(days).unwrap();
            match date_value(day) {
                Some(v) => prop_assert_eq!(day_of(v), Some(day)),
                None => prop_assert!(!(1678..=2261).contains(&chrono::Datelike::year(&day))),
            }
        }
    }
}
