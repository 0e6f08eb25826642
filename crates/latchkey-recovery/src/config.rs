//! The engine's settings: policies, links, notices, limits.

use chrono::Duration;

use crate::policy::PolicySet;

/// At most `max` hits per `window` (a fixed window in the database's rate
/// counters, shared by every node).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: i64,
    pub window: Duration,
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub policies: PolicySet,
    /// The instance's name, at the end of every notice.
    pub instance_name: String,
    /// The cancel link of a notice is this followed by the token, e.g.
    /// `https://id.example.com/recovery/cancel#`.
    pub cancel_link_base: String,
    /// The e-mail factor's link is this followed by the token.
    pub email_link_base: String,
    /// The owner's e-mail verification link (an account operation, built
    /// here with the other links that mail carries) is this followed by
    /// the token.
    pub email_verify_link_base: String,
    /// Whether notices also go to the operator's security webhook (outbox
    /// kind `security_webhook`). Off unless a webhook is configured, so that
    /// nothing waits for a deliverer that does not exist.
    pub security_webhook: bool,
    /// How long an enrolment grant lives.
    pub enrolment_grant_ttl: Duration,
    /// How long an e-mail link lives.
    pub email_link_ttl: Duration,
    /// Factor attempts (right or wrong) per account, across its requests.
    pub factor_attempts_per_account: RateLimit,
    /// New requests per account.
    pub requests_per_account: RateLimit,
    /// New requests per client address.
    pub requests_per_ip: RateLimit,
    /// Requests one pass of [`crate::GuardedActions::tick`] takes on.
    pub tick_batch: i64,
}

impl EngineConfig {
    /// Defaults for an instance at `base_url` (its issuer, no trailing `/`).
    pub fn new(base_url: &str) -> Self {
        let base = base_url.trim_end_matches('/');
        Self {
            policies: PolicySet::defaults(),
            instance_name: "Latchkey".to_owned(),
            cancel_link_base: format!("{base}/recovery/cancel#"),
            email_link_base: format!("{base}/recovery/email#"),
            email_verify_link_base: format!("{base}/email/verify#"),
            security_webhook: false,
            enrolment_grant_ttl: Duration::minutes(15),
            email_link_ttl: Duration::minutes(30),
            factor_attempts_per_account: RateLimit {
                max: 10,
                window: Duration::minutes(15),
            },
            requests_per_account: RateLimit {
                max: 5,
                window: Duration::hours(24),
            },
            requests_per_ip: RateLimit {
                max: 20,
                window: Duration::hours(1),
            },
            tick_batch: 100,
        }
    }
}
