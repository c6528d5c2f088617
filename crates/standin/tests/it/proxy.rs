//! Proxying against a real upstream on 127.0.0.1 (a second standin, over HTTP or HTTPS
//! with a certificate the test makes, or a listener of the test's own): `proxyBaseUrl`
//! stubs, partial mocks (`--upstream`), the validation proxy, `standin record` in every
//! format with its round trip through `standin serve`, the recording admin API and its
//! spec, redaction, streamed bodies, HTTP/2 and trust, timeouts and an unreachable
//! upstream.

use crate::stubs_support::{serve_root, stub_root};
use crate::support::{Server, fixture, header, json};

/// An upstream that answers every request with what it received: method, URL, a few
/// headers and the body, status 207 and a header of its own.
fn echo_upstream() -> (tempfile::TempDir, Server) {
    let dir = echo_root();
    let server = serve_root(&dir, &[]);
    (dir, server)
}

/// The stub root of [`echo_upstream`].
fn echo_root() -> tempfile::TempDir {
    let echo = r#"{
        "request": {"urlPattern": ".*"},
        "response": {
            "status": 207,
            "headers": {"X-Upstream": "echo", "Content-Type": "text/plain"},
            "body": "{{request.method}} {{request.url}} added={{request.headers.X-Added}} secret={{request.headers.X-Secret}} host={{request.headers.Host}} body={{request.body}}",
            "transformers": ["response-template"]
        }
    }"#;
    stub_root(&[("echo.json", echo)])
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
    refused(
        &["serve", &fixture("openapi31.yaml"), "--upstream", "ftp://x"],
        "upstream",
    );
}

