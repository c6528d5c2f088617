//! WireMock request patterns (`request` of a stub): what a request must look like for a
//! stub to answer it, and how far a request is from that.
//!
//! Semantics follow WireMock 3.13.2's `RequestPattern`:
//! - The URL is the **raw** path (as sent, not percent-decoded) plus `?` and the raw
//!   query when there is one. `url` compares it whole, `urlPattern` matches a regex
//!   against it whole, `urlPath`/`urlPathPattern` see the path only, `urlPathTemplate`
//!   matches `/contacts/{id}` (a variable is one or more characters other than `/`,
//!   `**` anything) and exposes the raw variable values.
//! - Query parameters are split on `&` and percent-decoded with `+` as a space, except a
//!   value that is already an ISO-8601 offset date-time (WireMock leaves those alone so
//!   `+01:00` survives). Form parameters are read from the body only when the content
//!   type is `application/x-www-form-urlencoded`.
//! - Header names are case-insensitive; a missing header, parameter or cookie is given
//!   to its matcher as absent. Every body pattern must match; an empty body is absent to
//!   the text matchers.
//! - The distance of a near miss is WireMock's weighted sum: the URL weighs 10 and the
//!   method 3 against the always-matching scheme, host, port and client-IP slots
//!   (3 + 10 + 10 + 3); only when URL and method match are path parameters, headers,
//!   query, form, cookies, body (and the unsupported multipart slot) added, weight 1
//!   each. So a request with the right URL and method is always judged on the rest.
//!   String distances are normalised Levenshtein over at most [`crate::distance::DISTANCE_CHARS`]
//!   characters of each side, so one evaluation is bounded work whatever the input.

use std::cell::OnceCell;

use base64::Engine as _;
use serde_json::{Map, Value, json};
use standin_core::Request;
use standin_core::diag::push_pointer;
use standin_core::wire::{form_decode, form_pairs};

use crate::distance::normalised_levenshtein;
use crate::error::StubError;
use crate::matcher::{JavaRegex, MultiValuePattern, ValuePattern};

// WireMock's weights (RequestPattern.match): scheme 3, host 10, port 10, client IP 3,
// URL 10, method 3; then 1 for each of the seven other parts.
const W_URL: f64 = 10.0;
const W_METHOD: f64 = 3.0;
const W_UNUSED_FIRST: f64 = 3.0 + 10.0 + 10.0 + 3.0;
const FIRST_STAGE_WEIGHT: f64 = W_URL + W_METHOD + W_UNUSED_FIRST;
const SECOND_STAGE_PARTS: f64 = 7.0;

/// The result of comparing a request with a pattern.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MatchResult {
    /// Whether every part matched.
    pub matched: bool,
    /// 0.0 for a match, up to 1.0 (WireMock's weighted distance).
    pub distance: f64,
}

/// How the URL is matched.
#[derive(Debug, Clone)]
pub enum UrlMatcher {
    /// No URL given: any URL.
    Any,
    /// `url`: path and query equal to this.
    Url(String),
    /// `urlPattern`: the regex matches path and query whole.
    UrlPattern(JavaRegex, String),
    /// `urlPath`: the path equals this.
    Path(String),
    /// `urlPathPattern`: the regex matches the path whole.
    PathPattern(JavaRegex, String),
    /// `urlPathTemplate`.
    PathTemplate(PathTemplate),
}

impl UrlMatcher {
    /// The literal path this matcher needs, when it needs one (`url`, `urlPath`): the key
    /// of the stub index.
    pub fn literal_path(&self) -> Option<&str> {
        match self {
            UrlMatcher::Url(u) => Some(u.split('?').next().unwrap_or(u)),
            UrlMatcher::Path(p) => Some(p),
            _ => None,
        }
    }

    /// WireMock's JSON key for this matcher, with its text.
    fn key_and_text(&self) -> Option<(&'static str, &str)> {
        match self {
            UrlMatcher::Any => None,
            UrlMatcher::Url(u) => Some(("url", u)),
            UrlMatcher::UrlPattern(_, t) => Some(("urlPattern", t)),
            UrlMatcher::Path(p) => Some(("urlPath", p)),
            UrlMatcher::PathPattern(_, t) => Some(("urlPathPattern", t)),
            UrlMatcher::PathTemplate(t) => Some(("urlPathTemplate", &t.text)),
        }
    }

    /// The URL line of the "not matched" report: `/thing`, `[path] /thing`, `[regex] ..`.
    pub fn printed(&self) -> String {
        match self {
            UrlMatcher::Any => "(always)".to_string(),
            UrlMatcher::Url(u) => u.clone(),
            UrlMatcher::UrlPattern(_, t) => format!("[regex] {t}"),
            UrlMatcher::Path(p) => format!("[path] {p}"),
            UrlMatcher::PathPattern(_, t) => format!("[path regex] {t}"),
            UrlMatcher::PathTemplate(t) => format!("[path template] {}", t.text),
        }
    }

    /// The expected text (for the report's hints about `?` and leading `/`).
    pub fn expected(&self) -> Option<&str> {
        self.key_and_text().map(|(_, t)| t)
    }

    /// Whether this is a regex (`urlPattern`, `urlPathPattern`).
    pub fn is_regex(&self) -> bool {
        matches!(
            self,
            UrlMatcher::UrlPattern(..) | UrlMatcher::PathPattern(..)
        )
    }

    fn is_match(&self, url: &str, path: &str) -> bool {
        match self {
            UrlMatcher::Any => true,
            UrlMatcher::Url(u) => u == url,
            UrlMatcher::UrlPattern(r, _) => r.is_match(url),
            UrlMatcher::Path(p) => p == path,
            UrlMatcher::PathPattern(r, _) => r.is_match(path),
            UrlMatcher::PathTemplate(t) => t.is_match(path),
        }
    }

    fn distance(&self, url: &str, path: &str) -> f64 {
        if self.is_match(url, path) {
            return 0.0;
        }
        match self {
            UrlMatcher::Any => 0.0,
            UrlMatcher::Url(u) => normalised_levenshtein(u, url),
            UrlMatcher::Path(p) => normalised_levenshtein(p, path),
            UrlMatcher::PathTemplate(t) => normalised_levenshtein(&t.without_variables, path),
            UrlMatcher::UrlPattern(..) | UrlMatcher::PathPattern(..) => 1.0,
        }
    }
}

