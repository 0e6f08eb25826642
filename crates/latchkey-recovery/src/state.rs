//! The states of a request, and the reasons a request refuses an event.

use std::fmt;
use std::str::FromStr;

use latchkey_core::ParseError;
use serde::{Deserialize, Serialize};

/// Where a request is. Stored as text in `guarded_actions.state`.
///
/// ```text
/// requested → verifying_factors → waiting → awaiting_approvals → ready → completed
///        ╲            ╲               ╲              ╲              ╲
///         cancelled / denied / expired / locked (final)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Created and announced; no factor shown yet.
    Requested,
    /// Some factors shown, not all the policy asks for.
    VerifyingFactors,
    /// Factors verified; the delay runs until `eligible_at`.
    Waiting,
    /// The delay is over; approvals or the out-of-band check are missing.
    AwaitingApprovals,
    /// Everything the policy asks for is there; the requester may complete.
    Ready,
    Completed,
    /// Cancelled by the account's owner (signed in, or by the link in a
    /// notice) or by the requester.
    Cancelled,
    /// An approver said no.
    Denied,
    /// Not completed within its lifetime.
    Expired,
    /// Too many wrong factors.
    Locked,
}

impl State {
    pub const ALL: [State; 10] = [
        Self::Requested,
        Self::VerifyingFactors,
        Self::Waiting,
        Self::AwaitingApprovals,
        Self::Ready,
        Self::Completed,
        Self::Cancelled,
        Self::Denied,
        Self::Expired,
        Self::Locked,
    ];

    /// The states a request can still leave.
    pub const OPEN: [State; 5] = [
        Self::Requested,
        Self::VerifyingFactors,
        Self::Waiting,
        Self::AwaitingApprovals,
        Self::Ready,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::VerifyingFactors => "verifying_factors",
            Self::Waiting => "waiting",
            Self::AwaitingApprovals => "awaiting_approvals",
            Self::Ready => "ready",
            Self::Completed => "completed",
            Self::Cancelled => "cancelled",
            Self::Denied => "denied",
            Self::Expired => "expired",
            Self::Locked => "locked",
        }
    }

    /// Whether nothing can change the request any more.
    pub fn is_final(self) -> bool {
        !Self::OPEN.contains(&self)
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for State {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| ParseError::new("guarded action state", s))
    }
}

