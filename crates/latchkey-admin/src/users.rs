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
    when,
};

const ADMINS_ONLY: &str = "Accounts are for administrators.";

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
        return Err(WebError::BadRequest(
            "Search for at most 100 characters of a name or an address.".to_owned(),
        ));
    }
    let after = Some(query.after.trim().to_owned()).filter(|a| !a.is_empty());
    let group = match query.group.trim() {
        "" => None,
        g => Some(
            latchkey_core::GroupId::parse(g)
                .map_err(|_| WebError::BadRequest("Choose a group from the list.".to_owned()))?,
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
    Ok(UsersPage {
        chrome: Chrome::console(&req).await,
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
                tier: u.tier.clone(),
                roles: roles
                    .iter()
                    .filter(|(id, _)| *id == u.id)
                    .map(|(_, r)| r.as_str())
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
    let days = match form.expires.as_str() {
        "1d" => 1,
        "3d" => 3,
        "" | "7d" => 7,
        _ => {
            return Err(WebError::BadRequest(
                "An invitation is valid for 1, 3 or 7 days.".to_owned(),
            ));
        }
    };
    let admin = form.admin;
    let tier = match form.tier.as_str() {
        "" => latchkey_core::AccountTier::Standard,
        t => t.parse().map_err(|_| {
            WebError::BadRequest("Choose the standard, elevated or critical tier.".to_owned())
        })?,
    };
    let groups = form
        .groups
        .iter()
        .map(|g| latchkey_core::GroupId::parse(g.trim()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| WebError::BadRequest("Choose groups from the list.".to_owned()))?;
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
            AccountsError::InvalidInput { message, .. } => WebError::BadRequest(message.to_owned()),
            other => other.into(),
        })?;
    let page = InvitedPage {
        chrome: Chrome::console(&req).await,
        me: crate::approvals::username(&state, &console).await?,
        email: created.email.clone(),
        admin,
        tier: if admin {
            tier.max(latchkey_core::AccountTier::Elevated).as_str()
        } else {
            tier.as_str()
        },
        expires: when(created.expires_at),
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
    let mut facts = vec![
        Fact {
            label: "Display name",
            value: user.display_name.clone(),
        },
        Fact {
            label: "E-mail",
            value: match (&user.email, user.email_verified_at) {
                (Some(e), Some(_)) => format!("{e} (verified)"),
                (Some(e), None) => format!("{e} (not verified)"),
                (None, _) => "none".to_owned(),
            },
        },
        Fact {
            label: "Tier",
            value: if user.tier_pinned {
                format!("{} (set by an administrator)", user.tier)
            } else {
                user.tier.clone()
            },
        },
        Fact {
            label: "Roles",
            value: if roles.is_empty() {
                "none".to_owned()
            } else {
                roles.join(", ")
            },
        },
        Fact {
            label: "Created",
            value: when(from_db(user.created_at)),
        },
        Fact {
            label: "Live sessions",
            value: sessions.len().to_string(),
        },
    ];
    if let Some(at) = user.disabled_at {
        facts.push(Fact {
            label: "Disabled",
            value: when(from_db(at)),
        });
    }
    Ok(UserPage {
        chrome: Chrome::console(&req).await,
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
            "disabled" => Some(
                "The account is disabled: its sessions, refresh tokens and access tokens have ended.",
            ),
            "group_added" => Some("Added to the group."),
            "group_removed" => Some("Removed from the group."),
            "session_ended" => Some(
                "The session ended, with the refresh and access tokens applications held through it.",
            ),
            "requested" => Some(
                "The request is open: it takes effect once its delay has passed and other people have approved it.",
            ),
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
                    device: latchkey_web::device::describe(
                        data.as_ref().map_or("", |d| &d.user_agent),
                    ),
                    ip: data.map(|d| d.ip).unwrap_or_default(),
                    created: when(s.created_at),
                    last_seen: when(s.last_seen_at),
                }
            })
            .collect(),
        consents: consents
            .into_iter()
            .map(|c| crate::views::ConsentRow {
                application: c.client_name,
                scopes: c.scopes.into_iter().collect::<Vec<_>>().join(" "),
                granted: when(from_db(c.granted_at)),
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
                    .unwrap_or("Unknown model")
                    .to_owned(),
                kind: if p.backup_eligible {
                    "synced"
                } else {
                    "device-bound"
                },
                attestation: match (p.attested, p.attestation_format.as_deref()) {
                    (true, Some(f)) => format!("verified ({f})"),
                    (true, None) => "verified".to_owned(),
                    (false, _) => "none".to_owned(),
                },
                created: when(from_db(p.created_at)),
                last_used: p
                    .last_used_at
                    .map_or_else(|| "never".to_owned(), |t| when(from_db(t))),
                clone_suspected: p.clone_suspected_at.is_some(),
            })
            .collect(),
        requests: requests
            .iter()
            .map(|r| RequestRow {
                id: r.id.clone(),
                action: r.action.clone(),
                state: r.state.clone(),
                created: when(from_db(r.created_at)),
                age: crate::views::age(from_db(r.created_at), now),
            })
            .collect(),
        events: events
            .iter()
            .map(|e| crate::audit::row(e, &names))
            .collect::<Vec<AuditRow>>(),
    })
}
