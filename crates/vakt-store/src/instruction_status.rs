//! Who must sign what, evaluated live: a person's own list (core's audience and standing rules on
//! the person's facts), a unit's people, and the coordinator's overview, which compiles each
//! audience to SQL and aggregates in the database (never a million rows through Rust).
//!
//! A person's signing period starts at the later of the major version's coming into force and
//! the person's joining the audience ([`Audience::joined_at`]): for a unit rule when they came into
//! their current unit (`people.unit_since`, kept by a trigger), for a group rule when they were added
//! to the group (`group_members.added_at`), otherwise when they were registered.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use serde::Serialize;
use time::OffsetDateTime;
use uuid::Uuid;
use vakt_core::Role;
use vakt_core::deadline::TenantCalendar;
use vakt_core::directory::{OrgUnit, PersonId, PersonKind, TenantId, UnitId};
use vakt_core::instructions::{
    AckFacts, AckId, Audience, AudienceRule, GroupId, InstructionId, PersonFacts, PublishedVersion,
    Standing, Tenure, VersionNumber, in_force, overdue_cutoff, signing_rule, standing,
};

use crate::db::{Arg, Args, Conn, Db, bind_args, on};
use crate::error::{Result, StoreError};
use crate::instructions::{Instruction, all_instructions, published_versions};
use crate::types::Ts;

/// Runs a dynamic query (bound with [`bind_args`]) and decodes every row as `$t`.
macro_rules! fetch_rows {
    ($conn:expr, $sql:expr, $args:expr, $t:ty) => {
        on!($conn, c => {
            let rows = bind_args(sqlx::query($sql), $args).fetch_all(&mut *c).await?;
            rows.iter()
                .map(|r| <$t as sqlx::FromRow<_>>::from_row(r))
                .collect::<std::result::Result<Vec<$t>, sqlx::Error>>()?
        })
    };
}

/// One instruction a person must have signed, with where they stand.
#[derive(Debug, Clone, Serialize)]
pub struct PersonInstruction {
    pub instruction: Instruction,
    pub version: PublishedVersion,
    pub standing: Standing,
}

/// Counts of one instruction in one group of people. `missing` includes `overdue`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub total: i64,
    pub signed: i64,
    pub overdue: i64,
}

impl Completion {
    pub fn missing(&self) -> i64 {
        self.total - self.signed
    }
    /// Percentage signed (100 when nobody is in the audience).
    pub fn percent(&self) -> i64 {
        if self.total == 0 {
            100
        } else {
            self.signed * 100 / self.total
        }
    }
    fn add(&mut self, o: Completion) {
        self.total += o.total;
        self.signed += o.signed;
        self.overdue += o.overdue;
    }
}

/// One instruction in force, with its completion over the whole audience.
#[derive(Debug, Clone, Serialize)]
pub struct InstructionCompletion {
    pub instruction: InstructionId,
    pub title: String,
    pub category: String,
    pub version: VersionNumber,
    pub completion: Completion,
    /// Completion per unit of the people's own unit (not rolled up; see [`Overview::rolled_up`]).
    /// People without a unit are under `None`.
    #[serde(skip)]
    pub by_unit: HashMap<Option<UnitId>, Completion>,
}

/// The coordinator's overview: every instruction in force, with per-unit counts.
#[derive(Debug, Clone, Serialize)]
pub struct Overview {
    #[serde(with = "time::serde::rfc3339")]
    pub computed_at: OffsetDateTime,
    /// When the counts were last made from scratch; `computed_at` is later when acknowledgments
    /// added since were applied to them.
    #[serde(skip)]
    pub counted_at: OffsetDateTime,
    pub instructions: Vec<InstructionCompletion>,
    /// The counts hold while nothing is written and the clock is at most this: the end of the local
    /// day (signing deadlines end with a day) or the next moment a version comes into force or
    /// retires, whichever is first.
    #[serde(skip)]
    pub valid_until: OffsetDateTime,
}

impl Overview {
    /// Completion per unit with sub-units rolled up: for `instruction`, or all instructions together.
    pub fn rolled_up(
        &self,
        units: &[OrgUnit],
        instruction: Option<InstructionId>,
    ) -> HashMap<UnitId, Completion> {
        let parent: HashMap<UnitId, Option<UnitId>> =
            units.iter().map(|u| (u.id, u.parent)).collect();
        let mut out: HashMap<UnitId, Completion> = HashMap::new();
        for ic in &self.instructions {
            if instruction.is_some_and(|i| i != ic.instruction) {
                continue;
            }
            for (unit, c) in &ic.by_unit {
                let mut cur = *unit;
                let mut depth = 0;
                while let Some(u) = cur {
                    out.entry(u).or_default().add(*c);
                    cur = parent.get(&u).copied().flatten();
                    depth += 1;
                    if depth > 64 {
                        break;
                    }
                }
            }
        }
        out
    }
}

/// One person with their standing on each instruction that applies to them.
#[derive(Debug, Clone, Serialize)]
pub struct PersonStandings {
    pub person: PersonId,
    pub given_name: String,
    pub family_name: String,
    pub employee_number: String,
    pub unit: Option<UnitId>,
    pub items: Vec<(InstructionId, Standing)>,
    /// The acknowledgment behind each signed item (for receipts).
    pub receipts: Vec<(InstructionId, vakt_core::instructions::AckId)>,
}

fn role_key(r: Role) -> &'static str {
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

const ALL_ROLES: [Role; 8] = [
    Role::Employee,
    Role::Leader,
    Role::SecurityCoordinator,
    Role::Dpo,
    Role::ItOperations,
    Role::Auditor,
    Role::TenantAdmin,
    Role::HostAdmin,
];

