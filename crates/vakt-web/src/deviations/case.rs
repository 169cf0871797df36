//! The case page and its forms: workflow transitions, assignment and fields, the checklist,
//! comments, links, measures, flags (breach, significant incident), reporting obligations with
//! submissions, the breach notification draft (JSON export), the case export, the breach
//! register and the module's settings.

use askama::Template;
use axum::{
    Json,
    extract::State,
    http::header,
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use vakt_core::authz::Action;
use vakt_core::deviations::{
    Answer, AnswerKind, Approx, BreachNature, BreachNotificationDraft, CaseAction, CaseFacts,
    CaseState, Consequence, Contact, Controller, INVESTIGATION_CHECKLIST, Likelihood,
    NotRequiredGround, ObligationError, RiskAssessment, RiskMatrix, Severity, Submission,
    SubmissionKind, TransitionError, Trigger, check_transition, form_shape,
};
use vakt_store::{Case, CaseChange, CaseFilter, DevConfig, Secrecy};

use super::{
    CaseRow, calendar, category_label, clocks, countdown, load_case, local_input, local_time,
    obligation_states, obligations_for, parse_local, person_name, refresh_due, regimes, rows,
    severity_label, state_label,
};
use crate::{
    AppError, AppState,
    extract::{ClientIp, CurrentUser, VForm, VPath},
    i18n::{Lang, t},
    page::{Page, render},
};

fn back(case: &Case, notice: &str) -> Response {
    Redirect::to(&format!("/deviations/{}?notice={notice}#{notice}", case.id)).into_response()
}

fn code<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn parse_enum<T: serde::de::DeserializeOwned>(s: &str) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::String(s.trim().to_owned()))
        .map_err(|_| AppError::invalid("dev-err-choice"))
}

fn dash(s: &str) -> String {
    s.replace('_', "-")
}

// ---------- the case page ----------

pub struct ClockView {
    pub label: String,
    pub due: String,
    pub countdown: String,
    pub overdue: bool,
}

pub struct QuestionView {
    pub key: &'static str,
    pub label: String,
    /// `(value, label, selected)`; empty for a text question.
    pub options: Vec<(String, String, bool)>,
    pub text: String,
    pub required: bool,
}

pub struct MeasureView {
    pub id: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub open: bool,
}

pub struct PhaseView {
    pub phase: String,
    pub label: String,
    pub due: String,
    pub countdown: String,
    pub overdue: bool,
    pub submitted: String,
    pub late: bool,
    pub closed: bool,
}

