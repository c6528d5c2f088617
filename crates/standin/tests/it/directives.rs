//! Directives in every spelling: Prefer, Prism's query forms, Kong, Redocly, Postman.

use serde_json::json;

use crate::support::{Server, example, fixture, header, json};

fn seed() -> Server {
    Server::start(&[&fixture("kong/seed-behavioral-headers.yaml"), "--quiet"])
}

#[test]
fn kong_example_id_picks_the_named_example() {
    let s = seed();
    let (status, body) = json(
        s.get("/query_user")
            .header("X-Kong-Mocking-Example-Id", "Ron")
            .send()
            .unwrap(),
    );
    assert_eq!((status, body), (200, json!({"id": 20, "name": "Sasha"})));
    let (_, first) = json(s.get("/query_user").send().unwrap());
    assert_eq!(first, json!({"id": 10, "name": "Hao"}));
}

#[test]
fn kong_status_code_forces_the_response() {
    let s = seed();
    let (status, body) = json(
        s.get("/ping")
            .header("X-Kong-Mocking-Status-Code", "500")
            .send()
            .unwrap(),
    );
    assert_eq!((status, body), (500, json!({"message": "500"})));
}

#[test]
fn kong_unknown_status_and_example_use_kongs_messages() {
    let s = seed();
    let (status, body) = json(
        s.get("/ping")
            .header("X-Kong-Mocking-Status-Code", "418")
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "could not find the status code '418'"})
        )
    );
    let (status, body) = json(
        s.get("/query_user")
            .header("X-Kong-Mocking-Example-Id", "Nobody")
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, body),
        (
            400,
            json!({"message": "could not find the example id 'Nobody'"})
        )
    );
}

#[test]
fn kong_delay_out_of_range_is_rejected_with_kongs_message() {
    let s = seed();
    for bad in ["10001", "-1", "soon", "2.5"] {
        let (status, body) = json(
            s.get("/ping")
                .header("X-Kong-Mocking-Delay", bad)
                .send()
                .unwrap(),
        );
        assert_eq!(status, 400, "{bad}");
        assert_eq!(
            body,
            json!({"message": "Invalid value for X-Kong-Mocking-Delay. The delay value should between 0 and 10000ms"}),
            "{bad}"
        );
    }
    let started = std::time::Instant::now();
    let resp = s
        .get("/ping")
        .header("X-Kong-Mocking-Delay", "300")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(300),
        "the delay is applied"
    );
    assert_eq!(
        s.get("/ping")
            .header("X-Kong-Mocking-Delay", "0")
            .send()
            .unwrap()
            .status(),
        200
    );
}

#[test]
fn stock_quote_tutorial_returns_the_example_exactly() {
    let s = Server::start(&[&fixture("kong/stock-0.1.json"), "--quiet"]);
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("kong/stock-0.1.json")).unwrap())
            .unwrap();
    let expected = &doc["paths"]["/stock/historical"]["get"]["responses"]["200"]["examples"]["application/json"];
    let resp = s.get("/stock/historical?tickers=AAPL").send().unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/json")
    );
    let (status, body) = json(resp);
    assert_eq!((status, &body), (200, expected));
}

#[test]
fn prefer_code_example_and_preference_applied() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s
        .get("/v1/pets")
        .header("Prefer", "code=200, example=empty")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "preference-applied").as_deref(),
        Some("code=200, example=empty")
    );
    assert_eq!(json(resp), (200, json!([])));
    let (status, body) = json(
        s.get("/v1/pets/3")
            .header("Prefer", "code=404")
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, body),
        (404, json!({"code": 404, "message": "pet not found"}))
    );
    // A code the operation lacks falls back to `default`, sent with the forced code.
    let (status, body) = json(
        s.get("/v1/pets")
            .header("Prefer", "code=503")
            .send()
            .unwrap(),
    );
    assert_eq!(
        (status, body),
        (503, json!({"code": 500, "message": "something went wrong"}))
    );
}

