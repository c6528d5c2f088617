//! HTTPS, HTTP/2 (over TLS by ALPN and cleartext with prior knowledge), the limits, the
//! connection limit and timeouts, graceful shutdown and reloads under load, through the
//! binary with curl and a Rust HTTP/2 client.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};

use crate::stubs_support::{serve_root, stub_root};
use crate::support::{Server, example, json, run};

/// A stub that answers every request with its body, one that waits first, and one that
/// sends its body in two pieces 1.5 s apart.
fn echo_root() -> tempfile::TempDir {
    let echo = r#"{
        "request": {"urlPath": "/echo"},
        "response": {"status": 200, "body": "{{request.body}}", "transformers": ["response-template"]}
    }"#;
    let slow = r#"{
        "request": {"urlPath": "/slow"},
        "response": {"status": 200, "body": "slept", "fixedDelayMilliseconds": 300}
    }"#;
    let dribble = r#"{
        "request": {"urlPath": "/dribble"},
        "response": {"status": 200, "body": "0123456789", "chunkedDribbleDelay": {"numberOfChunks": 2, "totalDuration": 3000}}
    }"#;
    stub_root(&[
        ("echo.json", echo),
        ("slow.json", slow),
        ("dribble.json", dribble),
    ])
}

/// What `serve` printed about its listeners after the summary: further URLs and the
/// certificate's file and fingerprint.
struct Printed {
    also: Vec<String>,
    cert: Option<PathBuf>,
    fingerprint: Option<String>,
    line: String,
}

fn printed(s: &Server, lines: usize) -> Printed {
    let mut p = Printed {
        also: Vec::new(),
        cert: None,
        fingerprint: None,
        line: String::new(),
    };
    for _ in 0..lines {
        let line = s.next_line(10).expect("a listener line");
        if let Some(url) = line.trim().strip_prefix("also ") {
            p.also.push(url.to_string());
        } else if let Some(rest) = line.trim().strip_prefix("TLS certificate ") {
            let path = rest.split([' ', ',']).next().expect("a path");
            p.cert = Some(PathBuf::from(path));
            p.fingerprint = rest.rsplit("SHA-256 ").next().map(str::to_string);
            p.line = line.clone();
        }
    }
    p
}

/// curl's answer: the body, the HTTP version (`2`, `1.1`) and the status.
fn curl(args: &[&str]) -> (String, String, u16) {
    let out = Command::new("curl")
        .args([
            "-sS",
            "--max-time",
            "20",
            "-w",
            "\n%{http_version} %{http_code}",
        ])
        .args(args)
        .output()
        .expect("curl must be installed (scripts/test.sh installs it) to test HTTPS and HTTP/2");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, tail) = text.rsplit_once('\n').expect("curl's -w line");
    let (version, code) = tail.split_once(' ').expect("version and status");
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        body.to_string(),
        version.to_string(),
        code.parse().unwrap_or(0),
    )
}

/// SHA-256 of a PEM certificate's DER, as `AB:CD:…`.
fn fingerprint_of(pem: &Path) -> String {
    use rustls_pki_types::pem::PemObject;
    let der = rustls_pki_types::CertificateDer::from_pem_file(pem).expect("a PEM certificate");
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, der.as_ref());
    digest
        .as_ref()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

type Sender = hyper::client::conn::http2::SendRequest<Full<Bytes>>;

/// A GET of `uri` with no body, for an HTTP/2 sender.
fn empty_get(uri: impl AsRef<str>) -> http::Request<Full<Bytes>> {
    http::Request::get(uri.as_ref())
        .body(Full::new(Bytes::new()))
        .expect("a request")
}

/// An HTTP/2 connection to `url` (`http://`: prior knowledge; `https://`: TLS trusting
/// only `cert`, ALPN `h2`, which the server must pick).
async fn h2(url: &str, cert: Option<&Path>) -> Sender {
    let addr = url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_string();
    let tcp = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let exec = TokioExecutor::new();
    match cert {
        None => {
            let (sender, conn) = hyper::client::conn::http2::handshake(exec, TokioIo::new(tcp))
                .await
                .expect("h2 handshake");
            tokio::spawn(conn);
            sender
        }
        Some(cert) => {
            let tls = tls_client(cert, &[b"h2"])
                .connect(
                    rustls_pki_types::ServerName::try_from("localhost").expect("name"),
                    tcp,
                )
                .await
                .expect("TLS handshake with the printed certificate trusted");
            assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
            let (sender, conn) = hyper::client::conn::http2::handshake(exec, TokioIo::new(tls))
                .await
                .expect("h2 handshake");
            tokio::spawn(conn);
            sender
        }
    }
}

