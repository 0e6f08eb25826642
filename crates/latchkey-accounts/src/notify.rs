//! What the account's owner is told by mail when their account changes. The
//! message is enqueued in the transaction that makes the change.

use chrono::{DateTime, Utc};
use latchkey_store::mail::{EmailAddress, enqueue_email};
use latchkey_store::users::User;
use latchkey_store::{DbConnection, StoreError};

/// A change the owner is told about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Notice<'a> {
    PasskeyAdded { label: &'a str },
    PasskeyRevoked { label: &'a str },
    RecoveryCodesReplaced,
}

impl Notice<'_> {
    fn subject(&self) -> &'static str {
        match self {
            Self::PasskeyAdded { .. } => "A passkey was added to your account",
            Self::PasskeyRevoked { .. } => "A passkey was removed from your account",
            Self::RecoveryCodesReplaced => "New recovery codes were made for your account",
        }
    }

    fn text(&self, account: &User, now: DateTime<Utc>) -> String {
        let (username, at) = (&account.username, now.format("%Y-%m-%d %H:%M"));
        match self {
            Self::PasskeyAdded { label } => format!(
                "A new passkey \"{label}\" was added to your account {username} at {at} UTC.\n\n\
                 If this was not you, sign in with another passkey and revoke it, then contact your administrator."
            ),
            Self::PasskeyRevoked { label } => format!(
                "The passkey \"{label}\" was removed from your account {username} at {at} UTC.\n\n\
                 If this was not you, contact your administrator at once."
            ),
            Self::RecoveryCodesReplaced => format!(
                "New recovery codes were made for your account {username} at {at} UTC; the old ones no longer work.\n\n\
                 If this was not you, contact your administrator at once."
            ),
        }
    }
}

/// Queues the notice to the account's address, if it has a usable one, in
/// the caller's transaction.
pub(crate) fn notify(
    conn: &mut DbConnection,
    account: &User,
    notice: Notice<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let Some(stored) = account.email.as_deref() else {
        return Ok(());
    };
    let Ok(to) = EmailAddress::parse(stored) else {
        tracing::warn!(user = %account.id, "the account's e-mail address is not usable; no notification sent");
        return Ok(());
    };
    enqueue_email(conn, &to, notice.subject(), &notice.text(account, now), now)?;
    Ok(())
}
