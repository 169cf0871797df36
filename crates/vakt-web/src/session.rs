//! Server-side sessions: an opaque random token in the cookie, its SHA-256 in the store.
//!
//! The session middleware ([`load_session`]) runs once per request: it reads the cookie (never on
//! requests with `Authorization: Bearer`), loads and checks the session (idle and absolute timeout from the
//! tenant's settings), and puts a [`RequestSession`] in the request extensions, which the CSRF middleware
//! and the [`crate::extract::CurrentUser`] extractor use. Anonymous visitors get a random `vakt_csrf`
//! cookie that protects the sign-in and language forms (double submit).

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Names of the cookies Vakt sets.
pub mod cookie_names {
    pub const SESSION: &str = "vakt_session";
    pub const SESSION_SECURE: &str = "__Host-vakt_session";
    pub const ANON_CSRF: &str = "vakt_csrf";
    pub const ANON_CSRF_SECURE: &str = "__Host-vakt_csrf";
    pub const LANG: &str = "vakt_lang";
}

/// A fresh 256-bit random token, URL-safe base64 without padding (43 characters).
pub fn new_token() -> String {
    use base64::Engine;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// The SHA-256 (hex) under which a token is stored; the token itself never is.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Reads one cookie from the `Cookie` header(s).
pub fn read_cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure when configured.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        s.push_str("; Secure");
    }
    if let Some(age) = max_age {
        s.push_str(&format!("; Max-Age={age}"));
    }
    s
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    set_cookie(name, "", secure, Some(0))
}

/// What the session middleware found for this request.
#[derive(Debug, Clone)]
pub enum RequestSession {
    /// No (valid) session: only the anonymous CSRF token.
    Anonymous { csrf: String },
    /// A stored session (possibly still waiting for the second factor).
    Active(Box<ActiveSession>),
}

impl RequestSession {
    /// The token a state-changing request must carry.
    pub fn csrf_token(&self) -> &str {
        match self {
            RequestSession::Anonymous { csrf } => csrf,
            RequestSession::Active(s) => &s.csrf,
        }
    }
}

/// How far a session has come through sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Password accepted, the TOTP code (or a recovery code) is next.
    AwaitingTotp,
    /// Password accepted, the tenant requires TOTP and the account has none: enrolment is next.
    AwaitingEnrolment,
    /// Fully signed in.
    Full,
}

/// A loaded, valid session.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    /// Hash of the cookie token (the session's key in the store).
    pub token_hash: String,
    pub tenant: uuid::Uuid,
    pub account: uuid::Uuid,
    pub stage: SessionStage,
    pub csrf: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_hide_them() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert!(!token_hash(&a).contains(&a));
    }

    #[test]
    fn cookies_are_read_from_any_position() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            "a=1; vakt_lang=sv; b=2"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(read_cookie(&h, "vakt_lang"), Some("sv"));
        assert_eq!(read_cookie(&h, "c"), None);
    }

    #[test]
    fn session_cookie_flags() {
        let c = set_cookie("__Host-vakt_session", "t", true, None);
        assert!(
            c.contains("HttpOnly")
                && c.contains("SameSite=Lax")
                && c.contains("Secure")
                && c.contains("Path=/")
        );
        assert!(!set_cookie("vakt_session", "t", false, None).contains("Secure"));
    }
}
