#![doc = include_str!("../README.md")]

pub mod app;
pub mod attestation;
pub mod authenticator;
pub mod db;
pub mod mds;
pub mod sessions;

pub use app::{Browser, JsonReply, TestApp};
pub use attestation::TestAttestationCa;
pub use authenticator::{SoftAuthenticator, SoftAuthenticatorError, SoftCredential};
pub use db::{TestDb, test_backend};
pub use mds::TestMds;
pub use sessions::{TestSessions, test_redis_url};
