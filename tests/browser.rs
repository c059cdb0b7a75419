//! The web page of `recoupe serve`, driven in a real headless Chromium
//! over the Chrome DevTools Protocol: what a fact-checker does with it, and
//! what they see (screenshots under target/screenshots/).
//!
//! Each test starts its own server and its own Chromium. Without Chromium
//! the tests say so and pass, unless RECOUPE_REQUIRE_BROWSER=1 (CI), where
//! a missing browser fails them.

mod util;

#[path = "browser/cdp.rs"]
mod cdp;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use cdp::Browser;
use util::server::Server;
use util::TestEnv;

/// How long the page may take to show what a step waits for.
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(50);

const AFP: &str = "AFP Agence France-Presse";
const DOC_AFP: &str = "000_29e744703d78f48c.txt";
const DOC_RT: &str = "003_af2370a14cf3d5ef.txt";

// ---------------------------------------------------------------------------
// Harness.

/// Chromium, or None after saying the tests are skipped (a failure when
/// RECOUPE_REQUIRE_BROWSER=1).
fn chromium() -> Option<PathBuf> {
    let found = cdp::find_chromium();
    if found.is_none() {
        assert!(
            std::env::var("RECOUPE_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "RECOUPE_REQUIRE_BROWSER=1 but chromium is not installed (apt-get install chromium)"
        );
        println!("browser tests skipped: chromium is not installed (apt-get install chromium)");
    }
    found
}

/// A server on `env` and a browser showing its page at `path`.
struct Session {
    server: Server,
    browser: Browser,
}

impl Session {
    fn start(env: &TestEnv, server_args: &[&str], path: &str) -> Option<Session> {
        let binary = chromium()?;
        let server = Server::start(env, server_args);
        let mut browser = Browser::launch(&binary);
        browser.set_viewport(1280, 900, false);
        browser.navigate(&format!("{}{path}", server.base));
        // app.js is deferred: it has run once the load event fired.
        let mut s = Session { server, browser };
        s.wait(
            "app.js to start",
            "typeof state === 'object' && typeof runSearch === 'function'",
        );
        Some(s)
    }

    fn eval(&mut self, js: &str) -> Value {
        self.browser.eval(js)
    }

    /// Polls `condition` (a JS expression) until it is truthy and returns
    /// its value; panics after WAIT with what the page showed.
    fn wait(&mut self, what: &str, condition: &str) -> Value {
        let start = Instant::now();
        let mut last;
        loop {
            match self.browser.try_eval(condition) {
                Ok(v) if truthy(&v) => return v,
                Ok(v) => last = v.to_string(),
                Err(e) => last = format!("exception: {e}"),
            }
            if start.elapsed() > WAIT {
                panic!(
                    "waited {WAIT:?} for {what}; the condition gave {last}\nthe page had: {:#}\npage events: {:#?}",
                    self.page_state(),
                    self.browser.events
                );
            }
            std::thread::sleep(POLL);
        }
    }

    /// What the page shows, for failure messages.
    fn page_state(&mut self) -> Value {
        self.browser
            .try_eval(PAGE_STATE)
            .unwrap_or_else(|e| json!(format!("(could not read the page: {e})")))
    }

    /// Types `text` into the search box as a user would (an input event).
    fn type_query(&mut self, text: &str) {
        self.eval(&format!(
            "(() => {{ const q = document.getElementById('q'); q.focus(); q.value = {}; \
             q.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
            js_str(text)
        ));
    }

    /// Clicks the element `selector` (which must exist).
    fn click(&mut self, selector: &str) {
        let done = self.eval(&format!(
            "(() => {{ const n = document.querySelector({}); if (!n) return false; n.click(); return true; }})()",
            js_str(selector)
        ));
        assert_eq!(
            done,
            json!(true),
            "nothing to click at {selector}; the page had: {:#}",
            self.page_state()
        );
    }

    /// Waits until no search is running and `condition` holds (a JS
    /// expression that may use `t`, the #totals text, and `url`, the raw
    /// query string); returns (passages, articles) as #totals shows them.
    fn wait_totals(&mut self, what: &str, condition: &str) -> (u64, u64) {
        let js = format!(
            "(() => {{ if (document.getElementById('results').getAttribute('aria-busy') !== 'false') return null; \
             const t = document.getElementById('totals').textContent; const url = location.search; \
             return ({condition}) ? t : null; }})()"
        );
        let text = self.wait(what, &js);
        parse_totals(text.as_str().unwrap_or_default())
    }

    /// The address's query string, decoded (for messages and contains()).
    fn url(&mut self) -> String {
        let v = self.eval("decodeURIComponent(location.search.replace(/\\+/g, ' '))");
        v.as_str().unwrap_or_default().to_string()
    }

    /// Emulates a `width` by `height` screen (a phone below 600 px) and
    /// waits for the layout to follow.
    fn resize(&mut self, width: u32, height: u32) {
        self.browser.set_viewport(width, height, width < 600);
        // The filters are folded below 896 px (matchMedia in app.js).
        let want_open = width >= 896;
        self.wait(
            "the layout to follow the new width",
            &format!(
                "window.innerWidth === {width} && document.getElementById('filters-details').open === {want_open}"
            ),
        );
    }

    /// Saves target/screenshots/NAME: the whole page, or what the screen shows.
    fn screenshot(&mut self, name: &str, full_page: bool) -> PathBuf {
        let path = screenshots().join(name);
        self.browser.screenshot(&path, full_page);
        println!("screenshot: {}", path.display());
        path
    }

    /// What went wrong in the page so far: CSP violations (as the page
    /// and as the browser saw them), uncaught exceptions, errors logged;
    /// `allowed` lets expected error lines through (like a 401).
    fn problems(&mut self, allowed: &[&str]) -> Vec<String> {
        self.browser.drain_events();
        let in_page = self.eval("window.__cspViolations || []");
        let mut found: Vec<String> = in_page
            .as_array()
            .into_iter()
            .flatten()
            .map(|v| {
                format!(
                    "CSP violation seen by the page: {}",
                    v.as_str().unwrap_or_default()
                )
            })
            .collect();
        for e in &self.browser.events {
            println!("page said [{} {}]: {}", e.kind, e.level, e.text);
            if e.is_csp_violation()
                || e.kind == "exception"
                || (e.level == "error" && !allowed.iter().any(|a| e.text.contains(a)))
            {
                found.push(format!("[{} {}] {}", e.kind, e.level, e.text));
            }
        }
        found
    }

    /// Asserts the page threw nothing, logged no error and broke no CSP rule.
    fn assert_clean(&mut self, allowed: &[&str]) {
        let problems = self.problems(allowed);
        assert!(
            problems.is_empty(),
            "the page reported problems: {problems:#?}"
        );
    }

    /// Asserts nothing is wider than the screen (no sideways scrolling).
    fn assert_no_horizontal_scroll(&mut self) {
        let v = self.eval(
            "(() => { const w = document.documentElement.clientWidth; \
             const wide = [...document.querySelectorAll('body *')].filter((n) => { \
               const r = n.getBoundingClientRect(); return r.width > 0 && r.right > w + 1 && !n.closest('[hidden]'); }) \
             .slice(0, 5).map((n) => `${n.tagName.toLowerCase()}#${n.id}.${n.className}`); \
             return { scroll: document.documentElement.scrollWidth, width: w, wide }; })()",
        );
        assert!(
            v["scroll"].as_u64() <= v["width"].as_u64() && v["wide"] == json!([]),
            "the page scrolls sideways: {v}"
        );
    }
}

const PAGE_STATE: &str = r#"(() => {
  const $ = (id) => document.getElementById(id);
  const shown = (id) => $(id) && !$(id).hidden;
  const texts = (sel) => [...document.querySelectorAll(sel)].map((n) => n.textContent.trim().replace(/\s+/g, ' '));
  return {
    url: location.pathname + location.search,
    title: document.title,
    busy: $('results') && $('results').getAttribute('aria-busy'),
    totals: $('totals') && $('totals').textContent,
    error: shown('error') ? $('error').textContent : null,
    token_form: shown('token-form') ? $('token-message').textContent : null,
    welcome: shown('welcome'),
    empty: shown('empty'),
    hits: [...document.querySelectorAll('li.hit')].map((li) => `${li.dataset.doc}#${li.dataset.passage}`),
    spellings: texts('#spellings > li'),
    sources: texts('#sources > li'),
    chips: texts('#source-chips > li'),
    article: shown('article') ? { title: $('article-title').textContent, count: $('match-count').textContent,
      busy: $('article').getAttribute('aria-busy'), passages: document.querySelectorAll('#article-body .passage').length } : null,
    batch: shown('batch') ? { summary: $('batch-summary').textContent, rows: texts('#batch-rows tr') } : null,
  };
})()"#;

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

