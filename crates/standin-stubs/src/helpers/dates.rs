//! Date helpers: `now`, `date`, `parseDate`, `truncateDate`. "Now" is the request's
//! arrival time; dates pass between helpers as [`DateValue`]s.

use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, TimeZone,
    Timelike, Utc,
};
use serde_json::Value;

use super::value::{DateValue, zone_offset};
use super::{Args, Fail, Out, ValueFn};

pub(super) fn helpers() -> Vec<(&'static str, ValueFn)> {
    vec![
        ("now", now),
        ("date", date),
        ("parseDate", parse_date),
        ("truncateDate", truncate_date),
    ]
}

/// Shifts `ms` by a WireMock offset: `3 days`, `-1 hours`, `now +5 years`, `now`.
pub(crate) fn shift(ms: i64, offset: &str) -> Result<i64, Fail> {
    let bad = || {
        format!(
            "Offset can be of the short form <amount> <unit> e.g. 8 seconds or long form now \
             +/-<amount> <unit> e.g. now +5 years, not {offset:?}"
        )
    };
    let t = offset.trim();
    let expr = if t.starts_with("now") {
        t.to_string()
    } else {
        format!("now {t}")
    };
    if ms >= 0
        && let Some(dt) = crate::date::offset_expr(ms as u64, &expr)
    {
        return Ok(dt.timestamp_millis());
    }
    // Months and years (and dates before the epoch) are shifted here.
    let rest = expr.trim_start_matches("now").trim();
    if rest.is_empty() {
        return Ok(ms);
    }
    let (amount, unit) = rest.split_once(' ').ok_or_else(bad)?;
    let amount: i64 = amount.trim_start_matches('+').parse().map_err(|_| bad())?;
    let start = Utc.timestamp_millis_opt(ms).single().ok_or_else(bad)?;
    let shifted = match unit.trim().to_ascii_lowercase().trim_end_matches('s') {
        "second" => start.checked_add_signed(Duration::seconds(amount)),
        "minute" => start.checked_add_signed(Duration::minutes(amount)),
        "hour" => start.checked_add_signed(Duration::hours(amount)),
        "day" => start.checked_add_signed(Duration::days(amount)),
        "month" | "year" => {
            let months = if unit.starts_with('y') {
                amount.checked_mul(12)
            } else {
                Some(amount)
            }
            .ok_or_else(bad)?;
            let m = Months::new(u32::try_from(months.unsigned_abs()).map_err(|_| bad())?);
            if months >= 0 {
                start.checked_add_months(m)
            } else {
                start.checked_sub_months(m)
            }
        }
        _ => return Err(bad()),
    };
    shifted.map(|d| d.timestamp_millis()).ok_or_else(bad)
}

fn now(a: &Args<'_>) -> Result<Out, Fail> {
    let base = i64::try_from(a.now_ms()).unwrap_or(i64::MAX);
    dated(a, base, a.hash_text("timezone"))
}

fn dated(a: &Args<'_>, ms: i64, timezone: Option<String>) -> Result<Out, Fail> {
    let ms = match a.hash_text("offset") {
        Some(offset) => shift(ms, &offset)?,
        None => ms,
    };
    if let Some(tz) = &timezone {
        zone_offset(tz)?;
    }
    Ok(Out::Value(
        DateValue {
            ms,
            format: a.hash_text("format"),
            timezone,
            plain: false,
        }
        .to_value(),
    ))
}

fn date(a: &Args<'_>) -> Result<Out, Fail> {
    match a.value(0).and_then(DateValue::from_value) {
        // A date keeps its own zone (WireMock's `RenderableDate`): `timezone=` applies
        // only to `now` and to a value that is not a date.
        Some(d) => dated(a, d.ms, d.timezone.clone()),
        // Like WireMock: anything but a date means now.
        None => now(a),
    }
}

/// Parses `text` with a Java pattern, `epoch` or `unix`; a pattern without an offset
/// reads the text as UTC.
fn parse_with(text: &str, format: &str) -> Option<DateTime<FixedOffset>> {
    crate::date::parse_java(text.trim(), format).ok().flatten()
}

