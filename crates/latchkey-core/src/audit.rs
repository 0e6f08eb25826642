//! The kinds of event the hash-chained audit log records. Stored as text; an
//! unknown kind read back from storage is an error, not a silent default.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ParseError;

macro_rules! audit_kinds {
    ($($variant:ident => $text:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum AuditEventKind {
            $($variant),+
        }

        impl AuditEventKind {
            pub const ALL: &'static [AuditEventKind] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }
    };
}

audit_kinds! {
    InstanceInitialised => "instance.initialised",
    MasterKeyCreated => "instance.master_key_created",
    SigningKeyCreated => "signing_key.created",
    SigningKeyActivated => "signing_key.activated",
    SigningKeyRetired => "signing_key.retired",
    AdminBootstrapIssued => "admin.bootstrap_issued",
    AdminBootstrapped => "admin.bootstrapped",
    UserCreated => "user.created",
    UserDisabled => "user.disabled",
    UserEnabled => "user.enabled",
    UserRoleGranted => "user.role_granted",
    UserTierChanged => "user.tier_changed",
    InvitationCreated => "invitation.created",
    InvitationAccepted => "invitation.accepted",
    PasskeyRegistered => "passkey.registered",
    PasskeyRenamed => "passkey.renamed",
    PasskeyRevoked => "passkey.revoked",
    PasskeyCloneSuspected => "passkey.clone_suspected",
    PasskeyCloneFlagCleared => "passkey.clone_flag_cleared",
    SignInSucceeded => "sign_in.succeeded",
    SignInFailed => "sign_in.failed",
    SessionsRevoked => "sessions.revoked",
    SessionEnded => "session.ended",
    RecoveryCodesGenerated => "recovery_codes.generated",
    RecoveryCodeUsed => "recovery_codes.used",
    ClientCreated => "client.created",
    ClientUpdated => "client.updated",
    ClientSecretRotated => "client.secret_rotated",
    AuditExported => "audit.exported",
    ConsoleRefused => "console.refused",
    GuardedActionRequested => "guarded_action.requested",
    GuardedActionTransitioned => "guarded_action.transitioned",
    ApprovalRecorded => "guarded_action.approval_recorded",
    OutOfBandCheckRecorded => "guarded_action.oob_recorded",
    GuardedActionFactorVerified => "guarded_action.factor_verified",
    GuardedActionFactorFailed => "guarded_action.factor_failed",
    GuardedActionCancelled => "guarded_action.cancelled",
    GuardedActionDenied => "guarded_action.denied",
    GuardedActionExpired => "guarded_action.expired",
    GuardedActionLocked => "guarded_action.locked",
    GuardedActionCompleted => "guarded_action.completed",
    GuardedActionNotified => "guarded_action.notified",
    EnrolmentGrantIssued => "enrolment_grant.issued",
    EnrolmentGrantRedeemed => "enrolment_grant.redeemed",
    PolicyChanged => "policy.changed",
    RecoveryPolicyInitialised => "recovery_policy.initialised",
    RecoveryPolicyChanged => "recovery_policy.changed",
    SettingChanged => "setting.changed",
    RefreshFamilyRevoked => "refresh_family.revoked",
    ConsentGranted => "consent.granted",
    ConsentRevoked => "consent.revoked",
    MetadataImported => "metadata.imported",
    AttestationPolicySaved => "attestation_policy.saved",
    AttestationPolicyAssigned => "attestation_policy.assigned",
    AttestationPolicyUnassigned => "attestation_policy.unassigned",
    GroupCreated => "group.created",
    GroupMemberAdded => "group.member_added",
    GroupMemberRemoved => "group.member_removed",
    EmailVerificationSent => "email.verification_sent",
    EmailVerified => "email.verified",
}

impl fmt::Display for AuditEventKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AuditEventKind {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ParseError::new("audit event kind", s))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_kind_has_a_unique_text_that_parses_back() {
        let mut seen = HashSet::new();
        for k in AuditEventKind::ALL {
            assert!(seen.insert(k.as_str()), "duplicate {}", k.as_str());
            assert_eq!(k.as_str().parse::<AuditEventKind>(), Ok(*k));
        }
    }
}
