//! The one door into an index directory.
//!
//! Everything that opens, creates, locks or publishes an index goes through
//! here, so every open registers the same analyzer and checks the same
//! fingerprint. Layout of an index directory:
//!
//! ```text
//! <index>/CURRENT        name of the live generation, replaced atomically
//! <index>/g00000007/     a tantivy index (one generation)
//! <index>/recoupe.lock   held by the running indexer (an OS lock: a dead process holds nothing)
//! ```
//!
//! Incremental runs commit into the live generation: tantivy replaces its
//! `meta.json` atomically, so readers see the previous commit or the next,
//! never half of one. A full rebuild writes a new generation beside the live
//! one and switches `CURRENT` when it is complete, so a killed rebuild leaves
//! the previous index in place. What the indexer knows about the corpus (file
//! sizes and times, the fingerprint) is saved in the commit's payload, so it
//! is always exactly as old as the documents.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::analysis::tokenizer::{FrenchTokenizer, TOKENIZER_NAME};
use crate::analysis::Analyzer;
use crate::schema::{self, IndexSchema};

const CURRENT: &str = "CURRENT";
const LOCK: &str = "recoupe.lock";

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{}: no index here yet; build it with `recoupe index --corpus DIR --index {}`", .root.display(), .root.display())]
    NotFound { root: PathBuf },
    #[error("{}: this index was built by another version of recoupe (index {found}, this binary {expected}); rebuild it with `recoupe index --full --corpus DIR --index {}`", .root.display(), .root.display())]
    Outdated {
        root: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{}: another indexer is running ({holder}); try again later, or pass --wait SECONDS", .root.display())]
    Busy { root: PathBuf, holder: String },
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {source}", .path.display())]
    Tantivy {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("{}: {reason}", .path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error(transparent)]
    Schema(#[from] schema::SchemaError),
}

impl IndexError {
    pub(crate) fn io(path: &Path, source: io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn tantivy(path: &Path, source: tantivy::TantivyError) -> IndexError {
        IndexError::Tantivy {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Size and modification time of a corpus file when it was last indexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
}

/// What a commit records besides the documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub fingerprint: String,
    /// Files indexed without any problem, by path relative to the corpus.
    pub files: BTreeMap<String, Stamp>,
}

/// An open index generation.
pub struct Index {
    pub root: PathBuf,
    pub dir: PathBuf,
    pub tantivy: tantivy::Index,
    pub schema: IndexSchema,
    pub analyzer: Arc<Analyzer>,
    pub state: State,
}

/// True when `root` holds a published index.
pub fn exists(root: &Path) -> bool {
    root.join(CURRENT).is_file()
}

fn read_current(root: &Path) -> Result<Option<String>, IndexError> {
    let path = root.join(CURRENT);
    match fs::read_to_string(&path) {
        Ok(s) => {
            let name = s.trim().to_string();
            let valid = name.starts_with('g') && name[1..].bytes().all(|b| b.is_ascii_digit());
            if !valid || name.len() < 2 {
                return Err(IndexError::Corrupt {
                    path,
                    reason: format!(
                        "unexpected content {name:?}; rebuild with `recoupe index --full`"
                    ),
                });
            }
            Ok(Some(name))
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(IndexError::io(&path, e)),
    }
}

/// The index files, read through mmap. Identical to tantivy's own directory
/// except that an index on a read-only filesystem, or in a directory the
/// user may not write to, can still be searched: the lock that keeps a
/// writer's clean-up away from a reader being opened cannot be taken there,
/// and is not needed, since no writer can run there either.
#[derive(Clone, Debug)]
struct SearchableDir(tantivy::directory::MmapDirectory);

mod searchable_dir {
    use std::path::Path;
    use std::sync::Arc;

    use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
    use tantivy::directory::{
        Directory, DirectoryLock, FileHandle, Lock, WatchCallback, WatchHandle, WritePtr, META_LOCK,
    };

    use super::SearchableDir;

    impl Directory for SearchableDir {
        fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
            self.0.get_file_handle(path)
        }
        fn delete(&self, path: &Path) -> Result<(), DeleteError> {
            self.0.delete(path)
        }
        fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
            self.0.exists(path)
        }
        fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
            self.0.open_write(path)
        }
        fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
            self.0.atomic_read(path)
        }
        fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
            self.0.atomic_write(path, data)
        }
        fn sync_directory(&self) -> std::io::Result<()> {
            self.0.sync_directory()
        }
        fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
            self.0.watch(callback)
        }
        fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
            match self.0.acquire_lock(lock) {
                Err(LockError::IoError(e))
                    if lock.filepath == META_LOCK.filepath
                        && matches!(
                            e.kind(),
                            std::io::ErrorKind::ReadOnlyFilesystem
                                | std::io::ErrorKind::PermissionDenied
                        ) =>
                {
                    Ok(DirectoryLock::from(Box::new(())))
                }
                other => other,
            }
        }
    }
}

