//! A stub's `response`: parsed and its templates compiled once when the stub loads, then
//! turned into a [`Reply`] per request.
//!
//! Fields follow WireMock's `ResponseDefinition`: `status`, `statusMessage`, `headers`,
//! one of `body` / `jsonBody` / `base64Body` / `bodyFileName`, `fixedDelayMilliseconds`,
//! `delayDistribution`, `chunkedDribbleDelay`, `fault`, `proxyBaseUrl`, `transformers`,
//! `transformerParameters`. The crate does no IO: a `bodyFileName` becomes
//! [`standin_core::exchange::Wire::body_file`] for the server to stream, delays and
//! dribbles are returned for the server to apply, and random delays are sampled from the
//! request's entropy (the same entropy gives the same delay).

use std::path::{Component, Path, PathBuf};

use base64::Engine as _;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value, json};
use standin_core::exchange::{Dribble, Fault, Forward, Kind, Reply, Request};
use standin_core::problem::{Problem, extra};

use crate::error::{StubError, optional_str};
use crate::helpers::{splitmix, with_render_state};
use crate::stub::{Stub, StubOptions};
use crate::template::{Input, Needs, Template};

/// The transformer that turns templating on for a stub.
pub const RESPONSE_TEMPLATE: &str = "response-template";

/// The header naming the stub that answered.
pub const MATCHED_STUB_ID: &str = "matched-stub-id";

/// The header carrying the answering stub's `name`, sent only when the stub has one.
pub const MATCHED_STUB_NAME: &str = "matched-stub-name";

/// A text that is a template when templating is on for the stub.
#[derive(Debug, Clone)]
struct Text {
    /// The text as given (UTF-8), kept as bytes: a text that is no template answers
    /// with these, shared by every answer.
    raw: Bytes,
    template: Option<Template>,
    /// The text as a header value (`None` inside: not a valid one), made the first time
    /// it is sent as one, then shared.
    value: std::sync::OnceLock<Option<HeaderValue>>,
}

impl Text {
    fn new(raw: &str, templated: bool, pointer: &str) -> Result<Text, StubError> {
        let template = if templated {
            let t = Template::compile(raw).map_err(|e| {
                StubError::new(pointer, format!("the template does not compile: {e}"))
            })?;
            t.is_dynamic().then_some(t)
        } else {
            None
        };
        Ok(Text {
            raw: Bytes::copy_from_slice(raw.as_bytes()),
            template,
            value: std::sync::OnceLock::new(),
        })
    }

    /// The text as given.
    fn raw(&self) -> &str {
        // Made from a `&str`: always UTF-8.
        std::str::from_utf8(&self.raw).unwrap_or_default()
    }

    /// The text as a body: the bytes made at load when it is no template (or rendered
    /// without a context).
    fn render_bytes(&self, ctx: Option<&Input<'_>>) -> Result<Bytes, String> {
        match (&self.template, ctx) {
            (Some(t), Some(ctx)) => t.render_in(ctx).map(Bytes::from),
            _ => Ok(self.raw.clone()),
        }
    }

    /// The text as a header value, `None` inside when it renders to an invalid one (the
    /// text is then returned for the message).
    fn render_value(&self, ctx: Option<&Input<'_>>) -> Result<Result<HeaderValue, String>, String> {
        if let (Some(t), Some(ctx)) = (&self.template, ctx) {
            let text = t.render_in(ctx)?;
            return Ok(HeaderValue::from_str(&text).map_err(|_| text));
        }
        let value = self
            .value
            .get_or_init(|| HeaderValue::from_maybe_shared(self.raw.clone()).ok());
        Ok(value.clone().ok_or_else(|| self.raw().to_string()))
    }

    /// What the template reads of the request (nothing when not a template).
    fn needs(&self) -> Needs {
        self.template.as_ref().map_or(Needs::NONE, Template::needs)
    }

    fn render(&self, ctx: Option<&Input<'_>>) -> Result<String, String> {
        match (&self.template, ctx) {
            (Some(t), Some(ctx)) => t.render_in(ctx),
            _ => Ok(self.raw().to_string()),
        }
    }
}

/// The body, as given.
#[derive(Debug, Clone)]
enum Body {
    Empty,
    /// `body`, or `jsonBody` as its compact JSON text.
    Text(Text),
    /// `base64Body`, decoded.
    Binary(Bytes),
    /// `bodyFileName`, relative to the files root.
    File(Text),
}

/// `delayDistribution`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Distribution {
    Uniform {
        lower: u64,
        upper: u64,
    },
    LogNormal {
        median: f64,
        sigma: f64,
        max: Option<f64>,
    },
    Fixed(u64),
}