/// A Rust string as a JavaScript string literal.
fn js_str(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes")
}

/// "10 passages dans 2 articles" -> (10, 2); a note after " · " aside.
fn parse_totals(text: &str) -> (u64, u64) {
    let text = text.split(" · ").next().unwrap_or_default();
    let numbers: Vec<u64> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().expect("digits"))
        .collect();
    assert!(
        numbers.len() == 2 && text.contains("passage") && text.contains("article"),
        "odd totals {text:?}"
    );
    (numbers[0], numbers[1])
}

fn screenshots() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("screenshots")
}

/// The docs of the hits shown, in order.
fn hit_docs(s: &mut Session) -> Vec<String> {
    let v =
        s.eval("[...document.querySelectorAll('li.hit[data-doc]')].map((li) => li.dataset.doc)");
    serde_json::from_value(v).expect("a list of docs")
}

/// The sample corpus, searched for al-Charaa, results shown.
fn search_samples(env: &TestEnv, server_args: &[&str]) -> Option<(Session, (u64, u64))> {
    let mut s = Session::start(env, server_args, "/")?;
    s.type_query("al-Charaa");
    let totals = s.wait_totals(
        "the results of al-Charaa",
        "url.includes('q=al-Charaa') && t.includes('dans 2 articles')",
    );
    Some((s, totals))
}

