//! The one Vakt binary. Subcommands are wired here; their work lives in the library crates.
//! (Owned by the platform work; the `scan` arm belongs to the scanner work.)

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "vakt", version, about = "Information-security and privacy management for Nordic municipalities")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Find national ID numbers and special-category personal data in files, mail, calendars and archives.
    Scan(vakt_scan::cli::ScanArgs),
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Scan(args) => vakt_scan::cli::run(args),
    };
    std::process::exit(code);
}
