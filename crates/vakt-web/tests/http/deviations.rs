//! Deviations over HTTP: the one-minute report with its receipt, who sees which case, the breach
//! flag starting the 72-hour clock, the late-notification rule, measures and closure with the
//! legal hold, and anonymous reporting that reaches nothing else.

use reqwest::StatusCode;
use time::Duration;
use vakt_core::deviations::CaseState;
use vakt_store::{AuditFilter, CaseFilter};

use crate::world::{ALFA_MARK, User, World, client, csrf_in};

/// The users of the fixture read Norwegian Bokmål (the tenant's language).
fn nb(key: &str) -> String {
    vakt_web::t(vakt_web::Lang::Nb, key, &[])
}

async fn post(w: &World, u: &User, path: &str, form: &[(&str, &str)]) -> (StatusCode, String) {
    let mut f: Vec<(&str, &str)> = vec![("csrf", u.csrf.as_str())];
    f.extend_from_slice(form);
    let resp = u
        .client
        .post(w.url(path))
        .form(&f)
        .send()
        .await
        .expect("post");
    let status = resp.status();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = resp.text().await.unwrap_or_default();
    (
        status,
        if status.is_redirection() {
            location
        } else {
            body
        },
    )
}

async fn get(w: &World, u: &User, path: &str) -> (StatusCode, String) {
    let resp = u.client.get(w.url(path)).send().await.expect("get");
    let status = resp.status();
    (status, resp.text().await.unwrap_or_default())
}

async fn case_by_title(w: &World, title: &str) -> vakt_store::Case {
    let (list, _) =
        w.db.dev_cases(
            w.alfa.id,
            &CaseFilter {
                text: Some(title.into()),
                limit: 10,
                ..CaseFilter::default()
            },
        )
        .await
        .expect("list");
    let id = list.first().expect("the case").id;
    w.db.dev_case(w.alfa.id, id)
        .await
        .expect("case")
        .expect("case")
}

/// The statistics through the API (breach figures of the last twelve months).
async fn breach_stats(w: &World, u: &User) -> (i64, i64, i64, i64) {
    let v: serde_json::Value = u
        .client
        .get(w.url("/api/v1/deviations/stats"))
        .bearer_auth(&u.token)
        .send()
        .await
        .expect("stats")
        .json()
        .await
        .expect("json");
    let n = |k: &str| v[k].as_i64().unwrap_or(-1);
    (
        n("breaches"),
        n("breaches_notified_on_time"),
        n("breaches_notified_late"),
        n("breaches_not_notified"),
    )
}

