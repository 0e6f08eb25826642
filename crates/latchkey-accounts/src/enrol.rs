//! Creating an account with its first passkey: from the one-time bootstrap
//! link, from an invitation, or by self-service sign-up when enabled.

use chrono::{DateTime, Utc};
use latchkey_core::{AccountTier, AuditEventKind, HashedToken, PlainToken, TokenKind, UserId};
use latchkey_passkey::{NewPasskey, PasskeyUser, RegistrationState};
use latchkey_session::{SessionData, new_sid};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::credentials::{self, NewCredential};
use latchkey_store::users::{self, NewUser, ROLE_ADMIN, ROLE_APPROVER};
use latchkey_store::{
    DbConnection, StoreError, accounts, groups, invitations, settings, write_transaction,
};
use serde::{Deserialize, Serialize};

use crate::attestation::Registered;
use crate::ceremony::{
    CeremonyKind, CeremonyOutcome, CeremonyStart, ClientInfo, Finished, Flow, NS_ENROL,
    bounded_user_agent,
};
use crate::error::AccountsError;
use crate::input::{parse_display_name, parse_username};
use crate::ratelimit::CEREMONY_STARTS_PER_IP;
use crate::service::{Accounts, ActiveSession, NewSession};

pub const BOOTSTRAP_GONE: &str = "This bootstrap link is not valid any more. While no administrator exists, every start of the server prints a new one.";
pub const INVITATION_GONE: &str =
    "This invitation is not valid: it was used already or has expired. Ask for a new one.";
const GRANT_SPENT: &str = "This link was used already or has expired.";

/// Namespace of recovery codes waiting to be shown once on the onboarding page.
const NS_ONBOARDING_CODES: &str = "onboarding-codes";
/// How long onboarding codes wait to be shown.
const ONBOARDING_CODES_TTL: chrono::Duration = chrono::Duration::minutes(15);

fn bootstrap_token(raw: &str) -> Option<HashedToken> {
    PlainToken::from_presented(TokenKind::Bootstrap, raw).map(|t| t.hashed())
}

fn invitation_token(raw: &str) -> Option<HashedToken> {
    PlainToken::from_presented(TokenKind::Invitation, raw).map(|t| t.hashed())
}

/// What the enrolment page presents as its entitlement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRequest<'a> {
    /// The one-time bootstrap link's token.
    Bootstrap(&'a str),
    /// An invitation link's token.
    Invitation(&'a str),
    SelfSignup,
}

impl<'a> GrantRequest<'a> {
    /// The page's names: `bootstrap`, `invite`, `signup`.
    pub fn parse(kind: &str, token: &'a str) -> Result<Self, AccountsError> {
        match kind {
            "bootstrap" => Ok(Self::Bootstrap(token)),
            "invite" => Ok(Self::Invitation(token)),
            "signup" => Ok(Self::SelfSignup),
            _ => Err(AccountsError::UnknownGrant),
        }
    }
}

/// An open invitation, as the enrolment page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvitation {
    pub email: String,
}

