//! Every helper through a compiled template and WireMock's request model.

use http::{HeaderMap, HeaderValue, Method};
use serde_json::{Value, json};
use standin_core::exchange::Request;

use crate::helpers::with_render_state;
use crate::template::{Template, request_model, with_state};

/// 2024-01-02T03:04:05Z.
const NOW: u64 = 1_704_164_645_000;

fn headers() -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static("example.test:8080"));
    h.insert("x-foo", HeaderValue::from_static("bar"));
    h.append("accept", HeaderValue::from_static("text/plain"));
    h.append("accept", HeaderValue::from_static("application/json"));
    h.insert(
        "cookie",
        HeaderValue::from_static("session=abc; theme=dark"),
    );
    h
}

fn model_for(path: &str, query: Option<&str>, body: &str, vars: &[(&str, &str)]) -> Value {
    let h = headers();
    let mut req = Request::new(&Method::POST, path, &h);
    req.query = query;
    req.body = body.as_bytes();
    req.now_unix_ms = NOW;
    req.peer = Some("10.1.2.3".parse().unwrap());
    let vars: Vec<(String, String)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    with_state(
        request_model(&req, &vars, &json!({"greeting": "hi", "list": [1, 2]})),
        42,
        NOW,
    )
}

fn model() -> Value {
    model_for(
        "/users/42/orders",
        Some("id=7&id=8&name=Ann+Lee&single=x"),
        r#"{"name":"Ann","items":[{"n":1},{"n":2}],"tag":"<b>","nested":{"k":"v"}}"#,
        &[],
    )
}

fn render(tpl: &str) -> String {
    render_with(tpl, &model())
}

fn render_with(tpl: &str, model: &Value) -> String {
    Template::compile(tpl)
        .unwrap_or_else(|e| panic!("{tpl}: {e}"))
        .render(model)
        .unwrap_or_else(|e| panic!("{tpl}: {e}"))
}

#[test]
fn request_model_fields() {
    assert_eq!(
        render("{{request.url}}"),
        "/users/42/orders?id=7&id=8&name=Ann+Lee&single=x"
    );
    assert_eq!(
        render("{{{request.url}}}"),
        "/users/42/orders?id=7&id=8&name=Ann+Lee&single=x"
    );
    assert_eq!(render("{{request.path}}"), "/users/42/orders");
    assert_eq!(render("{{request.pathSegments}}"), "/users/42/orders");
    assert_eq!(
        render("{{request.path.[0]}}-{{request.path.1}}"),
        "users-42"
    );
    assert_eq!(render("{{request.pathSegments.[2]}}"), "orders");
    assert_eq!(
        render("{{request.method}} {{request.scheme}} {{request.host}} {{request.port}}"),
        "POST http example.test 8080"
    );
    assert_eq!(render("{{request.baseUrl}}"), "http://example.test:8080");
    assert_eq!(render("{{request.clientIp}}"), "10.1.2.3");
    let b64 = render("{{{request.bodyAsBase64}}}");
    assert_eq!(
        render_with("{{{base64 x decode=true}}}", &json!({"x": b64})),
        render("{{{request.body}}}")
    );
    assert_eq!(render("{{size request.path}}"), "3");
    assert_eq!(
        render("{{#each request.path}}[{{this}}]{{/each}}"),
        "[users][42][orders]"
    );
}

#[test]
fn path_template_variables() {
    let m = model_for("/users/42", None, "", &[("id", "42")]);
    assert_eq!(
        render_with(
            "{{request.path.id}} {{request.path.[0]}} {{request.path}}",
            &m
        ),
        "42 users /users/42"
    );
}

#[test]
fn query_headers_cookies() {
    assert_eq!(render("{{request.query.name}}"), "Ann Lee");
    assert_eq!(render("{{request.query.id}}"), "7");
    assert_eq!(render("{{request.query.id.[1]}}"), "8");
    assert_eq!(render("{{request.query.single.[0]}}"), "x");
    assert_eq!(render("{{size request.query.id}}"), "2");
    assert_eq!(
        render("{{request.headers.X-Foo}}|{{request.headers.x-foo}}|{{request.headers.[X-FOO]}}"),
        "bar|bar|bar"
    );
    assert_eq!(
        render("{{request.headers.Accept}}|{{request.headers.accept.[1]}}"),
        "text/plain|application/json"
    );
    assert_eq!(
        render("{{request.cookies.session}} {{request.cookies.theme}}"),
        "abc dark"
    );
    assert_eq!(
        render("{{#eq request.query.id '7'}}first{{else}}no{{/eq}}"),
        "first"
    );
    assert_eq!(
        render("{{parameters.greeting}} {{parameters.list}}"),
        "hi [1, 2]"
    );
}

