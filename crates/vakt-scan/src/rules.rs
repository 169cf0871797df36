//! The rules of a scan: which kinds to report, the minimum confidence, the country preference, exclusions
//! by path glob and by value, and extra context words and category terms.
//!
//! Built-in defaults come from the term files under `crates/vakt-scan/terms/` (embedded in the binary).
//! A rules file (TOML, `--rules FILE`) adds to them and overrides the scalar settings:
//!
//! ```toml
//! kinds = ["no", "se.pnr", "category"]   # kind codes or their prefixes; default: everything
//! min_confidence = 0.5                   # ID numbers below this are not reported
//! country = "no"                         # settles numbers valid in two countries: no|se|dk|fi
//!
//! [categories]
//! min_confidence = 0.6                   # special-category findings below this are not reported
//!
//! [exclude]
//! paths = ["**/testdata/**", "*.log"]    # globs matched against the path (and the path below a root)
//! values = ["010190 12345"]              # numbers never to report (separators ignored)
//!
//! [limits]                               # safety limits (command-line flags override them)
//! max_filesize = "256M"                  # files and members larger than this are skipped
//! max_depth = 5                          # nesting of archives, attachments, embedded documents
//! max_decompressed = "1G"                # bytes decompressed out of one file, over all members
//! max_ratio = 200                        # uncompressed/compressed size of one member (zip bombs)
//! timeout = 60                           # seconds allowed per file
//! max_pdf_memory = "1G"                  # address space of the PDF worker process
//!
//! [[positive]]                           # more words that mark a number as an ID number
//! country = "no"                         # no|se|dk|fi|any
//! terms = ["elevnr"]
//!
//! [[negative]]                           # more words that mark a number as something else
//! terms = ["kundenr"]
//!
//! [[category]]                           # more special-category terms
//! category = "health"                    # health|ethnic|religion|union|sexual_orientation|criminal
//! weight = 0.6
//! terms = ["heimesjukepleie"]
//! ```

use std::collections::BTreeSet;

use serde::Deserialize;
use vakt_idnr::{Country, Kind};

pub use crate::categories::Category;

/// Built-in context words.
pub const CONTEXT_TERMS: &str = include_str!("../terms/context.toml");
/// Built-in special-category terms, one file per language.
pub const CATEGORY_TERMS: [(&str, &str); 3] = [
    ("nb", include_str!("../terms/nb.toml")),
    ("sv", include_str!("../terms/sv.toml")),
    ("da", include_str!("../terms/da.toml")),
];

/// Stable code of an ID kind, independent of `vakt_idnr`'s implementation.
pub fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::NoFnr => "no.fnr",
        Kind::NoDnr => "no.dnr",
        Kind::NoHnr => "no.hnr",
        Kind::NoTest => "no.test",
        Kind::SePnr => "se.pnr",
        Kind::SeSnr => "se.snr",
        Kind::DkCpr => "dk.cpr",
        Kind::FiHetu => "fi.hetu",
    }
}

/// Country of an ID kind.
pub fn kind_country(kind: Kind) -> Country {
    match kind {
        Kind::NoFnr | Kind::NoDnr | Kind::NoHnr | Kind::NoTest => Country::No,
        Kind::SePnr | Kind::SeSnr => Country::Se,
        Kind::DkCpr => Country::Dk,
        Kind::FiHetu => Country::Fi,
    }
}

/// Every finding code the scanner can report.
pub fn all_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Kind::ALL.iter().map(|k| kind_code(*k)).collect();
    v.extend(Category::ALL.iter().map(|c| c.code()));
    v
}

/// Parse a country code (`no`, `se`, `dk`, `fi`).
pub fn parse_country(s: &str) -> Option<Country> {
    match s.trim().to_ascii_lowercase().as_str() {
        "no" | "nor" | "norway" => Some(Country::No),
        "se" | "swe" | "sweden" => Some(Country::Se),
        "dk" | "dan" | "denmark" => Some(Country::Dk),
        "fi" | "fin" | "finland" => Some(Country::Fi),
        _ => None,
    }
}

