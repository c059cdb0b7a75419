//! Highlights and snippets, computed with the same analyzer and the same
//! alternatives as the query, so every highlighted word is one that matched
//! (stems, folded accents, spelling variants, aliases and typos included).
//!
//! Offsets are byte offsets into the passage text, on character boundaries.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap as HashMap;

use super::plan::{How, QueryWord};
use super::syntax::Occur;
use crate::analysis::{Analyzer, Word};
use crate::terms::{self, TermKind};

/// A matched span of a text.
#[derive(Clone, Debug, PartialEq)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
    /// Index of the query word it matched.
    pub word: usize,
    pub how: How,
    /// The spelling or alias of the alternative that matched.
    pub label: String,
    /// The ranking weight of that alternative (how close a spelling it is).
    pub weight: f32,
    /// Position of the matched word in the text (see [`Word::position`]).
    pub position: u32,
}

fn term_matches(term: &str, w: &Word) -> bool {
    match terms::kind(term) {
        TermKind::Stem(stem) => w.stem == stem,
        TermKind::Acronym(acronym) => w.acronym && w.exact == acronym,
        TermKind::Prefix(prefix) => w.exact.starts_with(prefix),
        TermKind::Exact(exact) => w.exact == exact,
    }
}

/// Words remembered by each searching thread's stem cache: the candidates
/// of a query, and of the next ones, share most of their words.
const CACHED_STEMS: usize = 50_000;

thread_local! {
    static STEMS: std::cell::RefCell<crate::analysis::stem::StemCache> =
        std::cell::RefCell::new(crate::analysis::stem::StemCache::new(CACHED_STEMS));
}

/// Analyses a searching thread made last: the next is written in the
/// buffers of one that nobody holds any more, rather than in new ones (a
/// query analyses dozens of candidates, each word two strings).
const SPARE_ANALYSES: usize = 8;

thread_local! {
    static SPARE: std::cell::RefCell<Vec<std::sync::Arc<Vec<Word>>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The words of `text`, analysed as for indexing (or as the analyzer kept
/// them, [`Analyzer::keeping`]); without `stems`, their stems may be left
/// empty (a query with no stem to match: names).
fn words_of(analyzer: &Analyzer, text: &str, stems: bool) -> std::sync::Arc<Vec<Word>> {
    if let Some(words) = analyzer.kept_words(text) {
        return words;
    }
    let mut words = SPARE
        .with(|spare| {
            let mut spare = spare.borrow_mut();
            let free = spare
                .iter()
                .position(|w| std::sync::Arc::strong_count(w) == 1)?;
            std::sync::Arc::try_unwrap(spare.swap_remove(free)).ok()
        })
        .unwrap_or_default();
    if !stems {
        analyzer.exact_words_into(text, &mut words);
    } else {
        STEMS.with(|cache| analyzer.analyze_cached(text, &mut words, &mut cache.borrow_mut()));
    }
    let words = std::sync::Arc::new(words);
    // Only whole analyses are kept for others.
    if stems {
        analyzer.keep_words(text, &words);
    }
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() >= SPARE_ANALYSES {
            spare.remove(0);
        }
        spare.push(words.clone());
    });
    words
}

/// A query's alternatives, looked up by the words a text holds: built once
/// per query, it highlights each text in one pass over its words rather
/// than one pass per alternative.
pub struct Highlighter<'q> {
    query: &'q [QueryWord],
    /// (query word, alternative) by the form of the alternative's first
    /// term: an exact word, a stem, an acronym as written.
    exact: HashMap<&'q str, Vec<(usize, usize)>>,
    stems: HashMap<&'q str, Vec<(usize, usize)>>,
    acronyms: HashMap<&'q str, Vec<(usize, usize)>>,
    /// Initials: prefixes, tried on every word.
    prefixes: Vec<(&'q str, usize, usize)>,
    /// How each alternative is shown: the alias table's own entry for the
    /// name typed (`al-Charaa`, with its article) is the name as typed,
    /// not another name.
    shown: Vec<Vec<How>>,
    /// Some alternative is a phrase.
    phrases: bool,
    /// Some alternative has a stem term: texts need their words' stems.
    stemmed: bool,
}

