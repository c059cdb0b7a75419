//! A throwaway workspace for driving the `recoupe` binary the way a user
//! would: a temporary folder with a corpus directory and an index directory,
//! and helpers to write articles and run commands against them.

#![allow(dead_code)]

pub mod server;

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    /// Panics with the whole output when the exit code is not `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "unexpected exit code; output: {self:#?}");
        self
    }

    /// The stdout lines parsed as JSON objects.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
            .collect()
    }

    /// The hits of `search --json`, each query's summary line checked and
    /// left out.
    pub fn hit_lines(&self) -> Vec<serde_json::Value> {
        split_summaries(self.json_lines()).0
    }
}

pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub corpus: PathBuf,
    pub index: PathBuf,
}

impl TestEnv {
    /// An empty corpus directory; the index directory does not exist yet.
    pub fn new() -> TestEnv {
        let dir = tempfile::tempdir().expect("temp dir");
        let corpus = dir.path().join("corpus");
        let index = dir.path().join("index");
        fs::create_dir(&corpus).expect("corpus dir");
        TestEnv { dir, corpus, index }
    }

    /// A corpus holding a copy of the sample articles shipped with the project.
    pub fn with_samples() -> TestEnv {
        let env = TestEnv::new();
        let samples = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        for entry in fs::read_dir(samples).expect("sample corpus") {
            let entry = entry.expect("sample entry");
            fs::copy(entry.path(), env.corpus.join(entry.file_name())).expect("copy sample");
        }
        env
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Writes (or overwrites) a corpus file, creating its folders.
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.corpus.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("corpus subfolder");
        }
        fs::write(&path, content).expect("write corpus file");
        path
    }

    /// Writes a JSONL corpus file, one line per value.
    pub fn write_jsonl(&self, rel: &str, records: &[serde_json::Value]) -> PathBuf {
        let mut text = String::new();
        for r in records {
            text.push_str(&r.to_string());
            text.push('\n');
        }
        self.write(rel, text)
    }

    /// Writes a gzip-compressed JSONL corpus file.
    pub fn write_jsonl_gz(&self, rel: &str, records: &[serde_json::Value]) -> PathBuf {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        for r in records {
            writeln!(enc, "{r}").expect("gzip write");
        }
        self.write(rel, enc.finish().expect("gzip finish"))
    }

    pub fn remove(&self, rel: &str) {
        fs::remove_file(self.corpus.join(rel)).expect("remove corpus file");
    }

    fn command(&self, args: &[&str], with_paths: bool) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_recoupe"));
        cmd.current_dir(self.root())
            .env_remove("NO_COLOR")
            .env_remove("RECOUPE_CORPUS")
            .env_remove("RECOUPE_INDEX")
            .stdin(Stdio::null());
        if with_paths {
            cmd.arg("--corpus")
                .arg(&self.corpus)
                .arg("--index")
                .arg(&self.index);
        }
        cmd.args(args);
        cmd
    }

    fn finish(mut cmd: Command, stdin: Option<&[u8]>) -> Output {
        if stdin.is_some() {
            cmd.stdin(Stdio::piped());
        }
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("start recoupe");
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin pipe");
            pipe.write_all(input).expect("feed stdin");
        }
        let out = child.wait_with_output().expect("wait for recoupe");
        Output {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs `recoupe --corpus <corpus> --index <index> ARGS`.
    pub fn run(&self, args: &[&str]) -> Output {
        Self::finish(self.command(args, true), None)
    }

    /// Same, with extra environment variables.
    pub fn run_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Output {
        let mut cmd = self.command(args, true);
        for (k, v) in vars {
            cmd.env(k, v);
        }
        Self::finish(cmd, None)
    }

    /// Same, feeding `input` on standard input.
    pub fn run_stdin(&self, args: &[&str], input: &str) -> Output {
        Self::finish(self.command(args, true), Some(input.as_bytes()))
    }

    /// Runs against this index but another corpus folder.
    pub fn run_with_corpus(&self, corpus: &Path, args: &[&str]) -> Output {
        let mut cmd = self.command(&[], false);
        cmd.arg("--corpus")
            .arg(corpus)
            .arg("--index")
            .arg(&self.index)
            .args(args);
        Self::finish(cmd, None)
    }

    /// Runs the binary in the workspace folder without `--corpus`/`--index`,
    /// so the defaults (`corpus`, `.recoupe-index`) apply.
    pub fn run_bare(&self, args: &[&str]) -> Output {
        Self::finish(self.command(args, false), None)
    }

    /// `recoupe search --json ARGS`, parsed: the hits (the closing
    /// `{"summary": …}` line of each query left out, after checking it is
    /// there).
    pub fn search_json(&self, args: &[&str]) -> (i32, Vec<serde_json::Value>) {
        let (code, hits, _) = self.search_json_summaries(args);
        (code, hits)
    }

    /// `recoupe search --json ARGS`, parsed: the hits and each query's
    /// summary object.
    pub fn search_json_summaries(
        &self,
        args: &[&str],
    ) -> (i32, Vec<serde_json::Value>, Vec<serde_json::Value>) {
        let mut all = vec!["search", "--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(out.code == 0 || out.code == 1, "search failed: {out:#?}");
        let (hits, summaries) = split_summaries(out.json_lines());
        (out.code, hits, summaries)
    }

    /// `recoupe index --json`, expecting `code`, parsed summary.
    pub fn index_json(&self, code: i32) -> serde_json::Value {
        let out = self.run(&["index", "--json"]);
        out.expect_code(code);
        let lines = out.json_lines();
        assert_eq!(lines.len(), 1, "one summary object expected: {out:#?}");
        lines.into_iter().next().unwrap_or_default()
    }
}

/// Search `--json` lines split into hits and summaries; each query's hits
/// must be closed by its summary line.
pub fn split_summaries(
    lines: Vec<serde_json::Value>,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let (mut hits, mut summaries) = (Vec::new(), Vec::new());
    let mut open: Option<String> = None;
    for line in lines {
        if let Some(summary) = line.get("summary") {
            let query = summary["query"].as_str().unwrap_or_default().to_string();
            if let Some(q) = open.take() {
                assert_eq!(q, query, "a summary closes the hits of its own query");
            }
            summaries.push(summary.clone());
        } else {
            let query = line["query"].as_str().unwrap_or_default().to_string();
            assert!(
                open.as_ref().is_none_or(|q| *q == query),
                "hits of {query:?} before the summary of {open:?}"
            );
            open = Some(query);
            hits.push(line);
        }
    }
    assert!(open.is_none(), "hits of {open:?} without a summary line");
    (hits, summaries)
}

/// The `doc` ids of JSON hits, in rank order.
pub fn docs(hits: &[serde_json::Value]) -> Vec<String> {
    hits.iter()
        .map(|h| h["doc"].as_str().unwrap_or_default().to_string())
        .collect()
}
