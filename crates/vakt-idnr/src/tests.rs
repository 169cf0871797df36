//! Unit and property tests of the validators, the generator and masking (scanner.md §5 worked examples).

use super::*;
use proptest::prelude::*;

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn date(year: u16, month: u8, day: u8) -> Date {
    Date { year, month, day }
}

fn kinds_of(digits: &str, sep: Option<u8>) -> Vec<Kind> {
    interpret(digits.as_bytes(), sep, TODAY)
        .iter()
        .map(|i| i.kind)
        .collect()
}

#[test]
fn kind_codes_round_trip_and_name_their_country() {
    for k in Kind::ALL {
        assert_eq!(Kind::from_code(k.code()), Some(k));
        assert!(k.code().starts_with(k.country().code()));
    }
    assert_eq!(Kind::from_code("no.kontonr"), None);
}

#[test]
fn norwegian_worked_examples_are_classified_as_the_research_says() {
    // (input, kind, birth date, post-2032-only, synthetic)
    let cases: &[(&str, Kind, Date, bool, Option<NoSynthetic>)] = &[
        // Skatteetaten's examples for the 2032 rule (nyttfnr2032.md).
        ("02013299997", Kind::NoFnr, date(2032, 1, 2), false, None),
        ("30108299920", Kind::NoFnr, date(1982, 10, 30), false, None),
        ("30108299939", Kind::NoFnr, date(1982, 10, 30), true, None),
    ];
    for &(input, kind, birth, post, synth) in cases {
        let id = parse(Country::No, input, TODAY).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(id.kind, kind, "{input}");
        assert_eq!(id.birth_date, Some(birth), "{input}");
        assert_eq!(id.signals.post_2032_rule, post, "{input}");
        assert_eq!(id.signals.no_synthetic, synth, "{input}");
        assert!(id.signals.check_digits);
    }
}

#[test]
fn norwegian_first_control_digit_remainder_above_three_is_rejected() {
    // 30108299939 is valid only under the 2032 rule; find K1 values whose remainder is 4..=10.
    let base = *b"301082999";
    let s1: u32 = base
        .iter()
        .zip(no::W1)
        .map(|(&x, w)| u32::from(x - b'0') * w)
        .sum();
    for k1 in 0..10u8 {
        let r = (s1 + u32::from(k1)) % 11;
        let mut d = [0u8; 10];
        for (slot, &b) in d.iter_mut().zip(&base) {
            *slot = b - b'0';
        }
        d[9] = k1;
        let Some(k2) = no::mod11_check_digit(&d, &no::W2) else {
            continue;
        };
        let s = format!("301082999{k1}{k2}");
        let got = parse(Country::No, &s, TODAY);
        if r <= 3 {
            assert!(got.is_ok(), "{s} remainder {r}");
        } else {
            assert_eq!(got, Err(Error::Checksum), "{s} remainder {r}");
        }
    }
}

#[test]
fn norwegian_offsets_decode_to_the_birth_date() {
    let mut rng = generate::Rng(7);
    let birth = date(1985, 3, 14);
    for kind in [Kind::NoFnr, Kind::NoDnr, Kind::NoHnr, Kind::NoTest] {
        let s = generate::with_birth(kind, birth, &mut rng).expect("encodable");
        let id = parse(Country::No, &s, TODAY).expect("valid");
        assert_eq!((id.kind, id.birth_date), (kind, Some(birth)), "{s}");
        let day = &s[..2];
        let month = &s[2..4];
        match kind {
            Kind::NoFnr => assert_eq!((day, month), ("14", "03")),
            Kind::NoDnr => assert_eq!((day, month), ("54", "03")),
            Kind::NoHnr => assert_eq!((day, month), ("14", "43")),
            _ => assert_eq!((day, month), ("14", "83")),
        }
    }
}

#[test]
fn month_plus_forty_is_an_h_number_flagged_as_possibly_dolly() {
    let mut rng = generate::Rng(1);
    let s = generate::with_birth(Kind::NoHnr, date(1990, 5, 17), &mut rng).expect("encodable");
    let id = parse(Country::No, &s, TODAY).expect("valid");
    assert_eq!(id.kind, Kind::NoHnr);
    assert_eq!(id.signals.no_synthetic, Some(NoSynthetic::HnrOrDolly));
}

