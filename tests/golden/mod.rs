//! Golden cases for the analyzer: for each input line of
//! `tests/golden/analyzer.txt` (lines starting with `== `), the words it
//! produces with position, byte offsets, the original slice, exact form, stem
//! and name key. The file is regenerated only on purpose:
//!
//! ```sh
//! RECOUPE_BLESS=1 cargo test --test cli golden
//! ```
//!
//! then review the diff like any code change.

use std::fmt::Write;
use std::path::Path;

use recoupe::analysis::tokenizer::name_key;
use recoupe::analysis::Analyzer;

fn render(input: &str, analyzer: &Analyzer) -> String {
    let mut out = format!("== {input}\n");
    for w in analyzer.words(input) {
        let _ = writeln!(
            out,
            "{:>3} {:>3}..{:<3} {:<16} {:<16} {:<14} {}",
            w.position,
            w.start,
            w.end,
            format!("{:?}", &input[w.start..w.end]),
            w.exact,
            format!("~{}", w.stem),
            name_key(&w).map(|k| format!("^{k}")).unwrap_or_default()
        );
    }
    out
}

#[test]
fn analyzer_output_matches_the_golden_file() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/analyzer.txt");
    let golden = std::fs::read_to_string(&path).expect("tests/golden/analyzer.txt");
    let analyzer = Analyzer::default();
    let mut header = String::new();
    let mut fresh = String::new();
    for line in golden.lines() {
        if let Some(input) = line.strip_prefix("== ") {
            fresh.push_str(&render(input, &analyzer));
        } else if line.starts_with('#') && fresh.is_empty() {
            header.push_str(line);
            header.push('\n');
        }
    }
    let fresh = format!("{header}{fresh}");
    if std::env::var_os("RECOUPE_BLESS").is_some() {
        std::fs::write(&path, &fresh).expect("write golden file");
        return;
    }
    if fresh != golden {
        let diff: Vec<String> = golden
            .lines()
            .zip(fresh.lines())
            .filter(|(a, b)| a != b)
            .take(10)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .collect();
        panic!(
            "analyzer output changed (first differences below). If the change is intended, \
             run `RECOUPE_BLESS=1 cargo test --test cli golden`, review the diff, and bump \
             ANALYZER_VERSION so existing indexes are rebuilt.\n{}",
            diff.join("\n")
        );
    }
}
