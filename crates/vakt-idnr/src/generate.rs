//! Synthetic numbers for tests and demos (deterministic from a seed; no randomness crate needed).
//!
//! Every number produced here passes [`crate::parse`] as its kind with the requested birth date. Norwegian
//! numbers follow the pre-2032 century table (so they are valid under both rules) unless made with
//! [`no_post_2032`]; Danish numbers pass modulus 11 unless born on an exempt date or after
//! 1 October 2007, where half of them do not (as issued).

use super::{Date, Kind, dk, fi, no, se};

/// A small deterministic PRNG (SplitMix64) so callers need no dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Multiply-shift: bias below 2^-32 for the small ranges used here.
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }
    /// True with probability `num/den`.
    pub fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
    /// One element of a non-empty slice (the first when empty is impossible to return, so `None`).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }
    /// A random existing date with year in `from..=to`.
    pub fn date(&mut self, from: u16, to: u16) -> Date {
        let year = self.range(u64::from(from), u64::from(to)) as u16;
        let month = self.range(1, 12) as u8;
        let day = self.range(1, u64::from(Date::days_in_month(year, month))) as u8;
        Date { year, month, day }
    }
}

/// A valid number of `kind`, canonical form, born on a random date in 1930..=2025.
pub fn one(kind: Kind, rng: &mut Rng) -> String {
    loop {
        let birth = rng.date(1930, 2025);
        // Every kind encodes every date of 1930..=2025, so this returns on the first pass.
        if let Some(s) = with_birth(kind, birth, rng) {
            return s;
        }
    }
}

/// A valid number of `kind` born on `birth`.
/// `None` if the kind cannot encode that date (NO 1854–2039, DK 1858–2057, SE and FI 1800–2099).
pub fn with_birth(kind: Kind, birth: Date, rng: &mut Rng) -> Option<String> {
    if !birth.is_valid() {
        return None;
    }
    match kind {
        Kind::NoFnr | Kind::NoDnr | Kind::NoHnr | Kind::NoTest => {
            no_number(kind, birth, false, rng)
        }
        Kind::SePnr | Kind::SeSnr => se_number(kind == Kind::SeSnr, birth, rng),
        Kind::DkCpr => dk_number(birth, rng),
        Kind::FiHetu => {
            let signs = match birth.year {
                1800..=1899 => fi::SIGNS_1800,
                1900..=1999 => fi::SIGNS_1900,
                2000..=2099 => fi::SIGNS_2000,
                _ => return None,
            };
            // The original signs (`-`, `A`) are still the most common.
            let sign = if rng.chance(2, 3) {
                signs[0]
            } else {
                *rng.pick(signs)?
            };
            let individual = rng.range(2, 899) as u16;
            fi_number(birth, sign, individual)
        }
    }
}

/// A Norwegian number of `kind` valid only under the rules for numbers issued from 2032
/// (first control digit remainder 1–3, individual number not tied to the century).
pub fn no_post_2032(kind: Kind, birth: Date, rng: &mut Rng) -> Option<String> {
    if !birth.is_valid() {
        return None;
    }
    match kind {
        Kind::NoFnr | Kind::NoDnr | Kind::NoHnr | Kind::NoTest => no_number(kind, birth, true, rng),
        _ => None,
    }
}

/// A henkilötunnus with the given century sign (upper case) and individual number (2–999).
pub fn fi_number(birth: Date, sign: u8, individual: u16) -> Option<String> {
    let century = fi::century_of_sign(sign)?;
    if !birth.is_valid()
        || birth.year < century
        || birth.year > century + 99
        || !(2..=999).contains(&individual)
    {
        return None;
    }
    let yy = birth.year - century;
    let n = u32::from(birth.day) * 10_000_000
        + u32::from(birth.month) * 100_000
        + u32::from(yy) * 1000
        + u32::from(individual);
    let mut s = format!("{:02}{:02}{:02}", birth.day, birth.month, yy);
    s.push(char::from(sign));
    s.push_str(&format!("{individual:03}"));
    s.push(char::from(fi::check_char(n)));
    Some(s)
}

fn push2(d: &mut [u8], at: usize, v: u16) {
    d[at] = (v / 10 % 10) as u8;
    d[at + 1] = (v % 10) as u8;
}

