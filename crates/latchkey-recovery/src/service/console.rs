//! Reads for the admin console: the approval queue with what each request
//! still needs, and one request with everything recorded about it — its
//! factors, decisions, out-of-band check, notices and audit trail.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use latchkey_core::{GuardedActionId, UserId};
use latchkey_store::audit::AuditChain;
use latchkey_store::{DbConnection, StoreError, approvals, from_db, guarded_actions, users};

use super::{EngineError, GuardedActions};
use crate::action::GuardedAction;
use crate::machine::Request;
use crate::policy::{FactorKind, Feasibility};
use crate::record::from_record;
use crate::state::Refusal;

/// The most audit events a request page shows.
const TIMELINE_LIMIT: i64 = 500;

/// An account as the console names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName {
    pub id: UserId,
    pub username: String,
    pub display_name: String,
}

/// One request of the approval queue.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub request: Request,
    pub subject: Option<AccountName>,
    /// Whether the approvals (and out-of-band check) still missing can be
    /// given by the accounts there are now.
    pub feasibility: Feasibility,
}

/// A factor verified for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorSeen {
    pub kind: String,
    pub at: DateTime<Utc>,
}

/// An approver's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionSeen {
    pub approver: AccountName,
    pub approved: bool,
    pub comment: String,
    pub at: DateTime<Utc>,
    /// When the approver's user-verified assertion was made.
    pub user_verified_at: DateTime<Utc>,
}

/// The recorded out-of-band identity check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OobSeen {
    pub by: AccountName,
    pub method: String,
    pub evidence: String,
    pub at: DateTime<Utc>,
}

/// A notice sent to the account's channels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeSent {
    pub notice: String,
    /// `email`, `webhook`; empty when nothing could reach the owner.
    pub channels: Vec<String>,
    pub at: DateTime<Utc>,
}

/// One audit event of the request.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelineEntry {
    pub at: DateTime<Utc>,
    pub kind: String,
    /// The account that acted, when an account did.
    pub actor: Option<AccountName>,
    /// Who acted otherwise: `anonymous`, `system`, `cancel-link`.
    pub actor_text: String,
    pub detail: serde_json::Value,
}

/// A request with everything recorded about it.
#[derive(Debug, Clone)]
pub struct Review {
    pub request: Request,
    pub subject: Option<AccountName>,
    pub requester: Option<AccountName>,
    pub factors: Vec<FactorSeen>,
    pub decisions: Vec<DecisionSeen>,
    pub oob: Option<OobSeen>,
    pub notices: Vec<NoticeSent>,
    pub timeline: Vec<TimelineEntry>,
    pub feasibility: Feasibility,
}

impl GuardedActions {
    /// The approval queue ([`Self::approval_queue`]) with the subjects'
    /// names and whether each request can still get what it lacks.
    pub async fn queue(&self, limit: i64) -> Result<Vec<QueueItem>, EngineError> {
        let requests = self.approval_queue(limit).await?;
        self.run(move |conn, inner| {
            let mut names = Names::default();
            let mut out = Vec::with_capacity(requests.len());
            for request in requests {
                out.push(QueueItem {
                    subject: names.get(conn, request.subject)?,
                    feasibility: still_feasible(conn, &inner.config.policies, &request)?,
                    request,
                });
            }
            Ok(out)
        })
        .await
    }

