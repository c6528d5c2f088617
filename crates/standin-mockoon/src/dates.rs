//! Dates as Mockoon's date helpers (`now`, `dateTimeShift`, `dateFormat`) read and
//! write them: a date text read as JavaScript's `new Date(text)` reads ISO forms, a
//! shift by calendar units, and date-fns format patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSxxx`
//! by default). Times are in the machine's zone (`TZ`, else `/etc/localtime`), as Node's
//! are: shown with its offset, a date-time without an offset read in it, days and months
//! shifted on its calendar.

use chrono::{
    DateTime, Datelike, Days, Local, Months, NaiveDate, NaiveDateTime, Offset, TimeDelta, TimeZone,
    Timelike,
};

/// date-fns' default pattern in Mockoon's helpers.
pub const DEFAULT_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx";

/// The instant `ms` after the Unix epoch, in the machine's zone.
pub fn from_unix_ms(ms: u64) -> DateTime<Local> {
    let utc =
        DateTime::from_timestamp_millis(i64::try_from(ms).unwrap_or(i64::MAX)).unwrap_or_default();
    utc.with_timezone(&Local)
}

/// Reads a date text the way `new Date(text)` reads ISO forms (a date alone is UTC
/// midnight, a date and time without an offset is the machine's local time); `None`
/// when it is not one.
pub fn parse(text: &str) -> Option<DateTime<Local>> {
    parse_in(text, &Local)
}

/// [`parse`], a time without an offset read in `zone`.
fn parse_in<Tz: TimeZone>(text: &str, zone: &Tz) -> Option<DateTime<Tz>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(zone));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.with_timezone(zone));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            // A time the zone skips (a DST gap) is read an hour on, as Node reads it.
            return zone.from_local_datetime(&d).earliest().or_else(|| {
                zone.from_local_datetime(&(d + TimeDelta::hours(1)))
                    .earliest()
            });
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().with_timezone(zone));
    }
    if let Ok(ms) = t.parse::<i64>() {
        return DateTime::from_timestamp_millis(ms).map(|d| d.with_timezone(zone));
    }
    None
}

/// Shifts a date by calendar units, in the order `dateTimeShift` applies them: days,
/// months and years on the zone's calendar (the wall-clock time kept across a DST
/// change, as date-fns keeps it), hours, minutes and seconds as elapsed time.
pub fn shift<Tz: TimeZone>(d: DateTime<Tz>, units: [(char, i64); 6]) -> DateTime<Tz> {
    let mut d = d;
    for (unit, n) in units {
        if n == 0 {
            continue;
        }
        let months = |d: DateTime<Tz>, m: i64| {
            let m32 = u32::try_from(m.unsigned_abs()).unwrap_or(u32::MAX);
            if m >= 0 {
                d.clone().checked_add_months(Months::new(m32))
            } else {
                d.clone().checked_sub_months(Months::new(m32))
            }
            .unwrap_or(d)
        };
        let days = |d: DateTime<Tz>, n: i64| {
            let days = Days::new(n.unsigned_abs());
            if n >= 0 {
                d.clone().checked_add_days(days)
            } else {
                d.clone().checked_sub_days(days)
            }
            .unwrap_or_else(|| d + TimeDelta::try_days(n).unwrap_or_default())
        };
        d = match unit {
            'd' => days(d, n),
            'M' => months(d, n),
            'y' => months(d, n.saturating_mul(12)),
            'h' => d + TimeDelta::try_hours(n).unwrap_or_default(),
            'm' => d + TimeDelta::try_minutes(n).unwrap_or_default(),
            _ => d + TimeDelta::try_seconds(n).unwrap_or_default(),
        };
    }
    d
}

/// An offset as date-fns writes it (`formatTimezone`): `+05:30` with `delimiter` `:`.
fn offset_text(east_minutes: i32, delimiter: &str) -> String {
    let sign = if east_minutes < 0 { '-' } else { '+' };
    let (h, m) = (east_minutes.abs() / 60, east_minutes.abs() % 60);
    format!("{sign}{h:02}{delimiter}{m:02}")
}

