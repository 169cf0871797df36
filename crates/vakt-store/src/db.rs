//! The database handle, connections, transactions and the engine dispatch.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration as StdDuration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use time::OffsetDateTime;
use vakt_core::audit::{AuditCtx, AuditEvent, EventDraft};
use vakt_core::directory::TenantId;

use crate::error::{Result, StoreError};

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The database engine behind a [`Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The clock the store stamps events and rows with. Tests inject a movable one.
pub type ClockFn = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

#[derive(Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// The store: a pool on SQLite or PostgreSQL. Cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct Db {
    pub(crate) pool: Pool,
    clock: ClockFn,
    pub(crate) key: Arc<crate::sealed::SecretKey>,
    /// How long a count of the instruction overview from scratch may take for a reader to wait for
    /// the next one ([`Db::instruction_overview_now`]).
    pub(crate) overview_wait: StdDuration,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Db({:?})", self.engine())
    }
}

/// Options for [`Db::open_with`].
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Pool size; default 8 on SQLite, 16 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// How long a writer waits for SQLite's write lock; default 10 s.
    pub busy_timeout: StdDuration,
    /// The key that seals secrets at rest (TOTP seeds). `None` makes a random key for this handle only
    /// (tests): the server always passes the configured one, or sealed values would not open again.
    pub secret_key: Option<crate::sealed::SecretKey>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            max_connections: None,
            busy_timeout: StdDuration::from_secs(10),
            secret_key: None,
        }
    }
}

/// The default database URL: `vakt.db` in the data directory.
pub fn default_sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}", data_dir.join("vakt.db").display())
}

/// `hex(sha256(token))`: how session and API tokens are stored (never in clear).
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Db {
    /// Opens `sqlite://PATH` (created if missing; WAL, foreign keys, busy timeout,
    /// synchronous=NORMAL, a 256 MiB memory map and 16 MiB page cache per connection) or
    /// `postgres://…`. Does not migrate: call [`Db::migrate`].
    pub async fn open(url: &str) -> Result<Db> {
        Db::open_with(url, OpenOptions::default()).await
    }

    pub async fn open_with(url: &str, opts: OpenOptions) -> Result<Db> {
        let pool = if url.starts_with("sqlite:") {
            let o = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(opts.busy_timeout)
                .pragma("temp_store", "memory")
                // Pages are read through a memory map of the file (shared by every connection and
                // with the OS cache) instead of a read call each, and each connection keeps a larger
                // cache of decoded pages: reports read thousands of index pages per request.
                .pragma("mmap_size", "268435456")
                .pragma("cache_size", "-16384");
            if let Some(parent) = o.get_filename().parent()
                && !parent.as_os_str().is_empty()
            {
                std::fs::create_dir_all(parent).map_err(|e| StoreError::Open(e.to_string()))?;
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.unwrap_or(8))
                .connect_with(o)
                .await?;
            Pool::Sqlite(pool)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let o = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections.unwrap_or(16))
                .connect_with(o)
                .await?;
            Pool::Pg(pool)
        } else {
            return Err(StoreError::Open(
                "the database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        Ok(Db {
            pool,
            clock: Arc::new(vakt_core::directory::now_utc_micros),
            overview_wait: StdDuration::from_millis(500),
            key: Arc::new(
                opts.secret_key
                    .unwrap_or_else(crate::sealed::SecretKey::generate),
            ),
        })
    }

    /// Applies pending migrations, then (PostgreSQL) makes the optional trigram search index if it is
    /// missing and can be made. Idempotent.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => SQLITE_MIGRATOR.run(p).await?,
            Pool::Pg(p) => {
                PG_MIGRATOR.run(p).await?;
                for (index, table, column) in [
                    ("people_search_trgm", "people", "search_text"),
                    ("dev_cases_title_trgm", "dev_cases", "search_title"),
                ] {
                    let sql = crate::people::ensure_trigram_index_pg(index, table, column);
                    sqlx::raw_sql(&sql).execute(p).await?;
                }
            }
        }
        crate::accounts::seal_clear_totp_secrets(self).await?;
        crate::deviations::fold_case_titles(self).await?;
        Ok(())
    }

    /// Applies the migrations up to and including `version` only: for upgrade tests that fill a
    /// database at an older schema and then run [`Db::migrate`].
    #[doc(hidden)]
    pub async fn migrate_until(&self, version: i64) -> Result<()> {
        fn upto(m: &sqlx::migrate::Migrator, version: i64) -> sqlx::migrate::Migrator {
            sqlx::migrate::Migrator {
                migrations: std::borrow::Cow::Owned(
                    m.iter().filter(|x| x.version <= version).cloned().collect(),
                ),
                ignore_missing: m.ignore_missing,
                locking: m.locking,
                no_tx: m.no_tx,
            }
        }
        match &self.pool {
            Pool::Sqlite(p) => upto(&SQLITE_MIGRATOR, version).run(p).await?,
            Pool::Pg(p) => upto(&PG_MIGRATOR, version).run(p).await?,
        }
        Ok(())
    }

    /// Refreshes the planner's statistics of the people table after a bulk load (an import, the demo):
    /// without them PostgreSQL plans the people search for an empty table until autovacuum catches
    /// up (measured: 120 ms instead of 10 ms per search on 50,000 people). PostgreSQL:
    /// `VACUUM (ANALYZE)` of the bulk-loaded tables (people, cases, acknowledgments, group
    /// memberships; it also sets the visibility map for index-only scans, which deep list pages rely
    /// on) and `ANALYZE`; SQLite: the case title index merged into one segment and `PRAGMA
    /// optimize`. Not a domain change, so not audited.
    pub async fn refresh_statistics(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                // A bulk load leaves the title index in many small segments, each of which every
                // search reads; merge them into one.
                sqlx::query("INSERT INTO dev_cases_title (dev_cases_title) VALUES ('optimize')")
                    .execute(p)
                    .await?;
                sqlx::query("PRAGMA optimize").execute(p).await?;
            }
            Pool::Pg(p) => {
                sqlx::raw_sql("VACUUM (ANALYZE) people, dev_cases, acknowledgments, group_members")
                    .execute(p)
                    .await?;
                sqlx::raw_sql("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Pg(_) => Engine::Postgres,
        }
    }

    /// Replaces the clock (tests move time with it).
    pub fn with_clock(mut self, clock: ClockFn) -> Db {
        self.clock = clock;
        self
    }

    /// Sets how long a count of the instruction overview from scratch may have taken for readers of
    /// the pages to wait for the next one (default 500 ms; tests set zero to see the background count).
    pub fn with_overview_wait(mut self, wait: StdDuration) -> Db {
        self.overview_wait = wait;
        self
    }

    /// Now, by the store's clock, truncated to microseconds.
    pub fn now(&self) -> OffsetDateTime {
        vakt_core::directory::truncate_micros((self.clock)())
    }

    /// Checks that the database answers (for health endpoints).
    pub async fn ping(&self) -> Result<()> {
        let mut pc = self.acquire().await?;
        on!(&mut pc.conn(), c => sqlx::query("SELECT 1").execute(&mut *c).await.map(|_| ())?);
        Ok(())
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Pg(p) => p.close().await,
        }
    }

    /// Appends one event on its own (a download, an export: something read that the chain must show).
    pub async fn record_event(&self, ctx: &AuditCtx, draft: EventDraft) -> Result<()> {
        let mut tx = self.write(ctx).await?;
        tx.record(draft).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts a write transaction for `ctx`. Every write method of [`WriteTx`] appends its audit event
    /// in this transaction; [`WriteTx::commit`] refuses a transaction that recorded no event.
    pub async fn write(&self, ctx: &AuditCtx) -> Result<WriteTx> {
        let conn = match &self.pool {
            // IMMEDIATE takes SQLite's write lock at once, so a read-then-write cannot fail on upgrade.
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Pg(p) => TxConn::Pg(p.begin().await?),
        };
        Ok(WriteTx {
            conn,
            ctx: ctx.clone(),
            now: self.now(),
            events: Vec::new(),
            key: self.key.clone(),
        })
    }

    pub(crate) async fn acquire(&self) -> Result<PoolConn> {
        Ok(match &self.pool {
            Pool::Sqlite(p) => PoolConn::Sqlite(p.acquire().await?),
            Pool::Pg(p) => PoolConn::Pg(p.acquire().await?),
        })
    }
}

