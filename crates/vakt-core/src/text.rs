//! Which characters Vakt accepts in text: everything except control characters, with tab, line feed
//! and carriage return allowed (multi-line fields). NUL in particular is refused: PostgreSQL cannot
//! store it in text, and no person types it. The web layer applies [`first_forbidden`] to every
//! form field, query parameter, path segment and JSON string before a handler sees them, so both
//! database engines get the same text.
//!
//! ```
//! use vakt_core::text::{first_forbidden, is_acceptable};
//! assert!(is_acceptable("Ødegård\nline two\ttab"));
//! assert_eq!(first_forbidden("a\u{0}b"), Some('\u{0}'));
//! assert_eq!(first_forbidden("bell\u{7}"), Some('\u{7}'));
//! assert_eq!(first_forbidden("c1 \u{85}"), Some('\u{85}'));
//! ```

/// The first character Vakt refuses in text, if any.
pub fn first_forbidden(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// Whether `s` holds only characters Vakt accepts.
pub fn is_acceptable(s: &str) -> bool {
    first_forbidden(s).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_c0_and_c1_control_but_tab_newline_and_return_is_refused() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let allowed = matches!(c, '\t' | '\n' | '\r');
            assert_eq!(is_acceptable(&format!("x{c}y")), allowed, "{:#x}", c as u32);
        }
    }

    #[test]
    fn ordinary_and_unusual_printable_text_is_accepted() {
        for s in [
            "",
            "Åse Ødegård",
            "<script>'; --",
            "\u{202e}rtl",
            "\u{FFFD}",
            "emoji 🙂",
        ] {
            assert!(is_acceptable(s), "{s:?}");
        }
    }
}
