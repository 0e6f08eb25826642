#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod action;
pub mod config;
pub mod duration;
mod effects;
pub mod event;
pub mod machine;
mod metrics;
pub mod notices;
pub mod policy;
pub mod policy_changes;
mod record;
mod service;
pub mod state;

pub use action::{ActionKind, GuardedAction, action_digest, approval_challenge};
pub use config::{EngineConfig, RateLimit};
pub use machine::{
    APPROVAL_FRESHNESS, Canceller, Effect, Event, MAX_FAILED_ATTEMPTS, Notice, OobMethod, Opening,
    Request, Step, transition,
};
pub use metrics::EngineMetrics;
pub use policy::{
    FactorKind, Feasibility, Policy, PolicyError, PolicyOverrides, PolicySet, Revocation,
    effective_tier,
};
pub use service::{
    AccountName, AdminChange, ApproverAssertion, Completion, DecisionSeen, EngineError, FactorSeen,
    GuardedActions, LiveChange, NewRequest, NoticeSent, OobCheck, OobSeen, Origin, PasskeyFact,
    PolicyChange, PolicyChangeOutcome, PolicyInForce, PolicySync, QueueItem, RedeemedGrant,
    Requested, Review, TickReport, TimelineEntry,
};
pub use state::{Refusal, State};
