//! `recoupe watch`: the watchlist a desk keeps with its index.

use crate::util::TestEnv;

#[test]
fn watches_are_added_listed_tested_and_removed_in_a_file_people_can_edit() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    env.run(&["watch", "add", "al-Charaa", "--label", "président syrien"])
        .expect_code(0);
    env.run(&["watch", "add", "Damas -Moscou", "--strict"])
        .expect_code(0);
    // The same query again, case aside, is refused and names the first.
    let again = env.run(&["watch", "add", "AL-CHARAA"]);
    again.expect_code(2);
    assert!(again.stderr.contains("already watched"), "{}", again.stderr);

    let list = env.run(&["watch", "list"]);
    list.expect_code(0);
    assert_eq!(
        list.stdout.lines().collect::<Vec<_>>(),
        [
            "al-Charaa | label: président syrien",
            "Damas -Moscou | strict"
        ]
    );
    let json = env.run(&["watch", "list", "--json"]);
    let first: serde_json::Value =
        serde_json::from_str(json.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(first["label"], "président syrien");
    assert_eq!(first["strict"], false);
    assert_eq!(first["aliases"], serde_json::Value::Null);

    // A line written by hand that cannot be read is named by file and line;
    // the others still count.
    let file = env.index.join("watchlist.txt");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("Idlib | colour: red\n");
    std::fs::write(&file, text).unwrap();
    let list = env.run(&["watch", "list"]);
    list.expect_code(2);
    assert_eq!(list.stdout.lines().count(), 2);
    assert!(
        list.stderr.contains("watchlist.txt:5: unknown option"),
        "{}",
        list.stderr
    );

    // Testing a watch by its label runs its query over the whole index, as
    // a search would (its spellings included).
    let test = env.run(&["watch", "test", "président syrien", "--json"]);
    test.expect_code(0);
    let search = env.run(&["search", "al-Charaa", "--json", "--all"]);
    assert_eq!(test.stdout, search.stdout);
    let none = env.run(&["watch", "test", "Zzyzxqw"]);
    none.expect_code(1);

    env.run(&["watch", "remove", "président syrien"])
        .expect_code(0);
    env.run(&["watch", "remove", "président syrien"])
        .expect_code(1);
    let list = env.run(&["watch", "list"]);
    assert!(!list.stdout.contains("al-Charaa"), "{}", list.stdout);
    assert!(list.stdout.contains("Damas -Moscou | strict"));
}

/// The alert lines of a run (`--alerts -`).
fn alerts_of(out: &crate::util::Output) -> Vec<serde_json::Value> {
    out.stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// What an alert and a search hit both say about a passage.
fn shown(v: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "doc": v["doc"], "passage": v["passage"], "title": v["title"],
        "date": v["date"], "source": v["source"], "url": v["url"],
        "snippet": v["snippet"], "snippet_marks": v["snippet_marks"],
        "title_marks": v["title_marks"], "matches": v["matches"],
    })
}

/// The hits `search --all` returns for `query` (strict or not) among
/// `docs`.
fn search_among(
    env: &TestEnv,
    query: &str,
    strict: bool,
    docs: &[String],
) -> Vec<serde_json::Value> {
    let mut args = vec![query, "--all", "--all-copies", "--limit", "500"];
    if strict {
        args.push("--strict");
    }
    let (_, hits) = env.search_json(&args);
    let among: Vec<&serde_json::Value> = hits
        .iter()
        .filter(|h| docs.iter().any(|d| h["doc"] == d.as_str()))
        .collect();
    // A title-only match alerts once per article, on its first passage,
    // and not when another passage of the article matches by itself.
    let title_only = |h: &serde_json::Value| h["title_only"] == true;
    let kept_hit = |h: &serde_json::Value| {
        !title_only(h)
            || (!among.iter().any(|o| o["doc"] == h["doc"] && !title_only(o))
                && among
                    .iter()
                    .filter(|o| o["doc"] == h["doc"])
                    .all(|o| o["passage"].as_u64() >= h["passage"].as_u64()))
    };
    let mut kept: Vec<serde_json::Value> = among
        .iter()
        .filter(|h| kept_hit(h))
        .map(|h| shown(h))
        .collect();
    kept.sort_by_key(|v| v.to_string());
    kept
}

fn alerts_for(alerts: &[serde_json::Value], watch: &str) -> Vec<serde_json::Value> {
    let mut kept: Vec<serde_json::Value> = alerts
        .iter()
        .filter(|a| a["watch"] == watch)
        .map(shown)
        .collect();
    kept.sort_by_key(|v| v.to_string());
    kept
}

const WATCHED: [(&str, bool); 5] = [
    ("al-Charaa", false),
    ("Ahmed al-Charaa", false),
    ("Idlib", true),
    ("\"Bachar al-Assad\"", false),
    ("Damas -Moscou", false),
];

