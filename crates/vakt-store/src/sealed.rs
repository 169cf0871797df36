//! Secrets the server must read back (TOTP seeds) are stored sealed: XChaCha20-Poly1305 with a key that
//! lives outside the database (a key file in the data directory or `VAKT_SECRET_KEY`), so a copy of the
//! database or of a backup alone does not reveal them. The associated data binds each sealed value to
//! its purpose and row, so a value copied into another account's row does not open.
//!
//! Format of a sealed value: `v1.` followed by the hex of the 24-byte nonce and the ciphertext with its
//! 16-byte tag. Values without the prefix are legacy clear text; [`crate::Db::migrate`] seals them.

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::error::{Result, StoreError};

/// Length of a secret key in bytes.
pub const KEY_LEN: usize = 32;
const PREFIX: &str = "v1.";
const NONCE_LEN: usize = 24;

/// The key that seals secrets at rest. `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey([u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl SecretKey {
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> SecretKey {
        SecretKey(bytes)
    }

    /// A new random key (from the operating system's generator).
    pub fn generate() -> SecretKey {
        let key = XChaCha20Poly1305::generate_key(&mut OsRng);
        let mut out = [0u8; KEY_LEN];
        out.copy_from_slice(&key);
        SecretKey(out)
    }

    /// Parses the 64 hex digits of a key (surrounding white space ignored).
    pub fn from_hex(text: &str) -> std::result::Result<SecretKey, String> {
        let raw = hex::decode(text.trim())
            .map_err(|_| "the secret key must be 64 hexadecimal digits".to_string())?;
        let bytes: [u8; KEY_LEN] = raw
            .try_into()
            .map_err(|_| "the secret key must be 64 hexadecimal digits (32 bytes)".to_string())?;
        Ok(SecretKey(bytes))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// Seals `plain` for the context `aad` (purpose and row, e.g. `totp:TENANT:ACCOUNT`).
    pub fn seal(&self, aad: &str, plain: &str) -> Result<String> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ct = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Corrupt("cannot seal a secret".into()))?;
        let mut out = String::with_capacity(PREFIX.len() + 2 * (NONCE_LEN + ct.len()));
        out.push_str(PREFIX);
        out.push_str(&hex::encode(nonce));
        out.push_str(&hex::encode(ct));
        Ok(out)
    }

    /// Opens a value made by [`SecretKey::seal`] with the same `aad`. A wrong key, a changed value or a
    /// value moved to another row is an error that says so.
    pub fn open(&self, aad: &str, sealed: &str) -> Result<String> {
        let bad = || {
            StoreError::Corrupt(format!(
                "a sealed secret ({aad}) cannot be opened: the secret key is not the one it was sealed \
                 with, or the stored value was changed"
            ))
        };
        let body = sealed.strip_prefix(PREFIX).ok_or_else(bad)?;
        let raw = hex::decode(body).map_err(|_| bad())?;
        if raw.len() < NONCE_LEN + 16 {
            return Err(bad());
        }
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: aad.as_bytes(),
                },
            )
            .map_err(|_| bad())?;
        String::from_utf8(plain).map_err(|_| bad())
    }
}

/// Whether a stored value is sealed (as opposed to legacy clear text).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_binding() {
        let k = SecretKey::generate();
        let s = k.seal("totp:a:b", "JBSWY3DPEHPK3PXP").unwrap();
        assert!(is_sealed(&s));
        assert!(!s.contains("JBSWY3DPEHPK3PXP"));
        assert_eq!(k.open("totp:a:b", &s).unwrap(), "JBSWY3DPEHPK3PXP");
        // Another row, another key, a flipped byte: all refused.
        assert!(k.open("totp:a:c", &s).is_err());
        assert!(SecretKey::generate().open("totp:a:b", &s).is_err());
        let mut t = s.clone().into_bytes();
        let last = t.len() - 1;
        t[last] = if t[last] == b'0' { b'1' } else { b'0' };
        assert!(k.open("totp:a:b", &String::from_utf8(t).unwrap()).is_err());
        assert!(k.open("totp:a:b", "JBSWY3DPEHPK3PXP").is_err());
        assert!(k.open("totp:a:b", "v1.zz").is_err());
        // Two seals of the same value differ (random nonce).
        assert_ne!(s, k.seal("totp:a:b", "JBSWY3DPEHPK3PXP").unwrap());
    }

    #[test]
    fn hex_form() {
        let k = SecretKey::generate();
        let k2 = SecretKey::from_hex(&format!(" {}\n", k.to_hex())).unwrap();
        let s = k.seal("x", "y").unwrap();
        assert_eq!(k2.open("x", &s).unwrap(), "y");
        assert!(SecretKey::from_hex("abcd").is_err());
        assert!(SecretKey::from_hex(&"g".repeat(64)).is_err());
        assert!(!format!("{k:?}").contains(&k.to_hex()));
    }
}
