//! `standin mock`: Prism's command line, and Prism's rules its users depend on —
//! `sl-violations` and `--errors`, `--ignoreExamples`, HEAD, OPTIONS and empty path
//! segments, 415 for a body nobody asked for, JSON with trailing commas, a document
//! fetched from a URL.

use std::io::{Read, Write};
use std::net::TcpListener;

use serde_json::{Value, json};

use crate::support::{Server, fixture, header, json, run};

fn pets() -> String {
    fixture("prism/pets.yaml")
}

fn mock(args: &[&str]) -> Server {
    Server::start_command("mock", args)
}

/// The `sl-violations` header as JSON.
fn sl_violations(resp: &reqwest::blocking::Response) -> Option<Value> {
    header(resp, "sl-violations").map(|h| {
        serde_json::from_str(&h).unwrap_or_else(|e| panic!("sl-violations is not JSON ({e}): {h}"))
    })
}

#[test]
fn prism_flags_are_translated_and_help_names_the_standin_flags() {
    let (code, out, _) = run(&["mock", "--help"]);
    assert_eq!(code, 0);
    for (prism, standin) in [
        ("--dynamic", "standin serve: --ignore-examples --dynamic"),
        ("--errors", "--check-responses enforce"),
        ("--ignoreExamples", "standin serve: --ignore-examples"),
        ("--cors", "standin serve: --cors on|off"),
        ("--verboseLevel", "(--quiet)"),
        ("--multiprocess", "Accepted"),
        (
            "--json-schema-faker-fillProperties",
            "standin serve: --fill-properties",
        ),
        ("--outbound-ca", "standin serve: --outbound-ca"),
    ] {
        assert!(out.contains(prism), "--help lacks {prism}:\n{out}");
        assert!(out.contains(standin), "--help lacks {standin}:\n{out}");
    }
    // `-h` is the host, as in Prism.
    let s = mock(&[
        &pets(),
        "-h",
        "127.0.0.1",
        "-m",
        "--cors=false",
        "-v",
        "warn",
    ]);
    let said: Vec<String> = s.errors.try_iter().collect();
    assert!(
        said.iter().any(|l| l.contains("standin serve")
            && l.contains("--host 127.0.0.1")
            && l.contains("--cors off")
            && l.contains("--quiet")),
        "{said:?}"
    );
    let resp = s.get("/pets/1").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(header(&resp, "access-control-allow-origin").is_none());
    // A value a yargs boolean does not take is refused, naming it.
    let (code, _, err) = run(&["mock", &pets(), "--cors=maybe"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("maybe"), "{err}");
    let (code, _, err) = run(&["mock", &pets(), "-v", "loud", "-p", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--verboseLevel loud"), "{err}");
}

#[test]
fn an_example_that_breaks_its_schema_is_listed_in_sl_violations() {
    let s = mock(&[&pets(), "-v", "silent"]);
    let resp = s.get("/pets").send().unwrap();
    assert_eq!(resp.status(), 200);
    let list = sl_violations(&resp).expect("sl-violations on an invalid example");
    assert!(header(&resp, "x-standin-violations").is_some_and(|t| t.contains("0.id")));
    let (_, body) = json(resp);
    // The example is still what is sent, as Prism sends it.
    assert_eq!(body, json!([{"id": "x", "name": 5}]));
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0]["location"], json!(["response", "body", "0", "id"]));
    assert_eq!(list[0]["severity"], "Error");
    assert_eq!(list[0]["code"], "type");
    assert!(list[0]["message"].as_str().unwrap().contains("integer"));
    assert_eq!(
        list[1]["location"],
        json!(["response", "body", "0", "name"])
    );
    // A valid example and a generated body carry none.
    let resp = s.get("/pets/1").send().unwrap();
    assert!(sl_violations(&resp).is_none());
    let resp = s.get("/codes").send().unwrap();
    assert!(sl_violations(&resp).is_none());
    let (_, code) = json(resp);
    assert!(
        code["code"]
            .as_str()
            .unwrap()
            .chars()
            .all(|c| c.is_ascii_uppercase())
    );
}

#[test]
fn a_long_sl_violations_list_is_cut_with_prisms_prefix() {
    // 60 items, each with a long property name of the wrong type: 50 violations (the
    // most listed) of some 200 bytes each, past Prism's 8,092-byte limit.
    let name = "quantityOrderedByTheCustomerAtCheckout";
    let items: Vec<Value> = (0..60).map(|_| json!({ name: "many" })).collect();
    let doc = json!({
        "openapi": "3.0.3",
        "info": {"title": "many violations", "version": "1"},
        "paths": {"/orders": {"get": {"responses": {"200": {
            "description": "an example breaking its schema sixty times",
            "content": {"application/json": {
                "schema": {"type": "array", "items": {"type": "object",
                    "properties": {name: {"type": "integer"}}}},
                "example": items
            }}
        }}}}}
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("many.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let s = mock(&[file.to_str().unwrap(), "-v", "silent"]);
    let resp = s.get("/orders").send().unwrap();
    assert_eq!(resp.status(), 200);
    let text = header(&resp, "sl-violations").expect("sl-violations");
    let rest = text
        .strip_prefix("Too many violations! [{")
        .unwrap_or_else(|| panic!("not cut: {:.80}", text));
    assert_eq!(text.len(), 8 * 1024 - 100 + "Too many violations! ".len());
    assert!(rest.contains(name), "{:.200}", rest);
    // A short list is whole JSON.
    let s = mock(&[&pets(), "-v", "silent"]);
    assert!(sl_violations(&s.get("/pets").send().unwrap()).is_some());
}

#[test]
fn errors_turns_an_invalid_answer_into_a_500_listing_the_violations() {
    let s = mock(&[&pets(), "--errors", "-v", "silent"]);
    let resp = s.get("/pets").send().unwrap();
    assert_eq!(resp.status(), 500);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/problem+json")
    );
    assert!(sl_violations(&resp).is_some());
    let (_, body) = json(resp);
    let validation = body["validation"].as_array().expect("validation list");
    assert_eq!(validation.len(), 2, "{body}");
    assert_eq!(
        validation[0]["location"],
        json!(["response", "body", "0", "id"])
    );
    assert!(
        body["detail"].as_str().unwrap().contains("GET /pets"),
        "{body}"
    );
    // Valid answers are unchanged.
    assert_eq!(s.get("/pets/1").send().unwrap().status(), 200);
    // The same through standin's own flag.
    let s = Server::start(&[&pets(), "--check-responses", "enforce", "--quiet"]);
    assert_eq!(s.get("/pets").send().unwrap().status(), 500);
    // Without it standin serve checks nothing.
    let s = Server::start(&[&pets(), "--quiet"]);
    let resp = s.get("/pets").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert!(sl_violations(&resp).is_none());
}

#[test]
fn response_headers_are_checked_against_the_declared_ones() {
    let doc = fixture("prism/headers.yaml");
    let s = mock(&[&doc, "-v", "silent"]);
    let resp = s.get("/limits").send().unwrap();
    assert_eq!(resp.status(), 200);
    // The headers are still sent as the document gives them, as Prism sends them.
    assert_eq!(header(&resp, "x-rate-limit").as_deref(), Some("many"));
    assert_eq!(header(&resp, "x-good").as_deref(), Some("5"));
    let list = sl_violations(&resp).expect("sl-violations for invalid headers");
    let found: Vec<(Value, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["severity"], "Error", "{e}");
            (e["location"].clone(), e["code"].clone())
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (json!(["response", "header"]), json!("required")),
            (json!(["response", "header", "x-rate-limit"]), json!("type")),
            (json!(["response", "header", "x-ids", "2"]), json!("type")),
        ],
        "{list}"
    );
    assert_eq!(
        list[0]["message"],
        "Response header must have required property 'x-trace'"
    );
    assert!(
        list[1]["message"]
            .as_str()
            .unwrap()
            .contains("response header x-rate-limit"),
        "{list}"
    );
    assert!(header(&resp, "x-standin-violations").is_some_and(|t| t.contains("x-rate-limit")));
    // Valid headers, generated or given, carry none.
    let resp = s.get("/fine").send().unwrap();
    let count: u32 = header(&resp, "x-count").unwrap().parse().unwrap();
    assert!((3..=9).contains(&count), "{count}");
    assert!(
        sl_violations(&resp).is_none(),
        "{:?}",
        header(&resp, "sl-violations")
    );

    // With --errors, invalid headers make the answer a 500 listing them.
    let s = mock(&[&doc, "--errors", "-v", "silent"]);
    let (status, problem) = json(s.get("/limits").send().unwrap());
    assert_eq!(status, 500, "{problem}");
    let codes: Vec<&Value> = problem["validation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["location"])
        .collect();
    assert_eq!(codes.len(), 3, "{problem}");
    assert_eq!(codes[1], &json!(["response", "header", "x-rate-limit"]));
    assert_eq!(s.get("/fine").send().unwrap().status(), 200);
}

#[test]
fn request_violations_served_in_warn_mode_are_listed_too() {
    let s = Server::start(&[
        &pets(),
        "--validate",
        "warn",
        "--check-responses",
        "report",
        "--quiet",
    ]);
    let resp = s.get("/pets?limit=1000").send().unwrap();
    assert_eq!(resp.status(), 200);
    let list = sl_violations(&resp).unwrap();
    let locations: Vec<&Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["location"])
        .collect();
    assert_eq!(
        locations[0],
        &json!(["request", "query", "limit"]),
        "{list}"
    );
    assert!(
        locations.contains(&&json!(["response", "body", "0", "id"])),
        "{list}"
    );
}

#[test]
fn ignore_examples_generates_from_the_schema() {
    for args in [
        vec![
            pets(),
            "--ignoreExamples".into(),
            "-v".into(),
            "silent".into(),
        ],
        vec![pets(), "-d".into(), "-v".into(), "silent".into()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let s = mock(&args);
        let resp = s.get("/pets/1").send().unwrap();
        assert!(sl_violations(&resp).is_none(), "{args:?}");
        let (status, pet) = json(resp);
        assert_eq!(status, 200);
        assert_ne!(
            pet,
            json!({"id": 1, "name": "Rex", "tag": "dog"}),
            "{args:?}"
        );
        assert!(pet["id"].is_i64() && pet["name"].is_string(), "{pet}");
        // The invalid example is not sent either, so nothing breaks the schema.
        let resp = s.get("/pets").send().unwrap();
        assert!(sl_violations(&resp).is_none(), "{args:?}");
    }
    let s = Server::start(&[&pets(), "--ignore-examples", "--quiet"]);
    let (_, pet) = json(s.get("/pets/1").send().unwrap());
    assert_ne!(pet["name"], "Rex");
    // A named example is still sent when asked for.
    let (_, pet) = json(
        s.get("/pets/1")
            .header("prefer", "example=rex")
            .send()
            .unwrap(),
    );
    assert_eq!(pet["name"], "Rex");
}

#[test]
fn a_seed_makes_dynamic_bodies_repeat() {
    let s = mock(&[&pets(), "-d", "--seed", "prism", "-v", "silent"]);
    let (_, a) = json(s.get("/codes").send().unwrap());
    let (_, b) = json(s.get("/codes").send().unwrap());
    assert_eq!(a, b);
    let s = mock(&[&pets(), "-d", "-v", "silent"]);
    let bodies: std::collections::HashSet<String> = (0..6)
        .map(|_| s.get("/codes").send().unwrap().text().unwrap())
        .collect();
    assert!(bodies.len() > 1, "-d without a seed varies: {bodies:?}");
}

/// The keys of a JSON object answer.
fn keys(s: &Server, path: &str) -> (Value, std::collections::BTreeSet<String>) {
    let resp = s.get(path).send().unwrap();
    assert!(
        sl_violations(&resp).is_none(),
        "{path}: {:?}",
        header(&resp, "sl-violations")
    );
    let (status, body) = json(resp);
    assert_eq!(status, 200, "{path}: {body}");
    let keys = body.as_object().unwrap().keys().cloned().collect();
    (body, keys)
}

#[test]
fn fill_properties_adds_undeclared_properties_in_dynamic_mode_unless_false() {
    let doc = fixture("prism/fill.yaml");
    let declared = |names: &[&str]| -> std::collections::BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    };
    let account = declared(&["id", "name", "email", "plan", "active"]);
    // Prism's default with -d: objects whose declared properties are all required get
    // undeclared ones too, valid against the schema (no sl-violations).
    let s = mock(&[&doc, "-d", "-v", "silent"]);
    for _ in 0..5 {
        let (body, got) = keys(&s, "/account");
        assert!(got.is_superset(&account), "{body}");
        let extra = got.difference(&account).count();
        assert!((1..=3).contains(&extra), "{body}");
        let (body, got) = keys(&s, "/scores");
        let extras: Vec<&Value> = body
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| *k != "player")
            .map(|(_, v)| v)
            .collect();
        assert!(got.contains("player") && !extras.is_empty(), "{body}");
        assert!(
            extras.iter().all(|v| v.as_u64().is_some_and(|n| n <= 10)),
            "{body}"
        );
        // An optional property declared, or no others allowed: nothing undeclared.
        let (body, got) = keys(&s, "/pet");
        assert!(got.is_subset(&declared(&["id", "tag"])), "{body}");
        let (body, got) = keys(&s, "/closed");
        assert_eq!(got, declared(&["id", "name"]), "{body}");
    }
    // =false keeps to the declared properties.
    let s = mock(&[
        &doc,
        "-d",
        "--json-schema-faker-fillProperties=false",
        "-v",
        "silent",
    ]);
    for _ in 0..5 {
        assert_eq!(keys(&s, "/account").1, account);
        assert_eq!(keys(&s, "/scores").1, declared(&["player"]));
    }
    // Without -d (Prism's static sampler) the flag changes nothing.
    let s = mock(&[&doc, "--json-schema-faker-fillProperties", "-v", "silent"]);
    assert_eq!(keys(&s, "/account").1, account);
    // standin serve has it as --fill-properties.
    let s = Server::start(&[&doc, "--fill-properties", "--quiet"]);
    assert!(keys(&s, "/account").1.len() > account.len());
    let s = Server::start(&[&doc, "--quiet"]);
    assert_eq!(keys(&s, "/account").1, account);
    // And a config file as fill-properties.
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("standin.yaml");
    std::fs::write(
        &cfg,
        format!("port: 0\nfill-properties: true\nmocks:\n  - sources: [{doc}]\n"),
    )
    .unwrap();
    let s = Server::start(&["--config", cfg.to_str().unwrap(), "--quiet"]);
    assert!(keys(&s, "/account").1.len() > account.len());
}

