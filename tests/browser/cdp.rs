//! A small Chrome DevTools Protocol client: one headless Chromium with one
//! page, driven over the browser's WebSocket (flat sessions: every page
//! command carries the page's `sessionId`).
//!
//! Only what the browser tests need: navigate and wait for the load event,
//! evaluate JavaScript (promises awaited, values returned as JSON), set the
//! viewport, take a PNG screenshot, and keep every console call, uncaught
//! exception and browser log entry the page produced, so a test can say
//! "no CSP violation, no exception". Chromium is killed on drop.

use std::io::{BufRead, BufReader, ErrorKind};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tungstenite::{Message, WebSocket};

/// How long one protocol command may take before the test gives up.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);
/// How long Chromium may take to start and print its DevTools address.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// Keeps every `securitypolicyviolation` event in `window.__cspViolations`.
const CSP_LISTENER: &str = "window.__cspViolations = []; \
document.addEventListener('securitypolicyviolation', (e) => \
window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));";

/// Something the page said: a console call, an uncaught exception or a
/// browser log entry (CSP violations, failed loads, …).
#[derive(Debug, Clone)]
pub struct PageEvent {
    /// `console.<type>`, `exception` or `log.<source>`.
    pub kind: String,
    /// `log`, `warning`, `error`, … (exceptions are `error`).
    pub level: String,
    pub text: String,
}

impl PageEvent {
    /// True for a Content-Security-Policy violation report.
    pub fn is_csp_violation(&self) -> bool {
        self.text.contains("Content Security Policy")
            || self.text.contains("Content-Security-Policy")
    }
}

pub struct Browser {
    child: Child,
    ws: WebSocket<TcpStream>,
    session: String,
    next_id: u64,
    /// Every event of interest, in the order the browser sent them.
    pub events: Vec<PageEvent>,
    /// Page.loadEventFired seen since the last navigation started.
    loaded: bool,
    stderr: Arc<Mutex<String>>,
    _profile: tempfile::TempDir,
}

