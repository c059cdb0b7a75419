//! Names across spellings: query words grow alternatives found in the index.
//!
//! For each single query word, three kinds of alternative are added, each an
//! ordinary term (so BM25 scores it and the highlighter marks it):
//!
//! - **variants**: the capitalised spellings the corpus actually contains
//!   under the word's spelling keys (`^KEY/spelling` terms, see
//!   [`crate::analysis::tokenizer`]), kept when [`names::closeness`] accepts
//!   them, weighted by that closeness. A query in another script
//!   (`Путин`) is transliterated first.
//! - **aliases**: when a run of query words matches a name of the alias table
//!   (word by word, spelling variants allowed for words of five letters or
//!   more), every other name of its group is added to each of those words, as
//!   a phrase; a one-word name of five letters or more that is not an acronym
//!   also brings its own spelling variants;
//! - **typos**: when a word and its variants match almost nothing, index
//!   words within one edit (5–8 letters) or two (9 and more) are tried.
//!
//! Exact spellings weigh most, then variants, aliases, typos.

use std::collections::HashSet;

use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::Term;

use super::plan::{self, Alt, How, QueryWord};
use super::syntax::{Clause, Occur};
use crate::analysis::tokenizer::{is_exact_term, name_prefix, NAME_SEP};
use crate::analysis::{Analyzer, Word};
use crate::names::{self, AliasTable};

/// Weight of a spelling variant, times its closeness.
pub const VARIANT_WEIGHT: f32 = 1.0;
/// Weight of an alias.
pub const ALIAS_WEIGHT: f32 = 0.8;
/// Weight of a typo correction.
pub const TYPO_WEIGHT: f32 = 0.4;
/// Typos are tried when a word and its variants are in fewer passages.
pub const TYPO_TRIGGER: u64 = 3;
/// At most this many typo corrections per word, the most frequent first.
const MAX_TYPOS: usize = 10;
/// At most this many spelling variants per word, the closest first.
const MAX_VARIANTS: usize = 40;

/// Adds a segment's document count for `term` to the running totals.
fn add_count(found: &mut Vec<(String, u64)>, term: &str, df: u32) {
    match found.iter_mut().find(|(s, _)| s == term) {
        Some(entry) => entry.1 += u64::from(df),
        None => found.push((term.to_string(), u64::from(df))),
    }
}

/// Read access to the index vocabulary.
pub struct Vocabulary<'a> {
    pub searcher: &'a tantivy::Searcher,
    pub field: Field,
}

impl Vocabulary<'_> {
    /// Spellings stored under a name key, with their document frequencies.
    pub fn spellings(&self, key: &str) -> Vec<(String, u64)> {
        let prefix = name_prefix(key);
        let mut end = prefix.clone().into_bytes();
        if let Some(last) = end.last_mut() {
            *last += 1; // NAME_SEP + 1: just past every term of this key
        }
        let mut found: Vec<(String, u64)> = Vec::new();
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.field) else {
                continue;
            };
            let Ok(mut stream) = inverted
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&end)
                .into_stream()
            else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let Some((_, spelling)) = term.split_once(NAME_SEP) else {
                    continue;
                };
                add_count(&mut found, spelling, stream.value().doc_freq);
            }
        }
        found
    }

    /// Number of passages holding `term` (deleted ones may still count).
    pub fn doc_freq(&self, term: &str) -> u64 {
        let term = Term::from_field_text(self.field, term);
        self.searcher.doc_freq(&term).unwrap_or(0)
    }

    /// Exact words of the index within `distance` edits of `word`.
    pub fn near(&self, word: &str, distance: u8) -> Vec<(String, u64)> {
        let query = FuzzyTermQuery::new(Term::from_field_text(self.field, word), distance, true);
        let mut found: Vec<(String, u64)> = Vec::new();
        for segment in self.searcher.segment_readers() {
            let (Ok(inverted), Ok(dfa)) = (segment.inverted_index(self.field), query.automaton())
            else {
                continue;
            };
            let Ok(mut stream) = inverted.terms().search(dfa).into_stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if !is_exact_term(term) {
                    continue;
                }
                add_count(&mut found, term, stream.value().doc_freq);
            }
        }
        found
    }
}

/// One name of an alias group, analysed like a query.
#[derive(Debug, Clone)]
struct AliasName {
    text: String,
    /// One entry per name word (a hyphenated word is one entry).
    words: Vec<Vec<Word>>,
}

impl AliasName {
    fn flat(&self) -> Vec<Word> {
        self.words.iter().flatten().cloned().collect()
    }
}

/// The alias table, analysed once.
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    groups: Vec<Vec<AliasName>>,
}