#[test]
fn head_options_and_empty_segments_route_as_in_prism() {
    let s = mock(&[&pets(), "-v", "silent"]);
    // HEAD where there is no GET.
    assert_eq!(s.req("HEAD", "/owners").send().unwrap().status(), 405);
    // A plain OPTIONS is answered while CORS is on...
    assert_eq!(s.req("OPTIONS", "/pets").send().unwrap().status(), 204);
    // ...and is a 405 with CORS off and no OPTIONS in the document.
    let off = mock(&[&pets(), "--cors=false", "-v", "silent"]);
    let resp = off.req("OPTIONS", "/pets").send().unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(header(&resp, "allow").as_deref(), Some("GET, POST, HEAD"));
    // `/pets/` leaves `/pets/{petId}`'s parameter empty: 422 naming it.
    for path in ["/pets/", "/pets//"] {
        let (status, body) = json(s.get(path).send().unwrap());
        if path == "/pets//" {
            // Two segments after /pets match no template.
            assert_eq!(status, 404, "{path}: {body}");
            continue;
        }
        assert_eq!(status, 422, "{path}: {body}");
        assert_eq!(
            body["errors"][0]["location"],
            json!(["path", "petId"]),
            "{body}"
        );
        assert!(
            body["detail"].as_str().unwrap().contains("'petId'"),
            "{body}"
        );
    }
    // `--validate off` serves it.
    let lax = Server::start(&[&pets(), "--validate", "off", "--quiet"]);
    assert_eq!(lax.get("/pets/").send().unwrap().status(), 200);
}

