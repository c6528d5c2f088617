//! Mutable state that outlives a request: today the scenario states of stubs.
//!
//! Snapshots are immutable and swapped whole on reload, so nothing a request changes may
//! live in one. Every kind of source that keeps state reads and writes it through
//! [`Store`], whose operations are atomic: the in-memory [`MemoryStore`] here, a shared
//! one for replicas later. The store is consulted only by requests that need it.

use std::collections::HashMap;
use std::sync::RwLock;

/// The state every scenario starts in (WireMock's `Scenario.STARTED`).
pub const STARTED: &str = "Started";

/// Atomic access to mutable state.
pub trait Store: Send + Sync {
    /// The state of a scenario; [`STARTED`] for one never moved.
    fn scenario(&self, name: &str) -> String;
    /// Moves a scenario to `to` if it is in `from` (any state when `from` is `None`), in
    /// one step: of concurrent requests that each try to leave one state, one succeeds.
    fn advance(&self, name: &str, from: Option<&str>, to: &str) -> bool;
    /// Sets a scenario's state.
    fn set_scenario(&self, name: &str, state: &str);
    /// Puts every scenario back to [`STARTED`].
    fn reset_scenarios(&self);
    /// Every scenario that has left [`STARTED`], with its state.
    fn scenarios(&self) -> Vec<(String, String)>;
}

/// State in this process's memory.
#[derive(Debug, Default)]
pub struct MemoryStore {
    scenarios: RwLock<HashMap<String, String>>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }
}

impl Store for MemoryStore {
    fn scenario(&self, name: &str) -> String {
        let map = self.scenarios.read().unwrap_or_else(|e| e.into_inner());
        map.get(name)
            .cloned()
            .unwrap_or_else(|| STARTED.to_string())
    }

    fn advance(&self, name: &str, from: Option<&str>, to: &str) -> bool {
        let mut map = self.scenarios.write().unwrap_or_else(|e| e.into_inner());
        let current = map.get(name).map_or(STARTED, String::as_str);
        if from.is_some_and(|f| f != current) {
            return false;
        }
        if current != to {
            map.insert(name.to_string(), to.to_string());
        }
        true
    }

    fn set_scenario(&self, name: &str, state: &str) {
        let mut map = self.scenarios.write().unwrap_or_else(|e| e.into_inner());
        map.insert(name.to_string(), state.to_string());
    }

    fn reset_scenarios(&self) {
        self.scenarios
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn scenarios(&self) -> Vec<(String, String)> {
        let map = self.scenarios.read().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<_> = map.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_is_left_once_under_concurrency() {
        let store = std::sync::Arc::new(MemoryStore::new());
        let wins = std::sync::atomic::AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..1000 {
                        if store.advance("s", Some(STARTED), "next") {
                            wins.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                });
            }
        });
        assert_eq!(wins.into_inner(), 1);
        assert_eq!(store.scenario("s"), "next");
        store.reset_scenarios();
        assert_eq!(store.scenario("s"), STARTED);
    }
}
