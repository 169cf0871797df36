//! Hostile input in every form this module owns: SQL and HTML metacharacters, 100 kB values and invalid
//! UTF-8 give a clear error or are shown verbatim (escaped) — never a 500, never executed.

use crate::engine_test;

use reqwest::{Client, StatusCode, header};
use vakt_core::Role;

use crate::harness::PASSWORD;

const NASTY: &[&str] = &[
    "'; DROP TABLE accounts; --",
    "\" OR 1=1 --",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "Ærlig Østlund Åsa \u{202e}\u{0000}",
    "%00%27%22",
];

fn big() -> String {
    "x".repeat(100 * 1024)
}

/// Posts a raw urlencoded body (bytes as given) with the CSRF token prepended.
async fn post_raw(c: &Client, url: &str, csrf: &str, raw: &[u8]) -> reqwest::Response {
    let mut body = format!("csrf={csrf}&").into_bytes();
    body.extend_from_slice(raw);
    c.post(url)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap()
}

fn assert_safe(status: StatusCode, body: &str, what: &str) {
    assert!(!status.is_server_error(), "{what}: {status} {body}");
    assert!(
        !body.contains("<script>alert(1)</script>"),
        "{what}: unescaped script"
    );
    assert!(
        !body.contains("<img src=x onerror"),
        "{what}: unescaped img"
    );
}

