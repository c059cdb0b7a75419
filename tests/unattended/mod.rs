//! Unattended re-indexing: killed runs, full disks, read-only directories.
//! These run the real binary and, where they need to, the library to read an
//! index's whole content.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use recoupe::analysis::Analyzer;
use recoupe::index::Index;

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recoupe"));
    c.stdin(Stdio::null()).env_remove("NO_COLOR");
    c
}

fn run(args: &[&str], corpus: &Path, index: &Path) -> (i32, String, String) {
    let out = bin()
        .arg("--corpus")
        .arg(corpus)
        .arg("--index")
        .arg(index)
        .args(args)
        .output()
        .expect("run recoupe");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Deterministic pseudo-random numbers (xorshift), seeded per test run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "Moscou",
    "Damas",
    "Kiev",
    "gouvernement",
    "négociations",
    "frontière",
    "réfugiés",
    "ministre",
    "accord",
    "sanctions",
    "élections",
    "armée",
    "cessez-le-feu",
    "Qamichli",
    "président",
    "sommet",
    "l'ONU",
    "aujourd'hui",
    "diplomatie",
    "Téhéran",
    "pétrole",
];

fn sentence(rng: &mut Rng, n: usize) -> String {
    let mut s: Vec<&str> = (0..n)
        .map(|_| WORDS[rng.below(WORDS.len() as u64) as usize])
        .collect();
    s.push("fin.");
    s.join(" ")
}

/// Writes a JSONL file of `count` articles.
fn write_jsonl(path: &Path, prefix: &str, count: usize, rng: &mut Rng) {
    let mut out = String::new();
    for i in 0..count {
        let body: Vec<String> = (0..6).map(|_| sentence(rng, 40)).collect();
        let line = serde_json::json!({
            "id": format!("{prefix}-{i}"),
            "title": sentence(rng, 8),
            "date": format!("2024-0{}-1{}", 1 + i % 9, i % 10),
            "source": "AFP",
            "body": body.join(" "),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).expect("write corpus file");
}

fn dump(index: &Path) -> Vec<String> {
    Index::open(index, Arc::new(Analyzer::default()))
        .expect("index opens")
        .dump()
        .expect("index dumps")
}

fn seed() -> u64 {
    std::env::var("RECOUPE_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(7)
                | 1
        })
}

/// Kills the indexer at random moments while the corpus changes, checks that
/// search works after every kill, and that the next complete run converges
/// to exactly what a clean full build produces.
#[test]
fn killed_indexer_never_corrupts_and_next_run_converges() {
    let seed = seed();
    eprintln!("seed {seed} (set RECOUPE_TEST_SEED to replay)");
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    write_jsonl(&corpus.join("base.jsonl"), "base", 300, &mut rng);
    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 0, "{err}");

    let started = Instant::now();
    let mut kills = 0;
    // Kill moments are drawn within `window`, halved after each run that
    // ended first: however fast a run is, some are killed.
    let mut window = 400;
    for round in 0..12 {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        // Change the corpus: a new file, an edited file, sometimes a removal.
        write_jsonl(
            &corpus.join(format!("new-{round}.jsonl")),
            &format!("r{round}"),
            150,
            &mut rng,
        );
        write_jsonl(&corpus.join("base.jsonl"), "base", 300, &mut rng);
        if round % 3 == 2 {
            let _ = std::fs::remove_file(corpus.join(format!("new-{}.jsonl", round - 1)));
        }
        let full = rng.below(4) == 0;
        let mut cmd = bin();
        cmd.arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["index", "--quiet"]);
        if full {
            cmd.arg("--full");
        }
        let mut child = cmd
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(window)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        } else {
            window = (window / 2).max(2);
        }
        let _ = child.wait();
        // The last commit is searchable and consistent.
        let (code, _, err) = run(&["search", "--json", "Moscou"], &corpus, &index);
        assert!(
            code == 0,
            "round {round} (seed {seed}): search after kill exited {code}: {err}"
        );
        dump(&index);
    }
    assert!(
        kills > 0,
        "no run was killed (seed {seed}): make the corpus bigger"
    );

    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    let fresh = tmp.path().join("fresh");
    let (code, _, err) = run(&["index", "--quiet", "--full"], &corpus, &fresh);
    assert_eq!(code, 0, "{err}");
    let (a, b) = (dump(&index), dump(&fresh));
    assert_eq!(a.len(), b.len(), "seed {seed}: passage counts differ");
    assert!(
        a == b,
        "seed {seed}: incremental index differs from a full build"
    );
    // And a further run has nothing to do.
    let (_, out, _) = run(&["index", "--json"], &corpus, &index);
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["added"], 0);
    assert_eq!(summary["committed"], false, "{out}");
}

