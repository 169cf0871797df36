//! Acknowledgments ("read and understood"): the immutable evidence record, whether a person's
//! acknowledgment is current, and when signing is due.

use std::net::IpAddr;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use super::version::{PublishedVersion, VersionNumber, in_force};
use super::{AckId, InstructionId, PersonId, VersionId};
use crate::deadline::{DeadlineError, DeadlineRule, TenantCalendar};

/// The SHA-256 of the exact text a person was shown, hex-encoded in serialised form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TextHash([u8; 32]);

impl TextHash {
    /// Hash the exact text (the Markdown source of the version) as UTF-8 bytes.
    pub fn of(text: &str) -> Self {
        TextHash(Sha256::digest(text.as_bytes()).into())
    }

    pub fn to_hex(self) -> String {
        hex::encode(self.0)
    }
}

impl TryFrom<String> for TextHash {
    type Error = AckError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s.trim(), &mut out).map_err(|_| AckError::BadHash)?;
        Ok(TextHash(out))
    }
}

impl From<TextHash> for String {
    fn from(h: TextHash) -> String {
        h.to_hex()
    }
}

/// How the person confirmed their identity when signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMethod {
    /// Password re-entered.
    Password,
    /// A TOTP code entered.
    Totp,
    /// Fresh single sign-on (OpenID Connect) authentication.
    Sso,
    /// Confirmed within the signed-in session, without re-authentication (instructions that are
    /// not flagged as requiring a signature).
    Session,
}

/// Errors from building acknowledgment records.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(rename_all = "snake_case", tag = "code")]
pub enum AckError {
    #[error("not a SHA-256 hex digest")]
    BadHash,
    #[error("the text shown does not match the version's text")]
    TextMismatch,
    #[error("a record can only be superseded by a record of the same person and instruction")]
    SupersedesOther,
}

/// What the web layer supplies when a person signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckInput<'a> {
    pub id: AckId,
    pub person: PersonId,
    pub instruction: InstructionId,
    pub version_id: VersionId,
    pub version: VersionNumber,
    /// The exact text shown to the person.
    pub text_shown: &'a str,
    /// The stored hash of the version's text; the shown text must match it.
    pub version_text_hash: TextHash,
    pub method: AckMethod,
    pub at: OffsetDateTime,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<&'a str>,
}

/// The longest user-agent string kept (longer ones are cut at a character boundary).
pub const MAX_USER_AGENT: usize = 512;

/// An acknowledgment: evidence that a person read and understood one exact version.
///
/// Immutable: fields are private, there are no setters, and the only way to "change" one is
/// [`Acknowledgment::supersede`], which makes a new record that points back to the old one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acknowledgment {
    id: AckId,
    person: PersonId,
    instruction: InstructionId,
    version_id: VersionId,
    version: VersionNumber,
    text_sha256: TextHash,
    method: AckMethod,
    #[serde(with = "time::serde::rfc3339")]
    at: OffsetDateTime,
    ip: Option<IpAddr>,
    user_agent: Option<String>,
    supersedes: Option<AckId>,
}

/// The stored fields of an acknowledgment, for the store to read a record back
/// ([`Acknowledgment::from_parts`]). Building one does not change any stored record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckParts {
    pub id: AckId,
    pub person: PersonId,
    pub instruction: InstructionId,
    pub version_id: VersionId,
    pub version: VersionNumber,
    pub text_sha256: TextHash,
    pub method: AckMethod,
    pub at: OffsetDateTime,
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub supersedes: Option<AckId>,
}

