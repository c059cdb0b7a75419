//! `recoupe watch`: the queries the desk follows (`recoupe::watch`).

use std::io::{self, Write};

use clap::{Args, Subcommand};
use recoupe::search::SearchOptions;
use recoupe::watch::{self, Watch};

use super::output::{
    marked, styled, terminal_stdout, write_count, write_hit, write_json, write_json_summary,
    ColorChoice,
};
use super::search::{open, AliasArgs};
use super::term::clean;
use super::{code, error, Paths};

const AFTER_HELP: &str = "\
The watchlist is a plain text file in the index folder (watchlist.txt): one
watched query a line, options after ` | `: `label: TEXT`, `strict` and
`aliases: FILE`. It can be edited by hand; a line that cannot be read is reported as
file:line: reason, and the others still count. Any query the search syntax
accepts can be watched: names, \"phrases\", +required and -excluded words.
A watch matches as `recoupe search --all` does: every word of the query
(titles such as `président` aside), each in any of its spellings, aliases
or typos; watch a name as the press shortens it (`al-Assad`, `López
Obrador`) to catch it when the first name is left out.

Alerts: each `recoupe index` run checks the passages it added or changed
against every watched query (see `recoupe index --help`, --alerts) and
keeps what matched in the index folder (alerts.jsonl), which `report`
reads. A watch's own alias file (`| aliases: FILE`, or `watch add
--aliases FILE`) is read from the index folder when its path is relative.

Exit codes: 0 done (test, report: something found), 1 test or report
found nothing, or remove found no such watch, 2 error.

Examples:
  recoupe watch add al-Charaa --label \"président syrien\"
  recoupe watch add '\"Bachar al-Assad\"' --strict
  recoupe watch list
  recoupe watch test 'Idlib -Turquie'       what it would catch in the whole index
  recoupe watch remove al-Charaa
  recoupe watch report --since 24h          the morning summary
  recoupe watch report --format csv > caught.csv";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct WatchArgs {
    #[command(subcommand)]
    command: WatchCommand,
}

#[derive(Subcommand, Debug)]
enum WatchCommand {
    /// Watch a query.
    Add {
        /// The query (several words are one query).
        #[arg(value_name = "QUERY", required = true)]
        query: Vec<String>,
        /// Match the words as typed: no spelling variants, aliases or typos.
        #[arg(long)]
        strict: bool,
        /// What alerts and reports call it.
        #[arg(long, value_name = "TEXT")]
        label: Option<String>,
        /// An alias file of its own, used beside the run's (a relative
        /// path is read from the index folder).
        #[arg(long, value_name = "FILE")]
        aliases: Option<String>,
    },
    /// List the watched queries.
    List {
        /// One JSON object a line: query, label, strict, aliases.
        #[arg(long)]
        json: bool,
    },
    /// Stop watching a query (give its query or its label).
    Remove {
        #[arg(value_name = "NAME", required = true)]
        name: Vec<String>,
    },
    /// Show what a query (watched or not) matches in the whole index, as
    /// alerts match (every word of it, in any spelling), and how many
    /// passages and articles: tune it before adding it.
    Test {
        /// A watched query or label, or any query.
        #[arg(value_name = "QUERY", required = true)]
        query: Vec<String>,
        /// Match the words as typed (a watched query keeps its own setting).
        #[arg(long)]
        strict: bool,
        /// Passages to show.
        #[arg(long, short = 'n', default_value_t = 10)]
        limit: usize,
        /// One JSON object a line, then the summary, as `search --json`.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        aliases: AliasArgs,
        /// When to colour the output.
        #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
        color: ColorChoice,
    },
    /// What the watchlist caught (the alerts of every `recoupe index` run),
    /// grouped by watched query, newest first, with the spellings seen.
    Report {
        /// Only alerts caught since then: a day (2026-12-01), a time
        /// (2026-12-01T08:00:00Z), or hours or days back (24h, 7d).
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        /// text (for people), json (one watch a line, with its alerts) or
        /// csv (one alert a row).
        #[arg(long, value_enum, default_value = "text")]
        format: ReportFormat,
        /// Alerts shown per watch in the text report (json and csv hold all).
        #[arg(long, short = 'n', default_value_t = 5)]
        limit: usize,
        /// When to colour the output.
        #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
        color: ColorChoice,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ReportFormat {
    Text,
    Json,
    Csv,
}

/// `--since` as the start of the alerts' `caught` times (RFC 3339 text,
/// which sorts as time).
fn since_bound(when: &str) -> Result<String, String> {
    let when = when.trim();
    let back = |n: &str, unit: i64| -> Option<String> {
        let n: i64 = n.parse().ok().filter(|&n| (0..=100_000).contains(&n))?;
        let t = chrono::Utc::now() - chrono::Duration::seconds(n * unit);
        Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    };
    if let Some(n) = when.strip_suffix('h') {
        if let Some(t) = back(n, 3600) {
            return Ok(t);
        }
    }
    if let Some(n) = when.strip_suffix('d') {
        if let Some(t) = back(n, 86_400) {
            return Ok(t);
        }
    }
    if chrono::NaiveDate::parse_from_str(when, "%Y-%m-%d").is_ok() {
        return Ok(when.to_string());
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(when) {
        return Ok(t
            .with_timezone(&chrono::Utc)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    }
    Err(format!(
        "--since {when:?}: give a day (2026-12-01), a time (2026-12-01T08:00:00Z) or hours or days back (24h, 7d)"
    ))
}

fn write_report(
    out: &mut dyn Write,
    groups: &[recoupe::api::alert::WatchReport],
    format: ReportFormat,
    limit: usize,
    color: bool,
) -> io::Result<()> {
    use recoupe::api;
    match format {
        ReportFormat::Json => {
            for g in groups {
                serde_json::to_writer(&mut *out, g).map_err(io::Error::other)?;
                writeln!(out)?;
            }
        }
        ReportFormat::Csv => {
            out.write_all(api::csv_line(&api::alert::CSV_COLUMNS).as_bytes())?;
            for a in groups.iter().flat_map(|g| &g.alerts) {
                out.write_all(api::csv_line(&a.csv_row()).as_bytes())?;
            }
        }
        ReportFormat::Text => {
            for g in groups {
                let name = match &g.label {
                    Some(l) => format!("{} ({})", clean(l), clean(&g.watch)),
                    None => clean(&g.watch).into_owned(),
                };
                let plural = |n: u64, one: &str, many: &str| {
                    format!("{n} {}", if n == 1 { one } else { many })
                };
                writeln!(
                    out,
                    "{}: {} in {}, last caught {}",
                    styled(&name, anstyle::Style::new().bold(), color),
                    plural(g.passages, "passage", "passages"),
                    plural(g.articles, "article", "articles"),
                    g.last_caught.replace('T', " ").trim_end_matches('Z')
                )?;
                let spellings: Vec<String> = g
                    .spellings
                    .iter()
                    .map(|s| format!("{} ({}) {}", clean(&s.spelling), s.how.as_str(), s.passages))
                    .collect();
                if !spellings.is_empty() {
                    writeln!(out, "  spellings: {}", spellings.join(", "))?;
                }
                for a in g.alerts.iter().take(limit) {
                    let spans: Vec<(usize, usize, recoupe::search::plan::How)> = a
                        .snippet_marks
                        .iter()
                        .map(|m| (m.start, m.end, m.how))
                        .collect();
                    let mut meta = vec![a.date.clone().unwrap_or_else(|| "undated".into())];
                    if !a.source.is_empty() {
                        meta.push(clean(&a.source).into_owned());
                    }
                    meta.push(format!("{} (passage {})", clean(&a.doc), a.passage));
                    writeln!(
                        out,
                        "  {} {}",
                        clean(if a.title.is_empty() {
                            "(untitled)"
                        } else {
                            &a.title
                        }),
                        styled(
                            &format!("· {}", meta.join(" · ")),
                            anstyle::Style::new().dimmed(),
                            color
                        )
                    )?;
                    writeln!(
                        out,
                        "    {}",
                        marked(&a.snippet, &spans, color, anstyle::Style::new())
                    )?;
                }
                if g.alerts.len() > limit {
                    writeln!(
                        out,
                        "  … {} more (--limit, or --format json for all)",
                        g.alerts.len() - limit
                    )?;
                }
                writeln!(out)?;
            }
        }
    }
    out.flush()
}

fn report_problems(problems: &[watch::WatchProblem]) {
    for p in problems {
        eprintln!("{}", clean(&p.to_string()));
    }
}

pub fn run(paths: &Paths, args: WatchArgs) -> i32 {
    match args.command {
        WatchCommand::Add {
            query,
            strict,
            label,
            aliases,
        } => {
            if aliases
                .as_deref()
                .is_some_and(|a| a.contains(['|', '\n', '\r']) || a.trim().is_empty())
            {
                error("--aliases: give a file path without '|' or line breaks");
                return code::ERROR;
            }
            let watch = match watch::new_watch(&query.join(" "), label.as_deref(), strict) {
                Ok(w) => Watch {
                    aliases: aliases.map(|a| a.trim().to_string()),
                    ..w
                },
                Err(e) => {
                    error(e);
                    return code::ERROR;
                }
            };
            match watch::add(&paths.index, &watch) {
                Ok(()) => {
                    eprintln!(
                        "recoupe: watching {:?} ({})",
                        watch.query,
                        clean(&watch::path(&paths.index).display().to_string())
                    );
                    code::OK
                }
                Err(e) => {
                    error(e);
                    code::ERROR
                }
            }
        }
        WatchCommand::List { json } => {
            let (watches, problems) = match watch::load(&paths.index) {
                Ok(w) => w,
                Err(e) => {
                    error(e);
                    return code::ERROR;
                }
            };
            report_problems(&problems);
            let mut out = io::stdout().lock();
            for w in &watches {
                let line = if json {
                    serde_json::json!({"query": w.query, "label": w.label, "strict": w.strict, "aliases": w.aliases})
                        .to_string()
                } else {
                    clean(&w.line()).into_owned()
                };
                if writeln!(out, "{line}").is_err() {
                    return code::OK;
                }
            }
            if watches.is_empty() && !json {
                eprintln!("recoupe: nothing watched yet; add a query with `recoupe watch add`");
            }
            if problems.is_empty() {
                code::OK
            } else {
                code::ERROR
            }
        }
        WatchCommand::Remove { name } => {
            let name = name.join(" ");
            match watch::remove(&paths.index, &name) {
                Ok(Some(w)) => {
                    eprintln!("recoupe: no longer watching {:?}", w.query);
                    code::OK
                }
                Ok(None) => {
                    error(format!(
                        "{name:?} is not watched; `recoupe watch list` shows what is"
                    ));
                    code::NO_HIT
                }
                Err(e) => {
                    error(e);
                    code::ERROR
                }
            }
        }
        WatchCommand::Test {
            query,
            strict,
            limit,
            json,
            aliases,
            color,
        } => {
            let text = query.join(" ");
            let watched = watch::load(&paths.index)
                .map(|(w, _)| w)
                .unwrap_or_default()
                .into_iter()
                .find(|w: &Watch| {
                    let fold = recoupe::analysis::fold::fold_str;
                    fold(&w.query) == fold(&text)
                        || w.label.as_deref().is_some_and(|l| fold(l) == fold(&text))
                });
            let (query, strict) = match &watched {
                Some(w) => (w.query.clone(), w.strict),
                None => (text, strict),
            };
            let searcher = match open(paths, json, &aliases) {
                Ok(s) => s,
                Err(code) => return code,
            };
            let opts = SearchOptions {
                limit: limit.max(1),
                // As alerts match: every word of the query.
                all: true,
                strict,
                ..SearchOptions::default()
            };
            let answer = match searcher.search(&query, &opts) {
                Ok(a) => a,
                Err(e) => {
                    error(format!("{query:?}: {e}"));
                    return code::ERROR;
                }
            };
            let summary = recoupe::api::Summary::new(&query, &answer.totals);
            let result = (|| -> io::Result<()> {
                if json {
                    let mut out = io::stdout().lock();
                    for hit in &answer.hits {
                        write_json(&mut out, &query, hit)?;
                    }
                    write_json_summary(&mut out, &summary)?;
                    return out.flush();
                }
                let (stream, color) = terminal_stdout(color);
                let mut out = io::BufWriter::new(stream);
                write_count(&mut out, &summary, color)?;
                for hit in &answer.hits {
                    write_hit(&mut out, hit, color, false)?;
                }
                out.flush()
            })();
            match result {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    error(format!("writing results: {e}"));
                    code::ERROR
                }
                _ if answer.hits.is_empty() => code::NO_HIT,
                _ => code::OK,
            }
        }
        WatchCommand::Report {
            since,
            format,
            limit,
            color,
        } => {
            let since = match since.as_deref().map(since_bound).transpose() {
                Ok(s) => s,
                Err(e) => {
                    error(e);
                    return code::ERROR;
                }
            };
            let log = watch::log::path(&paths.index);
            let read = match watch::log::read(&log, since.as_deref()) {
                Ok(r) => r,
                Err(e) => {
                    error(format!("{}: {e}", clean(&log.display().to_string())));
                    return code::ERROR;
                }
            };
            for p in &read.problems {
                eprintln!("{}", clean(p));
            }
            let groups = recoupe::api::alert::report(read.alerts);
            if groups.is_empty() && format == ReportFormat::Text {
                eprintln!(
                    "recoupe: nothing caught{}; alerts come with `recoupe index` runs once queries are watched",
                    since.as_deref().map(|s| format!(" since {s}")).unwrap_or_default()
                );
            }
            let (stream, color) = terminal_stdout(color);
            let mut out = io::BufWriter::new(stream);
            match write_report(&mut out, &groups, format, limit, color) {
                Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
                    error(format!("writing the report: {e}"));
                    code::ERROR
                }
                _ if groups.is_empty() => code::NO_HIT,
                _ => code::OK,
            }
        }
    }
}
