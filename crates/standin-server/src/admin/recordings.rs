//! WireMock's recording API: `/__admin/recordings/start`, `stop`, `status` and
//! `snapshot`. Starting installs a catch-all stub proxying to `targetBaseUrl` (as
//! WireMock's `Recorder` does); stopping removes it and turns the journal's serve
//! events of that stub into stub mappings; a snapshot does the same for every proxied
//! serve event in the journal. Defaults as WireMock's: repeated identical requests
//! become a scenario, the body matcher is chosen by content type (`equalToJson` for
//! JSON, `equalTo` otherwise), and the new stubs are added to the mock. As WireMock's
//! record spec, given to `start` (applied at `stop`) or `snapshot`: `filters` (a request
//! pattern, `ids`, `allowNonProxied`), `captureHeaders` (request headers the stubs
//! match on), `extractBodyCriteria` (response bodies over a size written to the mock's
//! `__files/`), `persist`, `repeatsAsScenarios`. What is kept is bounded by the
//! journal's budget (bodies past its size are recorded truncated). The stubs are made
//! by `crate::record`.

use std::sync::Mutex;

use bytes::Bytes;
use http::header::HeaderName;
use http::{Method, Request, Response};
use serde_json::{Value, json};
use standin_stubs::pattern::RequestPattern;

use super::{Admin, error, invalid, json_response, read_json};
use crate::journal::{Entry, EntryId};
use crate::record::{Capture, extract_body, mappings_of, parse_threshold};

/// Where recording stands.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Recording {
    /// Never started.
    #[default]
    NeverStarted,
    /// Recording through the proxy stub with this id.
    Recording {
        /// The id of the catch-all proxy stub.
        stub: String,
        /// The record spec `start` was given, applied at `stop`.
        spec: Value,
    },
    /// Stopped.
    Stopped,
}

/// The recording state of one mock.
#[derive(Debug, Default)]
pub struct Recorder {
    state: Mutex<Recording>,
}

impl Recorder {
    fn get(&self) -> Recording {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn set(&self, to: Recording) {
        if let Ok(mut s) = self.state.lock() {
            *s = to;
        }
    }
}

/// Routes `/recordings/...`; `None` when nothing here answers.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), rest) {
        ("POST", ["start"]) => start(admin, req.body()),
        ("POST", ["stop"]) => stop(admin),
        ("GET", ["status"]) => {
            let status = match admin.recorder.get() {
                Recording::NeverStarted => "NeverStarted",
                Recording::Recording { .. } => "Recording",
                Recording::Stopped => "Stopped",
            };
            json_response(200, &json!({ "status": status }))
        }
        ("POST", ["snapshot"]) => {
            let spec = match read_json(req.body()).and_then(|v| Spec::read(&v)) {
                Ok(v) => v,
                Err(e) => return Some(e),
            };
            let entries = admin
                .journal
                .filter(|e| spec.allow_non_proxied || e.why.note == Some("proxied"));
            finish(admin, &entries, &spec)
        }
        _ => return None,
    })
}

fn start(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let spec = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    if let Recording::Recording { .. } = admin.recorder.get() {
        return error(409, 10, None, "Recording already in progress", "");
    }
    let Some(target) = spec.get("targetBaseUrl").and_then(Value::as_str) else {
        return invalid(
            "/targetBaseUrl",
            "targetBaseUrl is required: the URL of the server to record",
        );
    };
    // Checked now, applied at stop.
    if let Err(e) = Spec::read(&spec) {
        return e;
    }
    let id = EntryId::random().to_string();
    let stub = json!({
        "id": id,
        "request": {"method": "ANY"},
        "response": {"proxyBaseUrl": target},
        "priority": 2147483647,
    });
    match admin.registry.add(&stub) {
        Ok(_) => {
            admin.recorder.set(Recording::Recording { stub: id, spec });
            super::ok()
        }
        Err(e) => invalid("/targetBaseUrl", &e.to_string()),
    }
}

fn stop(admin: &Admin) -> Response<Bytes> {
    let Recording::Recording { stub, spec } = admin.recorder.get() else {
        return error(400, 10, None, "Not currently recording", "");
    };
    let _ = admin.registry.remove(&stub);
    admin.recorder.set(Recording::Stopped);
    let spec = match Spec::read(&spec) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let entries = admin
        .journal
        .filter(|e| e.why.stub.as_deref() == Some(stub.as_str()));
    finish(admin, &entries, &spec)
}

/// WireMock's record spec, as far as standin reads it.
struct Spec {
    /// `filters` without `ids` and `allowNonProxied`: a request pattern.
    pattern: Option<RequestPattern>,
    /// `filters.ids`: only these serve events.
    ids: Option<Vec<EntryId>>,
    /// `filters.allowNonProxied`: a snapshot takes serve events not proxied too.
    allow_non_proxied: bool,
    capture: Vec<Capture>,
    /// `extractBodyCriteria`: text and binary thresholds.
    extract: Option<(usize, usize)>,
    persist: bool,
    scenarios: bool,
}

