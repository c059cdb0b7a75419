//! Stage 4: Snowball French stemming (rust-stemmers) on the folded word.
//!
//! Contract: the input is lowercase and accent-folded. Numbers are not
//! stemmed (the caller keeps them as they are).

/// A French stemmer. Shares its tables; cheap to create.
pub struct Stemmer(rust_stemmers::Stemmer);

impl Stemmer {
    pub fn french() -> Stemmer {
        Stemmer(rust_stemmers::Stemmer::create(
            rust_stemmers::Algorithm::French,
        ))
    }

    /// Stems one folded word.
    pub fn stem(&self, folded: &str) -> String {
        self.0.stem(folded).into_owned()
    }

    /// Appends the stem of `folded` to `out`.
    pub fn stem_into(&self, folded: &str, out: &mut String) {
        out.push_str(&self.0.stem(folded));
    }
}

/// A bounded memo of stems: the same few thousand words make up most of any
/// text, and stemming each occurrence again (about 360 ns a word) costs
/// more than a look-up.
///
/// Two-way set-associative, each entry holding its word and stem inline
/// in 32 bytes, so that a look-up reads one cache line: a hash map of
/// strings read three or four (its control bytes, the entry, the key's
/// and the stem's heap blocks) and cost the indexer about a tenth of its
/// time. A set keeps its two most recently used words; a word or stem too
/// long for an entry (rare) is stemmed every time. The table starts small
/// and doubles as words come, up to its capacity, so that a searching
/// process that stems a few hundred words does not pay for a large one.
#[derive(Default)]
pub struct StemCache {
    /// `2 * sets` entries: entry `2s` is set `s`'s most recently used.
    entries: Vec<Entry>,
    /// The most entries the table grows to.
    capacity: usize,
    /// Words stemmed since the table last grew.
    stemmed: usize,
}

/// Entries of a new table.
const FIRST_ENTRIES: usize = 1024;

/// One cached word: `word_len` bytes of word, then the stem, which is
/// read from the word itself when it is a prefix of it (most are).
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Entry {
    word_len: u8,
    stem_len: u8,
    stem_is_prefix: bool,
    bytes: [u8; ENTRY_BYTES],
}

const ENTRY_BYTES: usize = 29;

impl Entry {
    const EMPTY: Entry = Entry {
        word_len: 0,
        stem_len: 0,
        stem_is_prefix: false,
        bytes: [0; ENTRY_BYTES],
    };

    fn holds(&self, word: &[u8]) -> bool {
        usize::from(self.word_len) == word.len()
            && !word.is_empty()
            && &self.bytes[..word.len()] == word
    }

    fn stem(&self) -> &[u8] {
        let (w, s) = (usize::from(self.word_len), usize::from(self.stem_len));
        if self.stem_is_prefix {
            &self.bytes[..s]
        } else {
            &self.bytes[w..w + s]
        }
    }

    /// The entry for `word` and `stem`, if they fit.
    fn new(word: &[u8], stem: &[u8]) -> Option<Entry> {
        let prefix = word.starts_with(stem);
        let needed = word.len() + if prefix { 0 } else { stem.len() };
        if word.is_empty() || needed > ENTRY_BYTES {
            return None;
        }
        let mut e = Entry {
            word_len: word.len() as u8,
            stem_len: stem.len() as u8,
            stem_is_prefix: prefix,
            bytes: [0; ENTRY_BYTES],
        };
        e.bytes[..word.len()].copy_from_slice(word);
        if !prefix {
            e.bytes[word.len()..needed].copy_from_slice(stem);
        }
        Some(e)
    }
}

