//! Request validation and security through the real binary: parameter styles in every
//! location, bodies of every kind, security schemes and their combinations, the error
//! answers (problem+json, documented responses with the message written in, 401 with
//! challenges, 403, 415, 400) and the switches (warn, `Prefer: validate=false`, forced
//! status, off).

use serde_json::{Value, json};

use crate::support::{Server, fixture, header, json};

fn params() -> Server {
    Server::start(&[&fixture("validation/params.yaml"), "--quiet"])
}

fn security(extra: &[&str]) -> Server {
    let f = fixture("validation/security.yaml");
    let mut args = vec![f.as_str(), "--quiet"];
    args.extend_from_slice(extra);
    Server::start(&args)
}

/// `(location, rule)` of every entry of a problem's `errors`.
fn errors(body: &Value) -> Vec<(Vec<String>, String)> {
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors list in {body}"))
        .iter()
        .map(|e| {
            let loc = e["location"]
                .as_array()
                .expect("location is a list")
                .iter()
                .map(|s| s.as_str().expect("location item").to_string())
                .collect();
            assert!(
                e["message"].as_str().is_some_and(|m| m.len() > 10),
                "each error has a sentence: {e}"
            );
            (loc, e["rule"].as_str().expect("rule").to_string())
        })
        .collect()
}

fn has(errs: &[(Vec<String>, String)], loc: &[&str], rule: &str) -> bool {
    errs.iter()
        .any(|(l, r)| l.iter().map(String::as_str).eq(loc.iter().copied()) && r == rule)
}

/// Status and problem body; asserts the problem+json content type.
fn problem(resp: reqwest::blocking::Response) -> (u16, Value) {
    let ct = header(&resp, "content-type").unwrap_or_default();
    assert_eq!(ct, "application/problem+json");
    json(resp)
}

fn status(resp: reqwest::blocking::Response) -> u16 {
    resp.status().as_u16()
}

// ---- parameters ----------------------------------------------------------------------

#[test]
fn query_and_path_values_are_typed_and_checked_all_at_once() {
    let s = params();
    assert_eq!(
        status(
            s.get("/items/3?limit=10&status=open&since=2024-02-29&code=ABC&flag=true")
                .send()
                .unwrap()
        ),
        200
    );
    let (st, body) = problem(
        s.get("/items/0?limit=101&status=x&since=2024-13-01&code=abc&flag=yes")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 422);
    let e = errors(&body);
    assert!(has(&e, &["path", "id"], "minimum"), "{body}");
    assert!(has(&e, &["query", "limit"], "maximum"), "{body}");
    assert!(has(&e, &["query", "status"], "enum"), "{body}");
    assert!(has(&e, &["query", "since"], "format"), "{body}");
    assert!(has(&e, &["query", "code"], "pattern"), "{body}");
    assert!(has(&e, &["query", "flag"], "type"), "{body}");
    assert_eq!(e.len(), 6, "{body}");
    let limit = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["location"] == json!(["query", "limit"]))
        .unwrap();
    assert!(
        limit["message"].as_str().unwrap().contains("at most 100"),
        "{limit}"
    );
    assert_eq!(body["status"], 422);
    assert!(body["detail"].as_str().unwrap().contains("getItem"));
}

#[test]
fn a_missing_required_query_parameter_is_reported() {
    let s = params();
    let (st, body) = problem(s.get("/items/3").send().unwrap());
    assert_eq!(st, 422);
    assert!(
        has(&errors(&body), &["query", "limit"], "required"),
        "{body}"
    );
}

#[test]
fn prefer_query_directives_are_not_parameters() {
    let s = params();
    assert_eq!(
        status(
            s.get("/items/3?limit=5&__seed=3&__dynamic=true&__example=example")
                .send()
                .unwrap()
        ),
        200
    );
}

