//! A database of its own for every test: a temporary SQLite file by default,
//! or a fresh schema on the PostgreSQL server named by
//! `LATCHKEY_TEST_DATABASE_URL`. A server that is named but not reachable
//! fails the test loudly; nothing is skipped.

use diesel::Connection as _;
use diesel::RunQueryDsl as _;
use diesel::pg::PgConnection;
use latchkey_store::{Backend, DatabaseUrl, Db, PoolOptions};

pub const DATABASE_ENV: &str = "LATCHKEY_TEST_DATABASE_URL";
pub const REDIS_ENV: &str = "LATCHKEY_TEST_REDIS_URL";

/// A migrated database owned by one test, dropped with it.
#[derive(Debug)]
pub struct TestDb {
    pub url: DatabaseUrl,
    /// The URL as text, for handing to the server's configuration.
    pub url_text: String,
    pub db: Db,
    cleanup: Cleanup,
}

#[derive(Debug)]
enum Cleanup {
    Sqlite(#[expect(dead_code, reason = "held for its Drop")] tempfile::TempDir),
    Postgres { admin_url: String, schema: String },
}

/// The backend the environment selects for tests.
pub fn test_backend() -> Backend {
    match std::env::var(DATABASE_ENV) {
        Ok(url) if !url.is_empty() => Backend::Postgres,
        _ => Backend::Sqlite,
    }
}

impl TestDb {
    /// Creates and migrates a fresh database. Panics with the cause if the
    /// configured server cannot be reached.
    pub fn new() -> Self {
        let db = Self::unmigrated();
        db.db
            .migrate_blocking()
            .unwrap_or_else(|e| panic!("migrating {}: {e:?}", db.url));
        db
    }

    /// A fresh, empty database (no migrations applied).
    pub fn unmigrated() -> Self {
        match std::env::var(DATABASE_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => Self::postgres(admin_url),
            _ => Self::sqlite(),
        }
    }

    fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary directory");
        let path = dir.path().join("latchkey-test.db");
        let url_text = format!("sqlite://{}", path.display());
        let url = DatabaseUrl::parse(&url_text).expect("sqlite URL");
        let db = Db::open(&url, &PoolOptions::default());
        Self {
            url,
            url_text,
            db,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    fn postgres(admin_url: String) -> Self {
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url).unwrap_or_else(|e| {
            panic!("{DATABASE_ENV} is set but PostgreSQL cannot be reached: {e}")
        });
        diesel::sql_query(format!("CREATE SCHEMA {schema}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("creating schema {schema}: {e}"));
        let sep = if admin_url.contains('?') { '&' } else { '?' };
        let url_text = format!("{admin_url}{sep}options=-csearch_path%3D{schema}");
        let url = DatabaseUrl::parse(&url_text).expect("postgres URL");
        let db = Db::open(
            &url,
            &PoolOptions {
                max_size: 8,
                ..PoolOptions::default()
            },
        );
        Self {
            url,
            url_text,
            db,
            cleanup: Cleanup::Postgres { admin_url, schema },
        }
    }
}

impl TestDb {
    /// Runs raw SQL against this test's database (to tamper with rows as an
    /// attacker with database access would). Returns the affected row count.
    pub fn execute(&self, sql: &str) -> usize {
        let mut conn = self.db.get_blocking().expect("a test database connection");
        diesel::sql_query(sql)
            .execute(&mut *conn)
            .unwrap_or_else(|e| panic!("executing {sql:?}: {e}"))
    }
}

impl Default for TestDb {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, schema } = &self.cleanup {
            // Best effort: a leftover schema is harmless, a panic in drop is not.
            if let Ok(mut admin) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                    .execute(&mut admin);
            }
        }
    }
}
