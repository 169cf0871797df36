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
        Env {
            dir: tempfile::tempdir().expect("tempdir"),
            database_url: None,
            pg_admin: None,
        }
    }

    /// A uniquely named PostgreSQL database, or `None` when `VAKT_TEST_POSTGRES_URL` is not set.
    pub fn postgres() -> Option<Env> {
        let admin = std::env::var("VAKT_TEST_POSTGRES_URL").ok()?;
        let name = format!("vakt_cli_{}", uuid_like());
        psql(&admin, &format!("CREATE DATABASE {name}"));
        let base = admin
            .rsplit_once('/')
            .map_or(admin.as_str(), |(b, _)| b)
            .to_owned();
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
        cmd.env_remove("VAKT_DATABASE_URL")
            .env_remove("VAKT_CONFIG")
            .env_remove("VAKT_SECRET_KEY")
            .env_remove("VAKT_SECRET_KEY_FILE")
            .env("VAKT_LOG", "warn");
        if let Some(url) = &self.database_url {
            cmd.env("VAKT_DATABASE_URL", url);
        }
        if let Some(input) = stdin {
            use std::io::Write;
            cmd.stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped());
            let mut child = cmd.spawn().expect("spawn vakt");
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("write stdin");
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
            psql(
                admin,
                &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}_{}", std::process::id(), nanos)
}

