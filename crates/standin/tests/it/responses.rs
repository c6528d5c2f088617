//! Response selection: status, media type, example, headers, and the mock settings that
//! steer them.

use serde_json::json;

use crate::support::{Server, example, fixture, header, json};

#[test]
fn accept_negotiation_with_q_values_and_406() {
    let s = Server::start(&[&fixture("swagger2.yaml"), "--quiet"]);
    let resp = s
        .get("/api/v2/orders/7")
        .header("Accept", "application/xml;q=0.9, application/json;q=0.5")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/xml")
    );
    assert_eq!(resp.text().unwrap(), "<order><id>7</id></order>");
    let resp = s
        .get("/api/v2/orders/7")
        .header("Accept", "*/*")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/json")
    );
    let resp = s
        .get("/api/v2/orders/7")
        .header("Accept", "image/png")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 406);
    let (_, body) = json(resp);
    assert_eq!(
        body["available"],
        json!(["application/json", "application/xml"])
    );
}

#[test]
fn swagger2_examples_by_mime_headers_and_base_path() {
    let s = Server::start(&[&fixture("swagger2.yaml"), "--quiet"]);
    let resp = s.get("/api/v2/orders/7").send().unwrap();
    assert_eq!(header(&resp, "x-rate-limit").as_deref(), Some("100"));
    // A declared Content-Length is not sent: the server frames the body it sends.
    assert_eq!(header(&resp, "content-length").as_deref(), Some("40"));
    assert_eq!(
        json(resp),
        (200, json!({"id": 7, "status": "shipped", "total": 12.5}))
    );
    // Without the base path too, since it is unambiguous.
    assert_eq!(s.get("/orders/7").send().unwrap().status(), 200);
    let (status, body) = json(
        s.req("POST", "/api/v2/orders")
            .header("content-type", "application/json")
            .body(r#"{"id": 1}"#)
            .send()
            .unwrap(),
    );
    assert_eq!(status, 201);
    assert!(body["id"].is_i64(), "{body}");
}

#[test]
fn response_without_content_sends_no_body() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s.req("DELETE", "/v1/pets/1").send().unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(header(&resp, "content-type"), None);
}

#[test]
fn openapi31_schema_examples_and_generated_bodies() {
    let s = Server::start(&[&fixture("openapi31.yaml"), "--quiet"]);
    let (_, body) = json(s.get("/constant").send().unwrap());
    assert_eq!(body, json!({"kind": "widget", "tags": ["first"]}));
    let (status, thing) = json(s.get("/things/abc").send().unwrap());
    assert_eq!(status, 200);
    assert!(thing["id"].is_string(), "{thing}");
    assert!(
        thing["label"].is_string() || thing["label"].is_null(),
        "{thing}"
    );
}

#[test]
fn example_choice_sequential_and_random() {
    let s = Server::start(&[
        &fixture("kong/seed-behavioral-headers.yaml"),
        "--quiet",
        "--examples",
        "sequential",
    ]);
    let names: Vec<String> = (0..4)
        .map(|_| {
            json(s.get("/query_user").send().unwrap()).1["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(names, ["Hao", "Sasha", "Hao", "Sasha"]);
    let s = Server::start(&[
        &fixture("kong/seed-behavioral-headers.yaml"),
        "--quiet",
        "--examples",
        "random",
    ]);
    let seen: std::collections::BTreeSet<String> = (0..40)
        .map(|_| {
            json(s.get("/query_user").send().unwrap()).1["name"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(seen.len(), 2, "both examples show up: {seen:?}");
}

#[test]
fn status_choice_and_allowed_statuses() {
    let s = Server::start(&[
        &fixture("kong/seed-behavioral-headers.yaml"),
        "--quiet",
        "--status",
        "500",
    ]);
    assert_eq!(s.get("/ping").send().unwrap().status(), 500);
    // A forced status still works outside the allowed list (as Kong's header does).
    assert_eq!(
        s.get("/ping")
            .header("X-Kong-Mocking-Status-Code", "200")
            .send()
            .unwrap()
            .status(),
        200
    );
    let s = Server::start(&[
        &fixture("kong/seed-behavioral-headers.yaml"),
        "--quiet",
        "--status-choice",
        "random",
    ]);
    let seen: std::collections::BTreeSet<u16> = (0..40)
        .map(|_| s.get("/ping").send().unwrap().status().as_u16())
        .collect();
    assert_eq!(seen, [200, 500].into_iter().collect());
}

#[test]
fn mock_delay_fixed_and_range() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet", "--delay", "200-300"]);
    let started = std::time::Instant::now();
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(200));
    let (code, _, err) =
        crate::support::run(&["serve", &example("petstore.yaml"), "--delay", "300-100"]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid delay '300-100'"), "{err}");
}

#[test]
fn an_object_declared_as_plain_text_is_sent_as_json_text() {
    let s = Server::start(&[&fixture("openapi31.yaml"), "--quiet"]);
    let resp = s.get("/note").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type").as_deref(), Some("text/plain"));
    let body: serde_json::Value = serde_json::from_str(&resp.text().unwrap()).unwrap();
    assert!(body["text"].is_string(), "{body}");
}

#[test]
fn generated_bodies_mirror_the_requested_id_and_are_deterministic() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let (_, a) = json(s.get("/v1/pets/42").send().unwrap());
    assert_eq!(a["id"], 42, "{a}");
    let (_, again) = json(s.get("/v1/pets/42").send().unwrap());
    assert_eq!(a, again, "the same request shows the same pet");
    let (_, b) = json(s.get("/v1/pets/43").send().unwrap());
    assert_eq!(b["id"], 43);
    assert_ne!(a["name"], b["name"], "another id, another pet");
    let (_, d1) = json(
        s.get("/v1/pets/42")
            .header("Prefer", "dynamic=true")
            .send()
            .unwrap(),
    );
    let (_, d2) = json(
        s.get("/v1/pets/42")
            .header("Prefer", "dynamic=true")
            .send()
            .unwrap(),
    );
    assert_ne!(d1, d2, "dynamic varies");
    let (_, p1) = json(
        s.get("/v1/pets/42")
            .header("Prefer", "seed=7")
            .send()
            .unwrap(),
    );
    let (_, p2) = json(
        s.get("/v1/pets/42")
            .header("Prefer", "seed=7, dynamic=true")
            .send()
            .unwrap(),
    );
    assert_eq!(p1, p2, "a seed pins the body");
    let other = Server::start(&[&example("petstore.yaml"), "--quiet", "--seed", "9"]);
    let (_, o) = json(other.get("/v1/pets/42").send().unwrap());
    assert_ne!(o["name"], a["name"], "another mock seed, another body");
}

#[test]
fn xml_bodies_are_named_after_the_schema() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s
        .get("/v1/pets/42")
        .header("Accept", "application/xml")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/xml")
    );
    let text = resp.text().unwrap();
    assert!(text.starts_with("<?xml"), "{text}");
    assert!(
        text.contains("<Pet>") && text.contains("<id>42</id>"),
        "{text}"
    );
}

#[test]
fn a_self_contradicting_schema_still_gets_its_documented_status() {
    let s = Server::start(&[&fixture("openapi31.yaml"), "--quiet"]);
    let resp = s.get("/contradiction").send().unwrap();
    assert_eq!(resp.status(), 200);
    let warning = header(&resp, "x-standin-warning").unwrap();
    assert!(
        warning.contains("schema unsatisfiable at #/paths/~1contradiction/get/responses/200"),
        "{warning}"
    );
    let (_, body) = json(resp);
    assert!(body["a"].is_string(), "{body}");
}
