//! Who may use the admin API: loopback clients always; a client from another address
//! only with `--admin-token`, sent as a bearer token; nobody with `--admin off`.

use std::net::{IpAddr, UdpSocket};

use crate::support::{Server, json};

/// This machine's address on its default route: a client connecting to it is not a
/// loopback client. (A UDP "connect" sends nothing; it only picks the source address.)
pub fn own_address() -> IpAddr {
    let socket = UdpSocket::bind("0.0.0.0:0").expect("a UDP socket");
    socket
        .connect("10.255.255.255:9")
        .expect("a default route: the admin access tests need an address other than loopback");
    let ip = socket.local_addr().expect("local address").ip();
    assert!(
        !ip.is_loopback(),
        "the default route's address is loopback: {ip}"
    );
    ip
}

fn admin_get(s: &Server, path: &str, token: Option<&str>) -> reqwest::blocking::Response {
    let mut r = s.get(path);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().unwrap()
}

#[test]
fn another_address_needs_the_token() {
    let ip = own_address().to_string();
    let s = Server::start(&[
        &crate::support::fixture("stubs/faults"),
        "--host",
        &ip,
        "--admin-token",
        "s3cret",
        "--quiet",
    ]);
    assert!(s.url.contains(&ip), "{}", s.url);
    let (status, body) = json(admin_get(&s, "/__admin/mappings", None));
    assert_eq!(status, 403, "{body}");
    assert!(body.to_string().contains("Bearer"), "{body}");
    assert_eq!(
        admin_get(&s, "/__admin/mappings", Some("wrong")).status(),
        403
    );
    let (status, body) = json(admin_get(&s, "/__admin/mappings", Some("s3cret")));
    assert_eq!(status, 200, "{body}");
    assert!(body["mappings"].is_array(), "{body}");
    // Health is open to every client (load balancers and probes send no token), and
    // says nothing but that the service is up.
    let (status, body) = json(admin_get(&s, "/__admin/health", None));
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "healthy");
    // The mock itself needs no token.
    assert_ne!(admin_get(&s, "/no-such-stub", None).status(), 403);
}

#[test]
fn another_address_without_a_token_configured_is_refused() {
    let ip = own_address().to_string();
    let s = Server::start(&[
        &crate::support::fixture("stubs/faults"),
        "--host",
        &ip,
        "--quiet",
    ]);
    assert_eq!(admin_get(&s, "/__admin/mappings", None).status(), 403);
    assert_eq!(
        admin_get(&s, "/__admin/mappings", Some("anything")).status(),
        403
    );
}

#[test]
fn loopback_needs_no_token() {
    let s = Server::start(&[
        &crate::support::fixture("stubs/faults"),
        "--admin-token",
        "s3cret",
        "--quiet",
    ]);
    assert_eq!(admin_get(&s, "/__admin/health", None).status(), 200);
}

#[test]
fn mockoons_admin_routes_admit_another_address_with_the_admin_token() {
    let ip = own_address().to_string();
    let s = Server::start(&[
        &crate::support::fixture("mockoon/shop.json"),
        "--host",
        &ip,
        "--admin-token",
        "s3cret",
        "--quiet",
    ]);
    let set = |token: Option<&str>| {
        let mut r = s
            .req("POST", "/mockoon-admin/global-vars")
            .json(&serde_json::json!({"key": "beta", "value": "no"}));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        json(r.send().unwrap())
    };
    // Without the token, or with a wrong one, Mockoon's own refusal; nothing is set.
    let (status, body) = set(None);
    assert_eq!(
        (status, body["message"].clone()),
        (401, "Unauthorized".into())
    );
    assert_eq!(set(Some("wrong")).0, 401);
    let (status, body) = json(admin_get(
        &s,
        "/mockoon-admin/global-vars/beta",
        Some("s3cret"),
    ));
    assert_eq!(status, 404, "{body}");
    // With it, the route answers as it answers a loopback client.
    let (status, body) = set(Some("s3cret"));
    assert_eq!(status, 200, "{body}");
    let (status, body) = json(admin_get(
        &s,
        "/mockoon-admin/global-vars/beta",
        Some("s3cret"),
    ));
    assert_eq!(
        (status, body),
        (200, serde_json::json!({"key": "beta", "value": "no"}))
    );
}
