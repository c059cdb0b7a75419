//! `recoupe index`: build or update the index, talking like a cron job.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use recoupe::analysis::Analyzer;
use recoupe::corpus::Problem;
use recoupe::index as index_dir;
use recoupe::indexer::{Options, Reporter, RunError, Summary};

use recoupe::watch::alerts::{self, Delivered, FileOutput, Output, StreamOutput};

use super::search::AliasArgs;
use super::term::clean;
use super::{advice, code, error, Paths};

const AFTER_HELP: &str = "\
Updates the index from the corpus: new articles are added, changed ones
replaced, removed ones deleted, unchanged files skipped without being read.
All changes become visible at once, in one commit; a run that is killed
leaves the previous commit searchable and the next run finishes the work.

Output: one summary line; with --quiet nothing unless something went wrong;
each bad file or record is one line on stderr, `path:line: reason`.

Alerts: when the index folder holds a watchlist (`recoupe watch add`),
every passage the run added or changed is checked against each watched
query after the commit; what matches is kept in the index folder
(`recoupe watch report`) and, with --alerts, written as one JSON line per
alert to FILE (appended) or to standard output (`-`; the summary then goes
to stderr). A run killed before its alerts were written has them written
by the next run, once.

Exit codes: 0 done; 2 some input was skipped, a watched query could not be
checked, or the run failed and the index is unchanged (the message says
which); 75 another indexer is running.

Crontab example (every 5 minutes; cron mails what a job prints, and with
--quiet a run prints only its alerts and what went wrong):
  MAILTO=desk@example.org
  */5 * * * * cd /srv/recoupe && recoupe index --quiet --alerts - --corpus articles --index index";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct IndexArgs {
    /// Rebuild the whole index from scratch (the old one stays searchable until the new one is complete).
    #[arg(long)]
    full: bool,
    /// Print nothing when all went well.
    #[arg(long, short)]
    quiet: bool,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
    /// Wait up to this many seconds for a running indexer instead of exiting with 75.
    #[arg(long, value_name = "SECONDS")]
    wait: Option<u64>,
    /// Accept that an empty corpus empties the index.
    #[arg(long)]
    allow_empty: bool,
    /// Indexing threads (default: one per core, at most 4).
    #[arg(long, default_value_t = 0, hide_short_help = true)]
    threads: usize,
    /// Memory of the index writer in MiB, shared by its threads: the
    /// largest part of the indexer's peak memory, whatever the corpus size.
    /// Less makes more, smaller segments.
    #[arg(
        long,
        default_value_t = crate_default_memory(),
        value_name = "MIB",
        hide_short_help = true
    )]
    memory: usize,
    /// Write the run's alerts, one JSON line each, to FILE (appended,
    /// created if missing) or to standard output with `-`.
    #[arg(long, value_name = "FILE")]
    alerts: Option<PathBuf>,
    #[command(flatten)]
    aliases: AliasArgs,
}

/// Prints problems on stderr and a progress bar on a terminal.
pub struct CliReporter {
    bar: Option<ProgressBar>,
    /// Progress is shown (asked for, and stderr is a terminal).
    progress: bool,
    pub problems: u64,
}

impl CliReporter {
    pub fn new(progress: bool) -> CliReporter {
        let progress = progress && std::io::stderr().is_terminal();
        CliReporter {
            bar: progress.then(ProgressBar::hidden),
            progress,
            problems: 0,
        }
    }
}

impl Reporter for CliReporter {
    fn problem(&mut self, p: &Problem) {
        self.problems += 1;
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{}", clean(&p.to_string()))),
            None => eprintln!("{}", clean(&p.to_string())),
        }
    }

    fn warning(&mut self, w: &Problem) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{w}")),
            None => eprintln!("{w}"),
        }
    }

    fn start(&mut self, bytes: u64) {
        if let Some(bar) = &mut self.bar {
            // Small corpora finish before a bar is worth drawing.
            if bytes < (8 << 20) {
                self.bar = None;
                return;
            }
            *bar = ProgressBar::new(bytes).with_style(
                ProgressStyle::with_template(
                    "{spinner} indexing [{bar:30}] {bytes}/{total_bytes} ({bytes_per_sec}, {eta} left)",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
        }
    }

    fn advance(&mut self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }

    fn merging(&mut self, segments: usize, into: usize) {
        if self.progress {
            let bar = ProgressBar::new_spinner().with_message(format!(
                "merging {segments} segments into {into} (a build's last step)"
            ));
            bar.enable_steady_tick(Duration::from_millis(200));
            self.bar = Some(bar);
        }
    }
}

/// The summary line.
pub fn describe(s: &Summary) -> String {
    let mut line = format!(
        "{} added, {} updated, {} deleted, {} unchanged, {} failed in {:.2} s",
        s.added, s.updated, s.deleted, s.unchanged, s.failed, s.seconds
    );
    if s.warnings > 0 {
        line.push_str(&format!(", {} warnings", s.warnings));
    }
    if let Some(why) = &s.rebuilt {
        line.push_str(&format!(" (full build: {why})"));
    }
    if s.failed > 0 {
        line.push_str("; the failed input was skipped, the rest is indexed");
    }
    line
}

/// One line on standard output; a closed pipe is not worth a panic (the
/// exit code says how the run went).
fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}

