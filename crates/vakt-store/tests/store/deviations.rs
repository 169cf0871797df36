//! Deviations store: reports with their immutable snapshot, the working record, workflow state,
//! obligations with the append-only submission log, measures, links, comments, attachments,
//! tenant scoping, and the legal hold on a case's audit events.

use time::Duration;
use vakt_core::audit::{AuditClass, AuditRetention};
use vakt_core::deviations::{
    Answer, CaseState, Consequence, Likelihood, Obligation, RegimeSet, Severity, Submission,
    SubmissionKind, Trigger, start_obligations,
};
use vakt_core::directory::Tenant;
use vakt_store::{
    AffectedKind, AuditFilter, CaseChange, CaseFilter, CaseOrder, Db, NewAttachment, NewCase,
    PersonalData, Reporter, Secrecy,
};

use crate::harness::{Env, ctx, each_engine, person, tenant};

fn report(env: &Env, reporter: vakt_core::directory::PersonId, title: &str) -> NewCase {
    NewCase {
        title: title.into(),
        description: "Left on the bus, screen unlocked".into(),
        category_key: "information_security".into(),
        unit: None,
        occurred_at: Some(env.db.now() - Duration::hours(3)),
        discovered_at: env.db.now() - Duration::hours(1),
        personal_data: PersonalData::Yes,
        affected: vec![(AffectedKind::Equipment, "Mobile phone".into())],
        reporter: Reporter::Person {
            person: reporter,
            account: None,
        },
    }
}

async fn setup(db: &Db, slug: &str) -> (Tenant, vakt_core::directory::PersonId) {
    let t = tenant(db, slug).await;
    let mut tx = db.write(&ctx(&t)).await.unwrap();
    let p = tx
        .create_person(person("1001", "Kari", "Nordmann"))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    (t, p.id)
}

#[tokio::test]
async fn a_report_keeps_its_snapshot_and_hash_in_the_audit_chain() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let case = tx
            .report_dev_case(report(&env, kari, "Lost phone"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(case.number, 1);
        assert_eq!(case.state, CaseState::Reported);
        assert_eq!(case.aware_at, case.reported_at);
        assert!(case.reported_snapshot.contains("Lost phone"));
        let events = env
            .db
            .search_audit(
                t.id,
                &AuditFilter {
                    object_type: Some("deviation".into()),
                    object_id: Some(case.id.to_string()),
                    ..Default::default()
                },
                10,
                0,
            )
            .await
            .unwrap();
        assert_eq!(events.len(), 1);
        assert!(
            events[0]
                .after
                .as_deref()
                .unwrap_or_default()
                .contains(&case.reported_hash)
        );
        // The working record changes; the snapshot does not.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.change_dev_case(case.id, CaseChange::Severity(Some(Severity::High)))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let again = env.db.dev_case(t.id, case.id).await.unwrap().unwrap();
        assert_eq!(again.severity, Some(Severity::High));
        assert_eq!(again.reported_snapshot, case.reported_snapshot);
        assert_eq!(again.reported_hash, case.reported_hash);
        assert_eq!(env.db.dev_timeline(t.id, case.id).await.unwrap().len(), 2);
        // A second report gets the next number; another tenant starts at 1 and sees nothing.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let second = tx
            .report_dev_case(report(&env, kari, "Wrong e-mail"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(second.number, 2);
        let (other, bob) = setup(&env.db, "bergen").await;
        assert!(env.db.dev_case(other.id, case.id).await.unwrap().is_none());
        let mut tx = env.db.write(&ctx(&other)).await.unwrap();
        assert_eq!(
            tx.report_dev_case(report(&env, bob, "x"))
                .await
                .unwrap()
                .number,
            1
        );
        // Using alfa's person in beta's case is refused by the tenant-scoped foreign key.
        assert!(
            tx.change_dev_case(second.id, CaseChange::Assign(Some(kari)))
                .await
                .is_err()
        );
        drop(tx);
        let (list, total) = env
            .db
            .dev_cases(
                t.id,
                &CaseFilter {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!((list.len(), total), (2, 2));
        assert_eq!(list[0].id, second.id, "newest first");
    })
    .await;
}

#[tokio::test]
async fn bad_reports_are_refused_with_a_code_and_nothing_is_written() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "oslo").await;
        let mut bad = report(&env, kari, "  ");
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.report_dev_case(bad.clone()).await.unwrap_err().code(),
            "deviation.title_invalid"
        );
        drop(tx);
        bad.title = "Future".into();
        bad.discovered_at = env.db.now() + Duration::days(1);
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.report_dev_case(bad.clone()).await.unwrap_err().code(),
            "deviation.time_in_future"
        );
        drop(tx);
        bad.discovered_at = env.db.now();
        bad.category_key = "nope".into();
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.report_dev_case(bad).await.unwrap_err().code(),
            "deviation.category_unknown"
        );
        drop(tx);
        let (_, total) = env
            .db
            .dev_cases(
                t.id,
                &CaseFilter {
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(total, 0);
    })
    .await;
}

