//! WireMock stub responses through the binary: every response field on the wire
//! (status and reason phrase, headers, the three inline body kinds), when templating
//! runs (per stub, `--global-response-templating`), WireMock's request model and every
//! templating helper, and what a broken template does (a load diagnostic, or a 500
//! naming the stub). Expected outputs are WireMock 3.13.2's for the same stub and
//! request (fixtures in `fixtures/stubs/responses`).

use std::io::{Read, Write};
use std::time::Duration;

use regex::Regex;

use crate::stubs_support::{civil_date, connect, now_ms, serve_root, stub_root};
use crate::support::{Server, fixture, header};

fn start() -> Server {
    Server::start(&[&fixture("stubs/responses"), "--quiet"])
}

/// The body of a GET.
fn body(s: &Server, path: &str) -> String {
    let resp = s.get(path).send().expect("send");
    assert_eq!(resp.status().as_u16(), 200, "GET {path}");
    resp.text().expect("body")
}

/// The body of a POST carrying `payload`.
fn post(s: &Server, path: &str, content_type: &str, payload: &str) -> String {
    let resp = s
        .req("POST", path)
        .header("Content-Type", content_type)
        .body(payload.to_string())
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200, "POST {path}");
    resp.text().expect("body")
}

/// The `|`-separated parts of a helper stub's body.
fn parts(text: &str) -> Vec<String> {
    text.split('|').map(str::to_string).collect()
}

/// The raw bytes of the response to `GET path` on a fresh connection (closed after).
fn raw_get(s: &Server, path: &str) -> Vec<u8> {
    let mut c = connect(s);
    write!(
        c,
        "GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut got = Vec::new();
    c.read_to_end(&mut got).expect("read");
    got
}

#[test]
fn status_and_reason_phrase_are_the_bytes_on_the_wire() {
    let s = start();
    let got = raw_get(&s, "/fields/status");
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 418 Short and stout\r\n"),
        "the status line carries statusMessage: {text:?}"
    );
    assert!(text.ends_with("teapot"), "{text:?}");
    // Without statusMessage the reason is the standard one; without status, 200.
    let got = raw_get(&s, "/fields/default");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text:?}");
    assert!(text.ends_with("plain"), "{text:?}");
}

#[test]
fn headers_single_and_repeated() {
    let s = start();
    let resp = s.get("/fields/headers").send().expect("send");
    assert_eq!(header(&resp, "x-one").as_deref(), Some("1"));
    assert_eq!(header(&resp, "content-type").as_deref(), Some("text/plain"));
    let many: Vec<&str> = resp
        .headers()
        .get_all("x-many")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(many, ["a", "b", "c"], "an array is the header repeated");
    // CORS exposes a repeated header once.
    let exposed = header(&resp, "access-control-expose-headers").unwrap_or_default();
    assert_eq!(exposed.matches("x-many").count(), 1, "{exposed}");
    assert_eq!(resp.text().expect("body"), "h");
}

#[test]
fn json_body_is_compact_json_and_base64_body_is_binary() {
    let s = start();
    let resp = s.get("/fields/json").send().expect("send");
    assert_eq!(
        header(&resp, "content-type"),
        None,
        "WireMock adds no Content-Type to jsonBody"
    );
    assert_eq!(
        resp.text().expect("body"),
        r#"{"name":"Ann","tags":["x","y"],"n":1.5,"nested":{"ok":true,"none":null}}"#
    );
    let resp = s.get("/fields/base64").send().expect("send");
    let bytes = resp.bytes().expect("body");
    assert_eq!(
        bytes.as_ref(),
        &[0x00, 0x01, 0x02, 0xfd, 0xfe, 0xff, b'H', b'i']
    );
}

#[test]
fn templates_render_only_when_the_stub_asks() {
    let s = start();
    let resp = s.get("/fields/literal").send().expect("send");
    assert_eq!(
        header(&resp, "x-raw").as_deref(),
        Some("{{request.method}}")
    );
    assert_eq!(resp.text().expect("body"), "{{request.path}} stays");

    let resp = s.get("/fields/templated").send().expect("send");
    assert_eq!(header(&resp, "x-method").as_deref(), Some("GET"));
    let list: Vec<&str> = resp
        .headers()
        .get_all("x-list")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert_eq!(
        list,
        ["fields", "two"],
        "each value of a header is templated"
    );
    assert_eq!(resp.text().expect("body"), "at /fields/templated");
}

