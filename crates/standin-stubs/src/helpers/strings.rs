//! Text helpers: WireMock's `trim`, `base64`, `urlEncode`, `matches`, `contains`;
//! handlebars.java's string helpers (`capitalize`, `upper`, `lower`, `abbreviate`,
//! `replace`, `join`, ...), number helpers (`isEven`, `isOdd`, `stripes`) and
//! conditionals (`eq`, `neq`, `gt`, `gte`, `lt`, `lte`, `and`, `or`, `not`).

use std::cmp::Ordering;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use regex::Regex;
use serde_json::Value;

use super::value::{self, is_empty};
use super::{Args, CondFn, Fail, Out, ValueFn, to_int};

pub(super) fn helpers() -> Vec<(&'static str, ValueFn)> {
    vec![
        ("trim", trim),
        ("base64", base64),
        ("urlEncode", url_encode),
        ("capitalizeFirst", capitalize_first),
        ("capitalize", capitalize),
        ("center", center),
        ("ljust", ljust),
        ("rjust", rjust),
        ("cut", cut),
        ("defaultIfEmpty", default_if_empty),
        ("join", join),
        ("substring", substring),
        ("lower", lower),
        ("upper", upper),
        ("slugify", slugify),
        ("stripTags", strip_tags),
        ("abbreviate", abbreviate),
        ("wordWrap", word_wrap),
        ("replace", replace),
        ("yesno", yesno),
        ("isEven", is_even),
        ("isOdd", is_odd),
        ("stripes", stripes),
    ]
}

pub(super) fn conditionals() -> Vec<(&'static str, CondFn)> {
    vec![
        ("eq", eq),
        ("neq", neq),
        ("gt", gt),
        ("gte", gte),
        ("lt", lt),
        ("lte", lte),
        ("and", and),
        ("or", or),
        ("not", not),
        ("matches", matches),
        ("contains", contains),
    ]
}

fn text_out(s: impl Into<String>) -> Result<Out, Fail> {
    Ok(Out::Value(Value::String(s.into())))
}

/// The block's content when used as a block, else the first parameter's text.
fn content(a: &Args<'_>) -> String {
    a.block.clone().or_else(|| a.text(0)).unwrap_or_default()
}

fn trim(a: &Args<'_>) -> Result<Out, Fail> {
    text_out(content(a).trim())
}

fn base64(a: &Args<'_>) -> Result<Out, Fail> {
    let text = content(a);
    if a.hash_bool("decode") {
        let t = text.trim();
        let bytes = [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD]
            .iter()
            .find_map(|e| e.decode(t).ok())
            .ok_or_else(|| format!("{t} is not valid Base64"))?;
        return text_out(String::from_utf8_lossy(&bytes));
    }
    let padding = !matches!(a.hash("padding"), Some(Value::Bool(false)))
        && a.hash_text("padding").as_deref() != Some("false");
    text_out(if padding {
        STANDARD.encode(text.as_bytes())
    } else {
        STANDARD_NO_PAD.encode(text.as_bytes())
    })
}

/// Java's `URLEncoder.encode(s, UTF-8)`: letters, digits and `.-*_` kept, space `+`,
/// every other byte `%XX`.
pub(crate) fn url_encode_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn url_encode(a: &Args<'_>) -> Result<Out, Fail> {
    let text = a.text(0).unwrap_or_default();
    text_out(if a.hash_bool("decode") {
        // Java's `URLDecoder.decode(s, UTF-8)`: `+` is a space, `%XX` a byte.
        standin_core::wire::form_decode(&text)
    } else {
        url_encode_form(&text)
    })
}

/// handlebars.java's string helpers answer their first parameter's text (or nothing)
/// when the value is empty.
fn falsy_fallback(a: &Args<'_>) -> Option<Result<Out, Fail>> {
    match a.value(0) {
        Some(v) if !is_empty(v) => None,
        _ => Some(Ok(Out::Value(
            a.text(1).map(Value::String).unwrap_or(Value::Null),
        ))),
    }
}

macro_rules! string_helper {
    ($name:ident, |$a:ident, $s:ident| $body:expr) => {
        fn $name($a: &Args<'_>) -> Result<Out, Fail> {
            if let Some(out) = falsy_fallback($a) {
                return out;
            }
            let $s = $a.text(0).unwrap_or_default();
            $body
        }
    };
}

fn cap_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

