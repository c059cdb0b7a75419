//! The command line's edges: hostile text on a terminal, searches during a
//! generation switch, paths that overlap or cannot be used, partial dates,
//! the busy message, queries typed unquoted, help examples and completions.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::{json, Value};

use crate::util::{Output, TestEnv};

fn run_cmd(mut cmd: Command) -> Output {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .expect("start recoupe or sh");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn recoupe() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_recoupe"));
    cmd.env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RECOUPE_CORPUS")
        .env_remove("RECOUPE_INDEX");
    cmd
}

/// Runs `recoupe --corpus C --index I ARGS` from the workspace.
fn run_paths(env: &TestEnv, corpus: &Path, index: &Path, args: &[&str]) -> Output {
    let mut cmd = recoupe();
    cmd.current_dir(env.root())
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .args(args);
    run_cmd(cmd)
}

fn assert_no_panic(out: &Output) {
    assert!(!out.stderr.contains("panicked"), "panicked: {out:#?}");
    assert_ne!(out.code, 101, "panicked: {out:#?}");
}

/// Every entry under `dir`, relative, sorted (empty when `dir` is absent).
fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            out.push(
                p.strip_prefix(base)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .into_owned(),
            );
            if p.is_dir() {
                walk(base, &p, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

// ---------------------------------------------------------------------------
// Untrusted text on a terminal.

const BIDI: &[char] = &[
    '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{202e}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}',
];

fn hostile_corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write_jsonl(
        "hostile.jsonl",
        &[json!({
            "id": "h1",
            "title": "\u{1b}[5;31mAlerte\u{1b}[0m \u{202e}Moscou\u{202c} \u{1b}]0;pwned\u{7}titre",
            "date": "2025-03-01",
            "source": "AFP\u{1b}[2J\u{2066}\u{9b}31m",
            "text": "\u{202e}\u{1b}[2J\u{1b}[2J\u{7} Moscou et Damas \u{200f}\u{1b}[8mcaché\u{1b}[0m ont signé un accord.",
        })],
    );
    env
}

/// What is left of `s` once the SGR sequences (`ESC [ digits ; m`) are
/// removed; panics on any other escape sequence.
fn without_sgr(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find('\u{1b}') {
        out.push_str(&rest[..at]);
        let seq = &rest[at + 1..];
        let body_len = seq
            .strip_prefix('[')
            .map(|b| {
                b.chars()
                    .take_while(|c| c.is_ascii_digit() || *c == ';')
                    .count()
            })
            .unwrap_or_else(|| panic!("a non-SGR escape reached the output: {s:?}"));
        assert!(
            seq[1 + body_len..].starts_with('m'),
            "a non-SGR escape reached the output: {s:?}"
        );
        rest = &seq[2 + body_len..];
    }
    out.push_str(rest);
    out
}

fn assert_terminal_safe(s: &str) {
    let visible = without_sgr(s);
    for c in visible.chars() {
        assert!(
            c == '\n' || !c.is_control(),
            "control character {c:?} reached the terminal: {s:?}"
        );
        assert!(
            !BIDI.contains(&c),
            "bidi control {c:?} reached the terminal: {s:?}"
        );
    }
}

#[test]
fn hostile_titles_sources_and_bodies_cannot_drive_a_coloured_terminal() {
    let env = hostile_corpus();
    let out = env.run(&["search", "--color", "always", "Moscou"]);
    out.expect_code(0);
    let s = &out.stdout;
    // Colour is on, but only our own styles reach the terminal.
    assert!(s.contains('\u{1b}'), "colour was asked for: {s:?}");
    assert!(!s.contains("\u{1b}[5;31m"), "{s:?}");
    assert!(!s.contains("\u{1b}[2J"), "{s:?}");
    assert!(!s.contains("\u{1b}[8m"), "{s:?}");
    assert!(!s.contains("\u{1b}]"), "{s:?}");
    assert_terminal_safe(s);
    // The neutralised escapes stay visible, so a reader sees something was there.
    let visible = without_sgr(s);
    assert!(visible.contains("␛[5;31mAlerte"), "{visible}");
    assert!(visible.contains("caché"), "{visible}");
    // The highlight is still on the word that matched, in title and snippet.
    assert!(visible.contains("Moscou et Damas"), "{visible}");
    for line in s.lines() {
        if line.contains("Damas") {
            let at = line.find("Moscou").expect("Moscou in the snippet line");
            let before = &line[..at];
            assert!(
                before.ends_with('m'),
                "the snippet's Moscou should be styled: {line:?}"
            );
        }
    }
}

#[test]
fn hostile_text_piped_is_marked_on_the_right_words_without_escapes() {
    let env = hostile_corpus();
    for args in [
        &["search", "Damas"][..],
        &["search", "--color", "never", "Damas"],
    ] {
        let out = env.run(args);
        out.expect_code(0);
        let s = &out.stdout;
        assert!(!s.contains('\u{1b}'), "{s:?}");
        assert_terminal_safe(s);
        // The controls before the match do not move the highlight.
        assert!(s.contains("Moscou et **Damas**"), "{s}");
    }
    let title = env.run(&["search", "titre"]);
    title.expect_code(0);
    assert!(
        title
            .stdout
            .contains("␛[5;31mAlerte␛[0m Moscou ␛]0;pwned␇**titre**"),
        "{}",
        title.stdout
    );
    assert!(title.stdout.contains("AFP␛[2J"), "{}", title.stdout);
}

#[test]
fn hostile_file_names_are_shown_inert_in_hits_and_in_problem_reports() {
    let env = TestEnv::new();
    env.write_jsonl(
        "dépêche\u{1b}[2J\u{202e}lmth.jsonl",
        &[json!({"id": "f1", "title": "Qamichli", "text": "Les FDS tiennent Qamichli."})],
    );
    env.write("cassé\u{1b}]0;x\u{7}.jsonl", "{not json\n");
    let out = env.run(&["search", "--color", "always", "Qamichli"]);
    out.expect_code(0);
    assert_terminal_safe(&out.stdout);
    assert!(
        without_sgr(&out.stdout).contains("dépêche␛[2Jlmth.jsonl"),
        "{out:#?}"
    );
    // The skipped file is reported on stderr, inert too.
    assert!(out.stderr.contains("cassé␛]0;x␇.jsonl"), "{out:#?}");
    assert_terminal_safe(&out.stderr);
    let index = env.run(&["index", "--full"]);
    index.expect_code(2);
    assert!(index.stderr.contains("cassé␛]0;x␇.jsonl"), "{index:#?}");
    assert_terminal_safe(&index.stderr);
    // JSON keeps the path as it is.
    let (_, hits) = env.search_json(&["Qamichli"]);
    assert_eq!(hits[0]["path"], "dépêche\u{1b}[2J\u{202e}lmth.jsonl");
}

#[test]
fn json_output_keeps_hostile_text_exactly_as_indexed() {
    let env = hostile_corpus();
    let (code, hits) = env.search_json(&["--color", "always", "Damas"]);
    assert_eq!(code, 0);
    let hit = &hits[0];
    assert_eq!(
        hit["title"],
        "\u{1b}[5;31mAlerte\u{1b}[0m \u{202e}Moscou\u{202c} \u{1b}]0;pwned\u{7}titre"
    );
    assert_eq!(hit["source"], "AFP\u{1b}[2J\u{2066}\u{9b}31m");
    let text = hit["text"].as_str().unwrap();
    for m in hit["matches"].as_array().unwrap() {
        let (s, e) = (m["start"].as_u64().unwrap(), m["end"].as_u64().unwrap());
        assert_eq!(&text[s as usize..e as usize], "Damas", "{hit}");
    }
}

// ---------------------------------------------------------------------------
// Searches during a generation switch.

/// Opens the index and searches it, as `recoupe search` does; Err says why not.
fn open_and_search(index: &Path) -> Result<usize, String> {
    use recoupe::search::{SearchOptions, Searcher};
    let analyzer = Arc::new(recoupe::analysis::Analyzer::default());
    let idx = recoupe::index::Index::open(index, analyzer).map_err(|e| format!("open: {e}"))?;
    let searcher = Searcher::new(idx).map_err(|e| format!("reader: {e}"))?;
    let answer = searcher
        .search("Poutine Moscou bases militaires", &SearchOptions::default())
        .map_err(|e| format!("search: {e}"))?;
    Ok(answer.hits.len())
}

#[test]
fn searches_never_fail_while_full_rebuilds_switch_generations() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    let done = Arc::new(AtomicBool::new(false));
    // One loop opens and searches the index in this process, as fast as it
    // can; the other runs `recoupe search` processes and checks what they print.
    let library = {
        let (done, index) = (done.clone(), env.index.clone());
        std::thread::spawn(move || {
            let (mut runs, mut failures) = (0u32, Vec::new());
            while !done.load(Ordering::SeqCst) {
                runs += 1;
                match open_and_search(&index) {
                    Ok(n) if n > 0 => {}
                    Ok(_) => failures.push("no hit".to_string()),
                    Err(e) => failures.push(e),
                }
            }
            (runs, failures)
        })
    };
    let processes = {
        let (done, corpus, index) = (done.clone(), env.corpus.clone(), env.index.clone());
        std::thread::spawn(move || {
            let (mut runs, mut failures) = (0u32, Vec::new());
            while !done.load(Ordering::SeqCst) {
                let mut cmd = recoupe();
                cmd.arg("--corpus")
                    .arg(&corpus)
                    .arg("--index")
                    .arg(&index)
                    .args(["search", "--json", "--limit", "3", "Poutine"]);
                let out = run_cmd(cmd);
                runs += 1;
                let valid = out.code == 0
                    && out.stdout.lines().count() == 4
                    && out
                        .stdout
                        .lines()
                        .last()
                        .is_some_and(|l| l.starts_with("{\"summary\":"))
                    && out
                        .stdout
                        .lines()
                        .all(|l| serde_json::from_str::<Value>(l).is_ok());
                if !valid {
                    failures.push(format!("{out:?}"));
                }
            }
            (runs, failures)
        })
    };
    let rebuilds = 40;
    for _ in 0..rebuilds {
        env.run(&["index", "--full", "--quiet"]).expect_code(0);
    }
    done.store(true, Ordering::SeqCst);
    for (what, loop_) in [("in-process", library), ("recoupe search", processes)] {
        let (runs, failures) = loop_.join().expect("search loop");
        assert!(
            failures.is_empty(),
            "{what}: {} of {runs} searches failed during {rebuilds} rebuilds; first: {}",
            failures.len(),
            failures[0]
        );
        assert!(runs > 10, "{what}: only {runs} searches ran");
    }
    // Old generations do not pile up once no search holds them.
    env.run(&["index", "--quiet"]).expect_code(0);
    let gens: Vec<String> = tree(&env.index)
        .into_iter()
        .filter(|p| p.starts_with('g') && !p.contains('/'))
        .collect();
    assert_eq!(gens.len(), 1, "{gens:?}");
}

