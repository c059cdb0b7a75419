//! The command line: the only code that knows about clap, terminals and exit
//! codes. Each subcommand has its own file; they call the library.

mod index;
mod output;
mod search;
mod variants;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Exit codes shared by every command.
pub mod code {
    /// Success; for `search`, at least one hit.
    pub const OK: i32 = 0;
    /// `search`: no hit.
    pub const NO_HIT: i32 = 1;
    /// An error, or input that was skipped.
    pub const ERROR: i32 = 2;
    /// Another indexer is running (EX_TEMPFAIL).
    pub const BUSY: i32 = 75;
}

const AFTER_HELP: &str = "\
Examples:
  recoupe search \"bases militaires\"          index corpus/ on first use, then search
  recoupe search al-Charaa --since 2025-01-01
  recoupe search --json --limit 3 Qamichli    one JSON object a line
  recoupe search --batch names.txt            one query a line, one process
  recoupe search --explain al-Sharaa          how each passage matched
  recoupe variants al-Charaa                  spellings of a name in the index
  recoupe index --corpus ~/articles --index ~/recoupe-index --quiet

Exit codes: 0 success (search: hits found), 1 search found nothing,
2 error or skipped input, 75 another indexer is running.";

#[derive(Parser, Debug)]
#[command(
    name = "recoupe",
    version,
    about = "Passage search over French news: every passage that names a person, place or organisation, highlighted.",
    after_help = AFTER_HELP
)]
pub struct Cli {
    /// Corpus directory: *.txt, *.md, *.json, *.jsonl, *.jsonl.gz, searched recursively.
    #[arg(long, global = true, env = "RECOUPE_CORPUS", default_value = "corpus")]
    corpus: PathBuf,
    /// Index directory (created if missing).
    #[arg(
        long,
        global = true,
        env = "RECOUPE_INDEX",
        default_value = ".recoupe-index"
    )]
    index: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Search passages (indexes the corpus first if there is no index yet).
    Search(search::SearchArgs),
    /// Build or update the index from the corpus.
    Index(index::IndexArgs),
    /// List the spellings of a name found in the index, and why each counts.
    Variants(variants::VariantsArgs),
}

/// Paths every command knows.
pub struct Paths {
    pub corpus: PathBuf,
    pub index: PathBuf,
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                code::ERROR
            } else {
                code::OK
            };
            let _ = e.print();
            return code;
        }
    };
    let paths = Paths {
        corpus: cli.corpus,
        index: cli.index,
    };
    match cli.command {
        Command::Search(args) => search::run(&paths, args),
        Command::Index(args) => index::run(&paths, args),
        Command::Variants(args) => variants::run(&paths, args),
    }
}

/// Prints an error the way every command does.
pub fn error(msg: impl std::fmt::Display) {
    eprintln!("recoupe: {msg}");
}
