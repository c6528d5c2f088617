//! Routing: templates, base paths, trailing slashes, percent-decoding, HEAD, 404, 405,
//! CORS.

use serde_json::json;

use crate::support::{Server, example, fixture, header, json};

#[test]
fn literal_segment_beats_template_and_base_path_is_optional() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let (_, mine) = json(s.get("/v1/pets/mine").send().unwrap());
    assert_eq!(mine, json!([{"id": 7, "name": "Mine"}]));
    let (_, unprefixed) = json(s.get("/pets/mine").send().unwrap());
    assert_eq!(unprefixed, mine);
    let (status, pet) = json(s.get("/v1/pets/42").send().unwrap());
    assert_eq!(status, 200);
    assert!(pet.is_object(), "{pet}");
}

#[test]
fn trailing_slash_and_percent_decoding() {
    let s = Server::start(&[&fixture("openapi31.yaml"), "--quiet"]);
    assert_eq!(s.get("/constant/").send().unwrap().status(), 200);
    let (status, thing) = json(s.get("/things/caf%C3%A9%20au%20lait").send().unwrap());
    assert_eq!(status, 200);
    assert!(thing.is_object(), "{thing}");
}

#[test]
fn two_parameters_in_one_segment() {
    let s = Server::start(&[&fixture("openapi31.yaml"), "--quiet"]);
    let resp = s.get("/files/report.txt").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().unwrap(), "file contents");
}

#[test]
fn head_is_answered_for_every_get() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s.req("HEAD", "/v1/pets").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/json")
    );
    assert_eq!(header(&resp, "content-length").as_deref(), Some("69"));
    assert!(resp.bytes().unwrap().is_empty());
}

#[test]
fn unknown_path_names_the_closest_operations() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s.get("/v1/pet/12").send().unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/problem+json")
    );
    let (status, body) = json(resp);
    assert_eq!(status, 404);
    assert_eq!(body["closest"][0], "GET /v1/pets/{petId}");
    assert!(body["detail"].as_str().unwrap().contains("GET /v1/pet/12"));
}

#[test]
fn wrong_method_is_405_with_allow() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s.req("PATCH", "/v1/pets/1").send().unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(
        header(&resp, "allow").as_deref(),
        Some("GET, DELETE, HEAD, OPTIONS")
    );
}

#[test]
fn a_literal_path_without_the_method_gives_way_to_the_template() {
    // `/pets/mine` has only GET; `DELETE /pets/mine` is `deletePet` with petId "mine",
    // which is not an integer: an invalid request, not a wrong method.
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let (status, body) = json(s.req("DELETE", "/v1/pets/mine").send().unwrap());
    assert_eq!(status, 422, "{body}");
    assert!(body.to_string().contains("petId"), "{body}");
    // `Allow` lists what the document declares at this path.
    let resp = s.req("PATCH", "/v1/pets/mine").send().unwrap();
    assert_eq!(resp.status(), 405);
    assert_eq!(
        header(&resp, "allow").as_deref(),
        Some("GET, HEAD, OPTIONS")
    );
}

#[test]
fn cors_preflight_and_headers_and_off_switch() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let resp = s
        .req("OPTIONS", "/v1/pets")
        .header("Origin", "http://app.test")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, x-token")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 204);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some("http://app.test")
    );
    assert_eq!(
        header(&resp, "access-control-allow-methods").as_deref(),
        Some("GET, POST, HEAD, OPTIONS")
    );
    assert_eq!(
        header(&resp, "access-control-allow-headers").as_deref(),
        Some("content-type, x-token")
    );
    let resp = s.get("/v1/pets").send().unwrap();
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some("*")
    );
    assert_eq!(
        header(&resp, "access-control-expose-headers").as_deref(),
        Some("x-total-count")
    );

    let off = Server::start(&[&example("petstore.yaml"), "--quiet", "--cors", "off"]);
    let resp = off
        .get("/v1/pets")
        .header("Origin", "http://app.test")
        .send()
        .unwrap();
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
    let resp = off
        .req("OPTIONS", "/v1/pets")
        .header("Origin", "http://app.test")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .unwrap();
    assert_eq!(header(&resp, "access-control-allow-origin"), None);
}

#[test]
fn base_path_override() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet", "--base-path", "/api"]);
    assert_eq!(s.get("/api/pets").send().unwrap().status(), 200);
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 404);
}

#[test]
fn several_documents_keep_their_own_base_paths() {
    let s = Server::start(&[
        &example("petstore.yaml"),
        &fixture("other-base.yaml"),
        "--quiet",
    ]);
    let (_, v1) = json(s.get("/v1/pets").send().unwrap());
    assert_eq!(v1[0]["name"], "Rex");
    let (_, other) = json(s.get("/other/pets").send().unwrap());
    assert_eq!(other, json!([{"id": 99, "name": "Other"}]));
    // Both documents have /pets: without a base path it is ambiguous, so it is not served.
    assert_eq!(s.get("/pets").send().unwrap().status(), 404);
    // Only the petstore has /pets/mine, so its unprefixed form still answers.
    assert_eq!(s.get("/pets/mine").send().unwrap().status(), 200);
}

#[test]
fn a_clash_between_documents_is_reported_at_load() {
    let s = Server::start(&[
        &example("petstore.yaml"),
        &example("petstore.yaml"),
        "--quiet",
    ]);
    let err = s
        .errors
        .recv_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    assert!(err.contains("is also served by"), "{err}");
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
}

#[test]
fn operations_at_one_path_are_told_apart_by_a_header_or_the_query() {
    // AWS documents key operations as `/#X-Amz-Target=Service.Op` or `/#Action=Op`:
    // clients send `POST /` with the header, or the action in the query.
    let s = Server::start(&[&fixture("aws-style.json"), "--quiet"]);
    let target = |t: &str| s.req("POST", "/").header("X-Amz-Target", t).send().unwrap();
    assert_eq!(
        json(target("Shelf_20170701.GetBook")),
        (200, json!({"Title": "Dune"}))
    );
    assert_eq!(
        json(target("Shelf_20170701.DeleteBook")),
        (200, json!({"Deleted": true}))
    );
    let (status, body) = json(target("Shelf_20170701.Burn"));
    assert_eq!(status, 404, "{body}");
    assert!(
        body["closest"]
            .to_string()
            .contains("X-Amz-Target=Shelf_20170701"),
        "{body}"
    );
    let resp = s
        .get("/?Action=ListBooks&Version=2017-07-01")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().unwrap(), "<ListBooksResponse/>");
    // AWS query protocols send the same fields as a form body.
    let resp = s
        .req("POST", "/")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("Action=ListBooks&Version=2017-07-01")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.text().unwrap(), "<ListBooksResponse via=\"form\"/>");
    let resp = s
        .req("POST", "/")
        .header("content-type", "text/plain")
        .body("Action=ListBooks&Version=2017-07-01")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 404, "a body that is not a form is not read");
    // The action alone is not enough when the document asks for the version too.
    let (status, body) = json(s.get("/?Action=ListBooks").send().unwrap());
    assert_eq!(status, 422, "{body}");
}
