//! Text to JSON values: JSON and YAML documents, with errors that say where.
//!
//! YAML goes through serde-saphyr with YAML 1.2 booleans (`NO` stays a string) and a
//! budget big enough for the largest real documents but finite, because documents may
//! come from users over the network one day.

use serde_json::Value;

/// A parse failure: the message, with the line when the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// What the parser said.
    pub message: String,
    /// 1-based line of the failure.
    pub line: Option<usize>,
}

/// Parses a JSON or YAML document. JSON is recognised by its first non-blank character.
pub fn parse_document(text: &str) -> Result<Value, ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}');
    let first = trimmed.trim_start().chars().next();
    if matches!(first, Some('{') | Some('[')) {
        match serde_json::from_str(trimmed) {
            Ok(v) => return Ok(v),
            Err(json_err) => {
                // A document that opens like JSON is held to JSON: YAML's flow style
                // would accept `{"b": }` and hide the mistake.
                return Err(ParseError {
                    message: format!("invalid JSON: {json_err}"),
                    line: Some(json_err.line()),
                });
            }
        }
    }
    parse_yaml(trimmed)
}

/// Parses YAML into a JSON value.
pub fn parse_yaml(text: &str) -> Result<Value, ParseError> {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_events = 200_000_000;
    budget.max_nodes = 100_000_000;
    budget.max_depth = 1_000;
    budget.max_total_scalar_bytes = 1 << 30;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.strict_booleans = true;
    match serde_saphyr::from_str_with_options::<Value>(text, options) {
        Ok(v) => Ok(v),
        Err(e) => {
            let message = e.to_string();
            let line = line_from_message(&message);
            Err(ParseError {
                message: format!("invalid YAML: {}", first_line(&message)),
                line,
            })
        }
    }
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s)
}

/// serde-saphyr puts "line N" in its message; its `Location` fields are private.
fn line_from_message(message: &str) -> Option<usize> {
    let idx = message.find("line ")?;
    let digits: String = message[idx + 5..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_keeps_yaml_1_2_semantics() {
        let v = parse_document("country: NO\nflag: yes\nok: true\nn: 010\n").unwrap();
        assert_eq!(
            v,
            json!({"country": "NO", "flag": "yes", "ok": true, "n": 10.0})
        );
    }

    #[test]
    fn json_errors_have_a_line() {
        let err = parse_document("{\n  \"a\": 1,\n  \"b\": }\n").unwrap_err();
        assert_eq!(err.line, Some(3));
        assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
    }

    #[test]
    fn yaml_errors_say_what() {
        let err = parse_document("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
    }
}
