//! Ranking rules that need a corpus of some size.

use std::sync::Arc;

use recoupe::analysis::Analyzer;
use recoupe::index::Index;
use recoupe::indexer::{self, Collect, Options};
use recoupe::search::{SearchOptions, Searcher};

/// A word present in most passages does not make a passage "match more
/// words": a passage naming the rare word twice beats one that has the rare
/// word once plus the common word, when BM25 says so.
#[test]
fn very_common_words_do_not_count_as_matched_words() {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut lines = String::new();
    for i in 0..200 {
        let body = format!("Le gouvernement a publié son rapport numéro {i} sur le budget.");
        lines.push_str(
            &serde_json::json!({"id": format!("filler-{i}"), "title": "Budget", "body": body})
                .to_string(),
        );
        lines.push('\n');
    }
    let both = "Le gouvernement évoque Qamichli dans un long rapport sur le budget, les routes, les écoles et les hôpitaux du pays.";
    let rare = "Qamichli, Qamichli : la ville de Qamichli.";
    for (id, body) in [("both", both), ("rare", rare)] {
        lines.push_str(&serde_json::json!({"id": id, "title": "Syrie", "body": body}).to_string());
        lines.push('\n');
    }
    std::fs::write(corpus.join("a.jsonl"), lines).unwrap();
    let index = tmp.path().join("index");
    let analyzer = Arc::new(Analyzer::default());
    indexer::run(
        &corpus,
        &index,
        analyzer.clone(),
        &Options::default(),
        &mut Collect::default(),
    )
    .unwrap();
    let s = Searcher::new(Index::open(&index, analyzer).unwrap()).unwrap();
    let hits = s
        .search("gouvernement Qamichli", &SearchOptions::default())
        .unwrap()
        .hits;
    let order: Vec<&str> = hits.iter().take(2).map(|h| h.doc.as_str()).collect();
    assert_eq!(order, ["rare", "both"]);
    // With only rare words, matching more of them still comes first.
    let hits = s
        .search("Qamichli hôpitaux", &SearchOptions::default())
        .unwrap()
        .hits;
    assert_eq!(hits[0].doc, "both");
}
