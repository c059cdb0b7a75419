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
use recoupe::api;
use recoupe::search::plan::How;
use recoupe::search::Hit;

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

pub const TITLE: Style = Style::new().bold();
pub const DIM: Style = Style::new().dimmed();

/// How a match of each kind is shown in colour: the words as typed (or
/// another form of them) in yellow, other spellings in cyan, aliases in
/// magenta, typos in red and underlined.
fn mark_style(how: How) -> Style {
    let color = |c: AnsiColor| Style::new().bold().fg_color(Some(anstyle::Color::Ansi(c)));
    match how {
        How::Exact | How::Stem => color(AnsiColor::Yellow),
        How::Variant => color(AnsiColor::Cyan),
        How::Alias => color(AnsiColor::Magenta),
        How::Typo => color(AnsiColor::Red).underline(),
    }
}

/// Without colour: `**as typed**`, `*another spelling, alias or typo*`.
fn plain_mark(how: How) -> &'static str {
    match how {
        How::Exact | How::Stem => "**",
        How::Variant | How::Alias | How::Typo => "*",
    }
}

/// Joins spans separated only by spaces, hyphens or apostrophes
/// ([`api::joins_words`], as counts and CSV join them), so a
/// matched phrase or name reads as one highlight (`**bases militaires**`,
/// `**al-Charaa**`, not `**bases** **militaires**`). A joined span takes
/// the kind furthest from the words as typed.
fn merge_adjacent(text: &str, spans: &[(usize, usize, How)]) -> Vec<(usize, usize, How)> {
    let mut out: Vec<(usize, usize, How)> = Vec::with_capacity(spans.len());
    for &(s, e, how) in spans {
        match out.last_mut() {
            Some(last) if last.1 <= s && text.get(last.1..s).is_some_and(api::joins_words) => {
                last.1 = e;
                last.2 = last.2.max(how);
            }
            _ => out.push((s, e, how)),
        }
    }
    out
}

/// `text`, cleaned for a terminal, with its spans marked by kind: in colour
/// (then `base` is restored after each mark), or between `**` / `*` when
/// plain. The spans are byte offsets into `text`; each piece is cleaned on
/// its own, so cleaning never moves a mark.
pub fn marked(text: &str, spans: &[(usize, usize, How)], color: bool, base: Style) -> String {
    let mut out = String::with_capacity(text.len() + spans.len() * 8);
    let mut at = 0;
    for (s, e, how) in merge_adjacent(text, spans) {
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&clean(&text[at..s]));
        let word = clean(&text[s..e]);
        let _ = if color {
            let mark = mark_style(how);
            write!(out, "{mark}{word}{mark:#}{base}")
        } else {
            let m = plain_mark(how);
            write!(out, "{m}{word}{m}")
        };
        at = e;
    }
    out.push_str(&clean(&text[at..]));
    out
}

/// The legend of the marks, in the marks themselves (`--explain`).
pub fn legend(color: bool) -> String {
    let kinds = [
        (How::Exact, "as typed or another form"),
        (How::Variant, "other spelling"),
        (How::Alias, "alias"),
        (How::Typo, "typo"),
    ];
    let shown: Vec<String> = if color {
        kinds
            .iter()
            .map(|&(how, label)| {
                let mark = mark_style(how);
                format!("{mark}{label}{mark:#}")
            })
            .collect()
    } else {
        vec![
            "**as typed or another form**".to_string(),
            "*other spelling, alias or typo*".to_string(),
        ]
    };
    format!("marks: {}", shown.join(", "))
}

