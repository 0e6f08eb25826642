//! The append-only, hash-chained audit log.
//!
//! Row `n` stores `hash_n = HMAC(k, hash_{n-1} ‖ fields_n)` where `k` is derived
//! from the master key, so a row changed, inserted or removed in the database
//! breaks the chain at that row, and someone with write access to the
//! database but not the master key cannot forge a consistent chain. Removing
//! rows from the end leaves a valid but shorter chain: the head (sequence and
//! hash) is written to the log at every append so it can be compared.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{AuditEventId, AuditEventKind};
use ring::hmac;
use subtle::ConstantTimeEq as _;

use crate::schema::audit_events;
use crate::seal::MasterKey;
use crate::{DbConnection, StoreError, from_db, to_db, write_transaction};

const GENESIS: [u8; 32] = [0u8; 32];

/// A stored audit event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEvent {
    pub seq: i64,
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub kind: String,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
    pub prev_hash: Vec<u8>,
    pub hash: Vec<u8>,
}

/// What to record. `detail` must not hold secrets.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub kind: AuditEventKind,
    pub actor: Option<String>,
    pub subject: Option<String>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
    /// The id of the HTTP request that caused the event: added to the
    /// detail as `request_id` when it is written.
    pub request_id: Option<String>,
}

impl NewAuditEvent {
    pub fn new(kind: AuditEventKind) -> Self {
        Self {
            kind,
            actor: None,
            subject: None,
            ip: None,
            detail: serde_json::Value::Object(Default::default()),
            request_id: None,
        }
    }

    pub fn actor(mut self, actor: impl ToString) -> Self {
        self.actor = Some(actor.to_string());
        self
    }

    pub fn subject(mut self, subject: impl ToString) -> Self {
        self.subject = Some(subject.to_string());
        self
    }

    pub fn ip(mut self, ip: impl ToString) -> Self {
        self.ip = Some(ip.to_string());
        self
    }

    pub fn detail(mut self, detail: serde_json::Value) -> Self {
        self.detail = detail;
        self
    }

    /// Records the HTTP request's id with the event (when there is one).
    pub fn request_id(mut self, id: Option<&str>) -> Self {
        self.request_id = id.map(str::to_owned);
        self
    }

    /// The detail as stored: `request_id` added to an object detail.
    fn stored_detail(&self) -> String {
        match (&self.request_id, &self.detail) {
            (Some(id), serde_json::Value::Object(map)) => {
                let mut map = map.clone();
                map.insert(
                    "request_id".to_owned(),
                    serde_json::Value::from(id.as_str()),
                );
                serde_json::Value::Object(map).to_string()
            }
            _ => self.detail.to_string(),
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = audit_events)]
struct AuditRow<'a> {
    seq: i64,
    id: &'a str,
    occurred_at: NaiveDateTime,
    kind: &'a str,
    actor: Option<&'a str>,
    subject: Option<&'a str>,
    ip: Option<&'a str>,
    detail: &'a str,
    prev_hash: &'a [u8],
    hash: &'a [u8],
}

/// Where verification found the chain broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The row's contents do not match its hash (changed, or forged).
    Changed { seq: i64 },
    /// Rows with these sequence numbers are missing.
    Removed { from_seq: i64, to_seq: i64 },
    /// The row does not follow the row before it (inserted or reordered).
    Inserted { seq: i64 },
}

impl std::fmt::Display for ChainBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Changed { seq } => write!(f, "audit event #{seq} was changed"),
            Self::Removed { from_seq, to_seq } if from_seq == to_seq => {
                write!(f, "audit event #{from_seq} was removed")
            }
            Self::Removed { from_seq, to_seq } => {
                write!(f, "audit events #{from_seq} to #{to_seq} were removed")
            }
            Self::Inserted { seq } => {
                write!(
                    f,
                    "audit event #{seq} was inserted or does not follow the row before it"
                )
            }
        }
    }
}

/// The result of verifying the whole chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub rows: u64,
    pub head_seq: i64,
    pub head_hash: String,
    pub broken: Option<ChainBreak>,
}

impl ChainReport {
    /// The verdict in one line, as `latchkey audit verify` prints it and the
    /// console shows it.
    pub fn summary(&self) -> String {
        match &self.broken {
            None => format!(
                "audit chain intact: {} events, head #{} {}",
                self.rows, self.head_seq, self.head_hash
            ),
            Some(brk) => format!(
                "audit chain BROKEN: {brk} (the {} events before it verify; last good head #{} {})",
                self.rows, self.head_seq, self.head_hash
            ),
        }
    }
}

/// Appends to and verifies the chain. Holds the derived key.
pub struct AuditChain {
    key: hmac::Key,
}

