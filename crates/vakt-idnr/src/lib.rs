//! Nordic national identity numbers: parse, validate, normalise, classify, mask and
//! generate synthetic test numbers. No I/O and no dependencies.
//!
//! Seam used by `vakt-scan` (keep these signatures stable; add freely):
//! - [`Kind`], [`Country`], [`Date`], [`IdNumber`], [`Signals`], [`Error`]
//! - [`parse`] — one written form, one country, all checks.
//! - [`interpret`] — every valid reading of a candidate digit string (the scanner's entry point).
//! - [`mask`], [`mask_text_digits`] — what is shown to people.
//! - [`generate`] — synthetic numbers of each kind for tests and demos.

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
        todo!()
    }
    pub fn from_code(code: &str) -> Option<Kind> {
        let _ = code;
        todo!()
    }
    pub fn country(self) -> Country {
        todo!()
    }
}

/// Parse one written form (separators allowed as people type them: none, `-`, `+` for SE, space, `.`,
/// non-breaking space, en dash; FI century signs) as a number of `country`.
/// `today` settles the Swedish 10-digit century and the age signal.
pub fn parse(country: Country, input: &str, today: Date) -> Result<IdNumber, Error> {
    let _ = (country, input, today);
    todo!()
}

/// Every valid reading of a candidate. `digits` holds only the digits found by the scanner (10, 11 or 12 of
/// them); `sep` is the separator that stood before the last four digits (or before the last five for NO),
/// if any (`b'-'`, `b'+'`, `b' '`, `b'.'`, ...). A 10-digit string can be both a CPR and a personnummer;
/// both are returned. Finnish numbers contain letters and are matched by [`parse`] with `Country::Fi`.
pub fn interpret(digits: &[u8], sep: Option<u8>, today: Date) -> Vec<IdNumber> {
    let _ = (digits, sep, today);
    todo!()
}

/// Masked display form: birth-date part kept, the rest as `*` (`010190*****`, `19900101-****`, `010190-****`).
pub fn mask(id: &IdNumber) -> String {
    let _ = id;
    todo!()
}

/// Replace, in free text, every run of digits longer than 6 by its first 6 digits and `*` for the rest,
/// keeping separators, so that a context snippet never shows a whole number.
pub fn mask_text_digits(text: &str) -> String {
    let _ = text;
    todo!()
}

/// Synthetic numbers for tests and demos (deterministic from a seed; no randomness crate needed).
pub mod generate {
    use super::{Date, Kind};
    /// A small deterministic PRNG (e.g. SplitMix64) so callers need no dependency.
    pub struct Rng(pub u64);
    /// A valid number of `kind`, canonical form, born on a random date in 1930..=2025.
    pub fn one(kind: Kind, rng: &mut Rng) -> String {
        let _ = (kind, rng);
        todo!()
    }
    /// A valid number of `kind` born on `birth`.
    pub fn with_birth(kind: Kind, birth: Date, rng: &mut Rng) -> Option<String> {
        let _ = (kind, birth, rng);
        todo!()
    }
}
