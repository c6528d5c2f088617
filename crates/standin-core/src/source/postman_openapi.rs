//! A Postman collection read the way Prism reads it, as an OpenAPI 3.1 document: each
//! request an operation (`:id` and `{{id}}` segments path parameters, its query
//! parameters and headers required), a raw JSON request body a schema inferred from it
//! (each property typed, none required), form bodies objects of strings, the saved responses its
//! responses (by code, then content type, each a named example, a JSON one with a schema
//! inferred from it), and the `auth` in force (the request's `request.auth`, else its folder's, else the
//! collection's) a security requirement. `standin mock` serves collections this way;
//! `standin serve` keeps Postman's own mock-server rules (`super::postman`).

use serde_json::{Map, Value, json};

use super::postman::{Vars, header_list, url_parts, variables};

/// Headers a saved response has that describe its framing, not the API.
const FRAMING: [&str; 6] = [
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
    "date",
    "keep-alive",
];

/// The collection as an OpenAPI 3.1 document.
pub fn to_openapi(collection: &Value) -> Value {
    let vars = collection
        .get("variable")
        .and_then(Value::as_array)
        .map(|l| variables(l))
        .unwrap_or_default();
    let mut out = Out {
        vars,
        paths: Map::new(),
        schemes: Map::new(),
    };
    if let Some(items) = collection.get("item").and_then(Value::as_array) {
        out.items(items, collection.get("auth"));
    }
    let title = collection
        .pointer("/info/name")
        .and_then(Value::as_str)
        .unwrap_or("Postman collection");
    let mut doc = json!({
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": Value::Object(out.paths),
    });
    if !out.schemes.is_empty() {
        doc["components"] = json!({"securitySchemes": Value::Object(out.schemes)});
    }
    doc
}

struct Out {
    vars: Vars,
    paths: Map<String, Value>,
    schemes: Map<String, Value>,
}

/// The `auth` an entity sets itself (a folder, a request), if any.
fn own_auth(entity: &Value) -> Option<&Value> {
    entity.get("auth").filter(|a| !a.is_null())
}

impl Out {
    fn items(&mut self, items: &[Value], auth: Option<&Value>) {
        // A folder's `auth` is the folder's; a request's is under `request` (an `auth`
        // beside a request is not Postman's and is ignored, as Prism's reader does).
        for item in items {
            if let Some(children) = item.get("item").and_then(Value::as_array) {
                self.items(children, own_auth(item).or(auth));
            } else if let Some(request) = item.get("request") {
                self.request(item, request, own_auth(request).or(auth));
            }
        }
    }

    fn request(&mut self, item: &Value, request: &Value, auth: Option<&Value>) {
        // A request may be a bare URL string.
        let (method, url) = match request {
            Value::String(url) => ("get".to_string(), Value::String(url.clone())),
            _ => (
                request
                    .get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_ascii_lowercase(),
                request.get("url").cloned().unwrap_or(Value::Null),
            ),
        };
        let Some((path, query)) = url_parts(&url, &self.vars) else {
            return;
        };
        let (template, path_params) = template_of(&path);
        let responses = item
            .get("response")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let responses = responses_of(responses, &self.vars);
        if let Some(Value::Object(known)) = self
            .paths
            .get_mut(&template)
            .and_then(|p| p.get_mut(&method))
            .and_then(|op| op.get_mut("responses"))
        {
            // The same method and path again: its codes not seen yet join the first's.
            if let Value::Object(more) = responses {
                for (code, r) in more {
                    known.entry(code).or_insert(r);
                }
            }
            return;
        }
        let mut params: Vec<Value> = path_params
            .iter()
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        for (name, _) in &query {
            params.push(json!({"name": name, "in": "query", "required": true, "schema": {"type": "string"}}));
        }
        let headers = header_list(request.get("header"), &self.vars);
        for (name, _) in &headers {
            if crate::model::ignored_header(name) {
                continue;
            }
            params.push(json!({"name": name, "in": "header", "required": true, "schema": {"type": "string"}}));
        }
        let mut operation = Map::new();
        if let Some(name) = item.get("name").and_then(Value::as_str) {
            operation.insert("summary".into(), json!(name));
        }
        if !params.is_empty() {
            operation.insert("parameters".into(), Value::Array(params));
        }
        let content_type = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.clone());
        if let Some(body) = request
            .get("body")
            .and_then(|b| request_body(b, content_type))
        {
            operation.insert("requestBody".into(), body);
        }
        if let Some(requirement) = auth.and_then(|a| self.security(a)) {
            operation.insert("security".into(), json!([requirement]));
        }
        operation.insert("responses".into(), responses);
        if let Value::Object(item) = self.paths.entry(template).or_insert_with(|| json!({})) {
            item.insert(method, Value::Object(operation));
        }
    }

    /// The security requirement of an `auth` object, its scheme added to the document.
    fn security(&mut self, auth: &Value) -> Option<Value> {
        let kind = auth.get("type").and_then(Value::as_str)?;
        let field = |name: &str| {
            auth.get(kind)
                .and_then(Value::as_array)
                .and_then(|l| {
                    l.iter()
                        .find(|f| f.get("key").and_then(Value::as_str) == Some(name))
                })
                .and_then(|f| f.get("value"))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        let (name, scheme) = match kind {
            "basic" => (
                "basic".to_string(),
                json!({"type": "http", "scheme": "basic"}),
            ),
            "digest" => (
                "digest".to_string(),
                json!({"type": "http", "scheme": "digest"}),
            ),
            // Prism checks OAuth 2 as a bearer token.
            "bearer" | "oauth2" => (
                "bearer".to_string(),
                json!({"type": "http", "scheme": "bearer"}),
            ),
            "apikey" => {
                let key = field("key").unwrap_or_else(|| "x-api-key".into());
                let place = match field("in").as_deref() {
                    Some("query") => "query",
                    _ => "header",
                };
                (
                    format!("apikey-{place}-{key}"),
                    json!({"type": "apiKey", "in": place, "name": key}),
                )
            }
            // Hawk, AWS, NTLM, Akamai: only an Authorization header is looked for.
            "hawk" | "awsv4" | "ntlm" | "akamai" | "edgegrid" | "oauth1" => (
                "authorization-header".to_string(),
                json!({"type": "apiKey", "in": "header", "name": "Authorization"}),
            ),
            _ => return None,
        };
        self.schemes.entry(name.clone()).or_insert(scheme);
        Some(json!({ name: [] }))
    }
}

