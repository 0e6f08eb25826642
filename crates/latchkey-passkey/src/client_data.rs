//! The origin checks on the client data a browser signs over
//! (`clientDataJSON`), done here because webauthn-rs 0.6.2 does not do all
//! of them.
//!
//! webauthn-rs parses `origin` as a URL and compares it with the configured
//! ones after URL normalisation, so `https://id.example.com/` (or a path
//! after the origin) passes for `https://id.example.com`; it refuses
//! `crossOrigin: true` at registration only, and ignores `topOrigin`
//! altogether. WebAuthn Level 3 (§7.1 steps 9–10, §7.2 steps 9–10) asks the
//! relying party to check all three: Latchkey's pages are never framed
//! (`frame-ancestors 'none'`), so a credential is used only from a
//! top-level page of a configured origin.

use serde::Deserialize;
use url::Url;

use crate::error::PasskeyError;

/// The members of `CollectedClientData` checked here; the rest (type,
/// challenge) is checked by webauthn-rs.
#[derive(Debug, Deserialize)]
struct Collected {
    origin: String,
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
    #[serde(rename = "topOrigin", default)]
    top_origin: Option<String>,
}

/// Checks the client data of a registration or sign-in response.
///
/// Security invariants enforced here:
/// - `origin` is byte for byte the serialisation of a configured origin
///   (`scheme://host[:port]`, no trailing slash, path or upper case):
///   anything else is `OriginMismatch`;
/// - `crossOrigin` is absent or `false`: the ceremony did not run in a frame
///   of another origin (`CrossOrigin`);
/// - `topOrigin`, if present, is a configured origin (`TopOriginMismatch`).
///
/// Client data that is not a JSON object with a string `origin` (or carries
/// a member twice) is `MalformedResponse`.
pub(crate) fn check(client_data_json: &[u8], origins: &[Url]) -> Result<(), PasskeyError> {
    let c: Collected = serde_json::from_slice(client_data_json).map_err(PasskeyError::malformed)?;
    let ours = |text: &str| {
        origins
            .iter()
            .any(|o| o.origin().ascii_serialization() == text)
    };
    if !ours(&c.origin) {
        return Err(PasskeyError::OriginMismatch);
    }
    if c.cross_origin == Some(true) {
        return Err(PasskeyError::CrossOrigin);
    }
    if let Some(top) = &c.top_origin
        && !ours(top)
    {
        return Err(PasskeyError::TopOriginMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> Vec<Url> {
        vec![
            Url::parse("https://id.example.com").unwrap(),
            Url::parse("https://login.example.com:8443").unwrap(),
        ]
    }

    fn code(json: &str) -> &'static str {
        match check(json.as_bytes(), &origins()) {
            Ok(()) => "ok",
            Err(e) => e.reason_code(),
        }
    }

    #[test]
    fn only_the_exact_serialised_origin_passes() {
        assert_eq!(code(r#"{"origin":"https://id.example.com"}"#), "ok");
        assert_eq!(
            code(r#"{"origin":"https://login.example.com:8443","crossOrigin":false}"#),
            "ok"
        );
        for bad in [
            "https://id.example.com/",
            "https://id.example.com/signin",
            "HTTPS://ID.EXAMPLE.COM",
            "https://id.example.com:443",
            "https://login.example.com",
            "http://id.example.com",
            "https://evil.example",
            "",
        ] {
            let json = format!(r#"{{"origin":{}}}"#, serde_json::to_string(bad).unwrap());
            assert_eq!(code(&json), "origin_mismatch", "{bad}");
        }
    }

    #[test]
    fn cross_origin_and_foreign_top_origins_are_refused() {
        assert_eq!(
            code(r#"{"origin":"https://id.example.com","crossOrigin":true}"#),
            "cross_origin"
        );
        assert_eq!(
            code(
                r#"{"origin":"https://id.example.com","crossOrigin":false,"topOrigin":"https://evil.example"}"#
            ),
            "top_origin_mismatch"
        );
        assert_eq!(
            code(r#"{"origin":"https://id.example.com","topOrigin":"https://id.example.com"}"#),
            "ok"
        );
    }

    #[test]
    fn unreadable_client_data_is_malformed() {
        for bad in [
            "",
            "[]",
            r#"{"origin":1}"#,
            r#"{"origin":"https://id.example.com","crossOrigin":"true"}"#,
            r#"{"origin":"https://evil.example","origin":"https://id.example.com"}"#,
        ] {
            assert_eq!(code(bad), "malformed_response", "{bad}");
        }
    }
}
