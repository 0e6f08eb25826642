//! The account page and what it changes: passkeys (add, rename, revoke),
//! recovery codes, sessions; the onboarding page after enrolment and the
//! "passkey on this device" offer after a cross-device sign-in.
//!
//! Adding or revoking a passkey and making new recovery codes need a
//! user-verified passkey assertion within the last five minutes (step-up).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use latchkey_core::{CredentialId, UserId};
use latchkey_passkey::{NewPasskey, PasskeyUser, RegistrationState};
use latchkey_store::accounts::{self, RevokeRefused};
use latchkey_store::credentials::{self, NewCredential};
use latchkey_store::{StoreError, recovery_codes, users};
use serde::{Deserialize, Serialize};

use crate::ceremony::{self, NS_ADD, Outcome};
use crate::enroll::{NS_ONBOARDING_CODES, RegistrationBody};
use crate::error::{ApiError, WebError};
use crate::session::{MaybeSignedIn, SessionData, SignedIn};
use crate::state::AppState;
use crate::views::{
    AccountPage, AppRow, OnboardingPage, PasskeyHerePage, PasskeyRow, RecoveryCodesPage, SessionRow,
};
use crate::{client, csrf, ratelimit};

/// A form that carries only the CSRF token.
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    pub csrf: String,
}

/// The stored form of a newly registered passkey.
pub fn new_credential(user: UserId, p: &NewPasskey, label: String) -> NewCredential {
    NewCredential {
        user_id: user,
        webauthn_id: p.credential_id.clone(),
        label,
        passkey_json: p.passkey_json.clone(),
        aaguid: p.aaguid.clone(),
        backup_eligible: p.backup_eligible,
        backup_state: p.backup_state,
        attested: p.attested,
        attestation_format: p.attestation_format.clone(),
        attestation_json: None,
        sign_count: i64::from(p.sign_count),
    }
}

/// Session data right after a passkey was registered (a user-verified
/// ceremony, so it counts as a fresh step-up).
pub fn session_data_for_new_passkey(
    now: DateTime<Utc>,
    p: &NewPasskey,
    credential: String,
    flow: &str,
    platform: &str,
) -> SessionData {
    let storage = p.key_storage();
    let (acr, amr) = (
        latchkey_passkey::acr_for(storage, p.attested),
        latchkey_passkey::amr_for(storage),
    );
    SessionData {
        auth_time: now,
        uv_at: now,
        acr,
        amr,
        credential: Some(credential),
        flow: flow.to_owned(),
        platform: platform.to_owned(),
        sid: crate::session::new_sid(),
    }
}

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

