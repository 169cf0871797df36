//! Password hashing: argon2id with explicit parameters (m = 19456 KiB, t = 2, p = 1, the OWASP
//! minimum) recorded in the PHC string, so that verification reads them from the stored hash and
//! [`needs_rehash`] can spot hashes made with older parameters.
//!
//! Hashing and verifying take tens of milliseconds and 19 MiB: the web layer calls them inside
//! `tokio::task::spawn_blocking`.
//!
//! ```
//! use vakt_core::auth::{hash_password, verify_password};
//! let phc = hash_password("correct horse battery staple").unwrap();
//! assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
//! assert!(verify_password("correct horse battery staple", &phc).unwrap());
//! assert!(!verify_password("wrong", &phc).unwrap());
//! ```

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::RngCore;

/// Memory cost in KiB.
pub const MEMORY_KIB: u32 = 19_456;
/// Iterations.
pub const ITERATIONS: u32 = 2;
/// Parallelism.
pub const PARALLELISM: u32 = 1;

/// Hashing failed, or a stored hash could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HashError {
    /// The stored string is not a PHC hash Vakt can verify.
    #[error("stored password hash is malformed: {0}")]
    Malformed(String),
    /// The hasher refused (should not happen with Vakt's parameters).
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

fn hasher() -> Result<Argon2<'static>, HashError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| HashError::Hashing(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// Hash `password` with a fresh random salt; returns the PHC string to store.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let mut salt_bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut salt_bytes);
    let salt =
        SaltString::encode_b64(&salt_bytes).map_err(|e| HashError::Hashing(e.to_string()))?;
    let hash = hasher()?
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| HashError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the stored PHC string `phc`. `Ok(false)` for a wrong password;
/// `Err` only when the stored hash is malformed.
pub fn verify_password(password: &str, phc: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(phc).map_err(|e| HashError::Malformed(e.to_string()))?;
    match hasher()?.verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(HashError::Malformed(e.to_string())),
    }
}

static DUMMY_HASH: LazyLock<Option<String>> =
    LazyLock::new(|| hash_password("vakt dummy password for timing").ok());

/// Spend the same work as a real verification and return `false`: call it when the user name is
/// unknown, so that response times do not reveal which accounts exist.
pub fn verify_password_dummy(password: &str) -> bool {
    if let Some(h) = DUMMY_HASH.as_deref() {
        let _ = verify_password(password, h);
    }
    false
}

/// Whether a stored hash was made with other parameters (or another algorithm) than Vakt's
/// current ones, so the caller should re-hash after a successful sign-in.
pub fn needs_rehash(phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return true;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return true;
    }
    match Params::try_from(&parsed) {
        Ok(p) => p.m_cost() != MEMORY_KIB || p.t_cost() != ITERATIONS || p.p_cost() != PARALLELISM,
        Err(_) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_with_explicit_params_and_verifies() {
        let h = hash_password("et langt og godt passord").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert_eq!(verify_password("et langt og godt passord", &h), Ok(true));
        assert_eq!(verify_password("et langt og godt passorD", &h), Ok(false));
        assert!(!needs_rehash(&h));
    }

    #[test]
    fn same_password_gets_a_different_salt_each_time() {
        let a = hash_password("samme").expect("hash");
        let b = hash_password("samme").expect("hash");
        assert_ne!(a, b);
    }

    #[test]
    fn malformed_stored_hash_is_an_error_not_a_panic() {
        assert!(matches!(
            verify_password("x", "not a hash"),
            Err(HashError::Malformed(_))
        ));
        assert!(matches!(
            verify_password("x", ""),
            Err(HashError::Malformed(_))
        ));
        assert!(needs_rehash("garbage"));
    }

    #[test]
    fn hash_with_weaker_params_needs_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).expect("params"),
        );
        let salt = SaltString::encode_b64(&[7u8; 16]).expect("salt");
        let h = weak.hash_password(b"pw", &salt).expect("hash").to_string();
        assert_eq!(verify_password("pw", &h), Ok(true));
        assert!(needs_rehash(&h));
    }

    #[test]
    fn dummy_verification_always_fails() {
        assert!(!verify_password_dummy("vakt dummy password for timing"));
    }
}
