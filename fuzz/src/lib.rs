//! Fuzz targets: each is a function of arbitrary bytes that must neither panic nor hang.
//!
//! The loaders (OpenAPI JSON and YAML, Postman, HAR, WireMock stubs, Mockoon
//! environments) take the bytes as a source file, load it and then answer the requests
//! the source itself describes (its operations, saved requests, stub URLs or routes), so
//! a document that loads is also routed, validated, generated and rendered. The
//! directive target reads the bytes as a query line and headers; the parameter and
//! answer targets read them as a request ([`request`]) and ask a mock built once from
//! the repository's fixtures.
//!
//! `fuzz_targets/*.rs` wrap each in libFuzzer (`scripts/fuzz.sh`); `tests/regressions.rs`
//! replays the saved crash inputs and seeds through the same functions in `cargo test`.

pub mod mocks;
pub mod request;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use standin_core::answer::Answerer;
use standin_core::engine::{Mock, handle_with};
use standin_core::source::MemoryFiles;
use standin_core::state::MemoryStore;
use standin_core::{MockSettings, Snapshot};

use request::Owned;

/// A fuzz target: a function of any bytes that must return.
pub type Target = fn(&[u8]);

/// Every target, by name (the name of its libFuzzer binary and of its directories under
/// `fuzz/regressions/` and `fuzz/seeds/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("openapi_json", openapi_json),
    ("openapi_yaml", openapi_yaml),
    ("postman", postman),
    ("har", har),
    ("wiremock_stubs", wiremock_stubs),
    ("mockoon_env", mockoon_env),
    ("directives", directives),
    ("params", params),
    ("answer", answer),
];

/// The most requests a loader target asks of what it loaded.
const PROBES: usize = 12;

/// A store small enough that a fuzzed write fills it quickly (the 507 path).
fn store() -> MemoryStore {
    MemoryStore::with_budget(64, 64 * 1024)
}

/// An OpenAPI (or Swagger) document in JSON.
pub fn openapi_json(data: &[u8]) {
    document(data, "api.json");
}

/// An OpenAPI (or Swagger) document in YAML.
pub fn openapi_yaml(data: &[u8]) {
    document(data, "api.yaml");
}

/// A Postman collection (with the fixtures' environment filling its variables).
pub fn postman(data: &[u8]) {
    saved(data, "collection.json");
}

/// A HAR recording.
pub fn har(data: &[u8]) {
    saved(data, "session.har");
}

fn document(data: &[u8], name: &str) {
    let Some(snap) = snapshot(data, name, false) else {
        return;
    };
    let probes: Vec<Owned> = snap
        .documents
        .iter()
        .flat_map(|doc| {
            let base = doc
                .base_paths
                .first()
                .map_or("", |b| b.trim_end_matches('/'));
            doc.operations.iter().filter_map(move |op| {
                request::probe(op.method.as_str(), &format!("{base}{}", op.template))
            })
        })
        .take(PROBES)
        .collect();
    ask(&snap, &[], &probes);
}

fn saved(data: &[u8], name: &str) {
    let Some(snap) = snapshot(data, name, true) else {
        return;
    };
    let probes = standin_core::parse::parse_document(&String::from_utf8_lossy(data))
        .map(|v| request::probes_in(&v, &["url"], PROBES))
        .unwrap_or_default();
    ask(&snap, &[], &probes);
}

/// Loads `data` as the file `name` of a stateful mock, with the Postman environment when
/// asked (`None`: not UTF-8, which the server reports as a read error before loading).
fn snapshot(data: &[u8], name: &str, postman_env: bool) -> Option<Snapshot> {
    let text = std::str::from_utf8(data).ok()?;
    let mut files = MemoryFiles::new();
    files.insert(name, text);
    files.insert("environment.json", mocks::POSTMAN_ENV);
    let mut settings = MockSettings {
        stateful: true,
        ..MockSettings::default()
    };
    if postman_env {
        settings.postman_env = Some(PathBuf::from("environment.json"));
    }
    Some(Snapshot::build(&files, &[PathBuf::from(name)], settings))
}