// ---------------------------------------------------------------------------
// Search.

#[test]
fn typing_al_charaa_finds_both_articles_with_el_chareh_highlighted() {
    let env = TestEnv::with_samples();
    let Some((mut s, (passages, articles))) = search_samples(&env, &[]) else {
        return;
    };
    assert_eq!(articles, 2);
    // The page shows what the API counts.
    let api = s.server.get("/api/search?q=al-Charaa").json();
    assert_eq!(passages, api["total_passages"].as_u64().unwrap(), "{api}");

    let docs = hit_docs(&mut s);
    assert!(
        docs.iter().any(|d| d == DOC_AFP) && docs.iter().any(|d| d == DOC_RT),
        "hits from both sample articles expected: {docs:?}"
    );
    assert_eq!(
        s.eval("document.getElementById('welcome').hidden"),
        json!(true)
    );
    assert_eq!(
        s.eval("document.getElementById('legend').hidden"),
        json!(false)
    );
    assert!(s.url().contains("q=al-Charaa"), "{}", s.url());

    // What a user sees highlighted in the el-Chareh article.
    let marks = s.eval(
        "[...document.querySelectorAll('#hits mark[data-how]')].map((m) => ({ \
           doc: m.closest('li.hit').dataset.doc, how: m.dataset.how, text: m.textContent, \
           title: m.title, described: m.getAttribute('aria-description'), tabindex: m.getAttribute('tabindex'), \
           in_link: m.closest('a') !== null }))",
    );
    let marks = marks.as_array().expect("marks").clone();
    let other: Vec<&Value> = marks.iter().filter(|m| m["how"] != "exact").collect();
    println!("non-exact marks shown for al-Charaa:");
    for m in &other {
        println!("  [{}] {:?} title={:?}", m["how"], m["text"], m["title"]);
    }
    assert!(
        other.iter().any(|m| {
            (m["how"] == "variant" || m["how"] == "alias")
                && m["text"].as_str().unwrap_or_default().contains("Chareh")
                && m["title"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("al-Charaa")
                && m["doc"] == DOC_RT
        }),
        "a variant or alias mark on el-Chareh, titled after al-Charaa, expected: {marks:#?}"
    );
    // Every highlight of another spelling says which query word it stands for.
    for m in &other {
        let title = m["title"].as_str().unwrap_or_default();
        assert!(
            title.contains("al-Charaa"),
            "a mark that does not say what it matched: {m}"
        );
        assert_eq!(m["described"], m["title"], "{m}");
    }
    // Marks are focusable, except inside a title link.
    for m in &marks {
        let want = if m["in_link"] == json!(true) {
            Value::Null
        } else {
            json!("0")
        };
        assert_eq!(m["tabindex"], want, "{m}");
    }
    // The exact spelling is marked in the AFP article.
    assert!(
        marks
            .iter()
            .any(|m| m["how"] == "exact" && m["text"] == "Charaa" && m["doc"] == DOC_AFP),
        "{marks:#?}"
    );

    // The spellings found, each with its kind.
    let spellings = s.eval(
        "[...document.querySelectorAll('#spellings li.spelling')].map((li) => ({ \
           spelling: li.querySelector('input[data-spelling]').dataset.spelling, \
           checked: li.querySelector('input').checked, how: li.querySelector('.swatch').dataset.how, \
           kind: (li.querySelector('.spelling-kind') || {}).textContent || '', \
           count: li.querySelector('.spelling-count').textContent }))",
    );
    println!("spellings listed: {spellings:#}");
    let el_chareh = spellings
        .as_array()
        .and_then(|l| l.iter().find(|x| x["spelling"] == "el-Chareh"))
        .unwrap_or_else(|| panic!("el-Chareh is not listed: {spellings:#}"));
    assert_eq!(el_chareh["checked"], json!(true));
    assert!(
        el_chareh["kind"]
            .as_str()
            .unwrap_or_default()
            .contains("al-Charaa"),
        "{el_chareh}"
    );

    s.screenshot("search-1280.png", true);
    s.assert_no_horizontal_scroll();
    s.resize(375, 800);
    s.screenshot("search-375.png", true);
    s.assert_no_horizontal_scroll();
    // Folded on a phone, and the hits still there.
    assert_eq!(
        s.eval("document.getElementById('filters-details').open"),
        json!(false)
    );
    assert_eq!(hit_docs(&mut s), docs);
    s.assert_clean(&[]);
}

#[test]
fn unticking_spellings_changes_the_counts_and_the_address() {
    let env = TestEnv::with_samples();
    let Some((mut s, (all_passages, _))) = search_samples(&env, &[]) else {
        return;
    };

    // el-Chareh unticked: the URL says so, the spelling stays listed,
    // unticked, and no passage is highlighted as that alias any more.
    s.click("#spellings input[data-spelling='el-Chareh']");
    let (passages, articles) = s.wait_totals(
        "the search without el-Chareh",
        "url.includes('xspell=el-Chareh') && document.querySelector('#spellings li.spelling.excluded input[data-spelling=\"el-Chareh\"]') \
         && !document.querySelector('#hits mark[data-how=alias]')",
    );
    assert!(s.url().contains("xspell=el-Chareh"), "{}", s.url());
    assert_eq!(
        s.eval("document.querySelector('#spellings input[data-spelling=\"el-Chareh\"]').checked"),
        json!(false)
    );
    let api = s
        .server
        .get("/api/search?q=al-Charaa&xspell=el-Chareh")
        .json();
    assert_eq!(passages, api["total_passages"].as_u64().unwrap(), "{api}");
    println!(
        "without el-Chareh: {passages} passages in {articles} articles (all spellings: {all_passages}); \
         the variant 'chareh' still finds 'Chareh' in the same passages"
    );

    // chareh unticked too: the el-Chareh article is gone, fewer passages.
    s.click("#spellings input[data-spelling='chareh']");
    let (fewer, articles) = s.wait_totals(
        "the search without el-Chareh and chareh",
        "url.includes('xspell=chareh') && !t.includes('dans 2 articles')",
    );
    assert!(
        fewer < all_passages,
        "{fewer} passages, {all_passages} before"
    );
    assert_eq!(articles, 1);
    let docs = hit_docs(&mut s);
    assert!(docs.iter().all(|d| d == DOC_AFP), "{docs:?}");
    let url = s.url();
    assert!(
        url.contains("xspell=el-Chareh") && url.contains("xspell=chareh"),
        "{url}"
    );
    assert_eq!(
        s.eval("document.getElementById('filters-count').textContent"),
        json!("(2 actifs)")
    );

    // Ticked again, both: back to every passage, URL without xspell.
    s.click("#spellings input[data-spelling='el-Chareh']");
    s.wait_totals(
        "el-Chareh ticked again",
        "!url.includes('xspell=el-Chareh')",
    );
    s.click("#spellings input[data-spelling='chareh']");
    let (again, _) = s.wait_totals(
        "chareh ticked again",
        "!url.includes('xspell') && t.includes('dans 2 articles')",
    );
    assert_eq!(again, all_passages);
    s.assert_clean(&[]);
}

#[test]
fn keeping_then_excluding_a_source_filters_the_passages() {
    let env = TestEnv::with_samples();
    let Some((mut s, (all_passages, _))) = search_samples(&env, &[]) else {
        return;
    };
    let facet = s.eval(&format!(
        "(() => {{ const b = [...document.querySelectorAll('#sources button[data-keep]')].find((n) => n.dataset.keep === {}); \
         return b ? b.closest('li').querySelector('.facet-count').textContent : null; }})()",
        js_str(AFP)
    ));
    let afp_count: u64 = facet
        .as_str()
        .unwrap_or_else(|| panic!("no facet for {AFP}: {:#}", s.page_state()))
        .parse()
        .expect("a count");

    s.click(&format!("#sources button[data-keep={}]", js_str(AFP)));
    let (kept, articles) = s.wait_totals(
        "only AFP",
        "url.includes('source=') && !t.includes('dans 2 articles')",
    );
    assert_eq!(
        (kept, articles),
        (afp_count, 1),
        "the facet said {afp_count}"
    );
    assert!(s.url().contains(&format!("source={AFP}")), "{}", s.url());
    assert!(hit_docs(&mut s).iter().all(|d| d == DOC_AFP));
    let sources =
        s.eval("[...document.querySelectorAll('#hits .hit-source')].map((n) => n.textContent)");
    assert!(
        sources.as_array().unwrap().iter().all(|v| v == AFP),
        "{sources}"
    );
    assert_eq!(
        s.eval("[...document.querySelectorAll('#source-chips li.chip-keep strong')].map((n) => n.textContent)"),
        json!([AFP])
    );

    // Exclude it instead: the other passages only.
    s.click(&format!("#sources button[data-exclude={}]", js_str(AFP)));
    let (rest, _) = s.wait_totals(
        "all but AFP",
        "url.includes('xsource=') && !/[?&]source=/.test(location.search)",
    );
    assert_eq!(rest, all_passages - afp_count);
    assert!(hit_docs(&mut s).iter().all(|d| d == DOC_RT));
    assert_eq!(
        s.eval("[...document.querySelectorAll('#source-chips li.chip-exclude strong')].map((n) => n.textContent)"),
        json!([AFP])
    );

    // The chip removes the filter.
    s.click(&format!(
        "#source-chips button[data-unexclude={}]",
        js_str(AFP)
    ));
    let (back, _) = s.wait_totals("no source filter", "!url.includes('source=')");
    assert_eq!(back, all_passages);
    s.assert_clean(&[]);
}

// ---------------------------------------------------------------------------
// Article.

#[test]
fn an_opened_article_shows_its_matches_and_steps_through_them() {
    let env = TestEnv::with_samples();
    let Some((mut s, _)) = search_samples(&env, &[]) else {
        return;
    };
    // The first passage of the el-Chareh article holds its first occurrence.
    let button = format!("#hits button.open-article[data-doc='{DOC_RT}'][data-passage='1']");
    s.click(&button);
    let count = s.wait(
        "the article",
        "(() => { const a = document.getElementById('article'); \
          if (a.hidden || a.getAttribute('aria-busy') !== 'false' || !document.querySelector('#article-body mark')) return null; \
          return document.getElementById('match-count').textContent; })()",
    );
    let url = s.url();
    assert!(
        url.contains("view=article")
            && url.contains(&format!("doc={DOC_RT}"))
            && url.contains("passage=1"),
        "{url}"
    );
    let total = s.eval("new Set([...document.querySelectorAll('#article-body mark[data-occurrence]')].map((m) => m.dataset.occurrence)).size");
    let total = total.as_u64().unwrap();
    assert!(total >= 2, "several occurrences expected, {total}");
    assert_eq!(count, json!(format!("1 / {total}")));
    // The API counts occurrences the same way.
    let api = s
        .server
        .get(&format!("/api/article/{DOC_RT}?q=al-Charaa"))
        .json();
    assert_eq!(api["total_matches"].as_u64(), Some(total), "{api}");

    let state = s.eval(
        "(() => { const cur = [...document.querySelectorAll('#article-body mark.current')]; \
          return { current: cur.map((m) => m.textContent), in_hit: cur.every((m) => m.closest('.passage.from-hit') !== null), \
                   label: (document.querySelector('.from-hit .from-hit-label') || {}).textContent, \
                   hows: [...new Set([...document.querySelectorAll('#article-body mark')].map((m) => m.dataset.how))], \
                   hidden_search: document.getElementById('search-view').hidden }; })()",
    );
    println!("article opened: {state}");
    assert_eq!(state["in_hit"], json!(true), "{state}");
    assert!(
        state["current"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t.as_str().unwrap().contains("Chareh")),
        "{state}"
    );
    assert_eq!(state["hidden_search"], json!(true));

    s.screenshot("article-1280.png", true);
    s.assert_no_horizontal_scroll();

    let count =
        |n: u64| format!("document.getElementById('match-count').textContent === '{n} / {total}'");
    s.click("#next-match");
    s.wait("the next occurrence", &count(2));
    let focused = s.eval(
        "document.activeElement.matches('#article-body mark.current[data-occurrence=\"1\"]')",
    );
    assert_eq!(focused, json!(true), "the current occurrence takes focus");
    s.click("#prev-match");
    s.wait("the previous occurrence", &count(1));
    s.click("#prev-match");
    s.wait("wrapping to the last", &count(total));

    // On a phone: the next occurrence (wrapping to the first) is brought
    // into view, under the bar that stays on top.
    s.resize(375, 800);
    s.click("#next-match");
    s.wait("wrapping to the first", &count(1));
    let seen = s.eval(
        "(() => { const m = document.querySelector('#article-body mark.current').getBoundingClientRect(); \
          const bar = document.querySelector('.article-bar').getBoundingClientRect(); \
          return { mark_top: m.top, mark_bottom: m.bottom, bar_bottom: bar.bottom, screen: window.innerHeight }; })()",
    );
    assert!(
        seen["mark_top"].as_f64() > seen["bar_bottom"].as_f64()
            && seen["mark_bottom"].as_f64() < seen["screen"].as_f64(),
        "the current occurrence is not in view: {seen}"
    );
    s.screenshot("article-375.png", false);
    s.assert_no_horizontal_scroll();
    s.resize(1280, 900);

    // Back to the results, as they were, focus on the hit's button.
    s.click("#back");
    s.wait(
        "the results again",
        &format!(
            "!document.getElementById('search-view').hidden && document.getElementById('article').hidden \
             && document.activeElement.matches({})",
            js_str(&format!("button.open-article[data-doc='{DOC_RT}']"))
        ),
    );
    assert!(!s.url().contains("view=article"), "{}", s.url());
    s.assert_clean(&[]);
}

// ---------------------------------------------------------------------------
// Batch.

const NO_HIT: &str = "Zyxwvut Qorblax";

#[test]
fn a_batch_of_three_names_gives_a_table_and_a_csv() {
    let env = TestEnv::with_samples();
    let Some(mut s) = Session::start(&env, &[], "/") else {
        return;
    };
    s.click("#nav-batch");
    s.wait(
        "the batch view",
        "!document.getElementById('batch').hidden && location.search.includes('view=batch')",
    );
    let names = format!("al-Charaa\nDamas\n{NO_HIT}");
    s.eval(&format!(
        "(() => {{ const t = document.getElementById('batch-names'); t.value = {}; \
         t.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()",
        js_str(&names)
    ));
    s.click("#batch-run");
    let rows = s.wait(
        "the batch table",
        "(() => { if (document.getElementById('batch').getAttribute('aria-busy') !== 'false') return null; \
          const rows = [...document.querySelectorAll('#batch-rows tr')]; if (rows.length !== 3) return null; \
          return rows.map((tr) => ({ name: tr.querySelector('a.batch-name').dataset.name, zero: tr.classList.contains('zero'), \
            cells: [...tr.children].map((c) => c.textContent.trim()) })); })()",
    );
    println!("batch table: {rows:#}");
    assert_eq!(
        s.eval("document.getElementById('batch-table').hidden"),
        json!(false)
    );
    let api = s.server.post("/api/batch", &names).json();
    let rows = rows.as_array().unwrap();
    for (row, want) in rows.iter().zip(api["names"].as_array().unwrap()) {
        assert_eq!(row["name"], want["name"]);
        assert_eq!(
            row["cells"][1],
            json!(want["passages"].to_string()),
            "{row}"
        );
        assert_eq!(
            row["cells"][2],
            json!(want["articles"].to_string()),
            "{row}"
        );
        assert_eq!(row["zero"], json!(want["passages"] == 0), "{row}");
    }
    assert_eq!(rows[2]["name"], NO_HIT);
    assert_eq!(rows[2]["zero"], json!(true));
    assert!(
        rows[0]["cells"][5].as_str().unwrap().contains("el-Chareh"),
        "{}",
        rows[0]
    );
    let summary = s.eval("document.getElementById('batch-summary').textContent");
    assert_eq!(
        summary,
        json!("3 noms cherchés, 2 trouvés, 1 sans résultat.")
    );

    // Sorting by passages puts the biggest first and says so.
    s.click("#batch-table button[data-sort-key='passages']");
    s.wait(
        "the table sorted by passages",
        "document.querySelector('#batch-table th:nth-child(2)').getAttribute('aria-sort') === 'descending' \
         && document.querySelector('#batch-rows tr:last-child a.batch-name').dataset.name === 'Zyxwvut Qorblax'",
    );
    s.screenshot("batch-1280.png", true);
    s.assert_no_horizontal_scroll();

    // The CSV button: the file it hands the browser is the API's CSV.
    let downloads = tempfile::tempdir().expect("download dir");
    s.browser.browser_call(
        "Browser.setDownloadBehavior",
        json!({"behavior": "allow", "downloadPath": downloads.path().to_str().unwrap()}),
    );
    s.eval(
        "(() => { const make = URL.createObjectURL; window.__csv = null; \
          URL.createObjectURL = (blob) => { blob.text().then((t) => { window.__csv = t; }); return make.call(URL, blob); }; \
          return true; })()",
    );
    s.click("#batch-csv");
    let csv = s.wait("the CSV of the batch", "window.__csv");
    let csv = csv.as_str().unwrap().to_string();
    let expected = s.server.post("/api/batch?format=csv", &names);
    assert_eq!(expected.status, 200);
    assert!(
        expected.content_type.starts_with("text/csv"),
        "{}",
        expected.content_type
    );
    assert_eq!(csv, expected.body);
    let lines: Vec<&str> = csv.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines[0],
        "name,passages,articles,first_date,last_date,spellings,top_doc,top_title,top_url"
    );
    assert_eq!(lines.len(), 4, "a header and 3 rows: {csv}");
    assert!(lines[1].starts_with("al-Charaa,"), "{csv}");
    assert!(lines[2].starts_with("Damas,"), "{csv}");
    assert!(lines[3].starts_with(&format!("{NO_HIT},0,0,")), "{csv}");
    // And the browser saved it under the name the page gave.
    let file = downloads.path().join("recoupe-lot.csv");
    assert!(
        wait_file(&file),
        "no {} after {WAIT:?}; downloads: {:?}",
        file.display(),
        std::fs::read_dir(downloads.path()).map(|d| d.count())
    );
    assert_eq!(std::fs::read_to_string(&file).expect("downloaded CSV"), csv);
    s.assert_clean(&[]);
}