/// The unit and everything below it.
fn subtree(units: &[OrgUnit], roots: &[UnitId]) -> Vec<UnitId> {
    let mut out: Vec<UnitId> = Vec::new();
    let mut seen: HashSet<UnitId> = HashSet::new();
    let mut stack: Vec<UnitId> = roots.to_vec();
    while let Some(u) = stack.pop() {
        if !seen.insert(u) {
            continue;
        }
        out.push(u);
        stack.extend(units.iter().filter(|c| c.parent == Some(u)).map(|c| c.id));
    }
    out
}

fn unit_path(units: &HashMap<UnitId, Option<UnitId>>, start: Option<UnitId>) -> Vec<UnitId> {
    let mut path = Vec::new();
    let mut cur = start;
    while let Some(u) = cur {
        if path.contains(&u) || path.len() > 64 {
            break;
        }
        path.push(u);
        cur = units.get(&u).copied().flatten();
    }
    path
}

fn in_list(args: &mut Args, ids: impl IntoIterator<Item = Uuid>) -> Option<String> {
    let ph: Vec<String> = ids.into_iter().map(|u| args.push(Arg::Uuid(u))).collect();
    if ph.is_empty() {
        None
    } else {
        Some(ph.join(", "))
    }
}

/// The SQL condition on `people p` equivalent to `AudienceRule::matches` on the person's facts.
fn rule_sql(rule: &AudienceRule, units: &[OrgUnit], args: &mut Args) -> String {
    match rule {
        AudienceRule::Everyone => "1 = 1".into(),
        AudienceRule::Units {
            units: roots,
            include_sub_units,
        } => {
            let ids = if *include_sub_units {
                subtree(units, roots)
            } else {
                roots.clone()
            };
            match in_list(args, ids.into_iter().map(|u| u.0)) {
                Some(l) => format!("p.unit_id IN ({l})"),
                None => "1 = 0".into(),
            }
        }
        AudienceRule::Roles { roles } => {
            let mut parts = Vec::new();
            for r in roles {
                if *r == Role::Leader {
                    parts.push(
                        "EXISTS (SELECT 1 FROM org_units lu WHERE lu.tenant_id = p.tenant_id AND lu.leader_id = p.id)"
                            .to_string(),
                    );
                } else {
                    let ph = args.push(Arg::Str(format!("%,{},%", role_key(*r))));
                    parts.push(format!(
                        "EXISTS (SELECT 1 FROM accounts ac WHERE ac.tenant_id = p.tenant_id AND ac.person_id = p.id \
                         AND (',' || ac.roles || ',') LIKE {ph})"
                    ));
                }
            }
            if parts.is_empty() {
                "1 = 0".into()
            } else {
                format!("({})", parts.join(" OR "))
            }
        }
        AudienceRule::PersonKinds { kinds } => {
            let ph: Vec<String> = kinds
                .iter()
                .map(|k| args.push(Arg::Str(k.as_str().to_string())))
                .collect();
            if ph.is_empty() {
                "1 = 0".into()
            } else {
                format!("p.kind IN ({})", ph.join(", "))
            }
        }
        AudienceRule::Groups { groups } => match in_list(args, groups.iter().map(|g| g.0)) {
            Some(l) => format!(
                "EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = p.tenant_id AND gm.person_id = p.id \
                 AND gm.group_id IN ({l}))"
            ),
            None => "1 = 0".into(),
        },
        AudienceRule::AllOf { rules } => {
            if rules.is_empty() {
                "1 = 0".into()
            } else {
                let parts: Vec<String> = rules.iter().map(|r| rule_sql(r, units, args)).collect();
                format!("({})", parts.join(" AND "))
            }
        }
    }
}

/// The SQL condition on `people p` for a whole audience (a union of rules).
pub(crate) fn audience_sql(a: &Audience, units: &[OrgUnit], args: &mut Args) -> String {
    if a.rules.is_empty() {
        return "1 = 0".into();
    }
    let parts: Vec<String> = a.rules.iter().map(|r| rule_sql(r, units, args)).collect();
    format!("({})", parts.join(" OR "))
}

/// SQL condition on `people p`: the person came under the rule at or before the moment bound at
/// placeholder `cutoff` — the SQL twin of [`AudienceRule::joined_at`] compared with a cut-off.
fn rule_joined_by_sql(
    rule: &AudienceRule,
    units: &[OrgUnit],
    args: &mut Args,
    cutoff: &str,
) -> String {
    match rule {
        AudienceRule::Everyone | AudienceRule::Roles { .. } | AudienceRule::PersonKinds { .. } => {
            format!(
                "({} AND p.created_at <= {cutoff})",
                rule_sql(rule, units, args)
            )
        }
        AudienceRule::Units { .. } => format!(
            "({} AND COALESCE(p.unit_since, p.created_at) <= {cutoff})",
            rule_sql(rule, units, args)
        ),
        AudienceRule::Groups { groups } => match in_list(args, groups.iter().map(|g| g.0)) {
            Some(l) => format!(
                "EXISTS (SELECT 1 FROM group_members gm WHERE gm.tenant_id = p.tenant_id AND gm.person_id = p.id \
                 AND gm.group_id IN ({l}) AND gm.added_at <= {cutoff})"
            ),
            None => "1 = 0".into(),
        },
        AudienceRule::AllOf { rules } => {
            if rules.is_empty() {
                "1 = 0".into()
            } else {
                let parts: Vec<String> = rules
                    .iter()
                    .map(|r| rule_joined_by_sql(r, units, args, cutoff))
                    .collect();
                format!("({})", parts.join(" AND "))
            }
        }
    }
}

