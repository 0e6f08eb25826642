//! The guarded-action policies in force on this instance: one row per tier
//! and action, the policy as JSON (`latchkey_recovery::Policy`). The engine
//! reads the row a request is made under; the rows are written only by the
//! engine (first start, a tightening, a completed relaxing request), in the
//! caller's transaction together with the audit event.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use crate::schema::recovery_policies;
use crate::{DbConnection, StoreError, from_db, to_db};

/// One stored policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPolicy {
    pub tier: String,
    pub action: String,
    /// The policy as JSON.
    pub policy: String,
    pub updated_at: DateTime<Utc>,
    /// `config` (first start or the configuration file), or the account id
    /// of the administrator whose change it was.
    pub updated_by: String,
}

type Row = (String, String, String, chrono::NaiveDateTime, String);

fn stored((tier, action, policy, updated_at, updated_by): Row) -> StoredPolicy {
    StoredPolicy {
        tier,
        action,
        policy,
        updated_at: from_db(updated_at),
        updated_by,
    }
}

/// Every stored policy, by tier and action.
pub fn list(conn: &mut DbConnection) -> Result<Vec<StoredPolicy>, StoreError> {
    let rows: Vec<Row> = recovery_policies::table
        .select((
            recovery_policies::tier,
            recovery_policies::action,
            recovery_policies::policy,
            recovery_policies::updated_at,
            recovery_policies::updated_by,
        ))
        .order((
            recovery_policies::tier.asc(),
            recovery_policies::action.asc(),
        ))
        .load(conn)?;
    Ok(rows.into_iter().map(stored).collect())
}

/// The stored policy of one tier and action.
pub fn find(
    conn: &mut DbConnection,
    tier: &str,
    action: &str,
) -> Result<Option<StoredPolicy>, StoreError> {
    let row: Option<Row> = recovery_policies::table
        .select((
            recovery_policies::tier,
            recovery_policies::action,
            recovery_policies::policy,
            recovery_policies::updated_at,
            recovery_policies::updated_by,
        ))
        .filter(recovery_policies::tier.eq(tier))
        .filter(recovery_policies::action.eq(action))
        .first(conn)
        .optional()?;
    Ok(row.map(stored))
}

/// Stores the policy of one tier and action, replacing the one there was.
pub fn put(
    conn: &mut DbConnection,
    tier: &str,
    action: &str,
    policy: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::delete(
        recovery_policies::table
            .filter(recovery_policies::tier.eq(tier))
            .filter(recovery_policies::action.eq(action)),
    )
    .execute(conn)?;
    diesel::insert_into(recovery_policies::table)
        .values((
            recovery_policies::tier.eq(tier),
            recovery_policies::action.eq(action),
            recovery_policies::policy.eq(policy),
            recovery_policies::updated_at.eq(to_db(now)),
            recovery_policies::updated_by.eq(by),
        ))
        .execute(conn)?;
    Ok(())
}
