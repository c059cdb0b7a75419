//! Rendering hits: a terminal view (colour only on a terminal, never with
//! NO_COLOR) and one JSON object a line for tools.

use std::io::{self, IsTerminal, Write};

use clap::ValueEnum;
use recoupe::search::Hit;
use serde::Serialize;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Whether to colour stdout.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

const BOLD: &str = "\x1b[1m";
const MARK: &str = "\x1b[1;33m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

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

/// `text` with its spans marked: colour, or `**` when plain.
fn marked(text: &str, spans: &[(usize, usize)], color: bool, base: &str) -> String {
    let (open, close) = if color { (MARK, RESET) } else { ("**", "**") };
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut at = 0;
    for (s, e) in merge_adjacent(text, spans) {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(open);
        out.push_str(&text[s..e]);
        out.push_str(close);
        if color {
            out.push_str(base);
        }
        at = e;
    }
    out.push_str(&text[at..]);
    out
}

/// The terminal view of one hit.
pub fn write_hit(out: &mut dyn Write, hit: &Hit, color: bool, explain: bool) -> io::Result<()> {
    let (bold, dim, reset) = if color {
        (BOLD, DIM, RESET)
    } else {
        ("", "", "")
    };
    let title = if hit.title.is_empty() {
        "(untitled)"
    } else {
        hit.title.as_str()
    };
    writeln!(
        out,
        "{bold}{:>2}. {}{reset}",
        hit.rank,
        marked(title, &hit.title_highlights, color, bold)
    )?;
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
    writeln!(out, "    {dim}{}{reset}", meta.join(" · "))?;
    writeln!(
        out,
        "    {}",
        marked(&hit.snippet, &hit.snippet_highlights, color, "")
    )?;
    if explain {
        writeln!(
            out,
            "    {dim}score {:.3}, {} query word(s) matched{reset}",
            hit.score, hit.matched_words
        )?;
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
                format!(" (via {via})")
            };
            writeln!(out, "      {query} -> {text}: {how}{via}")?;
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
    };
    serde_json::to_writer(&mut *out, &line).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_marks_wrap_the_spans() {
        assert_eq!(
            marked("les bases russes", &[(4, 9)], false, ""),
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
                ""
            ),
            "ses **bases militaires**, ses **bases**"
        );
    }

    #[test]
    fn bad_spans_are_skipped_not_panicking() {
        assert_eq!(marked("é", &[(1, 2), (0, 9)], false, ""), "é");
    }
}
