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

/// Typos: up to two edits anywhere after the first letter, or one on the
/// first letter alone (a wider search cost long questions a fifth of their
/// time).
#[test]
fn a_typo_on_the_first_letter_is_found_alone_not_with_another() {
    let tmp = tempfile::tempdir().unwrap();
    let s = searcher(tmp.path());
    let typos_of = |q: &str| -> Vec<String> {
        s.search(q, &SearchOptions::default())
            .unwrap()
            .hits
            .iter()
            .flat_map(|h| h.matches.iter())
            .filter(|m| m.how == How::Typo)
            .map(|m| m.text.clone())
            .collect()
    };
    assert!(typos_of("Nasrallha").iter().any(|t| t == "Nasrallah"));
    assert!(typos_of("Masrallah").iter().any(|t| t == "Nasrallah"));
    assert!(typos_of("Asrallah").iter().any(|t| t == "Nasrallah"));
    assert!(typos_of("Masrallha").is_empty());
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

/// On the bundled sample corpus, every spelling of the Syrian president finds
/// both articles, and the other article's spelling is highlighted.
#[test]
fn sample_corpus_spellings_of_al_charaa_find_both_articles() {
    let env = crate::util::TestEnv::with_samples();
    for query in [
        "al-Charaa",
        "Chareh",
        "al-Sharaa",
        "Ahmed al-Sharaa",
        "ach-Charaa",
    ] {
        let (code, hits) = env.search_json(&[query]);
        assert_eq!(code, 0, "{query}");
        let mut found = crate::util::docs(&hits);
        found.sort();
        found.dedup();
        assert_eq!(found.len(), 2, "{query}: {found:?}");
        let highlighted: Vec<String> = hits
            .iter()
            .flat_map(|h| {
                let text = h["text"].as_str().unwrap_or_default().to_string();
                h["highlights"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .map(move |r| {
                        let (s, e) = (
                            r[0].as_u64().unwrap() as usize,
                            r[1].as_u64().unwrap() as usize,
                        );
                        text[s..e].to_string()
                    })
            })
            .collect();
        assert!(
            highlighted.iter().any(|w| w == "Chareh"),
            "{query}: {highlighted:?}"
        );
        assert!(
            highlighted.iter().any(|w| w == "Charaa"),
            "{query}: {highlighted:?}"
        );
    }
    // --strict keeps to the spelling typed.
    let (code, hits) = env.search_json(&["--strict", "Chareh"]);
    assert_eq!(code, 0);
    assert!(crate::util::docs(&hits)
        .iter()
        .all(|d| d.starts_with("003_")));
}

#[test]
fn variants_command_lists_spellings_with_counts_and_reasons() {
    let env = crate::util::TestEnv::with_samples();
    let out = env.run(&["variants", "--json", "al-Charaa"]);
    out.expect_code(0);
    let rows = out.json_lines();
    let row = |spelling: &str| rows.iter().find(|r| r["spelling"] == spelling).cloned();
    let exact = row("al-Charaa").expect("exact spelling listed, as typed");
    assert_eq!(exact["how"], "exact");
    assert_eq!(exact["articles"], 1);
    let variant = row("chareh").expect("el-Chareh listed");
    assert_eq!(variant["how"], "variant");
    assert!(variant["passages"].as_u64().unwrap() >= 3);
    assert!(variant["weight"].as_f64().unwrap() < 1.0);
    let text = env.run(&["variants", "al-Charaa"]);
    assert!(
        text.stdout.contains("chareh") && text.stdout.contains("variant"),
        "{}",
        text.stdout
    );
    env.run(&["variants", "Zzyzx"]).expect_code(1);
}

#[test]
fn explain_says_how_each_passage_matched() {
    let env = crate::util::TestEnv::with_samples();
    let out = env.run(&["search", "--explain", "al-Sharaa"]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("al-Sharaa -> Chareh: variant"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("al-Sharaa -> Charaa: variant"),
        "{}",
        out.stdout
    );
}

#[test]
fn alias_file_from_the_command_line_and_environment() {
    let env = crate::util::TestEnv::with_samples();
    let file = env.root().join("mine.txt");
    std::fs::write(
        &file,
        "# my aliases\nHmeimim = Lattaquié\nbroken line without equals\n",
    )
    .unwrap();
    let path = file.display().to_string();
    let out = env.run(&["search", "--aliases", &path, "--json", "Lattaquié"]);
    out.expect_code(0);
    assert!(out.stderr.contains("mine.txt:3:"), "{}", out.stderr);
    let out = env.run_env(
        &["search", "--json", "Lattaquié"],
        &[("RECOUPE_ALIASES", &path)],
    );
    out.expect_code(0);
    env.run(&["search", "--json", "Lattaquié"]).expect_code(1);
    let missing = env.run(&["search", "--aliases", "/nonexistent/aliases.txt", "x"]);
    missing.expect_code(2);
    assert!(
        missing.stderr.contains("/nonexistent/aliases.txt"),
        "{}",
        missing.stderr
    );
}

#[test]
fn the_alias_keys_saved_beside_the_index_give_the_answers_computed_ones_do() {
    let env = crate::util::TestEnv::with_samples();
    let first = env.run(&["search", "--json", "Joulani"]);
    first.expect_code(0);
    assert!(first.stdout.contains("Charaa"), "{}", first.stdout);
    let saved = env.index.join("aliases.keys");
    let bytes = std::fs::read(&saved).expect("the first search saves the alias keys");
    // Read back: the same answer.
    let again = env.run(&["search", "--json", "Joulani"]);
    assert_eq!(again.stdout, first.stdout);
    // A damaged file is ignored and written again.
    std::fs::write(&saved, b"RAK1 not a table").unwrap();
    let damaged = env.run(&["search", "--json", "Joulani"]);
    assert_eq!(damaged.stdout, first.stdout);
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
    // Another alias table is not answered from this one's keys, and the
    // shipped table's keys are made again after it.
    let mine = env.root().join("mine.txt");
    std::fs::write(&mine, "Joulani = Lattaquié\n").unwrap();
    let other = env.run(&[
        "search",
        "--json",
        "--aliases",
        &mine.display().to_string(),
        "Lattaquié",
    ]);
    other.expect_code(0);
    assert!(other.stdout.contains("Charaa"), "{}", other.stdout);
    env.run(&["search", "--json", "Lattaquié"]).expect_code(1);
    assert_eq!(std::fs::read(&saved).unwrap(), bytes);
}

#[test]
fn variants_speak_the_users_language() {
    let env = crate::util::TestEnv::new();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/names.jsonl"),
        env.corpus.join("names.jsonl"),
    )
    .unwrap();
    for query in [
        "EI",
        "Daech",
        "Donetsk",
        "al-Charaa",
        "\"Etat islamique\"",
        "Poutine",
    ] {
        let out = env.run(&["variants", "--json", query]);
        let rows = out.json_lines();
        let mut seen = std::collections::HashSet::new();
        for r in &rows {
            let spelling = r["spelling"].as_str().unwrap();
            // Never an index term (`~donetsk`, `^PTN/poutine`, `=ei`).
            assert!(!spelling.starts_with(['~', '^', '=']), "{query}: {r}");
            // Each spelling once, case and accents aside.
            assert!(
                seen.insert(recoupe::analysis::fold::fold_str(spelling)),
                "{query}: {spelling} twice"
            );
            // Weights rounded to two decimals.
            let w = r["weight"].as_f64().unwrap();
            assert!(
                ((w * 100.0).round() - w * 100.0).abs() < 1e-3,
                "{query}: weight {w}"
            );
        }
        let text = env.run(&["variants", query]);
        assert!(
            !text.stdout.contains('~') && !text.stdout.contains("0000"),
            "{}",
            text.stdout
        );
    }
}

/// A small corpus of whole names written in several ways.
fn whole_names_env() -> crate::util::TestEnv {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "w.jsonl",
        &[
            json!({"id": "juncker-full", "title": "Bruxelles", "text": "Le président de la Commission, Jean-Claude Juncker, a reçu les ministres."}),
            json!({"id": "juncker-bare", "title": "Départ", "text": "Après cinq ans, Juncker a quitté la Commission."}),
            json!({"id": "nazarbaiev", "title": "Kazakhstan", "text": "Le président Noursoultan Nazarbaïev a démissionné mardi."}),
            json!({"id": "erdogan-title", "title": "Turquie", "text": "Le président turc Recep Tayyip Erdogan a menacé l'Europe."}),
            json!({"id": "erdogan-bare", "title": "Ankara", "text": "Selon Erdogan, les réfugiés pourraient partir."}),
            json!({"id": "assad-fr", "title": "Damas", "text": "Le régime de Bachar al-Assad a repris Alep."}),
            json!({"id": "assad-en", "title": "Damas", "text": "Les alliés de Bashar el-Assad se réunissent."}),
            json!({"id": "putin-fr", "title": "Moscou", "text": "Vladimir Poutine a reçu le chancelier."}),
            json!({"id": "putin-en", "title": "Moscow", "text": "Selon Wladimir Putin, rien ne change."}),
            json!({"id": "ei-caps", "title": "Revendication", "text": "Le groupe État islamique (EI) a revendiqué l'attaque."}),
            json!({"id": "daech", "title": "Irak", "text": "Les jihadistes de Daech ont perdu Mossoul."}),
            json!({"id": "ei-word", "title": "Langues", "text": "En hawaïen, le mot ei désigne un collier de fleurs."}),
        ],
    );
    env
}

/// A demonym is written as a name (`les Français`) and as a common word
/// (`le vin français`): it is no spelling of a name the corpus never
/// writes in lowercase, but it is the spelling of a word the corpus does
/// not hold (`Uyghurs`).
#[test]
fn a_name_never_written_in_lowercase_has_no_spelling_that_often_is() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    let texts = [
        ("francois-1", "François Bayrou a parlé mardi."),
        ("francois-2", "Le ministre a répondu à François Ruffin."),
        ("francois-3", "Pour François Hollande, rien ne change."),
        (
            "francais-1",
            "Selon le sondage, les Français votent dimanche.",
        ),
        ("francais-2", "Beaucoup de Français partent en vacances."),
        ("francais-3", "Les Français consomment moins."),
        ("francais-4", "Le gouvernement français a réagi."),
        ("ouighours-1", "Les Ouïghours du Xinjiang sont surveillés."),
        ("ouighours-2", "Des Ouïghours ont témoigné."),
        ("ouighours-3", "Des militants ouïghours ont manifesté."),
    ];
    let records: Vec<serde_json::Value> = texts
        .iter()
        .map(|(id, text)| json!({"id": id, "title": "Monde", "text": text}))
        .collect();
    env.write_jsonl("d.jsonl", &records);
    env.run(&["index", "--quiet"]).expect_code(0);
    let (_, francois) = env.search_json(&["François"]);
    let found = crate::util::docs(&francois);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(found.iter().all(|d| d.starts_with("francois")), "{found:?}");
    let (_, uyghurs) = env.search_json(&["Uyghurs"]);
    let found = crate::util::docs(&uyghurs);
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found.iter().all(|d| d.starts_with("ouighours")),
        "{found:?}"
    );
}

