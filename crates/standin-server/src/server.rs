//! One mock's request path: hyper underneath, the core's engine inside. Which mock a
//! request is for (its port, a `/mocks/{name}` prefix, its host name) is decided by
//! [`crate::service`] before it gets here; the listeners, the connection limit and the
//! stop signal are the service's too.
//!
//! Each request to the mock reads the current snapshot and stub set through `ArcSwap`s
//! (no lock), asks the engine for a reply inside `catch_unwind` (a panic becomes a 500
//! for that request only), and leaves through one exit: the journal records it, the
//! delay is slept, the reply is sent (a streamed file, a dribbled body, or a fault on the
//! connection) and a line goes to the log thread. Requests under `/__admin` go to the
//! admin API instead and are not journalled.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use standin_core::answer::Answerer;
use standin_core::engine::Mock;
use standin_core::exchange::{Forward, Kind};
use standin_core::problem::Problem;
use standin_core::state::Store;
use standin_core::{MockSettings, Reply, Snapshot};
use tokio::sync::{Semaphore, watch};

use crate::admin::Admin;
use crate::body::ReplyBody;
use crate::conn::{Control, Faulted};
use crate::files::DiskFiles;
use crate::forward::{Forwarded, Forwarder, Outgoing, Prefixed};
use crate::journal::Journal;
use crate::limits::Limits;
use crate::log::{Line, LogFormat, Logger};
use crate::registry::Registry;
use crate::sender::{Sender, SenderConfig};
use crate::shared::stubs::{StubSync, Written};

/// One mock to serve.
#[derive(Debug, Clone)]
pub struct MockConfig {
    /// Its name, for logs.
    pub name: String,
    /// Its sources.
    pub sources: Vec<PathBuf>,
    /// Address to bind.
    pub host: String,
    /// Port to bind (0: any free port).
    pub port: u16,
    /// How it answers.
    pub settings: MockSettings,
    /// Reload when a source changes.
    pub watch: bool,
    /// Serve HTTPS with this certificate: on `port` alone, or on `tls_port` beside
    /// plain HTTP on `port`.
    pub tls: Option<crate::tls::TlsSource>,
    /// The port of HTTPS beside plain HTTP on `port` (0: any free port).
    pub tls_port: Option<u16>,
}

/// Options shared by every mock of a process.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The request log format.
    pub log: LogFormat,
    /// What a client may send and hold ([`Limits`]).
    pub limits: Limits,
    /// The admin API, the journal and stub templating.
    pub runtime: RuntimeOptions,
    /// Where the service listens when no mock is configured, host routing, the store.
    pub service: ServiceOptions,
}

/// What a process serving many mocks needs beside them.
#[derive(Debug, Clone)]
pub struct ServiceOptions {
    /// The address the service listens on when no mock is configured.
    pub host: String,
    /// Its port (0: any free port).
    pub port: u16,
    /// Mocks are reached as `{name}.{domain}` (the `Host` header) too.
    pub domain: Option<String>,
    /// `redis://HOST:PORT/DB` or `rediss://…`: state, runtime mocks and the journal
    /// shared by every replica; `None`: this process's memory.
    pub store: Option<String>,
    /// The journal entries the shared stream keeps (per mock, approximately).
    pub shared_journal_max: usize,
}

impl Default for ServiceOptions {
    fn default() -> Self {
        ServiceOptions {
            host: "127.0.0.1".into(),
            port: 4010,
            domain: None,
            store: None,
            shared_journal_max: 10_000,
        }
    }
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            log: LogFormat::Text,
            limits: Limits::default(),
            runtime: RuntimeOptions::default(),
            service: ServiceOptions::default(),
        }
    }
}