/// One segment of a path template's shape, for the stub index.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A segment that must equal this text.
    Literal(String),
    /// A segment holding at least one variable (any non-empty segment may match; the
    /// template's matcher decides).
    Variable,
}

/// A piece of a compiled path template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    /// Text that must appear as is.
    Literal(String),
    /// `{name}`: one or more characters other than `/`, as many as possible (Java's
    /// greedy `([^/]+)`).
    Variable,
    /// `**`: any characters, as few as possible (Java's lazy `(.*?)`).
    Wildcard,
}

/// A compiled `urlPathTemplate` (`/contacts/{contactId}`, `/files/**`).
///
/// Matched by a small backtracking matcher over its pieces rather than a compiled
/// regex: compiling a regex per template made loading 100,000 templated stubs take
/// seconds, and the pieces give the same answers as WireMock's generated regex.
#[derive(Debug, Clone)]
pub struct PathTemplate {
    /// The template as written.
    pub text: String,
    pieces: Vec<Piece>,
    names: Vec<String>,
    /// The template with every variable replaced by `_` (WireMock's distance basis).
    without_variables: String,
    /// The segments, when every variable sits within one segment and there is no `**`;
    /// `None` puts the stub in the index's fallback list.
    pub shape: Option<Vec<Segment>>,
}

/// How many steps one template match may take: far more than any real path needs,
/// and a bound on adversarial ones (`{a}{b}{c}` against a long segment).
const TEMPLATE_STEPS: usize = 100_000;

impl PathTemplate {
    /// Compiles a template.
    pub fn parse(text: &str) -> Result<PathTemplate, String> {
        // WireMock's grammar: `{name}` (one or more characters other than `}`) or `**`.
        let mut pieces = Vec::new();
        let mut names = Vec::new();
        let mut without = String::new();
        let mut wildcards = 0usize;
        let mut has_wildcard = false;
        let mut var_with_slash = false;
        let mut rest = text;
        let mut literal = String::new();
        let flush = |literal: &mut String, pieces: &mut Vec<Piece>| {
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(literal)));
            }
        };
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{')
                && let Some(end) = after.find('}')
                && end > 0
            {
                let raw = &after[..end];
                flush(&mut literal, &mut pieces);
                pieces.push(Piece::Variable);
                names.push(raw.replace(['.', ';', '*'], ""));
                var_with_slash |= raw.contains('/');
                without.push('_');
                rest = &after[end + 1..];
                continue;
            }
            if let Some(after) = rest.strip_prefix("**") {
                flush(&mut literal, &mut pieces);
                pieces.push(Piece::Wildcard);
                names.push(wildcards.to_string());
                wildcards += 1;
                has_wildcard = true;
                without.push('_');
                rest = after;
                continue;
            }
            let mut chars = rest.chars();
            if let Some(c) = chars.next() {
                literal.push(c);
                without.push(c);
            }
            rest = chars.as_str();
        }
        flush(&mut literal, &mut pieces);
        let shape = if has_wildcard || var_with_slash {
            None
        } else {
            Some(template_shape(text))
        };
        Ok(PathTemplate {
            text: text.to_string(),
            pieces,
            names,
            without_variables: without,
            shape,
        })
    }

    /// Whether `path` fits the template.
    pub fn is_match(&self, path: &str) -> bool {
        let mut caps = Vec::with_capacity(self.names.len());
        let mut steps = 0;
        match_pieces(&self.pieces, path, 0, &mut caps, &mut steps)
    }

    /// The variables of `path` (raw, as WireMock gives them), or `None` if it does not
    /// match.
    pub fn captures(&self, path: &str) -> Option<Vec<(String, String)>> {
        let mut caps = Vec::with_capacity(self.names.len());
        let mut steps = 0;
        if !match_pieces(&self.pieces, path, 0, &mut caps, &mut steps) {
            return None;
        }
        Some(
            self.names
                .iter()
                .zip(caps)
                .map(|(n, (a, b))| (n.clone(), path[a..b].to_string()))
                .collect(),
        )
    }

    /// The variable names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }
}

/// Matches `pieces` against `s[at..]` whole, pushing each variable's byte range.
fn match_pieces(
    pieces: &[Piece],
    s: &str,
    at: usize,
    caps: &mut Vec<(usize, usize)>,
    steps: &mut usize,
) -> bool {
    *steps += 1;
    if *steps > TEMPLATE_STEPS {
        return false;
    }
    let Some((first, rest)) = pieces.split_first() else {
        return at == s.len();
    };
    let tail = &s[at..];
    match first {
        Piece::Literal(text) => {
            tail.starts_with(text.as_str()) && match_pieces(rest, s, at + text.len(), caps, steps)
        }
        Piece::Variable => {
            let max = tail.find('/').unwrap_or(tail.len());
            // Greedy: the longest run first, backing off one character at a time.
            let mut ends: Vec<usize> = tail[..max]
                .char_indices()
                .map(|(i, c)| i + c.len_utf8())
                .collect();
            while let Some(len) = ends.pop() {
                caps.push((at, at + len));
                if match_pieces(rest, s, at + len, caps, steps) {
                    return true;
                }
                caps.pop();
            }
            false
        }
        Piece::Wildcard => {
            // Lazy: the shortest run first.
            let ends = std::iter::once(0).chain(tail.char_indices().map(|(i, c)| i + c.len_utf8()));
            for len in ends {
                caps.push((at, at + len));
                if match_pieces(rest, s, at + len, caps, steps) {
                    return true;
                }
                caps.pop();
            }
            false
        }
    }
}

/// Splits a template into segments: a segment with a `{var}` in it is a variable.
fn template_shape(text: &str) -> Vec<Segment> {
    text.split('/')
        .map(|seg| {
            let has_var = seg
                .find('{')
                .is_some_and(|i| seg[i + 1..].find('}').is_some_and(|j| j > 0));
            if has_var {
                Segment::Variable
            } else {
                Segment::Literal(seg.to_string())
            }
        })
        .collect()
}

/// Which parts of a request a near miss got wrong (for the journal and the report).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The method.
    Method,
    /// The URL.
    Url,
    /// A header.
    Header,
    /// A path template variable.
    PathParameter,
    /// A query parameter.
    Query,
    /// A form field.
    Form,
    /// A cookie.
    Cookie,
    /// A body pattern.
    Body,
}

/// A body pattern and whether it compares bytes (`binaryEqualTo`) rather than text.
#[derive(Debug, Clone)]
pub struct BodyPattern {
    /// The matcher.
    pub pattern: ValuePattern,
    /// `binaryEqualTo`: sees the raw bytes, and an empty body as empty bytes.
    pub binary: bool,
}

