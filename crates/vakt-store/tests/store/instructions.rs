//! Instructions, groups and acknowledgments on both engines.

use time::Duration;
use vakt_core::Role;
use vakt_core::deadline::TenantCalendar;
use vakt_core::directory::{PersonId, Tenant, UnitId};
use vakt_core::instructions::{
    AckInput, AckMethod, Acknowledgment, Audience, AudienceRule, ChangeKind, GroupId,
    InstructionId, StepActor, TextHash, VersionState, VersionStep,
};
use vakt_store::{Db, DraftEdit, InstructionFields, InstructionVersion, NewGroup, NewUnit};

use crate::harness::{ctx, each_engine, person, tenant};

async fn unit(db: &Db, t: &Tenant, code: &str, parent: Option<UnitId>) -> UnitId {
    let mut tx = db.write(&ctx(t)).await.unwrap();
    let u = tx
        .create_unit(NewUnit {
            parent,
            name: format!("Unit {code}"),
            code: code.into(),
            leader: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    u.id
}

async fn new_person(db: &Db, t: &Tenant, n: &str, unit: Option<UnitId>) -> PersonId {
    let mut tx = db.write(&ctx(t)).await.unwrap();
    let mut np = person(n, "Ola", &format!("Nordmann{n}"));
    np.unit = unit;
    let p = tx.create_person(np).await.unwrap();
    tx.commit().await.unwrap();
    p.id
}

async fn move_person(db: &Db, t: &Tenant, p: PersonId, n: &str, unit: Option<UnitId>) {
    let mut tx = db.write(&ctx(t)).await.unwrap();
    let mut np = person(n, "Ola", &format!("Nordmann{n}"));
    np.unit = unit;
    tx.update_person(p, np).await.unwrap();
    tx.commit().await.unwrap();
}

/// A group named `name` (no description), created in `tx`.
async fn group(tx: &mut vakt_store::WriteTx, name: &str) -> vakt_store::Group {
    tx.create_group(NewGroup {
        name: name.into(),
        description: String::new(),
    })
    .await
    .unwrap()
}

/// The people of `units` (with their sub-units when `include_sub_units`).
fn unit_audience(units: Vec<UnitId>, include_sub_units: bool) -> Audience {
    Audience {
        rules: vec![AudienceRule::Units {
            units,
            include_sub_units,
        }],
    }
}

fn editor(p: PersonId) -> StepActor {
    StepActor {
        person: p,
        may_edit: true,
    }
}

/// Creates and publishes (effective now) an instruction for `audience`; returns the published version.
/// Fill a draft, send it to review, have `approver` approve it and publish it from `from`.
async fn review_and_publish(
    tx: &mut vakt_store::WriteTx,
    version: vakt_core::instructions::VersionId,
    draft: DraftEdit,
    author: PersonId,
    approver: PersonId,
    from: time::OffsetDateTime,
) -> InstructionVersion {
    tx.edit_draft(version, draft).await.unwrap();
    tx.version_step(version, VersionStep::SendToReview, editor(author))
        .await
        .unwrap();
    tx.version_step(
        version,
        VersionStep::Approve,
        StepActor {
            person: approver,
            may_edit: false,
        },
    )
    .await
    .unwrap();
    tx.version_step(
        version,
        VersionStep::Publish {
            effective_from: from,
        },
        editor(author),
    )
    .await
    .unwrap()
}

async fn published(
    db: &Db,
    t: &Tenant,
    author: PersonId,
    approver: PersonId,
    audience: Audience,
) -> InstructionVersion {
    let mut tx = db.write(&ctx(t)).await.unwrap();
    let (inst, v) = tx
        .create_instruction(
            InstructionFields {
                title: "Bruk av IKT".into(),
                owner: author,
                category: "ict_use".into(),
                requires_signature: true,
                audience,
                sign_within_days: 14,
            },
            author,
            "# Bruk av IKT\n\nLås skjermen.\n",
            "Første versjon",
        )
        .await
        .unwrap();
    assert_eq!(v.number.to_string(), "1.0");
    let now = tx.now();
    let draft = DraftEdit {
        title: inst.title.clone(),
        body: v.body.clone(),
        change_comment: "Første versjon".into(),
        approver: Some(approver),
        reviewers: vec![approver],
    };
    let v = review_and_publish(&mut tx, v.id, draft, author, approver, now).await;
    tx.commit().await.unwrap();
    v
}

fn ack_for(v: &InstructionVersion, p: PersonId, db: &Db) -> Acknowledgment {
    Acknowledgment::record(AckInput {
        id: uuid::Uuid::now_v7().into(),
        person: p,
        instruction: v.instruction,
        version_id: v.id,
        version: v.number,
        text_shown: &v.body,
        version_text_hash: v.body_sha256,
        method: AckMethod::Password,
        at: db.now(),
        ip: Some("192.0.2.7".parse().unwrap()),
        user_agent: Some("test"),
    })
    .unwrap()
}

#[tokio::test]
async fn groups_are_created_and_members_added_and_removed_with_audit() {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "grp").await;
        let p = new_person(&db, &t, "1", None).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let g = tx
            .create_group(NewGroup {
                name: "Hjemmekontor i sikker sone".into(),
                description: "Tilgang hjemmefra".into(),
            })
            .await
            .unwrap();
        assert!(tx.add_group_member(g.id, p).await.unwrap());
        assert!(!tx.add_group_member(g.id, p).await.unwrap());
        tx.commit().await.unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let dup = tx
            .create_group(NewGroup {
                name: "HJEMMEKONTOR i sikker sone".into(),
                description: String::new(),
            })
            .await;
        assert_eq!(dup.unwrap_err().code(), "group.name_taken");
        drop(tx);
        assert_eq!(db.group(t.id, g.id).await.unwrap().unwrap().members, 1);
        assert_eq!(db.group_members(t.id, g.id).await.unwrap()[0].person, p);
        assert_eq!(db.groups_of_person(t.id, p).await.unwrap()[0].0, g.id);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        assert!(tx.remove_group_member(g.id, p).await.unwrap());
        tx.commit().await.unwrap();
        assert!(db.group_members(t.id, g.id).await.unwrap().is_empty());
        let other = tenant(&db, "grp2").await;
        assert!(db.group(other.id, g.id).await.unwrap().is_none());
        let actions: Vec<String> = db
            .search_audit(t.id, &Default::default(), 500, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for a in ["group.create", "group.member_add", "group.member_remove"] {
            assert!(actions.iter().any(|x| x == a), "{a} missing in {actions:?}");
        }
    })
    .await;
}