#[test]
fn month_plus_forty_with_d_number_day_is_a_dolly_test_number() {
    // Day + 40 and month + 40: NAV Dolly synthetic D-number; H-numbers never carry a D-number day.
    let mut d = [5u8, 7, 4, 5, 9, 0, 1, 2, 3, 0, 0]; // 57 45 90 123 K1 K2 → 17 May 1990
    for k1 in 0..10u8 {
        d[9] = k1;
        let Some(k2) = no::mod11_check_digit(&d[..10], &no::W2) else {
            continue;
        };
        d[10] = k2;
        if no::control_digits(&d) == Some(no::K1Rule::Current) {
            break;
        }
    }
    let s = digits_to_string(&d);
    let id = parse(Country::No, &s, TODAY).expect("valid");
    assert_eq!(id.kind, Kind::NoTest);
    assert_eq!(id.signals.no_synthetic, Some(NoSynthetic::Dolly));
    assert_eq!(id.birth_date, Some(date(1990, 5, 17)));
}

#[test]
fn norwegian_century_table_is_a_signal_never_a_rejection() {
    // Individual number 800 with YY 85 is outside the pre-2032 table.
    let mut rng = generate::Rng(3);
    let mut found = false;
    for _ in 0..200 {
        let ind = 750 + rng.below(150) as u8 as u16; // 750..=899
        let mut d = [
            1u8,
            5,
            0,
            6,
            8,
            5,
            (ind / 100) as u8,
            (ind / 10 % 10) as u8,
            (ind % 10) as u8,
            0,
            0,
        ];
        let s1: u32 = d[..9]
            .iter()
            .zip(no::W1)
            .map(|(&x, w)| u32::from(x) * w)
            .sum();
        let k1 = (11 - s1 % 11) % 11;
        if k1 == 10 {
            continue;
        }
        d[9] = k1 as u8;
        let Some(k2) = no::mod11_check_digit(&d[..10], &no::W2) else {
            continue;
        };
        d[10] = k2;
        let id = parse(Country::No, &digits_to_string(&d), TODAY).expect("valid despite the table");
        assert_eq!(id.signals.century_consistent, Some(false));
        assert_eq!(id.birth_date, Some(date(1985, 6, 15)));
        found = true;
    }
    assert!(found);
}

#[test]
fn norwegian_leap_day_century_follows_the_individual_number() {
    // 29.02.00: valid in 2000 (individual 500–999), not in 1900 (000–499) — there the table is
    // overridden by the only century in which the date exists, and the signal says so.
    let mut rng = generate::Rng(11);
    let s = generate::with_birth(Kind::NoFnr, date(2000, 2, 29), &mut rng).expect("encodable");
    let id = parse(Country::No, &s, TODAY).expect("valid");
    assert_eq!(id.birth_date, Some(date(2000, 2, 29)));
    assert_eq!(id.signals.century_consistent, Some(true));
    // Same date with individual number 123 (→ 1900, where 29 February did not exist).
    let mut d = [2u8, 9, 0, 2, 0, 0, 1, 2, 3, 0, 0];
    for k1 in 0..10u8 {
        d[9] = k1;
        if let Some(k2) = no::mod11_check_digit(&d[..10], &no::W2) {
            d[10] = k2;
            if no::control_digits(&d) == Some(no::K1Rule::Current) {
                let id = parse(Country::No, &digits_to_string(&d), TODAY).expect("valid");
                assert_eq!(id.birth_date, Some(date(2000, 2, 29)));
                assert_eq!(id.signals.century_consistent, Some(false));
                return;
            }
        }
    }
    panic!("no K1 fits");
}

#[test]
fn norwegian_bank_account_number_passes_only_the_second_control_digit() {
    // IBAN NO93 8601 1117 947 (scanner.md §6.1): kontonummer 8601.11.17947 is valid with W2 …
    let acct = [8u8, 6, 0, 1, 1, 1, 1, 7, 9, 4];
    assert_eq!(no::mod11_check_digit(&acct, &no::W2), Some(7));
    // … and is not a fødselsnummer (day 86).
    assert!(kinds_of("86011117947", Some(b'.')).is_empty());
}

