//! People: the directory's persons, search with paging, create and update.

use serde::{Deserialize, Serialize};
use time::Date;
use uuid::Uuid;
use vakt_core::audit::{AuditClass, EventDraft};
use vakt_core::directory::{
    Employment, EmploymentState, Language, Person, PersonId, PersonKind, TenantId, UnitId,
    search_fold,
};

use crate::db::{Arg, Args, Conn, Db, WriteTx, bind_args, like_escape, on};
use crate::error::{Result, StoreError, conflict_as, corrupt};
use crate::types::ts;

/// The editable fields of a person (create and full update).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPerson {
    pub employee_number: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub kind: PersonKind,
    pub unit: Option<UnitId>,
    pub manager: Option<PersonId>,
    pub employment: Employment,
    pub birth_date: Option<Date>,
    pub preferred_language: Option<Language>,
}

/// A people search. Every whitespace-separated word of `text` must occur in the name, e-mail or
/// employee number (case-insensitive, Unicode-aware). Results are in display order (family name, given
/// name, id).
///
/// Paging: `offset` skips rows (simple, but the database still walks them), or — fast at any depth —
/// keyset paging from a person of the previous page: `after` (the last person of the previous page:
/// the page that follows it) or `before` (the first person of the next page: the page that precedes
/// it, still returned in display order). `offset` applies after the cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeopleQuery {
    pub text: Option<String>,
    pub unit: Option<UnitId>,
    pub state: Option<EmploymentState>,
    /// Page size, 1–500 (default 50 when 0).
    pub limit: u32,
    pub offset: u64,
    /// Only people after this one in display order. An id unknown in the tenant is
    /// `StoreError::Invalid("people.cursor_unknown")`.
    #[serde(default)]
    pub after: Option<PersonId>,
    /// Only people before this one in display order (a page backwards). Not together with `after`.
    #[serde(default)]
    pub before: Option<PersonId>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Whether another page follows (for a `before` query: whether another page precedes).
    pub has_more: bool,
    pub offset: u64,
    pub limit: u32,
}

#[derive(sqlx::FromRow)]
pub(crate) struct PersonRow {
    id: Uuid,
    tenant_id: Uuid,
    employee_number: String,
    given_name: String,
    family_name: String,
    email: Option<String>,
    kind: String,
    unit_id: Option<Uuid>,
    manager_id: Option<Uuid>,
    state: String,
    start_date: Option<Date>,
    end_date: Option<Date>,
    birth_date: Option<Date>,
    language: Option<String>,
}

impl PersonRow {
    pub(crate) fn into_person(self) -> Result<Person> {
        Ok(Person {
            id: PersonId(self.id),
            tenant: TenantId(self.tenant_id),
            kind: PersonKind::parse(&self.kind)
                .ok_or_else(|| corrupt("person kind", &self.kind))?,
            employment: Employment {
                state: EmploymentState::parse(&self.state)
                    .ok_or_else(|| corrupt("employment state", &self.state))?,
                start: self.start_date,
                end: self.end_date,
            },
            preferred_language: match self.language {
                None => None,
                Some(l) => Some(Language::parse(&l).ok_or_else(|| corrupt("language", &l))?),
            },
            employee_number: self.employee_number,
            given_name: self.given_name,
            family_name: self.family_name,
            email: self.email,
            unit: self.unit_id.map(UnitId),
            manager: self.manager_id.map(PersonId),
            birth_date: self.birth_date,
        })
    }
}

/// A people search on PostgreSQL with at most this many matches is served by the trigram index
/// (the matches are sorted); with more, by walking the display order (see [`Db::search_people`]).
const SEARCH_SPARSE: i64 = 200;

pub(crate) const PERSON_COLS: &str = "id, tenant_id, employee_number, given_name, family_name, email, kind, unit_id, \
     manager_id, state, start_date, end_date, birth_date, language";
/// Columns written on insert, in bind order (see [`bind_person`]).
pub(crate) const PERSON_WRITE_COLS: &str = "id, tenant_id, employee_number, given_name, family_name, email, kind, \
     unit_id, manager_id, state, start_date, end_date, birth_date, language, search_text, sort_key, created_at, updated_at";
