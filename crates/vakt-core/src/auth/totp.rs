//! TOTP two-factor sign-in (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps, one step of skew
//! either way), on `totp-rs`.
//!
//! - Enrolment: [`generate_secret`] (160 random bits, base32), shown to the user as the
//!   [`otpauth_url`] (the web layer renders it as an SVG QR code) and confirmed with a first code.
//! - Sign-in: [`verify`] returns the time step the code belongs to; the store keeps the last used
//!   step per account and passes it back as `last_used_step`, so a code is accepted at most once
//!   (no replay), and never one older than the last accepted.
//!
//! ```
//! use time::macros::datetime;
//! use vakt_core::auth::totp;
//!
//! let secret = totp::generate_secret();
//! let now = datetime!(2025-01-01 12:00:10 UTC);
//! let code = totp::code_at(&secret, now).unwrap();
//! let step = totp::verify(&secret, &code, now, None).unwrap().unwrap();
//! // The same code again is a replay.
//! assert_eq!(totp::verify(&secret, &code, now, Some(step)).unwrap(), None);
//! ```

use rand::RngCore;
use time::OffsetDateTime;
use totp_rs::{Algorithm, Secret, TOTP};

/// The issuer shown in authenticator apps.
pub const ISSUER: &str = "Vakt";
/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Digits per code.
pub const DIGITS: usize = 6;
/// Steps of clock skew tolerated either way.
pub const SKEW_STEPS: u64 = 1;

/// The stored secret could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    #[error("the TOTP secret is not valid base32 or is too short")]
    BadSecret,
}

/// A new random secret (20 bytes), base32-encoded without padding: store it (it must be readable
/// again to verify codes) and show it once.
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    match Secret::Raw(bytes.to_vec()).to_encoded() {
        Secret::Encoded(s) => s,
        Secret::Raw(_) => String::new(), // to_encoded always returns Encoded
    }
}

fn totp(secret_b32: &str, account_label: &str) -> Result<TOTP, TotpError> {
    let bytes = Secret::Encoded(secret_b32.trim().to_uppercase())
        .to_bytes()
        .map_err(|_| TotpError::BadSecret)?;
    // Labels may not contain ':' (it separates issuer and account in the URL).
    let label = account_label.replace(':', "-");
    TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        1,
        STEP_SECONDS,
        bytes,
        Some(ISSUER.to_string()),
        label,
    )
    .map_err(|_| TotpError::BadSecret)
}

/// The `otpauth://totp/Vakt:<label>?secret=…&issuer=Vakt…` URL for enrolment.
pub fn otpauth_url(secret_b32: &str, account_label: &str) -> Result<String, TotpError> {
    Ok(totp(secret_b32, account_label)?.get_url())
}

/// The time step of a moment (seconds since the epoch / 30); `None` before 1970.
pub fn step_of(at: OffsetDateTime) -> Option<u64> {
    u64::try_from(at.unix_timestamp())
        .ok()
        .map(|s| s / STEP_SECONDS)
}

/// The code for the step containing `at` (for tests and tools).
pub fn code_at(secret_b32: &str, at: OffsetDateTime) -> Result<String, TotpError> {
    let t = totp(secret_b32, "x")?;
    let secs = u64::try_from(at.unix_timestamp()).map_err(|_| TotpError::BadSecret)?;
    Ok(t.generate(secs))
}