/// What entitles someone to create an account, as kept in the ceremony state.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Grant {
    /// SHA-256 (hex) of the bootstrap token; the token itself is not kept.
    Bootstrap(String),
    Invitation {
        id: String,
    },
    SelfSignup,
    /// A completed recovery of an existing account: the web layer redeemed
    /// the engine's enrolment grant for it from this browser.
    Recovery {
        request: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct EnrolState {
    user_id: UserId,
    username: String,
    display_name: String,
    email: Option<String>,
    grant: Grant,
    registration: RegistrationState,
}

/// A new account with its first passkey.
struct Enrolment {
    user_id: UserId,
    username: String,
    display_name: String,
    email: Option<String>,
    grant: Grant,
    credential: NewCredential,
}

/// The stored form of a newly registered passkey.
pub(crate) fn new_credential(user: UserId, r: &Registered, label: String) -> NewCredential {
    let p = &r.passkey;
    NewCredential {
        user_id: user,
        webauthn_id: p.credential_id.clone(),
        label,
        passkey_json: p.passkey_json.clone(),
        aaguid: p.aaguid.clone(),
        backup_eligible: p.backup_eligible,
        backup_state: p.backup_state,
        attested: p.attested,
        attestation_format: p.attestation_format.clone(),
        attestation_json: r.attestation_json.clone(),
        sign_count: i64::from(p.sign_count),
    }
}

/// Session data right after a passkey was registered (a user-verified
/// ceremony, so it counts as a fresh step-up).
fn session_data_for_new_passkey(
    now: DateTime<Utc>,
    p: &NewPasskey,
    credential: String,
    client: &ClientInfo,
) -> SessionData {
    let storage = p.key_storage();
    SessionData {
        auth_time: now,
        uv_at: now,
        acr: latchkey_passkey::acr_for(storage, p.attested),
        amr: latchkey_passkey::amr_for(storage),
        credential: Some(credential),
        flow: Flow::Enrolment.as_str().to_owned(),
        platform: client.platform.to_owned(),
        user_agent: bounded_user_agent(&client.user_agent),
        ip: client.ip.clone(),
        sid: new_sid(),
    }
}

/// An enrolment to finish.
#[derive(Debug, Clone, Copy)]
pub struct FinishEnrolment<'a> {
    pub ceremony: &'a str,
    /// The browser's `PublicKeyCredential` from `create()`, as JSON.
    pub response: &'a str,
    pub client: &'a ClientInfo,
    /// The session this browser has now, if any: it is replaced, and what
    /// relying parties hold through it ends.
    pub previous: Option<&'a ActiveSession>,
    /// The passkey's name when its model is unknown, in the person's
    /// language ("First passkey" when `None`).
    pub unnamed: Option<&'a str>,
}

