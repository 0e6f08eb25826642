//! Reading the audit log by filter: the console's audit page (newest first,
//! a page at a time before a sequence number) and its exports (oldest
//! first, in batches after a sequence number, so a long range streams
//! without being held in memory).

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::audit::AuditEvent;
use crate::schema::audit_events;
use crate::{DbConnection, StoreError, to_db};

/// Which events to read. Every field narrows; an empty filter is the whole
/// log. Values are compared exactly (`request` is a guarded-action request
/// id, matched in the event's detail).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub kind: Option<String>,
    pub actor: Option<String>,
    pub subject: Option<String>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub until: Option<DateTime<Utc>>,
    pub request: Option<String>,
}

/// Which way to walk from a sequence number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Walk {
    /// Newest first, events with `seq` below the number (all when `None`).
    Before(Option<i64>),
    /// Oldest first, events with `seq` above the number (all when `None`).
    After(Option<i64>),
}

/// Events matching `filter`, at most `limit`, in the order `walk` gives.
pub fn search(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    walk: Walk,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    let mut q = audit_events::table
        .select(AuditEvent::as_select())
        .into_boxed();
    if let Some(kind) = &filter.kind {
        q = q.filter(audit_events::kind.eq(kind.clone()));
    }
    if let Some(actor) = &filter.actor {
        q = q.filter(audit_events::actor.eq(actor.clone()));
    }
    if let Some(subject) = &filter.subject {
        q = q.filter(audit_events::subject.eq(subject.clone()));
    }
    if let Some(from) = filter.from {
        q = q.filter(audit_events::occurred_at.ge(to_db(from)));
    }
    if let Some(until) = filter.until {
        q = q.filter(audit_events::occurred_at.lt(to_db(until)));
    }
    if let Some(request) = &filter.request {
        // LIKE's own characters are escaped, so a value matches only itself.
        let escaped: String = request
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' | '"' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        // A guarded-action request's id, or the id of the HTTP request
        // that made the change (`request_id`).
        q = q.filter(
            audit_events::detail
                .like(format!("%\"request\":\"{escaped}\"%"))
                .escape('\\')
                .or(audit_events::detail
                    .like(format!("%\"request_id\":\"{escaped}\"%"))
                    .escape('\\')),
        );
    }
    q = match walk {
        Walk::Before(before) => {
            let q = q.order(audit_events::seq.desc());
            match before {
                Some(seq) => q.filter(audit_events::seq.lt(seq)),
                None => q,
            }
        }
        Walk::After(after) => {
            let q = q.order(audit_events::seq.asc());
            match after {
                Some(seq) => q.filter(audit_events::seq.gt(seq)),
                None => q,
            }
        }
    };
    Ok(q.limit(limit).load(conn)?)
}