impl Aliases {
    pub fn new(table: &AliasTable, analyzer: &Analyzer) -> Aliases {
        let groups = table
            .groups
            .iter()
            .map(|g| {
                g.names
                    .iter()
                    .filter_map(|name| {
                        let clause = Clause {
                            occur: Occur::Should,
                            text: name.clone(),
                            phrase: false,
                        };
                        let words: Vec<Vec<Word>> = plan::plan(&[clause], analyzer)
                            .into_iter()
                            .map(|w| w.words)
                            .collect();
                        (!words.is_empty()).then(|| AliasName {
                            text: name.clone(),
                            words,
                        })
                    })
                    .collect()
            })
            .collect();
        Aliases { groups }
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }
}

/// Shortest word (in letters) that may match an alias name by a spelling
/// variant rather than exactly. Shorter words are mostly acronyms, whose
/// "variants" are other acronyms or French words (`PKK` and `PCC`, `MEK`
/// and `mec`): they would join groups that name different entities.
const MIN_ALIAS_VARIANT_CHARS: usize = 5;

/// True when query word `q` can stand for the name word `n`.
fn same_word(q: &[Word], n: &[Word]) -> bool {
    if q.len() != n.len() {
        return false;
    }
    q.iter().zip(n).all(|(a, b)| {
        a.exact == b.exact
            || (a.exact.chars().count() >= MIN_ALIAS_VARIANT_CHARS
                && b.exact.chars().count() >= MIN_ALIAS_VARIANT_CHARS
                && names::closeness(&a.exact, &b.exact).is_some())
    })
}

/// True when an alias name is an acronym as written in the table ("MEK",
/// "CGRI"): it has letters and none of them is lower case.
fn is_acronym(text: &str) -> bool {
    text.chars().any(char::is_alphabetic) && !text.chars().any(char::is_lowercase)
}

fn push_alt(word: &mut QueryWord, alt: Alt) {
    let dup = word
        .alts
        .iter()
        .any(|a| a.terms == alt.terms && (a.how <= alt.how || a.how == How::Stem));
    if !dup {
        word.alts.push(alt);
    }
}

/// True when `word` is written like a proper name: typed with a capital, or
/// capitalised in most passages of the index that contain it.
pub fn is_name(word: &Word, vocab: &Vocabulary) -> bool {
    if word.is_number() {
        return false;
    }
    if word.capitalized {
        return true;
    }
    let Some(key) = names::spelling_key(&word.exact) else {
        return false;
    };
    let all = vocab.doc_freq(&word.exact);
    let named = vocab.doc_freq(&format!("{}{}", name_prefix(&key), word.exact));
    all > 0 && named * 2 > all
}

/// Proper names are matched unstemmed: the French stemmer turns Golani into
/// Golan and Damas into dam. Drops the stem alternative of name words.
pub fn unstem_names(words: &mut [QueryWord], vocab: &Vocabulary) {
    for w in words.iter_mut() {
        if w.is_single() && is_name(&w.words[0], vocab) {
            w.alts.retain(|a| a.how != How::Stem);
            // The exact spelling keeps the weight it had with its stem.
            for a in w.alts.iter_mut().filter(|a| a.how == How::Exact) {
                a.weight = plan::EXACT_WEIGHT + plan::STEM_WEIGHT;
            }
        }
    }
}

/// Adds variant, alias and typo alternatives to `words`.
pub fn expand(words: &mut [QueryWord], vocab: &Vocabulary, aliases: &Aliases, analyzer: &Analyzer) {
    for w in words.iter_mut() {
        transliterated(w, analyzer);
        variants(w, vocab, VARIANT_WEIGHT, How::Variant, None);
    }
    alias_alternatives(words, vocab, aliases);
    for w in words.iter_mut() {
        typos(w, vocab);
    }
}

/// The Latin spelling of a query word written in another script.
fn latin(word: &QueryWord) -> Option<String> {
    if !word.is_single() {
        return None;
    }
    names::transliterate(&word.words[0].exact)
}

fn transliterated(word: &mut QueryWord, analyzer: &Analyzer) {
    let Some(latin) = latin(word) else { return };
    let lw = analyzer.words(&latin);
    if lw.len() == 1 {
        for mut alt in plan::literal_alts(&lw, &lw[0].exact) {
            alt.how = How::Variant;
            alt.weight *= 0.9;
            push_alt(word, alt);
        }
    }
}

/// Adds the corpus spellings of `word` close enough to it.
fn variants(word: &mut QueryWord, vocab: &Vocabulary, weight: f32, how: How, label: Option<&str>) {
    if !word.is_single() || word.words[0].is_number() {
        return;
    }
    let base = word.words[0].exact.clone();
    let mut found: Vec<(String, f32)> = Vec::new();
    for key in names::spelling_keys(&base) {
        for (spelling, _) in vocab.spellings(&key) {
            if spelling == base || found.iter().any(|(s, _)| *s == spelling) {
                continue;
            }
            if let Some(c) = names::closeness(&base, &spelling) {
                found.push((spelling, c));
            }
        }
    }
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(MAX_VARIANTS);
    for (spelling, c) in found {
        let label = label.map_or_else(|| spelling.clone(), str::to_string);
        push_alt(word, Alt::single(spelling, weight * c, how, label));
    }
}

