//! What the account's owner is told by mail when their account changes. The
//! message is enqueued in the transaction that makes the change.

use chrono::{DateTime, Utc};
use latchkey_i18n::{Arg, Locale};
use latchkey_store::mail::{EmailAddress, enqueue_email};
use latchkey_store::users::{self, User};
use latchkey_store::{DbConnection, StoreError};

/// A change the owner is told about.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Notice<'a> {
    PasskeyAdded { label: &'a str },
    PasskeyRevoked { label: &'a str },
    RecoveryCodesReplaced,
}

impl Notice<'_> {
    fn subject(&self, locale: Locale) -> String {
        locale.t(match self {
            Self::PasskeyAdded { .. } => "notice-passkey-added-subject",
            Self::PasskeyRevoked { .. } => "notice-passkey-revoked-subject",
            Self::RecoveryCodesReplaced => "notice-codes-replaced-subject",
        })
    }

    fn text(&self, locale: Locale, account: &User, now: DateTime<Utc>) -> String {
        let when = locale.datetime(now);
        let mut args = vec![
            ("username", Arg::from(&account.username)),
            ("when", when.into()),
        ];
        let (key, advice) = match self {
            Self::PasskeyAdded { label } => {
                args.push(("label", (*label).into()));
                ("notice-passkey-added", "notice-passkey-added-advice")
            }
            Self::PasskeyRevoked { label } => {
                args.push(("label", (*label).into()));
                ("notice-passkey-revoked", "notice-contact-admin")
            }
            Self::RecoveryCodesReplaced => ("notice-codes-replaced", "notice-contact-admin"),
        };
        format!("{}\n\n{}", locale.format(key, &args), locale.t(advice))
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
    let locale = Locale::stored(users::locale(conn, account.user_id()?)?.as_deref());
    enqueue_email(
        conn,
        &to,
        &notice.subject(locale),
        &notice.text(locale, account, now),
        now,
    )?;
    Ok(())
}
