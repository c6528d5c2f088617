//! Directives: what a request asks of the mock through headers or query parameters.
//!
//! standin's own spelling is the standard `Prefer` header (RFC 7240): `code`, `example`,
//! `delay`, `dynamic`, `seed`, `validate`. Every vendor spelling is read too, and the
//! vendor is remembered, because an unhonourable directive is answered the way that
//! vendor answers it (Kong's delay message, for instance).
//!
//! | purpose | Prefer | Prism query | Kong | Redocly | Postman |
//! |---|---|---|---|---|---|
//! | status | `code=` | `__code` | `X-Kong-Mocking-Status-Code` | `x-redocly-response-status` | `x-mock-response-code` |
//! | example | `example=` | `__example` | `X-Kong-Mocking-Example-Id` | `x-redocly-response-body-example` | `x-mock-response-name`, `-id` |
//! | delay | `delay=` | | `X-Kong-Mocking-Delay` | | |
//! | data | `dynamic=`, `seed=` | `__dynamic`, `__seed` | | | |

use http::HeaderMap;

/// Who asked: decides the shape of error answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Vendor {
    /// The `Prefer` header (standin's and Prism's).
    Prefer,
    /// Prism's `__code`-style query parameters.
    Query,
    /// Kong Mocking plugin headers.
    Kong,
    /// Redocly mock server headers.
    Redocly,
    /// Postman mock server headers.
    Postman,
}

impl Vendor {
    /// Whether an answer to this vendor carries `Preference-Applied`.
    pub fn is_preference(self) -> bool {
        matches!(self, Vendor::Prefer | Vendor::Query)
    }
}

/// A directive value that cannot be used as given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadDirective {
    /// Who asked.
    pub vendor: Vendor,
    /// Where: the header or parameter name and key (`Prefer: code`).
    pub source: String,
    /// What was sent.
    pub value: String,
    /// Why it is unusable.
    pub reason: String,
}

/// A directive with who asked for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct From<T> {
    /// The value.
    pub value: T,
    /// Who asked.
    pub vendor: Vendor,
}

/// Everything a request asked for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Directives {
    /// A forced status.
    pub code: Option<From<u16>>,
    /// A forced example, by name.
    pub example: Option<From<String>>,
    /// A delay in ms.
    pub delay: Option<From<u64>>,
    /// Vary generated data (`Some(true)`) or pin it (`Some(false)`).
    pub dynamic: Option<bool>,
    /// A seed for generated data.
    pub seed: Option<u64>,
    /// Request validation on or off for this request.
    pub validate: Option<bool>,
    /// `Prefer: stateful=false`: answer without the store (a stateful mock only).
    pub stateful: Option<bool>,
    /// The first unusable directive, if any.
    pub bad: Option<BadDirective>,
}

/// The largest delay `Prefer: delay` accepts, in ms.
pub const MAX_PREFER_DELAY_MS: u64 = 600_000;

/// The vendors' directive headers (lower case, as `HeaderName`s are), in the order
/// they are applied: (header, vendor, directive).
const VENDOR_HEADERS: [(&str, Vendor, &str); 8] = [
    ("x-kong-mocking-status-code", Vendor::Kong, "code"),
    ("x-kong-mocking-example-id", Vendor::Kong, "example"),
    ("x-kong-mocking-delay", Vendor::Kong, "delay"),
    ("x-redocly-response-status", Vendor::Redocly, "code"),
    (
        "x-redocly-response-body-example",
        Vendor::Redocly,
        "example",
    ),
    ("x-mock-response-code", Vendor::Postman, "code"),
    ("x-mock-response-name", Vendor::Postman, "example"),
    ("x-mock-response-id", Vendor::Postman, "example"),
];

const PREFER: http::HeaderName = http::HeaderName::from_static("prefer");

impl Directives {
    /// Reads directives from the headers and the raw query string.
    pub fn read(headers: &HeaderMap, query: Option<&str>) -> Directives {
        let mut d = Directives::default();
        let prefer: Vec<&str> = headers
            .get_all(PREFER)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        if !prefer.is_empty() {
            for (key, value) in prefer.iter().flat_map(|h| preferences(h)) {
                d.apply(Vendor::Prefer, &format!("Prefer: {key}"), &key, &value);
            }
        } else if let Some(q) = query
            && q.contains("__")
        {
            // As Prism: the query forms count only when no Prefer header is sent.
            for pair in q.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                if let Some(key) = k.strip_prefix("__") {
                    let v = crate::wire::form_decode(v);
                    d.apply(Vendor::Query, k, key, &v);
                }
            }
        }
        // One pass over the request's headers rather than a lookup per spelling: most
        // requests carry none of them. Applied in the table's order, which decides who
        // wins when two vendors' headers are sent.
        let mut found: [Option<&str>; VENDOR_HEADERS.len()] = [None; VENDOR_HEADERS.len()];
        for (name, value) in headers {
            let name = name.as_str();
            if !name.starts_with("x-") {
                continue;
            }
            if let Some(i) = VENDOR_HEADERS.iter().position(|(n, _, _)| *n == name)
                && found[i].is_none()
            {
                found[i] = value.to_str().ok().map(str::trim);
            }
        }
        for ((name, vendor, key), value) in VENDOR_HEADERS.iter().zip(found) {
            if let Some(v) = value {
                d.apply(*vendor, name, key, v);
            }
        }
        d
    }

    fn bad(&mut self, vendor: Vendor, source: &str, value: &str, reason: impl Into<String>) {
        if self.bad.is_none() {
            self.bad = Some(BadDirective {
                vendor,
                source: source.to_string(),
                value: value.to_string(),
                reason: reason.into(),
            });
        }
    }

    fn apply(&mut self, vendor: Vendor, source: &str, key: &str, value: &str) {
        match key {
            "code" => {
                if self.code.is_some() {
                    return;
                }
                match value.parse::<u16>() {
                    Ok(c) if (100..=599).contains(&c) => {
                        self.code = Some(From { value: c, vendor })
                    }
                    _ => self.bad(
                        vendor,
                        source,
                        value,
                        "a status code must be a number from 100 to 599",
                    ),
                }
            }
            "example" if self.example.is_none() && !value.is_empty() => {
                self.example = Some(From {
                    value: value.to_string(),
                    vendor,
                });
            }
            "delay" => {
                if self.delay.is_some() {
                    return;
                }
                let max = if vendor == Vendor::Kong {
                    10_000
                } else {
                    MAX_PREFER_DELAY_MS
                };
                match value.parse::<u64>() {
                    Ok(ms) if ms <= max => self.delay = Some(From { value: ms, vendor }),
                    _ => self.bad(
                        vendor,
                        source,
                        value,
                        format!("a delay must be a whole number of milliseconds from 0 to {max}"),
                    ),
                }
            }
            "dynamic" => match value {
                "true" => self.dynamic = Some(true),
                "false" => self.dynamic = Some(false),
                _ => self.bad(vendor, source, value, "dynamic must be true or false"),
            },
            "seed" => match value.parse::<u64>() {
                Ok(s) => self.seed = Some(s),
                Err(_) => self.bad(vendor, source, value, "a seed must be a whole number"),
            },
            "validate" => match value {
                "true" => self.validate = Some(true),
                "false" => self.validate = Some(false),
                _ => self.bad(vendor, source, value, "validate must be true or false"),
            },
            "stateful" => match value {
                "true" => self.stateful = Some(true),
                "false" => self.stateful = Some(false),
                _ => self.bad(vendor, source, value, "stateful must be true or false"),
            },
            // Unknown preferences are ignored, as RFC 7240 asks.
            _ => {}
        }
    }
}