/// Waits (up to WAIT) for `path` to exist with content.
fn wait_file(path: &Path) -> bool {
    let start = Instant::now();
    while start.elapsed() < WAIT {
        if std::fs::metadata(path)
            .map(|m| m.len() > 0)
            .unwrap_or(false)
        {
            return true;
        }
        std::thread::sleep(POLL);
    }
    false
}

// ---------------------------------------------------------------------------
// Hostile corpus, token.

#[test]
fn hostile_corpus_text_never_becomes_markup_or_a_script_link() {
    let env = TestEnv::new();
    let img = r#"<img src=x onerror="window.__xss=1">"#;
    let script = "<script>window.__xss=1</script>";
    env.write_jsonl(
        "hostile.jsonl",
        &[
            json!({"id": "h1", "title": format!("{img} Qamichli"), "date": "2025-05-01",
                   "source": script, "url": "javascript:window.__xss=1",
                   "text": format!("Des tirs à Qamichli {img} puis {script} ce matin.")}),
            json!({"id": format!("x/{img} y?#"), "title": format!("{script} Qamichli"), "date": "2025-05-02",
                   "source": img, "url": "JaVaScRiPt:window.__xss=1",
                   "text": format!("À Qamichli, <a href=\"javascript:window.__xss=1\">lien</a> {img}.")}),
            json!({"id": "h3", "title": "Qamichli <svg onload=\"window.__xss=1\">", "date": "2025-05-03",
                   "source": "<b onmouseover=\"window.__xss=1\">gras</b>", "url": " javascript:window.__xss=1",
                   "text": "Qamichli <iframe src=\"javascript:window.__xss=1\"></iframe> sous le feu."}),
        ],
    );
    let Some(mut s) = Session::start(&env, &[], "/") else {
        return;
    };
    s.type_query("Qamichli");
    let (passages, articles) =
        s.wait_totals("the hostile articles", "t.includes('dans 3 articles')");
    assert!(passages >= 3 && articles == 3);

    let check = "(() => ({ xss: typeof window.__xss, \
        img: document.querySelectorAll('img, svg image, iframe, #hits script, #article script').length, \
        injected: document.querySelectorAll('#hits svg, #hits b, #hits a:not(.hit-title a), #article-body a, #article-body b').length, \
        js_links: document.querySelectorAll('a[href^=\"javascript:\" i], a[href*=\"javascript:\" i]').length, \
        hrefs: [...document.querySelectorAll('a[href]')].map((a) => a.href).filter((h) => !h.startsWith(location.origin)), \
        titles: [...document.querySelectorAll('#hits .hit-title')].map((n) => n.textContent), \
        sources: [...document.querySelectorAll('#hits .hit-source, #sources .facet-name')].map((n) => n.textContent) }))()";
    let seen = s.eval(check);
    println!("hostile corpus, results: {seen:#}");
    assert_eq!(seen["xss"], "undefined", "{seen}");
    assert_eq!(seen["img"], 0, "{seen}");
    assert_eq!(seen["injected"], 0, "{seen}");
    assert_eq!(seen["js_links"], 0, "{seen}");
    assert_eq!(seen["hrefs"], json!([]), "{seen}");
    // Shown as the text it is.
    let titles = seen["titles"].to_string();
    assert!(
        titles.contains("<img src=x onerror=")
            && titles.contains("<script>window.__xss=1</script>"),
        "{titles}"
    );
    assert!(seen["sources"].to_string().contains("<script>"), "{seen}");
    // The hit with a title-link candidate got no link at all.
    assert_eq!(
        s.eval("document.querySelectorAll('#hits .hit-title a').length"),
        json!(0)
    );

    // The article whose id is itself hostile opens, and stays text.
    let doc = format!("x/{img} y?#");
    s.eval(&format!(
        "(() => {{ const b = [...document.querySelectorAll('#hits button.open-article')].find((n) => n.dataset.doc === {}); \
         b.click(); return true; }})()",
        js_str(&doc)
    ));
    s.wait(
        "the hostile article",
        "!document.getElementById('article').hidden && document.getElementById('article').getAttribute('aria-busy') === 'false' \
         && document.querySelector('#article-body mark')",
    );
    let seen = s.eval(check);
    println!("hostile corpus, article: {seen:#}");
    assert_eq!(
        s.eval("document.querySelector('#article-meta code').textContent"),
        json!(doc)
    );
    assert_eq!(seen["xss"], "undefined", "{seen}");
    assert_eq!(seen["img"], 0, "{seen}");
    assert_eq!(seen["injected"], 0, "{seen}");
    assert_eq!(seen["js_links"], 0, "{seen}");
    assert_eq!(
        s.eval("document.getElementById('article-link').children.length"),
        json!(0)
    );
    s.screenshot("hostile-article-1280.png", true);
    let body = s.eval("document.getElementById('article-body').textContent");
    assert!(
        body.as_str()
            .unwrap()
            .contains("<a href=\"javascript:window.__xss=1\">lien</a>"),
        "{body}"
    );
    s.assert_clean(&[]);
}

