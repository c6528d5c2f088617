//! Property tests of the generator: random schemas built from the constructs real
//! documents use generate values that the `jsonschema` crate accepts (formats checked).
//! OpenAPI 3.0 schemas are validated as draft 4 after rewriting `nullable` into type
//! arrays; 3.1 schemas as draft 2020-12.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use standin_core::generate::{Direction, GenContext, generate};
use standin_core::model::Dialect;

/// Rewrites OpenAPI 3.0 `nullable` / Swagger 2.0 `x-nullable` into draft-4 type arrays.
fn to_draft4(v: &mut Value) {
    match v {
        Value::Object(m) => {
            let nullable = m.get("nullable") == Some(&Value::Bool(true))
                || m.get("x-nullable") == Some(&Value::Bool(true));
            if nullable && let Some(Value::String(t)) = m.get("type").cloned() {
                m.insert("type".into(), json!([t, "null"]));
            }
            m.values_mut().for_each(to_draft4);
        }
        Value::Array(a) => a.iter_mut().for_each(to_draft4),
        _ => {}
    }
}

/// Generates for `schema` (under `root`) and validates the value with `jsonschema`.
fn check(root: &Value, schema: &Value, dialect: Dialect, seed: u64) -> Result<(), String> {
    let ctx = GenContext {
        root,
        dialect,
        direction: Direction::Response,
        seed,
        hints: &[],
    };
    let value = generate(&ctx, schema, "#/x-target").map_err(|e| format!("unsatisfiable: {e}"))?;
    let mut doc = root.clone();
    if let Value::Object(m) = &mut doc {
        m.insert("x-target".into(), schema.clone());
    }
    let draft = if dialect == Dialect::OpenApi31 {
        jsonschema::Draft::Draft202012
    } else {
        to_draft4(&mut doc);
        jsonschema::Draft::Draft4
    };
    let registry = jsonschema::Registry::new()
        .draft(draft)
        .add("urn:test:doc", &doc)
        .and_then(|b| b.prepare())
        .map_err(|e| e.to_string())?;
    let validator = jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .with_registry(&registry)
        .build(&json!({"$ref": "urn:test:doc#/x-target"}))
        .map_err(|e| format!("schema does not compile: {e}"))?;
    validator
        .validate(&value)
        .map_err(|e| format!("{value} is invalid against {schema}: {e}"))
}

const NAMES: &[&str] = &[
    "id",
    "email",
    "first_name",
    "lastName",
    "name",
    "phone",
    "city",
    "country",
    "url",
    "avatar",
    "created_at",
    "price",
    "amount",
    "currency",
    "description",
    "user_id",
    "count",
    "total",
    "status",
    "title",
    "value",
    "x",
];
const FORMATS: &[&str] = &[
    "date",
    "date-time",
    "time",
    "email",
    "hostname",
    "uri",
    "uri-reference",
    "uuid",
    "ipv4",
    "ipv6",
    "byte",
    "binary",
    "password",
    "duration",
];
const PATTERNS: &[&str] = &[
    "^[a-z]{3,8}$",
    "^\\d{4}-\\d{2}$",
    "^[A-Z][a-z]+( [A-Z][a-z]+)*$",
    "^(?=.*\\d)[a-z0-9]{6,12}$",
    "^[^@\\s]+@example\\.com$",
    "ab+c",
    "^\\p{L}{2,5}$",
    "^\\S+$",
];

