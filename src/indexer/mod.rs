//! Building and updating an index from a corpus directory.
//!
//! One run: take the lock, scan the corpus, compare each file and record with
//! what the index holds ([`plan`]), then apply every change in one tantivy
//! commit whose payload records the new corpus state ([`crate::index`]). A
//! run that is killed commits nothing; the next one starts from the last
//! commit and finishes the work.
//!
//! Guarantees:
//! - unchanged files (same size and modification time) are not read; changed
//!   files are read, and only records whose content changed are re-indexed
//!   (records with an `id` are known by it, so lines moving around cost
//!   nothing; records without one are known by file and line, see [`plan`]);
//! - an unreadable file, folder or record is reported and skipped, and
//!   whatever the index held for it (for a folder: for every path under it)
//!   is kept;
//! - a record whose id another record already holds is reported and skipped;
//! - warnings (a record indexed all the same, such as with a date that was
//!   not understood) are reported apart from problems and counted apart;
//! - a missing corpus is an error, and an empty one never empties the index
//!   unless asked (`allow_empty`, or a full rebuild);
//! - an index built by another version is rebuilt in a new generation,
//!   published only once complete.

pub mod compact;
pub mod plan;
pub mod write;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

use crate::analysis::Analyzer;
use crate::corpus::{self, CorpusError, Problem};
use crate::index::{self, Index, IndexError, Stamp, State};
use crate::schema;
use crate::terms::Unit;
use plan::{Action, Held, Key, Known, Seen};

/// A one-thread writer with the least memory, for the merges after a
/// build. The build's writer is gone by then, but its lock on the
/// directory may outlive it a moment: a process forked meanwhile (any
/// thread of ours starting a child) holds a copy of the lock file's
/// descriptor until it execs. Seen once in CI, in the tests' process. A
/// busy lock is tried again for up to two seconds before it counts as an
/// error.
fn merge_writer(index: &Index) -> Result<IndexWriter<TantivyDocument>, IndexError> {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match index.writer(1, 16 << 20) {
            Err(IndexError::Tantivy {
                source:
                    tantivy::TantivyError::LockFailure(
                        tantivy::directory::error::LockError::LockBusy,
                        _,
                    ),
                ..
            }) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            other => return other,
        }
    }
}

/// Default memory of the index writer, in bytes, shared by its threads.
/// Each thread fills its share, then writes a segment; tantivy's own
/// structures, the documents waiting for a thread (up to 10,000), the
/// analysis caches and the ids met come on top: about 200 MiB more at the
/// peak on OrangeSum x16 (578,432 articles), so 80 MiB keeps a build of that
/// size under 300 MiB (measured 2026-12-02: 277 MiB with 80, 313 MiB with
/// 96, 343 MiB with 128).
pub const DEFAULT_MEMORY: usize = 80 << 20;

/// Segments of at most this many passages are merged by incremental runs;
/// larger ones (a build's) stay as they are.
const SMALL_SEGMENT_PASSAGES: usize = 20_000;

/// How a run behaves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rebuild from scratch in a new generation.
    pub full: bool,
    /// Accept that an empty corpus empties the index.
    pub allow_empty: bool,
    /// Wait this long for a running indexer instead of failing at once.
    pub wait: Option<Duration>,
    /// Indexing threads (0: one per core, at most 4).
    pub threads: usize,
    /// Memory for the writer, in bytes, shared by its threads.
    pub memory: usize,
    /// Record the run's change in its commit for the watchlist to check
    /// ([`crate::index::PendingAlerts`]); the caller checks it after the
    /// run ([`crate::watch::alerts`]). A build records nothing: a new
    /// index is not news.
    pub alerts: bool,
    /// Where a run that records its change for the watchlist keeps the
    /// analyses of the texts it writes, for the alert step to highlight
    /// them without analysing them again.
    pub analyses: Option<Arc<crate::analysis::Analyses>>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            full: false,
            allow_empty: false,
            wait: None,
            threads: 0,
            memory: DEFAULT_MEMORY,
            alerts: false,
            analyses: None,
        }
    }
}

