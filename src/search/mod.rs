//! Searching passages: parse, plan, rank, highlight.
//!
//! [`Searcher::search`] runs one query on the last commit of an index:
//! [`syntax`] splits the query, [`plan`] turns it into query words with their
//! alternatives (analysed by the index's own analyzer), a tantivy query over
//! `body` finds candidates, [`rank`] orders them, and [`highlight`] marks
//! what matched in the stored passage text.

pub mod expand;
pub mod highlight;
pub mod plan;
pub mod rank;
pub mod syntax;

use std::ops::Bound;

use chrono::NaiveDate;
use serde::Serialize;
use tantivy::query::{
    BooleanQuery, BoostQuery, EnableScoring, Occur as TOccur, PhraseQuery, Query, RangeQuery,
    RegexPhraseQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, OwnedValue};
use tantivy::{TantivyDocument, Term};

use crate::index::{Index, IndexError};
use highlight::{highlights, snippet, Highlight};
use plan::{Alt, How, QueryWord};
use rank::Ranker;
use syntax::Occur;

/// What to search for besides the query text.
#[derive(Clone, Debug)]
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
}

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
        }
    }
}

/// A matched span of a hit's passage text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

/// One ranked passage.
#[derive(Clone, Debug, Serialize)]
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
    /// Highlights of `snippet`, byte offsets into it.
    pub snippet_highlights: Vec<(usize, usize)>,
    /// Highlights of `text`, byte offsets into it.
    pub matches: Vec<Match>,
    /// Highlights of `title`, byte offsets into it.
    pub title_highlights: Vec<(usize, usize)>,
    /// How close the spellings the passage's text uses are to the query:
    /// for each query word, the weight of its best alternative found there
    /// (1 for the word as typed, its stem or an alias; 0 when absent).
    /// Orders passages that match as many words in the same ways (the
    /// closest spelling of a name first).
    #[serde(skip)]
    pub closeness: Vec<f32>,
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
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// A word in more than this share of passages (NUM/DEN, 5%) is common: it does
/// not count as a matched word for ranking.
const COMMON_SHARE_NUM: u64 = 1;
const COMMON_SHARE_DEN: u64 = 20;
/// ... and in at least this many passages (in a small corpus every word
/// would otherwise be common).
const COMMON_MIN_PASSAGES: u64 = 50;

/// Extra candidates ranked again by where they match (see `search_words`):
/// at least this many (at most the limit itself), and at least half the
/// limit, so that a long list puts passages naming the words in their own
/// text before those matching only through their title all the way down.
const RERANK_EXTRA: usize = 10;

/// Searches one index; reuse it for many queries.
pub struct Searcher {
    index: Index,
    searcher: tantivy::Searcher,
    aliases: expand::Aliases,
}

fn alt_query(field: tantivy::schema::Field, alt: &Alt) -> Box<dyn Query> {
    let prefixed = alt
        .terms
        .iter()
        .any(|(_, t)| t.ends_with(expand::PREFIX_MARK));
    let q: Box<dyn Query> = if prefixed && alt.terms.len() > 1 {
        // Initials: each `j*` matches the words starting with `j`.
        Box::new(RegexPhraseQuery::new_with_offset(
            field,
            alt.terms
                .iter()
                .map(|(off, t)| {
                    let pattern = match t.strip_suffix(expand::PREFIX_MARK) {
                        Some(prefix) => format!("{}.*", regex_escape(prefix)),
                        None => regex_escape(t),
                    };
                    (*off, pattern)
                })
                .collect(),
        ))
    } else if alt.terms.len() == 1 {
        Box::new(TermQuery::new(
            Term::from_field_text(field, &alt.terms[0].1),
            IndexRecordOption::WithFreqs,
        ))
    } else {
        Box::new(PhraseQuery::new_with_offset(
            alt.terms
                .iter()
                .map(|(off, t)| (*off, Term::from_field_text(field, t)))
                .collect(),
        ))
    };
    Box::new(BoostQuery::new(q, alt.weight))
}

/// Words of a name standing this far apart still count as together
/// (`Abou Bakr al-Baghdadi` for `Abu Bakr Baghdadi`).
const TOGETHER_SLOP: u32 = 3;
/// At most this many spellings of a name are tried together.
const TOGETHER_SPELLINGS: usize = 16;

