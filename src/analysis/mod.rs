//! The French analyzer: one pipeline that turns text into searchable words.
//!
//! Indexing, querying and highlighting all call [`Analyzer::analyze`], so a
//! word typed in a query meets the same word in a passage, and a highlight
//! lands exactly on the characters that matched. The stages, in order:
//!
//! 1. [`segment`]: find parts (runs of letters and digits) and how they are
//!    joined (apostrophe, hyphen); numbers keep `.`/`,` between digits.
//! 2. elision: `l'`, `qu'`, `jusqu'`… before an apostrophe are dropped
//!    (word list `index-schema/elisions.txt`); any other apostrophe joins its
//!    parts into one word (`aujourd'hui` -> `aujourdhui`, `Khamene'i`).
//!    Hyphenated words stay separate words at consecutive positions
//!    (`Moyen-Orient` -> `moyen`, `orient`), so they are found whole, as a
//!    phrase, and by part.
//! 3. [`fold`]: Unicode compatibility normalisation and lowercase, then
//!    stopwords (`index-schema/stopwords.txt`, compared before folding so `à`
//!    is a stopword but `a` typed for `as` is not folded into it), then accent
//!    folding (`œ` -> `oe`).
//! 4. [`stem`]: Snowball French on the folded word (an unstemmed form is kept
//!    beside it, so exact words and proper names are still found as written).
//!
//! Every [`Word`] carries the byte offsets of the characters it came from in
//! the original text (for an elided word, the word without its `l'`).

pub mod fold;
pub mod segment;
pub mod stem;
pub mod tokenizer;

use rustc_hash::FxHashSet as HashSet;
use std::sync::{Arc, RwLock};

use segment::Join;

/// The word lists the analyzer reads, embedded from `index-schema/`.
pub const ELISIONS: &str = include_str!("../../index-schema/elisions.txt");
pub const STOPWORDS: &str = include_str!("../../index-schema/stopwords.txt");

/// Version of the analysis code. Bump it whenever a change to this module
/// changes the words produced for some text: indexes built before then are
/// refused and rebuilt instead of being searched with mismatched words.
pub const ANALYZER_VERSION: u32 = 4;

/// Words longer than this (in bytes) are noise (base64, URLs glued together)
/// and are not indexed.
const MAX_WORD_BYTES: usize = 80;

/// One analysed word.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    /// Lowercased, accent-folded form: what "exact" matching compares.
    pub exact: String,
    /// Snowball French stem of `exact`.
    pub stem: String,
    /// Position in the text; removed stopwords leave gaps, so phrases match
    /// only where the words really stood in that order.
    pub position: u32,
    /// Byte offsets into the analysed text.
    pub start: usize,
    pub end: usize,
    /// The word began with an uppercase letter in the text (likely a name).
    pub capitalized: bool,
    /// The word opens its text or a sentence (after `.`, `!`, `?`, `…`, `:`
    /// or a line break, opening quotes aside): a capital there says nothing
    /// about whether it is a name.
    pub initial: bool,
    /// Written in capitals, two letters or more (`EI`, `PKK`, `G20`): an
    /// acronym, as the text wrote it.
    pub acronym: bool,
    /// Words written together (`al-Charaa`, `Moyen-Orient`) share this number.
    pub compound: u32,
    /// The word is joined to the previous one by a hyphen.
    pub hyphenated: bool,
}

impl Word {
    /// True when the word is made only of digits (and number separators).
    pub fn is_number(&self) -> bool {
        is_number(&self.exact)
    }
}

/// True when `folded` is made only of digits (and number separators): a
/// number, which is not stemmed.
fn is_number(folded: &str) -> bool {
    folded
        .bytes()
        .all(|b| b.is_ascii_digit() || b == b'.' || b == b',')
}

/// The French analysis pipeline. Cheap to share behind an `Arc`.
pub struct Analyzer {
    elisions: HashSet<String>,
    stopwords: HashSet<String>,
    stemmer: stem::Stemmer,
    /// Where the analyses of the tokenizers and the highlighter are kept
    /// while a caller asks for it ([`Analyzer::keeping`]).
    kept: RwLock<Option<Arc<Analyses>>>,
}

/// Analyses kept by text ([`Analyzer::keeping`]).
pub type Analyses = crate::kept::Kept<String, Vec<Word>>;

