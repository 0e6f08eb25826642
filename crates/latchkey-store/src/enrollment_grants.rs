//! Enrolment grants: the single-use, short-lived permission to register a
//! passkey that a completed guarded action (a recovery, an added passkey)
//! hands to the browser session that asked for it. Stored as the SHA-256 of
//! the token (`lke_`) and of the session handle; redeemed once, only from
//! that session, only before it expires.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{
    EnrollmentGrantId, GuardedActionId, HashedToken, PlainToken, TokenKind, UserId,
};

use crate::schema::enrollment_grants;
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// A grant, without its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = enrollment_grants)]
pub struct EnrollmentGrant {
    pub id: String,
    pub user_id: String,
    pub action_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

impl EnrollmentGrant {
    pub fn user(&self) -> Result<UserId, StoreError> {
        UserId::parse(&self.user_id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// Issues a grant for `user`, bound to the session whose handle hashes to
/// `session`. Returns the token, to be handed to that session once.
pub fn issue(
    conn: &mut DbConnection,
    user: UserId,
    action: Option<GuardedActionId>,
    session: &HashedToken,
    ttl: Duration,
    now: DateTime<Utc>,
) -> Result<(EnrollmentGrantId, PlainToken), StoreError> {
    let id = EnrollmentGrantId::new();
    let token = PlainToken::generate(TokenKind::EnrollmentGrant);
    diesel::insert_into(enrollment_grants::table)
        .values((
            enrollment_grants::id.eq(id.to_string()),
            enrollment_grants::user_id.eq(user.to_string()),
            enrollment_grants::action_id.eq(action.map(|a| a.to_string())),
            enrollment_grants::token_hash.eq(token.hashed().as_bytes().to_vec()),
            enrollment_grants::session_binding.eq(session.as_bytes().to_vec()),
            enrollment_grants::created_at.eq(to_db(now)),
            enrollment_grants::expires_at.eq(to_db(now + ttl)),
        ))
        .execute(conn)?;
    Ok((id, token))
}

/// Spends the grant whose token hashes to `token`, if it is unused, not
/// expired, and bound to `session`. Of concurrent redemptions exactly one
/// gets it (a conditional update). A grant presented from another session
/// is refused and left as it was.
pub fn redeem(
    conn: &mut DbConnection,
    token: &HashedToken,
    session: &HashedToken,
    now: DateTime<Utc>,
) -> Result<Option<EnrollmentGrant>, StoreError> {
    let now = to_db(now);
    write_transaction(conn, |conn| {
        let found: Option<(String, Vec<u8>)> = enrollment_grants::table
            .select((enrollment_grants::id, enrollment_grants::session_binding))
            .filter(enrollment_grants::token_hash.eq(token.as_bytes().to_vec()))
            .filter(enrollment_grants::used_at.is_null())
            .filter(enrollment_grants::expires_at.gt(now))
            .first(conn)
            .optional()?;
        let Some((id, binding)) = found else {
            return Ok(None);
        };
        let bound = HashedToken::from_bytes(&binding).is_some_and(|b| b.matches(session));
        if !bound {
            return Ok(None);
        }
        let spent = diesel::update(
            enrollment_grants::table
                .filter(enrollment_grants::id.eq(&id))
                .filter(enrollment_grants::used_at.is_null()),
        )
        .set(enrollment_grants::used_at.eq(Some(now)))
        .execute(conn)?;
        if spent != 1 {
            return Ok(None);
        }
        Ok(Some(
            enrollment_grants::table
                .select(EnrollmentGrant::as_select())
                .filter(enrollment_grants::id.eq(&id))
                .first(conn)?,
        ))
    })
}

/// A grant by id (for the console and tests).
pub fn find(
    conn: &mut DbConnection,
    id: EnrollmentGrantId,
) -> Result<Option<EnrollmentGrant>, StoreError> {
    Ok(enrollment_grants::table
        .select(EnrollmentGrant::as_select())
        .filter(enrollment_grants::id.eq(id.to_string()))
        .first(conn)
        .optional()?)
}

/// The grants issued for a request.
pub fn for_action(
    conn: &mut DbConnection,
    action: GuardedActionId,
) -> Result<Vec<EnrollmentGrant>, StoreError> {
    Ok(enrollment_grants::table
        .select(EnrollmentGrant::as_select())
        .filter(enrollment_grants::action_id.eq(action.to_string()))
        .order(enrollment_grants::created_at.asc())
        .load(conn)?)
}
