//! The breach-notification draft (GDPR Art. 33(3)) as a typed struct, and the national forms'
//! shapes as field lists, so that Vakt can prepare a draft laid out like each authority's form for
//! a person to submit through the national e-ID portal (Altinn, IMY's e-service, Virk.dk).

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;

/// Which protection aspect the breach affected (one or more).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachNature {
    pub confidentiality: bool,
    pub integrity: bool,
    pub availability: bool,
}

impl BreachNature {
    pub fn is_set(self) -> bool {
        self.confidentiality || self.integrity || self.availability
    }
}

/// An approximate number ("about 40", "between 100 and 500").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approx {
    pub low: u64,
    pub high: u64,
}

/// A contact point (the DPO or another person who can answer the authority).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// The controller (the municipality) as the forms ask for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controller {
    pub name: String,
    /// Organisation number (NO), organisationsnummer (SE), CVR (DK).
    pub org_number: String,
    pub address: String,
}

/// Whether and how the data subjects have been or will be told.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum SubjectsInformed {
    #[default]
    Undecided,
    Informed {
        at: OffsetDateTime,
        how: String,
    },
    Planned {
        when: OffsetDateTime,
        how: String,
    },
    NotInformed {
        reasons: String,
    },
}

/// The notification draft. Free-text fields are written by the DPO in the tenant's language.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachNotificationDraft {
    pub controller: Controller,
    /// The tenant's own case reference.
    pub own_reference: String,
    pub nature: BreachNature,
    /// What happened.
    pub description: String,
    /// How it arose (main cause).
    pub cause: String,
    pub occurred_from: Option<OffsetDateTime>,
    pub occurred_to: Option<OffsetDateTime>,
    pub discovered_at: Option<OffsetDateTime>,
    pub aware_at: Option<OffsetDateTime>,
    pub data_subject_categories: Vec<String>,
    pub approx_data_subjects: Option<Approx>,
    pub data_categories: Vec<String>,
    /// Special categories (Art. 9) or data on criminal offences (Art. 10) are involved.
    pub special_categories: bool,
    pub approx_records: Option<Approx>,
    /// Where the data are now (e.g. "deleted by the wrong recipient, confirmed in writing").
    pub data_location: String,
    pub likely_consequences: String,
    /// The controller's estimate of the severity for the people affected.
    pub severity_for_subjects: String,
    pub measures_taken: String,
    pub measures_proposed: String,
    pub dpo_contact: Contact,
    pub subjects_informed: SubjectsInformed,
    /// Reported in phases (Art. 33(4)): more information will follow.
    pub phased: bool,
    pub cross_border: bool,
    /// Reasons for a notification later than 72 hours.
    pub delay_reasons: String,
    /// Information the controller asks to be kept secret (official-document rules).
    pub secrecy_note: String,
}

/// A field of the draft, referenced by form shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DraftField {
    ControllerName,
    ControllerOrgNumber,
    ControllerAddress,
    OwnReference,
    Nature,
    Description,
    Cause,
    OccurredFrom,
    OccurredTo,
    DiscoveredAt,
    AwareAt,
    DataSubjectCategories,
    ApproxDataSubjects,
    DataCategories,
    SpecialCategories,
    ApproxRecords,
    DataLocation,
    LikelyConsequences,
    SeverityForSubjects,
    MeasuresTaken,
    MeasuresProposed,
    DpoContact,
    SubjectsInformed,
    Phased,
    CrossBorder,
    DelayReasons,
    SecrecyNote,
}

/// The Art. 33(3) minimum content: nature (with categories and approximate numbers where
/// possible), contact point, likely consequences, measures taken or proposed.
pub const ART33_MINIMUM: &[DraftField] = &[
    DraftField::Nature,
    DraftField::Description,
    DraftField::DataSubjectCategories,
    DraftField::DataCategories,
    DraftField::DpoContact,
    DraftField::LikelyConsequences,
    DraftField::MeasuresTaken,
];

fn time_value(t: Option<OffsetDateTime>) -> Option<Value> {
    t.and_then(|t| {
        t.format(&time::format_description::well_known::Rfc3339)
            .ok()
    })
    .map(Value::String)
}

fn text(s: &str) -> Option<Value> {
    if s.trim().is_empty() {
        None
    } else {
        Some(Value::String(s.trim().to_owned()))
    }
}

fn list(v: &[String]) -> Option<Value> {
    let items: Vec<&str> = v
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if items.is_empty() {
        None
    } else {
        Some(json!(items))
    }
}

