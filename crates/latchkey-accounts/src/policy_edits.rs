//! Changing attestation policies at run time: the dry run of a proposed
//! change, saving the rules, and attaching a policy to a target or taking
//! it off. A change that tightens (or changes nothing) is saved at once,
//! audited; a change that relaxes any rule — unassigning included — is not
//! saved here: it is refused with [`AccountsError::NeedsApproval`], which
//! carries the change for the guarded-action engine, and the engine applies
//! it once approved (`latchkey_recovery::policy_changes`). The comparison
//! runs in the transaction that saves, so a change judged tighter cannot
//! become a weakening by a race.

use latchkey_core::AuditEventKind;
use latchkey_passkey::PolicyRules;
use latchkey_passkey::policy::{self, AttestationPolicy, Comparison};
use latchkey_recovery::policy_changes::{AttestationPolicyChange, AttestationRules, PolicyChange};
use latchkey_store::attestation_policies::{self as stored, CONSOLE_TARGET, TargetKind};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::{DbConnection, StoreError, clients, groups, write_transaction};

use crate::error::AccountsError;
use crate::policies::{
    Policies, PolicyReport, PolicyTarget, not_found, parse_name, report_over, rules_detail,
    rules_of, to_stored,
};

/// A proposed change of rules, before anything is saved.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub policy: String,
    /// The rules today; `None` for a policy not created yet.
    pub current: Option<PolicyRules>,
    pub proposed: PolicyRules,
    pub comparison: Comparison,
    /// The proposed rules over the accounts the policy applies to today
    /// (every enabled account for a policy attached to nothing).
    pub report: PolicyReport,
}

impl Proposal {
    /// Saving it opens a request for approval instead.
    pub fn needs_approval(&self) -> bool {
        self.comparison.is_weakening()
    }
}

/// A target resolved: its kind, stored id and the name people read.
struct Resolved {
    kind: TargetKind,
    id: String,
    label: String,
}

fn resolve(conn: &mut DbConnection, target: &PolicyTarget) -> Result<Resolved, StoreError> {
    Ok(match target {
        PolicyTarget::Group(g) => {
            let group = groups::find_by_name(conn, g)?.ok_or(StoreError::NotFound("the group"))?;
            Resolved {
                kind: TargetKind::Group,
                id: group.id.to_string(),
                label: g.clone(),
            }
        }
        PolicyTarget::Tier(t) => Resolved {
            kind: TargetKind::Tier,
            id: t.as_str().to_owned(),
            label: t.as_str().to_owned(),
        },
        PolicyTarget::Client(id) => {
            let client = clients::find(conn, id)?.ok_or(StoreError::NotFound("the client"))?;
            Resolved {
                kind: TargetKind::Client,
                id: id.as_str().to_owned(),
                label: client.name,
            }
        }
        PolicyTarget::Console => Resolved {
            kind: TargetKind::Console,
            id: CONSOLE_TARGET.to_owned(),
            label: "the admin console".to_owned(),
        },
    })
}

/// The rules of a stored policy, or the error that says the stored row is
/// not readable.
fn rules(p: &stored::Policy) -> Result<AttestationPolicy, StoreError> {
    rules_of(p).map_err(|_| StoreError::Corrupt(format!("attestation policy {}", p.name)))
}

fn store_err(e: StoreError) -> AccountsError {
    match e {
        StoreError::NotFound(what) => AccountsError::NotFound(what),
        e => e.into(),
    }
}

/// Rolls back a save the weakening check stopped; the change itself is
/// carried out of the transaction beside it, for the engine.
const NEEDS_APPROVAL: &str = "a policy change that needs approval";

impl Policies {
    /// The dry run of saving `rules` as the policy `name`: what changes,
    /// whether it relaxes anything, and who would stop complying.
    pub async fn preview(&self, name: &str, rules: PolicyRules) -> Result<Proposal, AccountsError> {
        let name = parse_name(name, "policy")?;
        self.db
            .run(move |c| {
                let existing = stored::find_by_name(c, &name)?;
                let (current, scope) = match &existing {
                    Some(p) => (
                        Some(self::rules(p)?.rules),
                        stored::users_in_scope(c, p.id)?,
                    ),
                    None => (None, stored::scope_of_targets(c, &[])?),
                };
                let comparison = current
                    .as_ref()
                    .map(|now| policy::compare(now, &rules))
                    .unwrap_or_default();
                let proposed = AttestationPolicy {
                    name: name.clone(),
                    rules: rules.clone(),
                };
                let report = report_over(c, &proposed, scope)?;
                Ok(Proposal {
                    policy: name,
                    current,
                    proposed: rules,
                    comparison,
                    report,
                })
            })
            .await
            .map_err(store_err)
    }