#[test]
fn no_html_escaping_like_wiremock() {
    assert_eq!(render("{{jsonPath request.body '$.tag'}}"), "<b>");
    assert_eq!(render("{{{jsonPath request.body '$.tag'}}}"), "<b>");
    assert_eq!(render("a {{request.headers.x-foo}} b"), "a bar b");
    assert_eq!(render("no template here"), "no template here");
}

#[test]
fn json_path() {
    assert_eq!(render("{{jsonPath request.body '$.name'}}"), "Ann");
    assert_eq!(
        render("{{jsonPath request.body '$.missing' default='none'}}"),
        "none"
    );
    assert_eq!(render("{{jsonPath request.body '$.missing'}}"), "");
    assert_eq!(
        render("{{{jsonPath request.body '$.nested'}}}"),
        "{\n  \"k\" : \"v\"\n}"
    );
    assert_eq!(
        render("{{jsonPath 'not json' '$.a'}}"),
        "[ERROR: not json is not valid JSON]"
    );
    assert_eq!(
        render("{{jsonPath request.body}}"),
        "[ERROR: The JSONPath cannot be empty]"
    );
    assert_eq!(render("{{jsonPath '' '$.a'}}"), "");
}

#[test]
fn xpath_helpers() {
    let m = model_for("/", None, "<a><b>one</b><c id=\"9\">two</c></a>", &[]);
    assert_eq!(
        render_with("{{xPath request.body '/a/b/text()'}}", &m),
        "one"
    );
    assert_eq!(render_with("{{xPath request.body '/a/c/@id'}}", &m), "9");
    assert_eq!(render_with("{{xPath request.body '/a/zzz'}}", &m), "");
    let soap = model_for(
        "/",
        None,
        r#"<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><m>hello</m></soap:Body></soap:Envelope>"#,
        &[],
    );
    assert_eq!(
        render_with("{{soapXPath request.body 'm/text()'}}", &soap),
        "hello"
    );
}

#[test]
fn random_values() {
    let s = render("{{randomValue length=12 type='ALPHANUMERIC'}}");
    assert_eq!(s.len(), 12);
    assert!(
        s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    );
    let up = render("{{randomValue length=8 type='ALPHABETIC' uppercase=true}}");
    assert!(up.len() == 8 && up.chars().all(|c| c.is_ascii_uppercase()));
    let n = render("{{randomValue length=5 type='NUMERIC'}}");
    assert!(n.len() == 5 && n.chars().all(|c| c.is_ascii_digit()));
    let h = render("{{randomValue length=16 type='HEXADECIMAL' uppercase=true}}");
    assert!(
        h.len() == 16
            && h.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
    );
    let sym = render("{{{randomValue length=50 type='ALPHANUMERIC_AND_SYMBOLS'}}}");
    assert!(sym.chars().all(|c| ('!'..='}').contains(&c)));
    let uuid = render("{{randomValue type='UUID'}}");
    assert_eq!(uuid.len(), 36);
    assert_eq!(&uuid[14..15], "4");
    assert_eq!(render("{{randomValue length=3}}").len(), 3);
    // A function of the entropy: the same model gives the same values; two calls differ.
    assert_eq!(render("{{randomValue}}"), render("{{randomValue}}"));
    let two = render("{{randomValue length=10}} {{randomValue length=10}}");
    let (a, b) = two.split_once(' ').unwrap();
    assert_ne!(a, b);
}