fn register(index: &tantivy::Index, analyzer: &Arc<Analyzer>) {
    index
        .tokenizers()
        .register(TOKENIZER_NAME, FrenchTokenizer::new(analyzer.clone()));
}

fn read_state(index: &tantivy::Index, dir: &Path) -> Result<State, IndexError> {
    let metas = index
        .load_metas()
        .map_err(|e| IndexError::tantivy(dir, e))?;
    match metas.payload {
        None => Ok(State::default()),
        Some(p) => serde_json::from_str(&p).map_err(|e| IndexError::Corrupt {
            path: dir.join("meta.json"),
            reason: format!("unreadable commit payload ({e}); rebuild with `recoupe index --full`"),
        }),
    }
}

impl Index {
    /// Opens the live generation for searching. Refuses an index built with
    /// another fingerprint.
    pub fn open(root: &Path, analyzer: Arc<Analyzer>) -> Result<Index, IndexError> {
        let index = Index::open_any(root, analyzer)?;
        let expected = schema::fingerprint();
        if index.state.fingerprint != expected {
            return Err(IndexError::Outdated {
                root: root.to_path_buf(),
                found: index.state.fingerprint.clone(),
                expected,
            });
        }
        Ok(index)
    }

    /// Opens the live generation whatever its fingerprint (the indexer
    /// decides what to do with an outdated one).
    pub fn open_any(root: &Path, analyzer: Arc<Analyzer>) -> Result<Index, IndexError> {
        let name = read_current(root)?.ok_or_else(|| IndexError::NotFound {
            root: root.to_path_buf(),
        })?;
        let dir = root.join(name);
        let schema = schema::load()?;
        let mmap = tantivy::directory::MmapDirectory::open(&dir)
            .map_err(|e| IndexError::tantivy(&dir, e.into()))?;
        let tantivy =
            tantivy::Index::open(SearchableDir(mmap)).map_err(|e| IndexError::tantivy(&dir, e))?;
        register(&tantivy, &analyzer);
        let state = read_state(&tantivy, &dir)?;
        if tantivy.schema() != schema.schema && state.fingerprint == schema::fingerprint() {
            return Err(IndexError::Corrupt {
                path: dir,
                reason: "schema differs from its fingerprint; rebuild with `recoupe index --full`"
                    .into(),
            });
        }
        Ok(Index {
            root: root.to_path_buf(),
            dir,
            tantivy,
            schema,
            analyzer,
            state,
        })
    }

    /// Creates a new, empty, unpublished generation under `root`.
    pub fn create_generation(root: &Path, analyzer: Arc<Analyzer>) -> Result<Index, IndexError> {
        fs::create_dir_all(root).map_err(|e| IndexError::io(root, e))?;
        let mut next = 1u64;
        for entry in fs::read_dir(root).map_err(|e| IndexError::io(root, e))? {
            let entry = entry.map_err(|e| IndexError::io(root, e))?;
            if let Some(n) = generation_number(&entry.file_name().to_string_lossy()) {
                next = next.max(n + 1);
            }
        }
        let dir = root.join(format!("g{next:08}"));
        fs::create_dir(&dir).map_err(|e| IndexError::io(&dir, e))?;
        let schema = schema::load()?;
        let tantivy = tantivy::Index::create_in_dir(&dir, schema.schema.clone())
            .map_err(|e| IndexError::tantivy(&dir, e))?;
        register(&tantivy, &analyzer);
        Ok(Index {
            root: root.to_path_buf(),
            dir,
            tantivy,
            schema,
            analyzer,
            state: State::default(),
        })
    }

    /// Makes this generation the live one (atomically), then removes the
    /// others. Call only after a successful commit.
    pub fn publish(&self) -> Result<(), IndexError> {
        let name = self
            .dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = self.root.join("CURRENT.tmp");
        let write = || -> io::Result<()> {
            let mut f = File::create(&tmp)?;
            f.write_all(format!("{name}\n").as_bytes())?;
            f.sync_all()?;
            fs::rename(&tmp, self.root.join(CURRENT))?;
            // Make the rename itself durable.
            File::open(&self.root)?.sync_all()
        };
        write().map_err(|e| IndexError::io(&self.root.join(CURRENT), e))?;
        remove_other_generations(&self.root, &name);
        Ok(())
    }