/// Answers each request against `snap` with `first` asked before it, on a fresh store.
fn ask(snap: &Snapshot, first: &[&dyn Answerer], requests: &[Owned]) {
    let store = store();
    let mock = Mock {
        snapshot: snap,
        first,
        store: &store,
    };
    for (i, req) in requests.iter().enumerate() {
        handle_with(&mock, &req.view(), i as u64);
    }
}

/// A WireMock stub file (JSON or YAML), then its own requests and one nothing matches.
pub fn wiremock_stubs(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let opts = standin_stubs::StubOptions {
        global_templating: true,
        files_root: Some(PathBuf::from("__files")),
    };
    let (stubs, _) = standin_stubs::parse_file(text, Path::new("mappings/fuzz.json"), &opts);
    let set = standin_stubs::StubSet::new(
        stubs
            .into_iter()
            .enumerate()
            .map(|(i, s)| Arc::new(s.with_insertion(i as u64)))
            .collect(),
    );
    let keys = [
        "url",
        "urlPath",
        "urlPattern",
        "urlPathPattern",
        "urlPathTemplate",
    ];
    let mut probes = standin_core::parse::parse_document(text)
        .map(|v| request::probes_in(&v, &keys, PROBES))
        .unwrap_or_default();
    probes.extend(request::probe("GET", "/__nothing/matches/this"));
    ask(mocks::empty(), &[&set], &probes);
}

/// A Mockoon environment, then a request to each of its routes.
pub fn mockoon_env(data: &[u8]) {
    let Ok(v) = standin_core::parse::parse_document(&String::from_utf8_lossy(data)) else {
        return;
    };
    let env = standin_mockoon::Environment::load(&v, Path::new("env.json"), &[]);
    let envs = standin_mockoon::Environments(vec![env]);
    let prefix = v
        .get("endpointPrefix")
        .and_then(serde_json::Value::as_str)
        .unwrap_or("");
    let mut probes = Vec::new();
    if let Some(routes) = v.get("routes").and_then(serde_json::Value::as_array) {
        for route in routes.iter().take(PROBES) {
            let get = |k: &str| route.get(k).and_then(serde_json::Value::as_str);
            let method = get("method").unwrap_or("get");
            let method = if method == "all" { "GET" } else { method };
            let url = format!("{prefix}/{}", get("endpoint").unwrap_or(""));
            probes.extend(request::probe(method, &url));
        }
    }
    probes.extend(request::probe("GET", "/__nothing/matches/this"));
    ask(mocks::empty(), &[&envs], &probes);
}

/// The directive parser: the first line is the query string, the rest are headers.
pub fn directives(data: &[u8]) {
    let (query, rest) = match data.iter().position(|&b| b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let Some(req) = request::parse(&[b"GET /?", query, b"\n", rest].concat()) else {
        return;
    };
    let d = standin_core::directives::Directives::read(&req.headers, req.uri.query());
    for value in req.headers.get_all("prefer") {
        if let Ok(text) = value.to_str() {
            standin_core::directives::preferences(text);
        }
    }
    // A directive the parser took is one the engine can answer or refuse.
    if d.bad.is_none() {
        ask(mocks::params(), &[], &[req]);
    }
}

/// Parameter decoding: a request to a document declaring every style of every location
/// (OpenAPI 3 and Swagger 2.0's `collectionFormat`), validated.
pub fn params(data: &[u8]) {
    if let Some(req) = request::parse(data) {
        ask(mocks::params(), &[], &[req]);
    }
}

/// The engine's whole answer: a request to a mock of every kind of source at once
/// (stateful OpenAPI, Postman, HAR, WireMock stubs, a Mockoon environment).
pub fn answer(data: &[u8]) {
    if let Some(req) = request::parse(data) {
        let all = mocks::all();
        ask(&all.snapshot, &[&all.stubs, &all.environments], &[req]);
    }
}
