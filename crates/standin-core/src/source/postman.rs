//! Postman collections (v2.0 and v2.1) and environment files: recognising them, and
//! turning every saved example (`item[].response[]`) into a [`crate::saved::Example`]
//! with collection and environment variables substituted.
//!
//! What an example is matched on comes from its `originalRequest` (the request it was
//! saved from; the parent request when absent): method, URL, headers, body. What it
//! answers with is its `code`, `header` and `body`. Variables are substituted at load,
//! the environment over the collection, as Postman ranks them; a `{{var}}` nothing
//! defines stays, and in a URL path it matches any one segment.

use std::path::Path;

use serde_json::Value;

use crate::diag::{Diagnostic, push_pointer};
use crate::saved::{Example, ExampleBody, Part};
use crate::source::{Files, is_unreplayable_header};

/// Whether a parsed document is a Postman collection.
pub fn is_collection(root: &Value) -> bool {
    let info = root.get("info");
    let schema_says = info
        .and_then(|i| i.get("schema"))
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("getpostman.com") || s.contains("postman"));
    schema_says
        || info.and_then(|i| i.get("_postman_id")).is_some()
        || root.get("item").is_some_and(Value::is_array)
}

/// Variables, first match wins.
pub type Vars = Vec<(String, String)>;

/// Reads a Postman environment file (`{"values": [{"key", "value", "enabled"}]}`).
pub fn load_environment(files: &dyn Files, path: &Path, diags: &mut Vec<Diagnostic>) -> Vars {
    let display = path.display().to_string();
    let text = match files.read(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error(
                display,
                "",
                format!("cannot read the Postman environment: {e}"),
            ));
            return Vec::new();
        }
    };
    let root = match crate::parse::parse_document(&text) {
        Ok(v) => v,
        Err(e) => {
            diags.push(Diagnostic::error(display, "", e.message).at_line(e.line));
            return Vec::new();
        }
    };
    let list = root
        .get("values")
        .or_else(|| root.get("variable"))
        .and_then(Value::as_array);
    let Some(list) = list else {
        diags.push(Diagnostic::error(
            display,
            "",
            "not a Postman environment: expected a `values` array of {key, value}",
        ));
        return Vec::new();
    };
    variables(list)
}

/// `[{key, value, enabled|disabled}]` → pairs, skipping disabled ones.
pub(crate) fn variables(list: &[Value]) -> Vars {
    list.iter()
        .filter(|v| v.get("enabled").and_then(Value::as_bool) != Some(false))
        .filter(|v| v.get("disabled").and_then(Value::as_bool) != Some(true))
        .filter_map(|v| {
            let key = v.get("key").or_else(|| v.get("id"))?.as_str()?.to_string();
            Some((key, scalar(v.get("value"))))
        })
        .collect()
}