/// Receives what a run has to say while it runs.
pub trait Reporter {
    /// A file or record that could not be indexed.
    fn problem(&mut self, problem: &Problem);
    /// A record that was indexed, with something worth saying about it.
    fn warning(&mut self, _warning: &Problem) {}
    /// The run is about to read `bytes` of corpus files (as stored on disk).
    fn start(&mut self, _bytes: u64) {}
    /// `bytes` more of them were read (or skipped as unchanged); called
    /// while a large file is read, not only after it.
    fn advance(&mut self, _bytes: u64) {}
    /// Reading is done; the commit follows.
    fn finish(&mut self) {}
    /// A build's `segments` are being merged into `into` (after its commit,
    /// before it is published; see [`compact`]).
    fn merging(&mut self, _segments: usize, _into: usize) {}
}

/// A reporter that only counts (for library users and tests).
#[derive(Debug, Default)]
pub struct Collect {
    pub problems: Vec<String>,
    pub warnings: Vec<String>,
}

impl Reporter for Collect {
    fn problem(&mut self, problem: &Problem) {
        self.problems.push(problem.to_string());
    }

    fn warning(&mut self, warning: &Problem) {
        self.warnings.push(warning.to_string());
    }
}

/// What a run did, in articles (records).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Summary {
    pub added: u64,
    pub updated: u64,
    pub deleted: u64,
    pub unchanged: u64,
    /// Records, files or folders that could not be read or were refused.
    pub failed: u64,
    /// Records indexed with a warning (they do not count as failed).
    pub warnings: u64,
    pub seconds: f64,
    /// Passages (index documents) written.
    pub passages: u64,
    /// Files read (changed or new); the others were skipped unread.
    pub files_read: u64,
    pub files_skipped: u64,
    /// Why the run rebuilt the whole index, if it did.
    pub rebuilt: Option<String>,
    /// False when nothing changed and nothing was committed.
    pub committed: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Corpus(#[from] CorpusError),
    #[error("{}: the corpus holds no articles but the index has {indexed} passages; nothing was deleted", .corpus.display())]
    EmptyCorpus { corpus: PathBuf, indexed: usize },
    #[error("{}: cannot rebuild from scratch while part of the corpus cannot be read ({}); nothing was changed", .corpus.display(), .paths.join(", "))]
    PartlyUnreadable { corpus: PathBuf, paths: Vec<String> },
}

impl RunError {
    /// True when another indexer holds the lock.
    pub fn is_busy(&self) -> bool {
        matches!(self, RunError::Index(IndexError::Busy { .. }))
    }
}

/// Hands the memory the build freed back to the system, so that the
/// merges' mapped pages come on top of what is in use, not of the build's
/// peak. (glibc keeps freed memory for reuse; other allocators need not.)
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it
    // takes no pointer and is safe to call from any thread at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn threads(opts: &Options) -> usize {
    if opts.threads > 0 {
        return opts.threads;
    }
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

/// When every file of the scan is the one indexed last time (same size and
/// time, records counted) and none was added, removed or unreadable: the
/// number of records the index holds for them.
fn nothing_changed(scan: &corpus::Scan, state: &State) -> Option<u64> {
    if !scan.problems.is_empty() || !scan.unreadable.is_empty() {
        return None;
    }
    if scan.files.len() != state.files.len() {
        return None;
    }
    scan.files.iter().try_fold(0u64, |sum, f| {
        let s = state.files.get(&f.rel)?;
        (s.same_file(f.size, f.mtime_ns) && s.records > 0).then_some(sum + s.records)
    })
}

