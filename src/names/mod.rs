//! Name matching across transliterations.
//!
//! French geopolitical news spells the same person, place or organisation in
//! many ways depending on the source language and the newsroom's conventions:
//! "al-Charaa" (AFP) and "al-Sharaa" (English press), "Kadhafi" and
//! "Gaddafi", "Zelensky" and "Selenskyj". This module lets the search engine
//! treat those spellings as one name without confusing them with ordinary
//! French words ("charia", "chaire", "putain", "routine").
//!
//! * [`key`] computes the *spelling key* (an exact-match bucket shared by the
//!   variants of a name) and the *closeness* score that filters and ranks the
//!   candidates found in a bucket. It also knows the Arabic article forms
//!   ("al-", "ach-", "el-") that stand before names.
//! * [`script`] turns words written in Cyrillic, Arabic, Greek, Hebrew and
//!   other non-Latin scripts into lowercase Latin letters, so that "Путин"
//!   finds "Poutine".
//! * [`aliases`] parses the alias table (`index-schema/aliases.txt`), which
//!   links names that no spelling rule can relate ("Daech" and "État
//!   islamique", "Otan" and "NATO").
//!
//! How the engine uses it: at index time it stores, for each capitalised word
//! of the corpus, the pair (`spelling_key(word)`, word). At query time it looks
//! up every key returned by [`spelling_keys`] for the query word, keeps the
//! corpus words for which [`closeness`] is `Some`, and weights their matches by
//! that score.

pub mod aliases;
pub mod key;
pub mod script;

pub use aliases::{parse_aliases, AliasError, AliasGroup, AliasTable};
pub use key::{
    article_forms, closeness, filiation_forms, is_article, is_standalone_article, spelling_key,
    spelling_keys, strip_article,
};
pub use script::{
    consonant_skeleton, has_non_latin_letters, is_abjad, transliterate, transliterations,
};

/// Version of the spelling-key scheme. Name keys are stored in the index, so
/// this is part of the index fingerprint: change it with the key rules.
pub const KEY_VERSION: &str = "names-key-1";

/// The alias table shipped with recoupe (`index-schema/aliases.txt`).
pub const SHIPPED_ALIASES: &str = include_str!("../../index-schema/aliases.txt");

/// The shipped alias table, parsed. A test checks that it is clean (no bad
/// line, no name written twice), so it is read without the checks.
pub fn shipped_aliases() -> AliasTable {
    aliases::parse_clean(SHIPPED_ALIASES)
}