#[test]
fn swedish_forms_and_separators() {
    // (input, kind, normalized)
    let cases: &[(&str, Kind, &str)] = &[
        ("811218-9876", Kind::SePnr, "198112189876"),
        ("8112189876", Kind::SePnr, "198112189876"),
        ("19811218-9876", Kind::SePnr, "198112189876"),
        ("198112189876", Kind::SePnr, "198112189876"),
        ("811218+9876", Kind::SePnr, "188112189876"),
        ("811278-9873", Kind::SeSnr, "198112789873"),
    ];
    for &(input, kind, normalized) in cases {
        let id = parse(Country::Se, input, TODAY).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (id.kind, id.normalized.as_str()),
            (kind, normalized),
            "{input}"
        );
        assert_eq!(id.signals.century_inferred, input.len() < 12, "{input}");
    }
    assert_eq!(
        parse(Country::Se, "811218-9875", TODAY).map(|i| i.kind),
        Err(Error::Checksum)
    );
    // 31 February passes a 1–31 day check but is no date.
    let luhn = se::luhn_check_digit(&[8, 1, 0, 2, 3, 1, 1, 2, 3]);
    assert_eq!(
        parse(Country::Se, &format!("810231-123{luhn}"), TODAY).map(|i| i.kind),
        Err(Error::InvalidDate)
    );
}

#[test]
fn swedish_ten_digit_century_uses_the_year_the_holder_turns_100() {
    assert_eq!(se::infer_year(26, false, TODAY), 2026);
    assert_eq!(se::infer_year(27, false, TODAY), 1927);
    assert_eq!(se::infer_year(26, true, TODAY), 1926);
    assert_eq!(se::infer_year(5, true, TODAY), 1905);
}

#[test]
fn swedish_plus_separator_rules_out_a_danish_reading() {
    let both = kinds_of("1112121118", None);
    let plus = kinds_of("1112121118", Some(b'+'));
    assert!(!plus.contains(&Kind::DkCpr));
    assert!(both.contains(&Kind::DkCpr) || both.contains(&Kind::SePnr));
}

#[test]
fn ten_digits_valid_in_two_countries_are_returned_twice() {
    let mut rng = generate::Rng(5);
    let mut seen = 0;
    for _ in 0..20_000 {
        let n: String = (0..10)
            .map(|_| char::from(b'0' + rng.below(10) as u8))
            .collect();
        let k = kinds_of(&n, None);
        if k.contains(&Kind::DkCpr) && k.iter().any(|k| k.country() == Country::Se) {
            seen += 1;
        }
    }
    // scanner.md §5.7 measured 0.23 % of random 10-digit strings valid in both countries.
    assert!((20..=80).contains(&seen), "{seen}");
}

#[test]
fn danish_examples() {
    let id = parse(Country::Dk, "111111-1118", TODAY).expect("valid");
    assert_eq!(id.birth_date, Some(date(1911, 11, 11)));
    assert_eq!(id.signals.dk_mod11, Some(true));
    assert!(id.signals.check_digits);
    // Mod-11 failing numbers are valid CPRs (issued since 2007), only with a weaker signal.
    let id = parse(Country::Dk, "111111-1119", TODAY).expect("valid");
    assert_eq!(id.signals.dk_mod11, Some(false));
    assert!(!id.signals.check_digits);
    // An exempt date.
    let id = parse(Country::Dk, "010165 4321", TODAY).expect("valid");
    assert!(id.signals.dk_mod11_exempt_date);
    assert_eq!(
        parse(Country::Dk, "310211-1234", TODAY).map(|i| i.kind),
        Err(Error::InvalidDate)
    );
}

#[test]
fn danish_seventh_digit_gives_the_century() {
    // (yy, seventh, year) from the CPR office table.
    let cases = [
        (11, 0, 1911),
        (36, 4, 2036),
        (37, 4, 1937),
        (57, 5, 2057),
        (58, 8, 1858),
        (37, 9, 2037),
        (38, 9, 1938),
        (99, 3, 1999),
    ];
    for (yy, seventh, year) in cases {
        assert_eq!(dk::birth_year(yy, seventh), year, "{yy} {seventh}");
    }
}