/// `/pets/:id/{{kind}}` → `/pets/{id}/{kind}` and the parameter names.
fn template_of(path: &str) -> (String, Vec<String>) {
    let mut names = Vec::new();
    let segments: Vec<String> = path
        .split('/')
        .map(|s| {
            let var = s
                .strip_prefix(':')
                .or_else(|| s.strip_prefix("{{").and_then(|v| v.strip_suffix("}}")))
                .filter(|v| !v.is_empty() && !v.contains(['{', '}', '/']));
            match var {
                Some(v) => {
                    let v = v.trim().to_string();
                    names.push(v.clone());
                    format!("{{{v}}}")
                }
                None => s.to_string(),
            }
        })
        .collect();
    let mut template = segments.join("/");
    if !template.starts_with('/') {
        template.insert(0, '/');
    }
    (template, names)
}

fn request_body(body: &Value, content_type: Option<String>) -> Option<Value> {
    let mode = body.get("mode").and_then(Value::as_str)?;
    let (media, schema) = match mode {
        "raw" => {
            let raw = body
                .get("raw")
                .and_then(Value::as_str)
                .filter(|r| !r.trim().is_empty())?;
            let language = body
                .pointer("/options/raw/language")
                .and_then(Value::as_str);
            let media = content_type.unwrap_or_else(|| match language {
                Some("json") => "application/json".into(),
                Some("xml") => "application/xml".into(),
                _ => "text/plain".into(),
            });
            let schema = crate::wire::is_json(&media)
                .then(|| serde_json::from_str::<Value>(raw).ok())
                .flatten()
                .map(|v| infer(&v));
            (media, schema)
        }
        "urlencoded" | "formdata" => {
            let list = body.get(mode).and_then(Value::as_array)?;
            let properties: Map<String, Value> = list
                .iter()
                .filter(|f| f.get("disabled").and_then(Value::as_bool) != Some(true))
                .filter_map(|f| f.get("key").and_then(Value::as_str))
                .map(|k| (k.to_string(), json!({"type": "string"})))
                .collect();
            let media = content_type.unwrap_or_else(|| {
                if mode == "urlencoded" {
                    "application/x-www-form-urlencoded".into()
                } else {
                    "multipart/form-data".into()
                }
            });
            (
                media,
                Some(json!({"type": "object", "properties": properties})),
            )
        }
        _ => return None,
    };
    let media = media.split(';').next().unwrap_or("").trim().to_string();
    let mut content = Map::new();
    content.insert(
        media,
        match schema {
            Some(s) => json!({ "schema": s }),
            None => json!({}),
        },
    );
    Some(json!({"content": content}))
}

