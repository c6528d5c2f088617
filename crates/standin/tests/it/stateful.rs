//! Stateful mocks through the binary: every method on the example petstore and on a
//! document with nested resources, an envelope list, pagination, a wrapped item and a
//! singleton; sessions, the admin state routes, the journal, the budget, directives
//! that bypass the state, concurrency, and `check --stateful`. Every answer of the
//! state is checked against the document's response schema with standin's validator.

use serde_json::{Value, json};
use standin_core::model::StatusKey;
use standin_core::validate::ValueCheck;

use crate::support::{Server, fixture, header, json, run};

fn petstore() -> String {
    fixture("stateful/petstore.yaml")
}

fn shop() -> String {
    fixture("stateful/shop.yaml")
}

/// The documents of a source, to check answers against their response schemas.
struct Schemas(standin_core::Snapshot);

impl Schemas {
    fn of(path: &str) -> Schemas {
        let (snap, _) =
            standin_server::server::load(&[path.into()], &standin_core::MockSettings::default());
        Schemas(snap)
    }

    /// Asserts `body` is valid against the JSON schema of `operation`'s `status` answer.
    fn check(&self, operation: &str, status: u16, body: &Value) {
        let doc = &self.0.documents[0];
        let op = doc
            .operations
            .iter()
            .find(|o| o.operation_id.as_deref() == Some(operation))
            .unwrap_or_else(|| panic!("no operation {operation}"));
        let response = op
            .response(StatusKey::Code(status))
            .or_else(|| op.response(StatusKey::Default))
            .unwrap_or_else(|| panic!("{operation} documents no {status}"));
        let media = response
            .media
            .iter()
            .find(|m| m.media_type.contains("json"))
            .unwrap_or_else(|| panic!("{operation} {status} has no JSON body"));
        let ptr = media.schema.as_deref().expect("a schema");
        let problems = ValueCheck::compile(doc, ptr).problems(body, "answer");
        assert!(
            problems.is_empty(),
            "{operation} {status}: {body} breaks the schema: {problems:?}"
        );
    }
}

fn send(s: &Server, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut r = s.req(method, path);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().expect("body");
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, v)
}

fn patch(s: &Server, path: &str, content_type: &str, body: Value) -> (u16, Value) {
    json(
        s.req("PATCH", path)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .expect("patch"),
    )
}

#[test]
fn petstore_create_show_list_delete_then_404_in_the_document_s_shape() {
    let schemas = Schemas::of(&petstore());
    let s = Server::start(&[&petstore(), "--stateful"]);
    let (status, made) = send(
        &s,
        "POST",
        "/v1/pets",
        Some(json!({"name": "Kit", "tag": "cat"})),
    );
    assert_eq!(status, 201, "{made}");
    schemas.check("createPet", 201, &made);
    assert_eq!(made["name"], "Kit");
    let id = made["id"].as_i64().expect("an integer id");
    assert_eq!(id, 3, "the next integer above the examples' 1 and 2");

    let (status, shown) = send(&s, "GET", &format!("/v1/pets/{id}"), None);
    assert_eq!(status, 200);
    schemas.check("getPet", 200, &shown);
    assert_eq!(shown, made);

    let (status, list) = send(&s, "GET", "/v1/pets", None);
    assert_eq!(status, 200);
    schemas.check("listPets", 200, &list);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Rex", "Tom", "Kit"]);

    let resp = s.req("DELETE", &format!("/v1/pets/{id}")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let (status, gone) = send(&s, "GET", &format!("/v1/pets/{id}"), None);
    assert_eq!(status, 404);
    assert_eq!(
        gone["code"], 404,
        "the document's own 404 example shape: {gone}"
    );
    assert!(gone["message"].as_str().unwrap().contains("id 3"), "{gone}");
    let (status, _) = send(&s, "GET", "/v1/pets/99", None);
    assert_eq!(status, 404, "an item never created");
    let resp = s.req("DELETE", "/v1/pets/99").send().unwrap();
    assert_eq!(resp.status().as_u16(), 404);
}

#[test]
fn without_the_flag_nothing_is_kept() {
    let s = Server::start(&[&petstore()]);
    let (status, _) = send(&s, "POST", "/v1/pets", Some(json!({"name": "Kit"})));
    assert_eq!(status, 201);
    let (status, shown) = send(&s, "GET", "/v1/pets/99", None);
    assert_eq!(status, 200, "a stateless mock generates: {shown}");
    let (_, list) = send(&s, "GET", "/v1/pets", None);
    assert_eq!(list.as_array().unwrap().len(), 2, "the example, unchanged");
}

#[test]
fn a_fresh_collection_holds_the_document_s_examples() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    let (_, list) = send(&s, "GET", "/v1/pets", None);
    assert_eq!(
        list,
        json!([{"id": 1, "name": "Rex", "tag": "dog"}, {"id": 2, "name": "Tom", "tag": "cat"}])
    );
    let (status, rex) = send(&s, "GET", "/v1/pets/1", None);
    assert_eq!(status, 200);
    assert_eq!(rex["name"], "Rex");
    send(&s, "POST", "/v1/pets", Some(json!({"name": "Kit"})));
    let resp = s.get("/v1/pets?limit=1").send().unwrap();
    assert_eq!(
        header(&resp, "x-total-count").as_deref(),
        Some("3"),
        "the declared total header"
    );
    let (_, first) = json(resp);
    assert_eq!(
        first,
        json!([{"id": 1, "name": "Rex", "tag": "dog"}]),
        "the declared limit"
    );
    let (status, again) = send(&s, "GET", "/v1/pets/01", None);
    assert_eq!(status, 200, "an integer identifier is the number it is");
    assert_eq!(again, rex);
}

