//! Postman's response templating in saved examples, filled in per request: the
//! dynamic variables (`{{$randomUUID}}`, `{{$timestamp}}`, `{{$randomFullName}}` ...),
//! the request helpers (`{{$body 'a.b' 'default'}}`, `{{$queryParams 'k'}}`,
//! `{{$pathSegments '1'}}`, `{{$headers 'h'}}`), and the values a `{{var}}` URL
//! wildcard captured. Anything else between braces is left as written.
//!
//! The word lists are our own, short on purpose: they make plausible values, not a
//! faker.

use serde_json::Value;

use crate::exchange::Request;

/// What one reply is filled from.
pub struct Context<'a> {
    req: &'a Request<'a>,
    rng: u64,
    captures: &'a [(String, String)],
    segments: &'a [String],
}

impl<'a> Context<'a> {
    /// A context for one request; `seed` drives every random value.
    pub fn new(
        req: &'a Request<'a>,
        seed: u64,
        captures: &'a [(String, String)],
        segments: &'a [String],
    ) -> Context<'a> {
        Context {
            req,
            rng: seed ^ 0x5851_f42d_4c95_7f2d,
            captures,
            segments,
        }
    }

    /// `text` with every known `{{...}}` replaced.
    pub fn fill(&mut self, text: &str) -> String {
        if !text.contains("{{") {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 32);
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find("}}") else {
                out.push_str(&rest[start..]);
                return out;
            };
            let inner = after[..end].trim();
            match self.value(inner) {
                Some(v) => out.push_str(&v),
                None => {
                    out.push_str("{{");
                    out.push_str(&after[..end]);
                    out.push_str("}}");
                }
            }
            rest = &after[end + 2..];
        }
        out.push_str(rest);
        out
    }

    fn value(&mut self, inner: &str) -> Option<String> {
        let Some(name) = inner.strip_prefix('$') else {
            return self
                .captures
                .iter()
                .find(|(k, _)| k == inner)
                .map(|(_, v)| v.clone());
        };
        let (name, args) = match name.split_once(char::is_whitespace) {
            Some((n, a)) => (n, arguments(a)),
            None => (name, Vec::new()),
        };
        match name {
            "body" => Some(self.body(&args)),
            "queryParams" => Some(self.query(&args)),
            "pathSegments" => Some(self.path_segment(&args)),
            "headers" => Some(self.header(&args)),
            _ => self.dynamic(name),
        }
    }

    fn body(&self, args: &[String]) -> String {
        let default = args.get(1).cloned().unwrap_or_default();
        let Ok(doc) = serde_json::from_slice::<Value>(self.req.body) else {
            return default;
        };
        let found = match args.first() {
            Some(path) if !path.is_empty() => object_path(&doc, path),
            _ => Some(&doc),
        };
        match found {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => default,
        }
    }

    fn query(&self, args: &[String]) -> String {
        let pairs = crate::wire::form_pairs(self.req.query);
        match args.first() {
            Some(key) => pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
                .or_else(|| args.get(1).cloned())
                .unwrap_or_default(),
            None => {
                let map: serde_json::Map<String, Value> = pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect();
                Value::Object(map).to_string()
            }
        }
    }

    fn path_segment(&self, args: &[String]) -> String {
        match args.first().and_then(|a| a.parse::<usize>().ok()) {
            Some(i) => self
                .segments
                .get(i)
                .cloned()
                .or_else(|| args.get(1).cloned())
                .unwrap_or_default(),
            None => Value::from(self.segments.to_vec()).to_string(),
        }
    }

    fn header(&self, args: &[String]) -> String {
        match args.first() {
            Some(name) => self
                .req
                .headers
                .get(name.to_ascii_lowercase().as_str())
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .or_else(|| args.get(1).cloned())
                .unwrap_or_default(),
            None => {
                let map: serde_json::Map<String, Value> = self
                    .req
                    .headers
                    .iter()
                    .filter_map(|(k, v)| {
                        Some((
                            k.as_str().to_string(),
                            Value::String(v.to_str().ok()?.into()),
                        ))
                    })
                    .collect();
                Value::Object(map).to_string()
            }
        }
    }

    /// splitmix64: small, fast, and plenty for mock data.
    fn next(&mut self) -> u64 {
        self.rng = self.rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    fn pick(&mut self, list: &[&str]) -> String {
        let i = self.below(list.len() as u64) as usize;
        list.get(i).copied().unwrap_or_default().to_string()
    }

    fn uuid(&mut self) -> String {
        let a = self.next();
        let b = self.next();
        crate::generate::uuid_v4(a, b)
    }

    fn dynamic(&mut self, name: &str) -> Option<String> {
        let now_ms = self.req.now_unix_ms;
        let day_ms: u64 = 86_400_000;
        Some(match name {
            "guid" | "randomUUID" => self.uuid(),
            "timestamp" => (now_ms / 1000).to_string(),
            "isoTimestamp" => iso(now_ms),
            "randomInt" => self.below(1001).to_string(),
            "randomBoolean" => (self.next() & 1 == 1).to_string(),
            "randomFirstName" => self.pick(FIRST),
            "randomLastName" => self.pick(LAST),
            "randomFullName" => format!("{} {}", self.pick(FIRST), self.pick(LAST)),
            "randomNamePrefix" => self.pick(&["Mr.", "Mrs.", "Ms.", "Miss", "Dr."]),
            "randomNameSuffix" => self.pick(&["Jr.", "Sr.", "I", "II", "III", "MD", "PhD"]),
            "randomUserName" => format!(
                "{}.{}{}",
                self.pick(FIRST).to_lowercase(),
                self.pick(LAST).to_lowercase(),
                self.below(100)
            ),
            "randomEmail" | "randomExampleEmail" => format!(
                "{}.{}@{}",
                self.pick(FIRST).to_lowercase(),
                self.pick(LAST).to_lowercase(),
                self.pick(&["example.com", "example.org", "example.net"])
            ),
            "randomCity" => self.pick(CITIES),
            "randomCountry" => self.pick(COUNTRIES),
            "randomCountryCode" => self.pick(&["US", "GB", "FR", "DE", "JP", "BR", "IN", "CA"]),
            "randomStreetName" => format!("{} {}", self.pick(LAST), self.pick(STREETS)),
            "randomStreetAddress" => format!(
                "{} {} {}",
                1 + self.below(9999),
                self.pick(LAST),
                self.pick(STREETS)
            ),
            "randomLatitude" => format!("{:.4}", self.below(180_000) as f64 / 1000.0 - 90.0),
            "randomLongitude" => format!("{:.4}", self.below(360_000) as f64 / 1000.0 - 180.0),
            "randomPhoneNumber" => format!(
                "{:03}-{:03}-{:04}",
                200 + self.below(800),
                self.below(1000),
                self.below(10_000)
            ),
            "randomColor" => self.pick(COLORS),
            "randomHexColor" => format!("#{:06x}", self.below(0x100_0000)),
            "randomIP" => format!(
                "{}.{}.{}.{}",
                1 + self.below(254),
                self.below(256),
                self.below(256),
                1 + self.below(254)
            ),
            "randomIPV6" => (0..8)
                .map(|_| format!("{:x}", self.below(0x1_0000)))
                .collect::<Vec<_>>()
                .join(":"),
            "randomMACAddress" => (0..6)
                .map(|_| format!("{:02x}", self.below(256)))
                .collect::<Vec<_>>()
                .join(":"),
            "randomPassword" => self.alnum(15),
            "randomAlphaNumeric" => self.alnum(1),
            "randomDomainName" => format!("{}.{}", self.pick(WORDS), self.pick(TLDS)),
            "randomDomainSuffix" => self.pick(TLDS),
            "randomUrl" => format!("https://{}.{}", self.pick(WORDS), self.pick(TLDS)),
            "randomCompanyName" => format!(
                "{} {}",
                self.pick(LAST),
                self.pick(&["Inc", "LLC", "Group", "and Sons", "Ltd"])
            ),
            "randomJobTitle" => format!(
                "{} {}",
                self.pick(&["Senior", "Lead", "Junior", "Principal", "Chief"]),
                self.pick(&["Engineer", "Designer", "Analyst", "Manager", "Architect"])
            ),
            "randomProductName" => format!(
                "{} {}",
                self.pick(&["Small", "Ergonomic", "Rustic", "Sleek", "Handmade"]),
                self.pick(&["Chair", "Table", "Lamp", "Keyboard", "Bottle", "Shoes"])
            ),
            "randomPrice" => format!("{}.{:02}", self.below(1000), self.below(100)),
            "randomCurrencyCode" => self.pick(&["USD", "EUR", "GBP", "JPY", "CHF", "BRL"]),
            "randomWord" | "randomLoremWord" | "randomNoun" | "randomAdjective" => self.pick(WORDS),
            "randomWords" | "randomLoremWords" => self.words(3),
            "randomLoremSentence" => {
                let mut s = self.words(6);
                if let Some(first) = s.get_mut(..1) {
                    first.make_ascii_uppercase();
                }
                s.push('.');
                s
            }
            "randomLoremSlug" => self.words(3).replace(' ', "-"),
            "randomAbbreviation" => self.pick(&["HTTP", "JSON", "SQL", "TCP", "XML", "API"]),
            "randomDateFuture" => iso(now_ms + 1 + self.below(365 * day_ms)),
            "randomDatePast" => iso(now_ms.saturating_sub(1 + self.below(365 * day_ms))),
            "randomDateRecent" => iso(now_ms.saturating_sub(1 + self.below(day_ms))),
            "randomMonth" => self.pick(MONTHS),
            "randomWeekday" => self.pick(&[
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ]),
            "randomFileName" => format!("{}.{}", self.pick(WORDS), self.pick(EXTS)),
            "randomFileExt" => self.pick(EXTS),
            "randomMimeType" => self.pick(&[
                "application/json",
                "text/plain",
                "image/png",
                "text/html",
                "application/pdf",
            ]),
            "randomSemver" => format!("{}.{}.{}", self.below(10), self.below(20), self.below(50)),
            "randomLocale" => self.pick(&["en", "fr", "de", "ja", "pt", "es"]),
            "randomUserAgent" => "Mozilla/5.0 (X11; Linux x86_64) standin".to_string(),
            _ => return None,
        })
    }

    fn alnum(&mut self, n: usize) -> String {
        const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        (0..n)
            .map(|_| CHARS[self.below(CHARS.len() as u64) as usize] as char)
            .collect()
    }

    fn words(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| self.pick(WORDS))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Helper arguments: `'a.b' 'default'` or `"a" b`.
fn arguments(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.trim().chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let mut arg = String::new();
        if c == '\'' || c == '"' {
            chars.next();
            for ch in chars.by_ref() {
                if ch == c {
                    break;
                }
                arg.push(ch);
            }
        } else {
            while let Some(&ch) = chars.peek() {
                if ch.is_whitespace() {
                    break;
                }
                arg.push(ch);
                chars.next();
            }
        }
        out.push(arg);
    }
    out
}