/// Restores what an analyzer kept before, when dropped.
pub struct Keeping<'a> {
    analyzer: &'a Analyzer,
    before: Option<Arc<Analyses>>,
}

impl Drop for Keeping<'_> {
    fn drop(&mut self) {
        *self.analyzer.kept_slot() = self.before.take();
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("elisions", &self.elisions.len())
            .field("stopwords", &self.stopwords.len())
            .finish()
    }
}

/// Reads a word list: one entry a line, `#` starts a comment line.
pub fn word_list(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new(ELISIONS, STOPWORDS)
    }
}

impl Analyzer {
    /// Builds an analyzer from word lists in the `index-schema/` format.
    pub fn new(elisions: &str, stopwords: &str) -> Analyzer {
        Analyzer {
            elisions: word_list(elisions).map(str::to_lowercase).collect(),
            stopwords: word_list(stopwords).map(str::to_lowercase).collect(),
            stemmer: stem::Stemmer::french(),
            kept: RwLock::new(None),
        }
    }

    fn kept_slot(&self) -> std::sync::RwLockWriteGuard<'_, Option<Arc<Analyses>>> {
        // A plain pointer swap: a panic cannot leave it half-written.
        self.kept.write().unwrap_or_else(|e| e.into_inner())
    }

    /// While the returned guard lives, the texts analysed for indexing and
    /// highlighting are kept in `kept`, and a text kept there is not
    /// analysed again ([`Analyzer::kept_words`]).
    pub fn keeping(&self, kept: Arc<Analyses>) -> Keeping<'_> {
        let before = self.kept_slot().replace(kept);
        Keeping {
            analyzer: self,
            before,
        }
    }

    /// True while analyses are kept.
    pub fn is_keeping(&self) -> bool {
        self.kept
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The kept analysis of `text`, if one is kept.
    pub fn kept_words(&self, text: &str) -> Option<Arc<Vec<Word>>> {
        let kept = self.kept.read().unwrap_or_else(|e| e.into_inner());
        kept.as_ref()?.get(text)
    }

    /// Keeps `words` as the analysis of `text`, if analyses are kept.
    pub fn keep_words(&self, text: &str, words: &Arc<Vec<Word>>) {
        let kept = self.kept.read().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = kept.as_ref() {
            kept.keep(text, words);
        }
    }

    /// True when `lower` (lowercase, accents kept) is a stopword.
    pub fn is_stopword(&self, lower: &str) -> bool {
        self.stopwords.contains(lower)
    }

    /// True when `folded`, a folded word, is its own stem, so that the
    /// index holds no stem term for it (see
    /// [`crate::terms::stem_is_indexed`]): numbers, `paris`, `mort`.
    pub fn is_own_stem(&self, folded: &str) -> bool {
        is_number(folded) || self.stemmer.stem(folded) == folded
    }

    /// Analyses `text` into `out` (cleared first). The words already in
    /// `out` are reused, so analysing many texts with one vector allocates
    /// little.
    pub fn analyze(&self, text: &str, out: &mut Vec<Word>) {
        self.analyze_cached(text, out, &mut stem::StemCache::disabled());
    }

    /// [`Analyzer::analyze`] with a cache of stems, for callers that
    /// analyse a lot of text (the indexer): words repeat, stemming is costly.
    pub fn analyze_cached(&self, text: &str, out: &mut Vec<Word>, cache: &mut stem::StemCache) {
        let mut state = State {
            cache: Some(std::mem::take(cache)),
            ..State::default()
        };
        let mut compound: Vec<segment::Part> = Vec::with_capacity(4);
        segment::parts(text, |part| {
            if part.join == Join::Start && !compound.is_empty() {
                self.compound(text, &compound, &mut state, out);
                compound.clear();
            }
            compound.push(part);
        });
        if !compound.is_empty() {
            self.compound(text, &compound, &mut state, out);
        }
        out.truncate(state.len);
        if let Some(c) = state.cache.take() {
            *cache = c;
        }
    }

    /// The words of `text` without their stems (`stem` left empty): for
    /// callers that only compare exact forms, at a fraction of the cost.
    pub fn exact_words(&self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        self.exact_words_into(text, &mut out);
        out
    }

    /// [`Analyzer::exact_words`] written into `out` (its words reused).
    pub fn exact_words_into(&self, text: &str, out: &mut Vec<Word>) {
        let mut state = State {
            no_stems: true,
            ..State::default()
        };
        let mut compound: Vec<segment::Part> = Vec::with_capacity(4);
        segment::parts(text, |part| {
            if part.join == Join::Start && !compound.is_empty() {
                self.compound(text, &compound, &mut state, out);
                compound.clear();
            }
            compound.push(part);
        });
        if !compound.is_empty() {
            self.compound(text, &compound, &mut state, out);
        }
        out.truncate(state.len);
    }

    /// Convenience form of [`Analyzer::analyze`] returning a new vector.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let mut out = Vec::new();
        self.analyze(text, &mut out);
        out
    }

    fn compound(
        &self,
        text: &str,
        parts: &[segment::Part],
        state: &mut State,
        out: &mut Vec<Word>,
    ) {
        state.compound += 1;
        let mut parts = parts;
        // Elision: a listed word before an apostrophe, with something after it.
        if parts.len() > 1 && parts[1].join == Join::Apostrophe {
            state.raw.clear();
            segment::strip_invisible(&text[parts[0].start..parts[0].end], &mut state.raw);
            fold::lowercase(&state.raw, &mut state.lower);
            if self.elisions.contains(state.lower.as_str()) {
                parts = &parts[1..];
            }
        }
        let mut i = 0;
        let mut first_in_compound = true;
        while i < parts.len() {
            // Parts joined by apostrophes after elision form one word.
            let mut j = i + 1;
            while j < parts.len() && parts[j].join == Join::Apostrophe {
                j += 1;
            }
            let (start, end) = (parts[i].start, parts[j - 1].end);
            state.raw.clear();
            for p in &parts[i..j] {
                segment::strip_invisible(&text[p.start..p.end], &mut state.raw);
            }
            let hyphenated = !first_in_compound && parts[i].join == Join::Hyphen;
            self.word(text, start, end, hyphenated, state, out);
            first_in_compound = false;
            i = j;
        }
    }

    fn word(
        &self,
        text: &str,
        start: usize,
        end: usize,
        hyphenated: bool,
        state: &mut State,
        out: &mut Vec<Word>,
    ) {
        let position = state.position;
        state.position += 1;
        let raw = state.raw.as_str();
        if raw.len() > MAX_WORD_BYTES {
            return;
        }
        fold::lowercase(raw, &mut state.lower);
        if self.stopwords.contains(state.lower.as_str()) {
            return;
        }
        if state.len == out.len() {
            out.push(Word::default());
        }
        let word = &mut out[state.len];
        fold::fold(&state.lower, &mut word.exact);
        if word.exact.is_empty() {
            return;
        }
        state.len += 1;
        word.position = position;
        word.start = start;
        word.end = end;
        word.capitalized = raw.chars().next().is_some_and(char::is_uppercase);
        word.initial = opens_sentence(text, start);
        word.acronym = is_acronym(raw);
        word.compound = state.compound;
        word.hyphenated = hyphenated;
        word.stem.clear();
        if state.no_stems {
        } else if word.is_number() {
            word.stem.push_str(&word.exact);
        } else {
            match state.cache.as_mut() {
                Some(cache) => cache.stem_into(&self.stemmer, &word.exact, &mut word.stem),
                None => self.stemmer.stem_into(&word.exact, &mut word.stem),
            }
        }
    }
}

