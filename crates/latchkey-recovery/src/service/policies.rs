//! The policies in force on this instance, stored per tier and action
//! (`recovery_policies`). The first start stores the configured set (the
//! defaults with the configuration file's overrides); afterwards the file
//! can only tighten a stored policy, and an administrator's change from the
//! console applies at once when it tightens, or opens a `weaken_policy`
//! request (the requester's tier decides its delay and approvals) when it
//! relaxes anything. That request completes by itself once approved and
//! past its delay (`policy_changes.rs`), and only while the stored policy
//! is still the one it was asked against.

use chrono::{DateTime, Utc};
use latchkey_core::{AccountTier, AuditEventKind, GuardedActionId, Role, UserId};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::recovery_policies::{self, StoredPolicy};
use latchkey_store::{DbConnection, StoreError};
use serde_json::json;

use super::checks::{fresh, passkey_of, roles_of};
use super::live::LiveChange;
use super::types::{Origin, PasskeyFact};
use super::{EngineError, GuardedActions, in_transaction};
use crate::action::{ActionKind, GuardedAction};
use crate::policy::{Policy, PolicySet};
use crate::policy_changes::RecoveryPolicyChange;
use crate::state::Refusal;

/// Who stored a policy from the configuration (first start or the file).
const BY_CONFIG: &str = "config";

/// A policy in force, with when and by whom it was stored (`None`: not
/// stored yet, the configured one applies).
#[derive(Debug, Clone)]
pub struct PolicyInForce {
    pub tier: AccountTier,
    pub action: ActionKind,
    pub policy: Policy,
    pub updated: Option<(DateTime<Utc>, String)>,
}

/// What the start-up comparison of the configuration with the stored
/// policies did.
#[derive(Debug, Clone, Default)]
pub struct PolicySync {
    /// The store was empty: the configured set was stored.
    pub initialised: bool,
    /// Stored from the file because they are at least as strict.
    pub tightened: Vec<(AccountTier, ActionKind)>,
    /// Stored because nothing was stored for them yet (a new action).
    pub added: Vec<(AccountTier, ActionKind)>,
    /// Left as stored because the file relaxes them (with the knobs).
    pub kept: Vec<(AccountTier, ActionKind, Vec<&'static str>)>,
}

/// What an administrator's change did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChangeOutcome {
    /// At least as strict: in force now.
    Applied,
    /// It relaxes a knob: a `weaken_policy` request was opened.
    Requested(GuardedActionId),
}

/// An administrator's change of one policy, with the session's step-up.
#[derive(Debug, Clone)]
pub struct PolicyChange {
    pub admin: UserId,
    pub session_handle: String,
    pub step_up: PasskeyFact,
    pub tier: AccountTier,
    pub action: ActionKind,
    pub policy: Policy,
}

fn parse_stored(row: &StoredPolicy) -> Result<(AccountTier, ActionKind, Policy), StoreError> {
    let corrupt = || StoreError::Corrupt(format!("recovery policy {}.{}", row.tier, row.action));
    let tier = row.tier.parse::<AccountTier>().map_err(|_| corrupt())?;
    let action = row.action.parse::<ActionKind>().map_err(|_| corrupt())?;
    let policy: Policy = serde_json::from_str(&row.policy).map_err(|_| corrupt())?;
    Ok((tier, action, policy))
}

fn to_json(policy: &Policy) -> String {
    serde_json::to_string(policy).unwrap_or_default()
}

/// The policy a new request for `action` on an account of `tier` is made
/// under: the stored one, else the configured one.
pub(crate) fn in_force(
    conn: &mut DbConnection,
    configured: &PolicySet,
    tier: AccountTier,
    action: ActionKind,
) -> Result<Policy, StoreError> {
    match recovery_policies::find(conn, tier.as_str(), action.as_str())? {
        Some(row) => Ok(parse_stored(&row)?.2),
        None => Ok(configured.policy(tier, action).clone()),
    }
}

