//! What we note about the client: its address (for rate limits) and a coarse
//! platform name (for logs and metrics; a bounded set of values).

use actix_web::HttpRequest;

/// The peer address. Forwarded headers are not trusted: behind a proxy every
/// request appears to come from the proxy until trusted proxies are
/// configurable.
pub fn ip(req: &HttpRequest) -> String {
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A coarse platform from the User-Agent.
pub fn platform(req: &HttpRequest) -> &'static str {
    let ua = req
        .headers()
        .get("user-agent")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
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
