//! The store replicas share: Redis (`redis://HOST:PORT/DB`, or `rediss://` with TLS).
//!
//! One [`Shared`] per process holds the connection (the redis crate's
//! `ConnectionManager`, multiplexed and reconnecting) and watches it: a ping every
//! half second while it answers, and when it does not, retries with a backoff from
//! 250 ms to 4 s, each attempt said in the log, then "reconnected". While it is down,
//! every operation fails at once (no request waits for a timeout): a stateful request
//! gets a 503 problem+json naming the store, and answers that need no state are
//! unaffected.
//!
//! Keys, all under `standin:`:
//! - `mocks:rev` (a counter raised by every change), `mocks:defs` and
//!   `mocks:versions` (hashes by mock id): the runtime mocks' definitions;
//! - `stubs:<mock>` (the stubs created through a mock's admin API, as JSON) and
//!   `stubs:versions`: stubs added on one replica are served by all ([`stubs`]);
//! - `s:<mock>:…`: a mock's state ([`store`]);
//! - `j:<mock>`: its journal, a stream capped with `MAXLEN ~` ([`journal`]).

pub mod journal;
pub mod store;
pub(crate) mod stubs;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use redis::AsyncCommands;
use redis::aio::ConnectionManager;
use standin_core::Reply;
use standin_core::problem::Problem;

use crate::service::catalog::Definition;

const REV: &str = "standin:mocks:rev";
const DEFS: &str = "standin:mocks:defs";
const VERSIONS: &str = "standin:mocks:versions";
const STUB_VERSIONS: &str = "standin:stubs:versions";

/// How long one command may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(1);

/// The connection to the shared store and its health (see the module doc).
pub struct Shared {
    conn: ConnectionManager,
    /// The URL without its password, for messages.
    display: String,
    up: AtomicBool,
    /// Operations that failed, for the metrics.
    pub(crate) failures: AtomicU64,
    /// Times the store came back, for the metrics.
    pub(crate) reconnects: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("url", &self.display)
            .field("up", &self.is_up())
            .finish_non_exhaustive()
    }
}

/// The URL with any password replaced by `***`.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..s + 3], &url[at..])
        }
        _ => url.to_string(),
    }
}