// ---------------------------------------------------------------------------
// Paths.

#[test]
fn an_index_equal_to_inside_or_around_the_corpus_is_refused() {
    let env = TestEnv::with_samples();
    let root = env.root().to_path_buf();
    let link = root.join("link-to-corpus");
    std::os::unix::fs::symlink(&env.corpus, &link).unwrap();
    let cases: Vec<(PathBuf, PathBuf)> = vec![
        (env.corpus.clone(), env.corpus.clone()),
        (env.corpus.clone(), env.corpus.join("sub").join("index")),
        (env.corpus.clone(), link.join("new-index")),
        (env.corpus.clone(), root.join("nothing/../corpus")),
        (env.corpus.clone(), root.clone()),
        (link.clone(), root.join(".")),
    ];
    let before = tree(&root);
    for (corpus, index) in cases {
        for cmd in [
            &["search", "Poutine"][..],
            &["index"],
            &["variants", "Poutine"],
        ] {
            let out = run_paths(&env, &corpus, &index, cmd);
            assert_eq!(out.code, 2, "{corpus:?} {index:?} {cmd:?}: {out:#?}");
            assert!(out.stderr.contains("--index"), "{out:#?}");
            assert!(out.stderr.contains("--corpus"), "{out:#?}");
            assert!(out.stdout.is_empty(), "{out:#?}");
        }
    }
    assert_eq!(tree(&root), before, "a refused command created files");
    // Siblings are fine.
    run_paths(
        &env,
        &env.corpus,
        &root.join("corpus-index"),
        &["search", "Poutine"],
    )
    .expect_code(0);
}