#[test]
fn random_numbers_and_picks() {
    for _ in 0..5 {
        let n: i64 = render("{{randomInt lower=5 upper=9}}").parse().unwrap();
        assert!((5..9).contains(&n));
        let d: f64 = render("{{randomDecimal lower=1.5 upper=2.5}}")
            .parse()
            .unwrap();
        assert!((1.5..2.5).contains(&d));
    }
    let p = render("{{pickRandom 'a' 'b' 'c'}}");
    assert!(["a", "b", "c"].contains(&p.as_str()));
    assert!(["1", "2"].contains(&render("{{pickRandom parameters.list}}").as_str()));
    let two = render("{{pickRandom (array 1 2 3) count=2}}");
    assert!(
        two.starts_with('[') && two.matches(',').count() == 1,
        "{two}"
    );
    assert!(render("{{randomInt lower=5 upper=5}}").starts_with("[ERROR:"));
}

#[test]
fn dates() {
    assert_eq!(render("{{now}}"), "2024-01-02T03:04:05Z");
    assert_eq!(render("{{now format='epoch'}}"), NOW.to_string());
    assert_eq!(render("{{now format='unix'}}"), (NOW / 1000).to_string());
    assert_eq!(
        render("{{now offset='3 days' format='epoch'}}"),
        (NOW + 3 * 86_400_000).to_string()
    );
    assert_eq!(
        render("{{now timezone='+02:00'}}"),
        "2024-01-02T05:04:05+02:00"
    );
    assert_eq!(
        render("{{parseDate '2024-05-06T07:08:09Z'}}"),
        "2024-05-06T07:08:09Z"
    );
    assert_eq!(
        render("{{date (parseDate '2024-05-06T07:08:09Z') offset='-1 days' format='epoch'}}"),
        "1714892889000"
    );
    assert_eq!(
        render("{{date (parseDate '06/05/2024' format='dd/MM/yyyy') format='epoch'}}"),
        "1714953600000"
    );
    assert_eq!(
        render("{{parseDate '1714953600' format='unix'}}"),
        "2024-05-06T00:00:00Z"
    );
    assert_eq!(
        render(
            "{{date (truncateDate (parseDate '2024-05-06T07:08:09Z') 'first day of month') format='epoch'}}"
        ),
        "1714521600000"
    );
    assert_eq!(
        render("{{truncateDate (parseDate '2024-05-06T07:08:09Z') 'first hour of day'}}"),
        "2024-05-06T00:00:00Z"
    );
    assert_eq!(
        render("{{truncateDate 'x' 'first hour of day'}}"),
        "[ERROR: A date object must be passed to the truncateDate helper]"
    );
}

#[test]
fn text_helpers() {
    assert_eq!(
        render("{{trim '  a b  '}}|{{#trim}}  x  {{/trim}}"),
        "a b|x"
    );
    assert_eq!(
        render("{{base64 'hello'}}|{{base64 'aGVsbG8=' decode=true}}|{{base64 'a' padding=false}}"),
        "aGVsbG8=|hello|YQ"
    );
    assert_eq!(
        render("{{urlEncode 'a b&c'}}|{{urlEncode 'a+b%26c' decode=true}}"),
        "a+b%26c|a b&c"
    );
    assert_eq!(
        render("{{capitalize 'my first post'}}|{{capitalizeFirst 'abc'}}"),
        "My First Post|Abc"
    );
    assert_eq!(render("{{upper 'abc'}}{{lower 'DEF'}}"), "ABCdef");
    assert_eq!(
        render("{{abbreviate 'Handlebars rocks' 13}}"),
        "Handlebars..."
    );
    assert_eq!(
        render("{{replace 'Handlebars ...' '...' 'rocks'}}"),
        "Handlebars rocks"
    );
    assert_eq!(
        render("{{substring 'Handlebars.java' 11}}|{{substring 'Handlebars.java' 0 10}}"),
        "java|Handlebars"
    );
    assert_eq!(
        render("{{join (array 'a' 'b') '-'}}|{{defaultIfEmpty '' 'none'}}"),
        "a-b|none"
    );
    assert_eq!(
        render("{{slugify 'Joel is a slug'}}|{{stripTags '<b>x</b>'}}"),
        "joel-is-a-slug|x"
    );
    assert_eq!(
        render("[{{center 'ab' size=6}}][{{ljust 'ab' size=4}}][{{rjust 'ab' size=4 pad='*'}}]"),
        "[  ab  ][ab  ][**ab]"
    );
    assert_eq!(
        render("{{cut 'a b c'}}|{{wordWrap 'Joel is a slug' 5}}"),
        "abc|Joel\nis a\nslug"
    );
    assert_eq!(
        render("{{yesno true}} {{yesno false no='nope'}}"),
        "yes nope"
    );
    assert_eq!(
        render("{{isEven 4}}|{{isOdd 4}}|{{stripes 3}}"),
        "even||odd"
    );
}

