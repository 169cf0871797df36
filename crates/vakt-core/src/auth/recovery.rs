//! One-time recovery codes for when the authenticator is lost (R-046).
//!
//! [`generate`] makes ten codes like `k7m3q-x9t2w` (10 characters from a 31-letter alphabet
//! without look-alikes: about 50 bits each). Show them once; store only [`hash_code`] of each.
//! At sign-in, [`find`] returns which stored hash matches the typed code (case, spaces and dashes
//! ignored); the store deletes that hash, so each code works once.
//!
//! ```
//! use vakt_core::auth::recovery;
//! let codes = recovery::generate();
//! let mut stored: Vec<String> = codes.iter().map(|c| recovery::hash_code(c)).collect();
//! let typed = codes[3].to_uppercase().replace('-', " ");
//! assert_eq!(recovery::consume(&typed, &mut stored), true);
//! assert_eq!(recovery::consume(&typed, &mut stored), false); // used up
//! assert_eq!(stored.len(), 9);
//! ```

use rand::Rng;
use sha2::{Digest, Sha256};

/// How many codes a user gets.
pub const COUNT: usize = 10;
/// Characters per code (without the dash).
pub const LENGTH: usize = 10;
/// No 0/o, 1/l/i: easy to read aloud and type.
const ALPHABET: &[u8] = b"23456789abcdefghjkmnpqrstuvwxyz";

/// Ten fresh codes, formatted `xxxxx-xxxxx`.
pub fn generate() -> Vec<String> {
    let mut rng = rand::rng();
    (0..COUNT)
        .map(|_| {
            let chars: String = (0..LENGTH)
                .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
                .collect();
            let (a, b) = chars.split_at(LENGTH / 2);
            format!("{a}-{b}")
        })
        .collect()
}

/// Canonical form: lower case, without spaces and dashes.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// SHA-256 hex of the canonical form (codes are random enough that a fast hash suffices).
pub fn hash_code(code: &str) -> String {
    hex::encode(Sha256::digest(normalise(code).as_bytes()))
}

/// The index in `stored_hashes` of the hash matching `typed`, if any.
pub fn find(typed: &str, stored_hashes: &[String]) -> Option<usize> {
    let n = normalise(typed);
    if n.chars().count() != LENGTH {
        return None;
    }
    let h = hash_code(&n);
    stored_hashes.iter().position(|s| *s == h)
}

/// Verify and consume: removes the matching hash from `stored_hashes` and returns true.
pub fn consume(typed: &str, stored_hashes: &mut Vec<String>) -> bool {
    match find(typed, stored_hashes) {
        Some(i) => {
            stored_hashes.remove(i);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ten_distinct_codes_in_two_groups_of_five() {
        let codes = generate();
        assert_eq!(codes.len(), 10);
        assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 10);
        for c in &codes {
            let (a, b) = c.split_once('-').expect("dash");
            assert_eq!((a.len(), b.len()), (5, 5), "{c}");
            assert!(c.bytes().all(|b| b == b'-' || ALPHABET.contains(&b)), "{c}");
        }
    }

    #[test]
    fn each_code_works_once() {
        let codes = generate();
        let mut stored: Vec<String> = codes.iter().map(|c| hash_code(c)).collect();
        for c in &codes {
            assert!(consume(c, &mut stored));
            assert!(!consume(c, &mut stored));
        }
        assert!(stored.is_empty());
    }

    #[test]
    fn typing_is_forgiving_about_case_spaces_and_dashes() {
        let mut stored = vec![hash_code("abcde-fghjk")];
        assert_eq!(find("ABCDE FGHJK", &stored), Some(0));
        assert_eq!(find(" abcdefghjk ", &stored), Some(0));
        assert!(consume("AbCdE-fGhJk", &mut stored));
    }

    #[test]
    fn only_hashes_are_stored_and_wrong_codes_fail() {
        let stored = vec![hash_code("abcde-fghjk")];
        assert_eq!(stored[0].len(), 64);
        assert!(!stored[0].contains("abcde"));
        assert_eq!(find("abcde-fghjm", &stored), None);
        assert_eq!(find("", &stored), None);
        assert_eq!(find("ø", &stored), None);
    }
}
