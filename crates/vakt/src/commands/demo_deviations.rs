//! Demo content for deviations: a year of cases of every kind for the demo municipality (lost phones,
//! PCs and access cards, mis-sent e-mail, phishing, malware suspicion, unauthorised look-ups, leaked
//! passwords, physical access, outages), in several units, with severities, the investigation
//! checklist, measures with owners and due dates, lessons learned, personal-data breaches (reported
//! within 72 hours, one late with the reasons, one reasoned as not notifiable) and one NIS2
//! significant incident. Text written fresh for Vakt, in Norwegian bokmål (the demo tenant's language).
//!
//! Every case goes through the store's ordinary writes (one transaction and audit event per step) and
//! the core's transition and obligation rules. The store stamps a report with its own clock, so the
//! history is replayed with the store clock set to each step's moment (`Db::with_clock`): the cases'
//! reported, triage and closing times and their audit events carry those past moments, while the
//! audit chain's sequence stays in write order (its `at` values are therefore not monotonic across
//! the demo's setup).

use std::sync::Arc;

use time::{Duration, OffsetDateTime};
use vakt_core::Country;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::deadline::TenantCalendar;
use vakt_core::deviations::{
    Answer, CaseAction, CaseFacts, CaseId, CaseState, Consequence, Likelihood, NotRequiredGround,
    PersonId, RegimeSet, RiskAssessment, Severity, Submission, SubmissionKind, Trigger,
    check_transition, start_obligations,
};
use vakt_core::directory::TenantId;
use vakt_store::{
    AffectedKind, BulkCase, CaseChange, Db, NewCase, PersonalData, Reporter, Secrecy,
};

/// The number of demo cases (bounded, whatever the number of people).
pub const DEMO_CASES: usize = 96;

