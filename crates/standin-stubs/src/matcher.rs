//! WireMock value matchers ("content patterns"): what a header, query parameter, cookie,
//! form field, path variable or body must be for a stub to match.
//!
//! [`ValuePattern::parse`] reads WireMock's JSON shape (`{"equalTo": "x"}`,
//! `{"matchesJsonPath": {"expression": "$.a", "contains": "b"}}`, …) once, when the stub
//! loads: regexes, JSON documents, JSONPath and XPath expressions, schemas and dates are
//! compiled then, so a bad one is a [`StubError`] naming its JSON pointer and matching a
//! request never fails. [`MultiValuePattern`] lifts a pattern to fields that repeat.
//!
//! Semantics follow WireMock 3.13.2:
//! - `matches` / `doesNotMatch` take Java regex syntax, must match the whole value and
//!   run with DOTALL (`.` matches a newline); `doesNotContain` and `doesNotMatch` match
//!   an absent value.
//! - `absent` matches only an absent value, whatever its operand (`"absent": false` is
//!   read as `absent` by WireMock too).
//! - The date matchers resolve `now` from [`crate::date::with_now`], set by the caller
//!   around matching; the crate itself has no clock.
//!
//! [`ValuePattern::distance`] gives WireMock's near-miss scores (normalised Levenshtein
//! for `equalTo`, the share of differing nodes for `equalToJson` and `equalToXml`, time
//! apart for dates, 0/1 otherwise), except that a match is always 0.0. Work is bounded:
//! Levenshtein compares at most [`crate::distance::DISTANCE_CHARS`] characters of each side.

use crate::date::DatePattern;
use crate::distance::normalised_levenshtein;
use crate::error::{StubError, optional_bool};
use crate::jsonpath::JsonPath;
use crate::xml::{self, XmlOptions};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::fmt;
use std::sync::Arc;

/// The operator names WireMock recognises, in the order its deserialiser knows them.
pub(crate) const OPERATORS: &[&str] = &[
    "equalTo",
    "equalToJson",
    "matchesJsonPath",
    "matchesJsonSchema",
    "equalToXml",
    "matchesXPath",
    "contains",
    "not",
    "doesNotContain",
    "matches",
    "doesNotMatch",
    "before",
    "after",
    "equalToDateTime",
    "anything",
    "absent",
    "and",
    "or",
    "binaryEqualTo",
];

/// One WireMock value matcher.
#[derive(Debug, Clone)]
pub enum ValuePattern {
    /// `equalTo`, with `caseInsensitive` as given (echoed only when given).
    EqualTo {
        expected: String,
        case_insensitive: Option<bool>,
    },
    /// `contains`.
    Contains(String),
    /// `doesNotContain`: also matches an absent value.
    DoesNotContain(String),
    /// `matches`: the regex matches the whole value.
    Matches(JavaRegex),
    /// `doesNotMatch`: also matches an absent value.
    DoesNotMatch(JavaRegex),
    /// `absent`.
    Absent,
    /// `anything`.
    Anything,
    /// `binaryEqualTo`: the base64 operand and the bytes it decodes to.
    BinaryEqualTo { base64: String, bytes: Vec<u8> },
    /// `equalToJson`.
    EqualToJson(Box<JsonEqual>),
    /// `matchesJsonPath`, plain or with a sub-matcher.
    MatchesJsonPath(Box<JsonPathMatch>),
    /// `matchesJsonSchema`.
    MatchesJsonSchema(Box<SchemaMatch>),
    /// `equalToXml`.
    EqualToXml(Box<XmlEqual>),
    /// `matchesXPath`, plain or with a sub-matcher, with `xPathNamespaces`.
    MatchesXPath(Box<XPathMatch>),
    /// `before` / `after` / `equalToDateTime`.
    DateTime(Box<DatePattern>),
    /// `and`: every operand matches.
    And(Vec<ValuePattern>),
    /// `or`: some operand matches.
    Or(Vec<ValuePattern>),
    /// `not`: the operand does not match.
    Not(Box<ValuePattern>),
}

/// A Java regex translated to the Rust dialect and compiled to match a whole value.
#[derive(Clone)]
pub struct JavaRegex {
    /// The regex as the stub wrote it.
    pub source: String,
    re: Arc<fancy_regex::Regex>,
}

impl fmt::Debug for JavaRegex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JavaRegex({:?})", self.source)
    }
}

impl JavaRegex {
    /// Compiles `source` (Java syntax) so that it must match the whole value, with DOTALL.
    pub fn whole(source: &str) -> Result<JavaRegex, String> {
        let translated = java_to_rust_regex(source);
        let re = fancy_regex::RegexBuilder::new(&format!("(?s)\\A(?:{translated})\\z"))
            // Lookaround and backreferences backtrack; a bounded budget keeps a
            // pathological pattern from stalling a request (it is then a miss).
            .backtrack_limit(100_000)
            .build()
            .map_err(|e| format!("bad regex {source:?}: {e}"))?;
        Ok(JavaRegex {
            source: source.to_owned(),
            re: Arc::new(re),
        })
    }

    /// Whether the regex matches all of `text`; exhausting the backtracking budget is a miss.
    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text).unwrap_or(false)
    }
}