/// A JSON scalar as the text Postman would substitute.
fn scalar(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// `{{name}}` replaced from `vars` (nested references resolved a few levels deep);
/// `{{$dynamic}}` and names nothing defines left for later.
pub fn substitute(text: &str, vars: &Vars) -> String {
    let mut current = text.to_string();
    // A variable may refer to another; five levels covers real use and stops loops.
    for _ in 0..5 {
        if !current.contains("{{") {
            break;
        }
        let mut out = String::with_capacity(current.len());
        let mut rest = current.as_str();
        let mut changed = false;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = after[..end].trim();
            match vars.iter().find(|(k, _)| k == name) {
                Some((_, v)) if !name.starts_with('$') => {
                    out.push_str(v);
                    changed = true;
                }
                _ => {
                    out.push_str(&rest[start..start + 2 + end + 2]);
                }
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        current = out;
        if !changed {
            break;
        }
    }
    current
}

/// Everything found in one collection.
struct Walk<'a> {
    file: &'a str,
    vars: Vars,
    out: Vec<Example>,
    order: usize,
    without_examples: Vec<String>,
    diags: &'a mut Vec<Diagnostic>,
}

/// Compiles every saved example of a collection. `env` overrides the collection's own
/// variables; `order` numbers the examples from where the previous collection ended.
pub fn compile(
    file: &str,
    root: &Value,
    env: &Vars,
    order: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Example> {
    if root.get("item").is_none() && root.get("requests").is_some() {
        diags.push(Diagnostic::error(
            file,
            "",
            "a Postman Collection v1 is not supported: export it again as Collection v2.1 (Postman: Export → Collection v2.1)",
        ));
        return Vec::new();
    }
    let mut vars = env.clone();
    if let Some(list) = root.get("variable").and_then(Value::as_array) {
        vars.extend(variables(list));
    }
    let mut walk = Walk {
        file,
        vars,
        out: Vec::new(),
        order,
        without_examples: Vec::new(),
        diags,
    };
    match root.get("item").and_then(Value::as_array) {
        Some(items) => walk.items(items, "/item"),
        None => walk.diags.push(Diagnostic::error(
            file,
            "",
            "a Postman collection needs an `item` array",
        )),
    }
    if !walk.without_examples.is_empty() {
        let n = walk.without_examples.len();
        let shown: Vec<&str> = walk
            .without_examples
            .iter()
            .take(5)
            .map(String::as_str)
            .collect();
        walk.diags.push(Diagnostic::warning(
            file,
            "",
            format!(
                "{n} request{} without a saved example, not served (a mock answers with saved examples only): {}{}",
                if n == 1 { "" } else { "s" },
                shown.join(", "),
                if n > 5 { ", ..." } else { "" }
            ),
        ));
    }
    if walk.out.is_empty() {
        walk.diags.push(Diagnostic::warning(
            file,
            "",
            "the collection has no saved examples: save a response as an example (Postman: Save Response → Save as example) to serve it",
        ));
    }
    walk.out
}

impl Walk<'_> {
    fn items(&mut self, items: &[Value], pointer: &str) {
        for (i, item) in items.iter().enumerate() {
            let at = push_pointer(pointer, &i.to_string());
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                self.items(children, &push_pointer(&at, "item"));
                continue;
            }
            let Some(request) = item.get("request") else {
                continue;
            };
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("unnamed request");
            let responses = item
                .get("response")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            if responses.is_empty() {
                self.without_examples.push(name.to_string());
            }
            for (ri, response) in responses.iter().enumerate() {
                let rat = push_pointer(&push_pointer(&at, "response"), &ri.to_string());
                let original = response
                    .get("originalRequest")
                    .filter(|v| !v.is_null())
                    .unwrap_or(request);
                if let Some(ex) = self.example(original, response, name, ri, &rat) {
                    self.out.push(ex);
                }
            }
        }
    }

    fn example(
        &mut self,
        request: &Value,
        response: &Value,
        request_name: &str,
        index: usize,
        pointer: &str,
    ) -> Option<Example> {
        let vars = &self.vars;
        let (method, url) = match request {
            Value::String(url) => ("GET".to_string(), Value::String(url.clone())),
            Value::Object(m) => (
                m.get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_ascii_uppercase(),
                m.get("url").cloned().unwrap_or(Value::Null),
            ),
            _ => {
                self.diags.push(Diagnostic::warning(
                    self.file,
                    pointer,
                    "the example's request is neither a URL nor an object; skipped",
                ));
                return None;
            }
        };
        let Some((path, query)) = url_parts(&url, vars) else {
            self.diags.push(Diagnostic::warning(
                self.file,
                pointer,
                "the example's request has no URL; skipped",
            ));
            return None;
        };
        let headers = header_list(request.get("header"), vars);
        let body = request.get("body").and_then(|b| body_of(b, vars));
        let status = match response.get("code") {
            None | Some(Value::Null) => 200,
            Some(v) => match v.as_u64().and_then(|c| u16::try_from(c).ok()) {
                Some(c) if (100..=599).contains(&c) => c,
                _ => {
                    self.diags.push(Diagnostic::warning(
                        self.file,
                        push_pointer(pointer, "code"),
                        format!("status code {v} is not an HTTP status; 200 is sent"),
                    ));
                    200
                }
            },
        };
        let mut response_headers: Vec<(String, String)> = header_list(response.get("header"), vars)
            .into_iter()
            .filter(|(k, _)| !is_unreplayable_header(k))
            .collect();
        if !response_headers.iter().any(|(k, _)| k == "content-type")
            && let Some(ct) = response
                .get("_postman_previewlanguage")
                .and_then(Value::as_str)
                .and_then(preview_type)
        {
            response_headers.push(("content-type".into(), ct.into()));
        }
        let response_body = substitute(&scalar(response.get("body")), vars);
        let id = response
            .get("id")
            .or_else(|| response.get("_postman_id"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let name = response
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("{request_name} #{}", index + 1), str::to_string);
        let segments = crate::wire::split_segments(&path)
            .iter()
            .map(|s| parts(s))
            .collect();
        self.order += 1;
        Some(Example {
            file: self.file.to_string(),
            id,
            name,
            order: self.order,
            method,
            path,
            segments,
            query,
            headers,
            body,
            status,
            response_headers,
            response_body,
        })
    }
}

/// The content type Postman's preview language stands for.
fn preview_type(lang: &str) -> Option<&'static str> {
    match lang {
        "json" => Some("application/json"),
        "html" => Some("text/html; charset=utf-8"),
        "xml" => Some("application/xml"),
        "text" => Some("text/plain; charset=utf-8"),
        "javascript" => Some("application/javascript"),
        _ => None,
    }
}

