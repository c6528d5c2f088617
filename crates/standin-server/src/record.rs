//! `standin record`'s output: what the journal holds of proxied exchanges, written when
//! recording stops, as a WireMock stub root (`mappings/` and `__files/`), a HAR 1.2
//! file, a Postman collection (v2.1, each answer a saved example) or a copy of an
//! OpenAPI document with the answers written into its operations as named examples
//! (`openapi.rs`; YAML when the output's name ends in `.yaml` or `.yml`, JSON
//! otherwise). Each replays with `standin serve` on the output. Credentials are
//! redacted unless kept; `Date`, `Server` and hop-by-hop headers are left out.

use std::path::Path;

use anyhow::Context;
use base64::Engine as _;
use serde_json::{Value, json};

pub mod openapi;

use std::collections::HashMap;

use http::header::HeaderName;
use serde_json::Map;
use standin_core::wire::is_json;

use crate::forward::is_hop_by_hop;
use crate::journal::{Entry, EntryId, Journal, unix_ms};

/// Response bodies longer than this go to `__files/` in a stub root.
pub const EXTRACT_OVER: usize = 10 << 10;

/// The output formats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Format {
    /// A WireMock stub root.
    WireMock,
    /// A HAR 1.2 file.
    Har,
    /// A Postman collection, v2.1.
    Postman,
    /// A copy of this OpenAPI document with the answers as named examples.
    OpenApiExamples(std::path::PathBuf),
}

/// The proxied exchanges of `journal`, oldest first.
pub fn proxied(journal: &Journal) -> Vec<std::sync::Arc<Entry>> {
    let mut entries = journal.filter(|e| e.why.note == Some("proxied"));
    entries.sort_by_key(|e| e.seq);
    entries
}

/// What to write: every proxied exchange, or those whose path and query match one of
/// `urls` (globs) and whose method is one of `methods`.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// URL globs (`/api/*`); empty: every URL.
    pub urls: Vec<String>,
    /// Methods; empty: every method.
    pub methods: Vec<String>,
}

impl Filter {
    /// Whether `e` is to be written.
    pub fn keeps(&self, e: &Entry) -> bool {
        (self.urls.is_empty()
            || self
                .urls
                .iter()
                .any(|g| standin_core::wire::glob_match(g, e.url())))
            && (self.methods.is_empty()
                || self
                    .methods
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(e.method.as_str())))
    }
}

/// Writes the proxied exchanges of `journal` that `filter` keeps to `out`, credentials
/// redacted unless `keep_secrets`; answers how many.
pub fn write(
    journal: &Journal,
    out: &Path,
    format: &Format,
    keep_secrets: bool,
    filter: &Filter,
) -> anyhow::Result<usize> {
    let entries = proxied(journal);
    let refs: Vec<&Entry> = entries
        .iter()
        .map(|e| &**e)
        .filter(|e| filter.keeps(e))
        .collect();
    match format {
        Format::WireMock => {
            let mappings = out.join("mappings");
            std::fs::create_dir_all(&mappings)
                .with_context(|| format!("cannot create {}", mappings.display()))?;
            std::fs::create_dir_all(out.join("__files"))
                .with_context(|| format!("cannot create {}/__files", out.display()))?;
            for (i, mut m) in mappings_of(&refs, true, !keep_secrets, &[])
                .into_iter()
                .enumerate()
            {
                let name = format!("{:04}-{}", i + 1, m["name"].as_str().unwrap_or("stub"));
                extract_body(
                    &mut m,
                    &out.join("__files"),
                    &name,
                    EXTRACT_OVER,
                    EXTRACT_OVER,
                )?;
                let file = mappings.join(format!("{name}.json"));
                let text = serde_json::to_string_pretty(&m)?;
                std::fs::write(&file, text)
                    .with_context(|| format!("cannot write {}", file.display()))?;
            }
        }
        Format::Har => write_file(out, &har_of(&refs, !keep_secrets))?,
        Format::Postman => write_file(out, &postman_of(&refs, !keep_secrets))?,
        Format::OpenApiExamples(spec) => {
            let text = std::fs::read_to_string(spec)
                .with_context(|| format!("cannot read {}", spec.display()))?;
            let mut doc = standin_core::parse::parse_document(&text)
                .map_err(|e| anyhow::anyhow!("{}: {}", spec.display(), e.message))?;
            let unplaced = openapi::add_examples(&mut doc, &refs)
                .map_err(|e| anyhow::anyhow!("{}: {e}", spec.display()))?;
            for e in unplaced {
                eprintln!(
                    "standin: {} {}: no operation of {} has this path; not written",
                    e.method,
                    e.url(),
                    spec.display()
                );
            }
            let yaml = out
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
            if yaml {
                let text = serde_saphyr::to_string(&doc)
                    .map_err(|e| anyhow::anyhow!("{}: cannot write YAML: {e}", out.display()))?;
                write_text(out, &text)?;
            } else {
                write_file(out, &doc)?;
            }
        }
    }
    for e in refs
        .iter()
        .filter(|e| e.body.truncated() || e.response.body.truncated())
    {
        eprintln!(
            "standin: {} {}: a body longer than the journal keeps ({} bytes) is recorded truncated; raise --journal-max-body to record it whole",
            e.method,
            e.url(),
            journal.config().max_body
        );
    }
    Ok(refs.len())
}

