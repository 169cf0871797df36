//! Sign-in with password and TOTP, replay, recovery codes, forced enrolment, lockout and its audit events.

use crate::engine_test;

use reqwest::StatusCode;
use time::Duration;
use vakt_core::{Role, auth::recovery};

use crate::harness::{PASSWORD, TestApp, location};

engine_test!(
    signing_in_with_password_and_a_computed_totp_code_opens_my_page,
    |app| {
        let kari = app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        app.sign_in(&c, &kari).await;
        let (status, body) = app.get(&c, "/me").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("Hei, Kari Nordmann kari!"), "{body}");
        for section in [
            "me-sign",
            "me-courses",
            "me-equipment",
            "me-access",
            "me-reports",
        ] {
            assert!(
                body.contains(&format!("id=\"{section}\"")),
                "{section} missing"
            );
        }
        let actions = app.audit_actions().await;
        assert!(actions.iter().any(|a| a == "auth.signin"), "{actions:?}");
        assert!(actions.iter().any(|a| a == "auth.totp_ok"), "{actions:?}");
    }
);

engine_test!(my_page_without_a_session_redirects_to_sign_in, |app| {
    let c = app.browser();
    let r = c.get(app.url("/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?next=%2Fme");
});

engine_test!(
    the_password_step_alone_does_not_give_access_when_totp_is_enrolled,
    |app| {
        let kari = app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        let r = app.password_step(&c, &kari.username, PASSWORD).await;
        assert_eq!(location(&r), "/login/totp");
        let r = c.get(app.url("/me")).send().await.unwrap();
        assert_eq!(location(&r), "/login/totp");
        let r = c.get(app.url("/account")).send().await.unwrap();
        assert_eq!(location(&r), "/login/totp");
    }
);

engine_test!(a_totp_code_is_accepted_only_once, |app| {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let first = app.browser();
    app.sign_in(&first, &kari).await;
    // Same instant, same code, second browser: a replay.
    let second = app.browser();
    let r = app.password_step(&second, &kari.username, PASSWORD).await;
    assert_eq!(location(&r), "/login/totp");
    let code = app.code(&kari);
    let r = app
        .post_form(&second, "/login/totp", "/login/totp", &[("code", &code)])
        .await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("Koden ble ikke godtatt"));
    // The next time step gives a new code, which works.
    app.advance(Duration::seconds(30));
    let code = app.code(&kari);
    let r = app
        .post_form(&second, "/login/totp", "/login/totp", &[("code", &code)])
        .await;
    assert_eq!(location(&r), "/me");
});

