//! The mock itself as the admin API shows it (`/__admin/mock`): its name, URL and
//! sources with what each serves, its load diagnostics with file and line, the other
//! mocks of the process; and every endpoint it answers (`/__admin/mock/endpoints`):
//! OpenAPI operations with their responses and examples, saved examples, stubs and
//! Mockoon routes. The settings under `/__admin/mock/settings` are
//! [`super::mock_settings`]'s.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::{Map, Value, json};
use standin_core::diag::Diagnostic;
use standin_core::model::StatusKey;

use super::{Admin, json_response};

/// A mock's name as it is now, shared by its admin API, its log lines and its siblings.
pub type Name = Arc<ArcSwap<&'static str>>;

/// What the admin API knows of the mock it belongs to, beside its parts.
pub struct MockInfo {
    /// Its name (editable through the settings; [`intern`]ed, as log lines hold it).
    pub name: Name,
    /// Where it listens (`http://127.0.0.1:4010`).
    pub url: String,
    /// The documents, collections and recordings its snapshot is built from: a
    /// settings change rebuilds the snapshot from them.
    pub documents: Vec<PathBuf>,
    /// Its Mockoon environments.
    pub environments: Arc<standin_mockoon::Environments>,
    /// Every mock of the process, this one included, in the order given.
    pub siblings: Arc<Siblings>,
    /// Held while settings change, so two changes never interleave.
    pub(crate) editing: Mutex<()>,
}

impl Default for MockInfo {
    fn default() -> Self {
        MockInfo {
            name: Arc::new(ArcSwap::from_pointee("mock")),
            url: String::new(),
            documents: Vec::new(),
            environments: Arc::new(standin_mockoon::Environments(Vec::new())),
            siblings: Arc::new(Siblings::default()),
            editing: Mutex::new(()),
        }
    }
}

/// The mocks of one process: each one's name (as it is now) and URL.
#[derive(Default)]
pub struct Siblings(RwLock<Vec<(Name, String)>>);

impl Siblings {
    /// Adds a mock.
    pub fn add(&self, name: Name, url: String) {
        self.0
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .push((name, url));
    }

    fn list(&self) -> Vec<(String, String)> {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .map(|(n, u)| (n.load().to_string(), u.clone()))
            .collect()
    }
}

/// A mock name that lives as long as the process: each distinct name is kept once
/// (names are at most 100 characters), so log lines can hold it without counting
/// references on the request path.
pub fn intern(name: &str) -> &'static str {
    static NAMES: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(n) = names.iter().find(|n| **n == name) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.to_string().into_boxed_str());
    names.push(leaked);
    leaked
}

/// The host part of a URL for a listening address: `0.0.0.0` and `::` are reached
/// through loopback; an IPv6 address is bracketed.
pub fn url_host(addr: std::net::SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => format!("127.0.0.1:{}", addr.port()),
        ip if ip.is_unspecified() => format!("[::1]:{}", addr.port()),
        _ => addr.to_string(),
    }
}

fn diagnostic_json(d: &Diagnostic) -> Value {
    let mut out = Map::new();
    out.insert(
        "severity".into(),
        json!(if d.is_error() { "error" } else { "warning" }),
    );
    out.insert("file".into(), json!(d.file));
    if !d.pointer.is_empty() {
        out.insert("pointer".into(), json!(d.pointer));
    }
    if let Some(line) = d.line {
        out.insert("line".into(), json!(line));
    }
    out.insert("message".into(), json!(d.message));
    Value::Object(out)
}

/// `GET /__admin/mock`.
fn info(admin: &Admin) -> Response<Bytes> {
    let info = &admin.mock;
    let mut sources = Vec::new();
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    if let Some(snap) = &admin.snapshot {
        let snap = snap.load();
        for doc in &snap.documents {
            sources.push(json!({
                "file": doc.file,
                "kind": "openapi",
                "operations": doc.operations.len(),
            }));
        }
        let mut saved: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for e in snap.saved.examples() {
            *saved.entry(("postman", e.file.as_str())).or_default() += 1;
        }
        for e in snap.saved.entries() {
            *saved.entry(("har", e.file.as_str())).or_default() += 1;
        }
        for ((kind, file), n) in saved {
            sources.push(json!({ "file": file, "kind": kind, "examples": n }));
        }
        diagnostics.extend(snap.diagnostics.iter().cloned());
    }
    let stubs = admin.registry.list().len();
    let here = std::env::current_dir().ok();
    for s in admin.registry.sources() {
        // As given on the command line when it was under the working directory.
        let shown = here
            .as_deref()
            .and_then(|h| s.mappings.strip_prefix(h).ok())
            .unwrap_or(&s.mappings);
        sources.push(json!({
            "file": shown.display().to_string(),
            "kind": "wiremock",
            "stubs": stubs,
        }));
    }
    if admin.registry.sources().is_empty() && stubs > 0 {
        sources.push(json!({ "file": "(admin API)", "kind": "wiremock", "stubs": stubs }));
    }
    diagnostics.extend(admin.registry.diagnostics());
    for env in &info.environments.0 {
        sources.push(json!({ "file": env.name(), "kind": "mockoon", "routes": env.routes() }));
        diagnostics.extend(env.diagnostics().iter().cloned());
    }
    let mocks: Vec<Value> = info
        .siblings
        .list()
        .into_iter()
        .map(|(name, url)| json!({ "name": name, "url": url }))
        .collect();
    json_response(
        200,
        &json!({
            "name": **info.name.load(),
            "url": info.url,
            "dashboard": format!("{}/__admin/dashboard/", info.url),
            "sources": sources,
            "diagnostics": diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
            "requests": admin.journal.len(),
            "streams": admin.journal.followers(),
            "mocks": mocks,
        }),
    )
}

