//! The tenant's settings page (password policy incl. presets, two-factor requirement, session timeouts,
//! audit retention, languages, time zone) and unit overrides that may only tighten.
//!
//! The rules (ranges, which way is stricter) live in `vakt_core::settings`; this module turns form fields
//! into `Settings` / `UnitOverride`, asks the core, and renders its `SettingError`s in the user's language.

use std::collections::{BTreeSet, HashMap};

use askama::Template;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use uuid::Uuid;

use vakt_core::auth::policy::{CharClass, PasswordPolicy, PasswordPreset};
use vakt_core::authz::{Action, Resource};
use vakt_core::directory::{Language as SLang, OrgUnit, TenantId, UnitId, path_to_root};
use vakt_core::settings::{
    Problem, SettingError, SettingKey, Settings, UnitOverride, effective, validate_override,
};

use crate::{
    AppError, AppState,
    directory::{NoticeParam, may, notice_text, store_error},
    extract::{ClientIp, CurrentUser, VForm, VPath, VQuery},
    i18n::{Arg, Lang, t},
    page::{Page, render},
};

/// The settings routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(tenant_form).post(tenant_submit))
        .route("/settings/units/{id}", get(unit_form).post(unit_submit))
}

/// This module's routes with their method, path and required access (for the route-by-role test).
pub fn route_table() -> Vec<crate::routes::RouteInfo> {
    use crate::routes::{Access::Requires, RouteInfo};
    vec![
        RouteInfo::new("GET", "/settings", Requires(Action::ViewSettings)),
        RouteInfo::new("POST", "/settings", Requires(Action::EditSettings)),
        RouteInfo::new(
            "GET",
            "/settings/units/{id}",
            Requires(Action::ViewSettings),
        ),
        RouteInfo::new(
            "POST",
            "/settings/units/{id}",
            Requires(Action::EditUnitSettings),
        ),
    ]
}

/// The submitted form: every field as text, so that a bad value is shown back as typed.
pub type FormData = HashMap<String, String>;

/// Longest accepted value of one field (characters).
const MAX_FIELD_CHARS: usize = 200;

/// Fluent key of a setting's label: `setting-<code with dots and underscores as dashes>`.
pub fn label_key(key: SettingKey) -> String {
    format!("setting-{}", key.code().replace(['.', '_'], "-"))
}

fn preset_code(p: PasswordPreset) -> &'static str {
    match p {
        PasswordPreset::Modern => "modern",
        PasswordPreset::LengthAndHistory => "length_and_history",
        PasswordPreset::ClassesWithoutNordicLetters => "classes_without_nordic_letters",
        PasswordPreset::Strict => "strict",
    }
}

/// The form field name of a setting.
fn field(key: SettingKey) -> &'static str {
    use SettingKey as K;
    match key {
        K::PasswordMinLength => "password_min_length",
        K::PasswordMaxLength => "password_max_length",
        K::PasswordRequiredClasses => "password_required_classes",
        K::PasswordMinClasses => "password_min_classes",
        K::PasswordForbiddenChars => "password_forbidden_chars",
        K::PasswordRejectPersonalInfo => "password_reject_personal_info",
        K::PasswordRejectCommon => "password_reject_common",
        K::PasswordHistory => "password_history",
        K::PasswordMaxAgeDays => "password_max_age_days",
        K::LockoutMaxFailures => "lockout_max_failures",
        K::LockoutMinutes => "lockout_minutes",
        K::RequireTotp => "require_totp",
        K::SessionIdleMinutes => "session_idle_minutes",
        K::SessionAbsoluteMinutes => "session_absolute_minutes",
        K::RetentionUsageDays => "retention_usage_days",
        K::RetentionMonitoringDays => "retention_monitoring_days",
        K::RetentionSecurityDays => "retention_security_days",
        K::Languages => "languages",
        K::DefaultLanguage => "default_language",
        K::TimeZone => "time_zone",
    }
}

const PASSWORD_KEYS: &[SettingKey] = &[
    SettingKey::PasswordMinLength,
    SettingKey::PasswordMaxLength,
    SettingKey::PasswordRequiredClasses,
    SettingKey::PasswordMinClasses,
    SettingKey::PasswordForbiddenChars,
    SettingKey::PasswordRejectPersonalInfo,
    SettingKey::PasswordRejectCommon,
    SettingKey::PasswordHistory,
    SettingKey::PasswordMaxAgeDays,
    SettingKey::LockoutMaxFailures,
    SettingKey::LockoutMinutes,
];
const SIGNIN_KEYS: &[SettingKey] = &[
    SettingKey::RequireTotp,
    SettingKey::SessionIdleMinutes,
    SettingKey::SessionAbsoluteMinutes,
];
const RETENTION_KEYS: &[SettingKey] = &[
    SettingKey::RetentionUsageDays,
    SettingKey::RetentionMonitoringDays,
    SettingKey::RetentionSecurityDays,
];
const LOCALE_KEYS: &[SettingKey] = &[
    SettingKey::Languages,
    SettingKey::DefaultLanguage,
    SettingKey::TimeZone,
];

