//! The engine: one request in, one reply out, against a snapshot and the answerers
//! around it.
//!
//! Everything here is synchronous and pure: randomness arrives as `entropy`, the delay
//! is returned rather than slept, mutable state is reached through the `Store` the
//! caller passes, and nothing touches a file or a socket. The server sleeps, sends,
//! journals and logs.
//!
//! The precedence (ARCHITECTURE.md): what the mock itself decides (CORS preflight, a
//! private mock's key, a directive that cannot be used), then the deliberate answers —
//! the caller's answerers (stubs), then saved examples — then the OpenAPI operations.
//! The first answer wins. On a miss every asked answerer's near misses are collected;
//! a mock with one kind of source answers that source's own "not found".

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{HeaderMap, Method};
use serde_json::json;

use crate::answer::{Answerer, Ask, Outcome};
use crate::directives::{Directives, Vendor};
use crate::exchange::{Kind, NearMiss, Reply, Request, Why};
use crate::operations::{Operations, allow_header};
use crate::problem::{Problem, extra};
use crate::saved::{Lookup, SavedSet};
use crate::snapshot::Snapshot;
use crate::state::{STARTED, Store};
use crate::stateful::Stateful;

/// What answers a request: a snapshot, the answerers asked before its saved examples and
/// operations, and the store of mutable state.
pub struct Mock<'a> {
    /// The compiled sources.
    pub snapshot: &'a Snapshot,
    /// Deliberate answers asked first, in order (stubs).
    pub first: &'a [&'a dyn Answerer],
    /// Scenario states and the like.
    pub store: &'a dyn Store,
}

/// A store for callers that keep no state: every scenario is at its start.
struct Stateless;

impl Store for Stateless {
    fn scenario(&self, _: &str) -> String {
        STARTED.to_string()
    }
    fn advance(&self, _: &str, _: Option<&str>, _: &str) -> bool {
        false
    }
    fn set_scenario(&self, _: &str, _: &str) {}
    fn reset_scenarios(&self) {}
    fn scenarios(&self) -> Vec<(String, String)> {
        Vec::new()
    }
}

/// Answers one request from a snapshot alone: no state is kept (a stateful snapshot's
/// collections answer their seed, and writes to them fail; use [`handle_with`] with a
/// store).
pub fn handle(snap: &Snapshot, req: &Request<'_>, entropy: u64) -> Reply {
    let mock = Mock {
        snapshot: snap,
        first: &[],
        store: &Stateless,
    };
    handle_with(&mock, req, entropy)
}

/// The verdict of the snapshot's documents on a request, without an answer built:
/// what the validation proxy reads before it forwards (see `Operations::verdict`).
pub fn verdict(snap: &Snapshot, req: &Request<'_>) -> Reply {
    let directives = Directives::read(req.headers, req.query);
    let mut reply = Operations { snap }.verdict(req, &directives);
    if snap.settings.cors {
        add_cors(&mut reply, req.headers);
    }
    reply
}

/// Answers one request.
pub fn handle_with(mock: &Mock<'_>, req: &Request<'_>, entropy: u64) -> Reply {
    let snap = mock.snapshot;
    let mut reply = answer(mock, req, entropy);
    if snap.settings.cors {
        add_cors(&mut reply, req.headers);
    }
    reply
}

/// CORS headers for an answer the engine did not build (a request body that could not
/// be read, a caught panic), so a browser sees the error rather than a CORS failure.
pub fn finish_foreign(snap: &Snapshot, reply: &mut Reply, headers: &HeaderMap) {
    if snap.settings.cors {
        add_cors(reply, headers);
    }
}

