//! `vakt import …`: bulk imports.

use std::path::PathBuf;

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import people from a CSV file; idempotent on employee number. Every row is validated first and each
    /// bad row is reported with its line number; nothing is written when a row is bad unless --skip-invalid.
    People(PeopleArgs),
}

#[derive(Args)]
pub struct PeopleArgs {
    /// The CSV file (UTF-8, header row; see `docs/import.md` for the columns).
    pub file: PathBuf,
    /// Tenant slug; may be left out when the installation has exactly one tenant.
    #[arg(long, value_name = "SLUG")]
    pub tenant: Option<String>,
    /// Import the good rows and skip the bad ones (still listed) instead of importing nothing.
    #[arg(long)]
    pub skip_invalid: bool,
}

pub async fn run(config: &crate::config::Config, cmd: ImportCommand) -> anyhow::Result<i32> {
    let _ = (config, cmd);
    anyhow::bail!("not wired yet")
}