struct Kind {
    key: &'static str,
    name: &'static str,
    /// (title, description) variants.
    texts: [(&'static str, &'static str); 3],
    personal: PersonalData,
    affected: (AffectedKind, &'static str),
    severity: Severity,
    risk: (Consequence, Likelihood),
    measure: &'static str,
    lessons: &'static str,
}

const KINDS: [Kind; 8] = [
    Kind {
        key: "lost_equipment",
        name: "Tap av utstyr",
        texts: [
            (
                "Mobiltelefon glemt på bussen",
                "Tjenestetelefonen ble liggende igjen på bussen hjem fra jobb. Den har PIN-kode og jobbpost. Busselskapets hittegods er kontaktet uten resultat.",
            ),
            (
                "Bærbar PC stjålet fra bil",
                "Bilen ble brutt opp på parkeringsplassen ved kjøpesenteret, og jobb-PC-en lå i baksetet. Disken er kryptert. Politianmeldelse er levert.",
            ),
            (
                "Adgangskort mistet",
                "Adgangskortet til rådhuset er borte, trolig mistet i helgen. Kortet har navn og bilde, men ikke hvilken etasje det åpner.",
            ),
        ],
        personal: PersonalData::Unsure,
        affected: (AffectedKind::Equipment, "Tjenesteutstyr"),
        severity: Severity::Medium,
        risk: (Consequence::Moderate, Likelihood::Possible),
        measure: "Sperre enheten eller kortet og slette den eksternt",
        lessons: "Sperring gikk raskt fordi meldingen kom samme dag. Vi minner om at utstyr aldri skal ligge synlig i bil.",
    },
    Kind {
        key: "misdirected_email",
        name: "Feilsendt e-post",
        texts: [
            (
                "Vedtak sendt til feil mottaker",
                "Et vedtaksbrev med navn og adresse gikk til en person med samme etternavn. Mottakeren ga beskjed og har bekreftet at e-posten er slettet.",
            ),
            (
                "Liste med elevdata sendt til foresatte",
                "Et regneark med klasselister og kontaktinformasjon ble lagt ved en melding til alle foresatte i stedet for bare til lærerne.",
            ),
            (
                "Autoutfylt adresse ga feil mottaker",
                "E-postprogrammet foreslo en ekstern adresse som lignet den interne, og en saksoversikt ble sendt ut av huset.",
            ),
        ],
        personal: PersonalData::Yes,
        affected: (AffectedKind::System, "E-post"),
        severity: Severity::High,
        risk: (Consequence::Serious, Likelihood::Possible),
        measure: "Slå av autoutfylling av eksterne adresser i e-postklienten",
        lessons: "Vi dobbeltsjekker mottakere før vedlegg med personopplysninger sendes, og bruker sikker sending for slike brev.",
    },
    Kind {
        key: "phishing",
        name: "Phishing",
        texts: [
            (
                "Falsk innloggingsside for e-post",
                "Flere ansatte fikk en melding om «full postkasse» med lenke til en falsk innloggingsside. Én ansatt skrev inn brukernavn og passord før det ble oppdaget.",
            ),
            (
                "Falsk faktura fra kjent leverandør",
                "Regnskap mottok en faktura med nytt kontonummer fra det som så ut som en fast leverandør. Leverandøren bekreftet på telefon at de ikke hadde sendt den.",
            ),
            (
                "SMS om pakke med lenke",
                "Ansatte på tjenestetelefon fikk SMS om en pakke som måtte betales. Ingen har meldt at de trykket på lenken.",
            ),
        ],
        personal: PersonalData::No,
        affected: (AffectedKind::System, "E-post og telefoni"),
        severity: Severity::Medium,
        risk: (Consequence::Moderate, Likelihood::Likely),
        measure: "Blokkere avsenderdomenet og varsle alle ansatte",
        lessons: "Rask melding fra de første mottakerne stoppet spredningen. Tofaktor hindret innlogging med det stjålne passordet.",
    },
    Kind {
        key: "malware",
        name: "Mistanke om skadevare",
        texts: [
            (
                "PC oppfører seg rart etter vedlegg",
                "Etter å ha åpnet et vedlegg ble PC-en treg og viste ukjente vinduer. Maskinen er tatt av nettet og levert til IT.",
            ),
            (
                "Antivirus slo alarm på minnepinne",
                "En minnepinne fra et kurs utløste varsel i antivirusprogrammet. Filen ble satt i karantene automatisk.",
            ),
            (
                "Ukjent program startet ved pålogging",
                "Et program ingen kjenner til startet ved pålogging på en felles PC på biblioteket.",
            ),
        ],
        personal: PersonalData::Unsure,
        affected: (AffectedKind::Equipment, "Arbeidsstasjon"),
        severity: Severity::High,
        risk: (Consequence::Serious, Likelihood::Rare),
        measure: "Reinstallere maskinen og skifte passord for brukeren",
        lessons: "Å koble maskinen fra nettet med en gang begrenset skaden. Felles PC-er får nå strengere programkontroll.",
    },
    Kind {
        key: "unauthorised_lookup",
        name: "Urettmessig oppslag",
        texts: [
            (
                "Oppslag i journal uten tjenstlig behov",
                "Logganalyse viste at en ansatt hadde åpnet journalen til en nabo uten å ha en rolle i behandlingen.",
            ),
            (
                "Søk på kjent person i fagsystemet",
                "Flere ansatte søkte opp en lokalkjent person etter en avisartikkel. Ingen av dem hadde saken.",
            ),
            (
                "Tilgang beholdt etter bytte av stilling",
                "En ansatt som har byttet avdeling, kunne fortsatt se saker i den gamle enheten og åpnet en av dem.",
            ),
        ],
        personal: PersonalData::Yes,
        affected: (AffectedKind::Person, "Innbygger"),
        severity: Severity::High,
        risk: (Consequence::Serious, Likelihood::Possible),
        measure: "Gå gjennom tilgangene i enheten og fjerne dem som ikke trengs",
        lessons: "Tilganger skal fjernes samme dag som noen bytter stilling. Stikkprøver i loggene fortsetter hvert kvartal.",
    },
    Kind {
        key: "password_leak",
        name: "Lekket passord",
        texts: [
            (
                "Passord funnet i datalekkasje",
                "En tjeneste som overvåker lekkasjer varslet om at en kommunal e-postadresse og et passord lå i en offentlig liste.",
            ),
            (
                "Passord skrevet på lapp ved skranken",
                "Felles passord til timebestillingen hang på en lapp som publikum kunne se.",
            ),
            (
                "Passord delt i chat",
                "Et administratorpassord ble limt inn i en felles chattekanal ved en feil.",
            ),
        ],
        personal: PersonalData::No,
        affected: (AffectedKind::System, "Brukerkonto"),
        severity: Severity::Medium,
        risk: (Consequence::Moderate, Likelihood::Possible),
        measure: "Skifte passordet og kontrollere innlogginger siste 30 dager",
        lessons: "Felles passord erstattes av personlige kontoer. Passordhvelv er tatt i bruk for administratorkontoer.",
    },
    Kind {
        key: "physical_access",
        name: "Fysisk tilgang",
        texts: [
            (
                "Dør til arkivrom stod åpen",
                "Døren til arkivrommet i kjelleren var ikke låst over natten. Det er ikke funnet spor av at noen har vært der.",
            ),
            (
                "Ukjent person i kontorlandskap",
                "En person uten besøkskort gikk rundt i kontorlandskapet og spurte etter en ansatt som ikke jobber her.",
            ),
            (
                "Papirer med navn i vanlig søppel",
                "Utskrifter med navn og fødselsdatoer ble funnet i en vanlig søppelsekk i stedet for i makuleringsboksen.",
            ),
        ],
        personal: PersonalData::Unsure,
        affected: (AffectedKind::Unit, "Lokaler"),
        severity: Severity::Low,
        risk: (Consequence::Minor, Likelihood::Possible),
        measure: "Montere dørpumpe og alarm på døren",
        lessons: "Siste person ut sjekker dørene etter en fast liste. Besøkende skal alltid hentes i resepsjonen.",
    },
    Kind {
        key: "outage",
        name: "Driftsavbrudd",
        texts: [
            (
                "Fagsystem nede hele formiddagen",
                "Saksbehandlingssystemet var utilgjengelig fra kl. 08 til 12. Arbeidet ble gjort på papir og registrert etterpå.",
            ),
            (
                "Strømbrudd tok ned nettverket på skolen",
                "Et strømbrudd slo ut svitsjene, og elever og lærere var uten nett i tre timer.",
            ),
            (
                "Innlogging feilet etter oppdatering",
                "Etter en nattlig oppdatering kom ingen inn i timebestillingen før leverandøren rullet tilbake.",
            ),
        ],
        personal: PersonalData::No,
        affected: (AffectedKind::System, "Fagsystem"),
        severity: Severity::Medium,
        risk: (Consequence::Moderate, Likelihood::Rare),
        measure: "Avtale varsling og tilbakerulling med leverandøren",
        lessons: "Reserverutinen på papir fungerte. Oppdateringer testes nå i et testmiljø før de settes i drift.",
    },
];

/// The special paths a case can take.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Special {
    None,
    /// A personal-data breach reported to Datatilsynet within 72 hours.
    BreachInTime,
    /// Reported after the deadline, with the reasons.
    BreachLate,
    /// A reasoned decision that it is not notifiable.
    BreachNotNotifiable,
    /// A significant incident reported to NSM in its three phases.
    Nis2,
    /// Not a deviation after all.
    Dismissed,
}