/// The saved responses by code, then content type, each a named example.
fn responses_of(responses: &[Value], vars: &Vars) -> Value {
    let mut out = Map::new();
    for (i, response) in responses.iter().enumerate() {
        let code = response
            .get("code")
            .and_then(Value::as_u64)
            .unwrap_or(200)
            .to_string();
        let name = response
            .get("name")
            .and_then(Value::as_str)
            .map_or_else(|| format!("example{}", i + 1), str::to_string);
        let headers = header_list(response.get("header"), vars);
        let entry = out
            .entry(code.clone())
            .or_insert_with(|| json!({"description": name.clone()}));
        if entry.get("headers").is_none() {
            let declared: Map<String, Value> = headers
                .iter()
                .filter(|(k, _)| !FRAMING.contains(&k.as_str()))
                .map(|(k, v)| {
                    (
                        k.clone(),
                        json!({"schema": {"type": "string"}, "example": v}),
                    )
                })
                .collect();
            if !declared.is_empty() {
                entry["headers"] = Value::Object(declared);
            }
        }
        let body = response.get("body").and_then(Value::as_str).unwrap_or("");
        let media = headers
            .iter()
            .find(|(k, _)| k == "content-type")
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim().to_string())
            .or_else(|| {
                match response
                    .get("_postman_previewlanguage")
                    .and_then(Value::as_str)
                {
                    Some("json") => Some("application/json".into()),
                    Some("xml") => Some("application/xml".into()),
                    Some("html") => Some("text/html".into()),
                    Some("text") => Some("text/plain".into()),
                    _ => None,
                }
            });
        // Prism keeps a body only with its content type.
        let (Some(media), false) = (media, body.is_empty()) else {
            continue;
        };
        let value = if crate::wire::is_json(&media) {
            serde_json::from_str(body).unwrap_or_else(|_| Value::String(body.to_string()))
        } else {
            Value::String(body.to_string())
        };
        let content = entry
            .as_object_mut()
            .map(|m| m.entry("content").or_insert_with(|| json!({})));
        let Some(Value::Object(content)) = content else {
            continue;
        };
        let slot = content.entry(media.clone()).or_insert_with(|| {
            let mut m = json!({"examples": {}});
            if crate::wire::is_json(&media) && !value.is_string() {
                m["schema"] = infer(&value);
            }
            m
        });
        if let Some(Value::Object(examples)) = slot.get_mut("examples") {
            let mut key = name.clone();
            let mut n = 2;
            while examples.contains_key(&key) {
                key = format!("{name} ({n})");
                n += 1;
            }
            examples.insert(key, json!({ "value": value }));
        }
    }
    Value::Object(out)
}

/// A schema a value is an instance of: its types, each property of an object typed and
/// none required (as Prism's schema generator infers it).
pub fn infer(v: &Value) -> Value {
    match v {
        Value::Null => json!({"type": "null"}),
        Value::Bool(_) => json!({"type": "boolean"}),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({"type": "integer"}),
        Value::Number(_) => json!({"type": "number"}),
        Value::String(_) => json!({"type": "string"}),
        Value::Array(items) => {
            let schemas: Vec<Value> = items.iter().map(infer).collect();
            match schemas.first() {
                Some(first) if schemas.iter().all(|s| s == first) => {
                    json!({"type": "array", "items": first})
                }
                Some(_) => json!({"type": "array"}),
                None => json!({"type": "array"}),
            }
        }
        Value::Object(m) => {
            let properties: Map<String, Value> =
                m.iter().map(|(k, v)| (k.clone(), infer(v))).collect();
            json!({"type": "object", "properties": properties})
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_collection_becomes_operations_with_inferred_schemas_and_security() {
        let doc = to_openapi(&json!({
            "info": {"name": "Shop"},
            "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "t"}]},
            "item": [{"name": "Pets", "item": [{
                "name": "Create pet",
                "request": {
                    "method": "POST",
                    "url": {"raw": "{{base}}/pets/:kind?dry=1", "query": [{"key": "dry", "value": "1"}]},
                    "header": [{"key": "Content-Type", "value": "application/json"}],
                    "body": {"mode": "raw", "raw": "{\"name\": \"Rex\", \"age\": 3}"}
                },
                "response": [
                    {"name": "created", "code": 201, "header": [{"key": "Content-Type", "value": "application/json"}], "body": "{\"id\": 1}"},
                    {"name": "bad", "code": 400, "header": [{"key": "Content-Type", "value": "text/plain"}], "body": "no"}
                ]
            }]}]
        }));
        let op = &doc["paths"]["/pets/{kind}"]["post"];
        assert_eq!(op["summary"], "Create pet");
        assert_eq!(op["security"], json!([{"bearer": []}]));
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"]["scheme"],
            "bearer"
        );
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(schema["properties"]["age"]["type"], "integer");
        assert!(schema.get("required").is_none());
        let names: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["kind", "dry"]);
        let created = &op["responses"]["201"]["content"]["application/json"];
        assert_eq!(created["examples"]["created"]["value"], json!({"id": 1}));
        assert_eq!(created["schema"]["properties"]["id"]["type"], "integer");
        assert_eq!(
            op["responses"]["400"]["content"]["text/plain"]["examples"]["bad"]["value"],
            "no"
        );
    }
}