/// Rewrites the Java regex constructs Rust's dialect spells differently: `\Q…\E` quoting,
/// `\h`, `\Z`, possessive quantifiers (read as greedy) and the POSIX `\p{…}` classes.
fn java_to_rust_regex(src: &str) -> String {
    let chars: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len() + 8);
    let mut i = 0;
    let mut in_class = 0usize;
    // Whether the last token written was a quantifier (`*`, `+`, `?`, `{n,m}`), so that
    // a `+` now makes it possessive.
    let mut quantified = false;
    let mut in_braces = false;
    while i < chars.len() {
        let c = chars[i];
        let after_quantifier = std::mem::take(&mut quantified);
        if c == '\\' && i + 1 < chars.len() {
            let n = chars[i + 1];
            match n {
                'Q' => {
                    // Literal text up to \E (or the end).
                    let mut j = i + 2;
                    let mut lit = String::new();
                    while j < chars.len() && !(chars[j] == '\\' && chars.get(j + 1) == Some(&'E')) {
                        lit.push(chars[j]);
                        j += 1;
                    }
                    out.push_str(&regex::escape(&lit));
                    i = if j < chars.len() { j + 2 } else { j };
                    continue;
                }
                'h' => {
                    out.push_str(if in_class > 0 {
                        r" \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}"
                    } else {
                        r"[ \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}]"
                    });
                    i += 2;
                    continue;
                }
                'Z' => {
                    out.push_str(r"(?:\n?\z)");
                    i += 2;
                    continue;
                }
                'p' | 'P' if chars.get(i + 2) == Some(&'{') => {
                    let close = chars[i + 3..].iter().position(|&x| x == '}');
                    if let Some(len) = close {
                        let name: String = chars[i + 3..i + 3 + len].iter().collect();
                        if let Some(class) = posix_class(&name) {
                            let negate = n == 'P';
                            let body = class;
                            if in_class > 0 && !negate {
                                out.push_str(body);
                            } else {
                                out.push('[');
                                if negate {
                                    out.push('^');
                                }
                                out.push_str(body);
                                out.push(']');
                            }
                            i += 4 + len;
                            continue;
                        }
                    }
                }
                _ => {}
            }
            out.push(c);
            out.push(n);
            i += 2;
            continue;
        }
        match c {
            '[' => in_class += 1,
            ']' if in_class > 0 => in_class -= 1,
            '+' if in_class == 0 && after_quantifier => {
                // A possessive quantifier: Rust has none; the greedy one matches the same
                // whole values in all but contrived patterns.
                i += 1;
                continue;
            }
            '*' | '+' | '?' if in_class == 0 => quantified = !after_quantifier,
            '{' if in_class == 0 => in_braces = true,
            '}' if in_class == 0 && in_braces => {
                in_braces = false;
                quantified = true;
            }
            _ => {}
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The POSIX classes Java names with `\p{…}`, as the body of a character class.
fn posix_class(name: &str) -> Option<&'static str> {
    Some(match name {
        "Lower" | "javaLowerCase" => "a-z",
        "Upper" | "javaUpperCase" => "A-Z",
        "ASCII" => r"\x00-\x7F",
        "Alpha" => "a-zA-Z",
        "Digit" => "0-9",
        "Alnum" => "a-zA-Z0-9",
        "Punct" => r"!-/:-@\[-`{-~",
        "Graph" => r"!-~",
        "Print" => r" -~",
        "Blank" => r" \t",
        "Cntrl" => r"\x00-\x1F\x7F",
        "XDigit" => "0-9a-fA-F",
        "Space" | "javaWhitespace" => r" \t\n\x0B\f\r",
        _ => return None,
    })
}

/// `equalToJson`: the expected document and its options.
#[derive(Debug, Clone)]
pub struct JsonEqual {
    /// The expected document.
    pub expected: Value,
    /// Whether the stub gave it as a string (echoed the same way).
    pub as_string: Option<String>,
    /// `ignoreArrayOrder` as given.
    pub ignore_array_order: Option<bool>,
    /// `ignoreExtraElements` as given.
    pub ignore_extra_elements: Option<bool>,
}

/// `matchesJsonPath`: the compiled expression and the optional sub-matcher.
#[derive(Debug, Clone)]
pub struct JsonPathMatch {
    /// The expression as written.
    pub expression: String,
    path: JsonPath,
    /// The sub-matcher of the `{expression, …}` form.
    pub sub: Option<ValuePattern>,
}

/// `matchesXPath`: the expression, its namespaces and the optional sub-matcher.
#[derive(Debug, Clone)]
pub struct XPathMatch {
    /// The expression as written.
    pub expression: String,
    /// `xPathNamespaces`, in the stub's order.
    pub namespaces: Vec<(String, String)>,
    /// The sub-matcher of the `{expression, …}` form.
    pub sub: Option<ValuePattern>,
}

/// `matchesJsonSchema`: the schema, compiled once.
#[derive(Clone)]
pub struct SchemaMatch {
    /// The schema as given (a string stays a string in the echo).
    pub schema: Value,
    /// The schema text when the stub gave it as a string.
    pub as_string: Option<String>,
    /// `schemaVersion` as given.
    pub version: Option<String>,
    validator: Arc<jsonschema::Validator>,
    property_count: usize,
}

impl fmt::Debug for SchemaMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaMatch")
            .field("schema", &self.schema)
            .field("version", &self.version)
            .finish()
    }
}

/// `equalToXml`: the expected document and its options.
#[derive(Debug, Clone)]
pub struct XmlEqual {
    /// The expected document as written.
    pub expected: String,
    /// The options read from the stub.
    pub options: XmlOptions,
    /// The option fields as given, echoed back (`enablePlaceholders`, …).
    pub given: Map<String, Value>,
}

fn text_operand(obj: &Map<String, Value>, key: &str, pointer: &str) -> Result<String, StubError> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        _ => Err(StubError::new(
            format!("{pointer}/{key}"),
            format!("{key} operand must be a non-null string"),
        )),
    }
}