/// Writes `value` as pretty JSON to the file `out`, making its directory.
fn write_file(out: &Path, value: &Value) -> anyhow::Result<()> {
    write_text(out, &serde_json::to_string_pretty(value)?)
}

/// Writes `text` to the file `out`, making its directory.
fn write_text(out: &Path, text: &str) -> anyhow::Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))
}

/// A header's value as a recording writes it: [`REDACTED`] for a secret when `redact`;
/// `None` when it is not text.
fn shown<'v>(name: &HeaderName, value: &'v http::HeaderValue, redact: bool) -> Option<&'v str> {
    if redact && is_secret(name.as_str()) {
        Some(REDACTED)
    } else {
        value.to_str().ok()
    }
}

/// Whether a query parameter carries a credential: `api_key`, `apikey`, `key`,
/// `token`, `access_token`, `*_token`, `auth`, `password`, `secret`, `signature`.
pub fn is_secret_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase().replace('-', "_");
    matches!(
        n.as_str(),
        "key" | "token" | "auth" | "password" | "secret" | "signature" | "sig"
    ) || n.contains("api_key")
        || n.contains("apikey")
        || n.ends_with("_token")
        || n.ends_with("_secret")
}

/// The path and query of `e` as a recording writes them: secret query parameters'
/// values [`REDACTED`] when `redact`.
fn url_of(e: &Entry, redact: bool) -> std::borrow::Cow<'_, str> {
    let Some(query) = e.query().filter(|_| redact) else {
        return e.url().into();
    };
    let mut changed = false;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| {
            let (k, _) = pair.split_once('=').unwrap_or((pair, ""));
            let decoded = standin_core::wire::percent_decode(&k.replace('+', " "));
            if is_secret_param(&decoded) {
                changed = true;
                format!("{k}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    if !changed {
        return e.url().into();
    }
    format!("{}?{}", e.path(), pairs.join("&")).into()
}

/// What a redacted secret is written as.
pub const REDACTED: &str = "REDACTED";

/// Whether a header carries a credential: `Authorization`, `Cookie`, `Set-Cookie`,
/// `Proxy-Authorization` and API-key headers (`X-Api-Key`, `Api-Key`, `*-Token`).
pub fn is_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || n.contains("api-key")
        || n.contains("apikey")
        || n.ends_with("-token")
}

