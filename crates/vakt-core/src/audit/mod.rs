//! The audit trail: events, their canonical bytes, the per-tenant SHA-256 hash chain, verification,
//! retention classes, legal holds and purge checkpoints.
//!
//! ## The chain
//! Each tenant's events are numbered `seq = 1, 2, …` without gaps. For each event
//! - `content_hash = sha256(canonical_bytes(event))` — a fixed field order with length prefixes,
//!   never map-ordered JSON;
//! - `hash = sha256(prev_hash ‖ content_hash)`, where `prev_hash` is the previous event's `hash`
//!   (all zero for the first event).
//!
//! Hashing the content first lets a purge *redact* an event (drop its content, keep `seq`, class,
//! time and the two hashes), so the chain across it still verifies; redacted events at the start of
//! the chain are then deleted and replaced by a [`Checkpoint`] (last deleted `seq` and its `hash`).
//! [`verify_chain`] starts from that checkpoint and returns the first event that does not fit.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;
use std::str::FromStr;
use time::{Duration, OffsetDateTime};

use crate::directory::{AccountId, PersonId, TenantId};

/// Longest before/after summary kept in an event (characters); longer text is cut.
pub const MAX_SUMMARY_CHARS: usize = 500;
const CANONICAL_TAG: &[u8] = b"vakt-audit/1";

/// A SHA-256 value in the chain. Shown and stored as 64 lower-case hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// The `prev_hash` of a tenant's first event.
    pub const GENESIS: ChainHash = ChainHash([0; 32]);
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}
impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({})", self.to_hex())
    }
}
impl From<ChainHash> for String {
    fn from(h: ChainHash) -> String {
        h.to_hex()
    }
}
impl TryFrom<String> for ChainHash {
    type Error = hex::FromHexError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}
impl FromStr for ChainHash {
    type Err = hex::FromHexError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = [0u8; 32];
        hex::decode_to_slice(s, &mut out)?;
        Ok(ChainHash(out))
    }
}

/// Audit classes; each has its own retention period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditClass {
    /// Sign-in, lockout, MFA, roles, tokens, settings: who could do what.
    Security,
    /// Changes to the directory and to records (who changed what).
    Admin,
    /// Usage monitoring: views, searches, exports, API use.
    Usage,
}

impl AuditClass {
    pub const ALL: [AuditClass; 3] = [AuditClass::Security, AuditClass::Admin, AuditClass::Usage];
    pub fn as_str(self) -> &'static str {
        match self {
            AuditClass::Security => "security",
            AuditClass::Admin => "admin",
            AuditClass::Usage => "usage",
        }
    }
    pub fn parse(s: &str) -> Option<AuditClass> {
        AuditClass::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Retention per class, in days; `None` keeps events of that class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRetention {
    pub security_days: Option<u32>,
    pub admin_days: Option<u32>,
    pub usage_days: Option<u32>,
}

impl Default for AuditRetention {
    /// Usage monitoring is kept 90 days; security and admin events are kept.
    fn default() -> Self {
        AuditRetention {
            security_days: None,
            admin_days: None,
            usage_days: Some(90),
        }
    }
}

impl AuditRetention {
    pub fn days(&self, class: AuditClass) -> Option<u32> {
        match class {
            AuditClass::Security => self.security_days,
            AuditClass::Admin => self.admin_days,
            AuditClass::Usage => self.usage_days,
        }
    }
    /// Events of `class` at or before this instant may be purged (unless held).
    pub fn cutoff(&self, class: AuditClass, now: OffsetDateTime) -> Option<OffsetDateTime> {
        self.days(class).map(|d| now - Duration::days(i64::from(d)))
    }
}

/// Who did it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub account: Option<AccountId>,
    pub person: Option<PersonId>,
    /// A readable name at the time: the username, or `system:<component>`.
    pub label: String,
}

impl Actor {
    /// The system itself (a CLI command, a background job, the importer).
    pub fn system(component: &str) -> Actor {
        Actor {
            account: None,
            person: None,
            label: format!("system:{component}"),
        }
    }
    pub fn account(account: AccountId, person: Option<PersonId>, username: &str) -> Actor {
        Actor {
            account: Some(account),
            person,
            label: username.to_string(),
        }
    }
}

/// The context of a write: which tenant, who, from where. Every store write takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCtx {
    pub tenant: TenantId,
    pub actor: Actor,
    /// Client address, when the write came over the network.
    pub ip: Option<String>,
}

