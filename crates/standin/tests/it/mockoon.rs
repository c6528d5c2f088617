//! Mockoon environments served by `standin serve environment.json`: routes, bodies,
//! rules, response modes, templating, diagnostics.

use serde_json::json;

use crate::support::{Server, fixture, header, json};

fn shop() -> Server {
    Server::start(&[&fixture("mockoon/shop.json")])
}

#[test]
fn mockoon_routes_with_prefix_params_and_wildcards_answer() {
    let s = shop();
    let (st, v) = json(s.get("/api/users").send().unwrap());
    assert_eq!((st, v[1]["name"].clone()), (200, json!("Linus")));
    let (st, v) = json(s.get("/api/users/7").send().unwrap());
    assert_eq!((st, v), (200, json!({"id": "7", "name": "user 7"})));
    // Express matches without case and with a trailing slash.
    assert_eq!(json(s.get("/API/Users/7/").send().unwrap()).0, 200);
    let (_, v) = json(s.get("/api/files/a/b/c.txt").send().unwrap());
    assert_eq!(v, json!({"wildcard": true}));
    let r = s.req("DELETE", "/api/users/3").send().unwrap();
    assert_eq!(r.status(), 204);
    let (_, v) = json(s.req("PATCH", "/api/anything").send().unwrap());
    assert_eq!(v, json!({"method": "PATCH"}));
    // Outside the prefix nothing answers, with express's 404 page.
    let r = s.get("/users").send().unwrap();
    assert_eq!(r.status(), 404);
    assert!(r.text().unwrap().contains("<pre>Cannot GET /users</pre>"));
}

