//! Denmark: CPR number (scanner.md §5.4; CPR office; OS2datascanner `cpr.py`).
//!
//! 10 digits `DDMMYY-SSSS`. The 7th digit and `YY` give the century. The modulus-11 check is *not*
//! required: numbers without it have been issued since 1 October 2007, and the CPR office asks users to
//! drop the check. Passing it is reported as a signal.

use crate::{Date, Error, Kind, Signals, Valid, implausible_age};

/// Modulus-11 weights over all ten digits.
pub const WEIGHTS: [u32; 10] = [4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// Years whose 1 January has CPR numbers without a valid modulus-11 digit (CPR office list as synchronised
/// by OS2datascanner on 28 January 2021).
pub const MOD11_EXEMPT_JAN1_YEARS: [u16; 24] = [
    1960, 1964, 1965, 1966, 1967, 1969, 1970, 1974, 1975, 1978, 1980, 1981, 1982, 1984, 1985, 1986,
    1987, 1988, 1989, 1990, 1991, 1992, 1994, 1995,
];

/// Whether the ten digit values pass the old modulus-11 check.
pub fn mod11_ok(d: &[u8; 10]) -> bool {
    d.iter()
        .zip(WEIGHTS)
        .map(|(&x, w)| u32::from(x) * w)
        .sum::<u32>()
        % 11
        == 0
}

/// The birth year from `YY` and the 7th digit: 0–3 → 1900s; 4 → 2000s if YY ≤ 36 else 1900s;
/// 5–8 → 2000s if YY ≤ 57 else 1800s; 9 → 2000s if YY ≤ 37 else 1900s.
pub fn birth_year(yy: u8, seventh: u8) -> u16 {
    let yy16 = u16::from(yy);
    match seventh {
        0..=3 => 1900 + yy16,
        4 if yy <= 36 => 2000 + yy16,
        4 => 1900 + yy16,
        5..=8 if yy <= 57 => 2000 + yy16,
        5..=8 => 1800 + yy16,
        _ if yy <= 37 => 2000 + yy16,
        _ => 1900 + yy16,
    }
}

/// Whether `birth` is on the CPR office's list of dates with numbers that fail modulus 11.
pub fn mod11_exempt_date(birth: Date) -> bool {
    birth.month == 1 && birth.day == 1 && MOD11_EXEMPT_JAN1_YEARS.contains(&birth.year)
}

/// Validate 10 digit values.
pub(crate) fn validate(d: &[u8; 10], today: Date) -> Result<Valid, Error> {
    let day = d[0] * 10 + d[1];
    let month = d[2] * 10 + d[3];
    let year = birth_year(d[4] * 10 + d[5], d[6]);
    let birth = Date::new(year, month, day).ok_or(Error::InvalidDate)?;
    let m11 = mod11_ok(d);
    Ok(Valid {
        kind: Kind::DkCpr,
        birth_date: Some(birth),
        signals: Signals {
            check_digits: m11,
            dk_mod11: Some(m11),
            dk_mod11_exempt_date: mod11_exempt_date(birth),
            implausible_age: implausible_age(birth, today),
            ..Signals::default()
        },
    })
}
