//! What a corpus can do to an index, and what it must not: unreadable
//! folders, records known by their id, ignore files, progress on one large
//! file, over-long lines and dates that are not understood.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::util::{docs, Output, TestEnv};

fn rec(id: &str, text: &str) -> Value {
    json!({"id": id, "title": format!("Article {id}"), "date": "2025-03-01", "body": text})
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Words that make each record's text its own, so that a search for one
/// finds one record.
fn word(i: usize) -> String {
    let letters = b"bcdfghjklmnpqrstvz";
    let mut w = String::from("mot");
    let mut n = i + 1;
    while n > 0 {
        w.push(letters[n % letters.len()] as char);
        n /= letters.len();
    }
    w
}

// ---------------------------------------------------------------------------
// Running the binary as an unprivileged user: root reads every file whatever
// its permissions, so permission tests run the binary as `nobody` when the
// test runs as root.

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Runs the binary as a user that permissions apply to, or says why it
/// cannot.
struct Unprivileged {
    prefix: Vec<String>,
}

impl Unprivileged {
    /// Prepares `env` (its folders handed to `nobody` when running as root).
    fn new(env: &TestEnv) -> Result<Unprivileged, String> {
        if !is_root() {
            return Ok(Unprivileged { prefix: Vec::new() });
        }
        let prefix: Vec<String> = [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let probe = Command::new(&prefix[0])
            .args(&prefix[1..])
            .arg("true")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("setpriv cannot be run ({e})"))?;
        if !probe.status.success() {
            return Err(format!(
                "setpriv cannot switch to nobody: {}",
                String::from_utf8_lossy(&probe.stderr)
            ));
        }
        let status = Command::new("chown")
            .args(["-R", "nobody:nogroup"])
            .arg(env.root())
            .status()
            .map_err(|e| format!("chown cannot be run ({e})"))?;
        if !status.success() {
            return Err("chown to nobody failed".into());
        }
        // The binary must be reachable by nobody.
        let bin = Path::new(env!("CARGO_BIN_EXE_recoupe"));
        let probe = Command::new(&prefix[0])
            .args(&prefix[1..])
            .arg(bin)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run the binary as nobody ({e})"))?;
        if !probe.status.success() {
            return Err(format!(
                "nobody cannot run {}: {}",
                bin.display(),
                String::from_utf8_lossy(&probe.stderr)
            ));
        }
        Ok(Unprivileged { prefix })
    }

    fn run(&self, env: &TestEnv, args: &[&str]) -> Output {
        let bin = env!("CARGO_BIN_EXE_recoupe");
        let mut cmd = match self.prefix.split_first() {
            Some((first, rest)) => {
                let mut c = Command::new(first);
                c.args(rest).arg(bin);
                c
            }
            None => Command::new(bin),
        };
        cmd.current_dir(env.root())
            .env_remove("RECOUPE_CORPUS")
            .env_remove("RECOUPE_INDEX")
            .stdin(Stdio::null())
            .arg("--corpus")
            .arg(&env.corpus)
            .arg("--index")
            .arg(&env.index)
            .args(args);
        let out = cmd.output().expect("run recoupe");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn index_json(&self, env: &TestEnv, code: i32) -> (Value, String) {
        let out = self.run(env, &["index", "--json"]);
        out.expect_code(code);
        let lines = out.json_lines();
        assert_eq!(lines.len(), 1, "one summary object expected: {out:#?}");
        (lines[0].clone(), out.stderr)
    }

    fn search(&self, env: &TestEnv, query: &str) -> Vec<String> {
        let out = self.run(env, &["search", "--json", query]);
        assert!(out.code == 0 || out.code == 1, "search failed: {out:#?}");
        docs(&out.hit_lines())
    }
}

fn chmod(path: &Path, mode: u32) {
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Sets up a corpus with a folder `locked/` (two articles) and an open file,
/// indexed once; `None` (after saying why) where permissions cannot be
/// tested.
fn locked_corpus() -> Option<(TestEnv, Unprivileged)> {
    let env = TestEnv::new();
    env.write_jsonl(
        "locked/feed.jsonl",
        &[
            rec("l1", "Le phare de Cordouan brille."),
            rec("l2", "Le phare de Cordouan veille."),
        ],
    );
    env.write("locked/deep/note.txt", "Titre\n\nLa falaise de Cordouan.\n");
    env.write_jsonl("open.jsonl", &[rec("o1", "Le port de Cordouan dort.")]);
    let user = match Unprivileged::new(&env) {
        Ok(u) => u,
        Err(why) => {
            eprintln!("skipped: cannot run as an unprivileged user here: {why}");
            return None;
        }
    };
    let (s, _) = user.index_json(&env, 0);
    assert_eq!(s["added"], 4, "{s}");
    Some((env, user))
}

#[test]
fn an_unreadable_folder_keeps_every_article_indexed_under_it_and_exits_2() {
    let Some((env, user)) = locked_corpus() else {
        return;
    };
    let locked = env.corpus.join("locked");
    chmod(&locked, 0o000);
    let (s, stderr) = user.index_json(&env, 2);
    let found = user.search(&env, "Cordouan");
    chmod(&locked, 0o755);
    assert_eq!(s["deleted"], 0, "{s}");
    assert_eq!(s["failed"], 1, "{s}");
    assert!(
        stderr.contains(
            "locked: cannot read this folder (permission denied); check its permissions; what the index holds for it is kept"
        ),
        "{stderr}"
    );
    assert_eq!(
        sorted(found),
        ["l1", "l2", "locked/deep/note.txt", "o1"],
        "nothing under the folder was lost"
    );
    // Readable again: nothing to redo, nothing lost.
    let (s, _) = user.index_json(&env, 0);
    assert_eq!(
        (s["added"].clone(), s["deleted"].clone()),
        (json!(0), json!(0)),
        "{s}"
    );
    assert_eq!(user.search(&env, "Cordouan").len(), 4);
    // Really removed: now deleted.
    fs::remove_dir_all(&locked).unwrap();
    let (s, _) = user.index_json(&env, 0);
    assert_eq!(s["deleted"], 3, "{s}");
}

#[test]
fn entries_whose_details_cannot_be_read_keep_their_articles() {
    let Some((env, user)) = locked_corpus() else {
        return;
    };
    // Listable but not searchable: names are seen, details are not.
    let locked = env.corpus.join("locked");
    chmod(&locked, 0o644);
    let (s, stderr) = user.index_json(&env, 2);
    let found = user.search(&env, "Cordouan");
    chmod(&locked, 0o755);
    assert_eq!(s["deleted"], 0, "{s}\n{stderr}");
    assert!(stderr.contains("kept"), "{stderr}");
    assert_eq!(found.len(), 4, "{found:?}");
}

#[test]
fn an_unreadable_file_keeps_its_articles_and_a_full_rebuild_waits_for_it() {
    let Some((env, user)) = locked_corpus() else {
        return;
    };
    // A changed file (its stamp moved) that cannot be read.
    env.write_jsonl(
        "locked/feed.jsonl",
        &[
            rec("l1", "Le phare de Cordouan brille."),
            rec("l2", "Le phare de Cordouan veille."),
            rec("l3", "Le phare de Cordouan dort."),
        ],
    );
    let feed = env.corpus.join("locked/feed.jsonl");
    chmod(&feed, 0o000);
    let (s, stderr) = user.index_json(&env, 2);
    assert_eq!(s["deleted"], 0, "{s}");
    assert!(
        stderr.contains("locked/feed.jsonl: permission denied"),
        "{stderr}"
    );
    chmod(&env.corpus.join("locked"), 0o000);
    let full = user.run(&env, &["index", "--full"]);
    let found = user.search(&env, "Cordouan");
    chmod(&env.corpus.join("locked"), 0o755);
    chmod(&feed, 0o644);
    full.expect_code(2);
    assert!(full.stderr.contains("cannot rebuild"), "{full:#?}");
    assert_eq!(
        found.len(),
        4,
        "the full rebuild changed nothing: {found:?}"
    );
}

// ---------------------------------------------------------------------------
// Records known by their id.

fn feed(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| rec(&format!("r{i}"), &format!("Le {} du jour {i}.", word(i))))
        .collect()
}

#[test]
fn deleting_one_record_and_editing_another_in_the_middle_costs_two_records() {
    let env = TestEnv::new();
    let mut records = feed(60);
    env.write_jsonl("feed.jsonl", &records);
    env.index_json(0);
    records.remove(20);
    records[30] = rec("r31", "Le texte du jour trente et un a changé: hippocampe.");
    env.write_jsonl("feed.jsonl", &records);
    let s = env.index_json(0);
    assert_eq!(
        (&s["added"], &s["updated"], &s["deleted"], &s["unchanged"]),
        (&json!(0), &json!(1), &json!(1), &json!(58)),
        "{s}"
    );
    assert_eq!(docs(&env.search_json(&["hippocampe"]).1), ["r31"]);
    let strict = |w: &str| env.search_json(&["--strict", w]);
    assert_eq!(strict(&word(20)).0, 1, "the deleted record is gone");
    assert_eq!(strict(&word(31)).0, 1, "the old text is gone");
    assert_eq!(docs(&strict(&word(45)).1), ["r45"]);
}

#[test]
fn a_feed_written_newest_first_indexes_only_the_new_records() {
    let env = TestEnv::new();
    let records = feed(30);
    env.write_jsonl("feed.jsonl", &records);
    env.index_json(0);
    let mut newest = vec![
        rec("n1", "Le narval arrive."),
        rec("n2", "Le narval repart."),
    ];
    newest.extend(records.iter().cloned());
    env.write_jsonl("feed.jsonl", &newest);
    let s = env.index_json(0);
    assert_eq!(
        (&s["added"], &s["updated"], &s["deleted"], &s["unchanged"]),
        (&json!(2), &json!(0), &json!(0), &json!(30)),
        "{s}"
    );
    // Re-sorted: nothing to re-index.
    let mut reversed = newest.clone();
    reversed.reverse();
    env.write_jsonl("feed.jsonl", &reversed);
    let s = env.index_json(0);
    assert_eq!(
        (&s["added"], &s["updated"], &s["deleted"], &s["unchanged"]),
        (&json!(0), &json!(0), &json!(0), &json!(32)),
        "{s}"
    );
    assert_eq!(sorted(docs(&env.search_json(&["narval"]).1)), ["n1", "n2"]);
    assert_eq!(
        docs(&env.search_json(&["--strict", &word(7)]).1),
        ["r7"],
        "no duplicate"
    );
}

#[test]
fn records_without_an_id_are_still_known_by_file_and_line() {
    let env = TestEnv::new();
    env.write(
        "x.jsonl",
        "{\"title\":\"Un\",\"body\":\"Le chat dort.\"}\n{\"title\":\"Deux\",\"body\":\"Le chien dort.\"}\n",
    );
    env.index_json(0);
    env.write(
        "x.jsonl",
        "{\"title\":\"Zéro\",\"body\":\"Le hibou dort.\"}\n{\"title\":\"Un\",\"body\":\"Le chat dort.\"}\n{\"title\":\"Deux\",\"body\":\"Le chien dort.\"}\n",
    );
    let s = env.index_json(0);
    assert_eq!((&s["added"], &s["updated"]), (&json!(1), &json!(2)), "{s}");
    assert_eq!(
        sorted(docs(&env.search_json(&["dort"]).1)),
        ["x.jsonl#1", "x.jsonl#2", "x.jsonl#3"]
    );
}

#[test]
fn a_duplicate_id_is_reported_and_the_first_record_kept() {
    let env = TestEnv::new();
    env.write_jsonl("a.jsonl", &[rec("x", "Le premier récit du goéland.")]);
    env.write_jsonl(
        "b.jsonl",
        &[
            rec("y", "Un autre récit."),
            rec("x", "Le second récit du goéland."),
        ],
    );
    let out = env.run(&["index"]);
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("b.jsonl:2: duplicate id \"x\", first seen at a.jsonl:1"),
        "{out:#?}"
    );
    let (_, hits) = env.search_json(&["goéland"]);
    assert_eq!(docs(&hits), ["x"]);
    assert_eq!(hits[0]["path"], "a.jsonl");
    assert_eq!(env.search_json(&["second"]).0, 1);
    // Again, with a.jsonl unchanged and unread: still one, still reported.
    env.write_jsonl(
        "b.jsonl",
        &[
            rec("y", "Un autre récit, revu."),
            rec("x", "Le second récit du goéland."),
        ],
    );
    let out = env.run(&["index"]);
    out.expect_code(2);
    assert!(out.stderr.contains("duplicate id \"x\""), "{out:#?}");
    assert_eq!(docs(&env.search_json(&["goéland"]).1), ["x"]);
}

#[test]
fn a_record_moved_to_another_file_is_shown_with_its_new_path() {
    let env = TestEnv::new();
    env.write_jsonl(
        "2024.jsonl",
        &[rec("m", "Le morse plonge."), rec("k", "Le kiwi court.")],
    );
    env.index_json(0);
    env.write_jsonl("2024.jsonl", &[rec("k", "Le kiwi court.")]);
    env.write_jsonl("2025.jsonl", &[rec("m", "Le morse plonge.")]);
    let s = env.index_json(0);
    assert_eq!(s["deleted"], 0, "{s}");
    let (_, hits) = env.search_json(&["morse"]);
    assert_eq!(docs(&hits), ["m"]);
    assert_eq!(hits[0]["path"], "2025.jsonl");
    assert_eq!(docs(&env.search_json(&["kiwi"]).1), ["k"]);
}

#[test]
fn json_array_elements_with_ids_are_known_by_them() {
    let env = TestEnv::new();
    let a = rec("a", "Le lynx guette.");
    let b = rec("b", "Le loup guette.");
    env.write("arr.json", json!([a, b]).to_string());
    env.index_json(0);
    env.write(
        "arr.json",
        serde_json::to_string_pretty(&json!([b, a])).unwrap(),
    );
    let s = env.index_json(0);
    assert_eq!(
        (&s["added"], &s["updated"], &s["deleted"], &s["unchanged"]),
        (&json!(0), &json!(0), &json!(0), &json!(2)),
        "{s}"
    );
    assert_eq!(sorted(docs(&env.search_json(&["guette"]).1)), ["a", "b"]);
}

// ---------------------------------------------------------------------------
// The ignore file.

#[test]
fn a_recoupeignore_file_excludes_paths_without_problems_and_their_articles_leave() {
    let env = TestEnv::new();
    env.write_jsonl("good.jsonl", &[rec("g", "Le héron pêche.")]);
    env.write_jsonl("drafts/d.jsonl", &[rec("d", "Le héron dort.")]);
    env.write("broken.jsonl", "{\"title\": oops}\n");
    let s = env.index_json(2);
    assert_eq!(s["added"], 2, "{s}");
    env.write(".recoupeignore", "# known bad\nbroken.jsonl\ndrafts/\n");
    let out = env.run(&["index", "--json"]);
    out.expect_code(0);
    assert!(out.stderr.is_empty(), "{out:#?}");
    let s = &out.json_lines()[0];
    assert_eq!((&s["deleted"], &s["failed"]), (&json!(1), &json!(0)), "{s}");
    assert_eq!(docs(&env.search_json(&["héron"]).1), ["g"]);
    // Patterns in a sub-folder's ignore file apply under it.
    env.write_jsonl("sub/keep.jsonl", &[rec("s1", "La grue vole.")]);
    env.write_jsonl("sub/old/x.jsonl", &[rec("s2", "La grue niche.")]);
    env.write("sub/.recoupeignore", "old\n");
    env.index_json(0);
    assert_eq!(docs(&env.search_json(&["grue"]).1), ["s1"]);
}

#[test]
fn a_bad_pattern_in_the_ignore_file_is_reported_with_its_line() {
    let env = TestEnv::new();
    env.write_jsonl("good.jsonl", &[rec("g", "Le héron pêche.")]);
    env.write(".recoupeignore", "ok.jsonl\n[z-a\n");
    let out = env.run(&["index"]);
    out.expect_code(2);
    assert!(out.stderr.contains(".recoupeignore:2:"), "{out:#?}");
    assert_eq!(docs(&env.search_json(&["héron"]).1), ["g"]);
}

// ---------------------------------------------------------------------------
// Progress, long lines and dates.

#[derive(Default)]
struct Progress {
    done: u64,
    total: u64,
    /// `done` at each call to `advance`.
    steps: Vec<u64>,
}

impl recoupe::indexer::Reporter for Progress {
    fn problem(&mut self, p: &recoupe::corpus::Problem) {
        panic!("unexpected problem: {p}");
    }
    fn start(&mut self, bytes: u64) {
        self.total = bytes;
    }
    fn advance(&mut self, bytes: u64) {
        self.done += bytes;
        self.steps.push(self.done);
    }
}

#[test]
fn progress_moves_while_one_large_gzip_file_is_read() {
    let env = TestEnv::new();
    let mut x: u64 = 1;
    let records: Vec<Value> = (0..4000)
        .map(|i| {
            let noise: Vec<String> = (0..6)
                .map(|_| {
                    x = x
                        .wrapping_mul(6_364_136_223_846_793_005)
                        .wrapping_add(1_442_695_040_888_963_407);
                    format!("{:x}", x >> 20)
                })
                .collect();
            rec(
                &format!("p{i}"),
                &format!("Le navire passe au large: {}.", noise.join(" ")),
            )
        })
        .collect();
    let path = env.write_jsonl_gz("big.jsonl.gz", &records);
    let size = fs::metadata(&path).unwrap().len();
    assert!(size > 200_000, "the file spans several reads: {size}");
    let mut progress = Progress::default();
    let analyzer = std::sync::Arc::new(recoupe::analysis::Analyzer::default());
    let summary = recoupe::indexer::run(
        &env.corpus,
        &env.index,
        analyzer,
        &recoupe::indexer::Options::default(),
        &mut progress,
    )
    .unwrap();
    assert_eq!(summary.added, 4000);
    assert_eq!(progress.total, size);
    assert_eq!(progress.done, size, "all bytes are reported once");
    let midway = progress
        .steps
        .iter()
        .filter(|d| **d > 0 && **d < size)
        .count();
    assert!(
        midway >= 3,
        "progress within the file: {:?}",
        progress.steps
    );
}

#[test]
fn a_line_over_the_size_limit_is_one_problem() {
    let env = TestEnv::new();
    let long = format!("{{\"title\":\"{}\"}}", "x".repeat(33 << 20));
    env.write("huge.jsonl", &long);
    env.write_jsonl("fine.jsonl", &[rec("f", "Le lièvre court.")]);
    let out = env.run(&["index", "--json"]);
    out.expect_code(2);
    let problems: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("huge.jsonl:1: line longer than 32 MiB"),
        "{problems:?}"
    );
    assert_eq!(out.json_lines()[0]["failed"], 1);
    assert_eq!(docs(&env.search_json(&["lièvre"]).1), ["f"]);
}

