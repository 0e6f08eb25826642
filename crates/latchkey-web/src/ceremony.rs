//! What the passkey ceremony endpoints share in the web layer: counting the
//! outcomes the account operations return, their request bodies, and where
//! to go afterwards.

use latchkey_accounts::{AccountsError, CeremonyOutcome, CeremonyStart};
use serde::Deserialize;

pub use latchkey_accounts::ceremony::new_id;

use crate::error::ApiError;
use crate::state::AppState;

/// Counts a ceremony outcome (already logged by the account operation).
/// Flow and result are bounded sets (an enum and the reason codes).
pub fn count(state: &AppState, o: &CeremonyOutcome) {
    state
        .metrics
        .ceremonies
        .with_label_values(&[o.ceremony.as_str(), o.flow.as_str(), o.result])
        .inc();
}

/// An account operation's refusal as an API error; a rate limit is counted.
pub fn refused(state: &AppState, e: AccountsError) -> ApiError {
    if let AccountsError::RateLimited { limit, .. } = &e {
        state
            .metrics
            .rate_limited
            .with_label_values(&[*limit])
            .inc();
    }
    e.into()
}

/// The answer to an *options* request: the ceremony id and the browser's
/// `publicKey` options.
pub fn options_json(start: &CeremonyStart) -> serde_json::Value {
    serde_json::json!({ "ceremony": start.id, "publicKey": start.public_key })
}

/// The body of a registration *finish* request.
#[derive(Debug, Deserialize)]
pub struct RegistrationBody {
    pub ceremony: String,
    pub credential: serde_json::Value,
    /// Where the page wants to go afterwards (enrolment only).
    #[serde(default)]
    pub next: Option<String>,
}

/// Only paths on this site are followed after sign-in (no open redirect);
/// anything else goes to the account page. `next` is resolved as a URL
/// (`return_to::same_origin_path`) against a stand-in origin: an accepted
/// value is a path without authority, so it stays on the issuer's origin
/// whatever that is.
pub fn safe_next(next: Option<&str>) -> String {
    const FALLBACK: &str = "/account";
    let Ok(base) = url::Url::parse(crate::return_to::BASE) else {
        return FALLBACK.to_owned();
    };
    next.and_then(|n| crate::return_to::same_origin_path(n, &base))
        .unwrap_or_else(|| FALLBACK.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_followed_only_for_local_paths() {
        assert_eq!(safe_next(Some("/authorize?x=1")), "/authorize?x=1");
        assert_eq!(safe_next(Some("//evil.example/")), "/account");
        assert_eq!(safe_next(Some("https://evil.example/")), "/account");
        assert_eq!(safe_next(Some("/\\evil.example")), "/account");
        assert_eq!(safe_next(None), "/account");
        assert_eq!(safe_next(Some("/\t/evil.example")), "/account");
        assert_eq!(safe_next(Some("/\n/evil.example")), "/account");
        assert_eq!(safe_next(Some("/.//evil.example")), "/account");
    }
}