fn watch_all(env: &TestEnv) {
    for (query, strict) in WATCHED {
        let mut args = vec!["watch", "add", query];
        if strict {
            args.push("--strict");
        }
        env.run(&args).expect_code(0);
    }
}

#[test]
fn alerts_are_the_hits_a_search_returns_among_the_new_passages() {
    // The sample corpus arrives in a run after the first: its alerts are
    // what a search finds in it, spellings and highlights included.
    let env = TestEnv::new();
    env.write(
        "old.txt",
        "Une dépêche ancienne\n\nLe président al-Charaa était à Damas.\n",
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    watch_all(&env);
    let samples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let mut sample_docs = Vec::new();
    for entry in std::fs::read_dir(samples).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), env.corpus.join(entry.file_name())).unwrap();
        sample_docs.push(entry.file_name().to_string_lossy().into_owned());
    }
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(0);
    let alerts = alerts_of(&run);
    assert!(
        !alerts.is_empty(),
        "the samples name al-Charaa: {}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("; {} alerts", alerts.len())),
        "{}",
        run.stderr
    );
    for (query, strict) in WATCHED {
        assert_eq!(
            alerts_for(&alerts, query),
            search_among(&env, query, strict, &sample_docs),
            "{query}"
        );
    }
    // Both spellings of the samples were caught, as search finds them.
    let spellings: Vec<String> = alerts
        .iter()
        .flat_map(|a| a["matches"].as_array().unwrap().clone())
        .map(|m| m["text"].as_str().unwrap().to_string())
        .collect();
    assert!(spellings.iter().any(|s| s == "Charaa"), "{spellings:?}");
    assert!(spellings.iter().any(|s| s == "Chareh"), "{spellings:?}");
    // The old article is not new: never alerted.
    assert!(alerts.iter().all(|a| a["doc"] != "old.txt"));

    // A fixture of other spellings, in a JSONL file with ids.
    env.write_jsonl(
        "dispatches.jsonl",
        &[
            serde_json::json!({"id": "d1", "title": "Idlib sous tension", "date": "2026-11-30",
                "source": "AFP", "body": "Ahmed al-Chareh a reçu les chefs de tribu à Damas. Moscou n'a pas commenté."}),
            serde_json::json!({"id": "d2", "title": "Réunion à Damas", "date": "2026-11-30",
                "source": "Reuters", "body": "Le président syrien Ahmad al-Sharaa a parlé de la reconstruction de Damas."}),
            serde_json::json!({"id": "d3", "title": "Bachar al-Assad à Moscou", "date": "2026-11-29",
                "body": "L'ancien président Bachar el-Assad vit toujours à Moscou, selon ses proches."}),
            serde_json::json!({"id": "d4", "title": "Sans rapport", "date": "2026-11-29",
                "body": "La météo de la semaine sera douce sur la côte atlantique."}),
            serde_json::json!({"id": "d5", "title": "Un autre Ahmed", "date": "2026-11-29",
                "body": "Le footballeur Ahmed Hassan a signé à Marseille."}),
        ],
    );
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(0);
    let alerts = alerts_of(&run);
    let docs: Vec<String> = ["d1", "d2", "d3", "d4", "d5"].map(String::from).to_vec();
    for (query, strict) in WATCHED {
        assert_eq!(
            alerts_for(&alerts, query),
            search_among(&env, query, strict, &docs),
            "{query}"
        );
    }
    let caught = |watch: &str| -> Vec<String> {
        let mut d: Vec<String> = alerts
            .iter()
            .filter(|a| a["watch"] == watch)
            .map(|a| a["doc"].as_str().unwrap().to_string())
            .collect();
        d.sort();
        d.dedup();
        d
    };
    assert_eq!(caught("al-Charaa"), ["d1", "d2"], "both spellings alert");
    // Another Ahmed is not the watched one: every word of a watch counts.
    assert_eq!(caught("Ahmed al-Charaa"), ["d1", "d2"]);
    assert_eq!(caught("Damas -Moscou"), ["d2"], "d1 says Moscou: excluded");
    assert!(caught("Idlib").iter().all(|d| d == "d1"));
    assert!(alerts.iter().all(|a| a["doc"] != "d4" && a["doc"] != "d5"));
    let run_number = alerts[0]["run"].as_u64().unwrap();
    assert!(alerts.iter().all(|a| a["run"] == run_number));

    // Re-indexed unchanged (the file rewritten as it was): no alert.
    let text = std::fs::read(env.corpus.join("dispatches.jsonl")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(env.corpus.join("dispatches.jsonl"), &text).unwrap();
    let again = env.run(&["index", "--alerts", "-"]);
    again.expect_code(0);
    assert_eq!(again.stdout, "", "{}", again.stderr);

    // The JSON summary counts them.
    env.write("later.txt", "Idlib\n\nÀ Idlib, les écoles rouvrent.\n");
    let json = env.run(&["index", "--json"]);
    json.expect_code(0);
    let summary: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    // One passage, one alert (its title marked in it).
    assert_eq!(summary["alerts"], 1, "{summary}");
    assert_eq!(summary["alert_runs"].as_array().unwrap().len(), 1);
}

