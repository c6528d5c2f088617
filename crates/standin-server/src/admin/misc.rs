//! The rest of the admin API: global settings (`fixedDelay`, `delayDistribution`,
//! `extended`), `reset`, `health`, `version` and `shutdown`.
//!
//! The global delay is compiled with the stub crate's own response parser (a response
//! of just `fixedDelayMilliseconds` and `delayDistribution`), so it accepts and samples
//! exactly what a stub's delay does.

use std::time::SystemTime;

use bytes::Bytes;
use http::{Method, Request, Response, header};
use serde_json::{Map, Value, json};
use standin_stubs::{StubOptions, StubResponse};

use super::requests::iso_date;
use super::{Admin, bytes_response, invalid, json_response, ok, ok_empty_json, read_json};
use crate::journal::unix_ms;

/// The version the admin API reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// WireMock's global settings.
#[derive(Default)]
pub struct Settings {
    /// As given (and echoed): `fixedDelay`, `delayDistribution`, `extended`, and any
    /// other field a client sent.
    json: Map<String, Value>,
    delay: Option<StubResponse>,
}

impl Settings {
    /// Reads settings from their JSON (the object itself or `{"settings": {...}}`).
    pub fn parse(v: &Value) -> Result<Settings, (String, String)> {
        let v = match v.get("settings") {
            Some(inner @ Value::Object(_)) => inner,
            _ => v,
        };
        let Value::Object(obj) = v else {
            return Err(("/".into(), "the settings must be a JSON object".into()));
        };
        let mut delay_json = Map::new();
        match obj.get("fixedDelay") {
            None | Some(Value::Null) => {}
            Some(d) if d.as_u64().is_some() => {
                delay_json.insert("fixedDelayMilliseconds".into(), d.clone());
            }
            Some(d) => {
                return Err((
                    "/fixedDelay".into(),
                    format!("fixedDelay must be a whole number of milliseconds, got {d}"),
                ));
            }
        }
        if let Some(d) = obj.get("delayDistribution").filter(|d| !d.is_null()) {
            delay_json.insert("delayDistribution".into(), d.clone());
        }
        if let Some(e) = obj
            .get("extended")
            .filter(|e| !e.is_null() && !e.is_object())
        {
            return Err((
                "/extended".into(),
                format!("extended must be an object, got {e}"),
            ));
        }
        let delay = if delay_json.is_empty() {
            None
        } else {
            let parsed =
                StubResponse::parse(&Value::Object(delay_json), "", &StubOptions::default())
                    .map_err(|e| {
                        let pointer = e.pointer.replace("/fixedDelayMilliseconds", "/fixedDelay");
                        (pointer, e.message)
                    })?;
            Some(parsed)
        };
        Ok(Settings {
            json: obj.clone(),
            delay,
        })
    }

    /// The delay these settings add to one stub answer.
    pub fn delay_ms(&self, entropy: u64) -> u64 {
        self.delay.as_ref().map_or(0, |d| d.delay_ms(entropy))
    }

    /// `{"settings": {...}}` as WireMock answers `GET /settings`.
    pub fn to_json(&self) -> Value {
        let mut s = self.json.clone();
        s.entry("extended").or_insert_with(|| json!({}));
        s.entry("proxyPassThrough").or_insert(json!(true));
        json!({ "settings": s })
    }

    fn extended(&self) -> Map<String, Value> {
        self.json
            .get("extended")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    }
}

fn update_settings(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    match Settings::parse(&v) {
        Ok(s) => {
            // WireMock answers an empty 200; the settings as JSON are answered instead,
            // because the Python client parses this answer as JSON (and fails on an
            // empty one), while the other clients ignore it.
            let answer = Value::Object(s.json.clone());
            admin.settings.store(std::sync::Arc::new(s));
            json_response(200, &answer)
        }
        Err((pointer, message)) => invalid(&pointer, &message),
    }
}

fn patch_extended(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(new) = v.get("extended").and_then(Value::as_object) else {
        return invalid("/extended", "the body must be {\"extended\": {...}}");
    };
    let current = admin.settings.load();
    let mut extended = current.extended();
    for (k, v) in new {
        extended.insert(k.clone(), v.clone());
    }
    let mut json = current.json.clone();
    json.insert("extended".into(), Value::Object(extended));
    match Settings::parse(&Value::Object(json)) {
        Ok(s) => {
            admin.settings.store(std::sync::Arc::new(s));
            ok_empty_json()
        }
        Err((pointer, message)) => invalid(&pointer, &message),
    }
}

fn health(admin: &Admin) -> Response<Bytes> {
    json_response(
        200,
        &json!({
            "status": "healthy",
            "message": "standin is ok",
            "version": VERSION,
            "uptimeInSeconds": admin.started.elapsed().as_secs(),
            "timestamp": iso_date(unix_ms(SystemTime::now())),
        }),
    )
}

fn version(req: &Request<Bytes>) -> Response<Bytes> {
    let plain = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/plain"));
    if plain {
        bytes_response(200, "text/plain", Bytes::from_static(VERSION.as_bytes()))
    } else {
        json_response(200, &json!({ "version": VERSION }))
    }
}

