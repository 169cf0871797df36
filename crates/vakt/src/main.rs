//! The one Vakt binary. Subcommands are wired here; their work lives in the library crates.
//! (Owned by the platform work; the `scan` arm belongs to the scanner work.)

mod commands;
mod config;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "vakt",
    version,
    about = "Information-security and privacy management for Nordic municipalities"
)]
struct Cli {
    /// Directory for the embedded database and local state [default: ./vakt-data; env: VAKT_DATA_DIR]
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// TOML configuration file (see `vakt config example`) [env: VAKT_CONFIG]
    #[arg(long, global = true, value_name = "FILE", env = "VAKT_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find national ID numbers and special-category personal data in files, mail, calendars and archives.
    Scan(Box<vakt_scan::cli::ScanArgs>),
    /// Run the web server (applies pending database migrations first).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Create and list tenants (municipalities).
    #[command(subcommand)]
    Tenant(commands::tenant::TenantCommand),
    /// Manage local accounts: create, reset password, disable, enable, unlock, reset two-factor.
    #[command(subcommand)]
    User(commands::user::UserCommand),
    /// Import data from files.
    #[command(subcommand)]
    Import(commands::import::ImportCommand),
    /// Verify the tamper-evident audit chain, or purge events past their retention period.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Create a demo municipality (people, units, one account per role), print its sign-in details and serve it.
    Demo(DemoArgs),
    /// Show configuration help.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080; env: VAKT_LISTEN]
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Seed the demo municipality first when the database holds no tenant yet.
    #[arg(long)]
    demo: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// Address to listen on [default: 127.0.0.1:8080; env: VAKT_LISTEN]
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
    /// Number of people in the demo municipality (50000 builds a large one for benchmarks).
    #[arg(long, default_value_t = 200, value_name = "N")]
    people: u32,
    /// Do not enrol the demo accounts in two-factor sign-in, and do not require it in the demo tenant.
    #[arg(long)]
    no_totp: bool,
    /// Create the demo data and exit instead of serving.
    #[arg(long)]
    seed_only: bool,
    /// Number of instructions (the written demo ones plus synthetic ones up to N; for benchmarks).
    #[arg(long, default_value_t = 0, value_name = "N")]
    instructions: u32,
    /// About this many acknowledgments (for benchmarks; default: a realistic share signed).
    #[arg(long, value_name = "N")]
    acks: Option<u64>,
    /// Add this many synthetic deviation cases in bulk (for benchmarks; e.g. 200000).
    #[arg(long, default_value_t = 0, value_name = "N")]
    cases: u64,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented example configuration file with every setting at its default.
    Example,
    /// Load the configuration (file + environment), check it and print it with secrets redacted.
    Check,
    /// Print the Markdown table of every setting (the one in docs/configuration.md).
    Table,
}

/// The command line as clap knows it (before its help is put in the user's language).
pub(crate) fn cli_command() -> clap::Command {
    Cli::command()
}

fn main() {
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // Parsed as is first: the help's words (the Fluent bundles) are only loaded when clap has
    // something to show (help, version, a usage error), not in every run (a scan starts a process
    // per PDF).
    let matches = cli_command()
        .try_get_matches_from(&argv)
        .unwrap_or_else(|_| {
            let lossy: Vec<String> = argv
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let lang = commands::help::language(&lossy);
            commands::help::set_error_language(lang);
            commands::help::localize(cli_command(), lang)
                .try_get_matches_from(&argv)
                .unwrap_or_else(|e| e.apply::<commands::help::Localized>().exit())
        });
    let cli = Cli::from_arg_matches(&matches)
        .unwrap_or_else(|e| e.apply::<commands::help::Localized>().exit());
    let code = match cli.command {
        Command::Scan(args) => {
            let lang = commands::scan::language(args.lang.as_deref(), |k| std::env::var(k).ok());
            vakt_scan::cli::run(*args, &commands::scan::FluentText(lang))
        }
        other => match run(other, cli.data_dir, cli.config) {
            Ok(code) => code,
            Err(err) => {
                eprintln!("error: {err:#}");
                1
            }
        },
    };
    std::process::exit(code);
}

fn run(
    command: Command,
    data_dir: Option<PathBuf>,
    config_file: Option<PathBuf>,
) -> anyhow::Result<i32> {
    if let Command::Config(ConfigCommand::Example) = command {
        print!("{}", config::example_toml());
        return Ok(0);
    }
    if let Command::Config(ConfigCommand::Table) = command {
        print!("{}", config::settings_table());
        return Ok(0);
    }
    let mut cfg = config::Config::load(config_file.as_deref())?;
    if let Some(dir) = data_dir {
        cfg.data_dir = dir;
    }
    init_tracing(&cfg.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        match command {
            Command::Scan(_) | Command::Config(ConfigCommand::Example | ConfigCommand::Table) => {
                unreachable_command()
            }
            Command::Config(ConfigCommand::Check) => {
                cfg.engine()?;
                println!("{cfg:#?}");
                Ok(0)
            }
            Command::Serve(args) => {
                if let Some(listen) = args.listen {
                    cfg.listen = listen;
                }
                commands::serve::serve(&cfg, args.demo).await
            }
            Command::Migrate => commands::migrate(&cfg).await,
            Command::Tenant(cmd) => commands::tenant::run(&cfg, cmd).await,
            Command::User(cmd) => commands::user::run(&cfg, cmd).await,
            Command::Import(cmd) => commands::import::run(&cfg, cmd).await,
            Command::Audit(cmd) => commands::audit::run(&cfg, cmd).await,
            Command::Demo(args) => {
                if let Some(listen) = args.listen {
                    cfg.listen = listen;
                }
                commands::demo::run(
                    &cfg,
                    args.people,
                    !args.no_totp,
                    args.seed_only,
                    commands::demo_instructions::InstructionDemo {
                        instructions: args.instructions,
                        acks: args.acks,
                    },
                    args.cases,
                )
                .await
            }
        }
    })
}

fn unreachable_command() -> anyhow::Result<i32> {
    anyhow::bail!("internal error: command dispatched twice")
}

fn init_tracing(default_filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(default_filter))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
