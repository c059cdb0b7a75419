//! `recoupe search`: one query, or a batch of them, answered by one process.

use std::io::{self, BufRead, Write};
use std::sync::Arc;

use chrono::NaiveDate;
use clap::Args;
use recoupe::analysis::Analyzer;
use recoupe::index::{self, Index};
use recoupe::indexer::Options;
use recoupe::names::{self, AliasTable};
use recoupe::search::{RankParams, SearchOptions, Searcher, Sort};
use std::path::PathBuf;

use super::index::{describe, index as run_indexer, CliReporter};
use super::output::{
    legend, terminal_stdout, write_count, write_csv, write_csv_header, write_hit, write_json,
    write_json_summary, ColorChoice,
};
use super::term::clean;
use super::{advice, code, error, unreadable, Paths};
use recoupe::api;

const AFTER_HELP: &str = "\
Query syntax:
  bases militaires        plain words: up to three, passages matching more of
                          them rank first; longer queries and questions by
                          relevance
  \"bases militaires\"      a phrase
  +Moscou -Damas          required / excluded word (also +\"…\" and -\"…\")
  al-Charaa               a hyphenated word is matched whole
Matching ignores case and accents, and finds other forms of a word
(réfugiés for refugie), other spellings of a name (al-Charaa finds
el-Chareh and al-Sharaa), other names from the alias table (al-Joulani),
queries in other scripts (Путин finds Poutine) and, when a word matches
almost nothing, close misspellings. Exact words rank first; --strict turns
all of that off but stems; --explain shows how each passage matched;
--sort date lists the newest first.

Output: how many passages and articles match (and, for names, the
spellings found), then each hit: title, date · source · file (passage) ·
URL, then the best fragment with the matched words highlighted (colour on a
terminal, **word** otherwise).
--json prints one object a line: query, rank, score, doc, passage, title,
date, source, url, path, text, snippet, highlights ([start, end] byte offsets
into text) and matches (each highlight with its text and how it matched);
\"title_only\": true marks a passage that matches through its title alone.
With --group article, each hit is an article's best passage and \"more\"
holds its next best (same shape). Each query's hits end with a line {\"summary\": {query, passages, articles,
spellings: [{spelling, how, via, passages}]}}.
--format csv prints a header, then one row per hit: query, rank, doc, date,
source, title, url, spellings (the passage words that matched), snippet.

Exit codes: 0 hits found, 1 no hit, 2 error. With --batch: 2 if any query
failed, else 0 if any query found something, else 1.

Examples:
  recoupe search Syrie -Damas                 Syrie, but not in passages naming Damas
  recoupe search al-Charaa --since 2025       options may follow the query
  recoupe search \"bases militaires\" --until 2025-06 --source AFP
  recoupe search --explain -n 3 Qamichli
  recoupe search Qamichli --sort date         newest first
  recoupe search al-Charaa --format csv > hits.csv
  recoupe search Qamichli --group article     one hit per article";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct SearchArgs {
    /// The query (several words are one query). Once it has started, a word
    /// starting with '-' excludes that word: `recoupe search Syrie -Damas`.
    #[arg(value_name = "QUERY", required_unless_present = "batch")]
    query: Vec<String>,
    /// Number of passages to show.
    #[arg(long, short = 'n', default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..))]
    limit: u16,
    /// Require every word of the query.
    #[arg(long)]
    all: bool,
    /// Only articles published on or after this day: YYYY-MM-DD, or YYYY-MM
    /// or YYYY for the period's first day.
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    since: Option<Day>,
    /// Only articles published on or before this day: YYYY-MM-DD, or YYYY-MM
    /// or YYYY through the period's last day.
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    until: Option<Day>,
    /// Only articles whose source contains these words (e.g. AFP).
    #[arg(long, value_name = "NAME")]
    source: Option<String>,
    /// One JSON object a line instead of text (same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// One hit per article: its best passage, and its next best (up to 3)
    /// under it; --limit then counts articles.
    #[arg(long, value_enum, value_name = "BY")]
    group: Option<GroupArg>,
    /// Show each copy of a republished passage apart (by default a passage
    /// that other articles repeat is shown once, with `also in N articles`).
    #[arg(long)]
    all_copies: bool,
    /// Output format: text for people, json (one object a line) or csv
    /// (one row per hit) for tools.
    #[arg(long, value_enum, default_value = "text", value_name = "FORMAT")]
    format: Format,
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
    /// Order of the passages: best match first (ties newest first), or
    /// newest first (ties best match first).
    #[arg(long, value_enum, default_value = "relevance", value_name = "ORDER")]
    sort: SortArg,
    /// Change named ranking parameters, for measuring them:
    /// `proximity=0,coordination=off` (see ARCHITECTURE.md, "Ranking").
    #[arg(
        long,
        value_name = "NAME=VALUE,…",
        env = "RECOUPE_RANKING",
        hide = true
    )]
    ranking: Option<String>,
    #[command(flatten)]
    aliases: AliasArgs,
    /// Print each query's time on stderr: `query<TAB>milliseconds`.
    #[arg(long)]
    timings: bool,
    /// When to colour the output.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum GroupArg {
    Article,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum SortArg {
    Relevance,
    Date,
}