/// SQL condition: the person has been in the audience since at or before `cutoff` (some matching
/// rule began to match by then — the earliest one is what [`Audience::joined_at`] takes).
fn audience_joined_by_sql(
    a: &Audience,
    units: &[OrgUnit],
    args: &mut Args,
    cutoff: &str,
) -> String {
    if a.rules.is_empty() {
        return "1 = 0".into();
    }
    let parts: Vec<String> = a
        .rules
        .iter()
        .map(|r| rule_joined_by_sql(r, units, args, cutoff))
        .collect();
    format!("({})", parts.join(" OR "))
}

/// Facts of many people at once: roles (stored + leader) and groups.
async fn facts_of(
    conn: &mut Conn<'_>,
    tenant: TenantId,
    units: &[OrgUnit],
    people: &[(PersonId, Option<UnitId>, PersonKind, Tenure)],
    scope_sql: &str,
    scope_args: &[Arg],
) -> Result<HashMap<PersonId, (PersonFacts, Tenure)>> {
    let parents: HashMap<UnitId, Option<UnitId>> = units.iter().map(|u| (u.id, u.parent)).collect();
    let leaders: HashSet<PersonId> = units.iter().filter_map(|u| u.leader).collect();
    let role_sql = format!(
        "SELECT ac.person_id, ac.roles FROM accounts ac WHERE ac.tenant_id = $1 AND ac.person_id IN \
         (SELECT p.id FROM people p WHERE {scope_sql})"
    );
    let group_sql = format!(
        "SELECT gm.person_id, gm.group_id, gm.added_at FROM group_members gm WHERE gm.tenant_id = $1 AND gm.person_id IN \
         (SELECT p.id FROM people p WHERE {scope_sql})"
    );
    let roles: Vec<(Uuid, String)> = fetch_rows!(conn, &role_sql, scope_args, (Uuid, String));
    let groups: Vec<(Uuid, Uuid, Ts)> = fetch_rows!(conn, &group_sql, scope_args, (Uuid, Uuid, Ts));
    let _ = tenant;
    let mut out: HashMap<PersonId, (PersonFacts, Tenure)> = people
        .iter()
        .map(|(id, unit, kind, tenure)| {
            let mut roles = Vec::new();
            if leaders.contains(id) {
                roles.push(Role::Leader);
            }
            (
                *id,
                (
                    PersonFacts {
                        unit_path: unit_path(&parents, *unit),
                        roles,
                        kind: Some(*kind),
                        groups: Vec::new(),
                    },
                    tenure.clone(),
                ),
            )
        })
        .collect();
    for (p, text) in roles {
        if let Some((f, _)) = out.get_mut(&PersonId(p)) {
            for part in text.split(',') {
                if let Some(r) = ALL_ROLES.iter().find(|r| role_key(**r) == part.trim())
                    && !f.roles.contains(r)
                {
                    f.roles.push(*r);
                }
            }
        }
    }
    for (p, g, at) in groups {
        if let Some((f, t)) = out.get_mut(&PersonId(p)) {
            f.groups.push(GroupId(g));
            t.groups.push((GroupId(g), at.0));
        }
    }
    Ok(out)
}

/// One acknowledgment as aggregated by the standings query (`n|major|minor|id|at`): the place of
/// its instruction, its version number, its id and when it was made.
fn parse_ack_facts(record: &str) -> Result<(usize, VersionNumber, AckId, OffsetDateTime)> {
    let bad = || crate::error::corrupt("acknowledgment facts", record);
    let mut f = record.split('|');
    let mut next = || f.next().ok_or_else(bad);
    let n = next()?.parse::<usize>().map_err(|_| bad())?;
    let major = next()?.parse::<u32>().map_err(|_| bad())?;
    let minor = next()?.parse::<u32>().map_err(|_| bad())?;
    let id = AckId(Uuid::parse_str(next()?).map_err(|_| bad())?);
    let at = next()?;
    let at = match at.parse::<i64>() {
        Ok(micros) => OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1000)
            .map_err(|_| bad())?,
        Err(_) => OffsetDateTime::parse(at, &time::format_description::well_known::Rfc3339)
            .map_err(|_| bad())?,
    };
    Ok((n, VersionNumber { major, minor }, id, at))
}

#[derive(sqlx::FromRow)]
struct ScopedPerson {
    id: Uuid,
    given_name: String,
    family_name: String,
    employee_number: String,
    kind: String,
    unit_id: Option<Uuid>,
    created_at: Ts,
    unit_since: Option<Ts>,
}

fn versions_by_instruction(
    all: Vec<(InstructionId, PublishedVersion)>,
) -> HashMap<InstructionId, Vec<PublishedVersion>> {
    let mut m: HashMap<InstructionId, Vec<PublishedVersion>> = HashMap::new();
    for (i, v) in all {
        m.entry(i).or_default().push(v);
    }
    m
}

/// A tenant's overview as counted, with what it was counted at: the standings sequence, its shape
/// (`seq - acks`: the moves that were not acknowledgments) and, per instruction counted, the major
/// version and overdue cut-off its counts used, so that an update from new acknowledgments counts
/// them the same way.
#[derive(Clone)]
struct Counted {
    seq: i64,
    shape: i64,
    overview: Arc<Overview>,
    basis: Arc<HashMap<InstructionId, Basis>>,
    /// How long the count from scratch took.
    took: std::time::Duration,
    /// The calendar its deadlines were counted in (a changed time zone or holiday list counts again).
    cal: TenantCalendar,
}

#[derive(Clone, Copy)]
struct Basis {
    major: u32,
    cutoff: OffsetDateTime,
}

