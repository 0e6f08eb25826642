//! Prometheus metrics. Every label value comes from a fixed set, so no
//! request can create a new series: routes are the matched patterns (or
//! `unmatched`), never raw paths; methods are the standard ones (or
//! `other`); statuses are classes (`2xx` … `5xx`).

use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

/// Who may read `/metrics` on the address this `Metrics` is served on.
#[derive(Clone, Debug, Default)]
pub enum MetricsAccess {
    /// Anyone (the zero-configuration default).
    #[default]
    Open,
    /// Only with `Authorization: Bearer <token>` (compared in constant time).
    Token(latchkey_core::Secret<String>),
    /// Not here: the metrics have a listen address of their own.
    Elsewhere,
}

#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
    access: MetricsAccess,
    pub http_requests: IntCounterVec,
    pub http_duration: HistogramVec,
    pub ready: IntGauge,
    /// Passkey ceremonies by ceremony, flow and outcome (`success` or a
    /// failure reason code).
    pub ceremonies: IntCounterVec,
    /// Requests refused by a rate limit, by limit.
    pub rate_limited: IntCounterVec,
}

impl Metrics {
    /// Registers every metric. Registration of fresh, distinct names on a
    /// fresh registry cannot fail; a failure here is a programming error
    /// caught by the tests.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new_custom(Some("latchkey".into()), None)?;
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by route pattern, method and status class.",
            ),
            &["route", "method", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by route pattern.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
            ]),
            &["route"],
        )?;
        let ready = IntGauge::new("ready", "1 when the last readiness check passed, else 0.")?;
        let ceremonies = IntCounterVec::new(
            Opts::new(
                "passkey_ceremonies_total",
                "Passkey ceremonies by ceremony, flow and outcome (success or a reason code).",
            ),
            &["ceremony", "flow", "outcome"],
        )?;
        let rate_limited = IntCounterVec::new(
            Opts::new("rate_limited_total", "Requests refused by a rate limit."),
            &["limit"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(ready.clone()))?;
        registry.register(Box::new(ceremonies.clone()))?;
        registry.register(Box::new(rate_limited.clone()))?;
        Ok(Self {
            registry,
            access: MetricsAccess::Open,
            http_requests,
            http_duration,
            ready,
            ceremonies,
            rate_limited,
        })
    }

    /// The same metrics, served under `access`.
    pub fn with_access(mut self, access: MetricsAccess) -> Self {
        self.access = access;
        self
    }

    pub fn access(&self) -> &MetricsAccess {
        &self.access
    }

    /// The registry, for crates that add their own metrics.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        // Encoding into a Vec only fails on invalid metric families, which
        // registration already rules out.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

/// The methods counted by name; any other token is `other`. The raw method
/// is client input (any token is valid HTTP), so it never becomes a label.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

/// The `method` label: one of [`METHODS`], else `other`.
pub fn method_label(method: &actix_web::http::Method) -> &'static str {
    METHODS
        .iter()
        .find(|m| **m == method.as_str())
        .copied()
        .unwrap_or("other")
}

/// The `route` label for a request that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// The `route` label: the matched route pattern (one of the finitely many
/// registered), else [`UNMATCHED`].
pub fn route_label(pattern: Option<String>) -> String {
    pattern.unwrap_or_else(|| UNMATCHED.to_owned())
}

/// The `status` label: the status class.
pub fn status_label(status: u16) -> &'static str {
    match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    }
}

#[cfg(test)]
mod tests {
    use actix_web::http::Method;

    use super::*;

    #[test]
    fn label_values_come_from_fixed_sets() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        for raw in ["FOO", "get", "BREW", "X-1234567890", "CONNECT", "TRACE"] {
            let m = Method::from_bytes(raw.as_bytes()).unwrap();
            assert_eq!(method_label(&m), "other", "{raw}");
        }
        assert_eq!(status_label(200), "2xx");
        assert_eq!(status_label(303), "3xx");
        assert_eq!(status_label(404), "4xx");
        assert_eq!(status_label(503), "5xx");
        assert_eq!(status_label(999), "5xx");
        assert_eq!(route_label(None), "unmatched");
        assert_eq!(route_label(Some("/healthz".into())), "/healthz");
    }

    #[test]
    fn many_unique_methods_add_no_series() {
        let metrics = Metrics::new().unwrap();
        for i in 0..500 {
            let m = Method::from_bytes(format!("M{i}").as_bytes()).unwrap();
            metrics
                .http_requests
                .with_label_values(&[&route_label(None), method_label(&m), status_label(405)])
                .inc();
        }
        let series = metrics
            .registry()
            .gather()
            .iter()
            .find(|f| f.name() == "latchkey_http_requests_total")
            .map(|f| f.get_metric().len());
        assert_eq!(series, Some(1));
    }
}