/// A parsed `request` of a stub.
#[derive(Debug, Clone)]
pub struct RequestPattern {
    /// How the URL is matched.
    pub url: UrlMatcher,
    /// The method, upper case; `None` for `ANY`.
    pub method: Option<String>,
    /// Header name (as written) → matcher.
    pub headers: Vec<(String, MultiValuePattern)>,
    /// Path template variable → matcher.
    pub path_parameters: Vec<(String, ValuePattern)>,
    /// Query parameter → matcher.
    pub query: Vec<(String, MultiValuePattern)>,
    /// Form field → matcher.
    pub form: Vec<(String, MultiValuePattern)>,
    /// Cookie → matcher.
    pub cookies: Vec<(String, ValuePattern)>,
    /// `basicAuthCredentials` (username, password).
    pub basic_auth: Option<(String, String)>,
    /// Every one must match.
    pub body: Vec<BodyPattern>,
}

impl Default for RequestPattern {
    /// The pattern of a stub without `request`: anything.
    fn default() -> Self {
        RequestPattern {
            url: UrlMatcher::Any,
            method: None,
            headers: Vec::new(),
            path_parameters: Vec::new(),
            query: Vec::new(),
            form: Vec::new(),
            cookies: Vec::new(),
            basic_auth: None,
            body: Vec::new(),
        }
    }
}

/// The request seen by patterns, with the parts that need parsing (URL, query, form,
/// cookies, body text) computed once however many stubs look at them.
pub(crate) struct View<'r, 'a> {
    pub(crate) req: &'r Request<'a>,
    url: OnceCell<String>,
    query: OnceCell<Vec<(String, String)>>,
    form: OnceCell<Vec<(String, String)>>,
    cookies: OnceCell<Vec<(String, String)>>,
    body_text: OnceCell<Option<String>>,
}

impl<'r, 'a> View<'r, 'a> {
    pub(crate) fn new(req: &'r Request<'a>) -> Self {
        View {
            req,
            url: OnceCell::new(),
            query: OnceCell::new(),
            form: OnceCell::new(),
            cookies: OnceCell::new(),
            body_text: OnceCell::new(),
        }
    }

    /// Path and query, raw, as WireMock's `request.getUrl()`.
    pub(crate) fn url(&self) -> &str {
        self.url.get_or_init(|| match self.req.query {
            Some(q) if !q.is_empty() => format!("{}?{q}", self.req.path),
            _ => self.req.path.to_string(),
        })
    }

    pub(crate) fn query(&self) -> &[(String, String)] {
        self.query
            .get_or_init(|| self.req.query.map(split_query).unwrap_or_default())
    }

    pub(crate) fn form(&self) -> &[(String, String)] {
        self.form.get_or_init(|| {
            let form_type = self
                .req
                .headers
                .get_all(http::header::CONTENT_TYPE)
                .iter()
                .next()
                .and_then(|v| v.to_str().ok())
                .is_some_and(|ct| ct.contains("application/x-www-form-urlencoded"));
            if form_type {
                // Empty elements are skipped, as Jetty does.
                form_pairs(Some(&String::from_utf8_lossy(self.req.body)))
            } else {
                Vec::new()
            }
        })
    }

    pub(crate) fn cookies(&self) -> &[(String, String)] {
        self.cookies.get_or_init(|| {
            let mut out = Vec::new();
            for v in self.req.headers.get_all(http::header::COOKIE) {
                let text = String::from_utf8_lossy(v.as_bytes());
                for pair in text.split(';') {
                    let pair = pair.trim();
                    if pair.is_empty() {
                        continue;
                    }
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    let v = v.trim();
                    let v = v
                        .strip_prefix('"')
                        .and_then(|x| x.strip_suffix('"'))
                        .unwrap_or(v);
                    out.push((k.trim().to_string(), v.to_string()));
                }
            }
            out
        })
    }

    /// The body as text; `None` when empty (WireMock gives text matchers `null` then).
    pub(crate) fn body_text(&self) -> Option<&str> {
        self.body_text
            .get_or_init(|| {
                (!self.req.body.is_empty())
                    .then(|| String::from_utf8_lossy(self.req.body).into_owned())
            })
            .as_deref()
    }

    pub(crate) fn header_values(&self, name: &str) -> Vec<String> {
        self.req
            .headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect()
    }
}

/// All values of `key` in decoded pairs.
pub(crate) fn values_of<'p>(pairs: &'p [(String, String)], key: &str) -> Vec<&'p str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

/// Splits a raw query string into decoded pairs (WireMock's `Urls.splitQuery`).
pub fn split_query(query: &str) -> Vec<(String, String)> {
    if query.is_empty() {
        return Vec::new();
    }
    query
        .split('&')
        .map(|element| match element.split_once('=') {
            None => (decode_query_part(element), String::new()),
            Some((k, v)) => (decode_query_part(k), decode_query_part(v)),
        })
        .collect()
}

fn decode_query_part(raw: &str) -> String {
    if is_iso_offset_date_time(raw) {
        raw.to_string()
    } else {
        form_decode(raw)
    }
}

/// `2024-01-02T03:04:05+01:00` and friends (Java's ISO_OFFSET_DATE_TIME): seconds and
/// fractions optional, an offset (`Z` or `±hh:mm`) required.
fn is_iso_offset_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    if b.len() < 17
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !matches!(b[10], b'T' | b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
    {
        return false;
    }
    let mut i = 16;
    if b.get(i) == Some(&b':') {
        if !digits(i + 1..i + 3) {
            return false;
        }
        i += 3;
        if b.get(i) == Some(&b'.') {
            let start = i + 1;
            i = start;
            while b.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
            if i == start || i - start > 9 {
                return false;
            }
        }
    }
    match b.get(i) {
        Some(b'Z') | Some(b'z') => i + 1 == b.len(),
        Some(b'+') | Some(b'-') => {
            digits(i + 1..i + 3)
                && b.get(i + 3) == Some(&b':')
                && digits(i + 4..i + 6)
                && i + 6 == b.len()
        }
        _ => false,
    }
}

/// A running average of part distances (WireMock's `MatchResult.aggregate`).
struct Aggregate {
    matched: bool,
    total: f64,
    count: usize,
}

