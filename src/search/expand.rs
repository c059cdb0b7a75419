//! Names across spellings: query words grow alternatives found in the index.
//!
//! For each query word these kinds of alternative are added, each an
//! ordinary term or phrase (so BM25 scores it and the highlighter marks it):
//!
//! - **variants**: the capitalised spellings the corpus contains under the
//!   word's spelling keys (`^KEY/spelling` and `^KEY|spelling` terms, see
//!   [`crate::analysis::tokenizer`]), kept when [`names::closeness`] accepts
//!   them and the corpus writes them as names
//!   ([`Vocabulary::written_as_name`]), weighted by that closeness. Acronyms
//!   typed in capitals get none. A query in another script (`Путин`) is
//!   matched through its Latin readings, its candidates ranked by how often
//!   the corpus uses them.
//! - **aliases**: when a run of query words (or a quoted phrase, whole)
//!   names a name of the alias table (word by word, spelling variants
//!   allowed for words of five letters or more, an Arabic article required
//!   where the table writes one), every other name of its group is added, as
//!   written: a phrase, acronyms only in capitals, a name with an article in
//!   any of the article's forms; never its own spelling variants.
//! - **typos**: when a word and its variants match almost nothing, index
//!   words within one edit (5–8 letters) or two (9 and more) are tried.
//! - **quoted names** get the best combinations of their words' spellings;
//!   **initials** before a name get a phrase of prefixes and the name.
//!
//! Exact spellings weigh most, then variants, aliases, typos; all the
//! single-term spellings of one name score with the name's rarity
//! (`share_rarity`).

use std::collections::HashSet;
use std::sync::Arc;

use tantivy::postings::Postings;
use tantivy::query::FuzzyTermQuery;
use tantivy::schema::Field;
use tantivy::DocSet;
use tantivy::Term;

use super::alias_keys::{self, lookup_keys, AliasKeys};
use super::plan::{self, Alt, How, QueryWord};
use super::rank::RankParams;
use super::syntax::{Clause, Occur};
use crate::analysis::{Analyzer, Word};
use crate::index::Index;
use crate::names::{self, AliasTable};
use crate::terms::{self, acronym_term, is_exact_term, name_prefix, name_term, NAME_MARK};

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

/// A capitalised spelling of the index and how the corpus capitalises it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Spelling {
    pub text: String,
    /// Passages where it is capitalised where no capital is required.
    pub named: u64,
    /// Passages where it is capitalised at the start of a sentence or text.
    pub initial: u64,
}

/// Vocabulary answers a searcher remembers, per kind, before forgetting
/// them all at once: a watchlist of 1,000 names asks about 3,000 name
/// keys; a long-lived server's memory stays bounded (a key's spellings
/// are a few kilobytes at most).
const REMEMBERED: usize = 10_000;

/// What the vocabulary answered, remembered for the next queries of the
/// same searcher (whose index does not change under it): a query asks
/// about the same words several times, and the queries of a watchlist or
/// of a desk's day share many.
#[derive(Debug, Default)]
pub struct Remembered {
    /// [`Vocabulary::spellings`], by name key.
    spellings: Memo<Arc<Vec<Spelling>>>,
    /// How the corpus writes each spelling ([`Vocabulary::written_as_name`]).
    names: Memo<NameUse>,
    /// [`Vocabulary::close_spellings`], by word.
    close: Memo<Arc<Vec<(String, f32)>>>,
}

/// How the corpus writes a spelling, counted in occurrences.
#[derive(Clone, Copy, Debug, Default)]
struct NameUse {
    /// See [`Vocabulary::written_as_name`].
    name: bool,
    /// In lowercase at most once for every ten capitalised uses. A demonym
    /// is written as a name (`les Français`) and as a common word too
    /// (`le gouvernement français`).
    rarely_lowercase: bool,
}

/// One of [`Remembered`]'s maps, shared by the searcher's threads.
type Memo<V> = std::sync::Mutex<std::collections::HashMap<String, V>>;

/// `map`'s answer for `key`, or `answer()` remembered there.
fn remembered<V: Clone>(map: &Memo<V>, key: &str, answer: impl FnOnce() -> V) -> V {
    // The maps hold finished answers only: a panic cannot leave one
    // half-written.
    let lock = || map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(v) = lock().get(key) {
        return v.clone();
    }
    let v = answer();
    let mut m = lock();
    if m.len() >= REMEMBERED {
        m.clear();
    }
    m.insert(key.to_string(), v.clone());
    v
}

/// Read access to the index vocabulary.
pub struct Vocabulary<'a> {
    searcher: &'a tantivy::Searcher,
    /// Exact words and acronyms.
    field: Field,
    /// Name keys.
    names_field: Field,
    remembered: &'a Remembered,
}

