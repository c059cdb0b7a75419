//! `recoupe watch`: the queries the desk follows (`recoupe::watch`).

use std::io::{self, Write};

use clap::{Args, Subcommand};
use recoupe::search::SearchOptions;
use recoupe::watch::{self, Watch};

use super::output::{
    terminal_stdout, write_count, write_hit, write_json, write_json_summary, ColorChoice,
};
use super::search::{open, AliasArgs};
use super::term::clean;
use super::{code, error, Paths};

const AFTER_HELP: &str = "\
The watchlist is a plain text file in the index folder (watchlist.txt): one
watched query a line, options after ` | `: `label: TEXT` and `strict`. It
can be edited by hand; a line that cannot be read is reported as
file:line: reason, and the others still count. Any query the search syntax
accepts can be watched: names, \"phrases\", +required and -excluded words.

Exit codes: 0 done (test: something matches), 1 test found nothing or
remove found no such watch, 2 error.

Examples:
  recoupe watch add al-Charaa --label \"président syrien\"
  recoupe watch add '\"Bachar al-Assad\"' --strict
  recoupe watch list
  recoupe watch test 'Idlib -Turquie'       what it would catch in the whole index
  recoupe watch remove al-Charaa";

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
    },
    /// List the watched queries.
    List {
        /// One JSON object a line: query, label, strict.
        #[arg(long)]
        json: bool,
    },
    /// Stop watching a query (give its query or its label).
    Remove {
        #[arg(value_name = "NAME", required = true)]
        name: Vec<String>,
    },
    /// Show what a query (watched or not) matches in the whole index, and
    /// how many passages and articles: tune it before adding it.
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
        } => {
            let watch = match watch::new_watch(&query.join(" "), label.as_deref(), strict) {
                Ok(w) => w,
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
                    serde_json::json!({"query": w.query, "label": w.label, "strict": w.strict})
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
    }
}
