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
}
