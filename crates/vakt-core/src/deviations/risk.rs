//! Severity and the consequence × likelihood risk matrix.

use serde::{Deserialize, Serialize};

/// How bad the consequences are or could be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Consequence {
    Minor = 1,
    Moderate = 2,
    Serious = 3,
    Critical = 4,
}

/// How likely the consequences are (or a repeat is).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Likelihood {
    Rare = 1,
    Possible = 2,
    Likely = 3,
    AlmostCertain = 4,
}

/// The level read off the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    Low,
    Medium,
    High,
    VeryHigh,
}

/// A case's severity. `Serious` is the level that alerts the officer on duty and the named roles
/// at once (R-131: can cause great or catastrophic harm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Serious,
}

impl Severity {
    /// Whether setting this severity triggers the immediate serious-incident alert.
    pub fn alerts_on_duty(self) -> bool {
        self == Severity::Serious
    }

    /// The severity the matrix suggests for a risk level (the handler may choose another).
    pub fn suggested_for(level: RiskLevel) -> Severity {
        match level {
            RiskLevel::Low => Severity::Low,
            RiskLevel::Medium => Severity::Medium,
            RiskLevel::High => Severity::High,
            RiskLevel::VeryHigh => Severity::Serious,
        }
    }
}

/// A recorded consequence × likelihood assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskAssessment {
    pub consequence: Consequence,
    pub likelihood: Likelihood,
}

/// Thresholds on the score `consequence × likelihood` (1..=16). Tenants may configure them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskMatrix {
    pub medium_from: u8,
    pub high_from: u8,
    pub very_high_from: u8,
}

impl Default for RiskMatrix {
    /// 1–3 low, 4–6 medium, 8–9 high, 12–16 very high.
    fn default() -> Self {
        RiskMatrix {
            medium_from: 4,
            high_from: 8,
            very_high_from: 12,
        }
    }
}

impl RiskAssessment {
    /// `consequence × likelihood`, 1..=16.
    pub fn score(self) -> u8 {
        (self.consequence as u8) * (self.likelihood as u8)
    }
}

impl RiskMatrix {
    /// The level of an assessment.
    pub fn level(&self, a: RiskAssessment) -> RiskLevel {
        let s = a.score();
        if s >= self.very_high_from {
            RiskLevel::VeryHigh
        } else if s >= self.high_from {
            RiskLevel::High
        } else if s >= self.medium_from {
            RiskLevel::Medium
        } else {
            RiskLevel::Low
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(c: Consequence, l: Likelihood) -> RiskLevel {
        RiskMatrix::default().level(RiskAssessment {
            consequence: c,
            likelihood: l,
        })
    }

    #[test]
    fn the_matrix_grows_with_both_consequence_and_likelihood() {
        assert_eq!(level(Consequence::Minor, Likelihood::Rare), RiskLevel::Low);
        assert_eq!(
            level(Consequence::Moderate, Likelihood::Possible),
            RiskLevel::Medium
        );
        assert_eq!(
            level(Consequence::Critical, Likelihood::Possible),
            RiskLevel::High
        );
        assert_eq!(
            level(Consequence::Critical, Likelihood::AlmostCertain),
            RiskLevel::VeryHigh
        );
        // Monotone in both directions.
        let cs = [
            Consequence::Minor,
            Consequence::Moderate,
            Consequence::Serious,
            Consequence::Critical,
        ];
        let ls = [
            Likelihood::Rare,
            Likelihood::Possible,
            Likelihood::Likely,
            Likelihood::AlmostCertain,
        ];
        for c in cs.windows(2) {
            for l in ls {
                assert!(level(c[0], l) <= level(c[1], l));
            }
        }
        for l in ls.windows(2) {
            for c in cs {
                assert!(level(c, l[0]) <= level(c, l[1]));
            }
        }
    }

    #[test]
    fn only_serious_severity_alerts_the_officer_on_duty() {
        assert!(Severity::Serious.alerts_on_duty());
        assert!(!Severity::High.alerts_on_duty());
        assert_eq!(
            Severity::suggested_for(RiskLevel::VeryHigh),
            Severity::Serious
        );
    }
}
