//! Why an account operation did not happen, with a stable reason code.

use latchkey_passkey::PasskeyError;
use latchkey_passkey::mds::MdsError;
use latchkey_session::SessionError;
use latchkey_store::StoreError;

/// An account operation that was refused or failed.
///
/// Messages are sentences a person can read; [`AccountsError::code`] is the
/// stable code for logs, metrics and API answers. Whether a failure is the
/// client's or ours is [`AccountsError::is_internal`].
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    /// A WebAuthn ceremony failed; the reason code is the passkey crate's.
    #[error(transparent)]
    Passkey(#[from] PasskeyError),
    /// The ceremony id is unknown, used or expired.
    #[error("This sign-in request has expired or was already used. Try again.")]
    ChallengeExpired,
    /// A rate limit was exceeded; try again after `retry_after` seconds.
    #[error("Too many attempts. Try again in {retry_after} seconds.")]
    RateLimited {
        limit: &'static str,
        retry_after: u64,
    },
    #[error("This account is disabled.")]
    AccountDisabled,
    /// The passkey is flagged as a possible clone and may not sign in until
    /// its owner or an administrator clears the flag.
    #[error(
        "This passkey may have been copied, so it cannot be used to sign in. Use another passkey, or ask an administrator."
    )]
    CloneSuspected,
    /// A ceremony was finished in another session than the one that began it.
    #[error("{0}")]
    SessionMismatch(&'static str),
    /// A step-up with a passkey of another account.
    #[error("That passkey belongs to another account.")]
    WrongAccount,
    /// A sensitive change needs a fresh user-verified assertion first.
    #[error("Confirm with your passkey to continue.")]
    StepUpRequired,
    /// Bad user input, before anything was looked at.
    #[error("{message}")]
    InvalidInput {
        code: &'static str,
        message: &'static str,
    },
    #[error("This username is taken; choose another.")]
    UsernameTaken,
    /// The enrolment grant (bootstrap link, invitation) is not valid.
    #[error("{0}")]
    GrantGone(&'static str),
    #[error("Self-service sign-up is not enabled on this instance.")]
    SelfSignupDisabled,
    #[error("Unknown kind of enrolment.")]
    UnknownGrant,
    /// The thing does not exist, or is not the caller's.
    #[error("{0} was not found")]
    NotFound(&'static str),
    /// Revoking the last passkey while no recovery code is left would lock
    /// the account out.
    #[error(
        "That is your only passkey and you have no recovery codes left: make new recovery codes or add another passkey first."
    )]
    LastPasskey,
    /// Only an administrator may do this.
    #[error("Only an administrator can do this.")]
    AdminRequired,
    /// The admin console is for holders of the approver or admin role.
    #[error("Only approvers and administrators can use the admin console.")]
    ApproverRequired,
    /// A passkey does not meet an attestation policy that applies: a
    /// registration refused (nothing stored), or a sign-in to a client whose
    /// policy it does not meet. `violations` name each rule broken and what
    /// would satisfy it (empty: the account has no passkey that complies).
    #[error("{}", policy_message(policy, violations))]
    PolicyRefused {
        policy: String,
        violations: Vec<latchkey_passkey::Violation>,
    },
    /// The change relaxes an attestation policy: it was not saved, and
    /// needs approval through the guarded-action engine, which applies
    /// `change` once the request completes.
    #[error(
        "This change relaxes an attestation policy, so it needs approval: ask for it in the admin console (Policies), where approvers see it."
    )]
    NeedsApproval { change: serde_json::Value },
    /// The guarded-action engine refused a change; nothing changed.
    #[error("{0}")]
    Refused(latchkey_recovery::Refusal),
    /// A branding value was refused; nothing changed.
    #[error(transparent)]
    Branding(latchkey_core::branding::BrandingError),
    /// A FIDO metadata blob was refused; nothing of it was stored.
    #[error(transparent)]
    Metadata(#[from] MdsError),
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("the session store failed")]
    Session(#[from] SessionError),
    #[error("{0}")]
    Internal(String),
}

impl AccountsError {
    /// A stable, lowercase code for logs, metrics and API answers.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Passkey(e) => e.reason_code(),
            Self::ChallengeExpired => "challenge_expired",
            Self::RateLimited { .. } => "rate_limited",
            Self::AccountDisabled => "account_disabled",
            Self::CloneSuspected => "clone_suspected",
            Self::SessionMismatch(_) => "session_mismatch",
            Self::WrongAccount => "wrong_account",
            Self::StepUpRequired => "step_up_required",
            Self::InvalidInput { code, .. } => code,
            Self::UsernameTaken => "username_taken",
            Self::GrantGone(_) => "grant_gone",
            Self::SelfSignupDisabled => "self_signup_disabled",
            Self::UnknownGrant => "invalid_grant",
            Self::NotFound(_) => "not_found",
            Self::LastPasskey => "last_passkey",
            Self::AdminRequired => "admin_required",
            Self::ApproverRequired => "approver_required",
            Self::Metadata(e) => e.code(),
            Self::Branding(_) => "invalid_branding",
            Self::PolicyRefused { .. } => "attestation_policy_refused",
            Self::NeedsApproval { .. } => "needs_approval",
            Self::Refused(r) => r.code(),
            Self::Store(_) | Self::Session(_) | Self::Internal(_) => "internal",
        }
    }

    /// Whether the failure is ours rather than the client's.
    pub fn is_internal(&self) -> bool {
        match self {
            Self::Passkey(e) => e.is_internal(),
            Self::Store(_) | Self::Session(_) | Self::Internal(_) => true,
            _ => false,
        }
    }

    pub(crate) fn invalid(code: &'static str, message: &'static str) -> Self {
        Self::InvalidInput { code, message }
    }
}

fn policy_message(policy: &str, violations: &[latchkey_passkey::Violation]) -> String {
    let mut out = if policy.is_empty() {
        "The attestation policy that applies refuses this.".to_owned()
    } else {
        format!("The attestation policy \"{policy}\" refuses this.")
    };
    if violations.is_empty() {
        out.push_str(" None of the account's passkeys does.");
    }
    for v in violations {
        out.push_str(&format!(
            " [{}] {} {}",
            v.rule.code(),
            v.found.text(),
            v.required.text()
        ));
    }
    out
}

impl From<latchkey_oidc::refresh::RefreshError> for AccountsError {
    fn from(e: latchkey_oidc::refresh::RefreshError) -> Self {
        match e {
            latchkey_oidc::refresh::RefreshError::Store(e) => Self::Store(e),
            other => Self::Internal(other.to_string()),
        }
    }
}
