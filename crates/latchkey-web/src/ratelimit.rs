//! Fixed-window rate limits on ceremony starts and finishes, kept in the
//! session store so every node shares them. Exceeding one answers 429 with
//! `Retry-After`.

use chrono::Duration;

use crate::error::ApiError;
use crate::state::AppState;

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

/// Counts one hit of `subject` against `limit`.
pub async fn check(state: &AppState, limit: Limit, subject: &str) -> Result<(), ApiError> {
    let count = state
        .sessions
        .hit(&format!("{}:{subject}", limit.name), limit.window)
        .await?;
    if count.count > limit.max {
        let retry_after = (count.resets_at - state.clock.now()).num_seconds().max(1);
        tracing::warn!(limit = limit.name, "rate limit exceeded");
        state
            .metrics
            .rate_limited
            .with_label_values(&[limit.name])
            .inc();
        return Err(ApiError::TooManyRequests {
            retry_after: u64::try_from(retry_after).unwrap_or(1),
        });
    }
    Ok(())
}
