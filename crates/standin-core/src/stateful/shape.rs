//! Stored items in the document's own shapes: an item completed for its schema
//! (`writeOnly` properties left out, required ones it lacks generated), put inside the
//! envelope a response wraps it in, or listed as a bare array or in a list envelope
//! with its totals and next page filled in.

use std::borrow::Cow;
use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value, json};

use crate::generate::{Direction, GenContext};
use crate::model::Document;
use crate::resource::schema as rs;
use crate::resource::{ItemPlace, ListPlace, Resource};

/// Generates a value for the schema at `ptr`, `None` when none can be built.
pub(crate) fn generated(
    doc: &Document,
    ptr: &str,
    seed: u64,
    hints: &[(String, String)],
    direction: Direction,
) -> Option<Value> {
    let schema = crate::pointer::get(&doc.root, ptr)?;
    let ctx = GenContext {
        root: &doc.root,
        dialect: doc.version.dialect(),
        direction,
        seed,
        hints,
    };
    crate::generate::generate(&ctx, schema, ptr)
        .or_else(|u| u.best_effort.ok_or(()))
        .ok()
}

/// What the request path reads of the document's schemas, worked out once per thread
/// for each snapshot and schema pointer (no lock on the request path); bounded, and
/// started over when full. Each is a pure function of the snapshot and the pointer (an
/// envelope is generated with one seed per schema), so keeping it is invisible.
const MEMO_MAX: usize = 256;

/// Per snapshot, per key; [`MEMO_MAX`] values at most in all. Hashed with foldhash:
/// the keys are the document's own pointers, and SipHash was most of a lookup.
type Memo<T> = std::cell::RefCell<Fast<u64, Fast<String, T>>>;
type Fast<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

thread_local! {
    static ENVELOPES: Memo<Option<Value>> = Memo::default();
    static ITEM_SHAPES: Memo<Rc<ItemShape>> = Memo::default();
    static ITEM_PLACES: Memo<Option<(ItemPlace, String)>> = Memo::default();
    /// A key being looked up, its parts joined by NUL: made here, not allocated.
    static KEY: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The value under the key of `parts` for snapshot `scope` in `memo`, made by `make` the
/// first time.
fn memoised<T: Clone>(
    memo: &'static std::thread::LocalKey<Memo<T>>,
    scope: u64,
    parts: &[&str],
    make: impl FnOnce() -> T,
) -> T {
    let hit = KEY.with(|k| {
        let mut key = k.borrow_mut();
        key.clear();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('\u{0}');
            }
            key.push_str(part);
        }
        memo.with(|m| {
            m.borrow()
                .get(&scope)
                .and_then(|m| m.get(key.as_str()))
                .cloned()
        })
    });
    if let Some(v) = hit {
        return v;
    }
    let v = make();
    memo.with(|m| {
        let mut m = m.borrow_mut();
        if m.values().map(HashMap::len).sum::<usize>() >= MEMO_MAX {
            m.clear();
        }
        m.entry(scope)
            .or_default()
            .insert(parts.join("\u{0}"), v.clone());
    });
    v
}

