//! Transliteration of non-Latin scripts into lowercase Latin letters.
//!
//! # What this file guarantees
//!
//! * [`transliterate`] returns `None` when the text has no letter outside the
//!   Latin script, and otherwise a lowercase Latin rendering of the whole text
//!   (spaces and ASCII punctuation kept, other symbols dropped or replaced by
//!   their ASCII look-alike). It never panics.
//! * Cyrillic uses a table of our own tuned for French-press spellings that
//!   the spelling key then merges with English and German ones: `х` → `kh`,
//!   `ш` → `ch`, `ч` → `tch`, `ж` → `j`, `у` → `u`, `й` → `i`. A word containing
//!   a Ukrainian-only letter (`і ї є ґ`) is read as Ukrainian: `г` → `h`,
//!   `и` → `y`. So "Путин" → "putin", "Зеленский" → "zelenskii",
//!   "Харків" → "kharkiv".
//! * Arabic and Persian use a table of our own: long vowels become `a`, `i`,
//!   `ou`; `ع` and `ء` disappear; a leading article `ال` is removed; written
//!   short-vowel marks are honoured when present. Arabic script normally does
//!   not write short vowels, so "الشرع" gives the consonant skeleton "chr".
//!   Such words cannot be compared vowel by vowel; [`is_abjad`] tells the
//!   caller so, and [`consonant_skeleton`] gives what can be compared.
//!   [`super::closeness`] already does this comparison itself.
//! * Every other script (Greek, Hebrew, Armenian, Georgian, CJK…) goes
//!   through `any_ascii`.

use unicode_script::{Script, UnicodeScript};

use super::key;

/// Returns the lowercase Latin transliteration of `text` if it contains
/// letters of a non-Latin script, `None` otherwise.
pub fn transliterate(text: &str) -> Option<String> {
    transliterate_with(text, Reading::French)
}

/// Every Latin reading of `text` worth searching, the usual one first:
/// Russian `х` is `kh` in Russian names but stands for the Arabic `h` in
/// borrowed ones (`Хамас` is Hamas, `Хезболла` Hezbollah), so a word with
/// `х` also gets the `h` reading. Empty for Latin text.
pub fn transliterations(text: &str) -> Vec<String> {
    let mut out: Vec<String> = transliterate(text).into_iter().collect();
    if text.chars().any(|c| matches!(c, 'х' | 'Х')) {
        if let Some(h) = transliterate_with(text, Reading::ArabicH) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    out
}

/// How letters with two usual renderings are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    French,
    /// Cyrillic `х` as `h`.
    ArabicH,
}

fn transliterate_with(text: &str, reading: Reading) -> Option<String> {
    if !has_non_latin_letters(text) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    for ch in text.chars() {
        if is_word_char(ch) {
            word.push(ch);
        } else {
            flush_word(&mut word, &mut out, reading);
            push_separator(ch, &mut out);
        }
    }
    flush_word(&mut word, &mut out, reading);
    Some(out)
}

/// The consonant skeleton of `word`: its spelling key without vowels and
/// without the leading-vowel marker, for any script ("charaa", "chareh" and
/// "الشرع" all give `XR`). Empty when the word has no consonant.
///
/// Use it to match a word written in an abjad script (see [`is_abjad`])
/// against Latin candidates: equal skeletons are the best that can be said
/// when the short vowels are not written.
pub fn consonant_skeleton(word: &str) -> String {
    let mut folded = String::new();
    let source = transliterate(word);
    let text = source.as_deref().unwrap_or(word);
    let mut buf = [0u8; 4];
    for ch in text.chars() {
        if folded.len() >= 256 {
            break;
        }
        let s = if ch.is_ascii() {
            &*ch.encode_utf8(&mut buf)
        } else if ch.is_alphabetic() {
            any_ascii::any_ascii_char(ch)
        } else {
            ""
        };
        folded.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase() as char),
        );
    }
    key::skeleton_of_folded(&folded)
}

/// True if `text` contains letters of a script that does not write short
/// vowels (Arabic and its Persian/Urdu extensions, Hebrew, Syriac, Thaana).
pub fn is_abjad(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic() && is_abjad_char(c))
}

