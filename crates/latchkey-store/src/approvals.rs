//! Approvers' decisions on guarded actions: one per approver and request
//! (`UNIQUE (action_id, admin_user_id)`), so an approval counts once even if
//! the engine were bypassed.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{CredentialId, GuardedActionId, UserId};

use crate::schema::{approvals, user_roles, users};
use crate::{DbConnection, StoreError, to_db};

pub const DECISION_APPROVE: &str = "approve";
pub const DECISION_DENY: &str = "deny";

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = approvals)]
pub struct ApprovalRow {
    pub id: String,
    pub action_id: String,
    pub admin_user_id: String,
    /// [`DECISION_APPROVE`] or [`DECISION_DENY`].
    pub decision: String,
    pub comment: String,
    /// When the approver's user-verified assertion was made.
    pub user_verified_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    /// The passkey the approver decided with.
    pub credential_id: Option<String>,
}

/// A decision to record.
#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub action_id: GuardedActionId,
    pub approver: UserId,
    pub decision: &'a str,
    pub comment: &'a str,
    pub user_verified_at: DateTime<Utc>,
    pub credential: Option<CredentialId>,
}

/// Records a decision. An approver who approved and then denies has the
/// denial recorded in place of the approval (the audit log keeps both).
pub fn record(
    conn: &mut DbConnection,
    d: &NewDecision<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let action = d.action_id.to_string();
    let approver = d.approver.to_string();
    let credential = d.credential.map(|c| c.to_string());
    let existing = approvals::table
        .filter(approvals::action_id.eq(&action))
        .filter(approvals::admin_user_id.eq(&approver));
    let changed = diesel::update(existing)
        .filter(approvals::decision.ne(d.decision))
        .set((
            approvals::decision.eq(d.decision),
            approvals::comment.eq(d.comment),
            approvals::user_verified_at.eq(to_db(d.user_verified_at)),
            approvals::credential_id.eq(&credential),
            approvals::created_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    if changed == 1 {
        return Ok(());
    }
    diesel::insert_into(approvals::table)
        .values((
            approvals::id.eq(uuid::Uuid::new_v4().to_string()),
            approvals::action_id.eq(&action),
            approvals::admin_user_id.eq(&approver),
            approvals::decision.eq(d.decision),
            approvals::comment.eq(d.comment),
            approvals::user_verified_at.eq(to_db(d.user_verified_at)),
            approvals::created_at.eq(to_db(now)),
            approvals::credential_id.eq(&credential),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("this approver's decision on this request"))?;
    Ok(())
}

/// The decisions on a request, oldest first.
pub fn for_action(
    conn: &mut DbConnection,
    action_id: &str,
) -> Result<Vec<ApprovalRow>, StoreError> {
    Ok(approvals::table
        .select(ApprovalRow::as_select())
        .filter(approvals::action_id.eq(action_id))
        .order((approvals::created_at.asc(), approvals::id.asc()))
        .load(conn)?)
}

/// How many enabled accounts hold `role`, leaving out `excluding` (the
/// requester and the subject of a request): the approvers a request could
/// have.
pub fn count_eligible_approvers(
    conn: &mut DbConnection,
    role: &str,
    excluding: &[UserId],
) -> Result<i64, StoreError> {
    let excluded: Vec<String> = excluding.iter().map(ToString::to_string).collect();
    Ok(user_roles::table
        .inner_join(users::table)
        .filter(user_roles::role.eq(role))
        .filter(users::disabled_at.is_null())
        .filter(users::id.ne_all(&excluded))
        .count()
        .get_result(conn)?)
}