impl Aggregate {
    fn new() -> Self {
        Aggregate {
            matched: true,
            total: 0.0,
            count: 0,
        }
    }
    fn add(&mut self, matched: bool, distance: f64) {
        self.matched &= matched;
        self.total += if matched { 0.0 } else { distance };
        self.count += 1;
    }
    fn distance(&self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            self.total / self.count as f64
        }
    }
}

/// Reads an optional JSON object of `name → matcher`.
fn parse_map<T>(
    req: &Map<String, Value>,
    key: &str,
    pointer: &str,
    parse: impl Fn(&Value, &str) -> Result<T, StubError>,
) -> Result<Vec<(String, T)>, StubError> {
    let here = push_pointer(pointer, key);
    match req.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Object(m)) => m
            .iter()
            .map(|(name, v)| Ok((name.clone(), parse(v, &push_pointer(&here, name))?)))
            .collect(),
        Some(_) => Err(StubError::new(
            here,
            format!("`{key}` must be an object of name → matcher"),
        )),
    }
}

fn string_field<'v>(
    req: &'v Map<String, Value>,
    key: &str,
    pointer: &str,
) -> Result<Option<&'v str>, StubError> {
    match req.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(StubError::new(
            push_pointer(pointer, key),
            format!("`{key}` must be a string"),
        )),
    }
}

/// Compiles a WireMock (Java) regex so it must match the whole value. WireMock's URL
/// patterns are `java.util.regex` patterns like those of `matches`, so they get the same
/// translation (lookaround, `\Q…\E`, POSIX classes, DOTALL).
fn whole_regex(text: &str, pointer: &str) -> Result<JavaRegex, StubError> {
    JavaRegex::whole(text)
        .map_err(|e| StubError::new(pointer, format!("invalid regular expression: {e}")))
}