#[test]
fn a_wrapped_item_a_location_and_server_set_properties() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let resp = s
        .req("POST", "/users")
        .json(&json!({"name": "Ada", "role": "admin", "password": "secret", "createdAt": "1999-01-01T00:00:00Z"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let location = header(&resp, "location").expect("the declared Location header");
    let (_, made) = json(resp);
    schemas.check("createUser", 201, &made);
    let user = &made["data"];
    let id = user["id"].as_str().expect("a string id");
    assert_eq!(id.len(), 36, "a uuid, as the schema says: {id}");
    assert_eq!(location, format!("/users/{id}"));
    assert!(
        user.get("password").is_none(),
        "writeOnly is not answered: {user}"
    );
    let created = user["createdAt"].as_str().unwrap();
    assert!(
        !created.starts_with("1999"),
        "readOnly is the server's: {created}"
    );
    assert!(created.starts_with("20"), "{created}");

    let (status, shown) = send(&s, "GET", &location, None);
    assert_eq!(status, 200);
    schemas.check("getUser", 200, &shown);
    assert_eq!(shown["data"], *user);
}

fn create_users(s: &Server, names: &[(&str, &str)]) -> Vec<String> {
    names
        .iter()
        .map(|(name, role)| {
            let (status, v) = send(
                s,
                "POST",
                "/users",
                Some(json!({"name": name, "role": role})),
            );
            assert_eq!(status, 201, "{v}");
            v["data"]["id"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn an_envelope_list_pages_by_limit_and_offset_and_filters_by_equality() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    create_users(&s, &[("Ada", "admin"), ("Bob", "member"), ("Cy", "member")]);
    let (status, page) = send(&s, "GET", "/users?limit=2", None);
    assert_eq!(status, 200);
    schemas.check("listUsers", 200, &page);
    assert_eq!(page["total"], 3);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let next = page["next"].as_str().expect("a next page");
    assert_eq!(next, "/users?limit=2&offset=2");
    let (_, last) = send(&s, "GET", next, None);
    schemas.check("listUsers", 200, &last);
    assert_eq!(last["data"][0]["name"], "Cy");
    assert_eq!(last["next"], Value::Null);

    let (_, members) = send(&s, "GET", "/users?role=member", None);
    schemas.check("listUsers", 200, &members);
    let names: Vec<&str> = members["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Bob", "Cy"]);
    assert_eq!(members["total"], 2);
}

#[test]
fn nested_collections_are_scoped_to_their_parent_and_page_by_number() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let ids = create_users(&s, &[("Ada", "admin"), ("Bob", "member")]);
    for item in ["book", "pen", "ink"] {
        let (status, order) = send(
            &s,
            "POST",
            &format!("/users/{}/orders", ids[0]),
            Some(json!({"item": item, "quantity": 1})),
        );
        assert_eq!(status, 201);
        schemas.check("createOrder", 201, &order);
    }
    let (_, theirs) = send(&s, "GET", &format!("/users/{}/orders", ids[1]), None);
    assert_eq!(theirs, json!([]), "another user's orders are not these");
    let (_, page2) = send(
        &s,
        "GET",
        &format!("/users/{}/orders?page=2&per_page=2", ids[0]),
        None,
    );
    schemas.check("listOrders", 200, &page2);
    assert_eq!(page2, json!([{"item": "ink", "quantity": 1, "id": 3}]));
    let (status, gone) = send(&s, "DELETE", &format!("/users/{}/orders/2", ids[0]), None);
    assert_eq!(status, 200, "deleteOrder documents 200 with the order");
    schemas.check("deleteOrder", 200, &gone);
    assert_eq!(gone["item"], "pen");
    let (status, _) = send(&s, "GET", &format!("/users/{}/orders/2", ids[0]), None);
    assert_eq!(status, 404);
    let (status, _) = send(&s, "GET", &format!("/users/{}/orders/1", ids[1]), None);
    assert_eq!(status, 404, "order 1 is the first user's");
}

#[test]
fn a_cursor_pages_from_the_examples() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let (_, first) = send(&s, "GET", "/notes", None);
    schemas.check("listNotes", 200, &first);
    assert_eq!(
        first["items"].as_array().unwrap().len(),
        2,
        "the declared default limit"
    );
    assert_eq!(first["has_more"], true);
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let (_, rest) = send(&s, "GET", &format!("/notes?cursor={cursor}"), None);
    schemas.check("listNotes", 200, &rest);
    assert_eq!(rest["items"], json!([{"id": 3, "text": "third"}]));
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["next_cursor"], Value::Null);
}

#[test]
fn a_singleton_is_set_by_put_and_read_back() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let ids = create_users(&s, &[("Ada", "admin")]);
    let path = format!("/users/{}/profile", ids[0]);
    let (status, _) = send(&s, "GET", &path, None);
    assert_eq!(status, 404, "not set yet");
    let (status, put) = send(&s, "PUT", &path, Some(json!({"bio": "hello"})));
    assert_eq!(status, 200);
    schemas.check("putProfile", 200, &put);
    let (status, shown) = send(&s, "GET", &path, None);
    assert_eq!(status, 200);
    schemas.check("getProfile", 200, &shown);
    assert_eq!(shown, json!({"bio": "hello"}));
}