/// For each record of `units` (as the last commit holds them), its
/// article id and the sentence hashes of its passages and title
/// ([`crate::copies::sentences`]).
fn previous_sentences(
    index: &Index,
    searcher: &tantivy::Searcher,
    units: &[Unit],
) -> Result<std::collections::BTreeMap<String, Vec<u64>>, IndexError> {
    use tantivy::schema::Value;
    let f = index.fields();
    let fail = |e| IndexError::tantivy(index.dir(), e);
    let mut out: std::collections::BTreeMap<String, Vec<u64>> = Default::default();
    for unit in units {
        let query = tantivy::query::TermQuery::new(
            Term::from_field_text(f.unit, &unit.encode()),
            tantivy::schema::IndexRecordOption::Basic,
        );
        let docs = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(fail)?;
        for address in docs {
            let doc: TantivyDocument = searcher.doc(address).map_err(fail)?;
            let text = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let hashes = out.entry(text(f.doc)).or_default();
            hashes.extend(crate::copies::sentence_hash(&text(f.title)));
            hashes.extend(
                crate::copies::sentences(&text(f.text))
                    .into_iter()
                    .map(|(_, _, h)| h),
            );
        }
    }
    for hashes in out.values_mut() {
        hashes.sort_unstable();
        hashes.dedup();
    }
    Ok(out)
}

/// Writes `state` as the payload of a commit of its own (no document
/// changes): how a run's alerts are marked as written.
pub fn commit_state(index: &Index, state: &State) -> Result<(), IndexError> {
    let writer = merge_writer(index)?;
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    commit_with(index, writer, state)
}

