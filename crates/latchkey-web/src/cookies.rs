//! Cookie names and attributes. `__Host-` cookies are Secure, host-only and
//! path `/`, so no subdomain can set or shadow them.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};

pub const SESSION: &str = "__Host-latchkey_session";
pub const CSRF: &str = "__Host-latchkey_csrf";

fn host_cookie(name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build(name, value)
        .path("/")
        .secure(true)
        .http_only(true)
        .same_site(SameSite::Lax)
        .finish()
}

/// The session cookie, living no longer than the session's absolute lifetime.
pub fn session(token: &str, max_age_seconds: i64) -> Cookie<'static> {
    let mut c = host_cookie(SESSION, token.to_owned());
    c.set_max_age(CookieDuration::seconds(max_age_seconds));
    c
}

/// A cookie that removes the session cookie.
pub fn session_removal() -> Cookie<'static> {
    let mut c = host_cookie(SESSION, String::new());
    c.make_removal();
    c
}

/// The CSRF cookie (double submit), kept for the browser session.
pub fn csrf(token: &str) -> Cookie<'static> {
    host_cookie(CSRF, token.to_owned())
}
