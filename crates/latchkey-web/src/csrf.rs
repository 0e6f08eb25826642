//! CSRF protection: a random per-browser token in a `__Host-` cookie that
//! every state-changing request must echo (form field `csrf` or header
//! `x-csrf-token`), compared in constant time; plus an Origin check, so a
//! cross-site POST is refused even before the token is looked at.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage as _, HttpRequest};
use latchkey_core::{PlainToken, TokenKind};
use subtle::ConstantTimeEq as _;

use crate::cookies;
use crate::error::ApiError;

/// The CSRF token of this request's browser (from the cookie, or newly made).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

struct NewCsrfCookie(String);

/// Makes sure every HTML page sent to a browser without a CSRF cookie sets
/// one, and that handlers can read the token from the request.
///
/// Security invariant: the cookie is set on HTML pages only, and never on a
/// response marked `Cache-Control: public` — a shared cache would store the
/// `Set-Cookie` with it and hand one browser's token to every other.
pub async fn ensure_cookie(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    // A browser's token is kept; a new one is made only when a page asks
    // for it ([`token`]), so API calls cost no random bytes here.
    if let Some(existing) = req
        .cookie(cookies::CSRF)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32 && v.len() <= 128)
    {
        req.extensions_mut().insert(CsrfToken(existing));
    }
    let mut res = next.call(req).await?;
    let new = res
        .request()
        .extensions()
        .get::<NewCsrfCookie>()
        .map(|n| n.0.clone());
    if let Some(t) = new
        && may_set_cookie(res.headers())
    {
        let _ = res.response_mut().add_cookie(&cookies::csrf(&t));
    }
    Ok(res)
}

/// Whether a response may carry the CSRF cookie: an HTML page that no
/// shared cache may keep.
fn may_set_cookie(headers: &actix_web::http::header::HeaderMap) -> bool {
    use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
    let value = |name| {
        headers
            .get(name)
            .and_then(|v: &actix_web::http::header::HeaderValue| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    let html = value(CONTENT_TYPE).starts_with("text/html");
    let public = value(CACHE_CONTROL)
        .split(',')
        .any(|d| d.trim() == "public");
    html && !public
}

/// The token for rendering into a page: the browser's, or a new one that
/// [`ensure_cookie`] sets on the page's response.
pub fn token(req: &HttpRequest) -> String {
    if let Some(t) = req.extensions().get::<CsrfToken>() {
        return t.0.clone();
    }
    let t = PlainToken::generate(TokenKind::Session).expose()[4..].to_owned();
    let mut extensions = req.extensions_mut();
    extensions.insert(CsrfToken(t.clone()));
    extensions.insert(NewCsrfCookie(t.clone()));
    t
}

/// Refuses a state-changing request that does not come from our own pages:
/// a foreign Origin, or a missing or wrong token.
pub fn verify(
    req: &HttpRequest,
    presented: Option<&str>,
    issuer_origin: &str,
) -> Result<(), ApiError> {
    let foreign = || ApiError::Forbidden(crate::error::FOREIGN_ORIGIN);
    let site = req
        .headers()
        .get("sec-fetch-site")
        .map(|v| v.as_bytes().to_vec());
    match req.headers().get("origin").map(|v| v.as_bytes()) {
        // Browsers send "null" in some privacy modes; then the fetch
        // metadata must say same-origin.
        Some(b"null") => {
            if site.as_deref() != Some(b"same-origin") {
                return Err(foreign());
            }
        }
        Some(origin) if origin != issuer_origin.as_bytes() => return Err(foreign()),
        Some(_) => {}
        None => {
            if let Some(site) = site.as_deref()
                && !matches!(site, b"same-origin" | b"none")
            {
                return Err(foreign());
            }
        }
    }
    let cookie = req.cookie(cookies::CSRF).map(|c| c.value().to_owned());
    let presented = presented.map(str::to_owned).or_else(|| {
        req.headers()
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    });
    match (cookie, presented) {
        (Some(c), Some(p)) if !c.is_empty() && bool::from(c.as_bytes().ct_eq(p.as_bytes())) => {
            Ok(())
        }
        _ => Err(ApiError::Forbidden(crate::error::FORM_EXPIRED)),
    }
}

/// A form that carries only the CSRF token.
#[derive(Debug, serde::Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

#[cfg(test)]
mod tests {
    use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderMap, HeaderValue};

    use super::*;

    fn headers(content_type: &str, cache: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(content_type).unwrap());
        if let Some(c) = cache {
            h.insert(CACHE_CONTROL, HeaderValue::from_str(c).unwrap());
        }
        h
    }

    #[test]
    fn the_cookie_goes_only_on_html_pages_that_are_not_public() {
        assert!(may_set_cookie(&headers("text/html; charset=utf-8", None)));
        assert!(may_set_cookie(&headers("text/html", Some("no-store"))));
        assert!(!may_set_cookie(&headers(
            "text/html",
            Some("public, max-age=60")
        )));
        assert!(!may_set_cookie(&headers(
            "text/html",
            Some("max-age=60, PUBLIC")
        )));
        assert!(!may_set_cookie(&headers("application/json", None)));
        assert!(!may_set_cookie(&headers(
            "text/css; charset=utf-8",
            Some("public, max-age=3600")
        )));
        assert!(!may_set_cookie(&HeaderMap::new()));
    }
}