fn answer(mock: &Mock<'_>, req: &Request<'_>, entropy: u64) -> Reply {
    let snap = mock.snapshot;
    if snap.settings.cors
        && req.method == Method::OPTIONS
        && req.headers.contains_key(header::ORIGIN)
        && req
            .headers
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return preflight(snap, req);
    }
    if let Some(key) = &snap.settings.api_key
        && req.headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(key.as_str())
    {
        let detail = if req.headers.contains_key("x-api-key") {
            "The x-api-key header does not match this private mock's key."
        } else {
            "This mock is private: send its key in the x-api-key header."
        };
        let p = Problem::new(
            401,
            "private-mock",
            "API key required",
            detail,
            Default::default(),
        );
        return Reply::from_problem(p, "private-mock");
    }
    let directives = Directives::read(req.headers, req.query);
    if let Some(bad) = &directives.bad {
        return bad_directive(bad);
    }

    let ask = Ask {
        req,
        directives: &directives,
        entropy,
        store: mock.store,
    };
    let saved = Saved(&snap.saved);
    let stateful = Stateful { snap };
    let operations = Operations { snap };
    let ours: [&dyn Answerer; 3] = [&saved, &stateful, &operations];
    let mut near: Vec<NearMiss> = Vec::new();
    // The kinds asked, in order; no allocation on the request path (a mock has a
    // handful of answerers; more than `ASKED` are still asked, only not listed).
    let mut asked = [Kind::None; ASKED];
    let mut asked_count = 0;
    let mut report = None;
    for answerer in mock.first.iter().copied().chain(ours) {
        if answerer.is_empty() {
            continue;
        }
        // The resources answer only what the operations would, so a miss of theirs is
        // not counted: the operations' own "not found" still answers a mock of one
        // document.
        if answerer.kind() == Kind::State {
            if let Outcome::Reply(mut reply) = answerer.answer(&ask) {
                // A resource's success fires its operation's callbacks, as the
                // operation's own answer would; its refusals (404, 409, 422) do not.
                if snap.has_callbacks && reply.status < 400 {
                    crate::operations::add_callbacks(snap, req, &mut reply);
                }
                return *reply;
            }
            continue;
        }
        if asked_count < ASKED {
            asked[asked_count] = answerer.kind();
        }
        asked_count += 1;
        match answerer.answer(&ask) {
            Outcome::Reply(mut reply) => {
                let kind = answerer.kind();
                if reply.why.answerer == Kind::None && reply.why.note.is_none() {
                    reply.why.answerer = kind;
                }
                // A deliberate answer skipped the document's own: the log says so.
                if kind != Kind::OpenApi
                    && reply.why.note.is_none()
                    && !operations.is_empty()
                    && operations.covers(req)
                {
                    reply.why.note = Some(match kind {
                        Kind::Stub => "stub chosen over the OpenAPI operation",
                        Kind::Route => "route chosen over the OpenAPI operation",
                        _ => "saved example chosen over the OpenAPI operation",
                    });
                }
                return *reply;
            }
            Outcome::Miss { near: n, report: r } => {
                near.extend(n);
                report = r;
            }
        }
    }
    let asked = &asked[..asked_count.min(ASKED)];
    if asked_count == 0 {
        // Nothing to answer with: the first answerer given still says it its own way
        // (a stub mock with no stubs yet answers as WireMock does).
        if let Some(first) = mock.first.first()
            && let Outcome::Miss {
                report: Some(r), ..
            } = first.answer(&ask)
        {
            return *r;
        }
        return Operations { snap }.empty_report(req);
    }
    let mut reply = match report {
        Some(r) if asked_count == 1 => *r,
        _ => no_match(req, asked, &near),
    };
    reply.why.near = near;
    reply
}

/// How many answerers' kinds a request remembers (for its miss report).
const ASKED: usize = 8;

/// Saved examples as an answerer.
struct Saved<'a>(&'a SavedSet);

impl Answerer for Saved<'_> {
    fn kind(&self) -> Kind {
        Kind::Saved
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn answer(&self, ask: &Ask<'_>) -> Outcome {
        let req = ask.req;
        let mut lookup = self.0.answer(req, ask.directives, ask.entropy);
        // HEAD is answered by a saved GET, as it is by a GET operation; hyper sends no
        // body for HEAD.
        if req.method == Method::HEAD && matches!(lookup, Lookup::Miss(_)) {
            let as_get = Request {
                method: &Method::GET,
                ..*req
            };
            if let hit @ Lookup::Hit(_) = self.0.answer(&as_get, ask.directives, ask.entropy) {
                lookup = hit;
            }
        }
        match lookup {
            Lookup::Hit(reply) => Outcome::Reply(reply),
            Lookup::Miss(near) => Outcome::Miss {
                near: near
                    .into_iter()
                    .enumerate()
                    .map(|(i, n)| NearMiss {
                        answerer: Kind::Saved,
                        label: n.label,
                        // The set lists its closest first.
                        distance: 0.5 + (i as f64) / 100.0,
                        reasons: n.reasons,
                    })
                    .collect(),
                report: None,
            },
        }
    }
}

