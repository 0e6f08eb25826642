//! Applications (OIDC clients) in the console, administrators only: list,
//! register, change settings, rotate the secret with an overlap, disable
//! and enable. Each change runs the operation `latchkey client …` runs
//! (through [`latchkey_oidc::Provider`]), audited with the administrator,
//! the passkey of their step-up and their address. A secret is shown once,
//! on a page that is not cached.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::Duration;
use latchkey_core::ClientId;
use latchkey_i18n::{Locale, msg};
use latchkey_oidc::clients::{ChangedBy, RegistrationError, RotateError};
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access::{self, Console};
use crate::clients_views::{ClientForm, ClientPage, ClientRow, ClientSecretPage, ClientsPage};
use crate::views::{Fact, when_in};

pub(crate) const ADMINS_ONLY: &str = "Applications are for administrators.";
pub(crate) const UNKNOWN_POLICY: &str = "Attestation policy: there is no policy of that name.";
pub(crate) const OVERLAP: &str =
    "The old secret may keep working for 0, 1 hour, 24 hours or 7 days.";

/// The administrator, as the audit log records a change.
pub(crate) fn changed_by(req: &HttpRequest, console: &Console) -> ChangedBy {
    ChangedBy::admin(
        console.me.user_id(),
        client::ip(req),
        console.me.data.credential.clone(),
    )
}

fn html(status: StatusCode, page: &impl askama::Template) -> Result<HttpResponse, WebError> {
    let body = page.render().map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

fn client_id(raw: &str) -> Result<ClientId, WebError> {
    ClientId::parse(raw).map_err(|_| WebError::NotFound)
}

fn refused(locale: Locale, e: &RegistrationError) -> String {
    crate::clients_views::refusal(locale, e)
}

async fn policy_names(state: &AppState) -> Result<Vec<String>, WebError> {
    let all = crate::policy_forms::policies(state).list().await?;
    Ok(all.into_iter().map(|p| p.name).collect())
}

/// The policy the form names is one that exists (`""`: none; absent:
/// unchanged).
async fn known_policy(state: &AppState, form: &ClientForm) -> Result<Result<(), String>, WebError> {
    match form.policy.as_deref().map(str::trim) {
        None | Some("") => Ok(Ok(())),
        Some(p) if policy_names(state).await?.iter().any(|n| n == p) => Ok(Ok(())),
        Some(_) => Ok(Err(UNKNOWN_POLICY.to_owned())),
    }
}

/// Sets the application's attestation policy to what the form says: at
/// once when that relaxes nothing, else a request for approval (its id).
async fn set_policy(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    id: &ClientId,
    form: &ClientForm,
) -> Result<Option<latchkey_core::GuardedActionId>, WebError> {
    let Some(wanted) = form.policy.as_deref().map(str::trim) else {
        return Ok(None);
    };
    let ops = crate::policy_forms::policies_by(state, req, console);
    let target = latchkey_accounts::PolicyTarget::Client(id.clone());
    let current = ops.policy_of(target.clone()).await?;
    if current.as_deref().unwrap_or("") == wanted {
        return Ok(None);
    }
    let actor = console.me.user_id().to_string();
    let outcome = if wanted.is_empty() {
        ops.unassign(target, &actor).await
    } else {
        ops.assign(wanted, target, &actor).await
    };
    match outcome {
        Ok(()) => Ok(None),
        Err(latchkey_accounts::AccountsError::NeedsApproval { change }) => Ok(Some(
            state
                .accounts
                .request_policy_change(&console.me, change, &client::info(req))
                .await?,
        )),
        Err(e) => Err(e.into()),
    }
}

async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    form: ClientForm,
    error: Option<String>,
) -> Result<ClientsPage, WebError> {
    let all = state.oidc.clients().await?;
    let chrome = Chrome::console(req).await;
    let error = error.map(|e| crate::error::in_language(chrome.locale, e));
    Ok(ClientsPage {
        chrome,
        me: crate::approvals::username(state, console).await?,
        rows: all.iter().map(ClientRow::of).collect(),
        form,
        error,
        policy_names: policy_names(state).await?,
    })
}

#[get("/clients")]
pub async fn get_clients(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<ClientsPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    list_page(&req, &state, &console, ClientForm::blank(), None).await
}