#[test]
fn path_styles_simple_label_and_matrix() {
    let s = params();
    let ok = [
        "/simple/1,2,3",
        "/simple-object/x=1,y=2",
        "/label/.1,2",
        "/matrix/;x=1;y=2",
        "/matrix-array/;ids=1,2",
    ];
    for p in ok {
        assert_eq!(status(s.get(p).send().unwrap()), 200, "{p}");
    }
    let bad: [(&str, &[&str], &str); 6] = [
        ("/simple/1,x", &["path", "ids", "1"], "type"),
        ("/simple/1,2,3,4", &["path", "ids"], "maxItems"),
        ("/simple-object/y=2", &["path", "point", "x"], "required"),
        ("/label/.1,20", &["path", "ids", "1"], "maximum"),
        ("/matrix/;x=1", &["path", "point", "y"], "required"),
        ("/matrix-array/;ids=1,a", &["path", "ids", "1"], "type"),
    ];
    for (p, loc, rule) in bad {
        let (st, body) = problem(s.get(p).send().unwrap());
        assert_eq!(st, 422, "{p}");
        assert!(has(&errors(&body), loc, rule), "{p}: {body}");
    }
}

#[test]
fn query_styles_form_delimited_and_deep_object() {
    let s = params();
    let ok = [
        "/search?tags=a&tags=b",
        "/search?ids=1,2",
        "/search?words=ab%20cd",
        "/search?pipes=1|2",
        "/search?filter[color]=red&filter[size]=2",
        "/search?box=w,1,h,2",
        "/search?json=%7B%22k%22%3A1%7D",
    ];
    for p in ok {
        assert_eq!(status(s.get(p).send().unwrap()), 200, "{p}");
    }
    let bad: [(&str, &[&str], &str); 7] = [
        ("/search?tags=a&tags=z", &["query", "tags", "1"], "enum"),
        ("/search?ids=1,x", &["query", "ids", "1"], "type"),
        (
            "/search?words=ab%20toolong",
            &["query", "words", "1"],
            "maxLength",
        ),
        ("/search?pipes=1|x", &["query", "pipes", "1"], "type"),
        (
            "/search?filter[color]=blue",
            &["query", "filter", "color"],
            "enum",
        ),
        ("/search?box=w,x", &["query", "box", "w"], "type"),
        (
            "/search?json=%7B%22k%22%3A%22a%22%7D",
            &["query", "json", "k"],
            "type",
        ),
    ];
    for (p, loc, rule) in bad {
        let (st, body) = problem(s.get(p).send().unwrap());
        assert_eq!(st, 422, "{p}");
        assert!(has(&errors(&body), loc, rule), "{p}: {body}");
    }
}

#[test]
fn header_and_cookie_parameters() {
    let s = params();
    let ok = s
        .get("/headers")
        .header("X-Rate", "5")
        .header("X-Ids", "1,2")
        .header("X-Request-Id", "123e4567-e89b-12d3-a456-426614174000")
        .header("Cookie", "session=s-1; prefs=dark,light")
        .send()
        .unwrap();
    assert_eq!(status(ok), 200);
    let (st, body) = problem(
        s.get("/headers")
            .header("X-Rate", "50")
            .header("X-Ids", "1,a")
            .header("X-Request-Id", "not-a-uuid")
            .header("Cookie", "prefs=dark,blue")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 422);
    let e = errors(&body);
    assert!(has(&e, &["header", "X-Rate"], "maximum"), "{body}");
    assert!(has(&e, &["header", "X-Ids", "1"], "type"), "{body}");
    assert!(has(&e, &["header", "X-Request-Id"], "format"), "{body}");
    assert!(has(&e, &["cookie", "session"], "required"), "{body}");
    assert!(has(&e, &["cookie", "prefs", "1"], "enum"), "{body}");
    let (_, body) = problem(
        s.get("/headers")
            .header("Cookie", "session=x1")
            .send()
            .unwrap(),
    );
    let e = errors(&body);
    assert!(has(&e, &["header", "X-Rate"], "required"), "{body}");
    assert!(has(&e, &["cookie", "session"], "pattern"), "{body}");
}

// ---- bodies --------------------------------------------------------------------------