/// The names of an unquoted query: runs of two or more consecutive single
/// words, each typed with a capital, with the same operator (titles aside).
fn name_runs(words: &[QueryWord]) -> Vec<Vec<&QueryWord>> {
    let mut runs: Vec<Vec<&QueryWord>> = Vec::new();
    let mut current: Vec<&QueryWord> = Vec::new();
    for w in words {
        let name = w.occur != Occur::MustNot
            && !w.title
            && !w.alts.is_empty()
            && w.words.first().is_some_and(|x| x.capitalized)
            && w.words.iter().all(|x| x.compound == w.words[0].compound);
        if name && current.last().is_none_or(|l| l.occur == w.occur) {
            current.push(w);
            continue;
        }
        if current.len() >= 2 {
            runs.push(std::mem::take(&mut current));
        }
        current.clear();
        if name {
            current.push(w);
        }
    }
    if current.len() >= 2 {
        runs.push(current);
    }
    runs
}

/// A query matching where the words of a name stand close together, in
/// order, in any of their single-term spellings.
fn together_query(field: tantivy::schema::Field, run: &[&QueryWord]) -> Option<Box<dyn Query>> {
    let mut phrases: Vec<(Vec<String>, f32)> = vec![(Vec::new(), 1.0)];
    for w in run {
        let mut spellings: Vec<&Alt> = w
            .alts
            .iter()
            .filter(|a| a.terms.len() == 1 && !a.terms[0].1.ends_with(expand::PREFIX_MARK))
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
            q.set_slop(TOGETHER_SLOP);
            (TOccur::Should, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    (!clauses.is_empty()).then(|| Box::new(BooleanQuery::new(clauses)) as Box<dyn Query>)
}

/// `text` with the characters that mean something in a regex escaped.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn word_query(field: tantivy::schema::Field, word: &QueryWord) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        word.alts
            .iter()
            .map(|a| (TOccur::Should, alt_query(field, a)))
            .collect(),
    ))
}

