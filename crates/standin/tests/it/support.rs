//! Starting the real binary and talking to it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// The path of a fixture under `crates/standin/tests/fixtures`.
pub fn fixture(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    p.display().to_string()
}

/// The path of a file under the repository's `examples/`.
pub fn example(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "..", "examples", name]
        .iter()
        .collect();
    p.display().to_string()
}

/// A running `standin serve`, killed on drop.
pub struct Server {
    child: Child,
    /// `http://HOST:PORT` or `https://HOST:PORT` (127.0.0.1 unless `--host` is given).
    pub url: String,
    /// The summary line printed after the URL.
    pub summary: String,
    /// Further stdout lines (request logs, reload messages).
    pub lines: Receiver<String>,
    /// Stderr lines (diagnostics).
    pub errors: Receiver<String>,
    client: reqwest::blocking::Client,
}

/// Runs `standin` with arguments and returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(args)
        .output()
        .expect("run standin");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn pipe_lines(reader: impl std::io::Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Server {
    /// Starts `standin serve ARGS --port 0` (unless a port is given) and waits for its URL.
    pub fn start(args: &[&str]) -> Server {
        Server::start_command("serve", args)
    }

    /// Starts `standin COMMAND ARGS --port 0` (unless a port is given) and waits for its URL.
    pub fn start_command(command: &str, args: &[&str]) -> Server {
        Server::start_command_env(command, args, &[])
    }

    /// [`Server::start_command`] with these environment variables set. The time zone is
    /// UTC unless `TZ` is among them, so that dates read alike on every machine.
    pub fn start_command_env(command: &str, args: &[&str], envs: &[(&str, &str)]) -> Server {
        let mut full: Vec<&str> = vec![command];
        full.extend_from_slice(args);
        if !args.contains(&"--port") && !args.contains(&"--config") {
            full.extend_from_slice(&["--port", "0"]);
        }
        let mut child = Command::new(env!("CARGO_BIN_EXE_standin"))
            .args(&full)
            .env("TZ", "UTC")
            .envs(envs.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start standin");
        let lines = pipe_lines(child.stdout.take().expect("stdout"));
        let errors = pipe_lines(child.stderr.take().expect("stderr"));
        let url = match lines.recv_timeout(Duration::from_secs(60)) {
            Ok(u) => u,
            Err(_) => {
                let _ = child.kill();
                let err: Vec<String> = errors.try_iter().collect();
                panic!(
                    "standin {full:?} printed no URL; stderr:\n{}",
                    err.join("\n")
                );
            }
        };
        assert!(
            url.starts_with("http://") || url.starts_with("https://"),
            "first line is the URL, got {url:?}"
        );
        let summary = lines
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_default();
        Server {
            child,
            url,
            summary,
            lines,
            errors,
            client: reqwest::blocking::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
        }
    }

    /// A request to a path of this server.
    pub fn req(&self, method: &str, path: &str) -> reqwest::blocking::RequestBuilder {
        let m = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        self.client.request(m, format!("{}{}", self.url, path))
    }

    /// GET a path.
    pub fn get(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.req("GET", path)
    }

    /// Stops the server with SIGTERM, as a user's Ctrl-C or a supervisor would, and
    /// waits for it to exit; answers its exit code.
    pub fn terminate(&mut self) -> i32 {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().ok().and_then(|s| s.code()).unwrap_or(-1)
    }

    /// The process id, to signal it.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends `signal` (a name `kill` knows: TERM, INT) without waiting.
    pub fn signal(&self, signal: &str) {
        let _ = Command::new("kill")
            .args([format!("-{signal}"), self.child.id().to_string()])
            .status();
    }

    /// Waits up to `secs` for the process to exit; its exit code (-1: killed by a
    /// signal), or `None` if it is still running.
    pub fn wait_exit(&mut self, secs: u64) -> Option<i32> {
        let deadline = std::time::Instant::now() + Duration::from_secs(secs);
        while std::time::Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// The next stdout line, waiting up to `secs`.
    pub fn next_line(&self, secs: u64) -> Option<String> {
        self.lines.recv_timeout(Duration::from_secs(secs)).ok()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Status and parsed JSON body of a response.
pub fn json(resp: reqwest::blocking::Response) -> (u16, serde_json::Value) {
    let status = resp.status().as_u16();
    let text = resp.text().expect("body");
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// A header of a response as text.
pub fn header(resp: &reqwest::blocking::Response, name: &str) -> Option<String> {
    resp.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}
