#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod data;
mod limits;
mod redis_backend;
mod sql_backend;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::{HashedToken, PlainToken, SharedClock, TokenKind, UserId};
use latchkey_store::Db;
use serde::{Deserialize, Serialize};

pub use data::{STEP_UP_WINDOW, SessionData, new_sid};
pub use latchkey_store::ephemeral::Swept;
pub use limits::{Exceeded, Limit};

/// What went wrong in the session store.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("the SQL session store failed")]
    Sql(#[from] latchkey_store::StoreError),
    #[error("the Redis session store failed")]
    Redis(#[from] redis::RedisError),
    #[error("a stored session entry is not valid: {0}")]
    Corrupt(String),
}

/// How far a use must move a session's idle expiry for it to be stored: a
/// browser making many requests a minute writes its session once a minute,
/// not at every request. The idle lifetime is counted from the last use to
/// within this much (a session can end up to a minute before a full idle
/// lifetime since its very last request).
pub const TOUCH_EVERY: Duration = Duration::seconds(60);

/// Session lifetimes.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute: Duration,
}

impl Default for Lifetimes {
    fn default() -> Self {
        Self {
            idle: Duration::hours(8),
            absolute: Duration::hours(24),
        }
    }
}

/// A signed-in browser. `data` holds what the web layer needs (acr, amr,
/// auth_time, CSRF secret); never the token itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrowserSession {
    /// Hex of the SHA-256 of the token: a handle that can be shown and used to
    /// revoke one session without revealing the token.
    pub handle: String,
    pub user_id: UserId,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub idle_expires_at: DateTime<Utc>,
    pub absolute_expires_at: DateTime<Utc>,
}

impl BrowserSession {
    fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.idle_expires_at > now && self.absolute_expires_at > now
    }
}

/// The state of a rate-limit window after one more hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateCount {
    pub count: i64,
    pub resets_at: DateTime<Utc>,
}

#[derive(Clone)]
enum Backend {
    Sql(Db),
    Redis(redis_backend::RedisBackend),
}

/// The session store. Cheap to clone.
#[derive(Clone)]
pub struct SessionStore {
    backend: Backend,
    clock: SharedClock,
    lifetimes: Lifetimes,
}

impl std::fmt::Debug for SessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionStore")
            .field("backend", &self.backend_name())
            .field("lifetimes", &self.lifetimes)
            .finish()
    }
}

fn value_key(namespace: &str, key: &str) -> String {
    format!("v:{namespace}:{key}")
}

impl SessionStore {
    /// Sessions in the SQL database (the embedded default).
    pub fn sql(db: Db, clock: SharedClock, lifetimes: Lifetimes) -> Self {
        Self {
            backend: Backend::Sql(db),
            clock,
            lifetimes,
        }
    }

