use super::*;
use crate::directory::Language;

fn no() -> Settings {
    Settings::preset(Country::No)
}

/// For every unit-overridable key: an override that tightens it, one that loosens it, and how to
/// read the value from settings. Exhaustive, so a new key needs a case here.
type Case = (UnitOverride, UnitOverride, fn(&Settings) -> String);

fn case(key: SettingKey) -> Option<Case> {
    use SettingKey as K;
    let o = UnitOverride::default;
    Some(match key {
        K::PasswordMinLength => (
            UnitOverride {
                password_min_length: Some(16),
                ..o()
            },
            UnitOverride {
                password_min_length: Some(8),
                ..o()
            },
            |s| s.password.min_length.to_string(),
        ),
        K::PasswordRequiredClasses => (
            UnitOverride {
                password_required_classes: Some([CharClass::Upper, CharClass::Digit].into()),
                ..o()
            },
            // Looser than a parent that requires Upper (see `strict_parent`).
            UnitOverride {
                password_required_classes: Some(BTreeSet::new()),
                ..o()
            },
            |s| format!("{:?}", s.password.required_classes),
        ),
        K::PasswordMinClasses => (
            UnitOverride {
                password_min_classes: Some(3),
                ..o()
            },
            UnitOverride {
                password_min_classes: Some(1),
                ..o()
            },
            |s| s.password.min_classes.to_string(),
        ),
        K::PasswordForbiddenChars => (
            UnitOverride {
                password_forbidden_chars: Some(['æ', 'ø', 'å'].into()),
                ..o()
            },
            UnitOverride {
                password_forbidden_chars: Some(BTreeSet::new()),
                ..o()
            },
            |s| format!("{:?}", s.password.forbidden_chars),
        ),
        K::PasswordRejectPersonalInfo => (
            UnitOverride {
                password_reject_personal_info: Some(true),
                ..o()
            },
            UnitOverride {
                password_reject_personal_info: Some(false),
                ..o()
            },
            |s| s.password.reject_personal_info.to_string(),
        ),
        K::PasswordRejectCommon => (
            UnitOverride {
                password_reject_common: Some(true),
                ..o()
            },
            UnitOverride {
                password_reject_common: Some(false),
                ..o()
            },
            |s| s.password.reject_common.to_string(),
        ),
        K::PasswordHistory => (
            UnitOverride {
                password_history: Some(12),
                ..o()
            },
            UnitOverride {
                password_history: Some(1),
                ..o()
            },
            |s| s.password.history.to_string(),
        ),
        K::PasswordMaxAgeDays => (
            UnitOverride {
                password_max_age_days: Some(60),
                ..o()
            },
            UnitOverride {
                password_max_age_days: Some(365),
                ..o()
            },
            |s| format!("{:?}", s.password.max_age_days),
        ),
        K::LockoutMaxFailures => (
            UnitOverride {
                lockout_max_failures: Some(3),
                ..o()
            },
            UnitOverride {
                lockout_max_failures: Some(10),
                ..o()
            },
            |s| s.password.lockout.max_failures.to_string(),
        ),
        K::LockoutMinutes => (
            UnitOverride {
                lockout_minutes: Some(60),
                ..o()
            },
            UnitOverride {
                lockout_minutes: Some(5),
                ..o()
            },
            |s| s.password.lockout.lock_minutes.to_string(),
        ),
        K::RequireTotp => (
            UnitOverride {
                require_totp: Some(true),
                ..o()
            },
            UnitOverride {
                require_totp: Some(false),
                ..o()
            },
            |s| s.require_totp.to_string(),
        ),
        K::SessionIdleMinutes => (
            UnitOverride {
                session_idle_minutes: Some(10),
                ..o()
            },
            UnitOverride {
                session_idle_minutes: Some(60),
                ..o()
            },
            |s| s.session_idle_minutes.to_string(),
        ),
        K::SessionAbsoluteMinutes => (
            UnitOverride {
                session_absolute_minutes: Some(240),
                ..o()
            },
            UnitOverride {
                session_absolute_minutes: Some(24 * 60),
                ..o()
            },
            |s| s.session_absolute_minutes.to_string(),
        ),
        K::RetentionUsageDays => (
            UnitOverride {
                retention_usage_days: Some(30),
                ..o()
            },
            UnitOverride {
                retention_usage_days: Some(365),
                ..o()
            },
            |s| s.audit_retention.usage_days.to_string(),
        ),
        K::RetentionMonitoringDays => (
            UnitOverride {
                retention_monitoring_days: Some(30),
                ..o()
            },
            UnitOverride {
                retention_monitoring_days: Some(365),
                ..o()
            },
            |s| s.audit_retention.monitoring_days.to_string(),
        ),
        K::RetentionSecurityDays => (
            UnitOverride {
                retention_security_days: Some(3650),
                ..o()
            },
            UnitOverride {
                retention_security_days: Some(30),
                ..o()
            },
            |s| s.audit_retention.security_days.to_string(),
        ),
        K::PasswordMaxLength | K::Languages | K::DefaultLanguage | K::TimeZone => return None,
    })
}

