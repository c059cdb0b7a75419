//! Searching passages: parse, plan, rank, highlight.
//!
//! [`Searcher::search`] runs one query on the last commit of an index:
//! [`syntax`] splits the query, [`plan`] turns it into query words with their
//! alternatives (analysed by the index's own analyzer), [`expand`] adds
//! spellings, aliases and typos, and [`Searcher::search_words`] runs the
//! ranking stages that [`rank`] describes (query, collect, features, order,
//! present); [`highlight`] marks what matched in the stored passage text.

pub mod alias_keys;
pub mod columns;
pub mod expand;
pub mod highlight;
pub mod plan;
pub mod rank;
pub mod stem_query;
pub mod syntax;

use std::ops::Bound;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, EnableScoring, Occur as TOccur, PhraseQuery,
    Query, RangeQuery, RegexPhraseQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, OwnedValue};
use tantivy::{TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::index::{Index, IndexError};
use crate::schema::Fields;
use crate::terms::{self, TermKind};
use highlight::{snippet, Highlight, HighlightCache, Highlighter};
use plan::{Alt, How, QueryWord};
use rank::{Features, KeyOrder, Ranker};
pub use rank::{RankParams, Sort};
use syntax::Occur;

/// What to search for besides the query text.
#[derive(Clone, Debug, PartialEq)]
pub struct SearchOptions {
    pub limit: usize,
    /// Every query word is required.
    pub all: bool,
    pub since: Option<NaiveDate>,
    pub until: Option<NaiveDate>,
    /// Words that the article's source must contain.
    pub source: Option<String>,
    /// Bytes of passage shown around the matches.
    pub snippet_bytes: usize,
    /// Search the words as typed: no spelling variants, aliases or typos.
    pub strict: bool,
    /// Best match first, or newest first.
    pub sort: Sort,
    /// One hit per article (its best passage, the next best under it in
    /// [`Hit::more`]); `limit` then counts articles.
    pub group_articles: bool,
    /// Hits (or articles, when grouped) skipped before the first returned:
    /// the next page starts at `offset + limit`.
    pub offset: usize,
    /// Only articles whose source is one of these (as the source facet
    /// names them, [`crate::terms::source_key`]); empty: any.
    pub sources: Vec<String>,
    /// No article whose source is one of these.
    pub exclude_sources: Vec<String>,
    /// Spellings, aliases or typos (as [`Totals::spellings`] names them,
    /// case and accents aside) not to search for.
    pub exclude_spellings: Vec<String>,
    /// Count the matching passages by source and month ([`Totals`]).
    pub facets: bool,
    /// Show a passage once when other articles hold copies of it
    /// ([`crate::copies`]): the best placed stays, with the others'
    /// articles in [`Hit::copies`].
    pub collapse_copies: bool,
    /// Only the passages of the records numbered in this range (the
    /// `record` field; an indexer run numbers the records it writes from
    /// the last run's [`crate::index::State::next_record`] on, so a run's
    /// new and changed passages are one range). Segments holding none of
    /// them are skipped unread.
    pub records: Option<std::ops::Range<u64>>,
}

/// Furthest a page of hits can start: deeper pages cost a collect of
/// every passage before them.
pub const MAX_OFFSET: usize = 1000;

/// Segments smaller than this many passages are searched on the calling
/// thread: a thread's hand-over costs more than they take.
pub const PARALLEL_SEGMENT_PASSAGES: u32 = 20_000;

/// Where the collect stage runs: on the calling thread, or, for an index
/// of several large segments (a big corpus, built in parallel), on one
/// thread per core, segment by segment. One pool serves the whole process.
///
/// A query's time then falls with the cores, not its cost: the same work
/// is shared out, and a server answering as many queries as it has cores
/// gains nothing from it.
fn segment_executor(searcher: &tantivy::Searcher, from: u32) -> &'static tantivy::Executor {
    static SINGLE: tantivy::Executor = tantivy::Executor::SingleThread;
    static POOL: std::sync::OnceLock<Option<tantivy::Executor>> = std::sync::OnceLock::new();
    let large = searcher
        .segment_readers()
        .iter()
        .filter(|s| s.num_docs() >= from)
        .count();
    if large < 2 {
        return &SINGLE;
    }
    let pool = POOL.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        (cores > 1)
            .then(|| tantivy::Executor::multi_thread(cores.min(8), "recoupe-search-").ok())
            .flatten()
    });
    pool.as_ref().unwrap_or(&SINGLE)
}

/// Articles listed in [`Hit::copies`] at most.
pub const MAX_COPIES: usize = 50;

/// Passages shown under an article's best one when hits are grouped.
pub const MORE_PER_ARTICLE: usize = 3;

/// When grouping, candidates are collected for this many times `limit`
/// passages, so that `limit` articles are found even when the best ones
/// have several matching passages each.
const GROUP_POOL: usize = 5;

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 10,
            all: false,
            since: None,
            until: None,
            source: None,
            snippet_bytes: 320,
            strict: false,
            sort: Sort::Relevance,
            group_articles: false,
            offset: 0,
            sources: Vec::new(),
            exclude_sources: Vec::new(),
            exclude_spellings: Vec::new(),
            facets: false,
            collapse_copies: true,
            records: None,
        }
    }
}

/// A matched span of a hit's passage text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Match {
    pub start: usize,
    pub end: usize,
    /// The passage's words, as written.
    pub text: String,
    /// The query word it answers, as typed.
    pub query: String,
    pub how: How,
    /// The spelling, alias or typo of the alternative that matched.
    pub via: String,
}

/// One ranked passage (tools read it as [`crate::api::Hit`]).
#[derive(Clone, Debug)]
pub struct Hit {
    pub rank: usize,
    pub score: f32,
    /// Query words the passage matches.
    pub matched_words: u32,
    pub doc: String,
    pub passage: u64,
    pub title: String,
    pub date: Option<String>,
    pub source: String,
    pub url: String,
    pub path: String,
    pub text: String,
    pub snippet: String,
    /// Highlights of `snippet`, byte offsets into it, and how each matched.
    pub snippet_highlights: Vec<(usize, usize, How)>,
    /// Highlights of `text`, byte offsets into it.
    pub matches: Vec<Match>,
    /// Highlights of `title`, byte offsets into it, and how each matched.
    pub title_highlights: Vec<(usize, usize, How)>,
    /// The same highlights of `title`, each with the query word it answers.
    pub title_matches: Vec<Match>,
    /// The passage matches only through its article's title: its own text
    /// names none of the query's words.
    pub title_only: bool,
    /// With grouping by article: the article's next best passages, in rank
    /// order (at most [`MORE_PER_ARTICLE`]); empty otherwise.
    pub more: Vec<Hit>,
    /// Other articles holding a copy of this passage (their ids, at most
    /// [`MAX_COPIES`]), when copies are collapsed; their passages are not
    /// shown apart.
    pub copies: Vec<String>,
    /// How many other articles hold a copy (may exceed `copies.len()`).
    pub copies_total: usize,
}

/// A whole article, its passages in reading order, with the matches of a
/// query in each ([`Searcher::article`]).
#[derive(Clone, Debug)]
pub struct Article {
    pub doc: String,
    pub title: String,
    pub date: Option<String>,
    pub source: String,
    pub url: String,
    pub path: String,
    /// Matches in the title.
    pub title_matches: Vec<Match>,
    pub passages: Vec<ArticlePassage>,
}

/// One passage of an [`Article`].
#[derive(Clone, Debug)]
pub struct ArticlePassage {
    pub passage: u64,
    pub text: String,
    pub matches: Vec<Match>,
}

/// One way the index writes a query word, with how often.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Variant {
    /// The query word, as typed.
    pub query: String,
    /// The spelling (or alias) found in the index.
    pub spelling: String,
    /// Why it counts as the same name.
    pub how: How,
    /// The weight its matches get in ranking (1 for the exact spelling).
    pub weight: f32,
    /// Passages and articles that contain it.
    pub passages: u64,
    pub articles: u64,
}

