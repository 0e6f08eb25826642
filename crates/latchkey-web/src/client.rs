//! What we note about the client: its address (for rate limits, the audit
//! log and the sessions list), a coarse platform name (for logs and metrics;
//! a bounded set of values) and its User-Agent, bounded (kept with a session
//! it starts; see `device` for how it is shown).

use actix_web::{HttpRequest, web};
use latchkey_accounts::ClientInfo;

pub use crate::proxies::TrustedProxies;
use crate::state::AppState;
pub use latchkey_accounts::ceremony::MAX_USER_AGENT;

/// The client's address: the TCP peer, or what trusted proxies forwarded
/// (see [`TrustedProxies`]).
pub fn ip(req: &HttpRequest) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let Some(state) = req.app_data::<web::Data<AppState>>() else {
        return peer.to_string();
    };
    let forwarded: Vec<&str> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .collect();
    state
        .trusted_proxies
        .client_ip(peer, &forwarded)
        .to_string()
}

/// The User-Agent header, or empty (a header that is not text counts as
/// absent).
pub fn user_agent(req: &HttpRequest) -> &str {
    req.headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// A coarse platform from the User-Agent.
pub fn platform(req: &HttpRequest) -> &'static str {
    let ua = user_agent(req);
    if ua.contains("iPhone") || ua.contains("iPad") {
        "ios"
    } else if ua.contains("Android") {
        "android"
    } else if ua.contains("CrOS") {
        "chromeos"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "macos"
    } else if ua.contains("Windows") {
        "windows"
    } else if ua.contains("Linux") {
        "linux"
    } else {
        "other"
    }
}

/// The client as the account operations take it.
pub fn info(req: &HttpRequest) -> ClientInfo {
    ClientInfo {
        ip: ip(req),
        platform: platform(req),
        user_agent: latchkey_accounts::ceremony::bounded_user_agent(user_agent(req)),
        request_id: request_id(req),
    }
}

/// The id the request was given (`X-Request-Id`, see `middleware::observe`).
pub fn request_id(req: &HttpRequest) -> Option<String> {
    use actix_web::HttpMessage as _;
    req.extensions()
        .get::<crate::middleware::RequestId>()
        .map(|r| r.0.clone())
}