type OverviewCache = Mutex<HashMap<TenantId, Counted>>;

/// Overviews by tenant, valid while [`Db::standings_seq`] is unchanged and the clock has not
/// passed the overview's `valid_until`; while only acknowledgments were added, brought up to date
/// from those.
fn cache() -> &'static OverviewCache {
    static C: OnceLock<OverviewCache> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

/// One computation of a tenant's overview at a time in this process: requests that miss the cache
/// together wait for the one computing it instead of each counting a million acknowledgments.
fn computing(tenant: TenantId) -> Arc<tokio::sync::Mutex<()>> {
    static C: OnceLock<crate::KeyedLocks<TenantId>> = OnceLock::new();
    C.get_or_init(|| crate::KeyedLocks::new(256))
        .lock_for(&tenant)
}

fn cached(tenant: TenantId) -> Option<Counted> {
    cache().lock().ok()?.get(&tenant).cloned()
}

fn keep(tenant: TenantId, counted: Counted) {
    if let Ok(mut c) = cache().lock() {
        if c.len() > 256 {
            c.clear();
        }
        // Never replace a later count by an earlier one (two processes' requests may cross).
        if c.get(&tenant).is_none_or(|old| old.seq <= counted.seq) {
            c.insert(tenant, counted);
        }
    }
}

/// Tenants whose overview is being counted in the background ([`Db::instruction_overview_now`]).
fn counting_behind() -> &'static Mutex<HashSet<TenantId>> {
    static C: OnceLock<Mutex<HashSet<TenantId>>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashSet::new()))
}

/// An overview as a page shows it: the counts, and whether newer ones are being counted (the counts
/// are then those of [`Overview::computed_at`], from before the latest changes).
#[derive(Debug, Clone)]
pub struct OverviewReading {
    pub overview: Arc<Overview>,
    pub updating: bool,
}

/// The counted overview answers for sequence `seq` at `now` in `cal` as it is.
fn holds(c: &Counted, seq: i64, now: OffsetDateTime, cal: &TenantCalendar) -> bool {
    c.seq >= seq && now <= c.overview.valid_until && c.cal == *cal
}

/// More acknowledgments than this since the last count are counted again in full rather than
/// applied one person at a time.
const NEW_ACKS_MAX: usize = 2000;

/// The tenant's standings sequence and its shape (`seq - acks`).
async fn standings_head(conn: &mut Conn<'_>, tenant: TenantId) -> Result<(i64, i64)> {
    let head: Option<(i64, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT seq, seq - acks FROM standings_seq WHERE tenant_id = $1",
    )
    .bind(tenant.0)
    .fetch_optional(&mut *c)
    .await?);
    Ok(head.unwrap_or((0, 0)))
}

