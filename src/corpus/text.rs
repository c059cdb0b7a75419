//! Reading one article from a plain-text or Markdown file.
//!
//! Two layouts are understood:
//! - front matter: a first line `---`, then `key: value` lines using the same
//!   names as JSON records (values may be quoted), then `---`; the rest of the
//!   file is the body, and its first line is the title when no `title` key is
//!   given;
//! - the bundled sample layout: an optional first line `date YYYY-MM-DD
//!   Headline`, whose first sentence is the title and whose remaining
//!   sentences form the lead; otherwise the first line is the title. A short
//!   line naming a news agency near the top becomes the source, a Markdown
//!   image line becomes the image, the first paragraph after the title is the
//!   lead, and the rest is the body.
//!
//! When no date is given, a French date written in the lead or the first body
//! paragraphs (`le 12 février 2025`) is used. Paragraphs of the body are
//! separated by a blank line, except that a subheading is followed by a
//! single line break so that it stays with its paragraph. Parsing never fails
//! and never panics; deciding whether the result holds any text is left to
//! the caller.

use super::date::{french_date_in, parse_date};
use super::fields::{Field, Fields};
use super::passages::{looks_like_subheading, sentence_ends};
use super::Article;

/// Lines after the title in which agency and image lines are looked for.
const HEADER_LINES: usize = 6;
/// A first line longer than this that holds several sentences is split into
/// title and lead.
const LONG_TITLE_CHARS: usize = 200;
/// Agency lines are short.
const AGENCY_LINE_MAX_CHARS: usize = 80;
/// Body paragraphs searched for a French date when none is given.
const DATE_SEARCH_PARAGRAPHS: usize = 3;

/// News agency names recognised on an agency line, in lowercase.
const AGENCIES: &[&str] = &[
    "agence france-presse",
    "agence france presse",
    "associated press",
    "ria novosti",
    "agence anadolu",
    "anadolu",
    "bloomberg",
    "reuters",
    "xinhua",
    "belga",
    "ansa",
    "tass",
    "afp",
    "dpa",
    "efe",
    "ap",
];

/// Builds an article from the text of a `.txt` or `.md` file whose path
/// relative to the corpus root is `rel`. A UTF-8 byte order mark is ignored.
pub(crate) fn parse_text(text: &str, rel: &str) -> Article {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (fields, rest, front) = match split_front_matter(text) {
        Some((fields, rest)) => (fields, rest, true),
        None => (Fields::default(), text, false),
    };
    let lines: Vec<&str> = rest
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();

    let mut title = fields.text(Field::Title);
    let mut lead = fields.text(Field::Lead);
    let mut source = fields.text(Field::Source);
    let mut image = fields.get(Field::Image).map(str::to_string);
    let mut date = fields.get(Field::Date).and_then(parse_date);
    let mut cursor = 0;

    if !front {
        if let Some((day, headline)) = lines.first().and_then(|l| date_line(l)) {
            date = Some(day);
            cursor = 1;
            if !headline.is_empty() {
                let (t, l) = split_headline(headline);
                title = t.to_string();
                lead = l.to_string();
            }
        }
    }

    if title.is_empty() {
        while let Some(line) = lines.get(cursor).copied() {
            cursor += 1;
            if !front && is_agency_line(line) {
                if source.is_empty() {
                    source = line.to_string();
                }
                continue;
            }
            if let Some(url) = image_url(line) {
                image.get_or_insert_with(|| url.to_string());
                continue;
            }
            let heading = strip_heading(line);
            if !front && lead.is_empty() && heading.chars().count() > LONG_TITLE_CHARS {
                let (t, l) = split_headline(heading);
                title = t.to_string();
                lead = l.to_string();
            } else {
                title = heading.to_string();
            }
            break;
        }
    }

    let header_end = cursor + HEADER_LINES;
    while let Some(line) = lines.get(cursor).copied() {
        if cursor >= header_end {
            break;
        }
        if !front && is_agency_line(line) {
            if source.is_empty() {
                source = line.to_string();
            }
        } else if let Some(url) = image_url(line) {
            image.get_or_insert_with(|| url.to_string());
        } else if !front && lead.is_empty() {
            lead = line.to_string();
        } else {
            break;
        }
        cursor += 1;
    }

    let body_lines = lines.get(cursor..).unwrap_or(&[]);
    let mut body = join_paragraphs(body_lines);
    if body.is_empty() {
        body = fields.text(Field::Body);
    }

    if date.is_none() {
        date = std::iter::once(lead.as_str())
            .chain(body_lines.iter().copied().take(DATE_SEARCH_PARAGRAPHS))
            .find_map(french_date_in);
    }

    Article {
        id: fields.get(Field::Id).unwrap_or(rel).to_string(),
        title,
        date,
        source,
        url: fields.text(Field::Url),
        lead,
        body,
        image,
        path: rel.to_string(),
        line: None,
    }
}

