//! Webhook notices: a JSON `POST` to a tenant's configured address (a chat channel's incoming
//! webhook, an on-call system), queued in the outbox in the transaction of the change like mail,
//! and sent by the job worker with retries. The body names the case by number and link only — no
//! title or description, which may hold personal data — so the receiving system holds nothing that
//! needs protecting beyond the fact that a clock runs.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use uuid::Uuid;
use vakt_store::{NewJob, StoreError, WriteTx};

/// The outbox job kind.
pub const WEBHOOK_POST: &str = "webhook.post";

/// One queued notice: where to and what. The job belongs to the tenant whose secret signs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookPost {
    pub url: String,
    pub body: serde_json::Value,
}

/// Which addresses the server lets tenants' webhooks reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Reach {
    /// Plain `http://` as well as `https://`.
    pub http: bool,
    /// Private, loopback, link-local and other non-public networks as well as public ones.
    pub private: bool,
}

impl Reach {
    pub fn of(config: &crate::WebConfig) -> Reach {
        Reach {
            http: config.webhook_allow_http,
            private: config.webhook_allow_private,
        }
    }
}

/// The host part of an `http(s)://` address (without brackets for IPv6), and whether it is https.
fn host_of(url: &str) -> Option<(&str, bool)> {
    let (rest, https) = if let Some(r) = url.strip_prefix("https://") {
        (r, true)
    } else {
        (url.strip_prefix("http://")?, false)
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split_once(']')?.0
    } else {
        authority.rsplit_once(':').map_or(authority, |(h, _)| h)
    };
    (!host.is_empty()).then_some((host, https))
}

/// Whether `ip` is outside the public internet: loopback, private (RFC 1918, unique local),
/// link-local (which holds cloud metadata services), carrier-grade NAT, unspecified, broadcast,
/// multicast, documentation, benchmarking and reserved ranges, and IPv4 addresses mapped or
/// translated into IPv6.
pub fn is_non_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && c == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_non_public(IpAddr::V4(v4));
            }
            let seg = v6.segments();
            // 64:ff9b::/96 translates IPv4 addresses.
            if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
                let v4 = std::net::Ipv4Addr::new(
                    (seg[6] >> 8) as u8,
                    seg[6] as u8,
                    (seg[7] >> 8) as u8,
                    seg[7] as u8,
                );
                return is_non_public(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (seg[0] & 0xfe00) == 0xfc00
                || (seg[0] & 0xffc0) == 0xfe80
                || (seg[0] == 0x2001 && seg[1] == 0x0db8)
                || seg[0] == 0x0100 && seg[1..4] == [0, 0, 0]
        }
    }
}

/// Whether `url` may receive notices: `https://` with a host (plain `http://` only where
/// `reach.http`), and no address of a non-public network written as the host (unless
/// `reach.private`; names are checked when they are resolved, on every post).
pub fn url_allowed(url: &str, reach: Reach) -> bool {
    let url = url.trim();
    if url.len() > 500 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return false;
    }
    let Some((host, https)) = host_of(url) else {
        return false;
    };
    if !https && !reach.http {
        return false;
    }
    if reach.private {
        return true;
    }
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") {
        return false;
    }
    host.parse::<IpAddr>().map_or(true, |ip| !is_non_public(ip))
}

/// Queues a notice (a job of the transaction's tenant), once per `key` (a retried sweep queues nothing
/// twice).
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

/// Resolves names for webhook posts and drops every address of a non-public network, so the
/// connection itself cannot reach one (a name that resolved to a public address when checked and
/// to a private one when connecting finds nothing to connect to).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| !is_non_public(a.ip()))
                .collect();
            if addrs.is_empty() {
                return Err("the name resolves to no public address".into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// One HTTP client for every post (its TLS roots are loaded once), one per reach of the network.
/// It keeps no idle connections: posts are rare, and a pooled connection would belong to the
/// runtime that opened it.
fn client(private: bool) -> Result<&'static reqwest::Client, String> {
    static PUBLIC: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    static ANY: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let cell = if private { &ANY } else { &PUBLIC };
    if let Some(c) = cell.get() {
        return Ok(c);
    }
    let mut b = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .user_agent(concat!("Vakt/", env!("CARGO_PKG_VERSION")));
    if !private {
        b = b.dns_resolver(Arc::new(PublicOnly));
    }
    let c = b.build().map_err(|e| e.to_string())?;
    Ok(cell.get_or_init(|| c))
}

/// The signature of a post: `v1=` and the hex of HMAC-SHA256 over `"{timestamp}.{body}"` with the
/// tenant's secret (sent as `X-Vakt-Signature` beside `X-Vakt-Timestamp`, in Unix seconds).
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!("v1={}", hmac_sha256_hex(secret.as_bytes(), &message))
}

fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Sends one queued notice, signed with the tenant's secret when one is set. A 2xx answer is
/// success; 408, 429 and 5xx answers and network errors are tried again later; other answers
/// (the address is wrong or refuses) and addresses the server does not let webhooks reach are
/// final.
pub async fn run_job(
    payload: &serde_json::Value,
    reach: Reach,
    secret: Option<&str>,
    now: time::OffsetDateTime,
) -> Result<(), PostError> {
    let post: WebhookPost = serde_json::from_value(payload.clone()).map_err(|e| PostError {
        message: format!("bad webhook payload: {e}"),
        permanent: true,
    })?;
    let permanent = |message: &str| PostError {
        message: message.to_owned(),
        permanent: true,
    };
    if !url_allowed(&post.url, reach) {
        return Err(permanent(
            "the webhook address is not one this server lets webhooks reach",
        ));
    }
    if !reach.private
        && let Some((host, https)) = host_of(post.url.trim())
        && host.parse::<IpAddr>().is_err()
    {
        // Checked here for a clear, final answer; the client's resolver checks again on connecting.
        let port = if https { 443 } else { 80 };
        match tokio::net::lookup_host((host, port)).await {
            Ok(addrs) => {
                let addrs: Vec<SocketAddr> = addrs.collect();
                if !addrs.is_empty() && addrs.iter().all(|a| is_non_public(a.ip())) {
                    return Err(permanent(
                        "the webhook address resolves to a non-public network address",
                    ));
                }
            }
            Err(e) => {
                return Err(PostError {
                    message: format!("webhook host not resolved: {e}"),
                    permanent: false,
                });
            }
        }
    }
    let client = client(reach.private).map_err(|e| PostError {
        message: format!("webhook client: {e}"),
        permanent: false,
    })?;
    let event = post
        .body
        .get("event")
        .and_then(|e| e.as_str())
        .unwrap_or("")
        .to_owned();
    let body = serde_json::to_vec(&post.body).map_err(|e| permanent(&e.to_string()))?;
    let mut request = client
        .post(post.url.trim())
        .header("X-Vakt-Event", event)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    if let Some(secret) = secret {
        let ts = now.unix_timestamp();
        request = request
            .header("X-Vakt-Timestamp", ts.to_string())
            .header("X-Vakt-Signature", signature(secret, ts, &body));
    }
    let answer = request.body(body).send().await.map_err(|e| PostError {
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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const HTTP: Reach = Reach {
        http: true,
        private: true,
    };

    #[test]
    fn only_https_addresses_with_a_host_are_allowed_unless_http_is_switched_on() {
        let strict = Reach::default();
        assert!(url_allowed("https://hooks.example.org/x/y", strict));
        assert!(url_allowed("https://hooks.example.org:8443/x", strict));
        assert!(!url_allowed("http://hooks.example.org/x", strict));
        assert!(url_allowed("http://127.0.0.1:9000/hook", HTTP));
        assert!(!url_allowed("https://", strict));
        assert!(!url_allowed("https://user:pw@example.org/", strict));
        assert!(!url_allowed("https://exa mple.org/", strict));
        assert!(!url_allowed("ftp://example.org/", HTTP));
        assert!(!url_allowed("javascript:alert(1)", HTTP));
    }

    #[test]
    fn addresses_of_non_public_networks_are_refused_unless_switched_on() {
        let strict = Reach::default();
        for url in [
            "https://127.0.0.1/",
            "https://10.1.2.3/",
            "https://172.16.0.1:8443/x",
            "https://192.168.1.1/",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fe80::1]:443/",
            "https://[fd00::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[64:ff9b::a00:1]/",
            "https://localhost/",
            "https://api.localhost:8080/",
        ] {
            assert!(!url_allowed(url, strict), "{url}");
            assert!(
                url_allowed(
                    url,
                    Reach {
                        http: false,
                        private: true
                    }
                ),
                "{url}"
            );
        }
        for url in [
            "https://8.8.8.8/",
            "https://[2a00:1450::1]/",
            "https://172.32.0.1/",
            "https://hooks.example.org/",
        ] {
            assert!(url_allowed(url, strict), "{url}");
        }
    }

    #[tokio::test]
    async fn a_post_to_a_non_public_address_is_refused_for_good_before_connecting() {
        let payload = |url: &str| {
            serde_json::to_value(WebhookPost {
                url: url.into(),
                body: serde_json::json!({"event": "test"}),
            })
            .unwrap()
        };
        let now = time::OffsetDateTime::now_utc();
        let reach = Reach {
            http: true,
            private: false,
        };
        for url in ["http://127.0.0.1:9/hook", "http://[::1]:9/hook"] {
            let e = run_job(&payload(url), reach, None, now).await.unwrap_err();
            assert!(e.permanent, "{url}: {e:?}");
        }
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        // RFC 4231, test case 2.
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            signature("Jefe", 1_700_000_000, b"{}"),
            format!("v1={}", hmac_sha256_hex(b"Jefe", b"1700000000.{}"))
        );
        assert_ne!(signature("Jefe", 1, b"{}"), signature("Jefe", 2, b"{}"));
    }
}
