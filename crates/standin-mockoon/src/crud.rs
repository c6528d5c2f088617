//! `crud` routes: a data bucket read and written through the store as a collection
//! keyed by the route's `crudKey` — list, get, create, replace, merge, remove, and the
//! whole bucket replaced or emptied — as Mockoon answers them.

use serde_json::Value;
use standin_core::answer::Ask;
use standin_core::state::{Coll, NewId, StoreError};

/// What a CRUD request answers: a status and a JSON body (`None`: empty).
pub type CrudAnswer = (u16, Option<Value>);

/// A uuid v4 drawn from the request's entropy.
fn uuid(entropy: u64) -> String {
    let a = entropy.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let b = a.rotate_left(29) ^ 0xD1B5_4A32_D192_ED03;
    format!(
        "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        0x8000 | ((b >> 48) & 0x3fff),
        b & 0xffff_ffff_ffff
    )
}

fn failed(e: StoreError) -> CrudAnswer {
    match e {
        StoreError::Exists(_) => (409, None),
        _ => (507, Some(Value::String(e.to_string()))),
    }
}

/// Answers a request to a CRUD route whose collection is `c`; `id` is the segment after
/// the route's path.
pub fn answer(c: &Coll<'_>, ask: &Ask<'_>, id: Option<&str>, body: &Value) -> CrudAnswer {
    let store = ask.store;
    let method = ask.req.method.as_str();
    match (method, id) {
        ("GET", None) => {
            let page = store.list(c, &|_| true, 0, usize::MAX);
            (200, Some(Value::Array(page.items)))
        }
        ("GET", Some(id)) => match store.get(c, id) {
            Some(v) => (200, Some(v)),
            None => (404, None),
        },
        ("POST", _) => {
            let mut item = body.clone();
            let new = match item.get(c.id_prop) {
                Some(v @ (Value::String(_) | Value::Number(_))) => NewId::Given(v.clone()),
                _ => NewId::Text(uuid(ask.entropy)),
            };
            if !item.is_object() {
                item = Value::Object(Default::default());
            }
            match store.create(c, new, item) {
                Ok(v) => (201, Some(v)),
                Err(e) => failed(e),
            }
        }
        ("PUT", Some(id)) => {
            let mut item = body.clone();
            if let Value::Object(m) = &mut item {
                m.insert(c.id_prop.to_string(), Value::String(id.to_string()));
            }
            match store.replace(c, id, item) {
                Ok(Some(v)) => (200, Some(v)),
                Ok(None) => (404, None),
                Err(e) => failed(e),
            }
        }
        ("PATCH", Some(id)) => {
            let mut merge = |v: &mut Value| {
                if let (Value::Object(old), Value::Object(new)) = (v, body) {
                    for (k, x) in new {
                        if k != c.id_prop {
                            old.insert(k.clone(), x.clone());
                        }
                    }
                }
                true
            };
            match store.modify(c, id, &mut merge) {
                Ok(Some(v)) => (200, Some(v)),
                Ok(None) => (404, None),
                Err(e) => failed(e),
            }
        }
        ("DELETE", Some(id)) => match store.remove(c, id) {
            Ok(Some(_)) => (200, None),
            Ok(None) => (404, None),
            Err(e) => failed(e),
        },
        ("PUT", None) => {
            let items = body.as_array().cloned().unwrap_or_default();
            match store.put_all(c, items) {
                Ok(_) => {
                    let page = store.list(c, &|_| true, 0, usize::MAX);
                    (200, Some(Value::Array(page.items)))
                }
                Err(e) => failed(e),
            }
        }
        ("DELETE", None) => match store.put_all(c, Vec::new()) {
            Ok(_) => (200, None),
            Err(e) => failed(e),
        },
        _ => (404, None),
    }
}
