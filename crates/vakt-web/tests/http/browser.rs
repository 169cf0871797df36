//! A real browser loads the pages under the CSP: headless Chromium (Debian's `chromium`) must log no
//! Content-Security-Policy violation and no script error (htmx included). Runs when `CHROMIUM_PATH` is set or
//! `/usr/bin/chromium` exists; otherwise it says so and passes (the e2e suite covers it in CI).

use vakt_core::Role;

use crate::harness::TestApp;

fn chromium() -> Option<String> {
    std::env::var("CHROMIUM_PATH").ok().or_else(|| {
        std::path::Path::new("/usr/bin/chromium")
            .exists()
            .then(|| "/usr/bin/chromium".to_owned())
    })
}

/// Loads `url` in headless Chromium; returns (DOM after scripts ran, browser log).
async fn load(url: &str) -> (String, String) {
    let bin = chromium().unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            &format!("--user-data-dir={}", profile.path().display()),
            "--dump-dom",
            url,
        ])
        .output()
        .await
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn chromium_loads_the_sign_in_page_without_csp_violations_and_runs_htmx() {
    if chromium().is_none() {
        eprintln!("no Chromium on this machine; skipped");
        return;
    }
    let app = TestApp::spawn_on(
        crate::harness::Engine::Sqlite,
        vakt_web::WebConfig::default(),
    )
    .await
    .unwrap();
    app.add_user("kari", &[Role::Employee], true).await;
    let (dom, log) = load(&app.url("/login")).await;
    assert!(dom.contains("Logg inn"), "{dom}");
    // Chromium logs every blocked inline style or script as "… violates the following Content Security
    // Policy directive …", and script errors as "Uncaught …".
    assert!(
        !log.contains("Content Security Policy") && !log.contains("Uncaught"),
        "{log}"
    );
    assert!(dom.contains("/static/htmx.min.js?v="), "{dom}");
}
