//! RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) and the end
//! of OpenID Connect sessions. The browser session itself belongs to the
//! caller; what ends here is what relying parties hold through it.

use latchkey_core::ClientId;
use latchkey_store::StoreError;

use crate::authorize::with_query;
use crate::error::{FlowError, LogoutRefusal};
use crate::jwt::IdTokenHint;
use crate::provider::Provider;
use crate::refresh::{self, RefreshError};

/// A logout request's parameters.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogoutRequest<'a> {
    pub id_token_hint: Option<&'a str>,
    pub post_logout_redirect_uri: Option<&'a str>,
    pub client_id: Option<&'a str>,
    pub state: Option<&'a str>,
}

/// A logout request whose hint and return address were checked.
#[derive(Debug, Clone)]
pub struct ValidLogout {
    /// The verified hint: whose session the client means to end.
    pub hint: Option<IdTokenHint>,
    /// Where to send the browser afterwards, `state` included.
    pub redirect: Option<String>,
}

impl Provider {
    /// The hint if it is an ID token this server signed (expired ones
    /// included: a hint is usually old).
    pub fn verify_id_token_hint(&self, token: &str) -> Option<IdTokenHint> {
        self.keys()
            .current()
            .verify_id_token_hint(token, self.issuer())
            .ok()
    }

    /// Checks a logout request before anything happens: the hint must be
    /// ours, and the return address registered for an enabled client (never
    /// redirect to an unregistered address).
    pub async fn validate_logout(&self, q: LogoutRequest<'_>) -> Result<ValidLogout, FlowError> {
        let hint = q.id_token_hint.and_then(|t| self.verify_id_token_hint(t));
        if q.id_token_hint.is_some() && hint.is_none() {
            return Err(LogoutRefusal::ForeignHint.into());
        }
        let client_id = match (&hint, q.client_id) {
            (Some(h), Some(c)) if h.audience() != Some(c) => {
                return Err(LogoutRefusal::HintForAnotherClient.into());
            }
            (Some(h), _) => h.audience().map(str::to_owned),
            (None, c) => c.map(str::to_owned),
        };
        let redirect = match q.post_logout_redirect_uri {
            Some(uri) => {
                let id = client_id
                    .as_deref()
                    .and_then(|c| ClientId::parse(c).ok())
                    .ok_or(LogoutRefusal::RedirectWithoutClient)?;
                let client = self
                    .active_client(id)
                    .await?
                    .ok_or(LogoutRefusal::UnknownClient)?;
                let uri = client
                    .post_logout_redirect_uri(uri)
                    .ok_or(LogoutRefusal::UnregisteredRedirect)?;
                let fields: Vec<(&str, &str)> = q.state.iter().map(|s| ("state", *s)).collect();
                Some(with_query(uri, &fields))
            }
            None => None,
        };
        Ok(ValidLogout { hint, redirect })
    }

    /// Ends what relying parties hold through these OpenID Connect sessions
    /// (a browser session ended on purpose): [`refresh::end_sessions`].
    pub async fn end_sessions(&self, sids: Vec<String>) -> Result<(), StoreError> {
        if sids.is_empty() {
            return Ok(());
        }
        let (audit, now) = (self.audit(), self.now());
        self.db()
            .run(move |c| {
                refresh::end_sessions(c, &audit, &sids, now).map_err(RefreshError::into_store)
            })
            .await
    }
}
