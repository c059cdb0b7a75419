//! Trust on real text: filters that keep the query's meaning, French
//! typography that breaks no offset, invisible characters that split no word.

use serde_json::{json, Value};

use crate::util::{docs, TestEnv};

/// Passages of which only some name Qamichli, over several days and sources.
fn mixed_corpus() -> TestEnv {
    let env = TestEnv::new();
    env.write_jsonl(
        "m.jsonl",
        &[
            json!({"id": "q1", "date": "2025-01-10", "source": "AFP Agence France-Presse",
                   "title": "Nord-est syrien", "text": "Les forces kurdes tiennent Qamichli."}),
            json!({"id": "q2", "date": "2025-03-02", "source": "Reuters",
                   "title": "Nord-est syrien", "text": "À Qamichli, les écoles rouvrent."}),
            json!({"id": "o1", "date": "2025-02-01", "source": "AFP Agence France-Presse",
                   "title": "Récolte", "text": "La récolte des olives commence dans la vallée."}),
            json!({"id": "o2", "date": "2025-03-05", "source": "Reuters",
                   "title": "Marchés", "text": "Les marchés européens ont ouvert en hausse."}),
            json!({"id": "o3", "date": "2024-12-01", "source": "Ouest-France",
                   "title": "Météo", "text": "Il pleuvra sur la Bretagne."}),
        ],
    );
    env
}

#[test]
fn filters_never_make_the_query_words_optional() {
    let env = mixed_corpus();
    let (code, all) = env.search_json(&["Qamichli"]);
    assert_eq!(code, 0);
    assert_eq!(docs(&all), ["q2", "q1"]);
    for filter in [
        &["--since", "2025-01-01"][..],
        &["--until", "2025-12-31"],
        &["--since", "2020-01-01", "--until", "2030-01-01"],
        &["--source", "AFP"],
        &["--source", "Reuters"],
    ] {
        let mut args = filter.to_vec();
        args.push("Qamichli");
        let (_, hits) = env.search_json(&args);
        assert!(!hits.is_empty(), "{filter:?}");
        for h in &hits {
            assert!(
                h["text"].as_str().unwrap().contains("Qamichli"),
                "{filter:?} returned a passage without the query word: {h}"
            );
            // A filtered hit scores as it does without the filter.
            let same = all.iter().find(|a| a["doc"] == h["doc"]).unwrap();
            assert_eq!(h["score"], same["score"], "{filter:?}");
        }
    }
    let (_, hits) = env.search_json(&["--source", "AFP", "Qamichli"]);
    assert_eq!(docs(&hits), ["q1"]);
    let (_, hits) = env.search_json(&["--since", "2025-02-01", "Qamichli"]);
    assert_eq!(docs(&hits), ["q2"]);
}

#[test]
fn a_word_found_nowhere_finds_nothing_whatever_the_filters() {
    let env = mixed_corpus();
    for filter in [
        &["--since", "2020-08-01"][..],
        &["--until", "2030-01-01"],
        &["--source", "AFP"],
        &["--since", "2020-01-01", "--source", "Reuters"],
    ] {
        let mut args = vec!["search"];
        args.extend_from_slice(filter);
        args.push("zzzqqqxx");
        let out = env.run(&args);
        out.expect_code(1);
        assert!(out.stdout.trim().is_empty(), "{filter:?}: {}", out.stdout);
    }
    // Required and excluded words keep their meaning under a filter too.
    let (_, hits) = env.search_json(&["--since", "2024-01-01", "+olives", "Qamichli"]);
    assert_eq!(docs(&hits), ["o1"]);
    let (_, hits) = env.search_json(&["--source", "AFP", "--", "Qamichli", "-kurdes"]);
    assert!(hits.is_empty(), "{hits:?}");
}

/// Articles laid out like scraped French pages: non-breaking, narrow and thin
/// spaces around every mark, at every offset from the start.
fn typography_corpus() -> TestEnv {
    let env = TestEnv::new();
    let records: Vec<Value> = (0..240)
        .map(|i| {
            let space = ["\u{a0}", "\u{202f}", "\u{2009}"][i % 3];
            let pad = format!("mot{space}").repeat(i % 97 + 10);
            json!({
                "id": format!("t{i}"),
                "title": format!("Entretien{space}{i}"),
                "date": "2020-02-02",
                "body": format!(
                    "Selon{space}«{space}Le Monde{space}», {pad} Vladimir{space}Poutine{space}a parlé{space}; \
                     {pad} Poutine{space}: «{space}non{space}»."
                ),
            })
        })
        .collect();
    env.write_jsonl("typo.jsonl", &records);
    env
}