/// What every mock of a process has beside its sources: the admin API, the request
/// journal and its budget, and whether every stub is templated.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    /// Serve the admin API at `/__admin`.
    pub admin: bool,
    /// The bearer token clients from other addresses must send to the admin API.
    pub admin_token: Option<String>,
    /// Keep a request journal.
    pub journal: bool,
    /// The most entries the journal keeps.
    pub journal_max_entries: usize,
    /// The most bytes the journal's entries take.
    pub journal_max_bytes: usize,
    /// Bodies longer than this are journalled truncated.
    pub journal_max_body: usize,
    /// Template every stub's response (WireMock's `--global-response-templating`).
    pub global_templating: bool,
    /// How callbacks and webhooks are sent.
    pub outbound: SenderConfig,
    /// A PEM file of certificates trusted for `https://` upstreams and callback targets,
    /// beside the built-in roots.
    pub outbound_ca: Option<PathBuf>,
    /// Routes of Mockoon environments not served: uuids, or keywords their path holds.
    pub disabled_routes: Vec<String>,
    /// Accept any certificate of an `https://` upstream or callback target.
    pub upstream_insecure: bool,
    /// How long a connection to an upstream may take.
    pub upstream_connect_timeout: Duration,
    /// How long an exchange with an upstream may take, its body included.
    pub upstream_timeout: Duration,
    /// Speak only HTTP/2 to upstreams (prior knowledge on `http://`).
    pub upstream_http2: bool,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        RuntimeOptions {
            admin: true,
            admin_token: None,
            journal: true,
            journal_max_entries: 10_000,
            journal_max_bytes: 64 << 20,
            journal_max_body: 64 << 10,
            global_templating: false,
            outbound: SenderConfig::default(),
            outbound_ca: None,
            disabled_routes: Vec::new(),
            upstream_insecure: false,
            upstream_connect_timeout: crate::forward::CONNECT_TIMEOUT,
            upstream_timeout: crate::forward::TOTAL_TIMEOUT,
            upstream_http2: false,
        }
    }
}

/// A mock being served.
pub struct RunningMock {
    /// Its name.
    pub name: String,
    /// Its request journal (`standin record` writes it out).
    pub journal: Arc<Journal>,
    /// The address of its first listener (`port`).
    pub addr: SocketAddr,
    /// Where it answers: the first listener's `http(s)://ADDR` when it has the port to
    /// itself, else `http://ADDR/mocks/NAME`.
    pub url: String,
    /// Every listener of its own: `port`, then `tls_port` when given (none when it
    /// shares a port with other mocks).
    pub listeners: Vec<Bound>,
    /// Operations served at start.
    pub operations: usize,
    /// Saved examples (Postman, HAR) served at start.
    pub saved: usize,
    /// WireMock stubs served at start.
    pub stubs: usize,
    /// Mockoon routes served at start.
    pub routes: usize,
    /// How long the first load took.
    pub load_time: Duration,
    /// Diagnostics of the first load.
    pub diagnostics: Vec<standin_core::Diagnostic>,
    /// The current snapshot.
    pub snapshot: Arc<ArcSwap<Snapshot>>,
}

/// A listener of a mock: its address and, for HTTPS, its certificate.
#[derive(Debug, Clone)]
pub struct Bound {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The certificate it presents; `None` for plain HTTP.
    pub certificate: Option<crate::tls::Certificate>,
}

impl Bound {
    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        if self.certificate.is_some() {
            "https"
        } else {
            "http"
        }
    }

    /// `http://ADDR` or `https://ADDR` (an unspecified address is reached through
    /// loopback).
    pub fn url(&self) -> String {
        format!(
            "{}://{}",
            self.scheme(),
            crate::admin::mock::url_host(self.addr)
        )
    }
}

/// Everything started by [`crate::start`].
pub struct Running {
    /// The mocks of the config, in the order given.
    pub mocks: Vec<RunningMock>,
    /// Every address listened on (the service's first).
    pub listeners: Vec<SocketAddr>,
    /// The service: every mock, runtime ones too.
    pub service: Arc<crate::service::Service>,
    /// Set to `true` to stop: the listeners close, connections finish and close.
    pub(crate) stop: watch::Sender<bool>,
    /// One permit per connection that may still open; all of them back means none is.
    pub(crate) connections: Arc<Semaphore>,
    /// The permits there are.
    pub(crate) max_connections: u32,
    /// Notified by `POST /__admin/shutdown`.
    pub(crate) shutdown_requested: Arc<tokio::sync::Notify>,
}

impl Running {
    /// Resolves once a client asked the admin API to stop (`POST /__admin/shutdown`); the
    /// caller then stops as on a signal, with [`Running::shutdown`].
    pub async fn shutdown_requested(&self) {
        self.shutdown_requested.notified().await;
    }

