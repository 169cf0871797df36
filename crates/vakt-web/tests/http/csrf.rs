//! CSRF: the Origin / Sec-Fetch-Site check and the per-session token on every state-changing request.

use reqwest::StatusCode;
use vakt_core::Role;

use crate::harness::{TestApp, csrf_in};

async fn signed_in(app: &TestApp) -> reqwest::Client {
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    c
}

#[tokio::test]
async fn a_form_without_the_csrf_token_is_rejected() {
    let app = TestApp::spawn().await;
    let c = signed_in(&app).await;
    let r = c
        .post(app.url("/account/tokens"))
        .form(&[("name", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("Skjemaet er utløpt"));
    let r = c
        .post(app.url("/account/tokens"))
        .form(&[("csrf", "forged"), ("name", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let tokens = app
        .db
        .api_tokens_of(
            app.tenant.id,
            app.db
                .account_by_username(app.tenant.id, "kari")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap();
    assert!(tokens.is_empty());
}

#[tokio::test]
async fn a_valid_token_from_a_foreign_origin_is_rejected() {
    let app = TestApp::spawn().await;
    let c = signed_in(&app).await;
    let token = app.csrf(&c, "/account").await;
    let r = c
        .post(app.url("/account/tokens"))
        .header("origin", "https://evil.example")
        .form(&[("csrf", token.as_str()), ("name", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = c
        .post(app.url("/account/tokens"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf", token.as_str()), ("name", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Same origin with the token passes.
    let r = c
        .post(app.url("/account/tokens"))
        .header("origin", app.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&[("csrf", token.as_str()), ("name", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_htmx_header_carries_the_token_too() {
    let app = TestApp::spawn().await;
    let c = signed_in(&app).await;
    let (_, body) = app.get(&c, "/account").await;
    let token = csrf_in(&body).unwrap();
    // `{"X-CSRF-Token":"<token>"}`, HTML-escaped inside the attribute.
    assert!(
        body.contains(&format!(
            "hx-headers=\"{{&#34;X-CSRF-Token&#34;:&#34;{token}&#34;}}\""
        )),
        "{body}"
    );
    let r = c
        .post(app.url("/account/tokens"))
        .header("x-csrf-token", &token)
        .form(&[("name", "ci")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn sign_in_itself_needs_the_anonymous_token() {
    let app = TestApp::spawn().await;
    app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    let r = c
        .post(app.url("/login"))
        .form(&[("username", "kari"), ("password", crate::harness::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_session_token_does_not_work_for_another_session() {
    let app = TestApp::spawn().await;
    let c1 = signed_in(&app).await;
    let token1 = app.csrf(&c1, "/account").await;
    let per = app.add_user("per", &[Role::Employee], true).await;
    let c2 = app.browser();
    app.sign_in(&c2, &per).await;
    let r = c2
        .post(app.url("/account/tokens"))
        .form(&[("csrf", token1.as_str()), ("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}