impl Spec {
    /// Reads the spec; a part that cannot be read is a 422 naming it.
    fn read(v: &Value) -> Result<Spec, Response<Bytes>> {
        let mut spec = Spec {
            pattern: None,
            ids: None,
            allow_non_proxied: false,
            capture: Vec::new(),
            extract: None,
            persist: v.get("persist").and_then(Value::as_bool).unwrap_or(true),
            scenarios: v
                .get("repeatsAsScenarios")
                .and_then(Value::as_bool)
                .unwrap_or(true),
        };
        if let Some(filters) = v.get("filters") {
            let Some(f) = filters.as_object() else {
                return Err(invalid("/filters", "filters must be an object"));
            };
            let mut pattern = f.clone();
            pattern.remove("ids");
            spec.allow_non_proxied = pattern
                .remove("allowNonProxied")
                .and_then(|b| b.as_bool())
                .unwrap_or(false);
            if !pattern.is_empty() {
                let p = RequestPattern::parse(&Value::Object(pattern), "/filters")
                    .map_err(|e| invalid("/filters", &e.to_string()))?;
                spec.pattern = Some(p);
            }
            if let Some(ids) = f.get("ids") {
                let list = ids.as_array().ok_or_else(|| {
                    invalid("/filters/ids", "ids must be a list of serve event ids")
                })?;
                let mut out = Vec::new();
                for (i, id) in list.iter().enumerate() {
                    let parsed = id.as_str().and_then(EntryId::parse).ok_or_else(|| {
                        invalid(
                            &format!("/filters/ids/{i}"),
                            "not a serve event id (a UUID)",
                        )
                    })?;
                    out.push(parsed);
                }
                spec.ids = Some(out);
            }
        }
        if let Some(capture) = v.get("captureHeaders") {
            let Some(m) = capture.as_object() else {
                return Err(invalid(
                    "/captureHeaders",
                    "captureHeaders must be an object of header names",
                ));
            };
            for (name, how) in m {
                let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    invalid(&format!("/captureHeaders/{name}"), "not a header name")
                })?;
                spec.capture.push(Capture {
                    name: header,
                    key: name.clone(),
                    case_insensitive: how
                        .get("caseInsensitive")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                });
            }
        }
        if let Some(c) = v.get("extractBodyCriteria") {
            let size = |key: &str, default: usize| match c.get(key) {
                None => Ok(default),
                Some(Value::Number(n)) => n
                    .as_u64()
                    .map(|n| n as usize)
                    .ok_or_else(|| invalid(&format!("/extractBodyCriteria/{key}"), "not a size")),
                Some(Value::String(t)) => parse_threshold(t).ok_or_else(|| {
                    invalid(
                        &format!("/extractBodyCriteria/{key}"),
                        &format!("{t:?} is not a size (2048, \"2 kb\", \"1 Mb\")"),
                    )
                }),
                Some(_) => Err(invalid(
                    &format!("/extractBodyCriteria/{key}"),
                    "not a size",
                )),
            };
            spec.extract = Some((
                size("textSizeThreshold", 10 << 10)?,
                size("binarySizeThreshold", 0)?,
            ));
        }
        Ok(spec)
    }

    /// Whether the spec's filters take `e`.
    fn keeps(&self, e: &Entry) -> bool {
        self.ids.as_ref().is_none_or(|ids| ids.contains(&e.id))
            && self
                .pattern
                .as_ref()
                .is_none_or(|p| p.matches(&e.request()))
    }
}

/// Stub mappings of `entries` the spec's filters keep (oldest first once sorted), bodies
/// extracted as it says, added to the mock unless `persist` is false; answers
/// `{"mappings": [...]}`.
fn finish(admin: &Admin, entries: &[std::sync::Arc<Entry>], spec: &Spec) -> Response<Bytes> {
    let mut entries: Vec<&Entry> = entries
        .iter()
        .map(|e| &**e)
        .filter(|e| spec.keeps(e))
        .collect();
    entries.sort_by_key(|e| e.seq);
    let mut mappings = mappings_of(&entries, spec.scenarios, true, &spec.capture);
    if let (Some((text, binary)), Some(files)) = (spec.extract, admin.registry.files_root()) {
        for m in &mut mappings {
            let name = format!(
                "{}-{}",
                m["name"].as_str().unwrap_or("stub"),
                m["id"].as_str().unwrap_or("")
            );
            let written = std::fs::create_dir_all(files)
                .map_err(anyhow::Error::from)
                .and_then(|()| extract_body(m, files, &name, text, binary));
            if let Err(e) = written {
                return error(
                    500,
                    10,
                    None,
                    "A recorded body could not be written to __files",
                    &format!("{e:#}"),
                );
            }
        }
    }
    let persist = spec.persist;
    if persist {
        for m in &mappings {
            if let Err(e) = admin.registry.add(m) {
                return error(
                    500,
                    10,
                    None,
                    "A recorded stub could not be added",
                    &e.to_string(),
                );
            }
        }
    }
    json_response(200, &json!({ "mappings": mappings }))
}
