//! What happens to a request (events) and what the service must do about
//! it (effects).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use latchkey_core::{AuditEventKind, HashedToken, Role, UserId};
use serde::{Deserialize, Serialize};

use crate::action::GuardedAction;
use crate::policy::{FactorKind, Revocation};
use crate::state::State;

/// How an out-of-band identity check was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OobMethod {
    /// An identity document checked against the account's records.
    Document,
    VideoCall,
    InPerson,
}

impl OobMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Document => "document",
            Self::VideoCall => "video_call",
            Self::InPerson => "in_person",
        }
    }
}

/// Who cancels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Canceller {
    /// A signed-in user: the account's owner or the requester.
    User(UserId),
    /// Whoever holds the cancel link of the notice (checked by the service).
    Link,
}

/// What happens to a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A factor of `kind` was verified (by the service).
    FactorPresented {
        kind: FactorKind,
    },
    /// A factor of `kind` was wrong.
    FactorFailed {
        kind: FactorKind,
    },
    /// An approver approved with a user-verified assertion made at `uv_at`
    /// whose challenge was `bound_digest`.
    ApprovalGiven {
        approver: UserId,
        approver_roles: Vec<Role>,
        uv_at: DateTime<Utc>,
        bound_digest: [u8; 32],
    },
    /// An approver said no.
    Denied {
        by: UserId,
        by_roles: Vec<Role>,
        uv_at: DateTime<Utc>,
        bound_digest: [u8; 32],
    },
    /// An approver recorded an out-of-band identity check.
    OobRecorded {
        by: UserId,
        by_roles: Vec<Role>,
        method: OobMethod,
        evidence: String,
    },
    Cancelled {
        by: Canceller,
    },
    /// Time passed: advance the delay, expire.
    Tick,
    /// The requester, in `session`, asks to carry the action out.
    Complete {
        session: HashedToken,
    },
}

/// A notice to every channel of the account (mail, security webhook).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// Carries the one-click cancel link.
    Requested,
    Ready,
    Completed,
    Cancelled,
    Denied,
    Expired,
    Locked,
}

impl Notice {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Ready => "ready",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Denied => "denied",
            Self::Expired => "expired",
            Self::Locked => "locked",
        }
    }
}

/// An audited step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub kind: AuditEventKind,
    pub from: State,
    pub to: State,
    /// Why, as a stable code.
    pub reason: &'static str,
}

/// What the service must do, in the transaction that stores the change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    Audit(Step),
    Notify(Notice),
    /// Issue a single-use enrolment grant bound to the requester's session.
    IssueEnrolmentGrant,
    Revoke(BTreeSet<Revocation>),
    /// Carry out the action itself.
    Apply(GuardedAction),
}