    /// Replaces the rules of the policy `name` when the new rules relax
    /// nothing (audited with the old and new rules). A relaxing change is
    /// refused with [`AccountsError::NeedsApproval`] and nothing is saved.
    pub async fn update(
        &self,
        name: &str,
        rules: PolicyRules,
        actor: &str,
    ) -> Result<crate::policies::SavedPolicy, AccountsError> {
        let name = parse_name(name, "policy")?;
        let (audit, now, actor) = (self.audit.clone(), self.now(), actor.to_owned());
        let row = to_stored(&rules);
        let n = name.clone();
        let from = self.from.clone();
        let (saved, change) = self
            .db
            .run(move |c| {
                let mut change = None;
                let r = write_transaction(c, |c| {
                    let before = stored::find_by_name(c, &n)?
                        .ok_or(StoreError::NotFound("the attestation policy"))?;
                    if policy::compare(&self::rules(&before)?.rules, &rules).is_weakening() {
                        change = Some(PolicyChange::Attestation(AttestationPolicyChange::Update {
                            policy: before.name.clone(),
                            before: AttestationRules::from_stored(&before.rules),
                            after: AttestationRules::from_stored(&row),
                        }));
                        return Err(StoreError::Conflict(NEEDS_APPROVAL));
                    }
                    let p = stored::update_rules(c, &n, &row, now)?;
                    let mut detail = rules_detail(&p.name, &row, "updated");
                    detail["before"] =
                        rules_detail(&before.name, &before.rules, "before")["rules"].clone();
                    audit.append(
                        c,
                        now,
                        &from.on(NewAuditEvent::new(AuditEventKind::AttestationPolicySaved)
                            .actor(&actor)
                            .subject(p.id)
                            .detail(detail)),
                    )?;
                    Ok(rules)
                });
                Ok((r, change))
            })
            .await
            .map_err(store_err)?;
        match (saved, change) {
            (Ok(rules), _) => Ok(crate::policies::SavedPolicy { name, rules }),
            (Err(_), Some(change)) => Err(AccountsError::NeedsApproval {
                change: change.to_value(),
            }),
            (Err(e), None) => Err(not_found("the attestation policy")(e)),
        }
    }

    /// Attaches the policy `name` to `target`, replacing the policy the
    /// target had (audited). An unknown policy, group or client is refused;
    /// replacing a policy by one that relaxes a rule needs approval.
    pub async fn assign(
        &self,
        name: &str,
        target: PolicyTarget,
        actor: &str,
    ) -> Result<(), AccountsError> {
        self.set_target(target, Some(name.trim().to_owned()), actor)
            .await
    }

    /// Takes the policy off `target` (audited). Unassigning a policy that
    /// demands anything is a weakening: it needs approval.
    pub async fn unassign(&self, target: PolicyTarget, actor: &str) -> Result<(), AccountsError> {
        self.set_target(target, None, actor).await
    }

    /// The policy attached to `target`, if any.
    pub async fn policy_of(&self, target: PolicyTarget) -> Result<Option<String>, AccountsError> {
        self.db
            .run(move |c| {
                let r = resolve(c, &target)?;
                Ok(stored::for_target(c, r.kind, &r.id)?.map(|p| p.name))
            })
            .await
            .map_err(store_err)
    }