/// `formatTimezoneShort`: `+5`, `+5:30`.
fn offset_short(east_minutes: i32) -> String {
    let sign = if east_minutes < 0 { '-' } else { '+' };
    let (h, m) = (east_minutes.abs() / 60, east_minutes.abs() % 60);
    match m {
        0 => format!("{sign}{h}"),
        _ => format!("{sign}{h}:{m:02}"),
    }
}

/// `formatTimezoneWithOptionalMinutes`: `+05`, `+0530`.
fn offset_optional_minutes(east_minutes: i32) -> String {
    match east_minutes % 60 {
        0 => {
            let sign = if east_minutes < 0 { '-' } else { '+' };
            format!("{sign}{:02}", east_minutes.abs() / 60)
        }
        _ => offset_text(east_minutes, ""),
    }
}

/// The `X` (`Z` for UTC) and `x` tokens of date-fns.
fn iso_offset(east_minutes: i32, len: usize) -> String {
    match len {
        1 => offset_optional_minutes(east_minutes),
        2 | 4 => offset_text(east_minutes, ""),
        _ => offset_text(east_minutes, ":"),
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn pad(n: i64, width: usize) -> String {
    format!("{n:0width$}")
}

/// Writes one run of a pattern letter (`yyyy`, `MM`, ...); `None` for letters date-fns
/// does not know.
fn token<Tz: TimeZone>(d: &DateTime<Tz>, letter: char, len: usize) -> Option<String> {
    let east = d.offset().fix().local_minus_utc() / 60;
    let h12 = |h: u32| if h.is_multiple_of(12) { 12 } else { h % 12 };
    Some(match letter {
        'y' | 'Y' | 'u' => match len {
            2 => pad(i64::from(d.year()).rem_euclid(100), 2),
            n => pad(i64::from(d.year()), n),
        },
        'M' | 'L' => match len {
            1 => d.month().to_string(),
            2 => pad(i64::from(d.month()), 2),
            3 => MONTHS[d.month0() as usize][..3].to_string(),
            4 => MONTHS[d.month0() as usize].to_string(),
            _ => MONTHS[d.month0() as usize][..1].to_string(),
        },
        'd' => match len {
            1 => d.day().to_string(),
            _ => pad(i64::from(d.day()), len),
        },
        'D' => pad(i64::from(d.ordinal()), len),
        'Q' => ((d.month0() / 3) + 1).to_string(),
        'E' | 'e' | 'c' => {
            let day = DAYS[d.weekday().num_days_from_monday() as usize];
            match len {
                1..=3 => day[..3].to_string(),
                4 => day.to_string(),
                5 => day[..1].to_string(),
                _ => day[..2].to_string(),
            }
        }
        'H' => pad(i64::from(d.hour()), len.min(2)),
        'h' => pad(i64::from(h12(d.hour())), len.min(2)),
        'k' => pad(
            i64::from(if d.hour() == 0 { 24 } else { d.hour() }),
            len.min(2),
        ),
        'K' => pad(i64::from(d.hour() % 12), len.min(2)),
        'm' => pad(i64::from(d.minute()), len.min(2)),
        's' => pad(i64::from(d.second()), len.min(2)),
        'S' => {
            let ms = format!("{:03}", d.timestamp_subsec_millis());
            format!("{ms:0<len$}")[..len].to_string()
        }
        'a' => match len {
            1..=3 => if d.hour() < 12 { "AM" } else { "PM" }.to_string(),
            4 => if d.hour() < 12 { "a.m." } else { "p.m." }.to_string(),
            _ => if d.hour() < 12 { "a" } else { "p" }.to_string(),
        },
        'X' if east == 0 => "Z".to_string(),
        'X' | 'x' => iso_offset(east, len),
        'O' | 'z' => match len {
            1..=3 => format!("GMT{}", offset_short(east)),
            _ => format!("GMT{}", offset_text(east, ":")),
        },
        'T' => d.timestamp_millis().to_string(),
        't' => d.timestamp().to_string(),
        'o' => ordinal(d.day()),
        _ => return None,
    })
}

/// Formats a date with a date-fns pattern: letters run by run, `'quoted'` text as
/// written (`''` is a quote), other characters as they are. `Do`, `do` and `Mo` give
/// ordinals.
pub fn format<Tz: TimeZone>(d: &DateTime<Tz>, pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push('\'');
                        i += 2;
                        continue;
                    }
                    break;
                }
                out.push(chars[i]);
                i += 1;
            }
            i += 1;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out.push(c);
            i += 1;
            continue;
        }
        let mut len = 1;
        while chars.get(i + len) == Some(&c) {
            len += 1;
        }
        if chars.get(i + len) == Some(&'o') && matches!(c, 'd' | 'D' | 'M') {
            let n = match c {
                'd' => d.day(),
                'D' => d.ordinal(),
                _ => d.month(),
            };
            out.push_str(&ordinal(n));
            i += len + 1;
            continue;
        }
        match token(d, c, len) {
            Some(t) => out.push_str(&t),
            None => out.extend(std::iter::repeat_n(c, len)),
        }
        i += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, Utc};

    #[test]
    fn formats_and_shifts_as_date_fns_does() {
        let d = parse_in("2024-02-29T13:05:09.042Z", &Utc).unwrap();
        assert_eq!(format(&d, DEFAULT_FORMAT), "2024-02-29T13:05:09.042+00:00");
        assert_eq!(
            format(&d, "dd/MM/yy h:mm a, EEEE MMMM do"),
            "29/02/24 1:05 PM, Thursday February 29th"
        );
        assert_eq!(format(&d, "yyyy-'W'''"), "2024-W'");
        let later = shift(
            d,
            [('d', 1), ('M', 1), ('y', 1), ('h', 0), ('m', 0), ('s', 0)],
        );
        assert_eq!(format(&later, "yyyy-MM-dd"), "2025-04-01");
        assert_eq!(
            format(&parse_in("2024-01-05", &Utc).unwrap(), "T"),
            "1704412800000"
        );
    }

    #[test]
    fn offsets_are_written_as_date_fns_writes_them() {
        let d = parse_in("2024-02-29T13:05:09Z", &Utc).unwrap();
        let tokens = "X|XX|XXX|x|xx|xxx|O|OOOO|z|zzzz";
        let cases = [
            (0, "Z|Z|Z|+00|+0000|+00:00|GMT+0|GMT+00:00|GMT+0|GMT+00:00"),
            (
                5 * 3600 + 1800,
                "+0530|+0530|+05:30|+0530|+0530|+05:30|GMT+5:30|GMT+05:30|GMT+5:30|GMT+05:30",
            ),
            (
                -3 * 3600,
                "-03|-0300|-03:00|-03|-0300|-03:00|GMT-3|GMT-03:00|GMT-3|GMT-03:00",
            ),
        ];
        for (east, want) in cases {
            let zone = FixedOffset::east_opt(east).unwrap();
            assert_eq!(format(&d.with_timezone(&zone), tokens), want, "{east}");
        }
    }

    #[test]
    fn a_time_without_an_offset_is_local_and_a_date_alone_is_utc() {
        let india = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let local = parse_in("2024-03-01T10:00:00", &india).unwrap();
        assert_eq!(
            format(&local, DEFAULT_FORMAT),
            "2024-03-01T10:00:00.000+05:30"
        );
        assert_eq!(format(&local, "T"), "1709267400000");
        let date = parse_in("2024-03-01", &india).unwrap();
        assert_eq!(
            format(&date, DEFAULT_FORMAT),
            "2024-03-01T05:30:00.000+05:30"
        );
        let stated = parse_in("2024-03-01T10:00:00-02:00", &india).unwrap();
        assert_eq!(format(&stated, "HH:mm xxx"), "17:30 +05:30");
    }
}
