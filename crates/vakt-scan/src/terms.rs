//! Term matching shared by the context scorer and the special-category detector.
//!
//! A term is matched case-insensitively and only on word boundaries. A leading or trailing `*` opens
//! that side, so `*konto` also matches `lønnskonto` and `diagnos*` also matches `diagnosen`.
//!
//! Case: ASCII letters and the Latin-1 letters of UTF-8's `U+00C0–U+00DE` block (Æ Ø Å Ä Ö É Ü …) are
//! folded byte by byte; terms with other non-ASCII letters also match their capitalised and upper-case
//! forms.
//!
//! The text is read once, word by word, instead of running an automaton over every byte:
//! - a term that must start on a word boundary is looked up in a trie of folded bytes at each word
//!   start, after a 64K-bit filter on the word's first two bytes (most words start no term);
//! - a term open on the left (`*sykdom`) must still end at a word end, so it is looked up backwards
//!   in a trie of reversed terms at each word end, after the same filter on the last two bytes;
//! - the few terms that fit neither (open on both sides, or beginning or ending with a character
//!   that is not a letter or digit) go through Aho-Corasick as before.

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

/// One match of a term in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TermMatch {
    /// Index of the matched [`TermSpec`] in the set.
    pub spec: usize,
    pub start: usize,
    pub end: usize,
}

/// A trie over folded bytes. Node 0 is the root; its children are in a dense table.
#[derive(Debug, Clone)]
struct Trie {
    root: Box<[u32; 256]>,
    /// Children of the other nodes: `(byte, node)` sorted by byte.
    edges: Vec<Vec<(u8, u32)>>,
    /// Terms ending at each node: `(spec, open at the far end)`.
    ends: Vec<Vec<(usize, bool)>>,
}

impl Trie {
    fn new() -> Trie {
        Trie {
            root: Box::new([0; 256]),
            edges: vec![Vec::new()],
            ends: vec![Vec::new()],
        }
    }

    fn is_empty(&self) -> bool {
        self.edges.len() == 1
    }

    fn child(&self, node: u32, b: u8) -> Option<u32> {
        if node == 0 {
            let c = self.root[usize::from(b)];
            return (c != 0).then_some(c);
        }
        let e = self.edges.get(node as usize)?;
        e.iter().find(|(k, _)| *k == b).map(|(_, n)| *n)
    }

    fn insert(&mut self, bytes: impl Iterator<Item = u8>, spec: usize, open: bool) {
        let mut node = 0u32;
        for b in bytes {
            node = match self.child(node, b) {
                Some(n) => n,
                None => {
                    let n = u32::try_from(self.edges.len()).unwrap_or(u32::MAX);
                    self.edges.push(Vec::new());
                    self.ends.push(Vec::new());
                    if node == 0 {
                        self.root[usize::from(b)] = n;
                    } else if let Some(e) = self.edges.get_mut(node as usize) {
                        e.push((b, n));
                        e.sort_unstable();
                    }
                    n
                }
            };
        }
        if let Some(ends) = self.ends.get_mut(node as usize)
            && !ends.contains(&(spec, open))
        {
            ends.push((spec, open));
        }
    }
}

/// 65,536 bits: pairs of folded bytes that can begin (or, reversed, end) a term.
#[derive(Debug, Clone)]
struct PairFilter(Box<[u64; 1024]>);

impl PairFilter {
    fn new() -> PairFilter {
        PairFilter(Box::new([0; 1024]))
    }

    fn key(a: u8, b: u8) -> usize {
        (usize::from(a) << 8) | usize::from(b)
    }

    fn set(&mut self, a: u8, b: u8) {
        let k = Self::key(a, b);
        self.0[k >> 6] |= 1 << (k & 63);
    }

    fn has(&self, a: u8, b: u8) -> bool {
        let k = Self::key(a, b);
        self.0[k >> 6] & (1 << (k & 63)) != 0
    }

    /// A term of one byte: any following byte.
    fn set_any(&mut self, a: u8) {
        for b in 0..=255u8 {
            self.set(a, b);
        }
    }
}

