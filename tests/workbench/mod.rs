//! What a desk cites: counts over every match, spellings found, CSV rows.

use serde_json::{json, Value};

use crate::util::TestEnv;

fn article(id: &str, date: &str, paragraphs: &[&str]) -> Value {
    json!({"id": id, "title": format!("Dépêche {id}"), "date": date, "text": paragraphs.join("\n\n")})
}

const WITH: &str =
    "Des tirs ont été signalés à Qamichli dans la nuit, selon des habitants joints par téléphone.";
const WITHOUT: &str =
    "Le conseil municipal a voté le budget de la nouvelle école après un long débat public.";

fn summary(env: &TestEnv, args: &[&str]) -> (Vec<Value>, Value) {
    let (_, hits, summaries) = env.search_json_summaries(args);
    assert_eq!(summaries.len(), 1, "{summaries:?}");
    (hits, summaries[0].clone())
}

fn counts(s: &Value) -> (u64, u64) {
    (
        s["passages"].as_u64().unwrap(),
        s["articles"].as_u64().unwrap(),
    )
}

#[test]
fn counts_cover_every_match_not_the_hits_shown_across_runs_edits_and_filters() {
    let env = TestEnv::new();
    env.write_jsonl(
        "a.jsonl",
        &[
            article("a1", "2025-01-10", &[WITH, WITHOUT, WITH, WITH]),
            article("a2", "2025-03-10", &[WITHOUT, WITH]),
            article("a3", "2025-03-11", &[WITHOUT]),
        ],
    );
    env.index_json(0);
    let (hits, s) = summary(&env, &["-n", "1", "Qamichli"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(counts(&s), (4, 2));

    // A second run writes its own segment: counts add up across segments.
    env.write_jsonl("b.jsonl", &[article("b1", "2025-06-01", &[WITH, WITH])]);
    env.index_json(0);
    assert_eq!(counts(&summary(&env, &["Qamichli"]).1), (6, 3));

    // An edited article counts as it now reads.
    env.write_jsonl(
        "a.jsonl",
        &[
            article("a1", "2025-01-10", &[WITH, WITHOUT]),
            article("a2", "2025-03-10", &[WITHOUT, WITH]),
            article("a3", "2025-03-11", &[WITH]),
        ],
    );
    env.index_json(0);
    assert_eq!(counts(&summary(&env, &["Qamichli"]).1), (5, 4));

    // Filters restrict the counts as they restrict the hits.
    assert_eq!(
        counts(&summary(&env, &["Qamichli", "--since", "2025-03"]).1),
        (4, 3)
    );
    assert_eq!(
        counts(&summary(&env, &["Qamichli", "--until", "2025-03-10"]).1),
        (2, 2)
    );
    // Excluding a word drops the passages holding it, not their articles.
    assert_eq!(counts(&summary(&env, &["Qamichli", "-budget"]).1), (5, 4));

    // Nothing found: zero, and still a summary line.
    let (hits, s) = summary(&env, &["Tombouctou"]);
    assert!(hits.is_empty());
    assert_eq!(counts(&s), (0, 0));

    // The terminal says it above the hits.
    let out = env.run(&["search", "--color", "never", "-n", "1", "Qamichli"]);
    out.expect_code(0);
    assert_eq!(out.stdout.lines().next(), Some("5 passages in 4 articles"));
}

#[test]
fn the_spellings_found_are_counted_with_how_they_matched() {
    let env = TestEnv::with_samples();
    let (hits, s) = summary(&env, &["al-Charaa"]);
    let spellings = s["spellings"].as_array().unwrap();
    let find = |how: &str| {
        spellings
            .iter()
            .find(|x| x["how"] == how)
            .unwrap_or_else(|| panic!("no {how} spelling in {spellings:?}"))
    };
    // As typed in one article, as el-Chareh in the other.
    let exact = find("exact");
    assert_eq!(exact["spelling"], "al-Charaa");
    assert!(exact["passages"].as_u64().unwrap() >= 1);
    let other = spellings
        .iter()
        .find(|x| {
            x["spelling"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains("chareh")
        })
        .unwrap_or_else(|| panic!("el-Chareh not among {spellings:?}"));
    assert_ne!(other["how"], "exact");
    assert_eq!(other["via"], "al-Charaa");
    let in_texts = hits
        .iter()
        .filter(|h| {
            h["matches"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["text"] == "Chareh")
        })
        .count() as u64;
    assert!(other["passages"].as_u64().unwrap() >= in_texts.max(1));
    assert_eq!(counts(&s).1, 2);

    // --strict searches the words as typed: no other spelling to count.
    let (_, strict) = summary(&env, &["--strict", "al-Charaa"]);
    assert!(
        strict["spellings"].as_array().unwrap().is_empty(),
        "{strict}"
    );
    assert_eq!(counts(&strict).1, 1);
}

#[test]
fn csv_has_a_header_one_row_per_hit_and_hostile_titles_stay_data() {
    let env = TestEnv::new();
    env.write_jsonl(
        "c.jsonl",
        &[
            json!({"id": "c1", "title": "=HYPERLINK(\"http://x\"), \"piège\"", "date": "2025-02-01",
                   "url": "https://exemple.fr/c1", "source": "AFP",
                   "text": "Ahmed el-Chareh a reçu à Damas une délégation venue de Moscou."}),
            json!({"id": "c2", "title": "Deuxième", "date": "2025-02-02",
                   "text": "Une autre dépêche cite Ahmad al-Charaa, reçu au Kremlin."}),
        ],
    );
    let out = env.run(&["search", "--format", "csv", "al-Charaa"]);
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "query,rank,doc,date,source,title,url,spellings,snippet"
    );
    assert_eq!(lines.len(), 3, "{lines:?}");
    let hostile = lines.iter().find(|l| l.contains(",c1,")).unwrap();
    assert!(
        hostile.contains(",\"'=HYPERLINK(\"\"http://x\"\"), \"\"piège\"\"\","),
        "{hostile}"
    );
    assert!(hostile.contains("https://exemple.fr/c1"), "{hostile}");
    assert!(hostile.contains(",el-Chareh,"), "{hostile}");
    let plain = lines.iter().find(|l| l.contains(",c2,")).unwrap();
    assert!(plain.contains(",al-Charaa,"), "{plain}");

    // --json and --format cannot both be given.
    let both = env.run(&["search", "--json", "--format", "csv", "x"]);
    both.expect_code(2);
    let (_, hits, summaries) = env.search_json_summaries(&["al-Charaa"]);
    assert_eq!(hits.len(), 2);
    assert_eq!(summaries[0]["articles"], 2);
}

#[test]
fn show_prints_the_whole_article_of_a_hit_with_every_match_marked_by_kind() {
    let env = TestEnv::with_samples();
    let (hits, _) = summary(&env, &["el-Chareh"]);
    let doc = hits
        .iter()
        .find(|h| h["text"].as_str().unwrap().contains("el-Chareh"))
        .map(|h| h["doc"].as_str().unwrap().to_string())
        .expect("a hit naming el-Chareh");

    let out = env.run(&["show", &doc, "--query", "al-Charaa", "--color", "never"]);
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("Vladimir Poutine"), "{lines:?}");
    assert!(lines[1].contains(&doc), "{lines:?}");
    // Every passage, in order, numbered as in search results.
    let numbers: Vec<&str> = lines
        .iter()
        .filter(|l| l.starts_with('['))
        .map(|l| &l[..l.find(']').unwrap() + 1])
        .collect();
    assert_eq!(
        numbers,
        ["[0]", "[1]", "[2]", "[3]", "[4]", "[5]", "[6]", "[7]"]
    );
    // Another spelling than the one typed is marked apart.
    assert!(out.stdout.contains("Ahmed *el-Chareh*"), "{}", out.stdout);
    let marked = out.stdout.matches("*el-Chareh*").count();
    assert!(
        lines[2].starts_with(&format!("{marked} matches of al-Charaa in ")),
        "{lines:?}"
    );

    // The same as JSON, and as typed only with --strict.
    let json = env.run(&["show", &doc, "-q", "al-Charaa", "--json"]);
    json.expect_code(0);
    let a: Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(a["doc"], doc.as_str());
    assert_eq!(a["passages"].as_array().unwrap().len(), 8);
    assert_eq!(a["total_matches"].as_u64().unwrap(), marked as u64);
    for p in a["passages"].as_array().unwrap() {
        let text = p["text"].as_str().unwrap();
        for m in p["matches"].as_array().unwrap() {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(&text[s..e], m["text"].as_str().unwrap());
        }
    }
    let strict = env.run(&["show", &doc, "-q", "al-Charaa", "--strict", "--json"]);
    let a: Value = serde_json::from_str(strict.stdout.trim()).unwrap();
    assert_eq!(a["total_matches"], 0);

    // Without a query: the article, nothing marked.
    let plain = env.run(&["show", &doc, "--color", "never"]);
    plain.expect_code(0);
    assert!(!plain.stdout.contains('*'), "{}", plain.stdout);

    // An id the index does not hold.
    let none = env.run(&["show", "pas-un-article"]);
    none.expect_code(1);
    assert!(
        none.stderr
            .contains("no article with id \"pas-un-article\""),
        "{}",
        none.stderr
    );
}

#[test]
fn grouping_by_article_gives_one_hit_per_article_with_its_next_best_passages() {
    let env = TestEnv::new();
    env.write_jsonl(
        "g.jsonl",
        &[
            article("g1", "2025-01-10", &[WITH, WITH, WITHOUT, WITH, WITH, WITH]),
            article("g2", "2025-01-11", &[WITHOUT, WITH]),
            article("g3", "2025-01-12", &[WITH, WITHOUT]),
        ],
    );
    let (_, hits, summaries) =
        env.search_json_summaries(&["Qamichli", "--group", "article", "--all-copies"]);
    let docs: Vec<&str> = hits.iter().map(|h| h["doc"].as_str().unwrap()).collect();
    let mut sorted = docs.clone();
    sorted.sort();
    assert_eq!(sorted, ["g1", "g2", "g3"], "one hit per article: {docs:?}");
    let ranks: Vec<u64> = hits.iter().map(|h| h["rank"].as_u64().unwrap()).collect();
    assert_eq!(ranks, [1, 2, 3]);
    let g1 = hits.iter().find(|h| h["doc"] == "g1").unwrap();
    let more = g1["more"].as_array().unwrap();
    // Five matching passages: the best, and three more under it.
    assert_eq!(more.len(), 3, "{g1}");
    let mut passages: Vec<u64> = more
        .iter()
        .map(|m| m["passage"].as_u64().unwrap())
        .collect();
    passages.push(g1["passage"].as_u64().unwrap());
    passages.sort();
    passages.dedup();
    assert_eq!(passages.len(), 4);
    assert!(more
        .iter()
        .all(|m| m["doc"] == "g1" && !m["matches"].as_array().unwrap().is_empty()));
    assert!(hits
        .iter()
        .find(|h| h["doc"] == "g3")
        .unwrap()
        .get("more")
        .is_none());
    // --limit counts articles; the totals do not change.
    let (_, two, _) =
        env.search_json_summaries(&["Qamichli", "--group", "article", "-n", "2", "--all-copies"]);
    assert_eq!(two.len(), 2);
    assert_eq!(counts(&summaries[0]), (7, 3));
    // The terminal lists the others under the article.
    let out = env.run(&[
        "search",
        "Qamichli",
        "--group",
        "article",
        "--color",
        "never",
        "--all-copies",
    ]);
    assert_eq!(
        out.stdout.matches("also passage ").count(),
        3,
        "{}",
        out.stdout
    );
}

#[test]
fn copies_of_a_dispatch_show_once_with_the_articles_that_repeat_it() {
    let s1 = "Des tirs ont été signalés à Qamichli dans la nuit de lundi.";
    let s2 = "Les habitants joints par téléphone décrivent des explosions répétées.";
    let s3 = "Aucun bilan n'a été communiqué par les autorités locales mardi.";
    let changed = "Un premier bilan fait état de deux blessés selon une ONG locale.";
    let other = "La route vers Hassaké a été coupée par des barrages improvisés.";
    let more = "Les écoles de la ville resteront fermées jusqu'à la fin de la semaine.";
    let env = TestEnv::new();
    env.write_jsonl(
        "d.jsonl",
        &[
            article("orig", "2025-01-10", &[&format!("{s1} {s2} {s3}")]),
            // Republished with other spacing, case and punctuation.
            article(
                "same",
                "2025-01-11",
                &[&format!(
                    "{}  {} {}",
                    s1.to_uppercase(),
                    s2.replace('.', " !"),
                    s3
                )],
            ),
            // One sentence of three changed: still the same dispatch.
            article("near", "2025-01-12", &[&format!("{s1} {s2} {changed}")]),
            // Two of three replaced: another text, shown apart.
            article("rewrite", "2025-01-13", &[&format!("{s1} {other} {more}")]),
        ],
    );
    env.index_json(0);
    let (hits, s) = summary(&env, &["Qamichli"]);
    assert_eq!(counts(&s), (4, 4), "every copy still counts");
    assert_eq!(hits.len(), 2, "{hits:?}");
    let first = &hits[0];
    let second = &hits[1];
    let (kept, rewrite) = if first["doc"] == "rewrite" {
        (second, first)
    } else {
        (first, second)
    };
    assert_eq!(rewrite["doc"], "rewrite");
    assert!(rewrite.get("copies").is_none(), "{rewrite}");
    let mut group: Vec<String> = vec![kept["doc"].as_str().unwrap().to_string()];
    group.extend(
        kept["copies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string()),
    );
    group.sort();
    assert_eq!(group, ["near", "orig", "same"]);
    assert_eq!(kept["copies_total"], 2);

    let out = env.run(&["search", "Qamichli"]);
    assert!(out.stdout.contains("also in 2 articles"), "{}", out.stdout);
}

/// An index of `records` and three other articles naming Qamichli
/// (`other1` to `other3`), of the day before.
fn indexed_with_three_others(mut records: Vec<Value>) -> TestEnv {
    for (id, text) in [
        (
            "other1",
            "La route vers Qamichli a été coupée par des barrages improvisés.",
        ),
        (
            "other2",
            "Les écoles de Qamichli resteront fermées jusqu'à la fin de la semaine.",
        ),
        (
            "other3",
            "Un convoi humanitaire est arrivé à Qamichli après trois jours de route.",
        ),
    ] {
        records.push(article(id, "2025-01-09", &[text]));
    }
    let env = TestEnv::new();
    env.write_jsonl("d.jsonl", &records);
    env.index_json(0);
    env
}

#[test]
fn a_page_is_filled_past_many_copies_of_the_best_passage() {
    // Thirty copies of one dispatch rank above three other articles: the
    // first pools hold nothing but copies, and the page must still show
    // the dispatch once and the three others after it.
    let dispatch = "Qamichli : des tirs ont été signalés à Qamichli dans la nuit de lundi. \
                    Les habitants joints par téléphone décrivent des explosions répétées.";
    let records: Vec<Value> = (0..30)
        .map(|i| article(&format!("copy{i:02}"), "2025-01-10", &[dispatch]))
        .collect();
    let env = indexed_with_three_others(records);
    let (hits, s) = summary(&env, &["-n", "4", "Qamichli"]);
    assert_eq!(counts(&s), (33, 33), "every copy still counts");
    let docs: Vec<&str> = hits.iter().map(|h| h["doc"].as_str().unwrap()).collect();
    assert_eq!(docs.len(), 4, "{docs:?}");
    assert!(docs[0].starts_with("copy"), "{docs:?}");
    assert_eq!(hits[0]["copies_total"], 29, "{}", hits[0]);
    let mut others: Vec<&str> = docs[1..].to_vec();
    others.sort();
    assert_eq!(others, ["other1", "other2", "other3"]);
}

#[test]
fn copies_as_sent_are_listed_by_article_id_with_or_without_an_id_of_their_own() {
    // The same dispatch twelve times: six records with an id, six without
    // (known by file and line), on two days, then three other articles.
    let dispatch = "Qamichli : des tirs ont été signalés à Qamichli dans la nuit de lundi. \
                    Les habitants joints par téléphone décrivent des explosions répétées.";
    let mut records: Vec<Value> = Vec::new();
    for i in 0..12 {
        let date = if i % 2 == 0 {
            "2025-01-10"
        } else {
            "2025-01-11"
        };
        let mut r = article(&format!("copy{i:02}"), date, &[dispatch]);
        r["title"] = json!("Dépêche");
        if i >= 6 {
            r.as_object_mut().unwrap().remove("id");
        }
        records.push(r);
    }
    let env = indexed_with_three_others(records);
    let (hits, s) = summary(&env, &["-n", "4", "Qamichli"]);
    assert_eq!(counts(&s), (15, 15), "every copy still counts");
    let docs: Vec<&str> = hits.iter().map(|h| h["doc"].as_str().unwrap()).collect();
    assert_eq!(docs.len(), 4, "{docs:?}");
    let mut group: Vec<String> = vec![docs[0].to_string()];
    group.extend(
        hits[0]["copies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_string()),
    );
    group.sort();
    let mut expected: Vec<String> = (0..6).map(|i| format!("copy{i:02}")).collect();
    expected.extend((7..13).map(|line| format!("d.jsonl#{line}")));
    expected.sort();
    assert_eq!(group, expected, "{}", hits[0]);
    assert_eq!(hits[0]["copies_total"], 11);
    let mut others: Vec<&str> = docs[1..].to_vec();
    others.sort();
    assert_eq!(others, ["other1", "other2", "other3"]);
    // Shown apart, every copy is there.
    let (all, _) = summary(&env, &["-n", "20", "--all-copies", "Qamichli"]);
    assert_eq!(all.len(), 15);
}

#[test]
fn collecting_segments_in_parallel_changes_no_answer() {
    let env = TestEnv::new();
    let batch = |from: usize, n: usize| -> Vec<Value> {
        (from..from + n)
            .map(|i| {
                let town = ["Qamichli", "Alep", "Hassaké", "Deir ez-Zor"][i % 4];
                let source = ["AFP", "Reuters", "AP"][i % 3];
                json!({
                    "id": format!("a{i}"),
                    "title": format!("Dépêche {i} sur {town}"),
                    "date": format!("2025-0{}-1{}", 1 + i % 9, i % 10),
                    "source": source,
                    "text": format!(
                        "Des tirs ont été signalés à {town} dans la nuit {i}. \
                         Le président al-Charaa a parlé aux habitants de {town}.\n\n\
                         Les écoles resteront fermées, selon des habitants {}.",
                        i % 7
                    ),
                })
            })
            .collect()
    };
    env.write_jsonl("one.jsonl", &batch(0, 60));
    env.index_json(0);
    env.write_jsonl("two.jsonl", &batch(60, 60));
    env.index_json(0);
    let analyzer = std::sync::Arc::new(recoupe::analysis::Analyzer::default());
    let open = || {
        recoupe::search::Searcher::new(
            recoupe::index::Index::open(&env.index, analyzer.clone()).unwrap(),
        )
        .unwrap()
    };
    let segments = open()
        .index()
        .reader()
        .unwrap()
        .searcher()
        .segment_readers()
        .len();
    assert!(segments >= 2, "two runs, two segments at least: {segments}");
    let alone = open().parallel_from(u32::MAX);
    let shared = open().parallel_from(1);
    let opts = recoupe::search::SearchOptions {
        facets: true,
        ..Default::default()
    };
    for query in [
        "Qamichli",
        "al-Chareh",
        "écoles fermées",
        "Qui a parlé aux habitants d'Alep ?",
        "\"tirs ont été\" -Alep",
    ] {
        for opts in [
            opts.clone(),
            recoupe::search::SearchOptions {
                sort: recoupe::search::Sort::Date,
                ..opts.clone()
            },
            recoupe::search::SearchOptions {
                group_articles: true,
                limit: 3,
                ..opts.clone()
            },
        ] {
            let a = alone.search(query, &opts).unwrap();
            let b = shared.search(query, &opts).unwrap();
            assert!(a.totals.passages > 0, "{query}");
            assert_eq!(a.totals, b.totals, "{query}");
            let json = |h: &[recoupe::search::Hit]| format!("{h:?}");
            assert!(!a.hits.is_empty(), "{query}");
            assert_eq!(json(&a.hits), json(&b.hits), "{query}");
        }
    }
}

#[test]
fn a_dispatch_repeated_past_the_boilerplate_limit_is_listed_once_with_all_its_copies() {
    // Past 200 passages a sentence counts as boilerplate and is not looked
    // up for copies; 205 copies of one dispatch, the same day, under the
    // same title, still show once with every other article listed.
    let dispatch = "Qamichli : des tirs ont été signalés à Qamichli dans la nuit de lundi. \
                    Les habitants joints par téléphone décrivent des explosions répétées.";
    let mut records: Vec<Value> = (0..205)
        .map(|i| {
            let mut r = article(&format!("copy{i:03}"), "2025-01-10", &[dispatch]);
            r["title"] = json!("Dépêche");
            r
        })
        .collect();
    records.push(article(
        "other1",
        "2025-01-09",
        &["La route vers Qamichli est coupée."],
    ));
    records.push(article(
        "other2",
        "2025-01-09",
        &["Les écoles de Qamichli sont fermées."],
    ));
    let env = TestEnv::new();
    env.write_jsonl("d.jsonl", &records);
    env.index_json(0);
    let (hits, s) = summary(&env, &["-n", "3", "Qamichli"]);
    assert_eq!(counts(&s), (207, 207));
    let docs: Vec<&str> = hits.iter().map(|h| h["doc"].as_str().unwrap()).collect();
    assert_eq!(docs.len(), 3, "{docs:?}");
    assert!(docs[0].starts_with("copy"), "{docs:?}");
    assert_eq!(hits[0]["copies_total"], 204, "{}", hits[0]);
    assert_eq!(hits[0]["copies"].as_array().unwrap().len(), 50);
    let mut others: Vec<&str> = docs[1..].to_vec();
    others.sort();
    assert_eq!(others, ["other1", "other2"]);
}
