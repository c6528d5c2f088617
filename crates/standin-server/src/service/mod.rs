//! The service: every mock of a process, and how a request finds its mock.
//!
//! Mocks come from the config (built at start) and from the admin API (runtime mocks,
//! [`catalog`]). The directory of mocks is read through an `ArcSwap` (requests never
//! lock); installs serialise on one async mutex and publish a new directory.
//!
//! A request goes, in this order, to: the service's own admin routes
//! (`/__admin/mocks…`, `/__admin/metrics`, `/__admin/health`); the mock named by a
//! `/mocks/{name}` path prefix (the prefix taken off); the mock named by the `Host`
//! header's first label under `--domain`; the mock that owns the port (a port with one
//! mock of the config). Anything else is a 404 listing the mocks.
//!
//! With a shared store, definitions of runtime mocks live in it: a replica polls its
//! revision every [`SYNC_EVERY`] and rebuilds only the mocks whose version changed.

pub(crate) mod build;
pub mod catalog;
mod routes;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use arc_swap::ArcSwap;
use http::{Request, Response};
use hyper::body::Incoming;
use standin_core::Diagnostic;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

use crate::admin::mock::Siblings;
use crate::body::ReplyBody;
use crate::conn::{Control, Faulted};
use crate::forward::Forwarder;
use crate::log::Logger;
use crate::server::{Bound, MockConfig, MockState, Running, RunningMock, ServeOptions};
use crate::shared::Shared;
use catalog::Definition;

/// How often a replica looks for mocks changed by another.
pub const SYNC_EVERY: Duration = Duration::from_millis(200);

/// A runtime mock as installed in this process.
pub(crate) struct Installed {
    pub def: Definition,
    pub state: Arc<MockState>,
    pub diagnostics: Vec<Diagnostic>,
    /// Where its files were written.
    pub dir: PathBuf,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every mock, as requests see them.
#[derive(Clone, Default)]
pub(crate) struct Directory {
    /// Every mock by name.
    pub by_name: BTreeMap<String, Arc<MockState>>,
    /// Runtime mocks by id.
    pub runtime: BTreeMap<String, Arc<Installed>>,
    /// The config's mocks, in order, with the address of their own port.
    pub configured: Vec<(String, SocketAddr)>,
}

/// The service (see the module doc).
pub struct Service {
    directory: ArcSwap<Directory>,
    ctx: build::Context,
    /// The first listener's URL: runtime mocks answer under `{base}/mocks/{name}`.
    base: String,
    domain: Option<String>,
    token: Option<String>,
    admin_on: bool,
    started: Instant,
    /// Where runtime mocks' files are written.
    work: PathBuf,
    writes: tokio::sync::Mutex<()>,
    /// The revision of the shared definitions last applied.
    seen: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("mocks", &self.directory.load().by_name.len())
            .finish_non_exhaustive()
    }
}

impl Service {
    /// The shared store, when replicas share one.
    pub(crate) fn shared(&self) -> Option<&Arc<Shared>> {
        self.ctx.shared.as_ref()
    }

    /// Every mock's name, sorted.
    pub fn names(&self) -> Vec<String> {
        self.directory.load().by_name.keys().cloned().collect()
    }

    /// Every mock with its name, sorted by name.
    pub(crate) fn mocks(&self) -> Vec<(String, Arc<MockState>)> {
        self.directory
            .load()
            .by_name
            .iter()
            .map(|(n, m)| (n.clone(), m.clone()))
            .collect()
    }

    fn dir_for(&self, def: &Definition) -> PathBuf {
        self.work.join(format!("{}-{}", def.id, def.version))
    }