fn parse_date(a: &Args<'_>) -> Result<Out, Fail> {
    let text = a.text(0).unwrap_or_default();
    let parsed = match a.hash_text("format") {
        Some(format) => parse_with(&text, &format),
        None => crate::date::parse_instant(&text),
    };
    // WireMock answers null for a date it cannot parse; a parsed date keeps the offset
    // it was written with and prints in it.
    Ok(Out::Value(match parsed {
        Some(dt) => DateValue {
            ms: dt.timestamp_millis(),
            format: None,
            timezone: (dt.offset().local_minus_utc() != 0).then(|| dt.format("%:z").to_string()),
            plain: false,
        }
        .to_value(),
        None => Value::Null,
    }))
}

fn truncate_date(a: &Args<'_>) -> Result<Out, Fail> {
    let Some(kind) = a.text(1) else {
        return Err(
            "Truncation type must be specified as the first parameter to truncateDate".into(),
        );
    };
    let Some(d) = a.value(0).and_then(DateValue::from_value) else {
        return Err("A date object must be passed to the truncateDate helper".into());
    };
    let dt = Utc
        .timestamp_millis_opt(d.ms)
        .single()
        .ok_or_else(|| "the date is out of range".to_string())?;
    let day = dt.date_naive();
    let first_of_month = day.with_day(1);
    let next_month = first_of_month.and_then(|f| f.checked_add_months(Months::new(1)));
    let first_of_year = NaiveDate::from_ymd_opt(day.year(), 1, 1);
    let next_year = NaiveDate::from_ymd_opt(day.year() + 1, 1, 1);
    let truncated: Option<NaiveDateTime> = match kind.to_ascii_lowercase().as_str() {
        "first second of minute" => day.and_hms_opt(dt.hour(), dt.minute(), 0),
        "first minute of hour" => day.and_hms_opt(dt.hour(), 0, 0),
        "first hour of day" => day.and_hms_opt(0, 0, 0),
        "first day of month" => first_of_month.and_then(|f| f.and_hms_opt(0, 0, 0)),
        "first day of next month" => next_month.and_then(|f| f.and_hms_opt(0, 0, 0)),
        "last day of month" => next_month
            .and_then(|n| n.pred_opt())
            .and_then(|f| f.and_hms_opt(0, 0, 0)),
        "first day of year" => first_of_year.and_then(|f| f.and_hms_opt(0, 0, 0)),
        "first day of next year" => next_year.and_then(|f| f.and_hms_opt(0, 0, 0)),
        "last day of year" => next_year
            .and_then(|n| n.pred_opt())
            .and_then(|f| f.and_hms_opt(0, 0, 0)),
        _ => return Err(format!("Unknown truncation type {kind}")),
    };
    let ms = truncated
        .map(|n| n.and_utc().timestamp_millis())
        .ok_or_else(|| "the date is out of range".to_string())?;
    Ok(Out::Value(
        DateValue {
            ms,
            format: None,
            timezone: None,
            plain: true,
        }
        .to_value(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets() {
        let jan31 = 1_706_659_200_000; // 2024-01-31T00:00:00Z
        assert_eq!(shift(0, "3 days").unwrap(), 3 * 86_400_000);
        assert_eq!(shift(0, "now +1 hours").unwrap(), 3_600_000);
        assert_eq!(shift(86_400_000, "-1 days").unwrap(), 0);
        assert_eq!(shift(0, "now").unwrap(), 0);
        // 2024-02-29 (clamped to the month's end), 2025-01-31.
        assert_eq!(shift(jan31, "1 months").unwrap(), 1_709_164_800_000);
        assert_eq!(shift(jan31, "1 years").unwrap(), 1_738_281_600_000);
        assert!(shift(0, "3 fortnights").is_err());
    }

    #[test]
    fn java_patterns_parse() {
        let ms = |text: &str, f: &str| parse_with(text, f).map(|d| d.timestamp_millis());
        assert_eq!(ms("2024-01-02", "yyyy-MM-dd"), Some(1_704_153_600_000));
        assert_eq!(
            ms("02/01/2024 10:00", "dd/MM/yyyy HH:mm"),
            Some(1_704_189_600_000)
        );
        assert_eq!(ms("1704153600", "unix"), Some(1_704_153_600_000));
        assert_eq!(ms("1704153600000", "epoch"), Some(1_704_153_600_000));
        let zoned = parse_with("2024-01-02 10:00 +0200", "yyyy-MM-dd HH:mm Z");
        assert_eq!(
            zoned.map(|d| d.to_rfc3339()).as_deref(),
            Some("2024-01-02T10:00:00+02:00")
        );
        assert_eq!(ms("nope", "yyyy"), None);
    }
}
