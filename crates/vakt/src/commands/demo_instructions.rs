//! Demo content for instructions (issue 4): named groups, a handful of instructions written for
//! Vakt (bokmål, English, Swedish, Danish) through the real workflow, and a realistic mix of
//! signed, missing and overdue acknowledgments. For benchmarks, `--instructions N` adds synthetic
//! instructions up to N and `--acks N` signs up to about N (instruction, person) pairs.

use std::collections::HashMap;

use anyhow::Context;
use time::Duration;
use vakt_core::Role;
use vakt_core::audit::AuditCtx;
use vakt_core::directory::{PersonId, PersonKind, TenantId, UnitId};
use vakt_core::instructions::{
    AckId, AckInput, AckMethod, Acknowledgment, Audience, AudienceRule, ChangeKind, StepActor,
    VersionStep,
};
use vakt_store::{Db, DraftEdit, InstructionFields, InstructionVersion, NewGroup};

/// How much instruction data to create.
#[derive(Debug, Clone, Copy, Default)]
pub struct InstructionDemo {
    /// Total instructions (the written ones count; more are synthetic). 0 = only the written ones.
    pub instructions: u32,
    /// Target number of acknowledgments; `None` = a realistic share of the written ones.
    pub acks: Option<u64>,
}

struct Written {
    title: &'static str,
    category: &'static str,
    signature: bool,
    body: &'static str,
    comment: &'static str,
}

const ICT: Written = Written {
    title: "Bruk av IKT-utstyr i kommunen",
    category: "ict_use",
    signature: true,
    comment: "Første versjon vedtatt av kommunedirektøren",
    body: "# Bruk av IKT-utstyr i kommunen\n\nDenne instruksen gjelder alle som får en brukerkonto i kommunen.\n\n## Konto og passord\n\n- Kontoen er personlig. Del aldri passord eller engangskoder med andre, heller ikke med IT-avdelingen.\n- Bruk en lang passordfrase og totrinnsinnlogging der det tilbys.\n\n## Utstyr\n\n- Lås skjermen (Windows-tast + L) hver gang du forlater plassen.\n- Meld tap av PC eller telefon til IKT-avdelingen samme dag.\n\n## Hvis noe går galt\n\nTror du at du har klikket på en falsk lenke, kontakt brukerstøtte med en gang. Det er bedre å melde én gang for mye.\n",
};

const ICT_MINOR: &str = "\n## Private tjenester\n\nJobbdokumenter lagres bare i kommunens tjenester, ikke i private skylagre.\n";

const LEADER: Written = Written {
    title: "Informasjonssikkerhet for ledere",
    category: "leader",
    signature: true,
    comment: "Ny instruks for alle med personalansvar",
    body: "# Informasjonssikkerhet for ledere\n\nSom leder sørger du for at de ansatte i enheten din har tilganger som passer oppgavene, og ikke mer.\n\n1. Gå gjennom tilgangene i enheten minst to ganger i året.\n2. Meld fra til IKT-avdelingen samme dag som noen slutter eller bytter stilling.\n3. Følg opp at nye medarbeidere har lest og signert instruksene som gjelder dem.\n4. Avvik meldes i avvikssystemet; du hjelper den ansatte med å beskrive hva som skjedde.\n",
};

const HOME: Written = Written {
    title: "Hjemmekontor i sikker sone",
    category: "home_office",
    signature: true,
    comment: "Første versjon",
    body: "# Hjemmekontor i sikker sone\n\nGjelder ansatte som får tilgang til sikker sone fra hjemmekontor.\n\n- Arbeid bare på kommunens utstyr, koblet til via VPN.\n- Sitt slik at ingen andre kan se skjermen, og ikke skriv ut dokumenter hjemme.\n- Telefonsamtaler om enkeltpersoner tas der ingen andre hører dem.\n",
};

const HOME_MAJOR: &str = "# Hjemmekontor i sikker sone\n\nGjelder ansatte som får tilgang til sikker sone fra hjemmekontor.\n\n- Arbeid bare på kommunens utstyr, koblet til via VPN.\n- Sitt slik at ingen andre kan se skjermen, og ikke skriv ut dokumenter hjemme.\n- Telefonsamtaler om enkeltpersoner tas der ingen andre hører dem.\n- **Nytt:** Hjemmenettet skal ha eget passord på ruteren; standardpassordet fra leverandøren skal være byttet.\n";