    /// Builds a runtime mock (on a blocking thread); refused when a source has an
    /// error or nothing could be loaded. Nothing is installed.
    async fn prepare(&self, def: Definition) -> Result<Installed, Prepared> {
        let dir = self.dir_for(&def);
        let ctx = self.ctx.clone();
        let url = format!("{}/mocks/{}", self.base, def.name);
        let joined = tokio::task::spawn_blocking(move || {
            let config = match catalog::materialise(&def, &dir) {
                Ok(c) => c,
                Err(r) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    return Err(Prepared::Refused(r));
                }
            };
            let built = build::build(&config, &format!("rt:{}", def.id), url, &ctx);
            let diagnostics: Vec<Diagnostic> = built
                .diagnostics
                .into_iter()
                .map(|d| relative(d, &dir))
                .collect();
            if !built.loaded_any || diagnostics.iter().any(Diagnostic::is_error) {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(Prepared::Broken(diagnostics));
            }
            Ok(Installed {
                def,
                state: built.state,
                diagnostics,
                dir,
            })
        })
        .await;
        joined.unwrap_or_else(|e| {
            Err(Prepared::Refused(catalog::Refusal {
                status: 500,
                detail: format!("building the mock failed: {e}"),
                pointer: None,
            }))
        })
    }

    /// Publishes a directory with `installed` in (replacing the mock of its id) and the
    /// ids in `remove` out.
    fn publish(&self, installed: Vec<Installed>, remove: &[String]) {
        let mut dir = (**self.directory.load()).clone();
        for id in remove {
            if let Some(old) = dir.runtime.remove(id) {
                dir.by_name.remove(&old.def.name);
            }
        }
        for inst in installed {
            if let Some(old) = dir.runtime.remove(&inst.def.id) {
                dir.by_name.remove(&old.def.name);
                // Stubs created through its admin API outlive a change of settings or
                // files.
                inst.state.stub_sync.carry_on(&old.state.stub_sync);
                let _ = inst
                    .state
                    .registry
                    .replace_api(&old.state.registry.api_json());
            }
            dir.by_name
                .insert(inst.def.name.clone(), inst.state.clone());
            dir.runtime.insert(inst.def.id.clone(), Arc::new(inst));
        }
        self.directory.store(Arc::new(dir));
    }

    /// Applies the shared definitions that changed since the last look.
    async fn sync(&self) -> Result<(), String> {
        let Some(shared) = self.shared() else {
            return Ok(());
        };
        let rev = shared.mocks_revision().await?;
        if rev == self.seen.load(std::sync::atomic::Ordering::Acquire) {
            return Ok(());
        }
        let _guard = self.writes.lock().await;
        let current = self.directory.load_full();
        if rev == 0 && !current.runtime.is_empty() {
            // The store lost its data (restarted without persistence): what this
            // replica serves is written back, so the others keep it too.
            eprintln!(
                "standin: store {} holds no runtime mocks; writing back the {} this replica serves",
                shared.display(),
                current.runtime.len()
            );
            for m in current.runtime.values() {
                shared.save_mock(&m.def).await?;
            }
            return Ok(());
        }
        let versions = shared.mock_versions().await?;
        let gone: Vec<String> = current
            .runtime
            .keys()
            .filter(|id| !versions.contains_key(*id))
            .cloned()
            .collect();
        let mut fresh = Vec::new();
        for (id, version) in &versions {
            if current
                .runtime
                .get(id)
                .is_some_and(|m| m.def.version == *version)
            {
                continue;
            }
            let Some(def) = shared.mock_definition(id).await? else {
                continue;
            };
            let name = def.name.clone();
            match self.prepare(def).await {
                Ok(inst) => fresh.push(inst),
                Err(_) => eprintln!(
                    "standin: runtime mock '{name}' ({id}) from the shared store cannot be built here; keeping what was served"
                ),
            }
        }
        if !fresh.is_empty() || !gone.is_empty() {
            self.publish(fresh, &gone);
        }
        self.sync_stubs(shared).await?;
        self.seen.store(rev, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Serves the shared stubs of every mock whose stubs changed since it last applied
    /// them (a mock built here since starts with none applied).
    async fn sync_stubs(&self, shared: &Shared) -> Result<(), String> {
        let versions = shared.stub_versions().await?;
        for (key, version) in versions {
            let Some(state) = self
                .directory
                .load()
                .by_name
                .values()
                .find(|m| m.key == key)
                .cloned()
            else {
                continue;
            };
            if state.stub_sync.applied() == version {
                continue;
            }
            if let Err(e) = state
                .stub_sync
                .catch_up(shared, &state.key, &state.registry)
                .await
            {
                if !shared.is_up() {
                    return Err(e);
                }
                eprintln!("standin: mock '{}': {e}", state.name);
            }
        }
        Ok(())
    }
}

/// Why a runtime mock was not built.
pub(crate) enum Prepared {
    /// The upload or the settings cannot be used.
    Refused(catalog::Refusal),
    /// A source has errors (or none loaded): its diagnostics.
    Broken(Vec<Diagnostic>),
}

/// A diagnostic's file named as uploaded, not by where this replica wrote it.
fn relative(mut d: Diagnostic, dir: &std::path::Path) -> Diagnostic {
    if let Ok(rest) = std::path::Path::new(&d.file).strip_prefix(dir) {
        d.file = rest.display().to_string();
    }
    d
}

/// A listener to bind: the mocks of the config that own it (none: the service's own),
/// and the certificate when it is HTTPS.
struct Planned<'a> {
    host: String,
    port: u16,
    members: Vec<usize>,
    tls: Option<&'a crate::tls::TlsSource>,
}

