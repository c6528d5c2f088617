//! Helpers that read the request and shape data: `jsonPath`, `xPath`, `soapXPath`,
//! `formData`, `regexExtract`, `size`, `range`, `array`, `arrayAdd`, `arrayRemove`,
//! `arrayJoin`, `val`, `assign`, `math`, `hostname`, `systemValue`.

use handlebars::{
    BlockContext, Context, Handlebars, Helper, HelperDef, HelperResult, Output, RenderContext,
    RenderError, Renderable, ScopedJson,
};
use regex::Regex;
use serde_json::{Map, Value};

use super::value;
use super::{Args, Fail, Out, ValueFn, to_int};

pub(super) fn helpers() -> Vec<(&'static str, ValueFn)> {
    vec![
        ("jsonPath", json_path),
        ("xPath", x_path),
        ("soapXPath", soap_x_path),
        ("formData", form_data),
        ("regexExtract", regex_extract),
        ("size", size),
        ("range", range),
        ("array", array),
        ("arrayAdd", array_add),
        ("arrayRemove", array_remove),
        ("arrayJoin", array_join),
        ("val", val),
        ("assign", assign),
        ("math", math),
        ("hostname", hostname),
        ("systemValue", system_value),
    ]
}

/// Whether a JSONPath selects at most one value (Jayway's "definite" paths): those
/// answer the value itself, the others a list.
pub(crate) fn is_definite(expr: &str) -> bool {
    if expr.contains("..") || expr.contains("[*]") || expr.contains(".*") || expr.contains("?(") {
        return false;
    }
    // Unions and slices inside brackets: $['a','b'], $[0,1], $[1:3].
    let mut in_bracket = false;
    let mut in_quote = false;
    for c in expr.chars() {
        match c {
            '\'' | '"' if in_bracket => in_quote = !in_quote,
            '[' if !in_quote => in_bracket = true,
            ']' if !in_quote => in_bracket = false,
            ',' | ':' if in_bracket && !in_quote => return false,
            _ => {}
        }
    }
    true
}

fn json_path(a: &Args<'_>) -> Result<Out, Fail> {
    let input = match a.value(0) {
        None => return Ok(Out::Value(Value::String(String::new()))),
        Some(Value::String(s)) if s.is_empty() => return Ok(Out::Value(Value::String(s.clone()))),
        Some(v) => v,
    };
    let Some(expr) = a.text(1) else {
        return Err("The JSONPath cannot be empty".into());
    };
    let parsed;
    let doc = match input {
        Value::String(s) => {
            parsed =
                serde_json::from_str::<Value>(s).map_err(|_| format!("{s} is not valid JSON"))?;
            &parsed
        }
        other => other,
    };
    let default = a.hash("default").cloned();
    let found = match crate::jsonpath::select(doc, &expr) {
        Ok(values) if is_definite(&expr) => values.into_iter().next().unwrap_or(Value::Null),
        Ok(values) => Value::Array(values),
        Err(e) => match default {
            Some(d) => return Ok(Out::Value(d)),
            None => return Err(format!("{expr} is not a valid JSONPath expression: {e}")),
        },
    };
    Ok(Out::Value(if found.is_null() {
        default.unwrap_or(Value::String(String::new()))
    } else {
        found
    }))
}

fn x_path(a: &Args<'_>) -> Result<Out, Fail> {
    xpath_with(a, None)
}

fn soap_x_path(a: &Args<'_>) -> Result<Out, Fail> {
    // WireMock prefixes `/Envelope/Body/` and matches without namespaces; local-name()
    // keeps that working for `soap:Envelope` documents.
    xpath_with(
        a,
        Some("/*[local-name()='Envelope']/*[local-name()='Body']/"),
    )
}

fn xpath_with(a: &Args<'_>, prefix: Option<&str>) -> Result<Out, Fail> {
    let Some(xml) = a.text(0) else {
        return Ok(Out::Value(Value::String(String::new())));
    };
    let Some(expr) = a.text(1) else {
        return Err("The XPath expression cannot be empty".into());
    };
    let full = match prefix {
        Some(p) => format!("{p}{}", expr.trim_start_matches('/')),
        None => expr.clone(),
    };
    if xml.trim().is_empty() {
        return Err(format!("{xml} is not valid XML"));
    }
    let nodes = match crate::xml::xpath(&xml, &full, &[]) {
        // A prefix no namespace binds selects nothing in WireMock (no error).
        Err(e) if e.contains("does not bind") => Ok(Vec::new()),
        other => other,
    };
    let nodes = nodes.map_err(|e| {
        if e.contains("does not parse") && e.contains("XML") {
            format!("{xml} is not valid XML")
        } else {
            format!("{expr} is not a valid XPath expression")
        }
    })?;
    Ok(Out::Value(match nodes.len() {
        0 => Value::String(String::new()),
        1 => Value::String(nodes.into_iter().next().unwrap_or_default()),
        _ => Value::Array(nodes.into_iter().map(Value::String).collect()),
    }))
}

