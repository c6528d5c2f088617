//! Random helpers: `randomValue`, `randomInt`, `randomDecimal`, `pickRandom`. Their
//! randomness is the render's, seeded from the request's entropy (see the parent module).

use serde_json::Value;

use super::{Args, Fail, Out, ValueFn, next_f64, next_in, next_u64, to_int};

pub(super) fn helpers() -> Vec<(&'static str, ValueFn)> {
    vec![
        ("randomValue", random_value),
        ("randomInt", random_int),
        ("randomDecimal", random_decimal),
        ("pickRandom", pick_random),
    ]
}

const ALPHABETIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALPHANUMERIC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const NUMERIC: &[u8] = b"0123456789";
const HEXADECIMAL: &[u8] = b"ABCDEF0123456789";

fn pick_chars(set: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| set[(next_u64() % set.len() as u64) as usize] as char)
        .collect()
}

/// Characters with codes in `lo..hi`.
fn pick_range(lo: u8, hi: u8, n: usize) -> String {
    (0..n)
        .map(|_| (lo + (next_u64() % u64::from(hi - lo)) as u8) as char)
        .collect()
}

/// A version 4 UUID from the render's randomness.
pub(crate) fn uuid() -> String {
    let (hi, lo) = (next_u64(), next_u64());
    crate::stub::uuid_from_bits((u128::from(hi) << 64) | u128::from(lo))
}

fn random_value(a: &Args<'_>) -> Result<Out, Fail> {
    let length = a.hash_int("length")?.unwrap_or(36);
    if !(0..=100_000).contains(&length) {
        return Err("length must be between 0 and 100000".into());
    }
    let n = length as usize;
    let kind = a.hash_text("type").unwrap_or("ALPHANUMERIC".into());
    let raw = match kind.as_str() {
        "ALPHANUMERIC" => pick_chars(ALPHANUMERIC, n),
        "ALPHABETIC" => pick_chars(ALPHABETIC, n),
        "NUMERIC" => pick_chars(NUMERIC, n),
        // Commons Lang's random(n, 33, 126): printable characters but space and `~`.
        "ALPHANUMERIC_AND_SYMBOLS" => pick_range(33, 126, n),
        "UUID" => uuid(),
        "HEXADECIMAL" => pick_chars(HEXADECIMAL, n),
        // Any other type: random ASCII (codes 32..126), as WireMock.
        _ => pick_range(32, 127, n),
    };
    // WireMock lower-cases every value unless `uppercase=true`.
    Ok(Out::Value(Value::String(if a.hash_bool("uppercase") {
        raw.to_uppercase()
    } else {
        raw.to_lowercase()
    })))
}

fn random_int(a: &Args<'_>) -> Result<Out, Fail> {
    let lower = a.hash("lower").map(|v| to_int(v, "lower")).transpose()?;
    let upper = a.hash("upper").map(|v| to_int(v, "upper")).transpose()?;
    let lower = lower.unwrap_or(i64::from(i32::MIN));
    let upper = upper.unwrap_or(i64::from(i32::MAX));
    if upper <= lower {
        return Err(format!(
            "upper ({upper}) must be greater than lower ({lower})"
        ));
    }
    // ThreadLocalRandom.nextInt(lower, upper): upper exclusive.
    Ok(Out::Value(Value::from(next_in(lower, upper))))
}

fn to_f64(v: &Value, what: &str) -> Result<f64, Fail> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{what} must be a number")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| format!("{what} must be a number, not {s:?}")),
        _ => Err(format!("{what} must be a number")),
    }
}

fn random_decimal(a: &Args<'_>) -> Result<Out, Fail> {
    let lower = a.hash("lower").map(|v| to_f64(v, "lower")).transpose()?;
    let upper = a.hash("upper").map(|v| to_f64(v, "upper")).transpose()?;
    let lower = lower.unwrap_or(f64::MIN_POSITIVE);
    let upper = upper.unwrap_or(f64::MAX);
    if upper <= lower {
        return Err(format!(
            "upper ({upper}) must be greater than lower ({lower})"
        ));
    }
    let f = lower + next_f64() * (upper - lower);
    let f = if f >= upper { lower } else { f };
    Ok(Out::Value(
        serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or(Value::Null),
    ))
}

fn pick_random(a: &Args<'_>) -> Result<Out, Fail> {
    let mut values: Vec<Value> = match a.list(0) {
        Some(list) => list.clone(),
        None => (0..a.len()).filter_map(|i| a.value(i).cloned()).collect(),
    };
    if values.is_empty() {
        return Err(
            "Must specify either a single list argument or a set of single value arguments.".into(),
        );
    }
    match a.hash_int("count")? {
        Some(count) if count > 0 => {
            let n = (count as usize).min(values.len());
            for i in 0..n {
                let j = next_in(i as i64, values.len() as i64) as usize;
                values.swap(i, j);
            }
            values.truncate(n);
            Ok(Out::Value(Value::Array(values)))
        }
        _ => {
            let i = next_in(0, values.len() as i64) as usize;
            Ok(Out::Value(values.swap_remove(i)))
        }
    }
}
