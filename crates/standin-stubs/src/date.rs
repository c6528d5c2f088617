//! Dates: the `before` / `after` / `equalToDateTime` matchers ([`DatePattern`]) and the
//! parsing, offsets and Java-pattern formatting the templating date helpers share.
//!
//! The crate has no clock. "now" reaches the date matchers through [`with_now`]: the
//! caller wraps matching in `with_now(req.now_unix_ms, || …)` and every `now` inside
//! (nested in `and`/`or`/`not` or under a JSONPath/XPath sub-matcher too) resolves to
//! that instant; outside `with_now` it is the Unix epoch, so a forgotten call is a
//! visible, deterministic miss rather than a wall-clock read. [`DatePattern::evaluate`]
//! takes `now_ms` directly for callers that prefer an argument.
//!
//! Semantics follow WireMock 3.13.2: the expected value is a zoned date-time
//! (ISO-8601 with an offset, RFC 1123, RFC 1036, asctime), a local one (ISO-8601
//! without offset, a date, a year-month or a year) or `now` with an offset; a local
//! value compared with a zoned one is read in UTC (WireMock uses the JVM's zone);
//! `truncateActual` applies to zoned actual values, as in WireMock.

use crate::error::{StubError, optional_str};
use chrono::format::{Fixed, Item, Parsed, StrftimeItems};
use chrono::{
    DateTime, Datelike, Duration, FixedOffset, Months, NaiveDate, NaiveDateTime, NaiveTime,
    TimeZone, Timelike, Utc,
};
use serde_json::{Map, Value, json};
use std::cell::Cell;

thread_local! {
    static NOW_MS: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Runs `f` with "now" set to `now_ms` (Unix milliseconds) for the date matchers on this
/// thread; the previous value is restored afterwards, also when `f` unwinds.
pub fn with_now<R>(now_ms: u64, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<u64>);
    impl Drop for Restore {
        fn drop(&mut self) {
            NOW_MS.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(NOW_MS.with(|c| c.replace(Some(now_ms))));
    f()
}

/// The "now" set by [`with_now`]; 0 (the Unix epoch) outside it.
pub fn current_now_ms() -> u64 {
    NOW_MS.with(Cell::get).unwrap_or(0)
}

const YEAR_MS: f64 = 365.0 * 24.0 * 60.0 * 60.0 * 1000.0;

/// A date as WireMock reads it: with an offset, or a local wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    Zoned(DateTime<FixedOffset>),
    Local(NaiveDateTime),
}

fn strip_region(text: &str) -> &str {
    // `2021-06-14T12:00:00+02:00[Europe/Paris]`: the offset decides; region ids need
    // a zone database this crate does not carry.
    match text.find('[') {
        Some(i) if text.ends_with(']') => &text[..i],
        _ => text,
    }
}

/// ISO-8601 with an offset (`Z`, `+01:00`, `+0100`), optional fraction, optional seconds.
fn parse_iso_zoned(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = strip_region(text.trim());
    let normalised;
    let text = if let Some(base) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        normalised = format!("{base}+00:00");
        normalised.as_str()
    } else {
        text
    };
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(text, fmt) {
            return Some(dt);
        }
    }
    None
}

fn gmt_or_utc(text: &str) -> Option<&str> {
    text.strip_suffix(" GMT")
        .or_else(|| text.strip_suffix(" UTC"))
        .or_else(|| text.strip_suffix(" Z"))
}

/// The zoned forms WireMock tries in order: ISO, RFC 1123, RFC 1036, asctime.
fn parse_zoned(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Some(dt) = parse_iso_zoned(text) {
        return Some(dt);
    }
    if let Ok(dt) = DateTime::parse_from_rfc2822(text) {
        return Some(dt);
    }
    let utc = |n: NaiveDateTime| Utc.from_utc_datetime(&n).fixed_offset();
    if let Some(base) = gmt_or_utc(text)
        && let Ok(n) = NaiveDateTime::parse_from_str(base, "%A, %d-%b-%y %H:%M:%S")
    {
        return Some(utc(n));
    }
    NaiveDateTime::parse_from_str(text, "%a %b %e %H:%M:%S %Y")
        .ok()
        .map(utc)
}

/// The local forms: date-time (seconds and fraction optional), date, year-month, year.
fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(n) = NaiveDateTime::parse_from_str(text, fmt) {
            return Some(n);
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN));
    }
    let (y, m) = match text.split_once('-') {
        Some((y, m)) if y.len() == 4 && m.len() == 2 => (y, Some(m)),
        None if text.len() == 4 => (text, None),
        _ => return None,
    };
    let year: i32 = y.parse().ok()?;
    let month: u32 = m.map_or(Some(1), |m| m.parse().ok())?;
    NaiveDate::from_ymd_opt(year, month, 1).map(|d| d.and_time(NaiveTime::MIN))
}

/// Parses an instant: ISO-8601 with or without offset (without is read as UTC), a
/// date, RFC 1123 (`Tue, 3 Jun 2008 11:05:30 GMT`), RFC 1036 and asctime.
pub fn parse_instant(text: &str) -> Option<DateTime<FixedOffset>> {
    parse_zoned(text)
        .or_else(|| parse_local(text).map(|n| Utc.from_utc_datetime(&n).fixed_offset()))
}