/// The 404 of a mock with several kinds of source: the closest deliberate answers with
/// why each missed, and the closest operations.
fn no_match(req: &Request<'_>, asked: &[Kind], near: &[NearMiss]) -> Reply {
    let deliberate: Vec<&NearMiss> = near
        .iter()
        .filter(|n| n.answerer != Kind::OpenApi)
        .take(3)
        .collect();
    let operations: Vec<&str> = near
        .iter()
        .filter(|n| n.answerer == Kind::OpenApi)
        .map(|n| n.label.as_str())
        .collect();
    let nouns: Vec<&str> = asked
        .iter()
        .filter_map(|k| match k {
            Kind::Stub => Some("stub"),
            Kind::Saved => Some("saved example"),
            _ => None,
        })
        .collect();
    let listed: Vec<serde_json::Value> = deliberate
        .iter()
        .map(|n| json!({"candidate": n.label, "missed_on": n.reasons}))
        .collect();
    let summary: Vec<String> = deliberate
        .iter()
        .map(|n| format!("{} ({})", n.label, n.reasons.join(", ")))
        .collect();
    let noun = if nouns.is_empty() {
        "source".to_string()
    } else {
        nouns.join(" or ")
    };
    let mut detail = format!("No {noun} matches {} {}.", req.method, req.path);
    if !summary.is_empty() {
        detail.push_str(&format!(" Closest: {}.", summary.join("; ")));
    }
    if asked.contains(&Kind::OpenApi) {
        if operations.is_empty() {
            detail.push_str(" No operation matches either.");
        } else {
            detail.push_str(&format!(
                " No operation matches either; closest: {}.",
                operations.join(", ")
            ));
        }
    }
    let fields = if operations.is_empty() {
        extra([("closest", json!(listed))])
    } else {
        extra([
            ("closest", json!(listed)),
            ("closest_operations", json!(operations)),
        ])
    };
    Reply::from_problem(
        Problem::new(
            404,
            "no-match",
            &format!("No {noun} matches this request"),
            detail,
            fields,
        ),
        "no-match",
    )
}

fn preflight(snap: &Snapshot, req: &Request<'_>) -> Reply {
    let mut methods = snap.router.methods_at(req.path);
    if methods.is_empty()
        && let Some(m) = req
            .headers
            .get(header::ACCESS_CONTROL_REQUEST_METHOD)
            .and_then(|v| v.to_str().ok())
        && let Ok(m) = Method::from_bytes(m.as_bytes())
    {
        methods.push(m);
    }
    let mut headers = Vec::new();
    if let Ok(v) = HeaderValue::from_str(&allow_header(&methods, true)) {
        headers.push((header::ACCESS_CONTROL_ALLOW_METHODS, v));
    }
    if let Some(h) = req.headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        headers.push((header::ACCESS_CONTROL_ALLOW_HEADERS, h.clone()));
    }
    headers.push((
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    ));
    Reply {
        status: 204,
        headers,
        body: Bytes::new(),
        delay_ms: 0,
        wire: Default::default(),
        why: Why {
            note: Some("cors-preflight"),
            ..Why::default()
        },
    }
}

fn add_cors(reply: &mut Reply, headers: &HeaderMap) {
    let origin = headers.get(header::ORIGIN);
    // The headers added (and the expose list), in at most one growth of the list.
    reply.headers.reserve(if origin.is_some() { 4 } else { 2 });
    match origin {
        Some(origin) => {
            reply
                .headers
                .push((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone()));
            reply.headers.push((
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            ));
            reply
                .headers
                .push((header::VARY, HeaderValue::from_static("Origin")));
        }
        None => reply.headers.push((
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        )),
    }
    if let Some(v) = exposed(&reply.headers) {
        reply
            .headers
            .push((header::ACCESS_CONTROL_EXPOSE_HEADERS, v));
    }
}

thread_local! {
    /// The last `Access-Control-Expose-Headers` value made on this thread. A stub or an
    /// operation answers with the same headers each time, so its value is shared, not
    /// made (and allocated) anew for every answer.
    static LAST_EXPOSED: std::cell::RefCell<Option<HeaderValue>> =
        const { std::cell::RefCell::new(None) };
}