/// A parent in which every "looser" case above is really looser.
fn strict_parent() -> Settings {
    let mut s = no();
    s.password.required_classes = [CharClass::Upper].into();
    s.password.min_classes = 2;
    s.password.forbidden_chars = ['æ'].into();
    s.password.max_age_days = Some(180);
    s
}

#[test]
fn every_key_is_applied_and_rejected_when_looser() {
    let parent = strict_parent();
    assert_eq!(parent.validate(), Ok(()));
    for &key in SettingKey::ALL {
        let Some((stricter, looser, read)) = case(key) else {
            assert_eq!(key.direction(), Direction::TenantOnly, "{key:?}");
            continue;
        };
        assert_ne!(key.direction(), Direction::TenantOnly, "{key:?}");
        assert_eq!(validate_override(&parent, &stricter), Ok(()), "{key:?}");
        let tightened = effective(&parent, std::slice::from_ref(&stricter));
        assert_eq!(
            apply_override(&parent, &stricter).1,
            vec![],
            "{key:?} stricter"
        );
        if key != SettingKey::RequireTotp
            && key != SettingKey::PasswordRejectCommon
            && key != SettingKey::PasswordRejectPersonalInfo
        {
            assert_ne!(read(&tightened), read(&parent), "{key:?} was not applied");
        }
        assert_eq!(
            validate_override(&parent, &looser),
            Err(vec![SettingError::Looser {
                key,
                direction: key.direction()
            }]),
            "{key:?} looser"
        );
        // A looser value never takes effect.
        let eff = effective(&parent, std::slice::from_ref(&looser));
        assert_eq!(read(&eff), read(&parent), "{key:?} loosened the policy");
    }
}

#[test]
fn min_length_may_only_go_up() {
    let t = no();
    let up = UnitOverride {
        password_min_length: Some(14),
        ..Default::default()
    };
    let down = UnitOverride {
        password_min_length: Some(10),
        ..Default::default()
    };
    assert_eq!(
        effective(&t, std::slice::from_ref(&up)).password.min_length,
        14
    );
    assert!(validate_override(&t, &down).is_err());
    assert_eq!(effective(&t, &[down]).password.min_length, 12);
}

#[test]
fn timeouts_may_only_go_down() {
    let t = no();
    let shorter = UnitOverride {
        session_idle_minutes: Some(5),
        session_absolute_minutes: Some(8 * 60),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &shorter), Ok(()));
    let e = effective(&t, &[shorter]);
    assert_eq!(
        (e.session_idle_minutes, e.session_absolute_minutes),
        (5, 480)
    );
    let longer = UnitOverride {
        session_idle_minutes: Some(45),
        ..Default::default()
    };
    assert_eq!(
        validate_override(&t, &longer),
        Err(vec![SettingError::Looser {
            key: SettingKey::SessionIdleMinutes,
            direction: Direction::Decrease
        }])
    );
}

#[test]
fn require_totp_may_only_go_from_false_to_true() {
    let mut t = no();
    t.require_totp = false;
    let on = UnitOverride {
        require_totp: Some(true),
        ..Default::default()
    };
    assert!(effective(&t, &[on]).require_totp);
    let off = UnitOverride {
        require_totp: Some(false),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &off), Ok(())); // same as parent: allowed
    assert!(validate_override(&no(), &off).is_err());
    assert!(effective(&no(), &[off]).require_totp);
}

#[test]
fn privacy_retention_may_only_go_down_and_security_retention_only_up() {
    let t = no();
    let ov = UnitOverride {
        retention_usage_days: Some(30),
        retention_security_days: Some(10 * 365),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &ov), Ok(()));
    let e = effective(&t, &[ov]);
    assert_eq!(e.audit_retention.usage_days, 30);
    assert_eq!(e.audit_retention.security_days, 3650);
    let wrong = UnitOverride {
        retention_usage_days: Some(120),
        retention_security_days: Some(365),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &wrong).map_err(|e| e.len()), Err(2));
}

