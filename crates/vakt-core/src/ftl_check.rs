//! Test helper: load the web layer's Fluent files and render messages, failing on any syntax or
//! formatting error, so the codes this crate returns are known to have real messages.

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};

/// Every language, with the text of one file of `crates/vakt-web/i18n/<lang>/`.
pub(crate) fn load(files: [(&str, &str); 4]) -> Vec<(String, FluentBundle<FluentResource>)> {
    files
        .iter()
        .map(|(lang, text)| {
            let res = FluentResource::try_new((*text).to_string())
                .unwrap_or_else(|(_, errs)| panic!("{lang}: syntax errors {errs:?}"));
            let id: unic_langid::LanguageIdentifier = lang.parse().expect("language id");
            let mut bundle = FluentBundle::new(vec![id]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(res)
                .unwrap_or_else(|errs| panic!("{lang}: {errs:?}"));
            (lang.to_string(), bundle)
        })
        .collect()
}

/// Render `key` with `args` (numbers passed as numbers, so plural selectors work); panics when the
/// message is missing or rendering reports an error (e.g. a variable without a value).
pub(crate) fn render(
    lang: &str,
    bundle: &FluentBundle<FluentResource>,
    key: &str,
    args: &[(&str, String)],
) -> String {
    let msg = bundle
        .get_message(key)
        .unwrap_or_else(|| panic!("{lang}: no message {key}"));
    let pattern = msg
        .value()
        .unwrap_or_else(|| panic!("{lang}: {key} has no value"));
    let mut fargs = FluentArgs::new();
    for (name, value) in args {
        match value.parse::<f64>() {
            Ok(n) => fargs.set(*name, FluentValue::from(n)),
            Err(_) => fargs.set(*name, FluentValue::from(value.clone())),
        }
    }
    let mut errors = vec![];
    let text = bundle.format_pattern(pattern, Some(&fargs), &mut errors);
    assert!(errors.is_empty(), "{lang}: {key}: {errors:?}");
    text.into_owned()
}
