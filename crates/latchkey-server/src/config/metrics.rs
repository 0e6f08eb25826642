//! Who may read `/metrics`: the operator's choice of a bearer token, a
//! listen address of its own, or open (the zero-configuration default, for
//! the Quick start on localhost).

use std::collections::BTreeMap;
use std::net::SocketAddr;

use latchkey_core::Secret;
use serde::Deserialize;

use super::{ConfigError, invalid};

/// The `[metrics]` table of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct MetricsFile {
    token: Option<String>,
    listen: Option<String>,
}

/// How `/metrics` is served.
#[derive(Debug, Clone, Default)]
pub struct MetricsConfig {
    /// `metrics.token` / `LATCHKEY_METRICS_TOKEN`: scrapers must send
    /// `Authorization: Bearer <token>`.
    pub token: Option<Secret<String>>,
    /// `metrics.listen` / `LATCHKEY_METRICS_LISTEN`: `/metrics` is served
    /// only on this address, not on the public one.
    pub listen: Option<SocketAddr>,
}

impl MetricsConfig {
    /// Whether anyone who reaches the public address can read the metrics.
    pub fn is_open(&self) -> bool {
        self.token.is_none() && self.listen.is_none()
    }
}

/// The shortest token accepted: 32 characters (e.g. 16 random bytes in hex).
const MIN_TOKEN_LEN: usize = 32;

pub(super) fn resolve(
    env: &BTreeMap<String, String>,
    file: Option<MetricsFile>,
    main_listen: SocketAddr,
) -> Result<MetricsConfig, ConfigError> {
    let file = file.unwrap_or_default();
    let pick = |env_key, file_key, file_value| super::pick_set(env, env_key, file_key, file_value);
    let token = match pick("LATCHKEY_METRICS_TOKEN", "metrics.token", file.token) {
        Some((key, v)) => {
            if v.len() < MIN_TOKEN_LEN || v.len() > 256 || !v.bytes().all(|b| b.is_ascii_graphic())
            {
                return Err(invalid(
                    key,
                    format!(
                        "must be {MIN_TOKEN_LEN} to 256 printable characters without spaces (e.g. `openssl rand -hex 32`)"
                    ),
                ));
            }
            Some(Secret::new(v))
        }
        None => None,
    };
    let listen = match pick("LATCHKEY_METRICS_LISTEN", "metrics.listen", file.listen) {
        Some((key, v)) => {
            let addr = v.parse::<SocketAddr>().map_err(|_| {
                invalid(
                    key,
                    format!("{v:?} is not a socket address (use host:port, e.g. 127.0.0.1:9090)"),
                )
            })?;
            if addr == main_listen {
                return Err(invalid(
                    key,
                    "must differ from the main listen address (that is what it keeps metrics off)",
                ));
            }
            Some(addr)
        }
        None => None,
    };
    Ok(MetricsConfig { token, listen })
}