#[tokio::test]
async fn the_workflow_refuses_the_author_as_approver_and_records_each_step() {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "wf").await;
        let author = new_person(&db, &t, "1", None).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let (inst, v) = tx
            .create_instruction(
                InstructionFields {
                    title: "Hjemmekontor".into(),
                    owner: author,
                    category: "home_office".into(),
                    requires_signature: false,
                    audience: Audience::everyone(),
                    sign_within_days: 14,
                },
                author,
                "Tekst",
                "",
            )
            .await
            .unwrap();
        let r = tx
            .version_step(v.id, VersionStep::SendToReview, editor(author))
            .await;
        assert_eq!(r.unwrap_err().code(), "instruction.step_missing_comment");
        drop(tx);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.create_instruction(
            InstructionFields {
                title: "x".into(),
                owner: author,
                category: "nonsense".into(),
                requires_signature: false,
                audience: Audience::everyone(),
                sign_within_days: 14,
            },
            author,
            "x",
            "x",
        )
        .await
        .unwrap_err();
        drop(tx);
        let _ = inst;
        let approver = new_person(&db, &t, "2", None).await;
        let v = published(&db, &t, author, approver, Audience::everyone()).await;
        assert_eq!(v.state, VersionState::Published);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let v2 = tx
            .new_version(v.instruction, ChangeKind::Major, author)
            .await
            .unwrap();
        assert_eq!(v2.number.to_string(), "2.0");
        let again = tx
            .new_version(v.instruction, ChangeKind::Minor, author)
            .await;
        assert_eq!(again.unwrap_err().code(), "instruction.version_open");
        tx.rollback().await.unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let v2 = tx
            .new_version(v.instruction, ChangeKind::Major, author)
            .await
            .unwrap();
        tx.edit_draft(
            v2.id,
            DraftEdit {
                title: "Bruk av IKT".into(),
                body: "Ny tekst".into(),
                change_comment: "Ny regel".into(),
                approver: Some(author),
                reviewers: vec![approver],
            },
        )
        .await
        .unwrap();
        tx.version_step(v2.id, VersionStep::SendToReview, editor(author))
            .await
            .unwrap();
        let c = tx
            .add_review_comment(v2.id, approver, false, "Ser bra ut")
            .await
            .unwrap();
        assert_eq!(c.body, "Ser bra ut");
        let own = tx
            .version_step(v2.id, VersionStep::Approve, editor(author))
            .await;
        assert_eq!(
            own.unwrap_err().code(),
            "instruction.step_author_cannot_approve"
        );
        drop(tx);
        let actions: Vec<String> = db
            .search_audit(t.id, &Default::default(), 500, 0)
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        for a in [
            "instruction.create",
            "instruction.version_edit",
            "instruction.send_to_review",
            "instruction.approve",
            "instruction.publish",
        ] {
            assert!(actions.iter().any(|x| x == a), "{a} missing");
        }
    })
    .await;
}