/// True if `text` contains at least one letter outside the Latin script.
pub fn has_non_latin_letters(text: &str) -> bool {
    text.chars().any(|c| c.is_alphabetic() && !is_latin(c))
}

/// Scripts that do not write short vowels (Arabic and its Persian and Urdu
/// extensions, Hebrew, Syriac, Thaana), by the Unicode Script property.
fn is_abjad_char(c: char) -> bool {
    matches!(
        c.script(),
        Script::Arabic | Script::Hebrew | Script::Syriac | Script::Thaana
    )
}

/// Latin letters, by the Unicode Script property; letters shared by every
/// script (`Common`, such as `µ`, and combining `Inherited` marks) count as
/// Latin too, since they say nothing about the word's alphabet.
fn is_latin(c: char) -> bool {
    c.is_ascii()
        || matches!(
            c.script(),
            Script::Latin | Script::Common | Script::Inherited
        )
}

fn is_cyrillic(c: char) -> bool {
    c.script_extension().contains_script(Script::Cyrillic)
}

/// Arabic letters and the marks Arabic shares with other scripts (short
/// vowels such as U+064E are `Inherited` but used with Arabic).
fn is_arabic(c: char) -> bool {
    c.script() == Script::Arabic
        || (!c.is_ascii()
            && c.script() == Script::Inherited
            && c.script_extension().contains_script(Script::Arabic))
}

/// Letters, digits and combining marks belong to words; the rest separates.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || matches!(c as u32, 0x0300..=0x036F | 0x0483..=0x0489 | 0x064B..=0x065F | 0x0670)
}

fn push_separator(ch: char, out: &mut String) {
    if ch.is_whitespace() {
        out.push(' ');
    } else if ch.is_ascii() {
        out.push(ch);
    } else {
        let ascii = any_ascii::any_ascii_char(ch);
        if ascii.bytes().any(|b| b.is_ascii_alphanumeric()) {
            // Symbols such as emoji spell out names (":smile:"): not text.
            out.push(' ');
        } else {
            out.push_str(ascii);
        }
    }
}

/// Transliterates one word and appends it, lowercase, to `out`.
fn flush_word(word: &mut String, out: &mut String, reading: Reading) {
    if word.is_empty() {
        return;
    }
    let mut lower = String::new();
    crate::analysis::fold::lowercase(word, &mut lower);
    let ukrainian = lower.chars().any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ'));
    if lower.chars().any(|c| c.script() == Script::Greek) {
        greek(&lower, out);
        word.clear();
        return;
    }
    let mut chars: Vec<char> = lower.chars().collect();
    // Arabic article: "الشرع" → "شرع", when at least two letters remain.
    if chars.len() >= 4 && chars[0] == 'ا' && chars[1] == 'ل' {
        chars.drain(..2);
    }
    let last = chars.len().saturating_sub(1);
    for (i, c) in chars.into_iter().enumerate() {
        let piece: &str = if reading == Reading::ArabicH && c == 'х' {
            "h"
        } else if is_cyrillic(c) {
            cyrillic(c, ukrainian).unwrap_or_else(|| any_ascii::any_ascii_char(c))
        } else if c.script() == Script::Hebrew {
            hebrew(c, i == 0, i == last).unwrap_or_else(|| any_ascii::any_ascii_char(c))
        } else if is_arabic(c) {
            arabic(c).unwrap_or_else(|| any_ascii::any_ascii_char(c))
        } else if c.is_ascii() {
            out.push(c);
            continue;
        } else {
            any_ascii::any_ascii_char(c)
        };
        out.extend(
            piece
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase()),
        );
    }
    word.clear();
}

/// Lowercase Cyrillic letters, French-press conventions.
fn cyrillic(c: char, ukrainian: bool) -> Option<&'static str> {
    Some(match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' if ukrainian => "h",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "io",
        'є' => "ie",
        'ж' => "j",
        'з' => "z",
        'и' if ukrainian => "y",
        'и' | 'і' | 'ї' | 'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "tch",
        'ш' => "ch",
        'щ' => "chtch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "iu",
        'я' => "ia",
        _ => return None,
    })
}

