#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod access;
pub mod authorize;
pub mod clients;
mod consent;
pub mod discovery;
pub mod error;
pub mod flow;
pub mod jwt;
pub mod keyring;
pub mod keys;
pub mod lifetimes;
pub mod logout;
pub mod mint;
pub mod pkce;
pub mod provider;
pub mod published;
pub mod redirect;
pub mod refresh;
mod resources;
pub mod revocation;
pub mod signing;

pub use error::OAuthError;
pub use flow::{AuthorizeStep, ConsentPrompt, FlowError, TokenRequest, TokenResponse};
pub use provider::{Provider, ProviderParts};
