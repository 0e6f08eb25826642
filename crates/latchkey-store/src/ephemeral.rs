//! Short-lived state for the SQL backend of the session store: browser
//! sessions, single-use values and rate-limit counters. Redis replaces these
//! tables when configured; `latchkey-session` owns the semantics.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;

use crate::schema::{browser_sessions, ephemeral_values, rate_counters};
use crate::{DbConnection, StoreError, to_db, write, write_transaction};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = browser_sessions)]
pub struct SessionRow {
    pub id_hash: Vec<u8>,
    pub user_id: String,
    pub data: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub idle_expires_at: NaiveDateTime,
    pub absolute_expires_at: NaiveDateTime,
}

pub fn insert_session(conn: &mut DbConnection, row: &SessionRow) -> Result<(), StoreError> {
    write(conn, |conn| {
        diesel::insert_into(browser_sessions::table)
            .values(row)
            .execute(conn)
            .map_err(|e| StoreError::from(e).conflict_as("a session with this id"))
    })?;
    Ok(())
}

/// The session if it exists and has not expired at `now`.
pub fn live_session(
    conn: &mut DbConnection,
    id_hash: &[u8],
    now: DateTime<Utc>,
) -> Result<Option<SessionRow>, StoreError> {
    let now = to_db(now);
    Ok(browser_sessions::table
        .select(SessionRow::as_select())
        .filter(browser_sessions::id_hash.eq(id_hash))
        .filter(browser_sessions::idle_expires_at.gt(now))
        .filter(browser_sessions::absolute_expires_at.gt(now))
        .first(conn)
        .optional()?)
}

/// Records activity and sets the idle expiry (the caller caps it at the
/// absolute expiry; `live_session` checks both).
pub fn touch_session(
    conn: &mut DbConnection,
    id_hash: &[u8],
    now: DateTime<Utc>,
    idle_expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = write(conn, |conn| {
        diesel::update(browser_sessions::table.filter(browser_sessions::id_hash.eq(id_hash)))
            .set((
                browser_sessions::last_seen_at.eq(to_db(now)),
                browser_sessions::idle_expires_at.eq(to_db(idle_expires_at)),
            ))
            .execute(conn)
    })?;
    Ok(n == 1)
}

pub fn set_session_data(
    conn: &mut DbConnection,
    id_hash: &[u8],
    data: &str,
) -> Result<bool, StoreError> {
    let n = write(conn, |conn| {
        diesel::update(browser_sessions::table.filter(browser_sessions::id_hash.eq(id_hash)))
            .set(browser_sessions::data.eq(data))
            .execute(conn)
    })?;
    Ok(n == 1)
}

pub fn delete_session(conn: &mut DbConnection, id_hash: &[u8]) -> Result<bool, StoreError> {
    let n = write(conn, |conn| {
        diesel::delete(browser_sessions::table.filter(browser_sessions::id_hash.eq(id_hash)))
            .execute(conn)
    })?;
    Ok(n == 1)
}

