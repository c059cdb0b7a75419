//! End-to-end behaviour of the `recoupe` command line: what a user typing
//! `recoupe search …` or a cron job running `recoupe index` would see.

mod corpus_trust;
mod edges;
mod golden;
mod names;
mod ranking;
mod serve;
mod trust;
mod unattended;
mod util;
mod watch;
mod workbench;

use std::fs;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use util::{docs, split_summaries, TestEnv};

// ---------------------------------------------------------------------------
// Helpers about this test file's own little corpora.

/// One JSONL record with an id, a date and a body.
fn rec(id: &str, date: &str, text: &str) -> Value {
    json!({"id": id, "title": format!("Article {id}"), "date": date, "text": text})
}

fn no_panic(out: &util::Output) {
    assert!(
        !out.stderr.contains("panicked"),
        "the binary panicked: {out:#?}"
    );
    assert_ne!(out.code, 101, "the binary panicked: {out:#?}");
}

// ---------------------------------------------------------------------------
// First use on the bundled sample corpus.

#[test]
fn first_search_in_a_fresh_checkout_indexes_the_samples_and_finds_both_articles() {
    let env = TestEnv::with_samples();
    // A fresh checkout: `corpus/` next to us, no index yet, default paths.
    assert!(!env.root().join(".recoupe-index").exists());
    let out = env.run_bare(&["search", "bases militaires"]);
    out.expect_code(0);
    assert!(
        env.root().join(".recoupe-index").join("CURRENT").is_file(),
        "the first search should leave an index behind"
    );
    let s = &out.stdout;
    assert!(
        s.contains(
            "Vladimir Poutine accueille ce mercredi à Moscou le président syrien Ahmad al-Charaa."
        ),
        "{s}"
    );
    assert!(
        s.contains("Vladimir Poutine s'entretient pour la première fois avec le président de la transition syrienne"),
        "{s}"
    );
    assert!(s.contains("2026-01-28"), "{s}");
    assert!(s.contains("2025-02-12"), "{s}");
    assert!(s.contains("AFP"), "{s}");
    assert!(s.contains("000_29e744703d78f48c.txt"), "{s}");
    assert!(s.contains("003_af2370a14cf3d5ef.txt"), "{s}");
    // Piped output marks matches with ** and carries no escape codes.
    // Neighbouring matched words read as one highlight.
    assert!(s.contains("**bases militaires**"), "{s}");
    assert!(s.contains("**militaire**"), "{s}");
    assert!(!s.contains('\x1b'), "{s}");
    // The indexing on first use is announced on stderr, not mixed with results.
    assert!(out.stderr.contains("indexing"), "{}", out.stderr);

    // A second search reuses the index: nothing about indexing any more.
    let again = env.run_bare(&["search", "bases militaires"]);
    again.expect_code(0);
    assert!(!again.stderr.contains("indexing"), "{}", again.stderr);
    assert_eq!(again.stdout, out.stdout);
}

#[test]
fn a_query_without_accents_highlights_the_accented_word_in_the_text() {
    let env = TestEnv::with_samples();
    let (code, hits) = env.search_json(&["refugie"]);
    assert_eq!(code, 0);
    assert!(!hits.is_empty());
    let mut seen = false;
    for hit in &hits {
        let text = hit["text"].as_str().unwrap();
        for h in hit["highlights"].as_array().unwrap() {
            let (s, e) = (
                h[0].as_u64().unwrap() as usize,
                h[1].as_u64().unwrap() as usize,
            );
            let word = &text[s..e];
            assert!(
                word.to_lowercase().starts_with("réfugi"),
                "highlight {word:?} does not answer refugie"
            );
            seen = true;
        }
    }
    assert!(seen, "no highlight at all: {hits:#?}");
}

