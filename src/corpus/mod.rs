//! The article corpus: finding article files under a folder, reading them as
//! records, turning records into articles, and cutting articles into
//! passages.
//!
//! Supported files are `.jsonl` and `.jsonl.gz` (one JSON article per line),
//! `.json` (one article object or an array of them), and `.txt` / `.md` (one
//! article per file). The work is split so that an indexer can skip what has
//! not changed: [`scan`] lists files with their size and modification time,
//! and [`read_records`] streams a file's records, each with its article, its
//! own id when it has one, and a stable content hash.
//!
//! Guarantees: nothing here panics on any file content; every problem found
//! in the corpus is reported as a [`Problem`] naming the file (and line when
//! known), saying what is wrong and, where it helps, what to do about it.
//! One bad record or file never stops the rest of the corpus from being read.

mod date;
mod fields;
mod passages;
mod read;
mod scan;
mod text;

use std::fmt;
use std::path::PathBuf;

pub use date::{french_date_in, parse_date};
pub use passages::{passages, Passage, PASSAGE_TARGET_CHARS, SENTENCE_LIMIT_CHARS};
pub use read::{
    read_articles, read_records, Record, MAX_JSON_BYTES, MAX_LINE_BYTES, MAX_TEXT_BYTES,
};
pub use scan::{scan, IGNORE_FILE};

/// One news article, whatever file format it came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Article {
    /// Document id: the record's own `id` (numbers kept as their decimal
    /// text); otherwise `path#line` for JSONL records, `path#N` for the N-th
    /// element (from 1) of a JSON array, and the relative path for files
    /// holding a single article.
    pub id: String,
    /// Headline; may be empty for JSON records that only carry a lead or body.
    pub title: String,
    /// Publication date (calendar date as written), when known.
    pub date: Option<chrono::NaiveDate>,
    /// Publisher or agency; empty when unknown.
    pub source: String,
    /// Address of the original article; empty when unknown.
    pub url: String,
    /// Introductory paragraph (chapô); may be empty.
    pub lead: String,
    /// Main text; paragraphs are separated by line breaks.
    pub body: String,
    /// Address of the article's illustration, from a Markdown image line or
    /// an `image` field.
    pub image: Option<String>,
    /// File path relative to the corpus root, with `/` separators.
    pub path: String,
    /// Line (from 1) of the record in a JSONL file.
    pub line: Option<u64>,
}

/// Kind of article file, decided by its extension (case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// `.jsonl`: one JSON article object per line.
    Jsonl,
    /// `.jsonl.gz`: gzip-compressed JSONL.
    JsonlGz,
    /// `.json`: one article object, or an array of article objects.
    Json,
    /// `.txt` or `.md`: one article per file.
    Text,
}

/// An article file found by [`scan`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorpusFile {
    /// Path relative to the corpus root, with `/` separators.
    pub rel: String,
    /// Full path on disk.
    pub path: PathBuf,
    /// Size in bytes at scan time.
    pub size: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 if unknown).
    pub mtime_ns: i64,
    /// How the file is read.
    pub format: Format,
}

/// Something wrong with a corpus file or record. Displayed as
/// `path:line: reason`, or `path: reason` when no line applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// File (or folder) path relative to the corpus root.
    pub path: String,
    /// Line (from 1) the problem was found on, when known.
    pub line: Option<u64>,
    /// What is wrong, and what to do when that helps.
    pub reason: String,
}

impl Problem {
    pub(crate) fn new(path: &str, line: Option<u64>, reason: impl Into<String>) -> Self {
        Problem {
            path: path.to_string(),
            line,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path, line, self.reason),
            None => write!(f, "{}: {}", self.path, self.reason),
        }
    }
}

/// Failure to read the corpus folder itself.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The corpus folder does not exist.
    #[error("{}: corpus folder not found; check the path or create the folder", path.display())]
    RootMissing {
        /// The folder that was asked for.
        path: PathBuf,
    },
    /// The corpus path exists but is not a folder.
    #[error("{}: not a folder; give the folder that holds the article files", path.display())]
    NotADirectory {
        /// The path that was asked for.
        path: PathBuf,
    },
    /// The corpus folder exists but cannot be listed.
    #[error("{}: cannot read the corpus folder ({source}); check its permissions", path.display())]
    Unreadable {
        /// The folder that was asked for.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Result of [`scan`]: the article files, sorted by relative path, and the
/// problems met while walking the folder tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scan {
    /// Article files, sorted by [`CorpusFile::rel`].
    pub files: Vec<CorpusFile>,
    /// Unreadable folders or entries, and bad ignore-file patterns; the walk
    /// went on past them.
    pub problems: Vec<Problem>,
    /// Relative paths (folders or files, sorted; `""` for the root) whose
    /// content could not be listed or read: files under them may exist
    /// without being in [`Scan::files`].
    pub unreadable: Vec<String>,
}

impl Scan {
    /// True when `rel` is, or lies under, a path that could not be read, so
    /// that its absence from [`Scan::files`] says nothing.
    pub fn is_unreadable(&self, rel: &str) -> bool {
        self.unreadable.iter().any(|u| {
            u.is_empty()
                || rel
                    .strip_prefix(u.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_display_with_and_without_line() {
        let p = Problem::new("a/b.jsonl", Some(12), "malformed JSON at column 3: x");
        assert_eq!(p.to_string(), "a/b.jsonl:12: malformed JSON at column 3: x");
        let p = Problem::new("c.txt", None, "empty file");
        assert_eq!(p.to_string(), "c.txt: empty file");
    }

    #[test]
    fn corpus_errors_start_with_the_path_and_say_what_to_do() {
        let e = CorpusError::RootMissing {
            path: PathBuf::from("/nope"),
        };
        assert_eq!(
            e.to_string(),
            "/nope: corpus folder not found; check the path or create the folder"
        );
        let e = CorpusError::Unreadable {
            path: PathBuf::from("/locked"),
            source: std::io::Error::from(std::io::ErrorKind::PermissionDenied),
        };
        let msg = e.to_string();
        assert!(msg.starts_with("/locked: cannot read"), "{msg}");
        assert!(msg.ends_with("check its permissions"), "{msg}");
    }
}
