//! The ranking policy, in one place: every weight and switch that decides
//! the order of results is a named field of [`RankParams`], and
//! [`order`] is the one function that orders candidates.
//!
//! Ranking runs in stages (see `Searcher::search_words`):
//!
//! 1. **query**: each query word is a dis-max of its alternatives (exact,
//!    stem, spelling variants, aliases, typos, each weighted by the fields
//!    below), so a passage scores the best way it matches each word, not
//!    the sum of several spellings; filters restrict without scoring.
//! 2. **collect**: a collector keeps the best candidates by a cheap key,
//!    computed for every matching passage: query words matched as written
//!    (exact or stem) first when [`RankParams::literal_first`], then the
//!    names of the query standing together, then words matched, BM25 and
//!    date ([`collector::Key`]).
//! 3. **features**: for each candidate, its stored text is highlighted
//!    once, which gives the features only the text can tell: which words
//!    the passage's own text matches (not only its title), how close the
//!    spellings are, how close together the words stand.
//! 4. **order**: [`order`] sorts candidates by those features.
//! 5. **present**: the first `limit` become hits.

pub mod collector;

use std::cmp::Ordering;

pub use collector::{Collected, Key, KeyOrder, Ranked, Ranker, Tally};

/// How results are sorted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sort {
    /// Best match first; ties newest first.
    #[default]
    Relevance,
    /// Newest first; ties best match first.
    Date,
}

/// Every weight and switch of the ranking. [`RankParams::default`] is the
/// shipped policy; [`RankParams::with_overrides`] changes named fields, for
/// benchmarks that switch features off in turn.
#[derive(Clone, Debug, PartialEq)]
pub struct RankParams {
    // --- Weights of the alternatives of a query word (query stage).
    /// The word as typed (accents and case aside).
    pub exact: f32,
    /// Another form of the same word (its stem).
    pub stem: f32,
    /// A name, which has no stem alternative, as typed.
    pub name_exact: f32,
    /// A spelling variant, times its closeness.
    pub variant: f32,
    /// A variant found through a Latin reading of another script.
    pub transliteration: f32,
    /// The weight of the rarest variant of a name typed in another script
    /// (or not written in the corpus as typed); the most used gets 1.
    pub rarest_variant: f32,
    /// Another form of an Arabic article (`el` for `al`) or of "son of"
    /// (`bin` for `ben`) inside a quoted name.
    pub particle: f32,
    /// An alias from the alias table.
    pub alias: f32,
    /// A typo correction.
    pub typo: f32,
    /// A word's exact and stem forms score as the exact's score plus this
    /// share of the stem's (0: the best of the two only; 1: their sum).
    /// Across other spellings, aliases and typos only the best counts.
    pub dismax_tie: f32,

    // --- Ordering (collect and order stages).
    /// Passages that match more query words as written (exact or stem)
    /// come before passages that need variants, aliases or typos, over
    /// the whole result list.
    pub literal_first: bool,
    /// Names of the query (runs of capitalised words) whose words stand
    /// together come first.
    pub together_first: bool,
    /// Passages that match more distinct query words come first, before
    /// BM25 (for short queries: a passage naming every thing asked for
    /// beats one that repeats a single word).
    pub coordination: bool,
    /// Coordination applies to queries of at most this many distinctive
    /// words; longer ones (questions) are ranked by score, whose BM25
    /// already rewards matching more words.
    pub coordination_max_words: usize,
    /// A question (see [`is_question`]) is ranked by score whatever its
    /// length, like the longer queries.
    pub questions_by_score: bool,
    /// Among passages matching as many words, those whose own text (not
    /// only their article's title) matches come first (short queries).
    pub text_before_title: bool,
    /// Among those, the closest spellings of a name first.
    pub closest_first: bool,
    /// Score bonus for query words standing close together: up to this
    /// much per extra word inside the smallest window holding them.
    pub proximity: f32,
    /// Window size, in words, at which the proximity bonus halves.
    pub proximity_span: f32,
    /// Weight of the pairs of neighbouring query words, scored as phrases
    /// (through their stems, `pair_slop` words apart at most) inside the
    /// query: passages where the question's words stand together score
    /// higher, over the whole index. 0 switches pairs off.
    pub pairs: f32,
    pub pair_slop: u32,
    /// Scale of the average passage length used by BM25's length
    /// normalisation: above 1 long passages are penalised less.
    pub length_scale: f32,