fn class_key(c: CharClass) -> String {
    format!("settings-class-{}", c.code())
}

fn lang_of(l: SLang) -> Lang {
    Lang::parse(l.as_str()).unwrap_or_default()
}

/// A setting's value as text, in the form's notation.
fn value_text(s: &Settings, key: SettingKey) -> String {
    use SettingKey as K;
    let p = &s.password;
    match key {
        K::PasswordMinLength => p.min_length.to_string(),
        K::PasswordMaxLength => p.max_length.to_string(),
        K::PasswordRequiredClasses => p
            .required_classes
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(","),
        K::PasswordMinClasses => p.min_classes.to_string(),
        K::PasswordForbiddenChars => p.forbidden_chars.iter().collect(),
        K::PasswordRejectPersonalInfo => bool_text(p.reject_personal_info),
        K::PasswordRejectCommon => bool_text(p.reject_common),
        K::PasswordHistory => p.history.to_string(),
        K::PasswordMaxAgeDays => p.max_age_days.map(|d| d.to_string()).unwrap_or_default(),
        K::LockoutMaxFailures => p.lockout.max_failures.to_string(),
        K::LockoutMinutes => p.lockout.lock_minutes.to_string(),
        K::RequireTotp => bool_text(s.require_totp),
        K::SessionIdleMinutes => s.session_idle_minutes.to_string(),
        K::SessionAbsoluteMinutes => s.session_absolute_minutes.to_string(),
        K::RetentionUsageDays => s.audit_retention.usage_days.to_string(),
        K::RetentionMonitoringDays => s.audit_retention.monitoring_days.to_string(),
        K::RetentionSecurityDays => s.audit_retention.security_days.to_string(),
        K::Languages => s
            .languages
            .iter()
            .map(|l| l.as_str())
            .collect::<Vec<_>>()
            .join(","),
        K::DefaultLanguage => s.default_language.as_str().to_owned(),
        K::TimeZone => s.time_zone.clone(),
    }
}

fn bool_text(b: bool) -> String {
    if b { "on".into() } else { String::new() }
}

/// A setting's value as people read it (for "inherited: …").
fn value_display(s: &Settings, key: SettingKey, lang: Lang) -> String {
    use SettingKey as K;
    match key {
        K::PasswordRejectPersonalInfo | K::PasswordRejectCommon | K::RequireTotp => {
            let on = !value_text(s, key).is_empty();
            t(lang, if on { "settings-yes" } else { "settings-no" }, &[])
        }
        K::PasswordRequiredClasses => {
            let v: Vec<String> = s
                .password
                .required_classes
                .iter()
                .map(|c| t(lang, &class_key(*c), &[]))
                .collect();
            if v.is_empty() {
                t(lang, "settings-none", &[])
            } else {
                v.join(", ")
            }
        }
        K::PasswordForbiddenChars if s.password.forbidden_chars.is_empty() => {
            t(lang, "settings-none", &[])
        }
        K::PasswordMaxAgeDays if s.password.max_age_days.is_none() => {
            t(lang, "settings-never", &[])
        }
        _ => value_text(s, key),
    }
}

/// How a field is drawn.
pub struct FieldView {
    pub name: &'static str,
    pub label: String,
    /// `number`, `text`, `checkbox`, `classes`, `languages`, `select`.
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    /// (name, label, checked) for checkbox groups; (value, label, selected) for selects.
    pub options: Vec<(String, String, bool)>,
    pub inherited: Option<String>,
    pub error: Option<String>,
}

pub struct Section {
    pub title: String,
    pub fields: Vec<FieldView>,
}

fn kind_of(key: SettingKey) -> &'static str {
    use SettingKey as K;
    match key {
        K::PasswordRequiredClasses => "classes",
        K::PasswordRejectPersonalInfo | K::PasswordRejectCommon | K::RequireTotp => "checkbox",
        K::PasswordForbiddenChars | K::TimeZone => "text",
        K::Languages => "languages",
        K::DefaultLanguage => "select",
        _ => "number",
    }
}

