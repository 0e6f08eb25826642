//! Disabling an account, by an administrator: at once, and everything the
//! account holds ends with it — its browser sessions, the refresh-token
//! families and access tokens relying parties hold for it — so nobody keeps
//! using it through a session or a token issued earlier. Sign-in, refresh,
//! userinfo and introspection refuse a disabled account as well, so a
//! session or token missed here still does not work.
//!
//! Re-enabling is a guarded change (two people), not an operation here.

use latchkey_core::{AuditEventKind, UserId};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::{StoreError, users, write_transaction};

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

/// What disabling did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Disabled {
    /// Refresh-token families revoked (every access token of the account
    /// is revoked too).
    pub families: usize,
    /// Browser sessions ended.
    pub sessions: usize,
}

impl Accounts {
    /// Disables `target` on behalf of the administrator signed in as `me`
    /// (with a fresh step-up): `Ok(None)` when it was disabled already.
    ///
    /// Refused: a caller without the admin role or without a fresh step-up,
    /// the caller's own account (another administrator must do it, so an
    /// instance is never left without a working one by a slip), an unknown
    /// account.
    pub async fn disable_account(
        &self,
        me: &ActiveSession,
        target: UserId,
        client: &ClientInfo,
    ) -> Result<Option<Disabled>, AccountsError> {
        self.require_step_up(me)?;
        let admin = me.user_id();
        if admin == target {
            return Err(AccountsError::invalid(
                "own_account",
                "You cannot disable your own account; ask another administrator.",
            ));
        }
        let passkey = me.data.credential.clone();
        self.disable(Some(admin), passkey, target, client).await
    }

    /// Disables the account named `username` for `latchkey user disable`
    /// (the operator of the host; audited with the actor `cli`): the same
    /// change as [`Self::disable_account`]. `Ok(None)` when it was disabled
    /// already.
    pub async fn disable_from_command_line(
        &self,
        username: &str,
    ) -> Result<Option<Disabled>, AccountsError> {
        let name = username.trim().to_owned();
        let target = self
            .db()
            .run(move |c| users::find_by_username(c, &name))
            .await?
            .ok_or(AccountsError::NotFound("the account"))?
            .user_id()?;
        let host = ClientInfo {
            ip: String::new(),
            platform: "other",
            user_agent: String::new(),
            request_id: None,
        };
        self.disable(None, None, target, &host).await
    }

    /// Disables `target`: by the administrator `admin` (checked to hold the
    /// admin role on an enabled account in the same transaction) or, for
    /// `None`, from the command line.
    async fn disable(
        &self,
        admin: Option<UserId>,
        passkey: Option<String>,
        target: UserId,
        client: &ClientInfo,
    ) -> Result<Option<Disabled>, AccountsError> {
        let (audit, ip, now) = (self.audit(), client.ip.clone(), self.now());
        let request_id = client.request_id.clone();
        let actor = admin.map_or_else(|| "cli".to_owned(), |a| a.to_string());
        let end_ip = ip.clone();
        let done = self
            .db()
            .run(move |c| {
                write_transaction(c, |c| {
                    if let Some(admin) = admin
                        && !users::is_enabled_admin(c, admin)?
                    {
                        return Ok(Err(AccountsError::AdminRequired));
                    }
                    let Some(user) = users::find(c, target)? else {
                        return Ok(Err(AccountsError::NotFound("the account")));
                    };
                    if user.is_disabled() {
                        return Ok(Ok(None));
                    }
                    users::disable(c, target, now)?;
                    let revoked = latchkey_oidc::refresh::revoke_families_of_user(
                        c, &audit, &actor, target, now,
                    )
                    .map_err(|e| e.into_store())?;
                    latchkey_oidc::revocation::revoke_user(c, target, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::UserDisabled)
                            .actor(actor.clone())
                            .subject(target)
                            .ip(ip)
                            .request_id(request_id.as_deref())
                            .detail(serde_json::json!({
                                "passkey": passkey,
                                "refresh_families": revoked.families.len(),
                            })),
                    )?;
                    Ok::<_, StoreError>(Ok(Some(revoked.families.len())))
                })
            })
            .await??;
        let Some(families) = done else {
            return Ok(None);
        };
        let sessions = self
            .end_every_session(target, "account_disabled", &end_ip)
            .await?;
        Ok(Some(Disabled { families, sessions }))
    }
}
