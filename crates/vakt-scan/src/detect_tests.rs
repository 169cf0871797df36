//! Detection rules, one test per rule, with synthetic numbers from `vakt_idnr::generate` only.

use super::*;
use crate::rules::Rules;
use vakt_idnr::generate::{self, Rng};

const TODAY: Date = Date {
    year: 2026,
    month: 11,
    day: 23,
};

fn engine() -> Engine {
    Engine::new(Rules::defaults(), TODAY).expect("engine")
}

fn engine_with(f: impl FnOnce(&mut Rules)) -> Engine {
    let mut r = Rules::defaults();
    f(&mut r);
    Engine::new(r, TODAY).expect("engine")
}

fn seg(text: &str, structure: Structure) -> Segment<'static> {
    Segment {
        member: String::new(),
        location: Location::Line(1),
        structure,
        text: text.to_string().into(),
    }
}

fn detect_segs(e: &Engine, segs: &[Segment]) -> Vec<Finding> {
    let mut d = e.file();
    for s in segs {
        d.segment(s);
    }
    d.finish()
}

fn detect(e: &Engine, text: &str) -> Vec<Finding> {
    detect_segs(e, &[seg(text, Structure::Prose)])
}

fn ids(f: &[Finding]) -> Vec<(&'static str, String)> {
    f.iter()
        .filter(|f| !f.code.starts_with("category."))
        .map(|f| (f.code, f.normalized.clone()))
        .collect()
}

fn has_reason(f: &Finding, code: &str) -> bool {
    f.reasons.iter().any(|r| r.code == code)
}

/// A fødselsnummer (plain, born 1940–1999 so the century table is unambiguous).
fn fnr(rng: &mut Rng) -> String {
    let birth = rng.date(1940, 1999);
    generate::with_birth(Kind::NoFnr, birth, rng).expect("fnr")
}

/// A valid Norwegian bank account number (mod 11 with the weights the fnr's K2 uses).
fn kontonummer(rng: &mut Rng) -> String {
    const W: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    loop {
        let mut d: Vec<u32> = (0..10).map(|_| rng.below(10) as u32).collect();
        if let Some(first) = d.first_mut() {
            *first = 1 + rng.below(9) as u32;
        }
        let s: u32 = d.iter().zip(W).map(|(a, w)| a * w).sum();
        let k = (11 - s % 11) % 11;
        if k == 10 {
            continue;
        }
        d.push(k);
        return d.iter().map(|x| char::from(b'0' + *x as u8)).collect();
    }
}

#[test]
fn fnr_in_running_text_is_found_with_the_check_digit_reason() {
    let mut rng = Rng(1);
    let n = fnr(&mut rng);
    let f = detect(&engine(), &format!("Søkeren har nummer {n} i søknaden."));
    assert_eq!(ids(&f), vec![("no.fnr", n.clone())]);
    assert!(has_reason(&f[0], "check_digits"));
    assert!(f[0].confidence >= 0.5);
    assert_eq!(f[0].masked, format!("{}*****", &n[..6]));
    assert!(
        !f[0].context.contains(&n[6..]),
        "snippet shows the number: {}",
        f[0].context
    );
}

#[test]
fn separators_people_type_are_accepted() {
    let mut rng = Rng(2);
    let e = engine();
    for _ in 0..20 {
        let n = fnr(&mut rng);
        let (a, b) = n.split_at(6);
        for written in [
            format!("{a} {b}"),
            format!("{a}\u{a0}{b}"),
            format!("{a}-{b}"),
            format!("{a}\u{2013}{b}"),
            format!("{}.{}.{} {b}", &a[..2], &a[2..4], &a[4..]),
            format!("{a}{b}"),
        ] {
            let f = detect(&e, &format!("fnr: {written}"));
            assert_eq!(ids(&f), vec![("no.fnr", n.clone())], "{written}");
        }
    }
}

#[test]
fn a_number_inside_a_longer_run_of_digits_or_letters_is_never_a_candidate() {
    let mut rng = Rng(3);
    let e = engine();
    for _ in 0..20 {
        let n = fnr(&mut rng);
        for text in [
            format!("1{n}"),
            format!("{n}7"),
            format!("AB{n}"),
            format!("{n}x"),
            format!("IMG_{n}_1"),
            format!("12-{n}"),
            format!("{n}.12"),
            format!("24/{n}"),
            format!("{n}{n}"),
        ] {
            assert!(ids(&detect(&e, &text)).is_empty(), "{text}");
        }
    }
}

