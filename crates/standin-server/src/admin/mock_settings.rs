//! The mock's own settings, read and changed at runtime (`/__admin/mock/settings`):
//! name, environment variables, delay, privacy, matching, validation and example
//! choice — what `--delay`, `--api-key`, `--env`, `--match-body`, `--match-header`,
//! `--validate` and `--examples` set at start.
//!
//! `PATCH` (or `PUT`) takes any of the fields and leaves the others as they are. Every
//! value is checked before anything changes: a body with one bad value is a 422 listing
//! each refused field in WireMock's `errors` shape, `source.pointer` naming it
//! (`/delay`, `/apiKey`), and the mock keeps its settings. An accepted change rebuilds
//! the snapshot from the mock's documents with the new settings and swaps it in before
//! the answer, so the next request sees it; a rebuild with more load errors than the
//! current one (an environment file that does not parse) is refused the same way.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::{Map, Value, json};
use standin_core::MockSettings;
use standin_core::settings::{Delay, ExampleChoice, ValidateMode};

use super::{Admin, json_response, read_json};

/// A refused value: where (a JSON pointer) and why.
type Refusal = (String, String);

fn delay_text(d: Option<Delay>) -> Value {
    match d {
        None => Value::Null,
        Some(d) if d.min_ms == d.max_ms => json!(d.min_ms.to_string()),
        Some(d) => json!(format!("{}-{}", d.min_ms, d.max_ms)),
    }
}

fn mode_text(v: ValidateMode) -> &'static str {
    match v {
        ValidateMode::Enforce => "enforce",
        ValidateMode::Warn => "warn",
        ValidateMode::Off => "off",
    }
}

fn examples_text(e: ExampleChoice) -> &'static str {
    match e {
        ExampleChoice::First => "first",
        ExampleChoice::Random => "random",
        ExampleChoice::Sequential => "sequential",
    }
}

/// The settings as the API shows them.
fn to_json(name: &str, s: &MockSettings) -> Value {
    let variables: Map<String, Value> = s
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    json!({
        "name": name,
        "delay": delay_text(s.delay),
        "delayMs": s.delay.map(|d| json!({ "min": d.min_ms, "max": d.max_ms })),
        "private": s.api_key.is_some(),
        "apiKey": s.api_key,
        "environment": {
            "file": s.postman_env.as_ref().map(|p| p.display().to_string()),
            "variables": variables,
        },
        "matching": { "body": s.match_body, "headers": s.match_headers },
        "validation": mode_text(s.validate),
        "examples": examples_text(s.examples),
    })
}

fn current(admin: &Admin) -> MockSettings {
    admin
        .snapshot
        .as_ref()
        .map(|s| s.load().settings.clone())
        .unwrap_or_default()
}

fn get(admin: &Admin) -> Response<Bytes> {
    json_response(200, &to_json(&admin.mock.name.load(), &current(admin)))
}

fn parse_delay(v: &Value) -> Result<Option<Delay>, String> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) if s.trim().is_empty() || s.trim() == "0" => Ok(None),
        Value::String(s) if s.trim().starts_with('-') => Err(format!(
            "a delay cannot be negative, got {s:?}: give milliseconds such as 250, a range such as 100-300, 2G or 3G"
        )),
        Value::String(s) => Delay::parse(s).map(Some),
        Value::Number(n) => match n.as_u64() {
            Some(0) => Ok(None),
            Some(ms) => Delay::parse(&ms.to_string()).map(Some),
            None if n.as_f64().is_some_and(|f| f < 0.0) => {
                Err(format!("a delay cannot be negative, got {n}"))
            }
            None => Err(format!(
                "a delay is a whole number of milliseconds, got {n}"
            )),
        },
        other => Err(format!(
            "a delay is milliseconds (250), a range (\"100-300\"), \"2G\", \"3G\" or null, got {other}"
        )),
    }
}

fn string_at(
    obj: &Map<String, Value>,
    key: &str,
    pointer: &str,
) -> Result<Option<String>, Refusal> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err((
            pointer.into(),
            format!("{key} must be a string, got {other}"),
        )),
    }
}

fn bool_at(obj: &Map<String, Value>, key: &str, pointer: &str) -> Result<Option<bool>, Refusal> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err((
            pointer.into(),
            format!("{key} must be true or false, got {other}"),
        )),
    }
}

/// The name, checked.
fn parse_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() {
        return Err("the name cannot be empty".into());
    }
    if name.chars().count() > 100 {
        return Err("the name is at most 100 characters".into());
    }
    if name.chars().any(char::is_control) {
        return Err("the name cannot hold control characters".into());
    }
    Ok(name.to_string())
}

/// The API key, checked: sent as a header, so visible ASCII only.
fn parse_key(text: &str) -> Result<String, String> {
    let key = text.trim();
    if key.is_empty() {
        return Err("a private mock needs an API key: the key cannot be empty".into());
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(
            "the API key is sent as the x-api-key header: visible ASCII characters only, no spaces"
                .into(),
        );
    }
    Ok(key.to_string())
}