#[test]
fn finnish_examples_every_century_sign() {
    // DVV test persons (scanner.md §5.5).
    for (input, birth, temporary) in [
        ("010594Y9032", date(1994, 5, 1), true),
        ("020516C903K", date(2016, 5, 2), true),
        ("131052-308T", date(1952, 10, 13), false),
    ] {
        let id = parse(Country::Fi, input, TODAY).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(
            (id.birth_date, id.signals.fi_temporary),
            (Some(birth), temporary),
            "{input}"
        );
    }
    for &sign in fi::SIGNS_1800
        .iter()
        .chain(fi::SIGNS_1900)
        .chain(fi::SIGNS_2000)
    {
        let century = fi::century_of_sign(sign).expect("a sign");
        let s = generate::fi_number(date(century + 50, 1, 1), sign, 123).expect("encodable");
        let id = parse(Country::Fi, &s, TODAY).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(id.normalized, s);
    }
    // The sign is part of the identity: same digits, different signs, both valid, different numbers.
    let a = parse(Country::Fi, "010594-9032", TODAY).map(|i| i.normalized);
    let b = parse(Country::Fi, "010594Y9032", TODAY).map(|i| i.normalized);
    assert!(a.is_ok() && b.is_ok() && a != b);
}

#[test]
fn finnish_lower_case_is_accepted_and_flagged() {
    let id = parse(Country::Fi, "020516c903k", TODAY).expect("valid");
    assert_eq!(id.normalized, "020516C903K");
    assert!(id.signals.fi_lowercase);
    assert_eq!(
        parse(Country::Fi, "020516C903J", TODAY).map(|i| i.kind),
        Err(Error::Checksum)
    );
    assert_eq!(
        parse(Country::Fi, "020516G903K", TODAY).map(|i| i.kind),
        Err(Error::InvalidCharacter)
    );
    assert_eq!(
        parse(Country::Fi, "020516A001K", TODAY).map(|i| i.kind),
        Err(Error::InvalidIndividualNumber)
    );
}

#[test]
fn parse_accepts_the_separators_people_type() {
    for s in [
        "150685 12345",
        "150685-12345",
        "150685.12345",
        "150685\u{a0}12345",
        "150685\u{2013}12345",
        " 15068512345 ",
    ] {
        // Shape only: the check digits of this example are not right, so the error must be Checksum.
        assert_eq!(
            parse(Country::No, s, TODAY).map(|i| i.kind),
            Err(Error::Checksum),
            "{s:?}"
        );
    }
    assert_eq!(
        parse(Country::No, "150685+12345", TODAY).map(|i| i.kind),
        Err(Error::InvalidCharacter)
    );
    assert_eq!(
        parse(Country::No, "1506851234", TODAY).map(|i| i.kind),
        Err(Error::Length)
    );
    assert_eq!(
        parse(Country::No, "150685x12345", TODAY).map(|i| i.kind),
        Err(Error::InvalidCharacter)
    );
}

#[test]
fn interpret_rejects_non_digits_and_other_lengths_without_panicking() {
    for s in [
        "",
        "123",
        "0101901234x",
        "１２３４５６７８９０１",
        "0101901234567",
    ] {
        assert!(interpret(s.as_bytes(), None, TODAY).is_empty(), "{s}");
    }
}

#[test]
fn age_signal() {
    let id = parse(Country::Dk, "010130-1234", TODAY).expect("valid"); // 7th digit 1 → 1930
    assert!(!id.signals.implausible_age);
    let id = parse(Country::Dk, "010190-4234", TODAY).expect("valid"); // 4, yy 90 → 1990
    assert!(!id.signals.implausible_age);
    let id = parse(Country::Dk, "010130-4234", TODAY).expect("valid"); // 4, yy 30 → 2030
    assert!(id.signals.implausible_age);
    let id = parse(Country::Dk, "010160-5234", TODAY).expect("valid"); // 5, yy 60 → 1860
    assert!(id.signals.implausible_age);
}

#[test]
fn masks_keep_the_date_part_only() {
    let m = |c, s| mask(&parse(c, s, TODAY).expect("valid"));
    assert_eq!(m(Country::No, "02013299997"), "020132*****");
    assert_eq!(m(Country::Se, "811218-9876"), "19811218-****");
    assert_eq!(m(Country::Dk, "111111-1118"), "111111-****");
    assert_eq!(m(Country::Fi, "020516C903K"), "020516*****");
}

#[test]
fn text_masking_hides_every_digit_after_the_sixth_of_a_run() {
    let cases = [
        ("fnr 02013299997.", "fnr 020132*****."),
        ("fnr 020132 99997 ok", "fnr 020132 ***** ok"),
        ("pnr 19811218-9876", "pnr 198112**-****"),
        ("cpr 111111 - 1118", "cpr 111111 - ****"),
        ("hetu 020516C903K", "hetu 020516C***K"),
        ("tlf 12 34 56 78", "tlf 12 34 56 **"),
        ("sak 24/01234-5", "sak 24/0123*-*"),
        ("kl. 10:30, rom 123456", "kl. 10:30, rom 123456"),
        ("nbsp 020132\u{a0}99997", "nbsp 020132\u{a0}*****"),
        ("æøå 02013299997 æøå", "æøå 020132***** æøå"),
    ];
    for (input, expected) in cases {
        assert_eq!(mask_text_digits(input), expected, "{input}");
    }
}