/// A TLS client that trusts only the certificate of `pem` and offers `alpn`.
fn tls_client(pem: &Path, alpn: &[&[u8]]) -> tokio_rustls::TlsConnector {
    use rustls_pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(rustls_pki_types::CertificateDer::from_pem_file(pem).expect("PEM"))
        .expect("a trust anchor");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    tokio_rustls::TlsConnector::from(Arc::new(config))
}

/// POSTs `n` distinct bodies to `/echo` at once on one HTTP/2 connection and checks that
/// each comes back whole.
async fn concurrent_echoes(sender: &Sender, base: &str, n: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..n {
        let mut sender = sender.clone();
        let uri = format!("{base}/echo");
        tasks.spawn(async move {
            let body = format!("stream {i}: {}", "x".repeat(i * 37 % 4000));
            let req = http::Request::post(uri)
                .body(Full::new(Bytes::from(body.clone())))
                .expect("request");
            sender.ready().await.expect("connection ready");
            let resp = sender.send_request(req).await.expect("answered");
            assert_eq!(resp.status(), 200);
            assert_eq!(resp.version(), http::Version::HTTP_2);
            let got = resp.into_body().collect().await.expect("body").to_bytes();
            assert_eq!(got, body.as_bytes(), "stream {i}'s body came back whole");
        });
    }
    let mut done = 0;
    while let Some(r) = tasks.join_next().await {
        r.expect("a stream");
        done += 1;
    }
    assert_eq!(done, n);
}

fn tls_server(extra: &[&str]) -> (tempfile::TempDir, Server, Printed) {
    let dir = echo_root();
    let mut args = vec!["--tls", "self-signed", "--quiet"];
    args.extend_from_slice(extra);
    let s = serve_root(&dir, &args);
    let lines = if extra.contains(&"--tls-port") { 2 } else { 1 };
    let p = printed(&s, lines);
    (dir, s, p)
}

#[test]
fn self_signed_https_speaks_http2_and_http11_to_a_client_trusting_the_printed_file() {
    let (_dir, s, p) = tls_server(&[]);
    assert!(s.url.starts_with("https://127.0.0.1:"), "{}", s.url);
    let cert = p.cert.expect("the certificate's file is printed");
    assert!(
        p.line.contains("localhost") && p.line.contains("127.0.0.1"),
        "{}",
        p.line
    );
    assert_eq!(
        p.fingerprint.as_deref(),
        Some(fingerprint_of(&cert).as_str()),
        "the printed fingerprint is the file's"
    );
    let cacert = cert.display().to_string();
    let url = format!("{}/echo", s.url);
    let localhost = url.replace("127.0.0.1", "localhost");
    for u in [&url, &localhost] {
        let (body, version, code) = curl(&["--cacert", &cacert, "--http2", "--data", "over h2", u]);
        assert_eq!(
            (body.as_str(), version.as_str(), code),
            ("over h2", "2", 200)
        );
        let (body, version, code) =
            curl(&["--cacert", &cacert, "--http1.1", "--data", "over 1.1", u]);
        assert_eq!(
            (body.as_str(), version.as_str(), code),
            ("over 1.1", "1.1", 200),
            "ALPN falls back to http/1.1"
        );
    }
    let (_, _, code) = curl(&["-k", &url]);
    assert_eq!(code, 200, "curl -k");
    // Plain HTTP to the HTTPS port is not answered as HTTP.
    let plain = url.replace("https://", "http://");
    let out = Command::new("curl")
        .args([
            "-s",
            "--max-time",
            "5",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &plain,
        ])
        .output()
        .expect("curl");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "000");
}