fn pattern_list(v: &Value, pointer: &str, key: &str) -> Result<Vec<ValuePattern>, StubError> {
    let Some(items) = v.as_array() else {
        return Err(StubError::new(
            pointer,
            format!("{key} must be an array of matchers"),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, x)| ValuePattern::parse(x, &format!("{pointer}/{i}")))
        .collect()
}

fn parse_json_text(text: &str, pointer: &str, what: &str) -> Result<Value, StubError> {
    serde_json::from_str(text)
        .map_err(|e| StubError::new(pointer, format!("{what} is not valid JSON: {e}")))
}

impl ValuePattern {
    /// Parses a matcher object at `pointer`. The operator is the first key WireMock
    /// knows; other keys are its options, and keys WireMock ignores are ignored.
    pub fn parse(v: &Value, pointer: &str) -> Result<ValuePattern, StubError> {
        let Some(obj) = v.as_object() else {
            return Err(StubError::new(
                pointer,
                format!("a matcher must be an object such as {{\"equalTo\": \"x\"}}, not {v}"),
            ));
        };
        let Some(op) = obj.keys().find(|k| OPERATORS.contains(&k.as_str())) else {
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            return Err(StubError::new(
                pointer,
                format!(
                    "no known matcher among the keys {keys:?}; expected one of {}",
                    OPERATORS.join(", ")
                ),
            ));
        };
        let at = format!("{pointer}/{op}");
        Ok(match op.as_str() {
            "equalTo" => ValuePattern::EqualTo {
                expected: text_operand(obj, op, pointer)?,
                case_insensitive: optional_bool(obj, "caseInsensitive", pointer)?,
            },
            "contains" => ValuePattern::Contains(text_operand(obj, op, pointer)?),
            "doesNotContain" => ValuePattern::DoesNotContain(text_operand(obj, op, pointer)?),
            "matches" => ValuePattern::Matches(
                JavaRegex::whole(&text_operand(obj, op, pointer)?)
                    .map_err(|e| StubError::new(&at, e))?,
            ),
            "doesNotMatch" => ValuePattern::DoesNotMatch(
                JavaRegex::whole(&text_operand(obj, op, pointer)?)
                    .map_err(|e| StubError::new(&at, e))?,
            ),
            "absent" => ValuePattern::Absent,
            "anything" => ValuePattern::Anything,
            "binaryEqualTo" => {
                let text = text_operand(obj, op, pointer)?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|e| {
                        StubError::new(&at, format!("binaryEqualTo is not base64: {e}"))
                    })?;
                ValuePattern::BinaryEqualTo {
                    base64: text,
                    bytes,
                }
            }
            "equalToJson" => {
                let operand = &obj[op.as_str()];
                let (expected, as_string) = match operand {
                    Value::String(s) => (parse_json_text(s, &at, "equalToJson")?, Some(s.clone())),
                    Value::Null => {
                        return Err(StubError::new(&at, "equalToJson needs a JSON document"));
                    }
                    other => (other.clone(), None),
                };
                ValuePattern::EqualToJson(Box::new(JsonEqual {
                    expected,
                    as_string,
                    ignore_array_order: optional_bool(obj, "ignoreArrayOrder", pointer)?,
                    ignore_extra_elements: optional_bool(obj, "ignoreExtraElements", pointer)?,
                }))
            }
            "matchesJsonPath" => match &obj[op.as_str()] {
                Value::String(expr) => ValuePattern::MatchesJsonPath(Box::new(JsonPathMatch {
                    path: JsonPath::compile(expr).map_err(|e| StubError::new(&at, e))?,
                    expression: expr.clone(),
                    sub: None,
                })),
                Value::Object(inner) => {
                    let expr = text_operand(inner, "expression", &at)?;
                    let path = JsonPath::compile(&expr)
                        .map_err(|e| StubError::new(format!("{at}/expression"), e))?;
                    let sub = ValuePattern::parse(&Value::Object(inner.clone()), &at)?;
                    ValuePattern::MatchesJsonPath(Box::new(JsonPathMatch {
                        expression: expr,
                        path,
                        sub: Some(sub),
                    }))
                }
                _ => {
                    return Err(StubError::new(
                        &at,
                        "matchesJsonPath must be an expression or {\"expression\": …, <matcher>}",
                    ));
                }
            },
            "matchesXPath" => {
                let namespaces = match obj.get("xPathNamespaces") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Object(ns)) => ns
                        .iter()
                        .map(|(k, v)| match v {
                            Value::String(uri) => Ok((k.clone(), uri.clone())),
                            _ => Err(StubError::new(
                                format!("{pointer}/xPathNamespaces/{k}"),
                                "a namespace URI must be a string",
                            )),
                        })
                        .collect::<Result<_, _>>()?,
                    Some(_) => {
                        return Err(StubError::new(
                            format!("{pointer}/xPathNamespaces"),
                            "xPathNamespaces must map prefixes to URIs",
                        ));
                    }
                };
                let (expression, sub, expr_at) = match &obj[op.as_str()] {
                    Value::String(expr) => (expr.clone(), None, at.clone()),
                    Value::Object(inner) => {
                        let expr = text_operand(inner, "expression", &at)?;
                        let sub = ValuePattern::parse(&Value::Object(inner.clone()), &at)?;
                        (expr, Some(sub), format!("{at}/expression"))
                    }
                    _ => {
                        return Err(StubError::new(
                            &at,
                            "matchesXPath must be an expression or {\"expression\": …, <matcher>}",
                        ));
                    }
                };
                xml::check_xpath(&expression, &namespaces)
                    .map_err(|e| StubError::new(expr_at, e))?;
                ValuePattern::MatchesXPath(Box::new(XPathMatch {
                    expression,
                    namespaces,
                    sub,
                }))
            }
            "matchesJsonSchema" => {
                let operand = &obj[op.as_str()];
                let (schema, as_string) = match operand {
                    Value::String(s) => (
                        parse_json_text(s, &at, "matchesJsonSchema")?,
                        Some(s.clone()),
                    ),
                    other => (other.clone(), None),
                };
                let version = match obj.get("schemaVersion") {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(_) => {
                        return Err(StubError::new(
                            format!("{pointer}/schemaVersion"),
                            "schemaVersion must be one of V4, V6, V7, V201909, V202012",
                        ));
                    }
                };
                let draft = match version.as_deref() {
                    None | Some("V202012") => jsonschema::Draft::Draft202012,
                    Some("V201909") => jsonschema::Draft::Draft201909,
                    Some("V7") => jsonschema::Draft::Draft7,
                    Some("V6") => jsonschema::Draft::Draft6,
                    Some("V4") => jsonschema::Draft::Draft4,
                    Some(other) => {
                        return Err(StubError::new(
                            format!("{pointer}/schemaVersion"),
                            format!(
                                "schemaVersion {other:?} must be one of V4, V6, V7, V201909, V202012"
                            ),
                        ));
                    }
                };
                let validator = jsonschema::options()
                    .with_draft(draft)
                    .build(&schema)
                    .map_err(|e| StubError::new(&at, format!("invalid JSON Schema: {e}")))?;
                ValuePattern::MatchesJsonSchema(Box::new(SchemaMatch {
                    property_count: schema_property_count(&schema),
                    schema,
                    as_string,
                    version,
                    validator: Arc::new(validator),
                }))
            }
            "equalToXml" => {
                let expected = text_operand(obj, op, pointer)?;
                let mut given = Map::new();
                for key in [
                    "enablePlaceholders",
                    "placeholderOpeningDelimiterRegex",
                    "placeholderClosingDelimiterRegex",
                    "exemptedComparisons",
                    "ignoreOrderOfSameNode",
                    "namespaceAwareness",
                ] {
                    if let Some(v) = obj.get(key).filter(|v| !v.is_null()) {
                        given.insert(key.to_owned(), v.clone());
                    }
                }
                let options = XmlOptions::from_json(&given, pointer)?;
                xml::check_document(&expected, &options).map_err(|e| StubError::new(&at, e))?;
                ValuePattern::EqualToXml(Box::new(XmlEqual {
                    expected,
                    options,
                    given,
                }))
            }
            "before" | "after" | "equalToDateTime" => {
                ValuePattern::DateTime(Box::new(DatePattern::parse(obj, op, pointer)?))
            }
            "and" | "or" => {
                let items = pattern_list(&obj[op.as_str()], &at, op)?;
                if items.len() < 2 {
                    return Err(StubError::new(
                        &at,
                        format!("{op} needs at least two matchers"),
                    ));
                }
                if op == "and" {
                    ValuePattern::And(items)
                } else {
                    ValuePattern::Or(items)
                }
            }
            "not" => ValuePattern::Not(Box::new(ValuePattern::parse(&obj[op.as_str()], &at)?)),
            _ => return Err(StubError::new(pointer, format!("unknown matcher {op}"))),
        })
    }

    /// Whether `actual` (None = value absent) matches.
    pub fn matches(&self, actual: Option<&str>) -> bool {
        match self {
            ValuePattern::EqualTo {
                expected,
                case_insensitive,
            } => actual.is_some_and(|a| {
                if *case_insensitive == Some(true) {
                    eq_ignore_case(expected, a)
                } else {
                    expected == a
                }
            }),
            ValuePattern::Contains(s) => actual.is_some_and(|a| a.contains(s.as_str())),
            ValuePattern::DoesNotContain(s) => actual.is_none_or(|a| !a.contains(s.as_str())),
            ValuePattern::Matches(r) => actual.is_some_and(|a| r.is_match(a)),
            ValuePattern::DoesNotMatch(r) => actual.is_none_or(|a| !r.is_match(a)),
            ValuePattern::Absent => actual.is_none(),
            ValuePattern::Anything => true,
            ValuePattern::BinaryEqualTo { bytes, .. } => {
                actual.is_some_and(|a| a.as_bytes() == bytes)
            }
            ValuePattern::EqualToJson(j) => actual.is_some_and(|a| j.evaluate(a).0),
            ValuePattern::MatchesJsonPath(p) => p.evaluate(actual).0,
            ValuePattern::MatchesJsonSchema(s) => actual.is_some_and(|a| s.evaluate(a).0),
            ValuePattern::EqualToXml(x) => {
                actual.is_some_and(|a| !a.is_empty() && xml::equal_xml(&x.expected, a, &x.options))
            }
            ValuePattern::MatchesXPath(p) => p.evaluate(actual).0,
            ValuePattern::DateTime(d) => d.evaluate(actual, crate::date::current_now_ms()).0,
            ValuePattern::And(ps) => ps.iter().all(|p| p.matches(actual)),
            ValuePattern::Or(ps) => ps.iter().any(|p| p.matches(actual)),
            ValuePattern::Not(p) => !p.matches(actual),
        }
    }

    /// Whether a body matches: `binaryEqualTo` compares the raw bytes, every other
    /// matcher the body read as UTF-8 (invalid sequences replaced).
    pub fn matches_bytes(&self, actual: &[u8]) -> bool {
        match self {
            ValuePattern::BinaryEqualTo { bytes, .. } => actual == bytes.as_slice(),
            ValuePattern::And(ps) => ps.iter().all(|p| p.matches_bytes(actual)),
            ValuePattern::Or(ps) => ps.iter().any(|p| p.matches_bytes(actual)),
            ValuePattern::Not(p) => !p.matches_bytes(actual),
            _ => self.matches(Some(&String::from_utf8_lossy(actual))),
        }
    }

    /// How far `actual` is from matching: 0.0 for a match, up to 1.0. WireMock's scores:
    /// normalised Levenshtein for `equalTo`, node differences for JSON and XML, time
    /// apart for dates, the closest operand for `or` and selections, the mean for
    /// `and`, 1.0 for other misses.
    pub fn distance(&self, actual: Option<&str>) -> f64 {
        match self {
            ValuePattern::EqualTo {
                expected,
                case_insensitive,
            } => match actual {
                None => 1.0,
                Some(a) => {
                    let matched = if *case_insensitive == Some(true) {
                        eq_ignore_case(expected, a)
                    } else {
                        expected == a
                    };
                    if matched {
                        0.0
                    } else {
                        normalised_levenshtein(expected, a)
                    }
                }
            },
            ValuePattern::EqualToJson(j) => match actual {
                None => 1.0,
                Some(a) => j.evaluate(a).1,
            },
            ValuePattern::MatchesJsonPath(p) => p.evaluate(actual).1,
            ValuePattern::MatchesJsonSchema(s) => actual.map_or(1.0, |a| s.evaluate(a).1),
            ValuePattern::EqualToXml(x) => match actual {
                Some(a) if !a.is_empty() => xml::xml_distance(&x.expected, a, &x.options),
                _ => 1.0,
            },
            ValuePattern::MatchesXPath(p) => p.evaluate(actual).1,
            ValuePattern::DateTime(d) => d.evaluate(actual, crate::date::current_now_ms()).1,
            ValuePattern::And(ps) => {
                if ps.is_empty() {
                    return 0.0;
                }
                ps.iter().map(|p| p.distance(actual)).sum::<f64>() / ps.len() as f64
            }
            ValuePattern::Or(ps) => ps.iter().map(|p| p.distance(actual)).fold(1.0, f64::min),
            _ => {
                if self.matches(actual) {
                    0.0
                } else {
                    1.0
                }
            }
        }
    }

    /// WireMock's JSON shape, for the admin API's echo of a stub.
    pub fn to_json(&self) -> Value {
        match self {
            ValuePattern::EqualTo {
                expected,
                case_insensitive,
            } => {
                let mut m = Map::new();
                m.insert("equalTo".into(), json!(expected));
                if let Some(ci) = case_insensitive {
                    m.insert("caseInsensitive".into(), json!(ci));
                }
                Value::Object(m)
            }
            ValuePattern::Contains(s) => json!({"contains": s}),
            ValuePattern::DoesNotContain(s) => json!({"doesNotContain": s}),
            ValuePattern::Matches(r) => json!({"matches": r.source}),
            ValuePattern::DoesNotMatch(r) => json!({"doesNotMatch": r.source}),
            ValuePattern::Absent => json!({"absent": true}),
            ValuePattern::Anything => json!({"anything": "anything"}),
            ValuePattern::BinaryEqualTo { bytes, .. } => {
                json!({"binaryEqualTo": base64::engine::general_purpose::STANDARD.encode(bytes)})
            }
            ValuePattern::EqualToJson(j) => {
                let mut m = Map::new();
                m.insert(
                    "equalToJson".into(),
                    match &j.as_string {
                        Some(s) => json!(s),
                        None => j.expected.clone(),
                    },
                );
                if let Some(b) = j.ignore_array_order {
                    m.insert("ignoreArrayOrder".into(), json!(b));
                }
                if let Some(b) = j.ignore_extra_elements {
                    m.insert("ignoreExtraElements".into(), json!(b));
                }
                Value::Object(m)
            }
            ValuePattern::MatchesJsonPath(p) => match &p.sub {
                None => json!({"matchesJsonPath": p.expression}),
                Some(sub) => json!({"matchesJsonPath": advanced_json(&p.expression, sub)}),
            },
            ValuePattern::MatchesXPath(p) => {
                let mut m = Map::new();
                m.insert(
                    "matchesXPath".into(),
                    match &p.sub {
                        None => json!(p.expression),
                        Some(sub) => advanced_json(&p.expression, sub),
                    },
                );
                if !p.namespaces.is_empty() {
                    let ns: Map<String, Value> = p
                        .namespaces
                        .iter()
                        .map(|(k, v)| (k.clone(), json!(v)))
                        .collect();
                    m.insert("xPathNamespaces".into(), Value::Object(ns));
                }
                Value::Object(m)
            }
            ValuePattern::MatchesJsonSchema(s) => {
                let mut m = Map::new();
                m.insert(
                    "matchesJsonSchema".into(),
                    match &s.as_string {
                        Some(text) => json!(text),
                        None => s.schema.clone(),
                    },
                );
                m.insert(
                    "schemaVersion".into(),
                    json!(s.version.as_deref().unwrap_or("V202012")),
                );
                Value::Object(m)
            }
            ValuePattern::EqualToXml(x) => {
                let mut m = Map::new();
                m.insert("equalToXml".into(), json!(x.expected));
                for (k, v) in &x.given {
                    m.insert(k.clone(), v.clone());
                }
                Value::Object(m)
            }
            ValuePattern::DateTime(d) => d.to_json(),
            ValuePattern::And(ps) => {
                json!({"and": ps.iter().map(ValuePattern::to_json).collect::<Vec<_>>()})
            }
            ValuePattern::Or(ps) => {
                json!({"or": ps.iter().map(ValuePattern::to_json).collect::<Vec<_>>()})
            }
            ValuePattern::Not(p) => json!({"not": p.to_json()}),
        }
    }

    /// WireMock's name of the operator (`equalTo`, `matchesJsonPath`, `and`, …).
    pub fn name(&self) -> &'static str {
        match self {
            ValuePattern::EqualTo { .. } => "equalTo",
            ValuePattern::Contains(_) => "contains",
            ValuePattern::DoesNotContain(_) => "doesNotContain",
            ValuePattern::Matches(_) => "matches",
            ValuePattern::DoesNotMatch(_) => "doesNotMatch",
            ValuePattern::Absent => "absent",
            ValuePattern::Anything => "anything",
            ValuePattern::BinaryEqualTo { .. } => "binaryEqualTo",
            ValuePattern::EqualToJson(_) => "equalToJson",
            ValuePattern::MatchesJsonPath(_) => "matchesJsonPath",
            ValuePattern::MatchesJsonSchema(_) => "matchesJsonSchema",
            ValuePattern::EqualToXml(_) => "equalToXml",
            ValuePattern::MatchesXPath(_) => "matchesXPath",
            ValuePattern::DateTime(d) => d.operator(),
            ValuePattern::And(_) => "and",
            ValuePattern::Or(_) => "or",
            ValuePattern::Not(_) => "not",
        }
    }

    /// WireMock's printed expected value (`getExpected`): the operand, pretty JSON for
    /// JSON documents, `(absent)`, `equalTo a AND contains b` for `and`/`or`, the
    /// expression for JSONPath/XPath.
    pub fn expected(&self) -> String {
        match self {
            ValuePattern::EqualTo { expected, .. }
            | ValuePattern::Contains(expected)
            | ValuePattern::DoesNotContain(expected) => expected.clone(),
            ValuePattern::Matches(r) | ValuePattern::DoesNotMatch(r) => r.source.clone(),
            ValuePattern::Absent => "(absent)".into(),
            ValuePattern::Anything => "(always)".into(),
            ValuePattern::BinaryEqualTo { bytes, .. } => {
                base64::engine::general_purpose::STANDARD.encode(bytes)
            }
            ValuePattern::EqualToJson(j) => pretty_json(&j.expected),
            ValuePattern::MatchesJsonPath(p) => p.expression.clone(),
            ValuePattern::MatchesJsonSchema(s) => pretty_json(&s.schema),
            ValuePattern::EqualToXml(x) => {
                xml::pretty_print(&x.expected).unwrap_or_else(|| x.expected.clone())
            }
            ValuePattern::MatchesXPath(p) => p.expression.clone(),
            ValuePattern::DateTime(d) => d.expected_text(),
            ValuePattern::And(ps) | ValuePattern::Or(ps) => {
                let joiner = if matches!(self, ValuePattern::And(_)) {
                    " AND "
                } else {
                    " OR "
                };
                ps.iter()
                    .map(|p| format!("{} {}", p.name(), p.expected()))
                    .collect::<Vec<_>>()
                    .join(joiner)
            }
            ValuePattern::Not(p) => p.expected(),
        }
    }

    /// Whether this is a plain `equalTo`, which the diff report prints without an
    /// operator (`Accept: text/plain`, `Query: q = 1`).
    pub fn is_plain_equal_to(&self) -> bool {
        matches!(self, ValuePattern::EqualTo { .. })
    }

    /// The diff-report form of the matcher on its own: `[contains] : abc`,
    /// `[equalToJson]` and the pretty document on the next lines, `$.a [equalTo] b`
    /// for a JSONPath or XPath with a sub-matcher, the expression for a plain one.
    pub fn describe(&self) -> String {
        match self {
            ValuePattern::MatchesJsonPath(p) => describe_path(&p.expression, p.sub.as_ref()),
            ValuePattern::MatchesXPath(p) => describe_path(&p.expression, p.sub.as_ref()),
            ValuePattern::EqualToJson(_)
            | ValuePattern::EqualToXml(_)
            | ValuePattern::MatchesJsonSchema(_) => {
                format!("[{}]\n{}", self.name(), self.expected())
            }
            _ => format!("[{}] : {}", self.name(), self.expected()),
        }
    }
}