/// FNV-1a over the word's bytes: words are short, and the low bits pick
/// the set.
fn hash(word: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in word {
        h = (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    h ^ (h >> 29)
}

impl StemCache {
    /// A cache of about `capacity` words (rounded to a power of two, at
    /// least 2); 32 bytes each.
    pub fn new(capacity: usize) -> StemCache {
        let capacity = capacity.max(2).next_power_of_two();
        StemCache {
            entries: vec![Entry::EMPTY; capacity.min(FIRST_ENTRIES)],
            capacity,
            stemmed: 0,
        }
    }

    /// A cache that keeps nothing.
    pub fn disabled() -> StemCache {
        StemCache::default()
    }

    /// Appends the stem of `folded` to `out`, from the cache when possible.
    pub fn stem_into(&mut self, stemmer: &Stemmer, folded: &str, out: &mut String) {
        let sets = self.entries.len() / 2;
        if sets == 0 {
            stemmer.stem_into(folded, out);
            return;
        }
        let word = folded.as_bytes();
        let recent = self.set_of(word);
        if self.entries[recent].holds(word) {
            push_bytes(out, self.entries[recent].stem());
            return;
        }
        if self.entries[recent + 1].holds(word) {
            self.entries.swap(recent, recent + 1);
            push_bytes(out, self.entries[recent].stem());
            return;
        }
        let start = out.len();
        stemmer.stem_into(folded, out);
        if let Some(e) = Entry::new(word, &out.as_bytes()[start..]) {
            self.put(e);
        }
        self.stemmed += 1;
        if self.stemmed >= self.entries.len() && self.entries.len() < self.capacity {
            self.grow();
        }
    }

    /// Doubles the table, keeping its words (each set's recent one first).
    fn grow(&mut self) {
        let size = (2 * self.entries.len()).min(self.capacity);
        let old = std::mem::replace(&mut self.entries, vec![Entry::EMPTY; size]);
        for pair in old.chunks(2).map(|p| [p[1], p[0]]) {
            for e in pair.into_iter().filter(|e| e.word_len > 0) {
                self.put(e);
            }
        }
        self.stemmed = 0;
    }

    /// The first entry of the set `word` belongs to (the table is not
    /// empty).
    fn set_of(&self, word: &[u8]) -> usize {
        2 * (hash(word) as usize & (self.entries.len() / 2 - 1))
    }

    /// Makes `e` its set's most recent entry; the set's older one goes.
    fn put(&mut self, e: Entry) {
        let recent = self.set_of(&e.bytes[..usize::from(e.word_len)]);
        self.entries[recent + 1] = self.entries[recent];
        self.entries[recent] = e;
    }
}

/// Appends `bytes`, a stem cut from valid UTF-8 by the stemmer (so valid
/// itself), to `out`.
fn push_bytes(out: &mut String, bytes: &[u8]) {
    match std::str::from_utf8(bytes) {
        Ok(s) => out.push_str(s),
        Err(_) => debug_assert!(false, "a cached stem is UTF-8"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plural_and_feminine_forms_share_a_stem() {
        let s = Stemmer::french();
        assert_eq!(s.stem("militaires"), s.stem("militaire"));
        assert_eq!(s.stem("syriennes"), s.stem("syrienne"));
        assert_eq!(s.stem("refugies"), s.stem("refugie"));
    }

    #[test]
    fn cached_stems_equal_fresh_ones_even_after_eviction() {
        let s = Stemmer::french();
        let mut cache = StemCache::new(2);
        for word in [
            "militaires",
            "syriennes",
            "militaires",
            "bases",
            "syriennes",
            "bases",
        ] {
            let mut out = String::new();
            cache.stem_into(&s, word, &mut out);
            assert_eq!(out, s.stem(word));
        }
    }

    use proptest::strategy::Strategy;

    proptest::proptest! {
        /// Whatever words come, in whatever order and however many times
        /// (growth, eviction, words and stems too long for an entry, stems
        /// that are not a prefix of their word), the cache gives the stem
        /// the stemmer gives.
        #[test]
        fn the_cache_always_gives_the_stemmers_stem(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-z]{1,12}",
                    "(anti|inter|constitutionnel|ement|ations|ies){1,6}",
                    proptest::sample::select(vec![
                        "yeux", "eaux", "chevaux", "travaux", "militaires", "refugies",
                    ]).prop_map(str::to_string),
                ],
                1..400,
            ),
            capacity in 2usize..64,
        ) {
            let s = Stemmer::french();
            let mut cache = StemCache::new(capacity);
            for word in words.iter().chain(words.iter().rev()) {
                let mut out = String::from("x");
                cache.stem_into(&s, word, &mut out);
                let fresh = s.stem(word);
                proptest::prop_assert_eq!(&out[1..], fresh.as_str());
            }
        }
    }
}