#[test]
fn recording_turns_proxied_traffic_into_stubs_that_replay() {
    let (_u, upstream) = echo_upstream();
    let (_dir, front) = empty_front();
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

/// A stub root whose one stub proxies every request to `upstream`, served.
fn proxy_stub_front(upstream: &Server) -> (tempfile::TempDir, Server) {
    let stub = format!(
        r#"{{"request": {{"method": "ANY"}}, "response": {{"proxyBaseUrl": "{}"}}}}"#,
        upstream.url
    );
    let dir = stub_root(&[("proxy.json", stub)]);
    let front = serve_root(&dir, &[]);
    (dir, front)
}

#[test]
fn snapshot_records_what_a_proxy_stub_answered() {
    let (_u, upstream) = echo_upstream();
    let (_dir, front) = proxy_stub_front(&upstream);
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

#[test]
fn record_to_postman_replays_with_serve() {
    let (_u, upstream) = echo_upstream();
    let dir = tempfile::tempdir().unwrap();
    let out = dir
        .path()
        .join("session.postman_collection.json")
        .display()
        .to_string();
    let (first, posted) = record_session(&upstream, &out, &["--format", "postman"]);
    drop(upstream);
    let collection = std::fs::read_to_string(&out).unwrap();
    assert!(!collection.contains("s3cret"), "{collection}");
    assert!(collection.contains("REDACTED"));
    let replay = Server::start(&[&out]);
    let again = replay.get("/things/1?x=2").send().unwrap();
    assert_eq!(again.status().as_u16(), 207);
    assert_eq!(header(&again, "x-upstream").as_deref(), Some("echo"));
    assert_eq!(again.text().unwrap(), first);
    let again = replay
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(big_order())
        .send()
        .unwrap();
    assert_eq!(again.text().unwrap(), posted);
}

/// A document of two operations; with `examples`, each answers a fixed example.
fn things_document(examples: bool) -> String {
    let (thing, order) = if examples {
        (
            "\n              example: {id: 7, name: seven from upstream}",
            "\n              example: {order: o-1 from upstream}",
        )
    } else {
        ("", "")
    };
    format!(
        r#"openapi: 3.1.0
info: {{title: things, version: '1'}}
paths:
  /things/{{id}}:
    get:
      parameters: [{{name: id, in: path, required: true, schema: {{type: integer}}}}]
      responses:
        '200':
          description: a thing
          content:
            application/json:
              schema:
                type: object
                properties: {{id: {{type: integer}}, name: {{type: string}}}}{thing}
  /orders:
    post:
      requestBody: {{content: {{application/json: {{schema: {{type: object}}}}}}}}
      responses:
        '201':
          description: made
          content:
            application/json:
              schema:
                type: object
                properties: {{order: {{type: string}}}}{order}
"#
    )
}

#[test]
fn record_to_openapi_examples_writes_the_answers_into_a_copy_that_replays() {
    let dir = tempfile::tempdir().unwrap();
    let upstream_doc = dir.path().join("upstream.yaml");
    std::fs::write(&upstream_doc, things_document(true)).unwrap();
    let bare = dir.path().join("bare.yaml");
    std::fs::write(&bare, things_document(false)).unwrap();
    let upstream = Server::start(&[upstream_doc.to_str().unwrap()]);
    let out = dir.path().join("recorded.yaml").display().to_string();
    let mut rec = Server::start_command(
        "record",
        &[
            &upstream.url,
            "--out",
            &out,
            "--format",
            "openapi-examples",
            bare.to_str().unwrap(),
        ],
    );
    let thing = rec.get("/things/7").send().unwrap().text().unwrap();
    assert!(thing.contains("seven from upstream"), "{thing}");
    let order = rec
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(r#"{"qty": 1}"#)
        .send()
        .unwrap();
    assert_eq!(order.status().as_u16(), 201);
    let order = order.text().unwrap();
    // Not in the document: reported, not written.
    rec.get("/elsewhere").send().unwrap();
    assert_eq!(rec.terminate(), 0);
    let stderr: Vec<String> = rec.errors.try_iter().collect();
    assert!(
        stderr
            .iter()
            .any(|l| l.contains("/elsewhere") && l.contains("no operation")),
        "{stderr:?}"
    );
    drop(upstream);
    // Written as YAML, as its name says.
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.starts_with("openapi:"), "{text}");
    let doc: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
    let examples = &doc["paths"]["/things/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
        ["examples"];
    assert_eq!(
        examples["get-things-7"]["value"]["name"],
        "seven from upstream"
    );
    // The copy replays: the recorded answers, not generated ones.
    let replay = Server::start(&[&out]);
    let again = replay.get("/things/7").send().unwrap();
    assert_eq!(again.status().as_u16(), 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&again.text().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(&thing).unwrap()
    );
    let again = replay
        .req("POST", "/orders")
        .header("Content-Type", "application/json")
        .body(r#"{"qty": 1}"#)
        .send()
        .unwrap();
    assert_eq!(again.status().as_u16(), 201);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&again.text().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(&order).unwrap()
    );
}

#[test]
fn record_to_openapi_examples_without_a_document_is_refused() {
    refused(
        &[
            "record",
            "http://127.0.0.1:9",
            "--out",
            "x.json",
            "--format",
            "openapi-examples",
        ],
        "openapi-examples SPEC",
    );
    refused(
        &[
            "record",
            "http://127.0.0.1:9",
            "/no/such/doc.yaml",
            "--out",
            "x.json",
            "--format",
            "openapi-examples",
        ],
        "/no/such/doc.yaml",
    );
}

#[test]
fn the_recording_api_applies_filters_capture_headers_and_body_extraction() {
    let (_u, upstream) = echo_upstream();
    let (dir, front) = empty_front();
    let spec = serde_json::json!({
        "targetBaseUrl": upstream.url,
        "filters": {"urlPattern": "/keep/.*", "method": "GET"},
        "captureHeaders": {"Accept": {}, "X-Tenant": {"caseInsensitive": true}},
        "extractBodyCriteria": {"textSizeThreshold": "1 kb"},
    });
    let start = front
        .req("POST", "/__admin/recordings/start")
        .body(spec.to_string())
        .send()
        .unwrap();
    assert_eq!(start.status().as_u16(), 200);
    let small = front
        .get("/keep/small")
        .header("Accept", "text/plain")
        .header("X-Tenant", "Acme")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let long_path = format!("/keep/{}", "l".repeat(2 << 10));
    let long = front.get(&long_path).send().unwrap().text().unwrap();
    front.get("/drop/me").send().unwrap();
    front.req("POST", "/keep/posted").send().unwrap();
    let (code, stopped) = json(
        front
            .req("POST", "/__admin/recordings/stop")
            .send()
            .unwrap(),
    );
    assert_eq!(code, 200, "{stopped}");
    let mappings = stopped["mappings"].as_array().unwrap();
    let urls: Vec<&str> = mappings
        .iter()
        .map(|m| m["request"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls, ["/keep/small", long_path.as_str()], "{stopped}");
    let small_stub = &mappings[0];
    assert_eq!(
        small_stub["request"]["headers"]["Accept"],
        serde_json::json!({"equalTo": "text/plain"})
    );
    assert_eq!(
        small_stub["request"]["headers"]["X-Tenant"],
        serde_json::json!({"equalTo": "Acme", "caseInsensitive": true})
    );
    assert!(small_stub["response"]["body"].is_string());
    // The long answer (it echoes the 2 KiB path) went to __files/.
    let file = mappings[1]["response"]["bodyFileName"]
        .as_str()
        .expect("extracted");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("__files").join(file)).unwrap(),
        long
    );
    // The stubs replay, matching the captured headers.
    drop(upstream);
    let again = front
        .get("/keep/small")
        .header("Accept", "text/plain")
        .header("X-Tenant", "ACME")
        .send()
        .unwrap();
    assert_eq!(again.text().unwrap(), small);
    let other = front
        .get("/keep/small")
        .header("Accept", "application/json")
        .send()
        .unwrap();
    assert_eq!(other.status().as_u16(), 404);
    assert_eq!(front.get(&long_path).send().unwrap().text().unwrap(), long);
}

#[test]
fn the_recording_api_refuses_a_spec_it_cannot_read() {
    let (_dir, front) = empty_front();
    for (spec, pointer) in [
        (
            r#"{"targetBaseUrl": "http://127.0.0.1:9", "extractBodyCriteria": {"textSizeThreshold": "lots"}}"#,
            "/extractBodyCriteria/textSizeThreshold",
        ),
        (
            r#"{"targetBaseUrl": "http://127.0.0.1:9", "filters": {"ids": ["x"]}}"#,
            "/filters/ids/0",
        ),
        (
            r#"{"targetBaseUrl": "http://127.0.0.1:9", "captureHeaders": ["Accept"]}"#,
            "/captureHeaders",
        ),
    ] {
        let resp = front
            .req("POST", "/__admin/recordings/start")
            .body(spec)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        assert_eq!(status, 422, "{spec}: {text}");
        assert!(text.contains(pointer), "{spec}: {text}");
    }
    let (_, status) = json(front.get("/__admin/recordings/status").send().unwrap());
    assert_eq!(status["status"], "NeverStarted");
}

#[test]
fn a_snapshot_takes_only_the_serve_events_named_by_id() {
    let (_u, upstream) = echo_upstream();
    let (_dir, front) = proxy_stub_front(&upstream);
    front.get("/a").send().unwrap();
    front.get("/b").send().unwrap();
    let (_, events) = json(front.get("/__admin/requests").send().unwrap());
    let id_of_b = events["requests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["request"]["url"] == "/b")
        .unwrap()["id"]
        .clone();
    let (code, snap) = json(
        front
            .req("POST", "/__admin/recordings/snapshot")
            .body(serde_json::json!({"persist": false, "filters": {"ids": [id_of_b]}}).to_string())
            .send()
            .unwrap(),
    );
    assert_eq!(code, 200);
    let urls: Vec<&serde_json::Value> = snap["mappings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["request"]["url"])
        .collect();
    assert_eq!(urls, [&serde_json::json!("/b")], "{snap}");
}

/// Reads an HTTP/1.1 request head from `s`; answers it and whatever of the body came
/// with it.
fn read_head(s: &mut std::net::TcpStream) -> (String, Vec<u8>) {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 << 10];
    loop {
        let n = s.read(&mut chunk).unwrap();
        assert!(n > 0, "the request ended inside its head");
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let rest = buf.split_off(i + 4);
            return (String::from_utf8_lossy(&buf).into_owned(), rest);
        }
    }
}

const PIECE: usize = 100 << 10;

#[test]
fn an_answer_longer_than_the_journal_keeps_is_passed_on_as_it_arrives() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (go_on, wait) = std::sync::mpsc::channel::<()>();
    let upstream = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        read_head(&mut s);
        let head =
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
        s.write_all(head.as_bytes()).unwrap();
        write!(s, "{PIECE:x}\r\n{}\r\n", "a".repeat(PIECE)).unwrap();
        s.flush().unwrap();
        // The rest only once the client has the first piece: a proxy holding the
        // body whole would never pass it on, and this wait would time out.
        let told = wait
            .recv_timeout(std::time::Duration::from_secs(10))
            .is_ok();
        s.write_all(b"3\r\nend\r\n0\r\n\r\n").unwrap();
        told
    });
    let front = start_proxy(&[&base]);
    let mut resp = front.get("/big").send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let mut got = vec![0u8; PIECE];
    resp.read_exact(&mut got).unwrap();
    assert!(got.iter().all(|b| *b == b'a'));
    go_on.send(()).unwrap();
    let mut rest = String::new();
    resp.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "end");
    assert!(
        upstream.join().unwrap(),
        "the first piece reached the client only after the whole body"
    );
    journalled_truncated(&front, "/big", "response");
}