    /// Stops serving: every listener stops accepting (new connections are refused by
    /// the system), every connection finishes its requests in flight and closes, for at
    /// most `grace`. Answers how many connections were still open when `grace` ran out
    /// (they close when the process exits).
    pub async fn shutdown(&self, grace: Duration) -> usize {
        let _ = self.stop.send(true);
        let all = self.connections.acquire_many(self.max_connections);
        let open = match tokio::time::timeout(grace, all).await {
            Ok(_) => 0,
            Err(_) => self.max_connections as usize - self.connections.available_permits(),
        };
        crate::tls::remove_made();
        open
    }
}

pub(crate) struct MockState {
    pub(crate) name: &'static str,
    /// What names its state and stubs in a shared store (`cfg:<name>`, `rt:<id>`).
    pub(crate) key: String,
    pub(crate) snapshot: Arc<ArcSwap<Snapshot>>,
    pub(crate) registry: Arc<Registry>,
    pub(crate) environments: Arc<standin_mockoon::Environments>,
    pub(crate) store: Arc<dyn Store>,
    /// The shared store the mock's state lives in, when replicas share it.
    pub(crate) shared: Option<Arc<crate::shared::Shared>>,
    /// Its request counts and latencies.
    pub(crate) metrics: Arc<crate::metrics::MockMetrics>,
    pub(crate) admin: Arc<Admin>,
    pub(crate) admin_on: bool,
    pub(crate) logger: Logger,
    pub(crate) max_body: usize,
    pub(crate) limits: Limits,
    pub(crate) forwarder: Forwarder,
    /// Becomes `true` when the server stops (event streams end on it).
    pub(crate) stop: tokio::sync::watch::Receiver<bool>,
    /// Sends the callbacks and webhooks replies ask for.
    pub(crate) sender: Sender,
    /// A partial mock's upstream: what no source answers is forwarded there.
    pub(crate) upstream: Option<Forward>,
    /// The validation proxy: every request goes upstream, checked on the way.
    pub(crate) forward_all: bool,
    /// Which version of the stubs shared with other replicas it serves.
    pub(crate) stub_sync: StubSync,
}

/// Loads a snapshot from disk and times it.
pub fn load(sources: &[PathBuf], settings: &MockSettings) -> (Snapshot, Duration) {
    let started = Instant::now();
    let snap = Snapshot::build(&DiskFiles, sources, settings.clone());
    (snap, started.elapsed())
}

/// Loads Mockoon environment files, leaving out the routes `disabled` names (uuids or
/// keywords); one that cannot be read or parsed is an error diagnostic and serves
/// nothing.
pub fn load_environments(paths: &[PathBuf], disabled: &[String]) -> standin_mockoon::Environments {
    standin_mockoon::Environments(
        paths
            .iter()
            .map(|p| standin_mockoon::Environment::open(p, disabled))
            .collect(),
    )
}

