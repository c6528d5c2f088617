//! JSON and XML helpers: `parseJson`, `toJson`, `formatJson`, `formatXml`, `jsonMerge`,
//! `jsonRemove`, `jsonArrayAdd`.

use serde_json::{Map, Value};

use super::value::{DateValue, empty_map};
use super::{Args, Fail, Out, ValueFn, to_int};
use crate::matcher::pretty_json;

pub(super) fn helpers() -> Vec<(&'static str, ValueFn)> {
    vec![
        ("parseJson", parse_json),
        ("toJson", to_json),
        ("formatJson", format_json),
        ("formatXml", format_xml),
        ("jsonMerge", json_merge),
        ("jsonRemove", json_remove),
        ("jsonArrayAdd", json_array_add),
    ]
}

fn parse_json(a: &Args<'_>) -> Result<Out, Fail> {
    let (text, var) = match &a.block {
        Some(block) => (block.clone(), a.text(0)),
        None => match a.value(0) {
            None if a.len() == 0 => return Err("Missing required JSON string parameter".into()),
            None => return Ok(Out::Value(empty_map())),
            Some(_) => (a.text(0).unwrap_or_default(), a.text(1)),
        },
    };
    let trimmed = text.trim();
    let parsed = if trimmed.is_empty() {
        empty_map()
    } else {
        serde_json::from_str::<Value>(trimmed)
            .map_err(|e| format!("{trimmed} is not valid JSON: {e}"))?
    };
    Ok(Out::var_or_value(var, parsed))
}

