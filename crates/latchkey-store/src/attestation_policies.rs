//! Attestation policies and where they apply: to groups, to account tiers
//! and to OIDC clients. A target has at most one policy (assigning another
//! replaces it); a policy may have many targets. The rules are stored as
//! plain columns; `latchkey-passkey` gives them meaning.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{ClientId, PolicyId, UserId};

use crate::schema::{attestation_policies, group_members, policy_assignments, user_roles, users};
use crate::{DbConnection, StoreError, to_db};

/// What [`StoreError::Conflict`] names when the policy name is taken.
pub const DUPLICATE_POLICY: &str = "an attestation policy with this name";

/// `attestation` column values.
const ATTESTATION_DIRECT: &str = "direct";
const ATTESTATION_NONE: &str = "none";

/// What an assignment attaches a policy to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetKind {
    Group,
    Tier,
    Client,
    /// The admin console: the passkey of a console step-up must comply.
    /// Its one target id is [`CONSOLE_TARGET`].
    Console,
}

/// The target id of the console's policy.
pub const CONSOLE_TARGET: &str = "console";

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Group => "group",
            Self::Tier => "tier",
            Self::Client => "client",
            Self::Console => "console",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "group" => Some(Self::Group),
            "tier" => Some(Self::Tier),
            "client" => Some(Self::Client),
            "console" => Some(Self::Console),
            _ => None,
        }
    }
}

/// The rules of a policy, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyRules {
    pub require_attestation: bool,
    pub require_device_bound: bool,
    /// Hyphenated AAGUIDs; empty: any model.
    pub aaguid_allowlist: Vec<String>,
    /// `L1` … `L3+`.
    pub min_certification: Option<String>,
    pub refuse_compromised: bool,
}

/// A stored policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: PolicyId,
    pub name: String,
    pub description: String,
    pub rules: PolicyRules,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One target of a policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub policy_id: PolicyId,
    pub kind: TargetKind,
    /// A group id, a tier name or a client id.
    pub target: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = attestation_policies)]
struct PolicyRow {
    id: String,
    name: String,
    description: String,
    attestation: String,
    require_device_bound: bool,
    require_uv: bool,
    aaguid_allowlist: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    min_certification: Option<String>,
    refuse_compromised: bool,
}

impl PolicyRow {
    fn into_policy(self) -> Result<Policy, StoreError> {
        let aaguid_allowlist: Vec<String> =
            serde_json::from_str(&self.aaguid_allowlist).map_err(|_| {
                StoreError::Corrupt(format!("the AAGUID list of attestation policy {}", self.id))
            })?;
        let id = PolicyId::parse(&self.id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Policy {
            id,
            name: self.name,
            description: self.description,
            rules: PolicyRules {
                require_attestation: self.attestation == ATTESTATION_DIRECT,
                require_device_bound: self.require_device_bound,
                aaguid_allowlist,
                min_certification: self.min_certification,
                refuse_compromised: self.refuse_compromised,
            },
            created_at: crate::from_db(self.created_at),
            updated_at: crate::from_db(self.updated_at),
        })
    }
}

fn attestation_value(rules: &PolicyRules) -> &'static str {
    if rules.require_attestation {
        ATTESTATION_DIRECT
    } else {
        ATTESTATION_NONE
    }
}

fn allowlist_json(rules: &PolicyRules) -> String {
    serde_json::Value::from(rules.aaguid_allowlist.clone()).to_string()
}

/// Creates a policy; [`StoreError::Conflict`] ([`DUPLICATE_POLICY`]) when
/// the name is taken.
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    description: &str,
    rules: &PolicyRules,
    now: DateTime<Utc>,
) -> Result<Policy, StoreError> {
    let row = PolicyRow {
        id: PolicyId::new().to_string(),
        name: name.to_owned(),
        description: description.to_owned(),
        attestation: attestation_value(rules).to_owned(),
        require_device_bound: rules.require_device_bound,
        // User verification is required by every ceremony, policy or not.
        require_uv: true,
        aaguid_allowlist: allowlist_json(rules),
        created_at: to_db(now),
        updated_at: to_db(now),
        min_certification: rules.min_certification.clone(),
        refuse_compromised: rules.refuse_compromised,
    };
    diesel::insert_into(attestation_policies::table)
        .values(&row)
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as(DUPLICATE_POLICY))?;
    row.into_policy()
}

