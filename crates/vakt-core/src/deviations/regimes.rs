//! Reporting regimes as configuration: which obligations an event starts, their phases, deadlines,
//! escalation points and recipients. Country presets are embedded TOML files (`presets/*.toml`);
//! a tenant adds its own regimes or replaces/disables preset ones with TOML of the same shape.

use serde::{Deserialize, Serialize};

use crate::Country;
use crate::deadline::DeadlineRule;

/// What starts a regime's obligation on a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The case is flagged as a personal-data breach.
    PersonalDataBreach,
    /// The case is flagged as a significant incident (NIS2 or a national equivalent).
    SignificantIncident,
    /// The case's severity is set to serious.
    SeriousSeverity,
    /// Every case (e.g. a tenant's internal reporting line).
    AnyCase,
}

/// Whether, and how, someone must decide that the obligation applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionRule {
    /// Always report once triggered (a reasoned "not required" is still possible).
    None,
    /// Report unless a reasoned decision finds the event unlikely to result in a risk (GDPR Art. 33).
    NotifyUnlessUnlikelyRisk,
    /// Report only if a decision finds a high risk; either way the decision is recorded with
    /// reasoning (GDPR Art. 34).
    NotifyIfHighRisk,
}

/// What a phase's deadline counts from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// The recorded moment of awareness.
    #[default]
    Awareness,
    /// The first submission of another phase (before it is submitted: that phase's deadline).
    Phase(String),
}

/// One phase of a regime (e.g. NIS2's early warning, notification, final report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub key: String,
    /// `None` = "without undue delay": no fixed deadline, but still tracked.
    #[serde(default)]
    pub deadline: Option<DeadlineRule>,
    #[serde(default)]
    pub from: Anchor,
}

/// One reporting regime.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regime {
    /// Stable key, e.g. `gdpr_authority`, `gdpr_data_subjects`, `nis2`, `internal_security_chief`.
    pub key: String,
    #[serde(default = "yes")]
    pub enabled: bool,
    pub trigger: Trigger,
    pub decision: DecisionRule,
    /// Where the legal duty comes from, as shown to handlers (e.g. "GDPR Art. 33").
    pub legal_basis: String,
    /// Who receives the report (an authority, or a role inside the tenant).
    pub recipient: String,
    /// How it is sent (e.g. "Altinn", "IMY e-service", "Virk.dk", "e-mail").
    pub channel: String,
    /// The shape of the notification form, if Vakt prepares one (see [`super::notification`]).
    #[serde(default)]
    pub form: Option<String>,
    pub phases: Vec<Phase>,
}

fn yes() -> bool {
    true
}

/// The regimes in force for a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegimeSet {
    #[serde(default)]
    pub country: Option<Country>,
    #[serde(default, rename = "regime")]
    pub regimes: Vec<Regime>,
}

/// Errors in regime configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegimeError {
    #[error("invalid regime configuration: {0}")]
    Toml(String),
    #[error("regime {0:?} is defined twice")]
    DuplicateRegime(String),
    #[error("regime {regime:?} has phase {phase:?} twice")]
    DuplicatePhase { regime: String, phase: String },
    #[error("regime {regime:?} phase {phase:?} counts from unknown or later phase {anchor:?}")]
    BadAnchor {
        regime: String,
        phase: String,
        anchor: String,
    },
    #[error("regime {0:?} has no phases")]
    NoPhases(String),
}

const PRESET_NO: &str = include_str!("presets/no.toml");
const PRESET_SE: &str = include_str!("presets/se.toml");
const PRESET_DK: &str = include_str!("presets/dk.toml");

impl RegimeSet {
    /// Parse and validate a regime set from TOML text.
    pub fn from_toml(text: &str) -> Result<Self, RegimeError> {
        let set: RegimeSet = toml::from_str(text).map_err(|e| RegimeError::Toml(e.to_string()))?;
        set.validate()?;
        Ok(set)
    }

    /// The embedded preset for a country.
    pub fn preset(country: Country) -> Result<Self, RegimeError> {
        RegimeSet::from_toml(match country {
            Country::No => PRESET_NO,
            Country::Se => PRESET_SE,
            Country::Dk => PRESET_DK,
        })
    }

    /// The preset TOML text (to show or copy as a starting point).
    pub fn preset_text(country: Country) -> &'static str {
        match country {
            Country::No => PRESET_NO,
            Country::Se => PRESET_SE,
            Country::Dk => PRESET_DK,
        }
    }

    /// Apply a tenant's regimes: a regime with a preset's key replaces it (set `enabled = false`
    /// to switch one off); others are added.
    pub fn with_tenant(mut self, tenant: RegimeSet) -> Result<Self, RegimeError> {
        for r in tenant.regimes {
            match self.regimes.iter_mut().find(|x| x.key == r.key) {
                Some(existing) => *existing = r,
                None => self.regimes.push(r),
            }
        }
        self.validate()?;
        Ok(self)
    }

    /// Look up an enabled regime by key.
    pub fn get(&self, key: &str) -> Option<&Regime> {
        self.regimes.iter().find(|r| r.enabled && r.key == key)
    }

    /// The enabled regimes a trigger starts.
    pub fn triggered_by(&self, trigger: Trigger) -> impl Iterator<Item = &Regime> {
        self.regimes
            .iter()
            .filter(move |r| r.enabled && r.trigger == trigger)
    }

    fn validate(&self) -> Result<(), RegimeError> {
        for (i, r) in self.regimes.iter().enumerate() {
            if self.regimes[..i].iter().any(|x| x.key == r.key) {
                return Err(RegimeError::DuplicateRegime(r.key.clone()));
            }
            if r.phases.is_empty() {
                return Err(RegimeError::NoPhases(r.key.clone()));
            }
            for (j, p) in r.phases.iter().enumerate() {
                if r.phases[..j].iter().any(|x| x.key == p.key) {
                    return Err(RegimeError::DuplicatePhase {
                        regime: r.key.clone(),
                        phase: p.key.clone(),
                    });
                }
                // A phase may only count from an earlier phase: no cycles.
                if let Anchor::Phase(a) = &p.from
                    && !r.phases[..j].iter().any(|x| &x.key == a)
                {
                    return Err(RegimeError::BadAnchor {
                        regime: r.key.clone(),
                        phase: p.key.clone(),
                        anchor: a.clone(),
                    });
                }
            }
        }
        Ok(())
    }
}

