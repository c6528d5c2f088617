//! Saved examples: request/response pairs from Postman collections and HAR recordings,
//! and how a request is matched to one.
//!
//! This module owns the compiled form of both kinds ([`Example`], [`HarEntry`]), the
//! Postman matching algorithm (method, then the `x-mock-*` narrowing, then a score:
//! the URL ladder, the query, optional headers and body), the reply built from the
//! winner, and the near-miss report when nothing wins. HAR matching (Playwright's
//! rules) is in [`har`]; the Postman dynamic variables (`{{$randomUUID}}` ...) are in
//! [`template`]. Reading the files is [`crate::source::postman`] and
//! [`crate::source::har`]'s job, and the snapshot hands their output to
//! [`SavedSet::new`]: this module reads no source.

pub mod har;
pub mod template;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use serde_json::Value;

use crate::directives::{Directives, Vendor};
use crate::exchange::{Reply, Request, Why};
use crate::settings::{Delay, HarMatch, MockSettings};
use crate::wire;

/// One part of a path segment in a Postman example URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text that must be there.
    Lit(String),
    /// A variable (`:id`, or a `{{var}}` no variable defines): any non-empty text.
    Var(String),
}

/// The body of a saved request, as it is compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleBody {
    /// Raw text (JSON is compared as JSON).
    Text(String),
    /// `application/x-www-form-urlencoded` fields.
    Form(Vec<(String, String)>),
    /// `multipart/form-data` text fields.
    Multipart(Vec<(String, String)>),
}

/// A Postman saved example, with variables substituted.
#[derive(Debug, Clone)]
pub struct Example {
    /// The collection's file name.
    pub file: String,
    /// The example's id (`id` or `_postman_id`; empty when the file has none).
    pub id: String,
    /// The example's name.
    pub name: String,
    /// Position across all collections, to keep ties stable.
    pub order: usize,
    /// Upper-case method.
    pub method: String,
    /// The path as written after substitution (`/users/:id`).
    pub path: String,
    /// The path split into segments.
    pub segments: Vec<Vec<Part>>,
    /// Enabled query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// Enabled request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The request body, when the example has one.
    pub body: Option<ExampleBody>,
    /// The status sent.
    pub status: u16,
    /// The response headers sent (templated per request).
    pub response_headers: Vec<(String, String)>,
    /// The response body sent (templated per request).
    pub response_body: String,
}

/// A HAR entry, ready to be matched.
#[derive(Debug, Clone)]
pub struct HarEntry {
    /// The recording's file name.
    pub file: String,
    /// 0-based position in its file.
    pub index: usize,
    /// Exact method.
    pub method: String,
    /// The URL as recorded.
    pub url: String,
    /// `host[:port]`, lower-cased.
    pub host: String,
    /// Raw path (as recorded, still percent-encoded).
    pub path: String,
    /// Raw query without `?`, when there is one.
    pub query: Option<String>,
    /// Request headers, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// The request body, when recorded.
    pub post: Option<Vec<u8>>,
    /// The status.
    pub status: u16,
    /// Response headers to replay (hop-by-hop and length/encoding removed).
    pub response_headers: Vec<(String, String)>,
    /// The decoded response body.
    pub body: Bytes,
    /// The `Location` response header, when there is one.
    pub location: Option<String>,
}

/// Every saved example of a snapshot, indexed for matching.
#[derive(Debug, Default)]
pub struct SavedSet {
    examples: Vec<Example>,
    entries: Vec<HarEntry>,
    /// Whether a HAR came before any collection on the command line: that kind is
    /// tried first.
    har_first: bool,
    match_headers: Vec<String>,
    match_body: bool,
    har_match: HarMatch,
    delay: Option<Delay>,
    cors: bool,
}

/// A saved example that almost matched, and why it did not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearMiss {
    /// What it is (`E2: GET /test (collection.json)`).
    pub label: String,
    /// Why it missed (`method`, `path`, `query id differs` ...).
    pub reasons: Vec<String>,
}