/// A `now` offset: an amount of one of WireMock's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    /// The signed amount.
    pub amount: i64,
    /// The unit.
    pub unit: Unit,
}

/// WireMock's `DateTimeUnit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Seconds,
    Minutes,
    Hours,
    Days,
    Months,
    Years,
}

impl Unit {
    /// The unit named `text` (`days`, `HOURS`; WireMock's plural names only).
    pub fn parse(text: &str) -> Option<Unit> {
        Some(match text.to_ascii_lowercase().as_str() {
            "seconds" => Unit::Seconds,
            "minutes" => Unit::Minutes,
            "hours" => Unit::Hours,
            "days" => Unit::Days,
            "months" => Unit::Months,
            "years" => Unit::Years,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Unit::Seconds => "seconds",
            Unit::Minutes => "minutes",
            Unit::Hours => "hours",
            Unit::Days => "days",
            Unit::Months => "months",
            Unit::Years => "years",
        }
    }
}

impl Offset {
    /// Reads `now`, `now +3 days`, `now -1 hours` or the short form `3 days`.
    pub fn parse(expr: &str) -> Option<Offset> {
        let expr = expr.trim();
        if expr.eq_ignore_ascii_case("now") {
            return Some(Offset {
                amount: 0,
                unit: Unit::Seconds,
            });
        }
        let parts: Vec<&str> = expr.split(' ').collect();
        let (amount, unit) = match parts.as_slice() {
            [amount, unit] => (*amount, *unit),
            [now, amount, unit] if now.eq_ignore_ascii_case("now") => (*amount, *unit),
            _ => return None,
        };
        Some(Offset {
            amount: amount.strip_prefix('+').unwrap_or(amount).parse().ok()?,
            unit: Unit::parse(unit)?,
        })
    }

    /// `dt` moved by the offset (calendar months and years, clamped to the month's end).
    pub fn shift<Tz: TimeZone>(&self, dt: DateTime<Tz>) -> Option<DateTime<Tz>> {
        let secs = |n: i64| dt.clone().checked_add_signed(Duration::try_seconds(n)?);
        let months = |n: i64| {
            let m = Months::new(u32::try_from(n.unsigned_abs()).ok()?);
            if n >= 0 {
                dt.clone().checked_add_months(m)
            } else {
                dt.clone().checked_sub_months(m)
            }
        };
        match self.unit {
            Unit::Seconds => secs(self.amount),
            Unit::Minutes => secs(self.amount.checked_mul(60)?),
            Unit::Hours => secs(self.amount.checked_mul(3600)?),
            Unit::Days => secs(self.amount.checked_mul(86_400)?),
            Unit::Months => months(self.amount),
            Unit::Years => months(self.amount.checked_mul(12)?),
        }
    }

    /// `now +3 days` / `now -1 hours`, the form WireMock echoes.
    pub fn to_expr(&self) -> String {
        if self.amount >= 0 {
            format!("now +{} {}", self.amount, self.unit.name())
        } else {
            format!("now {} {}", self.amount, self.unit.name())
        }
    }
}

fn utc_from_ms(now_ms: u64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(i64::try_from(now_ms).ok()?)
        .single()
}

/// `now`, `now +3 days`, `now -1 hours` (units seconds, minutes, hours, days, months,
/// years) relative to `now_ms` (Unix milliseconds).
pub fn offset_expr(now_ms: u64, expr: &str) -> Option<DateTime<Utc>> {
    Offset::parse(expr)?.shift(utc_from_ms(now_ms)?)
}

/// WireMock's `DateTimeTruncation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truncation {
    FirstSecondOfMinute,
    FirstMinuteOfHour,
    FirstHourOfDay,
    FirstDayOfMonth,
    FirstDayOfNextMonth,
    LastDayOfMonth,
    FirstDayOfYear,
    FirstDayOfNextYear,
    LastDayOfYear,
}

const TRUNCATIONS: &[(&str, Truncation)] = &[
    ("first second of minute", Truncation::FirstSecondOfMinute),
    ("first minute of hour", Truncation::FirstMinuteOfHour),
    ("first hour of day", Truncation::FirstHourOfDay),
    ("first day of month", Truncation::FirstDayOfMonth),
    ("first day of next month", Truncation::FirstDayOfNextMonth),
    ("last day of month", Truncation::LastDayOfMonth),
    ("first day of year", Truncation::FirstDayOfYear),
    ("first day of next year", Truncation::FirstDayOfNextYear),
    ("last day of year", Truncation::LastDayOfYear),
];

impl Truncation {
    /// `first_minute_of_hour`, `FIRST_MINUTE_OF_HOUR` or `first minute of hour`.
    pub fn parse(text: &str) -> Option<Truncation> {
        let key = text.trim().to_ascii_lowercase().replace('_', " ");
        TRUNCATIONS.iter().find(|(n, _)| *n == key).map(|(_, t)| *t)
    }