#[test]
fn mockoon_status_headers_and_body_types() {
    let s = shop();
    let r = s.get("/api/teapot").send().unwrap();
    assert_eq!(r.status(), 418);
    assert_eq!(header(&r, "content-type").as_deref(), Some("text/plain"));
    assert_eq!(
        header(&r, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(r.text().unwrap(), "I'm a teapot");
    let r = s.get("/api/users").send().unwrap();
    assert_eq!(
        header(&r, "content-type").as_deref(),
        Some("application/json")
    );
    let (_, v) = json(s.get("/api/doc").send().unwrap());
    assert_eq!(v, json!({"doc": "from a file"}));
    let (_, v) = json(s.get("/api/catalog").send().unwrap());
    assert_eq!(v[1]["sku"], "B2");
}

#[test]
fn mockoon_rules_read_each_target() {
    let s = shop();
    assert_eq!(json(s.get("/api/users/0").send().unwrap()).0, 404);
    let (_, v) = json(s.get("/api/search?q=avocado").send().unwrap());
    assert_eq!(v["results"][0], "apple");
    let (_, v) = json(s.get("/api/search?q=banana").send().unwrap());
    assert_eq!(v["results"], json!([]));
    assert_eq!(json(s.get("/api/auth/me").send().unwrap()).0, 401);
    let auth = s
        .get("/api/auth/me")
        .header("Authorization", "Bearer secret");
    assert_eq!(json(auth.send().unwrap()).0, 200);
    let (_, v) = json(
        s.get("/api/session")
            .header("Cookie", "sid=abc; t=1")
            .send()
            .unwrap(),
    );
    assert_eq!(v["session"], "active");
    let (_, v) = json(s.get("/api/counter").send().unwrap());
    assert_eq!(v["n"], "first");
    let (_, v) = json(s.get("/api/counter").send().unwrap());
    assert_eq!(v["n"], "later");
    let (_, v) = json(s.get("/api/method-rule").send().unwrap());
    assert_eq!(v["m"], "get");
}

#[test]
fn mockoon_rule_operators_invert_and_and() {
    let s = shop();
    let order =
        |body: serde_json::Value| json(s.req("POST", "/api/orders").json(&body).send().unwrap()).0;
    assert_eq!(order(json!({"customer": "c", "items": []})), 400); // empty_array
    assert_eq!(order(json!({"items": [1]})), 422); // null
    assert_eq!(order(json!({"customer": "c", "items": [1]})), 201);
    let (_, v) = json(s.get("/api/tags?tag=blue&tag=red").send().unwrap());
    assert_eq!(v["tagged"], true); // array_includes
    let (_, v) = json(s.get("/api/tags?tag=blue").send().unwrap());
    assert_eq!(v["tagged"], false);
    let (_, v) = json(
        s.get("/api/not-admin")
            .header("x-role", "guest")
            .send()
            .unwrap(),
    );
    assert_eq!(v["role"], "user"); // invert
    let login =
        |body: serde_json::Value| json(s.req("POST", "/api/login").json(&body).send().unwrap()).0;
    assert_eq!(login(json!({"user": "ada", "password": "pw"})), 200);
    assert_eq!(login(json!({"user": "ada", "password": "x"})), 401); // AND
    let form = s
        .req("POST", "/api/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("user=ada&password=pw");
    let (st, v) = json(form.send().unwrap());
    assert_eq!((st, v["token"].clone()), (200, json!("t-ada")));
}

#[test]
fn mockoon_response_modes() {
    let s = shop();
    let steps: Vec<serde_json::Value> = (0..4)
        .map(|_| json(s.get("/api/sequence").send().unwrap()).1["step"].clone())
        .collect();
    assert_eq!(steps, vec![json!(1), json!(2), json!(3), json!(1)]);
    let (_, v) = json(s.get("/api/disabled-rules?x=1").send().unwrap());
    assert_eq!(v["which"], "default");
    let (_, v) = json(s.get("/api/fallback?x=1").send().unwrap());
    assert_eq!(v["which"], "rule");
    let (_, v) = json(s.get("/api/fallback?x=2").send().unwrap());
    assert_eq!(v["which"], "next route");
}

#[test]
fn mockoon_templates_read_the_request() {
    let s = shop();
    let body = json!({"name": "Grace", "address": {"city": "Arlington"}});
    let (st, v) = json(s.req("POST", "/api/users").json(&body).send().unwrap());
    assert_eq!(
        (st, v),
        (201, json!({"created": "Grace", "city": "Arlington"}))
    );
    let (_, v) = json(
        s.req("POST", "/api/users")
            .json(&json!({"name": "A"}))
            .send()
            .unwrap(),
    );
    assert_eq!(v["city"], "unknown");
    let r = s
        .get("/api/echo-header")
        .header("x-trace", "t-42")
        .send()
        .unwrap();
    assert_eq!(header(&r, "x-echo").as_deref(), Some("t-42"));
    let (_, v) = json(s.get("/api/raw").send().unwrap());
    assert_eq!(v["raw"], "{{urlParam 'x'}}"); // disableTemplating
}

#[test]
fn mockoon_bad_parts_are_diagnostics_and_the_rest_serves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let env = json!({
        "uuid": "e", "lastMigration": 32, "endpointPrefix": "", "rootChildren": [],
        "routes": [
            {"uuid": "a", "type": "http", "method": "get", "endpoint": "ok",
             "responses": [{"uuid": "r", "statusCode": 200, "body": "fine", "default": true,
                            "bodyType": "FILE", "filePath": "missing.json"}]},
            {"uuid": "b", "type": "http", "method": "get", "endpoint": "bad",
             "responses": [{"uuid": "s", "statusCode": 200, "body": "x",
                            "rules": [{"target": "query", "modifier": "a", "operator": "regex", "value": "("}]}]},
            {"uuid": "c", "type": "http", "method": "get", "endpoint": "good",
             "responses": [{"uuid": "t", "statusCode": 202, "body": "yes"}]}
        ]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    assert_eq!(s.get("/good").send().unwrap().status(), 202);
    assert!(s.summary.contains("2 errors"), "{}", s.summary);
    let errors: Vec<String> = (0..2)
        .filter_map(|_| {
            s.errors
                .recv_timeout(std::time::Duration::from_secs(5))
                .ok()
        })
        .collect();
    let all = errors.join("\n");
    assert!(all.contains("#/routes/0/responses/0/filePath"), "{all}");
    assert!(
        all.contains("#/routes/1/responses/0/rules/0/value"),
        "{all}"
    );
    // The route whose file is missing still answers, with Mockoon's error text.
    let r = s.get("/ok").send().unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().unwrap();
    assert!(
        text.starts_with(
            "Error while serving the file content: ENOENT: no such file or directory, open '"
        ),
        "{text}"
    );
}

#[test]
fn mockoon_crud_route_reads_and_writes_its_bucket_and_reset_restores_it() {
    let s = shop();
    let (st, v) = json(s.get("/api/products").send().unwrap());
    assert_eq!((st, v.as_array().map(Vec::len)), (200, Some(2)));
    let (st, v) = json(s.get("/api/products/p2").send().unwrap());
    assert_eq!((st, v["name"].clone()), (200, json!("Desk")));
    assert_eq!(
        json(s.get("/api/products/nope").send().unwrap()),
        (404, json!({}))
    );
    let chair = json!({"id": "p3", "name": "Chair"});
    let (st, v) = json(s.req("POST", "/api/products").json(&chair).send().unwrap());
    assert_eq!((st, v), (201, chair));
    let (st, v) = json(
        s.req("POST", "/api/products")
            .json(&json!({"name": "Rug"}))
            .send()
            .unwrap(),
    );
    assert_eq!(st, 201);
    assert_eq!(v["id"].as_str().map(str::len), Some(36), "a uuid: {v}");
    let put = s
        .req("PUT", "/api/products/p1")
        .json(&json!({"name": "Big lamp"}));
    assert_eq!(
        json(put.send().unwrap()),
        (200, json!({"name": "Big lamp", "id": "p1"}))
    );
    let patch = s
        .req("PATCH", "/api/products/p2")
        .json(&json!({"price": 140}));
    let (_, v) = json(patch.send().unwrap());
    assert_eq!(
        (v["name"].clone(), v["price"].clone()),
        (json!("Desk"), json!(140))
    );
    assert_eq!(
        json(s.req("DELETE", "/api/products/p3").send().unwrap()).0,
        200
    );
    assert_eq!(
        json(s.req("DELETE", "/api/products/p3").send().unwrap()).0,
        404
    );
    // A DATABUCKET body of another route sees the changes.
    let (_, v) = json(s.get("/api/products-view").send().unwrap());
    assert_eq!(v.as_array().map(Vec::len), Some(3));
    assert_eq!(v[0]["name"], "Big lamp");
    let reset = s.req("POST", "/__admin/state/reset").send().unwrap();
    assert_eq!(reset.status(), 200);
    let (_, v) = json(s.get("/api/products").send().unwrap());
    assert_eq!(v[0]["name"], "Lamp");
    assert_eq!(v.as_array().map(Vec::len), Some(2));
}

#[test]
fn mockoon_an_unknown_helper_is_a_diagnostic_and_left_visible() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let body = concat!(
        r#"{"first":"{{faker 'person.firstName'}}","id":"{{uuid}}","up":"{{uppercase (queryParam 'w')}}","#,
        r#""sum":{{add 2 3}},"both":"{{concat 'a' 'b'}}","pick":"{{oneOf (array 'x')}}","#,
        r#""raw":"{{queryParamRaw}}","big":{{#if (gt 3 2)}}true{{else}}false{{/if}}}"#
    );
    let env = json!({
        "uuid": "e", "lastMigration": 32, "endpointPrefix": "", "rootChildren": [],
        "routes": [
            {"uuid": "a", "type": "http", "method": "get", "endpoint": "t",
             "responses": [{"uuid": "r", "statusCode": 200, "body": body, "default": true}]},
            {"uuid": "b", "type": "http", "method": "get", "endpoint": "odd",
             "responses": [{"uuid": "s", "statusCode": 200, "body": "{{frobnicate 'x'}}"}]}
        ]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    let r = s.get("/t?w=hi").send().unwrap();
    let text = r.text().unwrap();
    // `array` is not a helper standin has: the whole body is sent as written.
    assert!(text.contains("{{oneOf (array 'x')}}"), "{text}");
    let found = (0..4)
        .map_while(|_| {
            s.errors
                .recv_timeout(std::time::Duration::from_secs(5))
                .ok()
        })
        .any(|e| e.contains("'frobnicate'"));
    assert!(found, "no diagnostic names the helper");
    assert_eq!(
        s.get("/odd").send().unwrap().text().unwrap(),
        "{{frobnicate 'x'}}"
    );
}

#[test]
fn mockoon_helpers_render_values() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let body = concat!(
        r#"{"first":"{{faker 'person.firstName'}}","id":"{{uuid}}","up":"{{uppercase (queryParam 'w')}}","#,
        r#""sum":{{add 2 3}},"both":"{{concat 'a' 'b'}}","raw":"{{queryParamRaw}}","#,
        r#""n":{{faker 'number.int' 5}},"big":{{#if (gt 3 2)}}true{{else}}false{{/if}}}"#
    );
    let env = json!({
        "uuid": "e", "lastMigration": 32, "endpointPrefix": "", "rootChildren": [],
        "routes": [{"uuid": "a", "type": "http", "method": "get", "endpoint": "t",
             "responses": [{"uuid": "r", "statusCode": 200, "body": body, "default": true}]}]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    let (st, v) = json(s.get("/t?w=hi").send().unwrap());
    assert_eq!(st, 200);
    assert!(
        v["first"]
            .as_str()
            .is_some_and(|f| f.len() > 1 && f != "{{faker"),
        "{v}"
    );
    assert_eq!(v["id"].as_str().map(str::len), Some(36));
    assert_eq!(v["up"], "HI");
    assert_eq!(v["sum"], 5);
    assert_eq!(v["both"], "ab");
    assert_eq!(v["raw"], "w=hi");
    assert!(v["n"].as_i64().is_some_and(|n| (0..=5).contains(&n)), "{v}");
    assert_eq!(v["big"], true);
}

#[test]
fn mockoon_random_mode_answers_with_each_response_in_time() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let env = json!({
        "uuid": "e", "lastMigration": 32, "endpointPrefix": "", "rootChildren": [],
        "routes": [{"uuid": "a", "type": "http", "method": "get", "endpoint": "r",
            "responseMode": "RANDOM",
            "responses": [{"uuid": "x", "statusCode": 200, "body": "a", "default": true},
                          {"uuid": "y", "statusCode": 201, "body": "b"}]}]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..200 {
        seen.insert(s.get("/r").send().unwrap().status().as_u16());
        if seen.len() == 2 {
            break;
        }
    }
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![200, 201]);
}
