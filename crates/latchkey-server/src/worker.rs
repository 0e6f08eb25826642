//! Background jobs of every node. Each is safe with several nodes running:
//! the sweep only deletes what has expired, and outbox delivery works on
//! leases (a message is sent by one node at a time; one leased by a node
//! that died is claimed again when its lease runs out).

use std::sync::Arc;
use std::time::Duration;

use latchkey_core::SharedClock;
use latchkey_recovery::GuardedActions;
use latchkey_session::SessionStore;
use latchkey_store::Db;
use prometheus::Registry;

use crate::notify::{self, Delivery, DeliveryMetrics, Mailer, error_chain};

/// How often the jobs run. The defaults suit production; tests shorten them.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Expired sessions, ephemeral values and counters.
    pub sweep_every: Duration,
    /// Pause between outbox passes (none after a full batch).
    pub deliver_every: Duration,
    /// Outbox messages claimed per pass.
    pub batch: i64,
    /// How long a claim holds an outbox message.
    pub lease: chrono::Duration,
    /// Pause between passes over guarded actions that are due.
    pub guarded_actions_every: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            sweep_every: Duration::from_secs(60),
            deliver_every: Duration::from_secs(5),
            batch: Delivery::DEFAULT_BATCH,
            lease: Delivery::DEFAULT_LEASE,
            guarded_actions_every: Duration::from_secs(15),
        }
    }
}

/// What the jobs work on: the stores, the clock and where to export
/// metrics. Explicit, so the worker does not depend on the web layer.
#[derive(Debug, Clone)]
pub struct WorkerDeps {
    pub db: Db,
    pub sessions: SessionStore,
    pub clock: SharedClock,
    pub registry: Registry,
    pub mailer: Arc<dyn Mailer>,
    /// Where guarded-action notices are POSTed too, if configured.
    pub webhook: Option<Arc<crate::notify::webhook::SecurityWebhook>>,
    /// Advances guarded actions whose delay or lifetime ran out.
    pub guarded_actions: GuardedActions,
}

/// Runs until the task is aborted at shutdown.
pub async fn run(deps: WorkerDeps) {
    run_with(deps, WorkerOptions::default()).await;
}

/// [`run`] with other intervals.
pub async fn run_with(deps: WorkerDeps, options: WorkerOptions) {
    let metrics = match DeliveryMetrics::register(&deps.registry) {
        Ok(metrics) => Some(metrics),
        Err(e) => {
            // Only when a second worker runs on the same state (tests).
            tracing::error!(error = %e, "registering the outbox metrics failed; they are not exported");
            DeliveryMetrics::register(&Registry::new()).ok()
        }
    };
    let sweep = sweep_loop(
        deps.db.clone(),
        deps.sessions.clone(),
        deps.clock.clone(),
        options.sweep_every,
    );
    let guarded = guarded_action_loop(
        deps.guarded_actions.clone(),
        deps.clock.clone(),
        options.guarded_actions_every,
    );
    match metrics {
        Some(metrics) => {
            let mut delivery = Delivery::new(
                deps.db.clone(),
                deps.mailer.clone(),
                deps.clock.clone(),
                notify::worker_id(),
                metrics,
            );
            delivery.lease = options.lease;
            delivery.webhook = deps.webhook.clone();
            delivery.batch = options.batch;
            tracing::debug!(worker = %delivery.worker_id, "outbox delivery started");
            tokio::join!(
                sweep,
                guarded,
                delivery_loop(delivery, options.deliver_every)
            );
        }
        None => {
            tracing::error!("outbox delivery is not running");
            tokio::join!(sweep, guarded);
        }
    }
}

async fn sweep_loop(db: Db, sessions: SessionStore, clock: SharedClock, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match sessions.sweep_expired().await {
            Ok(swept) if swept.sessions + swept.values + swept.counters > 0 => {
                tracing::debug!(
                    sessions = swept.sessions,
                    values = swept.values,
                    counters = swept.counters,
                    "swept expired entries"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sweeping expired session entries failed"),
        }
        let now = clock.now();
        let result = db
            .run(move |c| {
                Ok((
                    latchkey_store::token_revocations::delete_expired(c, now)?,
                    latchkey_store::refresh_tokens::delete_ended_before(
                        c,
                        now - TOKEN_RECORDS_KEPT,
                    )?,
                    latchkey_store::ended_sessions::delete_expired(c, now)?,
                ))
            })
            .await;
        match result {
            Ok((0, 0, 0)) => {}
            Ok((revocations, refresh, sessions)) => {
                tracing::debug!(
                    revocations,
                    refresh,
                    sessions,
                    "deleted records of ended tokens and sessions"
                );
            }
            Err(e) => tracing::warn!(error = %e, "deleting records of ended tokens failed"),
        }
        // The dashboard's sign-ins per day, from the audit log.
        let rolled = db
            .run(|c| latchkey_store::daily_counts::roll_up_within(c, ROLLUP_BATCH, ROLLUP_BUDGET))
            .await;
        if let Err(e) = rolled {
            tracing::warn!(error = %e, "rolling up the daily sign-in counts failed");
        }
    }
}

/// Audit events the daily counts read per transaction, and per sweep.
const ROLLUP_BATCH: i64 = 5_000;
const ROLLUP_BUDGET: usize = 500_000;

/// Moves guarded actions on when their delay or lifetime has run out:
/// waiting → awaiting approvals or ready, anything open → expired. Safe
/// with several nodes (due requests are claimed with `FOR UPDATE SKIP
/// LOCKED` on PostgreSQL; each transition is checked against the stored
/// version), and idempotent.
async fn guarded_action_loop(engine: GuardedActions, clock: SharedClock, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match engine.tick(clock.now()).await {
            Ok(report) if report.changed > 0 => tracing::info!(
                examined = report.examined,
                changed = report.changed,
                expired = report.expired,
                ready = report.ready,
                "advanced guarded actions"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %error_chain(&e), "advancing guarded actions failed"),
        }
    }
}

/// How long records of expired or revoked refresh tokens are kept (for
/// investigation) before the sweep deletes them.
const TOKEN_RECORDS_KEPT: chrono::Duration = chrono::Duration::days(7);

async fn delivery_loop(delivery: Delivery, every: Duration) {
    let full = usize::try_from(delivery.batch).unwrap_or(usize::MAX);
    loop {
        match delivery.deliver_due().await {
            // A full batch: more may be due, go on at once (the claimed ones
            // are leased or rescheduled, so this cannot spin on them).
            Ok(report) if report.claimed >= full && report.deferred == 0 => {
                tokio::task::yield_now().await;
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %error_chain(&e), "delivering the outbox failed"),
        }
        tokio::time::sleep(every).await;
    }
}
