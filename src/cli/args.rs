//! The arguments before clap reads them, and the paths after.
//!
//! [`query_words_last`] lets a search query be typed as the help shows it,
//! `recoupe search Syrie -Damas`: once the query has started, a word that
//! starts with `-` and is not one of `search`'s options is a query word
//! (an exclusion). [`overlap`] refuses an index folder that is the corpus
//! folder, lies inside it, or holds it.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

/// `args` with the words of a search query that start with `-` moved, with
/// the rest of the query, behind a `--` (options first), so that clap takes
/// them as the query. Returned unchanged when there is no such word, or the
/// command is not `search`.
pub fn query_words_last(cmd: &clap::Command, args: Vec<OsString>) -> Vec<OsString> {
    let mut cmd = cmd.clone();
    cmd.build();
    let Some(at) = subcommand_at(&cmd, &args) else {
        return args;
    };
    let Some(search) = args[at]
        .to_str()
        .and_then(|name| cmd.find_subcommand(name))
        .filter(|sub| sub.get_name() == "search")
    else {
        return args;
    };
    let mut options: Vec<OsString> = Vec::new();
    let mut query: Vec<OsString> = Vec::new();
    let mut moved = false;
    let mut i = at + 1;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let Some(text) = arg.to_str() else {
            query.push(arg.clone());
            continue;
        };
        if text == "--" {
            query.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = text.strip_prefix("--") {
            options.push(arg.clone());
            if !long.contains('=') && long_takes_value(search, long) {
                if let Some(value) = args.get(i) {
                    options.push(value.clone());
                    i += 1;
                }
            }
            continue;
        }
        if text.len() > 1 && text.starts_with('-') {
            let (is_option, value_follows) = short_option(search, &text[1..]);
            if is_option || query.is_empty() {
                options.push(arg.clone());
                if value_follows {
                    if let Some(value) = args.get(i) {
                        options.push(value.clone());
                        i += 1;
                    }
                }
            } else {
                query.push(arg.clone());
                moved = true;
            }
            continue;
        }
        query.push(arg.clone());
    }
    if !moved {
        return args;
    }
    let mut out = args[..=at].to_vec();
    out.extend(options);
    out.push("--".into());
    out.extend(query);
    out
}

/// Where the subcommand's name is in `args`, skipping the options before it.
fn subcommand_at(cmd: &clap::Command, args: &[OsString]) -> Option<usize> {
    let mut i = 1;
    while let Some(text) = args.get(i).and_then(|a| a.to_str()) {
        if text == "--" {
            return None;
        }
        if let Some(long) = text.strip_prefix("--") {
            i += if !long.contains('=') && long_takes_value(cmd, long) {
                2
            } else {
                1
            };
            continue;
        }
        if text.len() > 1 && text.starts_with('-') {
            i += 1;
            continue;
        }
        return Some(i);
    }
    None
}

fn long_takes_value(cmd: &clap::Command, long: &str) -> bool {
    cmd.get_arguments()
        .find(|a| a.get_long() == Some(long))
        .is_some_and(|a| a.get_action().takes_values())
}

/// Whether `-FLAGS` (given without its dash) is one of `cmd`'s short
/// options as clap would read it, and whether its value is the next word.
fn short_option(cmd: &clap::Command, flags: &str) -> (bool, bool) {
    let mut chars = flags.chars();
    let first = chars.next();
    let rest = chars.as_str();
    match cmd.get_arguments().find(|a| a.get_short() == first) {
        Some(arg) if arg.get_action().takes_values() => {
            let value = rest.strip_prefix('=').unwrap_or(rest);
            let attached = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
            (rest.is_empty() || attached, rest.is_empty())
        }
        Some(_) => (rest.is_empty(), false),
        None => (false, false),
    }
}

/// Why `index` cannot be used with `corpus`: the same folder, one inside the
/// other. Compares the folders as the system resolves them (links,
/// `..`), whether or not the index exists yet.
pub fn overlap(corpus: &Path, index: &Path) -> Option<String> {
    let (c, i) = (resolved(corpus)?, resolved(index)?);
    let (cs, is) = (corpus.display(), index.display());
    if c == i {
        Some(format!(
            "--index {is} is the --corpus folder itself; give the index a folder of its own, outside the corpus"
        ))
    } else if i.starts_with(&c) {
        Some(format!(
            "--index {is} is inside --corpus {cs}: the index would be read as part of the corpus; give the index a folder outside the corpus"
        ))
    } else if c.starts_with(&i) {
        Some(format!(
            "--corpus {cs} is inside --index {is}: the index folder would hold the articles; give the index a folder of its own, outside the corpus"
        ))
    } else {
        None
    }
}

