//! Accounts and their roles.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{AccountTier, UserId};

use crate::schema::{group_members, user_roles, users};
use crate::{DbConnection, StoreError, settings, to_db};

pub const ROLE_ADMIN: &str = "admin";

/// The role whose holders approve guarded requests. The founding
/// administrators hold it too (granted with the admin role at their
/// enrolment): otherwise no account could ever become an approver, since a
/// `grant_role` request itself needs approvers under the default policies.
pub const ROLE_APPROVER: &str = "approver";

/// Set (for good) the first time any account is made an administrator: the
/// bootstrap link exists only while the instance has never had one, even if
/// every administrator is later removed.
pub const ADMIN_EVER_EXISTED: &str = "admin_ever_existed";

/// Set (for good) once [`FOUNDING_ADMINS`] accounts hold the admin role:
/// from then on nobody becomes an administrator through an invitation, only
/// through a guarded role request that others approve.
pub const FOUNDING_CLOSED: &str = "founding_admins_complete";

/// How many administrators an instance may create directly (the bootstrap
/// administrator and invitations): three, the fewest that let two distinct
/// administrators approve a request about a third under the default
/// policies.
pub const FOUNDING_ADMINS: i64 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub tier: String,
    pub tier_pinned: bool,
    pub passkey_only: bool,
    pub disabled_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl User {
    pub fn user_id(&self) -> Result<UserId, StoreError> {
        UserId::parse(&self.id).map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    pub fn account_tier(&self) -> Result<AccountTier, StoreError> {
        self.tier
            .parse()
            .map_err(|e: latchkey_core::ParseError| StoreError::Corrupt(e.to_string()))
    }

    pub fn is_disabled(&self) -> bool {
        self.disabled_at.is_some()
    }
}

/// A new account. The username is unique; so is the email when given.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub email: Option<String>,
    pub tier: AccountTier,
}

pub fn create(
    conn: &mut DbConnection,
    new: &NewUser,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    create_with_id(conn, UserId::new(), new, now)
}

/// Creates the account with an id chosen beforehand (a passkey's user handle
/// is fixed when its registration starts, before the account exists).
pub fn create_with_id(
    conn: &mut DbConnection,
    id: UserId,
    new: &NewUser,
    now: DateTime<Utc>,
) -> Result<User, StoreError> {
    let now = to_db(now);
    let user = User {
        id: id.to_string(),
        username: new.username.clone(),
        display_name: new.display_name.clone(),
        email: new.email.clone(),
        email_verified_at: None,
        tier: new.tier.as_str().to_owned(),
        tier_pinned: false,
        passkey_only: true,
        disabled_at: None,
        created_at: now,
        updated_at: now,
    };
    diesel::insert_into(users::table)
        .values((
            users::id.eq(&user.id),
            users::username.eq(&user.username),
            users::display_name.eq(&user.display_name),
            users::email.eq(&user.email),
            users::tier.eq(&user.tier),
            users::tier_pinned.eq(user.tier_pinned),
            users::passkey_only.eq(user.passkey_only),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("a user with this username or email"))?;
    Ok(user)
}

pub fn find(conn: &mut DbConnection, id: UserId) -> Result<Option<User>, StoreError> {
    Ok(users::table
        .select(User::as_select())
        .filter(users::id.eq(id.to_string()))
        .first(conn)
        .optional()?)
}

pub fn find_by_username(
    conn: &mut DbConnection,
    username: &str,
) -> Result<Option<User>, StoreError> {
    Ok(users::table
        .select(User::as_select())
        .filter(users::username.eq(username))
        .first(conn)
        .optional()?)
}

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// Accounts whose username, display name or address contains `text`
/// (case-insensitively; every account when empty), members of `group` when
/// given, ordered by username, those after `after` (a username: the next
/// page), at most `limit`.
pub fn search(
    conn: &mut DbConnection,
    text: &str,
    group: Option<latchkey_core::GroupId>,
    after: Option<&str>,
    limit: i64,
) -> Result<Vec<User>, StoreError> {
    let mut q = users::table.select(User::as_select()).into_boxed();
    if let Some(group) = group {
        q = q.filter(
            users::id.eq_any(
                group_members::table
                    .filter(group_members::group_id.eq(group.to_string()))
                    .select(group_members::user_id),
            ),
        );
    }
    if !text.is_empty() {
        // LIKE's own characters are escaped, so the text matches only itself.
        let escaped: String = text
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let pattern = format!("%{escaped}%");
        q = q.filter(
            lower(users::username)
                .like(pattern.clone())
                .escape('\\')
                .or(lower(users::display_name)
                    .like(pattern.clone())
                    .escape('\\'))
                .or(lower(users::email.assume_not_null())
                    .like(pattern)
                    .escape('\\')),
        );
    }
    if let Some(after) = after {
        q = q.filter(users::username.gt(after.to_owned()));
    }
    Ok(q.order(users::username.asc()).limit(limit).load(conn)?)
}

/// Usernames of the accounts among `ids` (ids that name no account, such as
/// `cli` or `system`, are left out), as `(id, username)`.
pub fn usernames(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(users::table
        .select((users::id, users::username))
        .filter(users::id.eq_any(ids))
        .load(conn)?)
}

/// The account whose address is `email`, as given or in lower case (the
/// form invitations store).
pub fn find_by_email(conn: &mut DbConnection, email: &str) -> Result<Option<User>, StoreError> {
    let given = email.trim();
    if given.is_empty() {
        return Ok(None);
    }
    Ok(users::table
        .select(User::as_select())
        .filter(users::email.eq_any([given.to_owned(), given.to_lowercase()]))
        .first(conn)
        .optional()?)
}

pub fn set_tier(
    conn: &mut DbConnection,
    id: UserId,
    tier: AccountTier,
    pinned: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set((
            users::tier.eq(tier.as_str()),
            users::tier_pinned.eq(pinned),
            users::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound("the user"));
    }
    Ok(())
}

/// Sets the account's address; it is unverified until proven again.
pub fn set_email(
    conn: &mut DbConnection,
    id: UserId,
    email: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(None::<NaiveDateTime>),
            users::updated_at.eq(to_db(now)),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("a user with this email"))?;
    if n == 0 {
        return Err(StoreError::NotFound("the user"));
    }
    Ok(())
}

