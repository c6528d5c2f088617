//! An environment's mutable state, kept in the mock's `Store`: each data bucket's
//! current value and the global variables. A bucket is held whole, as one item of a
//! collection of its own whose seed is the value built at load, so `crud` routes,
//! `setData` and the admin API change it in one atomic step each, and resetting the
//! store's resources restores every bucket to its start value and empties the global
//! variables.

use serde_json::{Map, Value, json};
use standin_core::state::{Coll, Store, StoreError};

/// The property naming the one item of a bucket's collection.
const KEY: &str = "k";
/// The one item's identifier.
const ID: &str = "v";

/// One data bucket: its id, name and the collection seed holding its start value.
#[derive(Debug)]
pub struct Bucket {
    /// Mockoon's id (`databucketID` refers to it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its uuid.
    pub uuid: String,
    resource: String,
    seed: [Value; 1],
}

/// Every bucket of an environment and its global variables.
#[derive(Debug, Default)]
pub struct State {
    buckets: Vec<Bucket>,
    globals: String,
    /// The environment variables set through the admin API.
    env_vars: String,
    globals_seed: [Value; 1],
    /// Held by a render that reads and writes the state (`setData`, `setGlobalVar`):
    /// such renders follow one another, as in Mockoon, so none loses another's change.
    renders: std::sync::Mutex<()>,
}

fn item(v: Value) -> Value {
    json!({ KEY: ID, "value": v })
}

impl State {
    /// The state of the environment named `env`, its buckets starting at `buckets`
    /// (uuid, id, name, value).
    pub fn new(env: &str, buckets: Vec<(String, String, String, Value)>) -> State {
        State {
            buckets: buckets
                .into_iter()
                .map(|(uuid, id, name, v)| Bucket {
                    uuid,
                    resource: format!("mockoon:{env}:bucket:{id}"),
                    id,
                    name,
                    seed: [item(v)],
                })
                .collect(),
            globals: format!("mockoon:{env}:globals"),
            env_vars: format!("mockoon:{env}:env-vars"),
            globals_seed: [item(Value::Object(Map::new()))],
            renders: std::sync::Mutex::new(()),
        }
    }

    /// Waits for the renders that read and write the state before this one.
    pub fn render_turn(&self) -> std::sync::MutexGuard<'_, ()> {
        self.renders.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The buckets, in the environment's order.
    pub fn buckets(&self) -> &[Bucket] {
        &self.buckets
    }

    /// The bucket with this id or exactly this name.
    pub fn find(&self, id_or_name: &str) -> Option<&Bucket> {
        self.buckets
            .iter()
            .find(|b| b.id == id_or_name)
            .or_else(|| self.buckets.iter().find(|b| b.name == id_or_name))
    }

    /// The bucket Mockoon's lookups by text mean: the first whose id is the text or
    /// whose name contains it, without case.
    pub fn lookup(&self, id_or_name: &str) -> Option<&Bucket> {
        let low = id_or_name.to_lowercase();
        self.buckets
            .iter()
            .find(|b| b.id == id_or_name || b.name.to_lowercase().contains(&low))
    }

    fn coll<'a>(resource: &'a str, seed: &'a [Value]) -> Coll<'a> {
        Coll {
            space: "",
            resource,
            scope: "",
            id_prop: KEY,
            seed,
        }
    }

    /// A bucket's current value.
    pub fn value(&self, store: &dyn Store, b: &Bucket) -> Value {
        read(store, &Self::coll(&b.resource, &b.seed), &b.seed[0])
    }

    /// Changes a bucket in one step; `change` answers what the caller wants back.
    pub fn change<R>(
        &self,
        store: &dyn Store,
        b: &Bucket,
        change: impl FnOnce(&mut Value) -> R,
    ) -> Result<R, StoreError> {
        write(store, &Self::coll(&b.resource, &b.seed), change)
    }

    /// The global variables.
    pub fn globals(&self, store: &dyn Store) -> Map<String, Value> {
        self.map(store, &self.globals)
    }

    /// Changes the global variables in one step.
    pub fn change_globals<R>(
        &self,
        store: &dyn Store,
        change: impl FnOnce(&mut Map<String, Value>) -> R,
    ) -> Result<R, StoreError> {
        self.change_map(store, &self.globals, change)
    }

    /// The environment variables set through the admin API.
    pub fn env_vars(&self, store: &dyn Store) -> Map<String, Value> {
        self.map(store, &self.env_vars)
    }

    /// Changes the environment variables set through the admin API.
    pub fn change_env<R>(
        &self,
        store: &dyn Store,
        change: impl FnOnce(&mut Map<String, Value>) -> R,
    ) -> Result<R, StoreError> {
        self.change_map(store, &self.env_vars, change)
    }

    fn map(&self, store: &dyn Store, resource: &str) -> Map<String, Value> {
        match read(
            store,
            &Self::coll(resource, &self.globals_seed),
            &self.globals_seed[0],
        ) {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn change_map<R>(
        &self,
        store: &dyn Store,
        resource: &str,
        change: impl FnOnce(&mut Map<String, Value>) -> R,
    ) -> Result<R, StoreError> {
        write(store, &Self::coll(resource, &self.globals_seed), |v| {
            if !v.is_object() {
                *v = Value::Object(Map::new());
            }
            let mut empty = Map::new();
            change(v.as_object_mut().unwrap_or(&mut empty))
        })
    }

    /// Empties the global variables.
    pub fn purge_globals(&self, store: &dyn Store) {
        store.reset_resources(Some(""), Some(&self.globals));
    }

    /// Puts every bucket back to its start value.
    pub fn reset_buckets(&self, store: &dyn Store) {
        for b in &self.buckets {
            store.reset_resources(Some(""), Some(&b.resource));
        }
    }
}

fn read(store: &dyn Store, c: &Coll<'_>, seed: &Value) -> Value {
    store
        .get(c, ID)
        .unwrap_or_else(|| seed.clone())
        .get_mut("value")
        .map(Value::take)
        .unwrap_or(Value::Null)
}

fn write<R>(
    store: &dyn Store,
    c: &Coll<'_>,
    change: impl FnOnce(&mut Value) -> R,
) -> Result<R, StoreError> {
    let mut change = Some(change);
    let mut out = None;
    store.modify(c, ID, &mut |item| {
        if let (Some(f), Some(v)) = (change.take(), item.get_mut("value")) {
            out = Some(f(v));
        }
        true
    })?;
    out.ok_or(StoreError::Unavailable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use standin_core::state::MemoryStore;

    #[test]
    fn a_bucket_changes_in_the_store_and_a_reset_restores_it() {
        let store = MemoryStore::new();
        let s = State::new(
            "e",
            vec![("u".into(), "b1".into(), "Users".into(), json!([1, 2]))],
        );
        let b = s.lookup("user").unwrap();
        s.change(&store, b, |v| v.as_array_mut().unwrap().push(json!(3)))
            .unwrap();
        assert_eq!(s.value(&store, b), json!([1, 2, 3]));
        s.change_globals(&store, |g| g.insert("x".into(), json!(1)))
            .unwrap();
        assert_eq!(s.globals(&store)["x"], 1);
        s.reset_buckets(&store);
        s.purge_globals(&store);
        assert_eq!(s.value(&store, b), json!([1, 2]));
        assert!(s.globals(&store).is_empty());
    }
}