const CONSULTANTS: Written = Written {
    title: "Guidance for consultants and temporary staff",
    category: "information_security",
    signature: false,
    comment: "First version",
    body: "# Guidance for consultants and temporary staff\n\nYou are given access for the assignment you were hired for.\n\n- Use the account you were given; never a colleague's.\n- Information about residents stays in the municipality's systems.\n- When the assignment ends, your access ends the same day; return equipment to your contact person.\n",
};

const OPS: Written = Written {
    title: "Rutin för ändringar i driftmiljön",
    category: "it_operations",
    signature: true,
    comment: "Första versionen",
    body: "# Rutin för ändringar i driftmiljön\n\n- Varje ändring i produktion registreras i förväg med en plan för återställning.\n- Administratörskonton används bara för administration, aldrig för e-post eller surf.\n- Loggar från servrar och brandväggar sparas enligt kommunens regler och granskas varje vecka.\n",
};

const ONCALL: Written = Written {
    title: "Retningslinjer for IT-vagten",
    category: "it_operations",
    signature: false,
    comment: "Første udgave",
    body: "# Retningslinjer for IT-vagten\n\n- Vagten tager telefonen inden for ti minutter.\n- Alvorlige hændelser meldes straks til sikkerhedskoordinatoren.\n- Alle indgreb uden for arbejdstid skrives i vagtloggen samme nat.\n",
};

/// Walks a version through review, approval and publication (from `from`).
#[allow(clippy::too_many_arguments)]
async fn publish(
    db: &Db,
    ctx: &AuditCtx,
    v: &InstructionVersion,
    title: &str,
    body: &str,
    comment: &str,
    author: PersonId,
    approver: PersonId,
    reviewer: PersonId,
    from: time::OffsetDateTime,
) -> anyhow::Result<InstructionVersion> {
    let mut tx = db.write(ctx).await?;
    tx.edit_draft(
        v.id,
        DraftEdit {
            title: title.into(),
            body: body.into(),
            change_comment: comment.into(),
            approver: Some(approver),
            reviewers: vec![reviewer],
        },
    )
    .await?;
    let ed = StepActor {
        person: author,
        may_edit: true,
    };
    tx.version_step(v.id, VersionStep::SendToReview, ed).await?;
    tx.add_review_comment(v.id, reviewer, false, "Ser bra ut fra vår side.")
        .await?;
    tx.version_step(
        v.id,
        VersionStep::Approve,
        StepActor {
            person: approver,
            may_edit: false,
        },
    )
    .await?;
    let v = tx
        .version_step(
            v.id,
            VersionStep::Publish {
                effective_from: from,
            },
            ed,
        )
        .await?;
    tx.commit().await?;
    Ok(v)
}

/// A deterministic "random" number in 0..1000 for a pair.
fn roll(a: u128, b: u128) -> u64 {
    let mut x = (a ^ b.rotate_left(17)) as u64 ^ ((a >> 64) as u64);
    x ^= x >> 33;
    x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
    x ^= x >> 33;
    x % 1000
}

