//! Nordic national identity numbers: parse, validate, normalise, classify, mask and
//! generate synthetic test numbers. No I/O and no dependencies.
//!
//! Seam used by `vakt-scan` (keep these signatures stable; add freely):
//! - [`Kind`], [`Country`], [`Date`], [`IdNumber`], [`Signals`], [`Error`]
//! - [`parse`] — one written form, one country, all checks.
//! - [`interpret`] — every valid reading of a candidate digit string (the scanner's entry point).
//! - [`mask`], [`mask_text_digits`] — what is shown to people.
//! - [`generate`] — synthetic numbers of each kind for tests and demos.
//!
//! The algorithms follow `research/scanner.md` §5: Norway in [`no`], Sweden in [`se`], Denmark in [`dk`],
//! Finland in [`fi`]. A checksum only rules a candidate out; everything that makes a valid number more or
//! less plausible is reported in [`Signals`] for the scorer, never used to reject.

pub mod dk;
pub mod fi;
pub mod generate;
mod mask;
pub mod no;
pub mod se;

pub use mask::{mask, mask_text_digits};

/// The kinds of number, with the stable codes used in scanner output (`no.fnr`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Norwegian fødselsnummer.
    NoFnr,
    /// Norwegian D-nummer (day + 40).
    NoDnr,
    /// Norwegian H-nummer (month + 40).
    NoHnr,
    /// Norwegian synthetic test number (month + 80, Skatteetaten's Tenor convention).
    NoTest,
    /// Swedish personnummer.
    SePnr,
    /// Swedish samordningsnummer (day + 60).
    SeSnr,
    /// Danish CPR number.
    DkCpr,
    /// Finnish henkilötunnus.
    FiHetu,
}

/// Country of a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Country {
    No,
    Se,
    Dk,
    Fi,
}

/// A calendar date (proleptic Gregorian), used for birth dates and for "today".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// Which synthetic-number convention a Norwegian number follows (scanner.md §5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoSynthetic {
    /// Month + 80: Skatteetaten's Tenor / Test-Norge numbers (kind [`Kind::NoTest`]).
    Tenor,
    /// Month + 40 together with day + 40: a NAV Dolly synthetic D-number (kind [`Kind::NoTest`]);
    /// H-numbers never carry a D-number day.
    Dolly,
    /// Month + 40 with an ordinary day: an H-number, or a NAV Dolly synthetic number, which uses the
    /// same encoding (kind [`Kind::NoHnr`]). Personal data by default; a tenant may decide otherwise.
    HnrOrDolly,
}

/// Plausibility signals a scorer can weigh; none of them is a reason to reject.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// The number carries check digits/characters and they are correct
    /// (NO mod-11 ×2, SE Luhn, FI mod-31). False for DK when mod-11 fails or is not applicable.
    pub check_digits: bool,
    /// DK only: the old modulus-11 check passes (numbers issued since 2007 need not pass it).
    pub dk_mod11: Option<bool>,
    /// NO only: the individual number agrees with the century table for the birth year.
    /// `None` where the table does not apply (D-numbers since 2021, numbers under the 2032 rules).
    pub century_consistent: Option<bool>,
    /// NO only: valid only under the rules for numbers issued from 2032
    /// (first control digit remainder 0–3 accepted).
    pub post_2032_rule: bool,
    /// SE only: the century was inferred from a 10-digit form (separator or absence of one).
    pub century_inferred: bool,
    /// The birth date is in the future relative to `today`, or implies an age over 125.
    pub implausible_age: bool,
    /// NO only: the synthetic-number convention the number follows, if any.
    pub no_synthetic: Option<NoSynthetic>,
    /// DK only: the birth date is on the CPR office's list of dates that have numbers without a valid
    /// modulus-11 check digit (so a failed mod-11 check says nothing there).
    pub dk_mod11_exempt_date: bool,
    /// SE only: written with `+` (the holder is 100 or older).
    pub se_plus: bool,
    /// FI only: individual number 900–999, used for temporary and test identities.
    pub fi_temporary: bool,
    /// FI only: written in lower case (officially upper case).
    pub fi_lowercase: bool,
}

/// A validated number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    pub kind: Kind,
    /// Canonical form: NO 11 digits; SE 12 digits `YYYYMMDDNNNC`; DK 10 digits; FI `DDMMYYCZZZQ`.
    pub normalized: String,
    /// The birth date the number encodes (day/month corrected for D/H/test/samordning offsets).
    pub birth_date: Option<Date>,
    pub signals: Signals,
}