pub(crate) const PERSON_WRITE_NCOLS: usize = 18;

/// PostgreSQL only: creates the trigram indexes of substring search (`people.search_text`,
/// `dev_cases.search_title`) when they do not exist yet, after creating the `pg_trgm` extension if the
/// role may (it ships with PostgreSQL, Debian's `postgresql-NN` included, and is a trusted extension,
/// so a database owner may create it). When the extension is missing or the role lacks the right,
/// nothing happens: search stays correct, only slower. Run by [`Db::migrate`] at every start, so the
/// indexes appear once a DBA has made the extension available: `CREATE EXTENSION pg_trgm;` (then
/// restart Vakt, or run `vakt migrate`).
pub(crate) fn ensure_trigram_index_pg(index: &str, table: &str, column: &str) -> String {
    format!(
        r#"
DO $$
DECLARE
    ext_schema text;
BEGIN
    IF to_regclass('{index}') IS NOT NULL THEN
        RETURN;
    END IF;
    -- Several `vakt serve` processes may start at once: one makes the index, the others wait and see it.
    PERFORM pg_advisory_xact_lock(hashtext('vakt.{index}'));
    IF to_regclass('{index}') IS NOT NULL THEN
        RETURN;
    END IF;
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%): search on {table} runs without the trigram index', SQLERRM;
    END;
    SELECT n.nspname INTO ext_schema
      FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'pg_trgm';
    IF ext_schema IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} %I.gin_trgm_ops)',
            ext_schema);
    END IF;
END
$$
"#
    )
}

pub(crate) fn search_text(p: &Person) -> String {
    search_fold(&format!(
        "{} {} {} {}",
        p.given_name,
        p.family_name,
        p.email.as_deref().unwrap_or(""),
        p.employee_number
    ))
}

pub(crate) fn sort_key(p: &Person) -> String {
    search_fold(&format!("{} {}", p.family_name, p.given_name))
}

/// Binds a person's write columns in [`PERSON_WRITE_COLS`] order.
macro_rules! bind_person {
    ($q:expr, $p:expr, $now:expr) => {{
        let p: &vakt_core::directory::Person = $p;
        $q.bind(p.id.0)
            .bind(p.tenant.0)
            .bind(p.employee_number.clone())
            .bind(p.given_name.clone())
            .bind(p.family_name.clone())
            .bind(p.email.clone())
            .bind(p.kind.as_str())
            .bind(p.unit.map(|u| u.0))
            .bind(p.manager.map(|m| m.0))
            .bind(p.employment.state.as_str())
            .bind(p.employment.start)
            .bind(p.employment.end)
            .bind(p.birth_date)
            .bind(p.preferred_language.map(|l| l.as_str()))
            .bind($crate::people::search_text(p))
            .bind($crate::people::sort_key(p))
            .bind($crate::types::ts($now))
            .bind($crate::types::ts($now))
    }};
}
pub(crate) use bind_person;

/// Short description for audit summaries (no birth date).
pub(crate) fn describe(p: &Person) -> String {
    format!(
        "{} {} [{}] {} {} unit={} manager={} {} {}..{}",
        p.given_name,
        p.family_name,
        p.employee_number,
        p.email.as_deref().unwrap_or("-"),
        p.kind.as_str(),
        p.unit.map(|u| u.to_string()).unwrap_or_default(),
        p.manager.map(|u| u.to_string()).unwrap_or_default(),
        p.employment.state.as_str(),
        p.employment
            .start
            .map(|d| d.to_string())
            .unwrap_or_default(),
        p.employment.end.map(|d| d.to_string()).unwrap_or_default(),
    )
}

pub(crate) async fn get(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    id: PersonId,
) -> Result<Option<Person>> {
    let sql = format!("SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1 AND id = $2");
    let row: Option<PersonRow> = on!(conn, c => sqlx::query_as(&sql).bind(tenant.0).bind(id.0).fetch_optional(&mut *c).await?);
    row.map(PersonRow::into_person).transpose()
}

