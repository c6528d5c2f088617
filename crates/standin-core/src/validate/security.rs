//! Security requirements: does the request carry the credentials the operation asks for?
//!
//! Requirements are alternatives (OR) of scheme sets (AND); an empty alternative (`{}`)
//! makes credentials optional. Schemes come from `components.securitySchemes` (3.x) or
//! `securityDefinitions` (2.0). A credential is checked for form only (well-formed Basic
//! `user:pass`, a non-empty bearer token, Digest with `username` and `response`...)
//! unless `--accept-credential` lists the values to accept; then a well-formed unknown
//! one is refused with 403 rather than 401.

use std::collections::HashMap;

use base64::Engine;
use serde_json::Value;

use super::{Class, Violation};
use crate::model::{ParamIn, SecurityAlternative};

/// A security scheme, as far as checking a request goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// An API key in a header, query parameter or cookie.
    ApiKey { name: String, location: ParamIn },
    /// HTTP Basic.
    Basic,
    /// HTTP Bearer, OAuth 2 and OpenID Connect access tokens.
    Bearer { label: &'static str },
    /// HTTP Digest.
    Digest,
    /// Another HTTP authentication scheme, checked by its name only.
    OtherHttp(String),
    /// Something a request cannot show (mutual TLS); always satisfied.
    Unverifiable,
}

/// The schemes of a document, by name.
#[derive(Debug, Default)]
pub(crate) struct Schemes {
    map: HashMap<String, Scheme>,
}

impl Schemes {
    /// Reads the schemes of a document.
    pub(crate) fn read(root: &Value) -> Schemes {
        let defs = root
            .pointer("/components/securitySchemes")
            .or_else(|| root.get("securityDefinitions"))
            .and_then(Value::as_object);
        let mut map = HashMap::new();
        for (name, raw) in defs.into_iter().flatten() {
            let def = crate::model::deref(root, raw, "").0;
            if let Some(s) = scheme(def) {
                map.insert(name.clone(), s);
            }
        }
        Schemes { map }
    }

    /// The scheme called `name`, when the document defines it.
    pub(crate) fn get(&self, name: &str) -> Option<&Scheme> {
        self.map.get(name)
    }
}

fn scheme(def: &Value) -> Option<Scheme> {
    let text = |k: &str| def.get(k).and_then(Value::as_str);
    match text("type")? {
        "apiKey" => {
            let location = match text("in")? {
                "query" => ParamIn::Query,
                "cookie" => ParamIn::Cookie,
                _ => ParamIn::Header,
            };
            Some(Scheme::ApiKey {
                name: text("name")?.to_string(),
                location,
            })
        }
        "basic" => Some(Scheme::Basic),
        "http" => {
            let s = text("scheme").unwrap_or("basic").to_ascii_lowercase();
            Some(match s.as_str() {
                "basic" => Scheme::Basic,
                "bearer" => Scheme::Bearer {
                    label: "a bearer token",
                },
                "digest" => Scheme::Digest,
                _ => Scheme::OtherHttp(s),
            })
        }
        "oauth2" => Some(Scheme::Bearer {
            label: "an OAuth 2 access token",
        }),
        "openIdConnect" => Some(Scheme::Bearer {
            label: "an OpenID Connect token",
        }),
        _ => Some(Scheme::Unverifiable),
    }
}

/// What a request shows for one scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Missing,
    Malformed(String),
    /// Well-formed, but not one of the accepted credentials.
    Unknown,
}

/// Where the credentials come from.
pub(crate) struct Presented<'a> {
    /// Request headers.
    pub headers: &'a http::HeaderMap,
    /// Decoded query pairs.
    pub query: &'a [crate::wire::Pair<'a>],
    /// Cookies.
    pub cookies: &'a [crate::wire::Pair<'a>],
    /// `--accept-credential` values (empty: any well-formed credential).
    pub accept: &'a [String],
}

/// The failure of a security check.
#[derive(Debug)]
pub(crate) struct Failure {
    /// `WWW-Authenticate` challenges, one per scheme that could satisfy the operation.
    pub challenges: Vec<String>,
}

