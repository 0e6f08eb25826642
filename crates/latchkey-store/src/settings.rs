//! Instance-wide settings (instance id, first-start markers).

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::instance_settings;
use crate::{DbConnection, StoreError, to_db, write_transaction};

pub const INSTANCE_ID: &str = "instance_id";

pub fn get(conn: &mut DbConnection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(instance_settings::table
        .select(instance_settings::value)
        .filter(instance_settings::key.eq(key))
        .first(conn)
        .optional()?)
}

/// Sets `key` only if it has no value yet; returns the value that is stored
/// afterwards and whether this call set it. Safe with several nodes starting.
pub fn set_if_absent(
    conn: &mut DbConnection,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(String, bool), StoreError> {
    let inserted = write_transaction(conn, |conn| {
        if get(conn, key)?.is_some() {
            return Ok(false);
        }
        diesel::insert_into(instance_settings::table)
            .values((
                instance_settings::key.eq(key),
                instance_settings::value.eq(value),
                instance_settings::updated_at.eq(to_db(now)),
            ))
            .execute(conn)?;
        Ok(true)
    });
    let inserted = match inserted {
        Ok(b) => b,
        // Another node inserted between our read and our write.
        Err(e) if e.is_unique_violation() => false,
        Err(e) => return Err(e),
    };
    let stored = get(conn, key)?.ok_or(StoreError::NotFound("the setting"))?;
    Ok((stored, inserted))
}

pub fn set(
    conn: &mut DbConnection,
    key: &str,
    value: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let now: NaiveDateTime = to_db(now);
    // One upsert statement: with update-then-insert, concurrent writers of a
    // new key on PostgreSQL both found nothing to update and the later insert
    // failed.
    let upsert = diesel::insert_into(instance_settings::table)
        .values((
            instance_settings::key.eq(key),
            instance_settings::value.eq(value),
            instance_settings::updated_at.eq(now),
        ))
        .on_conflict(instance_settings::key)
        .do_update()
        .set((
            instance_settings::value.eq(value),
            instance_settings::updated_at.eq(now),
        ));
    match conn {
        DbConnection::Pg(pg) => upsert.execute(pg)?,
        DbConnection::Sqlite(lite) => upsert.execute(lite)?,
    };
    Ok(())
}

/// Deletes `key` only if it still holds `expected`; true if this call did.
/// Makes a stored one-time secret (the bootstrap token) single use.
pub fn delete_if_equals(
    conn: &mut DbConnection,
    key: &str,
    expected: &str,
) -> Result<bool, StoreError> {
    let n = diesel::delete(
        instance_settings::table
            .filter(instance_settings::key.eq(key))
            .filter(instance_settings::value.eq(expected)),
    )
    .execute(conn)?;
    Ok(n == 1)
}