fn describe_path(expression: &str, sub: Option<&ValuePattern>) -> String {
    match sub {
        None => expression.to_owned(),
        Some(sub) => format!("{expression} [{}] {}", sub.name(), sub.expected()),
    }
}

/// `{"expression": …, <sub-matcher fields>}`, the advanced JSONPath/XPath shape.
fn advanced_json(expression: &str, sub: &ValuePattern) -> Value {
    let mut m = Map::new();
    m.insert("expression".into(), json!(expression));
    if let Value::Object(fields) = sub.to_json() {
        for (k, v) in fields {
            m.insert(k, v);
        }
    }
    Value::Object(m)
}

/// Java's `equalsIgnoreCase`: characters equal after upper- or lower-casing.
fn eq_ignore_case(a: &str, b: &str) -> bool {
    let mut x = a.chars();
    let mut y = b.chars();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) => {
                if p != q
                    && !p.to_uppercase().eq(q.to_uppercase())
                    && !p.to_lowercase().eq(q.to_lowercase())
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// JSON pretty-printed the way WireMock (Jackson's default printer) does it:
/// `"key" : value`, two-space indents per object, arrays inline as `[ 1, 2 ]`.
pub fn pretty_json(v: &Value) -> String {
    let mut out = String::new();
    write_pretty(v, 0, &mut out);
    out
}

fn write_pretty(v: &Value, depth: usize, out: &mut String) {
    match v {
        Value::Object(m) if m.is_empty() => out.push_str("{ }"),
        Value::Object(m) => {
            out.push('{');
            for (i, (k, val)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push('\n');
                out.push_str(&"  ".repeat(depth + 1));
                out.push_str(&Value::String(k.clone()).to_string());
                out.push_str(" : ");
                write_pretty(val, depth + 1, out);
            }
            out.push('\n');
            out.push_str(&"  ".repeat(depth));
            out.push('}');
        }
        Value::Array(a) if a.is_empty() => out.push_str("[ ]"),
        Value::Array(a) => {
            out.push_str("[ ");
            for (i, val) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_pretty(val, depth, out);
            }
            out.push_str(" ]");
        }
        other => out.push_str(&other.to_string()),
    }
}