#[test]
fn forbidden_chars_and_required_classes_only_grow() {
    let mut t = no();
    t.password.forbidden_chars = ['æ'].into();
    let other = UnitOverride {
        password_forbidden_chars: Some(['ø'].into()),
        ..Default::default()
    };
    // Naming a different set drops 'æ': looser. In effect, both apply.
    assert!(validate_override(&t, &other).is_err());
    assert_eq!(
        effective(&t, &[other]).password.forbidden_chars,
        ['æ', 'ø'].into()
    );
    let superset = UnitOverride {
        password_forbidden_chars: Some(['æ', 'ø', 'å'].into()),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &superset), Ok(()));
}

#[test]
fn password_expiry_may_be_set_or_shortened_but_not_removed_or_lengthened() {
    let t = no(); // no expiry
    let set = UnitOverride {
        password_max_age_days: Some(90),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &set), Ok(()));
    let with_expiry = effective(&t, &[set]);
    assert_eq!(with_expiry.password.max_age_days, Some(90));
    let longer = UnitOverride {
        password_max_age_days: Some(180),
        ..Default::default()
    };
    assert!(validate_override(&with_expiry, &longer).is_err());
    assert_eq!(
        effective(&with_expiry, &[longer]).password.max_age_days,
        Some(90)
    );
}

#[test]
fn lockout_failures_only_down_and_duration_only_up() {
    let t = no();
    let ov = UnitOverride {
        lockout_max_failures: Some(3),
        lockout_minutes: Some(60),
        ..Default::default()
    };
    let e = effective(&t, &[ov]);
    assert_eq!(e.password.lockout.max_failures, 3);
    assert_eq!(e.password.lockout.lock_minutes, 60);
}

#[test]
fn overrides_apply_from_root_to_leaf_and_a_child_cannot_undo_its_parent() {
    let t = no();
    let sector = UnitOverride {
        password_min_length: Some(14),
        session_idle_minutes: Some(15),
        ..Default::default()
    };
    let school = UnitOverride {
        password_min_length: Some(13),
        require_totp: Some(true),
        ..Default::default()
    };
    let sector_eff = effective(&t, std::slice::from_ref(&sector));
    assert!(validate_override(&sector_eff, &school).is_err());
    let e = effective(&t, &[sector, school]);
    assert_eq!(e.password.min_length, 14);
    assert_eq!(e.session_idle_minutes, 15);
}

#[test]
fn an_override_made_looser_by_a_later_tenant_change_is_ignored() {
    let mut t = no();
    let unit = UnitOverride {
        password_min_length: Some(14),
        ..Default::default()
    };
    assert_eq!(validate_override(&t, &unit), Ok(()));
    t.password.min_length = 16; // the tenant tightens later
    assert_eq!(effective(&t, &[unit]).password.min_length, 16);
}

#[test]
fn stricter_but_unusable_values_are_rejected_as_out_of_range() {
    let t = no();
    let zero = UnitOverride {
        session_idle_minutes: Some(0),
        ..Default::default()
    };
    assert_eq!(
        validate_override(&t, &zero),
        Err(vec![SettingError::Invalid {
            key: SettingKey::SessionIdleMinutes,
            problem: Problem::OutOfRange {
                min: 1,
                max: 24 * 60
            }
        }])
    );
    let huge = UnitOverride {
        password_min_length: Some(500),
        ..Default::default()
    };
    assert!(validate_override(&t, &huge).is_err());
}

#[test]
fn country_presets_set_language_and_time_zone_and_secure_defaults() {
    for (c, lang, tz) in [
        (Country::No, Language::Nb, "Europe/Oslo"),
        (Country::Se, Language::Sv, "Europe/Stockholm"),
        (Country::Dk, Language::Da, "Europe/Copenhagen"),
    ] {
        let s = Settings::preset(c);
        assert_eq!(s.default_language, lang);
        assert_eq!(s.time_zone, tz);
        assert!(s.require_totp);
        assert_eq!(s.session_idle_minutes, 30);
        assert_eq!(s.session_absolute_minutes, 720);
        assert_eq!(s.audit_retention.usage_days, 90);
        assert_eq!(s.audit_retention.monitoring_days, 90);
        assert_eq!(s.password, PasswordPolicy::default());
        assert_eq!(s.languages.len(), 4);
        assert_eq!(s.validate(), Ok(()));
    }
}

#[test]
fn every_password_preset_is_a_valid_tenant_setting() {
    for preset in PasswordPreset::ALL {
        let s = Settings {
            password: PasswordPolicy::preset(preset),
            ..no()
        };
        assert_eq!(s.validate(), Ok(()), "{preset:?}");
    }
}