fn when(t: Option<chrono::NaiveDateTime>) -> String {
    t.map_or_else(
        || "never".to_owned(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[derive(Debug, Deserialize)]
pub struct FlashQuery {
    done: Option<String>,
}

/// Fixed messages only: nothing from the query string is echoed.
fn flash(done: Option<&str>) -> Option<String> {
    Some(
        match done? {
            "renamed" => "The passkey was renamed.",
            "revoked" => "The passkey was revoked.",
            "added" => "The passkey was added.",
            "signed-out-others" => "All your other sessions were signed out.",
            "app-removed" => "The application can no longer use your account until you allow it again.",
            "last-passkey" => "That is your only passkey and you have no recovery codes left: make new recovery codes or add another passkey first.",
            _ => return None,
        }
        .to_owned(),
    )
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
    let (user, roles, passkeys, codes_left, apps) = state
        .db
        .run(move |c| {
            Ok((
                accounts::user(c, user_id)?,
                users::roles(c, user_id)?,
                credentials::list_active(c, user_id)?,
                recovery_codes::remaining(c, user_id)?,
                latchkey_store::consents::list_for_user(c, user_id)?,
            ))
        })
        .await?;
    let sessions = state.sessions.list_user_sessions(user_id).await?;
    let current_credential = me.data.credential.clone().unwrap_or_default();
    Ok(AccountPage {
        csrf: csrf::token(&req),
        username: user.username,
        display_name: user.display_name,
        is_admin: roles.iter().any(|r| r == users::ROLE_ADMIN),
        flash: flash(q.done.as_deref()),
        passkeys: passkeys
            .into_iter()
            .map(|p| PasskeyRow {
                current: p.id == current_credential,
                model: p
                    .aaguid
                    .as_deref()
                    .and_then(|a| uuid::Uuid::parse_str(a).ok())
                    .and_then(|a| latchkey_passkey::model_for_aaguid(&a))
                    .unwrap_or("Passkey")
                    .to_owned(),
                kind: if p.backup_eligible {
                    "synced"
                } else {
                    "device-bound"
                },
                attested: p.attested,
                clone_suspected: p.clone_suspected_at.is_some(),
                created: when(Some(p.created_at)),
                last_used: when(p.last_used_at),
                label: p.label,
                id: p.id,
            })
            .collect(),
        recovery_codes_left: codes_left,
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                current: s.handle == me.session.handle,
                created: s.created_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                last_seen: s.last_seen_at.format("%Y-%m-%d %H:%M UTC").to_string(),
                platform: s
                    .data
                    .get("platform")
                    .and_then(|p| p.as_str())
                    .unwrap_or("other")
                    .to_owned(),
            })
            .collect(),
        apps: apps
            .into_iter()
            .map(|a| AppRow {
                name: a.client_name,
                scopes: a.scopes.into_iter().collect::<Vec<_>>().join(" "),
                granted: when(Some(a.granted_at)),
                client_id: a.client_id,
            })
            .collect(),
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
    let codes: Option<Vec<String>> = state
        .sessions
        .take_json(NS_ONBOARDING_CODES, &me.session.handle)
        .await?;
    Ok(OnboardingPage {
        csrf: csrf::token(&req),
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
        csrf: csrf::token(&req),
        continue_to: ceremony::safe_next(q.next.as_deref()),
    })
}

#[derive(Debug, Serialize, Deserialize)]
struct AddState {
    session: String,
    label: Option<String>,
    registration: RegistrationState,
}

#[derive(Debug, Deserialize)]
pub struct AddOptionsBody {
    #[serde(default)]
    label: String,
}

fn require_fresh(me: &SignedIn, now: DateTime<Utc>) -> Result<(), ApiError> {
    if me.data.step_up_is_fresh(now) {
        Ok(())
    } else {
        Err(ApiError::StepUpRequired)
    }
}

#[post("/account/passkeys/options")]
pub async fn post_add_passkey_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<AddOptionsBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    require_fresh(&me, state.clock.now())?;
    let label = ceremony::parse_label(&body.label)?;
    let user_id = me.user_id();
    ratelimit::check(
        &state,
        ratelimit::CEREMONIES_PER_ACCOUNT,
        &user_id.to_string(),
    )
    .await?;
    let (user, existing) = state
        .db
        .run(move |c| {
            Ok((
                accounts::user(c, user_id)?,
                credentials::list_active(c, user_id)?,
            ))
        })
        .await?;
    let exclude: Vec<Vec<u8>> = existing.into_iter().map(|c| c.webauthn_id).collect();
    let person = PasskeyUser {
        id: user_id,
        name: user.username,
        display_name: user.display_name,
    };
    let (options, registration) = state
        .rp
        .start_registration(
            &person,
            &exclude,
            &latchkey_passkey::RegistrationPolicy::none(),
        )
        .map_err(|e| ceremony::failed(&e))?;
    let id = ceremony::new_id();
    ceremony::save(
        &state,
        NS_ADD,
        &id,
        &AddState {
            session: me.session.handle.clone(),
            label,
            registration,
        },
    )
    .await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "ceremony": id, "publicKey": options["publicKey"] })))
}

#[post("/account/passkeys/finish")]
pub async fn post_add_passkey_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<RegistrationBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let platform = client::platform(&req);
    let user_id = me.user_id();
    let fail = |code: &str| {
        ceremony::record(
            &state,
            &Outcome {
                ceremony: "registration",
                flow: "add",
                user: Some(user_id),
                credential: None,
                platform,
                result: code,
            },
        );
    };
    let saved: AddState = ceremony::take(&state, NS_ADD, &body.ceremony)
        .await
        .inspect_err(|e| fail(e.code()))?;
    if saved.session != me.session.handle {
        fail("session_mismatch");
        return Err(ApiError::Forbidden(
            "This registration was started in another session.",
        ));
    }
    let passkey = state
        .rp
        .finish_registration(&body.credential.to_string(), saved.registration)
        .map_err(|e| {
            fail(e.reason_code());
            ceremony::failed(&e)
        })?;
    let label = saved
        .label
        .or_else(|| passkey.model.map(str::to_owned))
        .unwrap_or_else(|| format!("Passkey added {}", state.clock.now().format("%Y-%m-%d")));
    let new = new_credential(user_id, &passkey, label);
    let (audit, ip, now) = (state.audit.clone(), client::ip(&req), state.clock.now());
    let id = state
        .db
        .run(move |c| accounts::add_passkey(c, &audit, &new, &ip, now))
        .await
        .inspect_err(|_| fail("store_refused"))?;
    ceremony::record(
        &state,
        &Outcome {
            ceremony: "registration",
            flow: "add",
            user: Some(user_id),
            credential: Some(&id.to_string()),
            platform,
            result: "success",
        },
    );
    Ok(HttpResponse::Ok().json(serde_json::json!({ "redirect": "/account?done=added" })))
}

