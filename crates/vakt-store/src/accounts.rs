//! Sign-in accounts: password hash (argon2 PHC string, made by `vakt_core::auth`), stored roles,
//! lockout counters, password history, TOTP and recovery codes.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::Role;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::auth::{LockoutPolicy, LockoutState};
use vakt_core::directory::{AccountId, PersonId, TenantId};

use crate::db::{Conn, Db, WriteTx, on};
use crate::error::{Result, StoreError, conflict_as, corrupt};
use crate::sealed::SecretKey;
use crate::types::{Ts, ts};

/// A sign-in account. `Debug` hides the password hash and the TOTP secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub tenant: TenantId,
    pub username: String,
    pub email: Option<String>,
    pub person: Option<PersonId>,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Stored roles. `Leader` is never stored: it follows from leading a unit.
    pub roles: Vec<Role>,
    pub disabled: bool,
    pub failed_attempts: i32,
    pub locked_until: Option<OffsetDateTime>,
    pub password_changed_at: Option<OffsetDateTime>,
    pub must_change_password: bool,
    /// Base32 TOTP secret when enrolled.
    pub totp_secret: Option<String>,
    /// The last accepted TOTP time step (codes at or before it are replays).
    pub totp_last_step: Option<i64>,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("tenant", &self.tenant)
            .field("username", &self.username)
            .field("person", &self.person)
            .field("roles", &self.roles)
            .field("disabled", &self.disabled)
            .field("failed_attempts", &self.failed_attempts)
            .field("locked_until", &self.locked_until)
            .field("totp_enrolled", &self.totp_secret.is_some())
            .finish_non_exhaustive()
    }
}

impl Account {
    /// Locked at `now`?
    pub fn is_locked(&self, now: OffsetDateTime) -> bool {
        self.locked_until.is_some_and(|u| u > now)
    }
}

/// A new account.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub email: Option<String>,
    pub person: Option<PersonId>,
    pub password_hash: String,
    pub roles: Vec<Role>,
    pub must_change_password: bool,
}

impl std::fmt::Debug for NewAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

/// An unused recovery code (hash only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryCode {
    pub id: Uuid,
    pub code_hash: String,
}

fn role_str(r: Role) -> &'static str {
    match r {
        Role::Employee => "employee",
        Role::Leader => "leader",
        Role::SecurityCoordinator => "security_coordinator",
        Role::Dpo => "dpo",
        Role::ItOperations => "it_operations",
        Role::Auditor => "auditor",
        Role::TenantAdmin => "tenant_admin",
        Role::HostAdmin => "host_admin",
    }
}

fn parse_role(s: &str) -> Option<Role> {
    [
        Role::Employee,
        Role::Leader,
        Role::SecurityCoordinator,
        Role::Dpo,
        Role::ItOperations,
        Role::Auditor,
        Role::TenantAdmin,
        Role::HostAdmin,
    ]
    .into_iter()
    .find(|r| role_str(*r) == s)
}

fn roles_text(roles: &[Role]) -> String {
    let mut v: Vec<Role> = roles
        .iter()
        .copied()
        .filter(|r| *r != Role::Leader)
        .collect();
    v.sort();
    v.dedup();
    v.into_iter().map(role_str).collect::<Vec<_>>().join(",")
}

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: Uuid,
    tenant_id: Uuid,
    username: String,
    email: Option<String>,
    person_id: Option<Uuid>,
    password_hash: String,
    roles: String,
    disabled: bool,
    failed_attempts: i32,
    locked_until: Option<Ts>,
    password_changed_at: Option<Ts>,
    must_change_password: bool,
    totp_secret: Option<String>,
    totp_last_step: Option<i64>,
    created_at: Ts,
}

impl AccountRow {
    fn into_account(self, key: &SecretKey) -> Result<Account> {
        let totp_secret = match self.totp_secret {
            Some(stored) if crate::sealed::is_sealed(&stored) => {
                Some(key.open(&totp_aad(self.tenant_id, self.id), &stored)?)
            }
            // Legacy clear text (before sealing); `Db::migrate` seals it.
            other => other,
        };
        let roles = self
            .roles
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| parse_role(s).ok_or_else(|| corrupt("role", s)))
            .collect::<Result<Vec<_>>>()?;
        Ok(Account {
            id: AccountId(self.id),
            tenant: TenantId(self.tenant_id),
            username: self.username,
            email: self.email,
            person: self.person_id.map(PersonId),
            password_hash: self.password_hash,
            roles,
            disabled: self.disabled,
            failed_attempts: self.failed_attempts,
            locked_until: self.locked_until.map(|t| t.0),
            password_changed_at: self.password_changed_at.map(|t| t.0),
            must_change_password: self.must_change_password,
            totp_secret,
            totp_last_step: self.totp_last_step,
            created_at: self.created_at.0,
        })
    }
}

