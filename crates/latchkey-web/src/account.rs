//! The account page and what it changes: passkeys (add, rename, revoke),
//! recovery codes, sessions; the onboarding page after enrolment and the
//! "passkey on this device" offer after a cross-device sign-in. The
//! operations are `latchkey_accounts`'.
//!
//! Adding or revoking a passkey and making new recovery codes need a
//! user-verified passkey assertion within the last five minutes (step-up);
//! for an elevated or critical account they open a guarded request instead
//! (`account_requests.rs` lists them).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::{AccountsError, Change, PasskeyAdded, SessionEnd};
use latchkey_i18n::msg;
use latchkey_store::{credentials, recovery_codes, users};
use serde::Deserialize;

use crate::ceremony::{self, RegistrationBody, count, options_json, refused};
use crate::chrome::Chrome;
use crate::csrf::CsrfForm;
use crate::error::{ApiError, WebError};
use crate::session::{MaybeSignedIn, SessionData, SignedIn};
use crate::state::AppState;
use crate::views::{
    AccountPage, AppRow, OnboardingPage, PasskeyHerePage, PasskeyRow, RecoveryCodesPage, SessionRow,
};
use crate::{client, cookies, csrf, device, scopes};

fn page_sign_in(req: &HttpRequest) -> WebError {
    WebError::SignInRequired {
        next: req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_else(|| "/account".into()),
    }
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

#[derive(Debug, Deserialize)]
pub struct FlashQuery {
    done: Option<String>,
}

/// Fixed messages only: nothing from the query string is echoed.
fn flash(done: Option<&str>) -> Option<&'static str> {
    Some(match done? {
        "renamed" => "flash-renamed",
        "revoked" => "flash-revoked",
        "clone-cleared" => "flash-clone-cleared",
        "added" => "flash-added",
        "signed-out-others" => "flash-signed-out-others",
        "signed-out-one" => "flash-signed-out-one",
        "app-removed" => "flash-app-removed",
        "request-cancelled" => "flash-request-cancelled",
        "add-pending" => "flash-add-pending",
        "revoke-pending" => "flash-revoke-pending",
        "codes-pending" => "flash-codes-pending",
        "email-sent" => "flash-email-sent",
        "email-verified" => "flash-email-verified",
        "email-change-pending" => "flash-email-change-pending",
        "email-same" => "flash-email-same",
        "email-taken" => "flash-email-taken",
        "email-invalid" => "flash-email-invalid",
        "email-change-waiting" => "flash-email-change-waiting",
        "last-passkey" => "flash-last-passkey",
        "language-saved" => "flash-language-saved",
        _ => return None,
    })
}

#[get("/account")]
pub async fn get_account(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    q: web::Query<FlashQuery>,
) -> Result<AccountPage, WebError> {
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    let user_id = me.user_id();
    let (user, roles, passkeys, codes_left, apps, language) = state
        .db
        .run(move |c| {
            Ok((
                latchkey_store::accounts::user(c, user_id)?,
                users::roles(c, user_id)?,
                credentials::list_active(c, user_id)?,
                recovery_codes::remaining(c, user_id)?,
                latchkey_store::consents::list_for_user(c, user_id)?,
                users::locale(c, user_id)?,
            ))
        })
        .await?;
    let chrome = Chrome::of(&req).await;
    let when = |t: chrono::NaiveDateTime| chrome.when(t.and_utc());
    let sessions = state.sessions.list_user_sessions(user_id).await?;
    let pending = crate::account_requests::pending_rows(&state, &chrome, user_id).await?;
    let current_credential = me.data.credential.clone().unwrap_or_default();
    Ok(AccountPage {
        username: user.username,
        display_name: user.display_name,
        is_admin: roles.iter().any(|r| r == users::ROLE_ADMIN),
        flash: flash(q.done.as_deref()).map(|k| chrome.t(k)),
        passkeys: passkeys
            .into_iter()
            .map(|p| PasskeyRow {
                current: p.id == current_credential,
                model: p
                    .aaguid
                    .as_deref()
                    .and_then(|a| uuid::Uuid::parse_str(a).ok())
                    .and_then(|a| latchkey_passkey::model_for_aaguid(&a))
                    .map_or_else(|| chrome.t("account-passkey-model"), str::to_owned),
                kind: if p.backup_eligible {
                    msg("passkey-kind-synced")
                } else {
                    msg("passkey-kind-device-bound")
                },
                attested: p.attested,
                clone_suspected: p.clone_suspected_at.is_some(),
                created: when(p.created_at),
                last_used: p.last_used_at.map(&when),
                label: p.label,
                id: p.id,
            })
            .collect(),
        recovery_codes_left: codes_left,
        email_verified: user.email_verified_at.map(&when),
        email: user.email,
        sessions: sessions
            .into_iter()
            .map(|s| {
                let data = SessionData::of(&s);
                SessionRow {
                    current: s.handle == me.session.handle,
                    created: when(s.created_at.naive_utc()),
                    last_seen: when(s.last_seen_at.naive_utc()),
                    device: device::describe_in(
                        chrome.locale,
                        data.as_ref().map_or("", |d| &d.user_agent),
                    ),
                    ip: data.map(|d| d.ip).filter(|ip| !ip.is_empty()),
                    handle: s.handle,
                }
            })
            .collect(),
        apps: apps
            .into_iter()
            .map(|a| AppRow {
                name: a.client_name,
                scopes: scopes::describe_all(&chrome, &a.scopes),
                granted: when(a.granted_at),
                client_id: a.client_id,
            })
            .collect(),
        pending,
        language: language.unwrap_or_default(),
        chrome,
    })
}

