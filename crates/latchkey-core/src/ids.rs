//! Every id is its own type, so a `UserId` can never be passed where a
//! `ClientId` is expected.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ParseError;

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A new, time-ordered id (UUIDv7).
            #[expect(
                clippy::disallowed_methods,
                reason = "the wall clock only orders ids in indexes; no decision reads an id's time"
            )]
            pub fn new() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(id: Uuid) -> Self {
                Self(id)
            }

            pub fn as_uuid(&self) -> Uuid {
                self.0
            }

            pub fn parse(s: &str) -> Result<Self, ParseError> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| ParseError::new($what, s))
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.as_hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
    };
}

uuid_id!(
    /// An account.
    UserId,
    "user id"
);
uuid_id!(
    /// A registered passkey (our row id, not the WebAuthn credential id).
    CredentialId,
    "credential id"
);
uuid_id!(
    /// A group of users.
    GroupId,
    "group id"
);
uuid_id!(
    /// A guarded action: a recovery or a sensitive change under policy.
    GuardedActionId,
    "guarded action id"
);
uuid_id!(
    /// A single-use grant to register a passkey, issued when a guarded action
    /// completes.
    EnrolmentGrantId,
    "enrolment grant id"
);
uuid_id!(
    /// An invitation to create an account.
    InvitationId,
    "invitation id"
);
uuid_id!(
    /// An attestation policy.
    PolicyId,
    "policy id"
);
uuid_id!(
    /// A family of rotated refresh tokens.
    RefreshFamilyId,
    "refresh token family id"
);
uuid_id!(
    /// A message waiting in the transactional outbox.
    OutboxId,
    "outbox message id"
);
uuid_id!(
    /// An audit event.
    AuditEventId,
    "audit event id"
);

/// An OAuth client id. Opaque text chosen at registration.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientId(String);

impl ClientId {
    pub const MAX_LEN: usize = 128;

    /// Accepts 1–128 visible ASCII characters other than space.
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() || s.len() > Self::MAX_LEN || !s.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ParseError::new("client id", s));
        }
        Ok(Self(s.to_owned()))
    }

    /// A fresh random client id.
    pub fn generate() -> Self {
        Self(format!("lk_{}", Uuid::new_v4().simple()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The key id (`kid`) of a token-signing key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SigningKeyId(String);

impl SigningKeyId {
    #[expect(
        clippy::disallowed_methods,
        reason = "the wall clock only orders key ids; no decision reads an id's time"
    )]
    pub fn generate() -> Self {
        Self(Uuid::now_v7().simple().to_string())
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty()
            || s.len() > 64
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(ParseError::new("signing key id", s));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SigningKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_ids_round_trip_through_text() {
        let id = UserId::new();
        assert_eq!(UserId::parse(&id.to_string()), Ok(id));
        assert!(UserId::parse("not-a-uuid").is_err());
    }

    #[test]
    fn client_id_rejects_empty_long_and_spaces() {
        assert!(ClientId::parse("").is_err());
        assert!(ClientId::parse("a b").is_err());
        assert!(ClientId::parse(&"x".repeat(129)).is_err());
        assert!(ClientId::parse("my-app").is_ok());
    }
}
