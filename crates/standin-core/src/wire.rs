//! How requests are written on the wire, read the same way by every kind of source:
//! percent-decoding, query strings and urlencoded forms, media-type essences, the
//! multipart boundary, path segments, and the two fuzzy comparisons (globs and edit
//! distance) that matching and near-miss reports use.
//!
//! One decoder per thing, so that an OpenAPI operation, a Postman example, a HAR entry
//! and a stub all see the same value for the same request: in a query or a form, `+` is
//! a space (the `application/x-www-form-urlencoded` rule that browsers, WireMock and
//! server frameworks follow), while in a path `+` stays `+`.
//!
//! This module imports nothing else from the crate: everything above it reads requests.

use std::borrow::Cow;

/// Percent-decodes text, as in a path: `+` stays `+`; invalid UTF-8 becomes U+FFFD.
pub fn percent_decode(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Percent-decodes a path except `%2F`, which would change its segments.
pub fn percent_decode_keep_slashes(path: &str) -> String {
    if !path.contains('%') {
        return path.to_string();
    }
    let protected = path.replace("%2F", "%252F").replace("%2f", "%252f");
    percent_encoding::percent_decode_str(&protected)
        .decode_utf8_lossy()
        .into_owned()
}

/// Decodes one key or value of a query string or urlencoded form: `+` is a space,
/// then percent-decoding (so `%2B` is a `+`).
pub fn form_decode(s: &str) -> String {
    form_decode_borrowed(s).into_owned()
}

/// [`form_decode`], borrowing `s` when there is nothing to decode (the common case: no
/// allocation).
pub fn form_decode_borrowed(s: &str) -> Cow<'_, str> {
    if !s.contains(['+', '%']) {
        return Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    Cow::Owned(
        percent_encoding::percent_decode_str(&spaced)
            .decode_utf8_lossy()
            .into_owned(),
    )
}

/// A decoded `(key, value)` pair of a query string or form, borrowing what needed no
/// decoding.
pub type Pair<'a> = (Cow<'a, str>, Cow<'a, str>);

/// The decoded `(key, value)` pairs of a raw query string (without `?`) or an
/// `application/x-www-form-urlencoded` body, in order. Empty pairs (`a=1&&b=2`) are
/// skipped; a key without `=` has the empty value.
pub fn form_pairs(text: Option<&str>) -> Vec<(String, String)> {
    form_pairs_borrowed(text)
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// [`form_pairs`], borrowing from `text` what needed no decoding (the request path's
/// reading of a query: one allocation, for the list).
pub fn form_pairs_borrowed(text: Option<&str>) -> Vec<Pair<'_>> {
    let Some(text) = text else {
        return Vec::new();
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (form_decode_borrowed(k), form_decode_borrowed(v))
        })
        .collect()
}

/// Splits a path into its non-empty segments.
pub fn split_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The type and subtype of a media type, parameters dropped, case as written
/// (`Application/JSON; charset=utf-8` → `("Application", "JSON")`).
pub fn type_and_subtype(media_type: &str) -> (&str, &str) {
    let mt = without_parameters(media_type);
    mt.split_once('/').unwrap_or((mt, ""))
}

/// A media type up to its parameters, trimmed, case as written.
fn without_parameters(media_type: &str) -> &str {
    let end = media_type
        .bytes()
        .position(|b| b == b';')
        .unwrap_or(media_type.len());
    media_type[..end].trim()
}

/// The essence of a media type: lower case, without parameters. Borrowed when the
/// media type is already that (the common case: a request path reads several per answer).
pub fn essence(media_type: &str) -> std::borrow::Cow<'_, str> {
    let bare = without_parameters(media_type);
    if bare.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(bare.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(bare)
    }
}

/// Whether a media type is JSON (`application/json`, `*/*+json`, `application/problem+json`,
/// `text/json`, and `*/*`, for which JSON is what is sent).
pub fn is_json(media_type: &str) -> bool {
    let essence = without_parameters(media_type);
    let ends_with = |suffix: &str| {
        essence.len() >= suffix.len()
            && essence.as_bytes()[essence.len() - suffix.len()..]
                .eq_ignore_ascii_case(suffix.as_bytes())
    };
    ["application/json", "*/*", "text/json"]
        .iter()
        .any(|t| essence.eq_ignore_ascii_case(t))
        || ends_with("+json")
}