#[derive(Debug, Deserialize)]
pub struct RenameForm {
    csrf: String,
    label: String,
}

fn credential_id(raw: &str) -> Result<CredentialId, WebError> {
    CredentialId::parse(raw).map_err(|_| WebError::NotFound)
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
    let id = credential_id(&path)?;
    let label = ceremony::parse_label(&form.label)?
        .ok_or_else(|| WebError::BadRequest("A passkey needs a name.".into()))?;
    let (audit, user, ip, now) = (
        state.audit.clone(),
        me.user_id(),
        client::ip(&req),
        state.clock.now(),
    );
    match state
        .db
        .run(move |c| accounts::rename_passkey(c, &audit, user, id, &label, &ip, now))
        .await
    {
        Ok(()) => Ok(see_other("/account?done=renamed")),
        Err(StoreError::NotFound(_)) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
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
    if !me.data.step_up_is_fresh(state.clock.now()) {
        return Err(WebError::StepUpRequired {
            next: "/account".into(),
        });
    }
    let id = credential_id(&path)?;
    let (audit, user, ip, now) = (
        state.audit.clone(),
        me.user_id(),
        client::ip(&req),
        state.clock.now(),
    );
    match state
        .db
        .run(move |c| accounts::revoke_passkey(c, &audit, user, id, &ip, now))
        .await
    {
        Ok(Ok(())) => Ok(see_other("/account?done=revoked")),
        Ok(Err(RevokeRefused::LastPasskeyWithoutRecoveryCodes)) => {
            Ok(see_other("/account?done=last-passkey"))
        }
        Err(StoreError::NotFound(_)) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

#[post("/account/recovery-codes")]
pub async fn post_recovery_codes(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: MaybeSignedIn,
    form: web::Form<CsrfForm>,
) -> Result<RecoveryCodesPage, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let me = me.0.ok_or_else(|| page_sign_in(&req))?;
    if !me.data.step_up_is_fresh(state.clock.now()) {
        return Err(WebError::StepUpRequired {
            next: "/account".into(),
        });
    }
    let (audit, hasher, user, ip, now) = (
        state.audit.clone(),
        state.recovery_codes.clone(),
        me.user_id(),
        client::ip(&req),
        state.clock.now(),
    );
    let codes = state
        .db
        .run(move |c| accounts::regenerate_recovery_codes(c, &audit, &hasher, user, &ip, now))
        .await?;
    Ok(RecoveryCodesPage {
        csrf: csrf::token(&req),
        codes: codes.into_inner(),
    })
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
    let others: Vec<String> = state
        .sessions
        .list_user_sessions(me.user_id())
        .await?
        .into_iter()
        .filter_map(|s| {
            s.data
                .get("sid")
                .and_then(|v| v.as_str())
                .map(str::to_owned)
        })
        .filter(|sid| *sid != me.data.sid)
        .collect();
    let ended = state
        .sessions
        .revoke_user_sessions(me.user_id(), Some(&me.token))
        .await?;
    crate::session::revoke_session_grants(&state, others).await?;
    let (audit, user, ip, now) = (
        state.audit.clone(),
        me.user_id(),
        client::ip(&req),
        state.clock.now(),
    );
    state
        .db
        .run(move |c| {
            audit.append(
                c,
                now,
                &latchkey_store::audit::NewAuditEvent::new(
                    latchkey_core::AuditEventKind::SessionsRevoked,
                )
                .actor(user)
                .subject(user)
                .ip(ip)
                .detail(serde_json::json!({ "ended": ended, "kept_current": true })),
            )
        })
        .await?;
    Ok(see_other("/account?done=signed-out-others"))
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
