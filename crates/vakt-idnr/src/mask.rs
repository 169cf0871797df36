//! What is shown to people: the birth-date part of a number, never the rest.

use crate::{Country, IdNumber};

/// Masked display form: birth-date part kept, the rest as `*` (`010190*****`, `19900101-****`, `010190-****`).
/// Finnish numbers keep `DDMMYY` and hide the century sign too (`010190*****`), since the sign is part of
/// the identity.
pub fn mask(id: &IdNumber) -> String {
    let n = &id.normalized;
    let (keep, rest) = match id.kind.country() {
        Country::No => (6, "*****"),
        Country::Se => (8, "-****"),
        Country::Dk => (6, "-****"),
        Country::Fi => (6, "*****"),
    };
    let mut out = String::with_capacity(keep + rest.len());
    // `normalized` is ASCII by construction; `get` keeps a hand-built value from panicking.
    out.push_str(n.get(..keep).unwrap_or(""));
    out.push_str(rest);
    out
}

/// Characters that may stand between digit groups of one number (up to three of them in a row).
fn is_joiner(c: char) -> bool {
    c.is_whitespace() || crate::is_separator(c) || c == '+'
}

/// Replace, in free text, every run of digits longer than 6 by its first 6 digits and `*` for the rest,
/// keeping separators, so that a context snippet never shows a whole number.
///
/// A run is a maximal sequence of digit groups joined by at most three separator or space characters
/// (`010190 12345`, `010190 - 1234`, `19900101-1234`) or by one ASCII letter (the Finnish century sign,
/// `010190A123B`). Counting the digits of the whole run is what keeps a spaced-out number from showing.
pub fn mask_text_digits(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0usize; // byte index of the next unprocessed character
    let mut copied = 0usize; // text[..copied] is already in `out`
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        // Find the extent of the run starting at `i` and count its digits.
        let start = i;
        let mut j = i;
        let mut end;
        let mut ndigits = 0usize;
        loop {
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
                ndigits += 1;
            }
            end = j;
            let Some(rest) = text.get(j..) else { break };
            let mut k = j;
            let mut chars = rest.chars();
            match chars.next() {
                Some(c) if c.is_ascii_alphabetic() => k += 1,
                Some(c) if is_joiner(c) => {
                    k += c.len_utf8();
                    for c in chars.take(2) {
                        if !is_joiner(c) {
                            break;
                        }
                        k += c.len_utf8();
                    }
                }
                _ => break,
            }
            if k < bytes.len() && bytes[k].is_ascii_digit() {
                j = k;
            } else {
                break;
            }
        }
        if ndigits > 6 {
            out.push_str(text.get(copied..start).unwrap_or(""));
            let mut seen = 0usize;
            for c in text.get(start..end).unwrap_or("").chars() {
                if c.is_ascii_digit() {
                    seen += 1;
                    out.push(if seen <= 6 { c } else { '*' });
                } else {
                    out.push(c);
                }
            }
            copied = end;
        }
        i = end;
    }
    out.push_str(text.get(copied..).unwrap_or(""));
    out
}