/// The result of matching a request against saved examples.
#[derive(Debug)]
pub enum Lookup {
    /// A saved example answers.
    Hit(Box<Reply>),
    /// None matched; the closest candidates.
    Miss(Vec<NearMiss>),
}

/// The leading example so far: score, example, what its URL wildcards captured.
type Best<'a> = (i64, &'a Example, Vec<(String, String)>);

/// How close a near miss was: fewer disqualifying reasons first, then a closer path.
type Closeness = (usize, usize);

/// How many near misses are kept (the 404 lists three).
const NEAR_MISSES: usize = 5;

impl SavedSet {
    /// The set of compiled examples and entries, matched with the settings' header
    /// and body rules, HAR mode, delay and CORS. `har_first`: a HAR came before any
    /// collection among the sources, so HAR entries are tried first.
    pub fn new(
        examples: Vec<Example>,
        entries: Vec<HarEntry>,
        har_first: bool,
        settings: &MockSettings,
    ) -> SavedSet {
        SavedSet {
            examples,
            entries,
            har_first,
            match_headers: settings
                .match_headers
                .iter()
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            match_body: settings.match_body,
            har_match: settings.har_match,
            delay: settings.delay,
            cors: settings.cors,
        }
    }

    /// Whether there is any saved example.
    pub fn is_empty(&self) -> bool {
        self.examples.is_empty() && self.entries.is_empty()
    }

    /// The number of saved examples (Postman examples plus HAR entries).
    pub fn len(&self) -> usize {
        self.examples.len() + self.entries.len()
    }

    /// The Postman examples, in load order.
    pub fn examples(&self) -> &[Example] {
        &self.examples
    }

    /// The HAR entries, in load order.
    pub fn entries(&self) -> &[HarEntry] {
        &self.entries
    }

    /// Matches a request. `entropy` feeds the dynamic variables and a delay range.
    pub fn answer(&self, req: &Request<'_>, directives: &Directives, entropy: u64) -> Lookup {
        let mut near: Vec<(Closeness, NearMiss)> = Vec::new();
        let order: [bool; 2] = if self.har_first {
            [true, false]
        } else {
            [false, true]
        };
        for har_kind in order {
            let result = if har_kind {
                if self.entries.is_empty() {
                    continue;
                }
                har::answer(self, req, directives, entropy)
            } else {
                if self.examples.is_empty() {
                    continue;
                }
                self.answer_postman(req, directives, entropy)
            };
            match result {
                Ok(reply) => return Lookup::Hit(Box::new(reply)),
                Err(misses) => near.extend(misses),
            }
        }
        near.sort_by_key(|(c, _)| *c);
        near.truncate(NEAR_MISSES);
        Lookup::Miss(near.into_iter().map(|(_, n)| n).collect())
    }

    fn answer_postman(
        &self,
        req: &Request<'_>,
        d: &Directives,
        entropy: u64,
    ) -> Result<Reply, Vec<(Closeness, NearMiss)>> {
        let probe = Probe::new(req);
        let asked = Asked::read(req, d, &self.match_headers, self.match_body);
        let mut best: Option<Best<'_>> = None;
        let mut misses = Vec::new();
        for ex in &self.examples {
            match evaluate(ex, &probe, &asked) {
                Verdict::Fits { score, captures } => {
                    let better = match &best {
                        None => true,
                        Some((s, b, _)) => {
                            score > *s
                                || (score == *s && tie_break(ex, b) == std::cmp::Ordering::Less)
                        }
                    };
                    if better {
                        best = Some((score, ex, captures));
                    }
                }
                Verdict::Misses { reasons, blocking } => {
                    let distance = wire::levenshtein(&ex.path, &probe.path);
                    misses.push((
                        (blocking, distance),
                        NearMiss {
                            label: example_label(ex),
                            reasons,
                        },
                    ));
                }
            }
        }
        match best {
            Some((_, ex, captures)) => {
                Ok(self.reply_postman(ex, req, d, &probe, &captures, entropy))
            }
            None => {
                misses.sort_by_key(|(c, _)| *c);
                misses.truncate(NEAR_MISSES);
                Err(misses)
            }
        }
    }

