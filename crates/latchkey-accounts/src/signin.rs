//! Sign-in and step-up: one discoverable-passkey assertion, verified against
//! the stored passkey, turned into a session or a fresher one.

use latchkey_core::{AuditEventKind, UserId};
use latchkey_passkey::{
    AuthOutcome, AuthenticationState, BoundAuthenticationState, PasskeyError, StoredPasskey,
};
use latchkey_session::{SessionData, new_sid};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::credentials::{self, Credential};
use latchkey_store::users::User;
use serde::{Deserialize, Serialize};

use crate::ceremony::{
    CeremonyKind, CeremonyOutcome, CeremonyStart, ClientInfo, Finished, Flow, NS_SIGNIN, NS_STEPUP,
    bounded_user_agent,
};
use crate::error::AccountsError;
use crate::ratelimit::{
    CEREMONIES_PER_ACCOUNT, CEREMONY_STARTS_PER_IP, UNKNOWN_CREDENTIALS_PER_IP,
};
use crate::service::{Accounts, ActiveSession, NewSession};

#[derive(Debug, Serialize, Deserialize)]
struct SignInState {
    auth: AuthenticationState,
}

#[derive(Debug, Serialize, Deserialize)]
struct StepUpState {
    auth: AuthenticationState,
    session: String,
}

/// A verified assertion: the account, the passkey used and the outcome.
pub(crate) struct Verified {
    pub user: UserId,
    pub credential: Credential,
    /// The account, read when the passkey's use was recorded.
    pub account: User,
    pub outcome: AuthOutcome,
    /// The binding a bound assertion was signed over.
    pub bound_digest: Option<[u8; 32]>,
}

/// The server-side state of the assertion being verified.
pub(crate) enum Pending {
    /// A discoverable sign-in or step-up.
    Discoverable(AuthenticationState),
    /// An assertion bound to a decision, limited to one account's passkeys.
    Bound(BoundAuthenticationState),
}

/// A failure with the account it concerns, when known.
pub(crate) type Failure = (AccountsError, Option<UserId>, Option<&'static str>);

pub(crate) fn fail(e: impl Into<AccountsError>, user: Option<UserId>) -> Failure {
    (e.into(), user, None)
}

/// A sign-in to finish.
#[derive(Debug, Clone, Copy)]
pub struct SignIn<'a> {
    /// The ceremony id from [`Accounts::start_sign_in`].
    pub ceremony: &'a str,
    /// The browser's `PublicKeyCredential`, as JSON.
    pub response: &'a str,
    pub flow: Flow,
    pub client: &'a ClientInfo,
    /// The session this browser has now, if any: it is replaced.
    pub previous: Option<&'a ActiveSession>,
}

impl Accounts {
    /// Starts a discoverable authentication (for autofill or the button).
    /// Counted against the client's per-IP limit.
    pub async fn start_sign_in(&self, client: &ClientInfo) -> Result<CeremonyStart, AccountsError> {
        self.limit(CEREMONY_STARTS_PER_IP, &client.ip).await?;
        let (options, auth) = self.rp().start_authentication()?;
        self.save_ceremony(NS_SIGNIN, &options, &SignInState { auth })
            .await
    }

    /// Finishes a sign-in: verifies the assertion against the stored
    /// passkey, refuses a disabled account, starts a new session (a new
    /// token at every sign-in; the OpenID Connect `sid` is kept when the
    /// same user signs in again in this browser), ends the browser's
    /// previous session, and audits the outcome.
    pub async fn finish_sign_in(&self, req: SignIn<'_>) -> Finished<NewSession> {
        let outcome = CeremonyOutcome::new(CeremonyKind::Authentication, req.flow, req.client);
        let result = self.sign_in(&req).await;
        let mut finished = Finished::done(outcome, result);
        if let Ok(s) = &finished.result {
            finished.outcome.user = Some(s.user);
            finished.outcome.credential = Some(s.credential.clone());
        }
        finished
    }