/// The listeners of the config: one per distinct plain-HTTP (host, port), shared by the
/// mocks that name it (port 0 is always one of its own); an HTTPS port is one mock's
/// alone, as is its `tls_port`. A process with no mock listens on the service's address.
fn plan<'a>(mocks: &'a [MockConfig], service: &crate::server::ServiceOptions) -> Vec<Planned<'a>> {
    let mut out: Vec<Planned<'a>> = Vec::new();
    for (i, m) in mocks.iter().enumerate() {
        // HTTPS alone on `port`, or plain HTTP there and HTTPS on `tls_port`.
        let tls = match m.tls_port {
            None => m.tls.as_ref(),
            Some(_) => None,
        };
        let joins = out.iter_mut().find(|p| {
            p.host == m.host && p.port == m.port && m.port != 0 && p.tls.is_none() && tls.is_none()
        });
        match joins {
            Some(p) => p.members.push(i),
            None => out.push(Planned {
                host: m.host.clone(),
                port: m.port,
                members: vec![i],
                tls,
            }),
        }
        if let (Some(port), Some(tls)) = (m.tls_port, &m.tls) {
            out.push(Planned {
                host: m.host.clone(),
                port,
                members: vec![i],
                tls: Some(tls),
            });
        }
    }
    if out.is_empty() {
        out.push(Planned {
            host: service.host.clone(),
            port: service.port,
            members: Vec::new(),
            tls: None,
        });
    }
    out
}

/// A bound listener, before its mocks are built.
struct Listening {
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    bound: Bound,
    members: Vec<usize>,
}

/// What every accept loop of a process shares.
struct Accepting {
    /// How connections are served.
    settings: Arc<crate::conn::Settings>,
    /// The connection limit.
    connections: Arc<Semaphore>,
    /// How long a TLS handshake may take.
    handshake_timeout: Option<Duration>,
}

