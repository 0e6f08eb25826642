//! How an application presents itself to people: links to its home page,
//! privacy policy and terms, and its logo, stored (bytes and type) so that
//! every node serves it from this origin. One row per client at most; no
//! row is "nothing set".

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use latchkey_core::ClientId;

use crate::schema::client_presentations as cp;
use crate::{DbConnection, StoreError, to_db};

/// The stored presentation of one client.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = cp)]
pub struct Presentation {
    pub client_uri: Option<String>,
    pub policy_uri: Option<String>,
    pub tos_uri: Option<String>,
    /// Where the logo was fetched from (shown to administrators only).
    pub logo_uri: Option<String>,
    /// `image/png` or `image/svg+xml`, with `logo`.
    pub logo_type: Option<String>,
    pub logo: Option<Vec<u8>>,
}

impl Presentation {
    /// Whether nothing is set (no row is needed).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

pub fn find(conn: &mut DbConnection, id: &ClientId) -> Result<Option<Presentation>, StoreError> {
    Ok(cp::table
        .select(Presentation::as_select())
        .filter(cp::client_id.eq(id.as_str()))
        .first(conn)
        .optional()?)
}

/// Whether the client has a logo, without reading its bytes.
pub fn has_logo(conn: &mut DbConnection, id: &ClientId) -> Result<bool, StoreError> {
    let n: i64 = cp::table
        .filter(cp::client_id.eq(id.as_str()))
        .filter(cp::logo.is_not_null())
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Stores `p` as the client's presentation (or removes the row when it is
/// empty), in the caller's transaction.
pub fn store(
    conn: &mut DbConnection,
    id: &ClientId,
    p: &Presentation,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::delete(cp::table.filter(cp::client_id.eq(id.as_str()))).execute(conn)?;
    if p.is_empty() {
        return Ok(());
    }
    diesel::insert_into(cp::table)
        .values((
            cp::client_id.eq(id.as_str()),
            cp::client_uri.eq(&p.client_uri),
            cp::policy_uri.eq(&p.policy_uri),
            cp::tos_uri.eq(&p.tos_uri),
            cp::logo_uri.eq(&p.logo_uri),
            cp::logo_type.eq(&p.logo_type),
            cp::logo.eq(&p.logo),
            cp::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    Ok(())
}
