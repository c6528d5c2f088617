//! Requests made from bytes: the text form fuzz inputs are written in, and the probe
//! requests a loaded source is asked after loading.
//!
//! The text form is an HTTP/1.1 request without the version:
//!
//! ```text
//! POST /pets?limit=2
//! content-type: application/json
//! prefer: code=201
//!
//! {"name": "Rex"}
//! ```
//!
//! Anything the server could not receive (a target that is not a URI, a header name or
//! value `http` refuses) is left out, as hyper would refuse it before the engine sees it.

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};

/// A request the engine can be asked, owning its parts.
#[derive(Debug, Clone)]
pub struct Owned {
    /// The method.
    pub method: Method,
    /// The request target (path and query).
    pub uri: Uri,
    /// The headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl Owned {
    /// The request as the engine sees it, at a fixed time.
    pub fn view(&self) -> standin_core::Request<'_> {
        standin_core::Request {
            method: &self.method,
            path: self.uri.path(),
            query: self.uri.query(),
            headers: &self.headers,
            body: &self.body,
            now_unix_ms: 1_767_225_600_000,
            peer: Some(std::net::IpAddr::from([127, 0, 0, 1])),
        }
    }
}

/// Reads the text form; `None` when the request line is not one a server would pass on.
pub fn parse(data: &[u8]) -> Option<Owned> {
    let (head, body) = split_head(data);
    let mut lines = head.split(|&b| b == b'\n').map(trim_cr);
    let line = lines.next()?;
    let mut words = line.splitn(2, |&b| b == b' ');
    let method = Method::from_bytes(words.next()?).ok()?;
    let target = words.next().unwrap_or(b"/");
    let uri = Uri::try_from(target).ok()?;
    if uri.scheme().is_some() || !uri.path().starts_with('/') {
        return None;
    }
    let mut headers = HeaderMap::new();
    for line in lines {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(&line[..colon]),
            HeaderValue::from_bytes(trim_spaces(&line[colon + 1..])),
        ) else {
            continue;
        };
        headers.append(name, value);
    }
    Some(Owned {
        method,
        uri,
        headers,
        body: body.to_vec(),
    })
}

fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    for (sep, len) in [(&b"\r\n\r\n"[..], 4), (&b"\n\n"[..], 2)] {
        if let Some(at) = data.windows(len).position(|w| w == sep) {
            return (&data[..at], &data[at + len..]);
        }
    }
    (data, &[])
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

fn trim_spaces(mut v: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = v {
        v = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = v {
        v = rest;
    }
    v
}

/// A request to `url` as a source wrote it (`https://host/users/{id}`, `users/:id`,
/// `{{base}}/users`): the scheme and host dropped, every parameter or variable made `1`.
/// Writes get a small JSON body. `None` when no URI comes of it.
pub fn probe(method: &str, url: &str) -> Option<Owned> {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).ok()?;
    let mut rest = url.trim();
    if let Some(at) = rest.find("://") {
        rest = &rest[at + 3..];
        rest = rest.find('/').map_or("/", |slash| &rest[slash..]);
    }
    let mut path = String::with_capacity(rest.len() + 1);
    if !rest.starts_with('/') {
        path.push('/');
    }
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                while chars.peek() == Some(&'}') {
                    chars.next();
                }
                path.push('1');
            }
            ':' if path.ends_with('/') => {
                while chars
                    .peek()
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
                {
                    chars.next();
                }
                path.push('1');
            }
            c if c.is_ascii_graphic() => path.push(c),
            _ => path.push_str("%20"),
        }
    }
    let uri = Uri::try_from(path).ok()?;
    let mut headers = HeaderMap::new();
    headers.insert(http::header::ACCEPT, HeaderValue::from_static("*/*"));
    let body = if matches!(method, Method::POST | Method::PUT | Method::PATCH) {
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        br#"{"id": 1, "name": "fuzz"}"#.to_vec()
    } else {
        Vec::new()
    };
    Some(Owned {
        method,
        uri,
        headers,
        body,
    })
}

/// Probe requests for every object in `v` with a `method` and a URL (under any of
/// `url_keys`; a Postman URL object's `raw` too), at most `max`, depth-first.
pub fn probes_in(v: &serde_json::Value, url_keys: &[&str], max: usize) -> Vec<Owned> {
    let mut out = Vec::new();
    walk(v, url_keys, max, 0, &mut out);
    out
}

fn walk(v: &serde_json::Value, url_keys: &[&str], max: usize, depth: usize, out: &mut Vec<Owned>) {
    use serde_json::Value;
    if out.len() >= max || depth > 24 {
        return;
    }
    match v {
        Value::Object(map) => {
            if let Some(method) = map.get("method").and_then(Value::as_str) {
                let url = url_keys.iter().find_map(|k| match map.get(*k) {
                    Some(Value::String(s)) => Some(s.as_str()),
                    Some(Value::Object(o)) => o.get("raw").and_then(Value::as_str),
                    _ => None,
                });
                if let Some(req) = url.and_then(|u| probe(method, u)) {
                    out.push(req);
                }
            }
            for child in map.values() {
                walk(child, url_keys, max, depth + 1, out);
            }
        }
        Value::Array(items) => {
            for child in items {
                walk(child, url_keys, max, depth + 1, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_reads_method_target_headers_and_body() {
        let req =
            parse(b"POST /pets?x=1\r\nContent-Type: application/json\r\nbad header\r\n\r\n{}")
                .unwrap();
        assert_eq!(req.method, Method::POST);
        assert_eq!((req.uri.path(), req.uri.query()), ("/pets", Some("x=1")));
        assert_eq!(req.headers["content-type"], "application/json");
        assert_eq!(req.headers.len(), 1);
        assert_eq!(req.body, b"{}");
    }

    #[test]
    fn a_target_no_server_would_receive_is_left_out() {
        assert!(parse(b"GET /a b").is_none());
        assert!(parse(b"GET http://host/").is_none());
        assert!(parse(b"G(T /").is_none());
    }

    #[test]
    fn probes_fill_in_parameters_and_drop_the_host() {
        let req = probe("get", "https://api.example/users/{id}/posts/:post?x={{v}}").unwrap();
        assert_eq!(req.uri, "/users/1/posts/1?x=1");
        assert_eq!(probe("post", "users").unwrap().uri, "/users");
        assert_eq!(probe("post", "users").unwrap().body.first(), Some(&b'{'));
    }
}
