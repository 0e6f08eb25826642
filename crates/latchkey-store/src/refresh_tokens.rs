//! Refresh-token families. A family is one grant (a code redeemed with
//! `offline_access`); its refresh token rotates on every use. Only the
//! SHA-256 of the current token is kept on the family; every earlier token
//! goes to `refresh_tokens_used`, so presenting one again is recognised as
//! reuse and revokes the family (RFC 9700 §4.14.2).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{ClientId, HashedToken, RefreshFamilyId, UserId};

use crate::schema::{refresh_token_families as fam, refresh_tokens_used as used, users};
use crate::users::User;
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// Why a family was revoked (`revoked_reason`).
pub const REASON_REUSE_DETECTED: &str = "reuse_detected";
pub const REASON_CLIENT_REVOKED: &str = "client_revoked";
pub const REASON_SESSION_ENDED: &str = "session_ended";
pub const REASON_CODE_REUSED: &str = "code_reused";
pub const REASON_CONSENT_REVOKED: &str = "consent_revoked";
pub const REASON_CLIENT_DISABLED: &str = "client_disabled";
pub const REASON_USER_DISABLED: &str = "user_disabled";

/// A stored family.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = fam)]
pub struct RefreshFamily {
    pub id: String,
    pub client_id: String,
    pub user_id: String,
    pub session_id: Option<String>,
    pub scope: String,
    pub acr: String,
    pub amr: String,
    pub auth_time: NaiveDateTime,
    pub generation: i64,
    pub current_token_hash: Vec<u8>,
    pub code_hash: Option<Vec<u8>>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
    /// The resources (RFC 8707) the grant covers, as a JSON array.
    pub resources: String,
}

