#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod assurance;
pub mod audit;
pub mod branding;
pub mod clock;
pub mod ids;
pub mod role;
pub mod secret;
pub mod subject;
pub mod tier;

pub use assurance::{Acr, Amr};
pub use audit::AuditEventKind;
pub use clock::{Clock, SharedClock, SystemClock, TestClock};
pub use ids::*;
pub use role::Role;
pub use secret::{HashedToken, PlainToken, Secret, TokenKind};
pub use subject::AuthenticatedSubject;
pub use tier::AccountTier;

/// A value that did not parse into one of the core vocabulary types.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}")]
pub struct ParseError {
    pub what: &'static str,
    pub value: String,
}

impl ParseError {
    pub fn new(what: &'static str, value: impl Into<String>) -> Self {
        Self {
            what,
            value: value.into(),
        }
    }
}