/// Answers one request for this mock (its path already without a `/mocks/{name}`
/// prefix).
pub(crate) async fn handle(
    state: Arc<MockState>,
    parts: http::request::Parts,
    body: Incoming,
    control: Control,
) -> Result<Response<ReplyBody>, Faulted> {
    let started = Instant::now();
    let at = SystemTime::now();
    let peer = control.peer();
    // A request past a limit is answered without its body being read.
    let declared = http_body::Body::size_hint(&body).lower();
    let body = match state.limits.check(&parts, declared) {
        Some(over) => Err(limit_reply(&state, &parts, over)),
        None if streams_requests(&state) && !Admin::claims(parts.uri.path()) => {
            // Passed on as it arrives, but bounded as every request body is.
            let mut body = Limited::new(body, state.max_body);
            match crate::forward::read_up_to(&mut body, keep_of(&state)).await {
                Err(e) => Err(unreadable(&state, &parts, &*e)),
                Ok((first, true)) => Ok(first),
                Ok((first, false)) => {
                    let _working = control.working();
                    let rest = body.boxed_unsync();
                    let (mut reply, rest) =
                        Box::pin(forward_streaming(&state, &parts, first.clone(), rest)).await;
                    return Box::pin(send(
                        &state, &parts, first, &mut reply, rest, at, started, peer, &control,
                    ))
                    .await;
                }
            }
        }
        // No body (a GET, say): nothing to gather.
        None if http_body::Body::is_end_stream(&body)
            && !(state.admin_on && Admin::claims(parts.uri.path())) =>
        {
            Ok(Bytes::new())
        }
        None => {
            let collected = Limited::new(body, state.max_body).collect().await;
            if state.admin_on && Admin::claims(parts.uri.path()) {
                return Ok(admin_answer(&state, parts, collected, peer));
            }
            collected
                .map(|c| c.to_bytes())
                .map_err(|e| unreadable(&state, &parts, &*e))
        }
    };
    // The body is in: what follows is the server's doing, not the client's.
    let _working = control.working();
    let body = match body {
        Ok(body) => body,
        Err(mut reply) => {
            return send(
                &state,
                &parts,
                Bytes::new(),
                &mut reply,
                None,
                at,
                started,
                peer,
                &control,
            )
            .await;
        }
    };
    let entropy: u64 = rand::random();
    // The client as the engine sees it. One from another address that presents the
    // admin token is let into the admin routes a mock answers itself (Mockoon's
    // `/mockoon-admin`) as a loopback client is: the engine is told no address.
    let engine_peer = match parts.uri.path().starts_with(standin_mockoon::admin::PREFIX)
        && !peer.ip().to_canonical().is_loopback()
        && crate::admin::token_admits(state.admin.token.as_deref(), &parts.headers)
    {
        true => None,
        false => Some(peer.ip()),
    };
    let reply = {
        let snap = state.snapshot.load();
        let stubs = state.registry.set();
        let first: [&dyn Answerer; 2] = [&**stubs, &*state.environments];
        let mock = Mock {
            snapshot: &snap,
            first: &first,
            store: &*state.store,
        };
        let mut reply = match &state.shared {
            // A remote store answers over the network: the engine may wait for it, so
            // it runs where waiting does not hold up other requests, and a store that
            // failed turns the answer into a 503 naming it.
            Some(shared) => tokio::task::block_in_place(|| {
                crate::shared::store::clear_failure();
                let reply = answer(&mock, &parts, &body, at, engine_peer, entropy);
                match crate::shared::store::take_failure() {
                    Some(why) => shared.unavailable(&why, &snap, &parts.headers),
                    None => reply,
                }
            }),
            None => answer(&mock, &parts, &body, at, engine_peer, entropy),
        };
        reply.delay_ms = reply
            .delay_ms
            .saturating_add(state.admin.extra_delay_ms(&reply, entropy));
        // The mock's delay (`--delay`, the admin API's settings) is added to stub and
        // route answers here; the core's answerers add it to theirs.
        if matches!(reply.why.answerer, Kind::Stub | Kind::Route)
            && let Some(d) = snap.settings.delay
        {
            reply.delay_ms = reply.delay_ms.saturating_add(d.pick(entropy >> 7));
        }
        reply
    };
    // The reply stays where it is from here to the exit (a few hundred bytes, moved
    // only on the rarer paths); their futures are boxed, so that they do not make every
    // request's future (moved before it is polled) kilobytes larger.
    let mut reply = reply;
    if reply.why.note == Some("no-stub-matched") {
        let miss = std::mem::replace(&mut reply, Reply::status(404));
        reply = Box::pin(from_docroot(&state, &parts, miss)).await;
    }
    let mut rest = None;
    if state.upstream.is_some() || reply.wire.forward.is_some() {
        let asked = std::mem::replace(&mut reply, Reply::status(502));
        (reply, rest) = Box::pin(forward_if_asked(&state, &parts, &body, asked)).await;
    }
    send(
        &state, &parts, body, &mut reply, rest, at, started, peer, &control,
    )
    .await
}

/// Whether request bodies are passed on as they arrive, not read whole first: in the
/// validation proxy and `standin record`, unless invalid requests are to be refused
/// (which needs the whole body checked before anything is sent).
fn streams_requests(state: &MockState) -> bool {
    state.forward_all
        && state.upstream.is_some()
        && state.snapshot.load().settings.validate != standin_core::settings::ValidateMode::Enforce
}

/// How much of a body in transit is read before it is passed on: what the journal keeps
/// of a body, and at least [`STREAM_OVER`].
fn keep_of(state: &MockState) -> usize {
    state.admin.journal.config().max_body.max(STREAM_OVER)
}

/// Bodies of forwarded exchanges up to this size (or the journal's body size, if
/// larger) are read whole; longer ones are passed on as they arrive.
pub const STREAM_OVER: usize = 64 << 10;