/// The newest exchange of `front`'s journal is the proxied one of `url`, its `side`'s
/// body (`request` or `response`) kept truncated: some bytes, fewer than [`PIECE`].
fn journalled_truncated(front: &Server, url: &str, side: &str) {
    let (_, events) = json(front.get("/__admin/requests").send().unwrap());
    let event = &events["requests"][0];
    assert_eq!(event["request"]["url"], url);
    assert_eq!(event["why"]["note"], "proxied");
    let kept = event[side]["body"].as_str().unwrap_or_default().len();
    assert!(kept > 0 && kept < PIECE, "{kept} bytes journalled");
}

/// A request body that gives its first [`PIECE`] bytes, then waits to be told before it
/// gives the last three.
struct Trickle {
    sent: usize,
    wait: std::sync::mpsc::Receiver<()>,
    /// Whether it was told before its wait timed out.
    told: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl std::io::Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.sent < PIECE {
            let n = buf.len().min(PIECE - self.sent);
            buf[..n].fill(b'r');
            self.sent += n;
            return Ok(n);
        }
        if self.sent == PIECE {
            let told = self
                .wait
                .recv_timeout(std::time::Duration::from_secs(10))
                .is_ok();
            self.told.store(told, std::sync::atomic::Ordering::SeqCst);
            buf[..3].copy_from_slice(b"end");
            self.sent += 3;
            return Ok(3);
        }
        Ok(0)
    }
}

