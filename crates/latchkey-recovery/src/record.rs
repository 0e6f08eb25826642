//! Between the stored request (text, as the store keeps it) and the
//! machine's [`Request`]: parse, don't validate — a row that does not parse
//! is corrupt, never silently defaulted.

use std::collections::BTreeSet;

use latchkey_core::{AccountTier, GuardedActionId, HashedToken, UserId};
use latchkey_store::approvals::DECISION_APPROVE;
use latchkey_store::guarded_actions::{GuardedActionRecord, GuardedActionUpdate, NewGuardedAction};
use latchkey_store::{StoreError, from_db};

use crate::action::{ActionKind, GuardedAction};
use crate::machine::Request;
use crate::policy::{FactorKind, Policy};
use crate::state::State;

fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

fn user(text: &str) -> Result<UserId, StoreError> {
    UserId::parse(text).map_err(corrupt)
}

fn hashed_from_hex(text: &str) -> Result<HashedToken, StoreError> {
    let bytes = (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .and_then(|b| HashedToken::from_bytes(&b));
    bytes.ok_or_else(|| corrupt("a stored session hash is not 32 bytes of hex"))
}

/// The machine's view of a stored request, and its version.
pub fn from_record(record: &GuardedActionRecord) -> Result<(Request, i64), StoreError> {
    let row = &record.row;
    let kind: ActionKind = row.action.parse().map_err(corrupt)?;
    let action = GuardedAction::from_payload(kind, &row.payload).map_err(corrupt)?;
    let policy: Policy = serde_json::from_str(&row.policy)
        .map_err(|e| corrupt(format!("the policy of guarded action {}: {e}", row.id)))?;
    let tier: AccountTier = row.tier.parse().map_err(corrupt)?;
    let state: State = row.state.parse().map_err(corrupt)?;
    let factors = record
        .factors
        .iter()
        .map(|f| f.kind.parse::<FactorKind>().map_err(corrupt))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let approvals = record
        .approvals
        .iter()
        .filter(|a| a.decision == DECISION_APPROVE)
        .map(|a| user(&a.admin_user_id))
        .collect::<Result<BTreeSet<_>, _>>()?;
    let request = Request {
        id: GuardedActionId::parse(&row.id).map_err(corrupt)?,
        action,
        subject: user(&row.user_id)?,
        requester: row.requested_by.as_deref().map(user).transpose()?,
        tier,
        policy,
        requester_session: row
            .requester_session
            .as_deref()
            .map(hashed_from_hex)
            .transpose()?,
        state,
        factors,
        failed_attempts: u32::try_from(row.failed_attempts).map_err(corrupt)?,
        approvals,
        out_of_band_by: record
            .oob
            .as_ref()
            .map(|o| user(&o.admin_user_id))
            .transpose()?,
        created_at: from_db(row.created_at),
        updated_at: from_db(row.updated_at),
        eligible_at: row.eligible_at.map(from_db),
        expires_at: from_db(row.expires_at),
        completed_at: row.completed_at.map(from_db),
        cancelled_at: row.cancelled_at.map(from_db),
        denied_at: row.denied_at.map(from_db),
        expired_at: row.expired_at.map(from_db),
        locked_at: row.locked_at.map(from_db),
    };
    Ok((request, row.version))
}

/// The stored form of a new request.
pub fn to_new(
    request: &Request,
    cancel_token: HashedToken,
) -> Result<NewGuardedAction, StoreError> {
    Ok(NewGuardedAction {
        id: request.id,
        subject: request.subject,
        action: request.action.kind().as_str().to_owned(),
        state: request.state.as_str().to_owned(),
        tier: request.tier.as_str().to_owned(),
        requested_by: request.requester,
        requester_session: request.requester_session.clone(),
        payload: request.action.to_payload(),
        policy: serde_json::to_string(&request.policy).map_err(corrupt)?,
        factors_required: i64::from(request.policy.factors),
        approvals_required: i64::from(request.policy.approvals),
        oob_required: request.policy.out_of_band_check,
        delay: request.policy.delay,
        cancel_token,
        created_at: request.created_at,
        eligible_at: request.eligible_at,
        expires_at: request.expires_at,
    })
}

/// The stored form of a transition from `version`.
pub fn to_update(request: &Request, version: i64) -> GuardedActionUpdate {
    GuardedActionUpdate {
        id: request.id,
        expected_version: version,
        state: request.state.as_str().to_owned(),
        failed_attempts: i64::from(request.failed_attempts),
        updated_at: request.updated_at,
        eligible_at: request.eligible_at,
        completed_at: request.completed_at,
        cancelled_at: request.cancelled_at,
        denied_at: request.denied_at,
        expired_at: request.expired_at,
        locked_at: request.locked_at,
        // Once a request is over, its cancel link is spent.
        clear_cancel_token: request.state.is_final(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_hash_round_trips_through_hex_and_bad_hex_is_corrupt() {
        let h = HashedToken::of("handle");
        assert!(hashed_from_hex(&h.to_hex()).unwrap().matches(&h));
        assert!(hashed_from_hex("zz").is_err());
        assert!(hashed_from_hex(&"ab".repeat(31)).is_err());
    }
}
