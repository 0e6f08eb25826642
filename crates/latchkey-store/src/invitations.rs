//! Invitations to create an account. Single use, expiring; the token is
//! stored only as its SHA-256.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{AccountTier, GroupId, HashedToken, InvitationId, UserId};

use crate::schema::invitations;
use crate::{DbConnection, StoreError, to_db};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: String,
    pub email: String,
    pub token_hash: Vec<u8>,
    pub grants_admin: bool,
    pub invited_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub accepted_at: Option<NaiveDateTime>,
    pub accepted_user_id: Option<String>,
}

pub fn create(
    conn: &mut DbConnection,
    email: &str,
    token: &HashedToken,
    grants_admin: bool,
    invited_by: Option<UserId>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<InvitationId, StoreError> {
    let id = InvitationId::new();
    diesel::insert_into(invitations::table)
        .values((
            invitations::id.eq(id.to_string()),
            invitations::email.eq(email),
            invitations::token_hash.eq(token.as_bytes().to_vec()),
            invitations::grants_admin.eq(grants_admin),
            invitations::invited_by.eq(invited_by.map(|u| u.to_string())),
            invitations::created_at.eq(to_db(now)),
            invitations::expires_at.eq(to_db(expires_at)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The invitation for a token if it is unused and unexpired at `now`.
pub fn find_open(
    conn: &mut DbConnection,
    token: &HashedToken,
    now: DateTime<Utc>,
) -> Result<Option<Invitation>, StoreError> {
    Ok(invitations::table
        .select(Invitation::as_select())
        .filter(invitations::token_hash.eq(token.as_bytes().to_vec()))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(to_db(now)))
        .first(conn)
        .optional()?)
}

/// Marks the invitation used by `user`. Returns false when it was already
/// used or has expired (a concurrent acceptance won): call inside the
/// transaction that creates the account, and abort it on false.
pub fn accept(
    conn: &mut DbConnection,
    id: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        invitations::table
            .filter(invitations::id.eq(id))
            .filter(invitations::accepted_at.is_null())
            .filter(invitations::expires_at.gt(to_db(now))),
    )
    .set((
        invitations::accepted_at.eq(Some(to_db(now))),
        invitations::accepted_user_id.eq(Some(user.to_string())),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Whether the invitation makes its invitee an administrator (`false` for
/// an unknown id).
pub fn grants_admin(conn: &mut DbConnection, id: &str) -> Result<bool, StoreError> {
    Ok(invitations::table
        .select(invitations::grants_admin)
        .filter(invitations::id.eq(id))
        .first::<bool>(conn)
        .optional()?
        .unwrap_or(false))
}

/// What an invitation gives the new account: its tier, the groups it joins
/// and who invited (`None`: the command line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms {
    pub tier: AccountTier,
    pub groups: Vec<GroupId>,
    pub invited_by: Option<String>,
}

/// Sets the tier and groups of invitation `id` (in its creation's
/// transaction).
pub fn set_terms(
    conn: &mut DbConnection,
    id: InvitationId,
    tier: AccountTier,
    groups: &[GroupId],
) -> Result<(), StoreError> {
    let ids: Vec<String> = groups.iter().map(ToString::to_string).collect();
    let json = serde_json::Value::from(ids).to_string();
    diesel::update(invitations::table.filter(invitations::id.eq(id.to_string())))
        .set((
            invitations::tier.eq(tier.as_str()),
            invitations::group_ids.eq(json),
        ))
        .execute(conn)?;
    Ok(())
}

/// The terms of invitation `id`.
pub fn terms(conn: &mut DbConnection, id: &str) -> Result<Terms, StoreError> {
    let (tier, groups, invited_by): (String, String, Option<String>) = invitations::table
        .filter(invitations::id.eq(id))
        .select((
            invitations::tier,
            invitations::group_ids,
            invitations::invited_by,
        ))
        .first(conn)?;
    let corrupt = || StoreError::Corrupt(format!("the terms of invitation {id}"));
    let tier = tier.parse().map_err(|_| corrupt())?;
    let groups: Vec<String> = serde_json::from_str(&groups).map_err(|_| corrupt())?;
    let groups = groups
        .iter()
        .map(|g| GroupId::parse(g).map_err(|_| corrupt()))
        .collect::<Result<_, _>>()?;
    Ok(Terms {
        tier,
        groups,
        invited_by,
    })
}