fn special(i: usize) -> Special {
    match i {
        4 | 33 | 57 | 89 => Special::BreachInTime,
        17 => Special::BreachLate,
        32 => Special::BreachNotNotifiable,
        47 => Special::Nis2,
        _ if i % 11 == 5 && i < 70 => Special::Dismissed,
        _ => Special::None,
    }
}

fn at(db: &Db, t: OffsetDateTime) -> Db {
    db.clone().with_clock(Arc::new(move || t))
}

fn checklist(kind: &Kind, i: usize) -> Vec<(&'static str, Answer)> {
    let attack = matches!(kind.key, "phishing" | "malware");
    vec![
        (
            "intrusion",
            Answer::Choice(
                if attack && i.is_multiple_of(3) {
                    "attempt"
                } else {
                    "none"
                }
                .into(),
            ),
        ),
        (
            "external_attack",
            if attack { Answer::Yes } else { Answer::No },
        ),
        ("data_changed", Answer::No),
        (
            "malware_installed",
            if kind.key == "malware" {
                Answer::Unknown
            } else {
                Answer::No
            },
        ),
        (
            "law_or_rule_broken",
            if kind.personal == PersonalData::Yes {
                Answer::Yes
            } else {
                Answer::No
            },
        ),
        (
            "serious_disruption",
            Answer::Choice(if kind.key == "outage" { "caused" } else { "no" }.into()),
        ),
        (
            "consequences",
            Answer::Text(format!(
                "Vurdert som {} for tjenesten. Ingen tegn til misbruk så langt.",
                match kind.severity {
                    Severity::Low => "liten",
                    Severity::Medium => "moderat",
                    _ => "alvorlig",
                }
            )),
        ),
        ("proposed_measures", Answer::Text(kind.measure.into())),
    ]
}

