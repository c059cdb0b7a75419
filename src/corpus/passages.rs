//! Cutting an article into numbered passages, the units that search results
//! point to.
//!
//! Guarantees:
//! - passages come in reading order, numbered from 0: the lead first, then the
//!   body; an article with neither lead nor body gets its title as passage 0;
//! - every passage text is a slice of the lead, body or title, trimmed of
//!   surrounding whitespace, with its characters unchanged, so byte offsets
//!   computed on a passage are offsets into that original text;
//! - paragraphs are lines or blocks separated by line breaks; a short line
//!   that reads like a subheading is kept together with the paragraph after it;
//! - paragraphs longer than about 1,000 characters are cut at sentence ends,
//!   and a single sentence over 1,500 characters is cut between words;
//! - no passage is empty, and no input makes this code panic.

use super::Article;

/// One numbered piece of an article's text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Passage {
    /// Position in reading order, starting at 0.
    pub number: u32,
    /// The passage text, an unmodified slice of the article text.
    pub text: String,
}

/// Paragraphs up to this many characters are kept whole; longer ones are
/// packed sentence by sentence into passages of at most this size.
pub const PASSAGE_TARGET_CHARS: usize = 1000;
/// A single sentence longer than this is cut between words.
pub const SENTENCE_LIMIT_CHARS: usize = 1500;
/// Lines shorter than this without final punctuation count as subheadings.
const SUBHEADING_MAX_CHARS: usize = 80;

/// Splits an article into passages (see the module documentation).
pub fn passages(article: &Article) -> Vec<Passage> {
    let mut texts: Vec<&str> = Vec::new();
    for paragraph in paragraphs(&article.lead) {
        split_long(paragraph, &mut texts);
    }
    for paragraph in paragraphs(&article.body) {
        split_long(paragraph, &mut texts);
    }
    if texts.is_empty() {
        let title = article.title.trim();
        if !title.is_empty() {
            texts.push(title);
        }
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| Passage {
            number: u32::try_from(i).unwrap_or(u32::MAX),
            text: text.to_string(),
        })
        .collect()
}

/// True for a line that reads like a subheading: short, with no final
/// sentence punctuation.
pub(crate) fn looks_like_subheading(line: &str) -> bool {
    let line = line.trim();
    match line.chars().last() {
        None => false,
        Some(last) => {
            line.chars().count() < SUBHEADING_MAX_CHARS
                && !matches!(
                    last,
                    '.' | '!' | '?' | ':' | ';' | ',' | '…' | '»' | '"' | '”' | '\'' | '’'
                )
        }
    }
}

/// Paragraphs of a text: trimmed non-empty lines, with subheading lines
/// joined to the paragraph that follows them.
fn paragraphs(text: &str) -> Vec<&str> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            continue;
        }
        let begin = start + (raw.len() - raw.trim_start().len());
        lines.push((begin, begin + trimmed.len()));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = lines[i].0;
        while i + 1 < lines.len()
            && looks_like_subheading(text.get(lines[i].0..lines[i].1).unwrap_or(""))
        {
            i += 1;
        }
        if let Some(paragraph) = text.get(start..lines[i].1) {
            out.push(paragraph);
        }
        i += 1;
    }
    out
}

/// Pushes `paragraph` whole, or cut into chunks when it is too long.
fn split_long<'a>(paragraph: &'a str, out: &mut Vec<&'a str>) {
    if paragraph.chars().count() <= PASSAGE_TARGET_CHARS {
        push_trimmed(paragraph, out);
        return;
    }
    let mut current: Option<(usize, usize)> = None;
    for (start, end) in sentence_spans(paragraph) {
        let sentence = paragraph.get(start..end).unwrap_or("");
        if sentence.chars().count() > SENTENCE_LIMIT_CHARS {
            if let Some((s, e)) = current.take() {
                push_trimmed(paragraph.get(s..e).unwrap_or(""), out);
            }
            cut_between_words(sentence, out);
            continue;
        }
        current = match current {
            None => Some((start, end)),
            Some((s, e)) => {
                let joined = paragraph.get(s..end).unwrap_or("");
                if joined.trim().chars().count() > PASSAGE_TARGET_CHARS {
                    push_trimmed(paragraph.get(s..e).unwrap_or(""), out);
                    Some((start, end))
                } else {
                    Some((s, end))
                }
            }
        };
    }
    if let Some((s, e)) = current {
        push_trimmed(paragraph.get(s..e).unwrap_or(""), out);
    }
}

fn push_trimmed<'a>(text: &'a str, out: &mut Vec<&'a str>) {
    let text = text.trim();
    if !text.is_empty() {
        out.push(text);
    }
}

