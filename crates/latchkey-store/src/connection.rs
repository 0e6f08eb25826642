//! One connection type over PostgreSQL and SQLite, chosen by URL scheme.

use std::fmt;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection as _;
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection as _;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection as _, ConnectionError};

use crate::StoreError;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

impl fmt::Debug for DbConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Pg(_) => "DbConnection::Pg",
            Self::Sqlite(_) => "DbConnection::Sqlite",
        })
    }
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

/// A parsed database location. The URL itself may hold a password, so it is
/// never printed: `Display` shows the backend and, for SQLite, the file.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    /// A file path, or `:memory:`.
    Sqlite(String),
}

impl DatabaseUrl {
    /// `postgres://…` / `postgresql://…` for PostgreSQL; `sqlite://PATH`,
    /// `sqlite:PATH` for SQLite. Anything else is refused with the reason.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(StoreError::BadDatabaseUrl(
                    "a sqlite URL needs a file path, as in sqlite://data/latchkey.db".into(),
                ));
            }
            return Ok(Self::Sqlite(path.to_owned()));
        }
        Err(StoreError::BadDatabaseUrl(
            "the database URL must start with postgres://, postgresql:// or sqlite://".into(),
        ))
    }

    pub fn sqlite_file(path: impl Into<PathBuf>) -> Self {
        Self::Sqlite(path.into().to_string_lossy().into_owned())
    }

    pub fn backend(&self) -> Backend {
        match self {
            Self::Postgres(_) => Backend::Postgres,
            Self::Sqlite(_) => Backend::Sqlite,
        }
    }

    pub fn connect(&self) -> Result<DbConnection, ConnectionError> {
        match self {
            Self::Postgres(url) => PgConnection::establish(url).map(DbConnection::Pg),
            Self::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(path)?;
                // Foreign keys are off by default in SQLite; WAL lets readers run
                // beside the single writer; writers wait instead of failing.
                conn.batch_execute(
                    "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; \
                     PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL;",
                )
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(u) => write!(
                    f,
                    "PostgreSQL at {}:{}{}",
                    u.host_str().unwrap_or("localhost"),
                    u.port().unwrap_or(5432),
                    u.path()
                ),
                Err(_) => f.write_str("PostgreSQL"),
            },
            Self::Sqlite(path) => write!(f, "SQLite file {path}"),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// r2d2 manager that connects to the backend the URL names and says why a
/// connection failed (the derived `establish` swallows the cause).
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }
}

/// A connection of the pool, with when it last answered a test.
#[derive(Debug)]
pub struct PoolConnection {
    conn: DbConnection,
    validated_at: Instant,
}

impl std::ops::Deref for PoolConnection {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for PoolConnection {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.conn
    }
}

/// A connection that answered a test (or was opened) this recently is
/// checked out without another: under load every check-out would otherwise
/// pay PostgreSQL a round trip. One whose last test is older is tested
/// first, and a dead one (a server restart, a failover, a proxy's idle
/// timeout) is replaced — so a connection the server closed is handed out
/// for at most this long. HikariCP's `aliveBypassWindowMs` is the same idea.
pub const ALIVE_BYPASS: Duration = Duration::from_millis(500);

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = PoolConnection;
    type Error = ConnectionError;

    fn connect(&self) -> Result<PoolConnection, ConnectionError> {
        self.url.connect().map(|conn| PoolConnection {
            conn,
            validated_at: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut PoolConnection) -> Result<(), ConnectionError> {
        if conn.validated_at.elapsed() < ALIVE_BYPASS {
            return Ok(());
        }
        conn.conn
            .ping()
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
        conn.validated_at = Instant::now();
        Ok(())
    }

    fn has_broken(&self, conn: &mut PoolConnection) -> bool {
        conn.conn.is_broken()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_scheme_chooses_the_backend() {
        assert_eq!(
            DatabaseUrl::parse("postgres://u:p@h/db").unwrap().backend(),
            Backend::Postgres
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://data/x.db").unwrap(),
            DatabaseUrl::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:x.db").unwrap(),
            DatabaseUrl::Sqlite("x.db".into())
        );
        assert!(DatabaseUrl::parse("mysql://h/db").is_err());
        assert!(DatabaseUrl::parse("sqlite://").is_err());
    }

    #[test]
    fn display_never_shows_the_password() {
        let url = DatabaseUrl::parse("postgres://user:s3cret@db.example:6543/latchkey").unwrap();
        let shown = format!("{url} {url:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("db.example:6543/latchkey"));
    }
}