// ---------------------------------------------------------------- equalToJson

impl JsonEqual {
    /// (matched, distance) of `actual` against the expected document.
    fn evaluate(&self, actual: &str) -> (bool, f64) {
        let Ok(doc) = serde_json::from_str::<Value>(actual) else {
            return (false, 1.0);
        };
        let opts = JsonOpts {
            ignore_order: self.ignore_array_order == Some(true),
            ignore_extra: self.ignore_extra_elements == Some(true),
        };
        let diffs = json_diff(&self.expected, Some(&doc), opts);
        if diffs == 0 {
            return (true, 0.0);
        }
        let max = deep_size(&self.expected).max(deep_size(&doc)).max(1);
        (false, (diffs as f64 / max as f64).min(1.0))
    }
}

#[derive(Clone, Copy)]
struct JsonOpts {
    ignore_order: bool,
    ignore_extra: bool,
}

/// WireMock's `Json.deepSize`: a node counts 1, each child 1 more, containers recursively.
fn deep_size(v: &Value) -> usize {
    let children: Box<dyn Iterator<Item = &Value>> = match v {
        Value::Object(m) => Box::new(m.values()),
        Value::Array(a) => Box::new(a.iter()),
        _ => return 1,
    };
    let mut acc = 1;
    for c in children {
        acc += 1;
        if c.is_object() || c.is_array() {
            acc += deep_size(c);
        }
    }
    acc
}

