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

use std::cell::OnceCell;
use std::net::IpAddr;
use std::sync::OnceLock;

use base64::Engine as _;
use handlebars::template::{HelperTemplate, Parameter, Template as Ast, TemplateElement};
use handlebars::{Context, Handlebars, Path, RenderContext, Renderable};
use serde_json::{Map, Value};
use standin_core::exchange::Request;
use standin_core::wire::{form_pairs, percent_decode};

use crate::direct::Shape;
use crate::helpers::{self, VALUE_HELPER, split_path};

/// The key of the model holding the render's entropy and time (not a WireMock field).
pub(crate) const STATE_KEY: &str = "__standin";

/// A compiled response template.
#[derive(Debug, Clone)]
pub struct Template {
    prefix: String,
    body: Option<Ast>,
    suffix: String,
    needs: Needs,
    /// For each of the body's elements, the plain value it prints when it is one (a
    /// `{{request...}}` or `{{parameters...}}`): read straight from the model, without
    /// handlebars' render context and helper call. Most templates are text and such
    /// values, and one helper among them leaves the others direct.
    direct: Vec<Option<Plain>>,
}

/// A plain `{{request...}}` or `{{parameters...}}`: the path as written, its segments,
/// and its shape when the request answers it without the model.
#[derive(Debug, Clone)]
struct Plain {
    raw: String,
    segs: Vec<String>,
    shape: Option<Shape>,
}

/// What each of `ast`'s elements prints when it is a plain value rooted at the model's
/// `request` or `parameters`.
fn direct_plan(ast: &Ast) -> Vec<Option<Plain>> {
    ast.elements
        .iter()
        .map(|el| match el {
            TemplateElement::Expression(ht) | TemplateElement::HtmlExpression(ht) => {
                let is_value = matches!(&ht.name, Parameter::Name(n) if n == VALUE_HELPER);
                let [Parameter::Path(Path::Relative((_, raw)))] = ht.params.as_slice() else {
                    return None;
                };
                let segs = split_path(raw);
                let rooted = matches!(
                    segs.first().map(String::as_str),
                    Some("request" | "parameters")
                );
                (is_value && rooted && ht.hash.is_empty()).then(|| Plain {
                    raw: raw.clone(),
                    shape: Shape::of(&segs),
                    segs,
                })
            }
            _ => None,
        })
        .collect()
}

/// What the model must hold for `ast`: what its elements read, but for the plain
/// values the request answers itself (`direct`, by element).
fn model_needs(ast: &Ast, direct: &[Option<Plain>]) -> Needs {
    ast.elements
        .iter()
        .enumerate()
        .map(|(i, el)| match direct.get(i) {
            Some(Some(Plain { shape: Some(_), .. })) => Needs::NONE,
            Some(Some(plain)) => Needs::of(&plain.raw),
            _ => element_needs(el),
        })
        .fold(Needs::NONE, Needs::union)
}

/// What an element reads of the model: [`Needs::of`] each path, helper name and text
/// literal it holds, nested blocks and subexpressions included. A partial or decorator
/// reads everything.
fn element_needs(el: &TemplateElement) -> Needs {
    match el {
        TemplateElement::RawString(_) | TemplateElement::Comment(_) => Needs::NONE,
        TemplateElement::Expression(ht)
        | TemplateElement::HtmlExpression(ht)
        | TemplateElement::HelperBlock(ht) => {
            let mut n = param_needs(&ht.name);
            for p in ht.params.iter().chain(ht.hash.values()) {
                n = n.union(param_needs(p));
            }
            for t in [&ht.template, &ht.inverse].into_iter().flatten() {
                n = n.union(model_needs(t, &[]));
            }
            n
        }
        _ => Needs::ALL,
    }
}

fn param_needs(p: &Parameter) -> Needs {
    match p {
        Parameter::Name(name) => Needs::of(name),
        Parameter::Path(path) => Needs::of(raw(path)),
        Parameter::Literal(v) => Needs::of(&v.to_string()),
        Parameter::Subexpression(sub) => element_needs(&sub.element),
        _ => Needs::ALL,
    }
}

/// What a render reads: the request, which plain values read directly, and the model,
/// made the first time a helper (or a value the request does not answer) needs it.
pub(crate) struct Input<'r> {
    request: Option<(&'r Request<'r>, &'r [(String, String)])>,
    parameters: &'r Value,
    needs: Needs,
    ctx: OnceCell<Context>,
}