/// A day given on the command line, with how it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    pub day: NaiveDate,
    pub written: String,
}

/// Which end of a period a partial date stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum End {
    First,
    Last,
}

/// `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` as the first or last day of that
/// month or year.
fn parse_date(s: &str, end: End) -> Result<NaiveDate, String> {
    let bad = || {
        format!(
            "{s:?} is not a date: write YYYY-MM-DD (2025-02-12), YYYY-MM (2025-02) or YYYY (2025)"
        )
    };
    let t = s.trim();
    let parts: Vec<&str> = t.split('-').collect();
    let number = |p: &str, len: usize| -> Option<u32> {
        (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let year = parts.first().and_then(|y| number(y, 4)).ok_or_else(bad)? as i32;
    let day = match parts[1..] {
        [] => match end {
            End::First => NaiveDate::from_ymd_opt(year, 1, 1),
            End::Last => NaiveDate::from_ymd_opt(year, 12, 31),
        },
        [month] => {
            let month = number(month, 2)
                .or_else(|| number(month, 1))
                .ok_or_else(bad)?;
            let first = NaiveDate::from_ymd_opt(year, month, 1);
            match end {
                End::First => first,
                End::Last => first
                    .and_then(|f| f.checked_add_months(chrono::Months::new(1)))
                    .and_then(|next| next.pred_opt()),
            }
        }
        [month, day] => {
            let (month, day) = (
                number(month, 2).or_else(|| number(month, 1)),
                number(day, 2).or_else(|| number(day, 1)),
            );
            month
                .zip(day)
                .and_then(|(m, d)| NaiveDate::from_ymd_opt(year, m, d))
        }
        _ => None,
    };
    day.ok_or_else(bad)
}

fn parse_since(s: &str) -> Result<Day, String> {
    parse_date(s, End::First).map(|day| Day {
        day,
        written: s.trim().to_string(),
    })
}

fn parse_until(s: &str) -> Result<Day, String> {
    parse_date(s, End::Last).map(|day| Day {
        day,
        written: s.trim().to_string(),
    })
}

/// An empty period is a mistake worth saying, not an empty answer.
fn check_period(since: Option<&Day>, until: Option<&Day>) -> Result<(), String> {
    match (since, until) {
        (Some(s), Some(u)) if s.day > u.day => Err(format!(
            "--since {} ({}) is after --until {} ({}): no article can match; swap them",
            s.written, s.day, u.written, u.day
        )),
        _ => Ok(()),
    }
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
                .map_err(|e| format!("{}: {}", file.display(), unreadable("alias file", &e)))?;
            let (extra, problems) = names::parse_aliases(&text, &file.display().to_string());
            for p in problems {
                eprintln!("{p}");
            }
            table.merge(extra);
        }
        Ok(table)
    }
}