/// A JsonUnit placeholder in an expected string.
enum Placeholder<'a> {
    AnyString,
    AnyNumber,
    AnyBoolean,
    Ignore,
    IgnoreElement,
    Regex(&'a str),
}

fn placeholder(s: &str) -> Option<Placeholder<'_>> {
    // JsonUnit accepts `#{…}` as well as `${…}`.
    let rest = s
        .strip_prefix("${json-unit.")
        .or_else(|| s.strip_prefix("#{json-unit."))?;
    if let Some(re) = rest.strip_prefix("regex}") {
        return Some(Placeholder::Regex(re));
    }
    Some(match rest {
        "any-string}" => Placeholder::AnyString,
        "any-number}" => Placeholder::AnyNumber,
        "any-boolean}" => Placeholder::AnyBoolean,
        "ignore}" => Placeholder::Ignore,
        "ignore-element}" => Placeholder::IgnoreElement,
        _ => return None,
    })
}

/// Numbers compare by value (`1` equals `1.0`), as WireMock's normalised comparator does.
fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a.to_string() == b.to_string(),
    }
}

/// The number of differences between `expected` and `actual` (None = missing), each
/// weighted by the size of the larger side as WireMock's counting listener does.
fn json_diff(expected: &Value, actual: Option<&Value>, opts: JsonOpts) -> usize {
    if let Value::String(s) = expected
        && let Some(p) = placeholder(s)
    {
        let ok = match (p, actual) {
            (Placeholder::IgnoreElement, _) => true,
            (_, None) => false,
            (Placeholder::Ignore, Some(_)) => true,
            (Placeholder::AnyString, Some(a)) => a.is_string(),
            (Placeholder::AnyNumber, Some(a)) => a.is_number(),
            (Placeholder::AnyBoolean, Some(a)) => a.is_boolean(),
            (Placeholder::Regex(re), Some(Value::String(a))) => {
                // JsonUnit's regex matches the whole string; a bad one never matches.
                JavaRegex::whole(re).map(|r| r.is_match(a)).unwrap_or(false)
            }
            (Placeholder::Regex(_), Some(_)) => false,
        };
        return if ok { 0 } else { weight(expected, actual) };
    }
    let Some(actual) = actual else {
        return weight(expected, None);
    };
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            let mut n = 0;
            for (k, ev) in e {
                n += json_diff(ev, a.get(k), opts);
            }
            if !opts.ignore_extra {
                for (k, av) in a {
                    if !e.contains_key(k) {
                        n += weight(av, None);
                    }
                }
            }
            n
        }
        (Value::Array(e), Value::Array(a)) => array_diff(e, a, opts),
        (Value::Number(x), Value::Number(y)) => usize::from(!numbers_equal(x, y)),
        (x, y) => {
            if x == y {
                0
            } else {
                weight(x, Some(y))
            }
        }
    }
}

