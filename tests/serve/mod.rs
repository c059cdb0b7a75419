//! `recoupe serve`: the HTTP API as a tool or the page sees it, over a
//! real server on a loopback port.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::util::server::Server;
use crate::util::TestEnv;

const SAMPLE_A: &str = "000_29e744703d78f48c.txt";
const SAMPLE_B: &str = "003_af2370a14cf3d5ef.txt";

fn docs(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["doc"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn search_answers_totals_hits_facets_and_spellings() {
    let env = TestEnv::with_samples();
    let server = Server::start(&env, &[]);
    let r = server.get("/api/search?q=al-Charaa&limit=10");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.content_type.starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["version"], 1);
    assert_eq!(v["query"], "al-Charaa");
    assert_eq!(v["total_articles"], 2);
    assert!(v["total_passages"].as_u64().unwrap() >= 3);
    assert_eq!(v["hits"].as_array().unwrap().len(), 10);
    assert!(v["hits"]
        .as_array()
        .unwrap()
        .iter()
        .any(|h| h["title_only"] == true));
    // Every spelling counted, the one typed and the others, each saying how.
    let spellings = v["spellings"].as_array().unwrap();
    let found: Vec<(&str, &str)> = spellings
        .iter()
        .map(|s| (s["spelling"].as_str().unwrap(), s["how"].as_str().unwrap()))
        .collect();
    assert!(found.contains(&("al-Charaa", "exact")), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(s, how)| s.eq_ignore_ascii_case("el-Chareh") && *how != "exact"),
        "{found:?}"
    );
    // Facets count the matching passages: one source, two months.
    let months: Vec<&str> = v["facets"]["months"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["month"].as_str().unwrap())
        .collect();
    assert_eq!(months, ["2025-02", "2026-01"]);
    let sources = v["facets"]["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 1, "{sources:?}");
    assert_eq!(sources[0]["name"], "AFP Agence France-Presse");
    // The snippet's marks point into the snippet, and say what they answer.
    for hit in v["hits"].as_array().unwrap() {
        let snippet = hit["snippet"].as_str().unwrap();
        for m in hit["snippet_marks"].as_array().unwrap() {
            let (s, e) = (
                m["start"].as_u64().unwrap() as usize,
                m["end"].as_u64().unwrap() as usize,
            );
            assert!(snippet.get(s..e).is_some(), "{m} in {snippet:?}");
            assert_eq!(m["query"], "al-Charaa");
        }
        // Title marks say what they answer too, on passages that match
        // through their title alone as well.
        for m in hit["title_marks"].as_array().unwrap() {
            assert_eq!(m["query"], "al-Charaa", "{hit}");
            assert!(!m["via"].as_str().unwrap().is_empty(), "{hit}");
        }
    }
}

#[test]
fn filters_exclusions_and_pages_recount() {
    let env = TestEnv::with_samples();
    let server = Server::start(&env, &[]);
    let all = server.get("/api/search?q=al-Charaa").json();
    let total = all["total_passages"].as_u64().unwrap();

    // Dropping the other spellings leaves the passages that write it as typed.
    let exact = all["spellings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["how"] == "exact")
        .unwrap()["passages"]
        .as_u64()
        .unwrap();
    let mut path = "/api/search?q=al-Charaa".to_string();
    for s in all["spellings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["how"] != "exact")
    {
        path.push_str(&format!("&xspell={}", s["spelling"].as_str().unwrap()));
    }
    let only = server.get(&path).json();
    assert_eq!(only["total_passages"].as_u64().unwrap(), exact, "{only}");
    assert!(exact < total);
    assert_eq!(docs(&only), vec![SAMPLE_A; docs(&only).len()]);
    assert!(!only["excluded_spellings"].as_array().unwrap().is_empty());

    // Keeping the one source keeps only its article; excluding it, the other.
    let kept = server
        .get("/api/search?q=al-Charaa&source=AFP%20Agence%20France-Presse")
        .json();
    let dropped = server
        .get("/api/search?q=al-Charaa&xsource=AFP%20Agence%20France-Presse")
        .json();
    assert_eq!(kept["total_articles"], 1);
    assert_eq!(dropped["total_articles"], 1);
    assert_eq!(
        kept["total_passages"].as_u64().unwrap() + dropped["total_passages"].as_u64().unwrap(),
        total
    );
    assert!(docs(&kept).iter().all(|d| d == SAMPLE_A));
    assert!(docs(&dropped).iter().all(|d| d == SAMPLE_B));

    // A month (a bar of the histogram) is a date range.
    let month = server
        .get("/api/search?q=al-Charaa&since=2025-02&until=2025-02")
        .json();
    assert!(docs(&month).iter().all(|d| d == SAMPLE_B));

    // Pages follow each other: the second hit of a page of two is the
    // first of the page starting at 1, with its rank.
    let two = server.get("/api/search?q=al-Charaa&limit=2").json();
    let next = server
        .get("/api/search?q=al-Charaa&limit=1&offset=1")
        .json();
    assert_eq!(next["hits"][0]["rank"], 2);
    assert_eq!(next["hits"][0]["doc"], two["hits"][1]["doc"]);
    assert_eq!(next["hits"][0]["passage"], two["hits"][1]["passage"]);
    assert_eq!(next["total_passages"], two["total_passages"]);
}

#[test]
fn bad_requests_get_json_errors_with_fitting_statuses() {
    let env = TestEnv::with_samples();
    let server = Server::start(&env, &[]);
    let expect = |path: &str, status: u16, needle: &str| {
        let r = server.get(path);
        assert_eq!(r.status, status, "{path}: {}", r.body);
        let v = r.json();
        assert_eq!(v["error"]["status"], status);
        let message = v["error"]["message"].as_str().unwrap();
        assert!(message.contains(needle), "{path}: {message}");
    };
    expect("/api/search?q=Damas&limit=1000", 400, "limit");
    expect("/api/search?q=Damas&limit=0", 400, "limit");
    expect("/api/search?q=Damas&offset=99999", 400, "offset");
    expect("/api/search?q=Damas&sourse=AFP", 400, "sourse");
    expect("/api/search?q=Damas&since=demain", 400, "since");
    expect("/api/search?q=Damas&since=2026&until=2025", 400, "since");
    expect("/api/search", 400, "q");
    expect(&format!("/api/search?q={}", "a".repeat(501)), 400, "500");
    expect("/api/article/nope.txt", 404, "nope.txt");
    expect("/api/nothing", 404, "/api/nothing");
    expect("/secret.txt", 404, "/secret.txt");
    // Absurd queries answer, never fail.
    for q in ["%22%22%22", "-", "+-+-", "%E2%80%8B", "*", "AND%20OR%20NOT"] {
        let r = server.get(&format!("/api/search?q={q}"));
        assert_eq!(r.status, 200, "{q}: {}", r.body);
    }

    // Batch bounds: too many names, a body too large, bytes that are not text.
    let many: String = (0..201).map(|i| format!("nom{i}\n")).collect();
    assert_eq!(server.post("/api/batch", &many).status, 413);
    let huge = "Damas\n".repeat(20_000);
    let too_large = server.post("/api/batch", &huge);
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.json()["error"]["status"], 413);
    let wrong_method = server.post("/api/search?q=Damas", "");
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.json()["error"]["status"], 405);
    assert_eq!(server.post("/api/batch", "\n\n").status, 400);
    assert_eq!(server.post("/api/batch?format=xml", "Damas").status, 400);
}

#[test]
fn a_batch_answers_every_name_even_those_found_nowhere_and_as_csv() {
    let env = TestEnv::with_samples();
    let server = Server::start(&env, &[]);
    let v = server
        .post("/api/batch", "al-Charaa\nDamas\nZzyzxqw\n")
        .json();
    let names = v["names"].as_array().unwrap();
    assert_eq!(names.len(), 3);
    assert_eq!(names[0]["name"], "al-Charaa");
    assert_eq!(names[0]["articles"], 2);
    assert_eq!(names[0]["first_date"], "2025-02-12");
    assert_eq!(names[0]["last_date"], "2026-01-28");
    assert!(names[0]["hits"].as_array().unwrap().len() <= 3);
    assert_eq!(names[2]["name"], "Zzyzxqw");
    assert_eq!(names[2]["passages"], 0);
    assert_eq!(names[2]["first_date"], Value::Null);

    let csv = server.post("/api/batch?format=csv", "al-Charaa\nDamas\nZzyzxqw\n");
    assert_eq!(csv.status, 200);
    assert!(csv.content_type.starts_with("text/csv"));
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "name,passages,articles,first_date,last_date,spellings,top_doc,top_title,top_url"
    );
    assert_eq!(lines.len(), 4, "{}", csv.body);
    assert!(lines[1].starts_with("al-Charaa,"));
    assert!(lines[3].starts_with("Zzyzxqw,0,0,"));
}

