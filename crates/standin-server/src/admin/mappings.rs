//! `/__admin/mappings`: stubs listed, created, read, edited, removed, imported, saved,
//! reset, found by metadata, and those never hit.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response};
use serde_json::{Value, json};
use standin_stubs::Stub;
use standin_stubs::matcher::ValuePattern;

use super::{
    Admin, bad_request, error, invalid, invalid_stub, json_response, not_found, ok, ok_empty_json,
    parsed_param, read_json, uuid_param,
};
use crate::registry::{DuplicatePolicy, RegistryError};

/// `{"mappings": [...], "meta": {"total": N}}` of some stubs.
pub(crate) fn listing(stubs: &[Arc<Stub>], total: usize) -> Value {
    json!({
        "mappings": stubs.iter().map(|s| s.to_json()).collect::<Vec<_>>(),
        "meta": { "total": total },
    })
}

fn registry_error(e: RegistryError) -> Response<Bytes> {
    match e {
        RegistryError::Invalid(e) => invalid_stub(&e),
        RegistryError::NotFound(id) => not_found(&format!("no stub mapping has id {id}")),
        RegistryError::Io(message) => {
            error(500, 500, None, "Stub files could not be written", &message)
        }
    }
}

/// The fields of WireMock 3.13.2's `RequestPattern`.
const REQUEST_FIELDS: &[&str] = &[
    "scheme",
    "host",
    "port",
    "url",
    "urlPattern",
    "urlPath",
    "urlPathPattern",
    "urlPathTemplate",
    "method",
    "headers",
    "pathParameters",
    "queryParameters",
    "formParameters",
    "cookies",
    "basicAuth",
    "basicAuthCredentials",
    "bodyPatterns",
    "customMatcher",
    "multipartPatterns",
    "clientIp",
];

/// WireMock refuses a stub whose `request` has a field it does not know (422 with the
/// field's pointer), and clients rely on that to catch typos such as `urlpath`, which
/// would otherwise match every URL. Fields elsewhere in a stub are tolerated.
fn check_request_fields(stub: &Value, pointer: &str) -> Result<(), Response<Bytes>> {
    if let Some(Value::Object(req)) = stub.get("request")
        && let Some(bad) = req.keys().find(|k| !REQUEST_FIELDS.contains(&k.as_str()))
    {
        return Err(invalid(
            &format!("{pointer}/request/{bad}"),
            &format!(
                "Unrecognized field \"{bad}\" in the request pattern (known fields: {})",
                REQUEST_FIELDS.join(", ")
            ),
        ));
    }
    Ok(())
}

/// The body of a route that takes one stub, checked.
fn read_stub(body: &Bytes) -> Result<Value, Response<Bytes>> {
    let v = read_json(body)?;
    check_request_fields(&v, "")?;
    Ok(v)
}

fn number_param(req: &Request<Bytes>, name: &str) -> Result<Option<usize>, Response<Bytes>> {
    parsed_param(
        req,
        name,
        |v| v.trim().parse().ok(),
        |v| {
            bad_request(&format!(
                "Query parameter {name} value '{v}' must be a whole number of 0 or more"
            ))
        },
    )
}

/// `GET /mappings?limit=&offset=`: stubs in match order.
pub(crate) fn list(admin: &Admin, req: &Request<Bytes>) -> Response<Bytes> {
    let (limit, offset) = match (number_param(req, "limit"), number_param(req, "offset")) {
        (Ok(l), Ok(o)) => (l, o.unwrap_or(0)),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let all = admin.registry.list();
    let page: Vec<Arc<Stub>> = all
        .iter()
        .skip(offset)
        .take(limit.unwrap_or(usize::MAX))
        .cloned()
        .collect();
    json_response(200, &listing(&page, all.len()))
}

fn metadata_pattern(body: &Bytes) -> Result<ValuePattern, Response<Bytes>> {
    let v = read_json(body)?;
    ValuePattern::parse(&v, "").map_err(|e| invalid_stub(&e))
}

fn import(admin: &Admin, body: &Bytes) -> Response<Bytes> {
    let v = match read_json(body) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(stubs) = v.get("mappings").and_then(Value::as_array) else {
        return invalid("/mappings", "an import needs a `mappings` array of stubs");
    };
    for (i, stub) in stubs.iter().enumerate() {
        if let Err(e) = check_request_fields(stub, &format!("/mappings/{i}")) {
            return e;
        }
    }
    let options = v.get("importOptions").unwrap_or(&Value::Null);
    let policy = match options.get("duplicatePolicy") {
        None | Some(Value::Null) => DuplicatePolicy::Overwrite,
        Some(p) => match p.as_str().map(str::to_ascii_uppercase).as_deref() {
            Some("OVERWRITE") => DuplicatePolicy::Overwrite,
            Some("IGNORE") => DuplicatePolicy::Ignore,
            _ => {
                return invalid(
                    "/importOptions/duplicatePolicy",
                    &format!("duplicatePolicy must be OVERWRITE or IGNORE, got {p}"),
                );
            }
        },
    };
    let delete_rest = match options.get("deleteAllNotInImport") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return invalid(
                "/importOptions/deleteAllNotInImport",
                &format!("deleteAllNotInImport must be true or false, got {other}"),
            );
        }
    };
    match admin.registry.import(stubs, policy, delete_rest) {
        Ok(()) => ok(),
        Err(e) => registry_error(e),
    }
}

