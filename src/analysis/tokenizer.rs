//! The analyzer as tantivy tokenizers.
//!
//! One analysis of a text feeds three fields, each with its own tokenizer
//! ([`Terms`]): `body` ([`TOKENIZER_NAME`]: exact words and acronyms, so
//! that its length is its number of words), `stems` ([`STEMS_TOKENIZER`]:
//! the stem of each word that is not its own stem) and `names`
//! ([`NAMES_TOKENIZER`]: spelling keys, no positions). How each term is
//! written is [`crate::terms`]'s business.
//!
//! tantivy tokenizes a document field by field; the three tokenizers of one
//! indexing thread share its last few analyses (by text), so each text is
//! analysed once; and while the analyzer keeps analyses
//! ([`super::Analyzer::keeping`]), what they analyse is kept there.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::stem::StemCache;
use super::{Analyzer, Word};
use crate::{names, terms};

/// Name of the tokenizer of exact words, as registered on every index.
pub const TOKENIZER_NAME: &str = "french";
/// Name of the tokenizer of stems.
pub const STEMS_TOKENIZER: &str = "french-stems";
/// Name of the tokenizer of name keys.
pub const NAMES_TOKENIZER: &str = "french-names";

/// Which terms a tokenizer emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Terms {
    /// Exact words and acronyms.
    Exact,
    /// The stems of the words that are not their own stem (`~refug` for
    /// `refugies`, nothing for `paris`): a search for a stem also reads the
    /// word it equals ([`crate::terms::stem_is_indexed`]).
    Stems,
    /// Name keys with their spellings.
    Names,
}

impl Terms {
    /// The name the tokenizer is registered under.
    pub fn tokenizer_name(self) -> &'static str {
        match self {
            Terms::Exact => TOKENIZER_NAME,
            Terms::Stems => STEMS_TOKENIZER,
            Terms::Names => NAMES_TOKENIZER,
        }
    }

    /// The kind registered under `name`.
    pub fn by_tokenizer_name(name: &str) -> Option<Terms> {
        [Terms::Exact, Terms::Stems, Terms::Names]
            .into_iter()
            .find(|t| t.tokenizer_name() == name)
    }
}
/// The name key indexed for `word`, if it is capitalised and can be a name.
pub fn name_key(word: &Word) -> Option<String> {
    if !word.capitalized || word.is_number() {
        return None;
    }
    names::spelling_key(&word.exact)
}

/// Words remembered by each tokenizer's caches (one per indexing thread).
const CACHE_WORDS: usize = 100_000;

/// How many recent analyses an indexing thread keeps: a passage's title
/// and text, for the three fields.
const RECENT_TEXTS: usize = 4;

/// The last analyses made on this thread, most recent last.
struct Recent {
    entries: Vec<RecentEntry>,
}

struct RecentEntry {
    analyzer: *const Analyzer,
    text: String,
    words: Arc<Vec<Word>>,
}

/// What an indexing thread remembers between texts, whichever of its
/// tokenizers runs: tantivy clones a tokenizer for every field of every
/// segment it writes, so caches kept in the tokenizer would be built again,
/// and held, once per clone.
struct ThreadCaches {
    stems: StemCache,
    /// Name keys of capitalised words, by exact form.
    keys: HashMap<String, Option<String>>,
}

thread_local! {
    static RECENT: RefCell<Recent> = const { RefCell::new(Recent { entries: Vec::new() }) };
    static CACHES: RefCell<ThreadCaches> = RefCell::new(ThreadCaches {
        stems: StemCache::new(CACHE_WORDS),
        keys: HashMap::new(),
    });
}

/// Tokenizer running the shared [`Analyzer`].
pub struct FrenchTokenizer {
    analyzer: Arc<Analyzer>,
    terms: Terms,
    tokens: Vec<Token>,
}

impl Clone for FrenchTokenizer {
    /// A clone shares the analyzer, not the buffers and caches.
    fn clone(&self) -> Self {
        FrenchTokenizer::new(self.analyzer.clone(), self.terms)
    }
}

impl FrenchTokenizer {
    pub fn new(analyzer: Arc<Analyzer>, terms: Terms) -> FrenchTokenizer {
        FrenchTokenizer {
            analyzer,
            terms,
            tokens: Vec::new(),
        }
    }

    /// The words of `text`, from this thread's recent analyses when one of
    /// the other fields already analysed it.
    fn analysed(&mut self, text: &str) -> Arc<Vec<Word>> {
        let me = Arc::as_ptr(&self.analyzer);
        // A text found moves to the back: an article's title, met again
        // with each of its passages, is not the oldest entry to evict.
        let found = RECENT.with(|r| {
            let mut r = r.borrow_mut();
            let i = r
                .entries
                .iter()
                .position(|e| e.analyzer == me && e.text == text)?;
            let entry = r.entries.remove(i);
            let words = entry.words.clone();
            r.entries.push(entry);
            Some(words)
        });
        if let Some(words) = found.or_else(|| self.analyzer.kept_words(text)) {
            return words;
        }
        // Reuse the oldest entry's buffers when nothing else holds them.
        let mut reused = RECENT.with(|r| {
            let mut r = r.borrow_mut();
            if r.entries.len() >= RECENT_TEXTS {
                Some(r.entries.remove(0))
            } else {
                None
            }
        });
        let mut words = reused
            .take()
            .and_then(|e| Arc::try_unwrap(e.words).ok())
            .unwrap_or_default();
        CACHES.with(|c| {
            self.analyzer
                .analyze_cached(text, &mut words, &mut c.borrow_mut().stems)
        });
        let words = Arc::new(words);
        self.analyzer.keep_words(text, &words);
        RECENT.with(|r| {
            r.borrow_mut().entries.push(RecentEntry {
                analyzer: me,
                text: text.to_string(),
                words: words.clone(),
            })
        });
        words
    }

