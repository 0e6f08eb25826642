//! The pool and the way async code reaches it: every query runs on tokio's
//! blocking pool, never on the async executor.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::connection::{AnsiTransactionManager, TransactionManager as _};
use diesel::migration::MigrationSource as _;
use diesel::prelude::*;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness as _, embed_migrations};

use crate::StoreError;
use crate::connection::{Backend, ConnectionManager, DatabaseUrl, DbConnection};

pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// Options of the connection pool.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_size: u32,
    pub connection_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_size: 10,
            connection_timeout: Duration::from_secs(5),
        }
    }
}

/// A connection checked out of the pool; handed back when dropped.
#[derive(Debug)]
pub struct PooledDb(r2d2::PooledConnection<ConnectionManager>);

impl std::ops::Deref for PooledDb {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.0
    }
}

impl std::ops::DerefMut for PooledDb {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.0
    }
}

/// A pooled database. Cheap to clone.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
    description: String,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("database", &self.description)
            .finish()
    }
}

impl Db {
    /// Builds the pool without connecting; the first query connects. Use
    /// [`Db::ping`] to fail early with the cause.
    pub fn open(url: &DatabaseUrl, options: &PoolOptions) -> Self {
        let pool = r2d2::Pool::builder()
            .max_size(options.max_size)
            .min_idle(Some(0))
            .connection_timeout(options.connection_timeout)
            // A PostgreSQL connection may die with the server (a restart, a
            // failover) and nothing else would notice: one that has been
            // idle is tested with a round trip before use (one handed back
            // within `ALIVE_BYPASS` is not, see `ConnectionManager`). A
            // SQLite connection is a file handle that does not go away:
            // testing it is pure cost.
            .test_on_check_out(url.backend() == Backend::Postgres)
            .build_unchecked(ConnectionManager::new(url.clone()));
        Self {
            pool,
            backend: url.backend(),
            description: url.to_string(),
        }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Connects once, outside the pool, so the caller sees the real cause
    /// (wrong password, missing database) rather than a pool timeout.
    pub fn check_blocking(url: &DatabaseUrl) -> Result<(), StoreError> {
        url.connect().map(drop).map_err(StoreError::Connect)
    }

    /// A pooled connection for blocking code (the CLI, the blocking pool).
    pub fn get_blocking(&self) -> Result<PooledDb, StoreError> {
        Ok(PooledDb(self.pool.get()?))
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<F, T>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
        .await
        .map_err(StoreError::Task)?
    }

    /// Waits until no connection is being opened, so the process can exit:
    /// the pool opens connections on its own threads, and a TLS handshake
    /// still running there while the process exits crashes inside OpenSSL,
    /// whose clean-up runs at exit. Taking every connection the pool may
    /// hold guarantees none is pending; they are handed back at once. False
    /// if that did not happen `within` (the database is unreachable).
    /// Call it after everything that queries has stopped.
    pub async fn quiesce(&self, within: std::time::Duration) -> bool {
        let pool = self.pool.clone();
        tokio::task::spawn_blocking(move || {
            let deadline = std::time::Instant::now() + within;
            let mut held = Vec::with_capacity(pool.max_size() as usize);
            for _ in 0..pool.max_size() {
                let left = deadline.saturating_duration_since(std::time::Instant::now());
                match pool.get_timeout(left) {
                    Ok(conn) => held.push(conn),
                    Err(_) => return false,
                }
            }
            true
        })
        .await
        .unwrap_or(false)
    }

    /// Whether the database answers a trivial query now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }

    /// Applies pending migrations; returns the versions of those applied.
    pub fn migrate_blocking(&self) -> Result<Vec<String>, StoreError> {
        let mut conn = self.get_blocking()?;
        run_migrations(&mut conn)
    }
}

/// Applies the pending migrations of the connection's backend. On PostgreSQL
/// an advisory lock keeps several nodes starting at once from racing.
pub fn run_migrations(conn: &mut DbConnection) -> Result<Vec<String>, StoreError> {
    const MIGRATION_LOCK: i64 = 0x4c61_7463_686b_6579; // "Latchkey"
    let applied = match conn {
        DbConnection::Pg(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})")).execute(c)?;
            let result = c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.iter().map(ToString::to_string).collect::<Vec<_>>());
            diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK})")).execute(c)?;
            result
        }
        DbConnection::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
    };
    applied.map_err(StoreError::Migration)
}

/// The names of the embedded migrations of a backend, in order.
pub fn migration_names(backend: Backend) -> Result<Vec<String>, StoreError> {
    let migrations = match backend {
        Backend::Postgres => {
            diesel::migration::MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
        }
        Backend::Sqlite => SQLITE_MIGRATIONS.migrations(),
    }
    .map_err(StoreError::Migration)?;
    Ok(migrations.iter().map(|m| m.name().to_string()).collect())
}

/// Runs `f` in a transaction that holds the write lock from its first
/// statement. On SQLite a deferred transaction that reads and then writes can
/// fail with SQLITE_BUSY when another writer got in between; `BEGIN IMMEDIATE`
/// takes the lock up front and lets `busy_timeout` do the waiting. On
/// PostgreSQL it is an ordinary transaction; callers lock rows they read with
/// `SELECT … FOR UPDATE` where it matters.
pub fn write_transaction<T, F>(conn: &mut DbConnection, f: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError>,
{
    let nested = match conn {
        DbConnection::Pg(_) => true,
        DbConnection::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c)
            .transaction_depth()?
            .is_some(),
    };
    if nested {
        // PostgreSQL, or already inside a transaction: a plain (nested) one.
        return conn.transaction(f);
    }
    // In the process's queue of writers first (see `writer`), then SQLite's.
    let _pass = crate::writer::enter();
    if let DbConnection::Sqlite(c) = conn {
        AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
    }
    let result = f(conn);
    if let DbConnection::Sqlite(c) = conn {
        match &result {
            Ok(_) => AnsiTransactionManager::commit_transaction(c)?,
            Err(_) => AnsiTransactionManager::rollback_transaction(c)?,
        }
    }
    result
}

/// Runs `f`, whose statements write outside a transaction, as the process's
/// only SQLite writer (see `writer`): a lone `INSERT` or `UPDATE` that found
/// the write lock taken would otherwise sleep in SQLite's busy handler. On
/// PostgreSQL, or inside a transaction (which holds the gate already), it
/// is `f` alone.
pub fn write<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    StoreError: From<E>,
{
    let _pass = matches!(conn, DbConnection::Sqlite(_)).then(crate::writer::enter);
    Ok(f(conn)?)
}

/// Timestamps are stored as UTC without zone, truncated to microseconds.
pub fn to_db(t: DateTime<Utc>) -> NaiveDateTime {
    use chrono::SubsecRound as _;
    t.naive_utc().trunc_subsecs(6)
}

pub fn from_db(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}
