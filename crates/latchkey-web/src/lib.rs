#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod error;
pub mod health;
pub mod metrics;
pub mod middleware;
pub mod pages;
pub mod state;
pub mod views;

pub use error::WebError;
pub use metrics::Metrics;
pub use state::AppState;

use actix_web::web;

/// Limits on request bodies: JSON and forms are small in this protocol.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Registers every public route.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(MAX_BODY_BYTES))
        .app_data(web::FormConfig::default().limit(MAX_BODY_BYTES))
        .service(health::get_healthz)
        .service(health::get_readyz)
        .service(health::get_metrics)
        .service(pages::get_home)
        .service(pages::get_static);
}