#[test]
fn a_first_search_that_cannot_build_the_index_leaves_nothing_behind() {
    let env = TestEnv::new();
    let root = env.root().to_path_buf();
    let before = tree(&root);
    // The corpus is missing.
    let out = run_paths(
        &env,
        &root.join("no-corpus"),
        &root.join("idx"),
        &["search", "Poutine"],
    );
    out.expect_code(2);
    assert!(out.stderr.contains("no-corpus"), "{out:#?}");
    // The corpus is a file.
    fs::write(root.join("a-file"), "x").unwrap();
    let out = run_paths(
        &env,
        &root.join("a-file"),
        &root.join("deep/er/idx"),
        &["search", "Poutine"],
    );
    out.expect_code(2);
    let out = run_paths(
        &env,
        &root.join("no-corpus"),
        &root.join("idx2"),
        &["variants", "Poutine"],
    );
    out.expect_code(2);
    // An empty folder given as the index stays, empty.
    fs::create_dir(root.join("empty")).unwrap();
    let out = run_paths(
        &env,
        &root.join("no-corpus"),
        &root.join("empty"),
        &["search", "Poutine"],
    );
    out.expect_code(2);
    let mut expected = before.clone();
    expected.extend(["a-file".to_string(), "empty".to_string()]);
    expected.sort();
    assert_eq!(tree(&root), expected, "stray files were left behind");
}