/// The `id` and `date` values written in the front matter, if any (the date
/// as written, understood or not).
pub(crate) fn declared(text: &str) -> (Option<String>, Option<String>) {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match split_front_matter(text) {
        Some((fields, _)) => (
            fields.get(Field::Id).map(str::to_string),
            fields.get(Field::Date).map(str::to_string),
        ),
        None => (None, None),
    }
}

/// Splits off front matter; returns its fields and the text after it, or
/// `None` when the text does not open with a complete `---` block.
fn split_front_matter(text: &str) -> Option<(Fields, &str)> {
    let mut pieces = text.split_inclusive('\n');
    let first = pieces.next()?;
    if first.trim() != "---" {
        return None;
    }
    let mut offset = first.len();
    let mut fields = Fields::default();
    for piece in pieces {
        offset += piece.len();
        let line = piece.trim();
        if line == "---" || line == "..." {
            return Some((fields, text.get(offset..).unwrap_or("")));
        }
        if let Some((key, value)) = line.split_once(':') {
            fields.offer(key, unquote(value.trim()));
        }
    }
    None
}

/// Removes one pair of matching surrounding quotes.
fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|v| v.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

/// Recognises a first line such as `date 2026-01-28 Headline...`; returns
/// the date and the rest of the line.
fn date_line(line: &str) -> Option<(chrono::NaiveDate, &str)> {
    let line = line.trim_start();
    let keyword = line.get(..4)?;
    if !keyword.eq_ignore_ascii_case("date") {
        return None;
    }
    let after = line.get(4..)?;
    let after = after
        .strip_prefix(':')
        .unwrap_or(after)
        .trim_start_matches([' ', '\t', ':']);
    if after.len() == line.len() - 4 {
        // "date" must be followed by a space or a colon.
        return None;
    }
    let token_end = after.find(char::is_whitespace).unwrap_or(after.len());
    let day = parse_date(after.get(..token_end)?)?;
    Some((day, after.get(token_end..)?.trim()))
}

/// Splits a headline into its first sentence (the title) and the rest (the
/// lead, possibly empty).
fn split_headline(headline: &str) -> (&str, &str) {
    match sentence_ends(headline).first() {
        Some(&end) => (
            headline.get(..end).unwrap_or(headline).trim(),
            headline.get(end..).unwrap_or("").trim(),
        ),
        None => (headline.trim(), ""),
    }
}

/// Strips a Markdown heading marker (`# `, `## `...) from a line.
fn strip_heading(line: &str) -> &str {
    let hashes = line.len() - line.trim_start_matches('#').len();
    if (1..=6).contains(&hashes) {
        let rest = line.get(hashes..).unwrap_or("");
        if rest.starts_with(char::is_whitespace) {
            return rest.trim();
        }
    }
    line
}

/// The URL of a line made only of a Markdown image, `![alt](url)`.
fn image_url(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("![")?.strip_suffix(')')?;
    let (_, target) = inner.rsplit_once("](")?;
    let url = target.split_whitespace().next()?;
    let url = url
        .strip_prefix('<')
        .and_then(|u| u.strip_suffix('>'))
        .unwrap_or(url);
    (!url.is_empty()).then_some(url)
}

/// True for a short line made only of news agency names, such as
/// `AFP Agence France-Presse`, `Reuters` or `Par AFP`.
fn is_agency_line(line: &str) -> bool {
    if line.chars().count() > AGENCY_LINE_MAX_CHARS {
        return false;
    }
    let lower = line.trim().to_lowercase();
    let mut rest = lower.as_str();
    for prefix in [
        "par ",
        "source :",
        "source:",
        "sources :",
        "sources:",
        "avec ",
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
            break;
        }
    }
    let mut matched = false;
    loop {
        rest = rest.trim_start_matches(|c: char| {
            c.is_whitespace()
                || matches!(
                    c,
                    '/' | ',' | '-' | '|' | '&' | '+' | '(' | ')' | '.' | '–' | '—' | '©'
                )
        });
        if rest.is_empty() {
            return matched;
        }
        let connector = ["et ", "avec ", "and "]
            .iter()
            .find_map(|w| rest.strip_prefix(w));
        if let Some(r) = connector {
            rest = r;
            continue;
        }
        let name = AGENCIES.iter().find_map(|name| {
            let r = rest.strip_prefix(name)?;
            (!r.starts_with(char::is_alphanumeric)).then_some(r)
        });
        match name {
            Some(r) => {
                rest = r;
                matched = true;
            }
            None => return false,
        }
    }
}

