//! The policy changes a `weaken_policy` request carries, applied by the
//! engine in the transaction that completes the request: the change is
//! stored if and only if the completion is, so a crash cannot lose it or
//! apply half of it.
//!
//! A change is a JSON object whose `kind` says what it changes;
//! [`PolicyChange::parse`] dispatches on it. Only `attestation_policy` is
//! known today: a new kind adds a variant and its arms here.
//!
//! Security invariant: a change is applied only over the state it was asked
//! for. Every change records what it replaces (`before`); when the policy
//! or the target changed since (tightened, or weakened by another request),
//! the change is stale and refused: the approvers approved "before → after",
//! and applying "after" over something else is a change nobody approved.

use chrono::{DateTime, Utc};
use latchkey_core::AuditEventKind;
use latchkey_store::attestation_policies::{self as stored, TargetKind};
use latchkey_store::audit::{AuditChain, NewAuditEvent};
use latchkey_store::{DbConnection, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use latchkey_core::AccountTier;

use crate::action::ActionKind;
use crate::machine::Request;
use crate::policy::{Policy, PolicySet};
use crate::state::Refusal;

/// `kind` of a change to an attestation policy or its assignments.
pub const ATTESTATION_POLICY: &str = "attestation_policy";
/// `kind` of a change to one of this engine's policies (tier, action).
pub const RECOVERY_POLICY: &str = "recovery_policy";

/// A guarded-action policy of one tier and action going from `from` to
/// `to` (`service/policies.rs` asks for it when `to` relaxes a knob).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryPolicyChange {
    pub tier: AccountTier,
    pub action: ActionKind,
    pub from: Policy,
    pub to: Policy,
}

/// The rules of an attestation policy as a change carries them (the JSON
/// form of `latchkey_passkey::PolicyRules`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationRules {
    pub require_attestation: bool,
    pub device_bound: bool,
    pub allowed_aaguids: Vec<String>,
    pub min_certification: Option<String>,
    pub refuse_compromised: bool,
}

impl AttestationRules {
    pub fn from_stored(r: &stored::PolicyRules) -> Self {
        Self {
            require_attestation: r.require_attestation,
            device_bound: r.require_device_bound,
            allowed_aaguids: r.aaguid_allowlist.clone(),
            min_certification: r.min_certification.clone(),
            refuse_compromised: r.refuse_compromised,
        }
    }

    pub fn to_stored(&self) -> stored::PolicyRules {
        stored::PolicyRules {
            require_attestation: self.require_attestation,
            require_device_bound: self.device_bound,
            aaguid_allowlist: self.allowed_aaguids.clone(),
            min_certification: self.min_certification.clone(),
            refuse_compromised: self.refuse_compromised,
        }
    }
}

/// A change to an attestation policy or to what a target is held to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum AttestationPolicyChange {
    /// The rules of `policy` go from `before` to `after`.
    Update {
        policy: String,
        before: AttestationRules,
        after: AttestationRules,
    },
    /// The target (a group id, a tier, a client id; `label` as people read
    /// it) goes from the policy `before` to the policy `after` (`None`: no
    /// policy).
    Target {
        target_kind: String,
        target: String,
        label: String,
        before: Option<String>,
        after: Option<String>,
    },
}

/// A policy change, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChange {
    Attestation(AttestationPolicyChange),
    Recovery(RecoveryPolicyChange),
}

/// `change` without its `kind` member.
fn body(change: &Value) -> Value {
    let mut body = change.clone();
    if let Some(o) = body.as_object_mut() {
        o.remove("kind");
    }
    body
}

/// `value` with `kind` added.
fn with_kind(mut value: Value, kind: &str) -> Value {
    if let Some(o) = value.as_object_mut() {
        o.insert("kind".into(), kind.into());
    }
    value
}

impl PolicyChange {
    /// Reads a change; an unknown `kind` or a malformed change is refused.
    pub fn parse(change: &Value) -> Result<Self, Refusal> {
        match change.get("kind").and_then(Value::as_str) {
            Some(ATTESTATION_POLICY) => serde_json::from_value(body(change))
                .map(Self::Attestation)
                .map_err(|_| Refusal::UnknownPolicyChange {}),
            Some(RECOVERY_POLICY) => serde_json::from_value(body(change))
                .map(Self::Recovery)
                .map_err(|_| Refusal::UnknownPolicyChange {}),
            _ => Err(Refusal::UnknownPolicyChange {}),
        }
    }

    /// The JSON a request carries.
    pub fn to_value(&self) -> Value {
        match self {
            Self::Attestation(c) => with_kind(
                serde_json::to_value(c).unwrap_or(Value::Null),
                ATTESTATION_POLICY,
            ),
            Self::Recovery(c) => with_kind(
                serde_json::to_value(c).unwrap_or(Value::Null),
                RECOVERY_POLICY,
            ),
        }
    }

    /// Whether the change still applies to what is stored now: refused as
    /// stale when the policy or the target changed since it was asked for.
    /// `configured` is the engine's configured set (what applies where no
    /// policy is stored yet).
    pub fn check(&self, conn: &mut DbConnection, configured: &PolicySet) -> Result<(), CheckError> {
        match self {
            Self::Attestation(c) => check_attestation(conn, c),
            Self::Recovery(c) => {
                if crate::service::in_force(conn, configured, c.tier, c.action)? != c.from {
                    return Err(stale());
                }
                Ok(())
            }
        }
    }
}