/// Builds one field; `current` is what the form shows, `form` (after a failed submit) wins over it.
fn field_view(
    key: SettingKey,
    lang: Lang,
    current: &Settings,
    form: Option<&FormData>,
    inherited: Option<&Settings>,
    errors: &HashMap<SettingKey, String>,
) -> FieldView {
    let name = field(key);
    let kind = kind_of(key);
    let typed = |n: &str| form.map(|f| f.get(n).cloned().unwrap_or_default());
    let value = typed(name).unwrap_or_else(|| {
        if inherited.is_some() {
            String::new()
        } else {
            value_text(current, key)
        }
    });
    let mut options = Vec::new();
    match key {
        SettingKey::PasswordRequiredClasses => {
            for c in CharClass::ALL {
                let n = format!("class_{}", c.code());
                let checked = match form {
                    Some(f) => f.contains_key(&n),
                    None => inherited.is_none() && current.password.required_classes.contains(&c),
                };
                options.push((n, t(lang, &class_key(c), &[]), checked));
            }
        }
        SettingKey::Languages => {
            for l in SLang::ALL {
                let n = format!("lang_{}", l.as_str());
                let checked = match form {
                    Some(f) => f.contains_key(&n),
                    None => current.languages.contains(&l),
                };
                options.push((n, lang_of(l).native_name().to_owned(), checked));
            }
        }
        SettingKey::DefaultLanguage => {
            for l in SLang::ALL {
                options.push((
                    l.as_str().to_owned(),
                    lang_of(l).native_name().to_owned(),
                    value == l.as_str(),
                ));
            }
        }
        _ => {}
    }
    let checked = kind == "checkbox"
        && match form {
            Some(f) => f.contains_key(name),
            None => inherited.is_none() && !value_text(current, key).is_empty(),
        };
    FieldView {
        name,
        label: t(lang, &label_key(key), &[]),
        kind,
        value,
        checked,
        options,
        inherited: inherited.map(|p| {
            t(
                lang,
                "settings-inherited",
                &[("value", Arg::from(value_display(p, key, lang)))],
            )
        }),
        error: errors.get(&key).cloned(),
    }
}

fn sections(
    lang: Lang,
    current: &Settings,
    form: Option<&FormData>,
    inherited: Option<&Settings>,
    errors: &HashMap<SettingKey, String>,
) -> Vec<Section> {
    let groups: [(&str, &[SettingKey]); 4] = [
        ("settings-section-password", PASSWORD_KEYS),
        ("settings-section-signin", SIGNIN_KEYS),
        ("settings-section-retention", RETENTION_KEYS),
        ("settings-section-locale", LOCALE_KEYS),
    ];
    groups
        .iter()
        .map(|(title, keys)| Section {
            title: t(lang, title, &[]),
            fields: keys
                .iter()
                // A unit may override only what has a direction.
                .filter(|k| {
                    inherited.is_none()
                        || k.direction() != vakt_core::settings::Direction::TenantOnly
                })
                .map(|k| field_view(*k, lang, current, form, inherited, errors))
                .collect(),
        })
        .filter(|s| !s.fields.is_empty())
        .collect()
}

/// A translated message for a core settings error.
pub fn error_message(
    lang: Lang,
    e: &SettingError,
    inherited: Option<&Settings>,
) -> (SettingKey, String) {
    match e {
        SettingError::Looser { key, .. } => {
            let shown = inherited
                .map(|p| value_display(p, *key, lang))
                .unwrap_or_default();
            (
                *key,
                t(
                    lang,
                    "settings-err-looser",
                    &[
                        ("setting", Arg::from(t(lang, &label_key(*key), &[]))),
                        ("inherited", Arg::from(shown)),
                    ],
                ),
            )
        }
        SettingError::Invalid { key, problem } => {
            let setting = Arg::from(t(lang, &label_key(*key), &[]));
            let msg = match problem {
                Problem::OutOfRange { min, max } => t(
                    lang,
                    "settings-err-out-of-range",
                    &[
                        ("setting", setting),
                        ("min", Arg::from(*min)),
                        ("max", Arg::from(*max)),
                    ],
                ),
                Problem::Empty => t(lang, "settings-err-empty", &[("setting", setting)]),
                Problem::NotEnabled => t(lang, "settings-err-not-enabled", &[]),
                Problem::Duplicate => t(lang, "settings-err-invalid", &[("setting", setting)]),
                Problem::BadTimeZone => {
                    t(lang, "settings-err-bad-time-zone", &[("setting", setting)])
                }
            };
            (*key, msg)
        }
    }
}