/// Opens the index, building it from the corpus on first use. A first build
/// that fails leaves nothing behind.
pub fn open(paths: &Paths, quiet: bool, aliases: &AliasArgs) -> Result<Searcher, i32> {
    let table = aliases.table().map_err(|e| {
        error(e);
        code::ERROR
    })?;
    let analyzer = Arc::new(Analyzer::default());
    if paths.index.exists() && !paths.index.is_dir() {
        error(format!(
            "{}: not a folder; give --index a folder path",
            clean(&paths.index.display().to_string())
        ));
        return Err(code::ERROR);
    }
    if !index::exists(&paths.index) {
        if !quiet {
            eprintln!(
                "recoupe: no index at {} yet; indexing {} first",
                clean(&paths.index.display().to_string()),
                clean(&paths.corpus.display().to_string())
            );
        }
        let mut reporter = CliReporter::new(!quiet);
        match run_indexer(paths, &Options::default(), &mut reporter, &table, &mut []) {
            Ok((s, _)) if !quiet => eprintln!("recoupe: {}", describe(&s)),
            Ok(_) => {}
            Err(e) => {
                let busy = e.is_busy();
                advice::report(&e, advice::for_run(&e, paths));
                return Err(if busy { code::BUSY } else { code::ERROR });
            }
        }
    }
    let index = Index::open(&paths.index, analyzer).map_err(|e| {
        advice::report(&e, advice::for_index(&e, paths));
        code::ERROR
    })?;
    Searcher::with_aliases(index, table).map_err(|e| {
        error(e);
        code::ERROR
    })
}