impl<'q> Highlighter<'q> {
    pub fn new(query: &'q [QueryWord]) -> Highlighter<'q> {
        let mut h = Highlighter {
            query,
            exact: HashMap::default(),
            stems: HashMap::default(),
            acronyms: HashMap::default(),
            prefixes: Vec::new(),
            shown: Vec::with_capacity(query.len()),
            phrases: false,
            stemmed: false,
        };
        for (qi, qw) in query.iter().enumerate() {
            let typed = crate::analysis::fold::fold_str(&qw.text);
            h.shown.push(
                qw.alts
                    .iter()
                    .map(|alt| {
                        if alt.how == How::Alias
                            && crate::analysis::fold::fold_str(&alt.label) == typed
                        {
                            How::Exact
                        } else {
                            alt.how
                        }
                    })
                    .collect(),
            );
            if qw.occur == Occur::MustNot {
                continue;
            }
            for (ai, alt) in qw.alts.iter().enumerate() {
                let Some((_, first)) = alt.terms.first() else {
                    continue;
                };
                h.phrases |= alt.terms.len() > 1;
                h.stemmed |= alt
                    .terms
                    .iter()
                    .any(|(_, t)| matches!(terms::kind(t), TermKind::Stem(_)));
                match terms::kind(first) {
                    TermKind::Stem(t) => h.stems.entry(t).or_default().push((qi, ai)),
                    TermKind::Acronym(t) => h.acronyms.entry(t).or_default().push((qi, ai)),
                    TermKind::Prefix(t) => h.prefixes.push((t, qi, ai)),
                    TermKind::Exact(t) => h.exact.entry(t).or_default().push((qi, ai)),
                }
            }
        }
        h
    }

    /// Every span of `text` that matches a positive query word.
    pub fn highlights(&self, analyzer: &Analyzer, text: &str) -> Vec<Highlight> {
        let words = words_of(analyzer, text, self.stemmed);
        // (query word, alternative, word) where the alternative's first
        // term matches, in that order: of two alternatives marking one span
        // equally well, the first one planned is shown.
        let mut starts: Vec<(usize, usize, usize)> = Vec::new();
        for (wi, w) in words.iter().enumerate() {
            let found = [
                self.exact.get(w.exact.as_str()),
                self.stems.get(w.stem.as_str()),
                w.acronym
                    .then(|| self.acronyms.get(w.exact.as_str()))
                    .flatten(),
            ];
            for &(qi, ai) in found.into_iter().flatten().flatten() {
                starts.push((qi, ai, wi));
            }
            for &(prefix, qi, ai) in &self.prefixes {
                if w.exact.starts_with(prefix) {
                    starts.push((qi, ai, wi));
                }
            }
        }
        starts.sort_unstable();
        let by_position: BTreeMap<u32, &Word> = if self.phrases {
            words.iter().map(|w| (w.position, w)).collect()
        } else {
            BTreeMap::new()
        };
        // (start, end) -> best highlight so far.
        let mut found: BTreeMap<(usize, usize), Highlight> = BTreeMap::new();
        let mut keep = |w: &Word, qi: usize, how: How, label: &str, weight: f32| {
            let made = || Highlight {
                start: w.start,
                end: w.end,
                word: qi,
                how,
                label: label.to_string(),
                weight,
                position: w.position,
            };
            match found.entry((w.start, w.end)) {
                std::collections::btree_map::Entry::Occupied(mut old) => {
                    let o = old.get();
                    if how < o.how || (how == o.how && weight > o.weight) {
                        *old.get_mut() = made();
                    }
                }
                std::collections::btree_map::Entry::Vacant(new) => {
                    new.insert(made());
                }
            }
        };
        for (qi, ai, wi) in starts {
            let alt = &self.query[qi].alts[ai];
            let how = self.shown[qi][ai];
            let w = &words[wi];
            let span: Option<Vec<&Word>> = if alt.terms.len() == 1 {
                Some(vec![w])
            } else {
                alt.terms
                    .iter()
                    .map(|(off, term)| {
                        let pos = w.position.checked_add(u32::try_from(*off).ok()?)?;
                        by_position
                            .get(&pos)
                            .copied()
                            .filter(|x| term_matches(term, x))
                    })
                    .collect()
            };
            for (k, x) in span.into_iter().flatten().enumerate() {
                match alt.parts.get(k) {
                    Some((how, via)) => keep(x, qi, *how, via, alt.weight),
                    None => keep(x, qi, how, &alt.label, alt.weight),
                }
            }
        }
        found.into_values().collect()
    }
}

/// Finds every span of `text` that matches a positive query word (see
/// [`Highlighter`], for many texts).
pub fn highlights(analyzer: &Analyzer, text: &str, query: &[QueryWord]) -> Vec<Highlight> {
    Highlighter::new(query).highlights(analyzer, text)
}

/// A query's highlighter that analyses a text once however often it is
/// shown: a page's candidates repeat texts (the title an article's passages
/// share, the copies of a dispatch), and a larger pool shows the smaller
/// one's candidates again. For one query's candidates: it keeps every text.
pub struct HighlightCache<'q> {
    highlighter: Highlighter<'q>,
    texts: HashMap<String, Vec<Highlight>>,
}