/// The generated envelope of the response schema at `ptr` (an object), from the cache
/// of snapshot `scope` when it was built before.
fn envelope(doc: &Document, scope: u64, ptr: &str) -> Map<String, Value> {
    let value = memoised(&ENVELOPES, scope, &[ptr], || {
        generated(doc, ptr, 0x5eed, &[], Direction::Response)
    });
    match value {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// What completing an item and filling what the server sets need to know of an item
/// schema. Found once per snapshot and schema: walking `allOf` and `$ref`s for them was
/// a third of a stateful create.
#[derive(Debug, Default)]
pub(super) struct ItemShape {
    /// The schema's pointer, `$ref`s followed (empty: no schema there).
    pub(super) at: String,
    /// Its properties whose schema is found (one that is not is left alone, as if not
    /// declared), in order.
    pub(super) props: Vec<Prop>,
    /// Properties a response must have.
    pub(super) required: Vec<String>,
}

/// One property of an [`ItemShape`].
#[derive(Debug)]
pub(super) struct Prop {
    pub(super) name: String,
    /// The pointer to the property's schema.
    pub(super) ptr: String,
    /// The server sets it; a client's value is dropped.
    pub(super) read_only: bool,
    /// Left out of a response.
    pub(super) write_only: bool,
}

/// The [`ItemShape`] of the item schema at `ptr`, for snapshot `scope`.
pub(super) fn item_shape(doc: &Document, scope: u64, ptr: &str) -> Rc<ItemShape> {
    memoised(&ITEM_SHAPES, scope, &[ptr], || {
        let Some((schema, at)) = rs::at(&doc.root, ptr) else {
            return Default::default();
        };
        let props = rs::properties(&doc.root, schema, &at)
            .into_iter()
            .filter_map(|(name, ptr)| {
                let s = crate::pointer::get(&doc.root, &ptr)?;
                Some(Prop {
                    read_only: rs::flag(&doc.root, s, "readOnly"),
                    write_only: rs::flag(&doc.root, s, "writeOnly"),
                    name,
                    ptr,
                })
            })
            .collect();
        Rc::new(ItemShape {
            required: rs::required(&doc.root, schema),
            at,
            props,
        })
    })
}

/// A stable seed for an item's generated parts (its identifier and resource).
pub(crate) fn seed_of(resource: &Resource, id: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in resource.name.bytes().chain([0]).chain(id.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The item as its schema at `ptr` describes it in a response: `writeOnly` properties
/// left out, required properties it lacks generated (seeded by `seed`).
pub(crate) fn complete(
    doc: &Document,
    scope: u64,
    ptr: Option<&str>,
    item: Value,
    seed: u64,
) -> Value {
    completed(doc, scope, ptr, Cow::Owned(item), seed).into_owned()
}

/// [`complete`] of a borrowed item: copied only when something is left out or added.
fn completed<'v>(
    doc: &Document,
    scope: u64,
    ptr: Option<&str>,
    mut item: Cow<'v, Value>,
    seed: u64,
) -> Cow<'v, Value> {
    let Some(ptr) = ptr else {
        return item;
    };
    let shape = item_shape(doc, scope, ptr);
    if shape.at.is_empty() {
        return item;
    }
    let Value::Object(held) = item.as_ref() else {
        return item;
    };
    let hidden = shape
        .props
        .iter()
        .any(|p| p.write_only && held.contains_key(&p.name));
    let lacking = shape.required.iter().any(|r| !held.contains_key(r));
    if !hidden && !lacking {
        return item;
    }
    let Value::Object(map) = item.to_mut() else {
        return item;
    };
    for p in shape.props.iter().filter(|p| p.write_only) {
        map.shift_remove(&p.name);
    }
    if lacking {
        let hints: Vec<(String, String)> = map
            .iter()
            .filter_map(|(k, v)| crate::state::id_text(v).map(|t| (k.clone(), t)))
            .collect();
        if let Some(Value::Object(g)) = generated(doc, &shape.at, seed, &hints, Direction::Response)
        {
            for name in &shape.required {
                if !map.contains_key(name)
                    && let Some(v) = g.get(name)
                {
                    map.insert(name.clone(), v.clone());
                }
            }
        }
    }
    item
}

/// The response body for one item, in the response schema at `ptr` (the item alone
/// when there is no schema).
pub(crate) fn item_body(
    doc: &Document,
    scope: u64,
    resource: &Resource,
    ptr: Option<&str>,
    item: Value,
    seed: u64,
) -> Value {
    item_body_of(doc, scope, resource, ptr, Cow::Owned(item), seed).into_owned()
}

/// [`item_body`] of a borrowed item: copied only when the response changes it (wraps
/// it, leaves out or adds properties), so a stored item is read without a copy.
pub(crate) fn item_body_of<'v>(
    doc: &Document,
    scope: u64,
    resource: &Resource,
    ptr: Option<&str>,
    item: Cow<'v, Value>,
    seed: u64,
) -> Cow<'v, Value> {
    let id_prop = resource.id_prop.as_str();
    let looks =
        |props: &[(String, String)]| !id_prop.is_empty() && props.iter().any(|(n, _)| n == id_prop);
    // Keyed by the identifier's name too: it decides whether a schema looks like an item.
    let located = ptr.and_then(|p| {
        memoised(&ITEM_PLACES, scope, &[id_prop, p], || {
            rs::locate_item(&doc.root, p, &looks)
        })
    });
    match located {
        None => completed(doc, scope, resource.item_schema.as_deref(), item, seed),
        Some((ItemPlace::Bare, at)) => completed(doc, scope, Some(&at), item, seed),
        Some((ItemPlace::Wrapped(name), at)) => {
            let item = completed(doc, scope, Some(&at), item, seed).into_owned();
            let mut envelope = ptr.map(|p| envelope(doc, scope, p)).unwrap_or_default();
            envelope.insert(name, item);
            Cow::Owned(Value::Object(envelope))
        }
    }
}

