//! The e-mail message model on the delivery side: what an outbox row of
//! kind [`EMAIL_KIND`] holds and how it becomes an RFC 5322 message. Mail is
//! enqueued only through the store's typed
//! [`enqueue_email`](latchkey_store::mail::enqueue_email).

use std::fmt;
use std::time::SystemTime;

use chrono::{DateTime, Utc};
use latchkey_store::from_db;
pub use latchkey_store::mail::{EMAIL_KIND, EmailAddress, enqueue_email};
use latchkey_store::outbox::OutboxMessage;
use lettre::Message;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use serde::Deserialize;

use super::MailError;

/// The JSON payload of an outbox row of kind [`EMAIL_KIND`].
#[derive(Deserialize)]
struct EmailPayload {
    to: String,
    subject: String,
    text: String,
}

/// Parses an address for sending: the store's rules, then the mail
/// library's (both must accept it).
fn sendable(text: &str) -> Result<(EmailAddress, lettre::Address), MailError> {
    let address = EmailAddress::parse(text).map_err(|_| MailError::InvalidAddress(None))?;
    let lettre = address
        .as_str()
        .parse::<lettre::Address>()
        .map_err(|e| MailError::InvalidAddress(Some(e)))?;
    Ok((address, lettre))
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
            to: sendable(&payload.to)?.0,
            subject: payload.subject,
            text: payload.text,
            date: from_db(message.created_at),
        })
    }

    /// Builds the RFC 5322 message from `from`. The subject is encoded by
    /// lettre (RFC 2047 where needed), so line breaks in it cannot add
    /// headers.
    pub fn to_message(&self, from: &Mailbox) -> Result<Message, MailError> {
        let (_, to) = sendable(self.to.as_str())?;
        Message::builder()
            .from(from.clone())
            .to(Mailbox::new(None, to))
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
