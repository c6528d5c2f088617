use super::*;
use crate::date::with_now;

fn p(v: Value) -> ValuePattern {
    ValuePattern::parse(&v, "/m").unwrap_or_else(|e| panic!("{v}: {e}"))
}

fn err(v: Value) -> StubError {
    match ValuePattern::parse(&v, "/request/headers/X-Id") {
        Ok(p) => panic!("{v} parsed as {p:?}"),
        Err(e) => e,
    }
}

fn m(v: Value, actual: &str) -> bool {
    p(v).matches(Some(actual))
}

#[test]
fn equal_to_and_case_insensitive() {
    assert!(m(json!({"equalTo": "abc"}), "abc"));
    assert!(!m(json!({"equalTo": "abc"}), "ABC"));
    assert!(m(json!({"equalTo": "abc", "caseInsensitive": true}), "ABC"));
    assert!(
        m(
            json!({"caseInsensitive": true, "equalTo": "Straße"}),
            "STRASSE"
        ) || m(
            json!({"caseInsensitive": true, "equalTo": "straße"}),
            "STRAßE"
        )
    );
    assert!(!m(
        json!({"equalTo": "abc", "caseInsensitive": false}),
        "ABC"
    ));
    assert!(!p(json!({"equalTo": "abc"})).matches(None));
}

#[test]
fn contains_and_does_not_contain() {
    assert!(m(json!({"contains": "bc"}), "abcd"));
    assert!(!m(json!({"contains": "x"}), "abcd"));
    assert!(!p(json!({"contains": "x"})).matches(None));
    assert!(m(json!({"doesNotContain": "x"}), "abcd"));
    assert!(!m(json!({"doesNotContain": "bc"}), "abcd"));
    assert!(
        p(json!({"doesNotContain": "x"})).matches(None),
        "WireMock: an absent value does not contain it"
    );
}

#[test]
fn regexes_match_the_whole_value_with_java_syntax() {
    assert!(m(json!({"matches": "[a-z]+"}), "abc"));
    assert!(!m(json!({"matches": "[a-z]+"}), "abc1"), "whole value");
    assert!(!m(json!({"matches": "b"}), "abc"), "whole value");
    assert!(m(json!({"matches": "a.c"}), "a\nc"), "DOTALL");
    assert!(m(json!({"matches": "a|b"}), "b"));
    assert!(m(json!({"matches": "\\p{Alpha}+\\d"}), "abC1"));
    assert!(m(json!({"matches": "\\Q1+1\\E=2"}), "1+1=2"));
    assert!(m(
        json!({"matches": "(?<year>\\d{4})-\\k<year>"}),
        "2021-2021"
    ));
    assert!(m(json!({"matches": "(?!admin).*"}), "user"), "lookahead");
    assert!(!m(json!({"matches": "(?!admin).*"}), "admin"));
    assert!(
        m(json!({"matches": "a*+b"}), "aaab"),
        "possessive read as greedy"
    );
    assert!(!p(json!({"matches": ".*"})).matches(None));
    assert!(m(json!({"doesNotMatch": "[0-9]+"}), "abc"));
    assert!(!m(json!({"doesNotMatch": "[0-9]+"}), "123"));
    assert!(p(json!({"doesNotMatch": "x"})).matches(None));
}

#[test]
fn absent_and_anything() {
    assert!(p(json!({"absent": true})).matches(None));
    assert!(!p(json!({"absent": true})).matches(Some("")));
    // WireMock reads any `absent` as absent, whatever the operand.
    assert!(p(json!({"absent": false})).matches(None));
    assert_eq!(
        p(json!({"absent": false})).to_json(),
        json!({"absent": true})
    );
    assert!(p(json!({"anything": "x"})).matches(None));
}

#[test]
fn binary_equal_to_compares_raw_bytes() {
    let pat = p(json!({"binaryEqualTo": "AAEC/w=="}));
    assert!(pat.matches_bytes(&[0, 1, 2, 255]));
    assert!(!pat.matches_bytes(&[0, 1, 2]));
    assert!(p(json!({"binaryEqualTo": "aGk="})).matches(Some("hi")));
    assert!(p(json!({"contains": "é"})).matches_bytes("café".as_bytes()));
    assert!(p(json!({"not": {"binaryEqualTo": "aGk="}})).matches_bytes(b"ho"));
    assert_eq!(pat.to_json(), json!({"binaryEqualTo": "AAEC/w=="}));
}