/// Cuts an over-long sentence into pieces of at most
/// [`PASSAGE_TARGET_CHARS`] characters, between words when possible.
fn cut_between_words<'a>(sentence: &'a str, out: &mut Vec<&'a str>) {
    let mut rest = sentence.trim();
    while let Some((limit, _)) = rest.char_indices().nth(PASSAGE_TARGET_CHARS) {
        let head = rest.get(..limit).unwrap_or(rest);
        let cut = match head.rfind(char::is_whitespace) {
            Some(space) if space > 0 => space,
            _ => limit,
        };
        push_trimmed(rest.get(..cut).unwrap_or(""), out);
        rest = rest.get(cut..).unwrap_or("").trim_start();
    }
    push_trimmed(rest, out);
}

/// Byte spans of the sentences of `text`, covering it entirely.
fn sentence_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start = 0;
    for end in sentence_ends(text) {
        if end > start {
            spans.push((start, end));
            start = end;
        }
    }
    if start < text.len() {
        spans.push((start, text.len()));
    }
    spans
}

fn is_sentence_punct(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '»' | '"' | '”' | ')' | ']')
}

/// Words that end with a dot without ending the sentence.
const ABBREVIATIONS: &[&str] = &[
    "mm", "mme", "mmes", "mlle", "mlles", "mr", "mrs", "ms", "dr", "pr", "prof", "st", "ste",
    "mgr", "me", "gal", "gén", "gen", "col", "cdt", "lt", "sgt", "cap", "av", "apr", "env", "cf",
    "vol", "pp", "no", "art", "ch", "éd", "ed", "fig", "tél", "tel", "réf", "ref", "cie", "jr",
    "sr", "vs", "inc", "ltd", "co",
];

/// Longest word checked against [`ABBREVIATIONS`].
const ABBREVIATION_MAX_CHARS: usize = 8;

/// True when the dot at byte `dot` of `text` closes an initial (`M.`,
/// `J.-C.`, `U.S.`) or a known abbreviation rather than a sentence.
fn dot_after_abbreviation(text: &str, dot: usize) -> bool {
    let before = text.get(..dot).unwrap_or("");
    let mut letters: Vec<char> = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .take(ABBREVIATION_MAX_CHARS + 1)
        .collect();
    letters.reverse();
    let word: String = letters.iter().flat_map(|c| c.to_lowercase()).collect();
    match letters.len() {
        0 => false,
        1 => true,
        _ => ABBREVIATIONS.contains(&word.as_str()),
    }
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..)?.chars().next()
}

