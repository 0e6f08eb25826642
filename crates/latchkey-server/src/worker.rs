//! Background jobs of every node. Each is safe with several nodes running.

use std::time::Duration;

use latchkey_web::AppState;

const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Runs until the task is aborted at shutdown.
pub async fn run(state: AppState) {
    let mut tick = tokio::time::interval(SWEEP_EVERY);
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
    }
}
