//! The alerts log: every alert the watchlist raised, one JSON line each
//! ([`crate::api::Alert`]), in `alerts.jsonl` in the index folder, oldest
//! first. `recoupe watch report` reads it; `recoupe index --alerts FILE`
//! writes the same lines to `FILE` too, the same way.
//!
//! A run's alerts are written as one block, after its commit, and the run
//! is marked as alerted by a second commit ([`super::alerts`]). A run
//! killed in between is alerted again by the next run: writing run `R`
//! first cuts from the file's end every line of a run `R` or later (and a
//! last line left half written), so each run's alerts appear once.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::api::Alert;

/// The log's file name in the index folder.
pub const FILE: &str = "alerts.jsonl";

/// The alerts log of the index at `root`.
pub fn path(root: &Path) -> PathBuf {
    root.join(FILE)
}

/// The run number a log line starts with (`{"run":N,`), if it does.
fn run_of(line: &[u8]) -> Option<u64> {
    let rest = line.strip_prefix(br#"{"run":"#)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || rest.get(digits) != Some(&b',') {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

/// Where the lines of run `run` or later, at the end of `file` (`len`
/// bytes), begin: the length to keep. A last line without its line break
/// was left half written and goes too.
fn keep_before(file: &mut File, len: u64, run: u64) -> io::Result<u64> {
    let mut window: u64 = 64 << 10;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        Read::by_ref(file).take(len - start).read_to_end(&mut buf)?;
        // Line starts within the window; the first is whole only when the
        // window starts the file or follows a line break.
        let mut cut = len;
        let mut end = buf.len();
        if buf.last().is_some_and(|&b| b != b'\n') {
            end = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            cut = start + end as u64;
            if end == 0 && start > 0 {
                window = window.saturating_mul(4);
                continue;
            }
        }
        let mut line_end = end;
        loop {
            if line_end == 0 {
                // Every line of the window goes: look further back, unless
                // this is the file's start.
                if start == 0 {
                    return Ok(0);
                }
                break;
            }
            let line_start = buf[..line_end - 1]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if line_start == 0 && start > 0 {
                break; // the line may begin before the window
            }
            match run_of(&buf[line_start..line_end]) {
                Some(r) if r >= run => {
                    cut = start + line_start as u64;
                    line_end = line_start;
                }
                _ => return Ok(cut),
            }
        }
        if start == 0 {
            return Ok(cut);
        }
        window = window.saturating_mul(4);
    }
}

/// Appends run `run`'s alert lines (`lines`, each ending with a line
/// break) to the JSONL file at `path`, creating it if needed, after
/// cutting what an earlier attempt at the same run left at its end; the
/// file is synced before this returns.
pub fn write_run(path: &Path, run: u64, lines: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    let len = file.metadata()?.len();
    let keep = keep_before(&mut file, len, run)?;
    if keep < len {
        file.set_len(keep)?;
    }
    if lines.is_empty() && keep == len {
        return Ok(());
    }
    file.seek(SeekFrom::Start(keep))?;
    file.write_all(lines)?;
    file.sync_data()
}

/// What reading a log found.
#[derive(Debug, Default)]
pub struct Log {
    /// The alerts, oldest first.
    pub alerts: Vec<Alert>,
    /// Lines that are no alert (`file:line: reason`).
    pub problems: Vec<String>,
}

/// The alerts of the log at `path` caught on or after `since` (an RFC 3339
/// date or time prefix, compared as text: `2026-12-01` keeps that day on);
/// a missing log holds none.
pub fn read(path: &Path, since: Option<&str>) -> io::Result<Log> {
    let mut out = Log::default();
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e),
    };
    let mut reader = io::BufReader::new(file);
    let mut line = Vec::new();
    let mut number = 0usize;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        number += 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match serde_json::from_slice::<Alert>(&line) {
            Ok(a) if since.is_some_and(|s| a.caught.as_str() < s) => {}
            Ok(a) => out.alerts.push(a),
            Err(e) => out.problems.push(format!(
                "{}:{number}: not an alert ({e}); the line was skipped",
                path.display()
            )),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::fs;

    fn line(run: u64, doc: &str) -> String {
        format!("{{\"run\":{run},\"doc\":\"{doc}\"}}\n")
    }

    #[test]
    fn a_run_written_again_replaces_its_lines_and_a_half_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        write_run(&p, 1, line(1, "a").as_bytes()).unwrap();
        write_run(&p, 2, (line(2, "b") + &line(2, "c")).as_bytes()).unwrap();
        // Run 2 again, as after a kill before its second commit, then a
        // half-written line of run 3.
        write_run(&p, 2, (line(2, "b") + &line(2, "c")).as_bytes()).unwrap();
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(br#"{"run":3,"doc":"#).unwrap();
        write_run(&p, 3, line(3, "d").as_bytes()).unwrap();
        let text = fs::read_to_string(&p).unwrap();
        assert_eq!(
            text,
            line(1, "a") + &line(2, "b") + &line(2, "c") + &line(3, "d")
        );
        // A run with no alerts cuts what an earlier try of it wrote.
        write_run(&p, 3, b"").unwrap();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            line(1, "a") + &line(2, "b") + &line(2, "c")
        );
    }

    #[test]
    fn lines_that_are_not_alerts_are_named_and_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        fs::write(&p, "garbage\n\n").unwrap();
        let r = read(&p, None).unwrap();
        assert!(r.alerts.is_empty());
        assert_eq!(r.problems.len(), 1);
        assert!(r.problems[0].contains("a.jsonl:1: not an alert"));
        assert!(read(&dir.path().join("none"), None)
            .unwrap()
            .alerts
            .is_empty());
    }

    proptest! {
        /// Whatever runs were written, and whichever was written again,
        /// the file holds each run's lines once, in order.
        #[test]
        fn each_run_is_held_once(runs in proptest::collection::vec((0usize..4, 1usize..300), 1..8), again in 0usize..8, pad in 0usize..3000) {
            let dir = tempfile::tempdir().unwrap();
            let p = dir.path().join("a.jsonl");
            let big = "x".repeat(pad);
            let block = |run: u64, n: usize, w: usize| -> String {
                (0..n).map(|i| line(run, &format!("{i}{}", &big[..w.min(big.len())]))).collect()
            };
            let mut expected = String::new();
            for (i, &(n, w)) in runs.iter().enumerate() {
                let run = i as u64 + 1;
                write_run(&p, run, block(run, n, w).as_bytes()).unwrap();
                if i == again.min(runs.len() - 1) {
                    write_run(&p, run, block(run, n, w).as_bytes()).unwrap();
                }
                expected.push_str(&block(run, n, w));
            }
            let text = fs::read_to_string(&p).unwrap_or_default();
            prop_assert_eq!(text, expected);
        }

        #[test]
        fn run_of_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = run_of(&bytes);
        }
    }
}
