//! The engine's metrics count what was stored: requests made, and how each
//! ended, by action, tier and outcome; and time to completion.

use chrono::Duration;
use latchkey_core::AccountTier;
use latchkey_recovery::EngineMetrics;
use prometheus::Registry;

use crate::{SESSION, harness, origin};

fn sample(registry: &Registry, name: &str, labels: &[(&str, &str)]) -> f64 {
    let family = registry
        .gather()
        .into_iter()
        .find(|f| f.name() == name)
        .unwrap_or_else(|| panic!("{name} is not registered"));
    family
        .get_metric()
        .iter()
        .find(|m| {
            labels.iter().all(|(k, v)| {
                m.get_label()
                    .iter()
                    .any(|l| l.name() == *k && l.value() == *v)
            })
        })
        .map(|m| {
            if m.get_histogram().get_sample_count() > 0 {
                m.get_histogram().get_sample_sum()
            } else {
                m.get_counter().get_value()
            }
        })
        .unwrap_or(0.0)
}

#[tokio::test]
async fn requests_are_counted_by_action_tier_and_outcome_with_time_to_completion() {
    let mut h = harness();
    let registry = Registry::new();
    h.engine = h
        .engine
        .clone()
        .with_metrics(EngineMetrics::register(&registry).unwrap());
    let recover = [("action", "recover_account"), ("tier", "standard")];
    let ended = |outcome: &'static str| {
        let mut l = recover.to_vec();
        l.push(("outcome", outcome));
        l
    };

    // Completed after the standard hour.
    let ada = h.account("ada", AccountTier::Standard, &[]);
    let id = h.recover(ada.id).await.request.id;
    h.code(id, &ada.codes[0]).await.unwrap();
    h.advance(Duration::hours(1));
    h.engine.complete(id, SESSION, &origin()).await.unwrap();

    // Locked by five wrong codes (the fifth is refused, and still counted).
    let bob = h.account("bob", AccountTier::Standard, &[]);
    let id = h.recover(bob.id).await.request.id;
    for _ in 0..5 {
        let _ = h.code(id, "AAAAA-BBBBB-CCCCC-DDDDD").await;
    }

    // Expired by the background job, counted once however often it runs.
    let cy = h.account("cy", AccountTier::Standard, &[]);
    h.recover(cy.id).await;
    h.advance(Duration::days(30));
    h.engine.tick(h.clock_now()).await.unwrap();
    h.engine.tick(h.clock_now()).await.unwrap();

    assert_eq!(
        sample(&registry, "guarded_requests_opened_total", &recover),
        3.0
    );
    for (outcome, n) in [
        ("completed", 1.0),
        ("locked", 1.0),
        ("expired", 1.0),
        ("cancelled", 0.0),
    ] {
        assert_eq!(
            sample(&registry, "guarded_requests_ended_total", &ended(outcome)),
            n,
            "{outcome}"
        );
    }
    assert_eq!(
        sample(&registry, "guarded_request_completion_seconds", &recover),
        3600.0
    );
}
