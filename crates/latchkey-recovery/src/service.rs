//! The engine over the store: every call loads the request under its row
//! lock, lets the pure machine decide, and stores the transition with its
//! audit events, notices and revocations in one write transaction. Time
//! comes from the injected clock; a refusal changes nothing.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use latchkey_core::{
    CredentialId, GuardedActionId, HashedToken, PlainToken, SharedClock, TokenKind, UserId,
};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::guarded_actions;
use latchkey_store::recovery_codes::RecoveryCodeHasher;
use latchkey_store::{Db, DbConnection, StoreError};

use crate::config::EngineConfig;
use crate::effects::{Ctx, Executed, Executor};
use crate::machine::{Event, Request, transition};
use crate::metrics::EngineMetrics;
use crate::record::{from_record, to_update};
use crate::state::{Refusal, State};

mod admin_changes;
mod calls;
mod checks;
mod console;
mod factor_calls;
mod live;
mod policies;
mod types;

pub use admin_changes::AdminChange;
pub use live::LiveChange;
pub(crate) use live::pending_event;
pub use policies::{PolicyChange, PolicyChangeOutcome, PolicyInForce, PolicySync};
pub(crate) use policies::{in_force, store_recovery_policy};

pub use console::{
    AccountName, DecisionSeen, FactorSeen, NoticeSent, OobSeen, QueueItem, Review, TimelineEntry,
};
pub use types::{
    ApproverAssertion, Completion, NewRequest, OobCheck, Origin, PasskeyFact, RedeemedGrant,
    Requested, TickReport,
};

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The engine said no; nothing changed. The reason has a stable code.
    #[error("refused: {0}")]
    Refused(#[from] Refusal),
    #[error("the guarded-action store failed")]
    Store(#[from] StoreError),
}

impl EngineError {
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            Self::Refused(r) => Some(r),
            Self::Store(_) => None,
        }
    }
}

/// The guarded-action engine. Cheap to clone.
#[derive(Clone)]
pub struct GuardedActions {
    db: Db,
    clock: SharedClock,
    inner: Arc<Inner>,
    metrics: Option<EngineMetrics>,
}

struct Inner {
    audit: Arc<AuditChain>,
    codes: Arc<RecoveryCodeHasher>,
    config: EngineConfig,
}

impl std::fmt::Debug for GuardedActions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuardedActions")
            .field("db", &self.db)
            .finish_non_exhaustive()
    }
}

/// A write to make beside the transition, once the machine accepted it.
#[derive(Debug, Clone)]
enum Write {
    Factor {
        kind: &'static str,
        detail: String,
    },
    Decision {
        approver: UserId,
        decision: &'static str,
        comment: String,
        uv_at: DateTime<Utc>,
        credential: CredentialId,
    },
    Oob {
        by: UserId,
        method: &'static str,
        evidence: String,
    },
}

/// What a call asks of the machine.
#[derive(Debug)]
struct Prepared {
    event: Event,
    writes: Vec<Write>,
    /// Told to the caller after the transition is stored (a wrong factor).
    after: Option<Refusal>,
}

impl Prepared {
    fn event(event: Event) -> Self {
        Self {
            event,
            writes: Vec::new(),
            after: None,
        }
    }
}

/// The outcome of [`GuardedActions::drive`].
#[derive(Debug)]
struct Driven {
    request: Request,
    executed: Executed,
}

/// Runs `f` in a write transaction; a refusal rolls everything back.
fn in_transaction<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, EngineError>,
) -> Result<T, EngineError> {
    let mut refused = None;
    let result = latchkey_store::write_transaction(conn, |conn| match f(conn) {
        Ok(v) => Ok(v),
        Err(EngineError::Store(e)) => Err(e),
        Err(EngineError::Refused(r)) => {
            refused = Some(r);
            Err(StoreError::Conflict("a refused guarded-action change"))
        }
    });
    match (result, refused) {
        (_, Some(r)) => Err(EngineError::Refused(r)),
        (Ok(v), None) => Ok(v),
        (Err(e), None) => Err(EngineError::Store(e)),
    }
}

impl GuardedActions {
    pub fn new(
        db: Db,
        clock: SharedClock,
        audit: Arc<AuditChain>,
        codes: Arc<RecoveryCodeHasher>,
        config: EngineConfig,
    ) -> Self {
        Self {
            db,
            clock,
            inner: Arc::new(Inner {
                audit,
                codes,
                config,
            }),
            metrics: None,
        }
    }

    /// The same engine, counting its requests in `metrics`.
    pub fn with_metrics(mut self, metrics: EngineMetrics) -> Self {
        self.metrics = Some(metrics);
        self
    }

    /// Counts stored transitions (after their transaction committed).
    fn count(&self, before: State, after: &Request) {
        if let Some(m) = &self.metrics {
            m.moved(before, after);
        }
    }