impl Db {
    /// Standings of people (not terminated) matching `scope_sql` (a condition on `people p`
    /// whose first argument is the tenant), on every instruction in force that applies to them.
    async fn standings_where(
        &self,
        tenant: TenantId,
        scope_sql: &str,
        scope_args: Vec<Arg>,
        (offset, limit): (i64, i64),
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<(Vec<PersonStandings>, Vec<Instruction>)> {
        let mut pc = self.acquire().await?;
        let conn = &mut pc.conn();
        let units = crate::units::all(conn, tenant).await?;
        let instructions = all_instructions(conn, tenant).await?;
        let versions = versions_by_instruction(published_versions(conn, tenant).await?);
        let scope = format!("p.tenant_id = $1 AND p.state <> 'terminated' AND ({scope_sql})");
        let mut args = scope_args;
        let lim = args.len() + 1;
        args.push(Arg::I64(limit));
        args.push(Arg::I64(offset.max(0)));
        let window = format!("ORDER BY p.sort_key, p.id LIMIT ${lim} OFFSET ${}", lim + 1);
        let sql = format!(
            "SELECT p.id, p.given_name, p.family_name, p.employee_number, p.kind, p.unit_id, \
             p.created_at, p.unit_since FROM people p WHERE {scope} {window}"
        );
        let people: Vec<ScopedPerson> = fetch_rows!(conn, &sql, &args, ScopedPerson);
        if people.is_empty() {
            return Ok((Vec::new(), instructions));
        }
        // Facts and acknowledgments of exactly the people listed: named by id when they are a
        // page (so the scope is not searched again for each query), else the scope with its window.
        let (scope, args) = if people.len() <= 500 {
            let mut ids = Args::default();
            ids.push(Arg::Uuid(tenant.0));
            let list = in_list(&mut ids, people.iter().map(|p| p.id)).unwrap_or_default();
            (format!("p.tenant_id = $1 AND p.id IN ({list})"), ids.0)
        } else {
            (format!("{scope} {window}"), args)
        };
        let basic: Vec<(PersonId, Option<UnitId>, PersonKind, Tenure)> = people
            .iter()
            .map(|p| {
                (
                    PersonId(p.id),
                    p.unit_id.map(UnitId),
                    PersonKind::parse(&p.kind).unwrap_or(PersonKind::Employee),
                    Tenure {
                        registered: Some(p.created_at.0),
                        unit_since: p.unit_since.as_ref().map(|t| t.0),
                        groups: Vec::new(),
                    },
                )
            })
            .collect();
        let facts = facts_of(conn, tenant, &units, &basic, &scope, &args).await?;
        // Only what a standing depends on (not the evidence: hash, method, address, browser),
        // read from the covering index `acknowledgments_person` without the table, and one row
        // per person with their acknowledgments as text: handing over a row costs far more than
        // the database's work for it, and a person has one or more per instruction. A record is
        // `n|major|minor|id|at`, `n` the instruction's place in `instructions` (its version
        // follows from the number), `at` RFC 3339 (SQLite) or Unix microseconds (PostgreSQL).
        let mut acks: HashMap<(PersonId, InstructionId), Vec<AckFacts>> = HashMap::new();
        if !instructions.is_empty() {
            let mut ack_args = Args(args.clone());
            let case = instructions
                .iter()
                .enumerate()
                .map(|(n, i)| format!("WHEN {} THEN {n}", ack_args.push(Arg::Uuid(i.id.0))))
                .collect::<Vec<_>>()
                .join(" ");
            let (id, at, agg) = match conn.engine() {
                crate::db::Engine::Sqlite => ("hex(a.id)", "a.at", "group_concat"),
                crate::db::Engine::Postgres => (
                    "a.id::text",
                    "(extract(epoch FROM a.at) * 1000000)::bigint",
                    "string_agg",
                ),
            };
            let ack_sql = format!(
                "SELECT a.person_id, {agg}((CASE a.instruction_id {case} END) || '|' || a.major || '|' || a.minor \
                 || '|' || {id} || '|' || {at}, ',') FROM acknowledgments a WHERE a.tenant_id = $1 AND \
                 a.person_id IN (SELECT p.id FROM people p WHERE {scope}) GROUP BY a.person_id"
            );
            let ack_rows: Vec<(Uuid, Option<String>)> =
                fetch_rows!(conn, &ack_sql, &ack_args.0, (Uuid, Option<String>));
            for (person, text) in ack_rows {
                for record in text
                    .as_deref()
                    .unwrap_or("")
                    .split(',')
                    .filter(|r| !r.is_empty())
                {
                    let (n, number, id, at) = parse_ack_facts(record)?;
                    let Some(inst) = instructions.get(n) else {
                        continue;
                    };
                    // An acknowledgment of a version that is not published is not counted.
                    let Some(v) = versions
                        .get(&inst.id)
                        .and_then(|vs| vs.iter().find(|v| v.number == number))
                    else {
                        continue;
                    };
                    acks.entry((PersonId(person), inst.id))
                        .or_default()
                        .push(AckFacts {
                            id,
                            version_id: v.id,
                            version: number,
                            at,
                        });
                }
            }
        }
        let mut out = Vec::with_capacity(people.len());
        for p in people {
            let id = PersonId(p.id);
            let Some((f, tenure)) = facts.get(&id) else {
                continue;
            };
            let mut items = Vec::new();
            let mut receipts = Vec::new();
            for inst in &instructions {
                if !inst.audience.includes(f) {
                    continue;
                }
                let vs = versions.get(&inst.id).map(Vec::as_slice).unwrap_or(&[]);
                let mine = acks.get(&(id, inst.id)).map(Vec::as_slice).unwrap_or(&[]);
                let rule = signing_rule(inst.sign_within_days);
                let joined = inst.audience.joined_at(f, tenure);
                if let Some(s) = standing(vs, mine, now, joined, &rule, cal)
                    .map_err(|_| StoreError::Invalid("instruction.deadline_out_of_range"))?
                {
                    if s.is_signed()
                        && let Some(a) = mine.iter().max_by_key(|a| (a.version, a.at))
                    {
                        receipts.push((inst.id, a.id));
                    }
                    items.push((inst.id, s));
                }
            }
            out.push(PersonStandings {
                person: id,
                given_name: p.given_name,
                family_name: p.family_name,
                employee_number: p.employee_number,
                unit: p.unit_id.map(UnitId),
                items,
                receipts,
            });
        }
        Ok((out, instructions))
    }

    /// Every person of the tenant (not terminated) with their unit and kind, by employee number
    /// (for demo and benchmark data).
    pub async fn people_brief(
        &self,
        tenant: TenantId,
    ) -> Result<Vec<(PersonId, Option<UnitId>, PersonKind, String)>> {
        let mut pc = self.acquire().await?;
        let rows: Vec<(Uuid, Option<Uuid>, String, String)> = on!(&mut pc.conn(), c => sqlx::query_as(
            "SELECT id, unit_id, kind, employee_number FROM people WHERE tenant_id = $1 AND state <> 'terminated' \
             ORDER BY employee_number",
        )
        .bind(tenant.0)
        .fetch_all(&mut *c)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(id, u, k, n)| {
                (
                    PersonId(id),
                    u.map(UnitId),
                    PersonKind::parse(&k).unwrap_or(PersonKind::Employee),
                    n,
                )
            })
            .collect())
    }

