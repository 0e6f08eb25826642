//! The OpenID Connect endpoints. The protocol — decisions, records, tokens
//! — is `latchkey_oidc::Provider`'s; these handlers parse requests, call it,
//! and shape responses (redirects, pages, JSON).

pub mod authorize;
pub mod error;
pub mod logout;
pub mod policy;
pub mod resources;
pub mod token;

pub use error::ProtocolError;
