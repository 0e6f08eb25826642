//! When an authorization request is kept, and how much of it.
//!
//! A request is stored only when the user has to be sent somewhere first —
//! to sign in, to sign up, to the consent page — because only then must it
//! outlive the response. Every other outcome is answered at once and leaves
//! nothing behind: `prompt=none` (whatever the outcome), a signed-in user
//! whose consent covers the request (the code is issued directly), and every
//! error. What is stored is bounded ([`MAX_PENDING_BYTES`], after the
//! per-parameter bounds of `authorize::validate`), and so is how often one
//! address may make the server store one ([`PENDING_REQUESTS_PER_IP`]).

use chrono::Duration;
use latchkey_session::Limit;

use super::{FlowError, NS_PENDING, PENDING_TTL, Pending};
use crate::authorize::RedirectError;
use crate::provider::Provider;

/// The largest stored pending request, in bytes of its JSON. Every value a
/// client can send within the parameter bounds fits (a 2000-character
/// redirect URI, a 2048-character `state`, a 512-character `nonce`, a
/// 256-character `login_hint`, 256 bytes of `ui_locales`: about 5.5 KB); what does not is a request
/// whose text swells when encoded (control characters in `state` take six
/// bytes each), refused rather than stored.
pub const MAX_PENDING_BYTES: usize = 6 * 1024;

/// New pending requests from one IP address: as many as sign-in ceremonies
/// may start from it (`ceremony-ip`), since each one leads to a sign-in.
pub const PENDING_REQUESTS_PER_IP: Limit = Limit {
    name: "authorize-ip",
    max: 60,
    window: Duration::minutes(1),
};

/// The stored form of `pending`, or the protocol's refusal when it is over
/// [`MAX_PENDING_BYTES`] (sent to the request's validated redirect URI).
pub fn encode(pending: &Pending) -> Result<Result<Vec<u8>, RedirectError>, FlowError> {
    let bytes = serde_json::to_vec(pending).map_err(|e| FlowError::Server(Box::new(e)))?;
    if bytes.len() > MAX_PENDING_BYTES {
        let r = &pending.request;
        return Ok(Err(RedirectError {
            redirect_uri: r.redirect_uri.clone(),
            state: r.state.clone(),
            error: "invalid_request",
            description: "The request is too large.".into(),
        }));
    }
    Ok(Ok(bytes))
}

impl Provider {
    /// Stores an encoded pending request for a browser at `ip`, counted
    /// against [`PENDING_REQUESTS_PER_IP`] first; returns its new id.
    pub(super) async fn keep_pending(&self, encoded: &[u8], ip: &str) -> Result<String, FlowError> {
        if let Some(over) = self
            .sessions()
            .check_limit(PENDING_REQUESTS_PER_IP, ip)
            .await?
        {
            return Err(FlowError::RateLimited {
                limit: over.limit,
                retry_after: over.retry_after,
            });
        }
        let id = super::new_request_id()?;
        self.sessions()
            .put(NS_PENDING, &id, encoded, PENDING_TTL)
            .await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use latchkey_core::ClientId;

    use super::*;
    use crate::authorize::{AuthorizationRequest, Prompt};

    fn pending(state: &str) -> Pending {
        Pending {
            request: AuthorizationRequest {
                client_id: ClientId::parse("lk_client_0123456789abcdefghij").unwrap(),
                redirect_uri: format!("https://app.example/{}", "c".repeat(1975)),
                scopes: ["openid", "profile", "email", "offline_access"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
                state: Some(state.to_owned()),
                nonce: Some("n".repeat(512)),
                code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM".into(),
                prompt: Prompt::default(),
                max_age: Some(i64::MAX),
                acr: None,
                login_hint: Some("h".repeat(256)),
                resources: Default::default(),
                // Within the parameter's 256 bytes: seven 35-byte tags.
                ui_locales: vec!["u".repeat(35); 7],
            },
            created_at: DateTime::UNIX_EPOCH,
            fresh_auth_required: true,
            session_at_request: Some("f".repeat(64)),
        }
    }

    #[test]
    fn a_request_at_every_parameter_bound_fits_and_one_that_swells_when_encoded_does_not() {
        let fits = pending(&"s".repeat(crate::authorize::MAX_PARAM));
        let bytes = encode(&fits).unwrap().expect("within the bound");
        assert!(bytes.len() <= MAX_PENDING_BYTES, "{}", bytes.len());

        let swells = pending(&"\u{1}".repeat(crate::authorize::MAX_PARAM));
        let refused = encode(&swells).unwrap().expect_err("over the bound");
        assert_eq!(refused.error, "invalid_request");
        assert_eq!(refused.redirect_uri, swells.request.redirect_uri);
        assert_eq!(refused.state, swells.request.state);
    }
}
