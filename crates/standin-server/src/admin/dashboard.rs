//! The web dashboard at `/__admin/dashboard/`: three hand-written files (HTML, CSS,
//! JavaScript) embedded in the binary, so the page works offline and `cargo build`
//! needs nothing else. The page does everything through the admin API, under its
//! access rules (it is routed like every admin path).
//!
//! A browser on another machine cannot send the admin token as a header: opening
//! `/__admin/dashboard/?token=TOKEN` once puts it in an `HttpOnly`, `SameSite=Strict`
//! cookie scoped to `/__admin` (so the mock's own requests, journalled and recorded,
//! never carry it), and redirects to the page without it in the address.

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Response, StatusCode};

const INDEX: &str = include_str!("../../assets/dashboard/index.html");
const CSS: &str = include_str!("../../assets/dashboard/app.css");
const JS: &str = include_str!("../../assets/dashboard/app.js");
const ICON: &str = include_str!("../../assets/dashboard/icon.svg");

/// What the page may load and call: only its own origin.
const POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";

fn asset(content_type: &'static str, body: &'static str) -> Response<Bytes> {
    let mut res = Response::new(Bytes::from_static(body.as_bytes()));
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    res
}

/// `/__admin/dashboard/?token=TOKEN`: with the configured token, a 303 to the page that
/// sets the cookie; with another, the 403. `None` for every other request.
pub(crate) fn login(token: Option<&str>, req: &http::Request<Bytes>) -> Option<Response<Bytes>> {
    let path = req.uri().path();
    if !path.starts_with("/__admin/dashboard") || req.method() != Method::GET {
        return None;
    }
    let sent = req.uri().query()?.split('&').find_map(|pair| {
        pair.strip_prefix("token=")
            .map(standin_core::wire::form_decode)
    })?;
    let Some(token) = token.filter(|t| super::same_secret(&sent, t)) else {
        return Some(super::error(
            403,
            403,
            None,
            "Admin API access denied",
            "the token does not match --admin-token",
        ));
    };
    let mut res = Response::new(Bytes::new());
    *res.status_mut() = StatusCode::SEE_OTHER;
    let h = res.headers_mut();
    h.insert(
        header::LOCATION,
        HeaderValue::from_static("/__admin/dashboard/"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let cookie = format!(
        "{}={}; Path=/__admin; HttpOnly; SameSite=Strict",
        super::TOKEN_COOKIE,
        cookie_value(token)
    );
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        h.insert(header::SET_COOKIE, v);
    }
    Some(res)
}

/// The token as a cookie value: percent-encoded past the characters a cookie value may
/// hold as they are.
pub(crate) fn cookie_value(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for b in token.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value of the admin token cookie among a request's cookies.
pub(crate) fn token_cookie(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == super::TOKEN_COOKIE).then(|| value.to_string())
        })
}

/// Routes `/dashboard/...`.
pub(crate) fn route(method: &Method, rest: &[&str]) -> Option<Response<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        return None;
    }
    Some(match rest {
        [] => {
            let mut res = Response::new(Bytes::new());
            *res.status_mut() = StatusCode::FOUND;
            res.headers_mut().insert(
                header::LOCATION,
                HeaderValue::from_static("/__admin/dashboard/"),
            );
            res
        }
        [""] | ["index.html"] => asset("text/html; charset=utf-8", INDEX),
        ["app.css"] => asset("text/css; charset=utf-8", CSS),
        ["app.js"] => asset("text/javascript; charset=utf-8", JS),
        ["icon.svg"] => asset("image/svg+xml", ICON),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn the_page_and_its_assets_are_served_with_their_types() {
        let f = fixture();
        for (path, ty) in [
            ("/__admin/dashboard/", "text/html"),
            ("/__admin/dashboard/app.css", "text/css"),
            ("/__admin/dashboard/app.js", "text/javascript"),
            ("/__admin/dashboard/icon.svg", "image/svg+xml"),
        ] {
            let (status, _, res) = call(&f.admin, "GET", path, "");
            assert_eq!(status, 200, "{path}");
            let got = res.headers()["content-type"].to_str().unwrap();
            assert!(got.starts_with(ty), "{path}: {got}");
        }
        let (status, _, res) = call(&f.admin, "GET", "/__admin/dashboard", "");
        assert_eq!(status, 302);
        assert_eq!(res.headers()["location"], "/__admin/dashboard/");
        let (status, _, _) = call(&f.admin, "GET", "/__admin/dashboard/nope.js", "");
        assert_eq!(status, 404);
    }
}
