//! Mutable state that outlives a request, behind one interface: scenario states of
//! stubs, the resource collections of stateful mocks (also what a data bucket or any
//! keyed list of JSON values is), and sequence counters.
//!
//! Snapshots are immutable and swapped whole on reload, so nothing a request changes may
//! live in one. Every kind of source that keeps state reads and writes it through
//! [`Store`], whose operations are atomic: the in-memory [`MemoryStore`]
//! (`state/memory.rs`) here, a shared one for replicas later. The store is consulted only
//! by requests that need it.
//!
//! Resources live in collections named by a [`Coll`]: a namespace (the
//! `x-standin-session` a request names, `""` by default), the resource (its collection
//! path template) and a scope (the parent identifiers of a nested resource). A
//! collection nobody wrote to holds its seed (the document's examples); the first write
//! copies the seed in. Everything stored counts against the store's [`Budget`].

mod memory;

pub use memory::{MemoryStore, item_bytes};

use serde_json::Value;

/// The state every scenario starts in (WireMock's `Scenario.STARTED`).
pub const STARTED: &str = "Started";

/// One collection of resources.
#[derive(Debug, Clone, Copy)]
pub struct Coll<'a> {
    /// The namespace (`x-standin-session`; `""` for the default one).
    pub space: &'a str,
    /// The resource: its collection path template (`/users/{userId}/orders`).
    pub resource: &'a str,
    /// The parent identifiers of a nested resource, `/`-joined (`""` at the top).
    pub scope: &'a str,
    /// The property holding an item's identifier.
    pub id_prop: &'a str,
    /// What the collection holds before any write (the document's examples).
    pub seed: &'a [Value],
}

/// The identifier a created item gets.
#[derive(Debug, Clone, PartialEq)]
pub enum NewId {
    /// The one the client sent (refused when taken).
    Given(Value),
    /// The next integer of the collection (one above the largest integer identifier).
    NextInteger,
    /// This text (a uuid the caller drew).
    Text(String),
}

/// A page of a collection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Page {
    /// The items of the page, in insertion order.
    pub items: Vec<Value>,
    /// How many items matched in all.
    pub total: usize,
}

/// The whole content of one collection that was written to, for the admin API.
#[derive(Debug, Clone, PartialEq)]
pub struct Dump {
    /// Its namespace.
    pub space: String,
    /// Its resource.
    pub resource: String,
    /// Its scope.
    pub scope: String,
    /// Its items, in insertion order.
    pub items: Vec<Value>,
}

/// How much a store may hold, and how much it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most items, over every collection and namespace.
    pub max_items: usize,
    /// The most bytes the items take in memory (see [`item_bytes`], a model of their
    /// allocations).
    pub max_bytes: usize,
    /// Items held now.
    pub items: usize,
    /// Bytes held now.
    pub bytes: usize,
}

/// The default item budget of a mock.
pub const DEFAULT_MAX_ITEMS: usize = 100_000;
/// The default byte budget of a mock.
pub const DEFAULT_MAX_BYTES: usize = 256 << 20;

/// Why a write was not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// A budget is spent.
    #[error("the store's {budget} budget ({limit}) is spent")]
    Full {
        /// `items` or `bytes`.
        budget: &'static str,
        /// Its limit.
        limit: usize,
    },
    /// An item with this identifier exists.
    #[error("an item with identifier {0} exists")]
    Exists(String),
    /// The identifier is no string or number.
    #[error("the identifier {0} is neither a string nor a number")]
    BadId(String),
    /// This store keeps no resources.
    #[error("this store keeps no resources")]
    Unavailable,
}

/// The text an identifier is stored under: a string as is, a number as written.
pub fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The page of `items` that `keep` accepts, `skip` left out, at most `take`.
pub fn page_of<'v>(
    items: impl Iterator<Item = &'v Value>,
    keep: &dyn Fn(&Value) -> bool,
    skip: usize,
    take: usize,
) -> Page {
    let mut page = Page::default();
    for item in items.filter(|v| keep(v)) {
        if page.total >= skip && page.items.len() < take {
            page.items.push(item.clone());
        }
        page.total += 1;
    }
    page
}