#[test]
fn a_body_to_an_operation_without_one_is_415() {
    let s = mock(&[&pets(), "-v", "silent"]);
    let resp = s
        .req("POST", "/owners")
        .header("content-type", "application/json")
        .body(r#"{"a":1}"#)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 415);
    let (_, body) = json(resp);
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("takes no request body"),
        "{body}"
    );
    assert_eq!(s.req("POST", "/owners").send().unwrap().status(), 204);
}

#[test]
fn json_with_trailing_commas_loads_with_a_warning_saying_where() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("commas.json");
    std::fs::write(
        &doc,
        "{\"openapi\": \"3.0.3\", \"info\": {\"title\": \"t\", \"version\": \"1\",},\n\"paths\": {\"/a\": {\"get\": {\"responses\": {\"200\": {\"description\": \"ok\",\n\"content\": {\"application/json\": {\"example\": [1, 2,]}}}}}}}}\n",
    )
    .unwrap();
    let (code, out, _) = run(&["check", doc.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("commas.json:1: a trailing comma"), "{out}");
    assert!(out.contains("commas.json:3: a trailing comma"), "{out}");
    let s = mock(&[doc.to_str().unwrap(), "-v", "silent"]);
    let (status, body) = json(s.get("/a").send().unwrap());
    assert_eq!((status, body), (200, json!([1, 2])));
}

