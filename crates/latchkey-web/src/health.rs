//! Liveness, readiness and metrics endpoints for the operator.

use std::time::Duration;

use actix_web::http::header::ContentType;
use actix_web::{HttpResponse, get, web};
use serde::Serialize;

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

/// Prometheus text exposition.
#[get("/metrics")]
pub async fn get_metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
