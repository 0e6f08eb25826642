//! The SQL backend: thin async wrappers over `latchkey_store::ephemeral`.

use chrono::{DateTime, Utc};
use latchkey_core::{HashedToken, UserId};
use latchkey_store::ephemeral::{self, SessionRow, Swept};
use latchkey_store::{Db, from_db, to_db};

use crate::{BrowserSession, RateCount, SessionError};

fn handle_bytes(handle: &str) -> Option<Vec<u8>> {
    if handle.len() != 64 {
        return None;
    }
    (0..32)
        .map(|i| {
            handle
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}

fn to_row(id_hash: Vec<u8>, s: &BrowserSession) -> Result<SessionRow, SessionError> {
    Ok(SessionRow {
        id_hash,
        user_id: s.user_id.to_string(),
        data: serde_json::to_string(&s.data).map_err(|e| SessionError::Corrupt(e.to_string()))?,
        created_at: to_db(s.created_at),
        last_seen_at: to_db(s.last_seen_at),
        idle_expires_at: to_db(s.idle_expires_at),
        absolute_expires_at: to_db(s.absolute_expires_at),
    })
}

fn from_row(row: SessionRow) -> Result<BrowserSession, SessionError> {
    Ok(BrowserSession {
        handle: row.id_hash.iter().map(|b| format!("{b:02x}")).collect(),
        user_id: UserId::parse(&row.user_id).map_err(|e| SessionError::Corrupt(e.to_string()))?,
        data: serde_json::from_str(&row.data).map_err(|e| SessionError::Corrupt(e.to_string()))?,
        created_at: from_db(row.created_at),
        last_seen_at: from_db(row.last_seen_at),
        idle_expires_at: from_db(row.idle_expires_at),
        absolute_expires_at: from_db(row.absolute_expires_at),
    })
}

pub(crate) async fn create_session(
    db: &Db,
    id: &HashedToken,
    s: &BrowserSession,
) -> Result<(), SessionError> {
    let row = to_row(id.as_bytes().to_vec(), s)?;
    Ok(db.run(move |c| ephemeral::insert_session(c, &row)).await?)
}

pub(crate) async fn live_session(
    db: &Db,
    handle: &str,
    now: DateTime<Utc>,
) -> Result<Option<BrowserSession>, SessionError> {
    let Some(id) = handle_bytes(handle) else {
        return Ok(None);
    };
    db.run(move |c| ephemeral::live_session(c, &id, now))
        .await?
        .map(from_row)
        .transpose()
}

pub(crate) async fn touch_session(db: &Db, s: &BrowserSession) -> Result<(), SessionError> {
    let Some(id) = handle_bytes(&s.handle) else {
        return Ok(());
    };
    let (now, idle) = (s.last_seen_at, s.idle_expires_at);
    db.run(move |c| ephemeral::touch_session(c, &id, now, idle))
        .await?;
    Ok(())
}

/// Replaces the data of a live session only, as the Redis backend does: an
/// expired session that the sweep has not removed yet is not updated.
pub(crate) async fn set_session_data(
    db: &Db,
    handle: &str,
    data: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<bool, SessionError> {
    let Some(id) = handle_bytes(handle) else {
        return Ok(false);
    };
    let data = data.to_string();
    Ok(db
        .run(move |c| {
            if ephemeral::live_session(c, &id, now)?.is_none() {
                return Ok(false);
            }
            ephemeral::set_session_data(c, &id, &data)
        })
        .await?)
}

pub(crate) async fn delete_session(db: &Db, handle: &str) -> Result<bool, SessionError> {
    let Some(id) = handle_bytes(handle) else {
        return Ok(false);
    };
    Ok(db.run(move |c| ephemeral::delete_session(c, &id)).await?)
}

pub(crate) async fn sessions_of(
    db: &Db,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Vec<BrowserSession>, SessionError> {
    let user = user.to_string();
    db.run(move |c| ephemeral::live_sessions_of(c, &user, now))
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

pub(crate) async fn delete_sessions_of(
    db: &Db,
    user: UserId,
    keep: Option<HashedToken>,
) -> Result<usize, SessionError> {
    let user = user.to_string();
    Ok(db
        .run(move |c| {
            ephemeral::delete_sessions_of(c, &user, keep.as_ref().map(|k| &k.as_bytes()[..]))
        })
        .await?)
}

pub(crate) async fn put(
    db: &Db,
    key: String,
    value: Vec<u8>,
    expires_at: DateTime<Utc>,
) -> Result<(), SessionError> {
    Ok(db
        .run(move |c| ephemeral::put_value(c, &key, &value, expires_at))
        .await?)
}

pub(crate) async fn put_if_absent(
    db: &Db,
    key: String,
    value: Vec<u8>,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, SessionError> {
    Ok(db
        .run(move |c| ephemeral::put_value_if_absent(c, &key, &value, now, expires_at))
        .await?)
}

pub(crate) async fn get(
    db: &Db,
    key: String,
    now: DateTime<Utc>,
) -> Result<Option<Vec<u8>>, SessionError> {
    Ok(db.run(move |c| ephemeral::get_value(c, &key, now)).await?)
}

pub(crate) async fn take(
    db: &Db,
    key: String,
    now: DateTime<Utc>,
) -> Result<Option<Vec<u8>>, SessionError> {
    Ok(db.run(move |c| ephemeral::take_value(c, &key, now)).await?)
}

pub(crate) async fn delete(db: &Db, key: String) -> Result<bool, SessionError> {
    Ok(db.run(move |c| ephemeral::delete_value(c, &key)).await?)
}

pub(crate) async fn is_stored(db: &Db, key: String) -> Result<bool, SessionError> {
    // Any value, expired or not: read as of the earliest representable time.
    let epoch = DateTime::<Utc>::UNIX_EPOCH;
    Ok(db
        .run(move |c| ephemeral::get_value(c, &key, epoch))
        .await?
        .is_some())
}

pub(crate) async fn hit(
    db: &Db,
    key: String,
    now: DateTime<Utc>,
    ends: DateTime<Utc>,
) -> Result<RateCount, SessionError> {
    let (count, resets_at) = db
        .run(move |c| ephemeral::hit_counter(c, &key, now, ends))
        .await?;
    Ok(RateCount { count, resets_at })
}

pub(crate) async fn sweep(db: &Db, now: DateTime<Utc>) -> Result<Swept, SessionError> {
    Ok(db.run(move |c| ephemeral::sweep_expired(c, now)).await?)
}
