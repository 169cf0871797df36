//! Term matching shared by the context scorer and the special-category detector.
//!
//! A term is matched case-insensitively (ASCII case folding, plus lower-, capitalised and upper-case
//! variants of terms with non-ASCII letters) and only on word boundaries. A leading or trailing `*` opens
//! that side, so `*konto` also matches `lønnskonto` and `diagnos*` also matches `diagnosen`.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

/// One term with its payload (an index the owner interprets).
#[derive(Debug, Clone)]
pub struct TermSpec {
    /// The term as written, with optional `*` at either end.
    pub term: String,
    pub payload: usize,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// Index into the owner's term list.
    spec: usize,
    left_open: bool,
    right_open: bool,
}

/// A compiled set of terms.
#[derive(Debug, Clone)]
pub struct TermSet {
    ac: Option<AhoCorasick>,
    patterns: Vec<Pattern>,
    specs: Vec<TermSpec>,
}

/// One match of a term in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermMatch {
    /// Index of the matched [`TermSpec`] in the set.
    pub spec: usize,
    pub start: usize,
    pub end: usize,
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl TermSet {
    /// Compile terms. Empty terms (after trimming `*` and whitespace) are ignored.
    pub fn new(specs: Vec<TermSpec>) -> Result<TermSet, aho_corasick::BuildError> {
        let mut needles: Vec<String> = Vec::new();
        let mut patterns = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let t = spec.term.trim();
            let left_open = t.starts_with('*');
            let right_open = t.ends_with('*');
            let core = t.trim_matches('*').trim().to_lowercase();
            if core.is_empty() {
                continue;
            }
            let mut variants = vec![core.clone()];
            if !core.is_ascii() {
                variants.push(capitalise(&core));
                variants.push(core.to_uppercase());
            }
            variants.sort();
            variants.dedup();
            for v in variants {
                needles.push(v);
                patterns.push(Pattern {
                    spec: i,
                    left_open,
                    right_open,
                });
            }
        }
        let ac = if needles.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&needles)?,
            )
        };
        Ok(TermSet {
            ac,
            patterns,
            specs,
        })
    }

    pub fn spec(&self, i: usize) -> Option<&TermSpec> {
        self.specs.get(i)
    }

    pub fn is_empty(&self) -> bool {
        self.ac.is_none()
    }

    /// Every match of a term in `text` that sits on word boundaries.
    pub fn find_all(&self, text: &str, mut each: impl FnMut(TermMatch)) {
        let Some(ac) = &self.ac else { return };
        // Case variants of one term can match the same span (ASCII case folding); report it once.
        let mut recent: [(usize, usize, usize); 4] = [(usize::MAX, 0, 0); 4];
        let mut slot = 0;
        for m in ac.find_overlapping_iter(text) {
            let Some(p) = self.patterns.get(m.pattern().as_usize()) else {
                continue;
            };
            let (start, end) = (m.start(), m.end());
            if !p.left_open && !boundary_before(text, start) {
                continue;
            }
            if !p.right_open && !boundary_after(text, end) {
                continue;
            }
            let key = (p.spec, start, end);
            if recent.contains(&key) {
                continue;
            }
            if let Some(r) = recent.get_mut(slot % 4) {
                *r = key;
            }
            slot += 1;
            each(TermMatch {
                spec: p.spec,
                start,
                end,
            });
        }
    }
}

/// True if the character before byte `i` is not a letter or digit (or `i` is the start).
pub fn boundary_before(text: &str, i: usize) -> bool {
    match text.get(..i).and_then(|s| s.chars().next_back()) {
        Some(c) => !(c.is_alphanumeric() || c == '_'),
        None => true,
    }
}

/// True if the character at byte `i` is not a letter or digit (or `i` is the end).
pub fn boundary_after(text: &str, i: usize) -> bool {
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => !(c.is_alphanumeric() || c == '_'),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(terms: &[&str]) -> TermSet {
        TermSet::new(
            terms
                .iter()
                .enumerate()
                .map(|(i, t)| TermSpec {
                    term: (*t).to_string(),
                    payload: i,
                })
                .collect(),
        )
        .expect("terms compile")
    }

    fn found(s: &TermSet, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        s.find_all(text, |m| out.push(text[m.start..m.end].to_string()));
        out
    }

    #[test]
    fn terms_match_only_on_word_boundaries() {
        let s = set(&["ref"]);
        assert_eq!(found(&s, "Ref: 12"), vec!["Ref"]);
        assert!(found(&s, "referat fra møtet").is_empty());
    }

    #[test]
    fn star_opens_a_side_for_compounds_and_inflections() {
        let s = set(&["*konto", "diagnos*"]);
        assert_eq!(found(&s, "lønnskonto 1"), vec!["konto"]);
        assert_eq!(found(&s, "Diagnosen er"), vec!["Diagnos"]);
        assert!(found(&s, "kontor").is_empty());
    }

    #[test]
    fn non_ascii_terms_match_in_common_casings() {
        let s = set(&["fødselsnummer"]);
        assert_eq!(found(&s, "FØDSELSNUMMER 1").len(), 1);
        assert_eq!(found(&s, "Fødselsnummer: 1").len(), 1);
        assert_eq!(found(&s, "fødselsnummer").len(), 1);
    }
}