impl<'r> Input<'r> {
    /// The input of a reply to `req`: the model, when made, holds what `needs` names.
    pub(crate) fn of_request(
        req: &'r Request<'r>,
        path_vars: &'r [(String, String)],
        parameters: &'r Value,
        needs: Needs,
    ) -> Input<'r> {
        Input {
            request: Some((req, path_vars)),
            parameters,
            needs,
            ctx: OnceCell::new(),
        }
    }

    /// An input of a model already made (a webhook's, with `originalRequest`).
    pub(crate) fn ready(ctx: Context) -> Input<'static> {
        static NONE: Value = Value::Null;
        Input {
            request: None,
            parameters: &NONE,
            needs: Needs::ALL,
            ctx: OnceCell::from(ctx),
        }
    }

    fn ctx(&self) -> &Context {
        self.ctx.get_or_init(|| {
            let (req, path_vars) = self
                .request
                .expect("an input without a request is made ready");
            Context::from(request_model_for(
                req,
                path_vars,
                self.parameters,
                self.needs,
            ))
        })
    }

    /// What a plain value prints, while no helper has set variables: from the request
    /// when it answers the shape, else from the model. `None` when handlebars must
    /// decide (a missing value of the model, or of the stub's parameters: its rules
    /// index a single value as a list). A request field the request lacks prints
    /// nothing, as handlebars prints it: no variable can name it, and what a path
    /// ending in `.0` falls back to (the field's parent) is never text.
    fn print(&self, plain: &Plain) -> Option<String> {
        match (&plain.shape, self.request) {
            (Some(shape), Some((req, vars))) => shape
                .print(req, vars, self.parameters)
                .or_else(|| (!matches!(shape, Shape::Parameter(_))).then(String::new)),
            _ => helpers::print_plain(self.ctx().data(), &plain.raw, &plain.segs),
        }
    }
}

/// A render's output: text pushed onto a `String` (handlebars' own `StringOutput`
/// collects bytes and checks them again at the end).
struct TextOut(String);

impl handlebars::Output for TextOut {
    fn write(&mut self, seg: &str) -> std::io::Result<()> {
        self.0.push_str(seg);
        Ok(())
    }
}

/// The parts of the request model a template can read, found in its text when it
/// compiles, so a render builds only those (a body's base64, every header as a string
/// and the cookies cost more than most templates that read one path segment).
///
/// The reading is conservative: `request` written other than as `request.field` (passed
/// whole to a helper, `#with request`, `lookup this 'request'`) needs everything.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Needs(u16);

impl Needs {
    /// No part of the request.
    pub const NONE: Needs = Needs(0);
    /// Every part of the request.
    pub const ALL: Needs = Needs(u16::MAX);
    const URL: u16 = 1;
    const PATH: u16 = 1 << 1;
    const QUERY: u16 = 1 << 2;
    const METHOD: u16 = 1 << 3;
    const HOST: u16 = 1 << 4;
    const HEADERS: u16 = 1 << 5;
    const COOKIES: u16 = 1 << 6;
    const BODY: u16 = 1 << 7;
    const BODY_BASE64: u16 = 1 << 8;
    const CLIENT_IP: u16 = 1 << 9;

    /// What the template text `text` reads.
    pub fn of(text: &str) -> Needs {
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        let bytes = text.as_bytes();
        let mut bits = 0;
        // `hostname` reads the Host header's host from the model.
        if text.contains("hostname") {
            bits |= Needs::HOST;
        }
        for (at, _) in text.match_indices("request") {
            if at > 0 && ident(bytes[at - 1]) {
                continue; // part of another name (`myrequest`)
            }
            let rest = &text[at + "request".len()..];
            if rest.bytes().next().is_some_and(ident) {
                continue; // `requests`, `request_id`
            }
            let Some(field) = rest.strip_prefix('.') else {
                return Needs::ALL;
            };
            let end = field.bytes().position(|c| !ident(c)).unwrap_or(field.len());
            bits |= match &field[..end] {
                "url" => Needs::URL,
                // Printing the path reads the URL (Java's `getPath()` of it).
                "path" | "pathSegments" => Needs::PATH | Needs::URL,
                "query" => Needs::QUERY,
                "method" => Needs::METHOD,
                "scheme" | "host" | "port" | "baseUrl" => Needs::HOST,
                "headers" => Needs::HEADERS,
                "cookies" => Needs::COOKIES,
                "body" => Needs::BODY,
                "bodyAsBase64" => Needs::BODY_BASE64,
                "clientIp" => Needs::CLIENT_IP,
                "multipart" => 0,
                // `request.[url]` and the like: not worth reading closely.
                _ => return Needs::ALL,
            };
        }
        Needs(bits)
    }

    /// What either needs.
    pub fn union(self, other: Needs) -> Needs {
        Needs(self.0 | other.0)
    }