#[test]
fn regex_form_and_variables() {
    assert_eq!(render("{{regexExtract 'abc-123' '[0-9]+'}}"), "123");
    assert_eq!(
        render(
            "{{regexExtract 'abc-DEF-123' '([a-z]+)-([A-Z]+)-([0-9]+)' 'parts'}}{{parts.0}},{{parts.1}},{{parts.[2]}}"
        ),
        "abc,DEF,123"
    );
    assert_eq!(
        render("{{regexExtract 'abc' '[0-9]+'}}"),
        "[ERROR: Nothing matched [0-9]+]"
    );
    assert_eq!(
        render("{{regexExtract 'abc' '[0-9]+' default='none'}}"),
        "none"
    );
    assert_eq!(
        render("{{formData 'a=1&b=x%20y&a=2' 'form' urlDecode=true}}{{form.b}} {{form.a.[1]}}"),
        "x y 2"
    );
    assert_eq!(
        render("{{#assign 'who'}} Ann {{/assign}}hi {{who}}"),
        "hi Ann"
    );
    assert_eq!(
        render("{{val request.query.nope default='d'}}|{{val request.query.single or='o'}}"),
        "d|x"
    );
    assert_eq!(render("{{val 'v' assign='vv'}}{{vv}}"), "v");
    assert_eq!(
        render("{{regexExtract 'a1' '([a-z])' 'parts'}}{{#each (array 1 2)}}{{parts.0}}{{/each}}"),
        "aa"
    );
}

#[test]
fn lists() {
    assert_eq!(render("{{range 1 5}}"), "[1, 2, 3, 4, 5]");
    assert_eq!(render("{{array 1 'two' 3}}|{{array}}"), "[1, two, 3]|[]");
    assert_eq!(
        render(
            "{{arrayAdd (array 1 2) 3}}|{{arrayAdd (array 1 2) 0 position='start'}}|{{arrayAdd (array 1 2) 9 position=1}}"
        ),
        "[1, 2, 3]|[0, 1, 2]|[1, 9, 2]"
    );
    assert_eq!(
        render(
            "{{arrayRemove (array 1 2 3)}}|{{arrayRemove (array 1 2 3) position='start'}}|{{arrayRemove (array 1 2 3) position=1}}"
        ),
        "[1, 2]|[2, 3]|[1, 3]"
    );
    assert_eq!(
        render("{{arrayJoin ',' (array 'a' 'b')}}|{{arrayJoin '-' 'x' 'y' prefix='[' suffix=']'}}"),
        "a,b|[x-y]"
    );
    assert_eq!(
        render("{{size 'abc'}} {{size (array 1 2)}} {{size (parseJson '{\"a\":1}')}}"),
        "3 2 1"
    );
}

#[test]
fn json_helpers() {
    assert_eq!(
        render("{{#with (parseJson request.body)}}{{name}}{{/with}}"),
        "Ann"
    );
    assert_eq!(
        render("{{parseJson request.body 'doc'}}{{doc.items.[1].n}}"),
        "2"
    );
    assert_eq!(
        render("{{#parseJson 'p'}}{\"x\": 5}{{/parseJson}}{{p.x}}"),
        "5"
    );
    assert_eq!(
        render("{{{toJson (parseJson '{\"a\":[1,2]}')}}}"),
        "{\n  \"a\" : [ 1, 2 ]\n}"
    );
    assert_eq!(render("{{{formatJson '{\"a\":1}'}}}"), "{\n  \"a\" : 1\n}");
    assert_eq!(
        render("{{{formatJson '{ \"a\" : 1 }' format='compact'}}}"),
        "{\"a\":1}"
    );
    assert_eq!(
        render("{{formatJson 'nope'}}"),
        "[ERROR: There was an error parsing the json. Please make sure the json is valid]"
    );
    assert_eq!(
        render("{{{formatXml '<a><b>1</b></a>'}}}"),
        "<a>\n  <b>1</b>\n</a>\n"
    );
    assert_eq!(
        render("{{{formatXml '<a> <b>1</b> </a>' format='compact'}}}"),
        "<a><b>1</b></a>"
    );
    assert_eq!(
        render(
            "{{{jsonMerge '{\"a\":1,\"b\":{\"c\":2}}' '{\"b\":{\"d\":3},\"a\":null}' removeNulls=true}}}"
        ),
        "{\"b\":{\"c\":2,\"d\":3}}"
    );
    assert_eq!(
        render("{{{jsonRemove '{\"a\":1,\"b\":2}' '$.a'}}}"),
        "{\"b\":2}"
    );
    assert_eq!(
        render(
            "{{{jsonArrayAdd '[1]' '2'}}}|{{{jsonArrayAdd '{\"l\":[1]}' '[2,3]' jsonPath='$.l' flatten=true maxItems=2}}}"
        ),
        "[1,2]|{\"l\":[2,3]}"
    );
}

