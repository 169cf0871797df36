//! Opaque bearer tokens: session ids, personal API tokens, CSRF tokens.
//!
//! A token is 32 random bytes, base64url without padding (43 characters). Give the plain token to
//! the client once; store only [`hash_token`] (SHA-256, lower-case hex) and look tokens up by it.
//!
//! ```
//! use vakt_core::auth::token;
//! let t = token::new_token();
//! assert_eq!(t.plain.len(), 43);
//! assert_eq!(token::hash_token(&t.plain), t.hash);
//! ```

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A freshly made token: `plain` goes to the client, `hash` to the database.
#[derive(Clone, PartialEq, Eq)]
pub struct NewToken {
    pub plain: String,
    pub hash: String,
}

impl std::fmt::Debug for NewToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("plain", &"<redacted>")
            .field("hash", &self.hash)
            .finish()
    }
}

/// 32 random bytes, base64url (no padding), with its hash.
pub fn new_token() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plain = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&plain);
    NewToken { plain, hash }
}

/// SHA-256 of the token text, lower-case hex (64 characters).
pub fn hash_token(plain: &str) -> String {
    hex::encode(Sha256::digest(plain.as_bytes()))
}

/// Whether `candidate` looks like a Vakt token (43 base64url characters): reject anything else
/// before touching the database.
pub fn is_well_formed(candidate: &str) -> bool {
    candidate.len() == 43
        && candidate
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Constant-time comparison of two token strings (for CSRF double-submit checks).
pub fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_is_32_random_bytes_base64url_and_stored_as_sha256_hex() {
        let t = new_token();
        let raw = URL_SAFE_NO_PAD.decode(&t.plain).expect("base64url");
        assert_eq!(raw.len(), 32);
        assert!(is_well_formed(&t.plain));
        assert_eq!(t.hash.len(), 64);
        assert!(
            t.hash
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        );
        assert_eq!(hash_token(&t.plain), t.hash);
    }

    #[test]
    fn tokens_are_unique() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a.plain, b.plain);
        assert_ne!(a.hash, b.hash);
    }

    #[test]
    fn debug_output_does_not_reveal_the_token() {
        let t = new_token();
        assert!(!format!("{t:?}").contains(&t.plain));
    }

    #[test]
    fn malformed_tokens_are_recognised() {
        assert!(!is_well_formed(""));
        assert!(!is_well_formed("' OR 1=1 --"));
        assert!(!is_well_formed(&"a".repeat(44)));
        assert!(!is_well_formed(&"+".repeat(43)));
    }

    #[test]
    fn equality_is_exact() {
        assert!(tokens_equal("abc", "abc"));
        assert!(!tokens_equal("abc", "abd"));
        assert!(!tokens_equal("abc", "abcd"));
    }
}