#[test]
fn check_lists_examples_that_break_their_schema() {
    let (code, out, _) = run(&["check", &pets()]);
    assert_eq!(code, 0, "warnings only: {out}");
    assert!(
        out.contains("pets.yaml:16 at #/paths/~1pets/get/responses/200/content/application~1json/example: example 'example' of GET /pets 200"),
        "{out}"
    );
    assert!(out.contains("'0.id' must be of type"), "{out}");
    assert!(!out.contains("GET /pets/{petId} 200"), "{out}");
    // Response header examples too.
    let (code, out, _) = run(&["check", &fixture("prism/headers.yaml")]);
    assert_eq!(code, 0, "warnings only: {out}");
    assert!(
        out.contains("at #/paths/~1limits/get/responses/200/headers/X-Rate-Limit: example of header X-Rate-Limit of GET /limits 200 breaks its schema"),
        "{out}"
    );
    assert!(out.contains("header X-Ids of GET /limits 200"), "{out}");
    assert!(!out.contains("X-Good") && !out.contains("/fine"), "{out}");
}

/// Serves `text` once on 127.0.0.1, over TLS when `tls` is given, and hands back the
/// request's head; the base URL names `localhost` for TLS (the certificate's name). A
/// request for `/moved/...` is sent on to `/specs/...` with a 301 first.
fn serve_document_once(
    text: Vec<u8>,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
) -> (String, std::thread::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let base = match tls {
        Some(_) => format!("https://localhost:{port}"),
        None => format!("http://127.0.0.1:{port}"),
    };
    let answer = move |conn: &mut dyn ReadWrite| {
        let mut buf = [0u8; 4096];
        let n = conn.read(&mut buf).unwrap_or(0);
        let head = String::from_utf8_lossy(&buf[..n]).into_owned();
        if let Some(rest) = head.strip_prefix("GET /moved/") {
            let name = rest.split(' ').next().unwrap_or("");
            let moved = format!(
                "HTTP/1.1 301 Moved Permanently\r\nlocation: /specs/{name}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            let _ = conn.write_all(moved.as_bytes());
            let _ = conn.flush();
            return String::new();
        }
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/yaml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            text.len()
        );
        let _ = conn.write_all(reply.as_bytes());
        let _ = conn.write_all(&text);
        let _ = conn.flush();
        head
    };
    let server = std::thread::spawn(move || {
        // A TLS client that refuses the certificate reads nothing, and a redirect is
        // followed by another request: the next one reads the document.
        for tcp in listener.incoming() {
            let Ok(mut tcp) = tcp else { break };
            let head = match &tls {
                None => answer(&mut tcp),
                Some(config) => {
                    let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                    answer(&mut rustls::StreamOwned::new(conn, tcp))
                }
            };
            if !head.is_empty() {
                return head;
            }
        }
        String::new()
    });
    (base, server)
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

#[test]
fn the_document_may_be_a_url() {
    let (base, server) = serve_document_once(std::fs::read(pets()).unwrap(), None);
    // Redirects are followed, as Prism's reader follows them.
    let url = format!("{base}/moved/pets.yaml");
    let s = mock(&[&url, "-v", "silent"]);
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /specs/pets.yaml HTTP/1.1"), "{head}");
    let (status, pet) = json(s.get("/pets/1").send().unwrap());
    assert_eq!((status, pet["name"].as_str()), (200, Some("Rex")));
    // A URL that does not answer 200 is an error naming it.
    let (code, _, err) = run(&["mock", &format!("{base}/gone.yaml")]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot fetch the document"), "{err}");
    assert!(err.contains(&format!("{base}/gone.yaml")), "{err}");
}

/// `standin mock DOCUMENT` with `NODE_EXTRA_CA_CERTS` set: the first line it prints
/// (its URL when it serves) and the stderr lines before it, once it is stopped.
fn first_line_with_ca_env(document: &str, ca: &std::ffi::OsStr) -> (String, String) {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_standin"))
        .args(["mock", document, "-p", "0", "-v", "silent"])
        .env("NODE_EXTRA_CA_CERTS", ca)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut first,
    )
    .unwrap();
    let _ = child.kill();
    let mut err = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut err);
    let _ = child.wait();
    (first, err)
}

