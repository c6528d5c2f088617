//! Outbound requests a document describes, built as data for the server to send: an
//! operation's `callbacks` (their URL a runtime expression evaluated against the request
//! and the answer) and 3.1 `webhooks` (their URL given when they are sent).
//!
//! Runtime expressions are OpenAPI's: `$url`, `$method`, `$statusCode`,
//! `$request.header.NAME`, `$request.query.NAME`, `$request.path.NAME`,
//! `$request.body` and `$request.body#/json/pointer`, and the same for `$response`
//! (`header`, `body`). A URL mixes text and `{expression}`s; a URL that is one bare
//! expression is evaluated whole. The body is the first media type's example, else its
//! schema's example, else generated from its schema; header parameters send their
//! example or a generated value.

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use serde_json::Value;

use crate::exchange::{Call, CallOrigin, Request};
use crate::generate::{Direction, GenContext};
use crate::model::{Document, OutboundDef};

/// The header each outbound call carries: how many calls deep it is. A request that
/// arrives with it at [`MAX_DEPTH`] asks for no further call, so a callback pointed at a
/// mock that calls back again does not loop for ever.
pub const DEPTH_HEADER: &str = "x-standin-call-depth";
/// The deepest chain of calls made.
pub const MAX_DEPTH: u32 = 8;

/// Marks `call` as made on behalf of `req`: one deeper than `req` came, refused (journalled
/// with the reason, not sent) once the chain is [`MAX_DEPTH`] deep.
pub fn chain(req: &Request<'_>, call: &mut Call) {
    let depth = req
        .headers
        .get(DEPTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(0);
    if depth >= MAX_DEPTH {
        call.error = Some(format!(
            "not sent: the request that asked for it came from a chain of {depth} calls \
             ({DEPTH_HEADER}); at most {MAX_DEPTH} are made"
        ));
    }
    call.headers.push((
        HeaderName::from_static(DEPTH_HEADER),
        HeaderValue::from(depth.saturating_add(1)),
    ));
}

/// What runtime expressions read: the request and the answer it got.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// The request.
    pub request: &'a Request<'a>,
    /// The path parameters the route matched, decoded.
    pub path_params: &'a [(String, String)],
    /// The answer's status.
    pub status: u16,
    /// The answer's headers.
    pub response_headers: &'a [(HeaderName, HeaderValue)],
    /// The answer's body.
    pub response_body: &'a [u8],
}

/// The value of one runtime expression (`$request.body#/callbackUrl`), or why it has
/// none.
pub fn evaluate(expr: &str, x: &Exchange<'_>) -> Result<String, String> {
    let expr = expr.trim();
    let missing = |what: &str| format!("`{expr}`: the {what}");
    match expr {
        "$url" => return Ok(request_url(x.request)),
        "$method" => return Ok(x.request.method.as_str().to_string()),
        "$statusCode" => return Ok(x.status.to_string()),
        _ => {}
    }
    if let Some(rest) = expr.strip_prefix("$request.") {
        if let Some(name) = rest.strip_prefix("header.") {
            return x
                .request
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| missing(&format!("request has no header {name}")));
        }
        if let Some(name) = rest.strip_prefix("query.") {
            return crate::wire::form_pairs(x.request.query)
                .into_iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v)
                .ok_or_else(|| missing(&format!("request has no query parameter {name}")));
        }
        if let Some(name) = rest.strip_prefix("path.") {
            return x
                .path_params
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| missing(&format!("operation has no path parameter {name}")));
        }
        if let Some(pointer) = body_pointer(rest) {
            return from_body(x.request.body, pointer)
                .map_err(|e| missing(&format!("request {e}")));
        }
    }
    if let Some(rest) = expr.strip_prefix("$response.") {
        if let Some(name) = rest.strip_prefix("header.") {
            return x
                .response_headers
                .iter()
                .find(|(n, _)| n.as_str().eq_ignore_ascii_case(name))
                .and_then(|(_, v)| v.to_str().ok())
                .map(str::to_string)
                .ok_or_else(|| missing(&format!("answer has no header {name}")));
        }
        if let Some(pointer) = body_pointer(rest) {
            return from_body(x.response_body, pointer)
                .map_err(|e| missing(&format!("answer {e}")));
        }
    }
    Err(format!(
        "`{expr}` is not a runtime expression ($url, $method, $statusCode, \
         $request.header.NAME, $request.query.NAME, $request.path.NAME, \
         $request.body#/pointer, $response.header.NAME, $response.body#/pointer)"
    ))
}