#[test]
fn http_and_https_are_served_on_two_ports_at_once() {
    let (_dir, s, p) = tls_server(&["--tls-port", "0"]);
    assert!(s.url.starts_with("http://"), "{}", s.url);
    let https = p.also.first().expect("the HTTPS URL is printed").clone();
    assert!(https.starts_with("https://127.0.0.1:"), "{https}");
    assert_ne!(https.replace("https", "http"), s.url);
    let cacert = p.cert.expect("cert").display().to_string();
    let (body, version, _) = curl(&["--data", "plain", &format!("{}/echo", s.url)]);
    assert_eq!((body.as_str(), version.as_str()), ("plain", "1.1"));
    let (body, version, _) = curl(&[
        "--cacert",
        &cacert,
        "--data",
        "tls",
        &format!("{https}/echo"),
    ]);
    assert_eq!((body.as_str(), version.as_str()), ("tls", "2"));
    // The journal says which came over TLS (HTTP/2 carries the scheme; HTTP/1.1 does
    // not, and is journalled https all the same).
    let (_, _, _) = curl(&[
        "--cacert",
        &cacert,
        "--http1.1",
        "--data",
        "tls 1.1",
        &format!("{https}/echo"),
    ]);
    let (journal, _, code) = curl(&[&format!("{}/__admin/requests", s.url)]);
    assert_eq!(code, 200, "{journal}");
    let v: serde_json::Value = serde_json::from_str(&journal).expect("JSON");
    let mut seen: Vec<(String, String, bool)> = v["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|r| {
            let q = &r["request"];
            let scheme = q["scheme"].as_str().unwrap_or("").to_string();
            let absolute = q["absoluteUrl"].as_str().unwrap_or("");
            let body = q["body"].as_str().unwrap_or("").to_string();
            let agrees = absolute.starts_with(&format!("{scheme}://"));
            (body, scheme, agrees)
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        [
            ("plain".to_string(), "http".to_string(), true),
            ("tls".to_string(), "https".to_string(), true),
            ("tls 1.1".to_string(), "https".to_string(), true),
        ],
        "{journal}"
    );
}

#[test]
fn given_pem_files_are_served_and_unusable_ones_are_named() {
    let dir = tempfile::tempdir().expect("dir");
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).expect("cert");
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert, made.cert.pem()).expect("write");
    std::fs::write(&key, made.signing_key.serialize_pem()).expect("write");
    let (cert_s, key_s) = (cert.display().to_string(), key.display().to_string());
    let s = Server::start(&[
        &example("petstore.yaml"),
        "--tls-cert",
        &cert_s,
        "--tls-key",
        &key_s,
        "--quiet",
    ]);
    let p = printed(&s, 1);
    assert_eq!(p.cert.as_deref(), Some(cert.as_path()));
    assert_eq!(p.fingerprint, Some(fingerprint_of(&cert)));
    let url = format!("{}/pets", s.url).replace("127.0.0.1", "localhost");
    let (_, version, code) = curl(&["--cacert", &cert_s, &url]);
    assert_eq!((version.as_str(), code), ("2", 200));

    let (code, _, err) = run(&[
        "serve",
        &example("petstore.yaml"),
        "--port",
        "0",
        "--tls-cert",
        &cert_s,
        "--tls-key",
        &cert_s,
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("TLS key") && err.contains("cert.pem"), "{err}");
    let (code, _, err) = run(&["serve", &example("petstore.yaml"), "--tls-cert", &cert_s]);
    assert_eq!(code, 2);
    assert!(err.contains("--tls-cert needs --tls-key"), "{err}");
    let (code, _, err) = run(&["serve", &example("petstore.yaml"), "--tls", "bogus"]);
    assert_eq!(code, 2);
    assert!(err.contains("self-signed"), "{err}");
    let (code, _, err) = run(&["serve", &example("petstore.yaml"), "--tls-port", "4443"]);
    assert_eq!(code, 2);
    assert!(err.contains("needs a certificate"), "{err}");
}

#[test]
fn cleartext_http2_with_prior_knowledge_and_http11_share_the_port() {
    let dir = echo_root();
    let s = serve_root(&dir, &["--quiet"]);
    let url = format!("{}/echo", s.url);
    let (body, version, _) = curl(&["--http2-prior-knowledge", "--data", "h2c", &url]);
    assert_eq!((body.as_str(), version.as_str()), ("h2c", "2"));
    let (body, version, _) = curl(&["--data", "h1", &url]);
    assert_eq!((body.as_str(), version.as_str()), ("h1", "1.1"));
}