#[test]
fn a_request_body_is_passed_on_as_it_arrives() {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (go_on, wait) = std::sync::mpsc::channel::<()>();
    let upstream = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let (_, mut body) = read_head(&mut s);
        let mut chunk = [0u8; 16 << 10];
        // Raw chunked bytes: at least the first piece before the client is told.
        while body.iter().filter(|b| **b == b'r').count() < PIECE {
            let n = s.read(&mut chunk).unwrap();
            assert!(n > 0, "the body ended early");
            body.extend_from_slice(&chunk[..n]);
        }
        let _ = go_on.send(());
        while !body.ends_with(b"0\r\n\r\n") {
            let n = s.read(&mut chunk).unwrap();
            assert!(n > 0, "the body ended without its last chunk");
            body.extend_from_slice(&chunk[..n]);
        }
        let whole = String::from_utf8_lossy(&body).into_owned();
        s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            .unwrap();
        whole.contains("end")
    });
    let front = start_proxy(&[&base]);
    let told = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let body = reqwest::blocking::Body::new(Trickle {
        sent: 0,
        wait,
        told: told.clone(),
    });
    let client = reqwest::blocking::Client::new();
    let resp = client
        .post(format!("{}/upload", front.url))
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().unwrap(), "ok");
    assert!(
        upstream.join().unwrap(),
        "the body's end reached the upstream"
    );
    assert!(
        told.load(std::sync::atomic::Ordering::SeqCst),
        "the upstream had the first piece only after the whole body"
    );
    journalled_truncated(&front, "/upload", "request");
}