/// A tmpfs mounted for the test (root only); unmounted when dropped.
struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    fn mount(path: &Path, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(path).ok()?;
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(path)
            .stderr(Stdio::null())
            .status()
            .ok()?
            .success();
        ok.then(|| SmallDisk {
            path: path.to_path_buf(),
        })
    }

    fn remount_read_only(&self) -> bool {
        Command::new("mount")
            .args(["-o", "remount,ro"])
            .arg(&self.path)
            .status()
            .is_ok_and(|s| s.success())
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// A full disk, then a read-only index directory: each run fails with a
/// clear message, exit 2, and the last commit stays searchable.
#[test]
fn full_disk_and_read_only_index_keep_the_last_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(disk) = SmallDisk::mount(&tmp.path().join("disk"), "3m") else {
        eprintln!(
            "skipped: this machine does not let the test mount a small filesystem (needs root)"
        );
        return;
    };
    let corpus = tmp.path().join("corpus");
    let index = disk.path.join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut rng = Rng(42);
    write_jsonl(&corpus.join("small.jsonl"), "small", 20, &mut rng);
    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    let before = dump(&index);

    // Far more text than the 3 MiB disk holds.
    write_jsonl(&corpus.join("big.jsonl"), "big", 4000, &mut rng);
    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 2, "a full disk must fail the run: {err}");
    assert!(err.contains("index is unchanged"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        dump(&index),
        before,
        "the last commit must survive a full disk"
    );
    let (code, _, err) = run(&["search", "Moscou"], &corpus, &index);
    assert_eq!(code, 0, "{err}");

    std::fs::remove_file(corpus.join("big.jsonl")).unwrap();
    write_jsonl(&corpus.join("more.jsonl"), "more", 5, &mut rng);
    assert!(disk.remount_read_only(), "remount read-only");
    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 2, "a read-only index must fail the run: {err}");
    assert!(
        err.contains(&index.display().to_string()) || err.contains("Read-only"),
        "{err}"
    );
    let (code, _, err) = run(&["search", "Moscou"], &corpus, &index);
    assert_eq!(code, 0, "search must work on a read-only index: {err}");
    assert_eq!(dump(&index), before);
}