/// The answer to one query.
#[derive(Clone, Debug, Default)]
pub struct Answer {
    pub hits: Vec<Hit>,
    /// The query words, with the alternatives that were searched.
    pub words: Vec<QueryWord>,
    /// Counts over every matching passage, not only the hits.
    pub totals: Totals,
}

/// What a query matches in the whole index (filters applied).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals {
    pub passages: u64,
    pub articles: u64,
    /// For each query word that other spellings, aliases or typos were
    /// searched for: each of its spellings (as typed, and the others) and
    /// the matching passages holding it. Spellings no passage holds are
    /// left out.
    pub spellings: Vec<SpellingCount>,
    /// With [`SearchOptions::facets`]: matching passages by source, most
    /// first; and by month (`YYYY-MM`), in order.
    pub sources: Vec<(String, u64)>,
    pub months: Vec<(String, u64)>,
    /// The earliest and latest days of the matching passages' articles
    /// (`YYYY-MM-DD`), when any is dated.
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Query words, as typed, too common to find passages alone: they only
    /// add to the score of the passages the others find
    /// ([`RankParams::common_match`]).
    pub scoring_only: Vec<String>,
}

/// One spelling of a query word among the matching passages.
#[derive(Clone, Debug, PartialEq)]
pub struct SpellingCount {
    /// The query word, as typed.
    pub query: String,
    pub spelling: String,
    pub how: How,
    pub passages: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// Searches one index; reuse it for many queries.
pub struct Searcher {
    index: Index,
    searcher: tantivy::Searcher,
    aliases: expand::Aliases,
    params: RankParams,
    /// What the vocabulary answered for this searcher's queries.
    remembered: expand::Remembered,
    /// The stored passages kept for the next queries, when asked
    /// ([`Searcher::remembering_passages`]).
    passages: Option<std::sync::Arc<crate::kept::Kept<tantivy::DocAddress, TantivyDocument>>>,
    /// The fast columns of every segment, opened at the first query.
    columns: std::sync::OnceLock<std::sync::Arc<columns::Columns>>,
    /// Passage counts of stems that are words of their own.
    stem_counts: StemCounts,
    /// Segments of at least this many passages are collected in parallel
    /// when there are two or more ([`segment_executor`]).
    parallel_from: u32,
}

/// BM25 statistics of the index, with the average passage length scaled
/// by [`RankParams::length_scale`].
struct Statistics<'a> {
    searcher: &'a tantivy::Searcher,
    length_scale: f32,
}

impl tantivy::query::Bm25StatisticsProvider for Statistics<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        let n = tantivy::query::Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        Ok((n as f64 * f64::from(self.length_scale)) as u64)
    }
    fn total_num_docs(&self) -> tantivy::Result<u64> {
        tantivy::query::Bm25StatisticsProvider::total_num_docs(self.searcher)
    }
    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.searcher.doc_freq(term)
    }
}

/// What turns query terms into tantivy queries: the fields, the analyzer
/// (which tells the stems that are words of their own) and what the
/// searcher remembers of stems.
struct QueryTerms<'a> {
    f: Fields,
    analyzer: &'a Analyzer,
    searcher: &'a tantivy::Searcher,
    counts: &'a StemCounts,
}

/// By stem: whether it is a word of its own, and then the passages holding
/// it or its other forms. A query asks this of each stem many times.
type StemCounts = std::sync::Mutex<std::collections::HashMap<String, Option<u64>>>;

/// At most this many stems are remembered by a searcher.
const REMEMBERED_STEMS: usize = 4096;

impl QueryTerms<'_> {
    /// For the stem of a stem term, `None` when it is not a word of its own,
    /// else the passages holding it or its other forms (see
    /// [`stem_query::passages_holding_any`]; deleted ones may still count).
    fn own_stem(&self, stem: &str) -> Option<u64> {
        let lock = || self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(&known) = lock().get(stem) {
            return known;
        }
        let known = self.analyzer.is_own_stem(stem).then(|| {
            let terms = self.stem_terms(stem, true);
            stem_query::passages_holding_any(self.searcher, &terms).unwrap_or(0)
        });
        let mut counts = lock();
        if counts.len() >= REMEMBERED_STEMS {
            counts.clear();
        }
        counts.insert(stem.to_string(), known);
        known
    }

    /// The index terms of stem `stem`: its stem term in `stems`, and with
    /// `own` the word it equals in `body`.
    fn stem_terms(&self, stem: &str, own: bool) -> Vec<Term> {
        let f = &self.f;
        terms::stem_alternatives(stem, own)
            .iter()
            .map(|t| {
                let field = if terms::is_stem_term(t) {
                    f.stems
                } else {
                    f.body
                };
                Term::from_field_text(field, t)
            })
            .collect()
    }

    /// The index terms of a query term: for a stem, its stem term in
    /// `stems` and, when the stem is a word of its own, that word in `body`
    /// (see [`stem_query`]), with the passages holding either; any other
    /// term as it is, in `body` (its passages are the term's own count).
    fn index_terms(&self, term: &str) -> (Vec<Term>, Option<u64>) {
        match terms::kind(term) {
            TermKind::Stem(stem) => match self.own_stem(stem) {
                Some(passages) => (self.stem_terms(stem, true), Some(passages)),
                None => (self.stem_terms(stem, false), None),
            },
            _ => (vec![Term::from_field_text(self.f.body, term)], None),
        }
    }

    /// The passages holding the words of a query term (deleted ones may
    /// still count).
    fn passages(&self, term: &str) -> u64 {
        match self.index_terms(term) {
            (_, Some(n)) => n,
            (terms, None) => terms
                .first()
                .map_or(0, |t| self.searcher.doc_freq(t).unwrap_or(0)),
        }
    }

    /// The query of one alternative: a term or a phrase (`offset`s apart)
    /// in `body`, or its stems (a [`stem_query::StemQuery`]). An
    /// alternative never mixes stems with other terms (see
    /// `expand::phrase_spellings`).
    fn alt_query(&self, alt: &Alt) -> Box<dyn Query> {
        let stems = alt
            .terms
            .first()
            .is_some_and(|(_, t)| terms::is_stem_term(t));
        let q: Box<dyn Query> = if stems {
            self.stem_phrase(&alt.terms, 0)
        } else {
            exact_phrase(self.f.body, &alt.terms)
        };
        Box::new(BoostQuery::new(q, alt.weight))
    }

    /// The word as typed and its stem, when they are one word that is its
    /// own stem (`mort`, `~mort`): read in one pass
    /// ([`stem_query::WordForms`]).
    fn word_forms(&self, forms: &[&Alt], tie: f32) -> Option<Box<dyn Query>> {
        let [exact, stem] = forms else {
            return None;
        };
        let ([(_, word)], [(_, stem_term)]) = (exact.terms.as_slice(), stem.terms.as_slice())
        else {
            return None;
        };
        let (How::Exact, How::Stem) = (exact.how, stem.how) else {
            return None;
        };
        let (index_terms, Some(passages)) = self.index_terms(stem_term) else {
            return None;
        };
        let [in_stems, in_body] = index_terms.as_slice() else {
            return None;
        };
        if in_body.value().as_str() != Some(word.as_str()) {
            return None;
        }
        Some(Box::new(stem_query::WordForms {
            exact: in_body.clone(),
            stem: in_stems.clone(),
            passages,
            exact_weight: exact.weight,
            stem_weight: stem.weight,
            tie,
        }))
    }

    /// The words of the stems of `phrase` at their offsets (one stem: its
    /// words anywhere), the second of two at most `slop` words out of place.
    fn stem_phrase(&self, phrase: &[(usize, String)], slop: u32) -> Box<dyn Query> {
        let slots = phrase
            .iter()
            .map(|(offset, t)| {
                let (terms, passages) = self.index_terms(t);
                stem_query::Stem {
                    offset: *offset,
                    terms,
                    passages: passages.unwrap_or(0),
                }
            })
            .collect();
        Box::new(stem_query::StemQuery::new(self.f.body, slots, slop))
    }
}

