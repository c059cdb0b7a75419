//! Analyses kept by text, so that a text analysed once is not analysed
//! again: an indexer run that the watchlist checks keeps the analyses of
//! the passages it writes, and the alert step highlights those passages
//! for every watch that matches them ([`super::Analyzer::keeping`]).

use rustc_hash::FxHashMap as HashMap;
use std::sync::{Arc, Mutex};

use super::Word;

/// The words of up to `capacity` texts, by text; past that, texts are no
/// longer kept (the first ones stay).
#[derive(Debug)]
pub struct Kept {
    by_text: Mutex<HashMap<Box<str>, Arc<Vec<Word>>>>,
    capacity: usize,
}

impl Kept {
    pub fn new(capacity: usize) -> Arc<Kept> {
        Arc::new(Kept {
            by_text: Mutex::new(HashMap::default()),
            capacity,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Box<str>, Arc<Vec<Word>>>> {
        // The map holds finished analyses only: a panic elsewhere cannot
        // leave one half-written.
        self.by_text.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The words of `text`, if kept.
    pub fn get(&self, text: &str) -> Option<Arc<Vec<Word>>> {
        self.lock().get(text).cloned()
    }

    /// Keeps `words` as the analysis of `text`, unless full.
    pub fn keep(&self, text: &str, words: &Arc<Vec<Word>>) {
        let mut kept = self.lock();
        if kept.len() < self.capacity && !kept.contains_key(text) {
            kept.insert(text.into(), words.clone());
        }
    }

    /// Number of texts kept.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_up_to_its_capacity_and_the_first_analysis_of_a_text() {
        let kept = Kept::new(2);
        let a = Arc::new(vec![Word::default()]);
        let b = Arc::new(Vec::new());
        kept.keep("un", &a);
        kept.keep("un", &b);
        kept.keep("deux", &b);
        kept.keep("trois", &a);
        assert_eq!(kept.len(), 2);
        assert_eq!(kept.get("un").map(|w| w.len()), Some(1));
        assert_eq!(kept.get("deux").map(|w| w.len()), Some(0));
        assert!(kept.get("trois").is_none());
    }
}