    fn count_opened(&self, request: &Request) {
        if let Some(m) = &self.metrics {
            m.opened(request);
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs blocking engine work on the database's blocking pool.
    async fn run<T, F>(&self, f: F) -> Result<T, EngineError>
    where
        F: FnOnce(&mut DbConnection, &Inner) -> Result<T, EngineError> + Send + 'static,
        T: Send + 'static,
    {
        let inner = self.inner.clone();
        self.db
            .run(move |conn| Ok(f(conn, &inner)))
            .await
            .map_err(EngineError::Store)?
    }

    /// Loads request `id` under its lock, lets `prepare` (which may read and
    /// write in the same transaction, e.g. spend a recovery code) say which
    /// event happened, applies it, and stores the result with its effects.
    async fn drive<F>(
        &self,
        id: GuardedActionId,
        ctx: Ctx,
        prepare: F,
    ) -> Result<Request, EngineError>
    where
        F: FnOnce(
                &mut DbConnection,
                &Inner,
                &Request,
                DateTime<Utc>,
            ) -> Result<Prepared, EngineError>
            + Send
            + 'static,
    {
        self.drive_full(id, ctx, prepare).await.map(|d| d.request)
    }

    async fn drive_full<F>(
        &self,
        id: GuardedActionId,
        ctx: Ctx,
        prepare: F,
    ) -> Result<Driven, EngineError>
    where
        F: FnOnce(
                &mut DbConnection,
                &Inner,
                &Request,
                DateTime<Utc>,
            ) -> Result<Prepared, EngineError>
            + Send
            + 'static,
    {
        let now = self.now();
        let (before, driven, after) = self
            .run(move |conn, inner| {
                in_transaction(conn, |conn| {
                    let record = guarded_actions::lock(conn, id)?.ok_or(Refusal::NotFound {})?;
                    let (request, version) = from_record(&record)?;
                    let prepared = prepare(conn, inner, &request, now)?;
                    let (next, effects) = transition(&request, prepared.event, now)?;
                    for write in prepared.writes {
                        store_write(conn, id, write, now)?;
                    }
                    if next != request {
                        guarded_actions::update(conn, &to_update(&next, version))?;
                    }
                    let mut executed = Executor {
                        audit: &inner.audit,
                        codes: &inner.codes,
                        config: &inner.config,
                    }
                    .execute(conn, &next, &effects, &ctx, now)?;
                    let next = match live::finish_by_itself(conn, inner, &next, now)? {
                        Some((done, more)) => {
                            executed.absorb(more);
                            done
                        }
                        None => next,
                    };
                    Ok((
                        request.state,
                        Driven {
                            request: next,
                            executed,
                        },
                        prepared.after,
                    ))
                })
            })
            .await
            .inspect_err(|e| log_refusal(id, e))?;
        self.count(before, &driven.request);
        match after {
            Some(refusal) => {
                let e = EngineError::Refused(refusal);
                log_refusal(id, &e);
                Err(e)
            }
            None => Ok(driven),
        }
    }

    /// Counts a hit against a rate limit in a transaction of its own (a
    /// refused call must still count). True while within the limit.
    async fn within_limit(
        &self,
        key: String,
        limit: crate::config::RateLimit,
    ) -> Result<bool, EngineError> {
        let now = self.now();
        self.run(move |conn, _| {
            let (count, _) =
                latchkey_store::ephemeral::hit_counter(conn, &key, now, now + limit.window)?;
            Ok(count <= limit.max)
        })
        .await
    }

    /// The request, as it is now (without advancing it: see [`Self::tick`]).
    pub async fn view(&self, id: GuardedActionId) -> Result<Request, EngineError> {
        self.run(move |conn, _| {
            let record = guarded_actions::find(conn, id)?.ok_or(Refusal::NotFound {})?;
            Ok(from_record(&record)?.0)
        })
        .await
    }

    /// The open requests for `user`'s account, newest first: shown after
    /// sign-in with a passkey, with a way to cancel each.
    pub async fn open_for(&self, user: UserId) -> Result<Vec<Request>, EngineError> {
        self.run(move |conn, _| {
            let rows = guarded_actions::open_for_user(conn, user)?;
            requests_of(conn, rows)
        })
        .await
    }

    /// Open requests that need approvals or an out-of-band check, oldest
    /// first (the console's queue).
    pub async fn approval_queue(&self, limit: i64) -> Result<Vec<Request>, EngineError> {
        self.run(move |conn, _| {
            let rows = guarded_actions::awaiting_decision(conn, limit)?;
            requests_of(conn, rows)
        })
        .await
    }
}

fn store_write(
    conn: &mut DbConnection,
    id: GuardedActionId,
    write: Write,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match write {
        Write::Factor { kind, detail } => guarded_actions::add_factor(conn, id, kind, &detail, now),
        Write::Decision {
            approver,
            decision,
            comment,
            uv_at,
            credential,
        } => latchkey_store::approvals::record(
            conn,
            &latchkey_store::approvals::NewDecision {
                action_id: id,
                approver,
                decision,
                comment: &comment,
                user_verified_at: uv_at,
                credential: Some(credential),
            },
            now,
        ),
        Write::Oob {
            by,
            method,
            evidence,
        } => guarded_actions::add_oob(conn, id, by, method, &evidence, now),
    }
}

fn log_refusal(id: GuardedActionId, e: &EngineError) {
    match e {
        EngineError::Refused(r) => tracing::info!(
            target: "latchkey::guarded_action",
            request = %id,
            reason = r.code(),
            "guarded action refused"
        ),
        EngineError::Store(err) => tracing::error!(
            target: "latchkey::guarded_action",
            request = %id,
            error = %err,
            "guarded action failed"
        ),
    }
}

/// The cancel link (and other one-time tokens) as presented: the right
/// prefix, or nothing.
fn presented(kind: TokenKind, token: &str) -> Option<HashedToken> {
    PlainToken::from_presented(kind, token.trim()).map(|t| t.hashed())
}

/// Audits an event that is not a transition of a request.
fn audit_plain(
    inner: &Inner,
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    event: &NewAuditEvent,
) -> Result<(), StoreError> {
    inner.audit.append(conn, now, event).map(drop)
}

/// The requests the listed rows stand for, in the rows' order (a row removed
/// meanwhile is left out).
fn requests_of(
    conn: &mut DbConnection,
    rows: Vec<guarded_actions::GuardedActionRow>,
) -> Result<Vec<Request>, EngineError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(record) = guarded_actions::find(conn, row.action_id()?)? {
            out.push(from_record(&record)?.0);
        }
    }
    Ok(out)
}