#[test]
fn non_breaking_and_thin_spaces_deep_in_a_result_list_break_nothing() {
    let env = typography_corpus();
    let out = env.run(&[
        "search",
        "--json",
        "--limit",
        "500",
        "--all-copies",
        "Poutine",
    ]);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.expect_code(0);
    let hits = out.hit_lines();
    assert_eq!(hits.len(), 240);
    for h in &hits {
        let text = h["text"].as_str().unwrap();
        let snippet = h["snippet"].as_str().unwrap();
        assert!(snippet.contains("Poutine"), "{snippet}");
        for m in h["matches"].as_array().unwrap() {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert_eq!(text.get(s..e), Some("Poutine"), "{m}");
        }
    }
    // The terminal view and a batch go through the same snippets.
    let out = env.run(&["search", "--limit", "500", "Poutine"]);
    out.expect_code(0);
    assert!(out.stdout.contains("**Poutine**"));
    let out = env.run_stdin(
        &["search", "--json", "--limit", "500", "--batch", "-"],
        "Poutine\nVladimir Poutine\n\"Le Monde\"\n",
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    out.expect_code(0);
}

#[test]
fn invisible_characters_inside_names_do_not_hide_them() {
    let env = TestEnv::new();
    let text =
        "Le colonel Kad\u{ad}hafi a reçu Vladimir Pou\u{200b}tine et Erdo\u{2060}gan\u{feff}.";
    env.write_jsonl(
        "scraped.jsonl",
        &[json!({"id": "s1", "title": "Visite", "text": text})],
    );
    for (query, written) in [
        ("Kadhafi", "Kad\u{ad}hafi"),
        ("Poutine", "Pou\u{200b}tine"),
        ("Erdogan", "Erdo\u{2060}gan"),
        ("\"Vladimir Poutine\"", "Pou\u{200b}tine"),
    ] {
        let (code, hits) = env.search_json(&["--strict", query]);
        assert_eq!(code, 0, "{query}");
        assert_eq!(docs(&hits), ["s1"], "{query}");
        let spans: Vec<&str> = hits[0]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let (s, e) = (
                    m["start"].as_u64().unwrap() as usize,
                    m["end"].as_u64().unwrap() as usize,
                );
                &text[s..e]
            })
            .collect();
        assert!(spans.contains(&written), "{query}: highlighted {spans:?}");
    }
}

/// Any query, on passages full of French typography and scraped-page
/// debris, through the whole engine (variants, aliases, typos, other
/// scripts): no panic, and every offset it returns lies on a character
/// boundary and shows the matched word.
#[test]
fn any_query_on_tricky_text_returns_valid_offsets() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    use recoupe::analysis::Analyzer;
    use recoupe::search::{SearchOptions, Searcher};
    use std::sync::Arc;

    let env = TestEnv::new();
    let pieces = [
        "Vladimir\u{a0}Poutine",
        "Pou\u{200b}tine",
        "Kad\u{ad}hafi",
        "Gaddafi",
        "al-Charaa",
        "el-Chareh",
        "al-Joulani",
        "Путин",
        "حماس",
        "Hamas",
        "«\u{a0}Le Monde\u{a0}»",
        "l’armée",
        "aujourd'hui",
        "\u{202e}Erdoğan\u{202c}",
        "🇷🇺",
        "Moyen-Orient",
        "14,2",
        "réfugiés",
        "e\u{301}lection",
        "Ｍａｃｒｏｎ",
        "Daech",
        "État islamique",
        ";\u{202f}",
        "\u{2009}:",
        "\u{feff}",
        "Khameneʼi",
        "\n",
        "jeudi.Le",
        "M.",
        "Qamichli",
    ];
    let records: Vec<Value> = (0..120)
        .map(|i| {
            let body: Vec<&str> = (0..60)
                .map(|j| pieces[(i * 7 + j * 13 + j * j) % pieces.len()])
                .collect();
            json!({"id": format!("x{i}"), "title": pieces[i % pieces.len()], "date": "2021-03-04",
                   "body": body.join(if i % 2 == 0 { " " } else { "\u{a0}" })})
        })
        .collect();
    env.write_jsonl("tricky.jsonl", &records);
    env.run(&["index", "--quiet"]).expect_code(0);

    let analyzer = Arc::new(Analyzer::default());
    let index = recoupe::index::Index::open(&env.index, analyzer).expect("open index");
    let searcher = Searcher::new(index).expect("searcher");
    let word = prop_oneof![
        3 => proptest::sample::select(pieces.to_vec()).prop_map(String::from),
        2 => proptest::string::string_regex("[\"+\\- «»a-zéПح\u{a0}\u{ad}\u{200b}'’.*]{0,12}").unwrap(),
    ];
    let query = proptest::collection::vec(word, 0..5).prop_map(|w| w.join(" "));
    let mut runner = TestRunner::new(Config::with_cases(200));
    let result = runner.run(
        &(query, any::<bool>(), 8usize..400),
        |(q, strict, snippet_bytes)| {
            let opts = SearchOptions {
                limit: 200,
                strict,
                snippet_bytes,
                ..SearchOptions::default()
            };
            let answer = searcher.search(&q, &opts).expect("search");
            for hit in &answer.hits {
                for m in &hit.matches {
                    prop_assert!(
                        hit.text.is_char_boundary(m.start) && hit.text.is_char_boundary(m.end)
                    );
                    prop_assert_eq!(&hit.text[m.start..m.end], m.text.as_str());
                }
                for &(s, e, _) in &hit.snippet_highlights {
                    prop_assert!(s < e && e <= hit.snippet.len());
                    prop_assert!(
                        hit.snippet.is_char_boundary(s) && hit.snippet.is_char_boundary(e)
                    );
                }
                for &(s, e, _) in &hit.title_highlights {
                    prop_assert!(hit.title.get(s..e).is_some(), "title highlight {s}..{e}");
                }
            }
            Ok(())
        },
    );
    assert!(result.is_ok(), "{result:?}");
}