#[test]
fn put_replaces_keeping_what_the_server_set() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let (_, made) = send(
        &s,
        "POST",
        "/users",
        Some(json!({"name": "Ada", "role": "admin", "email": "a@example.com"})),
    );
    let user = &made["data"];
    let path = format!("/users/{}", user["id"].as_str().unwrap());
    let (status, replaced) = send(
        &s,
        "PUT",
        &path,
        Some(json!({"name": "Ada L", "role": "member"})),
    );
    assert_eq!(status, 200, "{replaced}");
    schemas.check("replaceUser", 200, &replaced);
    let r = &replaced["data"];
    assert_eq!(r["name"], "Ada L");
    assert!(
        r.get("email").is_none(),
        "a replace drops what it does not send: {r}"
    );
    assert_eq!(r["id"], user["id"]);
    assert_eq!(r["createdAt"], user["createdAt"]);
    let (status, _) = send(
        &s,
        "PUT",
        "/users/00000000-0000-4000-8000-000000000000",
        Some(json!({"name": "X", "role": "admin"})),
    );
    assert_eq!(status, 404);
}

#[test]
fn patch_merges_applies_json_patch_and_refuses_a_break_with_422() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let ids = create_users(&s, &[("Ada", "admin")]);
    let path = format!("/users/{}", ids[0]);
    let (status, merged) = patch(
        &s,
        &path,
        "application/merge-patch+json",
        json!({"email": "ada@example.com"}),
    );
    assert_eq!(status, 200, "{merged}");
    schemas.check("updateUser", 200, &merged);
    assert_eq!(merged["data"]["email"], "ada@example.com");
    assert_eq!(merged["data"]["name"], "Ada");
    let (status, plain) = patch(&s, &path, "application/json", json!({"role": "member"}));
    assert_eq!(status, 200);
    assert_eq!(plain["data"]["role"], "member");
    assert_eq!(plain["data"]["email"], "ada@example.com");
    let (status, patched) = patch(
        &s,
        &path,
        "application/json-patch+json",
        json!([{"op": "replace", "path": "/name", "value": "Ada L"}, {"op": "remove", "path": "/email"}]),
    );
    assert_eq!(status, 200, "{patched}");
    schemas.check("updateUser", 200, &patched);
    assert_eq!(patched["data"]["name"], "Ada L");
    assert!(patched["data"].get("email").is_none());

    let (status, broken) = patch(
        &s,
        &path,
        "application/merge-patch+json",
        json!({"name": null, "role": "boss"}),
    );
    assert_eq!(status, 422, "{broken}");
    schemas.check("updateUser", 422, &broken);
    let message = broken["message"].as_str().unwrap();
    assert!(
        message.contains("'name'") && message.contains("role"),
        "the reasons: {message}"
    );
    let (_, kept) = send(&s, "GET", &path, None);
    assert_eq!(
        kept["data"]["name"], "Ada L",
        "a refused change changes nothing"
    );
    let (status, bad) = patch(
        &s,
        &path,
        "application/json-patch+json",
        json!([{"op": "remove", "path": "/nope"}]),
    );
    assert_eq!(status, 422, "{bad}");
    assert!(bad["message"].as_str().unwrap().contains("/nope"));
}

