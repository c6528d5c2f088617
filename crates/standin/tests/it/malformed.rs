//! The malformed-HTTP corpus (`tests/malformed/*.http`): each raw request gets the
//! answer its file expects (a 4xx, or a close), never a crash or a hang, and the server
//! serves the next client.

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::stubs_support::{serve_root, stub_root};

/// The corpus files, sorted.
fn corpus() -> Vec<PathBuf> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "malformed"]
        .iter()
        .collect();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("the corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "http"))
        .collect();
    files.sort();
    files
}

/// A file's expectation and the bytes to send.
fn parse(path: &PathBuf) -> (String, Vec<u8>) {
    let bytes = std::fs::read(path).expect("read");
    let nl = bytes
        .iter()
        .position(|b| *b == b'\n')
        .expect("an expect line");
    let head = String::from_utf8_lossy(&bytes[..nl]).to_string();
    let expect = head
        .strip_prefix("# expect: ")
        .unwrap_or_else(|| panic!("{}: first line must be `# expect: WHAT`", path.display()))
        .trim()
        .to_string();
    (expect, bytes[nl + 1..].to_vec())
}

/// Sends `bytes`, half-closes, and reads until the server closes. `None`: it did not
/// close within 10 s (a hang).
fn exchange(addr: &str, bytes: &[u8]) -> Option<Vec<u8>> {
    let mut c = TcpStream::connect(addr).expect("connect");
    c.set_read_timeout(Some(Duration::from_millis(500)))
        .expect("timeout");
    // The server may close (and reset) before every byte is written: that is an answer.
    let _ = c.write_all(bytes);
    let _ = c.shutdown(Shutdown::Write);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    while Instant::now() < deadline {
        match c.read(&mut buf) {
            Ok(0) => return Some(got),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            // A reset closes too.
            Err(_) => return Some(got),
        }
    }
    None
}

/// The statuses of the HTTP/1 responses in `got`, in order.
fn statuses(got: &[u8]) -> Vec<u16> {
    let text = String::from_utf8_lossy(got);
    text.match_indices("HTTP/1.")
        .filter_map(|(i, _)| {
            text[i..]
                .split(' ')
                .nth(1)
                .and_then(|s| s.get(..3))
                .and_then(|s| s.parse().ok())
        })
        .collect()
}

fn check(expect: &str, got: &[u8]) -> Result<(), String> {
    let statuses = statuses(got);
    let first = statuses.first().copied();
    let is_4xx = first.is_some_and(|s| (400..500).contains(&s));
    let ok = match expect {
        "4xx" => is_4xx,
        "4xx-or-close" => is_4xx || got.is_empty(),
        "single" => statuses.len() <= 1 && first.is_none_or(|s| s < 500),
        "not-5xx" => first.is_none_or(|s| s < 500) && (first.is_some() || got.is_empty()),
        "closes" => first.is_none(),
        status if status.parse::<u16>().is_ok() => first == status.parse().ok(),
        other => return Err(format!("unknown expectation {other:?}")),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected {expect}, got statuses {statuses:?} in {:?}",
            String::from_utf8_lossy(&got[..got.len().min(300)])
        ))
    }
}

#[test]
fn every_malformed_request_is_refused_or_closed_and_the_server_serves_on() {
    let echo = r#"{
        "request": {"urlPath": "/echo"},
        "response": {"status": 200, "body": "{{request.body}}", "transformers": ["response-template"]}
    }"#;
    let dir = stub_root(&[("echo.json", echo)]);
    let s = serve_root(
        &dir,
        &[
            "--quiet",
            "--header-read-timeout",
            "3s",
            "--idle-timeout",
            "3s",
        ],
    );
    let addr = s.url.trim_start_matches("http://").to_string();
    let files = corpus();
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let (expect, bytes) = parse(path);
        match exchange(&addr, &bytes) {
            None => failures.push(format!("{name}: neither answered nor closed in 10 s")),
            Some(got) => {
                if let Err(e) = check(&expect, &got) {
                    failures.push(format!("{name}: {e}"));
                }
            }
        }
        let next = exchange(
            &addr,
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nalive",
        );
        let next = next.map(|g| String::from_utf8_lossy(&g).into_owned());
        if !next
            .as_deref()
            .is_some_and(|g| g.starts_with("HTTP/1.1 200") && g.ends_with("alive"))
        {
            failures.push(format!("after {name}, the next client got {next:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}