fn form_data(a: &Args<'_>) -> Result<Out, Fail> {
    let text = a.text(0).unwrap_or_default();
    let decode = a.hash_bool("urlDecode");
    let mut map = Map::new();
    for field in text.split('&') {
        let mut parts = field.split('=');
        let (Some(k), Some(v)) = (parts.next(), parts.next()) else {
            continue;
        };
        let v = v.trim();
        let v = if decode {
            standin_core::wire::form_decode(v)
        } else {
            v.to_string()
        };
        crate::template::push_multi(&mut map, k, v);
    }
    let map = Value::Object(map);
    Ok(Out::var_or_value(a.text(1), map))
}

fn regex_extract(a: &Args<'_>) -> Result<Out, Fail> {
    let input = a.text(0).unwrap_or_default();
    let pattern = a.text(1).unwrap_or_default();
    let re = Regex::new(&pattern).map_err(|_| format!("Invalid regex string {pattern}"))?;
    if a.len() <= 2 {
        if let Some(m) = re.find(&input) {
            return Ok(Out::Value(Value::String(m.as_str().to_string())));
        }
    } else {
        let groups: Vec<Value> = re
            .captures_iter(&input)
            .flat_map(|c| {
                (1..c.len())
                    .map(|i| Value::String(c.get(i).map(|m| m.as_str()).unwrap_or("").to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        if !groups.is_empty() {
            let var = a.text(2).unwrap_or_default();
            return Ok(Out::Var(var, Value::Array(groups)));
        }
    }
    match a.hash("default") {
        Some(d) => Ok(Out::Value(d.clone())),
        None => Err(format!("Nothing matched {pattern}")),
    }
}

fn size(a: &Args<'_>) -> Result<Out, Fail> {
    Ok(Out::Value(match a.value(0) {
        Some(Value::String(s)) => Value::from(s.encode_utf16().count()),
        Some(Value::Array(items)) => Value::from(items.len()),
        Some(Value::Object(map)) => Value::from(map.len()),
        _ => Value::Null,
    }))
}

fn range(a: &Args<'_>) -> Result<Out, Fail> {
    const MESSAGE: &str =
        "The range helper requires both lower and upper bounds as integer parameters";
    let lower = a.value(0).and_then(|v| to_int(v, "lower").ok());
    let upper = a.value(1).and_then(|v| to_int(v, "upper").ok());
    let (Some(lower), Some(upper)) = (lower, upper) else {
        return Err(MESSAGE.into());
    };
    if upper.saturating_sub(lower) > 100_000 {
        return Err("range: at most 100000 values".into());
    }
    Ok(Out::Value(Value::Array(
        (lower..=upper).map(Value::from).collect(),
    )))
}

fn array(a: &Args<'_>) -> Result<Out, Fail> {
    Ok(Out::Value(Value::Array(
        (0..a.len()).filter_map(|i| a.value(i).cloned()).collect(),
    )))
}

/// `position=`: `start`, `end` (the default) or an index.
fn position(a: &Args<'_>) -> Result<Option<i64>, Fail> {
    let bad = || "position must be 'start', 'end' or an integer".to_string();
    match a.hash("position") {
        None => Ok(None),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("end") => Ok(None),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("start") => Ok(Some(0)),
        Some(v) => to_int(v, "position").map(Some).map_err(|_| bad()),
    }
}

const POSITION_RANGE: &str =
    "position must be greater than or equal to 0 and less than or equal to the size of the list";

fn array_add(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(list) = a.list(0) else {
        return Ok(Out::Value(Value::Array(Vec::new())));
    };
    let Some(item) = a.value(1) else {
        return Err("Missing required parameter: additional value to add to list".into());
    };
    let mut list = list.clone();
    match position(a)? {
        Some(p) if p < 0 || p as usize > list.len() => return Err(POSITION_RANGE.into()),
        Some(p) => list.insert(p as usize, item.clone()),
        None => list.push(item.clone()),
    }
    Ok(Out::Value(Value::Array(list)))
}

fn array_remove(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(list) = a.list(0) else {
        return Ok(Out::Value(Value::Array(Vec::new())));
    };
    let mut list = list.clone();
    let at = match position(a)? {
        Some(p) if p < 0 || p as usize >= list.len() => return Err(POSITION_RANGE.into()),
        Some(p) => p as usize,
        None if list.is_empty() => return Ok(Out::Value(Value::Array(list))),
        None => list.len() - 1,
    };
    list.remove(at);
    Ok(Out::Value(Value::Array(list)))
}

fn array_join(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(Value::String(separator)) = a.value(0) else {
        return Err("Separator parameter must be a String".into());
    };
    let items: Vec<String> = match a.value(1) {
        None => return Err("The parameter must be list".into()),
        Some(Value::Array(items)) => items.iter().map(value::render).collect(),
        Some(_) => (1..a.len()).filter_map(|i| a.text(i)).collect(),
    };
    if items.is_empty() {
        return Ok(Out::Value(Value::String(String::new())));
    }
    let prefix = a.hash_text("prefix").unwrap_or_default();
    let suffix = a.hash_text("suffix").unwrap_or_default();
    Ok(Out::Value(Value::String(format!(
        "{prefix}{}{suffix}",
        items.join(separator)
    ))))
}

fn val(a: &Args<'_>) -> Result<Out, Fail> {
    let v = a
        .value(0)
        .or_else(|| a.hash("or"))
        .or_else(|| a.hash("default"))
        .cloned()
        .unwrap_or(Value::Null);
    Ok(Out::var_or_value(a.hash_text("assign"), v))
}

fn assign(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(name) = a.text(0) else {
        return Err("assign needs a variable name".into());
    };
    let content = a.block.as_deref().unwrap_or("").trim().to_string();
    Ok(Out::Var(name, Value::String(content)))
}

/// A decimal as Java's `BigDecimal`: an unscaled integer and a scale.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decimal {
    unscaled: i128,
    scale: u32,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim();
        let (mantissa, exp) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], t[i + 1..].parse::<i32>().ok()?),
            None => (t, 0),
        };
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{int}{frac}");
        if digits.trim_start_matches(['-', '+']).is_empty() {
            return None;
        }
        let unscaled: i128 = digits.parse().ok()?;
        let mut scale = frac.len() as i32 - exp;
        let mut unscaled = unscaled;
        while scale < 0 {
            unscaled = unscaled.checked_mul(10)?;
            scale += 1;
        }
        Some(Decimal {
            unscaled,
            scale: scale as u32,
        })
    }

    /// Java's coercion: numbers as they print, other text parsed, anything else 0.
    fn of(v: Option<&Value>) -> Decimal {
        let text = match v {
            Some(Value::Number(n)) => value::java_number(n),
            Some(other) => value::render(other),
            None => String::new(),
        };
        Decimal::parse(&text).unwrap_or(Decimal {
            unscaled: 0,
            scale: 0,
        })
    }

    fn rescale(self, scale: u32) -> Option<i128> {
        self.unscaled
            .checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    fn aligned(self, other: Decimal) -> Option<(i128, i128, u32)> {
        let scale = self.scale.max(other.scale);
        Some((self.rescale(scale)?, other.rescale(scale)?, scale))
    }

    fn to_value(self) -> Value {
        if self.scale == 0 {
            return i64::try_from(self.unscaled)
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(self.unscaled as f64));
        }
        let f = self.unscaled as f64 / 10f64.powi(self.scale as i32);
        serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null)
    }
}

