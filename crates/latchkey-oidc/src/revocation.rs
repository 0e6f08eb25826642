//! Revoking access tokens without having recorded them. Issuing an access
//! token writes nothing; every way a token ends before its `exp` records a
//! revocation ([`latchkey_store::token_revocations`]) that matches what the
//! token carries: its `jti`, `sid`, `refresh_family`, `code_grant`,
//! `client_id` and subject. `/introspect` and `/userinfo` verify the
//! signature and expiry, then consult the records ([`is_revoked`]) — a read
//! of the shared database, so a revocation made on one node is seen by
//! every node at once.
//!
//! A record is kept [`REVOCATION_KEPT`] after it is made: longer than any
//! access token lives, so no token it matches outlives it.

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{ClientId, HashedToken, RefreshFamilyId, UserId};
use latchkey_store::token_revocations::{self, Revoked};
use latchkey_store::{DbConnection, StoreError};

use crate::jwt::AccessTokenClaims;
use crate::mint::ACCESS_TOKEN_LIFETIME;

/// How long a revocation is remembered: the access-token lifetime, plus
/// margin for a token being minted while the revocation was made and for
/// clock differences between nodes.
pub const REVOCATION_KEPT: Duration =
    Duration::seconds(ACCESS_TOKEN_LIFETIME.num_seconds() + 5 * 60);

/// Records `revoked` at `now`.
pub fn revoke(
    conn: &mut DbConnection,
    revoked: &Revoked,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    token_revocations::record(conn, revoked, now, now + REVOCATION_KEPT)
}

/// Revokes one access token by its `jti` (RFC 7009).
pub fn revoke_token(
    conn: &mut DbConnection,
    jti: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(conn, &Revoked::Token(jti.to_owned()), now)
}

/// Revokes every access token issued in the browser session `sid`.
pub fn revoke_session(
    conn: &mut DbConnection,
    sid: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(conn, &Revoked::Session(sid.to_owned()), now)
}

/// Revokes every access token issued under a refresh-token family.
pub fn revoke_family(
    conn: &mut DbConnection,
    family: RefreshFamilyId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(conn, &Revoked::Family(family), now)
}

/// Revokes every access token issued for the code with this hash.
pub fn revoke_code_grant(
    conn: &mut DbConnection,
    code_hash: &HashedToken,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(
        conn,
        &Revoked::CodeGrant(token_revocations::code_grant_id(code_hash)),
        now,
    )
}

/// Revokes every access token issued to `client` up to `now`.
pub fn revoke_client(
    conn: &mut DbConnection,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(conn, &Revoked::Client(client.clone()), now)
}

/// Revokes every access token issued to `user` up to `now`.
pub fn revoke_user(
    conn: &mut DbConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(conn, &Revoked::User(user), now)
}

/// Revokes every access token `client` was issued for `user` up to `now`.
pub fn revoke_user_client(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    revoke(conn, &Revoked::UserClient(user, client.clone()), now)
}

/// Every key a revocation of the token with these claims can be recorded
/// under. A `refresh_family` that is not a family id matches nothing we
/// issued: it is an error (the caller refuses the token).
pub fn keys_of(claims: &AccessTokenClaims) -> Result<Vec<Revoked>, StoreError> {
    let mut keys = Vec::with_capacity(7);
    keys.push(Revoked::Token(claims.jti.clone()));
    keys.push(Revoked::Client(claims.client_id.clone()));
    if let Some(sid) = &claims.sid {
        keys.push(Revoked::Session(sid.clone()));
    }
    if let Some(family) = &claims.refresh_family {
        let family = family.parse::<RefreshFamilyId>().map_err(|_| {
            StoreError::Corrupt("an access token names a malformed refresh family".into())
        })?;
        keys.push(Revoked::Family(family));
    }
    if let Some(grant) = &claims.code_grant {
        keys.push(Revoked::CodeGrant(grant.clone()));
    }
    if let Ok(user) = claims.sub.parse::<UserId>() {
        keys.push(Revoked::User(user));
        keys.push(Revoked::UserClient(user, claims.client_id.clone()));
    }
    Ok(keys)
}

/// Whether a revocation matches the (verified) token with these claims.
pub fn is_revoked(conn: &mut DbConnection, claims: &AccessTokenClaims) -> Result<bool, StoreError> {
    token_revocations::revokes_any(conn, &keys_of(claims)?, claims.iat)
}
