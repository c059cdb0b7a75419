//! Listing the article files under a corpus folder.
//!
//! Guarantees: the walk is recursive and returns files sorted by their path
//! relative to the root (byte order, `/` separators). Only `.jsonl`,
//! `.jsonl.gz`, `.json`, `.txt` and `.md` files are listed (extensions in any
//! case); other files are skipped silently, and so are hidden files and
//! folders (names starting with `.`). Symbolic links to files are listed,
//! symbolic links to folders are not followed. A folder or entry that cannot
//! be read becomes a [`Problem`] and the walk goes on; only a missing or
//! unreadable root is an error.

use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{CorpusError, CorpusFile, Format, Problem, Scan};

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
    let top = fs::read_dir(root).map_err(|source| CorpusError::Unreadable {
        path: root.to_path_buf(),
        source,
    })?;

    let mut result = Scan::default();
    let mut pending: Vec<(fs::ReadDir, String)> = vec![(top, String::new())];
    while let Some((entries, prefix)) = pending.pop() {
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    result.problems.push(Problem::new(
                        folder_name(&prefix),
                        None,
                        format!("cannot list an entry of this folder ({e}); check its permissions"),
                    ));
                    continue;
                }
            };
            visit_entry(&entry, &prefix, &mut result, &mut pending);
        }
    }
    result.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    result
        .problems
        .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    Ok(result)
}

fn folder_name(prefix: &str) -> &str {
    if prefix.is_empty() {
        "."
    } else {
        prefix
    }
}

fn visit_entry(
    entry: &fs::DirEntry,
    prefix: &str,
    result: &mut Scan,
    pending: &mut Vec<(fs::ReadDir, String)>,
) {
    let os_name = entry.file_name();
    let path = entry.path();
    let Some(name) = os_name.to_str() else {
        let shown = os_name.to_string_lossy();
        let rel = join(prefix, &shown);
        let is_dir = entry.file_type().map(|t| t.is_dir()).unwrap_or(false);
        if !shown.starts_with('.') && (is_dir || format_of(&shown).is_some()) {
            result.problems.push(Problem::new(
                &rel,
                None,
                "name is not valid UTF-8, so it was skipped; rename it",
            ));
        }
        return;
    };
    if name.starts_with('.') {
        return;
    }
    let rel = join(prefix, name);
    let file_type = match entry.file_type() {
        Ok(t) => t,
        Err(e) => {
            result.problems.push(Problem::new(
                &rel,
                None,
                format!("cannot read this entry ({e}); check its permissions"),
            ));
            return;
        }
    };
    if file_type.is_dir() {
        match fs::read_dir(&path) {
            Ok(entries) => pending.push((entries, rel)),
            Err(e) => result.problems.push(Problem::new(
                &rel,
                None,
                format!("cannot read this folder ({e}); check its permissions"),
            )),
        }
        return;
    }
    let Some(format) = format_of(name) else {
        return;
    };
    let meta = if file_type.is_symlink() {
        match fs::metadata(&path) {
            Ok(m) if m.is_file() => m,
            Ok(_) => return,
            Err(e) => {
                result.problems.push(Problem::new(
                    &rel,
                    None,
                    format!("broken symbolic link ({e}); fix or remove it"),
                ));
                return;
            }
        }
    } else if file_type.is_file() {
        match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                result.problems.push(Problem::new(
                    &rel,
                    None,
                    format!("cannot read file details ({e}); check its permissions"),
                ));
                return;
            }
        }
    } else {
        return;
    };
    result.files.push(CorpusFile {
        rel,
        path: PathBuf::from(&path),
        size: meta.len(),
        mtime_ns: mtime_ns(&meta),
        format,
    });
}

fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_string()
    } else {
        format!("{prefix}/{name}")
    }
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
        }
    }

    #[test]
    fn format_by_extension() {
        assert_eq!(format_of("a.Jsonl.Gz"), Some(Format::JsonlGz));
        assert_eq!(format_of("a.gz"), None);
        assert_eq!(format_of("a.markdown"), None);
        assert_eq!(format_of("README.md"), Some(Format::Text));
    }
}
