//! Unit tests of the generator, one group per construct family; validity against the
//! `jsonschema` crate is the job of `tests/generate.rs`, here we check with our own
//! validator and look at the values themselves.

use super::*;
use base64::Engine;
use serde_json::json;

fn ctx<'a>(root: &'a Value, dialect: Dialect, seed: u64) -> GenContext<'a> {
    GenContext {
        root,
        dialect,
        direction: Direction::Response,
        seed,
        hints: &[],
    }
}

fn gen_in(root: &Value, dialect: Dialect, schema: &Value, seed: u64) -> Value {
    match generate(&ctx(root, dialect, seed), schema, "#/test") {
        Ok(v) => {
            let c = Checker::new(root, dialect, Direction::Response);
            assert!(c.valid(&v, schema), "invalid {v} for {schema}");
            v
        }
        Err(e) => panic!("unsatisfiable {schema}: {e}"),
    }
}

fn one(schema: Value) -> Value {
    gen_in(&json!({}), Dialect::OpenApi30, &schema, 7)
}

fn many(schema: Value, dialect: Dialect) -> Vec<Value> {
    let root = json!({});
    (0..40)
        .map(|seed| gen_in(&root, dialect, &schema, seed))
        .collect()
}

fn err(root: &Value, schema: Value) -> Unsatisfiable {
    match generate(&ctx(root, Dialect::OpenApi30, 1), &schema, "#/s") {
        Ok(v) => panic!("expected unsatisfiable, got {v}"),
        Err(e) => e,
    }
}

#[test]
fn types() {
    assert!(one(json!({"type": "string"})).is_string());
    assert!(one(json!({"type": "integer"})).is_i64());
    assert!(one(json!({"type": "number"})).is_number());
    assert!(one(json!({"type": "boolean"})).is_boolean());
    assert!(one(json!({"type": "object"})).is_object());
    assert!(one(json!({"type": "array"})).is_array());
    let root = json!({});
    assert_eq!(
        gen_in(&root, Dialect::OpenApi31, &json!({"type": "null"}), 1),
        Value::Null
    );
    for v in many(json!({"type": ["string", "integer"]}), Dialect::OpenApi31) {
        assert!(v.is_string() || v.is_i64());
    }
    // `nullable` without a type adds nothing; with one, `null` stays a fallback only.
    for v in many(
        json!({"type": "string", "nullable": true}),
        Dialect::OpenApi30,
    ) {
        assert!(v.is_string());
    }
    assert_eq!(
        gen_in(
            &root,
            Dialect::Swagger2,
            &json!({"type": "string", "x-nullable": true, "enum": [null]}),
            1
        ),
        Value::Null
    );
    // A 3.0 `nullable` enum only allows null when null is listed.
    let e = err(
        &root,
        json!({"type": "string", "nullable": true, "enum": []}),
    );
    assert!(e.reason.contains("enum"), "{e}");
}

#[test]
fn enum_const_default() {
    for v in many(
        json!({"type": "string", "enum": ["a", "b", "c"]}),
        Dialect::OpenApi30,
    ) {
        assert!(["a", "b", "c"].contains(&v.as_str().unwrap_or("")));
    }
    assert_eq!(
        gen_in(&json!({}), Dialect::OpenApi31, &json!({"const": 42}), 3),
        json!(42)
    );
    // An invalid example or default is never used.
    for v in many(
        json!({"type": "integer", "minimum": 10, "example": 3, "default": 2}),
        Dialect::OpenApi30,
    ) {
        assert!(v.as_i64().is_some_and(|n| n >= 10));
    }
    let vs = many(
        json!({"type": "string", "example": "documented"}),
        Dialect::OpenApi30,
    );
    assert!(vs.iter().any(|v| v == "documented"));
}

