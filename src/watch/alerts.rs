//! Alerts: after each indexer run, the passages it added or changed that
//! a watched query matches.
//!
//! A run that changed something records itself in its commit
//! ([`crate::index::PendingAlerts`]: the record numbers it wrote, and the
//! sentences of the articles it replaced). Once committed, each watched
//! query is searched as `recoupe search` would, restricted to those
//! records ([`SearchOptions::records`]) and requiring every word
//! ([`SearchOptions::all`]): same spellings, aliases, typos, strictness and
//! highlights. A passage matching through its article's title alone
//! alerts once per article, and only when no other passage of the article
//! names the watch. A passage of an edited article alerts only
//! when one of its matches lies in a sentence (or title) the article did
//! not hold before. The alerts are written to the log ([`super::log`]) and
//! to the caller's outputs, then a second commit takes the run off the
//! pending list. A run killed before that is alerted by the next run, and
//! file outputs cut what the killed run had written of it: each alert is
//! written once.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::{Analyses, Analyzer};
use crate::api::Alert;
use crate::index::{self, Index, IndexError, PendingAlerts, State};
use crate::indexer::{self, Reporter, RunError, Summary};
use crate::names::AliasTable;
use crate::search::{Hit, SearchOptions, Searcher};

use super::{log, Watch, WatchError};

/// Alerts written for one watch in one run at most; the rest are counted
/// in [`Delivered::left_out`] (`recoupe search` finds them all).
pub const MAX_PER_WATCH: usize = 2000;

/// Passages (and titles) whose analysis a run with a watchlist keeps, so
/// that a passage is analysed once, by the indexer, however many watches
/// match it: about 40 MB for a run of 1,000 articles, at most 160 MB.
pub const ANALYSES_KEPT: usize = 16_384;

/// Threads the watches are shared among, at most.
const MAX_THREADS: usize = 4;

/// Where a run's alerts go besides the log.
pub trait Output: Send {
    /// Writes run `run`'s alert lines (each ending with a line break).
    /// Called again with the same run when an earlier try was cut short.
    fn write_run(&mut self, run: u64, lines: &[u8]) -> io::Result<()>;
    /// The output's name in messages.
    fn name(&self) -> String;
}

/// A JSONL file, written as the log is: a run written again replaces its
/// earlier lines.
pub struct FileOutput(pub PathBuf);

impl Output for FileOutput {
    fn write_run(&mut self, run: u64, lines: &[u8]) -> io::Result<()> {
        log::write_run(&self.0, run, lines)
    }
    fn name(&self) -> String {
        self.0.display().to_string()
    }
}

/// A stream (standard output): a run alerted again after a kill between
/// its write and its second commit is written again.
pub struct StreamOutput<W: Write>(pub W);

impl<W: Write + Send> Output for StreamOutput<W> {
    fn write_run(&mut self, _run: u64, lines: &[u8]) -> io::Result<()> {
        self.0.write_all(lines)?;
        self.0.flush()
    }
    fn name(&self) -> String {
        "standard output".into()
    }
}

/// What the alert step did.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Delivered {
    /// Alerts written.
    pub alerts: u64,
    /// The runs alerted (an earlier run left pending first, then this one).
    pub runs: Vec<u64>,
    /// Watches that could not be checked, and watchlist lines that could
    /// not be read (`file:line: reason`); the others were checked.
    pub problems: Vec<String>,
    /// Watches that matched more than [`MAX_PER_WATCH`] new passages in a
    /// run: the watch's name and how many were left out.
    pub left_out: Vec<(String, u64)>,
    /// Why alerts could not be written: they stay pending, and the next
    /// run writes them.
    pub errors: Vec<String>,
    /// Time spent checking and writing alerts (the run's own time is in
    /// its [`Summary`]).
    pub seconds: f64,
}

