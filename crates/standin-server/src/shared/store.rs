//! [`RedisStore`]: the core's [`Store`] over Redis, so every replica reads and writes
//! the same scenarios, resources, data buckets and counters.
//!
//! The core's store interface is synchronous (the engine is a pure function that asks
//! it); the server runs a shared mock's engine inside `block_in_place`, and each
//! operation here waits for Redis on that thread. Each operation is one Lua script or
//! one `MULTI` pipeline, so it is atomic across replicas as the in-memory store's lock
//! makes it within a process: of 300 concurrent creates each gets its own identifier.
//! A change through a closure (`modify`) reads, changes and writes back only if the
//! item is unchanged (compare-and-set), retrying.
//!
//! The interface has no error for reads, so a failed operation is noted for the
//! request on its thread ([`take_failure`]); the server turns the answer into a 503.
//!
//! Keys of a collection (label = namespace, resource and scope joined by `\x1f`):
//! `c:<label>` (identifier → item JSON), `o:<label>` (insertion order), `m:<label>`
//! (`next` integer, `seq`; present once the seed was copied in); `colls` lists the
//! labels, `budget` counts items and bytes (JSON text length), `sc` the scenarios, `n`
//! the counters.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, LazyLock};

use redis::aio::ConnectionManager;
use redis::{AsyncCommands, Script};
use serde_json::Value;
use standin_core::state::{
    Budget, Coll, Dump, NewId, Page, STARTED, Store, StoreError, id_text, page_of,
};

use super::Shared;

thread_local! {
    static FAILURE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Forgets a failure noted on this thread (call before asking the engine).
pub fn clear_failure() {
    FAILURE.with(|f| f.borrow_mut().take());
}

/// The failure noted on this thread since [`clear_failure`], if any.
pub fn take_failure() -> Option<String> {
    FAILURE.with(|f| f.borrow_mut().take())
}

fn note(why: String) {
    FAILURE.with(|f| {
        let mut f = f.borrow_mut();
        if f.is_none() {
            *f = Some(why);
        }
    });
}

/// What a created item's identifier is replaced with when the script picks it.
const PLACEHOLDER: &str = "\u{0}standin-next-id\u{0}";

/// Writes the n (identifier, text) pairs of ARGV[6..] as a collection's items in
/// order, with its meta (`next` from ARGV[4]), listed, the budget moved by the deltas.
const FILL: &str = r"
local function fill(n, items_delta, bytes_delta)
  for i = 0, n - 1 do
    local id = ARGV[6 + 2 * i]
    redis.call('HSET', KEYS[1], id, ARGV[7 + 2 * i])
    redis.call('ZADD', KEYS[2], i + 1, id)
  end
  redis.call('HSET', KEYS[3], 'next', ARGV[4], 'seq', n)
  redis.call('SADD', KEYS[4], ARGV[1])
  redis.call('HINCRBY', KEYS[5], 'items', items_delta)
  redis.call('HINCRBY', KEYS[5], 'bytes', bytes_delta)
end
local function text_bytes(n)
  local bytes = 0
  for i = 0, n - 1 do bytes = bytes + #ARGV[7 + 2 * i] end
  return bytes
end
";

/// Copies the seed in when the collection was never written. KEYS: items, order,
/// meta, colls, budget. ARGV: label, max items, max bytes, seed next, n, n pairs.
const OPEN: &str = r"
local function budget(items, bytes)
  local b = redis.call('HMGET', KEYS[5], 'items', 'bytes')
  if tonumber(b[1] or '0') + items > tonumber(ARGV[2]) then return 'items' end
  if tonumber(b[2] or '0') + bytes > tonumber(ARGV[3]) then return 'bytes' end
  return nil
end
local function bump(id)
  if string.match(id, '^%d+$') then
    local n = tonumber(id) + 1
    local cur = tonumber(redis.call('HGET', KEYS[3], 'next') or '1')
    if n > cur then redis.call('HSET', KEYS[3], 'next', string.format('%d', n)) end
  end
end
local n = tonumber(ARGV[5])
local base = 6 + 2 * n
local function open()
  if redis.call('EXISTS', KEYS[3]) == 1 then return nil end
  local bytes = text_bytes(n)
  local full = budget(n, bytes)
  if full then return full end
  fill(n, n, bytes)
  return nil
end
local function put(id, text, old)
  if old then
    redis.call('HINCRBY', KEYS[5], 'bytes', #text - #old)
  else
    local seq = redis.call('HINCRBY', KEYS[3], 'seq', 1)
    redis.call('ZADD', KEYS[2], seq, id)
    redis.call('HINCRBY', KEYS[5], 'items', 1)
    redis.call('HINCRBY', KEYS[5], 'bytes', #text)
  end
  redis.call('HSET', KEYS[1], id, text)
  bump(id)
end
local full = open()
if full then return {'full', full} end
";

/// ARGV after the seed: mode (`given` or `next`), identifier, item text, placeholder.
static CREATE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{FILL}{OPEN}
local mode, id, text = ARGV[base], ARGV[base + 1], ARGV[base + 2]
if mode == 'next' then
  local nx = tonumber(redis.call('HGET', KEYS[3], 'next') or '1')
  while redis.call('HEXISTS', KEYS[1], string.format('%d', nx)) == 1 do nx = nx + 1 end
  id = string.format('%d', nx)
  local s, e = string.find(text, ARGV[base + 3], 1, true)
  if s then text = string.sub(text, 1, s - 1) .. id .. string.sub(text, e + 1) end
elseif redis.call('HEXISTS', KEYS[1], id) == 1 then
  return {{'exists', id}}
end
local over = budget(1, #text)
if over then return {{'full', over}} end
put(id, text, false)
return {{'ok', text}}
"
    ))
});

