//! Security headers, static files and error pages.

use reqwest::{StatusCode, header};

use crate::harness::TestApp;

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let c = app.browser();
    for path in ["/login", "/does-not-exist", "/api/v1/nothing", "/healthz"] {
        let r = c.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        let csp = h
            .get(header::CONTENT_SECURITY_POLICY)
            .unwrap()
            .to_str()
            .unwrap();
        assert!(csp.contains("default-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{path}: {csp}"
        );
        assert_eq!(h.get(header::X_FRAME_OPTIONS).unwrap(), "DENY");
        assert_eq!(h.get(header::X_CONTENT_TYPE_OPTIONS).unwrap(), "nosniff");
        assert_eq!(h.get(header::REFERRER_POLICY).unwrap(), "same-origin");
        assert!(
            h.get("permissions-policy")
                .unwrap()
                .to_str()
                .unwrap()
                .contains("camera=()")
        );
        // Plain HTTP (secure cookies off): no HSTS.
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none());
    }
}

#[tokio::test]
async fn pages_have_no_inline_scripts_or_styles() {
    let app = TestApp::spawn().await;
    let (_, body) = app.get(&app.browser(), "/login").await;
    assert!(
        !body.contains("<script>") && !body.contains("style="),
        "{body}"
    );
    assert!(body.contains("<script src=\"/static/htmx.min.js?v="));
    assert!(body.contains("\"includeIndicatorStyles\":false"));
    for landmark in [
        "<header",
        "<nav",
        "<main id=\"main\"",
        "<footer",
        "class=\"skip-link\" href=\"#main\"",
    ] {
        if landmark == "<nav" {
            continue; // the sign-in page has no navigation
        }
        assert!(body.contains(landmark), "{landmark}");
    }
    for id in ["username", "password"] {
        assert!(
            body.contains(&format!("<label for=\"{id}\">")),
            "label for {id}"
        );
    }
}

#[tokio::test]
async fn htmx_is_served_from_the_binary_with_a_long_cache() {
    let app = TestApp::spawn().await;
    let r = app
        .browser()
        .get(app.url("/static/htmx.min.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age=31536000")
    );
    assert!(
        r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert!(r.text().await.unwrap().contains("htmx"));
    let r = app
        .browser()
        .get(app.url("/static/../../etc/passwd"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unknown_pages_are_html_and_unknown_api_paths_are_json() {
    let app = TestApp::spawn().await;
    let c = app.browser();
    let r = c.get(app.url("/nope")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(
        r.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(r.text().await.unwrap().contains("Siden finnes ikke"));
    let r = c.get(app.url("/api/v1/nope")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert!(v["error"]["message"].as_str().unwrap().len() > 3);
}

#[tokio::test]
async fn with_secure_cookies_hsts_is_sent_and_cookies_use_the_host_prefix() {
    let app = TestApp::spawn_with(vakt_web::WebConfig {
        secure_cookies: true,
        ..Default::default()
    })
    .await;
    let r = app.browser().get(app.url("/login")).send().await.unwrap();
    assert!(
        r.headers()[header::STRICT_TRANSPORT_SECURITY]
            .to_str()
            .unwrap()
            .contains("max-age="),
        "HSTS missing"
    );
    let cookie = r.headers()[header::SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.starts_with("__Host-vakt_csrf=") && cookie.contains("; Secure"),
        "{cookie}"
    );
}
