//! Sign-in (autofill and modal, same-device and cross-device), step-up and
//! sign-out.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::{AuditEventKind, UserId};
use latchkey_passkey::{AuthOutcome, AuthenticationState, PasskeyError, StoredPasskey};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::credentials::{self, Credential};
use serde::{Deserialize, Serialize};

use crate::ceremony::{self, NS_SIGNIN, NS_STEPUP, Outcome};
use crate::error::{ApiError, WebError};
use crate::session::{MaybeSignedIn, SessionData, SignedIn};
use crate::state::AppState;
use crate::views::{SignInPage, StepUpPage};
use crate::{client, cookies, csrf, ratelimit};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[get("/signin")]
pub async fn get_signin(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
) -> SignInPage {
    SignInPage {
        csrf: csrf::token(&req),
        next: ceremony::safe_next(q.next.as_deref()),
        self_signup: state.self_signup,
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct SignInState {
    auth: AuthenticationState,
}

#[derive(Debug, Serialize, Deserialize)]
struct StepUpState {
    auth: AuthenticationState,
    session: String,
}

/// Starts a discoverable authentication (for autofill or the button).
#[post("/signin/options")]
pub async fn post_signin_options(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    ratelimit::check(&state, ratelimit::CEREMONY_STARTS_PER_IP, &client::ip(&req)).await?;
    let (options, auth) = state
        .rp
        .start_authentication()
        .map_err(|e| ceremony::failed(&e))?;
    let id = ceremony::new_id();
    ceremony::save(&state, NS_SIGNIN, &id, &SignInState { auth }).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "ceremony": id, "publicKey": options["publicKey"] })))
}

#[derive(Debug, Deserialize)]
pub struct FinishBody {
    ceremony: String,
    credential: serde_json::Value,
    #[serde(default)]
    flow: Option<String>,
    #[serde(default)]
    next: Option<String>,
}

/// A verified assertion: the account, the passkey used and the outcome.
pub(crate) struct Verified {
    pub user: UserId,
    pub credential: Credential,
    pub outcome: AuthOutcome,
}

/// Verifies an assertion against the stored passkey and records its use. The
/// passkey must be active and belong to the account the response names.
pub(crate) async fn verify_assertion(
    state: &AppState,
    response: &str,
    auth: AuthenticationState,
    ip: &str,
) -> Result<Verified, (ApiError, Option<UserId>)> {
    let ident = state
        .rp
        .identify(response)
        .map_err(|e| (ceremony::failed(&e), None))?;
    let user = ident.user_id;
    ratelimit::check(state, ratelimit::CEREMONIES_PER_ACCOUNT, &user.to_string())
        .await
        .map_err(|e| (e, Some(user)))?;
    let webauthn_id = ident.credential_id.clone();
    let row = state
        .db
        .run(move |c| credentials::find_active_by_webauthn_id(c, &webauthn_id))
        .await
        .map_err(|e| (ApiError::from(e), Some(user)))?
        .ok_or_else(|| {
            (
                ceremony::failed(&PasskeyError::UnknownCredential),
                Some(user),
            )
        })?;
    let owner = row.owner().map_err(|e| (ApiError::from(e), Some(user)))?;
    let stored = StoredPasskey {
        owner,
        passkey_json: row.passkey_json.clone(),
        sign_count: u32::try_from(row.sign_count).unwrap_or(u32::MAX),
        attested: row.attested,
    };
    let now = state.clock.now();
    match state.rp.finish_authentication(response, auth, &stored) {
        Ok(outcome) => {
            let (id, json, counter, backup) = (
                row.credential_id()
                    .map_err(|e| (ApiError::from(e), Some(owner)))?,
                outcome.passkey_json.clone(),
                i64::from(outcome.sign_count),
                outcome.backup_state,
            );
            state
                .db
                .run(move |c| credentials::record_use(c, id, &json, counter, backup, now))
                .await
                .map_err(|e| (ApiError::from(e), Some(owner)))?;
            Ok(Verified {
                user: owner,
                credential: row,
                outcome,
            })
        }
        Err(e) => {
            if let PasskeyError::CounterRegression { stored, presented } = &e {
                // A counter that went backwards: the key may have been cloned.
                let (audit, ip) = (state.audit.clone(), ip.to_owned());
                let (stored, presented) = (*stored, *presented);
                let Ok(id) = row.credential_id() else {
                    return Err((ceremony::failed(&e), Some(owner)));
                };
                let _ = state
                    .db
                    .run(move |c| {
                        latchkey_store::write_transaction(c, |c| {
                            credentials::mark_clone_suspected(c, id, now)?;
                            audit.append(
                                c,
                                now,
                                &NewAuditEvent::new(AuditEventKind::PasskeyCloneSuspected)
                                    .actor(owner)
                                    .subject(id)
                                    .ip(ip)
                                    .detail(serde_json::json!({ "stored_counter": stored, "presented_counter": presented })),
                            )?;
                            Ok(())
                        })
                    })
                    .await;
            }
            Err((ceremony::failed(&e), Some(owner)))
        }
    }
}