#[test]
fn string_formats_and_lengths() {
    for f in [
        "date",
        "date-time",
        "time",
        "duration",
        "email",
        "hostname",
        "uri",
        "uri-reference",
        "uuid",
        "ipv4",
        "ipv6",
    ] {
        for v in many(json!({"type": "string", "format": f}), Dialect::OpenApi31) {
            assert!(strings::format_ok(f, v.as_str().unwrap_or("")), "{f}: {v}");
        }
    }
    let b = one(json!({"type": "string", "format": "byte"}));
    assert!(
        base64::engine::general_purpose::STANDARD
            .decode(b.as_str().unwrap_or("!"))
            .is_ok()
    );
    for v in many(
        json!({"type": "string", "minLength": 30, "maxLength": 32}),
        Dialect::OpenApi30,
    ) {
        let n = v.as_str().map_or(0, |s| s.chars().count());
        assert!((30..=32).contains(&n), "{v}");
    }
    assert_eq!(one(json!({"type": "string", "maxLength": 0})), json!(""));
}

#[test]
fn patterns() {
    for v in many(
        json!({"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}),
        Dialect::OpenApi30,
    ) {
        let s = v.as_str().unwrap_or("");
        assert_eq!(s.len(), 8, "{s}");
        assert!(s.is_ascii());
    }
    // Needs non-ASCII: still produced.
    let v = one(json!({"type": "string", "pattern": "^[é]+$"}));
    assert!(v.as_str().is_some_and(|s| s.starts_with('é')));
    // Huge repetition is cut.
    let v = one(json!({"type": "string", "pattern": "^a{1,100000}$"}));
    assert!(v.as_str().is_some_and(|s| s.len() < 100));
}

#[test]
fn numbers() {
    for v in many(
        json!({"type": "integer", "minimum": 5, "maximum": 7}),
        Dialect::OpenApi30,
    ) {
        assert!((5..=7).contains(&v.as_i64().unwrap_or(0)));
    }
    for v in many(
        json!({"type": "integer", "minimum": 5, "maximum": 7, "exclusiveMinimum": true, "exclusiveMaximum": true}),
        Dialect::OpenApi30,
    ) {
        assert_eq!(v, json!(6));
    }
    for v in many(
        json!({"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1}),
        Dialect::OpenApi31,
    ) {
        let x = v.as_f64().unwrap_or(-1.0);
        assert!(x > 0.0 && x < 1.0, "{v}");
    }
    for v in many(
        json!({"type": "number", "multipleOf": 0.01, "minimum": 10}),
        Dialect::OpenApi30,
    ) {
        assert!(check::is_multiple(v.as_f64().unwrap_or(0.5), 0.01), "{v}");
    }
    for v in many(
        json!({"type": "integer", "multipleOf": 7, "minimum": 100, "maximum": 150}),
        Dialect::OpenApi30,
    ) {
        assert_eq!(v.as_i64().unwrap_or(1) % 7, 0);
    }
}

#[test]
#[should_panic(expected = "unsatisfiable")]
fn int32_above_range_is_unsatisfiable() {
    one(json!({"type": "integer", "format": "int32", "minimum": 3000000000i64}));
}

#[test]
fn arrays() {
    for v in many(
        json!({"type": "array", "items": {"type": "integer"}, "minItems": 4, "maxItems": 5, "uniqueItems": true}),
        Dialect::OpenApi30,
    ) {
        let a = v.as_array().cloned().unwrap_or_default();
        assert!((4..=5).contains(&a.len()));
    }
    for v in many(
        json!({"type": "array", "items": {"type": "string"}}),
        Dialect::OpenApi30,
    ) {
        let n = v.as_array().map_or(0, Vec::len);
        assert!((1..=3).contains(&n));
    }
    let v = gen_in(
        &json!({}),
        Dialect::OpenApi31,
        &json!({"type": "array", "prefixItems": [{"type": "integer"}, {"type": "string"}], "minItems": 2, "items": false}),
        1,
    );
    assert!(v[0].is_i64() && v[1].is_string());
}

#[test]
fn objects() {
    let s = json!({
        "type": "object",
        "required": ["id", "email"],
        "properties": {"id": {"type": "integer"}, "email": {"type": "string", "format": "email"}, "note": {"type": "string"}},
        "additionalProperties": false
    });
    for v in many(s, Dialect::OpenApi30) {
        assert!(v.get("id").is_some() && v.get("email").is_some());
        assert!(v.as_object().is_some_and(|o| {
            o.keys()
                .all(|k| ["id", "email", "note"].contains(&k.as_str()))
        }));
    }
    for v in many(
        json!({"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 2}),
        Dialect::OpenApi30,
    ) {
        assert!(
            v.as_object()
                .is_some_and(|o| o.len() >= 2 && o.values().all(Value::is_i64))
        );
    }
    for v in many(
        json!({"type": "object", "patternProperties": {"^x-[a-z]+$": {"type": "boolean"}}, "additionalProperties": false, "minProperties": 1}),
        Dialect::OpenApi30,
    ) {
        assert!(
            v.as_object()
                .is_some_and(|o| !o.is_empty() && o.keys().all(|k| k.starts_with("x-")))
        );
    }
    for v in many(
        json!({"type": "object", "properties": {"a": {}, "b": {}, "c": {}}, "maxProperties": 1}),
        Dialect::OpenApi30,
    ) {
        assert!(v.as_object().is_some_and(|o| o.len() <= 1));
    }
}

#[test]
fn compositions() {
    let s = json!({"allOf": [
        {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]},
        {"properties": {"b": {"type": "string"}}, "required": ["b"]},
        {"properties": {"a": {"minimum": 100}}}
    ]});
    for v in many(s, Dialect::OpenApi30) {
        assert!(v["a"].as_i64().is_some_and(|a| a >= 100) && v["b"].is_string());
    }
    // oneOf: exactly one branch — an integer would match both.
    for v in many(
        json!({"oneOf": [{"type": "integer"}, {"type": "number"}]}),
        Dialect::OpenApi30,
    ) {
        assert!(v.is_number());
    }
    for v in many(
        json!({"anyOf": [{"type": "string", "format": "uuid"}, {"type": "boolean"}]}),
        Dialect::OpenApi30,
    ) {
        assert!(v.is_string() || v.is_boolean());
    }
    for v in many(
        json!({"type": ["string", "integer"], "not": {"type": "string"}}),
        Dialect::OpenApi31,
    ) {
        assert!(v.is_i64());
    }
    for v in many(
        json!({"type": "string", "enum": ["a", "b"], "not": {"const": "a"}}),
        Dialect::OpenApi31,
    ) {
        assert_eq!(v, json!("b"));
    }
}

#[test]
fn discriminator() {
    let root = json!({"components": {"schemas": {
        "Pet": {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}},
                "discriminator": {"propertyName": "petType"}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"meows": {"type": "boolean"}}}]},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"properties": {"barks": {"type": "boolean"}}}]}
    }}});
    let s = json!({
        "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
        "discriminator": {"propertyName": "petType", "mapping": {"kitty": "#/components/schemas/Cat", "doggo": "#/components/schemas/Dog"}}
    });
    let c = ctx(&root, Dialect::OpenApi30, 0);
    for seed in 0..20 {
        let v = generate(&GenContext { seed, ..c }, &s, "#/s").unwrap_or(Value::Null);
        let t = v["petType"].as_str().unwrap_or("");
        assert!(t == "kitty" || t == "doggo", "{v}");
    }
    // A child reached on its own names itself.
    let v =
        generate(&c, &json!({"$ref": "#/components/schemas/Dog"}), "#/s").unwrap_or(Value::Null);
    assert_eq!(v["petType"], json!("Dog"));
}