fn weight(expected: &Value, actual: Option<&Value>) -> usize {
    deep_size(expected).max(actual.map_or(0, deep_size)).max(1)
}

fn array_diff(e: &[Value], a: &[Value], opts: JsonOpts) -> usize {
    let expected: Vec<&Value> = e
        .iter()
        .filter(|v| !matches!(v, Value::String(s) if matches!(placeholder(s), Some(Placeholder::IgnoreElement))))
        .collect();
    let size_diff = if opts.ignore_extra {
        usize::from(a.len() < expected.len())
    } else {
        usize::from(a.len() != expected.len())
    };
    if !opts.ignore_order {
        let mut n = size_diff;
        for (i, ev) in expected.iter().enumerate() {
            n += json_diff(ev, a.get(i), opts);
        }
        if !opts.ignore_extra {
            for av in a.iter().skip(expected.len()) {
                n += weight(av, None);
            }
        }
        return n;
    }
    // Order ignored: pair each expected element with a distinct equal actual element
    // (a bipartite matching, so placeholders cannot steal another element's partner).
    let equal: Vec<Vec<bool>> = expected
        .iter()
        .map(|ev| {
            a.iter()
                .map(|av| json_diff(ev, Some(av), opts) == 0)
                .collect()
        })
        .collect();
    let mut partner: Vec<Option<usize>> = vec![None; a.len()];
    let mut unmatched = Vec::new();
    for i in 0..expected.len() {
        let mut seen = vec![false; a.len()];
        if !augment(i, &equal, &mut seen, &mut partner) {
            unmatched.push(i);
        }
    }
    let mut n = size_diff;
    for i in unmatched {
        n += weight(expected[i], None);
    }
    if !opts.ignore_extra {
        for (j, av) in a.iter().enumerate() {
            if partner[j].is_none() && a.len() > expected.len() {
                n += weight(av, None);
            }
        }
    }
    n
}

fn augment(
    i: usize,
    equal: &[Vec<bool>],
    seen: &mut [bool],
    partner: &mut [Option<usize>],
) -> bool {
    for j in 0..partner.len() {
        if equal[i][j] && !seen[j] {
            seen[j] = true;
            if partner[j].is_none_or(|k| augment(k, equal, seen, partner)) {
                partner[j] = Some(i);
                return true;
            }
        }
    }
    false
}

// ---------------------------------------------------------------- matchesJsonPath

impl JsonPathMatch {
    /// (matched, distance) of the document `actual` (None = no body).
    fn evaluate(&self, actual: Option<&str>) -> (bool, f64) {
        let Some(sub) = &self.sub else {
            let ok = self.simple(actual);
            return (ok, if ok { 0.0 } else { 1.0 });
        };
        let mut values = self.expression_result(actual, sub);
        if values.is_empty() && matches!(sub, ValuePattern::Absent) {
            values.push(None);
        }
        let mut best: f64 = 1.0;
        for v in &values {
            if sub.matches(v.as_deref()) {
                return (true, 0.0);
            }
            best = best.min(sub.distance(v.as_deref()));
        }
        (false, best)
    }

    /// The plain form: the expression selects something non-empty.
    fn simple(&self, actual: Option<&str>) -> bool {
        let Some(doc) = actual.and_then(parse_json_document) else {
            return false;
        };
        match self.path.read(&doc) {
            Some(Value::Null) | None => false,
            Some(Value::Array(a)) => !a.is_empty(),
            Some(Value::Object(o)) => !o.is_empty(),
            Some(_) => true,
        }
    }

    /// The strings a sub-matcher is applied to, as WireMock builds them: an object (or
    /// a list, for `equalToJson`) as its JSON text, each element of a list, a scalar
    /// as its text; nothing for a missing or null result.
    fn expression_result(&self, actual: Option<&str>, sub: &ValuePattern) -> Vec<Option<String>> {
        let Some(doc) = actual.and_then(parse_json_document) else {
            return Vec::new();
        };
        match self.path.read(&doc) {
            None | Some(Value::Null) => Vec::new(),
            Some(v @ Value::Object(_)) => vec![Some(v.to_string())],
            Some(v @ Value::Array(_)) if matches!(sub, ValuePattern::EqualToJson(_)) => {
                vec![Some(v.to_string())]
            }
            Some(Value::Array(items)) => items.iter().map(|i| Some(value_text(i))).collect(),
            Some(v) => vec![Some(value_text(&v))],
        }
    }
}

/// Parses a body as JSON; like WireMock, a body that starts with `<` is not tried.
fn parse_json_document(text: &str) -> Option<Value> {
    if text.trim_start().starts_with('<') {
        return None;
    }
    serde_json::from_str(text).ok()
}

/// A JSON value as a sub-matcher sees it: a string as is, anything else as JSON text.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------- matchesJsonSchema

/// WireMock's `Json.schemaPropertyCount`: properties, nested properties included.
fn schema_property_count(schema: &Value) -> usize {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return 0;
    };
    props
        .values()
        .map(|p| {
            1 + if p.get("properties").is_some() {
                schema_property_count(p)
            } else {
                0
            }
        })
        .sum()
}

