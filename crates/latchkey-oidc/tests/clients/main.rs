//! Clients, client authentication and refresh-token families against a real
//! database: a temporary SQLite file by default, a fresh PostgreSQL schema
//! when `LATCHKEY_TEST_DATABASE_URL` names a server. Time never comes from
//! the wall clock.

mod authentication;
mod changes;
mod refresh;
mod registration;

use std::ops::DerefMut;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{AccountTier, Clock as _, TestClock, UserId};
use latchkey_store::DbConnection;
use latchkey_store::audit::{AuditChain, AuditEvent};
use latchkey_store::seal::MasterKey;
use latchkey_store::users::NewUser;
use latchkey_testkit::TestDb;

/// The reference instant, 2030-01-01T00:00:00Z.
pub fn t0() -> DateTime<Utc> {
    TestClock::fixed().now()
}

/// `secs` seconds after [`t0`].
pub fn at(secs: i64) -> DateTime<Utc> {
    t0() + Duration::seconds(secs)
}

pub fn conn(db: &TestDb) -> impl DerefMut<Target = DbConnection> + use<> {
    db.db
        .get_blocking()
        .unwrap_or_else(|e| panic!("connecting to {}: {e:?}", db.url))
}

pub fn chain() -> AuditChain {
    AuditChain::new(&MasterKey::from_bytes([0x17; 32]))
}

pub fn new_user(conn: &mut DbConnection, username: &str) -> UserId {
    latchkey_store::users::create(
        conn,
        &NewUser {
            username: username.to_owned(),
            display_name: username.to_owned(),
            email: None,
            tier: AccountTier::Standard,
        },
        t0(),
    )
    .expect("creating a user")
    .user_id()
    .unwrap()
}

/// Every audit event of the given kind, oldest first.
pub fn audit_events(conn: &mut DbConnection, kind: &str) -> Vec<AuditEvent> {
    let mut events: Vec<AuditEvent> = AuditChain::recent(conn, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .collect();
    events.reverse();
    events
}