fn any_kind() -> impl Strategy<Value = Kind> {
    proptest::sample::select(Kind::ALL.to_vec())
}

/// The written forms of a canonical number that people use.
fn written_forms(kind: Kind, n: &str) -> Vec<(Country, String)> {
    let c = kind.country();
    match c {
        Country::No => vec![(c, n.to_owned()), (c, format!("{} {}", &n[..6], &n[6..]))],
        Country::Se => vec![
            (c, n.to_owned()),
            (c, format!("{}-{}", &n[..8], &n[8..])),
            (c, format!("{}-{}", &n[2..8], &n[8..])),
        ],
        Country::Dk => vec![(c, n.to_owned()), (c, format!("{}-{}", &n[..6], &n[6..]))],
        Country::Fi => vec![(c, n.to_owned()), (c, n.to_lowercase())],
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_numbers_parse_back_as_their_kind_and_birth_date(kind in any_kind(), seed in any::<u64>(), y in 1930u16..=2025, m in 1u8..=12, d in 1u8..=31) {
        let birth = date(y, m, d.min(Date::days_in_month(y, m)));
        let mut rng = generate::Rng(seed);
        let n = generate::with_birth(kind, birth, &mut rng).expect("encodable");
        for (country, form) in written_forms(kind, &n) {
            // SE 10-digit forms infer the century: only unambiguous when younger than 100.
            if country == Country::Se && form.len() == 11 && TODAY.year - birth.year >= 100 { continue; }
            let id = parse(country, &form, TODAY).map_err(|e| TestCaseError::fail(format!("{form}: {e}")))?;
            prop_assert_eq!(id.kind, kind);
            prop_assert_eq!(&id.normalized, &n);
            prop_assert_eq!(id.birth_date, Some(birth));
            prop_assert!(id.signals.check_digits || kind == Kind::DkCpr);
            prop_assert!(!id.signals.post_2032_rule);
            if kind != Kind::NoDnr && kind.country() == Country::No {
                prop_assert_eq!(id.signals.century_consistent, Some(true));
            }
        }
        if kind != Kind::FiHetu {
            let digits: String = n.chars().filter(char::is_ascii_digit).collect();
            let found = interpret(digits.as_bytes(), None, TODAY);
            prop_assert!(found.iter().any(|i| i.kind == kind && i.normalized == n), "{} {:?}", n, found);
        }
    }

    #[test]
    fn post_2032_numbers_are_valid_and_flagged(kind in proptest::sample::select(vec![Kind::NoFnr, Kind::NoDnr, Kind::NoHnr, Kind::NoTest]), seed in any::<u64>()) {
        let mut rng = generate::Rng(seed);
        let birth = rng.date(1930, 2025);
        let n = generate::no_post_2032(kind, birth, &mut rng).expect("encodable");
        let id = parse(Country::No, &n, TODAY).map_err(|e| TestCaseError::fail(format!("{n}: {e}")))?;
        prop_assert_eq!(id.kind, kind);
        prop_assert!(id.signals.post_2032_rule);
        prop_assert_eq!(id.signals.century_consistent, None);
        let b = id.birth_date.expect("dated");
        prop_assert_eq!((b.month, b.day, b.year % 100), (birth.month, birth.day, birth.year % 100));
    }

    /// Both NO control digits are mod 11 with weights coprime to 11, and the K2 check alone covers all
    /// eleven digits with non-zero weights: any single-digit substitution changes the K2 sum by a
    /// non-multiple of 11. SE Luhn catches every single-digit substitution too.
    #[test]
    fn every_single_digit_change_is_rejected_for_no_and_se(kind in proptest::sample::select(vec![Kind::NoFnr, Kind::NoDnr, Kind::NoHnr, Kind::NoTest, Kind::SePnr, Kind::SeSnr]), seed in any::<u64>(), pos in 0usize..12, delta in 1u8..=9) {
        let mut rng = generate::Rng(seed);
        let n = generate::one(kind, &mut rng);
        let mut b = n.clone().into_bytes();
        // SE: change one of the ten digits the Luhn check covers (the century is outside it).
        let lo = if kind.country() == Country::Se { 2 } else { 0 };
        let pos = lo + pos % (b.len() - lo);
        b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
        let changed = String::from_utf8(b).expect("ascii");
        prop_assert!(parse(kind.country(), &changed, TODAY).is_err(), "{} -> {}", n, changed);
    }

    /// Luhn catches every transposition of adjacent digits except 0↔9; NO K2 (weights 2..7 distinct and
    /// coprime to 11, and K2's own weight 1 ≠ 2) catches every adjacent transposition of distinct digits.
    #[test]
    fn adjacent_transpositions_are_rejected_where_guaranteed(kind in proptest::sample::select(vec![Kind::NoFnr, Kind::NoDnr, Kind::SePnr]), seed in any::<u64>(), pos in 0usize..11) {
        let mut rng = generate::Rng(seed);
        let n = generate::one(kind, &mut rng);
        let mut b = n.clone().into_bytes();
        let lo = if kind.country() == Country::Se { 2 } else { 0 };
        let pos = lo + pos % (b.len() - 1 - lo);
        let (x, y) = (b[pos], b[pos + 1]);
        prop_assume!(x != y);
        prop_assume!(kind.country() != Country::Se || !matches!((x, y), (b'0', b'9') | (b'9', b'0')));
        b.swap(pos, pos + 1);
        let changed = String::from_utf8(b).expect("ascii");
        prop_assert!(parse(kind.country(), &changed, TODAY).is_err(), "{} -> {}", n, changed);
    }

    /// The mod-31 check character catches every single change of one of the nine digits.
    #[test]
    fn every_single_digit_change_is_rejected_for_fi(seed in any::<u64>(), pos in 0usize..9, delta in 1u8..=9) {
        let mut rng = generate::Rng(seed);
        let n = generate::one(Kind::FiHetu, &mut rng);
        let mut b = n.clone().into_bytes();
        let pos = if pos < 6 { pos } else { pos + 1 }; // skip the century sign
        b[pos] = b'0' + (b[pos] - b'0' + delta) % 10;
        let changed = String::from_utf8(b).expect("ascii");
        prop_assert!(parse(Country::Fi, &changed, TODAY).is_err(), "{} -> {}", n, changed);
    }

    #[test]
    fn masked_numbers_show_no_digit_beyond_the_date(kind in any_kind(), seed in any::<u64>()) {
        let mut rng = generate::Rng(seed);
        let n = generate::one(kind, &mut rng);
        let id = parse(kind.country(), &n, TODAY).map_err(|e| TestCaseError::fail(format!("{n}: {e}")))?;
        let m = mask(&id);
        let date_len = if kind.country() == Country::Se { 8 } else { 6 };
        prop_assert_eq!(&m[..date_len], &n[..date_len]);
        prop_assert!(m[date_len..].chars().all(|c| c == '*' || c == '-'), "{}", m);
    }

    #[test]
    fn text_masking_never_reveals_more_than_six_digits_of_a_number(kind in any_kind(), seed in any::<u64>(), sep in proptest::sample::select(vec!["", " ", "-", ".", "\u{a0}", "\u{2013}", " - ", "\t"]), prefix in "[a-zæøå :]{0,12}", suffix in "[a-zæøå .]{0,12}") {
        let mut rng = generate::Rng(seed);
        let n = generate::one(kind, &mut rng);
        let written = if kind == Kind::FiHetu { n.clone() } else { format!("{}{}{}", &n[..6], sep, &n[6..]) };
        let text = format!("{prefix}{written}{suffix}");
        let masked = mask_text_digits(&text);
        let shown = masked.chars().filter(char::is_ascii_digit).count();
        prop_assert!(shown <= 6, "{:?} -> {:?}", text, masked);
        prop_assert_eq!(masked.chars().count(), text.chars().count());
    }

    #[test]
    fn interpret_and_text_masking_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..16), sep in any::<Option<u8>>(), s in "\\PC{0,40}") {
        let _ = interpret(&bytes, sep, TODAY);
        for c in Country::ALL {
            let _ = parse(c, &s, TODAY);
        }
        let m = mask_text_digits(&s);
        prop_assert_eq!(m.chars().count(), s.chars().count());
    }
}