impl<'q> HighlightCache<'q> {
    pub fn new(highlighter: Highlighter<'q>) -> HighlightCache<'q> {
        HighlightCache {
            highlighter,
            texts: HashMap::default(),
        }
    }

    /// What [`Highlighter::highlights`] gives for `text`.
    pub fn highlights(&mut self, analyzer: &Analyzer, text: &str) -> Vec<Highlight> {
        if let Some(known) = self.texts.get(text) {
            return known.clone();
        }
        let found = self.highlighter.highlights(analyzer, text);
        self.texts.insert(text.to_string(), found.clone());
        found
    }
}

/// A short excerpt of a passage, with its highlights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Byte offsets into `text`, and how each matched.
    pub highlights: Vec<(usize, usize, How)>,
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Start of the word containing byte `i` (or `i` itself at a space): the
/// byte just after the last whitespace character before `i`. Whitespace
/// may be several bytes long (U+00A0, U+202F, U+2009 are two or three), so
/// the result is computed from that character's length, never as "+1".
fn word_start(s: &str, i: usize) -> usize {
    let i = floor_boundary(s, i);
    s[..i]
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace())
        .map_or(0, |(p, c)| p + c.len_utf8())
}

/// End of the word containing byte `i`: the start of the first whitespace
/// character at or after `i`, or the end of `s`.
fn word_end(s: &str, i: usize) -> usize {
    let i = floor_boundary(s, i);
    s[i..].find(char::is_whitespace).map_or(s.len(), |p| i + p)
}

