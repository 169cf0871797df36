//! Personal API tokens: shown once, stored hashed, Bearer-only, revocable; the account page.

use reqwest::{StatusCode, header};
use vakt_core::Role;

use crate::harness::{PASSWORD, TestApp, csrf_in, location, set_cookie_value};

fn new_token_in(body: &str) -> String {
    let i = body.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    body[i..i + body[i..].find('<').unwrap()].to_owned()
}

#[tokio::test]
async fn a_token_is_shown_once_stored_hashed_and_works_as_bearer_until_revoked() {
    let app = TestApp::spawn().await;
    let kari = app
        .add_user("kari", &[Role::Employee, Role::Auditor], true)
        .await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    let r = app
        .post_form(
            &c,
            "/account",
            "/account/tokens",
            &[("name", "ci pipeline")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let token = new_token_in(&r.text().await.unwrap());
    assert_eq!(token.len(), 43);
    // Listed by name, never shown again.
    let (_, body) = app.get(&c, "/account").await;
    assert!(body.contains("ci pipeline") && !body.contains(&token));
    let stored = app
        .db
        .api_tokens_of(app.tenant.id, kari.account)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(
        app.db.api_token_by_hash(&token).await.unwrap().is_none(),
        "the clear token is not a key"
    );
    assert!(
        app.db
            .api_token_by_hash(&vakt_store::token_hash(&token))
            .await
            .unwrap()
            .is_some()
    );

    let api = reqwest::Client::new();
    let r = api
        .get(app.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["username"], "kari");
    assert_eq!(v["tenant"], "demo");
    assert!(
        v["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r == "auditor")
    );

    // Revoke from the account page.
    let (_, body) = app.get(&c, "/account").await;
    let id = stored[0].id.to_string();
    assert!(body.contains(&format!("/account/tokens/{id}/revoke")));
    let r = c
        .post(app.url(&format!("/account/tokens/{id}/revoke")))
        .form(&[("csrf", csrf_in(&body).unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&r), "/account?done=revoked");
    let r = api
        .get(app.url("/api/v1/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "unauthorized");
}

#[tokio::test]
async fn the_api_never_accepts_the_session_cookie() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    let r = c.get(app.url("/api/v1/whoami")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    // A Bearer request with a garbage token is refused too.
    let r = c
        .get(app.url("/api/v1/whoami"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn another_accounts_token_cannot_be_revoked() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let per = app.add_user("per", &[Role::Employee], true).await;
    let ck = app.browser();
    app.sign_in(&ck, &kari).await;
    app.post_form(&ck, "/account", "/account/tokens", &[("name", "karis")])
        .await;
    let karis = app
        .db
        .api_tokens_of(app.tenant.id, kari.account)
        .await
        .unwrap();
    let cp = app.browser();
    app.sign_in(&cp, &per).await;
    let token = app.csrf(&cp, "/account").await;
    let r = cp
        .post(app.url(&format!("/account/tokens/{}/revoke", karis[0].id)))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let after = app
        .db
        .api_tokens_of(app.tenant.id, kari.account)
        .await
        .unwrap();
    assert!(after[0].revoked_at.is_none());
}

#[tokio::test]
async fn a_password_change_follows_the_policy_in_the_users_language_and_rotates_the_session() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    let r = app
        .post_form(
            &c,
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", "kort"), ("confirm", "kort")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(body.contains("id=\"password-errors\""), "{body}");
    assert!(body.contains("12"), "the minimum length is named: {body}");
    let r = app
        .post_form(
            &c,
            "/account",
            "/account/password",
            &[("current", "wrong"), ("new", "x"), ("confirm", "x")],
        )
        .await;
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Nåværende passord er feil")
    );
    let new = "a much longer passphrase 2026";
    let r = app
        .post_form(
            &c,
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(location(&r), "/account?done=password");
    assert!(
        set_cookie_value(&r, "vakt_session").is_some(),
        "a fresh session"
    );
    let (status, body) = app.get(&c, "/account?done=password").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Passordet ditt er endret"));
    // The new password signs in.
    app.advance(time::Duration::seconds(30));
    let other = app.browser();
    let r = app.password_step(&other, "kari", new).await;
    assert_eq!(location(&r), "/login/totp");
}

#[tokio::test]
async fn new_recovery_codes_replace_the_old_ones() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let c = app.browser();
    app.sign_in(&c, &kari).await;
    let r = app
        .post_form(&c, "/account", "/account/recovery-codes", &[])
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    let list = &body[body.find("id=\"recovery-codes\"").unwrap()..];
    assert_eq!(
        list[..list.find("</ul>").unwrap()].matches("<li>").count(),
        10
    );
    let (_, body) = app.get(&c, "/account").await;
    assert!(body.contains("10 ubrukte gjenopprettingskoder"), "{body}");
}

#[tokio::test]
async fn a_one_time_password_must_be_changed_before_anything_else() {
    let app = TestApp::spawn().await;
    let kari = app.add_user("kari", &[Role::Employee], true).await;
    let ctx = vakt_store::AuditCtx::new(app.tenant.id, vakt_core::audit::Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    tx.set_must_change_password(kari.account, true)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let c = app.browser();
    app.password_step(&c, "kari", PASSWORD).await;
    let code = app.code(&kari);
    let r = app
        .post_form(&c, "/login/totp", "/login/totp", &[("code", &code)])
        .await;
    assert_eq!(location(&r), "/account?done=must-change");
    let r = c.get(app.url("/me")).send().await.unwrap();
    assert_eq!(location(&r), "/account?done=must-change");
    let (status, body) = app.get(&c, "/account?done=must-change").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Du må bytte passord"), "{body}");
    let new = "another long passphrase 1999";
    let r = app
        .post_form(
            &c,
            "/account",
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(location(&r), "/account?done=password");
    assert_eq!(app.get(&c, "/me").await.0, StatusCode::OK);
}
