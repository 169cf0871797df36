//! Sweden: personnummer and samordningsnummer (scanner.md §5.3; Skatteverket, Rättslig vägledning
//! "Personnummer").
//!
//! 10 digits `YYMMDD-NNNC` or 12 digits `YYYYMMDDNNNC`; `C` is the Luhn digit over the last 10 digits.
//! Samordningsnummer: day + 60. In the 10-digit form the separator is `-` until the year the holder turns
//! 100 and `+` from then on, so the century follows from the separator and the current year.

use crate::{Date, Error, Kind, Signals, Valid, implausible_age};

/// The Luhn ("modulus 10, weights 2 and 1") check digit for digit values, weights starting with 2.
pub fn luhn_check_digit(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let p = if i % 2 == 0 {
                u32::from(x) * 2
            } else {
                u32::from(x)
            };
            p / 10 + p % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn luhn_ok(d: &[u8; 10]) -> bool {
    luhn_check_digit(&d[..9]) == d[9]
}

/// Validate `YYMMDDNNNC` given the full year; shared by both forms.
fn validate_core(
    d: &[u8; 10],
    year: u16,
    today: Date,
    inferred: bool,
    plus: bool,
) -> Result<Valid, Error> {
    if !luhn_ok(d) {
        return Err(Error::Checksum);
    }
    let month = d[2] * 10 + d[3];
    let day_raw = d[4] * 10 + d[5];
    let (day, kind) = match day_raw {
        1..=31 => (day_raw, Kind::SePnr),
        61..=91 => (day_raw - 60, Kind::SeSnr),
        _ => return Err(Error::InvalidDate),
    };
    let birth = Date::new(year, month, day).ok_or(Error::InvalidDate)?;
    Ok(Valid {
        kind,
        birth_date: Some(birth),
        signals: Signals {
            check_digits: true,
            century_inferred: inferred,
            se_plus: plus,
            implausible_age: implausible_age(birth, today),
            ..Signals::default()
        },
    })
}

/// The birth year of a 10-digit form: with `-` (or none) the holder turns at most 99 this calendar year,
/// with `+` at least 100 (Folkbokföringslagen 18 §, as python-stdnum also reads it).
pub fn infer_year(yy: u8, plus: bool, today: Date) -> u16 {
    let this_century = today.year - today.year % 100;
    let mut year = if u16::from(yy) <= today.year % 100 {
        this_century + u16::from(yy)
    } else {
        this_century.saturating_sub(100) + u16::from(yy)
    };
    if plus {
        year = year.saturating_sub(100);
    }
    year
}

/// Validate 10 digit values; returns the century (e.g. 19) for the canonical 12-digit form.
pub(crate) fn validate10(d: &[u8; 10], plus: bool, today: Date) -> Result<(Valid, u16), Error> {
    let year = infer_year(d[0] * 10 + d[1], plus, today);
    let v = validate_core(d, year, today, true, plus)?;
    Ok((v, year / 100))
}

/// Validate 12 digit values; the century must be 18, 19 or 20.
pub(crate) fn validate12(d: &[u8; 12], today: Date) -> Result<Valid, Error> {
    let century = d[0] * 10 + d[1];
    if !(18..=20).contains(&century) {
        return Err(Error::InvalidDate);
    }
    let year = u16::from(century) * 100 + u16::from(d[2]) * 10 + u16::from(d[3]);
    let mut ten = [0u8; 10];
    ten.copy_from_slice(&d[2..]);
    validate_core(&ten, year, today, false, false)
}

pub(crate) fn normalized10(century: u16, d: &[u8; 10]) -> String {
    let mut s = String::with_capacity(12);
    s.push(char::from(b'0' + (century / 10 % 10) as u8));
    s.push(char::from(b'0' + (century % 10) as u8));
    s.extend(d.iter().map(|&v| char::from(b'0' + v)));
    s
}