fn validate(new: &NewPerson) -> Result<()> {
    let bad = |s: &str, max: usize| {
        s.trim().is_empty() || s.chars().count() > max || s.chars().any(char::is_control)
    };
    if bad(&new.employee_number, 64) || new.employee_number.chars().any(char::is_whitespace) {
        return Err(StoreError::Invalid("person.employee_number_invalid"));
    }
    if bad(&new.given_name, 200) || bad(&new.family_name, 200) {
        return Err(StoreError::Invalid("person.name_invalid"));
    }
    if let Some(e) = &new.email
        && (bad(e, 254) || !e.contains('@') || e.chars().any(char::is_whitespace))
    {
        return Err(StoreError::Invalid("person.email_invalid"));
    }
    if let (Some(s), Some(e)) = (new.employment.start, new.employment.end)
        && e < s
    {
        return Err(StoreError::Invalid("person.end_before_start"));
    }
    Ok(())
}

impl Db {
    pub async fn person(&self, tenant: TenantId, id: PersonId) -> Result<Option<Person>> {
        let mut pc = self.acquire().await?;
        get(&mut pc.conn(), tenant, id).await
    }

    /// The people of the tenant among `ids` (one query however many; unknown ids are left out).
    pub async fn people_by_ids(
        &self,
        tenant: TenantId,
        ids: &[PersonId],
    ) -> Result<std::collections::HashMap<PersonId, Person>> {
        let mut out = std::collections::HashMap::new();
        let mut pc = self.acquire().await?;
        let conn = &mut pc.conn();
        let mut unique: Vec<Uuid> = ids.iter().map(|p| p.0).collect();
        unique.sort_unstable();
        unique.dedup();
        for chunk in unique.chunks(500) {
            let mut args = Args::default();
            args.push(Arg::Uuid(tenant.0));
            let list: Vec<String> = chunk.iter().map(|u| args.push(Arg::Uuid(*u))).collect();
            let sql = format!(
                "SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1 AND id IN ({})",
                list.join(", ")
            );
            let people: Vec<Person> = on!(conn, c => {
                let rows = bind_args(sqlx::query(&sql), &args.0).fetch_all(&mut *c).await?;
                rows.iter()
                    .map(|r| <PersonRow as sqlx::FromRow<_>>::from_row(r).map_err(StoreError::from).and_then(PersonRow::into_person))
                    .collect::<Result<Vec<_>>>()?
            });
            out.extend(people.into_iter().map(|p| (p.id, p)));
        }
        Ok(out)
    }