fn math(a: &Args<'_>) -> Result<Out, Fail> {
    if a.len() != 3 {
        return Err(
            "All maths functions require two operands and an operator as parameters e.g. 3 '+' 2"
                .into(),
        );
    }
    let left = Decimal::of(a.value(0));
    let op = a.text(1).unwrap_or_default();
    let right = Decimal::of(a.value(2));
    let overflow = || format!("{op}: the result is out of range");
    let result = match op.as_str() {
        "+" | "-" => {
            let (l, r, scale) = left.aligned(right).ok_or_else(overflow)?;
            let unscaled = if op == "+" {
                l.checked_add(r)
            } else {
                l.checked_sub(r)
            };
            Decimal {
                unscaled: unscaled.ok_or_else(overflow)?,
                scale,
            }
        }
        "*" | "x" => Decimal {
            unscaled: left
                .unscaled
                .checked_mul(right.unscaled)
                .ok_or_else(overflow)?,
            scale: left.scale + right.scale,
        },
        "/" => {
            if right.unscaled == 0 {
                return Err("Division by zero".into());
            }
            // BigDecimal.divide(right, HALF_UP): the result keeps the left operand's scale.
            let num = left
                .unscaled
                .checked_mul(10i128.checked_pow(right.scale).ok_or_else(overflow)?)
                .ok_or_else(overflow)?;
            let den = right.unscaled;
            let q = num / den;
            let rem = num % den;
            let round_up = rem.unsigned_abs() * 2 >= den.unsigned_abs();
            let q = if round_up {
                if (num < 0) == (den < 0) { q + 1 } else { q - 1 }
            } else {
                q
            };
            Decimal {
                unscaled: q,
                scale: left.scale,
            }
        }
        "%" => {
            if right.unscaled == 0 {
                return Err("Division by zero".into());
            }
            let (l, r, scale) = left.aligned(right).ok_or_else(overflow)?;
            Decimal {
                unscaled: l % r,
                scale,
            }
        }
        _ => return Err(format!("{op} is not a valid mathematical operator")),
    };
    Ok(Out::Value(result.to_value()))
}