/// Creates the instruction demo content. `author`, `approver`, `reviewer` are the coordinator's,
/// the DPO's and the leader's persons.
pub async fn seed(
    db: &Db,
    ctx: &AuditCtx,
    tenant: TenantId,
    author: PersonId,
    approver: PersonId,
    reviewer: PersonId,
    opts: InstructionDemo,
) -> anyhow::Result<u64> {
    let now = db.now();
    let people = db.people_brief(tenant).await?;
    let units = db.units(tenant).await?;
    let unit_by_code: HashMap<&str, UnitId> =
        units.iter().map(|u| (u.code.as_str(), u.id)).collect();

    // Groups, with a few members each.
    let mut tx = db.write(ctx).await?;
    let home = tx
        .create_group(NewGroup {
            name: "Hjemmekontor i sikker sone".into(),
            description: "Ansatte med tilgang til sikker sone hjemmefra".into(),
        })
        .await?;
    let oncall = tx
        .create_group(NewGroup {
            name: "IT-vakt".into(),
            description: "Vaktordningen i IKT-avdelingen".into(),
        })
        .await?;
    for (i, (p, unit, _, _)) in people.iter().enumerate() {
        if i % 9 == 0 {
            tx.add_group_member(home.id, *p).await?;
        }
        if unit.is_some() && *unit == unit_by_code.get("IT").copied() && i % 3 == 0 {
            tx.add_group_member(oncall.id, *p).await?;
        }
    }
    tx.commit().await?;

    let health = unit_by_code.get("HEALTH").copied().or_else(|| {
        units
            .iter()
            .find(|u| u.name.to_lowercase().contains("helse"))
            .map(|u| u.id)
    });
    let mut made: Vec<(vakt_store::Instruction, Vec<InstructionVersion>)> = Vec::new();
    let specs: Vec<(&Written, Audience, i64, u32)> = vec![
        (&ICT, Audience::everyone(), 200, 14),
        (
            &LEADER,
            Audience {
                rules: vec![AudienceRule::Roles {
                    roles: vec![Role::Leader],
                }],
            },
            90,
            30,
        ),
        (
            &HOME,
            Audience {
                rules: vec![AudienceRule::Groups {
                    groups: vec![home.id],
                }],
            },
            120,
            14,
        ),
        (
            &CONSULTANTS,
            Audience {
                rules: vec![AudienceRule::PersonKinds {
                    kinds: vec![PersonKind::Consultant],
                }],
            },
            60,
            7,
        ),
        (
            &OPS,
            Audience {
                rules: vec![AudienceRule::Roles {
                    roles: vec![Role::ItOperations],
                }],
            },
            45,
            14,
        ),
        (
            &ONCALL,
            Audience {
                rules: vec![AudienceRule::Groups {
                    groups: vec![oncall.id],
                }],
            },
            20,
            14,
        ),
    ];
    let _ = health;
    for (w, audience, days_ago, days) in specs {
        let mut tx = db.write(ctx).await?;
        let (inst, v) = tx
            .create_instruction(
                InstructionFields {
                    title: w.title.into(),
                    owner: author,
                    category: w.category.into(),
                    requires_signature: w.signature,
                    audience,
                    sign_within_days: days,
                },
                author,
                w.body,
                w.comment,
            )
            .await?;
        tx.commit().await?;
        let v = publish(
            db,
            ctx,
            &v,
            w.title,
            w.body,
            w.comment,
            author,
            approver,
            reviewer,
            now - Duration::days(days_ago),
        )
        .await?;
        made.push((inst, vec![v]));
    }
    // A minor revision of the ICT instruction (no new signatures) and a major one of the home
    // office instruction (everyone signs again).
    for (idx, kind, body, comment, days_ago) in [
        (
            0usize,
            ChangeKind::Minor,
            format!("{}{ICT_MINOR}", ICT.body),
            "Presisering om private skytjenester",
            30i64,
        ),
        (
            2,
            ChangeKind::Major,
            HOME_MAJOR.to_string(),
            "Krav til hjemmenettet",
            10,
        ),
    ] {
        let inst_id = made[idx].0.id;
        let title = made[idx].0.title.clone();
        let mut tx = db.write(ctx).await?;
        let v = tx.new_version(inst_id, kind, author).await?;
        tx.commit().await?;
        let v = publish(
            db,
            ctx,
            &v,
            &title,
            &body,
            comment,
            author,
            approver,
            reviewer,
            now - Duration::days(days_ago),
        )
        .await?;
        made[idx].1.push(v);
    }
    // Synthetic instructions for benchmarks.
    let extra = opts.instructions.saturating_sub(made.len() as u32);
    for k in 0..extra {
        let title = format!("Testinstruks {:02}", k + 1);
        let body = format!(
            "# {title}\n\nSyntetisk instruks for ytelsesmåling nummer {}.\n",
            k + 1
        );
        let mut tx = db.write(ctx).await?;
        let (inst, v) = tx
            .create_instruction(
                InstructionFields {
                    title: title.clone(),
                    owner: author,
                    category: "other".into(),
                    requires_signature: false,
                    audience: Audience::everyone(),
                    sign_within_days: 14,
                },
                author,
                &body,
                "Syntetisk",
            )
            .await?;
        tx.commit().await?;
        let v = publish(
            db,
            ctx,
            &v,
            &title,
            &body,
            "Syntetisk",
            author,
            approver,
            reviewer,
            now - Duration::days(60 + i64::from(k)),
        )
        .await?;
        made.push((inst, vec![v]));
    }

    // Acknowledgments: who is in each audience (evaluated by the store, as the pages do), then a
    // deterministic share signs. With a target, the share is chosen to reach it.
    let cal = crate::commands::demo_instructions::calendar_for(db, tenant).await?;
    let mut pairs: Vec<(PersonId, usize)> = Vec::new();
    let standings = db.all_standings(tenant, i64::MAX, now, &cal).await?;
    let index: HashMap<vakt_core::instructions::InstructionId, usize> = made
        .iter()
        .enumerate()
        .map(|(i, (inst, _))| (inst.id, i))
        .collect();
    for p in &standings {
        for (iid, _) in &p.items {
            if let Some(i) = index.get(iid) {
                pairs.push((p.person, *i));
            }
        }
    }
    let per_mille: u64 = match opts.acks {
        Some(target) if !pairs.is_empty() => {
            (target.saturating_mul(1000) / pairs.len() as u64).min(1000)
        }
        Some(_) => 0,
        None => 720,
    };
    let demo_people: std::collections::HashSet<PersonId> = [author, approver, reviewer].into();
    let mut acks = Vec::with_capacity(pairs.len());
    for (person, i) in pairs {
        // The demo accounts' own people are left to sign by hand.
        if demo_people.contains(&person) {
            continue;
        }
        let (inst, versions) = &made[i];
        if roll(person.0.as_u128(), inst.id.0.as_u128()) >= per_mille {
            continue;
        }
        // Sign the first version; for a major revision some signed the new one too.
        let first = &versions[0];
        let latest = versions.last().unwrap_or(first);
        let from = first.effective_from.unwrap_or(now);
        let signed_at = from + Duration::hours(2 + (roll(person.0.as_u128(), 7) as i64 % 240));
        let mk = |v: &InstructionVersion, at, supersedes: Option<&Acknowledgment>| {
            let input = AckInput {
                id: AckId::new(),
                person,
                instruction: inst.id,
                version_id: v.id,
                version: v.number,
                text_shown: &v.body,
                version_text_hash: v.body_sha256,
                method: if inst.requires_signature {
                    AckMethod::Password
                } else {
                    AckMethod::Session
                },
                at,
                ip: Some(std::net::IpAddr::from([10, 20, 0, 7])),
                user_agent: Some("Mozilla/5.0 (demo)"),
            };
            match supersedes {
                Some(s) => s.supersede(input),
                None => Acknowledgment::record(input),
            }
        };
        let a = mk(first, signed_at.min(now), None).context("demo acknowledgment")?;
        if latest.number.major > first.number.major && roll(person.0.as_u128(), 99) < 500 {
            let at2 = latest.effective_from.unwrap_or(now) + Duration::hours(20);
            let b = mk(latest, at2.min(now), Some(&a)).context("demo acknowledgment")?;
            acks.push(a);
            acks.push(b);
        } else {
            acks.push(a);
        }
    }
    let mut n = 0;
    for chunk in acks.chunks(100_000) {
        let mut tx = db.write(ctx).await?;
        n += tx.bulk_insert_acks(chunk).await?;
        tx.commit().await?;
    }
    Ok(n)
}

/// The tenant's calendar.
pub async fn calendar_for(
    db: &Db,
    tenant: TenantId,
) -> anyhow::Result<vakt_core::deadline::TenantCalendar> {
    let t = db.tenant(tenant).await?.context("no tenant")?;
    let stored = db.tenant_settings(tenant).await?;
    let tz = stored
        .get("time_zone")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| vakt_core::settings::Settings::preset(t.country).time_zone);
    vakt_core::deadline::TenantCalendar::new(&tz)
        .or_else(|_| vakt_core::deadline::TenantCalendar::new("UTC"))
        .map_err(|e| anyhow::anyhow!("time zone: {e}"))
}