#[tokio::test]
async fn acknowledgments_cannot_be_updated_or_deleted_even_with_raw_sql() {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "ack").await;
        let a = new_person(&db, &t, "1", None).await;
        let b = new_person(&db, &t, "2", None).await;
        let v = published(&db, &t, a, b, Audience::everyone()).await;
        let ack = ack_for(&v, b, &db);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.record_ack(&ack).await.unwrap();
        tx.commit().await.unwrap();
        // A second record that does not supersede the first is refused.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let r = tx.record_ack(&ack_for(&v, b, &db)).await;
        assert_eq!(r.unwrap_err().code(), "ack.supersedes_wrong_record");
        drop(tx);
        // A forged hash is refused.
        let forged = Acknowledgment::record(AckInput {
            id: uuid::Uuid::now_v7().into(),
            person: a,
            instruction: v.instruction,
            version_id: v.id,
            version: v.number,
            text_shown: "other text",
            version_text_hash: TextHash::of("other text"),
            method: AckMethod::Password,
            at: db.now(),
            ip: None,
            user_agent: None,
        })
        .unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.record_ack(&forged).await.unwrap_err().code(),
            "ack.text_mismatch"
        );
        drop(tx);
        let update = "UPDATE acknowledgments SET method = 'sso'";
        let delete = "DELETE FROM acknowledgments";
        for sql in [update, delete] {
            let r = if let Some(p) = db.raw_sqlite() {
                sqlx::query(sql).execute(p).await.map(|_| ())
            } else {
                sqlx::query(sql)
                    .execute(db.raw_postgres().unwrap())
                    .await
                    .map(|_| ())
            };
            let e = r.unwrap_err().to_string();
            assert!(e.contains("immutable"), "{sql}: {e}");
        }
        let stored = db.ack(t.id, ack.id()).await.unwrap().unwrap();
        assert_eq!(stored, ack);
        assert_eq!(stored.text_sha256(), TextHash::of(&v.body));
    })
    .await;
}

#[tokio::test]
async fn audience_is_live_moving_into_and_out_of_a_unit_and_a_group() {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "live").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let root = unit(&db, &t, "ROOT", None).await;
        let care = unit(&db, &t, "CARE", Some(root)).await;
        let home = unit(&db, &t, "HOME", Some(care)).await;
        let school = unit(&db, &t, "SCHOOL", Some(root)).await;
        let author = new_person(&db, &t, "1", Some(school)).await;
        let approver = new_person(&db, &t, "2", Some(school)).await;
        let nurse = new_person(&db, &t, "3", Some(home)).await;
        let teacher = new_person(&db, &t, "4", Some(school)).await;
        let v = published(&db, &t, author, approver, unit_audience(vec![care], true)).await;
        let overview = |db: Db| {
            let cal = cal.clone();
            async move {
                let o = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
                o.instructions[0].completion
            }
        };
        assert_eq!(overview(db.clone()).await.total, 1);
        assert_eq!(
            db.instructions_for_person(t.id, teacher, db.now(), &cal)
                .await
                .unwrap()
                .len(),
            0
        );
        // The teacher moves into home care: the instruction is on their page at once.
        move_person(&db, &t, teacher, "4", Some(home)).await;
        let mine = db
            .instructions_for_person(t.id, teacher, db.now(), &cal)
            .await
            .unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].standing.as_str(), "missing");
        assert_eq!(overview(db.clone()).await.total, 2);
        // The nurse moves out: no longer counted as missing.
        move_person(&db, &t, nurse, "3", Some(school)).await;
        let c = overview(db.clone()).await;
        assert_eq!((c.total, c.signed), (1, 0));
        // A group rule: added to the group, the person is in the audience.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let g = group(&mut tx, "Vakt").await;
        let mut fields = InstructionFields {
            title: "Bruk av IKT".into(),
            owner: author,
            category: "ict_use".into(),
            requires_signature: true,
            audience: Audience {
                rules: vec![AudienceRule::Groups { groups: vec![g.id] }],
            },
            sign_within_days: 14,
        };
        tx.update_instruction(v.instruction, fields.clone())
            .await
            .unwrap();
        tx.add_group_member(g.id, nurse).await.unwrap();
        tx.commit().await.unwrap();
        let people = db
            .unit_standings(t.id, &[root], true, 100, db.now(), &cal)
            .await
            .unwrap();
        let with_item: Vec<PersonId> = people
            .iter()
            .filter(|p| !p.items.is_empty())
            .map(|p| p.person)
            .collect();
        assert_eq!(with_item, vec![nurse]);
        assert_eq!(overview(db.clone()).await.total, 1);
        // Leaders and roles: SQL and core agree.
        fields.audience = Audience {
            rules: vec![AudienceRule::Roles {
                roles: vec![Role::Leader],
            }],
        };
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.update_instruction(v.instruction, fields).await.unwrap();
        tx.update_unit(
            school,
            NewUnit {
                parent: Some(root),
                name: "Unit SCHOOL".into(),
                code: "SCHOOL".into(),
                leader: Some(approver),
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(overview(db.clone()).await.total, 1);
        let people = db
            .unit_standings(t.id, &[root], true, 100, db.now(), &cal)
            .await
            .unwrap();
        let with_item: Vec<PersonId> = people
            .iter()
            .filter(|p| !p.items.is_empty())
            .map(|p| p.person)
            .collect();
        assert_eq!(with_item, vec![approver]);
    })
    .await;
}