#[test]
fn global_response_templating_renders_every_stub() {
    let s = Server::start(&[
        &fixture("stubs/responses"),
        "--quiet",
        "--global-response-templating",
    ]);
    let resp = s.get("/fields/literal").send().expect("send");
    assert_eq!(header(&resp, "x-raw").as_deref(), Some("GET"));
    assert_eq!(resp.text().expect("body"), "/fields/literal stays");
}

#[test]
fn templated_json_body_and_transformer_parameters() {
    let s = start();
    let text = body(&s, "/fields/templated-json?x=7");
    let v: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        v,
        serde_json::json!({"method": "GET", "q": "7", "list": ["templated-json"]})
    );
    assert_eq!(body(&s, "/fields/parameters"), "Hello, World!");
}

#[test]
fn request_model_fields() {
    let s = start();
    let resp = s
        .req("POST", "/model/echo/a%20b/c?x=1&x=2&y=hello%20there")
        .header("X-Foo", "bar")
        .header("Cookie", "c=choc; d=e")
        .header("Content-Type", "text/plain")
        .body("hello body")
        .send()
        .expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().expect("body");
    let port = s.url.rsplit(':').next().unwrap_or_default().to_string();
    let want = format!(
        "url=/model/echo/a%20b/c?x=1&x=2&y=hello%20there\n\
         path=/model/echo/a b/c\n\
         p0=model\n\
         p2=a b\n\
         seg1=echo\n\
         x=1\n\
         x1=2\n\
         x0=1\n\
         y=hello there\n\
         method=POST\n\
         foo=bar\n\
         foo-lower=bar\n\
         foo-bracket=bar\n\
         cookie=choc\n\
         body=hello body\n\
         b64=aGVsbG8gYm9keQ==\n\
         base=http://127.0.0.1:{port}\n\
         host=127.0.0.1\n\
         port={port}\n\
         scheme=http\n\
         ip=127.0.0.1"
    );
    assert_eq!(text, want);
}

#[test]
fn path_template_variables_and_multi_valued_query() {
    let s = start();
    assert_eq!(
        body(&s, "/model/users/42/posts/7"),
        "id=42 post=7 p1=users path=/model/users/42/posts/7"
    );
    assert_eq!(
        body(&s, "/model/query-each?id=1&id=2&id=3"),
        "[1][2][3] size=3"
    );
}

