//! The watchlist: the queries a desk follows, kept with the index.
//!
//! A plain text file, `watchlist.txt` in the index folder, that people may
//! also edit by hand: one watched query a line, then, after ` | `, its
//! options: `label: TEXT` (how alerts and reports name it), `strict`
//! (the words as typed, no variants, aliases or typos) and `aliases: FILE`
//! (an alias file of its own, beside the run's; a relative path is read
//! from the index folder). Blank lines and lines starting with `#` are
//! skipped.
//!
//! ```text
//! # the desk's watchlist
//! al-Charaa | label: président syrien
//! "Bachar al-Assad" | strict
//! ```
//!
//! A line that cannot be read is a [`WatchProblem`] (`file:line: reason`);
//! the other lines still count.
//!
//! [`alerts`] checks each indexer run's new passages against the
//! watchlist and keeps what it caught in [`log`].

pub mod alerts;
pub mod log;

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The watchlist's file name in the index folder.
pub const FILE: &str = "watchlist.txt";

/// One watched query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watch {
    /// As the search syntax reads it.
    pub query: String,
    pub label: Option<String>,
    pub strict: bool,
    /// An alias file of its own, as written in the file.
    pub aliases: Option<String>,
}

impl Watch {
    /// What alerts and reports call it: its label, else its query.
    pub fn name(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.query)
    }

    /// The line that holds it.
    pub fn line(&self) -> String {
        let mut line = self.query.clone();
        if let Some(label) = &self.label {
            line.push_str(" | label: ");
            line.push_str(label);
        }
        if self.strict {
            line.push_str(" | strict");
        }
        if let Some(aliases) = &self.aliases {
            line.push_str(" | aliases: ");
            line.push_str(aliases);
        }
        line
    }

    /// Its alias file, a relative path read from the index folder `root`.
    pub fn aliases_path(&self, root: &Path) -> Option<PathBuf> {
        self.aliases.as_ref().map(|a| root.join(a))
    }
}

/// A line of the watchlist that was not read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {reason}", .file.display())]
pub struct WatchProblem {
    pub file: PathBuf,
    pub line: usize,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error("{0}")]
    Invalid(String),
}

/// The watchlist file of the index at `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(FILE)
}

/// Reads a query's watch from its parts: refuses what the file could not
/// hold (a line break, ` | ` inside the query or label) or an empty query.
pub fn new_watch(query: &str, label: Option<&str>, strict: bool) -> Result<Watch, String> {
    let query = query.trim();
    if query.is_empty() {
        return Err("give a query to watch".into());
    }
    let bad = |s: &str| s.contains(['\n', '\r', '|']);
    if bad(query) {
        return Err("a watched query cannot hold '|' or a line break".into());
    }
    if query.starts_with('#') {
        return Err("a watched query cannot start with '#' (the file's comments do)".into());
    }
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    if label.is_some_and(bad) {
        return Err("a label cannot hold '|' or a line break".into());
    }
    Ok(Watch {
        query: query.to_string(),
        label: label.map(str::to_string),
        strict,
        aliases: None,
    })
}

/// The watches of `text` (the file `file`), in order, and the lines that
/// could not be read. A query watched twice (same words, case and accents
/// aside, same strictness) is a problem on its second line.
pub fn parse(text: &str, file: &Path) -> (Vec<Watch>, Vec<WatchProblem>) {
    let (numbered, problems) = parse_numbered(text, file);
    (numbered.into_iter().map(|(_, w)| w).collect(), problems)
}

/// [`parse`], each watch with its line number (from 1).
pub fn parse_numbered(text: &str, file: &Path) -> (Numbered, Vec<WatchProblem>) {
    let mut watches: Vec<(usize, Watch)> = Vec::new();
    // What makes two watches the same ([`same`]), for each watch so far.
    let mut keys: std::collections::HashSet<(bool, String)> = Default::default();
    let mut problems = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let problem = |reason: String| WatchProblem {
            file: file.to_path_buf(),
            line: i + 1,
            reason,
        };
        let mut parts = line.split('|').map(str::trim);
        let query = parts.next().unwrap_or_default();
        let mut label = None;
        let mut strict = false;
        let mut aliases = None;
        let mut failed = None;
        for option in parts {
            if option == "strict" {
                strict = true;
            } else if let Some(l) = option.strip_prefix("label:") {
                label = Some(l.trim().to_string()).filter(|l| !l.is_empty());
            } else if let Some(a) = option.strip_prefix("aliases:") {
                match a.trim() {
                    "" => failed = Some("`aliases:` needs a file path".to_string()),
                    a => aliases = Some(a.to_string()),
                }
            } else {
                failed = Some(format!(
                    "unknown option {option:?} (give `label: TEXT`, `strict` or `aliases: FILE`)"
                ));
            }
        }
        if let Some(reason) = failed {
            problems.push(problem(reason));
            continue;
        }
        match new_watch(query, label.as_deref(), strict) {
            Ok(w) if !keys.insert(key(&w)) => {
                problems.push(problem(format!(
                    "{:?} is watched on an earlier line",
                    w.query
                )));
            }
            Ok(w) => watches.push((i + 1, Watch { aliases, ..w })),
            Err(reason) => problems.push(problem(reason)),
        }
    }
    (watches, problems)
}

/// Two watches are the same when their queries are, case and accents
/// aside, and so is their strictness.
fn key(w: &Watch) -> (bool, String) {
    (w.strict, crate::analysis::fold::fold_str(&w.query))
}

fn same(a: &Watch, b: &Watch) -> bool {
    key(a) == key(b)
}