fn parse_environment(v: &Value, into: &mut MockSettings, refused: &mut Vec<Refusal>) {
    let Value::Object(env) = v else {
        refused.push((
            "/environment".into(),
            format!("environment must be an object {{\"file\", \"variables\"}}, got {v}"),
        ));
        return;
    };
    match env.get("file") {
        None => {}
        Some(Value::Null) => into.postman_env = None,
        Some(Value::String(s)) if s.trim().is_empty() => into.postman_env = None,
        Some(Value::String(s)) => {
            let path = PathBuf::from(s.trim());
            match std::fs::metadata(&path) {
                Ok(m) if m.is_file() => into.postman_env = Some(path),
                Ok(_) => refused.push(("/environment/file".into(), format!("{s} is not a file"))),
                Err(e) => refused.push((
                    "/environment/file".into(),
                    format!("cannot read the Postman environment {s}: {e}"),
                )),
            }
        }
        Some(other) => refused.push((
            "/environment/file".into(),
            format!("file must be a path or null, got {other}"),
        )),
    }
    match env.get("variables") {
        None => {}
        Some(Value::Object(vars)) => {
            let mut out = Vec::new();
            for (k, v) in vars {
                let pointer = format!(
                    "/environment/variables/{}",
                    k.replace('~', "~0").replace('/', "~1")
                );
                if k.trim().is_empty() {
                    refused.push((pointer, "a variable needs a name".into()));
                    continue;
                }
                match v {
                    Value::String(s) => out.push((k.clone(), s.clone())),
                    Value::Number(_) | Value::Bool(_) => out.push((k.clone(), v.to_string())),
                    other => refused.push((
                        pointer,
                        format!("the value of {k} must be a string, got {other}"),
                    )),
                }
            }
            into.variables = out;
        }
        Some(other) => refused.push((
            "/environment/variables".into(),
            format!("variables must be an object of names to values, got {other}"),
        )),
    }
}

fn parse_matching(v: &Value, into: &mut MockSettings, refused: &mut Vec<Refusal>) {
    let Value::Object(m) = v else {
        refused.push((
            "/matching".into(),
            format!("matching must be an object {{\"body\", \"headers\"}}, got {v}"),
        ));
        return;
    };
    match bool_at(m, "body", "/matching/body") {
        Ok(Some(b)) => into.match_body = b,
        Ok(None) => {}
        Err(r) => refused.push(r),
    }
    match m.get("headers") {
        None => {}
        Some(Value::Array(list)) => {
            let mut names = Vec::new();
            for (i, h) in list.iter().enumerate() {
                let pointer = format!("/matching/headers/{i}");
                match h.as_str().map(str::trim) {
                    Some(name) if http::HeaderName::from_bytes(name.as_bytes()).is_ok() => {
                        names.push(name.to_ascii_lowercase());
                    }
                    Some(name) => refused.push((pointer, format!("{name:?} is not a header name"))),
                    None => refused.push((pointer, format!("a header name is a string, got {h}"))),
                }
            }
            into.match_headers = names;
        }
        Some(other) => refused.push((
            "/matching/headers".into(),
            format!("headers must be a list of header names, got {other}"),
        )),
    }
}

/// Applies the fields of `body` to `settings` (and the name); every refusal is listed.
fn apply(body: &Value, name: &mut String, s: &mut MockSettings) -> Result<(), Vec<Refusal>> {
    let Value::Object(obj) = body else {
        return Err(vec![(
            "/".into(),
            "the settings must be a JSON object".into(),
        )]);
    };
    let mut refused = Vec::new();
    match string_at(obj, "name", "/name") {
        Ok(Some(n)) => match parse_name(&n) {
            Ok(n) => *name = n,
            Err(e) => refused.push(("/name".into(), e)),
        },
        Ok(None) => {}
        Err(r) => refused.push(r),
    }
    if let Some(d) = obj.get("delay") {
        match parse_delay(d) {
            Ok(d) => s.delay = d,
            Err(e) => refused.push(("/delay".into(), e)),
        }
    }
    let private = match bool_at(obj, "private", "/private") {
        Ok(p) => p.unwrap_or(s.api_key.is_some()),
        Err(r) => {
            refused.push(r);
            s.api_key.is_some()
        }
    };
    let key = match string_at(obj, "apiKey", "/apiKey") {
        Ok(k) => k.or_else(|| s.api_key.clone()),
        Err(r) => {
            refused.push(r);
            None
        }
    };
    if private {
        match parse_key(key.as_deref().unwrap_or("")) {
            Ok(k) => s.api_key = Some(k),
            Err(e) if !refused.iter().any(|(p, _)| p == "/apiKey") => {
                refused.push(("/apiKey".into(), e));
            }
            Err(_) => {}
        }
    } else {
        s.api_key = None;
    }
    if let Some(env) = obj.get("environment") {
        parse_environment(env, s, &mut refused);
    }
    if let Some(m) = obj.get("matching") {
        parse_matching(m, s, &mut refused);
    }
    match string_at(obj, "validation", "/validation") {
        Ok(Some(v)) => match v.parse() {
            Ok(v) => s.validate = v,
            Err(e) => refused.push(("/validation".into(), e)),
        },
        Ok(None) => {}
        Err(r) => refused.push(r),
    }
    match string_at(obj, "examples", "/examples") {
        Ok(Some(v)) => match v.parse() {
            Ok(v) => s.examples = v,
            Err(e) => refused.push(("/examples".into(), e)),
        },
        Ok(None) => {}
        Err(r) => refused.push(r),
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(refused)
    }
}

