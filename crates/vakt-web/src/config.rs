//! The settings the web layer needs (the binary fills them from its configuration file and `VAKT_*`).

/// Web-layer configuration.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (and use the `__Host-` prefix) and send HSTS. Off only for plain-HTTP local use.
    pub secure_cookies: bool,
    /// Largest accepted request body in bytes (forms, JSON, uploads).
    pub body_limit: usize,
    /// When set, a request to `<slug>.<base_domain>` selects the tenant with that slug (hosted installs).
    pub base_domain: Option<String>,
    /// SMTP settings; `None` = no server configured (mail stays queued and is retried).
    pub mail: Option<crate::mail::MailConfig>,
    /// The training and instruction reminder rhythm.
    pub reminders: ReminderConfig,
    /// Allow plain `http://` webhook addresses (default: `https://` only).
    pub webhook_allow_http: bool,
    /// Allow webhook posts to private, loopback and link-local addresses (default: public only).
    pub webhook_allow_private: bool,
}

/// How often the reminder job runs and whom it reminds when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReminderConfig {
    /// The reminder job runs once per this many hours (per tenant).
    pub run_every_hours: u32,
    /// Reminding starts, repeats and escalates by this policy.
    pub policy: vakt_core::training::ReminderPolicy,
}

impl Default for ReminderConfig {
    fn default() -> Self {
        ReminderConfig {
            run_every_hours: 24,
            policy: vakt_core::training::ReminderPolicy {
                start_days_before_due: 7,
                every_days: 7,
                escalate_after: 2,
            },
        }
    }
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            body_limit: 2 * 1024 * 1024,
            base_domain: None,
            mail: None,
            reminders: ReminderConfig::default(),
            webhook_allow_http: false,
            webhook_allow_private: false,
        }
    }
}
