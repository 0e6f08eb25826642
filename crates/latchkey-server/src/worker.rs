//! Background jobs of every node. Each is safe with several nodes running:
//! the sweep only deletes what has expired, and outbox delivery works on
//! leases (a message is sent by one node at a time; one leased by a node
//! that died is claimed again when its lease runs out).

use std::sync::Arc;
use std::time::Duration;

use latchkey_web::AppState;
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
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            sweep_every: Duration::from_secs(60),
            deliver_every: Duration::from_secs(5),
            batch: Delivery::DEFAULT_BATCH,
            lease: Delivery::DEFAULT_LEASE,
        }
    }
}

/// Runs until the task is aborted at shutdown.
pub async fn run(state: AppState, mailer: Arc<dyn Mailer>) {
    run_with(state, mailer, WorkerOptions::default()).await;
}

/// [`run`] with other intervals.
pub async fn run_with(state: AppState, mailer: Arc<dyn Mailer>, options: WorkerOptions) {
    let metrics = match DeliveryMetrics::register(state.metrics.registry()) {
        Ok(metrics) => Some(metrics),
        Err(e) => {
            // Only when a second worker runs on the same state (tests).
            tracing::error!(error = %e, "registering the outbox metrics failed; they are not exported");
            DeliveryMetrics::register(&Registry::new()).ok()
        }
    };
    let sweep = sweep_loop(state.clone(), options.sweep_every);
    match metrics {
        Some(metrics) => {
            let mut delivery = Delivery::new(
                state.db.clone(),
                mailer,
                state.clock.clone(),
                notify::worker_id(),
                metrics,
            );
            delivery.lease = options.lease;
            delivery.batch = options.batch;
            tracing::debug!(worker = %delivery.worker_id, "outbox delivery started");
            tokio::join!(sweep, delivery_loop(delivery, options.deliver_every));
        }
        None => {
            tracing::error!("outbox delivery is not running");
            sweep.await;
        }
    }
}

async fn sweep_loop(state: AppState, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match state.sessions.sweep_expired().await {
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
        let now = state.clock.now();
        let result = state
            .db
            .run(move |c| {
                Ok((
                    latchkey_store::access_tokens::delete_expired_before(
                        c,
                        now - TOKEN_RECORDS_KEPT,
                    )?,
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
            Ok((access, refresh, sessions)) => {
                tracing::debug!(
                    access,
                    refresh,
                    sessions,
                    "deleted records of ended tokens and sessions"
                );
            }
            Err(e) => tracing::warn!(error = %e, "deleting records of ended tokens failed"),
        }
    }
}

/// How long records of expired or revoked tokens are kept (for
/// introspection answers and investigation) before the sweep deletes them.
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
