//! What the owner changes on their account: passkeys (add, rename, revoke),
//! recovery codes (sessions: `sessions.rs`). Adding or revoking a passkey and making new
//! recovery codes need a fresh step-up; for elevated and critical accounts
//! they open a guarded request instead of taking effect (`guarded.rs`).

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, CredentialId, Secret, UserId};
use latchkey_passkey::{PasskeyUser, RegistrationState};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::credentials::{self, NewCredential};
use latchkey_store::{DbConnection, StoreError, accounts, recovery_codes, write_transaction};
use serde::{Deserialize, Serialize};

use crate::ceremony::{
    CeremonyKind, CeremonyOutcome, CeremonyStart, ClientInfo, Finished, Flow, NS_ADD,
};
use crate::enrol::new_credential;
use crate::error::AccountsError;
use crate::guarded::{Change, PasskeyAdded};
use crate::input::parse_label;
use crate::notify::{Notice, notify};
use crate::ratelimit::CEREMONIES_PER_ACCOUNT;
use crate::service::{Accounts, ActiveSession};

#[derive(Debug, Serialize, Deserialize)]
struct AddState {
    session: String,
    label: Option<String>,
    registration: RegistrationState,
}

fn credential_id(raw: &str) -> Result<CredentialId, AccountsError> {
    CredentialId::parse(raw).map_err(|_| AccountsError::NotFound("the passkey"))
}

fn not_found_as_such(e: StoreError) -> AccountsError {
    match e {
        StoreError::NotFound(what) => AccountsError::NotFound(what),
        e => e.into(),
    }
}

impl Accounts {
    /// Starts registering another passkey for the session's account: needs a
    /// fresh step-up; per-account limit; the account's passkeys are excluded.
    pub async fn start_add_passkey(
        &self,
        me: &ActiveSession,
        label: &str,
    ) -> Result<CeremonyStart, AccountsError> {
        self.require_step_up(me)?;
        let label = parse_label(label)?;
        let user_id = me.user_id();
        self.limit(CEREMONIES_PER_ACCOUNT, &user_id.to_string())
            .await?;
        let (user, existing) = self
            .db()
            .run(move |c| {
                Ok((
                    accounts::user(c, user_id)?,
                    credentials::list_active(c, user_id)?,
                ))
            })
            .await?;
        let exclude: Vec<Vec<u8>> = existing.into_iter().map(|c| c.webauthn_id).collect();
        let person = PasskeyUser {
            id: user_id,
            name: user.username,
            display_name: user.display_name,
        };
        let policy = self.registration_policy(user_id).await?;
        let (options, registration) = self.rp().start_registration(&person, &exclude, &policy)?;
        let saved = AddState {
            session: me.session.handle.clone(),
            label,
            registration,
        };
        self.save_ceremony(NS_ADD, &options, &saved).await
    }

    /// Verifies the new passkey, in the session that started it, and adds
    /// it to the account (audited, the owner notified) — for an elevated or
    /// critical account, pending behind a guarded request. `unnamed` names
    /// a passkey of unknown model that was given no name, in the person's
    /// language ("Passkey added <date>" when `None`).
    pub async fn finish_add_passkey(
        &self,
        me: &ActiveSession,
        ceremony: &str,
        response: &str,
        client: &ClientInfo,
        unnamed: Option<&str>,
    ) -> Finished<PasskeyAdded> {
        let mut outcome = CeremonyOutcome::new(CeremonyKind::Registration, Flow::Add, client);
        outcome.user = Some(me.user_id());
        let result = self
            .add_passkey(me, ceremony, response, client, unnamed)
            .await;
        if let Ok(PasskeyAdded::Active(id) | PasskeyAdded::Pending { credential: id, .. }) = &result
        {
            outcome.credential = Some(id.to_string());
        }
        Finished::done(outcome, result)
    }

