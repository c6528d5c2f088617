//! `__files/` as a docroot: a GET no stub matches is served from the file of that path,
//! as WireMock does, and the journal still counts it as unmatched.

use crate::support::{Server, header, json};

#[test]
fn an_unmatched_get_is_served_from_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("mappings")).unwrap();
    std::fs::create_dir_all(dir.path().join("__files/docs")).unwrap();
    std::fs::write(dir.path().join("__files/docs/alpha.txt"), "doc alpha\n").unwrap();
    std::fs::write(
        dir.path().join("mappings/one.json"),
        r#"{"request": {"url": "/stubbed"}, "response": {"body": "stub"}}"#,
    )
    .unwrap();
    let s = Server::start(&[dir.path().to_str().unwrap(), "--quiet"]);

    let resp = s.get("/docs/alpha.txt").send().unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(header(&resp, "content-type").as_deref(), Some("text/plain"));
    assert_eq!(resp.text().unwrap(), "doc alpha\n");

    // A stub still wins, and what is neither a stub nor a file is the miss report.
    assert_eq!(s.get("/stubbed").send().unwrap().text().unwrap(), "stub");
    let miss = s.get("/docs/beta.txt").send().unwrap();
    assert_eq!(miss.status(), 404);
    assert!(miss.text().unwrap().contains("Request was not matched"));
    // Nothing outside __files is reachable.
    assert_eq!(
        s.get("/docs/..%2F..%2Fmappings/one.json")
            .send()
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        s.req("POST", "/docs/alpha.txt").send().unwrap().status(),
        404
    );

    let (_, unmatched) = json(s.get("/__admin/requests/unmatched").send().unwrap());
    let urls: Vec<&str> = unmatched["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["url"].as_str())
        .collect();
    assert!(urls.contains(&"/docs/alpha.txt"), "{unmatched}");
}