#[test]
fn a_token_protected_server_asks_for_the_token_then_searches() {
    let env = TestEnv::with_samples();
    let Some(mut s) = Session::start(&env, &["--token", "s3cret"], "/") else {
        return;
    };
    assert_eq!(
        s.eval("document.getElementById('token-form').hidden"),
        json!(true)
    );
    s.type_query("al-Charaa");
    s.wait(
        "the token form",
        "!document.getElementById('token-form').hidden",
    );
    assert_eq!(
        s.eval("document.getElementById('totals').textContent"),
        json!("")
    );
    let message = s.eval("document.getElementById('token-message').textContent");
    println!("token asked: {message}");
    assert!(message.as_str().unwrap().contains("jeton"), "{message}");
    assert_eq!(s.eval("document.activeElement.id"), json!("token"));

    // A wrong token is refused and asked again.
    let enter = |s: &mut Session, token: &str| {
        s.eval(&format!(
            "(() => {{ document.getElementById('token').value = {}; return true; }})()",
            js_str(token)
        ));
        s.click("#token-submit");
    };
    enter(&mut s, "wrong");
    s.wait(
        "the token refused",
        "!document.getElementById('token-form').hidden && document.getElementById('token-message').textContent.includes('refusé')",
    );
    enter(&mut s, "s3cret");
    let (_, articles) = s.wait_totals(
        "the results with the token",
        "t.includes('dans 2 articles')",
    );
    assert_eq!(articles, 2);
    assert_eq!(
        s.eval("document.getElementById('token-form').hidden"),
        json!(true)
    );
    assert_eq!(
        s.eval("sessionStorage.getItem('recoupe.token')"),
        json!("s3cret")
    );
    assert_eq!(
        s.eval("document.getElementById('error').hidden"),
        json!(true)
    );

    // It is kept: another search needs no form.
    s.type_query("Damas");
    s.wait_totals("Damas with the kept token", "url.includes('q=Damas')");
    assert_eq!(
        s.eval("document.getElementById('token-form').hidden"),
        json!(true)
    );
    // The refused requests are the only errors the browser logged.
    s.assert_clean(&["401"]);
}

