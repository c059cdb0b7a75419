//! The soak over real French news: index a slice of OrangeSum, add
//! articles written with the typography and scraped-page debris of real
//! feeds, and run a few hundred queries (names, common words, phrases,
//! stopwords, other scripts, generated hostile input) through one
//! `recoupe search --batch --json --limit 10000`. Fails on any exit code
//! other than 0 or 1, any output line that is not a JSON hit, any highlight
//! that is not a span of the passage text on character boundaries, and any
//! panic.
//!
//! Not part of `cargo test` (it needs the shared data and a release build);
//! `.ci/run` runs it as
//!
//! ```sh
//! cargo test --release --test soak -- --ignored --nocapture
//! ```
//!
//! Settings (environment): `RECOUPE_SOAK_DATA` (default
//! `../shared/data/orangesum.jsonl.gz`), `RECOUPE_SOAK_ARTICLES` (default
//! 3000; `all` for the whole file), `RECOUPE_SOAK_QUERIES` (generated
//! queries, default 300), `RECOUPE_SOAK_LIMIT` (default 10000).

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{json, Value};

/// Fixed queries: what fact-checkers type, and what they type by mistake.
const QUERIES: &str = include_str!("soak/queries.txt");

fn setting(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// A small deterministic generator (xorshift64*), so a failing soak can be
/// rerun with the same queries.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

const ODD: &[&str] = &[
    "\u{a0}",
    "\u{202f}",
    "\u{2009}",
    "\u{ad}",
    "\u{200b}",
    "\u{200d}",
    "\u{2060}",
    "\u{feff}",
    "\u{301}",
    "\u{202e}",
    "\u{200f}",
    "🇷🇺",
    "🙂",
    "\"",
    "«",
    "»",
    "+",
    "-",
    "'",
    "’",
    "*",
    "(",
    ")",
    ":",
    "\\",
    "\u{0}",
    "\u{1b}[31m",
];

/// Queries made of the corpus's own words, glued with odd characters and
/// operators.
fn generated(words: &[String], n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let mut q = String::new();
        for _ in 0..1 + rng.below(5) {
            match rng.below(6) {
                0 => q.push_str(rng.pick(ODD)),
                1 => q.push_str(&"x".repeat(rng.below(300))),
                _ => {
                    let w = &words[rng.below(words.len())];
                    // Cut words anywhere (on a char boundary), insert odd chars.
                    let cut = w
                        .char_indices()
                        .map(|(i, _)| i)
                        .nth(rng.below(w.chars().count() + 1))
                        .unwrap_or(w.len());
                    q.push_str(&w[..cut]);
                    if rng.below(3) == 0 {
                        q.push_str(rng.pick(ODD));
                    }
                    q.push_str(&w[cut..]);
                }
            }
            q.push_str(if rng.below(4) == 0 {
                rng.pick(ODD)
            } else {
                " "
            });
        }
        // A query is one line of the batch file.
        out.push(q.replace(['\n', '\r'], " "));
    }
    out
}

/// Articles written the way scraped French pages are: non-breaking and
/// thin spaces around every punctuation mark, soft hyphens and zero-width
/// characters inside names, bidi controls, emoji, escape sequences in titles.
fn odd_articles() -> Vec<Value> {
    (0..200)
        .map(|i| {
            let pad = "mot\u{a0}".repeat(i % 97 + 40);
            json!({
                "id": format!("odd-{i}"),
                "title": format!("Entretien\u{a0}{i} \u{1b}[2J\u{202e}titre"),
                "date": "2020-02-02",
                "body": format!(
                    "Selon «\u{a0}Le Monde\u{a0}», {pad} Vladimir\u{a0}Poutine\u{202f}a parlé\u{2009}; \
                     Kad\u{ad}hafi, Pou\u{200b}tine, \u{202e}al-Charaa\u{202c} et 🇷🇺 Путин\u{a0}: \
                     {pad} Poutine. Le Ier\u{202f}ministre a dit\u{a0}: «\u{a0}non\u{a0}»."
                ),
            })
        })
        .collect()
}