    // --- Candidates.
    /// Extra candidates re-ordered by their features, beyond the limit: at
    /// least this many, and at least `rerank_share` times the limit.
    pub rerank_extra: usize,
    pub rerank_share: f32,
    /// A word in more than this share of passages is common: it scores
    /// but does not count as a matched word...
    pub common_share: f64,
    /// ... when it is in at least this many passages.
    pub common_min_passages: u64,
    /// Whether a common word matches passages by itself in a short query
    /// (one ordered by words matched, see `coordination`). Off: beside
    /// words that are not common, a common word only adds to the score of
    /// the passages those find (`Jean` in `Jean Castex` finds nothing
    /// alone), so the totals count the passages the query is about, and
    /// the collect stage visits those only. Such passages ranked after
    /// every other anyway. A query of common words only, a question or a
    /// long query (ranked by score, where passages sharing only common
    /// words with a question can answer it) keeps every word matching.
    pub common_match: bool,
    /// Words of a name standing this far apart still count as together.
    pub together_slop: u32,
}

impl Default for RankParams {
    fn default() -> Self {
        RankParams {
            exact: 1.0,
            stem: 1.0,
            name_exact: 2.0,
            variant: 1.0,
            transliteration: 0.9,
            rarest_variant: 0.7,
            particle: 0.95,
            alias: 0.8,
            typo: 0.4,
            dismax_tie: 0.5,
            literal_first: true,
            together_first: true,
            coordination: true,
            coordination_max_words: 3,
            questions_by_score: true,
            text_before_title: true,
            closest_first: true,
            proximity: 3.0,
            proximity_span: 5.0,
            pairs: 0.2,
            pair_slop: 2,
            length_scale: 2.0,
            rerank_extra: 10,
            rerank_share: 0.5,
            common_share: 0.05,
            common_min_passages: 50,
            common_match: false,
            together_slop: 3,
        }
    }
}

/// A bad `--ranking` override.
#[derive(Debug, thiserror::Error)]
#[error("ranking override {spec:?}: {reason}")]
pub struct OverrideError {
    pub spec: String,
    pub reason: String,
}

impl RankParams {
    /// The default policy with some fields changed: `spec` is a list of
    /// `name=value` separated by commas (`proximity=0,coordination=off`).
    pub fn with_overrides(spec: &str) -> Result<RankParams, OverrideError> {
        let mut p = RankParams::default();
        for item in spec.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let err = |reason: &str| OverrideError {
                spec: item.to_string(),
                reason: reason.to_string(),
            };
            let (name, value) = item
                .split_once('=')
                .ok_or_else(|| err("expected name=value"))?;
            let (name, value) = (name.trim(), value.trim());
            let float = || {
                value
                    .parse::<f32>()
                    .ok()
                    .filter(|v| v.is_finite() && *v >= 0.0)
            };
            let flag = || match value {
                "on" | "true" | "1" => Some(true),
                "off" | "false" | "0" => Some(false),
                _ => None,
            };
            let count = || value.parse::<usize>().ok();
            macro_rules! set {
                ($field:ident, $parse:expr, $what:expr) => {
                    p.$field = $parse.ok_or_else(|| err($what))?
                };
            }
            const F: &str = "expected a number >= 0";
            const B: &str = "expected on or off";
            const N: &str = "expected a whole number";
            match name {
                "exact" => set!(exact, float(), F),
                "stem" => set!(stem, float(), F),
                "name_exact" => set!(name_exact, float(), F),
                "variant" => set!(variant, float(), F),
                "transliteration" => set!(transliteration, float(), F),
                "rarest_variant" => set!(rarest_variant, float(), F),
                "particle" => set!(particle, float(), F),
                "alias" => set!(alias, float(), F),
                "typo" => set!(typo, float(), F),
                "dismax_tie" => set!(dismax_tie, float().filter(|v| *v <= 1.0), "expected 0 to 1"),
                "literal_first" => set!(literal_first, flag(), B),
                "together_first" => set!(together_first, flag(), B),
                "coordination" => set!(coordination, flag(), B),
                "coordination_max_words" => set!(coordination_max_words, count(), N),
                "questions_by_score" => set!(questions_by_score, flag(), B),
                "text_before_title" => set!(text_before_title, flag(), B),
                "closest_first" => set!(closest_first, flag(), B),
                "proximity" => set!(proximity, float(), F),
                "proximity_span" => set!(proximity_span, float().filter(|v| *v > 0.0), F),
                "pairs" => set!(pairs, float(), F),
                "pair_slop" => set!(pair_slop, count().and_then(|v| u32::try_from(v).ok()), N),
                "length_scale" => set!(length_scale, float().filter(|v| *v > 0.0), F),
                "rerank_extra" => set!(rerank_extra, count(), N),
                "rerank_share" => set!(rerank_share, float(), F),
                "common_match" => set!(common_match, flag(), B),
                "together_slop" => set!(
                    together_slop,
                    count().and_then(|v| u32::try_from(v).ok()),
                    N
                ),
                _ => return Err(err("unknown name")),
            }
        }
        Ok(p)
    }

    /// How many candidates to collect for `limit` results.
    pub fn candidates(&self, limit: usize) -> usize {
        let share = (limit as f32 * self.rerank_share) as usize;
        let extra = limit.min(self.rerank_extra).max(share);
        limit.saturating_add(extra)
    }
}