/// WireMock's `errors` document with one error per refused value.
fn refusals(refused: &[Refusal]) -> Response<Bytes> {
    let errors: Vec<Value> = refused
        .iter()
        .map(|(pointer, detail)| super::error_entry(10, Some(pointer), "Invalid setting", detail))
        .collect();
    json_response(422, &json!({ "errors": errors }))
}

fn update(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let _editing = admin.mock.editing.lock().unwrap_or_else(|e| e.into_inner());
    let before = current(admin);
    let mut settings = before.clone();
    let mut name = admin.mock.name.load().to_string();
    if let Err(refused) = apply(&v, &mut name, &mut settings) {
        return refusals(&refused);
    }
    if settings != before
        && let Some(snap) = &admin.snapshot
    {
        let next = standin_core::Snapshot::build(
            &crate::files::DiskFiles,
            &admin.mock.documents,
            settings.clone(),
        );
        let errors =
            |s: &standin_core::Snapshot| s.diagnostics.iter().filter(|d| d.is_error()).count();
        let now = snap.load();
        if errors(&next) > errors(&now) {
            let pointer = if settings.postman_env != before.postman_env {
                "/environment/file"
            } else {
                "/"
            };
            let found: Vec<Refusal> = next
                .diagnostics
                .iter()
                .filter(|d| d.is_error() && !now.diagnostics.contains(d))
                .map(|d| (pointer.to_string(), d.to_string()))
                .collect();
            return refusals(&found);
        }
        snap.store(Arc::new(next));
    }
    admin.mock.name.store(Arc::new(super::mock::intern(&name)));
    json_response(200, &to_json(&name, &current(admin)))
}

/// Routes `/mock/settings`.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), rest) {
        ("GET", []) => get(admin),
        ("PUT" | "PATCH" | "POST", []) => update(admin, req.body()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn applied(body: Value) -> Result<(String, MockSettings), Vec<Refusal>> {
        let mut name = "api".to_string();
        let mut s = MockSettings::default();
        apply(&body, &mut name, &mut s).map(|()| (name, s))
    }

    #[test]
    fn values_are_checked_and_every_refusal_is_named() {
        let refused =
            applied(json!({"delay": -5, "private": true, "apiKey": " ", "validation": "loud"}))
                .unwrap_err();
        let pointers: Vec<&str> = refused.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(pointers, ["/delay", "/apiKey", "/validation"]);
        assert!(refused[0].1.contains("negative"), "{refused:?}");
        assert!(refused[1].1.contains("cannot be empty"), "{refused:?}");
        assert!(refused[2].1.contains("enforce, warn or off"), "{refused:?}");
        assert!(
            applied(json!({"delay": "-5"})).unwrap_err()[0]
                .1
                .contains("negative")
        );
        assert!(applied(json!({"name": ""})).is_err());
        assert!(applied(json!({"matching": {"headers": ["bad header"]}})).is_err());
        assert!(applied(json!([1])).is_err());
    }

    #[test]
    fn accepted_values_change_only_what_is_given() {
        let (name, s) = applied(json!({
            "name": " shop ",
            "delay": "2G",
            "private": true,
            "apiKey": "k1",
            "environment": {"variables": {"host": "example.test", "n": 3}},
            "matching": {"body": true, "headers": ["X-Tenant"]},
            "examples": "random",
        }))
        .unwrap();
        assert_eq!(name, "shop");
        assert_eq!(
            s.delay,
            Some(Delay {
                min_ms: 300,
                max_ms: 300
            })
        );
        assert_eq!(s.api_key.as_deref(), Some("k1"));
        assert_eq!(
            s.variables,
            [
                ("host".into(), "example.test".into()),
                ("n".into(), "3".into())
            ]
        );
        assert!(s.match_body);
        assert_eq!(s.match_headers, ["x-tenant"]);
        assert_eq!(s.examples, ExampleChoice::Random);
        assert_eq!(s.validate, ValidateMode::Enforce);
        let (_, s) = applied(json!({"delay": null, "private": false})).unwrap();
        assert_eq!((s.delay, s.api_key), (None, None));
        let v = to_json(
            "shop",
            &MockSettings {
                delay: Delay::parse("100-300").ok(),
                ..Default::default()
            },
        );
        assert_eq!(v["delay"], "100-300");
        assert_eq!(v["delayMs"]["max"], 300);
    }
}
