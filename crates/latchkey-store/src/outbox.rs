//! The transactional outbox: a message is written in the same transaction as
//! the change it announces, and delivered later by the worker, at least once.
//! Claims are leases, so a worker that dies mid-delivery does not lose the
//! message; on PostgreSQL `FOR UPDATE SKIP LOCKED` lets several nodes claim
//! disjoint batches.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::OutboxId;

use crate::schema::outbox;
use crate::{DbConnection, StoreError, to_db, write_transaction};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub created_at: NaiveDateTime,
    pub available_at: NaiveDateTime,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub locked_until: Option<NaiveDateTime>,
    pub locked_by: Option<String>,
    pub delivered_at: Option<NaiveDateTime>,
    /// Set when the message was given up on (see [`mark_dead`]).
    pub dead_at: Option<NaiveDateTime>,
}

pub fn enqueue(
    conn: &mut DbConnection,
    kind: &str,
    payload: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<OutboxId, StoreError> {
    let id = OutboxId::new();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(id.to_string()),
            outbox::kind.eq(kind),
            outbox::payload.eq(payload.to_string()),
            outbox::created_at.eq(to_db(now)),
            outbox::available_at.eq(to_db(now)),
            outbox::attempts.eq(0i64),
        ))
        .execute(conn)?;
    Ok(id)
}

/// The outbox kind of a security event for the operator's webhook: the
/// payload is the event as JSON (no secrets, no links).
pub const SECURITY_WEBHOOK_KIND: &str = "security_webhook";

/// Enqueues a security event for the operator's webhook, in the caller's
/// transaction.
pub fn enqueue_security_webhook(
    conn: &mut DbConnection,
    event: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<OutboxId, StoreError> {
    enqueue(conn, SECURITY_WEBHOOK_KIND, event, now)
}

/// Leases up to `limit` due messages to `worker` for `lease`.
pub fn claim(
    conn: &mut DbConnection,
    worker: &str,
    now: DateTime<Utc>,
    lease: Duration,
    limit: i64,
) -> Result<Vec<OutboxMessage>, StoreError> {
    let now_db = to_db(now);
    write_transaction(conn, |conn| {
        let due = outbox::table
            .select(outbox::id)
            .filter(outbox::delivered_at.is_null())
            .filter(outbox::dead_at.is_null())
            .filter(outbox::available_at.le(now_db))
            .filter(
                outbox::locked_until
                    .is_null()
                    .or(outbox::locked_until.lt(now_db)),
            )
            .order(outbox::available_at.asc())
            .limit(limit);
        let ids: Vec<String> = match conn {
            DbConnection::Pg(pg) => due.for_update().skip_locked().load(pg)?,
            // SQLite: the immediate transaction already excludes other writers.
            DbConnection::Sqlite(lite) => due.load(lite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::locked_until.eq(Some(to_db(now + lease))),
                outbox::locked_by.eq(Some(worker)),
                outbox::attempts.eq(outbox::attempts + 1i64),
            ))
            .execute(conn)?;
        Ok(outbox::table
            .select(OutboxMessage::as_select())
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::available_at.asc())
            .load(conn)?)
    })
}

pub fn mark_delivered(
    conn: &mut DbConnection,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(outbox::table.filter(outbox::id.eq(id)))
        .set((
            outbox::delivered_at.eq(Some(to_db(now))),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Releases the lease and schedules another attempt with exponential backoff
/// (30 s, 1 min, 2 min, … capped at 1 h).
pub fn mark_failed(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    error: &str,
    now: DateTime<Utc>,
) -> Result<DateTime<Utc>, StoreError> {
    let exponent = u32::try_from(message.attempts.clamp(1, 8) - 1).unwrap_or(0);
    let delay = Duration::seconds((30i64 << exponent).min(3600));
    let retry_at = now + delay;
    diesel::update(outbox::table.filter(outbox::id.eq(&message.id)))
        .set((
            outbox::available_at.eq(to_db(retry_at)),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(retry_at)
}

/// Gives up on a message that can never be delivered (refused for good, or
/// out of attempts): it stays, with its last error, and is never claimed
/// again.
pub fn mark_dead(
    conn: &mut DbConnection,
    message: &OutboxMessage,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::update(outbox::table.filter(outbox::id.eq(&message.id)))
        .set((
            outbox::dead_at.eq(Some(to_db(now))),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Messages still to deliver (neither delivered nor given up on).
pub fn pending_count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(outbox::table
        .filter(outbox::delivered_at.is_null())
        .filter(outbox::dead_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Messages given up on.
pub fn dead_count(conn: &mut DbConnection) -> Result<i64, StoreError> {
    Ok(outbox::table
        .filter(outbox::dead_at.is_not_null())
        .count()
        .get_result(conn)?)
}

/// The newest messages, delivered or not (for the console and tests).
pub fn recent(conn: &mut DbConnection, limit: i64) -> Result<Vec<OutboxMessage>, StoreError> {
    Ok(outbox::table
        .select(OutboxMessage::as_select())
        .order(outbox::created_at.desc())
        .limit(limit)
        .load(conn)?)
}