/// Marks the account's address verified, only if it is still `email` (an
/// address changed since the proof was sent stays unverified). Whether it
/// was marked.
pub fn mark_email_verified(
    conn: &mut DbConnection,
    id: UserId,
    email: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        users::table
            .filter(users::id.eq(id.to_string()))
            .filter(users::email.eq(email)),
    )
    .set((
        users::email_verified_at.eq(Some(to_db(now))),
        users::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn disable(conn: &mut DbConnection, id: UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
    let n = diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set((
            users::disabled_at.eq(Some(to_db(now))),
            users::updated_at.eq(to_db(now)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(StoreError::NotFound("the user"));
    }
    Ok(())
}

/// Lifts the account's disablement (the guarded `enable_account` change
/// calls this when it completes). Whether it was disabled.
pub fn enable(conn: &mut DbConnection, id: UserId, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let n = diesel::update(
        users::table
            .filter(users::id.eq(id.to_string()))
            .filter(users::disabled_at.is_not_null()),
    )
    .set((
        users::disabled_at.eq(None::<NaiveDateTime>),
        users::updated_at.eq(to_db(now)),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

pub fn grant_role(
    conn: &mut DbConnection,
    id: UserId,
    role: &str,
    granted_by: Option<UserId>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    diesel::insert_into(user_roles::table)
        .values((
            user_roles::user_id.eq(id.to_string()),
            user_roles::role.eq(role),
            user_roles::granted_at.eq(to_db(now)),
            user_roles::granted_by.eq(granted_by.map(|g| g.to_string())),
        ))
        .execute(conn)
        .map_err(|e| StoreError::from(e).conflict_as("this role grant"))?;
    if role == ROLE_ADMIN {
        settings::set(conn, ADMIN_EVER_EXISTED, "true", now)?;
        if count_with_role(conn, ROLE_ADMIN)? >= FOUNDING_ADMINS {
            settings::set(conn, FOUNDING_CLOSED, "true", now)?;
        }
    }
    Ok(())
}

/// Whether any account has ever held the admin role.
pub fn admin_ever_existed(conn: &mut DbConnection) -> Result<bool, StoreError> {
    Ok(
        count_with_role(conn, ROLE_ADMIN)? > 0
            || settings::get(conn, ADMIN_EVER_EXISTED)?.is_some(),
    )
}

/// Whether administrators may still be created directly (see
/// [`FOUNDING_CLOSED`]).
pub fn founding_open(conn: &mut DbConnection) -> Result<bool, StoreError> {
    Ok(count_with_role(conn, ROLE_ADMIN)? < FOUNDING_ADMINS
        && settings::get(conn, FOUNDING_CLOSED)?.is_none())
}

/// Whether an account with this (lower-cased) address exists.
pub fn email_taken(conn: &mut DbConnection, email: &str) -> Result<bool, StoreError> {
    Ok(users::table
        .filter(users::email.eq(email))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// Whether `id` is an enabled account holding the admin role: what every
/// administrator's change checks, in its own transaction.
pub fn is_enabled_admin(conn: &mut DbConnection, id: UserId) -> Result<bool, StoreError> {
    let enabled = find(conn, id)?.is_some_and(|u| !u.is_disabled());
    Ok(enabled
        && roles(conn, id)?
            .iter()
            .any(|r| r == latchkey_core::Role::Admin.as_str()))
}

pub fn roles(conn: &mut DbConnection, id: UserId) -> Result<Vec<String>, StoreError> {
    Ok(user_roles::table
        .select(user_roles::role)
        .filter(user_roles::user_id.eq(id.to_string()))
        .order(user_roles::role.asc())
        .load(conn)?)
}

/// The roles of several accounts at once, as `(user id, role)`.
pub fn roles_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<Vec<(String, String)>, StoreError> {
    Ok(user_roles::table
        .select((user_roles::user_id, user_roles::role))
        .filter(user_roles::user_id.eq_any(ids))
        .order((user_roles::user_id.asc(), user_roles::role.asc()))
        .load(conn)?)
}

pub fn count_with_role(conn: &mut DbConnection, role: &str) -> Result<i64, StoreError> {
    Ok(user_roles::table
        .filter(user_roles::role.eq(role))
        .count()
        .get_result(conn)?)
}

/// The language the account chose (a shipped code), if it chose one.
pub fn locale(conn: &mut DbConnection, id: UserId) -> Result<Option<String>, StoreError> {
    Ok(users::table
        .select(users::locale)
        .filter(users::id.eq(id.to_string()))
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Stores the account's language (`None`: negotiate per request again).
/// The caller has checked that the code is a shipped language.
pub fn set_locale(
    conn: &mut DbConnection,
    id: UserId,
    locale: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = diesel::update(users::table.filter(users::id.eq(id.to_string())))
        .set((users::locale.eq(locale), users::updated_at.eq(to_db(now))))
        .execute(conn)?;
    if changed == 0 {
        return Err(StoreError::NotFound("the user"));
    }
    Ok(())
}