/// A request whose body is longer than what is read first, forwarded as it arrives:
/// the engine is not asked (its verdict would need the whole body), the journal keeps
/// the body's first bytes, truncated.
async fn forward_streaming(
    state: &MockState,
    parts: &http::request::Parts,
    first: Bytes,
    rest: crate::forward::Streamed,
) -> (Reply, Option<Prefixed>) {
    let Some(up) = &state.upstream else {
        return (Reply::status(500), None);
    };
    let out = Outgoing {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: first,
    };
    let Forwarded { mut reply, rest } = state
        .forwarder
        .forward_streamed(up, out, Some(rest), keep_of(state))
        .await;
    reply.why.note = Some(reply.why.note.unwrap_or("proxied"));
    reply.why.answerer = Kind::Upstream;
    reply.why.source = Some(up.base.clone());
    (reply, rest)
}

/// Forwards the request when the reply asks for it (a `proxyBaseUrl` stub) or when it is
/// a miss of a partial mock whose request forces no answer; the upstream's answer keeps
/// the reply's own headers (`Matched-Stub-Id`), delay and reasons, noted "proxied".
async fn forward_if_asked(
    state: &MockState,
    parts: &http::request::Parts,
    body: &Bytes,
    mut reply: Reply,
) -> (Reply, Option<Prefixed>) {
    if state.forward_all
        && let Some(up) = &state.upstream
    {
        return validating_forward(state, parts, body, reply, up).await;
    }
    let how = match reply.wire.forward.take() {
        Some(f) => *f,
        None => match &state.upstream {
            Some(up) if is_miss(&reply) && !forces_answer(parts) => up.clone(),
            _ => return (reply, None),
        },
    };
    let out = Outgoing {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: body.clone(),
    };
    let Forwarded {
        reply: mut answer,
        rest,
    } = state
        .forwarder
        .forward_streamed(&how, out, None, keep_of(state))
        .await;
    let failed = answer.why.note;
    if reply.why.answerer == standin_core::exchange::Kind::None {
        // A miss forwarded: the upstream answered it, and the near misses are no
        // longer the answer's reasons.
        reply.why = Default::default();
        reply.why.answerer = standin_core::exchange::Kind::Upstream;
        reply.headers.clear();
    }
    // The mock's own headers (`Matched-Stub-Id`) replace the upstream's of that name.
    answer
        .headers
        .retain(|(n, _)| !reply.headers.iter().any(|(own, _)| own == n));
    answer.headers.append(&mut reply.headers);
    answer.delay_ms = reply.delay_ms;
    answer.wire.calls = std::mem::take(&mut reply.wire.calls);
    answer.why = reply.why;
    answer.why.source = Some(how.base);
    answer.why.note = Some(failed.unwrap_or("proxied"));
    (answer, rest)
}

