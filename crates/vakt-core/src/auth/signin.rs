//! The sign-in flow as a pure decision: what comes after a correct password, and after a correct
//! second factor (R-041, R-042, R-046).
//!
//! 1. Password correct → [`after_password`]: an account with TOTP must give a code
//!    ([`SignInNext::Totp`]); one without TOTP in a tenant (or unit) that requires it must enrol
//!    first ([`SignInNext::EnrolTotp`]); otherwise continue as after the second factor.
//! 2. Second factor done (or not needed) → [`after_second_factor`]: a one-time initial password
//!    or an expired password must be changed ([`SignInNext::ChangePassword`]); otherwise
//!    [`SignInNext::Done`] (issue a fresh session id).
//!
//! ```
//! use vakt_core::auth::signin::{after_password, SignInFacts, SignInNext};
//! let facts = SignInFacts { totp_enrolled: false, require_totp: true, ..Default::default() };
//! assert_eq!(after_password(&facts), SignInNext::EnrolTotp);
//! ```

use serde::{Deserialize, Serialize};

/// What the web layer knows about the account at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SignInFacts {
    /// The account has a confirmed TOTP secret.
    pub totp_enrolled: bool,
    /// The effective settings require TOTP.
    pub require_totp: bool,
    /// The password was set by an admin (initial or reset) and works once.
    pub must_change_password: bool,
    /// The password is older than the policy's maximum age.
    pub password_expired: bool,
}

/// The next step of the sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignInNext {
    /// Ask for a TOTP code (or a recovery code).
    Totp,
    /// TOTP is required and not set up: enrol before anything else.
    EnrolTotp,
    /// The password must be changed before the session is usable.
    ChangePassword,
    /// Signed in.
    Done,
}

/// The step after a correct password.
pub fn after_password(f: &SignInFacts) -> SignInNext {
    if f.totp_enrolled {
        SignInNext::Totp
    } else if f.require_totp {
        SignInNext::EnrolTotp
    } else {
        after_second_factor(f)
    }
}

/// The step after a correct TOTP or recovery code (or after enrolment).
pub fn after_second_factor(f: &SignInFacts) -> SignInNext {
    if f.must_change_password || f.password_expired {
        SignInNext::ChangePassword
    } else {
        SignInNext::Done
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enrolled_account_always_gives_a_code_even_when_not_required() {
        for require_totp in [false, true] {
            let f = SignInFacts {
                totp_enrolled: true,
                require_totp,
                ..Default::default()
            };
            assert_eq!(after_password(&f), SignInNext::Totp);
        }
    }

    #[test]
    fn required_totp_without_enrolment_forces_enrolment() {
        let f = SignInFacts {
            require_totp: true,
            must_change_password: true,
            ..Default::default()
        };
        assert_eq!(after_password(&f), SignInNext::EnrolTotp);
        assert_eq!(after_second_factor(&f), SignInNext::ChangePassword);
    }

    #[test]
    fn initial_password_works_once_and_must_be_changed() {
        let f = SignInFacts {
            must_change_password: true,
            ..Default::default()
        };
        assert_eq!(after_password(&f), SignInNext::ChangePassword);
    }

    #[test]
    fn expired_password_must_be_changed_after_the_second_factor() {
        let f = SignInFacts {
            totp_enrolled: true,
            password_expired: true,
            ..Default::default()
        };
        assert_eq!(after_password(&f), SignInNext::Totp);
        assert_eq!(after_second_factor(&f), SignInNext::ChangePassword);
    }

    #[test]
    fn no_totp_and_nothing_to_change_signs_in() {
        assert_eq!(after_password(&SignInFacts::default()), SignInNext::Done);
    }
}
