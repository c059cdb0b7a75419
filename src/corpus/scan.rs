//! Listing the article files under a corpus folder.
//!
//! Guarantees: the walk is recursive and returns files sorted by their path
//! relative to the root (byte order, `/` separators). Only `.jsonl`,
//! `.jsonl.gz`, `.json`, `.txt` and `.md` files are listed (extensions in any
//! case); other files are skipped silently, and so are hidden files and
//! folders (names starting with `.`). Symbolic links to files are listed,
//! symbolic links to folders are not followed.
//!
//! A `.recoupeignore` file in any folder of the corpus excludes the paths its
//! patterns match (gitignore syntax, relative to that folder); excluded paths
//! are simply not listed. A pattern that cannot be understood is a
//! [`Problem`] naming the ignore file and line.
//!
//! A folder or entry that cannot be read becomes a [`Problem`] and the walk
//! goes on; its path is also listed in [`Scan::unreadable`], so that a caller
//! can tell "this file left the corpus" from "this file could not be seen".
//! Only a missing or unreadable root is an error.

use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{CorpusError, CorpusFile, Format, Problem, Scan};

/// Name of the file that excludes paths from the corpus.
pub const IGNORE_FILE: &str = ".recoupeignore";

/// Walks `root` and lists its article files (see the module documentation).
pub fn scan(root: &Path) -> Result<Scan, CorpusError> {
    let meta = fs::metadata(root).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            CorpusError::RootMissing {
                path: root.to_path_buf(),
            }
        } else {
            CorpusError::Unreadable {
                path: root.to_path_buf(),
                source,
            }
        }
    })?;
    if !meta.is_dir() {
        return Err(CorpusError::NotADirectory {
            path: root.to_path_buf(),
        });
    }
    fs::read_dir(root).map_err(|source| CorpusError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;

    let walk = ignore::WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(true)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .build();
    let mut result = Scan::default();
    // The folder being listed at each depth (0: the root, as "").
    let mut folders: Vec<String> = vec![String::new()];
    for item in walk {
        match item {
            Ok(entry) => visit_entry(root, &entry, &mut result, &mut folders),
            Err(err) => walk_error(root, &err, &folders, &mut result),
        }
    }
    result.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    result
        .problems
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    result.unreadable.sort();
    result.unreadable.dedup();
    Ok(result)
}

/// The path of `path` relative to `root`, with `/` separators; `None` when
/// it is not valid UTF-8 (or not under the root).
fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for part in rel.components() {
        let part = part.as_os_str().to_str()?;
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(part);
    }
    Some(out)
}

fn lossy_relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.to_string_lossy().replace('\\', "/")
}

fn shown(rel: &str) -> &str {
    if rel.is_empty() {
        "."
    } else {
        rel
    }
}