/// Splits one `Prefer` header value into `(key, value)` pairs; `key` alone means
/// `key=""`. Parameters after `;` are ignored.
pub fn preferences(header: &str) -> Vec<(String, String)> {
    header
        .split(',')
        .filter_map(|item| {
            let first = item.split(';').next()?.trim();
            if first.is_empty() {
                return None;
            }
            let (k, v) = first.split_once('=').unwrap_or((first, ""));
            let v = v.trim().trim_matches('"');
            Some((k.trim().to_ascii_lowercase(), v.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn prefer_header_with_several_preferences() {
        let d = Directives::read(
            &headers(&[
                ("prefer", "code=404, example=\"not found\"; x=1"),
                ("prefer", "dynamic=true, seed=7, delay=20"),
            ]),
            None,
        );
        assert_eq!(
            d.code,
            Some(From {
                value: 404,
                vendor: Vendor::Prefer
            })
        );
        assert_eq!(d.example.unwrap().value, "not found");
        assert_eq!(
            (d.dynamic, d.seed, d.delay.unwrap().value),
            (Some(true), Some(7), 20)
        );
    }

    #[test]
    fn query_forms_only_without_prefer() {
        let d = Directives::read(
            &HeaderMap::new(),
            Some("a=1&__code=500&__example=big%20one"),
        );
        assert_eq!(d.code.unwrap().vendor, Vendor::Query);
        assert_eq!(d.example.unwrap().value, "big one");
        let d = Directives::read(&headers(&[("prefer", "dynamic=true")]), Some("__code=500"));
        assert_eq!(d.code, None);
    }

    #[test]
    fn query_forms_decode_plus_as_a_space() {
        let d = Directives::read(&HeaderMap::new(), Some("__example=big+one"));
        assert_eq!(d.example.unwrap().value, "big one");
        let d = Directives::read(&HeaderMap::new(), Some("__example=a%2Bb"));
        assert_eq!(d.example.unwrap().value, "a+b");
    }

    #[test]
    fn vendor_headers() {
        let d = Directives::read(
            &headers(&[
                ("x-kong-mocking-status-code", "500"),
                ("x-redocly-response-body-example", "Ron"),
            ]),
            None,
        );
        assert_eq!(
            d.code,
            Some(From {
                value: 500,
                vendor: Vendor::Kong
            })
        );
        assert_eq!(
            d.example,
            Some(From {
                value: "Ron".into(),
                vendor: Vendor::Redocly
            })
        );
    }

    #[test]
    fn vendors_are_applied_in_table_order_whatever_the_header_order() {
        // Postman's header comes first in the request, Kong's wins; of two values of
        // one header, the first counts.
        let d = Directives::read(
            &headers(&[
                ("x-mock-response-code", "404"),
                ("x-mock-response-name", "Sasha"),
                ("x-kong-mocking-status-code", "503"),
                ("x-kong-mocking-status-code", "502"),
                ("x-kong-mocking-example-id", " Ron "),
            ]),
            None,
        );
        assert_eq!(
            d.code,
            Some(From {
                value: 503,
                vendor: Vendor::Kong
            })
        );
        assert_eq!(d.example.map(|e| e.value), Some("Ron".to_string()));
    }

    #[test]
    fn kong_delay_bounds() {
        assert_eq!(
            Directives::read(&headers(&[("x-kong-mocking-delay", "10000")]), None)
                .delay
                .unwrap()
                .value,
            10_000
        );
        for bad in ["10001", "-1", "1.5", "soon"] {
            let h = {
                let mut h = HeaderMap::new();
                h.insert("x-kong-mocking-delay", HeaderValue::from_str(bad).unwrap());
                h
            };
            let d = Directives::read(&h, None);
            assert_eq!(d.delay, None);
            assert_eq!(d.bad.unwrap().vendor, Vendor::Kong, "{bad}");
        }
    }
}