/// A compiled set of terms.
#[derive(Debug, Clone)]
pub struct TermSet {
    specs: Vec<TermSpec>,
    /// Terms anchored at a word start.
    fwd: Trie,
    fwd_pairs: PairFilter,
    /// Left-open terms that end at a word end, reversed.
    rev: Trie,
    rev_pairs: PairFilter,
    /// The rest, by Aho-Corasick over the whole text.
    rest: Option<AhoCorasick>,
    rest_patterns: Vec<Pattern>,
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The casings an ASCII-case-insensitive automaton needs for a lower-case term: the term itself,
/// and for a term with non-ASCII letters also its capitalised and upper-case forms.
fn casings(core: &str) -> Vec<String> {
    let mut vs = vec![core.to_owned()];
    if !core.is_ascii() {
        vs.push(capitalise(core));
        vs.push(core.to_uppercase());
    }
    vs.sort();
    vs.dedup();
    vs
}

/// The folded byte at `j`: ASCII upper case to lower case, and the second byte of `U+00C0–U+00DE`
/// (except `×`) to the second byte of its lower-case letter.
#[inline]
fn fold_at(bytes: &[u8], j: usize) -> u8 {
    let b = bytes[j];
    if b.is_ascii_uppercase() {
        b | 0x20
    } else if (0x80..=0x9E).contains(&b) && b != 0x97 && j > 0 && bytes[j - 1] == 0xC3 {
        b + 0x20
    } else {
        b
    }
}

fn folded(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    (0..b.len()).map(|j| fold_at(b, j)).collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Word characters among the ASCII bytes (letters, digits, `_`).
const ASCII_WORD: [bool; 128] = {
    let mut t = [false; 128];
    let mut i = 0;
    while i < 128 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric() || b == b'_';
        i += 1;
    }
    t
};

/// Whether the character at byte `i` (a char boundary) is a word character, and its length.
#[inline]
fn word_char_at(text: &str, i: usize) -> (bool, usize) {
    let bytes = text.as_bytes();
    let b = bytes[i];
    if b < 0x80 {
        (ASCII_WORD[usize::from(b)], 1)
    } else if b == 0xC3 && i + 1 < bytes.len() {
        // U+00C0–U+00FF (Æ Ø Å Ä Ö É ü …, the Nordic letters): every one is a letter except × and ÷.
        let c = bytes[i + 1];
        (c != 0x97 && c != 0xB7, 2)
    } else {
        match text.get(i..).and_then(|s| s.chars().next()) {
            Some(c) => (is_word_char(c), c.len_utf8()),
            None => (false, 1),
        }
    }
}

impl TermSet {
    /// Compile terms. Empty terms (after trimming `*` and whitespace) are ignored.
    pub fn new(specs: Vec<TermSpec>) -> Result<TermSet, aho_corasick::BuildError> {
        let mut fwd = Trie::new();
        let mut rev = Trie::new();
        let mut fwd_pairs = PairFilter::new();
        let mut rev_pairs = PairFilter::new();
        let mut needles: Vec<String> = Vec::new();
        let mut rest_patterns = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let t = spec.term.trim();
            let left_open = t.starts_with('*');
            let right_open = t.ends_with('*');
            let core = t.trim_matches('*').trim().to_lowercase();
            let (Some(first), Some(last)) = (core.chars().next(), core.chars().next_back()) else {
                continue;
            };
            let mut variants = vec![core.clone()];
            // Letters outside the folded Latin-1 block keep their other casings as variants.
            if core
                .chars()
                .any(|c| !c.is_ascii() && !('\u{e0}'..='\u{fe}').contains(&c))
            {
                variants.push(capitalise(&core));
                variants.push(core.to_uppercase());
            }
            let mut variants: Vec<Vec<u8>> = variants.iter().map(|v| folded(v)).collect();
            variants.sort();
            variants.dedup();
            if !left_open && is_word_char(first) {
                for v in variants {
                    match (v.first(), v.get(1)) {
                        (Some(&a), Some(&b)) => fwd_pairs.set(a, b),
                        (Some(&a), None) => fwd_pairs.set_any(a),
                        _ => continue,
                    }
                    fwd.insert(v.into_iter(), i, right_open);
                }
            } else if left_open && !right_open && is_word_char(last) {
                for v in variants {
                    let n = v.len();
                    match (
                        n.checked_sub(1).map(|k| v[k]),
                        n.checked_sub(2).map(|k| v[k]),
                    ) {
                        (Some(a), Some(b)) => rev_pairs.set(a, b),
                        (Some(a), None) => rev_pairs.set_any(a),
                        _ => continue,
                    }
                    rev.insert(v.into_iter().rev(), i, true);
                }
            } else {
                for v in casings(&core) {
                    needles.push(v);
                    rest_patterns.push(Pattern {
                        spec: i,
                        left_open,
                        right_open,
                    });
                }
            }
        }
        let rest = if needles.is_empty() {
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
            specs,
            fwd,
            fwd_pairs,
            rev,
            rev_pairs,
            rest,
            rest_patterns,
        })
    }

    pub fn spec(&self, i: usize) -> Option<&TermSpec> {
        self.specs.get(i)
    }

    pub fn is_empty(&self) -> bool {
        self.fwd.is_empty() && self.rev.is_empty() && self.rest.is_none()
    }

    /// Terms anchored at the word start `s`.
    fn at_word_start(&self, text: &str, s: usize, out: &mut Vec<TermMatch>) {
        let bytes = text.as_bytes();
        if s + 1 < bytes.len() && !self.fwd_pairs.has(fold_at(bytes, s), fold_at(bytes, s + 1)) {
            return;
        }
        let mut node = 0u32;
        for j in s..bytes.len() {
            match self.fwd.child(node, fold_at(bytes, j)) {
                Some(n) => node = n,
                None => return,
            }
            for &(spec, right_open) in &self.fwd.ends[node as usize] {
                let end = j + 1;
                if text.is_char_boundary(end) && (right_open || boundary_after(text, end)) {
                    out.push(TermMatch {
                        spec,
                        start: s,
                        end,
                    });
                }
            }
        }
    }

    /// Left-open terms ending at the word end `e`.
    fn to_word_end(&self, text: &str, e: usize, out: &mut Vec<TermMatch>) {
        let bytes = text.as_bytes();
        if e >= 2
            && !self
                .rev_pairs
                .has(fold_at(bytes, e - 1), fold_at(bytes, e - 2))
        {
            return;
        }
        let mut node = 0u32;
        for j in (0..e).rev() {
            match self.rev.child(node, fold_at(bytes, j)) {
                Some(n) => node = n,
                None => return,
            }
            for &(spec, _) in &self.rev.ends[node as usize] {
                if text.is_char_boundary(j) {
                    out.push(TermMatch {
                        spec,
                        start: j,
                        end: e,
                    });
                }
            }
        }
    }

    /// Every match of a term in `text` that sits on word boundaries, ordered by end (then start).
    pub fn find_all(&self, text: &str, mut each: impl FnMut(TermMatch)) {
        let mut out: Vec<TermMatch> = Vec::new();
        let bytes = text.as_bytes();
        let (has_fwd, has_rev) = (!self.fwd.is_empty(), !self.rev.is_empty());
        if has_fwd || has_rev {
            let mut i = 0;
            let mut in_word = false;
            while i < bytes.len() {
                // Runs of ASCII bytes of the same class are skipped in tight loops.
                if in_word {
                    while i < bytes.len() && bytes[i] < 0x80 && ASCII_WORD[usize::from(bytes[i])] {
                        i += 1;
                    }
                } else {
                    while i < bytes.len() && bytes[i] < 0x80 && !ASCII_WORD[usize::from(bytes[i])] {
                        i += 1;
                    }
                }
                if i >= bytes.len() {
                    break;
                }
                let (word, len) = word_char_at(text, i);
                if word && !in_word {
                    if has_fwd {
                        self.at_word_start(text, i, &mut out);
                    }
                } else if !word && in_word && has_rev {
                    self.to_word_end(text, i, &mut out);
                }
                in_word = word;
                i += len;
            }
            if in_word && has_rev {
                self.to_word_end(text, bytes.len(), &mut out);
            }
        }
        if let Some(ac) = &self.rest {
            for m in ac.find_overlapping_iter(text) {
                let Some(p) = self.rest_patterns.get(m.pattern().as_usize()) else {
                    continue;
                };
                let (start, end) = (m.start(), m.end());
                if !p.left_open && !boundary_before(text, start) {
                    continue;
                }
                if !p.right_open && !boundary_after(text, end) {
                    continue;
                }
                out.push(TermMatch {
                    spec: p.spec,
                    start,
                    end,
                });
            }
        }
        if out.len() > 1 {
            out.sort_unstable_by_key(|m| (m.end, m.start, m.spec));
            out.dedup();
        }
        for m in out {
            each(m);
        }
    }
}