/// ARGV after the seed: identifier. Answers the item's text (the seed copied in).
static READ: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{FILL}{OPEN}
local cur = redis.call('HGET', KEYS[1], ARGV[base])
if not cur then return {{'none'}} end
return {{'ok', cur}}
"
    ))
});

/// ARGV after the seed: identifier, the text read, the new text.
static SWAP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{FILL}{OPEN}
local id, was, text = ARGV[base], ARGV[base + 1], ARGV[base + 2]
local cur = redis.call('HGET', KEYS[1], id)
if not cur then return {{'none'}} end
if cur ~= was then return {{'conflict'}} end
if #text > #cur then
  local over = budget(0, #text - #cur)
  if over then return {{'full', over}} end
end
put(id, text, cur)
return {{'ok', text}}
"
    ))
});

/// ARGV after the seed: identifier. Answers the item removed.
static REMOVE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        "{FILL}{OPEN}
local id = ARGV[base]
local cur = redis.call('HGET', KEYS[1], id)
if not cur then return {{'none'}} end
redis.call('HDEL', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
redis.call('HINCRBY', KEYS[5], 'items', -1)
redis.call('HINCRBY', KEYS[5], 'bytes', -#cur)
return {{'ok', cur}}
"
    ))
});

/// Replaces a collection. KEYS as [`OPEN`]; ARGV: label, max items, max bytes, next,
/// n, n pairs (no seed: the items given are the collection).
static PUT_ALL: LazyLock<Script> = LazyLock::new(|| {
    Script::new(&format!(
        r"{FILL}
local n = tonumber(ARGV[5])
local bytes = text_bytes(n)
local old_items, old_bytes = 0, 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  old_items = old_items + 1
  old_bytes = old_bytes + #v
end
local b = redis.call('HMGET', KEYS[5], 'items', 'bytes')
if tonumber(b[1] or '0') - old_items + n > tonumber(ARGV[2]) then return {{'full', 'items'}} end
if tonumber(b[2] or '0') - old_bytes + bytes > tonumber(ARGV[3]) then return {{'full', 'bytes'}} end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
fill(n, n - old_items, bytes - old_bytes)
return {{'ok', tostring(n)}}
"
    ))
});

/// Drops a collection (back to its seed). KEYS: items, order, meta, colls, budget;
/// ARGV: label.
static DROP: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local items, bytes = 0, 0
for _, v in ipairs(redis.call('HVALS', KEYS[1])) do
  items = items + 1
  bytes = bytes + #v
end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
redis.call('SREM', KEYS[4], ARGV[1])
redis.call('HINCRBY', KEYS[5], 'items', -items)
redis.call('HINCRBY', KEYS[5], 'bytes', -bytes)
return 1
",
    )
});