#[test]
fn a_quoted_name_keeps_its_spellings_and_its_aliases() {
    let env = whole_names_env();
    let (_, fr) = env.search_json(&["\"Bachar al-Assad\""]);
    let (_, en) = env.search_json(&["\"Bashar al-Assad\""]);
    let ids = |hits: &[serde_json::Value]| -> BTreeSet<String> {
        crate::util::docs(hits).into_iter().collect()
    };
    let set = |docs: &[&str]| -> BTreeSet<String> { docs.iter().map(|d| d.to_string()).collect() };
    assert_eq!(ids(&fr), set(&["assad-fr", "assad-en"]));
    assert_eq!(
        ids(&en),
        ids(&fr),
        "quoted spellings reach the same passages"
    );
    // The phrase is highlighted as the passage writes it.
    let hit = en.iter().find(|h| h["doc"] == "assad-en").unwrap();
    let shown: Vec<&str> = hit["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["Bashar", "el", "Assad"]);
    // Each word says how it matched: as typed, or another spelling.
    let hows: Vec<&str> = hit["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["how"].as_str().unwrap())
        .collect();
    assert_eq!(hows, ["exact", "variant", "exact"]);
    let (_, putin) = env.search_json(&["\"Vladimir Putin\""]);
    assert_eq!(ids(&putin), set(&["putin-en", "putin-fr"]));
    // An alias of the whole phrase applies; an acronym alias only in capitals.
    let (_, ei) = env.search_json(&["\"Etat islamique\""]);
    assert_eq!(ids(&ei), set(&["daech", "ei-caps"]));
    let (_, daech) = env.search_json(&["Daech"]);
    assert!(!ids(&daech).contains("ei-word"), "{daech:?}");
    assert!(ids(&daech).contains("ei-caps"));
}

#[test]
fn titles_never_make_all_fail_and_initials_find_full_first_names() {
    let env = whole_names_env();
    let (_, hits) = env.search_json(&["--all", "le président Erdogan"]);
    assert_eq!(crate::util::docs(&hits), ["erdogan-title", "erdogan-bare"]);
    let (_, hits) = env.search_json(&["--all", "cheikh", "Erdogan"]);
    assert_eq!(hits.len(), 2);
    for q in ["J.-C. Juncker", "JC Juncker", "J. C. Juncker"] {
        let (_, hits) = env.search_json(&["--all", q]);
        assert_eq!(crate::util::docs(&hits), ["juncker-full"], "{q}");
        let shown: Vec<&str> = hits[0]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap())
            .collect();
        assert_eq!(shown, ["Jean", "Claude", "Juncker"], "{q}");
        let (_, hits) = env.search_json(&[q]);
        assert_eq!(crate::util::docs(&hits)[0], "juncker-full", "{q}");
    }
    let (_, hits) = env.search_json(&["--all", "N. Nazarbaïev"]);
    assert_eq!(crate::util::docs(&hits), ["nazarbaiev"]);
}

#[test]
fn a_name_the_corpus_never_writes_as_typed_finds_its_closest_spelling_first() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "k.jsonl",
        &[
            // Another name under the same key, in a short passage that
            // repeats it: the higher BM25.
            json!({"id": "kerkhove", "title": "OMS", "text": "Maria Van Kerkhove, de l'OMS: Van Kerkhove insiste."}),
            // The city, more often, in long passages.
            json!({"id": "kharkiv-1", "title": "Ukraine", "text": "Un avion militaire s'est écrasé vendredi soir près de Kharkiv, dans l'est du pays, lors d'un vol d'entraînement, ont annoncé les autorités régionales qui enquêtent sur les causes de l'accident."}),
            json!({"id": "kharkiv-2", "title": "Ukraine", "text": "Les autorités régionales de Kharkiv ont ouvert une enquête sur les causes de l'accident, et le président s'est rendu samedi au chevet de l'unique survivant, un jeune cadet de l'armée de l'air."}),
            json!({"id": "kharkiv-3", "title": "Ukraine", "text": "Le maire de Kharkiv a décrété une journée de deuil dans toute la région, où les drapeaux resteront en berne jusqu'à lundi, a indiqué son cabinet dans un communiqué."}),
        ],
    );
    let (_, hits) = env.search_json(&["Kharkov"]);
    let docs = crate::util::docs(&hits);
    assert_eq!(docs.len(), 4, "{docs:?}");
    assert_eq!(docs[3], "kerkhove", "the other name comes after the city");
    // --strict searches the word as typed, which the corpus never writes.
    let (code, _) = env.search_json(&["--strict", "Kharkov"]);
    assert_eq!(code, 1);
}

