//! What changed: the index's view of the corpus, compared record by record.
//!
//! Pure bookkeeping, no I/O: the indexer feeds it what it reads and asks
//! what to add, replace, delete or keep.

use std::collections::{BTreeMap, HashMap};

/// The records an index holds, by file: line -> content hash.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Known {
    pub files: BTreeMap<String, HashMap<u64, u64>>,
}

/// What to do with one record read from the corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Same line, same content: nothing to do.
    Keep,
    /// New line: index it.
    Add,
    /// Same line, new content: delete the old record (its hash given), index the new.
    Replace(u64),
}

impl Known {
    pub fn insert(&mut self, file: &str, line: u64, hash: u64) {
        self.files
            .entry(file.to_string())
            .or_default()
            .insert(line, hash);
    }

    /// Number of records held for `file`.
    pub fn count(&self, file: &str) -> usize {
        self.files.get(file).map_or(0, HashMap::len)
    }

    /// Number of records held in all.
    pub fn total(&self) -> usize {
        self.files.values().map(HashMap::len).sum()
    }

    pub fn action(&self, file: &str, line: u64, hash: u64) -> Action {
        match self.files.get(file).and_then(|f| f.get(&line)) {
            Some(&h) if h == hash => Action::Keep,
            Some(&h) => Action::Replace(h),
            None => Action::Add,
        }
    }
}

/// Tracks which known records of one file were seen again in this run.
#[derive(Debug, Default)]
pub struct Seen {
    lines: std::collections::HashSet<u64>,
}

impl Seen {
    pub fn mark(&mut self, line: u64) {
        self.lines.insert(line);
    }

    /// Known records of `file` that were not seen: they left the corpus.
    pub fn gone(&self, known: &Known, file: &str) -> Vec<(u64, u64)> {
        let mut gone: Vec<(u64, u64)> = known
            .files
            .get(file)
            .map(|f| {
                f.iter()
                    .filter(|(l, _)| !self.lines.contains(l))
                    .map(|(&l, &h)| (l, h))
                    .collect()
            })
            .unwrap_or_default();
        gone.sort_unstable();
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_kept_added_replaced_or_gone() {
        let mut known = Known::default();
        known.insert("a.jsonl", 1, 10);
        known.insert("a.jsonl", 2, 20);
        known.insert("a.jsonl", 3, 30);
        assert_eq!(known.action("a.jsonl", 1, 10), Action::Keep);
        assert_eq!(known.action("a.jsonl", 2, 21), Action::Replace(20));
        assert_eq!(known.action("a.jsonl", 4, 40), Action::Add);
        assert_eq!(known.action("b.txt", 1, 10), Action::Add);
        let mut seen = Seen::default();
        seen.mark(1);
        seen.mark(2);
        assert_eq!(seen.gone(&known, "a.jsonl"), vec![(3, 30)]);
        assert_eq!(known.total(), 3);
    }
}