impl RequestPattern {
    /// Parses a stub's `request` at `pointer` (`/request`, `/mappings/3/request`).
    pub fn parse(v: &Value, pointer: &str) -> Result<RequestPattern, StubError> {
        let req = match v {
            Value::Null => return Ok(RequestPattern::default()),
            Value::Object(m) => m,
            _ => return Err(StubError::new(pointer, "`request` must be an object")),
        };
        let url_keys = [
            "url",
            "urlPattern",
            "urlPath",
            "urlPathPattern",
            "urlPathTemplate",
        ];
        let given: Vec<&str> = url_keys
            .iter()
            .copied()
            .filter(|k| !matches!(req.get(*k), None | Some(Value::Null)))
            .collect();
        if given.len() > 1 {
            return Err(StubError::new(
                push_pointer(pointer, given[1]),
                format!(
                    "only one URL matcher may be given, found {}",
                    given.join(" and ")
                ),
            ));
        }
        let url = match given.first() {
            None => UrlMatcher::Any,
            Some(&key) => {
                let here = push_pointer(pointer, key);
                let text = string_field(req, key, pointer)?.unwrap_or_default();
                match key {
                    "url" => UrlMatcher::Url(text.to_string()),
                    "urlPattern" => {
                        UrlMatcher::UrlPattern(whole_regex(text, &here)?, text.to_string())
                    }
                    "urlPath" => UrlMatcher::Path(text.to_string()),
                    "urlPathPattern" => {
                        UrlMatcher::PathPattern(whole_regex(text, &here)?, text.to_string())
                    }
                    _ => UrlMatcher::PathTemplate(
                        PathTemplate::parse(text).map_err(|m| StubError::new(here, m))?,
                    ),
                }
            }
        };
        let method = match req.get("method") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) if m.eq_ignore_ascii_case("ANY") => None,
            Some(Value::String(m))
                if !m.is_empty()
                    && m.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
            {
                Some(m.to_ascii_uppercase())
            }
            Some(other) => {
                return Err(StubError::new(
                    push_pointer(pointer, "method"),
                    format!("`method` must be an HTTP method name or \"ANY\", got {other}"),
                ));
            }
        };
        let headers = parse_map(req, "headers", pointer, MultiValuePattern::parse)?;
        let path_parameters = parse_map(req, "pathParameters", pointer, ValuePattern::parse)?;
        if !path_parameters.is_empty() {
            match &url {
                UrlMatcher::PathTemplate(t) => {
                    if let Some((name, _)) =
                        path_parameters.iter().find(|(n, _)| !t.names.contains(n))
                    {
                        return Err(StubError::new(
                            push_pointer(&push_pointer(pointer, "pathParameters"), name),
                            format!(
                                "`{name}` is not a variable of the urlPathTemplate {:?}",
                                t.text
                            ),
                        ));
                    }
                }
                _ => {
                    return Err(StubError::new(
                        push_pointer(pointer, "pathParameters"),
                        "`pathParameters` needs a `urlPathTemplate`",
                    ));
                }
            }
        }
        let query = parse_map(req, "queryParameters", pointer, MultiValuePattern::parse)?;
        let form = parse_map(req, "formParameters", pointer, MultiValuePattern::parse)?;
        let cookies = parse_map(req, "cookies", pointer, ValuePattern::parse)?;
        let auth_key = if req
            .get("basicAuthCredentials")
            .is_some_and(|v| !v.is_null())
        {
            Some("basicAuthCredentials")
        } else if req.get("basicAuth").is_some_and(|v| !v.is_null()) {
            Some("basicAuth")
        } else {
            None
        };
        let basic_auth = match auth_key {
            None => None,
            Some(key) => {
                let here = push_pointer(pointer, key);
                let creds = req[key].as_object().ok_or_else(|| {
                    StubError::new(
                        &here,
                        format!("`{key}` must be an object with username and password"),
                    )
                })?;
                let field = |f: &str| -> Result<String, StubError> {
                    creds
                        .get(f)
                        .and_then(Value::as_str)
                        .map(str::to_string)
                        .ok_or_else(|| {
                            StubError::new(
                                push_pointer(&here, f),
                                format!("`{f}` must be a string"),
                            )
                        })
                };
                Some((field("username")?, field("password")?))
            }
        };
        let body = match req.get("bodyPatterns") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => {
                let here = push_pointer(pointer, "bodyPatterns");
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let at = push_pointer(&here, &i.to_string());
                        Ok(BodyPattern {
                            pattern: ValuePattern::parse(item, &at)?,
                            binary: item.get("binaryEqualTo").is_some(),
                        })
                    })
                    .collect::<Result<_, StubError>>()?
            }
            Some(_) => {
                return Err(StubError::new(
                    push_pointer(pointer, "bodyPatterns"),
                    "`bodyPatterns` must be an array of matchers",
                ));
            }
        };
        for unsupported in ["multipartPatterns", "customMatcher"] {
            if req
                .get(unsupported)
                .is_some_and(|v| !v.is_null() && v != &json!([]))
            {
                return Err(StubError::new(
                    push_pointer(pointer, unsupported),
                    format!(
                        "`{unsupported}` is not supported; the stub would match more than it says"
                    ),
                ));
            }
        }
        Ok(RequestPattern {
            url,
            method,
            headers,
            path_parameters,
            query,
            form,
            cookies,
            basic_auth,
            body,
        })
    }

    /// The `Authorization` value `basicAuthCredentials` stands for.
    pub fn basic_auth_header(&self) -> Option<String> {
        self.basic_auth.as_ref().map(|(u, p)| {
            format!(
                "Basic {}",
                base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
            )
        })
    }

    /// Whether `req` matches, as cheaply as possible (stops at the first part that fails).
    pub fn matches(&self, req: &Request<'_>) -> bool {
        // Date matchers read "now" from the request's arrival time.
        crate::date::with_now(req.now_unix_ms, || self.matches_view(&View::new(req)))
    }

    pub(crate) fn matches_view(&self, view: &View<'_, '_>) -> bool {
        let req = view.req;
        if !self.method_matches(req) {
            return false;
        }
        if !self.url.is_match(view.url(), req.path) {
            return false;
        }
        if !self.path_parameters.is_empty() {
            let vars = self.path_vars(req);
            if !self
                .path_parameters
                .iter()
                .all(|(n, p)| p.matches(lookup(&vars, n)))
            {
                return false;
            }
        }
        for (name, p) in &self.headers {
            let values = view.header_values(name);
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            if !p.matches(&refs) {
                return false;
            }
        }
        if let Some(expected) = self.basic_auth_header()
            && basic_auth_distance(&expected, &view.header_values("authorization")) != 0.0
        {
            return false;
        }
        for (name, p) in &self.query {
            if !p.matches(&values_of(view.query(), name)) {
                return false;
            }
        }
        for (name, p) in &self.form {
            if !p.matches(&values_of(view.form(), name)) {
                return false;
            }
        }
        for (name, p) in &self.cookies {
            if !cookie_result(p, &values_of(view.cookies(), name)).0 {
                return false;
            }
        }
        self.body.iter().all(|b| body_result(b, view).0)
    }

    fn method_matches(&self, req: &Request<'_>) -> bool {
        match &self.method {
            None => true,
            Some(m) if m == "GET_OR_HEAD" => matches!(req.method.as_str(), "GET" | "HEAD"),
            Some(m) => req.method.as_str().eq_ignore_ascii_case(m),
        }
    }

    /// Whether `req` matches, and how far it is (WireMock's weighting; see the module doc).
    pub fn evaluate(&self, req: &Request<'_>) -> MatchResult {
        crate::date::with_now(req.now_unix_ms, || self.evaluate_view(&View::new(req)).0)
    }

    /// The result and the parts that did not match.
    pub(crate) fn evaluate_view(&self, view: &View<'_, '_>) -> (MatchResult, Vec<(Part, String)>) {
        let req = view.req;
        let mut wrong = Vec::new();
        let url_d = self.url.distance(view.url(), req.path);
        let method_ok = self.method_matches(req);
        if url_d != 0.0 || !self.url.is_match(view.url(), req.path) {
            wrong.push((Part::Url, String::new()));
        }
        if !method_ok {
            wrong.push((Part::Method, String::new()));
        }
        if !wrong.is_empty() {
            let d =
                (W_URL * url_d + W_METHOD * if method_ok { 0.0 } else { 1.0 }) / FIRST_STAGE_WEIGHT;
            return (
                MatchResult {
                    matched: false,
                    distance: d,
                },
                wrong,
            );
        }

        let mut total = 0.0;
        let mut part = |agg: Aggregate| total += agg.distance();

        let mut pp = Aggregate::new();
        if !self.path_parameters.is_empty() {
            let vars = self.path_vars(req);
            for (n, p) in &self.path_parameters {
                let v = lookup(&vars, n);
                let ok = p.matches(v);
                pp.add(ok, if ok { 0.0 } else { p.distance(v) });
                if !ok {
                    wrong.push((Part::PathParameter, n.clone()));
                }
            }
        }
        part(pp);

        let mut headers = Aggregate::new();
        for (name, p) in &self.headers {
            let values = view.header_values(name);
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            let ok = p.matches(&refs);
            headers.add(ok, if ok { 0.0 } else { p.distance(&refs) });
            if !ok {
                wrong.push((Part::Header, name.clone()));
            }
        }
        if let Some(expected) = self.basic_auth_header() {
            let d = basic_auth_distance(&expected, &view.header_values("authorization"));
            headers.add(d == 0.0, d);
            if d != 0.0 {
                wrong.push((Part::Header, "Authorization".to_string()));
            }
        }
        part(headers);

        for (kind, fields, pairs) in [
            (Part::Query, &self.query, view.query()),
            (Part::Form, &self.form, view.form()),
        ] {
            let mut agg = Aggregate::new();
            for (name, p) in fields {
                let values = values_of(pairs, name);
                let ok = p.matches(&values);
                agg.add(ok, if ok { 0.0 } else { p.distance(&values) });
                if !ok {
                    wrong.push((kind, name.clone()));
                }
            }
            part(agg);
        }

        let mut cookies = Aggregate::new();
        for (name, p) in &self.cookies {
            let (ok, d) = cookie_result(p, &values_of(view.cookies(), name));
            cookies.add(ok, d);
            if !ok {
                wrong.push((Part::Cookie, name.clone()));
            }
        }
        part(cookies);

        let mut body = Aggregate::new();
        for b in &self.body {
            let (ok, d) = body_result(b, view);
            body.add(ok, d);
            if !ok && !wrong.iter().any(|(p, _)| *p == Part::Body) {
                wrong.push((Part::Body, String::new()));
            }
        }
        part(body);

        // The multipart slot: always an exact match here (multipart patterns are refused
        // at parse), but it counts in WireMock's denominator.
        let distance = total / (FIRST_STAGE_WEIGHT + SECOND_STAGE_PARTS);
        (
            MatchResult {
                matched: wrong.is_empty(),
                distance,
            },
            wrong,
        )
    }

    /// The `urlPathTemplate` variables of `req` (raw), empty for other URL kinds or when
    /// the path does not fit the template.
    pub fn path_vars(&self, req: &Request<'_>) -> Vec<(String, String)> {
        match &self.url {
            UrlMatcher::PathTemplate(t) => t.captures(req.path).unwrap_or_default(),
            _ => Vec::new(),
        }
    }

    /// WireMock's JSON shape of this pattern (`method` is `ANY` when none was given).
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        if let Some((key, text)) = self.url.key_and_text() {
            out.insert(key.to_string(), Value::String(text.to_string()));
        }
        out.insert(
            "method".to_string(),
            Value::String(self.method.clone().unwrap_or_else(|| "ANY".to_string())),
        );
        let multi = |items: &[(String, MultiValuePattern)]| {
            Value::Object(
                items
                    .iter()
                    .map(|(k, p)| (k.clone(), p.to_json()))
                    .collect(),
            )
        };
        let single = |items: &[(String, ValuePattern)]| {
            Value::Object(
                items
                    .iter()
                    .map(|(k, p)| (k.clone(), p.to_json()))
                    .collect(),
            )
        };
        if !self.headers.is_empty() {
            out.insert("headers".into(), multi(&self.headers));
        }
        if !self.path_parameters.is_empty() {
            out.insert("pathParameters".into(), single(&self.path_parameters));
        }
        if !self.query.is_empty() {
            out.insert("queryParameters".into(), multi(&self.query));
        }
        if !self.form.is_empty() {
            out.insert("formParameters".into(), multi(&self.form));
        }
        if !self.cookies.is_empty() {
            out.insert("cookies".into(), single(&self.cookies));
        }
        if let Some((u, p)) = &self.basic_auth {
            out.insert(
                "basicAuthCredentials".into(),
                json!({"username": u, "password": p}),
            );
        }
        if !self.body.is_empty() {
            out.insert(
                "bodyPatterns".into(),
                Value::Array(self.body.iter().map(|b| b.pattern.to_json()).collect()),
            );
        }
        Value::Object(out)
    }
}