#[test]
fn json_body_read_only_nullable_and_every_violation() {
    let s = params();
    // `id` is required but readOnly: a request need not send it; null where nullable.
    let ok = s
        .req("POST", "/pets")
        .json(&json!({"name": "Rex", "tag": null, "owner": null, "weight": 0.5}))
        .send()
        .unwrap();
    assert_eq!(status(ok), 201);
    let (st, body) = problem(
        s.req("POST", "/pets")
            .json(&json!({"name": "", "weight": 0, "email": "nope", "born": "yesterday", "owner": {}}))
            .send()
            .unwrap(),
    );
    assert_eq!(st, 422);
    let e = errors(&body);
    assert!(has(&e, &["body", "name"], "minLength"), "{body}");
    assert!(has(&e, &["body", "weight"], "exclusiveMinimum"), "{body}");
    assert!(has(&e, &["body", "email"], "format"), "{body}");
    assert!(has(&e, &["body", "born"], "format"), "{body}");
    let (_, body) = problem(s.req("POST", "/pets").json(&json!({})).send().unwrap());
    assert!(has(&errors(&body), &["body", "name"], "required"), "{body}");
}

#[test]
fn a_required_body_must_be_sent() {
    let s = params();
    let (st, body) = problem(s.req("POST", "/pets").send().unwrap());
    assert_eq!(st, 422);
    assert!(has(&errors(&body), &["body"], "required"), "{body}");
}

#[test]
fn malformed_json_is_400_saying_where() {
    let s = params();
    let (st, body) = problem(
        s.req("POST", "/pets")
            .header("content-type", "application/json")
            .body("{\"name\": \"Rex\",\n  \"tag\": }")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 400);
    let e = &body["errors"][0];
    assert_eq!(e["rule"], "syntax");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("line 2"), "{m}");
    assert!(m.contains("column"), "{m}");
}

#[test]
fn an_unaccepted_content_type_is_415_naming_the_accepted_ones() {
    let s = params();
    let (st, body) = problem(
        s.req("POST", "/pets")
            .header("content-type", "text/plain")
            .body("Rex")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 415);
    assert_eq!(body["accepted"], json!(["application/json"]));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
    // Of two declared types, either is accepted and both are named when neither is sent.
    let xml = s
        .req("PUT", "/xml-or-json")
        .header("content-type", "application/xml")
        .body("<a/>")
        .send()
        .unwrap();
    assert_eq!(status(xml), 204);
    let (st, body) = problem(
        s.req("PUT", "/xml-or-json")
            .header("content-type", "text/csv")
            .body("a,b")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 415);
    let m = body["errors"][0]["message"].as_str().unwrap();
    assert!(
        m.contains("application/json") && m.contains("application/xml"),
        "{m}"
    );
}

#[test]
fn urlencoded_form_bodies_with_encoding() {
    let s = params();
    let ok = s
        .req("POST", "/forms")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("name=Al&age=3&tags=a&tags=b&ids=1,2")
        .send()
        .unwrap();
    assert_eq!(status(ok), 204);
    let (st, body) = problem(
        s.req("POST", "/forms")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("name=A&age=-1&ids=1,x")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 422);
    let e = errors(&body);
    assert!(has(&e, &["body", "name"], "minLength"), "{body}");
    assert!(has(&e, &["body", "age"], "minimum"), "{body}");
    assert!(has(&e, &["body", "ids", "1"], "type"), "{body}");
}

