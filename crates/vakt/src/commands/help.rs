//! The command line's help in the user's language: about texts, argument help and headings looked up in
//! the Fluent files (`i18n/<lang>/cli.ftl` of vakt-web) before clap parses. Keys follow the command
//! path: `cli-about` and `cli-arg-<arg>` for `vakt` itself, `cli-<sub>-about`, `cli-<sub>-after` and
//! `cli-<sub>-arg-<arg>` for a subcommand (an argument's id with `-` for `_`; an argument that several
//! subcommands share may have one key on their parent, `cli-user-arg-tenant`). Where a language has no
//! key, the English of the source's doc comments stays. What clap adds to a help text (the default,
//! the possible values) and its usage errors ([`Localized`]) come from the same files.

use std::sync::OnceLock;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, ArgAction, Command};
use vakt_web::i18n::{self, Lang};

/// The language of the help: `--lang` on the command line (as `vakt scan` takes it), then the
/// environment as for a scan.
pub fn language(args: &[String]) -> Lang {
    let flag = args.iter().enumerate().find_map(|(i, a)| {
        a.strip_prefix("--lang=")
            .map(str::to_owned)
            .or_else(|| (a == "--lang").then(|| args.get(i + 1).cloned()).flatten())
    });
    super::scan::language(flag.as_deref(), |k| std::env::var(k).ok())
}

fn text(lang: Lang, key: &str) -> Option<String> {
    i18n::has(lang, key).then(|| i18n::t(lang, key, &[]))
}

/// The message `key` with text arguments.
fn say(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let args: Vec<(&str, i18n::Arg)> = args
        .iter()
        .map(|(k, v)| (*k, i18n::Arg::Text((*v).to_owned())))
        .collect();
    i18n::t(lang, key, &args)
}

/// A one-line help or about text, without its closing full stop (as clap shows doc comments).
fn line(lang: Lang, key: &str) -> Option<String> {
    text(lang, key).map(|t| t.strip_suffix('.').map(str::to_owned).unwrap_or(t))
}

/// `cmd` (the whole tree below it) with its help in `lang`.
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let mut cmd = at(cmd, "cli", None, lang);
    if let Some(version) = text(lang, "cli-flag-version") {
        let flag = Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help(version);
        cmd = cmd.disable_version_flag(true).arg(flag);
    }
    // The `help` subcommand exists once the tree is built.
    cmd.build();
    match line(lang, "cli-help-about") {
        Some(about) => help_about(cmd, &about),
        None => cmd,
    }
}

/// Every generated `help` subcommand (of the tree and of each command with subcommands) says `about`.
fn help_about(mut cmd: Command, about: &str) -> Command {
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        cmd = if name == "help" {
            cmd.mut_subcommand("help", |h| h.about(about.to_owned()))
        } else {
            cmd.mut_subcommand(name.as_str(), |s| help_about(s, about))
        };
    }
    cmd
}