/// True if the character before byte `i` is not a letter or digit (or `i` is the start).
pub fn boundary_before(text: &str, i: usize) -> bool {
    match text.get(..i).and_then(|s| s.chars().next_back()) {
        Some(c) => !is_word_char(c),
        None => true,
    }
}

/// True if the character at byte `i` is not a letter or digit (or `i` is the end).
pub fn boundary_after(text: &str, i: usize) -> bool {
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) => !is_word_char(c),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn specs(terms: &[&str]) -> Vec<TermSpec> {
        terms
            .iter()
            .enumerate()
            .map(|(i, t)| TermSpec {
                term: (*t).to_string(),
                payload: i,
            })
            .collect()
    }

    fn set(terms: &[&str]) -> TermSet {
        TermSet::new(specs(terms)).expect("terms compile")
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
        assert!(found(&s, "xref").is_empty());
        assert_eq!(found(&s, "«ref»"), vec!["ref"]);
    }

    #[test]
    fn star_opens_a_side_for_compounds_and_inflections() {
        let s = set(&["*konto", "diagnos*"]);
        assert_eq!(found(&s, "lønnskonto 1"), vec!["konto"]);
        assert_eq!(found(&s, "Diagnosen er"), vec!["Diagnos"]);
        assert!(found(&s, "kontor").is_empty());
        assert_eq!(found(&s, "KONTO"), vec!["KONTO"]);
    }

    #[test]
    fn non_ascii_terms_match_in_common_casings() {
        let s = set(&["fødselsnummer", "*fackförening"]);
        assert_eq!(found(&s, "FØDSELSNUMMER 1").len(), 1);
        assert_eq!(found(&s, "Fødselsnummer: 1").len(), 1);
        assert_eq!(found(&s, "fødselsnummer").len(), 1);
        assert_eq!(found(&s, "lärarFACKFÖRENING.").len(), 1);
        assert!(found(&s, "fødselsnummeret").is_empty());
    }

    #[test]
    fn terms_open_on_both_sides_or_starting_with_punctuation_still_match() {
        let s = set(&["*.log", "*skyld*", "#tag"]);
        assert_eq!(found(&s, "se app.log nå"), vec![".log"]);
        assert_eq!(found(&s, "uskyldig"), vec!["skyld"]);
        assert_eq!(found(&s, "a #tag b"), vec!["#tag"]);
    }

    #[test]
    fn multi_word_terms_and_matches_in_order_of_their_end() {
        let s = set(&["sakkyndig vurdering", "*sykdom", "sykdom*", "vurdering"]);
        let text = "En sakkyndig vurdering om sykdom.";
        let mut got = Vec::new();
        s.find_all(text, |m| got.push((m.spec, &text[m.start..m.end])));
        assert_eq!(
            got,
            vec![
                (0, "sakkyndig vurdering"),
                (3, "vurdering"),
                (1, "sykdom"),
                (2, "sykdom")
            ]
        );
    }

    /// The matcher before the word-by-word rewrite: Aho-Corasick over every byte with boundary
    /// checks. The rewrite must find exactly what it found.
    fn reference(specs: &[TermSpec], text: &str) -> Vec<(usize, usize, usize)> {
        let mut needles = Vec::new();
        let mut pats = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let t = spec.term.trim();
            let (lo, ro) = (t.starts_with('*'), t.ends_with('*'));
            let core = t.trim_matches('*').trim().to_lowercase();
            if core.is_empty() {
                continue;
            }
            for v in casings(&core) {
                needles.push(v);
                pats.push((i, lo, ro));
            }
        }
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&needles)
            .expect("reference");
        let mut out: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(text)
            .filter_map(|m| {
                let (i, lo, ro) = pats[m.pattern().as_usize()];
                ((lo || boundary_before(text, m.start())) && (ro || boundary_after(text, m.end())))
                    .then_some((m.end(), m.start(), i))
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    const TERMS: &[&str] = &[
        "diagnose*",
        "*diagnose",
        "sykdom*",
        "*sykdom",
        "lege",
        "hiv",
        "kreft*",
        "fødsel*",
        "*fagforening",
        "fackförening*",
        "sakkyndig vurdering",
        "ppt-rapport*",
        "*.log",
        "*skyld*",
        "straff*",
        "domfelt",
        "x",
    ];

    const PIECES: &[&str] = &[
        "diagnose",
        "DIAGNOSE",
        "Diagnose",
        "sykdom",
        "Sykdom",
        "lege",
        "LEGE",
        "hiv",
        "kreft",
        "fødsel",
        "Fødsel",
        "FØDSEL",
        "fagforening",
        "FAGFORENING",
        "fackförening",
        "Fackförening",
        "FACKFÖRENING",
        "sakkyndig",
        "vurdering",
        "ppt",
        "-",
        "rapport",
        ".log",
        "app",
        "skyld",
        "straff",
        "domfelt",
        "x",
        "X",
        "en",
        "ø",
        "Å",
        "er",
        " ",
        " ",
        " ",
        "\n",
        ", ",
        ".",
        "«",
        "»",
        "\u{a0}",
        "–",
        "_",
        "12",
        "3",
        "ß",
        "é",
        "É",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn finds_exactly_what_the_byte_automaton_found(
            parts in proptest::collection::vec(0..PIECES.len(), 0..40)
        ) {
            let text: String = parts.iter().map(|&i| PIECES[i]).collect();
            let specs = specs(TERMS);
            let s = TermSet::new(specs.clone()).expect("terms compile");
            let mut got = Vec::new();
            s.find_all(&text, |m| got.push((m.end, m.start, m.spec)));
            prop_assert_eq!(got, reference(&specs, &text), "text: {:?}", text);
        }
    }
}