/// French interrogative words: a query that opens with one (within its
/// first three words: `En quelle année`, `Dans quel pays`) or ends with a
/// question mark is a question, not a name or a topic.
const INTERROGATIVES: &[&str] = &[
    "qui",
    "que",
    "qu",
    "quoi",
    "quel",
    "quelle",
    "quels",
    "quelles",
    "quand",
    "ou",
    "comment",
    "pourquoi",
    "combien",
    "lequel",
    "laquelle",
    "lesquels",
    "lesquelles",
];

/// True when `query` reads as a question (see [`INTERROGATIVES`]).
pub fn is_question(query: &str) -> bool {
    if query.trim_end().ends_with('?') {
        return true;
    }
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(3)
        .any(|w| {
            let w = crate::analysis::fold::fold_str(w);
            INTERROGATIVES.contains(&w.as_str())
        })
}

/// What the order stage knows of a candidate.
#[derive(Clone, Debug, Default)]
pub struct Features {
    /// The collector's key (words matched, names together, BM25, date).
    pub key: Key,
    /// Counted query words the passage's own text matches, in any way.
    pub in_text: usize,
    /// ... and as typed (exact, stem or alias).
    pub literal_in_text: usize,
    /// Mean over the counted query words the text matches of the
    /// closeness of the best spelling it uses (1 as typed; 1 when none).
    pub closeness: f32,
    /// Proximity bonus (0 when fewer than two query words are in the text).
    pub proximity: f32,
}

impl Features {
    /// BM25 plus the proximity bonus.
    pub fn score(&self) -> f32 {
        self.key.score + self.proximity
    }
}

/// The proximity bonus of a passage whose smallest window holding `words`
/// distinct query words spans `span` positions (1 for adjacent words).
pub fn proximity_bonus(p: &RankParams, words: usize, span: u32) -> f32 {
    if words < 2 || p.proximity == 0.0 {
        return 0.0;
    }
    let extra_words = (words - 1) as f32;
    let gap = span.saturating_sub(words as u32 - 1) as f32;
    p.proximity * extra_words / (1.0 + gap / p.proximity_span)
}

/// The order of two candidates: `Less` when `a` ranks first.
///
/// `coordinate` says the query is short enough for the lexicographic keys
/// of name search ([`RankParams::coordination_max_words`]): words matched
/// as written, words matched, names together, words the passage's own
/// text matches, closest spellings, then score. A longer query (a
/// question) is ranked by names together, then score (BM25 plus
/// proximity): there a title that names the subject is evidence for every
/// passage of its article (measured on PIAF: putting title-only passages
/// last loses 0.003 of MRR@10).
pub fn compare(
    p: &RankParams,
    sort: Sort,
    coordinate: bool,
    a: &Features,
    b: &Features,
) -> Ordering {
    let relevance = || {
        let mut o = Ordering::Equal;
        if coordinate {
            if p.literal_first {
                o = o.then(b.key.literal.cmp(&a.key.literal));
            }
            o = o.then(b.key.matched.cmp(&a.key.matched));
        }
        if p.together_first {
            o = o.then(b.key.together.cmp(&a.key.together));
        }
        if p.text_before_title && coordinate {
            o = o
                .then(b.in_text.cmp(&a.in_text))
                .then(b.literal_in_text.cmp(&a.literal_in_text));
        }
        if p.closest_first && coordinate {
            o = o.then(b.closeness.total_cmp(&a.closeness));
        }
        o.then(b.score().total_cmp(&a.score()))
    };
    match sort {
        Sort::Relevance => relevance().then(b.key.date.cmp(&a.key.date)),
        Sort::Date => b.key.date.cmp(&a.key.date).then_with(relevance),
    }
}