fn lookup<'v>(vars: &'v [(String, String)], name: &str) -> Option<&'v str> {
    vars.iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// `Basic ` (any case) then exactly the encoded credentials; distance to the closest
/// `Authorization` value.
fn basic_auth_distance(expected: &str, values: &[String]) -> f64 {
    let encoded = &expected["Basic ".len()..];
    let mut best = 1.0f64;
    for v in values {
        if v.len() >= 6
            && v.is_char_boundary(6)
            && v[..6].eq_ignore_ascii_case("Basic ")
            && &v[6..] == encoded
        {
            return 0.0;
        }
        best = best.min(normalised_levenshtein(expected, v).max(f64::MIN_POSITIVE));
    }
    best
}

/// A cookie: absent goes to the matcher as absent; otherwise the best of its values.
fn cookie_result(p: &ValuePattern, values: &[&str]) -> (bool, f64) {
    if values.is_empty() {
        let ok = p.matches(None);
        return (ok, if ok { 0.0 } else { 1.0 });
    }
    if values.iter().any(|v| p.matches(Some(v))) {
        return (true, 0.0);
    }
    let d = values
        .iter()
        .map(|v| p.distance(Some(v)))
        .fold(1.0f64, f64::min);
    (false, d)
}

fn body_result(b: &BodyPattern, view: &View<'_, '_>) -> (bool, f64) {
    if b.binary {
        let ok = b.pattern.matches_bytes(view.req.body);
        return (ok, if ok { 0.0 } else { 1.0 });
    }
    let text = view.body_text();
    let ok = b.pattern.matches(text);
    (ok, if ok { 0.0 } else { b.pattern.distance(text) })
}

/// Requests for unit tests, owned so tests can borrow a [`Request`] from them.
#[cfg(test)]
pub(crate) mod test_support {
    use http::{HeaderMap, HeaderName, HeaderValue, Method};
    use standin_core::Request;

    pub(crate) struct Asked {
        method: Method,
        path: String,
        query: Option<String>,
        headers: HeaderMap,
        body: Vec<u8>,
    }

