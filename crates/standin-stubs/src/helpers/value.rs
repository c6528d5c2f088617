//! How template values print, the way WireMock (Java) prints them.
//!
//! The model is JSON, but WireMock's values are Java objects with their own `toString`:
//! lists print as `[a, b]`, maps from `jsonPath` as Jackson's pretty JSON, doubles as
//! `2.0`, dates in their chosen format. Dates travel between helpers as a tagged object
//! (`{"__date": {...}}`) so `now`, `parseDate`, `date` and `truncateDate` compose.

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};
use serde_json::{Map, Value, json};

use crate::matcher::pretty_json;

/// The key of a tagged date value.
const DATE_TAG: &str = "__date";

/// A date as the date helpers pass it around.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct DateValue {
    /// Milliseconds since the epoch.
    pub ms: i64,
    /// `epoch`, `unix` or a Java pattern; `None` prints ISO-8601.
    pub format: Option<String>,
    /// The zone it prints in (`UTC`, `+02:00`, `GMT+2`); `None` is UTC.
    pub timezone: Option<String>,
    /// A plain `java.util.Date` (from `truncateDate`): prints as ISO-8601 in UTC.
    pub plain: bool,
}

impl DateValue {
    /// The tagged JSON form.
    pub fn to_value(&self) -> Value {
        json!({ DATE_TAG: {
            "ms": self.ms,
            "format": self.format,
            "timezone": self.timezone,
            "plain": self.plain,
        }})
    }

    /// Reads the tagged JSON form.
    pub fn from_value(v: &Value) -> Option<DateValue> {
        let d = v.as_object()?.get(DATE_TAG)?;
        Some(DateValue {
            ms: d.get("ms")?.as_i64()?,
            format: d.get("format").and_then(Value::as_str).map(str::to_string),
            timezone: d
                .get("timezone")
                .and_then(Value::as_str)
                .map(str::to_string),
            plain: d.get("plain").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// The instant in its zone (UTC when the zone is unknown).
    pub fn datetime(&self) -> Result<DateTime<FixedOffset>, String> {
        let offset = match &self.timezone {
            Some(tz) => zone_offset(tz)?,
            None => utc(),
        };
        offset
            .timestamp_millis_opt(self.ms)
            .single()
            .ok_or_else(|| format!("the date {} ms is out of range", self.ms))
    }

    /// Prints it as WireMock's `RenderableDate` does.
    pub fn render(&self) -> String {
        match self.render_checked() {
            Ok(s) => s,
            Err(e) => error_text(&e),
        }
    }

    fn render_checked(&self) -> Result<String, String> {
        let dt = self.datetime()?;
        if self.plain {
            // A plain `java.util.Date` prints as ISO-8601 in UTC in WireMock's templates.
            return Ok(iso8601(&dt.with_timezone(&Utc).fixed_offset()));
        }
        match self.format.as_deref() {
            Some("epoch") => Ok(self.ms.to_string()),
            Some("unix") => Ok(self.ms.div_euclid(1000).to_string()),
            Some(pattern) => crate::date::format_java(&dt, pattern),
            None => Ok(iso8601(&dt)),
        }
    }
}

fn utc() -> FixedOffset {
    Utc.fix()
}

/// Jackson's `ISO8601Utils.format(date, false, tz)`: seconds precision, `Z` for UTC.
pub(crate) fn iso8601(dt: &DateTime<FixedOffset>) -> String {
    if dt.offset().local_minus_utc() == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
    }
}

/// A zone name WireMock accepts that needs no zone database: `UTC`, `GMT`, `Z`, and
/// fixed offsets (`+02:00`, `-0530`, `GMT+2`, `UTC-05:00`).
pub(crate) fn zone_offset(tz: &str) -> Result<FixedOffset, String> {
    let t = tz.trim();
    let rest = ["UTC", "GMT", "UT"]
        .iter()
        .find_map(|p| t.strip_prefix(p))
        .unwrap_or(t);
    if rest.is_empty() || rest == "Z" {
        return Ok(utc());
    }
    let unknown = || format!("unknown timezone {tz} (use UTC or a fixed offset like +02:00)");
    let (sign, digits) = match rest.as_bytes().first() {
        Some(b'+') => (1, &rest[1..]),
        Some(b'-') => (-1, &rest[1..]),
        _ => return Err(unknown()),
    };
    let (h, m) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() > 2 => digits.split_at(digits.len() - 2),
        None => (digits, "0"),
    };
    let h: i32 = h.parse().map_err(|_| unknown())?;
    let m: i32 = m.parse().map_err(|_| unknown())?;
    if h > 18 || m > 59 {
        return Err(unknown());
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60)).ok_or_else(unknown)
}

/// WireMock's in-band helper error: `[ERROR: message]`.
pub(crate) fn error_text(message: &str) -> String {
    format!("[ERROR: {message}]")
}

/// How a value prints where a template writes it (`{{x}}`), before HTML escaping.
pub(crate) fn render(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        // A map (parseJson's, `request.query`) prints as Java's `Map.toString`.
        other => java_string(other),
    }
}

/// How `{{jsonPath ...}}` prints its result: WireMock wraps lists and maps in its
/// `JsonData`, whose `toString` is JSON (a map as Jackson's pretty JSON, a list as
/// Jayway's compact JSON); other values print as usual.
pub(crate) fn render_json_path(v: &Value) -> String {
    match v {
        Value::Object(_) if DateValue::from_value(v).is_none() => pretty_json(v),
        Value::Array(_) => v.to_string(),
        other => render(other),
    }
}

