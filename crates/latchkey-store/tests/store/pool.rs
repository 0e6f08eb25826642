//! The pool's health checks on PostgreSQL: a connection the server closed
//! is handed out for at most `ALIVE_BYPASS` after its last answer, then
//! tested and replaced.

use diesel::prelude::*;
use diesel::sql_types::Integer;
use latchkey_store::Backend;
use latchkey_store::connection::ALIVE_BYPASS;
use latchkey_testkit::TestDb;

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

fn backend_pid(db: &TestDb) -> QueryResult<i32> {
    let mut conn = db.db.get_blocking().expect("a connection from the pool");
    diesel::sql_query("SELECT pg_backend_pid() AS pid")
        .get_result::<Pid>(&mut *conn)
        .map(|p| p.pid)
}

#[test]
fn a_connection_the_server_closed_is_tested_and_replaced_after_the_bypass_window() {
    let db = TestDb::new();
    if db.db.backend() != Backend::Postgres {
        eprintln!(
            "note: LATCHKEY_TEST_DATABASE_URL is not set; SQLite connections are never tested"
        );
        return;
    }
    let first = backend_pid(&db).unwrap();
    // The server ends that connection, as a restart or a failover would.
    let mut admin = PgConnection::establish(&db.url_text).unwrap();
    diesel::sql_query(format!("SELECT pg_terminate_backend({first})"))
        .execute(&mut admin)
        .unwrap();
    std::thread::sleep(ALIVE_BYPASS + std::time::Duration::from_millis(200));
    // Idle past the window: tested at check-out, found dead, replaced.
    let second = backend_pid(&db).expect("a live connection replaces the dead one");
    assert_ne!(second, first);
    // Within the window a connection is handed out untested: ended by the
    // server right after it answered, its next use fails (which is what the
    // window trades for a round trip less per check-out) ...
    diesel::sql_query(format!("SELECT pg_terminate_backend({second})"))
        .execute(&mut admin)
        .unwrap();
    assert!(backend_pid(&db).is_err(), "checked out without a test");
    // ... until the window has passed.
    std::thread::sleep(ALIVE_BYPASS + std::time::Duration::from_millis(200));
    let third = backend_pid(&db).expect("replaced after the window");
    assert_ne!(third, second);
}
