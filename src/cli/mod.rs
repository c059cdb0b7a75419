//! The command line: the only code that knows about clap, terminals and exit
//! codes. Each subcommand has its own file; they call the library.
//!
//! Before clap sees the arguments, a search query's words that start with
//! `-` (exclusions, typed unquoted: `recoupe search Syrie -Damas`) are moved
//! behind a `--`, so that clap does not read them as options; options after
//! the query still work. Before any command runs, `--index` and `--corpus`
//! are checked not to overlap. Everything printed for a person goes through
//! [`term::clean`].

mod advice;
mod args;
mod index;
mod output;
mod search;
mod serve;
mod show;
mod term;
mod variants;
mod watch;

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, Parser, Subcommand};

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
  recoupe search Syrie -Damas                 Syrie, without the passages naming Damas
  recoupe search --since 2019 --until 2019-06 Idlib   from 2019-01-01 through 2019-06-30
  recoupe search --json --limit 3 Qamichli    one JSON object a line
  recoupe search --batch names.txt            one query a line, one process
  recoupe search --explain al-Sharaa          how each passage matched
  recoupe variants al-Charaa                  spellings of a name in the index
  recoupe show 003_af2370a14cf3d5ef.txt -q al-Charaa   the whole article, matches marked
  recoupe index --corpus ~/articles --index ~/recoupe-index --quiet
  recoupe serve                               the web page at http://127.0.0.1:7780
  recoupe watch add Idlib                     follow a name (recoupe watch --help)
  recoupe completions bash > ~/.recoupe-completion.bash   shell completions

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
    /// Index directory (created if missing): a folder of its own, not inside the corpus.
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
    /// Print one whole article, with a query's matches highlighted.
    Show(show::ShowArgs),
    /// Serve the search page and the HTTP API over the index.
    Serve(serve::ServeArgs),
    /// The watchlist: queries followed across every spelling (add, list, remove, test).
    Watch(watch::WatchArgs),
    /// Print shell completions (bash, zsh, fish, elvish, powershell).
    #[command(after_help = COMPLETIONS_HELP)]
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const COMPLETIONS_HELP: &str = "\
Prints a completion script on standard output; install it where your shell
looks for completions.

Examples:
  recoupe completions bash > ~/.recoupe-completion.bash   then add `source ~/.recoupe-completion.bash` to ~/.bashrc
  recoupe completions zsh > ~/.zfunc/_recoupe              with ~/.zfunc in $fpath
  recoupe completions fish > ~/.config/fish/completions/recoupe.fish";

/// Paths every command knows.
pub struct Paths {
    pub corpus: PathBuf,
    pub index: PathBuf,
}

pub fn main() -> i32 {
    let argv = args::query_words_last(&Cli::command(), std::env::args_os().collect());
    let cli = match Cli::try_parse_from(argv) {
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
    if let Command::Completions { shell } = cli.command {
        // Generated in memory: clap_complete panics on a failed write, and a
        // closed pipe is not an error.
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "recoupe", &mut script);
        let mut out = std::io::stdout().lock();
        return match out.write_all(&script).and_then(|_| out.flush()) {
            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                error(format!("writing the completions: {e}"));
                code::ERROR
            }
            _ => code::OK,
        };
    }
    if let Some(problem) = args::overlap(&paths.corpus, &paths.index) {
        error(problem);
        return code::ERROR;
    }
    match cli.command {
        Command::Search(args) => search::run(&paths, args),
        Command::Index(args) => index::run(&paths, args),
        Command::Show(args) => show::run(&paths, args),
        Command::Variants(args) => variants::run(&paths, args),
        Command::Serve(args) => serve::run(&paths, args),
        Command::Watch(args) => watch::run(&paths, args),
        Command::Completions { .. } => code::OK,
    }
}

/// Why a file the user named cannot be read, and what to do, for messages
/// that start with the file's path.
pub fn unreadable(what: &str, e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => format!("{what} not found; check the path"),
        K::PermissionDenied => {
            format!("cannot read the {what}: permission denied; fix its permissions")
        }
        K::IsADirectory => format!("the {what} is a folder; give a file"),
        _ => format!("cannot read the {what}: {e}"),
    }
}

/// Prints an error the way every command does (cleaned for the terminal:
/// it may quote paths and text from the corpus).
pub fn error(msg: impl std::fmt::Display) {
    eprintln!("recoupe: {}", term::clean(&msg.to_string()));
}