#[test]
fn json_helpers() {
    let s = start();
    let doc = r#"{"name":"Ann","items":[{"id":1},{"id":2}]}"#;
    assert_eq!(
        parts(&post(&s, "/h/jsonPath", "application/json", doc)),
        [
            "Ann",
            "2",
            r#"[{"id":1},{"id":2}]"#,
            "dflt",
            "2",
            "{\n  \"id\" : 1\n}",
            "(1)(2)"
        ]
    );
    assert_eq!(
        post(&s, "/h/parseJson", "application/json", r#"{"name":"Zed"}"#),
        "20|Zed|{a=1, b=[1, 2]}"
    );
    assert_eq!(
        post(
            &s,
            "/h/toJson",
            "application/json",
            r#"{"name":"Zed","n":[1,2]}"#
        ),
        "[ 1, \"two\", true ]|{\n  \"name\" : \"Zed\",\n  \"n\" : [ 1, 2 ]\n}"
    );
    assert_eq!(
        body(&s, "/h/formatJson"),
        "{\n  \"a\" : 1,\n  \"b\" : [ 1, 2 ]\n}|{\"a\":1,\"b\":[1,2]}"
    );
    assert_eq!(
        body(&s, "/h/jsonMerge"),
        r#"{"a":1,"o":{"x":1,"y":2},"b":2}"#
    );
    assert_eq!(body(&s, "/h/jsonRemove"), r#"{"a":1,"b":{"d":3}}"#);
    assert_eq!(
        body(&s, "/h/jsonArrayAdd"),
        r#"[1,2,3]|[{"id":1},{"id":2}]|{"l":[1,2,3]}|[2,3,4]"#
    );
}

#[test]
fn xml_helpers() {
    let s = start();
    let order = r#"<order id="o1"><item>a</item><item>b</item></order>"#;
    assert_eq!(
        parts(&post(&s, "/h/xPath", "application/xml", order)),
        ["b", "o1", "2", "<item>a</item>\n", "<a><b>"]
    );
    let soap = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope/" xmlns:m="https://www.example.org/stock"><soap:Body><m:GetPrice><m:Item>Apples</m:Item></m:GetPrice></soap:Body></soap:Envelope>"#;
    let got = post(&s, "/h/soapXPath", "application/soap+xml", soap);
    assert_eq!(
        parts(&got)[0],
        "",
        "a prefix nothing binds selects nothing, as in WireMock"
    );
    let plain = r#"<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope/"><soap:Body><GetPrice><Item>Apples</Item></GetPrice></soap:Body></soap:Envelope>"#;
    assert_eq!(
        parts(&post(&s, "/h/soapXPath", "application/soap+xml", plain))[1],
        "Apples"
    );
    assert_eq!(body(&s, "/h/formatXml"), "<a>\n  <b>1</b>\n  <c/>\n</a>\n");
}

#[test]
fn date_helpers() {
    let s = start();
    assert_eq!(
        parts(&body(&s, "/h/date")),
        [
            "14/06/2021 12:34",
            "2021-06-13T12:34:56Z",
            "2021-02-28",
            "2023",
            "2021-06-14T12:34:56Z",
            "12:34"
        ]
    );
    assert_eq!(
        parts(&body(&s, "/h/parseDate")),
        [
            "2021-06-14T12:34:56Z",
            "2021-06-14T00:00:00Z",
            "2021-06-14T12:34:56Z",
            "2021-06-14T12:34:56Z",
            "2021-06-14T12:34:56Z",
            "2021-06-14T12:34:56+02:00"
        ]
    );
    assert_eq!(
        body(&s, "/h/truncateDate"),
        "2021-06-01T00:00:00Z|2021-06-14T00:00:00Z|2021-06-30T00:00:00Z"
    );
    assert_eq!(
        body(&s, "/h/dateFormats"),
        "2021 21 06 Jun June 04 4 09 09 05 07 123 AM Fri Friday +0000 Z Z|9:05 PM at 155"
    );
}

#[test]
fn now_with_offset_format_epoch_and_unix() {
    let s = start();
    let before = now_ms();
    let got = parts(&body(&s, "/h/now"));
    let after = now_ms();
    assert_eq!(got.len(), 8, "{got:?}");
    let iso = Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$").expect("regex");
    assert!(iso.is_match(&got[0]), "{{{{now}}}} is ISO-8601: {}", got[0]);
    let epoch: i64 = got[3].parse().expect("epoch is a number");
    assert!(
        (before - 1000..=after + 1000).contains(&epoch),
        "{epoch} in {before}..{after}"
    );
    assert_eq!(got[1], civil_date(epoch), "format='yyyy-MM-dd'");
    assert_eq!(&got[0][..10], got[1]);
    assert_eq!(
        got[2],
        civil_date(epoch + 3 * 86_400_000),
        "offset='3 days'"
    );
    let unix: i64 = got[4].parse().expect("unix is a number");
    assert!((unix - epoch / 1000).abs() <= 1, "{unix} vs {epoch}");
    let in_three_days: i64 = got[5].parse().expect("a number");
    assert!((in_three_days - epoch - 3 * 86_400_000).abs() < 1000);
    let two_hours_ago: i64 = got[6].parse().expect("a number");
    assert!((epoch - two_hours_ago - 2 * 3_600_000).abs() < 1000);
    let zoned = Regex::new(r"^\d{2}:\d{2} \+05:30$").expect("regex");
    assert!(zoned.is_match(&got[7]), "timezone='+05:30': {}", got[7]);
}

#[test]
fn random_helpers_have_the_right_shape() {
    let s = start();
    let shapes = [
        // Lower case unless uppercase=true, as in WireMock.
        r"^[a-z0-9]{12}$",
        r"^[A-Z]{8}$",
        r"^[0-9]{6}$",
        r"^[0-9a-f]{10}$",
        r"^[0-9A-F]{10}$",
        r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
        r"^[a-z]{5}$",
        r"^[a-z0-9]{7}$",
        // Last: symbols may include the separator.
        r"^[\x21-\x40\x5b-\x7e]{15}$",
    ];
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let text = body(&s, "/r/randomValue");
        let got: Vec<&str> = text.splitn(shapes.len(), '|').collect();
        assert_eq!(got.len(), shapes.len(), "{got:?}");
        for (value, shape) in got.iter().zip(shapes) {
            let re = Regex::new(shape).expect("regex");
            assert!(re.is_match(value), "{value:?} is not {shape}");
        }
        seen.insert(got[0].to_string());

        let ints = parts(&body(&s, "/r/randomInt"));
        let int = |i: usize| -> i64 { ints[i].parse().expect("an integer") };
        assert!((5..9).contains(&int(0)), "{ints:?}");
        // Without lower, WireMock's lower bound is Integer.MIN_VALUE.
        assert!((i64::from(i32::MIN)..3).contains(&int(1)), "{ints:?}");
        assert!((-5..-1).contains(&int(2)), "{ints:?}");
        int(3);

        let decimals = parts(&body(&s, "/r/randomDecimal"));
        let dec = |i: usize| -> f64 { decimals[i].parse().expect("a decimal") };
        assert!((1.5..=2.5).contains(&dec(0)), "{decimals:?}");
        assert!((0.0..=0.5).contains(&dec(1)), "{decimals:?}");
        dec(2);

        let picks = parts(&body(&s, "/r/pickRandom"));
        assert!(["a", "b", "c"].contains(&picks[0].as_str()), "{picks:?}");
        assert!(["x", "y"].contains(&picks[1].as_str()), "{picks:?}");
    }
    assert!(seen.len() > 1, "each request draws anew: {seen:?}");
}

#[test]
fn string_and_encoding_helpers() {
    let s = start();
    assert_eq!(body(&s, "/h/trim"), "[padded]|[block]");
    assert_eq!(
        body(&s, "/h/base64"),
        "aGVsbG8gd29ybGQ=|hello world|aGk|YmxvY2s="
    );
    assert_eq!(body(&s, "/h/urlEncode"), "a+b%26c%3Dd%2F%C3%A9|a b&c=d");
    assert_eq!(
        body(&s, "/h/strings"),
        "Hello World|Hello world|ABC|abc|a+b+c|Hello w...|empty|bc|**x**|x..|..x|abc|hello-world|bold|yes|a+b"
    );
    assert_eq!(
        post(&s, "/h/regexExtract", "text/plain", "abc-123 xyz"),
        "123|abc/123|none"
    );
    assert_eq!(
        post(
            &s,
            "/h/formData",
            "application/x-www-form-urlencoded",
            "name=Ann+Lee&city=K%C3%B6ln&tag=a&tag=b"
        ),
        "Ann Lee|Köln|b"
    );
}

#[test]
fn list_helpers() {
    let s = start();
    assert_eq!(body(&s, "/h/size"), "5|3|2");
    assert_eq!(body(&s, "/h/range"), "[1, 2, 3, 4, 5]|[2, 3, 4]|123");
    assert_eq!(body(&s, "/h/array"), "[1, two, 3]|[]");
    assert_eq!(body(&s, "/h/arrayAdd"), "[1, 2, 3]|[0, 1, 2]|[1, 2, 9]");
    assert_eq!(body(&s, "/h/arrayRemove"), "[1, 3]|[1, 2]|[2, 3]");
    assert_eq!(body(&s, "/h/arrayJoin"), "a,b,c|[1 - 2]|<1>;<2>");
}

#[test]
fn math_val_matches_and_contains() {
    let s = start();
    assert_eq!(body(&s, "/h/math"), "3|3|1|7.0|-3|4");
    assert_eq!(body(&s, "/h/val?a=A1"), "none|x|A1");
    assert_eq!(body(&s, "/h/matches"), "yes|no|true");
    assert_eq!(body(&s, "/h/contains"), "yes|yes|false");
}

#[test]
fn conditionals_blocks_and_assign() {
    let s = start();
    assert_eq!(
        body(&s, "/h/conditionals?a=x"),
        "eq|neq|gt|lt|gte|lte|and|or|not|if|unless|false|nested"
    );
    assert_eq!(
        body(&s, "/h/conditionals?a=y"),
        "eq|neq|gt|lt|gte|lte|and|or|not|else|unless|false|nested"
    );
    assert_eq!(body(&s, "/h/blocks?a=1"), "0=a;1=b;|1|none");
    assert_eq!(body(&s, "/h/assign?a=Bo"), "Hi Bo!|");
}

#[test]
fn nothing_is_html_escaped() {
    let s = start();
    assert_eq!(
        body(&s, "/h/escape?a=%3Cb%3E%26%22'"),
        r#"<b>&"'|<b>&"'|a&b|aGk/"#
    );
}

#[test]
fn hostname_and_denied_system_values() {
    let s = start();
    let host = body(&s, "/h/hostname");
    assert!(
        !host.is_empty() && !host.contains("[ERROR"),
        "hostname: {host:?}"
    );
    assert_eq!(
        body(&s, "/h/systemValue"),
        "[ERROR: Access to PATH is denied]|[ERROR: Access to user.home is denied]"
    );
}

#[test]
fn a_template_that_does_not_compile_is_a_diagnostic_and_the_rest_is_served() {
    let s = start();
    let mut errors = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while std::time::Instant::now() < deadline
        && !errors.iter().any(|l: &String| l.contains("broken.json"))
    {
        if let Ok(line) = s.errors.recv_timeout(Duration::from_millis(200)) {
            errors.push(line);
        }
    }
    let all = errors.join("\n");
    let line = errors
        .iter()
        .find(|l| l.contains("broken.json"))
        .unwrap_or_else(|| panic!("no diagnostic names broken.json:\n{all}"));
    assert!(
        line.contains("/mappings/0/response/body"),
        "the pointer: {line}"
    );
    assert!(line.contains("template"), "says what is wrong: {line}");
    assert_eq!(
        s.get("/broken/unclosed")
            .send()
            .expect("send")
            .status()
            .as_u16(),
        404
    );
    assert_eq!(body(&s, "/fields/default"), "plain");
}

#[test]
fn a_template_that_fails_to_render_is_a_500_naming_the_stub() {
    let s = start();
    let resp = s.get("/h/render-error").send().expect("send");
    assert_eq!(resp.status().as_u16(), 500);
    let text = resp.text().expect("body");
    assert!(text.contains("render-fails"), "names the stub: {text}");
    assert!(text.contains("nosuch"), "says what failed: {text}");
    assert_eq!(body(&s, "/h/size"), "5|3|2", "other stubs still answer");
}

#[test]
fn a_named_stub_answers_with_its_name_and_an_unnamed_one_without() {
    let dir = stub_root(&[(
        "named.json",
        r#"{"mappings": [
            {"id": "0c1a9a5e-0009-4000-8000-000000000001", "name": "named caf\u00e9",
             "request": {"url": "/named"}, "response": {"headers": {"X-One": "1"}, "body": "n"}},
            {"request": {"url": "/unnamed"}, "response": {"body": "u"}}
        ]}"#,
    )]);
    let s = serve_root(&dir, &["--quiet"]);
    let resp = s.get("/named").send().expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    // WireMock sends the name in US-ASCII: what is outside it becomes `?`.
    assert_eq!(
        header(&resp, "matched-stub-name").as_deref(),
        Some("named caf?")
    );
    assert_eq!(
        header(&resp, "matched-stub-id").as_deref(),
        Some("0c1a9a5e-0009-4000-8000-000000000001")
    );
    let resp = s.get("/unnamed").send().expect("send");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(header(&resp, "matched-stub-id").is_some());
    assert_eq!(header(&resp, "matched-stub-name"), None);
    // A miss names no stub.
    let resp = s.get("/neither").send().expect("send");
    assert_eq!(resp.status().as_u16(), 404);
    assert_eq!(header(&resp, "matched-stub-name"), None);
    assert_eq!(
        header(&resp, "content-type").as_deref(),
        Some("text/plain;charset=UTF-8")
    );
}