#[tokio::test]
async fn joining_a_group_starts_the_signing_period_in_the_overview_and_on_the_person() {
    each_engine(|env| async move {
        let db = env.db;
        let clock = env.clock;
        let t = tenant(&db, "joined").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let author = new_person(&db, &t, "1", None).await;
        let approver = new_person(&db, &t, "2", None).await;
        let worker = new_person(&db, &t, "3", None).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let g = group(&mut tx, "Hjemmekontor i sikker sone").await;
        tx.add_group_member(g.id, author).await.unwrap();
        tx.commit().await.unwrap();
        published(
            &db,
            &t,
            author,
            approver,
            Audience {
                rules: vec![AudienceRule::Groups { groups: vec![g.id] }],
            },
        )
        .await;
        let completion = |db: Db| {
            let cal = cal.clone();
            async move {
                let c = db
                    .instruction_overview(t.id, db.now(), &cal)
                    .await
                    .unwrap()
                    .instructions[0]
                    .completion;
                (c.total, c.signed, c.overdue)
            }
        };
        let standing_of = |db: Db, who: PersonId| {
            let cal = cal.clone();
            async move {
                let mine = db
                    .instructions_for_person(t.id, who, db.now(), &cal)
                    .await
                    .unwrap();
                mine.first().map(|m| m.standing.as_str().to_string())
            }
        };
        // Three weeks after publication the worker joins the group: the instruction is due 14 days
        // from joining, not overdue at once; the author, a member from the start, is overdue.
        clock.advance(Duration::days(21));
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.add_group_member(g.id, worker).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(completion(db.clone()).await, (2, 0, 1));
        assert_eq!(
            standing_of(db.clone(), worker).await.as_deref(),
            Some("missing")
        );
        assert_eq!(
            standing_of(db.clone(), author).await.as_deref(),
            Some("overdue")
        );
        assert_eq!(standing_of(db.clone(), approver).await, None);
        // Ten days on the worker is still within the period; after fifteen both are overdue, and
        // the people's own standings agree with the counts.
        clock.advance(Duration::days(10));
        assert_eq!(completion(db.clone()).await, (2, 0, 1));
        clock.advance(Duration::days(5));
        assert_eq!(completion(db.clone()).await, (2, 0, 2));
        assert_eq!(
            standing_of(db.clone(), worker).await.as_deref(),
            Some("overdue")
        );
        let all = db.all_standings(t.id, 100, db.now(), &cal).await.unwrap();
        let overdue = all
            .iter()
            .flat_map(|p| &p.items)
            .filter(|(_, s)| s.as_str() == "overdue")
            .count();
        assert_eq!(overdue, 2);
    })
    .await;
}

#[tokio::test]
async fn signing_raises_completion_overdue_follows_the_clock_and_a_major_version_makes_it_due_again()
 {
    each_engine(|env| async move {
        let db = env.db;
        let clock = env.clock;
        let t = tenant(&db, "due").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let author = new_person(&db, &t, "1", None).await;
        let approver = new_person(&db, &t, "2", None).await;
        let worker = new_person(&db, &t, "3", None).await;
        let v = published(&db, &t, author, approver, Audience::everyone()).await;
        let c = db
            .instruction_overview(t.id, db.now(), &cal)
            .await
            .unwrap()
            .instructions[0]
            .completion;
        assert_eq!((c.total, c.signed, c.overdue), (3, 0, 0));
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.record_ack(&ack_for(&v, worker, &db)).await.unwrap();
        tx.commit().await.unwrap();
        let c = db
            .instruction_overview(t.id, db.now(), &cal)
            .await
            .unwrap()
            .instructions[0]
            .completion;
        assert_eq!((c.total, c.signed, c.overdue), (3, 1, 0));
        clock.advance(Duration::days(16));
        let c = db
            .instruction_overview(t.id, db.now(), &cal)
            .await
            .unwrap()
            .instructions[0]
            .completion;
        assert_eq!((c.total, c.signed, c.overdue), (3, 1, 2));
        let mine = db
            .instructions_for_person(t.id, author, db.now(), &cal)
            .await
            .unwrap();
        assert_eq!(mine[0].standing.as_str(), "overdue");
        // Core per-person standings agree with the SQL counts.
        let all = db.all_standings(t.id, 100, db.now(), &cal).await.unwrap();
        let overdue = all
            .iter()
            .flat_map(|p| &p.items)
            .filter(|(_, s)| s.as_str() == "overdue")
            .count();
        assert_eq!(overdue, 2);
        // A major version: due again for the worker.
        major_version(&db, &t, v.instruction, author, approver, Duration::ZERO).await;
        let c = db
            .instruction_overview(t.id, db.now(), &cal)
            .await
            .unwrap()
            .instructions[0]
            .completion;
        assert_eq!((c.total, c.signed, c.overdue), (3, 0, 0));
        let mine = db
            .instructions_for_person(t.id, worker, db.now(), &cal)
            .await
            .unwrap();
        assert_eq!(mine[0].standing.as_str(), "missing");
        assert_eq!(mine[0].version.number.to_string(), "2.0");
    })
    .await;
}

