//! The instance-wide security webhook: every guarded-action notice (a
//! recovery or sensitive change requested, ready, completed, cancelled,
//! denied, expired, locked) is also POSTed as JSON to the operator's
//! endpoint, from the same transactional outbox as the mail and with the
//! same retries. The body holds identifiers, states and times only (never a
//! factor, a code, a link or an address: `latchkey_recovery::notices`).
//!
//! Each delivery is signed so the receiver can tell it came from this
//! instance and is fresh:
//!
//! ```text
//! X-Latchkey-Event-Id: <outbox id, the same on every retry>
//! X-Latchkey-Timestamp: <unix seconds of this attempt>
//! X-Latchkey-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//! ```
//!
//! A receiver recomputes the HMAC over the raw body, compares in constant
//! time, refuses timestamps more than a few minutes old, and ignores an
//! event id it has seen (delivery is at least once).

use chrono::{DateTime, Utc};
use latchkey_core::Secret;
use ring::hmac;
use url::Url;

pub const EVENT_ID_HEADER: &str = "x-latchkey-event-id";
pub const TIMESTAMP_HEADER: &str = "x-latchkey-timestamp";
pub const SIGNATURE_HEADER: &str = "x-latchkey-signature";

/// The shortest secret accepted: 32 characters (for example
/// `openssl rand -hex 32` gives 64).
pub const MIN_SECRET_LEN: usize = 32;

/// A webhook that cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("the security webhook must be https://, or http:// to a loopback address (got {0:?})")]
    Url(String),
    #[error("the security webhook secret must be at least {MIN_SECRET_LEN} characters")]
    ShortSecret,
    #[error("building the webhook's HTTP client failed")]
    Client(#[source] reqwest::Error),
}

/// Why one delivery did not go through. The text names the status or the
/// kind of failure, never the body.
#[derive(Debug, thiserror::Error)]
pub enum WebhookFailure {
    /// The receiver refused it (a 4xx other than 408 and 429): sending the
    /// same again cannot help.
    #[error("the security webhook refused the event with HTTP {0}")]
    Refused(u16),
    /// Worth another attempt: a 5xx, 408, 429, a redirect (not followed), a
    /// timeout or a connection failure.
    #[error("the security webhook did not take the event: {0}")]
    Retry(String),
}

impl WebhookFailure {
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Refused(_))
    }
}

/// The configured endpoint and its signing key.
pub struct SecurityWebhook {
    url: Url,
    key: hmac::Key,
    client: reqwest::Client,
}

impl std::fmt::Debug for SecurityWebhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a token in its path or query: host only.
        f.debug_struct("SecurityWebhook")
            .field("host", &self.url.host_str())
            .finish_non_exhaustive()
    }
}

fn loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a webhook URL: `https://`, or `http://` to a loopback address.
pub fn check_url(text: &str) -> Result<Url, WebhookError> {
    let url = Url::parse(text).map_err(|_| WebhookError::Url(text.to_owned()))?;
    let ok = url.host().is_some()
        && url.fragment().is_none()
        && (url.scheme() == "https" || (url.scheme() == "http" && loopback(&url)));
    if !ok {
        return Err(WebhookError::Url(text.to_owned()));
    }
    Ok(url)
}

impl SecurityWebhook {
    /// `timeout` bounds one attempt (the delivery pass also cuts it off).
    pub fn new(
        url: Url,
        secret: &Secret<String>,
        timeout: std::time::Duration,
    ) -> Result<Self, WebhookError> {
        if secret.expose().len() < MIN_SECRET_LEN {
            return Err(WebhookError::ShortSecret);
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .user_agent(concat!("Latchkey/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(WebhookError::Client)?;
        Ok(Self {
            url,
            key: hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes()),
            client,
        })
    }

    /// `v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
    pub fn signature(&self, timestamp: i64, body: &[u8]) -> String {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(timestamp.to_string().as_bytes());
        ctx.update(b".");
        ctx.update(body);
        format!("v1={}", hex::encode(ctx.sign().as_ref()))
    }

    /// POSTs one event. `2xx` is delivered.
    pub async fn send(
        &self,
        event_id: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(), WebhookFailure> {
        let timestamp = now.timestamp();
        let res = self
            .client
            .post(self.url.clone())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(EVENT_ID_HEADER, event_id)
            .header(TIMESTAMP_HEADER, timestamp.to_string())
            .header(SIGNATURE_HEADER, self.signature(timestamp, body))
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| {
                WebhookFailure::Retry(if e.is_timeout() {
                    "timed out".to_owned()
                } else if e.is_connect() {
                    "could not connect".to_owned()
                } else {
                    "the request failed".to_owned()
                })
            })?;
        let status = res.status().as_u16();
        match status {
            200..=299 => Ok(()),
            408 | 429 => Err(WebhookFailure::Retry(format!("HTTP {status}"))),
            400..=499 => Err(WebhookFailure::Refused(status)),
            _ => Err(WebhookFailure::Retry(format!("HTTP {status}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_http_urls_are_taken() {
        for ok in [
            "https://hooks.example.com/latchkey",
            "http://127.0.0.1:9000/hook",
            "http://localhost:9000/hook",
            "http://[::1]:9000/hook",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://hooks.example.com/latchkey",
            "ftp://hooks.example.com/",
            "https://hooks.example.com/#frag",
            "not a url",
            "",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_signature_is_an_hmac_of_the_timestamp_and_the_body() {
        let secret = Secret::new("s".repeat(32));
        let hook = SecurityWebhook::new(
            check_url("http://127.0.0.1:1/").unwrap(),
            &secret,
            std::time::Duration::from_secs(1),
        )
        .unwrap();
        let sig = hook.signature(1_700_000_000, b"{\"a\":1}");
        let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose().as_bytes());
        let expected = hmac::sign(&key, b"1700000000.{\"a\":1}");
        assert_eq!(sig, format!("v1={}", hex::encode(expected.as_ref())));
        assert_ne!(sig, hook.signature(1_700_000_001, b"{\"a\":1}"));
        assert!(matches!(
            SecurityWebhook::new(
                check_url("http://127.0.0.1:1/").unwrap(),
                &Secret::new("short".into()),
                std::time::Duration::from_secs(1)
            ),
            Err(WebhookError::ShortSecret)
        ));
    }
}