impl Delivered {
    fn add(&mut self, other: Delivered) {
        self.alerts += other.alerts;
        self.runs.extend(other.runs);
        self.problems.extend(other.problems);
        self.left_out.extend(other.left_out);
        self.errors.extend(other.errors);
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    /// The index could not be opened for searching (see [`index_and_alert`]).
    #[error(transparent)]
    Open(IndexError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error("{name}: {source}")]
    Write { name: String, source: io::Error },
}

/// True when `hit`, a passage of an article whose previous version held
/// the sentences `old` (hashes), matches in a sentence or title that is
/// new. A hit without any placed match counts as new.
fn is_new_match(hit: &Hit, old: &[u64]) -> bool {
    let known = |h: u64| old.binary_search(&h).is_ok();
    if hit.matches.is_empty() && hit.title_matches.is_empty() {
        return true;
    }
    let sentences = crate::copies::sentences(&hit.text);
    let text_new = hit.matches.iter().any(|m| {
        sentences
            .iter()
            .find(|(s, e, _)| *s <= m.start && m.start < *e)
            .is_none_or(|&(_, _, h)| !known(h))
    });
    let title_new = !hit.title_matches.is_empty()
        && crate::copies::sentence_hash(&hit.title).is_none_or(|h| !known(h));
    text_new || title_new
}

/// A watch's alerts: their JSON lines and their number, and how many
/// matching passages were left out; or why it could not be checked.
type Found = Result<(Vec<u8>, u64, u64), String>;

/// The alerts of `watch` for the pending run `pending`, searched by
/// `searcher`; and how many matching passages were left out.
fn alerts_of(searcher: &Searcher, watch: &Watch, pending: &PendingAlerts) -> Found {
    let opts = SearchOptions {
        limit: MAX_PER_WATCH,
        all: true,
        strict: watch.strict,
        records: Some(pending.from..pending.to),
        collapse_copies: false,
        ..SearchOptions::default()
    };
    let answer = searcher
        .search(&watch.query, &opts)
        .map_err(|e| e.to_string())?;
    let left_out = answer
        .totals
        .passages
        .saturating_sub(answer.hits.len() as u64);
    // A passage that matches through its article's title alone says no
    // more than the title: one alert per article (its first such passage),
    // none when another passage of the article names the watch itself.
    let mut named: std::collections::HashSet<&str> = Default::default();
    let mut first_title_only: HashMap<&str, u64> = HashMap::new();
    for hit in &answer.hits {
        if hit.title_only {
            let p = first_title_only
                .entry(hit.doc.as_str())
                .or_insert(hit.passage);
            *p = (*p).min(hit.passage);
        } else {
            named.insert(hit.doc.as_str());
        }
    }
    let mut lines = Vec::new();
    let mut count = 0;
    let alerts = answer
        .hits
        .iter()
        .filter(|hit| {
            !hit.title_only
                || (!named.contains(hit.doc.as_str())
                    && first_title_only.get(hit.doc.as_str()) == Some(&hit.passage))
        })
        .filter(|hit| {
            pending
                .edited
                .get(&hit.doc)
                .is_none_or(|old| is_new_match(hit, old))
        })
        .map(|hit| {
            Alert::new(
                pending.run,
                &pending.time,
                &watch.query,
                watch.label.as_deref(),
                hit,
            )
        });
    for alert in alerts {
        // An alert is plain data: it always serialises (a line that did
        // not would be cut, not left half-written).
        let at = lines.len();
        match serde_json::to_writer(&mut lines, &alert) {
            Ok(()) => {
                lines.push(b'\n');
                count += 1;
            }
            Err(_) => lines.truncate(at),
        }
    }
    Ok((lines, count, left_out))
}

/// The searchers of the watches: the run's alias table, and, for each
/// watch's own alias file, that table with the file merged in (or why it
/// could not be read).
struct Searchers<'a> {
    root: &'a Path,
    analyzer: Arc<Analyzer>,
    aliases: &'a AliasTable,
    by_file: HashMap<PathBuf, Result<Searcher, String>>,
}

