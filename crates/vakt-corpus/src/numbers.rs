//! Synthetic ID numbers written the ways people write them, and the look-alikes that must not be
//! reported (scanner.md §5.2, §6.3). Every look-alike is checked to be a valid ID reading of its digits
//! where the trap depends on that, so that only context and format can tell them apart.

use vakt_idnr::generate::{self, Rng};
use vakt_idnr::{Country, Date, Kind, interpret, no, parse, se};

use crate::Plant;

/// Today's date (UTC) from the system clock.
pub fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    civil_from_days((secs / 86_400) as i64)
}

/// Days since 1970-01-01 to a civil date (H. Hinnant's algorithm).
pub fn civil_from_days(z: i64) -> Date {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    Date { year, month, day }
}

pub struct Numbers {
    pub rng: Rng,
    pub today: Date,
}

fn digits(n: usize, rng: &mut Rng) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.below(10) as u8))
        .collect()
}

fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

impl Numbers {
    pub fn new(seed: u64) -> Numbers {
        Numbers {
            rng: Rng(seed),
            today: today(),
        }
    }

    /// One element of a non-empty slice.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = self.rng.below(items.len() as u64) as usize;
        items[i.min(items.len().saturating_sub(1))]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.rng.chance(percent, 100)
    }

    /// A synthetic ID number of `country`, written in one of the ways people write it, and its plant.
    /// `context` says whether the surrounding text names the number (used to keep the rarer variants —
    /// post-2032 numbers, lower-case henkilötunnus — to places that name them).
    pub fn id(&mut self, country: Country, context: bool) -> (String, Plant) {
        let rng = &mut self.rng;
        let (kind, canonical, note) = match country {
            Country::No => {
                let r = rng.below(100);
                let kind = match r {
                    0..=59 => Kind::NoFnr,
                    60..=79 => Kind::NoDnr,
                    80..=89 => Kind::NoHnr,
                    _ => Kind::NoTest,
                };
                if context && rng.chance(1, 15) {
                    let birth = rng.date(1950, 2020);
                    match generate::no_post_2032(kind, birth, rng) {
                        Some(n) => (kind, n, "issued under the 2032 rule"),
                        None => (kind, generate::one(kind, rng), ""),
                    }
                } else {
                    (kind, generate::one(kind, rng), "")
                }
            }
            Country::Se => {
                let kind = if rng.chance(1, 5) {
                    Kind::SeSnr
                } else {
                    Kind::SePnr
                };
                if rng.chance(1, 12) {
                    let birth = rng.date(1910, 1920);
                    let n = generate::with_birth(kind, birth, rng).unwrap_or_default();
                    (kind, n, "over 100: written with +")
                } else {
                    let birth = rng.date(1931, 2024);
                    (
                        kind,
                        generate::with_birth(kind, birth, rng).unwrap_or_default(),
                        "",
                    )
                }
            }
            Country::Dk => (Kind::DkCpr, generate::one(Kind::DkCpr, rng), ""),
            Country::Fi => (Kind::FiHetu, generate::one(Kind::FiHetu, rng), ""),
        };
        let written = self.write(kind, &canonical, &note, context);
        let value = parse(country, &written, self.today)
            .map(|id| id.normalized)
            .unwrap_or_else(|_| canonical.clone());
        (
            written.clone(),
            Plant {
                kind: kind.code().to_string(),
                value,
                report: true,
                note: format!(
                    "written {written:?}{}{note}",
                    if note.is_empty() { "" } else { "; " }
                ),
            },
        )
    }

    fn write(&mut self, kind: Kind, n: &str, note: &str, context: bool) -> String {
        let rng = &mut self.rng;
        match kind.country() {
            Country::No | Country::Dk => {
                let seps = ["", "", " ", " ", "-", "\u{a0}", "\u{2013}", "."];
                let sep = seps[rng.below(seps.len() as u64) as usize];
                format!("{}{}{}", &n[..6], sep, &n[6..])
            }
            Country::Se => {
                if note.starts_with("over 100") {
                    return format!("{}+{}", &n[2..8], &n[8..]);
                }
                match rng.below(6) {
                    0 | 1 => format!("{}-{}", &n[2..8], &n[8..]),
                    2 => n[2..].to_string(),
                    3 => format!("{}-{}", &n[..8], &n[8..]),
                    4 => n.to_string(),
                    _ => format!("{} {}", &n[2..8], &n[8..]),
                }
            }
            Country::Fi => {
                if context && rng.chance(1, 10) {
                    n.to_lowercase()
                } else {
                    n.to_string()
                }
            }
        }
    }

    /// A valid ID number with one digit changed so that no country reads it as valid.
    pub fn near_miss(&mut self, country: Country) -> (String, Plant) {
        loop {
            let (written, _) = self.id(country, true);
            let mut chars: Vec<char> = written.chars().collect();
            let positions: Vec<usize> = chars
                .iter()
                .enumerate()
                .filter(|(_, c)| c.is_ascii_digit())
                .map(|(i, _)| i)
                .collect();
            let p = self.pick(&positions);
            let d = chars[p] as u8 - b'0';
            chars[p] = char::from(b'0' + (d + 1 + self.rng.below(9) as u8) % 10);
            let s: String = chars.into_iter().collect();
            let ds = only_digits(&s);
            let valid_somewhere = !interpret(ds.as_bytes(), None, self.today).is_empty()
                || Country::ALL
                    .iter()
                    .any(|&c| parse(c, &s, self.today).is_ok());
            if !valid_somewhere {
                return (
                    s.clone(),
                    trap("trap.near_miss", &s, "one digit changed: no valid reading"),
                );
            }
        }
    }

    /// Does this digit string have a valid ID reading?
    pub fn looks_valid(&self, ds: &str) -> bool {
        !interpret(ds.as_bytes(), None, self.today).is_empty()
    }

    /// A Norwegian bank account number (bank code, account group, number, mod-11 check with the fnr's K2
    /// weights) that also passes every fødselsnummer check when `hard`.
    pub fn no_account(&mut self, hard: bool) -> String {
        loop {
            let mut d = [0u8; 11];
            let bank = self.rng.range(1000, 9999);
            for (i, c) in format!("{bank}").bytes().enumerate() {
                d[i] = c - b'0';
            }
            for slot in d.iter_mut().take(10).skip(4) {
                *slot = self.rng.below(10) as u8;
            }
            let Some(k) = no::mod11_check_digit(&d[..10], &no::W2) else {
                continue;
            };
            d[10] = k;
            let s: String = d.iter().map(|&v| char::from(b'0' + v)).collect();
            if !hard || self.looks_valid(&s) {
                return s;
            }
        }
    }

    /// A written Norwegian account number: `XXXX.XX.XXXXX` mostly, sometimes plain or spaced.
    pub fn write_no_account(&mut self, acct: &str) -> String {
        match self.rng.below(5) {
            0 => acct.to_string(),
            1 => format!("{} {} {}", &acct[..4], &acct[4..6], &acct[6..]),
            _ => format!("{}.{}.{}", &acct[..4], &acct[4..6], &acct[6..]),
        }
    }

    /// A random digit string of `len` digits that has a valid ID reading (for reference-number traps).
    pub fn valid_lookalike(&mut self, len: usize) -> String {
        loop {
            let s = digits(len, &mut self.rng);
            if self.looks_valid(&s) {
                return s;
            }
        }
    }

    /// An account-number look-alike for `country`, its written form and its plant.
    pub fn account(&mut self, country: Country) -> (String, Plant) {
        match country {
            Country::No => {
                let hard = self.chance(60);
                let acct = self.no_account(hard);
                let w = self.write_no_account(&acct);
                (
                    w.clone(),
                    trap("trap.no.kontonr", &acct, &format!("bank account {w:?}")),
                )
            }
            Country::Se => {
                // Clearing number and account, as Swedish banks print them.
                let clearing = self.rng.range(3000, 8999);
                let acct = digits(10, &mut self.rng);
                let w = format!("{clearing}-{}", &acct);
                (
                    w.clone(),
                    trap("trap.se.bankkonto", &only_digits(&w), "clearing + account"),
                )
            }
            Country::Dk => {
                let reg = self.rng.range(1000, 9999);
                let acct = self.valid_lookalike(10);
                let w = format!("{reg} {acct}");
                (
                    w.clone(),
                    trap(
                        "trap.dk.kontonr",
                        &acct,
                        "reg.nr. + 10-digit account that forms a CPR date",
                    ),
                )
            }
            Country::Fi => {
                let acct = format!(
                    "FI{:02} {} {} {} {}",
                    self.rng.range(10, 99),
                    digits(4, &mut self.rng),
                    digits(4, &mut self.rng),
                    digits(4, &mut self.rng),
                    digits(2, &mut self.rng)
                );
                (acct.clone(), trap("trap.iban", &only_digits(&acct), "IBAN"))
            }
        }
    }

    /// A reference number (KID, OCR, customer, order, voucher) with a valid ID reading.
    pub fn reference(&mut self, country: Country) -> (String, Plant) {
        let len = match country {
            Country::No => self.pick(&[11usize, 11, 10]),
            _ => 10,
        };
        let s = self.valid_lookalike(len);
        (
            s.clone(),
            trap(
                "trap.reference",
                &s,
                "reference number with a valid ID reading",
            ),
        )
    }

    /// An invoice number with a valid ID reading.
    pub fn invoice_number(&mut self, country: Country) -> (String, Plant) {
        let (s, mut p) = self.reference(country);
        p.kind = "trap.invoice".into();
        p.note = "invoice number with a valid ID reading".into();
        (s, p)
    }

    /// A phone number that forms a valid ID reading when its digits are run together.
    pub fn phone(&mut self, country: Country) -> (String, Plant) {
        loop {
            let (w, ds) = match country {
                Country::Se => {
                    // Swedish mobile numbers 07x often form a valid CPR date (scanner.md §5.7).
                    let n = format!(
                        "07{}{}",
                        self.pick(&['0', '2', '3', '6', '9']),
                        digits(7, &mut self.rng)
                    );
                    let w = match self.rng.below(3) {
                        0 => n.clone(),
                        1 => format!("{}-{}", &n[..3], &n[3..]),
                        _ => format!("{}-{} {} {}", &n[..3], &n[3..6], &n[6..8], &n[8..]),
                    };
                    (w, n)
                }
                Country::No => {
                    let n = format!("{}{}", self.pick(&['4', '9']), digits(7, &mut self.rng));
                    let w = match self.rng.below(3) {
                        0 => format!("+47 {} {} {}", &n[..3], &n[3..5], &n[5..]),
                        1 => format!("47{n}"),
                        _ => format!("{} {} {}", &n[..3], &n[3..5], &n[5..]),
                    };
                    let ds = only_digits(&w);
                    (w, ds)
                }
                Country::Dk => {
                    let n = digits(8, &mut self.rng);
                    let w = format!("+45 {} {} {} {}", &n[..2], &n[2..4], &n[4..6], &n[6..]);
                    let ds = only_digits(&w);
                    (w, ds)
                }
                Country::Fi => {
                    let n = format!("04{}", digits(8, &mut self.rng));
                    let w = format!("{} {}", &n[..3], &n[3..]);
                    (w, n)
                }
            };
            // Prefer phone numbers whose digits are a valid ID reading; accept the rest sometimes.
            if self.looks_valid(&ds) || self.chance(20) {
                return (w.clone(), trap("trap.phone", &ds, &format!("phone {w:?}")));
            }
        }
    }

    /// An organisation number (NO 9 digits with mod 11, SE 10 digits with Luhn and month ≥ 20,
    /// DK CVR 8 digits, FI Y-tunnus).
    pub fn org_number(&mut self, country: Country) -> (String, Plant) {
        let w = match country {
            Country::No => loop {
                let mut d = [0u8; 9];
                d[0] = self.pick(&[8u8, 9]);
                for slot in d.iter_mut().take(8).skip(1) {
                    *slot = self.rng.below(10) as u8;
                }
                let Some(k) = no::mod11_check_digit(&d[..8], &[3, 2, 7, 6, 5, 4, 3, 2]) else {
                    continue;
                };
                d[8] = k;
                let s: String = d.iter().map(|&v| char::from(b'0' + v)).collect();
                break if self.chance(50) {
                    format!("{} {} {}", &s[..3], &s[3..6], &s[6..])
                } else {
                    format!("NO {s} MVA")
                };
            },
            Country::Se => {
                let mut d = [0u8; 10];
                d[0] = self.pick(&[2u8, 5, 7, 8]);
                d[1] = self.rng.below(10) as u8;
                d[2] = self.rng.range(2, 9) as u8;
                for slot in d.iter_mut().take(9).skip(3) {
                    *slot = self.rng.below(10) as u8;
                }
                d[9] = se::luhn_check_digit(&d[..9]);
                let s: String = d.iter().map(|&v| char::from(b'0' + v)).collect();
                format!("{}-{}", &s[..6], &s[6..])
            }
            Country::Dk => digits(8, &mut self.rng),
            Country::Fi => format!("{}-{}", digits(7, &mut self.rng), self.rng.below(10)),
        };
        (
            w.clone(),
            trap("trap.orgnr", &only_digits(&w), "organisation number"),
        )
    }

    /// A compact timestamp that is a valid 12-digit Swedish personnummer reading (`20240101-1234`), or a
    /// Unix epoch with a valid CPR reading.
    pub fn timestamp(&mut self) -> (String, Plant) {
        loop {
            if self.chance(50) {
                let d = self.rng.date(2019, 2025);
                let hh = self.rng.below(24);
                let mm = self.rng.below(60);
                let s = format!("{:04}{:02}{:02}{hh:02}{mm:02}", d.year, d.month, d.day);
                if self.looks_valid(&s) {
                    let w = if self.chance(50) {
                        format!("{}-{}", &s[..8], &s[8..])
                    } else {
                        s.clone()
                    };
                    return (
                        w.clone(),
                        trap("trap.timestamp", &s, &format!("timestamp {w:?}")),
                    );
                }
            } else {
                let s = format!("{}", self.rng.range(1_500_000_000, 1_770_000_000));
                if self.looks_valid(&s) {
                    return (s.clone(), trap("trap.epoch", &s, "Unix time"));
                }
            }
        }
    }

    /// A payment card number (16 digits, Luhn) in groups of four.
    pub fn card(&mut self) -> (String, Plant) {
        let mut d = vec![4u8];
        for _ in 0..14 {
            d.push(self.rng.below(10) as u8);
        }
        // Luhn over 16 digits: weights 2 start at the first digit.
        let sum: u32 = d
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
        d.push(((10 - sum % 10) % 10) as u8);
        let s: String = d.iter().map(|&v| char::from(b'0' + v)).collect();
        let w = format!("{} {} {} {}", &s[..4], &s[4..8], &s[8..12], &s[12..]);
        (w.clone(), trap("trap.card", &s, "payment card"))
    }

    /// A Norwegian IBAN around an account number that passes the fødselsnummer checks.
    pub fn no_iban(&mut self) -> (String, Plant) {
        let acct = self.no_account(true);
        // ISO 13616: move "NO00" to the end as 2324 00 and take 98 − n mod 97.
        let mut rem = 0u64;
        for c in format!("{acct}232400").bytes() {
            rem = (rem * 10 + u64::from(c - b'0')) % 97;
        }
        let check = 98 - rem;
        let w = format!("NO{check:02} {} {} {}", &acct[..4], &acct[4..8], &acct[8..]);
        (w.clone(), trap("trap.iban", &acct, &format!("IBAN {w:?}")))
    }

    /// An amount like `12 345,50` (no ID shape).
    pub fn amount(&mut self) -> String {
        let kr = self.rng.range(100, 250_000);
        let ore = self.rng.below(100);
        if kr >= 1000 {
            format!("{} {:03},{ore:02}", kr / 1000, kr % 1000)
        } else {
            format!("{kr},{ore:02}")
        }
    }

    /// A case number like `24/01234-5`.
    pub fn case_number(&mut self) -> String {
        format!(
            "{}/{:05}-{}",
            self.rng.range(19, 25),
            self.rng.below(20_000),
            self.rng.range(1, 30)
        )
    }

    /// A date as written in letters (`12.03.2024`).
    pub fn date_text(&mut self) -> String {
        let d = self.rng.date(2019, 2025);
        format!("{:02}.{:02}.{}", d.day, d.month, d.year)
    }
}

pub fn trap(kind: &str, value: &str, note: &str) -> Plant {
    Plant {
        kind: kind.to_string(),
        value: value.to_string(),
        report: false,
        note: note.to_string(),
    }
}
