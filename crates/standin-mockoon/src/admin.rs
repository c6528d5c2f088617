//! Mockoon's admin API under `/mockoon-admin`, answered by an environment: environment
//! variables (`MOCKOON_` prefixed; a value set here is kept by the environment, the
//! process's own environment is only read), global variables, the data buckets and
//! their reset, and the whole state's purge. Paths, bodies and messages are Mockoon's.
//! Clients on this machine are admitted, as standin's own admin API admits them; others
//! get Mockoon's 401.

use serde_json::{Value, json};
use standin_core::state::Store;

use crate::buckets::State;

/// The path Mockoon's admin API is under.
pub const PREFIX: &str = "/mockoon-admin";
use crate::template::ENV_PREFIX;

/// What an admin request answers: status and JSON body.
pub type AdminAnswer = (u16, Value);

fn message(status: u16, text: impl Into<String>) -> AdminAnswer {
    (status, json!({ "message": text.into() }))
}

/// The `key` and `value` of a set request, when both are there.
fn key_value(body: &[u8]) -> Option<(String, Value)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let key = match v.get("key")? {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let value = v.get("value")?.clone();
    Some((key, value))
}

fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Answers a request whose path is under [`PREFIX`]; `None` for a path Mockoon's admin
/// API does not have (the environment's routes then answer it).
pub fn answer(
    state: &State,
    store: &dyn Store,
    method: &str,
    path: &str,
    body: &[u8],
    loopback: bool,
) -> Option<AdminAnswer> {
    let rest = path.strip_prefix(PREFIX)?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    if !loopback {
        return Some(message(401, "Unauthorized"));
    }
    let rest = rest.trim_end_matches('/');
    let seg: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let purge_all = || {
        store.reset_resources(Some(""), None);
        json!({"response": "Server has been reset to its initial state"})
    };
    Some(match (method, seg.as_slice()) {
        ("GET", []) => (
            200,
            json!({"response": "Welcome to Mockoon's admin API. Check the documentation at https://mockoon.com/docs/latest/admin-api/overview/ for more information."}),
        ),
        ("POST", ["state", "purge"]) | ("PURGE", ["state"]) => (200, purge_all()),
        ("GET", ["env-vars", key]) => {
            let name = if key.starts_with(ENV_PREFIX) {
                (*key).to_string()
            } else {
                format!("{ENV_PREFIX}{key}")
            };
            match env_var(state, store, &name) {
                Some(v) => (200, json!({"key": name, "value": v})),
                None => message(404, "Environment variable not found"),
            }
        }
        ("POST" | "PUT" | "PATCH", ["env-vars"]) => match key_value(body) {
            Some((key, value)) => {
                let name = if key.starts_with(ENV_PREFIX) {
                    key
                } else {
                    format!("{ENV_PREFIX}{key}")
                };
                let text = shown(&value);
                match state.change_env(store, |m| {
                    m.insert(name.clone(), Value::String(text.clone()))
                }) {
                    Ok(_) => message(
                        200,
                        format!("Environment variable '{name}' has been set to '{text}'"),
                    ),
                    Err(e) => message(507, e.to_string()),
                }
            }
            None => message(400, "Invalid request"),
        },
        ("GET", ["global-vars", key]) => match state.globals(store).get(*key) {
            Some(v) => (200, json!({"key": key, "value": v})),
            None => message(404, "Global variable not found"),
        },
        ("POST" | "PUT" | "PATCH", ["global-vars"]) => match key_value(body) {
            Some((key, value)) => {
                let text = shown(&value);
                match state.change_globals(store, |g| g.insert(key.clone(), value)) {
                    Ok(_) => message(
                        200,
                        format!("Global variable '{key}' has been set to '{text}'"),
                    ),
                    Err(e) => message(507, e.to_string()),
                }
            }
            None => message(400, "Invalid request"),
        },
        ("POST", ["global-vars", "purge"]) | ("PURGE", ["global-vars"]) => {
            state.purge_globals(store);
            message(200, "Global variables have been purged")
        }
        ("GET", ["data-buckets"]) => (
            200,
            Value::Array(
                state
                    .buckets()
                    .iter()
                    .map(|b| json!({"id": b.id, "name": b.name, "parsed": true, "validJson": true}))
                    .collect(),
            ),
        ),
        ("GET", ["data-buckets", name]) => match state.find(name).or_else(|| state.lookup(name)) {
            Some(b) => (
                200,
                json!({"uuid": b.uuid, "id": b.id, "name": b.name, "value": state.value(store, b), "parsed": true, "validJson": true}),
            ),
            None => message(404, "Data bucket not found"),
        },
        ("POST", ["data-buckets", "purge"]) | ("PURGE", ["data-buckets"]) => {
            state.reset_buckets(store);
            message(200, "Data buckets have been reset to their initial state")
        }
        _ => return None,
    })
}

/// An environment variable: one set through the admin API, else the process's.
pub fn env_var(state: &State, store: &dyn Store, name: &str) -> Option<String> {
    match state.env_vars(store).get(name) {
        Some(v) => Some(shown(v)),
        None => std::env::var(name).ok(),
    }
}
