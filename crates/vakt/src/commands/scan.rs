//! `vakt scan` in the user's language: the scanner's messages looked up in the Fluent files
//! (`i18n/<lang>/scan.ftl` of vakt-web).

use std::collections::BTreeMap;

use vakt_scan::text::{Arg, Text};
use vakt_web::i18n::{self, Lang};

/// The scanner's words from Fluent, in one language.
pub struct FluentText(pub Lang);

impl Text for FluentText {
    fn text(&self, key: &str, args: &BTreeMap<String, Arg>) -> Option<String> {
        if !i18n::has(self.0, key) && !i18n::has(Lang::En, key) {
            return None;
        }
        let args: Vec<(&str, i18n::Arg)> = args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Arg::Number(n) => i18n::Arg::Number(*n),
                    Arg::Text(s) => i18n::Arg::Text(s.clone()),
                };
                (k.as_str(), v)
            })
            .collect();
        Some(i18n::t(self.0, key, &args))
    }
}

/// The language of a scan: `--lang`, then `VAKT_LANG`, then the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`),
/// then English. A locale Vakt does not speak (`C`, `de_DE`) means English.
pub fn language(flag: Option<&str>, env: impl Fn(&str) -> Option<String>) -> Lang {
    if let Some(l) = flag.and_then(Lang::parse) {
        return l;
    }
    for var in ["VAKT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"] {
        // The first one that is set decides, as in POSIX locale lookup.
        if let Some(v) = env(var).filter(|v| !v.trim().is_empty()) {
            return Lang::parse(&v).unwrap_or(Lang::En);
        }
    }
    Lang::En
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_wins_then_vakt_lang_then_the_locale() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(language(Some("sv"), env(&[("VAKT_LANG", "da")])), Lang::Sv);
        assert_eq!(
            language(None, env(&[("VAKT_LANG", "da"), ("LANG", "nb_NO.UTF-8")])),
            Lang::Da
        );
        assert_eq!(language(None, env(&[("LANG", "nb_NO.UTF-8")])), Lang::Nb);
        assert_eq!(
            language(None, env(&[("LC_ALL", "C.UTF-8"), ("LANG", "sv_SE.UTF-8")])),
            Lang::En
        );
        assert_eq!(language(None, env(&[])), Lang::En);
    }

    #[test]
    fn every_scanner_message_key_has_a_translation_in_every_language() {
        for lang in Lang::ALL {
            let t = FluentText(lang);
            let args: BTreeMap<String, Arg> = [
                ("format".to_string(), Arg::Text("docx".into())),
                ("detail".to_string(), Arg::Text("x".into())),
                ("max".to_string(), Arg::Number(5.0)),
            ]
            .into_iter()
            .collect();
            for key in [
                "scan-error-malformed",
                "scan-error-limit-ratio",
                "scan-error-limit-member-size",
                "scan-error-limit-decompressed",
                "scan-error-limit-depth",
                "scan-error-limit-pdf-text",
                "scan-error-timeout",
                "scan-error-unsupported",
                "scan-error-unreadable",
                "scan-error-walk",
                "scan-error-glob",
                "scan-summary",
                "scan-progress",
                "scan-findings-none",
                "scan-column-kind",
                "scan-column-value",
                "scan-column-confidence",
                "scan-column-where",
                "scan-usage-size",
                "scan-usage-positive",
                "scan-usage-date",
                "scan-output-error",
                "scan-rules-read",
                "scan-rules-parse",
                "scan-rules-unknown-kind",
                "scan-rules-unknown-country",
                "scan-rules-unknown-category",
                "scan-rules-range",
                "scan-rules-size",
                "scan-rules-zero",
                "scan-rules-terms",
                "scan-cache-read",
                "scan-cache-write",
                "scan-cache-encode",
            ] {
                assert!(i18n::has(lang, key), "{lang:?} lacks {key}");
                assert!(t.text(key, &args).is_some_and(|s| !s.contains(key)));
            }
        }
    }
}