/// Why a change cannot be applied now.
#[derive(Debug)]
pub enum CheckError {
    Refused(Refusal),
    Store(StoreError),
}

impl From<StoreError> for CheckError {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn stale() -> CheckError {
    CheckError::Refused(Refusal::StalePolicyChange {})
}

fn target_kind(s: &str) -> Result<TargetKind, CheckError> {
    TargetKind::parse(s).ok_or(CheckError::Refused(Refusal::UnknownPolicyChange {}))
}

fn check_attestation(
    conn: &mut DbConnection,
    change: &AttestationPolicyChange,
) -> Result<(), CheckError> {
    match change {
        AttestationPolicyChange::Update { policy, before, .. } => {
            let now = stored::find_by_name(conn, policy)?.ok_or_else(stale)?;
            if AttestationRules::from_stored(&now.rules) != *before {
                return Err(stale());
            }
        }
        AttestationPolicyChange::Target {
            target_kind: kind,
            target,
            before,
            after,
            ..
        } => {
            let kind = target_kind(kind)?;
            let now = stored::for_target(conn, kind, target)?.map(|p| p.name);
            if now != *before {
                return Err(stale());
            }
            if let Some(after) = after
                && stored::find_by_name(conn, after)?.is_none()
            {
                return Err(stale());
            }
        }
    }
    Ok(())
}

/// Applies the change of a completing `weaken_policy` request, audited as
/// asked for by the requester and carried out by the engine. A change that
/// does not apply any more fails the whole completion (the callers check
/// [`PolicyChange::check`] first and refuse before anything is written).
pub(crate) fn apply(
    conn: &mut DbConnection,
    audit: &AuditChain,
    configured: &PolicySet,
    request: &Request,
    change: &Value,
    ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let not_applicable = || StoreError::Conflict("a policy change that no longer applies");
    let change = PolicyChange::parse(change).map_err(|_| not_applicable())?;
    match change.check(conn, configured) {
        Ok(()) => {}
        Err(CheckError::Store(e)) => return Err(e),
        Err(CheckError::Refused(_)) => return Err(not_applicable()),
    }
    let actor = request
        .requester
        .map_or_else(|| "system".to_owned(), |u| u.to_string());
    let change = match change {
        PolicyChange::Attestation(c) => c,
        PolicyChange::Recovery(c) => {
            let event = crate::service::store_recovery_policy(conn, &c, &actor, request.id, now)?;
            audit.append(conn, now, &with_ip(event, ip))?;
            return Ok(());
        }
    };
    match change {
        AttestationPolicyChange::Update {
            policy,
            before,
            after,
        } => {
            let p = stored::update_rules(conn, &policy, &after.to_stored(), now)?;
            let event = NewAuditEvent::new(AuditEventKind::AttestationPolicySaved)
                .actor(actor)
                .subject(p.id)
                .detail(json!({
                    "policy": p.name, "change": "updated", "rules": after,
                    "before": before, "request": request.id,
                }));
            audit.append(conn, now, &with_ip(event, ip))?;
        }
        AttestationPolicyChange::Target {
            target_kind: kind,
            target,
            label,
            before,
            after,
        } => {
            let kind = TargetKind::parse(&kind).ok_or_else(not_applicable)?;
            match &after {
                Some(name) => {
                    let p = stored::find_by_name(conn, name)?.ok_or_else(not_applicable)?;
                    stored::assign(conn, p.id, kind, &target, now)?;
                    let event = NewAuditEvent::new(AuditEventKind::AttestationPolicyAssigned)
                        .actor(actor)
                        .subject(p.id)
                        .detail(json!({
                            "policy": p.name, "target_kind": kind.as_str(), "target": label,
                            "replaced": before, "request": request.id,
                        }));
                    audit.append(conn, now, &with_ip(event, ip))?;
                }
                None => {
                    stored::unassign(conn, kind, &target)?;
                    let event = NewAuditEvent::new(AuditEventKind::AttestationPolicyUnassigned)
                        .actor(actor)
                        .subject(target.clone())
                        .detail(json!({
                            "policy": before, "target_kind": kind.as_str(), "target": label,
                            "request": request.id,
                        }));
                    audit.append(conn, now, &with_ip(event, ip))?;
                }
            }
        }
    }
    Ok(())
}

fn with_ip(event: NewAuditEvent, ip: Option<&str>) -> NewAuditEvent {
    match ip {
        Some(ip) => event.ip(ip),
        None => event,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_kind_is_refused_with_its_own_reason() {
        for v in [
            json!({"kind": "recovery_policy", "policy": "standard.recover_account"}),
            json!({"policy": "x"}),
            json!("attestation_policy"),
            json!({"kind": "attestation_policy", "op": "delete", "policy": "x"}),
        ] {
            assert_eq!(
                PolicyChange::parse(&v),
                Err(Refusal::UnknownPolicyChange {}),
                "{v}"
            );
        }
    }

    #[test]
    fn a_change_round_trips_through_its_json() {
        let change = PolicyChange::Attestation(AttestationPolicyChange::Target {
            target_kind: "group".into(),
            target: "g1".into(),
            label: "engineering".into(),
            before: Some("hardware".into()),
            after: None,
        });
        let v = change.to_value();
        assert_eq!(v["kind"], ATTESTATION_POLICY);
        assert_eq!(v["op"], "target");
        assert_eq!(PolicyChange::parse(&v), Ok(change));
    }
}
