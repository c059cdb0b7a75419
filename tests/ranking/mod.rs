//! Ranking rules that need a corpus of some size.

use std::sync::Arc;

use recoupe::analysis::Analyzer;
use recoupe::index::Index;
use recoupe::indexer::{self, Collect, Options};
use recoupe::search::{SearchOptions, Searcher};

/// An index of `records` (id, title, body) in a temporary folder, built by
/// the indexer as `recoupe index` builds it; the folder lives as long as
/// the returned guard.
fn index_of(
    records: &[(String, &str, String)],
) -> (tempfile::TempDir, std::path::PathBuf, Arc<Analyzer>) {
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut lines = String::new();
    for (id, title, body) in records {
        lines.push_str(&serde_json::json!({"id": id, "title": title, "body": body}).to_string());
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
    (tmp, index, analyzer)
}

/// Two hundred passages of the common words `gouvernement` and `budget`.
fn fillers() -> Vec<(String, &'static str, String)> {
    (0..200)
        .map(|i| {
            (
                format!("filler-{i}"),
                "Budget",
                format!("Le gouvernement a publié son rapport numéro {i} sur le budget."),
            )
        })
        .collect()
}

/// A word present in most passages does not make a passage "match more
/// words": a passage naming the rare word twice beats one that has the rare
/// word once plus the common word, when BM25 says so.
#[test]
fn very_common_words_do_not_count_as_matched_words() {
    let both = "Le gouvernement évoque Qamichli dans un long rapport sur le budget, les routes, les écoles et les hôpitaux du pays.";
    let rare = "Qamichli, Qamichli : la ville de Qamichli.";
    let mut records = fillers();
    for (id, body) in [("both", both), ("rare", rare)] {
        records.push((id.to_string(), "Syrie", body.to_string()));
    }
    let (_tmp, index, analyzer) = index_of(&records);
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

fn ids(hits: &[serde_json::Value]) -> Vec<String> {
    crate::util::docs(hits)
}

#[test]
fn sort_date_puts_the_newest_first_and_relevance_breaks_its_ties() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "d.jsonl",
        &[
            json!({"id": "old-strong", "date": "2019-03-01", "title": "Qamichli", "text": "Qamichli, Qamichli: à Qamichli les Kurdes tiennent la ville."}),
            json!({"id": "new-weak", "date": "2024-06-01", "title": "Syrie", "text": "Un long reportage sur le nord-est de la Syrie, ses routes, ses champs et ses villes, dont Qamichli, et sur la vie de ses habitants."}),
            json!({"id": "new-strong", "date": "2024-06-01", "title": "Qamichli", "text": "Qamichli: la ville de Qamichli sous tension."}),
            json!({"id": "undated", "title": "Carnet", "text": "Notes de voyage: Qamichli."}),
        ],
    );
    let (_, hits) = env.search_json(&["Qamichli"]);
    assert_eq!(ids(&hits)[0], "old-strong", "relevance is the default");
    let (_, hits) = env.search_json(&["Qamichli", "--sort", "date"]);
    assert_eq!(
        ids(&hits),
        ["new-strong", "new-weak", "old-strong", "undated"]
    );
    let (_, hits) = env.search_json(&["Qamichli", "--sort", "relevance"]);
    assert_eq!(ids(&hits)[0], "old-strong");
    let out = env.run(&["search", "Qamichli", "--sort", "newest"]);
    out.expect_code(2);
    assert!(
        out.stderr.contains("relevance") && out.stderr.contains("date"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_passage_found_only_through_its_title_says_so() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "t.jsonl",
        &[json!({"id": "a", "title": "Qamichli sous les bombes", "lead": "La ville de Qamichli a été frappée.", "body": "Les habitants ont fui vers le sud. Les écoles restent fermées."})],
    );
    let (_, hits) = env.search_json(&["Qamichli"]);
    assert!(hits.len() >= 2, "{hits:?}");
    for h in &hits {
        let named = !h["matches"].as_array().unwrap().is_empty();
        assert_eq!(h.get("title_only").is_some(), !named, "{h}");
        if !named {
            assert_eq!(h["title_only"], true);
        }
    }
    assert!(
        hits[0].get("title_only").is_none(),
        "the passage naming it comes first"
    );
    let out = env.run(&["search", "Qamichli", "--color", "never"]);
    out.expect_code(0);
    assert_eq!(
        out.stdout.matches("matched through its title only").count(),
        hits.len() - 1,
        "{}",
        out.stdout
    );
}

#[test]
fn a_question_ranks_the_passage_where_its_words_stand_together_first() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "q.jsonl",
        &[
            // The same words, scattered and some repeated (a higher BM25),
            // in a passage as long.
            json!({"id": "apart", "title": "Chronique", "text": "Le barrage retient le fleuve. Un barrage, un fleuve: plus loin, la construction des routes a commencé, et la ville attend sa centrale, disent les habitants."}),
            json!({"id": "together", "title": "Chronique", "text": "Les habitants attendent des années. La construction du barrage de la centrale sur le fleuve a commencé, disent-ils, loin de la ville et des routes."}),
        ],
    );
    let question = "Quand a commencé la construction du barrage de la centrale sur le fleuve";
    let (_, hits) = env.search_json(&[question]);
    assert_eq!(ids(&hits), ["together", "apart"]);
    // The proximity features are what orders them.
    let out = env.run_env(
        &["search", "--json", question],
        &[("RECOUPE_RANKING", "proximity=0,pairs=0")],
    );
    assert_eq!(ids(&out.hit_lines()), ["apart", "together"]);
    let out = env.run_env(
        &["search", question],
        &[("RECOUPE_RANKING", "proximity=often")],
    );
    out.expect_code(2);
    assert!(out.stderr.contains("proximity=often"), "{}", out.stderr);
}

