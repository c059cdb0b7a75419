//! The one door into an index directory.
//!
//! Everything that opens, creates, locks or publishes an index goes through
//! here, so every open registers the same analyzer and checks the same
//! fingerprint. Layout of an index directory:
//!
//! ```text
//! <index>/CURRENT                   name of the live generation, replaced atomically
//! <index>/g00000007/                a tantivy index (one generation)
//! <index>/g00000007/readers.lock    shared-locked by every search that has it open
//! <index>/recoupe.lock              held by the running indexer (an OS lock: a dead process holds nothing)
//! ```
//!
//! Incremental runs commit into the live generation: tantivy replaces its
//! `meta.json` atomically, so readers see the previous commit or the next,
//! never half of one. A full rebuild writes a new generation beside the live
//! one and switches `CURRENT` when it is complete, so a killed rebuild leaves
//! the previous index in place. What the indexer knows about the corpus (file
//! sizes and times, the fingerprint) is saved in the commit's payload, so it
//! is always exactly as old as the documents.
//!
//! A replaced generation is removed only when no search holds it: a search
//! takes a shared lock on the generation's `readers.lock` before opening it
//! (and checks that `CURRENT` still names it), and keeps it while the index
//! is open; the indexer removes a generation only under an exclusive lock on
//! the same file, after `CURRENT` names another one. A generation still held
//! is left for a later run to remove. So a search that starts while a
//! rebuild is published opens either the old generation or the new one,
//! never a half-removed one.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::analysis::tokenizer::{FrenchTokenizer, Terms};
use crate::analysis::Analyzer;
use crate::schema::{self, Fields, IndexSchema};
use crate::terms::Unit;

const CURRENT: &str = "CURRENT";
const LOCK: &str = "recoupe.lock";
/// In each generation: shared-locked by searches, exclusively by its removal.
const READERS: &str = "readers.lock";
/// How often a search re-reads `CURRENT` when generations switch under it.
const OPEN_ATTEMPTS: u32 = 20;

/// What went wrong with an index folder. The message says what happened,
/// with the path; what to do about it is the caller's to say (the CLI
/// names its commands and options, see `cli::advice`).
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{}: no index here yet", .root.display())]
    NotFound { root: PathBuf },
    #[error("{}: this index was built by another version of recoupe (index {}, this binary {expected})", .root.display(), if .found.is_empty() { "without a version" } else { .found.as_str() })]
    Outdated {
        root: PathBuf,
        found: String,
        expected: String,
    },
    #[error("{}: another indexer is running ({})", .root.display(), describe_holder(.holder))]
    Busy { root: PathBuf, holder: String },
    #[error("{}: not a folder", .path.display())]
    NotAFolder { path: PathBuf },
    #[error("{}: {}", .path.display(), io_advice(.source))]
    Io { path: PathBuf, source: io::Error },
    #[error("{}: {}", .path.display(), tantivy_advice(.source))]
    Tantivy {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
    #[error("{}: {reason}", .path.display())]
    Corrupt { path: PathBuf, reason: String },
}

