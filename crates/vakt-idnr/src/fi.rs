//! Finland: henkilötunnus (scanner.md §5.5; DVV).
//!
//! `DDMMYYCZZZQ`: century sign `C` (`+` 1800s; `-`, `Y`, `X`, `W`, `V`, `U` 1900s; `A`–`F` 2000s — the
//! letters other than `-` and `A` since 1 January 2023), individual number `ZZZ` (002–899; 900–999 for
//! temporary and test identities), check character `Q` = table[`DDMMYYZZZ` mod 31].
//! Since 2023 the sign is part of the identity, so it is kept in the canonical form.

use crate::{Date, Error, IdNumber, Kind, Signals, implausible_age};

/// The check character alphabet (G, I, O, Q and Z are not used).
pub const CHECK_CHARS: &[u8; 31] = b"0123456789ABCDEFHJKLMNPRSTUVWXY";

/// The check character for the nine-digit number `DDMMYYZZZ`.
pub fn check_char(ddmmyyzzz: u32) -> u8 {
    CHECK_CHARS[(ddmmyyzzz % 31) as usize]
}

/// The century a sign stands for (upper case), or `None` for anything else.
pub fn century_of_sign(sign: u8) -> Option<u16> {
    match sign {
        b'+' => Some(1800),
        b'-' | b'Y' | b'X' | b'W' | b'V' | b'U' => Some(1900),
        b'A' | b'B' | b'C' | b'D' | b'E' | b'F' => Some(2000),
        _ => None,
    }
}

/// Every century sign, by century.
pub const SIGNS_1800: &[u8] = b"+";
pub const SIGNS_1900: &[u8] = b"-YXWVU";
pub const SIGNS_2000: &[u8] = b"ABCDEF";

/// Parse a written henkilötunnus (surrounding whitespace trimmed; an en dash or minus sign is read as `-`;
/// lower case accepted and flagged).
pub(crate) fn parse(input: &str, today: Date) -> Result<IdNumber, Error> {
    let mut b = [0u8; 11];
    let mut n = 0usize;
    let mut lowercase = false;
    for c in input.chars() {
        let byte = match c {
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' => b'-',
            c if c.is_ascii_lowercase() => {
                lowercase = true;
                c.to_ascii_uppercase() as u8
            }
            c if c.is_ascii_alphanumeric() || c == '+' || c == '-' => c as u8,
            _ => return Err(Error::InvalidCharacter),
        };
        let slot = b.get_mut(n).ok_or(Error::Length)?;
        *slot = byte;
        n += 1;
    }
    if n != 11 {
        return Err(Error::Length);
    }
    let (birth, signals) = validate(&b, today)?;
    let signals = Signals {
        fi_lowercase: lowercase,
        ..signals
    };
    Ok(IdNumber {
        kind: Kind::FiHetu,
        normalized: b.iter().map(|&x| char::from(x)).collect(),
        birth_date: Some(birth),
        signals,
    })
}

fn digit(b: u8) -> Result<u32, Error> {
    if b.is_ascii_digit() {
        Ok(u32::from(b - b'0'))
    } else {
        Err(Error::InvalidCharacter)
    }
}

/// Validate 11 upper-case ASCII bytes.
pub(crate) fn validate(b: &[u8; 11], today: Date) -> Result<(Date, Signals), Error> {
    let mut n = 0u32;
    for &x in b[..6].iter().chain(&b[7..10]) {
        n = n * 10 + digit(x)?;
    }
    let century = century_of_sign(b[6]).ok_or(Error::InvalidCharacter)?;
    let day = (digit(b[0])? * 10 + digit(b[1])?) as u8;
    let month = (digit(b[2])? * 10 + digit(b[3])?) as u8;
    let yy = (digit(b[4])? * 10 + digit(b[5])?) as u16;
    let birth = Date::new(century + yy, month, day).ok_or(Error::InvalidDate)?;
    let individual = n % 1000;
    if individual < 2 {
        return Err(Error::InvalidIndividualNumber);
    }
    if !CHECK_CHARS.contains(&b[10]) {
        return Err(Error::InvalidCharacter);
    }
    if check_char(n) != b[10] {
        return Err(Error::Checksum);
    }
    Ok((
        birth,
        Signals {
            check_digits: true,
            fi_temporary: individual >= 900,
            implausible_age: implausible_age(birth, today),
            ..Signals::default()
        },
    ))
}