    async fn sign_in(&self, req: &SignIn<'_>) -> Result<NewSession, Failure> {
        let saved: SignInState = self
            .take_ceremony(NS_SIGNIN, req.ceremony)
            .await
            .map_err(|e| fail(e, None))?;
        let verified = match self
            .verify_assertion(
                req.response,
                Pending::Discoverable(saved.auth),
                &req.client.ip,
            )
            .await
        {
            Ok(v) => v,
            Err(failure) => {
                if let (e, Some(user), _) = &failure {
                    self.audit_failure(*user, &req.client.ip, e.code()).await;
                }
                return Err(failure);
            }
        };
        let user = verified.user;
        if verified.account.is_disabled() {
            return Err(fail(AccountsError::AccountDisabled, Some(user)));
        }
        let now = self.now();
        // The same user signing in again (a step-up) keeps the OIDC session id.
        let sid = req
            .previous
            .filter(|p| p.user_id() == user)
            .map_or_else(new_sid, |p| p.data.sid.clone());
        let data = SessionData {
            auth_time: now,
            uv_at: now,
            acr: verified.outcome.acr,
            amr: verified.outcome.amr.clone(),
            credential: Some(verified.credential.id.clone()),
            flow: req.flow.as_str().to_owned(),
            platform: req.client.platform.to_owned(),
            user_agent: bounded_user_agent(&req.client.user_agent),
            ip: req.client.ip.clone(),
            sid,
        };
        let session = self
            .create_session(user, &data, verified.credential.id.clone())
            .await
            .map_err(|e| fail(e, Some(user)))?;
        // Ends the session this browser had before, if any (no fixation).
        self.replace_previous(req.previous, &data.sid)
            .await
            .map_err(|e| fail(e, Some(user)))?;
        let (audit, cred_id, ip) = (
            self.audit(),
            verified.credential.id.clone(),
            req.client.ip.clone(),
        );
        let (flow, platform) = (req.flow.as_str(), req.client.platform);
        self.db()
            .run(move |c| {
                audit.append(
                    c,
                    now,
                    &NewAuditEvent::new(AuditEventKind::SignInSucceeded)
                        .actor(user)
                        .subject(cred_id)
                        .ip(ip)
                        .detail(serde_json::json!({ "flow": flow, "platform": platform })),
                )
            })
            .await
            .map_err(|e| fail(e, Some(user)))?;
        Ok(session)
    }

    /// Verifies an assertion against the stored passkey and records its use.
    /// The passkey must be active and belong to the account the response
    /// names.
    ///
    /// Security invariant: rate limits and the audit log are keyed on the
    /// owner of the stored passkey, never on the response's (unverified)
    /// user handle, so knowing a user's `sub` is not enough to lock them out
    /// or to write events about them. An unknown credential concerns no
    /// account and is counted per client address.
    pub(crate) async fn verify_assertion(
        &self,
        response: &str,
        pending: Pending,
        ip: &str,
    ) -> Result<Verified, Failure> {
        // The user handle is the client's claim: nothing is keyed on it.
        let webauthn_id = match &pending {
            Pending::Discoverable(_) => self.rp().identify(response).map(|i| i.credential_id),
            Pending::Bound(_) => self.rp().presented_credential_id(response),
        }
        .map_err(|e| fail(e, None))?;
        let row = self
            .db()
            .run(move |c| credentials::find_active_by_webauthn_id(c, &webauthn_id))
            .await
            .map_err(|e| fail(e, None))?;
        let Some(row) = row else {
            // No account is concerned: counted against the client's address
            // only, and not audited under whatever user the response names.
            self.limit(UNKNOWN_CREDENTIALS_PER_IP, ip)
                .await
                .map_err(|e| fail(e, None))?;
            return Err(fail(PasskeyError::UnknownCredential, None));
        };
        let owner = row.owner().map_err(|e| fail(e, None))?;
        // Attempts with an account's passkey count against that account.
        self.limit(CEREMONIES_PER_ACCOUNT, &owner.to_string())
            .await
            .map_err(|e| fail(e, Some(owner)))?;
        // Security invariant: a passkey flagged as a possible clone signs in
        // no more — whichever copy presents the next, higher counter — until
        // its owner (after a step-up) or an administrator clears the flag.
        if row.clone_suspected_at.is_some() {
            return Err(fail(AccountsError::CloneSuspected, Some(owner)));
        }
        let stored = StoredPasskey {
            owner,
            passkey_json: row.passkey_json.clone(),
            sign_count: u32::try_from(row.sign_count).unwrap_or(u32::MAX),
            attested: row.attested,
        };
        let now = self.now();
        let finished = match pending {
            Pending::Discoverable(auth) => self
                .rp()
                .finish_authentication(response, auth, &stored)
                .map(|outcome| (outcome, None)),
            Pending::Bound(auth) => self
                .rp()
                .finish_bound_authentication(response, auth, &stored)
                .map(|bound| (bound.outcome, Some(bound.bound_digest))),
        };
        match finished {
            Ok((outcome, bound_digest)) => {
                let id = row.credential_id().map_err(|e| fail(e, Some(owner)))?;
                let (json, counter, backup) = (
                    outcome.passkey_json.clone(),
                    i64::from(outcome.sign_count),
                    outcome.backup_state,
                );
                // The use and the account in one database call.
                let account = self
                    .db()
                    .run(move |c| {
                        credentials::record_use(c, id, &json, counter, backup, now)?;
                        latchkey_store::accounts::user(c, owner)
                    })
                    .await
                    .map_err(|e| fail(e, Some(owner)))?;
                Ok(Verified {
                    user: owner,
                    credential: row,
                    account,
                    outcome,
                    bound_digest,
                })
            }
            Err(e) => {
                if let PasskeyError::CounterRegression { stored, presented } = &e
                    && let Ok(id) = row.credential_id()
                {
                    self.flag_clone(owner, id, *stored, *presented, ip).await;
                }
                Err(fail(e, Some(owner)))
            }
        }
    }