impl IndexError {
    /// The OS error kind underneath, when there is one.
    pub fn io_kind(&self) -> Option<io::ErrorKind> {
        use tantivy::directory::error::{OpenDirectoryError, OpenWriteError};
        use tantivy::TantivyError as T;
        match self {
            IndexError::Io { source, .. } => Some(source.kind()),
            IndexError::Tantivy { source, .. } => match source {
                T::IoError(io) => Some(io.kind()),
                T::OpenWriteError(OpenWriteError::IoError { io_error, .. })
                | T::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => {
                    Some(io_error.kind())
                }
                T::OpenDirectoryError(OpenDirectoryError::NotADirectory(_)) => {
                    Some(io::ErrorKind::NotADirectory)
                }
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn io(path: &Path, source: io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn tantivy(path: &Path, source: tantivy::TantivyError) -> IndexError {
        // A writer thread that failed leaves only "killed" in tantivy's
        // words; on a disk that is (nearly) full, that is what happened.
        if matches!(source, tantivy::TantivyError::ErrorInThread(_)) && disk_nearly_full(path) {
            return IndexError::io(path, io::Error::from(io::ErrorKind::StorageFull));
        }
        IndexError::Tantivy {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What an OS error means for an index folder, and what to do about it.
fn io_advice(e: &io::Error) -> String {
    use io::ErrorKind as K;
    match e.kind() {
        K::PermissionDenied => {
            "permission denied; choose a folder you can write to, or fix its permissions".into()
        }
        K::ReadOnlyFilesystem => "read-only file system; choose a folder on a writable disk".into(),
        K::StorageFull => {
            "no space left on the disk; free some space or choose a folder on another disk".into()
        }
        K::QuotaExceeded => "disk quota exceeded; free some space or choose another folder".into(),
        K::NotADirectory => "a part of this path is a file, not a folder".into(),
        K::NotFound => "a file of the index is missing".into(),
        _ => e.to_string(),
    }
}

/// True when the filesystem holding `path` has less than 64 MiB left, or
/// less than 2% of its size.
fn disk_nearly_full(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: c_path is a valid NUL-terminated string and st a writable
    // statvfs, as statvfs(3) requires.
    if unsafe { libc::statvfs(c_path.as_ptr(), &mut st) } != 0 {
        return false;
    }
    let free = st.f_bavail as u128 * st.f_frsize as u128;
    let size = st.f_blocks as u128 * st.f_frsize as u128;
    free < 64 << 20 || free * 50 < size
}

/// The OS error inside a tantivy error, explained; other errors as tantivy says them.
fn tantivy_advice(e: &tantivy::TantivyError) -> String {
    use tantivy::directory::error::{OpenDirectoryError, OpenWriteError};
    use tantivy::TantivyError as T;
    match e {
        T::IoError(io) => io_advice(io),
        T::OpenWriteError(OpenWriteError::IoError { io_error, .. }) => io_advice(io_error),
        T::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => io_advice(io_error),
        T::OpenDirectoryError(OpenDirectoryError::NotADirectory(_)) => "not a folder".into(),
        T::ErrorInThread(_) => {
            "an indexing thread failed while writing the index (a disk error, most often); \
             check the disk, then run again"
                .into()
        }
        other => other.to_string(),
    }
}

/// The lock file's note (`pid N since unix time T`) for a person: the
/// start as a local date and time.
fn describe_holder(note: &str) -> String {
    let parsed = note.strip_prefix("pid ").and_then(|rest| {
        let (pid, since) = rest.split_once(" since unix time ")?;
        let pid: u32 = pid.trim().parse().ok()?;
        let since: i64 = since.trim().parse().ok()?;
        Some((pid, chrono::DateTime::from_timestamp(since, 0)?))
    });
    let Some((pid, since)) = parsed else {
        return note.to_string();
    };
    let local = since.with_timezone(&chrono::Local);
    let minutes = (chrono::Utc::now() - since).num_minutes();
    let ago = match minutes {
        m if m < 0 => String::new(),
        0 => ", less than a minute ago".into(),
        m if m < 120 => format!(", {m} min ago"),
        m if m < 48 * 60 => format!(", {} h ago", m / 60),
        m => format!(", {} days ago", m / (24 * 60)),
    };
    format!(
        "pid {pid}, started {}{ago}",
        local.format("%Y-%m-%d %H:%M:%S UTC%:z")
    )
}

/// Creates the index folder `root` (and its parents): a path that is, or
/// passes through, a file is named as such.
fn create_root(root: &Path) -> Result<(), IndexError> {
    fs::create_dir_all(root).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists | io::ErrorKind::NotADirectory => {
            let mut parts: Vec<&Path> = root.ancestors().collect();
            parts.reverse();
            let file = parts
                .into_iter()
                .find(|p| p.metadata().is_ok_and(|m| !m.is_dir()))
                .unwrap_or(root);
            IndexError::NotAFolder {
                path: file.to_path_buf(),
            }
        }
        _ => IndexError::io(root, e),
    })
}

/// Size and modification time of a corpus file when it was last indexed,
/// and how many of its records the index holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub mtime_ns: i64,
    /// Records of the file in the index (0 in states written before it was
    /// counted: such a file is checked record by record).
    #[serde(default)]
    pub records: u64,
}

impl Stamp {
    /// True when the file still has the size and time it was indexed with.
    pub fn same_file(&self, size: u64, mtime_ns: i64) -> bool {
        self.size == size && self.mtime_ns == mtime_ns
    }
}

/// What a commit records besides the documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub fingerprint: String,
    /// Files indexed without any problem, by path relative to the corpus.
    pub files: BTreeMap<String, Stamp>,
    /// The `record` number the next record written gets: records are
    /// numbered densely, in writing order, across runs (a generation starts
    /// at 0).
    #[serde(default)]
    pub next_record: u64,
    /// Commits made by indexer runs so far, carried over by rebuilds: the
    /// number of the last run that committed ([`PendingAlerts::run`]).
    #[serde(default)]
    pub runs: u64,
    /// Runs whose new passages are still to be checked against the
    /// watchlist ([`crate::watch::alerts`]), oldest first: a run records
    /// itself here in its commit, and is taken off by a second commit once
    /// its alerts are written, so a run killed in between is alerted by
    /// the next one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<PendingAlerts>,
}

/// A run's change, as the watchlist checks it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PendingAlerts {
    /// The run's number ([`State::runs`]).
    pub run: u64,
    /// When it committed, RFC 3339 (UTC).
    pub time: String,
    /// The record numbers it wrote: `from..to`.
    pub from: u64,
    pub to: u64,
    /// For each article it replaced (by id), the sentence hashes of the
    /// version it replaced, title included ([`crate::copies::sentences`]):
    /// a match in a sentence the article already held is not new.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub edited: BTreeMap<String, Vec<u64>>,
}

/// An open index generation.
pub struct Index {
    root: PathBuf,
    dir: PathBuf,
    tantivy: tantivy::Index,
    schema: &'static IndexSchema,
    analyzer: Arc<Analyzer>,
    state: State,
    /// The shared lock on this generation's `readers.lock`, held while the
    /// index is open for searching (none for the indexer's own opens).
    readers: Option<File>,
}

/// What a search found when it tried to hold a generation.
enum Hold {
    /// Held: it will not be removed while the file is open.
    Held(File),
    /// Being removed, or already gone: read `CURRENT` again.
    Retired,
    /// No lock to take (a read-only copy, or a filesystem without locks):
    /// open it anyway.
    Unguarded,
}

fn hold(dir: &Path) -> Hold {
    match File::open(dir.join(READERS)) {
        Ok(file) => match file.try_lock_shared() {
            Ok(()) => Hold::Held(file),
            Err(fs::TryLockError::WouldBlock) => Hold::Retired,
            Err(fs::TryLockError::Error(_)) => Hold::Unguarded,
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound && !dir.is_dir() => Hold::Retired,
        Err(_) => Hold::Unguarded,
    }
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

/// Which commit an index directory serves now: its live generation and
/// that generation's last commit ([`live_commit`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commit {
    pub generation: String,
    /// A digest of the generation's `meta.json`: it changes with every
    /// commit.
    pub digest: u64,
    /// When that commit was written.
    pub time: Option<std::time::SystemTime>,
}

/// True when the live commit of `root` lists runs whose alerts are still
/// to be written ([`State::alerts`]), read from its `meta.json` without
/// opening the index; false when there is no index, or its commit cannot
/// be read (opening it says why).
pub fn alerts_pending(root: &Path) -> bool {
    #[derive(Deserialize)]
    struct Meta {
        payload: Option<String>,
    }
    #[derive(Deserialize)]
    struct Pending {
        #[serde(default)]
        alerts: Vec<serde::de::IgnoredAny>,
    }
    let Ok(Some(generation)) = read_current(root) else {
        return false;
    };
    let Ok(bytes) = fs::read(root.join(&generation).join("meta.json")) else {
        return false;
    };
    serde_json::from_slice::<Meta>(&bytes)
        .ok()
        .and_then(|m| m.payload)
        .and_then(|p| serde_json::from_str::<Pending>(&p).ok())
        .is_some_and(|p| !p.alerts.is_empty())
}

/// The commit `root` serves now, cheaply (two small reads, no index
/// opened), for a long-lived searcher to know when to reopen; `None` when
/// no index is published.
pub fn live_commit(root: &Path) -> Result<Option<Commit>, IndexError> {
    let Some(generation) = read_current(root)? else {
        return Ok(None);
    };
    let meta = root.join(&generation).join("meta.json");
    let bytes = fs::read(&meta).map_err(|e| IndexError::io(&meta, e))?;
    let time = fs::metadata(&meta).and_then(|m| m.modified()).ok();
    Ok(Some(Commit {
        generation,
        digest: xxhash_rust::xxh3::xxh3_64(&bytes),
        time,
    }))
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
    for terms in [Terms::Exact, Terms::Stems, Terms::Names] {
        index.tokenizers().register(
            terms.tokenizer_name(),
            FrenchTokenizer::new(analyzer.clone(), terms),
        );
    }
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
    /// Opens the live generation for searching, and holds it (see the
    /// module documentation) while the returned index lives. Refuses an
    /// index built with another fingerprint. A rebuild published meanwhile
    /// is followed: the search opens the new generation instead.
    pub fn open(root: &Path, analyzer: Arc<Analyzer>) -> Result<Index, IndexError> {
        let mut attempt = 0;
        let mut index = loop {
            attempt += 1;
            let last = attempt >= OPEN_ATTEMPTS;
            let name = read_current(root)?.ok_or_else(|| IndexError::NotFound {
                root: root.to_path_buf(),
            })?;
            let readers = match hold(&root.join(&name)) {
                Hold::Held(file) => Some(file),
                Hold::Unguarded => None,
                Hold::Retired if last => None,
                Hold::Retired => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            let switched = || read_current(root).ok().flatten().as_deref() != Some(name.as_str());
            if !last && switched() {
                continue;
            }
            match Index::open_generation(root, &name, analyzer.clone()) {
                Ok(mut index) => {
                    index.readers = readers;
                    break index;
                }
                Err(_) if !last && switched() => continue,
                Err(e) => return Err(e),
            }
        };
        let expected = schema::fingerprint();
        if index.state.fingerprint != expected {
            return Err(IndexError::Outdated {
                root: root.to_path_buf(),
                found: std::mem::take(&mut index.state.fingerprint),
                expected,
            });
        }
        Ok(index)
    }

    /// Opens the live generation whatever its fingerprint (the indexer
    /// decides what to do with an outdated one). Holds nothing: only the
    /// indexer, which holds the indexer lock, calls it.
    pub fn open_any(root: &Path, analyzer: Arc<Analyzer>) -> Result<Index, IndexError> {
        let name = read_current(root)?.ok_or_else(|| IndexError::NotFound {
            root: root.to_path_buf(),
        })?;
        Index::open_generation(root, &name, analyzer)
    }

    fn open_generation(
        root: &Path,
        name: &str,
        analyzer: Arc<Analyzer>,
    ) -> Result<Index, IndexError> {
        let dir = root.join(name);
        let schema = schema::load();
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
            readers: None,
        })
    }

    /// Creates a new, empty, unpublished generation under `root`.
    pub fn create_generation(root: &Path, analyzer: Arc<Analyzer>) -> Result<Index, IndexError> {
        create_root(root)?;
        let mut next = 1u64;
        for entry in fs::read_dir(root).map_err(|e| IndexError::io(root, e))? {
            let entry = entry.map_err(|e| IndexError::io(root, e))?;
            if let Some(n) = generation_number(&entry.file_name().to_string_lossy()) {
                next = next.max(n + 1);
            }
        }
        let dir = root.join(format!("g{next:08}"));
        fs::create_dir(&dir).map_err(|e| IndexError::io(&dir, e))?;
        let schema = schema::load();
        let tantivy = tantivy::Index::builder()
            .schema(schema.schema.clone())
            .settings(schema::index_settings())
            .create_in_dir(&dir)
            .map_err(|e| IndexError::tantivy(&dir, e))?;
        let readers = dir.join(READERS);
        File::create(&readers).map_err(|e| IndexError::io(&readers, e))?;
        register(&tantivy, &analyzer);
        Ok(Index {
            root: root.to_path_buf(),
            dir,
            tantivy,
            schema,
            analyzer,
            state: State::default(),
            readers: None,
        })
    }

    /// Makes this generation the live one (atomically), then removes the
    /// others that no search holds. Call only after a successful commit.
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
            let units = self.units(segment)?;
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
                let mut unit = String::new();
                if units.raw(doc_id, &mut unit) {
                    let name = self.schema.schema.get_field_name(self.schema.fields.unit);
                    fields.insert(name.to_string(), unit);
                }
                out.push(serde_json::to_string(&fields).unwrap_or_default());
            }
        }
        out.sort();
        Ok(out)
    }

    /// The index folder (holding `CURRENT` and the generations).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A file the engine saved beside the index to start faster
    /// ([`Index::write_cache`]), if there is one.
    pub fn read_cache(&self, name: &str) -> Option<Vec<u8>> {
        fs::read(self.root.join(name)).ok()
    }

    /// Saves `bytes` as `name` in the index folder, for later starts: what
    /// can always be computed again, never what the index needs. Written
    /// whole under another name then renamed, so a reader sees the old file
    /// or the new one. Best effort: a read-only index folder only means it
    /// is computed at every start.
    pub fn write_cache(&self, name: &str, bytes: &[u8]) {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = self
            .root
            .join(format!("{name}.{}-{nanos}.tmp", std::process::id()));
        if fs::write(&tmp, bytes).is_err() || fs::rename(&tmp, self.root.join(name)).is_err() {
            let _ = fs::remove_file(&tmp);
        }
    }

    /// The folder of this generation.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The handles of the fields of this index.
    pub fn fields(&self) -> Fields {
        self.schema.fields
    }

    /// The analyzer every field of this index was built with.
    pub fn analyzer(&self) -> &Arc<Analyzer> {
        &self.analyzer
    }

    /// What the last commit recorded: fingerprint and corpus files.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The record identities of one segment's passages.
    pub fn units(&self, segment: &tantivy::SegmentReader) -> Result<Units, IndexError> {
        Units::of_segment(segment, &self.schema.fields)
            .map_err(|e| IndexError::tantivy(&self.dir, e))
    }

    /// The corpus files the index holds passages of (from the `file`
    /// field's terms: one per file, however many records).
    pub fn files_held(&self, searcher: &tantivy::Searcher) -> Result<Vec<String>, IndexError> {
        let mut files = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let inverted = segment
                .inverted_index(self.schema.fields.file)
                .map_err(|e| IndexError::tantivy(&self.dir, e))?;
            let mut stream = inverted
                .terms()
                .stream()
                .map_err(|e| IndexError::io(&self.dir, e))?;
            while stream.advance() {
                if stream.value().doc_freq == 0 {
                    continue;
                }
                if let Ok(file) = std::str::from_utf8(stream.key()) {
                    files.insert(file.to_string());
                }
            }
        }
        Ok(files.into_iter().collect())
    }

    /// The records whose passages hold `value` in the one-term field
    /// `field` (`file` or `doc`), read from live passages only: the
    /// records of one file, or the record of one id. Costs what those
    /// records have, not what the index has.
    pub fn records_with(
        &self,
        searcher: &tantivy::Searcher,
        field: tantivy::schema::Field,
        value: &str,
    ) -> Result<Vec<Unit>, IndexError> {
        use tantivy::DocSet;
        let term = tantivy::Term::from_field_text(field, value);
        let mut out = Vec::new();
        for segment in searcher.segment_readers() {
            let inverted = segment
                .inverted_index(field)
                .map_err(|e| IndexError::tantivy(&self.dir, e))?;
            let Some(mut postings) = inverted
                .read_postings(&term, tantivy::schema::IndexRecordOption::Basic)
                .map_err(|e| IndexError::io(&self.dir, e))?
            else {
                continue;
            };
            let mut docs = Vec::new();
            while postings.doc() != tantivy::TERMINATED {
                let doc = postings.doc();
                if segment
                    .alive_bitset()
                    .is_none_or(|alive| alive.is_alive(doc))
                {
                    docs.push(doc);
                }
                postings.advance();
            }
            let units = self
                .units(segment)?
                .of(docs.into_iter())
                .map_err(|e| IndexError::io(&self.dir, e))?;
            out.extend(units);
        }
        Ok(out)
    }

    /// A writer with `threads` indexing threads sharing `memory` bytes.
    pub fn writer(
        &self,
        threads: usize,
        memory: usize,
    ) -> Result<tantivy::IndexWriter<tantivy::TantivyDocument>, IndexError> {
        self.tantivy
            .writer_with_num_threads(threads, memory)
            .map_err(|e| IndexError::tantivy(&self.dir, e))
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

/// Which record each passage of a segment comes from (the `unit` field).
#[derive(Clone)]
pub struct Units {
    column: Option<tantivy::columnar::StrColumn>,
}

impl Units {
    /// The units of `segment`'s passages.
    pub fn of_segment(
        segment: &tantivy::SegmentReader,
        fields: &crate::schema::Fields,
    ) -> tantivy::Result<Units> {
        let name = segment.schema().get_field_name(fields.unit);
        let column = segment.fast_fields().str(name)?;
        Ok(Units { column })
    }

    /// The decoded unit of passage `doc`, if it has one.
    pub fn unit(&self, doc: tantivy::DocId) -> Option<Unit> {
        let mut buf = String::new();
        self.raw(doc, &mut buf)
            .then(|| Unit::decode(&buf))
            .flatten()
    }

    /// Writes the encoded unit of passage `doc` into `buf` (cleared first);
    /// false when it has none.
    pub fn raw(&self, doc: tantivy::DocId, buf: &mut String) -> bool {
        buf.clear();
        let Some(col) = &self.column else {
            return false;
        };
        col.term_ords(doc)
            .next()
            .is_some_and(|ord| col.ord_to_str(ord, buf).unwrap_or(false))
    }

    /// The distinct units of the passages `docs`, decoded: one per record
    /// of this segment (a record's passages may also lie in other
    /// segments). A value that does not decode is left out.
    pub fn of(&self, docs: impl Iterator<Item = tantivy::DocId>) -> io::Result<Vec<Unit>> {
        let Some(col) = &self.column else {
            return Ok(Vec::new());
        };
        let ords: std::collections::BTreeSet<u64> =
            docs.flat_map(|doc| col.term_ords(doc)).collect();
        let mut buf = String::new();
        let mut out = Vec::with_capacity(ords.len());
        for ord in ords {
            buf.clear();
            if col.ord_to_str(ord, &mut buf)? {
                out.extend(Unit::decode(&buf));
            }
        }
        Ok(out)
    }
}

fn generation_number(name: &str) -> Option<u64> {
    name.strip_prefix('g')
        .filter(|d| d.len() == 8)
        .and_then(|d| d.parse().ok())
}

/// Removes generation directories other than `keep` (replaced, or left by
/// an interrupted rebuild), except those a search still holds: a later run
/// removes them. Best effort: a failure only leaves disk used.
pub fn remove_other_generations(root: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name != keep && generation_number(&name).is_some() {
            remove_generation(&entry.path());
        }
    }
}

