use diesel::result::{DatabaseErrorKind, Error as DieselError};

/// What went wrong in the data layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("bad database URL: {0}")]
    BadDatabaseUrl(String),
    #[error("could not connect to the database")]
    Connect(#[source] diesel::ConnectionError),
    #[error("no database connection became available")]
    Pool(#[source] r2d2::Error),
    #[error("a database query failed")]
    Query(#[source] DieselError),
    #[error("database migrations failed")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("{0} was not found")]
    NotFound(&'static str),
    #[error("{0} already exists")]
    Conflict(&'static str),
    #[error("stored data is not valid: {0}")]
    Corrupt(String),
    #[error("sealing or opening a secret failed")]
    Crypto,
    #[error("a database task stopped before it finished")]
    Task(#[source] tokio::task::JoinError),
}

impl From<DieselError> for StoreError {
    fn from(e: DieselError) -> Self {
        match e {
            DieselError::NotFound => Self::NotFound("the record"),
            e => Self::Query(e),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        Self::Pool(e)
    }
}

impl StoreError {
    /// Whether this is a unique-constraint violation (a concurrent insert won).
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self,
            Self::Query(DieselError::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _
            ))
        )
    }

    /// Maps a unique violation to [`StoreError::Conflict`] naming `what`.
    pub fn conflict_as(self, what: &'static str) -> Self {
        if self.is_unique_violation() {
            Self::Conflict(what)
        } else {
            self
        }
    }
}