impl Searchers<'_> {
    /// The searcher of `watch` (once [`Searchers::prepare`]d).
    fn find<'s>(&'s self, base: &'s Searcher, watch: &Watch) -> Result<&'s Searcher, String> {
        match watch.aliases_path(self.root) {
            None => Ok(base),
            Some(file) => match self.by_file.get(&file) {
                Some(found) => found.as_ref().map_err(Clone::clone),
                None => Err(format!("alias file {}: not read", file.display())),
            },
        }
    }

    /// Reads `watch`'s alias file, when it names one not read yet.
    fn prepare(&mut self, watch: &Watch) {
        let Some(file) = watch.aliases_path(self.root) else {
            return;
        };
        let (root, analyzer, aliases) = (self.root, self.analyzer.clone(), self.aliases);
        self.by_file.entry(file.clone()).or_insert_with(|| {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| format!("alias file {}: {e}", file.display()))?;
            let (extra, problems) = crate::names::parse_aliases(&text, &file.display().to_string());
            if let Some(p) = problems.first() {
                return Err(format!("alias file: {p}"));
            }
            let mut table = aliases.clone();
            table.merge(extra);
            let index = Index::open(root, analyzer).map_err(|e| e.to_string())?;
            Searcher::with_aliases(index, table)
                .map(|s| s.remembering_passages(ANALYSES_KEPT))
                .map_err(|e| e.to_string())
        });
    }
}

/// Writes the alerts of every run the live index at `root` has pending,
/// to the log and to `outputs`, then marks them written in a commit. The
/// caller holds the indexer lock (`_lock`). Watches that cannot be checked
/// are reported in [`Delivered::problems`]; the others are checked.
pub fn deliver(
    _lock: &index::Lock,
    root: &Path,
    analyzer: Arc<Analyzer>,
    aliases: &AliasTable,
    outputs: &mut [&mut dyn Output],
) -> Result<Delivered, AlertError> {
    let mut delivered = Delivered::default();
    // The quiet run's case, cheaply: nothing pending, nothing opened.
    if !index::alerts_pending(root) {
        return Ok(delivered);
    }
    let index = match Index::open(root, analyzer.clone()) {
        Ok(index) => index,
        Err(IndexError::NotFound { .. }) => return Ok(delivered),
        Err(e) => return Err(AlertError::Open(e)),
    };
    if index.state().alerts.is_empty() {
        return Ok(delivered);
    }
    let (watches, problems) = super::load_numbered(root)?;
    delivered
        .problems
        .extend(problems.iter().map(ToString::to_string));
    let base = Searcher::with_aliases(index, aliases.clone())
        .map_err(|e| IndexError::Corrupt {
            path: root.to_path_buf(),
            reason: e.to_string(),
        })?
        .remembering_passages(ANALYSES_KEPT);
    let mut searchers = Searchers {
        root,
        analyzer,
        aliases,
        by_file: HashMap::new(),
    };
    let file = super::path(root);
    let state: State = base.index().state().clone();
    // Searchers are made before the watches are shared out among threads.
    for (_, watch) in &watches {
        searchers.prepare(watch);
    }
    let searchers = &searchers;
    let base = &base;
    // The run's analyses, when the caller keeps them; else kept here.
    let _keeping = (!base.index().analyzer().is_keeping()).then(|| {
        base.index()
            .analyzer()
            .keeping(Analyses::new(ANALYSES_KEPT))
    });
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_THREADS)
        .min(watches.len().max(1));
    for pending in &state.alerts {
        // Each watch's alerts, in watchlist order, whichever thread ran it.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let results: Vec<(usize, Found)> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some((_, watch)) = watches.get(i) else {
                                break done;
                            };
                            let found = searchers
                                .find(base, watch)
                                .and_then(|s| alerts_of(s, watch, pending));
                            done.push((i, found));
                        }
                    })
                })
                .collect();
            let mut all = Vec::new();
            for w in workers {
                match w.join() {
                    Ok(done) => all.extend(done),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            all.sort_by_key(|(i, _)| *i);
            all
        });
        let mut lines = Vec::new();
        let mut count = 0u64;
        for (i, found) in results {
            let (line, watch) = &watches[i];
            match found {
                Ok((alerts, n, left_out)) => {
                    lines.extend_from_slice(&alerts);
                    count += n;
                    if left_out > 0 {
                        delivered
                            .left_out
                            .push((watch.name().to_string(), left_out));
                    }
                }
                Err(reason) => delivered.problems.push(format!(
                    "{}:{line}: {:?} was not checked for run {}: {reason}",
                    file.display(),
                    watch.query,
                    pending.run
                )),
            }
        }
        // The log and the outputs are written side by side: each is synced,
        // and the run stays pending until both are done.
        let log_path = log::path(root);
        let (logged, sent) = std::thread::scope(|scope| {
            let logged = scope.spawn(|| log::write_run(&log_path, pending.run, &lines));
            let sent = outputs.iter_mut().try_for_each(|out| {
                out.write_run(pending.run, &lines)
                    .map_err(|source| AlertError::Write {
                        name: out.name(),
                        source,
                    })
            });
            let logged = logged
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("the log's writer stopped")));
            (logged, sent)
        });
        logged.map_err(|source| AlertError::Write {
            name: log_path.display().to_string(),
            source,
        })?;
        sent?;
        delivered.alerts += count;
        delivered.runs.push(pending.run);
    }
    let cleared = State {
        alerts: Vec::new(),
        ..state
    };
    indexer::commit_state(base.index(), &cleared)?;
    Ok(delivered)
}