engine_test!(a_recovery_code_signs_in_once, |app| {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let codes = recovery::generate();
    let hashes: Vec<String> = codes.iter().map(|c| recovery::hash_code(c)).collect();
    let ctx = vakt_store::AuditCtx::new(app.tenant.id, vakt_core::audit::Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.set_recovery_codes(kari.account, &hashes).await.unwrap();
    tx.commit().await.unwrap();
    for expected in [StatusCode::SEE_OTHER, StatusCode::UNAUTHORIZED] {
        let c = app.browser();
        app.password_step(&c, &kari.username, PASSWORD).await;
        let r = app
            .post_form(
                &c,
                "/login/totp",
                "/login/totp",
                &[("code", &codes[2].to_uppercase())],
            )
            .await;
        assert_eq!(r.status(), expected);
    }
});

engine_test!(
    an_account_without_totp_must_enrol_when_the_tenant_requires_it,
    |app| {
        let per = app.add_user("per", &[Role::Employee], false).await;
        let c = app.browser();
        let r = app.password_step(&c, &per.username, PASSWORD).await;
        assert_eq!(location(&r), "/login/enrol");
        let (status, body) = app.get(&c, "/login/enrol").await;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<svg"), "QR code missing");
        assert!(
            !body.contains("style=") && !body.contains("<script>"),
            "the CSP forbids inline styles and scripts"
        );
        let secret = {
            let i =
                body.find("name=\"secret\" value=\"").unwrap() + "name=\"secret\" value=\"".len();
            body[i..i + body[i..].find('"').unwrap()].to_owned()
        };
        // A wrong code keeps the user on the enrolment page.
        let token = crate::harness::csrf_in(&body).unwrap();
        let r = c
            .post(app.url("/login/enrol"))
            .form(&[
                ("csrf", token.as_str()),
                ("secret", secret.as_str()),
                ("code", "000000"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        use vakt_core::clock::Clock;
        let code = vakt_core::auth::totp::code_at(&secret, app.clock.now()).unwrap();
        let r = c
            .post(app.url("/login/enrol"))
            .form(&[
                ("csrf", token.as_str()),
                ("secret", secret.as_str()),
                ("code", code.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = r.text().await.unwrap();
        let list = &body[body
            .find("id=\"recovery-codes\"")
            .expect("recovery codes shown")..];
        assert_eq!(
            list[..list.find("</ul>").unwrap()].matches("<li>").count(),
            10
        );
        let (status, _) = app.get(&c, "/me").await;
        assert_eq!(status, StatusCode::OK);
        let acc = app
            .db
            .account(app.tenant.id, per.account)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(acc.totp_secret.as_deref(), Some(secret.as_str()));
    }
);

engine_test!(
    without_a_totp_requirement_the_password_alone_signs_in,
    |app| {
        app.require_totp(false).await;
        let per = app.add_user("per", &[Role::Employee], false).await;
        let c = app.browser();
        let r = app.password_step(&c, &per.username, PASSWORD).await;
        assert_eq!(location(&r), "/me");
    }
);

engine_test!(
    five_failed_passwords_lock_the_account_and_are_audited,
    |app| {
        let kari = app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        for _ in 0..4 {
            let r = app
                .password_step(&c, &kari.username, "wrong password")
                .await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
            assert!(
                r.text()
                    .await
                    .unwrap()
                    .contains("Feil brukernavn eller passord")
            );
        }
        let r = app
            .password_step(&c, &kari.username, "wrong password")
            .await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(r.text().await.unwrap().contains("sperret"));
        // Now even the right password is refused.
        let r = app.password_step(&c, &kari.username, PASSWORD).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let actions = app.audit_actions().await;
        assert_eq!(
            actions
                .iter()
                .filter(|a| *a == "auth.signin_failed")
                .count(),
            5,
            "{actions:?}"
        );
        assert_eq!(
            actions.iter().filter(|a| *a == "auth.lockout").count(),
            1,
            "{actions:?}"
        );
        assert!(
            actions.iter().any(|a| a == "auth.signin_refused_locked"),
            "{actions:?}"
        );
        // After the lock time the right password works again, and success is audited.
        app.advance(Duration::minutes(16));
        app.sign_in(&c, &kari).await;
        assert!(app.audit_actions().await.iter().any(|a| a == "auth.signin"));
    }
);

engine_test!(
    one_wrong_password_after_an_expired_lock_does_not_lock_again,
    |app| {
        let kari = app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        for _ in 0..5 {
            app.password_step(&c, &kari.username, "wrong password")
                .await;
        }
        app.advance(Duration::minutes(16));
        // The lock ran out: this failure is the first of a new count (core's rule), not the sixth.
        let r = app
            .password_step(&c, &kari.username, "wrong password")
            .await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let acc = app
            .db
            .account(app.tenant.id, kari.account)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(acc.failed_attempts, 1);
        assert!(!acc.is_locked(app.db.now()));
        // So the right password still works.
        app.sign_in(&c, &kari).await;
        let actions = app.audit_actions().await;
        assert_eq!(
            actions.iter().filter(|a| *a == "auth.lockout").count(),
            1,
            "{actions:?}"
        );
    }
);

engine_test!(
    an_unknown_user_gets_the_same_answer_as_a_wrong_password,
    |app| {
        app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        let r = app.password_step(&c, "nobody", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Feil brukernavn eller passord")
        );
        assert!(
            app.audit_actions()
                .await
                .iter()
                .any(|a| a == "auth.signin_failed")
        );
    }
);

engine_test!(failed_totp_codes_count_towards_the_lockout, |app| {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.password_step(&c, &kari.username, PASSWORD).await;
    let mut last = StatusCode::OK;
    for _ in 0..5 {
        let r = app
            .post_form(&c, "/login/totp", "/login/totp", &[("code", "123456")])
            .await;
        last = r.status();
    }
    assert_eq!(last, StatusCode::FORBIDDEN);
    let acc = app
        .db
        .account(app.tenant.id, kari.account)
        .await
        .unwrap()
        .unwrap();
    assert!(acc.locked_until.is_some());
});

engine_test!(an_admin_unlock_lifts_the_lockout, |app| {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    for _ in 0..5 {
        app.password_step(&c, &kari.username, "wrong").await;
    }
    let ctx = vakt_store::AuditCtx::new(app.tenant.id, vakt_core::audit::Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.unlock_account(kari.account).await.unwrap();
    tx.commit().await.unwrap();
    app.sign_in(&c, &kari).await;
});

async fn second_tenant(app: &TestApp) -> vakt_core::directory::Tenant {
    app.db
        .create_tenant(
            &vakt_core::audit::Actor::system("test"),
            vakt_store::NewTenant {
                slug: "other".into(),
                name: "Annen kommune".into(),
                country: vakt_core::Country::No,
                default_language: None,
                time_zone: None,
            },
        )
        .await
        .unwrap()
}

engine_test!(
    with_several_tenants_the_sign_in_form_asks_which_and_keeps_them_apart,
    |app| {
        app.require_totp(false).await;
        app.add_user("kari", &[Role::Employee], false).await;
        second_tenant(&app).await;
        let c = app.browser();
        let (_, body) = app.get(&c, "/login").await;
        assert!(body.contains("<label for=\"tenant\">"), "{body}");
        // Kari exists in "demo" only.
        let fields = [
            ("tenant", "other"),
            ("username", "kari"),
            ("password", PASSWORD),
        ];
        let r = app.post_form(&c, "/login", "/login", &fields).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = app
            .post_form(
                &c,
                "/login",
                "/login",
                &[
                    ("tenant", "nowhere"),
                    ("username", "kari"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("Ingen kommune"));
        let r = app
            .post_form(
                &c,
                "/login",
                "/login",
                &[
                    ("tenant", "DEMO"),
                    ("username", "kari"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(location(&r), "/me");
    }
);

engine_test!(
    a_subdomain_selects_the_tenant,
    vakt_web::WebConfig {
        base_domain: Some("vakt.test".into()),
        ..Default::default()
    },
    |app| {
        app.require_totp(false).await;
        app.add_user("kari", &[Role::Employee], false).await;
        second_tenant(&app).await;
        let c = app.browser();
        let port = app.base.rsplit(':').next().unwrap().to_owned();
        let host = format!("demo.vakt.test:{port}");
        let r = c
            .get(app.url("/login"))
            .header("host", &host)
            .send()
            .await
            .unwrap();
        let body = r.text().await.unwrap();
        assert!(
            !body.contains("id=\"tenant\""),
            "the host names the tenant: {body}"
        );
        let token = crate::harness::csrf_in(&body).unwrap();
        let r = c
            .post(app.url("/login"))
            .header("host", &host)
            .form(&[
                ("csrf", token.as_str()),
                ("username", "kari"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(location(&r), "/me");
        // The other tenant's subdomain does not know Kari.
        let c = app.browser();
        let host = format!("other.vakt.test:{port}");
        let body = c
            .get(app.url("/login"))
            .header("host", &host)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = crate::harness::csrf_in(&body).unwrap();
        let r = c
            .post(app.url("/login"))
            .header("host", &host)
            .form(&[
                ("csrf", token.as_str()),
                ("username", "kari"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
);

engine_test!(
    many_failures_from_one_address_are_refused_across_user_names_for_a_while,
    |app| {
        let kari = app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        // Password spraying: 20 different (unknown) user names, none of them locked by it.
        for i in 0..20 {
            let r = app
                .password_step(&c, &format!("guess{i}"), "Sommer2024!")
                .await;
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "attempt {i}");
        }
        // A second server on the same database (its own state and memory, like another `vakt serve`
        // process behind the load balancer) refuses this address even with the right password ...
        let second = vakt_web::AppState::new(
            app.db.clone(),
            vakt_web::WebConfig::default(),
            app.clock.clone(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let second_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(vakt_web::serve(listener, second, std::future::pending()));
        let c2 = app.browser();
        let login = c2.get(format!("{second_url}/login")).send().await.unwrap();
        let csrf = crate::harness::csrf_in(&login.text().await.unwrap()).unwrap();
        let r = c2
            .post(format!("{second_url}/login"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", kari.username.as_str()),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(r.text().await.unwrap().contains("15 minutter"));
        // ... without counting towards that account's lockout.
        let acc = app
            .db
            .account(app.tenant.id, kari.account)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(acc.failed_attempts, 0);
        assert!(
            app.audit_actions()
                .await
                .iter()
                .any(|a| a == "auth.signin_refused_address")
        );
        // After the window it works again.
        app.advance(Duration::minutes(16));
        app.sign_in(&c, &kari).await;
    }
);