#[test]
fn equal_to_json_basics() {
    let pat = p(json!({"equalToJson": {"a": 1, "b": [1, 2], "c": {"d": "x"}}}));
    assert!(
        pat.matches(Some(r#"{"c": {"d": "x"}, "b": [1, 2], "a": 1.0}"#)),
        "key order and 1 == 1.0"
    );
    assert!(
        !pat.matches(Some(r#"{"a": 1, "b": [2, 1], "c": {"d": "x"}}"#)),
        "array order counts"
    );
    assert!(
        !pat.matches(Some(r#"{"a": 1, "b": [1, 2], "c": {"d": "x"}, "e": 0}"#)),
        "extra field"
    );
    assert!(!pat.matches(Some(r#"{"a": 1, "b": [1, 2]}"#)));
    assert!(!pat.matches(Some("not json")));
    assert!(!pat.matches(None));
    let text = p(json!({"equalToJson": "{\"a\": [1, 2]}"}));
    assert!(text.matches(Some(r#"{"a":[1,2]}"#)));
    assert_eq!(text.to_json(), json!({"equalToJson": "{\"a\": [1, 2]}"}));
}

#[test]
fn equal_to_json_options() {
    let order = p(json!({"equalToJson": [1, {"x": 2}, 3], "ignoreArrayOrder": true}));
    assert!(order.matches(Some(r#"[3, 1, {"x": 2}]"#)));
    assert!(!order.matches(Some(r#"[3, 1, {"x": 2}, 4]"#)));
    assert!(!order.matches(Some(r#"[3, 3, 1]"#)));
    let extra = p(json!({"equalToJson": {"a": 1, "l": [1, 2]}, "ignoreExtraElements": true}));
    assert!(extra.matches(Some(r#"{"a": 1, "b": 2, "l": [1, 2, 3]}"#)));
    assert!(!extra.matches(Some(r#"{"a": 2, "b": 2, "l": [1, 2]}"#)));
    assert!(!extra.matches(Some(r#"{"a": 1, "l": [2, 1]}"#)));
    let both = p(
        json!({"equalToJson": {"l": [2, 1]}, "ignoreExtraElements": true, "ignoreArrayOrder": true}),
    );
    assert!(both.matches(Some(r#"{"l": [1, 3, 2], "z": 0}"#)));
    assert_eq!(
        both.to_json(),
        json!({"equalToJson": {"l": [2, 1]}, "ignoreArrayOrder": true, "ignoreExtraElements": true})
    );
}

#[test]
fn equal_to_json_placeholders() {
    let pat = p(json!({"equalToJson": {
        "s": "${json-unit.any-string}",
        "n": "${json-unit.any-number}",
        "b": "${json-unit.any-boolean}",
        "i": "${json-unit.ignore}",
        "r": "${json-unit.regex}[A-Z]{3}-\\d+",
        "gone": "${json-unit.ignore-element}"
    }}));
    assert!(pat.matches(Some(
        r#"{"s": "x", "n": 1.5, "b": false, "i": [1], "r": "ABC-12"}"#
    )));
    assert!(pat.matches(Some(
        r#"{"s": "", "n": 0, "b": true, "i": null, "r": "XYZ-1", "gone": {}}"#
    )));
    assert!(
        !pat.matches(Some(r#"{"s": 1, "n": 1, "b": true, "i": 1, "r": "ABC-1"}"#)),
        "any-string"
    );
    assert!(
        !pat.matches(Some(
            r#"{"s": "x", "n": "1", "b": true, "i": 1, "r": "ABC-1"}"#
        )),
        "any-number"
    );
    assert!(
        !pat.matches(Some(
            r#"{"s": "x", "n": 1, "b": "true", "i": 1, "r": "ABC-1"}"#
        )),
        "any-boolean"
    );
    assert!(
        !pat.matches(Some(r#"{"s": "x", "n": 1, "b": true, "r": "ABC-1"}"#)),
        "ignore needs the key"
    );
    assert!(
        !pat.matches(Some(
            r#"{"s": "x", "n": 1, "b": true, "i": 1, "r": "abc-1"}"#
        )),
        "regex"
    );
    let order =
        p(json!({"equalToJson": ["${json-unit.any-string}", "a"], "ignoreArrayOrder": true}));
    assert!(
        order.matches(Some(r#"["a", "b"]"#)),
        "a placeholder does not steal another element's partner"
    );
}

#[test]
fn equal_to_json_distance() {
    let pat = p(json!({"equalToJson": {"a": 1, "b": 2, "c": 3, "d": 4}}));
    let near = pat.distance(Some(r#"{"a": 1, "b": 2, "c": 3, "d": 5}"#));
    let far = pat.distance(Some(r#"{"a": 9, "b": 9, "c": 9, "d": 5}"#));
    assert!(near > 0.0 && near < far && far <= 1.0, "{near} {far}");
    assert_eq!(
        pat.distance(Some(r#"{"d": 4, "c": 3, "b": 2, "a": 1}"#)),
        0.0
    );
    assert_eq!(pat.distance(Some("nope")), 1.0);
}

#[test]
fn matches_json_path_plain() {
    let doc = r#"{"a": {"b": [1, 2]}, "e": [], "o": {}, "n": null, "s": "x"}"#;
    assert!(m(json!({"matchesJsonPath": "$.a.b"}), doc));
    assert!(m(json!({"matchesJsonPath": "$.a.b[?(@ > 1)]"}), doc));
    assert!(!m(json!({"matchesJsonPath": "$.a.b[?(@ > 5)]"}), doc));
    assert!(!m(json!({"matchesJsonPath": "$.missing"}), doc));
    assert!(
        !m(json!({"matchesJsonPath": "$.e"}), doc),
        "an empty array is not a match"
    );
    assert!(
        !m(json!({"matchesJsonPath": "$.o"}), doc),
        "an empty object is not a match"
    );
    assert!(
        !m(json!({"matchesJsonPath": "$.n"}), doc),
        "null is not a match"
    );
    assert!(m(json!({"matchesJsonPath": "$.s"}), doc));
    assert!(
        !m(json!({"matchesJsonPath": "$.s"}), "<s>x</s>"),
        "XML is not tried"
    );
    assert!(!p(json!({"matchesJsonPath": "$.s"})).matches(None));
}

#[test]
fn matches_json_path_with_sub_matchers() {
    let doc = r#"{"name": "Ann", "age": 42, "ok": true, "tags": ["x", "yz"], "obj": {"k": 1}, "n": null}"#;
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "Ann"}}),
        doc
    ));
    assert!(!m(
        json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "Bob"}}),
        doc
    ));
    assert!(
        m(
            json!({"matchesJsonPath": {"expression": "$.age", "equalTo": "42"}}),
            doc
        ),
        "a number as text"
    );
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.ok", "equalTo": "true"}}),
        doc
    ));
    assert!(
        m(
            json!({"matchesJsonPath": {"expression": "$.tags", "equalTo": "yz"}}),
            doc
        ),
        "any element of a list"
    );
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.tags[*]", "matches": "y."}}),
        doc
    ));
    assert!(
        m(
            json!({"matchesJsonPath": {"expression": "$.tags", "equalToJson": ["x", "yz"]}}),
            doc
        ),
        "a list whole for equalToJson"
    );
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.obj", "equalToJson": {"k": 1}}}),
        doc
    ));
    assert!(
        m(
            json!({"matchesJsonPath": {"expression": "$.obj", "contains": "\"k\":1"}}),
            doc
        ),
        "an object as compact JSON"
    );
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.missing", "absent": true}}),
        doc
    ));
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.n", "absent": true}}),
        doc
    ));
    assert!(!m(
        json!({"matchesJsonPath": {"expression": "$.name", "absent": true}}),
        doc
    ));
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.tags.length()", "equalTo": "2"}}),
        doc
    ));
    assert!(m(
        json!({"matchesJsonPath": {"expression": "$.name", "or": [{"equalTo": "Bob"}, {"equalTo": "Ann"}]}}),
        doc
    ));
    let near = p(json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "Anne"}}));
    let d = near.distance(Some(doc));
    assert!(d > 0.0 && d < 0.5, "{d}");
    assert_eq!(
        near.to_json(),
        json!({"matchesJsonPath": {"expression": "$.name", "equalTo": "Anne"}})
    );
    assert_eq!(near.describe(), "$.name [equalTo] Anne");
    assert_eq!(
        p(json!({"matchesJsonPath": "$..seven"})).describe(),
        "$..seven"
    );
}

#[test]
fn matches_json_schema() {
    let schema = json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "tag": {"type": "string"}}});
    let pat = p(json!({"matchesJsonSchema": schema}));
    assert!(pat.matches(Some(r#"{"name": "Rex"}"#)));
    assert!(!pat.matches(Some(r#"{"handle": "Rex"}"#)));
    assert!(!pat.matches(None));
    assert!(pat.distance(Some(r#"{"handle": "Rex"}"#)) > 0.0);
    let string = p(json!({"matchesJsonSchema": {"type": "string", "maxLength": 3}}));
    assert!(
        string.matches(Some("12")),
        "a scalar that fails is retried as text"
    );
    assert!(
        string.matches(Some("abc")),
        "not JSON: validated as a string"
    );
    assert!(!string.matches(Some("abcd")));
    let integer = p(json!({"matchesJsonSchema": "{\"type\": \"integer\"}", "schemaVersion": "V7"}));
    assert!(integer.matches(Some("12")));
    assert!(!integer.matches(Some("x")));
    assert_eq!(
        integer.to_json(),
        json!({"matchesJsonSchema": "{\"type\": \"integer\"}", "schemaVersion": "V7"})
    );
}

#[test]
fn equal_to_xml() {
    let pat = p(json!({"equalToXml": "<a><b>1</b><c x=\"1\" y=\"2\"/></a>"}));
    assert!(pat.matches(Some("<a>\n  <c y=\"2\" x=\"1\"/>\n  <b>1</b>\n</a>")));
    assert!(!pat.matches(Some("<a><b>2</b><c x=\"1\" y=\"2\"/></a>")));
    assert!(!pat.matches(Some("")));
    assert!(!pat.matches(None));
    let ph =
        p(json!({"equalToXml": "<a><id>${xmlunit.ignore}</id></a>", "enablePlaceholders": true}));
    assert!(ph.matches(Some("<a><id>77</id></a>")));
    assert_eq!(
        ph.to_json(),
        json!({"equalToXml": "<a><id>${xmlunit.ignore}</id></a>", "enablePlaceholders": true})
    );
    assert!(pat.distance(Some("<a><b>2</b><c x=\"1\" y=\"2\"/></a>")) > 0.0);
    assert_eq!(
        pat.describe(),
        "[equalToXml]\n<a>\n  <b>1</b>\n  <c x=\"1\" y=\"2\"/>\n</a>"
    );
}

#[test]
fn matches_xpath_plain_sub_matchers_and_namespaces() {
    let doc = "<outer><inner a=\"stuff\">one</inner><inner>two</inner></outer>";
    assert!(m(json!({"matchesXPath": "/outer/inner"}), doc));
    assert!(!m(json!({"matchesXPath": "/outer/none"}), doc));
    assert!(!m(json!({"matchesXPath": "/outer"}), "{\"not\": \"xml\"}"));
    assert!(m(
        json!({"matchesXPath": {"expression": "//inner/text()", "equalTo": "two"}}),
        doc
    ));
    assert!(!m(
        json!({"matchesXPath": {"expression": "//inner/text()", "equalTo": "three"}}),
        doc
    ));
    assert!(m(
        json!({"matchesXPath": {"expression": "/outer/inner/@a", "equalTo": "STUFF", "caseInsensitive": true}}),
        doc
    ));
    assert!(m(
        json!({"matchesXPath": {"expression": "/outer/inner[2]", "equalToXml": "<inner>two</inner>"}}),
        doc
    ));
    assert!(m(
        json!({"matchesXPath": {"expression": "count(//inner)", "equalTo": "2"}}),
        doc
    ));
    let soap = "<s:Envelope xmlns:s=\"urn:soap\"><s:Body><m:Get xmlns:m=\"urn:m\"><m:Id>7</m:Id></m:Get></s:Body></s:Envelope>";
    let ns = json!({"matchesXPath": {"expression": "/e:Envelope/e:Body/q:Get/q:Id/text()", "equalTo": "7"}, "xPathNamespaces": {"e": "urn:soap", "q": "urn:m"}});
    assert!(m(ns.clone(), soap));
    assert_eq!(p(ns.clone()).to_json(), ns);
    assert!(!m(
        json!({"matchesXPath": "/e:Envelope", "xPathNamespaces": {"e": "urn:other"}}),
        soap
    ));
    let date = "<p><d Val=\"01/01/2021\"/></p>";
    assert!(m(
        json!({"matchesXPath": {"expression": "//d/@Val", "equalToDateTime": "2021-01-01T00:00:00", "actualFormat": "dd/MM/yyyy"}}),
        date
    ));
    let near = p(json!({"matchesXPath": {"expression": "//inner/text()", "equalTo": "twp"}}));
    let d = near.distance(Some(doc));
    assert!(d > 0.0 && d < 0.5, "{d}");
    assert_eq!(near.describe(), "//inner/text() [equalTo] twp");
}

#[test]
fn dates_take_now_from_the_caller() {
    // 2021-06-14T12:00:00Z
    let now = 1_623_672_000_000;
    let before = p(json!({"before": "now +1 days"}));
    assert!(with_now(now, || before.matches(Some("2021-06-15T11:00:00Z"))));
    assert!(!with_now(now, || before.matches(Some("2021-06-15T13:00:00Z"))));
    let after = p(json!({"after": "2021-06-14T12:00:00+02:00"}));
    assert!(after.matches(Some("2021-06-14T10:30:00Z")));
    assert!(!after.matches(Some("2021-06-14T09:30:00Z")));
    let nested = p(json!({"matchesJsonPath": {"expression": "$.when", "after": "now -1 hours"}}));
    assert!(with_now(now, || nested
        .matches(Some(r#"{"when": "2021-06-14T11:30:00Z"}"#))));
    assert_eq!(
        p(json!({"equalToDateTime": "2021-06-14T12:00:00Z"})).describe(),
        "[equalToDateTime] : 2021-06-14T12:00:00Z"
    );
    let d = with_now(now, || before.distance(Some("2021-06-16T12:00:00Z")));
    assert!(d > 0.0 && d < 0.01, "{d}");
}

#[test]
fn logical_operators() {
    let and = p(json!({"and": [{"contains": "a"}, {"contains": "b"}]}));
    assert!(and.matches(Some("ab")));
    assert!(!and.matches(Some("a")));
    assert_eq!(and.distance(Some("a")), 0.5);
    let or = p(json!({"or": [{"equalTo": "one"}, {"absent": true}]}));
    assert!(or.matches(Some("one")));
    assert!(or.matches(None));
    assert!(!or.matches(Some("wrong")));
    assert_eq!(or.describe(), "[or] : equalTo one OR absent (absent)");
    let not = p(json!({"not": {"matches": "[0-9]+"}}));
    assert!(not.matches(Some("abc")));
    assert!(!not.matches(Some("123")));
    assert_eq!(not.to_json(), json!({"not": {"matches": "[0-9]+"}}));
    assert_eq!(
        and.to_json(),
        json!({"and": [{"contains": "a"}, {"contains": "b"}]})
    );
}

#[test]
fn multi_value_patterns() {
    let single = MultiValuePattern::parse(&json!({"equalTo": "b"}), "/q").unwrap();
    assert!(single.matches(&["a", "b"]), "any value");
    assert!(!single.matches(&["a"]));
    assert!(!single.matches(&[]));
    let absent = MultiValuePattern::parse(&json!({"absent": true}), "/q").unwrap();
    assert!(absent.matches(&[]));
    assert!(!absent.matches(&["x"]));
    let exactly = MultiValuePattern::parse(
        &json!({"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]}),
        "/q",
    )
    .unwrap();
    assert!(exactly.matches(&["2", "1"]));
    assert!(!exactly.matches(&["1", "2", "3"]));
    assert!(!exactly.matches(&["1"]));
    assert!(!exactly.matches(&[]));
    assert!(exactly.distance(&["1", "2", "3"]) > 0.0);
    assert_eq!(exactly.describe(), "exactly [equalTo 1 AND equalTo 2]");
    assert_eq!(
        exactly.to_json(),
        json!({"hasExactly": [{"equalTo": "1"}, {"equalTo": "2"}]})
    );
    let includes = MultiValuePattern::parse(
        &json!({"includes": [{"equalTo": "1"}, {"matches": "[a-z]"}]}),
        "/q",
    )
    .unwrap();
    assert!(includes.matches(&["x", "9", "1"]));
    assert!(!includes.matches(&["1", "9"]));
    assert_eq!(
        includes.describe(),
        "including [equalTo 1 AND matches [a-z]]"
    );
    assert_eq!(includes.distance(&["1", "9"]), 0.5);
    let e = MultiValuePattern::parse(&json!({"hasExactly": [{"matches": "("}]}), "/q").unwrap_err();
    assert_eq!(e.pointer, "/q/hasExactly/0/matches");
}

#[test]
fn distances() {
    let eq = p(json!({"equalTo": "abcd"}));
    assert_eq!(eq.distance(Some("abcd")), 0.0);
    assert_eq!(eq.distance(Some("abcx")), 0.25);
    assert_eq!(eq.distance(None), 1.0);
    assert_eq!(
        p(json!({"equalTo": "a", "caseInsensitive": true})).distance(Some("A")),
        0.0
    );
    assert_eq!(p(json!({"contains": "z"})).distance(Some("abc")), 1.0);
    assert_eq!(p(json!({"contains": "b"})).distance(Some("abc")), 0.0);
    // Long values stay cheap and still differ.
    let long_a = "a".repeat(100_000);
    let long_b = format!("{}b", "a".repeat(99_999));
    let d = p(json!({"equalTo": long_a})).distance(Some(&long_b));
    assert!(d > 0.0 && d < 0.01, "{d}");
    assert_eq!(normalised_levenshtein("", ""), 0.0);
    assert_eq!(normalised_levenshtein("kitten", "sitting"), 3.0 / 7.0);
}

#[test]
fn echo_and_describe() {
    assert_eq!(
        p(json!({"equalTo": "x", "caseInsensitive": true})).to_json(),
        json!({"equalTo": "x", "caseInsensitive": true})
    );
    assert_eq!(
        p(json!({"equalTo": "x"})).to_json(),
        json!({"equalTo": "x"})
    );
    assert_eq!(p(json!({"contains": "abc"})).describe(), "[contains] : abc");
    assert_eq!(
        p(json!({"matches": "[a-z]+"})).to_json(),
        json!({"matches": "[a-z]+"})
    );
    assert_eq!(p(json!({"matches": "[a-z]+"})).name(), "matches");
    assert_eq!(p(json!({"matches": "[a-z]+"})).expected(), "[a-z]+");
    assert!(p(json!({"equalTo": "x"})).is_plain_equal_to());
    assert_eq!(
        p(json!({"equalToJson": {"one": {"two": [1, 2]}, "e": {}, "l": []}})).describe(),
        "[equalToJson]\n{\n  \"one\" : {\n    \"two\" : [ 1, 2 ]\n  },\n  \"e\" : { },\n  \"l\" : [ ]\n}"
    );
    let schema = p(json!({"matchesJsonSchema": {"type": "object"}}));
    assert_eq!(
        schema.describe(),
        "[matchesJsonSchema]\n{\n  \"type\" : \"object\"\n}"
    );
    assert_eq!(
        p(json!({"before": "now +3 days"})).to_json(),
        json!({"before": "now +3 days"})
    );
}

#[test]
fn unknown_extra_fields_are_tolerated() {
    assert!(m(json!({"equalTo": "x", "someFutureOption": 1}), "x"));
    assert!(m(
        json!({"note": "first key unknown", "contains": "x"}),
        "x"
    ));
}

#[test]
fn parse_errors_carry_pointers() {
    let e = err(json!({"matches": "([a-z]"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/matches");
    assert!(e.message.contains("regex"), "{}", e.message);
    let e = err(json!({"doesNotMatch": "*"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/doesNotMatch");
    let e = err(json!({"equalsTo": "x"}));
    assert_eq!(e.pointer, "/request/headers/X-Id");
    assert!(e.message.contains("equalsTo"), "{}", e.message);
    let e = err(json!("x"));
    assert_eq!(e.pointer, "/request/headers/X-Id");
    let e = err(json!({"equalTo": 5}));
    assert_eq!(e.pointer, "/request/headers/X-Id/equalTo");
    assert!(e.message.contains("string"));
    let e = err(json!({"equalTo": "x", "caseInsensitive": 3}));
    assert_eq!(e.pointer, "/request/headers/X-Id/caseInsensitive");
    let e = err(json!({"binaryEqualTo": "!!!not base64"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/binaryEqualTo");
    let e = err(json!({"equalToJson": "{bad json"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/equalToJson");
    let e = err(json!({"matchesJsonPath": "$.a[?(@.b ==)]"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/matchesJsonPath");
    let e = err(json!({"matchesJsonPath": {"expression": "$.a", "equalTo": 1}}));
    assert_eq!(e.pointer, "/request/headers/X-Id/matchesJsonPath/equalTo");
    let e = err(json!({"matchesJsonPath": {"equalTo": "1"}}));
    assert_eq!(
        e.pointer,
        "/request/headers/X-Id/matchesJsonPath/expression"
    );
    let e = err(json!({"matchesXPath": "/\\!what?"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/matchesXPath");
    let e = err(json!({"matchesXPath": "/a", "xPathNamespaces": {"a": 1}}));
    assert_eq!(e.pointer, "/request/headers/X-Id/xPathNamespaces/a");
    let e = err(json!({"matchesJsonSchema": {"type": 12}}));
    assert_eq!(e.pointer, "/request/headers/X-Id/matchesJsonSchema");
    let e = err(json!({"matchesJsonSchema": {}, "schemaVersion": "V99"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/schemaVersion");
    let e = err(json!({"equalToXml": "<a>"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/equalToXml");
    let e = err(json!({"before": "someday"}));
    assert_eq!(e.pointer, "/request/headers/X-Id/before");
    let e = err(json!({"and": [{"equalTo": "a"}]}));
    assert_eq!(e.pointer, "/request/headers/X-Id/and");
    let e = err(json!({"or": [{"equalTo": "a"}, {"matches": "("}]}));
    assert_eq!(e.pointer, "/request/headers/X-Id/or/1/matches");
    let e = err(json!({"and": {"equalTo": "a"}}));
    assert_eq!(e.pointer, "/request/headers/X-Id/and");
    let e = err(json!({"not": {"nope": 1}}));
    assert_eq!(e.pointer, "/request/headers/X-Id/not");
}

#[test]
fn java_regex_translation() {
    assert_eq!(java_to_rust_regex(r"\Qa.b\E+"), r"a\.b+");
    assert_eq!(java_to_rust_regex(r"[\p{Lower}0]"), "[a-z0]");
    assert_eq!(java_to_rust_regex(r"\P{Digit}"), "[^0-9]");
    assert_eq!(java_to_rust_regex(r"a++b"), "a+b");
    assert_eq!(
        java_to_rust_regex(r"a\++"),
        r"a\++",
        "an escaped plus is a literal"
    );
    assert!(JavaRegex::whole("x\\Z").is_ok_and(|r| r.is_match("x\n") && r.is_match("x")));
    assert!(JavaRegex::whole("(").is_err());
}
