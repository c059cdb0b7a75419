//! What to do about an error, in terms of this command line: the library's
//! errors say what happened; these lines say which command or option helps.

use recoupe::index::IndexError;
use recoupe::indexer::RunError;
use std::io::ErrorKind;

use super::term::clean;
use super::Paths;

/// `recoupe index --full --corpus C --index I`, with this run's folders.
fn rebuild(paths: &Paths) -> String {
    format!(
        "recoupe index --full --corpus {} --index {}",
        clean(&paths.corpus.display().to_string()),
        clean(&paths.index.display().to_string())
    )
}

/// The advice for an index error, if there is one to give.
pub fn for_index(e: &IndexError, paths: &Paths) -> Option<String> {
    Some(match e {
        IndexError::NotFound { .. } => format!(
            "build it with: recoupe index --corpus {} --index {}",
            clean(&paths.corpus.display().to_string()),
            clean(&paths.index.display().to_string())
        ),
        IndexError::Outdated { .. } | IndexError::Corrupt { .. } => {
            format!("to rebuild it from this corpus: {}", rebuild(paths))
        }
        IndexError::Busy { .. } => "try again later, or pass --wait SECONDS".into(),
        IndexError::NotAFolder { .. } => "give --index a folder path".into(),
        _ => match e.io_kind()? {
            ErrorKind::NotADirectory => "give --index a folder path".into(),
            ErrorKind::NotFound => format!("to rebuild it from this corpus: {}", rebuild(paths)),
            _ => return None,
        },
    })
}

/// The advice for a failed indexing run, if there is one to give.
pub fn for_run(e: &RunError, paths: &Paths) -> Option<String> {
    match e {
        RunError::Index(e) => for_index(e, paths),
        RunError::EmptyCorpus { .. } => Some(
            "if the corpus really is empty now, run again with --allow-empty (or --full)".into(),
        ),
        RunError::PartlyUnreadable { .. } => Some(
            "make it readable, or run without --full to update the index and keep what it holds for those paths"
                .into(),
        ),
        RunError::Corpus(_) => None,
    }
}

/// Prints `recoupe: MESSAGE`, then `recoupe: ADVICE` when there is one.
pub fn report(message: impl std::fmt::Display, advice: Option<String>) {
    super::error(message);
    if let Some(a) = advice {
        super::error(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn each_index_error_gets_the_command_or_option_that_helps() {
        let paths = Paths {
            corpus: PathBuf::from("articles"),
            index: PathBuf::from("idx"),
        };
        let root = PathBuf::from("idx");
        let advice = |e: IndexError| for_index(&e, &paths).unwrap_or_default();
        assert_eq!(
            advice(IndexError::NotFound { root: root.clone() }),
            "build it with: recoupe index --corpus articles --index idx"
        );
        assert_eq!(
            advice(IndexError::Outdated {
                root: root.clone(),
                found: String::new(),
                expected: "s3".into()
            }),
            "to rebuild it from this corpus: recoupe index --full --corpus articles --index idx"
        );
        assert!(advice(IndexError::Busy {
            root: root.clone(),
            holder: String::new()
        })
        .contains("--wait"));
        assert_eq!(
            advice(IndexError::NotAFolder { path: root.clone() }),
            "give --index a folder path"
        );
        let denied = IndexError::Io {
            path: root,
            source: std::io::Error::from(ErrorKind::PermissionDenied),
        };
        assert_eq!(for_index(&denied, &paths), None);
        let empty = RunError::EmptyCorpus {
            corpus: PathBuf::from("articles"),
            indexed: 3,
        };
        assert!(for_run(&empty, &paths).unwrap().contains("--allow-empty"));
    }
}
