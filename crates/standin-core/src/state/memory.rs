//! [`MemoryStore`]: the store in this process's memory.
//!
//! Collections are spread over shards by a hash of their name, each behind its own
//! `RwLock`, so requests to different collections rarely wait for each other; an
//! operation on one collection holds its shard's lock for the whole step, which is what
//! makes it atomic. The budget is counted in atomics shared by the shards and reserved
//! before an item is added.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

use serde_json::Value;

use super::{Budget, Coll, Dump, NewId, Page, STARTED, Store, StoreError, id_text, page_of};

const SHARDS: usize = 16;

/// A collection's name as stored: (namespace, resource, scope).
#[derive(Debug, Clone)]
struct Key(String, String, String);

/// A collection's name, stored ([`Key`]) or borrowed from a request's [`Coll`], so
/// that finding a collection allocates nothing: the map is looked up through
/// `dyn Name`, which both hash and compare alike.
trait Name {
    fn parts(&self) -> (&str, &str, &str);
}

impl Name for Key {
    fn parts(&self) -> (&str, &str, &str) {
        (&self.0, &self.1, &self.2)
    }
}

impl Name for Coll<'_> {
    fn parts(&self) -> (&str, &str, &str) {
        (self.space, self.resource, self.scope)
    }
}

impl<'a> Borrow<dyn Name + 'a> for Key {
    fn borrow(&self) -> &(dyn Name + 'a) {
        self
    }
}

impl Hash for dyn Name + '_ {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.parts().hash(h);
    }
}

impl PartialEq for dyn Name + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn Name + '_ {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        (self as &dyn Name).hash(h);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for Key {}

/// The hasher of the store's maps: their keys are a mock's own names and identifiers,
/// and SipHash's resistance to chosen keys cost a stateful read more than its lock.
type Hashing = foldhash::fast::RandomState;

/// The collections of one shard.
type Shard = HashMap<Key, Collection, Hashing>;

/// One collection that was written to.
#[derive(Debug, Default)]
struct Collection {
    /// By identifier text, in insertion order.
    items: indexmap::IndexMap<String, Value, Hashing>,
    /// The next integer identifier.
    next: u64,
    /// The bytes its items take.
    bytes: usize,
}

/// State in this process's memory.
#[derive(Debug)]
pub struct MemoryStore {
    scenarios: RwLock<HashMap<String, String>>,
    shards: Vec<RwLock<Shard>>,
    /// Which shard a collection is in.
    spread: Hashing,
    counters: Mutex<HashMap<String, u64>>,
    max_items: usize,
    max_bytes: usize,
    items: AtomicUsize,
    bytes: AtomicUsize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::with_budget(super::DEFAULT_MAX_ITEMS, super::DEFAULT_MAX_BYTES)
    }
}

/// What glibc's malloc takes for an allocation of `n` bytes: the request and its 8-byte
/// header rounded up to 16, at least 32; nothing for no allocation.
fn chunk(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        (n + 8).div_ceil(16).max(2) * 16
    }
}

/// The slots of a hash table (hashbrown, under serde_json's `preserve_order` map)
/// holding `len` entries, and how many entries fit before it grows.
fn table(len: usize) -> (usize, usize) {
    match len {
        0 => (0, 0),
        1..=3 => (4, 3),
        4..=7 => (8, 7),
        _ => {
            let buckets = (len * 8 / 7 + 1).next_power_of_two();
            (buckets, buckets / 8 * 7)
        }
    }
}

/// A map entry as stored: its hash, its key and its value.
const ENTRY: usize = 8 + std::mem::size_of::<String>() + std::mem::size_of::<Value>();

