//! Session rotation, sign-out, timeouts and cookie flags.

use reqwest::{Client, StatusCode, header};
use time::Duration;
use vakt_core::Role;

use crate::harness::{PASSWORD, TestApp, location, set_cookie_value};

/// A client that sends exactly this session cookie.
fn with_cookie(token: &str) -> Client {
    let mut h = header::HeaderMap::new();
    h.insert(
        header::COOKIE,
        format!("vakt_session={token}").parse().unwrap(),
    );
    Client::builder()
        .default_headers(h)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_again_after_totp() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    let r = app.password_step(&c, &kari.username, PASSWORD).await;
    let abandoned = set_cookie_value(&r, "vakt_session").expect("pending session cookie");
    // Starting over from the same browser replaces the half-finished sign-in.
    let r = app.password_step(&c, &kari.username, PASSWORD).await;
    let pending = set_cookie_value(&r, "vakt_session").expect("second pending session cookie");
    assert_ne!(abandoned, pending);
    let r = with_cookie(&abandoned)
        .get(app.url("/login/totp"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login");
    let code = app.code(&kari);
    let r = app
        .post_form(&c, "/login/totp", "/login/totp", &[("code", &code)])
        .await;
    let full = set_cookie_value(&r, "vakt_session").expect("full session cookie");
    assert_ne!(pending, full);
    // The pending session is gone: its cookie alone leads back to sign-in.
    let r = with_cookie(&pending)
        .get(app.url("/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/login?next=%2Fme");
    let r = with_cookie(&full).get(app.url("/me")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_session_cookie_is_httponly_and_samesite_lax() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    let r = app.password_step(&c, &kari.username, PASSWORD).await;
    let cookie = r
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("vakt_session="))
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-HTTP test server must not set Secure: {cookie}"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session_on_the_server() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    let r = app.password_step(&c, &kari.username, PASSWORD).await;
    assert_eq!(location(&r), "/login/totp");
    let code = app.code(&kari);
    let r = app
        .post_form(&c, "/login/totp", "/login/totp", &[("code", &code)])
        .await;
    let token = set_cookie_value(&r, "vakt_session").unwrap();
    let r = app.post_form(&c, "/me", "/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login?bye=1");
    // Even a client that kept the cookie is signed out.
    let r = with_cookie(&token)
        .get(app.url("/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        app.audit_actions()
            .await
            .iter()
            .any(|a| a == "auth.signout")
    );
    let sessions = app
        .db
        .sessions_of(app.tenant.id, kari.account)
        .await
        .unwrap();
    assert!(sessions.is_empty(), "{sessions:?}");
}

#[tokio::test]
async fn an_idle_session_ends_after_the_tenants_idle_timeout() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    app.advance(Duration::minutes(29));
    assert_eq!(app.get(&c, "/me").await.0, StatusCode::OK);
    // Activity keeps it alive …
    app.advance(Duration::minutes(29));
    assert_eq!(app.get(&c, "/me").await.0, StatusCode::OK);
    // … idleness ends it.
    app.advance(Duration::minutes(31));
    assert_eq!(app.get(&c, "/me").await.0, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_session_ends_at_the_absolute_timeout_despite_activity() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    let mut alive_minutes = 0;
    for _ in 0..40 {
        app.advance(Duration::minutes(20));
        if app.get(&c, "/me").await.0 != StatusCode::OK {
            break;
        }
        alive_minutes += 20;
    }
    // Kept alive by activity up to the 12-hour absolute limit (exclusive), and not a request longer.
    assert_eq!(alive_minutes, 12 * 60 - 20);
    assert_eq!(app.get(&c, "/me").await.0, StatusCode::SEE_OTHER);
}