#[test]
fn several_spellings_of_a_name_count_as_its_best_one_not_their_sum() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "k.jsonl",
        &[
            json!({"id": "three-spellings", "title": "Libye", "text": "Kadhafi, que la presse anglaise écrit Gaddafi et la presse allemande Khadafi."}),
            json!({"id": "repeats", "title": "Libye", "text": "Kadhafi a parlé, et Kadhafi a menacé la presse anglaise et la presse allemande."}),
        ],
    );
    let (_, hits) = env.search_json(&["Kadhafi"]);
    assert_eq!(ids(&hits), ["repeats", "three-spellings"]);
}

#[test]
fn exact_spellings_come_before_variants_over_the_whole_list() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    let mut records: Vec<serde_json::Value> = (0..40)
        .map(|i| json!({"id": format!("variant-{i}"), "title": "Libye", "text": format!("Gaddafi, Gaddafi, Gaddafi ({i}).")}))
        .collect();
    // Other news, so that the variant is not in every passage (its BM25
    // would be next to nothing).
    records.extend((0..200).map(|i| json!({"id": format!("other-{i}"), "title": "Météo", "text": format!("Il pleut sur la côte ({i}).")})));
    records.push(json!({"id": "exact", "title": "Archives", "text": "Parmi les nombreux dirigeants reçus cette année-là, dans un long défilé de visites officielles, figurait Kadhafi, venu en voisin."}));
    env.write_jsonl("v.jsonl", &records);
    for n in ["1", "5", "30"] {
        let (_, hits) = env.search_json(&["Kadhafi", "-n", n]);
        assert_eq!(ids(&hits)[0], "exact", "-n {n}");
        assert_eq!(hits[0]["matches"][0]["how"], "exact");
    }
}

#[test]
fn a_passage_dense_with_names_is_not_taken_for_a_longer_one() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "n.jsonl",
        &[
            // Six indexed words each (stopwords aside); one is full of names.
            json!({"id": "names", "title": "Russie", "text": "Les sanctions frappent Poutine, Lavrov, Choïgou et Medvedev."}),
            json!({"id": "plain", "title": "Russie", "text": "Les sanctions frappent durement les banques, les entreprises et les ports."}),
        ],
    );
    let (_, hits) = env.search_json(&["sanctions"]);
    assert_eq!(hits.len(), 2);
    let score = |h: &serde_json::Value| h["score"].as_f64().unwrap();
    assert!(
        (score(&hits[0]) - score(&hits[1])).abs() < 1e-4,
        "same length, same score: {hits:?}"
    );
}

