//! Ending browser sessions on purpose: this browser's (sign-out,
//! RP-initiated logout), one other session of the same account (the account
//! page), or every other one. A session that ends takes with it what relying
//! parties hold through it.

use latchkey_core::{AuditEventKind, UserId};
use latchkey_session::SessionData;
use latchkey_store::audit::NewAuditEvent;

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// Why a single session ends (recorded in the audit log).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The browser signed itself out.
    SignOut,
    /// A relying party's logout request (RP-initiated logout).
    Logout,
    /// The owner ended it from another session (the account page).
    FromAnotherSession,
    /// An administrator ended it from the console.
    ByAdministrator,
}

impl SessionEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignOut => "sign_out",
            Self::Logout => "logout",
            Self::FromAnotherSession => "from_another_session",
            Self::ByAdministrator => "by_administrator",
        }
    }
}

impl Accounts {
    /// Ends one live session of `user`, named by its handle (the SHA-256 of
    /// its token, never the token): the session, the refresh-token families
    /// and access tokens issued through its OpenID Connect session (`sid`),
    /// and codes not redeemed yet; audited `session.ended`. Every deliberate
    /// end of a single session goes through here.
    ///
    /// Security invariant: only `user`'s own sessions are found; a handle
    /// of another account's session (or none at all) changes nothing and
    /// answers `false`.
    pub async fn end_session(
        &self,
        user: UserId,
        handle: &str,
        why: SessionEnd,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        self.end_session_by(user, user.to_string(), handle, why, client)
            .await
    }

    /// An administrator ends one session of another account from the
    /// console (fresh step-up): the same as the owner ending it
    /// ([`Accounts::end_session`]), audited with the administrator as
    /// actor. Ending a session takes access away, so it is immediate. The
    /// administrator's own sessions are on their account page.
    pub async fn end_session_as_admin(
        &self,
        admin: &ActiveSession,
        user: UserId,
        handle: &str,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        self.require_step_up(admin)?;
        let me = admin.user_id();
        let is_admin = self
            .db()
            .run(move |c| latchkey_store::users::is_enabled_admin(c, me))
            .await?;
        if !is_admin {
            return Err(AccountsError::AdminRequired);
        }
        if admin.user_id() == user {
            return Err(AccountsError::invalid(
                "own_session",
                "End your own sessions from your account page.",
            ));
        }
        self.end_session_by(
            user,
            admin.user_id().to_string(),
            handle,
            SessionEnd::ByAdministrator,
            client,
        )
        .await
    }

    async fn end_session_by(
        &self,
        user: UserId,
        actor: String,
        handle: &str,
        why: SessionEnd,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        let Some(session) = self
            .sessions()
            .list_user_sessions(user)
            .await?
            .into_iter()
            .find(|s| s.handle == handle)
        else {
            return Ok(false);
        };
        // Ended concurrently: whoever ended it ended its grants too.
        if !self.sessions().revoke_by_handle(&session.handle).await? {
            return Ok(false);
        }
        let sid = SessionData::of(&session).map(|d| d.sid).or_else(|| {
            session
                .data
                .get("sid")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        });
        self.end_session_grants(sid.into_iter().collect()).await?;
        let (audit, ip, now) = (self.audit(), client.ip.clone(), self.now());
        self.db()
            .run(move |c| {
                audit.append(
                    c,
                    now,
                    &NewAuditEvent::new(AuditEventKind::SessionEnded)
                        .actor(actor)
                        .subject(user)
                        .ip(ip)
                        .detail(serde_json::json!({ "reason": why.as_str() })),
                )
            })
            .await?;
        Ok(true)
    }

    /// Signs this browser out: ends its session and what relying parties
    /// hold through it ([`Accounts::end_session`]).
    pub async fn sign_out(
        &self,
        me: &ActiveSession,
        why: SessionEnd,
        client: &ClientInfo,
    ) -> Result<(), AccountsError> {
        self.end_session(me.user_id(), &me.session.handle, why, client)
            .await
            .map(drop)
    }

    /// Ends every browser session of `user`, with what relying parties
    /// hold through them (audited with `reason`): a completed recovery
    /// whose policy revokes sessions. Returns how many ended.
    pub async fn end_every_session(
        &self,
        user: UserId,
        reason: &'static str,
        ip: &str,
    ) -> Result<usize, AccountsError> {
        let sids: Vec<String> = self
            .sessions()
            .list_user_sessions(user)
            .await?
            .into_iter()
            .filter_map(|s| {
                s.data
                    .get("sid")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .collect();
        let ended = self.sessions().revoke_user_sessions(user, None).await?;
        self.end_session_grants(sids).await?;
        let (audit, ip, now) = (self.audit(), ip.to_owned(), self.now());
        self.db()
            .run(move |c| {
                audit.append(
                    c,
                    now,
                    &NewAuditEvent::new(AuditEventKind::SessionsRevoked)
                        .subject(user)
                        .ip(ip)
                        .detail(serde_json::json!({
                            "ended": ended, "kept_current": false, "reason": reason,
                        })),
                )
            })
            .await?;
        Ok(ended)
    }

    /// Ends every other session of the account, with their grants, keeping
    /// this one (audited). Returns how many ended.
    pub async fn sign_out_everywhere_else(
        &self,
        me: &ActiveSession,
        client: &ClientInfo,
    ) -> Result<usize, AccountsError> {
        let user = me.user_id();
        let others: Vec<String> = self
            .sessions()
            .list_user_sessions(user)
            .await?
            .into_iter()
            .filter_map(|s| {
                s.data
                    .get("sid")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned)
            })
            .filter(|sid| *sid != me.data.sid)
            .collect();
        let ended = self
            .sessions()
            .revoke_user_sessions(user, Some(&me.token))
            .await?;
        self.end_session_grants(others).await?;
        let (audit, ip, now) = (self.audit(), client.ip.clone(), self.now());
        self.db()
            .run(move |c| {
                audit.append(
                    c,
                    now,
                    &NewAuditEvent::new(AuditEventKind::SessionsRevoked)
                        .actor(user)
                        .subject(user)
                        .ip(ip)
                        .detail(serde_json::json!({ "ended": ended, "kept_current": true })),
                )
            })
            .await?;
        Ok(ended)
    }
}