/// `a.b.0.c`, with `\.` for a dot inside a key (Postman's object-path syntax).
fn object_path<'v>(doc: &'v Value, path: &str) -> Option<&'v Value> {
    let mut keys = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '.' => keys.push(std::mem::take(&mut cur)),
            other => cur.push(other),
        }
    }
    keys.push(cur);
    let mut at = doc;
    for k in keys {
        at = match at {
            Value::Object(m) => m.get(&k)?,
            Value::Array(a) => a.get(k.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(at)
}

/// RFC 3339 UTC with milliseconds (Postman's `$isoTimestamp` shape), from a Unix time
/// in ms, by the days-to-civil algorithm.
pub fn iso(ms: u64) -> String {
    let secs = ms / 1000;
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        ms % 1000
    )
}

const FIRST: &[&str] = &[
    "Ada",
    "Alan",
    "Grace",
    "Linus",
    "Margaret",
    "Dennis",
    "Barbara",
    "Ken",
    "Frances",
    "Edsger",
    "Radia",
    "Tim",
    "Hedy",
    "Donald",
    "Katherine",
    "John",
    "Sophie",
    "Niklaus",
    "Lucia",
    "Omar",
];
const LAST: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Knuth",
    "Johnson",
    "Backus",
    "Wilson",
    "Wirth",
    "Moreno",
    "Haddad",
];
const CITIES: &[&str] = &[
    "Lisbon",
    "Osaka",
    "Nairobi",
    "Montreal",
    "Lyon",
    "Austin",
    "Porto Alegre",
    "Dublin",
    "Krakow",
    "Melbourne",
    "Pune",
    "Valparaiso",
];
const COUNTRIES: &[&str] = &[
    "Portugal",
    "Japan",
    "Kenya",
    "Canada",
    "France",
    "United States",
    "Brazil",
    "Ireland",
    "Poland",
    "Australia",
    "India",
    "Chile",
];
const STREETS: &[&str] = &["Street", "Avenue", "Road", "Lane", "Boulevard", "Way"];
const COLORS: &[&str] = &[
    "red", "green", "blue", "teal", "orange", "purple", "yellow", "black", "white", "silver",
];
const WORDS: &[&str] = &[
    "alpha", "bridge", "canvas", "delta", "ember", "forest", "garden", "harbor", "island",
    "jungle", "kernel", "lantern", "meadow", "nectar", "orbit", "pepper", "quartz", "river",
    "summit", "timber",
];
const TLDS: &[&str] = &["com", "org", "net", "io", "dev"];
const EXTS: &[&str] = &["txt", "json", "png", "pdf", "csv"];
const MONTHS: &[&str] = &[
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