/// Removes one generation unless a search holds it.
fn remove_generation(dir: &Path) {
    let readers = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(READERS));
    match readers.as_ref().map(|f| f.try_lock()) {
        Ok(Err(fs::TryLockError::WouldBlock)) => {}
        // Held exclusively (or no lock to take here): remove it while the
        // lock is held, so that a search arriving now sees it retired.
        _ => {
            let _ = fs::remove_dir_all(dir);
        }
    }
    drop(readers);
}

/// Removes generations that `CURRENT` does not name (and that no search
/// holds). Call with the lock held.
pub fn remove_unpublished(root: &Path) -> Result<(), IndexError> {
    if let Some(live) = read_current(root)? {
        remove_other_generations(root, &live);
        // A generation built before searches held generations has no
        // readers lock yet: give it one, so it is held from now on.
        let readers = root.join(&live).join(READERS);
        if !readers.exists() {
            let _ = File::create(readers);
        }
    } else if root.is_dir() {
        remove_other_generations(root, "");
    }
    Ok(())
}

/// Undoes what a first build that failed left in `root`: generations that
/// were never published, the lock file and `CURRENT.tmp` (`root` itself is
/// the caller's to remove). Does nothing when `root` holds a published index
/// or another indexer is running.
pub fn remove_unbuilt(root: &Path) {
    if exists(root) {
        return;
    }
    let path = root.join(LOCK);
    let lock = match File::options().read(true).write(true).open(&path) {
        Ok(file) => match file.try_lock() {
            Ok(()) => Some(file),
            Err(_) => return,
        },
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(_) => return,
    };
    if exists(root) {
        return;
    }
    remove_other_generations(root, "");
    let _ = fs::remove_file(root.join("CURRENT.tmp"));
    if lock.is_some() {
        let _ = fs::remove_file(&path);
    }
    drop(lock);
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
    create_root(root)?;
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
    fn opening_an_empty_directory_says_there_is_no_index_there() {
        let dir = tempfile::tempdir().unwrap();
        let err = Index::open(dir.path(), Arc::new(Analyzer::default()))
            .err()
            .unwrap();
        assert!(matches!(err, IndexError::NotFound { .. }), "{err}");
        assert!(err.to_string().ends_with(": no index here yet"), "{err}");
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

    /// Writes `text` as one passage, committed with this binary's state.
    fn add_passage(index: &Index, text: &str) {
        let fields = index.fields();
        let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> = index
            .tantivy
            .writer_with_num_threads(1, 15_000_000)
            .unwrap();
        let mut doc = tantivy::TantivyDocument::default();
        doc.add_text(fields.text, text);
        writer.add_document(doc).unwrap();
        let state = State {
            fingerprint: schema::fingerprint(),
            ..State::default()
        };
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(&serde_json::to_string(&state).unwrap());
        commit.commit().unwrap();
    }

    /// The texts of every stored passage of the live generation under `root`.
    fn stored_texts(root: &Path) -> Vec<String> {
        use tantivy::schema::Value;
        let index = Index::open(root, Arc::new(Analyzer::default())).unwrap();
        let text = index.fields().text;
        let searcher = index.tantivy.reader().unwrap().searcher();
        let mut out = Vec::new();
        for (ord, segment) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..segment.max_doc() {
                let stored: tantivy::TantivyDocument = searcher
                    .doc(tantivy::DocAddress::new(ord as u32, doc))
                    .unwrap();
                out.extend(
                    stored
                        .get_first(text)
                        .and_then(|v| v.as_str())
                        .map(String::from),
                );
            }
        }
        out.sort();
        out
    }

    fn compression(root: &Path) -> tantivy::store::Compressor {
        let index = Index::open(root, Arc::new(Analyzer::default())).unwrap();
        index.tantivy.settings().docstore_compression
    }

    #[test]
    fn a_new_generation_stores_its_passages_with_zstd_and_reads_them_back() {
        let dir = tempfile::tempdir().unwrap();
        let index = published(dir.path());
        assert_eq!(
            index.tantivy.settings().docstore_blocksize,
            schema::STORE_BLOCK_BYTES
        );
        let text = "Ahmed al-Charaa, dit « Abou Mohammed al-Jolani », à Damas.";
        add_passage(&index, text);
        let got = compression(dir.path());
        assert!(
            matches!(got, tantivy::store::Compressor::Zstd(_)),
            "{got:?}"
        );
        assert_eq!(stored_texts(dir.path()), vec![text.to_string()]);
    }

    #[test]
    fn an_index_stored_with_lz4_by_an_earlier_version_stays_readable_and_stays_lz4() {
        let dir = tempfile::tempdir().unwrap();
        let index = published(dir.path());
        // What an earlier version wrote: the same index, its store in LZ4.
        let meta = index.dir().join("meta.json");
        let json = fs::read_to_string(&meta).unwrap();
        let lz4 = json.replace("zstd(compression_level=3)", "lz4");
        assert_ne!(json, lz4, "the settings name zstd: {json}");
        drop(index);
        fs::write(&meta, lz4).unwrap();
        let index = Index::open(dir.path(), Arc::new(Analyzer::default())).unwrap();
        add_passage(&index, "Un passage écrit en LZ4.");
        drop(index);
        let index = Index::open(dir.path(), Arc::new(Analyzer::default())).unwrap();
        add_passage(&index, "Un second passage, ajouté par cette version.");
        assert_eq!(compression(dir.path()), tantivy::store::Compressor::Lz4);
        assert_eq!(
            stored_texts(dir.path()),
            vec![
                "Un passage écrit en LZ4.".to_string(),
                "Un second passage, ajouté par cette version.".to_string()
            ]
        );
    }

    fn published(root: &Path) -> Index {
        let index = Index::create_generation(root, Arc::new(Analyzer::default())).unwrap();
        let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> = index
            .tantivy
            .writer_with_num_threads(1, 15_000_000)
            .unwrap();
        let state = State {
            fingerprint: schema::fingerprint(),
            files: BTreeMap::new(),
            ..State::default()
        };
        let mut commit = writer.prepare_commit().unwrap();
        commit.set_payload(&serde_json::to_string(&state).unwrap());
        commit.commit().unwrap();
        index.publish().unwrap();
        index
    }

    fn generations(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| generation_number(n).is_some())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_generation_open_for_searching_outlives_its_replacement() {
        let dir = tempfile::tempdir().unwrap();
        let first = published(dir.path()).dir;
        let searching = Index::open(dir.path(), Arc::new(Analyzer::default())).unwrap();
        assert_eq!(searching.dir, first);
        let second = published(dir.path()).dir;
        // The search still reads the old generation, whole.
        assert!(first.join("meta.json").is_file());
        assert_eq!(generations(dir.path()).len(), 2);
        searching.reader().unwrap();
        // A new search opens the new one; the old one goes at the next run
        // once nobody holds it.
        let next = Index::open(dir.path(), Arc::new(Analyzer::default())).unwrap();
        assert_eq!(next.dir, second);
        drop(searching);
        remove_unpublished(dir.path()).unwrap();
        assert_eq!(
            generations(dir.path()),
            [second.file_name().unwrap().to_string_lossy().into_owned()]
        );
        next.reader().unwrap();
    }

    #[test]
    fn a_generation_nobody_holds_is_removed_when_replaced() {
        let dir = tempfile::tempdir().unwrap();
        published(dir.path());
        drop(Index::open(dir.path(), Arc::new(Analyzer::default())).unwrap());
        published(dir.path());
        assert_eq!(generations(dir.path()).len(), 1);
    }

    #[test]
    fn a_file_given_as_index_folder_is_named_as_such() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("passwd");
        fs::write(&file, "root").unwrap();
        for root in [file.clone(), file.join("index")] {
            let msg = lock(&root, None).unwrap_err().to_string();
            assert_eq!(msg, format!("{}: not a folder", file.display()));
        }
        assert_eq!(fs::read_to_string(&file).unwrap(), "root");
    }

    #[test]
    fn the_busy_note_is_shown_as_a_date_not_a_unix_time() {
        let text = describe_holder("pid 42 since unix time 1767225600");
        assert!(text.starts_with("pid 42, started 2026-01-0"), "{text}");
        assert!(!text.contains("unix"), "{text}");
        assert!(text.contains(" ago"), "{text}");
        assert_eq!(describe_holder("holder unknown"), "holder unknown");
        assert_eq!(
            describe_holder("pid x since unix time y"),
            "pid x since unix time y"
        );
    }

    #[test]
    fn a_failed_first_build_is_undone_but_a_published_index_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("new");
        drop(lock(&root, None).unwrap());
        Index::create_generation(&root, Arc::new(Analyzer::default())).unwrap();
        remove_unbuilt(&root);
        assert_eq!(fs::read_dir(&root).unwrap().count(), 0);

        published(&root);
        remove_unbuilt(&root);
        assert!(exists(&root));
    }
}