#[test]
fn an_edited_article_alerts_only_for_its_new_matches() {
    let env = TestEnv::new();
    let article = |extra: &str| {
        serde_json::json!({"id": "a1", "title": "Damas", "date": "2026-11-30",
            "body": format!("Ahmed al-Charaa a parlé hier soir. Le temps était doux.{extra}")})
    };
    env.write_jsonl("a.jsonl", &[article("")]);
    env.run(&["index", "--quiet"]).expect_code(0);
    env.run(&["watch", "add", "al-Charaa"]).expect_code(0);
    env.run(&["watch", "add", "Idlib"]).expect_code(0);
    // An edit elsewhere in the passage: al-Charaa's match is not new.
    env.write_jsonl(
        "a.jsonl",
        &[
            serde_json::json!({"id": "a1", "title": "Damas", "date": "2026-11-30",
            "body": "Ahmed al-Charaa a parlé hier soir. Le temps était froid."}),
        ],
    );
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(0);
    assert!(run.stderr.contains("1 updated"), "{}", run.stderr);
    assert_eq!(run.stdout, "", "an unchanged match alerted again");
    // A sentence added that names Idlib, and one that names al-Charaa again.
    env.write_jsonl(
        "a.jsonl",
        &[article(" Il ira à Idlib. Al-Charaa a confirmé.")],
    );
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(0);
    let alerts = alerts_of(&run);
    let watches: Vec<&str> = alerts
        .iter()
        .map(|a| a["watch"].as_str().unwrap())
        .collect();
    assert_eq!(watches, ["al-Charaa", "Idlib"], "{}", run.stdout);
}

#[test]
fn a_watch_that_cannot_be_checked_is_named_and_the_others_still_alert() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    std::fs::write(env.index.join("desk-aliases.txt"), "Joulani = al-Charaa\n").unwrap();
    env.run(&["watch", "add", "Joulani", "--aliases", "desk-aliases.txt"])
        .expect_code(0);
    let listed = env.run(&["watch", "list", "--json"]);
    let joulani: serde_json::Value =
        serde_json::from_str(listed.stdout.lines().next().unwrap()).unwrap();
    assert_eq!(joulani["aliases"], "desk-aliases.txt");
    env.run(&["watch", "add", "Damas"]).expect_code(0);
    env.write(
        "a.txt",
        "Nouvelles\n\nLe président al-Charaa est rentré à Damas.\n",
    );
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(0);
    let alerts = alerts_of(&run);
    // The watch's own alias file makes Joulani find al-Charaa.
    assert!(
        alerts
            .iter()
            .any(|a| a["watch"] == "Joulani" && a["doc"] == "a.txt"),
        "{}",
        run.stdout
    );

    // The alias file removed: that watch is reported, Damas still alerts.
    std::fs::remove_file(env.index.join("desk-aliases.txt")).unwrap();
    env.write("b.txt", "Nouvelles\n\nAl-Charaa a quitté Damas ce matin.\n");
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("watchlist.txt:3: \"Joulani\" was not checked")
            && run.stderr.contains("desk-aliases.txt"),
        "{}",
        run.stderr
    );
    let alerts = alerts_of(&run);
    assert!(alerts
        .iter()
        .any(|a| a["watch"] == "Damas" && a["doc"] == "b.txt"));
    assert!(alerts.iter().all(|a| a["watch"] != "Joulani"));
}

