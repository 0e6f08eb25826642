//! What the console's dashboard counts from the current state: the adoption
//! funnel, passkeys by kind and model, and guarded-action requests by state
//! with their time to completion. Each is a grouped count (sign-ins per day
//! come from [`crate::daily_counts`]).

use chrono::{DateTime, Duration, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;

use crate::schema::{credentials, guarded_actions, invitations, recovery_codes};
use crate::{DbConnection, StoreError, from_db};

/// The adoption funnel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Funnel {
    /// Invitations ever created.
    pub invited: i64,
    /// Accounts with at least one active passkey (pending ones, waiting for
    /// a guarded change to complete, do not count).
    pub enrolled: i64,
    /// Accounts with two or more active passkeys.
    pub two_or_more: i64,
    /// Accounts holding unused recovery codes.
    pub recovery_codes: i64,
}

pub fn funnel(conn: &mut DbConnection) -> Result<Funnel, StoreError> {
    let invited: i64 = invitations::table.select(count_star()).first(conn)?;
    let per_user: Vec<(String, i64)> = credentials::table
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_null())
        .group_by(credentials::user_id)
        .select((credentials::user_id, count_star()))
        .load(conn)?;
    let with_codes: Vec<String> = recovery_codes::table
        .filter(recovery_codes::used_at.is_null())
        .select(recovery_codes::user_id)
        .distinct()
        .load(conn)?;
    Ok(Funnel {
        invited,
        enrolled: per_user.len() as i64,
        two_or_more: per_user.iter().filter(|(_, n)| *n >= 2).count() as i64,
        recovery_codes: with_codes.len() as i64,
    })
}

/// Active passkeys of one kind and model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyGroup {
    pub backup_eligible: bool,
    pub attested: bool,
    pub aaguid: Option<String>,
    pub count: i64,
}

pub fn passkeys(conn: &mut DbConnection) -> Result<Vec<PasskeyGroup>, StoreError> {
    let rows: Vec<(bool, bool, Option<String>, i64)> = credentials::table
        .filter(credentials::revoked_at.is_null())
        .filter(credentials::pending_action_id.is_null())
        .group_by((
            credentials::backup_eligible,
            credentials::attested,
            credentials::aaguid,
        ))
        .select((
            credentials::backup_eligible,
            credentials::attested,
            credentials::aaguid,
            count_star(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(backup_eligible, attested, aaguid, count)| PasskeyGroup {
            backup_eligible,
            attested,
            aaguid,
            count,
        })
        .collect())
}

/// Guarded-action requests by action and state.
pub fn requests_by_state(
    conn: &mut DbConnection,
) -> Result<Vec<(String, String, i64)>, StoreError> {
    Ok(guarded_actions::table
        .group_by((guarded_actions::action, guarded_actions::state))
        .select((
            guarded_actions::action,
            guarded_actions::state,
            count_star(),
        ))
        .order((guarded_actions::action.asc(), guarded_actions::state.asc()))
        .load(conn)?)
}

/// The median time from request to completion of the last `limit`
/// completed requests (`None` when none completed).
pub fn median_completion(
    conn: &mut DbConnection,
    limit: i64,
) -> Result<Option<Duration>, StoreError> {
    let rows: Vec<(chrono::NaiveDateTime, Option<chrono::NaiveDateTime>)> = guarded_actions::table
        .filter(guarded_actions::completed_at.is_not_null())
        .order(guarded_actions::completed_at.desc())
        .limit(limit)
        .select((guarded_actions::created_at, guarded_actions::completed_at))
        .load(conn)?;
    let mut took: Vec<Duration> = rows
        .into_iter()
        .filter_map(|(created, done)| {
            let (created, done): (DateTime<Utc>, DateTime<Utc>) =
                (from_db(created), from_db(done?));
            Some(done - created)
        })
        .collect();
    took.sort();
    Ok(median(&took))
}

fn median(sorted: &[Duration]) -> Option<Duration> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_of_an_even_count_is_the_mean_of_the_middle_two() {
        let m = |v: &[i64]| median(&v.iter().map(|s| Duration::seconds(*s)).collect::<Vec<_>>());
        assert_eq!(m(&[]), None);
        assert_eq!(m(&[5]), Some(Duration::seconds(5)));
        assert_eq!(m(&[1, 3, 10]), Some(Duration::seconds(3)));
        assert_eq!(m(&[1, 3, 5, 10]), Some(Duration::seconds(4)));
    }
}
