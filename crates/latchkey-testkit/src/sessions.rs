//! The session store the environment names, with a fixed clock.

use std::sync::Arc;

use latchkey_core::TestClock;
use latchkey_session::{Lifetimes, SessionStore};

use crate::db::{REDIS_ENV, TestDb};

/// A session store for one test, on its own database or Redis key prefix.
#[derive(Debug)]
pub struct TestSessions {
    pub store: SessionStore,
    pub clock: TestClock,
    /// The SQL database behind the store (unused by the Redis backend, but
    /// kept so tests can also reach the database).
    pub db: TestDb,
}

/// The Redis URL for tests, when the environment names one.
pub fn test_redis_url() -> Option<String> {
    std::env::var(REDIS_ENV).ok().filter(|u| !u.is_empty())
}

impl TestSessions {
    /// Redis when `LATCHKEY_TEST_REDIS_URL` is set (a fresh key prefix per
    /// call, and a panic naming the cause if Redis does not answer), the SQL
    /// backend otherwise.
    pub async fn new(lifetimes: Lifetimes) -> Self {
        let clock = TestClock::fixed();
        let db = tokio::task::spawn_blocking(TestDb::new)
            .await
            .expect("creating the test database");
        let shared: latchkey_core::SharedClock = Arc::new(clock.clone());
        let store = match test_redis_url() {
            Some(url) => {
                let prefix = format!("lktest:{}:", uuid::Uuid::new_v4().simple());
                let store = SessionStore::redis(&url, &prefix, shared, lifetimes)
                    .unwrap_or_else(|e| panic!("{REDIS_ENV} is not a valid Redis URL: {e}"));
                store.ping().await.unwrap_or_else(|e| {
                    panic!("{REDIS_ENV} is set but Redis does not answer: {e:?}")
                });
                store
            }
            None => SessionStore::sql(db.db.clone(), shared, lifetimes),
        };
        Self { store, clock, db }
    }
}