impl AckMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AckMethod::Password => "password",
            AckMethod::Totp => "totp",
            AckMethod::Sso => "sso",
            AckMethod::Session => "session",
        }
    }
    pub fn parse(s: &str) -> Option<AckMethod> {
        [
            AckMethod::Password,
            AckMethod::Totp,
            AckMethod::Sso,
            AckMethod::Session,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

impl Acknowledgment {
    /// Record a new acknowledgment. Refuses if the text shown is not the version's text.
    pub fn record(input: AckInput<'_>) -> Result<Self, AckError> {
        let shown = TextHash::of(input.text_shown);
        if shown != input.version_text_hash {
            return Err(AckError::TextMismatch);
        }
        let user_agent = input.user_agent.map(|ua| {
            let mut end = ua.len().min(MAX_USER_AGENT);
            while !ua.is_char_boundary(end) {
                end -= 1;
            }
            ua[..end].to_owned()
        });
        Ok(Acknowledgment {
            id: input.id,
            person: input.person,
            instruction: input.instruction,
            version_id: input.version_id,
            version: input.version,
            text_sha256: shown,
            method: input.method,
            at: input.at.to_offset(time::UtcOffset::UTC),
            ip: input.ip,
            user_agent,
            supersedes: None,
        })
    }

    /// Record a new acknowledgment that supersedes this one (e.g. signing a new major version).
    pub fn supersede(&self, input: AckInput<'_>) -> Result<Self, AckError> {
        if input.person != self.person || input.instruction != self.instruction {
            return Err(AckError::SupersedesOther);
        }
        let mut next = Acknowledgment::record(input)?;
        next.supersedes = Some(self.id);
        Ok(next)
    }

    /// A record read back from storage.
    pub fn from_parts(p: AckParts) -> Self {
        Acknowledgment {
            id: p.id,
            person: p.person,
            instruction: p.instruction,
            version_id: p.version_id,
            version: p.version,
            text_sha256: p.text_sha256,
            method: p.method,
            at: p.at,
            ip: p.ip,
            user_agent: p.user_agent,
            supersedes: p.supersedes,
        }
    }

    pub fn id(&self) -> AckId {
        self.id
    }
    pub fn person(&self) -> PersonId {
        self.person
    }
    pub fn instruction(&self) -> InstructionId {
        self.instruction
    }
    pub fn version_id(&self) -> VersionId {
        self.version_id
    }
    pub fn version(&self) -> VersionNumber {
        self.version
    }
    pub fn text_sha256(&self) -> TextHash {
        self.text_sha256
    }
    pub fn method(&self) -> AckMethod {
        self.method
    }
    pub fn at(&self) -> OffsetDateTime {
        self.at
    }
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }
    pub fn user_agent(&self) -> Option<&str> {
        self.user_agent.as_deref()
    }
    pub fn supersedes(&self) -> Option<AckId> {
        self.supersedes
    }
}

/// What the standing of an acknowledgment depends on: the version it covers and when it was made
/// (not its evidence). Reports that only work out standings read these alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AckFacts {
    pub id: AckId,
    pub version_id: VersionId,
    pub version: VersionNumber,
    pub at: OffsetDateTime,
}

/// A record whose [`AckFacts`] decide where a person stands: a full [`Acknowledgment`] or only
/// its facts.
pub trait HasAckFacts {
    fn ack_facts(&self) -> AckFacts;
}

impl HasAckFacts for AckFacts {
    fn ack_facts(&self) -> AckFacts {
        *self
    }
}

impl HasAckFacts for Acknowledgment {
    fn ack_facts(&self) -> AckFacts {
        AckFacts {
            id: self.id,
            version_id: self.version_id,
            version: self.version,
            at: self.at,
        }
    }
}

/// Why a person must sign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
pub enum DueReason {
    /// No acknowledgment of this instruction at all.
    NeverSigned,
    /// The person signed an earlier major version; a newer major version is in force.
    NewMajorVersion {
        signed: VersionNumber,
        required: VersionNumber,
    },
}

/// Where a person stands with one instruction at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum AckState {
    /// No version is in force; nothing to sign.
    NotInForce,
    /// The person's latest acknowledgment covers the major version in force.
    Current { ack: AckId, signed: VersionNumber },
    /// The person must sign `to_sign` (the version in force). `since` is when the current major
    /// version came into force (the start of the signing period for people already in the audience).
    Due {
        to_sign: VersionId,
        since: OffsetDateTime,
        reason: DueReason,
    },
}

/// Whether a person's acknowledgment of one instruction is current at `now`.
///
/// `versions` are the instruction's published versions; `acks` the person's acknowledgments of this
/// instruction (other instructions' records are ignored). An acknowledgment of any `x.y` covers every
/// later minor version `x.z`; a major version in force makes it due again.
pub fn ack_state<A: HasAckFacts>(
    versions: &[PublishedVersion],
    acks: &[A],
    now: OffsetDateTime,
) -> AckState {
    let Some(current) = in_force(versions, now) else {
        return AckState::NotInForce;
    };
    let required_major = current.number.major;
    let since = versions
        .iter()
        .filter(|v| v.number.major == required_major && v.effective_from <= now)
        .map(|v| v.effective_from)
        .min()
        .unwrap_or(current.effective_from);
    let instruction_versions: Vec<VersionId> = versions.iter().map(|v| v.id).collect();
    let latest = acks
        .iter()
        .map(HasAckFacts::ack_facts)
        .filter(|a| instruction_versions.contains(&a.version_id) && a.at <= now)
        .max_by_key(|a| (a.version, a.at));
    match latest {
        Some(a) if a.version.major >= required_major => AckState::Current {
            ack: a.id,
            signed: a.version,
        },
        Some(a) => AckState::Due {
            to_sign: current.id,
            since,
            reason: DueReason::NewMajorVersion {
                signed: a.version,
                required: current.number,
            },
        },
        None => AckState::Due {
            to_sign: current.id,
            since,
            reason: DueReason::NeverSigned,
        },
    }
}

