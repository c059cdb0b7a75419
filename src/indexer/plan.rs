//! What changed: the index's view of the corpus, compared record by record.
//!
//! Pure bookkeeping, no I/O: the indexer feeds it what it reads and asks
//! what to add, replace, delete or keep.
//!
//! A record with its own id is known by that id, wherever it lies in the
//! corpus: moving it to another line costs nothing, moving it to another file
//! re-indexes it (so that it shows its new path). A record without an id is
//! known by its file and line. An id may be held once in the corpus: the
//! record already indexed (or the first met, in path and line order) keeps
//! it, and later ones are refused as duplicates.

use std::collections::{BTreeMap, HashMap, HashSet};

/// How a record is known from one run to the next.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// By its own id, unique in the corpus.
    Id(String),
    /// By the file and line it lies on (records without an id).
    Line(String, u64),
}

/// A key's 128-bit digest: what a run remembers of each record it reads,
/// so that its memory stays small as the corpus grows (two keys sharing a
/// digest would need some 2^64 records).
type Digest = u128;

impl Key {
    fn digest(&self) -> Digest {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        match self {
            Key::Id(id) => {
                h.update(b"i");
                h.update(id.as_bytes());
            }
            Key::Line(file, line) => {
                h.update(b"l");
                h.update(file.as_bytes());
                // 0xFF never occurs in UTF-8: the file name ends here.
                h.update(&[0xFF]);
                h.update(&line.to_le_bytes());
            }
        }
        h.digest128()
    }

    /// The key of a record with `id` (if any) at `line` of `file`.
    pub fn of(id: Option<&str>, file: &str, line: u64) -> Key {
        match id {
            Some(id) => Key::Id(id.to_string()),
            None => Key::Line(file.to_string(), line),
        }
    }
}

/// Where the index holds a record, and the hash of what it holds.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Held {
    pub file: String,
    pub line: u64,
    pub hash: u64,
}

/// The records an index holds.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Known {
    records: HashMap<Key, Held>,
    /// Keys by file, for per-file questions.
    by_file: BTreeMap<String, Vec<Key>>,
    /// Records held twice under one key (never written by this version):
    /// deleted at the next run.
    strays: Vec<(Key, Held)>,
}

/// What to do with one record read from the corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Same record, same content, same file: nothing to do.
    Keep,
    /// Not held: index it.
    Add,
    /// Held with other content or in another file: delete what is held
    /// (given), index the new.
    Replace(Held),
}

impl Known {
    /// Notes that the index holds `key` as `held`. The same record met
    /// again (in another segment) is one record; a key met with another
    /// record keeps the first, and the other becomes a stray.
    pub fn insert(&mut self, key: Key, held: Held) {
        if let Some(first) = self.records.get(&key) {
            if *first != held {
                self.strays.push((key, held));
            }
            return;
        }
        self.by_file
            .entry(held.file.clone())
            .or_default()
            .push(key.clone());
        self.records.insert(key, held);
    }

    /// True when no record is loaded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// True when `key` is among the records loaded.
    pub fn holds(&self, key: &Key) -> bool {
        self.records.contains_key(key)
    }

    /// Number of records held for `file`.
    pub fn count(&self, file: &str) -> usize {
        self.by_file.get(file).map_or(0, Vec::len)
    }

    /// Number of records held in all.
    pub fn total(&self) -> usize {
        self.records.len()
    }

    /// What to do with a record known as `key`, read from `file` with `hash`.
    pub fn action(&self, key: &Key, file: &str, hash: u64) -> Action {
        match self.records.get(key) {
            Some(held) if held.hash == hash && held.file == file => Action::Keep,
            Some(held) => Action::Replace(held.clone()),
            None => Action::Add,
        }
    }

    /// Records held twice under one key, to delete.
    pub fn strays(&self) -> &[(Key, Held)] {
        &self.strays
    }
}

/// The records of this run: which known records are still there (or must be
/// kept), and which file first holds each id.
///
/// Records are remembered by digest, and files by number, so that a run
/// over a large corpus holds a few dozen bytes per record.
#[derive(Debug, Default)]
pub struct Seen {
    keys: HashSet<Digest>,
    /// Where each id was first met: file number (in `files`) and line.
    ids: HashMap<Digest, (u32, u64)>,
    files: Vec<String>,
    file_numbers: HashMap<String, u32>,
    /// Files whose records all stay (unchanged or unreadable).
    kept: HashSet<String>,
}

impl Seen {
    /// Takes `id` for the record at `line` of `file`; when another record
    /// already holds it (one read in this run, or one the index holds in a
    /// file kept as it is), returns where that one is.
    pub fn claim(
        &mut self,
        known: &Known,
        id: &str,
        file: &str,
        line: u64,
    ) -> Result<(), (String, u64)> {
        let key = Key::Id(id.to_string());
        let digest = key.digest();
        if let Some(&(number, first_line)) = self.ids.get(&digest) {
            return Err((self.files[number as usize].clone(), first_line));
        }
        if let Some(held) = known.records.get(&key) {
            if held.file != file && self.kept.contains(&held.file) {
                return Err((held.file.clone(), held.line));
            }
        }
        let number = match self.file_numbers.get(file) {
            Some(&n) => n,
            None => {
                let n = self.files.len() as u32;
                self.files.push(file.to_string());
                self.file_numbers.insert(file.to_string(), n);
                n
            }
        };
        self.ids.insert(digest, (number, line));
        Ok(())
    }

    /// The record known as `key` is in the corpus.
    pub fn mark(&mut self, key: &Key) {
        self.keys.insert(key.digest());
    }

