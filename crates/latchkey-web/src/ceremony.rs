//! What every passkey ceremony endpoint shares: ceremony ids and state in the
//! session store (single use, 5 minutes), outcome logging and metrics, and
//! parsing of user input.

use chrono::Duration;
use latchkey_core::{PlainToken, TokenKind, UserId};
use latchkey_passkey::PasskeyError;
use serde::{Serialize, de::DeserializeOwned};

use crate::error::ApiError;
use crate::state::AppState;

/// A ceremony's challenge lives this long, and is used at most once.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);

/// Session-store namespaces of ceremony state.
pub const NS_SIGNIN: &str = "ceremony-signin";
pub const NS_ENROL: &str = "ceremony-enrol";
pub const NS_ADD: &str = "ceremony-add";
pub const NS_STEPUP: &str = "ceremony-stepup";

/// A fresh, unguessable ceremony id.
pub fn new_id() -> String {
    PlainToken::generate(TokenKind::Session).expose()[4..].to_owned()
}

/// Keeps ceremony state server-side until the browser finishes.
pub async fn save<T: Serialize>(
    state: &AppState,
    ns: &str,
    id: &str,
    value: &T,
) -> Result<(), ApiError> {
    Ok(state
        .sessions
        .put_json(ns, id, value, CHALLENGE_TTL)
        .await?)
}

/// Takes ceremony state (single use). Unknown, used or expired ids are one
/// error: the challenge is no longer valid.
pub async fn take<T: DeserializeOwned>(
    state: &AppState,
    ns: &str,
    id: &str,
) -> Result<T, ApiError> {
    if id.is_empty() || id.len() > 128 {
        return Err(challenge_gone());
    }
    state
        .sessions
        .take_json(ns, id)
        .await?
        .ok_or_else(challenge_gone)
}

fn challenge_gone() -> ApiError {
    ApiError::Ceremony {
        code: "challenge_expired",
        message: "This sign-in request has expired or was already used. Try again.".into(),
    }
}

/// Maps a ceremony failure to its API error (code = reason code).
pub fn failed(e: &PasskeyError) -> ApiError {
    if e.is_internal() {
        return ApiError::Internal(Box::new(std::io::Error::other(e.to_string())));
    }
    ApiError::Ceremony {
        code: e.reason_code(),
        message: e.to_string(),
    }
}

/// One ceremony outcome, for the log and the metrics.
#[derive(Debug)]
pub struct Outcome<'a> {
    pub ceremony: &'static str,
    pub flow: &'a str,
    pub user: Option<UserId>,
    pub credential: Option<&'a str>,
    pub platform: &'a str,
    /// `success` or a failure reason code.
    pub result: &'a str,
}

/// Logs and counts a ceremony outcome. Flow and result are bounded sets.
pub fn record(state: &AppState, o: &Outcome<'_>) {
    let flow = match o.flow {
        "autofill" | "modal" | "cross-device" | "enrolment" | "add" | "step-up" => o.flow,
        _ => "other",
    };
    state
        .metrics
        .ceremonies
        .with_label_values(&[o.ceremony, flow, o.result])
        .inc();
    let user = o.user.map(|u| u.to_string()).unwrap_or_default();
    let credential = o.credential.unwrap_or_default();
    if o.result == "success" {
        tracing::info!(target: "latchkey::ceremony", ceremony = o.ceremony, flow, user, credential, platform = o.platform, outcome = o.result, "passkey ceremony succeeded");
    } else {
        tracing::warn!(target: "latchkey::ceremony", ceremony = o.ceremony, flow, user, credential, platform = o.platform, outcome = o.result, reason = o.result, "passkey ceremony failed");
    }
}

/// Usernames: 3–64 characters of `a-z 0-9 . _ - @`, case-folded.
pub fn parse_username(raw: &str) -> Result<String, ApiError> {
    let u = raw.trim().to_lowercase();
    let ok = (3..=64).contains(&u.chars().count())
        && u.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@".contains(c));
    if ok {
        Ok(u)
    } else {
        Err(ApiError::bad_request(
            "invalid_username",
            "A username has 3 to 64 characters: letters, digits, '.', '-', '_' or '@'.",
        ))
    }
}

/// Display names: 1–100 characters, no control characters.
pub fn parse_display_name(raw: &str) -> Result<String, ApiError> {
    let d = raw.trim();
    if d.is_empty() || d.chars().count() > 100 || d.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid_display_name",
            "A name has 1 to 100 characters and no control characters.",
        ));
    }
    Ok(d.to_owned())
}

/// Passkey labels: up to 64 characters, no control characters.
pub fn parse_label(raw: &str) -> Result<Option<String>, ApiError> {
    let l = raw.trim();
    if l.chars().count() > 64 || l.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid_label",
            "A passkey name has at most 64 characters and no control characters.",
        ));
    }
    Ok((!l.is_empty()).then(|| l.to_owned()))
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

    #[test]
    fn usernames_are_case_folded_and_limited() {
        assert_eq!(parse_username(" Alice.Smith ").unwrap(), "alice.smith");
        assert!(parse_username("ab").is_err());
        assert!(parse_username("alice smith").is_err());
        assert!(parse_username("<script>").is_err());
        assert!(parse_display_name("\u{7}bell").is_err());
        assert!(parse_label(&"x".repeat(65)).is_err());
        assert_eq!(parse_label("  ").unwrap(), None);
    }
}