#[test]
fn bank_account_format_is_not_reported_even_when_the_checks_pass() {
    let mut rng = Rng(4);
    let e = engine();
    let mut reported = 0;
    let mut passing = 0;
    for _ in 0..3000 {
        let k = kontonummer(&mut rng);
        if !vakt_idnr::interpret(k.as_bytes(), None, TODAY).is_empty() {
            passing += 1;
        }
        let dotted = format!("{}.{}.{}", &k[..4], &k[4..6], &k[6..]);
        reported += ids(&detect(
            &e,
            &format!("Beløpet betales til {dotted} innen fristen."),
        ))
        .len();
        reported += ids(&detect(&e, &format!("Kontonummer: {k}"))).len();
    }
    assert!(
        passing > 0,
        "the trap needs account numbers that also pass as fnr"
    );
    assert_eq!(reported, 0);
}

#[test]
fn negative_words_count_only_near_the_number() {
    let mut rng = Rng(5);
    let e = engine();
    let n = fnr(&mut rng);
    assert!(ids(&detect(&e, &format!("Kontonummer {n}"))).is_empty());
    assert!(ids(&detect(&e, &format!("tlf. {n}"))).is_empty());
    let far = format!(
        "Ordrenummer og faktura ligger i vedlegget.\n{}\nSøkerens nummer er {n}.",
        "x ".repeat(40)
    );
    assert_eq!(
        ids(&detect(&e, &far)),
        vec![("no.fnr", n)],
        "a far negative word must not suppress"
    );
}

#[test]
fn a_context_word_belongs_to_the_nearest_number() {
    let mut rng = Rng(6);
    let e = engine();
    let n = fnr(&mut rng);
    let k = kontonummer(&mut rng);
    let f = detect(&e, &format!("Konto {k}, fødselsnummer {n}"));
    assert_eq!(ids(&f).iter().filter(|(_, v)| *v == n).count(), 1);
    let found = f.iter().find(|x| x.normalized == n).expect("fnr found");
    assert!(has_reason(found, "context_positive"));
    assert!(!has_reason(found, "context_negative"));
}

#[test]
fn positive_words_raise_the_score_and_say_so() {
    let mut rng = Rng(7);
    let e = engine();
    let n = fnr(&mut rng);
    let bare = detect(&e, &format!("ref: se {n}"));
    let labelled = detect(&e, &format!("Fødselsnummer: {n}"));
    let l = labelled.first().expect("labelled found");
    assert!(has_reason(l, "context_positive"));
    assert!(l.confidence > 0.9);
    assert!(bare.iter().all(|b| b.confidence < l.confidence));
}

#[test]
fn table_column_headers_decide_between_id_and_account() {
    let mut rng = Rng(8);
    let e = engine();
    let n = fnr(&mut rng);
    let cell = |header: &str| {
        seg(
            &n,
            Structure::TableCell {
                column: 1,
                header: Some(header.into()),
            },
        )
    };
    assert!(ids(&detect_segs(&e, &[cell("Kontonummer")])).is_empty());
    let f = detect_segs(&e, &[cell("Fødselsnummer")]);
    assert_eq!(ids(&f), vec![("no.fnr", n.clone())]);
    assert!(has_reason(&f[0], "header_positive"));
}

#[test]
fn a_column_where_few_values_validate_lowers_the_score() {
    let mut rng = Rng(9);
    let e = engine();
    // An unlabelled column of account numbers, one of which also passes as fnr.
    let mut segs = Vec::new();
    let mut planted = None;
    while planted.is_none() {
        let k = kontonummer(&mut rng);
        if vakt_idnr::interpret(k.as_bytes(), None, TODAY)
            .iter()
            .any(|i| i.kind == Kind::NoFnr)
        {
            planted = Some(k);
        }
    }
    let planted = planted.expect("planted");
    for i in 0..19 {
        let mut k = kontonummer(&mut rng);
        while !vakt_idnr::interpret(k.as_bytes(), None, TODAY).is_empty() {
            k = kontonummer(&mut rng);
        }
        segs.push(seg(
            &k,
            Structure::TableCell {
                column: 2,
                header: None,
            },
        ));
        if i == 7 {
            segs.push(seg(
                &planted,
                Structure::TableCell {
                    column: 2,
                    header: None,
                },
            ));
        }
    }
    assert!(ids(&detect_segs(&e, &segs)).is_empty());
    // A column of fnr is reported, with the share as a reason.
    let col: Vec<Segment> = (0..6)
        .map(|_| {
            seg(
                &fnr(&mut rng),
                Structure::TableCell {
                    column: 3,
                    header: None,
                },
            )
        })
        .collect();
    let f = detect_segs(&e, &col);
    assert_eq!(f.len(), 6);
    assert!(f.iter().all(|x| has_reason(x, "column_share")));
}