/// Form → number; `Err` = not a whole number (or too long).
fn number(form: &FormData, key: SettingKey) -> Result<Option<u32>, SettingKey> {
    let raw = form.get(field(key)).map(|s| s.trim()).unwrap_or("");
    if raw.is_empty() {
        return Ok(None);
    }
    if raw.len() > 10 {
        return Err(key);
    }
    raw.parse::<u32>().map(Some).map_err(|_| key)
}

fn not_a_number(lang: Lang, key: SettingKey) -> String {
    t(
        lang,
        "settings-err-not-a-number",
        &[("setting", Arg::from(t(lang, &label_key(key), &[])))],
    )
}

fn classes(form: &FormData) -> BTreeSet<CharClass> {
    CharClass::ALL
        .into_iter()
        .filter(|c| form.contains_key(&format!("class_{}", c.code())))
        .collect()
}

fn forbidden(form: &FormData) -> Result<BTreeSet<char>, SettingKey> {
    let raw = form
        .get(field(SettingKey::PasswordForbiddenChars))
        .map(String::as_str)
        .unwrap_or("");
    if raw.chars().count() > MAX_FIELD_CHARS || raw.chars().any(char::is_control) {
        return Err(SettingKey::PasswordForbiddenChars);
    }
    Ok(raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != ',')
        .collect())
}

/// Reads the tenant form into settings; per-field parse problems come back translated.
pub fn parse_tenant_form(
    lang: Lang,
    old: &Settings,
    form: &FormData,
) -> Result<Settings, HashMap<SettingKey, String>> {
    use SettingKey as K;
    let mut errors = HashMap::new();
    let mut s = old.clone();
    let preset = form.get("preset").map(String::as_str).unwrap_or("");
    let preset = PasswordPreset::ALL
        .into_iter()
        .find(|p| preset_code(*p) == preset);
    let num = |key: SettingKey, errors: &mut HashMap<SettingKey, String>| match number(form, key) {
        Ok(Some(v)) => Some(v),
        Ok(None) if key == K::PasswordMaxAgeDays => None,
        Ok(None) => {
            errors.insert(key, not_a_number(lang, key));
            None
        }
        Err(k) => {
            errors.insert(k, not_a_number(lang, k));
            None
        }
    };
    let p = &mut s.password;
    if let Some(v) = num(K::PasswordMinLength, &mut errors) {
        p.min_length = v;
    }
    if let Some(v) = num(K::PasswordMaxLength, &mut errors) {
        p.max_length = v;
    }
    p.required_classes = classes(form);
    if let Some(v) = num(K::PasswordMinClasses, &mut errors) {
        p.min_classes = u8::try_from(v).unwrap_or(u8::MAX);
    }
    match forbidden(form) {
        Ok(f) => p.forbidden_chars = f,
        Err(k) => {
            errors.insert(
                k,
                t(
                    lang,
                    "settings-err-invalid",
                    &[("setting", Arg::from(t(lang, &label_key(k), &[])))],
                ),
            );
        }
    }
    p.reject_personal_info = form.contains_key(field(K::PasswordRejectPersonalInfo));
    p.reject_common = form.contains_key(field(K::PasswordRejectCommon));
    if let Some(v) = num(K::PasswordHistory, &mut errors) {
        p.history = v;
    }
    p.max_age_days = num(K::PasswordMaxAgeDays, &mut errors);
    if let Some(v) = num(K::LockoutMaxFailures, &mut errors) {
        p.lockout.max_failures = v;
    }
    if let Some(v) = num(K::LockoutMinutes, &mut errors) {
        p.lockout.lock_minutes = v;
    }
    if let Some(preset) = preset {
        s.password = PasswordPolicy::preset(preset);
    }
    s.require_totp = form.contains_key(field(K::RequireTotp));
    if let Some(v) = num(K::SessionIdleMinutes, &mut errors) {
        s.session_idle_minutes = v;
    }
    if let Some(v) = num(K::SessionAbsoluteMinutes, &mut errors) {
        s.session_absolute_minutes = v;
    }
    if let Some(v) = num(K::RetentionUsageDays, &mut errors) {
        s.audit_retention.usage_days = v;
    }
    if let Some(v) = num(K::RetentionMonitoringDays, &mut errors) {
        s.audit_retention.monitoring_days = v;
    }
    if let Some(v) = num(K::RetentionSecurityDays, &mut errors) {
        s.audit_retention.security_days = v;
    }
    s.languages = SLang::ALL
        .into_iter()
        .filter(|l| form.contains_key(&format!("lang_{}", l.as_str())))
        .collect::<Vec<_>>();
    match form
        .get(field(K::DefaultLanguage))
        .and_then(|v| SLang::parse(v))
    {
        Some(l) => s.default_language = l,
        None => {
            errors.insert(
                K::DefaultLanguage,
                t(
                    lang,
                    "settings-err-invalid",
                    &[(
                        "setting",
                        Arg::from(t(lang, &label_key(K::DefaultLanguage), &[])),
                    )],
                ),
            );
        }
    }
    let tz = form.get(field(K::TimeZone)).map(|v| v.trim()).unwrap_or("");
    if tz.chars().count() > 64 {
        errors.insert(
            K::TimeZone,
            t(
                lang,
                "settings-err-bad-time-zone",
                &[("setting", Arg::from(t(lang, &label_key(K::TimeZone), &[])))],
            ),
        );
    } else {
        s.time_zone = tz.to_owned();
    }
    if let Err(core) = s.validate() {
        for e in core {
            let (k, m) = error_message(lang, &e, None);
            errors.entry(k).or_insert(m);
        }
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(errors)
    }
}

