#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod assurance;
pub mod authentication;
pub mod bound;
mod client_data;
pub mod config;
pub mod error;
pub mod mds;
pub mod metadata;
pub mod policy;
pub mod registration;
mod wire;

pub use assurance::{KeyStorage, acr_for, amr_for};
pub use authentication::{AuthOutcome, AuthenticationState, Identified, StoredPasskey};
pub use bound::{BoundAuthenticationState, BoundOutcome};
pub use config::{RelyingParty, RpConfig, RpConfigError};
pub use error::PasskeyError;
pub use metadata::model_for_aaguid;
pub use policy::{
    AttestationPolicy, CredentialFacts, Finding, ModelStatus, PolicyRules, Requirement, Rule,
    Verdict, Violation,
};
pub use registration::{
    AttestationRequirement, AttestationRoot, AttestationTrust, AttestationTrustError, NewPasskey,
    PasskeyUser, RegistrationPolicy, RegistrationState,
};
