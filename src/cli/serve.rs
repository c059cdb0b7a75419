//! `recoupe serve`: the web page and HTTP API (`recoupe::serve`).

use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;
use recoupe::search::SearchError;
use recoupe::serve::{self, Config, Events};

use super::search::{open, AliasArgs};
use super::{code, error, Paths};

const AFTER_HELP: &str = "\
Serves the search page at / and the JSON API under /api/ (search, article,
batch, variants; /health), over the index as cron's `recoupe index` runs
keep it: each new commit is searched within a second, and a `--full`
rebuild switches over without a failed request. The server never writes
the index; with no index yet, it indexes the corpus first.

It listens on 127.0.0.1 only unless told otherwise. On any other address,
give a token (--token or RECOUPE_TOKEN): every API request must then send
`Authorization: Bearer <token>`, and the page asks for it once.

Stops cleanly on Ctrl-C or SIGTERM. Exit codes: 0 stopped, 2 error.

Examples:
  recoupe serve                                 http://127.0.0.1:7780 on the index of corpus/
  recoupe serve --index ~/recoupe-index --addr 127.0.0.1:8080
  RECOUPE_TOKEN=s3cret recoupe serve --addr 0.0.0.0:7780   shared on the network
  curl 'http://127.0.0.1:7780/api/search?q=al-Charaa&limit=3'";

#[derive(Args, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct ServeArgs {
    /// Address and port to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:7780", value_name = "IP:PORT")]
    addr: SocketAddr,
    /// Access token every API request must send (Authorization: Bearer …).
    #[arg(
        long,
        env = "RECOUPE_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    token: Option<String>,
    #[command(flatten)]
    aliases: AliasArgs,
}

struct Printer;

impl Events for Printer {
    fn listening(&self, addr: SocketAddr) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    fn reload_failed(&self, e: &SearchError) {
        error(format!(
            "the index changed but cannot be opened yet ({e}); still serving the previous commit"
        ));
    }
}

pub fn run(paths: &Paths, args: ServeArgs) -> i32 {
    let token = args.token.filter(|t| !t.trim().is_empty());
    if !args.addr.ip().is_loopback() && token.is_none() {
        eprintln!(
            "recoupe: warning: listening on {} without a token: anyone who can reach it can search the index; give --token or RECOUPE_TOKEN",
            args.addr
        );
    }
    // Builds the index on first use, as `search` does.
    if let Err(code) = open(paths, false, &args.aliases) {
        return code;
    }
    let aliases = match args.aliases.table() {
        Ok(t) => t,
        Err(e) => {
            error(e);
            return code::ERROR;
        }
    };
    let mut config = Config::new(paths.index.clone(), args.addr);
    config.token = token;
    config.aliases = aliases;
    match serve::run(config, Arc::new(Printer)) {
        Ok(()) => code::OK,
        Err(e) => {
            error(e);
            code::ERROR
        }
    }
}
