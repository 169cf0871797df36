//! Term matching shared by the context scorer and the special-category detector.
//!
//! A term is matched case-insensitively and only on word boundaries. A leading or trailing `*` opens
//! that side, so `*konto` also matches `lønnskonto` and `diagnos*` also matches `diagnosen`.
//!
//! Case: ASCII letters and the Latin-1 letters of UTF-8's `U+00C0–U+00DE` block (Æ Ø Å Ä Ö É Ü …) are
//! folded byte by byte; terms with other non-ASCII letters also match their capitalised and upper-case
//! forms.
//!
//! The text is not run through an automaton byte by byte, nor walked word by word:
//! - the possible word starts and ends of each 64-byte block come from comparisons that the compiler
//!   turns into vector instructions, as bit masks;
//! - a term that must start on a word boundary can only begin at a word start, and there the first
//!   four bytes (bit 5 set in each, see [`key_of`]) are tested against a 64K-bit filter of hashed term
//!   prefixes; most words of prose fail it;
//! - a term open on the left (`*sykdom`) must still end at a word end, so the last four bytes before a
//!   word end are tested the same way against the suffixes of such terms;
//! - a position that passes is confirmed against the few terms with the same key, byte by byte;
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

/// `u32::from_le_bytes` of four bytes with bit 5 set in each. [`fold_at`] only ever sets bit 5
/// (`A`→`a`, `Ø`'s second byte → `ø`'s), so a text and a term that agree after folding agree on this
/// key too, and it is computed without looking at the bytes one by one.
#[inline]
fn key_of(b: [u8; 4]) -> u32 {
    u32::from_le_bytes(b) | 0x2020_2020
}

/// The key mask of a term of `len` bytes: its bytes only, at most four.
fn key_mask(len: usize) -> u32 {
    match len {
        0..=3 => (1u32 << (8 * len)) - 1,
        _ => u32::MAX,
    }
}

#[inline]
fn hash(key: u32) -> u32 {
    key.wrapping_mul(0x9E37_79B1)
}

/// 65,536 bits of hashed keys. A pass is confirmed by [`Anchored::each`].
#[derive(Debug, Clone)]
struct KeyFilter {
    bits: Box<[u64; 1024]>,
    /// Masks for terms of one or two bytes, whose keys are tested on those bytes only.
    short: Vec<u32>,
}

impl KeyFilter {
    fn new() -> KeyFilter {
        KeyFilter {
            bits: Box::new([0; 1024]),
            short: Vec::new(),
        }
    }

    #[inline]
    fn slot(key: u32) -> usize {
        (hash(key) >> 16) as usize
    }

    fn set(&mut self, key: u32) {
        let s = Self::slot(key);
        if let Some(w) = self.bits.get_mut(s >> 6) {
            *w |= 1 << (s & 63);
        }
    }

    #[inline]
    fn has(&self, key: u32) -> bool {
        let s = Self::slot(key);
        self.bits
            .get(s >> 6)
            .is_some_and(|w| (w >> (s & 63)) & 1 != 0)
    }

    /// Add a term by its key bytes (its first four, or for the word-end side its last four, last
    /// first) and its length.
    fn add(&mut self, mut k: [u8; 4], len: usize) {
        match len {
            0 => {}
            1 | 2 => {
                let mask = key_mask(len);
                self.set(key_of(k) & mask);
                if !self.short.contains(&mask) {
                    self.short.push(mask);
                }
            }
            // Three bytes: every fourth byte, so that the common test needs no second look-up.
            3 => {
                for x in 0..=255u8 {
                    k[3] = x;
                    self.set(key_of(k));
                }
            }
            _ => self.set(key_of(k)),
        }
    }

    #[inline]
    fn passes(&self, key: u32) -> bool {
        self.has(key) | (!self.short.is_empty() && self.short.iter().any(|&m| self.has(key & m)))
    }
}