    fn key(word: &Word) -> Option<String> {
        if !word.capitalized || word.is_number() {
            return None;
        }
        CACHES.with(|c| {
            let keys = &mut c.borrow_mut().keys;
            if let Some(k) = keys.get(&word.exact) {
                return k.clone();
            }
            let k = name_key(word);
            if keys.len() >= CACHE_WORDS {
                keys.clear();
            }
            keys.insert(word.exact.clone(), k.clone());
            k
        })
    }
}

fn push(tokens: &mut Vec<Token>, n: &mut usize, word: &Word, text: impl FnOnce(&mut String)) {
    if *n == tokens.len() {
        tokens.push(Token::default());
    }
    let t = &mut tokens[*n];
    t.offset_from = word.start;
    t.offset_to = word.end;
    t.position = word.position as usize;
    t.position_length = 1;
    t.text.clear();
    text(&mut t.text);
    *n += 1;
}

impl FrenchTokenizer {
    /// Makes the stem tokens of a text end where its words do. tantivy
    /// numbers the positions of a field's next text from the end of the
    /// last token of the one before: without this, a title ending with
    /// words that are their own stems (no stem token) would shift the
    /// passage's positions in `stems` against those in `body`, and a phrase
    /// read across both fields would match words that are apart. So the
    /// last stem token spans to the last word, and a text with no stem
    /// token at all gets one [`terms::STEM_END`] token on its last word.
    fn end_with_the_text(&mut self, words: &[Word], n: &mut usize) {
        let Some(last) = words.last() else {
            return;
        };
        if *n == 0 {
            push(&mut self.tokens, n, last, |t| t.push_str(terms::STEM_END));
            return;
        }
        let t = &mut self.tokens[*n - 1];
        t.position_length = (last.position as usize + 1)
            .saturating_sub(t.position)
            .max(1);
    }
}

impl Tokenizer for FrenchTokenizer {
    type TokenStream<'a> = FrenchTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FrenchTokenStream<'a> {
        let words = self.analysed(text);
        let mut n = 0;
        for w in words.iter() {
            match self.terms {
                Terms::Exact => {
                    push(&mut self.tokens, &mut n, w, |t| t.push_str(&w.exact));
                    if w.acronym {
                        push(&mut self.tokens, &mut n, w, |t| {
                            terms::push_acronym(t, &w.exact)
                        });
                    }
                }
                Terms::Stems => {
                    if terms::stem_is_indexed(&w.exact, &w.stem) {
                        push(&mut self.tokens, &mut n, w, |t| {
                            terms::push_stem(t, &w.stem)
                        });
                    }
                }
                Terms::Names => {
                    if let Some(key) = Self::key(w) {
                        push(&mut self.tokens, &mut n, w, |t| {
                            terms::push_name(t, &key, w.initial, &w.exact)
                        });
                    }
                }
            }
        }
        if self.terms == Terms::Stems {
            self.end_with_the_text(&words, &mut n);
        }
        if self.tokens.is_empty() {
            // `token()` must always have something to point at.
            self.tokens.push(Token::default());
        }
        FrenchTokenStream {
            tokens: &mut self.tokens,
            len: n,
            next: 0,
        }
    }
}

/// Token stream over the tokens of one text.
pub struct FrenchTokenStream<'a> {
    /// Never empty; only the first `len` tokens belong to this text.
    tokens: &'a mut [Token],
    len: usize,
    next: usize,
}

impl FrenchTokenStream<'_> {
    fn current(&self) -> usize {
        self.next.saturating_sub(1)
    }
}

impl TokenStream for FrenchTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next < self.len {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.current()]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.current();
        &mut self.tokens[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(kind: Terms, text: &str) -> Vec<(String, usize)> {
        let mut tokenizer = FrenchTokenizer::new(Arc::new(Analyzer::default()), kind);
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.position));
        }
        out
    }

    #[test]
    fn a_word_that_is_its_own_stem_has_no_stem_term_and_the_others_keep_their_positions() {
        let text = "Paris accueille 300 réfugiés morts";
        let stems = terms(Terms::Stems, text);
        let exact = terms(Terms::Exact, text);
        let at =
            |list: &[(String, usize)], t: &str| list.iter().find(|(x, _)| x == t).map(|(_, p)| *p);
        for (word, stem) in [
            ("accueille", "~accueil"),
            ("refugies", "~refug"),
            ("morts", "~mort"),
        ] {
            assert_eq!(at(&stems, stem), at(&exact, word), "{stems:?} {exact:?}");
            assert!(at(&stems, stem).is_some(), "{stems:?}");
        }
        assert_eq!(
            stems.len(),
            3,
            "no stem term for `paris` and `300`: {stems:?}"
        );
    }
}
