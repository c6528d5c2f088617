//! Dates as Mockoon's date helpers (`now`, `dateTimeShift`, `dateFormat`) read and
//! write them: a date text read as JavaScript's `new Date(text)` reads ISO forms, a
//! shift by calendar units, and date-fns format patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSxxx`
//! by default). Times are UTC, as Mockoon's are on a machine whose zone is UTC.

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, TimeDelta, Timelike, Utc};

/// date-fns' default pattern in Mockoon's helpers.
pub const DEFAULT_FORMAT: &str = "yyyy-MM-dd'T'HH:mm:ss.SSSxxx";

/// The instant `ms` after the Unix epoch.
pub fn from_unix_ms(ms: u64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(i64::try_from(ms).unwrap_or(i64::MAX)).unwrap_or_default()
}

/// Reads a date text the way `new Date(text)` reads ISO forms (a date alone is UTC
/// midnight); `None` when it is not one.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    let t = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(t) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(t) {
        return Some(d.with_timezone(&Utc));
    }
    for f in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(t, f) {
            return Some(d.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return d.and_hms_opt(0, 0, 0).map(|d| d.and_utc());
    }
    if let Ok(ms) = t.parse::<i64>() {
        return DateTime::from_timestamp_millis(ms);
    }
    None
}

/// Shifts a date by calendar units, in the order `dateTimeShift` applies them.
pub fn shift(d: DateTime<Utc>, units: [(char, i64); 6]) -> DateTime<Utc> {
    let mut d = d;
    for (unit, n) in units {
        if n == 0 {
            continue;
        }
        let months = |d: DateTime<Utc>, m: i64| {
            let m32 = u32::try_from(m.unsigned_abs()).unwrap_or(u32::MAX);
            if m >= 0 {
                d.checked_add_months(Months::new(m32))
            } else {
                d.checked_sub_months(Months::new(m32))
            }
            .unwrap_or(d)
        };
        d = match unit {
            'd' => d + TimeDelta::try_days(n).unwrap_or_default(),
            'M' => months(d, n),
            'y' => months(d, n.saturating_mul(12)),
            'h' => d + TimeDelta::try_hours(n).unwrap_or_default(),
            'm' => d + TimeDelta::try_minutes(n).unwrap_or_default(),
            _ => d + TimeDelta::try_seconds(n).unwrap_or_default(),
        };
    }
    d
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
fn token(d: &DateTime<Utc>, letter: char, len: usize) -> Option<String> {
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
        'X' => "Z".to_string(),
        'x' => match len {
            1 => "+00".to_string(),
            2 => "+0000".to_string(),
            _ => "+00:00".to_string(),
        },
        'O' | 'z' => "GMT".to_string(),
        'T' => d.timestamp_millis().to_string(),
        't' => d.timestamp().to_string(),
        'o' => ordinal(d.day()),
        _ => return None,
    })
}

/// Formats a date with a date-fns pattern: letters run by run, `'quoted'` text as
/// written (`''` is a quote), other characters as they are. `Do`, `do` and `Mo` give
/// ordinals.
pub fn format(d: &DateTime<Utc>, pattern: &str) -> String {
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

    #[test]
    fn formats_and_shifts_as_date_fns_does() {
        let d = parse("2024-02-29T13:05:09.042Z").unwrap();
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
        assert_eq!(format(&parse("2024-01-05").unwrap(), "T"), "1704412800000");
    }
}