// ---------------------------------------------------------------------------
// Live index.

#[test]
fn an_article_indexed_while_the_page_is_open_is_found_on_the_next_search() {
    let env = TestEnv::with_samples();
    env.run(&["index", "--quiet"]).expect_code(0);
    let Some(mut s) = Session::start(&env, &[], "/?q=Tombouctou") else {
        return;
    };
    s.wait(
        "no result for Tombouctou yet",
        "!document.getElementById('empty').hidden && document.getElementById('results').getAttribute('aria-busy') === 'false'",
    );
    env.write_jsonl(
        "new.jsonl",
        &[
            json!({"id": "n1", "title": "Tombouctou", "date": "2026-02-01",
                 "text": "Des habitants de Tombouctou décrivent la situation."}),
        ],
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    // The page does not poll: the user searches again (Enter).
    s.wait_totals(
        "the new article after searching again",
        "t.includes('1 article') || (document.getElementById('search-form').requestSubmit(), false)",
    );
    assert_eq!(hit_docs(&mut s), ["n1"]);
    s.assert_clean(&[]);
}

// ---------------------------------------------------------------------------
// The harness itself.

#[test]
fn the_harness_sees_csp_violations_exceptions_and_console_errors() {
    // The "no violation, no exception" checks above mean something only
    // if this page, under this CSP, would report them.
    let env = TestEnv::with_samples();
    let Some(mut s) = Session::start(&env, &[], "/") else {
        return;
    };
    s.eval(
        "(() => { const js = document.createElement('script'); js.textContent = 'window.__inline = 1'; \
          document.head.append(js); \
          const div = document.createElement('div'); div.setAttribute('style', 'color: red'); document.body.append(div); \
          setTimeout(() => { throw new Error('boom from the test'); }, 0); \
          console.error('an error logged by the test'); return true; })()",
    );
    s.wait(
        "the violations, in the page",
        "(window.__cspViolations || []).length >= 2",
    );
    assert_eq!(
        s.eval("typeof window.__inline"),
        json!("undefined"),
        "the CSP let an inline script run"
    );
    let start = Instant::now();
    let seen = |b: &Browser| {
        let csp = b.events.iter().any(|e| e.is_csp_violation());
        let exception = b
            .events
            .iter()
            .any(|e| e.kind == "exception" && e.text.contains("boom"));
        let console = b
            .events
            .iter()
            .any(|e| e.kind == "console.error" && e.level == "error");
        csp && exception && console
    };
    while !seen(&s.browser) {
        assert!(
            start.elapsed() < WAIT,
            "events missed: {:#?}",
            s.browser.events
        );
        s.browser.drain_events();
    }
    let problems = s.problems(&[]).join("\n");
    for want in [
        "script-src",
        "style-src",
        "boom from the test",
        "an error logged by the test",
    ] {
        assert!(
            problems.contains(want),
            "{want:?} not reported in:\n{problems}"
        );
    }
}