/// Joins body lines into a body text: a blank line between paragraphs, a
/// single line break after a subheading.
fn join_paragraphs(lines: &[&str]) -> String {
    let mut body = String::new();
    let mut previous: Option<&str> = None;
    for line in lines {
        if let Some(prev) = previous {
            body.push_str(if looks_like_subheading(prev) {
                "\n"
            } else {
                "\n\n"
            });
        }
        body.push_str(line);
        previous = Some(line);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn date_line_headline_gives_title_lead_and_date() {
        let a = parse_text(
            " date 2026-01-28 Un titre clair. Et un chapeau qui suit.\n\nReuters\n\nLe corps.\n",
            "a.txt",
        );
        assert_eq!(a.title, "Un titre clair.");
        assert_eq!(a.lead, "Et un chapeau qui suit.");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2026, 1, 28));
        assert_eq!(a.source, "Reuters");
        assert_eq!(a.body, "Le corps.");
        assert_eq!(a.id, "a.txt");
        assert_eq!(a.path, "a.txt");
    }

    #[test]
    fn bundled_sample_layouts() {
        let sample_000 = " date 2026-01-28 Vladimir Poutine accueille ce mercredi à Moscou le président syrien Ahmad al-Charaa. Un tournant dans les relations bilatérales après le renversement de Bachar al-Assad en 2024, allié historique du Kremlin.\n\nAFP Agence France-Presse\n\nLe président russe, Vladimir Poutine, reçoit mercredi son homologue syrien.\n\nAllié clé de Bachar al-Assad\n\nLa Russie a été un allié clé de l'ex-président syrien.";
        let a = parse_text(sample_000, "000.txt");
        assert_eq!(
            a.title,
            "Vladimir Poutine accueille ce mercredi à Moscou le président syrien Ahmad al-Charaa."
        );
        assert_eq!(a.lead, "Un tournant dans les relations bilatérales après le renversement de Bachar al-Assad en 2024, allié historique du Kremlin.");
        assert_eq!(a.source, "AFP Agence France-Presse");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2026, 1, 28));
        assert_eq!(a.image, None);
        assert_eq!(a.body, "Le président russe, Vladimir Poutine, reçoit mercredi son homologue syrien.\n\nAllié clé de Bachar al-Assad\nLa Russie a été un allié clé de l'ex-président syrien.");

        let sample_003 = "Vladimir Poutine s'entretient pour la première fois avec le président de la transition syrienne\n![Vladimir Poutine s'entretient](https://mf.b37mrtl.ru/french/images/2025.02/article/67acd3b06f7ccc6532738471.jpg)\nLors d'un entretien téléphonique avec le président par intérim de la Syrie, le dirigeant russe a réaffirmé son soutien.\nLe président russe a tenu un entretien. Cette conversation, qui a eu lieu le 12 février 2025, a permis aux deux dirigeants d’aborder la situation.\nAu cours de l’échange, Vladimir Poutine a souligné l’engagement de la Russie.";
        let a = parse_text(sample_003, "003.txt");
        assert_eq!(a.title, "Vladimir Poutine s'entretient pour la première fois avec le président de la transition syrienne");
        assert_eq!(
            a.image.as_deref(),
            Some(
                "https://mf.b37mrtl.ru/french/images/2025.02/article/67acd3b06f7ccc6532738471.jpg"
            )
        );
        assert_eq!(a.lead, "Lors d'un entretien téléphonique avec le président par intérim de la Syrie, le dirigeant russe a réaffirmé son soutien.");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2025, 2, 12));
        assert_eq!(a.source, "");
        assert!(a
            .body
            .starts_with("Le président russe a tenu un entretien."));
        assert!(a.body.contains("situation.\n\nAu cours"));
    }

    #[test]
    fn date_line_without_leading_space_or_lead() {
        let a = parse_text(
            "date 2024-05-01 Titre seul\nPremier paragraphe.\nSuite.",
            "b.txt",
        );
        assert_eq!(a.title, "Titre seul");
        assert_eq!(a.lead, "Premier paragraphe.");
        assert_eq!(a.body, "Suite.");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 5, 1));
    }

    #[test]
    fn a_title_that_merely_starts_with_date_is_a_title() {
        let a = parse_text("Datera inc. rachetée\nTexte.", "c.txt");
        assert_eq!(a.title, "Datera inc. rachetée");
        let a = parse_text("date inconnue pour ce texte\nTexte.", "c.txt");
        assert_eq!(a.title, "date inconnue pour ce texte");
        assert_eq!(a.date, None);
    }

    #[test]
    fn front_matter_fields_and_body() {
        let text = "---\ntitle: \"Un titre: avec deux-points\"\npubDate: '2025-02-12T10:00:00+01:00'\nsource: Le Monde\nurl: https://exemple.fr/a\nchapo: Le chapeau\nauteur: ignoré\n---\nPremier paragraphe.\n\nSecond paragraphe.\n";
        let a = parse_text(text, "d.md");
        assert_eq!(a.title, "Un titre: avec deux-points");
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2025, 2, 12));
        assert_eq!(a.source, "Le Monde");
        assert_eq!(a.url, "https://exemple.fr/a");
        assert_eq!(a.lead, "Le chapeau");
        assert_eq!(a.body, "Premier paragraphe.\n\nSecond paragraphe.");
    }

    #[test]
    fn front_matter_without_title_takes_first_line_as_title() {
        let a = parse_text("---\nid: art-7\n---\n# Grand titre\n\nLe texte.", "e.md");
        assert_eq!(a.id, "art-7");
        assert_eq!(a.title, "Grand titre");
        assert_eq!(a.lead, "");
        assert_eq!(a.body, "Le texte.");
    }

    #[test]
    fn unclosed_front_matter_is_ordinary_text() {
        let a = parse_text("---\ntitle: x\n", "f.txt");
        assert_eq!(a.title, "---");
        assert_eq!(a.lead, "title: x");
    }

    #[test]
    fn markdown_heading_image_and_subheading() {
        let text = "\u{feff}# Le titre\r\n![photo](https://img.example/p.jpg \"légende\")\r\nLe chapeau.\r\nPara un.\r\nIntertitre\r\nPara deux.\r\n";
        let a = parse_text(text, "g.md");
        assert_eq!(a.title, "Le titre");
        assert_eq!(a.image.as_deref(), Some("https://img.example/p.jpg"));
        assert_eq!(a.lead, "Le chapeau.");
        assert_eq!(a.body, "Para un.\n\nIntertitre\nPara deux.");
    }

    #[test]
    fn agency_lines_are_recognised() {
        for yes in [
            "AFP Agence France-Presse",
            "AFP",
            "Reuters",
            "AP",
            "Associated Press",
            "Par AFP",
            "AFP et Reuters",
            "RIA Novosti",
            "dpa/AFP",
        ] {
            assert!(is_agency_line(yes), "{yes}");
        }
        for no in [
            "Apple",
            "La Russie a été",
            "AFP a appris que le président viendra",
            "",
        ] {
            assert!(!is_agency_line(no), "{no}");
        }
    }

    #[test]
    fn french_date_in_opening_paragraphs_is_used_when_none_given() {
        let a = parse_text(
            "Titre\nChapeau.\nQui a eu lieu le 1er mars 2024 à Paris.",
            "h.txt",
        );
        assert_eq!(a.date, NaiveDate::from_ymd_opt(2024, 3, 1));
        let a = parse_text("Titre\nChapeau le 31 février 2025.\nRien.", "h.txt");
        assert_eq!(a.date, None);
    }

    #[test]
    fn very_long_first_line_is_split_into_title_and_lead() {
        let first = format!(
            "Un titre court. {}",
            "Une phrase de chapeau assez longue. ".repeat(8)
        );
        let a = parse_text(&first, "i.txt");
        assert_eq!(a.title, "Un titre court.");
        assert!(a.lead.starts_with("Une phrase"));
    }

    #[test]
    fn image_line_parsing() {
        assert_eq!(image_url("![a](b)"), Some("b"));
        assert_eq!(image_url("![a [x]](<u>)"), Some("u"));
        assert_eq!(image_url("![a]()"), None);
        assert_eq!(image_url("texte ![a](b)"), None);
    }
}