    fn reply_postman(
        &self,
        ex: &Example,
        req: &Request<'_>,
        d: &Directives,
        probe: &Probe,
        captures: &[(String, String)],
        entropy: u64,
    ) -> Reply {
        let seed = d.seed.unwrap_or(entropy);
        let mut ctx = template::Context::new(req, seed, captures, &probe.segments);
        let body = ctx.fill(&ex.response_body);
        let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
        for (name, value) in &ex.response_headers {
            if self.cors && is_cors_header(name) {
                continue;
            }
            let value = ctx.fill(value);
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(&value),
            ) {
                headers.push((n, v));
            }
        }
        let mut applied = Vec::new();
        if let Some(c) = &d.code
            && c.vendor.is_preference()
        {
            applied.push(format!("code={}", c.value));
        }
        if let Some(e) = &d.example
            && e.vendor.is_preference()
        {
            applied.push(format!("example={}", e.value));
        }
        let delay_ms = self.delay_for(d, entropy, &mut applied);
        push_applied(&mut headers, &applied);
        Reply {
            status: ex.status,
            headers,
            body: Bytes::from(body),
            delay_ms,
            wire: Default::default(),
            why: Why {
                operation: Some(format!("{} {}", ex.method, ex.path)),
                example: Some(ex.name.clone()),
                source: Some(file_name(&ex.file)),
                ..Why::default()
            },
        }
    }

    /// The delay of a saved reply: the directive's, else the mock's.
    fn delay_for(&self, d: &Directives, entropy: u64, applied: &mut Vec<String>) -> u64 {
        match &d.delay {
            Some(delay) => {
                if delay.vendor.is_preference() {
                    applied.push(format!("delay={}", delay.value));
                }
                delay.value
            }
            None => self.delay.map_or(0, |dl| dl.pick(entropy >> 7)),
        }
    }
}

fn push_applied(headers: &mut Vec<(HeaderName, HeaderValue)>, applied: &[String]) {
    if !applied.is_empty()
        && let Ok(v) = HeaderValue::from_str(&applied.join(", "))
    {
        headers.push((HeaderName::from_static("preference-applied"), v));
    }
}

/// `E2: GET /test (collection.json)`.
fn example_label(ex: &Example) -> String {
    format!(
        "{}: {} {} ({})",
        ex.name,
        ex.method,
        ex.path,
        file_name(&ex.file)
    )
}

/// The last component of a path as given, for labels and the log.
pub fn file_name(file: &str) -> String {
    std::path::Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Headers the engine adds itself when CORS is on; a recorded copy would be a second value.
fn is_cors_header(name: &str) -> bool {
    matches!(
        name,
        "access-control-allow-origin"
            | "access-control-allow-credentials"
            | "access-control-expose-headers"
    )
}

/// The request, taken apart once for every example.
struct Probe {
    method: String,
    /// Decoded path.
    path: String,
    /// Decoded segments (no empty segments from a trailing slash).
    segments: Vec<String>,
    /// Decoded query pairs, directive parameters (`__code`...) left out.
    query: Vec<(String, String)>,
}

impl Probe {
    fn new(req: &Request<'_>) -> Probe {
        let path = wire::percent_decode(req.path);
        let segments = wire::split_segments(&path);
        let query = wire::form_pairs(req.query)
            .into_iter()
            .filter(|(k, _)| !k.starts_with("__"))
            .collect();
        Probe {
            method: req.method.as_str().to_ascii_uppercase(),
            path,
            segments,
            query,
        }
    }
}

/// What the request asks of the Postman matching, besides the URL.
struct Asked<'r> {
    code: Option<u16>,
    /// `x-mock-response-id`.
    id: Option<String>,
    /// `x-mock-response-name`, or any other vendor's example directive (matched on
    /// name or id).
    name: Option<String>,
    /// Header names to compare.
    headers: Vec<String>,
    /// Whether bodies must be equal.
    body: bool,
    req: &'r Request<'r>,
}

