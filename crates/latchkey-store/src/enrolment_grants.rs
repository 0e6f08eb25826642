//! Enrolment grants: the single-use, short-lived permission to register a
//! passkey that a completed guarded action (a recovery, an added passkey)
//! hands to the browser session that asked for it. Stored as the SHA-256 of
//! the token (`lke_`) and of the session handle; redeemed once, only from
//! that session, only before it expires.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{
    EnrolmentGrantId, GuardedActionId, HashedToken, PlainToken, TokenKind, UserId,
};

use crate::schema::enrolment_grants;
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// A grant, without its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = enrolment_grants)]
pub struct EnrolmentGrant {
    pub id: String,
    pub user_id: String,
    pub action_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

impl EnrolmentGrant {
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
) -> Result<(EnrolmentGrantId, PlainToken), StoreError> {
    let id = EnrolmentGrantId::new();
    let token = PlainToken::generate(TokenKind::EnrolmentGrant);
    diesel::insert_into(enrolment_grants::table)
        .values((
            enrolment_grants::id.eq(id.to_string()),
            enrolment_grants::user_id.eq(user.to_string()),
            enrolment_grants::action_id.eq(action.map(|a| a.to_string())),
            enrolment_grants::token_hash.eq(token.hashed().as_bytes().to_vec()),
            enrolment_grants::session_binding.eq(session.as_bytes().to_vec()),
            enrolment_grants::created_at.eq(to_db(now)),
            enrolment_grants::expires_at.eq(to_db(now + ttl)),
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
) -> Result<Option<EnrolmentGrant>, StoreError> {
    let now = to_db(now);
    write_transaction(conn, |conn| {
        let found: Option<(String, Vec<u8>)> = enrolment_grants::table
            .select((enrolment_grants::id, enrolment_grants::session_binding))
            .filter(enrolment_grants::token_hash.eq(token.as_bytes().to_vec()))
            .filter(enrolment_grants::used_at.is_null())
            .filter(enrolment_grants::expires_at.gt(now))
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
            enrolment_grants::table
                .filter(enrolment_grants::id.eq(&id))
                .filter(enrolment_grants::used_at.is_null()),
        )
        .set(enrolment_grants::used_at.eq(Some(now)))
        .execute(conn)?;
        if spent != 1 {
            return Ok(None);
        }
        Ok(Some(
            enrolment_grants::table
                .select(EnrolmentGrant::as_select())
                .filter(enrolment_grants::id.eq(&id))
                .first(conn)?,
        ))
    })
}

/// A grant by id (for the console and tests).
pub fn find(
    conn: &mut DbConnection,
    id: EnrolmentGrantId,
) -> Result<Option<EnrolmentGrant>, StoreError> {
    Ok(enrolment_grants::table
        .select(EnrolmentGrant::as_select())
        .filter(enrolment_grants::id.eq(id.to_string()))
        .first(conn)
        .optional()?)
}

/// The grants issued for a request.
pub fn for_action(
    conn: &mut DbConnection,
    action: GuardedActionId,
) -> Result<Vec<EnrolmentGrant>, StoreError> {
    Ok(enrolment_grants::table
        .select(EnrolmentGrant::as_select())
        .filter(enrolment_grants::action_id.eq(action.to_string()))
        .order(enrolment_grants::created_at.asc())
        .load(conn)?)
}