/// The validation proxy: the engine's answer is only its verdict on the request (an
/// enforced rejection is answered; violations are kept), the upstream answers, and its
/// response is checked against the document too.
async fn validating_forward(
    state: &MockState,
    parts: &http::request::Parts,
    body: &Bytes,
    verdict: Reply,
    up: &Forward,
) -> (Reply, Option<Prefixed>) {
    let enforce =
        state.snapshot.load().settings.validate == standin_core::settings::ValidateMode::Enforce;
    if enforce && verdict.status >= 400 && verdict.why.note.is_some() && !is_miss(&verdict) {
        return (verdict, None);
    }
    let out = Outgoing {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: body.clone(),
    };
    let Forwarded {
        reply: mut answer,
        rest,
    } = state
        .forwarder
        .forward_streamed(up, out, None, keep_of(state))
        .await;
    let failed = answer.why.note;
    let mut violations: Vec<String> = verdict.why.violations.into_iter().collect();
    // A body passed on as it arrives is not held to be checked.
    if failed.is_none() && rest.is_none() {
        let content_type = answer
            .headers
            .iter()
            .find(|(n, _)| n == http::header::CONTENT_TYPE)
            .and_then(|(_, v)| v.to_str().ok());
        violations.extend(standin_core::conformance::response_problems(
            &state.snapshot.load(),
            &parts.method,
            parts.uri.path(),
            answer.status,
            content_type,
            &answer.body,
        ));
    }
    answer.why.answerer = standin_core::exchange::Kind::Upstream;
    answer.why.operation = verdict.why.operation;
    answer.why.source = Some(up.base.clone());
    answer.why.note = Some(failed.unwrap_or("proxied"));
    if !violations.is_empty() {
        let text = violations.join("; ");
        let safe: String = text
            .chars()
            .map(|c| {
                if c.is_ascii() && !c.is_ascii_control() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        if let Ok(v) = http::HeaderValue::from_str(&safe) {
            answer
                .headers
                .push((http::HeaderName::from_static("x-standin-violations"), v));
        }
        answer.why.violations = Some(text);
    }
    (answer, rest)
}

/// Whether the engine found no source for the request (not a deliberate error answer).
fn is_miss(reply: &Reply) -> bool {
    reply.why.answerer == standin_core::exchange::Kind::None
        && matches!(
            reply.why.note,
            Some(
                "no-route" | "no-stub-matched" | "no-match" | "no-saved-match" | "no-route-matched"
            )
        )
}

/// Whether the request forces a status or an example: such a request is the mock's to
/// answer, never the upstream's.
fn forces_answer(parts: &http::request::Parts) -> bool {
    let d = standin_core::directives::Directives::read(&parts.headers, parts.uri.query());
    d.code.is_some() || d.example.is_some()
}

/// A GET that no stub matched is served from `__files/` when the file exists, as
/// WireMock serves its files directory as a docroot; the journal still counts it as
/// unmatched. Only misses pay for the file-system lookup.
async fn from_docroot(state: &MockState, parts: &http::request::Parts, miss: Reply) -> Reply {
    if parts.method != http::Method::GET && parts.method != http::Method::HEAD {
        return miss;
    }
    let Some(root) = state.registry.files_root() else {
        return miss;
    };
    let decoded = standin_core::wire::percent_decode(parts.uri.path());
    let relative = decoded.trim_start_matches('/');
    let escapes = std::path::Path::new(relative)
        .components()
        .any(|c| !matches!(c, std::path::Component::Normal(_)));
    if relative.is_empty() || escapes {
        return miss;
    }
    let path = root.join(relative);
    match tokio::fs::metadata(&path).await {
        Ok(m) if m.is_file() => {}
        _ => return miss,
    }
    let mut reply = Reply::status(200);
    if let Some(ct) = media_type_of(&path) {
        reply.headers.push((
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(ct),
        ));
    }
    reply.wire.body_file = Some(path);
    reply.why.note = Some("served from __files");
    reply.why.near = miss.why.near;
    let snap = state.snapshot.load();
    standin_core::engine::finish_foreign(&snap, &mut reply, &parts.headers);
    reply
}

/// The media type of a docroot file, by its extension.
fn media_type_of(path: &std::path::Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "js" | "mjs" => "text/javascript",
        "json" => "application/json",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        _ => return None,
    })
}