#[test]
fn os_errors_name_the_path_and_say_what_to_do() {
    let env = TestEnv::with_samples();
    let file = env.root().join("plain-file");
    fs::write(&file, "not a folder").unwrap();
    for cmd in [&["search", "Poutine"][..], &["index"]] {
        let out = run_paths(&env, &env.corpus, &file, cmd);
        out.expect_code(2);
        assert_no_panic(&out);
        let want = format!("{}: not a folder", file.display());
        assert!(out.stderr.contains(&want), "{cmd:?}: {out:#?}");
        assert!(
            out.stderr.contains("give --index a folder path"),
            "{cmd:?}: {out:#?}"
        );
        assert!(!out.stderr.contains("os error"), "{cmd:?}: {out:#?}");
        // Said at once, not after announcing a build it cannot make.
        assert!(!out.stderr.contains("indexing"), "{cmd:?}: {out:#?}");

        let below = file.join("index");
        let out = run_paths(&env, &env.corpus, &below, cmd);
        out.expect_code(2);
        assert!(
            out.stderr
                .contains(&format!("{}: not a folder", file.display())),
            "{cmd:?}: {out:#?}"
        );
        assert!(!out.stderr.contains("os error"), "{cmd:?}: {out:#?}");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "not a folder");
    // Files the user names: the query file of --batch, an alias file.
    let out = env.run(&["search", "--batch", "nope/absent.txt"]);
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("nope/absent.txt: query file not found; check the path"),
        "{out:#?}"
    );
    let out = env.run(&["search", "--aliases", "nope/aliases.txt", "Poutine"]);
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("nope/aliases.txt: alias file not found; check the path"),
        "{out:#?}"
    );
    let out = env.run(&["search", "--batch", "corpus", "Poutine"]);
    out.expect_code(2);
    let out = env.run(&["search", "--batch", "corpus"]);
    out.expect_code(2);
    assert!(!out.stderr.contains("os error"), "{out:#?}");
    // A place where folders cannot be made (even by root).
    if Path::new("/sys/kernel").is_dir() {
        let out = run_paths(
            &env,
            &env.corpus,
            Path::new("/sys/kernel/recoupe-index"),
            &["index"],
        );
        out.expect_code(2);
        assert!(
            out.stderr.contains(
                "/sys/kernel/recoupe-index: permission denied; choose a folder you can write to"
            ),
            "{out:#?}"
        );
    }
}