#[test]
fn json_lines_have_the_documented_keys_in_order_and_valid_highlights() {
    let env = TestEnv::with_samples();
    let out = env.run(&["search", "--json", "Poutine Moscou"]);
    out.expect_code(0);
    let keys_expected = [
        "query",
        "rank",
        "score",
        "doc",
        "passage",
        "title",
        "date",
        "source",
        "url",
        "path",
        "text",
        "snippet",
        "snippet_marks",
        "title_marks",
        "highlights",
        "matches",
    ];
    let mut ranks = Vec::new();
    let mut lines: Vec<&str> = out.stdout.lines().collect();
    // The last line counts what the query matches in the whole index.
    let summary: Value = serde_json::from_str(lines.pop().unwrap()).unwrap();
    let summary = &summary["summary"];
    assert_eq!(summary["query"], "Poutine Moscou");
    assert!(summary["passages"].as_u64().unwrap() >= lines.len() as u64);
    assert!(summary["articles"].as_u64().unwrap() >= 1);
    assert!(summary["spellings"].is_array());
    for line in lines {
        // Key order as written on the line (serde_json's Map sorts keys).
        let mut keys = Vec::new();
        let v: Value = serde_json::from_str(line).expect("each line is JSON");
        let obj = v.as_object().expect("each line is an object");
        for k in obj.keys() {
            let at = line.find(&format!("\"{k}\":")).expect("key on the line");
            keys.push((at, k.clone()));
        }
        keys.sort();
        let mut keys: Vec<&str> = keys.iter().map(|(_, k)| k.as_str()).collect();
        // `title_only` comes last, only when the passage's own text has
        // nothing the query matched.
        if keys.last() == Some(&"title_only") {
            keys.pop();
            assert_eq!(v["title_only"], true, "{line}");
            assert!(v["matches"].as_array().unwrap().is_empty(), "{line}");
        } else {
            assert!(!v["matches"].as_array().unwrap().is_empty(), "{line}");
        }
        assert_eq!(keys, keys_expected, "{line}");
        assert_eq!(v["query"], "Poutine Moscou");
        ranks.push(v["rank"].as_u64().unwrap());
        let text = v["text"].as_str().unwrap();
        let hl = v["highlights"].as_array().unwrap();
        // A passage found through its article's title has nothing to mark
        // in its text; any other hit must show what matched.
        let title = v["title"].as_str().unwrap();
        assert!(
            !hl.is_empty() || title.contains("Poutine") || title.contains("Moscou"),
            "a hit without highlight: {line}"
        );
        for h in hl {
            let pair = h.as_array().unwrap();
            assert_eq!(pair.len(), 2);
            let (s, e) = (
                pair[0].as_u64().unwrap() as usize,
                pair[1].as_u64().unwrap() as usize,
            );
            assert!(s < e && e <= text.len(), "{s}..{e} out of text");
            assert!(text.is_char_boundary(s) && text.is_char_boundary(e));
        }
    }
    assert!(!ranks.is_empty());
    let expected: Vec<u64> = (1..=ranks.len() as u64).collect();
    assert_eq!(ranks, expected, "ranks count from 1 without gaps");
}

// ---------------------------------------------------------------------------
// Exit codes.

#[test]
fn exit_code_is_0_with_hits_1_without_and_2_on_errors() {
    let env = TestEnv::with_samples();
    env.run(&["search", "Poutine"]).expect_code(0);
    let none = env.run(&["search", "zzzzqqqx"]);
    none.expect_code(1);
    assert!(none.stdout.is_empty(), "{none:#?}");
    assert!(none.stderr.contains("zzzzqqqx"), "{none:#?}");

    let bad_date = env.run(&["search", "--since", "2025-13-45", "Poutine"]);
    bad_date.expect_code(2);
    assert!(bad_date.stderr.contains("2025-13-45"), "{bad_date:#?}");

    // An index directory that is not an index.
    fs::write(env.index.join("CURRENT"), "g1\n").unwrap();
    let gens: Vec<_> = fs::read_dir(&env.index)
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .collect();
    for g in gens {
        fs::remove_dir_all(g.path()).unwrap();
    }
    let broken = env.run(&["search", "Poutine"]);
    broken.expect_code(2);
    no_panic(&broken);
}

#[test]
fn usage_errors_exit_2() {
    let env = TestEnv::with_samples();
    for args in [
        &["search"][..],
        &["search", "--limit", "many", "Poutine"],
        &["search", "--no-such-flag", "Poutine"],
        &["frobnicate"],
        &["search", "--color", "sometimes", "Poutine"],
        &["search", "--batch", "q.txt", "Poutine"],
    ] {
        let out = env.run(args);
        assert_eq!(out.code, 2, "{args:?}: {out:#?}");
        assert!(!out.stderr.is_empty(), "{args:?}: usage errors say why");
    }
}

// ---------------------------------------------------------------------------
// Ranking.

#[test]
fn a_passage_with_every_query_word_beats_one_repeating_a_single_word() {
    let env = TestEnv::new();
    env.write_jsonl(
        "r.jsonl",
        &[
            rec(
                "repete",
                "2025-03-01",
                "La frontière, encore la frontière : frontière au nord, frontière au sud, frontière partout.",
            ),
            rec(
                "complet",
                "2025-03-01",
                "Le ministre a visité la frontière pour parler de sécurité avec les maires.",
            ),
            rec("autre", "2025-03-01", "Le marché du samedi attire les familles du quartier."),
        ],
    );
    let (code, hits) = env.search_json(&["frontière sécurité"]);
    assert_eq!(code, 0);
    assert_eq!(docs(&hits), ["complet", "repete"]);
}

