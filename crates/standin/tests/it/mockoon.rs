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
fn mockoon_each_template_of_an_answer_reads_what_it_names() {
    // The body reads headers, cookies, the host and the address; the environment's
    // header a route param; the response's header the query: each template finds its
    // part of the request, however the one before it was rendered.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let body = r#"{"h":"{{header 'X-A'}}","c":"{{cookie 'k'}}","ip":"{{ip}}","host":"{{hostname}}","m":"{{method}}","raw":"{{queryParamRaw}}"}"#;
    let env = json!({
        "uuid": "e", "lastMigration": 32, "endpointPrefix": "", "rootChildren": [],
        "headers": [{"key": "x-id", "value": "{{urlParam 'id'}}"}],
        "routes": [
            {"uuid": "a", "type": "http", "method": "get", "endpoint": "items/:id",
             "responses": [{"uuid": "r", "statusCode": 200, "body": body,
                            "headers": [{"key": "x-q", "value": "{{queryParam 'q'}}"},
                                        {"key": "content-type", "value": "application/json"}],
                            "rules": [{"target": "header", "modifier": "X-A", "operator": "equals", "value": "1"},
                                      {"target": "cookie", "modifier": "k", "operator": "equals", "value": "v2"},
                                      {"target": "query", "modifier": "q", "operator": "equals", "value": "z"}],
                            "rulesOperator": "AND"},
                           {"uuid": "d", "statusCode": 404, "body": "{{urlParam 'id'}}", "default": true}]}
        ]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    let r = s
        .get("/items/7?q=z&q2=")
        .header("x-a", "0")
        .header("x-a", "1")
        .header("cookie", "k=v1; j=2")
        .header("cookie", "k=v2")
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-id").as_deref(), Some("7"));
    assert_eq!(header(&r, "x-q").as_deref(), Some("z"));
    let (_, v) = json(r);
    assert_eq!(
        v,
        json!({"h": "1", "c": "v2", "ip": "127.0.0.1", "host": "127.0.0.1", "m": "GET", "raw": "q=z&q2="})
    );
    // A rule that fails on one target gives the default, which reads only the param.
    let r = s.get("/items/8?q=y").header("x-a", "1").send().unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.text().unwrap(), "8");
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
    let v: serde_json::Value = serde_json::from_str(&text).expect(&text);
    assert_eq!(
        (v["pick"].clone(), v["sum"].clone()),
        (json!("x"), json!(5))
    );
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

#[test]
fn mockoon_rules_read_buckets_global_variables_templates_and_the_path() {
    let s = shop();
    // data_bucket: the Settings bucket holds {"mode": "open"}.
    assert_eq!(json(s.get("/api/mode").send().unwrap()).1["mode"], "open");
    // global_var: unset, then set by a template, then by the admin API, then purged.
    let (_, v) = json(s.get("/api/beta").send().unwrap());
    assert_eq!(v, json!({"beta": false, "was": "unset"}));
    let set = s.req("POST", "/api/flags/beta").json(&json!({"on": "yes"}));
    assert_eq!(json(set.send().unwrap()).1, json!({"set": "beta"}));
    assert_eq!(json(s.get("/api/beta").send().unwrap()).1["beta"], true);
    let admin = s
        .req("POST", "/mockoon-admin/global-vars")
        .json(&json!({"key": "beta", "value": "no"}));
    let (st, v) = json(admin.send().unwrap());
    assert_eq!(
        (st, v["message"].clone()),
        (200, json!("Global variable 'beta' has been set to 'no'"))
    );
    assert_eq!(
        json(s.get("/api/beta").send().unwrap()).1,
        json!({"beta": false, "was": "no"})
    );
    let (st, v) = json(s.get("/mockoon-admin/global-vars/beta").send().unwrap());
    assert_eq!((st, v), (200, json!({"key": "beta", "value": "no"})));
    s.req("POST", "/mockoon-admin/global-vars/purge")
        .send()
        .unwrap();
    let (st, v) = json(s.get("/mockoon-admin/global-vars/beta").send().unwrap());
    assert_eq!(
        (st, v["message"].clone()),
        (404, json!("Global variable not found"))
    );
    // templating: the modifier rendered, compared with the value.
    assert_eq!(
        json(s.get("/api/sum-rule?a=1&b=2").send().unwrap()).1["sum"],
        "three"
    );
    assert_eq!(
        json(s.get("/api/sum-rule?a=2&b=2").send().unwrap()).1["sum"],
        "other"
    );
    // valid_json_schema: the schema is the Schemas bucket's `user`.
    let ok = s
        .req("POST", "/api/validate")
        .json(&json!({"name": "Ada", "age": 3}));
    assert_eq!(json(ok.send().unwrap()).0, 200);
    let bad = s.req("POST", "/api/validate").json(&json!({"age": -1}));
    assert_eq!(json(bad.send().unwrap()).0, 400);
    // path: a regex on the path the client sent.
    assert_eq!(
        json(s.get("/api/where/is/here").send().unwrap()).1["path"],
        "here"
    );
    assert_eq!(
        json(s.get("/api/where/else").send().unwrap()).1["path"],
        "other"
    );
}

#[test]
fn mockoon_data_helpers_and_variables_change_and_read_the_state() {
    let s = shop();
    // setData inc, then data: the bucket changes from one request to the next.
    assert_eq!(
        json(s.get("/api/hits").send().unwrap()).1,
        json!({"hits": 1})
    );
    assert_eq!(
        json(s.get("/api/hits").send().unwrap()).1,
        json!({"hits": 2})
    );
    // setData push on an array bucket, read whole by data.
    let log = |msg: &str| {
        json(
            s.req("POST", "/api/log")
                .json(&json!({ "msg": msg }))
                .send()
                .unwrap(),
        )
    };
    assert_eq!(log("first"), (201, json!(["first"])));
    assert_eq!(log("second"), (201, json!(["first", "second"])));
    let (_, v) = json(s.get("/mockoon-admin/data-buckets/Journal").send().unwrap());
    assert_eq!(v["value"], json!(["first", "second"]));
    // Mockoon's admin reset puts the buckets back.
    let (_, v) = json(
        s.req("POST", "/mockoon-admin/data-buckets/purge")
            .send()
            .unwrap(),
    );
    assert_eq!(
        v["message"],
        "Data buckets have been reset to their initial state"
    );
    assert_eq!(
        json(s.get("/api/hits").send().unwrap()).1,
        json!({"hits": 1})
    );
    // dataRaw in a block; setVar / getVar.
    assert_eq!(
        json(s.get("/api/skus").send().unwrap()).1,
        json!(["A1", "B2"])
    );
    let (_, v) = json(s.get("/api/hello?name=Grace").send().unwrap());
    assert_eq!(v, json!({"hello": "Grace"}));
    // Environment variables: set through the admin API, prefixed as Mockoon does, read by
    // getEnvVar.
    assert_eq!(
        json(s.get("/api/region").send().unwrap()).1["region"],
        "none"
    );
    let set = s
        .req("POST", "/mockoon-admin/env-vars")
        .json(&json!({"key": "REGION", "value": "eu"}));
    assert_eq!(json(set.send().unwrap()).0, 200);
    let (st, v) = json(s.get("/mockoon-admin/env-vars/REGION").send().unwrap());
    assert_eq!(
        (st, v),
        (200, json!({"key": "MOCKOON_REGION", "value": "eu"}))
    );
}

#[test]
fn mockoon_date_block_and_random_helpers() {
    let s = shop();
    let (_, v) = json(s.get("/api/dates").send().unwrap());
    assert_eq!(v["next"], "2024-02-01 13:00");
    assert_eq!(v["fmt"], "05/03/2024 07:08:09");
    let year = v["year"].as_str().unwrap().parse::<i32>().unwrap();
    assert!((2024..3000).contains(&year), "{v}");
    let (_, v) = json(s.get("/api/repeat").send().unwrap());
    assert_eq!(
        v,
        json!([{"i": 0, "first": true}, {"i": 1, "first": false}, {"i": 2, "first": false}])
    );
    assert_eq!(
        json(s.get("/api/light?c=green").send().unwrap()).1["say"],
        "go"
    );
    assert_eq!(
        json(s.get("/api/light?c=red").send().unwrap()).1["say"],
        "stop"
    );
    assert_eq!(
        json(s.get("/api/light?c=blue").send().unwrap()).1["say"],
        "wait"
    );
    // now with Mockoon's default format, someOf: two distinct items of the list.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let env = json!({
        "uuid": "e", "lastMigration": 33, "endpointPrefix": "",
        "routes": [{"uuid": "a", "type": "http", "method": "get", "endpoint": "r",
            "responses": [{"uuid": "r", "statusCode": 200, "default": true,
                "body": "{\"now\":\"{{now}}\",\"some\":{{{someOf (array 'a' 'b' 'c') 2 2 true}}} }"}]}]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    let re = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$").unwrap();
    for _ in 0..5 {
        let (_, v) = json(s.get("/r").send().unwrap());
        let now = v["now"].as_str().unwrap();
        assert!(re.is_match(now), "{now}");
        let some = v["some"].as_array().unwrap();
        assert_eq!(some.len(), 2, "{v}");
        assert_ne!(some[0], some[1]);
        assert!(
            some.iter()
                .all(|x| ["a", "b", "c"].contains(&x.as_str().unwrap()))
        );
    }
}

#[test]
fn mockoon_dates_are_in_the_machines_zone_as_node_shows_them() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let body = concat!(
        "{\"now\":\"{{now 'xxx'}}\",",
        "\"shown\":\"{{dateFormat '2024-07-01T00:00:00Z' 'yyyy-MM-dd HH:mm xxx OOOO'}}\",",
        "\"local\":\"{{dateFormat '2024-01-15T09:30:00' 'T'}}\",",
        "\"shifted\":\"{{dateTimeShift date='2024-03-30T12:00:00' days=1 format='yyyy-MM-dd HH:mm xxx'}}\"}"
    );
    let env = json!({
        "uuid": "e", "lastMigration": 33, "endpointPrefix": "",
        "routes": [{"uuid": "a", "type": "http", "method": "get", "endpoint": "d",
            "responses": [{"uuid": "r", "statusCode": 200, "default": true, "body": body}]}]
    });
    std::fs::write(&path, env.to_string()).unwrap();
    // Central European time as a POSIX rule: +01:00, and +02:00 from the last Sunday of
    // March (2024-03-31) to the last Sunday of October.
    let s = Server::start_command_env(
        "serve",
        &[path.to_str().unwrap()],
        &[("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")],
    );
    let (status, v) = json(s.get("/d").send().unwrap());
    assert_eq!(status, 200, "{v}");
    assert!(
        ["+01:00", "+02:00"].contains(&v["now"].as_str().unwrap()),
        "{v}"
    );
    assert_eq!(v["shown"], "2024-07-01 02:00 +02:00 GMT+02:00");
    // 09:30 in January is 08:30 UTC.
    assert_eq!(v["local"], "1705307400000");
    // A day on across the change to summer time keeps the wall-clock time.
    assert_eq!(v["shifted"], "2024-03-31 12:00 +02:00");

    // The same environment in UTC.
    let s = Server::start(&[path.to_str().unwrap()]);
    let (_, v) = json(s.get("/d").send().unwrap());
    assert_eq!(v["now"], "+00:00");
    assert_eq!(v["shown"], "2024-07-01 00:00 +00:00 GMT+00:00");
    assert_eq!(v["local"], "1705311000000");
    assert_eq!(v["shifted"], "2024-03-31 12:00 +00:00");
}

#[test]
fn mockoon_files_as_downloads_or_bodies_and_fallback_to_404() {
    let s = shop();
    let r = s.get("/api/download").send().unwrap();
    assert_eq!(
        header(&r, "content-disposition").as_deref(),
        Some("attachment; filename=\"doc.json\"")
    );
    assert_eq!(json(r).1, json!({"doc": "from a file"}));
    let r = s.get("/api/inline-file").send().unwrap();
    assert_eq!(header(&r, "content-disposition"), None);
    assert_eq!(json(r).1, json!({"doc": "from a file"}));
    let (st, v) = json(s.get("/api/gone").send().unwrap());
    assert_eq!((st, v), (404, json!({"error": "gone"})));
}

#[test]
fn mockoon_crud_lists_search_filter_sort_and_page() {
    let s = shop();
    let names = |path: &str| {
        let r = s.get(path).send().unwrap();
        let counts = (
            header(&r, "x-total-count").unwrap_or_default(),
            header(&r, "x-filtered-count").unwrap_or_default(),
        );
        let (_, v) = json(r);
        let names: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["name"].as_str().unwrap().to_string())
            .collect();
        (names, counts)
    };
    let (n, c) = names("/api/numbers?sort=size&order=desc");
    assert_eq!(n, ["seven", "two", "five", "one"]);
    assert_eq!(c, ("4".to_string(), "4".to_string()));
    assert_eq!(names("/api/numbers?search=FIV").0, ["five"]);
    let (n, c) = names("/api/numbers?size_gte=20&sort=name");
    assert_eq!(n, ["five", "seven", "two"]);
    assert_eq!(c.1, "3");
    assert_eq!(names("/api/numbers?limit=2&page=2").0, ["five", "seven"]);
    assert_eq!(names("/api/numbers?name_start=t").0, ["two"]);
    // A created item without a key gets one above the highest number.
    let made = s
        .req("POST", "/api/numbers")
        .json(&json!({"name": "eight"}));
    assert_eq!(
        json(made.send().unwrap()),
        (201, json!({"name": "eight", "id": 8}))
    );
    let put = s
        .req("PUT", "/api/numbers/8")
        .json(&json!({"name": "EIGHT"}));
    assert_eq!(
        json(put.send().unwrap()).1,
        json!({"name": "EIGHT", "id": 8})
    );
    assert_eq!(
        json(s.req("DELETE", "/api/numbers/8").send().unwrap()).0,
        200
    );
    assert_eq!(json(s.get("/api/numbers/8").send().unwrap()).0, 404);
    // A bucket whose template makes its keys (`"id": "{{add 40 2}}"`) makes a new one so.
    let made = s
        .req("POST", "/api/tickets")
        .json(&json!({"title": "second"}));
    assert_eq!(
        json(made.send().unwrap()).1,
        json!({"title": "second", "id": 42})
    );
}