pub struct ObligationView {
    pub regime: String,
    pub label: String,
    pub legal_basis: String,
    pub recipient: String,
    pub channel: String,
    pub state: String,
    pub decision: String,
    pub needs_decision: bool,
    pub open: bool,
    pub phases: Vec<PhaseView>,
    pub submissions: Vec<(String, String, String, String, String, String)>,
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "deviations/case.html")]
struct CasePage {
    page: Page,
    id: String,
    number: i64,
    title: String,
    description: String,
    state: String,
    state_code: String,
    category: String,
    unit: String,
    reporter: String,
    assignee: String,
    severity: String,
    risk: String,
    occurred: String,
    discovered: String,
    aware: String,
    aware_input: String,
    reported: String,
    personal_data: String,
    affected: Vec<String>,
    breach: bool,
    significant: bool,
    secrecy: String,
    secrecy_code: String,
    secrecy_basis: String,
    lessons: String,
    snapshot_hash: String,
    held: bool,
    clocks: Vec<ClockView>,
    actions: Vec<(&'static str, String)>,
    questions: Vec<QuestionView>,
    measures: Vec<MeasureView>,
    obligations: Vec<ObligationView>,
    comments: Vec<EventView>,
    timeline: Vec<EventView>,
    links: Vec<CaseRow>,
    attachments: Vec<(String, String, String, String, String)>,
    categories: Vec<(String, String, bool)>,
    severities: Vec<(&'static str, String, bool)>,
    consequences: Vec<(&'static str, String, bool)>,
    likelihoods: Vec<(&'static str, String, bool)>,
    grounds: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, String)>,
    now_input: String,
    can_handle: bool,
    can_breach: bool,
    can_export_personal: bool,
    draft: Option<DraftView>,
    error: Option<String>,
}

/// The notification draft as the editor shows it.
pub struct DraftView {
    pub form: String,
    pub controller_name: String,
    pub controller_org: String,
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
    pub description: String,
    pub cause: String,
    pub subject_categories: String,
    pub subjects_low: String,
    pub subjects_high: String,
    pub data_categories: String,
    pub special: bool,
    pub records_low: String,
    pub records_high: String,
    pub consequences: String,
    pub measures_taken: String,
    pub measures_proposed: String,
    pub dpo_name: String,
    pub dpo_email: String,
    pub dpo_phone: String,
    pub phased: bool,
    pub delay_reasons: String,
    pub missing: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct CaseQuery {
    #[serde(default)]
    notice: String,
    #[serde(default)]
    error: String,
}

fn checklist_views(lang: Lang, case: &Case) -> Vec<QuestionView> {
    INVESTIGATION_CHECKLIST
        .iter()
        .map(|q| {
            let current = case.checklist.get(q.key);
            let options: Vec<(String, String, bool)> = match q.kind {
                AnswerKind::YesNoUnknown => ["yes", "no", "unknown"]
                    .into_iter()
                    .map(|o| {
                        let sel = matches!(
                            (o, current),
                            ("yes", Some(Answer::Yes))
                                | ("no", Some(Answer::No))
                                | ("unknown", Some(Answer::Unknown))
                        );
                        (o.to_owned(), t(lang, &format!("dev-answer-{o}"), &[]), sel)
                    })
                    .collect(),
                AnswerKind::Choice(opts) => opts
                    .iter()
                    .map(|o| {
                        let sel = matches!(current, Some(Answer::Choice(c)) if c == o);
                        (
                            (*o).to_owned(),
                            t(lang, &format!("checklist-{}-{}", dash(q.key), dash(o)), &[]),
                            sel,
                        )
                    })
                    .collect(),
                AnswerKind::Text => Vec::new(),
            };
            let text = match current {
                Some(Answer::Text(s)) => s.clone(),
                _ => String::new(),
            };
            QuestionView {
                key: q.key,
                label: t(lang, &format!("checklist-{}", dash(q.key)), &[]),
                options,
                text,
                required: q.required,
            }
        })
        .collect()
}

fn draft_from(case: &Case) -> BreachNotificationDraft {
    case.breach_draft
        .as_deref()
        .and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

fn approx_text(a: Option<Approx>) -> (String, String) {
    a.map(|a| (a.low.to_string(), a.high.to_string()))
        .unwrap_or_default()
}

fn draft_view(
    lang: Lang,
    tenant: &vakt_core::directory::Tenant,
    cfg: &DevConfig,
    case: &Case,
) -> DraftView {
    let d = draft_from(case);
    let form = regimes(tenant, cfg)
        .get("gdpr_authority")
        .and_then(|r| r.form.clone())
        .unwrap_or_default();
    let missing = form_shape(&form)
        .map(|f| f.fill(&filled_draft(case, &d), false).missing)
        .unwrap_or_default()
        .into_iter()
        .map(|k| {
            form_shape(&form)
                .and_then(|f| f.fields.iter().find(|ff| ff.key == k))
                .map(|ff| t(lang, &format!("dev-draft-{}", dash(&code(&ff.source))), &[]))
                .unwrap_or_else(|| k.to_owned())
        })
        .collect();
    let (sl, sh) = approx_text(d.approx_data_subjects);
    let (rl, rh) = approx_text(d.approx_records);
    DraftView {
        form,
        controller_name: if d.controller.name.is_empty() {
            tenant.name.clone()
        } else {
            d.controller.name.clone()
        },
        controller_org: d.controller.org_number.clone(),
        confidentiality: d.nature.confidentiality,
        integrity: d.nature.integrity,
        availability: d.nature.availability,
        description: if d.description.is_empty() {
            case.description.clone()
        } else {
            d.description.clone()
        },
        cause: d.cause.clone(),
        subject_categories: d.data_subject_categories.join(", "),
        subjects_low: sl,
        subjects_high: sh,
        data_categories: d.data_categories.join(", "),
        special: d.special_categories,
        records_low: rl,
        records_high: rh,
        consequences: d.likely_consequences.clone(),
        measures_taken: d.measures_taken.clone(),
        measures_proposed: d.measures_proposed.clone(),
        dpo_name: d.dpo_contact.name.clone(),
        dpo_email: d.dpo_contact.email.clone(),
        dpo_phone: d.dpo_contact.phone.clone(),
        phased: d.phased,
        delay_reasons: d.delay_reasons.clone(),
        missing,
    }
}

/// The stored draft with the case's own facts filled in (reference, times).
fn filled_draft(case: &Case, d: &BreachNotificationDraft) -> BreachNotificationDraft {
    let mut d = d.clone();
    if d.own_reference.is_empty() {
        d.own_reference = format!("{}", case.number);
    }
    d.occurred_from = d.occurred_from.or(case.occurred_at);
    d.discovered_at = d.discovered_at.or(Some(case.discovered_at));
    d.aware_at = d.aware_at.or(Some(case.aware_at));
    d
}

/// `GET /deviations/{id}`.
pub async fn case_page(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    crate::extract::VQuery(q): crate::extract::VQuery<CaseQuery>,
) -> Result<Response, AppError> {
    let (case, units) = load_case(&st, &user, &id, Action::ViewDeviations).await?;
    let lang = user.lang();
    let tenant = user.tenant.clone();
    let db = st.db();
    let cal = calendar(&user.settings);
    let now = st.now();
    let cfg = db.dev_config(tenant.id).await?;
    let regimes = regimes(&tenant, &cfg);
    let cats = db.dev_categories(tenant.id).await?;
    let resource = super::case_resource(&user, &units, case.unit);
    let can_handle = user.authorize(Action::HandleDeviation, &resource).is_ok();
    let can_breach = user.may(Action::ManageBreach);

    let clocks = clocks(&st, &tenant, &cfg, &case)
        .await?
        .into_iter()
        .map(|(_, label, due)| {
            let (cd, overdue) = countdown(lang, now, due);
            ClockView {
                label: t(lang, &label, &[]),
                due: local_time(&cal, due),
                countdown: cd,
                overdue,
            }
        })
        .collect();
    let actions: Vec<(&'static str, String)> = match case.state {
        CaseState::Reported => vec![("start_triage", t(lang, "dev-act-start-triage", &[]))],
        CaseState::Triage => vec![
            (
                "start_investigation",
                t(lang, "dev-act-start-investigation", &[]),
            ),
            ("dismiss", t(lang, "dev-act-dismiss", &[])),
        ],
        CaseState::Investigation => vec![
            ("plan_measures", t(lang, "dev-act-plan-measures", &[])),
            ("close", t(lang, "dev-act-close", &[])),
        ],
        CaseState::Measures => vec![("close", t(lang, "dev-act-close", &[]))],
        CaseState::Closed => vec![("reopen", t(lang, "dev-act-reopen", &[]))],
    };
    let mut measures = Vec::new();
    let case_measures = db.dev_measures(tenant.id, case.id).await?;
    let owners = db
        .people_by_ids(
            tenant.id,
            &case_measures.iter().map(|m| m.owner).collect::<Vec<_>>(),
        )
        .await?;
    for m in case_measures {
        let status = match &m.status {
            vakt_core::deviations::MeasureStatus::Open => t(lang, "dev-measure-open", &[]),
            vakt_core::deviations::MeasureStatus::Done { at, .. } => t(
                lang,
                "dev-measure-done-at",
                &[("at", local_time(&cal, *at).into())],
            ),
            vakt_core::deviations::MeasureStatus::Waived { reason, .. } => t(
                lang,
                "dev-measure-waived",
                &[("reason", reason.as_str().into())],
            ),
        };
        measures.push(MeasureView {
            id: m.id.to_string(),
            title: m.title.clone(),
            owner: owners
                .get(&m.owner)
                .map(vakt_core::directory::Person::display_name)
                .unwrap_or_default(),
            due: m.due.map(|d| local_time(&cal, d)).unwrap_or_default(),
            status,
            open: !m.is_settled(),
        });
    }
    let mut obligations = Vec::new();
    for o in db.dev_obligations(tenant.id, case.id).await? {
        let Some(regime) = regimes.get(&o.obligation.regime) else {
            continue;
        };
        let Ok(status) = o.obligation.status(regime, now, &cal) else {
            continue;
        };
        let rkey = dash(&regime.key);
        let phases = status
            .phases
            .iter()
            .map(|p| {
                let (due, cd, overdue) = match (&p.clock, &p.running) {
                    (Some(c), Some(_)) => {
                        let (cd, od) = countdown(lang, now, c.due());
                        (local_time(&cal, c.due()), cd, od)
                    }
                    (Some(c), None) => (local_time(&cal, c.due()), String::new(), false),
                    _ => (t(lang, "dev-no-fixed-deadline", &[]), String::new(), false),
                };
                PhaseView {
                    phase: p.phase.clone(),
                    label: t(lang, &format!("dev-phase-{}", dash(&p.phase)), &[]),
                    due,
                    countdown: cd,
                    overdue,
                    submitted: p
                        .first_submitted_at
                        .map(|a| local_time(&cal, a))
                        .unwrap_or_default(),
                    late: p.late,
                    closed: p.closed,
                }
            })
            .collect();
        let decision = match &o.obligation.decision {
            Some(vakt_core::deviations::Decision::Notify { at, .. }) => t(
                lang,
                "dev-decision-notify",
                &[("at", local_time(&cal, *at).into())],
            ),
            Some(vakt_core::deviations::Decision::NotRequired {
                ground, reasoning, ..
            }) => t(
                lang,
                "dev-decision-not-required",
                &[
                    (
                        "ground",
                        t(lang, &format!("dev-ground-{}", dash(&code(ground))), &[]).into(),
                    ),
                    ("reasoning", reasoning.as_str().into()),
                ],
            ),
            None => String::new(),
        };
        let mut submissions = Vec::new();
        for s in &o.obligation.submissions {
            submissions.push((
                t(lang, &format!("dev-phase-{}", dash(&s.phase)), &[]),
                t(lang, &format!("dev-kind-{}", code(&s.kind)), &[]),
                local_time(&cal, s.at),
                s.channel.clone(),
                s.authority_reference.clone().unwrap_or_default(),
                s.delay_reasons.clone().unwrap_or_default(),
            ));
        }
        obligations.push(ObligationView {
            regime: regime.key.clone(),
            label: t(lang, &format!("dev-regime-{rkey}"), &[]),
            legal_basis: regime.legal_basis.clone(),
            recipient: regime.recipient.clone(),
            channel: regime.channel.clone(),
            state: t(
                lang,
                &format!("dev-ostate-{}", dash(&code(&status.state))),
                &[],
            ),
            decision,
            needs_decision: regime.decision != vakt_core::deviations::DecisionRule::None,
            open: status.state.is_open(),
            phases,
            submissions,
        });
    }
    let mut timeline = Vec::new();
    for e in db.dev_timeline(tenant.id, case.id).await? {
        timeline.push(EventView {
            at: local_time(&cal, e.at),
            who: e.actor_label,
            what: format!(
                "{} {}",
                t(lang, &format!("dev-ev-{}", dash(&e.kind)), &[]),
                e.detail
            ),
        });
    }
    let comments = db
        .dev_comments(tenant.id, case.id)
        .await?
        .into_iter()
        .map(|c| EventView {
            at: local_time(&cal, c.at),
            who: c.author_label,
            what: c.body,
        })
        .collect();
    let links = rows(&st, &user, &cats, db.dev_links(tenant.id, case.id).await?);
    let attachments = db
        .dev_attachments(tenant.id, case.id)
        .await?
        .into_iter()
        .map(|a| {
            (
                a.id.to_string(),
                a.name,
                format!("{} B", a.size),
                t(lang, &format!("dev-secrecy-{}", code(&a.secrecy)), &[]),
                a.secrecy_basis,
            )
        })
        .collect();
    let affected = db
        .dev_affected(tenant.id, case.id)
        .await?
        .into_iter()
        .map(|a| {
            format!(
                "{}: {}",
                t(lang, &format!("dev-affected-{}", code(&a.kind)), &[]),
                a.label
            )
        })
        .collect();
    let unit = case
        .unit
        .and_then(|u| units.iter().find(|x| x.id == u))
        .map(|u| u.name.clone())
        .unwrap_or_default();
    let reporter = if case.anonymous {
        t(lang, "dev-reporter-anonymous", &[])
    } else {
        person_name(&st, &user, case.reporter_person).await
    };
    let risk = match (case.consequence, case.likelihood) {
        (Some(c), Some(l)) => {
            let level = RiskMatrix::default().level(RiskAssessment {
                consequence: c,
                likelihood: l,
            });
            t(
                lang,
                "dev-risk-summary",
                &[
                    (
                        "consequence",
                        t(lang, &format!("dev-cons-{}", dash(&code(&c))), &[]).into(),
                    ),
                    (
                        "likelihood",
                        t(lang, &format!("dev-like-{}", dash(&code(&l))), &[]).into(),
                    ),
                    (
                        "level",
                        t(lang, &format!("dev-level-{}", dash(&code(&level))), &[]).into(),
                    ),
                ],
            )
        }
        _ => String::new(),
    };
    let sev_opts = [
        ("low", Severity::Low),
        ("medium", Severity::Medium),
        ("high", Severity::High),
        ("serious", Severity::Serious),
    ]
    .into_iter()
    .map(|(k, s)| (k, severity_label(lang, Some(s)), case.severity == Some(s)))
    .collect();
    let consequences = ["minor", "moderate", "serious", "critical"]
        .into_iter()
        .map(|k| {
            let sel = case.consequence.map(|c| code(&c)).as_deref() == Some(k);
            (k, t(lang, &format!("dev-cons-{k}"), &[]), sel)
        })
        .collect();
    let likelihoods = ["rare", "possible", "likely", "almost_certain"]
        .into_iter()
        .map(|k| {
            let sel = case.likelihood.map(|c| code(&c)).as_deref() == Some(k);
            (k, t(lang, &format!("dev-like-{}", dash(k)), &[]), sel)
        })
        .collect();
    let grounds = [
        "unlikely_risk",
        "no_high_risk",
        "data_unintelligible",
        "subsequent_measures",
        "disproportionate_effort",
        "not_significant",
        "other",
    ]
    .into_iter()
    .map(|k| (k, t(lang, &format!("dev-ground-{}", dash(k)), &[])))
    .collect();
    let kinds = ["complete", "initial", "supplement", "final"]
        .into_iter()
        .map(|k| (k, t(lang, &format!("dev-kind-{k}"), &[])))
        .collect();
    let notice = (!q.notice.is_empty())
        .then(|| t(lang, "dev-saved", &[]))
        .filter(|_| {
            q.notice
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    let error = (!q.error.is_empty()
        && q.error.chars().all(|c| c.is_ascii_lowercase() || c == '-'))
    .then(|| t(lang, &format!("dev-err-{}", q.error), &[]));
    let draft = (case.is_breach && can_breach).then(|| draft_view(lang, &tenant, &cfg, &case));
    let page = user
        .page("dev-case-title", &format!("/deviations/{}", case.id))
        .with_notice(notice);
    render(&CasePage {
        page,
        id: case.id.to_string(),
        number: case.number,
        title: case.title.clone(),
        description: case.description.clone(),
        state: state_label(lang, case.state),
        state_code: code(&case.state),
        category: category_label(lang, &cats, case.category),
        unit,
        reporter,
        assignee: person_name(&st, &user, case.assignee).await,
        severity: severity_label(lang, case.severity),
        risk,
        occurred: case
            .occurred_at
            .map(|t| local_time(&cal, t))
            .unwrap_or_default(),
        discovered: local_time(&cal, case.discovered_at),
        aware: local_time(&cal, case.aware_at),
        aware_input: local_input(&cal, case.aware_at),
        reported: local_time(&cal, case.reported_at),
        personal_data: t(lang, &format!("dev-pd-{}", code(&case.personal_data)), &[]),
        affected,
        breach: case.is_breach,
        significant: case.significant,
        secrecy: t(lang, &format!("dev-secrecy-{}", code(&case.secrecy)), &[]),
        secrecy_code: code(&case.secrecy),
        secrecy_basis: case.secrecy_basis.clone(),
        lessons: case.lessons_learned.clone(),
        snapshot_hash: case.reported_hash.clone(),
        held: case.hold_id.is_some(),
        clocks,
        actions,
        questions: checklist_views(lang, &case),
        measures,
        obligations,
        comments,
        timeline,
        links,
        attachments,
        categories: cats
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    category_label(lang, &cats, Some(c.id)),
                    case.category == Some(c.id),
                )
            })
            .collect(),
        severities: sev_opts,
        consequences,
        likelihoods,
        grounds,
        kinds,
        now_input: local_input(&cal, now),
        can_handle,
        can_breach,
        can_export_personal: user.may(Action::ExportDeviationPersonalData),
        draft,
        error,
    })
}

// ---------- workflow ----------

#[derive(Debug, Default, Deserialize)]
pub struct TransitionForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    reason: String,
}

fn transition_error(lang: Lang, e: &TransitionError) -> AppError {
    match e {
        TransitionError::WrongState { .. } => AppError::conflict("dev-err-wrong-state"),
        TransitionError::Missing(list) => {
            let items: Vec<String> = list
                .iter()
                .map(|n| match n {
                    vakt_core::deviations::Needed::Assignee => t(lang, "dev-need-assignee", &[]),
                    vakt_core::deviations::Needed::Category => t(lang, "dev-need-category", &[]),
                    vakt_core::deviations::Needed::Severity => t(lang, "dev-need-severity", &[]),
                    vakt_core::deviations::Needed::RiskAssessment => t(lang, "dev-need-risk", &[]),
                    vakt_core::deviations::Needed::ChecklistAnswer(k) => {
                        t(lang, &format!("checklist-{}", dash(k)), &[])
                    }
                    vakt_core::deviations::Needed::LessonsLearned => {
                        t(lang, "dev-need-lessons", &[])
                    }
                    vakt_core::deviations::Needed::MeasureOpen(_) => {
                        t(lang, "dev-need-measures", &[])
                    }
                    vakt_core::deviations::Needed::ObligationOpen(r) => {
                        t(lang, &format!("dev-regime-{}", dash(r)), &[])
                    }
                    vakt_core::deviations::Needed::Reason => t(lang, "dev-need-reason", &[]),
                })
                .collect();
            AppError::invalid("dev-err-missing").with_arg("missing", items.join(", "))
        }
    }
}

/// `POST /deviations/{id}/transition`.
pub async fn transition(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<TransitionForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let action = match form.action.as_str() {
        "start_triage" => CaseAction::StartTriage,
        "start_investigation" => CaseAction::StartInvestigation,
        "plan_measures" => CaseAction::PlanMeasures,
        "close" => CaseAction::Close,
        "dismiss" => CaseAction::Dismiss {
            reason: form.reason.clone(),
        },
        "reopen" => CaseAction::Reopen {
            reason: form.reason.clone(),
        },
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    let tenant = user.tenant.clone();
    let cfg = st.db().dev_config(tenant.id).await?;
    let measures = st.db().dev_measures(tenant.id, case.id).await?;
    let obligations = obligation_states(&st, &tenant, &cfg, case.id).await?;
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
    let to = check_transition(&facts, &action).map_err(|e| transition_error(user.lang(), &e))?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let reason = matches!(
        action,
        CaseAction::Dismiss { .. } | CaseAction::Reopen { .. }
    )
    .then_some(form.reason.as_str());
    tx.set_dev_state(case.id, case.state, to, reason).await?;
    match to {
        // An open investigation holds the case's audit events and evidence.
        CaseState::Investigation => {
            tx.hold_dev_case(case.id, &format!("deviation {}", case.number))
                .await?;
        }
        CaseState::Closed => tx.release_dev_case_hold(case.id).await?,
        _ => {}
    }
    tx.commit().await?;
    refresh_due(&st, &tenant, case.id).await?;
    Ok(back(&case, "state"))
}

#[derive(Debug, Default, Deserialize)]
pub struct UpdateForm {
    #[serde(default)]
    field: String,
    #[serde(default)]
    value: String,
    #[serde(default)]
    consequence: String,
    #[serde(default)]
    likelihood: String,
    #[serde(default)]
    basis: String,
}

/// `POST /deviations/{id}/update`: one field of the working record (`field` names it).
pub async fn update(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<UpdateForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let tenant = user.tenant.clone();
    let cal = calendar(&user.settings);
    let change = match form.field.as_str() {
        "assignee" => {
            let v = form.value.trim();
            if v.is_empty() {
                CaseChange::Assign(None)
            } else if v == "me" {
                CaseChange::Assign(Some(
                    user.person
                        .as_ref()
                        .map(|p| p.id)
                        .ok_or_else(|| AppError::invalid("dev-err-no-person"))?,
                ))
            } else {
                let p = st
                    .db()
                    .person_by_employee_number(tenant.id, v)
                    .await?
                    .ok_or_else(|| AppError::invalid("dev-err-unknown-person"))?;
                CaseChange::Assign(Some(p.id))
            }
        }
        "category" => CaseChange::Category(
            uuid::Uuid::parse_str(form.value.trim())
                .map_err(|_| AppError::invalid("dev-err-choice"))?,
        ),
        "severity" => CaseChange::Severity(Some(parse_enum::<Severity>(&form.value)?)),
        "risk" => CaseChange::Risk(
            parse_enum::<Consequence>(&form.consequence)?,
            parse_enum::<Likelihood>(&form.likelihood)?,
        ),
        "lessons" => CaseChange::Lessons(form.value.clone()),
        "secrecy" => CaseChange::Secrecy(parse_enum::<Secrecy>(&form.value)?, form.basis.clone()),
        "aware_at" => CaseChange::AwareAt(parse_local(&cal, &form.value).ok_or_else(|| {
            AppError::invalid("dev-err-time")
                .with_arg("field", t(user.lang(), "dev-field-aware", &[]))
        })?),
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    if matches!(change, CaseChange::Secrecy(..) | CaseChange::AwareAt(_)) {
        user.authorize_tenant(Action::ManageBreach)?;
    }
    let serious = matches!(change, CaseChange::Severity(Some(Severity::Serious)));
    let cfg = st.db().dev_config(tenant.id).await?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let updated = tx.change_dev_case(case.id, change).await?;
    if serious {
        // A serious severity starts the regimes a tenant attaches to it (e.g. the on-duty line).
        let start = obligations_for(&tenant, &cfg, Trigger::SeriousSeverity, updated.aware_at);
        if !start.is_empty() {
            tx.flag_dev_case(case.id, None, None, &start).await?;
        }
    }
    tx.commit().await?;
    refresh_due(&st, &tenant, case.id).await?;
    Ok(back(&case, "fields"))
}

#[derive(Debug, Default, Deserialize)]
pub struct ChecklistForm {
    #[serde(default)]
    key: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    text: String,
}

/// `POST /deviations/{id}/checklist`: one answer.
pub async fn checklist(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<ChecklistForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let q = INVESTIGATION_CHECKLIST
        .iter()
        .find(|q| q.key == form.key)
        .ok_or_else(|| AppError::invalid("dev-err-choice"))?;
    let answer = match q.kind {
        AnswerKind::YesNoUnknown => match form.answer.as_str() {
            "yes" => Answer::Yes,
            "no" => Answer::No,
            "unknown" => Answer::Unknown,
            _ => return Err(AppError::invalid("dev-err-choice")),
        },
        AnswerKind::Choice(_) => Answer::Choice(form.answer.clone()),
        AnswerKind::Text => Answer::Text(form.text.trim().to_owned()),
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.change_dev_case(case.id, CaseChange::Answer(q.key.to_owned(), answer))
        .await?;
    tx.commit().await?;
    Ok(back(&case, "checklist"))
}

#[derive(Debug, Default, Deserialize)]
pub struct TextForm {
    #[serde(default)]
    body: String,
}

/// `POST /deviations/{id}/comments`.
pub async fn comment(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<TextForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let body =
        crate::extract::text_field(&form.body, "dev-field-comment", 20_000, true, user.lang())?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.add_dev_comment(case.id, &body).await?;
    tx.commit().await?;
    Ok(back(&case, "comments"))
}

#[derive(Debug, Default, Deserialize)]
pub struct LinkForm {
    #[serde(default)]
    number: String,
}

/// `POST /deviations/{id}/links`: link to another case by its number.
pub async fn link(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<LinkForm>,
) -> Result<Response, AppError> {
    let (case, units) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let n: i64 = form
        .number
        .trim()
        .trim_start_matches('#')
        .parse()
        .map_err(|_| AppError::invalid("dev-err-unknown-case"))?;
    // Look the other case up by number among those the user may see.
    let (list, _) = st
        .db()
        .dev_cases(
            user.tenant_id(),
            &CaseFilter {
                text: None,
                limit: 500,
                ..CaseFilter::default()
            },
        )
        .await?;
    let other = match list.into_iter().find(|c| c.number == n) {
        Some(o) => o,
        None => return Err(AppError::invalid("dev-err-unknown-case")),
    };
    user.authorize(
        Action::ViewDeviations,
        &super::case_resource(&user, &units, other.unit),
    )?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.link_dev_cases(case.id, other.id).await?;
    tx.commit().await?;
    Ok(back(&case, "links"))
}

#[derive(Debug, Default, Deserialize)]
pub struct MeasureForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    due: String,
}

/// `POST /deviations/{id}/measures`: a task with owner (employee number) and due date.
pub async fn add_measure(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<MeasureForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let lang = user.lang();
    let title = crate::extract::text_field(&form.title, "dev-field-measure", 200, true, lang)?;
    let owner = if form.owner.trim() == "me" {
        user.person
            .clone()
            .ok_or_else(|| AppError::invalid("dev-err-no-person"))?
    } else {
        st.db()
            .person_by_employee_number(user.tenant_id(), form.owner.trim())
            .await?
            .ok_or_else(|| AppError::invalid("dev-err-unknown-person"))?
    };
    let cal = calendar(&user.settings);
    let due = if form.due.trim().is_empty() {
        None
    } else {
        // A date is due at the end of that local day; a date-time as given.
        let d = form.due.trim();
        let v = if d.len() == 10 {
            format!("{d}T23:59")
        } else {
            d.to_owned()
        };
        Some(parse_local(&cal, &v).ok_or_else(|| {
            AppError::invalid("dev-err-time").with_arg("field", t(lang, "dev-field-due", &[]))
        })?)
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.add_dev_measure(case.id, &title, owner.id, due).await?;
    tx.commit().await?;
    refresh_due(&st, &user.tenant, case.id).await?;
    Ok(back(&case, "measures"))
}

#[derive(Debug, Default, Deserialize)]
pub struct SettleForm {
    #[serde(default)]
    measure: String,
    #[serde(default)]
    waive_reason: String,
    #[serde(default)]
    op: String,
}

/// `POST /deviations/{id}/measures/settle`: done, or waived with a reason.
pub async fn settle_measure(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<SettleForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let m = uuid::Uuid::parse_str(form.measure.trim())
        .map(vakt_core::deviations::MeasureId)
        .map_err(|_| AppError::invalid("dev-err-choice"))?;
    if user.person.is_none() {
        return Err(AppError::invalid("dev-err-no-person"));
    }
    let waive = match form.op.as_str() {
        "done" => None,
        "waive" => Some(form.waive_reason.as_str()),
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.settle_dev_measure(case.id, m, waive).await?;
    tx.commit().await?;
    refresh_due(&st, &user.tenant, case.id).await?;
    Ok(back(&case, "measures"))
}

// ---------- breaches and obligations ----------

#[derive(Debug, Default, Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    flag: String,
    #[serde(default)]
    value: String,
}

/// `POST /deviations/{id}/flags`: personal-data breach or significant incident, on or off.
/// Switching one on starts the regimes it triggers, counting from the moment of awareness.
pub async fn flags(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<FlagForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::ManageBreach).await?;
    let on = match form.value.as_str() {
        "on" => true,
        "off" => false,
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    let tenant = user.tenant.clone();
    let cfg = st.db().dev_config(tenant.id).await?;
    let (breach, significant, trigger) = match form.flag.as_str() {
        "breach" => (Some(on), None, Trigger::PersonalDataBreach),
        "significant" => (None, Some(on), Trigger::SignificantIncident),
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    let start = if on {
        obligations_for(&tenant, &cfg, trigger, case.aware_at)
    } else {
        Vec::new()
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    let flagged = tx
        .flag_dev_case(case.id, breach, significant, &start)
        .await?;
    if on {
        // The DPO is involved in every breach; a significant incident alerts the named roles.
        super::notify::on_flag(&st, &mut tx, &tenant, &flagged, significant.is_some()).await?;
    }
    tx.commit().await?;
    refresh_due(&st, &tenant, case.id).await?;
    Ok(back(&case, "obligations"))
}

#[derive(Debug, Default, Deserialize)]
pub struct ObligationForm {
    #[serde(default)]
    regime: String,
    #[serde(default)]
    op: String,
    #[serde(default)]
    ground: String,
    #[serde(default)]
    reasoning: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    delay_reasons: String,
}

fn obligation_error(e: &ObligationError) -> AppError {
    let key = match e {
        ObligationError::ReasoningRequired => "dev-err-reasoning-required",
        ObligationError::AlreadySubmitted => "dev-err-already-submitted",
        ObligationError::DecidedNotRequired => "dev-err-decided-not-required",
        ObligationError::UnknownPhase(_) => "dev-err-choice",
        ObligationError::PhaseAlreadyStarted => "dev-err-phase-started",
        ObligationError::NoInitialReport => "dev-err-no-initial",
        ObligationError::PhaseClosed => "dev-err-phase-closed",
        ObligationError::DelayReasonsRequired => "dev-err-delay-reasons",
        ObligationError::SubmittedInFuture => "dev-err-future",
        ObligationError::WrongRegime | ObligationError::Deadline(_) => "dev-err-choice",
    };
    AppError::invalid(key)
}

/// `POST /deviations/{id}/obligations`: a decision (notify / not required with reasoning) or a
/// submission (phase, kind, time, channel, the authority's reference, delay reasons if late).
pub async fn obligation(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<ObligationForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::ManageBreach).await?;
    let tenant = user.tenant.clone();
    let cfg = st.db().dev_config(tenant.id).await?;
    let regimes = regimes(&tenant, &cfg);
    let stored = st
        .db()
        .dev_obligations(tenant.id, case.id)
        .await?
        .into_iter()
        .find(|o| o.obligation.regime == form.regime)
        .ok_or_else(|| AppError::invalid("dev-err-choice"))?;
    let regime = regimes
        .get(&form.regime)
        .ok_or_else(|| AppError::invalid("dev-err-choice"))?;
    let by = user
        .person
        .as_ref()
        .map(|p| p.id)
        .ok_or_else(|| AppError::invalid("dev-err-no-person"))?;
    let cal = calendar(&user.settings);
    let now = st.now();
    let mut o = stored.obligation.clone();
    match form.op.as_str() {
        "notify" => o.decide_notify(regime, by, now),
        "not_required" => {
            let ground: NotRequiredGround = parse_enum(&form.ground)?;
            o.decide_not_required(regime, ground, &form.reasoning, by, now)
        }
        "submit" => {
            let at = if form.at.trim().is_empty() {
                now
            } else {
                parse_local(&cal, &form.at).ok_or_else(|| {
                    AppError::invalid("dev-err-time")
                        .with_arg("field", t(user.lang(), "dev-field-sent-at", &[]))
                })?
            };
            let kind: SubmissionKind = parse_enum(&form.kind)?;
            let channel = crate::extract::text_field(
                &form.channel,
                "dev-field-channel",
                200,
                true,
                user.lang(),
            )?;
            let submission = Submission {
                phase: form.phase.trim().to_owned(),
                kind,
                at,
                by,
                channel,
                authority_reference: Some(form.reference.trim().to_owned())
                    .filter(|s| !s.is_empty()),
                delay_reasons: Some(form.delay_reasons.trim().to_owned()).filter(|s| !s.is_empty()),
            };
            o.record_submission(regime, submission, now, &cal)
        }
        _ => return Err(AppError::invalid("dev-err-choice")),
    }
    .map_err(|e| obligation_error(&e))?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.save_dev_obligation(case.id, &o).await?;
    tx.commit().await?;
    refresh_due(&st, &tenant, case.id).await?;
    Ok(back(&case, "obligations"))
}

#[derive(Debug, Default, Deserialize)]
pub struct DraftForm {
    #[serde(default)]
    controller_name: String,
    #[serde(default)]
    controller_org: String,
    #[serde(default)]
    confidentiality: Option<String>,
    #[serde(default)]
    integrity: Option<String>,
    #[serde(default)]
    availability: Option<String>,
    #[serde(default)]
    description: String,
    #[serde(default)]
    cause: String,
    #[serde(default)]
    subject_categories: String,
    #[serde(default)]
    subjects_low: String,
    #[serde(default)]
    subjects_high: String,
    #[serde(default)]
    data_categories: String,
    #[serde(default)]
    special: Option<String>,
    #[serde(default)]
    records_low: String,
    #[serde(default)]
    records_high: String,
    #[serde(default)]
    consequences: String,
    #[serde(default)]
    measures_taken: String,
    #[serde(default)]
    measures_proposed: String,
    #[serde(default)]
    dpo_name: String,
    #[serde(default)]
    dpo_email: String,
    #[serde(default)]
    dpo_phone: String,
    #[serde(default)]
    phased: Option<String>,
    #[serde(default)]
    delay_reasons: String,
    #[serde(default)]
    save: String,
}

fn approx(low: &str, high: &str) -> Result<Option<Approx>, AppError> {
    let (l, h) = (low.trim(), high.trim());
    if l.is_empty() && h.is_empty() {
        return Ok(None);
    }
    let p = |s: &str| {
        s.parse::<u64>()
            .map_err(|_| AppError::invalid("dev-err-number"))
    };
    let low = if l.is_empty() { p(h)? } else { p(l)? };
    let high = if h.is_empty() { low } else { p(h)? };
    if high < low {
        return Err(AppError::invalid("dev-err-number"));
    }
    Ok(Some(Approx { low, high }))
}

fn list(s: &str) -> Vec<String> {
    s.split([',', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `POST /deviations/{id}/draft`: saves the breach notification draft.
pub async fn save_draft(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(f): VForm<DraftForm>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::ManageBreach).await?;
    if f.save != "1" {
        return Err(AppError::invalid("dev-err-choice"));
    }
    let mut d = draft_from(&case);
    d.controller = Controller {
        name: f.controller_name.trim().to_owned(),
        org_number: f.controller_org.trim().to_owned(),
        address: d.controller.address.clone(),
    };
    d.nature = BreachNature {
        confidentiality: f.confidentiality.is_some(),
        integrity: f.integrity.is_some(),
        availability: f.availability.is_some(),
    };
    d.description = f.description.trim().to_owned();
    d.cause = f.cause.trim().to_owned();
    d.data_subject_categories = list(&f.subject_categories);
    d.approx_data_subjects = approx(&f.subjects_low, &f.subjects_high)?;
    d.data_categories = list(&f.data_categories);
    d.special_categories = f.special.is_some();
    d.approx_records = approx(&f.records_low, &f.records_high)?;
    d.likely_consequences = f.consequences.trim().to_owned();
    d.measures_taken = f.measures_taken.trim().to_owned();
    d.measures_proposed = f.measures_proposed.trim().to_owned();
    d.dpo_contact = Contact {
        name: f.dpo_name.trim().to_owned(),
        email: f.dpo_email.trim().to_owned(),
        phone: f.dpo_phone.trim().to_owned(),
    };
    d.phased = f.phased.is_some();
    d.delay_reasons = f.delay_reasons.trim().to_owned();
    let json = serde_json::to_string(&d).map_err(|e| AppError::internal(e.to_string()))?;
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.change_dev_case(case.id, CaseChange::BreachDraft(json))
        .await?;
    tx.commit().await?;
    Ok(back(&case, "draft"))
}

/// The case, the authority's form shape, the filled-in draft and whether the notification is late.
async fn draft_context(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<
    (
        Case,
        &'static vakt_core::deviations::FormShape,
        BreachNotificationDraft,
        bool,
    ),
    AppError,
> {
    let (case, _) = load_case(st, user, id, Action::ManageBreach).await?;
    let tenant = user.tenant.clone();
    let cfg = st.db().dev_config(tenant.id).await?;
    let regimes = regimes(&tenant, &cfg);
    let regime = regimes
        .get("gdpr_authority")
        .ok_or_else(AppError::not_found)?;
    let shape = regime
        .form
        .as_deref()
        .and_then(form_shape)
        .ok_or_else(AppError::not_found)?;
    let cal = calendar(&user.settings);
    let late = st
        .db()
        .dev_obligations(tenant.id, case.id)
        .await?
        .into_iter()
        .find(|o| o.obligation.regime == regime.key)
        .and_then(|o| o.obligation.status(regime, st.now(), &cal).ok())
        .is_some_and(|s| {
            s.phases
                .iter()
                .any(|p| p.late || p.running.as_ref().is_some_and(|r| r.is_overdue()))
        });
    let draft = filled_draft(&case, &draft_from(&case));
    Ok((case, shape, draft, late))
}

/// `GET /deviations/{id}/draft.json`: the notification draft laid out like the authority's form.
pub async fn draft_json(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (case, shape, draft, late) = draft_context(&st, &user, &id).await?;
    let filled = shape.fill(&draft, late);
    let body = serde_json::json!({
        "case": case.number,
        "language": user.lang().code(),
        "form": filled,
        "labels": shape.fields.iter().map(|f| (f.key, draft_label(user.lang(), f.source))).collect::<std::collections::BTreeMap<_, _>>(),
    });
    let mut resp = Json(body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_DISPOSITION,
        header::HeaderValue::from_static("attachment; filename=\"breach-notification.json\""),
    );
    Ok(resp)
}

fn draft_label(lang: Lang, f: vakt_core::deviations::DraftField) -> String {
    t(lang, &format!("dev-draft-{}", dash(&code(&f))), &[])
}

/// An approximate number as people write it: `20` or `20–30`; empty when unknown.
fn approx_range(a: Option<Approx>) -> String {
    match a {
        Some(a) if a.low == a.high => a.low.to_string(),
        Some(a) => format!("{}–{}", a.low, a.high),
        None => String::new(),
    }
}

/// A draft field as text for a person to read (and to copy into the authority's form): times in
/// the tenant's time zone, lists joined, yes/no in the reader's language. Empty when not filled in.
fn draft_field_text(
    lang: Lang,
    cal: &vakt_core::deadline::TenantCalendar,
    d: &BreachNotificationDraft,
    f: vakt_core::deviations::DraftField,
) -> String {
    use vakt_core::deviations::{DraftField as F, SubjectsInformed};
    let yes_no = |b: bool| {
        t(
            lang,
            if b { "dev-answer-yes" } else { "dev-answer-no" },
            &[],
        )
    };
    let when =
        |at: Option<time::OffsetDateTime>| at.map(|a| local_time(cal, a)).unwrap_or_default();
    let list = |v: &[String]| {
        v.iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match f {
        F::ControllerName => d.controller.name.clone(),
        F::ControllerOrgNumber => d.controller.org_number.clone(),
        F::ControllerAddress => d.controller.address.clone(),
        F::OwnReference => d.own_reference.clone(),
        F::Nature => [
            (d.nature.confidentiality, "dev-nature-confidentiality"),
            (d.nature.integrity, "dev-nature-integrity"),
            (d.nature.availability, "dev-nature-availability"),
        ]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(|(_, k)| t(lang, k, &[]))
        .collect::<Vec<_>>()
        .join(", "),
        F::Description => d.description.clone(),
        F::Cause => d.cause.clone(),
        F::OccurredFrom => when(d.occurred_from),
        F::OccurredTo => when(d.occurred_to),
        F::DiscoveredAt => when(d.discovered_at),
        F::AwareAt => when(d.aware_at),
        F::DataSubjectCategories => list(&d.data_subject_categories),
        F::ApproxDataSubjects => approx_range(d.approx_data_subjects),
        F::DataCategories => list(&d.data_categories),
        F::SpecialCategories => yes_no(d.special_categories),
        F::ApproxRecords => approx_range(d.approx_records),
        F::DataLocation => d.data_location.clone(),
        F::LikelyConsequences => d.likely_consequences.clone(),
        F::SeverityForSubjects => d.severity_for_subjects.clone(),
        F::MeasuresTaken => d.measures_taken.clone(),
        F::MeasuresProposed => d.measures_proposed.clone(),
        F::DpoContact => [
            d.dpo_contact.name.as_str(),
            d.dpo_contact.email.as_str(),
            d.dpo_contact.phone.as_str(),
        ]
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", "),
        F::SubjectsInformed => match &d.subjects_informed {
            SubjectsInformed::Undecided => String::new(),
            SubjectsInformed::Informed { at, how } => t(
                lang,
                "dev-informed-done",
                &[
                    ("at", local_time(cal, *at).into()),
                    ("how", how.as_str().into()),
                ],
            ),
            SubjectsInformed::Planned { when, how } => t(
                lang,
                "dev-informed-planned",
                &[
                    ("at", local_time(cal, *when).into()),
                    ("how", how.as_str().into()),
                ],
            ),
            SubjectsInformed::NotInformed { reasons } => t(
                lang,
                "dev-informed-not",
                &[("reasons", reasons.as_str().into())],
            ),
        },
        F::Phased => yes_no(d.phased),
        F::CrossBorder => yes_no(d.cross_border),
        F::DelayReasons => d.delay_reasons.clone(),
        F::SecrecyNote => d.secrecy_note.clone(),
    }
    .trim()
    .to_owned()
}

/// `GET /deviations/{id}/draft.pdf`: the notification draft as a PDF in the reader's language,
/// field by field in the authority's order, with what is still missing — for the DPO to file and
/// to copy into the authority's portal. The export is recorded.
pub async fn draft_pdf(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
) -> Result<Response, AppError> {
    let (case, shape, draft, late) = draft_context(&st, &user, &id).await?;
    let lang = user.lang();
    let cal = calendar(&user.settings);
    let filled = shape.fill(&draft, late);
    let empty = t(lang, "dev-draft-pdf-empty", &[]);
    let mut lines: Vec<crate::instructions::receipt::ReceiptLine> = shape
        .fields
        .iter()
        .map(|f| {
            let v = draft_field_text(lang, &cal, &draft, f.source);
            crate::instructions::receipt::ReceiptLine {
                label: draft_label(lang, f.source),
                value: if v.is_empty() { empty.clone() } else { v },
            }
        })
        .collect();
    if !filled.missing.is_empty() {
        let missing = shape
            .fields
            .iter()
            .filter(|f| filled.missing.contains(&f.key))
            .map(|f| draft_label(lang, f.source))
            .collect::<Vec<_>>()
            .join(", ");
        lines.push(crate::instructions::receipt::ReceiptLine {
            label: t(lang, "dev-draft-missing", &[]),
            value: missing,
        });
    }
    let pdf = crate::instructions::receipt::receipt_pdf(
        &t(
            lang,
            "dev-draft-pdf-title",
            &[("authority", shape.authority.into())],
        ),
        &t(
            lang,
            "dev-draft-pdf-intro",
            &[
                ("number", case.number.to_string().into()),
                ("portal", shape.portal.into()),
            ],
        ),
        &lines,
        &t(
            lang,
            "dev-draft-pdf-footer",
            &[("at", local_time(&cal, st.now()).into())],
        ),
    );
    st.db()
        .record_event(
            &user.audit_ctx(ip),
            vakt_core::audit::EventDraft::new(
                vakt_core::audit::AuditClass::Usage,
                "deviation.draft.export",
                "deviation",
                case.id,
            )
            .after("pdf"),
        )
        .await?;
    Ok(crate::instructions::file_download(
        pdf,
        "application/pdf",
        &format!("breach-notification-{}.pdf", case.number),
    ))
}

#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    #[serde(default)]
    personal: String,
}

/// `GET /deviations/{id}/export.json`: the case for disclosure. Personal data (the reporter's
/// identity, names in affected things and comments' authors) is left out unless asked for with
/// `?personal=1` by someone allowed to; exempt attachments are listed without content.
pub async fn export_json(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    crate::extract::VQuery(q): crate::extract::VQuery<ExportQuery>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::ViewDeviations).await?;
    let personal = q.personal == "1";
    if personal {
        user.authorize_tenant(Action::ExportDeviationPersonalData)?;
    }
    let db = st.db();
    let tenant = user.tenant_id();
    let affected: Vec<serde_json::Value> = db
        .dev_affected(tenant, case.id)
        .await?
        .into_iter()
        .map(|a| {
            if !personal && a.kind == vakt_store::AffectedKind::Person {
                serde_json::json!({"kind": a.kind, "label": "[personal data removed]"})
            } else {
                serde_json::json!({"kind": a.kind, "label": a.label})
            }
        })
        .collect();
    let comments: Vec<serde_json::Value> = db
        .dev_comments(tenant, case.id)
        .await?
        .into_iter()
        .map(|c| {
            serde_json::json!({
                "at": super::rfc3339(c.at),
                "author": if personal { c.author_label } else { String::new() },
                "body": c.body,
            })
        })
        .collect();
    let reporter = if personal && !case.anonymous {
        person_name(&st, &user, case.reporter_person).await
    } else {
        String::new()
    };
    let body = serde_json::json!({
        "number": case.number,
        "title": case.title,
        "description": case.description,
        "state": case.state,
        "severity": case.severity,
        "secrecy": case.secrecy,
        "secrecy_basis": case.secrecy_basis,
        "reported_at": super::rfc3339(case.reported_at),
        "aware_at": super::rfc3339(case.aware_at),
        "personal_data_breach": case.is_breach,
        "significant_incident": case.significant,
        "reporter": reporter,
        "personal_data_included": personal,
        "affected": affected,
        "comments": comments,
        "lessons_learned": case.lessons_learned,
        "reported_sha256": case.reported_hash,
    });
    // An export is usage worth recording.
    db.record_event(
        &user.audit_ctx(ip),
        vakt_core::audit::EventDraft::new(
            vakt_core::audit::AuditClass::Usage,
            "deviation.export",
            "deviation",
            case.id,
        )
        .after(format!("personal={personal}")),
    )
    .await?;
    Ok(Json(body).into_response())
}

// ---------- breach register ----------

pub struct BreachRow {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub flagged: String,
    pub state: String,
    pub authority: String,
    pub reasoning: String,
    pub subjects: String,
}

#[derive(Template)]
#[template(path = "deviations/breaches.html")]
struct BreachesPage {
    page: Page,
    rows: Vec<BreachRow>,
    total: i64,
    prev: Option<String>,
    next: Option<String>,
}

/// Rows per page of the breach register.
const BREACH_PAGE: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct RegisterQuery {
    #[serde(default)]
    page: u64,
}

/// `GET /deviations/breaches?page=N`: every personal-data breach, newest first, including those not
/// notified with the reasoning (Art. 33(5)) — a page of 100 in three queries.
pub async fn breach_register(
    user: CurrentUser,
    State(st): State<AppState>,
    crate::extract::VQuery(q): crate::extract::VQuery<RegisterQuery>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ViewBreachRegister)?;
    let lang = user.lang();
    let tenant = user.tenant.clone();
    let cfg = st.db().dev_config(tenant.id).await?;
    let regimes = regimes(&tenant, &cfg);
    let cal = calendar(&user.settings);
    let now = st.now();
    let page_no = q.page.min(100_000);
    let (list, total) = st
        .db()
        .dev_cases(
            tenant.id,
            &CaseFilter {
                breach_only: true,
                limit: BREACH_PAGE,
                offset: page_no * u64::from(BREACH_PAGE),
                ..CaseFilter::default()
            },
        )
        .await?;
    let ids: Vec<vakt_core::deviations::CaseId> = list.iter().map(|c| c.id).collect();
    let cases: std::collections::HashMap<_, _> = st
        .db()
        .dev_cases_by_id(tenant.id, &ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let mut obligations: std::collections::HashMap<_, Vec<_>> = std::collections::HashMap::new();
    for (case, o) in st
        .db()
        .dev_obligations_of(tenant.id, "gdpr_authority", &ids)
        .await?
    {
        obligations.entry(case).or_default().push(o);
    }
    let mut out = Vec::new();
    for c in list {
        let Some(case) = cases.get(&c.id) else {
            continue;
        };
        let mut authority = String::new();
        let mut reasoning = String::new();
        for o in obligations.get(&c.id).map(Vec::as_slice).unwrap_or(&[]) {
            if let Some(r) = regimes.get(&o.obligation.regime)
                && let Ok(s) = o.obligation.status(r, now, &cal)
            {
                authority = t(lang, &format!("dev-ostate-{}", dash(&code(&s.state))), &[]);
                if s.phases.iter().any(|p| p.late) {
                    authority.push_str(&format!(" ({})", t(lang, "dev-late", &[])));
                }
            }
            if let Some(vakt_core::deviations::Decision::NotRequired { reasoning: r, .. }) =
                &o.obligation.decision
            {
                reasoning = r.clone();
            }
        }
        let d = draft_from(case);
        out.push(BreachRow {
            id: c.id.to_string(),
            number: c.number,
            title: c.title,
            flagged: case
                .breach_flagged_at
                .map(|t| local_time(&cal, t))
                .unwrap_or_default(),
            state: state_label(lang, c.state),
            authority,
            reasoning,
            subjects: approx_range(d.approx_data_subjects),
        });
    }
    let link = |p: u64| format!("/deviations/breaches?page={p}");
    let prev = (page_no > 0).then(|| link(page_no - 1));
    let next = ((page_no + 1) * u64::from(BREACH_PAGE) < u64::try_from(total).unwrap_or(0))
        .then(|| link(page_no + 1));
    let page = user.page("dev-breaches-title", "/deviations/breaches");
    render(&BreachesPage {
        page,
        rows: out,
        total,
        prev,
        next,
    })
}

// ---------- settings ----------

#[derive(Template)]
#[template(path = "deviations/settings.html")]
struct SettingsPage {
    page: Page,
    cfg: DevConfig,
    link: String,
    /// Webhook posts are signed (a secret is set).
    signed: bool,
    /// A secret just made: shown this once.
    new_secret: Option<String>,
}

async fn settings_page(
    st: &AppState,
    user: &CurrentUser,
    new_secret: Option<String>,
) -> Result<Response, AppError> {
    let cfg = st.db().dev_config(user.tenant_id()).await?;
    let link = match (&cfg.anonymous_token, cfg.anonymous_enabled) {
        (Some(tok), true) => format!("/anonymous/{tok}"),
        _ => String::new(),
    };
    let signed = st
        .db()
        .dev_webhook_secret(user.tenant_id())
        .await?
        .is_some();
    let page = user.page("dev-settings-title", "/deviations/settings");
    render(&SettingsPage {
        page,
        cfg,
        link,
        signed,
        new_secret,
    })
}

/// `GET /deviations/settings`.
pub async fn settings_form(
    user: CurrentUser,
    State(st): State<AppState>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ConfigureDeviations)?;
    settings_page(&st, &user, None).await
}

#[derive(Debug, Default, Deserialize)]
pub struct SecretForm {
    #[serde(default)]
    action: String,
}

/// `POST /deviations/settings/webhook-secret`: `action=new` makes a new signing secret (shown once,
/// stored sealed; the old one stops signing at once), `action=remove` sends posts unsigned.
pub async fn webhook_secret(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VForm(f): VForm<SecretForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ConfigureDeviations)?;
    let secret = match f.action.as_str() {
        "new" => Some(format!(
            "whsec_{}",
            vakt_core::auth::token::new_token().plain
        )),
        "remove" => None,
        _ => return Err(AppError::invalid("dev-err-choice")),
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.set_dev_webhook_secret(secret.as_deref()).await?;
    tx.commit().await?;
    match secret {
        Some(s) => settings_page(&st, &user, Some(s)).await,
        None => Ok(Redirect::to("/deviations/settings").into_response()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsForm {
    #[serde(default)]
    anonymous: Option<String>,
    #[serde(default)]
    triage_hours: String,
    #[serde(default)]
    stats_threshold: String,
    #[serde(default)]
    regimes_toml: String,
    #[serde(default)]
    webhook: String,
    #[serde(default)]
    on_duty: String,
}

/// `POST /deviations/settings`.
pub async fn settings_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VForm(f): VForm<SettingsForm>,
) -> Result<Response, AppError> {
    user.authorize_tenant(Action::ConfigureDeviations)?;
    let triage_hours: i64 = f
        .triage_hours
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("dev-err-number"))?;
    let stats_threshold: i64 = f
        .stats_threshold
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("dev-err-number"))?;
    if !f.regimes_toml.trim().is_empty() {
        vakt_core::deviations::RegimeSet::from_toml(&f.regimes_toml)
            .map_err(|e| AppError::invalid("dev-err-regimes").with_arg("detail", e.to_string()))?;
    }
    let webhook = f.webhook.trim();
    if !webhook.is_empty()
        && !crate::webhook::url_allowed(webhook, crate::webhook::Reach::of(st.config()))
    {
        return Err(AppError::invalid("dev-err-webhook"));
    }
    let mut cfg = st.db().dev_config(user.tenant_id()).await?;
    cfg.anonymous_enabled = f.anonymous.is_some();
    if cfg.anonymous_enabled && cfg.anonymous_token.is_none() {
        cfg.anonymous_token = Some(vakt_core::auth::token::new_token().plain);
    }
    cfg.triage_hours = triage_hours;
    cfg.stats_threshold = stats_threshold;
    cfg.regimes_toml = f.regimes_toml.trim().to_owned();
    cfg.escalation_webhook = Some(webhook.to_owned()).filter(|s| !s.is_empty());
    let on_duty = f.on_duty.trim();
    if !on_duty.is_empty() && on_duty.parse::<crate::mail::Mailbox>().is_err() {
        return Err(AppError::invalid("dev-err-on-duty"));
    }
    cfg.on_duty_email = Some(on_duty.to_owned()).filter(|s| !s.is_empty());
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.ensure_dev_categories().await?;
    tx.set_dev_config(&cfg).await?;
    tx.commit().await?;
    Ok(Redirect::to("/deviations/settings").into_response())
}

// ---------------------------------------------------------------------------------------------------------
// Attachments (evidence: screenshots, logs, a mis-sent message, the authority's receipt)

/// The largest upload accepted on the attachment route (the file limit plus form overhead).
pub const UPLOAD_LIMIT: usize = vakt_store::MAX_ATTACHMENT_BYTES + 64 * 1024;

/// `POST /deviations/{id}/attachments?csrf=…` (multipart: `file`, `secrecy`, `basis`). The type is
/// taken from the file name and must match the bytes; an exempt or partly exempt file needs its
/// legal basis.
pub async fn attachment_upload(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, AppError> {
    let (case, _) = load_case(&st, &user, &id, Action::HandleDeviation).await?;
    let mut multipart = multipart.map_err(|_| AppError::bad_request("dev-err-upload"))?;
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut secrecy = String::new();
    let mut basis = String::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(AppError::bad_request("dev-err-upload")),
        };
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_string();
                let data = field.bytes().await.map_err(|_| AppError::too_large())?;
                file = Some((name, data.to_vec()));
            }
            Some("secrecy") => {
                secrecy = field
                    .text()
                    .await
                    .map_err(|_| AppError::bad_request("dev-err-upload"))?;
            }
            Some("basis") => {
                basis = field
                    .text()
                    .await
                    .map_err(|_| AppError::bad_request("dev-err-upload"))?;
            }
            _ => {}
        }
    }
    let (name, data) = file.ok_or_else(|| AppError::invalid("dev-err-upload"))?;
    let checked = vakt_core::instructions::check_attachment(&name, &data).map_err(|e| {
        AppError::from(vakt_store::StoreError::Invalid(
            vakt_store::attachment_code(e),
        ))
    })?;
    let secrecy: Secrecy = match secrecy.trim() {
        "" => Secrecy::Open,
        s => super::parse_opt(s).ok_or_else(|| AppError::invalid("dev-err-upload"))?,
    };
    let mut tx = st.db().write(&user.audit_ctx(ip)).await?;
    tx.add_dev_attachment(
        case.id,
        vakt_store::NewAttachment {
            name: checked.file_name,
            content_type: checked.content_type.to_owned(),
            data,
            secrecy,
            secrecy_basis: basis,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(back(&case, "attachments"))
}

/// `GET /deviations/{id}/attachments/{aid}`: the file, to whoever may see the case; a file marked
/// exempt or partly exempt only to those who handle the case. Every download is recorded.
pub async fn attachment_download(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath((id, aid)): VPath<(String, String)>,
) -> Result<Response, AppError> {
    let (case, units) = load_case(&st, &user, &id, Action::ViewDeviations).await?;
    let aid = uuid::Uuid::parse_str(&aid).map_err(|_| AppError::not_found())?;
    let (a, data) = st
        .db()
        .dev_attachment_data(user.tenant_id(), case.id, aid)
        .await?
        .ok_or_else(AppError::not_found)?;
    if a.secrecy != Secrecy::Open {
        user.authorize(
            Action::HandleDeviation,
            &super::case_resource(&user, &units, case.unit),
        )?;
    }
    st.db()
        .record_event(
            &user.audit_ctx(ip),
            vakt_core::audit::EventDraft::new(
                vakt_core::audit::AuditClass::Usage,
                "deviation.attachment.download",
                "deviation",
                case.id,
            )
            .after(format!("{} {}", a.id, a.sha256)),
        )
        .await?;
    Ok(crate::instructions::file_download(
        data,
        &a.content_type,
        &a.name,
    ))
}
