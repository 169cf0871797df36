//! Demo content for training: courses (an internal basic course, KS Læring's privacy course and Sweden's
//! Disa as national courses, a leader course), completions with a realistic mix of valid, expiring soon,
//! expired, missing and awaiting countersignature (recorded by leaders, imported from KS Læring,
//! self-reported with a certificate), a named group with prerequisites and a prerequisite for leaders.
//! Text written fresh for Vakt.

use anyhow::Context;
use time::Duration;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::directory::TenantId;
use vakt_core::training::{ImportedCompletion, RequiredItem};
use vakt_store::{CourseKind, Db, EvidenceUpload, NewCourse, PrerequisiteHolder};

/// At most this many people get demo completions (keeps `vakt demo --people 50000` quick).
pub const MAX_DEMO_PEOPLE: usize = 2000;

#[allow(clippy::too_many_arguments)]
fn course(
    code: &str,
    title: &str,
    description: &str,
    kind: CourseKind,
    provider: &str,
    months: u32,
    mandatory: bool,
    within: Option<u32>,
) -> NewCourse {
    NewCourse {
        code: code.into(),
        title: title.into(),
        description: description.into(),
        kind,
        provider: provider.into(),
        url: None,
        validity_months: Some(months),
        renew_days_before: 30,
        mandatory,
        complete_within_days: within,
        archived: false,
    }
}

/// Seeds the training demo into `tenant` (after its people, units and accounts exist).
pub async fn seed(db: &Db, tenant: TenantId) -> anyhow::Result<()> {
    let ctx = AuditCtx::new(tenant, Actor::system("demo"));
    let now = db.now();
    let mut tx = db.write(&ctx).await?;
    let basic = tx
        .create_course(course(
            "GRUNN-IS",
            "Grunnkurs i informasjonssikkerhet",
            "Passord og tofaktor, låsing av skjerm, trygg deling av filer og hvordan du melder et avvik. Tar om lag 40 minutter.",
            CourseKind::Internal,
            "Vakt kommune",
            24,
            true,
            Some(30),
        ))
        .await?;
    let ks = tx
        .create_course(course(
            "KS-PERSONVERN",
            "Personvern i kommunal sektor (KS Læring)",
            "Nasjonalt e-læringskurs om behandling av personopplysninger i kommunen.",
            CourseKind::External,
            "KS Læring",
            24,
            true,
            Some(60),
        ))
        .await?;
    tx.create_course(course(
        "DISA",
        "Disa – grundläggande informationssäkerhet",
        "Nationell webbutbildning för anställda i offentlig sektor.",
        CourseKind::External,
        "MSB",
        36,
        false,
        None,
    ))
    .await?;
    let leader_course = tx
        .create_course(course(
            "LEDER-IS",
            "Informasjonssikkerhet for ledere",
            "Lederens ansvar: tilganger ved ansettelse og fratredelse, avvik i egen enhet, risikovurdering.",
            CourseKind::Internal,
            "Vakt kommune",
            12,
            false,
            None,
        ))
        .await?;
    tx.commit().await?;

    let people = db.current_people(tenant).await?;
    let units = db.units(tenant).await?;
    let recorder = units.iter().find_map(|u| u.leader);
    let people: Vec<_> = people.into_iter().take(MAX_DEMO_PEOPLE).collect();

    // The basic course: recorded by a leader, a mix of states.
    let mut tx = db.write(&ctx).await?;
    if let Some(by) = recorder {
        for (i, p) in people.iter().enumerate() {
            if p.id == by {
                continue;
            }
            let days_ago = match i % 10 {
                0..=5 => 30 + (i as i64 % 300),
                6 => 24 * 30 + 10 - 30,
                7 => 24 * 30 - 40,
                8 => 30 * 30,
                _ => continue,
            };
            tx.record_completion(p.id, basic.id, now - Duration::days(days_ago), by, "")
                .await?;
        }
        // The recorder's own completion, recorded by themselves as a leader.
        tx.record_completion(by, basic.id, now - Duration::days(90), by, "")
            .await?;
    }
    tx.commit().await?;

    // KS Læring's completion file, as an import.
    let rows: Vec<ImportedCompletion> = people
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 != 2)
        .map(|(i, p)| ImportedCompletion {
            line: i as u64 + 2,
            person: p.id,
            course: ks.id,
            completed_at: now - Duration::days(20 + (i as i64 * 7) % 800),
            external_ref: format!("ks-{}", p.employee_number),
        })
        .collect();
    let mut tx = db.write(&ctx).await?;
    tx.import_completions("KS Læring", &rows, 0).await?;
    tx.commit().await?;

    // A few self-reported certificates awaiting a leader's countersignature.
    let mut tx = db.write(&ctx).await?;
    for p in people.iter().skip(9).step_by(10).take(5) {
        tx.report_completion(
            p.id,
            basic.id,
            now - Duration::days(3),
            EvidenceUpload {
                file_name: "kursbevis.pdf".into(),
                content_type: "application/pdf".into(),
                bytes: b"%PDF-1.4\n% Vakt demo certificate\n%%EOF\n".to_vec(),
            },
        )
        .await?;
    }
    tx.commit().await?;

    // A named group with prerequisites, and one for leaders.
    let mut tx = db.write(&ctx).await?;
    let group = tx
        .create_group(vakt_store::NewGroup {
            name: "Fjerntilgang til fagsystemer".into(),
            description: "Ansatte som får logge inn på fagsystemene hjemmefra.".into(),
        })
        .await
        .context("demo group")?;
    for p in people.iter().take(24) {
        tx.add_group_member(group.id, p.id).await?;
    }
    let mut items = vec![RequiredItem::Course(basic.id), RequiredItem::Course(ks.id)];
    if let Some(first) = db.instructions(tenant).await?.first() {
        items.push(RequiredItem::Instruction(first.id));
    }
    tx.set_prerequisites(&PrerequisiteHolder::Group(group.id.0), &items)
        .await?;
    tx.set_prerequisites(
        &PrerequisiteHolder::Role("leader".into()),
        &[
            RequiredItem::Course(leader_course.id),
            RequiredItem::Course(basic.id),
        ],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
