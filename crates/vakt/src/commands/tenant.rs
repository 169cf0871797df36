//! `vakt tenant …`: create and list tenants (a single install has one, a hosted install many).

use anyhow::bail;
use clap::{Args, Subcommand};
use vakt_core::Country;
use vakt_core::audit::Actor;
use vakt_store::NewTenant;

use crate::config::Config;

#[derive(Subcommand)]
pub enum TenantCommand {
    /// Create a tenant (a municipality) with its country's preset settings.
    Create(CreateArgs),
    /// List the tenants.
    List,
}

#[derive(Args)]
pub struct CreateArgs {
    /// Short URL-safe name: 2–63 characters of a-z, 0-9 and inner dashes.
    pub slug: String,
    /// The municipality's name.
    #[arg(long)]
    pub name: String,
    /// Country preset: no, se or dk.
    #[arg(long, default_value = "no")]
    pub country: String,
}

pub async fn run(config: &Config, cmd: TenantCommand) -> anyhow::Result<i32> {
    let db = super::open_migrated(config).await?;
    match cmd {
        TenantCommand::Create(args) => {
            let Some(country) = Country::parse(&args.country) else {
                bail!("unknown country \"{}\": use no, se or dk", args.country);
            };
            let t = db
                .create_tenant(
                    &Actor::system("cli"),
                    NewTenant {
                        slug: args.slug,
                        name: args.name,
                        country,
                        default_language: None,
                        time_zone: None,
                    },
                )
                .await?;
            println!("Created tenant {} ({}), id {}", t.name, t.slug, t.id);
        }
        TenantCommand::List => {
            for t in db.tenants().await? {
                println!("{}\t{}\t{}\t{}", t.slug, t.name, t.country.as_str(), t.id);
            }
        }
    }
    db.close().await;
    Ok(0)
}