/// Registers an application as `latchkey client create` does; shows its id
/// and, for a confidential client, its secret once. A refused registration
/// shows the form again with what was typed and why, and changes nothing.
#[post("/clients")]
pub async fn post_create(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/clients", ADMINS_ONLY).await?;
    let locale = Chrome::console(&req).await.locale;
    let form = form.into_inner();
    if let Err(message) = known_policy(&state, &form).await? {
        let page = list_page(&req, &state, &console, form, Some(message)).await?;
        return html(StatusCode::BAD_REQUEST, &page);
    }
    let outcome = match form.registration() {
        Ok(reg) => state
            .oidc
            .register_client(changed_by(&req, &console), reg)
            .await
            .map_err(|e| match e {
                RegistrationError::Store(e) => WebError::from(e),
                e => WebError::BadRequest(refused(locale, &e)),
            }),
        Err(message) => Err(WebError::BadRequest(message)),
    };
    if let Ok((id, _)) = &outcome {
        // A new application has no policy: assigning one tightens.
        set_policy(&req, &state, &console, id, &form).await?;
    }
    match outcome {
        Ok((id, secret)) => html(
            StatusCode::OK,
            &ClientSecretPage {
                chrome: Chrome::console(&req).await,
                me: crate::approvals::username(&state, &console).await?,
                id: id.to_string(),
                name: form.name.trim().to_owned(),
                created: true,
                secret: secret.map(|s| s.expose().to_owned()),
                previous_until: None,
            },
        ),
        Err(WebError::BadRequest(message)) => {
            let page = list_page(&req, &state, &console, form, Some(message)).await?;
            html(StatusCode::BAD_REQUEST, &page)
        }
        Err(e) => Err(e),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

/// The message of what was just done.
fn flash(done: &str) -> Option<&'static str> {
    match done {
        "updated" => Some(msg("admin-flash-client-updated")),
        "presented" => Some(msg("admin-flash-client-presented")),
        "disabled" => Some(msg("admin-flash-client-disabled")),
        "enabled" => Some(msg("admin-flash-client-enabled")),
        _ => None,
    }
}

async fn client_page(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    id: &ClientId,
    form: Option<ClientForm>,
    error: Option<String>,
    done: &str,
) -> Result<ClientPage, WebError> {
    let c = state.oidc.client(id).await?.ok_or(WebError::NotFound)?;
    let now = state.clock.now();
    let chrome = Chrome::console(req).await;
    let t = |key: &str| chrome.t(key);
    let mut facts = vec![
        Fact {
            label: msg("admin-fact-client-id"),
            value: c.id.to_string(),
        },
        Fact {
            label: msg("admin-fact-type"),
            value: if c.is_public() {
                t(msg("admin-client-type-public"))
            } else {
                t(msg("admin-client-kind-confidential"))
            },
        },
        Fact {
            label: msg("admin-fact-authentication"),
            value: c.auth_method.to_string(),
        },
        Fact {
            label: msg("admin-fact-alg"),
            value: c.id_token_alg.as_str().to_owned(),
        },
        Fact {
            label: msg("admin-fact-status"),
            value: if c.disabled {
                t(msg("admin-disabled"))
            } else {
                t(msg("admin-enabled"))
            },
        },
    ];
    if let Some(until) = c.previous_secret_until(now) {
        facts.push(Fact {
            label: msg("admin-fact-previous-secret"),
            value: when_in(chrome.locale, until),
        });
    }
    let presentation = state.oidc.client_presentation(&c.id).await?;
    let error = error.map(|e| crate::error::in_language(chrome.locale, e));
    Ok(ClientPage {
        presentation,
        chrome,
        me: crate::approvals::username(state, console).await?,
        id: c.id.to_string(),
        name: c.name.clone(),
        public: c.is_public(),
        disabled: c.disabled,
        facts,
        form: match form {
            Some(f) => f,
            None => {
                let current = crate::policy_forms::policies(state)
                    .policy_of(latchkey_accounts::PolicyTarget::Client(c.id.clone()))
                    .await?;
                ClientForm {
                    policy: Some(current.unwrap_or_default()),
                    ..ClientForm::of(&c)
                }
            }
        },
        flash: flash(done),
        error,
        policy_names: policy_names(state).await?,
    })
}

#[get("/clients/{id}")]
pub async fn get_client(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<ClientPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let id = client_id(&path)?;
    client_page(&req, &state, &console, &id, None, None, &q.done).await
}

/// Saves an application's settings; a refused change shows the form again
/// with what was typed and why, and changes nothing.
#[post("/clients/{id}")]
pub async fn post_update(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<ClientForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = client_id(&path)?;
    let page = format!("/admin/clients/{id}");
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    let form = form.into_inner();
    if let Err(message) = known_policy(&state, &form).await? {
        let shown = client_page(&req, &state, &console, &id, Some(form), Some(message), "").await?;
        return html(StatusCode::BAD_REQUEST, &shown);
    }
    let error = match form.update() {
        Ok(update) => match state
            .oidc
            .update_client(changed_by(&req, &console), &id, update)
            .await
        {
            Ok(Some(_)) => {
                let to = match set_policy(&req, &state, &console, &id, &form).await? {
                    Some(request) => format!("/admin/approvals/{request}"),
                    None => format!("{page}?done=updated"),
                };
                return Ok(HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, to))
                    .finish());
            }
            Ok(None) => return Err(WebError::NotFound),
            Err(RegistrationError::Store(e)) => return Err(e.into()),
            Err(e) => refused(Chrome::console(&req).await.locale, &e),
        },
        Err(message) => message,
    };
    let shown = client_page(&req, &state, &console, &id, Some(form), Some(error), "").await?;
    html(StatusCode::BAD_REQUEST, &shown)
}