/// Moves a scenario if it is where the caller expects. KEYS: scenarios; ARGV: name,
/// whether `from` is given, from, to.
static ADVANCE: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or 'Started'
if ARGV[2] == '1' and cur ~= ARGV[3] then return 0 end
if cur ~= ARGV[4] then redis.call('HSET', KEYS[1], ARGV[1], ARGV[4]) end
return 1
",
    )
});

/// The state of one mock in the shared store (see the module doc).
pub struct RedisStore {
    shared: Arc<Shared>,
    prefix: String,
    max_items: usize,
    max_bytes: usize,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A collection's label and keys.
struct Keys {
    label: String,
    items: String,
    order: String,
    meta: String,
}

/// What a script answered: a status and maybe a text.
type Answer = Vec<String>;

impl RedisStore {
    /// The state of the mock `key` (`cfg:<name>`, `rt:<id>`).
    pub fn new(shared: Arc<Shared>, key: &str, max_items: usize, max_bytes: usize) -> RedisStore {
        RedisStore {
            shared,
            prefix: format!("standin:s:{key}:"),
            max_items,
            max_bytes,
        }
    }

    fn keys(&self, space: &str, resource: &str, scope: &str) -> Keys {
        let label = format!("{space}\x1f{resource}\x1f{scope}");
        Keys {
            items: format!("{}c:{label}", self.prefix),
            order: format!("{}o:{label}", self.prefix),
            meta: format!("{}m:{label}", self.prefix),
            label,
        }
    }

    fn colls(&self) -> String {
        format!("{}colls", self.prefix)
    }

    fn budget_key(&self) -> String {
        format!("{}budget", self.prefix)
    }