    pub async fn person_by_employee_number(
        &self,
        tenant: TenantId,
        number: &str,
    ) -> Result<Option<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1 AND employee_number = $2"
        );
        let mut pc = self.acquire().await?;
        let row: Option<PersonRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(number).fetch_optional(&mut *c).await?);
        row.map(PersonRow::into_person).transpose()
    }

    pub async fn count_people(&self, tenant: TenantId) -> Result<i64> {
        let mut pc = self.acquire().await?;
        let (n,): (i64,) = on!(&mut pc.conn(), c => sqlx::query_as("SELECT COUNT(*) FROM people WHERE tenant_id = $1")
            .bind(tenant.0)
            .fetch_one(&mut *c)
            .await?);
        Ok(n)
    }

    /// Searches people, ordered by family name, given name, id. Paging by `limit` with `offset` or
    /// the keyset cursors `after`/`before` (see [`PeopleQuery`]).
    ///
    /// On PostgreSQL a trigram index (`pg_trgm`, made by [`Db::migrate`]) serves the substring match
    /// when the extension is available; without it the same query walks the display-order index.
    pub async fn search_people(&self, tenant: TenantId, q: &PeopleQuery) -> Result<Page<Person>> {
        let limit = if q.limit == 0 { 50 } else { q.limit.min(500) };
        if q.after.is_some() && q.before.is_some() {
            return Err(StoreError::Invalid("people.cursor_both"));
        }
        let mut pc = self.acquire().await?;
        let mut conn = pc.conn();
        let cursor = match q.after.or(q.before) {
            Some(id) => {
                let key: Option<(String, Uuid)> = on!(&mut conn, c => sqlx::query_as(
                    "SELECT sort_key, id FROM people WHERE tenant_id = $1 AND id = $2",
                )
                .bind(tenant.0)
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?);
                Some(key.ok_or(StoreError::Invalid("people.cursor_unknown"))?)
            }
            None => None,
        };
        let backwards = q.before.is_some();
        let postgres = conn.engine() == crate::db::Engine::Postgres;
        let mut args = Args::default();
        let mut filters = format!("tenant_id = {}", args.push(Arg::Uuid(tenant.0)));
        let folded = q.text.as_deref().map(search_fold).unwrap_or_default();
        let word_params: Vec<String> = folded
            .split_whitespace()
            .take(8)
            .map(|w| args.push(Arg::Str(format!("%{}%", like_escape(w)))))
            .collect();
        if let Some(u) = q.unit {
            filters.push_str(&format!(" AND unit_id = {}", args.push(Arg::Uuid(u.0))));
        }
        if let Some(s) = q.state {
            filters.push_str(&format!(
                " AND state = {}",
                args.push(Arg::Str(s.as_str().into()))
            ));
        }
        // PostgreSQL: a prepared statement's generic plan cannot tell a common word from a rare
        // one, and took the trigram index for both (every match of `berg`, 2,838 of 50,000, read
        // from the table and sorted: 7 ms). So the matches are counted first, up to a cap, through
        // the trigram index: few are found through it and sorted; many are dense enough to meet
        // early walking the display-order index, which holds `search_text` (index-only), and the
        // words are then written so that the trigram index cannot serve them.
        let mut walk = false;
        if postgres && !word_params.is_empty() {
            let mut count_filters = filters.clone();
            for p in &word_params {
                count_filters.push_str(&format!(" AND search_text LIKE {p} ESCAPE '\\'"));
            }
            let sql = format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM people WHERE {count_filters} LIMIT {}) capped",
                SEARCH_SPARSE + 1
            );
            let n: i64 = on!(&mut conn, c => {
                let row = bind_args(sqlx::query(&sql), &args.0).fetch_one(&mut *c).await?;
                sqlx::Row::try_get::<i64, _>(&row, 0)?
            });
            walk = n > SEARCH_SPARSE;
        }
        for p in &word_params {
            let col = if postgres && walk {
                "(search_text || '')"
            } else {
                "search_text"
            };
            filters.push_str(&format!(" AND {col} LIKE {p} ESCAPE '\\'"));
        }
        if let Some((key, id)) = cursor {
            // Row-value comparison: both engines walk the (tenant_id, sort_key, id) index from the key.
            let op = if backwards { "<" } else { ">" };
            let k = args.push(Arg::Str(key));
            let i = args.push(Arg::Uuid(id));
            filters.push_str(&format!(" AND (sort_key, id) {op} ({k}, {i})"));
        }
        let l = args.push(Arg::I64(i64::from(limit) + 1));
        let o = args.push(Arg::I64(i64::try_from(q.offset).unwrap_or(i64::MAX)));
        let dir = if backwards { "DESC" } else { "ASC" };
        let order = format!("ORDER BY sort_key {dir}, id {dir}");
        let sql = if postgres {
            // The page's rows are chosen in the index and only they are read from the table.
            format!(
                "SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1 AND id IN \
                 (SELECT id FROM people WHERE {filters} {order} LIMIT {l} OFFSET {o}) {order}"
            )
        } else {
            format!("SELECT {PERSON_COLS} FROM people WHERE {filters} {order} LIMIT {l} OFFSET {o}")
        };
        let mut items: Vec<Person> = on!(&mut conn, c => {
            let rows = bind_args(sqlx::query(&sql), &args.0).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| <PersonRow as sqlx::FromRow<_>>::from_row(r).map_err(StoreError::from).and_then(PersonRow::into_person))
                .collect::<Result<Vec<_>>>()?
        });
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        if backwards {
            items.reverse();
        }
        Ok(Page {
            items,
            has_more,
            offset: q.offset,
            limit,
        })
    }

    /// People whose manager is `manager`.
    pub async fn reports_of(&self, tenant: TenantId, manager: PersonId) -> Result<Vec<Person>> {
        let sql = format!(
            "SELECT {PERSON_COLS} FROM people WHERE tenant_id = $1 AND manager_id = $2 ORDER BY sort_key, id"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<PersonRow> = on!(&mut pc.conn(), c => sqlx::query_as(&sql).bind(tenant.0).bind(manager.0).fetch_all(&mut *c).await?);
        rows.into_iter().map(PersonRow::into_person).collect()
    }
}

