//! Fixed-window rate limits on ceremony starts and finishes, kept in the
//! session store so every node shares them.

use chrono::Duration;
pub use latchkey_session::Limit;

use crate::error::AccountsError;
use crate::service::Accounts;

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
        match self.sessions().check_limit(limit, subject).await? {
            None => Ok(()),
            Some(over) => Err(AccountsError::RateLimited {
                limit: over.limit,
                retry_after: over.retry_after,
            }),
        }
    }
}