#[tokio::test]
async fn workflow_fields_measures_links_comments_and_attachments_are_stored() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let a = tx
            .report_dev_case(report(&env, kari, "Lost phone"))
            .await
            .unwrap();
        let b = tx
            .report_dev_case(report(&env, kari, "Lost card"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.set_dev_state(a.id, CaseState::Reported, CaseState::Triage, None)
            .await
            .unwrap();
        tx.change_dev_case(a.id, CaseChange::Assign(Some(kari)))
            .await
            .unwrap();
        tx.change_dev_case(
            a.id,
            CaseChange::Risk(Consequence::Serious, Likelihood::Possible),
        )
        .await
        .unwrap();
        tx.change_dev_case(
            a.id,
            CaseChange::Answer("intrusion".into(), Answer::Choice("none".into())),
        )
        .await
        .unwrap();
        tx.change_dev_case(
            a.id,
            CaseChange::Secrecy(Secrecy::Exempt, "Offentleglova § 24".into()),
        )
        .await
        .unwrap();
        tx.link_dev_cases(a.id, b.id).await.unwrap();
        tx.link_dev_cases(b.id, a.id).await.unwrap();
        tx.add_dev_comment(a.id, "Phone is wiped remotely")
            .await
            .unwrap();
        let m = tx
            .add_dev_measure(
                a.id,
                "Remote wipe",
                kari,
                Some(env.db.now() + Duration::days(2)),
            )
            .await
            .unwrap();
        let att = tx
            .add_dev_attachment(
                a.id,
                NewAttachment {
                    name: "log.txt".into(),
                    content_type: "text/plain".into(),
                    data: b"wiped 12:03".to_vec(),
                    secrecy: Secrecy::Open,
                    secrecy_basis: String::new(),
                },
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        // A state that moved meanwhile is a conflict, not a silent overwrite.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.set_dev_state(a.id, CaseState::Reported, CaseState::Triage, None)
                .await
                .unwrap_err()
                .code(),
            "deviation.state_changed"
        );
        drop(tx);
        // Refused inputs.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        for bad in [
            CaseChange::Answer("intrusion".into(), Answer::Yes),
            CaseChange::Answer("no_such_question".into(), Answer::Yes),
            CaseChange::Secrecy(Secrecy::Exempt, " ".into()),
        ] {
            assert!(tx.change_dev_case(a.id, bad).await.is_err());
        }
        drop(tx);
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let too_big = NewAttachment {
            name: "big.bin".into(),
            content_type: "application/x-msdownload".into(),
            data: vec![0; 10],
            secrecy: Secrecy::Open,
            secrecy_basis: String::new(),
        };
        assert_eq!(
            tx.add_dev_attachment(a.id, too_big)
                .await
                .unwrap_err()
                .code(),
            "deviation.attachment_type"
        );
        drop(tx);

        let case = env.db.dev_case(t.id, a.id).await.unwrap().unwrap();
        assert_eq!(case.state, CaseState::Triage);
        assert!(case.triaged_at.is_some());
        assert_eq!(case.assignee, Some(kari));
        assert_eq!(case.secrecy, Secrecy::Exempt);
        assert_eq!(
            case.checklist.get("intrusion"),
            Some(&Answer::Choice("none".into()))
        );
        assert_eq!(env.db.dev_links(t.id, a.id).await.unwrap().len(), 1);
        assert_eq!(env.db.dev_links(t.id, b.id).await.unwrap()[0].id, a.id);
        assert_eq!(env.db.dev_comments(t.id, a.id).await.unwrap().len(), 1);
        let (meta, data) = env
            .db
            .dev_attachment_data(t.id, a.id, att.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((meta.size, data), (11, b"wiped 12:03".to_vec()));
        assert!(
            env.db
                .dev_attachment_data(t.id, b.id, att.id)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(env.db.dev_measures_of(t.id, kari).await.unwrap().len(), 1);

        // Settle the measure with a person actor.
        let actor = vakt_core::audit::Actor {
            person: Some(kari),
            ..vakt_core::audit::Actor::system("test")
        };
        let actx = vakt_store::AuditCtx::new(t.id, actor);
        let mut tx = env.db.write(&actx).await.unwrap();
        tx.settle_dev_measure(a.id, m.id, None).await.unwrap();
        tx.commit().await.unwrap();
        let mut tx = env.db.write(&actx).await.unwrap();
        assert!(tx.settle_dev_measure(a.id, m.id, None).await.is_err());
        drop(tx);
        assert!(env.db.dev_measures(t.id, a.id).await.unwrap()[0].is_settled());
        let stats = env
            .db
            .dev_stats(
                t.id,
                env.db.now() - Duration::days(1),
                env.db.now() + Duration::days(1),
            )
            .await
            .unwrap();
        assert_eq!(stats.iter().map(|s| s.count).sum::<i64>(), 2);
    })
    .await;
}