/// The heap a value holds as parsed (not counting the `Value` itself): strings as
/// long as their text, arrays grown by doubling from 4, maps as a hash table of
/// indices and a vector of entries of the table's capacity.
fn heap(v: &Value) -> usize {
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => 0,
        Value::String(s) => chunk(s.len()),
        Value::Array(a) => {
            let capacity = if a.is_empty() {
                0
            } else {
                a.len().next_power_of_two().max(4)
            };
            chunk(capacity * std::mem::size_of::<Value>()) + a.iter().map(heap).sum::<usize>()
        }
        Value::Object(m) => {
            let (buckets, capacity) = table(m.len());
            let indices = if buckets == 0 {
                0
            } else {
                chunk(buckets * 8 + buckets + 16)
            };
            indices
                + chunk(capacity * ENTRY)
                + m.iter()
                    .map(|(k, x)| chunk(k.len()) + heap(x))
                    .sum::<usize>()
        }
    }
}

/// The memory an item takes in a collection: its heap, its identifier's text (counted
/// as long as a uuid's), and its entry in the collection's map counted twice (the
/// entries and the index table grow by doubling, so up to half of them are room not yet
/// used). A model of the allocations, not a measurement: `bench/state-memory.sh`
/// compares it with the RSS.
pub fn item_bytes(v: &Value) -> usize {
    heap(v) + 2 * (ENTRY + 9) + chunk(36)
}

impl MemoryStore {
    /// An empty store with the default budget.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// An empty store that holds at most `max_items` items taking `max_bytes`.
    pub fn with_budget(max_items: usize, max_bytes: usize) -> MemoryStore {
        MemoryStore {
            scenarios: RwLock::default(),
            shards: (0..SHARDS).map(|_| RwLock::default()).collect(),
            spread: Hashing::default(),
            counters: Mutex::default(),
            max_items,
            max_bytes,
            items: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
        }
    }

    fn shard(&self, c: &Coll<'_>) -> &RwLock<Shard> {
        // Not the bits the shard's own table takes its buckets from (the low ones).
        let h = self.spread.hash_one(c as &dyn Name);
        &self.shards[(h >> 60) as usize % SHARDS]
    }

    /// Takes `items` and `bytes` from the budget, or says which is spent.
    fn reserve(&self, items: usize, bytes: usize) -> Result<(), StoreError> {
        let (max_items, max_bytes) = (self.max_items, self.max_bytes);
        self.items
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                n.checked_add(items).filter(|t| *t <= max_items)
            })
            .map_err(|_| StoreError::Full {
                budget: "items",
                limit: max_items,
            })?;
        let took = self
            .bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                n.checked_add(bytes).filter(|t| *t <= max_bytes)
            });
        if took.is_err() {
            self.items.fetch_sub(items, Ordering::AcqRel);
            return Err(StoreError::Full {
                budget: "bytes",
                limit: max_bytes,
            });
        }
        Ok(())
    }

    fn release(&self, items: usize, bytes: usize) {
        let _ = self
            .items
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_sub(items))
            });
        let _ = self
            .bytes
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                Some(n.saturating_sub(bytes))
            });
    }

    /// Whether a change of `old` bytes to `new` fits; takes the difference.
    fn resize(&self, old: usize, new: usize) -> Result<(), StoreError> {
        if new > old {
            self.reserve(0, new - old)
        } else {
            self.release(0, old - new);
            Ok(())
        }
    }

    /// The collection, made from its seed on first use. The seed counts against the
    /// budget like any item: a namespace that cannot hold it is refused, so new
    /// namespaces cannot grow the store past its budget.
    fn open<'m>(&self, map: &'m mut Shard, c: &Coll<'_>) -> Result<&'m mut Collection, StoreError> {
        if !map.contains_key(c as &dyn Name) {
            let mut coll = Collection {
                next: 1,
                ..Collection::default()
            };
            for item in c.seed {
                // A seed with the same identifier twice keeps the last.
                put_numbered(&mut coll, item.clone(), c.id_prop);
            }
            self.reserve(coll.items.len(), coll.bytes)?;
            map.insert(Self::key_of(c), coll);
        }
        map.get_mut(c as &dyn Name).ok_or(StoreError::Unavailable)
    }

    fn key_of(c: &Coll<'_>) -> Key {
        Key(
            c.space.to_string(),
            c.resource.to_string(),
            c.scope.to_string(),
        )
    }
}