impl Distribution {
    pub(crate) fn parse(v: &Value, pointer: &str) -> Result<Distribution, StubError> {
        let obj = v
            .as_object()
            .ok_or_else(|| StubError::new(pointer, "delayDistribution must be an object"))?;
        let field = |k: &str| format!("{pointer}/{k}");
        let uint = |k: &str| -> Result<u64, StubError> {
            obj.get(k).and_then(Value::as_u64).ok_or_else(|| {
                StubError::new(field(k), format!("{k} must be a non-negative integer (ms)"))
            })
        };
        let num = |k: &str| -> Result<f64, StubError> {
            obj.get(k)
                .and_then(Value::as_f64)
                .filter(|f| f.is_finite() && *f >= 0.0)
                .ok_or_else(|| {
                    StubError::new(field(k), format!("{k} must be a non-negative number"))
                })
        };
        match obj.get("type").and_then(Value::as_str) {
            Some("uniform") => {
                let (lower, upper) = (uint("lower")?, uint("upper")?);
                if upper < lower {
                    return Err(StubError::new(
                        field("upper"),
                        format!("upper ({upper}) must not be below lower ({lower})"),
                    ));
                }
                Ok(Distribution::Uniform { lower, upper })
            }
            Some("lognormal") => {
                let (median, sigma) = (num("median")?, num("sigma")?);
                let max = match obj.get("maxValue") {
                    None | Some(Value::Null) => None,
                    Some(_) => Some(num("maxValue")?),
                };
                if let Some(m) = max
                    && m < median
                {
                    return Err(StubError::new(
                        field("maxValue"),
                        format!(
                            "The max value ({m}) has to be greater than or equal to the median ({median})"
                        ),
                    ));
                }
                Ok(Distribution::LogNormal { median, sigma, max })
            }
            Some("fixed") => Ok(Distribution::Fixed(uint("milliseconds")?)),
            other => Err(StubError::new(
                field("type"),
                format!(
                    "unknown delay distribution {}; expected uniform, lognormal or fixed",
                    other
                        .map(|s| format!("{s:?}"))
                        .unwrap_or_else(|| "(none)".into())
                ),
            )),
        }
    }

    /// A sample: a function of `entropy` only.
    pub(crate) fn sample(&self, entropy: u64) -> u64 {
        // A stream of values from the entropy, apart from the templates' randomness.
        let mut counter = entropy ^ 0xD1B5_4A32_D192_ED03;
        let mut next = move || {
            counter = counter.wrapping_add(0x9E37_79B9_7F4A_7C15);
            splitmix(counter)
        };
        let unit = |bits: u64| (bits >> 11) as f64 / (1u64 << 53) as f64;
        match *self {
            Distribution::Fixed(ms) => ms,
            Distribution::Uniform { lower, upper } => {
                let span = upper - lower + 1;
                lower + next() % span
            }
            Distribution::LogNormal { median, sigma, max } => {
                let mut gen_once = || {
                    // Box–Muller: a standard normal from two uniforms.
                    let u1 = 1.0 - unit(next());
                    let u2 = unit(next());
                    let g = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
                    ((g * sigma).exp() * median).round()
                };
                let mut v = gen_once();
                if let Some(m) = max {
                    // WireMock resamples a value over the maximum up to ten times, then caps it.
                    let mut tries = 0;
                    while v > m && tries < 10 {
                        v = gen_once();
                        tries += 1;
                    }
                    v = v.min(m).round();
                }
                if v.is_finite() && v >= 0.0 {
                    v.min(u64::MAX as f64) as u64
                } else {
                    0
                }
            }
        }
    }
}

/// A parsed stub `response`.
#[derive(Debug, Clone)]
pub struct StubResponse {
    status: u16,
    status_message: Option<String>,
    headers: Vec<(HeaderName, Vec<Text>)>,
    body: Body,
    files_root: Option<PathBuf>,
    fixed_delay_ms: u64,
    distribution: Option<Distribution>,
    dribble: Option<Dribble>,
    fault: Option<Fault>,
    proxy: Option<Forward>,
    templated: bool,
    /// What the templates read of the request: the model of a render holds only that.
    needs: Needs,
    parameters: Value,
    json: Value,
}

/// A JSON pointer token (`~` → `~0`, `/` → `~1`).
fn token(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

/// Whether a relative file name stays inside its root.
fn safe_relative(name: &str) -> Result<PathBuf, String> {
    let p = Path::new(name);
    if name.is_empty() {
        return Err("bodyFileName is empty".into());
    }
    for c in p.components() {
        match c {
            Component::Normal(_) | Component::CurDir => {}
            Component::ParentDir => {
                return Err(format!(
                    "bodyFileName {name:?} leaves the __files directory (..)"
                ));
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "bodyFileName {name:?} must be relative to the __files directory"
                ));
            }
        }
    }
    Ok(p.to_path_buf())
}