engine_test!(
    the_sign_in_form_survives_hostile_values_and_shows_them_escaped,
    |app| {
        app.add_user("kari", &[Role::Employee], true).await;
        let c = app.browser();
        for v in NASTY {
            let r = app.password_step(&c, v, v).await;
            let status = r.status();
            let body = r.text().await.unwrap();
            assert_safe(status, &body, v);
            // NUL is refused as such (the extractors' control-character check), anything else is
            // just a wrong user name.
            let expected = if v.contains('\u{0}') {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::UNAUTHORIZED
            };
            assert_eq!(status, expected, "{v}");
        }
        // The username is echoed back escaped.
        let r = app.password_step(&c, "<b>bold</b>", "x").await;
        let body = r.text().await.unwrap();
        assert!(
            body.contains("value=\"&#60;b&#62;bold&#60;/b&#62;\"")
                || body.contains("value=\"&lt;b&gt;bold&lt;/b&gt;\""),
            "{body}"
        );
        // 100 kB values: a clear 422 naming the field.
        let r = app.password_step(&c, &big(), "x").await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("for lang"));
        let r = app.password_step(&c, "kari", &big()).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Invalid UTF-8 bytes in the urlencoded body.
        let token = app.csrf(&c, "/login").await;
        let r = post_raw(
            &c,
            &app.url("/login"),
            &token,
            b"username=%FF%FE%C3&password=%80%81",
        )
        .await;
        let status = r.status();
        assert_safe(status, &r.text().await.unwrap(), "invalid utf-8");
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        // Raw (not percent-encoded) invalid bytes too.
        let r = post_raw(
            &c,
            &app.url("/login"),
            &token,
            b"username=\xff\xfe&password=\xc3",
        )
        .await;
        assert!(!r.status().is_server_error());
        // The right user is still there, unharmed.
        let r = app.password_step(&c, "kari", PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
);

engine_test!(a_body_over_the_limit_is_refused_cleanly, |app| {
    let c = app.browser();
    let token = app.csrf(&c, "/login").await;
    let huge = format!("username={}&password=x", "y".repeat(3 * 1024 * 1024));
    let r = post_raw(&c, &app.url("/login"), &token, huge.as_bytes()).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
});

engine_test!(account_forms_survive_hostile_values, |app| {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    // Token names are stored and shown verbatim, escaped.
    for v in NASTY.iter().filter(|v| !v.contains('\u{0000}')) {
        let r = app
            .post_form(&c, "/account", "/account/tokens", &[("name", v)])
            .await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_safe(status, &body, v);
    }
    let (_, body) = app.get(&c, "/account").await;
    assert!(
        body.contains("&#39;; DROP TABLE accounts; --")
            || body.contains("&#x27;; DROP TABLE accounts; --"),
        "{body}"
    );
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || body.contains("&#60;script&#62;"),
        "{body}"
    );
    // Control characters and 100 kB names are clear errors.
    let r = app
        .post_form(&c, "/account", "/account/tokens", &[("name", "a\u{0000}b")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .post_form(&c, "/account", "/account/tokens", &[("name", &big())])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Passwords: hostile, huge and invalid UTF-8.
    for v in NASTY {
        let r = app
            .post_form(
                &c,
                "/account",
                "/account/password",
                &[("current", v), ("new", v), ("confirm", v)],
            )
            .await;
        let status = r.status();
        assert_safe(status, &r.text().await.unwrap(), v);
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = app
        .post_form(
            &c,
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", &big()), ("confirm", &big())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let token = app.csrf(&c, "/account").await;
    for (path, raw) in [
        (
            "/account/password",
            &b"current=%FF&new=%FE%FF&confirm=%FE%FF"[..],
        ),
        ("/account/tokens", &b"name=%FF%FE"[..]),
        ("/account/language", &b"lang=%FF"[..]),
        ("/language", &b"lang=%FF&back=%FF"[..]),
        ("/account/totp", &b"code=%FF&secret=%FF"[..]),
        ("/account/recovery-codes", &b"x=%FF"[..]),
    ] {
        let r = post_raw(&c, &app.url(path), &token, raw).await;
        let status = r.status();
        assert_safe(status, &r.text().await.unwrap(), path);
    }
    // Language and TOTP forms with metacharacters: clear errors.
    for v in NASTY {
        let r = app
            .post_form(&c, "/account", "/account/language", &[("lang", v)])
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        let r = app
            .post_form(
                &c,
                "/account",
                "/account/totp",
                &[("code", v), ("secret", v)],
            )
            .await;
        // A value with NUL is refused by the extractors' control-character check (422) before the
        // TOTP handler's own 400.
        let expected = if v.contains('\u{0}') {
            StatusCode::UNPROCESSABLE_ENTITY
        } else {
            StatusCode::BAD_REQUEST
        };
        assert_eq!(r.status(), expected, "{v}");
    }
    // A malformed token id in the path is a 404, not a 500.
    let r = c
        .post(app.url("/account/tokens/'%20OR%201=1/revoke"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Still signed in and working.
    assert_eq!(app.get(&c, "/me").await.0, StatusCode::OK);
});

engine_test!(totp_forms_survive_hostile_values, |app| {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.password_step(&c, &kari.username, PASSWORD).await;
    for v in NASTY.iter().take(3) {
        let r = app
            .post_form(&c, "/login/totp", "/login/totp", &[("code", v)])
            .await;
        let status = r.status();
        assert_safe(status, &r.text().await.unwrap(), v);
    }
    let r = app
        .post_form(&c, "/login/totp", "/login/totp", &[("code", &big())])
        .await;
    assert!(!r.status().is_server_error());
});

engine_test!(
    hostile_cookies_headers_and_query_strings_never_cause_a_server_error,
    |app| {
        let kari = app.add_user("kari", &[Role::Employee], true).await;
        let raw = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let long = "q".repeat(10_000);
        let cookies = [
            "vakt_session=<script>".to_owned(),
            format!("vakt_session={long}"),
            "vakt_session=; vakt_lang=../../etc; vakt_csrf=\"".to_owned(),
            "vakt_lang=sv\u{7f}".to_owned(),
        ];
        for cookie in &cookies {
            let r = raw
                .get(app.url("/me"))
                .header(header::COOKIE, cookie.as_str())
                .send()
                .await;
            // A header value the client library refuses to send is not a server concern.
            if let Ok(r) = r {
                assert!(!r.status().is_server_error(), "{cookie}: {}", r.status());
            }
        }
        for lang in [long.as_str(), ";;;q=,,,", "sv;q=NaN, da;q=inf", "*"] {
            let r = raw
                .get(app.url("/login"))
                .header(header::ACCEPT_LANGUAGE, lang)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{lang}");
        }
        for q in [
            "/login?next=%FF%FE",
            "/login?next=//evil.example",
            "/account?done=%3Cscript%3E",
            "/login?bye=<x>&next=\\\\evil",
        ] {
            let r = raw.get(app.url(q)).send().await.unwrap();
            let status = r.status();
            assert_safe(status, &r.text().await.unwrap(), q);
        }
        // An off-site `next` never becomes the target after sign-in.
        let c = app.browser();
        let token = app.csrf(&c, "/login?next=//evil.example/x").await;
        let r = c
            .post(app.url("/login?next=//evil.example/x"))
            .form(&[
                ("csrf", token.as_str()),
                ("username", "kari"),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(crate::harness::location(&r), "/login/totp");
        let code = app.code(&kari);
        let r = app
            .post_form(
                &c,
                "/login/totp",
                "/login/totp?next=//evil.example/x",
                &[("code", &code)],
            )
            .await;
        assert_eq!(crate::harness::location(&r), "/me");
    }
);

/// Control characters Vakt refuses (vakt-core `text`): NUL, other C0 controls, DEL and C1 controls.
const CONTROLS: &[&str] = &["a\u{0}b", "\u{1}x", "del\u{7f}", "c1\u{85}", "\u{1b}[31m"];

engine_test!(
    control_characters_are_refused_in_every_kind_of_input_with_a_clear_message,
    |app| {
        let admin = app
            .add_user(
                "admin",
                &[Role::TenantAdmin, Role::SecurityCoordinator],
                true,
            )
            .await;
        let c = app.browser();
        app.sign_in(&c, &admin).await;
        // A token for the API, made through the account page.
        let r = app
            .post_form(&c, "/account", "/account/tokens", &[("name", "api")])
            .await;
        let page = r.text().await.unwrap();
        let i = page
            .find("id=\"new-token\">")
            .expect("the new token is shown once")
            + "id=\"new-token\">".len();
        let token: String = page[i..].chars().take_while(|ch| *ch != '<').collect();
        let person = app
            .db
            .account(app.tenant.id, admin.account)
            .await
            .unwrap()
            .unwrap()
            .person
            .unwrap();
        let events_before = app.audit_actions().await.len();
        let tokens_before = app
            .db
            .api_tokens_of(app.tenant.id, admin.account)
            .await
            .unwrap()
            .len();
        for bad in CONTROLS {
            let enc = urlencoding::encode(bad).into_owned();
            // Form fields (sign-in, account, person edit), as a value and as a field name.
            let anon = app.browser();
            let r = app.password_step(&anon, bad, bad).await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            assert!(r.text().await.unwrap().contains("kontrolltegn"), "{bad:?}");
            let r = app
                .post_form(&c, "/account", "/account/tokens", &[("name", bad)])
                .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            let csrf = app.csrf(&c, "/account").await;
            let r = post_raw(
                &c,
                &app.url("/account/tokens"),
                &csrf,
                format!("name=ok&{enc}=1").as_bytes(),
            )
            .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            let r = app
                .post_form(
                    &c,
                    &format!("/directory/people/{person}/edit"),
                    &format!("/directory/people/{person}/edit"),
                    &[
                        ("given_name", bad),
                        ("family_name", "Nordmann"),
                        ("kind", "employee"),
                        ("state", "active"),
                    ],
                )
                .await;
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            // Query strings of pages and of the API, and path segments.
            for path in [
                format!("/directory/people?q={enc}"),
                format!("/audit?action={enc}"),
                format!("/directory/people/{enc}"),
            ] {
                let (status, body) = app.get(&c, &path).await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
                assert!(body.contains("kontrolltegn"), "{path}: {body}");
            }
            let r = reqwest::Client::new()
                .get(app.url(&format!("/api/v1/people?q={enc}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"]["code"], "invalid_input");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("q"),
                "{body}"
            );
        }
        // Nothing was written: no event, no token, the person unchanged.
        assert_eq!(app.audit_actions().await.len(), events_before);
        assert_eq!(
            app.db
                .api_tokens_of(app.tenant.id, admin.account)
                .await
                .unwrap()
                .len(),
            tokens_before
        );
        let p = app.db.person(app.tenant.id, person).await.unwrap().unwrap();
        assert_eq!(p.given_name, "Kari");
        // Tab, line feed and carriage return are ordinary text.
        let (status, _) = app.get(&c, "/directory/people?q=a%09b%0Ac%0D").await;
        assert_eq!(status, StatusCode::OK);
    }
);
