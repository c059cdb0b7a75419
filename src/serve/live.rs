//! One long-lived searcher, reopened when the index moves on.
//!
//! A watcher thread looks at the index directory every
//! [`POLL`] ([`index::live_commit`]: `CURRENT` and the live generation's
//! `meta.json`); when either changed, it opens a new [`Searcher`] and puts
//! it in place of the old. Requests take the searcher in place when they
//! start and keep it to their end, so a request never sees two commits, and
//! the generation it searches is held (see [`crate::index`]) until its last
//! request ends: a `--full` rebuild switched meanwhile fails no request.
//! When the new commit cannot be opened (a rebuild removed it between the
//! look and the open, say), the old searcher stays and the next look tries
//! again.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::analysis::Analyzer;
use crate::index::{self, Commit, Index};
use crate::names::AliasTable;
use crate::search::{SearchError, Searcher};

/// How often the index directory is looked at.
pub const POLL: Duration = Duration::from_millis(250);

/// A searcher and the commit it searches.
pub struct Snapshot {
    pub searcher: Searcher,
    pub commit: Commit,
}

/// The searcher in place, and how to open the next one.
pub struct Live {
    root: PathBuf,
    aliases: AliasTable,
    current: RwLock<Arc<Snapshot>>,
}

impl Live {
    /// Opens the index at `root` (it must exist) for searching with
    /// `aliases`.
    pub fn open(root: &Path, aliases: AliasTable) -> Result<Live, SearchError> {
        let snapshot = open_snapshot(root, &aliases)?;
        Ok(Live {
            root: root.to_path_buf(),
            aliases,
            current: RwLock::new(Arc::new(snapshot)),
        })
    }

    /// The searcher in place.
    pub fn get(&self) -> Arc<Snapshot> {
        match self.current.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Looks at the index once; reopens when it changed. Ok(true) when a
    /// new searcher is in place.
    pub fn refresh(&self) -> Result<bool, SearchError> {
        let now = index::live_commit(&self.root)?;
        if now.as_ref() == Some(&self.get().commit) || now.is_none() {
            return Ok(false);
        }
        let snapshot = Arc::new(open_snapshot(&self.root, &self.aliases)?);
        match self.current.write() {
            Ok(mut s) => *s = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
        Ok(true)
    }

    /// Starts the watcher thread; it runs as long as the process.
    /// `on_error` hears of a commit that could not be opened, once per
    /// distinct message.
    pub fn watch(self: &Arc<Self>, on_error: impl Fn(&SearchError) + Send + 'static) {
        let live = Arc::downgrade(self);
        std::thread::spawn(move || {
            let mut last_error = String::new();
            while let Some(live) = live.upgrade() {
                match live.refresh() {
                    Ok(_) => last_error.clear(),
                    Err(e) => {
                        let text = e.to_string();
                        if text != last_error {
                            on_error(&e);
                            last_error = text;
                        }
                    }
                }
                drop(live);
                std::thread::sleep(POLL);
            }
        });
    }
}

/// Opens the live generation and reads which commit it is. The commit is
/// read before the open: if a commit lands between the two, the next look
/// sees a digest that differs and opens again, so none is missed.
fn open_snapshot(root: &Path, aliases: &AliasTable) -> Result<Snapshot, SearchError> {
    let before = index::live_commit(root)?;
    let index = Index::open(root, Arc::new(Analyzer::default()))?;
    let generation = index
        .dir()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let commit = match before {
        Some(c) if c.generation == generation => c,
        // A switch between the look and the open: this snapshot is of the
        // new generation, which the next look will compare again.
        _ => Commit {
            generation,
            digest: 0,
            time: None,
        },
    };
    let searcher = Searcher::with_aliases(index, aliases.clone())?;
    Ok(Snapshot { searcher, commit })
}