    async fn set_target(
        &self,
        target: PolicyTarget,
        after: Option<String>,
        actor: &str,
    ) -> Result<(), AccountsError> {
        let (audit, now, actor) = (self.audit.clone(), self.now(), actor.to_owned());
        let from = self.from.clone();
        let (result, change) = self
            .db
            .run(move |c| {
                let mut change = None;
                let r = write_transaction(c, |c| {
                    let (resolved, before, new) = target_change(c, &target, after.as_deref())?;
                    let comparison = compare_target(&resolved, before.as_ref(), new.as_ref());
                    if comparison.is_weakening() {
                        change = Some(PolicyChange::Attestation(AttestationPolicyChange::Target {
                            target_kind: resolved.kind.as_str().to_owned(),
                            target: resolved.id.clone(),
                            label: resolved.label.clone(),
                            before: before.as_ref().map(|p| p.0.name.clone()),
                            after: new.as_ref().map(|p| p.0.name.clone()),
                        }));
                        return Err(StoreError::Conflict(NEEDS_APPROVAL));
                    }
                    let event = match &new {
                        Some((p, _)) => {
                            stored::assign(c, p.id, resolved.kind, &resolved.id, now)?;
                            NewAuditEvent::new(AuditEventKind::AttestationPolicyAssigned)
                                .subject(p.id)
                                .detail(serde_json::json!({
                                    "policy": p.name,
                                    "target_kind": resolved.kind.as_str(),
                                    "target": resolved.label,
                                    "replaced": before.as_ref().map(|b| &b.0.name),
                                }))
                        }
                        None => {
                            if !stored::unassign(c, resolved.kind, &resolved.id)? {
                                return Ok(());
                            }
                            NewAuditEvent::new(AuditEventKind::AttestationPolicyUnassigned)
                                .subject(&resolved.id)
                                .detail(serde_json::json!({
                                    "policy": before.as_ref().map(|b| &b.0.name),
                                    "target_kind": resolved.kind.as_str(),
                                    "target": resolved.label,
                                }))
                        }
                    };
                    audit.append(c, now, &from.on(event.actor(&actor)))?;
                    Ok(())
                });
                Ok((r, change))
            })
            .await
            .map_err(store_err)?;
        match (result, change) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(change)) => Err(AccountsError::NeedsApproval {
                change: change.to_value(),
            }),
            (Err(e), None) => Err(store_err(e)),
        }
    }
}

type Named = (stored::Policy, AttestationPolicy);

/// What the target demands before and after. The console without a policy
/// still demands its default (device-bound), so replacing that default by
/// a laxer policy is a weakening, and taking a policy off the console is
/// compared with the default it falls back to.
fn compare_target(resolved: &Resolved, before: Option<&Named>, new: Option<&Named>) -> Comparison {
    let default =
        (resolved.kind == TargetKind::Console).then(|| crate::console_default_policy().rules);
    let or_default = |p: Option<&Named>| p.map(|p| p.1.rules.clone()).or_else(|| default.clone());
    let (b, a) = (or_default(before), or_default(new));
    policy::compare_assignment(b.as_ref(), a.as_ref())
}

/// The target resolved, its policy now, and the policy `after` names.
fn target_change(
    c: &mut DbConnection,
    target: &PolicyTarget,
    after: Option<&str>,
) -> Result<(Resolved, Option<Named>, Option<Named>), StoreError> {
    let resolved = resolve(c, target)?;
    let before = match stored::for_target(c, resolved.kind, &resolved.id)? {
        Some(p) => {
            let r = rules(&p)?;
            Some((p, r))
        }
        None => None,
    };
    let new = match after {
        Some(name) => {
            let p = stored::find_by_name(c, name)?
                .ok_or(StoreError::NotFound("the attestation policy"))?;
            let r = rules(&p)?;
            Some((p, r))
        }
        None => None,
    };
    Ok((resolved, before, new))
}

/// A target a policy is attached to, as the console lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetView {
    /// `group`, `tier`, `client` or `console`.
    pub kind: &'static str,
    /// What names it in a form: a group's name, a tier, a client id.
    pub value: String,
    /// What people read.
    pub label: String,
}

impl Policies {
    /// The targets of the policy `name`, oldest first.
    pub async fn targets(&self, name: &str) -> Result<Vec<TargetView>, AccountsError> {
        let name = name.trim().to_owned();
        self.db
            .run(move |c| {
                let p = stored::find_by_name(c, &name)?
                    .ok_or(StoreError::NotFound("the attestation policy"))?;
                let mut out = Vec::new();
                for a in stored::assignments_of(c, p.id)? {
                    let (value, label) = match a.kind {
                        TargetKind::Group => {
                            let id = latchkey_core::GroupId::parse(&a.target)
                                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                            let g = groups::find(c, id)?;
                            let n = g.map_or_else(|| a.target.clone(), |g| g.name);
                            (n.clone(), n)
                        }
                        TargetKind::Client => {
                            let label = latchkey_core::ClientId::parse(&a.target)
                                .ok()
                                .map(|id| clients::find(c, &id))
                                .transpose()?
                                .flatten()
                                .map_or_else(|| a.target.clone(), |cl| cl.name);
                            (a.target.clone(), label)
                        }
                        TargetKind::Tier => (a.target.clone(), format!("{} tier", a.target)),
                        TargetKind::Console => (a.target.clone(), "the admin console".to_owned()),
                    };
                    out.push(TargetView {
                        kind: a.kind.as_str(),
                        value,
                        label,
                    });
                }
                Ok(out)
            })
            .await
            .map_err(store_err)
    }
}