/// True when the word at byte `start` of `text` opens the text or a
/// sentence: only white space, opening quotes, brackets and dashes stand
/// between it and the start, a line break, or a sentence end.
fn opens_sentence(text: &str, start: usize) -> bool {
    for c in text.get(..start).unwrap_or_default().chars().rev() {
        match c {
            '\n' | '\r' | '.' | '!' | '?' | '…' | ':' => return true,
            '«' | '"' | '“' | '‘' | '(' | '[' | '—' | '–' | '-' => continue,
            c if c.is_whitespace() || segment::is_invisible(c) => continue,
            _ => return false,
        }
    }
    true
}

/// Two to eight letters or digits, every letter a capital, at least two
/// letters: `EI`, `PKK`, `G20`, `OTAN`; not `A`, `Otan` or `2019`.
fn is_acronym(raw: &str) -> bool {
    let (mut letters, mut chars) = (0, 0);
    for c in raw.chars() {
        chars += 1;
        if c.is_alphabetic() {
            if !c.is_uppercase() {
                return false;
            }
            letters += 1;
        } else if !c.is_numeric() {
            return false;
        }
    }
    letters >= 2 && chars <= 8
}

#[derive(Default)]
struct State {
    /// Words of `out` filled so far.
    len: usize,
    cache: Option<stem::StemCache>,
    /// Leave stems empty ([`Analyzer::exact_words`]).
    no_stems: bool,
    position: u32,
    compound: u32,
    raw: String,
    lower: String,
}