    /// `url` is the raw path with an optional `?query`.
    pub(crate) fn asked(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> Asked {
        let (path, query) = match url.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (url.to_string(), None),
        };
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.append(
                HeaderName::from_bytes(k.as_bytes()).expect("test header name"),
                HeaderValue::from_str(v).expect("test header value"),
            );
        }
        Asked {
            method: Method::from_bytes(method.as_bytes()).expect("test method"),
            path,
            query,
            headers: map,
            body: body.as_bytes().to_vec(),
        }
    }

    impl Asked {
        pub(crate) fn req(&self) -> Request<'_> {
            Request {
                method: &self.method,
                path: &self.path,
                query: self.query.as_deref(),
                headers: &self.headers,
                body: &self.body,
                now_unix_ms: 0,
                peer: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::asked;
    use super::*;

    fn pattern(v: Value) -> RequestPattern {
        RequestPattern::parse(&v, "/request").expect("test pattern parses")
    }

    fn hit(p: &RequestPattern, method: &str, url: &str) -> bool {
        let a = asked(method, url, &[], "");
        let by_fast_path = p.matches(&a.req());
        let by_evaluation = p.evaluate(&a.req()).matched;
        assert_eq!(by_fast_path, by_evaluation, "{method} {url}");
        by_fast_path
    }

    #[test]
    fn url_compares_path_and_query_raw() {
        let p = pattern(json!({"url": "/a%20b?x=1"}));
        assert!(hit(&p, "GET", "/a%20b?x=1"));
        assert!(!hit(&p, "GET", "/a%20b"));
        assert!(!hit(&p, "GET", "/a b?x=1"));
        assert!(!hit(&p, "GET", "/a%20b?x=1&y=2"));
        let bare = pattern(json!({"url": "/a"}));
        assert!(hit(&bare, "GET", "/a?"), "an empty query is no query");
    }

    #[test]
    fn url_pattern_matches_path_and_query_whole() {
        let p = pattern(json!({"urlPattern": "/m/rx/[0-9]+"}));
        assert!(hit(&p, "GET", "/m/rx/123"));
        assert!(!hit(&p, "GET", "/m/rx/123?x=1"));
        assert!(!hit(&p, "GET", "/x/m/rx/123"));
    }

    #[test]
    fn url_regexes_are_java_regexes() {
        let look = pattern(json!({"urlPathPattern": "/r/(?!admin)[a-z]+"}));
        assert!(hit(&look, "GET", "/r/users"));
        assert!(!hit(&look, "GET", "/r/admin"));
        let quoted = pattern(json!({"urlPattern": "\\Q/r/a.b?x=\\E[0-9]+"}));
        assert!(hit(&quoted, "GET", "/r/a.b?x=12"));
        assert!(!hit(&quoted, "GET", "/r/aXb?x=12"));
        let posix = pattern(json!({"urlPathPattern": "/r/\\p{Alpha}+"}));
        assert!(hit(&posix, "GET", "/r/abc"));
        assert!(!hit(&posix, "GET", "/r/ab1"));
        let bad = RequestPattern::parse(&json!({"urlPattern": "/(unclosed"}), "/request")
            .expect_err("a bad regex is an error");
        assert_eq!(bad.pointer, "/request/urlPattern");
        assert!(bad.message.contains("/(unclosed"), "{}", bad.message);
    }

    #[test]
    fn url_path_and_url_path_pattern_ignore_the_query() {
        let p = pattern(json!({"urlPath": "/things"}));
        assert!(hit(&p, "GET", "/things?a=1"));
        assert!(!hit(&p, "GET", "/things/1"));
        let r = pattern(json!({"urlPathPattern": "/things/[0-9]+"}));
        assert!(hit(&r, "GET", "/things/12?a=b"));
        assert!(!hit(&r, "GET", "/things/12x"));
    }

    #[test]
    fn url_path_template_binds_variables_and_checks_path_parameters() {
        let p = pattern(
            json!({"urlPathTemplate": "/contacts/{contactId}/notes/{noteId}",
            "pathParameters": {"contactId": {"matches": "[0-9]+"}}}),
        );
        assert!(hit(&p, "GET", "/contacts/12/notes/a?x=1"));
        assert!(!hit(&p, "GET", "/contacts/ab/notes/a"));
        assert!(!hit(&p, "GET", "/contacts/12/notes/"));
        assert!(!hit(&p, "GET", "/contacts/1/2/notes/a"));
        let a = asked("GET", "/contacts/12/notes/n%201", &[], "");
        assert_eq!(
            p.path_vars(&a.req()),
            vec![
                ("contactId".to_string(), "12".to_string()),
                ("noteId".to_string(), "n%201".to_string())
            ]
        );
        let wild = pattern(json!({"urlPathTemplate": "/files/**"}));
        assert!(hit(&wild, "GET", "/files/a/b/c"));
        assert!(matches!(&wild.url, UrlMatcher::PathTemplate(t) if t.shape.is_none()));
    }

    #[test]
    fn templates_bind_like_wiremocks_regex() {
        let t = PathTemplate::parse("/f/{name}.{ext}").expect("compiles");
        assert_eq!(
            t.captures("/f/a.b.json"),
            Some(vec![
                ("name".into(), "a.b".into()),
                ("ext".into(), "json".into())
            ]),
            "a variable is greedy"
        );
        let w = PathTemplate::parse("/x/**/y/{id}").expect("compiles");
        assert_eq!(
            w.captures("/x/1/y/2/y/3"),
            Some(vec![
                ("0".into(), "1/y/2".into()),
                ("id".into(), "3".into())
            ]),
            "a wildcard is lazy but the variable cannot hold a slash"
        );
        assert!(!t.is_match("/f/.json"));
        assert!(
            PathTemplate::parse("/{a}{b}{c}{d}{e}{f}/z")
                .expect("compiles")
                .captures(&format!("/{}", "q".repeat(5000)))
                .is_none()
        );
    }

    #[test]
    fn no_url_matches_any_url_and_any_method() {
        let p = pattern(json!({}));
        assert!(hit(&p, "DELETE", "/whatever?x"));
        let any = pattern(json!({"method": "ANY", "url": "/x"}));
        assert!(hit(&any, "PATCH", "/x"));
        let get = pattern(json!({"method": "GET", "url": "/x"}));
        assert!(!hit(&get, "POST", "/x"));
        assert_eq!(pattern(json!({"url": "/x"})).to_json()["method"], "ANY");
    }

    #[test]
    fn header_names_are_case_insensitive() {
        let p = pattern(json!({"headers": {"X-Id": {"equalTo": "7"}}}));
        assert!(p.matches(&asked("GET", "/", &[("x-id", "7")], "").req()));
        assert!(!p.matches(&asked("GET", "/", &[("x-id", "8")], "").req()));
        assert!(!p.matches(&asked("GET", "/", &[], "").req()));
        let absent = pattern(json!({"headers": {"X-Id": {"absent": true}}}));
        assert!(absent.matches(&asked("GET", "/", &[], "").req()));
        assert!(!absent.matches(&asked("GET", "/", &[("X-ID", "1")], "").req()));
    }

    #[test]
    fn query_parameters_are_decoded_with_plus_as_space() {
        let p = pattern(json!({"urlPath": "/s", "queryParameters": {"q": {"equalTo": "a b&c"}}}));
        assert!(hit(&p, "GET", "/s?q=a+b%26c"));
        assert!(hit(&p, "GET", "/s?q=a%20b%26c"));
        assert!(!hit(&p, "GET", "/s?q=a+bc"));
        let date =
            pattern(json!({"queryParameters": {"at": {"equalTo": "2024-01-02T03:04:05+01:00"}}}));
        assert!(
            hit(&date, "GET", "/?at=2024-01-02T03:04:05+01:00"),
            "offset date-times stay undecoded"
        );
        assert_eq!(
            split_query("a&b=&=c"),
            vec![
                ("a".to_string(), String::new()),
                ("b".to_string(), String::new()),
                (String::new(), "c".to_string())
            ]
        );
    }

    #[test]
    fn has_exactly_and_includes_see_every_value() {
        let exactly = pattern(
            json!({"queryParameters": {"id": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}}}),
        );
        assert!(hit(&exactly, "GET", "/?id=2&id=1"));
        assert!(!hit(&exactly, "GET", "/?id=1&id=2&id=3"));
        assert!(!hit(&exactly, "GET", "/?id=1"));
        let includes = pattern(
            json!({"queryParameters": {"id": {"includes": [{"equalTo": "1"}, {"equalTo": "2"}]}}}),
        );
        assert!(hit(&includes, "GET", "/?id=1&id=2&id=3"));
        assert!(!hit(&includes, "GET", "/?id=1&id=3"));
        let single = pattern(json!({"queryParameters": {"id": {"equalTo": "3"}}}));
        assert!(
            hit(&single, "GET", "/?id=1&id=3"),
            "one matching value is enough"
        );
    }

    #[test]
    fn form_parameters_are_read_from_form_bodies_only() {
        let p = pattern(json!({"formParameters": {"name": {"equalTo": "Ann Lee"}}}));
        let form = [(
            "Content-Type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )];
        assert!(p.matches(&asked("POST", "/", &form, "a=1&name=Ann+Lee").req()));
        assert!(!p.matches(&asked("POST", "/", &form, "name=Bob").req()));
        let text = [("Content-Type", "text/plain")];
        assert!(!p.matches(&asked("POST", "/", &text, "name=Ann+Lee").req()));
    }

    #[test]
    fn cookies_are_matched_by_name() {
        let p = pattern(json!({"cookies": {"session": {"matches": "s-[0-9]+"}}}));
        assert!(p.matches(&asked("GET", "/", &[("Cookie", "a=1; session=s-42")], "").req()));
        assert!(!p.matches(&asked("GET", "/", &[("Cookie", "session=x")], "").req()));
        assert!(!p.matches(&asked("GET", "/", &[], "").req()));
    }

    #[test]
    fn basic_auth_is_read_under_both_names_and_echoed_as_credentials() {
        for key in ["basicAuthCredentials", "basicAuth"] {
            let p = pattern(json!({key: {"username": "ann", "password": "pw"}}));
            // base64("ann:pw") = "YW5uOnB3"
            assert!(
                p.matches(&asked("GET", "/", &[("Authorization", "Basic YW5uOnB3")], "").req())
            );
            assert!(
                p.matches(&asked("GET", "/", &[("Authorization", "basic YW5uOnB3")], "").req())
            );
            assert!(!p.matches(&asked("GET", "/", &[("Authorization", "Basic eA==")], "").req()));
            assert!(!p.matches(&asked("GET", "/", &[], "").req()));
            assert_eq!(
                p.to_json()["basicAuthCredentials"],
                json!({"username": "ann", "password": "pw"})
            );
        }
    }

    #[test]
    fn every_body_pattern_must_match_and_an_empty_body_is_absent() {
        let p = pattern(json!({"bodyPatterns": [{"contains": "a"}, {"contains": "b"}]}));
        assert!(p.matches(&asked("POST", "/", &[], "ab").req()));
        assert!(!p.matches(&asked("POST", "/", &[], "a").req()));
        let absent = pattern(json!({"bodyPatterns": [{"absent": true}]}));
        assert!(absent.matches(&asked("POST", "/", &[], "").req()));
        assert!(!absent.matches(&asked("POST", "/", &[], "x").req()));
    }

    #[test]
    fn distance_weighs_url_and_method_first() {
        let p =
            pattern(json!({"method": "GET", "url": "/thing", "headers": {"X": {"equalTo": "1"}}}));
        let url = p.evaluate(&asked("GET", "/thin", &[("X", "1")], "").req());
        assert!(!url.matched);
        assert!(
            (url.distance - 10.0 * (1.0 / 6.0) / 39.0).abs() < 1e-9,
            "{}",
            url.distance
        );
        let method = p.evaluate(&asked("POST", "/thing", &[("X", "1")], "").req());
        assert!(
            (method.distance - 3.0 / 39.0).abs() < 1e-9,
            "{}",
            method.distance
        );
        let header = p.evaluate(&asked("GET", "/thing", &[], "").req());
        assert!(!header.matched);
        assert!(
            header.distance > 0.0 && header.distance <= 1.0 / 46.0 + 1e-9,
            "{}",
            header.distance
        );
        let exact = p.evaluate(&asked("GET", "/thing", &[("X", "1")], "").req());
        assert_eq!(
            exact,
            MatchResult {
                matched: true,
                distance: 0.0
            }
        );
    }

    #[test]
    fn distance_is_bounded_work_on_huge_urls() {
        let p = pattern(json!({"url": "/a"}));
        let long = format!("/{}", "x".repeat(1_000_000));
        // Levenshtein over a million characters would take minutes; capped, it is
        // the distance of the first 256.
        let r = p.evaluate(&asked("GET", &long, &[], "").req());
        assert!(!r.matched && r.distance > 0.0);
        assert!(normalised_levenshtein("kitten", "sitting") - 3.0 / 7.0 < 1e-9);
    }

    #[test]
    fn bad_patterns_say_where() {
        let err = |v: Value| RequestPattern::parse(&v, "/request").expect_err("must fail");
        assert_eq!(
            err(json!({"url": "/a", "urlPath": "/b"})).pointer,
            "/request/urlPath"
        );
        assert_eq!(
            err(json!({"urlPattern": "("})).pointer,
            "/request/urlPattern"
        );
        assert_eq!(err(json!({"url": 3})).pointer, "/request/url");
        assert_eq!(err(json!({"method": 3})).pointer, "/request/method");
        assert_eq!(
            err(json!({"urlPath": "/a", "pathParameters": {"id": {"equalTo": "1"}}})).pointer,
            "/request/pathParameters"
        );
        assert_eq!(
            err(
                json!({"urlPathTemplate": "/a/{id}", "pathParameters": {"other": {"equalTo": "1"}}})
            )
            .pointer,
            "/request/pathParameters/other"
        );
        assert_eq!(err(json!({"headers": []})).pointer, "/request/headers");
        assert_eq!(
            err(json!({"bodyPatterns": {}})).pointer,
            "/request/bodyPatterns"
        );
        assert_eq!(
            err(json!({"basicAuth": {"username": "a"}})).pointer,
            "/request/basicAuth/password"
        );
        assert_eq!(
            err(json!({"multipartPatterns": [{}]})).pointer,
            "/request/multipartPatterns"
        );
        assert_eq!(err(json!("x")).pointer, "/request");
    }

    #[test]
    fn echoes_wiremock_json() {
        let v = json!({"urlPathTemplate": "/c/{id}", "method": "post",
            "pathParameters": {"id": {"equalTo": "1"}},
            "queryParameters": {"q": {"contains": "x"}}, "cookies": {"c": {"equalTo": "v"}}});
        let out = pattern(v).to_json();
        assert_eq!(out["urlPathTemplate"], "/c/{id}");
        assert_eq!(out["method"], "POST");
        assert_eq!(out["pathParameters"]["id"]["equalTo"], "1");
        assert_eq!(out["queryParameters"]["q"]["contains"], "x");
        assert_eq!(out["cookies"]["c"]["equalTo"], "v");
    }
}
