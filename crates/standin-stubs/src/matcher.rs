//! WireMock value matchers ("content patterns").

use crate::error::StubError;
use regex::Regex;
use serde_json::{Value, json};

/// One WireMock value matcher.
#[derive(Debug, Clone)]
pub enum ValuePattern {
    /// `equalTo` (+ `caseInsensitive`).
    EqualTo {
        expected: String,
        case_insensitive: bool,
    },
    /// `contains`.
    Contains(String),
    /// `doesNotContain`.
    DoesNotContain(String),
    /// `matches`: the regex matches the whole value.
    Matches(Regex),
    /// `doesNotMatch`.
    DoesNotMatch(Regex),
    /// `absent`.
    Absent(bool),
}

impl ValuePattern {
    /// Parses a matcher object at `pointer`.
    pub fn parse(v: &Value, pointer: &str) -> Result<ValuePattern, StubError> {
        let obj = v
            .as_object()
            .ok_or_else(|| StubError::new(pointer, "a matcher must be an object"))?;
        let text = |key: &str| -> Result<String, StubError> {
            obj[key]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| StubError::new(format!("{pointer}/{key}"), "must be a string"))
        };
        let regex = |key: &str| -> Result<Regex, StubError> {
            let t = text(key)?;
            Regex::new(&format!("^(?:{t})$"))
                .map_err(|e| StubError::new(format!("{pointer}/{key}"), format!("bad regex: {e}")))
        };
        if obj.contains_key("equalTo") {
            Ok(ValuePattern::EqualTo {
                expected: text("equalTo")?,
                case_insensitive: obj
                    .get("caseInsensitive")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            })
        } else if obj.contains_key("contains") {
            Ok(ValuePattern::Contains(text("contains")?))
        } else if obj.contains_key("doesNotContain") {
            Ok(ValuePattern::DoesNotContain(text("doesNotContain")?))
        } else if obj.contains_key("matches") {
            Ok(ValuePattern::Matches(regex("matches")?))
        } else if obj.contains_key("doesNotMatch") {
            Ok(ValuePattern::DoesNotMatch(regex("doesNotMatch")?))
        } else if let Some(a) = obj.get("absent") {
            Ok(ValuePattern::Absent(a.as_bool().unwrap_or(true)))
        } else {
            Err(StubError::new(pointer, "unknown matcher"))
        }
    }

    /// Whether `actual` (None = absent) matches.
    pub fn matches(&self, actual: Option<&str>) -> bool {
        match (self, actual) {
            (ValuePattern::Absent(want), a) => *want == a.is_none(),
            (_, None) => false,
            (
                ValuePattern::EqualTo {
                    expected,
                    case_insensitive,
                },
                Some(a),
            ) => {
                if *case_insensitive {
                    expected.to_lowercase() == a.to_lowercase()
                } else {
                    expected == a
                }
            }
            (ValuePattern::Contains(s), Some(a)) => a.contains(s.as_str()),
            (ValuePattern::DoesNotContain(s), Some(a)) => !a.contains(s.as_str()),
            (ValuePattern::Matches(r), Some(a)) => r.is_match(a),
            (ValuePattern::DoesNotMatch(r), Some(a)) => !r.is_match(a),
        }
    }

    /// Whether a body matches.
    pub fn matches_bytes(&self, actual: &[u8]) -> bool {
        self.matches(Some(&String::from_utf8_lossy(actual)))
    }

    /// 0.0 for a match up to 1.0.
    pub fn distance(&self, actual: Option<&str>) -> f64 {
        if self.matches(actual) { 0.0 } else { 1.0 }
    }

    /// WireMock's JSON shape.
    pub fn to_json(&self) -> Value {
        match self {
            ValuePattern::EqualTo {
                expected,
                case_insensitive,
            } => {
                if *case_insensitive {
                    json!({"equalTo": expected, "caseInsensitive": true})
                } else {
                    json!({"equalTo": expected})
                }
            }
            ValuePattern::Contains(s) => json!({"contains": s}),
            ValuePattern::DoesNotContain(s) => json!({"doesNotContain": s}),
            ValuePattern::Matches(r) => json!({"matches": strip(r)}),
            ValuePattern::DoesNotMatch(r) => json!({"doesNotMatch": strip(r)}),
            ValuePattern::Absent(b) => json!({"absent": b}),
        }
    }

    /// The diff-report form.
    pub fn describe(&self) -> String {
        let v = self.to_json();
        match v.as_object().and_then(|o| o.iter().next()) {
            Some((k, Value::String(s))) => format!("[{k}] : {s}"),
            Some((k, other)) => format!("[{k}] : {other}"),
            None => String::new(),
        }
    }
}

fn strip(r: &Regex) -> &str {
    let s = r.as_str();
    s.strip_prefix("^(?:")
        .and_then(|s| s.strip_suffix(")$"))
        .unwrap_or(s)
}

/// A matcher over the values of a multi-valued field (query parameter, header).
#[derive(Debug, Clone)]
pub enum MultiValuePattern {
    /// One pattern: matches if any value matches.
    Single(ValuePattern),
    /// `hasExactly`.
    HasExactly(Vec<ValuePattern>),
    /// `includes`.
    Includes(Vec<ValuePattern>),
}

impl MultiValuePattern {
    /// Parses at `pointer`.
    pub fn parse(v: &Value, pointer: &str) -> Result<MultiValuePattern, StubError> {
        let list = |key: &str, items: &Value| -> Result<Vec<ValuePattern>, StubError> {
            let arr = items
                .as_array()
                .ok_or_else(|| StubError::new(format!("{pointer}/{key}"), "must be an array"))?;
            arr.iter()
                .enumerate()
                .map(|(i, x)| ValuePattern::parse(x, &format!("{pointer}/{key}/{i}")))
                .collect()
        };
        if let Some(items) = v.get("hasExactly") {
            return Ok(MultiValuePattern::HasExactly(list("hasExactly", items)?));
        }
        if let Some(items) = v.get("includes") {
            return Ok(MultiValuePattern::Includes(list("includes", items)?));
        }
        Ok(MultiValuePattern::Single(ValuePattern::parse(v, pointer)?))
    }

    /// Whether `values` match.
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
                ps.len() == values.len()
                    && ps.iter().all(|p| values.iter().any(|v| p.matches(Some(v))))
            }
            MultiValuePattern::Includes(ps) => {
                ps.iter().all(|p| values.iter().any(|v| p.matches(Some(v))))
            }
        }
    }

    /// 0.0 for a match up to 1.0.
    pub fn distance(&self, values: &[&str]) -> f64 {
        if self.matches(values) { 0.0 } else { 1.0 }
    }

    /// WireMock's JSON shape.
    pub fn to_json(&self) -> Value {
        match self {
            MultiValuePattern::Single(p) => p.to_json(),
            MultiValuePattern::HasExactly(ps) => {
                json!({"hasExactly": ps.iter().map(ValuePattern::to_json).collect::<Vec<_>>()})
            }
            MultiValuePattern::Includes(ps) => {
                json!({"includes": ps.iter().map(ValuePattern::to_json).collect::<Vec<_>>()})
            }
        }
    }

    /// The diff-report form.
    pub fn describe(&self) -> String {
        match self {
            MultiValuePattern::Single(p) => p.describe(),
            MultiValuePattern::HasExactly(ps) => format!(
                "[hasExactly] : {}",
                ps.iter()
                    .map(ValuePattern::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            MultiValuePattern::Includes(ps) => format!(
                "[includes] : {}",
                ps.iter()
                    .map(ValuePattern::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}