    async fn add_passkey(
        &self,
        me: &ActiveSession,
        ceremony: &str,
        response: &str,
        client: &ClientInfo,
        unnamed: Option<&str>,
    ) -> Result<PasskeyAdded, (AccountsError, Option<UserId>, Option<&'static str>)> {
        let saved: AddState = self
            .take_ceremony(NS_ADD, ceremony)
            .await
            .map_err(|e| (e, None, None))?;
        if saved.session != me.session.handle {
            return Err((
                AccountsError::SessionMismatch("This registration was started in another session."),
                None,
                None,
            ));
        }
        let passkey = self
            .finish_policy_registration(response, saved.registration)
            .await
            .map_err(|e| (e, None, None))?;
        let now = self.now();
        let label = saved
            .label
            .or_else(|| passkey.model.map(str::to_owned))
            .unwrap_or_else(|| {
                unnamed.map_or_else(
                    || format!("Passkey added {}", now.format("%Y-%m-%d")),
                    str::to_owned,
                )
            });
        let new = new_credential(me.user_id(), &passkey, label);
        if self
            .changes_are_guarded(me)
            .await
            .map_err(|e| (e, None, None))?
        {
            return self
                .add_pending_passkey(me, new, client)
                .await
                .map_err(|e| (e, None, Some("guarded_refused")));
        }
        let (audit, ip) = (self.audit(), client.ip.clone());
        self.db()
            .run(move |c| insert_passkey(c, &audit, &new, &ip, now))
            .await
            .map(PasskeyAdded::Active)
            .map_err(|e| (e.into(), None, Some("store_refused")))
    }

