//! Proxying against a real upstream on 127.0.0.1 (a second standin): `proxyBaseUrl`
//! stubs, partial mocks (`--upstream`), an unreachable upstream.

use crate::stubs_support::{serve_root, stub_root};
use crate::support::{Server, fixture, header, json};

/// An upstream that answers every request with what it received: method, URL, a few
/// headers and the body, status 207 and a header of its own.
fn echo_upstream() -> (tempfile::TempDir, Server) {
    let echo = r#"{
        "request": {"urlPattern": ".*"},
        "response": {
            "status": 207,
            "headers": {"X-Upstream": "echo", "Content-Type": "text/plain"},
            "body": "{{request.method}} {{request.url}} added={{request.headers.X-Added}} secret={{request.headers.X-Secret}} host={{request.headers.Host}} body={{request.body}}",
            "transformers": ["response-template"]
        }
    }"#;
    let dir = stub_root(&[("echo.json", echo)]);
    let server = serve_root(&dir, &[]);
    (dir, server)
}

fn host_of(s: &Server) -> String {
    s.url.trim_start_matches("http://").to_string()
}

#[test]
fn proxy_base_url_stub_forwards_to_the_upstream() {
    let (_u, upstream) = echo_upstream();
    let stub = format!(
        r#"{{
        "id": "8d6e6b8f-2a7b-4b46-9f4f-0c8a2f6d1e01",
        "request": {{"urlPathPattern": "/api/.*"}},
        "response": {{
            "proxyBaseUrl": "{}/base",
            "proxyUrlPrefixToRemove": "/api",
            "additionalProxyRequestHeaders": {{"X-Added": "yes"}},
            "removeProxyRequestHeaders": ["X-Secret"]
        }}
    }}"#,
        upstream.url
    );
    let dir = stub_root(&[("proxy.json", stub)]);
    let front = serve_root(&dir, &[]);
    let resp = front
        .req("POST", "/api/users?a=1")
        .header("X-Secret", "s3")
        .body("hello")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 207);
    assert_eq!(header(&resp, "x-upstream").as_deref(), Some("echo"));
    assert_eq!(
        header(&resp, "matched-stub-id").as_deref(),
        Some("8d6e6b8f-2a7b-4b46-9f4f-0c8a2f6d1e01")
    );
    let body = resp.text().unwrap();
    assert_eq!(
        body,
        format!(
            "POST /base/users?a=1 added=yes secret= host={} body=hello",
            host_of(&upstream)
        )
    );
    // The journal keeps the upstream's answer and says it was proxied.
    let (_, events) = json(front.get("/__admin/requests").send().unwrap());
    let event = &events["requests"][0];
    assert_eq!(event["why"]["answerer"], "stub");
    assert_eq!(event["why"]["note"], "proxied");
    assert_eq!(event["response"]["status"], 207);
}

#[test]
fn unreachable_upstream_answers_502_naming_it() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let stub =
        format!(r#"{{"request": {{"method": "ANY"}}, "response": {{"proxyBaseUrl": "{base}"}}}}"#);
    let dir = stub_root(&[("proxy.json", stub)]);
    let front = serve_root(&dir, &[]);
    let resp = front.get("/anything").send().unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/problem+json")
    );
    let (status, body) = json(resp);
    assert_eq!(status, 502);
    assert_eq!(body["upstream"], base);
    assert!(
        body["detail"].as_str().unwrap().contains("/anything"),
        "{body}"
    );
}

