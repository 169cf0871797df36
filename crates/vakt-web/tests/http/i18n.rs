//! Language choice: Accept-Language, the switcher (cookie) and the saved preference.

use reqwest::{StatusCode, header};
use vakt_core::Role;

use crate::harness::{TestApp, location};

#[tokio::test]
async fn the_language_switch_shows_swedish_text() {
    let app = TestApp::spawn().await;
    let c = app.browser();
    let (_, body) = app.get(&c, "/login").await;
    assert!(
        body.contains("Logg inn") && body.contains("lang=\"nb\""),
        "bokmål by default"
    );
    let r = app
        .post_form(
            &c,
            "/login",
            "/language",
            &[("lang", "sv"), ("back", "/login")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login");
    let (_, body) = app.get(&c, "/login").await;
    assert!(
        body.contains("Logga in") && body.contains("lang=\"sv\""),
        "{body}"
    );
    assert!(body.contains("Användarnamn"));
}

#[tokio::test]
async fn accept_language_is_used_when_nothing_else_chooses() {
    let app = TestApp::spawn().await;
    let r = app
        .browser()
        .get(app.url("/login"))
        .header(header::ACCEPT_LANGUAGE, "da-DK,da;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    // In a single-tenant install the tenant is known, and its default (Norwegian preset) comes first.
    assert!(
        body.contains("lang=\"nb\""),
        "single-tenant default: {body}"
    );
    // With two tenants the sign-in page does not know the tenant: the browser's language decides.
    app.db
        .create_tenant(
            &vakt_core::audit::Actor::system("test"),
            vakt_store::NewTenant {
                slug: "other".into(),
                name: "Other".into(),
                country: vakt_core::Country::Se,
                default_language: None,
                time_zone: None,
            },
        )
        .await
        .unwrap();
    let r = app
        .browser()
        .get(app.url("/login"))
        .header(header::ACCEPT_LANGUAGE, "fr, da-DK;q=0.9, en;q=0.5")
        .send()
        .await
        .unwrap();
    let body = r.text().await.unwrap();
    assert!(
        body.contains("lang=\"da\"") && body.contains("Log ind"),
        "{body}"
    );
    assert!(
        body.contains("id=\"tenant\""),
        "the tenant field is asked for: {body}"
    );
}

#[tokio::test]
async fn a_signed_in_users_choice_is_saved_and_follows_them() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    let r = app
        .post_form(&c, "/me", "/language", &[("lang", "sv"), ("back", "/me")])
        .await;
    assert_eq!(location(&r), "/me");
    let (_, body) = app.get(&c, "/me").await;
    assert!(
        body.contains("Min sida") && body.contains("Hej, Kari"),
        "{body}"
    );
    // Another browser (no cookie) gets Swedish from the saved preference.
    let other = app.browser();
    app.advance(time::Duration::seconds(30));
    app.sign_in(&other, &kari).await;
    let (_, body) = app.get(&other, "/me").await;
    assert!(body.contains("Min sida"), "{body}");
}

#[tokio::test]
async fn the_switch_never_redirects_off_site() {
    let app = TestApp::spawn().await;
    let c = app.browser();
    let r = app
        .post_form(
            &c,
            "/login",
            "/language",
            &[("lang", "en"), ("back", "//evil.example/x")],
        )
        .await;
    assert_eq!(location(&r), "/");
    let r = app
        .post_form(&c, "/login", "/language", &[("lang", "xx"), ("back", "/")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
}
