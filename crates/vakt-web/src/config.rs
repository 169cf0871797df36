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
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            secure_cookies: false,
            body_limit: 2 * 1024 * 1024,
            base_domain: None,
        }
    }
}