/// A term of `field`, or a phrase of its terms at their offsets; in a
/// phrase, a prefix pattern (an initial, `j*`) matches the words starting
/// with it.
fn exact_phrase(field: tantivy::schema::Field, phrase: &[(usize, String)]) -> Box<dyn Query> {
    if let [(_, t)] = phrase {
        Box::new(TermQuery::new(
            Term::from_field_text(field, t),
            IndexRecordOption::WithFreqs,
        ))
    } else if phrase
        .iter()
        .any(|(_, t)| terms::pattern_prefix(t).is_some())
    {
        Box::new(RegexPhraseQuery::new_with_offset(
            field,
            phrase
                .iter()
                .map(|(off, t)| {
                    let pattern = match terms::pattern_prefix(t) {
                        Some(prefix) => format!("{}.*", terms::literal_pattern(prefix)),
                        None => terms::literal_pattern(t),
                    };
                    (*off, pattern)
                })
                .collect(),
        ))
    } else {
        Box::new(PhraseQuery::new_with_offset(
            phrase
                .iter()
                .map(|(off, t)| (*off, Term::from_field_text(field, t)))
                .collect(),
        ))
    }
}

/// At most this many spellings of a name are tried together.
const TOGETHER_SPELLINGS: usize = 16;

/// The names of an unquoted query: runs of two or more consecutive single
/// words, each typed with a capital, with the same operator (titles aside).
fn name_runs(words: &[QueryWord]) -> Vec<Vec<&QueryWord>> {
    let mut runs: Vec<Vec<&QueryWord>> = Vec::new();
    let mut current: Vec<&QueryWord> = Vec::new();
    for w in words {
        let part = w.occur != Occur::MustNot
            && !w.title
            && !w.alts.is_empty()
            && w.words.iter().all(|x| x.compound == w.words[0].compound);
        let name = part && w.words.first().is_some_and(|x| x.capitalized);
        // "son of" and a standalone article continue a name in lowercase
        // (`Mohammed ben Salmane`, `Bachar al Assad`).
        let particle = part
            && !current.is_empty()
            && w.is_single()
            && (!crate::names::filiation_forms(&w.words[0].exact).is_empty()
                || crate::names::is_standalone_article(&w.words[0].exact));
        if (name || particle) && current.last().is_none_or(|l| l.occur == w.occur) {
            current.push(w);
            continue;
        }
        finish_run(&mut current, &mut runs);
        if name {
            current.push(w);
        }
    }
    finish_run(&mut current, &mut runs);
    runs
}

/// Ends a run of name words: without the particles it ends with, kept when
/// two words or more remain.
fn finish_run<'a>(current: &mut Vec<&'a QueryWord>, runs: &mut Vec<Vec<&'a QueryWord>>) {
    while current
        .last()
        .is_some_and(|w| !w.words.first().is_some_and(|x| x.capitalized))
    {
        current.pop();
    }
    if current.len() >= 2 {
        runs.push(std::mem::take(current));
    }
    current.clear();
}

