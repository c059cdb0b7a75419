//! `recoupe search`: one query, or a batch of them, answered by one process.

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Args;
use recoupe::analysis::Analyzer;
use recoupe::index::{self, Index, IndexError};
use recoupe::indexer::Options;
use recoupe::names::{self, AliasTable};
use recoupe::search::{SearchOptions, Searcher};
use std::path::PathBuf;

use super::index::{describe, index as run_indexer, CliReporter};
use super::output::{use_color, write_hit, write_json, ColorChoice};
use super::{code, error, Paths};

const AFTER_HELP: &str = "\
Query syntax:
  bases militaires        plain words: passages matching more of them rank first
  \"bases militaires\"      a phrase
  +Moscou -Damas          required / excluded word (also +\"…\" and -\"…\")
  al-Charaa               a hyphenated word is matched whole
Matching ignores case and accents, and finds other forms of a word
(réfugiés for refugie), other spellings of a name (al-Charaa finds
el-Chareh and al-Sharaa), other names from the alias table (al-Joulani),
queries in other scripts (Путин finds Poutine) and, when a word matches
almost nothing, close misspellings. Exact words rank first; --strict turns
all of that off but stems; --explain shows how each passage matched.

Output: title, date · source · file (passage), then the best fragment with
the matched words highlighted (colour on a terminal, **word** otherwise).
--json prints one object a line: query, rank, score, doc, passage, title,
date, source, url, path, text, snippet, highlights ([start, end] byte offsets
into text) and matches (each highlight with its text and how it matched).

Exit codes: 0 hits found, 1 no hit, 2 error. With --batch: 2 if any query
failed, else 0 if any query found something, else 1.";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct SearchArgs {
    /// The query (several words are one query).
    #[arg(value_name = "QUERY", required_unless_present = "batch")]
    query: Vec<String>,
    /// Number of passages to show.
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    limit: u16,
    /// Require every word of the query.
    #[arg(long)]
    all: bool,
    /// Only articles published on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    since: Option<NaiveDate>,
    /// Only articles published on or before this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE", value_parser = parse_day)]
    until: Option<NaiveDate>,
    /// Only articles whose source contains these words (e.g. AFP).
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// One JSON object a line instead of text.
    #[arg(long)]
    json: bool,
    /// Read one query a line from FILE ('-' for standard input).
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    batch: Option<String>,
    /// Show the score and, for each query word, which words of the passage
    /// matched it and how: exact, stem, variant, alias or typo.
    #[arg(long)]
    explain: bool,
    /// Search the words as typed: no spelling variants, aliases or typos.
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    aliases: AliasArgs,
    /// Print each query's time on stderr: `query<TAB>milliseconds`.
    #[arg(long)]
    timings: bool,
    /// When to colour the output.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: ColorChoice,
}

fn parse_day(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date: write it as YYYY-MM-DD, e.g. 2025-02-12"))
}

/// Alias files given on the command line or in the environment.
#[derive(Args, Debug, Clone, Default)]
pub struct AliasArgs {
    /// Extra alias file (same format as index-schema/aliases.txt: one group a
    /// line, names separated by " = "); may be repeated. Also read from
    /// RECOUPE_ALIASES (paths separated by ':'). Takes effect at once, no
    /// re-indexing.
    #[arg(long, value_name = "FILE")]
    pub aliases: Vec<PathBuf>,
}

impl AliasArgs {
    /// The shipped table merged with the user's files. Bad lines are reported
    /// and skipped; an unreadable file is an error.
    pub fn table(&self) -> Result<AliasTable, String> {
        let mut table = names::shipped_aliases();
        let mut files = self.aliases.clone();
        if let Some(env) = std::env::var_os("RECOUPE_ALIASES") {
            files.extend(std::env::split_paths(&env).filter(|p| !p.as_os_str().is_empty()));
        }
        for file in files {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("{}: cannot read alias file: {e}", file.display()))?;
            let (extra, problems) = names::parse_aliases(&text, &file.display().to_string());
            for p in problems {
                eprintln!("{p}");
            }
            table.merge(extra);
        }
        Ok(table)
    }
}