impl StubResponse {
    /// Parses a `response` object found at `pointer`.
    pub fn parse(v: &Value, pointer: &str, opts: &StubOptions) -> Result<StubResponse, StubError> {
        let empty = Map::new();
        let obj = match v {
            Value::Object(o) => o,
            Value::Null => &empty,
            _ => return Err(StubError::new(pointer, "response must be an object")),
        };
        let at = |k: &str| format!("{pointer}/{k}");
        let string = |k: &str| optional_str(obj, k, pointer).map(|s| s.map(str::to_string));

        let status = match obj.get("status") {
            None | Some(Value::Null) => 200,
            Some(s) => s
                .as_u64()
                .filter(|n| (100..=599).contains(n))
                .map(|n| n as u16)
                .ok_or_else(|| {
                    StubError::new(at("status"), "status must be an integer from 100 to 599")
                })?,
        };

        let transformers: Vec<String> = match obj.get("transformers") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    t.as_str().map(str::to_string).ok_or_else(|| {
                        StubError::new(
                            format!("{pointer}/transformers/{i}"),
                            "a transformer is a name (string)",
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(StubError::new(
                    at("transformers"),
                    "transformers must be an array of names",
                ));
            }
        };
        let templated =
            opts.global_templating || transformers.iter().any(|t| t == RESPONSE_TEMPLATE);
        let parameters = match obj.get("transformerParameters") {
            None | Some(Value::Null) => Value::Object(Map::new()),
            Some(p @ Value::Object(_)) => p.clone(),
            Some(_) => {
                return Err(StubError::new(
                    at("transformerParameters"),
                    "transformerParameters must be an object",
                ));
            }
        };

        let mut headers = Vec::new();
        match obj.get("headers") {
            None | Some(Value::Null) => {}
            Some(Value::Object(h)) => {
                for (name, value) in h {
                    let hp = format!("{pointer}/headers/{}", token(name));
                    let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                        StubError::new(&hp, format!("{name:?} is not a valid header name"))
                    })?;
                    let values: Vec<(String, String)> = match value {
                        Value::Array(items) => items
                            .iter()
                            .enumerate()
                            .map(|(i, v)| (scalar_text(v), format!("{hp}/{i}")))
                            .collect(),
                        v => vec![(scalar_text(v), hp.clone())],
                    };
                    let mut texts = Vec::new();
                    for (text, vp) in values {
                        let t = Text::new(&text, templated, &vp)?;
                        if t.template.is_none() {
                            HeaderValue::from_str(&text).map_err(|_| {
                                StubError::new(
                                    &vp,
                                    format!("{text:?} is not a valid value for header {name}"),
                                )
                            })?;
                        }
                        texts.push(t);
                    }
                    headers.push((header, texts));
                }
            }
            Some(_) => {
                return Err(StubError::new(
                    at("headers"),
                    "headers must be an object of names to values",
                ));
            }
        }