string_helper!(capitalize_first, |a, s| text_out(cap_first(&s)));
string_helper!(capitalize, |a, s| {
    let fully = a.hash_bool("fully");
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_whitespace() {
            start = true;
            out.push(c);
        } else if start {
            out.extend(c.to_uppercase());
            start = false;
        } else if fully {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    text_out(out)
});

fn pad_size(a: &Args<'_>) -> Result<(usize, String), Fail> {
    let size = a
        .hash_int("size")?
        .ok_or_else(|| "found 'null', expected 'size'".to_string())?;
    let pad = a
        .hash_text("pad")
        .filter(|p| !p.is_empty())
        .unwrap_or(" ".into());
    Ok((size.max(0) as usize, pad))
}

fn padding(pad: &str, n: usize) -> String {
    pad.chars().cycle().take(n).collect()
}

string_helper!(center, |a, s| {
    let (size, pad) = pad_size(a)?;
    let len = s.chars().count();
    if size <= len {
        return text_out(s);
    }
    let left = (size - len) / 2;
    text_out(format!(
        "{}{s}{}",
        padding(&pad, left),
        padding(&pad, size - len - left)
    ))
});
string_helper!(ljust, |a, s| {
    let (size, pad) = pad_size(a)?;
    let n = size.saturating_sub(s.chars().count());
    text_out(format!("{s}{}", padding(&pad, n)))
});
string_helper!(rjust, |a, s| {
    let (size, pad) = pad_size(a)?;
    let n = size.saturating_sub(s.chars().count());
    text_out(format!("{}{s}", padding(&pad, n)))
});
string_helper!(cut, |a, s| {
    let strip = a.text(1).unwrap_or(" ".into());
    text_out(s.replace(&strip, ""))
});

fn default_if_empty(a: &Args<'_>) -> Result<Out, Fail> {
    match a.value(0) {
        Some(v) if !is_empty(v) => text_out(a.text(0).unwrap_or_else(|| value::render(v))),
        _ => text_out(a.text(1).unwrap_or_default()),
    }
}

fn join(a: &Args<'_>) -> Result<Out, Fail> {
    if let Some(out) = falsy_fallback(a) {
        return out;
    }
    let last = a.len() - 1;
    let Some(Value::String(sep)) = a.value(last).filter(|_| last > 0) else {
        return Err(format!(
            "found 'null', expected 'separator' at param[{}]",
            last.saturating_sub(1)
        ));
    };
    let prefix = a.hash_text("prefix").unwrap_or_default();
    let suffix = a.hash_text("suffix").unwrap_or_default();
    let items: Vec<String> = match a.list(0) {
        Some(list) => list.iter().map(value::java_string).collect(),
        None => (0..last).filter_map(|i| a.text(i)).collect(),
    };
    text_out(format!("{prefix}{}{suffix}", items.join(sep)))
}

string_helper!(substring, |a, s| {
    let chars: Vec<char> = s.chars().collect();
    let start = a
        .value(1)
        .ok_or_else(|| "Required start offset: ".to_string())
        .and_then(|v| to_int(v, "start"))?;
    let end = match a.value(2) {
        Some(v) => to_int(v, "end")?,
        None => chars.len() as i64,
    };
    if start < 0 || end < start || end as usize > chars.len() {
        return Err(format!(
            "substring {start}..{end} is out of range for {s:?}"
        ));
    }
    text_out(
        chars[start as usize..end as usize]
            .iter()
            .collect::<String>(),
    )
});
string_helper!(lower, |a, s| text_out(s.to_lowercase()));
string_helper!(upper, |a, s| text_out(s.to_uppercase()));
string_helper!(slugify, |a, s| {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_alphabetic() {
            out.extend(c.to_lowercase());
        }
        if c.is_whitespace() {
            out.push('-');
        }
    }
    text_out(out)
});
string_helper!(strip_tags, |a, s| {
    let re = Regex::new(r"(?s)<[^>]*>").map_err(|e| e.to_string())?;
    text_out(re.replace_all(&s, "").into_owned())
});
string_helper!(abbreviate, |a, s| {
    let width = a
        .value(1)
        .ok_or_else(|| "found 'null', expected 'width'".to_string())
        .and_then(|v| to_int(v, "width"))?;
    if width < 4 {
        return Err("Minimum abbreviation width is 4".into());
    }
    let chars: Vec<char> = s.chars().collect();
    if chars.len() as i64 <= width {
        return text_out(s);
    }
    let keep: String = chars[..(width - 3) as usize].iter().collect();
    text_out(format!("{keep}..."))
});
string_helper!(word_wrap, |a, s| {
    let width = a
        .value(1)
        .ok_or_else(|| "found 'null', expected 'length'".to_string())
        .and_then(|v| to_int(v, "length"))?
        .max(1) as usize;
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in s.split(' ').filter(|w| !w.is_empty()) {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    text_out(lines.join("\n"))
});
string_helper!(replace, |a, s| {
    let target = a.text(1).unwrap_or_default();
    let replacement = a.text(2).unwrap_or_default();
    if target.is_empty() {
        return text_out(s);
    }
    text_out(s.replace(&target, &replacement))
});

fn yesno(a: &Args<'_>) -> Result<Out, Fail> {
    let pick = |key: &str| a.hash_text(key).unwrap_or_else(|| key.to_string());
    match a.value(0) {
        None => text_out(pick("maybe")),
        Some(Value::Bool(true)) => text_out(pick("yes")),
        Some(Value::Bool(false)) => text_out(pick("no")),
        Some(v) => Err(format!("found '{}', expected 'boolean'", value::render(v))),
    }
}

fn parity(a: &Args<'_>) -> Result<bool, Fail> {
    let n = a
        .value(0)
        .ok_or_else(|| "a number is required".to_string())
        .and_then(|v| to_int(v, "value"))?;
    Ok(n % 2 == 0)
}

fn is_even(a: &Args<'_>) -> Result<Out, Fail> {
    Ok(Out::Value(if parity(a)? {
        Value::String(a.text(1).unwrap_or("even".into()))
    } else {
        Value::Null
    }))
}

fn is_odd(a: &Args<'_>) -> Result<Out, Fail> {
    Ok(Out::Value(if parity(a)? {
        Value::Null
    } else {
        Value::String(a.text(1).unwrap_or("odd".into()))
    }))
}

fn stripes(a: &Args<'_>) -> Result<Out, Fail> {
    text_out(if parity(a)? {
        a.text(1).unwrap_or("even".into())
    } else {
        a.text(2).unwrap_or("odd".into())
    })
}

/// Parameter `i` for comparing: multi-valued request fields compare by their first value.
fn operand(a: &Args<'_>, i: usize) -> Value {
    match a.value(i) {
        Some(Value::Array(_)) | Some(Value::Object(_)) => {
            let t = a.text(i).unwrap_or_default();
            // A list or map printed differently than it is (a request field): compare its text.
            match a.value(i) {
                Some(v) if value::render(v) != t => Value::String(t),
                Some(v) => v.clone(),
                None => Value::Null,
            }
        }
        Some(v) => v.clone(),
        None => Value::Null,
    }
}

fn same(x: &Value, y: &Value) -> bool {
    match (x, y) {
        (Value::Number(m), Value::Number(n)) => m.as_f64() == n.as_f64(),
        _ => x == y,
    }
}

fn eq(a: &Args<'_>) -> Result<bool, Fail> {
    Ok(same(&operand(a, 0), &operand(a, 1)))
}

fn neq(a: &Args<'_>) -> Result<bool, Fail> {
    Ok(!same(&operand(a, 0), &operand(a, 1)))
}

/// Java's `Comparable.compareTo`: numbers with numbers, strings with strings.
fn cmp(a: &Args<'_>) -> Result<Ordering, Fail> {
    let (x, y) = (operand(a, 0), operand(a, 1));
    match (&x, &y) {
        (Value::Number(m), Value::Number(n)) => {
            let (m, n) = (m.as_f64().unwrap_or(0.0), n.as_f64().unwrap_or(0.0));
            m.partial_cmp(&n)
                .ok_or_else(|| "Not a comparable: NaN".into())
        }
        (Value::String(m), Value::String(n)) => Ok(m.cmp(n)),
        (Value::Bool(m), Value::Bool(n)) => Ok(m.cmp(n)),
        (Value::Number(_) | Value::String(_) | Value::Bool(_), _) => {
            Err(format!("Not a comparable: {}", value::render(&y)))
        }
        _ => Err(format!("Not a comparable: {}", value::render(&x))),
    }
}

fn gt(a: &Args<'_>) -> Result<bool, Fail> {
    cmp(a).map(Ordering::is_gt)
}

fn gte(a: &Args<'_>) -> Result<bool, Fail> {
    cmp(a).map(Ordering::is_ge)
}

fn lt(a: &Args<'_>) -> Result<bool, Fail> {
    cmp(a).map(Ordering::is_lt)
}

fn lte(a: &Args<'_>) -> Result<bool, Fail> {
    cmp(a).map(Ordering::is_le)
}

fn truthy(a: &Args<'_>, i: usize) -> bool {
    a.value(i).is_some_and(|v| !is_empty(v))
}

fn and(a: &Args<'_>) -> Result<bool, Fail> {
    Ok((0..a.len().max(1)).all(|i| truthy(a, i)))
}

fn or(a: &Args<'_>) -> Result<bool, Fail> {
    Ok((0..a.len()).any(|i| truthy(a, i)))
}

fn not(a: &Args<'_>) -> Result<bool, Fail> {
    Ok(!truthy(a, 0))
}

fn matches(a: &Args<'_>) -> Result<bool, Fail> {
    if a.len() < 2 {
        return Err("You must specify the string to be matched and the regular expression".into());
    }
    let text = a.text(0).unwrap_or_default();
    let pattern = a.text(1).unwrap_or_default();
    // Java's String.matches: the whole value.
    let re = Regex::new(&format!("^(?:{pattern})$"))
        .map_err(|_| format!("Invalid regex string {pattern}"))?;
    Ok(re.is_match(&text))
}

fn contains(a: &Args<'_>) -> Result<bool, Fail> {
    if a.len() < 2 {
        return Err(
            "You must specify the string or array to be matched and the regular expression".into(),
        );
    }
    let Some(expected) = a.text(1) else {
        return Ok(false);
    };
    Ok(match a.value(0) {
        None => false,
        Some(Value::Array(items)) => items.iter().any(|v| value::render(v) == expected),
        Some(_) => a.text(0).unwrap_or_default().contains(&expected),
    })
}
