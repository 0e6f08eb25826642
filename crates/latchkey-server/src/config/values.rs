//! Parsing single configuration values; each error names its key.

use chrono::Duration;
use url::Url;

use super::{ConfigError, invalid};

/// Parses `90s`, `30m`, `8h`, `7d` (a whole number and one unit).
pub fn parse_duration(key: &str, text: &str) -> Result<Duration, ConfigError> {
    let text = text.trim();
    let bad = || {
        invalid(
            key,
            format!("{text:?} is not a duration (use e.g. 90s, 30m, 8h or 7d)"),
        )
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (n, unit) = text.split_at(split);
    let n: i64 = n.parse().map_err(|_| bad())?;
    let d = match unit {
        "s" => Duration::try_seconds(n),
        "m" => Duration::try_minutes(n),
        "h" => Duration::try_hours(n),
        "d" => Duration::try_days(n),
        _ => None,
    }
    .ok_or_else(bad)?;
    if d <= Duration::zero() {
        return Err(invalid(key, "must be longer than zero"));
    }
    Ok(d)
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]" || host.ends_with(".localhost")
}

/// The issuer is an https URL (http only for localhost) without query or
/// fragment; a trailing slash is dropped so `iss` compares exactly.
pub(super) fn parse_issuer(key: &str, v: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(v).map_err(|e| invalid(key, format!("{v:?} is not a URL: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_host(&host) => {}
        "http" => {
            return Err(invalid(
                key,
                "must use https (http is allowed only for localhost)",
            ));
        }
        _ => return Err(invalid(key, "must be an https URL")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(key, "must not have a query or fragment"));
    }
    if url.path() != "/" {
        // Every route is served at the root; an issuer path would make `iss`
        // and the endpoint URLs disagree.
        return Err(invalid(
            key,
            "must not have a path (serve Latchkey at the root of its host)",
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid(key, "must not hold credentials"));
    }
    Ok(url)
}

pub(super) fn parse_origin(key: &str, v: &str) -> Result<Url, ConfigError> {
    let url = Url::parse(v).map_err(|e| invalid(key, format!("{v:?} is not an origin: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_owned();
    let secure = url.scheme() == "https" || (url.scheme() == "http" && is_loopback_host(&host));
    if !secure || url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            key,
            format!("{v:?} is not an origin (scheme://host[:port], https unless localhost)"),
        ));
    }
    Ok(url)
}