/// Check `code` at `now`. Returns `Ok(Some(step))` when the code belongs to the current step or
/// one step either side **and** that step is later than `last_used_step`; `Ok(None)` for a wrong,
/// malformed or replayed code; `Err` only for an unusable stored secret. Store the returned step.
pub fn verify(
    secret_b32: &str,
    code: &str,
    now: OffsetDateTime,
    last_used_step: Option<u64>,
) -> Result<Option<u64>, TotpError> {
    let t = totp(secret_b32, "x")?;
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let Some(current) = step_of(now) else {
        return Ok(None);
    };
    let first = current.saturating_sub(SKEW_STEPS);
    let last = current.saturating_add(SKEW_STEPS);
    let mut accepted = None;
    for step in first..=last {
        let expected = t.generate(step.saturating_mul(STEP_SECONDS));
        // Compare every candidate in full (no early exit on the first mismatching byte).
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && accepted.is_none() {
            accepted = Some(step);
        }
    }
    Ok(accepted.filter(|step| last_used_step.is_none_or(|used| *step > used)))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::{Duration, macros::datetime};

    /// RFC 6238 appendix B test secret "12345678901234567890" (ASCII), base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 lists 8-digit codes; the 6-digit code is their last six digits.
        for (t, code8) in [
            (59_i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
        ] {
            let at = OffsetDateTime::from_unix_timestamp(t).expect("ts");
            assert_eq!(code_at(RFC_SECRET, at).expect("code"), &code8[2..], "t={t}");
        }
    }

    #[test]
    fn current_and_adjacent_steps_are_accepted_and_further_ones_are_not() {
        let secret = generate_secret();
        let now = datetime!(2025-06-01 10:00:15 UTC);
        let step = step_of(now).expect("step");
        for (offset, ok) in [
            (-60, false),
            (-30, true),
            (0, true),
            (30, true),
            (60, false),
        ] {
            let code = code_at(&secret, now + Duration::seconds(offset)).expect("code");
            let result = verify(&secret, &code, now, None).expect("verify");
            if ok {
                let expected = step.checked_add_signed(offset / 30).expect("step");
                assert_eq!(result, Some(expected), "offset {offset}");
            } else {
                assert_eq!(result, None, "offset {offset}");
            }
        }
    }

    #[test]
    fn a_code_is_accepted_once_and_older_codes_after_it_never() {
        let secret = generate_secret();
        let now = datetime!(2025-06-01 10:00:15 UTC);
        let code = code_at(&secret, now).expect("code");
        let step = verify(&secret, &code, now, None).expect("v").expect("ok");
        assert_eq!(verify(&secret, &code, now, Some(step)).expect("v"), None);
        // The previous step's code is still within skew, but older than the last used step.
        let older = code_at(&secret, now - Duration::seconds(30)).expect("code");
        assert_eq!(verify(&secret, &older, now, Some(step)).expect("v"), None);
        // The next step's code is fine.
        let later = now + Duration::seconds(30);
        let next = code_at(&secret, later).expect("code");
        assert_eq!(
            verify(&secret, &next, later, Some(step)).expect("v"),
            Some(step + 1)
        );
    }

    #[test]
    fn malformed_codes_are_rejected_without_error() {
        let secret = generate_secret();
        let now = datetime!(2025-06-01 10:00:15 UTC);
        for bad in ["", "12345", "1234567", "abcdef", "١٢٣٤٥٦", "12 34 5x"] {
            assert_eq!(verify(&secret, bad, now, None), Ok(None), "{bad:?}");
        }
        let code = code_at(&secret, now).expect("code");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert!(verify(&secret, &spaced, now, None).expect("v").is_some());
    }

    #[test]
    fn bad_stored_secret_is_an_error() {
        let now = datetime!(2025-06-01 10:00:15 UTC);
        assert_eq!(
            verify("not base32!!", "123456", now, None),
            Err(TotpError::BadSecret)
        );
        assert_eq!(
            verify("GEZA", "123456", now, None),
            Err(TotpError::BadSecret)
        );
    }

    #[test]
    fn enrolment_url_names_vakt_and_the_account() {
        let secret = generate_secret();
        assert_eq!(secret.len(), 32);
        let url = otpauth_url(&secret, "kari@lorenskog:no").expect("url");
        assert!(url.starts_with("otpauth://totp/Vakt:"), "{url}");
        assert!(url.contains(&format!("secret={secret}")), "{url}");
        assert!(url.contains("issuer=Vakt"), "{url}");
        assert!(!url.contains("lorenskog:no"), "{url}");
    }
}