/// The 413 or 400 of a body that could not be read, with CORS headers.
fn unreadable(
    state: &MockState,
    parts: &http::request::Parts,
    e: &(dyn std::error::Error + Send + Sync + 'static),
) -> Reply {
    let too_big = e
        .downcast_ref::<http_body_util::LengthLimitError>()
        .is_some();
    let p = if too_big {
        Problem::new(
            413,
            "body-too-large",
            "Request body too large",
            format!("The body exceeds {} bytes.", state.max_body),
            Default::default(),
        )
    } else {
        Problem::new(
            400,
            "body-unreadable",
            "Request body could not be read",
            e.to_string(),
            Default::default(),
        )
    };
    let mut reply = Reply::from_problem(
        p,
        if too_big {
            "body-too-large"
        } else {
            "body-unreadable"
        },
    );
    standin_core::engine::finish_foreign(&state.snapshot.load(), &mut reply, &parts.headers);
    reply
}

/// The answer to a request past a limit hyper leaves to the service (413 declared,
/// 414, 431), with CORS headers; the connection closes after it (on HTTP/1, the body
/// is not read).
fn limit_reply(
    state: &MockState,
    parts: &http::request::Parts,
    over: crate::limits::Exceeded,
) -> Reply {
    let mut reply = Reply::from_problem(
        Problem::new(
            over.status,
            over.kind,
            over.title,
            over.detail,
            Default::default(),
        ),
        over.kind,
    );
    if parts.version != http::Version::HTTP_2 {
        reply.headers.push((
            http::header::CONNECTION,
            http::HeaderValue::from_static("close"),
        ));
    }
    standin_core::engine::finish_foreign(&state.snapshot.load(), &mut reply, &parts.headers);
    reply
}

/// An admin API request: answered in full (no delay, no journal), inside
/// `catch_unwind` like the mock's own answers.
fn admin_answer(
    state: &MockState,
    parts: http::request::Parts,
    collected: Result<http_body_util::Collected<Bytes>, Box<dyn std::error::Error + Send + Sync>>,
    peer: SocketAddr,
) -> Response<ReplyBody> {
    let body = match collected {
        Ok(c) => c.to_bytes(),
        Err(e) => {
            let reply = unreadable(state, &parts, &*e);
            return plain_response(reply);
        }
    };
    let req = Request::from_parts(parts, body);
    if crate::admin::stream::claims(req.method(), req.uri().path()) {
        return match crate::admin::allowed(state.admin.token.as_deref(), &req, peer) {
            Ok(()) => crate::admin::stream::open(state.admin.clone(), &req, state.stop.clone()),
            Err(refused) => refused.map(ReplyBody::full),
        };
    }
    let changes_stubs = req.method() != http::Method::GET
        && req.method() != http::Method::HEAD
        && (req.uri().path().starts_with("/__admin/mappings")
            || req.uri().path() == "/__admin/reset");
    let (parts, body) = req.into_parts();
    let call = || {
        let req = Request::from_parts(parts.clone(), body.clone());
        std::panic::catch_unwind(AssertUnwindSafe(|| {
            crate::admin::handle(&state.admin, req, peer)
        }))
    };
    // Routes that read or reset the state wait for a remote store; stubs created or
    // removed are changed on the newest shared copy and saved for the other replicas.
    let answered = match &state.shared {
        Some(shared) => tokio::task::block_in_place(|| {
            let unavailable = |why: &str| {
                let reply =
                    shared.unavailable(why, &state.snapshot.load(), &http::HeaderMap::new());
                let mut res = Response::new(reply.body);
                *res.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
                *res.headers_mut() = header_map(reply.headers);
                res
            };
            let attempt = || {
                crate::shared::store::clear_failure();
                let answered = call();
                match crate::shared::store::take_failure() {
                    // What the route read or changed in the store did not happen.
                    Some(why) => Written::Unchanged(Ok(unavailable(&why))),
                    None if answered.as_ref().is_ok_and(|r| r.status().as_u16() < 400) => {
                        Written::Changed(answered)
                    }
                    None => Written::Unchanged(answered),
                }
            };
            let handle = tokio::runtime::Handle::try_current().ok();
            match (changes_stubs, handle) {
                (true, Some(handle)) => state
                    .stub_sync
                    .write(shared, &state.key, &state.registry, &handle, attempt)
                    .unwrap_or_else(|why| Ok(unavailable(&why))),
                _ => match attempt() {
                    Written::Changed(a) | Written::Unchanged(a) => a,
                },
            }
        }),
        None => call(),
    };
    match answered {
        Ok(res) => res.map(ReplyBody::full),
        Err(panic) => plain_response(Reply::from_problem(
            Problem::new(
                500,
                "internal",
                "Internal error",
                format!("the admin API failed: {}", panic_text(&*panic)),
                Default::default(),
            ),
            "internal",
        )),
    }
}

pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown".into())
}

/// Asks the engine, inside `catch_unwind`: a panic becomes a 500 for this request only,
/// with the CORS headers a browser needs to see it.
fn answer(
    mock: &Mock<'_>,
    parts: &http::request::Parts,
    body: &Bytes,
    at: SystemTime,
    peer: Option<std::net::IpAddr>,
    entropy: u64,
) -> Reply {
    let snap = mock.snapshot;
    let request = standin_core::Request {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body,
        now_unix_ms: at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        peer,
    };
    match std::panic::catch_unwind(AssertUnwindSafe(|| {
        if snap.settings.forward_all {
            // The validation proxy forwards every request: only the verdict is read.
            standin_core::engine::verdict(snap, &request)
        } else {
            standin_core::engine::handle_with(mock, &request, entropy)
        }
    })) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic_text(&*panic);
            eprintln!(
                "standin: internal error answering {} {}: {what}",
                parts.method, parts.uri
            );
            let mut reply = Reply::from_problem(
                Problem::new(
                    500,
                    "internal",
                    "Internal error",
                    format!("standin failed while answering this request: {what}"),
                    Default::default(),
                ),
                "internal",
            );
            standin_core::engine::finish_foreign(snap, &mut reply, &parts.headers);
            reply
        }
    }
}