/// `path` as the system would resolve it: the longest part that exists
/// canonicalised, the rest appended with `.` and `..` applied.
fn resolved(path: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(path).ok()?;
    let parts: Vec<Component> = abs.components().collect();
    for n in (1..=parts.len()).rev() {
        let prefix: PathBuf = parts[..n].iter().collect();
        if let Ok(mut base) = prefix.canonicalize() {
            for part in &parts[n..] {
                match part {
                    Component::ParentDir => {
                        base.pop();
                    }
                    Component::CurDir => {}
                    other => base.push(other),
                }
            }
            return Some(base);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn rewrite(line: &str) -> Vec<String> {
        let args: Vec<OsString> = line.split(' ').map(OsString::from).collect();
        query_words_last(&super::super::Cli::command(), args)
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn an_exclusion_after_the_query_moves_behind_a_double_dash() {
        assert_eq!(
            rewrite("recoupe search Syrie -Damas"),
            ["recoupe", "search", "--", "Syrie", "-Damas"]
        );
        assert_eq!(
            rewrite("recoupe --index i search Syrie -Damas --since 2025 -n 3"),
            [
                "recoupe", "--index", "i", "search", "--since", "2025", "-n", "3", "--", "Syrie",
                "-Damas"
            ]
        );
        assert_eq!(
            rewrite("recoupe search --source AFP Syrie -nucléaire -n2"),
            [
                "recoupe",
                "search",
                "--source",
                "AFP",
                "-n2",
                "--",
                "Syrie",
                "-nucléaire"
            ]
        );
    }

    #[test]
    fn other_command_lines_are_left_alone() {
        for line in [
            "recoupe search Syrie --since 2025-01-01",
            "recoupe search -n 3 Syrie",
            "recoupe search -x Syrie",
            "recoupe search Syrie -- -Damas",
            "recoupe variants al-Charaa -x",
            "recoupe --corpus search index -x",
            "recoupe",
        ] {
            let want: Vec<&str> = line.split(' ').collect();
            assert_eq!(rewrite(line), want, "{line}");
        }
    }

    proptest::proptest! {
        #[test]
        fn typed_query_words_all_reach_the_query(
            first in "[A-Za-zéç][A-Za-zéç'-]{0,8}",
            rest in proptest::collection::vec("-?[A-Za-zéç]{2,8}", 0..6),
            limit in proptest::option::of(1u16..50),
            since_after in proptest::bool::ANY,
        ) {
            let mut line = vec!["recoupe".to_string(), "search".to_string()];
            let mut words = vec![first];
            words.extend(rest);
            line.extend(words.iter().cloned());
            if let Some(n) = limit {
                line.extend(["-n".to_string(), n.to_string()]);
            }
            if since_after {
                line.extend(["--since".to_string(), "2019".to_string()]);
            }
            let args: Vec<OsString> = line.iter().map(OsString::from).collect();
            let argv = query_words_last(&super::super::Cli::command(), args);
            let matches = super::super::Cli::command().try_get_matches_from(argv);
            proptest::prop_assert!(matches.is_ok(), "{line:?}: {matches:?}");
            let matches = matches.unwrap();
            let search = matches.subcommand_matches("search").unwrap();
            let query: Vec<String> = search.get_many::<String>("query").unwrap().cloned().collect();
            proptest::prop_assert_eq!(query, words);
            proptest::prop_assert_eq!(search.get_one::<u16>("limit").copied(), Some(limit.unwrap_or(10)));
            proptest::prop_assert_eq!(search.contains_id("since") && search.get_raw("since").is_some(), since_after);
        }
    }

    #[test]
    fn overlapping_folders_are_found_whether_or_not_they_exist() {
        let dir = tempfile::tempdir().unwrap();
        let corpus = dir.path().join("corpus");
        std::fs::create_dir(&corpus).unwrap();
        assert!(overlap(&corpus, &corpus).unwrap().contains("itself"));
        assert!(overlap(&corpus, &corpus.join("a/b"))
            .unwrap()
            .contains("inside --corpus"));
        assert!(overlap(&corpus, dir.path())
            .unwrap()
            .contains("inside --index"));
        assert!(overlap(&corpus, &dir.path().join("x/../corpus")).is_some());
        assert!(overlap(&corpus, &dir.path().join("index")).is_none());
        assert!(overlap(&corpus, &dir.path().join("corpus-index")).is_none());
    }
}
