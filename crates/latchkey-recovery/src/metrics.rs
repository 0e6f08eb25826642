//! Prometheus metrics of the engine: requests opened and ended by action,
//! tier and outcome, and the time from request to completion. Every label
//! value comes from a fixed set (action kinds, tiers, states).

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

use crate::machine::Request;
use crate::state::State;

/// The engine's metrics, registered on the server's registry.
#[derive(Debug, Clone)]
pub struct EngineMetrics {
    opened: IntCounterVec,
    ended: IntCounterVec,
    completion: HistogramVec,
}

impl EngineMetrics {
    /// Registers the engine's metrics on `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let opened = IntCounterVec::new(
            Opts::new(
                "guarded_requests_opened_total",
                "Guarded-action requests made, by action and account tier.",
            ),
            &["action", "tier"],
        )?;
        let ended = IntCounterVec::new(
            Opts::new(
                "guarded_requests_ended_total",
                "Guarded-action requests that reached a final state, by action, tier and \
                 outcome (completed, cancelled, denied, expired, locked).",
            ),
            &["action", "tier", "outcome"],
        )?;
        let completion = HistogramVec::new(
            HistogramOpts::new(
                "guarded_request_completion_seconds",
                "Time from a guarded-action request to its completion, by action and tier.",
            )
            // From a minute (no delay) to beyond the critical tier's 72 h.
            .buckets(vec![
                60.0,
                600.0,
                3_600.0,
                4.0 * 3_600.0,
                12.0 * 3_600.0,
                86_400.0,
                2.0 * 86_400.0,
                3.0 * 86_400.0,
                4.0 * 86_400.0,
                7.0 * 86_400.0,
                14.0 * 86_400.0,
            ]),
            &["action", "tier"],
        )?;
        registry.register(Box::new(opened.clone()))?;
        registry.register(Box::new(ended.clone()))?;
        registry.register(Box::new(completion.clone()))?;
        Ok(Self {
            opened,
            ended,
            completion,
        })
    }

    pub(crate) fn opened(&self, r: &Request) {
        self.opened
            .with_label_values(&[r.action.kind().as_str(), r.tier.as_str()])
            .inc();
        // A request can be final at once (nothing to wait for is not a
        // state; but keep the count right if a policy ever allows it).
        self.moved(State::Requested, r);
    }

    /// Counts a stored transition from `before` to `after.state`.
    pub(crate) fn moved(&self, before: State, after: &Request) {
        if before.is_final() || !after.state.is_final() {
            return;
        }
        let (action, tier) = (after.action.kind().as_str(), after.tier.as_str());
        self.ended
            .with_label_values(&[action, tier, after.state.as_str()])
            .inc();
        if let (State::Completed, Some(done)) = (after.state, after.completed_at) {
            let seconds = (done - after.created_at).num_milliseconds() as f64 / 1000.0;
            self.completion
                .with_label_values(&[action, tier])
                .observe(seconds.max(0.0));
        }
    }
}
