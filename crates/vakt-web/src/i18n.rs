//! Text shown to people: Fluent files under `i18n/<lang>/<capability>.ftl` (embedded at build time by
//! `build.rs`), one bundle per language built once, and [`t`] to look a message up.
//!
//! Language choice for a request (see [`negotiate`]): the user's own setting, then the `vakt_lang` cookie,
//! then the tenant's default, then `Accept-Language`, then Norwegian bokmål.

use std::{collections::HashMap, fmt, sync::LazyLock};

use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use serde::{Deserialize, Serialize};

mod files {
    include!(concat!(env!("OUT_DIR"), "/ftl_files.rs"));
}
pub use files::FTL_FILES;

/// The languages Vakt speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Nb,
    Sv,
    Da,
    En,
}

impl Lang {
    pub const ALL: [Lang; 4] = [Lang::Nb, Lang::Sv, Lang::Da, Lang::En];

    /// The BCP 47 code used in `lang=""`, cookies and settings.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Sv => "sv",
            Lang::Da => "da",
            Lang::En => "en",
        }
    }

    /// The language's own name for itself (shown in the language switcher, never translated).
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Nb => "Norsk bokmål",
            Lang::Sv => "Svenska",
            Lang::Da => "Dansk",
            Lang::En => "English",
        }
    }

    /// Parses a language tag leniently: `nb`, `nb-NO`, `no`, `nn` → bokmål; `sv-SE` → Swedish; etc.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "nb" | "no" | "nn" => Some(Lang::Nb),
            "sv" => Some(Lang::Sv),
            "da" => Some(Lang::Da),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The best language of an `Accept-Language` header, honouring q-values; `None` when none is spoken.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, usize, Lang)> = None;
        for (idx, part) in header.split(',').take(32).enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("");
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if q.is_nan() || q <= 0.0 {
                continue;
            }
            if let Some(lang) = Lang::parse(tag) {
                // Higher q wins; on a tie the earlier entry wins.
                let better = match best {
                    None => true,
                    Some((bq, bidx, _)) => q > bq || (q == bq && idx < bidx),
                };
                if better {
                    best = Some((q, idx, lang));
                }
            }
        }
        best.map(|(_, _, l)| l)
    }
}

impl From<vakt_core::directory::Language> for Lang {
    fn from(l: vakt_core::directory::Language) -> Self {
        use vakt_core::directory::Language as L;
        match l {
            L::Nb => Lang::Nb,
            L::Sv => Lang::Sv,
            L::Da => Lang::Da,
            L::En => Lang::En,
        }
    }
}

impl From<Lang> for vakt_core::directory::Language {
    fn from(l: Lang) -> Self {
        use vakt_core::directory::Language as L;
        match l {
            Lang::Nb => L::Nb,
            Lang::Sv => L::Sv,
            Lang::Da => L::Da,
            Lang::En => L::En,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The inputs of the language choice, in order of precedence.
#[derive(Debug, Default, Clone, Copy)]
pub struct LangSources<'a> {
    pub user_setting: Option<Lang>,
    pub cookie: Option<&'a str>,
    pub tenant_default: Option<Lang>,
    pub accept_language: Option<&'a str>,
}

/// Chooses the language: user setting → cookie → tenant default → Accept-Language → `nb`.
pub fn negotiate(src: LangSources<'_>) -> Lang {
    src.user_setting
        .or_else(|| src.cookie.and_then(Lang::parse))
        .or(src.tenant_default)
        .or_else(|| src.accept_language.and_then(Lang::from_accept_language))
        .unwrap_or_default()
}

/// An argument to a message.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(f64),
}

impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(v.to_owned())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Self {
        Arg::Text(v)
    }
}
impl From<&String> for Arg {
    fn from(v: &String) -> Self {
        Arg::Text(v.clone())
    }
}
macro_rules! arg_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg {
            fn from(v: $t) -> Self {
                Arg::Number(v as f64)
            }
        }
    )*};
}
arg_from_number!(i32, i64, u32, u64, usize, f64);

struct Bundles {
    by_lang: HashMap<Lang, FluentBundle<FluentResource>>,
    /// Every (file, parse error) found while loading; empty in a healthy build (a unit test asserts it).
    errors: Vec<String>,
}

static BUNDLES: LazyLock<Bundles> = LazyLock::new(build_bundles);

fn build_bundles() -> Bundles {
    let mut by_lang = HashMap::new();
    let mut errors = Vec::new();
    for lang in Lang::ALL {
        let langid = match lang.code().parse::<unic_langid::LanguageIdentifier>() {
            Ok(id) => id,
            Err(e) => {
                errors.push(format!("{lang}: bad language id: {e}"));
                continue;
            }
        };
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // No Unicode isolation marks around placeables: all four languages are left-to-right, and the
        // marks would end up inside HTML attributes and test assertions.
        bundle.set_use_isolating(false);
        for (file_lang, name, text) in FTL_FILES {
            if *file_lang != lang.code() {
                continue;
            }
            let res = match FluentResource::try_new((*text).to_owned()) {
                Ok(r) => r,
                Err((r, errs)) => {
                    errors.push(format!("{file_lang}/{name}: {errs:?}"));
                    r
                }
            };
            if let Err(errs) = bundle.add_resource(res) {
                errors.push(format!("{file_lang}/{name}: {errs:?}"));
            }
        }
        by_lang.insert(lang, bundle);
    }
    for e in &errors {
        tracing::error!("i18n: {e}");
    }
    Bundles { by_lang, errors }
}

