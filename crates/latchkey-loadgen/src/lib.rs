#![doc = include_str!("../README.md")]

/// The software passkey authenticator of the test kit, included rather
/// than depended on: this is a tool, not a test.
#[path = "../../latchkey-testkit/src/authenticator.rs"]
pub mod authenticator;

pub mod browser;
pub mod floor;
pub mod idtoken;
pub mod ops;
pub mod pkce;
pub mod procfs;
pub mod provision;
pub mod report;
pub mod routes;
pub mod run;
pub mod scenario;
pub mod setup;
pub mod stats;
pub mod target;

pub use run::{Bounds, RunConfig, RunReport, run};
pub use scenario::{Op, Scenario};
pub use target::Target;
