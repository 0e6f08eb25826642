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