        let given: Vec<&str> = ["body", "jsonBody", "base64Body", "bodyFileName"]
            .into_iter()
            .filter(|k| obj.get(*k).is_some_and(|v| !v.is_null()))
            .collect();
        if given.len() > 1 {
            return Err(StubError::new(
                at(given[1]),
                format!(
                    "a response has one body; {} are given (use one of body, jsonBody, base64Body, bodyFileName)",
                    given.join(", ")
                ),
            ));
        }
        let body = match given.first().copied() {
            None => Body::Empty,
            Some("body") => {
                let text = match obj.get("body") {
                    Some(Value::String(s)) => s.clone(),
                    // WireMock accepts a JSON value under `body` and sends its text.
                    Some(other) => other.to_string(),
                    None => String::new(),
                };
                Body::Text(Text::new(&text, templated, &at("body"))?)
            }
            Some("jsonBody") => {
                let text = obj
                    .get("jsonBody")
                    .map(Value::to_string)
                    .unwrap_or_default();
                Body::Text(Text::new(&text, templated, &at("jsonBody"))?)
            }
            Some("base64Body") => {
                let b64 = string("base64Body")?.unwrap_or_default();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64.trim())
                    .map_err(|e| {
                        StubError::new(at("base64Body"), format!("base64Body is not Base64: {e}"))
                    })?;
                Body::Binary(Bytes::from(bytes))
            }
            Some(_) => {
                let name = string("bodyFileName")?.unwrap_or_default();
                let text = Text::new(&name, templated, &at("bodyFileName"))?;
                if text.template.is_none() {
                    safe_relative(&name).map_err(|e| StubError::new(at("bodyFileName"), e))?;
                }
                if opts.files_root.is_none() {
                    return Err(StubError::new(
                        at("bodyFileName"),
                        "bodyFileName needs a __files directory beside mappings/",
                    ));
                }
                Body::File(text)
            }
        };

        let fixed_delay_ms = match obj.get("fixedDelayMilliseconds") {
            None | Some(Value::Null) => 0,
            Some(v) => v.as_u64().ok_or_else(|| {
                StubError::new(
                    at("fixedDelayMilliseconds"),
                    "fixedDelayMilliseconds must be a non-negative integer",
                )
            })?,
        };
        let distribution = match obj.get("delayDistribution") {
            None | Some(Value::Null) => None,
            Some(d) => Some(Distribution::parse(d, &at("delayDistribution"))?),
        };
        let dribble = match obj.get("chunkedDribbleDelay") {
            None | Some(Value::Null) => None,
            Some(d) => {
                let dp = at("chunkedDribbleDelay");
                let chunks = d
                    .get("numberOfChunks")
                    .and_then(Value::as_u64)
                    .filter(|n| (1..=u64::from(u32::MAX)).contains(n))
                    .ok_or_else(|| {
                        StubError::new(
                            format!("{dp}/numberOfChunks"),
                            "numberOfChunks must be an integer of at least 1",
                        )
                    })?;
                let total = d
                    .get("totalDuration")
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        StubError::new(
                            format!("{dp}/totalDuration"),
                            "totalDuration must be a non-negative integer (ms)",
                        )
                    })?;
                Some(Dribble {
                    chunks: chunks as u32,
                    total_ms: total,
                })
            }
        };
        let fault = match string("fault")? {
            None => None,
            Some(name) => Some(Fault::parse(&name).ok_or_else(|| {
                StubError::new(
                    at("fault"),
                    format!(
                        "unknown fault {name:?}; expected one of CONNECTION_RESET_BY_PEER, \
                         EMPTY_RESPONSE, MALFORMED_RESPONSE_CHUNK, RANDOM_DATA_THEN_CLOSE"
                    ),
                )
            })?),
        };
        let proxy = match string("proxyBaseUrl")? {
            None => None,
            Some(url) => {
                let ok = url.starts_with("http://") || url.starts_with("https://");
                if !ok || url.parse::<http::Uri>().is_err() {
                    return Err(StubError::new(
                        at("proxyBaseUrl"),
                        format!("proxyBaseUrl {url:?} is not an http(s) URL"),
                    ));
                }
                let mut forward = Forward::to(url);
                forward.strip_prefix = string("proxyUrlPrefixToRemove")?;
                forward.add_headers = proxy_headers(obj, pointer)?;
                forward.remove_headers = removed_headers(obj, pointer)?;
                Some(forward)
            }
        };

        let needs = headers
            .iter()
            .flat_map(|(_, values)| values.iter())
            .chain(match &body {
                Body::Text(t) | Body::File(t) => Some(t),
                Body::Empty | Body::Binary(_) => None,
            })
            .fold(Needs::NONE, |n, t| n.union(t.needs()));
        Ok(StubResponse {
            status,
            status_message: string("statusMessage")?,
            headers,
            body,
            files_root: opts.files_root.clone(),
            fixed_delay_ms,
            distribution,
            dribble,
            fault,
            proxy,
            templated,
            needs,
            parameters,
            json: Value::Object(obj.clone()),
        })
    }

    /// The response as WireMock's JSON, for the admin API's echo.
    pub fn to_json(&self) -> Value {
        self.json.clone()
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Whether the response is templated.
    pub fn is_templated(&self) -> bool {
        self.templated
    }

    /// The delay of one request: `fixedDelayMilliseconds` plus a sample of
    /// `delayDistribution` drawn from `entropy`.
    pub fn delay_ms(&self, entropy: u64) -> u64 {
        self.fixed_delay_ms
            .saturating_add(self.distribution.as_ref().map_or(0, |d| d.sample(entropy)))
    }

    /// The answer to `req`, from `stub`.
    pub fn reply(
        &self,
        stub: &Stub,
        req: &Request<'_>,
        path_vars: &[(String, String)],
        entropy: u64,
    ) -> Reply {
        let mut reply = if let Some(forward) = &self.proxy {
            let mut r = Reply::status(502);
            r.wire.forward = Some(Box::new(forward.clone()));
            r
        } else if self.templated {
            // The render's randomness and time are set around it (`with_render_state`),
            // not carried in the model.
            let input = Input::of_request(req, path_vars, &self.parameters, self.needs);
            match with_render_state(entropy, req.now_unix_ms, || self.build(Some(&input))) {
                Ok(r) => r,
                Err(e) => template_failed(stub, &e),
            }
        } else {
            match self.build(None) {
                Ok(r) => r,
                Err(e) => template_failed(stub, &e),
            }
        };
        reply.headers.extend(stub.marks().iter().cloned());
        reply.delay_ms = self.delay_ms(entropy);
        reply.why.answerer = Kind::Stub;
        reply.why.stub = Some(stub.id.clone());
        reply.why.operation = stub.name.clone();
        reply
    }

    /// The reply of the stub itself (no proxy), rendering its templates in `ctx`.
    fn build(&self, ctx: Option<&Input<'_>>) -> Result<Reply, String> {
        let mut reply = Reply::status(self.status);
        reply.wire.status_message = self.status_message.clone();
        for (name, values) in &self.headers {
            for v in values {
                let value = v.render_value(ctx)?.map_err(|text| {
                    format!(
                        "the header {name} rendered to {text:?}, which is not a valid header value"
                    )
                })?;
                reply.headers.push((name.clone(), value));
            }
        }
        match &self.body {
            Body::Empty => {}
            Body::Text(t) => reply.body = t.render_bytes(ctx)?,
            Body::Binary(b) => reply.body = b.clone(),
            Body::File(t) => {
                let name = t.render(ctx)?;
                let rel = safe_relative(&name)?;
                let root = self
                    .files_root
                    .as_ref()
                    .ok_or("bodyFileName needs a __files directory")?;
                reply.wire.body_file = Some(root.join(rel));
            }
        }
        reply.wire.dribble = self.dribble;
        reply.wire.fault = self.fault;
        Ok(reply)
    }
}