#[test]
fn numeric_spreadsheet_cells_get_their_leading_zero_back() {
    let mut rng = Rng(10);
    let e = engine();
    let mut n = fnr(&mut rng);
    while !n.starts_with('0') {
        n = fnr(&mut rng);
    }
    let cell = seg(
        n.trim_start_matches('0'),
        Structure::NumericCell {
            column: 0,
            header: Some("Fnr".into()),
        },
    );
    let f = detect_segs(&e, &[cell]);
    assert_eq!(ids(&f), vec![("no.fnr", n)]);
    assert!(has_reason(&f[0], "leading_zero_restored"));
}

/// A 10-digit number valid both as a CPR and as a Swedish personnummer.
fn ambiguous_10(rng: &mut Rng) -> String {
    loop {
        let cpr = generate::one(Kind::DkCpr, rng);
        let readings = vakt_idnr::interpret(cpr.as_bytes(), None, TODAY);
        if readings.iter().any(|r| r.kind == Kind::SePnr)
            && readings.iter().any(|r| r.kind == Kind::DkCpr)
        {
            return cpr;
        }
    }
}

#[test]
fn country_preference_settles_numbers_valid_in_two_countries() {
    let mut rng = Rng(11);
    let n = ambiguous_10(&mut rng);
    let dk = engine_with(|r| r.country = Some(Country::Dk));
    let se = engine_with(|r| r.country = Some(Country::Se));
    let text = format!("nummer {n}");
    assert_eq!(detect(&dk, &text).first().map(|f| f.code), Some("dk.cpr"));
    assert_eq!(detect(&se, &text).first().map(|f| f.code), Some("se.pnr"));
    assert!(has_reason(&detect(&dk, &text)[0], "country_preference"));
}

#[test]
fn country_specific_words_settle_numbers_valid_in_two_countries() {
    let mut rng = Rng(12);
    let e = engine();
    let n = ambiguous_10(&mut rng);
    assert_eq!(detect(&e, &format!("CPR-nr. {n}"))[0].code, "dk.cpr");
    assert_eq!(
        detect(&e, &format!("pnr {}-{}", &n[..6], &n[6..]))[0].code,
        "se.pnr"
    );
}

#[test]
fn swedish_numbers_in_10_and_12_digit_forms_and_with_plus() {
    let mut rng = Rng(13);
    let e = engine();
    for _ in 0..20 {
        let n = generate::one(Kind::SePnr, &mut rng);
        let f = detect(&e, &format!("personnummer {}-{}", &n[..8], &n[8..]));
        assert_eq!(ids(&f), vec![("se.pnr", n.clone())]);
        let f = detect(&e, &format!("personnummer {}-{}", &n[2..8], &n[8..]));
        assert_eq!(f.first().map(|f| f.code), Some("se.pnr"), "{n}");
    }
    let old = generate::with_birth(
        Kind::SePnr,
        Date {
            year: 1920,
            month: 5,
            day: 17,
        },
        &mut rng,
    )
    .expect("old");
    let f = detect(&e, &format!("född {}+{}", &old[2..8], &old[8..]));
    assert_eq!(ids(&f), vec![("se.pnr", old)]);
    assert!(has_reason(&f[0], "se_centenarian_separator"));
}

#[test]
fn compact_timestamps_are_not_reported_as_12_digit_personnummer() {
    let e = engine();
    let mut reported = 0;
    for day in 1..=28u32 {
        for time in ["1234", "0815", "2359", "1200"] {
            let text = format!("Logg 202401{day:02}-{time} startet, fil 202401{day:02}{time}.");
            reported += ids(&detect(&e, &text)).len();
        }
    }
    assert_eq!(reported, 0);
}

