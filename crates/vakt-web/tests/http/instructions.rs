//! Instructions over HTTP: the workflow, signing with re-authentication, the PDF receipt, the
//! overview, exports, attachments, the API schemas, and the immutability of acknowledgments.

use reqwest::StatusCode;
use serde_json::Value;
use vakt_core::audit::AuditCtx;
use vakt_core::directory::{Person, UnitId};
use vakt_core::instructions::{
    AckId, AckInput, AckMethod, Acknowledgment, Audience, GroupId, InstructionId, StepActor,
    VersionId, VersionStep,
};
use vakt_store::{Db, DraftEdit, InstructionFields, NewGroup, NewPerson};

use crate::world::{ALFA_MARK, PASSWORD, User, World, csrf_in};

/// What the route walk needs: one published instruction (everyone), its version, an attachment,
/// a group, and an acknowledgment by a school employee without an account.
#[derive(Debug, Clone)]
pub struct Fixture {
    pub instruction: InstructionId,
    pub version: VersionId,
    pub attachment: uuid::Uuid,
    pub group: GroupId,
    pub ack: AckId,
}

/// An active employee of `unit` without an e-mail address.
fn employee_in(number: &str, given: &str, family: &str, unit: UnitId) -> NewPerson {
    NewPerson {
        employee_number: number.into(),
        given_name: given.into(),
        family_name: family.into(),
        email: None,
        kind: vakt_core::directory::PersonKind::Employee,
        unit: Some(unit),
        manager: None,
        employment: vakt_core::directory::Employment::active(),
        birth_date: None,
        preferred_language: None,
    }
}

/// Builds the fixture in tenant `alfa` (author: the coordinator's person, approver: the DPO's).
pub async fn fixture(
    db: &Db,
    ctx: &AuditCtx,
    author: &Person,
    approver: &Person,
    school: UnitId,
) -> Fixture {
    let mut tx = db.write(ctx).await.expect("tx");
    let signer = tx
        .create_person(employee_in(
            "A3",
            "Signe",
            &format!("{ALFA_MARK}signer"),
            school,
        ))
        .await
        .expect("signer");
    let (inst, v) = tx
        .create_instruction(
            InstructionFields {
                title: format!("{ALFA_MARK} IKT-instruks"),
                owner: author.id,
                category: "ict_use".into(),
                requires_signature: true,
                audience: Audience::everyone(),
                sign_within_days: 14,
            },
            author.id,
            &format!("# {ALFA_MARK}\n\nLås skjermen.\n"),
            "Første versjon",
        )
        .await
        .expect("instruction");
    let body = v.body.clone();
    tx.edit_draft(
        v.id,
        DraftEdit {
            title: v.title.clone(),
            body,
            change_comment: "Første versjon".into(),
            approver: Some(approver.id),
            reviewers: vec![approver.id],
        },
    )
    .await
    .expect("edit");
    let ed = StepActor {
        person: author.id,
        may_edit: true,
    };
    tx.version_step(v.id, VersionStep::SendToReview, ed)
        .await
        .expect("review");
    tx.version_step(
        v.id,
        VersionStep::Approve,
        StepActor {
            person: approver.id,
            may_edit: false,
        },
    )
    .await
    .expect("approve");
    let now = tx.now();
    let v = tx
        .version_step(
            v.id,
            VersionStep::Publish {
                effective_from: now,
            },
            ed,
        )
        .await
        .expect("publish");
    let a = tx
        .add_attachment(
            inst.id,
            "rutine.txt",
            format!("{ALFA_MARK} vedlegg").as_bytes(),
        )
        .await
        .expect("attachment");
    let g = tx
        .create_group(NewGroup {
            name: format!("{ALFA_MARK} hjemmekontor"),
            description: String::new(),
        })
        .await
        .expect("group");
    let ack = Acknowledgment::record(AckInput {
        id: AckId::new(),
        person: signer.id,
        instruction: inst.id,
        version_id: v.id,
        version: v.number,
        text_shown: &v.body,
        version_text_hash: v.body_sha256,
        method: AckMethod::Password,
        at: now,
        ip: None,
        user_agent: None,
    })
    .expect("ack");
    tx.record_ack(&ack).await.expect("record ack");
    tx.commit().await.expect("commit");
    Fixture {
        instruction: inst.id,
        version: v.id,
        attachment: a.id,
        group: g.id,
        ack: ack.id(),
    }
}

async fn post_form(
    w: &World,
    u: &User,
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, String, Option<String>) {
    let mut form: Vec<(&str, &str)> = vec![("csrf", u.csrf.as_str())];
    form.extend_from_slice(fields);
    let r = u
        .client
        .post(w.url(path))
        .header("x-csrf-token", &u.csrf)
        .form(&form)
        .send()
        .await
        .expect("post");
    let status = r.status();
    let loc = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, r.text().await.unwrap_or_default(), loc)
}

async fn get(w: &World, u: &User, path: &str) -> (StatusCode, String) {
    let r = u.client.get(w.url(path)).send().await.expect("get");
    (r.status(), r.text().await.unwrap_or_default())
}