impl<'r> Asked<'r> {
    fn read(
        req: &'r Request<'r>,
        d: &Directives,
        config_headers: &[String],
        config_body: bool,
    ) -> Asked<'r> {
        let text = |name: &str| {
            req.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let id = text("x-mock-response-id");
        let name = match (&id, &d.example) {
            (Some(_), Some(e)) if e.vendor == Vendor::Postman => text("x-mock-response-name"),
            (_, Some(e)) => Some(e.value.clone()),
            (_, None) => None,
        };
        // The request header wins over the config, as in Postman.
        let headers = match text("x-mock-match-request-headers") {
            Some(list) => list
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            None => config_headers.to_vec(),
        };
        let body = match text("x-mock-match-request-body").as_deref() {
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            _ => config_body,
        };
        Asked {
            code: d.code.as_ref().map(|c| c.value),
            id,
            name,
            headers,
            body,
            req,
        }
    }
}

enum Verdict {
    Fits {
        score: i64,
        captures: Vec<(String, String)>,
    },
    Misses {
        reasons: Vec<String>,
        /// How many of the reasons rule the example out.
        blocking: usize,
    },
}

// Scores are in hundredths so that "10 × matching %" stays an integer.
const BASE: i64 = 10_000;
const QUERY_ALL: i64 = 1_000;
const QUERY_NONE_CAP: i64 = 1_000;
const BODY_BONUS: i64 = 500;

/// Postman's algorithm for one example: every check is made, so a miss can say all
/// that differs.
fn evaluate(ex: &Example, probe: &Probe, asked: &Asked<'_>) -> Verdict {
    let mut reasons = Vec::new();
    let mut blocking = 0;
    if ex.method != probe.method {
        reasons.push(format!("method: expects {}", ex.method));
        blocking += 1;
    }
    if let Some(code) = asked.code
        && ex.status != code
    {
        reasons.push(format!("status: is {}, {code} was asked for", ex.status));
        blocking += 1;
    }
    if let Some(id) = &asked.id
        && &ex.id != id
    {
        reasons.push(format!("example id: is '{}', '{id}' was asked for", ex.id));
        blocking += 1;
    }
    if let Some(name) = &asked.name
        && &ex.name != name
        && (asked.id.is_some() || &ex.id != name)
    {
        reasons.push(format!(
            "example name: is '{}', '{name}' was asked for",
            ex.name
        ));
        blocking += 1;
    }
    let path = path_score(ex, probe);
    if path.is_none() {
        reasons.push(format!("path: expects {}", ex.path));
        blocking += 1;
    }
    let (query_score, query_reasons) = query_score(&ex.query, &probe.query);
    for h in &asked.headers {
        let mine = ex
            .headers
            .iter()
            .find(|(k, _)| k == h)
            .map(|(_, v)| v.as_str());
        let theirs = asked
            .req
            .headers
            .get(h.as_str())
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        if mine.map(str::trim) != theirs {
            reasons.push(match mine {
                Some(v) => format!("header {h} differs (expects '{v}')"),
                None => format!("header {h}: the example has none"),
            });
            blocking += 1;
        }
    }
    let body_equal = bodies_equal(ex.body.as_ref(), asked.req);
    if asked.body && !body_equal {
        reasons.push("body differs".to_string());
        blocking += 1;
    }
    if blocking > 0 {
        // Query differences never rule an example out in Postman's algorithm; they
        // are listed to explain what else differs.
        reasons.extend(query_reasons);
        return Verdict::Misses { reasons, blocking };
    }
    let (penalty, captures) = path.unwrap_or_default();
    let mut score = BASE - penalty + query_score;
    if body_equal && ex.body.is_some() {
        score += BODY_BONUS;
    }
    Verdict::Fits { score, captures }
}