/// One term (one casing of it) on one side of an [`Anchored`] set.
#[derive(Debug, Clone)]
struct Entry {
    /// [`key_of`] its key bytes, masked to its length (a term of three bytes has one entry for each
    /// fourth byte).
    key: u32,
    spec: usize,
    /// Open at the far end (right-open for a term anchored at a word start).
    open: bool,
    /// Its folded bytes, in text order: `bytes[from..from + len]` of the set.
    from: u32,
    len: u32,
    /// Its first eight folded bytes (fewer, zero-padded, for a shorter term), little-endian: tested
    /// before the bytes are, see [`head_differs`].
    head: u64,
}

/// Buckets of entries by hashed key: 4,096.
const BUCKET_BITS: u32 = 12;

/// Terms anchored at a word start (or, for left-open terms, at a word end), found by their key.
#[derive(Debug, Clone)]
struct Anchored {
    filter: KeyFilter,
    /// The key masks in use: the full key for terms of three bytes or more, fewer bytes for shorter
    /// ones.
    masks: Vec<u32>,
    /// Bucket `b` holds `entries[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
    entries: Vec<Entry>,
    bytes: Vec<u8>,
}

impl Anchored {
    /// `terms`: folded bytes in text order, spec, open at the far end. `at_end`: anchored at a word
    /// end, so keyed by the last bytes.
    fn new(terms: &[(Vec<u8>, usize, bool)], at_end: bool) -> Anchored {
        let mut filter = KeyFilter::new();
        let mut masks = Vec::new();
        let mut entries = Vec::new();
        let mut bytes = Vec::new();
        for (v, spec, open) in terms {
            if v.is_empty() {
                continue;
            }
            let mut k = [0u8; 4];
            if at_end {
                for (d, s) in k.iter_mut().zip(v.iter().rev()) {
                    *d = *s;
                }
            } else {
                for (d, s) in k.iter_mut().zip(v) {
                    *d = *s;
                }
            }
            filter.add(k, v.len());
            let idx = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
            let mut head = [0u8; 8];
            for (d, s) in head.iter_mut().zip(v) {
                *d = *s;
            }
            let entry = |key| Entry {
                key,
                spec: *spec,
                open: *open,
                from: idx(bytes.len()),
                len: idx(v.len()),
                head: u64::from_le_bytes(head),
            };
            if v.len() == 3 {
                // Under every fourth byte, as in the filter: one look-up finds it with the longer terms.
                for x in (0..=255u8).filter(|x| x & 0x20 != 0) {
                    k[3] = x;
                    entries.push(entry(key_of(k)));
                }
            } else {
                entries.push(entry(key_of(k) & key_mask(v.len())));
            }
            let mask = if v.len() < 3 {
                key_mask(v.len())
            } else {
                u32::MAX
            };
            if !masks.contains(&mask) {
                masks.push(mask);
            }
            bytes.extend_from_slice(v);
        }
        // The full key first: most terms are looked up by it.
        masks.sort_unstable_by(|a, b| b.cmp(a));
        entries.sort_by_key(|e| Self::bucket(e.key));
        let mut starts = vec![0u32; (1 << BUCKET_BITS) + 1];
        for e in &entries {
            if let Some(c) = starts.get_mut(Self::bucket(e.key) + 1) {
                *c += 1;
            }
        }
        for b in 1..starts.len() {
            starts[b] += starts[b - 1];
        }
        Anchored {
            filter,
            masks,
            starts,
            entries,
            bytes,
        }
    }

    #[inline]
    fn bucket(key: u32) -> usize {
        (hash(key) >> (32 - BUCKET_BITS)) as usize
    }

    fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every entry whose key agrees with `key` (the key at a position), with its folded bytes.
    #[inline]
    fn each(&self, key: u32, mut f: impl FnMut(&Entry, &[u8])) {
        for &m in &self.masks {
            let k = key & m;
            let b = Self::bucket(k);
            let (Some(&from), Some(&to)) = (self.starts.get(b), self.starts.get(b + 1)) else {
                continue;
            };
            for e in self
                .entries
                .get(from as usize..to as usize)
                .unwrap_or_default()
            {
                if e.key == k
                    && let Some(v) = self
                        .bytes
                        .get(e.from as usize..e.from as usize + e.len as usize)
                {
                    f(e, v);
                }
            }
        }
    }
}