/// Loads every mock of the config, binds the listeners ([`plan`]), connects the shared
/// store, installs the runtime mocks it holds, and starts serving.
pub async fn start(mocks: Vec<MockConfig>, opts: ServeOptions) -> anyhow::Result<Running> {
    opts.limits.validate().map_err(anyhow::Error::msg)?;
    let extra_roots = match &opts.runtime.outbound_ca {
        Some(path) => crate::forward::read_certificates(path).context("--outbound-ca")?,
        None => Vec::new(),
    };
    let logger = Logger::start(opts.log);
    let shared = match &opts.service.store {
        Some(url) => Some(Shared::connect(url).await?),
        None => None,
    };
    let (stop, stopped) = watch::channel(false);
    let max_connections = u32::try_from(opts.limits.max_connections).unwrap_or(u32::MAX);
    let accepting = Arc::new(Accepting {
        settings: Arc::new(crate::conn::Settings::new(&opts.limits, stopped)),
        connections: Arc::new(Semaphore::new(max_connections as usize)),
        handshake_timeout: opts.limits.header_read_timeout,
    });
    let siblings = Arc::new(Siblings::default());
    let shutdown = Arc::new(tokio::sync::Notify::new());
    let mut forwarder = Forwarder::trusting(
        opts.runtime.upstream_connect_timeout,
        opts.runtime.upstream_timeout,
        crate::forward::MAX_BODY,
        &crate::forward::Trust {
            extra: extra_roots,
            insecure: opts.runtime.upstream_insecure,
        },
    );
    if opts.runtime.upstream_http2 {
        forwarder = forwarder.http2_only();
    }
    let ctx = build::Context {
        logger,
        runtime: opts.runtime.clone(),
        limits: opts.limits.clone(),
        forwarder,
        stop: accepting.settings.stop.clone(),
        shutdown: shutdown.clone(),
        siblings: siblings.clone(),
        shared,
        shared_journal_max: opts.service.shared_journal_max,
    };
    // The listeners first: each mock's URL is known when it is built.
    let mut listening = Vec::new();
    for p in plan(&mocks, &opts.service) {
        let addr = format!("{}:{}", p.host, p.port);
        let names: Vec<&str> = p.members.iter().map(|i| mocks[*i].name.as_str()).collect();
        let who = if names.is_empty() {
            String::new()
        } else {
            format!("mock '{}': ", names.join("', '"))
        };
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("{who}cannot listen on {addr}"))?;
        let local = listener.local_addr()?;
        let tls = match p.tls {
            Some(source) => Some(
                crate::tls::load(
                    source,
                    names.first().copied().unwrap_or("service"),
                    &p.host,
                    local.port(),
                )
                .with_context(|| format!("mock '{}'", names.join("', '")))?,
            ),
            None => None,
        };
        listening.push(Listening {
            listener,
            bound: Bound {
                addr: local,
                certificate: tls.as_ref().map(|t| t.certificate.clone()),
            },
            tls: tls.map(|t| t.acceptor),
            members: p.members,
        });
    }
    let base = listening[0].bound.url();
    let mut built = Vec::new();
    for (i, mock) in mocks.iter().enumerate() {
        let mine: Vec<&Listening> = listening
            .iter()
            .filter(|l| l.members.contains(&i))
            .collect();
        let alone = mine[0].members.len() == 1;
        let url = if alone {
            mine[0].bound.url()
        } else {
            format!("{}/mocks/{}", mine[0].bound.url(), mock.name)
        };
        let key = format!("cfg:{}", mock.name);
        let (c, m, u) = (ctx.clone(), mock.clone(), url.clone());
        let b = tokio::task::spawn_blocking(move || build::build(&m, &key, u, &c))
            .await
            .context("loading the sources")?;
        if !b.loaded_any && !mock.watch && !mock.settings.forward_all {
            anyhow::bail!(
                "mock '{}': nothing to serve, no source could be loaded\n{}",
                mock.name,
                b.diagnostics
                    .iter()
                    .map(|d| format!("  {d}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        siblings.add(b.state.admin.mock.name.clone(), url.clone());
        let listeners = if alone {
            mine.iter().map(|l| l.bound.clone()).collect()
        } else {
            Vec::new()
        };
        built.push((b, url, mine[0].bound.addr, listeners));
    }
    let mut directory = Directory::default();
    let mut running = Vec::new();
    for (mock, (b, url, addr, listeners)) in mocks.iter().zip(&built) {
        directory.by_name.insert(mock.name.clone(), b.state.clone());
        directory.configured.push((mock.name.clone(), *addr));
        running.push(RunningMock {
            name: mock.name.clone(),
            journal: b.journal.clone(),
            addr: *addr,
            url: url.clone(),
            listeners: listeners.clone(),
            operations: b.operations,
            saved: b.saved,
            stubs: b.stubs,
            routes: b.routes,
            load_time: b.load_time,
            diagnostics: b.diagnostics.clone(),
            snapshot: b.state.snapshot.clone(),
        });
    }
    remove_stale_work_dirs();
    let work = std::env::temp_dir().join(format!(
        "standin-mocks-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let service = Arc::new(Service {
        directory: ArcSwap::from_pointee(directory),
        ctx,
        base,
        domain: opts
            .service
            .domain
            .clone()
            .map(|d| d.trim_matches('.').to_ascii_lowercase()),
        token: opts.runtime.admin_token.clone(),
        admin_on: opts.runtime.admin,
        started: Instant::now(),
        work,
        writes: tokio::sync::Mutex::new(()),
        seen: std::sync::atomic::AtomicU64::new(u64::MAX),
    });
    for (m, (b, ..)) in mocks.iter().zip(&built) {
        if m.watch {
            let split = crate::sources::split(&m.sources);
            let documents = MockConfig {
                sources: split.documents.clone(),
                ..m.clone()
            };
            if !documents.sources.is_empty() {
                crate::reload::watch(documents, b.state.snapshot.clone())?;
            }
            if !split.stubs.is_empty() {
                crate::reload::watch_stubs(m.name.clone(), b.state.registry.clone())?;
            }
            if !split.environments.is_empty() {
                crate::reload::watch_environments(
                    m.name.clone(),
                    b.state.environments.clone(),
                    b.state.store.clone(),
                )?;
            }
        }
    }
    if service.shared().is_some() {
        if let Err(e) = service.sync().await {
            eprintln!("standin: runtime mocks not loaded from the shared store yet: {e}");
        }
        let svc = service.clone();
        let mut stopping = accepting.settings.stop.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = stopping.wait_for(|s| *s) => return,
                    _ = tokio::time::sleep(SYNC_EVERY) => {}
                }
                // An unreachable store is reported by its health check.
                let _ = svc.sync().await;
            }
        });
    }
    let mut listeners = Vec::new();
    for l in listening {
        listeners.push(l.bound.addr);
        let own = match l.members.as_slice() {
            [one] => Some(built[*one].0.state.clone()),
            _ => None,
        };
        tokio::spawn(accept_loop(
            l.listener,
            l.tls,
            service.clone(),
            own,
            accepting.clone(),
        ));
    }
    Ok(Running {
        mocks: running,
        listeners,
        service,
        stop,
        connections: accepting.connections.clone(),
        max_connections,
        shutdown_requested: shutdown,
    })
}