impl<'a> Vocabulary<'a> {
    /// The vocabulary of `searcher`; `remembered` must be kept with that
    /// searcher only.
    pub fn new(
        searcher: &'a tantivy::Searcher,
        fields: &crate::schema::Fields,
        remembered: &'a Remembered,
    ) -> Vocabulary<'a> {
        Vocabulary {
            searcher,
            field: fields.body,
            names_field: fields.names,
            remembered,
        }
    }
}

impl Vocabulary<'_> {
    /// Capitalised spellings stored under a name key, with the passages
    /// that write them as a name and those that capitalise them at the
    /// start of a sentence.
    pub fn spellings(&self, key: &str) -> Arc<Vec<Spelling>> {
        remembered(&self.remembered.spellings, key, || {
            Arc::new(self.read_spellings(key))
        })
    }

    fn read_spellings(&self, key: &str) -> Vec<Spelling> {
        let mut found: Vec<Spelling> = Vec::new();
        for initial in [false, true] {
            let prefix = name_prefix(key, initial);
            let end = terms::prefix_end(&prefix);
            for segment in self.searcher.segment_readers() {
                let Ok(inverted) = segment.inverted_index(self.names_field) else {
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
                    let Some(spelling) = std::str::from_utf8(stream.key())
                        .ok()
                        .and_then(|t| t.strip_prefix(prefix.as_str()))
                    else {
                        continue;
                    };
                    let df = u64::from(stream.value().doc_freq);
                    let entry = match found.iter_mut().position(|s| s.text == spelling) {
                        Some(i) => &mut found[i],
                        None => {
                            found.push(Spelling {
                                text: spelling.to_string(),
                                ..Spelling::default()
                            });
                            found.last_mut().expect("just pushed")
                        }
                    };
                    if initial {
                        entry.initial += df;
                    } else {
                        entry.named += df;
                    }
                }
            }
        }
        found
    }

    /// Number of passages holding `term` (deleted ones may still count).
    pub fn doc_freq(&self, term: &str) -> u64 {
        let term = Term::from_field_text(self.field_of(term), term);
        self.searcher.doc_freq(&term).unwrap_or(0)
    }

    /// The field that holds `term`: name keys apart, every other term the
    /// vocabulary reads in `body`.
    fn field_of(&self, term: &str) -> Field {
        if term.starts_with(NAME_MARK) {
            self.names_field
        } else {
            self.field
        }
    }

    /// True when the corpus writes `spelling` as a name: where a capital is
    /// not required (not at the start of a sentence or title), it is
    /// capitalised more often than not; or it is never written in lowercase
    /// at all (a name met only at the start of sentences); and it is not
    /// mostly an acronym. Counted in occurrences, not passages, since a
    /// title "Crime à Marseille" and "un crime" in its text share a passage.
    /// So `Poutine` and `Julani` are names; `crime`, `potins`, `certes`
    /// (capitalised only at the start of sentences and titles) are not, nor
    /// `USD`.
    pub fn written_as_name(&self, s: &Spelling) -> bool {
        self.name_use(s).name
    }

    fn name_use(&self, s: &Spelling) -> NameUse {
        if s.named == 0 && s.initial == 0 {
            return NameUse::default();
        }
        remembered(&self.remembered.names, &s.text, || self.count_name_use(s))
    }

    /// The corpus spellings of `base` (an exact word) close enough to it,
    /// each with its closeness, closest first, at most [`MAX_VARIANTS`]: a
    /// spelling counts only when the corpus writes it as a name
    /// ([`Vocabulary::written_as_name`]). Remembered by word: the queries of
    /// a watchlist share many first names.
    pub fn close_spellings(&self, base: &str) -> Arc<Vec<(String, f32)>> {
        remembered(&self.remembered.close, base, || {
            let mut found: Vec<(String, f32)> = Vec::new();
            // A name the corpus never writes in lowercase has no spelling
            // that it often does: `François` is not `français`. A word the
            // corpus does not hold as a name (`Uyghurs`) keeps them all
            // (`les Ouïghours`, `la minorité ouïghoure`).
            let typed = self.name_use(&self.spelling(base));
            let proper = typed.name && typed.rarely_lowercase;
            for key in names::spelling_keys(base) {
                for spelling in self.spellings(&key).iter() {
                    if spelling.text == base || found.iter().any(|(s, _)| *s == spelling.text) {
                        continue;
                    }
                    let Some(c) = names::closeness(base, &spelling.text) else {
                        continue;
                    };
                    let usage = self.name_use(spelling);
                    if usage.name && (!proper || usage.rarely_lowercase) {
                        found.push((spelling.text.clone(), c));
                    }
                }
            }
            found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            found.truncate(MAX_VARIANTS);
            Arc::new(found)
        })
    }

    fn count_name_use(&self, s: &Spelling) -> NameUse {
        let Some(key) = names::spelling_key(&s.text) else {
            return NameUse::default();
        };
        let named = self.occurrences(&name_term(&key, &s.text, false), u64::MAX);
        let initial = self.occurrences(&name_term(&key, &s.text, true), u64::MAX);
        let capitalised = named + initial;
        // Enough to tell: stop counting once lowercase outnumbers `named`
        // and a tenth of the capitalised uses.
        let all = self.occurrences(&s.text, capitalised + named.max(capitalised / 10) + 1);
        let lowercase = all.saturating_sub(capitalised);
        let name_like = if named > 0 {
            named > lowercase
        } else {
            lowercase == 0
        };
        NameUse {
            name: name_like && self.doc_freq(&acronym_term(&s.text)) * 2 <= self.doc_freq(&s.text),
            rarely_lowercase: lowercase * 10 <= capitalised,
        }
    }

    /// Occurrences of `term` in the index, counted up to `enough`.
    fn occurrences(&self, term: &str, enough: u64) -> u64 {
        let field = self.field_of(term);
        let term = Term::from_field_text(field, term);
        let mut total = 0u64;
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(field) else {
                continue;
            };
            let Ok(Some(mut postings)) =
                inverted.read_postings(&term, tantivy::schema::IndexRecordOption::WithFreqs)
            else {
                continue;
            };
            while postings.doc() != tantivy::TERMINATED {
                total += u64::from(postings.term_freq());
                if total >= enough {
                    return total;
                }
                postings.advance();
            }
        }
        total
    }

    /// How the corpus capitalises `word` (see [`Vocabulary::spellings`]).
    fn spelling(&self, word: &str) -> Spelling {
        let Some(key) = names::spelling_key(word) else {
            return Spelling::default();
        };
        Spelling {
            text: word.to_string(),
            named: self.doc_freq(&name_term(&key, word, false)),
            initial: self.doc_freq(&name_term(&key, word, true)),
        }
    }

    /// Inverse document frequency, as BM25 computes it.
    fn idf(&self, df: u64) -> f32 {
        let n = self.searcher.num_docs() as f32;
        let df = (df as f32).min(n);
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Exact words of the index within `distance` edits of `word`. Walking
    /// the edit automaton over the whole vocabulary cost a long question
    /// a fifth of its time, most of it on the words' first letters, where
    /// any letter is within two edits. So it walks only the part of the
    /// vocabulary that starts with `word`'s first letter, and finds the
    /// words whose only edit is on the first letter (`Wladimir` for
    /// `Vladimir`: replaced, dropped, or one put before it) with a second,
    /// narrow automaton. A word with an edit on its first letter and
    /// another one further on is not found.
    pub fn near(&self, word: &str, distance: u8) -> Vec<(String, u64)> {
        let Some(first) = word.chars().next() else {
            return Vec::new();
        };
        let (first, rest) = word.split_at(first.len_utf8());
        let end = terms::prefix_end(first);
        let query = FuzzyTermQuery::new(Term::from_field_text(self.field, word), distance, true);
        let (rest, whole) = (terms::literal_pattern(rest), terms::literal_pattern(word));
        let first_letter = tantivy_fst::Regex::new(&format!(".{rest}|{rest}|.{whole}")).ok();
        let mut found: Vec<(String, u64)> = Vec::new();
        let mut add = |key: &[u8], df: u32, other_first: bool| {
            let Ok(term) = std::str::from_utf8(key) else {
                return;
            };
            // The first walk has every word starting with `first`.
            if is_exact_term(term) && !(other_first && term.starts_with(first)) {
                add_count(&mut found, term, df);
            }
        };
        for segment in self.searcher.segment_readers() {
            let Ok(inverted) = segment.inverted_index(self.field) else {
                continue;
            };
            if let Ok(dfa) = query.automaton() {
                let stream = inverted
                    .terms()
                    .search(dfa)
                    .ge(first.as_bytes())
                    .lt(&end)
                    .into_stream();
                if let Ok(mut stream) = stream {
                    while stream.advance() {
                        add(stream.key(), stream.value().doc_freq, false);
                    }
                }
            }
            if let Some(regex) = &first_letter {
                if let Ok(mut stream) = inverted.terms().search(regex).into_stream() {
                    while stream.advance() {
                        add(stream.key(), stream.value().doc_freq, true);
                    }
                }
            }
        }
        found
    }
}