impl std::fmt::Debug for AuditChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditChain(<key redacted>)")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl AuditChain {
    pub fn new(master: &MasterKey) -> Self {
        Self {
            key: master.audit_chain_key(),
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one argument per hashed field")]
    fn digest(
        &self,
        prev: &[u8],
        seq: i64,
        id: &str,
        occurred_at: NaiveDateTime,
        kind: &str,
        actor: Option<&str>,
        subject: Option<&str>,
        ip: Option<&str>,
        detail: &str,
    ) -> Vec<u8> {
        let mut ctx = hmac::Context::with_key(&self.key);
        ctx.update(prev);
        ctx.update(&seq.to_be_bytes());
        let time = occurred_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        for field in [
            Some(id),
            Some(time.as_str()),
            Some(kind),
            actor,
            subject,
            ip,
            Some(detail),
        ] {
            match field {
                // Length-prefixed, with absence distinct from the empty string.
                Some(v) => {
                    ctx.update(&[1]);
                    ctx.update(&(v.len() as u64).to_be_bytes());
                    ctx.update(v.as_bytes());
                }
                None => ctx.update(&[0]),
            }
        }
        ctx.sign().as_ref().to_vec()
    }

    /// Appends one event. Joins the caller's transaction when there is one,
    /// so an event is recorded if and only if the change it describes is.
    pub fn append(
        &self,
        conn: &mut DbConnection,
        now: DateTime<Utc>,
        event: &NewAuditEvent,
    ) -> Result<AuditEvent, StoreError> {
        let row = write_transaction(conn, |conn| {
            if let DbConnection::Pg(pg) = conn {
                // Serialise appenders across nodes for the rest of this transaction.
                diesel::sql_query("SELECT pg_advisory_xact_lock(7306371524917405013)")
                    .execute(pg)?;
            }
            let last: Option<(i64, Vec<u8>)> = audit_events::table
                .select((audit_events::seq, audit_events::hash))
                .order(audit_events::seq.desc())
                .first(conn)
                .optional()?;
            let (seq, prev) = match last {
                Some((seq, hash)) => (seq + 1, hash),
                None => (1, GENESIS.to_vec()),
            };
            let id = AuditEventId::new().to_string();
            let occurred_at = to_db(now);
            let detail = event.stored_detail();
            let hash = self.digest(
                &prev,
                seq,
                &id,
                occurred_at,
                event.kind.as_str(),
                event.actor.as_deref(),
                event.subject.as_deref(),
                event.ip.as_deref(),
                &detail,
            );
            diesel::insert_into(audit_events::table)
                .values(AuditRow {
                    seq,
                    id: &id,
                    occurred_at,
                    kind: event.kind.as_str(),
                    actor: event.actor.as_deref(),
                    subject: event.subject.as_deref(),
                    ip: event.ip.as_deref(),
                    detail: &detail,
                    prev_hash: &prev,
                    hash: &hash,
                })
                .execute(conn)?;
            Ok(AuditEvent {
                seq,
                id,
                occurred_at,
                kind: event.kind.as_str().to_owned(),
                actor: event.actor.clone(),
                subject: event.subject.clone(),
                ip: event.ip.clone(),
                detail,
                prev_hash: prev,
                hash,
            })
        })?;
        tracing::info!(
            target: "latchkey::audit",
            audit_seq = row.seq,
            audit_head = %hex(&row.hash),
            audit_kind = %row.kind,
            audit_at = %from_db(row.occurred_at).to_rfc3339(),
            "audit event appended"
        );
        Ok(row)
    }

    /// Walks the chain from the first row and reports the first break.
    pub fn verify(&self, conn: &mut DbConnection) -> Result<ChainReport, StoreError> {
        const BATCH: i64 = 1000;
        let mut prev = GENESIS.to_vec();
        let mut expected = 1i64;
        let mut rows = 0u64;
        loop {
            let batch: Vec<AuditEvent> = audit_events::table
                .select(AuditEvent::as_select())
                .filter(audit_events::seq.ge(expected))
                .order(audit_events::seq.asc())
                .limit(BATCH)
                .load(conn)?;
            if batch.is_empty() {
                break;
            }
            for row in &batch {
                let broken = if row.seq != expected {
                    Some(ChainBreak::Removed {
                        from_seq: expected,
                        to_seq: row.seq - 1,
                    })
                } else if row.prev_hash != prev {
                    Some(ChainBreak::Inserted { seq: row.seq })
                } else {
                    let want = self.digest(
                        &prev,
                        row.seq,
                        &row.id,
                        row.occurred_at,
                        &row.kind,
                        row.actor.as_deref(),
                        row.subject.as_deref(),
                        row.ip.as_deref(),
                        &row.detail,
                    );
                    let same: bool = want.ct_eq(&row.hash).into();
                    (!same).then_some(ChainBreak::Changed { seq: row.seq })
                };
                if broken.is_some() {
                    return Ok(ChainReport {
                        rows,
                        head_seq: expected - 1,
                        head_hash: hex(&prev),
                        broken,
                    });
                }
                prev.clone_from(&row.hash);
                expected += 1;
                rows += 1;
            }
        }
        Ok(ChainReport {
            rows,
            head_seq: expected - 1,
            head_hash: hex(&prev),
            broken: None,
        })
    }

    /// The newest events first, for the console and tests.
    pub fn recent(conn: &mut DbConnection, limit: i64) -> Result<Vec<AuditEvent>, StoreError> {
        Ok(audit_events::table
            .select(AuditEvent::as_select())
            .order(audit_events::seq.desc())
            .limit(limit)
            .load(conn)?)
    }

    /// The events about one guarded-action request, oldest first: those
    /// with `subject` (the request's account) whose detail names the
    /// request (`"request":"<id>"`), at most `limit`.
    pub fn for_guarded_action(
        conn: &mut DbConnection,
        subject: &str,
        request: &str,
        limit: i64,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        // A request id is a UUID: nothing in it is special to LIKE.
        let needle = format!("%\"request\":\"{request}\"%");
        Ok(audit_events::table
            .select(AuditEvent::as_select())
            .filter(audit_events::subject.eq(subject))
            .filter(audit_events::detail.like(needle))
            .order(audit_events::seq.asc())
            .limit(limit)
            .load(conn)?)
    }
}
