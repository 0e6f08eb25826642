//! Account operations that span several aggregates, each in one transaction
//! with its audit events: enrolment through a grant, the bootstrap token.

use chrono::{DateTime, Utc};
use latchkey_core::{AccountTier, AuditEventKind, HashedToken, PlainToken, TokenKind, UserId};

use crate::audit::{AuditChain, NewAuditEvent};
use crate::credentials::{self, NewCredential};
use crate::users::{self, NewUser, ROLE_ADMIN, User};
use crate::{DbConnection, StoreError, invitations, settings, write_transaction};

/// The setting holding the SHA-256 (hex) of the pending bootstrap token.
pub const BOOTSTRAP_TOKEN: &str = "bootstrap_token_sha256";

/// What entitles someone to create an account.
#[derive(Debug, Clone)]
pub enum Grant {
    /// The one-time bootstrap link of an instance without administrators,
    /// by the SHA-256 (hex) of its token.
    Bootstrap { token_sha256: String },
    /// An invitation (by its id, already looked up by token).
    Invitation { id: String },
    /// Self-service sign-up, when the instance allows it.
    SelfSignup,
}

/// A new account with its first passkey.
#[derive(Debug, Clone)]
pub struct Enrolment {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub grant: Grant,
    pub credential: NewCredential,
}

/// The outcome of an enrolment.
#[derive(Debug, Clone)]
pub struct Enrolled {
    pub user: User,
    pub is_admin: bool,
    pub credential_id: latchkey_core::CredentialId,
}