/// Whether an identifier's value is written `text` (what [`id_text`] makes of it, without
/// making it).
fn id_is(v: &Value, text: &str) -> bool {
    match v {
        Value::String(s) => s == text,
        Value::Number(n) => n.to_string() == text,
        _ => false,
    }
}

/// The next integer identifier not taken.
fn next_free(coll: &Collection) -> u64 {
    let mut n = coll.next.max(1);
    while coll.items.contains_key(&n.to_string()) {
        n += 1;
    }
    n
}

/// Puts `item` under its identifier (`id_prop`), or under the next free integer, which it
/// is given, when it has none; returns the item it replaced (whose bytes are no longer
/// counted).
fn put_numbered(coll: &mut Collection, mut item: Value, id_prop: &str) -> Option<Value> {
    let id = match item.get(id_prop).and_then(id_text) {
        Some(id) => id,
        None => {
            let n = next_free(coll);
            set_id(&mut item, id_prop, Value::from(n));
            n.to_string()
        }
    };
    bump(coll, &id);
    coll.bytes += item_bytes(&item);
    let old = coll.items.insert(id, item);
    if let Some(old) = &old {
        coll.bytes -= item_bytes(old);
    }
    old
}

/// Keeps `next` above every integer identifier.
fn bump(coll: &mut Collection, id: &str) {
    if let Ok(n) = id.parse::<u64>() {
        coll.next = coll.next.max(n.saturating_add(1));
    }
}

fn set_id(item: &mut Value, prop: &str, id: Value) {
    if prop.is_empty() {
        return;
    }
    if let Value::Object(m) = item {
        m.insert(prop.to_string(), id);
    }
}

