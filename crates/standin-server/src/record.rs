//! `standin record`'s output: what the journal holds of proxied exchanges, written when
//! recording stops, as a WireMock stub root (`mappings/` and `__files/`) or a HAR 1.2
//! file. Both replay with `standin serve` on the output.

use std::path::Path;

use anyhow::Context;
use base64::Engine as _;
use serde_json::{Value, json};

use crate::admin::recordings::mappings_of;
use crate::journal::{Entry, Journal, unix_ms};

/// Response bodies longer than this go to `__files/` in a stub root.
pub const EXTRACT_OVER: usize = 10 << 10;

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A WireMock stub root.
    WireMock,
    /// A HAR 1.2 file.
    Har,
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
                .any(|g| standin_core::wire::glob_match(g, &e.url)))
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
    format: Format,
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
            for (i, mut m) in mappings_of(&refs, true, !keep_secrets)
                .into_iter()
                .enumerate()
            {
                let name = format!("{:04}-{}", i + 1, m["name"].as_str().unwrap_or("stub"));
                extract_body(&mut m, &out.join("__files"), &name)?;
                let file = mappings.join(format!("{name}.json"));
                let text = serde_json::to_string_pretty(&m)?;
                std::fs::write(&file, text)
                    .with_context(|| format!("cannot write {}", file.display()))?;
            }
        }
        Format::Har => {
            if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
            }
            let text = serde_json::to_string_pretty(&har_of(&refs, !keep_secrets))?;
            std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
        }
    }
    Ok(refs.len())
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

/// Moves a response body over [`EXTRACT_OVER`] bytes to `files/NAME.body`, leaving a
/// `bodyFileName` in the mapping.
fn extract_body(m: &mut Value, files: &Path, name: &str) -> anyhow::Result<()> {
    let Some(response) = m.get_mut("response").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let bytes = match (response.get("body"), response.get("base64Body")) {
        (Some(Value::String(t)), _) => t.as_bytes().to_vec(),
        (_, Some(Value::String(b))) => base64::engine::general_purpose::STANDARD
            .decode(b)
            .unwrap_or_default(),
        _ => return Ok(()),
    };
    if bytes.len() <= EXTRACT_OVER {
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

fn headers_of(map: &http::HeaderMap, redact: bool) -> Vec<Value> {
    map.iter()
        .filter_map(|(n, v)| {
            let v = if redact && is_secret(n.as_str()) {
                REDACTED
            } else {
                v.to_str().ok()?
            };
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
                "url": format!("http://{host}{}", e.url),
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
            let response_headers: Vec<Value> = headers_of(&e.response.headers, redact)
                .into_iter()
                .filter(|h| {
                    !matches!(
                        h["name"].as_str(),
                        Some("matched-stub-id" | "matched-stub-name" | "content-length")
                    )
                })
                .collect();
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

#[cfg(test)]
mod tests {
    use super::*;

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