fn check_hit(line: &str) -> Result<(), String> {
    let hit: Value = serde_json::from_str(line).map_err(|e| format!("not JSON ({e})"))?;
    let text = hit["text"].as_str().ok_or("no text")?;
    for key in ["query", "doc", "title", "snippet", "path"] {
        if !hit[key].is_string() {
            return Err(format!("{key} is not a string"));
        }
    }
    if hit["rank"].as_u64().is_none_or(|r| r == 0) {
        return Err("rank is not a positive number".into());
    }
    let spans = hit["highlights"].as_array().ok_or("no highlights")?;
    let matches = hit["matches"].as_array().ok_or("no matches")?;
    if spans.len() != matches.len() {
        return Err("highlights and matches differ in number".into());
    }
    for (span, m) in spans.iter().zip(matches) {
        let (s, e) = (
            span[0].as_u64().ok_or("bad span")? as usize,
            span[1].as_u64().ok_or("bad span")? as usize,
        );
        if s >= e || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            return Err(format!(
                "highlight [{s}, {e}] is not a span of text ({} bytes)",
                text.len()
            ));
        }
        if m["text"].as_str() != Some(&text[s..e]) {
            return Err(format!("match text {:?} is not text[{s}..{e}]", m["text"]));
        }
    }
    Ok(())
}

/// Reads up to `articles` lines of a gzip-compressed JSONL file.
fn slice_of(data: &Path, articles: Option<usize>) -> Vec<u8> {
    let file = fs::File::open(data).unwrap_or_else(|e| panic!("{}: {e}", data.display()));
    let mut reader = BufReader::new(flate2::read::MultiGzDecoder::new(file));
    let mut out = Vec::new();
    let mut line = Vec::new();
    let mut n = 0;
    while articles.is_none_or(|max| n < max) {
        line.clear();
        if reader.read_until(b'\n', &mut line).unwrap_or(0) == 0 {
            break;
        }
        out.extend_from_slice(&line);
        n += 1;
    }
    out
}

/// Words of the slice (for generated queries), a sample of them.
fn some_words(slice: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(&slice[..slice.len().min(2 << 20)]);
    let mut words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == '"')
        .filter(|w| w.chars().count() >= 3 && !w.contains('\\'))
        .step_by(37)
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