/// An error of the walk itself: a folder that cannot be listed (whole or
/// past some entry), or an entry whose type cannot be read. What lies there
/// is unknown, so the path is marked unreadable.
fn walk_error(root: &Path, err: &ignore::Error, folders: &[String], result: &mut Scan) {
    // The walk's own error text repeats the path; its kind says it all.
    let cause = match err.io_error() {
        Some(e) if e.kind() != std::io::ErrorKind::Other => e.kind().to_string(),
        Some(e) => e.to_string(),
        None => err.to_string(),
    };
    match error_path(err) {
        Some(path) => {
            let rel = relative(root, path).unwrap_or_else(|| lossy_relative(root, path));
            let what = if path.is_dir() {
                "cannot read this folder"
            } else {
                "cannot read this entry"
            };
            result.problems.push(Problem::new(
                shown(&rel),
                None,
                format!(
                    "{what} ({cause}); check its permissions; what the index holds for it is kept"
                ),
            ));
            result.unreadable.push(rel);
        }
        None => {
            // An entry of a folder's listing failed: that folder is the one
            // listed at the depth above the entry.
            let depth = err.depth().unwrap_or(1).max(1);
            let folder = folders.get(depth - 1).cloned().unwrap_or_default();
            result.problems.push(Problem::new(
                shown(&folder),
                None,
                format!("cannot list every entry of this folder ({cause}); check its permissions; what the index holds for it is kept"),
            ));
            result.unreadable.push(folder);
        }
    }
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Problems met reading an ignore file (unreadable, or a bad pattern).
fn ignore_file_problems(
    root: &Path,
    err: &ignore::Error,
    line: Option<u64>,
    out: &mut Vec<Problem>,
) {
    match err {
        ignore::Error::Partial(errs) => {
            for e in errs {
                ignore_file_problems(root, e, line, out);
            }
        }
        ignore::Error::WithLineNumber { line, err } => {
            ignore_file_problems(root, err, Some(*line), out)
        }
        ignore::Error::WithPath { path, err } => {
            let rel = relative(root, path).unwrap_or_else(|| lossy_relative(root, path));
            let line = line.or_else(|| line_of(err));
            let reason = match err.io_error() {
                Some(e) => format!(
                    "cannot read this ignore file ({e}); its patterns were not applied; check its permissions"
                ),
                None => format!("{}; fix this pattern (gitignore syntax)", bare(err)),
            };
            out.push(Problem::new(&rel, line, reason));
        }
        other => out.push(Problem::new(
            IGNORE_FILE,
            line,
            format!("{}; fix this pattern (gitignore syntax)", bare(other)),
        )),
    }
}

/// The line an error is tagged with, however deep.
fn line_of(err: &ignore::Error) -> Option<u64> {
    match err {
        ignore::Error::WithLineNumber { line, .. } => Some(*line),
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => line_of(err),
        _ => None,
    }
}

/// An error's message without the path or line it is tagged with.
fn bare(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => bare(err),
        ignore::Error::Glob { glob, err } => match glob {
            Some(glob) => format!("bad pattern {glob:?}: {err}"),
            None => format!("bad pattern: {err}"),
        },
        other => other.to_string(),
    }
}

fn visit_entry(
    root: &Path,
    entry: &ignore::DirEntry,
    result: &mut Scan,
    folders: &mut Vec<String>,
) {
    if let Some(err) = entry.error() {
        ignore_file_problems(root, err, None, &mut result.problems);
    }
    let depth = entry.depth();
    if depth == 0 {
        return;
    }
    let path = entry.path();
    let Some(rel) = relative(root, path) else {
        let shown = lossy_relative(root, path);
        let name = entry.file_name().to_string_lossy();
        let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
        if is_dir || format_of(&name).is_some() {
            result.problems.push(Problem::new(
                &shown,
                None,
                "name is not valid UTF-8, so it was skipped; rename it",
            ));
        }
        return;
    };
    let Some(file_type) = entry.file_type() else {
        return;
    };
    if file_type.is_dir() {
        folders.truncate(depth);
        folders.push(rel);
        return;
    }
    let name = rel.rsplit('/').next().unwrap_or(&rel);
    let Some(format) = format_of(name) else {
        return;
    };
    let meta = if file_type.is_symlink() {
        match fs::metadata(path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                result.problems.push(Problem::new(
                    &rel,
                    None,
                    format!("broken symbolic link ({e}); fix or remove it; what the index holds for it is kept"),
                ));
                result.unreadable.push(rel);
                return;
            }
            Err(e) => {
                result.problems.push(Problem::new(
                    &rel,
                    None,
                    format!("cannot follow this symbolic link ({e}); check its permissions; what the index holds for it is kept"),
                ));
                result.unreadable.push(rel);
                return;
            }
        }
    } else if file_type.is_file() {
        match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) => {
                result.problems.push(Problem::new(
                    &rel,
                    None,
                    format!("cannot read file details ({e}); check its permissions; what the index holds for it is kept"),
                ));
                result.unreadable.push(rel);
                return;
            }
        }
    } else {
        return;
    };
    result.files.push(CorpusFile {
        rel,
        path: PathBuf::from(path),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        format,
    });
}

