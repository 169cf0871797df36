//! Outgoing e-mail: SMTP through `lettre` (rustls, no OpenSSL), always sent from the job outbox.
//!
//! # The contract for other capabilities
//!
//! A capability never talks SMTP. It renders the message in the recipient's language and calls
//! [`enqueue`] inside the write transaction of the change that causes the mail:
//!
//! ```text
//! let lang = mail::language_for(person.as_ref(), &settings);        // person's language, else the tenant's
//! let msg = MailMessage::new(vec![address], t(lang, "x-subject", &[]), t(lang, "x-body", &args))
//!     .with_lang(lang)
//!     .with_tag("deviation.escalation");                              // free text, shown in logs
//! let mut tx = st.db().write(&ctx).await?;
//! tx.record_something(..).await?;                                    // the change, audited as usual
//! mail::enqueue(&mut tx, &msg).await?;                               // a `mail.send` outbox row
//! tx.commit().await?;                                                // mail exists iff the change commits
//! ```
//!
//! [`enqueue_unique`] takes a key as well: at most one mail with that key is ever queued (use it for
//! "send this notice once"). The background worker ([`crate::jobs`]) claims `mail.send` jobs with row
//! locks (one sender per job, several processes safe), sends them with [`send`], retries transient
//! failures with back-off (1, 4, 9, … minutes) and records a permanent failure (a 5xx answer, a bad
//! address, or [`MailConfig::max_attempts`] tries) as a failed job with its last error, never dropping it.
//!
//! Without SMTP settings (`smtp_host` empty) mail is queued and retried until configured or given up.

use serde::{Deserialize, Serialize};
use uuid::Uuid;
use vakt_core::directory::Person;
use vakt_core::settings::Settings;
use vakt_store::{NewJob, StoreError, WriteTx};

use crate::i18n::Lang;

pub use lettre::message::Mailbox;

/// The job kind of one outgoing message.
pub const MAIL_SEND: &str = "mail.send";

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain SMTP (only for a relay on the same host or a test server).
    None,
    /// Plain connection upgraded with STARTTLS (required; port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS, port 465).
    Tls,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "plain" => Some(SmtpTls::None),
            "starttls" => Some(SmtpTls::Starttls),
            "tls" | "smtps" => Some(SmtpTls::Tls),
            _ => None,
        }
    }
}

/// SMTP settings (from the server configuration).
#[derive(Clone, PartialEq, Eq)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Sign in to the server when set.
    pub user: Option<String>,
    pub password: Option<String>,
    /// The sender, e.g. `Vakt <vakt@kommune.no>`.
    pub from: String,
    /// Give a message up (recorded as a failed job) after this many tries.
    pub max_attempts: u32,
}

impl std::fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("from", &self.from)
            .field("max_attempts", &self.max_attempts)
            .finish()
    }
}

/// One message to send: plain text, optionally an HTML alternative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailMessage {
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// The language the message is written in (recorded; sent as `Content-Language`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<Lang>,
    /// What the message is about, for logs (e.g. `training.reminder`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag: Option<String>,
}

impl MailMessage {
    pub fn new(to: Vec<String>, subject: impl Into<String>, text: impl Into<String>) -> Self {
        MailMessage {
            to,
            subject: subject.into(),
            text: text.into(),
            html: None,
            lang: None,
            tag: None,
        }
    }
    pub fn with_html(mut self, html: impl Into<String>) -> Self {
        self.html = Some(html.into());
        self
    }
    pub fn with_lang(mut self, lang: Lang) -> Self {
        self.lang = Some(lang);
        self
    }
    pub fn with_tag(mut self, tag: impl Into<String>) -> Self {
        self.tag = Some(tag.into());
        self
    }

    /// Checks recipients and subject before anything is queued.
    pub fn validate(&self) -> Result<(), StoreError> {
        if self.to.is_empty() {
            return Err(StoreError::Invalid("mail.no_recipient"));
        }
        if self
            .to
            .iter()
            .any(|a| a.parse::<lettre::message::Mailbox>().is_err())
        {
            return Err(StoreError::Invalid("mail.bad_address"));
        }
        if self.subject.chars().any(|c| c == '\r' || c == '\n') {
            return Err(StoreError::Invalid("mail.bad_subject"));
        }
        Ok(())
    }
}

/// Queues `msg` in the caller's write transaction (it is sent only if the transaction commits).
pub async fn enqueue(tx: &mut WriteTx, msg: &MailMessage) -> Result<Option<Uuid>, StoreError> {
    msg.validate()?;
    tx.enqueue_job(NewJob::new(MAIL_SEND, payload(msg)?)).await
}

/// Like [`enqueue`], but at most one message with `key` is ever queued (`None`: it exists already).
pub async fn enqueue_unique(
    tx: &mut WriteTx,
    msg: &MailMessage,
    key: &str,
) -> Result<Option<Uuid>, StoreError> {
    msg.validate()?;
    tx.enqueue_job(NewJob::new(MAIL_SEND, payload(msg)?).unique(format!("{MAIL_SEND}:{key}")))
        .await
}

fn payload(msg: &MailMessage) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(msg).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The language to write to a person in: their own choice, else the tenant's default.
pub fn language_for(person: Option<&Person>, settings: &Settings) -> Lang {
    person
        .and_then(|p| p.preferred_language)
        .map(Lang::from)
        .unwrap_or_else(|| Lang::from(settings.default_language))
}