fn psql(url: &str, sql: &str) {
    let out = Command::new("psql")
        .arg(url)
        .arg("-v")
        .arg("ON_ERROR_STOP=1")
        .arg("-qc")
        .arg(sql)
        .output()
        .expect("psql");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn config_example_prints_every_setting_with_its_environment_variable() {
    let env = Env::sqlite();
    let out = env.vakt(&["config", "example"]);
    assert!(out.status.success(), "{}", text(&out));
    let s = String::from_utf8_lossy(&out.stdout);
    for key in [
        "data_dir",
        "database_url",
        "listen",
        "cookie_secure",
        "jobs_poll_seconds",
    ] {
        assert!(s.contains(&format!("\n{key} = ")), "{key} missing in:\n{s}");
        assert!(
            s.contains(&format!("VAKT_{}", key.to_uppercase())),
            "{key} env missing"
        );
    }
}

#[test]
fn an_unknown_database_scheme_fails_with_a_clear_message() {
    let _env = Env::sqlite();
    let out = Command::new(env!("CARGO_BIN_EXE_vakt"))
        .args(["migrate"])
        .env("VAKT_DATABASE_URL", "mysql://root:pw@localhost/vakt")
        .output()
        .expect("run");
    assert!(!out.status.success());
    let msg = text(&out);
    assert!(
        msg.contains("unknown database URL scheme \"mysql:\""),
        "{msg}"
    );
    assert!(!msg.contains(":pw@"), "password leaked: {msg}");
}

impl Env {
    /// One value from the database (via the `sqlite3` or `psql` command-line client).
    pub fn scalar(&self, sql: &str) -> String {
        let out = match &self.database_url {
            Some(url) => Command::new("psql")
                .arg(url)
                .args(["-XAtqc", sql])
                .output()
                .expect("psql"),
            None => Command::new("sqlite3")
                .arg(self.sqlite_file())
                .arg(sql)
                .output()
                .expect("sqlite3"),
        };
        assert!(out.status.success(), "{sql}: {}", text(&out));
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Runs a statement against the database behind Vakt's back.
    pub fn execute(&self, sql: &str) {
        let _ = self.scalar(sql);
    }

    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.vakt(args);
        assert!(out.status.success(), "vakt {args:?} failed: {}", text(&out));
        text(&out)
    }

    pub fn with_tenant(self) -> Env {
        self.ok(&[
            "tenant",
            "create",
            "testby",
            "--name",
            "Testby kommune",
            "--country",
            "no",
        ]);
        self
    }

    pub fn write(&self, name: &str, content: &str) -> PathBuf {
        let p = self.data_dir().join(name);
        std::fs::write(&p, content).expect("write file");
        p
    }
}

const GOOD_AND_ONE_BAD: &str = "employee_number,given_name,family_name,email\n\
1001,Kari,Nordmann,kari@example.no\n\
1002,Ola,Hansen,not-an-email\n\
1003,Per,Berg,per@example.no\n";

fn engines() -> Vec<Env> {
    let mut v = vec![Env::sqlite()];
    v.extend(Env::postgres());
    v
}

#[test]
fn migrate_creates_the_schema_and_is_idempotent() {
    for env in engines() {
        env.ok(&["migrate"]);
        env.ok(&["migrate"]);
        assert_eq!(env.scalar("SELECT COUNT(*) FROM tenants"), "0");
    }
}

#[test]
fn an_import_with_one_bad_row_writes_nothing_and_names_the_row() {
    for env in engines() {
        let env = env.with_tenant();
        let file = env.write("people.csv", GOOD_AND_ONE_BAD);
        let out = env.vakt(&["import", "people", file.to_str().expect("utf-8 path")]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let msg = text(&out);
        assert!(
            msg.contains("Line 3, column “email”: Not a valid e-mail address."),
            "{msg}"
        );
        assert!(!msg.contains("Line 2") && !msg.contains("Line 4"), "{msg}");
        assert!(msg.contains("Nothing was imported"), "{msg}");
        assert_eq!(env.scalar("SELECT COUNT(*) FROM people"), "0");
    }
}

#[test]
fn skip_invalid_imports_the_good_rows_and_says_which_were_skipped() {
    for env in engines() {
        let env = env.with_tenant();
        let file = env.write("people.csv", GOOD_AND_ONE_BAD);
        let out = env.vakt(&[
            "import",
            "people",
            file.to_str().expect("utf-8 path"),
            "--skip-invalid",
        ]);
        assert!(out.status.success(), "{}", text(&out));
        let msg = text(&out);
        assert!(msg.contains("2 created, 0 updated, 0 unchanged."), "{msg}");
        assert!(msg.contains("One bad row was skipped. (3)"), "{msg}");
        assert_eq!(env.scalar("SELECT COUNT(*) FROM people"), "2");
    }
}

#[test]
fn importing_the_same_file_twice_changes_nothing_the_second_time() {
    for env in engines() {
        let env = env.with_tenant();
        let file = env.write(
            "people.csv",
            "employee_number;given_name;family_name\n7;Åse;Ødegård\n8;Bjørn;Lie\n",
        );
        let path = file.to_str().expect("utf-8 path");
        assert!(env.ok(&["import", "people", path]).contains("2 created"));
        let again = env.ok(&["import", "people", path]);
        assert!(
            again.contains("0 created, 0 updated, 2 unchanged."),
            "{again}"
        );
        let changed = env.write(
            "people2.csv",
            "employee_number;given_name;family_name\n7;Åse;Ødegård-Berg\n8;Bjørn;Lie\n",
        );
        let third = env.ok(&["import", "people", changed.to_str().expect("utf-8 path")]);
        assert!(
            third.contains("0 created, 1 updated, 1 unchanged."),
            "{third}"
        );
        assert_eq!(env.scalar("SELECT COUNT(*) FROM people"), "2");
    }
}

#[test]
fn an_untouched_audit_chain_verifies() {
    for env in engines() {
        let env = env.with_tenant();
        let file = env.write(
            "people.csv",
            "employee_number,given_name,family_name\n1,A,B\n",
        );
        env.ok(&["import", "people", file.to_str().expect("utf-8 path")]);
        let out = env.ok(&["audit", "verify"]);
        assert!(out.contains("ok: tenant testby"), "{out}");
    }
}

#[test]
fn changing_one_byte_of_one_audit_event_fails_verify_naming_that_event() {
    for env in engines() {
        let env = env.with_tenant();
        let file = env.write(
            "people.csv",
            "employee_number,given_name,family_name\n1,Anna,Berg\n2,Carl,Dahl\n",
        );
        env.ok(&["import", "people", file.to_str().expect("utf-8 path")]);
        let max: i64 = env
            .scalar("SELECT MAX(seq) FROM audit_events")
            .parse()
            .expect("seq");
        assert!(max >= 2, "expected several events, got {max}");
        // Change one byte of the action of the second event ("x" for its first character).
        env.execute("UPDATE audit_events SET action = 'x' || substr(action, 2) WHERE seq = 2");
        let listing = env.ok(&["tenant", "list"]);
        let tenant_id = listing
            .split_whitespace()
            .last()
            .expect("tenant id")
            .to_owned();
        let out = env.vakt(&["audit", "verify"]);
        assert_eq!(out.status.code(), Some(1), "{}", text(&out));
        let msg = text(&out);
        assert!(msg.contains("event seq 2"), "{msg}");
        assert!(
            msg.to_lowercase().contains(&tenant_id.to_lowercase()),
            "{msg}"
        );
    }
}

#[test]
fn a_purge_followed_by_verify_still_passes() {
    for env in engines() {
        let env = env.with_tenant();
        let file = env.write(
            "people.csv",
            "employee_number,given_name,family_name\n1,Anna,Berg\n",
        );
        env.ok(&["import", "people", file.to_str().expect("utf-8 path")]);
        let purge = env.ok(&["audit", "purge"]);
        assert!(purge.contains("tenant testby"), "{purge}");
        let verify = env.ok(&["audit", "verify"]);
        assert!(verify.contains("ok: tenant testby"), "{verify}");
    }
}

#[test]
fn two_factor_secrets_are_sealed_with_a_key_kept_outside_the_database() {
    for env in engines() {
        env.ok(&["demo", "--seed-only"]);
        let key_file = env.data_dir().join("secret.key");
        let key = std::fs::read_to_string(&key_file).expect("the key file is made");
        assert_eq!(key.trim().len(), 64, "{key}");
        assert!(key.trim().bytes().all(|b| b.is_ascii_hexdigit()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&key_file)
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(
                mode & 0o077,
                0,
                "the key file is readable by others: {mode:o}"
            );
        }
        let sealed: i64 = env
            .scalar("SELECT COUNT(*) FROM accounts WHERE totp_secret LIKE 'v1.%'")
            .parse()
            .expect("count");
        assert!(sealed > 0, "the demo accounts have TOTP enrolled");
        assert_eq!(
            env.scalar(
                "SELECT COUNT(*) FROM accounts WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1.%'"
            ),
            "0"
        );
        // The same key opens them again; the file is kept.
        env.ok(&["migrate"]);
        assert_eq!(std::fs::read_to_string(&key_file).expect("key"), key);
        // Another key: a clear refusal, nothing changed.
        std::fs::write(&key_file, format!("{}\n", "ab".repeat(32))).expect("write key");
        let out = env.vakt(&["migrate"]);
        assert!(!out.status.success());
        let msg = text(&out);
        assert!(msg.contains("secret key"), "{msg}");
        std::fs::write(&key_file, &key).expect("restore key");
        env.ok(&["migrate"]);
        // A malformed key in the environment is a configuration error.
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_vakt"));
        cmd.arg("--data-dir").arg(env.data_dir()).arg("migrate");
        cmd.env_remove("VAKT_DATABASE_URL")
            .env("VAKT_SECRET_KEY", "not-hex");
        if let Some(url) = &env.database_url {
            cmd.env("VAKT_DATABASE_URL", url);
        }
        let out = cmd.output().expect("run vakt");
        assert!(!out.status.success());
        let msg = text(&out);
        assert!(
            msg.contains("secret_key") && msg.contains("64 hexadecimal digits"),
            "{msg}"
        );
        assert!(!msg.contains("not-hex"), "the secret is echoed: {msg}");
    }
}