/// Ties: ordered by id (then file order); the first with a 200 wins, else the first.
fn tie_break(a: &Example, b: &Example) -> std::cmp::Ordering {
    (a.status != 200, &a.id, a.order).cmp(&(b.status != 200, &b.id, b.order))
}

/// The URL ladder: the first rule that matches sets the penalty (in hundredths).
fn path_score(ex: &Example, probe: &Probe) -> Option<(i64, Vec<(String, String)>)> {
    let want = ex.path.as_str();
    let got = probe.path.as_str();
    let trim = |s: &str| -> String {
        let t = s.trim_end_matches('/');
        if t.is_empty() { "/".into() } else { t.into() }
    };
    if want == got {
        return Some((0, Vec::new()));
    }
    if trim(want) == trim(got) {
        return Some((500, Vec::new()));
    }
    if want.to_lowercase() == got.to_lowercase() {
        return Some((1_000, Vec::new()));
    }
    if trim(want).to_lowercase() == trim(got).to_lowercase() {
        return Some((1_500, Vec::new()));
    }
    let same_slash = want.ends_with('/') == got.ends_with('/');
    if let Some(c) = segments_match(&ex.segments, &probe.segments, false) {
        return Some((2_000, c));
    }
    if let Some(c) = segments_match(&ex.segments, &probe.segments, true) {
        return Some((if same_slash { 2_100 } else { 2_500 }, c));
    }
    None
}

/// Segment-wise comparison with variables (and, when `ids`, alphanumeric ids on both
/// sides) matching any one segment; case-insensitive, trailing slash ignored.
fn segments_match(want: &[Vec<Part>], got: &[String], ids: bool) -> Option<Vec<(String, String)>> {
    if want.len() != got.len() {
        return None;
    }
    let mut captures = Vec::new();
    for (parts, seg) in want.iter().zip(got) {
        if let Some(c) = segment_match(parts, seg) {
            captures.extend(c);
            continue;
        }
        if ids
            && let [Part::Lit(lit)] = parts.as_slice()
            && is_id(lit)
            && is_id(seg)
        {
            continue;
        }
        return None;
    }
    Some(captures)
}

