//! Outbound calls received by a real listener on 127.0.0.1: OpenAPI callbacks fired
//! after the answer, 3.1 webhooks sent through the admin API, WireMock webhook
//! listeners; retries, the bounded queue, and the journal of calls.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::stubs_support::{serve_root, stub_root};
use crate::support::{Server, fixture, json};

/// A request the listener received.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// An HTTP/1.1 listener on 127.0.0.1: it reports each request it reads, then answers
/// with the next status of `statuses` (the last one repeats), closing the connection.
/// With `hold`, it waits for a message on `release` before answering.
struct Listener {
    base: String,
    got: Receiver<Received>,
    release: Sender<()>,
}

fn read_request(stream: impl Read) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

/// A listener over plain TCP (`wrap` is `None`) or TLS (`wrap` turns each accepted
/// connection into the stream to read and answer).
fn listen_with<S: Read + Write>(
    statuses: &[u16],
    hold: bool,
    scheme: &str,
    wrap: impl Fn(TcpStream) -> Option<S> + Send + 'static,
) -> Listener {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("{scheme}://{}", listener.local_addr().unwrap());
    let (tx, got) = channel();
    let (release, released) = channel::<()>();
    let statuses = statuses.to_vec();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(tcp) = stream else { break };
            let _ = tcp.set_read_timeout(Some(Duration::from_secs(20)));
            let Some(mut stream) = wrap(tcp) else {
                continue;
            };
            let Some(req) = read_request(&mut stream) else {
                continue;
            };
            if tx.send(req).is_err() {
                break;
            }
            if hold {
                let _ = released.recv_timeout(Duration::from_secs(20));
            }
            let status = statuses[n.min(statuses.len() - 1)];
            let answer = format!(
                "HTTP/1.1 {status} Whatever\r\ncontent-type: text/plain\r\ncontent-length: 8\r\nconnection: close\r\n\r\nreceived"
            );
            let _ = stream.write_all(answer.as_bytes());
            let _ = stream.flush();
        }
    });
    Listener { base, got, release }
}

fn listen(statuses: &[u16], hold: bool) -> Listener {
    listen_with(statuses, hold, "http", Some)
}

/// A self-signed certificate for `localhost`: the server's TLS set-up and the PEM a
/// client trusts it through.
pub(crate) fn localhost_tls() -> (std::sync::Arc<rustls::ServerConfig>, String) {
    let key = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let private = rustls::pki_types::PrivateKeyDer::Pkcs8(key.signing_key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![key.cert.der().clone()], private)
        .unwrap();
    (std::sync::Arc::new(config), key.cert.pem())
}

/// A TLS listener for `localhost` with a self-signed certificate, and that certificate
/// as PEM.
fn listen_tls(status: u16) -> (Listener, String) {
    let (config, pem) = localhost_tls();
    let listener = listen_with(&[status], false, "https", move |tcp| {
        let conn = rustls::ServerConnection::new(config.clone()).ok()?;
        Some(rustls::StreamOwned::new(conn, tcp))
    });
    (listener, pem)
}

impl Listener {
    fn next(&self) -> Received {
        self.got
            .recv_timeout(Duration::from_secs(15))
            .expect("the listener received no call")
    }
}

