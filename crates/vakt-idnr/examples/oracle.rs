//! Differential-test oracle: reads one candidate string per line on stdin and prints, per line, the verdict
//! of `vakt_idnr::parse` for each country, as four space-separated fields in the order `no se dk fi`.
//! A field is `-` when the line is not a valid number of that country, else the kind code followed by
//! `/flag` for each signal that explains a known difference from other validators:
//! `p2032` (valid only under the 2032 rule), `cent0` (century table inconsistent), `age` (birth date in the
//! future or age over 125), `tmp` (Finnish temporary individual number), `m11` (Danish modulus 11 passes).
//!
//! Usage: `oracle [--today YYYY-MM-DD] < candidates.txt` (default today: 2026-01-01).

use std::io::{self, BufRead, BufWriter, Write};

use vakt_idnr::{Country, Date, IdNumber, parse};

fn parse_date(s: &str) -> Option<Date> {
    let mut it = s.split('-');
    let year = it.next()?.parse().ok()?;
    let month = it.next()?.parse().ok()?;
    let day = it.next()?.parse().ok()?;
    Date::new(year, month, day)
}

fn field(out: &mut impl Write, id: Option<IdNumber>) -> io::Result<()> {
    let Some(id) = id else {
        return out.write_all(b"-");
    };
    out.write_all(id.kind.code().as_bytes())?;
    let s = &id.signals;
    let flags = [
        (s.post_2032_rule, "/p2032"),
        (s.century_consistent == Some(false), "/cent0"),
        (s.implausible_age, "/age"),
        (s.fi_temporary, "/tmp"),
        (s.dk_mod11 == Some(true), "/m11"),
    ];
    for (on, name) in flags {
        if on {
            out.write_all(name.as_bytes())?;
        }
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mut today = Date {
        year: 2026,
        month: 1,
        day: 1,
    };
    if let Some(i) = args.iter().position(|a| a == "--today") {
        match args.get(i + 1).and_then(|s| parse_date(s)) {
            Some(d) => today = d,
            None => {
                eprintln!("oracle: --today needs a date YYYY-MM-DD");
                std::process::exit(2);
            }
        }
    }
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        for (i, country) in Country::ALL.into_iter().enumerate() {
            if i > 0 {
                out.write_all(b" ")?;
            }
            field(&mut out, parse(country, &line, today).ok())?;
        }
        out.write_all(b"\n")?;
    }
    out.flush()
}
