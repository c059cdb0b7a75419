//! `recoupe variants`: the spellings of a name that the index holds.

use std::io::{self, Write};

use clap::Args;
use recoupe::search::Variant;

use super::search::{open, AliasArgs};
use super::term::clean;
use super::{code, error, Paths};

const AFTER_HELP: &str = "\
For each word of NAME, lists the spellings found in the index (exact,
spelling variants, aliases from the alias table, typos), with the number of
passages and articles that use each and the weight its matches get.

Exit codes: 0 something found, 1 nothing, 2 error.

Examples:
  recoupe variants al-Charaa
  recoupe variants --json Kadhafi";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct VariantsArgs {
    /// The name (several words are one name).
    #[arg(value_name = "NAME", required = true)]
    name: Vec<String>,
    /// One JSON object a line.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    aliases: AliasArgs,
}

fn write(out: &mut dyn Write, rows: &[Variant], json: bool) -> io::Result<()> {
    if json {
        for r in rows {
            serde_json::to_writer(&mut *out, r).map_err(io::Error::other)?;
            writeln!(out)?;
        }
        return Ok(());
    }
    let width = rows
        .iter()
        .map(|r| clean(&r.spelling).chars().count())
        .max()
        .unwrap_or(8)
        .max(8);
    writeln!(
        out,
        "{:<14} {:<width$} {:<8} {:>6} {:>8} {:>8}",
        "query word", "spelling", "how", "weight", "passages", "articles"
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<14} {:<width$} {:<8} {:>6.2} {:>8} {:>8}",
            clean(&r.query),
            clean(&r.spelling),
            r.how.as_str(),
            r.weight,
            r.passages,
            r.articles
        )?;
    }
    Ok(())
}

pub fn run(paths: &Paths, args: VariantsArgs) -> i32 {
    let searcher = match open(paths, args.json, &args.aliases) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let name = args.name.join(" ");
    let rows = match searcher.variants(&name, false) {
        Ok(rows) => rows,
        Err(e) => {
            error(e);
            return code::ERROR;
        }
    };
    if rows.is_empty() {
        if !args.json {
            eprintln!("recoupe: the index has no spelling of {name:?}");
        }
        return code::NO_HIT;
    }
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match write(&mut out, &rows, args.json).and_then(|_| out.flush()) {
        Ok(()) => code::OK,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => code::OK,
        Err(e) => {
            error(format!("writing results: {e}"));
            code::ERROR
        }
    }
}
