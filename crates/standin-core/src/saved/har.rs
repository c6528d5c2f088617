//! HAR replay: which recorded entry answers a request, by Playwright's rules
//! (`routeFromHAR`), and the reply built from it.
//!
//! Strict (the default): the same path and query string, the same method, and for a
//! POST with a body on both sides a byte-equal body (multipart compared with the
//! boundaries removed). Several left: the one with the most equal `name: value` request
//! headers, then the first in file order. A 301/302/303/307/308 with a `Location` is
//! followed inside the recording. Lenient: query order and percent-encoding ignored,
//! JSON bodies compared as JSON.

use http::header::{HeaderName, HeaderValue};
use serde_json::Value;

use super::{Closeness, HarEntry, NEAR_MISSES, NearMiss, SavedSet};
use crate::directives::Directives;
use crate::exchange::{Reply, Request, Why};
use crate::problem::{Problem, extra};
use crate::settings::HarMatch;
use crate::wire;

const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// Where a lookup is aimed: the request's own URL first, then redirect targets.
struct Target {
    /// Only entries for this host (set when following an absolute redirect).
    host: Option<String>,
    path: String,
    query: Option<String>,
    method: String,
    /// A forced status (`Prefer: code=`, `x-mock-response-code`): only entries with it.
    code: Option<u16>,
}

/// Finds the entry for a request and builds its reply, or lists the closest entries.
pub(super) fn answer(
    set: &SavedSet,
    req: &Request<'_>,
    d: &Directives,
    entropy: u64,
) -> Result<Reply, Vec<(Closeness, NearMiss)>> {
    let mut target = Target {
        host: None,
        path: req.path.to_string(),
        query: req.query.map(str::to_string),
        method: req.method.as_str().to_string(),
        code: d.code.as_ref().map(|c| c.value),
    };
    let mut visited: Vec<usize> = Vec::new();
    let mut last: Option<usize> = None;
    loop {
        let found = find(set, &target, req);
        let Some(i) = found else {
            return match last {
                // The redirect's target was not recorded: Playwright would abort; a mock
                // server answers with the redirect as recorded, which the client can follow.
                Some(prev) => Ok(reply(set, &set.entries[prev], req, d, entropy, false)),
                None => Err(near_misses(set, &target, req)),
            };
        };
        if visited.contains(&i) {
            return Ok(cycle(set, &visited, i));
        }
        visited.push(i);
        let entry = &set.entries[i];
        // A redirect asked for by its status is answered, not followed.
        if REDIRECTS.contains(&entry.status)
            && target.code != Some(entry.status)
            && let Some(location) = &entry.location
            && let Some(next) = resolve(entry, location)
        {
            let method = if ((entry.status == 301 || entry.status == 302)
                && target.method == "POST")
                || (entry.status == 303 && target.method != "GET" && target.method != "HEAD")
            {
                // The fetch standard's redirect rules (HTTP-redirect fetch, step 13).
                "GET".to_string()
            } else {
                target.method.clone()
            };
            target = Target {
                host: Some(next.0),
                path: next.1,
                query: next.2,
                method,
                code: None,
            };
            last = Some(i);
            continue;
        }
        return Ok(reply(set, entry, req, d, entropy, visited.len() > 1));
    }
}

/// The entry answering `target`: every rule, then the header count, then file order.
fn find(set: &SavedSet, target: &Target, req: &Request<'_>) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (i, e) in set.entries.iter().enumerate() {
        if !mismatches(set.har_match, e, target, req, false).is_empty() {
            continue;
        }
        let n = matching_headers(e, req);
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((i, n));
        }
    }
    best.map(|(i, _)| i)
}

/// `name:value` request header pairs the entry shares with the request (names
/// lower-cased, values exact).
fn matching_headers(e: &HarEntry, req: &Request<'_>) -> usize {
    e.headers
        .iter()
        .filter(|(name, value)| {
            req.headers
                .get_all(name.as_str())
                .iter()
                .any(|v| v.as_bytes() == value.as_bytes())
        })
        .count()
}