#[tokio::test]
async fn a_lost_phone_goes_from_report_to_closure_and_every_change_is_audited() {
    let w = World::start().await;
    let employee = w.user("employee");
    // Every page links to the report form.
    let (_, me) = get(&w, employee, "/me").await;
    assert!(me.contains("href=\"/deviations/report\""));
    let (status, form) = get(&w, employee, "/deviations/report").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"personal_data\""));
    let (status, location) = post(
        &w,
        employee,
        "/deviations/report",
        &[
            ("title", "Lost phone on the bus"),
            ("description", "Work phone with e-mail and pupil lists"),
            ("category", "information_security"),
            ("affected_kind", "equipment"),
            ("affected", "Work phone"),
            ("personal_data", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{location}");
    assert!(location.starts_with("/deviations/mine?receipt="));
    let (_, mine) = get(&w, employee, &location).await;
    assert!(mine.contains("id=\"dev-receipt\""), "{mine}");
    assert!(mine.contains("Lost phone on the bus"));
    let case = case_by_title(&w, "Lost phone").await;
    assert_eq!(
        case.unit,
        Some(w.school.id),
        "the reporter's unit by default"
    );
    // The employee cannot open the case itself; the school's leader and the coordinator can.
    let path = format!("/deviations/{}", case.id);
    assert_eq!(get(&w, employee, &path).await.0, StatusCode::FORBIDDEN);
    let leader = w.user("leader");
    let (status, unit_list) = get(&w, leader, &format!("/deviations/unit/{}", w.school.id)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(unit_list.contains("Lost phone on the bus"));
    assert_eq!(
        get(&w, leader, "/deviations").await.0,
        StatusCode::FORBIDDEN
    );
    let coordinator = w.user("coordinator");
    let (_, dash) = get(&w, coordinator, "/deviations/dashboard").await;
    assert!(dash.contains("Lost phone on the bus"));
    // Triage is a step of its own; investigation needs handler, category and severity.
    let (s, _) = post(
        &w,
        coordinator,
        &format!("{path}/transition"),
        &[("action", "start_triage")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, body) = post(
        &w,
        coordinator,
        &format!("{path}/transition"),
        &[("action", "start_investigation")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(&nb("dev-need-assignee")), "{body}");
    let coordinator_number = "A10";
    for form in [
        vec![("field", "assignee"), ("value", coordinator_number)],
        vec![("field", "severity"), ("value", "high")],
    ] {
        assert_eq!(
            post(&w, coordinator, &format!("{path}/update"), &form)
                .await
                .0,
            StatusCode::SEE_OTHER
        );
    }
    // Flag as a breach: the GDPR clock runs 72 hours from awareness.
    assert_eq!(
        post(
            &w,
            coordinator,
            &format!("{path}/flags"),
            &[("flag", "breach"), ("value", "on")]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    let dpo = w.user("dpo");
    let (_, page) = get(&w, dpo, &path).await;
    assert!(page.contains("id=\"obl-gdpr_authority\""));
    assert!(
        page.contains("71 h 59 min") || page.contains("72 h 0 min"),
        "countdown missing"
    );
    let stored = w.db.dev_case(w.alfa.id, case.id).await.unwrap().unwrap();
    let due = stored.next_due.expect("a running deadline");
    assert_eq!(due, stored.aware_at + Duration::hours(72));
    // The DPO writes the draft and records the notification as sent.
    let (s, _) = post(
        &w,
        dpo,
        &format!("{path}/draft"),
        &[
            ("save", "1"),
            ("controller_name", "Alfa kommune"),
            ("confidentiality", "1"),
            ("description", "A work phone was lost on a bus"),
            ("subject_categories", "pupils"),
            ("subjects_low", "20"),
            ("subjects_high", "30"),
            ("data_categories", "names, classes"),
            ("consequences", "Pupils' names could be read"),
            ("measures_taken", "Phone wiped remotely"),
            ("dpo_name", "Dina"),
            ("dpo_email", "dpo@example.org"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let resp = dpo
        .client
        .get(w.url(&format!("{path}/draft.json")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let draft: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(draft["form"]["form"], "no_datatilsynet");
    assert!(draft.to_string().contains("Phone wiped remotely"));
    // The same draft as a PDF, field by field in the form's order, for the DPO only.
    let resp = dpo
        .client
        .get(w.url(&format!("{path}/draft.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let pdf = resp.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4"));
    let has = |needle: &[u8]| pdf.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"(Phone wiped remotely)"));
    assert!(has(b"(20\x9630)"), "the approximate number as a range");
    assert!(has(b"(Dina, dpo@example.org)"));
    assert!(has(b"%%EOF"));
    assert_eq!(
        get(&w, employee, &format!("{path}/draft.pdf")).await.0,
        StatusCode::FORBIDDEN
    );
    for (regime, op) in [
        ("gdpr_authority", "submit"),
        ("gdpr_data_subjects", "not_required"),
    ] {
        let form: Vec<(&str, &str)> = if op == "submit" {
            vec![
                ("regime", regime),
                ("op", op),
                ("phase", "notification"),
                ("kind", "complete"),
                ("channel", "Altinn"),
                ("reference", "DT-26-0042"),
            ]
        } else {
            vec![
                ("regime", regime),
                ("op", op),
                ("ground", "no_high_risk"),
                ("reasoning", "Phone encrypted and wiped within the hour"),
            ]
        };
        let (s, body) = post(&w, dpo, &format!("{path}/obligations"), &form).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{regime}: {body}");
    }
    // The statistics count the breach as notified on time (the data-subject decision is another regime).
    assert_eq!(breach_stats(&w, dpo).await, (1, 1, 0, 0));
    // Measures are assigned and completed; then the case closes and its hold is released.
    assert_eq!(
        post(
            &w,
            coordinator,
            &format!("{path}/measures"),
            &[
                ("title", "Block the SIM card"),
                ("owner", "A1"),
                ("due", "2099-01-31")
            ]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    for form in [vec![
        ("field", "risk"),
        ("consequence", "moderate"),
        ("likelihood", "possible"),
    ]] {
        assert_eq!(
            post(&w, coordinator, &format!("{path}/update"), &form)
                .await
                .0,
            StatusCode::SEE_OTHER
        );
    }
    let answers = [
        ("intrusion", "none", ""),
        ("external_attack", "no", ""),
        ("data_changed", "no", ""),
        ("malware_installed", "no", ""),
        ("law_or_rule_broken", "no", ""),
        ("serious_disruption", "no", ""),
        ("consequences", "", "Names of pupils could be read"),
        ("proposed_measures", "", "Remind staff of screen locks"),
    ];
    for (key, answer, text) in answers {
        let (s, body) = post(
            &w,
            coordinator,
            &format!("{path}/checklist"),
            &[("key", key), ("answer", answer), ("text", text)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{key}: {body}");
    }
    for action in ["start_investigation", "plan_measures"] {
        let (s, body) = post(
            &w,
            coordinator,
            &format!("{path}/transition"),
            &[("action", action)],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{action}: {body}");
    }
    assert!(
        w.db.dev_case(w.alfa.id, case.id)
            .await
            .unwrap()
            .unwrap()
            .hold_id
            .is_some()
    );
    // Closing needs the lessons and every measure settled.
    let (s, _) = post(
        &w,
        coordinator,
        &format!("{path}/transition"),
        &[("action", "close")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let measure = w.db.dev_measures(w.alfa.id, case.id).await.unwrap()[0]
        .id
        .to_string();
    assert_eq!(
        post(
            &w,
            coordinator,
            &format!("{path}/measures/settle"),
            &[("measure", &measure), ("op", "done")]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post(
            &w,
            coordinator,
            &format!("{path}/update"),
            &[
                ("field", "lessons"),
                ("value", "Phones need a screen lock policy")
            ]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    let (s, body) = post(
        &w,
        coordinator,
        &format!("{path}/transition"),
        &[("action", "close")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let closed = w.db.dev_case(w.alfa.id, case.id).await.unwrap().unwrap();
    assert_eq!(closed.state, CaseState::Closed);
    assert!(closed.hold_id.is_none());
    let (_, mine) = get(&w, employee, "/deviations/mine").await;
    assert!(mine.contains(&nb("dev-state-closed")));
    // Every change is in the audit chain, and the chain verifies.
    let events =
        w.db.search_audit(
            w.alfa.id,
            &AuditFilter {
                object_type: Some("deviation".into()),
                object_id: Some(case.id.to_string()),
                ..AuditFilter::default()
            },
            500,
            0,
        )
        .await
        .unwrap();
    let timeline = w.db.dev_timeline(w.alfa.id, case.id).await.unwrap();
    assert!(
        events.len() >= timeline.len(),
        "{} events, {} timeline rows",
        events.len(),
        timeline.len()
    );
    assert!(w.db.verify_audit(w.alfa.id).await.unwrap().is_ok());
    // The breach register lists it; exports leave the reporter out unless asked for and allowed.
    let (_, register) = get(&w, dpo, "/deviations/breaches").await;
    assert!(register.contains("Lost phone on the bus"));
    assert!(register.contains("Ett brudd i protokollen."), "{register}");
    let (_, second) = get(&w, dpo, "/deviations/breaches?page=1").await;
    assert!(!second.contains("Lost phone on the bus"));
    let (_, plain) = get(&w, leader, &format!("{path}/export.json")).await;
    let plain: serde_json::Value = serde_json::from_str(&plain).unwrap();
    assert_eq!(plain["reporter"], "");
    assert_eq!(
        get(&w, leader, &format!("{path}/export.json?personal=1"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, full) = get(&w, dpo, &format!("{path}/export.json?personal=1")).await;
    assert!(full.contains("Tor"), "{full}");
}

#[tokio::test]
async fn a_notification_after_72_hours_needs_the_reasons_for_the_delay() {
    let w = World::start().await;
    let dpo = w.user("dpo");
    let path = format!("/deviations/{}", w.case.id);
    // The recorded moment of awareness was 80 hours ago (tenant-local input).
    let cal = vakt_core::deadline::TenantCalendar::new(
        &vakt_core::settings::Settings::preset(w.alfa.country).time_zone,
    )
    .unwrap();
    let aware = cal.local(w.db.now() - Duration::hours(80)).unwrap();
    let aware_input = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        aware.year(),
        u8::from(aware.month()),
        aware.day(),
        aware.hour(),
        aware.minute()
    );
    assert_eq!(
        post(
            &w,
            dpo,
            &format!("{path}/update"),
            &[("field", "aware_at"), ("value", &aware_input)]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        post(
            &w,
            dpo,
            &format!("{path}/flags"),
            &[("flag", "breach"), ("value", "on")]
        )
        .await
        .0,
        StatusCode::SEE_OTHER
    );
    let (_, page) = get(&w, dpo, &path).await;
    assert!(
        page.contains("countdown overdue")
            && (page.contains(">fristen er overskredet med 8 h")
                || page.contains("med 7 h 59 min")),
        "the countdown shows the overdue clock"
    );
    let submit = |reasons: &'static str| {
        vec![
            ("regime", "gdpr_authority"),
            ("op", "submit"),
            ("phase", "notification"),
            ("kind", "complete"),
            ("channel", "Altinn"),
            ("delay_reasons", reasons),
        ]
    };
    let (s, body) = post(&w, dpo, &format!("{path}/obligations"), &submit("")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(&nb("dev-err-delay-reasons")), "{body}");
    let stored = w.db.dev_obligations(w.alfa.id, w.case.id).await.unwrap();
    assert!(
        stored.iter().all(|o| o.obligation.submissions.is_empty()),
        "nothing recorded"
    );
    let (s, _) = post(
        &w,
        dpo,
        &format!("{path}/obligations"),
        &submit("The loss was first reported as a hardware fault"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = get(&w, dpo, &path).await;
    assert!(page.contains(&format!("({})", nb("dev-late"))));
    assert_eq!(breach_stats(&w, dpo).await, (1, 0, 1, 0));
    // Once the clocks run, the moment of awareness is fixed.
    assert_eq!(
        post(
            &w,
            dpo,
            &format!("{path}/update"),
            &[("field", "aware_at"), ("value", &aware_input)]
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn anonymous_reporting_needs_no_account_and_reaches_nothing_else() {
    let w = World::start().await;
    let coordinator = w.user("coordinator");
    // Off by default: no link.
    let (_, settings) = get(&w, coordinator, "/deviations/settings").await;
    assert!(!settings.contains("dev-anon-link"));
    let (s, _) = post(
        &w,
        coordinator,
        "/deviations/settings",
        &[
            ("anonymous", "1"),
            ("triage_hours", "24"),
            ("stats_threshold", "5"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, settings) = get(&w, coordinator, "/deviations/settings").await;
    let start = settings
        .find("<code id=\"dev-anon-link\">")
        .expect("the link")
        + "<code id=\"dev-anon-link\">".len();
    let link = settings[start..start + settings[start..].find('<').unwrap()].to_owned();
    assert!(link.starts_with("/anonymous/"));

    let anon = client();
    let resp = anon.get(w.url(&link)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        !html.contains("skole"),
        "no unit list on the anonymous form"
    );
    let csrf = csrf_in(&html).expect("csrf");
    let resp = anon
        .post(w.url(&link))
        .form(&[
            ("csrf", csrf.as_str()),
            ("title", "Colleague looks up people without a work need"),
            ("category", "information_security"),
            ("personal_data", "yes"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let receipt = resp.text().await.unwrap();
    let at =
        receipt.find("id=\"dev-receipt-code\">").expect("code") + "id=\"dev-receipt-code\">".len();
    let code = receipt[at..at + 19].to_owned();
    assert_eq!(code.len(), 19);
    // The code shows that case's status, and nothing else.
    let follow = format!("{link}/follow?code={}", urlencoding::encode(&code));
    let resp = anon.get(w.url(&follow)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let status = resp.text().await.unwrap();
    assert!(status.contains("id=\"dev-anon-status\""));
    assert!(!status.contains("lost access card"), "no other case");
    let wrong = anon
        .get(w.url(&format!("{link}/follow?code=AAAA-BBBB-CCCC-DDDD")))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
    // The stored case has no reporter, and its audit event no address.
    let case = case_by_title(&w, "without a work need").await;
    assert!(case.anonymous && case.reporter_person.is_none() && case.reporter_account.is_none());
    assert!(!case.reported_snapshot.contains(&code.replace('-', "")));
    let events =
        w.db.search_audit(
            w.alfa.id,
            &AuditFilter {
                object_id: Some(case.id.to_string()),
                ..AuditFilter::default()
            },
            10,
            0,
        )
        .await
        .unwrap();
    assert!(
        events
            .iter()
            .all(|e| e.ip.is_none() && e.actor.account.is_none())
    );
    // Without an account nothing else answers: pages send to sign-in, the API refuses.
    for path in [
        "/deviations".to_owned(),
        "/deviations/mine".to_owned(),
        format!("/deviations/{}", case.id),
        format!("/deviations/{}", w.case.id),
        "/directory".to_owned(),
    ] {
        let r = anon.get(w.url(&path)).send().await.unwrap();
        assert!(r.status().is_redirection(), "{path}: {}", r.status());
        let body = r.text().await.unwrap_or_default();
        assert!(!body.contains(ALFA_MARK), "{path}");
    }
    let r = anon.get(w.url("/api/v1/deviations")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // A guessed or another tenant's link is refused; switching the setting off closes the link.
    assert_eq!(
        anon.get(w.url("/anonymous/guess"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::BAD_REQUEST
    );
    let (s, _) = post(
        &w,
        coordinator,
        "/deviations/settings",
        &[("triage_hours", "24"), ("stats_threshold", "5")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        anon.get(w.url(&link)).send().await.unwrap().status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn evidence_files_are_checked_marked_served_only_to_those_allowed_and_audited() {
    let w = World::start().await;
    let employee = w.user("employee");
    let (status, _) = post(
        &w,
        employee,
        "/deviations/report",
        &[
            ("title", "Mis-sent e-mail with a pupil list"),
            ("description", "Sent to the wrong parent"),
            ("category", "information_security"),
            ("personal_data", "yes"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let case = case_by_title(&w, "Mis-sent e-mail").await;
    let coordinator = w.user("coordinator");
    let path = format!("/deviations/{}/attachments", case.id);
    let upload =
        |u: &User, csrf: Option<String>, name: &str, bytes: &[u8], secrecy: &str, basis: &str| {
            let form = reqwest::multipart::Form::new()
                .text("secrecy", secrecy.to_owned())
                .text("basis", basis.to_owned())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned()),
                );
            let url = match csrf {
                Some(c) => w.url(&format!("{path}?csrf={c}")),
                None => w.url(&path),
            };
            u.client.post(url).multipart(form).send()
        };
    let tok = || Some(coordinator.csrf.clone());
    // The form posts the token in its action, as a browser does.
    let (_, page) = get(&w, coordinator, &format!("/deviations/{}", case.id)).await;
    assert!(
        page.contains(&format!("{path}?csrf={}", coordinator.csrf)),
        "{page}"
    );
    // Without the token: refused.
    let r = upload(coordinator, None, "log.txt", b"x", "open", "")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let pdf = b"%PDF-1.4\n% screenshot of the sent mail\n";
    let r = upload(coordinator, tok(), "sendt e-post.pdf", pdf, "open", "")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = upload(
        coordinator,
        tok(),
        "mottakerliste.txt",
        "Elev Åse, 5B\n".as_bytes(),
        "exempt",
        "Offentleglova § 13",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Refused: a type not accepted, bytes that do not match the name, an exemption without its basis.
    for (name, bytes, secrecy) in [
        ("side.html", &b"<script>alert(1)</script>"[..], "open"),
        ("falsk.pdf", &b"MZ\x90\x00"[..], "open"),
        ("notat.txt", &b"notes"[..], "exempt"),
        ("notat.txt", &b"notes"[..], "no-such-marking"),
    ] {
        let r = upload(coordinator, tok(), name, bytes, secrecy, "")
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{name} {secrecy}"
        );
    }
    // An employee (the reporter) cannot add evidence to a case they cannot open.
    let r = upload(
        employee,
        Some(employee.csrf.clone()),
        "log.txt",
        b"x",
        "open",
        "",
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let files = w.db.dev_attachments(w.alfa.id, case.id).await.unwrap();
    assert_eq!(files.len(), 2);
    let open = files.iter().find(|a| a.name == "sendt e-post.pdf").unwrap();
    let exempt = files
        .iter()
        .find(|a| a.name == "mottakerliste.txt")
        .unwrap();
    assert_eq!(exempt.secrecy, vakt_store::Secrecy::Exempt);
    // The case page links both; the coordinator downloads each, byte for byte, as an attachment.
    let (_, page) = get(&w, coordinator, &format!("/deviations/{}", case.id)).await;
    assert!(page.contains(&format!("{path}/{}", open.id)));
    assert!(page.contains("Offentleglova § 13"));
    let r = coordinator
        .client
        .get(w.url(&format!("{path}/{}", open.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"sendt_e-post.pdf\"")
    );
    assert_eq!(&r.bytes().await.unwrap()[..], &pdf[..]);
    let r = coordinator
        .client
        .get(w.url(&format!("{path}/{}", exempt.id)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "Elev Åse, 5B\n");
    // The auditor may read the case and its open file, not the exempt one; the reporter neither;
    // another tenant finds nothing; an unknown file id is not found.
    let auditor = w.user("auditor");
    assert_eq!(
        get(&w, auditor, &format!("{path}/{}", open.id)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get(&w, auditor, &format!("{path}/{}", exempt.id)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&w, employee, &format!("{path}/{}", open.id)).await.0,
        StatusCode::FORBIDDEN
    );
    let outsider = w.user("beta-all");
    assert_ne!(
        get(&w, outsider, &format!("{path}/{}", open.id)).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get(&w, coordinator, &format!("{path}/{}", uuid::Uuid::now_v7()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Uploads and downloads are in the audit chain.
    let actions: Vec<String> =
        w.db.search_audit(
            w.alfa.id,
            &AuditFilter {
                object_type: Some("deviation".into()),
                object_id: Some(case.id.to_string()),
                ..AuditFilter::default()
            },
            500,
            0,
        )
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "deviation.attachment")
            .count(),
        2
    );
    assert_eq!(
        actions
            .iter()
            .filter(|a| *a == "deviation.attachment.download")
            .count(),
        3
    );
}

/// Payloads of the outbox jobs of `kind`, oldest first.
async fn job_payloads(w: &World, kind: &str) -> Vec<serde_json::Value> {
    let sql = "SELECT payload FROM jobs WHERE kind = $1 ORDER BY created_at";
    let rows: Vec<(String,)> = if let Some(p) = w.db.raw_sqlite() {
        sqlx::query_as(sql).bind(kind).fetch_all(p).await.unwrap()
    } else {
        let p = w.db.raw_postgres().unwrap();
        sqlx::query_as("SELECT payload::text FROM jobs WHERE kind = $1 ORDER BY created_at")
            .bind(kind)
            .fetch_all(p)
            .await
            .unwrap()
    };
    rows.into_iter()
        .map(|(t,)| serde_json::from_str(&t).unwrap())
        .collect()
}

#[tokio::test]
async fn a_significant_incident_alerts_the_officer_on_duty_and_the_webhook_at_once() {
    let w = World::start().await;
    let coordinator = w.user("coordinator");
    let settings = |on_duty: &'static str, webhook: &'static str| {
        vec![
            ("triage_hours", "24"),
            ("stats_threshold", "5"),
            ("on_duty", on_duty),
            ("webhook", webhook),
        ]
    };
    let path = "/deviations/settings";
    let (s, body) = post(&w, coordinator, path, &settings("not an address", "")).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body.contains(&nb("dev-err-on-duty")), "{body}");
    let (s, _) = post(
        &w,
        coordinator,
        path,
        &settings("vakt@kommune.test", "http://hooks.example.org/x"),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "plain http is off");
    let (s, _) = post(
        &w,
        coordinator,
        path,
        &settings("vakt@kommune.test", "https://hooks.example.org/x"),
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (_, page) = get(&w, coordinator, path).await;
    assert!(page.contains("value=\"vakt@kommune.test\""));
    let cfg = w.db.dev_config(w.alfa.id).await.unwrap();
    assert_eq!(cfg.on_duty_email.as_deref(), Some("vakt@kommune.test"));

    let case = format!("/deviations/{}", w.case.id);
    let (s, _) = post(
        &w,
        w.user("dpo"),
        &format!("{case}/flags"),
        &[("flag", "significant"), ("value", "on")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let mails = job_payloads(&w, "mail.send").await;
    assert!(
        mails.iter().any(|m| m["to"][0] == "vakt@kommune.test"
            && m["tag"] == "deviation.flag"
            && m["lang"] == "nb"),
        "{mails:?}"
    );
    let hooks = job_payloads(&w, "webhook.post").await;
    assert_eq!(hooks.len(), 1, "{hooks:?}");
    assert_eq!(hooks[0]["url"], "https://hooks.example.org/x");
    assert_eq!(hooks[0]["body"]["event"], "deviation.significant");
    assert_eq!(hooks[0]["body"]["link"], case);
    assert!(hooks[0]["body"].get("title").is_none());
    // The change of settings is in the audit chain.
    let audit =
        w.db.search_audit(
            w.alfa.id,
            &AuditFilter {
                action: Some("deviation.config".into()),
                ..AuditFilter::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert!(audit.iter().any(|e| {
        e.after
            .as_deref()
            .unwrap_or("")
            .contains("on_duty=vakt@kommune.test")
    }));
}

/// The cells of the first sheet of an XLSX export, row by row (inline strings, as Vakt writes).
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("an XLSX is a zip");
    let mut xml = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("sheet1")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let unescape = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&")
    };
    xml.split("<row")
        .skip(1)
        .map(|row| {
            row.split("<t")
                .skip(1)
                .filter_map(|c| {
                    let c = c.split_once('>')?.1;
                    Some(unescape(c.split_once("</t>")?.0))
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_case_list_exports_its_filters_without_personal_data_unless_allowed_and_asked() {
    let w = World::start().await;
    let employee = w.user("employee");
    for title in [
        "Export: lost badge",
        "Export: mis-sent letter",
        "Other: printer",
    ] {
        let (s, _) = post(
            &w,
            employee,
            "/deviations/report",
            &[
                ("title", title),
                ("description", "-"),
                ("category", "information_security"),
                ("personal_data", "no"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
    }
    let coordinator = w.user("coordinator");
    // The letter is exempt from public access.
    let letter = case_by_title(&w, "mis-sent letter").await;
    let (s, _) = post(
        &w,
        coordinator,
        &format!("/deviations/{}/update", letter.id),
        &[
            ("field", "secrecy"),
            ("value", "exempt"),
            ("basis", "Offentleglova § 13"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);

    // The list links to the export with its filters.
    let (_, list) = get(&w, coordinator, "/deviations?q=Export").await;
    assert!(
        list.contains("/deviations/export.csv?state=&#38;category=&#38;severity=&#38;q=Export"),
        "{list}"
    );
    // CSV: headings in the reader's language, the filter's cases only, newest first, no names.
    let resp = coordinator
        .client
        .get(w.url("/deviations/export.csv?q=Export"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let body = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[0], nb("dev-col-number"));
    assert!(!header.contains(&nb("dev-field-reporter")), "{header:?}");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let titles: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(titles, ["Export: mis-sent letter", "Export: lost badge"]);
    assert_eq!(&rows[0][9], nb("dev-secrecy-exempt"));
    assert!(!body.contains("lærer"), "no reporter's name: {body}");

    // The auditor may read the list but not open exempt cases: their titles are left out.
    let auditor = w.user("auditor");
    let (s, body) = get(&w, auditor, "/deviations/export.csv?q=Export").await;
    assert_eq!(s, StatusCode::OK);
    assert!(!body.contains("mis-sent letter"), "{body}");
    assert!(body.contains(&nb("dev-export-exempt-title")));
    assert!(body.contains("Export: lost badge"));

    // Names only for those who may export personal data, and only when asked.
    assert_eq!(
        get(&w, auditor, "/deviations/export.xlsx?personal=1")
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&w, employee, "/deviations/export.csv").await.0,
        StatusCode::FORBIDDEN
    );
    let dpo = w.user("dpo");
    let bytes = dpo
        .client
        .get(w.url("/deviations/export.xlsx?q=lost+badge&personal=1"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let sheet = xlsx_rows(&bytes);
    assert_eq!(sheet.len(), 2, "{sheet:?}");
    let reporter_col = sheet[0]
        .iter()
        .position(|h| *h == nb("dev-field-reporter"))
        .expect("a reporter column");
    assert_eq!(sheet[1][1], "Export: lost badge");
    assert!(sheet[1][reporter_col].contains("lærer"), "{sheet:?}");

    // Every export is in the audit chain, with whether names were included.
    let events =
        w.db.search_audit(
            w.alfa.id,
            &AuditFilter {
                action: Some("deviation.list_export".into()),
                ..AuditFilter::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    assert_eq!(events.len(), 3, "{events:?}");
    assert!(events.iter().any(|e| {
        e.after
            .as_deref()
            .unwrap_or_default()
            .contains("personal=true")
    }));
}

#[tokio::test]
async fn the_webhook_signing_secret_is_shown_once_and_stored_sealed() {
    let w = World::start().await;
    let coordinator = w.user("coordinator");
    let path = "/deviations/settings/webhook-secret";
    assert_eq!(
        post(&w, w.user("leader"), path, &[("action", "new")])
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, page) = get(&w, coordinator, "/deviations/settings").await;
    assert!(page.contains(&nb("dev-settings-signing-off")));
    let (s, page) = post(&w, coordinator, path, &[("action", "new")]).await;
    assert_eq!(s, StatusCode::OK);
    let secret = page
        .split("id=\"dev-webhook-secret\"")
        .nth(1)
        .and_then(|p| p.split("<code>").nth(1))
        .and_then(|p| p.split("</code>").next())
        .expect("the new secret on the page")
        .to_owned();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 30,
        "{secret}"
    );
    assert_eq!(
        w.db.dev_webhook_secret(w.alfa.id).await.unwrap().as_deref(),
        Some(secret.as_str())
    );
    // Shown once: the settings page later says only that posts are signed.
    let (_, page) = get(&w, coordinator, "/deviations/settings").await;
    assert!(page.contains(&nb("dev-settings-signing-on")));
    assert!(!page.contains(&secret));
    // At rest it is sealed, not in clear.
    let stored: Option<String> = match w.db.raw_sqlite() {
        Some(pool) => {
            sqlx::query_scalar("SELECT webhook_secret FROM dev_config WHERE tenant_id = ?")
                .bind(w.alfa.id.0)
                .fetch_one(pool)
                .await
                .unwrap()
        }
        None => None,
    };
    if let Some(stored) = stored {
        assert!(stored.starts_with("v1.") && !stored.contains(&secret));
    }
    // A new secret replaces the old one; removing it sends posts unsigned. Each is audited.
    let (_, page) = post(&w, coordinator, path, &[("action", "new")]).await;
    assert!(!page.contains(&secret));
    assert_ne!(
        w.db.dev_webhook_secret(w.alfa.id).await.unwrap().as_deref(),
        Some(secret.as_str())
    );
    let (s, _) = post(&w, coordinator, path, &[("action", "remove")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(w.db.dev_webhook_secret(w.alfa.id).await.unwrap(), None);
    let events =
        w.db.search_audit(
            w.alfa.id,
            &AuditFilter {
                object_type: Some("deviation_config".into()),
                ..AuditFilter::default()
            },
            50,
            0,
        )
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.starts_with("deviation.webhook_secret"))
            .count(),
        3,
        "{actions:?}"
    );
    assert!(
        events
            .iter()
            .all(|e| !e.after.as_deref().unwrap_or("").contains("whsec_"))
    );
}