/// The format a file name calls for, or `None` for files that are not
/// articles.
pub(crate) fn format_of(name: &str) -> Option<Format> {
    let lower = name.to_lowercase();
    if lower.ends_with(".jsonl.gz") {
        Some(Format::JsonlGz)
    } else if lower.ends_with(".jsonl") {
        Some(Format::Jsonl)
    } else if lower.ends_with(".json") {
        Some(Format::Json)
    } else if lower.ends_with(".txt") || lower.ends_with(".md") {
        Some(Format::Text)
    } else {
        None
    }
}

fn mtime_ns(meta: &Metadata) -> i64 {
    let Ok(modified) = meta.modified() else {
        return 0;
    };
    match modified.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_nanos()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_nanos()).map_or(i64::MIN, |n| -n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(root: &Path, rel: &str, content: &str) {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(path, content).unwrap();
    }

    fn rels(scan: &Scan) -> Vec<&str> {
        scan.files.iter().map(|f| f.rel.as_str()).collect()
    }

    #[test]
    fn lists_article_files_sorted_and_skips_hidden_and_others() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "z.txt",
            "b/deep/c.JSONL.GZ",
            "a.json",
            "b/x.jsonl",
            "b/notes.MD",
            "photo.jpg",
            "archive.json.gz",
            ".hidden.txt",
            ".git/config.json",
            "b/.cache/y.jsonl",
        ] {
            write(root, rel, "{}");
        }
        let scan = scan(root).unwrap();
        assert_eq!(
            rels(&scan),
            vec![
                "a.json",
                "b/deep/c.JSONL.GZ",
                "b/notes.MD",
                "b/x.jsonl",
                "z.txt"
            ]
        );
        let formats: Vec<Format> = scan.files.iter().map(|f| f.format).collect();
        assert_eq!(
            formats,
            vec![
                Format::Json,
                Format::JsonlGz,
                Format::Text,
                Format::Jsonl,
                Format::Text
            ]
        );
        assert!(scan.problems.is_empty());
        let a = &scan.files[0];
        assert_eq!(a.size, 2);
        assert!(a.mtime_ns > 0);
        assert_eq!(a.path, root.join("a.json"));
    }

    #[test]
    fn root_errors() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("absent");
        assert!(matches!(
            scan(&missing),
            Err(CorpusError::RootMissing { .. })
        ));
        write(dir.path(), "f.txt", "x");
        let file = dir.path().join("f.txt");
        let err = scan(&file).unwrap_err();
        assert!(matches!(err, CorpusError::NotADirectory { .. }));
        assert!(err.to_string().starts_with(&file.display().to_string()));
    }

    #[test]
    fn empty_folder_gives_empty_scan() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(scan(dir.path()).unwrap(), Scan::default());
    }

    #[cfg(unix)]
    #[test]
    fn symlinked_folders_are_not_followed_but_linked_files_are() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("corpus");
        write(&root, "real/a.txt", "Titre");
        write(dir.path(), "outside/b.txt", "Titre");
        std::os::unix::fs::symlink(dir.path().join("outside"), root.join("linkdir")).unwrap();
        std::os::unix::fs::symlink(root.join("real/a.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("gone.txt"), root.join("broken.txt")).unwrap();
        let scan = scan(&root).unwrap();
        assert_eq!(rels(&scan), vec!["link.txt", "real/a.txt"]);
        assert_eq!(scan.problems.len(), 1);
        assert_eq!(scan.problems[0].path, "broken.txt");
        assert_eq!(scan.unreadable, vec!["broken.txt"]);
    }

    #[cfg(unix)]
    #[test]
    fn unreadable_subfolder_is_a_problem_and_the_walk_goes_on() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "locked/a.txt", "Titre");
        write(root, "open/b.txt", "Titre");
        let locked = root.join("locked");
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let readable_anyway = fs::read_dir(&locked).is_ok(); // running as root
        let result = scan(root);
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
        let scan = result.unwrap();
        if readable_anyway {
            assert_eq!(rels(&scan), vec!["locked/a.txt", "open/b.txt"]);
        } else {
            assert_eq!(rels(&scan), vec!["open/b.txt"]);
            assert_eq!(scan.problems.len(), 1);
            assert_eq!(scan.problems[0].path, "locked");
            assert!(scan.problems[0].reason.contains("permissions"));
            assert_eq!(scan.unreadable, vec!["locked"]);
        }
    }

    #[test]
    fn ignore_files_exclude_paths_in_their_folder_and_below() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for rel in [
            "keep.jsonl",
            "bad.jsonl",
            "drafts/a.txt",
            "sub/x.md",
            "sub/old/y.md",
            "sub/old/keep.md",
        ] {
            write(root, rel, "{}");
        }
        write(root, IGNORE_FILE, "# comment\nbad.jsonl\ndrafts/\n");
        write(root, "sub/.recoupeignore", "old/*\n!old/keep.md\n");
        let scan = scan(root).unwrap();
        assert_eq!(
            rels(&scan),
            vec!["keep.jsonl", "sub/old/keep.md", "sub/x.md"]
        );
        assert!(scan.problems.is_empty(), "{:?}", scan.problems);
        assert!(scan.unreadable.is_empty());
    }

    #[test]
    fn other_ignore_files_do_not_apply() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "a.jsonl", "{}");
        write(root, ".gitignore", "a.jsonl\n");
        write(root, ".ignore", "a.jsonl\n");
        assert_eq!(rels(&scan(root).unwrap()), vec!["a.jsonl"]);
    }

    #[test]
    fn unreadable_paths_cover_what_lies_under_them() {
        let scan = Scan {
            unreadable: vec!["a/b".into(), "c.jsonl".into()],
            ..Scan::default()
        };
        assert!(scan.is_unreadable("a/b/x.jsonl"));
        assert!(scan.is_unreadable("a/b"));
        assert!(scan.is_unreadable("c.jsonl"));
        assert!(!scan.is_unreadable("a/bc.jsonl"));
        assert!(!scan.is_unreadable("a/x.jsonl"));
        let root = Scan {
            unreadable: vec![String::new()],
            ..Scan::default()
        };
        assert!(root.is_unreadable("anything.txt"));
        assert!(!Scan::default().is_unreadable("a.txt"));
    }

    #[test]
    fn a_listing_that_fails_part_way_marks_its_folder_unreadable() {
        let root = Path::new("/corpus");
        let folders = vec![String::new(), "a".to_string(), "a/b".to_string()];
        // An entry at depth 2 failed: the folder listed was at depth 1.
        let err = ignore::Error::WithDepth {
            depth: 2,
            err: Box::new(ignore::Error::Io(std::io::Error::from(
                std::io::ErrorKind::TimedOut,
            ))),
        };
        let mut result = Scan::default();
        walk_error(root, &err, &folders, &mut result);
        assert_eq!(result.unreadable, vec!["a"]);
        assert_eq!(
            result.problems[0].to_string(),
            "a: cannot list every entry of this folder (timed out); check its permissions; what the index holds for it is kept"
        );
        // At the top, the whole corpus is concerned.
        let err = ignore::Error::WithDepth {
            depth: 1,
            err: Box::new(ignore::Error::Io(std::io::Error::from(
                std::io::ErrorKind::TimedOut,
            ))),
        };
        let mut result = Scan::default();
        walk_error(root, &err, &folders, &mut result);
        assert_eq!(result.unreadable, vec![""]);
        assert_eq!(result.problems[0].path, ".");
        assert!(result.is_unreadable("any/file.jsonl"));
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(format_of("a.Jsonl.Gz"), Some(Format::JsonlGz));
        assert_eq!(format_of("a.gz"), None);
        assert_eq!(format_of("a.markdown"), None);
        assert_eq!(format_of("README.md"), Some(Format::Text));
    }
}