// ---------------------------------------------------------------------------
// Dates.

fn dated() -> TestEnv {
    let env = TestEnv::new();
    let days = [
        "2018-12-31",
        "2019-01-01",
        "2019-02-28",
        "2019-03-01",
        "2019-12-31",
        "2020-01-01",
        "2020-02-29",
        "2020-03-01",
    ];
    let recs: Vec<Value> = days
        .iter()
        .map(|d| json!({"id": d, "title": format!("Du {d}"), "date": d, "text": "Accord signé à Moscou."}))
        .collect();
    env.write_jsonl("dated.jsonl", &recs);
    env
}

fn found_days(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let mut all = vec!["--limit", "50", "--all-copies"];
    all.extend_from_slice(args);
    all.push("Moscou");
    let (_, hits) = env.search_json(&all);
    let mut days: Vec<String> = hits
        .iter()
        .map(|h| h["date"].as_str().unwrap_or_default().to_string())
        .collect();
    days.sort();
    days
}

#[test]
fn since_and_until_take_a_year_or_a_month_for_the_whole_period() {
    let env = dated();
    assert_eq!(
        found_days(&env, &["--since", "2019", "--until", "2019"]),
        ["2019-01-01", "2019-02-28", "2019-03-01", "2019-12-31"]
    );
    assert_eq!(
        found_days(&env, &["--since", "2019-02", "--until", "2019-02"]),
        ["2019-02-28"]
    );
    assert_eq!(
        found_days(&env, &["--since", "2020-02", "--until", "2020-02"]),
        ["2020-02-29"]
    );
    assert_eq!(
        found_days(&env, &["--until", "2019-02"]),
        ["2018-12-31", "2019-01-01", "2019-02-28"]
    );
    assert_eq!(
        found_days(&env, &["--since", "2020"]),
        ["2020-01-01", "2020-02-29", "2020-03-01"]
    );
    assert_eq!(
        found_days(&env, &["--since", "2019-12-31", "--until", "2020-01-01"]),
        ["2019-12-31", "2020-01-01"]
    );
}

#[test]
fn since_after_until_is_an_error_that_says_so() {
    let env = dated();
    for (since, until) in [
        ("2020", "2019"),
        ("2019-03", "2019-02"),
        ("2019-03-02", "2019-03-01"),
    ] {
        let out = env.run(&["search", "--since", since, "--until", until, "Moscou"]);
        out.expect_code(2);
        assert!(out.stdout.is_empty(), "{out:#?}");
        assert!(out.stderr.contains("--since"), "{out:#?}");
        assert!(out.stderr.contains("--until"), "{out:#?}");
        assert!(
            out.stderr.contains(since) && out.stderr.contains(until),
            "{out:#?}"
        );
    }
    for bad in ["2019-13", "19", "2019-1-1x", "mars 2019", "2019-02-30"] {
        let out = env.run(&["search", "--since", bad, "Moscou"]);
        out.expect_code(2);
        assert!(out.stderr.contains(bad), "{out:#?}");
    }
}

// ---------------------------------------------------------------------------
// Busy.

