//! WireMock response templates: Handlebars compiled once when a stub loads, rendered per
//! request against WireMock's request model.
//!
//! Templates compile to handlebars-rust's [`handlebars::template::Template`] and render
//! with one shared registry holding every helper ([`crate::helpers`]), so nothing is
//! parsed per request. At compile time the syntax tree is adjusted so values print the
//! way WireMock's handlebars.java prints them: every plain `{{path}}` becomes a call of
//! the value-printing helper (multi-valued fields print their first value,
//! `request.path` the whole path), and `request.headers.X-Foo` is looked up in lower
//! case (the model holds header names in lower case; WireMock's lookup ignores case).
//! Nothing is HTML-escaped: WireMock 3 turns handlebars.java's escaping off by default,
//! so `{{x}}` prints `<b>&` as is, like `{{{x}}}`.
//!
//! Like WireMock, only the part between the first `{{` and the last `}}` is a template:
//! text around it is sent as written.

use std::net::IpAddr;
use std::sync::OnceLock;

use base64::Engine as _;
use handlebars::template::{HelperTemplate, Parameter, Template as Ast, TemplateElement};
use handlebars::{Context, Handlebars, Path, RenderContext, Renderable, StringOutput};
use serde_json::{Map, Value, json};
use standin_core::exchange::Request;
use standin_core::wire::{form_pairs, percent_decode};

use crate::helpers::{self, VALUE_HELPER, split_path};

/// The key of the model holding the render's entropy and time (not a WireMock field).
pub(crate) const STATE_KEY: &str = "__standin";

/// A compiled response template.
#[derive(Debug, Clone)]
pub struct Template {
    prefix: String,
    body: Option<Ast>,
    suffix: String,
}

fn registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut hb = Handlebars::new();
        helpers::register(&mut hb);
        hb
    })
}

impl Template {
    /// Compiles `text`; the error is handlebars' message (with line and column).
    pub fn compile(text: &str) -> Result<Template, String> {
        let (Some(start), Some(end)) = (text.find("{{"), text.rfind("}}")) else {
            return Ok(Template::literal(text));
        };
        if end < start {
            return Ok(Template::literal(text));
        }
        let middle = &text[start..end + 2];
        standin_core::handlebars::check_depth(middle)?;
        let mut ast = Ast::compile(middle).map_err(|e| e.to_string())?;
        rewrite(&mut ast);
        Ok(Template {
            prefix: text[..start].to_string(),
            body: Some(ast),
            suffix: text[end + 2..].to_string(),
        })
    }

    fn literal(text: &str) -> Template {
        Template {
            prefix: text.to_string(),
            body: None,
            suffix: String::new(),
        }
    }

    /// Whether rendering can give anything but the text itself.
    pub fn is_dynamic(&self) -> bool {
        self.body.is_some()
    }

    /// Renders against `model` (see [`request_model`]). Randomness and "now" come from
    /// the model's hidden `__standin: {entropy, nowMs}` member when present.
    pub fn render(&self, model: &Value) -> Result<String, String> {
        let state = model.get(STATE_KEY);
        let entropy = state
            .and_then(|s| s.get("entropy"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let now = state
            .and_then(|s| s.get("nowMs"))
            .and_then(Value::as_u64)
            .unwrap_or(0);
        let ctx = Context::from(model.clone());
        helpers::with_render_state(entropy, now, || self.render_in(&ctx))
    }

    /// Renders in a context already built (several templates of one reply share it);
    /// the caller sets the render state.
    pub(crate) fn render_in(&self, ctx: &Context) -> Result<String, String> {
        let Some(ast) = &self.body else {
            return Ok(self.prefix.clone());
        };
        let mut rc = RenderContext::new(None);
        // handlebars.java finds names in enclosing contexts too (variables set by
        // `assign` or `regexExtract` inside an `each`, say).
        rc.set_recursive_lookup(true);
        let mut out = StringOutput::new();
        ast.render(registry(), ctx, &mut rc, &mut out)
            .map_err(|e| e.to_string())?;
        let rendered = out.into_string().map_err(|e| e.to_string())?;
        Ok(format!("{}{rendered}{}", self.prefix, self.suffix))
    }
}

/// Adjusts a compiled template (see the module docs).
fn rewrite(ast: &mut Ast) {
    for el in &mut ast.elements {
        match el {
            TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht) => {
                rewrite_helper(ht);
                let plain_path = match &ht.name {
                    Parameter::Path(p) if ht.params.is_empty() && ht.hash.is_empty() => {
                        (!helpers::is_helper(raw(p))).then(|| p.clone())
                    }
                    _ => None,
                };
                if let Some(p) = plain_path {
                    ht.params = vec![Parameter::Path(p)];
                    ht.name = Parameter::Name(VALUE_HELPER.to_string());
                }
            }
            TemplateElement::HelperBlock(ht) => rewrite_helper(ht),
            _ => {}
        }
    }
}

fn raw(p: &Path) -> &str {
    match p {
        Path::Relative((_, raw)) => raw,
        Path::Local((_, _, raw)) => raw,
    }
}

fn rewrite_helper(ht: &mut HelperTemplate) {
    rewrite_param(&mut ht.name);
    for p in &mut ht.params {
        rewrite_param(p);
    }
    for p in ht.hash.values_mut() {
        rewrite_param(p);
    }
    if let Some(t) = &mut ht.template {
        rewrite(t);
    }
    if let Some(t) = &mut ht.inverse {
        rewrite(t);
    }
}

fn rewrite_param(p: &mut Parameter) {
    match p {
        Parameter::Path(path) => {
            if let Some(lower) = lower_header_path(raw(path))
                && let Ok(parsed) = Path::parse(&lower)
            {
                *path = parsed;
            }
        }
        Parameter::Subexpression(sub) => {
            if let TemplateElement::Expression(ht) = sub.element.as_mut() {
                rewrite_helper(ht);
            }
        }
        _ => {}
    }
}

/// `request.headers.X-Foo...` → `request.headers.[x-foo]...`; `None` for other paths.
fn lower_header_path(raw: &str) -> Option<String> {
    let segs = split_path(raw);
    if segs.len() < 3 || segs[0] != "request" || segs[1] != "headers" {
        return None;
    }
    if !segs[2].chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let mut out = format!("request.headers.[{}]", segs[2].to_ascii_lowercase());
    for s in &segs[3..] {
        out.push_str(&format!(".[{s}]"));
    }
    Some(out)
}

/// Adds `v` under `k`, a second value making the entry a list (WireMock's
/// `ListOrSingle`: a string when single, a list when repeated).
pub(crate) fn push_multi(map: &mut Map<String, Value>, k: &str, v: String) {
    match map.get_mut(k) {
        Some(Value::Array(items)) => items.push(Value::String(v)),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, Value::String(v)]);
        }
        None => {
            map.insert(k.to_string(), Value::String(v));
        }
    }
}

