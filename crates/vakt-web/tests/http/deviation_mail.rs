//! Deviation e-mail against a real SMTP server (aiosmtpd): with a moved clock, the escalation
//! points of the 72-hour breach clock go out exactly when they come (not a second earlier, each
//! once), to the assignee, the coordinator and the DPO; nothing after the notification is recorded.

use time::Duration;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::deviations::{
    CaseState, RegimeSet, Submission, SubmissionKind, Trigger, start_obligations,
};
use vakt_core::directory::{Employment, PersonKind};
use vakt_core::{Country, Role};
use vakt_store::{CaseChange, NewAccount, NewCase, NewPerson, PersonalData, Reporter};

use crate::harness::Engine;
use crate::mail::app_with_mail;
use crate::smtp::TestSmtp;

async fn escalations_at_the_configured_points(engine: Engine) {
    let smtp = TestSmtp::start();
    let Some(app) = app_with_mail(engine, &smtp).await else {
        return;
    };
    let t = app.tenant.clone();
    let ctx = AuditCtx::new(t.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let mut people = Vec::new();
    for (n, role) in [
        ("coord", Role::SecurityCoordinator),
        ("dpo", Role::Dpo),
        ("staff", Role::Employee),
    ] {
        let p = tx
            .create_person(NewPerson {
                employee_number: format!("M-{n}"),
                given_name: n.into(),
                family_name: "Test".into(),
                email: Some(format!("{n}@kommune.test")),
                kind: PersonKind::Employee,
                unit: None,
                manager: None,
                employment: Employment::active(),
                birth_date: None,
                preferred_language: None,
            })
            .await
            .unwrap();
        tx.create_account(NewAccount {
            username: n.into(),
            email: None,
            person: Some(p.id),
            password_hash: "x".into(),
            roles: vec![Role::Employee, role],
            must_change_password: false,
        })
        .await
        .unwrap();
        people.push(p);
    }
    let case = tx
        .report_dev_case(NewCase {
            title: "Lost phone".into(),
            description: String::new(),
            category_key: "information_security".into(),
            unit: None,
            occurred_at: None,
            discovered_at: app.db.now() - Duration::minutes(5),
            personal_data: PersonalData::Yes,
            affected: Vec::new(),
            reporter: Reporter::Person {
                person: people[2].id,
                account: None,
            },
        })
        .await
        .unwrap();
    tx.set_dev_state(case.id, CaseState::Reported, CaseState::Triage, None)
        .await
        .unwrap();
    tx.change_dev_case(case.id, CaseChange::Assign(Some(people[0].id)))
        .await
        .unwrap();
    let regimes = RegimeSet::preset(Country::No).unwrap();
    let start = start_obligations(&regimes, Trigger::PersonalDataBreach, case.aware_at);
    tx.flag_dev_case(case.id, Some(true), None, &start)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let due = vakt_web::deviations::refresh_due(&app.state, &t, case.id)
        .await
        .unwrap();
    assert_eq!(due, Some(case.aware_at + Duration::hours(72)));

    let escalations = || {
        smtp.messages()
            .into_iter()
            .filter(|m| m.subject.contains(&format!("sak {}", case.number)))
            .collect::<Vec<_>>()
    };
    let tick = || vakt_web::jobs::tick(&app.state, "w");
    tick().await.unwrap();
    assert!(escalations().is_empty(), "nothing before the first point");
    // The preset: 48 h, 24 h and 4 h before, and at expiry → 24 h, 48 h, 68 h and 72 h after awareness.
    let mut expected = 0;
    let mut elapsed = Duration::ZERO;
    for point in [
        Duration::hours(24),
        Duration::hours(48),
        Duration::hours(68),
        Duration::hours(72),
    ] {
        app.advance(point - elapsed - Duration::seconds(1));
        tick().await.unwrap();
        assert_eq!(escalations().len(), expected, "one second before {point}");
        app.advance(Duration::seconds(1));
        tick().await.unwrap();
        expected += 2; // the coordinator (also the assignee) and the DPO
        let got = escalations();
        assert_eq!(got.len(), expected, "at {point}: {got:?}");
        tick().await.unwrap();
        assert_eq!(escalations().len(), expected, "each point once");
        elapsed = point;
    }
    let mut to: Vec<String> = escalations()
        .iter()
        .flat_map(|m| m.rcpt_to.clone())
        .collect();
    to.sort();
    to.dedup();
    assert_eq!(
        to,
        vec![
            "coord@kommune.test".to_owned(),
            "dpo@kommune.test".to_owned()
        ]
    );
    assert!(escalations().iter().all(|m| m.content_language == "nb"));
    // Recorded as sent (late, with reasons): the clock stops and nothing more goes out.
    let mut o = app
        .db
        .dev_obligations(t.id, case.id)
        .await
        .unwrap()
        .into_iter()
        .find(|o| o.obligation.regime == "gdpr_authority")
        .unwrap()
        .obligation;
    let cal = vakt_core::deadline::TenantCalendar::new(
        &vakt_core::settings::Settings::preset(t.country).time_zone,
    )
    .unwrap();
    o.record_submission(
        regimes.get("gdpr_authority").unwrap(),
        Submission {
            phase: "notification".into(),
            kind: SubmissionKind::Complete,
            at: app.db.now(),
            by: people[1].id,
            channel: "Altinn".into(),
            authority_reference: None,
            delay_reasons: Some("Waited for the supplier's log".into()),
        },
        app.db.now(),
        &cal,
    )
    .unwrap();
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.save_dev_obligation(case.id, &o).await.unwrap();
    tx.commit().await.unwrap();
    vakt_web::deviations::refresh_due(&app.state, &t, case.id)
        .await
        .unwrap();
    app.advance(Duration::days(3));
    tick().await.unwrap();
    assert_eq!(escalations().len(), expected);
    assert_eq!(
        app.db
            .dev_escalations_sent(t.id, case.id)
            .await
            .unwrap()
            .len(),
        4
    );
}

crate::engines!(escalation_mail, super::escalations_at_the_configured_points);
