//! `vakt user …`: operator recovery and account management from the command line.

use clap::{Args, Subcommand};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a local account (prints a generated password unless --password-stdin is given).
    Create(CreateArgs),
    /// Set a new password (prints a generated one unless --password-stdin is given) and end all sessions.
    ResetPassword(Target),
    /// Disable an account: it can no longer sign in, and its sessions and API tokens stop working.
    Disable(Target),
    /// Enable a disabled account again.
    Enable(Target),
    /// Clear the lockout after failed sign-ins.
    Unlock(Target),
    /// Remove the account's two-factor enrolment and recovery codes, so that it enrols again at next sign-in.
    ResetMfa(Target),
}

#[derive(Args)]
pub struct Target {
    /// The account's user name (usually the e-mail address).
    pub username: String,
    /// Tenant slug; may be left out when the installation has exactly one tenant.
    #[arg(long, value_name = "SLUG")]
    pub tenant: Option<String>,
    /// Read the new password from standard input instead of generating one (reset-password only).
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Args)]
pub struct CreateArgs {
    /// The user name (usually the e-mail address).
    pub username: String,
    /// Tenant slug; may be left out when the installation has exactly one tenant.
    #[arg(long, value_name = "SLUG")]
    pub tenant: Option<String>,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// Role to grant (repeatable): employee, security_coordinator, dpo, it_operations, auditor, tenant_admin, host_admin.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Link the account to the person with this employee number.
    #[arg(long, value_name = "NUMBER")]
    pub employee_number: Option<String>,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

pub async fn run(config: &crate::config::Config, cmd: UserCommand) -> anyhow::Result<i32> {
    let _ = (config, cmd);
    anyhow::bail!("not wired yet")
}
