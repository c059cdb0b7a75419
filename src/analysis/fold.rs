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
        push_ascii_lowercase(word, out);
        return;
    }
    // NFKC never joins a character to an ASCII one after it (no canonical
    // composition has an ASCII second part), so text is normalised run by
    // run, each run one ASCII character and the non-ASCII ones after it: a
    // non-breaking space or an ellipsis, which NFKC replaces, then costs
    // its own run, not the whole passage.
    let bytes = word.as_bytes();
    let mut start = 0;
    while start < bytes.len() {
        let Some(other) = bytes[start..].iter().position(|b| !b.is_ascii()) else {
            push_ascii_lowercase(&word[start..], out);
            break;
        };
        let other = start + other;
        // The ASCII character before a non-ASCII one opens its run.
        let run = if other > start { other - 1 } else { other };
        push_ascii_lowercase(&word[start..run], out);
        let end = bytes[other..]
            .iter()
            .position(u8::is_ascii)
            .map_or(bytes.len(), |i| other + i);
        lowercase_run(&word[run..end], out);
        start = end;
    }
}

/// The lowercase of `c` when `c` is ASCII or one of the characters French
/// text is made of that NFKC leaves alone and that compose with nothing
/// after them (Latin-1 letters, `œ`, quotes, dashes, `€`); else `None`.
fn plain_lowercase(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(c.to_ascii_lowercase()),
        '\0'..='\x7f' => Some(c),
        'À'..='Þ' if c != '×' => char::from_u32(c as u32 + 32),
        'Œ' => Some('œ'),
        'ß'..='ÿ' | '×' | 'œ' | '«' | '»' | '‘' | '’' | '“' | '”' | '–' | '—' | '€' => {
            Some(c)
        }
        _ => None,
    }
}

/// Appends ASCII `text` lowercased to `out`.
fn push_ascii_lowercase(text: &str, out: &mut String) {
    let from = out.len();
    out.push_str(text);
    out[from..].make_ascii_lowercase();
}

/// Appends `run` lowercased and in NFKC form to `out`.
fn lowercase_run(run: &str, out: &mut String) {
    // French letters and punctuation, looked up without Unicode's tables.
    let from = out.len();
    if run.chars().all(|c| match plain_lowercase(c) {
        Some(l) => {
            out.push(l);
            true
        }
        None => false,
    }) {
        return;
    }
    out.truncate(from);
    // Most French text is already in NFKC form (Unicode's quick check
    // says so for certain): normalising it again would change nothing.
    if is_nfkc_quick(run.chars()) == IsNormalized::Yes {
        for c in run.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
        return;
    }
    for c in run.nfkc() {
        out.extend(c.to_lowercase());
    }
}

/// Removes accents from an already lowercased word, into `out` (cleared first).
pub fn fold(lower: &str, out: &mut String) {
    out.clear();
    let mut rest = lower;
    while let Some(other) = rest.bytes().position(|b| !b.is_ascii()) {
        out.push_str(&rest[..other]);
        let mut chars = rest[other..].chars();
        if let Some(c) = chars.next() {
            fold_char(c, out);
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
}

/// Appends non-ASCII `c` (lowercase) without its accents to `out`.
fn fold_char(c: char, out: &mut String) {
    match c {
        'œ' => out.push_str("oe"),
        'æ' => out.push_str("ae"),
        'ß' => out.push_str("ss"),
        'ø' => out.push('o'),
        'đ' | 'ð' => out.push('d'),
        'ł' => out.push('l'),
        'ı' => out.push('i'),
        'þ' => out.push_str("th"),
        // French letters, without the decomposition tables.
        'à'..='å' => out.push('a'),
        'ç' => out.push('c'),
        'è'..='ë' => out.push('e'),
        'ì'..='ï' => out.push('i'),
        'ñ' => out.push('n'),
        'ò'..='ö' => out.push('o'),
        'ù'..='ü' => out.push('u'),
        'ý' | 'ÿ' => out.push('y'),
        '«' | '»' | '‘' | '’' | '“' | '”' | '–' | '—' | '€' => out.push(c),
        c => decompose_canonical(c, |d| {
            if !is_combining_mark(d) {
                out.push(d);
            }
        }),
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

    /// What [`fold`] must give, character by character and without its
    /// shortcuts: the ligatures and letters its table names, else the
    /// canonical decomposition without its marks.
    fn folded_by_decomposition(lower: &str) -> String {
        let mut out = String::new();
        for c in lower.chars() {
            match c {
                'œ' | 'æ' | 'ß' | 'ø' | 'đ' | 'ð' | 'ł' | 'ı' | 'þ' => {
                    fold_char(c, &mut out)
                }
                c => decompose_canonical(c, |d| {
                    if !is_combining_mark(d) {
                        out.push(d);
                    }
                }),
            }
        }
        out
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

        /// Folding, with its shortcuts for ASCII spans and French letters,
        /// removes what Unicode's canonical decomposition calls marks.
        #[test]
        fn fold_is_character_by_character(word in crate::analysis::testing::tricky_text(40)) {
            let mut lower = String::new();
            lowercase(&word, &mut lower);
            let mut fast = String::new();
            fold(&lower, &mut fast);
            proptest::prop_assert_eq!(fast, folded_by_decomposition(&lower));
        }

        /// The same on any Unicode text: Hangul jamo, other scripts' marks,
        /// compatibility forms next to ASCII.
        #[test]
        fn lowercase_is_nfkc_then_lowercase_on_any_text(word in proptest::prelude::any::<String>()) {
            let mut fast = String::new();
            lowercase(&word, &mut fast);
            let slow: String = word.nfkc().flat_map(char::to_lowercase).collect();
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    /// Every character of the Latin, Greek, Cyrillic, Arabic and
    /// punctuation blocks, alone and between ASCII letters and marks,
    /// lowercases as NFKC then lowercase does and folds as the tables say.
    #[test]
    fn each_character_below_u3000_takes_the_shortcuts_rightly() {
        for c in (1u32..0x3000).filter_map(char::from_u32) {
            for text in [
                c.to_string(),
                format!("E{c}\u{301}a"),
                format!("{c}\u{300}"),
                format!("a{c}B"),
            ] {
                let mut lower = String::new();
                lowercase(&text, &mut lower);
                let slow: String = text.nfkc().flat_map(char::to_lowercase).collect();
                assert_eq!(lower, slow, "{text:?}");
                let mut folded = String::new();
                fold(&lower, &mut folded);
                assert_eq!(folded, folded_by_decomposition(&lower), "{text:?}");
            }
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
