//! Training over HTTP: a coordinator creates a course; an employee reports a completion with a
//! certificate (multipart upload; wrong types and sizes refused); the completion counts only once
//! countersigned (not by the employee); a learning platform's CSV import is idempotent with a per-row
//! report; a named group's prerequisites show who meets them and what is missing; every write audited.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use vakt_core::Role;
use vakt_core::audit::Actor;
use vakt_store::{AuditCtx, NewGroup};

use crate::engine_test;
use crate::harness::{PASSWORD, TestApp, location};

async fn signed_in(app: &TestApp, name: &str, roles: &[Role]) -> reqwest::Client {
    app.add_user(name, roles, false).await;
    let c = app.browser();
    let r = app.password_step(&c, name, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    c
}

async fn upload(
    app: &TestApp,
    c: &reqwest::Client,
    course: &str,
    bytes: Vec<u8>,
    name: &str,
) -> reqwest::Response {
    let csrf = app.csrf(c, "/training").await;
    let form = Form::new()
        .text("course", course.to_owned())
        .text("completed", "2026-02-20")
        .part("file", Part::bytes(bytes).file_name(name.to_owned()));
    c.post(app.url(&format!("/training/report?csrf={csrf}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

engine_test!(report_countersign_import_and_prerequisites, |app| {
    app.require_totp(false).await;
    let coord = signed_in(&app, "coord", &[Role::SecurityCoordinator]).await;
    let emp = signed_in(&app, "emp", &[Role::Employee]).await;

    // A coordinator creates a mandatory national course.
    let r = app
        .post_form(
            &coord,
            "/training/courses",
            "/training/courses",
            &[
                ("code", "DISA"),
                ("title", "Disa – informationssäkerhet"),
                ("kind", "external"),
                ("provider", "MSB"),
                ("validity_months", "24"),
                ("renew_days_before", "30"),
                ("complete_within_days", "30"),
                ("mandatory", "on"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let course_path = location(&r);
    let course_id = course_path
        .trim_start_matches("/training/courses/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // The employee may not.
    let r = app
        .post_form(
            &emp,
            "/training",
            "/training/courses",
            &[("code", "X"), ("title", "X")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    let (_, body) = app.get(&emp, "/training").await;
    assert!(body.contains("Disa – informationssäkerhet"), "{body}");
    assert!(body.contains("state-missing"), "{body}");

    // Not a certificate: refused by content, nothing stored.
    let r = upload(
        &app,
        &emp,
        &course_id,
        b"<script>alert(1)</script>".to_vec(),
        "cert.pdf",
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let mut big = b"%PDF-1.7\n".to_vec();
    big.resize(4 * 1024 * 1024 + 10, b' ');
    let r = upload(&app, &emp, &course_id, big, "big.pdf").await;
    assert!(
        r.status() == StatusCode::UNPROCESSABLE_ENTITY
            || r.status() == StatusCode::PAYLOAD_TOO_LARGE,
        "{}",
        r.status()
    );
    let r = upload(
        &app,
        &emp,
        &course_id,
        b"%PDF-1.4\n%%EOF\n".to_vec(),
        "../kursbevis.pdf",
    )
    .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let (_, body) = app.get(&emp, "/training").await;
    assert!(body.contains("state-awaiting"), "{body}");
    let ev = body.split("/training/evidence/").nth(1).unwrap()[..36].to_owned();
    let r = emp
        .get(app.url(&format!("/training/evidence/{ev}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("kursbevis.pdf")
    );

    // The coordinator countersigns from their list; the course is then valid for the employee.
    let (_, body) = app.get(&coord, "/training").await;
    let cid = body.split("/training/completions/").nth(1).unwrap()[..36].to_owned();
    let r = app
        .post_form(
            &coord,
            "/training",
            &format!("/training/completions/{cid}/countersign"),
            &[],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, body) = app.get(&emp, "/training").await;
    assert!(body.contains("state-valid"), "{body}");
    // The course's status exports as CSV for the coordinator (headings and states in Norwegian);
    // the employee may not export it.
    let (s, csv) = app
        .get(&coord, &format!("/training/courses/{course_id}/export.csv"))
        .await;
    assert_eq!(s, StatusCode::OK, "{csv}");
    let valid = vakt_web::t(vakt_web::Lang::Nb, "training-state-valid", &[]);
    let line = csv
        .lines()
        .find(|l| l.starts_with("E-emp,"))
        .unwrap_or_else(|| panic!("the employee's row: {csv}"));
    assert!(line.contains(&valid), "{line}");
    assert!(csv.starts_with(&vakt_web::t(
        vakt_web::Lang::Nb,
        "training-field-person",
        &[]
    )));
    let (s, _) = app
        .get(&emp, &format!("/training/courses/{course_id}/export.xlsx"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Import: one good row, one unknown person, one bad date; again → nothing new.
    let csv = "person;course;completed;reference\nE-coord;DISA;2026-01-15;r1\nE-nobody;DISA;2026-01-15;r2\nE-emp;DISA;15/01/2026;r3\n";
    for round in [1, 2] {
        let csrf = app.csrf(&coord, "/training/import").await;
        let form = Form::new().text("platform", "Disa").part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("disa.csv"),
        );
        let r = coord
            .post(app.url(&format!("/training/import?csrf={csrf}")))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("<td>3</td>") && body.contains("<td>4</td>"),
            "{body}"
        );
        if round == 1 {
            assert!(body.contains("Én gjennomføring importert."), "{body}");
        } else {
            assert!(body.contains("1 var importert fra før."), "{body}");
        }
    }
    let completions = app
        .db
        .completions_of_course(
            app.tenant.id,
            vakt_core::training::CourseId(uuid::Uuid::parse_str(&course_id).unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(completions.len(), 2);

    // A named group requires the course; the employee meets it, a new member does not.
    app.add_user("newbie", &[Role::Employee], false).await;
    let ctx = AuditCtx::new(app.tenant.id, Actor::system("test"));
    let mut tx = app.db.write(&ctx).await.unwrap();
    let g = tx
        .create_group(NewGroup {
            name: "Hjemmekontor i sikker sone".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let emp_person = app
        .db
        .person_by_employee_number(app.tenant.id, "E-emp")
        .await
        .unwrap()
        .unwrap();
    let newbie = app
        .db
        .person_by_employee_number(app.tenant.id, "E-newbie")
        .await
        .unwrap()
        .unwrap();
    tx.add_group_member(g.id, emp_person.id).await.unwrap();
    tx.add_group_member(g.id, newbie.id).await.unwrap();
    tx.commit().await.unwrap();
    let holder = format!("group:{}", g.id.0);
    let item = format!("course:{course_id}");
    let r = app
        .post_form(
            &coord,
            "/training/prerequisites",
            "/training/prerequisites",
            &[("holder", holder.as_str()), ("item", item.as_str())],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        r.text().await.unwrap()
    );
    let (_, body) = app.get(&coord, "/training/prerequisites").await;
    let section = body
        .split(&format!("id=\"prereq-group-{}\"", g.id.0))
        .nth(1)
        .unwrap();
    let section = section.split("</section>").next().unwrap();
    assert!(section.contains("<strong>1</strong> / 2"), "{section}");
    assert!(
        section.contains("«Disa – informationssäkerhet» mangler"),
        "{section}"
    );

    let actions = app.audit_actions().await;
    for a in [
        "training.course.create",
        "training.completion.report",
        "training.completion.countersign",
        "training.completion.import",
        "training.import",
        "training.prerequisites.set",
        "training.course_export",
    ] {
        assert!(
            actions.iter().any(|x| x == a),
            "{a} not audited: {actions:?}"
        );
    }
});