/// The set in force: the configured set with every stored policy over it.
fn set_in_force(
    conn: &mut DbConnection,
    configured: &PolicySet,
) -> Result<(PolicySet, Vec<StoredPolicy>), StoreError> {
    let rows = recovery_policies::list(conn)?;
    let mut set = configured.clone();
    for row in &rows {
        let (tier, action, policy) = parse_stored(row)?;
        set.replace(tier, action, policy);
    }
    Ok((set, rows))
}

/// `recovery_policy.changed`: which policy, from what to what, the knobs
/// relaxed, and `more` (the request, the step-up passkey).
fn changed_event(
    tier: AccountTier,
    action: ActionKind,
    from: &Policy,
    to: &Policy,
    more: serde_json::Value,
) -> NewAuditEvent {
    let mut detail = json!({
        "tier": tier,
        "action": action.as_str(),
        "from": from,
        "to": to,
        "relaxed": to.relaxed_knobs(from),
        "applied": true,
    });
    if let (Some(d), serde_json::Value::Object(more)) = (detail.as_object_mut(), more) {
        d.extend(more);
    }
    NewAuditEvent::new(AuditEventKind::RecoveryPolicyChanged).detail(detail)
}

/// Stores a relaxation a completed `weaken_policy` request carried (the
/// caller checked it still applies): the audit event to append.
pub(crate) fn store_recovery_policy(
    conn: &mut DbConnection,
    change: &RecoveryPolicyChange,
    by: &str,
    request: GuardedActionId,
    now: DateTime<Utc>,
) -> Result<NewAuditEvent, StoreError> {
    let (tier, action) = (change.tier, change.action);
    recovery_policies::put(
        conn,
        tier.as_str(),
        action.as_str(),
        &to_json(&change.to),
        by,
        now,
    )?;
    Ok(changed_event(
        tier,
        action,
        &change.from,
        &change.to,
        json!({ "request": request }),
    )
    .actor(by))
}

impl GuardedActions {
    /// Compares the configured policies with the stored ones, at start-up,
    /// in one transaction (several nodes starting at once store once).
    pub async fn sync_policies(&self) -> Result<PolicySync, EngineError> {
        let now = self.now();
        self.run(move |conn, inner| {
            in_transaction(conn, |conn| {
                let configured = &inner.config.policies;
                let (stored_set, rows) = set_in_force(conn, configured)?;
                let mut sync = PolicySync::default();
                if rows.is_empty() {
                    for ((tier, action), policy) in configured.iter() {
                        recovery_policies::put(
                            conn,
                            tier.as_str(),
                            action.as_str(),
                            &to_json(policy),
                            BY_CONFIG,
                            now,
                        )?;
                    }
                    let event = NewAuditEvent::new(AuditEventKind::RecoveryPolicyInitialised)
                        .actor(BY_CONFIG)
                        .detail(json!({ "policies": configured.iter().count() }));
                    inner.audit.append(conn, now, &event)?;
                    sync.initialised = true;
                    return Ok(sync);
                }
                let mut next = stored_set.clone();
                let mut writes = Vec::new();
                for ((tier, action), wanted) in configured.iter() {
                    let stored = rows
                        .iter()
                        .any(|r| r.tier == tier.as_str() && r.action == action.as_str());
                    let current = stored_set.policy(tier, action);
                    if !stored {
                        writes.push((tier, action, wanted.clone(), None));
                        sync.added.push((tier, action));
                        continue;
                    }
                    if wanted == current {
                        continue;
                    }
                    let relaxed = wanted.relaxed_knobs(current);
                    if relaxed.is_empty() {
                        next.replace(tier, action, wanted.clone());
                        writes.push((tier, action, wanted.clone(), Some(current.clone())));
                        sync.tightened.push((tier, action));
                    } else {
                        sync.kept.push((tier, action, relaxed));
                    }
                }
                if next.validate().is_err() {
                    // The file's tightenings would leave a tier weaker than
                    // the one below it among the stored ones: none is taken.
                    for (tier, action, _, from) in &writes {
                        if from.is_some() {
                            sync.kept.push((*tier, *action, vec!["tiers"]));
                        }
                    }
                    writes.retain(|w| w.3.is_none());
                    sync.tightened.clear();
                }
                for (tier, action, policy, from) in writes {
                    recovery_policies::put(
                        conn,
                        tier.as_str(),
                        action.as_str(),
                        &to_json(&policy),
                        BY_CONFIG,
                        now,
                    )?;
                    if let Some(from) = from {
                        let event =
                            changed_event(tier, action, &from, &policy, json!({})).actor(BY_CONFIG);
                        inner.audit.append(conn, now, &event)?;
                    }
                }
                Ok(sync)
            })
        })
        .await
    }