/// Checks the requirement; `None` when it is met.
pub(crate) fn check(
    alternatives: &[SecurityAlternative],
    schemes: &Schemes,
    req: &Presented<'_>,
    out: &mut Vec<Violation>,
) -> Option<Failure> {
    if alternatives.is_empty() || alternatives.iter().any(|a| a.schemes.is_empty()) {
        return None;
    }
    let mut results: Vec<Vec<(&str, &Scheme, Outcome)>> = Vec::new();
    for alt in alternatives {
        let mut row = Vec::new();
        for name in &alt.schemes {
            // A scheme the document does not define cannot be checked; it is reported
            // at load and does not block requests.
            let Some(s) = schemes.get(name) else { continue };
            row.push((name.as_str(), s, outcome(s, req)));
        }
        if row.iter().all(|(_, _, o)| *o == Outcome::Ok) {
            return None;
        }
        results.push(row);
    }
    // Credentials that were all present and well-formed but not accepted: 403.
    let refused = results.iter().find(|row| {
        row.iter()
            .all(|(_, _, o)| matches!(o, Outcome::Ok | Outcome::Unknown))
    });
    if let Some(row) = refused {
        for (_, s, o) in row {
            if *o == Outcome::Unknown {
                out.push(Violation {
                    location: location(s),
                    rule: "credential".into(),
                    message: format!(
                        "{} is well-formed but is not one of the credentials this mock accepts",
                        capitalised(&describe(s))
                    ),
                    class: Class::Forbidden,
                });
            }
        }
        return Some(Failure {
            challenges: Vec::new(),
        });
    }
    let mut challenges: Vec<String> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let wanted: Vec<String> = results
        .iter()
        .map(|row| {
            row.iter()
                .map(|(_, s, _)| describe(s))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    for row in &results {
        for (name, s, o) in row {
            let c = challenge(s);
            if !challenges.contains(&c) {
                challenges.push(c);
            }
            if seen.contains(name) {
                continue;
            }
            seen.push(name);
            if let Outcome::Malformed(why) = o {
                out.push(Violation {
                    location: location(s),
                    rule: "security".into(),
                    message: why.clone(),
                    class: Class::Unauthorized,
                });
            }
        }
    }
    out.push(Violation {
        location: vec!["security".into()],
        rule: "security".into(),
        message: format!(
            "This operation requires credentials: {}.",
            wanted.join(", or ")
        ),
        class: Class::Unauthorized,
    });
    Some(Failure { challenges })
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn location(s: &Scheme) -> Vec<String> {
    match s {
        Scheme::ApiKey { name, location } => vec![
            match location {
                ParamIn::Query => "query",
                ParamIn::Cookie => "cookie",
                _ => "header",
            }
            .into(),
            name.clone(),
        ],
        _ => vec!["header".into(), "Authorization".into()],
    }
}

fn describe(s: &Scheme) -> String {
    match s {
        Scheme::ApiKey { name, location } => match location {
            ParamIn::Query => format!("an API key in the query parameter '{name}'"),
            ParamIn::Cookie => format!("an API key in the cookie '{name}'"),
            _ => format!("an API key in the header '{name}'"),
        },
        Scheme::Basic => {
            "HTTP Basic credentials (Authorization: Basic base64(user:password))".into()
        }
        Scheme::Bearer { label } => format!("{label} (Authorization: Bearer TOKEN)"),
        Scheme::Digest => "HTTP Digest credentials (Authorization: Digest ...)".into(),
        Scheme::OtherHttp(name) => format!("HTTP {name} credentials in the Authorization header"),
        Scheme::Unverifiable => "client credentials".into(),
    }
}

fn challenge(s: &Scheme) -> String {
    match s {
        Scheme::ApiKey { name, location } => {
            let at = match location {
                ParamIn::Query => "query",
                ParamIn::Cookie => "cookie",
                _ => "header",
            };
            format!("ApiKey realm=\"standin\", in=\"{at}\", name=\"{name}\"")
        }
        Scheme::Basic => "Basic realm=\"standin\"".into(),
        Scheme::Bearer { .. } => "Bearer realm=\"standin\"".into(),
        Scheme::Digest => {
            "Digest realm=\"standin\", qop=\"auth\", nonce=\"c3RhbmRpbg\", algorithm=MD5".into()
        }
        Scheme::OtherHttp(name) => format!("{} realm=\"standin\"", capitalised(name)),
        Scheme::Unverifiable => "Bearer realm=\"standin\"".into(),
    }
}

/// The credentials after `scheme ` in the Authorization header, if it uses that scheme.
fn authorization<'a>(headers: &'a http::HeaderMap, scheme: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::AUTHORIZATION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| {
            let v = v.trim();
            let (s, rest) = v.split_once(' ').unwrap_or((v, ""));
            s.eq_ignore_ascii_case(scheme).then_some(rest.trim())
        })
}

fn accepted(req: &Presented<'_>, value: &str) -> Outcome {
    if req.accept.is_empty() || req.accept.iter().any(|a| a == value) {
        Outcome::Ok
    } else {
        Outcome::Unknown
    }
}

fn outcome(s: &Scheme, req: &Presented<'_>) -> Outcome {
    match s {
        Scheme::ApiKey { name, location } => {
            let value = match location {
                ParamIn::Query => req
                    .query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_ref()),
                ParamIn::Cookie => req
                    .cookies
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.as_ref()),
                _ => req.headers.get(name.as_str()).and_then(|v| v.to_str().ok()),
            };
            match value.map(str::trim) {
                None | Some("") => Outcome::Missing,
                Some(v) => accepted(req, v),
            }
        }
        Scheme::Basic => match authorization(req.headers, "basic") {
            None => Outcome::Missing,
            Some(token) => {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(token)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok());
                match decoded {
                    Some(pair) if pair.contains(':') => accepted(req, &pair),
                    _ => Outcome::Malformed(
                        "The Authorization header is not valid Basic credentials: expected base64 of user:password.".into(),
                    ),
                }
            }
        },
        Scheme::Bearer { .. } => match authorization(req.headers, "bearer") {
            None => Outcome::Missing,
            Some("") => Outcome::Malformed(
                "The Authorization header has the Bearer scheme but no token.".into(),
            ),
            Some(token) => accepted(req, token),
        },
        Scheme::Digest => match authorization(req.headers, "digest") {
            None => Outcome::Missing,
            Some(params) => {
                let username = digest_param(params, "username");
                if username.is_none() || digest_param(params, "response").is_none() {
                    return Outcome::Malformed(
                        "The Authorization header is not valid Digest credentials: username= and response= are required.".into(),
                    );
                }
                let user = username.unwrap_or_default();
                if req.accept.is_empty()
                    || req
                        .accept
                        .iter()
                        .any(|a| a == user || a.split_once(':').is_some_and(|(u, _)| u == user))
                {
                    Outcome::Ok
                } else {
                    Outcome::Unknown
                }
            }
        },
        Scheme::OtherHttp(name) => match authorization(req.headers, name) {
            None => Outcome::Missing,
            Some(cred) => accepted(req, cred),
        },
        Scheme::Unverifiable => Outcome::Ok,
    }
}