impl WriteTx {
    async fn check_refs(&mut self, new: &NewPerson, me: Option<PersonId>) -> Result<()> {
        let tenant = self.tenant();
        if let Some(u) = new.unit
            && crate::units::get(&mut self.conn(), tenant, u)
                .await?
                .is_none()
        {
            return Err(StoreError::Invalid("person.unit_unknown"));
        }
        if let Some(m) = new.manager {
            if Some(m) == me {
                return Err(StoreError::Invalid("person.own_manager"));
            }
            if get(&mut self.conn(), tenant, m).await?.is_none() {
                return Err(StoreError::Invalid("person.manager_unknown"));
            }
        }
        Ok(())
    }

    pub async fn create_person(&mut self, new: NewPerson) -> Result<Person> {
        validate(&new)?;
        self.check_refs(&new, None).await?;
        let p = person_from(self.tenant(), PersonId::new(), new);
        let now = self.now();
        let sql = format!(
            "INSERT INTO people ({PERSON_WRITE_COLS}) VALUES {}",
            crate::db::values_placeholders(crate::db::Engine::Postgres, 1, PERSON_WRITE_NCOLS)
        );
        on!(&mut self.conn(), c => bind_person!(sqlx::query(&sql), &p, now)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())
            .map_err(StoreError::from)
            .map_err(conflict_as("person.employee_number_taken"))?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "person.create", "person", p.id)
                .person(p.id)
                .after(describe(&p)),
        )
        .await?;
        Ok(p)
    }

    pub async fn update_person(&mut self, id: PersonId, new: NewPerson) -> Result<Person> {
        validate(&new)?;
        let tenant = self.tenant();
        let before = get(&mut self.conn(), tenant, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        self.check_refs(&new, Some(id)).await?;
        let p = person_from(tenant, id, new);
        let now = self.now();
        on!(&mut self.conn(), c => sqlx::query(
            "UPDATE people SET employee_number = $3, given_name = $4, family_name = $5, email = $6, kind = $7, \
             unit_id = $8, manager_id = $9, state = $10, start_date = $11, end_date = $12, birth_date = $13, \
             language = $14, search_text = $15, sort_key = $16, updated_at = $17 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(tenant.0)
        .bind(id.0)
        .bind(&p.employee_number)
        .bind(&p.given_name)
        .bind(&p.family_name)
        .bind(&p.email)
        .bind(p.kind.as_str())
        .bind(p.unit.map(|u| u.0))
        .bind(p.manager.map(|m| m.0))
        .bind(p.employment.state.as_str())
        .bind(p.employment.start)
        .bind(p.employment.end)
        .bind(p.birth_date)
        .bind(p.preferred_language.map(|l| l.as_str()))
        .bind(search_text(&p))
        .bind(sort_key(&p))
        .bind(ts(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())
        .map_err(StoreError::from)
        .map_err(conflict_as("person.employee_number_taken"))?);
        self.audit(
            EventDraft::new(AuditClass::Admin, "person.update", "person", id)
                .person(id)
                .before(describe(&before))
                .after(describe(&p)),
        )
        .await?;
        Ok(p)
    }
}

pub(crate) fn person_from(tenant: TenantId, id: PersonId, new: NewPerson) -> Person {
    Person {
        id,
        tenant,
        employee_number: new.employee_number.trim().to_string(),
        given_name: new.given_name.trim().to_string(),
        family_name: new.family_name.trim().to_string(),
        email: new.email.map(|e| e.trim().to_lowercase()),
        kind: new.kind,
        unit: new.unit,
        manager: new.manager,
        employment: new.employment,
        birth_date: new.birth_date,
        preferred_language: new.preferred_language,
    }
}