pub fn live_sessions_of(
    conn: &mut DbConnection,
    user_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<SessionRow>, StoreError> {
    let now = to_db(now);
    Ok(browser_sessions::table
        .select(SessionRow::as_select())
        .filter(browser_sessions::user_id.eq(user_id))
        .filter(browser_sessions::idle_expires_at.gt(now))
        .filter(browser_sessions::absolute_expires_at.gt(now))
        .order(browser_sessions::created_at.asc())
        .load(conn)?)
}

/// Deletes every session of the user except `keep`; returns how many.
pub fn delete_sessions_of(
    conn: &mut DbConnection,
    user_id: &str,
    keep: Option<&[u8]>,
) -> Result<usize, StoreError> {
    let mine = browser_sessions::table.filter(browser_sessions::user_id.eq(user_id));
    write(conn, |conn| match keep {
        Some(keep) => diesel::delete(mine.filter(browser_sessions::id_hash.ne(keep))).execute(conn),
        None => diesel::delete(mine).execute(conn),
    })
}

/// Stores `value` under `key` until `expires_at`, replacing any earlier value.
pub fn put_value(
    conn: &mut DbConnection,
    key: &str,
    value: &[u8],
    expires_at: DateTime<Utc>,
) -> Result<(), StoreError> {
    // One upsert statement: with delete-then-insert, concurrent writers of one
    // key on PostgreSQL both found it absent and the later insert failed.
    let upsert = diesel::insert_into(ephemeral_values::table)
        .values((
            ephemeral_values::key.eq(key),
            ephemeral_values::value.eq(value),
            ephemeral_values::expires_at.eq(to_db(expires_at)),
        ))
        .on_conflict(ephemeral_values::key)
        .do_update()
        .set((
            ephemeral_values::value.eq(value),
            ephemeral_values::expires_at.eq(to_db(expires_at)),
        ));
    write(conn, |conn| match conn {
        DbConnection::Pg(pg) => upsert.execute(pg),
        DbConnection::Sqlite(lite) => upsert.execute(lite),
    })?;
    Ok(())
}

/// Stores `value` only if no live value exists; returns whether it did.
pub fn put_value_if_absent(
    conn: &mut DbConnection,
    key: &str,
    value: &[u8],
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = write_transaction(conn, |conn| {
        diesel::delete(
            ephemeral_values::table
                .filter(ephemeral_values::key.eq(key))
                .filter(ephemeral_values::expires_at.le(to_db(now))),
        )
        .execute(conn)?;
        diesel::insert_into(ephemeral_values::table)
            .values((
                ephemeral_values::key.eq(key),
                ephemeral_values::value.eq(value),
                ephemeral_values::expires_at.eq(to_db(expires_at)),
            ))
            .execute(conn)?;
        Ok(())
    });
    match result {
        Ok(()) => Ok(true),
        Err(e) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn get_value(
    conn: &mut DbConnection,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<Vec<u8>>, StoreError> {
    Ok(ephemeral_values::table
        .select(ephemeral_values::value)
        .filter(ephemeral_values::key.eq(key))
        .filter(ephemeral_values::expires_at.gt(to_db(now)))
        .first(conn)
        .optional()?)
}

/// Removes and returns the value. Of any number of concurrent takes of one
/// key, exactly one gets it: only one `DELETE` can remove the row, and the
/// value is returned only to the caller whose `DELETE` did. One statement
/// (`DELETE … RETURNING`), no transaction around it.
pub fn take_value(
    conn: &mut DbConnection,
    key: &str,
    now: DateTime<Utc>,
) -> Result<Option<Vec<u8>>, StoreError> {
    let taken = diesel::delete(ephemeral_values::table.filter(ephemeral_values::key.eq(key)))
        .returning((ephemeral_values::value, ephemeral_values::expires_at));
    let found: Option<(Vec<u8>, NaiveDateTime)> = write(conn, |conn| match conn {
        DbConnection::Pg(pg) => taken.get_result(pg).optional(),
        DbConnection::Sqlite(lite) => taken.get_result(lite).optional(),
    })?;
    Ok(found.and_then(|(value, expires_at)| (expires_at > to_db(now)).then_some(value)))
}

pub fn delete_value(conn: &mut DbConnection, key: &str) -> Result<bool, StoreError> {
    let n = write(conn, |conn| {
        diesel::delete(ephemeral_values::table.filter(ephemeral_values::key.eq(key))).execute(conn)
    })?;
    Ok(n == 1)
}

/// Counts one hit against `key` in a fixed window that starts at the first
/// hit. Returns the count so far in this window and when the window ends.
/// One statement (an upsert that returns the row), atomic on both backends:
/// concurrent first hits cannot both insert, and each hit is counted once.
pub fn hit_counter(
    conn: &mut DbConnection,
    key: &str,
    now: DateTime<Utc>,
    window_ends_if_new: DateTime<Utc>,
) -> Result<(i64, DateTime<Utc>), StoreError> {
    use diesel::dsl::case_when;
    use diesel::upsert::excluded;
    let now_db = to_db(now);
    let open = rate_counters::window_ends_at.gt(now_db);
    let hit = diesel::insert_into(rate_counters::table)
        .values((
            rate_counters::key.eq(key),
            rate_counters::count.eq(1i64),
            rate_counters::window_ends_at.eq(to_db(window_ends_if_new)),
        ))
        .on_conflict(rate_counters::key)
        .do_update()
        .set((
            // The window is still open: one more; it has ended: a new one.
            rate_counters::count.eq(case_when(open, rate_counters::count + 1i64).otherwise(1i64)),
            rate_counters::window_ends_at.eq(case_when(open, rate_counters::window_ends_at)
                .otherwise(excluded(rate_counters::window_ends_at))),
        ))
        .returning((rate_counters::count, rate_counters::window_ends_at));
    let (count, ends): (i64, NaiveDateTime) = write(conn, |conn| match conn {
        DbConnection::Pg(pg) => hit.get_result(pg),
        DbConnection::Sqlite(lite) => hit.get_result(lite),
    })?;
    Ok((count, ends.and_utc()))
}

/// What an expiry sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub sessions: usize,
    pub values: usize,
    pub counters: usize,
}

/// Deletes everything that has expired at `now`.
pub fn sweep_expired(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<Swept, StoreError> {
    let now = to_db(now);
    write_transaction(conn, |conn| {
        Ok(Swept {
            sessions: diesel::delete(
                browser_sessions::table.filter(
                    browser_sessions::idle_expires_at
                        .le(now)
                        .or(browser_sessions::absolute_expires_at.le(now)),
                ),
            )
            .execute(conn)?,
            values: diesel::delete(
                ephemeral_values::table.filter(ephemeral_values::expires_at.le(now)),
            )
            .execute(conn)?,
            counters: diesel::delete(
                rate_counters::table.filter(rate_counters::window_ends_at.le(now)),
            )
            .execute(conn)?,
        })
    })
}

/// How many rows the session store's tables hold, live or expired (until
/// swept): what the store occupies, not what it would hand out.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub sessions: u64,
    pub values: u64,
    pub counters: u64,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Counts the rows of each table.
pub fn count_stored(conn: &mut DbConnection) -> Result<Stored, StoreError> {
    Ok(Stored {
        sessions: count(browser_sessions::table.count().get_result(conn)?),
        values: count(ephemeral_values::table.count().get_result(conn)?),
        counters: count(rate_counters::table.count().get_result(conn)?),
    })
}

/// Counts the stored values whose key starts with `prefix` (matched as
/// text, never as a pattern).
pub fn count_values_with_prefix(conn: &mut DbConnection, prefix: &str) -> Result<u64, StoreError> {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    let n: i64 = ephemeral_values::table
        .filter(ephemeral_values::key.like(pattern).escape('\\'))
        .count()
        .get_result(conn)?;
    Ok(count(n))
}