#[test]
fn hundreds_of_concurrent_http2_streams_with_bodies_over_tls_and_cleartext() {
    let (_dir, s, p) = tls_server(&["--tls-port", "0"]);
    let https = p.also[0].clone();
    let cert = p.cert.expect("cert");
    runtime().block_on(async {
        let cleartext = h2(&s.url, None).await;
        concurrent_echoes(&cleartext, &s.url, 300).await;
        let tls = h2(&https, Some(&cert)).await;
        concurrent_echoes(&tls, &https.replace("127.0.0.1", "localhost"), 300).await;
    });
}

#[test]
fn http2_concurrent_streams_are_limited_per_connection() {
    let dir = echo_root();
    let timed = |limit: &str| {
        let s = serve_root(&dir, &["--quiet", "--max-concurrent-streams", limit]);
        runtime().block_on(async {
            let mut sender = h2(&s.url, None).await;
            // A first answer: the server's SETTINGS, with its stream limit, are in by
            // then (a client that opens streams before them gets the extra ones
            // refused).
            let first = empty_get(format!("{}/echo", s.url));
            assert_eq!(
                sender.send_request(first).await.expect("answered").status(),
                200
            );
            let started = Instant::now();
            let mut tasks = tokio::task::JoinSet::new();
            for _ in 0..6 {
                let mut sender = sender.clone();
                let uri = format!("{}/slow", s.url);
                tasks.spawn(async move {
                    sender.ready().await.expect("ready");
                    let req = empty_get(uri);
                    sender.send_request(req).await.expect("answered").status()
                });
            }
            while let Some(status) = tasks.join_next().await {
                assert_eq!(status.expect("task"), 200);
            }
            started.elapsed()
        })
    };
    // Six 300 ms requests two at a time take three rounds; ten at a time, one.
    let limited = timed("2");
    assert!(limited >= Duration::from_millis(850), "{limited:?}");
    let free = timed("10");
    assert!(free < Duration::from_millis(800), "{free:?}");
}

/// A raw HTTP/1.1 exchange: sends `request`, reads until the server closes or 10 s pass.
fn raw(s: &Server, request: &[u8]) -> String {
    let mut c = connect(s);
    c.write_all(request).expect("write");
    let mut got = Vec::new();
    let _ = c.read_to_end(&mut got);
    String::from_utf8_lossy(&got).into_owned()
}

fn connect(s: &Server) -> TcpStream {
    let c = TcpStream::connect(s.url.trim_start_matches("http://")).expect("connect");
    c.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    c
}

fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {response:?}"))
}

#[test]
fn each_limit_has_its_answer_and_its_setting() {
    let dir = echo_root();
    let s = serve_root(
        &dir,
        &[
            "--quiet",
            "--max-uri-length",
            "100",
            "--max-header-bytes",
            "8K",
            "--max-headers",
            "10",
            "--max-body",
            "1K",
        ],
    );
    let long = format!("/echo?{}", "a".repeat(100));
    let (status, body) = json(s.get(&long).send().expect("sent"));
    assert_eq!(status, 414);
    assert_eq!(body["type"], "https://standin.dev/problems/uri-too-long");
    assert!(
        body["detail"]
            .as_str()
            .unwrap_or("")
            .contains("--max-uri-length")
    );
    let fits = format!("/echo?{}", "a".repeat(94));
    assert_eq!(s.get(&fits).send().expect("sent").status(), 200);

    let big = "v".repeat(9000);
    let resp = raw(
        &s,
        format!("GET /echo HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\n\r\n").as_bytes(),
    );
    assert_eq!(status_of(&resp), 431, "{resp}");
    let many: String = (0..11).map(|i| format!("X-H{i}: v\r\n")).collect();
    let resp = raw(
        &s,
        format!("GET /echo HTTP/1.1\r\nHost: x\r\n{many}\r\n").as_bytes(),
    );
    assert_eq!(status_of(&resp), 431, "{resp}");
    let resp = s
        .req("POST", "/echo")
        .body(vec![b'x'; 2000])
        .send()
        .expect("sent");
    assert_eq!(resp.status(), 413);
    let resp = s
        .req("POST", "/echo")
        .body(vec![b'x'; 1000])
        .send()
        .expect("sent");
    assert_eq!(resp.status(), 200);

    // The same limits on HTTP/2.
    let url = format!("{}/echo", s.url);
    let (_, version, code) = curl(&["--http2-prior-knowledge", &format!("{}{long}", s.url)]);
    assert_eq!((version.as_str(), code), ("2", 414));
    let mut args = vec!["--http2-prior-knowledge".to_string()];
    for i in 0..11 {
        args.extend(["-H".to_string(), format!("x-h{i}: v")]);
    }
    args.push(url.clone());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, version, code) = curl(&args);
    assert_eq!((version.as_str(), code), ("2", 431));
    let header = format!("x-big: {big}");
    let (_, version, code) = curl(&["--http2-prior-knowledge", "-H", &header, &url]);
    assert_eq!((version.as_str(), code), ("2", 431));

    let (code, _, err) = run(&[
        "serve",
        &example("petstore.yaml"),
        "--max-header-bytes",
        "1K",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("max-header-bytes"), "{err}");
    let (code, _, err) = run(&["serve", &example("petstore.yaml"), "--idle-timeout", "soon"]);
    assert_eq!(code, 2);
    assert!(err.contains("--idle-timeout soon"), "{err}");
}

