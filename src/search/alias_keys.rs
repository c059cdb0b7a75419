//! Which names of the alias table a query word may stand for: every word of
//! every name, under its lookup keys, in one sorted table that is saved
//! beside the index and read back at the next start.
//!
//! Computing the keys of the shipped table's thousands of words costs a
//! short search several times its own time, and a command-line search starts
//! afresh every time. So the table is built once, written to the index root
//! ([`crate::index::Index::write_cache`]) and, at the next start, read back
//! whole and searched in place, without parsing.
//!
//! # What this file guarantees
//!
//! * [`AliasKeys::names_of`] gives the same names whether the table was just
//!   built or read back (tests compare the two over every word of the
//!   shipped table).
//! * A saved table is used only when it was made from the same alias table,
//!   by the same binary, under the same analysis ([`stamp`]); a missing,
//!   stale, truncated or corrupt file is ignored (it fails its checksum or
//!   its bounds check) and the table is built again. Nothing here panics
//!   on a bad file.
//!
//! # Layout (little-endian)
//!
//! `magic (4) · stamp u64 · checksum u64 (xxh3 of what follows) · count u32
//! · count+1 key ends u32 · count+1 entry ends u32 · key bytes · entries
//! (group u32, name u32)`. Keys are sorted and distinct; the entries of key
//! `i` lie between entry ends `i` and `i + 1`, sorted.

use crate::analysis::Analyzer;
use crate::names;
use crate::terms::acronym_term;

const MAGIC: &[u8; 4] = b"RAK1";

/// The file's name in the index root.
pub const FILE: &str = "aliases.keys";

/// Bytes before the checksummed part: magic, stamp, checksum.
const HEADER: usize = 4 + 8 + 8;

/// The lookup keys of a word: its exact form as an acronym term (so that it
/// cannot meet a spelling key) and its spelling keys.
pub fn lookup_keys(exact: &str) -> Vec<String> {
    let mut keys = vec![acronym_term(exact)];
    keys.extend(names::spelling_keys(exact));
    keys
}

/// Identifies what the keys were computed from: the alias table (`groups`),
/// the index's analysis and the running binary (whose code computes the
/// keys). None when the binary cannot be identified: then nothing is saved.
pub fn stamp(groups: &[Vec<String>]) -> Option<u64> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(exe).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(crate::schema::fingerprint().as_bytes());
    h.update(&meta.len().to_le_bytes());
    h.update(&modified.as_nanos().to_le_bytes());
    for group in groups {
        for name in group {
            h.update(name.as_bytes());
            h.update(&[0]);
        }
        h.update(&[1]);
    }
    Some(h.digest())
}

/// The sorted key table (see the module's layout).
#[derive(Debug, Default)]
pub struct AliasKeys {
    bytes: Vec<u8>,
    count: usize,
}

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let b = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?) as usize)
}