/// A problem with the rules (file or flags).
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rules file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("invalid rules file {path}: {detail}")]
    Parse { path: String, detail: String },
    #[error(
        "unknown kind selector `{0}` (use codes such as no.fnr, se, dk.cpr, category.health, category, all)"
    )]
    UnknownKind(String),
    #[error("unknown country `{0}` (use no, se, dk or fi)")]
    UnknownCountry(String),
    #[error("unknown category `{0}`")]
    UnknownCategory(String),
    #[error("invalid path glob `{glob}`: {detail}")]
    Glob { glob: String, detail: String },
    #[error("{what} must be between 0 and 1, got {value}")]
    Range { what: &'static str, value: f64 },
    #[error("limits.{what}: invalid size `{value}` (use e.g. 1048576, 512K, 10M, 2G)")]
    Size { what: &'static str, value: String },
    #[error("limits.{what} must be greater than 0")]
    Zero { what: &'static str },
    #[error("term list does not compile: {0}")]
    Terms(String),
}

impl crate::text::Explain for RulesError {
    fn message(&self) -> crate::text::Message {
        use crate::text::Message;
        let english = self.to_string();
        match self {
            RulesError::Read { path, source } => Message::new("scan-rules-read", english)
                .arg("path", path.as_str())
                .arg("detail", source.to_string()),
            RulesError::Parse { path, detail } => Message::new("scan-rules-parse", english)
                .arg("path", path.as_str())
                .arg("detail", detail.as_str()),
            RulesError::UnknownKind(k) => {
                Message::new("scan-rules-unknown-kind", english).arg("value", k.as_str())
            }
            RulesError::UnknownCountry(c) => {
                Message::new("scan-rules-unknown-country", english).arg("value", c.as_str())
            }
            RulesError::UnknownCategory(c) => {
                Message::new("scan-rules-unknown-category", english).arg("value", c.as_str())
            }
            RulesError::Glob { glob, detail } => Message::new("scan-error-glob", english)
                .arg("glob", glob.as_str())
                .arg("detail", detail.as_str()),
            RulesError::Range { what, value } => Message::new("scan-rules-range", english)
                .arg("what", *what)
                .arg("value", crate::text::Arg::Number(*value)),
            RulesError::Size { what, value } => Message::new("scan-rules-size", english)
                .arg("what", format!("limits.{what}"))
                .arg("value", value.as_str()),
            RulesError::Zero { what } => {
                Message::new("scan-rules-zero", english).arg("what", format!("limits.{what}"))
            }
            RulesError::Terms(d) => {
                Message::new("scan-rules-terms", english).arg("detail", d.as_str())
            }
        }
    }
}

/// One list of context words.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextList {
    /// `no`, `se`, `dk`, `fi` or `any` (positive lists only; default `any`).
    #[serde(default)]
    pub country: Option<String>,
    pub terms: Vec<String>,
}

/// One weighted list of special-category terms.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryList {
    pub category: String,
    pub weight: f64,
    pub terms: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesSection {
    min_confidence: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExcludeSection {
    #[serde(default)]
    paths: Vec<String>,
    #[serde(default)]
    values: Vec<String>,
}

/// A size in a rules file: bytes as an integer, or a string with a K/M/G/T suffix.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum SizeValue {
    Bytes(u64),
    Text(String),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsSection {
    max_filesize: Option<SizeValue>,
    max_depth: Option<u32>,
    max_decompressed: Option<SizeValue>,
    max_ratio: Option<u64>,
    timeout: Option<u64>,
    max_pdf_memory: Option<SizeValue>,
}

/// Safety limits set by a rules file (each `None` keeps the default or the flag).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleLimits {
    pub max_file_size: Option<u64>,
    pub max_depth: Option<u32>,
    pub max_total_decompressed: Option<u64>,
    pub max_ratio: Option<u64>,
    pub timeout_secs: Option<u64>,
    pub max_pdf_memory: Option<u64>,
}

fn size_value(what: &'static str, v: Option<SizeValue>) -> Result<Option<u64>, RulesError> {
    match v {
        None => Ok(None),
        Some(SizeValue::Bytes(n)) => Ok(Some(n)),
        Some(SizeValue::Text(t)) => crate::cli::parse_size(&t)
            .map(Some)
            .ok_or(RulesError::Size { what, value: t }),
    }
}

/// The TOML layout shared by the built-in term files and a user's rules file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    kinds: Option<Vec<String>>,
    min_confidence: Option<f64>,
    country: Option<String>,
    #[serde(default)]
    categories: CategoriesSection,
    #[serde(default)]
    exclude: ExcludeSection,
    #[serde(default)]
    limits: LimitsSection,
    #[serde(default)]
    positive: Vec<ContextList>,
    #[serde(default)]
    negative: Vec<ContextList>,
    #[serde(default)]
    category: Vec<CategoryList>,
}

/// A positive context word and the country it speaks for (`None` = any country).
#[derive(Debug, Clone, PartialEq)]
pub struct PositiveTerm {
    pub term: String,
    pub country: Option<Country>,
}

/// A special-category term and its weight.
#[derive(Debug, Clone, PartialEq)]
pub struct CategoryTerm {
    pub term: String,
    pub category: Category,
    pub weight: f32,
}

