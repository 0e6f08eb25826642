#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod accounts;
pub mod approvals;
pub mod attestation_policies;
pub mod audit;
pub mod audit_query;
pub mod authenticator_metadata;
pub mod branding;
pub mod client_presentations;
pub mod clients;
pub mod connection;
pub mod consents;
pub mod credentials;
pub mod daily_counts;
pub mod dashboard;
pub mod db;
pub mod ended_sessions;
pub mod enrolment_grants;
pub mod ephemeral;
mod error;
pub mod groups;
pub mod guarded_actions;
pub mod invitations;
pub mod live_settings;
pub mod mail;
pub mod outbox;
pub mod recovery_codes;
pub mod recovery_policies;
pub mod refresh_tokens;
pub mod schema;
pub mod seal;
pub mod settings;
pub mod signing_keys;
pub mod token_revocations;
pub mod users;
pub mod writer;

pub use connection::{Backend, DatabaseUrl, DbConnection};
pub use db::{Db, PoolOptions, from_db, to_db, write, write_transaction};
pub use error::StoreError;
