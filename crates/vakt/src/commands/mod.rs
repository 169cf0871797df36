//! The subcommands that work on the database.

pub mod audit;
pub mod demo;
pub mod import;
pub mod serve;
pub mod user;

use crate::config::Config;

/// `vakt migrate`: apply pending migrations.
pub async fn migrate(config: &Config) -> anyhow::Result<i32> {
    let _ = config;
    anyhow::bail!("not wired yet")
}
