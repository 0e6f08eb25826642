//! A database of its own for every test: a temporary SQLite file by default,
//! or a fresh schema on the PostgreSQL server named by
//! `LATCHKEY_TEST_DATABASE_URL`. A server that is named but not reachable
//! fails the test loudly; nothing is skipped.

use std::collections::BTreeMap;

use diesel::Connection as _;
use diesel::RunQueryDsl as _;
use diesel::pg::PgConnection;
use latchkey_store::{Backend, DatabaseUrl, Db, DbConnection, PoolOptions, StoreError};

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
        let admin_url = without_tls_unless_asked(admin_url);
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

/// The test server's URL with `sslmode=disable` unless it names a mode:
/// libpq's default (`prefer`) would wrap every test connection to the local
/// server in TLS, and a pool thread still in a TLS handshake when the test
/// process exits races OpenSSL's exit-time clean-up (a crash after every
/// test passed). The server itself shuts its pools down before exiting.
fn without_tls_unless_asked(url: String) -> String {
    if url.contains("sslmode=") {
        return url;
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}sslmode=disable")
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

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The tables of the connection's schema, as the database lists them
/// (`sqlite_master`, `information_schema`), without the migrations' own.
fn table_names(conn: &mut DbConnection) -> Result<Vec<String>, diesel::result::Error> {
    let rows: Vec<TableName> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_\\_diesel%' ESCAPE '\\'",
        )
        .load(c)?,
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name NOT LIKE '\\_\\_diesel%'",
        )
        .load(c)?,
    };
    Ok(rows.into_iter().map(|r| r.name).collect())
}

impl TestDb {
    /// Every table of the schema (the migrations' bookkeeping excepted) with
    /// its number of rows: a snapshot to compare before and after a request.
    pub async fn row_counts(&self) -> BTreeMap<String, i64> {
        self.db
            .run(|conn| {
                let mut counts = BTreeMap::new();
                for table in table_names(conn).map_err(StoreError::from)? {
                    let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
                    let row: RowCount = match conn {
                        DbConnection::Sqlite(c) => diesel::sql_query(sql).get_result(c),
                        DbConnection::Pg(c) => diesel::sql_query(sql).get_result(c),
                    }
                    .map_err(StoreError::from)?;
                    counts.insert(table, row.n);
                }
                Ok(counts)
            })
            .await
            .expect("counting the rows of every table")
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
