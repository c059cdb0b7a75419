//! The analyzer as tantivy tokenizers, and the encoding of indexed terms.
//!
//! One analysis of a text feeds three fields, each with its own tokenizer
//! ([`Terms`]), so that each field's length is its number of words:
//! - `body` ([`TOKENIZER_NAME`]): each word's exact (folded) form,
//!   `refugies`, and for a word written in capitals, its acronym term;
//! - `stems` ([`STEMS_TOKENIZER`]): each word's stem, after [`STEM_MARK`]:
//!   `~refugi`, at the word's position;
//! - `names` ([`NAMES_TOKENIZER`], no positions): for a capitalised word that
//!   can be a name, its spelling key and exact
//!   form after [`NAME_MARK`], separated by [`NAME_SEP`] where no capital
//!   was required (`^XR/charaa`: written as a name) and by
//!   [`NAME_SEP_INITIAL`] at the start of a text or sentence (`^KRM|crime`:
//!   a capital that says nothing). Range scans over `^KEY/` and `^KEY|` list
//!   every capitalised spelling of that key in the index, with document
//!   counts that tell names from common words;
//! - for a word written in capitals (`EI`, `PKK`), its exact form after
//!   [`ACRONYM_MARK`]: `=ei`, so that an acronym can be matched only where
//!   the text writes it as one.
//!
//! The marks cannot occur inside words (the segmenter splits on them), so the
//! four kinds of term never collide. Queries build their terms with the
//! functions below, never by hand.
//!
//! tantivy tokenizes a document field by field; the three tokenizers of one
//! indexing thread share its last few analyses (by text), so each text is
//! analysed once.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use super::stem::StemCache;
use super::{Analyzer, Word};
use crate::names;

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
    /// Stems.
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
/// First char of stem terms.
pub const STEM_MARK: char = '~';
/// First char of name-key terms.
pub const NAME_MARK: char = '^';
/// Separates a name key from the spelling in a name-key term, for a word
/// capitalised where no capital was required.
pub const NAME_SEP: char = '/';
/// The same, for a word capitalised at the start of a text or sentence.
pub const NAME_SEP_INITIAL: char = '|';
/// First char of the terms of words written in capitals.
pub const ACRONYM_MARK: char = '=';

/// Term text for a word written in capitals.
pub fn acronym_term(exact: &str) -> String {
    let mut s = String::with_capacity(exact.len() + 1);
    s.push(ACRONYM_MARK);
    s.push_str(exact);
    s
}

/// Term text for a word's stem.
pub fn stem_term(stem: &str) -> String {
    let mut s = String::with_capacity(stem.len() + 1);
    s.push(STEM_MARK);
    s.push_str(stem);
    s
}

/// Term text for a spelling under a name key (see [`name_prefix`]).
pub fn name_term(key: &str, exact: &str, initial: bool) -> String {
    format!("{}{exact}", name_prefix(key, initial))
}

/// Prefix shared by every name term of `key`, written as a name
/// (`initial` false) or at the start of a sentence (`initial` true).
pub fn name_prefix(key: &str, initial: bool) -> String {
    let sep = if initial { NAME_SEP_INITIAL } else { NAME_SEP };
    format!("{NAME_MARK}{key}{sep}")
}

/// True for terms that hold an exact word (not a stem or a name key).
pub fn is_exact_term(term: &str) -> bool {
    !term.starts_with([STEM_MARK, NAME_MARK, ACRONYM_MARK])
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
    words: Rc<Vec<Word>>,
}

thread_local! {
    static RECENT: RefCell<Recent> = const { RefCell::new(Recent { entries: Vec::new() }) };
}

/// Tokenizer running the shared [`Analyzer`].
pub struct FrenchTokenizer {
    analyzer: Arc<Analyzer>,
    terms: Terms,
    tokens: Vec<Token>,
    stems: StemCache,
    /// Name keys of capitalised words, by exact form.
    keys: HashMap<String, Option<String>>,
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
            stems: StemCache::new(CACHE_WORDS),
            keys: HashMap::new(),
        }
    }

    /// The words of `text`, from this thread's recent analyses when one of
    /// the other fields already analysed it.
    fn analysed(&mut self, text: &str) -> Rc<Vec<Word>> {
        let me = Arc::as_ptr(&self.analyzer);
        let found = RECENT.with(|r| {
            let r = r.borrow();
            r.entries
                .iter()
                .find(|e| e.analyzer == me && e.text == text)
                .map(|e| e.words.clone())
        });
        if let Some(words) = found {
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
            .and_then(|e| Rc::try_unwrap(e.words).ok())
            .unwrap_or_default();
        self.analyzer
            .analyze_cached(text, &mut words, &mut self.stems);
        let words = Rc::new(words);
        RECENT.with(|r| {
            r.borrow_mut().entries.push(RecentEntry {
                analyzer: me,
                text: text.to_string(),
                words: words.clone(),
            })
        });
        words
    }

    fn key(&mut self, word: &Word) -> Option<String> {
        if !word.capitalized || word.is_number() {
            return None;
        }
        if let Some(k) = self.keys.get(&word.exact) {
            return k.clone();
        }
        let k = name_key(word);
        if self.keys.len() >= CACHE_WORDS {
            self.keys.clear();
        }
        self.keys.insert(word.exact.clone(), k.clone());
        k
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
                            t.push(ACRONYM_MARK);
                            t.push_str(&w.exact);
                        });
                    }
                }
                Terms::Stems => push(&mut self.tokens, &mut n, w, |t| {
                    t.push(STEM_MARK);
                    t.push_str(&w.stem);
                }),
                Terms::Names => {
                    if let Some(key) = self.key(w) {
                        push(&mut self.tokens, &mut n, w, |t| {
                            t.push(NAME_MARK);
                            t.push_str(&key);
                            t.push(if w.initial {
                                NAME_SEP_INITIAL
                            } else {
                                NAME_SEP
                            });
                            t.push_str(&w.exact);
                        });
                    }
                }
            }
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