/// One name of an alias group, analysed like a query.
#[derive(Debug, Clone)]
struct AliasName {
    text: String,
    /// One entry per name word (a hyphenated word is one entry), without
    /// its Arabic article: what query words are compared with.
    words: Vec<Vec<Word>>,
    /// Per entry: the name writes an Arabic article there (`al-Golani`),
    /// which a query word must have too (bare `Golani` is another name).
    articles: Vec<bool>,
    /// Every word as written, article included: what passages must hold.
    written: Vec<Word>,
    /// The lookup keys of its first word ([`alias_keys::lookup_keys`]).
    first_keys: Vec<String>,
}

impl AliasName {
    /// The name's terms at their relative positions; a word the table
    /// writes in capitals matches only where the text does (`EI`, not `ei`).
    fn terms(&self) -> Vec<(usize, String)> {
        let Some(first) = self.written.first() else {
            return Vec::new();
        };
        self.written
            .iter()
            .map(|w| {
                let term = if w.acronym {
                    acronym_term(&w.exact)
                } else {
                    w.exact.clone()
                };
                ((w.position - first.position) as usize, term)
            })
            .collect()
    }
}

/// The alias table, each group analysed when a query first meets it: the
/// shipped table has thousands of names, and analysing them all would cost
/// a short search several times its own time.
#[derive(Debug, Default)]
pub struct Aliases {
    /// The names of each group, as written.
    table: Vec<Vec<String>>,
    /// Each group analysed (on first use), with, for each name of `table`,
    /// its place among the analysed names (a name with no word has none).
    groups: Vec<std::sync::OnceLock<AnalysedGroup>>,
    analyzer: Arc<Analyzer>,
    /// (group, name) by every word of the name, under its lookup keys
    /// ([`alias_keys::lookup_keys`]). The first word of an analysed name is
    /// one of them, so a query word meets every name it may stand for
    /// ([`names::closeness`] accepts only words that share a key), and a few
    /// it does not, which [`names_it`] turns away.
    keys: AliasKeys,
}