/// An "alphanumeric id": letters, digits, `-` and `_`, with at least one digit (so
/// that plain words such as `get` and `test` stay distinct).
fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().any(|b| b.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// One segment against its pattern: literal parts compared case-insensitively,
/// variables taking the shortest non-empty text that lets the rest match.
fn segment_match(parts: &[Part], seg: &str) -> Option<Vec<(String, String)>> {
    fn go(parts: &[Part], seg: &str, out: &mut Vec<(String, String)>) -> bool {
        match parts.split_first() {
            None => seg.is_empty(),
            Some((Part::Lit(l), rest)) => {
                let n = l.len();
                seg.len() >= n
                    && seg.is_char_boundary(n)
                    && seg[..n].eq_ignore_ascii_case(l)
                    && go(rest, &seg[n..], out)
            }
            Some((Part::Var(name), rest)) => {
                for (i, _) in seg.char_indices().skip(1).chain([(seg.len(), ' ')]) {
                    let mark = out.len();
                    out.push((name.clone(), seg[..i].to_string()));
                    if go(rest, &seg[i..], out) {
                        return true;
                    }
                    out.truncate(mark);
                }
                false
            }
        }
    }
    let mut out = Vec::new();
    go(parts, seg, &mut out).then_some(out)
}

/// Postman's query score and what differs. A pair is a match (same key and value), a
/// partial match (same key, another value) or missing (on one side only).
/// All match: +10; some: +10 × matches / all; none: −(missing), at most −10, where a
/// partial match counts twice, because a value that contradicts the example says more
/// than one that is absent (so `/get?id=1` prefers `/get` to `/get?id=5`).
fn query_score(want: &[(String, String)], got: &[(String, String)]) -> (i64, Vec<String>) {
    let mut matches = 0i64;
    let mut partial = 0i64;
    let mut missing = 0i64;
    let mut reasons = Vec::new();
    let mut used = vec![false; got.len()];
    let mut unmatched_want = Vec::new();
    for (k, v) in want {
        let exact = got
            .iter()
            .enumerate()
            .find(|(i, (gk, gv))| !used[*i] && gk == k && (gv == v || is_placeholder(v)));
        match exact {
            Some((i, _)) => {
                used[i] = true;
                matches += 1;
            }
            None => unmatched_want.push((k, v)),
        }
    }
    for (k, v) in unmatched_want {
        let same_key = got
            .iter()
            .enumerate()
            .find(|(i, (gk, _))| !used[*i] && gk == k);
        match same_key {
            Some((i, _)) => {
                used[i] = true;
                partial += 1;
                reasons.push(format!("query {k} differs (expects '{v}')"));
            }
            None => {
                missing += 1;
                reasons.push(format!("query {k} missing (expects '{v}')"));
            }
        }
    }
    for (i, (k, _)) in got.iter().enumerate() {
        if !used[i] {
            missing += 1;
            reasons.push(format!("query {k} not expected"));
        }
    }
    let total = matches + partial + missing;
    let score = if matches == total {
        QUERY_ALL
    } else if matches > 0 {
        QUERY_ALL * matches / total
    } else {
        -(100 * (missing + 2 * partial)).min(QUERY_NONE_CAP)
    };
    (score, reasons)
}

/// A query value that is an unresolved `{{var}}`: it matches any value.
fn is_placeholder(v: &str) -> bool {
    v.starts_with("{{") && v.ends_with("}}") && v.len() > 4
}

/// Whether the request's body equals the example's: JSON as JSON, forms field by field,
/// text after trimming. No body on either side counts as equal to an empty one.
fn bodies_equal(want: Option<&ExampleBody>, req: &Request<'_>) -> bool {
    let got = req.body;
    match want {
        None => got.iter().all(u8::is_ascii_whitespace),
        Some(ExampleBody::Text(text)) => {
            let got_text = String::from_utf8_lossy(got);
            if text.trim() == got_text.trim() {
                return true;
            }
            match (
                serde_json::from_str::<Value>(text),
                serde_json::from_slice::<Value>(got),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            }
        }
        Some(ExampleBody::Form(fields)) => {
            let mut a = fields.clone();
            let mut b = wire::form_pairs(Some(&String::from_utf8_lossy(got)));
            a.sort();
            b.sort();
            a == b
        }
        Some(ExampleBody::Multipart(fields)) => {
            let Some(boundary) = boundary_of(req.headers) else {
                return false;
            };
            let Some(mut b) = multipart_fields(got, &boundary) else {
                return false;
            };
            let mut a = fields.clone();
            a.sort();
            b.sort();
            a == b
        }
    }
}

/// The multipart boundary of a request's `Content-Type`, unquoted.
pub fn boundary_of(headers: &http::HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    boundary_in(ct)
}

/// The boundary of a `multipart/form-data` content type, unquoted (`None` for any
/// other content type).
pub fn boundary_in(content_type: &str) -> Option<String> {
    if wire::essence(content_type) != "multipart/form-data" {
        return None;
    }
    wire::boundary(content_type)
}

/// The fields of a multipart body: `(name, value)` with values as lossy text.
fn multipart_fields(body: &[u8], boundary: &str) -> Option<Vec<(String, String)>> {
    let text = String::from_utf8_lossy(body);
    let delim = format!("--{boundary}");
    let mut out = Vec::new();
    for part in text.split(delim.as_str()).skip(1) {
        if part.starts_with("--") {
            break;
        }
        let part = part.strip_prefix("\r\n").unwrap_or(part);
        let (head, value) = part.split_once("\r\n\r\n")?;
        let name = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))
            .and_then(|l| {
                let at = l.find("name=\"")?;
                let rest = &l[at + 6..];
                Some(rest[..rest.find('"')?].to_string())
            })?;
        let value = value.strip_suffix("\r\n").unwrap_or(value);
        out.push((name, value.to_string()));
    }
    Some(out)
}

#[cfg(test)]
mod tests;