/// Seeds the deviation demo into `tenant` (after its people, units and accounts exist).
/// `handler` is the security coordinator's person, `handler_label` the user name shown for it.
pub async fn seed(
    db: &Db,
    tenant: TenantId,
    handler: PersonId,
    handler_label: &str,
) -> anyhow::Result<()> {
    let now = db.now();
    let start = now - Duration::days(365);
    let system = AuditCtx::new(tenant, Actor::system("demo"));
    let handling = AuditCtx::new(
        tenant,
        Actor {
            account: None,
            person: Some(handler),
            label: handler_label.to_owned(),
        },
    );
    let regimes = RegimeSet::preset(Country::No)?;
    let cal = TenantCalendar::new("Europe/Oslo")?;

    // The tenant's categories: the defaults and one per kind.
    let mut tx = at(db, start).write(&system).await?;
    tx.ensure_dev_categories().await?;
    for k in &KINDS {
        tx.create_dev_category(k.key, k.name, true).await?;
    }
    tx.commit().await?;

    let units: Vec<_> = db
        .units(tenant)
        .await?
        .into_iter()
        .filter(|u| u.parent.is_some())
        .collect();
    let people: Vec<_> = db
        .current_people(tenant)
        .await?
        .into_iter()
        .take(500)
        .collect();
    if people.is_empty() {
        return Ok(());
    }

    for i in 0..DEMO_CASES {
        let kind = &KINDS[i % KINDS.len()];
        let (title, description) = kind.texts[(i / KINDS.len()) % 3];
        let days_ago = (364 * (DEMO_CASES - i - 1) / DEMO_CASES) as i64;
        let t0 = now - Duration::days(days_ago) + Duration::hours(((i * 5) % 9) as i64)
            - Duration::hours(12);
        let t0 = t0.min(now - Duration::hours(2));
        let sp = special(i);
        let unit = (!units.is_empty()).then(|| &units[(i * 7) % units.len()]);
        let reporter = &people[(i * 37 + 3) % people.len()];
        let owner = unit.and_then(|u| u.leader).unwrap_or(handler);

        // The report.
        let mut tx = at(db, t0).write(&system).await?;
        let case = tx
            .report_dev_case(NewCase {
                title: title.into(),
                description: description.into(),
                category_key: kind.key.into(),
                unit: unit.map(|u| u.id),
                occurred_at: Some(t0 - Duration::hours(1 + (i % 20) as i64)),
                discovered_at: t0 - Duration::minutes(30),
                personal_data: match sp {
                    Special::BreachInTime | Special::BreachLate | Special::BreachNotNotifiable => {
                        PersonalData::Yes
                    }
                    _ => kind.personal,
                },
                affected: vec![(kind.affected.0, kind.affected.1.into())],
                reporter: Reporter::Person {
                    person: reporter.id,
                    account: None,
                },
            })
            .await?;
        tx.commit().await?;
        let id = case.id;

        // The newest reports wait for triage.
        if days_ago < 8 && i % 2 == 1 {
            continue;
        }
        transition(
            db,
            &handling,
            &regimes,
            &cal,
            id,
            CaseAction::StartTriage,
            t0 + Duration::hours(2),
        )
        .await?;
        let mut tx = at(db, t0 + Duration::hours(3)).write(&handling).await?;
        tx.change_dev_case(id, CaseChange::Assign(Some(handler)))
            .await?;
        tx.change_dev_case(
            id,
            CaseChange::Severity(Some(match sp {
                Special::Nis2 => Severity::Serious,
                Special::BreachInTime | Special::BreachLate => Severity::High,
                _ => kind.severity,
            })),
        )
        .await?;
        let breach = matches!(
            sp,
            Special::BreachInTime | Special::BreachLate | Special::BreachNotNotifiable
        );
        if breach {
            let start = start_obligations(&regimes, Trigger::PersonalDataBreach, case.aware_at);
            tx.flag_dev_case(id, Some(true), None, &start).await?;
            tx.change_dev_case(
                id,
                CaseChange::Secrecy(
                    Secrecy::Exempt,
                    "offl. § 13, jf. fvl. § 13 første ledd nr. 1".into(),
                ),
            )
            .await?;
        }
        if sp == Special::Nis2 {
            let start = start_obligations(&regimes, Trigger::SignificantIncident, case.aware_at);
            tx.flag_dev_case(id, None, Some(true), &start).await?;
        }
        tx.commit().await?;
        if days_ago < 8 {
            continue;
        }
        if sp == Special::Dismissed {
            transition(
                db,
                &handling,
                &regimes,
                &cal,
                id,
                CaseAction::Dismiss {
                    reason:
                        "Ikke et avvik: forholdet var kjent og håndteres i en planlagt endring."
                            .into(),
                },
                t0 + Duration::hours(5),
            )
            .await?;
            continue;
        }
        transition(
            db,
            &handling,
            &regimes,
            &cal,
            id,
            CaseAction::StartInvestigation,
            t0 + Duration::days(1),
        )
        .await?;
        obligations(db, &handling, &regimes, &cal, id, handler, sp, t0).await?;
        if days_ago < 21 {
            continue;
        }
        let mut tx = at(db, t0 + Duration::days(2)).write(&handling).await?;
        tx.change_dev_case(id, CaseChange::Risk(kind.risk.0, kind.risk.1))
            .await?;
        for (key, answer) in checklist(kind, i) {
            tx.change_dev_case(id, CaseChange::Answer(key.into(), answer))
                .await?;
        }
        tx.add_dev_comment(id, "Sjekklisten er gått gjennom sammen med enhetens leder.")
            .await?;
        tx.commit().await?;
        transition(
            db,
            &handling,
            &regimes,
            &cal,
            id,
            CaseAction::PlanMeasures,
            t0 + Duration::days(3),
        )
        .await?;
        let due = t0 + Duration::days(17);
        let mut tx = at(db, t0 + Duration::days(3)).write(&handling).await?;
        let m1 = tx
            .add_dev_measure(id, kind.measure, owner, Some(due))
            .await?;
        let m2 = tx
            .add_dev_measure(
                id,
                "Ta opp hendelsen på neste personalmøte",
                owner,
                Some(t0 + Duration::days(40)),
            )
            .await?;
        tx.commit().await?;
        let close_at = t0
            + if sp == Special::Nis2 {
                Duration::days(30)
            } else {
                Duration::days(12)
            };
        if days_ago < 60 || close_at >= now {
            // Measures pending: the first is overdue once its date has passed.
            db.set_dev_next_due(tenant, id, Some(due)).await?;
            continue;
        }
        let mut tx = at(db, t0 + Duration::days(10)).write(&handling).await?;
        tx.settle_dev_measure(id, m1.id, None).await?;
        tx.settle_dev_measure(
            id,
            m2.id,
            Some("Tatt opp i stedet på fellesmøtet for hele sektoren."),
        )
        .await?;
        tx.change_dev_case(id, CaseChange::Lessons(kind.lessons.into()))
            .await?;
        tx.commit().await?;
        transition(
            db,
            &handling,
            &regimes,
            &cal,
            id,
            CaseAction::Close,
            close_at,
        )
        .await?;
    }
    Ok(())
}