/// What keeps `e` from answering `target`; empty when it answers. With `all`, every
/// difference is listed (for the miss report), else the first is enough.
fn mismatches(
    mode: HarMatch,
    e: &HarEntry,
    target: &Target,
    req: &Request<'_>,
    all: bool,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(host) = &target.host
        && &e.host != host
    {
        out.push(format!("host: recorded for {}", e.host));
        if !all {
            return out;
        }
    }
    if let Some(code) = target.code
        && e.status != code
    {
        out.push(format!("status: is {}, {code} was asked for", e.status));
        if !all {
            return out;
        }
    }
    if e.method != target.method {
        out.push(format!("method: expects {}", e.method));
        if !all {
            return out;
        }
    }
    let path_ok = match mode {
        HarMatch::Strict => e.path == target.path,
        HarMatch::Lenient => wire::percent_decode(&e.path) == wire::percent_decode(&target.path),
    };
    if !path_ok {
        out.push(format!("path: expects {}", e.path));
        if !all {
            return out;
        }
    }
    match mode {
        HarMatch::Strict => {
            if e.query.as_deref().unwrap_or("") != target.query.as_deref().unwrap_or("") {
                out.push(match &e.query {
                    Some(q) => format!("query differs (expects ?{q})"),
                    None => "query differs (expects none)".to_string(),
                });
            }
        }
        HarMatch::Lenient => {
            let mut a = wire::form_pairs(e.query.as_deref());
            let mut b = wire::form_pairs(target.query.as_deref());
            a.sort();
            b.sort();
            if a != b {
                let names: Vec<String> = a
                    .iter()
                    .filter(|p| !b.contains(p))
                    .chain(b.iter().filter(|p| !a.contains(p)))
                    .map(|(k, _)| k.clone())
                    .fold(Vec::new(), |mut acc, k| {
                        if !acc.contains(&k) {
                            acc.push(k);
                        }
                        acc
                    });
                out.push(format!("query {} differs", names.join(", ")));
            }
        }
    }
    if !all && !out.is_empty() {
        return out;
    }
    // Playwright compares bodies only for a POST carrying one, with one recorded.
    if target.method == "POST"
        && !req.body.is_empty()
        && let Some(post) = &e.post
        && !bodies_equal(mode, post, e, req)
    {
        out.push("body differs".to_string());
    }
    out
}

fn bodies_equal(mode: HarMatch, recorded: &[u8], e: &HarEntry, req: &Request<'_>) -> bool {
    if recorded == req.body {
        return true;
    }
    if mode == HarMatch::Lenient
        && let (Ok(a), Ok(b)) = (
            serde_json::from_slice::<Value>(recorded),
            serde_json::from_slice::<Value>(req.body),
        )
    {
        return a == b;
    }
    // Multipart: boundaries change with every request, so they are removed on both
    // sides (each side's own boundary, from its own Content-Type).
    let theirs = super::boundary_of(req.headers);
    let mine = e
        .headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .and_then(|(_, v)| super::boundary_in(v));
    match (mine, theirs) {
        (Some(mine), Some(theirs)) => {
            remove_all(recorded, mine.as_bytes()) == remove_all(req.body, theirs.as_bytes())
        }
        _ => false,
    }
}

