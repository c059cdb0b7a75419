//! Text from feeds and scraped pages made safe for a terminal.
//!
//! Titles, sources, snippets, paths and query words can hold anything:
//! escape sequences that recolour, clear or retitle the terminal, and bidi
//! controls that make a line read differently from what it says. Before any
//! of it is printed for a person, [`clean`] makes it inert:
//!
//! - line breaks and tabs become spaces (one hit keeps its layout);
//! - other C0 controls and DEL become their visible Unicode pictures
//!   (`ESC` shows as `␛`), so a reader sees that something was there;
//! - C1 controls (which some terminals obey as escapes) become `�`;
//! - bidi embeddings, overrides, isolates and marks are dropped, so text is
//!   shown in the order it is stored and searched.
//!
//! [`clean`] maps each character on its own, so cleaning the pieces of a
//! text between highlights gives the same result as cleaning the whole: the
//! highlights' byte offsets, which point into the original text, are applied
//! first and never shift. JSON output is not cleaned.

use std::borrow::Cow;

/// What one character becomes on a terminal.
enum Shown {
    Same,
    As(char),
    Dropped,
}

fn shown(c: char) -> Shown {
    match c {
        '\t' | '\n' | '\r' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{2028}' | '\u{2029}' => {
            Shown::As(' ')
        }
        '\u{0}'..='\u{1f}' => Shown::As(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
        '\u{7f}' => Shown::As('\u{2421}'),
        '\u{80}'..='\u{9f}' => Shown::As('\u{fffd}'),
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}' => {
            Shown::Dropped
        }
        _ => Shown::Same,
    }
}

/// `text` safe to print on a terminal (borrowed when it already is).
pub fn clean(text: &str) -> Cow<'_, str> {
    let Some(first) = text.find(|c| !matches!(shown(c), Shown::Same)) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        match shown(c) {
            Shown::Same => out.push(c),
            Shown::As(r) => out.push(r),
            Shown::Dropped => {}
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn unsafe_char(c: char) -> bool {
        c.is_control() || matches!(shown(c), Shown::Dropped) || c == '\u{2028}' || c == '\u{2029}'
    }

    #[test]
    fn escapes_become_visible_and_inert() {
        assert_eq!(clean("\u{1b}[31mrouge\u{1b}[0m"), "␛[31mrouge␛[0m");
        assert_eq!(clean("titre\u{1b}]0;pwned\u{7}"), "titre␛]0;pwned␇");
        assert_eq!(clean("a\u{9b}31mb\u{7f}"), "a\u{fffd}31mb␡");
    }

    #[test]
    fn bidi_controls_are_dropped_and_breaks_become_spaces() {
        assert_eq!(clean("\u{202e}txt.exe\u{202c}"), "txt.exe");
        assert_eq!(clean("a\u{2066}b\u{2069}\u{200f}c\u{61c}"), "abc");
        assert_eq!(clean("ligne\nsuivante\tfin\r"), "ligne suivante fin ");
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        let text = "Bachar al-Assad, 12 févr. — «Damas» بشار 🇸🇾";
        assert!(matches!(clean(text), Cow::Borrowed(t) if t == text));
    }

    proptest! {
        #[test]
        fn nothing_unsafe_survives(text in any::<String>()) {
            let out = clean(&text);
            prop_assert!(!out.chars().any(unsafe_char), "{out:?}");
        }

        #[test]
        fn cleaning_pieces_equals_cleaning_the_whole(text in any::<String>(), cut in any::<usize>()) {
            let mut at = cut % (text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let joined = format!("{}{}", clean(&text[..at]), clean(&text[at..]));
            prop_assert_eq!(joined, clean(&text).into_owned());
        }

        #[test]
        fn safe_characters_are_kept(text in "[^\\p{Cc}\\p{Cf}\\u{2028}\\u{2029}]*") {
            prop_assert_eq!(clean(&text), text.as_str());
        }
    }
}
