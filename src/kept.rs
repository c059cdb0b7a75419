//! Values kept for later, by key, up to a number of them, shared between
//! threads: the analyses of a watched run's passages
//! ([`crate::analysis::Analyses`], by text), and the stored passages the
//! alert step fetched (by address).

use std::borrow::Borrow;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap as HashMap;

/// Up to `capacity` values by key; past that, no more are kept (the first
/// ones stay).
#[derive(Debug)]
pub struct Kept<K, V> {
    map: Mutex<HashMap<K, Arc<V>>>,
    capacity: usize,
}

impl<K: Hash + Eq, V> Kept<K, V> {
    pub fn new(capacity: usize) -> Arc<Kept<K, V>> {
        Arc::new(Kept {
            map: Mutex::new(HashMap::default()),
            capacity,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, Arc<V>>> {
        // The map holds finished values only: a panic elsewhere cannot
        // leave one half-written.
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The value kept for `key`, if any.
    pub fn get<Q>(&self, key: &Q) -> Option<Arc<V>>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().get(key).cloned()
    }

    /// Keeps `value` for `key`, unless full or `key` already has one.
    pub fn keep<Q>(&self, key: &Q, value: &Arc<V>)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        let mut kept = self.lock();
        if kept.len() < self.capacity && !kept.contains_key(key) {
            kept.insert(key.to_owned(), value.clone());
        }
    }

    /// Number of values kept.
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
    fn keeps_up_to_its_capacity_and_the_first_value_of_a_key() {
        let kept: Arc<Kept<String, Vec<u8>>> = Kept::new(2);
        let a = Arc::new(vec![1]);
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