/// The outbound calls journalled, once `n` of them are there.
fn calls(server: &Server, n: usize) -> Value {
    for _ in 0..300 {
        let (_, body) = json(server.get("/__admin/outbound").send().unwrap());
        if body["calls"].as_array().is_some_and(|c| c.len() >= n) {
            return body;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("{n} outbound call(s) never journalled");
}

#[test]
fn a_callback_goes_to_the_url_in_the_request_body_after_the_answer() {
    let hook = listen(&[200], true);
    let mock = Server::start(&[&fixture("callbacks/orders.yaml")]);
    let resp = mock
        .req("POST", "/orders")
        .header("content-type", "application/json")
        .body(
            json!({"callbackUrl": format!("{}/hooks/order", hook.base), "item": "book"})
                .to_string(),
        )
        .send()
        .unwrap();
    // The answer arrives while the listener still holds the callback unanswered: the
    // answer never waits for it.
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.text().unwrap(), r#"{"id":42,"status":"accepted"}"#);
    let got = hook.next();
    hook.release.send(()).unwrap();
    assert_eq!(got.method, "POST");
    assert_eq!(got.target, "/hooks/order?status=201&order=42&via=POST");
    assert_eq!(got.header("content-type"), Some("application/json"));
    assert_eq!(got.header("x-event"), Some("order.accepted"));
    assert_eq!(
        got.json(),
        json!({"event": "order.accepted", "orderId": 42})
    );

    // The call and the listener's answer are in the journal, beside the serve event.
    let journal = calls(&mock, 1);
    let call = &journal["calls"][0];
    assert_eq!(call["kind"], "callback");
    assert_eq!(call["request"]["method"], "POST");
    assert_eq!(call["response"]["status"], 200);
    assert_eq!(call["response"]["body"], "received");
    assert_eq!(call["attempts"], 1);
    let event_id = call["servedEventId"]
        .as_str()
        .expect("the serve event's id");
    let (_, event) = json(
        mock.get(&format!("/__admin/requests/{event_id}"))
            .send()
            .unwrap(),
    );
    let sub = event["subEvents"].as_array().unwrap();
    assert_eq!(sub[0]["type"], "WEBHOOK_REQUEST");
    assert_eq!(
        sub[0]["data"]["url"],
        format!("{}/hooks/order?status=201&order=42&via=POST", hook.base)
    );
    assert_eq!(sub[1]["type"], "WEBHOOK_RESPONSE");
    assert_eq!(sub[1]["data"]["status"], 200);
    // The request log has a line for the call, after the request's own.
    let logged = std::iter::from_fn(|| mock.next_line(10))
        .find(|l| l.contains("(callback sent)"))
        .expect("a log line for the callback");
    assert!(
        logged.contains(&format!("POST {}/hooks/order?", hook.base)),
        "{logged}"
    );
    assert!(logged.contains(" 200 "), "{logged}");
}

#[test]
fn callbacks_read_query_path_and_headers_and_generate_their_bodies() {
    let hook = listen(&[204], false);
    let mock = Server::start(&[&fixture("callbacks/orders.yaml")]);
    let resp = mock
        .req("POST", &format!("/orders/A17/ship?notify={}", hook.base))
        .header("X-Audit-Url", format!("{}/audit", hook.base))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 202);
    let mut got = [hook.next(), hook.next()];
    got.sort_by(|a, b| a.method.cmp(&b.method));
    let (audit, shipped) = (&got[0], &got[1]);
    assert_eq!(shipped.method, "PUT");
    assert_eq!(shipped.target, "/shipped/A17");
    // Generated from the request body's schema, through a component `$ref`.
    let body = shipped.json();
    assert!(
        ["ups", "dhl"].contains(&body["carrier"].as_str().unwrap()),
        "{body}"
    );
    let tracking = body["trackingNumber"].as_str().unwrap();
    assert!(
        tracking.len() == 8 && tracking[..2].chars().all(|c| c.is_ascii_uppercase()),
        "{tracking}"
    );
    assert!(body["orderId"].is_string(), "{body}");
    assert_eq!(audit.method, "POST");
    assert_eq!(audit.target, "/audit");
    assert_eq!(audit.header("content-type"), Some("text/plain"));
    assert_eq!(audit.body, "shipped");
    let journal = calls(&mock, 2);
    assert!(
        journal["calls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["response"]["status"] == 204),
        "{journal}"
    );
}

#[test]
fn a_callback_that_cannot_be_made_is_journalled_with_its_error() {
    let mock = Server::start(&[&fixture("callbacks/orders.yaml")]);
    // No X-Audit-Url header and no notify parameter: neither URL can be evaluated.
    let resp = mock.req("POST", "/orders/A1/ship").send().unwrap();
    assert_eq!(resp.status().as_u16(), 202);
    let journal = calls(&mock, 2);
    let errors: Vec<&str> = journal["calls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["error"].as_str().unwrap_or(""))
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("no header X-Audit-Url")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("no query parameter notify")),
        "{errors:?}"
    );

    // A target that refuses the connection: the error names the cause.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    mock.req("POST", "/orders")
        .header("content-type", "application/json")
        .body(
            json!({"callbackUrl": format!("http://127.0.0.1:{port}/gone"), "item": "x"})
                .to_string(),
        )
        .send()
        .unwrap();
    let journal = calls(&mock, 3);
    let refused = &journal["calls"][0];
    assert_eq!(refused["attempts"], 1);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("refused"),
        "{refused}"
    );
}