impl BreachNotificationDraft {
    /// The value of one field for export (`None` if not filled in). Booleans always have a value.
    pub fn value(&self, field: DraftField) -> Option<Value> {
        use DraftField as F;
        match field {
            F::ControllerName => text(&self.controller.name),
            F::ControllerOrgNumber => text(&self.controller.org_number),
            F::ControllerAddress => text(&self.controller.address),
            F::OwnReference => text(&self.own_reference),
            F::Nature => self.nature.is_set().then(|| json!(self.nature)),
            F::Description => text(&self.description),
            F::Cause => text(&self.cause),
            F::OccurredFrom => time_value(self.occurred_from),
            F::OccurredTo => time_value(self.occurred_to),
            F::DiscoveredAt => time_value(self.discovered_at),
            F::AwareAt => time_value(self.aware_at),
            F::DataSubjectCategories => list(&self.data_subject_categories),
            F::ApproxDataSubjects => self.approx_data_subjects.map(|a| json!(a)),
            F::DataCategories => list(&self.data_categories),
            F::SpecialCategories => Some(Value::Bool(self.special_categories)),
            F::ApproxRecords => self.approx_records.map(|a| json!(a)),
            F::DataLocation => text(&self.data_location),
            F::LikelyConsequences => text(&self.likely_consequences),
            F::SeverityForSubjects => text(&self.severity_for_subjects),
            F::MeasuresTaken => text(&self.measures_taken),
            F::MeasuresProposed => text(&self.measures_proposed),
            F::DpoContact => {
                let c = &self.dpo_contact;
                let reachable = !c.email.trim().is_empty() || !c.phone.trim().is_empty();
                (!c.name.trim().is_empty() && reachable).then(|| json!(c))
            }
            F::SubjectsInformed => match self.subjects_informed {
                SubjectsInformed::Undecided => None,
                ref s => Some(json!(s)),
            },
            F::Phased => Some(Value::Bool(self.phased)),
            F::CrossBorder => Some(Value::Bool(self.cross_border)),
            F::DelayReasons => text(&self.delay_reasons),
            F::SecrecyNote => text(&self.secrecy_note),
        }
    }

    /// The Art. 33(3) minimum fields that are still empty.
    pub fn missing_minimum(&self) -> Vec<DraftField> {
        ART33_MINIMUM
            .iter()
            .copied()
            .filter(|f| self.value(*f).is_none())
            .collect()
    }
}

/// One question of a national form, mapped to the draft field that answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormField {
    /// Stable key; the web layer's Fluent id is `breach-form-<form>-<key>`.
    pub key: &'static str,
    pub source: DraftField,
    pub required: bool,
}

/// The shape of one authority's form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FormShape {
    pub key: &'static str,
    pub authority: &'static str,
    pub portal: &'static str,
    pub fields: &'static [FormField],
}

const fn f(key: &'static str, source: DraftField, required: bool) -> FormField {
    FormField {
        key,
        source,
        required,
    }
}

/// Norway: Datatilsynet's deviation report in Altinn. Stepwise reporting is allowed if it is said
/// in the first report.
pub const FORM_NO_DATATILSYNET: FormShape = FormShape {
    key: "no_datatilsynet",
    authority: "Datatilsynet",
    portal: "Altinn",
    fields: &[
        f("organisation", DraftField::ControllerName, true),
        f("organisation_number", DraftField::ControllerOrgNumber, true),
        f("breach_category", DraftField::Nature, true),
        f("main_cause", DraftField::Cause, true),
        f("period_from", DraftField::OccurredFrom, false),
        f("period_to", DraftField::OccurredTo, false),
        f("discovered", DraftField::DiscoveredAt, true),
        f("number_affected", DraftField::ApproxDataSubjects, true),
        f("what_happened", DraftField::Description, true),
        f("personal_data_types", DraftField::DataCategories, true),
        f("special_categories", DraftField::SpecialCategories, true),
        f(
            "relationship_to_affected",
            DraftField::DataSubjectCategories,
            true,
        ),
        f("where_data_are_now", DraftField::DataLocation, false),
        f("consequences", DraftField::LikelyConsequences, true),
        f("measures_taken", DraftField::MeasuresTaken, true),
        f("measures_planned", DraftField::MeasuresProposed, false),
        f("affected_informed", DraftField::SubjectsInformed, true),
        f("contact", DraftField::DpoContact, true),
        f("stepwise", DraftField::Phased, true),
        f("late_reasons", DraftField::DelayReasons, false),
    ],
};

