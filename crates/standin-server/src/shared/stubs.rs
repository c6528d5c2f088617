//! The stubs created through a mock's admin API, the same on every replica.
//!
//! They are kept in the store as one JSON array per mock (`standin:stubs:<mock>`) with a
//! version (`standin:stubs:versions`). A replica that changes them does so on the
//! newest version: under the mock's [`StubSync`] turn it catches up with the store, runs
//! the admin request, and saves the result only if nobody saved in between (a script
//! compares the version); if someone did, it catches up and runs the request again. So
//! a write acknowledged on one replica is never undone by an older copy, here or on
//! another replica, and a replica's own reads see its writes at once. The sync (every
//! change of the store's revision) catches up in the same turn.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use redis::Script;
use serde_json::Value;

use super::{REV, STUB_VERSIONS, Shared};
use crate::registry::Registry;

/// How often a write is tried when other replicas keep saving first; between tries it
/// waits a random while, up to twice as long each time (from 2 ms up to 64 ms), so
/// that writers on different replicas stop colliding.
const ATTEMPTS: u32 = 12;

/// Saves the stubs if their version is still the one they were changed from: KEYS are
/// the stubs, the versions hash and the revision; ARGV the mock, the version, the
/// stubs. Answers the new version, or -1 when another replica saved first.
static SAVE_IF: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if current ~= tonumber(ARGV[2]) then return -1 end
local version = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], version)
return version
",
    )
});

fn stubs_key(key: &str) -> String {
    format!("standin:stubs:{key}")
}

impl Shared {
    /// A mock's shared stubs and their version (0 and none when never saved), read
    /// together.
    pub(crate) async fn stubs_at(&self, key: &str) -> Result<(u64, Vec<Value>), String> {
        let mut c = self.conn();
        let mut pipe = redis::pipe();
        pipe.atomic().hget(STUB_VERSIONS, key).get(stubs_key(key));
        let (version, text): (Option<u64>, Option<String>) =
            self.call(pipe.query_async(&mut c)).await?;
        let stubs = match text {
            None => Vec::new(),
            Some(t) => serde_json::from_str::<Vec<Value>>(&t).map_err(|e| {
                format!(
                    "store {}: {} is not a JSON array of stubs ({e})",
                    self.display(),
                    stubs_key(key)
                )
            })?,
        };
        Ok((version.unwrap_or(0), stubs))
    }

    /// Saves a mock's stubs if their version is still `from`: the new version, or
    /// `None` when another replica saved first.
    async fn save_stubs_if(
        &self,
        key: &str,
        stubs: &[Value],
        from: u64,
    ) -> Result<Option<u64>, String> {
        let mut c = self.conn();
        let text = Value::Array(stubs.to_vec()).to_string();
        let mut invocation = SAVE_IF.prepare_invoke();
        invocation
            .key(stubs_key(key))
            .key(STUB_VERSIONS)
            .key(REV)
            .arg(key)
            .arg(from)
            .arg(text);
        let saved: i64 = self.call(invocation.invoke_async(&mut c)).await?;
        Ok(u64::try_from(saved).ok())
    }
}

/// What one mock served of its shared stubs: the version last applied, and the turn
/// its admin writes and the sync take so they do not interleave.
#[derive(Debug, Default)]
pub(crate) struct StubSync {
    turn: tokio::sync::Mutex<()>,
    applied: AtomicU64,
}

/// What an admin request did to the stubs.
pub(crate) enum Written<T> {
    /// They may have changed: save them.
    Changed(T),
    /// Nothing to save (a refusal, a read, a failure).
    Unchanged(T),
}

impl StubSync {
    /// Counts as having applied what `from` had (a mock rebuilt with the stubs of the
    /// one it replaces; called before the stubs are copied, so a write in between only
    /// makes the next sync catch up once more).
    pub(crate) fn carry_on(&self, from: &StubSync) {
        self.applied.store(from.applied(), Ordering::Release);
    }

    /// The version of the shared stubs this mock serves (0: none applied).
    pub(crate) fn applied(&self) -> u64 {
        self.applied.load(Ordering::Acquire)
    }

    /// Serves the store's stubs if they are newer than what is served.
    pub(crate) async fn catch_up(
        &self,
        shared: &Shared,
        key: &str,
        registry: &Registry,
    ) -> Result<(), String> {
        let _turn = self.turn.lock().await;
        let (version, stubs) = shared.stubs_at(key).await?;
        self.apply(registry, version, &stubs)
    }

    fn apply(&self, registry: &Registry, version: u64, stubs: &[Value]) -> Result<(), String> {
        if version == self.applied() {
            return Ok(());
        }
        // Applied even when it fails, so one bad copy is said once, not every sync.
        self.applied.store(version, Ordering::Release);
        registry
            .replace_api(stubs)
            .map_err(|e| format!("the shared stubs cannot be used: {e}"))
    }

    /// Runs an admin request that may change the stubs on the newest shared version
    /// and saves what it changed (see the module doc); blocks, so it runs inside
    /// `block_in_place`. `Err` says why the store could not be used; what the request
    /// changed here is then undone.
    pub(crate) fn write<T>(
        &self,
        shared: &Shared,
        key: &str,
        registry: &Registry,
        handle: &tokio::runtime::Handle,
        mut request: impl FnMut() -> Written<T>,
    ) -> Result<T, String> {
        let _turn = handle.block_on(self.turn.lock());
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                let ceiling = 2u64 << attempt.min(5);
                let wait = rand::random::<u64>() % ceiling + 1;
                std::thread::sleep(std::time::Duration::from_millis(wait));
            }
            let (version, stubs) = handle.block_on(shared.stubs_at(key))?;
            if let Err(e) = self.apply(registry, version, &stubs) {
                eprintln!("standin: {key}: {e}");
            }
            let answer = match request() {
                Written::Unchanged(answer) => return Ok(answer),
                Written::Changed(answer) => answer,
            };
            let saved = handle.block_on(shared.save_stubs_if(key, &registry.api_json(), version));
            if let Ok(Some(new)) = saved {
                self.applied.store(new, Ordering::Release);
                return Ok(answer);
            }
            // Not saved: what is served goes back to the copy at `applied`. A store
            // failure ends here; another replica that saved first means again, on theirs.
            let _ = registry.replace_api(&stubs);
            saved?;
        }
        Err(format!(
            "the stubs changed on other replicas {ATTEMPTS} times while this change was made; nothing was saved"
        ))
    }
}