/// The names of a group that have words, and for each name of the table,
/// its place among them.
type AnalysedGroup = (Vec<AliasName>, Vec<Option<usize>>);

fn alias_name(name: &str, analyzer: &Analyzer) -> Option<AliasName> {
    let clause = Clause {
        occur: Occur::Should,
        text: name.to_string(),
        phrase: false,
    };
    // Only the words matter here, not their weights.
    let planned = plan::plan(&[clause], analyzer, &RankParams::default());
    let articles = planned.iter().map(|w| w.article).collect();
    let words: Vec<Vec<Word>> = planned.into_iter().map(|w| w.words).collect();
    let first_keys = words
        .first()
        .and_then(|w| w.first())
        .map(|first| lookup_keys(&first.exact))
        .unwrap_or_default();
    (!words.is_empty()).then(|| AliasName {
        text: name.to_string(),
        first_keys,
        words,
        articles,
        written: analyzer.words(name),
    })
}

impl Aliases {
    /// The table's names, keyed as `analyzer` reads them: the keys saved
    /// beside `index` when they were made from this table by this binary,
    /// else computed (and saved for the next start).
    pub fn new(table: &AliasTable, analyzer: Arc<Analyzer>, index: &Index) -> Aliases {
        let table: Vec<Vec<String>> = table.groups.iter().map(|g| g.names.clone()).collect();
        let stamp = alias_keys::stamp(&table);
        let saved =
            stamp.and_then(|stamp| AliasKeys::read(index.read_cache(alias_keys::FILE)?, stamp));
        let keys = saved.unwrap_or_else(|| {
            let keys = AliasKeys::build(&table, &analyzer, stamp.unwrap_or(0));
            if stamp.is_some() {
                index.write_cache(alias_keys::FILE, keys.bytes());
            }
            keys
        });
        Aliases {
            groups: table.iter().map(|_| Default::default()).collect(),
            table,
            analyzer,
            keys,
        }
    }

    /// Group `g`, analysed.
    fn group(&self, g: usize) -> &AnalysedGroup {
        self.groups[g].get_or_init(|| {
            let mut names = Vec::new();
            let mut place = Vec::new();
            for name in &self.table[g] {
                match alias_name(name, &self.analyzer) {
                    Some(a) => {
                        place.push(Some(names.len()));
                        names.push(a);
                    }
                    None => place.push(None),
                }
            }
            (names, place)
        })
    }

    /// The names whose first word `word` may stand for, each with its
    /// group, analysed.
    fn candidates(&self, word: &Word) -> Vec<(&[AliasName], &AliasName)> {
        let keys = lookup_keys(&word.exact);
        let mut found: Vec<(usize, usize)> =
            keys.iter().flat_map(|k| self.keys.names_of(k)).collect();
        found.sort_unstable();
        found.dedup();
        let same_key = |name: &AliasName| name.first_keys.iter().any(|k| keys.contains(k));
        found
            .into_iter()
            .filter_map(|(g, n)| {
                let (names, place) = self.group(g);
                let name = &names[(*place.get(n)?)?];
                same_key(name).then_some((names.as_slice(), name))
            })
            .collect()
    }

    /// Number of groups.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
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
    vocab.written_as_name(&vocab.spelling(&word.exact))
}

/// Proper names are matched unstemmed: the French stemmer turns Golani into
/// Golan and Damas into dam. Drops the stem alternative of name words.
pub fn unstem_names(words: &mut [QueryWord], vocab: &Vocabulary, p: &RankParams) {
    for w in words.iter_mut() {
        if w.is_single() && is_name(&w.words[0], vocab) {
            w.alts.retain(|a| a.how != How::Stem);
            // The exact spelling keeps the weight it had with its stem.
            for a in w.alts.iter_mut().filter(|a| a.how == How::Exact) {
                a.weight = p.name_exact;
            }
        }
    }
}