fn flow_of(raw: Option<&str>) -> &'static str {
    match raw {
        Some("autofill") => "autofill",
        Some("cross-device") => "cross-device",
        _ => "modal",
    }
}

/// Finishes sign-in: verifies the assertion, starts a new session (a new id
/// at every sign-in) and says where to go next.
#[post("/signin/finish")]
pub async fn post_signin_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<FinishBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let platform = client::platform(&req);
    let ip = client::ip(&req);
    let flow = flow_of(body.flow.as_deref());
    let fail = |code: &str, user: Option<UserId>| {
        ceremony::record(
            &state,
            &Outcome {
                ceremony: "authentication",
                flow,
                user,
                credential: None,
                platform,
                result: code,
            },
        );
    };
    let saved: SignInState = ceremony::take(&state, NS_SIGNIN, &body.ceremony)
        .await
        .inspect_err(|e| fail(e.code(), None))?;
    let response = body.credential.to_string();
    let verified = match verify_assertion(&state, &response, saved.auth, &ip).await {
        Ok(v) => v,
        Err((e, user)) => {
            fail(e.code(), user);
            if let Some(user) = user {
                audit_failure(&state, user, &ip, e.code()).await;
            }
            return Err(e);
        }
    };
    let user = verified.user;
    let account = state
        .db
        .run(move |c| latchkey_store::accounts::user(c, user))
        .await?;
    if account.is_disabled() {
        fail("account_disabled", Some(user));
        return Err(ApiError::Forbidden("This account is disabled."));
    }
    let now = state.clock.now();
    let previous = crate::session::current(&req).await?;
    // The same user signing in again (a step-up) keeps the OIDC session id.
    let sid = previous
        .as_ref()
        .filter(|p| p.user_id() == user)
        .map_or_else(crate::session::new_sid, |p| p.data.sid.clone());
    let data = SessionData {
        auth_time: now,
        uv_at: now,
        acr: verified.outcome.acr,
        amr: verified.outcome.amr.clone(),
        credential: Some(verified.credential.id.clone()),
        flow: flow.to_owned(),
        platform: platform.to_owned(),
        sid,
    };
    let (token, session) = state
        .sessions
        .create_session(
            user,
            serde_json::to_value(&data).map_err(|e| ApiError::Internal(Box::new(e)))?,
        )
        .await?;
    // Ends the session this browser had before, if any (no fixation).
    if let Some(old) = previous {
        let _ = state.sessions.revoke_session(&old.token).await;
        if old.data.sid != data.sid {
            crate::session::revoke_session_grants(&state, vec![old.data.sid.clone()]).await?;
        }
    }
    let (audit, cred_id, ipc) = (
        state.audit.clone(),
        verified.credential.id.clone(),
        ip.clone(),
    );
    state
        .db
        .run(move |c| {
            audit.append(
                c,
                now,
                &NewAuditEvent::new(AuditEventKind::SignInSucceeded)
                    .actor(user)
                    .subject(cred_id)
                    .ip(ipc)
                    .detail(serde_json::json!({ "flow": flow, "platform": platform })),
            )
        })
        .await?;
    ceremony::record(
        &state,
        &Outcome {
            ceremony: "authentication",
            flow,
            user: Some(user),
            credential: Some(&verified.credential.id),
            platform,
            result: "success",
        },
    );
    let next = ceremony::safe_next(body.next.as_deref());
    let redirect = if flow == "cross-device" {
        format!(
            "/account/passkeys/here?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    } else {
        next
    };
    let max_age = (session.absolute_expires_at - now).num_seconds();
    Ok(HttpResponse::Ok()
        .cookie(cookies::session(token.expose(), max_age))
        .json(serde_json::json!({ "redirect": redirect })))
}