pub fn run(paths: &Paths, mut args: SearchArgs) -> i32 {
    if args.json {
        args.format = Format::Json;
    }
    if let Err(e) = check_period(args.since.as_ref(), args.until.as_ref()) {
        error(e);
        return code::ERROR;
    }
    let ranking = match args.ranking.as_deref().map(RankParams::with_overrides) {
        None => RankParams::default(),
        Some(Ok(p)) => p,
        Some(Err(e)) => {
            error(e);
            return code::ERROR;
        }
    };
    let machine = args.format != Format::Text;
    let searcher = match open(paths, machine, &args.aliases) {
        Ok(s) => s.with_ranking(ranking),
        Err(code) => return code,
    };
    let opts = SearchOptions {
        limit: usize::from(args.limit),
        all: args.all,
        since: args.since.as_ref().map(|d| d.day),
        until: args.until.as_ref().map(|d| d.day),
        source: args.source.clone(),
        strict: args.strict,
        sort: match args.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
        },
        group_articles: args.group == Some(GroupArg::Article),
        collapse_copies: !args.all_copies,
        ..SearchOptions::default()
    };
    // JSON and CSV go out byte for byte; the terminal view through anstream.
    let (mut out, color): (Box<dyn Write>, bool) = if machine {
        (Box::new(io::BufWriter::new(io::stdout().lock())), false)
    } else {
        let (stream, color) = terminal_stdout(args.color);
        (Box::new(io::BufWriter::new(stream)), color)
    };
    if args.format == Format::Csv {
        if let Err(e) = write_csv_header(&mut out) {
            error(format!("writing results: {e}"));
            return code::ERROR;
        }
    }
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
    // The process ends next, and the system takes its memory back at once:
    // unmapping every segment and freeing the caches one by one would
    // cost a short search a tenth of its time.
    std::mem::forget(searcher);
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
        eprintln!(
            "{}\t{:.3}",
            clean(query),
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
    let answer = match answer {
        Ok(a) => a,
        Err(e) => {
            error(format!("{query:?}: {e}"));
            return Ok(code::ERROR);
        }
    };
    let summary = api::Summary::new(query, &answer.totals);
    if args.format == Format::Json {
        for hit in &answer.hits {
            write_json(out, query, hit)?;
        }
        write_json_summary(out, &summary)?;
    }
    if answer.hits.is_empty() {
        if args.format == Format::Text {
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
    match args.format {
        Format::Json => {}
        Format::Csv => {
            for hit in &answer.hits {
                write_csv(out, query, hit)?;
            }
        }
        Format::Text => {
            write_count(out, &summary, color)?;
            if args.explain {
                writeln!(out, "{}\n", legend(color))?;
            }
            for hit in &answer.hits {
                write_hit(out, hit, color, args.explain)?;
            }
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
                error(format!("{file}: {}", unreadable("query file", &e)));
                return Ok(code::ERROR);
            }
        }
    };
    let (mut any_hit, mut any_error) = (false, false);
    for (n, line) in reader.split(b'\n').enumerate() {
        let line = match line {
            Ok(line) => line,
            Err(e) => {
                error(format!("{file}: {}", unreadable("query file", &e)));
                return Ok(code::ERROR);
            }
        };
        let Ok(query) = std::str::from_utf8(&line) else {
            error(format!("{file}:{}: not UTF-8; query skipped", n + 1));
            any_error = true;
            continue;
        };
        let query = query.trim();
        if query.is_empty() || query.starts_with('#') {
            continue;
        }
        if args.format == Format::Text {
            writeln!(out, "## {}", clean(query))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_year_or_a_month_stands_for_the_whole_period() {
        assert_eq!(parse_date("2019", End::First), Ok(day("2019-01-01")));
        assert_eq!(parse_date("2019", End::Last), Ok(day("2019-12-31")));
        assert_eq!(parse_date("2019-06", End::First), Ok(day("2019-06-01")));
        assert_eq!(parse_date("2019-02", End::Last), Ok(day("2019-02-28")));
        assert_eq!(parse_date("2020-02", End::Last), Ok(day("2020-02-29")));
        assert_eq!(parse_date("2019-12", End::Last), Ok(day("2019-12-31")));
        assert_eq!(parse_date(" 2025-02-12 ", End::Last), Ok(day("2025-02-12")));
    }

    #[test]
    fn malformed_dates_are_refused_with_the_formats() {
        for bad in [
            "",
            "19",
            "2019-13",
            "2019-00",
            "2019-02-30",
            "2019-1-1x",
            "2019/02",
            "mars",
            "2019-02-12-01",
            "+2019",
        ] {
            let err = parse_date(bad, End::First).unwrap_err();
            assert!(err.contains("YYYY-MM"), "{bad}: {err}");
        }
    }

    #[test]
    fn an_empty_period_is_an_error_naming_both_ends() {
        let since = parse_since("2020").unwrap();
        let until = parse_until("2019").unwrap();
        let err = check_period(Some(&since), Some(&until)).unwrap_err();
        assert!(
            err.contains("--since 2020") && err.contains("--until 2019"),
            "{err}"
        );
        assert!(check_period(Some(&until), Some(&since)).is_ok());
        let same = parse_since("2019-02").unwrap();
        assert!(check_period(Some(&same), Some(&parse_until("2019-02").unwrap())).is_ok());
    }

    proptest! {
        #[test]
        fn full_dates_read_back(d in 0i32..(3000 * 366)) {
            let date = NaiveDate::from_num_days_from_ce_opt(d + 1).unwrap();
            let text = date.format("%Y-%m-%d").to_string();
            prop_assume!(text.len() == 10);
            prop_assert_eq!(parse_date(&text, End::First), Ok(date));
            prop_assert_eq!(parse_date(&text, End::Last), Ok(date));
        }

        #[test]
        fn a_month_runs_from_its_first_to_its_last_day(y in 1000i32..9999, m in 1u32..=12) {
            let text = format!("{y:04}-{m:02}");
            let first = parse_date(&text, End::First).unwrap();
            let last = parse_date(&text, End::Last).unwrap();
            prop_assert_eq!(first.format("%Y-%m-%d").to_string(), format!("{text}-01"));
            prop_assert_eq!(last.format("%Y-%m").to_string(), text);
            prop_assert!(last.succ_opt().unwrap().format("%d").to_string() == "01");
        }

        #[test]
        fn any_text_is_a_date_or_a_clear_error(s in any::<String>()) {
            if let Err(e) = parse_date(&s, End::Last) {
                prop_assert!(e.contains("is not a date"));
            }
        }
    }
}