    /// Runs an operation on the connection, waiting on this thread; a failure is
    /// noted for the request and answers `None`.
    fn run<T, F>(&self, op: impl FnOnce(ConnectionManager) -> F) -> Option<T>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if let Some(down) = self.shared.down() {
            self.shared
                .failures
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            note(down);
            return None;
        }
        let fut = op(self.shared.conn());
        let handle = tokio::runtime::Handle::try_current().ok()?;
        let result = tokio::task::block_in_place(|| {
            handle.block_on(async { tokio::time::timeout(super::TIMEOUT, fut).await })
        });
        match result {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                note(self.shared.failed(&e));
                None
            }
            Err(_) => {
                self.shared.mark_down("no answer within 1 s");
                note(format!(
                    "store {}: no answer within 1 s",
                    self.shared.display
                ));
                None
            }
        }
    }

    /// The seed as the scripts take it: the next integer, then (identifier, text)
    /// pairs, the last of an identifier kept.
    fn seed_args(c: &Coll<'_>) -> (u64, Vec<(String, String)>) {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut next = 1u64;
        for item in c.seed {
            let mut item = item.clone();
            let id = match item.get(c.id_prop).and_then(id_text) {
                Some(id) => id,
                None => {
                    let mut n = next;
                    while pairs.iter().any(|(i, _)| *i == n.to_string()) {
                        n += 1;
                    }
                    if let Value::Object(m) = &mut item
                        && !c.id_prop.is_empty()
                    {
                        m.insert(c.id_prop.to_string(), Value::from(n));
                    }
                    n.to_string()
                }
            };
            if let Ok(n) = id.parse::<u64>() {
                next = next.max(n.saturating_add(1));
            }
            let text = item.to_string();
            match pairs.iter_mut().find(|(i, _)| *i == id) {
                Some(slot) => slot.1 = text,
                None => pairs.push((id, text)),
            }
        }
        (next, pairs)
    }

    /// Invokes a collection script: the seed, then `args`.
    fn invoke(&self, script: &'static Script, c: &Coll<'_>, args: Vec<String>) -> Option<Answer> {
        let (next, seed) = Self::seed_args(c);
        self.invoke_with(script, c, next, seed, args)
    }

    /// Invokes a collection script with its keys, the budget, `next` and the
    /// (identifier, text) pairs, then `args`.
    fn invoke_with(
        &self,
        script: &'static Script,
        c: &Coll<'_>,
        next: u64,
        pairs: Vec<(String, String)>,
        args: Vec<String>,
    ) -> Option<Answer> {
        let k = self.keys(c.space, c.resource, c.scope);
        let (colls, budget) = (self.colls(), self.budget_key());
        let (max_items, max_bytes) = (self.max_items, self.max_bytes);
        self.run(move |mut conn| async move {
            let mut inv = script.prepare_invoke();
            inv.key(&k.items)
                .key(&k.order)
                .key(&k.meta)
                .key(&colls)
                .key(&budget)
                .arg(&k.label)
                .arg(max_items)
                .arg(max_bytes)
                .arg(next)
                .arg(pairs.len());
            for (id, text) in &pairs {
                inv.arg(id).arg(text);
            }
            for a in &args {
                inv.arg(a);
            }
            inv.invoke_async::<Answer>(&mut conn).await
        })
    }

    fn full(&self, which: &str) -> StoreError {
        if which == "bytes" {
            StoreError::Full {
                budget: "bytes",
                limit: self.max_bytes,
            }
        } else {
            StoreError::Full {
                budget: "items",
                limit: self.max_items,
            }
        }
    }

    /// The error of a store that did not answer: the request becomes a 503 anyway.
    fn unreachable() -> StoreError {
        StoreError::Unavailable
    }

    fn parse(text: &str) -> Option<Value> {
        serde_json::from_str(text).ok()
    }

    /// The labels of every collection written to.
    fn labels(&self) -> Vec<String> {
        let colls = self.colls();
        let mut labels: Vec<String> = self
            .run(move |mut c| async move { c.smembers::<_, Vec<String>>(&colls).await })
            .unwrap_or_default();
        labels.sort();
        labels
    }

    fn drop_label(&self, label: &str) {
        let mut parts = label.splitn(3, '\x1f');
        let (space, resource, scope) = (
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
            parts.next().unwrap_or(""),
        );
        let k = self.keys(space, resource, scope);
        let (colls, budget) = (self.colls(), self.budget_key());
        let _ = self.run(move |mut conn| async move {
            DROP.prepare_invoke()
                .key(&k.items)
                .key(&k.order)
                .key(&k.meta)
                .key(&colls)
                .key(&budget)
                .arg(&k.label)
                .invoke_async::<i64>(&mut conn)
                .await
        });
    }

    /// The items of a collection in insertion order; `None` when never written.
    fn items(&self, space: &str, resource: &str, scope: &str) -> Option<Option<Vec<Value>>> {
        let k = self.keys(space, resource, scope);
        let (written, order, items): (bool, Vec<String>, HashMap<String, String>) =
            self.run(move |mut conn| async move {
                redis::pipe()
                    .atomic()
                    .exists(&k.meta)
                    .zrange(&k.order, 0, -1)
                    .hgetall(&k.items)
                    .query_async(&mut conn)
                    .await
            })?;
        if !written {
            return Some(None);
        }
        Some(Some(
            order
                .iter()
                .filter_map(|id| items.get(id))
                .filter_map(|t| Self::parse(t))
                .collect(),
        ))
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

impl Store for RedisStore {
    fn scenario(&self, name: &str) -> String {
        let key = format!("{}sc", self.prefix);
        let name = name.to_string();
        self.run(move |mut c| async move { c.hget::<_, _, Option<String>>(&key, &name).await })
            .flatten()
            .unwrap_or_else(|| STARTED.to_string())
    }

    fn advance(&self, name: &str, from: Option<&str>, to: &str) -> bool {
        let key = format!("{}sc", self.prefix);
        let (name, from, to) = (name.to_string(), from.map(str::to_string), to.to_string());
        self.run(move |mut c| async move {
            ADVANCE
                .prepare_invoke()
                .key(&key)
                .arg(&name)
                .arg(if from.is_some() { "1" } else { "0" })
                .arg(from.as_deref().unwrap_or(""))
                .arg(&to)
                .invoke_async::<i64>(&mut c)
                .await
        }) == Some(1)
    }

    fn set_scenario(&self, name: &str, state: &str) {
        let key = format!("{}sc", self.prefix);
        let (name, state) = (name.to_string(), state.to_string());
        let _ =
            self.run(move |mut c| async move { c.hset::<_, _, _, ()>(&key, &name, &state).await });
    }

    fn reset_scenarios(&self) {
        let key = format!("{}sc", self.prefix);
        let _ = self.run(move |mut c| async move { c.del::<_, ()>(&key).await });
    }

    fn scenarios(&self) -> Vec<(String, String)> {
        let key = format!("{}sc", self.prefix);
        let map: HashMap<String, String> = self
            .run(move |mut c| async move { c.hgetall(&key).await })
            .unwrap_or_default();
        let mut all: Vec<_> = map.into_iter().filter(|(_, s)| s != STARTED).collect();
        all.sort();
        all
    }

    fn create(&self, c: &Coll<'_>, id: NewId, mut item: Value) -> Result<Value, StoreError> {
        let (mode, text_id) = match id {
            NewId::Given(v) => {
                let text = id_text(&v).ok_or_else(|| StoreError::BadId(v.to_string()))?;
                set_id(&mut item, c.id_prop, v);
                ("given", text)
            }
            NewId::Text(t) => {
                set_id(&mut item, c.id_prop, Value::String(t.clone()));
                ("given", t)
            }
            NewId::NextInteger => {
                set_id(&mut item, c.id_prop, Value::String(PLACEHOLDER.into()));
                ("next", String::new())
            }
        };
        let placeholder = Value::String(PLACEHOLDER.into()).to_string();
        let answer = self
            .invoke(
                &CREATE,
                c,
                vec![mode.into(), text_id, item.to_string(), placeholder],
            )
            .ok_or_else(Self::unreachable)?;
        match answer.as_slice() {
            [s, text] if s == "ok" => Self::parse(text).ok_or_else(Self::unreachable),
            [s, id] if s == "exists" => Err(StoreError::Exists(id.clone())),
            [s, which] if s == "full" => Err(self.full(which)),
            _ => Err(Self::unreachable()),
        }
    }

    fn get(&self, c: &Coll<'_>, id: &str) -> Option<Value> {
        match self.items_one(c, id)? {
            Some(v) => v,
            None => c
                .seed
                .iter()
                .find(|v| v.get(c.id_prop).and_then(id_text).as_deref() == Some(id))
                .cloned(),
        }
    }

    fn replace(&self, c: &Coll<'_>, id: &str, item: Value) -> Result<Option<Value>, StoreError> {
        let mut item = Some(item);
        self.modify(c, id, &mut |slot| {
            if let Some(mut new) = item.take() {
                if let Some(old_id) = slot.get(c.id_prop).cloned() {
                    set_id(&mut new, c.id_prop, old_id);
                }
                *slot = new;
            }
            true
        })
    }

    fn modify(
        &self,
        c: &Coll<'_>,
        id: &str,
        change: &mut dyn FnMut(&mut Value) -> bool,
    ) -> Result<Option<Value>, StoreError> {
        for _ in 0..64 {
            let read = self
                .invoke(&READ, c, vec![id.to_string()])
                .ok_or_else(Self::unreachable)?;
            let was = match read.as_slice() {
                [s, text] if s == "ok" => text.clone(),
                [s] if s == "none" => return Ok(None),
                [s, which] if s == "full" => return Err(self.full(which)),
                _ => return Err(Self::unreachable()),
            };
            let old = Self::parse(&was).ok_or_else(Self::unreachable)?;
            let mut copy = old.clone();
            if !change(&mut copy) {
                return Ok(Some(old));
            }
            if let Some(keep) = old.get(c.id_prop).cloned() {
                set_id(&mut copy, c.id_prop, keep);
            }
            let answer = self
                .invoke(&SWAP, c, vec![id.to_string(), was, copy.to_string()])
                .ok_or_else(Self::unreachable)?;
            match answer.as_slice() {
                [s, _] if s == "ok" => return Ok(Some(copy)),
                [s] if s == "none" => return Ok(None),
                [s, which] if s == "full" => return Err(self.full(which)),
                [s] if s == "conflict" => continue,
                _ => return Err(Self::unreachable()),
            }
        }
        note(format!(
            "store {}: the item kept changing under this request",
            self.shared.display
        ));
        Err(Self::unreachable())
    }

    fn remove(&self, c: &Coll<'_>, id: &str) -> Result<Option<Value>, StoreError> {
        let answer = self
            .invoke(&REMOVE, c, vec![id.to_string()])
            .ok_or_else(Self::unreachable)?;
        match answer.as_slice() {
            [s, text] if s == "ok" => Ok(Self::parse(text)),
            [s] if s == "none" => Ok(None),
            [s, which] if s == "full" => Err(self.full(which)),
            _ => Err(Self::unreachable()),
        }
    }

    fn list(&self, c: &Coll<'_>, keep: &dyn Fn(&Value) -> bool, skip: usize, take: usize) -> Page {
        let items = self.items(c.space, c.resource, c.scope);
        let held;
        let source: &[Value] = match &items {
            Some(Some(v)) => {
                held = v;
                held
            }
            Some(None) => c.seed,
            None => &[],
        };
        page_of(source.iter(), keep, skip, take)
    }

    fn put_all(&self, c: &Coll<'_>, items: Vec<Value>) -> Result<usize, StoreError> {
        let numbered = Coll { seed: &items, ..*c };
        let (next, pairs) = Self::seed_args(&numbered);
        let answer = self
            .invoke_with(&PUT_ALL, c, next, pairs, Vec::new())
            .ok_or_else(Self::unreachable)?;
        match answer.as_slice() {
            [s, n] if s == "ok" => Ok(n.parse().unwrap_or(0)),
            [s, which] if s == "full" => Err(self.full(which)),
            _ => Err(Self::unreachable()),
        }
    }

    fn reset_resources(&self, space: Option<&str>, resource: Option<&str>) {
        for label in self.labels() {
            let mut parts = label.splitn(3, '\x1f');
            let (s, r) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if space.is_none_or(|x| x == s) && resource.is_none_or(|x| x == r) {
                self.drop_label(&label);
            }
        }
    }

    fn drop_scopes(&self, space: &str, resource: &str, scope: &str) {
        let under = format!("{scope}/");
        for label in self.labels() {
            let mut parts = label.splitn(3, '\x1f');
            let (s, r, sc) = (
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
                parts.next().unwrap_or(""),
            );
            if s == space && r == resource && (sc == scope || sc.starts_with(&under)) {
                self.drop_label(&label);
            }
        }
    }

    fn dump(&self) -> Vec<Dump> {
        let mut out = Vec::new();
        for label in self.labels() {
            let mut parts = label.splitn(3, '\x1f');
            let (s, r, sc) = (
                parts.next().unwrap_or("").to_string(),
                parts.next().unwrap_or("").to_string(),
                parts.next().unwrap_or("").to_string(),
            );
            if let Some(Some(items)) = self.items(&s, &r, &sc) {
                out.push(Dump {
                    space: s,
                    resource: r,
                    scope: sc,
                    items,
                });
            }
        }
        out
    }

    fn count(&self, name: &str) -> u64 {
        let key = format!("{}n", self.prefix);
        let name = name.to_string();
        self.run(move |mut c| async move { c.hincr::<_, _, _, u64>(&key, &name, 1u64).await })
            .unwrap_or(0)
    }

    fn budget(&self) -> Budget {
        let key = self.budget_key();
        let (items, bytes): (Option<i64>, Option<i64>) = self
            .run(move |mut c| async move {
                redis::cmd("HMGET")
                    .arg(&key)
                    .arg("items")
                    .arg("bytes")
                    .query_async(&mut c)
                    .await
            })
            .unwrap_or((None, None));
        Budget {
            max_items: self.max_items,
            max_bytes: self.max_bytes,
            items: usize::try_from(items.unwrap_or(0).max(0)).unwrap_or(0),
            bytes: usize::try_from(bytes.unwrap_or(0).max(0)).unwrap_or(0),
        }
    }
}

impl RedisStore {
    /// One item: `None` when the store failed; `Some(None)` when the collection was
    /// never written (the seed answers); `Some(Some(item))` otherwise.
    fn items_one(&self, c: &Coll<'_>, id: &str) -> Option<Option<Option<Value>>> {
        let k = self.keys(c.space, c.resource, c.scope);
        let id = id.to_string();
        let (written, text): (bool, Option<String>) = self.run(move |mut conn| async move {
            redis::pipe()
                .atomic()
                .exists(&k.meta)
                .hget(&k.items, &id)
                .query_async(&mut conn)
                .await
        })?;
        if !written {
            return Some(None);
        }
        Some(Some(text.and_then(|t| Self::parse(&t))))
    }
}