/// True when the text from byte `at` cannot fold to the term of `e`: its first eight bytes (or
/// fewer, the term's length) differ from the term's in a bit other than bit 5, which is the only
/// bit folding sets. One comparison, without reading the term's bytes, rejects most candidates
/// whose key alone matched (a word sharing the term's first four bytes).
#[inline]
fn head_differs(bytes: &[u8], at: usize, e: &Entry) -> bool {
    const BIT5: u64 = 0x2020_2020_2020_2020;
    let mut w = [0u8; 8];
    match bytes.get(at..at + 8) {
        Some(t) => w.copy_from_slice(t),
        None => {
            for (d, s) in w.iter_mut().zip(bytes.get(at..).unwrap_or_default()) {
                *d = *s;
            }
        }
    }
    let mask = match e.len {
        0..=7 => (1u64 << (8 * e.len)) - 1,
        _ => u64::MAX,
    };
    (u64::from_le_bytes(w) | BIT5) & mask != (e.head | BIT5) & mask
}

/// Whether the text from byte `at` is `v` (folded bytes) after folding.
#[inline]
fn folds_to(bytes: &[u8], at: usize, v: &[u8]) -> bool {
    let Some(t) = bytes.get(at..at + v.len()) else {
        return false;
    };
    // Most text is in lower case already: fold only where the bytes differ.
    t.iter()
        .zip(v)
        .enumerate()
        .all(|(j, (a, b))| a == b || fold_at(bytes, at + j) == *b)
}

/// 64 bytes of 0 or 1 as 64 bits.
#[inline(always)]
fn pack(f: &[u8; 64]) -> u64 {
    let mut m = 0u64;
    for (k, w) in f.chunks_exact(8).enumerate() {
        let mut v = [0u8; 8];
        v.copy_from_slice(w);
        // Bit 0 of each of the eight bytes into eight adjacent bits (no carries: the partial
        // products land on distinct bits).
        m |= (u64::from_le_bytes(v).wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k);
    }
    m
}

/// Whether `b` is an ASCII word byte (letter, digit, `_`), by comparisons the compiler vectorises.
#[inline(always)]
fn ascii_word(b: u8) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26 || b.wrapping_sub(b'0') < 10 || b == b'_'
}

/// Bytes before a block in its window (the key of a word end reads four).
const BEFORE: usize = 4;
/// A block of text with `BEFORE` bytes before it and four after it (the key of a word start).
const WINDOW: usize = BEFORE + 64 + 4;

/// The candidate word starts and ends of one 64-byte block as bit masks (bit `i` for byte `i`).
///
/// The flags of each byte come from comparisons only (no table, no branch), so the compiler turns
/// the loop into vector instructions:
/// - a start may be where an ASCII word byte or a lead byte follows a byte that is no ASCII word byte
///   and does not end a letter of `U+00C0–U+00FF` (`C3 xx`, every one a letter but `×` and `÷`);
/// - an end may be where an ASCII byte that is no word byte, or a lead byte that does not begin such
///   a letter, follows an ASCII word byte or a byte that is not ASCII.
///
/// Both are supersets of the true word starts and ends (other non-ASCII characters are left to the
/// caller, which confirms each candidate). Knowing the Nordic letters here spares the candidates
/// inside words such as `fødsel`.
#[inline(always)]
fn block_candidates(win: &[u8; WINDOW]) -> (u64, u64) {
    let (mut sf, mut ef) = ([0u8; 64], [0u8; 64]);
    for i in 0..64 {
        let (pp, p, c, n) = (
            win[BEFORE - 2 + i],
            win[BEFORE - 1 + i],
            win[BEFORE + i],
            win[BEFORE + 1 + i],
        );
        let (wp, wc) = (ascii_word(p), ascii_word(c));
        let (hp, hc, lc) = (p >= 0x80, c >= 0x80, c >= 0xC0);
        // `pp p` and `c n` as a letter of the `C3` block.
        let letter_p = (pp == 0xC3) & (p != 0x97) & (p != 0xB7);
        let letter_c = (c == 0xC3) & (n != 0x97) & (n != 0xB7);
        sf[i] = u8::from((wc | lc) & !wp & !letter_p);
        ef[i] = u8::from(((!wc & !hc) | (lc & !letter_c)) & (wp | hp));
    }
    (pack(&sf), pack(&ef))
}