fn alias_alternatives(words: &mut [QueryWord], vocab: &Vocabulary, aliases: &Aliases) {
    let mut additions: Vec<(usize, Alt)> = Vec::new();
    for group in &aliases.groups {
        for name in group {
            let n = name.words.len();
            if n == 0 || n > words.len() {
                continue;
            }
            for start in 0..=(words.len() - n) {
                let span = &words[start..start + n];
                let matches = span
                    .iter()
                    .zip(&name.words)
                    .all(|(q, nw)| q.occur == span[0].occur && same_word(&q.words, nw));
                if !matches {
                    continue;
                }
                for other in group {
                    let flat = other.flat();
                    let Some(first) = flat.first() else { continue };
                    // A phrase scores the sum of its words: scale it back to
                    // the weight of one word.
                    let weight = ALIAS_WEIGHT / flat.len() as f32;
                    let terms: Vec<(usize, String)> = flat
                        .iter()
                        .map(|w| ((w.position - first.position) as usize, w.exact.clone()))
                        .collect();
                    for i in start..start + n {
                        additions.push((
                            i,
                            Alt {
                                terms: terms.clone(),
                                weight,
                                how: How::Alias,
                                label: other.text.clone(),
                            },
                        ));
                        let word_chars = flat[0].exact.chars().count();
                        if flat.len() == 1
                            && word_chars >= MIN_ALIAS_VARIANT_CHARS
                            && !is_acronym(&other.text)
                        {
                            // A one-word alias brings its own spellings; an
                            // acronym or a short word does not (its spellings
                            // are other acronyms and common words).
                            let mut probe = QueryWord {
                                text: other.text.clone(),
                                occur: Occur::Should,
                                words: flat.clone(),
                                alts: Vec::new(),
                            };
                            variants(
                                &mut probe,
                                vocab,
                                ALIAS_WEIGHT,
                                How::Alias,
                                Some(&other.text),
                            );
                            additions.extend(probe.alts.into_iter().map(|a| (i, a)));
                        }
                    }
                }
            }
        }
    }
    for (i, alt) in additions {
        // The query word's own spelling is already there as exact.
        if let Some(w) = words.get_mut(i) {
            let own: Vec<&str> = w.words.iter().map(|x| x.exact.as_str()).collect();
            let theirs: Vec<&str> = alt.terms.iter().map(|(_, t)| t.as_str()).collect();
            if own != theirs {
                push_alt(w, alt);
            }
        }
    }
}

fn typos(word: &mut QueryWord, vocab: &Vocabulary) {
    if !word.is_single() || word.words[0].is_number() {
        return;
    }
    if word.alts.iter().any(|a| a.how == How::Alias) {
        return;
    }
    let base = word.words[0].exact.clone();
    let letters = base.chars().count();
    let distance = match letters {
        0..=4 => return,
        5..=8 => 1,
        _ => 2,
    };
    let known: u64 = word
        .alts
        .iter()
        .filter(|a| a.terms.len() == 1 && matches!(a.how, How::Exact | How::Variant))
        .map(|a| vocab.doc_freq(&a.terms[0].1))
        .sum();
    if known >= TYPO_TRIGGER {
        return;
    }
    let taken: HashSet<String> = word
        .alts
        .iter()
        .filter(|a| a.terms.len() == 1)
        .map(|a| a.terms[0].1.clone())
        .collect();
    // A name's misspelling is a name: Syrie is not a typo of série.
    let name = is_name(&word.words[0], vocab);
    let is_name_in_index = |t: &str| {
        names::spelling_key(t)
            .is_some_and(|k| vocab.doc_freq(&format!("{}{t}", name_prefix(&k))) > 0)
    };
    let mut near: Vec<(String, u64)> = vocab
        .near(&base, distance)
        .into_iter()
        // A word that only adds or drops an ending is another word
        // (Golan/Golani, Liban/Libanais), not a typo.
        .filter(|(t, _)| {
            !taken.contains(t) && !t.starts_with(&base) && !base.starts_with(t.as_str())
        })
        .filter(|(t, _)| !name || is_name_in_index(t))
        .collect();
    near.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    near.truncate(MAX_TYPOS);
    for (term, _) in near {
        push_alt(
            word,
            Alt::single(term.clone(), TYPO_WEIGHT, How::Typo, term),
        );
    }
}