/// Moves a response body over `text_over` bytes (`binary_over` for a base64 one) to
/// `files/NAME.body`, leaving a `bodyFileName` in the mapping.
pub(crate) fn extract_body(
    m: &mut Value,
    files: &Path,
    name: &str,
    text_over: usize,
    binary_over: usize,
) -> anyhow::Result<()> {
    let Some(response) = m.get_mut("response").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let (bytes, over) = match (response.get("body"), response.get("base64Body")) {
        (Some(Value::String(t)), _) => (t.as_bytes().to_vec(), text_over),
        (_, Some(Value::String(b))) => (
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .unwrap_or_default(),
            binary_over,
        ),
        _ => return Ok(()),
    };
    if bytes.len() <= over {
        return Ok(());
    }
    let file_name = format!("{name}.body");
    let path = files.join(&file_name);
    std::fs::write(&path, &bytes).with_context(|| format!("cannot write {}", path.display()))?;
    response.remove("body");
    response.remove("base64Body");
    response.insert("bodyFileName".into(), json!(file_name));
    Ok(())
}

/// The headers of `map` as `{name, value}` objects (HAR's shape), secrets redacted
/// when `redact`.
fn headers_of(map: &http::HeaderMap, redact: bool) -> Vec<Value> {
    map.iter()
        .filter_map(|(n, v)| {
            let v = shown(n, v, redact)?;
            Some(json!({"name": n.as_str(), "value": v}))
        })
        .collect()
}