    /// Every live passage of the last commit as one JSON line, sorted: a
    /// complete, order-independent picture of the index content, used to
    /// check that an incremental run converges to a full rebuild.
    pub fn dump(&self) -> Result<Vec<String>, IndexError> {
        use tantivy::schema::document::Document;
        use tantivy::schema::OwnedValue;
        let searcher = self.reader()?.searcher();
        let schema = self.tantivy.schema();
        let mut out = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            let units = segment
                .fast_fields()
                .str("unit")
                .map_err(|e| IndexError::tantivy(&self.dir, e))?;
            for doc_id in segment.doc_ids_alive() {
                let address = tantivy::DocAddress::new(ord as u32, doc_id);
                let doc: tantivy::TantivyDocument = searcher
                    .doc(address)
                    .map_err(|e| IndexError::tantivy(&self.dir, e))?;
                let mut fields = BTreeMap::new();
                for (field, value) in doc.iter_fields_and_values() {
                    let value = OwnedValue::from(value);
                    fields.insert(
                        schema.get_field_name(field).to_string(),
                        format!("{value:?}"),
                    );
                }
                if let Some(col) = &units {
                    let mut unit = String::new();
                    for ord in col.term_ords(doc_id) {
                        let _ = col.ord_to_str(ord, &mut unit);
                    }
                    fields.insert("unit".into(), unit);
                }
                out.push(serde_json::to_string(&fields).unwrap_or_default());
            }
        }
        out.sort();
        Ok(out)
    }

    /// A reader on the last commit.
    pub fn reader(&self) -> Result<tantivy::IndexReader, IndexError> {
        self.tantivy
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(|e| IndexError::tantivy(&self.dir, e))
    }
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix('g')
        .filter(|d| d.len() == 8)
        .and_then(|d| d.parse().ok())
}

/// Removes generation directories other than `keep` (left by a replaced or
/// an interrupted rebuild). Best effort: a failure only leaves disk used.
pub fn remove_other_generations(root: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != keep && generation_number(&name).is_some() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes generations that `CURRENT` does not name. Call with the lock held.
pub fn remove_unpublished(root: &Path) -> Result<(), IndexError> {
    if let Some(live) = read_current(root)? {
        remove_other_generations(root, &live);
    } else if root.is_dir() {
        remove_other_generations(root, "");
    }
    Ok(())
}

/// The indexer's lock on an index directory; released when dropped or when
/// the process dies.
#[derive(Debug)]
pub struct Lock {
    _file: File,
}

/// Takes the indexer lock of `root` (creating `root` if needed). Busy
/// answers at once, or after `wait` has passed.
pub fn lock(root: &Path, wait: Option<Duration>) -> Result<Lock, IndexError> {
    fs::create_dir_all(root).map_err(|e| IndexError::io(root, e))?;
    let path = root.join(LOCK);
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| IndexError::io(&path, e))?;
    let deadline = wait.map(|w| Instant::now() + w);
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(fs::TryLockError::WouldBlock) => {
                if deadline.is_some_and(|d| Instant::now() < d) {
                    std::thread::sleep(Duration::from_millis(100));
                    continue;
                }
                let mut holder = String::new();
                let _ = File::open(&path).and_then(|mut f| f.read_to_string(&mut holder));
                let holder = holder.trim();
                return Err(IndexError::Busy {
                    root: root.to_path_buf(),
                    holder: if holder.is_empty() {
                        "holder unknown".into()
                    } else {
                        holder.to_string()
                    },
                });
            }
            Err(fs::TryLockError::Error(e)) => return Err(IndexError::io(&path, e)),
        }
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let note = format!("pid {} since unix time {since}\n", std::process::id());
    let _ = file
        .set_len(0)
        .and_then(|_| file.write_all(note.as_bytes()));
    Ok(Lock { _file: file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holder_named() {
        let dir = tempfile::tempdir().unwrap();
        let _held = lock(dir.path(), None).unwrap();
        let err = lock(dir.path(), None).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, IndexError::Busy { .. }));
        assert!(
            msg.contains(&format!("pid {}", std::process::id())),
            "{msg}"
        );
    }

    #[test]
    fn a_released_lock_can_be_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        drop(lock(dir.path(), None).unwrap());
        lock(dir.path(), Some(Duration::from_millis(50))).unwrap();
    }

    #[test]
    fn opening_an_empty_directory_says_how_to_build() {
        let dir = tempfile::tempdir().unwrap();
        let err = Index::open(dir.path(), Arc::new(Analyzer::default()))
            .err()
            .unwrap();
        assert!(err.to_string().contains("recoupe index"), "{err}");
    }

    #[test]
    fn a_garbled_current_file_is_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(CURRENT), "../../etc\n").unwrap();
        let err = Index::open(dir.path(), Arc::new(Analyzer::default()))
            .err()
            .unwrap();
        assert!(matches!(err, IndexError::Corrupt { .. }), "{err}");
    }
}