#[test]
fn connections_past_the_limit_get_503_until_one_closes() {
    let s = Server::start(&[
        &example("petstore.yaml"),
        "--quiet",
        "--max-connections",
        "2",
    ]);
    let held: Vec<TcpStream> = (0..2).map(|_| connect(&s)).collect();
    // The server counts a connection once it has accepted it.
    std::thread::sleep(Duration::from_millis(300));
    let resp = raw(&s, b"GET /pets HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status_of(&resp), 503, "{resp}");
    assert!(
        resp.to_ascii_lowercase().contains("retry-after: 1"),
        "{resp}"
    );
    drop(held);
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let resp = raw(
            &s,
            b"GET /pets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        );
        if status_of(&resp) == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "a closed connection frees its place"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A mock with a header-read timeout of 1 s.
fn impatient_server() -> Server {
    Server::start(&[
        &example("petstore.yaml"),
        "--quiet",
        "--header-read-timeout",
        "1s",
    ])
}

/// Sends `opening`, then `trickle` one byte every 100 ms from a thread of its own, which
/// ends with how long the server let it write; it panics if the server never cuts it off.
fn trickle(s: &Server, opening: &[u8], trickle: Vec<u8>) -> std::thread::JoinHandle<Duration> {
    let mut slow = connect(s);
    let started = Instant::now();
    slow.write_all(opening).expect("write");
    std::thread::spawn(move || {
        for b in &trickle {
            if slow.write_all(std::slice::from_ref(b)).is_err() {
                return started.elapsed();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("the server never cut the trickling client off");
    })
}

/// Whether a trickling client was cut off about 1 s after it began.
fn cut_off_after_a_second(cut: std::thread::JoinHandle<Duration>) {
    let after = cut.join().expect("trickler");
    assert!(
        after >= Duration::from_millis(900) && after < Duration::from_secs(4),
        "{after:?}"
    );
}

#[test]
fn a_client_trickling_its_headers_is_cut_off_after_the_header_read_timeout() {
    let s = impatient_server();
    // For up to 10 s: never a whole head.
    let cut = trickle(&s, b"GET /pets HTTP/1.1\r\nHost: x\r\n", vec![b'X'; 100]);
    // Meanwhile others are served.
    assert_eq!(s.get("/pets").send().expect("sent").status(), 200);
    cut_off_after_a_second(cut);
}

/// An HTTP/2 frame on `stream`: its 9-byte header, then `payload`.
fn h2_frame(kind: u8, flags: u8, stream: u8, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).expect("small").to_be_bytes();
    let mut f = vec![len[1], len[2], len[3], kind, flags, 0, 0, 0, stream];
    f.extend_from_slice(payload);
    f
}

#[test]
fn an_http2_client_trickling_a_header_block_is_cut_off_after_the_header_read_timeout() {
    let s = impatient_server();
    // Prior knowledge: the preface, empty settings, then a HEADERS frame that declares
    // 200 bytes of header block and sends them one every 100 ms.
    let mut opening = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    opening.extend(h2_frame(0x4, 0, 0, &[]));
    let headers = h2_frame(0x1, 0x4 | 0x1, 1, &[0x82; 200]);
    opening.extend(&headers[..12]);
    let cut = trickle(&s, &opening, headers[12..].to_vec());
    runtime().block_on(async {
        // Meanwhile another HTTP/2 client is served, and a connection that only waits
        // between its requests is idle, not late: it outlives the header timeout.
        let mut sender = h2(&s.url, None).await;
        let first = sender.send_request(empty_get(format!("{}/pets", s.url)));
        assert_eq!(first.await.expect("answered").status(), 200);
        tokio::time::sleep(Duration::from_millis(1600)).await;
        let again = sender.send_request(empty_get(format!("{}/pets", s.url)));
        assert_eq!(again.await.expect("answered after a wait").status(), 200);
    });
    cut_off_after_a_second(cut);
}

#[test]
fn idle_connections_and_stalled_bodies_are_closed_after_the_idle_timeout() {
    let dir = echo_root();
    let s = serve_root(
        &dir,
        &[
            "--quiet",
            "--idle-timeout",
            "1s",
            "--header-read-timeout",
            "off",
        ],
    );
    let closed_within = |mut c: TcpStream| {
        let started = Instant::now();
        let mut buf = Vec::new();
        let _ = c.read_to_end(&mut buf);
        (
            started.elapsed(),
            String::from_utf8_lossy(&buf).into_owned(),
        )
    };
    // A kept-alive connection after its answer.
    let mut c = connect(&s);
    c.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let (took, got) = closed_within(c);
    assert!(
        got.contains("slept"),
        "the request is answered first: {got}"
    );
    assert!(
        took >= Duration::from_millis(1200) && took < Duration::from_secs(4),
        "{took:?}"
    );
    // A dribbled answer waits 1.5 s between pieces: the server's wait, not idleness.
    let mut c = connect(&s);
    c.write_all(b"GET /dribble HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let (_, got) = closed_within(c);
    assert!(
        got.ends_with("0123456789") || got.contains("\r\n01234\r\n"),
        "{got}"
    );
    assert!(got.contains("56789"), "the whole dribble arrives: {got}");
    // A body that stops half way.
    let mut c = connect(&s);
    c.write_all(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nhalf")
        .expect("write");
    let (took, _) = closed_within(c);
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(4),
        "{took:?}"
    );
    // An HTTP/2 connection with no stream open.
    runtime().block_on(async {
        let mut sender = h2(&s.url, None).await;
        let req = empty_get(format!("{}/slow", s.url));
        assert_eq!(
            sender.send_request(req).await.expect("answered").status(),
            200
        );
        let started = Instant::now();
        while !sender.is_closed() && started.elapsed() < Duration::from_secs(5) {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(900) && took < Duration::from_secs(4),
            "{took:?}"
        );
    });
}

#[test]
fn sigterm_lets_requests_in_flight_finish_refuses_new_ones_and_exits_0() {
    let mut s = Server::start(&[&example("petstore.yaml"), "--quiet", "--delay", "1500"]);
    let addr = s.url.trim_start_matches("http://").to_string();
    // An idle kept-alive connection must not hold the shutdown up.
    let idle = connect(&s);
    let url = format!("{}/pets", s.url);
    let in_flight = std::thread::spawn(move || {
        let resp = reqwest::blocking::get(&url).expect("answered despite the shutdown");
        (resp.status().as_u16(), resp.text().expect("body"))
    });
    std::thread::sleep(Duration::from_millis(400));
    let signalled = Instant::now();
    s.signal("TERM");
    std::thread::sleep(Duration::from_millis(200));
    assert!(
        TcpStream::connect(&addr).is_err(),
        "a stopping server accepts no connection"
    );
    let (status, body) = in_flight.join().expect("client");
    assert_eq!(status, 200, "{body}");
    assert!(body.starts_with('['), "{body}");
    assert_eq!(s.wait_exit(5), Some(0));
    let took = signalled.elapsed();
    assert!(took < Duration::from_secs(3), "{took:?}");
    drop(idle);
}

#[test]
fn the_grace_period_bounds_the_wait_for_requests_in_flight() {
    let mut s = Server::start(&[
        &example("petstore.yaml"),
        "--quiet",
        "--delay",
        "20000",
        "--shutdown-grace",
        "500ms",
    ]);
    let url = format!("{}/pets", s.url);
    let in_flight = std::thread::spawn(move || reqwest::blocking::get(&url).is_err());
    std::thread::sleep(Duration::from_millis(300));
    let signalled = Instant::now();
    s.signal("INT");
    assert_eq!(
        s.wait_exit(5),
        Some(0),
        "Ctrl-C exits 0 after the grace period"
    );
    let took = signalled.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(3),
        "{took:?}"
    );
    assert!(in_flight.join().expect("client"), "the cut request fails");
    let cut: Vec<String> = s.errors.try_iter().collect();
    assert!(
        cut.iter().any(|l| l.contains("1 connections still busy")),
        "{cut:?}"
    );
}

fn versioned(v: usize) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: r, version: '1'}}\npaths:\n  /v:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {{version: {v}}}\n"
    )
}