#[test]
fn forced_statuses_and_examples_win_and_do_not_touch_the_state() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    let (status, _) = send(&s, "GET", "/v1/pets/99", None);
    assert_eq!(status, 404);
    let resp = s
        .get("/v1/pets/99")
        .header("prefer", "code=200")
        .send()
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        200,
        "a forced status is the document's answer"
    );
    let resp = s
        .get("/v1/pets")
        .header("prefer", "example=empty")
        .send()
        .unwrap();
    assert_eq!(json(resp).1, json!([]));
    let resp = s
        .req("POST", "/v1/pets")
        .header("prefer", "code=201")
        .json(&json!({"name": "Ghost"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let (_, list) = send(&s, "GET", "/v1/pets", None);
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "a forced answer created nothing"
    );
    let resp = s
        .get("/v1/pets/99")
        .header("prefer", "stateful=false")
        .send()
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        200,
        "stateful=false answers without the state"
    );
    let resp = s
        .get("/v1/pets")
        .header("prefer", "stateful=maybe")
        .send()
        .unwrap();
    assert_eq!(
        resp.status().as_u16(),
        400,
        "a preference that cannot be used says so"
    );
}

#[test]
fn sessions_do_not_see_each_other() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    let resp = s
        .req("POST", "/v1/pets")
        .header("x-standin-session", "run-a")
        .json(&json!({"name": "A"}))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let in_a = s
        .get("/v1/pets/3")
        .header("x-standin-session", "run-a")
        .send()
        .unwrap();
    assert_eq!(in_a.status().as_u16(), 200);
    let in_b = s
        .get("/v1/pets/3")
        .header("x-standin-session", "run-b")
        .send()
        .unwrap();
    assert_eq!(in_b.status().as_u16(), 404);
    let (status, _) = send(&s, "GET", "/v1/pets/3", None);
    assert_eq!(status, 404, "the default namespace is another");
}

