//! WireMock's recording API: `/__admin/recordings/start`, `stop`, `status` and
//! `snapshot`. Starting installs a catch-all stub proxying to `targetBaseUrl` (as
//! WireMock's `Recorder` does); stopping removes it and turns the journal's serve
//! events of that stub into stub mappings; a snapshot does the same for every proxied
//! serve event in the journal. Defaults as WireMock's: repeated identical requests
//! become a scenario, the body matcher is chosen by content type (`equalToJson` for
//! JSON, `equalTo` otherwise), and the new stubs are added to the mock. What is kept
//! is bounded by the journal's budget (bodies past its size are recorded truncated).

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine as _;
use bytes::Bytes;
use http::header::HeaderName;
use http::{Method, Request, Response};
use serde_json::{Map, Value, json};
use standin_core::wire::is_json;

use super::{Admin, error, invalid, json_response, read_json};
use crate::forward::is_hop_by_hop;
use crate::journal::{Entry, EntryId};

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
            let spec = match read_json(req.body()) {
                Ok(v) => v,
                Err(e) => return Some(e),
            };
            let entries = admin.journal.filter(|e| e.why.note == Some("proxied"));
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
    let id = EntryId::random().to_string();
    let stub = json!({
        "id": id,
        "request": {"method": "ANY"},
        "response": {"proxyBaseUrl": target},
        "priority": 2147483647,
    });
    match admin.registry.add(&stub) {
        Ok(_) => {
            admin.recorder.set(Recording::Recording { stub: id });
            super::ok()
        }
        Err(e) => invalid("/targetBaseUrl", &e.to_string()),
    }
}

fn stop(admin: &Admin) -> Response<Bytes> {
    let Recording::Recording { stub } = admin.recorder.get() else {
        return error(400, 10, None, "Not currently recording", "");
    };
    let _ = admin.registry.remove(&stub);
    admin.recorder.set(Recording::Stopped);
    let entries = admin
        .journal
        .filter(|e| e.why.stub.as_deref() == Some(stub.as_str()));
    finish(admin, &entries, &json!({}))
}

/// Stub mappings of `entries` (oldest first once sorted), added to the mock unless
/// `persist` is false; answers `{"mappings": [...]}`.
fn finish(admin: &Admin, entries: &[std::sync::Arc<Entry>], spec: &Value) -> Response<Bytes> {
    let mut entries: Vec<&Entry> = entries.iter().map(|e| &**e).collect();
    entries.sort_by_key(|e| e.seq);
    let scenarios = spec
        .get("repeatsAsScenarios")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let persist = spec.get("persist").and_then(Value::as_bool).unwrap_or(true);
    let mappings = mappings_of(&entries, scenarios, true);
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

/// A stub mapping per request; identical requests seen more than once become one
/// scenario whose states step through their answers in order.
pub fn mappings_of(entries: &[&Entry], scenarios: bool, redact: bool) -> Vec<Value> {
    let key = |e: &Entry| (e.method.clone(), e.url.clone(), e.body.bytes.clone());
    let mut counts: HashMap<_, usize> = HashMap::new();
    for e in entries {
        *counts.entry(key(e)).or_default() += 1;
    }
    let mut seen: HashMap<_, (String, usize)> = HashMap::new();
    let mut next_scenario = 0;
    let mut out = Vec::new();
    for e in entries {
        let k = key(e);
        let total = counts[&k];
        if !scenarios && seen.contains_key(&k) {
            continue;
        }
        let mut m = mapping_of(e, redact);
        if scenarios && total > 1 {
            let (name, i) = seen.entry(k).or_insert_with(|| {
                next_scenario += 1;
                (format!("scenario-{next_scenario}-{}", slug(e.path())), 0)
            });
            *i += 1;
            let obj = m.as_object_mut().expect("a mapping is an object");
            obj.insert("scenarioName".into(), json!(name));
            let required = if *i == 1 {
                "Started".to_string()
            } else {
                format!("{name}-{i}")
            };
            obj.insert("requiredScenarioState".into(), json!(required));
            if *i < total {
                obj.insert(
                    "newScenarioState".into(),
                    json!(format!("{name}-{}", *i + 1)),
                );
            }
        } else {
            seen.insert(k, (String::new(), 1));
        }
        out.push(m);
    }
    out
}

/// WireMock's name of a recorded stub's path: its segments joined by `-`.
fn slug(path: &str) -> String {
    let s: String = path
        .trim_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() { "root".into() } else { s }
}

/// Response headers a recording leaves out: per connection, or the server's own.
fn dropped(name: &HeaderName) -> bool {
    is_hop_by_hop(name)
        || matches!(
            name.as_str(),
            "date" | "server" | "content-length" | "matched-stub-id" | "matched-stub-name"
        )
}

/// One stub mapping of a journalled exchange.
fn mapping_of(e: &Entry, redact: bool) -> Value {
    let id = EntryId::random().to_string();
    let mut request = Map::new();
    request.insert("url".into(), json!(e.url));
    request.insert("method".into(), json!(e.method.as_str()));
    let body = &e.body.bytes;
    if !body.is_empty() {
        let content_type = e
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let text = std::str::from_utf8(body).ok();
        let pattern = match text {
            Some(t) if is_json(content_type) && serde_json::from_str::<Value>(t).is_ok() => {
                json!({"equalToJson": t, "ignoreArrayOrder": true, "ignoreExtraElements": true})
            }
            Some(t) => json!({"equalTo": t}),
            None => {
                json!({"binaryEqualTo": base64::engine::general_purpose::STANDARD.encode(body)})
            }
        };
        request.insert("bodyPatterns".into(), json!([pattern]));
    }
    let mut response = Map::new();
    response.insert("status".into(), json!(e.response.status));
    let r = &e.response.body.bytes;
    if !r.is_empty() {
        match std::str::from_utf8(r) {
            Ok(t) => response.insert("body".into(), json!(t)),
            Err(_) => response.insert(
                "base64Body".into(),
                json!(base64::engine::general_purpose::STANDARD.encode(r)),
            ),
        };
    }
    let mut headers = Map::new();
    for (name, value) in &e.response.headers {
        if dropped(name) {
            continue;
        }
        let Ok(v) = value.to_str() else { continue };
        let v = if redact && crate::record::is_secret(name.as_str()) {
            crate::record::REDACTED
        } else {
            v
        };
        headers.insert(name.as_str().to_string(), json!(v));
    }
    if !headers.is_empty() {
        response.insert("headers".into(), Value::Object(headers));
    }
    json!({
        "id": id,
        "uuid": id,
        "name": slug(e.path()),
        "request": request,
        "response": response,
        "persistent": true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_name_paths() {
        assert_eq!(slug("/api/users/1"), "api-users-1");
        assert_eq!(slug("/"), "root");
    }

    #[test]
    fn dropped_headers() {
        assert!(dropped(&HeaderName::from_static("date")));
        assert!(dropped(&HeaderName::from_static("transfer-encoding")));
        assert!(!dropped(&HeaderName::from_static("content-type")));
    }
}
