//! Prometheus metrics. Labels are bounded: routes are the matched patterns,
//! never raw paths.

use prometheus::{
    Encoder as _, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry, TextEncoder,
};

#[derive(Clone, Debug)]
pub struct Metrics {
    registry: Registry,
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
                "HTTP requests by route pattern, method and status.",
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
            http_requests,
            http_duration,
            ready,
            ceremonies,
            rate_limited,
        })
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
