//! Registered OAuth/OIDC clients. Secrets are stored hashed; redirect URIs,
//! allowed scopes and allowed resources each as a JSON array of exact
//! strings.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{ClientId, HashedToken};

use crate::schema::clients;
use crate::{DbConnection, StoreError, to_db};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = clients)]
pub struct Client {
    pub id: String,
    pub name: String,
    pub secret_hash: Option<Vec<u8>>,
    pub auth_method: String,
    pub redirect_uris: String,
    pub post_logout_redirect_uris: String,
    pub min_acr: Option<String>,
    pub first_party: bool,
    pub id_token_alg: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub disabled_at: Option<NaiveDateTime>,
    pub allowed_scopes: String,
    pub allowed_resources: String,
    /// The secret before the last rotation, still accepted until
    /// `previous_secret_expires_at`.
    pub previous_secret_hash: Option<Vec<u8>>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
}

fn json_list(text: &str) -> Result<Vec<String>, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Client {
    pub fn redirect_uri_list(&self) -> Result<Vec<String>, StoreError> {
        json_list(&self.redirect_uris)
    }

    pub fn post_logout_redirect_uri_list(&self) -> Result<Vec<String>, StoreError> {
        json_list(&self.post_logout_redirect_uris)
    }

    /// The scopes the client may be granted.
    pub fn allowed_scope_list(&self) -> Result<Vec<String>, StoreError> {
        json_list(&self.allowed_scopes)
    }

    /// The resources (RFC 8707) the client may ask access tokens for.
    pub fn allowed_resource_list(&self) -> Result<Vec<String>, StoreError> {
        json_list(&self.allowed_resources)
    }

    pub fn secret(&self) -> Option<HashedToken> {
        self.secret_hash
            .as_deref()
            .and_then(HashedToken::from_bytes)
    }

    /// The previous secret and until when it is accepted, if a rotation
    /// left one.
    pub fn previous_secret(&self) -> Option<(HashedToken, DateTime<Utc>)> {
        let hash = self
            .previous_secret_hash
            .as_deref()
            .and_then(HashedToken::from_bytes)?;
        Some((hash, crate::from_db(self.previous_secret_expires_at?)))
    }
}

#[derive(Debug, Clone)]
pub struct NewClient {
    pub id: ClientId,
    pub name: String,
    pub secret_hash: Option<HashedToken>,
    pub auth_method: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub min_acr: Option<String>,
    pub first_party: bool,
    pub id_token_alg: String,
    pub allowed_scopes: Vec<String>,
    pub allowed_resources: Vec<String>,
}

pub fn insert(
    conn: &mut DbConnection,
    new: &NewClient,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let json =
        |v: &Vec<String>| serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()));
    diesel::insert_into(clients::table)
        .values((
            clients::id.eq(new.id.as_str()),
            clients::name.eq(&new.name),
            clients::secret_hash.eq(new.secret_hash.as_ref().map(|h| h.as_bytes().to_vec())),
            clients::auth_method.eq(&new.auth_method),
            clients::redirect_uris.eq(json(&new.redirect_uris)?),
            clients::post_logout_redirect_uris.eq(json(&new.post_logout_redirect_uris)?),
            clients::min_acr.eq(&new.min_acr),
            clients::first_party.eq(new.first_party),
            clients::id_token_alg.eq(&new.id_token_alg),
            clients::allowed_scopes.eq(json(&new.allowed_scopes)?),
            clients::allowed_resources.eq(json(&new.allowed_resources)?),
            clients::created_at.eq(to_db(now)),
            clients::updated_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("a client with this id"))?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &ClientId) -> Result<Option<Client>, StoreError> {
    Ok(clients::table
        .select(Client::as_select())
        .filter(clients::id.eq(id.as_str()))
        .first(conn)
        .optional()?)
}

pub fn list(conn: &mut DbConnection) -> Result<Vec<Client>, StoreError> {
    Ok(clients::table
        .select(Client::as_select())
        .order(clients::created_at.asc())
        .load(conn)?)
}

/// Disables the client: it can no longer authenticate or start
/// authorizations. Returns whether it was enabled until now.
pub fn disable(
    conn: &mut DbConnection,
    id: &ClientId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        clients::table
            .filter(clients::id.eq(id.as_str()))
            .filter(clients::disabled_at.is_null()),
    )
    .set((
        clients::disabled_at.eq(to_db(now)),
        clients::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Enables a disabled client again. Returns whether it was disabled.
pub fn enable(
    conn: &mut DbConnection,
    id: &ClientId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        clients::table
            .filter(clients::id.eq(id.as_str()))
            .filter(clients::disabled_at.is_not_null()),
    )
    .set((
        clients::disabled_at.eq(None::<chrono::NaiveDateTime>),
        clients::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// The fields of a client an administrator may change after registration
/// (lists stored as JSON arrays, like [`insert`]).
#[derive(Debug, Clone)]
pub struct ClientChanges {
    pub name: String,
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub min_acr: Option<String>,
    pub first_party: bool,
    pub allowed_scopes: Vec<String>,
    pub allowed_resources: Vec<String>,
}

/// Replaces the changeable fields of a client. Whether a client has this id.
pub fn update(
    conn: &mut DbConnection,
    id: &ClientId,
    changes: &ClientChanges,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let json =
        |v: &Vec<String>| serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()));
    let n = diesel::update(clients::table.filter(clients::id.eq(id.as_str())))
        .set((
            clients::name.eq(&changes.name),
            clients::redirect_uris.eq(json(&changes.redirect_uris)?),
            clients::post_logout_redirect_uris.eq(json(&changes.post_logout_redirect_uris)?),
            clients::min_acr.eq(&changes.min_acr),
            clients::first_party.eq(changes.first_party),
            clients::allowed_scopes.eq(json(&changes.allowed_scopes)?),
            clients::allowed_resources.eq(json(&changes.allowed_resources)?),
            clients::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(n == 1)
}

/// Replaces a confidential client's secret by `new`, keeping the current
/// one as the previous secret until `previous_until` (`None`: the current
/// secret stops working at once). Only a client that has a secret is
/// changed; whether one was.
pub fn rotate_secret(
    conn: &mut DbConnection,
    id: &ClientId,
    new: &HashedToken,
    previous_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let Some(current) = find(conn, id)?.and_then(|c| c.secret_hash) else {
        return Ok(false);
    };
    let (previous, until) = match previous_until {
        Some(t) => (Some(current), Some(to_db(t))),
        None => (None, None),
    };
    let n = diesel::update(
        clients::table
            .filter(clients::id.eq(id.as_str()))
            .filter(clients::secret_hash.is_not_null()),
    )
    .set((
        clients::secret_hash.eq(Some(new.as_bytes().to_vec())),
        clients::previous_secret_hash.eq(previous),
        clients::previous_secret_expires_at.eq(until),
        clients::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