impl AliasKeys {
    /// Keys every word of every name of `groups`, as the analyzer reads it.
    pub fn build(groups: &[Vec<String>], analyzer: &Analyzer, stamp: u64) -> AliasKeys {
        // Names share words (`al`, `Abou`, `Mohammed`): each word's keys
        // are computed once.
        let mut keys_of: rustc_hash::FxHashMap<String, Vec<String>> = Default::default();
        let mut entries: Vec<(&str, u32, u32)> = Vec::new();
        let mut words: Vec<(String, u32, u32)> = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            for (n, name) in group.iter().enumerate() {
                for w in analyzer.exact_words(name) {
                    words.push((w.exact, g as u32, n as u32));
                }
            }
        }
        for (exact, _, _) in &words {
            if !keys_of.contains_key(exact) {
                keys_of.insert(exact.clone(), lookup_keys(exact));
            }
        }
        for (exact, g, n) in &words {
            for key in &keys_of[exact] {
                entries.push((key.as_str(), *g, *n));
            }
        }
        entries.sort_unstable();
        entries.dedup();
        Self::write(&entries, stamp)
    }

    fn write(entries: &[(&str, u32, u32)], stamp: u64) -> AliasKeys {
        let mut keys: Vec<&str> = entries.iter().map(|e| e.0).collect();
        keys.dedup();
        let mut body = Vec::new();
        body.extend_from_slice(&(keys.len() as u32).to_le_bytes());
        let mut end = 0u32;
        body.extend_from_slice(&0u32.to_le_bytes());
        for k in &keys {
            end += k.len() as u32;
            body.extend_from_slice(&end.to_le_bytes());
        }
        body.extend_from_slice(&0u32.to_le_bytes());
        let mut at = 0;
        for k in &keys {
            while entries.get(at).is_some_and(|e| e.0 == *k) {
                at += 1;
            }
            body.extend_from_slice(&(at as u32).to_le_bytes());
        }
        for k in &keys {
            body.extend_from_slice(k.as_bytes());
        }
        for (_, g, n) in entries {
            body.extend_from_slice(&g.to_le_bytes());
            body.extend_from_slice(&n.to_le_bytes());
        }
        let mut bytes = Vec::with_capacity(HEADER + body.len());
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&stamp.to_le_bytes());
        bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes());
        bytes.extend_from_slice(&body);
        AliasKeys {
            bytes,
            count: keys.len(),
        }
    }

    /// A saved table, if it is whole and was made under `stamp`.
    pub fn read(bytes: Vec<u8>, stamp: u64) -> Option<AliasKeys> {
        if bytes.get(..4)? != MAGIC {
            return None;
        }
        let saved = u64::from_le_bytes(bytes.get(4..12)?.try_into().ok()?);
        let sum = u64::from_le_bytes(bytes.get(12..20)?.try_into().ok()?);
        if saved != stamp || xxhash_rust::xxh3::xxh3_64(bytes.get(HEADER..)?) != sum {
            return None;
        }
        let count = u32_at(&bytes, HEADER)?;
        let keys = AliasKeys { bytes, count };
        // Ends never go back and stay inside the file: then every look-up
        // below is in bounds.
        let (key_bytes, entry_count) = (keys.key_end(count)?, keys.entry_end(count)?);
        let size = keys
            .keys_at()?
            .checked_add(key_bytes)?
            .checked_add(entry_count.checked_mul(8)?)?;
        let ordered = (0..count).all(|i| {
            keys.key_end(i) <= keys.key_end(i + 1) && keys.entry_end(i) <= keys.entry_end(i + 1)
        });
        (size == keys.bytes.len() && ordered).then_some(keys)
    }

    /// The file's bytes, to save.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn key_end(&self, i: usize) -> Option<usize> {
        u32_at(&self.bytes, HEADER + 4 + 4 * i)
    }

    fn entry_end(&self, i: usize) -> Option<usize> {
        u32_at(&self.bytes, HEADER + 4 + 4 * (self.count + 1) + 4 * i)
    }

    fn keys_at(&self) -> Option<usize> {
        HEADER
            .checked_add(4)?
            .checked_add(8usize.checked_mul(self.count + 1)?)
    }

    fn key(&self, i: usize) -> Option<&[u8]> {
        let at = self.keys_at()?;
        self.bytes
            .get(at + self.key_end(i)?..at + self.key_end(i + 1)?)
    }

    /// (group, name) of every name that has a word under `key`, sorted.
    pub fn names_of(&self, key: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
        let (mut lo, mut hi) = (0, self.count);
        let mut found = None;
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key(mid).map(|k| k.cmp(key.as_bytes())) {
                Some(std::cmp::Ordering::Less) => lo = mid + 1,
                Some(std::cmp::Ordering::Greater) => hi = mid,
                Some(std::cmp::Ordering::Equal) => {
                    found = Some(mid);
                    break;
                }
                None => break,
            }
        }
        let range = found
            .and_then(|i| Some((self.entry_end(i)?, self.entry_end(i + 1)?)))
            .unwrap_or((0, 0));
        let at = self
            .keys_at()
            .and_then(|a| Some(a + self.key_end(self.count)?))
            .unwrap_or(0);
        (range.0..range.1).filter_map(move |e| {
            let p = at + 8 * e;
            Some((u32_at(&self.bytes, p)?, u32_at(&self.bytes, p + 4)?))
        })
    }

    /// Number of distinct keys.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> Vec<Vec<String>> {
        names::shipped_aliases()
            .groups
            .into_iter()
            .map(|g| g.names)
            .collect()
    }

    /// The table as the plain map the engine used to build.
    fn plain(
        groups: &[Vec<String>],
        analyzer: &Analyzer,
    ) -> std::collections::BTreeMap<String, Vec<(usize, usize)>> {
        let mut map: std::collections::BTreeMap<String, Vec<(usize, usize)>> = Default::default();
        for (g, group) in groups.iter().enumerate() {
            for (n, name) in group.iter().enumerate() {
                for w in analyzer.exact_words(name) {
                    for k in lookup_keys(&w.exact) {
                        let e = map.entry(k).or_default();
                        e.push((g, n));
                        e.sort_unstable();
                        e.dedup();
                    }
                }
            }
        }
        map
    }

    #[test]
    fn a_table_read_back_finds_every_name_the_built_one_does() {
        let groups = shipped();
        let analyzer = Analyzer::default();
        let built = AliasKeys::build(&groups, &analyzer, 7);
        let read = AliasKeys::read(built.bytes().to_vec(), 7).expect("reads back");
        let expected = plain(&groups, &analyzer);
        assert!(expected.len() > 1000, "{}", expected.len());
        assert_eq!(read.len(), expected.len());
        for (key, names) in &expected {
            assert_eq!(&built.names_of(key).collect::<Vec<_>>(), names, "{key}");
            assert_eq!(&read.names_of(key).collect::<Vec<_>>(), names, "{key}");
        }
        assert_eq!(read.names_of("ZZZZQ").count(), 0);
        assert_eq!(read.names_of("").count(), 0);
    }

    #[test]
    fn a_table_from_another_stamp_or_damaged_is_refused() {
        let groups = shipped();
        let built = AliasKeys::build(&groups, &Analyzer::default(), 7);
        let bytes = built.bytes().to_vec();
        assert!(AliasKeys::read(bytes.clone(), 8).is_none(), "other stamp");
        for cut in [0, 3, 19, 20, 24, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                AliasKeys::read(bytes[..cut].to_vec(), 7).is_none(),
                "cut at {cut}"
            );
        }
        let mut flipped = bytes.clone();
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
        assert!(AliasKeys::read(flipped, 7).is_none(), "flipped byte");
        let mut longer = bytes;
        longer.push(0);
        assert!(AliasKeys::read(longer, 7).is_none(), "trailing byte");
    }

    #[test]
    fn an_empty_table_has_no_keys() {
        let built = AliasKeys::build(&[], &Analyzer::default(), 1);
        let read = AliasKeys::read(built.bytes().to_vec(), 1).expect("reads back");
        assert!(read.is_empty());
        assert_eq!(read.names_of("XR").count(), 0);
    }

    proptest::proptest! {
        /// A file whose checksum was recomputed over random bytes (the
        /// worst damage: it passes the checksum) is refused or answers
        /// without panicking.
        #[test]
        fn random_bodies_never_panic(body in proptest::collection::vec(proptest::num::u8::ANY, 0..200), key in "[A-Z]{0,4}") {
            let mut bytes = Vec::new();
            bytes.extend_from_slice(MAGIC);
            bytes.extend_from_slice(&3u64.to_le_bytes());
            bytes.extend_from_slice(&xxhash_rust::xxh3::xxh3_64(&body).to_le_bytes());
            bytes.extend_from_slice(&body);
            if let Some(keys) = AliasKeys::read(bytes, 3) {
                let _ = keys.names_of(&key).count();
            }
        }
    }
}