    /// Everything the index holds for `file` stays: the file is unchanged,
    /// or could not be read.
    pub fn keep_file(&mut self, file: &str) {
        self.kept.insert(file.to_string());
    }

    /// What the index holds at `line` of `file` stays: that line could not
    /// be read.
    pub fn keep_at(&mut self, known: &Known, file: &str, line: u64) {
        for key in known.by_file.get(file).into_iter().flatten() {
            if known.records.get(key).is_some_and(|h| h.line == line) {
                self.keys.insert(key.digest());
            }
        }
    }

    /// Known records that were not seen nor kept: they left the corpus.
    /// Sorted by file and line.
    pub fn gone(&self, known: &Known) -> Vec<(Key, Held)> {
        let mut gone: Vec<(Key, Held)> = known
            .records
            .iter()
            .filter(|(k, h)| !self.kept.contains(&h.file) && !self.keys.contains(&k.digest()))
            .map(|(k, h)| (k.clone(), h.clone()))
            .collect();
        gone.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
        gone
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(file: &str, line: u64, hash: u64) -> Held {
        Held {
            file: file.into(),
            line,
            hash,
        }
    }

    fn line(file: &str, line: u64) -> Key {
        Key::Line(file.into(), line)
    }

    fn id(id: &str) -> Key {
        Key::Id(id.into())
    }

    #[test]
    fn keys_that_print_alike_have_distinct_digests() {
        let keys = [
            line("a1", 2),
            line("a", 12),
            line("a12", 0),
            id("a"),
            id("a12"),
            line("", 0),
            id(""),
        ];
        let digests: HashSet<Digest> = keys.iter().map(Key::digest).collect();
        assert_eq!(digests.len(), keys.len());
    }

    #[test]
    fn records_without_id_are_kept_added_replaced_or_gone_by_line() {
        let mut known = Known::default();
        known.insert(line("a.jsonl", 1), held("a.jsonl", 1, 10));
        known.insert(line("a.jsonl", 2), held("a.jsonl", 2, 20));
        known.insert(line("a.jsonl", 3), held("a.jsonl", 3, 30));
        assert_eq!(
            known.action(&line("a.jsonl", 1), "a.jsonl", 10),
            Action::Keep
        );
        assert_eq!(
            known.action(&line("a.jsonl", 2), "a.jsonl", 21),
            Action::Replace(held("a.jsonl", 2, 20))
        );
        assert_eq!(
            known.action(&line("a.jsonl", 4), "a.jsonl", 40),
            Action::Add
        );
        assert_eq!(known.action(&line("b.txt", 1), "b.txt", 10), Action::Add);
        let mut seen = Seen::default();
        seen.mark(&line("a.jsonl", 1));
        seen.mark(&line("a.jsonl", 2));
        assert_eq!(
            seen.gone(&known),
            vec![(line("a.jsonl", 3), held("a.jsonl", 3, 30))]
        );
        assert_eq!(known.total(), 3);
        assert_eq!(known.count("a.jsonl"), 3);
    }

    #[test]
    fn records_with_id_are_known_wherever_they_lie() {
        let mut known = Known::default();
        known.insert(id("x"), held("a.jsonl", 1, 10));
        known.insert(id("y"), held("a.jsonl", 2, 20));
        // Another line, same content: kept.
        assert_eq!(known.action(&id("x"), "a.jsonl", 10), Action::Keep);
        // Another file, same content: re-indexed there.
        assert_eq!(
            known.action(&id("x"), "b.jsonl", 10),
            Action::Replace(held("a.jsonl", 1, 10))
        );
        let mut seen = Seen::default();
        seen.mark(&id("y"));
        assert_eq!(seen.gone(&known), vec![(id("x"), held("a.jsonl", 1, 10))]);
    }

    #[test]
    fn an_id_is_claimed_once_and_kept_files_claim_theirs() {
        let mut known = Known::default();
        known.insert(id("x"), held("a.jsonl", 4, 10));
        let mut seen = Seen::default();
        // While a.jsonl is read, its record may move within it.
        assert_eq!(seen.claim(&known, "x", "a.jsonl", 7), Ok(()));
        let mut seen = Seen::default();
        seen.keep_file("a.jsonl");
        assert_eq!(
            seen.claim(&known, "x", "b.jsonl", 1),
            Err(("a.jsonl".into(), 4))
        );
        assert_eq!(seen.claim(&known, "y", "b.jsonl", 2), Ok(()));
        assert_eq!(
            seen.claim(&known, "y", "b.jsonl", 9),
            Err(("b.jsonl".into(), 2))
        );
        assert!(seen.gone(&known).is_empty());
    }

    #[test]
    fn an_unreadable_line_keeps_what_was_held_there() {
        let mut known = Known::default();
        known.insert(id("x"), held("a.jsonl", 1, 10));
        known.insert(line("a.jsonl", 2), held("a.jsonl", 2, 20));
        let mut seen = Seen::default();
        seen.keep_at(&known, "a.jsonl", 1);
        seen.keep_at(&known, "a.jsonl", 2);
        assert!(seen.gone(&known).is_empty());
    }

    #[test]
    fn a_key_held_twice_leaves_a_stray_to_delete() {
        let mut known = Known::default();
        known.insert(id("x"), held("a.jsonl", 1, 10));
        known.insert(id("x"), held("a.jsonl", 1, 10));
        assert!(known.strays().is_empty(), "one record in two segments");
        known.insert(id("x"), held("b.jsonl", 1, 10));
        assert_eq!(known.strays(), &[(id("x"), held("b.jsonl", 1, 10))]);
        assert_eq!(known.total(), 1);
    }
}
