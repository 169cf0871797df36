//! The reminder job with a moved clock against the real test SMTP server: exactly the expected mails, one
//! per person listing everything due, each in the person's language (their own, else the tenant's), the
//! escalation to the leader after the configured number of reminders and only once, and never the same
//! reminder twice even when two runs race.

use time::macros::datetime;
use vakt_core::audit::Actor;
use vakt_core::directory::{Employment, Language, PersonId, PersonKind, UnitId};
use vakt_core::instructions::{Audience, AudienceRule, StepActor, VersionStep};
use vakt_core::training::CourseId;
use vakt_store::{
    AuditCtx, CourseKind, DraftEdit, InstructionFields, InstructionVersion, NewCourse, NewPerson,
    NewUnit,
};
use vakt_web::WebConfig;

use crate::harness::{Engine, TestApp};
use crate::smtp::{Received, TestSmtp};

async fn person(
    app: &TestApp,
    number: &str,
    given: &str,
    unit: UnitId,
    lang: Option<Language>,
) -> PersonId {
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let p = tx
        .create_person(NewPerson {
            employee_number: number.into(),
            given_name: given.into(),
            family_name: "Test".into(),
            email: Some(format!("{}@kommune.test", given.to_lowercase())),
            kind: PersonKind::Employee,
            unit: Some(unit),
            manager: None,
            employment: Employment::active(),
            birth_date: None,
            preferred_language: lang,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    p.id
}

async fn course(app: &TestApp, code: &str, title: &str, validity: u32) -> CourseId {
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let c = tx
        .create_course(NewCourse {
            code: code.into(),
            title: title.into(),
            description: String::new(),
            kind: CourseKind::External,
            provider: "KS".into(),
            url: None,
            validity_months: Some(validity),
            renew_days_before: 30,
            mandatory: true,
            complete_within_days: Some(14),
            archived: false,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    c.id
}

async fn done(app: &TestApp, who: PersonId, c: CourseId, at: time::OffsetDateTime, by: PersonId) {
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.record_completion(who, c, at, by, "").await.unwrap();
    tx.commit().await.unwrap();
}

async fn tick(app: &TestApp) {
    vakt_web::jobs::tick(&app.state, "test-worker")
        .await
        .unwrap();
}

fn summary(m: &[Received]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = m
        .iter()
        .map(|m| {
            (
                m.rcpt_to.join(","),
                m.content_language.clone(),
                m.subject.clone(),
            )
        })
        .collect();
    v.sort();
    v
}

/// The app with its SMTP server (`None` when the engine is not available).
async fn app_with_mail(engine: Engine, smtp: &TestSmtp) -> Option<TestApp> {
    TestApp::spawn_on(
        engine,
        WebConfig {
            mail: Some(smtp.config()),
            ..WebConfig::default()
        },
    )
    .await
}

/// One school led by Lena (English); Anna reads Swedish, Bo has no preference (the tenant's bokmål).
async fn school_led_by_lena(
    app: &TestApp,
) -> (vakt_core::directory::OrgUnit, PersonId, PersonId, PersonId) {
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let school = tx
        .create_unit(NewUnit {
            parent: None,
            name: "Skolen".into(),
            code: "SK".into(),
            leader: None,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let anna = person(app, "1", "Anna", school.id, Some(Language::Sv)).await;
    let bo = person(app, "2", "Bo", school.id, None).await;
    let lena = person(app, "3", "Lena", school.id, Some(Language::En)).await;
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.update_unit(
        school.id,
        NewUnit {
            parent: None,
            name: "Skolen".into(),
            code: "SK".into(),
            leader: Some(lena),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    (school, anna, bo, lena)
}

async fn reminders_with_a_moved_clock(engine: Engine) {
    let smtp = TestSmtp::start();
    let Some(app) = app_with_mail(engine, &smtp).await else {
        return;
    };
    // 2026-03-02 09:00 UTC. One school; Lena leads it. Anna reads Swedish, Lena English, Bo has no
    // preference (the tenant's default, bokmål).
    let (_, anna, bo, lena) = school_led_by_lena(&app).await;
    let basic = course(&app, "BASIC", "Grunnkurs i informasjonssikkerhet", 24).await;
    let ks = course(&app, "KS-PERS", "Personvern i kommunen", 12).await;
    // Lena has both; Bo has the basic course and a KS course that expires on 2026-03-20 (local).
    for c in [basic, ks] {
        done(&app, lena, c, datetime!(2026-02-01 0:00 UTC), bo).await;
    }
    done(&app, bo, basic, datetime!(2026-02-01 0:00 UTC), lena).await;
    done(&app, bo, ks, datetime!(2025-03-19 23:00 UTC), lena).await;

    // Anna must complete both by 2026-03-16 09:00; the window opens 7 days before.
    tick(&app).await;
    assert!(smtp.messages().is_empty(), "{:?}", smtp.messages());

    app.clock.set(datetime!(2026-03-10 08:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(
        summary(&got),
        vec![(
            "anna@kommune.test".into(),
            "sv".into(),
            "Vakt: 2 uppgifter väntar på dig".into()
        )]
    );
    let anna_mail = &got[0];
    assert!(anna_mail.text.contains("Hej Anna"), "{}", anna_mail.text);
    assert!(
        anna_mail
            .text
            .contains("Genomför kursen ”Grunnkurs i informasjonssikkerhet” senast 2026-03-16"),
        "{}",
        anna_mail.text
    );
    assert!(
        anna_mail.text.contains("”Personvern i kommunen”"),
        "{}",
        anna_mail.text
    );
    // The same day again: nothing new.
    tick(&app).await;
    assert_eq!(smtp.messages().len(), 1);

    // Bo's KS course enters its renewal window; Anna rests until a week has passed.
    app.clock.set(datetime!(2026-03-13 23:30 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(got.len(), 2);
    assert_eq!(
        summary(&got[1..]),
        vec![(
            "bo@kommune.test".into(),
            "nb".into(),
            "Vakt: én oppgave venter på deg".into()
        )]
    );
    assert!(
        got[1]
            .text
            .contains("Fullfør kurset «Personvern i kommunen» innen 2026-03-20"),
        "{}",
        got[1].text
    );

    // Anna is overdue: her second reminder, no escalation yet (it comes after two reminders).
    app.clock.set(datetime!(2026-03-17 09:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(got.len(), 3);
    assert_eq!(got[2].rcpt_to, vec!["anna@kommune.test".to_owned()]);
    assert!(
        got[2].text.contains("försenad sedan 2026-03-16"),
        "{}",
        got[2].text
    );

    // A week later: Anna's third reminder and the escalation of her two items to Lena (in English);
    // Bo's second reminder. Two runs race; each reminder is still sent once.
    app.clock.set(datetime!(2026-03-24 09:00 UTC));
    let tenant = app.tenant.id;
    let (a, b) = tokio::join!(
        vakt_web::training::reminders::run_for_tenant(&app.state, tenant),
        vakt_web::training::reminders::run_for_tenant(&app.state, tenant)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.reminder_mails + b.reminder_mails, 2, "{a:?} {b:?}");
    assert_eq!(a.escalation_mails + b.escalation_mails, 1, "{a:?} {b:?}");
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(
        summary(&got[3..]),
        vec![
            (
                "anna@kommune.test".into(),
                "sv".into(),
                "Vakt: 2 uppgifter väntar på dig".into()
            ),
            (
                "bo@kommune.test".into(),
                "nb".into(),
                "Vakt: én oppgave venter på deg".into()
            ),
            (
                "lena@kommune.test".into(),
                "en".into(),
                "Vakt: 2 overdue tasks among the people you lead".into()
            ),
        ]
    );
    let esc = got
        .iter()
        .find(|m| m.rcpt_to[0] == "lena@kommune.test")
        .unwrap();
    assert!(esc.text.contains("Hello Lena"), "{}", esc.text);
    assert!(esc.text.contains("Anna Test: Complete the course “Grunnkurs i informasjonssikkerhet” — overdue since 2026-03-16"), "{}", esc.text);
    assert!(!esc.text.contains("Bo Test"), "{}", esc.text);

    // Another week: Anna is not escalated again; Bo now is (his second reminder was sent).
    app.clock.set(datetime!(2026-03-31 09:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(
        summary(&got[6..]),
        vec![
            (
                "anna@kommune.test".into(),
                "sv".into(),
                "Vakt: 2 uppgifter väntar på dig".into()
            ),
            (
                "bo@kommune.test".into(),
                "nb".into(),
                "Vakt: én oppgave venter på deg".into()
            ),
            (
                "lena@kommune.test".into(),
                "en".into(),
                "Vakt: one overdue task among the people you lead".into()
            ),
        ]
    );
    assert!(got[6..].iter().any(|m| m.text.contains("Bo Test: ")));

    // Once Anna completes, she is reminded no more.
    done(&app, anna, basic, datetime!(2026-03-31 0:00 UTC), lena).await;
    done(&app, anna, ks, datetime!(2026-03-31 0:00 UTC), lena).await;
    app.clock.set(datetime!(2026-04-08 09:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert!(
        got[9..].iter().all(|m| m.rcpt_to[0] != "anna@kommune.test"),
        "{:?}",
        summary(&got[9..])
    );

    let actions = app.audit_actions().await;
    assert!(
        actions
            .iter()
            .filter(|a| *a == "training.reminder.sent")
            .count()
            >= 7
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "training.reminder.escalated")
            .count(),
        2
    );
}
crate::engines!(
    the_reminder_job_sends_exactly_the_expected_mails,
    super::reminders_with_a_moved_clock
);

/// Publishes (effective now) an instruction for the people of `unit`, to be signed within 14 days.
async fn publish_for_unit(
    app: &TestApp,
    unit: UnitId,
    author: PersonId,
    approver: PersonId,
) -> InstructionVersion {
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let (inst, v) = tx
        .create_instruction(
            InstructionFields {
                title: "IKT-instruks for skolen".into(),
                owner: author,
                category: "ict_use".into(),
                requires_signature: true,
                audience: Audience {
                    rules: vec![AudienceRule::Units {
                        units: vec![unit],
                        include_sub_units: true,
                    }],
                },
                sign_within_days: 14,
            },
            author,
            "# IKT-instruks\n\nLås skjermen når du går fra PC-en.\n",
            "Første versjon",
        )
        .await
        .unwrap();
    tx.edit_draft(
        v.id,
        DraftEdit {
            title: inst.title.clone(),
            body: v.body.clone(),
            change_comment: "Første versjon".into(),
            approver: Some(approver),
            reviewers: vec![approver],
        },
    )
    .await
    .unwrap();
    let ed = StepActor {
        person: author,
        may_edit: true,
    };
    tx.version_step(v.id, VersionStep::SendToReview, ed)
        .await
        .unwrap();
    tx.version_step(
        v.id,
        VersionStep::Approve,
        StepActor {
            person: approver,
            may_edit: false,
        },
    )
    .await
    .unwrap();
    let now = tx.now();
    let v = tx
        .version_step(
            v.id,
            VersionStep::Publish {
                effective_from: now,
            },
            ed,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    v
}

async fn sign(app: &TestApp, v: &InstructionVersion, who: PersonId) {
    let ack = crate::harness::ack_of(v, who, app.db.now());
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.record_ack(&ack).await.unwrap();
    tx.commit().await.unwrap();
}

async fn instruction_reminders_with_a_moved_clock(engine: Engine) {
    let smtp = TestSmtp::start();
    let Some(app) = app_with_mail(engine, &smtp).await else {
        return;
    };
    // 2026-03-02 09:00 UTC: an instruction for the school, to be signed by 2026-03-16. Lena leads
    // the school and reads English, Anna Swedish, Bo the tenant's bokmål.
    let (school, anna, bo, lena) = school_led_by_lena(&app).await;
    let v = publish_for_unit(&app, school.id, lena, anna).await;

    // Not yet within a week of the deadline: nothing.
    tick(&app).await;
    assert!(smtp.messages().is_empty(), "{:?}", smtp.messages());

    // A week before: each of the three is reminded once, in their language.
    app.clock.set(datetime!(2026-03-10 08:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(
        summary(&got),
        vec![
            (
                "anna@kommune.test".into(),
                "sv".into(),
                "Vakt: en uppgift väntar på dig".into()
            ),
            (
                "bo@kommune.test".into(),
                "nb".into(),
                "Vakt: én oppgave venter på deg".into()
            ),
            (
                "lena@kommune.test".into(),
                "en".into(),
                "Vakt: one task is waiting for you".into()
            ),
        ]
    );
    let text_of = |to: &str| {
        got.iter()
            .find(|m| m.rcpt_to[0] == to)
            .map(|m| m.text.clone())
            .unwrap_or_default()
    };
    assert!(
        text_of("anna@kommune.test")
            .contains("Läs och signera ”IKT-instruks for skolen” senast 2026-03-16"),
        "{}",
        text_of("anna@kommune.test")
    );
    assert!(
        text_of("bo@kommune.test")
            .contains("Les og signer «IKT-instruks for skolen» innen 2026-03-16"),
        "{}",
        text_of("bo@kommune.test")
    );
    assert!(
        text_of("lena@kommune.test")
            .contains("Read and sign “IKT-instruks for skolen” by 2026-03-16"),
        "{}",
        text_of("lena@kommune.test")
    );

    // Anna and Lena sign; the same day again sends nothing.
    sign(&app, &v, anna).await;
    sign(&app, &v, lena).await;
    tick(&app).await;
    assert_eq!(smtp.messages().len(), 3);

    // Overdue: Bo alone gets his second reminder; no escalation yet.
    app.clock.set(datetime!(2026-03-17 09:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(
        summary(&got[3..]),
        vec![(
            "bo@kommune.test".into(),
            "nb".into(),
            "Vakt: én oppgave venter på deg".into()
        )]
    );
    assert!(
        got[3]
            .text
            .contains("Les og signer «IKT-instruks for skolen» — forfalt siden 2026-03-16"),
        "{}",
        got[3].text
    );

    // A week on: Bo's third reminder, and the escalation reaches Lena, in English.
    app.clock.set(datetime!(2026-03-24 09:00 UTC));
    tick(&app).await;
    let got = smtp.messages();
    assert_eq!(
        summary(&got[4..]),
        vec![
            (
                "bo@kommune.test".into(),
                "nb".into(),
                "Vakt: én oppgave venter på deg".into()
            ),
            (
                "lena@kommune.test".into(),
                "en".into(),
                "Vakt: one overdue task among the people you lead".into()
            ),
        ]
    );
    let esc = got[4..]
        .iter()
        .find(|m| m.rcpt_to[0] == "lena@kommune.test")
        .unwrap();
    assert!(
        esc.text.contains(
            "Bo Test: Read and sign “IKT-instruks for skolen” — overdue since 2026-03-16"
        ),
        "{}",
        esc.text
    );
    assert!(!esc.text.contains("Anna"), "{}", esc.text);

    // Bo signs: nobody hears about it again.
    sign(&app, &v, bo).await;
    app.clock.set(datetime!(2026-04-07 09:00 UTC));
    tick(&app).await;
    assert_eq!(smtp.messages().len(), 6, "{:?}", summary(&smtp.messages()));
    let actions = app.audit_actions().await;
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "training.reminder.escalated")
            .count(),
        1
    );
}
crate::engines!(
    the_reminder_job_reminds_of_unsigned_instructions_and_escalates_to_the_leader,
    super::instruction_reminders_with_a_moved_clock
);
