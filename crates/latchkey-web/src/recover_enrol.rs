//! The new passkey after a completed recovery: the engine's single-use
//! enrolment grant, bound to the browser that made the request, lets that
//! browser register one passkey through the same enrolment operation as an
//! invitation (`Accounts::start_recovery_enrolment` and
//! `Accounts::finish_enrolment`), which signs it in and keeps fresh
//! recovery codes for the onboarding page to show once.
//!
//! The grant is spent when the registration starts. So that a browser
//! prompt dismissed by mistake does not cost the whole recovery, the
//! redeemed grant is remembered for this browser (by the hash of its
//! binding secret) until the grant's own lifetime ends or a passkey is
//! registered: the same browser may start the registration again.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::{HashedToken, UserId};
use latchkey_recovery::EngineError;
use latchkey_store::users;

use crate::ceremony::{RegistrationBody, count, options_json, refused};
use crate::chrome::Chrome;
use crate::error::{ApiError, WebError};
use crate::recover::{origin, see_other};
use crate::recover_state::{Recovering, sentence};
use crate::signin::NoFields;
use crate::state::AppState;
use crate::views::RecoverEnrolPage;
use crate::{client, cookies, csrf};
use latchkey_i18n::msg;

/// The redeemed grants, by browser.
const NS_REDEEMED: &str = "recovery-redeemed";

fn browser_key(b: &Recovering) -> String {
    HashedToken::of(&b.handle).to_hex()
}

#[get("/recover/enrol")]
pub async fn get_enrol(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let Some(browser) = Recovering::of(&req, &state).filter(|b| b.grant.is_some()) else {
        return Ok(see_other("/recover/status"));
    };
    let Some(id) = browser.id() else {
        return Ok(see_other("/recover/status"));
    };
    let subject = state
        .recovery
        .view(id)
        .await
        .map_err(|e| match e {
            EngineError::Refused(r) => WebError::BadRequest(sentence(&r)),
            EngineError::Store(e) => e.into(),
        })?
        .subject;
    let username = state
        .db
        .run(move |c| users::find(c, subject))
        .await?
        .map(|u| u.username)
        .unwrap_or_default();
    Ok(crate::recover_links::render(
        actix_web::http::StatusCode::OK,
        &RecoverEnrolPage {
            chrome: Chrome::of(&req).await,
            username,
        },
    ))
}

/// Redeems the grant from this browser (or finds it redeemed by this
/// browser moments ago) and starts registering the new passkey.
#[post("/recover/enrol/options")]
pub async fn post_enrol_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    _body: web::Json<NoFields>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let grant_invalid = || ApiError::bad_request("grant_invalid", crate::error::GRANT_INVALID);
    let browser = Recovering::of(&req, &state).ok_or_else(grant_invalid)?;
    let grant = browser.grant.clone().ok_or_else(grant_invalid)?;
    let key = browser_key(&browser);
    let remembered = state
        .sessions
        .get(NS_REDEEMED, &key)
        .await?
        .and_then(|v| String::from_utf8(v).ok())
        .and_then(|v| UserId::parse(&v).ok());
    let user = match remembered {
        Some(user) => user,
        None => {
            let redeemed = state
                .recovery
                .redeem_enrolment_grant(&grant, &browser.handle, &origin(&req))
                .await
                .map_err(|e| match e {
                    EngineError::Refused(_) => grant_invalid(),
                    EngineError::Store(e) => e.into(),
                })?;
            let ttl = state.recovery.config().enrolment_grant_ttl;
            state
                .sessions
                .put(NS_REDEEMED, &key, redeemed.user.to_string().as_bytes(), ttl)
                .await?;
            redeemed.user
        }
    };
    let start = state
        .accounts
        .start_recovery_enrolment(user, browser.request.clone(), &client::info(&req))
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
}

/// Verifies the new passkey and stores it (the enrolment operation), signs
/// this browser in, and ends the recovery's browser state.
#[post("/recover/enrol/finish")]
pub async fn post_enrol_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegistrationBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let browser = Recovering::of(&req, &state)
        .ok_or_else(|| ApiError::bad_request("grant_invalid", crate::error::OTHER_BROWSER))?;
    let client = client::info(&req);
    let previous = crate::session::current(&req).await?;
    let unnamed = Chrome::of(&req)
        .await
        .t(msg("passkey-label-after-recovery"));
    let finished = state
        .accounts
        .finish_enrolment(latchkey_accounts::FinishEnrolment {
            ceremony: &body.ceremony,
            response: &body.credential.to_string(),
            client: &client,
            previous: previous.as_deref(),
            unnamed: Some(&unnamed),
        })
        .await;
    count(&state, &finished.outcome);
    let session = finished.result.map_err(|e| refused(&state, e))?;
    state
        .sessions
        .delete(NS_REDEEMED, &browser_key(&browser))
        .await?;
    Ok(HttpResponse::Ok()
        .cookie(cookies::session(session.token.expose(), session.max_age))
        .cookie(Recovering::removal())
        .json(serde_json::json!({ "redirect": "/onboarding" })))
}