    /// The name WireMock echoes (`first minute of hour`).
    pub fn name(self) -> &'static str {
        TRUNCATIONS
            .iter()
            .find(|(_, t)| *t == self)
            .map_or("", |(n, _)| n)
    }

    /// `dt` truncated in its own offset.
    pub fn apply<Tz: TimeZone>(self, dt: DateTime<Tz>) -> Option<DateTime<Tz>> {
        let tz = dt.timezone();
        let local = dt.naive_local();
        let day = |d: NaiveDate| d.and_time(NaiveTime::MIN);
        let date = local.date();
        let first_of_month = date.with_day(1)?;
        let naive = match self {
            Truncation::FirstSecondOfMinute => local.with_second(0)?.with_nanosecond(0)?,
            Truncation::FirstMinuteOfHour => {
                local.with_minute(0)?.with_second(0)?.with_nanosecond(0)?
            }
            Truncation::FirstHourOfDay => day(date),
            Truncation::FirstDayOfMonth => day(first_of_month),
            Truncation::FirstDayOfNextMonth => {
                day(first_of_month.checked_add_months(Months::new(1))?)
            }
            Truncation::LastDayOfMonth => day(first_of_month
                .checked_add_months(Months::new(1))?
                .pred_opt()?),
            Truncation::FirstDayOfYear => day(NaiveDate::from_ymd_opt(date.year(), 1, 1)?),
            Truncation::FirstDayOfNextYear => day(NaiveDate::from_ymd_opt(date.year() + 1, 1, 1)?),
            Truncation::LastDayOfYear => day(NaiveDate::from_ymd_opt(date.year(), 12, 31)?),
        };
        tz.from_local_datetime(&naive).single()
    }
}

// ---------------------------------------------------------------- Java patterns

/// A Java `DateTimeFormatter` pattern compiled to chrono items, or `unix` / `epoch`.
#[derive(Debug, Clone)]
pub enum JavaFormat {
    /// Seconds since the epoch.
    Unix,
    /// Milliseconds since the epoch.
    Epoch,
    /// A pattern; `zone_text` marks a `z` (zone name) field, printed as `GMT`/offset.
    Pattern {
        items: Vec<Item<'static>>,
        zone_name: bool,
    },
}