#[tokio::test]
async fn the_overview_is_kept_until_the_end_of_the_local_day_or_until_a_version_comes_into_force() {
    each_engine(|env| async move {
        let db = env.db;
        let clock = env.clock;
        let t = tenant(&db, "hold").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let author = new_person(&db, &t, "1", None).await;
        let approver = new_person(&db, &t, "2", None).await;
        let v = published(&db, &t, author, approver, Audience::everyone()).await;
        let first = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(
            first.valid_until,
            vakt_core::instructions::standings_hold_until(&cal, first.computed_at)
        );
        assert!(first.valid_until > first.computed_at);
        // Up to the end of the local day nothing can turn overdue: the same counts, not counted again.
        // (The test clock moves in whole seconds, on top of the real one.)
        clock.advance(first.valid_until - first.computed_at - Duration::seconds(1));
        let again = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &again));
        clock.advance(Duration::seconds(2));
        let next_day = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert!(!std::sync::Arc::ptr_eq(&first, &next_day));
        assert!(next_day.computed_at > first.valid_until);
        // A version published to come into force in an hour: the overview is kept only until then.
        let from =
            major_version(&db, &t, v.instruction, author, approver, Duration::hours(1)).await;
        let before = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(before.instructions[0].version.to_string(), "1.0");
        assert!(
            before.valid_until < from,
            "{:?} {from:?}",
            before.valid_until
        );
        clock.advance(Duration::hours(1));
        let after = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(after.instructions[0].version.to_string(), "2.0");
    })
    .await;
}

/// Completion per instruction and unit as core's per-person standings give it (the reference for
/// the overview's SQL counts).
async fn completion_by_standings(
    db: &Db,
    t: &Tenant,
    cal: &TenantCalendar,
) -> std::collections::BTreeMap<(InstructionId, Option<UnitId>), (i64, i64, i64)> {
    let mut out = std::collections::BTreeMap::new();
    for p in db.all_standings(t.id, 10_000, db.now(), cal).await.unwrap() {
        for (i, s) in &p.items {
            let c: &mut (i64, i64, i64) = out.entry((*i, p.unit)).or_default();
            c.0 += 1;
            c.1 += i64::from(s.is_signed());
            c.2 += i64::from(s.as_str() == "overdue");
        }
    }
    out
}

fn completion_by_overview(
    o: &vakt_store::Overview,
) -> std::collections::BTreeMap<(InstructionId, Option<UnitId>), (i64, i64, i64)> {
    let mut out = std::collections::BTreeMap::new();
    for ic in &o.instructions {
        let mut sum = (0, 0, 0);
        for (u, c) in &ic.by_unit {
            if c.total > 0 {
                out.insert((ic.instruction, *u), (c.total, c.signed, c.overdue));
            }
            sum = (sum.0 + c.total, sum.1 + c.signed, sum.2 + c.overdue);
        }
        let total = ic.completion;
        assert_eq!(sum, (total.total, total.signed, total.overdue));
    }
    out
}

#[tokio::test]
async fn new_acknowledgments_are_applied_to_the_counted_overview_and_agree_with_every_standing() {
    each_engine(|env| async move {
        let db = env.db;
        let clock = env.clock;
        let t = tenant(&db, "delta").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let a = unit(&db, &t, "A", None).await;
        let b = unit(&db, &t, "B", Some(a)).await;
        let author = new_person(&db, &t, "1", Some(a)).await;
        let approver = new_person(&db, &t, "2", Some(b)).await;
        let mut people = vec![author, approver];
        for n in 3..9 {
            let u = [Some(a), Some(b), None][n % 3];
            people.push(new_person(&db, &t, &n.to_string(), u).await);
        }
        let all = published(&db, &t, author, approver, Audience::everyone()).await;
        let in_b = published(&db, &t, author, approver, unit_audience(vec![b], false)).await;
        // Everyone so far is overdue after 16 days; someone who joins then is only missing.
        clock.advance(Duration::days(16));
        let late = new_person(&db, &t, "9", Some(b)).await;
        people.push(late);
        let counted = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(
            completion_by_overview(&counted),
            completion_by_standings(&db, &t, &cal).await
        );
        assert_eq!(counted.instructions[0].completion.overdue, 8);

        // Signatures one by one and several in one transaction: an overdue person, the late one, and
        // a person outside the second instruction's audience signing it anyway.
        clock.advance(Duration::seconds(5));
        let sign = |v: InstructionVersion, who: Vec<PersonId>| {
            let db = db.clone();
            let t = t.clone();
            async move {
                let mut tx = db.write(&ctx(&t)).await.unwrap();
                for p in who {
                    tx.record_ack(&ack_for(&v, p, &db)).await.unwrap();
                }
                tx.commit().await.unwrap();
            }
        };
        sign(all.clone(), vec![people[2], late]).await;
        sign(in_b.clone(), vec![approver, people[2]]).await;
        let updated = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(
            updated.counted_at, counted.counted_at,
            "applied, not counted again"
        );
        assert!(updated.computed_at > counted.computed_at);
        let expected = completion_by_standings(&db, &t, &cal).await;
        assert_eq!(completion_by_overview(&updated), expected);
        assert_eq!(updated.instructions[0].completion.signed, 2);
        assert_eq!(updated.instructions[0].completion.overdue, 7);

        // And again from the updated counts, with someone who had signed confirming again.
        sign(all.clone(), vec![author]).await;
        let first = db
            .latest_ack(t.id, people[2], all.instruction)
            .await
            .unwrap()
            .unwrap();
        let again = first
            .supersede(vakt_core::instructions::AckInput {
                id: uuid::Uuid::now_v7().into(),
                person: people[2],
                instruction: all.instruction,
                version_id: all.id,
                version: all.number,
                text_shown: &all.body,
                version_text_hash: all.body_sha256,
                method: AckMethod::Password,
                at: db.now(),
                ip: None,
                user_agent: None,
            })
            .unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.record_ack(&again).await.unwrap();
        tx.commit().await.unwrap();
        let chained = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(chained.counted_at, counted.counted_at);
        assert_eq!(
            completion_by_overview(&chained),
            completion_by_standings(&db, &t, &cal).await
        );
        assert_eq!(chained.instructions[0].completion.signed, 3);

        // A signature whose transaction is still open while the overview is read: not in that
        // reading, and applied by the next one once committed.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.record_ack(&ack_for(&all, people[4], &db)).await.unwrap();
        let during = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(during.instructions[0].completion.signed, 3);
        tx.commit().await.unwrap();
        let committed = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(committed.counted_at, counted.counted_at);
        assert_eq!(committed.instructions[0].completion.signed, 4);
        assert_eq!(
            completion_by_overview(&committed),
            completion_by_standings(&db, &t, &cal).await
        );

        // Anything else (a person moving unit) has the overview counted again.
        clock.advance(Duration::seconds(5));
        move_person(&db, &t, late, "9", Some(a)).await;
        let recounted = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert!(recounted.counted_at > counted.counted_at);
        // Deadlines in another calendar (the tenant's time zone changed): counted again.
        let again = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&again, &recounted));
        let elsewhere = TenantCalendar::new("America/New_York").unwrap();
        let moved = db
            .instruction_overview(t.id, db.now(), &elsewhere)
            .await
            .unwrap();
        assert!(!std::sync::Arc::ptr_eq(&moved, &recounted));
        assert_eq!(
            completion_by_overview(&recounted),
            completion_by_standings(&db, &t, &cal).await
        );
    })
    .await;
}

