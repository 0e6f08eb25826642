//! Registered passkeys. The WebAuthn state (`passkey_json`) is opaque here;
//! the passkey crate owns its meaning.
//!
//! *Active* means neither revoked nor pending: every lookup that serves a
//! sign-in, a step-up or an approval (`list_active`, `find_active*`) leaves
//! pending passkeys out, so a passkey waiting for its guarded request can
//! never authenticate.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{CredentialId, GuardedActionId, UserId};

use crate::schema::credentials;
use crate::{DbConnection, StoreError, to_db};

/// What [`StoreError::Conflict`] names when a WebAuthn credential id is
/// already registered (to any account). The web layer must not tell the
/// client so: it answers with the generic registration failure.
pub const DUPLICATE_CREDENTIAL: &str = "a passkey with this credential id";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = credentials)]
pub struct Credential {
    pub id: String,
    pub user_id: String,
    pub webauthn_id: Vec<u8>,
    pub label: String,
    pub passkey_json: String,
    pub aaguid: Option<String>,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub attested: bool,
    pub attestation_format: Option<String>,
    pub attestation_json: Option<String>,
    pub sign_count: i64,
    pub clone_suspected_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    /// The guarded `add_passkey` request this passkey waits for; `None` for
    /// an active (or revoked) passkey. A pending passkey is never active.
    pub pending_action_id: Option<String>,
}

impl Credential {
    pub fn credential_id(&self) -> Result<CredentialId, StoreError> {
        CredentialId::parse(&self.id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub fn owner(&self) -> Result<UserId, StoreError> {
        UserId::parse(&self.user_id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

#[derive(Debug, Clone)]
pub struct NewCredential {
    pub user_id: UserId,
    pub webauthn_id: Vec<u8>,
    pub label: String,
    pub passkey_json: String,
    pub aaguid: Option<String>,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub attested: bool,
    pub attestation_format: Option<String>,
    pub attestation_json: Option<String>,
    pub sign_count: i64,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewCredential,
    now: DateTime<Utc>,
) -> Result<CredentialId, StoreError> {
    insert_row(conn, new, None, now)
}

/// Stores a passkey that stays inactive until the guarded request `action`
/// completes ([`activate_pending`]) or ends otherwise ([`discard_pending`]).
pub fn insert_pending(
    conn: &mut DbConnection,
    new: &NewCredential,
    action: GuardedActionId,
    now: DateTime<Utc>,
) -> Result<CredentialId, StoreError> {
    insert_row(conn, new, Some(action), now)
}

fn insert_row(
    conn: &mut DbConnection,
    new: &NewCredential,
    pending: Option<GuardedActionId>,
    now: DateTime<Utc>,
) -> Result<CredentialId, StoreError> {
    let id = CredentialId::new();
    diesel::insert_into(credentials::table)
        .values((
            credentials::id.eq(id.to_string()),
            credentials::user_id.eq(new.user_id.to_string()),
            credentials::webauthn_id.eq(&new.webauthn_id),
            credentials::label.eq(&new.label),
            credentials::passkey_json.eq(&new.passkey_json),
            credentials::aaguid.eq(&new.aaguid),
            credentials::backup_eligible.eq(new.backup_eligible),
            credentials::backup_state.eq(new.backup_state),
            credentials::attested.eq(new.attested),
            credentials::attestation_format.eq(&new.attestation_format),
            credentials::attestation_json.eq(&new.attestation_json),
            credentials::sign_count.eq(new.sign_count),
            credentials::created_at.eq(to_db(now)),
            credentials::pending_action_id.eq(pending.map(|a| a.to_string())),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as(DUPLICATE_CREDENTIAL))?;
    Ok(id)
}

/// The user's passkeys that are not revoked, oldest first.
pub fn list_active(conn: &mut DbConnection, user: UserId) -> Result<Vec<Credential>, StoreError> {
    Ok(credentials::table
        .select(Credential::as_select())
        .filter(credentials::user_id.eq(user.to_string()))
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_null())
        .order(credentials::created_at.asc())
        .load(conn)?)
}

/// An active passkey by its WebAuthn credential id.
pub fn find_active_by_webauthn_id(
    conn: &mut DbConnection,
    webauthn_id: &[u8],
) -> Result<Option<Credential>, StoreError> {
    Ok(credentials::table
        .select(Credential::as_select())
        .filter(credentials::webauthn_id.eq(webauthn_id))
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_null())
        .first(conn)
        .optional()?)
}

/// Records a successful use: new WebAuthn state, counter and time.
pub fn record_use(
    conn: &mut DbConnection,
    id: CredentialId,
    passkey_json: &str,
    sign_count: i64,
    backup_state: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = crate::write(conn, |conn| {
        diesel::update(credentials::table.filter(credentials::id.eq(id.to_string())))
            .set((
                credentials::passkey_json.eq(passkey_json),
                credentials::sign_count.eq(sign_count),
                credentials::backup_state.eq(backup_state),
                credentials::last_used_at.eq(Some(to_db(now))),
            ))
            .execute(conn)
    })?;
    if n == 0 {
        return Err(StoreError::NotFound("the passkey"));
    }
    Ok(())
}

pub fn mark_clone_suspected(
    conn: &mut DbConnection,
    id: CredentialId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(credentials::table.filter(credentials::id.eq(id.to_string())))
        .set(credentials::clone_suspected_at.eq(Some(to_db(now))))
        .execute(conn)?;
    Ok(())
}

/// An active passkey by our id, whoever owns it.
pub fn find_active(
    conn: &mut DbConnection,
    id: CredentialId,
) -> Result<Option<Credential>, StoreError> {
    Ok(credentials::table
        .select(Credential::as_select())
        .filter(credentials::id.eq(id.to_string()))
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_null())
        .first(conn)
        .optional()?)
}

/// Removes the possible-clone flag of an active passkey.
pub fn clear_clone_suspected(conn: &mut DbConnection, id: CredentialId) -> Result<(), StoreError> {
    let n = diesel::update(
        credentials::table
            .filter(credentials::id.eq(id.to_string()))
            .filter(credentials::revoked_at.is_null())
            .filter(credentials::pending_action_id.is_null()),
    )
    .set(credentials::clone_suspected_at.eq(None::<chrono::NaiveDateTime>))
    .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound("the passkey"));
    }
    Ok(())
}

/// Renames one of `owner`'s passkeys; another user's passkey is "not found".
pub fn rename(
    conn: &mut DbConnection,
    owner: UserId,
    id: CredentialId,
    label: &str,
) -> Result<(), StoreError> {
    let n = diesel::update(
        credentials::table
            .filter(credentials::id.eq(id.to_string()))
            .filter(credentials::user_id.eq(owner.to_string()))
            .filter(credentials::revoked_at.is_null())
            .filter(credentials::pending_action_id.is_null()),
    )
    .set(credentials::label.eq(label))
    .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound("the passkey"));
    }
    Ok(())
}