/// The decoded path and query of a request URL, variables substituted. The host (a
/// `{{baseUrl}}` or a real one) is dropped: the mock serves paths.
pub(crate) fn url_parts(url: &Value, vars: &Vars) -> Option<(String, Vec<(String, String)>)> {
    let (raw, query_list) = match url {
        Value::String(s) => (s.clone(), None),
        Value::Object(m) => {
            let raw = match m.get("raw").and_then(Value::as_str) {
                Some(r) => r.to_string(),
                None => rebuild(m)?,
            };
            (raw, m.get("query").and_then(Value::as_array))
        }
        _ => return None,
    };
    let raw = substitute(&raw, vars);
    let raw = raw.split('#').next().unwrap_or("");
    let (before_query, raw_query) = match raw.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (raw, None),
    };
    let path = strip_host(before_query);
    let path = crate::wire::percent_decode(&path);
    let query = match query_list {
        Some(list) => list
            .iter()
            .filter(|q| q.get("disabled").and_then(Value::as_bool) != Some(true))
            .filter_map(|q| {
                let key = substitute(q.get("key")?.as_str()?, vars);
                Some((key, substitute(&scalar(q.get("value")), vars)))
            })
            .collect(),
        None => crate::wire::form_pairs(raw_query),
    };
    Some((path, query))
}

/// A raw URL from the structured form (`protocol`, `host`, `port`, `path`).
fn rebuild(m: &serde_json::Map<String, Value>) -> Option<String> {
    let join = |v: Option<&Value>, sep: &str| -> Option<String> {
        match v? {
            Value::String(s) => Some(s.clone()),
            Value::Array(items) => Some(
                items
                    .iter()
                    .map(|p| match p {
                        Value::Object(o) => scalar(o.get("value")),
                        other => scalar(Some(other)),
                    })
                    .collect::<Vec<_>>()
                    .join(sep),
            ),
            _ => None,
        }
    };
    let host = join(m.get("host"), ".");
    let path = join(m.get("path"), "/");
    if host.is_none() && path.is_none() {
        return None;
    }
    let mut raw = String::new();
    if let Some(h) = host {
        raw.push_str(&h);
        if let Some(port) = m.get("port").and_then(Value::as_str) {
            raw.push(':');
            raw.push_str(port);
        }
    }
    if let Some(p) = path {
        if !p.starts_with('/') {
            raw.push('/');
        }
        raw.push_str(&p);
    }
    Some(raw)
}

/// `https://h/p` → `/p`; `{{baseUrl}}/p` and `localhost:3000/p` → `/p`; `/p` stays.
fn strip_host(url: &str) -> String {
    let after_scheme = match url.find("://") {
        Some(at) if !url[..at].contains(['/', '{']) => &url[at + 3..],
        _ => url,
    };
    if after_scheme.starts_with('/') && after_scheme.len() == url.len() {
        return after_scheme.to_string();
    }
    // The host ends at the first `/` outside a `{{...}}`.
    let mut depth = 0usize;
    let bytes = after_scheme.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Bytes, not `str` slices: `i` may fall inside a multi-byte character.
        if bytes[i..].starts_with(b"{{") {
            depth += 1;
            i += 2;
            continue;
        }
        if bytes[i..].starts_with(b"}}") && depth > 0 {
            depth -= 1;
            i += 2;
            continue;
        }
        if bytes[i] == b'/' && depth == 0 {
            return after_scheme[i..].to_string();
        }
        i += 1;
    }
    "/".to_string()
}

/// One path segment: `:id` is a variable; so is each `{{var}}` left after substitution.
fn parts(segment: &str) -> Vec<Part> {
    if let Some(name) = segment.strip_prefix(':')
        && !name.is_empty()
    {
        return vec![Part::Var(name.to_string())];
    }
    let mut out = Vec::new();
    let mut rest = segment;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else {
            break;
        };
        if start > 0 {
            out.push(Part::Lit(rest[..start].to_string()));
        }
        out.push(Part::Var(
            rest[start + 2..start + 2 + len].trim().to_string(),
        ));
        rest = &rest[start + 2 + len + 2..];
    }
    if !rest.is_empty() {
        out.push(Part::Lit(rest.to_string()));
    }
    out
}

