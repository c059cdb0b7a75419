//! Rendering hits: a terminal view and one JSON object a line for tools.
//!
//! The terminal view is written through `anstream`, which decides whether
//! colour is used (a terminal, `NO_COLOR` unset, or `--color always`) and
//! strips styles otherwise; without colour, matches are marked `**like
//! this**`. Every piece of indexed text is cleaned ([`super::term`]) before
//! it is printed there; JSON carries the text exactly as indexed.

use std::fmt::Write as _;
use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use clap::ValueEnum;
use recoupe::search::Hit;
use serde::Serialize;

use super::term::clean;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Standard output for the terminal view, and whether it is in colour.
pub fn terminal_stdout(
    choice: ColorChoice,
) -> (anstream::AutoStream<io::StdoutLock<'static>>, bool) {
    let choice = match choice {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    let stream = anstream::AutoStream::new(io::stdout().lock(), choice);
    let color = stream.current_choice() != anstream::ColorChoice::Never;
    (stream, color)
}

const TITLE: Style = Style::new().bold();
const MARK: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));
const DIM: Style = Style::new().dimmed();

/// Joins spans separated only by spaces, so a matched phrase reads as one
/// highlight (`**bases militaires**`, not `**bases** **militaires**`).
fn merge_adjacent(text: &str, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for &(s, e) in spans {
        match out.last_mut() {
            Some(last)
                if last.1 <= s
                    && text
                        .get(last.1..s)
                        .is_some_and(|gap| gap.chars().all(|c| c == ' ')) =>
            {
                last.1 = e;
            }
            _ => out.push((s, e)),
        }
    }
    out
}

/// `text`, cleaned for a terminal, with its spans marked: in colour (then
/// `base` is restored after each mark), or between `**` when plain. The
/// spans are byte offsets into `text`; each piece is cleaned on its own, so
/// cleaning never moves a mark.
fn marked(text: &str, spans: &[(usize, usize)], color: bool, base: Style) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut at = 0;
    for (s, e) in merge_adjacent(text, spans) {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&clean(&text[at..s]));
        let word = clean(&text[s..e]);
        let _ = if color {
            write!(out, "{MARK}{word}{MARK:#}{base}")
        } else {
            write!(out, "**{word}**")
        };
        at = e;
    }
    out.push_str(&clean(&text[at..]));
    out
}

/// `text` in `style` when in colour, cleaned either way.
fn styled(text: &str, style: Style, color: bool) -> String {
    if color {
        format!("{style}{}{style:#}", clean(text))
    } else {
        clean(text).into_owned()
    }
}

/// The terminal view of one hit.
pub fn write_hit(out: &mut dyn Write, hit: &Hit, color: bool, explain: bool) -> io::Result<()> {
    let (title_on, title_off) = if color {
        (TITLE.render().to_string(), TITLE.render_reset().to_string())
    } else {
        (String::new(), String::new())
    };
    let title = if hit.title.is_empty() {
        marked("(untitled)", &[], color, TITLE)
    } else {
        marked(&hit.title, &hit.title_highlights, color, TITLE)
    };
    writeln!(out, "{title_on}{:>2}. {title}{title_off}", hit.rank)?;
    let mut meta = Vec::new();
    if let Some(d) = &hit.date {
        meta.push(d.clone());
    }
    if !hit.source.is_empty() {
        meta.push(hit.source.clone());
    }
    meta.push(format!("{} (passage {})", hit.path, hit.passage));
    if hit.doc != hit.path {
        meta.push(format!("id {}", hit.doc));
    }
    if hit.title_only {
        meta.push("matched through its title only".to_string());
    }
    writeln!(out, "    {}", styled(&meta.join(" · "), DIM, color))?;
    writeln!(
        out,
        "    {}",
        marked(&hit.snippet, &hit.snippet_highlights, color, Style::new())
    )?;
    if explain {
        let score = format!(
            "score {:.3}, {} query word(s) matched",
            hit.score, hit.matched_words
        );
        writeln!(out, "    {}", styled(&score, DIM, color))?;
        let mut seen: Vec<(String, String, &str, String)> = Vec::new();
        for m in &hit.matches {
            let row = (
                m.query.clone(),
                m.text.clone(),
                m.how.as_str(),
                m.via.clone(),
            );
            if !seen.contains(&row) {
                seen.push(row);
            }
        }
        for (query, text, how, via) in seen {
            let via = if how == "exact" || how == "stem" || via.eq_ignore_ascii_case(&text) {
                String::new()
            } else {
                format!(" (via {})", clean(&via))
            };
            writeln!(
                out,
                "      {} -> {}: {how}{via}",
                clean(&query),
                clean(&text)
            )?;
        }
    }
    writeln!(out)
}

