//! Accounts in the console (administrators only): find an account by name
//! or address, and read one — its passkeys with model, kind and
//! attestation, roles, live sessions, its guarded-action requests and its
//! latest audit events. Read only: credentials change through the
//! guarded-action engine, never from here (there is no "reset" and no "add
//! a passkey for this user"). The one change made here is disabling an
//! account, which takes access away and gives none.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::AccountsError;
use latchkey_core::UserId;
use latchkey_i18n::{Locale, msg};
use latchkey_store::audit_query::{self, AuditFilter, Walk};
use latchkey_store::{credentials, from_db, groups, guarded_actions, users};
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access;
use crate::views::{
    AuditRow, Fact, GroupRef, InvitedPage, PasskeyRow, RequestRow, UserPage, UserRow, UsersPage,
    when_in,
};

pub(crate) const ADMINS_ONLY: &str = "Accounts are for administrators.";
pub(crate) const SEARCH_TOO_LONG: &str =
    "Search for at most 100 characters of a name or an address.";
pub(crate) const CHOOSE_GROUP_FROM_LIST: &str = "Choose a group from the list.";
pub(crate) const INVITATION_DAYS: &str = "An invitation is valid for 1, 3 or 7 days.";
pub(crate) const CHOOSE_TIER: &str = "Choose the standard, elevated or critical tier.";
pub(crate) const CHOOSE_GROUPS: &str = "Choose groups from the list.";

/// Accounts per page of the list.
const PAGE: i64 = 50;
/// Requests and audit events shown on an account's page.
const RECENT: i64 = 20;
/// The longest search text accepted.
const MAX_SEARCH: usize = 100;

#[derive(Debug, Default, Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    /// A group's id: its members only.
    #[serde(default)]
    group: String,
    #[serde(default)]
    after: String,
}

#[get("/users")]
pub async fn get_users(
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<UsersQuery>,
) -> Result<UsersPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let text = query.q.trim().to_owned();
    if text.chars().count() > MAX_SEARCH || text.chars().any(char::is_control) {
        return Err(WebError::BadRequest(SEARCH_TOO_LONG.to_owned()));
    }
    let after = Some(query.after.trim().to_owned()).filter(|a| !a.is_empty());
    let group = match query.group.trim() {
        "" => None,
        g => Some(
            latchkey_core::GroupId::parse(g)
                .map_err(|_| WebError::BadRequest(CHOOSE_GROUP_FROM_LIST.to_owned()))?,
        ),
    };
    let (found, roles, all_groups) = {
        let text = text.clone();
        state
            .db
            .run(move |c| {
                let found = users::search(c, &text, group, after.as_deref(), PAGE)?;
                let ids: Vec<String> = found.iter().map(|u| u.id.clone()).collect();
                let roles = users::roles_of(c, &ids)?;
                Ok((found, roles, groups::list(c)?))
            })
            .await?
    };
    let group = group.map(|g| g.to_string()).unwrap_or_default();
    let next = (found.len() as i64 == PAGE)
        .then(|| found.last().map(|u| u.username.clone()))
        .flatten()
        .map(|last| {
            url::form_urlencoded::Serializer::new(String::new())
                .append_pair("q", &text)
                .append_pair("group", &group)
                .append_pair("after", &last)
                .finish()
        });
    let chrome = Chrome::console(&req).await;
    let locale = chrome.locale;
    Ok(UsersPage {
        chrome,
        me: crate::approvals::username(&state, &console).await?,
        q: text,
        groups: all_groups
            .iter()
            .map(|g| GroupRef {
                id: g.id.to_string(),
                name: g.name.clone(),
            })
            .collect(),
        group,
        rows: found
            .iter()
            .map(|u| UserRow {
                id: u.id.clone(),
                username: u.username.clone(),
                display_name: u.display_name.clone(),
                email: u.email.clone().unwrap_or_default(),
                tier: tier_key(&u.tier),
                roles: roles
                    .iter()
                    .filter(|(id, _)| *id == u.id)
                    .map(|(_, r)| role_name(locale, r))
                    .collect::<Vec<_>>()
                    .join(", "),
                disabled: u.disabled_at.is_some(),
            })
            .collect(),
        next,
    })
}