/// The letters of `word` when it is typed as initials before a name:
/// single letters (`N.`, `J.-C.`) or two or three capitals (`JC`).
fn initials_of(word: &QueryWord) -> Option<Vec<String>> {
    let singles = word
        .words
        .iter()
        .all(|w| w.exact.chars().count() == 1 && w.exact.chars().all(char::is_alphabetic));
    if singles && !word.words.is_empty() {
        return Some(word.words.iter().map(|w| w.exact.clone()).collect());
    }
    let w = word.words.first().filter(|_| word.is_single())?;
    let letters = w.exact.chars().count();
    (w.acronym && (2..=3).contains(&letters) && w.exact.chars().all(|c| c.is_ascii_alphabetic()))
        .then(|| w.exact.chars().map(String::from).collect())
}

/// Initials typed before a name match the full first names next to it:
/// `J.-C. Juncker` and `JC Juncker` find Jean-Claude Juncker, `N.
/// Nazarbaïev` finds Noursoultan Nazarbaïev. The initials' query word gets
/// a phrase of prefixes followed by the name (as typed or in a spelling
/// variant), so it matches only next to the name.
fn initials(words: &mut [QueryWord], p: &RankParams) {
    let mut i = 0;
    while i < words.len() {
        // A run of initials (`J.-C.` is read as `J`, `C`), then a name.
        let mut letters: Vec<String> = Vec::new();
        let mut end = i;
        while end < words.len() && words[end].occur == words[i].occur {
            match initials_of(&words[end]) {
                Some(l) => letters.extend(l),
                None => break,
            }
            end += 1;
        }
        let name = words.get(end).filter(|n| {
            end > i && n.occur == words[i].occur && n.is_single() && n.words[0].capitalized
        });
        let Some(name) = name else {
            i = end.max(i + 1);
            continue;
        };
        let alts: Vec<Alt> = name
            .alts
            .iter()
            .filter(|a| a.terms.len() == 1 && matches!(a.how, How::Exact | How::Variant))
            .take(8)
            .map(|spelling| {
                let mut terms: Vec<(usize, String)> = letters
                    .iter()
                    .enumerate()
                    .map(|(k, l)| (k, terms::initial_pattern(l)))
                    .collect();
                terms.push((letters.len(), spelling.terms[0].1.clone()));
                let typed: Vec<&str> = words[i..end].iter().map(|w| w.text.as_str()).collect();
                Alt {
                    terms,
                    weight: p.name_exact,
                    how: How::Variant,
                    label: format!("{} {}", typed.join(" "), spelling.label),
                    parts: Vec::new(),
                }
            })
            .collect();
        for w in &mut words[i..end] {
            // A lone letter (`N.`) means nothing on its own: it matches
            // only as the initial of the name that follows.
            if !alts.is_empty() && w.words.iter().all(|x| x.exact.chars().count() == 1) {
                w.alts.clear();
            }
            for alt in &alts {
                push_alt(w, alt.clone());
            }
        }
        i = end + 1;
    }
}

/// Adds variant, alias and typo alternatives to `words`.
pub fn expand(
    words: &mut [QueryWord],
    vocab: &Vocabulary,
    aliases: &Aliases,
    analyzer: &Analyzer,
    p: &RankParams,
) {
    for w in words.iter_mut() {
        transliterated(w, vocab, analyzer, p);
        // Spelling variants are for names: a common word typed in lowercase
        // (`médecins`) has none.
        if w.is_single()
            && (w.words[0].capitalized
                || names::has_non_latin_letters(&w.words[0].exact)
                || is_name(&w.words[0], vocab))
        {
            variants(w, vocab, p.variant, How::Variant, None);
        }
        by_frequency(w, vocab, p);
        phrase_spellings(w, vocab, analyzer, p);
    }
    // A name typed in another script that the alias table knows is searched
    // through the table's names, not through string distance (الموصل is
    // Mossoul, though its letters also fit Moselle): its variants are set
    // aside, and given back only if no alias applies.
    let held: Vec<Vec<Alt>> = words
        .iter_mut()
        .map(|w| {
            let other_script =
                w.is_single() && !names::transliterations(&w.words[0].exact).is_empty();
            if !other_script {
                return Vec::new();
            }
            let (variants, rest): (Vec<Alt>, Vec<Alt>) = std::mem::take(&mut w.alts)
                .into_iter()
                .partition(|a| a.how == How::Variant);
            w.alts = rest;
            variants
        })
        .collect();
    alias_alternatives(words, aliases, p);
    for (w, variants) in words.iter_mut().zip(held) {
        if !w.alts.iter().any(|a| a.how == How::Alias) {
            w.alts.extend(variants);
        }
    }
    for w in words.iter_mut() {
        typos(w, vocab, p);
        share_rarity(w, vocab);
    }
    initials(words, p);
}

