//! `vakt user …`: operator recovery and account management from the command line.

use std::io::Read;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use vakt_core::Role;
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::auth::{hash_password, token::new_token};
use vakt_store::{Account, Db, NewAccount};

use crate::config::Config;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a local account (prints a generated password unless --password-stdin is given).
    Create(CreateArgs),
    /// Set a new password (prints a generated one unless --password-stdin is given); it must be changed at
    /// the next sign-in, and the account's sessions end.
    ResetPassword(Target),
    /// Disable an account: it can no longer sign in, and its sessions end.
    Disable(Target),
    /// Enable a disabled account again.
    Enable(Target),
    /// Clear the lockout after failed sign-ins.
    Unlock(Target),
    /// Remove the account's two-factor enrolment, so that it enrols again at the next sign-in.
    ResetMfa(Target),
    /// Create a personal API token for the account and print it (it is shown only this once).
    CreateToken(TokenArgs),
}

#[derive(Args)]
pub struct Target {
    /// The account's user name.
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
    /// Role to grant (repeatable): employee, security_coordinator, dpo, it_operations, auditor,
    /// tenant_admin, host_admin. Leaders are not a stored role: they follow from leading a unit.
    #[arg(long = "role", value_name = "ROLE")]
    pub roles: Vec<String>,
    /// Link the account to the person with this employee number.
    #[arg(long, value_name = "NUMBER")]
    pub employee_number: Option<String>,
    /// Read the password from standard input instead of generating one.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Args)]
pub struct TokenArgs {
    /// The account's user name.
    pub username: String,
    /// Tenant slug; may be left out when the installation has exactly one tenant.
    #[arg(long, value_name = "SLUG")]
    pub tenant: Option<String>,
    /// A name for the token, to recognise it later.
    #[arg(long, default_value = "cli")]
    pub name: String,
}

/// Parses a role name as the CLI accepts it.
pub fn parse_role(s: &str) -> anyhow::Result<Role> {
    let r = match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
        "employee" => Role::Employee,
        "security_coordinator" | "coordinator" => Role::SecurityCoordinator,
        "dpo" => Role::Dpo,
        "it_operations" | "it" => Role::ItOperations,
        "auditor" => Role::Auditor,
        "tenant_admin" | "admin" => Role::TenantAdmin,
        "host_admin" => Role::HostAdmin,
        "leader" => {
            bail!("\"leader\" is not a stored role: make the person the leader of a unit instead")
        }
        other => bail!("unknown role \"{other}\""),
    };
    Ok(r)
}

/// A random password of 20 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..20)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

fn read_password() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("cannot read the password from standard input")?;
    let p = s.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        bail!("the password on standard input is empty");
    }
    Ok(p)
}

async fn find(db: &Db, tenant: Option<&str>, username: &str) -> anyhow::Result<Account> {
    let t = super::pick_tenant(db, tenant).await?;
    match db.account_by_username(t.id, username).await? {
        Some(a) => Ok(a),
        None => bail!("no account \"{username}\" in tenant {}", t.slug),
    }
}

fn ctx(account: &Account) -> AuditCtx {
    AuditCtx::new(account.tenant, Actor::system("cli"))
}

pub async fn run(config: &Config, cmd: UserCommand) -> anyhow::Result<i32> {
    let db = super::open_migrated(config).await?;
    match cmd {
        UserCommand::Create(args) => {
            let tenant = super::pick_tenant(&db, args.tenant.as_deref()).await?;
            let mut roles = vec![Role::Employee];
            for r in &args.roles {
                let role = parse_role(r)?;
                if !roles.contains(&role) {
                    roles.push(role);
                }
            }
            let person = match &args.employee_number {
                Some(n) => match db.person_by_employee_number(tenant.id, n).await? {
                    Some(p) => Some(p.id),
                    None => bail!(
                        "no person with employee number \"{n}\" in tenant {}",
                        tenant.slug
                    ),
                },
                None => None,
            };
            let (password, generated) = if args.password_stdin {
                (read_password()?, false)
            } else {
                (generate_password(), true)
            };
            let hash = hash_password(&password)
                .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
            let mut tx = db
                .write(&AuditCtx::new(tenant.id, Actor::system("cli")))
                .await?;
            let acc = tx
                .create_account(NewAccount {
                    username: args.username.clone(),
                    email: args.username.contains('@').then(|| args.username.clone()),
                    person,
                    password_hash: hash,
                    roles,
                    must_change_password: generated,
                })
                .await?;
            tx.commit().await?;
            println!(
                "Created account {} in tenant {} (id {}).",
                acc.username, tenant.slug, acc.id
            );
            if generated {
                println!("Password: {password}");
                println!("The password must be changed at the first sign-in.");
            }
        }
        UserCommand::ResetPassword(t) => {
            let acc = find(&db, t.tenant.as_deref(), &t.username).await?;
            let (password, generated) = if t.password_stdin {
                (read_password()?, false)
            } else {
                (generate_password(), true)
            };
            let hash = hash_password(&password)
                .map_err(|e| anyhow::anyhow!("cannot hash the password: {e}"))?;
            let mut tx = db.write(&ctx(&acc)).await?;
            tx.set_password(acc.id, &hash, 24, true).await?;
            tx.end_sessions_of(acc.id).await?;
            tx.commit().await?;
            println!("New password set for {}.", acc.username);
            if generated {
                println!("Password: {password}");
            }
            println!("It must be changed at the next sign-in.");
        }
        UserCommand::Disable(t) => {
            let acc = find(&db, t.tenant.as_deref(), &t.username).await?;
            let mut tx = db.write(&ctx(&acc)).await?;
            tx.set_account_disabled(acc.id, true).await?;
            tx.end_sessions_of(acc.id).await?;
            tx.commit().await?;
            println!("Disabled {}.", acc.username);
        }
        UserCommand::Enable(t) => {
            let acc = find(&db, t.tenant.as_deref(), &t.username).await?;
            let mut tx = db.write(&ctx(&acc)).await?;
            tx.set_account_disabled(acc.id, false).await?;
            tx.commit().await?;
            println!("Enabled {}.", acc.username);
        }
        UserCommand::Unlock(t) => {
            let acc = find(&db, t.tenant.as_deref(), &t.username).await?;
            let mut tx = db.write(&ctx(&acc)).await?;
            tx.unlock_account(acc.id).await?;
            tx.commit().await?;
            println!("Unlocked {}.", acc.username);
        }
        UserCommand::ResetMfa(t) => {
            let acc = find(&db, t.tenant.as_deref(), &t.username).await?;
            let mut tx = db.write(&ctx(&acc)).await?;
            tx.set_totp_secret(acc.id, None).await?;
            tx.set_recovery_codes(acc.id, &[]).await?;
            tx.end_sessions_of(acc.id).await?;
            tx.commit().await?;
            println!(
                "Two-factor sign-in of {} was reset; it enrols again at the next sign-in.",
                acc.username
            );
        }
        UserCommand::CreateToken(args) => {
            let acc = find(&db, args.tenant.as_deref(), &args.username).await?;
            let token = new_token();
            let mut tx = db.write(&ctx(&acc)).await?;
            tx.create_api_token(acc.id, &args.name, &token.hash, None)
                .await?;
            tx.commit().await?;
            println!(
                "Created API token \"{}\" for {}. It is shown only now:",
                args.name, acc.username
            );
            println!("Token: {}", token.plain);
        }
    }
    db.close().await;
    Ok(0)
}