/// Dates turn into their printed form, as Jackson writes a `RenderableDate`.
fn plain_json(v: &Value) -> Value {
    if let Some(d) = DateValue::from_value(v) {
        return Value::String(d.render());
    }
    match v {
        Value::Array(items) => Value::Array(items.iter().map(plain_json).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), plain_json(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn to_json(a: &Args<'_>) -> Result<Out, Fail> {
    Ok(Out::Value(Value::String(match a.value(0) {
        None => String::new(),
        Some(v) => pretty_json(&plain_json(v)),
    })))
}

/// The text to format: a block, or a string parameter.
fn formatting_input(a: &Args<'_>, name: &str, kind: &str) -> Result<(String, bool), Fail> {
    let text = match (&a.block, a.value(0)) {
        (Some(block), _) => block.trim().to_string(),
        (None, Some(Value::String(s))) => s.trim().to_string(),
        _ => String::new(),
    };
    if text.is_empty() {
        return Err(format!(
            "{name} should take a block of {kind} to format or a single parameter of type String"
        ));
    }
    let pretty = match a.hash_text("format").as_deref() {
        None | Some("pretty") => true,
        Some("compact") => false,
        Some(other) => {
            return Err(format!(
                "{name}: format [{other}] should be one of [pretty, compact]"
            ));
        }
    };
    Ok((text, pretty))
}

fn format_json(a: &Args<'_>) -> Result<Out, Fail> {
    let (text, pretty) = formatting_input(a, "formatJson", "JSON")?;
    let v: Value = serde_json::from_str(&text).map_err(|_| {
        "There was an error parsing the json. Please make sure the json is valid".to_string()
    })?;
    Ok(Out::Value(Value::String(if pretty {
        pretty_json(&v)
    } else {
        v.to_string()
    })))
}

/// Splits XML text into tags (`<...>`) and text runs.
fn xml_tokens(xml: &str) -> Vec<&str> {
    let mut tokens = Vec::new();
    let mut rest = xml;
    while !rest.is_empty() {
        if rest.starts_with('<') {
            let end = if rest.starts_with("<!--") {
                rest.find("-->").map(|i| i + 3)
            } else if rest.starts_with("<![CDATA[") {
                rest.find("]]>").map(|i| i + 3)
            } else {
                rest.find('>').map(|i| i + 1)
            }
            .unwrap_or(rest.len());
            tokens.push(&rest[..end]);
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            tokens.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    tokens
}

/// Prints well-formed XML without blank text nodes, indented by two spaces when `pretty`
/// (an element holding only text stays on one line), without an XML declaration.
fn print_xml(xml: &str, pretty: bool) -> String {
    let tokens: Vec<&str> = xml_tokens(xml)
        .into_iter()
        .filter(|t| !t.trim().is_empty() && !t.starts_with("<?xml"))
        .collect();
    let mut out = String::new();
    let mut depth = 0usize;
    let mut i = 0;
    let newline = |out: &mut String, depth: usize| {
        if pretty {
            if !out.is_empty() {
                out.push('\n');
            }
            for _ in 0..depth {
                out.push_str("  ");
            }
        }
    };
    while i < tokens.len() {
        let t = tokens[i];
        let is_open = t.starts_with('<')
            && !t.starts_with("</")
            && !t.starts_with("<!")
            && !t.starts_with("<?")
            && !t.ends_with("/>");
        if t.starts_with("</") {
            depth = depth.saturating_sub(1);
            newline(&mut out, depth);
            out.push_str(t);
        } else if is_open {
            newline(&mut out, depth);
            out.push_str(t);
            // <a>text</a> stays on one line.
            if let (Some(text), Some(close)) = (tokens.get(i + 1), tokens.get(i + 2))
                && !text.starts_with('<')
                && close.starts_with("</")
            {
                out.push_str(text);
                out.push_str(close);
                i += 3;
                continue;
            }
            depth += 1;
        } else {
            newline(&mut out, depth);
            out.push_str(if t.starts_with('<') { t } else { t.trim() });
        }
        i += 1;
    }
    if pretty {
        out.push('\n');
    }
    out
}

fn format_xml(a: &Args<'_>) -> Result<Out, Fail> {
    let (text, pretty) = formatting_input(a, "formatXml", "XML")?;
    if sxd_document::parser::parse(&text).is_err() {
        return Err("Input is not valid XML".into());
    }
    Ok(Out::Value(Value::String(print_xml(&text, pretty))))
}

fn merge(base: &mut Map<String, Value>, other: &Map<String, Value>, remove_nulls: bool) {
    for (k, v) in other {
        match (base.get_mut(k), v) {
            (Some(Value::Object(b)), Value::Object(o)) => merge(b, o, remove_nulls),
            (_, Value::Null) if remove_nulls => {
                base.remove(k);
            }
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

fn json_merge(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(Value::String(base_text)) = a.value(0) else {
        return Err("Base JSON parameter must be a string".into());
    };
    let base: Value = serde_json::from_str(base_text)
        .map_err(|_| format!("Base JSON is not valid JSON ('{base_text}')"))?;
    let Value::Object(mut base) = base else {
        return Err(format!("Base JSON is not a JSON object ('{base_text}')"));
    };
    let other_text = match (&a.block, a.value(1)) {
        (Some(block), _) => block.clone(),
        (None, Some(Value::String(s))) => s.clone(),
        _ => return Err("JSON to merge must be a string".into()),
    };
    let other: Value = serde_json::from_str(&other_text)
        .map_err(|_| format!("JSON to merge is not valid JSON ('{other_text}')"))?;
    let Value::Object(other) = other else {
        return Err(format!(
            "JSON to merge is not a JSON object ('{other_text}')"
        ));
    };
    merge(&mut base, &other, a.hash_bool("removeNulls"));
    Ok(Out::Value(Value::String(Value::Object(base).to_string())))
}

/// One step of a simple JSONPath.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Key(String),
    Index(i64),
    All,
}

/// Parses `$`, `.key`, `['key']`, `[n]`, `[*]`, `.*` steps (what `jsonRemove` and
/// `jsonArrayAdd` need to change a document in place).
fn steps(expr: &str) -> Result<Vec<Step>, Fail> {
    let bad = || format!("JSONPath parameter is not a valid JSONPath expression ('{expr}')");
    let rest = expr.trim().strip_prefix('$').ok_or_else(bad)?;
    let chars: Vec<char> = rest.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '.' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                let key: String = chars[start..i].iter().collect();
                if key.is_empty() {
                    return Err(bad());
                }
                out.push(if key == "*" {
                    Step::All
                } else {
                    Step::Key(key)
                });
            }
            '[' => {
                let close = chars[i..].iter().position(|c| *c == ']').ok_or_else(bad)? + i;
                let inner: String = chars[i + 1..close].iter().collect();
                let inner = inner.trim();
                out.push(if inner == "*" {
                    Step::All
                } else if let Some(q) = inner
                    .strip_prefix('\'')
                    .and_then(|s| s.strip_suffix('\''))
                    .or_else(|| inner.strip_prefix('"').and_then(|s| s.strip_suffix('"')))
                {
                    Step::Key(q.to_string())
                } else {
                    Step::Index(inner.parse().map_err(|_| bad())?)
                });
                i = close + 1;
            }
            _ => return Err(bad()),
        }
    }
    Ok(out)
}

fn index_of(len: usize, i: i64) -> Option<usize> {
    let i = if i < 0 { len as i64 + i } else { i };
    (0..len as i64).contains(&i).then_some(i as usize)
}

/// Removes what `path` selects from `v`; whether anything was there.
fn remove_at(v: &mut Value, path: &[Step]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        return match (v, first) {
            (Value::Object(m), Step::Key(k)) => m.shift_remove(k).is_some(),
            (Value::Array(a), Step::Index(i)) => match index_of(a.len(), *i) {
                Some(i) => {
                    a.remove(i);
                    true
                }
                None => false,
            },
            (Value::Array(a), Step::All) => {
                let had = !a.is_empty();
                a.clear();
                had
            }
            (Value::Object(m), Step::All) => {
                let had = !m.is_empty();
                m.clear();
                had
            }
            _ => false,
        };
    }
    match (v, first) {
        (Value::Object(m), Step::Key(k)) => m.get_mut(k).is_some_and(|c| remove_at(c, rest)),
        (Value::Array(a), Step::Index(i)) => {
            let len = a.len();
            index_of(len, *i).is_some_and(|i| remove_at(&mut a[i], rest))
        }
        (Value::Array(a), Step::All) => {
            // Every element is visited (no short circuit): each may hold a match.
            let mut removed = false;
            for c in a.iter_mut() {
                removed |= remove_at(c, rest);
            }
            removed
        }
        (Value::Object(m), Step::All) => {
            let mut removed = false;
            for c in m.values_mut() {
                removed |= remove_at(c, rest);
            }
            removed
        }
        _ => false,
    }
}

fn get_mut<'v>(v: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(v);
    };
    let child = match (v, first) {
        (Value::Object(m), Step::Key(k)) => m.get_mut(k)?,
        (Value::Array(a), Step::Index(i)) => {
            let i = index_of(a.len(), *i)?;
            &mut a[i]
        }
        _ => return None,
    };
    get_mut(child, rest)
}

fn json_remove(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(Value::String(input)) = a.value(0) else {
        return Err("Input JSON must be a string".into());
    };
    if input == "null" {
        return Ok(Out::Value(Value::String(input.clone())));
    }
    if a.len() != 2 {
        return Err("A single JSONPath expression parameter must be supplied".into());
    }
    let Some(Value::String(expr)) = a.value(1) else {
        return Err("JSONPath parameter must be a string".into());
    };
    let mut doc: Value = serde_json::from_str(input)
        .map_err(|_| format!("Input JSON string is not valid JSON ('{input}')"))?;
    let path = steps(expr)?;
    if path.is_empty() {
        return Err(format!(
            "Delete operation cannot be applied to JSONPath expression ('{expr}')"
        ));
    }
    remove_at(&mut doc, &path);
    Ok(Out::Value(Value::String(doc.to_string())))
}

fn json_array_add(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(Value::String(input)) = a.value(0) else {
        return Err("Base JSON must be a string".into());
    };
    let mut root: Value = serde_json::from_str(input)
        .map_err(|_| format!("Base JSON is not valid JSON ('{input}')"))?;
    let expr = match a.hash("jsonPath") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err("jsonPath option must be a string".into()),
    };
    let path = match &expr {
        Some(e) => steps(e)
            .map_err(|_| format!("jsonPath option is not valid JSONPath expression ('{e}')"))?,
        None => Vec::new(),
    };
    if path.contains(&Step::All) {
        return Err("jsonPath option must select a single array".into());
    }
    let item_text = match (&a.block, a.value(1)) {
        (Some(block), _) => block.clone(),
        (None, Some(Value::String(s))) => s.clone(),
        _ => return Err("Item-to-add JSON must be a string".into()),
    };
    let item: Value = serde_json::from_str(&item_text)
        .map_err(|_| format!("Item-to-add JSON is not valid JSON ('{item_text}')"))?;
    let flatten = match a.hash("flatten") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err("flatten option must be a boolean".into()),
    };
    let max_items = match a.hash("maxItems") {
        None => None,
        Some(v) => {
            let n = to_int(v, "maxItems").map_err(|_| "maxItems option must be an integer")?;
            if n < 0 {
                return Err("maxItems option integer must be positive".into());
            }
            Some(n as usize)
        }
    };
    let Some(Value::Array(list)) = get_mut(&mut root, &path) else {
        let detail = match &expr {
            None => format!("'{input}'"),
            Some(e) => format!("root: '{input}', jsonPath: '{e}'"),
        };
        return Err(format!("Target JSON is not a JSON array ({detail})"));
    };
    match item {
        Value::Array(items) if flatten => list.extend(items),
        other => list.push(other),
    }
    if let Some(max) = max_items
        && list.len() > max
    {
        let excess = list.len() - max;
        list.drain(..excess);
    }
    Ok(Out::Value(Value::String(root.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_printing() {
        let xml = "<?xml version=\"1.0\"?><a x=\"1\">  <b>t</b><c/><d><e>1</e></d></a>";
        assert_eq!(
            print_xml(xml, true),
            "<a x=\"1\">\n  <b>t</b>\n  <c/>\n  <d>\n    <e>1</e>\n  </d>\n</a>\n"
        );
        assert_eq!(print_xml("<a>\n  <b>t</b>\n</a>", false), "<a><b>t</b></a>");
    }

    #[test]
    fn json_path_steps() {
        assert_eq!(
            steps("$.a['b c'][1][*]").unwrap(),
            vec![
                Step::Key("a".into()),
                Step::Key("b c".into()),
                Step::Index(1),
                Step::All
            ]
        );
        assert!(steps("a.b").is_err());
        let mut v = serde_json::json!({"a": [{"x": 1, "y": 2}, {"x": 3}]});
        assert!(remove_at(&mut v, &steps("$.a[*].x").unwrap()));
        assert_eq!(v, serde_json::json!({"a": [{"y": 2}, {}]}));
    }

    #[test]
    fn plain_json_prints_dates() {
        let d = DateValue {
            ms: 0,
            format: Some("yyyy".into()),
            timezone: None,
            plain: false,
        };
        assert!(plain_json(&serde_json::json!([d.to_value()]))[0].is_string());
    }
}
