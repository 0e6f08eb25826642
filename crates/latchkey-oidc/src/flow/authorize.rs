//! The authorization endpoint's operations: a new request, its return from
//! sign-in, and the answer of the consent page.

use std::collections::BTreeSet;

use latchkey_core::{AuthenticatedSubject, ClientId};
use latchkey_store::{accounts, client_presentations, consents};

use super::decide::{Decision, Situation, decide};
use super::{AuthorizeStep, ConsentPrompt, FlowError, NS_PENDING, Pending};
use crate::authorize::{
    self as authz, AuthorizeError, ClientFacts, RedirectError, UntrustedRequest,
};
use crate::clients::presentation::{Requesting, RequestingApp};
use crate::clients::{self, RegisteredClient};
use crate::provider::Provider;

/// The longest pending-request id accepted (ours are 43 characters).
const MAX_REQUEST_ID: usize = 128;

/// A stored authorization request as read from the session store.
#[derive(Debug)]
pub struct StoredRequest {
    id: String,
    pending: Pending,
}

impl StoredRequest {
    /// The request's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The client the request is for.
    pub fn client_id(&self) -> &ClientId {
        &self.pending.request.client_id
    }
}

/// The request's `ui_locales`, space-separated; `None` when it asked for
/// none.
fn ui_locales_of(pending: &Pending) -> Option<String> {
    let asked = &pending.request.ui_locales;
    (!asked.is_empty()).then(|| asked.join(" "))
}

impl Provider {
    /// The enabled client with this id, parsed: a row that does not parse
    /// is a server error, never a client with fewer requirements.
    pub(crate) async fn active_client(
        &self,
        id: ClientId,
    ) -> Result<Option<RegisteredClient>, latchkey_store::StoreError> {
        self.db().run(move |c| clients::find_active(c, &id)).await
    }

