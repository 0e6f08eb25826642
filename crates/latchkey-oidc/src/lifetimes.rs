//! How long the authorization flow's records live.

use chrono::Duration;

/// How long a request waits for the user to sign in and consent.
pub const PENDING_TTL: Duration = Duration::minutes(15);
/// An authorization code lives one minute and is used once.
pub const CODE_TTL: Duration = Duration::seconds(60);
/// A redeemed code is remembered this long, so a second use can revoke what
/// the first one issued (RFC 6749 §4.1.2).
pub const USED_CODE_MEMORY: Duration = Duration::hours(1);
