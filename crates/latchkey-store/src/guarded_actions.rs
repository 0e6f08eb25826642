//! Guarded-action requests (recoveries and sensitive changes under policy),
//! with the factors verified for them and their out-of-band checks. The
//! meaning of states, kinds and the policy snapshot belongs to
//! `latchkey-recovery`; this module stores them as text.
//!
//! Every change to a request is made under its row lock ([`lock`], inside
//! [`write_transaction`]) and bumps its `version`; [`update`] refuses a stale
//! version, so two nodes changing one request at once give exactly one
//! change each, one after the other, and never a lost one.

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{GuardedActionId, HashedToken, UserId};

use crate::approvals::{self, ApprovalRow};
use crate::schema::{guarded_action_factors, guarded_actions, oob_verifications};
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// The states a request can still leave, as stored.
pub const OPEN_STATES: [&str; 5] = [
    "requested",
    "verifying_factors",
    "waiting",
    "awaiting_approvals",
    "ready",
];

/// A stored request. The cancel-link hash is deliberately not part of it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = guarded_actions)]
pub struct GuardedActionRow {
    pub id: String,
    /// The account the change is for.
    pub user_id: String,
    pub action: String,
    pub state: String,
    pub tier: String,
    pub requested_by: Option<String>,
    /// Hex SHA-256 of the requester's browser-session handle.
    pub requester_session: Option<String>,
    pub payload: String,
    pub factors_required: i64,
    pub approvals_required: i64,
    pub oob_required: bool,
    pub delay_seconds: i64,
    pub failed_attempts: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub eligible_at: Option<NaiveDateTime>,
    pub expires_at: NaiveDateTime,
    pub completed_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub denied_at: Option<NaiveDateTime>,
    /// The policy the request was made under, as JSON.
    pub policy: String,
    pub version: i64,
    pub expired_at: Option<NaiveDateTime>,
    pub locked_at: Option<NaiveDateTime>,
}

