//! WireMock's "Request was not matched" page: the 404 `text/plain` body a stub-only mock
//! sends for a request no stub matched, a two-column table of the closest stub against
//! the request with `<<<<< ... does not match` on the lines that differ.
//!
//! The layout is `PlainTextDiffRenderer`'s, checked against WireMock's golden files:
//! 119 columns (or the client's `X-WireMock-Console-Width`), each column wrapped at
//! half the width minus 2 the way commons-lang's `WordUtils.wrap` does, body lines shown
//! only when the body does not match, JSON bodies pretty-printed the way Jackson does.

use base64::Engine as _;
use serde_json::Value;
use standin_core::Request;

use crate::jsonpath;
use crate::matcher::{MultiValuePattern, OPERATORS, ValuePattern, pretty_json};
use crate::pattern::{BodyPattern, UrlMatcher, View, values_of};
use crate::stub::Stub;

/// The body WireMock sends for a miss when it has no stubs at all.
pub const NO_STUBS: &str =
    "No response could be served as there are no stub mappings in this WireMock instance.";

const DEFAULT_WIDTH: usize = 119;

/// The "Request was not matched" report of `req` against `closest` (the closest stub),
/// or WireMock's "no stub mappings" sentence when there is none. The scenario line is
/// left out: use [`report`] with the scenario's state to have it.
pub fn not_matched_report(req: &Request<'_>, closest: Option<&Stub>) -> String {
    report(req, closest, None)
}

/// [`not_matched_report`], with the current state of the closest stub's scenario (when
/// it has one) so a stub waiting for another state says so.
pub fn report(req: &Request<'_>, closest: Option<&Stub>, scenario_state: Option<&str>) -> String {
    let Some(stub) = closest else {
        return NO_STUBS.to_string();
    };
    let width = req
        .headers
        .get("x-wiremock-console-width")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .map_or(DEFAULT_WIDTH, |w| w.clamp(20, 1000));
    let view = View::new(req);
    let lines = diff_lines(stub, &view, scenario_state);
    render(stub.name.as_deref(), &lines, width)
}

/// One row of the table.
#[derive(Debug)]
struct Line {
    left: String,
    right: String,
    message: Option<String>,
    /// Body rows are shown only when they do not match.
    body: bool,
    matched: bool,
}

impl Line {
    fn spacer() -> Line {
        Line {
            left: String::new(),
            right: String::new(),
            message: None,
            body: false,
            matched: true,
        }
    }

    /// A row whose message is WireMock's: "X is not present" when the request has no
    /// value (even if that matched), "X does not match" when it differs.
    fn new(attr: &str, left: String, right: String, matched: bool) -> Line {
        let message = if right.is_empty() {
            Some(format!("{attr} is not present"))
        } else if matched {
            None
        } else {
            Some(format!("{attr} does not match"))
        };
        Line {
            left,
            right,
            message,
            body: attr == "Body",
            matched,
        }
    }
}