impl Regime {
    pub fn phase(&self, key: &str) -> Option<&Phase> {
        self.phases.iter().find(|p| p.key == key)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::deadline::Period;

    #[test]
    fn every_country_preset_parses_and_has_the_gdpr_and_nis_regimes() {
        for c in [Country::No, Country::Se, Country::Dk] {
            let set = RegimeSet::preset(c).unwrap();
            assert_eq!(set.country, Some(c));
            let dpa = set.get("gdpr_authority").unwrap();
            assert_eq!(dpa.trigger, Trigger::PersonalDataBreach);
            assert_eq!(dpa.decision, DecisionRule::NotifyUnlessUnlikelyRisk);
            assert_eq!(
                dpa.phases[0].deadline.as_ref().map(|d| d.period),
                Some(Period::Hours(72))
            );
            let subjects = set.get("gdpr_data_subjects").unwrap();
            assert_eq!(subjects.decision, DecisionRule::NotifyIfHighRisk);
            assert!(
                subjects.phases[0].deadline.is_none(),
                "Art. 34: without undue delay, no fixed clock"
            );
            let nis = set.get("nis2").unwrap();
            let periods: Vec<_> = nis
                .phases
                .iter()
                .map(|p| p.deadline.as_ref().map(|d| d.period))
                .collect();
            assert_eq!(
                periods,
                vec![
                    Some(Period::Hours(24)),
                    Some(Period::Hours(72)),
                    Some(Period::Months(1))
                ]
            );
            assert_eq!(nis.phases[2].from, Anchor::Phase("notification".into()));
            assert!(dpa.form.is_some());
        }
    }

    #[test]
    fn recipients_differ_per_country() {
        let r = |c| {
            RegimeSet::preset(c)
                .unwrap()
                .get("gdpr_authority")
                .unwrap()
                .recipient
                .clone()
        };
        assert_eq!(r(Country::No), "Datatilsynet");
        assert_eq!(r(Country::Se), "IMY");
        assert_eq!(r(Country::Dk), "Datatilsynet (DK)");
    }

    #[test]
    fn a_tenant_adds_its_own_regime_and_switches_one_off() {
        let tenant = RegimeSet::from_toml(
            r#"
            [[regime]]
            key = "internal_security_chief"
            trigger = "serious_severity"
            decision = "none"
            legal_basis = "Local security instruction"
            recipient = "Security chief"
            channel = "e-mail"
            [[regime.phases]]
            key = "report"
            deadline = { period = "4h", escalate = ["1h before", "at expiry"] }

            [[regime]]
            key = "nis2"
            enabled = false
            trigger = "significant_incident"
            decision = "none"
            legal_basis = "-"
            recipient = "-"
            channel = "-"
            [[regime.phases]]
            key = "x"
            "#,
        )
        .unwrap();
        let set = RegimeSet::preset(Country::No)
            .unwrap()
            .with_tenant(tenant)
            .unwrap();
        assert!(set.get("nis2").is_none());
        assert_eq!(set.triggered_by(Trigger::SignificantIncident).count(), 0);
        assert_eq!(
            set.triggered_by(Trigger::SeriousSeverity)
                .map(|r| r.key.as_str())
                .collect::<Vec<_>>(),
            vec!["internal_security_chief"]
        );
        assert_eq!(set.triggered_by(Trigger::PersonalDataBreach).count(), 2);
    }

    #[test]
    fn invalid_configuration_is_refused_with_a_clear_error() {
        let cycle = r#"
            [[regime]]
            key = "a"
            trigger = "any_case"
            decision = "none"
            legal_basis = "x"
            recipient = "x"
            channel = "x"
            [[regime.phases]]
            key = "one"
            from = { phase = "two" }
            [[regime.phases]]
            key = "two"
        "#;
        assert!(matches!(
            RegimeSet::from_toml(cycle),
            Err(RegimeError::BadAnchor { .. })
        ));
        assert!(matches!(
            RegimeSet::from_toml("[[regime]]\nkey = 1"),
            Err(RegimeError::Toml(_))
        ));
        let bad_period = cycle.replace(
            "from = { phase = \"two\" }",
            "deadline = { period = \"72 parsecs\" }",
        );
        assert!(matches!(
            RegimeSet::from_toml(&bad_period),
            Err(RegimeError::Toml(_))
        ));
    }
}
