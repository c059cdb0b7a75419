//! Stage 3: lowercase and accent folding.
//!
//! `Réfugiés` -> `refugies`, `Œuvre` -> `oeuvre`, `Æ` -> `ae`, `ß` -> `ss`.
//! Compatibility forms are normalised first (NFKC: ligatures like `ﬁ`,
//! full-width letters). Folding happens after stopword removal and before
//! stemming, on documents and queries alike, so a query typed without accents
//! meets the accented text.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// True for the letters French text is written in that NFKC leaves as
/// they are, alone and next to each other: ASCII, Latin-1 and Latin
/// Extended-A, but for the few of those with a compatibility form (`ĳ`,
/// `ŀ`, `ŉ`, `ſ`) and the Latin-1 signs (`ª`, `²`, `½`, the no-break
/// space…). None of them is a combining mark, so a word made only of them
/// is its own NFKC form (tested over every one of them).
fn nfkc_stable(c: char) -> bool {
    matches!(c, '\0'..='\u{7f}' | '\u{c0}'..='\u{131}' | '\u{134}'..='\u{13e}'
        | '\u{141}'..='\u{148}' | '\u{14a}'..='\u{17e}')
}

/// Lowercases `word` into `out` (cleared first), keeping accents.
pub fn lowercase(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.chars().map(|c| c.to_ascii_lowercase()));
        return;
    }
    // Most accented French words need no normalisation: skip it for them.
    if word.chars().all(nfkc_stable) {
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

    /// The letters lowercased without NFKC are their own NFKC form, alone
    /// and after any other of them (a pair could compose only if the
    /// second were a combining mark).
    #[test]
    fn letters_lowercased_without_normalising_are_their_own_nfkc_form() {
        let stable: Vec<char> = ('\0'..='\u{17f}').filter(|&c| nfkc_stable(c)).collect();
        assert!(stable.contains(&'é') && stable.contains(&'œ') && !stable.contains(&'\u{a0}'));
        for &c in &stable {
            assert_eq!(
                c.to_string().nfkc().collect::<String>(),
                c.to_string(),
                "{c:?}"
            );
            assert!(!is_combining_mark(c), "{c:?}");
        }
        for &a in &stable {
            for &b in stable.iter().step_by(7) {
                let pair: String = [a, b].into_iter().collect();
                assert_eq!(pair.nfkc().collect::<String>(), pair, "{a:?}{b:?}");
            }
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
