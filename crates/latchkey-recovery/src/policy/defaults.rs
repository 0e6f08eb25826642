//! The built-in policies (DESIGN §6): what every (tier, action) pair asks
//! for until the configuration file or an administrator changes it.

use std::collections::BTreeSet;

use chrono::Duration;
use latchkey_core::{AccountTier, Role};

use super::{FactorKind, Policy, Revocation};
use crate::action::ActionKind;

fn kinds(list: &[FactorKind]) -> BTreeSet<FactorKind> {
    list.iter().copied().collect()
}

pub(super) fn default_policy(tier: AccountTier, action: ActionKind) -> Policy {
    use AccountTier::{Critical, Elevated, Standard};
    use FactorKind::{EmailLink, OutOfBand, Passkey, RecoveryCode};
    let all_revocations: BTreeSet<Revocation> = [
        Revocation::OtherPasskeys,
        Revocation::Sessions,
        Revocation::RefreshFamilies,
    ]
    .into_iter()
    .collect();
    // Sensitive changes asked for in a signed-in session: the step-up
    // passkey assertion is the factor; higher tiers add a cooling-off delay.
    let cooling_off = match tier {
        Standard => Duration::zero(),
        Elevated => Duration::hours(24),
        Critical => Duration::hours(72),
    };
    let lifetime = match tier {
        Standard => Duration::days(7),
        Elevated => Duration::days(14),
        Critical => Duration::days(21),
    };
    let two_person = match tier {
        Standard => 1,
        Elevated | Critical => 2,
    };
    let base = Policy {
        factors: 1,
        factor_kinds: kinds(&[Passkey]),
        delay: cooling_off,
        approvals: 0,
        approver_role: Role::Approver,
        out_of_band_check: false,
        lifetime,
        revokes: BTreeSet::new(),
    };
    match (action, tier) {
        (ActionKind::RecoverAccount, Standard) => Policy {
            factor_kinds: kinds(&[RecoveryCode, EmailLink]),
            delay: Duration::hours(1),
            revokes: all_revocations,
            ..base
        },
        (ActionKind::RecoverAccount, Elevated) => Policy {
            factors: 2,
            factor_kinds: kinds(&[RecoveryCode, EmailLink, Passkey, OutOfBand]),
            delay: Duration::hours(24),
            approvals: 2,
            revokes: all_revocations,
            ..base
        },
        (ActionKind::RecoverAccount, Critical) => Policy {
            factors: 2,
            factor_kinds: kinds(&[RecoveryCode, EmailLink, Passkey]),
            delay: Duration::hours(72),
            approvals: 2,
            out_of_band_check: true,
            revokes: all_revocations,
            ..base
        },
        (ActionKind::ChangeEmail, Standard) => Policy {
            // The old address hears of it an hour before it changes.
            delay: Duration::hours(1),
            ..base
        },
        (ActionKind::GrantRole | ActionKind::ChangeTier | ActionKind::WeakenPolicy, _) => Policy {
            delay: cooling_off.max(Duration::hours(24)),
            approvals: two_person,
            ..base
        },
        // Giving access back: two people at every tier (the administrator
        // asking and an approver), two approvals and the cooling-off delay
        // above standard, when the owner hears of it and can object.
        (ActionKind::EnableAccount, _) => Policy {
            approvals: two_person,
            ..base
        },
        _ => base,
    }
}