/// Modern Greek, French-press conventions, digraphs first: `ντ` → `d`
/// (Ερντογάν → erdogan), `μπ` → `b`, `γκ` → `g`, `ου` → `ou`, `αι` → `e`,
/// `ει`/`οι` → `i`; `η`, `υ` → `i`, `χ` → `kh`, `β` → `v`. Accents are
/// dropped first.
fn greek(lower: &str, out: &mut String) {
    use unicode_normalization::UnicodeNormalization;
    let letters: Vec<char> = lower
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .collect();
    let mut i = 0;
    while i < letters.len() {
        let pair = (letters[i], letters.get(i + 1).copied().unwrap_or(' '));
        let digraph = match pair {
            ('ν', 'τ') => Some("d"),
            ('μ', 'π') => Some("b"),
            ('γ', 'κ') => Some("g"),
            ('γ', 'γ') => Some("ng"),
            ('ο', 'υ') => Some("ou"),
            ('α', 'ι') => Some("e"),
            ('ε', 'ι') | ('ο', 'ι') => Some("i"),
            ('α', 'υ') => Some("av"),
            ('ε', 'υ') => Some("ev"),
            _ => None,
        };
        if let Some(d) = digraph {
            out.push_str(d);
            i += 2;
            continue;
        }
        let one = match pair.0 {
            'α' => "a",
            'β' => "v",
            'γ' => "g",
            'δ' => "d",
            'ε' => "e",
            'ζ' => "z",
            'η' | 'ι' | 'υ' => "i",
            'θ' => "th",
            'κ' => "k",
            'λ' => "l",
            'μ' => "m",
            'ν' => "n",
            'ξ' => "x",
            'ο' | 'ω' => "o",
            'π' => "p",
            'ρ' => "r",
            'σ' | 'ς' => "s",
            'τ' => "t",
            'φ' => "f",
            'χ' => "kh",
            'ψ' => "ps",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                i += 1;
                continue;
            }
            c => any_ascii::any_ascii_char(c),
        };
        out.extend(one.chars().filter(char::is_ascii_alphanumeric));
        i += 1;
    }
}

/// Hebrew letters. The script writes few vowels: `ו` and `י` stand for
/// `ou` and `i` inside a word (`y` at its start), `א` and `ע` for a vowel;
/// a final `ה` is silent. So חמאס gives `hmas` (Hamas).
fn hebrew(c: char, first: bool, last: bool) -> Option<&'static str> {
    Some(match c {
        'א' => "a",
        'ע' => "",
        'ב' => "b",
        'ג' => "g",
        'ד' => "d",
        'ה' if last => "",
        'ה' => "h",
        'ו' if first => "v",
        'ו' => "ou",
        'ז' => "z",
        'ח' => "h",
        'ט' | 'ת' => "t",
        'י' if first => "y",
        'י' => "i",
        'כ' | 'ך' | 'ק' => "k",
        'ל' => "l",
        'מ' | 'ם' => "m",
        'נ' | 'ן' => "n",
        'ס' => "s",
        'פ' | 'ף' => "f",
        'צ' | 'ץ' => "ts",
        'ר' => "r",
        'ש' => "ch",
        '\u{05B0}'..='\u{05C7}' => "",
        _ => return None,
    })
}

