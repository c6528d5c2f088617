//! `/__admin/state`: the state of a stateful mock's resources (standin's own routes;
//! WireMock has none). `GET` shows the resources found and every collection written
//! to, with the store's budget; `PUT` seeds collections (the body has the shape `GET`
//! answers, so a state read can be put back); `POST /__admin/state/reset` puts one
//! resource, one namespace, or everything back to the document's examples.

use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::{Value, json};
use standin_core::state::{Coll, StoreError};

use super::{Admin, error, invalid, json_response, query_param, read_json};

pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    segments: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    Some(match (method.as_str(), segments) {
        ("GET", []) => show(admin, req),
        ("PUT", []) => seed(admin, req.body()),
        ("POST", ["reset"]) => reset(admin, req.body()),
        _ => return None,
    })
}

fn show(admin: &Admin, req: &Request<Bytes>) -> Response<Bytes> {
    let session = query_param(req, "session");
    let resources: Vec<Value> = match &admin.snapshot {
        Some(s) => s
            .load()
            .resources
            .list
            .iter()
            .map(|r| {
                json!({
                    "name": r.name,
                    "item": r.item_template,
                    "identifier": r.id_prop,
                    "singleton": r.singleton,
                    "parents": r.parents,
                    "examples": r.seed.len(),
                    "operations": r.operations.iter().map(|(op, a)| json!({"operation": op, "action": a.as_str()})).collect::<Vec<_>>(),
                })
            })
            .collect(),
        None => Vec::new(),
    };
    let collections: Vec<Value> = admin
        .store
        .dump()
        .into_iter()
        .filter(|d| session.as_deref().is_none_or(|s| s == d.space))
        .map(|d| {
            json!({
                "session": d.space,
                "resource": d.resource,
                "scope": d.scope,
                "items": d.items,
            })
        })
        .collect();
    let b = admin.store.budget();
    json_response(
        200,
        &json!({
            "resources": resources,
            "collections": collections,
            "budget": {"items": b.items, "maxItems": b.max_items, "bytes": b.bytes, "maxBytes": b.max_bytes},
        }),
    )
}

fn unknown_resource(name: &str, known: &[String]) -> Response<Bytes> {
    error(
        404,
        404,
        None,
        "No such resource",
        &format!(
            "{name} is not a resource of this mock; its resources: {}",
            if known.is_empty() {
                "none (is it started with --stateful?)".to_string()
            } else {
                known.join(", ")
            }
        ),
    )
}

fn seed(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(list) = v.get("collections").and_then(Value::as_array) else {
        return invalid(
            "/collections",
            "the body must be {\"collections\": [{\"resource\": \"/pets\", \"items\": [...]}]} (session and scope optional)",
        );
    };
    let Some(snapshot) = &admin.snapshot else {
        return unknown_resource("any resource", &[]);
    };
    let snap = snapshot.load();
    let known: Vec<String> = snap.resources.list.iter().map(|r| r.name.clone()).collect();
    let default_session = v.get("session").and_then(Value::as_str).unwrap_or("");
    let mut held = Vec::new();
    for (i, entry) in list.iter().enumerate() {
        let Some(name) = entry.get("resource").and_then(Value::as_str) else {
            return invalid(
                &format!("/collections/{i}/resource"),
                "each collection names its resource",
            );
        };
        let Some(resource) = snap.resources.named(name) else {
            return unknown_resource(name, &known);
        };
        let Some(items) = entry.get("items").and_then(Value::as_array) else {
            return invalid(
                &format!("/collections/{i}/items"),
                "items must be an array of objects",
            );
        };
        if let Some(j) = items.iter().position(|x| !x.is_object()) {
            return invalid(
                &format!("/collections/{i}/items/{j}"),
                "each item must be an object",
            );
        }
        let space = entry
            .get("session")
            .and_then(Value::as_str)
            .unwrap_or(default_session);
        let scope = entry.get("scope").and_then(Value::as_str).unwrap_or("");
        let coll = Coll {
            space,
            resource: &resource.name,
            scope,
            id_prop: &resource.id_prop,
            seed: &resource.seed,
        };
        match admin.store.put_all(&coll, items.clone()) {
            Ok(n) => {
                held.push(json!({"resource": name, "session": space, "scope": scope, "items": n}))
            }
            Err(StoreError::Full { budget, limit }) => {
                return error(
                    507,
                    507,
                    None,
                    "The mock's state is full",
                    &format!("the store's {budget} budget ({limit}) is spent"),
                );
            }
            Err(e) => return error(500, 500, None, "State unavailable", &e.to_string()),
        }
    }
    json_response(200, &json!({ "seeded": held }))
}

fn reset(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let resource = v.get("resource").and_then(Value::as_str);
    let session = v.get("session").and_then(Value::as_str);
    if let Some(name) = resource {
        let known: Vec<String> = admin
            .snapshot
            .as_ref()
            .map(|s| {
                s.load()
                    .resources
                    .list
                    .iter()
                    .map(|r| r.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        if !known.iter().any(|k| k == name) {
            return unknown_resource(name, &known);
        }
    }
    admin.store.reset_resources(session, resource);
    json_response(
        200,
        &json!({"reset": {"resource": resource.unwrap_or("*"), "session": session.unwrap_or("*")}}),
    )
}
