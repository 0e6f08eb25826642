//! Fixed-window rate limits, counted in the session store so that every node
//! shares them. The limits themselves are policy and live with the code that
//! applies them (`latchkey_accounts::ratelimit`, `latchkey_oidc::flow`).

use chrono::Duration;

use crate::{SessionError, SessionStore};

/// A limit: at most `max` hits per `window`, per subject (an IP address, an
/// account). `name` is a fixed string: it keys the counter and labels the
/// refusal in logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub name: &'static str,
    pub max: i64,
    pub window: Duration,
}

/// A hit over a limit: which one, and the seconds until its window ends
/// (at least 1, for `Retry-After`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exceeded {
    pub limit: &'static str,
    pub retry_after: u64,
}

impl SessionStore {
    /// Counts one hit of `subject` against `limit`; the refusal when this hit
    /// is over it (a refused hit still counts).
    pub async fn check_limit(
        &self,
        limit: Limit,
        subject: &str,
    ) -> Result<Option<Exceeded>, SessionError> {
        let count = self
            .hit(&format!("{}:{subject}", limit.name), limit.window)
            .await?;
        if count.count <= limit.max {
            return Ok(None);
        }
        let retry_after = (count.resets_at - self.now()).num_seconds().max(1);
        tracing::warn!(limit = limit.name, "rate limit exceeded");
        Ok(Some(Exceeded {
            limit: limit.name,
            retry_after: u64::try_from(retry_after).unwrap_or(1),
        }))
    }
}