/// Runs the indexer, and the watchlist's alerts; shared with `search`'s
/// first-use indexing. When no index was published there yet and the run
/// fails, what it created is removed again: its files, and the index
/// folder and the parents made for it.
pub fn index(
    paths: &Paths,
    opts: &Options,
    reporter: &mut CliReporter,
    aliases: &recoupe::names::AliasTable,
    outputs: &mut [&mut dyn Output],
) -> Result<(Summary, Delivered), RunError> {
    let first = !index_dir::exists(&paths.index);
    let created = topmost_missing(&paths.index);
    let result = alerts::index_and_alert(
        &paths.corpus,
        &paths.index,
        Arc::new(Analyzer::default()),
        opts,
        reporter,
        aliases,
        outputs,
    );
    match &result {
        Err(e) if first && !e.is_busy() => {
            index_dir::remove_unbuilt(&paths.index);
            if let Some(top) = created {
                let index =
                    std::path::absolute(&paths.index).unwrap_or_else(|_| paths.index.clone());
                let mut dir = Some(index.as_path());
                while let Some(d) = dir.filter(|d| d.starts_with(&top)) {
                    if std::fs::remove_dir(d).is_err() {
                        break;
                    }
                    dir = d.parent();
                }
            }
        }
        _ => {}
    }
    result
}

/// The outermost folder of `path` (itself included) that does not exist
/// yet, as an absolute path; None when `path` exists.
fn topmost_missing(path: &Path) -> Option<PathBuf> {
    let path = std::path::absolute(path).ok()?;
    if path.symlink_metadata().is_ok() {
        return None;
    }
    let mut top = path.clone();
    for dir in path.ancestors().skip(1) {
        if dir.symlink_metadata().is_ok() {
            break;
        }
        top = dir.to_path_buf();
    }
    Some(top)
}

/// The alert step's line for the summary, when it did something to tell.
fn describe_alerts(d: &Delivered) -> Option<String> {
    if d.runs.is_empty() && d.errors.is_empty() {
        return None;
    }
    let mut line = format!("{} alerts", d.alerts);
    if d.runs.len() > 1 {
        let runs: Vec<String> = d.runs.iter().map(u64::to_string).collect();
        line.push_str(&format!(" (runs {})", runs.join(", ")));
    }
    Some(line)
}

pub fn run(paths: &Paths, args: IndexArgs) -> i32 {
    let opts = Options {
        full: args.full,
        allow_empty: args.allow_empty,
        wait: args.wait.map(Duration::from_secs),
        threads: args.threads,
        memory: args.memory.max(16) << 20,
        alerts: false,
        analyses: None,
    };
    let table = match args.aliases.table() {
        Ok(t) => t,
        Err(e) => {
            error(e);
            return code::ERROR;
        }
    };
    let to_stdout = args.alerts.as_deref() == Some(Path::new("-"));
    let mut file_out = args.alerts.clone().filter(|_| !to_stdout).map(FileOutput);
    let mut stream_out = to_stdout.then(|| StreamOutput(std::io::stdout()));
    let mut outputs: Vec<&mut dyn Output> = Vec::new();
    if let Some(f) = file_out.as_mut() {
        outputs.push(f);
    }
    if let Some(s) = stream_out.as_mut() {
        outputs.push(s);
    }
    // Standard output carries the alerts alone when they go there.
    let say = |line: String| {
        if to_stdout {
            eprintln!("{line}");
        } else {
            say(line);
        }
    };
    let mut reporter = CliReporter::new(!args.quiet && !args.json);
    let result = index(paths, &opts, &mut reporter, &table, &mut outputs);
    reporter.finish();
    match result {
        Ok((summary, delivered)) => {
            for p in &delivered.problems {
                eprintln!("{}", clean(p));
            }
            for (name, n) in &delivered.left_out {
                eprintln!(
                    "recoupe: {:?} matched {n} more new passages than the {} alerts written; `recoupe search` finds them all",
                    clean(name),
                    alerts::MAX_PER_WATCH
                );
            }
            for e in &delivered.errors {
                error(format!(
                    "alerts not written: {e}; they stay pending and the next run writes them"
                ));
            }
            let troubled = !delivered.problems.is_empty() || !delivered.errors.is_empty();
            if args.json {
                match serde_json::to_value(&summary) {
                    Ok(mut v) => {
                        v["alerts"] = delivered.alerts.into();
                        v["alert_runs"] = delivered.runs.clone().into();
                        v["alert_problems"] = delivered.problems.clone().into();
                        v["alert_errors"] = delivered.errors.clone().into();
                        v["alert_seconds"] = delivered.seconds.into();
                        say(v.to_string());
                    }
                    Err(e) => error(e),
                }
            } else if !args.quiet || summary.failed > 0 || troubled {
                let mut line = describe(&summary);
                if let Some(a) = describe_alerts(&delivered) {
                    line.push_str("; ");
                    line.push_str(&a);
                }
                say(format!(
                    "{}: {}",
                    clean(&paths.index.display().to_string()),
                    line
                ));
            }
            if summary.failed > 0 || troubled {
                code::ERROR
            } else {
                code::OK
            }
        }
        Err(e) => {
            let advice = advice::for_run(&e, paths);
            if args.json {
                let busy = e.is_busy();
                say(serde_json::json!({
                    "error": e.to_string(),
                    "advice": advice,
                    "busy": busy,
                    "index_unchanged": true
                })
                .to_string());
            }
            advice::report(format!("{e} (the index is unchanged)"), advice);
            if e.is_busy() {
                code::BUSY
            } else {
                code::ERROR
            }
        }
    }
}

/// The writer memory of [`recoupe::indexer::Options::default`], in MiB.
const fn crate_default_memory() -> usize {
    recoupe::indexer::DEFAULT_MEMORY >> 20
}
