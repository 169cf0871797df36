//! Configuration: defaults, then a TOML file (`--config FILE`), then `VAKT_*` environment variables,
//! then command-line flags. Every setting is listed once in [`SETTINGS`]; `docs/configuration.md` and
//! `vakt config example` are generated from that list, and tests keep the three from drifting apart.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

/// The prefix of every environment variable Vakt reads.
pub const ENV_PREFIX: &str = "VAKT_";

/// A value that must never appear in logs or `Debug` output.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    #[cfg(test)]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }
    /// The secret in clear, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

/// Every setting of the Vakt server. Field names are the TOML keys; `VAKT_` + the upper-cased name is
/// the environment variable.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Directory for the embedded SQLite database and other local state.
    pub data_dir: PathBuf,
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`; empty means `DATA_DIR/vakt.db`.
    pub database_url: Secret,
    /// Largest number of pooled database connections.
    pub database_max_connections: u32,
    /// The key (64 hex digits) that seals secrets at rest; empty = the key file.
    pub secret_key: Secret,
    /// File holding the key; empty = `DATA_DIR/secret.key` (made on first start).
    pub secret_key_file: String,
    /// Address `vakt serve` and `vakt demo` listen on.
    pub listen: SocketAddr,
    /// Mark the session cookie `Secure`. Turn off only for plain-HTTP use on a non-local address.
    pub cookie_secure: bool,
    /// Run the background job worker in this process.
    pub jobs_enabled: bool,
    /// Seconds between polls of the job outbox.
    pub jobs_poll_seconds: u64,
    /// Log filter in `tracing` syntax, e.g. `info` or `vakt_web=debug,info`.
    pub log: String,
    /// SMTP server for outgoing mail; empty = mail stays queued.
    pub smtp_host: String,
    pub smtp_port: u16,
    /// `none`, `starttls` or `tls`.
    pub smtp_tls: String,
    pub smtp_user: String,
    pub smtp_password: Secret,
    /// Sender address of every message.
    pub smtp_from: String,
    /// Tries before a message is recorded as failed.
    pub smtp_max_attempts: u32,
    /// Hours between runs of the reminder job.
    pub reminders_run_every_hours: u32,
    /// Days before a due date the first reminder goes out.
    pub reminders_start_days_before_due: u32,
    /// Days between reminders about the same item.
    pub reminders_every_days: u32,
    /// Reminders sent before an overdue item is escalated to the leader.
    pub reminders_escalate_after: u32,
    /// Allow plain `http://` webhook addresses in tenant settings.
    pub webhook_allow_http: bool,
    /// Allow webhook addresses on private, loopback and link-local networks.
    pub webhook_allow_private: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("./vakt-data"),
            database_url: Secret::default(),
            secret_key: Secret::default(),
            secret_key_file: String::new(),
            database_max_connections: 10,
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            cookie_secure: true,
            jobs_enabled: true,
            jobs_poll_seconds: 5,
            log: "info".to_owned(),
            smtp_host: String::new(),
            smtp_port: 587,
            smtp_tls: "starttls".to_owned(),
            smtp_user: String::new(),
            smtp_password: Secret::default(),
            smtp_from: "Vakt <vakt@localhost>".to_owned(),
            smtp_max_attempts: 8,
            reminders_run_every_hours: 24,
            reminders_start_days_before_due: 7,
            reminders_every_days: 7,
            reminders_escalate_after: 2,
            webhook_allow_http: false,
            webhook_allow_private: false,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(self.database_url.expose()))
            .field("database_max_connections", &self.database_max_connections)
            .field("secret_key", &self.secret_key)
            .field("secret_key_file", &self.secret_key_file)
            .field("listen", &self.listen)
            .field("cookie_secure", &self.cookie_secure)
            .field("jobs_enabled", &self.jobs_enabled)
            .field("jobs_poll_seconds", &self.jobs_poll_seconds)
            .field("log", &self.log)
            .field("smtp_host", &self.smtp_host)
            .field("smtp_port", &self.smtp_port)
            .field("smtp_tls", &self.smtp_tls)
            .field("smtp_user", &self.smtp_user)
            .field("smtp_password", &self.smtp_password)
            .field("smtp_from", &self.smtp_from)
            .field("smtp_max_attempts", &self.smtp_max_attempts)
            .field("reminders_run_every_hours", &self.reminders_run_every_hours)
            .field(
                "reminders_start_days_before_due",
                &self.reminders_start_days_before_due,
            )
            .field("reminders_every_days", &self.reminders_every_days)
            .field("reminders_escalate_after", &self.reminders_escalate_after)
            .field("webhook_allow_http", &self.webhook_allow_http)
            .field("webhook_allow_private", &self.webhook_allow_private)
            .finish()
    }
}