fn digest_param<'a>(params: &'a str, key: &str) -> Option<&'a str> {
    params.split(',').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::{HeaderMap, HeaderValue};
    use serde_json::json;

    fn schemes() -> Schemes {
        Schemes::read(&json!({"components": {"securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "bearer": {"type": "http", "scheme": "bearer"},
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"}
        }}}))
    }

    fn alt(names: &[&str]) -> SecurityAlternative {
        SecurityAlternative {
            schemes: names.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn run(
        alts: &[SecurityAlternative],
        headers: &[(&'static str, &'static str)],
        accept: &[String],
    ) -> (Option<Failure>, Vec<Violation>) {
        let mut h = HeaderMap::new();
        for (k, v) in headers {
            h.append(*k, HeaderValue::from_static(v));
        }
        let p = Presented {
            headers: &h,
            query: &[],
            cookies: &[],
            accept,
        };
        let mut out = Vec::new();
        let f = check(alts, &schemes(), &p, &mut out);
        (f, out)
    }

    #[test]
    fn alternatives_and_combinations() {
        let or = [alt(&["basic"]), alt(&["key"])];
        assert!(run(&or, &[("x-key", "k")], &[]).0.is_none());
        assert!(
            run(&or, &[("authorization", "Basic dTpw")], &[])
                .0
                .is_none()
        );
        let (f, v) = run(&or, &[], &[]);
        assert_eq!(f.unwrap().challenges.len(), 2);
        assert_eq!(v.last().unwrap().class, Class::Unauthorized);
        let and = [alt(&["bearer", "key"])];
        assert!(run(&and, &[("authorization", "Bearer t")], &[]).0.is_some());
        assert!(
            run(&and, &[("authorization", "Bearer t"), ("x-key", "k")], &[])
                .0
                .is_none()
        );
        let optional = [alt(&["basic"]), alt(&[])];
        assert!(run(&optional, &[], &[]).0.is_none());
    }

    #[test]
    fn malformed_and_refused() {
        let basic = [alt(&["basic"])];
        let (_, v) = run(&basic, &[("authorization", "Basic !!!")], &[]);
        assert!(v.iter().any(|v| v.message.contains("base64")));
        let accept = vec!["u:p".to_string()];
        assert!(
            run(&basic, &[("authorization", "Basic dTpw")], &accept)
                .0
                .is_none()
        );
        let (f, v) = run(&basic, &[("authorization", "Basic dTpx")], &accept);
        assert!(f.is_some());
        assert_eq!(v[0].class, Class::Forbidden);
    }
}