/// Headers as `[{key, value, disabled}]` or as a raw `Name: value` block; names
/// lower-cased.
pub(crate) fn header_list(v: Option<&Value>, vars: &Vars) -> Vec<(String, String)> {
    match v {
        Some(Value::Array(list)) => list
            .iter()
            .filter(|h| h.get("disabled").and_then(Value::as_bool) != Some(true))
            .filter_map(|h| {
                let key = h.get("key").or_else(|| h.get("name"))?.as_str()?;
                Some((
                    key.trim().to_ascii_lowercase(),
                    substitute(&scalar(h.get("value")), vars),
                ))
            })
            .collect(),
        Some(Value::String(block)) => block
            .lines()
            .filter_map(|l| {
                let (k, v) = l.split_once(':')?;
                Some((k.trim().to_ascii_lowercase(), substitute(v.trim(), vars)))
            })
            .filter(|(k, _)| !k.is_empty())
            .collect(),
        _ => Vec::new(),
    }
}

/// The request body an example is compared on.
fn body_of(body: &Value, vars: &Vars) -> Option<ExampleBody> {
    if body.get("disabled").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let fields = |key: &str, text_only: bool| -> Vec<(String, String)> {
        body.get(key)
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|f| f.get("disabled").and_then(Value::as_bool) != Some(true))
            .filter(|f| !text_only || f.get("type").and_then(Value::as_str) != Some("file"))
            .filter_map(|f| {
                Some((
                    substitute(f.get("key")?.as_str()?, vars),
                    substitute(&scalar(f.get("value")), vars),
                ))
            })
            .collect()
    };
    match body.get("mode").and_then(Value::as_str) {
        Some("raw") => {
            let raw = substitute(body.get("raw").and_then(Value::as_str)?, vars);
            (!raw.trim().is_empty()).then_some(ExampleBody::Text(raw))
        }
        Some("urlencoded") => Some(ExampleBody::Form(fields("urlencoded", false))),
        Some("formdata") => Some(ExampleBody::Multipart(fields("formdata", true))),
        Some("graphql") => {
            let g = body.get("graphql")?;
            let query = substitute(g.get("query").and_then(Value::as_str).unwrap_or(""), vars);
            let variables = match g.get("variables") {
                Some(Value::String(s)) if !s.trim().is_empty() => {
                    serde_json::from_str(&substitute(s, vars)).unwrap_or(Value::Null)
                }
                Some(Value::Object(o)) => Value::Object(o.clone()),
                _ => Value::Object(Default::default()),
            };
            let doc = serde_json::json!({"query": query, "variables": variables});
            Some(ExampleBody::Text(doc.to_string()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_dropped() {
        assert_eq!(strip_host("https://api.example.com/v1/get"), "/v1/get");
        assert_eq!(strip_host("{{baseUrl}}/get"), "/get");
        assert_eq!(strip_host("{{base/Url}}/get"), "/get");
        assert_eq!(strip_host("localhost:3000/get"), "/get");
        assert_eq!(strip_host("/get"), "/get");
        assert_eq!(strip_host("https://api.example.com"), "/");
        assert_eq!(strip_host("https://exämple.com/ünïcode"), "/ünïcode");
    }

    #[test]
    fn substitution_is_nested_and_leaves_unknowns() {
        let vars: Vars = vec![
            ("host".into(), "{{scheme}}://x".into()),
            ("scheme".into(), "https".into()),
        ];
        assert_eq!(
            substitute("{{host}}/{{id}}/{{$guid}}", &vars),
            "https://x/{{id}}/{{$guid}}"
        );
        let looping: Vars = vec![("a".into(), "{{a}}".into())];
        assert_eq!(substitute("{{a}}", &looping), "{{a}}");
    }

    #[test]
    fn segment_parts() {
        assert_eq!(parts(":id"), vec![Part::Var("id".into())]);
        assert_eq!(
            parts("user-{{id}}.json"),
            vec![
                Part::Lit("user-".into()),
                Part::Var("id".into()),
                Part::Lit(".json".into())
            ]
        );
        assert_eq!(parts("plain"), vec![Part::Lit("plain".into())]);
    }

    #[test]
    fn recognised() {
        assert!(is_collection(&serde_json::json!({"info": {
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []})));
        assert!(is_collection(&serde_json::json!({"item": []})));
        assert!(!is_collection(&serde_json::json!({"openapi": "3.1.0"})));
    }
}
