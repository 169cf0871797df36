//! `vakt import …`: bulk imports.

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use vakt_core::audit::{Actor, AuditCtx};
use vakt_core::directory::validate_people_csv;
use vakt_store::ImportMode;
use vakt_web::Lang;
use vakt_web::directory::import::problem_message;

use crate::config::Config;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import people from a CSV file; idempotent on employee number. Every row is validated first and each
    /// bad row is reported with its line number; nothing is written when a row is bad unless --skip-invalid.
    /// Exit status 1 when rows are bad (and nothing was written), 0 otherwise.
    People(PeopleArgs),
}

#[derive(Args)]
pub struct PeopleArgs {
    /// The CSV file (UTF-8, header row; columns: employee_number, given_name, family_name, email, kind,
    /// unit_code, manager_employee_number, state, start_date, end_date, birth_date, language).
    pub file: PathBuf,
    /// Tenant slug; may be left out when the installation has exactly one tenant.
    #[arg(long, value_name = "SLUG")]
    pub tenant: Option<String>,
    /// Import the good rows and skip the bad ones (still listed) instead of importing nothing.
    #[arg(long)]
    pub skip_invalid: bool,
}

pub async fn run(config: &Config, cmd: ImportCommand) -> anyhow::Result<i32> {
    let ImportCommand::People(args) = cmd;
    let db = super::open_migrated(config).await?;
    let tenant = super::pick_tenant(&db, args.tenant.as_deref()).await?;
    let data = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let ctx = db.import_context(tenant.id).await?;
    let plan = validate_people_csv(&data, &ctx);
    let lang = Lang::En;
    for e in &plan.errors {
        eprintln!("{}: {}", args.file.display(), problem_message(lang, e));
    }
    let bad = plan.bad_lines();
    if !plan.is_clean() && !args.skip_invalid {
        eprintln!("{}", vakt_web::t(lang, "import-nothing-written", &[]));
        return Ok(1);
    }
    let actor = AuditCtx::new(tenant.id, Actor::system("cli-import"));
    let mut tx = db.write(&actor).await?;
    let mode = if args.skip_invalid {
        ImportMode::SkipInvalid
    } else {
        ImportMode::AllOrNothing
    };
    let outcome = tx.apply_import(&plan, mode).await?;
    tx.commit().await?;
    db.refresh_statistics().await?;
    println!(
        "{}",
        vakt_web::t(
            lang,
            "import-done",
            &[
                ("created", outcome.created.into()),
                ("updated", outcome.updated.into()),
                ("unchanged", outcome.unchanged.into()),
            ]
        )
    );
    if !bad.is_empty() {
        let lines: Vec<String> = bad.iter().map(u64::to_string).collect();
        println!(
            "{} ({})",
            vakt_web::t(lang, "import-skipped", &[("count", bad.len().into())]),
            lines.join(", ")
        );
    }
    db.close().await;
    Ok(0)
}