/// Reads the unit form into an override (empty field = inherit).
pub fn parse_unit_form(
    lang: Lang,
    form: &FormData,
) -> Result<UnitOverride, HashMap<SettingKey, String>> {
    use SettingKey as K;
    let mut errors = HashMap::new();
    let mut num = |key: SettingKey| match number(form, key) {
        Ok(v) => v,
        Err(k) => {
            errors.insert(k, not_a_number(lang, k));
            None
        }
    };
    let mut ov = UnitOverride {
        password_min_length: num(K::PasswordMinLength),
        password_min_classes: num(K::PasswordMinClasses)
            .map(|v| u8::try_from(v).unwrap_or(u8::MAX)),
        password_history: num(K::PasswordHistory),
        password_max_age_days: num(K::PasswordMaxAgeDays),
        lockout_max_failures: num(K::LockoutMaxFailures),
        lockout_minutes: num(K::LockoutMinutes),
        session_idle_minutes: num(K::SessionIdleMinutes),
        session_absolute_minutes: num(K::SessionAbsoluteMinutes),
        retention_usage_days: num(K::RetentionUsageDays),
        retention_monitoring_days: num(K::RetentionMonitoringDays),
        retention_security_days: num(K::RetentionSecurityDays),
        ..UnitOverride::default()
    };
    let cls = classes(form);
    ov.password_required_classes = (!cls.is_empty()).then_some(cls);
    match forbidden(form) {
        Ok(f) => ov.password_forbidden_chars = (!f.is_empty()).then_some(f),
        Err(k) => {
            errors.insert(
                k,
                t(
                    lang,
                    "settings-err-invalid",
                    &[("setting", Arg::from(t(lang, &label_key(k), &[])))],
                ),
            );
        }
    }
    // A checkbox can only switch a rule on in a unit; unticked means "inherit".
    ov.password_reject_personal_info = form
        .contains_key(field(K::PasswordRejectPersonalInfo))
        .then_some(true);
    ov.password_reject_common = form
        .contains_key(field(K::PasswordRejectCommon))
        .then_some(true);
    ov.require_totp = form.contains_key(field(K::RequireTotp)).then_some(true);
    if errors.is_empty() {
        Ok(ov)
    } else {
        Err(errors)
    }
}

/// The tenant's settings; a tenant that never saved any has its country's preset.
pub async fn tenant_settings(st: &AppState, tenant: TenantId) -> Result<Settings, AppError> {
    let t = st
        .db()
        .tenant(tenant)
        .await
        .map_err(store_error)?
        .ok_or_else(AppError::not_found)?;
    crate::session::tenant_settings(st, &t).await
}

/// Every unit's own override.
pub async fn unit_overrides(
    st: &AppState,
    tenant: TenantId,
) -> Result<HashMap<UnitId, UnitOverride>, AppError> {
    let rows = st
        .db()
        .all_unit_settings(tenant)
        .await
        .map_err(store_error)?;
    let mut out = HashMap::new();
    for (unit, value) in rows {
        if value.is_null() {
            continue;
        }
        let ov: UnitOverride = serde_json::from_value(value)
            .map_err(|e| AppError::internal(format!("stored unit settings: {e}")))?;
        out.insert(unit, ov);
    }
    Ok(out)
}

/// The settings in force for a person in `unit` (tenant settings tightened by every unit above).
pub async fn effective_settings(
    st: &AppState,
    tenant: TenantId,
    unit: Option<UnitId>,
) -> Result<Settings, AppError> {
    let base = tenant_settings(st, tenant).await?;
    let Some(unit) = unit else { return Ok(base) };
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let overrides = unit_overrides(st, tenant).await?;
    let mut chain: Vec<UnitOverride> = path_to_root(&units, unit)
        .into_iter()
        .filter_map(|id| overrides.get(&id).cloned())
        .collect();
    chain.reverse();
    Ok(effective(&base, &chain))
}