#[derive(Debug, Deserialize)]
pub struct RotateForm {
    csrf: String,
    /// `0`, `1h`, `24h` or `7d`.
    #[serde(default)]
    overlap: String,
}

/// Gives the application a new secret, shown once; the current one keeps
/// working for the chosen overlap.
#[post("/clients/{id}/rotate")]
pub async fn post_rotate(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<RotateForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = client_id(&path)?;
    let page = format!("/admin/clients/{id}");
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    let overlap = match form.overlap.as_str() {
        "0" => Duration::zero(),
        "1h" => Duration::hours(1),
        "" | "24h" => Duration::hours(24),
        "7d" => Duration::days(7),
        _ => {
            return Err(WebError::BadRequest(OVERLAP.to_owned()));
        }
    };
    let rotated = state
        .oidc
        .rotate_client_secret(changed_by(&req, &console), &id, overlap)
        .await
        .map_err(|e| match e {
            RotateError::NotFound => WebError::NotFound,
            RotateError::Store(e) => e.into(),
            e => WebError::BadRequest(format!("{e}.")),
        })?;
    let name = state
        .oidc
        .client(&id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let chrome = Chrome::console(&req).await;
    let locale = chrome.locale;
    html(
        StatusCode::OK,
        &ClientSecretPage {
            chrome,
            me: crate::approvals::username(&state, &console).await?,
            id: id.to_string(),
            name,
            created: false,
            secret: Some(rotated.secret.expose().to_owned()),
            previous_until: rotated.previous_until.map(|t| when_in(locale, t)),
        },
    )
}

async fn set_disabled(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<csrf::CsrfForm>,
    disabled: bool,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = client_id(&path)?;
    let page = format!("/admin/clients/{id}");
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    if state.oidc.client(&id).await?.is_none() {
        return Err(WebError::NotFound);
    }
    // Already in that state: nothing to do, the page says how it is.
    state
        .oidc
        .set_client_disabled(changed_by(&req, &console), &id, disabled)
        .await?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(HttpResponse::SeeOther()
        .insert_header((header::LOCATION, format!("{page}?done={done}")))
        .finish())
}

/// Disables the application and ends every grant it holds.
#[post("/clients/{id}/disable")]
pub async fn post_disable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    set_disabled(req, state, path, form, true).await
}

/// Enables a disabled application again.
#[post("/clients/{id}/enable")]
pub async fn post_enable(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<csrf::CsrfForm>,
) -> Result<HttpResponse, WebError> {
    set_disabled(req, state, path, form, false).await
}