    /// Renames one of the session account's passkeys (audited). Another
    /// account's passkey is `NotFound`.
    pub async fn rename_passkey(
        &self,
        me: &ActiveSession,
        id: &str,
        label: &str,
        client: &ClientInfo,
    ) -> Result<(), AccountsError> {
        let id = credential_id(id)?;
        let label = parse_label(label)?.ok_or(AccountsError::invalid(
            "invalid_label",
            "A passkey needs a name.",
        ))?;
        let (audit, owner, ip, now) = (self.audit(), me.user_id(), client.ip.clone(), self.now());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    credentials::rename(c, owner, id, &label)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::PasskeyRenamed)
                            .actor(owner)
                            .subject(id)
                            .ip(ip)
                            .detail(serde_json::json!({ "label": label })),
                    )?;
                    Ok(())
                })
            })
            .await
            .map_err(not_found_as_such)
    }

    /// Revokes one of the session account's passkeys (fresh step-up;
    /// audited, the owner notified). The last passkey cannot be revoked
    /// while the account has no recovery code left (`LastPasskey`): that
    /// would lock the account out. An elevated or critical account gets a
    /// guarded request instead.
    pub async fn revoke_passkey(
        &self,
        me: &ActiveSession,
        id: &str,
        client: &ClientInfo,
    ) -> Result<Change<()>, AccountsError> {
        self.require_step_up(me)?;
        let id = credential_id(id)?;
        if self.changes_are_guarded(me).await? {
            return self.request_passkey_removal(me, id, client).await;
        }
        let (audit, owner, ip, now) = (self.audit(), me.user_id(), client.ip.clone(), self.now());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    let account = accounts::user(c, owner)?;
                    let active = credentials::list_active(c, owner)?;
                    let Some(target) = active.iter().find(|c| c.id == id.to_string()) else {
                        return Err(StoreError::NotFound("the passkey"));
                    };
                    if active.len() == 1 && recovery_codes::remaining(c, owner)? == 0 {
                        return Ok(Err(AccountsError::LastPasskey));
                    }
                    let label = target.label.clone();
                    credentials::revoke(c, owner, id, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::PasskeyRevoked)
                            .actor(owner)
                            .subject(id)
                            .ip(ip)
                            .detail(serde_json::json!({ "label": label, "remaining": active.len() - 1 })),
                    )?;
                    notify(c, &account, Notice::PasskeyRevoked { label: &label }, now)?;
                    Ok(Ok(Change::Done(())))
                })
            })
            .await
            .map_err(not_found_as_such)?
    }

    /// Replaces the account's recovery codes (fresh step-up; audited, the
    /// owner notified) and returns the new ones, to show once. An elevated
    /// or critical account gets a guarded request instead.
    pub async fn regenerate_recovery_codes(
        &self,
        me: &ActiveSession,
        client: &ClientInfo,
    ) -> Result<Change<Vec<String>>, AccountsError> {
        self.require_step_up(me)?;
        if self.changes_are_guarded(me).await? {
            return Ok(Change::Requested(
                self.request_new_recovery_codes(me, client).await?,
            ));
        }
        Ok(Change::Done(
            self.new_recovery_codes(me.user_id(), &client.ip)
                .await?
                .into_inner(),
        ))
    }

    pub(crate) async fn new_recovery_codes(
        &self,
        owner: UserId,
        ip: &str,
    ) -> Result<Secret<Vec<String>>, AccountsError> {
        let (audit, hasher, ip, now) = (
            self.audit(),
            self.inner.recovery_codes.clone(),
            ip.to_owned(),
            self.now(),
        );
        Ok(self
            .db()
            .run(move |c| {
                write_transaction(c, |c| {
                    let account = accounts::user(c, owner)?;
                    let codes = recovery_codes::regenerate(c, &hasher, owner, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::RecoveryCodesGenerated)
                            .actor(owner)
                            .subject(owner)
                            .ip(ip)
                            .detail(serde_json::json!({ "count": codes.expose().len() })),
                    )?;
                    notify(c, &account, Notice::RecoveryCodesReplaced, now)?;
                    Ok(codes)
                })
            })
            .await?)
    }

    /// Clears the possible-clone flag of one of the session account's
    /// passkeys, so it can sign in again (fresh step-up; audited). The owner
    /// vouches that the copy that raised the flag was theirs.
    pub async fn clear_clone_flag(
        &self,
        me: &ActiveSession,
        id: &str,
        client: &ClientInfo,
    ) -> Result<(), AccountsError> {
        self.require_step_up(me)?;
        let id = credential_id(id)?;
        self.clear_flag(me.user_id(), Some(me.user_id()), id, &client.ip, "owner")
            .await
    }

    /// Clears the possible-clone flag of any account's passkey, as an
    /// administrator (fresh step-up; audited).
    pub async fn clear_clone_flag_as_admin(
        &self,
        admin: &ActiveSession,
        id: &str,
        client: &ClientInfo,
    ) -> Result<(), AccountsError> {
        self.require_step_up(admin)?;
        let admin_id = admin.user_id();
        let roles = self
            .db()
            .run(move |c| latchkey_store::users::roles(c, admin_id))
            .await?;
        if !roles.iter().any(|r| r == latchkey_store::users::ROLE_ADMIN) {
            return Err(AccountsError::AdminRequired);
        }
        let id = credential_id(id)?;
        self.clear_flag(admin_id, None, id, &client.ip, "admin")
            .await
    }

    async fn clear_flag(
        &self,
        actor: UserId,
        owner: Option<UserId>,
        id: CredentialId,
        ip: &str,
        by: &'static str,
    ) -> Result<(), AccountsError> {
        let (audit, ip, now) = (self.audit(), ip.to_owned(), self.now());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    let passkey = credentials::find_active(c, id)?
                        .filter(|p| owner.is_none_or(|o| p.user_id == o.to_string()))
                        .ok_or(StoreError::NotFound("the passkey"))?;
                    let Some(flagged_at) = passkey.clone_suspected_at else {
                        return Ok(());
                    };
                    credentials::clear_clone_suspected(c, id)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::PasskeyCloneFlagCleared)
                            .actor(actor)
                            .subject(id)
                            .ip(ip)
                            .detail(serde_json::json!({
                                "by": by,
                                "owner": passkey.user_id,
                                "flagged_at": flagged_at.and_utc().to_rfc3339(),
                            })),
                    )?;
                    Ok(())
                })
            })
            .await
            .map_err(not_found_as_such)
    }
}

/// Adds a passkey to an existing account, audited and notified, in one
/// transaction.
fn insert_passkey(
    conn: &mut DbConnection,
    audit: &AuditChain,
    new: &NewCredential,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<CredentialId, StoreError> {
    write_transaction(conn, |conn| {
        let account = accounts::user(conn, new.user_id)?;
        let id = credentials::insert(conn, new, now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::PasskeyRegistered)
                .actor(new.user_id)
                .subject(id)
                .ip(ip)
                .detail(serde_json::json!({
                    "label": new.label, "aaguid": new.aaguid,
                    "backup_eligible": new.backup_eligible, "attested": new.attested,
                })),
        )?;
        notify(
            conn,
            &account,
            Notice::PasskeyAdded { label: &new.label },
            now,
        )?;
        Ok(id)
    })
}
