//! WireMock stub responses on the wire, through the binary: the four faults seen by a raw
//! TCP client, delays (fixed and each distribution), `chunkedDribbleDelay`, and
//! `bodyFileName` streamed from `__files/`.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::stubs_support::{connect, serve_root, stub_root};
use crate::support::{Server, fixture};

fn start() -> Server {
    Server::start(&[&fixture("stubs/faults")])
}

fn send_get(c: &mut TcpStream, path: &str) {
    write!(c, "GET {path} HTTP/1.1\r\nHost: test\r\n\r\n").expect("send the request");
}

/// Everything that arrives until the server closes, and how the connection ended.
fn read_until_closed(c: &mut TcpStream) -> (Vec<u8>, std::io::Result<()>) {
    let mut got = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match c.read(&mut buf) {
            Ok(0) => return (got, Ok(())),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                panic!("the server neither answered nor closed within 10 s, got {got:?}")
            }
            Err(e) => return (got, Err(e)),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// One response read off a kept-alive connection.
struct Raw {
    status: u16,
    /// Lower-cased header names.
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// How many reads carried body bytes.
    body_reads: usize,
    /// From sending the request to the end of the body.
    elapsed: Duration,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET path` and reads one response, by Content-Length or chunked.
fn get(c: &mut TcpStream, path: &str) -> Raw {
    let sent = Instant::now();
    send_get(c, path);
    let mut buf = Vec::new();
    let mut reads = 0usize;
    let mut fill = |buf: &mut Vec<u8>, reads: &mut usize| {
        let mut chunk = vec![0u8; 256 * 1024];
        let n = c.read(&mut chunk).expect("read the response");
        assert!(n > 0, "the server closed in the middle of a response");
        buf.extend_from_slice(&chunk[..n]);
        *reads += 1;
    };
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        fill(&mut buf, &mut reads);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).expect("UTF-8 head");
    buf.drain(..head_end + 4);
    reads = usize::from(!buf.is_empty());
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .map(|l| {
            let (n, v) = l.split_once(':').expect("a header line");
            (n.trim().to_ascii_lowercase(), v.trim().to_string())
        })
        .collect();
    let mut raw = Raw {
        status,
        headers,
        body: Vec::new(),
        body_reads: 0,
        elapsed: Duration::ZERO,
    };
    if let Some(len) = raw.header("content-length") {
        let len: usize = len.parse().expect("Content-Length");
        while buf.len() < len {
            fill(&mut buf, &mut reads);
        }
        raw.body = buf.drain(..len).collect();
    } else if raw.header("transfer-encoding") == Some("chunked") {
        loop {
            let line_end = loop {
                if let Some(i) = find(&buf, b"\r\n") {
                    break i;
                }
                fill(&mut buf, &mut reads);
            };
            let text = String::from_utf8_lossy(&buf[..line_end]).to_string();
            let size = usize::from_str_radix(text.trim(), 16)
                .unwrap_or_else(|_| panic!("bad chunk size {text:?}"));
            buf.drain(..line_end + 2);
            while buf.len() < size + 2 {
                fill(&mut buf, &mut reads);
            }
            raw.body.extend(buf.drain(..size));
            buf.drain(..2);
            if size == 0 {
                break;
            }
        }
    }
    assert!(buf.is_empty(), "bytes after the response");
    raw.body_reads = reads;
    raw.elapsed = sent.elapsed();
    raw
}

#[test]
fn connection_reset_by_peer_is_a_tcp_reset() {
    let s = start();
    let mut c = connect(&s);
    send_get(&mut c, "/fault/reset");
    let (got, end) = read_until_closed(&mut c);
    assert!(got.is_empty(), "nothing before the reset: {got:?}");
    let err = end.expect_err("a reset, not a clean close");
    assert_eq!(err.kind(), ErrorKind::ConnectionReset, "{err}");
}

#[test]
fn empty_response_closes_without_a_byte() {
    let s = start();
    let mut c = connect(&s);
    send_get(&mut c, "/fault/empty");
    let (got, end) = read_until_closed(&mut c);
    end.expect("a clean close");
    assert!(got.is_empty(), "no bytes: {got:?}");
    assert!(
        s.get("/fault/empty").send().is_err(),
        "an HTTP client fails"
    );
}

#[test]
fn malformed_response_chunk_is_a_chunked_200_head_then_garbage() {
    let s = start();
    let mut c = connect(&s);
    send_get(&mut c, "/fault/malformed");
    let (got, end) = read_until_closed(&mut c);
    end.expect("a clean close after the garbage");
    let head_end = find(&got, b"\r\n\r\n").expect("a complete head");
    let head = String::from_utf8_lossy(&got[..head_end]).to_ascii_lowercase();
    // As WireMock: 200, whatever the stub's status; the stub's headers are not sent.
    assert!(head.starts_with("http/1.1 200 "), "{head}");
    assert!(head.contains("transfer-encoding: chunked"), "{head}");
    assert!(!head.contains("x-stub"), "{head}");
    let chunk = &got[head_end + 4..];
    assert!(
        chunk.first().is_some_and(|b| !b.is_ascii_hexdigit()),
        "the chunk size does not parse: {chunk:?}"
    );
    let err = s
        .get("/fault/malformed")
        .send()
        .and_then(|r| r.bytes())
        .expect_err("an HTTP client fails on the chunk");
    assert!(
        err.is_body() || err.is_decode() || err.is_request(),
        "{err}"
    );
}

#[test]
fn random_data_then_close_is_not_a_response() {
    let s = start();
    let mut c = connect(&s);
    send_get(&mut c, "/fault/random");
    let (got, end) = read_until_closed(&mut c);
    end.expect("a clean close after the data");
    assert!(!got.is_empty(), "some data first");
    assert!(!got.starts_with(b"HTTP/"), "not a status line: {got:?}");
    assert!(
        s.get("/fault/random").send().is_err(),
        "an HTTP client fails"
    );
}

#[test]
fn stubs_next_to_faults_answer_on_a_kept_alive_connection() {
    let s = start();
    let mut c = connect(&s);
    for _ in 0..2 {
        let r = get(&mut c, "/ok");
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"fine");
    }
    // And a fault after answers on the same connection ends it as asked.
    send_get(&mut c, "/fault/reset");
    let (got, end) = read_until_closed(&mut c);
    assert!(got.is_empty(), "{got:?}");
    assert_eq!(end.expect_err("a reset").kind(), ErrorKind::ConnectionReset);
}

fn timed(s: &Server, path: &str) -> Duration {
    let started = Instant::now();
    let resp = s.get(path).send().expect("answered");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().expect("body"), "late");
    started.elapsed()
}

#[test]
fn fixed_delay_milliseconds_holds_the_answer() {
    let s = start();
    let d = timed(&s, "/delay/fixed");
    assert!(d >= Duration::from_millis(300), "{d:?}");
}

#[test]
fn uniform_delay_is_at_least_its_lower_bound() {
    let s = start();
    for _ in 0..3 {
        let d = timed(&s, "/delay/uniform");
        assert!(d >= Duration::from_millis(200), "{d:?}");
    }
}

#[test]
fn lognormal_delay_is_around_its_median() {
    let s = start();
    for _ in 0..3 {
        // Median 250 ms, sigma 0.05: well above 150 ms every time.
        let d = timed(&s, "/delay/lognormal");
        assert!(d >= Duration::from_millis(150), "{d:?}");
    }
}

#[test]
fn fixed_distribution_delay_holds_the_answer() {
    let s = start();
    let d = timed(&s, "/delay/distribution-fixed");
    assert!(d >= Duration::from_millis(250), "{d:?}");
}

#[test]
fn chunked_dribble_delay_sends_the_body_in_pieces_over_its_duration() {
    let s = start();
    let mut c = connect(&s);
    let r = get(&mut c, "/dribble");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.body, b"0123456789");
    assert!(
        r.body_reads >= 3,
        "pieces arrive apart: {} reads",
        r.body_reads
    );
    assert!(r.elapsed >= Duration::from_millis(500), "{:?}", r.elapsed);
}

#[test]
fn body_file_name_is_sent_with_its_length() {
    let s = start();
    let resp = s.get("/file").send().expect("answered");
    assert_eq!(resp.status(), 200);
    assert_eq!(
        crate::support::header(&resp, "content-length").as_deref(),
        Some("18")
    );
    assert_eq!(resp.text().expect("body"), "hello from a file\n");
}

#[test]
fn body_file_name_can_be_dribbled() {
    let s = start();
    let mut c = connect(&s);
    let r = get(&mut c, "/file/dribbled");
    assert_eq!(r.body, b"hello from a file\n");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert!(r.elapsed >= Duration::from_millis(300), "{:?}", r.elapsed);
}

#[test]
fn a_missing_body_file_is_an_error_naming_it() {
    let s = start();
    let resp = s.get("/file/missing").send().expect("answered");
    let status = resp.status().as_u16();
    let body = resp.text().expect("body");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("absent.txt"), "{body}");
}

/// A stub root in a temporary directory: one stub serving `__files/big.bin`.
fn big_file_root() -> tempfile::TempDir {
    stub_root(&[(
        "big.json",
        r#"{"request": {"method": "GET", "url": "/big"},
            "response": {"status": 200, "bodyFileName": "big.bin"}}"#,
    )])
}

#[test]
fn a_multi_megabyte_body_file_streams_with_its_content_length() {
    let dir = big_file_root();
    let content: Vec<u8> = (0..(3 * 1024 * 1024 + 7))
        .map(|i| (i % 251) as u8)
        .collect();
    std::fs::write(dir.path().join("__files/big.bin"), &content).expect("write the file");
    let s = serve_root(&dir, &[]);
    let mut c = connect(&s);
    for _ in 0..2 {
        let r = get(&mut c, "/big");
        assert_eq!(r.status, 200);
        assert_eq!(
            r.header("content-length"),
            Some(content.len().to_string().as_str())
        );
        assert!(r.body == content, "the body is the file");
    }
}

#[test]
fn a_body_file_is_read_when_the_request_comes() {
    let dir = big_file_root();
    let s = serve_root(&dir, &[]);
    std::fs::write(
        dir.path().join("__files/big.bin"),
        b"written after start-up",
    )
    .expect("write the file");
    let resp = s.get("/big").send().expect("answered");
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().expect("body"), "written after start-up");
}
