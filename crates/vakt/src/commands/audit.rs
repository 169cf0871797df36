//! `vakt audit …`: verify the tamper-evident chain; purge events past retention.

use clap::Subcommand;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every tenant's audit chain; exits non-zero naming the first event that does not fit.
    Verify,
    /// Delete events older than their class's retention period (except under legal hold), leaving a checkpoint.
    Purge,
}

pub async fn run(config: &crate::config::Config, cmd: AuditCommand) -> anyhow::Result<i32> {
    let _ = (config, cmd);
    anyhow::bail!("not wired yet")
}