/// Why a written form is not a valid number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    Length,
    InvalidCharacter,
    InvalidDate,
    Checksum,
    InvalidIndividualNumber,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Error::Length => "wrong number of digits",
            Error::InvalidCharacter => "invalid character",
            Error::InvalidDate => "no valid birth date",
            Error::Checksum => "check digit or character does not match",
            Error::InvalidIndividualNumber => "individual number out of range",
        })
    }
}

impl std::error::Error for Error {}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::NoFnr,
        Kind::NoDnr,
        Kind::NoHnr,
        Kind::NoTest,
        Kind::SePnr,
        Kind::SeSnr,
        Kind::DkCpr,
        Kind::FiHetu,
    ];
    /// Stable code: `no.fnr`, `no.dnr`, `no.hnr`, `no.test`, `se.pnr`, `se.snr`, `dk.cpr`, `fi.hetu`.
    pub fn code(self) -> &'static str {
        match self {
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
    pub fn from_code(code: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == code)
    }
    pub fn country(self) -> Country {
        match self {
            Kind::NoFnr | Kind::NoDnr | Kind::NoHnr | Kind::NoTest => Country::No,
            Kind::SePnr | Kind::SeSnr => Country::Se,
            Kind::DkCpr => Country::Dk,
            Kind::FiHetu => Country::Fi,
        }
    }
}

impl Country {
    pub const ALL: [Country; 4] = [Country::No, Country::Se, Country::Dk, Country::Fi];
    /// Stable code: `no`, `se`, `dk`, `fi`.
    pub fn code(self) -> &'static str {
        match self {
            Country::No => "no",
            Country::Se => "se",
            Country::Dk => "dk",
            Country::Fi => "fi",
        }
    }
    pub fn from_code(code: &str) -> Option<Country> {
        Country::ALL.into_iter().find(|c| c.code() == code)
    }
}

impl IdNumber {
    pub fn country(&self) -> Country {
        self.kind.country()
    }
}

impl Date {
    /// A date if it exists in the proleptic Gregorian calendar.
    pub const fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if month == 0 || month > 12 || day == 0 || day > Date::days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }
    pub const fn is_leap_year(year: u16) -> bool {
        (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
    }
    /// Days in `month` (1–12) of `year`; 0 for a month outside 1–12.
    pub const fn days_in_month(year: u16, month: u8) -> u8 {
        match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if Date::is_leap_year(year) => 29,
            2 => 28,
            _ => 0,
        }
    }
    /// Whether this date exists.
    pub const fn is_valid(self) -> bool {
        Date::new(self.year, self.month, self.day).is_some()
    }
    /// Whole years from `self` to `later` (negative if `later` is earlier).
    pub fn years_until(self, later: Date) -> i32 {
        let mut years = i32::from(later.year) - i32::from(self.year);
        if (later.month, later.day) < (self.month, self.day) {
            years -= 1;
        }
        years
    }
}

/// Oldest age a living holder plausibly has.
pub const MAX_PLAUSIBLE_AGE: i32 = 125;

/// The age signal shared by all countries.
pub(crate) fn implausible_age(birth: Date, today: Date) -> bool {
    birth > today || birth.years_until(today) > MAX_PLAUSIBLE_AGE
}

/// The outcome of validating a fixed-size digit array: everything but the canonical string, so that the
/// scanner's reject path allocates nothing.
#[derive(Debug, Clone)]
pub(crate) struct Valid {
    pub kind: Kind,
    pub birth_date: Option<Date>,
    pub signals: Signals,
}

/// Separators people type between digit groups (besides `+`, which only Sweden gives a meaning).
pub(crate) fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '-'
            | '.'
            | '/'
            | '\t'
            | '\u{a0}'   // no-break space
            | '\u{2007}' // figure space
            | '\u{2009}' // thin space
            | '\u{202f}' // narrow no-break space
            | '\u{2010}' // hyphen
            | '\u{2011}' // non-breaking hyphen
            | '\u{2012}' // figure dash
            | '\u{2013}' // en dash
            | '\u{2014}' // em dash
            | '\u{2212}' // minus sign
    )
}

