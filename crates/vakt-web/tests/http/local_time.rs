//! Times on pages are shown in the tenant's time zone (the `time_zone` setting), not in UTC: the audit
//! log and its CSV export, the account page's API tokens, the locked-until time on a person's page and in
//! the sign-in message. The test clock stands at 2026-03-02 09:00 UTC (10:00 in Oslo, 18:00 in Tokyo).

use reqwest::StatusCode;
use time::Duration;
use vakt_core::Role;

use crate::engine_test;
use crate::harness::TestApp;

/// Sets the tenant's time zone through the settings document.
async fn set_time_zone(app: &TestApp, tz: &str) {
    let ctx = vakt_store::AuditCtx::new(app.tenant.id, vakt_core::audit::Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.set_tenant_settings(&serde_json::json!({ "time_zone": tz }))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

engine_test!(pages_show_times_in_the_tenant_time_zone, |app| {
    let admin = app
        .add_user(
            "admin",
            &[Role::TenantAdmin, Role::SecurityCoordinator],
            true,
        )
        .await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &admin).await;

    // The audit log: the sign-in just now, at 10:00 Oslo time (CET in March).
    let (status, html) = app.get(&c, "/audit").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("2026-03-02 10:00 CET"), "{html}");
    assert!(!html.contains("09:00 UTC"), "{html}");

    // Instruction pages too: a group member added now shows 10:00 CET, not 09:00 UTC.
    let ctx = vakt_store::AuditCtx::new(app.tenant.id, vakt_core::audit::Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let g = tx
        .create_group(vakt_store::NewGroup {
            name: "Sikker sone".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let person = app
        .db
        .person_by_employee_number(app.tenant.id, "E-kari")
        .await
        .unwrap()
        .unwrap();
    tx.add_group_member(g.id, person.id).await.unwrap();
    tx.commit().await.unwrap();
    let (status, html) = app.get(&c, &format!("/groups/{}", g.id.0)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("2026-03-02 10:00 CET"), "{html}");
    assert!(!html.contains("09:00 UTC"), "{html}");

    // The CSV export keeps UTC and adds the local time with its offset.
    let (status, csv) = app.get(&c, "/audit/export.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(csv.starts_with("seq,time_utc,time_local,"), "{csv}");
    assert!(
        csv.contains("2026-03-02T09:00:00Z,2026-03-02T10:00:00+01:00"),
        "{csv}"
    );

    // A date search means days in the tenant's zone: 3 March in Oslo starts at 23:00 UTC on 2 March.
    app.advance(Duration::hours(14)); // 23:00 UTC = 00:00 on 3 March in Oslo
    let c = app.browser(); // the first session has timed out
    app.sign_in(&c, &admin).await;
    let r = app
        .post_form(&c, "/account", "/account/tokens", &[("name", "late token")])
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    let (_, html) = app.get(&c, "/audit?from=2026-03-03&to=2026-03-03").await;
    assert!(html.contains("2026-03-03 00:00 CET"), "{html}");
    assert!(!html.contains("2026-03-02 10:00 CET"), "{html}");
    let (_, html) = app.get(&c, "/audit?from=2026-03-02&to=2026-03-02").await;
    assert!(html.contains("2026-03-02 10:00 CET"), "{html}");
    assert!(!html.contains("2026-03-03 00:00 CET"), "{html}");

    // The account page lists the token with its creation time in local time.
    let (_, html) = app.get(&c, "/account").await;
    assert!(html.contains("2026-03-03 00:00 CET"), "{html}");

    // Another zone in the settings changes every page (Tokyo, UTC+9, no summer time).
    set_time_zone(&app, "Asia/Tokyo").await;
    let (_, html) = app.get(&c, "/account").await;
    assert!(html.contains("2026-03-03 08:00 JST"), "{html}");

    // Deviation cases and their legal clocks follow the setting as well (not the country's zone).
    let person = app
        .db
        .person_by_employee_number(app.tenant.id, "E-kari")
        .await
        .unwrap()
        .unwrap();
    let mut tx = app.db.write(&ctx).await.unwrap();
    let case = tx
        .report_dev_case(vakt_store::NewCase {
            title: "Borte nøkkelkort".into(),
            description: String::new(),
            category_key: "information_security".into(),
            unit: None,
            occurred_at: None,
            discovered_at: app.db.now(),
            personal_data: vakt_store::PersonalData::No,
            affected: Vec::new(),
            reporter: vakt_store::Reporter::Person {
                person: person.id,
                account: None,
            },
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (status, html) = app.get(&c, &format!("/deviations/{}", case.id)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("2026-03-03 08:00"), "{html}");
    assert!(!html.contains("2026-03-03 00:00"), "{html}");

    // The lock time of an account, on the person's page and in the sign-in message.
    let other = app.browser();
    for _ in 0..5 {
        app.password_step(&other, &kari.username, "wrong password")
            .await;
    }
    let r = app
        .password_step(&other, &kari.username, "wrong password")
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let text = r.text().await.unwrap();
    // Locked for 15 minutes from 08:00 JST.
    assert!(text.contains("2026-03-03 08:15 JST"), "{text}");
    let person = app
        .db
        .account(app.tenant.id, kari.account)
        .await
        .unwrap()
        .unwrap()
        .person
        .unwrap();
    let (_, html) = app.get(&c, &format!("/directory/people/{person}")).await;
    assert!(html.contains("2026-03-03 08:15 JST"), "{html}");
});