fn overrides_count(ov: &UnitOverride) -> usize {
    serde_json::to_value(ov)
        .ok()
        .and_then(|v| v.as_object().map(|o| o.len()))
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "settings/settings.html")]
struct SettingsPage {
    page: Page,
    action: String,
    intro: String,
    unit_page: bool,
    can_edit: bool,
    presets: Vec<(String, String)>,
    sections: Vec<Section>,
    units: Vec<(String, String, String)>,
}

fn presets(lang: Lang) -> Vec<(String, String)> {
    PasswordPreset::ALL
        .into_iter()
        .map(|p| {
            (
                preset_code(p).to_owned(),
                t(lang, &format!("settings-preset-{}", preset_code(p)), &[]),
            )
        })
        .collect()
}

async fn tenant_page(
    user: &CurrentUser,
    st: &AppState,
    current: &Settings,
    form: Option<&FormData>,
    errors: HashMap<SettingKey, String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    let lang = user.lang();
    let can_edit = may(
        user.principal(),
        Action::EditSettings,
        &Resource::tenant(tenant),
    );
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let overrides = unit_overrides(st, tenant).await?;
    let mut unit_links: Vec<(String, String, String)> = units
        .iter()
        .filter(|u| {
            may(
                user.principal(),
                Action::EditUnitSettings,
                &unit_resource(&units, u, tenant),
            )
        })
        .map(|u| {
            let n = overrides.get(&u.id).map(overrides_count).unwrap_or(0);
            (
                u.id.to_string(),
                u.name.clone(),
                t(lang, "settings-overrides", &[("count", Arg::from(n))]),
            )
        })
        .collect();
    unit_links.sort_by_key(|a| a.1.to_lowercase());
    let failed = !errors.is_empty();
    let mut page = user.page("settings-title", "/settings");
    page.notice = notice_text(lang, notice);
    let body = SettingsPage {
        page,
        action: "/settings".into(),
        intro: t(lang, "settings-intro", &[]),
        unit_page: false,
        can_edit,
        presets: presets(lang),
        sections: sections(lang, current, form, None, &errors),
        units: unit_links,
    };
    let mut resp = render(&body)?;
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn tenant_form(
    user: CurrentUser,
    State(st): State<AppState>,
    VQuery(notice): VQuery<NoticeParam>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::ViewSettings, &Resource::tenant(tenant))?;
    let current = tenant_settings(&st, tenant).await?;
    let mut resp = tenant_page(
        &user,
        &st,
        &current,
        None,
        HashMap::new(),
        notice.notice.as_deref(),
    )
    .await?;
    let _ = &mut resp;
    Ok(resp)
}

async fn tenant_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VForm(form): VForm<FormData>,
) -> Result<Response, AppError> {
    let tenant = user.tenant_id();
    user.authorize(Action::EditSettings, &Resource::tenant(tenant))?;
    let current = tenant_settings(&st, tenant).await?;
    match parse_tenant_form(user.lang(), &current, &form) {
        Ok(new) => {
            let value =
                serde_json::to_value(&new).map_err(|e| AppError::internal(e.to_string()))?;
            let mut tx = st
                .db()
                .write(&user.audit_ctx(ip))
                .await
                .map_err(store_error)?;
            tx.set_tenant_settings(&value).await.map_err(store_error)?;
            tx.commit().await.map_err(store_error)?;
            Ok(Redirect::to("/settings?notice=settings-saved").into_response())
        }
        Err(errors) => tenant_page(&user, &st, &current, Some(&form), errors, None).await,
    }
}

fn unit_resource(
    units: &[OrgUnit],
    unit: &OrgUnit,
    tenant: vakt_core::directory::TenantId,
) -> Resource {
    Resource::in_unit(tenant, crate::directory::unit_path(units, Some(unit.id)))
}

/// The settings a unit inherits: the tenant's with the overrides of its ancestors applied.
fn inherited_for(
    tenant_settings: &Settings,
    units: &[OrgUnit],
    overrides: &HashMap<UnitId, UnitOverride>,
    unit: UnitId,
) -> Settings {
    let mut ancestors: Vec<UnitOverride> = path_to_root(units, unit)
        .into_iter()
        .skip(1)
        .filter_map(|id| overrides.get(&id).cloned())
        .collect();
    ancestors.reverse();
    effective(tenant_settings, &ancestors)
}