pub(crate) enum PoolConn {
    Sqlite(PoolConnection<Sqlite>),
    Pg(PoolConnection<Postgres>),
}

impl PoolConn {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match self {
            PoolConn::Sqlite(c) => Conn::Sqlite(c),
            PoolConn::Pg(c) => Conn::Pg(c),
        }
    }
}

/// A borrowed connection on either engine; store modules write each query once against it.
pub(crate) enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection),
    Pg(&'a mut PgConnection),
}

impl Conn<'_> {
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Conn::Sqlite(_) => Engine::Sqlite,
            Conn::Pg(_) => Engine::Postgres,
        }
    }
}

/// Runs `$body` with `$c` bound to the engine's `&mut Connection`. The body is compiled once per
/// engine, so the same SQL text (with `$1` placeholders) serves both.
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::db::Conn::Sqlite(inner) => {
                let $c: &mut sqlx::SqliteConnection = &mut **inner;
                $body
            }
            $crate::db::Conn::Pg(inner) => {
                let $c: &mut sqlx::PgConnection = &mut **inner;
                $body
            }
        }
    };
}
pub(crate) use on;

pub(crate) enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

/// One write transaction with its audit context. Obtain it from [`Db::write`]; the write methods
/// live in the capability modules (`tx.create_person(..)`, `tx.create_unit(..)`, …).
///
/// Dropping it without [`WriteTx::commit`] rolls back. After a method returned an error, drop the
/// transaction (or roll it back): on PostgreSQL a failed statement aborts the whole transaction.
pub struct WriteTx {
    conn: TxConn,
    pub(crate) ctx: AuditCtx,
    pub(crate) now: OffsetDateTime,
    events: Vec<AuditEvent>,
    pub(crate) key: Arc<crate::sealed::SecretKey>,
}

