//! `vakt serve`.

use crate::config::Config;

pub async fn serve(config: &Config, demo: bool) -> anyhow::Result<i32> {
    let _ = (config, demo);
    anyhow::bail!("not wired yet")
}
