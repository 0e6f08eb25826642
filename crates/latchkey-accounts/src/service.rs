//! The service: what every operation reaches, built once by the server.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use latchkey_core::{PlainToken, SharedClock, UserId};
use latchkey_passkey::RelyingParty;
use latchkey_session::{BrowserSession, SessionData, SessionStore};
use latchkey_store::Db;
use latchkey_store::audit::AuditChain;
use latchkey_store::recovery_codes::RecoveryCodeHasher;

use crate::error::AccountsError;
use crate::invitations::Invitations;

/// What [`Accounts`] is built from.
#[derive(Debug, Clone)]
pub struct AccountsConfig {
    pub db: Db,
    pub sessions: SessionStore,
    pub clock: SharedClock,
    pub audit: Arc<AuditChain>,
    pub rp: Arc<RelyingParty>,
    pub recovery_codes: Arc<RecoveryCodeHasher>,
    /// Whether anyone may create an account without an invitation (the
    /// configured value until the console sets one), read at each use.
    pub settings: latchkey_store::live_settings::LiveSettings,
    /// The guarded-action engine: the sensitive changes of elevated and
    /// critical accounts go through it.
    pub guarded: latchkey_recovery::GuardedActions,
}

/// Sign-in, step-up, enrolment and account changes. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Accounts {
    pub(crate) inner: Arc<AccountsConfig>,
}

/// A signed-in browser session: the token the browser presented, the stored
/// session and its typed data.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub token: PlainToken,
    pub session: BrowserSession,
    pub data: SessionData,
}

impl ActiveSession {
    pub fn user_id(&self) -> UserId {
        self.session.user_id
    }
}

/// A session just created by a sign-in or an enrolment.
#[derive(Debug)]
pub struct NewSession {
    /// The token for the browser's cookie.
    pub token: PlainToken,
    pub session: BrowserSession,
    pub user: UserId,
    /// Our id of the passkey used or registered.
    pub credential: String,
    /// Seconds until the session's absolute expiry (the cookie's max age).
    pub max_age: i64,
}

impl Accounts {
    pub fn new(config: AccountsConfig) -> Self {
        Self {
            inner: Arc::new(config),
        }
    }

    /// Whether anyone may create an account without an invitation, now
    /// (the console may change it at run time).
    pub async fn self_signup(&self) -> Result<bool, AccountsError> {
        Ok(self.inner.settings.self_signup().await?)
    }

    /// The run-time settings.
    pub fn settings(&self) -> &latchkey_store::live_settings::LiveSettings {
        &self.inner.settings
    }

    /// Creating invitations (the command line, the console).
    pub fn invitations(&self) -> Invitations {
        Invitations::new(
            self.inner.db.clone(),
            self.inner.audit.clone(),
            self.inner.clock.clone(),
        )
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    pub(crate) fn db(&self) -> &Db {
        &self.inner.db
    }

    pub(crate) fn sessions(&self) -> &SessionStore {
        &self.inner.sessions
    }

    pub(crate) fn engine(&self) -> &latchkey_recovery::GuardedActions {
        &self.inner.guarded
    }

    pub(crate) fn rp(&self) -> &RelyingParty {
        &self.inner.rp
    }

    pub(crate) fn audit(&self) -> Arc<AuditChain> {
        self.inner.audit.clone()
    }

    /// The live session a browser's token names; `None` when unknown,
    /// expired, or its data does not parse.
    pub async fn active_session(
        &self,
        token: PlainToken,
    ) -> Result<Option<ActiveSession>, AccountsError> {
        let Some(session) = self.inner.sessions.load_session(&token).await? else {
            return Ok(None);
        };
        let Some(data) = SessionData::of(&session) else {
            return Ok(None);
        };
        Ok(Some(ActiveSession {
            token,
            session,
            data,
        }))
    }

    /// Starts a browser session for `user` and returns its token.
    pub(crate) async fn create_session(
        &self,
        user: UserId,
        data: &SessionData,
        credential: String,
    ) -> Result<NewSession, AccountsError> {
        let (token, session) = self
            .inner
            .sessions
            .create_session(user, data.to_value())
            .await?;
        let max_age = (session.absolute_expires_at - self.now()).num_seconds();
        Ok(NewSession {
            token,
            session,
            user,
            credential,
            max_age,
        })
    }

    /// Ends the browser's previous session when a new one replaces it (no
    /// session fixation) and, when the OpenID Connect session changes with
    /// it, what relying parties hold through the old one.
    pub(crate) async fn replace_previous(
        &self,
        previous: Option<&ActiveSession>,
        new_sid: &str,
    ) -> Result<(), AccountsError> {
        let Some(old) = previous else {
            return Ok(());
        };
        let _ = self.inner.sessions.revoke_session(&old.token).await;
        if old.data.sid != new_sid {
            self.end_session_grants(vec![old.data.sid.clone()]).await?;
        }
        Ok(())
    }

    /// Revokes what relying parties hold through these OpenID Connect
    /// sessions: the refresh-token families started in them, the access
    /// tokens those families issued and every access token issued in the
    /// sessions. Called whenever a browser session ends on purpose.
    pub async fn end_session_grants(&self, sids: Vec<String>) -> Result<(), AccountsError> {
        if sids.is_empty() {
            return Ok(());
        }
        let (audit, now) = (self.audit(), self.now());
        self.inner
            .db
            .run(move |c| {
                latchkey_oidc::refresh::end_sessions(c, &audit, &sids, now).map_err(|e| match e {
                    latchkey_oidc::refresh::RefreshError::Store(e) => e,
                    other => latchkey_store::StoreError::Corrupt(other.to_string()),
                })
            })
            .await?;
        Ok(())
    }
}