/// A TLS upstream: a standin serving the echo stubs over HTTPS with a certificate for
/// 127.0.0.1 that the test makes; answers the certificate's PEM file.
fn tls_upstream() -> (tempfile::TempDir, Server, String) {
    let dir = echo_root();
    let made = rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = dir.path().join("upstream.pem");
    let key = dir.path().join("upstream.key");
    std::fs::write(&cert, made.cert.pem()).unwrap();
    std::fs::write(&key, made.signing_key.serialize_pem()).unwrap();
    let server = serve_root(
        &dir,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    (dir, server, cert.display().to_string())
}

#[test]
fn an_https_upstream_is_reached_over_http2_trusting_the_given_certificate() {
    let (_dir, upstream, cert) = tls_upstream();
    let doc = fixture("openapi31.yaml");
    let front = Server::start(&[&doc, "--upstream", &upstream.url, "--upstream-ca", &cert]);
    let resp = front.get("/over/tls").send().unwrap();
    assert_eq!(resp.status().as_u16(), 207);
    assert!(resp.text().unwrap().starts_with("GET /over/tls "));
    let journal = std::process::Command::new("curl")
        .args([
            "-s",
            "--cacert",
            &cert,
            &format!("{}/__admin/requests", upstream.url),
        ])
        .output()
        .unwrap();
    let events: serde_json::Value = serde_json::from_slice(&journal.stdout).unwrap();
    assert_eq!(
        events["requests"][0]["request"]["protocol"], "HTTP/2.0",
        "{events}"
    );

    // Not trusted: a 502 naming the certificate problem.
    let untrusting = Server::start(&[&doc, "--upstream", &upstream.url]);
    let (status, body) = json(untrusting.get("/over/tls").send().unwrap());
    assert_eq!(status, 502);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("certificate"),
        "{body}"
    );
    // --upstream-insecure: any certificate.
    let insecure = Server::start(&[&doc, "--upstream", &upstream.url, "--upstream-insecure"]);
    assert_eq!(
        insecure.get("/over/tls").send().unwrap().status().as_u16(),
        207
    );
}

#[test]
fn an_upstream_slower_than_the_timeout_answers_504_naming_it() {
    // Accepts the connection, reads the request, never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let hold = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        read_head(&mut s);
        std::thread::sleep(std::time::Duration::from_secs(3));
    });
    let front = Server::start(&[
        &fixture("openapi31.yaml"),
        "--upstream",
        &base,
        "--upstream-timeout",
        "300",
    ]);
    let started = std::time::Instant::now();
    let resp = front.get("/slow").send().unwrap();
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    let (status, body) = json(resp);
    assert_eq!(status, 504, "{body}");
    assert_eq!(body["upstream"], base.as_str());
    assert!(body["error"].as_str().unwrap().contains("0.3 s"), "{body}");
    hold.join().unwrap();
    refused(
        &[
            "serve",
            &fixture("openapi31.yaml"),
            "--upstream",
            &base,
            "--upstream-timeout",
            "0",
        ],
        "--upstream-timeout",
    );
}