/// How `{{xPath ...}}` prints its result: the first node found (WireMock's
/// `ListOrSingle` prints its first item), an element as indented XML with a final line
/// break, as WireMock's `XmlNode` prints it.
pub(crate) fn render_xpath(v: &Value) -> String {
    let first = match v {
        Value::Array(items) => match items.first() {
            Some(f) => f,
            None => return String::new(),
        },
        other => other,
    };
    match first {
        Value::String(s) if s.starts_with('<') => {
            crate::xml::pretty_print(s).map_or_else(|| s.clone(), |x| format!("{x}\n"))
        }
        other => render(other),
    }
}

/// Java's `String.valueOf` of the value: lists `[a, b]`, maps `{k=v}`, doubles `2.0`.
pub(crate) fn java_string(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => java_number(n),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(java_string).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            if let Some(d) = DateValue::from_value(v) {
                return d.render();
            }
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", java_string(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// A JSON number as Java prints an `Integer`, `Long` or `Double`.
pub(crate) fn java_number(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    java_double(n.as_f64().unwrap_or(0.0))
}

/// Java's `Double.toString`: `2.0`, `0.5`, `1.0E10`, `1.0E-5`, `NaN`, `Infinity`.
pub(crate) fn java_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let abs = f.abs();
    if f == 0.0 || (1e-3..1e7).contains(&abs) {
        let s = format!("{f}");
        if s.contains('.') { s } else { format!("{s}.0") }
    } else {
        // Rust prints "1e10"; Java "1.0E10".
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exp}")
    }
}

/// handlebars.java's `Handlebars.Utils.isEmpty`: null, false, "", 0, empty list or map.
pub(crate) fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::String(s) => s.is_empty(),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty() && DateValue::from_value(v).is_none(),
    }
}

/// An empty JSON object.
pub(crate) fn empty_map() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_doubles() {
        assert_eq!(java_double(2.0), "2.0");
        assert_eq!(java_double(0.5), "0.5");
        assert_eq!(java_double(-3.25), "-3.25");
        assert_eq!(java_double(1e10), "1.0E10");
        assert_eq!(java_double(1.5e-5), "1.5E-5");
        assert_eq!(java_double(0.0), "0.0");
    }

    #[test]
    fn java_lists_and_maps() {
        assert_eq!(java_string(&json!([1, "a", [true]])), "[1, a, [true]]");
        assert_eq!(java_string(&json!({"a": 1, "b": null})), "{a=1, b=null}");
        assert_eq!(render(&json!(null)), "");
        assert_eq!(render(&json!(2.5)), "2.5");
    }

    #[test]
    fn jackson_pretty_printing() {
        let v = json!({"a": [{"b": 1}], "c": {}, "d": [], "e": "x"});
        assert_eq!(
            pretty_json(&v),
            "{\n  \"a\" : [ {\n    \"b\" : 1\n  } ],\n  \"c\" : { },\n  \"d\" : [ ],\n  \"e\" : \"x\"\n}"
        );
        assert_eq!(render_json_path(&json!({"k": 1})), "{\n  \"k\" : 1\n}");
        assert_eq!(render_json_path(&json!(["a", 1])), "[\"a\",1]");
        assert_eq!(render(&json!({"k": 1})), "{k=1}");
    }

    #[test]
    fn dates_render_by_format() {
        let d = DateValue {
            ms: 1_704_067_200_123,
            format: None,
            timezone: None,
            plain: false,
        };
        assert_eq!(d.render(), "2024-01-01T00:00:00Z");
        let epoch = DateValue {
            format: Some("epoch".into()),
            ..d.clone()
        };
        assert_eq!(epoch.render(), "1704067200123");
        let unix = DateValue {
            format: Some("unix".into()),
            ..d.clone()
        };
        assert_eq!(unix.render(), "1704067200");
        let zoned = DateValue {
            timezone: Some("+02:00".into()),
            ..d.clone()
        };
        assert_eq!(zoned.render(), "2024-01-01T02:00:00+02:00");
        let plain = DateValue { plain: true, ..d };
        assert_eq!(plain.render(), "2024-01-01T00:00:00Z");
        assert_eq!(DateValue::from_value(&plain.to_value()), Some(plain));
    }

    #[test]
    fn zones_without_a_database() {
        assert_eq!(zone_offset("UTC").unwrap().local_minus_utc(), 0);
        assert_eq!(zone_offset("GMT+2").unwrap().local_minus_utc(), 7200);
        assert_eq!(zone_offset("-05:30").unwrap().local_minus_utc(), -19800);
        assert_eq!(zone_offset("+0100").unwrap().local_minus_utc(), 3600);
        assert!(zone_offset("Europe/Paris").is_err());
    }

    #[test]
    fn emptiness_like_handlebars_java() {
        for v in [
            json!(null),
            json!(false),
            json!(""),
            json!(0),
            json!([]),
            json!({}),
        ] {
            assert!(is_empty(&v), "{v}");
        }
        for v in [
            json!(true),
            json!("a"),
            json!(1),
            json!([0]),
            json!({"a": 1}),
        ] {
            assert!(!is_empty(&v), "{v}");
        }
    }
}