#[test]
fn tenant_settings_validation_reports_every_problem() {
    let mut s = no();
    s.password.min_length = 4;
    s.session_idle_minutes = 0;
    s.languages = vec![Language::En];
    s.default_language = Language::Nb;
    s.time_zone = "<script>".into();
    let errors = s.validate().expect_err("invalid");
    let keys: Vec<SettingKey> = errors
        .iter()
        .map(|e| match e {
            SettingError::Invalid { key, .. } | SettingError::Looser { key, .. } => *key,
        })
        .collect();
    assert_eq!(
        keys,
        vec![
            SettingKey::PasswordMinLength,
            SettingKey::SessionIdleMinutes,
            SettingKey::DefaultLanguage,
            SettingKey::TimeZone
        ]
    );
}

#[test]
fn time_zone_names_are_checked_for_shape() {
    for ok in [
        "Europe/Oslo",
        "America/Argentina/Buenos_Aires",
        "UTC",
        "Etc/GMT+1",
    ] {
        assert!(is_plausible_time_zone(ok), "{ok}");
    }
    for bad in [
        "",
        "Oslo",
        "europe/oslo",
        "Europe//Oslo",
        "Europe/Oslo; DROP",
        "Ø/Å",
        "Europe/Atlantis",
    ] {
        assert!(!is_plausible_time_zone(bad), "{bad}");
    }
}