/// Text generators for property tests, biased towards what breaks offset
/// arithmetic in French news: non-breaking and thin spaces, invisible
/// characters, combining marks, bidi controls, emoji, apostrophes, hyphens.
#[cfg(test)]
pub(crate) mod testing {
    use proptest::prelude::*;

    /// One character, mostly tricky ones.
    pub fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            6 => proptest::char::range('a', 'z'),
            2 => proptest::char::range('A', 'Z'),
            3 => Just(' '),
            1 => prop::sample::select(vec![
                '\u{00A0}', '\u{202F}', '\u{2009}', '\u{3000}', '\n', '\t', '\r',
            ]),
            1 => prop::sample::select(vec![
                '\u{00AD}', '\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}',
            ]),
            1 => prop::sample::select(vec!['\u{0301}', '\u{0308}', '\u{0327}']),
            1 => prop::sample::select(vec![
                '\u{202E}', '\u{202C}', '\u{200F}', '\u{2066}', '\u{2069}', '\u{061C}',
            ]),
            1 => prop::sample::select(vec!['🇷', '🇺', '🙂', '👍', '\u{FE0F}', '𝔸']),
            2 => prop::sample::select(vec![
                '\'', '’', 'ʼ', '-', '‑', '«', '»', '.', ',', ';', ':', '!', '?', '"',
            ]),
            2 => prop::sample::select(vec![
                'é', 'è', 'à', 'ç', 'œ', 'Œ', 'É', 'ï', 'ß', 'ﬁ', 'İ', 'ǅ',
            ]),
            1 => prop::sample::select(vec!['П', 'у', 'т', 'ح', 'م', 'ا', 'ס', 'Ω', '中']),
            1 => proptest::char::range('0', '9'),
            1 => any::<char>(),
        ]
    }

    /// A text of up to `max` tricky characters.
    pub fn tricky_text(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn words_that_are_their_own_stem_are_told_from_the_others() {
        let a = Analyzer::default();
        for own in ["mort", "camp", "paris", "2024", "1,5"] {
            assert!(a.is_own_stem(own), "{own}");
        }
        for other in ["morts", "camps", "refugies", "militaire"] {
            assert!(!a.is_own_stem(other), "{other}");
        }
        // Every word's stem is what the index holds for it, and the stem of
        // a word that is its own stem is the word.
        for w in a.words("Les morts du camp de Paris en 2024") {
            assert_eq!(a.is_own_stem(&w.exact), w.stem == w.exact, "{}", w.exact);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Every word lies on character boundaries, in order, and its exact
        /// form is the folding of its own slice (less the apostrophes that
        /// join its parts and the invisible characters inside it).
        #[test]
        fn words_are_slices_of_the_text_on_char_boundaries(text in testing::tricky_text(120)) {
            let words = Analyzer::default().words(&text);
            let mut last_end = 0;
            for w in &words {
                prop_assert!(w.start < w.end && w.end <= text.len(), "{w:?}");
                prop_assert!(text.is_char_boundary(w.start) && text.is_char_boundary(w.end));
                prop_assert!(w.start >= last_end, "words overlap: {words:?}");
                last_end = w.end;
                let slice: String = text[w.start..w.end]
                    .chars()
                    .filter(|&c| !segment::is_apostrophe(c) && !segment::is_invisible(c))
                    .collect();
                prop_assert_eq!(&fold::fold_str(&slice), &w.exact, "slice {:?}", slice);
            }
        }
    }

    fn exact(text: &str) -> Vec<String> {
        Analyzer::default()
            .words(text)
            .into_iter()
            .map(|w| w.exact)
            .collect()
    }

    #[test]
    fn elision_with_both_apostrophes_and_capitals() {
        assert_eq!(
            exact("l'armée L’Élysée d’Assad qu'Israël"),
            ["armee", "elysee", "assad", "israel"]
        );
    }

    #[test]
    fn aujourdhui_stays_one_word() {
        assert_eq!(
            exact("aujourd'hui, jusqu’aujourd’hui"),
            ["aujourdhui", "aujourdhui"]
        );
    }

    #[test]
    fn offsets_point_at_the_word_without_its_elision() {
        let text = "Selon l’armée";
        let w = &Analyzer::default().words(text)[1];
        assert_eq!(&text[w.start..w.end], "armée");
    }

    #[test]
    fn stopwords_leave_position_gaps() {
        let words = Analyzer::default().words("président de la transition");
        let pos: Vec<_> = words
            .iter()
            .map(|w| (w.exact.as_str(), w.position))
            .collect();
        assert_eq!(pos, [("president", 0), ("transition", 3)]);
    }

    #[test]
    fn hyphenated_parts_are_consecutive_words_of_one_compound() {
        let words = Analyzer::default().words("Etats-Unis et Moyen-Orient");
        let got: Vec<_> = words
            .iter()
            .map(|w| (w.exact.as_str(), w.position, w.compound, w.hyphenated))
            .collect();
        assert_eq!(
            got,
            [
                ("etats", 0, 1, false),
                ("unis", 1, 1, true),
                ("moyen", 3, 3, false),
                ("orient", 4, 3, true)
            ]
        );
    }

    #[test]
    fn accents_are_folded_before_stemming() {
        let a = Analyzer::default();
        assert_eq!(a.words("réfugiés")[0].stem, a.words("refugies")[0].stem);
        assert_eq!(a.words("Réfugié")[0].stem, a.words("refugie")[0].stem);
    }

    #[test]
    fn sentence_openers_and_acronyms_are_told_apart() {
        let words = Analyzer::default()
            .words("Crime à Moscou. Poutine et l'OTAN : « Les CGRI » (Rosie)\nKiev, EI et le G20");
        let got: Vec<_> = words
            .iter()
            .map(|w| (w.exact.as_str(), w.capitalized, w.initial, w.acronym))
            .collect();
        assert_eq!(
            got,
            [
                ("crime", true, true, false),
                ("moscou", true, false, false),
                ("poutine", true, true, false),
                ("otan", true, false, true),
                ("cgri", true, false, true),
                ("rosie", true, false, false),
                ("kiev", true, true, false),
                ("ei", true, false, true),
                ("g20", true, false, false),
            ]
        );
    }

    #[test]
    fn invisible_characters_are_ignored_and_the_word_keeps_its_whole_span() {
        let a = Analyzer::default();
        for (text, word) in [
            ("Kad\u{ad}hafi", "kadhafi"),
            ("Pou\u{200b}tine", "poutine"),
            ("Pou\u{200d}tine", "poutine"),
            ("Pou\u{2060}tine", "poutine"),
            ("Pou\u{feff}tine", "poutine"),
            ("l\u{ad}'ar\u{ad}mée", "armee"),
        ] {
            let words = a.words(text);
            assert_eq!(words.len(), 1, "{text:?}: {words:?}");
            assert_eq!(words[0].exact, word, "{text:?}");
            assert!(words[0].capitalized == text.starts_with(char::is_uppercase));
        }
        let text = "Le colonel Kad\u{ad}hafi";
        let w = &a.words(text)[1];
        assert_eq!(&text[w.start..w.end], "Kad\u{ad}hafi");
        assert_eq!(
            a.words("Pou\u{200b}tine")[0].stem,
            a.words("Poutine")[0].stem
        );
    }

    #[test]
    fn huge_words_are_skipped_and_nothing_panics() {
        let a = Analyzer::default();
        assert!(a.words(&"x".repeat(10_000)).is_empty());
        for text in [
            "",
            "'",
            "-",
            "’’’",
            "l'",
            "'l",
            "\u{301}",
            "🙂 ok",
            "a\u{0}b",
            "\u{feff}mot",
        ] {
            let _ = a.words(text);
        }
    }
}