/// Commits what `writer` holds with `state` as the commit's payload, then
/// waits for the merges it started.
fn commit_with(
    index: &Index,
    mut writer: IndexWriter<TantivyDocument>,
    state: &State,
) -> Result<(), IndexError> {
    let payload = serde_json::to_string(state).map_err(|e| IndexError::Corrupt {
        path: index.dir().to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut commit = writer
        .prepare_commit()
        .map_err(|e| IndexError::tantivy(index.dir(), e))?;
    commit.set_payload(&payload);
    commit
        .commit()
        .map_err(|e| IndexError::tantivy(index.dir(), e))?;
    writer
        .wait_merging_threads()
        .map_err(|e| IndexError::tantivy(index.dir(), e))
}

/// Adds to `known` the records whose passages hold `value` in `field`: the
/// records of a file (`file`), or of an id (`doc`; only records whose own
/// id it is).
fn load_records(
    index: &Index,
    searcher: &tantivy::Searcher,
    known: &mut Known,
    field: tantivy::schema::Field,
    value: &str,
) -> Result<(), IndexError> {
    let by_id = field == index.fields().doc;
    for unit in index.records_with(searcher, field, value)? {
        if by_id && unit.id.as_deref() != Some(value) {
            continue;
        }
        // The passages of one record may lie in several segments:
        // `insert` takes the same unit twice as one.
        let key = Key::of(unit.id.as_deref(), &unit.file, unit.line);
        known.insert(
            key,
            Held {
                file: unit.file,
                line: unit.line,
                hash: unit.hash,
            },
        );
    }
    Ok(())
}

/// Updates (or builds) the index at `root` from the corpus at `corpus`.
pub fn run(
    corpus_root: &Path,
    root: &Path,
    analyzer: Arc<Analyzer>,
    opts: &Options,
    reporter: &mut dyn Reporter,
) -> Result<Summary, RunError> {
    let lock = index::lock(root, opts.wait)?;
    run_locked(&lock, corpus_root, root, analyzer, opts, reporter)
}

/// [`run`], the indexer lock of `root` already held (`_lock`).
pub fn run_locked(
    _lock: &index::Lock,
    corpus_root: &Path,
    root: &Path,
    analyzer: Arc<Analyzer>,
    opts: &Options,
    reporter: &mut dyn Reporter,
) -> Result<Summary, RunError> {
    let started = Instant::now();
    index::remove_unpublished(root)?;
    let scan = corpus::scan(corpus_root)?;
    let fingerprint = schema::fingerprint();

    let mut summary = Summary::default();
    let docs_of = |idx: &Index| idx.reader().map_or(0, |r| r.searcher().num_docs() as usize);
    let mut runs = 0;
    let (existing, existing_docs) = match Index::open_any(root, analyzer.clone()) {
        Ok(idx) if idx.state().fingerprint == fingerprint => {
            let n = docs_of(&idx);
            runs = idx.state().runs;
            (Some(idx), n)
        }
        Ok(idx) => {
            summary.rebuilt = Some("the index was built by another version of recoupe".into());
            runs = idx.state().runs;
            (None, docs_of(&idx))
        }
        Err(IndexError::NotFound { .. }) => {
            summary.rebuilt = Some("new index".into());
            (None, 0)
        }
        Err(e @ IndexError::Corrupt { .. }) | Err(e @ IndexError::Tantivy { .. }) => {
            summary.rebuilt = Some(format!("the index could not be opened ({e})"));
            (None, 0)
        }
        Err(e) => return Err(e.into()),
    };
    if scan.files.is_empty()
        && scan.unreadable.is_empty()
        && existing_docs > 0
        && !opts.allow_empty
        && !opts.full
    {
        return Err(RunError::EmptyCorpus {
            corpus: corpus_root.to_path_buf(),
            indexed: existing_docs,
        });
    }
    if opts.full && existing_docs > 0 && !scan.unreadable.is_empty() {
        return Err(RunError::PartlyUnreadable {
            corpus: corpus_root.to_path_buf(),
            paths: scan
                .unreadable
                .iter()
                .map(|p| {
                    if p.is_empty() {
                        ".".to_string()
                    } else {
                        p.clone()
                    }
                })
                .collect(),
        });
    }
    if let Some(unchanged) = existing
        .as_ref()
        .filter(|_| !opts.full)
        .and_then(|idx| nothing_changed(&scan, idx.state()))
    {
        // The cron run of a quiet hour: every file is as it was indexed, so
        // neither the records the index holds nor a writer are needed.
        let total_bytes: u64 = scan.files.iter().map(|f| f.size).sum();
        reporter.start(total_bytes);
        reporter.advance(total_bytes);
        reporter.finish();
        summary.unchanged = unchanged;
        summary.files_skipped = scan.files.len() as u64;
        summary.seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }
    let (index, incremental) = match existing {
        Some(idx) if !opts.full => (idx, true),
        _ => {
            if opts.full {
                summary.rebuilt = Some("--full".into());
            }
            (Index::create_generation(root, analyzer)?, false)
        }
    };
    // What the last commit holds, for an incremental run. Only the records
    // of files that are read again or left the corpus are loaded (and those
    // of ids met again, one by one), so a run costs what changed, not what
    // the index holds.
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let held_files: Vec<String> = if incremental {
        index.files_held(&searcher)?
    } else {
        Vec::new()
    };
    let present: std::collections::HashMap<&str, &corpus::CorpusFile> =
        scan.files.iter().map(|f| (f.rel.as_str(), f)).collect();
    let unchanged_file = |rel: &str| -> Option<Stamp> {
        let file = present.get(rel)?;
        index
            .state()
            .files
            .get(rel)
            .filter(|s| s.records > 0 && s.same_file(file.size, file.mtime_ns))
            .copied()
    };
    let mut known = Known::default();
    for file in &held_files {
        let kept = if present.contains_key(file.as_str()) {
            unchanged_file(file).is_some()
        } else {
            scan.is_unreadable(file)
        };
        if !kept {
            load_records(&index, &searcher, &mut known, index.fields().file, file)?;
        }
    }
    let held_set: std::collections::HashSet<&str> = held_files.iter().map(String::as_str).collect();

    for p in &scan.problems {
        reporter.problem(p);
        summary.failed += 1;
    }

    let fields = index.fields();
    let writer: IndexWriter<TantivyDocument> =
        index.writer(threads(opts), opts.memory.max(threads(opts) * (16 << 20)))?;
    if incremental {
        // Merge only the small segments of earlier runs: merging the large
        // segments of a build would make every cron run cost the size of
        // the index instead of the size of its change.
        let mut policy = tantivy::indexer::LogMergePolicy::default();
        policy.set_max_docs_before_merge(SMALL_SEGMENT_PASSAGES);
        writer.set_merge_policy(Box::new(policy));
    } else {
        // A build writes a handful of large segments; merging them while
        // indexing would cost more than searching them costs.
        writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    }
    let mut state = State {
        fingerprint: fingerprint.clone(),
        files: Default::default(),
        next_record: if incremental {
            index.state().next_record
        } else {
            0
        },
        runs,
        // A rebuild numbers records anew: what older runs left to check
        // names records it no longer holds.
        alerts: if incremental {
            index.state().alerts.clone()
        } else {
            Vec::new()
        },
    };
    let first_record = state.next_record;
    // Records this run replaces, for the watchlist to tell an edit's new
    // matches from those the article already had.
    let mut replaced: Vec<Unit> = Vec::new();
    let watch_edits = opts.alerts && incremental;
    let _keeping = opts
        .analyses
        .clone()
        .filter(|_| watch_edits)
        .map(|kept| index.analyzer().keeping(kept));
    let mut changed = false;
    let total_bytes: u64 = scan.files.iter().map(|f| f.size).sum();
    reporter.start(total_bytes);
    let mut seen = Seen::default();
    let delete = |writer: &IndexWriter<TantivyDocument>, key: &Key, held: &Held| {
        let id = match key {
            Key::Id(id) => Some(id.clone()),
            Key::Line(..) => None,
        };
        let unit = Unit {
            file: held.file.clone(),
            line: held.line,
            id,
            hash: held.hash,
        };
        writer.delete_term(Term::from_field_text(fields.unit, &unit.encode()));
    };

    // Files the scan could not see: keep what the index holds for them.
    for file in &held_files {
        let file = file.as_str();
        if !present.contains_key(file) && scan.is_unreadable(file) {
            seen.keep_file(file);
            if let Some(stamp) = index.state().files.get(file) {
                state.files.insert(file.to_string(), *stamp);
            }
        }
    }

    // Unchanged files are not read; their records (and ids) stay.
    let mut to_read = Vec::new();
    for file in &scan.files {
        let unchanged = unchanged_file(&file.rel).filter(|_| held_set.contains(file.rel.as_str()));
        if let (true, Some(stamp)) = (incremental, unchanged) {
            summary.unchanged += stamp.records;
            summary.files_skipped += 1;
            seen.keep_file(&file.rel);
            state.files.insert(file.rel.clone(), stamp);
            reporter.advance(file.size);
        } else {
            let stamp = Stamp {
                size: file.size,
                mtime_ns: file.mtime_ns,
                records: 0,
            };
            to_read.push((file, stamp));
        }
    }

    // Only records loaded from the index can be gone: a build, or a run
    // that loaded none, need not remember what it reads.
    let track_seen = !known.is_empty();
    for (file, mut stamp) in to_read {
        summary.files_read += 1;
        let mut records = 0u64;
        let mut clean = true;
        // A problem about the whole file (no line): keep all it had.
        let mut keep_all = false;
        let mut add_error = None;
        let mut lookup_error = None;
        let mut reported = 0u64;
        let read = corpus::read_records(file, &mut |record| {
            let record = match record {
                Ok(r) => r,
                Err(p) => {
                    // Keep what the index held for that line, or the file.
                    match p.line {
                        Some(line) => seen.keep_at(&known, &file.rel, line),
                        None => keep_all = true,
                    }
                    reporter.problem(&p);
                    summary.failed += 1;
                    clean = false;
                    return;
                }
            };
            if record.consumed > reported {
                reporter.advance(record.consumed - reported);
                reported = record.consumed;
            }
            if let Some(id) = &record.id {
                // An id the loaded files do not hold may lie in a file kept
                // as it is: ask the index for it.
                if incremental && !known.holds(&Key::Id(id.clone())) {
                    if let Err(e) = load_records(&index, &searcher, &mut known, fields.doc, id) {
                        lookup_error.get_or_insert(e);
                        return;
                    }
                }
                if let Err((first, first_line)) = seen.claim(&known, id, &file.rel, record.line) {
                    reporter.problem(&Problem::new(
                        &file.rel,
                        Some(record.line),
                        format!("duplicate id {id:?}, first seen at {first}:{first_line}; this record was skipped, give it another id"),
                    ));
                    summary.failed += 1;
                    clean = false;
                    return;
                }
            }
            for w in &record.warnings {
                reporter.warning(w);
                summary.warnings += 1;
            }
            let key = Key::of(record.id.as_deref(), &file.rel, record.line);
            let action = known.action(&key, &file.rel, record.hash);
            if track_seen {
                seen.mark(&key);
            }
            records += 1;
            match action {
                Action::Keep => {
                    summary.unchanged += 1;
                    return;
                }
                Action::Replace(old) => {
                    delete(&writer, &key, &old);
                    if watch_edits {
                        replaced.push(Unit {
                            file: old.file.clone(),
                            line: old.line,
                            id: match &key {
                                Key::Id(id) => Some(id.clone()),
                                Key::Line(..) => None,
                            },
                            hash: old.hash,
                        });
                    }
                    summary.updated += 1;
                }
                Action::Add => summary.added += 1,
            }
            changed = true;
            let unit = Unit {
                file: file.rel.clone(),
                line: record.line,
                id: record.id.clone(),
                hash: record.hash,
            }
            .encode();
            let number = state.next_record;
            state.next_record += 1;
            write::documents(&fields, &record.article, &unit, number, |doc| {
                summary.passages += 1;
                if let Err(e) = writer.add_document(doc) {
                    add_error.get_or_insert(e);
                }
            });
        });
        if let Some(e) = add_error {
            return Err(IndexError::tantivy(index.dir(), e).into());
        }
        if let Some(e) = lookup_error {
            return Err(e.into());
        }
        match read {
            Ok(()) if keep_all => seen.keep_file(&file.rel),
            Ok(()) => {
                if clean {
                    stamp.records = records;
                    state.files.insert(file.rel.clone(), stamp);
                }
            }
            Err(p) => {
                // The file could not be read (whole or in part): keep what
                // the index holds for it, and read it again next run.
                seen.keep_file(&file.rel);
                reporter.problem(&p);
                summary.failed += 1;
            }
        }
        reporter.advance(file.size.saturating_sub(reported));
    }

    // Records that left the corpus (their line, their file, or the corpus),
    // or were excluded by an ignore file.
    for (key, held) in seen.gone(&known) {
        delete(&writer, &key, &held);
        summary.deleted += 1;
        changed = true;
    }
    for (key, held) in known.strays() {
        delete(&writer, key, held);
        changed = true;
    }
    reporter.finish();

    if changed || state != *index.state() || !incremental {
        state.runs += 1;
        if watch_edits && state.next_record > first_record {
            state.alerts.push(index::PendingAlerts {
                run: state.runs,
                time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                from: first_record,
                to: state.next_record,
                edited: previous_sentences(&index, &searcher, &replaced)?,
            });
        }
        commit_with(&index, writer, &state)?;
        if !incremental {
            // The build's threads, and their caches, are gone: the merges
            // run in a writer of their own, with the least memory.
            release_free_memory();
            let mut merger = merge_writer(&index)?;
            merger.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
            compact::compact(&mut merger, &mut |from, to| reporter.merging(from, to))
                .and_then(|_| merger.wait_merging_threads())
                .map_err(|e| IndexError::tantivy(index.dir(), e))?;
            index.publish()?;
        }
        summary.committed = true;
    } else {
        drop(writer);
    }
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}