/// The override as form values.
fn override_form(ov: &UnitOverride) -> FormData {
    use SettingKey as K;
    let mut f = FormData::new();
    let mut put = |k: SettingKey, v: Option<u32>| {
        if let Some(v) = v {
            f.insert(field(k).to_owned(), v.to_string());
        }
    };
    put(K::PasswordMinLength, ov.password_min_length);
    put(
        K::PasswordMinClasses,
        ov.password_min_classes.map(u32::from),
    );
    put(K::PasswordHistory, ov.password_history);
    put(K::PasswordMaxAgeDays, ov.password_max_age_days);
    put(K::LockoutMaxFailures, ov.lockout_max_failures);
    put(K::LockoutMinutes, ov.lockout_minutes);
    put(K::SessionIdleMinutes, ov.session_idle_minutes);
    put(K::SessionAbsoluteMinutes, ov.session_absolute_minutes);
    put(K::RetentionUsageDays, ov.retention_usage_days);
    put(K::RetentionMonitoringDays, ov.retention_monitoring_days);
    put(K::RetentionSecurityDays, ov.retention_security_days);
    for c in ov.password_required_classes.iter().flatten() {
        f.insert(format!("class_{}", c.code()), "on".into());
    }
    if let Some(chars) = &ov.password_forbidden_chars {
        f.insert(
            field(K::PasswordForbiddenChars).into(),
            chars.iter().collect(),
        );
    }
    for (k, v) in [
        (
            K::PasswordRejectPersonalInfo,
            ov.password_reject_personal_info,
        ),
        (K::PasswordRejectCommon, ov.password_reject_common),
        (K::RequireTotp, ov.require_totp),
    ] {
        if v == Some(true) {
            f.insert(field(k).into(), "on".into());
        }
    }
    f
}

