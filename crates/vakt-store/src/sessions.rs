//! Server-side sessions and personal API tokens. Tokens are stored only as `hex(sha256(token))`
//! ([`crate::token_hash`]).

use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{AccountId, TenantId};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError};
use crate::types::{Ts, ots, ts};

/// A sign-in session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub id: Uuid,
    pub tenant: TenantId,
    pub account: AccountId,
    pub created_at: OffsetDateTime,
    pub last_seen_at: OffsetDateTime,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The second factor was completed (or is not required).
    pub mfa_done: bool,
    /// The session's CSRF token (compare in constant time).
    pub csrf_token: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("account", &self.account)
            .field("mfa_done", &self.mfa_done)
            .finish_non_exhaustive()
    }
}

/// A new session; the caller generates the token and the CSRF token.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub account: AccountId,
    /// `token_hash(token)` of the cookie value.
    pub token_hash: String,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub mfa_done: bool,
    pub csrf_token: String,
}

/// Session lifetime limits (from the tenant's settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// Ends after this long without a request.
    pub idle: Duration,
    /// Ends this long after sign-in, whatever the activity.
    pub absolute: Duration,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: Uuid,
    tenant_id: Uuid,
    account_id: Uuid,
    created_at: Ts,
    last_seen_at: Ts,
    ip: Option<String>,
    user_agent: Option<String>,
    mfa_done: bool,
    csrf_token: String,
}

impl From<SessionRow> for Session {
    fn from(r: SessionRow) -> Self {
        Session {
            id: r.id,
            tenant: TenantId(r.tenant_id),
            account: AccountId(r.account_id),
            created_at: r.created_at.0,
            last_seen_at: r.last_seen_at.0,
            ip: r.ip,
            user_agent: r.user_agent,
            mfa_done: r.mfa_done,
            csrf_token: r.csrf_token,
        }
    }
}

const SESSION_COLS: &str = "s.id, s.tenant_id, s.account_id, s.created_at, s.last_seen_at, s.ip, s.user_agent, s.mfa_done, s.csrf_token";

/// A personal API token (hash only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiToken {
    pub id: Uuid,
    pub tenant: TenantId,
    pub account: AccountId,
    pub name: String,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub expires_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct TokenRow {
    id: Uuid,
    tenant_id: Uuid,
    account_id: Uuid,
    name: String,
    created_at: Ts,
    last_used_at: Option<Ts>,
    expires_at: Option<Ts>,
    revoked_at: Option<Ts>,
}

impl From<TokenRow> for ApiToken {
    fn from(r: TokenRow) -> Self {
        ApiToken {
            id: r.id,
            tenant: TenantId(r.tenant_id),
            account: AccountId(r.account_id),
            name: r.name,
            created_at: r.created_at.0,
            last_used_at: r.last_used_at.map(|t| t.0),
            expires_at: r.expires_at.map(|t| t.0),
            revoked_at: r.revoked_at.map(|t| t.0),
        }
    }
}

const TOKEN_COLS: &str = "t.id, t.tenant_id, t.account_id, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked_at";

pub(crate) async fn delete_sessions_of(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    account: AccountId,
) -> Result<u64> {
    Ok(
        on!(conn, c => sqlx::query("DELETE FROM sessions WHERE tenant_id = $1 AND account_id = $2")
        .bind(tenant.0)
        .bind(account.0)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?),
    )
}

