//! Token-signing keys. The private part is sealed with the master key
//! (AES-256-GCM, the key id as associated data); the public JWK is plain.
//!
//! Life cycle: `next` (published, not yet signing) → `active` (signing) →
//! `retired` (published until `publish_until`, when every token it signed
//! has expired) → dropped from the key set.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::SigningKeyId;

use crate::schema::signing_keys;
use crate::{DbConnection, StoreError, to_db, write_transaction};

pub const STATE_NEXT: &str = "next";
pub const STATE_ACTIVE: &str = "active";
pub const STATE_RETIRED: &str = "retired";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = signing_keys)]
pub struct SigningKey {
    pub id: String,
    pub alg: String,
    pub state: String,
    pub public_jwk: String,
    pub private_key_sealed: Vec<u8>,
    pub created_at: NaiveDateTime,
    pub activated_at: Option<NaiveDateTime>,
    pub retired_at: Option<NaiveDateTime>,
    pub publish_until: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct NewSigningKey {
    pub id: SigningKeyId,
    pub alg: String,
    pub state: &'static str,
    pub public_jwk: String,
    pub private_key_sealed: Vec<u8>,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewSigningKey,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now = to_db(now);
    diesel::insert_into(signing_keys::table)
        .values((
            signing_keys::id.eq(new.id.as_str()),
            signing_keys::alg.eq(&new.alg),
            signing_keys::state.eq(new.state),
            signing_keys::public_jwk.eq(&new.public_jwk),
            signing_keys::private_key_sealed.eq(&new.private_key_sealed),
            signing_keys::created_at.eq(now),
            signing_keys::activated_at.eq((new.state == STATE_ACTIVE).then_some(now)),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("a signing key with this id"))?;
    Ok(())
}

/// The key that signs new tokens of this algorithm.
pub fn active(conn: &mut DbConnection, alg: &str) -> Result<Option<SigningKey>, StoreError> {
    Ok(signing_keys::table
        .select(SigningKey::as_select())
        .filter(signing_keys::alg.eq(alg))
        .filter(signing_keys::state.eq(STATE_ACTIVE))
        .order(signing_keys::activated_at.desc())
        .first(conn)
        .optional()?)
}

/// Every key that belongs in the published key set at `now`.
pub fn published(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
) -> Result<Vec<SigningKey>, StoreError> {
    Ok(signing_keys::table
        .select(SigningKey::as_select())
        .filter(
            signing_keys::state
                .eq_any([STATE_NEXT, STATE_ACTIVE])
                .or(signing_keys::state
                    .eq(STATE_RETIRED)
                    .and(signing_keys::publish_until.gt(to_db(now)))),
        )
        .order(signing_keys::created_at.asc())
        .load(conn)?)
}

/// Promotes the `next` key of `alg` to active and retires the active one,
/// publishing it until `retired_publish_until`. Returns the new active key id,
/// or `None` when no `next` key exists.
pub fn promote_next(
    conn: &mut DbConnection,
    alg: &str,
    now: DateTime<Utc>,
    retired_publish_until: DateTime<Utc>,
) -> Result<Option<String>, StoreError> {
    write_transaction(conn, |conn| {
        let next: Option<String> = signing_keys::table
            .select(signing_keys::id)
            .filter(signing_keys::alg.eq(alg))
            .filter(signing_keys::state.eq(STATE_NEXT))
            .order(signing_keys::created_at.asc())
            .first(conn)
            .optional()?;
        let Some(next) = next else {
            return Ok(None);
        };
        diesel::update(
            signing_keys::table
                .filter(signing_keys::alg.eq(alg))
                .filter(signing_keys::state.eq(STATE_ACTIVE)),
        )
        .set((
            signing_keys::state.eq(STATE_RETIRED),
            signing_keys::retired_at.eq(Some(to_db(now))),
            signing_keys::publish_until.eq(Some(to_db(retired_publish_until))),
        ))
        .execute(conn)?;
        diesel::update(signing_keys::table.filter(signing_keys::id.eq(&next)))
            .set((
                signing_keys::state.eq(STATE_ACTIVE),
                signing_keys::activated_at.eq(Some(to_db(now))),
            ))
            .execute(conn)?;
        Ok(Some(next))
    })
}