#[test]
fn a_question_is_ranked_by_score_where_a_topic_ranks_by_words_matched() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    let mut records = vec![
        // One of the two words, many times: the higher BM25.
        json!({"id": "one-word", "title": "Qamichli", "text": "Qamichli, Qamichli, Qamichli : toujours Qamichli."}),
        // Both words, once, in a long passage.
        json!({"id": "both", "title": "Reportage", "text": "Un long reportage dans le nord-est du pays, de villages en villages, de routes en routes et de champs en champs, jusqu'à la ville de Qamichli, où le vieux marché brûle encore, disent les habitants rencontrés sur place par notre envoyé spécial."}),
    ];
    records.extend((0..30).map(|i| json!({"id": format!("f{i}"), "title": "Météo", "text": format!("Il pleut sur la côte ({i}).")})));
    env.write_jsonl("q.jsonl", &records);
    let (_, topic) = env.search_json(&["Qamichli brûle"]);
    assert_eq!(ids(&topic), ["both", "one-word"]);
    let (_, question) = env.search_json(&["Pourquoi Qamichli brûle"]);
    assert_eq!(ids(&question), ["one-word", "both"]);
    let out = env.run_env(
        &["search", "--json", "Pourquoi Qamichli brûle"],
        &[("RECOUPE_RANKING", "questions_by_score=off")],
    );
    assert_eq!(ids(&out.hit_lines()), ["both", "one-word"]);
}

#[test]
fn a_word_that_is_its_own_stem_still_finds_its_other_forms_and_they_find_it() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    // `mort` is its own stem: the index holds `mort` alone for it, and
    // `~mort` for `morts` and `morte`.
    env.write_jsonl(
        "m.jsonl",
        &[
            json!({"id": "singular", "title": "Bilan", "text": "Un mort dans l'explosion du dépôt."}),
            json!({"id": "plural", "title": "Bilan", "text": "Trois morts dans l'explosion du dépôt."}),
            json!({"id": "feminine", "title": "Bilan", "text": "Une passante est morte dans l'explosion."}),
            json!({"id": "other", "title": "Bilan", "text": "Aucun blessé dans l'explosion du dépôt."}),
        ],
    );
    for query in ["mort", "morts"] {
        let (_, hits) = env.search_json(&[query]);
        let mut found = ids(&hits);
        found.sort();
        assert_eq!(found, ["feminine", "plural", "singular"], "{query}");
    }
    // The form as typed first, then its other forms.
    let (_, hits) = env.search_json(&["mort"]);
    assert_eq!(ids(&hits)[0], "singular");
    let (_, hits) = env.search_json(&["morts"]);
    assert_eq!(ids(&hits)[0], "plural");
}

#[test]
fn a_quoted_phrase_matches_its_other_forms_when_a_word_is_its_own_stem() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    // `camp` is its own stem (found in `body`), `camps` is not (`~camp` in
    // `stems`): the phrase of stems reads both fields at once.
    env.write_jsonl(
        "c.jsonl",
        &[
            json!({"id": "as-typed", "title": "Sahel", "text": "Le camp militaire de Gao a été attaqué."}),
            json!({"id": "plural", "title": "Sahel", "text": "Les camps militaires du nord ont été évacués."}),
            json!({"id": "apart", "title": "Sahel", "text": "Le camp de réfugiés jouxte une base militaire."}),
        ],
    );
    let (_, hits) = env.search_json(&["\"camp militaire\""]);
    assert_eq!(ids(&hits), ["as-typed", "plural"]);
    assert_eq!(hits[1]["matches"][0]["how"], "stem", "{hits:?}");
}