/// Atomic access to mutable state. The resource and counter operations have
/// implementations for a store that keeps none (reads find nothing, writes are
/// [`StoreError::Unavailable`]); [`MemoryStore`] keeps them.
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

    /// Adds an item with the identifier `id` says, in one step (of concurrent creates
    /// with [`NewId::NextInteger`], each gets its own). Returns the item as stored.
    fn create(&self, c: &Coll<'_>, id: NewId, item: Value) -> Result<Value, StoreError> {
        let _ = (c, id, item);
        Err(StoreError::Unavailable)
    }
    /// The item with this identifier.
    fn get(&self, c: &Coll<'_>, id: &str) -> Option<Value> {
        let _ = (c, id);
        None
    }
    /// Calls `read` with the item with this identifier (`None` when there is none),
    /// borrowed where the store can lend it: a read answered from memory makes no copy.
    fn read(&self, c: &Coll<'_>, id: &str, read: &mut dyn FnMut(Option<&Value>)) {
        read(self.get(c, id).as_ref());
    }
    /// Replaces an item (its identifier kept); `None` when there is none.
    fn replace(&self, c: &Coll<'_>, id: &str, item: Value) -> Result<Option<Value>, StoreError> {
        let _ = (c, id, item);
        Err(StoreError::Unavailable)
    }
    /// Changes an item in place, in one step: `change` edits a copy and says whether to
    /// keep it (concurrent changes each see the one before). The identifier is kept.
    /// Returns the item after (or unchanged, when `change` refused); `None` when there
    /// is none.
    fn modify(
        &self,
        c: &Coll<'_>,
        id: &str,
        change: &mut dyn FnMut(&mut Value) -> bool,
    ) -> Result<Option<Value>, StoreError> {
        let _ = (c, id, change);
        Err(StoreError::Unavailable)
    }
    /// Removes an item; the item removed, `None` when there was none.
    fn remove(&self, c: &Coll<'_>, id: &str) -> Result<Option<Value>, StoreError> {
        let _ = (c, id);
        Err(StoreError::Unavailable)
    }
    /// The items `keep` accepts, `skip` of them left out, at most `take`.
    fn list(&self, c: &Coll<'_>, keep: &dyn Fn(&Value) -> bool, skip: usize, take: usize) -> Page {
        page_of(c.seed.iter(), keep, skip, take)
    }
    /// Replaces a collection's items (an item without an identifier gets the next
    /// integer). Returns how many are held.
    fn put_all(&self, c: &Coll<'_>, items: Vec<Value>) -> Result<usize, StoreError> {
        let _ = (c, items);
        Err(StoreError::Unavailable)
    }
    /// Puts collections back to their seed: those of `resource` (every one when `None`)
    /// in namespace `space` (every one when `None`).
    fn reset_resources(&self, space: Option<&str>, resource: Option<&str>) {
        let _ = (space, resource);
    }
    /// Drops the collections of `resource` in namespace `space` whose scope is `scope`
    /// or under it (the children of a deleted item).
    fn drop_scopes(&self, space: &str, resource: &str, scope: &str) {
        let _ = (space, resource, scope);
    }
    /// Every collection written to, ordered by namespace, resource and scope.
    fn dump(&self) -> Vec<Dump> {
        Vec::new()
    }
    /// Adds one to a counter and returns its new value (1 the first time).
    fn count(&self, name: &str) -> u64 {
        let _ = name;
        0
    }
    /// The budget and what is used of it.
    fn budget(&self) -> Budget {
        Budget {
            max_items: 0,
            max_bytes: 0,
            items: 0,
            bytes: 0,
        }
    }
}