#[test]
fn article_and_variants_answer_with_the_cli_shapes() {
    let env = TestEnv::with_samples();
    let server = Server::start(&env, &[]);
    let a = server
        .get(&format!("/api/article/{SAMPLE_A}?q=al-Charaa"))
        .json();
    assert_eq!(a["version"], 1);
    assert_eq!(a["doc"], SAMPLE_A);
    assert!(a["total_matches"].as_u64().unwrap() >= 3);
    let cli = env.run(&["show", SAMPLE_A, "-q", "al-Charaa", "--json"]);
    let mut from_cli: Value = serde_json::from_str(&cli.stdout).unwrap();
    from_cli["version"] = json!(1);
    assert_eq!(a, from_cli);

    let v = server.get("/api/variants?q=al-Charaa").json();
    let spellings: Vec<&str> = v["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["spelling"].as_str().unwrap())
        .collect();
    assert!(spellings.contains(&"al-Charaa"), "{spellings:?}");
    assert!(spellings.len() >= 2, "{spellings:?}");
}

#[test]
fn a_token_guards_the_api_but_not_the_page_or_health() {
    let env = TestEnv::with_samples();
    let server = Server::start(&env, &["--token", "s3cret"]);
    let r = server.get("/api/search?q=Damas");
    assert_eq!(r.status, 401);
    assert_eq!(r.json()["error"]["status"], 401);
    assert!(r.header("www-authenticate").is_some());
    assert_eq!(
        server.get_with_token("/api/search?q=Damas", "wrong").status,
        401
    );
    assert_eq!(
        server
            .get_with_token("/api/search?q=Damas", "s3cret")
            .status,
        200
    );
    assert_eq!(server.post("/api/batch", "Damas").status, 401);
    assert_eq!(server.get("/health").status, 200);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(page.content_type.starts_with("text/html"));
}

#[test]
fn every_answer_carries_a_policy_that_runs_only_the_page_s_own_script() {
    let env = TestEnv::new();
    env.write_jsonl(
        "x.jsonl",
        &[
            json!({"id": "x1", "title": "<script>alert(1)</script> Qamichli",
            "source": "<img src=x onerror=alert(2)>", "url": "javascript:alert(3)",
            "text": "Des tirs à Qamichli <b onmouseover=alert(4)>ici</b>."}),
        ],
    );
    let server = Server::start(&env, &[]);
    for path in ["/", "/assets/app.js", "/api/search?q=Qamichli", "/nothing"] {
        let r = server.get(path);
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    // Corpus text goes out as JSON data, exactly as written.
    let r = server.get("/api/search?q=Qamichli");
    assert!(r.content_type.starts_with("application/json"));
    let v = r.json();
    assert_eq!(v["hits"][0]["title"], "<script>alert(1)</script> Qamichli");
    assert_eq!(v["hits"][0]["url"], "javascript:alert(3)");
    // The page itself holds no inline script or handler.
    let page = server.get("/").body;
    assert!(
        !page.contains("onclick=") && !page.contains("<script>"),
        "{page}"
    );
}

#[test]
fn a_new_commit_is_searched_within_a_second_and_a_rebuild_fails_no_request() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    let server = Server::start(&env, &[]);
    let before = server.get("/health").json();
    assert_eq!(
        server.get("/api/search?q=Tombouctou").json()["total_passages"],
        0
    );

    env.write_jsonl(
        "new.jsonl",
        &[
            json!({"id": "n1", "title": "Tombouctou", "date": "2026-02-01",
            "text": "Des habitants de Tombouctou décrivent la situation."}),
        ],
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    let committed = Instant::now();
    loop {
        let v = server.get("/api/search?q=Tombouctou").json();
        if v["total_passages"].as_u64().unwrap() > 0 {
            break;
        }
        assert!(
            committed.elapsed() < Duration::from_secs(3),
            "not seen after 3 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let seen_after = committed.elapsed();
    assert!(seen_after < Duration::from_millis(1500), "{seen_after:?}");

    // Full rebuilds (generation switches) while four clients search.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..4)
        .map(|_| {
            let stop = stop.clone();
            let base = server.base.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .http_status_as_error(false)
                    .build()
                    .into();
                let (mut ok, mut failed) = (0u32, Vec::new());
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    match agent
                        .get(&format!("{base}/api/search?q=al-Charaa&limit=5"))
                        .call()
                    {
                        Ok(r) if r.status() == 200 => ok += 1,
                        Ok(r) => failed.push(r.status().to_string()),
                        Err(e) => failed.push(e.to_string()),
                    }
                }
                (ok, failed)
            })
        })
        .collect();
    for _ in 0..2 {
        env.run(&["index", "--full", "--quiet"]).expect_code(0);
        std::thread::sleep(Duration::from_millis(400));
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut total = 0;
    for c in clients {
        let (ok, failed) = c.join().unwrap();
        assert!(failed.is_empty(), "failed requests: {failed:?}");
        total += ok;
    }
    assert!(total > 20, "only {total} requests");
    let after = server.wait_health(Duration::from_secs(3), |h| {
        h["generation"] != before["generation"]
    });
    assert_ne!(after["generation"], before["generation"], "{after}");
    assert_eq!(
        server.get("/api/search?q=Tombouctou").json()["total_articles"],
        1
    );
    let (code, stderr) = server.stop();
    assert_eq!(code, Some(0), "{stderr}");
}

#[test]
fn a_server_stopped_the_moment_it_listens_still_exits_cleanly() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    for _ in 0..5 {
        let server = Server::start(&env, &[]);
        let (code, stderr) = server.stop();
        assert_eq!(
            code,
            Some(0),
            "killed by the signal instead of stopping: {stderr}"
        );
    }
}

#[test]
fn serving_beyond_loopback_without_a_token_warns_and_a_taken_port_is_an_error() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    let open = Server::start(&env, &["--addr", "0.0.0.0:0"]);
    assert_eq!(open.get("/health").status, 200);
    let (code, stderr) = open.stop();
    assert_eq!(code, Some(0));
    assert!(stderr.contains("without a token"), "{stderr}");

    let server = Server::start(&env, &[]);
    let taken = server.base.trim_start_matches("http://").to_string();
    let busy = env.run(&["serve", "--addr", &taken]);
    assert_eq!(busy.code, 2);
    assert!(busy.stderr.contains("cannot listen"), "{}", busy.stderr);
    let guarded = Server::start(&env, &["--addr", "0.0.0.0:0", "--token", "t"]);
    let (_, stderr) = guarded.stop();
    assert!(!stderr.contains("without a token"), "{stderr}");
}