/// Removes the runtime mocks' directories of processes that are gone (a process that
/// exits does not remove its own).
fn remove_stale_work_dirs() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("standin-mocks-"))
            .and_then(|rest| rest.split('-').next())
        else {
            continue;
        };
        let gone = !std::path::Path::new("/proc").join(pid).exists();
        if cfg!(target_os = "linux") && gone {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
}

/// Accepts connections until the server stops (the listener then closes): each takes
/// a permit of the connection limit (none left: refused at once), does its TLS
/// handshake when the listener is HTTPS, and is served.
async fn accept_loop(
    listener: TcpListener,
    tls: Option<tokio_rustls::TlsAcceptor>,
    service: Arc<Service>,
    own: Option<Arc<MockState>>,
    accepting: Arc<Accepting>,
) {
    let mut stop = accepting.settings.stop.clone();
    loop {
        let accepted = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => return,
            a = listener.accept() => a,
        };
        let (stream, peer) = match accepted {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                eprintln!("standin: accept failed: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = accepting.connections.clone().try_acquire_owned() else {
            if tls.is_none() {
                tokio::spawn(crate::conn::refuse(stream));
            }
            continue;
        };
        let service = service.clone();
        let own = own.clone();
        let settings = accepting.settings.clone();
        let svc = move |req, control| dispatch(service.clone(), own.clone(), req, control);
        match &tls {
            None => {
                tokio::spawn(async move {
                    crate::conn::serve(stream, peer, settings, svc).await;
                    drop(permit);
                });
            }
            Some(acceptor) => {
                let acceptor = acceptor.clone();
                let timeout = accepting.handshake_timeout;
                tokio::spawn(async move {
                    if let Some(stream) = handshake(&acceptor, stream, timeout).await {
                        crate::conn::serve(stream, peer, settings, svc).await;
                    }
                    drop(permit);
                });
            }
        }
    }
}