impl RefreshFamily {
    pub fn family_id(&self) -> Result<RefreshFamilyId, StoreError> {
        RefreshFamilyId::parse(&self.id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub fn owner(&self) -> Result<UserId, StoreError> {
        UserId::parse(&self.user_id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    /// Not revoked and not past its absolute expiry at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && self.expires_at > to_db(now)
    }
}

/// A new family with its first token's hash.
#[derive(Debug, Clone)]
pub struct NewRefreshFamily {
    pub id: RefreshFamilyId,
    pub client_id: ClientId,
    pub user_id: UserId,
    pub session_id: Option<String>,
    /// Space-separated scope values.
    pub scope: String,
    pub acr: String,
    /// The `amr` values as a JSON array.
    pub amr: String,
    pub auth_time: DateTime<Utc>,
    pub token_hash: HashedToken,
    /// The SHA-256 of the authorization code that started the grant, so a
    /// replayed code can revoke what it issued.
    pub code_hash: Option<HashedToken>,
    /// Absolute end of the family, however often it rotates.
    pub expires_at: DateTime<Utc>,
    /// The resources (RFC 8707) the grant covers, as a JSON array; a
    /// refresh may ask for fewer, never for others.
    pub resources: String,
}

pub fn create(
    conn: &mut DbConnection,
    new: &NewRefreshFamily,
    now: DateTime<Utc>,
) -> Result<RefreshFamily, StoreError> {
    let row = RefreshFamily {
        id: new.id.to_string(),
        client_id: new.client_id.as_str().to_owned(),
        user_id: new.user_id.to_string(),
        session_id: new.session_id.clone(),
        scope: new.scope.clone(),
        acr: new.acr.clone(),
        amr: new.amr.clone(),
        auth_time: to_db(new.auth_time),
        generation: 0,
        current_token_hash: new.token_hash.as_bytes().to_vec(),
        code_hash: new.code_hash.as_ref().map(|h| h.as_bytes().to_vec()),
        created_at: to_db(now),
        expires_at: to_db(new.expires_at),
        revoked_at: None,
        revoked_reason: None,
        resources: new.resources.clone(),
    };
    let insert = diesel::insert_into(fam::table).values((
        fam::id.eq(&row.id),
        fam::client_id.eq(&row.client_id),
        fam::user_id.eq(&row.user_id),
        fam::session_id.eq(&row.session_id),
        fam::scope.eq(&row.scope),
        fam::acr.eq(&row.acr),
        fam::amr.eq(&row.amr),
        fam::auth_time.eq(row.auth_time),
        fam::generation.eq(row.generation),
        fam::current_token_hash.eq(&row.current_token_hash),
        fam::code_hash.eq(&row.code_hash),
        fam::created_at.eq(row.created_at),
        fam::expires_at.eq(row.expires_at),
        fam::resources.eq(&row.resources),
    ));
    crate::write(conn, |conn| {
        insert.execute(conn).map_err(|e| {
            StoreError::from(e).conflict_as("a refresh token family with this id or token")
        })
    })?;
    Ok(row)
}

pub fn find(
    conn: &mut DbConnection,
    id: RefreshFamilyId,
) -> Result<Option<RefreshFamily>, StoreError> {
    Ok(fam::table
        .select(RefreshFamily::as_select())
        .filter(fam::id.eq(id.to_string()))
        .first(conn)
        .optional()?)
}

/// The family whose current token has this hash (live or not).
pub fn find_by_current_token(
    conn: &mut DbConnection,
    token: &HashedToken,
) -> Result<Option<RefreshFamily>, StoreError> {
    Ok(fam::table
        .select(RefreshFamily::as_select())
        .filter(fam::current_token_hash.eq(token.as_bytes().as_slice()))
        .first(conn)
        .optional()?)
}

/// The family a token belongs to, whether it is the current token or one
/// already rotated away.
pub fn find_by_any_token(
    conn: &mut DbConnection,
    token: &HashedToken,
) -> Result<Option<RefreshFamily>, StoreError> {
    if let Some(f) = find_by_current_token(conn, token)? {
        return Ok(Some(f));
    }
    let family_id: Option<String> = used::table
        .select(used::family_id)
        .filter(used::token_hash.eq(token.as_bytes().as_slice()))
        .first(conn)
        .optional()?;
    Ok(match family_id {
        Some(id) => fam::table
            .select(RefreshFamily::as_select())
            .filter(fam::id.eq(id))
            .first(conn)
            .optional()?,
        None => None,
    })
}

/// The live families of a user, newest first (for the account page).
pub fn live_of_user(
    conn: &mut DbConnection,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamily>, StoreError> {
    Ok(fam::table
        .select(RefreshFamily::as_select())
        .filter(fam::user_id.eq(user.to_string()))
        .filter(fam::revoked_at.is_null())
        .filter(fam::expires_at.gt(to_db(now)))
        .order(fam::created_at.desc())
        .load(conn)?)
}

/// Why a presented token was not rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No family has ever issued this token.
    Unknown,
    /// The family is past its absolute expiry.
    Expired,
    /// The family was revoked earlier.
    Revoked,
    /// The family belongs to another client.
    OtherClient,
    /// The account is disabled.
    UserDisabled,
}

/// The outcome of [`rotate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotateOutcome {
    /// The token was current: the family now has the new token, one
    /// generation later. With the account it belongs to, read in the same
    /// transaction (it is checked there, and the ID token needs it).
    Rotated(RefreshFamily, Box<User>),
    /// The token had already been rotated away: the family is revoked.
    /// `newly_revoked` is false when it already was.
    Reused {
        family: RefreshFamily,
        newly_revoked: bool,
    },
    /// Nothing changed.
    Refused(Refusal),
}

/// Loads the family whose current token is `token`, locking its row for the
/// rest of the transaction on PostgreSQL (SQLite's `BEGIN IMMEDIATE`
/// already excludes other writers). A concurrent rotation that committed
/// while we waited for the lock moved the current token on, so the row no
/// longer matches and `None` comes back.
fn lock_family_where_current(
    conn: &mut DbConnection,
    token: &[u8],
) -> Result<Option<RefreshFamily>, StoreError> {
    if let DbConnection::Pg(pg) = conn {
        let locked: Option<String> = fam::table
            .select(fam::id)
            .filter(fam::current_token_hash.eq(token))
            .for_update()
            .first(pg)
            .optional()?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    Ok(fam::table
        .select(RefreshFamily::as_select())
        .filter(fam::current_token_hash.eq(token))
        .first(conn)
        .optional()?)
}

/// Loads a family by id, locking its row on PostgreSQL.
fn lock_family_by_id(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<RefreshFamily>, StoreError> {
    if let DbConnection::Pg(pg) = conn {
        let locked: Option<String> = fam::table
            .select(fam::id)
            .filter(fam::id.eq(id))
            .for_update()
            .first(pg)
            .optional()?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    Ok(fam::table
        .select(RefreshFamily::as_select())
        .filter(fam::id.eq(id))
        .first(conn)
        .optional()?)
}

/// Whether the account is disabled (or gone).
pub fn user_is_disabled(conn: &mut DbConnection, user_id: &str) -> Result<bool, StoreError> {
    let disabled: Option<Option<NaiveDateTime>> = users::table
        .select(users::disabled_at)
        .filter(users::id.eq(user_id))
        .first(conn)
        .optional()?;
    Ok(!matches!(disabled, Some(None)))
}

/// Rotates the family whose current token is `presented`, for `client`.
///
/// In one write transaction (the family row locked on PostgreSQL): when
/// `presented` is the current token of a live family of `client`, it is
/// recorded as used and `new_token` becomes current. When `presented` was
/// rotated away earlier, the family is revoked with `reuse_detected` —
/// whichever client presents it, since a rotated token in anyone's hands
/// means it leaked. Of two concurrent rotations of one token, exactly one
/// rotates; the other finds the token used and revokes the family.
pub fn rotate(
    conn: &mut DbConnection,
    presented: &HashedToken,
    new_token: &HashedToken,
    client: &ClientId,
    now: DateTime<Utc>,
) -> Result<RotateOutcome, StoreError> {
    let presented = presented.as_bytes().as_slice();
    write_transaction(conn, |conn| {
        if let Some(family) = lock_family_where_current(conn, presented)? {
            if family.client_id != client.as_str() {
                return Ok(RotateOutcome::Refused(Refusal::OtherClient));
            }
            if family.revoked_at.is_some() {
                return Ok(RotateOutcome::Refused(Refusal::Revoked));
            }
            if family.expires_at <= to_db(now) {
                return Ok(RotateOutcome::Refused(Refusal::Expired));
            }
            let user = users::table
                .select(User::as_select())
                .filter(users::id.eq(&family.user_id))
                .first(conn)
                .optional()?;
            let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
                return Ok(RotateOutcome::Refused(Refusal::UserDisabled));
            };
            diesel::insert_into(used::table)
                .values((
                    used::token_hash.eq(presented),
                    used::family_id.eq(&family.id),
                    used::generation.eq(family.generation),
                    used::used_at.eq(to_db(now)),
                ))
                .execute(conn)?;
            let generation = family.generation + 1;
            let updated = diesel::update(
                fam::table
                    .filter(fam::id.eq(&family.id))
                    .filter(fam::current_token_hash.eq(presented)),
            )
            .set((
                fam::current_token_hash.eq(new_token.as_bytes().as_slice()),
                fam::generation.eq(generation),
            ))
            .execute(conn)
            .map_err(|e| StoreError::from(e).conflict_as("a refresh token with this hash"))?;
            if updated != 1 {
                // Cannot happen under the lock; never rotate blindly.
                return Err(StoreError::Conflict("a concurrent rotation"));
            }
            return Ok(RotateOutcome::Rotated(
                RefreshFamily {
                    generation,
                    current_token_hash: new_token.as_bytes().to_vec(),
                    ..family
                },
                Box::new(user),
            ));
        }
        let family_id: Option<String> = used::table
            .select(used::family_id)
            .filter(used::token_hash.eq(presented))
            .first(conn)
            .optional()?;
        let Some(family_id) = family_id else {
            return Ok(RotateOutcome::Refused(Refusal::Unknown));
        };
        let Some(family) = lock_family_by_id(conn, &family_id)? else {
            return Ok(RotateOutcome::Refused(Refusal::Unknown));
        };
        let newly_revoked = revoke_locked(conn, &family.id, REASON_REUSE_DETECTED, now)?;
        let family = if newly_revoked {
            RefreshFamily {
                revoked_at: Some(to_db(now)),
                revoked_reason: Some(REASON_REUSE_DETECTED.to_owned()),
                ..family
            }
        } else {
            family
        };
        Ok(RotateOutcome::Reused {
            family,
            newly_revoked,
        })
    })
}

fn revoke_locked(
    conn: &mut DbConnection,
    id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        fam::table
            .filter(fam::id.eq(id))
            .filter(fam::revoked_at.is_null()),
    )
    .set((
        fam::revoked_at.eq(to_db(now)),
        fam::revoked_reason.eq(reason),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Revokes one family; returns whether it was live-or-expired and is now
/// revoked (false if unknown or already revoked — the first reason stays).
pub fn revoke(
    conn: &mut DbConnection,
    id: RefreshFamilyId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    revoke_locked(conn, &id.to_string(), reason, now)
}

/// Revokes the unrevoked families matching `filter`; returns their ids.
fn revoke_where<F>(
    conn: &mut DbConnection,
    select: F,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<Vec<String>, StoreError>,
{
    write_transaction(conn, |conn| {
        let ids = select(conn)?;
        let mut revoked = Vec::with_capacity(ids.len());
        for id in ids {
            if revoke_locked(conn, &id, reason, now)? {
                revoked.push(
                    RefreshFamilyId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                );
            }
        }
        Ok(revoked)
    })
}

/// Revokes every family started in the browser session `session_id`
/// (sign-out, RP-initiated logout). Returns the ids revoked now.
pub fn revoke_of_session(
    conn: &mut DbConnection,
    session_id: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, StoreError> {
    revoke_where(
        conn,
        |conn| {
            Ok(fam::table
                .select(fam::id)
                .filter(fam::session_id.eq(session_id))
                .filter(fam::revoked_at.is_null())
                .load(conn)?)
        },
        reason,
        now,
    )
}

/// Revokes every family started by the authorization code with this hash
/// (a replayed code, RFC 6749 §4.1.2). Returns the ids revoked now.
pub fn revoke_by_code(
    conn: &mut DbConnection,
    code_hash: &HashedToken,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, StoreError> {
    revoke_where(
        conn,
        |conn| {
            Ok(fam::table
                .select(fam::id)
                .filter(fam::code_hash.eq(code_hash.as_bytes().as_slice()))
                .filter(fam::revoked_at.is_null())
                .load(conn)?)
        },
        reason,
        now,
    )
}

/// Revokes every family of a user (account disabled, recovery completed).
pub fn revoke_of_user(
    conn: &mut DbConnection,
    user: UserId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, StoreError> {
    revoke_where(
        conn,
        |conn| {
            Ok(fam::table
                .select(fam::id)
                .filter(fam::user_id.eq(user.to_string()))
                .filter(fam::revoked_at.is_null())
                .load(conn)?)
        },
        reason,
        now,
    )
}

/// Revokes every family of a client (the client was disabled). Returns the
/// ids revoked now.
pub fn revoke_of_client(
    conn: &mut DbConnection,
    client: &ClientId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, StoreError> {
    revoke_where(
        conn,
        |conn| {
            Ok(fam::table
                .select(fam::id)
                .filter(fam::client_id.eq(client.as_str()))
                .filter(fam::revoked_at.is_null())
                .load(conn)?)
        },
        reason,
        now,
    )
}

/// Revokes every family a user holds with one client (the user withdrew
/// consent). Returns the ids revoked now.
pub fn revoke_of_user_client(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Vec<RefreshFamilyId>, StoreError> {
    revoke_where(
        conn,
        |conn| {
            Ok(fam::table
                .select(fam::id)
                .filter(fam::user_id.eq(user.to_string()))
                .filter(fam::client_id.eq(client.as_str()))
                .filter(fam::revoked_at.is_null())
                .load(conn)?)
        },
        reason,
        now,
    )
}

/// Deletes families that expired or were revoked before `before` (their
/// used tokens go with them). Returns how many.
pub fn delete_ended_before(
    conn: &mut DbConnection,
    before: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let before = to_db(before);
    write_transaction(conn, |conn| {
        let ids: Vec<String> = fam::table
            .select(fam::id)
            .filter(fam::expires_at.le(before).or(fam::revoked_at.le(before)))
            .load(conn)?;
        if ids.is_empty() {
            return Ok(0);
        }
        // Explicit, not relying on ON DELETE CASCADE (SQLite needs the
        // foreign_keys pragma for it).
        diesel::delete(used::table.filter(used::family_id.eq_any(&ids))).execute(conn)?;
        Ok(diesel::delete(fam::table.filter(fam::id.eq_any(&ids))).execute(conn)?)
    })
}