#[test]
fn api_keys_in_the_query_are_redacted_in_every_format() {
    // Answers `{"id": 1}`: nothing of the request comes back in the answer.
    let (_u, upstream) = constant_upstream();
    let dir = tempfile::tempdir().unwrap();
    for format in ["wiremock", "har", "postman"] {
        let out = dir.path().join(format).display().to_string();
        let mut rec = Server::start_command(
            "record",
            &[&upstream.url, "--out", &out, "--format", format],
        );
        let first = rec
            .get("/search?q=cats&api_key=s3cret")
            .send()
            .unwrap()
            .text()
            .unwrap();
        assert_eq!(first, r#"{"id": 1}"#);
        assert_eq!(rec.terminate(), 0);
        let written: String = walk(std::path::Path::new(&out));
        assert!(!written.contains("s3cret"), "{format}: {written}");
        assert!(
            written.contains("REDACTED") || format == "wiremock",
            "{format}: {written}"
        );
        if format == "wiremock" {
            // The stub takes any key, and the rest of the query as recorded.
            let replay = Server::start(&[&out]);
            let again = replay.get("/search?q=cats&api_key=other").send().unwrap();
            assert_eq!(again.text().unwrap(), first);
            let other = replay.get("/search?q=dogs&api_key=other").send().unwrap();
            assert_eq!(other.status().as_u16(), 404);
        }
    }
}

/// Every file's text under `path` (or the file itself), joined.
fn walk(path: &std::path::Path) -> String {
    if path.is_file() {
        return std::fs::read_to_string(path).unwrap();
    }
    std::fs::read_dir(path)
        .unwrap()
        .map(|e| walk(&e.unwrap().path()))
        .collect()
}

#[test]
fn a_streamed_request_body_is_still_bounded_by_max_body() {
    use std::io::{Read, Write};
    let (_u, upstream) = echo_upstream();
    let front = start_proxy(&[&upstream.url, "--max-body", "1K"]);
    // Sent chunked: no declared length to refuse it by.
    let mut s = std::net::TcpStream::connect(front.url.trim_start_matches("http://")).unwrap();
    let piece = "x".repeat(2048);
    write!(
        s,
        "POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{piece}\r\n",
        piece.len()
    )
    .unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("1024"), "{answer}");
}

/// Runs standin with `args`, which it must refuse with an error that names `needle`.
fn refused(args: &[&str], needle: &str) {
    let (code, _, err) = crate::support::run(args);
    assert_ne!(code, 0, "{args:?} was accepted");
    assert!(err.contains(needle), "{err}");
}

/// A mock serving an empty stub root (where recorded stubs and bodies go).
fn empty_front() -> (tempfile::TempDir, Server) {
    let dir = stub_root(&[] as &[(&str, &str)]);
    let front = serve_root(&dir, &[]);
    (dir, front)
}

#[test]
fn upstream_http2_speaks_http2_with_prior_knowledge_to_a_cleartext_upstream() {
    let (_u, upstream) = echo_upstream();
    let doc = fixture("openapi31.yaml");
    let protocol_seen = |front: &Server| {
        let resp = front.get("/over/h2c").send().unwrap();
        assert_eq!(resp.status().as_u16(), 207);
        let (_, events) = json(upstream.get("/__admin/requests?limit=1").send().unwrap());
        events["requests"][0]["request"]["protocol"].clone()
    };
    let h2 = Server::start(&[&doc, "--upstream", &upstream.url, "--upstream-http2"]);
    assert_eq!(protocol_seen(&h2), "HTTP/2.0");
    // Without the flag, a cleartext upstream is spoken to in HTTP/1.1.
    let plain = Server::start(&[&doc, "--upstream", &upstream.url]);
    assert_eq!(protocol_seen(&plain), "HTTP/1.1");
}