/// Byte offsets just after each sentence end inside `text` (the end of the
/// text itself is not listed).
///
/// A sentence ends with `.`, `!`, `?` or `…` (possibly repeated and followed
/// by closing quotes or brackets), when what follows is a space and then
/// anything but a lowercase letter, or directly an uppercase letter (glued
/// sentences such as `jeudi.Le`). Dots inside numbers (`14.2`), after
/// initials (`M.`, `J.-C.`) or after common abbreviations do not count.
pub(crate) fn sentence_ends(text: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut pos = 0;
    while let Some(c) = char_at(text, pos) {
        if !is_sentence_punct(c) {
            pos += c.len_utf8();
            continue;
        }
        let punct = pos;
        let mut j = pos;
        let mut run = 0;
        while let Some(p) = char_at(text, j).filter(|p| is_sentence_punct(*p)) {
            j += p.len_utf8();
            run += 1;
        }
        let single_dot = c == '.' && run == 1;
        loop {
            match char_at(text, j) {
                Some(closer) if is_closer(closer) => j += closer.len_utf8(),
                Some(space)
                    if space.is_whitespace()
                        && char_at(text, j + space.len_utf8()) == Some('»') =>
                {
                    j += space.len_utf8() + '»'.len_utf8();
                }
                _ => break,
            }
        }
        let Some(next) = char_at(text, j) else {
            break;
        };
        let mut is_end = if next.is_whitespace() {
            text.get(j..)
                .unwrap_or("")
                .trim_start()
                .chars()
                .next()
                .is_some_and(|first| !first.is_lowercase())
        } else {
            next.is_uppercase()
        };
        if is_end && single_dot && dot_after_abbreviation(text, punct) {
            is_end = false;
        }
        if is_end {
            ends.push(j);
        }
        pos = j;
    }
    ends
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Long texts of tricky characters with sentence ends and line breaks.
    fn long_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            8 => crate::analysis::testing::tricky_char().prop_map(String::from),
            1 => prop::sample::select(vec![". ", ".", "\n", "\n\n", "M. ", "… ", "?» ", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"])
                .prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..2500).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(96))]

        /// Cutting loses no character and adds none: the passages, with
        /// white space removed, spell the lead then the body; each is a
        /// trimmed, non-empty slice of the article.
        #[test]
        fn passages_keep_every_character(lead in long_text(), body in long_text()) {
            let a = article("Titre", &lead, &body);
            let ps = passages(&a);
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let joined: String = ps.iter().map(|p| squeeze(&p.text)).collect();
            let expected = if squeeze(&lead).is_empty() && squeeze(&body).is_empty() {
                "Titre".to_string()
            } else {
                format!("{}{}", squeeze(&lead), squeeze(&body))
            };
            prop_assert_eq!(joined, expected);
            for (i, p) in ps.iter().enumerate() {
                prop_assert_eq!(p.number as usize, i);
                prop_assert!(!p.text.is_empty() && p.text.trim() == p.text);
                prop_assert!(lead.contains(&p.text) || body.contains(&p.text) || p.text == "Titre");
                prop_assert!(p.text.chars().count() <= SENTENCE_LIMIT_CHARS.max(PASSAGE_TARGET_CHARS));
            }
        }
    }

    fn article(title: &str, lead: &str, body: &str) -> Article {
        Article {
            title: title.to_string(),
            lead: lead.to_string(),
            body: body.to_string(),
            ..Article::default()
        }
    }

    fn texts(a: &Article) -> Vec<String> {
        passages(a).into_iter().map(|p| p.text).collect()
    }

    fn sentences(text: &str) -> Vec<&str> {
        sentence_spans(text)
            .into_iter()
            .map(|(s, e)| text[s..e].trim())
            .collect()
    }

    #[test]
    fn lead_is_passage_zero_then_body_paragraphs_in_order() {
        let a = article(
            "Titre",
            "Le chapeau.",
            "Premier paragraphe.\n\nDeuxième.\nTroisième.",
        );
        let ps = passages(&a);
        let numbers: Vec<u32> = ps.iter().map(|p| p.number).collect();
        assert_eq!(numbers, vec![0, 1, 2, 3]);
        assert_eq!(
            texts(&a),
            vec![
                "Le chapeau.",
                "Premier paragraphe.",
                "Deuxième.",
                "Troisième."
            ]
        );
    }

    #[test]
    fn title_only_article_is_still_one_passage() {
        let a = article("  Seulement un titre ", "", "  \n ");
        assert_eq!(texts(&a), vec!["Seulement un titre"]);
        assert!(passages(&article("", "", "")).is_empty());
    }

    #[test]
    fn subheading_is_joined_to_the_next_paragraph() {
        let body = "Fin du passage.\n\nAllié clé de Bachar al-Assad\n\nLa Russie a été un allié.";
        let a = article("", "", body);
        assert_eq!(
            texts(&a),
            vec![
                "Fin du passage.",
                "Allié clé de Bachar al-Assad\n\nLa Russie a été un allié."
            ]
        );
        let a = article("", "", "Intertitre\nTexte suivant.");
        assert_eq!(texts(&a), vec!["Intertitre\nTexte suivant."]);
        // A trailing subheading with nothing after it stays on its own.
        let a = article("", "", "Texte.\nIntertitre final");
        assert_eq!(texts(&a), vec!["Texte.", "Intertitre final"]);
    }

    #[test]
    fn long_paragraph_is_cut_at_sentence_ends() {
        let sentence =
            "Le gouvernement a présenté un nouveau plan de financement des hôpitaux publics. ";
        let body = sentence.repeat(40);
        let a = article("", "", &body);
        let ps = texts(&a);
        assert!(ps.len() >= 3, "{}", ps.len());
        for p in &ps {
            assert!(p.chars().count() <= PASSAGE_TARGET_CHARS);
            assert!(p.ends_with("publics."), "{p}");
            assert!(body.contains(p.as_str()));
        }
        let total: usize = ps.iter().map(|p| p.len() + 1).sum();
        assert_eq!(total, body.len());
    }

    #[test]
    fn glued_sentences_are_split_in_long_text() {
        let text = "Il est arrivé dans la nuit de mercredi à jeudi.Le gouvernement avait prévenu. Tout se passait «très bien».Vladimir a répondu.";
        assert_eq!(
            sentences(text),
            vec![
                "Il est arrivé dans la nuit de mercredi à jeudi.",
                "Le gouvernement avait prévenu.",
                "Tout se passait «très bien».",
                "Vladimir a répondu."
            ]
        );
        let long = format!("{} {}", "Mot ".repeat(200).trim_end(), text).repeat(2);
        let ps = texts(&article("", "", &long));
        assert!(ps.len() >= 2);
        assert!(ps.iter().all(|p| p.chars().count() <= PASSAGE_TARGET_CHARS));
    }

    #[test]
    fn numbers_initials_and_abbreviations_do_not_end_sentences() {
        let text = "La croissance atteint 14.2 % contre 3.5 % en 2023. M. Dupont est né en 52 av. J.-C. et a vécu aux U.S. Army, etc. avant tout. Le Dr. Martin parle.";
        assert_eq!(
            sentences(text),
            vec![
                "La croissance atteint 14.2 % contre 3.5 % en 2023.",
                "M. Dupont est né en 52 av. J.-C. et a vécu aux U.S. Army, etc. avant tout.",
                "Le Dr. Martin parle."
            ]
        );
    }

    #[test]
    fn quotes_and_french_spacing_stay_with_their_sentence() {
        let text = "Il a dit : « c'est fini. » Puis il est parti ! Vraiment ? Oui… Enfin.";
        assert_eq!(
            sentences(text),
            vec![
                "Il a dit : « c'est fini. »",
                "Puis il est parti !",
                "Vraiment ?",
                "Oui…",
                "Enfin."
            ]
        );
        let text = "«Non!» a-t-il lancé. \"Ségur de la santé\" est cité.";
        assert_eq!(
            sentences(text),
            vec!["«Non!» a-t-il lancé.", "\"Ségur de la santé\" est cité."]
        );
    }

    #[test]
    fn single_long_line_with_glued_sentences_and_quotes() {
        let sentences = [
            "Le ministre a annoncé la fin du \"Ségur de la santé\" dans la nuit de mercredi à jeudi.",
            "Le gouvernement avait promis des 'évolutions substantielles' pour 2024, soit 3.5 % de plus.",
            "Selon M. Martin, «tout se passe très bien».",
            "Les syndicats ont répondu par un communiqué commun de plusieurs pages!",
            "Qui paiera la facture des 14.2 milliards d'euros annoncés ?",
        ];
        let mut body = String::new();
        let mut i = 0;
        while body.len() < 5000 {
            body.push_str(sentences[i % sentences.len()]);
            // Every third sentence is glued to the next one, as in scraped text.
            if i % 3 != 0 {
                body.push(' ');
            }
            i += 1;
        }
        let ps = texts(&article("", "", &body));
        assert!(ps.len() >= 5, "{}", ps.len());
        let mut rebuilt = String::new();
        for p in &ps {
            assert!(p.chars().count() <= PASSAGE_TARGET_CHARS, "{}", p.len());
            assert!(
                p.ends_with(['.', '!', '?', '»']) || body.ends_with(p.as_str()),
                "{p}"
            );
            assert!(!p.contains("14.\n") && !p.starts_with("2 milliards"));
            rebuilt.push_str(p);
        }
        let squeeze = |s: &str| s.split_whitespace().collect::<String>();
        assert_eq!(squeeze(&rebuilt), squeeze(&body));
    }

    #[test]
    fn giant_sentence_is_cut_between_words() {
        let body = "mot ".repeat(1200);
        let ps = texts(&article("", "", &body));
        assert!(ps.len() >= 5);
        for p in &ps {
            assert!(p.chars().count() <= PASSAGE_TARGET_CHARS);
            assert!(!p.starts_with(' ') && !p.ends_with(' '));
            assert!(p.split(' ').all(|w| w == "mot"), "word cut: {p}");
        }
        // Without any space the cut falls on a character boundary.
        let body = "é".repeat(2500);
        let ps = texts(&article("", "", &body));
        assert_eq!(ps.iter().map(|p| p.chars().count()).sum::<usize>(), 2500);
    }

    #[test]
    fn very_large_text_is_cut_quickly() {
        let body = "mot ".repeat(2_000_000);
        let ps = passages(&article("", "", &body));
        assert!(ps.len() >= 8000);
        assert!(ps
            .iter()
            .all(|p| p.text.chars().count() <= PASSAGE_TARGET_CHARS));
    }

    #[test]
    fn passages_are_unchanged_slices_of_the_source() {
        let body = "  Première ligne, avec ‘guillemets’ et emoji 🦀.  \r\n\r\n\tSeconde ligne.\r\n";
        let a = article("", "", body);
        let ps = texts(&a);
        assert_eq!(
            ps,
            vec![
                "Première ligne, avec ‘guillemets’ et emoji 🦀.",
                "Seconde ligne."
            ]
        );
        for p in ps {
            assert!(body.contains(&p));
        }
    }
}