#[test]
fn a_quoted_arabic_name_takes_son_of_in_any_spelling() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "m.jsonl",
        &[
            json!({"id": "ben", "title": "Riyad", "text": "Le prince Mohammed ben Salman a reçu le ministre."}),
            json!({"id": "bin", "title": "Riyadh", "text": "Crown prince Mohammed bin Salman met the minister."}),
            json!({"id": "other", "title": "Bruxelles", "text": "Mohammed, Salman et Ben ont marché ensemble."}),
        ],
    );
    for q in [
        "\"Mohammed bin Salman\"",
        "\"Mohammed ben Salman\"",
        "\"Mohammed ibn Salman\"",
    ] {
        let (_, hits) = env.search_json(&[q]);
        let mut docs = crate::util::docs(&hits);
        docs.sort();
        assert_eq!(docs, ["ben", "bin"], "{q}");
    }
}

#[test]
fn an_unquoted_name_ranks_passages_that_write_it_together_first() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "b.jsonl",
        &[
            // All three words, far apart, and repeated: the higher BM25.
            json!({"id": "apart", "title": "Golfe", "text": "À Abu Dhabi, le cheikh a reçu Bakr, un homme d'affaires; Baghdadi, Baghdadi et Baghdadi étaient des noms de rues, dit Bakr."}),
            json!({"id": "together", "title": "Irak", "text": "Le chef jihadiste Abou Bakr al-Baghdadi est apparu dans une vidéo."}),
            json!({"id": "some", "title": "Emirats", "text": "Le prince héritier d'Abu Dhabi a reçu le ministre."}),
        ],
    );
    let (_, hits) = env.search_json(&["Abu Bakr al-Baghdadi"]);
    assert_eq!(crate::util::docs(&hits), ["together", "apart", "some"]);
    // --all still requires every word.
    let (_, hits) = env.search_json(&["--all", "Abu Bakr al-Baghdadi"]);
    assert_eq!(crate::util::docs(&hits), ["together", "apart"]);
}