#[test]
fn the_busy_message_gives_the_running_indexers_start_as_a_local_time() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    let path = env.index.join("recoupe.lock");
    fs::write(&path, "pid 4242 since unix time 1767225600\n").unwrap();
    let lock = fs::File::options()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    lock.lock().unwrap();
    let out = env.run_env(&["index"], &[("TZ", "UTC")]);
    out.expect_code(75);
    assert!(out.stderr.contains("pid 4242"), "{out:#?}");
    assert!(out.stderr.contains("2026-01-01 00:00:00"), "{out:#?}");
    assert!(!out.stderr.contains("unix time"), "{out:#?}");
    let paris = env.run_env(&["index"], &[("TZ", "Europe/Paris")]);
    paris.expect_code(75);
    if Path::new("/usr/share/zoneinfo/Europe/Paris").exists() {
        assert!(paris.stderr.contains("2026-01-01 01:00:00"), "{paris:#?}");
    }
    lock.unlock().unwrap();
}

// ---------------------------------------------------------------------------
// Queries typed the way the help shows them.

fn query_corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write_jsonl(
        "q.jsonl",
        &[
            json!({"id": "a", "title": "Syrie", "date": "2025-02-01", "source": "AFP", "text": "La Syrie et Damas négocient."}),
            json!({"id": "b", "title": "Syrie", "date": "2024-06-01", "source": "Reuters", "text": "La Syrie reconstruit Alep."}),
            json!({"id": "c", "title": "Iran", "date": "2025-03-01", "source": "AFP", "text": "La Syrie et l'Iran, sans nucléaire."}),
        ],
    );
    env
}

fn ids(env: &TestEnv, args: &[&str]) -> Vec<String> {
    let (_, hits) = env.search_json(args);
    let mut v = crate::util::docs(&hits);
    v.sort();
    v
}

#[test]
fn a_minus_word_after_the_query_excludes_it_without_quotes() {
    let env = query_corpus();
    let out = env.run(&["search", "Syrie", "-Damas"]);
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(ids(&env, &["Syrie", "-Damas"]), ["b", "c"]);
    assert_eq!(
        ids(&env, &["Syrie", "-Damas"]),
        ids(&env, &["--", "Syrie -Damas"])
    );
    // Words whose letters are also short options are still words.
    assert_eq!(ids(&env, &["Syrie", "-nucléaire", "-Iran"]), ["a", "b"]);
    assert_eq!(ids(&env, &["Syrie", "-Damas", "-Alep"]), ["c"]);
    // Options after the query keep working.
    assert_eq!(ids(&env, &["Syrie", "--since", "2025-01-01"]), ["a", "c"]);
    assert_eq!(
        ids(
            &env,
            &[
                "Syrie",
                "-Damas",
                "--since",
                "2025-01-01",
                "--source",
                "AFP"
            ]
        ),
        ["c"]
    );
    let (_, one) = env.search_json(&["Syrie", "-n", "1"]);
    assert_eq!(one.len(), 1);
    let (_, one) = env.search_json(&["Syrie", "-Alep", "-n1"]);
    assert_eq!(one.len(), 1);
    // Mistyped options before the query are still reported.
    env.run(&["search", "--no-such-flag", "Syrie"])
        .expect_code(2);
    env.run(&["search", "Syrie", "--no-such-flag"])
        .expect_code(2);
}

/// The `recoupe …` commands of a help text or README block: a line (or the
/// part after `&&`) that starts with `recoupe `, cut before an explanation
/// column (two spaces or more) when `cut` is set.
fn examples(text: &str, cut: bool) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let start = if line.starts_with("recoupe ") {
            Some(0)
        } else {
            line.find("&& recoupe ").map(|i| i + 3)
        };
        let Some(start) = start else { continue };
        let mut cmd = &line[start..];
        if cut {
            if let Some(i) = cmd.find("  ") {
                cmd = &cmd[..i];
            }
        }
        out.push(cmd.trim().to_string());
    }
    out
}

