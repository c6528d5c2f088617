//! The HTTP server: one listener per mock, hyper underneath, the core's engine inside.
//!
//! Each request reads the current snapshot through an `ArcSwap` (no lock), asks the
//! engine for a reply inside `catch_unwind` (a panic becomes a 500 for that request
//! only), sleeps for the reply's delay, sends it, and hands a line to the log thread.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use arc_swap::ArcSwap;
use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use standin_core::problem::Problem;
use standin_core::{MockSettings, Reply, Snapshot};
use tokio::net::TcpListener;

use crate::files::DiskFiles;
use crate::log::{Line, LogFormat, Logger};

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
}

/// Options shared by every mock of a process.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The request log format.
    pub log: LogFormat,
    /// The largest request body accepted, in bytes.
    pub max_body: usize,
    /// The admin API, the journal and stub templating.
    pub runtime: RuntimeOptions,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            log: LogFormat::Text,
            max_body: 16 * 1024 * 1024,
            runtime: RuntimeOptions::default(),
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
        }
    }
}

/// A mock being served.
pub struct RunningMock {
    /// Its name.
    pub name: String,
    /// The address it listens on.
    pub addr: SocketAddr,
    /// Operations served at start.
    pub operations: usize,
    /// Saved examples (Postman, HAR) served at start.
    pub saved: usize,
    /// How long the first load took.
    pub load_time: Duration,
    /// Diagnostics of the first load.
    pub diagnostics: Vec<standin_core::Diagnostic>,
    /// The current snapshot.
    pub snapshot: Arc<ArcSwap<Snapshot>>,
}

/// Everything started by [`start`].
pub struct Running {
    /// The mocks, in the order given.
    pub mocks: Vec<RunningMock>,
}

pub(crate) struct MockState {
    pub(crate) name: &'static str,
    pub(crate) snapshot: Arc<ArcSwap<Snapshot>>,
    pub(crate) logger: Logger,
    pub(crate) max_body: usize,
}

/// Loads a snapshot from disk and times it.
pub fn load(sources: &[PathBuf], settings: &MockSettings) -> (Snapshot, Duration) {
    let started = Instant::now();
    let snap = Snapshot::build(&DiskFiles, sources, settings.clone());
    (snap, started.elapsed())
}

/// Loads every mock, binds its listener and starts serving. Returns once all listen.
pub async fn start(mocks: Vec<MockConfig>, opts: ServeOptions) -> anyhow::Result<Running> {
    let logger = Logger::start(opts.log);
    let mut running = Vec::new();
    for mock in mocks {
        let sources = mock.sources.clone();
        let settings = mock.settings.clone();
        let (snap, load_time) = tokio::task::spawn_blocking(move || load(&sources, &settings))
            .await
            .context("loading the sources")?;
        let operations = snap.operation_count();
        let saved = snap.saved.len();
        let diagnostics = snap.diagnostics.clone();
        if snap.documents.is_empty() && snap.saved.is_empty() && !mock.watch {
            anyhow::bail!(
                "mock '{}': nothing to serve, no source could be loaded\n{}",
                mock.name,
                diagnostics
                    .iter()
                    .map(|d| format!("  {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        let addr = format!("{}:{}", mock.host, mock.port);
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("mock '{}': cannot listen on {addr}", mock.name))?;
        let local = listener.local_addr()?;
        let snapshot = Arc::new(ArcSwap::from_pointee(snap));
        let state = Arc::new(MockState {
            name: Box::leak(mock.name.clone().into_boxed_str()),
            snapshot: snapshot.clone(),
            logger: logger.clone(),
            max_body: opts.max_body,
        });
        if mock.watch {
            crate::reload::watch(mock.clone(), snapshot.clone())?;
        }
        tokio::spawn(accept_loop(listener, state));
        running.push(RunningMock {
            name: mock.name,
            addr: local,
            operations,
            saved,
            load_time,
            diagnostics,
            snapshot,
        });
    }
    Ok(Running { mocks: running })
}

async fn accept_loop(listener: TcpListener, state: Arc<MockState>) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                eprintln!("standin: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let io = TokioIo::new(stream);
            let svc = service_fn(move |req| handle(state.clone(), req));
            let _ = hyper_util::server::conn::auto::Builder::new(TokioExecutor::new())
                .serve_connection(io, svc)
                .await;
        });
    }
}

async fn handle(
    state: Arc<MockState>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let at = SystemTime::now();
    let (parts, body) = req.into_parts();
    let collected = Limited::new(body, state.max_body).collect().await;
    let snap = state.snapshot.load();
    let reply = match collected {
        Ok(collected) => {
            let body = collected.to_bytes();
            answer(&snap, &parts, &body, at)
        }
        Err(e) => {
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
            standin_core::engine::finish_foreign(&snap, &mut reply, &parts.headers);
            reply
        }
    };
    drop(snap);
    Ok(send(&state, parts, reply, at, started).await)
}

/// Asks the engine, inside `catch_unwind`: a panic becomes a 500 for this request only,
/// with the CORS headers a browser needs to see it.
fn answer(snap: &Snapshot, parts: &http::request::Parts, body: &Bytes, at: SystemTime) -> Reply {
    let request = standin_core::Request {
        method: &parts.method,
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body,
        now_unix_ms: at
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        peer: None,
    };
    let entropy: u64 = rand::random();
    match std::panic::catch_unwind(AssertUnwindSafe(|| {
        standin_core::engine::handle(snap, &request, entropy)
    })) {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown".into());
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

/// The one exit of every request: delay, log, send.
async fn send(
    state: &MockState,
    parts: http::request::Parts,
    reply: Reply,
    at: SystemTime,
    started: Instant,
) -> Response<Full<Bytes>> {
    if reply.delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(reply.delay_ms)).await;
    }
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = Response::new(Full::new(reply.body));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    for (name, value) in reply.headers {
        headers.append(name, value);
    }
    if state.logger.enabled() {
        state.logger.log(Line {
            at,
            mock: state.name,
            method: parts.method,
            target: crate::log::target_of(&parts.uri),
            status: status.as_u16(),
            elapsed: started.elapsed(),
            why: reply.why,
        });
    }
    response
}