impl GuardedActionRow {
    pub fn action_id(&self) -> Result<GuardedActionId, StoreError> {
        GuardedActionId::parse(&self.id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub fn subject(&self) -> Result<UserId, StoreError> {
        UserId::parse(&self.user_id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

/// A factor verified for a request. `detail` never holds the factor's value.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = guarded_action_factors)]
pub struct FactorRow {
    pub id: String,
    pub action_id: String,
    pub kind: String,
    pub detail: String,
    pub verified_at: NaiveDateTime,
}

/// An out-of-band identity check recorded by an approver.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = oob_verifications)]
pub struct OobRow {
    pub id: String,
    pub action_id: String,
    pub admin_user_id: String,
    pub method: String,
    pub evidence: String,
    pub created_at: NaiveDateTime,
}

/// A request with everything recorded for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedActionRecord {
    pub row: GuardedActionRow,
    pub factors: Vec<FactorRow>,
    pub approvals: Vec<ApprovalRow>,
    pub oob: Option<OobRow>,
}

/// A new request.
#[derive(Debug, Clone)]
pub struct NewGuardedAction {
    pub id: GuardedActionId,
    pub subject: UserId,
    pub action: String,
    pub state: String,
    pub tier: String,
    pub requested_by: Option<UserId>,
    pub requester_session: Option<HashedToken>,
    pub payload: String,
    pub policy: String,
    pub factors_required: i64,
    pub approvals_required: i64,
    pub oob_required: bool,
    pub delay: Duration,
    /// The cancel link of the notices, stored only as its hash.
    pub cancel_token: HashedToken,
    pub created_at: DateTime<Utc>,
    pub eligible_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
}

pub fn insert(conn: &mut DbConnection, new: &NewGuardedAction) -> Result<(), StoreError> {
    let created = to_db(new.created_at);
    diesel::insert_into(guarded_actions::table)
        .values((
            guarded_actions::id.eq(new.id.to_string()),
            guarded_actions::user_id.eq(new.subject.to_string()),
            guarded_actions::action.eq(&new.action),
            guarded_actions::state.eq(&new.state),
            guarded_actions::tier.eq(&new.tier),
            guarded_actions::requested_by.eq(new.requested_by.map(|u| u.to_string())),
            guarded_actions::requester_session
                .eq(new.requester_session.as_ref().map(HashedToken::to_hex)),
            guarded_actions::payload.eq(&new.payload),
            guarded_actions::policy.eq(&new.policy),
            guarded_actions::factors_required.eq(new.factors_required),
            guarded_actions::approvals_required.eq(new.approvals_required),
            guarded_actions::oob_required.eq(new.oob_required),
            guarded_actions::delay_seconds.eq(new.delay.num_seconds()),
            guarded_actions::failed_attempts.eq(0i64),
            guarded_actions::cancel_token_hash.eq(Some(new.cancel_token.as_bytes().to_vec())),
            guarded_actions::created_at.eq(created),
            guarded_actions::updated_at.eq(created),
            guarded_actions::eligible_at.eq(new.eligible_at.map(to_db)),
            guarded_actions::expires_at.eq(to_db(new.expires_at)),
            guarded_actions::version.eq(0i64),
        ))
        .execute(conn)
        .map_err(|e| {
            StoreError::from(e).conflict_as("a guarded action with this id or cancel link")
        })?;
    Ok(())
}

fn load_record(
    conn: &mut DbConnection,
    id: &str,
) -> Result<Option<GuardedActionRecord>, StoreError> {
    let Some(row) = guarded_actions::table
        .select(GuardedActionRow::as_select())
        .filter(guarded_actions::id.eq(id))
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let factors = guarded_action_factors::table
        .select(FactorRow::as_select())
        .filter(guarded_action_factors::action_id.eq(id))
        .order(guarded_action_factors::verified_at.asc())
        .load(conn)?;
    let oob = oob_verifications::table
        .select(OobRow::as_select())
        .filter(oob_verifications::action_id.eq(id))
        .first(conn)
        .optional()?;
    let approvals = approvals::for_action(conn, id)?;
    Ok(Some(GuardedActionRecord {
        row,
        factors,
        approvals,
        oob,
    }))
}

/// The request with everything recorded for it, without locking.
pub fn find(
    conn: &mut DbConnection,
    id: GuardedActionId,
) -> Result<Option<GuardedActionRecord>, StoreError> {
    load_record(conn, &id.to_string())
}

/// Loads the request for a change, locking its row until the end of the
/// transaction: `SELECT … FOR UPDATE` on PostgreSQL; on SQLite the
/// caller's [`write_transaction`] (`BEGIN IMMEDIATE`) already excludes every
/// other writer. Everything is read after the lock is held, so a change
/// another node committed while this one waited is seen.
pub fn lock(
    conn: &mut DbConnection,
    id: GuardedActionId,
) -> Result<Option<GuardedActionRecord>, StoreError> {
    let id = id.to_string();
    if let DbConnection::Pg(pg) = conn {
        let locked: Option<String> = guarded_actions::table
            .select(guarded_actions::id)
            .filter(guarded_actions::id.eq(&id))
            .for_update()
            .first(pg)
            .optional()?;
        if locked.is_none() {
            return Ok(None);
        }
    }
    load_record(conn, &id)
}

/// The new state of a request after a transition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardedActionUpdate {
    pub id: GuardedActionId,
    /// The version the change was computed from.
    pub expected_version: i64,
    pub state: String,
    pub failed_attempts: i64,
    pub updated_at: DateTime<Utc>,
    pub eligible_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub denied_at: Option<DateTime<Utc>>,
    pub expired_at: Option<DateTime<Utc>>,
    pub locked_at: Option<DateTime<Utc>>,
    /// Forget the cancel link (the request is over: the link is spent).
    pub clear_cancel_token: bool,
}

/// Stores a transition. Fails with [`StoreError::Conflict`] when the stored
/// version is no longer `expected_version` (another change came first).
pub fn update(conn: &mut DbConnection, u: &GuardedActionUpdate) -> Result<(), StoreError> {
    let target = guarded_actions::table
        .filter(guarded_actions::id.eq(u.id.to_string()))
        .filter(guarded_actions::version.eq(u.expected_version));
    let n = diesel::update(target)
        .set((
            guarded_actions::state.eq(&u.state),
            guarded_actions::failed_attempts.eq(u.failed_attempts),
            guarded_actions::updated_at.eq(to_db(u.updated_at)),
            guarded_actions::eligible_at.eq(u.eligible_at.map(to_db)),
            guarded_actions::completed_at.eq(u.completed_at.map(to_db)),
            guarded_actions::cancelled_at.eq(u.cancelled_at.map(to_db)),
            guarded_actions::denied_at.eq(u.denied_at.map(to_db)),
            guarded_actions::expired_at.eq(u.expired_at.map(to_db)),
            guarded_actions::locked_at.eq(u.locked_at.map(to_db)),
            guarded_actions::version.eq(u.expected_version + 1),
        ))
        .execute(conn)?;
    if n != 1 {
        return Err(StoreError::Conflict(
            "a newer change of this guarded action",
        ));
    }
    if u.clear_cancel_token {
        diesel::update(guarded_actions::table.filter(guarded_actions::id.eq(u.id.to_string())))
            .set(guarded_actions::cancel_token_hash.eq(None::<Vec<u8>>))
            .execute(conn)?;
    }
    Ok(())
}

/// Records a verified factor. `detail` must not hold the factor's value.
pub fn add_factor(
    conn: &mut DbConnection,
    id: GuardedActionId,
    kind: &str,
    detail: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(guarded_action_factors::table)
        .values((
            guarded_action_factors::id.eq(uuid::Uuid::new_v4().to_string()),
            guarded_action_factors::action_id.eq(id.to_string()),
            guarded_action_factors::kind.eq(kind),
            guarded_action_factors::detail.eq(detail),
            guarded_action_factors::verified_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("a factor of this kind for this request"))?;
    Ok(())
}

/// Records an out-of-band identity check (one per request).
pub fn add_oob(
    conn: &mut DbConnection,
    id: GuardedActionId,
    by: UserId,
    method: &str,
    evidence: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(oob_verifications::table)
        .values((
            oob_verifications::id.eq(uuid::Uuid::new_v4().to_string()),
            oob_verifications::action_id.eq(id.to_string()),
            oob_verifications::admin_user_id.eq(by.to_string()),
            oob_verifications::method.eq(method),
            oob_verifications::evidence.eq(evidence),
            oob_verifications::created_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("an out-of-band check for this request"))?;
    Ok(())
}

/// The open request whose cancel link is `token`, if any.
pub fn find_by_cancel_token(
    conn: &mut DbConnection,
    token: &HashedToken,
) -> Result<Option<GuardedActionId>, StoreError> {
    let id: Option<String> = guarded_actions::table
        .select(guarded_actions::id)
        .filter(guarded_actions::cancel_token_hash.eq(token.as_bytes().to_vec()))
        .first(conn)
        .optional()?;
    id.map(|id| GuardedActionId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}

/// Claims up to `limit` open requests that time alone changes at `now`: the
/// lifetime ran out, or the delay of a waiting one ended. Must run inside
/// [`write_transaction`]; the rows stay locked until it ends. On PostgreSQL
/// `FOR UPDATE SKIP LOCKED` hands each node a disjoint batch and never waits
/// for a request another node is changing; on SQLite the immediate
/// transaction already excludes other writers.
pub fn claim_due(
    conn: &mut DbConnection,
    now: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<GuardedActionId>, StoreError> {
    let now = to_db(now);
    let due = guarded_actions::table
        .select(guarded_actions::id)
        .filter(guarded_actions::state.eq_any(OPEN_STATES))
        .filter(
            guarded_actions::expires_at
                .le(now)
                .or(guarded_actions::state
                    .eq("waiting")
                    .and(guarded_actions::eligible_at.le(now))),
        )
        .order(guarded_actions::expires_at.asc())
        .limit(limit);
    let ids: Vec<String> = match conn {
        DbConnection::Pg(pg) => due.for_update().skip_locked().load(pg)?,
        DbConnection::Sqlite(lite) => due.load(lite)?,
    };
    ids.iter()
        .map(|id| GuardedActionId::parse(id).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

/// The open requests for an account, newest first (shown to its owner after
/// sign-in, with a way to cancel).
pub fn open_for_user(
    conn: &mut DbConnection,
    user: UserId,
) -> Result<Vec<GuardedActionRow>, StoreError> {
    Ok(guarded_actions::table
        .select(GuardedActionRow::as_select())
        .filter(guarded_actions::user_id.eq(user.to_string()))
        .filter(guarded_actions::state.eq_any(OPEN_STATES))
        .order((
            guarded_actions::created_at.desc(),
            guarded_actions::id.desc(),
        ))
        .load(conn)?)
}

/// Every request about an account, open or over, newest first, at most
/// `limit` (its history in the console).
pub fn for_user(
    conn: &mut DbConnection,
    user: UserId,
    limit: i64,
) -> Result<Vec<GuardedActionRow>, StoreError> {
    Ok(guarded_actions::table
        .select(GuardedActionRow::as_select())
        .filter(guarded_actions::user_id.eq(user.to_string()))
        .order((
            guarded_actions::created_at.desc(),
            guarded_actions::id.desc(),
        ))
        .limit(limit)
        .load(conn)?)
}

/// Open requests that need approvals, oldest first (the approval queue).
pub fn awaiting_decision(
    conn: &mut DbConnection,
    limit: i64,
) -> Result<Vec<GuardedActionRow>, StoreError> {
    Ok(guarded_actions::table
        .select(GuardedActionRow::as_select())
        .filter(guarded_actions::state.eq_any(OPEN_STATES))
        .filter(
            guarded_actions::approvals_required
                .gt(0i64)
                .or(guarded_actions::oob_required.eq(true)),
        )
        .order((guarded_actions::created_at.asc(), guarded_actions::id.asc()))
        .limit(limit)
        .load(conn)?)
}

/// Runs `f` on the locked request in a write transaction (see [`lock`]).
pub fn with_locked<T, F>(
    conn: &mut DbConnection,
    id: GuardedActionId,
    f: F,
) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection, Option<GuardedActionRecord>) -> Result<T, StoreError>,
{
    write_transaction(conn, |conn| {
        let record = lock(conn, id)?;
        f(conn, record)
    })
}