/// When signing is due: `rule` (e.g. 14 days, end of day) counted from the later of the moment the
/// major version came into force (`since` of [`AckState::Due`]) and the moment the person joined the
/// audience.
pub fn signing_due_at(
    since: OffsetDateTime,
    joined_audience_at: Option<OffsetDateTime>,
    rule: &DeadlineRule,
    cal: &TenantCalendar,
) -> Result<OffsetDateTime, DeadlineError> {
    let start = joined_audience_at.map_or(since, |j| j.max(since));
    rule.due(start, cal)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::deadline::Period;
    use time::macros::datetime;
    use uuid::Uuid;

    const TEXT_1: &str = "# ICT use\nLock the screen when you leave.\n";
    const TEXT_2: &str = "# ICT use\nLock the screen when you leave.\nUse two-factor sign-in.\n";

    fn version(n: (u32, u32), from: OffsetDateTime) -> PublishedVersion {
        PublishedVersion {
            id: Uuid::from_u128(1000 + u128::from(n.0 * 10 + n.1)).into(),
            number: VersionNumber {
                major: n.0,
                minor: n.1,
            },
            effective_from: from,
            retired_at: None,
        }
    }

    fn sign(v: &PublishedVersion, text: &str, at: OffsetDateTime) -> Acknowledgment {
        Acknowledgment::record(AckInput {
            id: Uuid::now_v7().into(),
            person: Uuid::from_u128(7).into(),
            instruction: Uuid::from_u128(99).into(),
            version_id: v.id,
            version: v.number,
            text_shown: text,
            version_text_hash: TextHash::of(text),
            method: AckMethod::Totp,
            at,
            ip: Some("192.0.2.10".parse().unwrap()),
            user_agent: Some("Mozilla/5.0"),
        })
        .unwrap()
    }

    #[test]
    fn the_record_holds_the_hash_of_the_exact_text_shown() {
        let v = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let a = sign(&v, TEXT_1, datetime!(2026-01-02 10:00 +01:00));
        assert_eq!(a.text_sha256(), TextHash::of(TEXT_1));
        assert_eq!(a.text_sha256().to_hex().len(), 64);
        assert_eq!(a.at(), datetime!(2026-01-02 9:00 UTC));
        assert_eq!(a.method(), AckMethod::Totp);
    }

    #[test]
    fn signing_a_text_other_than_the_versions_text_is_refused() {
        let v = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let r = Acknowledgment::record(AckInput {
            id: Uuid::now_v7().into(),
            person: Uuid::from_u128(7).into(),
            instruction: Uuid::from_u128(99).into(),
            version_id: v.id,
            version: v.number,
            text_shown: TEXT_2,
            version_text_hash: TextHash::of(TEXT_1),
            method: AckMethod::Password,
            at: datetime!(2026-01-02 0:00 UTC),
            ip: None,
            user_agent: None,
        });
        assert_eq!(r, Err(AckError::TextMismatch));
    }

    #[test]
    fn a_record_is_only_superseded_by_a_new_record_pointing_back() {
        let v1 = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let v2 = version((2, 0), datetime!(2026-06-01 0:00 UTC));
        let first = sign(&v1, TEXT_1, datetime!(2026-01-02 0:00 UTC));
        let second = first
            .supersede(AckInput {
                id: Uuid::now_v7().into(),
                person: first.person(),
                instruction: first.instruction(),
                version_id: v2.id,
                version: v2.number,
                text_shown: TEXT_2,
                version_text_hash: TextHash::of(TEXT_2),
                method: AckMethod::Sso,
                at: datetime!(2026-06-02 0:00 UTC),
                ip: None,
                user_agent: None,
            })
            .unwrap();
        assert_eq!(second.supersedes(), Some(first.id()));
        assert_eq!(first.supersedes(), None);
        let mut other = AckInput {
            id: Uuid::now_v7().into(),
            person: Uuid::from_u128(8).into(),
            instruction: first.instruction(),
            version_id: v2.id,
            version: v2.number,
            text_shown: TEXT_2,
            version_text_hash: TextHash::of(TEXT_2),
            method: AckMethod::Sso,
            at: datetime!(2026-06-02 0:00 UTC),
            ip: None,
            user_agent: None,
        };
        assert_eq!(
            first.supersede(other.clone()),
            Err(AckError::SupersedesOther)
        );
        other.person = first.person();
        assert!(first.supersede(other).is_ok());
    }

    #[test]
    fn the_record_round_trips_through_json_with_a_hex_hash() {
        let v = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let a = sign(&v, TEXT_1, datetime!(2026-01-02 0:00 UTC));
        let json = serde_json::to_string(&a).unwrap();
        assert!(json.contains(&TextHash::of(TEXT_1).to_hex()));
        let back: Acknowledgment = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn an_overlong_user_agent_is_cut_at_a_character_boundary() {
        let v = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let ua = "ø".repeat(400); // 800 bytes
        let a = Acknowledgment::record(AckInput {
            id: Uuid::now_v7().into(),
            person: Uuid::from_u128(7).into(),
            instruction: Uuid::from_u128(99).into(),
            version_id: v.id,
            version: v.number,
            text_shown: TEXT_1,
            version_text_hash: TextHash::of(TEXT_1),
            method: AckMethod::Password,
            at: datetime!(2026-01-02 0:00 UTC),
            ip: None,
            user_agent: Some(&ua),
        })
        .unwrap();
        assert_eq!(a.user_agent().map(str::len), Some(512));
    }

    #[test]
    fn a_minor_version_does_not_make_signing_due_again() {
        let v10 = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let v11 = version((1, 1), datetime!(2026-03-01 0:00 UTC));
        let a = sign(&v10, TEXT_1, datetime!(2026-01-05 0:00 UTC));
        let state = ack_state(
            &[v10, v11],
            std::slice::from_ref(&a),
            datetime!(2026-04-01 0:00 UTC),
        );
        assert_eq!(
            state,
            AckState::Current {
                ack: a.id(),
                signed: v10.number
            }
        );
    }

    #[test]
    fn a_major_version_published_after_signing_makes_it_due_again() {
        let v10 = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let v20 = version((2, 0), datetime!(2026-03-01 0:00 UTC));
        let a = sign(&v10, TEXT_1, datetime!(2026-01-05 0:00 UTC));
        let before = ack_state(
            &[v10, v20],
            std::slice::from_ref(&a),
            datetime!(2026-02-01 0:00 UTC),
        );
        assert!(matches!(before, AckState::Current { .. }));
        let after = ack_state(
            &[v10, v20],
            std::slice::from_ref(&a),
            datetime!(2026-03-02 0:00 UTC),
        );
        assert_eq!(
            after,
            AckState::Due {
                to_sign: v20.id,
                since: v20.effective_from,
                reason: DueReason::NewMajorVersion {
                    signed: v10.number,
                    required: v20.number
                },
            }
        );
    }

    #[test]
    fn never_signed_is_due_from_the_first_version_of_the_major_in_force() {
        let v20 = version((2, 0), datetime!(2026-03-01 0:00 UTC));
        let v21 = version((2, 1), datetime!(2026-05-01 0:00 UTC));
        let state = ack_state(
            &[v20, v21],
            &[] as &[Acknowledgment],
            datetime!(2026-06-01 0:00 UTC),
        );
        assert_eq!(
            state,
            AckState::Due {
                to_sign: v21.id,
                since: v20.effective_from,
                reason: DueReason::NeverSigned
            }
        );
    }

    #[test]
    fn an_acknowledgment_of_another_instruction_does_not_count() {
        let v10 = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let other = version((1, 0), datetime!(2026-01-01 0:00 UTC));
        let other = PublishedVersion {
            id: Uuid::from_u128(5).into(),
            ..other
        };
        let a = sign(&other, TEXT_1, datetime!(2026-01-05 0:00 UTC));
        assert!(matches!(
            ack_state(&[v10], &[a], datetime!(2026-02-01 0:00 UTC)),
            AckState::Due { .. }
        ));
    }

    #[test]
    fn signing_is_due_n_days_after_publication_or_joining_whichever_is_later() {
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let rule = DeadlineRule::new(Period::Days(14)).at_end_of_day();
        let published = datetime!(2026-03-02 8:00 UTC);
        assert_eq!(
            signing_due_at(published, None, &rule, &cal).unwrap(),
            datetime!(2026-03-16 22:59:59 UTC)
        );
        let joined_before = datetime!(2025-06-01 8:00 UTC);
        assert_eq!(
            signing_due_at(published, Some(joined_before), &rule, &cal).unwrap(),
            datetime!(2026-03-16 22:59:59 UTC)
        );
        let joined_after = datetime!(2026-04-10 8:00 UTC);
        assert_eq!(
            signing_due_at(published, Some(joined_after), &rule, &cal).unwrap(),
            datetime!(2026-04-24 21:59:59 UTC)
        );
    }
}