fn leaf(v31: bool) -> BoxedStrategy<Value> {
    let string = prop_oneof![
        (0u64..4, 0u64..20).prop_map(
            |(min, extra)| json!({"type": "string", "minLength": min, "maxLength": min + extra})
        ),
        prop::sample::select(FORMATS).prop_map(|f| json!({"type": "string", "format": f})),
        prop::sample::select(PATTERNS).prop_map(|p| json!({"type": "string", "pattern": p})),
        Just(json!({"type": "string", "enum": ["open", "closed", "pending"]})),
    ];
    let integer = (
        -50i64..50,
        0i64..100,
        prop::sample::select(vec![1i64, 2, 5, 7]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(move |(min, span, m, exmin, exmax)| {
            let max = min + span + 2 * m + 2;
            if v31 {
                let mut s = json!({"type": "integer", "multipleOf": m});
                s["exclusiveMinimum"] = json!(min);
                s["maximum"] = json!(max);
                if exmax {
                    s["exclusiveMaximum"] = json!(max);
                }
                s
            } else {
                json!({"type": "integer", "minimum": min, "maximum": max, "exclusiveMinimum": exmin,
                       "exclusiveMaximum": exmax, "multipleOf": m, "format": "int32"})
            }
        });
    let number = (-100.0f64..100.0, 1.0f64..50.0, prop::sample::select(vec![0.0, 0.5, 0.25, 0.01, 0.1]), any::<bool>())
        .prop_map(move |(min, span, m, ex)| {
            let min = (min * 4.0).round() / 4.0;
            let max = min + span.round() + 1.0;
            let mut s = if v31 {
                json!({"type": "number", "exclusiveMinimum": min, "maximum": max})
            } else {
                json!({"type": "number", "minimum": min, "maximum": max, "exclusiveMinimum": ex, "format": "double"})
            };
            if m > 0.0 {
                s["multipleOf"] = json!(m);
            }
            s
        });
    let mut options: Vec<BoxedStrategy<Value>> = vec![
        string.boxed(),
        integer.boxed(),
        number.boxed(),
        Just(json!({"type": "boolean"})).boxed(),
        Just(json!({"$ref": "#/components/schemas/Node"})).boxed(),
        Just(json!({"$ref": "#/components/schemas/a~1b%20c"})).boxed(),
        Just(json!({"type": "string", "default": "fallback", "example": 12})).boxed(),
    ];
    if v31 {
        options.push(Just(json!({"type": ["string", "null"]})).boxed());
        options.push(Just(json!({"const": "fixed"})).boxed());
        options.push(Just(json!({"type": "null"})).boxed());
    } else {
        options.push(Just(json!({"type": "string", "nullable": true, "maxLength": 4})).boxed());
        options
            .push(Just(json!({"type": "integer", "nullable": true, "enum": [1, 2, null]})).boxed());
    }
    prop::strategy::Union::new(options).boxed()
}

fn schema(v31: bool) -> impl Strategy<Value = Value> {
    leaf(v31).prop_recursive(3, 24, 4, move |inner| {
        prop_oneof![
            // Objects: properties, a random `required` subset, `additionalProperties`,
            // `minProperties`, readOnly/writeOnly.
            (
                prop::collection::vec((prop::sample::select(NAMES), inner.clone(), any::<bool>(), 0u8..6), 0..5),
                prop_oneof![Just(None), Just(Some(json!(false))), Just(Some(json!(true))), inner.clone().prop_map(Some)],
                0u64..3,
            )
                .prop_map(|(props, addl, min_props)| {
                    let mut p = Map::new();
                    let mut req = Vec::new();
                    for (name, s, required, flag) in props {
                        if p.contains_key(name) {
                            continue;
                        }
                        let mut s = s;
                        if flag == 0 && s.get("$ref").is_none() {
                            s["readOnly"] = json!(true);
                        }
                        if flag == 1 && !required && s.get("$ref").is_none() {
                            s["writeOnly"] = json!(true);
                        }
                        if required && !req.contains(&json!(name)) {
                            req.push(json!(name));
                        }
                        p.insert(name.to_string(), s);
                    }
                    // writeOnly properties are left out of responses: they cannot count towards
                    // `minProperties`.
                    let n = p.values().filter(|s| s.get("writeOnly").is_none()).count() as u64;
                    let mut o = json!({"type": "object", "properties": p, "required": req});
                    if let Some(a) = addl {
                        o["additionalProperties"] = a.clone();
                        if a != json!(false) || n >= min_props {
                            o["minProperties"] = json!(min_props.min(n.max(if a == json!(false) { 0 } else { 3 })));
                        }
                    }
                    o
                }),
            // Arrays: bounds, uniqueness with room for it.
            (inner.clone(), 0u64..3, 0u64..3, any::<bool>()).prop_map(|(items, min, extra, unique)| {
                let mut a = json!({"type": "array", "items": items, "minItems": min, "maxItems": min + extra});
                if unique && min <= 1 {
                    a["uniqueItems"] = json!(true);
                }
                a
            }),
            // Maps.
            inner.clone().prop_map(|v| json!({"type": "object", "additionalProperties": v})),
            (inner.clone()).prop_map(|v| json!({"type": "object", "patternProperties": {"^k_[a-z]+$": v}, "additionalProperties": false})),
            // Compositions.
            (inner.clone(), inner.clone()).prop_map(|(a, b)| json!({"anyOf": [a, b]})),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| json!({"allOf": [
                {"type": "object", "properties": {"left": a}, "required": ["left"]},
                {"type": "object", "properties": {"right": b}}
            ]})),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| json!({"oneOf": [
                {"type": "object", "properties": {"kind": {"enum": ["a"]}, "a": a}, "required": ["kind"]},
                {"type": "object", "properties": {"kind": {"enum": ["b"]}, "b": b}, "required": ["kind"]}
            ]})),
            inner.clone().prop_map(|a| json!({"oneOf": [{"type": "boolean"}, {"type": "array", "items": a}]})),
            inner.prop_map(|a| json!({"anyOf": [a, {"type": "string"}], "not": {"type": "boolean"}})),
        ]
    })
}

fn root() -> Value {
    json!({"components": {"schemas": {
        "Node": {"type": "object", "required": ["label"], "properties": {
            "label": {"type": "string", "maxLength": 10},
            "parent": {"$ref": "#/components/schemas/Node"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}
        }},
        "a/b c": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/a~1b%20c"}, "n": {"type": "integer"}}}
    }}})
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn openapi30_values_validate(s in schema(false), seed in any::<u64>()) {
        let r = check(&root(), &s, Dialect::OpenApi30, seed);
        prop_assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
    }

    #[test]
    fn openapi31_values_validate(s in schema(true), seed in any::<u64>()) {
        let r = check(&root(), &s, Dialect::OpenApi31, seed);
        prop_assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
    }

    #[test]
    fn same_seed_same_value(s in schema(false), seed in any::<u64>()) {
        let root = root();
        let ctx = GenContext { root: &root, dialect: Dialect::OpenApi30, direction: Direction::Response, seed, hints: &[] };
        prop_assert_eq!(generate(&ctx, &s, "#").ok(), generate(&ctx, &s, "#").ok());
    }
}

#[test]
fn swagger2_x_nullable_validates() {
    let root = json!({"definitions": {"Pet": {"type": "object", "required": ["name", "tag"], "properties": {
        "name": {"type": "string"}, "tag": {"type": "string", "x-nullable": true, "enum": [null]}}}}});
    for seed in 0..20 {
        let r = check(
            &root,
            &json!({"$ref": "#/definitions/Pet"}),
            Dialect::Swagger2,
            seed,
        );
        assert!(r.is_ok(), "{r:?}");
    }
}

#[test]
fn every_format_validates() {
    for f in FORMATS {
        for dialect in [Dialect::OpenApi30, Dialect::OpenApi31] {
            for seed in 0..10 {
                let r = check(
                    &json!({}),
                    &json!({"type": "string", "format": f}),
                    dialect,
                    seed,
                );
                assert!(r.is_ok(), "{f}: {r:?}");
            }
        }
    }
}