fn hostname(a: &Args<'_>) -> Result<Out, Fail> {
    // WireMock answers the machine's name; standin reads no system state and answers the
    // host the client addressed.
    Ok(Out::Value(Value::String(a.host())))
}

fn system_value(a: &Args<'_>) -> Result<Out, Fail> {
    let key = a.hash_text("key").unwrap_or_default();
    if key.is_empty() {
        return Err("The key cannot be empty".into());
    }
    // Environment and system properties are never exposed to templates.
    Err(format!("Access to {key} is denied"))
}

/// `arrayJoin` as a helper, and as a block that renders its content once per item with
/// the item as context (`{{#arrayJoin ',' list}}<{{this}}>{{/arrayJoin}}`), as
/// WireMock's section form does.
pub(super) struct ArrayJoin(pub(super) super::ValueHelper);

impl HelperDef for ArrayJoin {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        self.0.call_inner(h, r, ctx, rc)
    }

    fn call<'reg: 'rc, 'rc>(
        &self,
        h: &Helper<'rc>,
        r: &'reg Handlebars<'reg>,
        ctx: &'rc Context,
        rc: &mut RenderContext<'reg, 'rc>,
        out: &mut dyn Output,
    ) -> HelperResult {
        let separator = match h.param(0).map(|p| p.value()) {
            Some(Value::String(s)) => s.clone(),
            _ => return self.0.call(h, r, ctx, rc, out),
        };
        let items: Vec<Value> = match h.param(1).map(|p| p.value()) {
            Some(Value::Array(items)) => items.clone(),
            Some(v) if !v.is_null() => h.params()[1..].iter().map(|p| p.value().clone()).collect(),
            _ => return self.0.call(h, r, ctx, rc, out),
        };
        let Some(template) = h.template().filter(|_| h.is_block()) else {
            return self.0.call(h, r, ctx, rc, out);
        };
        if items.is_empty() {
            return Ok(());
        }
        let option = |key: &str| h.hash_get(key).map(|v| value::render(v.value()));
        out.write(&option("prefix").unwrap_or_default())?;
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                out.write(&separator)?;
            }
            let mut block = BlockContext::new();
            block.set_base_value(item);
            rc.push_block(block);
            let rendered = template.render(r, ctx, rc, out);
            rc.pop_block();
            rendered?;
        }
        out.write(&option("suffix").unwrap_or_default())?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn definite_json_paths() {
        assert!(is_definite("$.a.b[0]"));
        assert!(is_definite("$['a.b']"));
        assert!(!is_definite("$.a[*].b"));
        assert!(!is_definite("$..b"));
        assert!(!is_definite("$.a[?(@.x == 1)]"));
        assert!(!is_definite("$.a[0,1]"));
        assert!(!is_definite("$.a[1:3]"));
    }

    #[test]
    fn decimals_like_big_decimal() {
        assert_eq!(
            Decimal::parse("-12.340"),
            Some(Decimal {
                unscaled: -12340,
                scale: 3
            })
        );
        assert_eq!(
            Decimal::parse("1E2"),
            Some(Decimal {
                unscaled: 100,
                scale: 0
            })
        );
        assert_eq!(Decimal::parse("abc"), None);
    }
}