/// Sweden: IMY's e-service for personal-data breaches (supplements within four weeks; everything
/// sent becomes an official document, so secrecy claims go in the last free-text field).
pub const FORM_SE_IMY: FormShape = FormShape {
    key: "se_imy",
    authority: "IMY",
    portal: "IMY e-service",
    fields: &[
        f("controller_name", DraftField::ControllerName, true),
        f("organisation_number", DraftField::ControllerOrgNumber, true),
        f("postal_address", DraftField::ControllerAddress, true),
        f("own_reference", DraftField::OwnReference, false),
        f("contact", DraftField::DpoContact, true),
        f("incident_started", DraftField::OccurredFrom, false),
        f("incident_ended", DraftField::OccurredTo, false),
        f("incident_discovered", DraftField::DiscoveredAt, true),
        f("incident_type", DraftField::Nature, true),
        f("what_happened", DraftField::Description, true),
        f(
            "data_subject_groups",
            DraftField::DataSubjectCategories,
            true,
        ),
        f(
            "number_of_data_subjects",
            DraftField::ApproxDataSubjects,
            true,
        ),
        f("kinds_of_personal_data", DraftField::DataCategories, true),
        f("sensitive_data", DraftField::SpecialCategories, true),
        f("number_of_records", DraftField::ApproxRecords, false),
        f(
            "possible_consequences",
            DraftField::LikelyConsequences,
            true,
        ),
        f("severity_estimate", DraftField::SeverityForSubjects, true),
        f("actions_taken", DraftField::MeasuresTaken, true),
        f("actions_planned", DraftField::MeasuresProposed, false),
        f("data_subjects_informed", DraftField::SubjectsInformed, true),
        f("cross_border", DraftField::CrossBorder, true),
        f("supplement_to_follow", DraftField::Phased, true),
        f("late_reasons", DraftField::DelayReasons, false),
        f("secrecy_and_other", DraftField::SecrecyNote, false),
    ],
};

/// Denmark: Datatilsynet's breach form on Virk.dk, following the Art. 33 minimum.
pub const FORM_DK_DATATILSYNET: FormShape = FormShape {
    key: "dk_datatilsynet",
    authority: "Datatilsynet (DK)",
    portal: "Virk.dk",
    fields: &[
        f("controller", DraftField::ControllerName, true),
        f("cvr", DraftField::ControllerOrgNumber, true),
        f("nature_of_breach", DraftField::Nature, true),
        f("description", DraftField::Description, true),
        f("time_of_breach", DraftField::OccurredFrom, false),
        f("time_of_awareness", DraftField::AwareAt, true),
        f(
            "categories_of_data_subjects",
            DraftField::DataSubjectCategories,
            true,
        ),
        f(
            "approx_number_of_data_subjects",
            DraftField::ApproxDataSubjects,
            true,
        ),
        f("categories_of_data", DraftField::DataCategories, true),
        f("approx_number_of_records", DraftField::ApproxRecords, false),
        f("dpo_or_contact", DraftField::DpoContact, true),
        f("likely_consequences", DraftField::LikelyConsequences, true),
        f(
            "measures_taken_or_proposed",
            DraftField::MeasuresTaken,
            true,
        ),
        f("further_measures", DraftField::MeasuresProposed, false),
        f("data_subjects_informed", DraftField::SubjectsInformed, true),
        f("reported_in_phases", DraftField::Phased, true),
        f("reasons_for_delay", DraftField::DelayReasons, false),
    ],
};

/// Look up a form shape by key (as named in a regime's `form`).
pub fn form_shape(key: &str) -> Option<&'static FormShape> {
    [&FORM_NO_DATATILSYNET, &FORM_SE_IMY, &FORM_DK_DATATILSYNET]
        .into_iter()
        .find(|s| s.key == key)
}

/// A draft laid out like a form: every field with its value (or `null`) and the required ones
/// still missing. Serialises to the JSON export.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FilledForm {
    pub form: &'static str,
    pub authority: &'static str,
    pub portal: &'static str,
    pub fields: Vec<(&'static str, Option<Value>)>,
    pub missing: Vec<&'static str>,
}