/// Why sending failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    /// Retrying cannot help (a 5xx answer, a bad address or message).
    pub permanent: bool,
}

impl SendError {
    fn permanent(message: impl Into<String>) -> Self {
        SendError {
            message: message.into(),
            permanent: true,
        }
    }
    fn transient(message: impl Into<String>) -> Self {
        SendError {
            message: message.into(),
            permanent: false,
        }
    }
}

/// Builds the MIME message.
pub fn build_message(config: &MailConfig, msg: &MailMessage) -> Result<lettre::Message, SendError> {
    use lettre::message::header::{ContentType, HeaderName, HeaderValue};
    use lettre::message::{Mailbox, MultiPart, SinglePart};
    let from: Mailbox = config
        .from
        .parse()
        .map_err(|e| SendError::permanent(format!("bad sender address {:?}: {e}", config.from)))?;
    msg.validate()
        .map_err(|e| SendError::permanent(e.code().to_owned()))?;
    let mut b = lettre::Message::builder()
        .from(from)
        .subject(msg.subject.clone())
        .message_id(Some(format!(
            "<{}@{}>",
            Uuid::now_v7().simple(),
            config.host.trim()
        )));
    for to in &msg.to {
        let mb: Mailbox = to
            .parse()
            .map_err(|e| SendError::permanent(format!("bad address {to:?}: {e}")))?;
        b = b.to(mb);
    }
    if let Some(lang) = msg.lang {
        b = b.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            lang.code().to_owned(),
        ));
    }
    let built = match &msg.html {
        Some(html) => b.multipart(
            MultiPart::alternative()
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_PLAIN)
                        .body(msg.text.clone()),
                )
                .singlepart(
                    SinglePart::builder()
                        .header(ContentType::TEXT_HTML)
                        .body(html.clone()),
                ),
        ),
        None => b.header(ContentType::TEXT_PLAIN).body(msg.text.clone()),
    };
    built.map_err(|e| SendError::permanent(format!("cannot build message: {e}")))
}

/// Sends one message now (the worker calls this for each `mail.send` job).
pub async fn send(config: &MailConfig, msg: &MailMessage) -> Result<(), SendError> {
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
    let email = build_message(config, msg)?;
    let host = config.host.trim();
    let builder = match config.tls {
        SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
            .map_err(|e| SendError::transient(format!("SMTP setup: {e}")))?,
        SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
            .map_err(|e| SendError::transient(format!("SMTP setup: {e}")))?,
    };
    let mut builder = builder
        .port(config.port)
        .timeout(Some(std::time::Duration::from_secs(30)));
    if let Some(user) = config.user.as_ref().filter(|u| !u.is_empty()) {
        builder = builder.credentials(Credentials::new(
            user.clone(),
            config.password.clone().unwrap_or_default(),
        ));
    }
    let transport = builder.build();
    match transport.send(email).await {
        Ok(_) => Ok(()),
        Err(e) if e.is_permanent() => Err(SendError::permanent(format!("SMTP: {e}"))),
        Err(e) => Err(SendError::transient(format!("SMTP: {e}"))),
    }
}

/// Runs one `mail.send` job's payload.
pub async fn run_job(
    config: Option<&MailConfig>,
    payload: &serde_json::Value,
) -> Result<(), SendError> {
    let msg: MailMessage = serde_json::from_value(payload.clone())
        .map_err(|e| SendError::permanent(format!("bad mail payload: {e}")))?;
    let Some(config) = config else {
        return Err(SendError::transient("SMTP is not configured (smtp_host)"));
    };
    send(config, &msg).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> MailConfig {
        MailConfig {
            host: "smtp.example.invalid".into(),
            port: 25,
            tls: SmtpTls::None,
            user: Some("u".into()),
            password: Some("hunter2".into()),
            from: "Vakt <vakt@example.invalid>".into(),
            max_attempts: 5,
        }
    }

    #[test]
    fn a_message_needs_a_valid_recipient_and_a_one_line_subject() {
        assert!(MailMessage::new(vec![], "s", "t").validate().is_err());
        assert!(
            MailMessage::new(vec!["not an address".into()], "s", "t")
                .validate()
                .is_err()
        );
        assert!(
            MailMessage::new(vec!["a@b.no".into()], "s\r\nBcc: x@y.no", "t")
                .validate()
                .is_err()
        );
        assert!(
            MailMessage::new(vec!["Kari <kari@b.no>".into()], "Påminnelse", "t")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn the_built_message_carries_language_and_both_parts() {
        let m = MailMessage::new(vec!["kari@b.no".into()], "Påminnelse", "tekst")
            .with_html("<p>tekst</p>")
            .with_lang(Lang::Sv);
        let raw = String::from_utf8(build_message(&config(), &m).unwrap().formatted()).unwrap();
        assert!(raw.contains("Content-Language: sv"), "{raw}");
        assert!(raw.contains("multipart/alternative"), "{raw}");
    }

    #[test]
    fn debug_output_hides_the_password() {
        assert!(!format!("{:?}", config()).contains("hunter2"));
    }

    #[test]
    fn tls_modes_parse() {
        assert_eq!(SmtpTls::parse("STARTTLS"), Some(SmtpTls::Starttls));
        assert_eq!(SmtpTls::parse("none"), Some(SmtpTls::None));
        assert_eq!(SmtpTls::parse("tls"), Some(SmtpTls::Tls));
        assert_eq!(SmtpTls::parse("ssl3"), None);
    }
}