#[test]
fn mockoon_disable_routes_check_summary_and_migration() {
    let env = fixture("mockoon/shop.json");
    // By keyword (in the path) and by uuid, as Mockoon CLI's --disable-routes.
    let s = Server::start(&[
        &env,
        "--disable-routes",
        "teapot",
        "--disable-routes",
        "00000000-0000-4000-8000-000000000002",
    ]);
    assert_eq!(s.get("/api/teapot").send().unwrap().status(), 404);
    assert_eq!(s.get("/api/users").send().unwrap().status(), 404);
    assert_eq!(s.get("/api/users/7").send().unwrap().status(), 200);
    assert!(s.summary.contains(" routes"), "{}", s.summary);
    assert!(!s.summary.contains(" stubs"), "{}", s.summary);
    let (code, out, _) = crate::support::run(&["check", &env]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("shop.json: 46 routes, 0 errors"), "{out}");
    // A file Mockoon 9 would migrate first: faker v7 names and `enabled: false`.
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.json");
    let route = |uuid: &str, endpoint: &str, body: &str, enabled: bool| {
        json!({
            "uuid": uuid, "type": "http", "method": "get", "endpoint": endpoint, "enabled": enabled,
            "responses": [{"uuid": format!("{uuid}r"), "statusCode": 200, "default": true, "body": body}]
        })
    };
    std::fs::write(&old, json!({
        "uuid": "e", "lastMigration": 28, "endpointPrefix": "",
        "routes": [route("a", "on", "{{faker 'name.firstName'}}", true), route("b", "off", "x", false)]
    }).to_string()).unwrap();
    let s = Server::start(&[old.to_str().unwrap()]);
    let text = s.get("/on").send().unwrap().text().unwrap();
    assert!(!text.is_empty() && !text.contains("faker"), "{text}");
    assert_eq!(s.get("/off").send().unwrap().status(), 404);
    // Too old a file is refused, naming its migration.
    let older = dir.path().join("older.json");
    std::fs::write(
        &older,
        json!({"uuid": "e", "lastMigration": 19, "routes": []}).to_string(),
    )
    .unwrap();
    let (code, out, _) = crate::support::run(&["check", older.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("lastMigration 19"), "{out}");
    assert!(out.contains("#/lastMigration"), "{out}");
}

#[test]
fn mockoon_proxy_mode_forwards_what_no_route_answers() {
    let dir = tempfile::tempdir().unwrap();
    let route = |endpoint: &str, body: &str| {
        json!({
            "uuid": endpoint, "type": "http", "method": "get", "endpoint": endpoint,
            "responses": [{"uuid": format!("{endpoint}-r"), "statusCode": 200, "default": true, "body": body}]
        })
    };
    let up = dir.path().join("upstream.json");
    std::fs::write(&up, json!({
        "uuid": "u", "lastMigration": 33, "endpointPrefix": "",
        "routes": [route("items/:id", "{\"id\":\"{{urlParam 'id'}}\",\"added\":\"{{header 'x-added'}}\"}")]
    }).to_string()).unwrap();
    let upstream = Server::start(&[up.to_str().unwrap()]);
    let front = dir.path().join("front.json");
    std::fs::write(
        &front,
        json!({
            "uuid": "f", "lastMigration": 33, "endpointPrefix": "api",
            "proxyMode": true, "proxyHost": upstream.url, "proxyRemovePrefix": true,
            "proxyReqHeaders": [{"key": "X-Added", "value": "by-front"}],
            "proxyResHeaders": [{"key": "X-Proxied", "value": "yes"}],
            "routes": [route("local", "{\"local\":true}")]
        })
        .to_string(),
    )
    .unwrap();
    let s = Server::start(&[front.to_str().unwrap()]);
    assert_eq!(
        json(s.get("/api/local").send().unwrap()).1,
        json!({"local": true})
    );
    let r = s.get("/api/items/5").send().unwrap();
    assert_eq!(header(&r, "x-proxied").as_deref(), Some("yes"));
    assert_eq!(json(r), (200, json!({"id": "5", "added": "by-front"})));
    // An environment that only forwards.
    let only = dir.path().join("only.json");
    std::fs::write(&only, json!({
        "uuid": "o", "lastMigration": 33, "proxyMode": true, "proxyHost": upstream.url, "routes": []
    }).to_string()).unwrap();
    let s = Server::start(&[only.to_str().unwrap()]);
    assert_eq!(json(s.get("/items/9").send().unwrap()).1["id"], "9");
    // A proxyHost that is not a URL is a diagnostic naming it.
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, json!({
        "uuid": "b", "lastMigration": 33, "proxyMode": true, "proxyHost": "nowhere", "routes": []
    }).to_string()).unwrap();
    let (code, out, _) = crate::support::run(&["check", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("#/proxyHost") && out.contains("'nowhere'"),
        "{out}"
    );
}

#[test]
fn mockoon_several_environments_each_on_its_port_or_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, prefix: &str, body: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, json!({
            "uuid": name, "lastMigration": 33, "endpointPrefix": prefix,
            "data": [{"uuid": "d", "id": "b1", "name": "Items", "value": "[]"}],
            "routes": [
                {"uuid": "r", "type": "http", "method": "get", "endpoint": "who",
                 "responses": [{"uuid": "rr", "statusCode": 200, "default": true, "body": body}]},
                {"uuid": "c", "type": "crud", "method": "", "endpoint": "items",
                 "responses": [{"uuid": "cr", "statusCode": 200, "default": true,
                                "bodyType": "DATABUCKET", "databucketID": "b1", "crudKey": "id"}]}
            ]
        }).to_string()).unwrap();
        path.to_str().unwrap().to_string()
    };
    let (a, b) = (
        write("a.json", "a", "{\"env\":\"a\"}"),
        write("b.json", "b", "{\"env\":\"b\"}"),
    );
    // On one command line: one port, each under its own prefix, each bucket its own.
    let s = Server::start(&[&a, &b]);
    assert!(s.summary.contains("4 routes"), "{}", s.summary);
    assert_eq!(json(s.get("/a/who").send().unwrap()).1["env"], "a");
    assert_eq!(json(s.get("/b/who").send().unwrap()).1["env"], "b");
    s.req("POST", "/a/items")
        .json(&json!({"n": 1}))
        .send()
        .unwrap();
    assert_eq!(
        json(s.get("/a/items").send().unwrap())
            .1
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    assert_eq!(json(s.get("/b/items").send().unwrap()).1, json!([]));
    // In a config file: each environment on a port of its own.
    let cfg = dir.path().join("standin.yaml");
    std::fs::write(
        &cfg,
        format!(
            "port: 0\nmocks:\n  - name: a\n    sources: [{a}]\n  - name: b\n    sources: [{b}]\n"
        ),
    )
    .unwrap();
    let s = Server::start(&["--config", cfg.to_str().unwrap()]);
    let b_url = s.next_line(10).unwrap();
    assert_ne!(b_url, s.url);
    assert_eq!(json(s.get("/a/who").send().unwrap()).1["env"], "a");
    let (_, v) = json(reqwest::blocking::get(format!("{b_url}/b/who")).unwrap());
    assert_eq!(v["env"], "b");
    assert_eq!(
        reqwest::blocking::get(format!("{b_url}/a/who"))
            .unwrap()
            .status(),
        404
    );
}

