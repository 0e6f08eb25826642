//! The Redis backend. Every key starts with the configured prefix.
//!
//! Values carry their logical expiry (`<millis>:<bytes>`) so that expiry
//! follows the injected clock exactly as in SQL; the Redis TTL makes them
//! vanish by themselves as well.

use std::sync::Arc;
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};
use latchkey_core::UserId;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{AsyncCommands as _, Script};

use crate::{BrowserSession, RateCount, SessionError};

const PUT_IF_ABSENT: &str = r"
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, ':', 1, true)
  if sep and tonumber(string.sub(cur, 1, sep - 1)) > tonumber(ARGV[3]) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
";

const HIT: &str = r"
local c = redis.call('INCR', KEYS[1])
if c == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {c, redis.call('PTTL', KEYS[1])}
";

#[derive(Clone)]
pub(crate) struct RedisBackend {
    conn: ConnectionManager,
    prefix: Arc<str>,
    put_if_absent: Arc<Script>,
    hit: Arc<Script>,
}

fn ttl_ms(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (until - now).num_milliseconds().max(1)
}

/// `text` as a glob pattern that matches only itself.
pub(crate) fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn corrupt(what: &str) -> SessionError {
    SessionError::Corrupt(format!(
        "a Redis {what} entry is not in the expected format"
    ))
}