/// At most this many spellings of a quoted phrase are searched.
const MAX_PHRASE_SPELLINGS: usize = 24;
/// At most this many spellings of each word of a quoted phrase are tried.
const MAX_SPELLINGS_PER_PHRASE_WORD: usize = 8;

/// A quoted name keeps its spellings: each word of a phrase gets the
/// alternatives it would get alone (variants, typos under the usual rules,
/// other scripts), and the phrase is
/// searched under the best combinations of them (`"Bashar al-Assad"` finds
/// "Bachar al-Assad"). A phrase none of whose words has another spelling is
/// left as it is (its exact and stem forms).
fn phrase_spellings(word: &mut QueryWord, vocab: &Vocabulary, analyzer: &Analyzer, p: &RankParams) {
    if word.words.len() < 2 {
        return;
    }
    let Some(first) = word.words.first().map(|w| w.position) else {
        return;
    };
    // Per position, its spellings as one-term alternatives weighted
    // relative to the word as typed (1).
    let mut options: Vec<(usize, Vec<Alt>)> = Vec::new();
    let mut any_other = false;
    for (i, w) in word.words.iter().enumerate() {
        let offset = (w.position - first) as usize;
        let next = word
            .words
            .get(i + 1)
            .filter(|n| n.hyphenated && n.compound == w.compound);
        // A particle of an Arabic name in any of its spellings: the article
        // (`al-`, `el-`, `ach-`…) and, inside the name, "son of" (`ben`,
        // `bin`, `ibn`).
        let inside = i > 0 && i + 1 < word.words.len();
        let forms: Option<Vec<&str>> = match next.filter(|_| names::is_article(&w.exact)) {
            Some(next) => Some(names::article_forms(&next.exact)),
            None if inside => Some(names::filiation_forms(&w.exact)).filter(|f| !f.is_empty()),
            None => None,
        };
        if let Some(forms) = forms {
            let mut opts = vec![Alt::single(
                w.exact.clone(),
                1.0,
                How::Exact,
                w.exact.clone(),
            )];
            for form in forms.into_iter().filter(|f| *f != w.exact) {
                opts.push(Alt::single(
                    form.to_string(),
                    p.particle,
                    How::Variant,
                    form.to_string(),
                ));
                any_other = true;
            }
            options.push((offset, opts));
            continue;
        }
        let mut probe = QueryWord {
            text: w.exact.clone(),
            occur: Occur::Should,
            words: vec![w.clone()],
            alts: plan::literal_alts(std::slice::from_ref(w), &w.exact, p),
            article: false,
            title: false,
        };
        if is_name(w, vocab) {
            probe.alts.retain(|a| a.how != How::Stem);
        }
        transliterated(&mut probe, vocab, analyzer, p);
        variants(&mut probe, vocab, p.variant, How::Variant, None);
        typos(&mut probe, vocab, p);
        let mut opts: Vec<Alt> = probe
            .alts
            .into_iter()
            // Stems live in their own field: a phrase of spellings is
            // made of exact words only (the phrase of stems stays as is).
            .filter(|a| a.terms.len() == 1 && a.how != How::Stem)
            .map(|mut a| {
                a.weight = match a.how {
                    How::Exact => 1.0,
                    _ => a.weight.min(0.99),
                };
                a
            })
            .collect();
        opts.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        opts.dedup_by(|a, b| a.terms == b.terms);
        opts.truncate(MAX_SPELLINGS_PER_PHRASE_WORD);
        any_other |= opts.iter().any(|o| o.how != How::Exact);
        options.push((offset, opts));
    }
    if !any_other || options.iter().any(|(_, o)| o.is_empty()) {
        return;
    }
    // Best combinations first, keeping a bounded beam.
    let mut beam = vec![Alt {
        terms: Vec::new(),
        weight: p.exact + p.stem,
        how: How::Exact,
        label: String::new(),
        parts: Vec::new(),
    }];
    for (offset, opts) in &options {
        let mut next = Vec::with_capacity(beam.len() * opts.len());
        for partial in &beam {
            for o in opts {
                let mut alt = partial.clone();
                alt.terms.push((*offset, o.terms[0].1.clone()));
                alt.parts.push((o.how, o.label.clone()));
                alt.weight *= o.weight;
                alt.how = alt.how.max(o.how);
                if !alt.label.is_empty() {
                    alt.label.push(' ');
                }
                alt.label.push_str(&o.label);
                next.push(alt);
            }
        }
        next.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        next.truncate(MAX_PHRASE_SPELLINGS);
        beam = next;
    }
    for alt in beam.iter_mut() {
        if alt.how == How::Exact {
            alt.label = word.text.clone();
        }
        // Each word says how it matched: the typed spelling of a word is
        // exact, and explained by the phrase as typed.
        for part in alt.parts.iter_mut().filter(|p| p.0 == How::Exact) {
            part.1 = word.text.clone();
        }
    }
    // The phrase of the words' other forms (stems), as planned.
    let stems: Vec<Alt> = word
        .alts
        .iter()
        .filter(|a| a.how == How::Stem)
        .cloned()
        .collect();
    word.alts = beam;
    word.alts.extend(stems);
}