fn status_text(key: StatusKey) -> String {
    match key {
        StatusKey::Code(c) => c.to_string(),
        StatusKey::Range(r) => format!("{r}XX"),
        StatusKey::Default => "default".into(),
    }
}

/// The OpenAPI operations, each with its responses, media types and examples.
fn operations(admin: &Admin) -> Vec<Value> {
    let Some(snap) = &admin.snapshot else {
        return Vec::new();
    };
    let snap = snap.load();
    let mut out = Vec::new();
    for doc in &snap.documents {
        let base = match &snap.settings.base_path {
            Some(b) => b.trim_end_matches('/').to_string(),
            None => doc.base_paths.first().cloned().unwrap_or_default(),
        };
        for op in &doc.operations {
            let summary = doc
                .root
                .pointer(&op.pointer)
                .and_then(|o| o.get("summary"))
                .and_then(Value::as_str);
            let responses: Vec<Value> = op
                .responses
                .iter()
                .map(|r| {
                    let media: Vec<Value> = r
                        .media
                        .iter()
                        .map(|m| {
                            let mut examples: Vec<&str> =
                                m.examples.iter().map(|e| e.name.as_str()).collect();
                            if m.schema_example.is_some() {
                                examples.push("schema");
                            }
                            json!({
                                "type": m.media_type,
                                "examples": examples,
                                "generated": m.schema.is_some(),
                            })
                        })
                        .collect();
                    json!({ "status": status_text(r.key), "media": media })
                })
                .collect();
            out.push(json!({
                "method": op.method.as_str(),
                "path": format!("{base}{}", op.template),
                "operationId": op.operation_id,
                "summary": summary,
                "file": doc.file,
                "responses": responses,
            }));
        }
    }
    out
}

fn saved(admin: &Admin) -> Vec<Value> {
    let Some(snap) = &admin.snapshot else {
        return Vec::new();
    };
    let snap = snap.load();
    let mut out: Vec<Value> = snap
        .saved
        .examples()
        .iter()
        .map(|e| {
            json!({
                "kind": "postman",
                "file": e.file,
                "name": e.name,
                "method": e.method,
                "path": e.path,
                "status": e.status,
            })
        })
        .collect();
    out.extend(snap.saved.entries().iter().map(|e| {
        let path = match &e.query {
            Some(q) => format!("{}?{q}", e.path),
            None => e.path.clone(),
        };
        json!({
            "kind": "har",
            "file": e.file,
            "name": e.url,
            "method": e.method,
            "path": path,
            "status": e.status,
        })
    }));
    out
}

fn routes(admin: &Admin) -> Vec<Value> {
    let mut out = Vec::new();
    for env in &admin.mock.environments.0 {
        let compiled = env.compiled();
        for r in compiled.route_list() {
            let responses: Vec<Value> = r
                .responses
                .iter()
                .map(|x| json!({ "label": x.label, "status": x.status, "default": x.default }))
                .collect();
            out.push(json!({
                "file": env.name(),
                "method": r.method.as_deref().unwrap_or("*").to_ascii_uppercase(),
                "path": format!("/{}", r.endpoint.trim_start_matches('/')),
                "crud": r.crud.is_some(),
                "responses": responses,
            }));
        }
    }
    out
}

/// `GET /__admin/mock/endpoints`.
fn endpoints(admin: &Admin) -> Response<Bytes> {
    let stubs: Vec<Value> = admin.registry.list().iter().map(|s| s.to_json()).collect();
    json_response(
        200,
        &json!({
            "operations": operations(admin),
            "saved": saved(admin),
            "stubs": stubs,
            "routes": routes(admin),
        }),
    )
}

/// Routes `/mock/...`.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), rest) {
        ("GET", [] | [""]) => info(admin),
        ("GET", ["endpoints"]) => endpoints(admin),
        (_, ["settings", ..]) => {
            return super::mock_settings::route(admin, method, &rest[1..], req);
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn the_mock_lists_its_stub_source_and_endpoints() {
        let f = fixture();
        let (status, v, _) = call(&f.admin, "GET", "/__admin/mock", "");
        assert_eq!(status, 200);
        assert_eq!(v["name"], "mock");
        assert_eq!(v["sources"][0]["kind"], "wiremock");
        assert_eq!(v["sources"][0]["stubs"], 1);
        let (status, v, _) = call(&f.admin, "GET", "/__admin/mock/endpoints", "");
        assert_eq!(status, 200);
        assert_eq!(v["stubs"][0]["request"]["url"], "/hello");
        assert_eq!(v["operations"], serde_json::json!([]));
    }
}