impl WriteTx {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.conn {
            TxConn::Sqlite(t) => Conn::Sqlite(t),
            TxConn::Pg(t) => Conn::Pg(t),
        }
    }

    pub fn tenant(&self) -> TenantId {
        self.ctx.tenant
    }

    /// The transaction's timestamp (one per transaction).
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    /// Events appended so far in this transaction.
    pub fn events(&self) -> &[AuditEvent] {
        &self.events
    }

    /// Appends audit events for this transaction's tenant (sealed into the chain).
    pub(crate) async fn audit_many(&mut self, drafts: Vec<EventDraft>) -> Result<()> {
        if drafts.is_empty() {
            return Ok(());
        }
        let ctx = self.ctx.clone();
        let now = self.now;
        let sealed = crate::audit::append(&mut self.conn(), &ctx, now, drafts).await?;
        self.events.extend(sealed);
        Ok(())
    }

    pub(crate) async fn audit(&mut self, draft: EventDraft) -> Result<()> {
        self.audit_many(vec![draft]).await
    }

    /// Commits. A transaction without an audit event is rolled back and refused.
    pub async fn commit(self) -> Result<Vec<AuditEvent>> {
        if self.events.is_empty() {
            self.rollback().await?;
            return Err(StoreError::Unaudited);
        }
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Pg(t) => t.commit().await?,
        }
        Ok(self.events)
    }

    pub async fn rollback(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.rollback().await?,
            TxConn::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// A read-only transaction: every query in it sees the same state of the database (SQLite: the
/// snapshot of its first read; PostgreSQL: `REPEATABLE READ`), so results counted from several
/// queries agree with each other and with a sequence read in it.
pub(crate) struct Snapshot {
    conn: TxConn,
}

impl Db {
    pub(crate) async fn snapshot(&self) -> Result<Snapshot> {
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin().await?),
            Pool::Pg(p) => {
                let mut t = p.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .execute(&mut *t)
                    .await?;
                TxConn::Pg(t)
            }
        };
        Ok(Snapshot { conn })
    }
}

impl Snapshot {
    pub(crate) fn conn(&mut self) -> Conn<'_> {
        match &mut self.conn {
            TxConn::Sqlite(t) => Conn::Sqlite(t),
            TxConn::Pg(t) => Conn::Pg(t),
        }
    }

    /// Ends the transaction (it wrote nothing).
    pub(crate) async fn end(self) -> Result<()> {
        match self.conn {
            TxConn::Sqlite(t) => t.rollback().await?,
            TxConn::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// `($1, $2, …), (…)` for a multi-row insert of `rows` rows of `cols` columns, numbering from 1.
/// On SQLite it emits anonymous `?` instead: sqlx looks numbered parameters up by name, which
/// SQLite answers with a linear scan, so a statement with thousands of `$n` binds costs O(n²).
pub(crate) fn values_placeholders(engine: Engine, rows: usize, cols: usize) -> String {
    if engine == Engine::Sqlite {
        let row = format!("({})", vec!["?"; cols].join(", "));
        return vec![row; rows].join(", ");
    }
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push_str(", ");
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push_str(", ");
            }
            s.push('$');
            s.push_str(&(r * cols + c + 1).to_string());
        }
        s.push(')');
    }
    s
}

/// A dynamically bound argument (for queries whose WHERE clause is assembled at run time).
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Uuid(uuid::Uuid),
    Str(String),
    Ts(crate::types::Ts),
    I64(i64),
}

/// Binds `args` in order to a query on either engine.
pub(crate) fn bind_args<'q, DB: sqlx::Database>(
    mut q: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>,
    args: &'q [Arg],
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>
where
    uuid::Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    crate::types::Ts: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    for a in args {
        q = match a {
            Arg::Uuid(u) => q.bind(*u),
            Arg::Str(s) => q.bind(s.as_str()),
            Arg::Ts(t) => q.bind(*t),
            Arg::I64(i) => q.bind(*i),
        };
    }
    q
}

/// Collects the arguments of a dynamic query and hands out their `$n` placeholders.
#[derive(Debug, Default, Clone)]
pub(crate) struct Args(pub(crate) Vec<Arg>);

impl Args {
    pub(crate) fn push(&mut self, a: Arg) -> String {
        self.0.push(a);
        format!("${}", self.0.len())
    }
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for ch in s.chars() {
        if matches!(ch, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

impl Db {
    /// The raw SQLite pool, for tests and maintenance tools (e.g. online backup). Writing through
    /// it bypasses the audit chain.
    #[doc(hidden)]
    pub fn raw_sqlite(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(p) => Some(p),
            Pool::Pg(_) => None,
        }
    }

    /// The raw PostgreSQL pool; see [`Db::raw_sqlite`].
    #[doc(hidden)]
    pub fn raw_postgres(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Pg(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_on_postgres_and_anonymous_on_sqlite() {
        assert_eq!(
            values_placeholders(Engine::Postgres, 2, 2),
            "($1, $2), ($3, $4)"
        );
        assert_eq!(values_placeholders(Engine::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(like_escape(r"100%_a\b"), r"100\%\_a\\b");
    }

    #[test]
    fn tokens_are_stored_as_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