#[test]
fn every_example_in_the_help_and_readme_runs_as_typed() {
    let env = TestEnv::with_samples();
    let root = env.root().to_path_buf();
    let bin = root.join("bin");
    fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_recoupe"), bin.join("recoupe")).unwrap();
    let articles = root.join("articles");
    fs::create_dir(&articles).unwrap();
    for e in fs::read_dir(&env.corpus).unwrap().flatten() {
        fs::copy(e.path(), articles.join(e.file_name())).unwrap();
    }
    fs::write(root.join("names.txt"), "al-Charaa\nQamichli\nPoutine\n").unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let sh = |line: &str| {
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(line)
            .current_dir(&root)
            .env("HOME", &root)
            .env("PATH", &path)
            .env_remove("NO_COLOR")
            .env_remove("RECOUPE_CORPUS")
            .env_remove("RECOUPE_INDEX")
            .env_remove("RECOUPE_ALIASES");
        run_cmd(cmd)
    };

    // Folders the completion examples write into.
    fs::create_dir_all(root.join(".zfunc")).unwrap();
    fs::create_dir_all(root.join(".config/fish/completions")).unwrap();
    let mut all = Vec::new();
    for help in [
        "--help",
        "search --help",
        "index --help",
        "variants --help",
        "show --help",
        "serve --help",
        "watch --help",
        "completions --help",
    ] {
        let out = sh(&format!("recoupe {help}"));
        out.expect_code(0);
        let found = examples(&out.stdout, true);
        assert!(!found.is_empty(), "no example in `recoupe {help}`");
        all.extend(found);
    }
    let readme =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    all.extend(examples(&readme, false));
    assert!(
        all.iter()
            .any(|e| e.contains(" -Damas") && !e.contains('\'')),
        "the help shows an unquoted exclusion: {all:#?}"
    );
    for example in &all {
        // A server runs until stopped: it must say where it listens, then
        // stop cleanly on SIGTERM.
        if example.starts_with("recoupe serve") {
            let out = sh(&format!("timeout --preserve-status -s TERM 4 {example}"));
            assert_eq!(out.code, 0, "`{example}`: {}", out.stderr);
            assert!(
                out.stdout.starts_with("listening on http://"),
                "`{example}`: {}{}",
                out.stdout,
                out.stderr
            );
            continue;
        }
        let out = sh(example);
        assert!(
            out.code == 0 || out.code == 1,
            "`{example}` exited {}: {}",
            out.code,
            out.stderr
        );
        assert!(
            !out.stderr.contains("Usage:"),
            "`{example}`: {}",
            out.stderr
        );
        assert_no_panic(&out);
    }
}

// ---------------------------------------------------------------------------
// Completions.

#[test]
fn completions_are_printed_for_bash_zsh_and_fish() {
    let env = TestEnv::new();
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef recoupe"),
        ("fish", "complete -c recoupe"),
    ] {
        let out = env.run_bare(&["completions", shell]);
        out.expect_code(0);
        assert!(out.stdout.contains(marker), "{shell}: {}", out.stdout);
        for word in ["search", "index", "variants", "since", "full"] {
            assert!(out.stdout.contains(word), "{shell} lacks {word}");
        }
        assert!(out.stderr.is_empty(), "{out:#?}");
    }
    // No index is built or needed for completions.
    assert!(!env.root().join(".recoupe-index").exists());
    env.run_bare(&["completions", "tcsh"]).expect_code(2);
    // A reader that goes away early is not a crash, here or in `index`.
    for args in [
        &["completions", "zsh"][..],
        &["completions", "bash"],
        &["index", "--json"],
    ] {
        // A pipe whose reading end is closed before the command starts.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = recoupe();
        cmd.current_dir(env.root())
            .args(args)
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped());
        let out = cmd.output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(out.status.code(), Some(101), "{args:?}: {stderr}");
    }
}