#[test]
fn the_admin_api_shows_seeds_and_resets_state() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    send(&s, "POST", "/v1/pets", Some(json!({"name": "Kit"})));
    let (status, state) = send(&s, "GET", "/__admin/state", None);
    assert_eq!(status, 200);
    assert_eq!(state["resources"][0]["name"], "/pets");
    assert_eq!(state["resources"][0]["identifier"], "id");
    let coll = &state["collections"][0];
    assert_eq!(coll["resource"], "/pets");
    assert_eq!(coll["items"].as_array().unwrap().len(), 3);
    assert_eq!(state["budget"]["items"], 3);

    let (status, seeded) = send(
        &s,
        "PUT",
        "/__admin/state",
        Some(
            json!({"collections": [{"resource": "/pets", "items": [{"id": 10, "name": "Seeded"}, {"name": "No id"}]}]}),
        ),
    );
    assert_eq!(status, 200, "{seeded}");
    let (_, list) = send(&s, "GET", "/v1/pets", None);
    assert_eq!(
        list,
        json!([{"id": 10, "name": "Seeded"}, {"name": "No id", "id": 11}])
    );
    let (status, missing) = send(
        &s,
        "PUT",
        "/__admin/state",
        Some(json!({"collections": [{"resource": "/cats", "items": []}]})),
    );
    assert_eq!(status, 404);
    assert!(
        missing["errors"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("/pets")
    );

    let (status, _) = send(
        &s,
        "POST",
        "/__admin/state/reset",
        Some(json!({"resource": "/pets"})),
    );
    assert_eq!(status, 200);
    let (_, list) = send(&s, "GET", "/v1/pets", None);
    assert_eq!(list.as_array().unwrap().len(), 2, "back to the examples");
    send(&s, "POST", "/v1/pets", Some(json!({"name": "Kit"})));
    let resp = s.req("POST", "/__admin/state/reset").send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (_, state) = send(&s, "GET", "/__admin/state", None);
    assert_eq!(state["collections"], json!([]));
}

#[test]
fn the_journal_says_which_resource_and_action() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    send(&s, "POST", "/v1/pets", Some(json!({"name": "Kit"})));
    send(&s, "GET", "/v1/pets/3", None);
    send(&s, "GET", "/v1/pets/42", None);
    let (_, journal) = send(&s, "GET", "/__admin/requests", None);
    let states: Vec<&str> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["why"]["state"].as_str())
        .collect();
    assert!(states.contains(&"create /pets 3"), "{states:?}");
    assert!(states.contains(&"read /pets 3"), "{states:?}");
    assert!(states.contains(&"read /pets 42 not found"), "{states:?}");
}

#[test]
fn a_spent_budget_is_a_507_naming_it() {
    let s = Server::start(&[&petstore(), "--stateful", "--state-max-items", "3"]);
    let (status, _) = send(&s, "POST", "/v1/pets", Some(json!({"name": "One"})));
    assert_eq!(status, 201, "the two examples and one more");
    let (status, full) = send(&s, "POST", "/v1/pets", Some(json!({"name": "Two"})));
    assert_eq!(status, 507);
    assert!(
        full["detail"]
            .as_str()
            .unwrap()
            .contains("items budget (3)"),
        "{full}"
    );
}

