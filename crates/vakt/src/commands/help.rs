//! The command line's help in the user's language: about texts, argument help and headings looked up in
//! the Fluent files (`i18n/<lang>/cli.ftl` of vakt-web) before clap parses. Keys follow the command
//! path: `cli-about` and `cli-arg-<arg>` for `vakt` itself, `cli-<sub>-about`, `cli-<sub>-after` and
//! `cli-<sub>-arg-<arg>` for a subcommand (an argument's id with `-` for `_`). Where a language has no
//! key, the English of the source's doc comments stays. clap's own error messages stay English.

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

/// A one-line help or about text, without its closing full stop (as clap shows doc comments).
fn line(lang: Lang, key: &str) -> Option<String> {
    text(lang, key).map(|t| t.strip_suffix('.').map(str::to_owned).unwrap_or(t))
}

/// `cmd` (the whole tree below it) with its help in `lang`.
pub fn localize(cmd: Command, lang: Lang) -> Command {
    let mut cmd = at(cmd, "cli", lang);
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

fn at(mut cmd: Command, path: &str, lang: Lang) -> Command {
    if let Some(about) = line(lang, &format!("{path}-about")) {
        cmd = cmd.about(about);
    }
    if let Some(after) = text(lang, &format!("{path}-after")) {
        cmd = cmd.after_help(after);
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().as_str().to_owned())
        .collect();
    for id in ids {
        if let Some(help) = line(lang, &format!("{path}-arg-{}", id.replace('_', "-"))) {
            cmd = cmd.mut_arg(id.as_str(), |a| a.help(help));
        }
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
        cmd = cmd.mut_subcommand(name.as_str(), |s| at(s, &sub_path, lang));
    }
    cmd
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
                assert_eq!(
                    a.get_help().map(ToString::to_string),
                    line(lang, &key),
                    "{lang}: {id}"
                );
            }
            for s in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
                let key = format!("cli-{}-about", s.get_name());
                assert!(i18n::has(lang, &key), "{lang}: {key}");
            }
        }
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
