//! Golden cases for the analyzer: for each input line of
//! `tests/golden/analyzer.txt` (lines starting with `== `), the words it
//! produces with position, byte offsets, the original slice, exact form, stem,
//! name key, and whether it opens a sentence or is written as an acronym. An input may write invisible characters as `\u{XXXX}`.
//! The file is regenerated only on purpose:
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

/// The input of a case: the line as written, with `\u{XXXX}` escapes
/// standing for characters that cannot be seen (soft hyphen, zero-width
/// space, non-breaking space…).
fn unescape(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let parsed = after.find('}').and_then(|end| {
            let c = u32::from_str_radix(&after[..end], 16)
                .ok()
                .and_then(char::from_u32)?;
            Some((c, end))
        });
        match parsed {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push_str("\\u{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn render(line: &str, analyzer: &Analyzer) -> String {
    let mut out = format!("== {line}\n");
    let input = unescape(line);
    let input = input.as_str();
    for w in analyzer.words(input) {
        let _ = writeln!(
            out,
            "{:>3} {:>3}..{:<3} {:<16} {:<16} {:<14} {:<8}{}{}",
            w.position,
            w.start,
            w.end,
            format!("{:?}", &input[w.start..w.end]),
            w.exact,
            format!("~{}", w.stem),
            name_key(&w).map(|k| format!("^{k}")).unwrap_or_default(),
            if w.initial { " initial" } else { "" },
            if w.acronym { " acronym" } else { "" },
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
