//! Instance settings an administrator changes at run time from the console,
//! stored in `instance_settings` under `runtime.*` keys. The configuration
//! gives the value until the console first sets one; from then on the
//! stored value wins (the configuration's is the default, not an override).
//! Every node reads the stored value, cached for [`CACHE_FOR`]; the node
//! that makes a change forgets its cache at once, the others within
//! [`CACHE_FOR`].

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::{Db, DbConnection, StoreError, settings};

/// Whether anyone may create an account without an invitation.
pub const SELF_SIGNUP: &str = "runtime.self_signup";
/// How long a node trusts the value it read last.
pub const CACHE_FOR: Duration = Duration::from_secs(5);

/// The run-time settings, read through a short cache. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    db: Db,
    /// The configured value (used while none is stored).
    self_signup_default: bool,
    cached: Arc<Mutex<Option<(Instant, bool)>>>,
}

impl LiveSettings {
    pub fn new(db: Db, self_signup_default: bool) -> Self {
        Self {
            db,
            self_signup_default,
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// Whether self sign-up is open now.
    pub async fn self_signup(&self) -> Result<bool, StoreError> {
        if let Some((at, value)) = *self.cached.lock().unwrap_or_else(PoisonError::into_inner)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(value);
        }
        let default = self.self_signup_default;
        let value = self.db.run(move |c| stored_self_signup(c, default)).await?;
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = Some((Instant::now(), value));
        Ok(value)
    }

    /// The value as stored (or the configured one), in the caller's
    /// transaction.
    pub fn self_signup_in(&self, conn: &mut DbConnection) -> Result<bool, StoreError> {
        stored_self_signup(conn, self.self_signup_default)
    }

    /// Stores a new value in the caller's transaction; call [`Self::forget`]
    /// once it committed.
    pub fn set_self_signup_in(
        conn: &mut DbConnection,
        open: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        settings::set(conn, SELF_SIGNUP, if open { "true" } else { "false" }, now)
    }

    /// Drops this node's cached values.
    pub fn forget(&self) {
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

fn stored_self_signup(conn: &mut DbConnection, default: bool) -> Result<bool, StoreError> {
    Ok(match settings::get(conn, SELF_SIGNUP)?.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => default,
    })
}
