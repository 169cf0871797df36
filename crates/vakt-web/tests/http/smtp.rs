//! A real SMTP server for tests: Python's `aiosmtpd` (installed by `scripts/test`) run as a child process
//! on a free loopback port. Every accepted message is a JSON file the test reads with
//! [`TestSmtp::messages`]; the server writes it before it answers 250, so after the sender returned, the
//! message is there (no waiting). Recipients starting with `reject-` get a permanent 550.
//!
//! ```text
//! let smtp = TestSmtp::start();
//! let app = TestApp::spawn_on(engine, WebConfig { mail: Some(smtp.config()), ..Default::default() }).await?;
//! … vakt_web::jobs::tick(&app.state, "w").await …
//! let got = smtp.messages();
//! ```

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde::Deserialize;
use vakt_web::mail::{MailConfig, SmtpTls};

/// One message as the server received it.
#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    /// Envelope recipients.
    pub rcpt_to: Vec<String>,
    /// Header fields.
    pub from: String,
    pub to: String,
    pub subject: String,
    pub content_language: String,
    pub text: String,
    pub html: Option<String>,
}

pub struct TestSmtp {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl TestSmtp {
    /// Starts the server; panics with a clear message when aiosmtpd is missing.
    pub fn start() -> TestSmtp {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/http/smtp_server.py");
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 must be installed for the SMTP tests");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            let _ = child.kill();
            panic!(
                "the test SMTP server did not start (is aiosmtpd installed? `python3 -m pip install aiosmtpd`; scripts/test does it): {line:?}"
            )
        });
        TestSmtp { child, port, dir }
    }

    /// Mail settings pointing at this server (plain SMTP on loopback).
    pub fn config(&self) -> MailConfig {
        MailConfig {
            host: "127.0.0.1".into(),
            port: self.port,
            tls: SmtpTls::None,
            user: None,
            password: None,
            from: "Vakt <vakt@test.invalid>".into(),
            max_attempts: 3,
        }
    }

    /// Every message received so far, in arrival order.
    pub fn messages(&self) -> Vec<Received> {
        let mut names: Vec<_> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// Messages whose envelope includes `address`.
    pub fn to(&self, address: &str) -> Vec<Received> {
        self.messages()
            .into_iter()
            .filter(|m| m.rcpt_to.iter().any(|r| r == address))
            .collect()
    }
}

impl Drop for TestSmtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