/// Blocks whose filtered candidates are gathered before they are confirmed (see
/// [`TermSet::scan_words`]).
const GROUP: usize = 16;

/// The candidates of a group that passed a filter: every candidate is written, and the length
/// advances only for those that passed.
struct Passing {
    at: Vec<usize>,
    key: Vec<u32>,
    len: usize,
}

impl Passing {
    /// Room for a group of a text of `len` bytes. Valid UTF-8 has at most 32 word starts (and 32
    /// ends) in 64 bytes: two in a row would need a byte that is both a word's first or last and
    /// the byte before or after it, which a lead byte is only when a continuation byte follows.
    fn new(len: usize) -> Passing {
        let slots = (len / 64 + 2).min(GROUP) * 32 + 1;
        Passing {
            at: vec![0; slots],
            key: vec![0; slots],
            len: 0,
        }
    }

    /// Test the candidates `bits` of the block in `win` (at `base` of the text) against `filter`:
    /// each is written after the passing ones, and the length advances only for those that pass.
    /// `at_end`: the candidates are word ends, keyed by the four bytes before them, last first.
    /// Out of line, so that its few values stay in registers. See [`Passing::new`] for why the
    /// buffers never fill.
    #[inline(never)]
    fn offer_block(
        &mut self,
        filter: &KeyFilter,
        win: &[u8; WINDOW],
        mut bits: u64,
        base: usize,
        at_end: bool,
    ) {
        let mut len = self.len;
        let (at, keys) = (&mut self.at[..], &mut self.key[..]);
        let short = !filter.short.is_empty();
        while bits != 0 {
            let i = bits.trailing_zeros() as usize & 63;
            let k = if at_end {
                key_of([win[i + 3], win[i + 2], win[i + 1], win[i]])
            } else {
                key_of([
                    win[BEFORE + i],
                    win[BEFORE + i + 1],
                    win[BEFORE + i + 2],
                    win[BEFORE + i + 3],
                ])
            };
            let passed = filter.has(k) | (short && filter.passes(k));
            if let (Some(a), Some(key)) = (at.get_mut(len), keys.get_mut(len)) {
                *a = base + i;
                *key = k;
                len += usize::from(passed);
            }
            bits &= bits - 1;
        }
        self.len = len;
    }
}

