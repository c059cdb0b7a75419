//! Highlights and snippets, computed with the same analyzer and the same
//! alternatives as the query, so every highlighted word is one that matched
//! (stems, folded accents, spelling variants, aliases and typos included).
//!
//! Offsets are byte offsets into the passage text, on character boundaries.

use std::collections::BTreeMap;

use super::plan::{How, QueryWord};
use super::syntax::Occur;
use crate::analysis::tokenizer::STEM_MARK;
use crate::analysis::{Analyzer, Word};

/// A matched span of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    pub start: usize,
    pub end: usize,
    /// Index of the query word it matched.
    pub word: usize,
    pub how: How,
    /// The spelling or alias of the alternative that matched.
    pub label: String,
}

fn term_matches(term: &str, w: &Word) -> bool {
    match term.strip_prefix(STEM_MARK) {
        Some(stem) => w.stem == stem,
        None => w.exact == term,
    }
}

/// Finds every span of `text` that matches a positive query word.
pub fn highlights(analyzer: &Analyzer, text: &str, query: &[QueryWord]) -> Vec<Highlight> {
    let words = analyzer.words(text);
    let by_position: BTreeMap<u32, &Word> = words.iter().map(|w| (w.position, w)).collect();
    // (start, end) -> best highlight so far.
    let mut found: BTreeMap<(usize, usize), Highlight> = BTreeMap::new();
    let mut keep = |w: &Word, qi: usize, how: How, label: &str| {
        let h = Highlight {
            start: w.start,
            end: w.end,
            word: qi,
            how,
            label: label.to_string(),
        };
        found
            .entry((w.start, w.end))
            .and_modify(|old| {
                if how < old.how {
                    *old = h.clone();
                }
            })
            .or_insert(h);
    };
    for (qi, qw) in query.iter().enumerate() {
        if qw.occur == Occur::MustNot {
            continue;
        }
        for alt in &qw.alts {
            let Some((_, first)) = alt.terms.first() else {
                continue;
            };
            for w in words.iter().filter(|w| term_matches(first, w)) {
                let span: Option<Vec<&Word>> = alt
                    .terms
                    .iter()
                    .map(|(off, term)| {
                        let pos = w.position.checked_add(u32::try_from(*off).ok()?)?;
                        by_position
                            .get(&pos)
                            .copied()
                            .filter(|x| term_matches(term, x))
                    })
                    .collect();
                for x in span.into_iter().flatten() {
                    keep(x, qi, alt.how, &alt.label);
                }
            }
        }
    }
    found.into_values().collect()
}

/// A short excerpt of a passage, with its highlights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    pub text: String,
    /// Byte offsets into `text`.
    pub highlights: Vec<(usize, usize)>,
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Start of the word containing byte `i` (or `i` itself at a space).
fn word_start(s: &str, i: usize) -> usize {
    let i = floor_boundary(s, i);
    s[..i]
        .rfind(char::is_whitespace)
        .map_or(0, |p| p + 1)
        .min(i)
}

/// End of the word containing byte `i`.
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
            .map(|h| (h.start, h.end))
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
            out.highlights.push((base + h.start - s, base + h.end - s));
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
    use crate::search::syntax::parse;

    fn spans(text: &str, query: &str) -> Vec<(String, How)> {
        let a = Analyzer::default();
        let q = plan(&parse(query), &a);
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
        let q = plan(&parse("Qamichli kurdes"), &a);
        let hl = highlights(&a, &text, &q);
        let s = snippet(&text, &hl, 200);
        assert!(s.text.len() < 260, "{}", s.text.len());
        let words: Vec<&str> = s.highlights.iter().map(|&(b, e)| &s.text[b..e]).collect();
        assert_eq!(words, ["Qamichli", "kurdes"]);
    }

    #[test]
    fn short_passages_are_shown_whole() {
        let s = snippet("Court.", &[], 300);
        assert_eq!(s.text, "Court.");
    }
}
