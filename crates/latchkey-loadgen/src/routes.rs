//! Every server path the load generator uses, in one place.

/// The invitation page; the token follows.
pub const INVITE: &str = "/invite/";
/// Starts the registration of an account's first passkey.
pub const ENROL_OPTIONS: &str = "/enrol/options";
/// Finishes it and creates the account.
pub const ENROL_FINISH: &str = "/enrol/finish";
/// Where a new account lands after enrolment.
pub const ONBOARDING: &str = "/onboarding";

pub const SIGNIN_OPTIONS: &str = "/signin/options";
pub const SIGNIN_FINISH: &str = "/signin/finish";

pub const AUTHORIZE: &str = "/authorize";
pub const TOKEN: &str = "/token";
pub const USERINFO: &str = "/userinfo";
pub const INTROSPECT: &str = "/introspect";
pub const DISCOVERY: &str = "/.well-known/openid-configuration";
pub const JWKS: &str = "/jwks";
pub const READYZ: &str = "/readyz";