#[get("/onboarding")]
pub async fn get_onboarding(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    q: web::Query<NextQuery>,
) -> Result<OnboardingPage, WebError> {
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    // Shown once: taking them removes them from the store.
    let codes = state.accounts.take_onboarding_codes(&me).await?;
    Ok(OnboardingPage {
        chrome: Chrome::of(&req).await,
        codes,
        continue_to: ceremony::safe_next(q.next.as_deref()),
    })
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[get("/account/passkeys/here")]
pub async fn get_passkey_here(
    req: HttpRequest,
    me: MaybeSignedIn,
    q: web::Query<NextQuery>,
) -> Result<PasskeyHerePage, WebError> {
    me.0.ok_or_else(|| page_sign_in(&req))?;
    Ok(PasskeyHerePage {
        chrome: Chrome::of(&req).await,
        continue_to: ceremony::safe_next(q.next.as_deref()),
    })
}

#[derive(Debug, Deserialize)]
pub struct AddOptionsBody {
    #[serde(default)]
    label: String,
}

#[post("/account/passkeys/options")]
pub async fn post_add_passkey_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<AddOptionsBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let start = state
        .accounts
        .start_add_passkey(&me, &body.label)
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
}

#[post("/account/passkeys/finish")]
pub async fn post_add_passkey_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<RegistrationBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let locale = Chrome::of(&req).await.locale;
    let unnamed = locale.format(
        msg("passkey-label-added"),
        &[(
            "date",
            latchkey_i18n::Arg::from(locale.date(state.clock.now().date_naive())),
        )],
    );
    let finished = state
        .accounts
        .finish_add_passkey(
            &me,
            &body.ceremony,
            &body.credential.to_string(),
            &client::info(&req),
            Some(&unnamed),
        )
        .await;
    count(&state, &finished.outcome);
    let redirect = match finished.result.map_err(|e| refused(&state, e))? {
        PasskeyAdded::Active(_) => "/account?done=added",
        PasskeyAdded::Pending { .. } => "/account?done=add-pending",
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({ "redirect": redirect })))
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    csrf: String,
    label: String,
}

#[post("/account/passkeys/{id}/rename")]
pub async fn post_rename_passkey(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<RenameForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    state
        .accounts
        .rename_passkey(&me, &path, &form.label, &client::info(&req))
        .await?;
    Ok(see_other("/account?done=renamed"))
}

#[post("/account/passkeys/{id}/revoke")]
pub async fn post_revoke_passkey(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    match state
        .accounts
        .revoke_passkey(&me, &path, &client::info(&req))
        .await
    {
        Ok(Change::Done(())) => Ok(see_other("/account?done=revoked")),
        Ok(Change::Requested(_)) => Ok(see_other("/account?done=revoke-pending")),
        Err(AccountsError::LastPasskey) => Ok(see_other("/account?done=last-passkey")),
        Err(e) => Err(e.into()),
    }
}

/// The owner vouches for a passkey flagged as a possible clone, so that it
/// can sign in again (fresh step-up).
#[post("/account/passkeys/{id}/clear-clone-flag")]
pub async fn post_clear_clone_flag(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    state
        .accounts
        .clear_clone_flag(&me, &path, &client::info(&req))
        .await?;
    Ok(see_other("/account?done=clone-cleared"))
}

#[post("/account/recovery-codes")]
pub async fn post_recovery_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    match state
        .accounts
        .regenerate_recovery_codes(&me, &client::info(&req))
        .await?
    {
        Change::Done(codes) => Ok(crate::recover_links::render(
            actix_web::http::StatusCode::OK,
            &RecoveryCodesPage {
                chrome: Chrome::of(&req).await,
                codes,
            },
        )),
        Change::Requested(_) => Ok(see_other("/account?done=codes-pending")),
    }
}

#[post("/account/sessions/revoke-others")]
pub async fn post_revoke_other_sessions(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    state
        .accounts
        .sign_out_everywhere_else(&me, &client::info(&req))
        .await?;
    Ok(see_other("/account?done=signed-out-others"))
}

/// Ends one session of the account (another device), with what relying
/// parties hold through it. `handle` names the session without being its
/// token; one of another account, or none, is not found and nothing
/// changes. Naming this browser's own session signs it out.
#[post("/account/sessions/{handle}/signout")]
pub async fn post_end_session(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    let this_one = *path == me.session.handle;
    let why = if this_one {
        SessionEnd::SignOut
    } else {
        SessionEnd::FromAnotherSession
    };
    let ended = state
        .accounts
        .end_session(me.user_id(), &path, why, &client::info(&req))
        .await?;
    if !ended {
        return Err(WebError::NotFound);
    }
    if this_one {
        return Ok(HttpResponse::SeeOther()
            .cookie(cookies::session_removal())
            .insert_header((header::LOCATION, "/signin"))
            .finish());
    }
    Ok(see_other("/account?done=signed-out-one"))
}

/// Withdraws consent from an application and ends what it holds: its
/// refresh tokens for this user and the access tokens they issued.
#[post("/account/apps/{client_id}/revoke")]
pub async fn post_revoke_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    path: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    let client = latchkey_core::ClientId::parse(&path).map_err(|_| WebError::NotFound)?;
    let removed = state
        .oidc
        .withdraw_consent(me.user_id(), &client, &client::ip(&req))
        .await?;
    if !removed {
        return Err(WebError::NotFound);
    }
    Ok(see_other("/account?done=app-removed"))
}
