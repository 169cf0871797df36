//! Outgoing mail through the outbox against a real SMTP server (aiosmtpd): delivered in the language it
//! was written in, retried with back-off while the server is away, a permanent refusal recorded as a
//! failed job (not lost), and a message exists only if its transaction commits.

use time::Duration;
use vakt_core::audit::{Actor, AuditClass, EventDraft};
use vakt_store::AuditCtx;
use vakt_web::mail::{self, MailMessage};
use vakt_web::{Lang, WebConfig};

use crate::harness::{Engine, TestApp};
use crate::smtp::TestSmtp;

/// Defines `<name>::sqlite` and `<name>::postgres` running `async fn $f(Engine)`.
#[macro_export]
macro_rules! engines {
    ($name:ident, $f:path) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                $f($crate::harness::Engine::Sqlite).await
            }
            #[tokio::test]
            async fn postgres() {
                $f($crate::harness::Engine::Postgres).await
            }
        }
    };
}

pub async fn app_with_mail(engine: Engine, smtp: &TestSmtp) -> Option<TestApp> {
    TestApp::spawn_on(
        engine,
        WebConfig {
            mail: Some(smtp.config()),
            ..WebConfig::default()
        },
    )
    .await
}

async fn queue(app: &TestApp, msg: &MailMessage, commit: bool) {
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.record(EventDraft::new(
        AuditClass::Admin,
        "test.notice",
        "test",
        "1",
    ))
    .await
    .unwrap();
    mail::enqueue(&mut tx, msg).await.unwrap();
    if commit {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
}

/// (failed, last_error) of every job of `kind`.
async fn job_rows(app: &TestApp, kind: &str) -> Vec<(bool, Option<String>, bool)> {
    let sql = "SELECT failed, last_error, done_at IS NOT NULL FROM jobs WHERE kind = $1 ORDER BY created_at";
    if let Some(p) = app.db.raw_sqlite() {
        sqlx::query_as(sql).bind(kind).fetch_all(p).await.unwrap()
    } else {
        let p = app.db.raw_postgres().unwrap();
        sqlx::query_as(sql).bind(kind).fetch_all(p).await.unwrap()
    }
}

async fn delivered_in_its_language(engine: Engine) {
    let smtp = TestSmtp::start();
    let Some(app) = app_with_mail(engine, &smtp).await else {
        return;
    };
    let msg = MailMessage::new(
        vec!["Kari Nordmann <kari@kommune.test>".into()],
        "Påminnelse: å signere",
        "Hei Kari,\nDu har én instruks å signere.",
    )
    .with_html("<p>Hei Kari</p>")
    .with_lang(Lang::Nb)
    .with_tag("test");
    queue(&app, &msg, true).await;
    // A rolled-back change sends nothing.
    queue(
        &app,
        &MailMessage::new(vec!["ghost@kommune.test".into()], "never", "never"),
        false,
    )
    .await;
    assert!(
        smtp.messages().is_empty(),
        "nothing is sent before the worker runs"
    );
    vakt_web::jobs::tick(&app.state, "w1").await.unwrap();
    let got = smtp.messages();
    assert_eq!(got.len(), 1, "{got:?}");
    let m = &got[0];
    assert_eq!(m.rcpt_to, vec!["kari@kommune.test".to_owned()]);
    assert_eq!(m.subject, "Påminnelse: å signere");
    assert_eq!(m.content_language, "nb");
    assert!(m.text.contains("Du har én instruks"), "{}", m.text);
    assert!(m.html.as_deref().unwrap_or("").contains("Hei Kari"));
    assert!(m.from.contains("vakt@test.invalid"));
    assert!(m.to.contains("kari@kommune.test"), "{}", m.to);
    assert_eq!(smtp.to("kari@kommune.test").len(), 1);
    // Sent once: another tick sends nothing more.
    vakt_web::jobs::tick(&app.state, "w2").await.unwrap();
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(
        job_rows(&app, mail::MAIL_SEND).await,
        vec![(false, None, true)]
    );
}
engines!(
    mail_is_delivered_once_in_its_language,
    super::delivered_in_its_language
);

async fn permanent_refusal_is_recorded(engine: Engine) {
    let smtp = TestSmtp::start();
    let Some(app) = app_with_mail(engine, &smtp).await else {
        return;
    };
    queue(
        &app,
        &MailMessage::new(vec!["reject-me@kommune.test".into()], "s", "t"),
        true,
    )
    .await;
    vakt_web::jobs::tick(&app.state, "w1").await.unwrap();
    assert!(smtp.messages().is_empty());
    let rows = job_rows(&app, mail::MAIL_SEND).await;
    assert_eq!(rows.len(), 1);
    let (failed, error, done) = &rows[0];
    assert!(*failed && *done, "{rows:?}");
    assert!(error.as_deref().unwrap_or("").contains("550"), "{rows:?}");
}
engines!(
    a_permanent_refusal_is_recorded_as_failed,
    super::permanent_refusal_is_recorded
);

async fn retried_until_the_server_answers(engine: Engine) {
    // A port nobody listens on: take a free one and close it again.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let smtp = TestSmtp::start();
    let mut config = smtp.config();
    config.port = port;
    let Some(app) = TestApp::spawn_on(
        engine,
        WebConfig {
            mail: Some(config),
            ..WebConfig::default()
        },
    )
    .await
    else {
        return;
    };
    queue(
        &app,
        &MailMessage::new(vec!["kari@kommune.test".into()], "s", "t"),
        true,
    )
    .await;
    vakt_web::jobs::tick(&app.state, "w1").await.unwrap();
    let rows = job_rows(&app, mail::MAIL_SEND).await;
    assert_eq!(rows.len(), 1);
    assert!(
        !rows[0].0 && !rows[0].2,
        "still pending after a transient failure: {rows:?}"
    );
    assert!(rows[0].1.is_some());
    // Not retried before the back-off has passed …
    vakt_web::jobs::tick(&app.state, "w1").await.unwrap();
    let pending = app.db.pending_jobs(10).await.unwrap();
    assert_eq!(
        pending.iter().filter(|j| j.kind == mail::MAIL_SEND).count(),
        1
    );
    assert_eq!(pending[0].attempts, 1);
    // … and given up after max_attempts (3) tries, recorded as failed.
    for _ in 0..2 {
        app.advance(Duration::minutes(10));
        vakt_web::jobs::tick(&app.state, "w1").await.unwrap();
    }
    let rows = job_rows(&app, mail::MAIL_SEND).await;
    assert!(rows[0].0 && rows[0].2, "{rows:?}");
}
engines!(
    a_transient_failure_is_retried_then_given_up,
    super::retried_until_the_server_answers
);

async fn queued_untried_without_a_server(engine: Engine) {
    let Some(app) = TestApp::spawn_on(engine, WebConfig::default()).await else {
        return;
    };
    assert!(app.state.config().mail.is_none());
    queue(
        &app,
        &MailMessage::new(vec!["kari@kommune.test".into()], "s", "t"),
        true,
    )
    .await;
    // However long it waits, the message is neither tried nor given up.
    for _ in 0..12 {
        vakt_web::jobs::tick(&app.state, "w1").await.unwrap();
        app.advance(Duration::hours(1));
    }
    let pending = app.db.pending_jobs(10).await.unwrap();
    let mail: Vec<_> = pending
        .iter()
        .filter(|j| j.kind == mail::MAIL_SEND)
        .collect();
    assert_eq!(mail.len(), 1, "{pending:?}");
    assert_eq!(mail[0].attempts, 0);
    let rows = job_rows(&app, mail::MAIL_SEND).await;
    assert!(!rows[0].0 && rows[0].1.is_none() && !rows[0].2, "{rows:?}");
}
engines!(
    without_an_smtp_server_mail_stays_queued_untried,
    super::queued_untried_without_a_server
);