/// `body` or `body#/pointer`: the pointer (`""` for the whole body).
fn body_pointer(rest: &str) -> Option<&str> {
    match rest.strip_prefix("body")? {
        "" => Some(""),
        p => p.strip_prefix('#'),
    }
}

/// What a JSON pointer names in a body: a string as it is, anything else as JSON text.
fn from_body(body: &[u8], pointer: &str) -> Result<String, String> {
    if pointer.is_empty() {
        return Ok(String::from_utf8_lossy(body).into_owned());
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("body is not JSON ({e})"))?;
    let decoded = crate::wire::percent_decode(pointer);
    match value.pointer(&decoded) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(other) => Ok(other.to_string()),
        None => Err(format!("body has nothing at {pointer}")),
    }
}

/// The request's absolute URL, from its `Host` header (plain HTTP, as it arrived).
fn request_url(req: &Request<'_>) -> String {
    let host = req
        .headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    match req.query {
        Some(q) => format!("http://{host}{}?{q}", req.path),
        None => format!("http://{host}{}", req.path),
    }
}

/// A callback URL with each `{expression}` replaced by its value; a URL that is one
/// bare expression (`$request.body#/url`) is evaluated whole.
pub fn expand(url: &str, x: &Exchange<'_>) -> Result<String, String> {
    if url.trim_start().starts_with('$') {
        return evaluate(url, x);
    }
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            return Err(format!("`{url}`: a `{{` is never closed"));
        };
        out.push_str(&evaluate(&rest[open + 1..open + close], x)?);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The calls of an operation's callbacks after it answered as `x` says. A callback
/// whose URL cannot be evaluated is still returned, with the reason in `error`.
pub fn callbacks(doc: &Document, defs: &[OutboundDef], x: &Exchange<'_>, seed: u64) -> Vec<Call> {
    defs.iter()
        .enumerate()
        .map(|(i, def)| {
            let (url, error) = match expand(&def.url, x) {
                Ok(u) => (u, None),
                Err(e) => (String::new(), Some(e)),
            };
            let mut call = request(doc, def, url, seed.wrapping_add(i as u64), x.path_params);
            call.origin = CallOrigin::Callback;
            call.name = format!("{} {}", def.name, def.url);
            call.error = error.or(call.error);
            chain(x.request, &mut call);
            call
        })
        .collect()
}

