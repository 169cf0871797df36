//! Security middleware: response headers and cross-site request forgery protection.
//!
//! CSRF has two independent layers, both applied to every state-changing request (any method other than
//! GET, HEAD, OPTIONS, TRACE):
//!
//! 1. **Origin check** ([`cross_origin_allowed`], the logic of Go 1.25's `CrossOriginProtection`):
//!    `Sec-Fetch-Site: same-origin|none` passes, any other `Sec-Fetch-Site` fails; without it, a present
//!    `Origin` must match the `Host`; a request with neither header is not from a (modern) browser and passes
//!    this layer.
//! 2. **Session token**: the request must carry the session's CSRF token (or, before sign-in, the value of
//!    the `vakt_csrf` cookie) as the `X-CSRF-Token` header (htmx sends it from `<body hx-headers>`), as the
//!    urlencoded form field `csrf`, or — for `multipart/form-data` uploads only — as the `csrf` query
//!    parameter. Compared in constant time.
//!
//! Requests with `Authorization: Bearer` (the JSON API with a personal token) are exempt: they never carry
//! cookies' authority (the session middleware ignores the cookie on such requests).

use axum::{
    body::Body,
    extract::{Request, State},
    http::{HeaderMap, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use subtle::ConstantTimeEq;

use crate::{AppState, error::AppError, session::RequestSession};

/// Adds the security headers to every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
             base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static(
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
        ),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if state.config().secure_cookies {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// Whether the method changes state (and so needs CSRF protection).
pub fn is_state_changing(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Whether the request carries a Bearer token (API client; CSRF-exempt, cookies ignored).
pub fn has_bearer(headers: &HeaderMap) -> bool {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.len() > 7
                && v.get(..7)
                    .is_some_and(|p| p.eq_ignore_ascii_case("bearer "))
        })
}

/// Layer 1: the Origin / Sec-Fetch-Site check.
pub fn cross_origin_allowed(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin") | Ok("none"));
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Neither header: not a browser request (or a very old browser); the token layer still applies.
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (
        origin.to_str(),
        headers.get(header::HOST).map(|h| h.to_str()),
    ) else {
        return false;
    };
    // Origin is "scheme://host[:port]"; compare its authority with Host.
    match origin.split_once("://") {
        Some((_scheme, authority)) => authority.eq_ignore_ascii_case(host),
        None => false,
    }
}

fn tokens_equal(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The CSRF middleware (both layers). Runs after the session middleware, which puts the expected token in
/// the request extensions.
pub async fn csrf(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_state_changing(req.method()) || has_bearer(req.headers()) {
        return next.run(req).await;
    }
    if !cross_origin_allowed(req.headers()) {
        return AppError::csrf()
            .with_detail("cross-origin request")
            .into_response();
    }
    let expected = match req.extensions().get::<RequestSession>() {
        Some(s) => s.csrf_token().to_owned(),
        None => {
            return AppError::csrf()
                .with_detail("no csrf context")
                .into_response();
        }
    };
    if let Some(sent) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if tokens_equal(sent, &expected) {
            next.run(req).await
        } else {
            AppError::csrf()
                .with_detail("bad header token")
                .into_response()
        };
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let sent = req.uri().query().and_then(|q| {
            form_urlencoded_pairs(q.as_bytes())
                .into_iter()
                .find(|(k, _)| k == "csrf")
                .map(|(_, v)| v)
        });
        return match sent {
            Some(sent) if tokens_equal(&sent, &expected) => next.run(req).await,
            _ => AppError::csrf()
                .with_detail("bad multipart token")
                .into_response(),
        };
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return AppError::csrf().with_detail("no token").into_response();
    }
    // Buffer the form (bounded by the body limit), read its `csrf` field, and pass the bytes on.
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, state.config().body_limit).await {
        Ok(b) => b,
        Err(_) => return AppError::too_large().into_response(),
    };
    let sent = form_urlencoded_pairs(&bytes)
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v);
    match sent {
        Some(sent) if tokens_equal(&sent, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => AppError::csrf()
            .with_detail("bad form token")
            .into_response(),
    }
}

/// Decodes `application/x-www-form-urlencoded` pairs; invalid UTF-8 becomes U+FFFD, never an error.
pub fn form_urlencoded_pairs(input: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(input).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_fetch_metadata_passes_and_cross_site_fails() {
        assert!(cross_origin_allowed(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(cross_origin_allowed(&headers(&[(
            "sec-fetch-site",
            "none"
        )])));
        assert!(!cross_origin_allowed(&headers(&[(
            "sec-fetch-site",
            "cross-site"
        )])));
        assert!(!cross_origin_allowed(&headers(&[(
            "sec-fetch-site",
            "same-site"
        )])));
    }

    #[test]
    fn origin_must_match_host_when_fetch_metadata_is_missing() {
        assert!(cross_origin_allowed(&headers(&[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!cross_origin_allowed(&headers(&[
            ("origin", "https://evil.example"),
            ("host", "127.0.0.1:8080")
        ])));
        assert!(!cross_origin_allowed(&headers(&[
            ("origin", "null"),
            ("host", "a")
        ])));
        assert!(cross_origin_allowed(&headers(&[("host", "a")])));
    }

    #[test]
    fn tokens_compare_exactly_and_never_match_empty() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("", ""));
        assert!(!tokens_equal("ab", "abc"));
    }

    #[test]
    fn invalid_utf8_in_a_form_is_replaced_not_rejected() {
        let pairs = form_urlencoded_pairs(b"csrf=x&name=%FF%FEab");
        assert_eq!(pairs[0], ("csrf".into(), "x".into()));
        assert!(pairs[1].1.contains('\u{FFFD}'));
    }

    #[test]
    fn bearer_is_recognised_case_insensitively() {
        assert!(has_bearer(&headers(&[("authorization", "Bearer abc")])));
        assert!(has_bearer(&headers(&[("authorization", "bearer abc")])));
        assert!(!has_bearer(&headers(&[("authorization", "Basic abc")])));
        assert!(!has_bearer(&headers(&[("authorization", "Bearer")])));
    }
}
