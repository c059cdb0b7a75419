//! Stage 1: find the words of a text and how they are joined.
//!
//! A *part* is a run of letters and digits. Parts written together with an
//! apostrophe (`l'armée`, `aujourd'hui`) or a hyphen (`Moyen-Orient`,
//! `al-Charaa`) form one *compound*. A dot or a comma between two digits stays
//! inside the part (`14,2`, `3.5`), so numbers are one word.
//!
//! Invisible characters (soft hyphen, zero-width space and joiners, word
//! joiner, a stray BOM) do not end a part: `Pou\u{200b}tine` is one part
//! spanning all its bytes; the analyzer leaves them out of the word's letters.
//!
//! Guarantees: spans are byte offsets into the original text, on character
//! boundaries, in increasing order; nothing is allocated per part.

/// How a part is attached to the part before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Join {
    /// First part of a compound.
    Start,
    /// After an apostrophe: ' ’ ʼ ‘ ´ `.
    Apostrophe,
    /// After a hyphen: - ‐ ‑.
    Hyphen,
}

/// One run of letters and digits, with the way it is joined to the previous one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub start: usize,
    pub end: usize,
    pub join: Join,
}

pub fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}' | '\u{02BC}' | '\u{2018}' | '\u{00B4}' | '`'
    )
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

/// Characters that are invisible in print and carry no letter: soft hyphen
/// (U+00AD), zero-width space, non-joiner and joiner (U+200B–U+200D), word
/// joiner (U+2060) and a stray byte-order mark (U+FEFF). Scraped pages leave
/// them inside words (`Kad\u{ad}hafi`); a word runs on across them, and the
/// analyzer drops them from the word's letters (see [`strip_invisible`]).
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Appends `part` to `out` without its invisible characters.
pub fn strip_invisible(part: &str, out: &mut String) {
    if part.is_ascii() {
        out.push_str(part);
    } else {
        out.extend(part.chars().filter(|&c| !is_invisible(c)));
    }
}

/// Letters, digits and combining marks; not the apostrophes that Unicode
/// counts as letters (U+02BC `ʼ`), which join parts like `'` does.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    (c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c)) && !is_apostrophe(c)
}

/// Splits `text` into parts, calling `sink` for each in order.
pub fn parts(text: &str, mut sink: impl FnMut(Part)) {
    let mut chars = text.char_indices().peekable();
    // The part being built, and how it was joined.
    let mut current: Option<Part> = None;
    // End of the invisible characters right after the current part: a word
    // char there continues the part.
    let mut invisible_end: Option<usize> = None;
    while let Some((i, c)) = chars.next() {
        if is_invisible(c) {
            if let Some(p) = current.as_ref() {
                if p.end == i || invisible_end == Some(i) {
                    invisible_end = Some(i + c.len_utf8());
                }
            }
            continue;
        }
        let after_invisible = invisible_end.take() == Some(i);
        if is_word_char(c) {
            match current.as_mut() {
                Some(p) if p.end == i || (after_invisible && p.end > p.start) => {
                    p.end = i + c.len_utf8()
                }
                _ => {
                    if let Some(p) = current.take() {
                        sink(p);
                    }
                    current = Some(Part {
                        start: i,
                        end: i + c.len_utf8(),
                        join: Join::Start,
                    });
                }
            }
            continue;
        }
        let Some(p) = current.as_mut() else { continue };
        if p.end != i && !after_invisible {
            continue;
        }
        let next = chars.peek().map(|&(_, n)| n);
        let Some(next) = next.filter(|&n| is_word_char(n)) else {
            continue;
        };
        let prev_digit = text[..i]
            .chars()
            .next_back()
            .is_some_and(|d| d.is_ascii_digit());
        if (c == '.' || c == ',') && prev_digit && next.is_ascii_digit() {
            // 14,2 and 3.5 stay one number.
            p.end = i + c.len_utf8();
            continue;
        }
        let join = if is_apostrophe(c) {
            Join::Apostrophe
        } else if is_hyphen(c) {
            Join::Hyphen
        } else {
            continue;
        };
        let done = *p;
        sink(done);
        let start = i + c.len_utf8();
        current = Some(Part {
            start,
            end: start,
            join,
        });
    }
    if let Some(p) = current {
        if p.end > p.start {
            sink(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(&str, Join)> {
        let mut out = Vec::new();
        parts(text, |p| out.push((&text[p.start..p.end], p.join)));
        out
    }

    #[test]
    fn apostrophes_and_hyphens_join_parts() {
        assert_eq!(
            split("l’armée d'al-Charaa"),
            vec![
                ("l", Join::Start),
                ("armée", Join::Apostrophe),
                ("d", Join::Start),
                ("al", Join::Apostrophe),
                ("Charaa", Join::Hyphen),
            ]
        );
    }

    #[test]
    fn numbers_keep_their_separators() {
        assert_eq!(
            split("14,2 milliards, 3.5 et 2019."),
            vec![
                ("14,2", Join::Start),
                ("milliards", Join::Start),
                ("3.5", Join::Start),
                ("et", Join::Start),
                ("2019", Join::Start),
            ]
        );
    }

    #[test]
    fn glued_sentences_split_and_dangling_connectors_ignored() {
        assert_eq!(
            split("jeudi.Le -- bien»."),
            vec![
                ("jeudi", Join::Start),
                ("Le", Join::Start),
                ("bien", Join::Start)
            ]
        );
        assert_eq!(
            split("fin- 'x"),
            vec![("fin", Join::Start), ("x", Join::Start)]
        );
    }

    #[test]
    fn combining_marks_stay_in_the_part() {
        let text = "re\u{301}fugie\u{301}s";
        assert_eq!(split(text), vec![(text, Join::Start)]);
    }

    #[test]
    fn invisible_characters_do_not_split_a_part() {
        for text in [
            "Kad\u{ad}hafi",
            "Pou\u{200b}tine",
            "Pou\u{200c}\u{200d}tine",
            "Pou\u{2060}tine",
            "Pou\u{feff}tine",
        ] {
            assert_eq!(split(text), vec![(text, Join::Start)], "{text:?}");
        }
        // Around a word they are no part of it.
        assert_eq!(
            split("\u{200b}Poutine\u{ad} et\u{feff}"),
            vec![("Poutine", Join::Start), ("et", Join::Start)]
        );
        assert_eq!(
            split("al-Cha\u{ad}raa"),
            vec![("al", Join::Start), ("Cha\u{ad}raa", Join::Hyphen)]
        );
    }

    #[test]
    fn empty_and_punctuation_only() {
        assert!(split("").is_empty());
        assert!(split("'-.,;«»").is_empty());
    }
}