impl FormShape {
    /// Lay the draft out in this form's order. `late` adds the delay reasons to the required fields.
    pub fn fill(&self, draft: &BreachNotificationDraft, late: bool) -> FilledForm {
        let mut fields = Vec::with_capacity(self.fields.len());
        let mut missing = Vec::new();
        for ff in self.fields {
            let v = draft.value(ff.source);
            let required = ff.required || (late && ff.source == DraftField::DelayReasons);
            if required && v.is_none() {
                missing.push(ff.key);
            }
            fields.push((ff.key, v));
        }
        FilledForm {
            form: self.key,
            authority: self.authority,
            portal: self.portal,
            fields,
            missing,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn lost_phone() -> BreachNotificationDraft {
        BreachNotificationDraft {
            controller: Controller {
                name: "Eksempel kommune".into(),
                org_number: "123456789".into(),
                address: "Rådhusgata 1".into(),
            },
            own_reference: "AVVIK-2026-0042".into(),
            nature: BreachNature {
                confidentiality: true,
                ..Default::default()
            },
            description: "A work phone with the home-care roster was left on a bus.".into(),
            cause: "Human error".into(),
            occurred_from: Some(datetime!(2026-10-23 07:40 +02:00)),
            occurred_to: None,
            discovered_at: Some(datetime!(2026-10-23 09:10 +02:00)),
            aware_at: Some(datetime!(2026-10-23 10:00 +02:00)),
            data_subject_categories: vec!["Home-care clients".into()],
            approx_data_subjects: Some(Approx { low: 30, high: 40 }),
            data_categories: vec!["Names".into(), "Addresses".into(), "Key-box codes".into()],
            special_categories: false,
            approx_records: None,
            data_location: "Unknown; the phone is locked with a PIN and has been wiped remotely."
                .into(),
            likely_consequences: "Risk of burglary if the key-box codes are read.".into(),
            severity_for_subjects: "Medium".into(),
            measures_taken: "Remote wipe; key-box codes changed.".into(),
            measures_proposed: "Rosters no longer stored on phones.".into(),
            dpo_contact: Contact {
                name: "Data Protection Officer".into(),
                email: "dpo@example.invalid".into(),
                phone: String::new(),
            },
            subjects_informed: SubjectsInformed::Planned {
                when: datetime!(2026-10-24 12:00 +02:00),
                how: "Letter".into(),
            },
            phased: false,
            cross_border: false,
            delay_reasons: String::new(),
            secrecy_note: String::new(),
        }
    }

    #[test]
    fn a_complete_draft_meets_the_article_33_minimum_and_every_national_form() {
        let d = lost_phone();
        assert!(d.missing_minimum().is_empty());
        for key in ["no_datatilsynet", "se_imy", "dk_datatilsynet"] {
            let filled = form_shape(key).unwrap().fill(&d, false);
            assert!(filled.missing.is_empty(), "{key}: {:?}", filled.missing);
        }
    }

    #[test]
    fn an_empty_draft_lists_the_minimum_fields_missing() {
        let d = BreachNotificationDraft::default();
        assert_eq!(d.missing_minimum(), ART33_MINIMUM.to_vec());
    }

    #[test]
    fn a_contact_without_a_way_to_reach_them_does_not_count() {
        let mut d = lost_phone();
        d.dpo_contact.email.clear();
        assert_eq!(d.missing_minimum(), vec![DraftField::DpoContact]);
    }

    #[test]
    fn a_late_notification_form_requires_the_delay_reasons() {
        let d = lost_phone();
        let filled = FORM_SE_IMY.fill(&d, true);
        assert_eq!(filled.missing, vec!["late_reasons"]);
    }

    #[test]
    fn the_filled_form_keeps_the_authoritys_field_order_and_exports_as_json() {
        let filled = FORM_DK_DATATILSYNET.fill(&lost_phone(), false);
        let keys: Vec<_> = filled.fields.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys.first(), Some(&"controller"));
        assert_eq!(keys.len(), FORM_DK_DATATILSYNET.fields.len());
        let json = serde_json::to_value(&filled).unwrap();
        assert_eq!(json["portal"], "Virk.dk");
        assert_eq!(json["fields"][2][1]["confidentiality"], true);
    }

    #[test]
    fn every_form_asks_for_the_article_33_minimum() {
        for form in [FORM_NO_DATATILSYNET, FORM_SE_IMY, FORM_DK_DATATILSYNET] {
            for m in [
                DraftField::Nature,
                DraftField::DpoContact,
                DraftField::LikelyConsequences,
                DraftField::MeasuresTaken,
            ] {
                assert!(
                    form.fields.iter().any(|f| f.source == m && f.required),
                    "{} lacks {m:?}",
                    form.key
                );
            }
        }
    }
}
