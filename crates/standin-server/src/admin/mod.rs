//! The admin API at `/__admin`, with WireMock's paths and JSON shapes, so WireMock's
//! client libraries drive standin unchanged.
//!
//! This module owns the routing, access control and the shared JSON helpers; each area
//! has its module: [`mappings`] (stubs), [`requests`] (the journal and near misses),
//! [`scenarios`], [`files`] (`__files/`), [`state`] (a stateful mock's resources),
//! [`misc`] (settings, reset, health, version, shutdown), [`recordings`] (recording
//! through a proxy stub, snapshots to stub mappings), [`mock`] (the mock, its sources and
//! endpoints) and [`mock_settings`] (its settings changed at runtime), [`stream`] (the
//! journal as server-sent events), [`dashboard`] (the web page), [`outbound`] (webhooks
//! sent on demand, the journal of outbound calls). [`Admin`] holds what the
//! routes act on: the stub [`Registry`], the [`Journal`], the scenario [`Store`], the
//! global settings and what it knows of its mock.
//!
//! Access: loopback clients are always let in; a client from another address must
//! send `Authorization: Bearer <token>` when a token is configured, and is refused
//! (403) when none is. Requests with bodies that are not JSON, or JSON that does not
//! describe what the route takes, get 422 with WireMock's `errors` document saying what
//! and where; unknown fields are ignored. No input makes a route panic: the caller
//! still runs [`handle`] under its `catch_unwind`.

// Route helpers return the error answer itself: built at most once per admin request,
// boxing it would buy nothing.
#![allow(clippy::result_large_err)]

pub mod dashboard;
pub mod files;
pub mod mappings;
pub mod misc;
pub mod mock;
pub mod mock_settings;
pub mod outbound;
pub mod recordings;
pub mod requests;
pub mod scenarios;
pub mod state;
pub mod stream;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use standin_core::Reply;
use standin_core::exchange::{Kind, Why};
use standin_core::state::Store;
use standin_stubs::StubError;

use crate::journal::{Journal, JournalFeed};
use crate::registry::Registry;

/// The path every admin route is under.
pub const ROOT: &str = "/__admin";

/// What the admin API acts on.
pub struct Admin {
    /// The stubs.
    pub registry: Arc<Registry>,
    /// The request journal.
    pub journal: Arc<Journal>,
    /// Scenario states and resources.
    pub store: Arc<dyn Store>,
    /// The mock's snapshot (its resources), when it has documents.
    pub snapshot: Option<Arc<ArcSwap<standin_core::Snapshot>>>,
    /// The sender of the mock's callbacks and webhooks.
    pub sender: Option<crate::sender::Sender>,
    settings: ArcSwap<misc::Settings>,
    /// Where WireMock-style recording stands.
    pub recorder: recordings::Recorder,
    /// The mock this admin API belongs to.
    pub mock: mock::MockInfo,
    /// The journal shared by every replica, when there is one.
    pub feed: Option<Arc<dyn JournalFeed>>,
    pub(crate) token: Option<String>,
    started: Instant,
    shutdown: Arc<dyn Fn() + Send + Sync>,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("registry", &self.registry)
            .field("journal", &self.journal)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish_non_exhaustive()
    }
}

impl Admin {
    /// An admin API over these parts. `token` is the bearer token clients from other
    /// addresses must send (`--admin-token`); `None` admits loopback clients only.
    pub fn new(
        registry: Arc<Registry>,
        journal: Arc<Journal>,
        store: Arc<dyn Store>,
        token: Option<String>,
    ) -> Admin {
        Admin {
            registry,
            journal,
            store,
            snapshot: None,
            sender: None,
            settings: ArcSwap::from_pointee(misc::Settings::default()),
            recorder: recordings::Recorder::default(),
            mock: mock::MockInfo::default(),
            feed: None,
            token,
            started: Instant::now(),
            shutdown: Arc::new(|| {}),
        }
    }