/// Creates the account, its roles and first passkey, spending the grant, all
/// or nothing. A grant that was spent meanwhile (a concurrent enrolment, or
/// an administrator created since) gives `NotFound`, and nothing changes.
pub fn enrol(
    conn: &mut DbConnection,
    audit: &AuditChain,
    e: &Enrolment,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Enrolled, StoreError> {
    write_transaction(conn, |conn| {
        let is_admin = match &e.grant {
            Grant::Bootstrap { token_sha256 } => {
                if !settings::delete_if_equals(conn, BOOTSTRAP_TOKEN, token_sha256)? {
                    return Err(StoreError::NotFound("the bootstrap link"));
                }
                if users::count_with_role(conn, ROLE_ADMIN)? > 0 {
                    return Err(StoreError::NotFound("the bootstrap link"));
                }
                true
            }
            // Spent below, once the account exists (the acceptance names it).
            Grant::Invitation { id } => invitation_grants_admin(conn, id)?,
            Grant::SelfSignup => false,
        };
        let tier = if is_admin {
            AccountTier::Elevated
        } else {
            AccountTier::Standard
        };
        let user = users::create_with_id(
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
        if is_admin {
            users::grant_role(conn, e.user_id, ROLE_ADMIN, None, now)?;
        }
        let credential_id = credentials::insert(conn, &e.credential, now)?;
        let (kind, via) = match &e.grant {
            Grant::Bootstrap { .. } => (AuditEventKind::AdminBootstrapped, "bootstrap"),
            Grant::Invitation { .. } => (AuditEventKind::InvitationAccepted, "invitation"),
            Grant::SelfSignup => (AuditEventKind::UserCreated, "self_signup"),
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
        Ok(Enrolled {
            user,
            is_admin,
            credential_id,
        })
    })
}

fn invitation_grants_admin(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    use diesel::prelude::*;

    use crate::schema::invitations as t;
    Ok(t::table
        .select(t::grants_admin)
        .filter(t::id.eq(id))
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// While the instance has no administrator, issues a new one-time bootstrap
/// token (replacing any earlier one) and audits it; otherwise `None`.
pub fn issue_bootstrap_token(
    conn: &mut DbConnection,
    audit: &AuditChain,
    now: DateTime<Utc>,
) -> Result<Option<PlainToken>, StoreError> {
    write_transaction(conn, |conn| {
        if users::count_with_role(conn, ROLE_ADMIN)? > 0 {
            // A leftover token is useless now; make sure it is gone.
            let _ = settings::get(conn, BOOTSTRAP_TOKEN)?
                .map(|v| settings::delete_if_equals(conn, BOOTSTRAP_TOKEN, &v))
                .transpose()?;
            return Ok(None);
        }
        let token = PlainToken::generate(TokenKind::Bootstrap);
        settings::set(conn, BOOTSTRAP_TOKEN, &token.hashed().to_hex(), now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::AdminBootstrapIssued).actor("system"),
        )?;
        Ok(Some(token))
    })
}

/// Whether `token` is the pending bootstrap token (and no administrator exists).
pub fn bootstrap_token_is_valid(
    conn: &mut DbConnection,
    token: &HashedToken,
) -> Result<bool, StoreError> {
    if users::count_with_role(conn, ROLE_ADMIN)? > 0 {
        return Ok(false);
    }
    Ok(settings::get(conn, BOOTSTRAP_TOKEN)?
        .is_some_and(|stored| HashedToken::of(&stored).matches(&HashedToken::of(&token.to_hex()))))
}

/// Convenience for callers that only have the user's id.
pub fn user(conn: &mut DbConnection, id: UserId) -> Result<User, StoreError> {
    users::find(conn, id)?.ok_or(StoreError::NotFound("the user"))
}

/// Queues a plain-text email to the account's address, if it has one, in the
/// caller's transaction (delivered by the outbox worker).
pub fn notify(
    conn: &mut DbConnection,
    user: &User,
    subject: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if let Some(to) = &user.email {
        crate::outbox::enqueue(
            conn,
            "email",
            &serde_json::json!({ "to": to, "subject": subject, "text": text }),
            now,
        )?;
    }
    Ok(())
}

/// Adds a passkey to an existing account, audited and notified.
pub fn add_passkey(
    conn: &mut DbConnection,
    audit: &AuditChain,
    new: &NewCredential,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<latchkey_core::CredentialId, StoreError> {
    write_transaction(conn, |conn| {
        let account = user(conn, new.user_id)?;
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
            "A passkey was added to your account",
            &format!(
                "A new passkey \"{}\" was added to your account {} at {} UTC.\n\n\
                 If this was not you, sign in with another passkey and revoke it, then contact your administrator.",
                new.label,
                account.username,
                now.format("%Y-%m-%d %H:%M")
            ),
            now,
        )?;
        Ok(id)
    })
}

/// Why a passkey was not revoked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevokeRefused {
    /// It is the last passkey and no unused recovery code exists: revoking it
    /// would lock the account out.
    LastPasskeyWithoutRecoveryCodes,
}

/// Revokes one of the user's passkeys, audited and notified. The last
/// passkey cannot be revoked while the account has no recovery code left.
pub fn revoke_passkey(
    conn: &mut DbConnection,
    audit: &AuditChain,
    owner: UserId,
    id: latchkey_core::CredentialId,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<Result<(), RevokeRefused>, StoreError> {
    write_transaction(conn, |conn| {
        let account = user(conn, owner)?;
        let active = credentials::list_active(conn, owner)?;
        let Some(target) = active.iter().find(|c| c.id == id.to_string()) else {
            return Err(StoreError::NotFound("the passkey"));
        };
        if active.len() == 1 && crate::recovery_codes::remaining(conn, owner)? == 0 {
            return Ok(Err(RevokeRefused::LastPasskeyWithoutRecoveryCodes));
        }
        let label = target.label.clone();
        credentials::revoke(conn, owner, id, now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::PasskeyRevoked)
                .actor(owner)
                .subject(id)
                .ip(ip)
                .detail(serde_json::json!({ "label": label, "remaining": active.len() - 1 })),
        )?;
        notify(
            conn,
            &account,
            "A passkey was removed from your account",
            &format!(
                "The passkey \"{label}\" was removed from your account {} at {} UTC.\n\n\
                 If this was not you, contact your administrator at once.",
                account.username,
                now.format("%Y-%m-%d %H:%M")
            ),
            now,
        )?;
        Ok(Ok(()))
    })
}

/// Renames one of the user's passkeys, audited.
pub fn rename_passkey(
    conn: &mut DbConnection,
    audit: &AuditChain,
    owner: UserId,
    id: latchkey_core::CredentialId,
    label: &str,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    write_transaction(conn, |conn| {
        credentials::rename(conn, owner, id, label)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::PasskeyRenamed)
                .actor(owner)
                .subject(id)
                .ip(ip)
                .detail(serde_json::json!({ "label": label })),
        )?;
        Ok(())
    })
}

/// Replaces the user's recovery codes, audited and notified; returns the new
/// codes to show once.
pub fn regenerate_recovery_codes(
    conn: &mut DbConnection,
    audit: &AuditChain,
    hasher: &crate::recovery_codes::RecoveryCodeHasher,
    owner: UserId,
    ip: &str,
    now: DateTime<Utc>,
) -> Result<latchkey_core::Secret<Vec<String>>, StoreError> {
    write_transaction(conn, |conn| {
        let account = user(conn, owner)?;
        let codes = crate::recovery_codes::regenerate(conn, hasher, owner, now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::RecoveryCodesGenerated)
                .actor(owner)
                .subject(owner)
                .ip(ip)
                .detail(serde_json::json!({ "count": codes.expose().len() })),
        )?;
        notify(
            conn,
            &account,
            "New recovery codes were made for your account",
            &format!(
                "New recovery codes were made for your account {} at {} UTC; the old ones no longer work.\n\n\
                 If this was not you, contact your administrator at once.",
                account.username,
                now.format("%Y-%m-%d %H:%M")
            ),
            now,
        )?;
        Ok(codes)
    })
}