fn multipart(parts: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "b0undaryXyz";
    let mut body = String::new();
    for (name, ct, content) in parts {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
        ));
        if *name == "file" {
            body.push_str("; filename=\"a.txt\"");
        }
        body.push_str("\r\n");
        if let Some(ct) = ct {
            body.push_str(&format!("Content-Type: {ct}\r\n"));
        }
        body.push_str(&format!("\r\n{content}\r\n"));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn multipart_bodies_with_json_parts() {
    let s = params();
    let (ct, body) = multipart(&[
        ("meta", None, "{\"title\": \"T\", \"pages\": 2}"),
        ("file", Some("text/plain"), "hello"),
        ("count", None, "3"),
    ]);
    let ok = s
        .req("POST", "/upload")
        .header("content-type", ct)
        .body(body)
        .send()
        .unwrap();
    assert_eq!(status(ok), 204);
    let (ct, body) = multipart(&[("meta", None, "{\"pages\": \"two\"}"), ("count", None, "9")]);
    let (st, problem_body) = problem(
        s.req("POST", "/upload")
            .header("content-type", ct)
            .body(body)
            .send()
            .unwrap(),
    );
    assert_eq!(st, 422);
    let e = errors(&problem_body);
    assert!(
        has(&e, &["body", "meta", "title"], "required"),
        "{problem_body}"
    );
    assert!(
        has(&e, &["body", "meta", "pages"], "type"),
        "{problem_body}"
    );
    assert!(has(&e, &["body", "file"], "required"), "{problem_body}");
    assert!(has(&e, &["body", "count"], "maximum"), "{problem_body}");
    // No closing boundary: the body cannot be read.
    let (st, _) = problem(
        s.req("POST", "/upload")
            .header("content-type", "multipart/form-data; boundary=zz")
            .body("--zz\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 400);
}

// ---- answers -------------------------------------------------------------------------

#[test]
fn a_documented_422_is_sent_with_the_violation_in_its_message() {
    let s = params();
    let resp = s.req("POST", "/strict").json(&json!({})).send().unwrap();
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("application/json")
    );
    assert!(header(&resp, "x-standin-violations").is_some());
    let (st, body) = json(resp);
    assert_eq!(st, 422);
    assert_eq!(body["code"], "INVALID");
    assert_eq!(body["error"]["field"], "none");
    let m = body["error"]["message"].as_str().unwrap();
    assert!(m.contains("'name'"), "{m}");
}

#[test]
fn an_operation_defining_only_400_gets_400_with_a_generated_body() {
    let s = params();
    let (st, body) = json(s.req("POST", "/only400?n=x").send().unwrap());
    assert_eq!(st, 400);
    assert_eq!(body["status"], 400);
    assert!(body["detail"].as_str().unwrap().contains("'n'"), "{body}");
}

#[test]
fn range_and_default_responses_carry_the_violation() {
    let s = params();
    let (st, body) = json(s.req("POST", "/range").send().unwrap());
    assert_eq!(st, 422);
    assert_eq!(body["errorCode"], 4);
    assert!(
        body["summary"].as_str().unwrap().contains("required"),
        "{body}"
    );
    let (st, body) = json(s.req("POST", "/fallback?n=1.5").send().unwrap());
    assert_eq!(st, 422);
    assert_eq!(body["fault"]["kind"], "client");
    assert!(
        body["fault"]["title"].as_str().unwrap().contains("integer"),
        "{body}"
    );
}

// ---- security ------------------------------------------------------------------------

fn challenges(resp: &reqwest::blocking::Response) -> Vec<String> {
    resp.headers()
        .get_all("www-authenticate")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_string)
        .collect()
}

/// A path, a good header, the challenge a missing one gets, a malformed header.
type Case = (
    &'static str,
    (&'static str, &'static str),
    &'static str,
    (&'static str, &'static str),
);

#[test]
fn each_scheme_type_missing_malformed_and_present() {
    let s = security(&[]);
    let cases: [Case; 5] = [
        (
            "/basic",
            ("authorization", "Basic dXNlcjpwYXNz"),
            "Basic realm=\"standin\"",
            ("authorization", "Basic !!notbase64"),
        ),
        (
            "/bearer",
            ("authorization", "Bearer abc.def"),
            "Bearer",
            ("authorization", "Bearer"),
        ),
        (
            "/digest",
            (
                "authorization",
                "Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"/digest\", response=\"0a1b\"",
            ),
            "Digest",
            ("authorization", "Digest username=\"u\""),
        ),
        (
            "/oauth",
            ("authorization", "Bearer tok"),
            "Bearer",
            ("authorization", "Basic dXNlcjpwYXNz"),
        ),
        (
            "/oidc",
            ("authorization", "Bearer tok"),
            "Bearer",
            ("authorization", "Token tok"),
        ),
    ];
    for (path, good, challenge, bad) in cases {
        assert_eq!(
            status(s.get(path).header(good.0, good.1).send().unwrap()),
            200,
            "{path}"
        );
        let missing = s.get(path).send().unwrap();
        assert_eq!(missing.status().as_u16(), 401, "{path}");
        let c = challenges(&missing);
        assert!(c.iter().any(|x| x.starts_with(challenge)), "{path}: {c:?}");
        let (st, body) = problem(s.get(path).header(bad.0, bad.1).send().unwrap());
        assert_eq!(st, 401, "{path}");
        assert_eq!(
            body["errors"].as_array().unwrap().last().unwrap()["rule"],
            "security"
        );
    }
    let (_, body) = problem(
        s.get("/basic")
            .header("authorization", "Basic !!notbase64")
            .send()
            .unwrap(),
    );
    assert!(body.to_string().contains("base64"), "{body}");
}