/// A HAR 1.2 document of `entries`, credentials redacted when `redact`.
pub fn har_of(entries: &[&Entry], redact: bool) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    let list: Vec<Value> = entries
        .iter()
        .map(|e| {
            let host = e.host().unwrap_or("localhost").to_string();
            let mut request = json!({
                "method": e.method.as_str(),
                "url": format!("{}://{host}{}", e.scheme(), url_of(e, redact)),
                "httpVersion": "HTTP/1.1",
                "headers": headers_of(&e.headers, redact),
                "queryString": [],
                "cookies": [],
                "headersSize": -1,
                "bodySize": e.body.size,
            });
            if !e.body.bytes.is_empty() {
                let mime = e
                    .headers
                    .get(http::header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("application/octet-stream");
                request["postData"] = json!({
                    "mimeType": mime,
                    "text": String::from_utf8_lossy(&e.body.bytes),
                });
            }
            let body = &e.response.body.bytes;
            let mime = e
                .response
                .headers
                .get(http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let content = match std::str::from_utf8(body) {
                Ok(t) => json!({"size": body.len(), "mimeType": mime, "text": t}),
                Err(_) => json!({"size": body.len(), "mimeType": mime,
                                 "text": b64.encode(body), "encoding": "base64"}),
            };
            let response_headers = response_headers_of(e, redact);
            json!({
                "startedDateTime": standin_core::saved::template::iso(unix_ms(e.at)),
                "time": e.elapsed.as_secs_f64() * 1000.0,
                "request": request,
                "response": {
                    "status": e.response.status,
                    "statusText": "",
                    "httpVersion": "HTTP/1.1",
                    "headers": response_headers,
                    "cookies": [],
                    "content": content,
                    "redirectURL": "",
                    "headersSize": -1,
                    "bodySize": body.len(),
                },
                "cache": {},
                "timings": {"send": 0, "wait": 0, "receive": 0},
            })
        })
        .collect();
    json!({"log": {
        "version": "1.2",
        "creator": {"name": "standin", "version": env!("CARGO_PKG_VERSION")},
        "entries": list,
    }})
}

/// The response headers of `e` a recording keeps, as `{name, value}` objects.
fn response_headers_of(e: &Entry, redact: bool) -> Vec<Value> {
    let kept: http::HeaderMap = e
        .response
        .headers
        .iter()
        .filter(|(n, _)| !dropped(n))
        .map(|(n, v)| (n.clone(), v.clone()))
        .collect();
    headers_of(&kept, redact)
}

/// The media type a header map declares, or `""`.
fn content_type(map: &http::HeaderMap) -> &str {
    map.get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

/// A Postman collection (v2.1) of `entries`: one request per exchange, with the answer
/// as its saved example (`originalRequest`, `code`, `header`, `body`); the server
/// recorded is the `baseUrl` variable. Credentials redacted when `redact`.
pub fn postman_of(entries: &[&Entry], redact: bool) -> Value {
    let base = entries
        .first()
        .and_then(|e| Some((e.scheme(), e.host()?)))
        .map_or_else(
            || "http://localhost".to_string(),
            |(scheme, h)| format!("{scheme}://{h}"),
        );
    let postman_headers = |list: Vec<Value>| -> Vec<Value> {
        list.into_iter()
            .map(|h| json!({"key": h["name"], "value": h["value"]}))
            .collect()
    };
    let items: Vec<Value> = entries
        .iter()
        .map(|e| {
            let sent: http::HeaderMap = e
                .headers
                .iter()
                .filter(|(n, _)| *n != http::header::HOST && !is_hop_by_hop(n))
                .map(|(n, v)| (n.clone(), v.clone()))
                .collect();
            let request_headers = postman_headers(headers_of(&sent, redact));
            let mut request = json!({
                "method": e.method.as_str(),
                "header": request_headers,
                "url": {"raw": format!("{{{{baseUrl}}}}{}", url_of(e, redact))},
            });
            if !e.body.bytes.is_empty() {
                request["body"] = json!({
                    "mode": "raw",
                    "raw": String::from_utf8_lossy(&e.body.bytes),
                });
            }
            let name = format!("{} {}", e.method, url_of(e, redact));
            let body = &e.response.body.bytes;
            let preview = if standin_core::wire::is_json(content_type(&e.response.headers)) {
                "json"
            } else {
                "text"
            };
            json!({
                "name": name,
                "request": request.clone(),
                "response": [{
                    "name": format!("{} {name}", e.response.status),
                    "originalRequest": request,
                    "code": e.response.status,
                    "header": postman_headers(response_headers_of(e, redact)),
                    "body": String::from_utf8_lossy(body),
                    "_postman_previewlanguage": preview,
                }],
            })
        })
        .collect();
    json!({
        "info": {
            "name": "standin recording",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "variable": [{"key": "baseUrl", "value": base}],
        "item": items,
    })
}

/// A request header a recorded stub matches on (WireMock's `captureHeaders`): its name,
/// and whether the value is compared ignoring case.
#[derive(Debug, Clone)]
pub struct Capture {
    /// The header.
    pub name: HeaderName,
    /// Its name as the spec wrote it, the key of the stub's `headers`.
    pub key: String,
    /// `caseInsensitive`.
    pub case_insensitive: bool,
}

/// A stub mapping per request (matching also the `capture` headers it carries);
/// identical requests seen more than once become one scenario whose states step
/// through their answers in order.
pub fn mappings_of(
    entries: &[&Entry],
    scenarios: bool,
    redact: bool,
    capture: &[Capture],
) -> Vec<Value> {
    let key = |e: &Entry| {
        let captured: Vec<Option<http::HeaderValue>> = capture
            .iter()
            .map(|c| e.headers.get(&c.name).cloned())
            .collect();
        (
            e.method.clone(),
            e.url().to_string(),
            e.body.bytes.clone(),
            captured,
        )
    };
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
        let mut m = mapping_of(e, redact, capture);
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

/// The longest name [`slug`] makes.
const SLUG_MAX: usize = 100;

/// WireMock's name of a recorded stub's path: its segments joined by `-`,
/// at most [`SLUG_MAX`] characters, so that file names made of it (a stub file, an
/// extracted body, with a number or an id beside it) stay within a file system's limit
/// of 255 bytes.
fn slug(path: &str) -> String {
    let s: String = path
        .trim_matches('/')
        .chars()
        .take(SLUG_MAX)
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
pub(crate) fn dropped(name: &HeaderName) -> bool {
    is_hop_by_hop(name)
        || matches!(
            name.as_str(),
            "date" | "server" | "content-length" | "matched-stub-id" | "matched-stub-name"
        )
}

/// One stub mapping of a journalled exchange.
fn mapping_of(e: &Entry, redact: bool, capture: &[Capture]) -> Value {
    let id = EntryId::random().to_string();
    let mut request = Map::new();
    let query = standin_core::wire::form_pairs(e.query());
    if redact && query.iter().any(|(k, _)| is_secret_param(k)) {
        // The secret's value is not written; the stub takes any value for it.
        request.insert("urlPath".into(), json!(e.path()));
        let mut params = Map::new();
        for (k, v) in &query {
            let m = if is_secret_param(k) {
                json!({"matches": ".*"})
            } else {
                json!({"equalTo": v})
            };
            params.insert(k.clone(), m);
        }
        request.insert("queryParameters".into(), Value::Object(params));
    } else {
        request.insert("url".into(), json!(e.url()));
    }
    request.insert("method".into(), json!(e.method.as_str()));
    let mut captured = Map::new();
    for c in capture {
        let Some(v) = e
            .headers
            .get(&c.name)
            .and_then(|v| shown(&c.name, v, redact))
        else {
            continue;
        };
        let mut m = json!({ "equalTo": v });
        if c.case_insensitive {
            m["caseInsensitive"] = json!(true);
        }
        captured.insert(c.key.clone(), m);
    }
    if !captured.is_empty() {
        request.insert("headers".into(), Value::Object(captured));
    }
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
    for (name, value) in e.response.headers.iter() {
        if dropped(name) {
            continue;
        }
        let Some(v) = shown(name, value, redact) else {
            continue;
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

/// A size as WireMock's `extractBodyCriteria` writes it: `2048`, `2 kb`, `1 Mb`,
/// `1.5 gb` (powers of 1024, the unit's case ignored).
pub fn parse_threshold(text: &str) -> Option<usize> {
    let t = text.trim().to_ascii_lowercase();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let number: f64 = number.parse().ok()?;
    let scale = match unit.trim() {
        "" | "b" => 1.0,
        "kb" | "k" => 1024.0,
        "mb" | "m" => 1024.0 * 1024.0,
        "gb" | "g" => 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = number * scale;
    (bytes.is_finite() && bytes >= 0.0 && bytes < usize::MAX as f64).then_some(bytes as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_read_wiremock_sizes() {
        assert_eq!(parse_threshold("2048"), Some(2048));
        assert_eq!(parse_threshold("2 kb"), Some(2048));
        assert_eq!(parse_threshold("1 Mb"), Some(1 << 20));
        assert_eq!(parse_threshold("lots"), None);
    }

    #[test]
    fn slugs_name_paths() {
        assert_eq!(slug("/api/users/1"), "api-users-1");
        assert_eq!(slug("/"), "root");
        assert_eq!(slug(&"/x".repeat(500)).len(), SLUG_MAX);
    }

    #[test]
    fn dropped_headers() {
        assert!(dropped(&HeaderName::from_static("date")));
        assert!(dropped(&HeaderName::from_static("transfer-encoding")));
        assert!(!dropped(&HeaderName::from_static("content-type")));
    }

    #[test]
    fn credential_parameters_are_secrets() {
        for name in [
            "api_key",
            "apiKey",
            "X-API-KEY",
            "access_token",
            "key",
            "client_secret",
        ] {
            assert!(is_secret_param(name), "{name}");
        }
        assert!(!is_secret_param("page"));
        assert!(!is_secret_param("monkey"));
    }

    #[test]
    fn credentials_are_secrets() {
        for name in [
            "Authorization",
            "cookie",
            "Set-Cookie",
            "X-Api-Key",
            "x-auth-token",
        ] {
            assert!(is_secret(name), "{name}");
        }
        assert!(!is_secret("content-type"));
    }
}
