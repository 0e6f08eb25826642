//! What each user has allowed each client: a set of scope values. Granting
//! adds to the set; revoking removes the whole consent.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{ClientId, UserId};

use crate::schema::{clients, consents};
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// A stored consent. `scopes` is space-separated, sorted, without repeats.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = consents)]
pub struct Consent {
    pub user_id: String,
    pub client_id: String,
    pub scopes: String,
    pub granted_at: NaiveDateTime,
}

impl Consent {
    pub fn scope_set(&self) -> BTreeSet<String> {
        split(&self.scopes)
    }
}

/// A consent with the client's display name, for the account page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentWithClient {
    pub client_id: String,
    pub client_name: String,
    pub scopes: BTreeSet<String>,
    pub granted_at: NaiveDateTime,
}

fn split(scopes: &str) -> BTreeSet<String> {
    scopes
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn join(scopes: &BTreeSet<String>) -> String {
    scopes
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A scope value as RFC 6749 §3.3 defines it: one or more of
/// `%x21 / %x23-5B / %x5D-7E`.
pub fn is_scope_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
}

/// Adds `scopes` to what `user` has allowed `client` (creating the consent
/// if there is none). Returns the whole set now allowed.
pub fn grant<I, S>(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
    scopes: I,
    now: DateTime<Utc>,
) -> Result<BTreeSet<String>, StoreError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let adding: BTreeSet<String> = scopes.into_iter().map(|s| s.as_ref().to_owned()).collect();
    if let Some(bad) = adding.iter().find(|s| !is_scope_token(s)) {
        return Err(StoreError::Corrupt(format!("{bad:?} is not a scope value")));
    }
    let user = user.to_string();
    let attempt = |conn: &mut DbConnection| {
        write_transaction(conn, |conn| {
            let query = consents::table
                .select(consents::scopes)
                .filter(consents::user_id.eq(&user))
                .filter(consents::client_id.eq(client.as_str()));
            let current: Option<String> = match conn {
                DbConnection::Pg(pg) => query.for_update().first(pg).optional()?,
                DbConnection::Sqlite(lite) => query.first(lite).optional()?,
            };
            match current {
                Some(current) => {
                    let mut all = split(&current);
                    all.extend(adding.iter().cloned());
                    diesel::update(
                        consents::table
                            .filter(consents::user_id.eq(&user))
                            .filter(consents::client_id.eq(client.as_str())),
                    )
                    .set((
                        consents::scopes.eq(join(&all)),
                        consents::granted_at.eq(to_db(now)),
                    ))
                    .execute(conn)?;
                    Ok(all)
                }
                None => {
                    diesel::insert_into(consents::table)
                        .values((
                            consents::user_id.eq(&user),
                            consents::client_id.eq(client.as_str()),
                            consents::scopes.eq(join(&adding)),
                            consents::granted_at.eq(to_db(now)),
                        ))
                        .execute(conn)?;
                    Ok(adding.clone())
                }
            }
        })
    };
    match attempt(conn) {
        // Two first grants raced on PostgreSQL; the row exists now.
        Err(e) if e.is_unique_violation() => attempt(conn),
        other => other,
    }
}

/// The scopes `user` has allowed `client`, if any consent exists.
pub fn find(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
) -> Result<Option<BTreeSet<String>>, StoreError> {
    Ok(find_row(conn, user, client)?.map(|c| c.scope_set()))
}

pub fn find_row(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
) -> Result<Option<Consent>, StoreError> {
    Ok(consents::table
        .select(Consent::as_select())
        .filter(consents::user_id.eq(user.to_string()))
        .filter(consents::client_id.eq(client.as_str()))
        .first(conn)
        .optional()?)
}

/// Whether `user` has allowed `client` every scope in `scopes`.
pub fn covers<I, S>(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
    scopes: I,
) -> Result<bool, StoreError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let granted = find(conn, user, client)?.unwrap_or_default();
    Ok(scopes.into_iter().all(|s| granted.contains(s.as_ref())))
}

/// Removes the consent; returns whether there was one.
pub fn revoke(
    conn: &mut DbConnection,
    user: UserId,
    client: &ClientId,
) -> Result<bool, StoreError> {
    let n = diesel::delete(
        consents::table
            .filter(consents::user_id.eq(user.to_string()))
            .filter(consents::client_id.eq(client.as_str())),
    )
    .execute(conn)?;
    Ok(n == 1)
}

/// Every consent of a user with the client's name, by client name.
pub fn list_for_user(
    conn: &mut DbConnection,
    user: UserId,
) -> Result<Vec<ConsentWithClient>, StoreError> {
    let rows: Vec<(Consent, String)> = consents::table
        .inner_join(clients::table)
        .select((Consent::as_select(), clients::name))
        .filter(consents::user_id.eq(user.to_string()))
        .order((clients::name.asc(), consents::client_id.asc()))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(c, client_name)| ConsentWithClient {
            scopes: c.scope_set(),
            client_id: c.client_id,
            client_name,
            granted_at: c.granted_at,
        })
        .collect())
}