#[test]
fn settings_round_trip_as_json_and_missing_fields_take_defaults() {
    let s = Settings::preset(Country::Se);
    let json = serde_json::to_string(&s).expect("json");
    let back: Settings = serde_json::from_str(&json).expect("parse");
    assert_eq!(back, s);
    let partial: Settings = serde_json::from_str(r#"{"require_totp": false}"#).expect("parse");
    assert!(!partial.require_totp);
    assert_eq!(partial.session_idle_minutes, 30);
}

#[test]
fn unit_override_json_is_sparse_and_rejects_unknown_fields() {
    let ov = UnitOverride {
        require_totp: Some(true),
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_string(&ov).expect("json"),
        r#"{"require_totp":true}"#
    );
    assert!(serde_json::from_str::<UnitOverride>(r#"{"time_zone":"UTC"}"#).is_err());
    assert!(UnitOverride::default().is_empty());
}

#[test]
fn setting_errors_serialise_with_stable_codes() {
    let e = SettingError::Looser {
        key: SettingKey::RequireTotp,
        direction: Direction::TurnOn,
    };
    assert_eq!(
        serde_json::to_string(&e).expect("json"),
        r#"{"code":"looser","key":"require_totp","direction":"turn_on"}"#
    );
    let codes: std::collections::HashSet<&str> = SettingKey::ALL.iter().map(|k| k.code()).collect();
    assert_eq!(codes.len(), SettingKey::ALL.len());
}

#[test]
fn languages_must_be_listed_once() {
    let mut s = no();
    s.languages = vec![Language::Nb, Language::Nb];
    assert_eq!(
        s.validate(),
        Err(vec![SettingError::Invalid {
            key: SettingKey::Languages,
            problem: Problem::Duplicate
        }])
    );
    s.languages = vec![];
    assert_eq!(
        s.validate(),
        Err(vec![SettingError::Invalid {
            key: SettingKey::Languages,
            problem: Problem::Empty
        }])
    );
}

#[test]
fn stored_document_overlays_the_country_preset() {
    let empty = serde_json::json!({});
    assert_eq!(
        Settings::from_stored(Country::Dk, &empty).expect("read"),
        Settings::preset(Country::Dk)
    );
    let partial = serde_json::json!({"password": {"min_length": 14}, "require_totp": false});
    let s = Settings::from_stored(Country::Se, &partial).expect("read");
    assert_eq!(s.password.min_length, 14);
    assert_eq!(s.password.history, PasswordPolicy::default().history);
    assert!(!s.require_totp);
    assert_eq!(s.default_language, Language::Sv);
    let full = Settings::preset(Country::No).to_stored();
    assert_eq!(
        Settings::from_stored(Country::Dk, &full).expect("read"),
        Settings::preset(Country::No)
    );
    let bad = serde_json::json!({"require_totp": "yes"});
    assert!(Settings::from_stored(Country::No, &bad).is_err());
}

#[test]
fn effective_for_unit_walks_from_the_root_to_the_unit() {
    use crate::directory::{OrgUnit, TenantId, UnitId};
    let tenant = TenantId::new();
    let mk = |parent: Option<UnitId>, code: &str| OrgUnit {
        id: UnitId::new(),
        tenant,
        parent,
        name: code.into(),
        code: code.into(),
        leader: None,
    };
    let root = mk(None, "root");
    let sector = mk(Some(root.id), "sector");
    let school = mk(Some(sector.id), "school");
    let other = mk(Some(root.id), "other");
    let units = vec![root.clone(), sector.clone(), school.clone(), other.clone()];
    let mut overrides = HashMap::new();
    overrides.insert(
        sector.id,
        UnitOverride::from_stored(&serde_json::json!({"password_min_length": 14})).expect("ov"),
    );
    overrides.insert(
        school.id,
        UnitOverride {
            session_idle_minutes: Some(10),
            ..Default::default()
        },
    );
    let t = no();
    let at_school = effective_for_unit(&t, &units, &overrides, school.id);
    assert_eq!(at_school.password.min_length, 14);
    assert_eq!(at_school.session_idle_minutes, 10);
    let at_other = effective_for_unit(&t, &units, &overrides, other.id);
    assert_eq!(at_other, t);
    assert_eq!(
        parent_effective(&t, &units, &overrides, school.id)
            .password
            .min_length,
        14
    );
    assert_eq!(parent_effective(&t, &units, &overrides, root.id), t);
    assert_eq!(effective_for_unit(&t, &units, &overrides, UnitId::new()), t);
    assert_eq!(
        overrides[&sector.id].to_stored(),
        serde_json::json!({"password_min_length": 14})
    );
}

#[test]
fn every_setting_label_direction_and_error_has_a_message_in_every_language() {
    let files = [
        include_str!("../../../vakt-web/i18n/nb/policy.ftl"),
        include_str!("../../../vakt-web/i18n/sv/policy.ftl"),
        include_str!("../../../vakt-web/i18n/da/policy.ftl"),
        include_str!("../../../vakt-web/i18n/en/policy.ftl"),
    ];
    let mut keys: Vec<String> = SettingKey::ALL.iter().map(|k| k.fluent_key()).collect();
    for k in SettingKey::ALL {
        keys.push(k.direction().fluent_key().to_string());
    }
    let k = SettingKey::Languages;
    let errors = [
        SettingError::Looser {
            key: k,
            direction: Direction::Grow,
        },
        SettingError::Invalid {
            key: k,
            problem: Problem::OutOfRange { min: 1, max: 2 },
        },
        SettingError::Invalid {
            key: k,
            problem: Problem::Empty,
        },
        SettingError::Invalid {
            key: k,
            problem: Problem::Duplicate,
        },
        SettingError::Invalid {
            key: k,
            problem: Problem::NotEnabled,
        },
        SettingError::Invalid {
            key: k,
            problem: Problem::BadTimeZone,
        },
    ];
    for p in PasswordPreset::ALL {
        keys.push(p.fluent_key().to_string());
    }
    for c in CharClass::ALL {
        keys.push(c.fluent_key().to_string());
    }
    for d in [
        crate::authz::Denied::OtherTenant,
        crate::authz::Denied::NotHostAdmin,
        crate::authz::Denied::NotOwner,
        crate::authz::Denied::AuditorReadOnly,
        crate::authz::Denied::OutsideLedUnits,
        crate::authz::Denied::MissingRole,
    ] {
        keys.push(d.fluent_key());
    }
    let bundles = crate::ftl_check::load([
        ("nb", files[0]),
        ("sv", files[1]),
        ("da", files[2]),
        ("en", files[3]),
    ]);
    for (lang, bundle) in &bundles {
        for key in &keys {
            crate::ftl_check::render(lang, bundle, key, &[]);
        }
        for e in &errors {
            let args: Vec<(&str, String)> = e
                .fluent_args()
                .into_iter()
                .map(|(name, value)| {
                    if name == "setting" {
                        (name, crate::ftl_check::render(lang, bundle, &value, &[]))
                    } else {
                        (name, value)
                    }
                })
                .collect();
            let text = crate::ftl_check::render(lang, bundle, e.fluent_key(), &args);
            if let SettingError::Invalid {
                problem: Problem::OutOfRange { min, max },
                ..
            } = e
            {
                assert!(text.contains(&min.to_string()) && text.contains(&max.to_string()));
            }
        }
    }
    assert_eq!(
        SettingKey::LockoutMinutes.fluent_key(),
        "setting-password-lockout-lock-minutes"
    );
}