#[test]
fn read_and_write_only() {
    let s = json!({"type": "object", "required": ["id", "password"], "properties": {
        "id": {"type": "integer", "readOnly": true},
        "password": {"type": "string", "writeOnly": true}
    }});
    let root = json!({});
    let resp = generate(&ctx(&root, Dialect::OpenApi30, 1), &s, "#").unwrap_or(Value::Null);
    assert!(
        resp.get("id").is_some() && resp.get("password").is_none(),
        "{resp}"
    );
    let req_ctx = GenContext {
        direction: Direction::Request,
        ..ctx(&root, Dialect::OpenApi30, 1)
    };
    let req = generate(&req_ctx, &s, "#").unwrap_or(Value::Null);
    assert!(
        req.get("id").is_none() && req.get("password").is_some(),
        "{req}"
    );
}

#[test]
fn recursion_terminates() {
    let root = json!({"components": {"schemas": {
        "Node": {"type": "object", "required": ["name", "children"], "properties": {
            "name": {"type": "string"},
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        }},
        "a/b c": {"type": "object", "properties": {"self": {"$ref": "#/components/schemas/a~1b%20c"}}},
        "Loop": {"allOf": [{"$ref": "#/components/schemas/Loop"}], "type": "integer"}
    }}});
    for seed in 0..20 {
        gen_in(
            &root,
            Dialect::OpenApi30,
            &json!({"$ref": "#/components/schemas/Node"}),
            seed,
        );
        gen_in(
            &root,
            Dialect::OpenApi30,
            &json!({"$ref": "#/components/schemas/a~1b%20c"}),
            seed,
        );
        gen_in(
            &root,
            Dialect::OpenApi30,
            &json!({"$ref": "#/components/schemas/Loop"}),
            seed,
        );
    }
    // A required self-reference can never end.
    let root = json!({"components": {"schemas": {"Inf": {"type": "object", "required": ["next"], "properties": {
        "next": {"$ref": "#/components/schemas/Inf"}}}}}});
    let e = err(&root, json!({"$ref": "#/components/schemas/Inf"}));
    assert!(e.reason.contains("recursion"), "{e}");
}