impl Shared {
    /// Opens the store at `url` and starts watching it. An unreachable store is not an
    /// error: the process serves what needs no state and keeps trying.
    pub async fn connect(url: &str) -> anyhow::Result<Arc<Shared>> {
        if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
            anyhow::bail!(
                "--store {url:?}: expected redis://HOST:PORT/DB or rediss://HOST:PORT/DB"
            );
        }
        let display = redact(url);
        if url.starts_with("rediss://") {
            // Another part of the process may have chosen one already: either serves.
            let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        }
        let client =
            redis::Client::open(url).map_err(|e| anyhow::anyhow!("--store {display}: {e}"))?;
        let config = redis::aio::ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(100))
            .set_max_delay(Duration::from_secs(2));
        let conn = ConnectionManager::new_lazy_with_config(client, config)
            .map_err(|e| anyhow::anyhow!("--store {display}: {e}"))?;
        let shared = Arc::new(Shared {
            conn,
            display,
            up: AtomicBool::new(false),
            failures: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
        });
        match shared.ping().await {
            Ok(()) => shared.up.store(true, Ordering::Release),
            Err(e) => eprintln!(
                "standin: store {} unreachable: {e}; answers that need no state are served, stateful ones get 503 until it answers",
                shared.display
            ),
        }
        tokio::spawn(watch(shared.clone()));
        Ok(shared)
    }

    /// The store's URL, password hidden.
    pub fn display(&self) -> &str {
        &self.display
    }

    /// Whether the store answered its last ping.
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Acquire)
    }

    /// A handle on the connection (cheap: the connection is multiplexed).
    pub(crate) fn conn(&self) -> ConnectionManager {
        self.conn.clone()
    }

    /// Why an operation cannot be made now, or `None` when the store is up.
    pub(crate) fn down(&self) -> Option<String> {
        (!self.is_up()).then(|| format!("store {} is unreachable", self.display))
    }

    /// Notes a failed operation; answers the sentence a client gets.
    pub(crate) fn failed(&self, e: &redis::RedisError) -> String {
        self.failures.fetch_add(1, Ordering::Relaxed);
        let lost = e.is_connection_dropped()
            || e.is_connection_refusal()
            || e.is_timeout()
            || e.is_io_error();
        if lost {
            self.mark_down(&e.to_string());
        }
        format!("store {}: {e}", self.display)
    }

    /// Notes that the store stopped answering (said once in the log); the watcher
    /// retries until it answers again.
    pub(crate) fn mark_down(&self, why: &str) {
        if self.up.swap(false, Ordering::AcqRel) {
            eprintln!("standin: store {} unreachable: {why}", self.display);
        }
    }

    async fn ping(&self) -> Result<(), String> {
        let mut c = self.conn();
        let pong: Result<String, _> =
            tokio::time::timeout(TIMEOUT, redis::cmd("PING").query_async(&mut c))
                .await
                .map_err(|_| "no answer within 1 s".to_string())?;
        pong.map(|_| ()).map_err(|e| e.to_string())
    }

    /// The 503 of a request whose state could not be read or written.
    pub(crate) fn unavailable(
        &self,
        why: &str,
        snap: &standin_core::Snapshot,
        headers: &http::HeaderMap,
    ) -> Reply {
        let mut reply = Reply::from_problem(
            Problem::new(
                503,
                "store-unavailable",
                "The state store is unavailable",
                format!(
                    "{why}; this request needs the mock's shared state (answers that need none are still served); retry shortly"
                ),
                Default::default(),
            ),
            "store-unavailable",
        );
        reply.headers.push((
            http::header::RETRY_AFTER,
            http::HeaderValue::from_static("1"),
        ));
        standin_core::engine::finish_foreign(snap, &mut reply, headers);
        reply
    }

    /// The state of the mock `key` in this store.
    pub(crate) fn store(
        self: &Arc<Self>,
        key: &str,
        max_items: usize,
        max_bytes: usize,
    ) -> store::RedisStore {
        store::RedisStore::new(self.clone(), key, max_items, max_bytes)
    }

    /// The journal of the mock `key`, capped near `max` entries.
    pub(crate) fn journal_feed(
        self: &Arc<Self>,
        key: &str,
        max: usize,
    ) -> Arc<dyn crate::journal::JournalFeed> {
        journal::StreamFeed::start(self.clone(), key, max)
    }

    async fn call<T>(
        &self,
        f: impl std::future::Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, String> {
        if let Some(down) = self.down() {
            return Err(down);
        }
        match tokio::time::timeout(TIMEOUT, f).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(e)) => Err(self.failed(&e)),
            Err(_) => {
                self.mark_down("no answer within 1 s");
                Err(format!("store {}: no answer within 1 s", self.display))
            }
        }
    }

    /// The revision of the runtime mocks' definitions (0 when none were ever made).
    pub(crate) async fn mocks_revision(&self) -> Result<u64, String> {
        let mut c = self.conn();
        let rev: Option<u64> = self.call(c.get(REV)).await?;
        Ok(rev.unwrap_or(0))
    }

    /// A version for a definition about to be saved.
    pub(crate) async fn reserve_version(&self) -> Result<u64, String> {
        let mut c = self.conn();
        self.call(c.incr(REV, 1u64)).await
    }

    /// Every runtime mock's id and version.
    pub(crate) async fn mock_versions(&self) -> Result<BTreeMap<String, u64>, String> {
        let mut c = self.conn();
        self.call(c.hgetall(VERSIONS)).await
    }

    /// One definition.
    pub(crate) async fn mock_definition(&self, id: &str) -> Result<Option<Definition>, String> {
        let mut c = self.conn();
        let text: Option<String> = self.call(c.hget(DEFS, id)).await?;
        Ok(text
            .and_then(|t| serde_json::from_str(&t).ok())
            .and_then(|v| Definition::from_json(&v)))
    }

    /// Saves a definition and tells the other replicas (the revision is raised).
    pub(crate) async fn save_mock(&self, def: &Definition) -> Result<(), String> {
        let mut c = self.conn();
        let text = def.to_json().to_string();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hset(DEFS, &def.id, text)
            .ignore()
            .hset(VERSIONS, &def.id, def.version)
            .ignore()
            .incr(REV, 1u64)
            .ignore();
        self.call(pipe.query_async::<()>(&mut c)).await
    }

    /// Every mock's stubs version.
    pub(crate) async fn stub_versions(&self) -> Result<BTreeMap<String, u64>, String> {
        let mut c = self.conn();
        self.call(c.hgetall(STUB_VERSIONS)).await
    }

    /// Removes a definition and tells the other replicas.
    pub(crate) async fn delete_mock(&self, id: &str) -> Result<(), String> {
        let mut c = self.conn();
        let mut pipe = redis::pipe();
        pipe.atomic()
            .hdel(DEFS, id)
            .ignore()
            .hdel(VERSIONS, id)
            .ignore()
            .incr(REV, 1u64)
            .ignore()
            .del(format!("standin:j:rt:{id}"))
            .ignore()
            .del(format!("standin:stubs:rt:{id}"))
            .ignore()
            .hdel(STUB_VERSIONS, format!("rt:{id}"))
            .ignore();
        self.call(pipe.query_async::<()>(&mut c)).await
    }
}

/// Pings the store; on failure retries with a backoff, saying so, until it answers.
async fn watch(shared: Arc<Shared>) {
    let mut backoff = Duration::from_millis(250);
    loop {
        match shared.ping().await {
            Ok(()) => {
                if !shared.up.swap(true, Ordering::AcqRel) {
                    shared.reconnects.fetch_add(1, Ordering::Relaxed);
                    eprintln!("standin: store {} reconnected", shared.display);
                }
                backoff = Duration::from_millis(250);
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => {
                if shared.up.swap(false, Ordering::AcqRel) {
                    eprintln!("standin: store {} unreachable: {e}", shared.display);
                }
                eprintln!(
                    "standin: store {}: reconnecting in {} ms",
                    shared.display,
                    backoff.as_millis()
                );
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(4));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden() {
        assert_eq!(redact("redis://:pw@h:6379/0"), "redis://:***@h:6379/0");
        assert_eq!(redact("rediss://u:pw@h/1"), "rediss://u:***@h/1");
        assert_eq!(redact("redis://h:6379/0"), "redis://h:6379/0");
    }
}
