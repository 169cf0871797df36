//! Norway: fødselsnummer, D-nummer, H-nummer and synthetic test numbers (scanner.md §5.1).
//!
//! 11 digits `DDMMYY III K1 K2`. K2 (weights [`W2`]) must always hold. K1 (weights [`W1`]) must leave
//! remainder 0 under the current rule; numbers issued from 1 January 2032 may leave 1–3 (Skatteetaten,
//! `nyttfnr2032.md`). The individual number's century table is only a plausibility signal.

use crate::{Date, Error, Kind, NoSynthetic, Signals, Valid, implausible_age};

/// Weights of the first control digit over d0..d8.
pub const W1: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
/// Weights of the second control digit over d0..d9; also the kontonummer weights.
pub const W2: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// Which rule the first control digit satisfies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K1Rule {
    /// Remainder 0: valid before and after 2032.
    Current,
    /// Remainder 1–3: valid only under the rules for numbers issued from 2032.
    Post2032Only,
}

fn weighted(d: &[u8], w: &[u32]) -> u32 {
    d.iter().zip(w).map(|(&x, &w)| u32::from(x) * w).sum()
}

/// The mod-11 check digit for `digits` (values 0–9) with `weights` (`11 − S mod 11`, 11 → 0),
/// or `None` when it would be 10 (such numbers are never issued). Also serves organisation numbers
/// (weights `[3,2,7,6,5,4,3,2]`) and bank account numbers ([`W2`]).
pub fn mod11_check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let k = (11 - weighted(digits, weights) % 11) % 11;
    (k < 10).then_some(k as u8)
}

/// Check both control digits of 11 digit values; `None` if either fails.
pub fn control_digits(d: &[u8; 11]) -> Option<K1Rule> {
    if !(weighted(&d[..10], &W2) + u32::from(d[10])).is_multiple_of(11) {
        return None;
    }
    match (weighted(&d[..9], &W1) + u32::from(d[9])) % 11 {
        0 => Some(K1Rule::Current),
        1..=3 => Some(K1Rule::Post2032Only),
        _ => None,
    }
}

/// The birth century the individual number gives under the pre-2032 table, if any:
/// 000–499 → 1900s; 500–749 with YY ≥ 54 → 1800s; 500–999 with YY ≤ 39 → 2000s; 900–999 with YY ≥ 40 → 1900s.
pub fn table_century(individual: u16, yy: u8) -> Option<u16> {
    match individual {
        0..=499 => Some(1900),
        500..=749 if yy >= 54 => Some(1800),
        500..=999 if yy <= 39 => Some(2000),
        900..=999 if yy >= 40 => Some(1900),
        _ => None,
    }
}

/// Validate 11 digit values.
pub(crate) fn validate(d: &[u8; 11], today: Date) -> Result<Valid, Error> {
    let rule = control_digits(d).ok_or(Error::Checksum)?;
    let day_raw = d[0] * 10 + d[1];
    let month_raw = d[2] * 10 + d[3];
    let yy = d[4] * 10 + d[5];
    let individual = u16::from(d[6]) * 100 + u16::from(d[7]) * 10 + u16::from(d[8]);

    let (day, d_number) = match day_raw {
        1..=31 => (day_raw, false),
        41..=71 => (day_raw - 40, true),
        _ => return Err(Error::InvalidDate),
    };
    let (month, kind, synthetic) = match (month_raw, d_number) {
        (1..=12, false) => (month_raw, Kind::NoFnr, None),
        (1..=12, true) => (month_raw, Kind::NoDnr, None),
        (41..=52, false) => (month_raw - 40, Kind::NoHnr, Some(NoSynthetic::HnrOrDolly)),
        (41..=52, true) => (month_raw - 40, Kind::NoTest, Some(NoSynthetic::Dolly)),
        (81..=92, _) => (month_raw - 80, Kind::NoTest, Some(NoSynthetic::Tenor)),
        _ => return Err(Error::InvalidDate),
    };

    let post_2032 = rule == K1Rule::Post2032Only;
    let table = table_century(individual, yy).map(|c| c + u16::from(yy));
    // Latest year ending in `yy` that is not after this year, then the centuries before it.
    let this_century = today.year - today.year % 100;
    let latest = if u16::from(yy) <= today.year % 100 {
        this_century + u16::from(yy)
    } else {
        this_century.saturating_sub(100) + u16::from(yy)
    };
    let fallbacks = [
        latest,
        latest.saturating_sub(100),
        latest.saturating_sub(200),
    ];
    // Under the 2032 rule the individual number says nothing about the century.
    let first = if post_2032 { None } else { table };
    let birth = first
        .into_iter()
        .chain(fallbacks)
        .find_map(|y| Date::new(y, month, day))
        .ok_or(Error::InvalidDate)?;

    let century_consistent = if post_2032 || d_number {
        None
    } else {
        Some(table == Some(birth.year))
    };
    Ok(Valid {
        kind,
        birth_date: Some(birth),
        signals: Signals {
            check_digits: true,
            century_consistent,
            post_2032_rule: post_2032,
            implausible_age: implausible_age(birth, today),
            no_synthetic: synthetic,
            ..Signals::default()
        },
    })
}