fn completion_of(report: &Value, id: &str) -> (i64, i64) {
    let i = report["instructions"]
        .as_array()
        .expect("instructions")
        .iter()
        .find(|i| i["instruction"] == id)
        .expect("instruction in report");
    (
        i["completion"]["total"].as_i64().unwrap(),
        i["completion"]["signed"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn the_whole_workflow_signing_receipt_overview_and_a_major_version_over_http() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let dpo = w.user("dpo");
    let employee = w.user("employee");
    let leader = w.user("leader");
    // The coordinator creates an instruction for the school (with sub-units).
    let (s, body, loc) = post_form(
        &w,
        coord,
        "/instructions/new",
        &[
            ("title", "Skjermlås og passord"),
            ("owner", "A10"),
            ("category", "information_security"),
            ("requires_signature", "on"),
            ("sign_within_days", "14"),
            ("units", &w.school.id.to_string()),
            ("include_sub_units", "on"),
            (
                "body",
                "# Skjermlås\n\nLås skjermen når du går. <script>alert(1)</script>\n",
            ),
            ("change_comment", "Ny instruks"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER, "{body}");
    let inst_path = loc.expect("location");
    let inst_id = inst_path.rsplit('/').next().unwrap().to_string();
    let inst: InstructionId = inst_id.parse().unwrap();
    let versions = w.db.instruction_versions(w.alfa.id, inst).await.unwrap();
    let vid = versions[0].id.to_string();
    let vpath = format!("{inst_path}/versions/{vid}");
    // Without reviewers and approver it cannot go to review.
    let (s, body, _) = post_form(
        &w,
        coord,
        &format!("{vpath}/step"),
        &[("step", "send_to_review")],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("reviewer") || body.contains("høringsinstans"),
        "{body}"
    );
    let (s, _, _) = post_form(
        &w,
        coord,
        &format!("{vpath}/edit"),
        &[
            ("title", "Skjermlås og passord"),
            (
                "body",
                "# Skjermlås\n\nLås skjermen når du går. <script>alert(1)</script>\n",
            ),
            ("change_comment", "Ny instruks"),
            ("approver", "A11"),
            ("reviewers", "A11, A1"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = post_form(
        &w,
        coord,
        &format!("{vpath}/step"),
        &[("step", "send_to_review")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    // The leader (a named reviewer) comments; the coordinator (author) cannot approve.
    let (s, _, _) = post_form(
        &w,
        leader,
        &format!("{vpath}/comments"),
        &[("body", "Bør nevne mobil.")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = post_form(&w, coord, &format!("{vpath}/approve"), &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = post_form(&w, dpo, &format!("{vpath}/approve"), &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, _, _) = post_form(
        &w,
        coord,
        &format!("{vpath}/step"),
        &[("step", "publish"), ("effective_from", "")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, page) = get(&w, coord, &inst_path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        !page.contains("<script>alert"),
        "raw HTML must not pass through"
    );
    assert!(page.contains("&lt;script&gt;"));
    assert!(
        page.contains("Bør nevne mobil")
            || get(&w, coord, &vpath).await.1.contains("Bør nevne mobil")
    );
    // The employee (school) sees it on their page; the coordinator (health) does not.
    let (_, me) = get(&w, employee, "/me").await;
    assert!(me.contains("Skjermlås og passord"), "{me}");
    let (_, me_c) = get(&w, coord, "/me").await;
    assert!(!me_c.contains(&format!("{inst_id}/sign")));
    let report = |w: &World| {
        let c = coord.client.clone();
        let url = w.url("/api/v1/reports/instructions");
        let token = coord.token.clone();
        async move {
            c.get(url)
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let before = completion_of(&report(&w).await, &inst_id);
    assert_eq!(before.1, 0);
    // Signing needs the password: a wrong one is refused.
    let (_, sign_page) = get(&w, employee, &format!("{inst_path}/sign")).await;
    let sha = sign_page
        .split("name=\"sha256\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let (s, _, _) = post_form(
        &w,
        employee,
        &format!("{inst_path}/sign"),
        &[
            ("sha256", &sha),
            ("understood", "on"),
            ("password", "wrong"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, loc) = post_form(
        &w,
        employee,
        &format!("{inst_path}/sign"),
        &[
            ("sha256", &sha),
            ("understood", "on"),
            ("password", PASSWORD),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let ack_id = loc.unwrap().split("signed=").nth(1).unwrap().to_string();
    let after = completion_of(&report(&w).await, &inst_id);
    assert_eq!((after.0, after.1), (before.0, 1));
    // The receipt: the person and their leader may download it; the DPO may (tenant-wide); the
    // coordinator's colleague in IT operations may not.
    let r = employee
        .client
        .get(w.url(&format!("/acks/{ack_id}/receipt")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    let pdf = r.bytes().await.unwrap().to_vec();
    let text = pdf_extract::extract_text_from_mem(&pdf).expect("parse pdf");
    let ack =
        w.db.ack(w.alfa.id, ack_id.parse().unwrap())
            .await
            .unwrap()
            .unwrap();
    for needle in [
        "Tor".to_string(),
        format!("{ALFA_MARK}lærer"),
        "Skjermlås og passord".to_string(),
        "1.0".to_string(),
        ack.text_sha256().to_hex(),
    ] {
        assert!(text.contains(&needle), "{needle} not in receipt:\n{text}");
    }
    assert_eq!(
        get(&w, leader, &format!("/acks/{ack_id}/receipt")).await.0,
        StatusCode::OK
    );
    assert_eq!(
        get(&w, w.user("itops"), &format!("/acks/{ack_id}/receipt"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // A major version makes it due again.
    let (s, _, loc) = post_form(
        &w,
        coord,
        &format!("{inst_path}/versions"),
        &[("kind", "major")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let v2 = loc.unwrap();
    let (s, _, _) = post_form(
        &w,
        coord,
        &format!("{v2}/edit"),
        &[
            ("title", "Skjermlås og passord"),
            (
                "body",
                "# Skjermlås\n\nLås skjermen når du går.\n\nBruk passordfrase.\n",
            ),
            ("change_comment", "Passordfrase"),
            ("approver", "A11"),
            ("reviewers", "A1"),
        ],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    for (who, path, step) in [
        (coord, format!("{v2}/step"), "send_to_review"),
        (dpo, format!("{v2}/approve"), ""),
        (coord, format!("{v2}/step"), "publish"),
    ] {
        let (s, body, _) = post_form(&w, who, &path, &[("step", step)]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{path}: {body}");
    }
    let again = completion_of(&report(&w).await, &inst_id);
    assert_eq!(again.1, 0);
    let mine: Value = employee
        .client
        .get(w.url("/api/v1/me/instructions"))
        .bearer_auth(&employee.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let item = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["instruction"] == inst_id.as_str())
        .unwrap();
    assert_eq!(item["version"], "2.0");
    assert_eq!(item["standing"]["standing"], "missing");
    // The diff shows the added line.
    let (_, diff) = get(&w, coord, &format!("{inst_path}/diff")).await;
    assert!(diff.contains("+ Bruk passordfrase."), "{diff}");
    // Every step is in the audit chain.
    let events =
        w.db.search_audit(w.alfa.id, &Default::default(), 1000, 0)
            .await
            .unwrap();
    for action in [
        "instruction.create",
        "instruction.version_edit",
        "instruction.send_to_review",
        "instruction.review_comment",
        "instruction.approve",
        "instruction.publish",
        "instruction.ack",
        "instruction.sign_reauth_failed",
        "instruction.receipt_download",
        "instruction.version_create",
    ] {
        assert!(
            events.iter().any(|e| e.action == action),
            "{action} not audited"
        );
    }
    assert!(w.db.verify_audit(w.alfa.id).await.is_ok());
}

#[tokio::test]
async fn no_route_or_method_changes_an_acknowledgment() {
    let w = World::start().await;
    let ack = w.instr.ack;
    let before = w.db.ack(w.alfa.id, ack).await.unwrap().unwrap();
    let n_before =
        w.db.acks_of_instruction(w.alfa.id, w.instr.instruction)
            .await
            .unwrap()
            .len();
    let id = ack.to_string();
    for route in vakt_web::route_table() {
        let path = route
            .path
            .replace("{id}", &id)
            .replace("{vid}", &w.instr.version.to_string())
            .replace("{aid}", &w.instr.attachment.to_string())
            .replace("{name}", "vakt.css");
        for method in ["POST", "PUT", "PATCH", "DELETE"] {
            for u in &w.users {
                let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let mut req = u
                    .client
                    .request(m, w.url(&path))
                    .header("x-csrf-token", &u.csrf)
                    .form(&[
                        ("csrf", u.csrf.as_str()),
                        ("method", "sso"),
                        ("sha256", "00"),
                        ("person", "A2"),
                    ]);
                if path.starts_with("/api/") {
                    req = u
                        .client
                        .request(
                            reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                            w.url(&path),
                        )
                        .bearer_auth(&u.token)
                        .header("content-type", "application/json")
                        .body(format!("{{\"id\":\"{id}\",\"method\":\"sso\"}}"));
                }
                let r = req.send().await.unwrap();
                assert!(
                    !r.status().is_server_error(),
                    "{method} {path}: {}",
                    r.status()
                );
            }
        }
    }
    let after = w.db.ack(w.alfa.id, ack).await.unwrap().unwrap();
    assert_eq!(before, after);
    let n_after =
        w.db.acks_of_instruction(w.alfa.id, w.instr.instruction)
            .await
            .unwrap();
    assert!(n_after.len() >= n_before);
    assert!(n_after.iter().any(|a| a.id() == ack));
}

#[tokio::test]
async fn attachments_are_checked_and_served_as_downloads() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let path = format!("/instructions/{}/attachments", w.instr.instruction);
    let send = |name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", coord.csrf.clone())
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        coord
            .client
            .post(w.url(&path))
            .header("x-csrf-token", &coord.csrf)
            .multipart(form)
            .send()
    };
    let r = send("rutine.pdf", b"%PDF-1.4\n%test\n".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = send("side.html", b"<html><script>x</script>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = send("falsk.pdf", b"<script>x</script>".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = send("stor.txt", vec![b'a'; 11 * 1024 * 1024]).await;
    assert!(
        r.map(|r| r.status() == StatusCode::PAYLOAD_TOO_LARGE
            || r.status() == StatusCode::UNPROCESSABLE_ENTITY)
            .unwrap_or(true)
    );
    let list =
        w.db.attachments(w.alfa.id, w.instr.instruction)
            .await
            .unwrap();
    assert_eq!(list.len(), 2);
    let pdf = list.iter().find(|a| a.file_name == "rutine.pdf").unwrap();
    let r = w
        .user("employee")
        .client
        .get(w.url(&format!(
            "/instructions/{}/attachments/{}",
            w.instr.instruction, pdf.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn groups_are_managed_on_their_page_and_members_join_the_audience_at_once() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let (s, _, loc) = post_form(
        &w,
        coord,
        "/groups",
        &[("name", "Vaktlag"), ("description", "Helgevakt")],
    )
    .await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let g = loc.unwrap();
    let (s, _, _) = post_form(&w, coord, &format!("{g}/members"), &[("person", "A2")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let (s, body, _) = post_form(&w, coord, &format!("{g}/members"), &[("person", "NOPE")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, page) = get(&w, coord, &g).await;
    assert!(page.contains(&format!("{ALFA_MARK}lærer")));
    assert_eq!(
        get(&w, w.user("employee"), &g).await.0,
        StatusCode::FORBIDDEN
    );
    let (s, _, _) = post_form(&w, w.user("employee"), "/groups", &[("name", "X")]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn reports_export_csv_and_xlsx_and_answer_as_documented() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let leader = w.user("leader");
    let school = w.school.id;
    // The leader sees their school's report but not the tenant overview nor the health unit.
    assert_eq!(
        get(&w, leader, &format!("/reports/instructions/units/{school}"))
            .await
            .0,
        StatusCode::OK
    );
    assert_eq!(
        get(&w, leader, "/reports/instructions").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(
            &w,
            leader,
            &format!("/reports/instructions/units/{}", w.health.id)
        )
        .await
        .0,
        StatusCode::FORBIDDEN
    );
    let (s, page) = get(&w, coord, "/reports/instructions").await;
    assert_eq!(s, StatusCode::OK);
    assert!(page.contains("<svg"));
    let r = leader
        .client
        .get(w.url(&format!(
            "/reports/instructions/units/{school}/export.csv?filter=missing"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let csv = r.text().await.unwrap();
    assert!(csv.contains(&format!("{ALFA_MARK}lærer")), "{csv}");
    assert!(
        !csv.contains(&format!("{ALFA_MARK}signer")),
        "a signed person is not missing"
    );
    let r = leader
        .client
        .get(w.url(&format!("/reports/instructions/units/{school}/export.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap().to_vec();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut sheet = String::new();
    std::io::Read::read_to_string(
        &mut z.by_name("xl/worksheets/sheet1.xml").unwrap(),
        &mut sheet,
    )
    .unwrap();
    assert!(sheet.contains(&format!("{ALFA_MARK}signer")));
    // API responses validate against the OpenAPI document.
    let doc: Value = reqwest::get(w.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let i = w.instr.instruction;
    let cases = [
        ("/api/v1/instructions".to_string(), "/api/v1/instructions"),
        (
            format!("/api/v1/instructions/{i}"),
            "/api/v1/instructions/{id}",
        ),
        (
            format!("/api/v1/instructions/{i}/diff"),
            "/api/v1/instructions/{id}/diff",
        ),
        (
            "/api/v1/me/instructions".to_string(),
            "/api/v1/me/instructions",
        ),
        (
            "/api/v1/reports/instructions".to_string(),
            "/api/v1/reports/instructions",
        ),
        (
            format!("/api/v1/reports/instructions/units/{school}?filter=missing"),
            "/api/v1/reports/instructions/units/{id}",
        ),
        ("/api/v1/groups".to_string(), "/api/v1/groups"),
        (
            format!("/api/v1/groups/{}", w.instr.group),
            "/api/v1/groups/{id}",
        ),
    ];
    let mut errors = Vec::new();
    for (url, path) in &cases {
        let r = coord
            .client
            .get(w.url(url))
            .bearer_auth(&coord.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{url}");
        let body: Value = r.json().await.unwrap();
        let schema = doc
            .pointer(&format!(
                "/paths/{}/get/responses/200/content/application~1json/schema",
                path.replace('/', "~1")
            ))
            .unwrap_or_else(|| panic!("no schema for {path}"));
        errors.extend(crate::schema::validate(&doc, schema, &body, url));
    }
    let r = coord
        .client
        .post(w.url("/api/v1/groups"))
        .bearer_auth(&coord.token)
        .json(&serde_json::json!({"name": "API-gruppe"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let body: Value = r.json().await.unwrap();
    let schema = doc
        .pointer("/paths/~1api~1v1~1groups/post/responses/201/content/application~1json/schema")
        .unwrap();
    errors.extend(crate::schema::validate(&doc, schema, &body, "POST groups"));
    assert!(errors.is_empty(), "{errors:#?}");
    let _ = csrf_in;
}

#[tokio::test]
async fn a_large_units_report_lists_its_people_in_pages() {
    let w = World::start().await;
    let school = w.school.id;
    let ctx = AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&ctx).await.unwrap();
    for i in 0..120 {
        tx.create_person(employee_in(
            &format!("P{i:03}"),
            &format!("Elev{i:03}"),
            &format!("{ALFA_MARK}side"),
            school,
        ))
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let leader = w.user("leader");
    let rows = |html: &str| html.matches("<tr><td>").count();
    let (s, first) = get(&w, leader, &format!("/reports/instructions/units/{school}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(rows(&first), 100, "one page of people");
    assert!(first.contains(&format!(
        "href=\"/reports/instructions/units/{school}?page=2\" rel=\"next\""
    )));
    assert!(!first.contains("rel=\"prev\""));
    let (_, second) = get(
        &w,
        leader,
        &format!("/reports/instructions/units/{school}?page=2&filter=missing"),
    )
    .await;
    assert!(rows(&second) > 0 && rows(&second) < 100, "the rest");
    let prev = format!("href=\"/reports/instructions/units/{school}?page=1&");
    assert!(second.contains(&prev), "{second}");
    assert!(second.contains("filter=missing\" rel=\"prev\""));
    assert!(!second.contains("rel=\"next\""));
    // Every person of the unit is on exactly one page.
    let mut seen = 0;
    for p in [&first, &second] {
        seen += p.matches(&format!("{ALFA_MARK}side")).count();
    }
    assert!(seen >= 120, "{seen}");
    // A page shown again is served as computed while nothing changed; any change in the tenant
    // (here a new person, first by name) shows at once.
    let (_, again) = get(&w, leader, &format!("/reports/instructions/units/{school}")).await;
    assert_eq!(again.matches("<tr><td>").count(), 100);
    assert!(!again.contains("Aaron"));
    let mut tx = w.db.write(&ctx).await.unwrap();
    tx.create_person(employee_in("P999", "Aaron", "Aaberg", school))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (_, changed) = get(&w, leader, &format!("/reports/instructions/units/{school}")).await;
    assert!(
        changed.contains("Aaron Aaberg"),
        "the new person is listed at once"
    );
    // A page number that is not a number is a clear error, not a panic.
    let (s, _) = get(
        &w,
        leader,
        &format!("/reports/instructions/units/{school}?page=x"),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

/// One JSON API call as `u` (bearer token): the status and the JSON body (`null` when empty).
async fn api(
    w: &World,
    u: &User,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut r = u.client.request(method, w.url(path)).bearer_auth(&u.token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.expect("send");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Checks a response against the schema the OpenAPI document declares for it.
fn check_schema(
    doc: &Value,
    path: &str,
    method: &str,
    status: StatusCode,
    body: &Value,
    errors: &mut Vec<String>,
) {
    let schema = doc
        .pointer(&format!(
            "/paths/{}/{method}/responses/{}/content/application~1json/schema",
            path.replace('/', "~1"),
            status.as_u16()
        ))
        .unwrap_or_else(|| panic!("no schema for {method} {path} {status}"));
    errors.extend(crate::schema::validate(
        doc,
        schema,
        body,
        &format!("{method} {path}"),
    ));
}

/// Whether the audit chain of `alfa` has an `action` event on `object_id` by this account.
async fn audited_by(w: &World, u: &User, action: &str, object_id: &str) -> bool {
    let filter = vakt_store::AuditFilter {
        actor_account: Some(u.principal.account),
        action: Some(action.into()),
        object_id: Some(object_id.into()),
        ..vakt_store::AuditFilter::default()
    };
    !w.db
        .search_audit(w.alfa.id, &filter, 100, 0)
        .await
        .unwrap()
        .is_empty()
}

#[tokio::test]
async fn the_version_workflow_and_group_membership_over_the_json_api() {
    use reqwest::Method;
    let w = World::start().await;
    let coord = w.user("coordinator");
    let dpo = w.user("dpo");
    let leader = w.user("leader");
    let employee = w.user("employee");
    let beta = w.user("beta-all");
    let doc: Value = reqwest::get(w.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut errors = Vec::new();
    // The coordinator creates an instruction (draft 1.0).
    let (s, created) = api(
        &w,
        coord,
        Method::POST,
        "/api/v1/instructions",
        Some(serde_json::json!({
            "title": "Mobiltelefon",
            "owner_employee_number": "A10",
            "category": "information_security",
            "audience": serde_json::to_value(Audience::everyone()).unwrap(),
            "body": "# Mobil\n\nBruk PIN-kode.\n",
        })),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    let inst = created["instruction"]["id"].as_str().unwrap().to_string();
    let vid = created["versions"][0]["id"].as_str().unwrap().to_string();
    let vpath = format!("/api/v1/instructions/{inst}/versions/{vid}");
    let vdoc = "/api/v1/instructions/{id}/versions/{vid}";
    let draft = serde_json::json!({
        "title": "Mobiltelefon og nettbrett",
        "body": "# Mobil\r\n\r\nBruk PIN-kode.\r\n",
        "change_comment": "Ny instruks",
        "approver_employee_number": "A11",
        "reviewer_employee_numbers": ["A1"],
    });
    // Malformed JSON is a 400; an unknown employee number a 422 naming it; too many reviewers a 422.
    let r = coord
        .client
        .put(w.url(&vpath))
        .bearer_auth(&coord.token)
        .header("content-type", "application/json")
        .body("{\"title\":")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let mut unknown = draft.clone();
    unknown["reviewer_employee_numbers"] = serde_json::json!(["A1", "NOBODY-99"]);
    let (s, body) = api(&w, coord, Method::PUT, &vpath, Some(unknown)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("NOBODY-99"), "{body}");
    check_schema(&doc, vdoc, "put", s, &body, &mut errors);
    let mut many = draft.clone();
    many["reviewer_employee_numbers"] = Value::Array(vec![Value::from("A1"); 51]);
    let (s, _) = api(&w, coord, Method::PUT, &vpath, Some(many)).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The employee has no editing rights: 403 on the draft and on the editors' steps.
    let (s, _) = api(&w, employee, Method::PUT, &vpath, Some(draft.clone())).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api(
        &w,
        employee,
        Method::POST,
        &format!("{vpath}/step"),
        Some(serde_json::json!({"step": "send_to_review"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The coordinator sets the text, the approver (DPO) and a reviewer (the leader).
    let (s, v) = api(&w, coord, Method::PUT, &vpath, Some(draft.clone())).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    check_schema(&doc, vdoc, "put", s, &v, &mut errors);
    assert_eq!(v["title"], "Mobiltelefon og nettbrett");
    assert_eq!(v["body"], "# Mobil\n\nBruk PIN-kode.\n");
    assert_eq!(
        v["approver"],
        w.user("dpo").principal.person.unwrap().to_string()
    );
    assert_eq!(
        v["reviewers"],
        serde_json::json!([leader.principal.person.unwrap().to_string()])
    );
    assert_eq!(v["state"], "draft");
    let step = |who: &'static str, body: Value| {
        let path = format!("{vpath}/step");
        let u = w.user(who);
        let w = &w;
        async move { api(w, u, Method::POST, &path, Some(body)).await }
    };
    let sdoc = "/api/v1/instructions/{id}/versions/{vid}/step";
    let (s, v) = step("coordinator", serde_json::json!({"step": "send_to_review"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    check_schema(&doc, sdoc, "post", s, &v, &mut errors);
    assert_eq!(v["state"], "in_review");
    // In review the draft cannot be edited any more (a store rule).
    let (s, _) = api(&w, coord, Method::PUT, &vpath, Some(draft.clone())).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // The leader (named reviewer) comments; the employee (not named) does not see the version.
    let cpath = format!("{vpath}/comments");
    let (s, c) = api(
        &w,
        leader,
        Method::POST,
        &cpath,
        Some(serde_json::json!({"body": "  Nevn nettbrett også.  "})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    check_schema(
        &doc,
        "/api/v1/instructions/{id}/versions/{vid}/comments",
        "post",
        s,
        &c,
        &mut errors,
    );
    assert_eq!(c["body"], "Nevn nettbrett også.");
    assert_eq!(c["author"], leader.principal.person.unwrap().to_string());
    let (s, _) = api(
        &w,
        leader,
        Method::POST,
        &cpath,
        Some(serde_json::json!({"body": "x".repeat(5001)})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = api(
        &w,
        employee,
        Method::POST,
        &cpath,
        Some(serde_json::json!({"body": "Hei"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // The author may not approve; the named approver does.
    let (s, _) = step("coordinator", serde_json::json!({"step": "approve"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = step("dpo", serde_json::json!({"step": "approve"})).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "approved");
    assert!(v["approved_at"].is_string());
    // A step that does not exist, and a date that is not one.
    let (s, _) = step("coordinator", serde_json::json!({"step": "jump"})).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = step(
        "coordinator",
        serde_json::json!({"step": "publish", "effective_from": "2026-13-45"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v) = step(
        "coordinator",
        serde_json::json!({"step": "publish", "effective_from": w.db.now().date().to_string()}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["state"], "published");
    assert!(v["effective_from"].is_string());
    // A new major version shows up as a draft 2.0; a second one is refused while it is open.
    let npath = format!("/api/v1/instructions/{inst}/versions");
    let (s, _) = api(
        &w,
        coord,
        Method::POST,
        &npath,
        Some(serde_json::json!({"kind": "huge"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, v2) = api(
        &w,
        coord,
        Method::POST,
        &npath,
        Some(serde_json::json!({"kind": "major"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v2}");
    check_schema(
        &doc,
        "/api/v1/instructions/{id}/versions",
        "post",
        s,
        &v2,
        &mut errors,
    );
    assert_eq!(
        (v2["number"].as_str(), v2["state"].as_str()),
        (Some("2.0"), Some("draft"))
    );
    assert_eq!(v2["body"], "# Mobil\n\nBruk PIN-kode.\n");
    let (s, _) = api(
        &w,
        coord,
        Method::POST,
        &npath,
        Some(serde_json::json!({"kind": "minor"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (_, detail) = api(
        &w,
        coord,
        Method::GET,
        &format!("/api/v1/instructions/{inst}"),
        None,
    )
    .await;
    let versions = detail["versions"].as_array().unwrap();
    assert!(
        versions
            .iter()
            .any(|v| v["id"] == v2["id"] && v["state"] == "draft"),
        "{detail}"
    );
    assert_eq!(detail["instruction"]["in_force"], "1.0");
    // Another tenant never reaches these: 404 for alfa's ids.
    let (s, _) = api(
        &w,
        beta,
        Method::POST,
        &npath,
        Some(serde_json::json!({"kind": "major"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api(
        &w,
        beta,
        Method::POST,
        &format!("{vpath}/step"),
        Some(serde_json::json!({"step": "retire"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Group membership.
    let g = w.instr.group;
    let mpath = format!("/api/v1/groups/{g}/members");
    let teacher = w.pupil_teacher.id;
    let members = |who: &'static str| {
        let u = w.user(who);
        let w = &w;
        async move {
            let (s, body) = api(w, u, Method::GET, &format!("/api/v1/groups/{g}"), None).await;
            assert_eq!(s, StatusCode::OK);
            body["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["person"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    let (s, _) = api(
        &w,
        employee,
        Method::POST,
        &mpath,
        Some(serde_json::json!({"employee_number": "A2"})),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api(
        &w,
        coord,
        Method::POST,
        &mpath,
        Some(serde_json::json!({"employee_number": "NOBODY-99"})),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, m) = api(
        &w,
        coord,
        Method::POST,
        &mpath,
        Some(serde_json::json!({"employee_number": "A2"})),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{m}");
    check_schema(
        &doc,
        "/api/v1/groups/{id}/members",
        "post",
        s,
        &m,
        &mut errors,
    );
    assert_eq!(m["person"], teacher.to_string());
    assert_eq!(m["employee_number"], "A2");
    let (s, again) = api(
        &w,
        coord,
        Method::POST,
        &mpath,
        Some(serde_json::json!({"employee_number": "A2"})),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["added_at"], m["added_at"]);
    assert_eq!(members("coordinator").await, vec![teacher.to_string()]);
    let dpath = format!("{mpath}/{teacher}");
    let (s, _) = api(&w, employee, Method::DELETE, &dpath, None).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = api(&w, beta, Method::DELETE, &dpath, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api(&w, coord, Method::DELETE, &dpath, None).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    assert!(members("coordinator").await.is_empty());
    let (s, _) = api(&w, coord, Method::DELETE, &dpath, None).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // A group of the other tenant is unknown here, and alfa's group is unknown there.
    let bctx = AuditCtx::new(w.beta.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&bctx).await.unwrap();
    let bg = tx
        .create_group(NewGroup {
            name: "Beta-gruppe".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (s, _) = api(
        &w,
        coord,
        Method::POST,
        &format!("/api/v1/groups/{}/members", bg.id),
        Some(serde_json::json!({"employee_number": "A2"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api(
        &w,
        coord,
        Method::DELETE,
        &format!("/api/v1/groups/{}/members/{teacher}", bg.id),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = api(
        &w,
        beta,
        Method::POST,
        &mpath,
        Some(serde_json::json!({"employee_number": "B1"})),
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(members("coordinator").await.is_empty());
    assert!(errors.is_empty(), "{errors:#?}");

    // Each write is in the audit chain under the account that made it.
    let v2id = v2["id"].as_str().unwrap();
    let gid = g.to_string();
    for (u, action, object) in [
        (coord, "instruction.create", inst.as_str()),
        (coord, "instruction.version_edit", vid.as_str()),
        (coord, "instruction.send_to_review", vid.as_str()),
        (leader, "instruction.review_comment", vid.as_str()),
        (dpo, "instruction.approve", vid.as_str()),
        (coord, "instruction.publish", vid.as_str()),
        (coord, "instruction.version_create", v2id),
        (coord, "group.member_add", gid.as_str()),
        (coord, "group.member_remove", gid.as_str()),
    ] {
        assert!(
            audited_by(&w, u, action, object).await,
            "{action} on {object} by {} not audited",
            u.name
        );
    }
    assert!(w.db.verify_audit(w.alfa.id).await.is_ok());
}

/// A draft instruction of `alfa` for `audience` (owned and written by the teacher).
async fn draft_instruction(w: &World, title: &str, audience: Audience) -> InstructionId {
    let ctx = AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&ctx).await.unwrap();
    let (inst, _) = tx
        .create_instruction(
            InstructionFields {
                title: title.into(),
                owner: w.pupil_teacher.id,
                category: "home_office".into(),
                requires_signature: false,
                audience,
                sign_within_days: 14,
            },
            w.pupil_teacher.id,
            "# Hjemmekontor\n",
            "Første versjon",
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    inst.id
}

/// How many `action` events the audit chain of `alfa` holds on `object_id`.
async fn audit_events(w: &World, action: &str, object_id: &str) -> usize {
    let filter = vakt_store::AuditFilter {
        action: Some(action.into()),
        object_id: Some(object_id.into()),
        ..vakt_store::AuditFilter::default()
    };
    w.db.search_audit(w.alfa.id, &filter, 100, 0)
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn a_removed_attachment_leaves_the_page_answers_404_to_readers_and_stays_as_evidence() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let employee = w.user("employee");
    let inst = w.instr.instruction;
    let aid = w.instr.attachment;
    let page = format!("/instructions/{inst}");
    let remove = format!("/instructions/{inst}/attachments/{aid}/remove");
    let download = format!("/instructions/{inst}/attachments/{aid}");
    let (_, body) = get(&w, coord, &page).await;
    assert!(body.contains("rutine.txt"), "{body}");
    assert!(
        body.contains(&remove),
        "a remove button for editors: {body}"
    );
    let (_, body) = get(&w, employee, &page).await;
    assert!(body.contains("rutine.txt"));
    assert!(!body.contains(&remove), "no remove button for readers");

    // Readers may not remove; the attachment of one instruction is not found under another.
    let (s, _, _) = post_form(&w, employee, &remove, &[]).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let other = draft_instruction(
        &w,
        &format!("{ALFA_MARK} annen instruks"),
        Audience::everyone(),
    )
    .await;
    let (s, _, _) = post_form(
        &w,
        coord,
        &format!("/instructions/{other}/attachments/{aid}/remove"),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = post_form(
        &w,
        coord,
        &format!(
            "/instructions/{inst}/attachments/{}/remove",
            uuid::Uuid::now_v7()
        ),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(w.db.attachments(w.alfa.id, inst).await.unwrap().len(), 1);

    let (s, _, loc) = post_form(&w, coord, &remove, &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some(page.as_str()));
    for u in [coord, employee] {
        let (s, body) = get(&w, u, &page).await;
        assert_eq!(s, StatusCode::OK);
        assert!(!body.contains("rutine.txt"), "{}: {body}", u.name);
    }
    assert!(w.db.attachments(w.alfa.id, inst).await.unwrap().is_empty());
    // Kept, with when and by whom.
    let (a, data) =
        w.db.attachment_data(w.alfa.id, inst, aid)
            .await
            .unwrap()
            .expect("the bytes stay");
    assert!(a.removed_at.is_some());
    assert_eq!(a.removed_by.as_deref(), Some("coordinator"));
    assert_eq!(data, format!("{ALFA_MARK} vedlegg").into_bytes());
    // Readers get 404; editors can still fetch the evidence by id.
    assert_eq!(get(&w, employee, &download).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&w, w.user("auditor"), &download).await.0,
        StatusCode::NOT_FOUND
    );
    let (s, body) = get(&w, coord, &download).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains(ALFA_MARK));
    assert!(
        audited_by(
            &w,
            coord,
            "instruction.attachment_remove",
            &inst.to_string()
        )
        .await
    );
    // Removing again changes nothing and records nothing.
    let (s, _, _) = post_form(&w, coord, &remove, &[]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(
        audit_events(&w, "instruction.attachment_remove", &inst.to_string()).await,
        1
    );
}

#[tokio::test]
async fn a_group_that_is_an_audience_cannot_be_deleted_and_its_page_names_the_instructions() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let ctx = AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&ctx).await.unwrap();
    let g = tx
        .create_group(NewGroup {
            name: "Sikker sone".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    tx.add_group_member(g.id, w.pupil_teacher.id).await.unwrap();
    tx.commit().await.unwrap();
    // Named inside an "all of" rule: still a use.
    let title = format!("{ALFA_MARK} hjemmekontor i sikker sone");
    let inst = draft_instruction(
        &w,
        &title,
        Audience {
            rules: vec![vakt_core::instructions::AudienceRule::AllOf {
                rules: vec![
                    vakt_core::instructions::AudienceRule::Units {
                        units: vec![w.school.id],
                        include_sub_units: false,
                    },
                    vakt_core::instructions::AudienceRule::Groups { groups: vec![g.id] },
                ],
            }],
        },
    )
    .await;
    let path = format!("/groups/{}", g.id);
    let (s, body) = get(&w, coord, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("id=\"group-in-use\""), "{body}");
    assert!(body.contains(&format!("/instructions/{inst}")) && body.contains(&title));
    assert!(
        !body.contains(&format!("{path}/delete")),
        "no delete form while in use"
    );

    let (s, body, _) = post_form(&w, coord, &format!("{path}/delete"), &[("confirm", "on")]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let why = vakt_web::t(
        vakt_web::Lang::Nb,
        "group-err-in-use",
        &[("instructions", title.as_str().into())],
    );
    assert!(
        body.contains(&why),
        "the refusal names the instruction ({why}): {body}"
    );
    let kept =
        w.db.group(w.alfa.id, g.id)
            .await
            .unwrap()
            .expect("still there");
    assert_eq!(kept.members, 1);
    assert_eq!(audit_events(&w, "group.delete", &g.id.to_string()).await, 0);
}

#[tokio::test]
async fn an_unused_group_is_deleted_with_its_memberships_and_prerequisites() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let (s, _, loc) = post_form(&w, coord, "/groups", &[("name", "Vaktlag")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let path = loc.unwrap();
    let gid = GroupId(uuid::Uuid::parse_str(path.trim_start_matches("/groups/")).unwrap());
    let (s, _, _) = post_form(&w, coord, &format!("{path}/members"), &[("person", "A2")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let ctx = AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&ctx).await.unwrap();
    tx.set_prerequisites(
        &vakt_store::PrerequisiteHolder::Group(gid.0),
        &[vakt_core::training::RequiredItem::Instruction(
            w.instr.instruction,
        )],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    let (_, body) = get(&w, coord, &path).await;
    assert!(
        body.contains(&format!("action=\"{path}/delete\"")),
        "{body}"
    );
    let warning = vakt_web::t(
        vakt_web::Lang::Nb,
        "group-delete-prerequisites",
        &[("count", 1i64.into())],
    );
    assert!(
        body.contains(&warning),
        "the page says the prerequisite goes too: {body}"
    );
    // Not without the confirmation, not by a reader.
    let (s, _, _) = post_form(&w, coord, &format!("{path}/delete"), &[]).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _, _) = post_form(
        &w,
        w.user("employee"),
        &format!("{path}/delete"),
        &[("confirm", "on")],
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(w.db.group(w.alfa.id, gid).await.unwrap().is_some());

    let (s, _, loc) = post_form(&w, coord, &format!("{path}/delete"), &[("confirm", "on")]).await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    assert_eq!(loc.as_deref(), Some("/groups"));
    assert!(w.db.group(w.alfa.id, gid).await.unwrap().is_none());
    assert!(w.db.group_members(w.alfa.id, gid).await.unwrap().is_empty());
    assert!(
        !w.db
            .groups_of_person(w.alfa.id, w.pupil_teacher.id)
            .await
            .unwrap()
            .iter()
            .any(|(g, _)| *g == gid)
    );
    assert!(
        !w.db
            .prerequisites(w.alfa.id)
            .await
            .unwrap()
            .iter()
            .any(|(h, _)| *h == vakt_store::PrerequisiteHolder::Group(gid.0))
    );
    assert_eq!(get(&w, coord, &path).await.0, StatusCode::NOT_FOUND);
    let (_, list) = get(&w, coord, "/groups").await;
    assert!(!list.contains("Vaktlag"));
    assert!(audited_by(&w, coord, "group.delete", &gid.to_string()).await);
    // The fixture's group is untouched.
    assert!(
        w.db.group(w.alfa.id, w.instr.group)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_user_of_another_tenant_gets_404_removing_an_attachment_or_deleting_a_group() {
    let w = World::start().await;
    let beta = w.user("beta-all");
    let inst = w.instr.instruction;
    let (s, _, _) = post_form(
        &w,
        beta,
        &format!(
            "/instructions/{inst}/attachments/{}/remove",
            w.instr.attachment
        ),
        &[],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _, _) = post_form(
        &w,
        beta,
        &format!("/groups/{}/delete", w.instr.group),
        &[("confirm", "on")],
    )
    .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(w.db.attachments(w.alfa.id, inst).await.unwrap().len(), 1);
    assert!(
        w.db.group(w.alfa.id, w.instr.group)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn the_api_lists_adds_serves_and_removes_attachments_and_deletes_unused_groups() {
    let w = World::start().await;
    let coord = w.user("coordinator");
    let employee = w.user("employee");
    let beta = w.user("beta-all");
    let inst = w.instr.instruction;
    let list = format!("/api/v1/instructions/{inst}/attachments");
    let doc: Value = reqwest::get(w.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (s, before) = api(&w, employee, reqwest::Method::GET, &list, None).await;
    assert_eq!(s, StatusCode::OK);
    let mut errors = Vec::new();
    check_schema(
        &doc,
        "/api/v1/instructions/{id}/attachments",
        "get",
        s,
        &before,
        &mut errors,
    );
    assert_eq!(before.as_array().map(Vec::len), Some(1), "{before}");
    assert_eq!(before[0]["file_name"], "rutine.txt");

    // Upload: editors only; a file whose bytes do not match its type is refused.
    let upload = |u: &User, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        u.client
            .post(w.url(&list))
            .bearer_auth(&u.token)
            .multipart(form)
            .send()
    };
    let r = upload(employee, "plan.txt", b"plan".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = upload(coord, "plan.pdf", b"not a pdf".to_vec())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = upload(coord, "plan.txt", format!("{ALFA_MARK} plan").into_bytes())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let added: Value = r.json().await.unwrap();
    check_schema(
        &doc,
        "/api/v1/instructions/{id}/attachments",
        "post",
        StatusCode::CREATED,
        &added,
        &mut errors,
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(added["file_name"], "plan.txt");
    let aid = added["id"].as_str().unwrap().to_string();
    let one = format!("{list}/{aid}");
    let r = employee
        .client
        .get(w.url(&one))
        .bearer_auth(&employee.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), format!("{ALFA_MARK} plan"));
    let (_, now) = api(&w, employee, reqwest::Method::GET, &list, None).await;
    assert_eq!(now.as_array().map(Vec::len), Some(2));

    // Removal: not by readers, not across tenants, not of an unknown id.
    assert_eq!(
        api(&w, employee, reqwest::Method::DELETE, &one, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    for path in [
        one.clone(),
        format!("{list}/{}", uuid::Uuid::now_v7()),
        format!(
            "/api/v1/instructions/{}/attachments/{aid}",
            uuid::Uuid::now_v7()
        ),
    ] {
        assert_eq!(
            api(&w, coord, reqwest::Method::DELETE, &path, None).await.0,
            if path == one {
                StatusCode::NO_CONTENT
            } else {
                StatusCode::NOT_FOUND
            },
            "{path}"
        );
    }
    assert_eq!(
        api(
            &w,
            beta,
            reqwest::Method::DELETE,
            &format!("{list}/{}", w.instr.attachment),
            None
        )
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(&w, beta, reqwest::Method::GET, &list, None).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, after) = api(&w, employee, reqwest::Method::GET, &list, None).await;
    assert_eq!(after, before, "the removed one is off the list");
    assert_eq!(
        api(&w, employee, reqwest::Method::GET, &one, None).await.0,
        StatusCode::NOT_FOUND
    );
    let r = coord
        .client
        .get(w.url(&one))
        .bearer_auth(&coord.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "editors keep the evidence");
    // Again: 204, nothing recorded twice.
    assert_eq!(
        api(&w, coord, reqwest::Method::DELETE, &one, None).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        audit_events(&w, "instruction.attachment_remove", &inst.to_string()).await,
        1
    );
    assert!(audited_by(&w, coord, "instruction.attachment_add", &inst.to_string()).await);

    // Groups: one named by an audience is refused with the instruction's title; an unused one goes.
    let ctx = AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    let mut tx = w.db.write(&ctx).await.unwrap();
    let used = tx
        .create_group(NewGroup {
            name: "Brukt gruppe".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    let free = tx
        .create_group(NewGroup {
            name: "Ledig gruppe".into(),
            description: String::new(),
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let title = format!("{ALFA_MARK} gruppeinstruks");
    draft_instruction(
        &w,
        &title,
        Audience {
            rules: vec![vakt_core::instructions::AudienceRule::Groups {
                groups: vec![used.id],
            }],
        },
    )
    .await;
    let (s, body) = api(
        &w,
        coord,
        reqwest::Method::DELETE,
        &format!("/api/v1/groups/{}", used.id),
        None,
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
    let msg = body["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(&title), "{msg}");
    let free_path = format!("/api/v1/groups/{}", free.id);
    assert_eq!(
        api(&w, employee, reqwest::Method::DELETE, &free_path, None)
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        api(&w, beta, reqwest::Method::DELETE, &free_path, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        api(&w, coord, reqwest::Method::DELETE, &free_path, None)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        api(&w, coord, reqwest::Method::GET, &free_path, None)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert!(w.db.group(w.alfa.id, used.id).await.unwrap().is_some());
    assert!(audited_by(&w, coord, "group.delete", &free.id.to_string()).await);
}

/// The row of the unit report's people table that names `who`.
fn person_row<'p>(page: &'p str, who: &str) -> &'p str {
    page.split("<tr>")
        .find(|r| r.contains(who))
        .unwrap_or_else(|| panic!("no row for {who} in {page}"))
}

#[tokio::test]
async fn a_units_page_is_kept_through_signatures_elsewhere_and_follows_its_own_peoples() {
    let w = World::start().await;
    let leader = w.user("leader");
    let path = format!("/reports/instructions/units/{}", w.school.id);
    let teacher = format!("{ALFA_MARK}lærer");
    let v =
        w.db.instruction_version(w.alfa.id, w.instr.version)
            .await
            .unwrap()
            .unwrap();
    let sign = |person| crate::harness::ack_of(&v, person, w.db.now());
    let ctx = AuditCtx::new(w.alfa.id, vakt_core::audit::Actor::system("test"));
    // Someone outside the school signs: the page's people are unchanged, and so is the page.
    let mut tx = w.db.write(&ctx).await.unwrap();
    let nurse = tx
        .create_person(employee_in("H9", "Hanne", "Helse", w.health.id))
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (s, page) = get(&w, leader, &path).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!person_row(&page, &teacher).contains("class=\"signed\""));
    let (before, shape) = w.db.standings_head(w.alfa.id).await.unwrap();
    let mut tx = w.db.write(&ctx).await.unwrap();
    tx.record_ack(&sign(nurse.id)).await.unwrap();
    tx.commit().await.unwrap();
    let (after, same_shape) = w.db.standings_head(w.alfa.id).await.unwrap();
    assert!(after > before);
    assert_eq!(
        shape, same_shape,
        "an acknowledgment does not move the shape"
    );
    let nobody_here = [w.pupil_teacher.id];
    assert!(
        !w.db
            .signed_since(w.alfa.id, before, after, &nobody_here)
            .await
            .unwrap()
    );
    assert!(
        w.db.signed_since(w.alfa.id, before, after, &[nurse.id])
            .await
            .unwrap()
    );
    let (_, again) = get(&w, leader, &path).await;
    assert_eq!(again, page);
    // The teacher on the page signs: the page shows it.
    let mut tx = w.db.write(&ctx).await.unwrap();
    tx.record_ack(&sign(w.pupil_teacher.id)).await.unwrap();
    tx.commit().await.unwrap();
    let (_, now) = get(&w, leader, &path).await;
    assert!(
        person_row(&now, &teacher).contains("class=\"signed\""),
        "{}",
        person_row(&now, &teacher)
    );
}