#[test]
fn unsatisfiable() {
    let root = json!({});
    let e = err(
        &root,
        json!({"type": "integer", "minimum": 10, "maximum": 5}),
    );
    assert_eq!(e.pointer, "#/s");
    err(&root, json!({"enum": []}));
    let e = err(
        &root,
        json!({"type": "object", "properties": {"x": {"allOf": [{"type": "string"}, {"type": "integer"}]}}, "required": ["x"]}),
    );
    assert_eq!(e.pointer, "#/s/properties/x");
    err(
        &root,
        json!({"type": "string", "minLength": 5, "maxLength": 2}),
    );
    err(
        &root,
        json!({"type": "array", "minItems": 3, "maxItems": 1}),
    );
    err(
        &root,
        json!({"oneOf": [{"type": "string"}, {"type": "string"}]}),
    );
    err(&root, json!({"not": {}}));
    err(&root, json!({"$ref": "#/nowhere"}));
    err(
        &root,
        json!({"type": "array", "items": {"enum": [1, 2]}, "minItems": 3, "uniqueItems": true}),
    );
    // Pathological: the budget ends it.
    let wide = json!({"type": "array", "minItems": 2000, "items": {"type": "array", "minItems": 2000, "items": {"type": "string"}}});
    err(&root, wide);
}

#[test]
fn sizes_beyond_what_a_mock_generates_are_refused_at_once() {
    // These ran for minutes (a padding loop counting the string on every turn, a
    // property loop a billion long) before the caps.
    let root = json!({});
    let started = std::time::Instant::now();
    for (schema, says) in [
        (
            json!({"type": "string", "minLength": 1_000_000_000u64}),
            "`minLength` of 1000000000",
        ),
        (
            json!({"type": "object", "minProperties": 100_000_000u64}),
            "`minProperties` of 100000000",
        ),
    ] {
        let e = err(&root, schema);
        assert!(e.reason.contains(says), "{}", e.reason);
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(2));
    // Within the caps, long strings are still made, in linear time.
    let s = one(json!({"type": "string", "minLength": 100_000}));
    assert!(s.as_str().unwrap().chars().count() >= 100_000);
    let s = one(json!({"type": "string", "pattern": "[0-9]", "minLength": 100_000}));
    assert!(s.as_str().unwrap().chars().count() >= 100_000);
    let o = one(
        json!({"type": "object", "additionalProperties": {"type": "integer"}, "minProperties": 50}),
    );
    assert!(o.as_object().unwrap().len() >= 50);
}