#[test]
fn mockoon_watch_reloads_an_edited_environment_and_keeps_it_through_a_broken_edit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let write = |body: &str| {
        let env = json!({
            "uuid": "e", "lastMigration": 33, "endpointPrefix": "",
            "data": [{"uuid": "d", "id": "s1", "name": "Stats", "value": "{\"n\":0}"}],
            "routes": [{"uuid": "a", "type": "http", "method": "get", "endpoint": "v",
                "responses": [{"uuid": "r", "statusCode": 200, "default": true, "body": body}]},
                {"uuid": "b", "type": "http", "method": "get", "endpoint": "n",
                "responses": [{"uuid": "rb", "statusCode": 200, "default": true,
                    "body": "{{setData 'inc' 'Stats' 'n' 1}}{{data 'Stats' 'n'}}"}]}]
        });
        std::fs::write(&path, env.to_string()).unwrap();
    };
    write("one");
    let s = Server::start(&[path.to_str().unwrap(), "--watch"]);
    assert_eq!(s.get("/v").send().unwrap().text().unwrap(), "one");
    assert_eq!(s.get("/n").send().unwrap().text().unwrap(), "1");
    assert_eq!(s.get("/n").send().unwrap().text().unwrap(), "2");
    write("two");
    let reloaded = (0..20).find_map(|_| s.next_line(1).filter(|l| l.contains("reloaded")));
    assert!(reloaded.is_some_and(|l| l.contains("2 routes")));
    assert_eq!(s.get("/v").send().unwrap().text().unwrap(), "two");
    // The new version starts afresh, as Mockoon restarts an environment.
    assert_eq!(s.get("/n").send().unwrap().text().unwrap(), "1");
    // A file that no longer parses keeps the last good version.
    std::fs::write(&path, "{ not json").unwrap();
    let said = (0..40).find_map(|_| {
        s.errors
            .recv_timeout(std::time::Duration::from_millis(250))
            .ok()
            .filter(|l| l.contains("rejected"))
    });
    assert!(said.is_some(), "no rejection printed");
    assert_eq!(s.get("/v").send().unwrap().text().unwrap(), "two");
}