/// WireMock's request model (`RequestTemplateModel`) under `request`, and the stub's
/// `transformerParameters` under `parameters`.
///
/// Query parameters, headers (by lower-case name) and cookies are strings, or lists when
/// repeated; `path` and `pathSegments` are the decoded segments (a map of `"0"`, `"1"`,
/// ... and the path template variables when the stub has some).
pub fn request_model(
    req: &Request<'_>,
    path_vars: &[(String, String)],
    parameters: &Value,
) -> Value {
    let url = match req.query {
        Some(q) if !q.is_empty() => format!("{}?{q}", req.path),
        _ => req.path.to_string(),
    };
    let segments: Vec<String> = req
        .path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode)
        .collect();
    let path = if path_vars.is_empty() {
        Value::Array(segments.into_iter().map(Value::String).collect())
    } else {
        let mut m: Map<String, Value> = segments
            .into_iter()
            .enumerate()
            .map(|(i, s)| (i.to_string(), Value::String(s)))
            .collect();
        for (k, v) in path_vars {
            m.insert(k.clone(), Value::String(v.clone()));
        }
        Value::Object(m)
    };

    let mut query = Map::new();
    for (k, v) in form_pairs(req.query) {
        push_multi(&mut query, &k, v);
    }

    let mut headers = Map::new();
    let mut cookies = Map::new();
    for (name, value) in req.headers {
        let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            for c in v.split(';') {
                if let Some((ck, cv)) = c.trim().split_once('=') {
                    push_multi(&mut cookies, ck.trim(), cv.trim().to_string());
                }
            }
        }
        push_multi(&mut headers, name.as_str(), v);
    }

    let host_header = req
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let (host, port) = split_host(host_header);
    let scheme = "http";
    let base_url = if port == 80 {
        format!("{scheme}://{host}")
    } else {
        format!("{scheme}://{host}:{port}")
    };

    let mut request = Map::new();
    request.insert("url".into(), Value::String(url));
    request.insert("path".into(), path.clone());
    request.insert("pathSegments".into(), path);
    request.insert("query".into(), Value::Object(query));
    request.insert("method".into(), Value::String(req.method.to_string()));
    request.insert("scheme".into(), Value::String(scheme.into()));
    request.insert("host".into(), Value::String(host));
    request.insert("port".into(), Value::from(port));
    request.insert("baseUrl".into(), Value::String(base_url));
    request.insert("headers".into(), Value::Object(headers));
    request.insert("cookies".into(), Value::Object(cookies));
    request.insert(
        "body".into(),
        Value::String(String::from_utf8_lossy(req.body).into_owned()),
    );
    request.insert(
        "bodyAsBase64".into(),
        Value::String(base64::engine::general_purpose::STANDARD.encode(req.body)),
    );
    request.insert(
        "clientIp".into(),
        req.peer
            .map(|ip: IpAddr| Value::String(ip.to_string()))
            .unwrap_or(Value::Null),
    );
    request.insert("multipart".into(), Value::Bool(false));
    json!({ "request": Value::Object(request), "parameters": parameters })
}

/// `host[:port]` (IPv6 in brackets) → host and port (80 when absent).
fn split_host(h: &str) -> (String, u16) {
    if let Some(rest) = h.strip_prefix('[')
        && let Some((ip, tail)) = rest.split_once(']')
    {
        let port = tail
            .strip_prefix(':')
            .and_then(|p| p.parse().ok())
            .unwrap_or(80);
        return (format!("[{ip}]"), port);
    }
    match h.rsplit_once(':') {
        Some((host, port)) if port.parse::<u16>().is_ok() => {
            (host.to_string(), port.parse().unwrap_or(80))
        }
        _ => (h.to_string(), 80),
    }
}

/// Adds the render state (entropy, time) to a model built by [`request_model`].
pub(crate) fn with_state(mut model: Value, entropy: u64, now_ms: u64) -> Value {
    if let Value::Object(m) = &mut model {
        m.insert(
            STATE_KEY.into(),
            json!({ "entropy": entropy, "nowMs": now_ms }),
        );
    }
    model
}