/// Builds the bundles now (call at start-up so that the first request does not pay for it).
pub fn init() {
    LazyLock::force(&BUNDLES);
}

fn lookup(lang: Lang, key: &str, args: Option<&FluentArgs<'_>>) -> Option<String> {
    let bundle = BUNDLES.by_lang.get(&lang)?;
    let msg = bundle.get_message(key)?;
    let pattern = msg.value()?;
    let mut errs = Vec::new();
    let out = bundle.format_pattern(pattern, args, &mut errs);
    if !errs.is_empty() {
        tracing::warn!("i18n: {lang}/{key}: {errs:?}");
    }
    Some(out.into_owned())
}

/// The message `key` in `lang` with `args`; falls back to English, then to the key itself (and logs).
pub fn t(lang: Lang, key: &str, args: &[(&str, Arg)]) -> String {
    let fargs = if args.is_empty() {
        None
    } else {
        let mut fa = FluentArgs::new();
        for (name, value) in args {
            match value {
                Arg::Text(s) => fa.set(*name, FluentValue::from(s.as_str())),
                Arg::Number(n) => fa.set(*name, FluentValue::from(*n)),
            }
        }
        Some(fa)
    };
    lookup(lang, key, fargs.as_ref())
        .or_else(|| {
            tracing::warn!("i18n: missing {lang}/{key}");
            lookup(Lang::En, key, fargs.as_ref())
        })
        .unwrap_or_else(|| key.to_owned())
}

/// Whether `key` exists in `lang` (no fallback).
pub fn has(lang: Lang, key: &str) -> bool {
    BUNDLES
        .by_lang
        .get(&lang)
        .is_some_and(|b| b.get_message(key).is_some())
}

/// Parse errors found while loading the embedded files (empty when all is well).
pub fn load_errors() -> &'static [String] {
    &BUNDLES.errors
}

/// Message ids defined in one language's files.
pub fn keys(lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    for (file_lang, _name, text) in FTL_FILES {
        if *file_lang != lang.code() {
            continue;
        }
        let res = match FluentResource::try_new((*text).to_owned()) {
            Ok(r) | Err((r, _)) => r,
        };
        for entry in res.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                out.push(m.id.name.to_owned());
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fluent_file_parses() {
        init();
        assert!(load_errors().is_empty(), "{:#?}", load_errors());
        assert!(!FTL_FILES.is_empty());
    }

    #[test]
    fn every_english_key_exists_in_nb_sv_and_da() {
        let en = keys(Lang::En);
        assert!(en.len() > 20, "expected the English catalogue, got {en:?}");
        let mut missing = Vec::new();
        for lang in [Lang::Nb, Lang::Sv, Lang::Da] {
            let have = keys(lang);
            for k in &en {
                if have.binary_search(k).is_err() {
                    missing.push(format!("{lang}: {k}"));
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }

    #[test]
    fn every_file_exists_in_all_four_languages() {
        let names = |l: Lang| {
            let mut v: Vec<&str> = FTL_FILES
                .iter()
                .filter(|f| f.0 == l.code())
                .map(|f| f.1)
                .collect();
            v.sort();
            v
        };
        for l in [Lang::Nb, Lang::Sv, Lang::Da] {
            assert_eq!(names(l), names(Lang::En), "{l}");
        }
    }

    #[test]
    fn language_choice_follows_user_then_cookie_then_tenant_then_browser_then_bokmal() {
        let all = LangSources {
            user_setting: Some(Lang::Da),
            cookie: Some("sv"),
            tenant_default: Some(Lang::En),
            accept_language: Some("nb"),
        };
        assert_eq!(negotiate(all), Lang::Da);
        assert_eq!(
            negotiate(LangSources {
                user_setting: None,
                ..all
            }),
            Lang::Sv
        );
        assert_eq!(
            negotiate(LangSources {
                user_setting: None,
                cookie: Some("xx"),
                ..all
            }),
            Lang::En
        );
        assert_eq!(
            negotiate(LangSources {
                accept_language: Some("fr, sv-SE;q=0.8, da;q=0.9"),
                ..LangSources::default()
            }),
            Lang::Da
        );
        assert_eq!(negotiate(LangSources::default()), Lang::Nb);
    }

    #[test]
    fn accept_language_ignores_garbage_and_zero_q() {
        assert_eq!(
            Lang::from_accept_language("en;q=0, sv;q=0.1"),
            Some(Lang::Sv)
        );
        assert_eq!(Lang::from_accept_language(";;;,,,q=x"), None);
        assert_eq!(Lang::from_accept_language("nn-NO"), Some(Lang::Nb));
    }

    #[test]
    fn messages_take_arguments_and_fall_back_to_the_key() {
        assert_eq!(
            t(Lang::En, "no-such-key-anywhere", &[]),
            "no-such-key-anywhere"
        );
        let s = t(Lang::Sv, "me-greeting", &[("name", "Åsa".into())]);
        assert!(s.contains("Åsa"), "{s}");
    }
}
