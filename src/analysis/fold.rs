//! Stage 3: lowercase and accent folding.
//!
//! `Réfugiés` -> `refugies`, `Œuvre` -> `oeuvre`, `Æ` -> `ae`, `ß` -> `ss`.
//! Compatibility forms are normalised first (NFKC: ligatures like `ﬁ`,
//! full-width letters). Folding happens after stopword removal and before
//! stemming, on documents and queries alike, so a query typed without accents
//! meets the accented text.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Lowercases `word` into `out` (cleared first), keeping accents.
pub fn lowercase(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    // Most French text is already in NFKC form (Unicode's quick check
    // says so for certain): normalising it again would change nothing.
    if is_nfkc_quick(word.chars()) == IsNormalized::Yes {
        for c in word.chars() {
            out.extend(c.to_lowercase());
        }
        return;
    }
    for c in word.nfkc() {
        out.extend(c.to_lowercase());
    }
}

/// Removes accents from an already lowercased word, into `out` (cleared first).
pub fn fold(lower: &str, out: &mut String) {
    out.clear();
    if lower.is_ascii() {
        out.push_str(lower);
        return;
    }
    for c in lower.chars() {
        match c {
            'œ' => out.push_str("oe"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'ø' => out.push('o'),
            'đ' | 'ð' => out.push('d'),
            'ł' => out.push('l'),
            'ı' => out.push('i'),
            'þ' => out.push_str("th"),
            c if c.is_ascii() => out.push(c),
            c => decompose_canonical(c, |d| {
                if !is_combining_mark(d) {
                    out.push(d);
                }
            }),
        }
    }
}

/// Case and accent folding of any text, the one folding every part of
/// recoupe uses to compare words (the analyzer, the alias table, the
/// spelling keys, the date parser): NFKC, lowercase, accents removed.
/// `"Réfugiés"` -> `"refugies"`, `"Путин"` -> `"путин"`.
pub fn fold_str(text: &str) -> String {
    let (mut lower, mut out) = (String::new(), String::new());
    lowercase(text, &mut lower);
    fold(&lower, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lf(w: &str) -> String {
        fold_str(w)
    }

    #[test]
    fn folds_french_accents_and_ligatures() {
        assert_eq!(lf("Réfugiés"), "refugies");
        assert_eq!(lf("ŒUVRE"), "oeuvre");
        assert_eq!(lf("Ægypte"), "aegypte");
        assert_eq!(lf("Élysée"), "elysee");
        assert_eq!(lf("naïveté"), "naivete");
        assert_eq!(lf("Erdoğan"), "erdogan");
        assert_eq!(lf("Straße"), "strasse");
        assert_eq!(lf("ﬁn"), "fin");
    }

    #[test]
    fn french_punctuation_and_compatibility_forms_lowercase_as_nfkc_does() {
        for text in [
            "« Réfugiés » d’Irak — Œuvre",
            "L\u{a0}:\u{202f}ﬁn… Straße",
            "Re\u{301}fugie\u{301}s ＡＢＣ",
        ] {
            let mut fast = String::new();
            lowercase(text, &mut fast);
            let slow: String = text.nfkc().flat_map(char::to_lowercase).collect();
            assert_eq!(fast, slow, "{text:?}");
        }
    }

    proptest::proptest! {
        /// Lowercasing gives what NFKC then lowercase gives, on any text.
        #[test]
        fn lowercase_is_nfkc_then_lowercase(word in crate::analysis::testing::tricky_text(40)) {
            let mut fast = String::new();
            lowercase(&word, &mut fast);
            let slow: String = word.nfkc().flat_map(char::to_lowercase).collect();
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    #[test]
    fn decomposed_input_folds_like_composed() {
        assert_eq!(lf("re\u{301}fugie\u{301}s"), "refugies");
    }

    #[test]
    fn other_scripts_are_lowercased_not_dropped() {
        assert_eq!(lf("Путин"), "путин");
        assert_eq!(lf("Ελλάδα"), "ελλαδα");
    }
}