#[tokio::test]
async fn obligations_keep_an_append_only_submission_log() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let case = tx
            .report_dev_case(report(&env, kari, "Lost phone"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let regimes = RegimeSet::preset(vakt_core::Country::No).unwrap();
        let start = start_obligations(&regimes, Trigger::PersonalDataBreach, case.aware_at);
        assert_eq!(start.len(), 2);
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let flagged = tx
            .flag_dev_case(case.id, Some(true), None, &start)
            .await
            .unwrap();
        // Flagging again does not start the clocks twice.
        tx.flag_dev_case(case.id, Some(true), None, &start)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(flagged.is_breach);
        let stored = env.db.dev_obligations(t.id, case.id).await.unwrap();
        assert_eq!(stored.len(), 2);
        let mut gdpr: Obligation = stored
            .iter()
            .find(|o| o.obligation.regime == "gdpr_authority")
            .unwrap()
            .obligation
            .clone();
        assert_eq!(gdpr.aware_at, case.aware_at);
        gdpr.submissions.push(Submission {
            phase: "notification".into(),
            kind: SubmissionKind::Initial,
            at: env.db.now(),
            by: kari,
            channel: "Altinn".into(),
            authority_reference: Some("DT-2026-123".into()),
            delay_reasons: None,
        });
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.save_dev_obligation(case.id, &gdpr).await.unwrap();
        tx.commit().await.unwrap();
        let again = env.db.dev_obligations(t.id, case.id).await.unwrap();
        let g = &again
            .iter()
            .find(|o| o.obligation.regime == "gdpr_authority")
            .unwrap()
            .obligation;
        assert_eq!(g.submissions.len(), 1);
        assert_eq!(
            g.submissions[0].authority_reference.as_deref(),
            Some("DT-2026-123")
        );
        // Rewriting history is refused.
        let mut rewritten = g.clone();
        rewritten.submissions[0].channel = "phone".into();
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        assert_eq!(
            tx.save_dev_obligation(case.id, &rewritten)
                .await
                .unwrap_err()
                .code(),
            "deviation.submissions_append_only"
        );
        drop(tx);
        let (breaches, _) = env
            .db
            .dev_cases(
                t.id,
                &CaseFilter {
                    breach_only: true,
                    order: CaseOrder::Urgency,
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(breaches.len(), 1);
    })
    .await;
}

#[tokio::test]
async fn an_open_investigation_holds_the_case_events_until_closure() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "oslo").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let case = tx
            .report_dev_case(report(&env, kari, "Lost phone"))
            .await
            .unwrap();
        let other = tx
            .report_dev_case(report(&env, kari, "Spam"))
            .await
            .unwrap();
        tx.hold_dev_case(case.id, "investigation").await.unwrap();
        tx.commit().await.unwrap();
        let held = env
            .db
            .dev_case(t.id, case.id)
            .await
            .unwrap()
            .unwrap()
            .hold_id;
        assert!(held.is_some());
        env.clock.advance(Duration::days(400));
        let retention = AuditRetention {
            security_days: None,
            admin_days: Some(365),
            usage_days: Some(90),
        };
        let about = |id: vakt_core::deviations::CaseId| AuditFilter {
            object_type: Some("deviation".into()),
            object_id: Some(id.to_string()),
            class: Some(AuditClass::Admin),
            ..Default::default()
        };
        env.db.purge_audit(&ctx(&t), &retention).await.unwrap();
        assert_eq!(
            env.db
                .search_audit(t.id, &about(case.id), 10, 0)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(
            env.db
                .search_audit(t.id, &about(other.id), 10, 0)
                .await
                .unwrap()
                .is_empty()
        );
        // Closure releases the hold; the next purge removes the held events once they are old.
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.release_dev_case_hold(case.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(
            env.db
                .dev_case(t.id, case.id)
                .await
                .unwrap()
                .unwrap()
                .hold_id
                .is_none()
        );
        env.clock.advance(Duration::days(400));
        env.db.purge_audit(&ctx(&t), &retention).await.unwrap();
        assert!(
            env.db
                .search_audit(t.id, &about(case.id), 10, 0)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(env.db.verify_audit(t.id).await.unwrap().is_ok());
    })
    .await;
}