impl AuditCtx {
    pub fn new(tenant: TenantId, actor: Actor) -> Self {
        AuditCtx {
            tenant,
            actor,
            ip: None,
        }
    }
    pub fn with_ip(mut self, ip: impl Into<String>) -> Self {
        self.ip = Some(ip.into());
        self
    }
    pub fn system(tenant: TenantId, component: &str) -> Self {
        AuditCtx::new(tenant, Actor::system(component))
    }
}

/// What a write records; the store adds tenant, actor, time, sequence and hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    pub class: AuditClass,
    /// Dotted action name, e.g. `person.update`, `auth.signin_failed`.
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The person the event concerns, if any (for "search by person").
    pub person: Option<PersonId>,
    /// Short text of the state before / after. Never secrets.
    pub before: Option<String>,
    pub after: Option<String>,
}

impl EventDraft {
    pub fn new(
        class: AuditClass,
        action: &str,
        object_type: &str,
        object_id: impl ToString,
    ) -> Self {
        EventDraft {
            class,
            action: action.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            person: None,
            before: None,
            after: None,
        }
    }
    pub fn person(mut self, p: PersonId) -> Self {
        self.person = Some(p);
        self
    }
    pub fn before(mut self, s: impl Into<String>) -> Self {
        self.before = Some(cut(s.into()));
        self
    }
    pub fn after(mut self, s: impl Into<String>) -> Self {
        self.after = Some(cut(s.into()));
        self
    }
}

fn cut(s: String) -> String {
    match s.char_indices().nth(MAX_SUMMARY_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
}

/// One event of a tenant's chain, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub tenant: TenantId,
    pub seq: i64,
    /// UTC, whole microseconds.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub class: AuditClass,
    pub actor: Actor,
    pub ip: Option<String>,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub person: Option<PersonId>,
    pub before: Option<String>,
    pub after: Option<String>,
    /// Content purged under retention; only `seq`, `at`, `class` and the hashes are left.
    pub redacted: bool,
    pub content_hash: ChainHash,
    pub prev_hash: ChainHash,
    pub hash: ChainHash,
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u64).to_be_bytes());
    out.extend_from_slice(b);
}
fn put_opt(out: &mut Vec<u8>, b: Option<&[u8]>) {
    match b {
        None => out.push(0),
        Some(b) => {
            out.push(1);
            put_bytes(out, b);
        }
    }
}

impl AuditEvent {
    /// The canonical bytes of the event's content: a version tag, then every content field in a
    /// fixed order, each length-prefixed (options carry a presence byte). Excludes the hashes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        put_bytes(&mut out, CANONICAL_TAG);
        put_bytes(&mut out, self.tenant.0.as_bytes());
        out.extend_from_slice(&self.seq.to_be_bytes());
        out.extend_from_slice(&self.at.unix_timestamp_nanos().to_be_bytes());
        put_bytes(&mut out, self.class.as_str().as_bytes());
        put_opt(
            &mut out,
            self.actor
                .account
                .as_ref()
                .map(|a| a.0.as_bytes().as_slice()),
        );
        put_opt(
            &mut out,
            self.actor
                .person
                .as_ref()
                .map(|a| a.0.as_bytes().as_slice()),
        );
        put_bytes(&mut out, self.actor.label.as_bytes());
        put_opt(&mut out, self.ip.as_deref().map(str::as_bytes));
        put_bytes(&mut out, self.action.as_bytes());
        put_bytes(&mut out, self.object_type.as_bytes());
        put_bytes(&mut out, self.object_id.as_bytes());
        put_opt(
            &mut out,
            self.person.as_ref().map(|a| a.0.as_bytes().as_slice()),
        );
        put_opt(&mut out, self.before.as_deref().map(str::as_bytes));
        put_opt(&mut out, self.after.as_deref().map(str::as_bytes));
        out
    }

    pub fn compute_content_hash(&self) -> ChainHash {
        ChainHash(Sha256::digest(self.canonical_bytes()).into())
    }

    /// Builds the next event of a chain whose head is `prev` (`seq`, `hash`).
    pub fn seal(
        ctx: &AuditCtx,
        draft: EventDraft,
        at: OffsetDateTime,
        prev: Checkpoint,
    ) -> AuditEvent {
        let mut ev = AuditEvent {
            tenant: ctx.tenant,
            seq: prev.seq + 1,
            at: crate::directory::truncate_micros(at),
            class: draft.class,
            actor: ctx.actor.clone(),
            ip: ctx.ip.clone(),
            action: draft.action,
            object_type: draft.object_type,
            object_id: draft.object_id,
            person: draft.person,
            before: draft.before,
            after: draft.after,
            redacted: false,
            content_hash: ChainHash::GENESIS,
            prev_hash: prev.hash,
            hash: ChainHash::GENESIS,
        };
        ev.content_hash = ev.compute_content_hash();
        ev.hash = link_hash(&ev.prev_hash, &ev.content_hash);
        ev
    }

    /// Drops the content, keeping what the chain needs.
    pub fn redact(&mut self) {
        self.actor = Actor {
            account: None,
            person: None,
            label: String::new(),
        };
        self.ip = None;
        self.action.clear();
        self.object_type.clear();
        self.object_id.clear();
        self.person = None;
        self.before = None;
        self.after = None;
        self.redacted = true;
    }
}