async fn audit_failure(state: &AppState, user: UserId, ip: &str, code: &'static str) {
    let (audit, ip, now) = (state.audit.clone(), ip.to_owned(), state.clock.now());
    let result = state
        .db
        .run(move |c| {
            audit.append(
                c,
                now,
                &NewAuditEvent::new(AuditEventKind::SignInFailed)
                    .subject(user)
                    .ip(ip)
                    .detail(serde_json::json!({ "reason": code })),
            )
        })
        .await;
    if let Err(e) = result {
        tracing::error!(error = %e, "recording a failed sign-in in the audit log failed");
    }
}

/// Signs out this browser.
#[post("/signout")]
pub async fn post_signout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<crate::account::CsrfForm>,
    me: MaybeSignedIn,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    if let Some(me) = me.0 {
        state.sessions.revoke_session(&me.token).await?;
        crate::session::revoke_session_grants(&state, vec![me.data.sid.clone()]).await?;
    }
    Ok(HttpResponse::SeeOther()
        .cookie(cookies::session_removal())
        .insert_header((header::LOCATION, "/signin"))
        .finish())
}

#[get("/stepup")]
pub async fn get_stepup(
    req: HttpRequest,
    q: web::Query<NextQuery>,
    me: MaybeSignedIn,
) -> Result<StepUpPage, WebError> {
    let next = ceremony::safe_next(q.next.as_deref());
    if me.0.is_none() {
        return Err(WebError::SignInRequired { next });
    }
    Ok(StepUpPage {
        csrf: csrf::token(&req),
        next,
    })
}

#[post("/stepup/options")]
pub async fn post_stepup_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    ratelimit::check(
        &state,
        ratelimit::CEREMONIES_PER_ACCOUNT,
        &me.user_id().to_string(),
    )
    .await?;
    let (options, auth) = state
        .rp
        .start_authentication()
        .map_err(|e| ceremony::failed(&e))?;
    let id = ceremony::new_id();
    let saved = StepUpState {
        auth,
        session: me.session.handle.clone(),
    };
    ceremony::save(&state, NS_STEPUP, &id, &saved).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "ceremony": id, "publicKey": options["publicKey"] })))
}

#[derive(Debug, Deserialize)]
pub struct StepUpBody {
    ceremony: String,
    credential: serde_json::Value,
}

/// Refreshes the session's user verification with a passkey of the same
/// account.
#[post("/stepup/finish")]
pub async fn post_stepup_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<StepUpBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let platform = client::platform(&req);
    let fail = |code: &str, user: Option<UserId>| {
        ceremony::record(
            &state,
            &Outcome {
                ceremony: "authentication",
                flow: "step-up",
                user,
                credential: None,
                platform,
                result: code,
            },
        );
    };
    let saved: StepUpState = ceremony::take(&state, NS_STEPUP, &body.ceremony)
        .await
        .inspect_err(|e| fail(e.code(), None))?;
    if saved.session != me.session.handle {
        fail("session_mismatch", Some(me.user_id()));
        return Err(ApiError::Forbidden(
            "This confirmation was started in another session.",
        ));
    }
    let response = body.credential.to_string();
    // Refuse another account's passkey before anything about it is recorded.
    if let Ok(ident) = state.rp.identify(&response)
        && ident.user_id != me.user_id()
    {
        fail("wrong_account", Some(me.user_id()));
        return Err(ApiError::Ceremony {
            code: "wrong_account",
            message: "That passkey belongs to another account.".into(),
        });
    }
    let verified = verify_assertion(&state, &response, saved.auth, &client::ip(&req))
        .await
        .map_err(|(e, user)| {
            fail(e.code(), user);
            e
        })?;
    if verified.user != me.user_id() {
        fail("wrong_account", Some(me.user_id()));
        return Err(ApiError::Ceremony {
            code: "wrong_account",
            message: "That passkey belongs to another account.".into(),
        });
    }
    let now = state.clock.now();
    let mut data = me.data.clone();
    // A step-up is an authentication: OIDC auth_time follows it.
    data.auth_time = now;
    data.uv_at = now;
    data.acr = verified.outcome.acr;
    data.amr = verified.outcome.amr.clone();
    data.credential = Some(verified.credential.id.clone());
    state
        .sessions
        .update_session_data(
            &me.token,
            serde_json::to_value(&data).map_err(|e| ApiError::Internal(Box::new(e)))?,
        )
        .await?;
    ceremony::record(
        &state,
        &Outcome {
            ceremony: "authentication",
            flow: "step-up",
            user: Some(me.user_id()),
            credential: Some(&verified.credential.id),
            platform,
            result: "success",
        },
    );
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": true })))
}
