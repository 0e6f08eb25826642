//! Liveness, readiness and metrics endpoints for the operator.

use std::time::Duration;

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, ResponseError as _, get, web};
use serde::Serialize;
use subtle::ConstantTimeEq as _;

use crate::error::WebError;
use crate::metrics::{Metrics, MetricsAccess};
use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Liveness: the process is up and serving. Checks nothing else, so an
/// orchestrator does not restart nodes when a shared dependency is down.
#[get("/healthz")]
pub async fn get_healthz() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::plaintext())
        .body("ok\n")
}

#[derive(Debug, Serialize)]
struct Readiness {
    status: &'static str,
    checks: Checks,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    failing: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
struct Checks {
    database: String,
    session_store: String,
}

async fn check<E: std::fmt::Display>(
    fut: impl Future<Output = Result<(), E>>,
) -> Result<(), String> {
    match tokio::time::timeout(CHECK_TIMEOUT, fut).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(format!("failing: {e}")),
        Err(_) => Err(format!("no answer within {} s", CHECK_TIMEOUT.as_secs())),
    }
}

/// Readiness: the database and the session store both answer now. 503 names
/// the failing part; the next check after it recovers answers 200 again.
#[get("/readyz")]
pub async fn get_readyz(state: web::Data<AppState>) -> HttpResponse {
    let (db, sessions) = tokio::join!(check(state.db.ping()), check(state.sessions.ping()));
    let mut failing = Vec::new();
    let mut describe = |name: &'static str, r: &Result<(), String>| match r {
        Ok(()) => "ok".to_owned(),
        Err(e) => {
            failing.push(name);
            tracing::warn!(check = name, error = %e, "readiness check failed");
            e.clone()
        }
    };
    let checks = Checks {
        database: describe("database", &db),
        session_store: describe("session_store", &sessions),
    };
    let ready = failing.is_empty();
    state.metrics.ready.set(i64::from(ready));
    let body = Readiness {
        status: if ready { "ready" } else { "unavailable" },
        checks,
        failing,
    };
    if ready {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    }
}

/// Prometheus text exposition on the public address, as the operator chose
/// (`MetricsAccess`): open, behind a bearer token, or not here at all.
#[get("/metrics")]
pub async fn get_metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    serve_metrics(&req, &state.metrics)
}

/// `/metrics` on the metrics' own listen address (`web::Data<Metrics>`).
pub async fn get_metrics_only(req: HttpRequest, metrics: web::Data<Metrics>) -> HttpResponse {
    serve_metrics(&req, &metrics)
}

/// Serves the metrics if `access` lets this request read them.
///
/// Security invariant: with a token configured, the bearer token presented
/// is compared in constant time, and a missing or wrong one is `401` with
/// nothing else said.
fn serve_metrics(req: &HttpRequest, metrics: &Metrics) -> HttpResponse {
    match metrics.access() {
        MetricsAccess::Open => {}
        MetricsAccess::Elsewhere => return WebError::NotFound.error_response(),
        MetricsAccess::Token(token) => {
            let presented = req
                .headers()
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .unwrap_or_default();
            let expected = token.expose().as_bytes();
            if !bool::from(presented.as_bytes().ct_eq(expected)) {
                return HttpResponse::Unauthorized()
                    .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
                    .content_type(ContentType::plaintext())
                    .body("a metrics token is required\n");
            }
        }
    }
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(metrics.render())
}