/// The one exit of every request to the mock: journal, delay, send (a body, a streamed
/// file, a dribble, or a fault on the connection), log.
#[allow(clippy::too_many_arguments)]
async fn send(
    state: &MockState,
    parts: &http::request::Parts,
    body: Bytes,
    reply: &mut Reply,
    rest: Option<Prefixed>,
    at: SystemTime,
    started: Instant,
    peer: SocketAddr,
    control: &Control,
) -> Result<Response<ReplyBody>, Faulted> {
    let fault = reply.wire.fault;
    if let Some(f) = fault {
        // The log and the journal show the fault as the note.
        reply.why.note = reply.why.note.or(Some(f.as_str()));
    }
    // The reasons go to the journal and the log line: moved out once, shared by both.
    let why = Arc::new(std::mem::take(&mut reply.why));
    state
        .metrics
        .observe(reply.status, why.answerer, started.elapsed());
    let event = state
        .admin
        .observe(parts, &body, peer, reply, &why, at, started.elapsed());
    drop(body);
    let calls = std::mem::take(&mut reply.wire.calls);
    if reply.delay_ms > 0 {
        // Boxed, as the rarer case: a timer in place makes every reply's future larger.
        Box::pin(tokio::time::sleep(Duration::from_millis(reply.delay_ms))).await;
    }
    let response = match fault {
        // The log shows status 0.
        Some(_) => None,
        None => {
            let status = reply.status;
            let headers = std::mem::take(&mut reply.headers);
            let body = std::mem::take(&mut reply.body);
            let wire = std::mem::take(&mut reply.wire);
            let sending = match rest {
                // An upstream's body still arriving: passed on as it comes, `body` (its
                // first bytes, for the journal) being the start of it.
                Some(rest) => Ok(ReplyBody::passed(rest.boxed_unsync())),
                None => ReplyBody::for_reply(&wire, body).await,
            };
            let response = match sending {
                Ok(mut body) => {
                    // Callbacks go out once the answer is sent, never before.
                    for call in &calls {
                        let answered = body.when_sent();
                        let _ = state.sender.submit(call.clone(), event, Some(answered));
                    }
                    // The waits of a dribble are the server's: not idleness.
                    let body = match wire.dribble {
                        Some(_) => body.holding(Box::new(control.held())),
                        None => body,
                    };
                    let mut response = Response::new(body);
                    *response.status_mut() =
                        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                    *response.headers_mut() = header_map(headers);
                    if let Some(message) = &wire.status_message
                        && let Ok(phrase) =
                            hyper::ext::ReasonPhrase::try_from(message.as_bytes().to_vec())
                    {
                        response.extensions_mut().insert(phrase);
                    }
                    response
                }
                // The file went missing after the stub was loaded.
                Err(e) => {
                    for call in &calls {
                        let _ = state.sender.submit(call.clone(), event, None);
                    }
                    plain_response(Reply::from_problem(
                        Problem::new(
                            500,
                            "body-file-unreadable",
                            "The stub's body file cannot be read",
                            e.to_string(),
                            Default::default(),
                        ),
                        "body-file-unreadable",
                    ))
                }
            };
            Some(response)
        }
    };
    if state.logger.enabled() {
        state.logger.log(Line {
            at,
            mock: **state.admin.mock.name.load(),
            method: parts.method.clone(),
            target: crate::log::target_of(&parts.uri),
            status: response.as_ref().map_or(0, |r| r.status().as_u16()),
            elapsed: started.elapsed(),
            why,
        });
    }
    if let Some(f) = fault {
        // A fault is the answer: the calls go out after it.
        for call in calls {
            let _ = state.sender.submit(call, event, None);
        }
        return Err(control.fault(f));
    }
    Ok(response.unwrap_or_else(|| plain_response(Reply::status(500))))
}

/// A reply of standin's own with its bytes, no streaming.
pub(crate) fn plain_response(reply: Reply) -> Response<ReplyBody> {
    let mut response = Response::new(ReplyBody::full(reply.body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    *response.headers_mut() = header_map(reply.headers);
    response
}

/// A reply's headers as hyper sends them, the map made once at its size (appending to an
/// empty one grew it header by header).
fn header_map(list: Vec<(http::HeaderName, http::HeaderValue)>) -> http::HeaderMap {
    let mut map = http::HeaderMap::with_capacity(list.len());
    for (name, value) in list {
        map.append(name, value);
    }
    map
}