type Failure = (AccountsError, Option<UserId>, Option<&'static str>);

impl Accounts {
    /// Whether `token` is the pending bootstrap link (for its page).
    pub async fn check_bootstrap_link(&self, token: &str) -> Result<(), AccountsError> {
        let hashed = bootstrap_token(token).ok_or(AccountsError::GrantGone(BOOTSTRAP_GONE))?;
        if self
            .db()
            .run(move |c| accounts::bootstrap_token_is_valid(c, &hashed))
            .await?
        {
            Ok(())
        } else {
            Err(AccountsError::GrantGone(BOOTSTRAP_GONE))
        }
    }

    /// The open invitation `token` names (for its page).
    pub async fn open_invitation(&self, token: &str) -> Result<OpenInvitation, AccountsError> {
        let hashed = invitation_token(token).ok_or(AccountsError::GrantGone(INVITATION_GONE))?;
        let now = self.now();
        let invitation = self
            .db()
            .run(move |c| invitations::find_open(c, &hashed, now))
            .await?
            .ok_or(AccountsError::GrantGone(INVITATION_GONE))?;
        Ok(OpenInvitation {
            email: invitation.email,
        })
    }

    /// Checks the grant and the username, and starts the registration of
    /// the first passkey (per-IP limit). The new account's id is chosen
    /// here: it is the passkey's user handle.
    pub async fn start_enrolment(
        &self,
        grant: &str,
        token: &str,
        username: &str,
        display_name: &str,
        client: &ClientInfo,
    ) -> Result<CeremonyStart, AccountsError> {
        self.limit(CEREMONY_STARTS_PER_IP, &client.ip).await?;
        let username = parse_username(username)?;
        let display_name = parse_display_name(display_name)?;
        let now = self.now();
        let request = GrantRequest::parse(grant, token)?;
        let signup_open = matches!(request, GrantRequest::SelfSignup) && self.self_signup().await?;
        let (grant, email, tier) = match request {
            GrantRequest::Bootstrap(token) => {
                let hashed =
                    bootstrap_token(token).ok_or(AccountsError::GrantGone(BOOTSTRAP_GONE))?;
                let h = hashed.clone();
                if !self
                    .db()
                    .run(move |c| accounts::bootstrap_token_is_valid(c, &h))
                    .await?
                {
                    return Err(AccountsError::GrantGone(BOOTSTRAP_GONE));
                }
                (
                    Grant::Bootstrap(hashed.to_hex()),
                    None,
                    AccountTier::Elevated,
                )
            }
            GrantRequest::Invitation(token) => {
                let hashed =
                    invitation_token(token).ok_or(AccountsError::GrantGone(INVITATION_GONE))?;
                let inv = self
                    .db()
                    .run(move |c| invitations::find_open(c, &hashed, now))
                    .await?
                    .ok_or(AccountsError::GrantGone(INVITATION_GONE))?;
                let id = inv.id.clone();
                let terms = self.db().run(move |c| invitations::terms(c, &id)).await?;
                let tier = if inv.grants_admin {
                    terms.tier.max(AccountTier::Elevated)
                } else {
                    terms.tier
                };
                (Grant::Invitation { id: inv.id }, Some(inv.email), tier)
            }
            GrantRequest::SelfSignup if signup_open => {
                (Grant::SelfSignup, None, AccountTier::Standard)
            }
            GrantRequest::SelfSignup => return Err(AccountsError::SelfSignupDisabled),
        };
        let u = username.clone();
        if self
            .db()
            .run(move |c| users::find_by_username(c, &u))
            .await?
            .is_some()
        {
            return Err(AccountsError::UsernameTaken);
        }
        let user_id = UserId::new();
        let person = PasskeyUser {
            id: user_id,
            name: username.clone(),
            display_name: display_name.clone(),
        };
        let policy = self.registration_policy_for_tier(tier).await?;
        let (options, registration) = self.rp().start_registration(&person, &[], &policy)?;
        let saved = EnrolState {
            user_id,
            username,
            display_name,
            email,
            grant,
            registration,
        };
        self.save_ceremony(NS_ENROL, &options, &saved).await
    }

    /// Starts registering a new passkey for the existing account `user`,
    /// whose recovery request `request` completed and whose enrolment grant
    /// the caller redeemed from this browser (per-IP limit). It is finished
    /// by [`Self::finish_enrolment`], like every enrolment: the passkey is
    /// stored, the browser signed in, and fresh recovery codes kept for the
    /// onboarding page.
    pub async fn start_recovery_enrolment(
        &self,
        user: UserId,
        request: String,
        client: &ClientInfo,
    ) -> Result<CeremonyStart, AccountsError> {
        self.limit(CEREMONY_STARTS_PER_IP, &client.ip).await?;
        let account = self
            .db()
            .run(move |c| users::find(c, user))
            .await?
            .filter(|u| !u.is_disabled())
            .ok_or(AccountsError::GrantGone(GRANT_SPENT))?;
        let person = PasskeyUser {
            id: user,
            name: account.username.clone(),
            display_name: account.display_name.clone(),
        };
        let policy = self.registration_policy(user).await?;
        let (options, registration) = self.rp().start_registration(&person, &[], &policy)?;
        let saved = EnrolState {
            user_id: user,
            username: account.username,
            display_name: account.display_name,
            email: None,
            grant: Grant::Recovery { request },
            registration,
        };
        self.save_ceremony(NS_ENROL, &options, &saved).await
    }

    /// Verifies the first passkey and creates the account, spending the
    /// grant, in one transaction; then starts a session (ending the one the
    /// browser had, with its grants) and makes ten recovery codes, kept for
    /// the onboarding page to show once.
    pub async fn finish_enrolment(&self, req: FinishEnrolment<'_>) -> Finished<NewSession> {
        let outcome = CeremonyOutcome::new(CeremonyKind::Registration, Flow::Enrolment, req.client);
        let result = self.enrol(&req).await;
        let mut finished = Finished::done(outcome, result);
        if let Ok(s) = &finished.result {
            finished.outcome.user = Some(s.user);
            finished.outcome.credential = Some(s.credential.clone());
        }
        finished
    }

    async fn enrol(&self, req: &FinishEnrolment<'_>) -> Result<NewSession, Failure> {
        let saved: EnrolState = self
            .take_ceremony(NS_ENROL, req.ceremony)
            .await
            .map_err(|e| (e, None, None))?;
        let user_id = saved.user_id;
        let passkey = self
            .finish_policy_registration(req.response, saved.registration)
            .await
            .map_err(|e| (e, Some(user_id), None))?;
        let unnamed = req.unnamed.unwrap_or(match saved.grant {
            Grant::Recovery { .. } => "Passkey after recovery",
            _ => "First passkey",
        });
        let label = passkey
            .model
            .map_or_else(|| unnamed.to_owned(), str::to_owned);
        let enrolment = Enrolment {
            user_id,
            username: saved.username,
            display_name: saved.display_name,
            email: saved.email,
            grant: saved.grant,
            credential: new_credential(user_id, &passkey, label),
        };
        let now = self.now();
        let (audit, ip) = (self.audit(), req.client.ip.clone());
        let credential_id = self
            .db()
            .run(move |c| enrol(c, &audit, &enrolment, &ip, now))
            .await
            .map_err(|e| {
                let e = match e {
                    StoreError::NotFound(_) => AccountsError::GrantGone(GRANT_SPENT),
                    StoreError::Conflict(_) => AccountsError::UsernameTaken,
                    e => e.into(),
                };
                (e, Some(user_id), Some("grant_refused"))
            })?;
        let internal = |e: AccountsError| (e, Some(user_id), None);
        let data =
            session_data_for_new_passkey(now, &passkey, credential_id.to_string(), req.client);
        let session = self
            .create_session(user_id, &data, credential_id.to_string())
            .await
            .map_err(internal)?;
        // The browser is now signed in to the new account: the session it
        // had ends, with what relying parties hold through it (a new account
        // always has a new sid), exactly as when another user signs in.
        self.replace_previous(req.previous, &data.sid)
            .await
            .map_err(internal)?;
        // Ten recovery codes, shown once on the next page.
        let codes = self
            .new_recovery_codes(user_id, &req.client.ip)
            .await
            .map_err(internal)?;
        self.sessions()
            .put_json(
                NS_ONBOARDING_CODES,
                &session.session.handle,
                codes.expose(),
                ONBOARDING_CODES_TTL,
            )
            .await
            .map_err(|e| internal(e.into()))?;
        Ok(session)
    }

    /// The recovery codes made at enrolment, for the onboarding page: taken,
    /// so they are shown once.
    pub async fn take_onboarding_codes(
        &self,
        me: &ActiveSession,
    ) -> Result<Option<Vec<String>>, AccountsError> {
        Ok(self
            .sessions()
            .take_json(NS_ONBOARDING_CODES, &me.session.handle)
            .await?)
    }
}

/// Creates the account, its roles and first passkey, spending the grant, all
/// or nothing. A grant that was spent meanwhile (a concurrent enrolment, or
/// an administrator created since) gives `NotFound`, and nothing changes.
fn enrol(
    conn: &mut DbConnection,
    audit: &AuditChain,
    e: &Enrolment,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<latchkey_core::CredentialId, StoreError> {
    write_transaction(conn, |conn| {
        if let Grant::Recovery { request } = &e.grant {
            return add_recovered_passkey(conn, audit, e, request, ip, now);
        }
        let is_admin = match &e.grant {
            Grant::Bootstrap(token_sha256) => {
                if !settings::delete_if_equals(conn, accounts::BOOTSTRAP_TOKEN, token_sha256)? {
                    return Err(StoreError::NotFound("the bootstrap link"));
                }
                if users::admin_ever_existed(conn)? {
                    return Err(StoreError::NotFound("the bootstrap link"));
                }
                true
            }
            // Spent below, once the account exists (the acceptance names it).
            Grant::Invitation { id } => {
                let admin = invitations::grants_admin(conn, id)?;
                // An administrator invitation made before the founding
                // administrators were complete is void afterwards.
                if admin && !users::founding_open(conn)? {
                    return Err(StoreError::NotFound("the invitation"));
                }
                admin
            }
            Grant::SelfSignup => false,
            Grant::Recovery { .. } => return Err(StoreError::NotFound("the enrolment grant")),
        };
        // The invitation's terms: the tier it names (an administrator's at
        // least elevated) and the groups the account joins.
        let terms = match &e.grant {
            Grant::Invitation { id } => Some(invitations::terms(conn, id)?),
            _ => None,
        };
        let named = terms.as_ref().map_or(AccountTier::Standard, |t| t.tier);
        let tier = if is_admin {
            named.max(AccountTier::Elevated)
        } else {
            named
        };
        users::create_with_id(
            conn,
            e.user_id,
            &NewUser {
                username: e.username.clone(),
                display_name: e.display_name.clone(),
                email: e.email.clone(),
                tier,
            },
            now,
        )?;
        if let Grant::Invitation { id } = &e.grant
            && !invitations::accept(conn, id, e.user_id, now)?
        {
            // Used or expired meanwhile: the whole enrolment rolls back.
            return Err(StoreError::NotFound("the invitation"));
        }
        if let Some(terms) = &terms {
            let actor = terms.invited_by.clone().unwrap_or_else(|| "cli".to_owned());
            let by = crate::memberships::Actor {
                actor: &actor,
                ip: None,
                passkey: None,
                request_id: None,
            };
            for g in &terms.groups {
                // A group cannot be deleted; one missing is skipped.
                if let Some(group) = groups::find(conn, *g)? {
                    crate::memberships::add_in(conn, audit, &group, e.user_id, &by, now)?;
                }
            }
        }
        if is_admin {
            // A founding administrator (the bootstrap link, or an
            // invitation while fewer than three administrators exist) is
            // also one of the founding approvers; everyone after them gets
            // either role only through a guarded request they approve.
            users::grant_role(conn, e.user_id, ROLE_ADMIN, None, now)?;
            users::grant_role(conn, e.user_id, ROLE_APPROVER, None, now)?;
        }
        let credential_id = credentials::insert(conn, &e.credential, now)?;
        let (kind, via) = match &e.grant {
            Grant::Bootstrap(_) => (AuditEventKind::AdminBootstrapped, "bootstrap"),
            Grant::Invitation { .. } => (AuditEventKind::InvitationAccepted, "invitation"),
            Grant::SelfSignup => (AuditEventKind::UserCreated, "self_signup"),
            Grant::Recovery { .. } => return Err(StoreError::NotFound("the enrolment grant")),
        };
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(kind)
                .actor(e.user_id)
                .subject(e.user_id)
                .ip(ip)
                .detail(serde_json::json!({
                    "username": e.username, "via": via, "admin": is_admin, "tier": tier.as_str(),
                })),
        )?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::PasskeyRegistered)
                .actor(e.user_id)
                .subject(credential_id)
                .ip(ip)
                .detail(serde_json::json!({
                    "aaguid": e.credential.aaguid,
                    "backup_eligible": e.credential.backup_eligible,
                    "attested": e.credential.attested,
                })),
        )?;
        Ok(credential_id)
    })
}

/// The passkey of a recovered account: the account must still exist and be
/// enabled (a recovery never re-enables an account).
fn add_recovered_passkey(
    conn: &mut DbConnection,
    audit: &AuditChain,
    e: &Enrolment,
    request: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<latchkey_core::CredentialId, StoreError> {
    if users::find(conn, e.user_id)?.is_none_or(|u| u.is_disabled()) {
        return Err(StoreError::NotFound("the account"));
    }
    let credential_id = credentials::insert(conn, &e.credential, now)?;
    audit.append(
        conn,
        now,
        &NewAuditEvent::new(AuditEventKind::PasskeyRegistered)
            .actor(e.user_id)
            .subject(credential_id)
            .ip(ip)
            .detail(serde_json::json!({
                "via": "recovery",
                "request": request,
                "aaguid": e.credential.aaguid,
                "backup_eligible": e.credential.backup_eligible,
                "attested": e.credential.attested,
            })),
    )?;
    Ok(credential_id)
}