/// A query matching where the words of a name stand close together, in
/// order, in any of their single-term spellings.
fn together_query(
    field: tantivy::schema::Field,
    run: &[&QueryWord],
    slop: u32,
) -> Option<Box<dyn Query>> {
    let mut phrases: Vec<(Vec<String>, f32)> = vec![(Vec::new(), 1.0)];
    for w in run {
        let mut spellings: Vec<&Alt> = w
            .alts
            .iter()
            .filter(|a| {
                a.terms.len() == 1
                    && matches!(
                        terms::kind(&a.terms[0].1),
                        TermKind::Exact(_) | TermKind::Acronym(_)
                    )
            })
            .collect();
        spellings.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        spellings.truncate(4);
        let mut next = Vec::new();
        for (terms, weight) in &phrases {
            for s in &spellings {
                let mut t = terms.clone();
                t.push(s.terms[0].1.clone());
                next.push((t, weight * s.weight));
            }
        }
        next.sort_by(|a, b| b.1.total_cmp(&a.1));
        next.truncate(TOGETHER_SPELLINGS);
        phrases = next;
    }
    let clauses: Vec<(TOccur, Box<dyn Query>)> = phrases
        .into_iter()
        .filter(|(terms, _)| terms.len() >= 2)
        .map(|(terms, _)| {
            let mut q = PhraseQuery::new(
                terms
                    .iter()
                    .map(|t| Term::from_field_text(field, t))
                    .collect(),
            );
            q.set_slop(slop);
            (TOccur::Should, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// The smallest window of `spots` ((position, query word), sorted by
/// position) that holds every distinct word among them: how many distinct
/// words, and the distance from the window's first position to its last.
fn smallest_window(spots: &[(u32, usize)]) -> (usize, u32) {
    let mut distinct: Vec<usize> = spots.iter().map(|s| s.1).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let need = distinct.len();
    if need < 2 {
        return (need, 0);
    }
    let slot = |w: usize| distinct.binary_search(&w).unwrap_or(0);
    let mut inside = vec![0usize; need];
    let mut have = 0;
    let mut best = u32::MAX;
    let mut start = 0;
    for end in 0..spots.len() {
        let e = slot(spots[end].1);
        inside[e] += 1;
        if inside[e] == 1 {
            have += 1;
        }
        while have == need {
            best = best.min(spots[end].0 - spots[start].0);
            let s = slot(spots[start].1);
            inside[s] -= 1;
            if inside[s] == 0 {
                have -= 1;
            }
            start += 1;
        }
    }
    (need, best)
}

/// A query word: the best of its alternatives, as a dis-max query. The
/// word's own forms (exact and stem) are one alternative, the exact's
/// score plus [`RankParams::dismax_tie`] of the stem's; every other
/// spelling, alias or typo is another, and only the best counts: a passage
/// that uses three spellings of a name does not beat one that repeats one.
/// With `literal`, only the word or name as typed: exact, stem and aliases.
fn word_query(qt: &QueryTerms, word: &QueryWord, tie: f32, literal: bool) -> Box<dyn Query> {
    let q = |a: &Alt| qt.alt_query(a);
    let (own, others): (Vec<&Alt>, Vec<&Alt>) = word
        .alts
        .iter()
        .filter(|a| !literal || matches!(a.how, How::Exact | How::Stem | How::Alias))
        .partition(|a| matches!(a.how, How::Exact | How::Stem));
    let mut alts: Vec<Box<dyn Query>> = Vec::with_capacity(others.len() + 1);
    match own.as_slice() {
        [] => {}
        [one] => alts.push(q(one)),
        forms => alts.push(qt.word_forms(forms, tie).unwrap_or_else(|| {
            Box::new(DisjunctionMaxQuery::with_tie_breaker(
                forms.iter().map(|a| q(a)).collect(),
                tie,
            ))
        })),
    }
    alts.extend(others.into_iter().map(q));
    match alts.len() {
        0 => Box::new(BooleanQuery::new(Vec::new())),
        1 => alts
            .pop()
            .unwrap_or_else(|| Box::new(BooleanQuery::new(Vec::new()))),
        _ => Box::new(DisjunctionMaxQuery::new(alts)),
    }
}

/// The spellings whose passages the totals count, as (word, alternative)
/// indexes: every alternative but stems of each positive word that was
/// searched under other spellings, aliases or typos; one per spelling.
fn spellings_to_count(words: &[QueryWord]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (w, word) in words.iter().enumerate() {
        let expanded = word
            .alts
            .iter()
            .any(|a| matches!(a.how, How::Variant | How::Alias | How::Typo));
        if word.occur == Occur::MustNot || word.title || !expanded {
            continue;
        }
        let mut seen: Vec<&str> = Vec::new();
        for (a, alt) in word.alts.iter().enumerate() {
            if alt.how != How::Stem && !seen.contains(&alt.label.as_str()) {
                seen.push(&alt.label);
                out.push((w, a));
            }
        }
    }
    out
}

/// The copies of hits already found in a query, by the hit's address: each
/// with its article id ([`Searcher::copies_of`]).
/// A candidate's signature summary and key, as [`Searcher::twin_key`]
/// compares them.
type Twin = (u64, u32, u32, u32, u32, i64);

/// Candidates left unread as twins, by the address of the one placed
/// better ([`Searcher::twin_key`]).
type Twins = std::collections::HashMap<tantivy::DocAddress, Vec<tantivy::DocAddress>>;

type Copies = std::collections::HashMap<tantivy::DocAddress, Vec<(tantivy::DocAddress, String)>>;

/// The first `limit` articles of `ranked` hits, each as its best passage
/// with its next best under it (those matching in their own text).
fn group_by_article(ranked: impl Iterator<Item = Hit>, limit: usize) -> Vec<Hit> {
    let mut out: Vec<Hit> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for hit in ranked {
        match at.get(&hit.doc) {
            Some(&i) => {
                let best = &mut out[i];
                // A passage found through the title alone adds nothing the
                // article's best passage does not show.
                if best.more.len() < MORE_PER_ARTICLE && !hit.title_only {
                    let mut hit = hit;
                    hit.rank = best.more.len() + 2;
                    best.more.push(hit);
                }
            }
            None if out.len() < limit => {
                at.insert(hit.doc.clone(), out.len());
                out.push(hit);
            }
            None => {}
        }
    }
    out
}

/// The matches of `hl` in `text`, as hits show them.
fn matches_of(text: &str, hl: &[Highlight], words: &[QueryWord]) -> Vec<Match> {
    hl.iter()
        .filter_map(|h| {
            Some(Match {
                start: h.start,
                end: h.end,
                text: text.get(h.start..h.end)?.to_string(),
                query: words
                    .get(h.word)
                    .map(|w| w.text.clone())
                    .unwrap_or_default(),
                how: h.how,
                via: h.label.clone(),
            })
        })
        .collect()
}

/// The day of a time in seconds since the epoch, `YYYY-MM-DD`.
fn day_string(secs: i64) -> Option<String> {
    terms::day_of(tantivy::DateTime::from_timestamp_secs(secs)).map(|d| d.to_string())
}

/// The day an index document's article was published, `YYYY-MM-DD`.
fn date_of(doc: &TantivyDocument, field: tantivy::schema::Field) -> Option<String> {
    doc.get_first(field)
        .and_then(|v| match OwnedValue::from(v) {
            OwnedValue::Date(d) => terms::day_of(d).map(|d| d.to_string()),
            _ => None,
        })
}

fn first_text(doc: &TantivyDocument, field: tantivy::schema::Field) -> String {
    use tantivy::schema::Value;
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string()
}

impl Searcher {
    /// A searcher using the shipped alias table.
    pub fn new(index: Index) -> Result<Searcher, SearchError> {
        Searcher::with_aliases(index, crate::names::shipped_aliases())
    }

    /// A searcher using `aliases` (the shipped table merged with the user's,
    /// typically). Aliases are read at query time: no re-indexing needed.
    pub fn with_aliases(
        index: Index,
        aliases: crate::names::AliasTable,
    ) -> Result<Searcher, SearchError> {
        let searcher = index.reader()?.searcher();
        let aliases = expand::Aliases::new(&aliases, index.analyzer().clone(), &index);
        Ok(Searcher {
            index,
            searcher,
            aliases,
            params: RankParams::default(),
            remembered: Default::default(),
            passages: None,
            columns: std::sync::OnceLock::new(),
            stem_counts: StemCounts::default(),
            parallel_from: PARALLEL_SEGMENT_PASSAGES,
        })
    }

    /// What builds this searcher's queries.
    fn query_terms(&self) -> QueryTerms<'_> {
        QueryTerms {
            f: self.index.fields(),
            analyzer: self.index.analyzer(),
            searcher: &self.searcher,
            counts: &self.stem_counts,
        }
    }

    /// The fast columns of every segment (opened once).
    fn columns(&self) -> Result<std::sync::Arc<columns::Columns>, SearchError> {
        if let Some(columns) = self.columns.get() {
            return Ok(columns.clone());
        }
        let opened = std::sync::Arc::new(columns::Columns::open(
            &self.searcher,
            &self.index.fields(),
        )?);
        Ok(self.columns.get_or_init(|| opened).clone())
    }

    /// The same searcher collecting in parallel over every two or more
    /// segments of at least `passages` passages (by default
    /// [`PARALLEL_SEGMENT_PASSAGES`]; `u32::MAX`: never). Answers do not
    /// depend on it, only their time does.
    pub fn parallel_from(mut self, passages: u32) -> Searcher {
        self.parallel_from = passages;
        self
    }

    /// The same searcher ranking by `params` instead of the default policy.
    pub fn with_ranking(mut self, params: RankParams) -> Searcher {
        self.params = params;
        self
    }

    /// The same searcher keeping up to `capacity` stored passages for its
    /// next queries: for callers that show the same passages for many
    /// queries, as the watchlist's alerts do.
    pub fn remembering_passages(mut self, capacity: usize) -> Searcher {
        self.passages = Some(crate::kept::Kept::new(capacity));
        self
    }

    /// The stored passage at `address`.
    fn passage(
        &self,
        address: tantivy::DocAddress,
    ) -> tantivy::Result<std::sync::Arc<TantivyDocument>> {
        if let Some(doc) = self.passages.as_ref().and_then(|k| k.get(&address)) {
            return Ok(doc);
        }
        let doc = std::sync::Arc::new(self.searcher.doc::<TantivyDocument>(address)?);
        if let Some(kept) = &self.passages {
            kept.keep(&address, &doc);
        }
        Ok(doc)
    }

    /// The index searched.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Number of passages in the index.
    pub fn passages(&self) -> u64 {
        self.searcher.num_docs()
    }

    /// Plans a query: its words and the alternatives searched for each
    /// (with `strict`, only the words as typed and their stems).
    pub fn plan(&self, query: &str, strict: bool) -> Vec<QueryWord> {
        let p = &self.params;
        let mut words = plan::plan(&syntax::parse(query), self.index.analyzer(), p);
        let vocab = expand::Vocabulary::new(&self.searcher, &self.index.fields(), &self.remembered);
        expand::unstem_names(&mut words, &vocab, p);
        plan::mark_titles(&mut words, |w| {
            w.words.first().is_some_and(|x| x.capitalized)
                || (w.is_single() && expand::is_name(&w.words[0], &vocab))
        });
        if !strict {
            expand::expand(&mut words, &vocab, &self.aliases, self.index.analyzer(), p);
        }
        words
    }

    /// The spellings, aliases and typos of `query` found in the index, with
    /// how many passages and articles use each, most used first within each
    /// query word; the exact spelling first.
    pub fn variants(&self, query: &str, strict: bool) -> Result<Vec<Variant>, SearchError> {
        let mut out = Vec::new();
        for word in self.plan(query, strict) {
            if word.occur == Occur::MustNot {
                continue;
            }
            let mut rows = Vec::new();
            let qt = self.query_terms();
            // One row per spelling and reason: a variant is searched as
            // two terms (capitalised mid-sentence, or at its start).
            let mut groups: Vec<(&str, How, f32, Vec<&Alt>)> = Vec::new();
            for alt in word.alts.iter().filter(|a| a.how != How::Stem) {
                match groups
                    .iter_mut()
                    .find(|g| g.0 == alt.label && g.1 == alt.how)
                {
                    Some(g) => g.3.push(alt),
                    None => groups.push((&alt.label, alt.how, alt.weight, vec![alt])),
                }
            }
            for (label, how, weight, alts) in groups {
                let query = BooleanQuery::new(
                    alts.iter()
                        .map(|a| (TOccur::Should, qt.alt_query(a)))
                        .collect(),
                );
                let docs = self
                    .searcher
                    .search(&query, &tantivy::collector::DocSetCollector)?;
                if docs.is_empty() {
                    continue;
                }
                rows.push(Variant {
                    query: word.text.clone(),
                    // The spelling as a reader writes it, never an index term.
                    spelling: label.to_string(),
                    how,
                    weight: (weight * 100.0).round() / 100.0,
                    passages: docs.len() as u64,
                    articles: self.articles(&docs)?,
                });
            }
            rows.sort_by(|a, b| {
                (a.how != How::Exact)
                    .cmp(&(b.how != How::Exact))
                    .then(b.passages.cmp(&a.passages))
                    .then(a.spelling.cmp(&b.spelling))
            });
            // Each spelling once (case and accents aside), under its best
            // reason: `Daech` is listed once for `EI`.
            let mut seen = std::collections::HashSet::new();
            rows.retain(|r| seen.insert(crate::analysis::fold::fold_str(&r.spelling)));
            out.extend(rows);
        }
        Ok(out)
    }

    /// Number of distinct articles among passages.
    fn articles(
        &self,
        docs: &std::collections::HashSet<tantivy::DocAddress>,
    ) -> Result<u64, SearchError> {
        let mut units = std::collections::HashSet::new();
        let mut buf = String::new();
        for (ord, segment) in self.searcher.segment_readers().iter().enumerate() {
            let column = self.index.units(segment)?;
            for d in docs.iter().filter(|d| d.segment_ord as usize == ord) {
                if column.raw(d.doc_id, &mut buf) {
                    units.insert(buf.clone());
                }
            }
        }
        Ok(units.len() as u64)
    }

    /// Passages holding the word as typed (the most frequent of its exact
    /// terms; phrases count as rare).
    fn doc_freq(&self, word: &QueryWord) -> u64 {
        let qt = self.query_terms();
        word.alts
            .iter()
            .filter(|a| a.terms.len() == 1 && matches!(a.how, How::Exact | How::Stem))
            .map(|a| qt.passages(&a.terms[0].1))
            .max()
            .unwrap_or(0)
    }

    /// The article whose id is `doc` (as hits give it), every passage in
    /// order, with the matches of `query` (planned as a search would plan
    /// it: same spellings, aliases and typos unless `strict`); `None` when
    /// the index holds no such article.
    pub fn article(
        &self,
        doc: &str,
        query: Option<&str>,
        strict: bool,
    ) -> Result<Option<Article>, SearchError> {
        let f = self.index.fields();
        let term = TermQuery::new(Term::from_field_text(f.doc, doc), IndexRecordOption::Basic);
        let addresses = self
            .searcher
            .search(&term, &tantivy::collector::DocSetCollector)?;
        let words = query.map(|q| self.plan(q, strict)).unwrap_or_default();
        let analyzer = self.index.analyzer();
        let mut docs = Vec::with_capacity(addresses.len());
        for address in addresses {
            docs.push(self.searcher.doc::<TantivyDocument>(address)?);
        }
        let u64_of = |doc: &TantivyDocument, field| {
            use tantivy::schema::Value;
            doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
        };
        docs.sort_by_key(|d| u64_of(d, f.passage));
        let Some(first) = docs.first() else {
            return Ok(None);
        };
        let title = first_text(first, f.title);
        let highlighter = Highlighter::new(&words);
        let title_matches = matches_of(&title, &highlighter.highlights(analyzer, &title), &words);
        let passages = docs
            .iter()
            .map(|d| {
                let text = first_text(d, f.text);
                let matches = matches_of(&text, &highlighter.highlights(analyzer, &text), &words);
                ArticlePassage {
                    passage: u64_of(d, f.passage),
                    text,
                    matches,
                }
            })
            .collect();
        Ok(Some(Article {
            doc: first_text(first, f.doc),
            date: date_of(first, f.date),
            source: first_text(first, f.source),
            url: first_text(first, f.url),
            path: first_text(first, f.file),
            title,
            title_matches,
            passages,
        }))
    }

    /// Runs `query` and returns the best passages, highlighted.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Answer, SearchError> {
        let mut words = self.plan(query, opts.strict);
        if !opts.exclude_spellings.is_empty() {
            let dropped: Vec<String> = opts
                .exclude_spellings
                .iter()
                .map(|s| crate::analysis::fold::fold_str(s))
                .collect();
            for w in &mut words {
                w.alts.retain(|a| {
                    a.how == How::Stem
                        || !dropped.contains(&crate::analysis::fold::fold_str(&a.label))
                });
                // A word without its own spelling keeps no stem either.
                if !w.alts.iter().any(|a| a.how != How::Stem) {
                    w.alts.clear();
                }
            }
        }
        let initials = |a: &Alt| {
            a.terms
                .iter()
                .any(|(_, t)| terms::pattern_prefix(t).is_some())
        };
        let question = rank::is_question(query);
        if !words.iter().any(|w| w.alts.iter().any(initials)) {
            return self.run(words, opts, question);
        }
        // Initials expand to every indexed word they start; past tantivy's
        // bound on expansions the query fails. The query then runs without
        // its initials, as typed, rather than failing.
        match self.run(words.clone(), opts, question) {
            Ok(answer) => Ok(answer),
            Err(_) => {
                let mut words = words;
                for w in &mut words {
                    w.alts.retain(|a| !initials(a));
                }
                self.run(words, opts, question)
            }
        }
    }

    /// Runs an already planned query: build the query, collect
    /// candidates, compute their features, order them (see [`rank`]).
    pub fn search_words(
        &self,
        words: Vec<QueryWord>,
        opts: &SearchOptions,
    ) -> Result<Answer, SearchError> {
        self.run(words, opts, false)
    }

    /// [`Searcher::search_words`], knowing whether the query is a question.
    fn run(
        &self,
        words: Vec<QueryWord>,
        opts: &SearchOptions,
        question: bool,
    ) -> Result<Answer, SearchError> {
        let p = &self.params;
        let positive = words
            .iter()
            .any(|w| w.occur != Occur::MustNot && !w.alts.is_empty());
        if !positive {
            return Ok(Answer {
                words,
                ..Answer::default()
            });
        }
        let counted = self.counted_words(&words);
        let coordinate = p.coordination
            && counted.len() <= p.coordination_max_words
            && !(question && p.questions_by_score);
        // Common words match alone only in questions and long queries,
        // which rank by score (`RankParams::common_match`).
        let common_match = p.common_match || !coordinate;
        let scoring_only = self.scoring_only(&words, &counted, common_match || opts.all);
        let query = self.build_query(&words, &counted, &scoring_only, opts);
        // Hits up to the end of this page; candidates for them, and for the
        // copies that collapse into better placed hits.
        let wanted = match opts.limit {
            0 => 0,
            n => n.saturating_add(opts.offset.min(MAX_OFFSET)),
        };
        let counted_spellings = spellings_to_count(&words);
        // Copies that collapse leave fewer hits than ranked: rank again,
        // four times more, until the page is full or every match was seen
        // (rare: most pages need one pass). The matches are collected for
        // the largest of three pools: the collector's order is total, so
        // the best `n` of that list are the best `n` a smaller collection
        // would keep, and a corpus where every passage has copies does not
        // pay a full pass over its matches for every pool. A page still
        // short then (a dispatch repeated more than that) collects again,
        // for pools four times larger.
        let mut most = if opts.collapse_copies {
            wanted.saturating_mul(16)
        } else {
            wanted
        };
        let collect = |most: usize| {
            self.collect(
                &query,
                &words,
                &counted,
                &counted_spellings,
                coordinate,
                &SearchOptions {
                    limit: most,
                    ..opts.clone()
                },
            )
        };
        let rank::Collected { mut best, tally } = collect(most)?;
        let mut pool = wanted;
        let mut highlighter = HighlightCache::new(Highlighter::new(&words));
        // A candidate's hit, kept for the next, larger pool.
        let mut made: std::collections::HashMap<tantivy::DocAddress, (Hit, Vec<Highlight>)> =
            Default::default();
        // A hit's copies, kept for the next, larger pool: its first hits
        // are those of the smaller one.
        let mut copies = Copies::default();
        let ranked = loop {
            let pooled = &best[..self.collected(pool, opts).min(best.len())];
            let seen_all = pooled.len() as u64 >= tally.passages;
            // Candidates are read from the store, which costs, and most of
            // a copy's would be dropped under its original. So a candidate
            // new to this pool is not read when it copies a hit of the last
            // pool, or when a better placed one has the same signature and
            // the same key (a dispatch republished as sent, the same day):
            // it would at best stand for the same passage, a place away.
            let copied: std::collections::HashSet<tantivy::DocAddress> = copies
                .values()
                .flatten()
                .map(|(address, _)| *address)
                .collect();
            let mut twins = std::collections::HashMap::new();
            // The candidates left unread as twins, by the one placed better.
            let mut twins_of: Twins = Default::default();
            let mut scored = Vec::with_capacity(pooled.len());
            for r in pooled {
                let twin = opts
                    .collapse_copies
                    .then(|| self.twin_of(r, &mut twins))
                    .flatten();
                let new = opts.collapse_copies && !made.contains_key(&r.address);
                if new && copied.contains(&r.address) {
                    continue;
                }
                if let Some(first) = twin.filter(|_| new) {
                    twins_of.entry(first).or_default().push(r.address);
                    continue;
                }
                let (hit, hl) = match made.get(&r.address) {
                    Some(made) => made.clone(),
                    None => {
                        let doc = self.passage(r.address)?;
                        let made_now = self.hit(r, &doc, &words, &mut highlighter, opts);
                        made.insert(r.address, made_now.clone());
                        made_now
                    }
                };
                let features = self.features(r.key, &hl, &words, &counted);
                scored.push(((hit, r.address), features));
            }
            rank::order(p, opts.sort, coordinate, &mut scored);
            let ranked = scored.into_iter().map(|((mut h, address), f)| {
                h.score = f.score();
                (h, address)
            });
            if !opts.collapse_copies {
                break ranked.map(|(h, _)| h).collect::<Vec<Hit>>();
            }
            let ranked =
                self.collapse(ranked, wanted, opts.group_articles, &twins_of, &mut copies)?;
            let shown = if opts.group_articles {
                ranked
                    .iter()
                    .map(|h| h.doc.as_str())
                    .collect::<std::collections::HashSet<_>>()
                    .len()
            } else {
                ranked.len()
            };
            if shown >= wanted || seen_all {
                break ranked;
            }
            if pool >= most {
                most = most.saturating_mul(4);
                best = collect(most)?.best;
            }
            pool = pool.saturating_mul(4);
        };
        let totals = Totals {
            passages: tally.passages,
            articles: tally.articles,
            spellings: counted_spellings
                .iter()
                .zip(&tally.spellings)
                .filter(|(_, &n)| n > 0)
                .map(|(&(w, a), &n)| SpellingCount {
                    query: words[w].text.clone(),
                    spelling: words[w].alts[a].label.clone(),
                    how: words[w].alts[a].how,
                    passages: n,
                })
                .collect(),
            scoring_only: scoring_only
                .iter()
                .map(|&i| words[i].text.clone())
                .collect(),
            first_date: tally.dates.and_then(|(d, _)| day_string(d)),
            last_date: tally.dates.and_then(|(_, d)| day_string(d)),
            sources: tally.sources,
            months: tally
                .months
                .into_iter()
                .map(|((y, m), n)| (format!("{y:04}-{m:02}"), n))
                .collect(),
        };
        let mut hits: Vec<Hit> = if opts.group_articles {
            group_by_article(ranked.into_iter(), wanted)
        } else {
            ranked.into_iter().take(wanted).collect()
        };
        for (i, h) in hits.iter_mut().enumerate() {
            h.rank = i + 1;
        }
        let skip = opts.offset.min(MAX_OFFSET).min(hits.len());
        hits.drain(..skip);
        Ok(Answer {
            hits,
            words,
            totals,
        })
    }

    /// What two candidates share when one is a copy of the other as sent:
    /// their signature's summary (none for a passage too short to sign)
    /// and their whole key.
    fn twin_key(&self, r: &rank::Ranked) -> Option<Twin> {
        let summary = self
            .columns()
            .ok()?
            .segment(r.address.segment_ord)?
            .signatures
            .as_ref()?
            .first(r.address.doc_id)?;
        let k = &r.key;
        (crate::copies::summary_count(summary) > 0).then_some((
            summary,
            k.matched,
            k.literal,
            k.together,
            k.score.to_bits(),
            k.date,
        ))
    }

    /// The candidate placed better than `r` that is its twin
    /// ([`Searcher::twin_key`]), from the keys `seen` so far; when there is
    /// none, `r` joins them.
    fn twin_of(
        &self,
        r: &rank::Ranked,
        seen: &mut std::collections::HashMap<Twin, tantivy::DocAddress>,
    ) -> Option<tantivy::DocAddress> {
        match seen.entry(self.twin_key(r)?) {
            std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(r.address);
                None
            }
        }
    }

    /// The article id of the passage at `address`: from its unit when its
    /// record has an id of its own, else from the store.
    fn article_of(&self, address: tantivy::DocAddress) -> Result<String, SearchError> {
        let columns = self.columns()?;
        let unit = columns
            .segment(address.segment_ord)
            .and_then(|c| c.units.unit(address.doc_id));
        if let Some(id) = unit.and_then(|u| u.id) {
            return Ok(id);
        }
        let doc = self.passage(address)?;
        Ok(first_text(&doc, self.index.fields().doc))
    }

    /// The common words of a short query that only score
    /// ([`RankParams::common_match`]): optional, not `counted`, not a
    /// title before a name; none unless `common_match` is off, and none
    /// when every word is common (then `counted` holds them all).
    fn scoring_only(
        &self,
        words: &[QueryWord],
        counted: &[usize],
        common_match: bool,
    ) -> Vec<usize> {
        if common_match {
            return Vec::new();
        }
        (0..words.len())
            .filter(|&i| {
                let w = &words[i];
                w.occur == Occur::Should && !w.alts.is_empty() && !w.title && !counted.contains(&i)
            })
            .collect()
    }

    /// Stage 1: the query words form one required clause, so that filters
    /// beside it never turn its optional words into "match anything": with
    /// or without filters, a hit matches the query's words the same way.
    /// Filters restrict and do not score (boost 0).
    fn build_query(
        &self,
        words: &[QueryWord],
        counted: &[usize],
        scoring_only: &[usize],
        opts: &SearchOptions,
    ) -> BooleanQuery {
        let f = self.index.fields();
        let qt = self.query_terms();
        let mut word_clauses: Vec<(TOccur, Box<dyn Query>)> = Vec::new();
        // Common words that only score, outside the clause that matches.
        let mut scoring: Vec<(TOccur, Box<dyn Query>)> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let occur = match w.occur {
                Occur::MustNot => TOccur::MustNot,
                Occur::Must => TOccur::Must,
                Occur::Should if opts.all && !w.title => TOccur::Must,
                Occur::Should if scoring_only.contains(&i) => {
                    let q = word_query(&qt, w, self.params.dismax_tie, false);
                    scoring.push((TOccur::Should, q));
                    continue;
                }
                Occur::Should => TOccur::Should,
            };
            word_clauses.push((occur, word_query(&qt, w, self.params.dismax_tie, false)));
        }
        word_clauses.extend(
            self.pair_queries(words, counted)
                .into_iter()
                .map(|q| (TOccur::Should, q)),
        );
        let mut clauses: Vec<(TOccur, Box<dyn Query>)> =
            vec![(TOccur::Must, Box::new(BooleanQuery::new(word_clauses)))];
        clauses.extend(scoring);
        let filter = |q: Box<dyn Query>| -> (TOccur, Box<dyn Query>) {
            (TOccur::Must, Box::new(BoostQuery::new(q, 0.0)))
        };
        if opts.since.is_some() || opts.until.is_some() {
            let lower = opts.since.map_or(Bound::Unbounded, |d| {
                Bound::Included(terms::date_bound(f.date, d, false))
            });
            let upper = opts.until.map_or(Bound::Unbounded, |d| {
                Bound::Included(terms::date_bound(f.date, d, true))
            });
            clauses.push(filter(Box::new(RangeQuery::new(lower, upper))));
        }
        if let Some(source) = &opts.source {
            let words = self.index.analyzer().words(source);
            if !words.is_empty() {
                let alts = plan::literal_alts(&words, source, &self.params);
                clauses.push(filter(exact_phrase(f.source, &alts[0].terms)));
            }
        }
        let source_term = |name: &String| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                terms::source_term(f.source_key, name),
                IndexRecordOption::Basic,
            ))
        };
        if !opts.sources.is_empty() {
            let any = opts
                .sources
                .iter()
                .map(|name| (TOccur::Should, source_term(name)))
                .collect();
            clauses.push(filter(Box::new(BooleanQuery::new(any))));
        }
        for name in &opts.exclude_sources {
            clauses.push((TOccur::MustNot, source_term(name)));
        }
        if let Some(records) = &opts.records {
            clauses.push(filter(Box::new(RangeQuery::new(
                Bound::Included(Term::from_field_u64(f.record, records.start)),
                Bound::Excluded(Term::from_field_u64(f.record, records.end)),
            ))));
        }
        BooleanQuery::new(clauses)
    }

    /// Phrase queries over neighbouring positive query words (single
    /// words, through their stem, or as typed for names), boosted by
    /// [`RankParams::pairs`]: they only add to the score of passages that
    /// already match both words. A pair needs one of its words in
    /// `counted` (see [`Searcher::counted_words`]): two common words
    /// stand together in so many passages that checking their positions
    /// in each is most of what pairs cost (up to a fifth of a long
    /// question's time), and the PIAF questions rank no worse without them.
    fn pair_queries(&self, words: &[QueryWord], counted: &[usize]) -> Vec<Box<dyn Query>> {
        let p = &self.params;
        if p.pairs == 0.0 {
            return Vec::new();
        }
        let f = self.index.fields();
        // (stem, exact) terms of each single positive word.
        let terms_of = |w: &QueryWord| -> Option<(Option<String>, String)> {
            if w.occur == Occur::MustNot || w.title || !w.is_single() {
                return None;
            }
            let pick = |how: How| {
                w.alts
                    .iter()
                    .find(|a| a.how == how && a.terms.len() == 1)
                    .map(|a| a.terms[0].1.clone())
            };
            Some((pick(How::Stem), pick(How::Exact)?))
        };
        let terms: Vec<_> = words.iter().map(terms_of).collect();
        terms
            .windows(2)
            .enumerate()
            .filter(|(i, _)| counted.contains(i) || counted.contains(&(i + 1)))
            .filter_map(|(_, pair)| match pair {
                [Some(a), Some(b)] if a.1 != b.1 => {
                    // Through the stems when both words have one (names
                    // have none), else as typed.
                    let q: Box<dyn Query> = match (&a.0, &b.0) {
                        (Some(x), Some(y)) => {
                            let phrase = [(0, x.clone()), (1, y.clone())];
                            self.query_terms().stem_phrase(&phrase, p.pair_slop)
                        }
                        _ => {
                            let mut q = PhraseQuery::new(vec![
                                Term::from_field_text(f.body, &a.1),
                                Term::from_field_text(f.body, &b.1),
                            ]);
                            q.set_slop(p.pair_slop);
                            Box::new(q)
                        }
                    };
                    Some(Box::new(BoostQuery::new(q, p.pairs)) as Box<dyn Query>)
                }
                _ => None,
            })
            .collect()
    }

    /// The query words that count as matched words: positive, not titles,
    /// and not common. Words found in a large share of passages say little
    /// about which passage is meant: they still score, but do not count
    /// (unless every word of the query is that common). Indexes into
    /// `words`.
    fn counted_words(&self, words: &[QueryWord]) -> Vec<usize> {
        let p = &self.params;
        let total = self.searcher.num_docs().max(1);
        let candidates: Vec<usize> = (0..words.len())
            .filter(|&i| {
                let w = &words[i];
                w.occur != Occur::MustNot && !w.alts.is_empty() && !w.title
            })
            .collect();
        let distinctive: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|&i| {
                let df = self.doc_freq(&words[i]);
                df < p.common_min_passages || (df as f64) < total as f64 * p.common_share
            })
            .collect();
        if distinctive.is_empty() {
            candidates
        } else {
            distinctive
        }
    }

    /// How many passages the collect stage keeps for a page of `limit`
    /// hits: the candidates the ranking policy re-ranks, for more passages
    /// when grouping by article.
    fn collected(&self, limit: usize, opts: &SearchOptions) -> usize {
        match limit {
            0 => 0,
            n if opts.group_articles => self.params.candidates(n.saturating_mul(GROUP_POOL)),
            n => self.params.candidates(n),
        }
    }

    /// Stage 2: the best candidates by the collector's key.
    fn collect(
        &self,
        query: &BooleanQuery,
        words: &[QueryWord],
        counted: &[usize],
        spellings: &[(usize, usize)],
        coordinate: bool,
        opts: &SearchOptions,
    ) -> Result<rank::Collected, SearchError> {
        let p = &self.params;
        let f = self.index.fields();
        let qt = self.query_terms();
        let unscored = || EnableScoring::disabled_from_searcher(&self.searcher);
        let weights = |literal: bool| {
            counted
                .iter()
                .map(|&i| word_query(&qt, &words[i], p.dismax_tie, literal).weight(unscored()))
                .collect::<tantivy::Result<Vec<_>>>()
        };
        let together = if p.together_first {
            name_runs(words)
                .iter()
                .filter_map(|run| together_query(f.body, run, p.together_slop))
                .map(|q| q.weight(unscored()))
                .collect::<tantivy::Result<Vec<_>>>()?
        } else {
            Vec::new()
        };
        let ranker = Ranker {
            words: weights(false)?,
            literal: if p.literal_first && coordinate {
                weights(true)?
            } else {
                Vec::new()
            },
            together,
            spellings: spellings
                .iter()
                .map(|&(w, a)| {
                    let alt = &words[w].alts[a];
                    qt.alt_query(alt).weight(unscored())
                })
                .collect::<tantivy::Result<Vec<_>>>()?,
            limit: self.collected(opts.limit, opts),
            order: KeyOrder {
                date_first: opts.sort == Sort::Date,
                literal: p.literal_first && coordinate,
                matched: coordinate,
                together: p.together_first,
            },
            columns: self.columns()?,
            facets: opts.facets,
            records: opts.records.clone(),
        };
        let stats = Statistics {
            searcher: &self.searcher,
            length_scale: p.length_scale,
        };
        let scoring = EnableScoring::enabled_from_statistics_provider(&stats, &self.searcher);
        Ok(self.searcher.search_with_executor(
            query,
            &ranker,
            segment_executor(&self.searcher, self.parallel_from),
            scoring,
        )?)
    }

    /// The first `wanted` of `ranked` hits (articles, when `grouped`),
    /// each passage shown once: a hit that copies a better placed one is
    /// dropped, and every hit lists the other articles holding a copy of
    /// it. Only the hits returned are looked up, each by its own sentences.
    ///
    /// The candidates left unread as twins of a hit (`twins`) are its
    /// copies, found by its sentences unless every sentence it has is
    /// boilerplate: then they are added to its copies here, so that no
    /// passage is dropped without being listed.
    fn collapse(
        &self,
        ranked: impl Iterator<Item = (Hit, tantivy::DocAddress)>,
        wanted: usize,
        grouped: bool,
        twins: &Twins,
        known: &mut Copies,
    ) -> Result<Vec<Hit>, SearchError> {
        let mut out: Vec<Hit> = Vec::new();
        let mut shown: std::collections::HashSet<tantivy::DocAddress> = Default::default();
        let mut articles: std::collections::HashSet<String> = Default::default();
        for (mut hit, address) in ranked {
            if shown.contains(&address) {
                continue;
            }
            let full = if grouped {
                articles.len() >= wanted && !articles.contains(&hit.doc)
            } else {
                out.len() >= wanted
            };
            if full {
                break;
            }
            let copies = match known.entry(address) {
                std::collections::hash_map::Entry::Occupied(known) => known.into_mut(),
                std::collections::hash_map::Entry::Vacant(new) => {
                    new.insert(self.copies_of(address, &hit.text)?)
                }
            };
            for &twin in twins.get(&address).into_iter().flatten() {
                if !copies.iter().any(|(copy, _)| *copy == twin) {
                    copies.push((twin, self.article_of(twin)?));
                }
            }
            let mut docs: Vec<String> = Vec::new();
            for (copy, doc) in copies {
                shown.insert(*copy);
                if *doc != hit.doc && !docs.contains(doc) {
                    docs.push(doc.clone());
                }
            }
            hit.copies_total = docs.len();
            docs.truncate(MAX_COPIES);
            hit.copies = docs;
            articles.insert(hit.doc.clone());
            out.push(hit);
        }
        Ok(out)
    }

    /// The other passages that copy the passage at `address` (whose text
    /// is `text`), with their article ids ([`crate::copies`]).
    fn copies_of(
        &self,
        address: tantivy::DocAddress,
        text: &str,
    ) -> Result<Vec<(tantivy::DocAddress, String)>, SearchError> {
        let f = self.index.fields();
        let signature = crate::copies::signature(text);
        let mut candidates: std::collections::HashSet<tantivy::DocAddress> = Default::default();
        use tantivy::DocSet;
        // Postings read directly, segment by segment: a sentence is held by
        // a handful of passages, and a query per sentence would cost more
        // than reading them.
        let mut inverted = Vec::new();
        for segment in self.searcher.segment_readers() {
            inverted.push(segment.inverted_index(f.sentences)?);
        }
        for &sentence in &signature {
            let term = terms::sentence_term(f.sentences, sentence);
            let mut infos = Vec::with_capacity(inverted.len());
            for index in &inverted {
                infos.push(
                    index
                        .get_term_info(&term)
                        .map_err(tantivy::TantivyError::from)?,
                );
            }
            let held: u64 = infos.iter().flatten().map(|i| u64::from(i.doc_freq)).sum();
            if held > crate::copies::COMMON_PASSAGES {
                continue;
            }
            for (ord, (index, info)) in inverted.iter().zip(&infos).enumerate() {
                let Some(info) = info else { continue };
                let mut postings = index
                    .read_postings_from_terminfo(info, IndexRecordOption::Basic)
                    .map_err(tantivy::TantivyError::from)?;
                let alive = self.searcher.segment_reader(ord as u32).alive_bitset();
                while postings.doc() != tantivy::TERMINATED {
                    let doc = postings.doc();
                    if alive.is_none_or(|a| a.is_alive(doc)) {
                        candidates.insert(tantivy::DocAddress::new(ord as u32, doc));
                    }
                    postings.advance();
                }
            }
        }
        candidates.remove(&address);
        let mut out = Vec::new();
        // Only the lowest sentences are indexed (`copies::indexed`): a
        // candidate that can hold enough of them by its size is checked on
        // its whole signature. One with the same summary has the same
        // sentences: when its record has an id of its own (the article's
        // id), nothing of it needs reading from the store.
        let ours = crate::copies::summary(&signature);
        let columns = self.columns()?;
        for copy in candidates {
            let Some(segment) = columns.segment(copy.segment_ord) else {
                continue;
            };
            let theirs = segment
                .signatures
                .as_ref()
                .and_then(|c| c.first(copy.doc_id))
                .unwrap_or(0);
            let count = crate::copies::summary_count(theirs);
            if !crate::copies::is_copy(count.min(signature.len()), signature.len(), count) {
                continue;
            }
            if theirs == ours {
                if let Some(id) = segment.units.unit(copy.doc_id).and_then(|u| u.id) {
                    out.push((copy, id));
                    continue;
                }
            }
            let doc: TantivyDocument = self.searcher.doc(copy)?;
            let their_text = first_text(&doc, f.text);
            // The same text word for word (a dispatch repeated as sent)
            // shares every sentence: no need to sign it.
            let copied = their_text == text || {
                let theirs = crate::copies::signature(&their_text);
                let n = crate::copies::shared(&signature, &theirs);
                crate::copies::is_copy(n, signature.len(), theirs.len())
            };
            if copied {
                out.push((copy, first_text(&doc, f.doc)));
            }
        }
        out.sort();
        Ok(out)
    }

    /// Stage 3: what only the passage's text can tell.
    fn features(
        &self,
        key: rank::Key,
        hl: &[Highlight],
        words: &[QueryWord],
        counted: &[usize],
    ) -> Features {
        let p = &self.params;
        let mut any = vec![false; words.len()];
        let mut literal = vec![false; words.len()];
        let mut close = vec![0.0f32; words.len()];
        for h in hl {
            let Some(i) = (h.word < words.len()).then_some(h.word) else {
                continue;
            };
            any[i] = true;
            literal[i] |= matches!(h.how, How::Exact | How::Stem | How::Alias);
            // Spellings as typed and aliases are the name itself; variants
            // and typos are as close as their weight says.
            let c = match h.how {
                How::Variant | How::Typo => h.weight.min(1.0),
                _ => 1.0,
            };
            close[i] = close[i].max(c);
        }
        let in_text = counted.iter().filter(|&&i| any[i]).count();
        let literal_in_text = counted.iter().filter(|&&i| literal[i]).count();
        let closeness = if in_text == 0 {
            1.0
        } else {
            counted.iter().map(|&i| close[i]).sum::<f32>() / in_text as f32
        };
        let mut spots: Vec<(u32, usize)> = hl
            .iter()
            .filter(|h| counted.contains(&h.word))
            .map(|h| (h.position, h.word))
            .collect();
        spots.sort_unstable();
        let (n, span) = smallest_window(&spots);
        Features {
            key,
            in_text,
            literal_in_text,
            closeness,
            proximity: rank::proximity_bonus(p, n, span),
        }
    }

    /// Stage 5, for one candidate: the hit as shown, and the highlights
    /// of its text (which the features read).
    fn hit(
        &self,
        r: &rank::Ranked,
        doc: &TantivyDocument,
        words: &[QueryWord],
        highlighter: &mut HighlightCache,
        opts: &SearchOptions,
    ) -> (Hit, Vec<Highlight>) {
        let f = self.index.fields();
        let analyzer = self.index.analyzer();
        let text = first_text(doc, f.text);
        let title = first_text(doc, f.title);
        let hl: Vec<Highlight> = highlighter.highlights(analyzer, &text);
        let snip = snippet(&text, &hl, opts.snippet_bytes);
        let title_hl = highlighter.highlights(analyzer, &title);
        let title_highlights = title_hl.iter().map(|h| (h.start, h.end, h.how)).collect();
        let title_matches = matches_of(&title, &title_hl, words);
        let date = date_of(doc, f.date);
        let u64_of = |field| {
            use tantivy::schema::Value;
            doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
        };
        let matches = matches_of(&text, &hl, words);
        let hit = Hit {
            rank: 0,
            score: r.key.score,
            matched_words: r.key.matched,
            doc: first_text(doc, f.doc),
            passage: u64_of(f.passage),
            title,
            date,
            source: first_text(doc, f.source),
            url: first_text(doc, f.url),
            path: first_text(doc, f.file),
            snippet: snip.text,
            snippet_highlights: snip.highlights,
            matches,
            title_only: hl.is_empty(),
            title_highlights,
            title_matches,
            more: Vec::new(),
            copies: Vec::new(),
            copies_total: 0,
            text,
        };
        (hit, hl)
    }
}