/// A query word written in another script is matched through its Latin
/// readings (see [`names::transliterations`]): each reading, and the
/// corpus spellings close to it, count as variants, but only spellings the
/// corpus writes as names. Since such a query carries no spelling of its
/// own to compare vowels with (an abjad writes none of its short vowels),
/// how often the corpus uses each candidate weighs in its rank: the most
/// used spelling of the name first (Hamas before Homas).
fn transliterated(word: &mut QueryWord, vocab: &Vocabulary, analyzer: &Analyzer, p: &RankParams) {
    if !word.is_single() {
        return;
    }
    let readings = names::transliterations(&word.words[0].exact);
    if readings.is_empty() {
        return;
    }
    for (i, latin) in readings.iter().enumerate() {
        let lw = analyzer.words(latin);
        if lw.len() != 1 {
            continue;
        }
        let spelling = vocab.spelling(&lw[0].exact);
        if vocab.written_as_name(&spelling) {
            push_alt(
                word,
                Alt::single(
                    lw[0].exact.clone(),
                    p.transliteration * p.variant,
                    How::Variant,
                    lw[0].exact.clone(),
                ),
            );
        }
        if i > 0 {
            // The usual reading is searched through the word itself
            // (spelling keys transliterate it); the others here.
            let mut probe = QueryWord {
                text: latin.clone(),
                occur: word.occur,
                words: lw,
                alts: Vec::new(),
                article: false,
                title: false,
            };
            variants(&mut probe, vocab, p.variant, How::Variant, None);
            for alt in probe.alts {
                push_alt(word, alt);
            }
        }
    }
}

/// Weighs the variants of a word by how often the corpus uses each, from
/// [`RankParams::rarest_variant`] for the rarest to 1 for the most used, when the word as typed gives
/// no spelling of its own to prefer: written in another script, or absent
/// from the corpus (`Kharkov` here is Kharkiv, written 14 times, before
/// the Kerkhove of another story).
fn by_frequency(word: &mut QueryWord, vocab: &Vocabulary, p: &RankParams) {
    if !word.is_single() {
        return;
    }
    let unattested = names::transliterations(&word.words[0].exact).is_empty()
        && vocab.doc_freq(&word.words[0].exact) > 0;
    if unattested {
        return;
    }
    let dfs: Vec<u64> = word
        .alts
        .iter()
        .map(|a| match (a.how, a.terms.as_slice()) {
            (How::Variant, [(_, t)]) => vocab.doc_freq(t),
            _ => 0,
        })
        .collect();
    let most = dfs.iter().copied().max().unwrap_or(0);
    if most == 0 {
        return;
    }
    let scale = ((1 + most) as f32).ln();
    for (a, df) in word.alts.iter_mut().zip(dfs) {
        if a.how == How::Variant && a.terms.len() == 1 {
            a.weight *=
                p.rarest_variant + (1.0 - p.rarest_variant) * ((1 + df) as f32).ln() / scale;
        }
    }
}

/// Adds the corpus spellings of `word` close enough to it
/// ([`Vocabulary::close_spellings`]), each weighing its closeness (see
/// [`share_rarity`] for how rarity is then shared). An acronym typed in
/// capitals has no spelling variants (`PKK` is not `PCC`).
fn variants(word: &mut QueryWord, vocab: &Vocabulary, weight: f32, how: How, label: Option<&str>) {
    if !word.is_single() || word.words[0].is_number() || word.words[0].acronym {
        return;
    }
    let found = vocab.close_spellings(&word.words[0].exact);
    for (spelling, c) in found.iter() {
        let label = label.map_or_else(|| spelling.clone(), str::to_string);
        push_alt(word, Alt::single(spelling.clone(), weight * c, how, label));
    }
}

/// One name, one rarity: the single-term spellings of a word that has
/// variants, aliases or typos are boosted so that each scores with the
/// rarity of the name (its most used spelling) rather than its own. BM25
/// would otherwise rank a rare misreading (`potins` for `Putin`) above the
/// common spelling of the same name (`Poutine`) because it is rare. Their
/// weights (exact 2, variants by closeness…) then decide between them.
fn share_rarity(word: &mut QueryWord, vocab: &Vocabulary) {
    let expanded = word
        .alts
        .iter()
        .any(|a| matches!(a.how, How::Variant | How::Alias | How::Typo));
    if !expanded {
        return;
    }
    let single = |a: &Alt| a.terms.len() == 1 && a.how != How::Stem;
    let dfs: Vec<u64> = word
        .alts
        .iter()
        .map(|a| {
            if single(a) {
                vocab.doc_freq(&a.terms[0].1)
            } else {
                0
            }
        })
        .collect();
    let concept = vocab.idf(dfs.iter().copied().max().unwrap_or(0));
    for (a, df) in word.alts.iter_mut().zip(dfs) {
        if single(a) && df > 0 {
            let own = vocab.idf(df);
            if own > 0.0 {
                a.weight *= concept / own;
            }
        }
    }
}

