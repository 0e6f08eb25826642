//! The store contract suite: every query of `latchkey-store` against a real
//! database. Each test gets a database of its own from `TestDb` — a temporary
//! SQLite file by default, a fresh PostgreSQL schema when
//! `LATCHKEY_TEST_DATABASE_URL` names a server — so the same suite runs on
//! both backends, in parallel, in any order.
//!
//! Time is never read from the wall clock: every instant is an offset from
//! the fixed instant of `TestClock::fixed()`.

mod attestation_policies;
mod audit;
mod authenticator_metadata;
mod clients;
mod credentials;
mod ended_sessions;
mod ephemeral;
mod guarded_actions;
mod oauth_grants;
mod outbox;
mod pool;
mod schema_parity;
mod settings;
mod signing_keys;
mod users;

use std::ops::DerefMut;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{AccountTier, Clock as _, TestClock};
use latchkey_store::DbConnection;
use latchkey_store::users::{NewUser, User};
use latchkey_testkit::TestDb;

/// The suite's reference instant, 2030-01-01T00:00:00Z.
pub fn t0() -> DateTime<Utc> {
    TestClock::fixed().now()
}

/// `secs` seconds after [`t0`].
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

/// A pooled connection to the test's database, for the sequential tests.
pub fn conn(db: &TestDb) -> impl DerefMut<Target = DbConnection> + use<> {
    db.db
        .get_blocking()
        .unwrap_or_else(|e| panic!("connecting to {}: {e:?}", db.url))
}

/// A standard-tier account named `username`, created at [`t0`].
pub fn new_user(conn: &mut DbConnection, username: &str) -> User {
    latchkey_store::users::create(
        conn,
        &NewUser {
            username: username.to_owned(),
            display_name: format!("{username} (test)"),
            email: None,
            tier: AccountTier::Standard,
        },
        t0(),
    )
    .expect("creating a user")
}