    /// A new authorization request (the query parameters of
    /// `GET /authorize`), from a browser at `ip` where `subject` is signed
    /// in.
    ///
    /// Until the client and its redirect URI are known to be valid, errors
    /// are [`FlowError::Untrusted`] (a page, never a redirect); after that
    /// every refusal goes back to the client. The request is stored only
    /// when the browser must go to sign-in or consent first (see
    /// [`super::pending`]).
    ///
    /// `held_back`: someone is signed in in this browser, but the web layer
    /// holds the session back from this client (its passkey fails the
    /// client's attestation policy) and passes no subject. A silent request
    /// (`prompt=none`) then answers `interaction_required`: the user is
    /// signed in and must act, which `login_required` would misstate.
    pub async fn authorize(
        &self,
        params: &[(String, String)],
        subject: Option<AuthenticatedSubject>,
        held_back: bool,
        ip: &str,
    ) -> Result<AuthorizeStep, FlowError> {
        let client_id = authz::client_id(params)?;
        let client = self
            .active_client(client_id)
            .await?
            .ok_or(UntrustedRequest::UnknownClient)?;
        let facts = ClientFacts {
            id: client.id.clone(),
            redirect_uris: client.redirect_uris.clone(),
            scopes: client.scopes.clone(),
            resources: client.resources.clone(),
        };
        let request = match authz::validate(params, &facts) {
            Ok(r) => r,
            Err(AuthorizeError::Untrusted(e)) => return Err(e.into()),
            Err(AuthorizeError::Redirect(e)) => {
                return Ok(AuthorizeStep::Redirect(e.to_url(self.issuer())));
            }
        };
        if held_back && subject.is_none() && request.prompt.none {
            let e = RedirectError {
                redirect_uri: request.redirect_uri.clone(),
                state: request.state.clone(),
                error: "interaction_required",
                description: "The passkey this session signed in with does not meet the application's authenticator policy.".to_owned(),
            };
            return Ok(AuthorizeStep::Redirect(e.to_url(self.issuer())));
        }
        let now = self.now();
        let stale = match (request.max_age, &subject) {
            (Some(max_age), Some(me)) => (now - me.auth_time).num_seconds() >= max_age,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let pending = Pending {
            fresh_auth_required: request.prompt.login || stale,
            request,
            created_at: now,
            session_at_request: subject.as_ref().map(|m| m.session_handle.clone()),
        };
        let me = subject.as_ref();
        match (self.decision(&pending, &client, me, false).await?, me) {
            (Decision::Redirect(e), _) => Ok(AuthorizeStep::Redirect(e.to_url(self.issuer()))),
            (Decision::IssueCode, Some(me)) => self.mint_code(&pending.request, me).await,
            (waits, _) => {
                let encoded = match super::pending::encode(&pending)? {
                    Ok(bytes) => bytes,
                    Err(too_large) => {
                        return Ok(AuthorizeStep::Redirect(too_large.to_url(self.issuer())));
                    }
                };
                let id = self.keep_pending(&encoded, ip).await?;
                self.act(&id, &pending, &client, me, waits).await
            }
        }
    }

    /// The request `request_id` again, after the user signed in.
    pub async fn continue_authorization(
        &self,
        request_id: &str,
        subject: Option<AuthenticatedSubject>,
    ) -> Result<AuthorizeStep, FlowError> {
        let stored = self.stored_request(request_id).await?;
        self.continue_stored(&stored, subject).await
    }

    /// The stored request `request_id`, read once: the web layer checks
    /// its client's authenticator policy against the session, then
    /// continues it with [`Provider::continue_stored`].
    pub async fn stored_request(&self, request_id: &str) -> Result<StoredRequest, FlowError> {
        Ok(StoredRequest {
            id: request_id.to_owned(),
            pending: self.pending(request_id).await?,
        })
    }

    /// [`Provider::continue_authorization`] for a request already read.
    pub async fn continue_stored(
        &self,
        stored: &StoredRequest,
        subject: Option<AuthenticatedSubject>,
    ) -> Result<AuthorizeStep, FlowError> {
        let client = self.pending_client(&stored.pending).await?;
        self.proceed(
            &stored.id,
            &stored.pending,
            &client,
            subject.as_ref(),
            false,
        )
        .await
    }

    /// The client of the stored request `request_id` (so that the web
    /// layer can check the client's authenticator policy against the
    /// session before continuing it).
    pub async fn pending_client_id(&self, request_id: &str) -> Result<ClientId, FlowError> {
        Ok(self.pending(request_id).await?.request.client_id)
    }

    /// The stored request `request_id` as the pages on its way show it:
    /// its `ui_locales` and its application, the client and its
    /// presentation read in one database call. Empty when the request is
    /// gone; without an application when its client is gone.
    pub async fn requesting(&self, request_id: &str) -> Result<Requesting, FlowError> {
        let pending = match self.pending(request_id).await {
            Ok(p) => p,
            Err(FlowError::RequestGone) => return Ok(Requesting::default()),
            Err(e) => return Err(e),
        };
        let ui_locales = ui_locales_of(&pending);
        let id = pending.request.client_id.clone();
        let found = self
            .db()
            .run(move |c| {
                let Some(client) = clients::find_active(c, &id)? else {
                    return Ok(None);
                };
                let shown = client_presentations::find(c, &id)?.unwrap_or_default();
                Ok(Some((client, shown)))
            })
            .await?;
        let app = found.map(|(client, shown)| RequestingApp {
            has_logo: shown.logo.is_some(),
            client_uri: shown.client_uri,
            policy_uri: shown.policy_uri,
            tos_uri: shown.tos_uri,
            id: client.id,
            name: client.name,
        });
        Ok(Requesting { ui_locales, app })
    }

    /// The `ui_locales` of the stored request `request_id`, space-separated
    /// (for the pages on its way); `None` when it asked for none or is gone.
    pub async fn requesting_ui_locales(
        &self,
        request_id: &str,
    ) -> Result<Option<String>, FlowError> {
        match self.pending(request_id).await {
            Ok(p) => Ok(ui_locales_of(&p)),
            Err(FlowError::RequestGone) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Whether the signed-in `subject` must go through a new passkey
    /// ceremony before the stored request `request_id` can go on
    /// (`prompt=login`, `max_age` exceeded, a stronger acr than the
    /// session's). `false` when the request or its client is gone:
    /// continuing then says so.
    pub async fn sign_in_needed(
        &self,
        request_id: &str,
        subject: &AuthenticatedSubject,
    ) -> Result<bool, FlowError> {
        let pending = match self.pending(request_id).await {
            Ok(p) => p,
            Err(FlowError::RequestGone) => return Ok(false),
            Err(e) => return Err(e),
        };
        let client = match self.pending_client(&pending).await {
            Ok(c) => c,
            Err(FlowError::ClientGone) => return Ok(false),
            Err(e) => return Err(e),
        };
        let decision = self
            .decision(&pending, &client, Some(subject), false)
            .await?;
        Ok(matches!(decision, Decision::SignIn | Decision::SignUp))
    }

    /// The consent page's answer for `request_id`: `shown_to` is the account
    /// the page was shown to, `allow` the user's decision, `ip` the
    /// browser's address (audited with a consent).
    pub async fn answer_consent(
        &self,
        request_id: &str,
        shown_to: &str,
        allow: bool,
        subject: Option<AuthenticatedSubject>,
        ip: &str,
    ) -> Result<AuthorizeStep, FlowError> {
        let pending = self.pending(request_id).await?;
        let Some(me) = subject else {
            return Ok(AuthorizeStep::SignIn {
                request_id: request_id.to_owned(),
                sign_up: false,
            });
        };
        let r = &pending.request;
        // Someone else signed in in this browser since the page was shown:
        // the answer was not theirs to give; ask them.
        if shown_to != me.user.to_string() {
            let client = self.pending_client(&pending).await?;
            return self
                .proceed(request_id, &pending, &client, Some(&me), false)
                .await;
        }
        if !allow {
            self.sessions().take(NS_PENDING, request_id).await?;
            let denied = RedirectError {
                redirect_uri: r.redirect_uri.clone(),
                state: r.state.clone(),
                error: "access_denied",
                description: "The user did not allow the request.".into(),
            };
            return Ok(AuthorizeStep::Redirect(denied.to_url(self.issuer())));
        }
        let client = self.pending_client(&pending).await?;
        self.grant_consent(me.user, &r.client_id, &r.scopes, ip)
            .await?;
        self.proceed(request_id, &pending, &client, Some(&me), true)
            .await
    }

    async fn pending(&self, request_id: &str) -> Result<Pending, FlowError> {
        if request_id.is_empty() || request_id.len() > MAX_REQUEST_ID {
            return Err(FlowError::RequestGone);
        }
        let bytes = self
            .sessions()
            .get(NS_PENDING, request_id)
            .await?
            .ok_or(FlowError::RequestGone)?;
        serde_json::from_slice(&bytes).map_err(|e| FlowError::Server(Box::new(e)))
    }

    async fn pending_client(&self, pending: &Pending) -> Result<RegisteredClient, FlowError> {
        self.active_client(pending.request.client_id.clone())
            .await?
            .ok_or(FlowError::ClientGone)
    }

    /// Decides and acts on the decision for the stored request
    /// `request_id`; `consent_given_now` when the user has just allowed the
    /// client on this request's consent page.
    async fn proceed(
        &self,
        request_id: &str,
        pending: &Pending,
        client: &RegisteredClient,
        subject: Option<&AuthenticatedSubject>,
        consent_given_now: bool,
    ) -> Result<AuthorizeStep, FlowError> {
        let decision = self
            .decision(pending, client, subject, consent_given_now)
            .await?;
        self.act(request_id, pending, client, subject, decision)
            .await
    }

    /// What happens next with `pending` ([`decide`], with the subject's
    /// consent for a third-party client read from the database).
    async fn decision(
        &self,
        pending: &Pending,
        client: &RegisteredClient,
        subject: Option<&AuthenticatedSubject>,
        consent_given_now: bool,
    ) -> Result<Decision, FlowError> {
        let granted: Option<BTreeSet<String>> = match subject {
            Some(me) if !client.first_party => {
                let (user, cid) = (me.user, client.id.clone());
                self.db()
                    .run(move |c| consents::find(c, user, &cid))
                    .await?
            }
            _ => None,
        };
        Ok(decide(&Situation {
            pending,
            client,
            subject,
            granted: granted.as_ref(),
            consent_given_now,
            signup_open: self.signup_open().await?,
        }))
    }

    /// Acts on `decision` for the stored request `request_id`. A request
    /// that ends — with a code or an error — is taken from the store.
    async fn act(
        &self,
        request_id: &str,
        pending: &Pending,
        client: &RegisteredClient,
        subject: Option<&AuthenticatedSubject>,
        decision: Decision,
    ) -> Result<AuthorizeStep, FlowError> {
        match (decision, subject) {
            (Decision::SignIn, _) => Ok(AuthorizeStep::SignIn {
                request_id: request_id.to_owned(),
                sign_up: false,
            }),
            (Decision::SignUp, _) => Ok(AuthorizeStep::SignIn {
                request_id: request_id.to_owned(),
                sign_up: true,
            }),
            (Decision::Redirect(e), _) => {
                self.sessions().take(NS_PENDING, request_id).await?;
                Ok(AuthorizeStep::Redirect(e.to_url(self.issuer())))
            }
            (Decision::Consent, Some(me)) => {
                let user = me.user;
                let account = self.db().run(move |c| accounts::user(c, user)).await?;
                Ok(AuthorizeStep::Consent(ConsentPrompt {
                    request_id: request_id.to_owned(),
                    client_name: client.name.clone(),
                    user,
                    username: account.username,
                    scopes: pending.request.scopes.iter().cloned().collect(),
                    redirect_uri: pending.request.redirect_uri.clone(),
                }))
            }
            (Decision::IssueCode, Some(me)) => self.issue_code(request_id, pending, me).await,
            // Consent and codes are decided only for a signed-in subject.
            (Decision::Consent | Decision::IssueCode, None) => Ok(AuthorizeStep::SignIn {
                request_id: request_id.to_owned(),
                sign_up: false,
            }),
        }
    }
}