/// Arabic and Persian letters and vowel marks.
fn arabic(c: char) -> Option<&'static str> {
    Some(match c {
        'ا' | 'أ' | 'آ' | 'ٱ' | 'ى' | 'ة' | '\u{64E}' | '\u{670}' => "a",
        'إ' | 'ي' | 'ی' | 'ې' | '\u{650}' => "i",
        'و' | '\u{64F}' => "ou",
        'ء' | 'ؤ' | 'ئ' | 'ع' | 'ـ' => "",
        '\u{64B}'..='\u{64D}' | '\u{651}' | '\u{652}' => "",
        'ب' => "b",
        'ت' | 'ط' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' | 'ه' | 'ھ' | 'ۀ' => "h",
        'خ' => "kh",
        'د' | 'ض' => "d",
        'ذ' | 'ظ' => "dh",
        'ر' => "r",
        'ز' => "z",
        'س' | 'ص' => "s",
        'ش' => "ch",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'گ' => "g",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'پ' => "p",
        'چ' => "tch",
        'ژ' => "j",
        '٠' | '۰' => "0",
        '١' | '۱' => "1",
        '٢' | '۲' => "2",
        '٣' | '۳' => "3",
        '٤' | '۴' => "4",
        '٥' | '۵' => "5",
        '٦' | '۶' => "6",
        '٧' | '۷' => "7",
        '٨' | '۸' => "8",
        '٩' | '۹' => "9",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names::spelling_key;

    #[test]
    fn latin_text_is_left_alone() {
        for t in ["", "Poutine", "Erdoğan à Ankara", "œuvre", "123", "😀", "Ⅻ"] {
            assert_eq!(transliterate(t), None, "{t}");
        }
    }

    #[test]
    fn russian_and_ukrainian() {
        assert_eq!(transliterate("Путин").as_deref(), Some("putin"));
        assert_eq!(transliterate("Харків").as_deref(), Some("kharkiv"));
        assert_eq!(transliterate("Запоріжжя").as_deref(), Some("zaporijjia"));
        assert_eq!(
            transliterate("Владимир Путин").as_deref(),
            Some("vladimir putin")
        );
        let z = transliterate("Зеленский").unwrap();
        assert_eq!(spelling_key(&z), spelling_key("zelensky"));
        let z = transliterate("Зеленський").unwrap();
        assert_eq!(spelling_key(&z), spelling_key("zelensky"));
        assert_eq!(spelling_key("Навальный"), spelling_key("navalny"));
        assert_eq!(spelling_key("Шостакович"), spelling_key("chostakovitch"));
    }

    #[test]
    fn arabic_gives_skeleton() {
        assert_eq!(transliterate("الشرع").as_deref(), Some("chr"));
        assert_eq!(consonant_skeleton("الشرع"), consonant_skeleton("charaa"));
        assert_eq!(consonant_skeleton("الشرع"), "XR");
        assert_eq!(consonant_skeleton("القذافي"), consonant_skeleton("kadhafi"));
        assert_eq!(consonant_skeleton("محمد"), consonant_skeleton("mohammed"));
        assert_eq!(consonant_skeleton("الجولاني"), consonant_skeleton("joulani"));
        assert_eq!(transliterate("مُحَمَّد").as_deref(), Some("mouhamad"));
        assert!(is_abjad("الشرع") && is_abjad("נתניהו"));
        assert!(!is_abjad("Путин") && !is_abjad("charaa"));
    }

    #[test]
    fn greek_hebrew_and_the_two_readings_of_kha() {
        assert_eq!(transliterate("Ερντογάν").as_deref(), Some("erdogan"));
        assert_eq!(spelling_key("Ερντογάν"), spelling_key("erdogan"));
        assert_eq!(transliterate("Μητσοτάκης").as_deref(), Some("mitsotakis"));
        assert_eq!(transliterate("חמאס").as_deref(), Some("hmas"));
        assert_eq!(consonant_skeleton("חמאס"), consonant_skeleton("hamas"));
        assert_eq!(transliterations("Хамас"), ["khamas", "hamas"]);
        assert_eq!(transliterations("Хезболла"), ["khezbolla", "hezbolla"]);
        assert_eq!(transliterations("Путин"), ["putin"]);
        assert!(transliterations("Poutine").is_empty());
    }

    #[test]
    fn other_scripts_use_any_ascii() {
        assert_eq!(transliterate("Αθήνα").as_deref(), Some("athina"));
        assert!(transliterate("נתניהו").is_some());
        assert_eq!(transliterate("Путин 😀!").as_deref(), Some("putin  !"));
    }

    #[test]
    fn skeleton_edge_cases() {
        assert_eq!(consonant_skeleton(""), "");
        assert_eq!(consonant_skeleton("aeiou"), "");
        assert_eq!(consonant_skeleton("Gaddafi"), "KDF");
        let long = "ب".repeat(10_000);
        assert!(consonant_skeleton(&long).len() <= 256);
        let _ = transliterate(&long);
    }

    #[test]
    fn no_panic_on_odd_input() {
        for t in [
            "\u{301}",
            "ال",
            "ا",
            "\u{64e}",
            "ъь",
            "ǅ",
            "\u{0}Ж",
            "中国",
            "Ж\u{301}",
        ] {
            let _ = transliterate(t);
            let _ = consonant_skeleton(t);
            let _ = is_abjad(t);
        }
    }
}