fn date_term(field: tantivy::schema::Field, day: NaiveDate, end_of_day: bool) -> Term {
    let t = day
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc().timestamp())
        .unwrap_or(0)
        + if end_of_day { 86_399 } else { 0 };
    Term::from_field_date_for_search(field, tantivy::DateTime::from_timestamp_secs(t))
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
        let aliases = expand::Aliases::new(&aliases, &index.analyzer);
        Ok(Searcher {
            index,
            searcher,
            aliases,
        })
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
        let mut words = plan::plan(&syntax::parse(query), &self.index.analyzer);
        let vocab = expand::Vocabulary::new(&self.searcher, self.index.schema.fields.body);
        expand::unstem_names(&mut words, &vocab);
        plan::mark_titles(&mut words, |w| {
            w.words.first().is_some_and(|x| x.capitalized)
                || (w.is_single() && expand::is_name(&w.words[0], &vocab))
        });
        if !strict {
            expand::expand(&mut words, &vocab, &self.aliases, &self.index.analyzer);
        }
        words
    }

    /// The spellings, aliases and typos of `query` found in the index, with
    /// how many passages and articles use each, most used first within each
    /// query word; the exact spelling first.
    pub fn variants(&self, query: &str, strict: bool) -> Result<Vec<Variant>, SearchError> {
        let f = self.index.schema.fields;
        let mut out = Vec::new();
        for word in self.plan(query, strict) {
            if word.occur == Occur::MustNot {
                continue;
            }
            let mut rows = Vec::new();
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
                        .map(|a| (TOccur::Should, alt_query(f.body, a)))
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
            let Some(col) = segment.fast_fields().str("unit")? else {
                continue;
            };
            for d in docs.iter().filter(|d| d.segment_ord as usize == ord) {
                for t in col.term_ords(d.doc_id) {
                    buf.clear();
                    if col.ord_to_str(t, &mut buf).unwrap_or(false) {
                        units.insert(buf.clone());
                    }
                }
            }
        }
        Ok(units.len() as u64)
    }

    /// Passages holding the word as typed (the most frequent of its exact
    /// terms; phrases count as rare).
    fn doc_freq(&self, word: &QueryWord) -> u64 {
        let f = self.index.schema.fields;
        word.alts
            .iter()
            .filter(|a| a.terms.len() == 1 && matches!(a.how, How::Exact | How::Stem))
            .map(|a| {
                self.searcher
                    .doc_freq(&Term::from_field_text(f.body, &a.terms[0].1))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    /// Runs `query` and returns the best passages, highlighted.
    pub fn search(&self, query: &str, opts: &SearchOptions) -> Result<Answer, SearchError> {
        let words = self.plan(query, opts.strict);
        let initials = |a: &Alt| {
            a.terms
                .iter()
                .any(|(_, t)| t.ends_with(expand::PREFIX_MARK))
        };
        if !words.iter().any(|w| w.alts.iter().any(initials)) {
            return self.search_words(words, opts);
        }
        // Initials expand to every indexed word they start; past tantivy's
        // bound on expansions the query fails. The query then runs without
        // its initials, as typed, rather than failing.
        match self.search_words(words.clone(), opts) {
            Ok(answer) => Ok(answer),
            Err(_) => {
                let mut words = words;
                for w in &mut words {
                    w.alts.retain(|a| !initials(a));
                }
                self.search_words(words, opts)
            }
        }
    }

    /// Runs an already planned query.
    pub fn search_words(
        &self,
        words: Vec<QueryWord>,
        opts: &SearchOptions,
    ) -> Result<Answer, SearchError> {
        let f = self.index.schema.fields;
        let positive: Vec<&QueryWord> = words
            .iter()
            .filter(|w| w.occur != Occur::MustNot && !w.alts.is_empty())
            .collect();
        if positive.is_empty() || opts.limit == 0 {
            return Ok(Answer {
                hits: Vec::new(),
                words,
            });
        }
        let mut word_clauses: Vec<(TOccur, Box<dyn Query>)> = Vec::new();
        for w in &words {
            let occur = match w.occur {
                Occur::MustNot => TOccur::MustNot,
                Occur::Must => TOccur::Must,
                Occur::Should if opts.all && !w.title => TOccur::Must,
                Occur::Should => TOccur::Should,
            };
            word_clauses.push((occur, word_query(f.body, w)));
        }
        // The words form one required clause, so that filters beside it
        // never turn its optional words into "match anything": with or
        // without filters, a hit matches the query's words the same way.
        // Filters restrict and do not score (boost 0), so scores are the
        // same as without them.
        let mut clauses: Vec<(TOccur, Box<dyn Query>)> =
            vec![(TOccur::Must, Box::new(BooleanQuery::new(word_clauses)))];
        let filter = |q: Box<dyn Query>| -> (TOccur, Box<dyn Query>) {
            (TOccur::Must, Box::new(BoostQuery::new(q, 0.0)))
        };
        if opts.since.is_some() || opts.until.is_some() {
            let lower = opts.since.map_or(Bound::Unbounded, |d| {
                Bound::Included(date_term(f.date, d, false))
            });
            let upper = opts.until.map_or(Bound::Unbounded, |d| {
                Bound::Included(date_term(f.date, d, true))
            });
            clauses.push(filter(Box::new(RangeQuery::new(lower, upper))));
        }
        if let Some(source) = &opts.source {
            let words = self.index.analyzer.words(source);
            if !words.is_empty() {
                let alts = plan::literal_alts(&words, source);
                clauses.push(filter(alt_query(f.source, &alts[0])));
            }
        }
        let query = BooleanQuery::new(clauses);
        // Words found in a large share of passages say little about which
        // passage is meant: they still score, but do not count as matched
        // words (unless every word of the query is that common).
        let total = self.searcher.num_docs().max(1);
        let distinctive: Vec<&&QueryWord> = positive
            .iter()
            .filter(|w| !w.title)
            .filter(|w| {
                let df = self.doc_freq(w);
                df < COMMON_MIN_PASSAGES || df * COMMON_SHARE_DEN < total * COMMON_SHARE_NUM
            })
            .collect();
        let counted: Vec<&QueryWord> = if distinctive.is_empty() {
            positive.iter().copied().filter(|w| !w.title).collect()
        } else {
            distinctive.into_iter().copied().collect()
        };
        let counted_texts: std::collections::HashSet<&str> =
            counted.iter().map(|w| w.text.as_str()).collect();
        let counting = counted
            .iter()
            .map(|w| {
                word_query(f.body, w).weight(EnableScoring::disabled_from_searcher(&self.searcher))
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        // A few more candidates than asked for: among passages matching as
        // many query words, those that name them in their own text (not only
        // through their article's title) come first, which only highlighting
        // can tell.
        let extra = opts.limit.min(RERANK_EXTRA).max(opts.limit / 2);
        let candidates = opts.limit.saturating_add(extra);
        let together = name_runs(&words)
            .iter()
            .filter_map(|run| together_query(f.body, run))
            .map(|q| q.weight(EnableScoring::disabled_from_searcher(&self.searcher)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let ranker = Ranker {
            words: counting,
            together,
            limit: candidates,
            date_field: "date".into(),
        };
        let ranked = self.searcher.search(&query, &ranker)?;
        let mut hits = Vec::with_capacity(ranked.len());
        for r in &ranked {
            let doc: TantivyDocument = self.searcher.doc(r.address)?;
            hits.push((self.hit(0, r, &doc, &words, opts), r.key));
        }
        // Query words a passage's own text matches: in any way, and as
        // written (exact or stem), so exact spellings come before variants,
        // aliases and typos; then the closest spellings before farther ones
        // (`Kharkov`: Kharkiv before Kerkhove).
        let in_text = |h: &Hit, literal: bool| {
            let mut w: Vec<&str> = h
                .matches
                .iter()
                .filter(|m| counted_texts.contains(m.query.as_str()))
                .filter(|m| !literal || matches!(m.how, How::Exact | How::Stem))
                .map(|m| m.query.as_str())
                .collect();
            w.sort_unstable();
            w.dedup();
            w.len()
        };
        let close = |h: &Hit| -> f32 {
            h.closeness
                .iter()
                .zip(&words)
                .filter(|(_, w)| counted_texts.contains(w.text.as_str()))
                .map(|(c, _)| c)
                .sum()
        };
        hits.sort_by(|(a, ka), (b, kb)| {
            kb.matched
                .cmp(&ka.matched)
                .then(kb.together.cmp(&ka.together))
                .then(in_text(b, false).cmp(&in_text(a, false)))
                .then(in_text(b, true).cmp(&in_text(a, true)))
                .then(close(b).total_cmp(&close(a)))
                .then(kb.cmp(ka))
        });
        let hits = hits
            .into_iter()
            .take(opts.limit)
            .enumerate()
            .map(|(i, (mut h, _))| {
                h.rank = i + 1;
                h
            })
            .collect();
        Ok(Answer { hits, words })
    }

    fn hit(
        &self,
        rank: usize,
        r: &rank::Ranked,
        doc: &TantivyDocument,
        words: &[QueryWord],
        opts: &SearchOptions,
    ) -> Hit {
        let f = self.index.schema.fields;
        let analyzer = &self.index.analyzer;
        let text = first_text(doc, f.text);
        let title = first_text(doc, f.title);
        let hl: Vec<Highlight> = highlights(analyzer, &text, words);
        let mut best_by_word: Vec<f32> = vec![0.0; words.len()];
        for h in &hl {
            // Spellings as typed and aliases are the name itself; variants
            // and typos are as close as their weight says.
            let close = match h.how {
                How::Variant | How::Typo => h.weight.min(1.0),
                _ => 1.0,
            };
            if let Some(b) = best_by_word.get_mut(h.word) {
                *b = b.max(close);
            }
        }
        let closeness = best_by_word;
        let snip = snippet(&text, &hl, opts.snippet_bytes);
        let title_highlights = highlights(analyzer, &title, words)
            .into_iter()
            .map(|h| (h.start, h.end))
            .collect();
        let date = doc
            .get_first(f.date)
            .and_then(|v| match OwnedValue::from(v) {
                OwnedValue::Date(d) => chrono::DateTime::from_timestamp(d.into_timestamp_secs(), 0)
                    .map(|d| d.date_naive().to_string()),
                _ => None,
            });
        let u64_of = |field| {
            use tantivy::schema::Value;
            doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(0)
        };
        let matches = hl
            .iter()
            .map(|h| Match {
                start: h.start,
                end: h.end,
                text: text[h.start..h.end].to_string(),
                query: words
                    .get(h.word)
                    .map(|w| w.text.clone())
                    .unwrap_or_default(),
                how: h.how,
                via: h.label.clone(),
            })
            .collect();
        Hit {
            rank,
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
            title_highlights,
            text,
            closeness,
        }
    }
}