/// The Chromium binary: /usr/bin/chromium, or `chromium` on PATH.
pub fn find_chromium() -> Option<PathBuf> {
    let fixed = Path::new("/usr/bin/chromium");
    if fixed.is_file() {
        return Some(fixed.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("chromium"))
        .find(|candidate| candidate.is_file())
}

impl Browser {
    /// Starts headless Chromium and opens one blank page, attached.
    pub fn launch(binary: &Path) -> Browser {
        let profile = tempfile::tempdir().expect("chromium profile dir");
        let mut child = Command::new(binary)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--mute-audio",
                "--remote-debugging-port=0",
                "--remote-debugging-address=127.0.0.1",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));

        // Chromium prints "DevTools listening on ws://…" on stderr; the
        // rest of its stderr is kept for failure messages.
        let stderr_pipe = child.stderr.take().expect("chromium stderr");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        {
            let stderr = Arc::clone(&stderr);
            std::thread::spawn(move || {
                let mut tx = Some(tx);
                for line in BufReader::new(stderr_pipe).lines() {
                    let Ok(line) = line else { break };
                    if let Some(at) = line.find("ws://") {
                        if line.contains("DevTools listening on") {
                            if let Some(tx) = tx.take() {
                                let _ = tx.send(line[at..].trim().to_string());
                            }
                        }
                    }
                    let mut all = stderr.lock().unwrap_or_else(|p| p.into_inner());
                    all.push_str(&line);
                    all.push('\n');
                }
            });
        }
        let ws_url = match rx.recv_timeout(START_TIMEOUT) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                let said = stderr.lock().unwrap_or_else(|p| p.into_inner()).clone();
                panic!("chromium printed no DevTools address within {START_TIMEOUT:?}; stderr:\n{said}");
            }
        };

        let host = ws_url
            .strip_prefix("ws://")
            .and_then(|rest| rest.split('/').next())
            .unwrap_or_else(|| panic!("odd DevTools address {ws_url:?}"))
            .to_string();
        let stream = TcpStream::connect(&host).unwrap_or_else(|e| panic!("connect to {host}: {e}"));
        stream.set_nodelay(true).ok();
        let (ws, _) = tungstenite::client(ws_url.as_str(), stream)
            .unwrap_or_else(|e| panic!("WebSocket handshake with {ws_url}: {e}"));
        // Reads wake up regularly so every wait can keep its own deadline.
        ws.get_ref()
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("socket read timeout");

        let mut browser = Browser {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            events: Vec::new(),
            loaded: false,
            stderr,
            _profile: profile,
        };
        let target = browser.browser_call("Target.createTarget", json!({"url": "about:blank"}));
        let target_id = target["targetId"].as_str().expect("targetId").to_string();
        let attached = browser.browser_call(
            "Target.attachToTarget",
            json!({"targetId": target_id, "flatten": true}),
        );
        browser.session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_string();
        for domain in ["Page.enable", "Runtime.enable", "Log.enable"] {
            browser.call(domain, json!({}));
        }
        // The page's own view of CSP violations, besides the browser's log
        // (scripts added through the protocol are not subject to the CSP).
        browser.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({"source": CSP_LISTENER}),
        );
        browser
    }

    /// What Chromium wrote on stderr so far (for failure messages).
    pub fn stderr(&self) -> String {
        self.stderr
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// A command to the browser itself (no session).
    pub fn browser_call(&mut self, method: &str, params: Value) -> Value {
        self.send(method, params, None)
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// A command to the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let session = self.session.clone();
        self.send(method, params, Some(&session))
            .unwrap_or_else(|e| panic!("{method}: {e}"))
    }

    /// Sends one command and reads messages until its answer; the events
    /// read meanwhile are recorded. Err carries the protocol's error.
    fn send(
        &mut self,
        method: &str,
        params: Value,
        session: Option<&str>,
    ) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            message["sessionId"] = json!(s);
        }
        self.ws
            .send(Message::text(message.to_string()))
            .map_err(|e| format!("sending: {e}"))?;
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        loop {
            if Instant::now() > deadline {
                return Err(format!("no answer within {COMMAND_TIMEOUT:?}"));
            }
            let Some(msg) = self.read_one()? else {
                continue;
            };
            if msg["id"].as_u64() == Some(id) {
                if let Some(error) = msg.get("error") {
                    return Err(error.to_string());
                }
                return Ok(msg["result"].clone());
            }
        }
    }

    /// Reads one protocol message (None when nothing came within the read
    /// timeout); events are recorded on the way.
    fn read_one(&mut self) -> Result<Option<Value>, String> {
        let message = match self.ws.read() {
            Ok(m) => m,
            Err(tungstenite::Error::Io(e))
                if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut =>
            {
                return Ok(None)
            }
            Err(e) => {
                return Err(format!(
                    "reading from chromium: {e}; stderr:\n{}",
                    self.stderr()
                ))
            }
        };
        let text = match message {
            Message::Text(t) => t.as_str().to_string(),
            Message::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
            _ => return Ok(None),
        };
        let value: Value =
            serde_json::from_str(&text).map_err(|e| format!("bad message ({e}): {text}"))?;
        if value.get("method").is_some() {
            self.record(&value);
        }
        Ok(Some(value))
    }

    fn record(&mut self, event: &Value) {
        let params = &event["params"];
        let recorded = match event["method"].as_str().unwrap_or_default() {
            "Page.loadEventFired" => {
                self.loaded = true;
                None
            }
            "Runtime.consoleAPICalled" => {
                let kind = params["type"].as_str().unwrap_or("log");
                let text = params["args"]
                    .as_array()
                    .map(|args| args.iter().map(remote_text).collect::<Vec<_>>().join(" "))
                    .unwrap_or_default();
                let level = match kind {
                    "error" | "assert" => "error",
                    "warning" => "warning",
                    _ => "log",
                };
                Some(PageEvent {
                    kind: format!("console.{kind}"),
                    level: level.into(),
                    text,
                })
            }
            "Runtime.exceptionThrown" => {
                let details = &params["exceptionDetails"];
                let text = details["exception"]["description"]
                    .as_str()
                    .or_else(|| details["text"].as_str())
                    .unwrap_or("exception")
                    .to_string();
                Some(PageEvent {
                    kind: "exception".into(),
                    level: "error".into(),
                    text,
                })
            }
            "Log.entryAdded" => {
                let entry = &params["entry"];
                let mut text = entry["text"].as_str().unwrap_or_default().to_string();
                if let Some(url) = entry["url"].as_str().filter(|u| !u.is_empty()) {
                    text.push_str(&format!(" ({url})"));
                }
                Some(PageEvent {
                    kind: format!("log.{}", entry["source"].as_str().unwrap_or("other")),
                    level: entry["level"].as_str().unwrap_or("info").to_string(),
                    text,
                })
            }
            _ => None,
        };
        if let Some(e) = recorded {
            self.events.push(e);
        }
    }

    /// Reads whatever events are waiting, without blocking past one read
    /// timeout.
    pub fn drain_events(&mut self) {
        while let Ok(Some(_)) = self.read_one() {}
    }

    /// Goes to `url` and waits for its load event.
    pub fn navigate(&mut self, url: &str) {
        self.loaded = false;
        let answer = self.call("Page.navigate", json!({"url": url}));
        if let Some(error) = answer["errorText"].as_str().filter(|e| !e.is_empty()) {
            panic!("navigating to {url}: {error}");
        }
        let deadline = Instant::now() + COMMAND_TIMEOUT;
        while !self.loaded {
            assert!(
                Instant::now() < deadline,
                "{url} did not finish loading within {COMMAND_TIMEOUT:?}"
            );
            if let Err(e) = self.read_one() {
                panic!("waiting for {url} to load: {e}");
            }
        }
    }

    /// Evaluates `expression` in the page; a promise is awaited, and the
    /// value comes back as JSON. Err holds the exception's description.
    pub fn try_eval(&mut self, expression: &str) -> Result<Value, String> {
        let session = self.session.clone();
        let answer = self.send(
            "Runtime.evaluate",
            json!({
                "expression": expression,
                "awaitPromise": true,
                "returnByValue": true,
                "userGesture": true,
            }),
            Some(&session),
        )?;
        if let Some(details) = answer.get("exceptionDetails") {
            let text = details["exception"]["description"]
                .as_str()
                .or_else(|| details["text"].as_str())
                .unwrap_or("exception");
            return Err(format!("{text}\nin: {expression}"));
        }
        Ok(answer["result"]["value"].clone())
    }

    /// Same, panicking on an exception.
    pub fn eval(&mut self, expression: &str) -> Value {
        self.try_eval(expression)
            .unwrap_or_else(|e| panic!("evaluating JavaScript: {e}"))
    }

    /// Emulates a screen `width` by `height` CSS pixels (`mobile` gives a
    /// phone's viewport handling).
    pub fn set_viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// Saves a PNG of what the screen shows, or with `full_page` of the
    /// whole page from its top (at most 5000 pixels of it).
    pub fn screenshot(&mut self, path: &Path, full_page: bool) {
        let params = if full_page {
            // From the top, so sticky bars sit where they belong.
            self.eval("window.scrollTo(0, 0)");
            let metrics = self.call("Page.getLayoutMetrics", json!({}));
            let size = &metrics["cssContentSize"];
            let width = size["width"].as_f64().unwrap_or(1280.0);
            let height = size["height"].as_f64().unwrap_or(900.0).min(5000.0);
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            })
        } else {
            json!({"format": "png"})
        };
        let shot = self.call("Page.captureScreenshot", params);
        let data = shot["data"].as_str().expect("screenshot data");
        let png = base64_decode(data).expect("screenshot is base64");
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is not a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("screenshot folder");
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.ws.close(None);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A console argument as text: its value when it has one, else its
/// description (objects, errors).
fn remote_text(arg: &Value) -> String {
    match arg.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(v) if !v.is_null() => v.to_string(),
        _ => arg["description"]
            .as_str()
            .or_else(|| arg["type"].as_str())
            .unwrap_or_default()
            .to_string(),
    }
}

/// Standard base64 (with padding, as the protocol sends it).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    fn value(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let digits: Vec<u8> = chunk.iter().copied().take_while(|&c| c != b'=').collect();
        if digits.len() < 2 {
            return if digits.is_empty() { Some(out) } else { None };
        }
        let mut n = 0u32;
        for (i, &c) in digits.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        out.push((n >> 16) as u8);
        if digits.len() > 2 {
            out.push((n >> 8) as u8);
        }
        if digits.len() > 3 {
            out.push(n as u8);
        }
    }
    Some(out)
}

#[test]
fn base64_round_trips_known_values() {
    assert_eq!(base64_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
    assert_eq!(base64_decode("aGk=").as_deref(), Some(&b"hi"[..]));
    assert_eq!(base64_decode("YWJj").as_deref(), Some(&b"abc"[..]));
    assert_eq!(base64_decode("").as_deref(), Some(&b""[..]));
    assert_eq!(base64_decode("a$==").as_deref(), None);
}