/// An index built by another version (another fingerprint) is never searched:
/// search says how to rebuild, and `recoupe index` rebuilds it.
#[test]
fn an_index_from_another_version_is_rebuilt_not_searched() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    write_jsonl(&corpus.join("a.jsonl"), "a", 5, &mut Rng(9));
    assert_eq!(run(&["index", "--quiet"], &corpus, &index).0, 0);
    let current = std::fs::read_to_string(index.join("CURRENT")).unwrap();
    let meta_path = index.join(current.trim()).join("meta.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).unwrap()).unwrap();
    let mut state: serde_json::Value =
        serde_json::from_str(meta["payload"].as_str().unwrap()).unwrap();
    state["fingerprint"] = "s0-a0-0000000000000000".into();
    meta["payload"] = state.to_string().into();
    std::fs::write(&meta_path, meta.to_string()).unwrap();

    let (code, _, err) = run(&["search", "Moscou"], &corpus, &index);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("another version") && err.contains("recoupe index --full"),
        "{err}"
    );
    // Said once, with the corpus and index of this run.
    assert_eq!(err.matches("another version").count(), 1, "{err}");
    assert_eq!(err.matches("recoupe index --full").count(), 1, "{err}");
    assert!(err.contains(&corpus.display().to_string()), "{err}");
    let (code, out, err) = run(&["index", "--json"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("another version"), "{out}");
    let (code, _, err) = run(&["search", "Moscou"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
}

/// Writes a JSONL file of `count` articles, every fourth naming Zelensky.
fn write_news(path: &Path, prefix: &str, count: usize, rng: &mut Rng) {
    let mut out = String::new();
    for i in 0..count {
        let mut body: Vec<String> = (0..4).map(|_| sentence(rng, 30)).collect();
        if i % 4 == 0 {
            body.insert(2, "Volodymyr Zelensky a répondu aux journalistes.".into());
        }
        let line = serde_json::json!({
            "id": format!("{prefix}-{i}"),
            "title": sentence(rng, 6),
            "date": "2026-11-30",
            "body": body.join(" "),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).expect("write corpus file");
}

/// (doc, passage) of each alert line of a JSONL file.
fn alerted(path: &Path) -> Vec<(String, u64)> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("an alert line");
            (
                v["doc"].as_str().unwrap().to_string(),
                v["passage"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// (doc, passage) of every passage a search for Zelensky finds.
fn zelensky_passages(corpus: &Path, index: &Path) -> Vec<(String, u64)> {
    let (code, out, err) = run(
        &[
            "search",
            "--json",
            "--all-copies",
            "--limit",
            "1000",
            "Zelensky",
        ],
        corpus,
        index,
    );
    assert_eq!(code, 0, "{err}");
    let mut found: Vec<(String, u64)> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v.get("summary").is_none())
        .map(|v| {
            (
                v["doc"].as_str().unwrap().to_string(),
                v["passage"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    found
}

/// Kills `recoupe index --alerts` at random moments while news arrives: in
/// the end, every passage naming the watched name was alerted exactly once,
/// in the index's log and in the --alerts file alike.
#[test]
fn killed_runs_alert_every_new_passage_exactly_once() {
    let seed = seed();
    eprintln!("seed {seed} (set RECOUPE_TEST_SEED to replay)");
    let mut rng = Rng(seed);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    let out_file = tmp.path().join("alerts.jsonl");
    std::fs::create_dir_all(&corpus).unwrap();
    write_jsonl(&corpus.join("base.jsonl"), "base", 200, &mut rng);
    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["watch", "add", "Zelensky"], &corpus, &index);
    assert_eq!(code, 0, "{err}");

    let started = Instant::now();
    let mut kills = 0;
    // As in the indexer's kill test: the window shrinks until runs are
    // killed.
    let mut window = 300;
    for round in 0..12 {
        if started.elapsed() > Duration::from_secs(60) {
            break;
        }
        write_news(
            &corpus.join(format!("news-{round}.jsonl")),
            &format!("n{round}"),
            120,
            &mut rng,
        );
        let mut child = bin()
            .arg("--corpus")
            .arg(&corpus)
            .arg("--index")
            .arg(&index)
            .args(["index", "--quiet", "--alerts"])
            .arg(&out_file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.below(window)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        } else {
            window = (window / 2).max(2);
        }
        let _ = child.wait();
    }
    assert!(kills > 0, "no run was killed (seed {seed})");
    let mut cmd = bin();
    let status = cmd
        .arg("--corpus")
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .args(["index", "--quiet", "--alerts"])
        .arg(&out_file)
        .status()
        .unwrap();
    assert!(status.success(), "seed {seed}");

    let expected = zelensky_passages(&corpus, &index);
    assert!(!expected.is_empty());
    for file in [index.join("alerts.jsonl"), out_file.clone()] {
        let mut got = alerted(&file);
        let n = got.len();
        got.sort();
        got.dedup();
        assert_eq!(
            n,
            got.len(),
            "seed {seed}: {} holds an alert twice",
            file.display()
        );
        let missing: Vec<_> = expected.iter().filter(|p| !got.contains(p)).collect();
        let extra: Vec<_> = got.iter().filter(|p| !expected.contains(p)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "seed {seed}: {}: never alerted {missing:?}; alerted but not found {extra:?}",
            file.display()
        );
    }
}

/// A run killed after its commit and before its alerts (here: a run that
/// recorded its change and stopped there) has them written by the next run.
#[test]
fn a_run_killed_before_its_alerts_has_them_written_by_the_next() {
    let mut rng = Rng(11);
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    let index = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).unwrap();
    write_jsonl(&corpus.join("base.jsonl"), "base", 20, &mut rng);
    let (code, _, err) = run(&["index", "--quiet"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["watch", "add", "Zelensky"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    write_news(&corpus.join("news.jsonl"), "n", 8, &mut rng);
    let opts = recoupe::indexer::Options {
        alerts: true,
        ..Default::default()
    };
    let summary = recoupe::indexer::run(
        &corpus,
        &index,
        Arc::new(Analyzer::default()),
        &opts,
        &mut recoupe::indexer::Collect::default(),
    )
    .unwrap();
    assert_eq!(summary.added, 8);
    assert!(!index.join("alerts.jsonl").exists());
    // Nothing changed since: the next run only writes the pending alerts.
    let (code, out, err) = run(&["index", "--alerts", "-"], &corpus, &index);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("0 added"), "{err}");
    let docs: Vec<String> = out
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["doc"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(docs, ["n-0", "n-4"], "{out}");
    // And never again.
    let (_, out, _) = run(&["index", "--alerts", "-"], &corpus, &index);
    assert_eq!(out, "");
    assert_eq!(alerted(&index.join("alerts.jsonl")).len(), 2);
}