    /// Every policy in force, by tier and action.
    pub async fn policies_in_force(&self) -> Result<Vec<PolicyInForce>, EngineError> {
        self.run(move |conn, inner| {
            let (set, rows) = set_in_force(conn, &inner.config.policies)?;
            Ok(set
                .iter()
                .map(|((tier, action), policy)| PolicyInForce {
                    tier,
                    action,
                    policy: policy.clone(),
                    updated: rows
                        .iter()
                        .find(|r| r.tier == tier.as_str() && r.action == action.as_str())
                        .map(|r| (r.updated_at, r.updated_by.clone())),
                })
                .collect())
        })
        .await
    }

    /// The set in force, for checking a change before it is asked for.
    pub async fn policy_set(&self) -> Result<PolicySet, EngineError> {
        self.run(move |conn, inner| Ok(set_in_force(conn, &inner.config.policies)?.0))
            .await
    }

    /// An administrator changes one policy: at once if it is at least as
    /// strict on every knob, else through a `weaken_policy` request.
    /// Refused (nothing stored): not an enabled administrator, a stale
    /// step-up or another account's passkey, a policy that is not valid or
    /// leaves a tier weaker than the one below it, or no change.
    pub async fn change_policy(
        &self,
        change: PolicyChange,
        origin: &Origin,
    ) -> Result<PolicyChangeOutcome, EngineError> {
        let now = self.now();
        let ip = origin.ip.clone();
        let PolicyChange {
            admin,
            session_handle,
            step_up,
            tier,
            action,
            policy,
        } = change;
        let wanted = policy.clone();
        let relaxation = self
            .run(move |conn, inner| {
                in_transaction(conn, |conn| {
                    if !roles_of(conn, admin)?.contains(&Role::Admin) {
                        return Err(Refusal::InvalidAction {}.into());
                    }
                    if step_up.user != admin || !fresh(step_up.uv_at, now) {
                        return Err(Refusal::PasskeyNotAccepted {}.into());
                    }
                    passkey_of(conn, admin, step_up.credential)?;
                    let (set, _) = set_in_force(conn, &inner.config.policies)?;
                    let current = set.policy(tier, action).clone();
                    if current == wanted {
                        return Err(Refusal::PolicyUnchanged {}.into());
                    }
                    set.with_policy(tier, action, wanted.clone())
                        .map_err(|_| Refusal::PolicyNotValid {})?;
                    if !wanted.relaxed_knobs(&current).is_empty() {
                        return Ok(Some(current));
                    }
                    recovery_policies::put(
                        conn,
                        tier.as_str(),
                        action.as_str(),
                        &to_json(&wanted),
                        &admin.to_string(),
                        now,
                    )?;
                    let more = json!({ "credential": step_up.credential });
                    let mut event = changed_event(tier, action, &current, &wanted, more)
                        .actor(admin)
                        .subject(admin);
                    if let Some(ip) = &ip {
                        event = event.ip(ip);
                    }
                    inner.audit.append(conn, now, &event)?;
                    Ok(None)
                })
            })
            .await?;
        let Some(from) = relaxation else {
            return Ok(PolicyChangeOutcome::Applied);
        };
        let request = self
            .request_live(
                LiveChange {
                    action: GuardedAction::WeakenPolicy {
                        change: crate::policy_changes::PolicyChange::Recovery(
                            RecoveryPolicyChange {
                                tier,
                                action,
                                from,
                                to: policy,
                            },
                        )
                        .to_value(),
                    },
                    user: admin,
                    session_handle,
                    step_up,
                    pending_passkey: None,
                },
                origin,
            )
            .await?;
        Ok(PolicyChangeOutcome::Requested(request.request.id))
    }
}