#[test]
fn the_document_may_be_an_https_url() {
    let (tls, pem) = crate::callbacks::localhost_tls();
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    std::fs::write(&ca, pem).unwrap();
    let text = std::fs::read(pets()).unwrap();

    // Without the certificate trusted, the error names the URL and the handshake.
    let (base, _server) = serve_document_once(text.clone(), Some(tls.clone()));
    let url = format!("{base}/specs/pets.yaml");
    let (code, _, err) = run(&["mock", &url, "-p", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("cannot fetch the document {url}")),
        "{err}"
    );
    assert!(err.to_lowercase().contains("certificate"), "{err}");

    // Trusted through --outbound-ca, it is fetched over TLS and served.
    let (base, server) = serve_document_once(text.clone(), Some(tls.clone()));
    let url = format!("{base}/specs/pets.yaml");
    let s = mock(&[&url, "--outbound-ca", ca.to_str().unwrap(), "-v", "silent"]);
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /specs/pets.yaml HTTP/1.1"), "{head}");
    let (status, pet) = json(s.get("/pets/1").send().unwrap());
    assert_eq!((status, pet["name"].as_str()), (200, Some("Rex")));
    drop(s);

    // Prism's Node reads NODE_EXTRA_CA_CERTS; so does standin mock.
    let (base, server) = serve_document_once(text, Some(tls));
    let url = format!("{base}/pets.yaml");
    let (first, _) = first_line_with_ca_env(&url, ca.as_os_str());
    assert!(first.starts_with("http://127.0.0.1:"), "{first:?}");
    assert!(server.join().unwrap().starts_with("GET /pets.yaml "));
    // One that holds no certificate is ignored with a warning, as Node ignores it.
    let missing = dir.path().join("missing.pem");
    let (first, err) = first_line_with_ca_env(&pets(), missing.as_os_str());
    assert!(first.starts_with("http://127.0.0.1:"), "{first:?} {err}");
    assert!(
        err.contains("NODE_EXTRA_CA_CERTS ignored") && err.contains("missing.pem"),
        "{err}"
    );

    // A host with nothing listening is named with the connection's failure.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("https://127.0.0.1:{port}/api.yaml");
    let (code, _, err) = run(&["mock", &url, "-p", "0"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("cannot fetch the document {url}")),
        "{err}"
    );
    assert!(err.to_lowercase().contains("refused"), "{err}");
}

