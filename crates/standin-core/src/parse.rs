//! Text to JSON values: JSON and YAML documents, with errors that say where.
//!
//! YAML goes through serde-saphyr with YAML 1.2 booleans (`NO` stays a string) and a
//! budget big enough for the largest real documents but finite, because documents may
//! come from users over the network one day.

use serde_json::Value;
use serde_json::value::RawValue;

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

/// JSON text with its trailing commas (`[1, 2,]`, `{"a": 1,}`), which JSON forbids and
/// Prism accepts, blanked out: each becomes a space, so lines and columns stay where
/// they were. Answers the text unchanged and no lines when it has none or is not JSON
/// (its first character is not `{` or `[`), else the 1-based line of each comma.
pub fn blank_trailing_commas(text: String) -> (String, Vec<usize>) {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with(['{', '[']) {
        return (text, Vec::new());
    }
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let (mut in_string, mut escaped, mut line) = (false, false, 1);
    let mut pending: Option<(usize, usize)> = None;
    // The last character outside blanks: a comma trails only after a value.
    let mut prev = b'{';
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            line += 1;
        }
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => {
                    in_string = false;
                    prev = b'"';
                }
                _ => {}
            }
            continue;
        }
        if matches!(b, b' ' | b'\t' | b'\r' | b'\n') {
            continue;
        }
        let after_value = !matches!(prev, b'{' | b'[' | b',' | b':');
        prev = b;
        match b {
            b',' if after_value => pending = Some((i, line)),
            b'}' | b']' => {
                found.extend(pending.take());
            }
            b'"' => {
                in_string = true;
                pending = None;
            }
            b',' => pending = None,
            _ => pending = None,
        }
    }
    if found.is_empty() {
        return (text, Vec::new());
    }
    let mut out = text.into_bytes();
    for &(i, _) in &found {
        out[i] = b' ';
    }
    // Only an ASCII comma was replaced by an ASCII space.
    let text = String::from_utf8(out).unwrap_or_default();
    (text, found.into_iter().map(|(_, l)| l).collect())
}

/// The members of a JSON document whose root is an object, each left unparsed, in
/// document order (a repeated key keeps its last value, as a full parse would).
/// `None` when the text is not a JSON object.
///
/// This is how the biggest documents are read without holding all of their tree at
/// once: the caller parses each member (or each path item) when it needs it. The whole
/// text is still checked, so a syntax error anywhere is reported here with its line.
pub fn json_members(text: &str) -> Option<Result<Members<'_>, ParseError>> {
    let trimmed = text.trim_start_matches('\u{feff}');
    if !trimmed.trim_start().starts_with('{') {
        return None;
    }
    Some(
        serde_json::from_str::<Members<'_>>(trimmed).map_err(|e| ParseError {
            message: format!("invalid JSON: {e}"),
            line: Some(e.line()),
        }),
    )
}

/// An object's members, unparsed: see [`json_members`].
#[derive(Debug, Default)]
pub struct Members<'t>(pub Vec<(String, &'t RawValue)>);

impl<'de: 't, 't> serde::Deserialize<'de> for Members<'t> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<'t>(std::marker::PhantomData<&'t ()>);
        impl<'de: 't, 't> serde::de::Visitor<'de> for Visit<'t> {
            type Value = Members<'t>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Members<'t>, A::Error> {
                let mut out: Vec<(String, &'t RawValue)> = Vec::new();
                // Where each key is in `out`: Graph's `paths` has 14,000 members.
                let mut at: std::collections::HashMap<String, usize> = Default::default();
                while let Some((key, value)) = map.next_entry::<String, &'t RawValue>()? {
                    match at.get(&key) {
                        Some(&i) => out[i].1 = value,
                        None => {
                            at.insert(key.clone(), out.len());
                            out.push((key, value));
                        }
                    }
                }
                Ok(Members(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// Parses one member left unparsed by [`json_members`]. Its syntax was checked already;
/// what can still fail is what only a full parse sees (nesting too deep).
pub fn parse_member(raw: &RawValue) -> Result<Value, ParseError> {
    serde_json::from_str(raw.get()).map_err(|e| ParseError {
        message: format!("invalid JSON: {e}"),
        line: None,
    })
}

/// Parses YAML into a JSON value.
pub fn parse_yaml(text: &str) -> Result<Value, ParseError> {
    let mut budget = serde_saphyr::Budget::default();
    // Without aliases a text has fewer parse events than bytes; aliases can make a short
    // text stand for exponentially many nodes (a "billion laughs"), so the budget grows
    // with the text: real documents stay far inside it, and a few hundred bytes of
    // nested aliases are refused in milliseconds rather than expanded for seconds.
    // Aliases of a shared schema replayed many times stay well inside 16 events a byte.
    let len = text.len();
    budget.max_events = len
        .saturating_mul(16)
        .saturating_add(10_000_000)
        .min(200_000_000);
    budget.max_nodes = len
        .saturating_mul(8)
        .saturating_add(5_000_000)
        .min(100_000_000);
    // What anchors record for their aliases to replay: about the anchored text's own
    // events, unless anchors nest aliases of anchors, which is how the bomb grows.
    budget.max_recorded_anchor_events = len.saturating_mul(4).saturating_add(10_000).min(1_000_000);
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
    fn trailing_commas_are_blanked_with_their_lines() {
        let (text, lines) = blank_trailing_commas("{\"a\": [1, 2,],\n \"b\": \"x,]\",\n}".into());
        assert_eq!(lines, vec![1, 2]);
        assert_eq!(
            serde_json::from_str::<Value>(&text).unwrap(),
            serde_json::json!({"a": [1, 2], "b": "x,]"})
        );
        for broken in ["{\"a\": {,}}", "[1,,]", "{\"a\":,}"] {
            let (text, lines) = blank_trailing_commas(broken.into());
            assert_eq!((text.as_str(), lines.len()), (broken, 0), "{broken}");
        }
        let (same, none) = blank_trailing_commas("a: [1, 2,]".into());
        assert_eq!((same.as_str(), none.len()), ("a: [1, 2,]", 0));
    }

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
    fn json_members_keep_order_and_the_last_repeated_key() {
        let text = "{\"b\": {\"x\": [1, 2]}, \"a\": 1, \"b\": \"again\"}";
        let members = json_members(text).unwrap().unwrap();
        let keys: Vec<&str> = members.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(parse_member(members.0[0].1).unwrap(), json!("again"));
        assert!(json_members("openapi: 3.0.0").is_none());
        let err = json_members("{\n  \"a\": 1,\n  \"b\": }\n")
            .unwrap()
            .unwrap_err();
        assert_eq!(err.line, Some(3));
    }

    #[test]
    fn nested_aliases_are_refused_quickly() {
        // A "billion laughs": ten anchors, each ten aliases of the one before.
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ('a'..'j').zip('b'..='j') {
            let refs = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{refs}]\n"));
        }
        let started = std::time::Instant::now();
        let err = parse_document(&text).unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        // Aliases within the budget still expand.
        let v = parse_document("a: &a [1, 2]\nb: [*a, *a, *a]\n").unwrap();
        assert_eq!(v["b"][2][1], 2);
    }

    #[test]
    fn yaml_errors_say_what() {
        let err = parse_document("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(err.message.starts_with("invalid YAML"), "{}", err.message);
    }
}