#[test]
fn api_keys_in_header_query_and_cookie() {
    let s = security(&[]);
    assert_eq!(
        status(
            s.get("/key-header")
                .header("X-API-Key", "k")
                .send()
                .unwrap()
        ),
        200
    );
    assert_eq!(status(s.get("/key-query?api_key=k").send().unwrap()), 200);
    assert_eq!(
        status(
            s.get("/key-cookie")
                .header("Cookie", "sid=k")
                .send()
                .unwrap()
        ),
        200
    );
    for (path, where_) in [
        ("/key-header", "header"),
        ("/key-query", "query"),
        ("/key-cookie", "cookie"),
    ] {
        let resp = s.get(path).send().unwrap();
        let c = challenges(&resp);
        assert!(
            c.iter()
                .any(|x| x.starts_with("ApiKey") && x.contains(where_)),
            "{path}: {c:?}"
        );
        let (st, body) = problem(resp);
        assert_eq!(st, 401);
        assert_eq!(body["title"], "Credentials required");
    }
}

#[test]
fn alternatives_are_or_and_schemes_within_one_are_and() {
    let s = security(&[]);
    assert_eq!(
        status(s.get("/either").header("X-API-Key", "k").send().unwrap()),
        200
    );
    assert_eq!(
        status(
            s.get("/either")
                .header("authorization", "Basic dXNlcjpwYXNz")
                .send()
                .unwrap()
        ),
        200
    );
    let none = s.get("/either").send().unwrap();
    assert_eq!(none.status().as_u16(), 401);
    assert_eq!(challenges(&none).len(), 2, "{:?}", challenges(&none));
    assert_eq!(
        status(
            s.get("/both")
                .header("authorization", "Bearer t")
                .send()
                .unwrap()
        ),
        401
    );
    assert_eq!(
        status(
            s.get("/both")
                .header("authorization", "Bearer t")
                .header("X-API-Key", "k")
                .send()
                .unwrap()
        ),
        200
    );
}

#[test]
fn empty_alternative_means_optional_and_empty_list_means_public() {
    let s = security(&[]);
    assert_eq!(status(s.get("/optional").send().unwrap()), 200);
    assert_eq!(status(s.get("/public").send().unwrap()), 200);
    // No `security` on the operation: the document's (bearer) applies.
    assert_eq!(status(s.get("/inherited").send().unwrap()), 401);
    assert_eq!(
        status(
            s.get("/inherited")
                .header("authorization", "Bearer t")
                .send()
                .unwrap()
        ),
        200
    );
}

#[test]
fn a_documented_401_is_sent_with_challenges() {
    let s = security(&[]);
    let resp = s.get("/documented").send().unwrap();
    assert!(challenges(&resp).iter().any(|c| c.starts_with("Basic")));
    let (st, body) = json(resp);
    assert_eq!(st, 401);
    assert_eq!(body["code"], 401);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("requires credentials"),
        "{body}"
    );
}

#[test]
fn accepted_credentials_make_unknown_ones_forbidden() {
    let s = security(&[
        "--accept-credential",
        "secret",
        "--accept-credential",
        "user:pass",
    ]);
    assert_eq!(
        status(
            s.get("/bearer")
                .header("authorization", "Bearer secret")
                .send()
                .unwrap()
        ),
        200
    );
    let (st, body) = problem(
        s.get("/bearer")
            .header("authorization", "Bearer other")
            .send()
            .unwrap(),
    );
    assert_eq!(st, 403);
    assert_eq!(body["errors"][0]["rule"], "credential");
    assert_eq!(
        status(
            s.get("/basic")
                .header("authorization", "Basic dXNlcjpwYXNz")
                .send()
                .unwrap()
        ),
        200
    );
    // user:wrong
    assert_eq!(
        status(
            s.get("/basic")
                .header("authorization", "Basic dXNlcjp3cm9uZw==")
                .send()
                .unwrap()
        ),
        403
    );
    assert_eq!(
        status(
            s.get("/key-header")
                .header("X-API-Key", "secret")
                .send()
                .unwrap()
        ),
        200
    );
    assert_eq!(
        status(
            s.get("/key-header")
                .header("X-API-Key", "nope")
                .send()
                .unwrap()
        ),
        403
    );
    // Missing is still 401, not 403.
    assert_eq!(status(s.get("/key-header").send().unwrap()), 401);
}

