//! The workbench: a web page and a JSON API over one live index
//! (`recoupe serve`). Knows nothing of clap or terminals: [`Config`] in,
//! [`run`] until a signal.
//!
//! - [`live`]: the long-lived searcher, reopened on every commit;
//! - [`routes`]: the API, answering with [`crate::api`]'s types only;
//! - [`guard`]: token, bounds, security headers;
//! - [`assets`]: the page's files, embedded in the binary.
//!
//! Searches run on tokio's blocking pool, at most [`Config::searches`] at a
//! time, each within [`Config::timeout`].

pub mod assets;
pub mod guard;
pub mod live;
pub mod routes;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::names::AliasTable;
use crate::search::SearchError;

/// What the server needs.
#[derive(Clone, Debug)]
pub struct Config {
    pub index: PathBuf,
    pub addr: SocketAddr,
    /// Required on every API request (`Authorization: Bearer T`) when set.
    pub token: Option<String>,
    pub aliases: AliasTable,
    /// Searches run at once; more wait their turn.
    pub searches: usize,
    /// Longest a request may take before it is answered 503.
    pub timeout: Duration,
}

impl Config {
    pub fn new(index: PathBuf, addr: SocketAddr) -> Config {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Config {
            index,
            addr,
            token: None,
            aliases: crate::names::shipped_aliases(),
            searches: cores * 2,
            timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(transparent)]
    Search(#[from] SearchError),
    #[error("server failed: {0}")]
    Io(#[from] std::io::Error),
}

/// What [`run`] tells its caller.
pub trait Events: Send + Sync + 'static {
    /// The server accepts connections at `addr`.
    fn listening(&self, addr: SocketAddr);
    /// A new commit could not be opened; the previous one is still served.
    fn reload_failed(&self, error: &SearchError);
}

/// Serves until SIGINT or SIGTERM, then lets running requests finish.
pub fn run(config: Config, events: Arc<dyn Events>) -> Result<(), ServeError> {
    let live = Arc::new(live::Live::open(&config.index, config.aliases.clone())?);
    {
        let events = events.clone();
        live.watch(move |e| events.reload_failed(e));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|source| ServeError::Bind {
                addr: config.addr,
                source,
            })?;
        let addr = listener.local_addr()?;
        let app = routes::router(routes::State::new(live, &config));
        let stop = stopped()?;
        events.listening(addr);
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await?;
        Ok(())
    })
}

/// Installs the SIGINT and SIGTERM handlers now, before the server says it
/// is listening, so a signal that arrives at once still stops it cleanly;
/// the returned future resolves on the first of them.
fn stopped() -> std::io::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = term.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
