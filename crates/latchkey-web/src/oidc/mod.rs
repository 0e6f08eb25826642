//! The OpenID Connect endpoints. Protocol logic lives in `latchkey-oidc`;
//! these handlers parse requests, call it, and shape responses.

pub mod authorize;
pub mod error;
pub mod logout;
pub mod mint;
pub mod resources;
pub mod token;

pub use error::OAuthError;