/// Effective rules of a scan.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Finding codes to report.
    pub kinds: BTreeSet<&'static str>,
    /// ID numbers scoring below this are not reported.
    pub min_confidence: f32,
    /// Special-category findings scoring below this are not reported.
    pub category_min_confidence: f32,
    /// Preferred country for numbers valid in two countries.
    pub country: Option<Country>,
    /// Path globs never scanned.
    pub exclude_paths: Vec<String>,
    /// Numbers never reported, as uppercase letters and digits without separators.
    pub exclude_values: BTreeSet<String>,
    pub positive: Vec<PositiveTerm>,
    pub negative: Vec<String>,
    pub category_terms: Vec<CategoryTerm>,
    /// Safety limits from the rules file.
    pub limits: RuleLimits,
}

/// Default minimum confidence for ID numbers.
pub const DEFAULT_MIN_CONFIDENCE: f32 = 0.5;
/// Default minimum confidence for special-category findings.
pub const DEFAULT_CATEGORY_MIN_CONFIDENCE: f32 = 0.6;

/// Letters and digits of a value, upper-cased: how excluded values are compared.
pub fn value_key(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

fn unit(what: &'static str, v: f64) -> Result<f32, RulesError> {
    if (0.0..=1.0).contains(&v) {
        Ok(v as f32)
    } else {
        Err(RulesError::Range { what, value: v })
    }
}

impl Rules {
    /// The special-category terms as matcher specs, each carrying its index in `category_terms`.
    pub fn category_specs(&self) -> Vec<crate::terms::TermSpec> {
        self.category_terms
            .iter()
            .enumerate()
            .map(|(i, t)| crate::terms::TermSpec {
                term: t.term.clone(),
                payload: i,
            })
            .collect()
    }

    /// The built-in defaults: every kind, minimum confidence 0.5 (categories 0.6), no country preference,
    /// no exclusions, the embedded term lists.
    pub fn defaults() -> Rules {
        let mut r = Rules {
            kinds: all_codes().into_iter().collect(),
            min_confidence: DEFAULT_MIN_CONFIDENCE,
            category_min_confidence: DEFAULT_CATEGORY_MIN_CONFIDENCE,
            country: None,
            exclude_paths: Vec::new(),
            exclude_values: BTreeSet::new(),
            positive: Vec::new(),
            negative: Vec::new(),
            category_terms: Vec::new(),
            limits: RuleLimits::default(),
        };
        // The embedded files are part of the build and covered by tests; a broken one would fail them.
        if let Ok(f) = toml::from_str::<RulesFile>(CONTEXT_TERMS) {
            let _ = r.merge(f, "built-in context.toml");
        }
        for (_, text) in CATEGORY_TERMS {
            if let Ok(f) = toml::from_str::<RulesFile>(text) {
                let _ = r.merge(f, "built-in terms");
            }
        }
        r
    }

    /// Defaults plus a rules file's text.
    pub fn from_toml(text: &str, origin: &str) -> Result<Rules, RulesError> {
        let f: RulesFile = toml::from_str(text).map_err(|e| RulesError::Parse {
            path: origin.to_string(),
            detail: e.to_string(),
        })?;
        let mut r = Rules::defaults();
        r.merge(f, origin)?;
        Ok(r)
    }

    /// Defaults plus a rules file.
    pub fn load(path: &std::path::Path) -> Result<Rules, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Rules::from_toml(&text, &path.display().to_string())
    }

    fn merge(&mut self, f: RulesFile, _origin: &str) -> Result<(), RulesError> {
        if let Some(kinds) = f.kinds {
            self.kinds = select_kinds(&kinds)?;
        }
        if let Some(v) = f.min_confidence {
            self.min_confidence = unit("min_confidence", v)?;
        }
        if let Some(v) = f.categories.min_confidence {
            self.category_min_confidence = unit("categories.min_confidence", v)?;
        }
        if let Some(c) = f.country {
            self.country = Some(parse_country(&c).ok_or(RulesError::UnknownCountry(c))?);
        }
        let l = f.limits;
        if let Some(v) = size_value("max_filesize", l.max_filesize)? {
            self.limits.max_file_size = Some(v);
        }
        if let Some(v) = size_value("max_decompressed", l.max_decompressed)? {
            self.limits.max_total_decompressed = Some(v);
        }
        if let Some(v) = size_value("max_pdf_memory", l.max_pdf_memory)? {
            self.limits.max_pdf_memory = Some(v);
        }
        if let Some(v) = l.max_depth {
            self.limits.max_depth = Some(v);
        }
        if let Some(v) = l.max_ratio {
            if v == 0 {
                return Err(RulesError::Zero { what: "max_ratio" });
            }
            self.limits.max_ratio = Some(v);
        }
        if let Some(v) = l.timeout {
            if v == 0 {
                return Err(RulesError::Zero { what: "timeout" });
            }
            self.limits.timeout_secs = Some(v);
        }
        for g in f.exclude.paths {
            self.add_exclude_path(&g)?;
        }
        for v in f.exclude.values {
            let k = value_key(&v);
            if !k.is_empty() {
                self.exclude_values.insert(k);
            }
        }
        for list in f.positive {
            let country = match list.country.as_deref() {
                None | Some("any") => None,
                Some(c) => Some(
                    parse_country(c).ok_or_else(|| RulesError::UnknownCountry(c.to_string()))?,
                ),
            };
            for t in list.terms {
                self.positive.push(PositiveTerm { term: t, country });
            }
        }
        for list in f.negative {
            self.negative.extend(list.terms);
        }
        for list in f.category {
            let category = Category::from_name(&list.category)
                .ok_or_else(|| RulesError::UnknownCategory(list.category.clone()))?;
            let weight = unit("category weight", list.weight)?;
            for t in list.terms {
                self.category_terms.push(CategoryTerm {
                    term: t,
                    category,
                    weight,
                });
            }
        }
        Ok(())
    }

    /// Add an exclusion glob (checked for syntax).
    pub fn add_exclude_path(&mut self, glob: &str) -> Result<(), RulesError> {
        globset::Glob::new(glob).map_err(|e| RulesError::Glob {
            glob: glob.to_string(),
            detail: e.to_string(),
        })?;
        self.exclude_paths.push(glob.to_string());
        Ok(())
    }

    /// Is this ID kind or category code reported?
    pub fn reports(&self, code: &str) -> bool {
        self.kinds.contains(code)
    }

    /// Is any special category reported?
    pub fn any_category(&self) -> bool {
        self.kinds.iter().any(|k| k.starts_with("category."))
    }

    /// A short fingerprint of everything that changes what a scan reports (for the cache).
    pub fn fingerprint(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        h.update(env!("CARGO_PKG_VERSION").as_bytes());
        h.update(format!("{:?}", self.kinds).as_bytes());
        h.update(self.min_confidence.to_le_bytes());
        h.update(self.category_min_confidence.to_le_bytes());
        h.update(format!("{:?}", self.country).as_bytes());
        h.update(format!("{:?}", self.exclude_values).as_bytes());
        h.update(format!("{:?}", self.positive).as_bytes());
        h.update(format!("{:?}", self.negative).as_bytes());
        h.update(format!("{:?}", self.category_terms).as_bytes());
        hex::encode(&h.finalize()[..16])
    }
}