/// One workflow step, checked by the core's rules as the web handler does.
async fn transition(
    db: &Db,
    ctx: &AuditCtx,
    regimes: &RegimeSet,
    cal: &TenantCalendar,
    id: CaseId,
    action: CaseAction,
    when: OffsetDateTime,
) -> anyhow::Result<()> {
    let tenant = ctx.tenant;
    let case = db
        .dev_case(tenant, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo case {id} vanished"))?;
    let measures = db.dev_measures(tenant, id).await?;
    let mut obligations = Vec::new();
    for o in db.dev_obligations(tenant, id).await? {
        if let Some(r) = regimes.get(&o.obligation.regime) {
            let s = o
                .obligation
                .status(r, when, cal)
                .map_err(|e| anyhow::anyhow!("demo obligation: {e}"))?;
            obligations.push((o.obligation.regime.clone(), s.state));
        }
    }
    let facts = CaseFacts {
        state: case.state,
        assignee: case.assignee,
        has_category: case.category.is_some(),
        severity: case.severity,
        risk: match (case.consequence, case.likelihood) {
            (Some(consequence), Some(likelihood)) => Some(RiskAssessment {
                consequence,
                likelihood,
            }),
            _ => None,
        },
        checklist: &case.checklist,
        measures: &measures,
        obligations: &obligations,
        lessons_learned: &case.lessons_learned,
    };
    let to = check_transition(&facts, &action)
        .map_err(|e| anyhow::anyhow!("demo case {}: {e}", case.number))?;
    let reason = match &action {
        CaseAction::Dismiss { reason } | CaseAction::Reopen { reason } => Some(reason.as_str()),
        _ => None,
    };
    let mut tx = at(db, when).write(ctx).await?;
    tx.set_dev_state(id, case.state, to, reason).await?;
    match to {
        CaseState::Investigation => {
            tx.hold_dev_case(id, &format!("deviation {}", case.number))
                .await?;
        }
        CaseState::Closed => tx.release_dev_case_hold(id).await?,
        _ => {}
    }
    tx.commit().await?;
    Ok(())
}

/// The reporting obligations of a breach or a significant incident.
#[allow(clippy::too_many_arguments)]
async fn obligations(
    db: &Db,
    ctx: &AuditCtx,
    regimes: &RegimeSet,
    cal: &TenantCalendar,
    id: CaseId,
    by: PersonId,
    sp: Special,
    t0: OffsetDateTime,
) -> anyhow::Result<()> {
    let tenant = ctx.tenant;
    let err = |e: vakt_core::deviations::ObligationError| anyhow::anyhow!("demo obligation: {e}");
    for stored in db.dev_obligations(tenant, id).await? {
        let mut o = stored.obligation.clone();
        let Some(regime) = regimes.get(&o.regime) else {
            continue;
        };
        let submit = |phase: &str,
                      at: OffsetDateTime,
                      channel: &str,
                      reference: Option<String>,
                      late: Option<&str>| Submission {
            phase: phase.into(),
            kind: SubmissionKind::Complete,
            at,
            by,
            channel: channel.into(),
            authority_reference: reference,
            delay_reasons: late.map(str::to_owned),
        };
        let number = t0.unix_timestamp() % 100_000;
        let when;
        match (o.regime.as_str(), sp) {
            ("gdpr_authority", Special::BreachInTime) => {
                when = t0 + Duration::hours(31);
                o.record_submission(
                    regime,
                    submit(
                        "notification",
                        t0 + Duration::hours(30),
                        "Altinn",
                        Some(format!("DT-{number}")),
                        None,
                    ),
                    when,
                    cal,
                )
                .map_err(err)?;
            }
            ("gdpr_authority", Special::BreachLate) => {
                when = t0 + Duration::hours(101);
                o.record_submission(
                    regime,
                    submit(
                        "notification",
                        t0 + Duration::hours(100),
                        "Altinn",
                        Some(format!("DT-{number}")),
                        Some("Meldingen kom inn fredag ettermiddag og ble først vurdert av personvernombudet mandag. Rutinen for stedfortreder i helgene er endret."),
                    ),
                    when,
                    cal,
                )
                .map_err(err)?;
            }
            ("gdpr_authority", Special::BreachNotNotifiable) => {
                when = t0 + Duration::hours(20);
                o.decide_not_required(
                    regime,
                    NotRequiredGround::UnlikelyRisk,
                    "PC-en var kryptert med sterk nøkkel og slått av da den ble stjålet. Nøkkelen er ikke kompromittert, og enheten er sperret. Det er derfor lite sannsynlig at bruddet medfører risiko for de registrerte.",
                    by,
                    when,
                )
                .map_err(err)?;
            }
            ("gdpr_data_subjects", Special::BreachInTime) if t0.unix_timestamp() % 2 == 0 => {
                when = t0 + Duration::hours(40);
                o.record_submission(
                    regime,
                    submit(
                        "communication",
                        t0 + Duration::hours(39),
                        "Brev",
                        None,
                        None,
                    ),
                    when,
                    cal,
                )
                .map_err(err)?;
            }
            ("gdpr_data_subjects", Special::BreachNotNotifiable) => {
                when = t0 + Duration::hours(20);
                o.decide_not_required(
                    regime,
                    NotRequiredGround::DataUnintelligible,
                    "Opplysningene var kryptert og kan ikke leses av andre.",
                    by,
                    when,
                )
                .map_err(err)?;
            }
            ("gdpr_data_subjects", _) => {
                when = t0 + Duration::hours(32);
                o.decide_not_required(regime, NotRequiredGround::NoHighRisk, "Få personer berørt, mottakeren har slettet opplysningene, og det er ikke sensitive opplysninger. Ikke høy risiko.", by, when).map_err(err)?;
            }
            ("nis2", Special::Nis2) => {
                when = t0 + Duration::days(25);
                o.record_submission(
                    regime,
                    submit(
                        "early_warning",
                        t0 + Duration::hours(10),
                        "NSMs meldetjeneste",
                        Some(format!("NSM-{number}")),
                        None,
                    ),
                    when,
                    cal,
                )
                .map_err(err)?;
                o.record_submission(
                    regime,
                    submit(
                        "notification",
                        t0 + Duration::hours(60),
                        "NSMs meldetjeneste",
                        Some(format!("NSM-{number}")),
                        None,
                    ),
                    when,
                    cal,
                )
                .map_err(err)?;
                o.record_submission(
                    regime,
                    submit(
                        "final_report",
                        t0 + Duration::days(24),
                        "NSMs meldetjeneste",
                        Some(format!("NSM-{number}")),
                        None,
                    ),
                    when,
                    cal,
                )
                .map_err(err)?;
            }
            _ => continue,
        }
        if when >= db.now() {
            continue;
        }
        let mut tx = at(db, when).write(ctx).await?;
        tx.save_dev_obligation(id, &o).await?;
        tx.commit().await?;
    }
    Ok(())
}

/// `vakt demo --cases N`: adds N synthetic cases spread over the last year (every kind, unit and
/// state; about one in twenty a breach) in batched inserts, for benchmarks.
pub async fn bulk(db: &Db, slug: &str, n: u64) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let tenant = db
        .tenant_by_slug(slug)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo tenant {slug} is missing"))?
        .id;
    let system = AuditCtx::new(tenant, Actor::system("demo"));
    let units: Vec<_> = db.units(tenant).await?.into_iter().map(|u| u.id).collect();
    let people: Vec<_> = db
        .current_people(tenant)
        .await?
        .into_iter()
        .take(2000)
        .map(|p| p.id)
        .collect();
    if units.is_empty() || people.is_empty() {
        anyhow::bail!("demo tenant has no categories, units or people");
    }
    let now = db.now();
    let states = [
        CaseState::Reported,
        CaseState::Triage,
        CaseState::Investigation,
        CaseState::Measures,
        CaseState::Closed,
        CaseState::Closed,
        CaseState::Closed,
        CaseState::Closed,
    ];
    let pd = [PersonalData::Yes, PersonalData::No, PersonalData::Unsure];
    let mut done = 0u64;
    while done < n {
        let mut tx = db.write(&system).await?;
        let cats = tx.ensure_dev_categories().await?;
        if cats.is_empty() {
            anyhow::bail!("demo tenant has no deviation categories");
        }
        let batch = (n - done).min(20_000);
        let mut rows = Vec::with_capacity(batch as usize);
        for j in 0..batch {
            let i = (done + j) as usize;
            let kind = &KINDS[i % KINDS.len()];
            let (title, description) = kind.texts[(i / KINDS.len()) % kind.texts.len()];
            let minutes = ((i as u64).wrapping_mul(2_654_435_761) % (365 * 24 * 60)) as i64;
            let reported_at = now - Duration::minutes(minutes + 1);
            let is_breach = i.is_multiple_of(20);
            rows.push(BulkCase {
                title: format!("{title} #{i}"),
                description: description.to_owned(),
                category: cats[i % cats.len()].id,
                unit: Some(units[i % units.len()]),
                reporter: Some(people[(i * 7) % people.len()]),
                discovered_at: reported_at - Duration::minutes((i % 600) as i64),
                reported_at,
                state: states[i % states.len()],
                personal_data: if is_breach {
                    PersonalData::Yes
                } else {
                    pd[i % pd.len()]
                },
                is_breach,
            });
        }
        tx.bulk_insert_dev_cases(&rows).await?;
        tx.commit().await?;
        done += batch;
    }
    db.refresh_statistics().await?;
    tracing::info!(
        cases = n,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "bulk deviation cases created"
    );
    Ok(())
}