#[test]
fn a_failing_target_is_tried_again_when_retries_are_configured() {
    let hook = listen(&[503, 500, 200], false);
    let mock = Server::start(&[
        &fixture("callbacks/orders.yaml"),
        "--outbound-retries",
        "3",
        "--outbound-backoff",
        "20",
    ]);
    mock.req("POST", "/orders")
        .header("content-type", "application/json")
        .body(json!({"callbackUrl": format!("{}/flaky", hook.base), "item": "x"}).to_string())
        .send()
        .unwrap();
    for _ in 0..3 {
        assert!(hook.next().target.starts_with("/flaky?"));
    }
    let journal = calls(&mock, 1);
    assert_eq!(journal["calls"][0]["attempts"], 3);
    assert_eq!(journal["calls"][0]["response"]["status"], 200);
}

#[test]
fn a_full_queue_drops_calls_and_counts_them_without_delaying_answers() {
    let hook = listen(&[200], true);
    let mock = Server::start(&[&fixture("callbacks/orders.yaml"), "--outbound-queue", "1"]);
    let order = json!({"callbackUrl": format!("{}/q", hook.base), "item": "x"}).to_string();
    for _ in 0..3 {
        let resp = mock
            .req("POST", "/orders")
            .header("content-type", "application/json")
            .body(order.clone())
            .send()
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201);
    }
    // The first call is held by the listener; the two after it found the queue full.
    hook.next();
    let (_, body) = json(mock.get("/__admin/outbound").send().unwrap());
    assert_eq!(body["queue"]["dropped"], 2, "{body}");
    hook.release.send(()).unwrap();
    let journal = calls(&mock, 1);
    assert_eq!(journal["calls"][0]["response"]["status"], 200);
    // The drop is logged, with the count so far.
    let said: Vec<String> = mock.errors.try_iter().collect();
    assert!(
        said.iter()
            .any(|l| l.contains("outbound queue full") && l.contains("1 dropped so far")),
        "{said:?}"
    );
}

