//! Special categories of personal data (GDPR Art. 9: health, ethnic origin, religion, trade-union
//! membership, sexual orientation) and criminal-record data (Art. 10), found through weighted term lists
//! in Norwegian, Swedish and Danish (`crates/vakt-scan/terms/{nb,sv,da}.toml`, extendable by a rules
//! file). A file's confidence for a category is `1 - Π(1 - weight)` over the distinct terms that matched
//! in it; the finding lists the terms.

/// Special categories of personal data (GDPR Art. 9) and criminal-record data (Art. 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    Health,
    Ethnic,
    Religion,
    Union,
    SexualOrientation,
    Criminal,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::Health,
        Category::Ethnic,
        Category::Religion,
        Category::Union,
        Category::SexualOrientation,
        Category::Criminal,
    ];

    /// Name used in term files (`health`, ...).
    pub fn name(self) -> &'static str {
        match self {
            Category::Health => "health",
            Category::Ethnic => "ethnic",
            Category::Religion => "religion",
            Category::Union => "union",
            Category::SexualOrientation => "sexual_orientation",
            Category::Criminal => "criminal",
        }
    }

    /// Stable finding code (`category.health`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Category::Health => "category.health",
            Category::Ethnic => "category.ethnic",
            Category::Religion => "category.religion",
            Category::Union => "category.union",
            Category::SexualOrientation => "category.sexual_orientation",
            Category::Criminal => "category.criminal",
        }
    }

    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Combine the weights of the distinct terms that matched: `1 - Π(1 - w)`.
pub fn combine<'a>(weights: impl IntoIterator<Item = &'a f32>) -> f32 {
    let mut p = 1.0f32;
    for w in weights {
        p *= 1.0 - w.clamp(0.0, 1.0);
    }
    1.0 - p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_combine_so_that_more_terms_mean_more_confidence() {
        assert!((combine(&[0.7]) - 0.7).abs() < 1e-6);
        assert!((combine(&[0.5, 0.5]) - 0.75).abs() < 1e-6);
        assert_eq!(combine(&[]), 0.0);
        assert!(
            combine(&[0.35, 0.35]) < 0.6,
            "two weak terms are not enough at the default threshold"
        );
        assert!(combine(&[0.35, 0.35, 0.35]) > 0.7);
    }

    #[test]
    fn codes_and_names_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_name(c.name()), Some(c));
            assert_eq!(c.code(), format!("category.{}", c.name()));
        }
    }
}
