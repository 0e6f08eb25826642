//! The guarded actions: what a request asks to do, and the digest an
//! approval is bound to.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use latchkey_core::{AccountTier, CredentialId, GuardedActionId, ParseError, Role, UserId};
use ring::digest;
use serde::{Deserialize, Serialize};

/// The kinds of guarded action. Stored as text in `guarded_actions.action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    /// Every passkey is lost: prove who you are another way and register a
    /// new one.
    RecoverAccount,
    AddPasskey,
    RemovePasskey,
    RegenerateRecoveryCodes,
    ChangeEmail,
    /// Grant the admin or approver role.
    GrantRole,
    ChangeTier,
    /// Relax a security policy of the instance.
    WeakenPolicy,
    /// Lift an administrator's disablement of the account.
    EnableAccount,
}

impl ActionKind {
    pub const ALL: [ActionKind; 9] = [
        Self::RecoverAccount,
        Self::AddPasskey,
        Self::RemovePasskey,
        Self::RegenerateRecoveryCodes,
        Self::ChangeEmail,
        Self::GrantRole,
        Self::ChangeTier,
        Self::WeakenPolicy,
        Self::EnableAccount,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecoverAccount => "recover_account",
            Self::AddPasskey => "add_passkey",
            Self::RemovePasskey => "remove_passkey",
            Self::RegenerateRecoveryCodes => "regenerate_recovery_codes",
            Self::ChangeEmail => "change_email",
            Self::GrantRole => "grant_role",
            Self::ChangeTier => "change_tier",
            Self::WeakenPolicy => "weaken_policy",
            Self::EnableAccount => "enable_account",
        }
    }

    /// Whether completion hands out an enrolment grant to register a passkey.
    pub fn enrols_a_passkey(self) -> bool {
        matches!(self, Self::RecoverAccount | Self::AddPasskey)
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActionKind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| ParseError::new("guarded action", s))
    }
}

/// A guarded action with its parameters. The parameters are stored as JSON
/// in `guarded_actions.payload`, the kind in `guarded_actions.action`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum GuardedAction {
    RecoverAccount,
    AddPasskey,
    RemovePasskey {
        credential: CredentialId,
    },
    RegenerateRecoveryCodes,
    /// The new address. The web layer parses it before asking.
    ChangeEmail {
        new_email: String,
    },
    GrantRole {
        role: Role,
    },
    ChangeTier {
        tier: AccountTier,
    },
    /// The policy change (`crate::policy_changes`): a JSON object whose
    /// `kind` names what it changes. The engine applies it in the
    /// transaction that completes the request.
    WeakenPolicy {
        change: serde_json::Value,
    },
    /// Re-enables a disabled account (disabling is immediate; undoing it
    /// gives access back, so other people approve it).
    EnableAccount,
}

impl GuardedAction {
    pub fn kind(&self) -> ActionKind {
        match self {
            Self::RecoverAccount => ActionKind::RecoverAccount,
            Self::AddPasskey => ActionKind::AddPasskey,
            Self::RemovePasskey { .. } => ActionKind::RemovePasskey,
            Self::RegenerateRecoveryCodes => ActionKind::RegenerateRecoveryCodes,
            Self::ChangeEmail { .. } => ActionKind::ChangeEmail,
            Self::GrantRole { .. } => ActionKind::GrantRole,
            Self::ChangeTier { .. } => ActionKind::ChangeTier,
            Self::WeakenPolicy { .. } => ActionKind::WeakenPolicy,
            Self::EnableAccount => ActionKind::EnableAccount,
        }
    }

    /// The stored form of the parameters (`payload`), the kind included.
    pub fn to_payload(&self) -> String {
        serde_json::to_value(self)
            .map(|v| v.to_string())
            .unwrap_or_else(|_| format!("{{\"action\":\"{}\"}}", self.kind()))
    }

    /// Reads the stored parameters back, checking they are of `kind`.
    pub fn from_payload(kind: ActionKind, payload: &str) -> Result<Self, ParseError> {
        let action: GuardedAction = serde_json::from_str(payload)
            .map_err(|_| ParseError::new("action payload", payload))?;
        if action.kind() != kind {
            return Err(ParseError::new("action payload", payload));
        }
        Ok(action)
    }
}

/// What an approval is about: the request, its action and parameters, whose
/// account, who asked and when. Computed from the stored request, so an
/// approver approves exactly what was stored, and an approval for one
/// request does not fit another.
pub fn action_digest(
    id: GuardedActionId,
    action: &GuardedAction,
    subject: UserId,
    requester: Option<UserId>,
    created_at: DateTime<Utc>,
) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    let requester = requester.map(|r| r.to_string()).unwrap_or_default();
    let created = created_at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let payload = action.to_payload();
    for field in [
        "latchkey.guarded-action.v1",
        &id.to_string(),
        &subject.to_string(),
        &requester,
        &created,
        &payload,
    ] {
        // Length-prefixed, so no two field lists hash alike.
        ctx.update(&(field.len() as u64).to_be_bytes());
        ctx.update(field.as_bytes());
    }
    to_array(ctx.finish())
}

/// The WebAuthn challenge of an approval (or denial) of request `id`: the
/// web layer uses it as the challenge of the approver's assertion, and the
/// engine accepts the approval only when the challenge the assertion was
/// bound to is this value for the request being approved. An approval can
/// thus not be replayed onto another request, nor onto a request whose
/// action was changed after the approver saw it.
pub fn approval_challenge(id: GuardedActionId, action_digest: &[u8; 32]) -> [u8; 32] {
    let mut ctx = digest::Context::new(&digest::SHA256);
    ctx.update(b"latchkey.guarded-action.approval.v1");
    ctx.update(id.as_uuid().as_bytes());
    ctx.update(action_digest);
    to_array(ctx.finish())
}

fn to_array(d: digest::Digest) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t() -> DateTime<Utc> {
        DateTime::from_timestamp(1_893_456_000, 0).unwrap()
    }

    #[test]
    fn action_kinds_round_trip_through_text() {
        for k in ActionKind::ALL {
            assert_eq!(k.as_str().parse::<ActionKind>(), Ok(k));
        }
        assert!("reset_password".parse::<ActionKind>().is_err());
    }

    #[test]
    fn payload_round_trips_and_must_match_its_kind() {
        let a = GuardedAction::GrantRole {
            role: Role::Approver,
        };
        let stored = a.to_payload();
        assert_eq!(
            GuardedAction::from_payload(ActionKind::GrantRole, &stored),
            Ok(a)
        );
        assert!(GuardedAction::from_payload(ActionKind::ChangeTier, &stored).is_err());
        assert!(GuardedAction::from_payload(ActionKind::GrantRole, "{").is_err());
    }

    #[test]
    fn approval_challenge_differs_per_request_and_per_action() {
        let (a, b) = (GuardedActionId::new(), GuardedActionId::new());
        let user = UserId::new();
        let da = action_digest(a, &GuardedAction::RecoverAccount, user, None, t());
        let db = action_digest(b, &GuardedAction::RecoverAccount, user, None, t());
        assert_ne!(approval_challenge(a, &da), approval_challenge(b, &db));
        assert_ne!(approval_challenge(a, &da), approval_challenge(b, &da));
        let changed = action_digest(
            a,
            &GuardedAction::ChangeEmail {
                new_email: "eve@example.test".into(),
            },
            user,
            None,
            t(),
        );
        assert_ne!(da, changed);
        assert_eq!(
            approval_challenge(a, &da),
            approval_challenge(
                a,
                &action_digest(a, &GuardedAction::RecoverAccount, user, None, t())
            )
        );
    }
}