    /// A counter that went backwards: the key may have been cloned. The
    /// passkey is flagged and the event audited.
    async fn flag_clone(
        &self,
        owner: UserId,
        id: latchkey_core::CredentialId,
        stored: u32,
        presented: u32,
        ip: &str,
    ) {
        let (audit, ip, now) = (self.audit(), ip.to_owned(), self.now());
        let result = self
            .db()
            .run(move |c| {
                latchkey_store::write_transaction(c, |c| {
                    credentials::mark_clone_suspected(c, id, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::PasskeyCloneSuspected)
                            .actor(owner)
                            .subject(id)
                            .ip(ip)
                            .detail(serde_json::json!({ "stored_counter": stored, "presented_counter": presented })),
                    )?;
                    Ok(())
                })
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "flagging a possibly cloned passkey failed");
        }
    }

    async fn audit_failure(&self, user: UserId, ip: &str, code: &'static str) {
        let (audit, ip, now) = (self.audit(), ip.to_owned(), self.now());
        let result = self
            .db()
            .run(move |c| {
                audit.append(
                    c,
                    now,
                    &NewAuditEvent::new(AuditEventKind::SignInFailed)
                        .subject(user)
                        .ip(ip)
                        .detail(serde_json::json!({ "reason": code })),
                )
            })
            .await;
        if let Err(e) = result {
            tracing::error!(error = %e, "recording a failed sign-in in the audit log failed");
        }
    }

    /// Whether the session's last user-verified ceremony is recent enough
    /// for a sensitive change; `StepUpRequired` otherwise.
    pub fn require_step_up(&self, me: &ActiveSession) -> Result<(), AccountsError> {
        if me.data.step_up_is_fresh(self.now()) {
            Ok(())
        } else {
            Err(AccountsError::StepUpRequired)
        }
    }

    /// Starts a step-up: a sign-in ceremony bound to this session. Counted
    /// against the account's limit.
    pub async fn start_step_up(&self, me: &ActiveSession) -> Result<CeremonyStart, AccountsError> {
        self.limit(CEREMONIES_PER_ACCOUNT, &me.user_id().to_string())
            .await?;
        let (options, auth) = self.rp().start_authentication()?;
        let saved = StepUpState {
            auth,
            session: me.session.handle.clone(),
        };
        self.save_ceremony(NS_STEPUP, &options, &saved).await
    }

    /// Refreshes the session's user verification with a passkey of the same
    /// account, in the session that started the step-up. A step-up is an
    /// authentication: `auth_time` follows it; the `sid` stays.
    pub async fn finish_step_up(
        &self,
        me: &ActiveSession,
        ceremony: &str,
        response: &str,
        client: &ClientInfo,
    ) -> Finished<()> {
        let mut outcome = CeremonyOutcome::new(CeremonyKind::Authentication, Flow::StepUp, client);
        let result = self.step_up(me, ceremony, response, client).await;
        if let Ok(credential) = &result {
            outcome.user = Some(me.user_id());
            outcome.credential = Some(credential.clone());
        }
        Finished::done(outcome, result.map(drop))
    }

    async fn step_up(
        &self,
        me: &ActiveSession,
        ceremony: &str,
        response: &str,
        client: &ClientInfo,
    ) -> Result<String, Failure> {
        let saved: StepUpState = self
            .take_ceremony(NS_STEPUP, ceremony)
            .await
            .map_err(|e| fail(e, None))?;
        let me_id = me.user_id();
        if saved.session != me.session.handle {
            return Err(fail(
                AccountsError::SessionMismatch("This confirmation was started in another session."),
                Some(me_id),
            ));
        }
        // Refuse another account's passkey before anything about it is recorded.
        if let Ok(ident) = self.rp().identify(response)
            && ident.user_id != me_id
        {
            return Err(fail(AccountsError::WrongAccount, Some(me_id)));
        }
        let verified = self
            .verify_assertion(response, Pending::Discoverable(saved.auth), &client.ip)
            .await?;
        if verified.user != me_id {
            return Err(fail(AccountsError::WrongAccount, Some(me_id)));
        }
        let now = self.now();
        let mut data = me.data.clone();
        data.auth_time = now;
        data.uv_at = now;
        data.acr = verified.outcome.acr;
        data.amr = verified.outcome.amr.clone();
        data.credential = Some(verified.credential.id.clone());
        self.sessions()
            .update_session_data(&me.token, data.to_value())
            .await
            .map_err(|e| fail(e, Some(me_id)))?;
        Ok(verified.credential.id)
    }
}
