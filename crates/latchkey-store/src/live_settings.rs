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
/// How long a refresh-token family lives from its first token (seconds).
pub const REFRESH_LIFETIME: &str = "runtime.refresh_token_lifetime";
/// The bounds of [`REFRESH_LIFETIME`]: an hour to 90 days.
pub const REFRESH_LIFETIME_MIN: chrono::Duration = chrono::Duration::hours(1);
pub const REFRESH_LIFETIME_MAX: chrono::Duration = chrono::Duration::days(90);
/// Its value until one is stored.
pub const REFRESH_LIFETIME_DEFAULT: chrono::Duration = chrono::Duration::days(30);

/// The values in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Values {
    pub self_signup: bool,
    pub refresh_lifetime: chrono::Duration,
}
/// How long a node trusts the value it read last.
pub const CACHE_FOR: Duration = Duration::from_secs(5);

/// The run-time settings, read through a short cache. Cheap to clone.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    db: Db,
    /// The configured value (used while none is stored).
    self_signup_default: bool,
    cached: Arc<Mutex<Option<(Instant, Values)>>>,
    /// The instance's name, colour, support link and logo.
    brand: crate::branding::LiveBrand,
}

impl LiveSettings {
    pub fn new(db: Db, self_signup_default: bool) -> Self {
        Self {
            brand: crate::branding::LiveBrand::new(db.clone(), Default::default()),
            db,
            self_signup_default,
            cached: Arc::new(Mutex::new(None)),
        }
    }

    /// The same settings with `defaults` as the configured branding.
    pub fn with_brand(mut self, defaults: crate::branding::Brand) -> Self {
        self.brand = crate::branding::LiveBrand::new(self.db.clone(), defaults);
        self
    }

    /// The instance's branding (read through the same kind of cache).
    pub fn brand(&self) -> &crate::branding::LiveBrand {
        &self.brand
    }

    /// Whether self sign-up is open now.
    pub async fn self_signup(&self) -> Result<bool, StoreError> {
        Ok(self.values().await?.self_signup)
    }

    /// How long a new refresh-token family lives.
    pub async fn refresh_lifetime(&self) -> Result<chrono::Duration, StoreError> {
        Ok(self.values().await?.refresh_lifetime)
    }

    /// Every value in force now (through the cache).
    pub async fn values(&self) -> Result<Values, StoreError> {
        if let Some((at, values)) = *self.cached.lock().unwrap_or_else(PoisonError::into_inner)
            && at.elapsed() < CACHE_FOR
        {
            return Ok(values);
        }
        let default = self.self_signup_default;
        let values = self.db.run(move |c| stored(c, default)).await?;
        *self.cached.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), values));
        Ok(values)
    }

    /// The values as stored (or configured), in the caller's transaction.
    pub fn values_in(&self, conn: &mut DbConnection) -> Result<Values, StoreError> {
        stored(conn, self.self_signup_default)
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

/// Stores a refresh-token lifetime (checked by the caller against the
/// bounds), in the caller's transaction.
pub fn set_refresh_lifetime_in(
    conn: &mut DbConnection,
    lifetime: chrono::Duration,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    settings::set(
        conn,
        REFRESH_LIFETIME,
        &lifetime.num_seconds().to_string(),
        now,
    )
}

fn stored(conn: &mut DbConnection, self_signup_default: bool) -> Result<Values, StoreError> {
    let self_signup = match settings::get(conn, SELF_SIGNUP)?.as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => self_signup_default,
    };
    // A stored value outside the bounds (written by hand) is not used.
    let refresh_lifetime = settings::get(conn, REFRESH_LIFETIME)?
        .and_then(|v| v.parse::<i64>().ok())
        .map(chrono::Duration::seconds)
        .filter(|d| (REFRESH_LIFETIME_MIN..=REFRESH_LIFETIME_MAX).contains(d))
        .unwrap_or(REFRESH_LIFETIME_DEFAULT);
    Ok(Values {
        self_signup,
        refresh_lifetime,
    })
}
