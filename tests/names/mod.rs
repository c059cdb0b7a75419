//! Names across spellings, on a fixture corpus of our own
//! (`tests/fixtures/names.jsonl`, expectations in `names-expect.tsv`): every
//! spelling of a name finds every passage of that name, and no false friend.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use recoupe::analysis::Analyzer;
use recoupe::index::Index;
use recoupe::indexer::{self, Collect, Options};
use recoupe::search::plan::How;
use recoupe::search::{SearchOptions, Searcher};

const EXPECT: &str = include_str!("../fixtures/names-expect.tsv");

fn searcher(dir: &Path) -> Searcher {
    let corpus = dir.join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/names.jsonl"),
        corpus.join("names.jsonl"),
    )
    .unwrap();
    let index = dir.join("index");
    let analyzer = Arc::new(Analyzer::default());
    let mut report = Collect::default();
    let summary = indexer::run(
        &corpus,
        &index,
        analyzer.clone(),
        &Options::default(),
        &mut report,
    )
    .unwrap();
    assert_eq!(summary.failed, 0, "{:?}", report.problems);
    Searcher::new(Index::open(&index, analyzer).unwrap()).unwrap()
}

fn ids(list: &str) -> BTreeSet<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

fn found(s: &Searcher, query: &str, strict: bool) -> BTreeSet<String> {
    let opts = SearchOptions {
        limit: 200,
        strict,
        ..SearchOptions::default()
    };
    s.search(query, &opts)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.doc)
        .collect()
}

#[test]
fn every_spelling_finds_every_passage_and_no_false_friend() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    let mut failures = Vec::new();
    for line in EXPECT
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut cols = line.split('\t');
        let query = cols.next().unwrap_or_default();
        let must = ids(cols.next().unwrap_or_default());
        let must_not = ids(cols.next().unwrap_or_default());
        let got = found(&s, query, false);
        let missed: Vec<_> = must.difference(&got).collect();
        let wrong: Vec<_> = must_not.intersection(&got).collect();
        if !missed.is_empty() || !wrong.is_empty() {
            failures.push(format!(
                "{query:?}: missed {missed:?}, false friends {wrong:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn strict_search_finds_only_the_spelling_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    let strict = found(&s, "al-Sharaa", true);
    let loose = found(&s, "al-Sharaa", false);
    assert!(
        strict.len() < loose.len(),
        "strict {strict:?} loose {loose:?}"
    );
    assert!(loose.contains("n-charaa-1"), "{loose:?}");
    assert!(!strict.contains("n-charaa-1"), "{strict:?}");
}

#[test]
fn explanations_say_how_each_spelling_matched() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    let hits = s
        .search(
            "al-Charaa",
            &SearchOptions {
                limit: 200,
                ..Default::default()
            },
        )
        .unwrap()
        .hits;
    let how = |doc: &str| -> Vec<How> {
        hits.iter()
            .filter(|h| h.doc == doc)
            .flat_map(|h| h.matches.iter().map(|m| m.how))
            .collect()
    };
    assert!(how("n-charaa-1").contains(&How::Exact));
    assert!(
        how("n-charaa-3").contains(&How::Variant),
        "{:?}",
        how("n-charaa-3")
    );
    assert!(
        how("n-joulani-1").contains(&How::Alias),
        "{:?}",
        how("n-joulani-1")
    );
    // Exact spellings rank above variants.
    let first_variant = hits
        .iter()
        .position(|h| h.matches.iter().all(|m| m.how != How::Exact));
    let last_exact = hits
        .iter()
        .rposition(|h| h.matches.iter().any(|m| m.how == How::Exact));
    assert!(
        last_exact < first_variant,
        "exact {last_exact:?} variant {first_variant:?}"
    );
}

#[test]
fn typos_are_tried_when_a_word_matches_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    let hits = s
        .search("Nasralah", &SearchOptions::default())
        .unwrap()
        .hits;
    assert!(!hits.is_empty());
    let hits = s
        .search("Zaporijjiaa", &SearchOptions::default())
        .unwrap()
        .hits;
    assert!(hits.iter().any(|h| h
        .matches
        .iter()
        .any(|m| m.how == How::Typo || m.how == How::Variant)));
    assert!(s
        .search(
            "Zaporijjiaa",
            &SearchOptions {
                strict: true,
                ..Default::default()
            }
        )
        .unwrap()
        .hits
        .is_empty());
}

#[test]
fn user_aliases_take_effect_without_reindexing() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    assert!(found(&s, "Tsar du Kremlin", false)
        .iter()
        .all(|d| !d.starts_with("n-poutine")));
    let index = Index::open(&tmp.path().join("index"), Arc::new(Analyzer::default())).unwrap();
    let mut table = recoupe::names::shipped_aliases();
    let (extra, errors) = recoupe::names::parse_aliases("Poutine = Tsar du Kremlin\n", "mine.txt");
    assert!(errors.is_empty());
    table.merge(extra);
    let s = Searcher::with_aliases(index, table).unwrap();
    assert!(found(&s, "Tsar du Kremlin", false)
        .iter()
        .any(|d| d.starts_with("n-poutine")));
}

#[test]
fn other_scripts_are_transliterated() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    let got = found(&s, "Путин", false);
    assert!(got.iter().any(|d| d.starts_with("n-poutine")), "{got:?}");
}
