//! Plain text for the speed benchmark (bench/scan): files of running prose in the four languages with
//! sparse synthetic ID numbers (one line in `every` names one, with a context word), and nothing else
//! that looks like a number. Deterministic from the seed.

use std::io::Write;
use std::path::Path;

use crate::lang::ALL;
use crate::numbers::Numbers;

/// What [`write_plain`] wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlainStats {
    pub files: usize,
    pub bytes: u64,
    /// ID numbers planted (each one a valid synthetic number).
    pub numbers: u64,
}

/// Write `files` text files of `bytes_per_file` bytes each (whole lines, so a little more) into `dir`,
/// one line in `every` holding a synthetic ID number.
pub fn write_plain(
    dir: &Path,
    files: usize,
    bytes_per_file: u64,
    every: u64,
    seed: u64,
) -> std::io::Result<PlainStats> {
    std::fs::create_dir_all(dir)?;
    let mut n = Numbers::new(seed);
    let mut stats = PlainStats {
        files,
        bytes: 0,
        numbers: 0,
    };
    let mut buf: Vec<u8> = Vec::with_capacity(bytes_per_file as usize + 4096);
    for f in 0..files {
        buf.clear();
        while (buf.len() as u64) < bytes_per_file {
            let lang = n.pick(&ALL);
            if n.rng.below(every.max(1)) == 0 {
                let (written, _) = n.id(lang.country, true);
                let sentence = n.pick(lang.id_inline);
                let name = n.pick(lang.names);
                buf.extend_from_slice(
                    sentence
                        .replace("{name}", name)
                        .replace("{id}", &written)
                        .as_bytes(),
                );
                stats.numbers += 1;
            } else {
                for i in 0..1 + n.rng.below(3) {
                    if i > 0 {
                        buf.push(b' ');
                    }
                    buf.extend_from_slice(n.pick(lang.filler).as_bytes());
                }
            }
            buf.push(b'\n');
        }
        let path = dir.join(format!("tekst-{f:04}.txt"));
        std::fs::File::create(&path)?.write_all(&buf)?;
        stats.bytes += buf.len() as u64;
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_has_the_planted_numbers_and_no_other_digits() {
        let d = tempfile::tempdir().expect("tempdir");
        let s = write_plain(d.path(), 2, 20_000, 20, 7).expect("write");
        assert_eq!(s.files, 2);
        assert!(s.bytes >= 40_000);
        assert!(s.numbers > 0);
        let text = std::fs::read_to_string(d.path().join("tekst-0001.txt")).expect("read");
        let digit_lines = text
            .lines()
            .filter(|l| l.bytes().any(|b| b.is_ascii_digit()))
            .count();
        assert!(
            digit_lines > 0 && digit_lines < text.lines().count() / 5,
            "{digit_lines}"
        );
    }
}
