//! Sign-in (autofill and modal, same-device and cross-device), step-up and
//! sign-out pages and endpoints. The operations are `latchkey_accounts`'.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::{Flow, SignIn};
use serde::Deserialize;

use crate::ceremony::{self, count, options_json, refused};
use crate::error::{ApiError, WebError};
use crate::session::{MaybeSignedIn, SignedIn};
use crate::state::AppState;
use crate::views::{SignInPage, StepUpPage};
use crate::{client, cookies, csrf};

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
        self_signup: state.accounts.self_signup(),
    }
}

/// The body of a request that carries no fields: still JSON, and within the
/// body limit like every other, so an oversize or malformed body is refused
/// before anything starts.
#[derive(Debug, Deserialize)]
pub struct NoFields {}

/// Starts a discoverable authentication (for autofill or the button).
#[post("/signin/options")]
pub async fn post_signin_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    _body: web::Json<NoFields>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let start = state
        .accounts
        .start_sign_in(&client::info(&req))
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
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

/// Finishes sign-in: a new session (a new id at every sign-in) and where to
/// go next — for a cross-device sign-in, first the offer of a passkey on
/// this device.
#[post("/signin/finish")]
pub async fn post_signin_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<FinishBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let client = client::info(&req);
    let previous = crate::session::current(&req).await?;
    let flow = Flow::of_sign_in(body.flow.as_deref());
    let finished = state
        .accounts
        .finish_sign_in(SignIn {
            ceremony: &body.ceremony,
            response: &body.credential.to_string(),
            flow,
            client: &client,
            previous: previous.as_deref(),
        })
        .await;
    count(&state, &finished.outcome);
    let session = finished.result.map_err(|e| refused(&state, e))?;
    let next = ceremony::safe_next(body.next.as_deref());
    let redirect = if flow == Flow::CrossDevice {
        format!(
            "/account/passkeys/here?next={}",
            url::form_urlencoded::byte_serialize(next.as_bytes()).collect::<String>()
        )
    } else {
        next
    };
    Ok(HttpResponse::Ok()
        .cookie(cookies::session(session.token.expose(), session.max_age))
        .json(serde_json::json!({ "redirect": redirect })))
}

/// Signs out this browser.
#[post("/signout")]
pub async fn post_signout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<csrf::CsrfForm>,
    me: MaybeSignedIn,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    if let Some(me) = me.0 {
        state.accounts.sign_out(&me).await?;
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
    _body: web::Json<NoFields>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let start = state
        .accounts
        .start_step_up(&me)
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
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
    let finished = state
        .accounts
        .finish_step_up(
            &me,
            &body.ceremony,
            &body.credential.to_string(),
            &client::info(&req),
        )
        .await;
    count(&state, &finished.outcome);
    finished.result.map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": true })))
}