/// A personnummer of a child born in the last twelve years whose last four digits read as a clock time.
fn clock_shaped_child(rng: &mut Rng) -> String {
    loop {
        let birth = rng.date(2014, 2023);
        let Some(n) = generate::with_birth(Kind::SePnr, birth, rng) else {
            continue;
        };
        let num = |s: &str| s.parse::<u32>().unwrap_or(99);
        if n.len() == 12 && num(&n[8..10]) < 24 && num(&n[10..12]) < 60 {
            return n;
        }
    }
}

#[test]
fn children_whose_numbers_end_like_a_clock_time_are_still_found() {
    let mut rng = Rng(41);
    let e = engine();
    // One on its own, in both 12-digit forms, without a context word.
    for _ in 0..50 {
        let n = clock_shaped_child(&mut rng);
        for text in [
            format!("Eleven {}-{} börjar i klass 3.", &n[..8], &n[8..]),
            format!("Eleven {n} börjar i klass 3."),
        ] {
            let f = detect(&e, &text);
            assert_eq!(ids(&f), vec![("se.pnr", n.clone())], "{text}");
            assert!(has_reason(&f[0], "timestamp_like"), "{text}");
        }
    }
    // A class list: most numbers do not end like a clock time, so the clock-shaped ones are not timestamps.
    let mut list = String::from("Klasslista 3B\n");
    let mut want = Vec::new();
    for i in 0..28 {
        let n = if i % 7 == 0 {
            clock_shaped_child(&mut rng)
        } else {
            generate::with_birth(Kind::SePnr, rng.date(2016, 2017), &mut rng).expect("pnr")
        };
        list.push_str(&format!("{}-{}  elev {i}\n", &n[..8], &n[8..]));
        want.push(n);
    }
    let mut found: Vec<String> = detect(&e, &list)
        .into_iter()
        .map(|f| f.normalized)
        .collect();
    found.sort();
    want.sort();
    want.dedup();
    assert_eq!(found, want);
}

#[test]
fn a_timestamp_between_log_brackets_or_after_an_equals_sign_is_not_reported() {
    let mut rng = Rng(42);
    let e = engine();
    for _ in 0..50 {
        // Valid personnummer readings with a clock-shaped tail, written the way logs write timestamps.
        let n = clock_shaped_child(&mut rng);
        for text in [format!("[{n}] job 311 ok"), format!("ts={n} level=warn")] {
            assert_eq!(ids(&detect(&e, &text)), vec![], "{text}");
        }
    }
}

#[test]
fn finnish_hetu_with_every_century_sign_is_found() {
    let mut rng = Rng(14);
    let e = engine();
    for _ in 0..100 {
        let n = generate::one(Kind::FiHetu, &mut rng);
        let f = detect(&e, &format!("Henkilötunnus {n}."));
        assert_eq!(ids(&f), vec![("fi.hetu", n.clone())], "{n}");
    }
}

#[test]
fn danish_cpr_with_and_without_modulus_11_is_found_with_its_label() {
    let mut rng = Rng(15);
    let e = engine();
    for _ in 0..100 {
        let n = generate::one(Kind::DkCpr, &mut rng);
        let f = detect(&e, &format!("CPR: {}-{}", &n[..6], &n[6..]));
        assert_eq!(ids(&f), vec![("dk.cpr", n.clone())], "{n}");
    }
}

#[test]
fn a_plus_prefix_marks_a_phone_number() {
    let mut rng = Rng(16);
    let e = engine();
    let n = fnr(&mut rng);
    assert!(ids(&detect(&e, &format!("ring +{n}"))).is_empty());
}

#[test]
fn example_numbers_are_not_reported_without_context() {
    let e = engine();
    assert!(ids(&detect(&e, "for eksempel 111111-1118 eller 1111111118")).is_empty());
}

#[test]
fn kinds_filter_and_value_exclusions_apply() {
    let mut rng = Rng(17);
    let n = fnr(&mut rng);
    let only_se = engine_with(|r| r.kinds = crate::rules::select_kinds(&["se"]).expect("se"));
    assert!(ids(&detect(&only_se, &format!("fnr {n}"))).is_empty());
    let excl = engine_with(|r| {
        r.exclude_values.insert(n.clone());
    });
    assert!(ids(&detect(&excl, &format!("fnr {} {}", &n[..6], &n[6..]))).is_empty());
}