/// Resolve kind selectors: a code (`no.fnr`), a country or `category` prefix (`no`, `category`), `ids`
/// (every ID kind) or `all`.
pub fn select_kinds<S: AsRef<str>>(selectors: &[S]) -> Result<BTreeSet<&'static str>, RulesError> {
    let codes = all_codes();
    let mut out = BTreeSet::new();
    for sel in selectors {
        let s = sel.as_ref().trim().to_ascii_lowercase();
        if s.is_empty() {
            continue;
        }
        let before = out.len();
        for c in &codes {
            let hit = match s.as_str() {
                "all" => true,
                "ids" => !c.starts_with("category."),
                _ => {
                    *c == s
                        || c.strip_prefix(s.as_str())
                            .is_some_and(|rest| rest.starts_with('.'))
                }
            };
            if hit {
                out.insert(*c);
            }
        }
        if out.len() == before && !codes.iter().any(|c| *c == s) {
            return Err(RulesError::UnknownKind(s));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_report_every_kind_with_the_embedded_term_lists() {
        let r = Rules::defaults();
        assert_eq!(r.kinds.len(), 14);
        assert!(
            r.positive
                .iter()
                .any(|p| p.term == "fnr" && p.country == Some(Country::No))
        );
        assert!(r.negative.iter().any(|t| t == "kontonummer*"));
        for c in Category::ALL {
            assert!(
                r.category_terms.iter().any(|t| t.category == c),
                "no terms for {c:?}"
            );
        }
        assert_eq!(r.min_confidence, DEFAULT_MIN_CONFIDENCE);
        assert_eq!(r.country, None);
    }

    #[test]
    fn limits_come_from_the_rules_file_with_sizes_in_bytes_or_with_suffixes() {
        let r = Rules::from_toml(
            "[limits]\nmax_filesize = \"10M\"\nmax_depth = 2\nmax_decompressed = 1048576\n\
             max_ratio = 50\ntimeout = 7\nmax_pdf_memory = \"512M\"\n",
            "t.toml",
        )
        .expect("rules");
        assert_eq!(
            r.limits,
            RuleLimits {
                max_file_size: Some(10 << 20),
                max_depth: Some(2),
                max_total_decompressed: Some(1 << 20),
                max_ratio: Some(50),
                timeout_secs: Some(7),
                max_pdf_memory: Some(512 << 20),
            }
        );
        assert_eq!(Rules::defaults().limits, RuleLimits::default());
        for bad in [
            "[limits]\nmax_filesize = \"ten\"",
            "[limits]\ntimeout = 0",
            "[limits]\nmax_ratio = 0",
            "[limits]\nmax_dept = 3",
        ] {
            assert!(Rules::from_toml(bad, "t.toml").is_err(), "{bad}");
        }
    }

    #[test]
    fn embedded_term_files_parse() {
        toml::from_str::<RulesFile>(CONTEXT_TERMS).expect("context.toml");
        for (lang, text) in CATEGORY_TERMS {
            let f = toml::from_str::<RulesFile>(text).unwrap_or_else(|e| panic!("{lang}: {e}"));
            for list in f.category {
                assert!(
                    Category::from_name(&list.category).is_some(),
                    "{lang}: {}",
                    list.category
                );
            }
        }
    }

    #[test]
    fn rules_file_extends_terms_and_overrides_settings() {
        let r = Rules::from_toml(
            r#"
            kinds = ["no", "category.health"]
            min_confidence = 0.7
            country = "dk"
            [categories]
            min_confidence = 0.8
            [exclude]
            paths = ["**/arkiv/**"]
            values = ["010190 12345"]
            [[positive]]
            country = "no"
            terms = ["elevnr"]
            [[negative]]
            terms = ["kundenr"]
            [[category]]
            category = "health"
            weight = 0.6
            terms = ["heimesjukepleie"]
            "#,
            "test",
        )
        .expect("valid rules");
        assert!(r.reports("no.fnr") && r.reports("no.test") && r.reports("category.health"));
        assert!(!r.reports("se.pnr") && !r.reports("category.union"));
        assert_eq!(r.min_confidence, 0.7);
        assert_eq!(r.category_min_confidence, 0.8);
        assert_eq!(r.country, Some(Country::Dk));
        assert_eq!(r.exclude_paths, vec!["**/arkiv/**"]);
        assert!(r.exclude_values.contains("01019012345"));
        assert!(r.positive.iter().any(|p| p.term == "elevnr"));
        assert!(
            r.positive.iter().any(|p| p.term == "fnr"),
            "defaults are kept"
        );
        assert!(r.negative.iter().any(|t| t == "kundenr"));
        assert!(r.category_terms.iter().any(|t| t.term == "heimesjukepleie"));
    }

    #[test]
    fn rules_file_errors_are_reported_not_ignored() {
        assert!(matches!(
            Rules::from_toml("kinds = [\"xx.yy\"]", "t"),
            Err(RulesError::UnknownKind(_))
        ));
        assert!(matches!(
            Rules::from_toml("country = \"us\"", "t"),
            Err(RulesError::UnknownCountry(_))
        ));
        assert!(matches!(
            Rules::from_toml("min_confidence = 2.0", "t"),
            Err(RulesError::Range { .. })
        ));
        assert!(matches!(
            Rules::from_toml("unknown_key = 1", "t"),
            Err(RulesError::Parse { .. })
        ));
        assert!(matches!(
            Rules::from_toml("[exclude]\npaths = [\"a[\"]", "t"),
            Err(RulesError::Glob { .. })
        ));
    }

    #[test]
    fn kind_selectors_accept_codes_prefixes_ids_and_all() {
        let s = select_kinds(&["se"]).expect("se");
        assert_eq!(s.into_iter().collect::<Vec<_>>(), vec!["se.pnr", "se.snr"]);
        assert_eq!(select_kinds(&["ids"]).expect("ids").len(), 8);
        assert_eq!(select_kinds(&["all"]).expect("all").len(), 14);
        assert_eq!(select_kinds(&["category"]).expect("category").len(), 6);
        assert!(select_kinds(&["n"]).is_err());
    }

    #[test]
    fn fingerprint_changes_with_what_is_reported() {
        let a = Rules::defaults();
        let mut b = Rules::defaults();
        b.min_confidence = 0.9;
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_eq!(a.fingerprint(), Rules::defaults().fingerprint());
    }
}