impl SchemaMatch {
    /// (matched, distance). A value that is not JSON is validated as a string; a JSON
    /// scalar that fails is retried as its text, as WireMock does (a query parameter
    /// `12` satisfies `{"type": "string"}`).
    fn evaluate(&self, actual: &str) -> (bool, f64) {
        let parsed = serde_json::from_str::<Value>(actual)
            .unwrap_or_else(|_| Value::String(actual.to_owned()));
        let mut errors = self.validator.iter_errors(&parsed).count();
        if errors > 0 && !(parsed.is_string() || parsed.is_object() || parsed.is_array()) {
            errors = self
                .validator
                .iter_errors(&Value::String(actual.to_owned()))
                .count();
        }
        if errors == 0 {
            return (true, 0.0);
        }
        if self.property_count == 0 {
            return (false, 1.0);
        }
        (false, (errors as f64 / self.property_count as f64).min(1.0))
    }
}

// ---------------------------------------------------------------- matchesXPath

impl XPathMatch {
    /// (matched, distance) of the document `actual`.
    fn evaluate(&self, actual: Option<&str>) -> (bool, f64) {
        let nodes = match actual {
            Some(a) if a.trim_start().starts_with('<') => {
                xml::xpath(a, &self.expression, &self.namespaces).unwrap_or_default()
            }
            _ => Vec::new(),
        };
        match &self.sub {
            None => {
                let ok = !nodes.is_empty();
                (ok, if ok { 0.0 } else { 1.0 })
            }
            Some(sub) => {
                let mut best: f64 = 1.0;
                for n in &nodes {
                    if sub.matches(Some(n)) {
                        return (true, 0.0);
                    }
                    best = best.min(sub.distance(Some(n)));
                }
                (false, best)
            }
        }
    }
}

// ---------------------------------------------------------------- multi-valued fields

/// A matcher over the values of a field that may repeat (query parameter, header, form
/// field): one pattern, `hasExactly` or `includes`.
#[derive(Debug, Clone)]
pub enum MultiValuePattern {
    /// One pattern: matches when any value matches it; with no value, when it matches
    /// an absent value.
    Single(ValuePattern),
    /// `hasExactly`: as many values as patterns, and each pattern matches some value.
    HasExactly(Vec<ValuePattern>),
    /// `includes`: each pattern matches some value.
    Includes(Vec<ValuePattern>),
}

impl MultiValuePattern {
    /// Parses at `pointer`: `{"hasExactly": [..]}`, `{"includes": [..]}` or one matcher.
    pub fn parse(v: &Value, pointer: &str) -> Result<MultiValuePattern, StubError> {
        if let Some(items) = v.get("hasExactly") {
            let at = format!("{pointer}/hasExactly");
            return Ok(MultiValuePattern::HasExactly(pattern_list(
                items,
                &at,
                "hasExactly",
            )?));
        }
        if let Some(items) = v.get("includes") {
            let at = format!("{pointer}/includes");
            return Ok(MultiValuePattern::Includes(pattern_list(
                items, &at, "includes",
            )?));
        }
        Ok(MultiValuePattern::Single(ValuePattern::parse(v, pointer)?))
    }

    /// Whether `values` (empty = field absent) match.
    pub fn matches(&self, values: &[&str]) -> bool {
        match self {
            MultiValuePattern::Single(p) => {
                if values.is_empty() {
                    p.matches(None)
                } else {
                    values.iter().any(|v| p.matches(Some(v)))
                }
            }
            MultiValuePattern::HasExactly(ps) => {
                !values.is_empty()
                    && ps.len() == values.len()
                    && ps.iter().all(|p| values.iter().any(|v| p.matches(Some(v))))
            }
            MultiValuePattern::Includes(ps) => {
                !values.is_empty() && ps.iter().all(|p| values.iter().any(|v| p.matches(Some(v))))
            }
        }
    }

    /// 0.0 for a match up to 1.0: the closest value for one pattern; the mean of each
    /// pattern's closest value (and, for `hasExactly`, whether the counts agree).
    pub fn distance(&self, values: &[&str]) -> f64 {
        if self.matches(values) {
            return 0.0;
        }
        let best = |p: &ValuePattern| {
            values
                .iter()
                .map(|v| p.distance(Some(v)))
                .fold(1.0, f64::min)
        };
        let mean = |ps: &[ValuePattern]| {
            if ps.is_empty() {
                0.0
            } else {
                ps.iter().map(best).sum::<f64>() / ps.len() as f64
            }
        };
        match self {
            MultiValuePattern::Single(p) => {
                if values.is_empty() {
                    p.distance(None)
                } else {
                    best(p)
                }
            }
            _ if values.is_empty() => 1.0,
            MultiValuePattern::HasExactly(ps) => {
                let count = if ps.len() == values.len() { 0.0 } else { 1.0 };
                (count + mean(ps)) / 2.0
            }
            MultiValuePattern::Includes(ps) => mean(ps),
        }
    }

    /// WireMock's JSON shape.
    pub fn to_json(&self) -> Value {
        let list = |ps: &[ValuePattern]| ps.iter().map(ValuePattern::to_json).collect::<Vec<_>>();
        match self {
            MultiValuePattern::Single(p) => p.to_json(),
            MultiValuePattern::HasExactly(ps) => json!({"hasExactly": list(ps)}),
            MultiValuePattern::Includes(ps) => json!({"includes": list(ps)}),
        }
    }

    /// The diff-report form: the single pattern's, or `exactly [equalTo 1 AND equalTo 2]`
    /// / `including [...]` (the field name goes before it).
    pub fn describe(&self) -> String {
        let names = |ps: &[ValuePattern]| {
            ps.iter()
                .map(|p| format!("{} {}", p.name(), p.expected()))
                .collect::<Vec<_>>()
                .join(" AND ")
        };
        match self {
            MultiValuePattern::Single(p) => p.describe(),
            MultiValuePattern::HasExactly(ps) => format!("exactly [{}]", names(ps)),
            MultiValuePattern::Includes(ps) => format!("including [{}]", names(ps)),
        }
    }
}

#[cfg(test)]
mod tests;