    /// What `POST /__admin/shutdown` calls (after its answer is built; the caller
    /// should let the answer go out before stopping, e.g. signal a `Notify`).
    pub fn on_shutdown(mut self, f: impl Fn() + Send + Sync + 'static) -> Admin {
        self.shutdown = Arc::new(f);
        self
    }

    /// The journal shared by every replica: each request is written to it too, and
    /// `GET /__admin/requests` reads it.
    pub fn with_feed(mut self, feed: Arc<dyn JournalFeed>) -> Admin {
        self.feed = Some(feed);
        self
    }

    /// The snapshot whose resources `/__admin/state` seeds and resets.
    pub fn with_snapshot(mut self, snapshot: Arc<ArcSwap<standin_core::Snapshot>>) -> Admin {
        self.snapshot = Some(snapshot);
        self
    }

    /// The sender that `POST /__admin/webhooks/{name}` queues webhooks on.
    pub fn with_sender(mut self, sender: crate::sender::Sender) -> Admin {
        self.sender = Some(sender);
        self
    }

    /// What the admin API shows of its mock (name, URL, documents, environments).
    pub fn with_mock(mut self, info: mock::MockInfo) -> Admin {
        self.mock = info;
        self
    }

    /// Whether a request path is the admin API's (`/__admin` and below).
    pub fn claims(path: &str) -> bool {
        path == ROOT || path.strip_prefix(ROOT).is_some_and(|r| r.starts_with('/'))
    }

    /// Call once per request answered by the mock (not the admin API), before the
    /// reply is sent: journals it and notes which stub answered.
    #[allow(clippy::too_many_arguments)]
    pub fn observe(
        &self,
        parts: &http::request::Parts,
        body: &Bytes,
        peer: SocketAddr,
        reply: &Reply,
        why: &Arc<Why>,
        at: SystemTime,
        elapsed: Duration,
    ) -> Option<crate::journal::EntryId> {
        if why.answerer == Kind::Stub
            && let Some(id) = &why.stub
        {
            self.registry.mark_hit(id);
        }
        self.journal
            .capture_then(parts, body, peer, reply, why, at, elapsed, |entry| {
                if let Some(feed) = &self.feed {
                    feed.push(requests::serve_event(self, entry));
                }
            })
    }

    /// The delay the global settings add to a reply (`fixedDelay` plus a sample of
    /// `delayDistribution`), in milliseconds: stub answers only, as in WireMock.
    pub fn extra_delay_ms(&self, reply: &Reply, entropy: u64) -> u64 {
        if reply.why.answerer != Kind::Stub {
            return 0;
        }
        self.settings.load().delay_ms(entropy)
    }

    /// Clears the journal and what is counted from it (stub hits).
    pub(crate) fn clear_journal(&self) {
        self.journal.clear();
        self.registry.clear_hits();
    }

    /// Everything back to the files (`POST /__admin/reset`): the journal cleared, API
    /// stubs dropped, files reloaded, scenarios at `Started`, resources back to the
    /// document's examples.
    pub fn reset(&self) {
        self.clear_journal();
        if let Some(feed) = &self.feed
            && let Err(e) = feed.clear()
        {
            eprintln!("standin: the shared journal was not cleared: {e}");
        }
        self.registry.reset();
        self.store.reset_scenarios();
        self.store.reset_resources(None, None);
    }
}

/// The query parameters of a request, decoded.
pub(crate) fn query_params(req: &Request<Bytes>) -> Vec<(String, String)> {
    req.uri()
        .query()
        .map(standin_stubs::pattern::split_query)
        .unwrap_or_default()
}