/// Replaces the rules of the policy `name`.
pub fn update_rules(
    conn: &mut DbConnection,
    name: &str,
    rules: &PolicyRules,
    now: DateTime<Utc>,
) -> Result<Policy, StoreError> {
    let n = diesel::update(attestation_policies::table.filter(attestation_policies::name.eq(name)))
        .set((
            attestation_policies::attestation.eq(attestation_value(rules)),
            attestation_policies::require_device_bound.eq(rules.require_device_bound),
            attestation_policies::aaguid_allowlist.eq(allowlist_json(rules)),
            attestation_policies::min_certification.eq(&rules.min_certification),
            attestation_policies::refuse_compromised.eq(rules.refuse_compromised),
            attestation_policies::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound("the attestation policy"));
    }
    find_by_name(conn, name)?.ok_or(StoreError::NotFound("the attestation policy"))
}

/// Deletes the policy `name` and its assignments.
pub fn delete(conn: &mut DbConnection, name: &str) -> Result<(), StoreError> {
    let Some(policy) = find_by_name(conn, name)? else {
        return Err(StoreError::NotFound("the attestation policy"));
    };
    let id = policy.id.to_string();
    diesel::delete(policy_assignments::table.filter(policy_assignments::policy_id.eq(&id)))
        .execute(conn)?;
    diesel::delete(attestation_policies::table.filter(attestation_policies::id.eq(&id)))
        .execute(conn)?;
    Ok(())
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Policy>, StoreError> {
    attestation_policies::table
        .filter(attestation_policies::name.eq(name))
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()?
        .map(PolicyRow::into_policy)
        .transpose()
}

/// Every policy, by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Policy>, StoreError> {
    attestation_policies::table
        .order(attestation_policies::name.asc())
        .select(PolicyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(PolicyRow::into_policy)
        .collect()
}

/// Attaches `policy_id` to the target, replacing the policy it had.
pub fn assign(
    conn: &mut DbConnection,
    policy_id: PolicyId,
    kind: TargetKind,
    target: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::write_transaction(conn, |conn| {
        diesel::delete(
            policy_assignments::table
                .filter(policy_assignments::target_kind.eq(kind.as_str()))
                .filter(policy_assignments::target_id.eq(target)),
        )
        .execute(conn)?;
        diesel::insert_into(policy_assignments::table)
            .values((
                policy_assignments::id.eq(uuid::Uuid::new_v4().to_string()),
                policy_assignments::policy_id.eq(policy_id.to_string()),
                policy_assignments::target_kind.eq(kind.as_str()),
                policy_assignments::target_id.eq(target),
                policy_assignments::created_at.eq(to_db(now)),
            ))
            .execute(conn)
            .map_err(|e| StoreError::from(e).conflict_as("a policy for this target"))?;
        Ok(())
    })
}

/// Detaches whatever policy the target has; `false` if it had none.
pub fn unassign(
    conn: &mut DbConnection,
    kind: TargetKind,
    target: &str,
) -> Result<bool, StoreError> {
    let n = diesel::delete(
        policy_assignments::table
            .filter(policy_assignments::target_kind.eq(kind.as_str()))
            .filter(policy_assignments::target_id.eq(target)),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The targets of a policy, oldest first.
pub fn assignments_of(
    conn: &mut DbConnection,
    policy_id: PolicyId,
) -> Result<Vec<Assignment>, StoreError> {
    let rows: Vec<(String, String, String, NaiveDateTime)> = policy_assignments::table
        .filter(policy_assignments::policy_id.eq(policy_id.to_string()))
        .order((
            policy_assignments::created_at.asc(),
            policy_assignments::id.asc(),
        ))
        .select((
            policy_assignments::policy_id,
            policy_assignments::target_kind,
            policy_assignments::target_id,
            policy_assignments::created_at,
        ))
        .load(conn)?;
    rows.into_iter()
        .map(|(policy_id, kind, target, created_at)| {
            let kind = TargetKind::parse(&kind)
                .ok_or_else(|| StoreError::Corrupt(format!("policy target kind {kind:?}")))?;
            let policy_id =
                PolicyId::parse(&policy_id).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(Assignment {
                policy_id,
                kind,
                target,
                created_at: crate::from_db(created_at),
            })
        })
        .collect()
}

fn policy_of(
    conn: &mut DbConnection,
    kind: TargetKind,
    target: &str,
) -> Result<Option<Policy>, StoreError> {
    attestation_policies::table
        .inner_join(
            policy_assignments::table
                .on(policy_assignments::policy_id.eq(attestation_policies::id)),
        )
        .filter(policy_assignments::target_kind.eq(kind.as_str()))
        .filter(policy_assignments::target_id.eq(target))
        .select(PolicyRow::as_select())
        .first(conn)
        .optional()?
        .map(PolicyRow::into_policy)
        .transpose()
}

/// The policy attached to a target (a group id, a tier name, a client id),
/// if it has one.
pub fn for_target(
    conn: &mut DbConnection,
    kind: TargetKind,
    target: &str,
) -> Result<Option<Policy>, StoreError> {
    policy_of(conn, kind, target)
}

/// The policy of an OIDC client, if it has one.
pub fn for_client(
    conn: &mut DbConnection,
    client: &ClientId,
) -> Result<Option<Policy>, StoreError> {
    policy_of(conn, TargetKind::Client, client.as_str())
}

/// The policy attached to a group, if it has one.
pub fn for_group(
    conn: &mut DbConnection,
    group: latchkey_core::GroupId,
) -> Result<Option<Policy>, StoreError> {
    policy_of(conn, TargetKind::Group, &group.to_string())
}

/// The policy of an account tier (`standard`, `elevated`, `critical`).
pub fn for_tier(conn: &mut DbConnection, tier: &str) -> Result<Option<Policy>, StoreError> {
    policy_of(conn, TargetKind::Tier, tier)
}

/// The policies that apply to the account `user`: its tier's and those of
/// its groups, each once, by name. A user that does not exist has none.
pub fn for_user(conn: &mut DbConnection, user: UserId) -> Result<Vec<Policy>, StoreError> {
    let tier: Option<String> = users::table
        .filter(users::id.eq(user.to_string()))
        .select(users::tier)
        .first(conn)
        .optional()?;
    let Some(tier) = tier else {
        return Ok(Vec::new());
    };
    let groups: Vec<String> = group_members::table
        .filter(group_members::user_id.eq(user.to_string()))
        .select(group_members::group_id)
        .load(conn)?;
    let rows: Vec<PolicyRow> = attestation_policies::table
        .inner_join(
            policy_assignments::table
                .on(policy_assignments::policy_id.eq(attestation_policies::id)),
        )
        .filter(
            policy_assignments::target_kind
                .eq(TargetKind::Tier.as_str())
                .and(policy_assignments::target_id.eq(tier))
                .or(policy_assignments::target_kind
                    .eq(TargetKind::Group.as_str())
                    .and(policy_assignments::target_id.eq_any(groups))),
        )
        .select(PolicyRow::as_select())
        .order(attestation_policies::name.asc())
        .load(conn)?;
    let mut out: Vec<Policy> = Vec::with_capacity(rows.len());
    for row in rows {
        if out
            .last()
            .is_none_or(|p: &Policy| p.id.to_string() != row.id)
        {
            out.push(row.into_policy()?);
        }
    }
    Ok(out)
}

/// An account a policy's report looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeUser {
    pub id: UserId,
    pub username: String,
}

/// The enabled accounts a policy applies to, by username: the members of
/// its groups, the accounts of its tiers and, attached to the console, the
/// holders of a console role (admin, approver) — or every enabled account
/// when it is attached to a client (anyone may sign in to it) or to
/// nothing yet (a dry run before assigning it).
pub fn users_in_scope(
    conn: &mut DbConnection,
    policy_id: PolicyId,
) -> Result<Vec<ScopeUser>, StoreError> {
    let targets = assignments_of(conn, policy_id)?;
    scope_of_targets(conn, &targets)
}

/// The enabled accounts `targets` reach, as [`users_in_scope`] counts them
/// (no target: every enabled account).
pub fn scope_of_targets(
    conn: &mut DbConnection,
    targets: &[Assignment],
) -> Result<Vec<ScopeUser>, StoreError> {
    let everyone = targets.is_empty() || targets.iter().any(|a| a.kind == TargetKind::Client);
    let mut query = users::table
        .filter(users::disabled_at.is_null())
        .select((users::id, users::username))
        .order(users::username.asc())
        .into_boxed();
    if !everyone {
        let tiers: Vec<String> = targets
            .iter()
            .filter(|a| a.kind == TargetKind::Tier)
            .map(|a| a.target.clone())
            .collect();
        let groups: Vec<String> = targets
            .iter()
            .filter(|a| a.kind == TargetKind::Group)
            .map(|a| a.target.clone())
            .collect();
        let members = group_members::table
            .filter(group_members::group_id.eq_any(groups))
            .select(group_members::user_id);
        let console_roles: Vec<&str> = if targets.iter().any(|a| a.kind == TargetKind::Console) {
            vec!["admin", "approver"]
        } else {
            Vec::new()
        };
        let role_holders = user_roles::table
            .filter(user_roles::role.eq_any(console_roles))
            .select(user_roles::user_id);
        query = query.filter(
            users::tier
                .eq_any(tiers)
                .or(users::id.eq_any(members))
                .or(users::id.eq_any(role_holders)),
        );
    }
    let rows: Vec<(String, String)> = query.load(conn)?;
    rows.into_iter()
        .map(|(id, username)| {
            Ok(ScopeUser {
                id: UserId::parse(&id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                username,
            })
        })
        .collect()
}
