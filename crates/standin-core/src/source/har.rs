//! HAR 1.2 recordings: recognising them, and turning each `log.entries[]` into a
//! [`crate::saved::HarEntry`] (URL taken apart, bodies decoded from base64 where the
//! recording says so, headers that cannot be replayed dropped), with `--har-filter`
//! applied. Matching is [`crate::saved::har`]'s job.

use bytes::Bytes;
use serde_json::Value;

use crate::diag::{Diagnostic, push_pointer};
use crate::saved::HarEntry;
use crate::source::is_unreplayable_header;
use crate::wire::glob_match;

/// Whether a parsed document is a HAR (`log.entries`).
pub fn is_har(root: &Value) -> bool {
    root.get("log")
        .and_then(|l| l.get("entries"))
        .is_some_and(Value::is_array)
}

/// Whether a filter keeps an entry: a glob with a `/` is matched against the whole
/// URL, any other against the host (with and without its port).
pub fn filter_keeps(filters: &[String], url: &str, host: &str) -> bool {
    if filters.is_empty() {
        return true;
    }
    let bare_host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    filters.iter().any(|f| {
        if f.contains('/') {
            glob_match(f, url)
        } else {
            glob_match(f, host) || glob_match(f, bare_host)
        }
    })
}

/// Compiles the entries of one recording.
pub fn compile(
    file: &str,
    root: &Value,
    filters: &[String],
    cors: bool,
    diags: &mut Vec<Diagnostic>,
) -> Vec<HarEntry> {
    let entries = root
        .get("log")
        .and_then(|l| l.get("entries"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut hosts: Vec<String> = Vec::new();
    let mut filtered = 0usize;
    let mut unanswered = 0usize;
    for (i, e) in entries.iter().enumerate() {
        let pointer = push_pointer("/log/entries", &i.to_string());
        let Some(request) = e.get("request") else {
            diags.push(Diagnostic::warning(
                file,
                &pointer,
                "entry without a request; skipped",
            ));
            continue;
        };
        let url = request
            .get("url")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some((scheme_ok, host, path, query)) = split_url(url) else {
            continue;
        };
        if !scheme_ok {
            // data:, blob:, chrome-extension: ... never reach a server.
            continue;
        }
        let status = e
            .get("response")
            .and_then(|r| r.get("status"))
            .and_then(Value::as_u64)
            .and_then(|s| u16::try_from(s).ok())
            .unwrap_or(0);
        // Status 0 is a request that never got an answer (blocked, aborted); 101 is a
        // WebSocket upgrade, which a replay cannot continue.
        if !(100..=599).contains(&status) || status == 101 {
            unanswered += 1;
            continue;
        }
        if !filter_keeps(filters, url, &host) {
            filtered += 1;
            continue;
        }
        if !hosts.contains(&host) {
            hosts.push(host.clone());
        }
        let response = &e["response"];
        let method = request
            .get("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_string();
        let headers = pairs(request.get("headers"));
        let post = request.get("postData").map(|p| {
            p.get("text")
                .and_then(Value::as_str)
                .map(|t| t.as_bytes().to_vec())
                .unwrap_or_else(|| form_params(p))
        });
        let content = response.get("content");
        let base64 = content
            .and_then(|c| c.get("encoding"))
            .and_then(Value::as_str)
            .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
        if content.and_then(|c| c.get("_file")).is_some()
            && content.and_then(|c| c.get("text")).is_none()
        {
            diags.push(Diagnostic::warning(
                file,
                push_pointer(&pointer, "response"),
                "the body is in an attached file (`content._file`), which is not read: record with the content embedded (Playwright: updateContent: 'embed')",
            ));
        }
        let text = content
            .and_then(|c| c.get("text"))
            .and_then(Value::as_str)
            .unwrap_or("");
        let body = match body_bytes(text, base64) {
            Ok(b) => b,
            Err(msg) => {
                diags.push(Diagnostic::error(
                    file,
                    push_pointer(&pointer, "response"),
                    format!("{msg}; the entry is skipped"),
                ));
                continue;
            }
        };
        let all_headers = pairs(response.get("headers"));
        let location = all_headers
            .iter()
            .find(|(k, _)| k == "location")
            .map(|(_, v)| v.clone())
            .or_else(|| {
                response
                    .get("redirectURL")
                    .and_then(Value::as_str)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            });
        let mut response_headers: Vec<(String, String)> = all_headers
            .into_iter()
            .filter(|(k, _)| !is_unreplayable_header(k))
            // The engine adds its own CORS headers; a recorded copy would be a second value.
            .filter(|(k, _)| {
                !cors
                    || !matches!(
                        k.as_str(),
                        "access-control-allow-origin"
                            | "access-control-allow-credentials"
                            | "access-control-expose-headers"
                    )
            })
            .collect();
        if !response_headers.iter().any(|(k, _)| k == "content-type")
            && let Some(mime) = content
                .and_then(|c| c.get("mimeType"))
                .and_then(Value::as_str)
                .filter(|m| !m.is_empty() && !body.is_empty())
        {
            response_headers.push(("content-type".into(), mime.to_string()));
        }
        out.push(HarEntry {
            file: file.to_string(),
            index: i,
            method,
            url: url.to_string(),
            host,
            path,
            query,
            headers,
            post,
            status,
            response_headers,
            body,
            location,
        });
    }
    if !filters.is_empty() && out.is_empty() && filtered > 0 {
        diags.push(Diagnostic::warning(
            file,
            "",
            format!(
                "--har-filter {} keeps none of the {filtered} entries",
                filters.join(", ")
            ),
        ));
    } else if filters.is_empty() && hosts.len() > 1 {
        diags.push(Diagnostic::warning(
            file,
            "",
            format!(
                "the recording holds traffic to {} hosts ({}); requests are matched on path and query only, so the same path on two hosts answers with the first. Keep one host with --har-filter HOST",
                hosts.len(),
                hosts.join(", ")
            ),
        ));
    }
    if out.is_empty() && entries.is_empty() {
        diags.push(Diagnostic::warning(
            file,
            "/log/entries",
            "the HAR has no entries",
        ));
    } else if out.is_empty() && unanswered > 0 && filtered == 0 {
        diags.push(Diagnostic::warning(
            file,
            "/log/entries",
            "no entry of the HAR has a response to replay",
        ));
    }
    out
}

/// Bytes of a body as recorded: the text, or the bytes its base64 stands for.
fn body_bytes(text: &str, base64: bool) -> Result<Bytes, String> {
    if base64 {
        use base64::Engine as _;
        let cleaned: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(cleaned.as_bytes())
            .map(Bytes::from)
            .map_err(|e| format!("the base64 body cannot be decoded: {e}"))
    } else {
        Ok(Bytes::from(text.to_string()))
    }
}

/// `scheme://host/path?query` → (http(s)?, lower-cased host, raw path, raw query).
fn split_url(url: &str) -> Option<(bool, String, String, Option<String>)> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme_ok = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let rest = rest.split('#').next().unwrap_or("");
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let host = rest[..end].to_ascii_lowercase();
    let tail = &rest[end..];
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (tail, None),
    };
    let path = if path.is_empty() { "/" } else { path };
    Some((scheme_ok, host, path.to_string(), query))
}

/// `[{name, value}]` → pairs with names lower-cased; HTTP/2 pseudo-headers dropped.
fn pairs(v: Option<&Value>) -> Vec<(String, String)> {
    v.and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|h| {
            let name = h.get("name")?.as_str()?.to_ascii_lowercase();
            let value = h.get("value")?.as_str()?.to_string();
            (!name.starts_with(':')).then_some((name, value))
        })
        .collect()
}