/// `sha256(prev_hash ‖ content_hash)`.
pub fn link_hash(prev: &ChainHash, content: &ChainHash) -> ChainHash {
    let mut h = Sha256::new();
    h.update(prev.0);
    h.update(content.0);
    ChainHash(h.finalize().into())
}

/// A point of a chain: the `seq` and `hash` of an event. The chain head, or where a purge deleted
/// up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: ChainHash,
}

impl Checkpoint {
    /// Before the first event.
    pub const GENESIS: Checkpoint = Checkpoint {
        seq: 0,
        hash: ChainHash::GENESIS,
    };
}

/// Why an event does not fit the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakReason {
    /// The event belongs to another tenant.
    WrongTenant,
    /// An event is missing before this one (or the sequence repeats).
    SeqGap { expected: i64 },
    /// `prev_hash` is not the previous event's hash.
    PrevHashMismatch,
    /// The content does not match `content_hash` (the event was changed).
    ContentMismatch,
    /// `hash` is not `sha256(prev_hash ‖ content_hash)`.
    HashMismatch,
    /// The chain ends before the recorded head (events were removed from the end).
    Truncated { head_seq: i64 },
    /// The stored row cannot be read (a field was changed to something that is not a valid value).
    Unreadable,
}

impl BreakReason {
    pub fn code(&self) -> &'static str {
        match self {
            BreakReason::WrongTenant => "wrong_tenant",
            BreakReason::SeqGap { .. } => "seq_gap",
            BreakReason::PrevHashMismatch => "prev_hash_mismatch",
            BreakReason::ContentMismatch => "content_mismatch",
            BreakReason::HashMismatch => "hash_mismatch",
            BreakReason::Truncated { .. } => "truncated",
            BreakReason::Unreadable => "unreadable",
        }
    }
}

/// The first event that does not fit, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("audit event {seq} does not fit the chain: {}", reason.code())]
pub struct ChainBreak {
    pub seq: i64,
    pub reason: BreakReason,
}

/// A successful verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    /// Events checked (redacted ones included).
    pub events: u64,
    pub redacted: u64,
    /// Where the chain started (the purge checkpoint, or genesis).
    pub from: Checkpoint,
    /// The last event checked.
    pub head: Checkpoint,
}

/// Verifies a chain incrementally (events in `seq` order), so that a large table can be streamed.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    tenant: TenantId,
    from: Checkpoint,
    last: Checkpoint,
    events: u64,
    redacted: u64,
}

impl ChainVerifier {
    pub fn new(tenant: TenantId, checkpoint: Option<Checkpoint>) -> Self {
        let from = checkpoint.unwrap_or(Checkpoint::GENESIS);
        ChainVerifier {
            tenant,
            from,
            last: from,
            events: 0,
            redacted: 0,
        }
    }

    pub fn push(&mut self, ev: &AuditEvent) -> Result<(), ChainBreak> {
        let fail = |reason| {
            Err(ChainBreak {
                seq: ev.seq,
                reason,
            })
        };
        if ev.tenant != self.tenant {
            return fail(BreakReason::WrongTenant);
        }
        if ev.seq != self.last.seq + 1 {
            return fail(BreakReason::SeqGap {
                expected: self.last.seq + 1,
            });
        }
        if ev.prev_hash != self.last.hash {
            return fail(BreakReason::PrevHashMismatch);
        }
        if !ev.redacted && ev.compute_content_hash() != ev.content_hash {
            return fail(BreakReason::ContentMismatch);
        }
        if link_hash(&ev.prev_hash, &ev.content_hash) != ev.hash {
            return fail(BreakReason::HashMismatch);
        }
        self.last = Checkpoint {
            seq: ev.seq,
            hash: ev.hash,
        };
        self.events += 1;
        if ev.redacted {
            self.redacted += 1;
        }
        Ok(())
    }