#[test]
fn math() {
    assert_eq!(
        render("{{math 1 '+' 2}}|{{math 5 '-' 7}}|{{math 3 '*' 4}}|{{math 3 'x' 4}}"),
        "3|-2|12|12"
    );
    assert_eq!(
        render("{{math 10 '/' 4}}|{{math 10.0 '/' 4}}|{{math 10 '%' 3}}"),
        "3|2.5|1"
    );
    assert_eq!(
        render("{{math 1.5 '+' 1.5}}|{{math '2' '*' request.query.single}}"),
        "3.0|0"
    );
    assert_eq!(
        render("{{math 1 '^' 2}}"),
        "[ERROR: ^ is not a valid mathematical operator]"
    );
    assert_eq!(render("{{math 1 '/' 0}}"), "[ERROR: Division by zero]");
}

#[test]
fn conditionals() {
    assert_eq!(
        render("{{eq 1 1}} {{eq 'a' 'b'}} {{neq 'a' 'b'}}"),
        "true false true"
    );
    assert_eq!(
        render("{{gt 2 1}} {{gte 1 1}} {{lt 'a' 'b'}} {{lte 2 1}}"),
        "true true true false"
    );
    assert_eq!(
        render("{{and true 'x'}} {{and true ''}} {{or false 0 'y'}} {{not ''}}"),
        "true false true true"
    );
    assert_eq!(render("{{#gt 3 2}}big{{else}}small{{/gt}}"), "big");
    assert_eq!(
        render("{{#if (eq request.method 'POST')}}post{{/if}}"),
        "post"
    );
    assert_eq!(render("{{eq 1 2 yes='Y' no='N'}}"), "N");
    assert_eq!(
        render("{{matches '123' '[0-9]+'}} {{matches 'a123' '[0-9]+'}}"),
        "true false"
    );
    assert_eq!(
        render("{{#matches request.path '/users/.*'}}user{{/matches}}"),
        "user"
    );
    assert_eq!(
        render(
            "{{contains 'abc' 'b'}} {{contains (array 'x' 'y') 'y'}} {{#contains request.headers.accept 'application/json'}}json{{/contains}}"
        ),
        "true true json"
    );
    assert_eq!(
        render("{{#unless false}}u{{/unless}}{{#each (array 'a' 'b')}}{{@index}}{{this}}{{/each}}"),
        "u0a1b"
    );
    assert!(render("{{gt 1 'a'}}").starts_with("[ERROR: Not a comparable"));
}

#[test]
fn hostname_and_system_value() {
    assert_eq!(render("{{hostname}}"), "example.test");
    assert_eq!(
        render("{{systemValue key='HOME'}}"),
        "[ERROR: Access to HOME is denied]"
    );
    assert_eq!(
        render("{{systemValue}}"),
        "[ERROR: The key cannot be empty]"
    );
}

