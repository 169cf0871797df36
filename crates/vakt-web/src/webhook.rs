//! Webhook notices: a JSON `POST` to a tenant's configured address (a chat channel's incoming
//! webhook, an on-call system), queued in the outbox in the transaction of the change like mail,
//! and sent by the job worker with retries. The body names the case by number and link only — no
//! title or description, which may hold personal data — so the receiving system holds nothing that
//! needs protecting beyond the fact that a clock runs.

use serde::{Deserialize, Serialize};
use std::time::Duration;
use uuid::Uuid;
use vakt_store::{NewJob, StoreError, WriteTx};

/// The outbox job kind.
pub const WEBHOOK_POST: &str = "webhook.post";

/// One queued notice: where to and what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPost {
    pub url: String,
    pub body: serde_json::Value,
}

/// Whether `url` may receive notices: `https://` with a host; plain `http://` only where the server
/// is configured to allow it (`webhook_allow_http`, for a relay on the same network or tests).
pub fn url_allowed(url: &str, allow_http: bool) -> bool {
    let url = url.trim();
    if url.len() > 500 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let rest = if let Some(r) = url.strip_prefix("https://") {
        r
    } else if let Some(r) = url.strip_prefix("http://").filter(|_| allow_http) {
        r
    } else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty() && !host.contains('@')
}

/// Queues a notice, once per `key` (a retried sweep queues nothing twice).
pub async fn enqueue(
    tx: &mut WriteTx,
    url: &str,
    body: serde_json::Value,
    key: &str,
) -> Result<Option<Uuid>, StoreError> {
    let post = WebhookPost {
        url: url.to_owned(),
        body,
    };
    let payload = serde_json::to_value(&post).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    tx.enqueue_job(NewJob::new(WEBHOOK_POST, payload).unique(format!("{WEBHOOK_POST}:{key}")))
        .await
}

/// Why a post failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostError {
    pub message: String,
    pub permanent: bool,
}

/// One HTTP client for every post (its TLS roots are loaded once). It keeps no idle connections:
/// posts are rare, and a pooled connection would belong to the runtime that opened it.
fn client() -> Result<&'static reqwest::Client, String> {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c);
    }
    let c = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .user_agent(concat!("Vakt/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| e.to_string())?;
    Ok(CLIENT.get_or_init(|| c))
}

/// Sends one queued notice. A 2xx answer is success; 408, 429 and 5xx answers and network errors
/// are tried again later; other answers (the address is wrong or refuses) are final.
pub async fn run_job(payload: &serde_json::Value, allow_http: bool) -> Result<(), PostError> {
    let post: WebhookPost = serde_json::from_value(payload.clone()).map_err(|e| PostError {
        message: format!("bad webhook payload: {e}"),
        permanent: true,
    })?;
    if !url_allowed(&post.url, allow_http) {
        return Err(PostError {
            message: "the webhook address is not an allowed https:// address".into(),
            permanent: true,
        });
    }
    let client = client().map_err(|e| PostError {
        message: format!("webhook client: {e}"),
        permanent: false,
    })?;
    let event = post
        .body
        .get("event")
        .and_then(|e| e.as_str())
        .unwrap_or("")
        .to_owned();
    let answer = client
        .post(&post.url)
        .header("X-Vakt-Event", event)
        .json(&post.body)
        .send()
        .await
        .map_err(|e| PostError {
            message: format!("webhook not delivered: {}", e.without_url()),
            permanent: false,
        })?;
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    let retry = status.is_server_error() || status.as_u16() == 408 || status.as_u16() == 429;
    Err(PostError {
        message: format!("webhook answered {status}"),
        permanent: !retry,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_addresses_with_a_host_are_allowed_unless_http_is_switched_on() {
        assert!(url_allowed("https://hooks.example.org/x/y", false));
        assert!(!url_allowed("http://hooks.example.org/x", false));
        assert!(url_allowed("http://127.0.0.1:9000/hook", true));
        assert!(!url_allowed("https://", false));
        assert!(!url_allowed("https://user:pw@example.org/", false));
        assert!(!url_allowed("https://exa mple.org/", false));
        assert!(!url_allowed("ftp://example.org/", true));
        assert!(!url_allowed("javascript:alert(1)", true));
    }
}