impl RedisBackend {
    pub(crate) fn new(url: &str, prefix: &str) -> Result<Self, SessionError> {
        let client = redis::Client::open(url)?;
        // Fail fast while Redis is down (readiness reports it), reconnect by
        // itself when it is back.
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(StdDuration::from_secs(2)))
            .set_response_timeout(Some(StdDuration::from_secs(2)))
            .set_number_of_retries(1)
            .set_max_delay(StdDuration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config)?;
        Ok(Self {
            conn,
            prefix: Arc::from(prefix),
            put_if_absent: Arc::new(Script::new(PUT_IF_ABSENT)),
            hit: Arc::new(Script::new(HIT)),
        })
    }

    fn key(&self, k: &str) -> String {
        format!("{}{k}", self.prefix)
    }

    fn session_key(&self, handle: &str) -> String {
        self.key(&format!("s:{handle}"))
    }

    fn index_key(&self, user: UserId) -> String {
        self.key(&format!("u:{user}"))
    }

    pub(crate) async fn ping(&self) -> Result<(), SessionError> {
        let mut c = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut c).await?;
        Ok(())
    }

    pub(crate) async fn put_session(
        &self,
        s: &BrowserSession,
        now: DateTime<Utc>,
    ) -> Result<(), SessionError> {
        let json = serde_json::to_string(s).map_err(|e| SessionError::Corrupt(e.to_string()))?;
        let ttl = ttl_ms(s.idle_expires_at.min(s.absolute_expires_at), now);
        let index_ttl = ttl_ms(s.absolute_expires_at, now);
        let index = self.index_key(s.user_id);
        let mut c = self.conn.clone();
        redis::pipe()
            .atomic()
            .cmd("SET")
            .arg(self.session_key(&s.handle))
            .arg(json)
            .arg("PX")
            .arg(ttl)
            .ignore()
            .cmd("SADD")
            .arg(&index)
            .arg(&s.handle)
            .ignore()
            .cmd("PEXPIRE")
            .arg(&index)
            .arg(index_ttl)
            .arg("NX")
            .ignore()
            .cmd("PEXPIRE")
            .arg(&index)
            .arg(index_ttl)
            .arg("GT")
            .ignore()
            .query_async::<()>(&mut c)
            .await?;
        Ok(())
    }

    pub(crate) async fn get_session(
        &self,
        handle: &str,
    ) -> Result<Option<BrowserSession>, SessionError> {
        let mut c = self.conn.clone();
        let raw: Option<String> = c.get(self.session_key(handle)).await?;
        raw.map(|r| serde_json::from_str(&r).map_err(|_| corrupt("session")))
            .transpose()
    }

    pub(crate) async fn delete_session(&self, handle: &str) -> Result<bool, SessionError> {
        let Some(s) = self.get_session(handle).await? else {
            return Ok(false);
        };
        let mut c = self.conn.clone();
        let (deleted, _): (i64, i64) = redis::pipe()
            .atomic()
            .del(self.session_key(handle))
            .srem(self.index_key(s.user_id), handle)
            .query_async(&mut c)
            .await?;
        Ok(deleted == 1)
    }

    pub(crate) async fn sessions_of(
        &self,
        user: UserId,
    ) -> Result<Vec<BrowserSession>, SessionError> {
        let mut c = self.conn.clone();
        let handles: Vec<String> = c.smembers(self.index_key(user)).await?;
        if handles.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = handles.iter().map(|h| self.session_key(h)).collect();
        let raws: Vec<Option<String>> = redis::cmd("MGET").arg(&keys).query_async(&mut c).await?;
        let mut out = Vec::new();
        let mut stale = Vec::new();
        for (handle, raw) in handles.into_iter().zip(raws) {
            match raw {
                Some(r) => out.push(serde_json::from_str(&r).map_err(|_| corrupt("session"))?),
                None => stale.push(handle),
            }
        }
        if !stale.is_empty() {
            let _: i64 = c.srem(self.index_key(user), stale).await?;
        }
        Ok(out)
    }

    pub(crate) async fn delete_sessions_of(
        &self,
        user: UserId,
        keep: Option<String>,
    ) -> Result<usize, SessionError> {
        let mut c = self.conn.clone();
        let index = self.index_key(user);
        let handles: Vec<String> = c.smembers(&index).await?;
        let doomed: Vec<String> = handles
            .into_iter()
            .filter(|h| Some(h) != keep.as_ref())
            .collect();
        if doomed.is_empty() {
            return Ok(0);
        }
        let keys: Vec<String> = doomed.iter().map(|h| self.session_key(h)).collect();
        let (deleted, _): (i64, i64) = redis::pipe()
            .atomic()
            .del(&keys)
            .srem(&index, &doomed)
            .query_async(&mut c)
            .await?;
        Ok(usize::try_from(deleted).unwrap_or(0))
    }

    fn encode(value: &[u8], expires_at: DateTime<Utc>) -> Vec<u8> {
        let mut out = format!("{}:", expires_at.timestamp_millis()).into_bytes();
        out.extend_from_slice(value);
        out
    }

    fn decode(raw: &[u8], now: DateTime<Utc>) -> Result<Option<Vec<u8>>, SessionError> {
        let sep = raw
            .iter()
            .position(|b| *b == b':')
            .ok_or_else(|| corrupt("value"))?;
        let millis: i64 = std::str::from_utf8(&raw[..sep])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| corrupt("value"))?;
        let expires_at = DateTime::from_timestamp_millis(millis).ok_or_else(|| corrupt("value"))?;
        Ok((expires_at > now).then(|| raw[sep + 1..].to_vec()))
    }

    /// Sets the value; with `only_if_absent`, only when no live value exists.
    pub(crate) async fn put_value(
        &self,
        k: &str,
        value: &[u8],
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
        only_if_absent: bool,
    ) -> Result<bool, SessionError> {
        let mut c = self.conn.clone();
        let encoded = Self::encode(value, expires_at);
        let ttl = ttl_ms(expires_at, now);
        if only_if_absent {
            let set: i64 = self
                .put_if_absent
                .key(self.key(k))
                .arg(encoded)
                .arg(ttl)
                .arg(now.timestamp_millis())
                .invoke_async(&mut c)
                .await?;
            Ok(set == 1)
        } else {
            let _: () = redis::cmd("SET")
                .arg(self.key(k))
                .arg(encoded)
                .arg("PX")
                .arg(ttl)
                .query_async(&mut c)
                .await?;
            Ok(true)
        }
    }

    /// `GET`, or `GETDEL` when taking: atomic in Redis, so one taker wins.
    pub(crate) async fn get_value(
        &self,
        k: &str,
        now: DateTime<Utc>,
        take: bool,
    ) -> Result<Option<Vec<u8>>, SessionError> {
        let mut c = self.conn.clone();
        let raw: Option<Vec<u8>> = redis::cmd(if take { "GETDEL" } else { "GET" })
            .arg(self.key(k))
            .query_async(&mut c)
            .await?;
        match raw {
            Some(raw) => Self::decode(&raw, now),
            None => Ok(None),
        }
    }

    pub(crate) async fn delete_value(&self, k: &str) -> Result<bool, SessionError> {
        let mut c = self.conn.clone();
        let n: i64 = c.del(self.key(k)).await?;
        Ok(n == 1)
    }

    pub(crate) async fn exists(&self, k: &str) -> Result<bool, SessionError> {
        let mut c = self.conn.clone();
        Ok(c.exists(self.key(k)).await?)
    }

    /// How many keys of this store match `pattern` (after the prefix, glob
    /// syntax), by `SCAN`: it never blocks the server the way `KEYS` does.
    pub(crate) async fn count_keys(&self, pattern: &str) -> Result<u64, SessionError> {
        let mut c = self.conn.clone();
        let full = format!("{}{pattern}", glob_escape(&self.prefix));
        let mut cursor: u64 = 0;
        let mut total: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&full)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut c)
                .await?;
            total += keys.len() as u64;
            if next == 0 {
                return Ok(total);
            }
            cursor = next;
        }
    }

    pub(crate) async fn hit(
        &self,
        k: &str,
        now: DateTime<Utc>,
        window: Duration,
    ) -> Result<RateCount, SessionError> {
        let mut c = self.conn.clone();
        let (count, pttl): (i64, i64) = self
            .hit
            .key(self.key(k))
            .arg(window.num_milliseconds().max(1))
            .invoke_async(&mut c)
            .await?;
        Ok(RateCount {
            count,
            resets_at: now + Duration::milliseconds(pttl.max(0)),
        })
    }
}