/// A URL with any password (`user:password@`) replaced, safe to log.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            format!("{scheme}://{user}:[redacted]@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

/// The database engine a URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Config {
    /// Load defaults, then `file` (if any), then `VAKT_*` variables from the process environment.
    pub fn load(file: Option<&Path>) -> anyhow::Result<Self> {
        Self::figment(file, Env::prefixed(ENV_PREFIX))
    }

    fn figment(file: Option<&Path>, env: Env) -> anyhow::Result<Self> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(path) = file {
            if !path.is_file() {
                bail!("configuration file {} does not exist", path.display());
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        let keys: Vec<&'static str> = SETTINGS.iter().map(|s| s.key).collect();
        figment = figment.merge(env.only(&keys));
        let config: Config = figment
            .extract()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> anyhow::Result<()> {
        self.engine()?;
        if self.database_max_connections == 0 {
            bail!("invalid configuration: database_max_connections must be at least 1");
        }
        if self.jobs_poll_seconds == 0 {
            bail!("invalid configuration: jobs_poll_seconds must be at least 1");
        }
        if vakt_web::mail::SmtpTls::parse(&self.smtp_tls).is_none() {
            bail!(
                "invalid configuration: smtp_tls must be none, starttls or tls (not {:?})",
                self.smtp_tls
            );
        }
        if !self.smtp_host.trim().is_empty()
            && self.smtp_from.parse::<vakt_web::mail::Mailbox>().is_err()
        {
            bail!(
                "invalid configuration: smtp_from {:?} is not an e-mail address",
                self.smtp_from
            );
        }
        if self.reminders_run_every_hours == 0 || self.reminders_every_days == 0 {
            bail!(
                "invalid configuration: reminders_run_every_hours and reminders_every_days must be at least 1"
            );
        }
        Ok(())
    }

    /// The SMTP settings, when a server is configured.
    pub fn mail(&self) -> Option<vakt_web::mail::MailConfig> {
        let host = self.smtp_host.trim();
        if host.is_empty() {
            return None;
        }
        let nonempty = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        Some(vakt_web::mail::MailConfig {
            host: host.to_owned(),
            port: self.smtp_port,
            tls: vakt_web::mail::SmtpTls::parse(&self.smtp_tls).unwrap_or_default(),
            user: nonempty(self.smtp_user.trim()),
            password: nonempty(self.smtp_password.expose()),
            from: self.smtp_from.clone(),
            max_attempts: self.smtp_max_attempts.max(1),
        })
    }

    /// The reminder rhythm.
    pub fn reminders(&self) -> vakt_web::config::ReminderConfig {
        vakt_web::config::ReminderConfig {
            run_every_hours: self.reminders_run_every_hours.max(1),
            policy: vakt_core::training::ReminderPolicy {
                start_days_before_due: self.reminders_start_days_before_due,
                every_days: self.reminders_every_days.max(1),
                escalate_after: self.reminders_escalate_after,
            },
        }
    }

    /// The database URL in effect: the configured one, or a SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        let url = self.database_url.expose().trim();
        if url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("vakt.db").display())
        } else {
            url.to_owned()
        }
    }

    /// The key that seals secrets at rest (TOTP seeds): `secret_key` when set, else the key file,
    /// which is made (mode 0600, 32 random bytes as hex) when it does not exist yet.
    pub fn secret_key(&self) -> anyhow::Result<vakt_store::SecretKey> {
        let inline = self.secret_key.expose().trim();
        if !inline.is_empty() {
            return vakt_store::SecretKey::from_hex(inline)
                .map_err(|e| anyhow::anyhow!("invalid configuration: secret_key: {e}"));
        }
        let path = self.secret_key_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => vakt_store::SecretKey::from_hex(&text)
                .map_err(|e| anyhow::anyhow!("the key file {}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                let key = vakt_store::SecretKey::generate();
                let mut open = std::fs::OpenOptions::new();
                open.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt;
                    open.mode(0o600);
                }
                match open.open(&path) {
                    Ok(mut f) => {
                        use std::io::Write;
                        f.write_all(format!("{}\n", key.to_hex()).as_bytes())
                            .and_then(|()| f.sync_all())
                            .with_context(|| {
                                format!("cannot write the key file {}", path.display())
                            })?;
                        Ok(key)
                    }
                    // Another process made it first: use that one.
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                        let text = std::fs::read_to_string(&path).with_context(|| {
                            format!("cannot read the key file {}", path.display())
                        })?;
                        vakt_store::SecretKey::from_hex(&text)
                            .map_err(|e| anyhow::anyhow!("the key file {}: {e}", path.display()))
                    }
                    Err(e) => Err(anyhow::anyhow!(
                        "cannot create the key file {}: {e}",
                        path.display()
                    )),
                }
            }
            Err(e) => Err(anyhow::anyhow!(
                "cannot read the key file {}: {e}",
                path.display()
            )),
        }
    }

    /// Where the key file is.
    pub fn secret_key_path(&self) -> PathBuf {
        let f = self.secret_key_file.trim();
        if f.is_empty() {
            self.data_dir.join("secret.key")
        } else {
            PathBuf::from(f)
        }
    }

    /// Which engine the database URL selects; a clear error for any other scheme.
    pub fn engine(&self) -> anyhow::Result<Engine> {
        engine_of(&self.database_url())
    }
}