fn no_number(kind: Kind, birth: Date, post_2032: bool, rng: &mut Rng) -> Option<String> {
    let yy = birth.year % 100;
    // Individual-number ranges of the pre-2032 table for this birth year.
    let ranges: &[(u16, u16)] = match birth.year {
        1854..=1899 => &[(500, 749)],
        1900..=1939 => &[(0, 499)],
        1940..=1999 => &[(0, 499), (900, 999)],
        2000..=2039 => &[(500, 999)],
        _ if post_2032 && (1800..=2099).contains(&birth.year) => &[(0, 999)],
        _ => return None,
    };
    let day = u16::from(birth.day) + if kind == Kind::NoDnr { 40 } else { 0 };
    let month = u16::from(birth.month)
        + match kind {
            Kind::NoHnr => 40,
            Kind::NoTest => 80,
            _ => 0,
        };
    let mut d = [0u8; 11];
    push2(&mut d, 0, day);
    push2(&mut d, 2, month);
    push2(&mut d, 4, yy);
    for _ in 0..10_000 {
        let individual = if post_2032 {
            rng.range(0, 999) as u16
        } else {
            let &(lo, hi) = rng.pick(ranges)?;
            rng.range(u64::from(lo), u64::from(hi)) as u16
        };
        d[6] = (individual / 100) as u8;
        push2(&mut d, 7, individual % 100);
        let s1: u32 = d[..9]
            .iter()
            .zip(no::W1)
            .map(|(&x, w)| u32::from(x) * w)
            .sum();
        // K1 makes (S1 + K1) mod 11 equal to `target`: 0 today, 1–3 only under the 2032 rule.
        let target = if post_2032 { rng.range(1, 3) as u32 } else { 0 };
        let k1 = (target + 11 - s1 % 11) % 11;
        if k1 >= 10 {
            continue;
        }
        d[9] = k1 as u8;
        let Some(k2) = no::mod11_check_digit(&d[..10], &no::W2) else {
            continue;
        };
        d[10] = k2;
        return Some(super::digits_to_string(&d));
    }
    None
}

fn se_number(samordning: bool, birth: Date, rng: &mut Rng) -> Option<String> {
    if !(1800..=2099).contains(&birth.year) {
        return None;
    }
    let mut d = [0u8; 12];
    push2(&mut d, 0, birth.year / 100);
    push2(&mut d, 2, birth.year % 100);
    push2(&mut d, 4, u16::from(birth.month));
    push2(
        &mut d,
        6,
        u16::from(birth.day) + if samordning { 60 } else { 0 },
    );
    let nnn = rng.range(1, 999) as u16;
    d[8] = (nnn / 100) as u8;
    push2(&mut d, 9, nnn % 100);
    d[11] = se::luhn_check_digit(&d[2..11]);
    Some(super::digits_to_string(&d))
}

fn dk_number(birth: Date, rng: &mut Rng) -> Option<String> {
    let yy = (birth.year % 100) as u8;
    // The 7th digits that give this birth year under the CPR office table.
    let mut sevenths = [0u8; 10];
    let mut count = 0;
    for s in 0..10u8 {
        if dk::birth_year(yy, s) == birth.year {
            sevenths[count] = s;
            count += 1;
        }
    }
    let sevenths = &sevenths[..count];
    if sevenths.is_empty() {
        return None;
    }
    let may_skip_mod11 = dk::mod11_exempt_date(birth)
        || birth
            >= Date {
                year: 2007,
                month: 10,
                day: 1,
            };
    let want_mod11 = !(may_skip_mod11 && rng.chance(1, 2));
    let mut d = [0u8; 10];
    push2(&mut d, 0, u16::from(birth.day));
    push2(&mut d, 2, u16::from(birth.month));
    push2(&mut d, 4, u16::from(yy));
    for _ in 0..10_000 {
        d[6] = *rng.pick(sevenths)?;
        d[7] = rng.below(10) as u8;
        d[8] = rng.below(10) as u8;
        let s: u32 = d[..9]
            .iter()
            .zip(dk::WEIGHTS)
            .map(|(&x, w)| u32::from(x) * w)
            .sum();
        let fit = (11 - s % 11) % 11; // the last weight is 1
        if want_mod11 {
            if fit >= 10 {
                continue;
            }
            d[9] = fit as u8;
        } else {
            let last = rng.below(10) as u32;
            if last == fit {
                continue;
            }
            d[9] = last as u8;
        }
        return Some(super::digits_to_string(&d));
    }
    None
}
