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
/// text, and stemming each occurrence again costs more than a lookup.
#[derive(Default)]
pub struct StemCache {
    map: rustc_hash::FxHashMap<String, String>,
    capacity: usize,
}

impl StemCache {
    /// A cache of at most `capacity` words (emptied when full).
    pub fn new(capacity: usize) -> StemCache {
        StemCache {
            // Grows with use: a cache that sees few words stays small.
            map: rustc_hash::FxHashMap::default(),
            capacity,
        }
    }

    /// A cache that keeps nothing.
    pub fn disabled() -> StemCache {
        StemCache::default()
    }

    /// Appends the stem of `folded` to `out`, from the cache when possible.
    pub fn stem_into(&mut self, stemmer: &Stemmer, folded: &str, out: &mut String) {
        if let Some(stem) = self.map.get(folded) {
            out.push_str(stem);
            return;
        }
        let start = out.len();
        stemmer.stem_into(folded, out);
        if self.capacity == 0 {
            return;
        }
        if self.map.len() >= self.capacity {
            self.map.clear();
        }
        self.map
            .insert(folded.to_string(), out[start..].to_string());
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
}