    /// Ends verification; `head`, when known (the store keeps it), must be where the chain ended.
    pub fn finish(self, head: Option<Checkpoint>) -> Result<VerifyReport, ChainBreak> {
        if let Some(h) = head {
            if h.seq != self.last.seq {
                return Err(ChainBreak {
                    seq: self.last.seq + 1,
                    reason: BreakReason::Truncated { head_seq: h.seq },
                });
            }
            if h.hash != self.last.hash {
                return Err(ChainBreak {
                    seq: h.seq,
                    reason: BreakReason::HashMismatch,
                });
            }
        }
        Ok(VerifyReport {
            events: self.events,
            redacted: self.redacted,
            from: self.from,
            head: self.last,
        })
    }
}

/// Verifies `events` (one tenant's, in `seq` order) starting after `checkpoint` (genesis if none).
/// Returns the first event that does not fit.
pub fn verify_chain(
    tenant: TenantId,
    events: &[AuditEvent],
    checkpoint: Option<Checkpoint>,
) -> Result<VerifyReport, ChainBreak> {
    let mut v = ChainVerifier::new(tenant, checkpoint);
    for ev in events {
        v.push(ev)?;
    }
    v.finish(None)
}

/// What a legal hold covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum HoldScope {
    /// Every event about this object.
    Object {
        object_type: String,
        object_id: String,
    },
    /// Every event about this person (as actor or subject).
    Person { person: PersonId },
    /// Every event in `[from, to)`.
    TimeRange {
        #[serde(with = "time::serde::rfc3339")]
        from: OffsetDateTime,
        #[serde(with = "time::serde::rfc3339")]
        to: OffsetDateTime,
    },
}

impl HoldScope {
    pub fn covers(&self, ev: &AuditEvent) -> bool {
        match self {
            HoldScope::Object {
                object_type,
                object_id,
            } => &ev.object_type == object_type && &ev.object_id == object_id,
            HoldScope::Person { person } => {
                ev.person == Some(*person) || ev.actor.person == Some(*person)
            }
            HoldScope::TimeRange { from, to } => *from <= ev.at && ev.at < *to,
        }
    }
}