const ACCOUNT_COLS: &str = "id, tenant_id, username, email, person_id, password_hash, roles, disabled, failed_attempts, \
     locked_until, password_changed_at, must_change_password, totp_secret, totp_last_step, created_at";

pub(crate) async fn get(
    conn: &mut Conn<'_>,
    key: &SecretKey,
    tenant: TenantId,
    id: AccountId,
) -> Result<Option<Account>> {
    let sql = format!("SELECT {ACCOUNT_COLS} FROM accounts WHERE tenant_id = $1 AND id = $2");
    let row: Option<AccountRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(|r| r.into_account(key)).transpose()
}

/// The associated data of a sealed TOTP seed: purpose, tenant and account.
fn totp_aad(tenant: Uuid, account: Uuid) -> String {
    format!("totp:{tenant}:{account}")
}

/// Seals TOTP seeds still stored in clear text (databases from before sealing). Idempotent; run by
/// [`Db::migrate`]. A storage-format change only: the secrets themselves do not change, so no audit
/// event is written.
pub(crate) async fn seal_clear_totp_secrets(db: &Db) -> Result<()> {
    let mut pc = db.acquire().await?;
    // A key that does not fit the database is refused at start, before anyone tries to sign in.
    let probe: Option<(Uuid, Uuid, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
        "SELECT tenant_id, id, totp_secret FROM accounts WHERE totp_secret LIKE 'v1.%' LIMIT 1",
    )
    .fetch_optional(&mut *c)
    .await?);
    if let Some((tenant, id, sealed)) = probe
        && db.key.open(&totp_aad(tenant, id), &sealed).is_err()
    {
        return Err(StoreError::Open(
            "the secret key (secret_key or the key file secret.key) is not the one this database's \
             two-factor secrets were sealed with: restore the key file from the backup"
                .into(),
        ));
    }
    let rows: Vec<(Uuid, Uuid, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
        "SELECT tenant_id, id, totp_secret FROM accounts WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1.%'",
    )
    .fetch_all(&mut *c)
    .await?);
    for (tenant, id, clear) in rows {
        let sealed = db.key.seal(&totp_aad(tenant, id), &clear)?;
        on!(&mut pc.conn(), c => sqlx::query(
            "UPDATE accounts SET totp_secret = $3 WHERE tenant_id = $1 AND id = $2 AND totp_secret = $4",
        )
        .bind(tenant)
        .bind(id)
        .bind(&sealed)
        .bind(&clear)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
    }
    Ok(())
}

impl Db {
    pub async fn account(&self, tenant: TenantId, id: AccountId) -> Result<Option<Account>> {
        let mut pc = self.acquire().await?;
        get(&mut pc.conn(), &self.key, tenant, id).await
    }

    /// Looks an account up by username, case-insensitively.
    pub async fn account_by_username(
        &self,
        tenant: TenantId,
        username: &str,
    ) -> Result<Option<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLS} FROM accounts WHERE tenant_id = $1 AND username_lc = $2"
        );
        let mut pc = self.acquire().await?;
        let row: Option<AccountRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql)
            .bind(tenant.0)
            .bind(username.trim().to_lowercase())
            .fetch_optional(&mut *c)
            .await?);
        row.map(|r| r.into_account(&self.key)).transpose()
    }

    /// Accounts linked to a person.
    pub async fn accounts_of_person(
        &self,
        tenant: TenantId,
        person: PersonId,
    ) -> Result<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLS} FROM accounts WHERE tenant_id = $1 AND person_id = $2 ORDER BY username_lc"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<AccountRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(person.0).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|r| r.into_account(&self.key))
            .collect()
    }

    /// All accounts of the tenant by username.
    pub async fn accounts(&self, tenant: TenantId) -> Result<Vec<Account>> {
        let sql = format!(
            "SELECT {ACCOUNT_COLS} FROM accounts WHERE tenant_id = $1 ORDER BY username_lc"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<AccountRow> =
            on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).fetch_all(&mut *c).await?);
        rows.into_iter()
            .map(|r| r.into_account(&self.key))
            .collect()
    }

    /// The last `n` password hashes of the account (newest first), for the "not one of the last N"
    /// rule. The current hash is not included.
    pub async fn password_history(
        &self,
        tenant: TenantId,
        account: AccountId,
        n: u32,
    ) -> Result<Vec<String>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(String,)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT password_hash FROM password_history WHERE tenant_id = $1 AND account_id = $2 \
             ORDER BY created_at DESC, id DESC LIMIT $3",
        )
        .bind(tenant.0)
        .bind(account.0)
        .bind(i64::from(n))
        .fetch_all(&mut *c)
        .await?);
        Ok(rows.into_iter().map(|(h,)| h).collect())
    }

    /// Unused recovery codes of the account.
    pub async fn recovery_codes(
        &self,
        tenant: TenantId,
        account: AccountId,
    ) -> Result<Vec<RecoveryCode>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, code_hash FROM recovery_codes WHERE tenant_id = $1 AND account_id = $2 AND used_at IS NULL ORDER BY id",
        )
        .bind(tenant.0)
        .bind(account.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, code_hash)| RecoveryCode { id, code_hash })
            .collect())
    }
}

