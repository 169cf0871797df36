//! Deviation e-mail against a real SMTP server (aiosmtpd): with a moved clock, the escalation
//! points of the 72-hour breach clock go out exactly when they come (not a second earlier, each
//! once), to the assignee, the coordinator and the DPO, and to the tenant's webhook (a real HTTP
//! server here); nothing after the notification is recorded.

use std::sync::{Arc, Mutex};

use time::Duration;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::deviations::{
    CaseState, RegimeSet, Submission, SubmissionKind, Trigger, start_obligations,
};
use vakt_core::directory::{Employment, PersonKind};
use vakt_core::{Country, Role};
use vakt_store::{CaseChange, NewAccount, NewCase, NewPerson, PersonalData, Reporter};

use crate::harness::{Engine, TestApp};
use crate::smtp::TestSmtp;

/// Posts received by a webhook server on a free local port: (X-Vakt-Event header, JSON body).
type Received = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// The secret the tenant signs its posts with in this test.
const SECRET: &str = "whsec_test-secret-of-the-receiver";

/// A webhook receiver on 127.0.0.1 that answers its first post with 503 (to be tried again) and
/// every later one with 204. It checks each post's signature (HMAC-SHA256 over the timestamp, a
/// full stop and the exact body, with [`SECRET`]) and records a post that fails it as
/// `bad-signature`.
async fn webhook_server() -> (String, Received) {
    use hmac::Mac;
    let got: Received = Arc::default();
    let calls = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let state = (got.clone(), calls);
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            |axum::extract::State((got, calls)): axum::extract::State<(
                Received,
                Arc<std::sync::atomic::AtomicUsize>,
            )>,
             headers: axum::http::HeaderMap,
             raw: axum::body::Bytes| async move {
                if calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let header = |name: &str| {
                    headers
                        .get(name)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_owned()
                };
                let mut mac =
                    hmac::Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
                mac.update(header("x-vakt-timestamp").as_bytes());
                mac.update(b".");
                mac.update(&raw);
                let expected = format!("v1={}", hex::encode(mac.finalize().into_bytes()));
                let event = if header("x-vakt-signature") == expected {
                    header("x-vakt-event")
                } else {
                    "bad-signature".to_owned()
                };
                let body = serde_json::from_slice(&raw).unwrap_or_default();
                got.lock().unwrap().push((event, body));
                axum::http::StatusCode::NO_CONTENT
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app.with_state(state)).await;
    });
    (format!("http://{addr}/hook"), got)
}

async fn escalations_at_the_configured_points(engine: Engine) {
    let smtp = TestSmtp::start();
    let Some(app) = TestApp::spawn_on(
        engine,
        vakt_web::WebConfig {
            mail: Some(smtp.config()),
            webhook_allow_http: true,
            webhook_allow_private: true,
            ..vakt_web::WebConfig::default()
        },
    )
    .await
    else {
        return;
    };
    let (hook, posts) = webhook_server().await;
    let t = app.tenant.clone();
    let ctx = AuditCtx::new(t.id, Actor::system("test"));
    let mut cfg = app.db.dev_config(t.id).await.unwrap();
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
    cfg.escalation_webhook = Some(hook.clone());
    tx.set_dev_config(&cfg).await.unwrap();
    tx.set_dev_webhook_secret(Some(SECRET)).await.unwrap();
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
    // The webhook had one post per point (the first tried again after its 503), signed, naming
    // the case by number and link only.
    let got = posts.lock().unwrap().clone();
    let points: Vec<&str> = got
        .iter()
        .map(|(_, b)| b["point"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(points.len(), 4, "{got:?}");
    assert!(got.iter().all(|(e, b)| e == "deviation.escalation"
        && b["number"] == case.number
        && b["link"] == format!("/deviations/{}", case.id)
        && b.get("title").is_none()));
    assert_eq!(
        got.iter()
            .map(|(_, b)| b["clock"].as_str().unwrap_or("").to_owned())
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        1,
        "one clock: {got:?}"
    );
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
    assert_eq!(posts.lock().unwrap().len(), 4);
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
