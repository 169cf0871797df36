//! `vakt demo --seed-only` seeds a year of deviation cases through the ordinary store writes.

use crate::platform::Env;

fn engines() -> Vec<Env> {
    let mut v = vec![Env::sqlite()];
    v.extend(Env::postgres());
    v
}

fn count(env: &Env, sql: &str) -> i64 {
    env.scalar(sql).parse().expect("a count")
}

#[test]
fn the_demo_has_a_year_of_cases_of_every_kind_and_its_audit_chain_verifies() {
    for env in engines() {
        env.ok(&["demo", "--seed-only", "--no-totp", "--people", "120"]);
        let cases = count(&env, "SELECT COUNT(*) FROM dev_cases");
        assert!((60..=120).contains(&cases), "{cases} cases");
        // Several kinds, each its own category, with cases in each.
        let kinds = count(
            &env,
            "SELECT COUNT(DISTINCT c.key) FROM dev_cases d JOIN dev_categories c ON c.id = d.category_id",
        );
        assert!(kinds >= 8, "{kinds} kinds");
        for key in ["lost_equipment", "misdirected_email", "phishing", "outage"] {
            let n = count(
                &env,
                &format!(
                    "SELECT COUNT(*) FROM dev_cases d JOIN dev_categories c ON c.id = d.category_id WHERE c.key = '{key}'"
                ),
            );
            assert!(n > 0, "no {key} case");
        }
        // Every state; closed ones with lessons learned; pending measures with owners and dates.
        for state in ["reported", "triage", "investigation", "measures", "closed"] {
            let n = count(
                &env,
                &format!("SELECT COUNT(*) FROM dev_cases WHERE state = '{state}'"),
            );
            assert!(n > 0, "no case in state {state}");
        }
        assert_eq!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_cases WHERE state = 'closed' AND dismissed_reason IS NULL AND lessons_learned = ''"
            ),
            0
        );
        assert!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_measures WHERE status = 'open' AND due_at IS NOT NULL"
            ) > 0
        );
        // Spread over the past year: most reports are older than the newest untouched one by weeks.
        let old = count(
            &env,
            "SELECT COUNT(*) FROM dev_cases WHERE reported_at < (SELECT MIN(reported_at) FROM dev_cases WHERE state = 'reported')",
        );
        assert!(old > 50, "{old}");
        // The breach register: breaches reported to Datatilsynet, one late with reasons, one
        // decided not notifiable with reasoning; one NIS2 incident reported in three phases.
        assert!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_cases WHERE is_breach = TRUE"
            ) >= 5
        );
        assert!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_submissions s JOIN dev_obligations o ON o.id = s.obligation_id WHERE o.regime = 'gdpr_authority'"
            ) >= 4
        );
        assert_eq!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_submissions WHERE delay_reasons IS NOT NULL"
            ),
            1
        );
        assert_eq!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_obligations WHERE regime = 'gdpr_authority' AND decision LIKE '%not_required%'"
            ),
            1
        );
        assert_eq!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_submissions s JOIN dev_obligations o ON o.id = s.obligation_id WHERE o.regime = 'nis2'"
            ),
            3
        );
        // Every step went through the audited writes, and the chain holds.
        assert_eq!(
            count(
                &env,
                "SELECT COUNT(*) FROM audit_events WHERE action = 'deviation.report'"
            ),
            cases
        );
        let out = env.ok(&["audit", "verify"]);
        assert!(out.contains("ok: tenant"), "{out}");
        assert!(!out.contains("FAILED"), "{out}");
    }
}

#[test]
fn bulk_cases_for_benchmarks_are_added_in_batches_and_the_chain_still_verifies() {
    for env in engines() {
        env.ok(&[
            "demo",
            "--seed-only",
            "--no-totp",
            "--people",
            "120",
            "--cases",
            "2500",
        ]);
        let cases = count(&env, "SELECT COUNT(*) FROM dev_cases");
        // The ordinary demo year plus the bulk ones.
        assert!((2560..=2620).contains(&cases), "{cases} cases");
        assert!(
            count(
                &env,
                "SELECT COUNT(*) FROM dev_cases WHERE is_breach = TRUE"
            ) >= 100
        );
        for state in ["reported", "triage", "investigation", "measures", "closed"] {
            let n = count(
                &env,
                &format!("SELECT COUNT(*) FROM dev_cases WHERE state = '{state}'"),
            );
            assert!(n > 100, "{n} bulk cases in state {state}");
        }
        assert!(count(&env, "SELECT COUNT(DISTINCT unit_id) FROM dev_cases") > 5);
        env.ok(&["audit", "verify"]);
    }
}