#[test]
fn a_target_that_does_not_answer_in_time_is_journalled_as_a_timeout() {
    let hook = listen(&[200], true);
    let mock = Server::start(&[
        &fixture("callbacks/orders.yaml"),
        "--outbound-timeout",
        "300",
    ]);
    let order = json!({"callbackUrl": format!("{}/slow", hook.base), "item": "x"});
    let resp = mock
        .req("POST", "/orders")
        .header("content-type", "application/json")
        .body(order.to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    // The listener holds its answer: the call gives up after 300 ms.
    assert!(hook.next().target.starts_with("/slow?"));
    let journal = calls(&mock, 1);
    hook.release.send(()).unwrap();
    let call = &journal["calls"][0];
    assert!(call["response"].is_null(), "{call}");
    assert!(
        call["error"]
            .as_str()
            .is_some_and(|e| e.contains("no answer within 0.3 s")),
        "{call}"
    );
}

#[test]
fn openapi_webhooks_are_sent_on_demand_through_the_admin_api() {
    let hook = listen(&[200], false);
    let mock = Server::start(&[&fixture("callbacks/webhooks.yaml")]);
    let (status, list) = json(mock.get("/__admin/webhooks").send().unwrap());
    assert_eq!(status, 200);
    let names: Vec<&str> = list["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["newPet", "petDeleted"]);

    // The document's example body and header.
    let (status, queued) = json(
        mock.req("POST", "/__admin/webhooks/newPet")
            .body(json!({"url": format!("{}/pets/new", hook.base)}).to_string())
            .send()
            .unwrap(),
    );
    assert_eq!(status, 202, "{queued}");
    let got = hook.next();
    assert_eq!(
        (got.method.as_str(), got.target.as_str()),
        ("POST", "/pets/new")
    );
    assert_eq!(got.json(), json!({"id": 1, "name": "Tom", "kind": "cat"}));
    assert_eq!(got.header("x-signature"), Some("sha256=abc"));
    assert_eq!(got.header("x-standin-call-depth"), Some("1"));

    // A body and headers given in the request replace the document's.
    mock.req("POST", "/__admin/webhooks/newPet")
        .body(
            json!({"url": format!("{}/pets/new", hook.base), "body": {"id": 9},
                   "headers": {"X-Signature": "sha256=given", "X-Extra": "1"}})
            .to_string(),
        )
        .send()
        .unwrap();
    let got = hook.next();
    assert_eq!(got.json(), json!({"id": 9}));
    assert_eq!(got.header("x-signature"), Some("sha256=given"));
    assert_eq!(got.header("x-extra"), Some("1"));

    // A body generated from the schema.
    mock.req("POST", "/__admin/webhooks/petDeleted")
        .body(json!({"url": format!("{}/pets/gone", hook.base)}).to_string())
        .send()
        .unwrap();
    let got = hook.next();
    assert_eq!(got.method, "DELETE");
    let body = got.json();
    assert!(body["id"].as_i64().unwrap() >= 1, "{body}");
    assert!(body["deletedAt"].as_str().unwrap().contains('T'), "{body}");

    let journal = calls(&mock, 3);
    assert!(
        journal["calls"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["kind"] == "webhook")
    );

    // Unknown names and missing targets are clear errors.
    let (status, body) = json(
        mock.req("POST", "/__admin/webhooks/nope")
            .body(r#"{"url": "http://127.0.0.1:9/"}"#)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
    assert!(body.to_string().contains("newPet"), "{body}");
    let (status, body) = json(
        mock.req("POST", "/__admin/webhooks/newPet")
            .body("{}")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 422);
    assert!(body.to_string().contains("url"), "{body}");
}

#[test]
fn a_wiremock_webhook_listener_fires_after_the_stub_answers() {
    let hook = listen(&[202], true);
    let stub = json!({
        "request": {"method": "POST", "urlPathTemplate": "/payments/{id}"},
        "response": {"status": 200, "body": "paid"},
        "serveEventListeners": [{
            "name": "webhook",
            "parameters": {
                "method": "{{originalRequest.method}}",
                "url": "{{jsonPath originalRequest.body '$.notify'}}/done",
                "headers": {"Content-Type": "application/json", "X-Payment": "{{originalRequest.path.id}}"},
                "body": "{\"payment\": \"{{originalRequest.path.id}}\", \"amount\": {{jsonPath originalRequest.body '$.amount'}}}",
                "delay": {"type": "fixed", "milliseconds": 50}
            }
        }]
    });
    let dir = stub_root(&[("pay.json", stub.to_string())]);
    let mock = serve_root(&dir, &[]);
    let resp = mock
        .req("POST", "/payments/p-9")
        .body(json!({"notify": hook.base, "amount": 12.5}).to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.text().unwrap(), "paid");
    let got = hook.next();
    hook.release.send(()).unwrap();
    assert_eq!(
        (got.method.as_str(), got.target.as_str()),
        ("POST", "/done")
    );
    assert_eq!(got.header("x-payment"), Some("p-9"));
    assert_eq!(got.json(), json!({"payment": "p-9", "amount": 12.5}));
    let journal = calls(&mock, 1);
    let call = &journal["calls"][0];
    assert_eq!(call["kind"], "serveEventListener");
    assert_eq!(call["response"]["status"], 202);
    // A random delay (`uniform`) holds the call at least its lower bound.
    let stub = json!({
        "request": {"method": "POST", "url": "/later"},
        "response": {"status": 204},
        "serveEventListeners": [{"name": "webhook", "parameters": {
            "method": "POST", "url": format!("{}/later", hook.base), "body": "late",
            "delay": {"type": "uniform", "lower": 300, "upper": 400}
        }}]
    });
    let (status, _) = json(
        mock.req("POST", "/__admin/mappings")
            .body(stub.to_string())
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201);
    let sent = std::time::Instant::now();
    assert_eq!(mock.req("POST", "/later").send().unwrap().status(), 204);
    let got = hook.next();
    let waited = sent.elapsed();
    hook.release.send(()).unwrap();
    assert_eq!((got.target.as_str(), got.body.as_str()), ("/later", "late"));
    assert!(waited >= Duration::from_millis(300), "{waited:?}");
    // The stub as listed keeps its listeners.
    let (_, stubs) = json(mock.get("/__admin/mappings").send().unwrap());
    let listed = stubs["mappings"].as_array().unwrap();
    assert!(
        listed
            .iter()
            .all(|m| m["serveEventListeners"][0]["name"] == "webhook"),
        "{stubs}"
    );
}

#[test]
fn a_webhook_listener_with_a_bad_template_is_refused_at_load() {
    let stub = json!({
        "request": {"url": "/x"},
        "response": {"status": 200},
        "serveEventListeners": [{"name": "webhook", "parameters": {"url": "{{#if}}"}}]
    });
    let dir = stub_root(&[("bad.json", stub.to_string())]);
    let (code, _out, err) = crate::support::run(&["check", &dir.path().display().to_string()]);
    assert_ne!(code, 0);
    assert!(
        err.contains("serveEventListeners/0/parameters/url")
            || _out.contains("serveEventListeners/0/parameters/url"),
        "{err}{_out}"
    );
}

#[test]
fn callbacks_reach_https_targets_trusted_through_outbound_ca() {
    let (hook, pem) = listen_tls(200);
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    // The certificate names localhost, so the callback goes to https://localhost:PORT.
    let target = hook.base.replace("127.0.0.1", "localhost");
    let order = json!({"callbackUrl": format!("{target}/secure"), "item": "x"}).to_string();

    // Without the certificate, the handshake fails and the journal says why.
    let untrusting = Server::start(&[&fixture("callbacks/orders.yaml")]);
    untrusting
        .req("POST", "/orders")
        .header("content-type", "application/json")
        .body(order.clone())
        .send()
        .unwrap();
    let journal = calls(&untrusting, 1);
    let error = journal["calls"][0]["error"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(error.contains("certificate"), "{error}");

    let mock = Server::start(&[
        &fixture("callbacks/orders.yaml"),
        "--outbound-ca",
        &ca.display().to_string(),
    ]);
    mock.req("POST", "/orders")
        .header("content-type", "application/json")
        .body(order)
        .send()
        .unwrap();
    let got = loop {
        let got = hook.next();
        if got.target.starts_with("/secure?") {
            break got;
        }
    };
    assert_eq!(
        got.json(),
        json!({"event": "order.accepted", "orderId": 42})
    );
    let journal = calls(&mock, 1);
    assert_eq!(journal["calls"][0]["response"]["status"], 200, "{journal}");

    // A file with no certificate is refused at start, naming it.
    std::fs::write(&ca, "not a certificate").unwrap();
    let (code, _out, err) = crate::support::run(&[
        "serve",
        &fixture("callbacks/orders.yaml"),
        "--outbound-ca",
        &ca.display().to_string(),
        "--port",
        "0",
    ]);
    assert_ne!(code, 0);
    assert!(err.contains("ca.pem"), "{err}");
}

#[test]
fn a_stateful_resource_created_fires_its_operation_callbacks() {
    let hook = listen(&[200], false);
    let mock = Server::start(&[&fixture("callbacks/subscriptions.yaml"), "--stateful"]);
    let resp = mock
        .req("POST", "/subscriptions")
        .header("content-type", "application/json")
        .body(json!({"target": hook.base}).to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let (_, created) = json(resp);
    let id = created["id"].to_string();
    let got = hook.next();
    assert_eq!(got.target, format!("/welcome/{id}"));
    assert_eq!(got.json(), json!({"welcome": true}));
    // A refused request (no `target`) fires nothing: had it asked for a call, its URL
    // could not be evaluated, and such a call is journalled before the answer leaves.
    let refused = mock
        .req("POST", "/subscriptions")
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .unwrap();
    assert_eq!(refused.status().as_u16(), 422);
    let journal = calls(&mock, 1);
    assert_eq!(journal["calls"].as_array().unwrap().len(), 1, "{journal}");
    assert_eq!(journal["calls"][0]["response"]["status"], 200);
}

#[test]
fn a_webhook_that_calls_its_own_mock_stops_after_eight_calls() {
    let stub = json!({
        "request": {"urlPath": "/loop"},
        "response": {"status": 200, "body": "again"},
        "serveEventListeners": [{"name": "webhook", "parameters": {
            "method": "POST",
            "url": "http://{{originalRequest.headers.host}}/loop"
        }}]
    });
    let dir = stub_root(&[("loop.json", stub.to_string())]);
    let mock = serve_root(&dir, &[]);
    mock.req("POST", "/loop").send().unwrap();
    let journal = calls(&mock, 9);
    let all = journal["calls"].as_array().unwrap();
    let answered = all
        .iter()
        .filter(|c| c["response"]["status"] == 200)
        .count();
    assert_eq!(answered, 8, "{journal}");
    let refused = all
        .iter()
        .find(|c| c.get("error").is_some())
        .expect("the refused call");
    assert!(
        refused["error"].as_str().unwrap().contains("chain of 8"),
        "{refused}"
    );
    assert_eq!(refused["request"]["headers"]["x-standin-call-depth"], "9");
    // Nothing more is sent after the refusal.
    let (_, requests) = json(mock.get("/__admin/requests").send().unwrap());
    assert_eq!(requests["requests"].as_array().unwrap().len(), 9);
}
