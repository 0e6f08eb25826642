//! Groups of accounts, the targets of attestation policies (and, later,
//! of roles). Minimal: create, find, add and remove members, list a user's
//! groups and a group's members.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{GroupId, UserId};

use crate::schema::{group_members, groups};
use crate::{DbConnection, StoreError, from_db, to_db};

/// What [`StoreError::Conflict`] names when the group name is taken.
pub const DUPLICATE_GROUP: &str = "a group with this name";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    pub description: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = groups)]
struct GroupRow {
    id: String,
    name: String,
    description: String,
    created_at: NaiveDateTime,
}

impl GroupRow {
    fn into_group(self) -> Result<Group, StoreError> {
        Ok(Group {
            id: GroupId::parse(&self.id).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            name: self.name,
            description: self.description,
            created_at: from_db(self.created_at),
        })
    }
}

/// Creates a group; [`StoreError::Conflict`] when the name is taken.
pub fn create(
    conn: &mut DbConnection,
    name: &str,
    description: &str,
    now: DateTime<Utc>,
) -> Result<Group, StoreError> {
    let id = GroupId::new();
    diesel::insert_into(groups::table)
        .values((
            groups::id.eq(id.to_string()),
            groups::name.eq(name),
            groups::description.eq(description),
            groups::created_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as(DUPLICATE_GROUP))?;
    Ok(Group {
        id,
        name: name.to_owned(),
        description: description.to_owned(),
        created_at: from_db(to_db(now)),
    })
}

pub fn find_by_name(conn: &mut DbConnection, name: &str) -> Result<Option<Group>, StoreError> {
    groups::table
        .filter(groups::name.eq(name))
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .map(GroupRow::into_group)
        .transpose()
}

pub fn find(conn: &mut DbConnection, id: GroupId) -> Result<Option<Group>, StoreError> {
    groups::table
        .filter(groups::id.eq(id.to_string()))
        .select(GroupRow::as_select())
        .first(conn)
        .optional()?
        .map(GroupRow::into_group)
        .transpose()
}

/// Adds `user` to the group; `false` if they were a member already.
pub fn add_member(
    conn: &mut DbConnection,
    group_id: GroupId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let result = diesel::insert_into(group_members::table)
        .values((
            group_members::group_id.eq(group_id.to_string()),
            group_members::user_id.eq(user.to_string()),
            group_members::added_at.eq(to_db(now)),
        ))
        .execute(conn);
    match result.map_err(StoreError::from) {
        Ok(_) => Ok(true),
        Err(e) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}

/// Removes `user` from the group; `false` if they were not a member.
pub fn remove_member(
    conn: &mut DbConnection,
    group_id: GroupId,
    user: UserId,
) -> Result<bool, StoreError> {
    let n = diesel::delete(
        group_members::table
            .filter(group_members::group_id.eq(group_id.to_string()))
            .filter(group_members::user_id.eq(user.to_string())),
    )
    .execute(conn)?;
    Ok(n > 0)
}

/// The groups `user` belongs to, by name.
pub fn of_user(conn: &mut DbConnection, user: UserId) -> Result<Vec<Group>, StoreError> {
    groups::table
        .inner_join(group_members::table)
        .filter(group_members::user_id.eq(user.to_string()))
        .order(groups::name.asc())
        .select(GroupRow::as_select())
        .load(conn)?
        .into_iter()
        .map(GroupRow::into_group)
        .collect()
}

/// The ids of the group's members.
pub fn members(conn: &mut DbConnection, group_id: GroupId) -> Result<Vec<UserId>, StoreError> {
    let ids: Vec<String> = group_members::table
        .filter(group_members::group_id.eq(group_id.to_string()))
        .order(group_members::added_at.asc())
        .select(group_members::user_id)
        .load(conn)?;
    ids.iter()
        .map(|id| UserId::parse(id).map_err(|e| StoreError::Corrupt(e.to_string())))
        .collect()
}

/// Every group, by name.
pub fn list(conn: &mut DbConnection) -> Result<Vec<Group>, StoreError> {
    groups::table
        .order(groups::name.asc())
        .select(GroupRow::as_select())
        .load(conn)?
        .into_iter()
        .map(GroupRow::into_group)
        .collect()
}