/// Collect exactly `N` ASCII digits (as values 0–9) from `input`, skipping separators.
/// `plus` receives whether a `+` was seen (only accepted when `allow_plus`).
pub(crate) fn collect_digits<const N: usize>(
    input: &str,
    allow_plus: bool,
    plus: &mut bool,
) -> Result<[u8; N], Error> {
    let mut out = [0u8; N];
    let mut n = 0usize;
    for c in input.chars() {
        if c.is_ascii_digit() {
            let slot = out.get_mut(n).ok_or(Error::Length)?;
            *slot = c as u8 - b'0';
            n += 1;
        } else if c == '+' && allow_plus {
            *plus = true;
        } else if !is_separator(c) {
            return Err(Error::InvalidCharacter);
        }
    }
    if n != N {
        return Err(Error::Length);
    }
    Ok(out)
}

/// Count ASCII digits in `input`, or fail on a character that is neither digit, separator nor (if allowed) `+`.
fn count_digits(input: &str, allow_plus: bool) -> Result<usize, Error> {
    let mut n = 0usize;
    for c in input.chars() {
        if c.is_ascii_digit() {
            n += 1;
        } else if !(is_separator(c) || (allow_plus && c == '+')) {
            return Err(Error::InvalidCharacter);
        }
    }
    Ok(n)
}

/// ASCII digits to values; `None` if any byte is not an ASCII digit.
pub(crate) fn digit_values<const N: usize>(digits: &[u8]) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    if digits.len() != N {
        return None;
    }
    for (slot, &b) in out.iter_mut().zip(digits) {
        if !b.is_ascii_digit() {
            return None;
        }
        *slot = b - b'0';
    }
    Some(out)
}

pub(crate) fn digits_to_string(d: &[u8]) -> String {
    d.iter().map(|&v| char::from(b'0' + v)).collect()
}

impl Valid {
    pub(crate) fn into_id(self, normalized: String) -> IdNumber {
        IdNumber {
            kind: self.kind,
            normalized,
            birth_date: self.birth_date,
            signals: self.signals,
        }
    }
}

/// Parse one written form (separators allowed as people type them: none, `-`, `+` for SE, space, `.`,
/// non-breaking space, en dash; FI century signs) as a number of `country`.
/// `today` settles the Swedish 10-digit century and the age signal.
pub fn parse(country: Country, input: &str, today: Date) -> Result<IdNumber, Error> {
    let input = input.trim();
    let mut plus = false;
    match country {
        Country::No => {
            let d = collect_digits::<11>(input, false, &mut plus)?;
            no::validate(&d, today).map(|v| v.into_id(digits_to_string(&d)))
        }
        Country::Dk => {
            let d = collect_digits::<10>(input, false, &mut plus)?;
            dk::validate(&d, today).map(|v| v.into_id(digits_to_string(&d)))
        }
        Country::Se => match count_digits(input, true)? {
            10 => {
                let d = collect_digits::<10>(input, true, &mut plus)?;
                let (v, century) = se::validate10(&d, plus, today)?;
                Ok(v.into_id(se::normalized10(century, &d)))
            }
            12 => {
                let d = collect_digits::<12>(input, true, &mut plus)?;
                se::validate12(&d, today).map(|v| v.into_id(digits_to_string(&d)))
            }
            _ => Err(Error::Length),
        },
        Country::Fi => fi::parse(input, today),
    }
}

/// Every valid reading of a candidate. `digits` holds only the digits found by the scanner (10, 11 or 12 of
/// them); `sep` is the separator that stood before the last four digits (or before the last five for NO),
/// if any (`b'-'`, `b'+'`, `b' '`, `b'.'`, ...). A 10-digit string can be both a CPR and a personnummer;
/// both are returned. Finnish numbers contain letters and are matched by [`parse`] with `Country::Fi`.
///
/// Allocates only for a valid reading: the reject path (almost every candidate) is allocation-free.
pub fn interpret(digits: &[u8], sep: Option<u8>, today: Date) -> Vec<IdNumber> {
    let mut out = Vec::new();
    match digits.len() {
        10 => {
            let Some(d) = digit_values::<10>(digits) else {
                return out;
            };
            let plus = sep == Some(b'+');
            // Danish numbers are never written with `+`.
            if !plus && let Ok(v) = dk::validate(&d, today) {
                out.push(v.into_id(digits_to_string(&d)));
            }
            if let Ok((v, century)) = se::validate10(&d, plus, today) {
                out.push(v.into_id(se::normalized10(century, &d)));
            }
        }
        11 => {
            if let Some(d) = digit_values::<11>(digits)
                && let Ok(v) = no::validate(&d, today)
            {
                out.push(v.into_id(digits_to_string(&d)));
            }
        }
        12 => {
            if let Some(d) = digit_values::<12>(digits)
                && let Ok(v) = se::validate12(&d, today)
            {
                out.push(v.into_id(digits_to_string(&d)));
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests;
