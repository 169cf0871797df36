//! Platform commands: configuration, migrate, user, import, audit.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh data directory and database for one test; PostgreSQL when `pg` is set.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub database_url: Option<String>,
    pg_admin: Option<(String, String)>,
}

impl Env {
    pub fn sqlite() -> Env {
        Env { dir: tempfile::tempdir().expect("tempdir"), database_url: None, pg_admin: None }
    }

    /// A uniquely named PostgreSQL database, or `None` when `VAKT_TEST_POSTGRES_URL` is not set.
    pub fn postgres() -> Option<Env> {
        let admin = std::env::var("VAKT_TEST_POSTGRES_URL").ok()?;
        let name = format!("vakt_cli_{}", uuid_like());
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b).to_owned();
        Some(Env {
            dir: tempfile::tempdir().expect("tempdir"),
            database_url: Some(format!("{base}/{name}")),
            pg_admin: Some((admin, name)),
        })
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn vakt(&self, args: &[&str]) -> Output {
        self.vakt_stdin(args, None)
    }

    pub fn vakt_stdin(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vakt"));
        cmd.arg("--data-dir").arg(self.data_dir()).args(args);
        cmd.env_remove("VAKT_DATABASE_URL").env_remove("VAKT_CONFIG").env("VAKT_LOG", "warn");
        if let Some(url) = &self.database_url {
            cmd.env("VAKT_DATABASE_URL", url);
        }
        if let Some(input) = stdin {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("spawn vakt");
            child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
            return child.wait_with_output().expect("wait");
        }
        cmd.output().expect("run vakt")
    }

    pub fn sqlite_file(&self) -> PathBuf {
        self.data_dir().join("vakt.db")
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_admin {
            psql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos)
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql").arg(url).arg("-v").arg("ON_ERROR_STOP=1").arg("-qc").arg(sql).output().expect("psql");
    assert!(out.status.success(), "psql {sql}: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

#[test]
fn config_example_prints_every_setting_with_its_environment_variable() {
    let env = Env::sqlite();
    let out = env.vakt(&["config", "example"]);
    assert!(out.status.success(), "{}", text(&out));
    let s = String::from_utf8_lossy(&out.stdout);
    for key in ["data_dir", "database_url", "listen", "cookie_secure", "jobs_poll_seconds"] {
        assert!(s.contains(&format!("\n{key} = ")), "{key} missing in:\n{s}");
        assert!(s.contains(&format!("VAKT_{}", key.to_uppercase())), "{key} env missing");
    }
}

#[test]
fn an_unknown_database_scheme_fails_with_a_clear_message() {
    let env = Env::sqlite();
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args(["migrate"])
        .env("VAKT_DATABASE_URL", "mysql://root:pw@localhost/vakt")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(msg.contains("unknown database URL scheme \"mysql:\""), "{msg}");
    assert!(!msg.contains(":pw@"), "password leaked: {msg}");
}