#[tokio::test]
async fn a_long_count_runs_in_the_background_while_pages_get_the_last_counts_at_once() {
    each_engine(|env| async move {
        // Every count from scratch counts as long here.
        let db = env.db.with_overview_wait(std::time::Duration::ZERO);
        let t = tenant(&db, "behind").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let author = new_person(&db, &t, "1", None).await;
        let approver = new_person(&db, &t, "2", None).await;
        let worker = new_person(&db, &t, "3", None).await;
        let v = published(&db, &t, author, approver, Audience::everyone()).await;
        let read = || async {
            db.instruction_overview_now(t.id, db.now(), &cal)
                .await
                .unwrap()
        };
        // The first reading has nothing to show before it: it waits for the count.
        let r = read().await;
        assert!(!r.updating);
        assert_eq!(r.overview.instructions[0].completion.total, 3);
        // A signature is applied at once, never "being updated".
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.record_ack(&ack_for(&v, worker, &db)).await.unwrap();
        tx.commit().await.unwrap();
        let r = read().await;
        assert!(!r.updating);
        assert_eq!(r.overview.instructions[0].completion.signed, 1);
        // A new person: the last counts at once, marked, and the new ones once counted behind.
        new_person(&db, &t, "4", None).await;
        let r = read().await;
        assert!(r.updating);
        assert_eq!(r.overview.instructions[0].completion.total, 3);
        let mut r = read().await;
        for _ in 0..200 {
            if !r.updating {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
            r = read().await;
        }
        assert!(!r.updating, "the background count never arrived");
        let c = r.overview.instructions[0].completion;
        assert_eq!((c.total, c.signed), (4, 1));
        // The waiting reader (exports, tests) always gets the current counts.
        new_person(&db, &t, "5", None).await;
        let o = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(o.instructions[0].completion.total, 5);
    })
    .await;
}

#[tokio::test]
async fn the_standings_sequence_moves_with_what_standings_are_made_of_and_not_with_sign_ins() {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "seq").await;
        let cal = TenantCalendar::new("Europe/Oslo").unwrap();
        let author = new_person(&db, &t, "1", None).await;
        let approver = new_person(&db, &t, "2", None).await;
        let worker = new_person(&db, &t, "3", None).await;
        let v = published(&db, &t, author, approver, Audience::everyone()).await;
        let other = tenant(&db, "seq-other").await;
        let other0 = db.standings_seq(other.id).await.unwrap();
        let seq = || async { db.standings_seq(t.id).await.unwrap() };
        let s0 = seq().await;
        assert!(s0 > 0);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let acc = tx
            .create_account(vakt_store::NewAccount {
                username: "worker".into(),
                email: None,
                person: Some(worker),
                password_hash: "not-a-real-hash".into(),
                roles: vec![],
                must_change_password: false,
            })
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let s1 = seq().await;
        assert!(s1 > s0);
        // Failed sign-ins write the audit chain and the account, not what standings are made of: the
        // overview is not counted again.
        let before = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        for _ in 0..2 {
            let mut tx = db.write(&ctx(&t)).await.unwrap();
            tx.record_signin_failure(acc.id, &vakt_core::auth::LockoutPolicy::default())
                .await
                .unwrap();
            tx.commit().await.unwrap();
        }
        assert_eq!(seq().await, s1);
        let after = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert!(std::sync::Arc::ptr_eq(&before, &after));
        // Roles, a signature and a move do.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.set_roles(acc.id, &[Role::ItOperations]).await.unwrap();
        tx.commit().await.unwrap();
        let s2 = seq().await;
        assert!(s2 > s1);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.record_ack(&ack_for(&v, worker, &db)).await.unwrap();
        tx.commit().await.unwrap();
        let s3 = seq().await;
        assert!(s3 > s2);
        let signed = db.instruction_overview(t.id, db.now(), &cal).await.unwrap();
        assert_eq!(signed.instructions[0].completion.signed, 1);
        let u = unit(&db, &t, "S", None).await;
        assert!(seq().await > s3);
        let s4 = seq().await;
        move_person(&db, &t, worker, "3", Some(u)).await;
        assert!(seq().await > s4);
        // Another tenant's counter is its own.
        assert_eq!(db.standings_seq(other.id).await.unwrap(), other0);
    })
    .await;
}