#[test]
fn the_exact_word_ranks_above_another_form_of_it() {
    let env = TestEnv::new();
    // Same length, same other words; the stem-only passage is newer and
    // comes first in the file, so only the exact match can put "exact" first.
    env.write_jsonl(
        "r.jsonl",
        &[
            rec(
                "forme",
                "2025-06-02",
                "Un camion militaires attend devant le port ce matin.",
            ),
            rec(
                "exact",
                "2025-06-01",
                "Un camion militaire attend devant le port ce matin.",
            ),
        ],
    );
    let (code, hits) = env.search_json(&["militaire"]);
    assert_eq!(code, 0);
    assert_eq!(docs(&hits), ["exact", "forme"]);
    // And the other way round.
    let (_, hits) = env.search_json(&["militaires"]);
    assert_eq!(docs(&hits), ["forme", "exact"]);
}

#[test]
fn equal_passages_are_ordered_newest_first() {
    let env = TestEnv::new();
    let text = "Le conseil municipal a voté le budget de la piscine.";
    env.write_jsonl(
        "r.jsonl",
        &[
            rec("ancien", "2024-05-01", text),
            rec("recent", "2025-05-01", text),
            rec("milieu", "2024-11-01", text),
        ],
    );
    let (_, hits) = env.search_json(&["--all-copies", "piscine"]);
    assert_eq!(docs(&hits), ["recent", "milieu", "ancien"]);
    // Copies of one text show once, as the newest, naming the others.
    let (_, hits) = env.search_json(&["piscine"]);
    assert_eq!(docs(&hits), ["recent"]);
    let mut copies: Vec<&str> = hits[0]["copies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    copies.sort();
    assert_eq!(copies, ["ancien", "milieu"]);
}

// ---------------------------------------------------------------------------
// Query syntax.

fn syntax_corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write_jsonl(
        "s.jsonl",
        &[
            rec(
                "deux",
                "2025-01-01",
                "Les douaniers renforcent le contrôle à la frontière.",
            ),
            rec(
                "frontiere",
                "2025-01-01",
                "La frontière reste ouverte aux camions.",
            ),
            rec("douane", "2025-01-01", "Les douaniers font grève ce lundi."),
            rec(
                "ordre",
                "2025-01-01",
                "Un contrôle renforcé est prévu cet été.",
            ),
            rec(
                "desordre",
                "2025-01-01",
                "Le dispositif renforcé assure le contrôle des sacs.",
            ),
        ],
    );
    env
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn all_requires_every_word() {
    let env = syntax_corpus();
    let (_, hits) = env.search_json(&["frontière douaniers"]);
    assert_eq!(sorted(docs(&hits)), ["deux", "douane", "frontiere"]);
    let (_, hits) = env.search_json(&["--all", "frontière douaniers"]);
    assert_eq!(docs(&hits), ["deux"]);
    let (code, _) = env.search_json(&["--all", "frontière douaniers zzzzqqqx"]);
    assert_eq!(code, 1);
}

#[test]
fn plus_makes_a_word_required() {
    let env = syntax_corpus();
    let (_, hits) = env.search_json(&["+frontière douaniers"]);
    assert_eq!(sorted(docs(&hits)), ["deux", "frontiere"]);
}

#[test]
fn minus_excludes_passages_with_the_word() {
    let env = syntax_corpus();
    let (_, hits) = env.search_json(&["frontière -douaniers"]);
    assert_eq!(docs(&hits), ["frontiere"]);
    let (code, _) = env.search_json(&["frontière -frontière"]);
    assert_eq!(code, 1);
}

#[test]
fn a_quoted_phrase_matches_only_the_words_in_that_order() {
    let env = syntax_corpus();
    // Without quotes, both word orders match.
    let (_, hits) = env.search_json(&["contrôle renforcé"]);
    let found = docs(&hits);
    assert!(found.contains(&"ordre".to_string()), "{found:?}");
    assert!(found.contains(&"desordre".to_string()), "{found:?}");
    let (_, hits) = env.search_json(&["\"contrôle renforcé\""]);
    assert_eq!(docs(&hits), ["ordre"]);
    let (code, _) = env.search_json(&["\"renforcé contrôle\""]);
    assert_eq!(code, 1);
}

// ---------------------------------------------------------------------------
// Filters.

fn dated_corpus() -> TestEnv {
    let env = TestEnv::new();
    let text = "La récolte des olives commence dans la vallée.";
    env.write_jsonl(
        "d.jsonl",
        &[
            json!({"id": "j10", "date": "2025-01-10", "source": "AFP Agence France-Presse", "text": text}),
            json!({"id": "j11", "date": "2025-01-11", "source": "Reuters", "text": text}),
            json!({"id": "j12", "date": "2025-01-12", "source": "Ouest-France", "text": text}),
        ],
    );
    env
}

#[test]
fn since_and_until_keep_whole_days_inclusive() {
    let env = dated_corpus();
    let (_, hits) = env.search_json(&["--all-copies", "--since", "2025-01-11", "olives"]);
    assert_eq!(docs(&hits), ["j12", "j11"]);
    let (_, hits) = env.search_json(&["--all-copies", "--until", "2025-01-11", "olives"]);
    assert_eq!(docs(&hits), ["j11", "j10"]);
    let (_, hits) = env.search_json(&[
        "--all-copies",
        "--since",
        "2025-01-11",
        "--until",
        "2025-01-11",
        "olives",
    ]);
    assert_eq!(docs(&hits), ["j11"]);
    let (code, _) = env.search_json(&["--all-copies", "--since", "2025-01-13", "olives"]);
    assert_eq!(code, 1);
}

#[test]
fn source_filter_matches_a_word_of_the_source_name() {
    let env = dated_corpus();
    let (_, hits) = env.search_json(&["--all-copies", "--source", "AFP", "olives"]);
    assert_eq!(docs(&hits), ["j10"]);
    assert_eq!(hits[0]["source"], "AFP Agence France-Presse");
    let (_, hits) = env.search_json(&["--all-copies", "--source", "afp", "olives"]);
    assert_eq!(docs(&hits), ["j10"]);
    let (code, _) = env.search_json(&["--all-copies", "--source", "Le Monde", "olives"]);
    assert_eq!(code, 1);
}

#[test]
fn limit_caps_the_number_of_passages() {
    let env = dated_corpus();
    let (_, hits) = env.search_json(&["--all-copies", "--limit", "1", "olives"]);
    assert_eq!(docs(&hits), ["j12"]);
    let out = env.run(&["search", "--all-copies", "-n", "2", "olives"]);
    out.expect_code(0);
    assert_eq!(out.stdout.matches("d.jsonl").count(), 2, "{}", out.stdout);
}

// ---------------------------------------------------------------------------
// Batches.

#[test]
fn batch_file_answers_every_query_in_one_process() {
    let env = syntax_corpus();
    let queries = env.root().join("q.txt");
    fs::write(
        &queries,
        "# douane\n\nfrontière\n   \nzzzzqqqx\n  grève  \n# fin\n",
    )
    .unwrap();
    let q = queries.to_str().unwrap();
    let out = env.run(&["search", "--json", "--batch", q]);
    out.expect_code(0);
    let (lines, summaries) = split_summaries(out.json_lines());
    // Every query closes with its counts, one that found nothing too.
    let counted: Vec<(&str, u64)> = summaries
        .iter()
        .map(|s| {
            (
                s["query"].as_str().unwrap(),
                s["passages"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counted.len(), 3, "{counted:?}");
    assert_eq!(counted[1], ("zzzzqqqx", 0));
    for (i, query) in [(0, "frontière"), (2, "grève")] {
        assert_eq!(counted[i].0, query);
        let shown = lines.iter().filter(|l| l["query"] == query).count() as u64;
        assert!(counted[i].1 >= shown, "{counted:?}: {shown} shown");
    }
    let asked: Vec<&str> = lines.iter().map(|l| l["query"].as_str().unwrap()).collect();
    assert!(asked.contains(&"frontière"), "{asked:?}");
    assert!(asked.contains(&"grève"), "{asked:?}");
    assert!(
        asked.iter().all(|q| *q == "frontière" || *q == "grève"),
        "comments and blank lines are not queries: {asked:?}"
    );
    // Each query's ranks start at 1.
    let first_greve = lines.iter().find(|l| l["query"] == "grève").unwrap();
    assert_eq!(first_greve["rank"], 1);

    // Text output: one header per query, in order.
    let text = env.run(&["search", "--batch", q]);
    text.expect_code(0);
    let headers: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.starts_with("## "))
        .collect();
    assert_eq!(headers, ["## frontière", "## zzzzqqqx", "## grève"]);
}

#[test]
fn batch_exits_1_when_no_query_hits() {
    let env = syntax_corpus();
    let queries = env.root().join("q.txt");
    fs::write(&queries, "zzzzqqqx\n# frontière\nqqqxzzzz\n").unwrap();
    let out = env.run(&["search", "--json", "--batch", queries.to_str().unwrap()]);
    out.expect_code(1);
    let (hits, summaries) = split_summaries(out.json_lines());
    assert!(hits.is_empty(), "{out:#?}");
    let zero: Vec<u64> = summaries
        .iter()
        .map(|s| s["passages"].as_u64().unwrap())
        .collect();
    assert_eq!(zero, [0, 0], "{out:#?}");
}

#[test]
fn batch_reads_queries_from_standard_input() {
    let env = syntax_corpus();
    let out = env.run_stdin(
        &["search", "--json", "--batch", "-"],
        "# a comment\nfrontière\n\ndouaniers\n",
    );
    out.expect_code(0);
    let lines = out.hit_lines();
    let mut asked: Vec<&str> = lines.iter().map(|l| l["query"].as_str().unwrap()).collect();
    asked.dedup();
    assert_eq!(asked, ["frontière", "douaniers"]);
}

#[test]
fn batch_from_a_missing_file_is_an_error() {
    let env = syntax_corpus();
    let out = env.run(&["search", "--batch", "nope/absent.txt"]);
    out.expect_code(2);
    assert!(out.stderr.contains("absent.txt"), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Corpus formats, as seen from the command line.

#[test]
fn every_corpus_format_and_alternate_field_name_is_searchable() {
    let env = TestEnv::new();
    env.write_jsonl(
        "a.jsonl",
        &[json!({"id": 4242, "title": "Le pélican", "text": "Un pélican se pose sur le quai.", "pubDate": "2024-03-05"})],
    );
    env.write_jsonl_gz(
        "sous/b.jsonl.gz",
        &[json!({"title": "La marmotte", "chapo": "Une marmotte siffle au col.", "content": "Les randonneurs l'ont entendue.", "published": "2024-03-06"})],
    );
    env.write(
        "c.json",
        json!({"title": "Le blaireau", "description": "Un blaireau creuse son terrier.", "article": "Les voisins s'inquiètent pour le jardin.", "date": "2024-03-07"})
            .to_string(),
    );
    env.write(
        "d.json",
        json!([
            {"title": "La salamandre", "body": "Une salamandre dort sous la pierre."},
            {"title": "La libellule", "body": "Une libellule survole la mare."}
        ])
        .to_string(),
    );
    env.write(
        "e.txt",
        "---\ntitle: \"Le hérisson\"\ndate: 2024-03-09\nsource: Reuters\n---\nUn hérisson traverse la route la nuit.\n",
    );
    env.write(
        "f.md",
        "# Le castor\n\nUn castor construit un barrage sur la rivière.\n",
    );
    let summary = env.index_json(0);
    assert_eq!(summary["added"], 7, "{summary}");
    assert_eq!(summary["failed"], 0, "{summary}");

    let expect = |query: &str, path: &str, date: Value| {
        let (code, hits) = env.search_json(&[query]);
        assert_eq!(code, 0, "{query}");
        let hit = &hits[0];
        assert_eq!(hit["path"], path, "{query}: {hit}");
        assert_eq!(hit["date"], date, "{query}: {hit}");
        hit.clone()
    };
    let a = expect("pélican", "a.jsonl", json!("2024-03-05"));
    assert_eq!(a["doc"], "4242", "a numeric id is kept as its text");
    expect("marmotte", "sous/b.jsonl.gz", json!("2024-03-06"));
    expect("randonneurs", "sous/b.jsonl.gz", json!("2024-03-06"));
    expect("blaireau", "c.json", json!("2024-03-07"));
    expect("voisins", "c.json", json!("2024-03-07"));
    expect("salamandre", "d.json", Value::Null);
    expect("libellule", "d.json", Value::Null);
    let e = expect("hérisson", "e.txt", json!("2024-03-09"));
    assert_eq!(e["title"], "Le hérisson");
    assert_eq!(e["source"], "Reuters");
    let f = expect("castor", "f.md", Value::Null);
    assert!(f["title"].as_str().unwrap().contains("Le castor"), "{f}");
}

#[test]
fn a_malformed_jsonl_line_is_reported_and_its_neighbours_still_indexed() {
    let env = TestEnv::new();
    env.write(
        "mix.jsonl",
        format!(
            "{}\n{{\"title\": \"cassé\", \"text\": \n{}\n",
            rec("l1", "2025-01-01", "Le phare de la pointe est restauré."),
            rec("l3", "2025-01-01", "Le phare attire les photographes."),
        ),
    );
    let out = env.run(&["index"]);
    out.expect_code(2);
    assert!(
        out.stderr.lines().any(|l| l.starts_with("mix.jsonl:2: ")),
        "{out:#?}"
    );
    let (_, hits) = env.search_json(&["phare"]);
    assert_eq!(sorted(docs(&hits)), ["l1", "l3"]);
}

#[test]
fn bad_files_are_reported_by_path_and_skipped_while_good_articles_are_indexed() {
    let env = TestEnv::new();
    env.write_jsonl(
        "bon.jsonl",
        &[rec(
            "bon",
            "2025-01-01",
            "Le moulin tourne encore au village.",
        )],
    );
    env.write("latin1.txt", b"Le caf\xe9 du port ferme.\n".as_slice());
    env.write(
        "image.txt",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01".as_slice(),
    );
    env.write("vide.txt", "");
    env.write(
        "tableau.json",
        json!([{"title": "Le meunier", "body": "Le meunier sourit."}, 5]).to_string(),
    );
    env.write(
        "ligne.jsonl",
        [
            rec("ok", "2025-01-01", "Le moulin a été repeint.")
                .to_string()
                .as_bytes(),
            b"\n{\"text\": \"caf\xe9\"}\n",
        ]
        .concat(),
    );
    let out = env.run(&["index"]);
    out.expect_code(2);
    let err = &out.stderr;
    let reported = |prefix: &str| err.lines().any(|l| l.starts_with(prefix));
    assert!(
        reported("latin1.txt: ") || reported("latin1.txt:1: "),
        "{err}"
    );
    assert!(reported("image.txt: "), "{err}");
    assert!(reported("vide.txt: "), "{err}");
    assert!(reported("tableau.json"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("tableau.json") && l.contains("element 2")),
        "the bad element is named: {err}"
    );
    assert!(reported("ligne.jsonl:2: "), "{err}");
    assert!(!err.contains("bon.jsonl"), "{err}");
    // The summary says input was skipped.
    assert!(out.stdout.contains("failed"), "{out:#?}");

    let (_, hits) = env.search_json(&["moulin"]);
    assert_eq!(sorted(docs(&hits)), ["bon", "ok"]);
    let (_, hits) = env.search_json(&["meunier"]);
    assert_eq!(docs(&hits), ["tableau.json#1"]);
}

#[test]
fn an_empty_jsonl_file_is_reported_like_other_empty_files() {
    let env = TestEnv::new();
    env.write_jsonl(
        "bon.jsonl",
        &[rec(
            "bon",
            "2025-01-01",
            "Le moulin tourne encore au village.",
        )],
    );
    env.write("vide.jsonl", "");
    let out = env.run(&["index"]);
    assert!(
        out.stderr.lines().any(|l| l.starts_with("vide.jsonl: ")),
        "{out:#?}"
    );
    out.expect_code(2);
}

// ---------------------------------------------------------------------------
// `recoupe index` output and incremental updates.

#[test]
fn index_json_prints_one_summary_object() {
    let env = TestEnv::with_samples();
    let s = env.index_json(0);
    for key in ["added", "updated", "deleted", "unchanged", "failed"] {
        assert!(s[key].is_u64(), "{key} missing: {s}");
    }
    assert!(s["seconds"].is_number(), "{s}");
    assert_eq!(s["added"], 2);
    assert_eq!(s["failed"], 0);
}

#[test]
fn quiet_index_prints_nothing_on_success() {
    let env = TestEnv::with_samples();
    let out = env.run(&["index", "--quiet"]);
    out.expect_code(0);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "");
    // But it does speak when something is wrong.
    env.write("vide.md", "");
    let out = env.run(&["index", "-q"]);
    out.expect_code(2);
    assert!(out.stderr.contains("vide.md"), "{out:#?}");
}

#[test]
fn a_second_index_run_without_changes_reads_no_file() {
    let env = TestEnv::with_samples();
    env.write_jsonl(
        "x.jsonl",
        &[
            rec("x1", "2025-01-01", "Le tramway circule de nouveau."),
            rec("x2", "2025-01-02", "Le tramway sera prolongé."),
        ],
    );
    let first = env.index_json(0);
    assert_eq!(first["added"], 4);
    let second = env.index_json(0);
    assert_eq!(second["added"], 0);
    assert_eq!(second["updated"], 0);
    assert_eq!(second["deleted"], 0);
    assert_eq!(second["unchanged"], 4);
    assert_eq!(second["files_read"], 0, "{second}");
    assert_eq!(second["files_skipped"], 3, "{second}");
}

#[test]
fn editing_one_record_updates_it_alone() {
    let env = TestEnv::new();
    env.write_jsonl(
        "x.jsonl",
        &[
            rec("x1", "2025-01-01", "Le tramway circule de nouveau."),
            rec("x2", "2025-01-02", "La gare accueille un marché aux puces."),
        ],
    );
    env.index_json(0);
    // Longer line: the file's size changes too.
    env.write_jsonl(
        "x.jsonl",
        &[
            rec("x1", "2025-01-01", "Le tramway circule de nouveau."),
            rec(
                "x2",
                "2025-01-02",
                "La gare accueille désormais une brocante géante.",
            ),
        ],
    );
    let s = env.index_json(0);
    assert_eq!(s["updated"], 1, "{s}");
    assert_eq!(s["added"], 0, "{s}");
    assert_eq!(s["unchanged"], 1, "{s}");
    let (code, hits) = env.search_json(&["brocante"]);
    assert_eq!(code, 0);
    assert_eq!(docs(&hits), ["x2"]);
    let (code, _) = env.search_json(&["puces"]);
    assert_eq!(code, 1, "the old text is gone");
    let (_, hits) = env.search_json(&["gare"]);
    assert_eq!(docs(&hits), ["x2"], "no duplicate of the edited article");
}

#[test]
fn an_edit_that_keeps_the_file_size_is_still_picked_up() {
    let env = TestEnv::new();
    env.write("x.jsonl", "{\"id\":\"a\",\"text\":\"Le chat dort.\"}\n");
    env.index_json(0);
    env.write("x.jsonl", "{\"id\":\"a\",\"text\":\"Le rat dormi.\"}\n");
    let s = env.index_json(0);
    assert_eq!(s["updated"], 1, "{s}");
    assert_eq!(env.search_json(&["chat"]).0, 1);
    assert_eq!(docs(&env.search_json(&["rat"]).1), ["a"]);
}

#[test]
fn inserting_a_line_at_the_top_of_a_jsonl_file_leaves_no_duplicate() {
    let env = TestEnv::new();
    let a = rec("a", "2025-01-01", "Le chat dort sur le muret.");
    let b = rec("b", "2025-01-01", "Le chien aboie sur le muret.");
    env.write_jsonl("x.jsonl", &[a.clone(), b.clone()]);
    env.index_json(0);
    let z = rec("z", "2025-01-01", "Le hibou hulule sur le muret.");
    env.write_jsonl("x.jsonl", &[z, a, b]);
    env.index_json(0);
    let (_, hits) = env.search_json(&["muret"]);
    assert_eq!(sorted(docs(&hits)), ["a", "b", "z"]);
}

#[test]
fn a_record_that_turns_malformed_keeps_its_previous_version_searchable() {
    let env = TestEnv::new();
    let a = rec("a", "2025-01-01", "Le chat dort sur le muret.");
    let b = rec("b", "2025-01-01", "Le chien aboie dans la cour.");
    env.write_jsonl("x.jsonl", &[a.clone(), b]);
    env.index_json(0);
    env.write(
        "x.jsonl",
        format!("{a}\n{{\"id\": \"b\", \"text\": \"Le chien\n"),
    );
    let out = env.run(&["index"]);
    out.expect_code(2);
    assert!(out.stderr.contains("x.jsonl:2: "), "{out:#?}");
    assert_eq!(docs(&env.search_json(&["chien"]).1), ["b"]);
    // Fixing the line later replaces the old version.
    let fixed = rec("b", "2025-01-01", "Le chien dort dans la cour.");
    env.write_jsonl(
        "x.jsonl",
        &[rec("a", "2025-01-01", "Le chat dort sur le muret."), fixed],
    );
    let s = env.index_json(0);
    assert_eq!(s["updated"], 1, "{s}");
    assert_eq!(env.search_json(&["aboie"]).0, 1);
}

#[test]
fn a_text_file_that_turns_unreadable_keeps_its_article_searchable() {
    let env = TestEnv::new();
    env.write(
        "phare.txt",
        "Le phare\n\nLe phare de la pointe brille toute la nuit.\n",
    );
    env.index_json(0);
    env.write("phare.txt", b"\x00\x01\x02 not text any more".as_slice());
    let out = env.run(&["index", "--json"]);
    out.expect_code(2);
    assert!(out.stderr.contains("phare.txt: "), "{out:#?}");
    let s = &out.json_lines()[0];
    assert_eq!(s["deleted"], 0, "{s}");
    assert_eq!(docs(&env.search_json(&["pointe"]).1), ["phare.txt"]);
}

#[test]
fn deleting_a_file_removes_its_articles_from_search() {
    let env = TestEnv::new();
    env.write_jsonl(
        "reste.jsonl",
        &[rec("r1", "2025-01-01", "Le tramway circule de nouveau.")],
    );
    env.write_jsonl(
        "part.jsonl",
        &[
            rec("p1", "2025-01-01", "Le tramway sera prolongé."),
            rec("p2", "2025-01-01", "Le téléphérique ouvrira en mai."),
        ],
    );
    env.index_json(0);
    env.remove("part.jsonl");
    let s = env.index_json(0);
    assert_eq!(s["deleted"], 2, "{s}");
    assert_eq!(s["unchanged"], 1, "{s}");
    let (_, hits) = env.search_json(&["tramway"]);
    assert_eq!(docs(&hits), ["r1"]);
    let (code, _) = env.search_json(&["téléphérique"]);
    assert_eq!(code, 1);
}

#[test]
fn adding_a_file_adds_its_articles() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    env.write(
        "nouveau.md",
        "# La fanfare\n\nLa fanfare municipale défile dimanche.\n",
    );
    let s = env.index_json(0);
    assert_eq!(s["added"], 1, "{s}");
    assert_eq!(s["unchanged"], 2, "{s}");
    let (_, hits) = env.search_json(&["fanfare"]);
    assert_eq!(hits[0]["path"], "nouveau.md");
}

#[test]
fn an_emptied_corpus_does_not_empty_the_index_unless_allowed() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    for entry in fs::read_dir(&env.corpus).unwrap() {
        fs::remove_file(entry.unwrap().path()).unwrap();
    }
    let out = env.run(&["index"]);
    out.expect_code(2);
    assert!(out.stderr.contains("nothing was deleted"), "{out:#?}");
    assert!(out.stderr.contains("--allow-empty"), "{out:#?}");
    env.run(&["search", "Poutine"]).expect_code(0);

    let out = env.run(&["index", "--json", "--allow-empty"]);
    out.expect_code(0);
    let s = &out.json_lines()[0];
    assert_eq!(s["deleted"], 2, "{s}");
    env.run(&["search", "Poutine"]).expect_code(1);
}

#[test]
fn a_missing_corpus_folder_is_an_error_and_leaves_the_index_alone() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    let gone = env.root().join("nulle-part");
    let out = env.run_with_corpus(&gone, &["index"]);
    out.expect_code(2);
    assert!(out.stderr.contains("nulle-part"), "{out:#?}");
    assert!(out.stderr.contains("not found"), "{out:#?}");
    env.run(&["search", "Poutine"]).expect_code(0);
    let s = env.index_json(0);
    assert_eq!(s["unchanged"], 2, "{s}");
}

#[test]
fn a_garbled_current_file_asks_for_a_rebuild() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    fs::write(env.index.join("CURRENT"), "\u{0}\u{7f}garbage ../..\n").unwrap();
    let out = env.run(&["search", "Poutine"]);
    out.expect_code(2);
    no_panic(&out);
    assert!(out.stderr.contains("rebuild"), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Robustness of the query parser.

#[test]
fn absurd_queries_never_crash() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    let long = "Poutine ".repeat(1250);
    let queries = [
        "",
        "   ",
        "?!.,;:«»—…",
        "de la les",
        long.as_str(),
        "\"bases militaires",
        "bases\" militaires\"\"",
        "+",
        "-",
        "+ -",
        "- + \"\" -\"\" +\"",
        "🇸🇾 🤝 🇷🇺",
        "بشار الأسد",
        "\u{202e}Poutine\u{202c}",
        "\u{1}\u{7}\u{1b}[31m\t\r",
        "al-",
        "-al-Charaa-",
        "\u{301}\u{301}",
    ];
    for q in queries {
        for extra in [&[][..], &["--json"], &["--all"]] {
            let mut args = vec!["search"];
            args.extend_from_slice(extra);
            args.push("--");
            args.push(q);
            let out = env.run(&args);
            no_panic(&out);
            assert!(
                out.code == 0 || out.code == 1,
                "{q:?} {extra:?}: exit {}: {}",
                out.code,
                out.stderr
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Help and colour.

#[test]
fn search_help_documents_query_syntax_and_exit_codes() {
    let env = TestEnv::new();
    let out = env.run(&["search", "--help"]);
    out.expect_code(0);
    assert!(out.stdout.contains("Query syntax"), "{}", out.stdout);
    assert!(
        out.stdout.contains("\"bases militaires\""),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Exit codes"), "{}", out.stdout);
    let top = env.run(&["--help"]);
    top.expect_code(0);
    assert!(top.stdout.contains("Examples"), "{}", top.stdout);
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let env = TestEnv::with_samples();
    let always = env.run(&["search", "--color", "always", "Poutine"]);
    always.expect_code(0);
    assert!(always.stdout.contains("\x1b["), "{}", always.stdout);
    assert!(!always.stdout.contains("**Poutine**"), "{}", always.stdout);

    let piped = env.run(&["search", "Poutine"]);
    piped.expect_code(0);
    assert!(!piped.stdout.contains('\x1b'), "{}", piped.stdout);

    let no_color = env.run_env(
        &["search", "--color", "auto", "Poutine"],
        &[("NO_COLOR", "1")],
    );
    no_color.expect_code(0);
    assert!(!no_color.stdout.contains('\x1b'), "{}", no_color.stdout);

    let never = env.run(&["search", "--color", "never", "Poutine"]);
    assert!(!never.stdout.contains('\x1b'));
    // JSON never carries colour, even when asked.
    let json = env.run(&["search", "--json", "--color", "always", "Poutine"]);
    assert!(!json.stdout.contains('\x1b'));
}

// ---------------------------------------------------------------------------
// Concurrency.

#[test]
fn a_second_indexer_backs_off_with_75_while_the_lock_is_held() {
    let env = TestEnv::with_samples();
    env.index_json(0);
    let lock = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(env.index.join("recoupe.lock"))
        .unwrap();
    lock.lock().unwrap();

    let out = env.run(&["index"]);
    out.expect_code(75);
    assert!(out.stderr.contains("another indexer"), "{out:#?}");

    // A cron job asking for JSON learns the same, in JSON.
    let out = env.run(&["index", "--json"]);
    out.expect_code(75);
    let answer = &out.json_lines()[0];
    assert_eq!(answer["busy"], true, "{answer}");

    let started = Instant::now();
    let out = env.run(&["index", "--wait", "1"]);
    let waited = started.elapsed();
    out.expect_code(75);
    assert!(
        waited >= Duration::from_millis(900),
        "gave up after {waited:?}"
    );
    assert!(waited < Duration::from_secs(10), "waited {waited:?}");

    // Searching is not blocked by an indexer.
    env.run(&["search", "Poutine"]).expect_code(0);

    lock.unlock().unwrap();
    env.run(&["index"]).expect_code(0);
    drop(lock);
}