/// Opens the index, building it from the corpus on first use.
pub fn open(paths: &Paths, quiet: bool, aliases: &AliasArgs) -> Result<Searcher, i32> {
    let table = aliases.table().map_err(|e| {
        error(e);
        code::ERROR
    })?;
    let analyzer = Arc::new(Analyzer::default());
    if !index::exists(&paths.index) {
        if !quiet {
            eprintln!(
                "recoupe: no index at {} yet; indexing {} first",
                paths.index.display(),
                paths.corpus.display()
            );
        }
        let mut reporter = CliReporter::new(!quiet);
        match run_indexer(paths, &Options::default(), &mut reporter) {
            Ok(s) if !quiet => eprintln!("recoupe: {}", describe(&s)),
            Ok(_) => {}
            Err(e) => {
                let busy = e.is_busy();
                error(e);
                return Err(if busy { code::BUSY } else { code::ERROR });
            }
        }
    }
    let index = Index::open(&paths.index, analyzer).map_err(|e| {
        error(&e);
        if matches!(e, IndexError::Outdated { .. } | IndexError::Corrupt { .. }) {
            eprintln!(
                "recoupe: to rebuild it from this corpus: recoupe index --full --corpus {} --index {}",
                paths.corpus.display(),
                paths.index.display()
            );
        }
        code::ERROR
    })?;
    Searcher::with_aliases(index, table).map_err(|e| {
        error(e);
        code::ERROR
    })
}

pub fn run(paths: &Paths, args: SearchArgs) -> i32 {
    let searcher = match open(paths, args.json, &args.aliases) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = SearchOptions {
        limit: usize::from(args.limit),
        all: args.all,
        since: args.since,
        until: args.until,
        source: args.source.clone(),
        strict: args.strict,
        ..SearchOptions::default()
    };
    let color = use_color(args.color) && !args.json;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = match &args.batch {
        Some(file) => batch(&searcher, file, &opts, &args, color, &mut out),
        None => {
            let query = args.query.join(" ");
            one(&searcher, &query, &opts, &args, color, &mut out)
        }
    };
    let code = match result.and_then(|c| out.flush().map(|_| c)) {
        Ok(c) => c,
        // A reader that stops early (`| head`) is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code::OK,
        Err(e) => {
            error(format!("writing results: {e}"));
            code::ERROR
        }
    };
    code
}

/// Answers one query; Ok(exit code).
fn one(
    searcher: &Searcher,
    query: &str,
    opts: &SearchOptions,
    args: &SearchArgs,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let started = std::time::Instant::now();
    let answer = searcher.search(query, opts);
    if args.timings {
        eprintln!("{query}\t{:.3}", started.elapsed().as_secs_f64() * 1000.0);
    }
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            error(format!("{query:?}: {e}"));
            return Ok(code::ERROR);
        }
    };
    if answer.hits.is_empty() {
        if !args.json {
            if answer.words.iter().all(|w| w.alts.is_empty()) || answer.words.is_empty() {
                eprintln!(
                    "recoupe: {query:?}: no word to search for (only stopwords or punctuation)"
                );
            } else {
                eprintln!("recoupe: no passage matches {query:?}");
            }
        }
        return Ok(code::NO_HIT);
    }
    for hit in &answer.hits {
        if args.json {
            write_json(out, query, hit)?;
        } else {
            write_hit(out, hit, color, args.explain)?;
        }
    }
    Ok(code::OK)
}

fn batch(
    searcher: &Searcher,
    file: &str,
    opts: &SearchOptions,
    args: &SearchArgs,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<i32> {
    let reader: Box<dyn BufRead> = if file == "-" {
        Box::new(io::BufReader::new(io::stdin()))
    } else {
        match std::fs::File::open(file) {
            Ok(f) => Box::new(io::BufReader::new(f)),
            Err(e) => {
                error(format!("{file}: {e}"));
                return Ok(code::ERROR);
            }
        }
    };
    let (mut any_hit, mut any_error) = (false, false);
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = line?;
        let Ok(query) = std::str::from_utf8(&line) else {
            error(format!("{file}:{}: not UTF-8; query skipped", n + 1));
            any_error = true;
            continue;
        };
        let query = query.trim();
        if query.is_empty() || query.starts_with('#') {
            continue;
        }
        if !args.json {
            writeln!(out, "## {query}")?;
        }
        match one(searcher, query, opts, args, color, out)? {
            code::OK => any_hit = true,
            code::NO_HIT => {}
            _ => any_error = true,
        }
    }
    Ok(if any_error {
        code::ERROR
    } else if any_hit {
        code::OK
    } else {
        code::NO_HIT
    })
}