impl Db {
    /// The live session for a cookie token hash: not idle longer than `limits.idle`, not older than
    /// `limits.absolute`, and its account not disabled. The token identifies the tenant, so this
    /// is the one lookup that does not take a tenant; callers then scope everything to
    /// `session.tenant`.
    pub async fn session_by_token_hash(
        &self,
        token_hash: &str,
        limits: SessionLimits,
    ) -> Result<Option<Session>> {
        let now = self.now();
        let sql = format!(
            "SELECT {SESSION_COLS} FROM sessions s JOIN accounts a ON a.tenant_id = s.tenant_id AND a.id = s.account_id \
             WHERE s.token_hash = $1 AND s.last_seen_at > $2 AND s.created_at > $3 AND a.disabled = FALSE"
        );
        let mut pc = self.acquire().await?;
        let row: Option<SessionRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql)
            .bind(token_hash)
            .bind(ts(now - limits.idle))
            .bind(ts(now - limits.absolute))
            .fetch_optional(&mut *c)
            .await?);
        Ok(row.map(Session::from))
    }

    /// Records activity on a session (bookkeeping, not audited).
    pub async fn touch_session(&self, tenant: TenantId, id: Uuid) -> Result<()> {
        let now = self.now();
        let mut pc = self.acquire().await?;
        on!(&mut pc.conn(), c => sqlx::query("UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id)
            .bind(ts(now))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        Ok(())
    }

    /// The account's sessions, newest first.
    pub async fn sessions_of(&self, tenant: TenantId, account: AccountId) -> Result<Vec<Session>> {
        let sql = format!(
            "SELECT {SESSION_COLS} FROM sessions s WHERE s.tenant_id = $1 AND s.account_id = $2 ORDER BY s.created_at DESC"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<SessionRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(account.0).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(Session::from).collect())
    }

    /// Deletes sessions past either limit, across tenants (bookkeeping job). Returns how many.
    pub async fn delete_expired_sessions(&self, limits: SessionLimits) -> Result<u64> {
        let now = self.now();
        let mut pc = self.acquire().await?;
        Ok(
            on!(&mut pc.conn(), c => sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
            .bind(ts(now - limits.idle))
            .bind(ts(now - limits.absolute))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?),
        )
    }

    /// A usable API token for this hash: not revoked, not expired, account not disabled.
    pub async fn api_token_by_hash(&self, token_hash: &str) -> Result<Option<ApiToken>> {
        let now = self.now();
        let sql = format!(
            "SELECT {TOKEN_COLS} FROM api_tokens t JOIN accounts a ON a.tenant_id = t.tenant_id AND a.id = t.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
             AND a.disabled = FALSE"
        );
        let mut pc = self.acquire().await?;
        let row: Option<TokenRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(token_hash).bind(ts(now)).fetch_optional(&mut *c).await?);
        Ok(row.map(ApiToken::from))
    }

    /// Records use of an API token (bookkeeping, not audited).
    pub async fn touch_api_token(&self, tenant: TenantId, id: Uuid) -> Result<()> {
        let now = self.now();
        let mut pc = self.acquire().await?;
        on!(&mut pc.conn(), c => sqlx::query("UPDATE api_tokens SET last_used_at = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id)
            .bind(ts(now))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        Ok(())
    }

    /// The account's API tokens (including revoked), newest first.
    pub async fn api_tokens_of(
        &self,
        tenant: TenantId,
        account: AccountId,
    ) -> Result<Vec<ApiToken>> {
        let sql = format!(
            "SELECT {TOKEN_COLS} FROM api_tokens t WHERE t.tenant_id = $1 AND t.account_id = $2 ORDER BY t.created_at DESC"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<TokenRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(account.0).fetch_all(&mut *c).await?);
        Ok(rows.into_iter().map(ApiToken::from).collect())
    }
}

impl WriteTx {
    /// Starts a session (a sign-in): records `auth.signin` and clears the account's failure count.
    pub async fn create_session(&mut self, new: NewSession) -> Result<Session> {
        let tenant = self.tenant();
        let now = self.now();
        let key = self.key.clone();
        let acc = crate::accounts::get(&mut self.conn(), &key, tenant, new.account)
            .await?
            .ok_or(StoreError::NotFound)?;
        let s = Session {
            id: Uuid::now_v7(),
            tenant,
            account: new.account,
            created_at: now,
            last_seen_at: now,
            ip: new.ip,
            user_agent: new.user_agent.map(|u| u.chars().take(300).collect()),
            mfa_done: new.mfa_done,
            csrf_token: new.csrf_token,
        };
        on!(&mut self.conn(), c => {
            sqlx::query(
                "INSERT INTO sessions (id, tenant_id, account_id, token_hash, created_at, last_seen_at, ip, user_agent, \
                 mfa_done, csrf_token) VALUES ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9)",
            )
            .bind(s.id)
            .bind(tenant.0)
            .bind(s.account.0)
            .bind(&new.token_hash)
            .bind(ts(now))
            .bind(&s.ip)
            .bind(&s.user_agent)
            .bind(s.mfa_done)
            .bind(&s.csrf_token)
            .execute(&mut *c)
            .await?;
            sqlx::query("UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2")
                .bind(tenant.0)
                .bind(s.account.0)
                .execute(&mut *c)
                .await
                .map(|r| r.rows_affected())?
        });
        let mut d = EventDraft::new(AuditClass::Security, "auth.signin", "account", s.account)
            .after(if s.mfa_done {
                "mfa done"
            } else {
                "mfa pending"
            });
        if let Some(p) = acc.person {
            d = d.person(p);
        }
        self.audit(d).await?;
        Ok(s)
    }

    /// Runs `sql` (`$1` tenant, `$2` session) on one session of this tenant and records `action` for
    /// it; `NotFound` when no such session exists.
    async fn session_change(&mut self, session: Uuid, sql: &str, action: &str) -> Result<()> {
        let tenant = self.tenant();
        let n = on!(&mut self.conn(), c => sqlx::query(sql)
            .bind(tenant.0)
            .bind(session)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(EventDraft::new(
            AuditClass::Security,
            action,
            "session",
            session,
        ))
        .await
    }

    /// Marks the second factor done on a session; records `auth.mfa_done`.
    pub async fn complete_mfa(&mut self, session: Uuid) -> Result<()> {
        self.session_change(
            session,
            "UPDATE sessions SET mfa_done = TRUE WHERE tenant_id = $1 AND id = $2",
            "auth.mfa_done",
        )
        .await
    }

    /// Ends a session (sign-out); records `auth.signout`.
    pub async fn end_session(&mut self, session: Uuid) -> Result<()> {
        self.session_change(
            session,
            "DELETE FROM sessions WHERE tenant_id = $1 AND id = $2",
            "auth.signout",
        )
        .await
    }

    /// Ends every session of an account (after a password change, by an admin).
    pub async fn end_sessions_of(&mut self, account: AccountId) -> Result<u64> {
        let tenant = self.tenant();
        let n = delete_sessions_of(&mut self.conn(), tenant, account).await?;
        self.audit(
            EventDraft::new(
                AuditClass::Security,
                "auth.sessions_ended",
                "account",
                account,
            )
            .after(format!("{n} sessions")),
        )
        .await?;
        Ok(n)
    }

    /// Creates an API token for an account of this tenant. The caller shows the token once.
    pub async fn create_api_token(
        &mut self,
        account: AccountId,
        name: &str,
        token_hash: &str,
        expires_at: Option<OffsetDateTime>,
    ) -> Result<ApiToken> {
        let tenant = self.tenant();
        let now = self.now();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(StoreError::Invalid("token.name_invalid"));
        }
        let key = self.key.clone();
        if crate::accounts::get(&mut self.conn(), &key, tenant, account)
            .await?
            .is_none()
        {
            return Err(StoreError::NotFound);
        }
        let t = ApiToken {
            id: Uuid::now_v7(),
            tenant,
            account,
            name: name.to_string(),
            created_at: now,
            last_used_at: None,
            expires_at: expires_at.map(vakt_core::directory::truncate_micros),
            revoked_at: None,
        };
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO api_tokens (id, tenant_id, account_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(t.id)
        .bind(tenant.0)
        .bind(account.0)
        .bind(&t.name)
        .bind(token_hash)
        .bind(ts(now))
        .bind(ots(t.expires_at))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(
            EventDraft::new(AuditClass::Security, "token.create", "api_token", t.id)
                .after(t.name.clone()),
        )
        .await?;
        Ok(t)
    }

    /// Revokes an API token of this tenant.
    pub async fn revoke_api_token(&mut self, id: Uuid) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE api_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(tenant.0)
        .bind(id)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        self.audit(EventDraft::new(
            AuditClass::Security,
            "token.revoke",
            "api_token",
            id,
        ))
        .await
    }
}