/// The compounds of a phrase, each without its Arabic article, and whether
/// it had one.
fn compounds(words: &[Word]) -> Vec<(Vec<Word>, bool)> {
    let mut out: Vec<Vec<Word>> = Vec::new();
    for w in words {
        match out.last_mut() {
            Some(g) if g[0].compound == w.compound => g.push(w.clone()),
            _ => out.push(vec![w.clone()]),
        }
    }
    out.into_iter()
        .map(|mut g| {
            let article = plan::drop_article(&mut g);
            (g, article)
        })
        .collect()
}

/// True when the query's compounds (words, article typed) name `name`.
fn names_it(query: &[(&[Word], bool)], name: &AliasName) -> bool {
    query.len() == name.words.len()
        && query
            .iter()
            .zip(name.words.iter().zip(&name.articles))
            .all(|((q, q_article), (n, n_article))| (*q_article || !n_article) && same_word(q, n))
}

/// Adds the other names of every alias group a run of query words (or a
/// quoted phrase, whole) names. Aliases apply to what was typed: never to
/// a spelling variant found in the index, nor to another alias (no chains).
fn alias_alternatives(words: &mut [QueryWord], aliases: &Aliases, p: &RankParams) {
    let mut additions: Vec<(usize, Alt)> = Vec::new();
    let add_group = |group: &[AliasName],
                     targets: std::ops::Range<usize>,
                     additions: &mut Vec<(usize, Alt)>| {
        for other in group {
            let terms = other.terms();
            if terms.is_empty() {
                continue;
            }
            // A phrase scores the sum of its words: scale it back to the
            // weight of one word.
            let weight = p.alias / terms.len() as f32;
            for i in targets.clone() {
                additions.push((
                    i,
                    Alt {
                        terms: terms.clone(),
                        weight,
                        how: How::Alias,
                        label: other.text.clone(),
                        parts: Vec::new(),
                    },
                ));
                if other.words.len() == 1 && other.words[0].len() == 1 && other.articles[0] {
                    // A name written with its article keeps it (`al-Golani`
                    // is the man, a bare `Golani` the Israeli brigade), in
                    // any of its forms (`al-`, `el-`, `ach-`…). Aliases get
                    // no spelling variants: `MBS` must not bring `MBZ`, nor
                    // `Charaa` the Chara of another story.
                    let bare = &other.words[0][0].exact;
                    for article in names::article_forms(bare) {
                        if terms.first().is_some_and(|(_, t)| t == article) {
                            continue;
                        }
                        additions.push((
                            i,
                            Alt {
                                terms: vec![(0, article.to_string()), (1, bare.clone())],
                                weight,
                                how: How::Alias,
                                label: other.text.clone(),
                                parts: Vec::new(),
                            },
                        ));
                    }
                }
            }
        }
    };
    for start in 0..words.len() {
        let Some(first) = words[start].words.first() else {
            continue;
        };
        // A run of single query words from `start`.
        for (group, name) in aliases.candidates(first) {
            let n = name.words.len();
            if n == 0 || start + n > words.len() {
                continue;
            }
            let span = &words[start..start + n];
            if span
                .iter()
                .any(|q| q.occur != span[0].occur || q.words.is_empty())
            {
                continue;
            }
            let query: Vec<(&[Word], bool)> = span
                .iter()
                .map(|q| (q.words.as_slice(), q.article))
                .collect();
            if names_it(&query, name) {
                add_group(group, start..start + n, &mut additions);
            }
        }
        // A quoted phrase, whole.
        let parts = compounds(&words[start].words);
        if parts.len() < 2 {
            continue;
        }
        let Some(first) = parts[0].0.first() else {
            continue;
        };
        let query: Vec<(&[Word], bool)> = parts.iter().map(|(w, a)| (w.as_slice(), *a)).collect();
        for (group, name) in aliases.candidates(first) {
            if names_it(&query, name) {
                add_group(group, start..start + 1, &mut additions);
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

fn typos(word: &mut QueryWord, vocab: &Vocabulary, p: &RankParams) {
    if !word.is_single() || word.words[0].is_number() || word.words[0].acronym {
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
    let is_name_in_index = |t: &str| vocab.written_as_name(&vocab.spelling(t));
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
        push_alt(word, Alt::single(term.clone(), p.typo, How::Typo, term));
    }
}