/// A header value given as a string (or, leniently, a number or boolean).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The headers that say which stub answered: `Matched-Stub-Id`, and `Matched-Stub-Name`
/// when it has a name (made once, when the stub is made).
pub(crate) fn marks(id: &str, name: Option<&str>) -> Vec<(HeaderName, HeaderValue)> {
    let mut out = Vec::with_capacity(2);
    if let Ok(id) = HeaderValue::from_str(id) {
        out.push((HeaderName::from_static(MATCHED_STUB_ID), id));
    }
    if let Some(name) = name {
        out.push((
            HeaderName::from_static(MATCHED_STUB_NAME),
            stub_name_value(name),
        ));
    }
    out
}

/// A stub's name as a header value, the way WireMock sends it: each character outside
/// ASCII becomes `?` (WireMock encodes the name to US-ASCII), and each control character
/// other than a tab becomes a space (as Jetty writes a control character in a header value),
/// so every name gives a valid value.
fn stub_name_value(name: &str) -> HeaderValue {
    let text: String = name
        .chars()
        .map(|c| match c {
            '\t' => c,
            c if c.is_ascii_control() => ' ',
            c if c.is_ascii() => c,
            _ => '?',
        })
        .collect();
    // Every character is now visible ASCII, a space or a tab: always a valid value.
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn stub_label(stub: &Stub) -> String {
    match &stub.name {
        Some(n) => format!("{n:?} ({})", stub.id),
        None => stub.id.clone(),
    }
}

/// `additionalProxyRequestHeaders`: an object of header names to values.
fn proxy_headers(
    obj: &Map<String, Value>,
    pointer: &str,
) -> Result<Vec<(HeaderName, HeaderValue)>, StubError> {
    let field = "additionalProxyRequestHeaders";
    let at = format!("{pointer}/{field}");
    match obj.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(h)) => h
            .iter()
            .map(|(name, value)| {
                let hp = format!("{at}/{}", token(name));
                let header = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    StubError::new(&hp, format!("{name:?} is not a valid header name"))
                })?;
                let text = scalar_text(value);
                let value = HeaderValue::from_str(&text).map_err(|_| {
                    StubError::new(
                        &hp,
                        format!("{text:?} is not a valid value for header {name}"),
                    )
                })?;
                Ok((header, value))
            })
            .collect(),
        Some(_) => Err(StubError::new(
            &at,
            format!("{field} must be an object of header names to values"),
        )),
    }
}

/// `removeProxyRequestHeaders`: an array of header names.
fn removed_headers(obj: &Map<String, Value>, pointer: &str) -> Result<Vec<HeaderName>, StubError> {
    let field = "removeProxyRequestHeaders";
    let at = format!("{pointer}/{field}");
    match obj.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .and_then(|n| HeaderName::from_bytes(n.as_bytes()).ok())
                    .ok_or_else(|| {
                        StubError::new(format!("{at}/{i}"), format!("{v} is not a header name"))
                    })
            })
            .collect(),
        Some(_) => Err(StubError::new(
            &at,
            format!("{field} must be an array of header names"),
        )),
    }
}