fn strftime(spec: &'static str) -> Vec<Item<'static>> {
    StrftimeItems::new(spec).collect()
}

impl JavaFormat {
    /// Compiles a Java pattern (`yyyy-MM-dd'T'HH:mm:ss`, `dd/MM/yyyy`, `unix`, `epoch`).
    pub fn compile(pattern: &str) -> Result<JavaFormat, String> {
        if pattern.eq_ignore_ascii_case("unix") {
            return Ok(JavaFormat::Unix);
        }
        if pattern.eq_ignore_ascii_case("epoch") {
            return Ok(JavaFormat::Epoch);
        }
        let chars: Vec<char> = pattern.chars().collect();
        let mut items: Vec<Item<'static>> = Vec::new();
        let mut zone_name = false;
        let mut literal = String::new();
        let mut i = 0;
        let flush = |literal: &mut String, items: &mut Vec<Item<'static>>| {
            if !literal.is_empty() {
                items.push(Item::OwnedLiteral(std::mem::take(literal).into_boxed_str()));
            }
        };
        while i < chars.len() {
            let c = chars[i];
            if c == '\'' {
                // 'quoted text'; '' is a quote.
                if chars.get(i + 1) == Some(&'\'') {
                    literal.push('\'');
                    i += 2;
                    continue;
                }
                let mut j = i + 1;
                while j < chars.len() {
                    if chars[j] == '\'' {
                        if chars.get(j + 1) == Some(&'\'') {
                            literal.push('\'');
                            j += 2;
                            continue;
                        }
                        break;
                    }
                    literal.push(chars[j]);
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(format!("date pattern {pattern:?} has an unclosed quote"));
                }
                i = j + 1;
                continue;
            }
            if !c.is_ascii_alphabetic() {
                if matches!(c, '[' | ']' | '{' | '}' | '#') {
                    return Err(format!("date pattern {pattern:?}: {c:?} is reserved"));
                }
                literal.push(c);
                i += 1;
                continue;
            }
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            i += n;
            flush(&mut literal, &mut items);
            let spec: Vec<Item<'static>> = match (c, n) {
                ('y' | 'u', 2) => strftime("%y"),
                ('y' | 'u', 1) => strftime("%-Y"),
                ('y' | 'u', _) => strftime("%Y"),
                ('M' | 'L', 1) => strftime("%-m"),
                ('M' | 'L', 2) => strftime("%m"),
                ('M' | 'L', 3) => strftime("%b"),
                ('M' | 'L', _) => strftime("%B"),
                ('d', 1) => strftime("%-d"),
                ('d', _) => strftime("%d"),
                ('D', 1 | 2) => strftime("%-j"),
                ('D', _) => strftime("%j"),
                ('E', 1..=3) => strftime("%a"),
                ('E', _) => strftime("%A"),
                ('a', _) => strftime("%p"),
                ('H' | 'k', 1) => strftime("%-H"),
                ('H' | 'k', _) => strftime("%H"),
                ('h' | 'K', 1) => strftime("%-I"),
                ('h' | 'K', _) => strftime("%I"),
                ('m', 1) => strftime("%-M"),
                ('m', _) => strftime("%M"),
                ('s', 1) => strftime("%-S"),
                ('s', _) => strftime("%S"),
                ('S', 1..=3) => strftime("%3f"),
                ('S', 4..=6) => strftime("%6f"),
                ('S', _) => strftime("%9f"),
                ('Z', 1..=3) | ('x', 1 | 2) => vec![Item::Fixed(Fixed::TimezoneOffset)],
                ('Z', _) | ('x', _) => vec![Item::Fixed(Fixed::TimezoneOffsetColon)],
                ('X', 1 | 2) => vec![Item::Fixed(Fixed::TimezoneOffsetZ)],
                ('X', _) => vec![Item::Fixed(Fixed::TimezoneOffsetColonZ)],
                ('z' | 'O' | 'V', _) => {
                    zone_name = true;
                    vec![Item::Fixed(Fixed::TimezoneName)]
                }
                _ => {
                    return Err(format!(
                        "date pattern {pattern:?}: the letter {c:?} (x{n}) is not supported"
                    ));
                }
            };
            items.extend(spec);
        }
        flush(&mut literal, &mut items);
        Ok(JavaFormat::Pattern { items, zone_name })
    }

    /// Formats `dt`. A zone name prints `GMT` for a zero offset, the offset otherwise.
    pub fn format(&self, dt: &DateTime<FixedOffset>) -> String {
        match self {
            JavaFormat::Unix => dt.timestamp().to_string(),
            JavaFormat::Epoch => dt.timestamp_millis().to_string(),
            JavaFormat::Pattern { items, zone_name } => {
                if *zone_name {
                    let zone = if dt.offset().local_minus_utc() == 0 {
                        "GMT".to_owned()
                    } else {
                        dt.format("%:z").to_string()
                    };
                    let items: Vec<Item<'_>> = items
                        .iter()
                        .map(|it| match it {
                            Item::Fixed(Fixed::TimezoneName) => Item::Literal(zone.as_str()),
                            other => other.clone(),
                        })
                        .collect();
                    dt.format_with_items(items.iter()).to_string()
                } else {
                    dt.format_with_items(items.iter()).to_string()
                }
            }
        }
    }

    /// Parses `text`: zoned when the pattern carries an offset (or is unix/epoch),
    /// local otherwise; missing fields default like Java's (day 1, January, midnight).
    fn parse(&self, text: &str) -> Option<Moment> {
        match self {
            JavaFormat::Unix => {
                let secs: i64 = text.trim().parse().ok()?;
                Some(Moment::Zoned(
                    Utc.timestamp_opt(secs, 0).single()?.fixed_offset(),
                ))
            }
            JavaFormat::Epoch => {
                let ms: i64 = text.trim().parse().ok()?;
                Some(Moment::Zoned(
                    Utc.timestamp_millis_opt(ms).single()?.fixed_offset(),
                ))
            }
            JavaFormat::Pattern { items, zone_name } => {
                let mut parsed = Parsed::new();
                // A zone name parses as any word (no zone database here); it reads as UTC.
                chrono::format::parse(&mut parsed, text, items.iter()).ok()?;
                if *zone_name && parsed.offset().is_none() {
                    parsed.set_offset(0).ok()?;
                }
                if parsed.day().is_none() && parsed.ordinal().is_none() {
                    parsed.set_day(1).ok()?;
                    if parsed.month().is_none() {
                        parsed.set_month(1).ok()?;
                    }
                }
                let date = parsed.to_naive_date().ok()?;
                let time = if parsed.hour_div_12().is_some() || parsed.hour_mod_12().is_some() {
                    parsed.to_naive_time().ok()?
                } else {
                    NaiveTime::MIN
                };
                let local = date.and_time(time);
                match parsed.offset() {
                    Some(off) => {
                        let tz = FixedOffset::east_opt(off)?;
                        Some(Moment::Zoned(tz.from_local_datetime(&local).single()?))
                    }
                    None => Some(Moment::Local(local)),
                }
            }
        }
    }
}

/// Formats `dt` with a Java `DateTimeFormatter` pattern (`yyyy-MM-dd'T'HH:mm:ss`,
/// `EEE, dd MMM yyyy HH:mm:ss z`), or `unix` (seconds) / `epoch` (milliseconds).
pub fn format_java(dt: &DateTime<FixedOffset>, java_pattern: &str) -> Result<String, String> {
    Ok(JavaFormat::compile(java_pattern)?.format(dt))
}

/// Parses `text` with a Java pattern; a pattern without an offset reads the text as UTC.
pub fn parse_java(text: &str, java_pattern: &str) -> Result<Option<DateTime<FixedOffset>>, String> {
    let format = JavaFormat::compile(java_pattern)?;
    Ok(format.parse(text).map(|m| match m {
        Moment::Zoned(z) => z,
        Moment::Local(n) => Utc.from_utc_datetime(&n).fixed_offset(),
    }))
}

// ---------------------------------------------------------------- the matchers

/// What a date matcher compares against.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Expected {
    Moment(Moment),
    Now(Offset),
}

/// `before` / `after` / `equalToDateTime` with their options.
#[derive(Debug, Clone)]
pub struct DatePattern {
    operator: &'static str,
    spec: String,
    expected: Expected,
    actual_format: Option<(String, JavaFormat)>,
    truncate_expected: Option<Truncation>,
    truncate_actual: Option<Truncation>,
    apply_truncation_last: bool,
}