#[tokio::test]
async fn the_module_configuration_round_trips_and_the_anonymous_token_finds_its_tenant() {
    each_engine(|env| async move {
        let (t, _) = setup(&env.db, "oslo").await;
        assert_eq!(
            env.db.dev_config(t.id).await.unwrap(),
            vakt_store::DevConfig::default()
        );
        let cfg = vakt_store::DevConfig {
            anonymous_enabled: true,
            anonymous_token: Some("tok-123".into()),
            triage_hours: 8,
            stats_threshold: 3,
            ..Default::default()
        };
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.set_dev_config(&cfg).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(env.db.dev_config(t.id).await.unwrap(), cfg);
        assert_eq!(
            env.db
                .dev_tenant_by_anonymous_token("tok-123")
                .await
                .unwrap(),
            Some(t.id)
        );
        let off = vakt_store::DevConfig {
            anonymous_enabled: false,
            ..cfg
        };
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.set_dev_config(&off).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            env.db
                .dev_tenant_by_anonymous_token("tok-123")
                .await
                .unwrap(),
            None
        );
    })
    .await;
}

#[tokio::test]
async fn large_lists_count_up_to_the_cap_page_by_keyset_and_put_running_deadlines_first() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "bulk").await;
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        let cat = tx.ensure_dev_categories().await.unwrap()[0].id;
        tx.commit().await.unwrap();
        let now = env.db.now();
        let rows: Vec<vakt_store::BulkCase> = (0..1100i64)
            .map(|i| vakt_store::BulkCase {
                title: format!("Case {i}"),
                description: String::new(),
                category: cat,
                unit: None,
                reporter: Some(kari),
                discovered_at: now - Duration::minutes(2 * i + 1),
                reported_at: now - Duration::minutes(2 * i),
                state: if i % 2 == 0 {
                    CaseState::Reported
                } else {
                    CaseState::Closed
                },
                personal_data: PersonalData::No,
                is_breach: i % 100 == 0,
            })
            .collect();
        let mut tx = env.db.write(&ctx(&t)).await.unwrap();
        tx.bulk_insert_dev_cases(&rows).await.unwrap();
        tx.commit().await.unwrap();
        let page = |f: CaseFilter| {
            let db = env.db.clone();
            async move { db.dev_cases(t.id, &f).await.unwrap() }
        };
        // Counted up to the cap; more is "cap + 1".
        let (first, total) = page(CaseFilter {
            limit: 50,
            ..Default::default()
        })
        .await;
        assert_eq!(total, vakt_store::CASE_COUNT_CAP + 1);
        assert_eq!(first[0].title, "Case 0");
        // The keyset page after the 50th equals the offset page 50..100.
        let (after, _) = page(CaseFilter {
            limit: 50,
            after: Some(first[49].id),
            ..Default::default()
        })
        .await;
        let (offset, _) = page(CaseFilter {
            limit: 50,
            offset: 50,
            ..Default::default()
        })
        .await;
        let ids = |v: &[vakt_store::CaseSummary]| v.iter().map(|c| c.id).collect::<Vec<_>>();
        assert_eq!(ids(&after), ids(&offset));
        assert_eq!(after[0].title, "Case 50");
        // A rare filter is counted exactly and listed newest first; open ones by state list.
        let (breaches, n) = page(CaseFilter {
            limit: 50,
            breach_only: true,
            ..Default::default()
        })
        .await;
        assert_eq!(n, 11);
        assert_eq!(breaches.len(), 11);
        assert_eq!(breaches[1].title, "Case 100");
        let (_, open) = page(CaseFilter {
            limit: 5,
            open_only: true,
            breach_only: true,
            ..Default::default()
        })
        .await;
        assert_eq!(open, 11, "cases 0, 100, … are even, so reported");
        // A running deadline puts a case first in the urgency order; the rest follow newest first.
        let old = first[40].id;
        env.db
            .set_dev_next_due(t.id, old, Some(now + Duration::hours(5)))
            .await
            .unwrap();
        let (urgent, _) = page(CaseFilter {
            limit: 3,
            open_only: true,
            order: CaseOrder::Urgency,
            ..Default::default()
        })
        .await;
        assert_eq!(urgent[0].id, old);
        assert_eq!(urgent[1].title, "Case 0");
        let (second, _) = page(CaseFilter {
            limit: 3,
            offset: 3,
            open_only: true,
            order: CaseOrder::Urgency,
            ..Default::default()
        })
        .await;
        assert_eq!(
            second[0].title, "Case 4",
            "after the urgent one and cases 0 and 2"
        );
        // A title search: many matches are counted up to the cap and paged in list order (the same
        // pages as without the text, here where every title matches); few are found and sorted.
        let text = |q: &str, f: CaseFilter| CaseFilter {
            text: Some(q.into()),
            ..f
        };
        let (many, n) = page(text(
            "CASE",
            CaseFilter {
                limit: 50,
                ..Default::default()
            },
        ))
        .await;
        assert_eq!(n, vakt_store::CASE_COUNT_CAP + 1);
        assert_eq!(ids(&many), ids(&first));
        let (many_after, _) = page(text(
            "case",
            CaseFilter {
                limit: 50,
                after: Some(first[49].id),
                ..Default::default()
            },
        ))
        .await;
        assert_eq!(ids(&many_after), ids(&after));
        let (few, n) = page(text(
            "case 10",
            CaseFilter {
                limit: 50,
                ..Default::default()
            },
        ))
        .await;
        assert_eq!(n, 111, "Case 10, 100–109 and 1000–1099");
        let titles =
            |v: &[vakt_store::CaseSummary]| v.iter().map(|c| c.title.clone()).collect::<Vec<_>>();
        assert_eq!(titles(&few[..3]), ["Case 10", "Case 100", "Case 101"]);
        assert_eq!(few[49].title, "Case 1038");
        let (few_after, _) = page(text(
            "case 10",
            CaseFilter {
                limit: 50,
                after: Some(few[49].id),
                ..Default::default()
            },
        ))
        .await;
        assert_eq!(few_after[0].title, "Case 1039");
        assert_eq!(few_after.len(), 50);
        let (few_offset, _) = page(text(
            "case 10",
            CaseFilter {
                limit: 50,
                offset: 50,
                ..Default::default()
            },
        ))
        .await;
        assert_eq!(ids(&few_offset), ids(&few_after));
        // Urgency with a title search, dense and sparse: the running deadline first.
        for (q, expect) in [
            ("case", ["Case 40", "Case 0", "Case 2"]),
            ("case 4", ["Case 40", "Case 4", "Case 42"]),
        ] {
            let (urgent, _) = page(text(
                q,
                CaseFilter {
                    limit: 3,
                    open_only: true,
                    order: CaseOrder::Urgency,
                    ..Default::default()
                },
            ))
            .await;
            assert_eq!(titles(&urgent), expect, "{q}");
        }
        // An unknown cursor is an error, not an empty page.
        assert!(
            env.db
                .dev_cases(
                    t.id,
                    &CaseFilter {
                        limit: 5,
                        after: Some(vakt_core::deviations::CaseId(uuid::Uuid::now_v7())),
                        ..Default::default()
                    },
                )
                .await
                .is_err()
        );
    })
    .await;
}