/// One indexer run with its alerts: alerts left pending by an earlier run
/// (killed after its commit) first, then the run, then its own alerts.
/// The run records its change for the watchlist only when something is
/// watched. An alert step that fails does not stop the run: its error is
/// in [`Delivered::errors`] and its alerts stay pending for the next run.
pub fn index_and_alert(
    corpus: &Path,
    root: &Path,
    analyzer: Arc<Analyzer>,
    opts: &indexer::Options,
    reporter: &mut dyn Reporter,
    aliases: &AliasTable,
    outputs: &mut [&mut dyn Output],
) -> Result<(Summary, Delivered), RunError> {
    let lock = index::lock(root, opts.wait)?;
    let mut delivered = Delivered::default();
    // What the run analyses, the alert step highlights.
    let kept = Analyses::new(ANALYSES_KEPT);
    let step = |delivered: &mut Delivered, outputs: &mut [&mut dyn Output], before: bool| {
        let started = std::time::Instant::now();
        match deliver(&lock, root, analyzer.clone(), aliases, outputs) {
            Ok(d) => delivered.add(d),
            // Before the run, an index that cannot be opened for searching
            // (another version's, a damaged one) is the run's to rebuild or
            // report; a rebuild leaves nothing pending.
            Err(AlertError::Open(_)) if before => {}
            Err(e) => delivered.errors.push(e.to_string()),
        }
        delivered.seconds += started.elapsed().as_secs_f64();
    };
    step(&mut delivered, outputs, true);
    // An unreadable watchlist still records the change: its alerts wait.
    let watching = super::load(root).map_or(true, |(w, _)| !w.is_empty());
    let run_opts = indexer::Options {
        alerts: watching,
        analyses: Some(kept.clone()),
        ..opts.clone()
    };
    let summary = indexer::run_locked(&lock, corpus, root, analyzer.clone(), &run_opts, reporter)?;
    if summary.committed && watching {
        let _keeping = analyzer.keeping(kept);
        step(&mut delivered, outputs, false);
    }
    Ok((summary, delivered))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::plan::How;
    use crate::search::Match;

    fn hit(text: &str, title: &str, at: &[usize], in_title: bool) -> Hit {
        let m = |start: usize, end: usize| Match {
            start,
            end,
            text: String::new(),
            query: "q".into(),
            how: How::Exact,
            via: "q".into(),
        };
        Hit {
            rank: 1,
            score: 1.0,
            matched_words: 1,
            doc: "d".into(),
            passage: 0,
            title: title.into(),
            date: None,
            source: String::new(),
            url: String::new(),
            path: String::new(),
            text: text.into(),
            snippet: text.into(),
            snippet_highlights: Vec::new(),
            matches: at.iter().map(|&s| m(s, s + 1)).collect(),
            title_highlights: Vec::new(),
            title_matches: if in_title { vec![m(0, 1)] } else { Vec::new() },
            title_only: false,
            more: Vec::new(),
            copies: Vec::new(),
            copies_total: 0,
        }
    }

    fn old(text: &str, title: &str) -> Vec<u64> {
        let mut h: Vec<u64> = crate::copies::sentences(text)
            .into_iter()
            .map(|(_, _, h)| h)
            .collect();
        h.extend(crate::copies::sentence_hash(title));
        h.sort_unstable();
        h
    }

    /// A run the watchlist checks keeps the analyses of the passages it
    /// writes, exactly as the highlighter would make them; a build keeps
    /// none (it alerts nothing), and nothing is kept after the run.
    #[test]
    fn a_watched_run_hands_the_analyses_of_its_passages_to_the_alert_step() {
        let tmp = tempfile::tempdir().unwrap();
        let (corpus, root) = (tmp.path().join("corpus"), tmp.path().join("index"));
        std::fs::create_dir_all(&corpus).unwrap();
        let article = |id: &str, body: &str| {
            serde_json::json!({"id": id, "title": format!("Kiev, {id}"), "body": body}).to_string()
        };
        std::fs::write(
            corpus.join("a.jsonl"),
            article("a", "Volodymyr Zelensky a parlé hier à Kiev."),
        )
        .unwrap();
        let analyzer = Arc::new(Analyzer::default());
        let kept = Analyses::new(ANALYSES_KEPT);
        let opts = indexer::Options {
            alerts: true,
            analyses: Some(kept.clone()),
            ..indexer::Options::default()
        };
        let run = || {
            indexer::run(
                &corpus,
                &root,
                analyzer.clone(),
                &opts,
                &mut indexer::Collect::default(),
            )
            .unwrap()
        };
        assert_eq!(run().added, 1);
        assert!(kept.is_empty(), "a build keeps nothing");
        std::fs::write(
            corpus.join("b.jsonl"),
            article("b", "Le président Zelensky est arrivé à Bruxelles lundi."),
        )
        .unwrap();
        assert_eq!(run().added, 1);
        assert!(!analyzer.is_keeping());
        let searcher = Searcher::new(Index::open(&root, analyzer.clone()).unwrap()).unwrap();
        let answer = searcher
            .search("Zelensky", &SearchOptions::default())
            .unwrap();
        assert_eq!(answer.hits.len(), 2);
        for hit in &answer.hits {
            let mut words = Vec::new();
            analyzer.analyze(&hit.text, &mut words);
            match hit.doc.as_str() {
                "b" => {
                    assert_eq!(kept.get(&hit.text).as_deref(), Some(&words));
                    assert!(kept.get(&hit.title).is_some());
                }
                _ => assert!(kept.get(&hit.text).is_none(), "a was not written again"),
            }
        }
    }

    #[test]
    fn a_match_is_new_only_in_a_sentence_the_article_did_not_hold() {
        let before = old("Al-Charaa parle. Le temps est beau.", "Damas");
        // The other sentence was edited: the match is the same.
        let edited = "Al-Charaa parle. Le temps est gris.";
        assert!(!is_new_match(&hit(edited, "Damas", &[0], false), &before));
        // A new sentence names him: new.
        let added = "Al-Charaa parle. Puis al-Charaa part.";
        assert!(is_new_match(&hit(added, "Damas", &[17], false), &before));
        // Only the title matches, and it changed.
        assert!(is_new_match(
            &hit("Rien.", "Damas et al-Charaa", &[], true),
            &before
        ));
        assert!(!is_new_match(&hit("Rien.", "Damas", &[], true), &before));
    }
}