/// May `ev` be purged now, given the retention and the active holds?
pub fn purgeable(
    ev: &AuditEvent,
    retention: &AuditRetention,
    now: OffsetDateTime,
    holds: &[HoldScope],
) -> bool {
    !ev.redacted
        && retention.cutoff(ev.class, now).is_some_and(|c| ev.at <= c)
        && !holds.iter().any(|h| h.covers(ev))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::{AccountId, TenantId};

    fn chain(tenant: TenantId, n: usize) -> Vec<AuditEvent> {
        let ctx = AuditCtx::new(tenant, Actor::account(AccountId::new(), None, "kari"))
            .with_ip("10.0.0.1");
        let mut head = Checkpoint::GENESIS;
        let t0 = OffsetDateTime::UNIX_EPOCH + Duration::days(20_000);
        (0..n)
            .map(|i| {
                let d = EventDraft::new(AuditClass::Admin, "person.update", "person", i)
                    .before("a")
                    .after("b");
                let ev = AuditEvent::seal(&ctx, d, t0 + Duration::seconds(i as i64), head);
                head = Checkpoint {
                    seq: ev.seq,
                    hash: ev.hash,
                };
                ev
            })
            .collect()
    }

    #[test]
    fn an_untouched_chain_verifies() {
        let t = TenantId::new();
        let evs = chain(t, 5);
        let r = verify_chain(t, &evs, None);
        assert_eq!(r.map(|r| (r.events, r.head.seq)), Ok((5, 5)));
        assert_eq!(evs[0].prev_hash, ChainHash::GENESIS);
        assert_eq!(evs[1].prev_hash, evs[0].hash);
    }

    #[test]
    fn changing_any_content_field_names_that_event() {
        let t = TenantId::new();
        let base = chain(t, 4);
        let tamper: [fn(&mut AuditEvent); 6] = [
            |e| e.after = Some("c".into()),
            |e| e.actor.label.push('x'),
            |e| e.ip = None,
            |e| e.at += Duration::microseconds(1),
            |e| e.class = AuditClass::Usage,
            |e| e.object_id.push('0'),
        ];
        for f in tamper {
            let mut evs = base.clone();
            f(&mut evs[2]);
            assert_eq!(
                verify_chain(t, &evs, None),
                Err(ChainBreak {
                    seq: 3,
                    reason: BreakReason::ContentMismatch
                })
            );
        }
    }

    #[test]
    fn changing_a_hash_or_dropping_an_event_is_detected() {
        let t = TenantId::new();
        let mut evs = chain(t, 4);
        evs[1].hash.0[0] ^= 1;
        assert_eq!(verify_chain(t, &evs, None).map_err(|b| b.seq), Err(2));
        let mut evs = chain(t, 4);
        evs.remove(1);
        assert_eq!(
            verify_chain(t, &evs, None),
            Err(ChainBreak {
                seq: 3,
                reason: BreakReason::SeqGap { expected: 2 }
            })
        );
        let evs = chain(t, 4);
        assert_eq!(
            verify_chain(TenantId::new(), &evs, None).map_err(|b| b.reason),
            Err(BreakReason::WrongTenant)
        );
    }

    #[test]
    fn a_redacted_event_keeps_the_chain_verifiable() {
        let t = TenantId::new();
        let mut evs = chain(t, 4);
        evs[1].redact();
        let r = verify_chain(t, &evs, None);
        assert_eq!(r.map(|r| r.redacted), Ok(1));
    }

    #[test]
    fn a_chain_verifies_from_a_purge_checkpoint() {
        let t = TenantId::new();
        let evs = chain(t, 6);
        let cp = Checkpoint {
            seq: evs[2].seq,
            hash: evs[2].hash,
        };
        assert!(verify_chain(t, &evs[3..], Some(cp)).is_ok());
        assert_eq!(verify_chain(t, &evs[3..], None).map_err(|b| b.seq), Err(4));
        let wrong = Checkpoint {
            seq: 3,
            hash: ChainHash([7; 32]),
        };
        assert_eq!(
            verify_chain(t, &evs[3..], Some(wrong)).map_err(|b| b.reason),
            Err(BreakReason::PrevHashMismatch)
        );
    }

    #[test]
    fn a_truncated_chain_does_not_reach_its_head() {
        let t = TenantId::new();
        let evs = chain(t, 4);
        let head = Checkpoint {
            seq: 4,
            hash: evs[3].hash,
        };
        let mut v = ChainVerifier::new(t, None);
        for e in &evs[..3] {
            assert!(v.push(e).is_ok());
        }
        assert_eq!(
            v.finish(Some(head)).map_err(|b| b.reason),
            Err(BreakReason::Truncated { head_seq: 4 })
        );
    }

    #[test]
    fn holds_exempt_events_from_purge() {
        let t = TenantId::new();
        let mut ev = chain(t, 1).remove(0);
        ev.class = AuditClass::Usage;
        let now = ev.at + Duration::days(91);
        let r = AuditRetention::default();
        assert!(purgeable(&ev, &r, now, &[]));
        assert!(!purgeable(&ev, &r, ev.at + Duration::days(89), &[]));
        let by_object = HoldScope::Object {
            object_type: "person".into(),
            object_id: "0".into(),
        };
        assert!(!purgeable(&ev, &r, now, &[by_object]));
        let by_time = HoldScope::TimeRange {
            from: ev.at,
            to: ev.at + Duration::seconds(1),
        };
        assert!(!purgeable(&ev, &r, now, &[by_time]));
        let elsewhere = HoldScope::TimeRange {
            from: ev.at + Duration::seconds(1),
            to: now,
        };
        assert!(purgeable(&ev, &r, now, &[elsewhere]));
        ev.class = AuditClass::Security;
        assert!(
            !purgeable(&ev, &r, now, &[]),
            "security events are kept by default"
        );
    }

    #[test]
    fn summaries_are_cut_to_a_bounded_length() {
        let d = EventDraft::new(AuditClass::Admin, "x", "y", 1).after("ø".repeat(2000));
        assert_eq!(
            d.after.map(|s| s.chars().count()),
            Some(MAX_SUMMARY_CHARS + 1)
        );
    }

    #[test]
    fn chain_hash_round_trips_as_hex() {
        let h = ChainHash([0xab; 32]);
        assert_eq!(h.to_hex().parse::<ChainHash>().ok(), Some(h));
        assert!("zz".parse::<ChainHash>().is_err());
    }
}
