//! The subcommands that work on the database.

pub mod audit;
pub mod demo;
pub mod demo_deviations;
pub mod demo_instructions;
pub mod demo_training;
pub mod help;
pub mod import;
pub mod scan;
pub mod serve;
pub mod tenant;
pub mod user;

use anyhow::{Context, bail};
use vakt_core::directory::Tenant;
use vakt_store::{Db, OpenOptions};

use crate::config::{Config, prepare_database, redact_url};

/// Opens the configured database (creating the SQLite file and its directory when needed).
pub async fn open(config: &Config) -> anyhow::Result<Db> {
    let url = prepare_database(config)?;
    let opts = OpenOptions {
        max_connections: Some(config.database_max_connections),
        secret_key: Some(config.secret_key()?),
        ..OpenOptions::default()
    };
    Db::open_with(&url, opts)
        .await
        .with_context(|| format!("cannot open the database {}", redact_url(&url)))
}

/// Opens the database and applies pending migrations.
pub async fn open_migrated(config: &Config) -> anyhow::Result<Db> {
    let db = open(config).await?;
    db.migrate()
        .await
        .context("cannot apply database migrations")?;
    Ok(db)
}

/// `vakt migrate`: apply pending migrations.
pub async fn migrate(config: &Config) -> anyhow::Result<i32> {
    let db = open_migrated(config).await?;
    println!(
        "Database {} is up to date.",
        redact_url(&config.database_url())
    );
    db.close().await;
    Ok(0)
}

/// The tenant a command works on: the one named by `--tenant`, or the only one.
pub async fn pick_tenant(db: &Db, slug: Option<&str>) -> anyhow::Result<Tenant> {
    if let Some(slug) = slug {
        return match db.tenant_by_slug(slug).await? {
            Some(t) => Ok(t),
            None => bail!("no tenant with the slug \"{slug}\""),
        };
    }
    let mut all = db.tenants().await?;
    match all.len() {
        0 => bail!("the database has no tenant yet (create one with `vakt demo` or the API)"),
        1 => Ok(all.remove(0)),
        _ => {
            let slugs: Vec<String> = all.iter().map(|t| t.slug.clone()).collect();
            bail!(
                "there are several tenants; choose one with --tenant ({})",
                slugs.join(", ")
            )
        }
    }
}

/// The web layer's state for commands that reuse its operations.
pub fn app_state(config: &Config, db: Db) -> vakt_web::AppState {
    vakt_web::AppState::new(
        db,
        web_config(config),
        std::sync::Arc::new(vakt_core::clock::SystemClock),
    )
}

/// The web layer's part of the configuration.
pub fn web_config(config: &Config) -> vakt_web::WebConfig {
    vakt_web::WebConfig {
        secure_cookies: config.cookie_secure,
        mail: config.mail(),
        reminders: config.reminders(),
        webhook_allow_http: config.webhook_allow_http,
        webhook_allow_private: config.webhook_allow_private,
        ..vakt_web::WebConfig::default()
    }
}
