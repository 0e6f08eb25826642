#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod action;
pub mod duration;
pub mod machine;
pub mod policy;
pub mod state;

pub use action::{ActionKind, GuardedAction, action_digest, approval_challenge};
pub use machine::{
    APPROVAL_FRESHNESS, Canceller, Effect, Event, MAX_FAILED_ATTEMPTS, Notice, OobMethod, Opening,
    Request, Step, transition,
};
pub use policy::{
    FactorKind, Feasibility, Policy, PolicyError, PolicyOverrides, PolicySet, Revocation,
    effective_tier,
};
pub use state::{Refusal, State};
