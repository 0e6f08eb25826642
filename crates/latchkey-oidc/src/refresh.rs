//! Refresh tokens: one family per grant, rotated on every use, with reuse
//! detection (RFC 9700 §4.14.2). A refresh token is an opaque
//! `lkr_`-prefixed random string; only its SHA-256 is stored.
//!
//! Security invariants, enforced in [`latchkey_store::refresh_tokens::rotate`]
//! inside one write transaction:
//! - a token rotates at most once; of two concurrent uses exactly one wins;
//! - presenting a token that was already rotated revokes the whole family
//!   (and the access tokens issued under it), so a thief and the legitimate
//!   client cannot both keep using a family;
//! - a family never outlives its absolute expiry, however often it rotates.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{
    Acr, Amr, AuditEventKind, ClientId, HashedToken, PlainToken, RefreshFamilyId, TokenKind, UserId,
};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::refresh_tokens::{
    self as store, NewRefreshFamily, REASON_CLIENT_DISABLED, REASON_CLIENT_REVOKED,
    REASON_CODE_REUSED, REASON_CONSENT_REVOKED, REASON_REUSE_DETECTED, REASON_SESSION_ENDED,
    REASON_USER_DISABLED, RefreshFamily, Refusal, RotateOutcome,
};
use latchkey_store::users::User;
use latchkey_store::{DbConnection, StoreError, ended_sessions, from_db, write_transaction};

use crate::revocation;

/// How long a family lives from the code redemption, however often it
/// rotates.
pub const DEFAULT_FAMILY_LIFETIME: Duration = Duration::days(30);

/// Why a refresh token was refused. All but `Store` are the protocol's
/// `invalid_grant`, and the client is told nothing more.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error("the refresh token is not known")]
    Unknown,
    #[error("the refresh token's grant has expired")]
    Expired,
    #[error("the refresh token's grant was revoked")]
    Revoked,
    #[error("the refresh token was issued to another client")]
    WrongClient,
    #[error("the account is disabled")]
    UserDisabled,
    #[error("the refresh token was already used; its grant is now revoked")]
    Reused,
    #[error("a refresh-token operation failed in storage")]
    Store(#[from] StoreError),
}

impl RefreshError {
    /// The token endpoint error code (RFC 6749 §5.2).
    pub fn error_code(&self) -> &'static str {
        match self {
            Self::Store(_) => "server_error",
            _ => "invalid_grant",
        }
    }

    /// As a storage error, for callers inside a store transaction: a
    /// refusal there can only mean inconsistent data.
    pub fn into_store(self) -> StoreError {
        match self {
            Self::Store(e) => e,
            other => StoreError::Corrupt(other.to_string()),
        }
    }

    /// The `error_description` to send: the same for every refusal, so it
    /// does not reveal which check failed.
    pub fn description(&self) -> &'static str {
        match self {
            Self::Store(_) => "The server could not process the request.",
            _ => "The refresh token is invalid, expired or revoked.",
        }
    }
}

/// What a refresh token stands for: the grant the token endpoint issues
/// new tokens from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    pub family_id: RefreshFamilyId,
    pub client_id: ClientId,
    pub user_id: UserId,
    /// The browser session the grant began in (the `sid` claim).
    pub session_id: Option<String>,
    /// Space-separated scope values granted.
    pub scope: String,
    pub acr: Acr,
    pub amr: Vec<Amr>,
    pub auth_time: DateTime<Utc>,
    /// How many times the family has rotated.
    pub generation: i64,
    /// The absolute end of the family.
    pub expires_at: DateTime<Utc>,
    /// The resources (RFC 8707) the grant covers; empty: the default
    /// audience.
    pub resources: BTreeSet<String>,
}