#[test]
fn line_numbers_count_from_the_segment_start() {
    let mut rng = Rng(18);
    let n = fnr(&mut rng);
    let f = detect(&engine(), &format!("a\nb\nfnr {n}\n"));
    assert_eq!(f[0].location, "line 3");
}

#[test]
fn special_category_terms_are_reported_with_the_terms_that_matched() {
    let e = engine();
    let f = detect(
        &e,
        "Vedtak: eleven har diagnosen ADHD og får oppfølging av fastlegen.",
    );
    let h = f
        .iter()
        .find(|f| f.code == "category.health")
        .expect("health");
    assert!(
        h.normalized.contains("diagnos") && h.normalized.contains("adhd"),
        "{}",
        h.normalized
    );
    assert!(h.reasons.iter().all(|r| r.code == "term"));
    let f = detect(&e, "Han er tillitsvalgt i fagforeningen.");
    assert!(f.iter().any(|f| f.code == "category.union"));
    let f = detect(&e, "Hon dömdes till fängelse för bedrägeri.");
    assert!(f.iter().any(|f| f.code == "category.criminal"));
    // One weak word is not enough.
    assert!(
        detect(&e, "Møtet ble holdt på sykehuset.")
            .iter()
            .all(|f| !f.code.starts_with("category."))
    );
}

#[test]
fn snippets_mask_every_number() {
    let s = mask_snippet("tlf 22 33 44 55, konto 1234.56.78901, år 2024");
    assert!(!s.contains("78901") && !s.contains("44 55"), "{s}");
    assert!(s.contains("2024"));
}

#[test]
fn random_digit_runs_rarely_pass_and_never_crash() {
    let mut rng = Rng(19);
    let e = engine();
    let mut text = String::new();
    for _ in 0..20000 {
        let len = 1 + rng.below(14);
        for _ in 0..len {
            text.push(char::from(b'0' + rng.below(10) as u8));
        }
        text.push(
            *rng.pick(&[' ', '-', '.', '\n', 'a', '+', '/', ':', 'ø'])
                .expect("sep"),
        );
    }
    let _ = detect(&e, &text);
}

#[test]
fn context_words_stay_within_their_sentence() {
    let mut rng = Rng(20);
    let e = engine();
    let n = fnr(&mut rng);
    let f = detect(
        &e,
        &format!("Vi mangler bilag og kontonummer. Kari Nordmann ({n}) møtte opp."),
    );
    assert_eq!(ids(&f), vec![("no.fnr", n.clone())]);
    let f = detect(&e, &format!("Fnr. {n} er registrert. Tlf. 22 33 44 55."));
    assert!(has_reason(&f[0], "context_positive"), "{:?}", f[0].reasons);
}

#[test]
fn a_replacement_character_between_groups_is_read_as_a_lost_separator() {
    let mut rng = Rng(21);
    let n = fnr(&mut rng);
    let f = detect(&engine(), &format!("fnr {}\u{fffd}{}", &n[..6], &n[6..]));
    assert_eq!(ids(&f), vec![("no.fnr", n)]);
}

#[test]
fn a_hetu_spaced_apart_by_pdf_text_extraction_is_found() {
    let mut rng = Rng(22);
    let e = engine();
    let mut found = 0;
    let mut tried = 0;
    while tried < 40 {
        let n = generate::one(Kind::FiHetu, &mut rng);
        let (date, rest) = n.split_at(6);
        let last = rest.chars().last().unwrap_or('0');
        let sign = rest.chars().next().unwrap_or('-');
        if !(last.is_ascii_alphabetic() || sign.is_ascii_alphabetic()) {
            continue;
        }
        tried += 1;
        let spaced: Vec<String> = rest.chars().map(String::from).collect();
        let written = if sign == '-' {
            format!("{date} {}", spaced[1..].join(" "))
        } else {
            format!("{date} {}", spaced.join(" "))
        };
        let f = detect(&e, &format!("Henkilötunnus:\n{written}\nSumma"));
        if ids(&f) == vec![("fi.hetu", n.clone())] {
            found += 1;
        }
    }
    assert_eq!(found, 40);
    // Single spaced digits without a letter are not a hetu.
    assert!(ids(&detect(&e, "Tabell: 010190 1 2 3 4 5")).is_empty());
}