#[test]
fn a_date_that_is_not_understood_is_a_warning_and_the_run_succeeds() {
    let env = TestEnv::new();
    env.write_jsonl(
        "d.jsonl",
        &[
            json!({"id": "bad", "title": "Le castor", "date": "2020-13-40", "body": "Le castor construit."}),
            json!({"id": "ok", "title": "La loutre", "date": "2020-12-04", "body": "La loutre nage."}),
        ],
    );
    let out = env.run(&["index", "--json"]);
    out.expect_code(0);
    assert_eq!(
        out.stderr.trim(),
        "d.jsonl:1: date \"2020-13-40\" not understood; indexed without a date"
    );
    let s = &out.json_lines()[0];
    assert_eq!(
        (&s["warnings"], &s["failed"], &s["added"]),
        (&json!(1), &json!(0), &json!(2)),
        "{s}"
    );
    let (_, hits) = env.search_json(&["castor"]);
    assert_eq!(docs(&hits), ["bad"]);
    assert!(hits[0]["date"].is_null(), "{}", hits[0]);
}

#[test]
fn rereading_a_file_indexed_by_several_threads_changes_nothing() {
    let env = TestEnv::new();
    let body: Vec<String> = (0..6)
        .map(|p| format!("Paragraphe {p} sur le héron cendré et la digue, assez long pour faire un passage à lui seul."))
        .collect();
    let records: Vec<Value> = (0..1500)
        .map(|i| rec(&format!("t{i}"), &body.join("\n\n")))
        .collect();
    env.write_jsonl("many.jsonl", &records);
    let first = env.run(&["index", "--json", "--threads", "2"]);
    first.expect_code(0);
    let before = dump(&env);
    // Same content, new stamp: the file is read again, record by record.
    let mut text = fs::read_to_string(env.corpus.join("many.jsonl")).unwrap();
    text.push('\n');
    env.write("many.jsonl", text);
    let s = env.index_json(0);
    assert_eq!(
        (&s["added"], &s["updated"], &s["deleted"], &s["unchanged"]),
        (&json!(0), &json!(0), &json!(0), &json!(1500)),
        "{s}"
    );
    let again = env.index_json(0);
    assert_eq!(again["committed"], false, "{again}");
    assert!(before == dump(&env), "the index content changed");
}

fn dump(env: &TestEnv) -> Vec<String> {
    let analyzer = std::sync::Arc::new(recoupe::analysis::Analyzer::default());
    recoupe::index::Index::open(&env.index, analyzer)
        .expect("index opens")
        .dump()
        .expect("index dumps")
}