    fn has(self, bit: u16) -> bool {
        self.0 & bit != 0
    }
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
        let direct = direct_plan(&ast);
        Ok(Template {
            prefix: text[..start].to_string(),
            suffix: text[end + 2..].to_string(),
            needs: model_needs(&ast, &direct),
            direct,
            body: Some(ast),
        })
    }

    fn literal(text: &str) -> Template {
        Template {
            prefix: text.to_string(),
            body: None,
            suffix: String::new(),
            needs: Needs::NONE,
            direct: Vec::new(),
        }
    }

    /// The parts of the request model the template reads (the plain values the request
    /// answers itself are not counted).
    pub fn needs(&self) -> Needs {
        self.needs
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
        let input = Input::ready(Context::from(model.clone()));
        helpers::with_render_state(entropy, now, || self.render_in(&input))
    }

    /// Renders in a context already built (several templates of one reply share it);
    /// the caller sets the render state.
    ///
    /// Element by element, as handlebars renders a template, with one render context
    /// for the whole: a plain value prints straight from the model unless a helper has
    /// set variables (they could shadow it) or the value is missing (handlebars' rules
    /// decide what prints then).
    pub(crate) fn render_in(&self, input: &Input<'_>) -> Result<String, String> {
        let Some(ast) = &self.body else {
            return Ok(self.prefix.clone());
        };
        let mut out = TextOut(String::with_capacity(
            self.prefix.len() + self.suffix.len() + 64,
        ));
        out.0.push_str(&self.prefix);
        let mut rc: Option<RenderContext<'_, '_>> = None;
        for (idx, el) in ast.elements.iter().enumerate() {
            if let TemplateElement::RawString(text) = el {
                out.0.push_str(text);
                continue;
            }
            if let Some(Some(plain)) = self.direct.get(idx)
                && rc.as_ref().is_none_or(|rc| rc.context().is_none())
                && let Some(text) = input.print(plain)
            {
                out.0.push_str(&text);
                continue;
            }
            let ctx = input.ctx();
            let rc = rc.get_or_insert_with(|| {
                let mut rc = RenderContext::new(None);
                // handlebars.java finds names in enclosing contexts too (variables set
                // by `assign` or `regexExtract` inside an `each`, say).
                rc.set_recursive_lookup(true);
                rc
            });
            el.render(registry(), ctx, rc, &mut out).map_err(|mut e| {
                if e.line_no.is_none()
                    && let Some(m) = ast.mapping.get(idx)
                {
                    e.line_no = Some(m.0);
                    e.column_no = Some(m.1);
                }
                e.to_string()
            })?;
        }
        out.0.push_str(&self.suffix);
        Ok(out.0)
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

/// `request.headers.X-Foo...` → `request.headers.[x-foo]...` (and the same under a
/// webhook's `originalRequest`); `None` for other paths.
fn lower_header_path(raw: &str) -> Option<String> {
    let segs = split_path(raw);
    if segs.len() < 3
        || (segs[0] != "request" && segs[0] != "originalRequest")
        || segs[1] != "headers"
    {
        return None;
    }
    if !segs[2].chars().any(|c| c.is_ascii_uppercase()) {
        return None;
    }
    let mut out = format!("{}.headers.[{}]", segs[0], segs[2].to_ascii_lowercase());
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
    request_model_for(req, path_vars, parameters, Needs::ALL)
}

/// [`request_model`] holding only what `needs` names (the fields a template cannot read
/// are left out; `multipart` and `parameters` are always there).
pub fn request_model_for(
    req: &Request<'_>,
    path_vars: &[(String, String)],
    parameters: &Value,
    needs: Needs,
) -> Value {
    let mut request = Map::new();
    if needs.has(Needs::URL) {
        let url = match req.query {
            Some(q) if !q.is_empty() => format!("{}?{q}", req.path),
            _ => req.path.to_string(),
        };
        request.insert("url".into(), Value::String(url));
    }
    if needs.has(Needs::PATH) {
        let path = path_model(req.path, path_vars);
        request.insert("path".into(), path.clone());
        request.insert("pathSegments".into(), path);
    }
    if needs.has(Needs::QUERY) {
        let mut query = Map::new();
        for (k, v) in form_pairs(req.query) {
            push_multi(&mut query, &k, v);
        }
        request.insert("query".into(), Value::Object(query));
    }
    if needs.has(Needs::METHOD) {
        request.insert("method".into(), Value::String(req.method.to_string()));
    }
    if needs.has(Needs::HOST) {
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
        request.insert("scheme".into(), Value::String(scheme.into()));
        request.insert("host".into(), Value::String(host));
        request.insert("port".into(), Value::from(port));
        request.insert("baseUrl".into(), Value::String(base_url));
    }
    if needs.has(Needs::HEADERS) || needs.has(Needs::COOKIES) {
        let (headers, cookies) = headers_model(req);
        if needs.has(Needs::HEADERS) {
            request.insert("headers".into(), Value::Object(headers));
        }
        if needs.has(Needs::COOKIES) {
            request.insert("cookies".into(), Value::Object(cookies));
        }
    }
    if needs.has(Needs::BODY) {
        request.insert(
            "body".into(),
            Value::String(String::from_utf8_lossy(req.body).into_owned()),
        );
    }
    if needs.has(Needs::BODY_BASE64) {
        request.insert(
            "bodyAsBase64".into(),
            Value::String(base64::engine::general_purpose::STANDARD.encode(req.body)),
        );
    }
    if needs.has(Needs::CLIENT_IP) {
        request.insert(
            "clientIp".into(),
            req.peer
                .map(|ip: IpAddr| Value::String(ip.to_string()))
                .unwrap_or(Value::Null),
        );
    }
    request.insert("multipart".into(), Value::Bool(false));
    let mut model = Map::with_capacity(2);
    model.insert("request".into(), Value::Object(request));
    model.insert("parameters".into(), parameters.clone());
    Value::Object(model)
}

/// `request.path`: the decoded segments, a list, or a map of `"0"`, `"1"`, ... and the
/// path template's variables when the stub has some.
fn path_model(path: &str, path_vars: &[(String, String)]) -> Value {
    let segments = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(percent_decode);
    if path_vars.is_empty() {
        return Value::Array(segments.map(Value::String).collect());
    }
    let mut m: Map<String, Value> = segments
        .enumerate()
        .map(|(i, s)| (i.to_string(), Value::String(s)))
        .collect();
    for (k, v) in path_vars {
        m.insert(k.clone(), Value::String(v.clone()));
    }
    Value::Object(m)
}

/// `request.headers` (by lower-case name) and `request.cookies`.
fn headers_model(req: &Request<'_>) -> (Map<String, Value>, Map<String, Value>) {
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
    (headers, cookies)
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

/// Adds the render state (entropy, time) to a model built by [`request_model`], for
/// [`Template::render`].
#[cfg(test)]
pub(crate) fn with_state(mut model: Value, entropy: u64, now_ms: u64) -> Value {
    if let Value::Object(m) = &mut model {
        m.insert(
            STATE_KEY.into(),
            serde_json::json!({ "entropy": entropy, "nowMs": now_ms }),
        );
    }
    model
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue, Method};

    /// Renders through handlebars alone, as a template with no direct plan does.
    fn through_handlebars(t: &Template, model: &Value) -> String {
        let mut t = t.clone();
        t.direct.clear();
        t.render(model).unwrap()
    }

    #[test]
    fn text_and_plain_values_render_without_handlebars_and_alike() {
        let mut h = HeaderMap::new();
        h.insert("user-agent", HeaderValue::from_static("curl/8"));
        h.append("accept", HeaderValue::from_static("a/b"));
        h.append("accept", HeaderValue::from_static("c/d"));
        let mut req = Request::new(&Method::GET, "/users/42/a%20b", &h);
        req.query = Some("fields=name&fields=id&x=1");
        let vars = vec![("id".to_string(), "42".to_string())];
        let model = request_model(&req, &vars, &serde_json::json!({"p": {"q": [1, "two"]}}));
        for (text, direct) in [
            ("id {{request.path.id}}, {{request.path.[1]}}", true),
            (
                "{{request.path}} {{request.pathSegments}} {{request.url}}",
                true,
            ),
            (
                "{{request.query.fields}} {{request.query.fields.[1]}} {{request.query.x}}",
                true,
            ),
            (
                "{{request.headers.User-Agent}} {{request.headers.accept}}",
                true,
            ),
            (
                "{{parameters.p.q.1}} {{parameters.p}} {{{request.method}}}",
                true,
            ),
            // A missing value: handlebars' rules decide what prints.
            ("[{{request.query.none}}] {{request.query.x.[0]}}", true),
            ("{{upper request.query.x}}", false),
            ("{{#if request.query.x}}y{{/if}}", false),
            ("{{this.request.url}} {{x}}", false),
            // A helper among plain values: the values print direct, the helper through
            // handlebars, in one render context.
            (
                "{{request.path.id}} {{upper request.query.x}} {{request.query.fields}}",
                true,
            ),
            (
                "{{#each request.query.fields}}{{this}},{{/each}} {{request.url}}",
                true,
            ),
            // Variables set by a helper: later values go through handlebars, which
            // finds the variable where it shadows the model.
            (
                "{{request.url}} {{#assign 'request'}}zz{{/assign}}[{{request.url}}] {{request}}",
                true,
            ),
            (
                "{{regexExtract request.url '([0-9]+)' 'parts'}}{{parts.0}} {{request.path.id}}",
                true,
            ),
        ] {
            let t = Template::compile(&format!("<{text}>")).unwrap();
            assert_eq!(t.direct.iter().any(Option::is_some), direct, "{text}");
            assert_eq!(
                t.render(&model).unwrap(),
                through_handlebars(&t, &model),
                "{text}"
            );
        }
    }
}
