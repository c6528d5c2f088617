//! Building one mock from its sources: the snapshot, the stub registry, the Mockoon
//! environments, its store (in memory, or its keys in the shared store), its journal
//! and admin API, ready for the service to route requests to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use standin_core::Diagnostic;
use standin_core::exchange::Forward;
use standin_core::state::{MemoryStore, Store};

use crate::admin::Admin;
use crate::admin::mock::{MockInfo, Siblings, intern};
use crate::forward::Forwarder;
use crate::journal::{Journal, JournalConfig};
use crate::limits::Limits;
use crate::log::Logger;
use crate::metrics::MockMetrics;
use crate::registry::Registry;
use crate::sender::Sender;
use crate::server::{MockConfig, MockState, RuntimeOptions, load, load_environments};
use crate::shared::Shared;

/// What every mock of a process is built with.
#[derive(Clone)]
pub(crate) struct Context {
    pub logger: Logger,
    pub runtime: RuntimeOptions,
    /// What clients may send and hold.
    pub limits: Limits,
    /// The outbound client (upstreams, callbacks), trusting `--outbound-ca` too.
    pub forwarder: Forwarder,
    /// Notified by `POST /__admin/shutdown` ([`crate::Running::shutdown_requested`]).
    pub shutdown: Arc<tokio::sync::Notify>,
    /// Becomes `true` when the server stops.
    pub stop: tokio::sync::watch::Receiver<bool>,
    /// The mocks of the config, for each one's admin API.
    pub siblings: Arc<Siblings>,
    pub shared: Option<Arc<Shared>>,
    pub shared_journal_max: usize,
}

/// A mock built and what its load found.
pub(crate) struct Built {
    pub state: Arc<MockState>,
    pub journal: Arc<Journal>,
    pub operations: usize,
    pub saved: usize,
    pub stubs: usize,
    pub routes: usize,
    pub load_time: Duration,
    pub diagnostics: Vec<Diagnostic>,
    /// Whether any source could be loaded at all.
    pub loaded_any: bool,
}

/// Loads a mock's sources and assembles it (blocking: call from a blocking thread).
/// `key` names its state in a shared store (`cfg:<name>` for the config's mocks,
/// `rt:<id>` for runtime ones); `url` is where it answers, as its admin API shows it.
pub(crate) fn build(mock: &MockConfig, key: &str, url: String, ctx: &Context) -> Built {
    let split = crate::sources::split(&mock.sources);
    let started = Instant::now();
    let registry = Registry::new(split.stubs.clone(), ctx.runtime.global_templating);
    let environments = load_environments(&split.environments, &ctx.runtime.disabled_routes);
    let (snap, _) = load(&split.documents, &mock.settings);
    let load_time = started.elapsed();
    let operations = snap.operation_count();
    let saved = snap.saved.len();
    let mut diagnostics = snap.diagnostics.clone();
    diagnostics.extend(registry.diagnostics());
    for env in &environments.0 {
        diagnostics.extend(env.diagnostics().iter().cloned());
    }
    let stubs = registry.list().len();
    let routes = environments.0.iter().map(|e| e.routes()).sum::<usize>();
    let loaded_any = !(snap.documents.is_empty()
        && snap.saved.is_empty()
        && split.stubs.is_empty()
        && environments.0.is_empty());
    let snapshot = Arc::new(ArcSwap::from_pointee(snap));
    let registry = Arc::new(registry);
    let store: Arc<dyn Store> = match &ctx.shared {
        Some(shared) => Arc::new(shared.store(
            key,
            mock.settings.state_max_items,
            mock.settings.state_max_bytes,
        )),
        None => Arc::new(MemoryStore::with_budget(
            mock.settings.state_max_items,
            mock.settings.state_max_bytes,
        )),
    };
    let rt = &ctx.runtime;
    let journal = Arc::new(if rt.journal {
        Journal::new(JournalConfig {
            enabled: true,
            max_entries: rt.journal_max_entries,
            max_bytes: rt.journal_max_bytes,
            max_body: rt.journal_max_body,
        })
    } else {
        Journal::disabled()
    });
    let environments = Arc::new(environments);
    let info = MockInfo {
        name: Arc::new(ArcSwap::from_pointee(intern(&mock.name))),
        url,
        documents: split.documents.clone(),
        environments: environments.clone(),
        siblings: ctx.siblings.clone(),
        ..Default::default()
    };
    let sender = Sender::new(rt.outbound, ctx.forwarder.clone(), journal.clone())
        .with_log(ctx.logger.clone(), info.name.clone());
    let mut admin = Admin::new(
        registry.clone(),
        journal.clone(),
        store.clone(),
        rt.admin_token.clone(),
    )
    .with_snapshot(snapshot.clone())
    .with_sender(sender.clone())
    .with_mock(info)
    .on_shutdown({
        // Whoever started the service stops it, as on SIGTERM: gracefully, with the
        // answer to the shutdown request among the requests that finish.
        let asked = ctx.shutdown.clone();
        move || asked.notify_one()
    });
    if let Some(shared) = &ctx.shared
        && rt.journal
    {
        admin = admin.with_feed(shared.journal_feed(key, ctx.shared_journal_max));
    }
    let state = Arc::new(MockState {
        name: intern(&mock.name),
        key: key.to_string(),
        snapshot,
        registry,
        environments,
        store,
        shared: ctx.shared.clone(),
        metrics: Arc::new(MockMetrics::default()),
        admin: Arc::new(admin),
        admin_on: rt.admin,
        logger: ctx.logger.clone(),
        max_body: ctx.limits.max_body,
        limits: ctx.limits.clone(),
        forwarder: ctx.forwarder.clone(),
        sender,
        stop: ctx.stop.clone(),
        upstream: mock.settings.upstream.clone().map(Forward::to),
        forward_all: mock.settings.forward_all,
        stub_sync: Default::default(),
    });
    Built {
        state,
        journal,
        operations,
        saved,
        stubs,
        routes,
        load_time,
        diagnostics,
        loaded_any,
    }
}