/// WireMock's name and expected value of a matcher, read from its JSON shape.
fn name_and_expected(json: &Value) -> (String, String) {
    let Some(obj) = json.as_object() else {
        return (String::new(), text_of(json));
    };
    // The JSON is a matcher's own echo, so it holds one operator at most.
    let key = OPERATORS
        .iter()
        .find(|k| obj.contains_key(**k))
        .map(|k| k.to_string())
        .or_else(|| obj.keys().next().cloned())
        .unwrap_or_default();
    let value = obj.get(&key).unwrap_or(&Value::Null);
    let expected = match key.as_str() {
        "absent" => "(absent)".to_string(),
        "equalToJson" | "matchesJsonSchema" => match value {
            Value::String(s) => serde_json::from_str::<Value>(s)
                .map(|v| pretty_json(&v))
                .unwrap_or_else(|_| s.clone()),
            other => pretty_json(other),
        },
        "and" | "or" => {
            let joiner = if key == "and" { " AND " } else { " OR " };
            value
                .as_array()
                .map(|ops| {
                    ops.iter()
                        .map(|op| {
                            let (n, e) = name_and_expected(op);
                            format!("{n} {e}")
                        })
                        .collect::<Vec<_>>()
                        .join(joiner)
                })
                .unwrap_or_default()
        }
        "not" => name_and_expected(value).1,
        "matchesJsonPath" | "matchesXPath" => match value {
            Value::Object(o) => o.get("expression").map(text_of).unwrap_or_default(),
            other => text_of(other),
        },
        _ => text_of(value),
    };
    (key, expected)
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn is_equal_like(name: &str) -> bool {
    matches!(
        name,
        "equalTo" | "equalToJson" | "equalToXml" | "binaryEqualTo"
    )
}

/// `key` + operator + expected, as WireMock prints a multi-valued field's pattern.
/// `equal_op` is what an `equalTo` uses (`""` for headers, `" = "` for query and form);
/// `sep` comes before a header's expected value (`": "`).
fn multi_left(key: &str, p: &MultiValuePattern, equal_op: &str, sep: &str) -> String {
    match p {
        MultiValuePattern::Single(v) => {
            let (name, expected) = name_and_expected(&v.to_json());
            let op = if is_equal_like(&name) {
                equal_op.to_string()
            } else {
                format!(" [{name}] ")
            };
            let expected = if expected.is_empty() {
                String::new()
            } else {
                format!("{sep}{expected}")
            };
            format!("{key}{op}{expected}")
        }
        MultiValuePattern::HasExactly(ps) | MultiValuePattern::Includes(ps) => {
            let op = if matches!(p, MultiValuePattern::HasExactly(_)) {
                " exactly "
            } else {
                " including "
            };
            let names = ps
                .iter()
                .map(|v| {
                    let (n, e) = name_and_expected(&v.to_json());
                    format!("{n} {e}")
                })
                .collect::<Vec<_>>()
                .join(" AND ");
            format!("{key}{op}[{names}]")
        }
    }
}

fn single_left(prefix: &str, key: &str, p: &ValuePattern, equal_op: &str) -> String {
    let (name, expected) = name_and_expected(&p.to_json());
    let op = if is_equal_like(&name) {
        equal_op.to_string()
    } else {
        format!(" [{name}] ")
    };
    format!("{prefix}{key}{op}{expected}")
}

fn key_values(key: &str, values: &[&str]) -> String {
    values
        .iter()
        .map(|v| format!("{key}: {v}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn diff_lines(stub: &Stub, view: &View<'_, '_>, scenario_state: Option<&str>) -> Vec<Line> {
    let rp = &stub.request;
    let req = view.req;
    let mut lines = Vec::new();

    let method_left = rp.method.clone().unwrap_or_else(|| "ANY".to_string());
    let method_ok = rp.method.as_deref().is_none_or(|m| {
        m.eq_ignore_ascii_case(req.method.as_str())
            || (m == "GET_OR_HEAD" && matches!(req.method.as_str(), "GET" | "HEAD"))
    });
    lines.push(Line::new(
        "HTTP method",
        method_left,
        req.method.as_str().to_string(),
        method_ok,
    ));

    let url_ok = url_matches(&rp.url, view);
    let mut url_line = Line::new("URL", rp.url.printed(), view.url().to_string(), url_ok);
    if let Some(message) = &mut url_line.message
        && let Some(expected) = rp.url.expected()
    {
        if rp.url.is_regex() && !question_marks_escaped(expected) {
            message.push_str(". When using a regex, \"?\" should be \"\\?\"");
        }
        if !expected.starts_with('/') {
            message.push_str(". URLs must start with a /");
        }
    }
    lines.push(url_line);
    lines.push(Line::spacer());

    let mut headers: Vec<(String, Line)> = Vec::new();
    for (key, p) in &rp.headers {
        let values = view.header_values(key);
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let ok = p.matches(&refs);
        headers.push((
            key.clone(),
            Line::new(
                "Header",
                multi_left(key, p, "", ": "),
                key_values(key, &refs),
                ok,
            ),
        ));
    }
    if let Some(expected) = rp.basic_auth_header() {
        let values = view.header_values("authorization");
        let refs: Vec<&str> = values.iter().map(String::as_str).collect();
        let ok = refs.iter().any(|v| {
            v.len() >= 6
                && v.is_char_boundary(6)
                && v[..6].eq_ignore_ascii_case("Basic ")
                && v[6..] == expected[6..]
        });
        headers.push((
            "Authorization".to_string(),
            Line::new(
                "Header",
                format!("Authorization: {expected}"),
                key_values("Authorization", &refs),
                ok,
            ),
        ));
    }
    if !headers.is_empty() {
        lines.extend(headers.into_iter().map(|(_, l)| l));
        lines.push(Line::spacer());
    }

    if let UrlMatcher::PathTemplate(t) = &rp.url
        && !rp.path_parameters.is_empty()
        && url_ok
    {
        for (name, value) in t.captures(req.path).unwrap_or_default() {
            let Some((_, p)) = rp.path_parameters.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let ok = p.matches(Some(&value));
            lines.push(Line::new(
                "Path parameter",
                single_left("Path parameter: ", &name, p, " = "),
                value,
                ok,
            ));
        }
        lines.push(Line::spacer());
    }

    for (attr, prefix, fields, pairs) in [
        ("Query", "Query: ", &rp.query, view.query()),
        ("Form data", "Form: ", &rp.form, view.form()),
    ] {
        for (key, p) in fields {
            let values = values_of(pairs, key);
            let ok = p.matches(&values);
            lines.push(Line::new(
                attr,
                format!("{prefix}{}", multi_left(key, p, " = ", "")),
                key_values(key, &values),
                ok,
            ));
        }
        if !fields.is_empty() {
            lines.push(Line::spacer());
        }
    }

    for (key, p) in &rp.cookies {
        let values = values_of(view.cookies(), key);
        let ok = if values.is_empty() {
            p.matches(None)
        } else {
            values.iter().any(|v| p.matches(Some(v)))
        };
        lines.push(Line::new(
            "Cookie",
            single_left("Cookie: ", key, p, "="),
            values.first().map(|v| v.to_string()).unwrap_or_default(),
            ok,
        ));
    }
    if !rp.cookies.is_empty() {
        lines.push(Line::spacer());
    }

    for b in &rp.body {
        lines.push(body_line(b, view));
    }

    if let (Some(s), Some(current)) = (&stub.scenario, scenario_state)
        && let Some(required) = &s.required
    {
        lines.push(Line::new(
            "Scenario",
            format!("[Scenario '{}' state: {required}]", s.name),
            format!("[Scenario '{}' state: {current}]", s.name),
            current == required,
        ));
    }
    lines
}

fn url_matches(url: &UrlMatcher, view: &View<'_, '_>) -> bool {
    let probe = crate::pattern::RequestPattern {
        url: url.clone(),
        ..Default::default()
    };
    let method = http::Method::GET;
    let req = Request {
        method: &method,
        ..*view.req
    };
    probe.matches(&req)
}

/// WireMock's check: a `?` in a URL regex should be escaped.
fn question_marks_escaped(s: &str) -> bool {
    match s.find('?') {
        None => true,
        Some(i) if i < 2 => false,
        Some(i) => s[..i].ends_with('\\'),
    }
}

fn body_line(b: &BodyPattern, view: &View<'_, '_>) -> Line {
    let json = b.pattern.to_json();
    let (name, expected) = name_and_expected(&json);
    let text = view.body_text().unwrap_or("");
    let ok = if b.binary {
        b.pattern.matches_bytes(view.req.body)
    } else {
        b.pattern.matches(view.body_text())
    };
    let formatted = if text.is_empty() {
        String::new()
    } else {
        match name.as_str() {
            "equalToJson" => serde_json::from_str::<Value>(text)
                .map(|v| pretty_json(&v))
                .unwrap_or_else(|_| text.to_string()),
            "binaryEqualTo" => base64::engine::general_purpose::STANDARD.encode(view.req.body),
            _ => text.to_string(),
        }
    };
    match name.as_str() {
        "matchesJsonPath" | "matchesXPath" => {
            let sub = json.get(&name).and_then(Value::as_object).and_then(|o| {
                o.iter()
                    .find(|(k, _)| !matches!(k.as_str(), "expression" | "xPathNamespaces"))
                    .map(|(k, v)| (k.clone(), v.clone()))
            });
            match sub {
                None => Line::new("Body", expected, formatted, ok),
                Some((k, v)) => {
                    let mut sub_json = serde_json::Map::new();
                    sub_json.insert(k, v);
                    let (sub_name, sub_expected) = name_and_expected(&Value::Object(sub_json));
                    let left = format!("{expected} [{sub_name}] {sub_expected}");
                    let result = if name == "matchesJsonPath" {
                        json_path_result(text, &expected)
                    } else {
                        xpath_result(text, &expected)
                    };
                    Line::new("Body", left, result.unwrap_or(formatted), ok)
                }
            }
        }
        "binaryEqualTo" => Line::new("Body", expected, formatted, ok),
        _ => Line::new(
            "Body",
            format!("[{name}]\n{expected}"),
            format!("\n{formatted}"),
            ok,
        ),
    }
}

/// What a JSONPath selects in the body, printed as WireMock's `ListOrSingle` does.
fn json_path_result(body: &str, expr: &str) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let doc: Value = serde_json::from_str(body).ok()?;
    let found = jsonpath::select(&doc, expr).ok()?;
    let texts: Vec<String> = found.iter().map(text_of).collect();
    list_or_single(texts)
}

fn xpath_result(body: &str, expr: &str) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    let found = crate::xml::xpath(body, expr, &[]).ok()?;
    list_or_single(found)
}

fn list_or_single(items: Vec<String>) -> Option<String> {
    match items.len() {
        0 => None,
        1 => items.into_iter().next(),
        _ => Some(format!("[{}]", items.join(", "))),
    }
}

/// Renders the table (`PlainTextDiffRenderer.render`).
fn render(name: Option<&str>, lines: &[Line], width: usize) -> String {
    let middle = width / 2 - 1;
    let column = width / 2 - 2;
    let mut sb = String::new();
    let title = "Request was not matched";
    let pad = " ".repeat(middle.saturating_sub(title.len() / 2));
    sb.push('\n');
    sb.push_str(&pad);
    sb.push_str(title);
    sb.push('\n');
    sb.push_str(&pad);
    sb.push_str(&"=".repeat(title.len()));
    sb.push_str("\n\n");
    sb.push_str(&"-".repeat(width));
    sb.push('\n');
    sb.push('|');
    push_padded(&mut sb, " Closest stub", middle);
    sb.push('|');
    push_padded(&mut sb, " Request", middle);
    sb.push_str("|\n");
    sb.push_str(&"-".repeat(width));
    sb.push('\n');
    write_single(&mut sb, "", "", None, middle);
    if let Some(name) = name {
        write_line(&mut sb, name, "", None, middle, column);
        write_single(&mut sb, "", "", None, middle);
    }
    for line in lines {
        if !line.body || !line.matched {
            write_line(
                &mut sb,
                &line.left,
                &line.right,
                line.message.as_deref(),
                middle,
                column,
            );
        }
    }
    write_single(&mut sb, "", "", None, middle);
    sb.push_str(&"-".repeat(width));
    sb.push('\n');
    sb
}

/// Appends `s` and spaces up to `size` characters.
fn push_padded(sb: &mut String, s: &str, size: usize) {
    sb.push_str(s);
    let len = s.chars().count();
    for _ in len..size {
        sb.push(' ');
    }
}

/// Java's `String.split("\n")`: trailing empty strings are dropped, but a string with no
/// separator is itself (so `""` is one empty line and `"\n"` none).
fn java_split(s: &str) -> Vec<&str> {
    if !s.contains('\n') {
        return vec![s];
    }
    let mut parts: Vec<&str> = s.split('\n').collect();
    while parts.last().is_some_and(|p| p.is_empty()) {
        parts.pop();
    }
    parts
}

fn write_line(
    sb: &mut String,
    left: &str,
    right: &str,
    message: Option<&str>,
    middle: usize,
    column: usize,
) {
    let left = wrap_if_needed(&left.replace("\r\n", "\n"), column);
    let right = wrap_if_needed(&right.replace("\r\n", "\n"), column);
    let l = java_split(&left);
    let r = java_split(&right);
    let rows = l.len().max(r.len());
    write_single(
        sb,
        l.first().copied().unwrap_or(""),
        r.first().copied().unwrap_or(""),
        message,
        middle,
    );
    for i in 1..rows {
        write_single(
            sb,
            l.get(i).copied().unwrap_or(""),
            r.get(i).copied().unwrap_or(""),
            None,
            middle,
        );
    }
}

fn write_single(sb: &mut String, left: &str, right: &str, message: Option<&str>, middle: usize) {
    push_padded(sb, left, middle + 1);
    sb.push('|');
    let message = message.filter(|m| !m.is_empty());
    if !right.is_empty() {
        sb.push(' ');
        match message {
            Some(m) => {
                push_padded(sb, right, middle.saturating_sub(6));
                sb.push_str("<<<<< ");
                sb.push_str(m);
            }
            None => sb.push_str(right),
        }
    } else if let Some(m) = message {
        push_padded(sb, "", middle.saturating_sub(5));
        sb.push_str("<<<<< ");
        sb.push_str(m);
    }
    sb.push('\n');
}

/// Wraps only when some line is longer than `limit`, then drops blank lines
/// (`Strings.wrapIfLongestLineExceedsLimit`).
fn wrap_if_needed(s: &str, limit: usize) -> String {
    let longest = s.split('\n').map(|l| l.chars().count()).max().unwrap_or(0);
    if longest <= limit {
        return s.to_string();
    }
    let wrapped = wrap(s, limit);
    wrapped
        .split_inclusive('\n')
        .filter(|l| !(l.ends_with('\n') && l.trim_matches([' ', '\t', '\r', '\n']).is_empty()))
        .collect()
}

/// commons-lang `WordUtils.wrap(str, limit, "\n", true)`: break at the last space that
/// keeps a line within `limit`, or inside a word longer than that. Newlines in the input
/// are ordinary characters to it, as they are to WireMock.
fn wrap(s: &str, limit: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    let limit = limit.max(1);
    let mut out = String::with_capacity(n + 32);
    let mut offset = 0usize;
    while offset < n {
        let end = (offset + limit + 1).min(n);
        let spaces: Vec<usize> = (offset..end).filter(|&i| chars[i] == ' ').collect();
        let mut space_at: Option<usize> = None;
        if let Some(&first) = spaces.first() {
            if first == offset {
                offset += 1;
                continue;
            }
            space_at = Some(first);
        }
        if n - offset <= limit {
            break;
        }
        if let Some(&last) = spaces.last() {
            space_at = Some(last);
        }
        match space_at {
            Some(at) => {
                out.extend(&chars[offset..at]);
                out.push('\n');
                offset = at + 1;
            }
            None => {
                out.extend(&chars[offset..offset + limit]);
                out.push('\n');
                offset += limit;
            }
        }
    }
    out.extend(&chars[offset..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::test_support::{Asked, asked};
    use crate::stub::StubOptions;
    use serde_json::json;

    fn stub(v: Value) -> Stub {
        Stub::parse(&v, &StubOptions::default()).expect("test stub parses")
    }

    fn golden(name: &str) -> String {
        let path = format!(
            "{}/tests/not-matched/{name}.txt",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn check(name: &str, s: &Stub, a: &Asked, state: Option<&str>) {
        let got = report(&a.req(), Some(s), state);
        let want = golden(name);
        assert_eq!(got, want, "\n--- got ---\n{got}\n--- want ---\n{want}");
    }

    fn long_name_stub() -> Stub {
        stub(json!({
            "name": "The post stub with a really long name that ought to wrap and let us see exactly how that looks when it is done",
            "request": {"method": "POST", "url": "/thing",
                "headers": {"X-My-Header": {"contains": "correct value"}, "Accept": {"matches": "text/plain.*"}},
                "bodyPatterns": [{"equalToJson": {"thing": {"stuff": [1, 2, 3]}}}]},
            "response": {}
        }))
    }

    #[test]
    fn renders_url_header_and_json_body_differences() {
        let a = asked(
            "POST",
            "/thin",
            &[("X-My-Header", "wrong value"), ("Accept", "text/plain")],
            r#"{"thing":{"nothing":{}}}"#,
        );
        check("ascii", &long_name_stub(), &a, None);
    }

    #[test]
    fn narrows_to_the_console_width_the_client_asks_for() {
        let a = asked(
            "POST",
            "/thin",
            &[
                ("X-My-Header", "wrong value"),
                ("Accept", "text/plain"),
                ("X-WireMock-Console-Width", "69"),
            ],
            r#"{"thing":{"nothing":{}}}"#,
        );
        check("ascii-narrow", &long_name_stub(), &a, None);
    }

    #[test]
    fn renders_query_differences_decoded() {
        let s = stub(
            json!({"name": "Query params diff", "request": {"method": "GET", "urlPath": "/thing",
            "queryParameters": {"one": {"equalTo": "1"}, "two": {"contains": "two things"}, "three": {"matches": "[a-z]{5}"}}}}),
        );
        let a = asked(
            "GET",
            "/thing?one=2&two=wrong%20things&three=abcde",
            &[],
            "",
        );
        check("query", &s, &a, None);
    }

    #[test]
    fn renders_form_differences() {
        let s = stub(
            json!({"name": "Query params diff", "request": {"method": "PUT", "urlPath": "/thing",
            "formParameters": {"one": {"equalTo": "1"}, "two": {"contains": "two things"}, "three": {"matches": "[a-z]{5}"}}}}),
        );
        let a = asked(
            "PUT",
            "/thing",
            &[("Content-Type", "application/x-www-form-urlencoded")],
            "one=2&two=wrong+things&three=abcde",
        );
        check("form", &s, &a, None);
    }

    #[test]
    fn renders_cookie_differences() {
        let s = stub(
            json!({"name": "Cookie diff", "request": {"method": "POST", "url": "/thing",
            "cookies": {"Cookie_1": {"contains": "one value"}, "Second_Cookie": {"matches": "cookie two value [0-9]*"}}}}),
        );
        let a = asked(
            "POST",
            "/thing",
            &[(
                "Cookie",
                "Cookie_1=zero value; Second_Cookie=cookie two value 123",
            )],
            "",
        );
        check("cookies", &s, &a, None);
    }

    #[test]
    fn says_a_missing_header_is_not_present() {
        let s = stub(
            json!({"name": "Missing header stub", "request": {"method": "POST", "url": "/thing",
            "headers": {"X-My-Header": {"equalTo": "correct value"}}}}),
        );
        check(
            "missing_header",
            &s,
            &asked("POST", "/thing", &[], ""),
            None,
        );
    }

    #[test]
    fn renders_path_templates_and_their_parameters() {
        let t =
            stub(json!({"request": {"method": "GET", "urlPathTemplate": "/contacts/{contactId}"}}));
        check(
            "url-template",
            &t,
            &asked("GET", "/contracts/12345", &[], ""),
            None,
        );
        let p = stub(
            json!({"request": {"method": "GET", "urlPathTemplate": "/contacts/{contactId}",
            "pathParameters": {"contactId": {"equalTo": "123"}}}}),
        );
        check(
            "url-path-parameters",
            &p,
            &asked("GET", "/contacts/345", &[], ""),
            None,
        );
        let h = stub(
            json!({"request": {"method": "GET", "urlPathTemplate": "/contacts/{contactId}",
            "headers": {"Authorization": {"equalTo": "Token 456"}},
            "pathParameters": {"contactId": {"equalTo": "123"}}}}),
        );
        let a = asked(
            "GET",
            "/contacts/123",
            &[("Authorization", "Token 789")],
            "",
        );
        check("no_path_parameter_message", &h, &a, None);
    }

    #[test]
    fn hints_at_unescaped_question_marks_and_missing_slashes() {
        let s = stub(json!({"request": {"method": "GET", "urlPattern": "/?q=correct"}}));
        check("no-path", &s, &asked("GET", "/q=wrong", &[], ""), None);
        let s = stub(json!({"request": {"method": "GET", "urlPattern": "thing?query=value"}}));
        check("url-pattern", &s, &asked("GET", "/thing", &[], ""), None);
    }

    #[test]
    fn renders_multi_value_patterns() {
        let s = stub(json!({"request": {"method": "GET", "urlPath": "/thing",
            "headers": {"q": {"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}, {"equalTo": "3"}]}}}}));
        check(
            "exactmatch-for-multiple-values-header",
            &s,
            &asked("GET", "/thing", &[("q", "1")], ""),
            None,
        );
        let s = stub(json!({"request": {"method": "GET", "urlPath": "/thing",
            "queryParameters": {"q": {"includes": [{"equalTo": "1"}, {"equalTo": "2"}, {"equalTo": "3"}]}}}}));
        check(
            "includematch-for-multiple-values-query-param",
            &s,
            &asked("GET", "/thing?q=1", &[], ""),
            None,
        );
    }

    #[test]
    fn renders_logical_or() {
        let s = stub(json!({"request": {"method": "GET", "urlPath": "/or",
            "headers": {"X-Maybe": {"or": [{"equalTo": "one"}, {"absent": true}]}}}}));
        check(
            "logical-or",
            &s,
            &asked("GET", "/or", &[("X-Maybe", "wrong")], ""),
            None,
        );
    }

    #[test]
    fn renders_the_scenario_state_the_stub_waits_for() {
        let s = stub(
            json!({"scenarioName": "thing states", "requiredScenarioState": "first",
            "request": {"method": "POST", "url": "/thing"}}),
        );
        check(
            "scenario-state",
            &s,
            &asked("POST", "/thing", &[], ""),
            Some("Started"),
        );
    }

    #[test]
    fn says_a_missing_body_is_not_present() {
        let s = stub(json!({"request": {"method": "ANY", "url": "/thing",
            "bodyPatterns": [{"matchesJsonPath": {"expression": "$.accountNum", "equalTo": "1234"}}]}}));
        check(
            "json-path-no-body",
            &s,
            &asked("ANY", "/thing", &[], ""),
            None,
        );
    }

    #[test]
    fn says_so_when_there_are_no_stubs() {
        let a = asked("GET", "/x", &[], "");
        assert_eq!(not_matched_report(&a.req(), None), NO_STUBS);
    }

    #[test]
    fn pretty_prints_json_as_jackson_does() {
        let v = json!({"a": [1, {"b": "x"}], "c": {}, "d": []});
        assert_eq!(
            pretty_json(&v),
            "{\n  \"a\" : [ 1, {\n    \"b\" : \"x\"\n  } ],\n  \"c\" : { },\n  \"d\" : [ ]\n}"
        );
    }

    #[test]
    fn wraps_at_the_last_space_and_breaks_long_words() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("abcdefghij", 4), "abcd\nefgh\nij");
        assert_eq!(wrap_if_needed("short", 10), "short");
    }
}