/// Rewrites a source 100 times with `write(version)` while four clients send GET
/// `path` without pause; each version must be served (its body contains `"version":N`)
/// before the next, and no client request may fail.
fn hundred_reloads_under_load(s: &Server, path: &str, write: impl Fn(usize)) {
    let url = format!("{}{path}", s.url);
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> =
        (0..4)
            .map(|_| {
                let (url, stop, sent) = (url.clone(), stop.clone(), sent.clone());
                std::thread::spawn(move || {
                    let client = reqwest::blocking::Client::new();
                    let mut failures = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        sent.fetch_add(1, Ordering::Relaxed);
                        let outcome = client.get(&url).send().map_err(|e| e.to_string()).and_then(
                            |r| match r.status().as_u16() {
                                200 => r.text().map_err(|e| e.to_string()),
                                other => Err(format!("status {other}")),
                            },
                        );
                        if let Err(e) = outcome {
                            failures.push(e);
                        }
                    }
                    failures
                })
            })
            .collect();
    let probe = reqwest::blocking::Client::new();
    for v in 1..=100 {
        write(v);
        let want = format!("\"version\":{v}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let body = probe
                .get(&url)
                .send()
                .and_then(|r| r.text())
                .expect("probe");
            if body.replace(' ', "").contains(&want) {
                break;
            }
            assert!(Instant::now() < deadline, "version {v} is served: {body}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    stop.store(true, Ordering::Relaxed);
    let failures: Vec<String> = clients
        .into_iter()
        .flat_map(|c| c.join().expect("client"))
        .collect();
    let sent = sent.load(Ordering::Relaxed);
    assert!(
        sent > 400,
        "load kept up during the reloads: {sent} requests"
    );
    assert!(
        failures.is_empty(),
        "{} of {sent} failed: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
}

#[test]
fn a_hundred_document_reloads_under_load_fail_no_request() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("api.yaml");
    std::fs::write(&path, versioned(0)).expect("write");
    let s = Server::start(&[path.to_str().expect("path"), "--watch", "--quiet"]);
    hundred_reloads_under_load(&s, "/v", |v| {
        std::fs::write(&path, versioned(v)).expect("write")
    });
}

#[test]
fn a_hundred_stub_reloads_under_load_fail_no_request() {
    let stub = |v: usize| {
        format!(
            r#"{{"request": {{"urlPath": "/v"}}, "response": {{"status": 200, "jsonBody": {{"version": {v}}}}}}}"#
        )
    };
    let dir = stub_root(&[("v.json", stub(0))]);
    let file = dir.path().join("mappings").join("v.json");
    let s = serve_root(&dir, &["--watch", "--quiet"]);
    hundred_reloads_under_load(&s, "/v", |v| std::fs::write(&file, stub(v)).expect("write"));
}

#[test]
fn a_config_file_sets_tls_per_mock_and_the_limits_at_the_top() {
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("standin.yaml");
    std::fs::write(
        &config,
        format!(
            "max-uri-length: 100\nmax-body: 1K\nshutdown-grace: 1\nquiet: true\nmocks:\n  - name: secure\n    sources: [{}]\n    port: 0\n    tls: self-signed\n  - name: plain\n    sources: [{}]\n    port: 0\n",
            example("petstore.yaml"),
            example("petstore.yaml")
        ),
    )
    .expect("write");
    let s = Server::start(&["--config", config.to_str().expect("path")]);
    assert!(s.url.starts_with("https://"), "{}", s.url);
    let p = printed(&s, 1);
    assert!(p.line.contains("secure-"), "{}", p.line);
    let plain = s.next_line(10).expect("the second mock's URL");
    assert!(plain.starts_with("http://"), "{plain}");
    let long = format!("/pets?{}", "a".repeat(100));
    let (_, _, code) = curl(&["-k", &format!("{}{long}", s.url)]);
    assert_eq!(code, 414);
    let (_, _, code) = curl(&[&format!("{plain}{long}")]);
    assert_eq!(code, 414);
}

#[test]
fn on_sigterm_http2_streams_in_flight_finish_and_the_connection_gets_goaway() {
    let dir = echo_root();
    let mut s = serve_root(&dir, &["--quiet"]);
    let url = s.url.clone();
    let pid = s.pid();
    let (status, closed) = runtime().block_on(async move {
        let mut sender = h2(&url, None).await;
        let req = empty_get(format!("{url}/slow"));
        let in_flight = tokio::spawn(sender.send_request(req));
        tokio::time::sleep(Duration::from_millis(100)).await;
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status();
        let resp = in_flight
            .await
            .expect("task")
            .expect("answered after the signal");
        let status = resp.status();
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        assert_eq!(&body[..], b"slept");
        // GOAWAY: the connection takes no new stream.
        let deadline = Instant::now() + Duration::from_secs(3);
        while !sender.is_closed() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        (status, sender.is_closed())
    });
    assert_eq!(status, 200);
    assert!(closed, "the connection is closed after its last stream");
    assert_eq!(s.wait_exit(5), Some(0));
}

#[test]
fn faults_reach_the_wire_through_tls() {
    let faults = [
        ("EMPTY_RESPONSE", 52),
        ("CONNECTION_RESET_BY_PEER", 56),
        ("MALFORMED_RESPONSE_CHUNK", 56),
    ];
    let files: Vec<(String, String)> = faults
        .iter()
        .map(|(f, _)| {
            (
                format!("{f}.json"),
                format!(r#"{{"request": {{"urlPath": "/{f}"}}, "response": {{"fault": "{f}"}}}}"#),
            )
        })
        .collect();
    let dir = stub_root(&files);
    let s = serve_root(&dir, &["--quiet", "--tls", "self-signed"]);
    let exit = |args: &[&str]| {
        Command::new("curl")
            .args(["-sk", "--max-time", "10", "-o", "/dev/null"])
            .args(args)
            .status()
            .expect("curl")
            .code()
    };
    for (fault, code) in faults {
        let url = format!("{}/{fault}", s.url);
        // curl: 52 empty reply, 56 failure receiving (a reset, a broken chunk).
        assert_eq!(
            exit(&["--http1.1", &url]),
            Some(code),
            "{fault} over HTTP/1.1"
        );
        // On HTTP/2 a fault resets its stream: curl's 92.
        assert_eq!(exit(&[&url]), Some(92), "{fault} over HTTP/2");
    }
    let (_, _, code) = curl(&["-k", &format!("{}/nothing-here", s.url)]);
    assert_eq!(code, 404, "the server serves on");
}

#[test]
fn the_admin_api_s_shutdown_is_as_graceful_as_sigterm() {
    let mut s = Server::start(&[&example("petstore.yaml"), "--quiet", "--delay", "1500"]);
    let url = format!("{}/pets", s.url);
    let in_flight = std::thread::spawn(move || {
        let resp = reqwest::blocking::get(&url).expect("answered despite the shutdown");
        resp.status().as_u16()
    });
    std::thread::sleep(Duration::from_millis(400));
    let asked = Instant::now();
    let resp = s.req("POST", "/__admin/shutdown").send().expect("answered");
    assert_eq!(resp.status(), 200);
    assert_eq!(in_flight.join().expect("client"), 200);
    assert_eq!(s.wait_exit(5), Some(0));
    let took = asked.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(3),
        "{took:?}"
    );
}