    /// The instructions in force that apply to the person, with their standing ("my page").
    pub async fn instructions_for_person(
        &self,
        tenant: TenantId,
        person: PersonId,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Vec<PersonInstruction>> {
        let (people, instructions) = self
            .standings_where(
                tenant,
                "p.id = $2",
                vec![Arg::Uuid(tenant.0), Arg::Uuid(person.0)],
                (0, 1),
                now,
                cal,
            )
            .await?;
        let versions = self.published_versions(tenant).await?;
        let mut out = Vec::new();
        for p in people {
            for (iid, s) in p.items {
                let Some(inst) = instructions.iter().find(|i| i.id == iid) else {
                    continue;
                };
                let vs: Vec<PublishedVersion> = versions
                    .iter()
                    .filter(|(i, _)| *i == iid)
                    .map(|(_, v)| *v)
                    .collect();
                if let Some(v) = in_force(&vs, now) {
                    out.push(PersonInstruction {
                        instruction: inst.clone(),
                        version: *v,
                        standing: s,
                    });
                }
            }
        }
        Ok(out)
    }

    /// The people of `units` (with everything below them when `include_sub_units`), by name, at
    /// most `limit`, each with their standing on every instruction in force that applies to them.
    pub async fn unit_standings(
        &self,
        tenant: TenantId,
        units: &[UnitId],
        include_sub_units: bool,
        limit: i64,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Vec<PersonStandings>> {
        self.unit_standings_page(tenant, units, include_sub_units, (0, limit), now, cal)
            .await
    }

    /// [`Db::unit_standings`] for the people from `offset` on, in the same order (a page of a
    /// large unit).
    pub async fn unit_standings_page(
        &self,
        tenant: TenantId,
        units: &[UnitId],
        include_sub_units: bool,
        window: (i64, i64),
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Vec<PersonStandings>> {
        let all = self.units(tenant).await?;
        let ids = if include_sub_units {
            subtree(&all, units)
        } else {
            units.to_vec()
        };
        let mut args = Args::default();
        args.push(Arg::Uuid(tenant.0));
        let Some(list) = in_list(&mut args, ids.into_iter().map(|u| u.0)) else {
            return Ok(Vec::new());
        };
        let (people, _) = self
            .standings_where(
                tenant,
                &format!("p.unit_id IN ({list})"),
                args.0,
                window,
                now,
                cal,
            )
            .await?;
        Ok(people)
    }

    /// Everyone (not terminated) with their standings, by name, at most `limit` (for exports).
    pub async fn all_standings(
        &self,
        tenant: TenantId,
        limit: i64,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Vec<PersonStandings>> {
        Ok(self
            .standings_where(
                tenant,
                "1 = 1",
                vec![Arg::Uuid(tenant.0)],
                (0, limit),
                now,
                cal,
            )
            .await?
            .0)
    }

    /// A number that moves with every change of what instruction standings are made of in the
    /// tenant (people, units, roles, group memberships, instructions, versions, acknowledgments; kept
    /// by triggers on every engine, so every process sees the same); 0 before the first. A result
    /// derived from those stays valid while this does (and the clock allows: [`Overview::valid_until`]).
    pub async fn standings_seq(&self, tenant: TenantId) -> Result<i64> {
        Ok(self.standings_head(tenant).await?.0)
    }

    /// The tenant's standings sequence ([`Db::standings_seq`]) and its shape: the part of it that
    /// moves with everything but acknowledgments. While the shape is unchanged, only acknowledgments
    /// were added ([`Db::signed_since`] tells whose).
    pub async fn standings_head(&self, tenant: TenantId) -> Result<(i64, i64)> {
        let mut pc = self.acquire().await?;
        standings_head(&mut pc.conn(), tenant).await
    }

    /// Whether any of `people` has an acknowledgment recorded after standings sequence `after` and at
    /// or before `upto` (a result about them made at `after` still holds at `upto` if not, and the
    /// shape did not move).
    pub async fn signed_since(
        &self,
        tenant: TenantId,
        after: i64,
        upto: i64,
        people: &[PersonId],
    ) -> Result<bool> {
        let mut args = Args::default();
        args.push(Arg::Uuid(tenant.0));
        args.push(Arg::I64(after));
        args.push(Arg::I64(upto));
        let Some(list) = in_list(&mut args, people.iter().map(|p| p.0)) else {
            return Ok(false);
        };
        let sql = format!(
            "SELECT 1 FROM acknowledgments WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 \
             AND person_id IN ({list}) LIMIT 1"
        );
        let mut pc = self.acquire().await?;
        let rows: Vec<(i32,)> = fetch_rows!(&mut pc.conn(), &sql, &args.0, (i32,));
        Ok(!rows.is_empty())
    }

    /// The coordinator's overview: completion of every instruction in force, per unit, counted
    /// in SQL. Cached per tenant until the data it is made of changes ([`Db::standings_seq`]) or
    /// the clock passes [`Overview::valid_until`]; when only acknowledgments were added since, the
    /// cached counts are brought up to date from those people alone.
    pub async fn instruction_overview(
        &self,
        tenant: TenantId,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Arc<Overview>> {
        let seq = self.standings_seq(tenant).await?;
        self.overview_for(tenant, seq, now, cal).await
    }

    /// [`Db::instruction_overview`] once the standings sequence `seq` has been read.
    async fn overview_for(
        &self,
        tenant: TenantId,
        seq: i64,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Arc<Overview>> {
        let entry = cached(tenant);
        if let Some(e) = &entry
            && holds(e, seq, now, cal)
        {
            return Ok(e.overview.clone());
        }
        // Waiting holds no database connection.
        let lock = computing(tenant);
        let _guard = match lock.try_lock() {
            Ok(g) => g,
            Err(_) => match &entry {
                // Nothing was written since, only the clock moved on: while another request counts
                // again, this one takes the figures as they are (the page says when they were
                // counted). After a write this reader waits for the counts that include it (pages
                // of a large tenant do not: `instruction_overview_now`).
                Some(e) if e.seq >= seq => return Ok(e.overview.clone()),
                _ => {
                    let g = lock.lock().await;
                    if let Some(e) = cached(tenant)
                        && holds(&e, seq, now, cal)
                    {
                        return Ok(e.overview);
                    }
                    g
                }
            },
        };
        let entry = cached(tenant);
        let mut snap = self.snapshot().await?;
        let counted = self
            .count_overview(&mut snap.conn(), tenant, entry, now, cal)
            .await;
        snap.end().await?;
        let counted = counted?;
        let overview = counted.overview.clone();
        keep(tenant, counted);
        Ok(overview)
    }

    /// [`Db::instruction_overview`] for a page: when the overview must be counted from scratch
    /// (more than acknowledgments changed, or the clock passed a deadline) and the last such count
    /// took longer than readers should wait (a large tenant: seconds at 50,000 people; see
    /// [`Db::with_overview_wait`]), the previous counts are returned at once, marked `updating`,
    /// while one count runs in the background. Otherwise exactly what `instruction_overview` returns.
    pub async fn instruction_overview_now(
        &self,
        tenant: TenantId,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<OverviewReading> {
        let (seq, shape) = self.standings_head(tenant).await?;
        if let Some(e) = cached(tenant)
            && !holds(&e, seq, now, cal)
            && e.took >= self.overview_wait
            && (e.shape != shape || now > e.overview.valid_until || e.cal != *cal)
        {
            let start = counting_behind()
                .lock()
                .map(|mut c| c.insert(tenant))
                .unwrap_or(false);
            if start {
                let db = self.clone();
                let cal = cal.clone();
                tokio::spawn(async move {
                    if let Err(err) = db.instruction_overview(tenant, now, &cal).await {
                        tracing::warn!(%err, "counting the instruction overview in the background");
                    }
                    if let Ok(mut c) = counting_behind().lock() {
                        c.remove(&tenant);
                    }
                });
            }
            return Ok(OverviewReading {
                overview: e.overview,
                updating: true,
            });
        }
        Ok(OverviewReading {
            overview: self.overview_for(tenant, seq, now, cal).await?,
            updating: false,
        })
    }

    /// The overview as of the snapshot `conn` reads: `entry` itself when it still holds, `entry`
    /// with the acknowledgments added since applied when nothing else changed, else counted anew.
    async fn count_overview(
        &self,
        conn: &mut Conn<'_>,
        tenant: TenantId,
        entry: Option<Counted>,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<Counted> {
        let (seq, shape) = standings_head(conn, tenant).await?;
        if let Some(e) = entry {
            if holds(&e, seq, now, cal) {
                return Ok(e);
            }
            if e.shape == shape
                && now <= e.overview.valid_until
                && e.cal == *cal
                && let Some(c) = self.apply_new_acks(conn, tenant, &e, seq, now).await?
            {
                return Ok(c);
            }
        }
        let started = std::time::Instant::now();
        let (overview, basis) = self.compute_overview(conn, tenant, now, cal).await?;
        Ok(Counted {
            seq,
            shape,
            overview: Arc::new(overview),
            basis: Arc::new(basis),
            took: started.elapsed(),
            cal: cal.clone(),
        })
    }

    /// `e` with the acknowledgments recorded after it was counted (up to `seq`) applied: for each
    /// instruction they concern, the people who signed are counted twice with the instruction's own
    /// audience and rules, once with only the acknowledgments `e` had seen and once with all, and
    /// the difference is added to their units. `None` when there are too many to apply so.
    async fn apply_new_acks(
        &self,
        conn: &mut Conn<'_>,
        tenant: TenantId,
        e: &Counted,
        seq: i64,
        now: OffsetDateTime,
    ) -> Result<Option<Counted>> {
        let limit = i64::try_from(NEW_ACKS_MAX + 1).unwrap_or(i64::MAX);
        let new: Vec<(Uuid, Uuid)> = on!(conn, c => sqlx::query_as(
            "SELECT DISTINCT instruction_id, person_id FROM acknowledgments \
             WHERE tenant_id = $1 AND seq > $2 AND seq <= $3 LIMIT $4",
        )
        .bind(tenant.0)
        .bind(e.seq)
        .bind(seq)
        .bind(limit)
        .fetch_all(&mut *c)
        .await?);
        if new.len() > NEW_ACKS_MAX {
            return Ok(None);
        }
        let mut signers: HashMap<InstructionId, Vec<Uuid>> = HashMap::new();
        for (i, p) in new {
            signers.entry(InstructionId(i)).or_default().push(p);
        }
        let units = crate::units::all(conn, tenant).await?;
        let instructions = all_instructions(conn, tenant).await?;
        let mut o = (*e.overview).clone();
        for ic in &mut o.instructions {
            let Some(people) = signers.get(&ic.instruction) else {
                continue;
            };
            let (Some(basis), Some(inst)) = (
                e.basis.get(&ic.instruction),
                instructions.iter().find(|i| i.id == ic.instruction),
            ) else {
                return Ok(None);
            };
            let mut args = Args::default();
            args.push(Arg::Uuid(tenant.0));
            args.push(Arg::Uuid(inst.id.0));
            args.push(Arg::I64(i64::from(basis.major)));
            args.push(Arg::Ts(Ts(basis.cutoff)));
            args.push(Arg::I64(e.seq));
            let aud = audience_sql(&inst.audience, &units, &mut args);
            let joined_by = audience_joined_by_sql(&inst.audience, &units, &mut args, "$4");
            let Some(list) = in_list(&mut args, people.iter().copied()) else {
                continue;
            };
            let signed = "SELECT 1 FROM acknowledgments a WHERE a.tenant_id = $1 AND a.person_id = p.id \
                          AND a.instruction_id = $2 AND a.major >= $3";
            let sql = format!(
                "SELECT unit_id, SUM(signed_before), SUM(signed_now), \
                 SUM(CASE WHEN signed_before = 0 AND joined = 1 THEN 1 ELSE 0 END), \
                 SUM(CASE WHEN signed_now = 0 AND joined = 1 THEN 1 ELSE 0 END) \
                 FROM (SELECT p.unit_id, \
                   CASE WHEN EXISTS ({signed} AND COALESCE(a.seq, 0) <= $5) THEN 1 ELSE 0 END AS signed_before, \
                   CASE WHEN EXISTS ({signed}) THEN 1 ELSE 0 END AS signed_now, \
                   CASE WHEN {joined_by} THEN 1 ELSE 0 END AS joined \
                   FROM people p WHERE p.tenant_id = $1 AND p.state <> 'terminated' AND {aud} \
                   AND p.id IN ({list})) x \
                 GROUP BY unit_id"
            );
            let rows: Vec<(Option<Uuid>, i64, i64, i64, i64)> =
                fetch_rows!(conn, &sql, &args.0, (Option<Uuid>, i64, i64, i64, i64));
            for (u, before, after, overdue_before, overdue_after) in rows {
                let Some(c) = ic.by_unit.get_mut(&u.map(UnitId)) else {
                    // Someone counted now was not in the audience then: not only acknowledgments
                    // changed after all.
                    return Ok(None);
                };
                let signed = after - before;
                let overdue = overdue_after - overdue_before;
                c.signed += signed;
                c.overdue += overdue;
                ic.completion.signed += signed;
                ic.completion.overdue += overdue;
            }
        }
        o.computed_at = now;
        Ok(Some(Counted {
            seq,
            shape: e.shape,
            overview: Arc::new(o),
            basis: e.basis.clone(),
            took: e.took,
            cal: e.cal.clone(),
        }))
    }

    async fn compute_overview(
        &self,
        conn: &mut Conn<'_>,
        tenant: TenantId,
        now: OffsetDateTime,
        cal: &TenantCalendar,
    ) -> Result<(Overview, HashMap<InstructionId, Basis>)> {
        let units = crate::units::all(conn, tenant).await?;
        let instructions = all_instructions(conn, tenant).await?;
        let versions = versions_by_instruction(published_versions(conn, tenant).await?);
        let mut out = Vec::new();
        let mut basis = HashMap::new();
        for inst in instructions {
            let vs = versions.get(&inst.id).map(Vec::as_slice).unwrap_or(&[]);
            let Some(current) = in_force(vs, now) else {
                continue;
            };
            let major = current.number.major;
            let since = vs
                .iter()
                .filter(|v| v.number.major == major && v.effective_from <= now)
                .map(|v| v.effective_from)
                .min()
                .unwrap_or(current.effective_from);
            let cutoff = overdue_cutoff(&signing_rule(inst.sign_within_days), cal, now)
                .map_err(|_| StoreError::Invalid("instruction.deadline_out_of_range"))?;
            // Nobody is overdue while the version itself came into force after the cut-off.
            let cutoff = if since > cutoff {
                OffsetDateTime::UNIX_EPOCH
            } else {
                cutoff
            };
            basis.insert(inst.id, Basis { major, cutoff });
            let mut args = Args::default();
            args.push(Arg::Uuid(tenant.0));
            args.push(Arg::Uuid(inst.id.0));
            args.push(Arg::I64(i64::from(major)));
            args.push(Arg::Ts(Ts(cutoff)));
            let aud = audience_sql(&inst.audience, &units, &mut args);
            let joined_by = audience_joined_by_sql(&inst.audience, &units, &mut args, "$4");
            // The signers are one uncorrelated `IN` list, built once and probed per person (SQLite: a
            // B-tree with a Bloom filter; PostgreSQL: a hashed subplan). A `LEFT JOIN` on the same
            // subquery let SQLite 3.46 with planner statistics scan the signers for every person:
            // minutes at 50,000 people. PostgreSQL would inline `x` and so probe the signers twice
            // per person (two hashed subplans, a third of the time); `OFFSET 0` keeps it one. SQLite
            // reuses the one list anyway.
            let fence = match conn.engine() {
                crate::db::Engine::Postgres => " OFFSET 0",
                crate::db::Engine::Sqlite => "",
            };
            let sql = format!(
                "SELECT unit_id, COUNT(*) AS total, COALESCE(SUM(signed), 0) AS signed, \
                 COALESCE(SUM(CASE WHEN signed = 0 AND joined = 1 THEN 1 ELSE 0 END), 0) AS overdue \
                 FROM (SELECT p.unit_id, \
                   CASE WHEN p.id IN (SELECT a.person_id FROM acknowledgments a \
                     WHERE a.tenant_id = $1 AND a.instruction_id = $2 AND a.major >= $3) THEN 1 ELSE 0 END AS signed, \
                   CASE WHEN {joined_by} THEN 1 ELSE 0 END AS joined \
                   FROM people p WHERE p.tenant_id = $1 AND p.state <> 'terminated' AND {aud}{fence}) x \
                 GROUP BY unit_id"
            );
            let rows: Vec<(Option<Uuid>, i64, i64, i64)> =
                fetch_rows!(conn, &sql, &args.0, (Option<Uuid>, i64, i64, i64));
            let mut total = Completion::default();
            let mut by_unit = HashMap::new();
            for (u, t, s, o) in rows {
                let c = Completion {
                    total: t,
                    signed: s,
                    overdue: o,
                };
                total.add(c);
                by_unit.insert(u.map(UnitId), c);
            }
            out.push(InstructionCompletion {
                instruction: inst.id,
                title: inst.title,
                category: inst.category,
                version: current.number,
                completion: total,
                by_unit,
            });
        }
        // The clock changes the counts at the end of the local day (every cut-off above is one) and
        // when a version comes into force or retires.
        let valid_until = versions
            .values()
            .flatten()
            .flat_map(|v| [Some(v.effective_from), v.retired_at])
            .flatten()
            .filter(|t| *t > now)
            .map(|t| t - time::Duration::microseconds(1))
            .fold(
                vakt_core::instructions::standings_hold_until(cal, now),
                |a, b| a.min(b),
            );
        Ok((
            Overview {
                computed_at: now,
                counted_at: now,
                instructions: out,
                valid_until,
            },
            basis,
        ))
    }
}