/// A compiled set of terms.
#[derive(Debug, Clone)]
pub struct TermSet {
    specs: Vec<TermSpec>,
    /// Terms anchored at a word start.
    fwd: Anchored,
    /// Left-open terms that end at a word end.
    rev: Anchored,
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
    let Some(&b) = bytes.get(j) else {
        return 0;
    };
    if b.is_ascii_uppercase() {
        b | 0x20
    } else if (0x80..=0x9E).contains(&b)
        && b != 0x97
        && j.checked_sub(1).and_then(|p| bytes.get(p)) == Some(&0xC3)
    {
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

/// A term as written in a term list: `*` at either end leaves that side open (a word may go on there).
struct Parsed {
    left_open: bool,
    right_open: bool,
    /// The term without `*`, in lower case.
    core: String,
    first: char,
    last: char,
    /// The casings to look for: the lower-case core, and for letters outside the folded Latin-1 block
    /// also its capitalised and upper-case forms.
    variants: Vec<String>,
}

impl Parsed {
    /// `None` for a term that is empty after trimming `*` and whitespace.
    fn of(term: &str) -> Option<Parsed> {
        let t = term.trim();
        let core = t.trim_matches('*').trim().to_lowercase();
        let (first, last) = (core.chars().next()?, core.chars().next_back()?);
        let mut variants = vec![core.clone()];
        if core
            .chars()
            .any(|c| !c.is_ascii() && !('\u{e0}'..='\u{fe}').contains(&c))
        {
            variants.push(capitalise(&core));
            variants.push(core.to_uppercase());
        }
        Some(Parsed {
            left_open: t.starts_with('*'),
            right_open: t.ends_with('*'),
            core,
            first,
            last,
            variants,
        })
    }
}

impl TermSet {
    /// Compile terms. Empty terms (after trimming `*` and whitespace) are ignored.
    pub fn new(specs: Vec<TermSpec>) -> Result<TermSet, aho_corasick::BuildError> {
        let mut fwd = Vec::new();
        let mut rev = Vec::new();
        let mut needles: Vec<String> = Vec::new();
        let mut rest_patterns = Vec::new();
        for (i, spec) in specs.iter().enumerate() {
            let Some(Parsed {
                left_open,
                right_open,
                core,
                first,
                last,
                variants,
            }) = Parsed::of(&spec.term)
            else {
                continue;
            };
            let mut variants: Vec<Vec<u8>> = variants.iter().map(|v| folded(v)).collect();
            variants.sort();
            variants.dedup();
            if !left_open && is_word_char(first) {
                for v in variants {
                    fwd.push((v, i, right_open));
                }
            } else if left_open && !right_open && is_word_char(last) {
                for v in variants {
                    rev.push((v, i, true));
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
            fwd: Anchored::new(&fwd, false),
            rev: Anchored::new(&rev, true),
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

    /// A possible word start `s` whose key passed the filter: confirm it is one (between two ASCII
    /// bytes the block stage was exact), then the terms with its key. Out of line: the loop that
    /// calls it stays small, and few candidates get here.
    #[inline(never)]
    fn start_candidate(&self, text: &str, s: usize, key: u32, out: &mut Vec<TermMatch>) {
        let bytes = text.as_bytes();
        // The character at `s` need not be checked: every term here begins with a word character,
        // and folding never turns a character that is none into one.
        let ascii = bytes.get(s).is_some_and(|b| *b < 0x80)
            && s.checked_sub(1)
                .and_then(|p| bytes.get(p))
                .is_none_or(|b| *b < 0x80);
        if !(ascii || (text.is_char_boundary(s) && boundary_before(text, s))) {
            return;
        }
        self.fwd.each(key, |e, v| {
            let end = s + v.len();
            if !head_differs(bytes, s, e)
                && folds_to(bytes, s, v)
                && text.is_char_boundary(end)
                && (e.open || boundary_at(text, end))
            {
                out.push(TermMatch {
                    spec: e.spec,
                    start: s,
                    end,
                });
            }
        });
    }

    /// A possible word end `e` whose key passed the filter. As above: the character before `e` is
    /// the last of a match, so a word character, and only the one at `e` is checked.
    #[inline(never)]
    fn end_candidate(&self, text: &str, e: usize, key: u32, out: &mut Vec<TermMatch>) {
        let bytes = text.as_bytes();
        if !(bytes.get(e).is_none_or(|b| *b < 0x80)
            || (text.is_char_boundary(e) && boundary_after(text, e)))
        {
            return;
        }
        self.rev.each(key, |en, v| {
            if let Some(start) = e.checked_sub(v.len())
                && !head_differs(bytes, start, en)
                && folds_to(bytes, start, v)
                && text.is_char_boundary(start)
            {
                out.push(TermMatch {
                    spec: en.spec,
                    start,
                    end: e,
                });
            }
        });
    }

    /// Word starts and ends, 64 bytes at a time (see the module documentation).
    ///
    /// The candidates of [`GROUP`] blocks are tested against the filters first, without a branch per
    /// candidate (the passing ones are kept by advancing a buffer's length by the test's result),
    /// and only then confirmed: in prose a word in ten or so passes, at no predictable place, so a
    /// branch on each test would be mispredicted often.
    fn scan_words(&self, text: &str, out: &mut Vec<TermMatch>) {
        let bytes = text.as_bytes();
        let (has_fwd, has_rev) = (!self.fwd.is_empty(), !self.rev.is_empty());
        // Passing word starts and ends of the current group: position and key.
        let mut s_pass = Passing::new(bytes.len());
        let mut e_pass = Passing::new(bytes.len());
        let mut base = 0;
        let mut in_group = 0;
        // One more block when the text fills its last block: its end is a word end to look at.
        while base < bytes.len() || (base == bytes.len() && base > 0 && has_rev) {
            // The block and the bytes around it, read in place; near the text's start and end a
            // copy padded with NUL bytes, which are no word bytes (so the start is a word start and
            // the end a word end) and are what the keys expect past the text.
            let mut padded = [0u8; WINDOW];
            let win: &[u8; WINDOW] = match base
                .checked_sub(BEFORE)
                .and_then(|from| bytes.get(from..from + WINDOW))
                .and_then(|w| <&[u8; WINDOW]>::try_from(w).ok())
            {
                Some(w) => w,
                None => {
                    let from = base.saturating_sub(BEFORE);
                    let skip = BEFORE - (base - from);
                    let src = bytes.get(from..).unwrap_or_default();
                    for (d, s) in padded.iter_mut().skip(skip).zip(src) {
                        *d = *s;
                    }
                    &padded
                }
            };
            let (mut starts, mut ends) = block_candidates(win);
            if !has_fwd {
                starts = 0;
            }
            if !has_rev {
                ends = 0;
            }
            // Each candidate costs one load of its key and one bit test.
            if starts != 0 {
                s_pass.offer_block(&self.fwd.filter, win, starts, base, false);
            }
            if ends != 0 {
                e_pass.offer_block(&self.rev.filter, win, ends, base, true);
            }
            base += 64;
            in_group += 1;
            if in_group == GROUP {
                self.confirm(text, &mut s_pass, &mut e_pass, out);
                in_group = 0;
            }
        }
        self.confirm(text, &mut s_pass, &mut e_pass, out);
    }

    /// Confirm the passing candidates of a group (word starts first, then ends, as found block by
    /// block before: the order [`sort_matches`] expects nearly) and empty the buffers.
    fn confirm(&self, text: &str, s: &mut Passing, e: &mut Passing, out: &mut Vec<TermMatch>) {
        for (&at, &k) in s.at.iter().zip(s.key.iter()).take(s.len) {
            self.start_candidate(text, at, k, out);
        }
        for (&at, &k) in e.at.iter().zip(e.key.iter()).take(e.len) {
            self.end_candidate(text, at, k, out);
        }
        s.len = 0;
        e.len = 0;
    }

    /// Every match of a term in `text` that sits on word boundaries, ordered by end (then start).
    pub fn find_all(&self, text: &str, mut each: impl FnMut(TermMatch)) {
        let mut out: Vec<TermMatch> = Vec::new();
        if !self.fwd.is_empty() || !self.rev.is_empty() {
            self.scan_words(text, &mut out);
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
            sort_matches(&mut out);
            out.dedup();
        }
        for m in out {
            each(m);
        }
    }
}

/// Sort matches by end, then start, then term. The word scan finds them nearly in that order (by
/// block, each start's matches and then each end's), so insertion sort, which moves each match only
/// past the few it is out of order with, is cheaper than a general sort; matches far out of order
/// (many overlapping terms, or the Aho-Corasick rest after the scan) fall back to one.
fn sort_matches(out: &mut [TermMatch]) {
    let key = |m: &TermMatch| (m.end, m.start, m.spec);
    let budget = 4 * out.len() + 64;
    let mut moves = 0usize;
    for i in 1..out.len() {
        let mut j = i;
        while j > 0 && key(&out[j - 1]) > key(&out[j]) {
            out.swap(j - 1, j);
            j -= 1;
            moves += 1;
        }
        if moves > budget {
            out.sort_unstable_by_key(key);
            return;
        }
    }
}

/// [`boundary_after`], without decoding when the byte at `i` is ASCII.
#[inline]
fn boundary_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        None => true,
        Some(&b) if b < 0x80 => !ascii_word(b),
        Some(_) => boundary_after(text, i),
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

    /// The matching rules written out naively, independent of the filters and the block stage:
    /// every character boundary is tried against every term, comparing folded bytes (so mixed case
    /// such as `sYkDoM` or `fØdsel` matches too, which the byte automaton above does not cover).
    fn naive(specs: &[TermSpec], text: &str) -> Vec<(usize, usize, usize)> {
        let bytes = text.as_bytes();
        let at = |i: usize, v: &[u8]| {
            i + v.len() <= bytes.len() && (0..v.len()).all(|j| fold_at(bytes, i + j) == v[j])
        };
        let mut out = Vec::new();
        for (n, spec) in specs.iter().enumerate() {
            let Some(Parsed {
                left_open: lo,
                right_open: ro,
                core,
                first,
                last,
                variants,
            }) = Parsed::of(&spec.term)
            else {
                continue;
            };
            let anchored = (!lo && is_word_char(first)) || (lo && !ro && is_word_char(last));
            for i in (0..=bytes.len()).filter(|&i| text.is_char_boundary(i)) {
                if anchored {
                    for v in variants.iter().map(|v| folded(v)) {
                        let end = i + v.len();
                        if at(i, &v)
                            && text.is_char_boundary(end)
                            && (lo || boundary_before(text, i))
                            && (ro || boundary_after(text, end))
                        {
                            out.push((end, i, n));
                        }
                    }
                } else {
                    for v in casings(&core) {
                        let end = i + v.len();
                        if bytes
                            .get(i..end)
                            .is_some_and(|t| t.eq_ignore_ascii_case(v.as_bytes()))
                            && (lo || boundary_before(text, i))
                            && (ro || boundary_after(text, end))
                        {
                            out.push((end, i, n));
                        }
                    }
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    fn all(s: &TermSet, text: &str) -> Vec<(usize, usize, usize)> {
        let mut got = Vec::new();
        s.find_all(text, |m| got.push((m.end, m.start, m.spec)));
        got
    }

    /// Terms of one to four bytes (the filter's key is four bytes), with non-ASCII letters at the
    /// edges, multi-word, and open on either side.
    const EDGE_TERMS: &[&str] = &[
        "q",
        "ab",
        "*yz",
        "hiv",
        "bvc*",
        "kven",
        "æøå",
        "*ø",
        "ær",
        "sykdom*",
        "*sykdom",
        "*sjukdom",
        "fødsel*",
        "sakkyndig vurdering",
        "rom-folk",
        "łódź",
        "*straße",
        "*.log",
        "*skyld*",
    ];

    const EDGE_PIECES: &[&str] = &[
        "q",
        "Q",
        "ab",
        "aB",
        "AB",
        "yz",
        "YZ",
        "xyz",
        "hiv",
        "HiV",
        "bvc",
        "BVCx",
        "kven",
        "KvEn",
        "æøå",
        "ÆØÅ",
        "æØå",
        "ø",
        "Ø",
        "ær",
        "ÆR",
        "sykdom",
        "sYkDoM",
        "SYKDOMMEN",
        "hjertesykdom",
        "HJERTESYKDOM",
        "lungesjukdom",
        "fødsel",
        "fØdsel",
        "FØDSELEN",
        "sakkyndig",
        "vurdering",
        "rom",
        "-",
        "folk",
        "łódź",
        "ŁÓDŹ",
        "Łódź",
        "straße",
        "STRASSE",
        "Straße",
        "app.log",
        "skyld",
        "uSKYLDig",
        " ",
        " ",
        "  ",
        "\n",
        ".",
        ",",
        "«",
        "»",
        "\u{a0}",
        "–",
        "_",
        "1",
        "×",
        "÷",
        "é",
        "\0",
        "x",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]
        /// Random texts in mixed case, shifted by a prefix so that terms straddle the 64-byte
        /// blocks and the four-byte keys at every offset, and cut so that they end anywhere.
        #[test]
        fn finds_exactly_what_the_naive_rules_find(
            pad in 0usize..70,
            parts in proptest::collection::vec(0..EDGE_PIECES.len(), 0..60)
        ) {
            let mut text = "a".repeat(pad / 2) + &" ".repeat(pad - pad / 2);
            text.extend(parts.iter().map(|&i| EDGE_PIECES[i]));
            let specs = specs(EDGE_TERMS);
            let s = TermSet::new(specs.clone()).expect("terms compile");
            prop_assert_eq!(all(&s, &text), naive(&specs, &text), "text: {:?}", text);
        }
    }

    /// The built-in term lists (category and context terms, as the scanner compiles them) on text
    /// made of their own words in random case, glued by separators.
    #[test]
    fn built_in_term_lists_find_what_the_naive_rules_find() {
        let rules = crate::rules::Rules::defaults();
        let mut terms: Vec<String> = rules
            .category_terms
            .iter()
            .map(|t| t.term.clone())
            .collect();
        terms.extend(rules.positive.iter().map(|p| p.term.clone()));
        terms.extend(rules.negative.iter().cloned());
        let specs: Vec<TermSpec> = terms
            .iter()
            .enumerate()
            .map(|(i, t)| TermSpec {
                term: t.clone(),
                payload: i,
            })
            .collect();
        let set = TermSet::new(specs.clone()).expect("terms compile");
        let words: Vec<String> = terms
            .iter()
            .map(|t| t.trim_matches('*').to_string())
            .collect();
        let seps = [" ", "", "\n", ". ", "-", "«", "»", "en", "s", "1", "\u{a0}"];
        // A small deterministic generator (xorshift): the same texts every run.
        let mut r = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: usize| {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            (r % n as u64) as usize
        };
        for _ in 0..200 {
            let mut text = String::new();
            for _ in 0..next(40) {
                let w = &words[next(words.len())];
                let w = match next(4) {
                    0 => w.to_uppercase(),
                    1 => capitalise(w),
                    2 => w
                        .chars()
                        .enumerate()
                        .map(|(i, c)| {
                            if i % 2 == 0 {
                                c.to_ascii_uppercase()
                            } else {
                                c
                            }
                        })
                        .collect(),
                    _ => w.clone(),
                };
                text.push_str(&w);
                text.push_str(seps[next(seps.len())]);
            }
            assert_eq!(all(&set, &text), naive(&specs, &text), "text: {text:?}");
        }
    }

    #[test]
    fn terms_at_the_text_edges_and_across_blocks() {
        let s = set(&["sykdom", "*diagnose", "hiv", "fødsel*"]);
        for n in [0, 1, 2, 3, 4, 58, 59, 60, 61, 62, 63, 64, 65, 122, 125, 128] {
            let pad = " ".repeat(n);
            for (text, want) in [
                (format!("{pad}sykdom"), "sykdom"),
                (format!("{pad}SYKDOM."), "SYKDOM"),
                (format!("{pad}hjertediagnose"), "diagnose"),
                (format!("{pad}HIV"), "HIV"),
                (format!("{pad}FØDSELEN"), "FØDSEL"),
            ] {
                assert_eq!(found(&s, &text), vec![want], "{text:?}");
            }
            assert!(found(&s, &format!("{pad}sykdommen")).is_empty());
            assert!(found(&s, &format!("{pad}xsykdom")).is_empty());
        }
        // Ending exactly at a block's end, and one byte short of a key.
        let text = format!("{}diagnose", "x ".repeat(28));
        assert_eq!(text.len(), 64);
        assert_eq!(found(&s, &text), vec!["diagnose"]);
        assert_eq!(found(&s, &format!("{}hiv", " ".repeat(61))), vec!["hiv"]);
        assert!(found(&s, "").is_empty());
    }

    #[test]
    fn upper_case_nordic_letters_and_boundaries_beside_non_ascii_characters() {
        let s = set(&["ærlig", "*sjukdom", "fødsel*", "æøå", "ref"]);
        assert_eq!(found(&s, "ÆRLIG"), vec!["ÆRLIG"]);
        assert_eq!(found(&s, "Ærlig talt"), vec!["Ærlig"]);
        assert_eq!(found(&s, "LUNGSJUKDOM»"), vec!["SJUKDOM"]);
        assert_eq!(found(&s, "«FØDSELSDATO"), vec!["FØDSEL"]);
        assert_eq!(found(&s, "ÆØÅ–æøå"), vec!["ÆØÅ", "æøå"]);
        assert!(
            found(&s, "øærlig").is_empty(),
            "ø is a letter: no word start"
        );
        assert!(
            found(&s, "sjukdomé").is_empty(),
            "é is a letter: no word end"
        );
        assert_eq!(found(&s, "×ref÷"), vec!["ref"], "× and ÷ are no letters");
        assert_eq!(found(&s, "\u{a0}ref\u{a0}"), vec!["ref"]);
    }
}
