//! `recoupe show`: one whole article, with a query's matches highlighted.

use std::io::{self, Write};

use clap::Args;
use recoupe::api;
use recoupe::search::Match;

use super::output::{marked, styled, terminal_stdout, ColorChoice, DIM, TITLE};
use super::search::{open, AliasArgs};
use super::term::clean;
use super::{code, error, Paths};

const AFTER_HELP: &str = "\
DOC is an article id as search results give it (`id …` in the terminal,
`doc` in JSON). Prints the title, the date, source, file and URL, then every
passage in reading order, numbered as in search results; with --query, every
match of that query is highlighted (the same spellings, aliases and typos as
the search would find, unless --strict) and counted.

Exit codes: 0 shown, 1 no article with that id, 2 error.

Examples:
  recoupe show 003_af2370a14cf3d5ef.txt --query al-Charaa
  recoupe show orangesum-26387 --json";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct ShowArgs {
    /// The article's id.
    #[arg(value_name = "DOC")]
    doc: String,
    /// Highlight the matches of this query.
    #[arg(long, short = 'q', value_name = "QUERY")]
    query: Option<String>,
    /// Match the query's words as typed: no spelling variants, aliases or typos.
    #[arg(long, requires = "query")]
    strict: bool,
    /// One JSON object: doc, title, date, source, url, path, title_matches,
    /// passages [{passage, text, matches}], total_matches.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    aliases: AliasArgs,
    /// When to colour the output.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: ColorChoice,
}

fn spans(matches: &[Match]) -> Vec<(usize, usize, recoupe::search::plan::How)> {
    matches.iter().map(|m| (m.start, m.end, m.how)).collect()
}

fn write_text(
    out: &mut dyn Write,
    a: &api::Article,
    query: Option<&str>,
    color: bool,
) -> io::Result<()> {
    let title = if a.title.is_empty() {
        "(untitled)"
    } else {
        &a.title
    };
    let title = marked(title, &spans(&a.title_matches), color, TITLE);
    writeln!(out, "{}", styled_raw(&title, color))?;
    let mut meta = Vec::new();
    if let Some(d) = &a.date {
        meta.push(d.clone());
    }
    if !a.source.is_empty() {
        meta.push(a.source.clone());
    }
    meta.push(a.path.clone());
    if a.doc != a.path {
        meta.push(format!("id {}", a.doc));
    }
    if !a.url.is_empty() {
        meta.push(a.url.clone());
    }
    writeln!(out, "{}", styled(&meta.join(" · "), DIM, color))?;
    if let Some(q) = query {
        let n = a.total_matches;
        let passages = a.passages.iter().filter(|p| !p.matches.is_empty()).count();
        let line = format!(
            "{n} match{} of {} in {passages} of {} passages",
            if n == 1 { "" } else { "es" },
            clean(q),
            a.passages.len()
        );
        writeln!(out, "{}", styled(&line, DIM, color))?;
    }
    for p in &a.passages {
        writeln!(out)?;
        let number = format!("[{}]", p.passage);
        writeln!(
            out,
            "{} {}",
            styled(&number, DIM, color),
            marked(&p.text, &spans(&p.matches), color, anstyle::Style::new())
        )?;
    }
    Ok(())
}

/// The title, bold in colour (`marked` already restores bold after marks).
fn styled_raw(text: &str, color: bool) -> String {
    if color {
        format!("{TITLE}{text}{TITLE:#}")
    } else {
        text.to_string()
    }
}

pub fn run(paths: &Paths, args: ShowArgs) -> i32 {
    let searcher = match open(paths, args.json, &args.aliases) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let article = match searcher.article(&args.doc, args.query.as_deref(), args.strict) {
        Ok(Some(a)) => api::Article::new(&a),
        Ok(None) => {
            error(format!(
                "no article with id {:?} in {}; search results give ids (`id …`, or `doc` in JSON)",
                clean(&args.doc),
                clean(&paths.index.display().to_string())
            ));
            return code::NO_HIT;
        }
        Err(e) => {
            error(e);
            return code::ERROR;
        }
    };
    let result = if args.json {
        let mut out = io::BufWriter::new(io::stdout().lock());
        serde_json::to_writer(&mut out, &article)
            .map_err(io::Error::other)
            .and_then(|_| writeln!(out))
            .and_then(|_| out.flush())
    } else {
        let (stream, color) = terminal_stdout(args.color);
        let mut out = io::BufWriter::new(stream);
        write_text(&mut out, &article, args.query.as_deref(), color).and_then(|_| out.flush())
    };
    match result {
        Ok(()) => code::OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code::OK,
        Err(e) => {
            error(format!("writing the article: {e}"));
            code::ERROR
        }
    }
}