macro_rules! refusals {
    ($($(#[$doc:meta])* $variant:ident $({ $($field:ident : $ty:ty),* })? => $code:literal, $msg:literal;)+) => {
        /// Why the engine refused. Nothing changed when it did.
        #[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
        pub enum Refusal {
            $($(#[$doc])* #[error($msg)] $variant $({ $($field: $ty),* })?,)+
        }

        impl Refusal {
            /// A stable, machine-readable reason code (for logs, metrics
            /// and the web layer's error pages).
            pub fn code(&self) -> &'static str {
                match self {
                    $(Self::$variant { .. } => $code,)+
                }
            }
        }
    };
}

refusals! {
    /// The request reached a final state; nothing changes it any more.
    Final { state: State } => "final", "the request is already {state}";
    /// The request outlived its lifetime.
    Expired {} => "expired", "the request has expired";
    /// The factors the policy asks for have not all been shown.
    FactorsIncomplete {} => "factors_incomplete", "not every required factor has been verified";
    /// The factors were verified already; no more are taken.
    FactorsComplete {} => "factors_complete", "the factors have already been verified";
    /// The policy does not accept this kind of factor for this request.
    FactorKindNotAllowed {} => "factor_kind_not_allowed", "this kind of factor does not count for this request";
    /// This kind of factor was shown already: factors must be independent.
    FactorAlreadyVerified {} => "factor_already_verified", "this kind of factor has already been verified";
    /// The delay has not run out.
    NotYetEligible {} => "not_yet_eligible", "the waiting period has not ended";
    /// Not enough distinct approvals yet.
    ApprovalsIncomplete { have: u8, need: u8 } => "approvals_incomplete", "{have} of {need} approvals given";
    /// The policy asks for an out-of-band identity check that is not recorded.
    OutOfBandCheckMissing {} => "out_of_band_check_missing", "the out-of-band identity check has not been recorded";
    /// The policy for this request needs no approvals.
    ApprovalNotRequired {} => "approval_not_required", "this request needs no approval";
    /// Approvals are taken once the factors are verified.
    NotYetApprovable {} => "not_yet_approvable", "the request cannot be approved before its factors are verified";
    /// Every approval needed is there already.
    ApprovalsComplete {} => "approvals_complete", "the request has every approval it needs";
    /// The approver asked for this change.
    ApproverIsRequester {} => "approver_is_requester", "the requester cannot approve or decide their own request";
    /// The approver is the account the change is for.
    ApproverIsSubject {} => "approver_is_subject", "nobody can approve or decide a request for their own account";
    /// The approver does not hold the role the policy names.
    ApproverLacksRole {} => "approver_lacks_role", "the approver does not hold the role this request needs";
    /// The approver's user-verified assertion is not recent.
    ApprovalNotFresh {} => "approval_not_fresh", "the approver's passkey verification is not recent enough";
    /// The approver's assertion was made for another request (or another action).
    ApprovalBoundElsewhere {} => "approval_bound_elsewhere", "the approval was signed for another request";
    /// This approver approved this request already: an approval counts once.
    AlreadyApproved {} => "already_approved", "this approver has already approved this request";
    /// The policy asks for no out-of-band check and does not count one as a factor.
    OutOfBandNotUsed {} => "out_of_band_not_used", "this request takes no out-of-band check";
    /// An out-of-band check is already recorded.
    OutOfBandAlreadyRecorded {} => "out_of_band_already_recorded", "an out-of-band check is already recorded";
    /// The out-of-band check carries no evidence.
    EvidenceMissing {} => "evidence_missing", "the out-of-band check needs a description of the evidence";
    /// Only the account's owner or the requester may cancel.
    NotOwner {} => "not_owner", "only the account's owner or the requester can cancel this request";
    /// Completion must come from the browser session that made the request.
    SessionMismatch {} => "session_mismatch", "the request can only be completed in the browser session that made it";
    /// The cancel link is unknown, used, or its request is over.
    CancelLinkInvalid {} => "cancel_link_invalid", "this cancel link is not valid any more";
    /// A one-time link is unknown, used or expired.
    LinkInvalid {} => "link_invalid", "this link is not valid any more";
    /// The enrolment grant is unknown, used, expired, or for another session.
    GrantInvalid {} => "grant_invalid", "this enrolment grant is not valid";
    /// No such request (or not one the caller may see).
    NotFound {} => "not_found", "no such request";
    /// The account is disabled or does not exist.
    AccountUnavailable {} => "account_unavailable", "the account is disabled or does not exist";
    /// Too few accounts could approve: the request would wait until it expired.
    PolicyCannotBeMet { required: u8, available: u64 } => "policy_cannot_be_met", "the policy needs {required} approvers but only {available} could approve";
    /// A factor was wrong; the request counts it.
    WrongFactor { attempts_left: u32 } => "wrong_factor", "the factor was not accepted ({attempts_left} attempts left)";
    /// The factor was wrong and that was the last attempt: the request is locked.
    LockedNow {} => "locked", "too many wrong attempts: the request is locked";
    /// Too many attempts for this account or address recently.
    RateLimited {} => "rate_limited", "too many attempts; try again later";
    /// The passkey shown is not an active passkey of the right account.
    PasskeyNotAccepted {} => "passkey_not_accepted", "this passkey does not count for this request";
    /// The account has no verified address to send a link to.
    NoVerifiedEmail {} => "no_verified_email", "the account has no verified email address";
    /// The action's parameters do not fit the account (unknown passkey, bad address).
    InvalidAction {} => "invalid_action", "the requested change is not possible for this account";
    /// A policy that is not valid on its own or makes a tier weaker than the one below it.
    PolicyNotValid {} => "policy_not_valid", "the policy is not valid";
    /// The policy asked for is the one in force.
    PolicyUnchanged {} => "policy_unchanged", "the policy is already in force";
    /// A policy change of a kind the engine does not know, or malformed.
    UnknownPolicyChange {} => "unknown_policy_change", "the engine does not know how to apply this kind of policy change";
    /// The policy (or the target) changed since the change was asked for.
    StalePolicyChange {} => "stale_policy_change", "the policy changed since this request was made; ask for the change again";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_exactly_five_are_open() {
        for s in State::ALL {
            assert_eq!(s.as_str().parse::<State>(), Ok(s));
        }
        assert_eq!(State::ALL.iter().filter(|s| !s.is_final()).count(), 5);
        assert!(State::Completed.is_final());
        assert!(State::Locked.is_final());
        assert!(!State::Ready.is_final());
    }

    #[test]
    fn refusals_have_codes_and_sentences() {
        let r = Refusal::ApprovalsIncomplete { have: 1, need: 2 };
        assert_eq!(r.code(), "approvals_incomplete");
        assert_eq!(r.to_string(), "1 of 2 approvals given");
        assert_eq!(
            Refusal::Final {
                state: State::Cancelled
            }
            .to_string(),
            "the request is already cancelled"
        );
    }
}
