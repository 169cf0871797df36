//! `vakt serve`: migrate, optionally seed the demo, run the job worker and the web server.

use anyhow::Context;
use tokio::sync::watch;

use crate::config::Config;

pub async fn serve(config: &Config, demo: bool) -> anyhow::Result<i32> {
    let db = super::open_migrated(config).await?;
    if demo && db.tenants().await?.is_empty() {
        let creds = super::demo::seed(&db, super::demo::DEFAULT_PEOPLE, true).await?;
        super::demo::print_credentials(config, &creds);
    }
    run_server(config, db).await
}

/// Serves until Ctrl-C / SIGTERM, with the job worker when enabled.
pub async fn run_server(config: &Config, db: vakt_store::Db) -> anyhow::Result<i32> {
    let state = super::app_state(config, db.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let worker = config.jobs_enabled.then(|| {
        tokio::spawn(vakt_web::jobs::run(
            state.clone(),
            std::time::Duration::from_secs(config.jobs_poll_seconds),
            stop_rx.clone(),
        ))
    });
    println!("Vakt is listening on http://{addr}/");
    let mut stop_rx2 = stop_rx.clone();
    let shutdown = async move {
        let _ = stop_rx2.changed().await;
    };
    let server = tokio::spawn(vakt_web::serve(listener, state, shutdown));
    shutdown_signal().await;
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    server.await.context("server task")?.context("server")?;
    if let Some(w) = worker {
        let _ = w.await;
    }
    db.close().await;
    Ok(0)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}