impl RefreshGrant {
    pub fn from_row(row: &RefreshFamily) -> Result<Self, StoreError> {
        let corrupt =
            |what: String| StoreError::Corrupt(format!("refresh family {}: {what}", row.id));
        Ok(Self {
            family_id: row.family_id()?,
            client_id: ClientId::parse(&row.client_id).map_err(|e| corrupt(e.to_string()))?,
            user_id: row.owner()?,
            session_id: row.session_id.clone(),
            scope: row.scope.clone(),
            acr: row
                .acr
                .parse()
                .map_err(|e: latchkey_core::ParseError| corrupt(e.to_string()))?,
            amr: serde_json::from_str(&row.amr).map_err(|e| corrupt(e.to_string()))?,
            auth_time: from_db(row.auth_time),
            generation: row.generation,
            expires_at: from_db(row.expires_at),
            resources: serde_json::from_str(&row.resources).map_err(|e| corrupt(e.to_string()))?,
        })
    }
}

/// What starts a family: the redeemed code's grant.
#[derive(Debug, Clone)]
pub struct NewGrant {
    pub client_id: ClientId,
    pub user_id: UserId,
    pub session_id: Option<String>,
    pub scope: String,
    pub acr: Acr,
    pub amr: Vec<Amr>,
    pub auth_time: DateTime<Utc>,
    /// The SHA-256 of the redeemed authorization code, so that replaying
    /// the code revokes the family ([`revoke_families_by_code`]).
    pub code_hash: Option<HashedToken>,
    /// Absolute lifetime; [`DEFAULT_FAMILY_LIFETIME`] unless configured.
    pub lifetime: Duration,
    /// The resources (RFC 8707) the grant covers: those of the
    /// authorization request.
    pub resources: BTreeSet<String>,
}

/// Starts a family and returns its first refresh token (to hand to the
/// client once) with the grant.
pub fn issue(
    conn: &mut DbConnection,
    grant: &NewGrant,
    now: DateTime<Utc>,
) -> Result<(PlainToken, RefreshGrant), RefreshError> {
    let token = PlainToken::generate(TokenKind::RefreshToken);
    let amr = serde_json::to_string(&grant.amr).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let resources =
        serde_json::to_string(&grant.resources).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let row = store::create(
        conn,
        &NewRefreshFamily {
            id: RefreshFamilyId::new(),
            client_id: grant.client_id.clone(),
            user_id: grant.user_id,
            session_id: grant.session_id.clone(),
            scope: grant.scope.clone(),
            acr: grant.acr.as_str().to_owned(),
            amr,
            auth_time: grant.auth_time,
            token_hash: token.hashed(),
            code_hash: grant.code_hash.clone(),
            expires_at: now + grant.lifetime,
            resources,
        },
        now,
    )?;
    Ok((token, RefreshGrant::from_row(&row)?))
}

/// A successful rotation.
#[derive(Debug, Clone)]
pub struct Rotated {
    /// The refresh token to return to the client; the presented one is
    /// spent.
    pub new_token: PlainToken,
    pub family: RefreshGrant,
    /// The account, read (and found enabled) in the rotation's transaction.
    pub account: User,
}

/// Audits a family's revocation and revokes its access tokens, in the
/// caller's transaction.
fn revoked_family(
    conn: &mut DbConnection,
    audit: &AuditChain,
    family: &RefreshFamily,
    reason: &str,
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let id = family.family_id()?;
    revocation::revoke_family(conn, id, now)?;
    audit.append(
        conn,
        now,
        &NewAuditEvent::new(AuditEventKind::RefreshFamilyRevoked)
            .actor(actor)
            .subject(id)
            .detail(serde_json::json!({
                "reason": reason,
                "client_id": family.client_id,
                "user_id": family.user_id,
                "generation": family.generation,
            })),
    )?;
    Ok(())
}