/// A page of a list, as the request asked for it.
pub(crate) struct Listed {
    /// The items of the page.
    pub items: Vec<Value>,
    /// How many matched in all.
    pub total: usize,
    /// The page's start.
    pub offset: usize,
    /// The page size asked for (`None`: everything).
    pub limit: Option<usize>,
    /// The page number, when the request paged by number.
    pub page: Option<usize>,
    /// The query string of the next page, when there is one.
    pub next: Option<String>,
    /// The next page's cursor, when the request paged by cursor.
    pub next_cursor: Option<String>,
}

/// Names of envelope properties that hold the total.
const TOTALS: [&str; 7] = [
    "total",
    "count",
    "totalCount",
    "total_count",
    "totalItems",
    "total_items",
    "totalElements",
];

/// The response body for a list, in the response schema at `ptr`.
pub(crate) fn list_body(
    doc: &Document,
    scope: u64,
    resource: &Resource,
    ptr: Option<&str>,
    listed: Listed,
) -> Value {
    let own = resource.name.rsplit('/').next().unwrap_or("");
    let located = ptr.and_then(|p| rs::locate_list(&doc.root, p, own));
    let item_ptr = located
        .as_ref()
        .map(|(_, p)| p.as_str())
        .or(resource.item_schema.as_deref());
    let items: Vec<Value> = listed
        .items
        .into_iter()
        .map(|item| {
            let id = item
                .get(&resource.id_prop)
                .and_then(crate::state::id_text)
                .unwrap_or_default();
            complete(doc, scope, item_ptr, item, seed_of(resource, &id))
        })
        .collect();
    let Some((ListPlace::Wrapped(name), _)) = located else {
        return Value::Array(items);
    };
    let Some(ptr) = ptr else {
        return Value::Array(items);
    };
    let mut envelope = envelope(doc, scope, ptr);
    envelope.insert(name, Value::Array(items));
    let (schema, at) = rs::at(&doc.root, ptr).unwrap_or((&Value::Null, String::new()));
    let props = rs::properties(&doc.root, schema, &at);
    let required = rs::required(&doc.root, schema);
    let has = |n: &str| props.iter().any(|(p, _)| p == n);
    let nullable = |n: &str| {
        props
            .iter()
            .find(|(p, _)| p == n)
            .and_then(|(_, p)| crate::pointer::get(&doc.root, p))
            .is_some_and(|s| {
                rs::flag(&doc.root, s, "nullable")
                    || rs::keyword(&doc.root, s, "type")
                        .and_then(Value::as_array)
                        .is_some_and(|t| t.iter().any(|x| x == "null"))
            })
    };
    for name in TOTALS {
        if has(name) {
            envelope.insert(name.into(), json!(listed.total));
        }
    }
    let mut set = |name: &str, value: Option<Value>| {
        if !has(name) {
            return;
        }
        match value {
            Some(v) => {
                envelope.insert(name.into(), v);
            }
            None if nullable(name) => {
                envelope.insert(name.into(), Value::Null);
            }
            None if !required.iter().any(|r| r == name) => {
                envelope.shift_remove(name);
            }
            None => {}
        }
    };
    let more = listed.next.is_some();
    set("offset", Some(json!(listed.offset)));
    if let Some(limit) = listed.limit {
        for n in [
            "limit",
            "per_page",
            "perPage",
            "page_size",
            "pageSize",
            "size",
        ] {
            set(n, Some(json!(limit)));
        }
    }
    if let Some(page) = listed.page {
        set("page", Some(json!(page)));
    }
    set("has_more", Some(json!(more)));
    set("hasMore", Some(json!(more)));
    for n in ["next_cursor", "nextCursor", "cursor"] {
        set(n, listed.next_cursor.clone().map(Value::String));
    }
    let next = listed.next_cursor.clone().or(listed.next.clone());
    for n in ["next", "nextPage", "next_page"] {
        let typed = props
            .iter()
            .find(|(p, _)| p == n)
            .and_then(|(_, p)| crate::pointer::get(&doc.root, p))
            .and_then(|s| rs::type_of(&doc.root, s));
        let value = match typed.as_deref() {
            Some("integer") => listed.page.filter(|_| more).map(|p| json!(p + 1)),
            _ => next.clone().map(Value::String),
        };
        set(n, value);
    }
    Value::Object(envelope)
}