/// Sorts candidates, best first (stable: equal candidates keep their
/// collection order).
pub fn order<T>(p: &RankParams, sort: Sort, coordinate: bool, items: &mut [(T, Features)]) {
    items.sort_by(|(_, a), (_, b)| compare(p, sort, coordinate, a, b));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(matched: u32, score: f32, date: i64) -> Features {
        Features {
            key: Key {
                matched,
                score,
                date,
                ..Key::default()
            },
            ..Features::default()
        }
    }

    #[test]
    fn relevance_then_newest_and_date_then_relevance() {
        let p = RankParams::default();
        let old_best = f(1, 9.0, 100);
        let new_worse = f(1, 1.0, 200);
        let cmp = |s, a: &Features, b: &Features| compare(&p, s, true, a, b);
        assert_eq!(cmp(Sort::Relevance, &old_best, &new_worse), Ordering::Less);
        assert_eq!(cmp(Sort::Date, &old_best, &new_worse), Ordering::Greater);
        // Ties stay newest first.
        assert_eq!(
            cmp(Sort::Relevance, &f(1, 1.0, 200), &f(1, 1.0, 100)),
            Ordering::Less
        );
        // Coordination before score when asked.
        assert_eq!(
            cmp(Sort::Relevance, &f(2, 0.1, 0), &f(1, 9.0, 0)),
            Ordering::Less
        );
        assert_eq!(
            compare(&p, Sort::Relevance, false, &f(2, 0.1, 0), &f(1, 9.0, 0)),
            Ordering::Greater
        );
    }

    #[test]
    fn overrides_name_fields_and_refuse_the_rest() {
        let p = RankParams::with_overrides("proximity=2, coordination=off,rerank_extra=5").unwrap();
        assert_eq!(p.proximity, 2.0);
        assert!(!p.coordination);
        assert_eq!(p.rerank_extra, 5);
        for bad in [
            "proximity",
            "nope=1",
            "proximity=-1",
            "coordination=maybe",
            "dismax_tie=2",
        ] {
            assert!(RankParams::with_overrides(bad).is_err(), "{bad}");
        }
        assert_eq!(
            RankParams::with_overrides("").unwrap(),
            RankParams::default()
        );
    }

    #[test]
    fn questions_are_told_from_names_and_topics() {
        for q in [
            "Qui a fondé Rome",
            "En quelle année le CORT disparaît-il",
            "Où se situe Qamichli",
            "Ou se situait l actuel Etat Mon",
            "Dans quel pays est Alep",
            "Qu'est-ce que le Hezbollah",
            "Kadhafi est-il mort ?",
        ] {
            assert!(is_question(q), "{q}");
        }
        for q in [
            "Mohammed ben Salmane",
            "bases militaires",
            "Bachar al-Assad",
            "Quentin Tarantino",
            "Koweït",
        ] {
            assert!(!is_question(q), "{q}");
        }
    }

    #[test]
    fn proximity_rewards_adjacent_words_most() {
        let p = RankParams {
            proximity: 2.0,
            ..RankParams::default()
        };
        assert_eq!(proximity_bonus(&p, 1, 0), 0.0);
        let adjacent = proximity_bonus(&p, 2, 1);
        let apart = proximity_bonus(&p, 2, 11);
        assert_eq!(adjacent, 2.0);
        assert!(apart < adjacent && apart > 0.0);
        assert!(proximity_bonus(&p, 3, 2) > adjacent);
    }
}
