//! The team service: many mocks on one port (path prefix, host name, a 404 listing
//! them), mocks created, changed and removed through the admin API, private mocks, a
//! broken upload refused; and replicas sharing mocks, state, scenarios and the journal
//! through a real `redis-server` started on a loopback port.

use std::collections::HashSet;
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Server, example, json};

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A `redis-server` of the test's own: a free loopback port, a temporary directory,
/// append-only persistence (so a restart keeps the data). Killed on drop.
struct Redis {
    child: Option<Child>,
    port: u16,
    dir: tempfile::TempDir,
    /// Whether it speaks TLS only (a self-signed certificate in `dir`).
    tls: bool,
}

impl Redis {
    fn start() -> Redis {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut r = Redis {
            child: None,
            port: free_port(),
            dir,
            tls: false,
        };
        r.run();
        r
    }

    /// A TLS-only `redis-server` with a self-signed certificate made by `openssl`.
    fn start_tls() -> Redis {
        let dir = tempfile::tempdir().expect("tempdir");
        let made = Command::new("openssl")
            .args([
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            ])
            .args([
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "key.pem",
                "-out",
                "cert.pem",
            ])
            .current_dir(dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap_or_else(|e| {
                panic!(
                    "openssl cannot be run ({e}): the rediss:// test makes its certificate with it"
                )
            });
        assert!(made.success(), "openssl could not make a certificate");
        let mut r = Redis {
            child: None,
            port: free_port(),
            dir,
            tls: true,
        };
        r.run();
        r
    }

    fn run(&mut self) {
        let port = self.port.to_string();
        let tls: Vec<&str> = if self.tls {
            vec![
                "--port",
                "0",
                "--tls-port",
                &port,
                "--tls-cert-file",
                "cert.pem",
                "--tls-key-file",
                "key.pem",
                "--tls-auth-clients",
                "no",
            ]
        } else {
            vec!["--port", &port]
        };
        let child = Command::new("redis-server")
            .args(&tls)
            .current_dir(self.dir.path())
            .args([
                "--bind",
                "127.0.0.1",
                "--dir",
                &self.dir.path().display().to_string(),
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "redis-server cannot be started ({e}): these tests need Debian's redis-server package (apt-get install redis-server; scripts/test.sh installs it)"
                )
            });
        self.child = Some(child);
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "redis-server did not listen on port {}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn url(&self) -> String {
        if self.tls {
            // `#insecure`: the test's certificate is its own, signed by nobody.
            format!("rediss://127.0.0.1:{}/0#insecure", self.port)
        } else {
            format!("redis://127.0.0.1:{}/0", self.port)
        }
    }

    fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A `multipart/form-data` body: (part name, file name, bytes) parts, and the settings.
fn form(files: &[(&str, &[u8])], settings: Option<Value>) -> (String, Vec<u8>) {
    let boundary = "standin-test-boundary-7e3f";
    let mut body = Vec::new();
    for (name, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    if let Some(s) = settings {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"settings\"\r\nContent-Type: application/json\r\n\r\n{s}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn upload(
    s: &Server,
    method: &str,
    path: &str,
    files: &[(&str, &[u8])],
    settings: Option<Value>,
) -> (u16, Value) {
    let (ct, body) = form(files, settings);
    json(
        s.req(method, path)
            .header("content-type", ct)
            .body(body)
            .send()
            .expect("upload"),
    )
}

/// `PATCH` of a runtime mock's settings.
fn patch_mock(s: &Server, key: &str, settings: &str) -> (u16, Value) {
    json(
        s.req("PATCH", &format!("/__admin/mocks/{key}"))
            .header("content-type", "application/json")
            .body(settings.to_string())
            .send()
            .unwrap(),
    )
}

/// The `detail` of a problem answer.
fn detail(v: &Value) -> &str {
    v["detail"].as_str().unwrap_or_default()
}

/// Waits until `s` answers `path` with 200 (a mock created elsewhere reached it).
fn wait_for(s: &Server, path: &str) -> Duration {
    let started = Instant::now();
    while s.get(path).send().unwrap().status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{} never answered {path}",
            s.url
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    started.elapsed()
}

/// Creates a mock of the petstore example with these settings.
fn create_petstore(s: &Server, settings: Value) -> (u16, Value) {
    upload(
        s,
        "POST",
        "/__admin/mocks",
        &[("petstore.yaml", &petstore())],
        Some(settings),
    )
}

fn petstore() -> Vec<u8> {
    std::fs::read(example("petstore.yaml")).expect("petstore")
}

/// A document whose schema is in a file of its own, reached by a relative `$ref`.
const SPLIT_API: &str = "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\npaths:\n  /things/{id}:\n    get:\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: integer}}\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {$ref: 'schemas/thing.yaml#/Thing'}\n";
const THING: &str = "Thing:\n  type: object\n  required: [id, label]\n  properties:\n    id: {type: integer, example: 7}\n    label: {type: string, example: seven}\n  example: {id: 7, label: seven}\n";

#[test]
fn mocks_on_one_port_by_path_prefix_and_host_name_and_a_404_that_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let config = dir.path().join("standin.yaml");
    std::fs::write(
        &config,
        format!(
            "port: {port}\ndomain: mocks.example.test\nmocks:\n  - name: pets\n    sources: [{}]\n  - name: shop\n    sources: [{}]\n",
            example("petstore.yaml"),
            example("session.har")
        ),
    )
    .unwrap();
    let s = Server::start(&["--config", &config.display().to_string()]);
    assert_eq!(s.url, format!("http://127.0.0.1:{port}/mocks/pets"));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::blocking::Client::new();
    let (status, v) = json(
        client
            .get(format!("{base}/mocks/pets/pets"))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(v.as_array().is_some_and(|a| !a.is_empty()), "{v}");
    let (status, v) = json(
        client
            .get(format!("{base}/mocks/shop/api/items/2"))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{v}");
    // The same answers by host name.
    let by_host = client
        .get(format!("{base}/api/items/2"))
        .header("host", format!("shop.mocks.example.test:{port}"))
        .send()
        .unwrap();
    let (status, v2) = json(by_host);
    assert_eq!((status, &v2), (200, &v));
    let (status, _) = json(
        client
            .get(format!("{base}/pets"))
            .header("host", "pets.mocks.example.test")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    // No mock named: a 404 listing both, with their URLs.
    for (path, host) in [
        ("/pets", None),
        ("/mocks/nope/x", None),
        ("/x", Some("nope.mocks.example.test")),
    ] {
        let mut r = client.get(format!("{base}{path}"));
        if let Some(h) = host {
            r = r.header("host", h);
        }
        let resp = r.send().unwrap();
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let (status, v) = json(resp);
        assert_eq!(status, 404, "{path}: {v}");
        let names: Vec<&str> = v["mocks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["pets", "shop"]);
        assert!(detail(&v).contains("pets, shop"), "{v}");
        let urls = v["mocks"][0]["urls"].to_string();
        assert!(
            urls.contains("/mocks/pets") && urls.contains("pets.mocks.example.test"),
            "{urls}"
        );
    }
    // Each mock's admin API is under its prefix; the service lists both.
    let (status, v) = json(
        client
            .get(format!("{base}/mocks/pets/__admin/requests"))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(v["meta"]["total"].as_u64().unwrap() >= 2, "{v}");
    let (_, v) = json(client.get(format!("{base}/__admin/mocks")).send().unwrap());
    assert_eq!(v["meta"]["total"], 2);
    assert_eq!(v["mocks"][0]["kind"], "config");
}

#[test]
fn mocks_created_changed_and_removed_at_runtime_on_an_empty_service() {
    let s = Server::start(&["--port", &free_port().to_string()]);
    assert!(s.summary.contains("no mocks yet"), "{}", s.summary);
    let (status, v) = json(s.get("/anything").send().unwrap());
    assert_eq!(status, 404);
    assert!(detail(&v).contains("POST /__admin/mocks"));

    let (status, created) = upload(
        &s,
        "POST",
        "/__admin/mocks",
        &[
            ("api.yaml", SPLIT_API.as_bytes()),
            ("schemas/thing.yaml", THING.as_bytes()),
        ],
        Some(json!({"name": "things"})),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["name"], "things");
    assert_eq!(created["diagnostics"], json!([]));
    let host = s.url.trim_start_matches("http://");
    assert_eq!(created["urls"][0], format!("http://{host}/mocks/things"));
    // The relative $ref resolved: the schema's example answers.
    let (status, v) = json(s.get("/mocks/things/things/7").send().unwrap());
    assert_eq!((status, v), (200, json!({"id": 7, "label": "seven"})));

    let (status, list) = json(s.get("/__admin/mocks").send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["mocks"][0]["id"], json!(id));
    let (status, one) = json(s.get(&format!("/__admin/mocks/{id}")).send().unwrap());
    assert_eq!(status, 200);
    assert_eq!(one["files"].as_array().unwrap().len(), 2);

    // Settings changed: a delay and a new name.
    let (status, changed) = patch_mock(&s, &id, r#"{"delay": 300, "name": "stuff"}"#);
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["settings"]["delay"], 300);
    let started = Instant::now();
    let (status, _) = json(s.get("/mocks/stuff/things/7").send().unwrap());
    assert_eq!(status, 200);
    assert!(started.elapsed() >= Duration::from_millis(290));
    let (status, _) = json(s.get("/mocks/things/things/7").send().unwrap());
    assert_eq!(status, 404);
    // An unknown setting is refused, naming it.
    let (status, v) = patch_mock(&s, &id, r#"{"dealy": 1}"#);
    assert_eq!(status, 422);
    assert_eq!(v["pointer"], "/dealy");

    // The files replaced.
    let (status, v) = upload(
        &s,
        "PUT",
        &format!("/__admin/mocks/{id}/sources"),
        &[("petstore.yaml", &petstore())],
        None,
    );
    assert_eq!(status, 200, "{v}");
    let (status, _) = json(s.get("/mocks/stuff/pets").send().unwrap());
    assert_eq!(status, 200);
    let (status, _) = json(s.get("/mocks/stuff/things/7").send().unwrap());
    assert_eq!(status, 404);

    // Removed.
    let resp = s
        .req("DELETE", &format!("/__admin/mocks/{id}"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204);
    let (status, v) = json(s.get("/mocks/stuff/pets").send().unwrap());
    assert_eq!(status, 404);
    assert_eq!(v["mocks"], json!([]));
    let (status, _) = json(
        s.req("DELETE", &format!("/__admin/mocks/{id}"))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
}

#[test]
fn a_private_mock_answers_only_with_its_key() {
    let s = Server::start(&["--port", &free_port().to_string()]);
    let (status, v) = create_petstore(&s, json!({"private": true}));
    assert_eq!(status, 201, "{v}");
    let name = v["name"].as_str().unwrap().to_string();
    assert_eq!(name, v["id"].as_str().unwrap());
    let key = v["settings"]["apiKey"].as_str().unwrap().to_string();
    assert_eq!(key.len(), 32);
    let (status, p) = json(s.get(&format!("/mocks/{name}/pets")).send().unwrap());
    assert_eq!(status, 401);
    assert!(detail(&p).contains("x-api-key"));
    let (status, _) = json(
        s.get(&format!("/mocks/{name}/pets"))
            .header("x-api-key", "wrong")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 401);
    let (status, _) = json(
        s.get(&format!("/mocks/{name}/pets"))
            .header("x-api-key", &key)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    // Made public again.
    let (status, _) = patch_mock(&s, &name, r#"{"private": false}"#);
    assert_eq!(status, 200);
    let (status, _) = json(s.get(&format!("/mocks/{name}/pets")).send().unwrap());
    assert_eq!(status, 200);
}

#[test]
fn a_broken_upload_is_refused_with_its_diagnostics_and_nothing_is_installed() {
    let s = Server::start(&["--port", &free_port().to_string()]);
    let broken = b"openapi: 3.0.3\ninfo: {title: x, version: '1'}\npaths:\n  /a: [unclosed\n";
    let (status, v) = upload(
        &s,
        "POST",
        "/__admin/mocks",
        &[("broken.yaml", broken)],
        Some(json!({"name": "broken"})),
    );
    assert_eq!(status, 422, "{v}");
    let diags = v["diagnostics"].as_array().unwrap();
    assert!(!diags.is_empty());
    assert_eq!(diags[0]["severity"], "error");
    assert_eq!(diags[0]["file"], "broken.yaml");
    let (_, list) = json(s.get("/__admin/mocks").send().unwrap());
    assert_eq!(list["meta"]["total"], 0);
    let (status, _) = json(s.get("/mocks/broken/a").send().unwrap());
    assert_eq!(status, 404);
    // A good document with a broken one beside it: still refused as a whole.
    let (status, _) = upload(
        &s,
        "POST",
        "/__admin/mocks",
        &[("petstore.yaml", &petstore()), ("broken.yaml", broken)],
        None,
    );
    assert_eq!(status, 422);
    let (_, list) = json(s.get("/__admin/mocks").send().unwrap());
    assert_eq!(list["meta"]["total"], 0);
    // Not a form; a part without a file name; an escaping file name; a bad name.
    let (status, v) = json(
        s.req("POST", "/__admin/mocks")
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 400);
    assert!(detail(&v).contains("multipart/form-data"));
    let (status, _) = upload(
        &s,
        "POST",
        "/__admin/mocks",
        &[("../up.yaml", &petstore())],
        None,
    );
    assert_eq!(status, 422);
    let (status, v) = create_petstore(&s, json!({"name": "Not A Label"}));
    assert_eq!((status, v["pointer"].as_str()), (422, Some("/name")));
    // A name taken.
    let (status, _) = create_petstore(&s, json!({"name": "pets"}));
    assert_eq!(status, 201);
    let (status, _) = create_petstore(&s, json!({"name": "pets"}));
    assert_eq!(status, 409);
}

/// A stub in a scenario: the first request answers "one" and moves it on, the next
/// answers "two".
const SCENARIO: &str = r#"{"mappings": [
  {"scenarioName": "flip", "requiredScenarioState": "Started", "newScenarioState": "second",
   "request": {"method": "GET", "url": "/flip"}, "response": {"status": 200, "body": "one"}},
  {"scenarioName": "flip", "requiredScenarioState": "second",
   "request": {"method": "GET", "url": "/flip"}, "response": {"status": 200, "body": "two"}}
]}"#;

fn replicas(redis: &Redis, n: usize) -> Vec<Server> {
    (0..n)
        .map(|_| {
            Server::start(&[
                "--store",
                &redis.url(),
                "--port",
                &free_port().to_string(),
                "--quiet",
            ])
        })
        .collect()
}

/// Two replicas on `redis`, with the shared petstore mock created on the first and
/// served by the second.
fn sharing_pair(redis: &Redis) -> Vec<Server> {
    let rs = replicas(redis, 2);
    create_shared(&rs[0]);
    wait_for(&rs[1], "/mocks/team/pets");
    rs
}

/// Creates the shared mock through `s`: petstore, stateful, with the scenario stubs.
fn create_shared(s: &Server) -> String {
    let (status, v) = upload(
        s,
        "POST",
        "/__admin/mocks",
        &[
            ("petstore.yaml", &petstore()),
            ("mappings/flip.json", SCENARIO.as_bytes()),
        ],
        Some(json!({"name": "team", "stateful": true})),
    );
    assert_eq!(status, 201, "{v}");
    v["id"].as_str().unwrap().to_string()
}

#[test]
fn replicas_share_mocks_state_scenarios_and_the_journal_through_redis() {
    let redis = Redis::start();
    let mut rs = replicas(&redis, 3);
    create_shared(&rs[0]);
    // Served by the others within a second.
    let started = Instant::now();
    for r in &rs[1..] {
        wait_for(r, "/mocks/team/pets/1");
    }
    let reached = started.elapsed();
    eprintln!(
        "a runtime mock reached every replica in {} ms",
        reached.as_millis()
    );
    assert!(reached < Duration::from_millis(1500), "took {reached:?}");

    // 300 concurrent creates spread over the replicas: 300 distinct resources.
    let urls: Arc<Vec<String>> = Arc::new(rs.iter().map(|r| r.url.clone()).collect());
    let workers: Vec<_> = (0..30)
        .map(|w| {
            let urls = urls.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                (0..10)
                    .map(|i| {
                        let n = w * 10 + i;
                        let url = &urls[n % urls.len()];
                        let (status, v) = json(
                            client
                                .post(format!("{url}/mocks/team/pets"))
                                .json(&json!({"name": format!("pet-{n}"), "photoUrls": []}))
                                .send()
                                .unwrap(),
                        );
                        assert_eq!(status, 201, "{v}");
                        v["id"].as_u64().unwrap()
                    })
                    .collect::<Vec<u64>>()
            })
        })
        .collect();
    let ids: Vec<u64> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let distinct: HashSet<u64> = ids.iter().copied().collect();
    assert_eq!((ids.len(), distinct.len()), (300, 300));
    let (_, list) = json(rs[2].get("/mocks/team/pets").send().unwrap());
    let names: HashSet<String> = list
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .filter(|n| n.starts_with("pet-"))
        .collect();
    assert_eq!(names.len(), 300);
    let (status, one) = json(
        rs[1]
            .get(&format!("/mocks/team/pets/{}", ids[17]))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    assert!(one["name"].as_str().unwrap().starts_with("pet-"));

    // A scenario advanced on one replica is seen by the next request on another.
    assert_eq!(
        rs[0]
            .get("/mocks/team/flip")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "one"
    );
    assert_eq!(
        rs[1]
            .get("/mocks/team/flip")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "two"
    );
    assert_eq!(
        rs[2]
            .get("/mocks/team/flip")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "two"
    );

    // The journal read from any replica holds every replica's requests.
    let started = Instant::now();
    loop {
        let (status, v) = json(
            rs[2]
                .get("/mocks/team/__admin/requests?limit=1000")
                .send()
                .unwrap(),
        );
        assert_eq!(status, 200);
        let hosts: HashSet<String> = v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["request"]["headers"]["host"].as_str().map(str::to_string))
            .collect();
        let all = rs
            .iter()
            .all(|r| hosts.contains(r.url.trim_start_matches("http://")));
        if all && v["meta"]["total"].as_u64().unwrap() >= 300 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "journal holds requests of {hosts:?} only"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Filters apply to the shared journal: an unmatched request on one replica is
    // the one unmatched request another lists.
    let miss = rs[1]
        .get("/mocks/team/nowhere/at/all")
        .send()
        .unwrap()
        .status();
    assert_eq!(miss, 404);
    let started = Instant::now();
    loop {
        let (_, v) = json(
            rs[0]
                .get("/mocks/team/__admin/requests?unmatched=true&limit=5")
                .send()
                .unwrap(),
        );
        let urls: Vec<&str> = v["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["request"]["url"].as_str())
            .collect();
        if urls == ["/nowhere/at/all"] {
            assert_eq!(v["meta"]["total"], 1);
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "unmatched: {urls:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A replica killed under load: the others keep answering, with no errors.
    let errors = Arc::new(AtomicUsize::new(0));
    let answered = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let survivors: Vec<String> = rs[..2].iter().map(|r| r.url.clone()).collect();
    let load: Vec<_> = (0..4)
        .map(|t| {
            let (errors, answered, stop) = (errors.clone(), answered.clone(), stop.clone());
            let url = survivors[t % 2].clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let path = if i % 2 == 0 {
                        "/mocks/team/pets/1"
                    } else {
                        "/mocks/team/pets"
                    };
                    match client.get(format!("{url}{path}")).send() {
                        Ok(r) if r.status() == 200 => {
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        _ => {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    i += 1;
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut killed = rs.pop().unwrap();
    killed.terminate();
    drop(killed);
    std::thread::sleep(Duration::from_millis(700));
    stop.store(true, Ordering::Relaxed);
    for t in load {
        t.join().unwrap();
    }
    assert_eq!(errors.load(Ordering::Relaxed), 0);
    assert!(answered.load(Ordering::Relaxed) > 20);
}

#[test]
fn redis_stopped_gives_503s_naming_it_and_started_again_full_service() {
    let mut redis = Redis::start();
    let rs = replicas(&redis, 2);
    create_shared(&rs[0]);
    // A mock that keeps no state.
    let (status, _) = create_petstore(&rs[0], json!({"name": "plain"}));
    assert_eq!(status, 201);
    wait_for(&rs[1], "/mocks/plain/pets");
    let (status, _) = json(
        rs[1]
            .req("POST", "/mocks/team/pets")
            .json(&json!({"name": "kept", "photoUrls": []}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201);

    redis.stop();
    for r in &rs {
        let resp = r.get("/mocks/team/pets").send().unwrap();
        assert_eq!(resp.status(), 503);
        assert_eq!(resp.headers()["content-type"], "application/problem+json");
        let (_, p) = json(resp);
        assert!(detail(&p).contains(&redis.url()), "{p}");
        // Answers that need no state keep coming.
        let (status, v) = json(r.get("/mocks/plain/pets").send().unwrap());
        assert_eq!(status, 200, "{v}");
        let (_, h) = json(r.get("/__admin/health").send().unwrap());
        assert_eq!(h["store"]["up"], false);
        // An admin route that needs the store says so rather than pretending.
        let (status, p) = json(
            r.req("POST", "/mocks/team/__admin/state/reset")
                .body("{}")
                .send()
                .unwrap(),
        );
        assert_eq!(status, 503, "{p}");
        assert!(detail(&p).contains(&redis.url()), "{p}");
    }

    redis.run();
    let started = Instant::now();
    for r in &rs {
        loop {
            let (status, v) = json(r.get("/mocks/team/pets").send().unwrap());
            if status == 200 {
                assert!(v.to_string().contains("kept"), "{v}");
                break;
            }
            assert_eq!(status, 503);
            assert!(
                started.elapsed() < Duration::from_secs(15),
                "no full service after the restart"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let (status, _) = json(
            r.req("POST", "/mocks/team/pets")
                .json(&json!({"name": "after", "photoUrls": []}))
                .send()
                .unwrap(),
        );
        assert_eq!(status, 201);
    }
    let said: Vec<String> = rs[0].errors.try_iter().collect();
    let said = said.join("\n");
    assert!(
        said.contains("unreachable") && said.contains("reconnected"),
        "{said}"
    );
    // The metrics say so too.
    let text = rs[0]
        .get("/__admin/metrics")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(text.contains("standin_store_up 1"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("standin_store_reconnects_total ") && !l.ends_with(" 0")),
        "{text}"
    );
    assert!(
        text.contains("standin_requests_total{mock=\"team\",status=\"503\",source=\"standin\"}"),
        "{text}"
    );
    assert!(
        text.contains("standin_request_duration_seconds_bucket{mock=\"plain\",le=\"+Inf\"}"),
        "{text}"
    );
}

#[test]
fn seeding_changing_and_resetting_state_on_one_replica_is_seen_by_the_other() {
    let redis = Redis::start();
    let rs = sharing_pair(&redis);
    // Seeded through one replica's admin API.
    let (status, v) = json(
        rs[0]
            .req("PUT", "/mocks/team/__admin/state")
            .json(&json!({"collections": [{"resource": "/pets", "items": [
                {"id": 10, "name": "Ten", "photoUrls": []},
                {"name": "Numbered", "photoUrls": []}
            ]}]}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{v}");
    let (_, list) = json(rs[1].get("/mocks/team/pets").send().unwrap());
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Ten", "Numbered"]);
    assert_eq!(list[1]["id"], 11);
    // Replaced on one, changed on the other, removed, each seen at once (a document
    // with PUT and PATCH: users with uuid identifiers).
    let shop = std::fs::read(crate::support::fixture("stateful/shop.yaml")).unwrap();
    let (status, v) = upload(
        &rs[1],
        "POST",
        "/__admin/mocks",
        &[("shop.yaml", &shop)],
        Some(json!({"name": "shop", "stateful": true})),
    );
    assert_eq!(status, 201, "{v}");
    wait_for(&rs[0], "/mocks/shop/users");
    let (status, made) = json(
        rs[0]
            .req("POST", "/mocks/shop/users")
            .json(&json!({"name": "Ada", "role": "admin"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201, "{made}");
    let user = made["data"]["id"].as_str().unwrap().to_string();
    let (status, v) = json(
        rs[1]
            .req("PUT", &format!("/mocks/shop/users/{user}"))
            .json(&json!({"name": "Ada L", "role": "admin"}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{v}");
    let (status, v) = json(
        rs[0]
            .req("PATCH", &format!("/mocks/shop/users/{user}"))
            .header("content-type", "application/merge-patch+json")
            .body(r#"{"role": "member"}"#)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200, "{v}");
    let (_, shown) = json(
        rs[1]
            .get(&format!("/mocks/shop/users/{user}"))
            .send()
            .unwrap(),
    );
    assert_eq!(
        (
            &shown["data"]["id"],
            &shown["data"]["name"],
            &shown["data"]["role"]
        ),
        (&json!(user), &json!("Ada L"), &json!("member"))
    );
    let status = rs[1]
        .req("DELETE", &format!("/mocks/shop/users/{user}"))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 204);
    assert_eq!(
        rs[0]
            .get(&format!("/mocks/shop/users/{user}"))
            .send()
            .unwrap()
            .status(),
        404
    );
    let status = rs[1]
        .req("DELETE", "/mocks/team/pets/10")
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 204);
    assert_eq!(
        rs[0].get("/mocks/team/pets/10").send().unwrap().status(),
        404
    );
    // The budget is shared too, and a reset on one puts both back to the examples.
    let (_, st) = json(rs[1].get("/mocks/team/__admin/state").send().unwrap());
    assert_eq!(st["budget"]["items"], 1, "{st}");
    let (status, _) = json(
        rs[1]
            .req("POST", "/mocks/team/__admin/state/reset")
            .body("{}")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
    let (_, list) = json(rs[0].get("/mocks/team/pets").send().unwrap());
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Rex", "Tom"]);
}

#[test]
fn the_kubernetes_config_map_starts_a_service_on_the_shared_store() {
    let redis = Redis::start();
    let manifest: std::path::PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "deploy",
        "kubernetes",
        "configmap.yaml",
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(manifest).unwrap();
    let body: Vec<&str> = text
        .lines()
        .skip_while(|l| l.trim() != "standin.yaml: |")
        .skip(1)
        .take_while(|l| l.starts_with("    "))
        .map(|l| &l[4..])
        .collect();
    let port = free_port();
    let config = body
        .iter()
        .map(|l| match l.split_once(':').map(|(k, _)| k) {
            Some("host") => "host: 127.0.0.1".to_string(),
            Some("port") => format!("port: {port}"),
            Some("store") => format!("store: {}", redis.url()),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert!(config.contains("domain: mocks.example.test"), "{config}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("standin.yaml");
    std::fs::write(&path, config).unwrap();
    let s = Server::start(&["--config", &path.display().to_string()]);
    assert_eq!(s.url, format!("http://127.0.0.1:{port}"));
    let (_, h) = json(s.get("/__admin/health").send().unwrap());
    assert_eq!(h["store"], json!({"kind": "redis", "up": true}));
    let (status, _) = create_petstore(&s, json!({"name": "pets"}));
    assert_eq!(status, 201);
    let (status, _) = json(
        s.get("/pets")
            .header("host", "pets.mocks.example.test")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
}

#[test]
fn stubs_added_on_one_replica_are_served_by_all_and_a_new_replica_starts_with_every_mock() {
    let redis = Redis::start();
    let rs = sharing_pair(&redis);
    let (status, stub) = json(
        rs[0]
            .req("POST", "/mocks/team/__admin/mappings")
            .json(&json!({"request": {"method": "GET", "url": "/added"}, "response": {"status": 200, "body": "added"}}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201, "{stub}");
    let took = wait_for(&rs[1], "/mocks/team/added");
    eprintln!(
        "a stub reached the other replica in {} ms",
        took.as_millis()
    );
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert_eq!(
        rs[1]
            .get("/mocks/team/added")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "added"
    );
    // A replica started now serves the runtime mock, with its stub, from the store.
    let late = replicas(&redis, 1).pop().unwrap();
    assert_eq!(
        late.get("/mocks/team/added")
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "added"
    );
    assert_eq!(
        late.get("/mocks/team/flip").send().unwrap().text().unwrap(),
        "one"
    );
    // Removed through another replica: gone everywhere.
    let id = stub["id"].as_str().unwrap();
    let status = late
        .req("DELETE", &format!("/mocks/team/__admin/mappings/{id}"))
        .send()
        .unwrap()
        .status();
    assert_eq!(status, 200);
    let started = Instant::now();
    while rs[0].get("/mocks/team/added").send().unwrap().status() == 200 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the stub stayed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // A change of settings keeps the stubs created through the API.
    let (status, v) = patch_mock(&rs[1], "team", r#"{"delay": 1}"#);
    assert_eq!(status, 200, "{v}");
    let (status, _) = json(
        rs[1]
            .req("POST", "/mocks/team/__admin/mappings")
            .json(&json!({"request": {"url": "/again"}, "response": {"status": 202}}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201);
    let (status, _) = patch_mock(&rs[1], "team", r#"{"delay": null}"#);
    assert_eq!(status, 200);
    assert_eq!(rs[1].get("/mocks/team/again").send().unwrap().status(), 202);
    let started = Instant::now();
    while rs[0].get("/mocks/team/again").send().unwrap().status() != 202 {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "the stub never came"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn stubs_created_at_once_on_two_replicas_are_all_kept_on_both() {
    let redis = Redis::start();
    let rs = sharing_pair(&redis);
    // Four writers, two on each replica, each creating stubs as fast as it is answered:
    // a replica that saved its own copy over a newer one would lose the others' stubs.
    let per_writer = 15;
    let (_, before) = json(rs[0].get("/mocks/team/__admin/mappings").send().unwrap());
    let expected = before["meta"]["total"].as_u64().unwrap() + 4 * per_writer;
    let urls: Vec<String> = rs.iter().map(|r| r.url.clone()).collect();
    std::thread::scope(|scope| {
        for writer in 0..4 {
            let url = urls[writer % 2].clone();
            scope.spawn(move || {
                let client = reqwest::blocking::Client::new();
                for n in 0..per_writer {
                    let stub = json!({
                        "request": {"method": "GET", "url": format!("/w{writer}/{n}")},
                        "response": {"status": 200, "body": format!("{writer}.{n}")}
                    });
                    let res = client
                        .post(format!("{url}/mocks/team/__admin/mappings"))
                        .json(&stub)
                        .send()
                        .unwrap();
                    assert_eq!(res.status(), 201, "{}", res.text().unwrap());
                }
            });
        }
    });
    // Each replica serves its own writes at once, and in the end every stub everywhere.
    let started = Instant::now();
    for r in &rs {
        loop {
            let (_, listed) = json(r.get("/mocks/team/__admin/mappings").send().unwrap());
            let total = listed["meta"]["total"].as_u64().unwrap();
            if total == expected {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{total} of {expected} stubs on {}",
                r.url
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        for writer in 0..4 {
            for n in 0..per_writer {
                let body = r
                    .get(&format!("/mocks/team/w{writer}/{n}"))
                    .send()
                    .unwrap()
                    .text()
                    .unwrap();
                assert_eq!(body, format!("{writer}.{n}"), "on {}", r.url);
            }
        }
    }
}

#[test]
fn replicas_share_state_over_tls_with_rediss() {
    let redis = Redis::start_tls();
    let rs = sharing_pair(&redis);
    let (status, made) = json(
        rs[1]
            .req("POST", "/mocks/team/pets")
            .json(&json!({"name": "secure", "photoUrls": []}))
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_u64().unwrap();
    let (status, shown) = json(rs[0].get(&format!("/mocks/team/pets/{id}")).send().unwrap());
    assert_eq!((status, &shown["name"]), (200, &json!("secure")));
    let (_, h) = json(rs[0].get("/__admin/health").send().unwrap());
    assert_eq!(h["store"]["up"], true);
}

#[test]
fn a_runtime_postman_mock_takes_its_environment_from_the_settings() {
    let s = Server::start(&["--port", &free_port().to_string()]);
    let collection = std::fs::read(example("collection.postman_collection.json")).unwrap();
    let (status, v) = upload(
        &s,
        "POST",
        "/__admin/mocks",
        &[("collection.json", &collection)],
        Some(
            json!({"name": "c", "environment": {"baseUrl": "https://api.example.com/alpha/beta"}}),
        ),
    );
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        s.get("/mocks/c/alpha/beta/get").send().unwrap().status(),
        200
    );
    assert_eq!(
        s.get("/mocks/c/gamma/delta/get").send().unwrap().status(),
        404
    );
    // An environment file among the uploads, named by the setting.
    let env = br#"{"name": "e", "values": [{"key": "baseUrl", "value": "https://x.test/gamma/delta", "enabled": true}]}"#;
    let (status, v) = upload(
        &s,
        "PUT",
        "/__admin/mocks/c/sources",
        &[("collection.json", &collection), ("env.json", env)],
        Some(json!({"environment": "env.json"})),
    );
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        s.get("/mocks/c/gamma/delta/get").send().unwrap().status(),
        200
    );
    assert_eq!(
        s.get("/mocks/c/alpha/beta/get").send().unwrap().status(),
        404
    );
}