#[test]
fn prefer_unknown_code_or_example_names_what_exists() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s
        .get("/v1/pets/1")
        .header("Prefer", "code=418")
        .send()
        .unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/problem+json")
    );
    let (status, body) = json(resp);
    assert_eq!(status, 404);
    assert_eq!(body["defined"], json!(["200", "404"]));
    assert!(body["detail"].as_str().unwrap().contains("418"), "{body}");
    let (status, body) = json(
        s.get("/v1/pets")
            .header("Prefer", "example=huge")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
    assert_eq!(body["examples"], json!(["two", "empty"]));
    let (status, body) = json(
        s.get("/v1/pets")
            .header("Prefer", "code=abc")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 400);
    assert!(
        body["detail"].as_str().unwrap().contains("Prefer: code"),
        "{body}"
    );
}

#[test]
fn prism_query_forms_count_only_without_prefer() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let (status, body) = json(s.get("/v1/pets/3?__code=404").send().unwrap());
    assert_eq!(
        (status, body),
        (404, json!({"code": 404, "message": "pet not found"}))
    );
    let (_, body) = json(s.get("/v1/pets?__example=empty").send().unwrap());
    assert_eq!(body, json!([]));
    let (status, _) = json(
        s.get("/v1/pets/3?__code=404")
            .header("Prefer", "dynamic=false")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 200);
}

#[test]
fn prefer_delay_is_applied_and_bounded() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let started = std::time::Instant::now();
    let resp = s
        .get("/v1/pets")
        .header("Prefer", "delay=250")
        .send()
        .unwrap();
    assert!(started.elapsed() >= std::time::Duration::from_millis(250));
    assert_eq!(
        header(&resp, "preference-applied").as_deref(),
        Some("delay=250")
    );
    let (status, _) = json(
        s.get("/v1/pets")
            .header("Prefer", "delay=99999999")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 400);
}

#[test]
fn redocly_headers() {
    let s = seed();
    let (status, body) = json(
        s.get("/ping")
            .header("x-redocly-response-status", "500")
            .send()
            .unwrap(),
    );
    assert_eq!((status, body), (500, json!({"message": "500"})));
    let (_, body) = json(
        s.get("/query_user")
            .header("x-redocly-response-body-example", "Ron")
            .send()
            .unwrap(),
    );
    assert_eq!(body, json!({"id": 20, "name": "Sasha"}));
    // Redocly falls back to the first example when the named one is missing.
    let (status, body) = json(
        s.get("/query_user")
            .header("x-redocly-response-body-example", "Nobody")
            .send()
            .unwrap(),
    );
    assert_eq!((status, body), (200, json!({"id": 10, "name": "Hao"})));
    // An undefined status is sent anyway, with Redocly's message.
    let (status, body) = json(
        s.get("/ping")
            .header("x-redocly-response-status", "418")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 418);
    assert_eq!(
        body,
        json!({"message": "The X-Redocly-Response-Status header was detected. Forced response with status code 418."})
    );
    let (status, _) = json(
        s.get("/ping")
            .header("x-redocly-response-status", "teapot")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 400);
}

#[test]
fn postman_headers() {
    let s = seed();
    let (status, body) = json(
        s.get("/ping")
            .header("x-mock-response-code", "500")
            .send()
            .unwrap(),
    );
    assert_eq!((status, body), (500, json!({"message": "500"})));
    let (_, body) = json(
        s.get("/query_user")
            .header("x-mock-response-name", "Ron")
            .send()
            .unwrap(),
    );
    assert_eq!(body, json!({"id": 20, "name": "Sasha"}));
    let (_, body) = json(
        s.get("/query_user")
            .header("x-mock-response-id", "Jessica")
            .send()
            .unwrap(),
    );
    assert_eq!(body, json!({"id": 10, "name": "Hao"}));
    let (status, body) = json(
        s.get("/query_user")
            .header("x-mock-response-name", "Nobody")
            .send()
            .unwrap(),
    );
    assert_eq!(status, 404);
    assert_eq!(body["error"]["name"], "mockRequestNotFoundError");
}
