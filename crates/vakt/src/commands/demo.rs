//! `vakt demo`.

use crate::config::Config;

pub async fn run(config: &Config, people: u32) -> anyhow::Result<i32> {
    let _ = (config, people);
    anyhow::bail!("not wired yet")
}