/// Revokes one of `owner`'s passkeys; another user's passkey is "not found".
pub fn revoke(
    conn: &mut DbConnection,
    owner: UserId,
    id: CredentialId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = diesel::update(
        credentials::table
            .filter(credentials::id.eq(id.to_string()))
            .filter(credentials::user_id.eq(owner.to_string()))
            .filter(credentials::revoked_at.is_null())
            .filter(credentials::pending_action_id.is_null()),
    )
    .set(credentials::revoked_at.eq(Some(to_db(now))))
    .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound("the passkey"));
    }
    Ok(())
}

pub fn count_active(conn: &mut DbConnection, user: UserId) -> Result<i64, StoreError> {
    Ok(credentials::table
        .filter(credentials::user_id.eq(user.to_string()))
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_null())
        .count()
        .get_result(conn)?)
}

/// The user's pending passkeys (waiting for their guarded request), oldest
/// first.
pub fn list_pending(conn: &mut DbConnection, user: UserId) -> Result<Vec<Credential>, StoreError> {
    Ok(credentials::table
        .select(Credential::as_select())
        .filter(credentials::user_id.eq(user.to_string()))
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_not_null())
        .order(credentials::created_at.asc())
        .load(conn)?)
}

/// The passkeys waiting for request `action`.
pub fn pending_of(
    conn: &mut DbConnection,
    action: GuardedActionId,
) -> Result<Vec<Credential>, StoreError> {
    Ok(credentials::table
        .select(Credential::as_select())
        .filter(credentials::pending_action_id.eq(action.to_string()))
        .filter(credentials::revoked_at.is_null())
        .order(credentials::created_at.asc())
        .load(conn)?)
}

/// Makes the passkeys waiting for request `action` active; returns them.
pub fn activate_pending(
    conn: &mut DbConnection,
    action: GuardedActionId,
) -> Result<Vec<Credential>, StoreError> {
    let waiting = pending_of(conn, action)?;
    diesel::update(
        credentials::table
            .filter(credentials::pending_action_id.eq(action.to_string()))
            .filter(credentials::revoked_at.is_null()),
    )
    .set(credentials::pending_action_id.eq(None::<String>))
    .execute(conn)?;
    Ok(waiting)
}

/// Deletes the passkeys waiting for request `action` (it was cancelled,
/// denied, expired or locked); returns them.
pub fn discard_pending(
    conn: &mut DbConnection,
    action: GuardedActionId,
) -> Result<Vec<Credential>, StoreError> {
    let waiting = pending_of(conn, action)?;
    diesel::delete(
        credentials::table.filter(credentials::pending_action_id.eq(action.to_string())),
    )
    .execute(conn)?;
    Ok(waiting)
}