fn form(s: &Server, path: &str, content_type: &str, body: &str) -> (u16, Value) {
    json(
        s.req("POST", path)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .unwrap(),
    )
}

#[test]
fn allow_empty_value_byte_format_in_form_fields_and_allow_reserved() {
    let s = mock(&[&fixture("prism/forms.yaml"), "-v", "silent"]);
    // Swagger 2.0 `allowEmptyValue`: `?q=` and `?page=` pass; without it an empty value
    // is read as not sent, as Prism reads it: optional `?tag=`, `?sort=` (`false`) and
    // `?limit=` (an integer) pass, a required one is missing.
    assert_eq!(s.get("/search?q=&page=").send().unwrap().status(), 200);
    for empty in ["tag=", "sort=", "limit="] {
        let resp = s
            .get(&format!("/search?q=a&page=1&{empty}"))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200, "{empty}");
    }
    let (status, body) = json(s.get("/search?q=a&page=1&limit=x").send().unwrap());
    assert_eq!(status, 422, "{body}");
    let (status, body) = json(s.get("/required?id=").send().unwrap());
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["location"], json!(["query", "id"]));
    assert_eq!(body["errors"][0]["rule"], "required");
    // `format: byte` in formData, urlencoded and multipart alike.
    let urlencoded = "application/x-www-form-urlencoded";
    assert_eq!(
        form(&s, "/upload", urlencoded, "data=aGVsbG8%3D&count=2").0,
        201
    );
    // `allowEmptyValue` on a formData field: empty passes, a wrong value still fails.
    assert_eq!(
        form(&s, "/upload", urlencoded, "data=aGVsbG8%3D&count=").0,
        201
    );
    assert_eq!(
        form(&s, "/upload", urlencoded, "data=aGVsbG8%3D&count=x").0,
        422
    );
    // Without it a text field may be empty; `allowEmptyValue: false` refuses that.
    assert_eq!(
        form(&s, "/upload", urlencoded, "data=aGVsbG8%3D&note=").0,
        201
    );
    let (status, body) = form(&s, "/upload", urlencoded, "data=aGVsbG8%3D&label=");
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["location"], json!(["body", "label"]));
    assert_eq!(body["errors"][0]["rule"], "minLength");
    let (status, body) = form(&s, "/upload", urlencoded, "data=not+base64!");
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["rule"], "format");
    let multipart = |value: &str| {
        format!(
            "--XX\r\ncontent-disposition: form-data; name=\"data\"\r\n\r\n{value}\r\n--XX--\r\n"
        )
    };
    let mp = "multipart/form-data; boundary=XX";
    assert_eq!(form(&s, "/upload", mp, &multipart("aGVsbG8=")).0, 201);
    assert_eq!(form(&s, "/upload", mp, &multipart("###")).0, 422);

    let s = mock(&[&fixture("prism/forms3.yaml"), "-v", "silent"]);
    assert_eq!(
        form(
            &s,
            "/notes",
            mp,
            &multipart("x").replace("\"data\"", "\"blob\"")
        )
        .0,
        422
    );
    assert_eq!(form(&s, "/notes", urlencoded, "text=ab&blob=@@").0, 422);
    // `allowReserved: true` lets `text` send `/` and `?` as they are...
    assert_eq!(
        form(&s, "/notes", urlencoded, "text=a/b?&blob=aGVsbG8%3D").0,
        201
    );
    // ...while `label`'s encoding does not: percent-encoded is fine, raw is a 422.
    assert_eq!(
        form(
            &s,
            "/notes",
            urlencoded,
            "text=ab&blob=aGVsbG8%3D&label=a%2Fb"
        )
        .0,
        201
    );
    let (status, body) = form(
        &s,
        "/notes",
        urlencoded,
        "text=ab&blob=aGVsbG8%3D&label=a/b;c",
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["errors"][0]["location"], json!(["body", "label"]));
    assert!(body["detail"].as_str().unwrap().contains("/;"), "{body}");
}

