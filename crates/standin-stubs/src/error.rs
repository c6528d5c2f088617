//! What is wrong with a stub, and where; and the readers of optional stub fields that
//! say so when a field has the wrong type.

use std::fmt;

use serde_json::{Map, Value};

/// A stub that cannot be used: what is wrong and at which JSON pointer of the stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubError {
    /// JSON pointer into the stub (`/request/headers/X-Id/matches`).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl StubError {
    /// An error at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> StubError {
        StubError {
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for StubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.pointer, self.message)
        }
    }
}

impl std::error::Error for StubError {}

/// The string at `key` (`None` when absent or null); an error at `{pointer}/{key}` when
/// it is anything else.
pub(crate) fn optional_str<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    pointer: &str,
) -> Result<Option<&'v str>, StubError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(StubError::new(
            format!("{pointer}/{key}"),
            format!("{key} must be a string"),
        )),
    }
}

/// The flag at `key` (`None` when absent or null); an error at `{pointer}/{key}` when it
/// is not a boolean.
pub(crate) fn optional_bool(
    obj: &Map<String, Value>,
    key: &str,
    pointer: &str,
) -> Result<Option<bool>, StubError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        // Jackson's asBoolean reads the string "true" as true.
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(Some(s == "true")),
        Some(_) => Err(StubError::new(
            format!("{pointer}/{key}"),
            format!("{key} must be true or false"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn optional_fields_read_their_type_or_say_where_they_are_wrong() {
        let o = obj(json!({"s": "x", "n": null, "b": true, "t": "false", "i": 1}));
        assert_eq!(optional_str(&o, "s", "/p"), Ok(Some("x")));
        assert_eq!(optional_str(&o, "n", "/p"), Ok(None));
        assert_eq!(optional_str(&o, "gone", "/p"), Ok(None));
        assert_eq!(
            optional_str(&o, "i", "/p"),
            Err(StubError::new("/p/i", "i must be a string"))
        );
        assert_eq!(optional_bool(&o, "b", "/p"), Ok(Some(true)));
        assert_eq!(optional_bool(&o, "t", "/p"), Ok(Some(false)));
        assert_eq!(optional_bool(&o, "n", "/p"), Ok(None));
        assert_eq!(
            optional_bool(&o, "s", "/p"),
            Err(StubError::new("/p/s", "s must be true or false"))
        );
    }
}
