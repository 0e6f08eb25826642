//! Issued access tokens, by their `jti`. Access tokens are self-contained
//! JWTs; this record is what lets them be revoked before they expire — by a
//! replayed authorization code (RFC 6749 §4.1.2), a revoked refresh-token
//! family, the end of the browser session it was issued in, withdrawn
//! consent, a disabled client, or RFC 7009 — and what introspection
//! (RFC 7662) consults.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{ClientId, HashedToken, RefreshFamilyId, UserId};

use crate::schema::access_tokens as at;
use crate::{DbConnection, StoreError, to_db};

/// A recorded access token.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = at)]
pub struct AccessToken {
    pub jti: String,
    pub client_id: String,
    pub user_id: Option<String>,
    pub family_id: Option<String>,
    pub code_hash: Option<Vec<u8>>,
    pub scope: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    /// The browser session (OIDC `sid`) it was issued in, if any.
    pub session_id: Option<String>,
}

impl AccessToken {
    /// Not revoked and not expired at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > to_db(now)
    }
}

/// What to record when an access token is issued.
#[derive(Debug, Clone)]
pub struct NewAccessToken {
    pub jti: String,
    pub client_id: ClientId,
    /// `None` for tokens without an end user.
    pub user_id: Option<UserId>,
    /// The refresh-token family it was issued under, if any.
    pub family_id: Option<RefreshFamilyId>,
    /// The SHA-256 of the authorization code it was issued for, if any.
    pub code_hash: Option<HashedToken>,
    /// Space-separated scope values.
    pub scope: String,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The browser session (OIDC `sid`) it was issued in, if any: ending
    /// the session revokes it.
    pub session_id: Option<String>,
}

pub fn record(conn: &mut DbConnection, new: &NewAccessToken) -> Result<(), StoreError> {
    diesel::insert_into(at::table)
        .values(AccessToken {
            jti: new.jti.clone(),
            client_id: new.client_id.as_str().to_owned(),
            user_id: new.user_id.map(|u| u.to_string()),
            family_id: new.family_id.map(|f| f.to_string()),
            code_hash: new.code_hash.as_ref().map(|h| h.as_bytes().to_vec()),
            scope: new.scope.clone(),
            issued_at: to_db(new.issued_at),
            expires_at: to_db(new.expires_at),
            revoked_at: None,
            session_id: new.session_id.clone(),
        })
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("an access token with this jti"))?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, jti: &str) -> Result<Option<AccessToken>, StoreError> {
    Ok(at::table
        .select(AccessToken::as_select())
        .filter(at::jti.eq(jti))
        .first(conn)
        .optional()?)
}

/// The token if it is recorded, not revoked and not expired at `now`.
pub fn find_active(
    conn: &mut DbConnection,
    jti: &str,
    now: DateTime<Utc>,
) -> Result<Option<AccessToken>, StoreError> {
    Ok(at::table
        .select(AccessToken::as_select())
        .filter(at::jti.eq(jti))
        .filter(at::revoked_at.is_null())
        .filter(at::expires_at.gt(to_db(now)))
        .first(conn)
        .optional()?)
}

/// Whether the token is recorded, not revoked and not expired at `now`. An
/// unknown `jti` is not active.
pub fn is_active(
    conn: &mut DbConnection,
    jti: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    Ok(find_active(conn, jti, now)?.is_some())
}

/// Revokes one token; returns whether it was unrevoked until now.
pub fn revoke(conn: &mut DbConnection, jti: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = diesel::update(
        at::table
            .filter(at::jti.eq(jti))
            .filter(at::revoked_at.is_null()),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes every token issued for the authorization code with this hash;
/// returns how many were unrevoked until now.
pub fn revoke_by_code(
    conn: &mut DbConnection,
    code_hash: &HashedToken,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        at::table
            .filter(at::code_hash.eq(code_hash.as_bytes().as_slice()))
            .filter(at::revoked_at.is_null()),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Revokes every unexpired token issued in the browser session `sid`
/// (the session ended); returns how many were unrevoked until now.
pub fn revoke_of_session(
    conn: &mut DbConnection,
    sid: &str,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        at::table
            .filter(at::session_id.eq(sid))
            .filter(at::revoked_at.is_null())
            .filter(at::expires_at.gt(to_db(now))),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Revokes every unexpired token one user holds from one client (the user
/// withdrew consent); returns how many were unrevoked until now.
pub fn revoke_of_user_client(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        at::table
            .filter(at::user_id.eq(user.to_string()))
            .filter(at::client_id.eq(client.as_str()))
            .filter(at::revoked_at.is_null())
            .filter(at::expires_at.gt(to_db(now))),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Revokes every unexpired token a user holds from any client (the account
/// was disabled); returns how many were unrevoked until now.
pub fn revoke_of_user(
    conn: &mut DbConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        at::table
            .filter(at::user_id.eq(user.to_string()))
            .filter(at::revoked_at.is_null())
            .filter(at::expires_at.gt(to_db(now))),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Revokes every unexpired token issued to a client (the client was
/// disabled); returns how many were unrevoked until now.
pub fn revoke_of_client(
    conn: &mut DbConnection,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        at::table
            .filter(at::client_id.eq(client.as_str()))
            .filter(at::revoked_at.is_null())
            .filter(at::expires_at.gt(to_db(now))),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Revokes every token issued under a refresh-token family; returns how
/// many were unrevoked until now.
pub fn revoke_by_family(
    conn: &mut DbConnection,
    family: RefreshFamilyId,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::update(
        at::table
            .filter(at::family_id.eq(family.to_string()))
            .filter(at::revoked_at.is_null()),
    )
    .set(at::revoked_at.eq(to_db(now)))
    .execute(conn)?)
}

/// Deletes records of tokens that expired before `before` (they can no
/// longer be presented). Returns how many.
pub fn delete_expired_before(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
) -> Result<usize, StoreError> {
    Ok(diesel::delete(at::table.filter(at::expires_at.lt(to_db(before)))).execute(conn)?)
}