#[test]
fn the_report_groups_what_was_caught_with_its_spellings() {
    let env = TestEnv::new();
    env.write("old.txt", "Ancien\n\nRien à signaler.\n");
    env.run(&["index", "--quiet"]).expect_code(0);
    env.run(&["watch", "add", "al-Charaa", "--label", "président syrien"])
        .expect_code(0);
    env.run(&["watch", "report"]).expect_code(1);
    env.write("a.txt", "Damas\n\nLe président el-Chareh a parlé.\n");
    env.write(
        "b.txt",
        "Damas encore\n\nAhmed al-Charaa a parlé. Puis al-Charaa est parti.\n",
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    let report = env.run(&["watch", "report", "--color", "never"]);
    report.expect_code(0);
    let first = report.stdout.lines().next().unwrap();
    assert!(
        first.starts_with("président syrien (al-Charaa): 2 passages in 2 articles, last caught "),
        "{}",
        report.stdout
    );
    assert!(
        report
            .stdout
            .contains("spellings: al-Charaa (exact) 1, el-Chareh (alias) 1")
            || report
                .stdout
                .contains("spellings: el-Chareh (alias) 1, al-Charaa (exact) 1"),
        "{}",
        report.stdout
    );
    assert!(report.stdout.contains("**al-Charaa**"), "{}", report.stdout);

    let csv = env.run(&["watch", "report", "--format", "csv"]);
    csv.expect_code(0);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert!(lines[0].starts_with("caught,run,watch,label,doc"));
    assert_eq!(lines.len(), 3);
    let json = env.run(&["watch", "report", "--format", "json"]);
    let group: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    assert_eq!(group["passages"], 2);
    assert_eq!(group["alerts"].as_array().unwrap().len(), 2);

    env.run(&["watch", "report", "--since", "2999-01-01"])
        .expect_code(1);
    env.run(&["watch", "report", "--since", "1h"])
        .expect_code(0);
    let bad = env.run(&["watch", "report", "--since", "hier"]);
    bad.expect_code(2);
    assert!(bad.stderr.contains("--since \"hier\""), "{}", bad.stderr);
}

#[test]
fn alerts_that_cannot_be_written_wait_for_the_next_run_and_rebuilds_alert_nothing() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    env.run(&["watch", "add", "Damas"]).expect_code(0);
    env.write("a.txt", "Nouvelles\n\nLe convoi est arrivé à Damas.\n");
    // An --alerts file that cannot be written: the run indexes all the
    // same, says why, and keeps the alerts for the next run.
    let blocked = env.root().join("no-such-folder").join("alerts.jsonl");
    let run = env.run(&["index", "--alerts", blocked.to_str().unwrap()]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("alerts not written") && run.stderr.contains("next run writes them"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("1 added"), "{}", run.stdout);
    let later = env.run(&["index", "--alerts", "-"]);
    later.expect_code(0);
    let alerts = alerts_of(&later);
    assert_eq!(alerts.len(), 1, "{}", later.stdout);
    assert_eq!(alerts[0]["doc"], "a.txt");
    // The log holds it once, though the first try wrote it there.
    let log = std::fs::read_to_string(env.index.join("alerts.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");

    // A full rebuild: every passage is new to the index, none is news.
    let full = env.run(&["index", "--full", "--alerts", "-"]);
    full.expect_code(0);
    assert_eq!(full.stdout, "", "{}", full.stderr);
    // And the run after it alerts what is new again.
    env.write("b.txt", "Encore\n\nUn autre convoi a quitté Damas.\n");
    let next = env.run(&["index", "--alerts", "-"]);
    next.expect_code(0);
    let docs: Vec<serde_json::Value> = alerts_of(&next).iter().map(|a| a["doc"].clone()).collect();
    assert_eq!(docs, ["b.txt"]);
    let runs: Vec<u64> = std::fs::read_to_string(env.index.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["run"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert!(
        runs.windows(2).all(|w| w[0] < w[1]),
        "run numbers go on after a rebuild: {runs:?}"
    );
}

#[test]
fn a_title_alerts_once_per_article_not_once_per_passage() {
    let env = TestEnv::new();
    env.write("old.txt", "Ancien\n\nRien.\n");
    env.run(&["index", "--quiet"]).expect_code(0);
    env.run(&["watch", "add", "Idlib"]).expect_code(0);
    let long = |n: usize| -> String {
        (0..n)
            .map(|i| format!("Le paragraphe numéro {i} parle de la reconstruction des écoles, des routes et des hôpitaux de la région, longuement et en détail pour les lecteurs.\n\n"))
            .collect()
    };
    env.write("a.txt", format!("Idlib : la reconstruction\n\n{}", long(6)));
    env.write(
        "b.txt",
        format!(
            "Idlib : le retour\n\n{}Les familles rentrent à Idlib.\n",
            long(6)
        ),
    );
    let run = env.run(&["index", "--alerts", "-"]);
    run.expect_code(0);
    let alerts = alerts_of(&run);
    let of = |doc: &str| -> Vec<(u64, bool)> {
        alerts
            .iter()
            .filter(|a| a["doc"] == doc)
            .map(|a| {
                (
                    a["passage"].as_u64().unwrap(),
                    a["matches"].as_array().unwrap().is_empty(),
                )
            })
            .collect()
    };
    let a = of("a.txt");
    assert_eq!(
        a.len(),
        1,
        "the title alone: one alert for the article, {a:?}"
    );
    assert!(a[0].1, "its passage names nothing itself");
    let b = of("b.txt");
    assert_eq!(b.len(), 1, "{b:?}");
    assert!(!b[0].1, "b.txt alerts for the passage that names Idlib");
    // Search itself still shows every passage the title matches.
    let (_, hits) = env.search_json(&["Idlib", "--all-copies", "--limit", "50"]);
    assert!(hits.iter().filter(|h| h["doc"] == "a.txt").count() > 1);
}
