//! A running `recoupe serve` on a free loopback port, stopped (SIGTERM,
//! then kill) when dropped, and a small HTTP client for it.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::TestEnv;

pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

/// A response: status, content type and body.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// Starts `recoupe serve` on `env`'s corpus and index with `extra`
    /// arguments, and waits for its `listening on` line.
    pub fn start(env: &TestEnv, extra: &[&str]) -> Server {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_recoupe"));
        cmd.current_dir(env.root())
            .env_remove("RECOUPE_TOKEN")
            .env_remove("RECOUPE_CORPUS")
            .env_remove("RECOUPE_INDEX")
            .arg("--corpus")
            .arg(&env.corpus)
            .arg("--index")
            .arg(&env.index)
            .arg("serve")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !extra.contains(&"--addr") {
            cmd.args(["--addr", "127.0.0.1:0"]);
        }
        let mut child = cmd.spawn().expect("start recoupe serve");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let mut line = String::new();
        let mut reader = BufReader::new(stdout);
        reader
            .read_line(&mut line)
            .expect("read the listening line");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        // Keep draining stdout so the server never blocks on it.
        std::thread::spawn(move || {
            let mut sink = String::new();
            let _ = reader.read_to_string(&mut sink);
        });
        Server {
            child,
            base,
            stderr: Some(stderr),
        }
    }

    fn request(&self, method: &str, path: &str, token: Option<&str>, body: Option<&str>) -> Reply {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .into();
        let url = format!("{}{path}", self.base);
        let response = match method {
            "POST" => {
                let mut r = agent.post(&url);
                if let Some(t) = token {
                    r = r.header("Authorization", &format!("Bearer {t}"));
                }
                r.send(body.unwrap_or_default())
            }
            _ => {
                let mut r = agent.get(&url);
                if let Some(t) = token {
                    r = r.header("Authorization", &format!("Bearer {t}"));
                }
                r.call()
            }
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let content_type = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let body = response
            .body_mut()
            .read_to_string()
            .unwrap_or_else(|e| panic!("{method} {url}: reading the body: {e}"));
        Reply {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, None, None)
    }

    pub fn get_with_token(&self, path: &str, token: &str) -> Reply {
        self.request("GET", path, Some(token), None)
    }

    pub fn post(&self, path: &str, body: &str) -> Reply {
        self.request("POST", path, None, Some(body))
    }

    /// Polls `/health` until `done` holds for its JSON, for at most `within`.
    pub fn wait_health(
        &self,
        within: Duration,
        done: impl Fn(&serde_json::Value) -> bool,
    ) -> serde_json::Value {
        let start = Instant::now();
        loop {
            let h = self.get("/health").json();
            if done(&h) || start.elapsed() > within {
                return h;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops the server with SIGTERM and returns its exit code and stderr.
    pub fn stop(mut self) -> (Option<i32>, String) {
        let code = self.terminate();
        let stderr = self
            .stderr
            .take()
            .map(|h| h.join().unwrap_or_default())
            .unwrap_or_default();
        (code, stderr)
    }

    fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        self.child.wait().ok().and_then(|s| s.code())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}