/// The request `def` describes, sent to `url`: its headers and body from examples or
/// generated with `seed`.
pub fn request(
    doc: &Document,
    def: &OutboundDef,
    url: String,
    seed: u64,
    hints: &[(String, String)],
) -> Call {
    let gctx = GenContext {
        root: &doc.root,
        dialect: doc.version.dialect(),
        direction: Direction::Request,
        seed,
        hints,
    };
    let mut headers = Vec::new();
    for h in &def.headers {
        let text = match &h.example {
            Some(t) => Some(t.clone()),
            None => h
                .schema
                .as_ref()
                .and_then(|p| crate::pointer::get(&doc.root, p).map(|s| (p, s)))
                .and_then(|(p, s)| crate::generate::generate(&gctx, s, p).ok())
                .map(|v| crate::render::header_text(&v)),
        };
        if let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(h.name.as_bytes()),
            text.map(|t| HeaderValue::from_str(&t)),
        ) {
            headers.push((name, value));
        }
    }
    let mut body = Bytes::new();
    let mut error = None;
    if let Some(media) = def.media.first() {
        if let Some(v) = &media.content_type {
            headers.push((header::CONTENT_TYPE, v.clone()));
        }
        if let Some(ex) = media.examples.first().or(media.schema_example.as_ref()) {
            body = ex.body.clone();
        } else if let Some((ptr, schema)) = media
            .schema
            .as_ref()
            .and_then(|p| crate::pointer::get(&doc.root, p).map(|s| (p, s)))
        {
            let generated = crate::generate::generate(&gctx, schema, ptr)
                .or_else(|u| u.best_effort.clone().ok_or(u));
            match generated {
                Ok(value) => {
                    body =
                        crate::render::render(&value, &media.media_type, Some(schema), &doc.root)
                            .or_else(|_| serde_json::to_vec(&value).map(Bytes::from))
                            .unwrap_or_default();
                }
                Err(u) => {
                    error = Some(format!(
                        "no body can be generated: the schema at #{} cannot be satisfied ({})",
                        u.pointer, u.reason
                    ))
                }
            }
        }
    }
    Call {
        origin: CallOrigin::Webhook,
        name: def.name.clone(),
        method: def.method.clone(),
        url,
        headers,
        body,
        delay_ms: 0,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, Method};

    fn exchange_of<'a>(req: &'a Request<'a>, params: &'a [(String, String)]) -> Exchange<'a> {
        Exchange {
            request: req,
            path_params: params,
            status: 201,
            response_headers: &[],
            response_body: br#"{"id": 7, "links": {"self": "/orders/7"}}"#,
        }
    }

    #[test]
    fn expressions_read_the_request_and_the_answer() {
        let mut headers = HeaderMap::new();
        headers.insert("x-hook", HeaderValue::from_static("http://h.test/x"));
        headers.insert(header::HOST, HeaderValue::from_static("mock.test:4010"));
        let body = br#"{"callbackUrl": "http://127.0.0.1:9/cb", "n": {"a": [1, 2]}}"#;
        let req = Request {
            method: &Method::POST,
            path: "/orders/7",
            query: Some("notify=http%3A%2F%2Fq.test&x=1"),
            headers: &headers,
            body,
            now_unix_ms: 0,
            peer: None,
        };
        let params = [("orderId".to_string(), "7".to_string())];
        let x = exchange_of(&req, &params);
        assert_eq!(
            expand("{$request.body#/callbackUrl}", &x).unwrap(),
            "http://127.0.0.1:9/cb"
        );
        assert_eq!(evaluate("$request.body#/n/a", &x).unwrap(), "[1,2]");
        assert_eq!(
            evaluate("$request.header.X-Hook", &x).unwrap(),
            "http://h.test/x"
        );
        assert_eq!(
            evaluate("$request.query.notify", &x).unwrap(),
            "http://q.test"
        );
        assert_eq!(
            expand(
                "http://h.test/{$request.path.orderId}/{$method}/{$statusCode}",
                &x
            )
            .unwrap(),
            "http://h.test/7/POST/201"
        );
        assert_eq!(
            expand(
                "http://h.test{$response.body#/links/self}?id={$response.body#/id}",
                &x
            )
            .unwrap(),
            "http://h.test/orders/7?id=7"
        );
        assert_eq!(
            evaluate("$url", &x).unwrap(),
            "http://mock.test:4010/orders/7?notify=http%3A%2F%2Fq.test&x=1"
        );
        let location = [(header::LOCATION, HeaderValue::from_static("/orders/7"))];
        let with_headers = Exchange {
            response_headers: &location,
            ..x
        };
        assert_eq!(
            expand("http://h.test{$response.header.location}", &with_headers).unwrap(),
            "http://h.test/orders/7"
        );
        assert!(evaluate("$response.header.Location", &x).is_err());
        let missing = expand("{$request.body#/nope}", &x).unwrap_err();
        assert!(missing.contains("/nope"), "{missing}");
        let unknown = evaluate("$request.cookie.a", &x).unwrap_err();
        assert!(unknown.contains("not a runtime expression"), "{unknown}");
        assert!(expand("http://h.test/{$method", &x).is_err());
    }
}