#[tokio::test]
async fn title_search_finds_substrings_in_any_case_through_the_index_and_after_an_upgrade() {
    each_engine(|env| async move {
        let (t, kari) = setup(&env.db, "search").await;
        let (other, other_person) = setup(&env.db, "elsewhere").await;
        let now = env.db.now();
        let bulk = |titles: &[&str], p| {
            titles
                .iter()
                .enumerate()
                .map(|(i, title)| vakt_store::BulkCase {
                    title: (*title).to_owned(),
                    description: String::new(),
                    category: uuid::Uuid::nil(),
                    unit: None,
                    reporter: Some(p),
                    discovered_at: now - Duration::minutes(i as i64 + 2),
                    reported_at: now - Duration::minutes(i as i64 + 1),
                    state: CaseState::Reported,
                    personal_data: PersonalData::No,
                    is_breach: false,
                })
                .collect::<Vec<_>>()
        };
        for (tenant, person, titles) in [
            (
                &t,
                kari,
                &[
                    "Mobiltelefon glemt på bussen",
                    "ØDELAGT minnepenn med elevlister",
                    "Tjenestetelefonen stjålet",
                    "Faktura med \"nytt\" kontonummer (100% sikkert svindel)",
                    "PC uten kryptering",
                ][..],
            ),
            (&other, other_person, &["Telefon i annen kommune"][..]),
        ] {
            let mut tx = env.db.write(&ctx(tenant)).await.unwrap();
            let cat = tx.ensure_dev_categories().await.unwrap()[0].id;
            let mut rows = bulk(titles, person);
            for r in &mut rows {
                r.category = cat;
            }
            tx.bulk_insert_dev_cases(&rows).await.unwrap();
            tx.commit().await.unwrap();
        }
        let titles = |q: &str| {
            let db = env.db.clone();
            let q = q.to_owned();
            async move {
                let (list, n) = db
                    .dev_cases(
                        t.id,
                        &CaseFilter {
                            limit: 50,
                            text: Some(q),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                assert_eq!(n as usize, list.len());
                list.into_iter().map(|c| c.title).collect::<Vec<_>>()
            }
        };
        // Substrings in any case (Norwegian letters folded too), newest first, this tenant only.
        assert_eq!(
            titles("TELEFON").await,
            ["Mobiltelefon glemt på bussen", "Tjenestetelefonen stjålet"]
        );
        assert_eq!(
            titles("ødelagt minne").await,
            ["ØDELAGT minnepenn med elevlister"]
        );
        // Quotes, percent signs and short words are text, not syntax.
        assert_eq!(
            titles("\"nytt\"").await,
            ["Faktura med \"nytt\" kontonummer (100% sikkert svindel)"]
        );
        assert_eq!(
            titles("100%").await,
            ["Faktura med \"nytt\" kontonummer (100% sikkert svindel)"]
        );
        assert_eq!(titles("0%").await.len(), 1);
        assert_eq!(titles("pc").await, ["PC uten kryptering"]);
        assert!(titles("telefon i annen").await.is_empty());
        assert!(titles("e*").await.is_empty());
        // Cases stored before the folded title existed are folded (and indexed) by migrate.
        let sql = "UPDATE dev_cases SET search_title = NULL WHERE title LIKE 'PC%'";
        if let Some(p) = env.db.raw_sqlite() {
            sqlx::query(sql).execute(p).await.unwrap();
        } else {
            let p = env.db.raw_postgres().expect("an engine");
            sqlx::query(sql).execute(p).await.unwrap();
        }
        assert!(titles("kryptering").await.is_empty());
        env.db.migrate().await.unwrap();
        assert_eq!(titles("KRYPTERING").await, ["PC uten kryptering"]);
        assert_eq!(titles("pc").await, ["PC uten kryptering"]);
    })
    .await;
}