/// A major version of `instruction`, written by `author`, approved by `approver` and published to come
/// into force `later` from now; returns that moment.
async fn major_version(
    db: &Db,
    t: &Tenant,
    instruction: InstructionId,
    author: PersonId,
    approver: PersonId,
    later: Duration,
) -> time::OffsetDateTime {
    let mut tx = db.write(&ctx(t)).await.unwrap();
    let v2 = tx
        .new_version(instruction, ChangeKind::Major, author)
        .await
        .unwrap();
    let from = vakt_core::directory::truncate_micros(tx.now() + later);
    let draft = DraftEdit {
        title: "Bruk av IKT".into(),
        body: "Ny tekst 2.0".into(),
        change_comment: "Nye krav".into(),
        approver: Some(approver),
        reviewers: vec![approver],
    };
    review_and_publish(&mut tx, v2.id, draft, author, approver, from).await;
    tx.commit().await.unwrap();
    from
}

/// A draft instruction written and owned by `author`, for `audience`.
async fn draft(
    db: &Db,
    t: &Tenant,
    author: PersonId,
    title: &str,
    audience: Audience,
) -> InstructionId {
    let mut tx = db.write(&ctx(t)).await.unwrap();
    let (inst, _) = tx
        .create_instruction(
            InstructionFields {
                title: title.into(),
                owner: author,
                category: "ict_use".into(),
                requires_signature: false,
                audience,
                sign_within_days: 14,
            },
            author,
            "Tekst\n",
            "Første versjon",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    inst.id
}

#[tokio::test]
async fn a_removed_attachment_is_kept_marked_and_hidden_from_the_list() {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "att").await;
        let other = tenant(&db, "att2").await;
        let author = new_person(&db, &t, "1", None).await;
        let inst = draft(&db, &t, author, "Rutine", Audience::everyone()).await;
        let second = draft(&db, &t, author, "Annen", Audience::everyone()).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let a = tx
            .add_attachment(inst, "rutine.txt", b"vedlegg")
            .await
            .unwrap();
        let b = tx
            .add_attachment(inst, "liste.txt", b"liste")
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // Another instruction's or another tenant's attachment is not found.
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.remove_attachment(second, a.id).await.unwrap_err().code(),
            "not_found"
        );
        drop(tx);
        let mut tx = db.write(&ctx(&other)).await.unwrap();
        assert_eq!(
            tx.remove_attachment(inst, a.id).await.unwrap_err().code(),
            "not_found"
        );
        drop(tx);

        let mut tx = db.write(&ctx(&t)).await.unwrap();
        assert!(tx.remove_attachment(inst, a.id).await.unwrap());
        assert!(!tx.remove_attachment(inst, a.id).await.unwrap());
        tx.commit().await.unwrap();
        let list = db.attachments(t.id, inst).await.unwrap();
        assert_eq!(list.iter().map(|x| x.id).collect::<Vec<_>>(), vec![b.id]);
        let (kept, bytes) = db.attachment_data(t.id, inst, a.id).await.unwrap().unwrap();
        assert_eq!(bytes, b"vedlegg");
        assert!(kept.removed_at.is_some());
        assert_eq!(kept.removed_by.as_deref(), Some("system:test"));
        assert!(
            db.attachment_data(other.id, inst, a.id)
                .await
                .unwrap()
                .is_none()
        );
        let removals = db
            .search_audit(
                t.id,
                &vakt_store::AuditFilter {
                    action: Some("instruction.attachment_remove".into()),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(removals.len(), 1);
        assert_eq!(removals[0].object_id, inst.to_string());
    })
    .await;
}