/// An identifier as stored: a number when the text is one and the request sent one.
fn id_value(text: &str, like: Option<&Value>) -> Value {
    match like {
        Some(v @ Value::Number(_)) => v.clone(),
        _ => Value::String(text.to_string()),
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

    fn create(&self, c: &Coll<'_>, id: NewId, mut item: Value) -> Result<Value, StoreError> {
        let mut map = self.shard(c).write().unwrap_or_else(|e| e.into_inner());
        let coll = self.open(&mut map, c)?;
        let (text, value) = match id {
            NewId::Given(v) => {
                let text = id_text(&v).ok_or_else(|| StoreError::BadId(v.to_string()))?;
                if coll.items.contains_key(&text) {
                    return Err(StoreError::Exists(text));
                }
                (text, v)
            }
            NewId::NextInteger => {
                let n = next_free(coll);
                (n.to_string(), Value::from(n))
            }
            NewId::Text(t) => {
                if coll.items.contains_key(&t) {
                    return Err(StoreError::Exists(t));
                }
                (t.clone(), Value::String(t))
            }
        };
        set_id(&mut item, c.id_prop, value);
        let size = item_bytes(&item);
        self.reserve(1, size)?;
        bump(coll, &text);
        coll.bytes += size;
        coll.items.insert(text, item.clone());
        Ok(item)
    }

    fn get(&self, c: &Coll<'_>, id: &str) -> Option<Value> {
        let mut found = None;
        self.read(c, id, &mut |v| found = v.cloned());
        found
    }

    fn read(&self, c: &Coll<'_>, id: &str, read: &mut dyn FnMut(Option<&Value>)) {
        let map = self.shard(c).read().unwrap_or_else(|e| e.into_inner());
        match map.get(c as &dyn Name) {
            Some(coll) => read(coll.items.get(id)),
            None => read(
                c.seed
                    .iter()
                    .find(|v| v.get(c.id_prop).is_some_and(|x| id_is(x, id))),
            ),
        }
    }

    fn replace(
        &self,
        c: &Coll<'_>,
        id: &str,
        mut item: Value,
    ) -> Result<Option<Value>, StoreError> {
        let mut map = self.shard(c).write().unwrap_or_else(|e| e.into_inner());
        let coll = self.open(&mut map, c)?;
        let Some(slot) = coll.items.get_mut(id) else {
            return Ok(None);
        };
        set_id(&mut item, c.id_prop, id_value(id, slot.get(c.id_prop)));
        let (old, new) = (item_bytes(slot), item_bytes(&item));
        self.resize(old, new)?;
        coll.bytes = coll.bytes + new - old;
        *slot = item.clone();
        Ok(Some(item))
    }

    fn modify(
        &self,
        c: &Coll<'_>,
        id: &str,
        change: &mut dyn FnMut(&mut Value) -> bool,
    ) -> Result<Option<Value>, StoreError> {
        let mut map = self.shard(c).write().unwrap_or_else(|e| e.into_inner());
        let coll = self.open(&mut map, c)?;
        let Some(slot) = coll.items.get_mut(id) else {
            return Ok(None);
        };
        let mut copy = slot.clone();
        if !change(&mut copy) {
            return Ok(Some(slot.clone()));
        }
        set_id(&mut copy, c.id_prop, id_value(id, slot.get(c.id_prop)));
        let (old, new) = (item_bytes(slot), item_bytes(&copy));
        self.resize(old, new)?;
        coll.bytes = coll.bytes + new - old;
        *slot = copy.clone();
        Ok(Some(copy))
    }

    fn remove(&self, c: &Coll<'_>, id: &str) -> Result<Option<Value>, StoreError> {
        let mut map = self.shard(c).write().unwrap_or_else(|e| e.into_inner());
        let absent = !map.contains_key(c as &dyn Name)
            && !c
                .seed
                .iter()
                .any(|v| v.get(c.id_prop).is_some_and(|x| id_is(x, id)));
        if absent {
            return Ok(None);
        }
        let coll = self.open(&mut map, c)?;
        let gone = coll.items.shift_remove(id);
        if let Some(v) = &gone {
            let size = item_bytes(v);
            coll.bytes = coll.bytes.saturating_sub(size);
            self.release(1, size);
        }
        Ok(gone)
    }

    fn list(&self, c: &Coll<'_>, keep: &dyn Fn(&Value) -> bool, skip: usize, take: usize) -> Page {
        let map = self.shard(c).read().unwrap_or_else(|e| e.into_inner());
        match map.get(c as &dyn Name) {
            Some(coll) => page_of(coll.items.values(), keep, skip, take),
            None => page_of(c.seed.iter(), keep, skip, take),
        }
    }

    fn put_all(&self, c: &Coll<'_>, items: Vec<Value>) -> Result<usize, StoreError> {
        let mut map = self.shard(c).write().unwrap_or_else(|e| e.into_inner());
        let bytes: usize = items.iter().map(item_bytes).sum();
        let (old_items, old_bytes) = map
            .get(c as &dyn Name)
            .map_or((0, 0), |k| (k.items.len(), k.bytes));
        self.release(old_items, old_bytes);
        if let Err(e) = self.reserve(items.len(), bytes) {
            self.items.fetch_add(old_items, Ordering::AcqRel);
            self.bytes.fetch_add(old_bytes, Ordering::AcqRel);
            return Err(e);
        }
        let mut coll = Collection {
            next: 1,
            ..Collection::default()
        };
        for item in items {
            if let Some(old) = put_numbered(&mut coll, item, c.id_prop) {
                // The same identifier twice: the last one is kept.
                self.release(1, item_bytes(&old));
            }
        }
        let held = coll.items.len();
        map.insert(Self::key_of(c), coll);
        Ok(held)
    }

    fn reset_resources(&self, space: Option<&str>, resource: Option<&str>) {
        for shard in &self.shards {
            let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
            map.retain(|Key(s, r, _), coll| {
                let hit = space.is_none_or(|x| x == s) && resource.is_none_or(|x| x == r);
                if hit {
                    self.release(coll.items.len(), coll.bytes);
                }
                !hit
            });
        }
    }

    fn drop_scopes(&self, space: &str, resource: &str, scope: &str) {
        let under = format!("{scope}/");
        for shard in &self.shards {
            let mut map = shard.write().unwrap_or_else(|e| e.into_inner());
            map.retain(|Key(s, r, sc), coll| {
                let hit = s == space && r == resource && (sc == scope || sc.starts_with(&under));
                if hit {
                    self.release(coll.items.len(), coll.bytes);
                }
                !hit
            });
        }
    }

    fn dump(&self) -> Vec<Dump> {
        let mut out = Vec::new();
        for shard in &self.shards {
            let map = shard.read().unwrap_or_else(|e| e.into_inner());
            for (Key(space, resource, scope), coll) in map.iter() {
                out.push(Dump {
                    space: space.clone(),
                    resource: resource.clone(),
                    scope: scope.clone(),
                    items: coll.items.values().cloned().collect(),
                });
            }
        }
        out.sort_by(|a, b| {
            (&a.space, &a.resource, &a.scope).cmp(&(&b.space, &b.resource, &b.scope))
        });
        out
    }

    fn count(&self, name: &str) -> u64 {
        let mut map = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let n = map.entry(name.to_string()).or_insert(0);
        *n += 1;
        *n
    }

    fn budget(&self) -> Budget {
        Budget {
            max_items: self.max_items,
            max_bytes: self.max_bytes,
            items: self.items.load(Ordering::Acquire),
            bytes: self.bytes.load(Ordering::Acquire),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn coll<'a>(seed: &'a [Value]) -> Coll<'a> {
        Coll {
            space: "",
            resource: "/pets",
            scope: "",
            id_prop: "id",
            seed,
        }
    }

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

    #[test]
    fn a_collection_holds_its_seed_until_reset_and_ids_continue_above_it() {
        let seed = [
            json!({"id": 1, "name": "Rex"}),
            json!({"id": 7, "name": "Tom"}),
        ];
        let store = MemoryStore::new();
        let c = coll(&seed);
        assert_eq!(store.get(&c, "7").unwrap()["name"], "Tom");
        assert_eq!(store.budget().items, 0, "reads copy nothing");
        let made = store
            .create(&c, NewId::NextInteger, json!({"name": "Kit"}))
            .unwrap();
        assert_eq!(made["id"], 8);
        assert_eq!(store.list(&c, &|_| true, 0, 10).total, 3);
        assert_eq!(store.budget().items, 3);
        assert_eq!(
            store.create(&c, NewId::Given(json!(1)), json!({})),
            Err(StoreError::Exists("1".into()))
        );
        store.remove(&c, "1").unwrap();
        assert!(store.get(&c, "1").is_none());
        store.reset_resources(None, Some("/pets"));
        assert_eq!(store.budget().items, 0);
        assert_eq!(store.get(&c, "1").unwrap()["name"], "Rex");
    }

    #[test]
    fn namespaces_and_scopes_do_not_see_each_other() {
        let store = MemoryStore::new();
        let a = coll(&[]);
        let b = Coll { space: "b", ..a };
        let s = Coll { scope: "3", ..a };
        store.create(&a, NewId::NextInteger, json!({})).unwrap();
        assert!(store.get(&b, "1").is_none());
        assert!(store.get(&s, "1").is_none());
        store.reset_resources(Some(""), None);
        assert!(store.get(&a, "1").is_none());
        // Names that run together alike are still two collections.
        let ab = Coll {
            space: "a",
            resource: "b",
            ..a
        };
        let a_b = Coll {
            space: "ab",
            resource: "",
            ..a
        };
        store.create(&ab, NewId::NextInteger, json!({})).unwrap();
        assert!(store.get(&a_b, "1").is_none());
        assert!(store.get(&ab, "1").is_some());
    }

    #[test]
    fn read_lends_the_stored_item_or_the_seed() {
        let seed = [json!({"id": 5, "name": "Rex"})];
        let store = MemoryStore::new();
        let c = coll(&seed);
        let mut seen = Vec::new();
        store.read(&c, "5", &mut |v| seen.push(v.cloned()));
        store.read(&c, "6", &mut |v| seen.push(v.cloned()));
        store
            .create(&c, NewId::Given(json!("6")), json!({"name": "Tom"}))
            .unwrap();
        store.read(&c, "6", &mut |v| seen.push(v.cloned()));
        assert_eq!(
            seen,
            [
                Some(json!({"id": 5, "name": "Rex"})),
                None,
                Some(json!({"name": "Tom", "id": "6"})),
            ]
        );
    }

    #[test]
    fn concurrent_creates_get_distinct_ids_and_concurrent_changes_all_land() {
        let store = MemoryStore::new();
        let c = coll(&[]);
        let ids = Mutex::new(Vec::new());
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..50 {
                        let v = store
                            .create(&c, NewId::NextInteger, json!({"n": 0}))
                            .unwrap();
                        ids.lock().unwrap().push(v["id"].as_u64().unwrap());
                    }
                });
            }
        });
        let mut ids = ids.into_inner().unwrap();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 400);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    for _ in 0..100 {
                        store
                            .modify(&c, "1", &mut |v| {
                                v["n"] = json!(v["n"].as_u64().unwrap() + 1);
                                true
                            })
                            .unwrap();
                    }
                });
            }
        });
        assert_eq!(store.get(&c, "1").unwrap()["n"], 800);
    }

    #[test]
    fn a_spent_budget_says_which() {
        let store = MemoryStore::with_budget(2, 1 << 20);
        let c = coll(&[]);
        store.create(&c, NewId::NextInteger, json!({})).unwrap();
        store.create(&c, NewId::NextInteger, json!({})).unwrap();
        assert_eq!(
            store.create(&c, NewId::NextInteger, json!({})),
            Err(StoreError::Full {
                budget: "items",
                limit: 2
            })
        );
        store.remove(&c, "1").unwrap();
        store.create(&c, NewId::NextInteger, json!({})).unwrap();
        let small = MemoryStore::with_budget(10, 40);
        let big = json!({"name": "a long enough name to pass forty bytes of JSON"});
        assert!(matches!(
            small.create(&c, NewId::NextInteger, big),
            Err(StoreError::Full {
                budget: "bytes",
                ..
            })
        ));
        assert_eq!(small.budget().items, 0);
    }

    #[test]
    fn new_namespaces_cannot_grow_the_store_past_its_budget() {
        let seed = [json!({"id": 1}), json!({"id": 2})];
        let store = MemoryStore::with_budget(5, 1 << 20);
        let names: Vec<String> = (0..10).map(|i| format!("s{i}")).collect();
        let mut refused = 0;
        for name in &names {
            let c = Coll {
                space: name,
                ..coll(&seed)
            };
            if store.create(&c, NewId::NextInteger, json!({})).is_err() {
                refused += 1;
            }
        }
        assert!(store.budget().items <= 5, "{:?}", store.budget());
        assert_eq!(refused, 9, "one namespace fits its seed and one more item");
    }

    #[test]
    fn put_all_replaces_and_counters_count() {
        let store = MemoryStore::new();
        let c = coll(&[]);
        store.create(&c, NewId::NextInteger, json!({})).unwrap();
        let held = store
            .put_all(&c, vec![json!({"id": "a"}), json!({"name": "no id"})])
            .unwrap();
        assert_eq!(held, 2);
        assert_eq!(store.budget().items, 2);
        assert_eq!(store.get(&c, "1").unwrap()["name"], "no id");
        assert_eq!(store.dump().len(), 1);
        assert_eq!(store.count("x"), 1);
        assert_eq!(store.count("x"), 2);
    }
}