/// The `boundary` parameter of a (multipart) content type, unquoted; `None` when it is
/// missing or empty. The media type itself is the caller's to check.
pub fn boundary(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_string())
            .filter(|b| !b.is_empty())
    })
}

/// Edit distance in characters, to order near misses by how close they are.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// A glob with `*` (any text) and `?` (one character), case-insensitive.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Percent-encodes text for one path segment or query value (everything but
/// unreserved characters).
pub fn percent_encode_segment(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        form_pairs(Some(q))
    }

    fn pair(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn plus_in_a_query_is_a_space_and_an_encoded_plus_is_a_plus() {
        assert_eq!(pairs("q=a+b"), vec![pair("q", "a b")]);
        assert_eq!(pairs("q=a%20b"), vec![pair("q", "a b")]);
        assert_eq!(pairs("q=a%2Bb"), vec![pair("q", "a+b")]);
        assert_eq!(pairs("first+name=x"), vec![pair("first name", "x")]);
    }

    #[test]
    fn query_pairs_keep_order_skip_empty_pairs_and_default_to_empty_values() {
        assert_eq!(
            pairs("b=2&&a=1&flag&a=3"),
            vec![
                pair("b", "2"),
                pair("a", "1"),
                pair("flag", ""),
                pair("a", "3")
            ]
        );
        assert_eq!(pairs("k=v=w"), vec![pair("k", "v=w")]);
        assert!(form_pairs(None).is_empty());
        assert!(pairs("").is_empty());
    }

    #[test]
    fn bad_percent_escapes_and_bad_utf8_do_not_fail() {
        assert_eq!(pairs("q=100%"), vec![pair("q", "100%")]);
        assert_eq!(pairs("q=%zz"), vec![pair("q", "%zz")]);
        assert_eq!(pairs("q=%FF"), vec![pair("q", "\u{FFFD}")]);
    }

    #[test]
    fn paths_keep_plus_and_may_keep_encoded_slashes() {
        assert_eq!(percent_decode("/a+b/c%20d"), "/a+b/c d");
        assert_eq!(percent_decode_keep_slashes("/a%2Fb/%7Bx%7D"), "/a%2Fb/{x}");
        assert_eq!(percent_decode_keep_slashes("/a%2fb"), "/a%2fb");
        assert_eq!(split_segments("/a//b/"), vec!["a", "b"]);
    }

    #[test]
    fn media_types() {
        assert_eq!(
            essence(" Application/JSON ; charset=utf-8"),
            "application/json"
        );
        assert_eq!(type_and_subtype("text/Plain; q=1"), ("text", "Plain"));
        assert_eq!(type_and_subtype("weird"), ("weird", ""));
        assert!(is_json("application/problem+json; charset=utf-8"));
        assert!(is_json("Application/JSON"));
        assert!(is_json("*/*"));
        assert!(!is_json("application/xml"));
        assert!(!is_json("json"));
    }

    #[test]
    fn multipart_boundary() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"--AaB03x\"").as_deref(),
            Some("--AaB03x")
        );
        assert_eq!(
            boundary("multipart/form-data;charset=utf-8; BOUNDARY=zzz").as_deref(),
            Some("zzz")
        );
        assert_eq!(boundary("multipart/form-data; boundary="), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }

    #[test]
    fn globs_and_edit_distance() {
        assert!(glob_match("*.example.com", "api.example.com"));
        assert!(glob_match("*.EXAMPLE.com", "api.example.COM"));
        assert!(!glob_match("*.example.com", "example.org"));
        assert!(glob_match("a?c*", "abcdef"));
        assert!(!glob_match("a?c", "ac"));
        assert_eq!(levenshtein("/get", "/test"), 2);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("héllo", "hello"), 1);
    }
}