/// One line of `--json` output.
#[derive(Serialize)]
pub struct JsonHit<'a> {
    pub query: &'a str,
    pub rank: usize,
    pub score: f32,
    pub doc: &'a str,
    pub passage: u64,
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub source: &'a str,
    pub url: &'a str,
    pub path: &'a str,
    pub text: &'a str,
    pub snippet: &'a str,
    pub highlights: Vec<[usize; 2]>,
    pub matches: &'a [recoupe::search::Match],
    /// Present (true) only when the passage matches through its article's
    /// title alone.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub title_only: bool,
}

pub fn write_json(out: &mut dyn Write, query: &str, hit: &Hit) -> io::Result<()> {
    let line = JsonHit {
        query,
        rank: hit.rank,
        score: hit.score,
        doc: &hit.doc,
        passage: hit.passage,
        title: &hit.title,
        date: hit.date.as_deref(),
        source: &hit.source,
        url: &hit.url,
        path: &hit.path,
        text: &hit.text,
        snippet: &hit.snippet,
        highlights: hit.matches.iter().map(|m| [m.start, m.end]).collect(),
        matches: &hit.matches,
        title_only: hit.title_only,
    };
    serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn plain_marks_wrap_the_spans() {
        assert_eq!(
            marked("les bases russes", &[(4, 9)], false, Style::new()),
            "les **bases** russes"
        );
    }

    #[test]
    fn neighbouring_words_are_marked_as_one() {
        assert_eq!(
            marked(
                "ses bases militaires, ses bases",
                &[(4, 9), (10, 20), (26, 31)],
                false,
                Style::new()
            ),
            "ses **bases militaires**, ses **bases**"
        );
    }

    #[test]
    fn bad_spans_are_skipped_not_panicking() {
        assert_eq!(marked("é", &[(1, 2), (0, 9)], false, Style::new()), "é");
    }

    #[test]
    fn controls_before_a_mark_do_not_move_it() {
        let text = "\u{202e}\u{1b}[2J Moscou et Damas";
        let at = text.find("Damas").unwrap();
        assert_eq!(
            marked(text, &[(at, at + 5)], false, Style::new()),
            "␛[2J Moscou et **Damas**"
        );
        let coloured = marked(text, &[(at, at + 5)], true, TITLE);
        assert!(
            coloured.starts_with("␛[2J Moscou et \u{1b}["),
            "{coloured:?}"
        );
        assert!(coloured.contains("mDamas\u{1b}[0m"), "{coloured:?}");
    }

    /// Text without `*`, and valid, sorted, non-overlapping spans into it.
    fn text_and_spans() -> impl Strategy<Value = (String, Vec<(usize, usize)>)> {
        (
            "[^*]{0,40}",
            proptest::collection::vec(any::<usize>(), 0..8),
        )
            .prop_map(|(text, cuts)| {
                let mut bounds: Vec<usize> = cuts
                    .iter()
                    .map(|c| {
                        let mut at = c % (text.len() + 1);
                        while !text.is_char_boundary(at) {
                            at -= 1;
                        }
                        at
                    })
                    .collect();
                bounds.sort_unstable();
                bounds.dedup();
                let spans = bounds
                    .chunks(2)
                    .filter(|p| p.len() == 2)
                    .map(|p| (p[0], p[1]))
                    .collect();
                (text, spans)
            })
    }

    proptest! {
        #[test]
        fn marks_fall_on_the_cleaned_spans((text, spans) in text_and_spans()) {
            let out = marked(&text, &spans, false, Style::new());
            // Without the marks, it is the cleaned text.
            prop_assert_eq!(out.replace("**", ""), clean(&text).into_owned());
            // Each marked piece is a (merged) span, cleaned.
            let pieces: Vec<&str> = out.split("**").skip(1).step_by(2).collect();
            let expected: Vec<String> = merge_adjacent(&text, &spans)
                .into_iter()
                .filter(|(s, e)| s < e)
                .map(|(s, e)| clean(&text[s..e]).into_owned())
                .collect();
            let pieces: Vec<String> = pieces.into_iter().filter(|p| !p.is_empty()).map(String::from).collect();
            let expected: Vec<String> = expected.into_iter().filter(|p| !p.is_empty()).collect();
            prop_assert_eq!(pieces, expected);
        }

        #[test]
        fn coloured_output_holds_only_our_escapes((text, spans) in text_and_spans()) {
            let out = marked(&text, &spans, true, TITLE);
            let ours = out
                .replace(&MARK.render().to_string(), "")
                .replace(&MARK.render_reset().to_string(), "")
                .replace(&TITLE.render().to_string(), "");
            prop_assert!(!ours.contains('\u{1b}'), "{:?}", out);
        }
    }
}