#[tokio::test]
async fn a_group_named_by_an_audience_is_not_deleted_and_an_unused_one_goes_with_members_and_prerequisites()
 {
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "gdel").await;
        let other = tenant(&db, "gdel2").await;
        let p = new_person(&db, &t, "1", None).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let used = group(&mut tx, "Brukt").await;
        let free = group(&mut tx, "Ledig").await;
        tx.add_group_member(used.id, p).await.unwrap();
        tx.add_group_member(free.id, p).await.unwrap();
        tx.commit().await.unwrap();
        let inst = draft(
            &db,
            &t,
            p,
            "Sikker sone",
            Audience {
                rules: vec![AudienceRule::AllOf {
                    rules: vec![
                        AudienceRule::Roles {
                            roles: vec![Role::Employee],
                        },
                        AudienceRule::Groups {
                            groups: vec![used.id],
                        },
                    ],
                }],
            },
        )
        .await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.set_prerequisites(
            &vakt_store::PrerequisiteHolder::Group(free.id.0),
            &[vakt_core::training::RequiredItem::Instruction(inst)],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let u = db.group_usage(t.id, used.id).await.unwrap().unwrap();
        assert_eq!(u.audience_of, vec![(inst, "Sikker sone".to_string())]);
        let f = db.group_usage(t.id, free.id).await.unwrap().unwrap();
        assert!(f.audience_of.is_empty());
        assert_eq!(f.prerequisites, 1);
        assert!(db.group_usage(other.id, free.id).await.unwrap().is_none());

        let mut tx = db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.delete_group(used.id).await.unwrap_err().code(),
            "group.in_use"
        );
        drop(tx);
        let mut tx = db.write(&ctx(&other)).await.unwrap();
        assert_eq!(
            tx.delete_group(free.id).await.unwrap_err().code(),
            "not_found"
        );
        drop(tx);
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        tx.delete_group(free.id).await.unwrap();
        tx.commit().await.unwrap();

        assert!(db.group(t.id, free.id).await.unwrap().is_none());
        assert!(db.group_members(t.id, free.id).await.unwrap().is_empty());
        assert_eq!(db.group(t.id, used.id).await.unwrap().unwrap().members, 1);
        let groups: Vec<_> = db
            .groups_of_person(t.id, p)
            .await
            .unwrap()
            .into_iter()
            .map(|(g, _)| g)
            .collect();
        assert_eq!(groups, vec![used.id]);
        assert!(db.prerequisites(t.id).await.unwrap().is_empty());
        let deleted = db
            .search_audit(
                t.id,
                &vakt_store::AuditFilter {
                    action: Some("group.delete".into()),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(deleted.len(), 1);
        let before = deleted[0].before.clone().unwrap_or_default();
        assert!(
            before.contains("Ledig") && before.contains(&format!("instruction:{inst}")),
            "{before}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_audience_may_name_only_the_tenants_groups_and_a_delete_waits_for_a_concurrent_audience()
{
    each_engine(|env| async move {
        let db = env.db;
        let t = tenant(&db, "gaud").await;
        let other = tenant(&db, "gaud2").await;
        let p = new_person(&db, &t, "1", None).await;
        let mut tx = db.write(&ctx(&other)).await.unwrap();
        let foreign = group(&mut tx, "Fremmed").await;
        tx.commit().await.unwrap();
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let g = group(&mut tx, "Vaktlag").await;
        tx.commit().await.unwrap();
        let fields = |groups: Vec<GroupId>| InstructionFields {
            title: "Vakt".into(),
            owner: p,
            category: "home_office".into(),
            requires_signature: false,
            audience: Audience {
                rules: vec![AudienceRule::AllOf {
                    rules: vec![AudienceRule::Groups { groups }],
                }],
            },
            sign_within_days: 14,
        };
        // Another tenant's group and an unknown id are refused, on create and on update.
        for bad in [foreign.id, GroupId::new()] {
            let mut tx = db.write(&ctx(&t)).await.unwrap();
            let err = tx
                .create_instruction(fields(vec![g.id, bad]), p, "# Vakt\n", "Ny")
                .await
                .unwrap_err();
            assert_eq!(err.code(), "instruction.audience_group_unknown");
        }
        let inst = draft(&db, &t, p, "Vakt", Audience::everyone()).await;
        let mut tx = db.write(&ctx(&t)).await.unwrap();
        let err = tx
            .update_instruction(inst, fields(vec![foreign.id]))
            .await
            .unwrap_err();
        assert_eq!(err.code(), "instruction.audience_group_unknown");
        drop(tx);

        // An audience written while a delete of its group is under way: the delete waits for the
        // audience's transaction and then refuses, so no audience is left naming a deleted group.
        let mut writer = db.write(&ctx(&t)).await.unwrap();
        writer
            .update_instruction(inst, fields(vec![g.id]))
            .await
            .unwrap();
        let deleter = {
            let db = db.clone();
            let c = ctx(&t);
            tokio::spawn(async move {
                let mut tx = db.write(&c).await?;
                tx.delete_group(g.id).await?;
                tx.commit().await
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!deleter.is_finished(), "the delete waits for the audience");
        writer.commit().await.unwrap();
        let err = deleter.await.unwrap().unwrap_err();
        assert_eq!(err.code(), "group.in_use");
        assert!(db.group(t.id, g.id).await.unwrap().is_some());
    })
    .await;
}
