//! Hostile input in every form this module owns: SQL and HTML metacharacters, 100 kB values and invalid
//! UTF-8 give a clear error or are shown verbatim (escaped) — never a 500, never executed.

use reqwest::{Client, StatusCode, header};
use vakt_core::Role;

use crate::harness::{PASSWORD, TestApp};

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

#[tokio::test]
async fn the_sign_in_form_survives_hostile_values_and_shows_them_escaped() {
    let app = TestApp::spawn().await;
    app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    for v in NASTY {
        let r = app.password_step(&c, v, v).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_safe(status, &body, v);
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
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

#[tokio::test]
async fn a_body_over_the_limit_is_refused_cleanly() {
    let app = TestApp::spawn().await;
    let c = app.browser();
    let token = app.csrf(&c, "/login").await;
    let huge = format!("username={}&password=x", "y".repeat(3 * 1024 * 1024));
    let r = post_raw(&c, &app.url("/login"), &token, huge.as_bytes()).await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn account_forms_survive_hostile_values() {
    let app = TestApp::spawn().await;
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
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{v}");
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
}

#[tokio::test]
async fn totp_forms_survive_hostile_values() {
    let app = TestApp::spawn().await;
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
}