#[test]
fn mockoon_faker_methods_take_named_options_and_an_unknown_one_is_a_diagnostic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("env.json");
    let route = |endpoint: &str, body: &str| {
        json!({
            "uuid": endpoint, "type": "http", "method": "get", "endpoint": endpoint,
            "responses": [{"uuid": format!("{endpoint}-r"), "statusCode": 200, "default": true, "body": body}]
        })
    };
    std::fs::write(&path, json!({
        "uuid": "e", "lastMigration": 33, "endpointPrefix": "",
        "routes": [
            route("n", "{\"n\":{{faker 'number.int' min=5 max=7}},\"m\":{{faker 'number.int' '{\"min\":1,\"max\":2}'}},\"job\":\"{{faker 'person.jobTitle'}}\",\"phone\":\"{{faker 'phone.number'}}\",\"when\":\"{{faker 'date.past'}}\"}"),
            route("odd", "{{faker 'music.genre'}}")
        ]
    }).to_string()).unwrap();
    let s = Server::start(&[path.to_str().unwrap()]);
    for _ in 0..10 {
        let (_, v) = json(s.get("/n").send().unwrap());
        assert!((5..=7).contains(&v["n"].as_i64().unwrap()), "{v}");
        assert!((1..=2).contains(&v["m"].as_i64().unwrap()), "{v}");
        assert!(!v["job"].as_str().unwrap().is_empty(), "{v}");
        assert!(v["phone"].as_str().unwrap().starts_with("+1-"), "{v}");
        assert!(v["when"].as_str().unwrap().ends_with('Z'), "{v}");
    }
    let found = (0..4)
        .map_while(|_| {
            s.errors
                .recv_timeout(std::time::Duration::from_secs(5))
                .ok()
        })
        .any(|e| {
            e.contains("faker method 'music.genre'") && e.contains("#/routes/1/responses/0/body")
        });
    assert!(found, "no diagnostic names the faker method");
    assert_eq!(
        s.get("/odd").send().unwrap().text().unwrap(),
        "{{faker 'music.genre'}}"
    );
}

#[test]
fn mockoon_concurrent_set_data_loses_no_change() {
    let s = shop();
    let url = format!("{}/api/hits", s.url);
    std::thread::scope(|scope| {
        for _ in 0..8 {
            let url = url.clone();
            scope.spawn(move || {
                let client = reqwest::blocking::Client::new();
                for _ in 0..25 {
                    assert_eq!(client.get(&url).send().unwrap().status(), 200);
                }
            });
        }
    });
    // 200 increments, then this one.
    assert_eq!(
        json(s.get("/api/hits").send().unwrap()).1,
        json!({"hits": 201})
    );
}