/// `text` in `style` when in colour, cleaned either way.
pub fn styled(text: &str, style: Style, color: bool) -> String {
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
    if !hit.url.is_empty() {
        meta.push(hit.url.clone());
    }
    if hit.title_only {
        meta.push("matched through its title only".to_string());
    }
    match hit.copies_total {
        0 => {}
        1 => meta.push("also in 1 article".to_string()),
        n => meta.push(format!("also in {n} articles")),
    }
    writeln!(out, "    {}", styled(&meta.join(" · "), DIM, color))?;
    writeln!(
        out,
        "    {}",
        marked(&hit.snippet, &hit.snippet_highlights, color, Style::new())
    )?;
    for more in &hit.more {
        let snippet = marked(&more.snippet, &more.snippet_highlights, color, Style::new());
        let label = styled(&format!("also passage {}:", more.passage), DIM, color);
        writeln!(out, "      {label} {snippet}")?;
    }
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

/// One hit as a `--json` line ([`recoupe::api::Hit`]).
pub fn write_json(out: &mut dyn Write, query: &str, hit: &Hit) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &api::Hit::new(query, hit)).map_err(io::Error::other)?;
    writeln!(out)
}

/// The `--json` line closing a query's hits: `{"summary": …}`.
pub fn write_json_summary(out: &mut dyn Write, summary: &api::Summary) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &api::SummaryLine { summary }).map_err(io::Error::other)?;
    writeln!(out)
}

/// The CSV header line.
pub fn write_csv_header(out: &mut dyn Write) -> io::Result<()> {
    out.write_all(api::csv_line(&api::CSV_COLUMNS).as_bytes())
}

/// One hit as a CSV row.
pub fn write_csv(out: &mut dyn Write, query: &str, hit: &Hit) -> io::Result<()> {
    out.write_all(api::csv_line(&api::Hit::new(query, hit).csv_row()).as_bytes())
}

/// The terminal's count line: `12 passages in 5 articles`, then the
/// spellings found when other spellings were searched.
pub fn count_line(summary: &api::Summary) -> String {
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut line = format!(
        "{} in {}",
        plural(summary.passages, "passage", "passages"),
        plural(summary.articles, "article", "articles")
    );
    if !summary.spellings.is_empty() {
        let spellings: Vec<String> = summary
            .spellings
            .iter()
            .map(|s| match s.how {
                How::Exact => format!("{} {}", clean(&s.spelling), s.passages),
                how => format!("{} {} ({})", clean(&s.spelling), s.passages, how.as_str()),
            })
            .collect();
        line.push_str(&format!(" · spellings: {}", spellings.join(", ")));
    }
    if !summary.scoring_only.is_empty() {
        let words: Vec<String> = summary
            .scoring_only
            .iter()
            .map(|w| clean(w).into_owned())
            .collect();
        line.push_str(&format!(
            " · too common to count alone: {} (+{} to require it)",
            words.join(", "),
            words[0]
        ));
    }
    line
}