#[test]
fn compile_and_render_errors() {
    let e = Template::compile("{{#if x}}unclosed").unwrap_err();
    assert!(!e.is_empty());
    let e = Template::compile("{{#each}}{{/with}}").unwrap_err();
    assert!(!e.is_empty());
    // Blocks nested past the bound are refused before the parser, which takes seconds
    // on a thousand levels.
    let deep = format!("{}x{}", "{{#if a}}".repeat(1000), "{{/if}}".repeat(1000));
    let started = std::time::Instant::now();
    let e = Template::compile(&deep).unwrap_err();
    assert!(e.contains("nest 1000 deep"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
    let ok = format!("{}x{}", "{{#if a}}".repeat(10), "{{/if}}".repeat(10));
    assert!(Template::compile(&ok).is_ok());
    let t = Template::compile("{{nosuchhelper 'a'}}").unwrap();
    assert!(t.render(&model()).is_err());
    // Text outside the first {{ and the last }} is sent as written.
    assert_eq!(render("\\{ a {{request.method}} }"), "\\{ a POST }");
}

#[test]
fn single_value_indexes_as_a_helper_parameter() {
    // `single` came once (a string in the model): `.[0]` still finds it, as a helper's
    // parameter as well as printed.
    assert_eq!(
        render(
            "{{#eq request.query.single.[0] 'x'}}y{{else}}n{{/eq}}|{{upper request.query.single.0}}"
        ),
        "y|X"
    );
    assert_eq!(render("{{request.query.single.[0]}}"), "x");
    assert_eq!(
        render("{{#eq request.query.id.[1] '8'}}y{{else}}n{{/eq}}"),
        "y"
    );
}

#[test]
fn array_join_as_a_block_renders_each_item() {
    assert_eq!(
        render("{{#arrayJoin ';' (array 1 2)}}<{{this}}>{{/arrayJoin}}"),
        "<1>;<2>"
    );
    assert_eq!(
        render(
            "{{#arrayJoin ', ' (jsonPath request.body '$.items') prefix='[' suffix=']'}}n{{n}}{{/arrayJoin}}"
        ),
        "[n1, n2]"
    );
    assert_eq!(render("{{#arrayJoin ',' (array)}}x{{/arrayJoin}}"), "");
}

#[test]
fn json_path_and_xpath_print_like_wiremock() {
    assert_eq!(
        render("{{jsonPath request.body '$.items'}}"),
        r#"[{"n":1},{"n":2}]"#
    );
    assert_eq!(
        render("{{jsonPath request.body '$.nested'}}"),
        "{\n  \"k\" : \"v\"\n}"
    );
    assert_eq!(render("{{size (jsonPath request.body '$.items')}}"), "2");
    let xml = model_for("/x", None, "<a><b>1</b><b>2</b><c><d>x</d></c></a>", &[]);
    assert_eq!(
        render_with("{{xPath request.body '/a/b/text()'}}", &xml),
        "1"
    );
    assert_eq!(
        render_with("{{xPath request.body '/a/c'}}", &xml),
        "<c>\n  <d>x</d>\n</c>\n"
    );
    assert_eq!(
        render_with(
            "{{#each (xPath request.body '/a/b/text()')}}[{{this}}]{{/each}}",
            &xml
        ),
        "[1][2]"
    );
    let soap = model_for(
        "/x",
        None,
        r#"<s:Envelope xmlns:s="urn:s"><s:Body><Get><Item>A</Item></Get></s:Body></s:Envelope>"#,
        &[],
    );
    assert_eq!(
        render_with("{{soapXPath request.body '/Get/Item/text()'}}", &soap),
        "A"
    );
    assert_eq!(
        render_with("{{soapXPath request.body '/m:Get/text()'}}", &soap),
        ""
    );
}

#[test]
fn maps_print_as_java_maps() {
    assert_eq!(
        render("{{parseJson '{\"a\":1,\"b\":[1,2]}'}}"),
        "{a=1, b=[1, 2]}"
    );
    assert_eq!(
        render("{{#parseJson 'o'}}{\"a\":{\"b\":1}}{{/parseJson}}{{o.a}}"),
        "{b=1}"
    );
}

#[test]
fn parsed_dates_keep_their_offset() {
    assert_eq!(
        render("{{parseDate '2021-06-14T12:34:56+02:00'}}"),
        "2021-06-14T12:34:56+02:00"
    );
    assert_eq!(
        render("{{date (parseDate '2021-06-14T12:34:56Z') timezone='+02:00'}}"),
        "2021-06-14T12:34:56Z"
    );
    assert_eq!(
        render(
            "{{date (parseDate '14/06/2021 10:00 +0200' format='dd/MM/yyyy HH:mm Z') format='HH:mm XXX'}}"
        ),
        "10:00 +02:00"
    );
    assert_eq!(render("{{now timezone='+02:00' format='HH:mm'}}"), "05:04");
}

#[test]
fn request_path_prints_decoded() {
    let m = model_for("/a%20b/c%C3%A9", None, "", &[]);
    assert_eq!(
        render_with("{{request.path}}|{{request.path.[0]}}", &m),
        "/a b/cé|a b"
    );
    assert_eq!(render_with("{{request.url}}", &m), "/a%20b/c%C3%A9");
}

#[test]
fn a_template_reads_the_parts_its_text_names() {
    use crate::template::Needs;
    let needs = |t: &str| Template::compile(t).unwrap().needs();
    assert_eq!(needs("plain text"), Needs::NONE);
    assert_eq!(needs("{{now}} {{randomValue length=3}}"), Needs::NONE);
    assert_eq!(needs("{{myrequest.body}} {{requests}}"), Needs::NONE);
    // Plain values the request answers itself need no model.
    assert_eq!(
        needs("{{request.path.id}} {{request.url}} {{request.headers.X-Foo}} {{parameters.a}}"),
        Needs::NONE
    );
    assert_ne!(needs("{{upper request.path.id}}"), Needs::NONE);
    assert_ne!(needs("{{request.cookies.a}}"), Needs::NONE);
    assert_eq!(
        needs("{{upper request.path.id}}"),
        needs("{{#each request.pathSegments}}{{this}}{{/each}} {{lower request.url}}")
    );
    assert_ne!(
        needs("{{size request.headers.X-Foo}}"),
        needs("{{size request.path}}")
    );
    assert_eq!(needs("{{hostname}}"), needs("{{upper request.baseUrl}}"));
    for whole in [
        "{{toJson request}}",
        "{{#with request}}{{method}}{{/with}}",
        "{{lookup this 'request'}}",
        "{{upper request.[url]}}",
        "{{upper (lookup request 'url')}}",
    ] {
        assert_eq!(needs(whole), Needs::ALL, "{whole}");
    }
}

#[test]
fn a_model_cut_to_what_a_template_reads_renders_like_the_whole_model() {
    let h = headers();
    let mut req = Request::new(&Method::POST, "/users/42/orders", &h);
    req.query = Some("id=7&id=8&name=Ann+Lee");
    req.body = br#"{"name":"Ann"}"#;
    req.now_unix_ms = NOW;
    req.peer = Some("10.1.2.3".parse().unwrap());
    let vars = vec![("user".to_string(), "42".to_string())];
    let params = json!({"greeting": "hi"});
    for tpl in [
        "{{request.path}} {{request.path.user}} {{request.path.[1]}}",
        "{{request.url}} {{request.method}} {{request.query.id}} {{request.query.id.[1]}}",
        "{{request.headers.X-Foo}} {{request.headers.accept.[1]}} {{request.cookies.theme}}",
        "{{request.baseUrl}} {{request.host}} {{request.port}} {{hostname}} {{request.scheme}}",
        "{{jsonPath request.body '$.name'}} {{request.bodyAsBase64}} {{request.clientIp}}",
        "{{parameters.greeting}} {{size request.headers}} {{toJson request.query}}",
        "{{#each request.query}}{{@key}}={{this}};{{/each}}",
        "{{toJson request}}",
        "{{request.path.user}} {{upper request.query.name}} {{request.query.none}}|",
        "[{{request.headers.none}}|{{request.path.9}}|{{request.path.0}}|{{request.query.0}}]",
        "[{{parameters.none}}|{{parameters.greeting.0}}|{{parameters.greeting.[0]}}]",
        "{{request.query.id}} {{#assign 'request'}}x{{/assign}}[{{request.url}}]",
    ] {
        let t = Template::compile(tpl).unwrap();
        let whole = request_model(&req, &vars, &params);
        let input = crate::template::Input::of_request(&req, &vars, &params, t.needs());
        let from_request = with_render_state(0, NOW, || t.render_in(&input)).unwrap();
        assert_eq!(from_request, t.render(&whole).unwrap(), "{tpl}");
    }
}
