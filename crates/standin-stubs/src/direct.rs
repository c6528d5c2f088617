//! Plain template values read straight from the request, without building WireMock's
//! request model: what `{{request.url}}`, `{{request.path.id}}`, `{{request.query.q}}`,
//! `{{request.headers.x-trace}}` or `{{parameters.a.b}}` print, found the way the model
//! ([`crate::template::request_model`]) would hold it and the value printer would print
//! it. A shape not listed here is read from the model.

use serde_json::Value;
use standin_core::exchange::Request;
use standin_core::wire::{form_decode_borrowed, percent_decode};

use crate::helpers::{value, value_at};

/// A plain value's path, when it is one read from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Shape {
    /// `request.url`: the path and the query as sent.
    Url,
    /// `request.method`.
    Method,
    /// `request.path` or `request.pathSegments`: the whole path, decoded.
    WholePath,
    /// `request.path.K`: a path template variable, or a segment by index.
    PathPart(String),
    /// `request.query.K`: the parameter's first value.
    Query(String),
    /// `request.headers.k` (lower case): the header's first value.
    Header(String),
    /// `parameters...`: the stub's `transformerParameters` below these segments.
    Parameter(Vec<String>),
}

impl Shape {
    /// The shape of a path's segments, `None` for what is read from the model.
    pub(crate) fn of(segs: &[String]) -> Option<Shape> {
        let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
        Some(match segs.as_slice() {
            ["request", "url"] => Shape::Url,
            ["request", "method"] => Shape::Method,
            ["request", "path" | "pathSegments"] => Shape::WholePath,
            ["request", "path" | "pathSegments", k] => Shape::PathPart(k.to_string()),
            ["request", "query", k] => Shape::Query(k.to_string()),
            ["request", "headers", k] if !k.bytes().any(|b| b.is_ascii_uppercase()) => {
                Shape::Header(k.to_string())
            }
            ["parameters", rest @ ..] => {
                Shape::Parameter(rest.iter().map(|s| s.to_string()).collect())
            }
            _ => return None,
        })
    }

    /// What the value prints for `req` (whose path template matched `path_vars`), with
    /// the stub's `parameters`; `None` when the request has no such value (handlebars'
    /// rules for a missing value then decide).
    pub(crate) fn print(
        &self,
        req: &Request<'_>,
        path_vars: &[(String, String)],
        parameters: &Value,
    ) -> Option<String> {
        match self {
            Shape::Url => Some(match req.query {
                Some(q) if !q.is_empty() => format!("{}?{q}", req.path),
                _ => req.path.to_string(),
            }),
            Shape::Method => Some(req.method.as_str().to_string()),
            Shape::WholePath => Some(percent_decode(req.path)),
            Shape::PathPart(k) => path_part(req.path, path_vars, k),
            // The first pair of the key, as `form_pairs` decodes them.
            Shape::Query(k) => req
                .query?
                .split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
                .find(|(key, _)| form_decode_borrowed(key) == k.as_str())
                .map(|(_, v)| form_decode_borrowed(v).into_owned()),
            Shape::Header(k) => req
                .headers
                .get(k.as_str())
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
            Shape::Parameter(segs) => value_at(parameters, segs)
                .filter(|v| !v.is_null())
                .map(value::render),
        }
    }
}

/// `request.path.K`: with path template variables the model's path is a map of the
/// segments by index (`"0"`, `"1"`...) and the variables (which win); without, a list
/// indexed by number.
fn path_part(path: &str, path_vars: &[(String, String)], k: &str) -> Option<String> {
    let segment = |i: usize| {
        path.split('/')
            .filter(|s| !s.is_empty())
            .nth(i)
            .map(percent_decode)
    };
    if path_vars.is_empty() {
        return segment(k.parse::<usize>().ok()?);
    }
    if let Some((_, v)) = path_vars.iter().rev().find(|(name, _)| name == k) {
        return Some(v.clone());
    }
    let i = k.parse::<usize>().ok().filter(|i| i.to_string() == k)?;
    segment(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helpers::{print_plain, split_path};
    use crate::template::request_model;
    use http::{HeaderMap, HeaderValue, Method};
    use serde_json::json;

    #[test]
    fn each_shape_prints_what_the_model_prints() {
        let mut h = HeaderMap::new();
        h.insert("user-agent", HeaderValue::from_static("curl/8"));
        h.append("accept", HeaderValue::from_static("a/b"));
        h.append("accept", HeaderValue::from_static("c/d"));
        h.insert("x-bytes", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        let params = json!({"p": {"q": [1, "two", null]}, "s": "v", "n": null});
        let paths = [
            "request.url",
            "request.method",
            "request.path",
            "request.pathSegments",
            "request.path.id",
            "request.path.0",
            "request.path.1",
            "request.path.2",
            "request.path.01",
            "request.path.9",
            "request.pathSegments.id",
            "request.query.fields",
            "request.query.x",
            "request.query.a b",
            "request.query.none",
            "request.query.e",
            "request.headers.user-agent",
            "request.headers.accept",
            "request.headers.x-bytes",
            "request.headers.none",
            "parameters",
            "parameters.p",
            "parameters.p.q",
            "parameters.p.q.1",
            "parameters.p.q.2",
            "parameters.s",
            "parameters.n",
            "parameters.none.x",
        ];
        for (path, query, vars) in [
            (
                "/users/42/a%20b",
                Some("fields=name&fields=id&x=1&a+b=c%2Bd&e="),
                true,
            ),
            (
                "/users/42/a%20b",
                Some("fields=name&fields=id&x=1&a+b=c%2Bd&e="),
                false,
            ),
            ("/", None, false),
            ("/x/", Some(""), true),
        ] {
            let mut req = Request::new(&Method::POST, path, &h);
            req.query = query;
            let vars = if vars {
                vec![
                    ("id".to_string(), "41".to_string()),
                    ("id".to_string(), "42".to_string()),
                ]
            } else {
                Vec::new()
            };
            let model = request_model(&req, &vars, &params);
            for raw in paths {
                let segs = split_path(raw);
                let shape = Shape::of(&segs).unwrap_or_else(|| panic!("{raw} has a shape"));
                assert_eq!(
                    shape.print(&req, &vars, &params),
                    print_plain(&model, raw, &segs),
                    "{raw} of {path}?{query:?}, vars {vars:?}"
                );
            }
        }
    }

    #[test]
    fn other_paths_are_read_from_the_model() {
        for raw in [
            "request.cookies.a",
            "request.query.a.0",
            "request.headers.X-Up",
            "request.body",
            "request",
            "request.baseUrl",
        ] {
            assert_eq!(Shape::of(&split_path(raw)), None, "{raw}");
        }
    }
}