#[test]
fn partial_mock_forwards_what_no_source_answers() {
    let (_u, upstream) = echo_upstream();
    let front = Server::start(&[&fixture("openapi31.yaml"), "--upstream", &upstream.url]);
    // The document answers its own operations.
    let (status, body) = json(front.get("/constant").send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(body["kind"], "widget");
    // What it does not describe goes upstream and comes back as it came.
    let resp = front.get("/not/in/the/document?x=1").send().unwrap();
    assert_eq!(resp.status().as_u16(), 207);
    assert_eq!(header(&resp, "x-upstream").as_deref(), Some("echo"));
    assert!(
        resp.text()
            .unwrap()
            .starts_with("GET /not/in/the/document?x=1 ")
    );
    // A forced directive is the mock's to answer: never forwarded.
    let resp = front
        .get("/not/in/the/document")
        .header("Prefer", "code=200")
        .send()
        .unwrap();
    assert_eq!(header(&resp, "x-upstream"), None);
    assert_eq!(resp.status().as_u16(), 404);
    // The journal and the log say the upstream answered.
    let (_, events) = json(front.get("/__admin/requests").send().unwrap());
    let proxied: Vec<_> = events["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["why"]["answerer"] == "upstream")
        .collect();
    assert_eq!(proxied.len(), 1, "{events}");
    assert_eq!(proxied[0]["why"]["note"], "proxied");
    assert_eq!(proxied[0]["why"]["source"], upstream.url.as_str());
    let logged: Vec<String> = std::iter::from_fn(|| front.next_line(5))
        .take_while(|l| !l.contains("/__admin"))
        .collect();
    assert!(
        logged
            .iter()
            .any(|l| l.contains("/not/in/the/document?x=1") && l.contains("proxied")),
        "{logged:?}"
    );
}

#[test]
fn an_upstream_that_is_not_a_url_is_refused() {
    let (code, _, err) =
        crate::support::run(&["serve", &fixture("openapi31.yaml"), "--upstream", "ftp://x"]);
    assert_ne!(code, 0);
    assert!(err.contains("upstream"), "{err}");
}

#[test]
fn recording_turns_proxied_traffic_into_stubs_that_replay() {
    let (_u, upstream) = echo_upstream();
    let dir = stub_root(&[] as &[(&str, &str)]);
    let front = serve_root(&dir, &[]);
    let (_, status) = json(front.get("/__admin/recordings/status").send().unwrap());
    assert_eq!(status["status"], "NeverStarted");
    let start = front
        .req("POST", "/__admin/recordings/start")
        .body(format!(r#"{{"targetBaseUrl": "{}"}}"#, upstream.url))
        .send()
        .unwrap();
    assert_eq!(start.status().as_u16(), 200);
    let (_, status) = json(front.get("/__admin/recordings/status").send().unwrap());
    assert_eq!(status["status"], "Recording");
    let first = front.get("/things/1").send().unwrap().text().unwrap();
    assert!(first.starts_with("GET /things/1 "), "{first}");
    // The same request twice: a scenario.
    front.get("/twice").send().unwrap();
    front.get("/twice").send().unwrap();
    let posted = front
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(r#"{"qty": 2}"#)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let (code, stopped) = json(
        front
            .req("POST", "/__admin/recordings/stop")
            .send()
            .unwrap(),
    );
    assert_eq!(code, 200);
    let mappings = stopped["mappings"].as_array().unwrap();
    assert_eq!(mappings.len(), 4, "{stopped}");
    let twice: Vec<_> = mappings
        .iter()
        .filter(|m| m["request"]["url"] == "/twice")
        .collect();
    assert_eq!(twice[0]["requiredScenarioState"], "Started");
    assert_eq!(
        twice[0]["newScenarioState"],
        twice[1]["requiredScenarioState"]
    );
    let order = mappings
        .iter()
        .find(|m| m["request"]["url"] == "/orders")
        .unwrap();
    assert_eq!(
        order["request"]["bodyPatterns"][0]["equalToJson"],
        r#"{"qty": 2}"#
    );
    assert_eq!(order["response"]["status"], 207);
    assert_eq!(order["response"]["headers"]["x-upstream"], "echo");
    assert!(
        order["response"]["headers"]
            .get("matched-stub-id")
            .is_none()
    );
    let (_, status) = json(front.get("/__admin/recordings/status").send().unwrap());
    assert_eq!(status["status"], "Stopped");

    // The upstream gone, the recorded stubs answer.
    drop(upstream);
    let again = front.get("/things/1").send().unwrap();
    assert_eq!(again.status().as_u16(), 207);
    assert_eq!(again.text().unwrap(), first);
    let again = front
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(r#"{ "qty" : 2 }"#)
        .send()
        .unwrap();
    assert_eq!(again.text().unwrap(), posted);
}

#[test]
fn snapshot_records_what_a_proxy_stub_answered() {
    let (_u, upstream) = echo_upstream();
    let stub = format!(
        r#"{{"request": {{"method": "ANY"}}, "response": {{"proxyBaseUrl": "{}"}}}}"#,
        upstream.url
    );
    let dir = stub_root(&[("proxy.json", stub)]);
    let front = serve_root(&dir, &[]);
    front.get("/a").send().unwrap();
    let (code, snap) = json(
        front
            .req("POST", "/__admin/recordings/snapshot")
            .body(r#"{"persist": false}"#)
            .send()
            .unwrap(),
    );
    assert_eq!(code, 200);
    assert_eq!(snap["mappings"].as_array().unwrap().len(), 1, "{snap}");
    assert_eq!(snap["mappings"][0]["request"]["url"], "/a");
    assert_eq!(snap["mappings"][0]["response"]["status"], 207);
    // Not persisted: only the proxy stub is there.
    let (_, list) = json(front.get("/__admin/mappings").send().unwrap());
    assert_eq!(list["mappings"].as_array().unwrap().len(), 1);
}

/// An upstream breaking `/constant`'s schema unless asked `?good=1`, echoing the rest.
fn constant_upstream() -> (tempfile::TempDir, Server) {
    let good = r#"{"request": {"url": "/constant?good=1"}, "priority": 1,
        "response": {"status": 200, "jsonBody": {"kind": "widget", "tags": ["a"]}}}"#;
    let bad = r#"{"request": {"urlPath": "/constant"}, "priority": 2,
        "response": {"status": 200, "jsonBody": {"kind": "gadget", "tags": [1]}}}"#;
    let rest = r#"{"request": {"urlPattern": ".*"}, "priority": 3,
        "response": {"status": 200, "headers": {"Content-Type": "application/json"},
            "body": "{\"id\": 1}"}}"#;
    let dir = stub_root(&[("good.json", good), ("bad.json", bad), ("rest.json", rest)]);
    let server = serve_root(&dir, &[]);
    (dir, server)
}

fn start_proxy(args: &[&str]) -> Server {
    Server::start_command("proxy", args)
}

#[test]
fn validation_proxy_reports_a_response_that_breaks_the_schema() {
    let (_u, upstream) = constant_upstream();
    let front = start_proxy(&[&fixture("openapi31.yaml"), &upstream.url]);
    let resp = front.get("/constant").send().unwrap();
    let violations = header(&resp, "x-standin-violations").unwrap_or_default();
    let (status, body) = json(resp);
    // The answer is the upstream's, unchanged.
    assert_eq!(status, 200);
    assert_eq!(body["kind"], "gadget");
    assert!(violations.contains("response body"), "{violations}");
    // A conforming answer carries no report.
    let resp = front.get("/constant?good=1").send().unwrap();
    assert_eq!(header(&resp, "x-standin-violations"), None);
    // The journal keeps the report.
    let (_, events) = json(front.get("/__admin/requests").send().unwrap());
    let reported: Vec<_> = events["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["why"]["violations"].is_string())
        .collect();
    assert_eq!(reported.len(), 1, "{events}");
    assert_eq!(reported[0]["why"]["answerer"], "upstream");
}

#[test]
fn validation_proxy_reports_or_refuses_an_invalid_request() {
    let (_u, upstream) = constant_upstream();
    let warn = start_proxy(&[&upstream.url, &fixture("validation/params.yaml")]);
    let resp = warn.get("/items/1?limit=0").send().unwrap();
    let violations = header(&resp, "x-standin-violations").unwrap_or_default();
    assert!(violations.contains("limit"), "{violations}");
    let (status, body) = json(resp);
    assert_eq!((status, &body["id"]), (200, &serde_json::json!(1)));

    let enforce = start_proxy(&[
        &fixture("validation/params.yaml"),
        &upstream.url,
        "--validate",
        "enforce",
    ]);
    let resp = enforce.get("/items/1?limit=0").send().unwrap();
    assert!(resp.status().as_u16() >= 400);
    let resp = enforce.get("/items/1?limit=5").send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(header(&resp, "x-standin-violations"), None);
}

/// Records a session through `standin record` to `out` in `format`, stopped by SIGTERM;
/// answers the bodies the upstream gave.
fn record_session(upstream: &Server, out: &str, extra: &[&str]) -> (String, String) {
    let mut args = vec![upstream.url.as_str(), "--out", out];
    args.extend_from_slice(extra);
    let mut rec = Server::start_command("record", &args);
    let first = rec
        .get("/things/1?x=2")
        .header("Authorization", "Bearer s3cret")
        .send()
        .unwrap();
    assert_eq!(first.status().as_u16(), 207);
    let first = first.text().unwrap();
    let posted = rec
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(big_order())
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(rec.terminate(), 0);
    (first, posted)
}

/// A JSON order of 12 KiB.
fn big_order() -> String {
    format!(r#"{{"qty": 2, "note": "{}"}}"#, "n".repeat(12 << 10))
}

#[test]
fn record_to_wiremock_replays_with_serve() {
    let (_u, upstream) = echo_upstream();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec").display().to_string();
    let (first, posted) = record_session(&upstream, &out, &["--format", "wiremock"]);
    drop(upstream);
    // A body over 10 KiB (the 12 KiB request echoed) is written to __files/.
    let files: Vec<_> = std::fs::read_dir(format!("{out}/__files"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
    let replay = Server::start(&[&out]);
    let again = replay.get("/things/1?x=2").send().unwrap();
    assert_eq!(again.status().as_u16(), 207);
    assert_eq!(again.text().unwrap(), first);
    let again = replay
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(big_order())
        .send()
        .unwrap();
    assert_eq!(again.text().unwrap(), posted);
}

#[test]
fn record_to_har_replays_with_serve() {
    let (_u, upstream) = echo_upstream();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("session.har").display().to_string();
    let (first, _) = record_session(&upstream, &out, &["--format", "har"]);
    drop(upstream);
    // Credentials are not written down.
    let har = std::fs::read_to_string(&out).unwrap();
    assert!(!har.contains("s3cret"), "{har}");
    assert!(har.contains("REDACTED"));
    let replay = Server::start(&[&out]);
    let again = replay.get("/things/1?x=2").send().unwrap();
    assert_eq!(again.status().as_u16(), 207);
    assert_eq!(again.text().unwrap(), first);
}

#[test]
fn record_keeps_secrets_when_asked() {
    let (_u, upstream) = echo_upstream();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("session.har").display().to_string();
    record_session(&upstream, &out, &["--format", "har", "--keep-secrets"]);
    let har = std::fs::read_to_string(&out).unwrap();
    assert!(har.contains("Bearer s3cret"), "{har}");
}

#[test]
fn record_writes_only_what_the_filters_keep() {
    let (_u, upstream) = echo_upstream();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rec").display().to_string();
    record_session(
        &upstream,
        &out,
        &["--filter", "/things/*", "--method", "GET"],
    );
    let names: Vec<String> = std::fs::read_dir(format!("{out}/mappings"))
        .unwrap()
        .map(|f| f.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["0001-things-1.json"]);
}

#[test]
fn proxy_without_a_document_only_forwards() {
    let (_u, upstream) = echo_upstream();
    let front = start_proxy(&[&upstream.url]);
    let resp = front.get("/anything").send().unwrap();
    assert_eq!(resp.status().as_u16(), 207);
    assert_eq!(header(&resp, "x-standin-violations"), None);
    assert!(resp.text().unwrap().starts_with("GET /anything "));
}