/// The resident memory of a process, in bytes.
fn rss(pid: u32) -> usize {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: usize = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

#[test]
fn the_byte_budget_bounds_the_memory_the_items_take() {
    // Items counted by what they allocate, not by their JSON text (about 20 times less
    // for a small pet): an 8 MiB budget fills after some ten thousand of them, and the
    // memory grows by about the budget.
    let budget = 8 << 20;
    let s = Server::start(&[
        &petstore(),
        "--stateful",
        "--no-request-journal",
        "--quiet",
        "--state-max-items",
        "1000000",
        "--state-max-bytes",
        "8M",
    ]);
    send(&s, "GET", "/v1/pets", None);
    let idle = rss(s.pid());
    let mut created = 0;
    let full = loop {
        let (status, body) = send(
            &s,
            "POST",
            "/v1/pets",
            Some(json!({"name": format!("pet {created}"), "tag": "dog"})),
        );
        match status {
            201 => created += 1,
            507 => break body,
            other => panic!("{other}: {body}"),
        }
        assert!(
            created < 40_000,
            "40,000 pets and the 8M budget is not spent"
        );
    };
    assert!(
        full["detail"].as_str().unwrap().contains("bytes budget"),
        "{full}"
    );
    let grown = rss(s.pid()).saturating_sub(idle);
    eprintln!(
        "{created} pets in the 8M budget; RSS grew {} KiB",
        grown / 1024
    );
    assert!(
        grown <= budget + budget / 2,
        "{created} pets grew the memory by {grown} bytes, past the {budget}-byte budget"
    );
}

#[test]
fn concurrent_creates_get_distinct_ids_and_concurrent_patches_all_land() {
    let s = Server::start(&[&shop(), "--stateful"]);
    let url = s.url.clone();
    let ids = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for i in 0..100 {
            let (url, ids) = (&url, &ids);
            scope.spawn(move || {
                let client = reqwest::blocking::Client::new();
                let resp = client
                    .post(format!("{url}/notes"))
                    .json(&json!({"text": format!("note {i}")}))
                    .send()
                    .expect("post");
                assert_eq!(resp.status().as_u16(), 201);
                let v: Value = resp.json().unwrap();
                ids.lock().unwrap().push(v["id"].as_i64().unwrap());
            });
        }
    });
    let mut ids = ids.into_inner().unwrap();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 100, "100 distinct identifiers");
    let (_, page) = send(&s, "GET", "/notes?limit=50", None);
    assert_eq!(page["has_more"], true);

    let user = create_users(&s, &[("Ada", "admin")]).remove(0);
    std::thread::scope(|scope| {
        for i in 0..20 {
            let (url, user) = (&url, &user);
            scope.spawn(move || {
                let client = reqwest::blocking::Client::new();
                let resp = client
                    .patch(format!("{url}/users/{user}"))
                    .header("content-type", "application/merge-patch+json")
                    .body(json!({ format!("x{i}"): i }).to_string())
                    .send()
                    .expect("patch");
                assert_eq!(resp.status().as_u16(), 200);
            });
        }
    });
    let (_, after) = send(&s, "GET", &format!("/users/{user}"), None);
    for i in 0..20 {
        assert_eq!(
            after["data"][format!("x{i}")],
            i,
            "patch {i} was kept: {after}"
        );
    }
}

#[test]
fn check_lists_resources_and_why_operations_were_not_taken() {
    let (code, out, _) = run(&["check", "--stateful", &petstore()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("resource /pets: collection, item /pets/{petId}, identifier 'id'"),
        "{out}"
    );
    assert!(out.contains("create  createPet"), "{out}");
    assert!(
        out.contains("not taken: myPets: /pets/mine is not a collection"),
        "{out}"
    );
    let (_, out, _) = run(&["check", "--stateful", &shop()]);
    assert!(out.contains("resource /users/{userId}/orders"), "{out}");
    assert!(out.contains("scoped to userId"), "{out}");
    assert!(
        out.contains("resource /users/{userId}/profile: singleton"),
        "{out}"
    );
    let (_, plain, _) = run(&["check", &petstore()]);
    assert!(
        !plain.contains("resource /pets"),
        "only with --stateful: {plain}"
    );
}

#[test]
fn the_config_file_turns_it_on_per_mock() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("standin.yaml");
    std::fs::write(
        &cfg,
        format!(
            "mocks:\n  - name: pets\n    sources: [{}]\n    stateful: true\n    port: 0\n",
            petstore()
        ),
    )
    .unwrap();
    let s = Server::start(&["--config", cfg.to_str().unwrap()]);
    let (status, _) = send(&s, "GET", "/v1/pets/99", None);
    assert_eq!(status, 404, "stateful from the config");
}

