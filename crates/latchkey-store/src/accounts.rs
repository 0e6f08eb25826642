//! Account data that spans aggregates: the one-time bootstrap token (a
//! setting, valid while the instance has never had an administrator) and loading an account by
//! id. The account operations themselves (enrolment, passkey changes,
//! recovery codes) are `latchkey-accounts`'.

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, HashedToken, PlainToken, TokenKind, UserId};

use crate::audit::{AuditChain, NewAuditEvent};
use crate::users::{self, ADMIN_EVER_EXISTED, User};
use crate::{DbConnection, StoreError, settings, write_transaction};

/// The setting holding the SHA-256 (hex) of the pending bootstrap token.
pub const BOOTSTRAP_TOKEN: &str = "bootstrap_token_sha256";

/// While the instance has never had an administrator, issues a new one-time bootstrap
/// token (replacing any earlier one) and audits it; otherwise `None`.
pub fn issue_bootstrap_token(
    conn: &mut DbConnection,
    audit: &AuditChain,
    now: DateTime<Utc>,
) -> Result<Option<PlainToken>, StoreError> {
    write_transaction(conn, |conn| {
        if users::admin_ever_existed(conn)? {
            // Instances from before the marker existed: record it now.
            settings::set_if_absent(conn, ADMIN_EVER_EXISTED, "true", now)?;
            // A leftover token is useless now; make sure it is gone.
            let _ = settings::get(conn, BOOTSTRAP_TOKEN)?
                .map(|v| settings::delete_if_equals(conn, BOOTSTRAP_TOKEN, &v))
                .transpose()?;
            return Ok(None);
        }
        let token = PlainToken::generate(TokenKind::Bootstrap);
        settings::set(conn, BOOTSTRAP_TOKEN, &token.hashed().to_hex(), now)?;
        audit.append(
            conn,
            now,
            &NewAuditEvent::new(AuditEventKind::AdminBootstrapIssued).actor("system"),
        )?;
        Ok(Some(token))
    })
}

/// Whether `token` is the pending bootstrap token (and no administrator has
/// ever existed).
pub fn bootstrap_token_is_valid(
    conn: &mut DbConnection,
    token: &HashedToken,
) -> Result<bool, StoreError> {
    if users::admin_ever_existed(conn)? {
        return Ok(false);
    }
    Ok(settings::get(conn, BOOTSTRAP_TOKEN)?
        .is_some_and(|stored| HashedToken::of(&stored).matches(&HashedToken::of(&token.to_hex()))))
}

/// Convenience for callers that only have the user's id.
pub fn user(conn: &mut DbConnection, id: UserId) -> Result<User, StoreError> {
    users::find(conn, id)?.ok_or(StoreError::NotFound("the user"))
}
