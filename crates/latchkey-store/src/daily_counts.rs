//! Sign-ins per day, rolled up from the audit log: the dashboard reads a
//! few rows per day whatever the number of sign-ins. The roll-up reads the
//! events after its cursor in sequence order, adds them to the day's
//! counts and moves the cursor, all in one transaction — so it is
//! idempotent, loses nothing on a crash, and several nodes running it at
//! once count each event exactly once (the cursor is locked on PostgreSQL;
//! SQLite has one writer).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::schema::{audit_events, daily_counts, rollup_cursors};
use crate::{DbConnection, StoreError, write_transaction};

/// Successful sign-ins; the key is the flow (autofill, modal, cross-device).
pub const SIGN_INS: &str = "sign_in.succeeded";
/// Refused sign-ins of a known account; the key is the reason code.
pub const SIGN_IN_FAILURES: &str = "sign_in.failed";

const CURSOR: &str = "daily_counts";
/// Serialises roll-ups across PostgreSQL nodes.
const ROLLUP_LOCK: i64 = 7_306_371_524_917_405_111;
/// The longest key kept; anything longer (or not a simple word) is "other".
const MAX_KEY: usize = 40;

/// One day's count of one metric and key.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct DayCount {
    pub day: String,
    pub metric: String,
    pub key: String,
    pub count: i64,
}

fn bounded(value: Option<&str>) -> String {
    match value {
        Some(v)
            if !v.is_empty()
                && v.len() <= MAX_KEY
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            v.to_owned()
        }
        _ => "other".to_owned(),
    }
}

/// The metric and key an audit event counts under, if it counts.
fn counted(kind: &str, detail: &str) -> Option<(&'static str, String)> {
    let metric = match kind {
        SIGN_INS => SIGN_INS,
        SIGN_IN_FAILURES => SIGN_IN_FAILURES,
        _ => return None,
    };
    let detail: serde_json::Value = serde_json::from_str(detail).unwrap_or_default();
    let field = if metric == SIGN_INS { "flow" } else { "reason" };
    Some((metric, bounded(detail[field].as_str())))
}

/// Rolls up at most `batch` audit events after the cursor; returns how many
/// were read (fewer than `batch`: the roll-up is current).
pub fn roll_up(conn: &mut DbConnection, batch: i64) -> Result<usize, StoreError> {
    write_transaction(conn, |c| {
        if let DbConnection::Pg(_) = c {
            diesel::sql_query(format!("SELECT pg_advisory_xact_lock({ROLLUP_LOCK})")).execute(c)?;
        }
        let cursor: i64 = rollup_cursors::table
            .filter(rollup_cursors::name.eq(CURSOR))
            .select(rollup_cursors::seq)
            .first(c)?;
        let events: Vec<(i64, String, chrono::NaiveDateTime, String)> = audit_events::table
            .filter(audit_events::seq.gt(cursor))
            .order(audit_events::seq.asc())
            .limit(batch)
            .select((
                audit_events::seq,
                audit_events::kind,
                audit_events::occurred_at,
                audit_events::detail,
            ))
            .load(c)?;
        let Some(last) = events.last().map(|e| e.0) else {
            return Ok(0);
        };
        let mut sums: BTreeMap<(String, &'static str, String), i64> = BTreeMap::new();
        for (_, kind, at, detail) in &events {
            if let Some((metric, key)) = counted(kind, detail) {
                let day = at.date().format("%Y-%m-%d").to_string();
                *sums.entry((day, metric, key)).or_default() += 1;
            }
        }
        for ((day, metric, key), n) in sums {
            add(c, &day, metric, &key, n)?;
        }
        diesel::update(rollup_cursors::table.filter(rollup_cursors::name.eq(CURSOR)))
            .set(rollup_cursors::seq.eq(last))
            .execute(c)?;
        Ok(events.len())
    })
}

/// Adds `n` to a day's count (one upsert statement).
fn add(
    conn: &mut DbConnection,
    day: &str,
    metric: &str,
    key: &str,
    n: i64,
) -> Result<(), StoreError> {
    let upsert = diesel::insert_into(daily_counts::table)
        .values((
            daily_counts::day.eq(day),
            daily_counts::metric.eq(metric),
            daily_counts::key.eq(key),
            daily_counts::count.eq(n),
        ))
        .on_conflict((daily_counts::day, daily_counts::metric, daily_counts::key))
        .do_update()
        .set(daily_counts::count.eq(daily_counts::count + n));
    match conn {
        DbConnection::Pg(pg) => upsert.execute(pg)?,
        DbConnection::Sqlite(lite) => upsert.execute(lite)?,
    };
    Ok(())
}

/// Rolls up in batches until current or until `budget` events were read;
/// returns whether it is current.
pub fn roll_up_within(
    conn: &mut DbConnection,
    batch: i64,
    budget: usize,
) -> Result<bool, StoreError> {
    let mut read = 0;
    while read < budget {
        let n = roll_up(conn, batch)?;
        read += n;
        if (n as i64) < batch {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Every count of the days from `from` on, oldest first.
pub fn since(conn: &mut DbConnection, from: NaiveDate) -> Result<Vec<DayCount>, StoreError> {
    Ok(daily_counts::table
        .filter(daily_counts::day.ge(from.format("%Y-%m-%d").to_string()))
        .order((
            daily_counts::day.asc(),
            daily_counts::metric.asc(),
            daily_counts::key.asc(),
        ))
        .select((
            daily_counts::day,
            daily_counts::metric,
            daily_counts::key,
            daily_counts::count,
        ))
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sign_in_events_count_under_a_bounded_key() {
        assert_eq!(
            counted(SIGN_INS, r#"{"flow":"autofill","platform":"macOS"}"#),
            Some((SIGN_INS, "autofill".to_owned()))
        );
        assert_eq!(
            counted(SIGN_IN_FAILURES, r#"{"reason":"credential_revoked"}"#),
            Some((SIGN_IN_FAILURES, "credential_revoked".to_owned()))
        );
        assert_eq!(
            counted(
                SIGN_IN_FAILURES,
                &format!(r#"{{"reason":"{}"}}"#, "x".repeat(41))
            ),
            Some((SIGN_IN_FAILURES, "other".to_owned()))
        );
        assert_eq!(
            counted(SIGN_INS, r#"{"flow":"<script>"}"#),
            Some((SIGN_INS, "other".to_owned()))
        );
        assert_eq!(
            counted(SIGN_INS, "not json"),
            Some((SIGN_INS, "other".to_owned()))
        );
        assert_eq!(counted("user.created", "{}"), None);
    }
}