#[test]
fn queries_in_other_scripts_find_the_names_the_corpus_writes() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    let mut records = Vec::new();
    for (id, text) in [
        (
            "hamas-1",
            "Le mouvement islamiste Hamas contrôle la bande de Gaza.",
        ),
        ("hamas-2", "Un dirigeant du Hamas a été tué."),
        ("hamas-3", "Le Hamas et Israël ont conclu une trêve."),
        ("hamza", "Le fils de Ben Laden, Hamza, serait mort."),
        ("homs", "Les combats ont repris à Homs."),
        (
            "hms",
            "Le navire HMS Defender a croisé au large de la Crimée.",
        ),
        ("cammas", "Le skipper Franck Cammas a remporté la course."),
        ("beyrouth-1", "Une explosion a ravagé le port de Beyrouth."),
        (
            "beyrouth-2",
            "À Beyrouth, les manifestants réclament des comptes.",
        ),
        ("aubert", "Le ministre Jacques Aubert a démissionné."),
        ("barth", "Le chanteur Daniel Barth est en tournée."),
        ("erdogan", "Le président Recep Tayyip Erdogan a parlé."),
        ("hezbollah", "Le Hezbollah a tiré des roquettes."),
        ("jerusalem", "Des heurts ont éclaté à Jérusalem."),
        ("mossoul", "L'armée irakienne a repris Mossoul."),
        ("moselle-1", "Des inondations touchent la Moselle."),
        ("moselle-2", "En Moselle, les écoles ferment."),
    ] {
        records.push(json!({"id": id, "title": "Dépêche", "text": text}));
    }
    env.write_jsonl("s.jsonl", &records);
    let top = |q: &str| -> Vec<String> { crate::util::docs(&env.search_json(&[q]).1) };
    for q in ["حماس", "חמאס", "Хамас"] {
        let found = top(q);
        assert!(
            found.len() >= 3 && found[..3].iter().all(|d| d.starts_with("hamas")),
            "{q}: {found:?}"
        );
        for wrong in ["hamza", "homs", "hms"] {
            assert!(
                !found.iter().any(|d| d == wrong),
                "{q} found {wrong}: {found:?}"
            );
        }
    }
    let found = top("بيروت");
    assert!(
        found.len() >= 2 && found[..2].iter().all(|d| d.starts_with("beyrouth")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|d| d == "aubert" || d == "barth"),
        "{found:?}"
    );
    assert_eq!(top("Ερντογάν"), ["erdogan"]);
    assert_eq!(top("Хезболла"), ["hezbollah"]);
    assert_eq!(top("ירושלים"), ["jerusalem"]);
    // A name the alias table knows in its script goes through the table,
    // not through letters that also fit another name.
    assert_eq!(top("الموصل"), ["mossoul"]);
}

