//! `vakt audit …`: verify the tamper-evident chain; purge events past retention.

use clap::Subcommand;

use crate::config::Config;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check every tenant's audit chain; exits non-zero naming the first event that does not fit.
    Verify,
    /// Delete events older than their class's retention period (except under legal hold), leaving a checkpoint.
    Purge,
}

pub async fn run(config: &Config, cmd: AuditCommand) -> anyhow::Result<i32> {
    let db = super::open_migrated(config).await?;
    let tenants = db.tenants().await?;
    let slug_of = |id| {
        tenants
            .iter()
            .find(|t| t.id == id)
            .map_or_else(|| "?".to_owned(), |t| t.slug.clone())
    };
    let code = match cmd {
        AuditCommand::Verify => {
            let mut code = 0;
            for tenant in db.audit_tenants().await? {
                match db.verify_audit(tenant).await? {
                    Ok(report) => println!(
                        "ok: tenant {} ({tenant}): {} events verified",
                        slug_of(tenant),
                        report.events
                    ),
                    Err(b) => {
                        println!(
                            "FAILED: tenant {} ({tenant}): event seq {} (id {tenant}/{}) does not fit the chain: {}",
                            slug_of(tenant),
                            b.seq,
                            b.seq,
                            b.reason.code()
                        );
                        code = 1;
                        break;
                    }
                }
            }
            code
        }
        AuditCommand::Purge => {
            let st = super::app_state(config, db.clone());
            let mut code = 0;
            for tenant in db.audit_tenants().await? {
                match vakt_web::jobs::purge_tenant(&st, tenant).await {
                    Ok(out) => println!(
                        "tenant {} ({tenant}): {} events purged, {} removed from the start of the chain",
                        slug_of(tenant),
                        out.redacted,
                        out.deleted
                    ),
                    Err(e) => {
                        eprintln!("tenant {} ({tenant}): purge failed: {e}", slug_of(tenant));
                        code = 1;
                    }
                }
            }
            code
        }
    };
    db.close().await;
    Ok(code)
}