#[test]
#[ignore = "needs ../shared/data and a release build: cargo test --release --test soak -- --ignored"]
fn soak_over_real_french_news() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let data = PathBuf::from(setting(
        "RECOUPE_SOAK_DATA",
        &manifest
            .join("../shared/data/orangesum.jsonl.gz")
            .to_string_lossy(),
    ));
    assert!(
        data.is_file(),
        "{}: soak data not found; set RECOUPE_SOAK_DATA",
        data.display()
    );
    let articles = match setting("RECOUPE_SOAK_ARTICLES", "3000").as_str() {
        "all" => None,
        n => Some(
            n.parse::<usize>()
                .expect("RECOUPE_SOAK_ARTICLES: a number or `all`"),
        ),
    };
    let generated_n: usize = setting("RECOUPE_SOAK_QUERIES", "300")
        .parse()
        .expect("RECOUPE_SOAK_QUERIES: a number");
    let limit = setting("RECOUPE_SOAK_LIMIT", "10000");

    let dir = tempfile::tempdir().expect("temp dir");
    let corpus = dir.path().join("corpus");
    let index = dir.path().join("index");
    fs::create_dir(&corpus).unwrap();
    let slice = slice_of(&data, articles);
    fs::write(corpus.join("slice.jsonl"), &slice).unwrap();
    let mut odd = String::new();
    for a in odd_articles() {
        odd.push_str(&a.to_string());
        odd.push('\n');
    }
    fs::write(corpus.join("odd.jsonl"), odd).unwrap();

    let bin = env!("CARGO_BIN_EXE_recoupe");
    let started = Instant::now();
    let out = Command::new(bin)
        .args(["index", "--quiet", "--corpus"])
        .arg(&corpus)
        .arg("--index")
        .arg(&index)
        .output()
        .expect("run recoupe index");
    let code = out.status.code().unwrap_or(-1);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The slice is real data: some records may be reported (exit 2), but
    // indexing must not fail or panic.
    assert!(
        (code == 0 || code == 2) && !stderr.contains("panicked"),
        "index exited {code}: {stderr}"
    );
    assert!(
        index.join("CURRENT").is_file(),
        "no index was built: {stderr}"
    );
    eprintln!(
        "soak: indexed {} articles in {:.1}s",
        slice.iter().filter(|&&b| b == b'\n').count() + 200,
        started.elapsed().as_secs_f64()
    );

    let mut queries: Vec<String> = QUERIES
        .lines()
        .filter(|l| !l.starts_with("# ") && !l.is_empty())
        .map(str::to_string)
        .collect();
    let fixed = queries.len();
    queries.extend(generated(&some_words(&slice), generated_n, 0x5eed));
    let batch = dir.path().join("queries.txt");
    fs::write(&batch, queries.join("\n")).unwrap();

    let started = Instant::now();
    let mut child = Command::new(bin)
        .args(["search", "--json", "--limit", &limit, "--batch"])
        .arg(&batch)
        .arg("--index")
        .arg(&index)
        .arg("--corpus")
        .arg(&corpus)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run recoupe search");
    let mut err_pipe = child.stderr.take().unwrap();
    let err_thread = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err_pipe.read_to_string(&mut s);
        s
    });
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut hits = 0usize;
    let mut failures: Vec<String> = Vec::new();
    let mut per_query = std::collections::BTreeMap::<String, usize>::new();
    let mut shown_since_summary = 0u64;
    for (n, line) in stdout.split(b'\n').enumerate() {
        let line = line.expect("read search output");
        let line = match String::from_utf8(line) {
            Ok(l) => l,
            Err(e) => {
                failures.push(format!("line {}: not UTF-8 ({e})", n + 1));
                continue;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("{\"summary\":") {
            // Each query's counts: at least the hits shown, and no more
            // articles than passages.
            let v: Value = serde_json::from_str(&line).unwrap_or_default();
            let s = &v["summary"];
            // A query may be asked twice: count the hits since the last
            // summary.
            let shown = std::mem::take(&mut shown_since_summary);
            let (passages, articles) = (s["passages"].as_u64(), s["articles"].as_u64());
            let sane = matches!((passages, articles), (Some(p), Some(a))
                if p >= shown && a <= p && (p == 0) == (a == 0));
            if !sane && failures.len() < 20 {
                failures.push(format!(
                    "line {}: summary counts {shown} shown: {line}",
                    n + 1
                ));
            }
            continue;
        }
        hits += 1;
        shown_since_summary += 1;
        match check_hit(&line) {
            Ok(()) => {
                let q: Value = serde_json::from_str(&line).unwrap_or_default();
                *per_query
                    .entry(q["query"].as_str().unwrap_or_default().to_string())
                    .or_default() += 1;
            }
            Err(why) if failures.len() < 20 => failures.push(format!(
                "line {}: {why}: {}",
                n + 1,
                &line[..line.len().min(300)]
            )),
            Err(_) => {}
        }
    }
    let status = child.wait().expect("wait for search");
    let stderr = err_thread.join().unwrap_or_default();
    let code = status.code().unwrap_or(-1);
    eprintln!(
        "soak: {} queries ({fixed} fixed, {generated_n} generated), {hits} hits from {} queries, {:.1}s, exit {code}",
        queries.len(),
        per_query.len(),
        started.elapsed().as_secs_f64()
    );
    let mut failed = failures;
    if code != 0 && code != 1 {
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        failed.push(format!("search --batch exited {code}: {tail:?}"));
    }
    if stderr.contains("panicked") {
        failed.push(format!(
            "the search panicked: {}",
            &stderr[..stderr.len().min(500)]
        ));
    }
    // The soak must exercise the engine, not only its error paths.
    for expected in ["Macron", "Poutine", "Kadhafi", "\"Bachar al-Assad\""] {
        if !per_query.contains_key(expected) {
            failed.push(format!("{expected}: no hit (the soak searched nothing?)"));
        }
    }
    assert!(failed.is_empty(), "soak failures:\n{}", failed.join("\n"));
}