fn security(action: &str, account: AccountId) -> EventDraft {
    EventDraft::new(AuditClass::Security, action, "account", account)
}

impl WriteTx {
    async fn load_account(&mut self, id: AccountId) -> Result<Account> {
        let tenant = self.tenant();
        let key = self.key.clone();
        get(&mut self.conn(), &key, tenant, id)
            .await?
            .ok_or(StoreError::NotFound)
    }

    fn with_person(d: EventDraft, a: &Account) -> EventDraft {
        match a.person {
            Some(p) => d.person(p),
            None => d,
        }
    }

    pub async fn create_account(&mut self, new: NewAccount) -> Result<Account> {
        let tenant = self.tenant();
        let username = new.username.trim().to_string();
        if username.is_empty()
            || username.chars().count() > 100
            || username
                .chars()
                .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(StoreError::Invalid("account.username_invalid"));
        }
        if let Some(p) = new.person
            && crate::people::get(&mut self.conn(), tenant, p)
                .await?
                .is_none()
        {
            return Err(StoreError::Invalid("account.person_unknown"));
        }
        let now = self.now();
        let id = AccountId::new();
        on!(&mut self.conn(), c => sqlx::query(
            "INSERT INTO accounts (id, tenant_id, username, username_lc, email, person_id, password_hash, roles, \
             disabled, failed_attempts, password_changed_at, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, $11, $10)",
        )
        .bind(id.0)
        .bind(tenant.0)
        .bind(&username)
        .bind(username.to_lowercase())
        .bind(new.email.as_deref().map(|e| e.trim().to_lowercase()))
        .bind(new.person.map(|p| p.0))
        .bind(&new.password_hash)
        .bind(roles_text(&new.roles))
        .bind(false)
        .bind(ts(now))
        .bind(new.must_change_password)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("account.username_taken"))?);
        let acc = self.load_account(id).await?;
        let d = security("account.create", id).after(format!(
            "{} roles={}",
            acc.username,
            roles_text(&acc.roles)
        ));
        self.audit(Self::with_person(d, &acc)).await?;
        Ok(acc)
    }

    /// Sets a new password hash. The old hash goes to the history, which keeps the newest `keep`.
    /// Resets failures and lockout; `must_change` marks an admin reset.
    pub async fn set_password(
        &mut self,
        id: AccountId,
        new_hash: &str,
        keep: u32,
        must_change: bool,
    ) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let acc = self.load_account(id).await?;
        on!(&mut self.conn(), c => {
            sqlx::query(
                "INSERT INTO password_history (id, tenant_id, account_id, password_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(Uuid::now_v7())
            .bind(tenant.0)
            .bind(id.0)
            .bind(&acc.password_hash)
            .bind(ts(now))
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "DELETE FROM password_history WHERE tenant_id = $1 AND account_id = $2 AND id NOT IN \
                 (SELECT id FROM password_history WHERE tenant_id = $1 AND account_id = $2 \
                  ORDER BY created_at DESC, id DESC LIMIT $3)",
            )
            .bind(tenant.0)
            .bind(id.0)
            .bind(i64::from(keep))
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "UPDATE accounts SET password_hash = $3, password_changed_at = $4, must_change_password = $5, \
                 failed_attempts = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2",
            )
            .bind(tenant.0)
            .bind(id.0)
            .bind(new_hash)
            .bind(ts(now))
            .bind(must_change)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?
        });
        let action = if must_change {
            "account.password_reset"
        } else {
            "account.password_change"
        };
        self.audit(Self::with_person(security(action, id), &acc))
            .await
    }

    /// Records a failed sign-in with vakt-core's lockout rule ([`vakt_core::auth::record_failure`]):
    /// the count restarts once a lock has run out, an attempt while still locked changes nothing, and
    /// the failure that reaches `policy.max_failures` locks the account for `policy.lock_minutes`.
    /// The row is locked for the read-modify-write (`FOR UPDATE` on PostgreSQL; SQLite write
    /// transactions hold the database lock), so concurrent failures are all counted.
    /// Records `auth.signin_failed` (and `auth.lockout` when this failure locks). Returns the account after.
    pub async fn record_signin_failure(
        &mut self,
        id: AccountId,
        policy: &LockoutPolicy,
    ) -> Result<Account> {
        let tenant = self.tenant();
        let now = self.now();
        let lock = match self.conn().engine() {
            crate::db::Engine::Postgres => " FOR UPDATE",
            crate::db::Engine::Sqlite => "",
        };
        let sql = format!(
            "SELECT failed_attempts, locked_until FROM accounts WHERE tenant_id = $1 AND id = $2{lock}"
        );
        let (failed, locked_until): (i32, Option<Ts>) = on!(&mut self.conn(), c => sqlx::query_as(&sql)
            .bind(tenant.0)
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
            .ok_or(StoreError::NotFound)?);
        let before = LockoutState {
            failed_attempts: u32::try_from(failed).unwrap_or(0),
            locked_until: locked_until.map(|t| t.0),
        };
        let outcome = vakt_core::auth::record_failure(&before, now, policy);
        let after = outcome.state;
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE accounts SET failed_attempts = $3, locked_until = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(i32::try_from(after.failed_attempts).unwrap_or(i32::MAX))
        .bind(after.locked_until.map(ts))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        let acc = self.load_account(id).await?;
        self.audit(Self::with_person(
            security("auth.signin_failed", id).after(format!("attempt {}", after.failed_attempts)),
            &acc,
        ))
        .await?;
        if outcome.newly_locked
            && let Some(until) = after.locked_until
        {
            self.audit(Self::with_person(
                security("auth.lockout", id).after(format!("until {until}")),
                &acc,
            ))
            .await?;
        }
        Ok(acc)
    }

    /// Clears failures and lockout (an admin unlock).
    pub async fn unlock_account(&mut self, id: AccountId) -> Result<()> {
        let tenant = self.tenant();
        let acc = self.load_account(id).await?;
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        self.audit(Self::with_person(security("account.unlock", id), &acc))
            .await
    }

    /// Disables or enables an account. Disabling also ends its sessions.
    pub async fn set_account_disabled(&mut self, id: AccountId, disabled: bool) -> Result<()> {
        let tenant = self.tenant();
        let acc = self.load_account(id).await?;
        on!(&mut self.conn(), c => sqlx::query("UPDATE accounts SET disabled = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.0)
            .bind(disabled)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        if disabled {
            crate::sessions::delete_sessions_of(&mut self.conn(), tenant, id).await?;
        }
        let action = if disabled {
            "account.disable"
        } else {
            "account.enable"
        };
        self.audit(Self::with_person(security(action, id), &acc))
            .await
    }

    /// Replaces the stored roles (`Leader` is ignored: it is implicit).
    pub async fn set_roles(&mut self, id: AccountId, roles: &[Role]) -> Result<()> {
        let tenant = self.tenant();
        let acc = self.load_account(id).await?;
        let text = roles_text(roles);
        on!(&mut self.conn(), c => sqlx::query("UPDATE accounts SET roles = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.0)
            .bind(&text)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        let d = security("account.roles", id)
            .before(roles_text(&acc.roles))
            .after(text);
        self.audit(Self::with_person(d, &acc)).await
    }

    /// Links the account to a person (or unlinks).
    pub async fn set_account_person(
        &mut self,
        id: AccountId,
        person: Option<PersonId>,
    ) -> Result<()> {
        let tenant = self.tenant();
        let acc = self.load_account(id).await?;
        if let Some(p) = person
            && crate::people::get(&mut self.conn(), tenant, p)
                .await?
                .is_none()
        {
            return Err(StoreError::Invalid("account.person_unknown"));
        }
        on!(&mut self.conn(), c => sqlx::query("UPDATE accounts SET person_id = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.0)
            .bind(person.map(|p| p.0))
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        let d = security("account.person", id)
            .before(acc.person.map(|p| p.to_string()).unwrap_or_default())
            .after(person.map(|p| p.to_string()).unwrap_or_default());
        self.audit(Self::with_person(d, &acc)).await
    }

    /// Enrols (`Some`) or removes (`None`) the TOTP secret. Never audited with the secret.
    pub async fn set_totp_secret(&mut self, id: AccountId, secret: Option<&str>) -> Result<()> {
        let tenant = self.tenant();
        let acc = self.load_account(id).await?;
        let sealed = secret
            .map(|s| self.key.seal(&totp_aad(tenant.0, id.0), s))
            .transpose()?;
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE accounts SET totp_secret = $3, totp_last_step = NULL WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(sealed)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        let action = if secret.is_some() {
            "auth.totp_enrolled"
        } else {
            "auth.totp_removed"
        };
        self.audit(Self::with_person(security(action, id), &acc))
            .await
    }

    /// Accepts TOTP time step `step` if it is newer than the last accepted one (replay protection,
    /// atomic). Returns `false` for a replay. Records `auth.totp_ok`.
    pub async fn accept_totp_step(&mut self, id: AccountId, step: i64) -> Result<bool> {
        let tenant = self.tenant();
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE accounts SET totp_last_step = $3 WHERE tenant_id = $1 AND id = $2 \
             AND (totp_last_step IS NULL OR totp_last_step < $3)",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(step)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        let acc = self.load_account(id).await?;
        let action = if n == 1 {
            "auth.totp_ok"
        } else {
            "auth.totp_replay"
        };
        self.audit(Self::with_person(security(action, id), &acc))
            .await?;
        Ok(n == 1)
    }

    /// Replaces the account's recovery codes with these hashes.
    pub async fn set_recovery_codes(
        &mut self,
        id: AccountId,
        code_hashes: &[String],
    ) -> Result<()> {
        let tenant = self.tenant();
        let now = self.now();
        let acc = self.load_account(id).await?;
        on!(&mut self.conn(), c => {
            sqlx::query("DELETE FROM recovery_codes WHERE tenant_id = $1 AND account_id = $2")
                .bind(tenant.0)
                .bind(id.0)
                .execute(&mut *c)
                .await?;
            for h in code_hashes {
                sqlx::query(
                    "INSERT INTO recovery_codes (id, tenant_id, account_id, code_hash, created_at) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(Uuid::now_v7())
                .bind(tenant.0)
                .bind(id.0)
                .bind(h)
                .bind(ts(now))
                .execute(&mut *c)
                .await?;
            }
        });
        let d =
            security("auth.recovery_codes_set", id).after(format!("{} codes", code_hashes.len()));
        self.audit(Self::with_person(d, &acc)).await
    }

    /// Marks a recovery code used, once (atomic). Returns `false` if it was already used or unknown.
    pub async fn consume_recovery_code(&mut self, id: AccountId, code: Uuid) -> Result<bool> {
        let tenant = self.tenant();
        let now = self.now();
        let n = on!(&mut self.conn(), c => sqlx::query(
            "UPDATE recovery_codes SET used_at = $4 WHERE tenant_id = $1 AND account_id = $2 AND id = $3 AND used_at IS NULL",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(code)
        .bind(ts(now))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())?);
        let acc = self.load_account(id).await?;
        let action = if n == 1 {
            "auth.recovery_code_used"
        } else {
            "auth.recovery_code_rejected"
        };
        self.audit(Self::with_person(security(action, id), &acc))
            .await?;
        Ok(n == 1)
    }

    /// Sets or clears "must change password at next sign-in".
    pub async fn set_must_change_password(&mut self, id: AccountId, must: bool) -> Result<()> {
        let tenant = self.tenant();
        let acc = self.load_account(id).await?;
        on!(&mut self.conn(), c => sqlx::query("UPDATE accounts SET must_change_password = $3 WHERE tenant_id = $1 AND id = $2")
            .bind(tenant.0)
            .bind(id.0)
            .bind(must)
            .execute(&mut *c)
            .await
            .map(|r| r.rows_affected())?);
        self.audit(Self::with_person(
            security("account.must_change_password", id).after(must.to_string()),
            &acc,
        ))
        .await
    }
}