#[test]
fn a_passage_of_words_that_are_their_own_stems_is_as_long_as_its_words() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    // Six indexed words each; every word of the first but `sanctions` is
    // its own stem, none of the second's is.
    env.write_jsonl(
        "s.jsonl",
        &[
            json!({"id": "own", "title": "Russie", "text": "Sanctions : Moscou, Minsk, Kiev, Erevan, Bakou."}),
            json!({"id": "stemmed", "title": "Russie", "text": "Sanctions frappent durement banques entreprises financières."}),
        ],
    );
    let (_, hits) = env.search_json(&["sanctionner"]);
    assert_eq!(hits.len(), 2);
    let score = |h: &serde_json::Value| h["score"].as_f64().unwrap();
    assert!(
        (score(&hits[0]) - score(&hits[1])).abs() < 1e-4,
        "same number of words, same score: {hits:?}"
    );
}

/// In a query with a word that is not common, a common word scores the
/// passages the other words find and finds none alone: the totals count
/// the passages a fact-checker asked about, not every passage of a common
/// word. Alone (or with only common words) it still finds its passages.
#[test]
fn a_common_word_beside_a_rare_one_finds_nothing_alone() {
    let mut records = fillers();
    for (id, body) in [
        ("both", "Le gouvernement a envoyé un émissaire à Qamichli."),
        ("rare", "Des tirs ont été signalés à Qamichli dans la nuit."),
        ("rare-too", "La route de Qamichli est coupée."),
    ] {
        records.push((id.to_string(), "Syrie", body.to_string()));
    }
    let (_tmp, index, analyzer) = index_of(&records);
    let open = || Searcher::new(Index::open(&index, analyzer.clone()).unwrap()).unwrap();
    let s = open();
    let opts = SearchOptions::default();
    let answer = s.search("gouvernement Qamichli", &opts).unwrap();
    assert_eq!(
        answer.totals.passages, 3,
        "the three passages naming Qamichli"
    );
    assert_eq!(answer.totals.scoring_only, ["gouvernement"]);
    let mut docs: Vec<&str> = answer.hits.iter().map(|h| h.doc.as_str()).collect();
    docs.sort();
    assert_eq!(docs, ["both", "rare", "rare-too"]);
    // The common word still scores.
    let score = |a: &recoupe::search::Answer, doc: &str| {
        a.hits
            .iter()
            .find(|h| h.doc == doc)
            .map(|h| h.score)
            .unwrap()
    };
    let rare_only = s.search("Qamichli", &opts).unwrap();
    assert!(score(&answer, "both") > score(&rare_only, "both"));
    assert_eq!(score(&answer, "rare"), score(&rare_only, "rare"));
    // Alone, the common word finds its passages.
    let alone = s.search("gouvernement", &opts).unwrap();
    assert_eq!(alone.totals.passages, 201);
    assert!(alone.totals.scoring_only.is_empty());
    // Required, it is no longer only a score.
    let required = s.search("+gouvernement Qamichli", &opts).unwrap();
    assert_eq!(required.totals.passages, 201);
    assert_eq!(required.hits[0].doc, "both");
    // A question ranks by score: there its common words still match.
    let question = s
        .search("Que fait le gouvernement à Qamichli ?", &opts)
        .unwrap();
    assert_eq!(question.totals.passages, 203);
    assert!(question.totals.scoring_only.is_empty());
    // Every word required: none only scores.
    let all = s
        .search(
            "gouvernement Qamichli",
            &SearchOptions {
                all: true,
                ..opts.clone()
            },
        )
        .unwrap();
    assert_eq!(all.totals.passages, 1);
    assert!(all.totals.scoring_only.is_empty());
    // The policy can let it match alone again.
    let matching = open().with_ranking(recoupe::search::RankParams {
        common_match: true,
        ..Default::default()
    });
    let answer = matching.search("gouvernement Qamichli", &opts).unwrap();
    assert_eq!(answer.totals.passages, 203);
    assert!(answer
        .hits
        .iter()
        .take(3)
        .all(|h| !h.doc.starts_with("filler")));
}