/// Routes the admin paths no other module claims (`segments` start after `/__admin`).
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    segments: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), segments) {
        ("GET", ["settings"]) => json_response(200, &admin.settings.load().to_json()),
        ("PUT" | "POST", ["settings"]) => update_settings(admin, req.body()),
        ("PATCH", ["settings", "extended"]) => patch_extended(admin, req.body()),
        ("POST", ["reset"]) => {
            admin.reset();
            ok()
        }
        ("GET", ["health"]) => health(admin),
        ("GET", ["version"]) => version(req),
        ("POST", ["shutdown"]) => {
            (admin.shutdown)();
            ok()
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    use super::super::testing::*;
    use super::*;
    use standin_core::Reply;
    use standin_core::exchange::Kind;

    #[test]
    fn settings_set_read_and_delay_stub_answers() {
        let f = fixture();
        let a = &f.admin;
        let (_, v, _) = call(a, "GET", "/__admin/settings", "");
        assert_eq!(v["settings"]["extended"], json!({}));
        let (status, _, res) = call(
            a,
            "POST",
            "/__admin/settings",
            r#"{"fixedDelay":250,"unknown":1}"#,
        );
        assert_eq!(status, 200);
        let answered: Value = serde_json::from_slice(res.body()).unwrap();
        assert_eq!(answered["fixedDelay"], 250);
        let mut stub_reply = Reply::status(200);
        stub_reply.why.answerer = Kind::Stub;
        assert_eq!(a.extra_delay_ms(&stub_reply, 7), 250);
        assert_eq!(a.extra_delay_ms(&Reply::status(404), 7), 0);
        let (_, v, _) = call(a, "GET", "/__admin/settings", "");
        assert_eq!(v["settings"]["fixedDelay"], 250);

        let (status, _, _) = call(
            a,
            "PUT",
            "/__admin/settings",
            r#"{"settings":{"delayDistribution":{"type":"uniform","lower":10,"upper":20}}}"#,
        );
        assert_eq!(status, 200);
        for e in 0..50 {
            let d = a.extra_delay_ms(&stub_reply, e * 7919);
            assert!((10..=20).contains(&d), "{d}");
        }
        let (status, v, _) = call(a, "POST", "/__admin/settings", r#"{"fixedDelay":"slow"}"#);
        assert_eq!(status, 422);
        assert_eq!(v["errors"][0]["source"]["pointer"], "/fixedDelay");
        let (status, _, _) = call(
            a,
            "POST",
            "/__admin/settings",
            r#"{"delayDistribution":{"type":"wobbly"}}"#,
        );
        assert_eq!(status, 422);
    }

    #[test]
    fn extended_settings_merge() {
        let f = fixture();
        let a = &f.admin;
        call(
            a,
            "POST",
            "/__admin/settings",
            r#"{"fixedDelay":5,"extended":{"a":1}}"#,
        );
        let (status, _, _) = call(
            a,
            "PATCH",
            "/__admin/settings/extended",
            r#"{"extended":{"b":2}}"#,
        );
        assert_eq!(status, 200);
        let (_, v, _) = call(a, "GET", "/__admin/settings", "");
        assert_eq!(v["settings"]["extended"], json!({"a": 1, "b": 2}));
        assert_eq!(v["settings"]["fixedDelay"], 5);
        let (status, _, _) = call(a, "PATCH", "/__admin/settings/extended", r#"{"x":1}"#);
        assert_eq!(status, 422);
    }

    #[test]
    fn reset_clears_the_journal_api_stubs_and_scenarios() {
        let f = fixture();
        let a = &f.admin;
        call(
            a,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"url":"/api"}}"#,
        );
        serve(a, "GET", "/hello", "", &[]);
        a.store.set_scenario("s", "moved");
        let (status, _, _) = call(a, "POST", "/__admin/reset", "");
        assert_eq!(status, 200);
        assert!(a.journal.is_empty());
        assert_eq!(a.registry.list().len(), 1);
        assert_eq!(a.store.scenario("s"), "Started");
        assert_eq!(a.registry.unmatched().len(), 1);
    }

    #[test]
    fn health_and_version() {
        let f = fixture();
        let (status, v, _) = call(&f.admin, "GET", "/__admin/health", "");
        assert_eq!(status, 200);
        assert_eq!(v["status"], "healthy");
        assert_eq!(v["version"], VERSION);
        assert!(v["uptimeInSeconds"].is_u64());
        assert!(v["timestamp"].as_str().unwrap().ends_with('Z'));
        assert!(v["message"].is_string());
        let (_, v, _) = call(&f.admin, "GET", "/__admin/version", "");
        assert_eq!(v, json!({"version": VERSION}));
        let req = Request::builder()
            .uri("/__admin/version")
            .header("accept", "text/plain")
            .body(Bytes::new())
            .unwrap();
        let res = super::super::handle(&f.admin, req, loopback());
        assert_eq!(&res.body()[..], VERSION.as_bytes());
    }

    #[test]
    fn shutdown_calls_back() {
        let f = fixture();
        let called = Arc::new(AtomicBool::new(false));
        let flag = called.clone();
        let admin = f
            .admin
            .on_shutdown(move || flag.store(true, Ordering::SeqCst));
        let (status, _, _) = call(&admin, "POST", "/__admin/shutdown", "");
        assert_eq!(status, 200);
        assert!(called.load(Ordering::SeqCst));
    }
}