fn remove_all(hay: &[u8], needle: &[u8]) -> Vec<u8> {
    if needle.is_empty() {
        return hay.to_vec();
    }
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(needle) {
            i += needle.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

/// A `Location` resolved against the entry's URL: `(host, path, query)`.
fn resolve(e: &HarEntry, location: &str) -> Option<(String, String, Option<String>)> {
    let location = location.split('#').next().unwrap_or("");
    let (host, rest) = if let Some(after) = location
        .strip_prefix("http://")
        .or_else(|| location.strip_prefix("https://"))
        .or_else(|| location.strip_prefix("//"))
    {
        let end = after.find(['/', '?']).unwrap_or(after.len());
        let rest = &after[end..];
        let rest = if rest.starts_with('/') {
            rest.to_string()
        } else {
            format!("/{rest}")
        };
        (after[..end].to_ascii_lowercase(), rest)
    } else if location.starts_with('/') {
        (e.host.clone(), location.to_string())
    } else if let Some(q) = location.strip_prefix('?') {
        return Some((e.host.clone(), e.path.clone(), Some(q.to_string())));
    } else if location.contains("://") {
        // Another scheme (ftp:, data:): nothing in a HAR answers it.
        return None;
    } else {
        let dir = match e.path.rfind('/') {
            Some(at) => &e.path[..=at],
            None => "/",
        };
        (e.host.clone(), format!("{dir}{location}"))
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (rest, None),
    };
    Some((host, remove_dots(&path), query))
}

/// RFC 3986 §5.2.4, for relative redirects such as `../login`.
fn remove_dots(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segs: Vec<&str> = path.split('/').collect();
    for (i, s) in segs.iter().enumerate() {
        match *s {
            "." => {
                if i == segs.len() - 1 {
                    out.push("");
                }
            }
            ".." => {
                if out.len() > 1 {
                    out.pop();
                }
                if i == segs.len() - 1 {
                    out.push("");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    if joined.starts_with('/') {
        joined
    } else {
        format!("/{joined}")
    }
}

fn reply(
    set: &SavedSet,
    e: &HarEntry,
    req: &Request<'_>,
    d: &Directives,
    entropy: u64,
    redirected: bool,
) -> Reply {
    let _ = req;
    let mut headers: Vec<(HeaderName, HeaderValue)> = Vec::new();
    for (name, value) in &e.response_headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            headers.push((n, v));
        }
    }
    let mut applied = Vec::new();
    if let Some(c) = &d.code
        && c.vendor.is_preference()
        && c.value == e.status
    {
        applied.push(format!("code={}", c.value));
    }
    let delay_ms = set.delay_for(d, entropy, &mut applied);
    super::push_applied(&mut headers, &applied);
    Reply {
        status: e.status,
        headers,
        body: e.body.clone(),
        delay_ms,
        wire: Default::default(),
        why: Why {
            operation: Some(format!("{} {}", e.method, e.url)),
            example: Some(format!("entry #{}", e.index + 1)),
            source: Some(super::file_name(&e.file)),
            note: redirected.then_some("redirect followed in the HAR"),
            ..Why::default()
        },
    }
}

fn cycle(set: &SavedSet, visited: &[usize], again: usize) -> Reply {
    let chain: Vec<String> = visited
        .iter()
        .chain([&again])
        .filter_map(|i| set.entries.get(*i))
        .map(|e| format!("{} {}", e.status, e.url))
        .collect();
    let p = Problem::new(
        508,
        "har-redirect-cycle",
        "Redirect cycle in the HAR",
        format!(
            "Following the redirects recorded in the HAR comes back to an entry already seen: {}.",
            chain.join(" -> ")
        ),
        extra([("chain", serde_json::json!(chain))]),
    );
    Reply::from_problem(p, "har-redirect-cycle")
}

fn near_misses(set: &SavedSet, target: &Target, req: &Request<'_>) -> Vec<(Closeness, NearMiss)> {
    let mut out: Vec<(Closeness, NearMiss)> = set
        .entries
        .iter()
        .map(|e| {
            let reasons = mismatches(set.har_match, e, target, req, true);
            let distance = wire::levenshtein(&e.path, &target.path);
            (
                (reasons.len(), distance),
                NearMiss {
                    label: format!(
                        "#{} {} {} ({})",
                        e.index + 1,
                        e.method,
                        e.url,
                        super::file_name(&e.file)
                    ),
                    reasons,
                },
            )
        })
        .collect();
    out.sort_by_key(|(c, _)| *c);
    out.truncate(NEAR_MISSES);
    out
}
