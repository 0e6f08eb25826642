//! E-mail in the transactional outbox: the only way a message is enqueued.
//! A message is written in the transaction that makes the change it
//! announces, so both are committed or neither is; the server's worker
//! delivers it later, at least once.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use latchkey_core::OutboxId;

use crate::{DbConnection, StoreError, outbox};

/// The outbox kind of an e-mail message.
pub const EMAIL_KIND: &str = "email";

/// A recipient address (an RFC 5322 addr-spec, `local@domain`, no display
/// name, no list), parsed at the edge. The delivery side parses it again
/// with the mail library before sending.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(String);

/// An address that [`EmailAddress::parse`] refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the e-mail address is not valid")]
pub struct InvalidEmailAddress;

/// Characters an addr-spec of ours never contains: separators of lists and
/// display names, quoting, comments and routes.
const FORBIDDEN: &[char] = &['<', '>', '(', ')', ',', ';', ':', '"', '[', ']', '\\'];

impl EmailAddress {
    /// Parses an address such as `ada@example.com`. Surrounding whitespace is
    /// ignored; a display name (`Ada <ada@example.com>`), a list, whitespace
    /// or control characters inside are refused.
    pub fn parse(text: &str) -> Result<Self, InvalidEmailAddress> {
        let text = text.trim();
        let mut parts = text.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(InvalidEmailAddress);
        };
        let ok = text.len() <= 254
            && !local.is_empty()
            && local.len() <= 64
            && !domain.is_empty()
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !text
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || FORBIDDEN.contains(&c));
        if ok {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidEmailAddress)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The domain part, after the `@`.
    pub fn domain(&self) -> &str {
        self.0.rsplit('@').next().unwrap_or_default()
    }
}

impl FromStr for EmailAddress {
    type Err = InvalidEmailAddress;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Addresses are personal data: `Debug` (which ends up in logs through
/// `?value` and error chains) shows only the domain.
impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EmailAddress(…@{})", self.domain())
    }
}

/// Enqueues a plain-text e-mail in the outbox, on `conn`: call it inside the
/// transaction that makes the change the message announces. The address is
/// already parsed, so a bad address is refused before anything is written.
pub fn enqueue_email(
    conn: &mut DbConnection,
    to: &EmailAddress,
    subject: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<OutboxId, StoreError> {
    let payload = serde_json::json!({ "to": to.as_str(), "subject": subject, "text": text });
    outbox::enqueue(conn, EMAIL_KIND, &payload, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_only_as_addr_spec() {
        for good in [
            "ada@example.com",
            " ada@example.com ",
            "a.b+c@sub.example.org",
        ] {
            assert!(EmailAddress::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada @example.com",
            "not an address",
            "Ada <ada@example.com>",
            "ada@example.com\r\nBcc: eve@example.com",
            "ada@example.com, eve@example.com",
            "a@b@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_only_the_domain() {
        let a = EmailAddress::parse("ada@example.com").unwrap();
        assert_eq!(format!("{a:?}"), "EmailAddress(…@example.com)");
        assert_eq!(
            InvalidEmailAddress.to_string(),
            "the e-mail address is not valid"
        );
    }
}
