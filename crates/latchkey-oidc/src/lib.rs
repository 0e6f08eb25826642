#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod authorize;
pub mod clients;
pub mod discovery;
pub mod jwt;
pub mod keyring;
pub mod keys;
pub mod pkce;
pub mod redirect;
pub mod refresh;
pub mod signing;