fn truncation(
    obj: &Map<String, Value>,
    key: &str,
    pointer: &str,
) -> Result<Option<Truncation>, StubError> {
    let Some(text) = optional_str(obj, key, pointer)? else {
        return Ok(None);
    };
    Truncation::parse(text).map(Some).ok_or_else(|| {
        let names: Vec<String> = TRUNCATIONS
            .iter()
            .map(|(n, _)| n.replace(' ', "_"))
            .collect();
        StubError::new(
            format!("{pointer}/{key}"),
            format!(
                "{text:?} is not a truncation; expected one of {}",
                names.join(", ")
            ),
        )
    })
}

/// WireMock's test for a `now` expression: `now`, or `[now ]±N unit`.
fn is_now_expression(spec: &str) -> bool {
    if spec.eq_ignore_ascii_case("now") {
        return true;
    }
    let rest = if spec.len() >= 4 && spec[..4].eq_ignore_ascii_case("now ") {
        &spec[4..]
    } else {
        spec
    };
    let rest = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    match rest.split_once(' ') {
        Some((n, unit)) => {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
                && !unit.is_empty()
                && unit.chars().all(|c| c.is_ascii_alphabetic())
        }
        None => false,
    }
}

impl DatePattern {
    /// Reads the matcher whose operator is `operator` from `obj` (the matcher object at
    /// `pointer`).
    pub fn parse(
        obj: &Map<String, Value>,
        operator: &str,
        pointer: &str,
    ) -> Result<DatePattern, StubError> {
        let at = format!("{pointer}/{operator}");
        let operator: &'static str = match operator {
            "before" => "before",
            "after" => "after",
            "equalToDateTime" => "equalToDateTime",
            other => {
                return Err(StubError::new(
                    pointer,
                    format!("{other} is not a date matcher"),
                ));
            }
        };
        let Some(spec) = optional_str(obj, operator, pointer)? else {
            return Err(StubError::new(
                at,
                format!("{operator} needs a date or `now`"),
            ));
        };
        let explicit_offset = match (obj.get("expectedOffset"), obj.get("expectedOffsetUnit")) {
            (Some(Value::Number(n)), Some(Value::String(u))) => {
                let amount = n.as_i64().ok_or_else(|| {
                    StubError::new(
                        format!("{pointer}/expectedOffset"),
                        "expectedOffset must be a whole number",
                    )
                })?;
                let unit = Unit::parse(u).ok_or_else(|| {
                    StubError::new(
                        format!("{pointer}/expectedOffsetUnit"),
                        format!("{u:?} is not one of seconds, minutes, hours, days, months, years"),
                    )
                })?;
                Some(Offset { amount, unit })
            }
            _ => None,
        };
        let expected = if is_now_expression(spec) {
            let offset = match explicit_offset {
                Some(o) => o,
                None => Offset::parse(spec).ok_or_else(|| {
                    StubError::new(
                        &at,
                        format!(
                            "{spec:?}: the unit must be one of seconds, minutes, hours, days, months, years"
                        ),
                    )
                })?,
            };
            Expected::Now(offset)
        } else if let Some(z) = parse_zoned(spec) {
            Expected::Moment(Moment::Zoned(z))
        } else if let Some(l) = parse_local(spec) {
            Expected::Moment(Moment::Local(l))
        } else {
            return Err(StubError::new(
                at,
                format!(
                    "{spec:?} is not a date: expected ISO-8601 (2021-06-14T12:00:00Z), RFC 1123 or `now +3 days`"
                ),
            ));
        };
        let actual_format = match optional_str(obj, "actualFormat", pointer)? {
            None => None,
            Some(f) => Some((
                f.to_owned(),
                JavaFormat::compile(f)
                    .map_err(|e| StubError::new(format!("{pointer}/actualFormat"), e))?,
            )),
        };
        let apply_truncation_last = match obj.get("applyTruncationLast") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(_) => {
                return Err(StubError::new(
                    format!("{pointer}/applyTruncationLast"),
                    "applyTruncationLast must be true or false",
                ));
            }
        };
        Ok(DatePattern {
            operator,
            spec: spec.to_owned(),
            expected,
            actual_format,
            truncate_expected: truncation(obj, "truncateExpected", pointer)?,
            truncate_actual: truncation(obj, "truncateActual", pointer)?,
            apply_truncation_last,
        })
    }

    /// `before`, `after` or `equalToDateTime`.
    pub fn operator(&self) -> &'static str {
        self.operator
    }

    /// The expected value as WireMock prints it (`now +3 days` for an explicit offset).
    pub fn expected_text(&self) -> String {
        match &self.expected {
            Expected::Now(o) if self.spec.eq_ignore_ascii_case("now") && o.amount != 0 => {
                o.to_expr()
            }
            _ => self.spec.clone(),
        }
    }

    /// WireMock's JSON shape.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert(self.operator.into(), json!(self.expected_text()));
        if let Some((f, _)) = &self.actual_format {
            m.insert("actualFormat".into(), json!(f));
        }
        if let Some(t) = self.truncate_expected {
            m.insert("truncateExpected".into(), json!(t.name()));
        }
        if let Some(t) = self.truncate_actual {
            m.insert("truncateActual".into(), json!(t.name()));
        }
        if self.apply_truncation_last {
            m.insert("applyTruncationLast".into(), json!(true));
        }
        Value::Object(m)
    }

    fn expected_moment(&self, now_ms: u64) -> Option<Moment> {
        match &self.expected {
            Expected::Moment(m) => Some(*m),
            Expected::Now(offset) => {
                let now = utc_from_ms(now_ms)?.fixed_offset();
                let truncate = |dt| match self.truncate_expected {
                    Some(t) => t.apply(dt),
                    None => Some(dt),
                };
                let dt = if self.apply_truncation_last {
                    truncate(offset.shift(now)?)?
                } else {
                    offset.shift(truncate(now)?)?
                };
                Some(Moment::Zoned(dt))
            }
        }
    }

    fn actual_moment(&self, text: &str) -> Option<Moment> {
        let moment = match &self.actual_format {
            Some((_, f)) => f.parse(text)?,
            None => match parse_zoned(text) {
                Some(z) => Moment::Zoned(z),
                None => Moment::Local(parse_local(text)?),
            },
        };
        Some(match (moment, self.truncate_actual) {
            (Moment::Zoned(z), Some(t)) => Moment::Zoned(t.apply(z)?),
            (m, _) => m,
        })
    }

    /// (matched, distance) of `actual` with "now" at `now_ms`. The distance is
    /// WireMock's: the time apart over itself plus two years; 1.0 when unreadable.
    pub fn evaluate(&self, actual: Option<&str>, now_ms: u64) -> (bool, f64) {
        let (Some(expected), Some(actual)) = (
            self.expected_moment(now_ms),
            actual.and_then(|a| self.actual_moment(a)),
        ) else {
            return (false, 1.0);
        };
        let as_utc = |n: NaiveDateTime| Utc.from_utc_datetime(&n).fixed_offset();
        // Both sides on one footing: instants when the expected value is zoned, wall
        // clocks when it is local (a zoned actual then by its own wall clock).
        let (e, a) = match (expected, actual) {
            (Moment::Zoned(e), Moment::Zoned(a)) => (e.naive_utc(), a.naive_utc()),
            (Moment::Zoned(e), Moment::Local(a)) => (e.naive_utc(), as_utc(a).naive_utc()),
            (Moment::Local(e), Moment::Local(a)) => (e, a),
            (Moment::Local(e), Moment::Zoned(a)) => (e, a.naive_local()),
        };
        let matched = match self.operator {
            "before" => a < e,
            "after" => a > e,
            _ => a == e,
        };
        if matched {
            return (true, 0.0);
        }
        let apart = (a - e).num_milliseconds().unsigned_abs() as f64;
        (false, apart / (apart + 2.0 * YEAR_MS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn pattern(v: Value) -> DatePattern {
        let m = obj(v);
        let op = ["before", "after", "equalToDateTime"]
            .into_iter()
            .find(|k| m.contains_key(*k))
            .unwrap_or("before");
        DatePattern::parse(&m, op, "/p").unwrap_or_else(|e| panic!("{e}"))
    }

    const NOW: u64 = 1_623_672_000_000; // 2021-06-14T12:00:00Z

    #[test]
    fn parses_iso_rfc_and_friends() {
        let want = Utc.with_ymd_and_hms(2021, 6, 14, 12, 0, 0).unwrap();
        for text in [
            "2021-06-14T12:00:00Z",
            "2021-06-14T14:00:00+02:00",
            "2021-06-14T14:00:00.000+0200",
            "2021-06-14T14:00+02:00[Europe/Paris]",
            "Mon, 14 Jun 2021 12:00:00 GMT",
            "Monday, 14-Jun-21 12:00:00 GMT",
            "Mon Jun 14 12:00:00 2021",
            "2021-06-14T12:00:00",
        ] {
            assert_eq!(
                parse_instant(text).map(|d| d.with_timezone(&Utc)),
                Some(want),
                "{text}"
            );
        }
        assert_eq!(
            parse_instant("2021-06").map(|d| d.with_timezone(&Utc)),
            Some(Utc.with_ymd_and_hms(2021, 6, 1, 0, 0, 0).unwrap())
        );
        assert_eq!(parse_instant("not a date"), None);
    }

    #[test]
    fn now_offsets_in_every_unit() {
        let at = |e: &str| offset_expr(NOW, e).map(|d| d.to_rfc3339());
        assert_eq!(at("now").as_deref(), Some("2021-06-14T12:00:00+00:00"));
        assert_eq!(
            at("now +3 days").as_deref(),
            Some("2021-06-17T12:00:00+00:00")
        );
        assert_eq!(
            at("now -1 hours").as_deref(),
            Some("2021-06-14T11:00:00+00:00")
        );
        assert_eq!(
            at("now +30 seconds").as_deref(),
            Some("2021-06-14T12:00:30+00:00")
        );
        assert_eq!(
            at("now -5 minutes").as_deref(),
            Some("2021-06-14T11:55:00+00:00")
        );
        assert_eq!(
            at("now +1 months").as_deref(),
            Some("2021-07-14T12:00:00+00:00")
        );
        assert_eq!(
            at("now -2 years").as_deref(),
            Some("2019-06-14T12:00:00+00:00")
        );
        assert_eq!(at("5 DAYS").as_deref(), Some("2021-06-19T12:00:00+00:00"));
        assert_eq!(at("now +3 fortnights"), None);
        assert_eq!(at("later"), None);
    }

    #[test]
    fn java_patterns_format() {
        let dt = DateTime::parse_from_rfc3339("2021-06-04T09:05:07.123+02:00").unwrap();
        let f = |p: &str| format_java(&dt, p).unwrap();
        assert_eq!(f("yyyy-MM-dd'T'HH:mm:ss"), "2021-06-04T09:05:07");
        assert_eq!(f("dd/MM/yy"), "04/06/21");
        assert_eq!(f("d MMM yyyy"), "4 Jun 2021");
        assert_eq!(f("EEEE, MMMM d"), "Friday, June 4");
        assert_eq!(
            f("EEE, dd MMM yyyy HH:mm:ss Z"),
            "Fri, 04 Jun 2021 09:05:07 +0200"
        );
        assert_eq!(f("HH:mm:ss.SSSXXX"), "09:05:07.123+02:00");
        assert_eq!(f("hh:mm a"), "09:05 AM");
        assert_eq!(f("'quoted ''text'' 'yyyy"), "quoted 'text' 2021");
        assert_eq!(f("epoch"), "1622790307123");
        assert_eq!(f("unix"), "1622790307");
        let utc = DateTime::parse_from_rfc3339("2021-06-04T09:05:07Z").unwrap();
        assert_eq!(format_java(&utc, "HH:mm z").unwrap(), "09:05 GMT");
        assert_eq!(format_java(&utc, "HH:mmXXX").unwrap(), "09:05Z");
        assert!(format_java(&dt, "yyyy-MM-dd 'unclosed").is_err());
        assert!(format_java(&dt, "qqq").is_err());
    }

    #[test]
    fn java_patterns_parse() {
        let z = parse_java("14/06/2021", "dd/MM/yyyy").unwrap().unwrap();
        assert_eq!(z.to_rfc3339(), "2021-06-14T00:00:00+00:00");
        let z = parse_java("2021-06-14 10:11:12 +0200", "yyyy-MM-dd HH:mm:ss Z")
            .unwrap()
            .unwrap();
        assert_eq!(z.to_rfc3339(), "2021-06-14T10:11:12+02:00");
        let z = parse_java("1623672000", "unix").unwrap().unwrap();
        assert_eq!(
            z.with_timezone(&Utc).to_rfc3339(),
            "2021-06-14T12:00:00+00:00"
        );
        assert_eq!(parse_java("junk", "dd/MM/yyyy").unwrap(), None);
    }

    #[test]
    fn before_after_equal_with_literals_and_offsets() {
        let before = pattern(json!({"before": "2021-06-14T12:00:00Z"}));
        assert!(before.evaluate(Some("2021-06-14T11:59:59Z"), NOW).0);
        assert!(!before.evaluate(Some("2021-06-14T12:00:00Z"), NOW).0);
        assert!(
            before.evaluate(Some("2021-06-14T13:30:00+02:00"), NOW).0,
            "11:30Z is before"
        );
        let after = pattern(json!({"after": "2021-06-14T12:00:00+01:00"}));
        assert!(after.evaluate(Some("2021-06-14T11:30:00Z"), NOW).0);
        assert!(!after.evaluate(Some("2021-06-14T10:30:00Z"), NOW).0);
        let equal = pattern(json!({"equalToDateTime": "2021-06-14T12:00:00Z"}));
        assert!(equal.evaluate(Some("Mon, 14 Jun 2021 12:00:00 GMT"), NOW).0);
        assert!(equal.evaluate(Some("2021-06-14T14:00:00+02:00"), NOW).0);
        assert!(!equal.evaluate(Some("2021-06-14T12:00:01Z"), NOW).0);
        assert!(!equal.evaluate(Some("garbage"), NOW).0);
        assert!(!equal.evaluate(None, NOW).0);
    }

    #[test]
    fn local_expected_compares_wall_clocks() {
        let equal = pattern(json!({"equalToDateTime": "2021-06-14T12:00:00"}));
        assert!(equal.evaluate(Some("2021-06-14T12:00:00"), NOW).0);
        assert!(
            equal.evaluate(Some("2021-06-14T12:00:00+05:00"), NOW).0,
            "the actual's own wall clock"
        );
        let before = pattern(json!({"before": "2021-06-15"}));
        assert!(before.evaluate(Some("2021-06-14T23:59:59"), NOW).0);
    }

    #[test]
    fn now_with_offset_and_truncation() {
        let p = pattern(json!({"after": "now -1 hours"}));
        assert!(p.evaluate(Some("2021-06-14T11:30:00Z"), NOW).0);
        assert!(!p.evaluate(Some("2021-06-14T10:30:00Z"), NOW).0);
        let p = pattern(json!({"before": "now +3 days"}));
        assert!(p.evaluate(Some("2021-06-17T11:59:59Z"), NOW).0);
        assert!(!p.evaluate(Some("2021-06-17T12:00:01Z"), NOW).0);
        let p = pattern(
            json!({"equalToDateTime": "now", "truncateExpected": "first_day_of_month", "truncateActual": "first day of month"}),
        );
        assert!(p.evaluate(Some("2021-06-20T08:00:00Z"), NOW).0);
        assert!(!p.evaluate(Some("2021-07-01T08:00:00Z"), NOW).0);
        let p = pattern(
            json!({"equalToDateTime": "now +1 days", "truncateExpected": "first hour of day", "truncateActual": "first_hour_of_day"}),
        );
        assert!(p.evaluate(Some("2021-06-15T23:00:00Z"), NOW).0);
        let p = pattern(
            json!({"equalToDateTime": "now", "expectedOffset": 1, "expectedOffsetUnit": "months", "truncateExpected": "last day of month", "applyTruncationLast": true}),
        );
        assert!(p.evaluate(Some("2021-07-31T00:00:00Z"), NOW).0);
        assert_eq!(p.expected_text(), "now +1 months");
    }

    #[test]
    fn truncations() {
        let dt = Utc.with_ymd_and_hms(2021, 2, 14, 13, 45, 30).unwrap();
        let t = |name: &str| {
            Truncation::parse(name)
                .and_then(|t| t.apply(dt))
                .map(|d| d.to_rfc3339())
        };
        assert_eq!(
            t("first_second_of_minute").as_deref(),
            Some("2021-02-14T13:45:00+00:00")
        );
        assert_eq!(
            t("first_minute_of_hour").as_deref(),
            Some("2021-02-14T13:00:00+00:00")
        );
        assert_eq!(
            t("first_hour_of_day").as_deref(),
            Some("2021-02-14T00:00:00+00:00")
        );
        assert_eq!(
            t("first_day_of_month").as_deref(),
            Some("2021-02-01T00:00:00+00:00")
        );
        assert_eq!(
            t("first_day_of_next_month").as_deref(),
            Some("2021-03-01T00:00:00+00:00")
        );
        assert_eq!(
            t("last_day_of_month").as_deref(),
            Some("2021-02-28T00:00:00+00:00")
        );
        assert_eq!(
            t("first_day_of_year").as_deref(),
            Some("2021-01-01T00:00:00+00:00")
        );
        assert_eq!(
            t("first_day_of_next_year").as_deref(),
            Some("2022-01-01T00:00:00+00:00")
        );
        assert_eq!(
            t("LAST_DAY_OF_YEAR").as_deref(),
            Some("2021-12-31T00:00:00+00:00")
        );
        assert_eq!(Truncation::parse("whenever"), None);
    }

    #[test]
    fn actual_format() {
        let p = pattern(
            json!({"equalToDateTime": "2021-06-14T00:00:00", "actualFormat": "dd/MM/yyyy"}),
        );
        assert!(p.evaluate(Some("14/06/2021"), NOW).0);
        assert!(!p.evaluate(Some("2021-06-14"), NOW).0);
        let p = pattern(json!({"before": "2021-06-14T12:00:00Z", "actualFormat": "unix"}));
        assert!(p.evaluate(Some("1623671999"), NOW).0);
        assert!(!p.evaluate(Some("1623672001"), NOW).0);
        let p = pattern(json!({"after": "2021-06-14T12:00:00Z", "actualFormat": "epoch"}));
        assert!(p.evaluate(Some("1623672000001"), NOW).0);
    }

    #[test]
    fn distance_is_time_apart() {
        let p = pattern(json!({"equalToDateTime": "2021-06-14T12:00:00Z"}));
        let (_, near) = p.evaluate(Some("2021-06-14T12:00:01Z"), NOW);
        let (_, far) = p.evaluate(Some("2025-06-14T12:00:00Z"), NOW);
        assert!(near > 0.0 && near < far && far < 1.0, "{near} {far}");
        assert_eq!(p.evaluate(Some("nope"), NOW).1, 1.0);
    }

    #[test]
    fn with_now_sets_and_restores() {
        assert_eq!(current_now_ms(), 0);
        let inner = with_now(42, || {
            (
                current_now_ms(),
                with_now(7, current_now_ms),
                current_now_ms(),
            )
        });
        assert_eq!(inner, (42, 7, 42));
        assert_eq!(current_now_ms(), 0);
    }

    #[test]
    fn parse_errors_name_the_field() {
        let err = |v: Value, op: &str| DatePattern::parse(&obj(v), op, "/m").unwrap_err();
        let e = err(json!({"before": "yesterday-ish"}), "before");
        assert_eq!(e.pointer, "/m/before");
        let e = err(json!({"before": "now +3 fortnights"}), "before");
        assert_eq!(e.pointer, "/m/before");
        let e = err(json!({"after": "now", "truncateExpected": "soon"}), "after");
        assert_eq!(e.pointer, "/m/truncateExpected");
        let e = err(json!({"after": "now", "actualFormat": "yyyy-qq"}), "after");
        assert_eq!(e.pointer, "/m/actualFormat");
        let e = err(json!({"after": 5}), "after");
        assert_eq!(e.pointer, "/m/after");
    }

    #[test]
    fn echo_shape() {
        let p = pattern(
            json!({"before": "now +3 days", "actualFormat": "dd/MM/yyyy", "truncateActual": "first_day_of_month"}),
        );
        assert_eq!(
            p.to_json(),
            json!({"before": "now +3 days", "actualFormat": "dd/MM/yyyy", "truncateActual": "first day of month"})
        );
    }
}