/// A template that failed at request time: a 500 naming the stub and the error.
fn template_failed(stub: &Stub, error: &str) -> Reply {
    let p = Problem::new(
        500,
        "stub-template-error",
        "The stub's response template failed",
        format!("stub {}: {error}", stub_label(stub)),
        extra([("stub", json!(stub.id)), ("stubName", json!(stub.name))]),
    );
    Reply::from_problem(p, "template-error")
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, Method};

    const ID: &str = "2f8e1a34-5b6c-4d7e-8f90-a1b2c3d4e5f6";

    fn opts() -> StubOptions {
        StubOptions {
            global_templating: false,
            files_root: Some(PathBuf::from("/srv/mock/__files")),
        }
    }

    fn stub_with(response: Value, opts: &StubOptions) -> Stub {
        Stub::parse(
            &json!({"id": ID, "name": "get-user", "request": {"method": "ANY"}, "response": response}),
            opts,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn stub(response: Value) -> Stub {
        stub_with(response, &opts())
    }

    fn parse_err(response: Value) -> StubError {
        StubResponse::parse(&response, "/response", &opts()).unwrap_err()
    }

    fn reply_of(s: &Stub, entropy: u64) -> Reply {
        let h = HeaderMap::new();
        let req = Request::new(&Method::GET, "/users/7", &h);
        s.response.reply(s, &req, &[], entropy)
    }

    fn header<'r>(r: &'r Reply, name: &str) -> Vec<&'r str> {
        r.headers
            .iter()
            .filter(|(n, _)| n.as_str() == name)
            .filter_map(|(_, v)| v.to_str().ok())
            .collect()
    }

    #[test]
    fn status_default_and_range() {
        assert_eq!(reply_of(&stub(json!({})), 0).status, 200);
        assert_eq!(reply_of(&stub(json!({"status": 418})), 0).status, 418);
        for bad in [
            json!({"status": 99}),
            json!({"status": 600}),
            json!({"status": "200"}),
        ] {
            assert_eq!(parse_err(bad).pointer, "/response/status");
        }
    }

    #[test]
    fn status_message_and_why() {
        let s = stub(json!({"status": 201, "statusMessage": "Made it"}));
        let r = reply_of(&s, 0);
        assert_eq!(r.wire.status_message.as_deref(), Some("Made it"));
        assert_eq!(r.why.answerer, Kind::Stub);
        assert_eq!(r.why.stub.as_deref(), Some(ID));
        assert_eq!(r.why.operation.as_deref(), Some("get-user"));
        assert_eq!(header(&r, "matched-stub-id"), [ID]);
    }

    #[test]
    fn matched_stub_name_only_for_named_stubs_and_sanitised() {
        let r = reply_of(&stub(json!({"headers": {"X-One": "1"}})), 0);
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["x-one", "matched-stub-id", "matched-stub-name"]);
        assert_eq!(header(&r, "matched-stub-name"), ["get-user"]);

        let unnamed = Stub::parse(
            &json!({"id": ID, "request": {"method": "ANY"}, "response": {}}),
            &opts(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let r = reply_of(&unnamed, 0);
        assert!(header(&r, "matched-stub-name").is_empty());
        assert_eq!(header(&r, "matched-stub-id"), [ID]);

        let odd = Stub::parse(
            &json!({"id": ID, "name": "café 😀\nnext\tdel\u{7f}", "request": {"method": "ANY"}, "response": {}}),
            &opts(),
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let r = reply_of(&odd, 0);
        assert_eq!(header(&r, "matched-stub-name"), ["caf? ? next\tdel "]);
    }

    #[test]
    fn headers_single_repeated_and_invalid() {
        let s = stub(json!({"headers": {"X-One": "1", "Set-Cookie": ["a=1", "b=2"], "X-Num": 5}}));
        let r = reply_of(&s, 0);
        assert_eq!(header(&r, "x-one"), ["1"]);
        assert_eq!(header(&r, "set-cookie"), ["a=1", "b=2"]);
        assert_eq!(header(&r, "x-num"), ["5"]);
        assert_eq!(
            parse_err(json!({"headers": {"Bad Name": "x"}})).pointer,
            "/response/headers/Bad Name"
        );
        assert_eq!(
            parse_err(json!({"headers": {"X-A": ["ok", "bad\nvalue"]}})).pointer,
            "/response/headers/X-A/1"
        );
        assert_eq!(
            parse_err(json!({"headers": ["x"]})).pointer,
            "/response/headers"
        );
    }

    #[test]
    fn bodies() {
        assert_eq!(reply_of(&stub(json!({"body": "hello"})), 0).body, "hello");
        let j = reply_of(&stub(json!({"jsonBody": {"a": [1, {"b": null}]}})), 0);
        assert_eq!(j.body, r#"{"a":[1,{"b":null}]}"#);
        // WireMock adds no Content-Type for jsonBody.
        assert!(header(&j, "content-type").is_empty());
        let b = reply_of(&stub(json!({"base64Body": "AAEC/w=="})), 0);
        assert_eq!(&b.body[..], &[0u8, 1, 2, 255]);
        assert_eq!(
            parse_err(json!({"base64Body": "%%%"})).pointer,
            "/response/base64Body"
        );
        let two = parse_err(json!({"body": "a", "jsonBody": {}}));
        assert_eq!(two.pointer, "/response/jsonBody");
        assert!(two.message.contains("one body"));
        assert!(reply_of(&stub(json!({})), 0).body.is_empty());
    }

    #[test]
    fn body_file_names() {
        let r = reply_of(&stub(json!({"bodyFileName": "users/7.json"})), 0);
        assert_eq!(
            r.wire.body_file,
            Some(PathBuf::from("/srv/mock/__files/users/7.json"))
        );
        assert!(r.body.is_empty());
        for bad in ["../secret", "a/../../b", "/etc/passwd", ""] {
            let e = parse_err(json!({ "bodyFileName": bad }));
            assert_eq!(e.pointer, "/response/bodyFileName", "{bad}");
        }
        let no_root = StubOptions::default();
        let e = StubResponse::parse(&json!({"bodyFileName": "a.json"}), "/response", &no_root)
            .unwrap_err();
        assert!(e.message.contains("__files"));
    }

    #[test]
    fn templated_body_file_name_is_checked_when_rendered() {
        let s = stub(json!({
            "bodyFileName": "users/{{request.path.[1]}}.json",
            "transformers": ["response-template"]
        }));
        assert_eq!(
            reply_of(&s, 0).wire.body_file,
            Some(PathBuf::from("/srv/mock/__files/users/7.json"))
        );
        let escape = stub(json!({
            "bodyFileName": "{{request.headers.x-dir}}/x",
            "transformers": ["response-template"]
        }));
        let mut h = HeaderMap::new();
        h.insert("x-dir", HeaderValue::from_static(".."));
        let req = Request::new(&Method::GET, "/", &h);
        let r = escape.response.reply(&escape, &req, &[], 0);
        assert_eq!(r.status, 500);
        assert!(r.wire.body_file.is_none());
    }

    #[test]
    fn fixed_delay() {
        let r = reply_of(&stub(json!({"fixedDelayMilliseconds": 250})), 0);
        assert_eq!(r.delay_ms, 250);
        assert_eq!(
            parse_err(json!({"fixedDelayMilliseconds": -1})).pointer,
            "/response/fixedDelayMilliseconds"
        );
    }

    #[test]
    fn uniform_delay_within_bounds_and_deterministic() {
        let s = stub(json!({"delayDistribution": {"type": "uniform", "lower": 10, "upper": 20}}));
        let mut seen = std::collections::BTreeSet::new();
        for e in 0..500u64 {
            let d = s.response.delay_ms(e);
            assert!((10..=20).contains(&d), "{d}");
            assert_eq!(d, s.response.delay_ms(e));
            seen.insert(d);
        }
        // Both ends are reachable (upper is inclusive, as WireMock's).
        assert!(seen.contains(&10) && seen.contains(&20));
        let e =
            parse_err(json!({"delayDistribution": {"type": "uniform", "lower": 5, "upper": 1}}));
        assert_eq!(e.pointer, "/response/delayDistribution/upper");
    }

    #[test]
    fn lognormal_delay() {
        let s = stub(
            json!({"delayDistribution": {"type": "lognormal", "median": 100, "sigma": 0.5, "maxValue": 300}}),
        );
        let samples: Vec<u64> = (0..2000u64).map(|e| s.response.delay_ms(e)).collect();
        assert!(samples.iter().all(|d| *d <= 300));
        let mut sorted = samples.clone();
        sorted.sort_unstable();
        let median = sorted[sorted.len() / 2];
        assert!((85..=115).contains(&median), "median {median}");
        assert_eq!(s.response.delay_ms(9), s.response.delay_ms(9));
        let e = parse_err(
            json!({"delayDistribution": {"type": "lognormal", "median": 100, "sigma": 1, "maxValue": 50}}),
        );
        assert_eq!(e.pointer, "/response/delayDistribution/maxValue");
    }

    #[test]
    fn fixed_distribution_adds_to_fixed_delay() {
        let s = stub(json!({
            "fixedDelayMilliseconds": 5,
            "delayDistribution": {"type": "fixed", "milliseconds": 40}
        }));
        assert_eq!(reply_of(&s, 3).delay_ms, 45);
        let e = parse_err(json!({"delayDistribution": {"type": "gamma"}}));
        assert_eq!(e.pointer, "/response/delayDistribution/type");
        assert!(e.message.contains("uniform, lognormal or fixed"));
    }

    #[test]
    fn chunked_dribble() {
        let r = reply_of(
            &stub(
                json!({"body": "abc", "chunkedDribbleDelay": {"numberOfChunks": 3, "totalDuration": 900}}),
            ),
            0,
        );
        assert_eq!(
            r.wire.dribble,
            Some(Dribble {
                chunks: 3,
                total_ms: 900
            })
        );
        let e =
            parse_err(json!({"chunkedDribbleDelay": {"numberOfChunks": 0, "totalDuration": 1}}));
        assert_eq!(e.pointer, "/response/chunkedDribbleDelay/numberOfChunks");
    }

    #[test]
    fn faults() {
        for (name, fault) in [
            ("CONNECTION_RESET_BY_PEER", Fault::ConnectionResetByPeer),
            ("EMPTY_RESPONSE", Fault::EmptyResponse),
            ("MALFORMED_RESPONSE_CHUNK", Fault::MalformedResponseChunk),
            ("RANDOM_DATA_THEN_CLOSE", Fault::RandomDataThenClose),
        ] {
            assert_eq!(
                reply_of(&stub(json!({ "fault": name })), 0).wire.fault,
                Some(fault)
            );
        }
        let e = parse_err(json!({"fault": "SLOW"}));
        assert_eq!(e.pointer, "/response/fault");
        for name in [
            "CONNECTION_RESET_BY_PEER",
            "EMPTY_RESPONSE",
            "MALFORMED_RESPONSE_CHUNK",
            "RANDOM_DATA_THEN_CLOSE",
        ] {
            assert!(e.message.contains(name));
        }
    }

    #[test]
    fn proxy_base_url_asks_to_forward() {
        let s = stub(json!({
            "proxyBaseUrl": "http://upstream.test:9000/base",
            "proxyUrlPrefixToRemove": "/api",
            "additionalProxyRequestHeaders": {"X-Added": "yes"},
            "removeProxyRequestHeaders": ["X-Secret"]
        }));
        let r = reply_of(&s, 0);
        let f = r.wire.forward.as_deref().expect("a forward");
        assert_eq!(f.base, "http://upstream.test:9000/base");
        assert_eq!(
            f.target("/api/users", Some("a=1")),
            "http://upstream.test:9000/base/users?a=1"
        );
        assert_eq!(f.add_headers[0].0, "x-added");
        assert_eq!(f.add_headers[0].1, "yes");
        assert_eq!(f.remove_headers, [HeaderName::from_static("x-secret")]);
        assert_eq!(header(&r, "matched-stub-id"), [ID]);
        assert_eq!(r.why.answerer, Kind::Stub);
        assert_eq!(
            parse_err(json!({"proxyBaseUrl": "ftp://x"})).pointer,
            "/response/proxyBaseUrl"
        );
        assert_eq!(
            parse_err(json!({"proxyBaseUrl": "http://x", "removeProxyRequestHeaders": [1]}))
                .pointer,
            "/response/removeProxyRequestHeaders/0"
        );
    }

    #[test]
    fn templating_only_when_asked() {
        let plain = stub(json!({"body": "{{request.method}}"}));
        assert_eq!(reply_of(&plain, 0).body, "{{request.method}}");
        let local =
            stub(json!({"body": "{{request.method}}", "transformers": ["response-template"]}));
        assert_eq!(reply_of(&local, 0).body, "GET");
        let global = StubOptions {
            global_templating: true,
            ..opts()
        };
        let g = stub_with(json!({"body": "{{request.path.[1]}}"}), &global);
        assert_eq!(reply_of(&g, 0).body, "7");
    }

    #[test]
    fn templated_json_body_headers_and_parameters() {
        let s = stub(json!({
            "jsonBody": {"id": "{{request.path.[1]}}", "p": "{{parameters.x}}"},
            "headers": {"X-Echo": "{{request.method}}-{{parameters.x}}"},
            "transformers": ["response-template"],
            "transformerParameters": {"x": "y"}
        }));
        let r = reply_of(&s, 0);
        assert_eq!(r.body, r#"{"id":"7","p":"y"}"#);
        assert_eq!(header(&r, "x-echo"), ["GET-y"]);
    }

    #[test]
    fn templated_randomness_follows_entropy() {
        let s = stub(
            json!({"body": "{{randomValue length=16}}", "transformers": ["response-template"]}),
        );
        assert_eq!(reply_of(&s, 1).body, reply_of(&s, 1).body);
        assert_ne!(reply_of(&s, 1).body, reply_of(&s, 2).body);
    }

    #[test]
    fn compile_errors_have_pointers() {
        let t = |r: Value| {
            let mut r = r;
            r["transformers"] = json!(["response-template"]);
            parse_err(r)
        };
        let e = t(json!({"body": "{{#if x}}open"}));
        assert_eq!(e.pointer, "/response/body");
        assert!(e.message.contains("does not compile"));
        assert_eq!(
            t(json!({"jsonBody": {"a": "{{#each}}"}})).pointer,
            "/response/jsonBody"
        );
        assert_eq!(
            t(json!({"headers": {"X-A": "{{/x}}"}})).pointer,
            "/response/headers/X-A"
        );
        assert_eq!(
            t(json!({"headers": {"X-A": ["ok", "{{#if}}"]}})).pointer,
            "/response/headers/X-A/1"
        );
        assert_eq!(
            t(json!({"bodyFileName": "{{#with a}}"})).pointer,
            "/response/bodyFileName"
        );
        // Not templated: the text is not compiled, so it cannot fail.
        assert!(StubResponse::parse(&json!({"body": "{{#if x}}"}), "/response", &opts()).is_ok());
    }

    #[test]
    fn render_errors_are_500_naming_the_stub() {
        let s = stub(json!({"body": "{{nosuch 'a'}}", "transformers": ["response-template"]}));
        let r = reply_of(&s, 0);
        assert_eq!(r.status, 500);
        assert_eq!(r.why.note, Some("template-error"));
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["stub"], ID);
        assert!(body["detail"].as_str().unwrap().contains("nosuch"));
        let bad_header = stub(
            json!({"headers": {"X-A": "{{request.body}}"}, "transformers": ["response-template"]}),
        );
        let h = HeaderMap::new();
        let mut req = Request::new(&Method::POST, "/", &h);
        req.body = b"a\nb";
        assert_eq!(
            bad_header.response.reply(&bad_header, &req, &[], 0).status,
            500
        );
    }

    #[test]
    fn echoes_its_json() {
        let r = json!({"status": 201, "jsonBody": {"a": 1}, "transformers": ["response-template"]});
        assert_eq!(stub(r.clone()).response.to_json(), r);
    }
}
