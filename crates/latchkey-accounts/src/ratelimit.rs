//! Fixed-window rate limits on ceremony starts and finishes, kept in the
//! session store so every node shares them.

use chrono::Duration;

use crate::error::AccountsError;
use crate::service::Accounts;

/// A limit: at most `max` hits per `window`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub name: &'static str,
    pub max: i64,
    pub window: Duration,
}

/// Ceremony starts from one IP address.
pub const CEREMONY_STARTS_PER_IP: Limit = Limit {
    name: "ceremony-ip",
    max: 60,
    window: Duration::minutes(1),
};

/// Ceremony attempts against one account.
pub const CEREMONIES_PER_ACCOUNT: Limit = Limit {
    name: "ceremony-account",
    max: 20,
    window: Duration::minutes(1),
};

/// Sign-in attempts from one IP address with a passkey that is not
/// registered here (no account to count them against).
pub const UNKNOWN_CREDENTIALS_PER_IP: Limit = Limit {
    name: "unknown-credential-ip",
    max: 20,
    window: Duration::minutes(1),
};

impl Accounts {
    /// Counts one hit of `subject` against `limit`; over the limit,
    /// `RateLimited` with the seconds until the window ends.
    pub(crate) async fn limit(&self, limit: Limit, subject: &str) -> Result<(), AccountsError> {
        let count = self
            .sessions()
            .hit(&format!("{}:{subject}", limit.name), limit.window)
            .await?;
        if count.count > limit.max {
            let retry_after = (count.resets_at - self.now()).num_seconds().max(1);
            tracing::warn!(limit = limit.name, "rate limit exceeded");
            return Err(AccountsError::RateLimited {
                limit: limit.name,
                retry_after: u64::try_from(retry_after).unwrap_or(1),
            });
        }
        Ok(())
    }
}