/// Routes `/mappings/...`; `None` when nothing here answers.
pub(crate) fn route(
    admin: &Admin,
    method: &Method,
    rest: &[&str],
    req: &Request<Bytes>,
) -> Option<Response<Bytes>> {
    let body = req.body();
    let registry = &admin.registry;
    Some(match (method.as_str(), rest) {
        ("GET", [] | [""]) => list(admin, req),
        ("POST", [] | [""]) => match read_stub(body) {
            Ok(v) => match registry.add(&v) {
                Ok(stub) => json_response(201, &stub.to_json()),
                Err(e) => registry_error(e),
            },
            Err(e) => e,
        },
        ("DELETE", [] | [""]) => match registry.remove_all() {
            Ok(()) => ok_empty_json(),
            Err(e) => registry_error(e),
        },
        ("POST", ["save"]) => match registry.save() {
            Ok(_) => ok(),
            Err(e) => registry_error(e),
        },
        ("POST", ["reset"]) => {
            // WireMock 3.13.2: the same as `/__admin/reset`.
            admin.reset();
            ok()
        }
        ("POST", ["import"]) => import(admin, body),
        ("POST", ["remove"]) => match read_json(body) {
            Ok(v) => match registry.remove_like(&v) {
                Ok(_) => ok(),
                Err(e) => registry_error(e),
            },
            Err(e) => e,
        },
        ("POST", ["edit"]) => match read_stub(body) {
            // The legacy edit: the stub carries its id.
            Ok(v) => match v
                .get("id")
                .or_else(|| v.get("uuid"))
                .and_then(Value::as_str)
            {
                Some(id) => match registry.update(id, &v) {
                    Ok(_) => ok(),
                    Err(e) => registry_error(e),
                },
                None => invalid("/id", "an edited stub needs its `id`"),
            },
            Err(e) => e,
        },
        ("POST", ["find-by-metadata"]) => match metadata_pattern(body) {
            Ok(p) => {
                let found = registry.find_by_metadata(&p);
                json_response(200, &listing(&found, found.len()))
            }
            Err(e) => e,
        },
        ("POST", ["remove-by-metadata"]) => match metadata_pattern(body) {
            Ok(p) => match registry.remove_by_metadata(&p) {
                Ok(_) => ok_empty_json(),
                Err(e) => registry_error(e),
            },
            Err(e) => e,
        },
        ("GET", ["unmatched"]) => {
            let stubs = registry.unmatched();
            json_response(200, &listing(&stubs, stubs.len()))
        }
        ("DELETE", ["unmatched"]) => match registry.remove_unmatched() {
            Ok(_) => ok_empty_json(),
            Err(e) => registry_error(e),
        },
        ("GET" | "PUT" | "DELETE", [id]) => {
            let id = match uuid_param(id) {
                Ok(id) => id,
                Err(e) => return Some(e),
            };
            if registry.get(id).is_none() {
                return Some(not_found(&format!("no stub mapping has id {id}")));
            }
            match method.as_str() {
                "GET" => match registry.get(id) {
                    Some(stub) => json_response(200, &stub.to_json()),
                    None => not_found(&format!("no stub mapping has id {id}")),
                },
                "PUT" => match read_stub(body) {
                    Ok(v) => match registry.update(id, &v) {
                        Ok(stub) => json_response(200, &stub.to_json()),
                        Err(e) => registry_error(e),
                    },
                    Err(e) => e,
                },
                _ => match registry.remove(id) {
                    Ok(Some(_)) => ok_empty_json(),
                    Ok(None) => not_found(&format!("no stub mapping has id {id}")),
                    Err(e) => registry_error(e),
                },
            }
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use serde_json::json;

    const HELLO: &str = "aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa";

    #[test]
    fn create_list_get_edit_delete() {
        let f = fixture();
        let a = &f.admin;
        let (status, created, _) = call(
            a,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"urlPath":"/new"},"response":{"body":"x"},"unknownField":1}"#,
        );
        assert_eq!(status, 201);
        let id = created["id"].as_str().unwrap().to_string();
        assert_eq!(created["uuid"], json!(id));
        assert_eq!(created["request"]["method"], "ANY");
        assert_eq!(created["response"]["status"], 200);

        let (status, list, _) = call(a, "GET", "/__admin/mappings", "");
        assert_eq!(status, 200);
        assert_eq!(list["meta"]["total"], 2);
        assert_eq!(list["mappings"][0]["id"], json!(id));
        let (_, page, _) = call(a, "GET", "/__admin/mappings?limit=1&offset=1", "");
        assert_eq!(page["mappings"].as_array().unwrap().len(), 1);
        assert_eq!(page["mappings"][0]["id"], HELLO);
        assert_eq!(page["meta"]["total"], 2);
        let (status, _, _) = call(a, "GET", "/__admin/mappings?limit=x", "");
        assert_eq!(status, 400);

        let (status, got, _) = call(a, "GET", &format!("/__admin/mappings/{id}"), "");
        assert_eq!((status, got["id"].clone()), (200, json!(id)));
        let (status, edited, _) = call(
            a,
            "PUT",
            &format!("/__admin/mappings/{id}"),
            r#"{"request":{"urlPath":"/edited"},"response":{"status":418}}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(edited["id"], json!(id));
        assert_eq!(edited["request"]["urlPath"], "/edited");
        let (status, _, _) = call(a, "DELETE", &format!("/__admin/mappings/{id}"), "");
        assert_eq!(status, 200);
        let (status, v, _) = call(a, "GET", &format!("/__admin/mappings/{id}"), "");
        assert_eq!(status, 404);
        assert!(v["errors"][0]["detail"].as_str().unwrap().contains(&id));
        let (status, _, _) = call(a, "PUT", &format!("/__admin/mappings/{id}"), "{}");
        assert_eq!(status, 404);
        let (status, _, _) = call(a, "GET", "/__admin/mappings/not-a-uuid", "");
        assert_eq!(status, 400);
    }

    #[test]
    fn an_invalid_stub_is_422_with_a_pointer() {
        let f = fixture();
        let (status, v, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings",
            r#"{"priority":"high"}"#,
        );
        assert_eq!(status, 422);
        let e = &v["errors"][0];
        assert_eq!(e["code"], 10);
        assert_eq!(e["source"]["pointer"], "/priority");
        assert_eq!(e["title"], "Error parsing JSON");
        assert!(e["detail"].as_str().unwrap().contains("priority"));
    }

    #[test]
    fn an_unknown_request_field_is_422_other_unknown_fields_are_tolerated() {
        let f = fixture();
        let (status, v, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"method":"GET","url":"/x","bogusField":1},"response":{"status":200}}"#,
        );
        assert_eq!(status, 422);
        assert_eq!(v["errors"][0]["source"]["pointer"], "/request/bogusField");
        let (status, _, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"method":"GET","url":"/x","clientIp":"1.2.3.4"},"response":{"status":200,"whatever":1},"extra":true}"#,
        );
        assert_eq!(status, 201);
        let (status, v, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings/import",
            r#"{"mappings":[{"request":{}},{"request":{"urlpath":"/typo"}}]}"#,
        );
        assert_eq!(status, 422);
        assert_eq!(
            v["errors"][0]["source"]["pointer"],
            "/mappings/1/request/urlpath"
        );
    }

    #[test]
    fn delete_all_then_reset_brings_the_files_back() {
        let f = fixture();
        let a = &f.admin;
        call(
            a,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"url":"/api"}}"#,
        );
        let (status, _, _) = call(a, "DELETE", "/__admin/mappings", "");
        assert_eq!(status, 200);
        assert_eq!(
            call(a, "GET", "/__admin/mappings", "").1["meta"]["total"],
            0
        );
        let (status, _, _) = call(a, "POST", "/__admin/mappings/reset", "");
        assert_eq!(status, 200);
        let (_, list, _) = call(a, "GET", "/__admin/mappings", "");
        assert_eq!(list["meta"]["total"], 1);
        assert_eq!(list["mappings"][0]["id"], HELLO);
    }

    #[test]
    fn save_writes_files() {
        let f = fixture();
        let (_, s, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"method":"GET","url":"/saved"}}"#,
        );
        let (status, _, _) = call(&f.admin, "POST", "/__admin/mappings/save", "");
        assert_eq!(status, 200);
        let file = f.dir.path().join(format!(
            "mappings/get-saved-{}.json",
            s["id"].as_str().unwrap()
        ));
        assert!(file.exists());
    }

    #[test]
    fn import_with_options() {
        let f = fixture();
        let a = &f.admin;
        let body = json!({
            "mappings": [
                {"id": HELLO, "request": {"url": "/replaced"}},
                {"request": {"url": "/imported"}}
            ],
            "importOptions": {"duplicatePolicy": "IGNORE", "deleteAllNotInImport": false}
        });
        let (status, _, _) = call(a, "POST", "/__admin/mappings/import", &body.to_string());
        assert_eq!(status, 200);
        let (_, got, _) = call(a, "GET", &format!("/__admin/mappings/{HELLO}"), "");
        assert_eq!(got["request"]["url"], "/hello");
        let body = json!({"mappings": [{"id": HELLO, "request": {"url": "/replaced"}}],
            "importOptions": {"deleteAllNotInImport": true}});
        call(a, "POST", "/__admin/mappings/import", &body.to_string());
        let (_, list, _) = call(a, "GET", "/__admin/mappings", "");
        assert_eq!(list["meta"]["total"], 1);
        assert_eq!(list["mappings"][0]["request"]["url"], "/replaced");
        let (status, _, _) = call(
            a,
            "POST",
            "/__admin/mappings/import",
            r#"{"mappings":[],"importOptions":{"duplicatePolicy":"MERGE"}}"#,
        );
        assert_eq!(status, 422);
        let (status, _, _) = call(a, "POST", "/__admin/mappings/import", r#"{"x":1}"#);
        assert_eq!(status, 422);
    }

    #[test]
    fn remove_by_body_and_metadata() {
        let f = fixture();
        let a = &f.admin;
        call(
            a,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"url":"/r","method":"GET"}}"#,
        );
        let (status, _, _) = call(
            a,
            "POST",
            "/__admin/mappings/remove",
            r#"{"request":{"url":"/r","method":"GET"}}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(a.registry.list().len(), 1);
        let (status, found, _) = call(
            a,
            "POST",
            "/__admin/mappings/find-by-metadata",
            r#"{"matchesJsonPath":"$.team"}"#,
        );
        assert_eq!(status, 200);
        assert_eq!(found["mappings"][0]["id"], HELLO);
        let (status, _, _) = call(
            a,
            "POST",
            "/__admin/mappings/find-by-metadata",
            r#"{"noSuchMatcher":1}"#,
        );
        assert_eq!(status, 422);
        let (status, _, _) = call(
            a,
            "POST",
            "/__admin/mappings/remove-by-metadata",
            r#"{"matchesJsonPath":{"expression":"$.team","equalTo":"a"}}"#,
        );
        assert_eq!(status, 200);
        assert!(a.registry.list().is_empty());
    }

    #[test]
    fn unmatched_stubs_listed_and_removed() {
        let f = fixture();
        let a = &f.admin;
        call(
            a,
            "POST",
            "/__admin/mappings",
            r#"{"request":{"url":"/never"}}"#,
        );
        serve(a, "GET", "/hello", "", &[]);
        let (status, v, _) = call(a, "GET", "/__admin/mappings/unmatched", "");
        assert_eq!(status, 200);
        assert_eq!(v["mappings"].as_array().unwrap().len(), 1);
        assert_eq!(v["mappings"][0]["request"]["url"], "/never");
        let (status, _, _) = call(a, "DELETE", "/__admin/mappings/unmatched", "");
        assert_eq!(status, 200);
        assert_eq!(a.registry.list().len(), 1);
    }

    #[test]
    fn legacy_edit() {
        let f = fixture();
        let body = json!({"id": HELLO, "request": {"url": "/via-edit"}});
        let (status, _, _) = call(
            &f.admin,
            "POST",
            "/__admin/mappings/edit",
            &body.to_string(),
        );
        assert_eq!(status, 200);
        assert_eq!(
            f.admin.registry.get(HELLO).unwrap().request.url.expected(),
            Some("/via-edit")
        );
    }
}
