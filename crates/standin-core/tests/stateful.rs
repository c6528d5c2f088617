//! A property test of stateful mocks: random sequences of create, read, replace,
//! update, delete and list, sent through the engine with a memory store, agree with a
//! simple model of what the collection should hold.

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderValue, Method};
use proptest::prelude::*;
use serde_json::{Value, json};
use standin_core::engine::{Mock, handle_with};
use standin_core::source::MemoryFiles;
use standin_core::state::MemoryStore;
use standin_core::{MockSettings, Request, Snapshot};

const DOC: &str = r#"
openapi: 3.0.3
info: {title: items, version: "1"}
paths:
  /items:
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Item'}}}}}
    post:
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
      responses:
        '201': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
  /items/{itemId}:
    parameters: [{name: itemId, in: path, required: true, schema: {type: integer}}]
    get:
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
        '404': {description: none}
    put:
      requestBody: {required: true, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
        '404': {description: none}
    patch:
      requestBody: {required: true, content: {application/merge-patch+json: {schema: {type: object}}}}
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Item'}}}}
        '404': {description: none}
    delete:
      responses:
        '204': {description: gone}
        '404': {description: none}
components:
  schemas:
    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        n: {type: integer}
"#;

#[derive(Debug, Clone)]
enum Op {
    Create(String, i64),
    Read(u64),
    Replace(u64, String),
    Update(u64, i64),
    Delete(u64),
    List,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        ("[a-z]{1,6}", 0i64..100).prop_map(|(s, n)| Op::Create(s, n)),
        (1u64..8).prop_map(Op::Read),
        (1u64..8, "[a-z]{1,6}").prop_map(|(k, s)| Op::Replace(k, s)),
        (1u64..8, 0i64..100).prop_map(|(k, n)| Op::Update(k, n)),
        (1u64..8).prop_map(Op::Delete),
        Just(Op::List),
    ]
}

fn snapshot() -> Snapshot {
    let mut files = MemoryFiles::new();
    files.insert("items.yaml", DOC);
    let settings = MockSettings {
        stateful: true,
        ..MockSettings::default()
    };
    Snapshot::build(&files, &["items.yaml".into()], settings)
}

fn call(
    snap: &Snapshot,
    store: &MemoryStore,
    method: Method,
    path: &str,
    ct: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", HeaderValue::from_str(ct).unwrap());
    let bytes = body.map(|b| b.to_string()).unwrap_or_default();
    let req = Request {
        body: bytes.as_bytes(),
        ..Request::new(&method, path, &headers)
    };
    let mock = Mock {
        snapshot: snap,
        first: &[],
        store,
    };
    let reply = handle_with(&mock, &req, 7);
    let v = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
    (reply.status, v)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn random_sequences_agree_with_a_model(ops in proptest::collection::vec(op(), 1..40)) {
        let snap = snapshot();
        let store = MemoryStore::new();
        let mut model: BTreeMap<u64, Value> = BTreeMap::new();
        let mut next = 1u64;
        for op in ops {
            let json = "application/json";
            match op {
                Op::Create(name, n) => {
                    let (status, v) = call(&snap, &store, Method::POST, "/items", json, Some(json!({"name": name, "n": n})));
                    prop_assert_eq!(status, 201);
                    let want = json!({"name": name, "n": n, "id": next});
                    prop_assert_eq!(&v, &want);
                    model.insert(next, want);
                    next += 1;
                }
                Op::Read(k) => {
                    let (status, v) = call(&snap, &store, Method::GET, &format!("/items/{k}"), json, None);
                    match model.get(&k) {
                        Some(want) => {
                            prop_assert_eq!(status, 200);
                            prop_assert_eq!(&v, want);
                        }
                        None => prop_assert_eq!(status, 404),
                    }
                }
                Op::Replace(k, name) => {
                    let (status, v) = call(&snap, &store, Method::PUT, &format!("/items/{k}"), json, Some(json!({"name": name})));
                    match model.get_mut(&k) {
                        Some(item) => {
                            prop_assert_eq!(status, 200);
                            *item = json!({"name": name, "id": k});
                            prop_assert_eq!(&v, &*item);
                        }
                        None => prop_assert_eq!(status, 404),
                    }
                }
                Op::Update(k, n) => {
                    let (status, v) = call(&snap, &store, Method::PATCH, &format!("/items/{k}"), "application/merge-patch+json", Some(json!({"n": n})));
                    match model.get_mut(&k) {
                        Some(item) => {
                            prop_assert_eq!(status, 200);
                            item["n"] = json!(n);
                            prop_assert_eq!(&v, &*item);
                        }
                        None => prop_assert_eq!(status, 404),
                    }
                }
                Op::Delete(k) => {
                    let (status, _) = call(&snap, &store, Method::DELETE, &format!("/items/{k}"), json, None);
                    prop_assert_eq!(status, if model.remove(&k).is_some() { 204 } else { 404 });
                }
                Op::List => {
                    let (status, v) = call(&snap, &store, Method::GET, "/items", json, None);
                    prop_assert_eq!(status, 200);
                    let want: Vec<Value> = model.values().cloned().collect();
                    prop_assert_eq!(v, Value::Array(want));
                }
            }
        }
    }
}