/// Spends `presented` and returns its successor (refresh_token grant,
/// RFC 6749 §6), for the authenticated `client`.
///
/// A token that was already rotated revokes its family (audited as
/// `refresh_family.revoked` with reason `reuse_detected`, the family's
/// access tokens revoked too) and returns [`RefreshError::Reused`]; the
/// revocation is committed even though the call fails.
pub fn rotate(
    conn: &mut DbConnection,
    audit: &AuditChain,
    presented: &PlainToken,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<Rotated, RefreshError> {
    if presented.kind() != TokenKind::RefreshToken {
        return Err(RefreshError::Unknown);
    }
    let new_token = PlainToken::generate(TokenKind::RefreshToken);
    let outcome = write_transaction(conn, |conn| {
        let outcome = store::rotate(conn, &presented.hashed(), &new_token.hashed(), client, now)?;
        if let RotateOutcome::Reused {
            family,
            newly_revoked: true,
        } = &outcome
        {
            revoked_family(conn, audit, family, REASON_REUSE_DETECTED, "system", now)?;
        }
        Ok(outcome)
    })?;
    match outcome {
        RotateOutcome::Rotated(row, account) => Ok(Rotated {
            new_token,
            family: RefreshGrant::from_row(&row)?,
            account: *account,
        }),
        RotateOutcome::Reused { .. } => Err(RefreshError::Reused),
        RotateOutcome::Refused(refusal) => Err(match refusal {
            Refusal::Unknown => RefreshError::Unknown,
            Refusal::Expired => RefreshError::Expired,
            Refusal::Revoked => RefreshError::Revoked,
            Refusal::OtherClient => RefreshError::WrongClient,
            Refusal::UserDisabled => RefreshError::UserDisabled,
        }),
    }
}

/// The grant of `presented` if it is the current token of a live family
/// whose account is enabled: what introspection (RFC 7662) reports as
/// active. A rotated-away, revoked, expired or unknown token gives `None`.
pub fn active_grant(
    conn: &mut DbConnection,
    presented: &PlainToken,
    now: DateTime<Utc>,
) -> Result<Option<RefreshGrant>, RefreshError> {
    if presented.kind() != TokenKind::RefreshToken {
        return Ok(None);
    }
    let Some(row) = store::find_by_current_token(conn, &presented.hashed())? else {
        return Ok(None);
    };
    if !row.is_live(now) || store::user_is_disabled(conn, &row.user_id)? {
        return Ok(None);
    }
    Ok(Some(RefreshGrant::from_row(&row)?))
}

/// Revokes the family of `presented` (RFC 7009 with a refresh token), if it
/// belongs to `client`; revokes its access tokens too, audited. Returns
/// whether a family was revoked now. Per RFC 7009 §2.2 an unknown token, or
/// another client's, changes nothing and is not an error for the caller to
/// report.
pub fn revoke_family_by_token(
    conn: &mut DbConnection,
    audit: &AuditChain,
    presented: &PlainToken,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<bool, RefreshError> {
    Ok(write_transaction(conn, |conn| {
        let Some(row) = store::find_by_any_token(conn, &presented.hashed())? else {
            return Ok(false);
        };
        if row.client_id != client.as_str() {
            return Ok(false);
        }
        if !store::revoke(conn, row.family_id()?, REASON_CLIENT_REVOKED, now)? {
            return Ok(false);
        }
        revoked_family(
            conn,
            audit,
            &row,
            REASON_CLIENT_REVOKED,
            client.as_str(),
            now,
        )?;
        Ok(true)
    })?)
}

/// What a revocation of several families ended (with every access token
/// they issued).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RevokedFamilies {
    /// The families revoked now.
    pub families: Vec<RefreshFamilyId>,
}

/// The one way several families end: each selected family is revoked with
/// its access tokens and audited as `refresh_family.revoked` with `reason`,
/// in one transaction.
fn revoke_many(
    conn: &mut DbConnection,
    audit: &AuditChain,
    (reason, actor): (&'static str, &str),
    now: DateTime<Utc>,
    select: impl FnOnce(&mut DbConnection) -> Result<Vec<RefreshFamilyId>, StoreError>,
) -> Result<RevokedFamilies, RefreshError> {
    Ok(write_transaction(conn, |conn| {
        let families = select(conn)?;
        for id in &families {
            if let Some(family) = store::find(conn, *id)? {
                revoked_family(conn, audit, &family, reason, actor, now)?;
            }
        }
        Ok(RevokedFamilies { families })
    })?)
}

/// Revokes every family begun in the browser session `session_id` (sign-out,
/// RP-initiated logout), with their access tokens; audited. Returns the
/// families revoked now.
pub fn revoke_families_of_session(
    conn: &mut DbConnection,
    audit: &AuditChain,
    session_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, RefreshError> {
    let revoked = revoke_many(conn, audit, (REASON_SESSION_ENDED, "system"), now, |conn| {
        store::revoke_of_session(conn, session_id, REASON_SESSION_ENDED, now)
    })?;
    Ok(revoked.families)
}

/// Ends what relying parties hold through these OpenID Connect sessions,
/// in one transaction: the refresh-token families started in them (with
/// the access tokens they issued, audited), every access token issued in
/// them without a refresh token, and — by recording the sids as ended —
/// every code issued in them and not redeemed yet. Called whenever a
/// browser session ends on purpose (sign-out, logout, another user signing
/// in, "sign out everywhere else").
pub fn end_sessions(
    conn: &mut DbConnection,
    audit: &AuditChain,
    sids: &[String],
    now: DateTime<Utc>,
) -> Result<(), RefreshError> {
    if sids.is_empty() {
        return Ok(());
    }
    write_transaction(conn, |c| {
        for sid in sids {
            revoke_families_of_session(c, audit, sid, now).map_err(RefreshError::into_store)?;
            revocation::revoke_session(c, sid, now)?;
            // A code issued in the session and not redeemed yet is refused
            // (it lives at most CODE_TTL).
            ended_sessions::record(c, sid, now, now + crate::lifetimes::CODE_TTL)?;
        }
        Ok(())
    })
    .map_err(RefreshError::Store)
}

/// Revokes every family begun by the authorization code with this hash
/// (the code was replayed: RFC 6749 §4.1.2), with their access tokens;
/// audited. Also revokes the access tokens issued directly for the code.
/// Returns the families revoked now.
pub fn revoke_families_by_code(
    conn: &mut DbConnection,
    audit: &AuditChain,
    code_hash: &HashedToken,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, RefreshError> {
    let revoked = revoke_many(conn, audit, (REASON_CODE_REUSED, "system"), now, |conn| {
        revocation::revoke_code_grant(conn, code_hash, now)?;
        store::revoke_by_code(conn, code_hash, REASON_CODE_REUSED, now)
    })?;
    Ok(revoked.families)
}

/// Revokes every family `user` holds with `client` (the user withdrew
/// consent; `user` is the actor), with their access tokens; audited.
pub fn revoke_families_of_user_client(
    conn: &mut DbConnection,
    audit: &AuditChain,
    user: UserId,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<RevokedFamilies, RefreshError> {
    let actor = user.to_string();
    revoke_many(conn, audit, (REASON_CONSENT_REVOKED, &actor), now, |conn| {
        store::revoke_of_user_client(conn, user, client, REASON_CONSENT_REVOKED, now)
    })
}

/// Revokes every family of `user` with every client (the account was
/// disabled by `actor`), with their access tokens; audited. Call inside the
/// transaction that disables the account.
pub fn revoke_families_of_user(
    conn: &mut DbConnection,
    audit: &AuditChain,
    actor: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<RevokedFamilies, RefreshError> {
    revoke_many(conn, audit, (REASON_USER_DISABLED, actor), now, |conn| {
        store::revoke_of_user(conn, user, REASON_USER_DISABLED, now)
    })
}

/// Revokes every family of `client` (the client was disabled by `actor`),
/// with their access tokens; audited.
pub fn revoke_families_of_client(
    conn: &mut DbConnection,
    audit: &AuditChain,
    actor: &str,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<RevokedFamilies, RefreshError> {
    revoke_many(conn, audit, (REASON_CLIENT_DISABLED, actor), now, |conn| {
        store::revoke_of_client(conn, client, REASON_CLIENT_DISABLED, now)
    })
}