#[test]
fn realistic_names() {
    let s = json!({"type": "object", "properties": {
        "email": {"type": "string"}, "first_name": {"type": "string"}, "lastName": {"type": "string"},
        "created_at": {"type": "string"}, "price": {"type": "number"}, "currency": {"type": "string"},
        "user_id": {"type": "integer"}, "avatar": {"type": "string"}, "city": {"type": "string"},
        "status": {"type": "string", "enum": ["open", "closed"]}, "phone": {"type": "string"},
        "url": {"type": "string"}, "total": {"type": "integer"}
    }, "required": ["email", "first_name", "lastName", "created_at", "price", "currency", "user_id", "avatar",
                     "city", "status", "phone", "url", "total"]});
    let v = one(s);
    assert!(v["email"].as_str().is_some_and(|e| e.contains('@')), "{v}");
    assert!(
        v["first_name"]
            .as_str()
            .is_some_and(|n| n.chars().next().is_some_and(char::is_uppercase))
    );
    assert!(strings::format_ok(
        "date-time",
        v["created_at"].as_str().unwrap_or("")
    ));
    assert!(v["price"].as_f64().is_some_and(|p| p > 0.0 && p <= 500.0));
    assert!(v["currency"].as_str().is_some_and(|c| c.len() == 3));
    assert!(v["user_id"].as_i64().is_some_and(|i| i > 0));
    assert!(
        v["avatar"]
            .as_str()
            .is_some_and(|a| a.starts_with("https://"))
    );
    assert!(v["url"].as_str().is_some_and(|a| a.starts_with("https://")));
    assert!(v["phone"].as_str().is_some_and(|a| a.starts_with('+')));
    assert!(v["total"].as_i64().is_some_and(|t| (0..=100).contains(&t)));
    let f = one(json!({"type": "string", "x-faker": "internet.email"}));
    assert!(f.as_str().is_some_and(|e| e.contains('@')));
    let f = one(json!({"type": "string", "x-faker": "unknown.thing", "minLength": 3}));
    assert!(f.is_string());
}

#[test]
fn deterministic() {
    let s = json!({"type": "object", "properties": {"name": {"type": "string"}, "n": {"type": "integer"},
                   "tags": {"type": "array", "items": {"type": "string"}}}});
    let root = json!({});
    let a = gen_in(&root, Dialect::OpenApi30, &s, 99);
    let b = gen_in(&root, Dialect::OpenApi30, &s, 99);
    assert_eq!(a, b);
    let distinct: HashSet<String> = (0..10)
        .map(|seed| gen_in(&root, Dialect::OpenApi30, &s, seed).to_string())
        .collect();
    assert!(distinct.len() > 5);
}

#[test]
fn hints() {
    let root = json!({});
    let hints = vec![
        ("id".to_string(), "42".to_string()),
        ("slug".to_string(), "hello".to_string()),
    ];
    let c = GenContext {
        hints: &hints,
        ..ctx(&root, Dialect::OpenApi30, 3)
    };
    let s = json!({"type": "object", "required": ["id", "slug"], "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}}});
    assert_eq!(
        generate(&c, &s, "#").ok(),
        Some(json!({"id": 42, "slug": "hello"}))
    );
    let s = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}});
    assert_eq!(generate(&c, &s, "#").ok(), Some(json!({"id": "42"})));
    // A hint the schema rejects is not used.
    let s = json!({"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}}});
    let v = generate(&c, &s, "#").unwrap_or(Value::Null);
    assert!(v["id"].as_str().is_some_and(|s| s.len() == 36));
}

#[test]
fn filled_objects_stay_within_their_schema() {
    let root = json!({});
    let filled = |schema: &Value, dialect: Dialect, seed: u64| {
        let v = generate_with(&ctx(&root, dialect, seed), schema, "#/test", Extras::Fill)
            .unwrap_or_else(|e| panic!("{schema}: {e}"));
        let c = Checker::new(&root, dialect, Direction::Response);
        assert!(c.valid(&v, schema), "invalid {v} for {schema}");
        v.as_object().unwrap().len()
    };
    let all_required =
        json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}});
    let bounded = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "maxProperties": 2});
    // Only the final check knows undeclared properties are refused: the value gives way
    // to one without them.
    let unevaluated = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "unevaluatedProperties": false});
    let names = json!({"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}, "propertyNames": {"maxLength": 1}});
    for seed in 0..30 {
        assert!((2..=4).contains(&filled(&all_required, Dialect::OpenApi30, seed)));
        assert_eq!(filled(&bounded, Dialect::OpenApi30, seed), 2);
        assert_eq!(filled(&unevaluated, Dialect::OpenApi31, seed), 1);
        assert_eq!(filled(&names, Dialect::OpenApi31, seed), 1);
        // Declared: never more than the declared properties.
        let plain = generate(&ctx(&root, Dialect::OpenApi30, seed), &all_required, "#/t").unwrap();
        assert_eq!(plain.as_object().unwrap().len(), 1);
    }
}