/// The first value of a query parameter.
pub(crate) fn query_param(req: &Request<Bytes>, name: &str) -> Option<String> {
    query_params(req)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// A query parameter read by `parse`: `None` when absent, the answer `refuse` builds
/// from the value when `parse` does not take it.
pub(crate) fn parsed_param<T>(
    req: &Request<Bytes>,
    name: &str,
    parse: impl FnOnce(&str) -> Option<T>,
    refuse: impl FnOnce(&str) -> Response<Bytes>,
) -> Result<Option<T>, Response<Bytes>> {
    match query_param(req, name) {
        None => Ok(None),
        Some(v) => parse(&v).map(Some).ok_or_else(|| refuse(&v)),
    }
}

/// A JSON answer.
pub(crate) fn json_response(status: u16, body: &Value) -> Response<Bytes> {
    let text = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    bytes_response(status, "application/json", Bytes::from(text))
}

/// An answer with a body of this type.
pub(crate) fn bytes_response(status: u16, content_type: &str, body: Bytes) -> Response<Bytes> {
    let mut res = Response::new(body);
    *res.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        res.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    res
}

/// 200 with nothing (WireMock's `ResponseDefinition.ok()`).
pub(crate) fn ok() -> Response<Bytes> {
    let mut res = Response::new(Bytes::new());
    *res.status_mut() = StatusCode::OK;
    res
}

/// 200 with `{}` (WireMock's `okEmptyJson()`).
pub(crate) fn ok_empty_json() -> Response<Bytes> {
    json_response(200, &json!({}))
}

/// One error of WireMock's `errors` document.
pub(crate) fn error_entry(code: u16, pointer: Option<&str>, title: &str, detail: &str) -> Value {
    let mut e = serde_json::Map::new();
    e.insert("code".into(), json!(code));
    if let Some(p) = pointer {
        e.insert("source".into(), json!({ "pointer": p }));
    }
    e.insert("title".into(), json!(title));
    if !detail.is_empty() {
        e.insert("detail".into(), json!(detail));
    }
    Value::Object(e)
}

/// WireMock's `errors` document with one error.
pub(crate) fn error(
    status: u16,
    code: u16,
    pointer: Option<&str>,
    title: &str,
    detail: &str,
) -> Response<Bytes> {
    json_response(
        status,
        &json!({ "errors": [error_entry(code, pointer, title, detail)] }),
    )
}

/// 400 with WireMock's `errors` code 10 and only a title.
pub(crate) fn bad_request(title: &str) -> Response<Bytes> {
    error(400, 10, None, title, "")
}

/// 422 for a body that is not what the route takes, at a JSON pointer.
pub(crate) fn invalid(pointer: &str, detail: &str) -> Response<Bytes> {
    let pointer = if pointer.is_empty() { "/" } else { pointer };
    error(422, 10, Some(pointer), "Error parsing JSON", detail)
}

/// 422 for a stub, pattern or matcher that does not parse, at its pointer.
pub(crate) fn invalid_stub(e: &StubError) -> Response<Bytes> {
    invalid(&e.pointer, &e.message)
}

/// 404 naming what was not found.
pub(crate) fn not_found(detail: &str) -> Response<Bytes> {
    error(404, 404, None, "Not found", detail)
}

/// The body as JSON: `{}` when empty; otherwise a 422 saying what is wrong and where.
pub(crate) fn read_json(body: &Bytes) -> Result<Value, Response<Bytes>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    serde_json::from_slice(body).map_err(|e| {
        invalid(
            "/",
            &format!(
                "the body is not valid JSON: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        )
    })
}

/// A path id that must be a UUID (WireMock answers 400 otherwise).
pub(crate) fn uuid_param(id: &str) -> Result<&str, Response<Bytes>> {
    if standin_stubs::stub::is_uuid(id) {
        Ok(id)
    } else {
        Err(bad_request(&format!("{id} is not a valid UUID")))
    }
}

/// Whether these headers carry the admin token (as a bearer token, or a browser's
/// [`TOKEN_COOKIE`]), and whether they carry one at all.
fn presents_token(headers: &http::HeaderMap, token: &str) -> (bool, bool) {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let cookie = dashboard::token_cookie(headers);
    let same = match (bearer, &cookie) {
        (Some(sent), _) => same_secret(sent, token),
        (None, Some(sent)) => same_secret(sent, &dashboard::cookie_value(token)),
        (None, None) => false,
    };
    (same, bearer.is_some() || cookie.is_some())
}

/// Whether a client from another address presents the configured admin token: then
/// the admin routes a mock answers itself (Mockoon's `/mockoon-admin`) admit it as they
/// admit a loopback client.
pub(crate) fn token_admits(token: Option<&str>, headers: &http::HeaderMap) -> bool {
    token.is_some_and(|t| presents_token(headers, t).0)
}

/// The cookie a browser holds the admin token in, once it opened
/// `/__admin/dashboard/?token=TOKEN` ([`dashboard::login`]).
pub(crate) const TOKEN_COOKIE: &str = "standin-admin-token";

/// Whether a client may use the admin API (see the module doc): loopback clients
/// always, others with the bearer token when one is configured (a browser: in the
/// [`TOKEN_COOKIE`] cookie); the 403 otherwise.
pub fn allowed(
    token: Option<&str>,
    req: &Request<Bytes>,
    peer: SocketAddr,
) -> Result<(), Response<Bytes>> {
    if peer.ip().to_canonical().is_loopback() {
        return Ok(());
    }
    let Some(token) = token else {
        return Err(error(
            403,
            403,
            None,
            "Admin API access denied",
            &format!(
                "the admin API answers loopback clients only; {} is not one (start standin with --admin-token TOKEN and send Authorization: Bearer TOKEN)",
                peer.ip()
            ),
        ));
    };
    let (same, sent) = presents_token(req.headers(), token);
    if same {
        Ok(())
    } else {
        Err(error(
            403,
            403,
            None,
            "Admin API access denied",
            if sent {
                "the bearer token does not match --admin-token"
            } else {
                "send the admin token as Authorization: Bearer TOKEN (from a browser: open /__admin/dashboard/?token=TOKEN once)"
            },
        ))
    }
}

/// Whether `sent` is `secret`, compared in full whatever the first difference, so
/// timing does not reveal it.
pub(crate) fn same_secret(sent: &str, secret: &str) -> bool {
    sent.len() == secret.len()
        && sent
            .bytes()
            .zip(secret.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// Answers one admin request (its path under [`ROOT`]). `peer` is the client's
/// address, for access control.
pub fn handle(admin: &Admin, req: Request<Bytes>, peer: SocketAddr) -> Response<Bytes> {
    if let Some(answer) = dashboard::login(admin.token.as_deref(), &req) {
        return answer;
    }
    if let Err(refused) = allowed(admin.token.as_deref(), &req, peer) {
        return refused;
    }
    let path = req.uri().path().to_string();
    let rest = path.strip_prefix(ROOT).unwrap_or(&path);
    let segments: Vec<&str> = rest.split('/').skip(1).collect();
    let method = req.method().clone();
    if rest.is_empty() && method == Method::GET {
        let mut res = Response::new(Bytes::new());
        *res.status_mut() = StatusCode::FOUND;
        res.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/__admin/"));
        return res;
    }
    let answer = match segments.first().copied().unwrap_or("") {
        "" if segments.len() == 1 && method == Method::GET => Some(mappings::list(admin, &req)),
        "mappings" => mappings::route(admin, &method, &segments[1..], &req),
        "requests" => requests::route(admin, &method, &segments[1..], &req),
        "near-misses" => requests::route_near_misses(admin, &method, &segments[1..], &req),
        "scenarios" => scenarios::route(admin, &method, &segments[1..], &req),
        "files" => files::route(admin, &method, &segments[1..], &req),
        "state" => state::route(admin, &method, &segments[1..], &req),
        "recordings" => recordings::route(admin, &method, &segments[1..], &req),
        "webhooks" => outbound::route_webhooks(admin, &method, &segments[1..], &req),
        "outbound" => outbound::route_outbound(admin, &method, &segments[1..], &req),
        "mock" => mock::route(admin, &method, &segments[1..], &req),
        "dashboard" => dashboard::route(&method, &segments[1..]),
        _ => misc::route(admin, &method, &segments, &req),
    };
    answer.unwrap_or_else(|| {
        error(
            404,
            404,
            None,
            "No admin route",
            &format!("{method} {path} is not an admin API route"),
        )
    })
}

#[cfg(test)]
pub(crate) mod testing {
    //! An admin API over a temporary stub root, and requests to it.

    use super::*;
    use crate::journal::JournalConfig;
    use crate::sources::StubSource;
    use standin_core::state::MemoryStore;

    pub struct Fixture {
        pub dir: tempfile::TempDir,
        pub admin: Admin,
    }

    pub fn fixture() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("mappings");
        std::fs::create_dir_all(&m).unwrap();
        std::fs::create_dir_all(dir.path().join("__files/sub")).unwrap();
        std::fs::write(dir.path().join("__files/sub/f.txt"), "file body").unwrap();
        std::fs::write(
            m.join("hello.json"),
            r#"{"id":"aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa","request":{"method":"GET","url":"/hello"},"response":{"status":200,"body":"hi"},"metadata":{"team":"a"}}"#,
        )
        .unwrap();
        let registry = Arc::new(Registry::new(
            vec![StubSource {
                mappings: m,
                files: dir.path().join("__files"),
                single_file: false,
            }],
            false,
        ));
        let journal = Arc::new(Journal::new(JournalConfig::default()));
        let admin = Admin::new(registry, journal, Arc::new(MemoryStore::new()), None);
        Fixture { dir, admin }
    }

    pub fn loopback() -> SocketAddr {
        "127.0.0.1:40000".parse().unwrap()
    }

    pub fn call(
        admin: &Admin,
        method: &str,
        uri: &str,
        body: &str,
    ) -> (u16, Value, Response<Bytes>) {
        let req = Request::builder()
            .method(method)
            .uri(uri)
            .body(Bytes::copy_from_slice(body.as_bytes()))
            .unwrap();
        let res = handle(admin, req, loopback());
        let status = res.status().as_u16();
        let v = serde_json::from_slice(res.body()).unwrap_or(Value::Null);
        (status, v, res)
    }

    /// Records a mock request answered the way the engine would.
    pub fn serve(admin: &Admin, method: &str, uri: &str, body: &str, headers: &[(&str, &str)]) {
        let mut b = Request::builder()
            .method(method)
            .uri(uri)
            .header("host", "localhost:8080");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        let (parts, ()) = b.body(()).unwrap().into_parts();
        let set = admin.registry.current();
        let req = standin_core::Request {
            method: &parts.method,
            path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            body: body.as_bytes(),
            now_unix_ms: 0,
            peer: None,
        };
        let reply = match set.find(&req, admin.store.as_ref()) {
            Some(stub) => {
                let mut r = stub.response.reply(&stub, &req, &[], 1);
                r.why.answerer = Kind::Stub;
                r.why.stub = Some(stub.id.clone());
                r
            }
            None => {
                let mut r = Reply::status(404);
                r.why.note = Some("no-stub-matched");
                r.why.near = set
                    .near_misses(&req, 3)
                    .into_iter()
                    .map(|(s, m)| standin_core::exchange::NearMiss {
                        answerer: Kind::Stub,
                        label: s.label().to_string(),
                        distance: m.distance,
                        reasons: Vec::new(),
                    })
                    .collect();
                r
            }
        };
        admin.observe(
            &parts,
            &Bytes::copy_from_slice(body.as_bytes()),
            "10.0.0.9:1234".parse().unwrap(),
            &reply,
            &Arc::new(reply.why.clone()),
            SystemTime::now(),
            Duration::from_micros(50),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn the_root_redirects_and_its_slash_lists_mappings() {
        let f = fixture();
        let (status, _, res) = call(&f.admin, "GET", "/__admin", "");
        assert_eq!(status, 302);
        assert_eq!(res.headers()["location"], "/__admin/");
        let (status, v, _) = call(&f.admin, "GET", "/__admin/", "");
        assert_eq!(status, 200);
        assert_eq!(v["meta"]["total"], 1);
    }

    #[test]
    fn unknown_routes_are_404_naming_the_path() {
        let f = fixture();
        let (status, v, _) = call(&f.admin, "GET", "/__admin/nope/x", "");
        assert_eq!(status, 404);
        assert!(
            v["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("GET /__admin/nope/x")
        );
        let (status, _, _) = call(&f.admin, "PATCH", "/__admin/mappings", "");
        assert_eq!(status, 404);
    }

    #[test]
    fn only_loopback_or_the_token_gets_in() {
        let f = fixture();
        let req = |auth: Option<&str>| {
            let mut b = Request::builder().uri("/__admin/health");
            if let Some(a) = auth {
                b = b.header("authorization", a);
            }
            b.body(Bytes::new()).unwrap()
        };
        let remote: SocketAddr = "192.0.2.1:5555".parse().unwrap();
        let res = handle(&f.admin, req(None), remote);
        assert_eq!(res.status(), 403);
        let v: Value = serde_json::from_slice(res.body()).unwrap();
        assert!(
            v["errors"][0]["detail"]
                .as_str()
                .unwrap()
                .contains("--admin-token")
        );
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:5555".parse().unwrap();
        assert_eq!(handle(&f.admin, req(None), mapped).status(), 200);

        let with_token = Admin::new(
            f.admin.registry.clone(),
            f.admin.journal.clone(),
            f.admin.store.clone(),
            Some("s3cret".into()),
        );
        assert_eq!(handle(&with_token, req(None), remote).status(), 403);
        assert_eq!(
            handle(&with_token, req(Some("Bearer nope")), remote).status(),
            403
        );
        assert_eq!(
            handle(&with_token, req(Some("Bearer s3cret")), remote).status(),
            200
        );
    }

    #[test]
    fn admin_paths_are_told_apart() {
        assert!(Admin::claims("/__admin"));
        assert!(Admin::claims("/__admin/mappings"));
        assert!(!Admin::claims("/__administrator"));
        assert!(!Admin::claims("/x/__admin"));
    }

    #[test]
    fn malformed_json_is_422_saying_where() {
        let f = fixture();
        let (status, v, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings",
            "{\n  \"request\": ,\n}",
        );
        assert_eq!(status, 422);
        let detail = v["errors"][0]["detail"].as_str().unwrap();
        assert!(detail.contains("line 2"), "{detail}");
        assert_eq!(v["errors"][0]["title"], "Error parsing JSON");
    }

    #[test]
    fn query_parameters_that_do_not_parse_are_400_with_the_route_s_message() {
        let f = fixture();
        let (status, v, _) = call(&f.admin, "GET", "/__admin/requests?limit=x", "");
        assert_eq!(status, 400);
        assert_eq!(v["errors"][0]["title"], "limit must be 0 or greater");
        assert_eq!(v["errors"][0]["detail"], "got \"x\"");
        let (status, v, _) = call(&f.admin, "GET", "/__admin/requests?matchingStub=z", "");
        assert_eq!(status, 400);
        assert_eq!(v["errors"][0]["code"], 15);
        let (status, v, _) = call(&f.admin, "GET", "/__admin/mappings?offset=-1", "");
        assert_eq!(status, 400);
        assert_eq!(v["errors"][0]["code"], 10);
        assert!(v["errors"][0].get("detail").is_none());
        let (status, _, _) = call(&f.admin, "GET", "/__admin/requests?limit=1", "");
        assert_eq!(status, 200);
    }

    #[test]
    fn observe_journals_and_marks_hits() {
        let f = fixture();
        serve(&f.admin, "GET", "/hello", "", &[]);
        assert_eq!(f.admin.journal.len(), 1);
        assert!(f.admin.registry.unmatched().is_empty());
    }
}