#[test]
fn acronyms_of_different_groups_do_not_join_through_spelling() {
    // PKK and PCC, MEK and the French "mec" are close spellings; a query
    // for one group must not bring the names of the other.
    let tmp = tempfile::tempdir().unwrap();
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    let docs = [
        (
            "a-kurd",
            "Le Parti des travailleurs du Kurdistan annonce un cessez-le-feu.",
        ),
        (
            "a-pkk",
            "Le PKK revendique une attaque dans le sud-est de la Turquie.",
        ),
        (
            "a-pcc",
            "Le Parti communiste chinois tient son congrès à Pékin.",
        ),
        (
            "a-mec",
            "Un mec a été interpellé après une rixe devant un bar.",
        ),
        (
            "a-mek",
            "Les Moudjahidine du peuple tiennent leur rassemblement annuel.",
        ),
    ];
    let mut text = String::new();
    for (id, body) in docs {
        text.push_str(&format!(
            "{{\"id\": \"{id}\", \"title\": \"Dépêche\", \"date\": \"2020-01-01\", \"body\": \"{body}\"}}\n"
        ));
    }
    std::fs::write(corpus.join("a.jsonl"), text).unwrap();
    let index = tmp.path().join("index");
    let analyzer = Arc::new(Analyzer::default());
    let mut report = Collect::default();
    indexer::run(
        &corpus,
        &index,
        analyzer.clone(),
        &Options::default(),
        &mut report,
    )
    .unwrap();
    let (table, errors) = recoupe::names::parse_aliases(
        "PKK = Parti des travailleurs du Kurdistan\n\
         PCC = Parti communiste chinois\n\
         Moudjahidine du peuple = MEK\n",
        "t",
    );
    assert!(errors.is_empty(), "{errors:?}");
    let s = Searcher::with_aliases(Index::open(&index, analyzer).unwrap(), table).unwrap();
    let got = found(&s, "PKK", false);
    assert!(got.contains("a-pkk") && got.contains("a-kurd"), "{got:?}");
    assert!(!got.contains("a-pcc"), "{got:?}");
    let got = found(&s, "Moudjahidine du peuple", false);
    assert!(got.contains("a-mek"), "{got:?}");
    assert!(!got.contains("a-mec"), "{got:?}");
}