    /// Request `id` with everything recorded about it, for reviewers.
    pub async fn review(&self, id: GuardedActionId) -> Result<Review, EngineError> {
        self.run(move |conn, inner| {
            let record = guarded_actions::find(conn, id)?.ok_or(Refusal::NotFound {})?;
            let (request, _) = from_record(&record)?;
            let mut names = Names::default();
            let subject = names.get(conn, request.subject)?;
            let requester = match request.requester {
                Some(r) => names.get(conn, r)?,
                None => None,
            };
            let factors = record
                .factors
                .iter()
                .map(|f| FactorSeen {
                    kind: f.kind.clone(),
                    at: from_db(f.verified_at),
                })
                .collect();
            let mut decisions = Vec::new();
            for d in &record.approvals {
                decisions.push(DecisionSeen {
                    approver: names.recorded(conn, &d.admin_user_id)?,
                    approved: d.decision == approvals::DECISION_APPROVE,
                    comment: d.comment.clone(),
                    at: from_db(d.created_at),
                    user_verified_at: from_db(d.user_verified_at),
                });
            }
            let oob = match &record.oob {
                Some(o) => Some(OobSeen {
                    by: names.recorded(conn, &o.admin_user_id)?,
                    method: o.method.clone(),
                    evidence: o.evidence.clone(),
                    at: from_db(o.created_at),
                }),
                None => None,
            };
            let events = AuditChain::for_guarded_action(
                conn,
                &request.subject.to_string(),
                &request.id.to_string(),
                TIMELINE_LIMIT,
            )?;
            let mut timeline = Vec::with_capacity(events.len());
            let mut notices = Vec::new();
            for e in events {
                let detail: serde_json::Value =
                    serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null);
                let at = from_db(e.occurred_at);
                if e.kind == latchkey_core::AuditEventKind::GuardedActionNotified.as_str() {
                    notices.push(NoticeSent {
                        notice: detail["notice"].as_str().unwrap_or_default().to_owned(),
                        channels: detail["channels"]
                            .as_array()
                            .map(|c| {
                                c.iter()
                                    .filter_map(|v| v.as_str().map(str::to_owned))
                                    .collect()
                            })
                            .unwrap_or_default(),
                        at,
                    });
                }
                let actor_text = e.actor.clone().unwrap_or_default();
                timeline.push(TimelineEntry {
                    at,
                    kind: e.kind,
                    actor: names.named(conn, &actor_text)?,
                    actor_text,
                    detail,
                });
            }
            let feasibility = still_feasible(conn, &inner.config.policies, &request)?;
            Ok(Review {
                request,
                subject,
                requester,
                factors,
                decisions,
                oob,
                notices,
                timeline,
                feasibility,
            })
        })
        .await
    }
}

/// Whether what an open request still lacks — approvals, and a recorder of
/// the out-of-band check — can come from enabled holders of the approver
/// role who are neither its subject, its requester, nor an approver
/// already. A final request lacks nothing.
fn still_feasible(
    conn: &mut DbConnection,
    configured: &crate::policy::PolicySet,
    request: &Request,
) -> Result<Feasibility, StoreError> {
    if request.state.is_final() {
        return Ok(Feasibility::Feasible);
    }
    if let GuardedAction::WeakenPolicy { change } = &request.action {
        match super::checks::policy_change_applies(conn, configured, change) {
            Ok(()) => {}
            Err(EngineError::Refused(Refusal::StalePolicyChange {})) => {
                return Ok(Feasibility::StaleChange);
            }
            Err(EngineError::Refused(_)) => {}
            Err(EngineError::Store(e)) => return Err(e),
        }
    }
    let policy = &request.policy;
    let approvals_missing = usize::from(policy.approvals).saturating_sub(request.approvals.len());
    let oob_missing = request.out_of_band_by.is_none()
        && (policy.out_of_band_check
            || (policy.factor_kinds.contains(&FactorKind::OutOfBand)
                && !request.factors_satisfied()));
    let required = u8::try_from(approvals_missing.max(usize::from(oob_missing))).unwrap_or(u8::MAX);
    if required == 0 {
        return Ok(Feasibility::Feasible);
    }
    let mut excluded = vec![request.subject];
    excluded.extend(request.requester);
    excluded.extend(request.approvals.iter().copied());
    let available =
        approvals::count_eligible_approvers(conn, policy.approver_role.as_str(), &excluded)?;
    let available = u64::try_from(available).unwrap_or(0);
    Ok(if u64::from(required) > available {
        Feasibility::NotEnoughApprovers {
            required,
            available,
        }
    } else {
        Feasibility::Feasible
    })
}

/// Account names, each looked up once per read.
#[derive(Default)]
struct Names(BTreeMap<UserId, Option<AccountName>>);

impl Names {
    fn get(
        &mut self,
        conn: &mut DbConnection,
        id: UserId,
    ) -> Result<Option<AccountName>, StoreError> {
        if let Some(known) = self.0.get(&id) {
            return Ok(known.clone());
        }
        let name = users::find(conn, id)?.map(|u| AccountName {
            id,
            username: u.username,
            display_name: u.display_name,
        });
        self.0.insert(id, name.clone());
        Ok(name)
    }

    /// The account a decision or check was recorded by (an account id the
    /// store keeps); one no longer there is named by its id.
    fn recorded(&mut self, conn: &mut DbConnection, text: &str) -> Result<AccountName, StoreError> {
        let id = UserId::parse(text).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(self.get(conn, id)?.unwrap_or_else(|| AccountName {
            id,
            username: id.to_string(),
            display_name: String::new(),
        }))
    }

    /// The account a stored id names; `None` for text that is no user id
    /// (`system`, `anonymous`) or an account that is gone.
    fn named(
        &mut self,
        conn: &mut DbConnection,
        text: &str,
    ) -> Result<Option<AccountName>, StoreError> {
        match UserId::parse(text) {
            Ok(id) => self.get(conn, id),
            Err(_) => Ok(None),
        }
    }
}