/// The `Access-Control-Expose-Headers` value for these headers: every name but the
/// CORS ones, `Content-Type` and `Vary`, each once, in order; `None` when none is left.
fn exposed(headers: &[(HeaderName, HeaderValue)]) -> Option<HeaderValue> {
    let shown = |i: &usize| {
        let n = headers[*i].0.as_str();
        // A header sent several times is exposed once.
        !n.starts_with("access-control-")
            && n != "content-type"
            && n != "vary"
            && !headers[..*i]
                .iter()
                .any(|(earlier, _)| *earlier == headers[*i].0)
    };
    let names = || {
        (0..headers.len())
            .filter(shown)
            .map(|i| headers[i].0.as_str())
    };
    names().next()?;
    LAST_EXPOSED.with(|last| {
        let mut last = last.borrow_mut();
        // Compared name by name with the last value, which is made only when it differs.
        if let Some(v) = last.as_ref().filter(|v| joined_is(names(), v.as_bytes())) {
            return Some(v.clone());
        }
        let mut text = String::with_capacity(names().map(|n| n.len() + 2).sum());
        for n in names() {
            if !text.is_empty() {
                text.push_str(", ");
            }
            text.push_str(n);
        }
        let v = HeaderValue::from_maybe_shared(Bytes::from(text)).ok()?;
        *last = Some(v.clone());
        Some(v)
    })
}

/// Whether `names` joined with `", "` are `want`.
fn joined_is<'a>(names: impl Iterator<Item = &'a str>, mut want: &[u8]) -> bool {
    for (i, n) in names.enumerate() {
        if i > 0 {
            let Some(rest) = want.strip_prefix(b", ") else {
                return false;
            };
            want = rest;
        }
        let Some(rest) = want.strip_prefix(n.as_bytes()) else {
            return false;
        };
        want = rest;
    }
    want.is_empty()
}

fn bad_directive(bad: &crate::directives::BadDirective) -> Reply {
    let p = match bad.vendor {
        Vendor::Kong if bad.source.ends_with("delay") => Problem::message(
            400,
            "Invalid value for X-Kong-Mocking-Delay. The delay value should between 0 and 10000ms",
        ),
        Vendor::Kong => Problem::message(
            400,
            &format!("could not find the status code '{}'", bad.value),
        ),
        Vendor::Redocly => Problem::message(
            400,
            "Validation Error: The forced X-Redocly-Response-Status header's value should be a number.",
        ),
        _ => Problem::new(
            400,
            "bad-directive",
            "Directive cannot be used",
            format!("{} = '{}': {}.", bad.source, bad.value, bad.reason),
            extra([("directive", json!(bad.source))]),
        ),
    };
    Reply::from_problem(p, "bad-directive")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&'static str]) -> Vec<(HeaderName, HeaderValue)> {
        names
            .iter()
            .map(|n| (HeaderName::from_static(n), HeaderValue::from_static("v")))
            .collect()
    }

    #[test]
    fn joined_names_compare_whole_with_the_last_value() {
        let is = |names: &[&str], want: &str| joined_is(names.iter().copied(), want.as_bytes());
        assert!(is(&["a"], "a"));
        assert!(is(&["a", "bc"], "a, bc"));
        assert!(!is(&["a", "bc"], "a, b"));
        assert!(!is(&["a", "b"], "a, b, c"));
        assert!(!is(&["a", "b"], "a,b"));
        assert!(!is(&["ab"], "a, b"));
        assert!(!is(&["a"], "a, "));
        assert!(is(&[], ""));
    }

    #[test]
    fn exposed_headers_follow_each_answer_when_the_last_value_is_reused() {
        let stub = headers(&["content-type", "matched-stub-id", "x-a", "x-a", "vary"]);
        let other = headers(&["x-b", "access-control-allow-origin"]);
        // Alternating answers: the value kept from the last one must never leak into the next.
        for _ in 0..3 {
            assert_eq!(exposed(&stub).unwrap(), "matched-stub-id, x-a");
            assert_eq!(exposed(&other).unwrap(), "x-b");
        }
        assert_eq!(exposed(&headers(&["content-type", "vary"])), None);
        assert_eq!(exposed(&stub).unwrap(), "matched-stub-id, x-a");
    }
}
