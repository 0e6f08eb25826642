//! OpenID Connect sessions (`sid`) ended on purpose, remembered while an
//! authorization code issued in one could still be redeemed, so that the
//! token endpoint refuses it. A lookup by primary key, never a scan.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::ended_sessions as ended;
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// Records that `sid` ended at `now`, remembered until `until` (a later end
/// of the same sid replaces the record).
pub fn record(
    conn: &mut DbConnection,
    sid: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<(), StoreError> {
    write_transaction(conn, |conn| {
        diesel::delete(ended::table.filter(ended::sid.eq(sid))).execute(conn)?;
        diesel::insert_into(ended::table)
            .values((
                ended::sid.eq(sid),
                ended::ended_at.eq(to_db(now)),
                ended::expires_at.eq(to_db(until)),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// Whether `sid` was ended and is still remembered at `now`.
pub fn has_ended(
    conn: &mut DbConnection,
    sid: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let found: Option<String> = ended::table
        .select(ended::sid)
        .filter(ended::sid.eq(sid))
        .filter(ended::expires_at.gt(to_db(now)))
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Forgets the records no longer needed at `now`. Returns how many.
pub fn delete_expired(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(ended::table.filter(ended::expires_at.le(to_db(now)))).execute(conn)?)
}