/// Which engine a database URL selects.
pub fn engine_of(url: &str) -> anyhow::Result<Engine> {
    let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("sqlite") => Ok(Engine::Sqlite),
        Some("postgres" | "postgresql") => Ok(Engine::Postgres),
        Some(other) => bail!(
            "unknown database URL scheme \"{other}:\" in {}: use sqlite://PATH or postgres://USER@HOST/DB",
            redact_url(url)
        ),
        None => bail!(
            "database URL {} has no scheme: use sqlite://PATH or postgres://USER@HOST/DB",
            redact_url(url)
        ),
    }
}

/// One row of the settings table.
pub struct SettingDoc {
    /// TOML key (and, upper-cased after `VAKT_`, the environment variable).
    pub key: &'static str,
    /// The default as it would be written in TOML, or a description when it is computed.
    pub default: &'static str,
    pub description: &'static str,
}

impl SettingDoc {
    pub fn env_var(&self) -> String {
        format!("{ENV_PREFIX}{}", self.key.to_ascii_uppercase())
    }
}

/// Every setting, in the order of the documentation.
pub const SETTINGS: &[SettingDoc] = &[
    SettingDoc {
        key: "data_dir",
        default: "\"./vakt-data\"",
        description: "Directory for the embedded SQLite database and other local state. The `--data-dir` flag overrides it.",
    },
    SettingDoc {
        key: "database_url",
        default: "\"\"",
        description: "Database to use: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DB`. Empty means the SQLite file `vakt.db` in the data directory. A secret: never logged.",
    },
    SettingDoc {
        key: "database_max_connections",
        default: "10",
        description: "Largest number of pooled database connections per process.",
    },
    SettingDoc {
        key: "secret_key",
        default: "\"\"",
        description: "The key that seals secrets the server must read back (two-factor TOTP seeds) in the database, as 64 hexadecimal digits (`openssl rand -hex 32`). Empty means the key file. Every process sharing one database needs the same key. A secret: never logged.",
    },
    SettingDoc {
        key: "secret_key_file",
        default: "\"\"",
        description: "File holding that key. Empty means `secret.key` in the data directory, made (mode 0600) on first start. Back it up apart from the database: without it, enrolled two-factor sign-ins cannot be checked and must be reset.",
    },
    SettingDoc {
        key: "listen",
        default: "\"127.0.0.1:8080\"",
        description: "Address and port `vakt serve` and `vakt demo` listen on. The `--listen` flag overrides it.",
    },
    SettingDoc {
        key: "cookie_secure",
        default: "true",
        description: "Mark the session cookie `Secure`. Browsers accept such cookies from `http://127.0.0.1` and `http://localhost`; turn it off only for plain HTTP on another address.",
    },
    SettingDoc {
        key: "jobs_enabled",
        default: "true",
        description: "Run the background job worker (daily audit purge and other outbox jobs) in this process. Jobs are claimed with row locks, so several processes may run it.",
    },
    SettingDoc {
        key: "jobs_poll_seconds",
        default: "5",
        description: "Seconds between polls of the job outbox.",
    },
    SettingDoc {
        key: "log",
        default: "\"info\"",
        description: "Log filter in `tracing` syntax, e.g. `info` or `vakt_web=debug,info`. `RUST_LOG` overrides it.",
    },
    SettingDoc {
        key: "smtp_host",
        default: "\"\"",
        description: "SMTP server for outgoing mail (reminders, escalations, notices). Empty means no server: messages stay queued in the outbox, untried, and go out once a server is configured.",
    },
    SettingDoc {
        key: "smtp_port",
        default: "587",
        description: "Port of the SMTP server (587 for STARTTLS, 465 for TLS, 25 for a local relay).",
    },
    SettingDoc {
        key: "smtp_tls",
        default: "\"starttls\"",
        description: "How the SMTP connection is protected: `starttls` (required upgrade), `tls` (TLS from the first byte) or `none` (only for a relay on the same host). Certificates are checked against the bundled web PKI roots.",
    },
    SettingDoc {
        key: "smtp_user",
        default: "\"\"",
        description: "User name for SMTP authentication; empty means no authentication.",
    },
    SettingDoc {
        key: "smtp_password",
        default: "\"\"",
        description: "Password for SMTP authentication. A secret: never logged.",
    },
    SettingDoc {
        key: "smtp_from",
        default: "\"Vakt <vakt@localhost>\"",
        description: "Sender address of every message, e.g. `Vakt <vakt@kommune.no>`.",
    },
    SettingDoc {
        key: "smtp_max_attempts",
        default: "8",
        description: "Tries before a message is given up and recorded as a failed job (retries wait 1, 4, 9 … minutes). An SMTP 5xx answer gives up at once.",
    },
    SettingDoc {
        key: "reminders_run_every_hours",
        default: "24",
        description: "Hours between runs of the reminder job (per tenant; each run is scheduled once, whichever process schedules it).",
    },
    SettingDoc {
        key: "reminders_start_days_before_due",
        default: "7",
        description: "Days before a due date (signing an instruction, completing or renewing a course) that the first reminder is sent; 0 means only once due.",
    },
    SettingDoc {
        key: "reminders_every_days",
        default: "7",
        description: "Days between two reminders about the same item. Each person gets one message listing everything due.",
    },
    SettingDoc {
        key: "reminders_escalate_after",
        default: "2",
        description: "Reminders sent about an item before it is escalated (once) to the person's leader when it is overdue.",
    },
    SettingDoc {
        key: "webhook_allow_http",
        default: "false",
        description: "Allow plain `http://` addresses for a tenant's escalation webhook (deviation settings). Off: `https://` only. Turn on only for a relay on a trusted network.",
    },
    SettingDoc {
        key: "webhook_allow_private",
        default: "false",
        description: "Allow a tenant's webhook to reach addresses on private, loopback, link-local and other non-public networks (checked on every post, after name resolution). Off: public addresses only, so a tenant's setting cannot reach services inside the hosting network.",
    },
];

