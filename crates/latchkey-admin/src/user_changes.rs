//! Changes an administrator asks for on an account's page: grant the admin
//! or approver role, change the tier, enable a disabled account. None takes
//! effect here: each opens a guarded-action request
//! (`Accounts::request_account_change`) with the administrator as
//! requester and their fresh step-up as its factor, under the policy of the
//! account's tier (delay, approvals by others). The account's page lists it
//! as pending, with a link to the request.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use latchkey_accounts::{AccountChange, AccountsError, Membership};
use latchkey_core::{AccountTier, GroupId, Role, UserId};
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access;

use crate::users::{ADMINS_ONLY, CHOOSE_TIER};

pub(crate) const CHOOSE_ROLE: &str = "Choose the admin or the approver role.";
pub(crate) const GROUP_CHANGE: &str = "Add to or remove from a group.";
pub(crate) const CHOOSE_GROUP: &str = "Choose a group.";
pub(crate) const NO_SUCH_GROUP: &str = "There is no such group.";

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    csrf: String,
    #[serde(default)]
    role: String,
}

#[derive(Debug, Deserialize)]
pub struct TierForm {
    csrf: String,
    #[serde(default)]
    tier: String,
}

/// Asks for the admin or approver role for the account.
#[post("/users/{id}/roles")]
pub async fn post_grant_role(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<RoleForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let role = match form.role.as_str() {
        "admin" => Role::Admin,
        "approver" => Role::Approver,
        _ => {
            return Err(WebError::BadRequest(CHOOSE_ROLE.to_owned()));
        }
    };
    ask(&req, &state, &path, AccountChange::GrantRole(role)).await
}

/// Asks for a new tier for the account (higher or lower: both go through
/// the policy of the account's current tier).
#[post("/users/{id}/tier")]
pub async fn post_change_tier(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TierForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let tier: AccountTier = form
        .tier
        .parse()
        .map_err(|_| WebError::BadRequest(CHOOSE_TIER.to_owned()))?;
    ask(&req, &state, &path, AccountChange::ChangeTier(tier)).await
}

/// Asks for a disabled account to be enabled again.
#[post("/users/{id}/enable")]
pub async fn post_enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    ask(&req, &state, &path, AccountChange::Enable).await
}

#[derive(Debug, Deserialize)]
pub struct GroupForm {
    csrf: String,
    #[serde(default)]
    group: String,
    /// `add` or `remove`.
    #[serde(default)]
    change: String,
}

/// Adds the account to a group, or removes it from one that carries no
/// attestation policy (`Accounts::change_membership`): at once, audited.
#[post("/users/{id}/groups")]
pub async fn post_group(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<GroupForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = UserId::parse(&path).map_err(|_| WebError::NotFound)?;
    let page = format!("/admin/users/{id}");
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    let change = match form.change.as_str() {
        "add" => Membership::Add,
        "remove" => Membership::Remove,
        _ => {
            return Err(WebError::BadRequest(GROUP_CHANGE.to_owned()));
        }
    };
    let group = GroupId::parse(form.group.trim())
        .map_err(|_| WebError::BadRequest(CHOOSE_GROUP.to_owned()))?;
    let done = match state
        .accounts
        .change_membership(&console.me, id, group, change, &client::info(&req))
        .await
    {
        Ok(_) => match change {
            Membership::Add => "group_added",
            Membership::Remove => "group_removed",
        },
        Err(AccountsError::StepUpRequired) => return Err(WebError::StepUpRequired { next: page }),
        Err(AccountsError::NotFound("the group")) => {
            return Err(WebError::BadRequest(NO_SUCH_GROUP.to_owned()));
        }
        Err(AccountsError::NotFound(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{page}?done={done}")))
        .finish())
}

async fn ask(
    req: &HttpRequest,
    state: &AppState,
    path: &str,
    change: AccountChange,
) -> Result<HttpResponse, WebError> {
    let id = UserId::parse(path).map_err(|_| WebError::NotFound)?;
    let page = format!("/admin/users/{id}");
    let console = access::admin_page_to(req, state, &page, ADMINS_ONLY).await?;
    match state
        .accounts
        .request_account_change(&console.me, id, change, &client::info(req))
        .await
    {
        Ok(requested) => Ok(HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!("{page}?done=requested&request={}", requested.request.id),
            ))
            .finish()),
        Err(AccountsError::StepUpRequired) => Err(WebError::StepUpRequired { next: page }),
        Err(AccountsError::Refused(latchkey_recovery::Refusal::AccountUnavailable {})) => {
            Err(WebError::NotFound)
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends one browser session of the account, with what applications hold
/// through it (`Accounts::end_session_as_admin`): immediate, since it only
/// takes access away. An unknown handle changes nothing.
#[post("/users/{id}/sessions/{handle}/end")]
pub async fn post_end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let (id, handle) = path.into_inner();
    let id = UserId::parse(&id).map_err(|_| WebError::NotFound)?;
    let page = format!("/admin/users/{id}");
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    match state
        .accounts
        .end_session_as_admin(&console.me, id, &handle, &client::info(&req))
        .await
    {
        Ok(true) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{page}?done=session_ended")))
            .finish()),
        Ok(false) => Err(WebError::NotFound),
        Err(AccountsError::StepUpRequired) => Err(WebError::StepUpRequired { next: page }),
        Err(AccountsError::InvalidInput { message, .. }) => {
            Err(WebError::BadRequest(message.to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}
