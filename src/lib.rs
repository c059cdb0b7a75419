//! recoupe: passage search over French news for fact-checkers.
//!
//! The library is the engine; the `recoupe` binary is a thin CLI over it.
//! See `ARCHITECTURE.md` for the map of modules.

pub mod analysis;
pub mod api;
pub mod copies;
pub mod corpus;
pub mod index;
pub mod indexer;
pub mod kept;
pub mod names;
pub mod schema;
pub mod search;
pub mod serve;
pub mod terms;
pub mod watch;