/// Initials expand to every indexed word they start: past tantivy's bound
/// on a phrase's expansions (16,384 words starting with `c` here) the
/// search still answers, as if the initials were typed words.
#[test]
fn initials_that_start_too_many_words_never_fail_a_search() {
    let env = TestEnv::new();
    let mut records: Vec<Value> = (0..9)
        .map(|r| {
            let words: Vec<String> = (0..2000).map(|i| format!("ca{r}x{i}")).collect();
            json!({"id": format!("w{r}"), "title": "Liste", "text": words.join(" ")})
        })
        .collect();
    records
        .push(json!({"id": "couronne", "title": "Royaume", "text": "Charles Couronne a parlé."}));
    env.write_jsonl("many.jsonl", &records);
    for q in ["C. Couronne", "CCC Couronne", "C.-C. Couronne"] {
        let out = env.run(&["search", "--json", q]);
        assert!(!out.stderr.contains("panicked"), "{out:#?}");
        out.expect_code(0);
        assert!(out.stdout.contains("\"couronne\""), "{q}: {}", out.stdout);
    }
}

/// Publishing systems write `0001-01-01` for "no date"; the index counts
/// time in nanoseconds and cannot hold years before 1678. Such a date must
/// not come back as another, wrong date that date filters then keep.
#[test]
fn a_placeholder_or_ancient_date_is_no_date_not_a_wrong_one() {
    let env = TestEnv::new();
    env.write_jsonl(
        "d.jsonl",
        &[
            json!({"id": "zero", "date": "0001-01-01T00:00:00Z", "title": "Traité",
                   "text": "Le traité de Westphalie est cité."}),
            json!({"id": "old", "date": "1648-10-24", "title": "Traité",
                   "text": "Le traité de Münster est cité."}),
            json!({"id": "now", "date": "2025-02-12", "title": "Traité",
                   "text": "Le traité de Lisbonne est cité."}),
        ],
    );
    let out = env.run(&["index"]);
    out.expect_code(0);
    assert!(
        out.stderr
            .contains("d.jsonl:1: date \"0001-01-01T00:00:00Z\": year 1 is outside 1800-2200"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("d.jsonl:2: date \"1648-10-24\": year 1648"),
        "{}",
        out.stderr
    );
    let (_, hits) = env.search_json(&["traité"]);
    assert_eq!(hits.len(), 3);
    for h in &hits {
        let expected = if h["doc"] == "now" {
            json!("2025-02-12")
        } else {
            Value::Null
        };
        assert_eq!(h["date"], expected, "{h}");
    }
    let (_, since) = env.search_json(&["--since", "2000-01-01", "traité"]);
    assert_eq!(docs(&since), ["now"]);
    let (_, until) = env.search_json(&["--until", "1999-12-31", "traité"]);
    assert!(until.is_empty(), "{until:?}");
}