/// The invitation form's fields, read from the pairs sent (a group is one
/// `group` pair per ticked box).
#[derive(Debug, Default)]
struct InviteForm {
    csrf: String,
    email: String,
    /// A checkbox: ticked when present.
    admin: bool,
    /// `1d`, `3d` or `7d`.
    expires: String,
    /// `standard` (the default), `elevated` or `critical`.
    tier: String,
    groups: Vec<String>,
}

impl InviteForm {
    fn read(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "csrf" => f.csrf = v,
                "email" => f.email = v,
                "admin" => f.admin = true,
                "expires" => f.expires = v,
                "tier" => f.tier = v,
                "group" => f.groups.push(v),
                _ => {}
            }
        }
        f
    }
}

/// Invites someone through the same operation as `latchkey user invite`
/// (`Invitations::create`, audited with the administrator as inviter), and
/// shows the link once. Latchkey does not send it.
#[post("/users/invite")]
pub async fn post_invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<Vec<(String, String)>>,
) -> Result<HttpResponse, WebError> {
    let form = InviteForm::read(form.into_inner());
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/users", ADMINS_ONLY).await?;
    let chrome = Chrome::console(&req).await;
    let locale = chrome.locale;
    let days = match form.expires.as_str() {
        "1d" => 1,
        "3d" => 3,
        "" | "7d" => 7,
        _ => {
            return Err(WebError::BadRequest(INVITATION_DAYS.to_owned()));
        }
    };
    let admin = form.admin;
    let tier = match form.tier.as_str() {
        "" => latchkey_core::AccountTier::Standard,
        t => t
            .parse()
            .map_err(|_| WebError::BadRequest(CHOOSE_TIER.to_owned()))?,
    };
    let groups = form
        .groups
        .iter()
        .map(|g| latchkey_core::GroupId::parse(g.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| WebError::BadRequest(CHOOSE_GROUPS.to_owned()))?;
    let created = state
        .accounts
        .invitations()
        .create_with_terms(
            &form.email,
            admin,
            chrono::Duration::days(days),
            {
                let client = client::info(&req);
                latchkey_accounts::Inviter::Admin {
                    user: console.me.user_id(),
                    passkey: console.me.data.credential.clone(),
                    ip: client.ip,
                    request_id: client.request_id,
                }
            },
            tier,
            groups,
        )
        .await
        .map_err(|e| match e {
            AccountsError::InvalidInput { code, message } => {
                WebError::BadRequest(invitation_refusal(locale, code, message))
            }
            other => other.into(),
        })?;
    let page = InvitedPage {
        chrome,
        me: crate::approvals::username(&state, &console).await?,
        email: created.email.clone(),
        admin,
        tier: tier_key(if admin {
            tier.max(latchkey_core::AccountTier::Elevated).as_str()
        } else {
            tier.as_str()
        }),
        expires: when_in(locale, created.expires_at),
        link: created.link(&state.issuer_id),
    };
    let body = askama::Template::render(&page).map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
    /// The request just opened (with `done=requested`).
    #[serde(default)]
    request: String,
}

/// Disables the account at once: its sessions, refresh tokens and access
/// tokens end with it (`Accounts::disable_account`). Audited with the
/// administrator, the passkey of their step-up and the address.
#[post("/users/{id}/disable")]
pub async fn post_disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = UserId::parse(&path).map_err(|_| WebError::NotFound)?;
    let page = format!("/admin/users/{id}");
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    match state
        .accounts
        .disable_account(&console.me, id, &client::info(&req))
        .await
    {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{page}?done=disabled")))
            .finish()),
        Err(AccountsError::NotFound(_)) => Err(WebError::NotFound),
        Err(AccountsError::StepUpRequired) => Err(WebError::StepUpRequired { next: page }),
        Err(AccountsError::InvalidInput { message, .. }) => {
            Err(WebError::BadRequest(message.to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}

#[get("/users/{id}")]
pub async fn get_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<UserPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let id = UserId::parse(&path).map_err(|_| WebError::NotFound)?;
    let loaded = state
        .db
        .run(move |c| {
            let Some(user) = users::find(c, id)? else {
                return Ok(None);
            };
            let roles = users::roles(c, id)?;
            let member_of = groups::of_user(c, id)?;
            let all_groups = groups::list(c)?;
            let passkeys = credentials::list_active(c, id)?;
            let requests = guarded_actions::for_user(c, id, RECENT)?;
            let filter = AuditFilter {
                subject: Some(id.to_string()),
                ..Default::default()
            };
            let events = audit_query::search(c, &filter, Walk::Before(None), RECENT)?;
            let mut ids: Vec<String> = events
                .iter()
                .flat_map(|e| [e.actor.clone(), e.subject.clone()])
                .flatten()
                .collect();
            ids.sort();
            ids.dedup();
            let names = users::usernames(c, &ids)?;
            Ok(Some((
                user,
                roles,
                (member_of, all_groups),
                passkeys,
                requests,
                events,
                names,
            )))
        })
        .await?;
    let Some((user, roles, (member_of, all_groups), passkeys, requests, events, names)) = loaded
    else {
        return Err(WebError::NotFound);
    };
    let sessions = state
        .sessions
        .list_user_sessions(id)
        .await
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    let consents = state
        .db
        .run(move |c| latchkey_store::consents::list_for_user(c, id))
        .await?;
    let now = state.clock.now();
    let own = user.id == console.me.user_id().to_string();
    let chrome = Chrome::console(&req).await;
    let locale = chrome.locale;
    let t = |key: &str| locale.t(key);
    let t1 = |key: &str, name: &str, value: &str| locale.format(key, &[(name, value.into())]);
    let mut facts = vec![
        Fact {
            label: msg("admin-fact-display-name"),
            value: user.display_name.clone(),
        },
        Fact {
            label: msg("admin-fact-email"),
            value: match (&user.email, user.email_verified_at) {
                (Some(e), Some(_)) => t1(msg("admin-user-email-verified"), "email", e),
                (Some(e), None) => t1(msg("admin-user-email-not-verified"), "email", e),
                (None, _) => t(msg("admin-none")),
            },
        },
        Fact {
            label: msg("admin-fact-tier"),
            value: if user.tier_pinned {
                t1(
                    msg("admin-user-tier-pinned"),
                    "tier",
                    &t(tier_key(&user.tier)),
                )
            } else {
                t(tier_key(&user.tier))
            },
        },
        Fact {
            label: msg("admin-fact-roles"),
            value: if roles.is_empty() {
                t(msg("admin-none"))
            } else {
                roles
                    .iter()
                    .map(|r| role_name(locale, r))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        },
        Fact {
            label: msg("admin-fact-created"),
            value: when_in(locale, from_db(user.created_at)),
        },
        Fact {
            label: msg("admin-fact-live-sessions"),
            value: sessions.len().to_string(),
        },
    ];
    if let Some(at) = user.disabled_at {
        facts.push(Fact {
            label: msg("admin-fact-disabled"),
            value: when_in(locale, from_db(at)),
        });
    }
    Ok(UserPage {
        me: crate::approvals::username(&state, &console).await?,
        id: user.id.clone(),
        username: user.username.clone(),
        disabled: user.disabled_at.is_some(),
        can_disable: user.disabled_at.is_none() && !own,
        can_change: user.disabled_at.is_none() && !own,
        own,
        can_enable: user.disabled_at.is_some() && !own,
        grantable: latchkey_core::Role::ALL
            .into_iter()
            .map(|r| r.as_str())
            .filter(|r| !roles.iter().any(|held| held == r))
            .map(|r| (r, grant_key(r)))
            .collect(),
        tier: user.tier.clone(),
        groups: member_of
            .iter()
            .map(|g| GroupRef {
                id: g.id.to_string(),
                name: g.name.clone(),
            })
            .collect(),
        other_groups: all_groups
            .iter()
            .filter(|g| !member_of.iter().any(|m| m.id == g.id))
            .map(|g| GroupRef {
                id: g.id.to_string(),
                name: g.name.clone(),
            })
            .collect(),
        flash: match q.done.as_str() {
            "disabled" => Some(msg("admin-flash-user-disabled")),
            "group_added" => Some(msg("admin-flash-group-added")),
            "group_removed" => Some(msg("admin-flash-group-removed")),
            "session_ended" => Some(msg("admin-flash-session-ended")),
            "requested" => Some(msg("admin-flash-requested")),
            _ => None,
        },
        requested: (q.done == "requested")
            .then(|| latchkey_core::GuardedActionId::parse(&q.request).ok())
            .flatten()
            .map(|r| r.to_string()),
        facts,
        sessions: sessions
            .iter()
            .map(|s| {
                let data = latchkey_web::session::SessionData::of(s);
                crate::views::SessionRow {
                    handle: s.handle.clone(),
                    device: latchkey_web::device::describe_in(
                        locale,
                        data.as_ref().map_or("", |d| &d.user_agent),
                    ),
                    ip: data.map(|d| d.ip).unwrap_or_default(),
                    created: when_in(locale, s.created_at),
                    last_seen: when_in(locale, s.last_seen_at),
                }
            })
            .collect(),
        consents: consents
            .into_iter()
            .map(|c| crate::views::ConsentRow {
                application: c.client_name,
                scopes: c.scopes.into_iter().collect::<Vec<_>>().join(" "),
                granted: when_in(locale, from_db(c.granted_at)),
            })
            .collect(),
        passkeys: passkeys
            .iter()
            .map(|p| PasskeyRow {
                label: p.label.clone(),
                model: p
                    .aaguid
                    .as_deref()
                    .and_then(|a| uuid::Uuid::parse_str(a).ok())
                    .and_then(|a| latchkey_passkey::model_for_aaguid(&a))
                    .map_or_else(|| t(msg("admin-user-unknown-model")), str::to_owned),
                kind: if p.backup_eligible {
                    msg("passkey-kind-synced")
                } else {
                    msg("passkey-kind-device-bound")
                },
                attestation: match (p.attested, p.attestation_format.as_deref()) {
                    (true, Some(f)) => {
                        t1(msg("admin-user-attestation-verified-format"), "format", f)
                    }
                    (true, None) => t(msg("admin-user-attestation-verified")),
                    (false, _) => t(msg("admin-none")),
                },
                created: when_in(locale, from_db(p.created_at)),
                last_used: p
                    .last_used_at
                    .map_or_else(|| t(msg("admin-never")), |at| when_in(locale, from_db(at))),
                clone_suspected: p.clone_suspected_at.is_some(),
            })
            .collect(),
        requests: requests
            .iter()
            .map(|r| RequestRow {
                id: r.id.clone(),
                code: r.action.clone(),
                action: r
                    .action
                    .parse::<latchkey_recovery::ActionKind>()
                    .map_or_else(
                        |_| r.action.clone(),
                        |k| t(crate::request_views::action_label(k)),
                    ),
                state: r.state.parse::<latchkey_recovery::State>().map_or_else(
                    |_| r.state.clone(),
                    |s| t(crate::request_views::state_label(s)),
                ),
                created: when_in(locale, from_db(r.created_at)),
                age: crate::views::age_in(locale, from_db(r.created_at), now),
            })
            .collect(),
        events: events
            .iter()
            .map(|e| crate::audit::row(locale, e, &names))
            .collect::<Vec<AuditRow>>(),
        chrome,
    })
}

/// An invitation refused by the account rules, in `locale`: their sentence
/// in the catalogue's words for its code, while the English message is
/// exactly that sentence; else the sentence as it came.
fn invitation_refusal(locale: Locale, code: &str, message: &str) -> String {
    let key = match code {
        "invalid_email" => msg("admin-invite-refused-email"),
        "account_exists" => msg("admin-invite-refused-account-exists"),
        "founding_admins_complete" => msg("admin-invite-refused-founding-admins"),
        "unknown_group" => msg("admin-refusal-no-such-group"),
        _ => return message.to_owned(),
    };
    if Locale::DEFAULT.t(key) == message {
        locale.t(key)
    } else {
        message.to_owned()
    }
}

/// The message of a stored tier's name (`standard`, `elevated` or
/// `critical`: the store holds no other).
pub(crate) fn tier_key(tier: &str) -> &'static str {
    match tier {
        "elevated" => msg("admin-tier-elevated"),
        "critical" => msg("admin-tier-critical"),
        _ => msg("admin-tier-standard"),
    }
}

/// A role's name in `locale`; a role this console does not know, as stored.
fn role_name(locale: Locale, role: &str) -> String {
    match role {
        "admin" => locale.t(msg("admin-role-admin")),
        "approver" => locale.t(msg("admin-role-approver")),
        other => other.to_owned(),
    }
}

/// The message of the button that asks for `role`.
fn grant_key(role: &str) -> &'static str {
    match role {
        "admin" => msg("admin-user-grant-admin"),
        _ => msg("admin-user-grant-approver"),
    }
}