    /// Sessions in Redis. Every key starts with `prefix` (e.g. `latchkey:`).
    /// Does not connect yet; the connection is made (and remade after an
    /// outage) on use, so start-up does not depend on Redis being up.
    pub fn redis(
        url: &str,
        prefix: &str,
        clock: SharedClock,
        lifetimes: Lifetimes,
    ) -> Result<Self, SessionError> {
        Ok(Self {
            backend: Backend::Redis(redis_backend::RedisBackend::new(url, prefix)?),
            clock,
            lifetimes,
        })
    }

    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sql(_) => "database",
            Backend::Redis(_) => "redis",
        }
    }

    pub fn lifetimes(&self) -> Lifetimes {
        self.lifetimes
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Whether the backend answers now.
    pub async fn ping(&self) -> Result<(), SessionError> {
        match &self.backend {
            Backend::Sql(db) => Ok(db.ping().await?),
            Backend::Redis(r) => r.ping().await,
        }
    }

    // ---- browser sessions -------------------------------------------------

    /// Starts a session for `user`; returns the token for the cookie (a new
    /// id at every sign-in) and the session.
    pub async fn create_session(
        &self,
        user: UserId,
        data: serde_json::Value,
    ) -> Result<(PlainToken, BrowserSession), SessionError> {
        let token = PlainToken::generate(TokenKind::Session);
        let now = self.now();
        let session = BrowserSession {
            handle: token.hashed().to_hex(),
            user_id: user,
            data,
            created_at: now,
            last_seen_at: now,
            idle_expires_at: (now + self.lifetimes.idle).min(now + self.lifetimes.absolute),
            absolute_expires_at: now + self.lifetimes.absolute,
        };
        match &self.backend {
            Backend::Sql(db) => sql_backend::create_session(db, &token.hashed(), &session).await?,
            Backend::Redis(r) => r.put_session(&session, now).await?,
        }
        Ok((token, session))
    }

    /// The live session for a presented token, with its idle expiry extended.
    pub async fn load_session(
        &self,
        token: &PlainToken,
    ) -> Result<Option<BrowserSession>, SessionError> {
        if token.kind() != TokenKind::Session {
            return Ok(None);
        }
        let handle = token.hashed().to_hex();
        self.load_by_handle(&handle).await
    }

    async fn load_by_handle(&self, handle: &str) -> Result<Option<BrowserSession>, SessionError> {
        let now = self.now();
        let found = match &self.backend {
            Backend::Sql(db) => sql_backend::live_session(db, handle, now).await?,
            Backend::Redis(r) => r.get_session(handle).await?,
        };
        let Some(mut session) = found.filter(|s| s.is_live(now)) else {
            return Ok(None);
        };
        let idle_expires_at = (now + self.lifetimes.idle).min(session.absolute_expires_at);
        if idle_expires_at - session.idle_expires_at < TOUCH_EVERY {
            // Used within the last minute: stored as it is.
            return Ok(Some(session));
        }
        session.last_seen_at = now;
        session.idle_expires_at = idle_expires_at;
        match &self.backend {
            Backend::Sql(db) => sql_backend::touch_session(db, &session).await?,
            Backend::Redis(r) => r.put_session(&session, now).await?,
        }
        Ok(Some(session))
    }

    /// Replaces the session's data (e.g. after a step-up ceremony).
    pub async fn update_session_data(
        &self,
        token: &PlainToken,
        data: serde_json::Value,
    ) -> Result<bool, SessionError> {
        let now = self.now();
        let handle = token.hashed().to_hex();
        match &self.backend {
            Backend::Sql(db) => sql_backend::set_session_data(db, &handle, &data, now).await,
            Backend::Redis(r) => match r.get_session(&handle).await?.filter(|s| s.is_live(now)) {
                Some(mut s) => {
                    s.data = data;
                    r.put_session(&s, now).await?;
                    Ok(true)
                }
                None => Ok(false),
            },
        }
    }

    /// Ends one session by token (sign-out).
    pub async fn revoke_session(&self, token: &PlainToken) -> Result<bool, SessionError> {
        self.revoke_by_handle(&token.hashed().to_hex()).await
    }

    /// Ends one session by handle (from the account page's list).
    pub async fn revoke_by_handle(&self, handle: &str) -> Result<bool, SessionError> {
        match &self.backend {
            Backend::Sql(db) => sql_backend::delete_session(db, handle).await,
            Backend::Redis(r) => r.delete_session(handle).await,
        }
    }

    /// The user's live sessions, oldest first.
    pub async fn list_user_sessions(
        &self,
        user: UserId,
    ) -> Result<Vec<BrowserSession>, SessionError> {
        let now = self.now();
        let mut sessions = match &self.backend {
            Backend::Sql(db) => sql_backend::sessions_of(db, user, now).await?,
            Backend::Redis(r) => r.sessions_of(user).await?,
        };
        sessions.retain(|s| s.is_live(now));
        sessions.sort_by_key(|s| s.created_at);
        Ok(sessions)
    }

    /// Ends every session of the user except `keep` ("sign out everywhere
    /// else"); returns how many ended.
    pub async fn revoke_user_sessions(
        &self,
        user: UserId,
        keep: Option<&PlainToken>,
    ) -> Result<usize, SessionError> {
        let keep = keep.map(|t| t.hashed());
        match &self.backend {
            Backend::Sql(db) => sql_backend::delete_sessions_of(db, user, keep).await,
            Backend::Redis(r) => r.delete_sessions_of(user, keep.map(|k| k.to_hex())).await,
        }
    }

    // ---- single-use values ------------------------------------------------

    /// Stores `value` under `namespace`/`key` for `ttl`, replacing any earlier one.
    pub async fn put(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<(), SessionError> {
        let now = self.now();
        let k = value_key(namespace, key);
        match &self.backend {
            Backend::Sql(db) => sql_backend::put(db, k, value.to_vec(), now + ttl).await,
            Backend::Redis(r) => r
                .put_value(&k, value, now + ttl, now, false)
                .await
                .map(drop),
        }
    }

    /// Stores `value` only if no live value exists under the key.
    pub async fn put_if_absent(
        &self,
        namespace: &str,
        key: &str,
        value: &[u8],
        ttl: Duration,
    ) -> Result<bool, SessionError> {
        let now = self.now();
        let k = value_key(namespace, key);
        match &self.backend {
            Backend::Sql(db) => {
                sql_backend::put_if_absent(db, k, value.to_vec(), now, now + ttl).await
            }
            Backend::Redis(r) => r.put_value(&k, value, now + ttl, now, true).await,
        }
    }

    /// Reads without consuming.
    pub async fn get(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        let now = self.now();
        let k = value_key(namespace, key);
        match &self.backend {
            Backend::Sql(db) => sql_backend::get(db, k, now).await,
            Backend::Redis(r) => r.get_value(&k, now, false).await,
        }
    }

    /// Removes and returns the value; of concurrent takers exactly one wins.
    pub async fn take(&self, namespace: &str, key: &str) -> Result<Option<Vec<u8>>, SessionError> {
        let now = self.now();
        let k = value_key(namespace, key);
        match &self.backend {
            Backend::Sql(db) => sql_backend::take(db, k, now).await,
            Backend::Redis(r) => r.get_value(&k, now, true).await,
        }
    }

    pub async fn delete(&self, namespace: &str, key: &str) -> Result<bool, SessionError> {
        let k = value_key(namespace, key);
        match &self.backend {
            Backend::Sql(db) => sql_backend::delete(db, k).await,
            Backend::Redis(r) => r.delete_value(&k).await,
        }
    }

    /// `put` for any serialisable value.
    pub async fn put_json<T: Serialize>(
        &self,
        namespace: &str,
        key: &str,
        value: &T,
        ttl: Duration,
    ) -> Result<(), SessionError> {
        let bytes = serde_json::to_vec(value).map_err(|e| SessionError::Corrupt(e.to_string()))?;
        self.put(namespace, key, &bytes, ttl).await
    }

    /// `take` for any deserialisable value.
    pub async fn take_json<T: for<'de> Deserialize<'de>>(
        &self,
        namespace: &str,
        key: &str,
    ) -> Result<Option<T>, SessionError> {
        match self.take(namespace, key).await? {
            Some(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| SessionError::Corrupt(e.to_string())),
            None => Ok(None),
        }
    }

    // ---- rate limits --------------------------------------------------------

    /// Counts one hit against `key` in a fixed window of length `window`.
    pub async fn hit(&self, key: &str, window: Duration) -> Result<RateCount, SessionError> {
        let now = self.now();
        let k = format!("rl:{key}");
        match &self.backend {
            Backend::Sql(db) => sql_backend::hit(db, k, now, now + window).await,
            Backend::Redis(r) => r.hit(&k, now, window).await,
        }
    }

    /// Removes expired entries. Redis expires keys by itself; this is the
    /// SQL backend's sweep, run periodically by the worker.
    pub async fn sweep_expired(&self) -> Result<Swept, SessionError> {
        let now = self.now();
        match &self.backend {
            Backend::Sql(db) => sql_backend::sweep(db, now).await,
            Backend::Redis(_) => Ok(Swept::default()),
        }
    }

    /// Whether the raw entry for a value is still physically stored (expired
    /// or not). For tests of expiry and sweeping.
    pub async fn value_is_stored(&self, namespace: &str, key: &str) -> Result<bool, SessionError> {
        let k = value_key(namespace, key);
        match &self.backend {
            Backend::Sql(db) => sql_backend::is_stored(db, k).await,
            Backend::Redis(r) => r.exists(&k).await,
        }
    }

    /// How many entries the store holds, live or expired (until swept or,
    /// on Redis, until their TTL runs out). For tests that check what a
    /// request leaves behind, and for measurements; each call walks the
    /// keyspace on Redis (`SCAN`), so it is not for request paths.
    pub async fn count_entries(&self) -> Result<Entries, SessionError> {
        match &self.backend {
            Backend::Sql(db) => {
                let n = db.run(latchkey_store::ephemeral::count_stored).await?;
                Ok(Entries {
                    sessions: n.sessions,
                    values: n.values,
                    counters: n.counters,
                })
            }
            Backend::Redis(r) => Ok(Entries {
                sessions: r.count_keys("s:*").await?,
                values: r.count_keys("v:*").await?,
                counters: r.count_keys("rl:*").await?,
            }),
        }
    }

    /// How many values are stored under `namespace` (see [`Self::count_entries`]).
    pub async fn count_values(&self, namespace: &str) -> Result<u64, SessionError> {
        let prefix = value_key(namespace, "");
        match &self.backend {
            Backend::Sql(db) => Ok(db
                .run(move |c| latchkey_store::ephemeral::count_values_with_prefix(c, &prefix))
                .await?),
            Backend::Redis(r) => {
                r.count_keys(&format!("{}*", redis_backend::glob_escape(&prefix)))
                    .await
            }
        }
    }
}

/// What the store holds: browser sessions, single-use values, rate-limit
/// counters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Entries {
    pub sessions: u64,
    pub values: u64,
    pub counters: u64,
}

#[doc(hidden)]
pub fn handle_of(token: &PlainToken) -> String {
    HashedToken::of(token.expose()).to_hex()
}