/// A form body recorded only as `params` (no `text`): rebuilt as urlencoded.
fn form_params(post: &Value) -> Vec<u8> {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    post.get("params")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .filter_map(|p| {
            let name = p.get("name")?.as_str()?;
            let value = p.get("value").and_then(Value::as_str).unwrap_or("");
            Some(format!(
                "{}={}",
                utf8_percent_encode(name, NON_ALPHANUMERIC),
                utf8_percent_encode(value, NON_ALPHANUMERIC)
            ))
        })
        .collect::<Vec<_>>()
        .join("&")
        .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            split_url("https://API.example.com:8443/a/b?x=1&y=2#frag"),
            Some((
                true,
                "api.example.com:8443".into(),
                "/a/b".into(),
                Some("x=1&y=2".into())
            ))
        );
        assert_eq!(
            split_url("http://h?x"),
            Some((true, "h".into(), "/".into(), Some("x".into())))
        );
        assert_eq!(split_url("data:text/plain,hi"), None);
        assert!(!split_url("chrome-extension://abc/x").unwrap().0);
    }

    #[test]
    fn filters() {
        let f = |g: &[&str], url: &str, host: &str| {
            filter_keeps(
                &g.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                url,
                host,
            )
        };
        assert!(f(&[], "http://a/x", "a"));
        assert!(f(
            &["api.example.com"],
            "https://api.example.com/x",
            "api.example.com"
        ));
        assert!(f(
            &["*.example.com"],
            "https://api.example.com/x",
            "api.example.com"
        ));
        assert!(f(
            &["127.0.0.1"],
            "http://127.0.0.1:8000/x",
            "127.0.0.1:8000"
        ));
        assert!(!f(
            &["cdn.example.com"],
            "https://api.example.com/x",
            "api.example.com"
        ));
        assert!(f(
            &["*/v2/*"],
            "https://api.example.com/v2/items",
            "api.example.com"
        ));
        assert!(!f(
            &["*/v2/*"],
            "https://api.example.com/v1/items",
            "api.example.com"
        ));
    }
}
