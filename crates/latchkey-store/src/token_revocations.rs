//! Revoked access tokens. Access tokens are self-contained JWTs and issuing
//! one writes nothing; what is remembered is each revocation, keyed by what
//! a token carries:
//!
//! - one token, by its `jti` (RFC 7009);
//! - every token of a browser session, by its `sid` (sign-out, logout, an
//!   administrator ending the session);
//! - every token of a refresh-token family (reuse, revocation, the family's
//!   session, user or client ending);
//! - every token issued for an authorization code (the code was replayed,
//!   RFC 6749 §4.1.2);
//! - every token issued up to a cut-off time to a client (disabled), to a
//!   user (disabled) or to a user by one client (consent withdrawn).
//!
//! A token is revoked when a record matches one of its keys — for a cut-off
//! record, when the token was issued at or before the cut-off. Checking a
//! token is one indexed read ([`revokes_any`]). A record is kept only while
//! a token it matches can still be alive (`keep_until`), then swept
//! ([`delete_expired`]).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{ClientId, HashedToken, RefreshFamilyId, UserId};

use crate::schema::token_revocations as tr;
use crate::{DbConnection, StoreError, to_db};

/// What a revocation is about: the key a token is matched by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// One access token, by its `jti`.
    Token(String),
    /// Every token issued in the browser session `sid`.
    Session(String),
    /// Every token issued under a refresh-token family.
    Family(RefreshFamilyId),
    /// Every token issued for the authorization code with this hash
    /// (its [`code_grant_id`]).
    CodeGrant(String),
    /// Every token issued to a client up to the cut-off.
    Client(ClientId),
    /// Every token issued to a user up to the cut-off.
    User(UserId),
    /// Every token issued to a user by one client up to the cut-off.
    UserClient(UserId, ClientId),
}

impl Revoked {
    /// The stored key: a kind prefix and the value, so that the kinds never
    /// collide and one `IN` over a token's keys finds any match.
    pub fn key(&self) -> String {
        match self {
            Self::Token(jti) => format!("jti:{jti}"),
            Self::Session(sid) => format!("sid:{sid}"),
            Self::Family(id) => format!("fam:{id}"),
            Self::CodeGrant(id) => format!("code:{id}"),
            Self::Client(id) => format!("client:{id}"),
            Self::User(id) => format!("user:{id}"),
            Self::UserClient(user, client) => format!("user-client:{user}:{client}"),
        }
    }

    /// Whether the revocation holds only for tokens issued up to a cut-off
    /// (the client, user or consent may be granted tokens again later);
    /// the others never issue a token again.
    pub fn has_cut_off(&self) -> bool {
        matches!(self, Self::Client(_) | Self::User(_) | Self::UserClient(..))
    }
}

/// The id under which the tokens issued for an authorization code are
/// revoked: the first 16 bytes of the code's SHA-256, in hex. Carried by
/// those tokens; it reveals no more about the (spent) code than an ID
/// token's `c_hash` does.
pub fn code_grant_id(code_hash: &HashedToken) -> String {
    code_hash.to_hex()[..32].to_owned()
}

/// Records a revocation at `now`, remembered until `keep_until` (when no
/// token it matches can be alive any more). A cut-off revocation covers the
/// tokens issued at or before `now`.
pub fn record(
    conn: &mut DbConnection,
    revoked: &Revoked,
    now: DateTime<Utc>,
    keep_until: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(tr::table)
        .values((
            tr::id.eq(uuid::Uuid::new_v4().simple().to_string()),
            tr::revoked_key.eq(revoked.key()),
            tr::issued_up_to.eq(revoked.has_cut_off().then(|| to_db(now))),
            tr::keep_until.eq(to_db(keep_until)),
        ))
        .execute(conn)?;
    Ok(())
}

/// Whether any record revokes a token that carries `keys` and was issued at
/// `issued_at` (whole seconds, as in a JWT's `iat`).
pub fn revokes_any(
    conn: &mut DbConnection,
    keys: &[Revoked],
    issued_at: DateTime<Utc>,
) -> Result<bool, StoreError> {
    if keys.is_empty() {
        return Ok(false);
    }
    let keys: Vec<String> = keys.iter().map(Revoked::key).collect();
    let found: Option<String> = tr::table
        .select(tr::id)
        .filter(tr::revoked_key.eq_any(&keys))
        .filter(
            tr::issued_up_to
                .is_null()
                .or(tr::issued_up_to.ge(to_db(issued_at))),
        )
        .first(conn)
        .optional()?;
    Ok(found.is_some())
}

/// Forgets the records no longer needed at `now`. Returns how many.
pub fn delete_expired(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, StoreError> {
    Ok(diesel::delete(tr::table.filter(tr::keep_until.le(to_db(now)))).execute(conn)?)
}