/// The watchlist of the index at `root` (empty when it has none).
pub fn load(root: &Path) -> Result<(Vec<Watch>, Vec<WatchProblem>), WatchError> {
    let (numbered, problems) = load_numbered(root)?;
    Ok((numbered.into_iter().map(|(_, w)| w).collect(), problems))
}

/// Watches with their line numbers (from 1).
pub type Numbered = Vec<(usize, Watch)>;

/// [`load`], each watch with its line number.
pub fn load_numbered(root: &Path) -> Result<(Numbered, Vec<WatchProblem>), WatchError> {
    let file = path(root);
    match fs::read_to_string(&file) {
        Ok(text) => Ok(parse_numbered(&text, &file)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok((Vec::new(), Vec::new())),
        Err(source) => Err(WatchError::Io { path: file, source }),
    }
}

/// Adds `watch` at the end of the watchlist (creating it, and the index
/// folder, if needed); the lines already there, comments and bad lines
/// included, are kept as they are. Refuses a query already watched.
pub fn add(root: &Path, watch: &Watch) -> Result<(), WatchError> {
    let (watches, _) = load(root)?;
    if let Some(old) = watches.iter().find(|o| same(o, watch)) {
        return Err(WatchError::Invalid(format!(
            "{:?} is already watched (as {:?})",
            watch.query,
            old.line()
        )));
    }
    let file = path(root);
    let mut text = match fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            "# recoupe watchlist: one watched query a line, options after ` | `\n\
             # (`label: TEXT`, `strict`); see `recoupe watch --help`\n"
                .to_string()
        }
        Err(source) => return Err(WatchError::Io { path: file, source }),
    };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&watch.line());
    text.push('\n');
    write(root, &text)
}

/// Removes the watch whose query or label is `name` (case and accents
/// aside); `Ok(None)` when none is.
pub fn remove(root: &Path, name: &str) -> Result<Option<Watch>, WatchError> {
    let file = path(root);
    let text = match fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(WatchError::Io { path: file, source }),
    };
    let fold = crate::analysis::fold::fold_str;
    let wanted = fold(name.trim());
    let mut removed = None;
    let mut kept = String::with_capacity(text.len());
    for raw in text.lines() {
        let (one, _) = parse(raw, &file);
        match one.first() {
            Some(w)
                if removed.is_none()
                    && (fold(&w.query) == wanted
                        || w.label.as_deref().is_some_and(|l| fold(l) == wanted)) =>
            {
                removed = Some(w.clone());
            }
            _ => {
                kept.push_str(raw);
                kept.push('\n');
            }
        }
    }
    if removed.is_some() {
        write(root, &kept)?;
    }
    Ok(removed)
}

/// Replaces the watchlist atomically (a half-written file is never read).
fn write(root: &Path, text: &str) -> Result<(), WatchError> {
    let io = |path: &Path, source| WatchError::Io {
        path: path.to_path_buf(),
        source,
    };
    fs::create_dir_all(root).map_err(|e| io(root, e))?;
    let tmp = root.join(format!("{FILE}.tmp"));
    let file = path(root);
    let result = (|| -> io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        fs::rename(&tmp, &file)
    })();
    result.map_err(|e| io(&file, e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn lines_read_with_their_options_and_bad_ones_are_named() {
        let file = Path::new("idx/watchlist.txt");
        let (w, p) = parse(
            "# desk\n\nal-Charaa | label: président syrien\n\"Bachar al-Assad\" | strict\n\
             Damas | colour: red\n AL-CHARAA \n | strict\n",
            file,
        );
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].name(), "président syrien");
        assert!(w[1].strict && w[1].query == "\"Bachar al-Assad\"");
        let reasons: Vec<String> = p.iter().map(|p| p.to_string()).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].starts_with("idx/watchlist.txt:5: unknown option"));
        assert!(
            reasons[1].starts_with("idx/watchlist.txt:6:") && reasons[1].contains("earlier line")
        );
        assert!(reasons[2].starts_with("idx/watchlist.txt:7:"));
    }

    #[test]
    fn add_and_remove_keep_the_other_lines_as_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("index");
        add(
            &root,
            &new_watch("al-Charaa", Some("président"), false).unwrap(),
        )
        .unwrap();
        add(&root, &new_watch("Idlib", None, true).unwrap()).unwrap();
        assert!(add(&root, &new_watch("AL-CHARAA", None, false).unwrap()).is_err());
        let mut text = fs::read_to_string(path(&root)).unwrap();
        text.push_str("# kept comment\nbroken | nope\n");
        fs::write(path(&root), &text).unwrap();
        let gone = remove(&root, "Président").unwrap().unwrap();
        assert_eq!(gone.query, "al-Charaa");
        let after = fs::read_to_string(path(&root)).unwrap();
        assert!(after.contains("Idlib | strict") && after.contains("# kept comment"));
        assert!(after.contains("broken | nope") && !after.contains("al-Charaa"));
        assert_eq!(remove(&root, "absent").unwrap(), None);
    }

    proptest! {
        #[test]
        fn a_watch_reads_back_from_its_line(query in "[^|\\n\\r#][^|\\n\\r]{0,30}", label in proptest::option::of("[^|\\n\\r]{1,20}"), strict in any::<bool>(), aliases in proptest::option::of("[a-z][a-z./]{0,12}")) {
            if let Ok(w) = new_watch(&query, label.as_deref(), strict) {
                let w = Watch { aliases, ..w };
                let (back, problems) = parse(&w.line(), Path::new("w"));
                prop_assert!(problems.is_empty(), "{:?}", problems);
                prop_assert_eq!(back, vec![w]);
            }
        }

        #[test]
        fn any_text_parses_without_panic(text in any::<String>()) {
            let (watches, problems) = parse(&text, Path::new("w"));
            prop_assert!(watches.len() + problems.len() <= text.lines().count());
        }
    }
}