#[test]
fn son_of_in_lowercase_keeps_an_unquoted_name_together() {
    use serde_json::json;
    let env = crate::util::TestEnv::new();
    env.write_jsonl(
        "s.jsonl",
        &[
            // Every word, apart, and repeated: the higher BM25.
            json!({"id": "apart", "title": "Riyad", "text": "Salmane ben Abdel Aziz: Salmane, Salmane, Mohammed, Mohammed, Mohammed."}),
            json!({"id": "together", "title": "Riyad", "text": "Le prince héritier Mohammed ben Salmane a reçu hier soir dans son palais le ministre des affaires étrangères venu de Paris."}),
        ],
    );
    let (_, hits) = env.search_json(&["Mohammed ben Salmane"]);
    assert_eq!(crate::util::docs(&hits), ["together", "apart"]);
    // The name's words standing together is what decides, even without
    // the proximity features: "ben" does not break the name.
    let ranked = |ranking: &str| {
        let out = env.run_env(
            &["search", "--json", "Mohammed ben Salmane"],
            &[("RECOUPE_RANKING", ranking)],
        );
        crate::util::docs(&out.hit_lines())
    };
    assert_eq!(ranked("pairs=0,proximity=0"), ["together", "apart"]);
    assert_eq!(
        ranked("pairs=0,proximity=0,together_first=off"),
        ["apart", "together"]
    );
}
