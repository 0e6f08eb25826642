//! Where and to whom `/metrics` is served, as the operator configured it
//! (`[metrics]`): behind a bearer token, on a listen address of its own, or
//! open on the public address (the zero-configuration default, which is
//! logged as a warning unless the issuer is on localhost).

use std::net::TcpListener;

use actix_web::{App, HttpServer, web};
use anyhow::Context as _;
use latchkey_web::Metrics;
use latchkey_web::metrics::MetricsAccess;
use url::{Host, Url};

use crate::Config;

/// With `metrics.listen`, starts the server that serves `metrics` there.
/// Returns the metrics as the public address serves them.
pub fn start(
    metrics: Result<Metrics, prometheus::Error>,
    config: &Config,
) -> anyhow::Result<Metrics> {
    let metrics = metrics.context("registering metrics")?;
    let access = match &config.metrics.token {
        Some(token) => MetricsAccess::Token(token.clone()),
        None => MetricsAccess::Open,
    };
    let Some(addr) = config.metrics.listen else {
        if let Some(warning) = open_metrics_warning(config) {
            tracing::warn!(issuer = %config.issuer, "{warning}");
        }
        return Ok(metrics.with_access(access));
    };
    let listener = TcpListener::bind(addr)
        .with_context(|| format!("LATCHKEY_METRICS_LISTEN: cannot listen on {addr}"))?;
    let own = web::Data::new(metrics.clone().with_access(access));
    let server = HttpServer::new(move || {
        App::new().app_data(own.clone()).route(
            "/metrics",
            web::get().to(latchkey_web::health::get_metrics_only),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)?
    .run();
    tokio::spawn(server);
    tracing::info!(%addr, "metrics served on their own address only");
    Ok(metrics.with_access(MetricsAccess::Elsewhere))
}

/// The start-up warning for metrics open to anyone who reaches a public
/// issuer; `None` when they are protected or the issuer is on this machine.
pub fn open_metrics_warning(config: &Config) -> Option<&'static str> {
    (config.metrics.is_open() && !is_local(&config.issuer)).then_some(
        "/metrics is open to anyone who can reach this server: set metrics.token (LATCHKEY_METRICS_TOKEN) or metrics.listen (LATCHKEY_METRICS_LISTEN)",
    )
}

fn is_local(issuer: &Url) -> bool {
    match issuer.host() {
        Some(Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Config {
        let env: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_sources(None, &env).unwrap().0
    }

    #[test]
    fn open_metrics_are_a_warning_only_for_a_public_issuer() {
        assert!(open_metrics_warning(&config(&[])).is_none());
        let public = [
            ("LATCHKEY_ISSUER", "https://id.example.com"),
            ("LATCHKEY_RP_ID", "example.com"),
        ];
        assert!(open_metrics_warning(&config(&public)).is_some());
        let token = "t".repeat(32);
        let with_token = [public[0], public[1], ("LATCHKEY_METRICS_TOKEN", &token)];
        assert!(open_metrics_warning(&config(&with_token)).is_none());
        let elsewhere = [
            public[0],
            public[1],
            ("LATCHKEY_METRICS_LISTEN", "127.0.0.1:9090"),
        ];
        assert!(open_metrics_warning(&config(&elsewhere)).is_none());
    }
}
