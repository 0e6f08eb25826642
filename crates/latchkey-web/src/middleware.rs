//! Cross-cutting middleware: request ids, access log, metrics, security headers.

use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{DefaultHeaders, Next};
use actix_web::{Error, HttpMessage as _, web};
use tracing::Instrument as _;

use crate::error::WebError;
use crate::state::AppState;

/// The id of one request: in the `x-request-id` response header, every log
/// line of the request, and the 5xx error page.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// `Strict-Transport-Security` on every response when the issuer is https:
/// two years, subdomains included, so a browser never again speaks plain
/// HTTP to this host (or below it) once it has seen the header.
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=63072000; includeSubDomains";

/// Headers on every response. No inline script is allowed anywhere.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        // same-origin, not no-referrer: with no-referrer browsers send
        // `Origin: null` on form posts, which the CSRF check cannot use.
        .add((header::REFERRER_POLICY, "same-origin"))
        .add(("cross-origin-opener-policy", "same-origin"))
        .add((
            "permissions-policy",
            "camera=(), microphone=(), geolocation=()",
        ))
}

/// The most bytes of request headers (names and values) accepted. Browsers
/// and clients send a few KiB here, and a reverse proxy with common settings
/// (nginx: four 8 KiB buffers) refuses far less than this; actix-web's own
/// bound (128 KiB) applies only when a head arrives in pieces, so a larger
/// head that arrives at once would otherwise be read in full.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// Refuses a request whose headers are over [`MAX_HEADER_BYTES`] with `431`
/// and the error page, before any route sees it.
pub async fn limit_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    let size: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if size > MAX_HEADER_BYTES {
        let res = actix_web::ResponseError::error_response(&WebError::HeadersTooLarge);
        return Ok(req.into_response(res).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// The longest incoming `X-Request-Id` accepted.
pub const MAX_REQUEST_ID: usize = 64;

/// An incoming `X-Request-Id` (from a proxy or a client correlating its
/// calls) kept as the request's id when it is sane: 8 to 64 ASCII letters,
/// digits, `-`, `_` or `.`. Anything else is replaced by a generated id, so
/// a log line, a response header or an audit event never carries a
/// control character, a quote or an unbounded value from the client.
pub fn incoming_request_id(raw: &str) -> Option<String> {
    let ok = (8..=MAX_REQUEST_ID).contains(&raw.len())
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    ok.then(|| raw.to_owned())
}

/// Routes that clients, load balancers and monitors fetch all the time:
/// the public documents, health probes and static files. Their successful
/// requests are logged at DEBUG (counted in the metrics all the same);
/// every other request, and any of theirs that fails, at INFO.
pub fn routine(route: &str) -> bool {
    matches!(
        route,
        "/.well-known/openid-configuration"
            | "/jwks"
            | "/healthz"
            | "/readyz"
            | "/metrics"
            | "/static/{name}"
            | "/branding.css"
            | "/branding/logo"
    )
}

/// A new request id: this process's random prefix and a counter, 32 hex
/// digits. Unique across nodes and restarts without a call for random
/// bytes per request; an id is a correlation handle, not a secret.
pub fn new_request_id() -> String {
    use std::sync::LazyLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static PREFIX: LazyLock<u64> = LazyLock::new(|| uuid::Uuid::new_v4().as_u64_pair().0);
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:016x}{:016x}",
        *PREFIX,
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Assigns the request id (a sane incoming `X-Request-Id`, else a new
/// one), opens the request's span, logs the outcome,
/// counts it in the metrics, and adds `Strict-Transport-Security` when the
/// issuer is https.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .and_then(incoming_request_id)
        .unwrap_or_else(new_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    // Bounded label values only: the raw method and path are client input.
    let method = crate::metrics::method_label(req.method());
    let route = crate::metrics::route_label(req.match_pattern());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let https = state.as_ref().is_some_and(|s| s.issuer.scheme() == "https");
    let routine = routine(&route);
    let span = if routine {
        tracing::debug_span!("request", request_id = %id, method = %method, route = %route)
    } else {
        tracing::info_span!("request", request_id = %id, method = %method, route = %route)
    };
    let started = Instant::now();
    let result = next.call(req).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    let status = match &result {
        Ok(res) => res.status().as_u16(),
        Err(e) => e.as_response_error().status_code().as_u16(),
    };
    let latency_ms = elapsed.as_secs_f64() * 1000.0;
    if routine && status < 400 {
        span.in_scope(|| tracing::debug!(status, latency_ms, "request finished"));
    } else if routine {
        // A failed routine request is logged like any other, with its id.
        let span =
            tracing::info_span!("request", request_id = %id, method = %method, route = %route);
        span.in_scope(|| tracing::info!(status, latency_ms, "request finished"));
    } else {
        span.in_scope(|| tracing::info!(status, latency_ms, "request finished"));
    }
    if let Some(state) = state {
        state
            .metrics
            .http_requests
            .with_label_values(&[route.as_str(), method, crate::metrics::status_label(status)])
            .inc();
        state
            .metrics
            .http_duration
            .with_label_values(&[route.as_str()])
            .observe(elapsed.as_secs_f64());
    }
    let mut res = result?;
    if https {
        res.headers_mut().insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(STRICT_TRANSPORT_SECURITY),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    Ok(res)
}

#[cfg(test)]
mod request_id_tests {
    use super::incoming_request_id;

    #[test]
    fn only_public_documents_probes_and_static_files_are_routine() {
        for r in [
            "/jwks",
            "/.well-known/openid-configuration",
            "/healthz",
            "/static/{name}",
        ] {
            assert!(super::routine(r), "{r}");
        }
        for r in [
            "/token",
            "/userinfo",
            "/signin",
            "/admin/users",
            "unmatched",
        ] {
            assert!(!super::routine(r), "{r}");
        }
    }

    #[test]
    fn new_request_ids_are_distinct_and_plain() {
        let (a, b) = (super::new_request_id(), super::new_request_id());
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert_eq!(incoming_request_id(&a).as_deref(), Some(a.as_str()));
    }

    #[test]
    fn incoming_request_ids_are_kept_only_when_short_and_plain() {
        for ok in ["0123abcd", "req-2026.12.07_001", &"a".repeat(64)] {
            assert_eq!(incoming_request_id(ok).as_deref(), Some(ok));
        }
        for bad in [
            "",
            "short",
            &"a".repeat(65),
            "has space1",
            "quote\"1234",
            "ümlaut123",
            "new\nline12",
            "semi;colon1",
        ] {
            assert_eq!(incoming_request_id(bad), None, "{bad:?}");
        }
    }
}
