//! From the user's clauses to query words and their alternatives.
//!
//! A *query word* is what the user means as one thing: a plain word, a
//! hyphenated word (`al-Charaa`), or a quoted phrase. Each has alternatives,
//! the ways a passage may match it, each with a weight and a reason:
//! the exact (folded) word, its stem, and (see [`super::expand`]) spelling
//! variants, aliases and typos found in the index. Highlighting reads the
//! same alternatives, so what is highlighted is exactly what matched.

use serde::{Deserialize, Serialize};

use super::rank::RankParams;
use super::syntax::{Clause, Occur};
use crate::analysis::{Analyzer, Word};
use crate::names;
use crate::terms::stem_term;

/// Why a passage word matched a query word.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum How {
    /// The word as typed (accents and case aside).
    Exact,
    /// Another form of the same word (plural, feminine, conjugation).
    Stem,
    /// Another transliteration of the same name.
    Variant,
    /// Another name of the same person, place or organisation (alias file).
    Alias,
    /// A close misspelling.
    Typo,
}

impl How {
    pub fn as_str(self) -> &'static str {
        match self {
            How::Exact => "exact",
            How::Stem => "stem",
            How::Variant => "variant",
            How::Alias => "alias",
            How::Typo => "typo",
        }
    }
}

/// One way to match a query word: terms at relative positions.
#[derive(Clone, Debug, PartialEq)]
pub struct Alt {
    /// (position offset, indexed term); one term, or a phrase.
    pub terms: Vec<(usize, String)>,
    pub weight: f32,
    pub how: How,
    /// The spelling or name this alternative stands for, for explanations.
    pub label: String,
    /// For a phrase whose words matched in different ways (a quoted name
    /// in another spelling: `Ahmed` exact, `el` variant of `al`, `Chareh`
    /// variant of `Sharaa`), how and via what each term matched, in the
    /// order of `terms`; empty when `how` and `label` hold for every term.
    pub parts: Vec<(How, String)>,
}

impl Alt {
    /// An alternative made of one term.
    pub fn single(term: String, weight: f32, how: How, label: String) -> Alt {
        Alt {
            terms: vec![(0, term)],
            weight,
            how,
            label,
            parts: Vec::new(),
        }
    }
}

/// A query word with the ways it may match.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryWord {
    /// As the user typed it.
    pub text: String,
    pub occur: Occur,
    /// The analysed words it stands for (articles of names dropped).
    pub words: Vec<Word>,
    pub alts: Vec<Alt>,
    /// A leading Arabic article (`al-`, `el-`…) was typed and dropped.
    pub article: bool,
    /// A title or honorific typed before a name (`président`, `M.`): it
    /// helps ranking but is never required and never counts as matched.
    pub title: bool,
}

impl QueryWord {
    /// True when this is a single word (not a phrase).
    pub fn is_single(&self) -> bool {
        self.words.len() == 1
    }
}

/// The exact and stem alternatives of a sequence of analysed words.
pub fn literal_alts(words: &[Word], label: &str, p: &RankParams) -> Vec<Alt> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let offset = |w: &Word| (w.position - first.position) as usize;
    vec![
        Alt {
            terms: words.iter().map(|w| (offset(w), w.exact.clone())).collect(),
            weight: p.exact,
            how: How::Exact,
            label: label.to_string(),
            parts: Vec::new(),
        },
        Alt {
            terms: words
                .iter()
                .map(|w| (offset(w), stem_term(&w.stem)))
                .collect(),
            weight: p.stem,
            how: How::Stem,
            label: label.to_string(),
            parts: Vec::new(),
        },
    ]
}

/// Drops a leading Arabic article joined to a name (`al-`, `el-`, `ach-`…):
/// transliterations differ most there, and the name is what identifies.
/// True when there was one.
pub fn drop_article(words: &mut Vec<Word>) -> bool {
    let article = words.len() > 1
        && words[1].hyphenated
        && words[1].compound == words[0].compound
        && names::is_article(&words[0].exact);
    if article {
        words.remove(0);
    }
    article
}

/// Titles and honorifics, embedded from `index-schema/titles.txt`.
pub const TITLES: &str = include_str!("../../index-schema/titles.txt");

/// True when `exact` (a folded word) is a title or honorific.
pub fn is_title(exact: &str) -> bool {
    static TITLE_SET: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    TITLE_SET
        .get_or_init(|| {
            crate::analysis::word_list(TITLES)
                .map(crate::analysis::fold::fold_str)
                .collect()
        })
        .contains(exact)
}

/// Marks the query words that are titles typed before a name: a single
/// word of [`TITLES`] followed by a name (`is_name`) or by another such
/// title (`le premier ministre Castex`), with the same operator.
pub fn mark_titles(words: &mut [QueryWord], is_name: impl Fn(&QueryWord) -> bool) {
    for i in (0..words.len().saturating_sub(1)).rev() {
        let next = &words[i + 1];
        let before_name = next.title || is_name(next);
        let w = &words[i];
        let title =
            before_name && w.is_single() && w.occur == next.occur && is_title(&w.words[0].exact);
        words[i].title = title;
    }
}

/// Turns clauses into query words with their literal alternatives.
pub fn plan(clauses: &[Clause], analyzer: &Analyzer, p: &RankParams) -> Vec<QueryWord> {
    let mut out = Vec::new();
    for clause in clauses {
        let words = analyzer.words(&clause.text);
        if words.is_empty() {
            continue;
        }
        let groups: Vec<Vec<Word>> = if clause.phrase {
            vec![words]
        } else {
            let mut groups: Vec<Vec<Word>> = Vec::new();
            for w in words {
                match groups.last_mut() {
                    Some(g) if g[0].compound == w.compound => g.push(w),
                    _ => groups.push(vec![w]),
                }
            }
            groups
        };
        for mut group in groups {
            let start = group[0].start;
            let end = group[group.len() - 1].end;
            let text = clause.text[start..end].to_string();
            let article = !clause.phrase && drop_article(&mut group);
            let alts = literal_alts(&group, &text, p);
            out.push(QueryWord {
                text,
                occur: clause.occur,
                words: group,
                alts,
                article,
                title: false,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::syntax::parse;

    fn words(q: &str) -> Vec<(String, Vec<String>)> {
        plan(&parse(q), &Analyzer::default(), &RankParams::default())
            .into_iter()
            .map(|w| (w.text, w.words.into_iter().map(|w| w.exact).collect()))
            .collect()
    }

    #[test]
    fn plain_words_hyphenated_words_and_phrases() {
        assert_eq!(
            words(r#"bases Moyen-Orient "forces de l'ordre""#),
            vec![
                ("bases".to_string(), vec!["bases".to_string()]),
                (
                    "Moyen-Orient".to_string(),
                    vec!["moyen".into(), "orient".into()]
                ),
                (
                    "forces de l'ordre".to_string(),
                    vec!["forces".into(), "ordre".into()]
                ),
            ]
        );
    }

    #[test]
    fn stopword_only_clauses_vanish() {
        assert!(words("de la les").is_empty());
    }

    #[test]
    fn phrase_alternatives_keep_stopword_gaps() {
        let qw = &plan(
            &parse("\"président de la transition\""),
            &Analyzer::default(),
            &RankParams::default(),
        )[0];
        assert_eq!(
            qw.alts[0].terms,
            vec![(0, "president".to_string()), (3, "transition".to_string())]
        );
        assert_eq!(qw.alts[1].how, How::Stem);
    }
}