/// The count line in the terminal view, dimmed in colour.
pub fn write_count(out: &mut dyn Write, summary: &api::Summary, color: bool) -> io::Result<()> {
    writeln!(out, "{}\n", styled(&count_line(summary), DIM, color))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_count_line_names_the_words_too_common_to_count_alone() {
        let mut summary = api::Summary {
            query: "Jean Castex".into(),
            passages: 893,
            articles: 431,
            spellings: Vec::new(),
            scoring_only: Vec::new(),
        };
        assert_eq!(count_line(&summary), "893 passages in 431 articles");
        summary.scoring_only = vec!["Jean".into()];
        assert_eq!(
            count_line(&summary),
            "893 passages in 431 articles · too common to count alone: Jean (+Jean to require it)"
        );
    }

    #[test]
    fn plain_marks_wrap_the_spans() {
        assert_eq!(
            marked(
                "les bases russes",
                &[(4, 9, How::Exact)],
                false,
                Style::new()
            ),
            "les **bases** russes"
        );
    }

    #[test]
    fn neighbouring_words_are_marked_as_one() {
        assert_eq!(
            marked(
                "ses bases militaires, ses bases",
                &[
                    (4, 9, How::Exact),
                    (10, 20, How::Stem),
                    (26, 31, How::Exact)
                ],
                false,
                Style::new()
            ),
            "ses **bases militaires**, ses **bases**"
        );
    }

    #[test]
    fn other_spellings_are_marked_apart_from_the_words_as_typed() {
        let text = "Ahmed el-Chareh et al-Charaa";
        let spans = [(6, 15, How::Variant), (19, 28, How::Exact)];
        assert_eq!(
            marked(text, &spans, false, Style::new()),
            "Ahmed *el-Chareh* et **al-Charaa**"
        );
        let coloured = marked(text, &spans, true, Style::new());
        let variant = mark_style(How::Variant).render().to_string();
        let exact = mark_style(How::Exact).render().to_string();
        assert_ne!(variant, exact);
        assert!(
            coloured.contains(&format!("{variant}el-Chareh")),
            "{coloured:?}"
        );
        assert!(
            coloured.contains(&format!("{exact}al-Charaa")),
            "{coloured:?}"
        );
        assert!(legend(false).contains("*other spelling, alias or typo*"));
    }

    #[test]
    fn bad_spans_are_skipped_not_panicking() {
        assert_eq!(
            marked(
                "é",
                &[(1, 2, How::Exact), (0, 9, How::Exact)],
                false,
                Style::new()
            ),
            "é"
        );
    }

    #[test]
    fn controls_before_a_mark_do_not_move_it() {
        let text = "\u{202e}\u{1b}[2J Moscou et Damas";
        let at = text.find("Damas").unwrap();
        assert_eq!(
            marked(text, &[(at, at + 5, How::Exact)], false, Style::new()),
            "␛[2J Moscou et **Damas**"
        );
        let coloured = marked(text, &[(at, at + 5, How::Exact)], true, TITLE);
        assert!(
            coloured.starts_with("␛[2J Moscou et \u{1b}["),
            "{coloured:?}"
        );
        assert!(coloured.contains("mDamas\u{1b}[0m"), "{coloured:?}");
    }

    const KINDS: [How; 5] = [How::Exact, How::Stem, How::Variant, How::Alias, How::Typo];

    /// Text without `*`, and valid, sorted, non-overlapping spans into it,
    /// each of some kind (all exact when `exact`).
    fn spans_of(exact: bool) -> impl Strategy<Value = (String, Vec<(usize, usize, How)>)> {
        (
            "[^*]{0,40}",
            proptest::collection::vec(any::<usize>(), 0..8),
            proptest::collection::vec(0usize..5, 8),
        )
            .prop_map(move |(text, cuts, kinds)| {
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
                    .zip(&kinds)
                    .map(|(p, &k)| (p[0], p[1], if exact { How::Exact } else { KINDS[k] }))
                    .collect();
                (text, spans)
            })
    }

    fn text_and_spans() -> impl Strategy<Value = (String, Vec<(usize, usize, How)>)> {
        spans_of(true)
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
                .filter(|(s, e, _)| s < e)
                .map(|(s, e, _)| clean(&text[s..e]).into_owned())
                .collect();
            let pieces: Vec<String> = pieces.into_iter().filter(|p| !p.is_empty()).map(String::from).collect();
            let expected: Vec<String> = expected.into_iter().filter(|p| !p.is_empty()).collect();
            prop_assert_eq!(pieces, expected);
        }

        #[test]
        fn marks_of_any_kind_leave_the_cleaned_text((text, spans) in spans_of(false)) {
            let out = marked(&text, &spans, false, Style::new());
            prop_assert_eq!(out.replace('*', ""), clean(&text).into_owned());
        }

        #[test]
        fn coloured_output_holds_only_our_escapes((text, spans) in spans_of(false)) {
            let out = marked(&text, &spans, true, TITLE);
            let mut ours = out.clone();
            for how in KINDS {
                let mark = mark_style(how);
                ours = ours
                    .replace(&mark.render().to_string(), "")
                    .replace(&mark.render_reset().to_string(), "");
            }
            let ours = ours.replace(&TITLE.render().to_string(), "");
            prop_assert!(!ours.contains('\u{1b}'), "{:?}", out);
        }
    }
}
