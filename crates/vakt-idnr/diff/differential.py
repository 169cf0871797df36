#!/usr/bin/env python3
"""Differential test: vakt-idnr against python-stdnum, an independent implementation.

    python3 crates/vakt-idnr/diff/differential.py --n 1000000

Generates N candidate strings (valid numbers of every kind made here from the published algorithms,
single-digit substitutions and adjacent transpositions of them, and random digit strings and
henkilötunnus-shaped strings), runs every line through `examples/oracle.rs` (vakt_idnr::parse for NO, SE,
DK and FI) and through stdnum.no.fodselsnummer, stdnum.se.personnummer, stdnum.dk.cpr and stdnum.fi.hetu,
and compares the verdicts country by country. It also checks that every number generated as valid here is
accepted by vakt-idnr as the kind it was made as.

A disagreement passes only if it is one of the explained and decided differences in `explain()` (each with
its source). Exits 1 on any other disagreement, 0 otherwise. Deterministic from --seed.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time

try:
    from stdnum.dk import cpr
    from stdnum.exceptions import ValidationError
    from stdnum.fi import hetu
    from stdnum.no import fodselsnummer
    from stdnum.se import personnummer
except ImportError:  # install on first use, as CI does
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "python-stdnum"])
    from stdnum.dk import cpr
    from stdnum.exceptions import ValidationError
    from stdnum.fi import hetu
    from stdnum.no import fodselsnummer
    from stdnum.se import personnummer

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
COUNTRIES = ("no", "se", "dk", "fi")

# ---------------------------------------------------------------------------------------------------
# Generators, written from research/scanner.md §5 independently of the Rust generator.

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
FI_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def rand_date(rng: random.Random, lo: int, hi: int) -> datetime.date:
    start = datetime.date(lo, 1, 1).toordinal()
    end = datetime.date(hi, 12, 31).toordinal()
    return datetime.date.fromordinal(rng.randint(start, end))


def no_individual(rng: random.Random, year: int) -> int | None:
    if 1854 <= year <= 1899:
        return rng.randint(500, 749)
    if 1900 <= year <= 1939:
        return rng.randint(0, 499)
    if 1940 <= year <= 1999:
        return rng.choice((rng.randint(0, 499), rng.randint(900, 999)))
    if 2000 <= year <= 2039:
        return rng.randint(500, 999)
    return None


def no_valid(rng: random.Random, today: datetime.date) -> tuple[str, str]:
    """A valid Norwegian number and the kind vakt-idnr must give it."""
    variant = rng.choice(("fnr", "fnr", "dnr", "hnr", "tenor", "dolly_d", "tenor_d", "post2032"))
    while True:
        birth = rand_date(rng, 1860, today.year)
        ind = no_individual(rng, birth.year)
        if ind is None:
            continue
        if variant == "post2032":
            ind = rng.randint(0, 999)
        day = birth.day + (40 if variant in ("dnr", "dolly_d", "tenor_d") else 0)
        month = birth.month + {"hnr": 40, "dolly_d": 40, "tenor": 80, "tenor_d": 80}.get(variant, 0)
        body = [int(c) for c in f"{day:02d}{month:02d}{birth.year % 100:02d}{ind:03d}"]
        s1 = sum(w * d for w, d in zip(W1, body))
        target = rng.randint(1, 3) if variant == "post2032" else 0
        k1 = (target - s1) % 11
        if k1 == 10:
            continue
        body.append(k1)
        k2 = (-sum(w * d for w, d in zip(W2, body))) % 11
        if k2 == 10:
            continue
        body.append(k2)
        number = "".join(map(str, body))
        if variant == "post2032" and birth.year < 1927:
            continue  # under the 2032 rule the century is a guess; keep the expected kind unambiguous
        kind = {
            "fnr": "no.fnr", "post2032": "no.fnr", "dnr": "no.dnr", "hnr": "no.hnr",
            "tenor": "no.test", "dolly_d": "no.test", "tenor_d": "no.test",
        }[variant]
        form = rng.choice((number, number, f"{number[:6]} {number[6:]}", f"{number[:6]}-{number[6:]}"))
        return form, kind


def luhn_digit(digits: str) -> int:
    total = 0
    for i, c in enumerate(digits):
        p = int(c) * (2 if i % 2 == 0 else 1)
        total += p // 10 + p % 10
    return (10 - total % 10) % 10


def se_valid(rng: random.Random, today: datetime.date) -> tuple[str, str]:
    snr = rng.random() < 0.25
    birth = rand_date(rng, 1900, today.year)
    nnn = rng.randint(1, 999)
    day = birth.day + (60 if snr else 0)
    ten9 = f"{birth.year % 100:02d}{birth.month:02d}{day:02d}{nnn:03d}"
    ten = ten9 + str(luhn_digit(ten9))
    century = f"{birth.year // 100:02d}"
    turns_100 = today.year - birth.year >= 100
    sep10 = "+" if turns_100 else rng.choice(("-", "-", "", " "))
    form = rng.choice((
        f"{ten[:6]}{sep10}{ten[6:]}",
        f"{century}{ten}",
        f"{century}{ten[:6]}-{ten[6:]}",
    ))
    if turns_100 and sep10 == "+" and "+" not in form and len(form.replace("-", "")) == 10:
        form = f"{ten[:6]}+{ten[6:]}"
    return form, "se.snr" if snr else "se.pnr"


def dk_valid(rng: random.Random, today: datetime.date) -> tuple[str, str]:
    while True:
        birth = rand_date(rng, 1860, today.year)
        yy = birth.year % 100
        y = birth.year
        options = [d for d in range(10) if dk_year(yy, d) == y]
        if not options:
            continue
        seventh = rng.choice(options)
        rest = rng.randint(0, 999)
        number = f"{birth.day:02d}{birth.month:02d}{yy:02d}{seventh}{rest:03d}"
        sep = rng.choice(("", "-", " "))
        return f"{number[:6]}{sep}{number[6:]}", "dk.cpr"


def dk_year(yy: int, seventh: int) -> int:
    # CPR office table (scanner.md §1.4), written out separately from the Rust code.
    if seventh <= 3:
        return 1900 + yy
    if seventh == 4:
        return 2000 + yy if yy <= 36 else 1900 + yy
    if seventh <= 8:
        return 2000 + yy if yy <= 57 else 1800 + yy
    return 2000 + yy if yy <= 37 else 1900 + yy


def fi_valid(rng: random.Random, today: datetime.date) -> tuple[str, str]:
    birth = rand_date(rng, 1860, today.year)
    signs = {18: "+", 19: "-YXWVU", 20: "ABCDEF"}[birth.year // 100]
    sign = rng.choice(signs)
    ind = rng.randint(2, 999)
    body = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}"
    check = FI_CHECK[int(f"{body}{ind:03d}") % 31]
    number = f"{body}{sign}{ind:03d}{check}"
    if rng.random() < 0.1:
        number = number.lower()
    return number, "fi.hetu"


def mutate(rng: random.Random, s: str) -> str:
    positions = [i for i, c in enumerate(s) if c.isdigit()]
    if rng.random() < 0.8:
        i = rng.choice(positions)
        return s[:i] + str((int(s[i]) + rng.randint(1, 9)) % 10) + s[i + 1:]
    pairs = [i for i in positions if i + 1 in positions and s[i] != s[i + 1]]
    if not pairs:
        return s
    i = rng.choice(pairs)
    return s[:i] + s[i + 1] + s[i] + s[i + 2:]


def random_candidate(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.8:
        n = rng.choice((10, 11, 12))
        digits = "".join(rng.choice("0123456789") for _ in range(n))
        sep = rng.choice(("", "", "-", " ", "+"))
        cut = n - 4 if n != 11 else 6
        return digits[:cut] + sep + digits[cut:]
    # henkilötunnus-shaped
    body = "".join(rng.choice("0123456789") for _ in range(6))
    ind = "".join(rng.choice("0123456789") for _ in range(3))
    return body + rng.choice("+-YXWVUABCDEFGZ") + ind + rng.choice(FI_CHECK + "GIOQZ")


def generate(n: int, seed: int, today: datetime.date) -> tuple[list[str], list[str | None]]:
    """Lines and, for lines generated as valid, the kind vakt-idnr must report."""
    rng = random.Random(seed)
    makers = (no_valid, no_valid, se_valid, dk_valid, fi_valid)
    lines: list[str] = []
    expected: list[str | None] = []
    for _ in range(n):
        r = rng.random()
        if r < 0.45:
            line, kind = rng.choice(makers)(rng, today)
            lines.append(line)
            expected.append(kind)
        elif r < 0.80:
            line, _ = rng.choice(makers)(rng, today)
            lines.append(mutate(rng, line))
            expected.append(None)
        else:
            lines.append(random_candidate(rng))
            expected.append(None)
    return lines, expected


# ---------------------------------------------------------------------------------------------------
# The independent implementation.

def stdnum_verdicts(line: str) -> tuple[str, str, str, str]:
    """'ok' or the exception text of each stdnum validator, in COUNTRIES order."""
    out = []
    for validate in (
        fodselsnummer.validate,
        personnummer.validate,
        cpr.validate,
        # vakt-idnr accepts 900–999 (DVV's temporary and test identities) with a signal.
        lambda s: hetu.validate(s, allow_temporary=True),
    ):
        try:
            validate(line)
            out.append("ok")
        except ValidationError as e:
            out.append(type(e).__name__ + ":" + str(e))
        except Exception as e:  # a crash in the reference counts as "not valid" but is reported
            out.append("crash:" + type(e).__name__)
    return tuple(out)


def stdnum_chunk(lines: list[str]) -> list[tuple[str, str, str, str]]:
    return [stdnum_verdicts(line) for line in lines]


# ---------------------------------------------------------------------------------------------------
# Explained and decided differences. Each returns a reason or None (= unexplained).

def explain(country: str, line: str, ours: str, theirs: str) -> str | None:
    ours_ok = ours != "-"
    kind, *flags = ours.split("/")
    digits = "".join(c for c in line if c.isdigit())
    if country == "no" and ours_ok:
        # Skatteetaten, nyttfnr2032.md: from 2032 the first control digit may leave remainder 0-3;
        # "systemer som bruker kontrollberegning må kunne lese både dagens og ny kontrollberegning
        # parallelt". stdnum only knows remainder 0.
        if "p2032" in flags and theirs.startswith("InvalidChecksum"):
            return "no: 2032 control-digit rule (Skatteetaten nyttfnr2032.md)"
        # Skatteetaten Tenor / Test-Norge synthetic numbers add 80 to the month (NAV FødselsnummerType
        # TEST_NORGE(8)); stdnum subtracts 40 only and finds no month.
        if kind == "no.test" and int(digits[2:4]) > 80 and "birth date" in theirs:
            return "no: Tenor test number, month + 80 (NAV FødselsnummerType)"
        # The century table is a plausibility signal, not a rejection: D-number series were extended in
        # 2021 (Skatteetaten "Utvidelse av D-nummerserien") and the 2032 rule drops the century meaning.
        d_number = int(digits[0]) >= 4  # day + 40, whatever the month says (D-number, or Dolly/Tenor D)
        if ("cent0" in flags or d_number) and ("century" in theirs or "birth date" in theirs):
            return "no: individual number outside the century table (signal, scanner.md §5.1)"
        # A birth date after today (or an age over 125) is a signal for the scorer, not a rejection.
        if "age" in flags and "not been born" in theirs:
            return "no: future birth date is a signal"
    if country == "se" and ours_ok:
        # Samordningsnummer: day + 60 (Skatteverket); stdnum's personnummer module rejects the day.
        if kind == "se.snr" and theirs.startswith("InvalidComponent"):
            return "se: samordningsnummer, day + 60 (Skatteverket)"
    if country == "se" and not ours_ok and theirs == "ok":
        # Decision: a 12-digit form must have century 18, 19 or 20 (Skatteverket stores YYYYMMDDNNNC with
        # those centuries); stdnum accepts any year datetime can hold.
        if len(digits) == 12 and digits[:2] not in ("18", "19", "20"):
            return "se: 12-digit form with century outside 18-20"
    if country == "dk" and ours_ok:
        # A future birth date (or age > 125) is a signal, not a rejection; stdnum rejects future dates.
        if "age" in flags and "not been born" in theirs:
            return "dk: future birth date is a signal"
    return None


# ---------------------------------------------------------------------------------------------------

def run_oracle(lines: list[str], today: datetime.date, oracle: str | None) -> list[list[str]]:
    with tempfile.TemporaryFile("w+b") as f:
        f.write(("\n".join(lines) + "\n").encode("utf-8"))
        f.seek(0)
        if oracle:
            cmd = [oracle, "--today", today.isoformat()]
        else:
            cmd = ["cargo", "run", "-q", "--release", "-p", "vakt-idnr", "--example", "oracle", "--",
                   "--today", today.isoformat()]
        out = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE, check=True, cwd=ROOT).stdout
    rows = [row.split(" ") for row in out.decode("utf-8").splitlines()]
    if len(rows) != len(lines):
        sys.exit(f"oracle printed {len(rows)} lines for {len(lines)} inputs")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=1_000_000, help="number of generated inputs")
    ap.add_argument("--seed", type=int, default=20260101)
    ap.add_argument("--oracle", help="path of a built oracle binary (default: cargo run --example oracle)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    today = datetime.date.today()
    t0 = time.time()
    lines, expected = generate(args.n, args.seed, today)
    t1 = time.time()
    ours = run_oracle(lines, today, args.oracle)
    t2 = time.time()
    chunk = 20_000
    chunks = [lines[i:i + chunk] for i in range(0, len(lines), chunk)]
    with multiprocessing.Pool(args.jobs) as pool:
        theirs = [v for part in pool.map(stdnum_chunk, chunks) for v in part]
    t3 = time.time()

    agree = 0
    explained: collections.Counter[str] = collections.Counter()
    unexplained: list[str] = []
    wrong_kind: list[str] = []
    for line, want, o_row, t_row in zip(lines, expected, ours, theirs):
        if want is not None:
            country = want.split(".")[0]
            got = o_row[COUNTRIES.index(country)].split("/")[0]
            if got != want:
                wrong_kind.append(f"{line!r}: generated as {want}, vakt-idnr says {got}")
        for country, o, t in zip(COUNTRIES, o_row, t_row):
            if (o != "-") == (t == "ok"):
                agree += 1
                continue
            reason = explain(country, line, o, t)
            if reason:
                explained[reason] += 1
            else:
                unexplained.append(f"{country} {line!r}: vakt-idnr {o}, stdnum {t}")

    total = len(lines) * len(COUNTRIES)
    print(f"inputs: {len(lines)} ({total} verdicts), today {today}, seed {args.seed}")
    print(f"time: generate {t1 - t0:.1f}s, vakt-idnr {t2 - t1:.1f}s, stdnum {t3 - t2:.1f}s")
    print(f"agree: {agree}")
    print(f"explained differences: {sum(explained.values())}")
    for reason, count in explained.most_common():
        print(f"  {count:8d}  {reason}")
    print(f"unexplained differences: {len(unexplained)}")
    for row in unexplained[:25]:
        print("  " + row)
    print(f"generated-valid numbers not accepted as their kind: {len(wrong_kind)}")
    for row in wrong_kind[:25]:
        print("  " + row)
    return 1 if unexplained or wrong_kind else 0


if __name__ == "__main__":
    sys.exit(main())