/// The Markdown table of every setting, as it appears in `docs/configuration.md`.
pub fn settings_table() -> String {
    let mut out = String::from(
        "| key (TOML) | environment variable | default | meaning |\n|---|---|---|---|\n",
    );
    for s in SETTINGS {
        out.push_str(&format!(
            "| `{}` | `{}` | `{}` | {} |\n",
            s.key,
            s.env_var(),
            s.default,
            s.description
        ));
    }
    out
}

/// A commented example configuration file with every setting at its default.
pub fn example_toml() -> String {
    let mut out = String::from(
        "# Vakt configuration. Pass it with `vakt --config FILE`.\n\
         # Every key can also be set by an environment variable, VAKT_ followed by the key in upper case;\n\
         # environment variables win over this file, and command-line flags win over both.\n",
    );
    for s in SETTINGS {
        out.push('\n');
        for line in wrap(s.description, 100) {
            out.push_str("# ");
            out.push_str(&line);
            out.push('\n');
        }
        out.push_str(&format!("# Environment: {}\n", s.env_var()));
        out.push_str(&format!("{} = {}\n", s.key, s.default));
    }
    out
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Ensure the data directory exists (for the SQLite default) and return the database URL.
pub fn prepare_database(config: &Config) -> anyhow::Result<String> {
    let url = config.database_url();
    if config.engine()? == Engine::Sqlite {
        std::fs::create_dir_all(&config.data_dir).with_context(|| {
            format!("cannot create data directory {}", config.data_dir.display())
        })?;
    }
    Ok(url)
}

#[cfg(test)]
// figment::Jail closures must return figment::Error, which is large by design.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;

    const DOC_BEGIN: &str = "<!-- settings-table:begin -->\n";
    const DOC_END: &str = "<!-- settings-table:end -->";

    /// Run `f` with `vars` set in the environment (restored afterwards; figment's jail serialises tests).
    fn with_env<T>(vars: &[(&str, &str)], f: impl FnOnce() -> T) -> T {
        let mut out = None;
        let mut f = Some(f);
        figment::Jail::expect_with(|jail| {
            for (k, v) in vars {
                jail.set_env(k, v);
            }
            out = f.take().map(|f| f());
            Ok(())
        });
        out.expect("jail ran")
    }

    #[test]
    fn every_config_field_is_documented_once_in_settings() {
        let value = serde_json::to_value(Config::default()).expect("serialize");
        let mut fields: Vec<String> = value.as_object().expect("object").keys().cloned().collect();
        let mut documented: Vec<String> = SETTINGS.iter().map(|s| s.key.to_owned()).collect();
        fields.sort();
        documented.sort();
        assert_eq!(fields, documented);
    }

    #[test]
    fn documented_defaults_are_the_real_defaults() {
        let example: Config = toml::from_str(&example_toml()).expect("example parses");
        assert_eq!(example, Config::default());
    }

    #[test]
    fn docs_configuration_md_holds_the_generated_table() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md");
        let doc = std::fs::read_to_string(&path).expect("docs/configuration.md exists");
        let start = doc.find(DOC_BEGIN).expect("begin marker") + DOC_BEGIN.len();
        let end = doc.find(DOC_END).expect("end marker");
        assert_eq!(
            &doc[start..end],
            settings_table(),
            "docs/configuration.md is out of date: replace its table with `settings_table()`"
        );
    }

    #[test]
    fn environment_variables_override_the_file_and_defaults() {
        let config = with_env(
            &[
                ("VAKT_LISTEN", "0.0.0.0:9999"),
                ("VAKT_COOKIE_SECURE", "false"),
            ],
            || Config::load(None).expect("loads"),
        );
        assert_eq!(config.listen, SocketAddr::from(([0, 0, 0, 0], 9999)));
        assert!(!config.cookie_secure);
    }

    #[test]
    fn unrelated_vakt_variables_are_ignored() {
        let config = with_env(&[("VAKT_TEST_POSTGRES_URL", "postgres://x@y/z")], || {
            Config::load(None)
        });
        assert!(config.is_ok());
    }

    #[test]
    fn an_unknown_key_in_the_file_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("vakt.toml");
        std::fs::write(&path, "lisen = \"127.0.0.1:1\"\n").expect("write");
        let err = Config::figment(Some(&path), Env::prefixed("VAKT_UNUSED_IN_TEST_"))
            .expect_err("rejected");
        assert!(err.to_string().contains("lisen"), "{err}");
    }

    #[test]
    fn an_unknown_database_url_scheme_is_a_clear_error() {
        let config = Config {
            database_url: Secret::new("mysql://root:hunter2@db/vakt"),
            ..Config::default()
        };
        let err = config.engine().expect_err("rejected").to_string();
        assert!(
            err.contains("unknown database URL scheme \"mysql:\""),
            "{err}"
        );
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn sqlite_and_postgres_urls_select_their_engine() {
        assert_eq!(engine_of("sqlite:///tmp/x.db").expect("ok"), Engine::Sqlite);
        assert_eq!(engine_of("postgres://u@h/d").expect("ok"), Engine::Postgres);
        assert_eq!(
            engine_of("postgresql://u@h/d").expect("ok"),
            Engine::Postgres
        );
        let default = Config::default();
        assert_eq!(default.engine().expect("ok"), Engine::Sqlite);
        assert!(default.database_url().ends_with("vakt-data/vakt.db"));
    }

    #[test]
    fn debug_output_never_shows_the_database_password() {
        let config = Config {
            database_url: Secret::new("postgres://vakt:s3cret-pw@db.example:5432/vakt"),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cret-pw"), "{shown}");
        assert!(
            shown.contains("postgres://vakt:[redacted]@db.example:5432/vakt"),
            "{shown}"
        );
        assert_eq!(format!("{:?}", Secret::new("x")), "\"[redacted]\"");
    }
}