/// Picks the fragment(s) of `text` that show the most query words, at most
/// about `max` bytes each, and at most two, joined by " … ".
pub fn snippet(text: &str, hl: &[Highlight], max: usize) -> Snippet {
    if text.len() <= max || hl.is_empty() {
        let end = if text.len() <= max {
            text.len()
        } else {
            word_end(text, max)
        };
        let mut s: String = text[..end]
            .chars()
            .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
            .collect();
        if end < text.len() {
            s.push_str(" …");
        }
        let highlights = hl
            .iter()
            .filter(|h| h.end <= end)
            .map(|h| (h.start, h.end, h.how))
            .collect();
        return Snippet {
            text: s,
            highlights,
        };
    }
    // Candidate windows start a little before each highlight.
    let window = |h: &Highlight| {
        let start = word_start(text, h.start.saturating_sub(max / 4));
        let end = word_end(text, (start + max).min(text.len()));
        (start, end)
    };
    let score = |(s, e): (usize, usize), taken: &[usize]| {
        let inside: Vec<&Highlight> = hl.iter().filter(|h| h.start >= s && h.end <= e).collect();
        let mut distinct: Vec<usize> = inside
            .iter()
            .map(|h| h.word)
            .filter(|w| !taken.contains(w))
            .collect();
        distinct.sort_unstable();
        distinct.dedup();
        (distinct.len(), inside.len())
    };
    let mut windows: Vec<(usize, usize)> = Vec::new();
    let mut taken: Vec<usize> = Vec::new();
    for _ in 0..2 {
        let best = hl
            .iter()
            .map(window)
            .filter(|&(s, e)| windows.iter().all(|&(ws, we)| e <= ws || s >= we))
            .max_by_key(|&w| (score(w, &taken), std::cmp::Reverse(w.0)));
        let Some(best) = best else { break };
        if !windows.is_empty() && score(best, &taken).0 == 0 {
            break;
        }
        for h in hl.iter().filter(|h| h.start >= best.0 && h.end <= best.1) {
            taken.push(h.word);
        }
        windows.push(best);
    }
    windows.sort_unstable();
    let mut out = Snippet {
        text: String::new(),
        highlights: Vec::new(),
    };
    for (i, &(s, e)) in windows.iter().enumerate() {
        if i > 0 {
            out.text.push_str(" … ");
        } else if s > 0 {
            out.text.push_str("… ");
        }
        let base = out.text.len();
        // Line breaks become spaces (same length: offsets stay valid).
        out.text.extend(
            text[s..e]
                .chars()
                .map(|c| if c == '\n' || c == '\r' { ' ' } else { c }),
        );
        for h in hl.iter().filter(|h| h.start >= s && h.end <= e) {
            out.highlights
                .push((base + h.start - s, base + h.end - s, h.how));
        }
    }
    if windows.last().is_some_and(|&(_, e)| e < text.len()) {
        out.text.push_str(" …");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::plan::plan;
    use crate::search::rank::RankParams;
    use crate::search::syntax::parse;

    #[test]
    fn a_remembered_text_is_highlighted_as_the_first_time_and_others_on_their_own() {
        let a = Analyzer::default();
        let q = plan(&parse("réfugiés Gaza"), &a, &RankParams::default());
        let mut remembered = HighlightCache::new(Highlighter::new(&q));
        let one = "Des réfugiés arrivent de Gaza.";
        let other = "Les réfugiés restent.";
        let first = remembered.highlights(&a, one);
        assert_eq!(first.len(), 2);
        assert_eq!(remembered.highlights(&a, other), highlights(&a, other, &q));
        assert_eq!(remembered.highlights(&a, one), first);
        assert_eq!(remembered.highlights(&a, other).len(), 1);
    }

    fn spans(text: &str, query: &str) -> Vec<(String, How)> {
        let a = Analyzer::default();
        let q = plan(&parse(query), &a, &RankParams::default());
        highlights(&a, text, &q)
            .into_iter()
            .map(|h| (text[h.start..h.end].to_string(), h.how))
            .collect()
    }

    #[test]
    fn stems_and_folded_accents_are_highlighted() {
        assert_eq!(
            spans("Les réfugiés et un réfugié syrien", "refugie"),
            vec![
                ("réfugiés".to_string(), How::Stem),
                ("réfugié".to_string(), How::Exact)
            ]
        );
    }

    #[test]
    fn phrases_highlight_only_where_the_words_follow_each_other() {
        assert_eq!(
            spans(
                "bases militaires; militaires sans bases",
                "\"bases militaires\""
            ),
            vec![
                ("bases".to_string(), How::Exact),
                ("militaires".to_string(), How::Exact)
            ]
        );
    }

    #[test]
    fn excluded_words_are_not_highlighted() {
        assert!(spans("Damas et Moscou", "-Damas").is_empty());
    }

    #[test]
    fn snippet_offsets_point_at_the_highlighted_words() {
        let a = Analyzer::default();
        let text = format!(
            "{} Qamichli est tenue par les forces kurdes. {}",
            "x ".repeat(300),
            "y ".repeat(300)
        );
        let q = plan(&parse("Qamichli kurdes"), &a, &RankParams::default());
        let hl = highlights(&a, &text, &q);
        let s = snippet(&text, &hl, 200);
        assert!(s.text.len() < 260, "{}", s.text.len());
        let words: Vec<&str> = s
            .highlights
            .iter()
            .map(|&(b, e, _)| &s.text[b..e])
            .collect();
        assert_eq!(words, ["Qamichli", "kurdes"]);
    }

    #[test]
    fn snippets_cut_next_to_non_breaking_and_thin_spaces() {
        // A window boundary right after a two- or three-byte space used to
        // fall inside it ("byte index is not a char boundary").
        let a = Analyzer::default();
        for space in ['\u{a0}', '\u{202f}', '\u{2009}'] {
            for pad in 0..40 {
                let text = format!(
                    "{}Selon{space}«{space}Le Monde{space}», Vladimir{space}Poutine{space}a parlé{space}; {}",
                    "mot ".repeat(pad),
                    format!("mot{space}").repeat(80)
                );
                let q = plan(&parse("Poutine"), &a, &RankParams::default());
                let hl = highlights(&a, &text, &q);
                let s = snippet(&text, &hl, 64);
                let got: Vec<&str> = s
                    .highlights
                    .iter()
                    .map(|&(b, e, _)| &s.text[b..e])
                    .collect();
                assert_eq!(got, ["Poutine"], "{space:?} {pad}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// On any text, highlights are whole words of the text that match a
        /// query word, snippets never panic, and every snippet highlight
        /// shows the same characters as the highlight it comes from.
        #[test]
        fn highlights_and_snippets_hold_on_any_text(
            text in crate::analysis::testing::tricky_text(400),
            pick in proptest::prelude::any::<proptest::sample::Index>(),
            extra in crate::analysis::testing::tricky_text(12),
            max in 8usize..200,
        ) {
            let a = Analyzer::default();
            let words = a.words(&text);
            // Query one of the text's own words (and some noise).
            let query = match words.is_empty() {
                true => extra.clone(),
                false => format!("{} {extra}", &text[words[pick.index(words.len())].start..words[pick.index(words.len())].end]),
            };
            let q = plan(&parse(&query), &a, &RankParams::default());
            let hl = highlights(&a, &text, &q);
            for h in &hl {
                proptest::prop_assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
                let w = words.iter().find(|w| w.start == h.start && w.end == h.end);
                proptest::prop_assert!(w.is_some(), "highlight {h:?} is not a word of the text");
                let w = w.unwrap();
                let alts = &q[h.word].alts;
                proptest::prop_assert!(
                    alts.iter().any(|alt| alt.terms.iter().any(|(_, t)| term_matches(t, w))),
                    "{w:?} matches no alternative of {:?}", q[h.word]
                );
            }
            // And every word that a positive word's single-term
            // alternative matches is highlighted, with a kind no weaker.
            for qw in q.iter().filter(|w| w.occur != Occur::MustNot) {
                for alt in qw.alts.iter().filter(|a| a.terms.len() == 1) {
                    for w in words.iter().filter(|w| term_matches(&alt.terms[0].1, w)) {
                        let h = hl.iter().find(|h| h.start == w.start && h.end == w.end);
                        proptest::prop_assert!(
                            h.is_some_and(|h| h.how <= alt.how || alt.how == How::Alias),
                            "{w:?} matches {alt:?} but is highlighted as {h:?}"
                        );
                    }
                }
            }
            let s = snippet(&text, &hl, max);
            let originals: Vec<&str> = hl.iter().map(|h| &text[h.start..h.end]).collect();
            for &(b, e, _) in &s.highlights {
                proptest::prop_assert!(b <= e && e <= s.text.len());
                proptest::prop_assert!(s.text.is_char_boundary(b) && s.text.is_char_boundary(e));
                let shown = &s.text[b..e];
                proptest::prop_assert!(
                    originals.iter().any(|o| o.replace(['\n', '\r'], " ") == shown),
                    "snippet highlight {shown:?} is not a highlighted word"
                );
            }
        }
    }

    #[test]
    fn short_passages_are_shown_whole() {
        let s = snippet("Court.", &[], 300);
        assert_eq!(s.text, "Court.");
    }
}