async fn load_unit(
    st: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(OrgUnit, Vec<OrgUnit>, Resource, Settings, UnitOverride), AppError> {
    let tenant = user.tenant_id();
    let id = Uuid::parse_str(id)
        .map(UnitId::from)
        .map_err(|_| AppError::not_found())?;
    let units = st.db().units(tenant).await.map_err(store_error)?;
    let Some(unit) = units.iter().find(|u| u.id == id).cloned() else {
        return Err(AppError::not_found());
    };
    let resource = unit_resource(&units, &unit, tenant);
    let tenant_settings = tenant_settings(st, tenant).await?;
    let overrides = unit_overrides(st, tenant).await?;
    let inherited = inherited_for(&tenant_settings, &units, &overrides, id);
    let own = overrides.get(&id).cloned().unwrap_or_default();
    Ok((unit, units, resource, inherited, own))
}

fn unit_page_body(
    user: &CurrentUser,
    unit: &OrgUnit,
    inherited: &Settings,
    form: &FormData,
    errors: HashMap<SettingKey, String>,
    can_edit: bool,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let lang = user.lang();
    let path = format!("/settings/units/{}", unit.id);
    let mut page = user.page("settings-title", &path);
    page.title = t(
        lang,
        "settings-unit-title",
        &[("unit", Arg::from(unit.name.as_str()))],
    );
    page.notice = notice_text(lang, notice);
    let failed = !errors.is_empty();
    let body = SettingsPage {
        page,
        action: path,
        intro: t(lang, "settings-unit-intro", &[]),
        unit_page: true,
        can_edit,
        presets: Vec::new(),
        sections: sections(lang, inherited, Some(form), Some(inherited), &errors),
        units: Vec::new(),
    };
    let mut resp = render(&body)?;
    if failed {
        *resp.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}

async fn unit_form(
    user: CurrentUser,
    State(st): State<AppState>,
    VPath(id): VPath<String>,
    VQuery(notice): VQuery<NoticeParam>,
) -> Result<Response, AppError> {
    let (unit, _units, resource, inherited, own) = load_unit(&st, &user, &id).await?;
    user.authorize(Action::ViewSettings, &resource)?;
    let can_edit = may(user.principal(), Action::EditUnitSettings, &resource);
    let form = override_form(&own);
    let mut resp = unit_page_body(
        &user,
        &unit,
        &inherited,
        &form,
        HashMap::new(),
        can_edit,
        notice.notice.as_deref(),
    )?;
    let _ = &mut resp;
    Ok(resp)
}

async fn unit_submit(
    user: CurrentUser,
    State(st): State<AppState>,
    ClientIp(ip): ClientIp,
    VPath(id): VPath<String>,
    VForm(form): VForm<FormData>,
) -> Result<Response, AppError> {
    let (unit, _units, resource, inherited, _own) = load_unit(&st, &user, &id).await?;
    user.authorize(Action::EditUnitSettings, &resource)?;
    let lang = user.lang();
    let parsed = parse_unit_form(lang, &form).and_then(|ov| {
        validate_override(&inherited, &ov)
            .map(|()| ov)
            .map_err(|errs| {
                errs.iter()
                    .map(|e| error_message(lang, e, Some(&inherited)))
                    .collect::<HashMap<_, _>>()
            })
    });
    match parsed {
        Ok(ov) => {
            let ov = (!ov.is_empty()).then_some(ov);
            let value = ov
                .as_ref()
                .map(serde_json::to_value)
                .transpose()
                .map_err(|e| AppError::internal(e.to_string()))?;
            let mut tx = st
                .db()
                .write(&user.audit_ctx(ip))
                .await
                .map_err(store_error)?;
            tx.set_unit_settings(unit.id, value.as_ref())
                .await
                .map_err(store_error)?;
            tx.commit().await.map_err(store_error)?;
            Ok(Redirect::to(&format!(
                "/settings/units/{}?notice=settings-saved",
                unit.id
            ))
            .into_response())
        }
        Err(errors) => unit_page_body(&user, &unit, &inherited, &form, errors, true, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vakt_core::Country;

    fn form_of(s: &Settings) -> FormData {
        let mut f = FormData::new();
        for k in SettingKey::ALL {
            let v = value_text(s, *k);
            match kind_of(*k) {
                "checkbox" => {
                    if !v.is_empty() {
                        f.insert(field(*k).into(), "on".into());
                    }
                }
                "classes" => {
                    for c in &s.password.required_classes {
                        f.insert(format!("class_{}", c.code()), "on".into());
                    }
                }
                "languages" => {
                    for l in &s.languages {
                        f.insert(format!("lang_{}", l.as_str()), "on".into());
                    }
                }
                _ => {
                    f.insert(field(*k).into(), v);
                }
            }
        }
        f
    }

    #[test]
    fn the_tenant_form_round_trips_every_setting() {
        let s = Settings::preset(Country::Se);
        let parsed =
            parse_tenant_form(Lang::En, &Settings::default(), &form_of(&s)).expect("valid");
        assert_eq!(parsed, s);
    }

    #[test]
    fn choosing_the_strict_preset_replaces_the_password_rules() {
        let s = Settings::preset(Country::No);
        let mut f = form_of(&s);
        f.insert("preset".into(), "strict".into());
        let parsed = parse_tenant_form(Lang::En, &s, &f).expect("valid");
        assert_eq!(
            parsed.password,
            PasswordPolicy::preset(PasswordPreset::Strict)
        );
    }

    #[test]
    fn a_non_number_is_a_translated_error_naming_the_setting() {
        let s = Settings::default();
        let mut f = form_of(&s);
        f.insert("password_min_length".into(), "twelve<script>".into());
        let errs = parse_tenant_form(Lang::Sv, &s, &f).expect_err("rejected");
        let msg = errs
            .get(&SettingKey::PasswordMinLength)
            .expect("error for the field");
        assert!(msg.contains("Minsta lösenordslängd"), "{msg}");
    }

    #[test]
    fn a_unit_override_looser_than_the_tenant_is_rejected_with_a_message() {
        let tenant = Settings::default();
        let mut f = FormData::new();
        f.insert("password_min_length".into(), "6".into());
        let ov = parse_unit_form(Lang::En, &f).expect("parses");
        let errs = validate_override(&tenant, &ov).expect_err("looser");
        let (key, msg) = error_message(Lang::En, &errs[0], Some(&tenant));
        assert_eq!(key, SettingKey::PasswordMinLength);
        assert!(
            msg.contains("may only be made stricter") && msg.contains("12"),
            "{msg}"
        );
    }

    #[test]
    fn a_stricter_unit_override_is_accepted() {
        let tenant = Settings::default();
        let mut f = FormData::new();
        f.insert("password_min_length".into(), "16".into());
        f.insert("session_idle_minutes".into(), "10".into());
        let ov = parse_unit_form(Lang::En, &f).expect("parses");
        assert!(validate_override(&tenant, &ov).is_ok());
        assert_eq!(
            override_form(&ov)
                .get("password_min_length")
                .map(String::as_str),
            Some("16")
        );
    }

    #[test]
    fn every_setting_has_a_label_in_every_language() {
        for k in SettingKey::ALL {
            for l in Lang::ALL {
                assert!(
                    crate::i18n::has(l, &label_key(*k)),
                    "{l}: {}",
                    label_key(*k)
                );
            }
        }
    }
}
