//! The session store contract suite: browser sessions, single-use values and
//! rate limits against whichever backend the environment names. Each test
//! gets a store of its own from `TestSessions` — Redis under a fresh key
//! prefix when `LATCHKEY_TEST_REDIS_URL` is set, the SQL backend otherwise
//! (a temporary SQLite file, or a fresh PostgreSQL schema when
//! `LATCHKEY_TEST_DATABASE_URL` is set) — so the same tests hold on every
//! backend, in parallel, in any order.
//!
//! Time comes from the injected `TestClock`. Only what Redis does in real
//! time (removing keys whose TTL ran out, rate-limit windows) is waited for
//! with a real sleep.

mod browser_sessions;
mod rate_limits;
mod redis_recovery;
mod values;

use chrono::Duration;
use latchkey_session::{Lifetimes, SessionStore};
use latchkey_testkit::TestSessions;

/// A session unused for this long ends.
pub fn idle() -> Duration {
    Duration::minutes(30)
}

/// A session ends this long after sign-in, however active.
pub fn absolute() -> Duration {
    Duration::hours(2)
}

/// The lifetimes every test's store uses.
pub fn lifetimes() -> Lifetimes {
    Lifetimes {
        idle: idle(),
        absolute: absolute(),
    }
}

/// A fresh store (and its clock) on the backend the environment names.
pub async fn sessions() -> TestSessions {
    TestSessions::new(lifetimes()).await
}

/// Whether the store keeps its entries in Redis (which removes expired keys
/// by itself, in real time) rather than in the SQL database (which needs
/// `sweep_expired`).
pub fn is_redis(store: &SessionStore) -> bool {
    match store.backend_name() {
        "redis" => true,
        "database" => false,
        other => panic!("unknown session store backend {other:?}"),
    }
}

#[tokio::test]
async fn store_answers_ping_when_backend_is_up() {
    let t = sessions().await;
    t.store.ping().await.expect("ping");
}

#[tokio::test]
async fn store_reports_the_configured_lifetimes() {
    let t = sessions().await;
    let l = t.store.lifetimes();
    assert_eq!((l.idle, l.absolute), (idle(), absolute()));
}
