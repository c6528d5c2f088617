//! Every answer leaves through one exit: errors the engine never saw (a body too large
//! to read) still carry CORS headers, so a browser sees the error, not a CORS failure.

use crate::support::{Server, example, header};

#[test]
fn a_body_too_large_is_a_413_with_cors_headers() {
    let s = Server::start(&[&example("petstore.yaml"), "--quiet"]);
    let body = vec![b'x'; 17 * 1024 * 1024];
    let resp = s
        .req("POST", "/v1/pets")
        .header("origin", "http://app.example")
        .header("content-type", "application/json")
        .body(body)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 413);
    assert_eq!(
        header(&resp, "access-control-allow-origin").as_deref(),
        Some("http://app.example")
    );
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/problem+json")
    );
}
