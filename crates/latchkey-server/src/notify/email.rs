//! The e-mail message model: what an outbox row of kind [`EMAIL_KIND`] holds,
//! how it is enqueued next to the change it announces, and how it becomes an
//! RFC 5322 message.
//!
//! This file depends only on the store, core and lettre, so that it can move
//! to a crate the web layer may depend on.

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use latchkey_core::OutboxId;
use latchkey_store::outbox::{self, OutboxMessage};
use latchkey_store::{DbConnection, StoreError, from_db};
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use serde::Deserialize;

use super::MailError;

/// The outbox kind of an e-mail message.
pub const EMAIL_KIND: &str = "email";

/// A recipient address (an RFC 5322 addr-spec, `local@domain`, no display
/// name), parsed at the edge. Holding one means the address was accepted by
/// lettre's parser, so enqueueing cannot fail on it later.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct EmailAddress(lettre::Address);

impl EmailAddress {
    /// Parses an address such as `ada@example.com`. Surrounding whitespace is
    /// ignored; a display name (`Ada <ada@example.com>`) is refused, since
    /// the user chose the address and not what it is called.
    pub fn parse(text: &str) -> Result<Self, MailError> {
        text.trim()
            .parse::<lettre::Address>()
            .map(Self)
            .map_err(MailError::InvalidAddress)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_ref()
    }

    /// The domain part, after the `@`.
    pub fn domain(&self) -> &str {
        self.0.domain()
    }
}

impl FromStr for EmailAddress {
    type Err = MailError;

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

/// The JSON payload of an outbox row of kind [`EMAIL_KIND`].
#[derive(Deserialize)]
struct EmailPayload {
    to: String,
    subject: String,
    text: String,
}

/// Enqueues a plain-text e-mail in the outbox, on `conn`: call it inside the
/// transaction that makes the change the message announces, so that both
/// are committed or neither is. The worker delivers it later, at least once.
///
/// The address is already parsed ([`EmailAddress::parse`]), so a bad address
/// is refused before anything is written.
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

/// An e-mail ready to send, read back from the outbox.
#[derive(Clone)]
pub struct Email {
    /// The outbox id; also the local part of the `Message-ID`, so a message
    /// sent twice (delivery is at least once) is recognisably the same.
    pub id: String,
    pub to: EmailAddress,
    pub subject: String,
    /// Plain text. May hold a one-time link: never logged.
    pub text: String,
    /// When the message was enqueued; the `Date` header.
    pub date: DateTime<Utc>,
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Email")
            .field("id", &self.id)
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("text", &"<redacted>")
            .finish()
    }
}

impl Email {
    /// Reads an e-mail from an outbox row of kind [`EMAIL_KIND`]. The address
    /// is parsed again: rows may have been written by another version.
    pub fn from_outbox(message: &OutboxMessage) -> Result<Self, MailError> {
        let payload: EmailPayload =
            serde_json::from_str(&message.payload).map_err(MailError::BadPayload)?;
        Ok(Self {
            id: message.id.clone(),
            to: EmailAddress::parse(&payload.to)?,
            subject: payload.subject,
            text: payload.text,
            date: from_db(message.created_at),
        })
    }

    /// Builds the RFC 5322 message from `from`. The subject is encoded by
    /// lettre (RFC 2047 where needed), so line breaks in it cannot add
    /// headers.
    pub fn to_message(&self, from: &Mailbox) -> Result<Message, MailError> {
        Message::builder()
            .from(from.clone())
            .to(Mailbox::new(None, self.to.0.clone()))
            .subject(self.subject.clone())
            .date(SystemTime::from(self.date))
            .message_id(Some(format!("<{}@{}>", self.id, from.email.domain())))
            .header(ContentType::TEXT_PLAIN)
            .body(self.text.clone())
            .map_err(MailError::Build)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email(subject: &str, text: &str) -> Email {
        Email {
            id: "0190a0b0-0000-7000-8000-000000000001".into(),
            to: EmailAddress::parse("ada@example.com").unwrap(),
            subject: subject.into(),
            text: text.into(),
            date: DateTime::from_timestamp(1_893_456_000, 0).unwrap(),
        }
    }

    fn from() -> Mailbox {
        "Latchkey <latchkey@localhost>".parse().unwrap()
    }

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
            "Ada <ada@example.com>",
            "ada@example.com\r\nBcc: eve@example.com",
            "ada@example.com, eve@example.com",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn debug_shows_neither_the_address_nor_the_body() {
        let e = email("Hi", "secret link https://x/abc");
        let shown = format!("{e:?}");
        assert!(!shown.contains("ada@"), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("example.com"), "{shown}");
    }

    #[test]
    fn a_line_break_in_the_subject_cannot_add_a_header() {
        let raw = email("Hi\r\nBcc: eve@example.com", "body")
            .to_message(&from())
            .unwrap()
            .formatted();
        let raw = String::from_utf8(raw).unwrap();
        let headers = raw.split("\r\n\r\n").next().unwrap();
        assert!(!headers.lines().any(|l| l.starts_with("Bcc:")), "{headers}");
    }

    #[test]
    fn message_has_the_headers_and_a_stable_message_id() {
        let raw = email("Welcome", "Hello Ada")
            .to_message(&from())
            .unwrap()
            .formatted();
        let raw = String::from_utf8(raw).unwrap();
        assert!(
            raw.contains("From: Latchkey <latchkey@localhost>\r\n"),
            "{raw}"
        );
        assert!(raw.contains("To: ada@example.com\r\n"), "{raw}");
        assert!(raw.contains("Subject: Welcome\r\n"), "{raw}");
        assert!(
            raw.contains("Date: Tue, 01 Jan 2030 00:00:00 +0000\r\n"),
            "{raw}"
        );
        assert!(
            raw.contains("Message-ID: <0190a0b0-0000-7000-8000-000000000001@localhost>\r\n"),
            "{raw}"
        );
        assert!(raw.ends_with("\r\n\r\nHello Ada"), "{raw}");
    }
}