#[test]
fn a_nested_resource_of_a_missing_parent_is_404() {
    let s = Server::start(&[&shop(), "--stateful"]);
    let nobody = "00000000-0000-4000-8000-000000000000";
    let (status, v) = send(
        &s,
        "POST",
        &format!("/users/{nobody}/orders"),
        Some(json!({"item": "x", "quantity": 1})),
    );
    assert_eq!(status, 404, "{v}");
    assert!(v["detail"].as_str().unwrap().contains(nobody), "{v}");
    let (status, _) = send(&s, "GET", &format!("/users/{nobody}/profile"), None);
    assert_eq!(status, 404);
    let user = create_users(&s, &[("Ada", "admin")]).remove(0);
    send(
        &s,
        "POST",
        &format!("/users/{user}/orders"),
        Some(json!({"item": "x", "quantity": 1})),
    );
    let resp = s.req("DELETE", &format!("/users/{user}")).send().unwrap();
    assert_eq!(resp.status().as_u16(), 204);
    let (status, _) = send(&s, "GET", &format!("/users/{user}/orders"), None);
    assert_eq!(status, 404, "the orders of a deleted user are gone with it");
    let (_, state) = send(&s, "GET", "/__admin/state", None);
    let left: Vec<&Value> = state["collections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "/users/{userId}/orders")
        .collect();
    assert!(left.is_empty(), "nothing of theirs is kept: {left:?}");
}

#[test]
fn an_identifier_the_client_may_set_is_kept_and_a_taken_one_is_409() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    let (status, made) = send(
        &s,
        "POST",
        "/v1/pets",
        Some(json!({"id": 40, "name": "Forty"})),
    );
    assert_eq!(status, 201);
    assert_eq!(made["id"], 40, "id is not readOnly in the petstore");
    let (status, v) = send(
        &s,
        "POST",
        "/v1/pets",
        Some(json!({"id": 1, "name": "Again"})),
    );
    assert_eq!(status, 409, "{v}");
    assert!(v["detail"].as_str().unwrap().contains("id 1"), "{v}");
    let (_, next) = send(&s, "POST", "/v1/pets", Some(json!({"name": "Next"})));
    assert_eq!(next["id"], 41, "the next integer is above every one taken");
}

#[test]
fn required_properties_a_seeded_item_lacks_are_generated_valid() {
    let schemas = Schemas::of(&shop());
    let s = Server::start(&[&shop(), "--stateful"]);
    let id = "11111111-1111-4111-8111-111111111111";
    let (status, _) = send(
        &s,
        "PUT",
        "/__admin/state",
        Some(
            json!({"collections": [{"resource": "/users", "items": [{"id": id, "name": "Seeded"}]}]}),
        ),
    );
    assert_eq!(status, 200);
    let (status, shown) = send(&s, "GET", &format!("/users/{id}"), None);
    assert_eq!(status, 200);
    schemas.check("getUser", 200, &shown);
    assert_eq!(shown["data"]["name"], "Seeded");
    assert!(
        shown["data"]["role"].is_string(),
        "required, so generated: {shown}"
    );
    assert!(shown["data"]["createdAt"].is_string(), "{shown}");
    let (_, again) = send(&s, "GET", &format!("/users/{id}"), None);
    assert_eq!(again, shown, "generated parts are stable per item");
}

#[test]
fn the_mock_s_delay_and_accept_apply_to_stateful_answers() {
    let s = Server::start(&[&petstore(), "--stateful"]);
    let resp = s
        .get("/v1/pets/1")
        .header("prefer", "delay=1")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "preference-applied").as_deref(),
        Some("delay=1")
    );
    let resp = s
        .get("/v1/pets/1")
        .header("accept", "application/xml")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(header(&resp, "content-type").unwrap().contains("xml"));
    let text = resp.text().unwrap();
    assert!(text.contains("<name>Rex</name>"), "{text}");
}

#[test]
fn a_swagger_2_document_keeps_state_too() {
    let s = Server::start(&[&fixture("swagger2.yaml"), "--stateful"]);
    let (status, seeded) = send(&s, "GET", "/orders/7", None);
    assert_eq!(status, 200);
    assert_eq!(seeded["status"], "shipped", "the item's example: {seeded}");
    let (status, made) = send(
        &s,
        "POST",
        "/orders",
        Some(json!({"id": 8, "status": "placed", "total": 3.5})),
    );
    assert_eq!(status, 201, "{made}");
    let resp = s.get("/orders/8").send().unwrap();
    assert_eq!(
        header(&resp, "x-rate-limit").as_deref(),
        Some("100"),
        "declared headers still sent"
    );
    assert_eq!(json(resp).1, made);
    let (status, _) = send(&s, "POST", "/orders", Some(json!({"id": 7})));
    assert_eq!(status, 409);
}
