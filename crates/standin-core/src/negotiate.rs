//! Content negotiation: choosing among a response's media types with `Accept`.
//!
//! q-values, wildcards (`*/*`, `application/*`), structured suffixes (`+json` answers
//! `application/json`), and parameters are understood. No `Accept`, or one that accepts
//! anything, means JSON when it is offered.

use crate::wire;

/// One range of an `Accept` header.
#[derive(Debug, Clone, PartialEq)]
struct Range<'a> {
    kind: &'a str,
    sub: &'a str,
    q: f32,
}

fn parse_accept(accept: &str) -> Vec<Range<'_>> {
    accept
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let mt = pieces.next()?.trim();
            let (kind, sub) = mt.split_once('/').unwrap_or((mt, "*"));
            if kind.is_empty() {
                return None;
            }
            let mut q = 1.0;
            for p in pieces {
                if let Some((k, v)) = p.split_once('=')
                    && k.trim().eq_ignore_ascii_case("q")
                {
                    q = v.trim().parse().unwrap_or(0.0);
                }
            }
            Some(Range {
                kind: kind.trim(),
                sub: sub.trim(),
                q,
            })
        })
        .collect()
}

/// How well `range` matches `offered`: `None` if not at all, higher is more specific.
fn specificity(range: &Range<'_>, offered: &str) -> Option<u8> {
    let (kind, sub) = wire::type_and_subtype(offered);
    if range.kind == "*" {
        return Some(0);
    }
    if !range.kind.eq_ignore_ascii_case(kind) {
        return None;
    }
    if range.sub == "*" {
        return Some(1);
    }
    if range.sub.eq_ignore_ascii_case(sub) {
        return Some(3);
    }
    // `application/json` accepts `application/problem+json`, and the reverse.
    let suffix = |s: &str| s.rsplit_once('+').map(|(_, x)| x.to_ascii_lowercase());
    if suffix(sub).as_deref() == Some(&range.sub.to_ascii_lowercase())
        || suffix(range.sub).as_deref() == Some(&sub.to_ascii_lowercase())
    {
        return Some(2);
    }
    None
}

/// Picks the index of the offered media type to send, or `None` when nothing offered is
/// acceptable. Ties keep document order, with JSON first when the client accepts anything.
pub fn negotiate(accept: Option<&str>, offered: &[&str]) -> Option<usize> {
    if offered.is_empty() {
        return None;
    }
    let json_first = || offered.iter().position(|m| wire::is_json(m)).unwrap_or(0);
    let accept = match accept.map(str::trim) {
        None | Some("") => return Some(json_first()),
        Some(a) => a,
    };
    let ranges = parse_accept(accept);
    if ranges.is_empty() {
        return Some(json_first());
    }
    let mut best: Option<(usize, f32, u8, bool)> = None;
    for (i, offered_type) in offered.iter().enumerate() {
        // The most specific range decides the q of this type (RFC 9110 §12.5.1).
        let mut chosen: Option<(u8, f32)> = None;
        for r in &ranges {
            if let Some(s) = specificity(r, offered_type)
                && chosen.is_none_or(|(cs, _)| s > cs)
            {
                chosen = Some((s, r.q));
            }
        }
        let Some((spec, q)) = chosen else { continue };
        if q <= 0.0 {
            continue;
        }
        let json = wire::is_json(offered_type);
        let better = match best {
            None => true,
            Some((_, bq, bs, bjson)) => {
                q > bq || (q == bq && (spec > bs || (spec == bs && json && !bjson && spec == 0)))
            }
        };
        if better {
            best = Some((i, q, spec, json));
        }
    }
    best.map(|b| b.0)
}

/// Negotiates among a response's media types with the request's `Accept` header:
/// `Ok(index)`, or `Err(offered)` listing what is available when nothing is acceptable.
pub fn for_response<'a>(
    media: &'a [crate::model::MediaDef],
    headers: &http::HeaderMap,
) -> Result<usize, Vec<&'a str>> {
    let offered: Vec<&str> = media.iter().map(|m| m.media_type.as_str()).collect();
    let accept = headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    negotiate(accept, &offered).ok_or(offered)
}

#[cfg(test)]
mod tests {
    use super::negotiate;

    const OFFERED: [&str; 3] = ["application/xml", "application/json", "text/plain"];

    #[test]
    fn no_accept_or_wildcard_prefers_json() {
        assert_eq!(negotiate(None, &OFFERED), Some(1));
        assert_eq!(negotiate(Some("*/*"), &OFFERED), Some(1));
    }

    #[test]
    fn q_values_and_specificity() {
        assert_eq!(
            negotiate(Some("application/json;q=0.5, application/xml"), &OFFERED),
            Some(0)
        );
        assert_eq!(
            negotiate(Some("text/*;q=0.9, */*;q=0.1"), &OFFERED),
            Some(2)
        );
        assert_eq!(
            negotiate(Some("application/*, application/json;q=0"), &OFFERED),
            Some(0)
        );
    }

    #[test]
    fn suffixes_and_parameters() {
        assert_eq!(
            negotiate(Some("application/json"), &["application/problem+json"]),
            Some(0)
        );
        assert_eq!(
            negotiate(
                Some("application/json; charset=utf-8"),
                &["application/json; charset=utf-8"]
            ),
            Some(0)
        );
    }

    #[test]
    fn nothing_acceptable() {
        assert_eq!(negotiate(Some("image/png"), &OFFERED), None);
    }
}
