//! The values the engine's calls take and give.

use chrono::{DateTime, Utc};
use latchkey_core::{CredentialId, GuardedActionId, PlainToken, Secret, UserId};

use crate::action::GuardedAction;
use crate::machine::{OobMethod, Request};

/// Where a call comes from, for the audit log and per-address limits.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    /// The HTTP request's id (`X-Request-Id`), kept with the audit events.
    pub request_id: Option<String>,
}

/// A new request.
#[derive(Debug, Clone)]
pub struct NewRequest {
    pub action: GuardedAction,
    /// The account the change is for.
    pub subject: UserId,
    /// The signed-in account asking; `None` for a recovery.
    pub requester: Option<UserId>,
    /// The handle of the requester's browser session: completion, the
    /// e-mail factor and the enrolment grant are bound to it.
    pub session_handle: String,
}

/// A request was made.
#[derive(Debug)]
pub struct Requested {
    pub request: Request,
    /// The one-click cancel link's token (also in the notice already
    /// enqueued). Shown to nobody else.
    pub cancel_token: PlainToken,
}

/// A verified, user-verified passkey assertion offered as a factor.
#[derive(Debug, Clone)]
pub struct PasskeyFact {
    pub user: UserId,
    pub credential: CredentialId,
    pub uv_at: DateTime<Utc>,
}

/// A verified, user-verified assertion by an approver, whose challenge was
/// `bound_digest` — [`crate::approval_challenge`] of the request for the
/// approval to count.
#[derive(Debug, Clone)]
pub struct ApproverAssertion {
    pub approver: UserId,
    pub credential: CredentialId,
    pub uv_at: DateTime<Utc>,
    pub bound_digest: [u8; 32],
}

/// An out-of-band identity check, recorded by an approver signed in with a
/// fresh user-verified assertion.
#[derive(Debug, Clone)]
pub struct OobCheck {
    pub recorder: UserId,
    pub credential: CredentialId,
    pub uv_at: DateTime<Utc>,
    pub method: OobMethod,
    /// What was checked, for the reviewers (never a document number in full).
    pub evidence: String,
}

/// What completing a request did, and what the caller still has to do.
#[derive(Debug)]
pub struct Completion {
    pub request: Request,
    /// The single-use enrolment grant for the requester's session (recovery,
    /// new passkey): redeem it with [`crate::GuardedActions::redeem_enrolment_grant`]
    /// before registering the passkey.
    pub enrolment_grant: Option<PlainToken>,
    /// New recovery codes, to show once.
    pub recovery_codes: Option<Secret<Vec<String>>>,
    /// The caller must end every browser session of the subject.
    pub end_sessions: bool,
    pub passkeys_revoked: Vec<CredentialId>,
    pub refresh_families_revoked: usize,
}

/// A redeemed enrolment grant: register a passkey for `user` now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemedGrant {
    pub user: UserId,
    pub request: Option<GuardedActionId>,
}

/// What a pass of [`crate::GuardedActions::tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Requests claimed as due.
    pub examined: usize,
    /// Requests whose state changed.
    pub changed: usize,
    pub expired: usize,
    pub ready: usize,
}
