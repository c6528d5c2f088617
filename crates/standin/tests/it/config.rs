//! The config file (several mocks at once) and the request log formats.

use serde_json::json;

use crate::support::{Server, example, fixture, json, run};

#[test]
fn a_config_file_serves_several_mocks() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("standin.yaml");
    std::fs::write(
        &cfg,
        format!(
            "port: 0\nlog: json\nmocks:\n  - name: pets\n    sources: [{}]\n  - name: stock\n    sources: [{}]\n    status: [200]\n",
            example("petstore.yaml"),
            fixture("kong/stock-0.1.json")
        ),
    )
    .unwrap();
    let s = Server::start(&["--config", cfg.to_str().unwrap()]);
    assert!(s.summary.contains("pets: 5 operations"), "{}", s.summary);
    let stock_url = s.next_line(10).unwrap();
    let stock_summary = s.next_line(10).unwrap();
    assert!(
        stock_summary.contains("stock: 2 operations"),
        "{stock_summary}"
    );
    let body: serde_json::Value =
        reqwest::blocking::get(format!("{stock_url}/stock/closing?tickers=AAPL"))
            .unwrap()
            .json()
            .unwrap();
    assert_eq!(body["meta_data"]["api_name"], "closing_stock_price_v1");
    assert_eq!(s.get("/v1/pets").send().unwrap().status(), 200);
    // JSON log lines.
    let line = (0..10)
        .filter_map(|_| s.next_line(5))
        .find(|l| l.contains("/v1/pets"))
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["mock"], "pets");
    assert_eq!(v["status"], 200);
    assert_eq!(v["operation"], "listPets");
    assert_eq!(v["example"], "two");
}

#[test]
fn text_log_lines_say_operation_and_example() {
    let s = Server::start(&[&example("petstore.yaml")]);
    let (_, body) = json(
        s.get("/v1/pets")
            .header("Prefer", "example=empty")
            .send()
            .unwrap(),
    );
    assert_eq!(body, json!([]));
    let line = s.next_line(5).unwrap();
    assert!(line.contains("GET /v1/pets 200"), "{line}");
    assert!(line.contains("op=listPets example=empty"), "{line}");
}

#[test]
fn config_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("standin.yaml");
    std::fs::write(&cfg, "sources: [a.yaml]\nexamples: most\n").unwrap();
    let (code, _, err) = run(&["serve", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("invalid example choice 'most'"), "{err}");
    std::fs::write(&cfg, "sources: [a.yaml]\nprot: 1\n").unwrap();
    let (code, _, err) = run(&["serve", "--config", cfg.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `prot`"), "{err}");
}