fn at(mut cmd: Command, path: &str, parent: Option<&str>, lang: Lang) -> Command {
    if let Some(about) = line(lang, &format!("{path}-about")) {
        // The whole doc comment would otherwise stay, in English, as `--help`'s long text.
        cmd = cmd.about(about).long_about(None);
    }
    if let Some(after) = text(lang, &format!("{path}-after")) {
        cmd = cmd.after_help(after);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect();
    for id in ids {
        let key = |at: &str| format!("{at}-arg-{}", id.replace('_', "-"));
        let Some(help) =
            line(lang, &key(path)).or_else(|| parent.and_then(|p| line(lang, &key(p))))
        else {
            continue;
        };
        cmd = cmd.mut_arg(id.as_str(), |a| {
            let takes_values = a.get_action().takes_values();
            let help = with_values(&a, help, lang);
            let a = a.help(help).long_help(None);
            // Shown by `with_values` instead (clap refuses to hide them on a flag).
            if takes_values {
                a.hide_default_value(true).hide_possible_values(true)
            } else {
                a
            }
        });
    }
    // clap's own headings, in the language: a template with the sections this command has (arguments
    // get no heading of their own, so each lands in its section).
    if let (Some(usage), Some(positional), Some(options), Some(commands)) = (
        text(lang, "cli-heading-usage"),
        text(lang, "cli-heading-arguments"),
        text(lang, "cli-heading-options"),
        text(lang, "cli-heading-commands"),
    ) {
        let mut t = format!("{{before-help}}{{about-with-newline}}\n{usage} {{usage}}");
        if cmd.has_subcommands() {
            t.push_str(&format!("\n\n{commands}:\n{{subcommands}}"));
        }
        if cmd.get_positionals().any(|a| !a.is_hide_set()) {
            t.push_str(&format!("\n\n{positional}:\n{{positionals}}"));
        }
        t.push_str(&format!("\n\n{options}:\n{{options}}{{after-help}}"));
        cmd = cmd.help_template(t);
    }
    if let Some(help) = text(lang, "cli-flag-help") {
        let flag = Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(help);
        cmd = cmd.disable_help_flag(true).arg(flag);
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    for name in subs {
        let sub_path = format!("{path}-{name}");
        cmd = cmd.mut_subcommand(name.as_str(), |s| at(s, &sub_path, Some(path), lang));
    }
    cmd
}

/// `help` with what clap would add after it, in `lang`: the default value and the possible values
/// of an argument that takes a value (unless the source hides them).
fn with_values(a: &Arg, help: String, lang: Lang) -> String {
    let mut help = help;
    if !a.get_action().takes_values() {
        return help;
    }
    let defaults: Vec<String> = a
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() && !a.is_hide_default_value_set() {
        help = format!(
            "{help} {}",
            say(lang, "cli-default", &[("value", &defaults.join(", "))])
        );
    }
    let possible: Vec<String> = a
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !possible.is_empty() && !a.is_hide_possible_values_set() {
        help = format!(
            "{help} {}",
            say(
                lang,
                "cli-possible-values",
                &[("values", &possible.join(", "))]
            )
        );
    }
    help
}

static ERROR_LANG: OnceLock<Lang> = OnceLock::new();

/// The language of [`Localized`] for this process (the first call decides).
pub fn set_error_language(lang: Lang) {
    let _ = ERROR_LANG.set(lang);
}

/// clap's usage errors (`error: …`, the usage line, the hints) in the language set by
/// [`set_error_language`], English before. Used through `clap::Error::apply::<Localized>()`.
pub struct Localized;

impl ErrorFormatter for Localized {
    fn format_error(error: &clap::error::Error<Self>) -> StyledStr {
        let lang = ERROR_LANG.get().copied().unwrap_or(Lang::En);
        StyledStr::from(error_text(lang, error))
    }
}

/// The text of a usage error in `lang`, laid out as clap lays out its own.
fn error_text<F: ErrorFormatter>(lang: Lang, error: &clap::error::Error<F>) -> String {
    let one = |k: ContextKind| match error.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let many = |k: ContextKind| match error.get(k) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        _ => Vec::new(),
    };
    let number = |k: ContextKind| match error.get(k) {
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let source = std::error::Error::source(error).map(ToString::to_string);
    let arg = one(ContextKind::InvalidArg);
    let value = one(ContextKind::InvalidValue);
    let listed = |head: String, items: Vec<String>| {
        let mut out = head;
        for i in items {
            out.push_str(&format!("\n  {i}"));
        }
        out
    };
    let bracketed = |key: &str, items: Vec<String>| {
        if items.is_empty() {
            String::new()
        } else {
            format!("\n  {}", say(lang, key, &[("values", &items.join(", "))]))
        }
    };
    let message = match (error.kind(), arg.as_deref(), value.as_deref()) {
        (ErrorKind::UnknownArgument, Some(a), _) => {
            Some(say(lang, "cli-error-unknown-argument", &[("arg", a)]))
        }
        (ErrorKind::InvalidSubcommand, _, _) => one(ContextKind::InvalidSubcommand)
            .map(|n| say(lang, "cli-error-invalid-subcommand", &[("name", &n)])),
        (ErrorKind::InvalidValue, Some(a), Some("")) => {
            Some(say(lang, "cli-error-value-required", &[("arg", a)]))
        }
        (ErrorKind::InvalidValue, Some(a), Some(v)) => Some(
            say(lang, "cli-error-invalid-value", &[("value", v), ("arg", a)])
                + &bracketed("cli-possible-values", many(ContextKind::ValidValue)),
        ),
        (ErrorKind::ValueValidation, Some(a), Some(v)) => {
            let head = say(lang, "cli-error-invalid-value", &[("value", v), ("arg", a)]);
            Some(match &source {
                Some(why) => format!("{head}: {why}"),
                None => head,
            })
        }
        (ErrorKind::MissingRequiredArgument, _, _) => Some(listed(
            say(lang, "cli-error-missing-required", &[]),
            many(ContextKind::InvalidArg),
        )),
        (ErrorKind::MissingSubcommand, _, _) => one(ContextKind::InvalidSubcommand).map(|n| {
            say(lang, "cli-error-missing-subcommand", &[("name", &n)])
                + &bracketed("cli-error-subcommands", many(ContextKind::ValidSubcommand))
        }),
        (ErrorKind::ArgumentConflict, Some(a), _) => match error.get(ContextKind::PriorArg) {
            Some(ContextValue::String(p)) if p == a => {
                Some(say(lang, "cli-error-repeated", &[("arg", a)]))
            }
            Some(ContextValue::String(p)) => {
                Some(say(lang, "cli-error-conflict", &[("arg", a), ("other", p)]))
            }
            Some(ContextValue::Strings(ps)) => Some(listed(
                say(lang, "cli-error-conflict-any", &[("arg", a)]),
                ps.clone(),
            )),
            _ => None,
        },
        (ErrorKind::TooManyValues, Some(a), Some(v)) => Some(say(
            lang,
            "cli-error-too-many-values",
            &[("value", v), ("arg", a)],
        )),
        (ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues, Some(a), _) => {
            let expected =
                number(ContextKind::MinValues).or_else(|| number(ContextKind::ExpectedNumValues));
            match (expected, number(ContextKind::ActualNumValues)) {
                (Some(e), Some(n)) => Some(say(
                    lang,
                    "cli-error-wrong-number",
                    &[("arg", a), ("expected", &e), ("actual", &n)],
                )),
                _ => None,
            }
        }
        (ErrorKind::NoEquals, Some(a), _) => Some(say(lang, "cli-error-no-equals", &[("arg", a)])),
        (ErrorKind::InvalidUtf8, _, _) => Some(say(lang, "cli-error-invalid-utf8", &[])),
        _ => None,
    };
    let message = message.unwrap_or_else(|| {
        let head = say(lang, "cli-error-other", &[]);
        match &source {
            Some(why) => format!("{head}: {why}"),
            None => head,
        }
    });
    let mut out = format!("{} {message}", say(lang, "cli-error", &[]));
    let mut tips = Vec::new();
    for (kind, key) in [
        (
            ContextKind::SuggestedSubcommand,
            "cli-tip-similar-subcommand",
        ),
        (ContextKind::SuggestedArg, "cli-tip-similar-argument"),
        (ContextKind::SuggestedValue, "cli-tip-similar-value"),
    ] {
        for similar in many(kind) {
            tips.push(say(lang, key, &[("similar", &similar)]));
        }
    }
    // clap's free-text hints (how to pass a value that looks like a flag, ...) have no key: as clap
    // words them.
    if let Some(ContextValue::StyledStrs(hints)) = error.get(ContextKind::Suggested) {
        tips.extend(hints.iter().map(ToString::to_string));
    }
    if !tips.is_empty() {
        out.push('\n');
        for tip in tips {
            out.push_str(&format!("\n  {} {tip}", say(lang, "cli-tip", &[])));
        }
    }
    if let Some(ContextValue::StyledStr(usage)) = error.get(ContextKind::Usage) {
        let usage = usage.to_string();
        let usage = match usage.strip_prefix("Usage:") {
            Some(rest) => format!("{}{rest}", say(lang, "cli-heading-usage", &[])),
            None => usage,
        };
        out.push_str(&format!("\n\n{usage}"));
    }
    out.push_str(&format!(
        "\n\n{}\n",
        say(lang, "cli-more-information", &[("flag", "--help")])
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(cmd: &mut Command) -> String {
        cmd.render_long_help().to_string()
    }

    #[test]
    fn the_scan_help_is_in_each_language_with_every_argument_translated() {
        for lang in Lang::ALL {
            let cmd = localize(crate::cli_command(), lang);
            let scan = cmd
                .get_subcommands()
                .find(|s| s.get_name() == "scan")
                .expect("scan");
            for a in scan.get_arguments().filter(|a| !a.is_hide_set()) {
                let id = a.get_id().as_str();
                if id == "help" || id == "data_dir" || id == "config" {
                    continue;
                }
                let key = format!("cli-scan-arg-{}", id.replace('_', "-"));
                assert!(i18n::has(lang, &key), "{lang}: {key}");
                let help = a.get_help().map(ToString::to_string).unwrap_or_default();
                let want = line(lang, &key).unwrap_or_default();
                assert!(help.starts_with(&want), "{lang}: {id}: {help}");
            }
            for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let key = format!("cli-{}-about", s.get_name());
                assert!(i18n::has(lang, &key), "{lang}: {key}");
            }
        }
    }

    /// Every subcommand below `cmd` (at `path`), with its parent's path.
    fn walk(
        cmd: &Command,
        path: &str,
        parent: Option<&str>,
        out: &mut Vec<(String, Option<String>, Command)>,
    ) {
        out.push((path.to_owned(), parent.map(str::to_owned), cmd.clone()));
        for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            walk(s, &format!("{path}-{}", s.get_name()), Some(path), out);
        }
    }

    #[test]
    fn every_command_and_argument_has_its_help_in_each_language() {
        let mut all = Vec::new();
        walk(&crate::cli_command(), "cli", None, &mut all);
        assert!(all.len() > 20, "{}", all.len());
        for lang in Lang::ALL {
            for (path, parent, cmd) in &all {
                if path != "cli" {
                    let key = format!("{path}-about");
                    assert!(i18n::has(lang, &key), "{lang}: {key}");
                }
                for a in cmd
                    .get_arguments()
                    .filter(|a| !a.is_hide_set() && !a.is_global_set())
                {
                    let id = a.get_id().as_str().replace('_', "-");
                    let key = format!("{path}-arg-{id}");
                    let shared = parent.as_ref().map(|p| format!("{p}-arg-{id}"));
                    assert!(
                        i18n::has(lang, &key) || shared.is_some_and(|k| i18n::has(lang, &k)),
                        "{lang}: {key}"
                    );
                }
            }
            // Nothing of clap's English is left in the rendered help of any command.
            let mut localized = Vec::new();
            walk(
                &localize(crate::cli_command(), lang),
                "cli",
                None,
                &mut localized,
            );
            for (path, _, mut cmd) in localized {
                let help = shown(&mut cmd);
                if lang != Lang::En {
                    for english in [
                        "Usage:",
                        "Options:",
                        "Print help",
                        "[default:",
                        "[possible values:",
                    ] {
                        assert!(
                            !help.contains(english),
                            "{lang} {path}: {english} in {help}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn defaults_and_possible_values_are_shown_in_the_language() {
        let mut cmd = localize(crate::cli_command(), Lang::Nb);
        let help = shown(cmd.find_subcommand_mut("scan").expect("scan"));
        assert!(
            help.contains("[standard: table] [mulige verdier: table, jsonl, csv, sarif]"),
            "{help}"
        );
        assert!(help.contains("[mulige verdier: no, se, dk, fi]"), "{help}");
        let mut cmd = localize(crate::cli_command(), Lang::Sv);
        let demo = shown(cmd.find_subcommand_mut("demo").expect("demo"));
        assert!(demo.contains("[standard: 200]"), "{demo}");
        // A flag has no value to show.
        assert!(!demo.contains("[standard: false]"), "{demo}");
        let mut cmd = localize(crate::cli_command(), Lang::En);
        let help = shown(cmd.find_subcommand_mut("scan").expect("scan"));
        assert!(
            help.contains("[default: table] [possible values: table, jsonl, csv, sarif]"),
            "{help}"
        );
    }

    fn error_of(lang: Lang, args: &[&str]) -> String {
        let e = localize(crate::cli_command(), lang)
            .try_get_matches_from(args)
            .err()
            .expect("a usage error");
        error_text(lang, &e)
    }

    #[test]
    fn usage_errors_are_in_the_language() {
        let e = error_of(Lang::Nb, &["vakt", "scan", "--format", "xml", "a"]);
        assert!(
            e.starts_with("feil: ugyldig verdi 'xml' for '--format <FORMAT>'"),
            "{e}"
        );
        assert!(
            e.contains("\n  [mulige verdier: table, jsonl, csv, sarif]"),
            "{e}"
        );
        assert!(
            e.ends_with("\n\nPrøv '--help' for mer informasjon.\n"),
            "{e}"
        );
        let e = error_of(Lang::Sv, &["vakt", "scan", "--revael", "a"]);
        assert!(e.starts_with("fel: okänt argument '--revael'"), "{e}");
        assert!(
            e.contains("tips: ett liknande argument finns: '--reveal'"),
            "{e}"
        );
        assert!(e.contains("\n\nAnvändning: vakt scan --reveal"), "{e}");
        let e = error_of(Lang::Da, &["vakt", "scna"]);
        assert!(e.starts_with("fejl: ukendt underkommando 'scna'"), "{e}");
        assert!(
            e.contains("tip: en lignende underkommando findes: 'scan'"),
            "{e}"
        );
        let e = error_of(Lang::Nb, &["vakt", "scan"]);
        assert!(
            e.starts_with("feil: disse påkrevde argumentene mangler:\n  <PATHS>..."),
            "{e}"
        );
        // The parser's own reason stays beside the translated message.
        let e = error_of(Lang::Nb, &["vakt", "scan", "--threads", "x", "a"]);
        assert!(
            e.starts_with("feil: ugyldig verdi 'x' for '--threads <N>': "),
            "{e}"
        );
        let e = error_of(
            Lang::Sv,
            &[
                "vakt", "tenant", "create", "s", "--name", "a", "--name", "b",
            ],
        );
        assert!(
            e.starts_with("fel: argumentet '--name <NAME>' kan bara användas en gång"),
            "{e}"
        );
        let e = error_of(Lang::En, &["vakt", "scan", "--format", "xml", "a"]);
        assert!(
            e.starts_with("error: invalid value 'xml' for '--format <FORMAT>'"),
            "{e}"
        );
        let e = error_of(Lang::En, &["vakt", "scan", "--revael", "a"]);
        assert!(e.contains("\n\nUsage: vakt scan --reveal"), "{e}");
    }

    #[test]
    fn norwegian_help_reads_norwegian_and_still_parses_the_same() {
        let mut cmd = localize(crate::cli_command(), Lang::Nb);
        let mut scan = cmd.find_subcommand_mut("scan").expect("scan").clone();
        let help = shown(&mut scan);
        assert!(help.contains("Bruk:"), "{help}");
        assert!(help.contains("Valg:"), "{help}");
        assert!(help.contains("Argumenter:"), "{help}");
        assert!(
            help.find("Argumenter:") < help.find("Valg:"),
            "arguments before options: {help}"
        );
        assert!(
            help.contains(&line(Lang::Nb, "cli-scan-arg-reveal").unwrap()),
            "{help}"
        );
        assert!(!help.contains("Print help"), "{help}");
        let m = cmd
            .try_get_matches_from(["vakt", "scan", "--format", "jsonl", "--reveal", "a", "b"])
            .expect("parses");
        let (name, sub) = m.subcommand().expect("subcommand");
        assert_eq!(name, "scan");
        assert!(sub.get_flag("reveal"));
        assert_eq!(
            sub.get_many::<std::path::PathBuf>("paths")
                .map(|v| v.count()),
            Some(2)
        );
    }

    #[test]
    fn the_language_comes_from_the_lang_flag_in_either_spelling() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            language(&args(&["vakt", "scan", "--lang", "sv", "--help"])),
            Lang::Sv
        );
        assert_eq!(
            language(&args(&["vakt", "scan", "--lang=da", "--help"])),
            Lang::Da
        );
    }
}