/// The TLS handshake of an accepted connection, within `timeout`; `None` when it failed
/// or took too long (the client gets a TLS alert or a close, and no one else is told).
async fn handshake(
    acceptor: &tokio_rustls::TlsAcceptor,
    stream: TcpStream,
    timeout: Option<Duration>,
) -> Option<tokio_rustls::server::TlsStream<TcpStream>> {
    let accepting = acceptor.accept(stream);
    match timeout {
        Some(t) => tokio::time::timeout(t, accepting).await.ok()?.ok(),
        None => accepting.await.ok(),
    }
}

/// The mock a `/mocks/{name}` path names, and the path after the prefix.
fn prefixed(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/mocks/")?;
    match rest.find('/') {
        Some(i) => Some((&rest[..i], &rest[i..])),
        None => Some((rest, "/")),
    }
}

/// The host name of a request (the `Host` header, else the URI's authority), without
/// its port, lower case.
fn host_of(parts: &http::request::Parts) -> Option<String> {
    let raw = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| parts.uri.authority().map(|a| a.as_str()))?;
    let host = if raw.starts_with('[') {
        raw.split_once(']')
            .map_or(raw, |(h, _)| h)
            .trim_start_matches('[')
    } else {
        raw.split_once(':').map_or(raw, |(h, _)| h)
    };
    Some(host.trim_end_matches('.').to_ascii_lowercase())
}

/// The mock name a host names under `domain` (`pets.mocks.example.test` → `pets`).
fn host_mock<'h>(host: &'h str, domain: &str) -> Option<&'h str> {
    let label = host.strip_suffix(domain)?.strip_suffix('.')?;
    (!label.is_empty() && !label.contains('.')).then_some(label)
}

/// The request with its path replaced (the query kept).
fn with_path(parts: &mut http::request::Parts, path: &str) {
    let pq = match parts.uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    let mut b = http::Uri::builder();
    if let Some(s) = parts.uri.scheme() {
        b = b.scheme(s.clone());
    }
    if let Some(a) = parts.uri.authority() {
        b = b.authority(a.clone());
    }
    if let Ok(uri) = b.path_and_query(pq).build() {
        parts.uri = uri;
    }
}

/// Finds a request's mock (see the module doc) and has it answered.
///
/// The futures it awaits are boxed: each is kilobytes, and this one is moved (by hyper,
/// into its slot for the request) before it is first polled, so that only its own few
/// words are copied.
async fn dispatch(
    service: Arc<Service>,
    own: Option<Arc<MockState>>,
    req: Request<Incoming>,
    control: Control,
) -> Result<Response<ReplyBody>, Faulted> {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path();
    if service.admin_on && routes::claims(path) {
        return Ok(Box::pin(routes::answer(&service, parts, body, control.peer())).await);
    }
    let directory = service.directory.load();
    if let Some((name, rest)) = prefixed(path)
        && let Some(mock) = directory.by_name.get(name)
    {
        let mock = mock.clone();
        let rest = rest.to_string();
        drop(directory);
        with_path(&mut parts, &rest);
        return Box::pin(crate::server::handle(mock, parts, body, control)).await;
    }
    if let Some(domain) = &service.domain
        && let Some(host) = host_of(&parts)
        && let Some(name) = host_mock(&host, domain)
        && let Some(mock) = directory.by_name.get(name)
    {
        let mock = mock.clone();
        drop(directory);
        return Box::pin(crate::server::handle(mock, parts, body, control)).await;
    }
    drop(directory);
    if let Some(mock) = own {
        return Box::pin(crate::server::handle(mock, parts, body, control)).await;
    }
    Ok(routes::no_mock(&service, &parts))
}