// ---- Swagger 2.0 ---------------------------------------------------------------------

#[test]
fn swagger2_collection_formats_and_documented_400() {
    let s = Server::start(&[&fixture("validation/swagger2.yaml"), "--quiet"]);
    assert_eq!(
        status(
            s.get("/v2/list?csv=1,2&ssv=1%202&tsv=1%092&pipes=1|2&multi=x&multi=y&size=9")
                .send()
                .unwrap()
        ),
        200
    );
    for bad in [
        "/v2/list?csv=1,x",
        "/v2/list?ssv=1%20x",
        "/v2/list?tsv=1%09x",
        "/v2/list?pipes=1|x",
        "/v2/list?multi=x&multi=z",
        "/v2/list?size=10",
    ] {
        let (st, body) = json(s.get(bad).send().unwrap());
        assert_eq!(st, 400, "{bad}");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("query parameter"),
            "{bad}: {body}"
        );
    }
}

#[test]
fn swagger2_bodies_and_security_definitions() {
    let s = Server::start(&[&fixture("validation/swagger2.yaml"), "--quiet"]);
    let ok = s
        .req("POST", "/v2/things")
        .header("X-Key", "k")
        .json(&json!({"name": "a", "note": null}))
        .send()
        .unwrap();
    assert_eq!(status(ok), 201);
    let none = s
        .req("POST", "/v2/things")
        .json(&json!({"name": "a"}))
        .send()
        .unwrap();
    let c = challenges(&none);
    assert!(
        c.iter().any(|x| x.starts_with("Basic")) && c.iter().any(|x| x.starts_with("ApiKey")),
        "{c:?}"
    );
    assert_eq!(none.status().as_u16(), 401);
    let form = |body: &'static str| {
        s.req("POST", "/v2/form")
            .header("authorization", "Bearer t")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .unwrap()
    };
    assert_eq!(status(form("name=x&count=2")), 204);
    let (st, body) = problem(form("count=9"));
    assert_eq!(st, 422);
    let e = errors(&body);
    assert!(has(&e, &["body", "name"], "required"), "{body}");
    assert!(has(&e, &["body", "count"], "maximum"), "{body}");
}

// ---- switches ------------------------------------------------------------------------

#[test]
fn warn_mode_serves_and_lists_violations_in_a_header_and_the_log() {
    let s = Server::start(&[&fixture("validation/params.yaml"), "--validate", "warn"]);
    let resp = s.get("/items/0?limit=101").send().unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v = header(&resp, "x-standin-violations").expect("violations header");
    assert!(v.contains("at most 100") && v.contains("'id'"), "{v}");
    let mut logged = false;
    while let Some(line) = s.next_line(10) {
        if line.contains("violations") {
            assert!(line.contains("at most 100"), "{line}");
            logged = true;
            break;
        }
    }
    assert!(logged, "a log line lists the violations");
}

#[test]
fn prefer_validate_false_and_forced_status_bypass_validation() {
    let s = params();
    assert_eq!(
        status(
            s.get("/items/0?limit=101")
                .header("Prefer", "validate=false")
                .send()
                .unwrap()
        ),
        200
    );
    assert_eq!(
        status(
            s.get("/items/0?limit=101")
                .header("Prefer", "code=200")
                .send()
                .unwrap()
        ),
        200
    );
    assert_eq!(
        status(s.get("/items/0?limit=101&__code=200").send().unwrap()),
        200
    );
    assert_eq!(status(s.get("/items/0?limit=101").send().unwrap()), 422);
}

#[test]
fn validate_off_serves_anything() {
    let s = Server::start(&[
        &fixture("validation/params.yaml"),
        "--quiet",
        "--validate",
        "off",
    ]);
    assert_eq!(status(s.get("/items/0?limit=101").send().unwrap()), 200);
    let sec = security(&["--validate", "off"]);
    assert_eq!(status(sec.get("/basic").send().unwrap()), 200);
}