#[test]
fn a_postman_collection_through_mock_is_read_as_prism_reads_it() {
    let collection = fixture("prism/shop.postman_collection.json");
    let s = mock(&[&collection, "-v", "silent"]);
    let said: Vec<String> = s.errors.try_iter().collect();
    assert!(
        said.iter()
            .any(|l| l.contains("is a Postman collection, served as Prism reads it")),
        "{said:?}"
    );
    // The collection's `auth` is a security scheme: 401 without the key.
    let (status, body) = json(s.get("/orders").send().unwrap());
    assert_eq!(status, 401, "{body}");
    assert!(
        body["detail"].as_str().unwrap().contains("X-Api-Key"),
        "{body}"
    );
    let key = |r: reqwest::blocking::RequestBuilder| r.header("x-api-key", "k");
    // The status as Prism chooses it (the lowest 2xx), its first example...
    let (status, body) = json(key(s.get("/orders")).send().unwrap());
    assert_eq!((status, body), (200, json!([{"id": 1, "total": 9.5}])));
    // ...and `Accept` choosing among the examples' content types.
    let resp = key(s.get("/orders"))
        .header("accept", "text/csv")
        .send()
        .unwrap();
    assert_eq!(header(&resp, "content-type").as_deref(), Some("text/csv"));
    assert_eq!(resp.text().unwrap(), "id,total\n1,9.5\n");
    let resp = key(s.get("/orders"))
        .header("accept", "application/xml")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 406);
    // A forced status picks the other saved response.
    let (status, body) = json(
        key(s.get("/orders"))
            .header("prefer", "code=500")
            .send()
            .unwrap(),
    );
    assert_eq!((status, body), (500, json!({"error": "down"})));
    // Request bodies are checked against the shape of the collection's body.
    let post = |body: &str| {
        key(s.req("POST", "/orders"))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .unwrap()
    };
    let created = post(r#"{"item": "pen", "qty": 1}"#);
    assert_eq!(created.status(), 201);
    assert_eq!(header(&created, "location").as_deref(), Some("/orders/7"));
    assert_eq!(post(r#"{"item": "pen"}"#).status(), 201);
    let invalid = post(r#"{"item": "pen", "qty": "two"}"#);
    // Answered from the document, the request's violations are in `sl-violations`.
    let list = sl_violations(&invalid).expect("sl-violations on the collection's 422");
    assert_eq!(
        list[0]["location"],
        json!(["request", "body", "qty"]),
        "{list}"
    );
    let (status, body) = json(invalid);
    // The collection's own 422 example, with the violation written in.
    assert_eq!(status, 422, "{body}");
    assert!(body["error"].as_str().unwrap().contains("'qty'"), "{body}");
    // `:id` is a path parameter; `noauth` on a request needs no key.
    assert_eq!(key(s.get("/orders/3")).send().unwrap().status(), 200);
    assert_eq!(s.get("/health").send().unwrap().status(), 200);
    // An `auth` beside the request (not Postman's place for it) is not the request's:
    // the collection's applies, as Prism reads it.
    assert_eq!(s.get("/status").send().unwrap().status(), 401);
    assert_eq!(key(s.get("/status")).send().unwrap().status(), 200);

    // standin serve keeps Postman's mock-server rules: saved examples, no auth check.
    let served = Server::start(&[&collection, "--quiet"]);
    let (status, body) = json(served.get("/orders").send().unwrap());
    assert_eq!((status, body), (200, json!([{"id": 1, "total": 9.5}])));
}
