//! Sign-in (autofill and modal, same-device and cross-device), step-up and
//! sign-out pages and endpoints. The operations are `latchkey_accounts`'.

use actix_web::http::header;
use actix_web::{Either, HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::{Flow, SessionEnd, SignIn};
use latchkey_oidc::clients::presentation::Requesting;
use serde::Deserialize;

use crate::ceremony::{self, count, options_json, refused};
use crate::chrome::Chrome;
use crate::error::{ApiError, WebError};
use crate::session::{MaybeSignedIn, SignedIn};
use crate::state::AppState;
use crate::views::{SignInPage, SignedInPage, StepUpPage};
use crate::{client, cookies, csrf};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form; for a browser signed in already, "you are signed in
/// as …" with Continue and "Sign in as someone else" — unless the
/// authorization request it came for needs a new sign-in.
#[get("/signin")]
pub async fn get_signin(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
    me: MaybeSignedIn,
) -> Result<Either<SignedInPage, SignInPage>, WebError> {
    let next = ceremony::safe_next(q.next.as_deref());
    // The resumed request, its language and its application: one read.
    let requesting = requesting(&state, &next).await?;
    let chrome = Chrome::with_ui_locales(&req, requesting.ui_locales.as_deref()).await;
    if let Some(me) = me.0
        && !sign_in_needed(&state, &me, &next).await?
    {
        let user = me.user_id();
        let account = state
            .db
            .run(move |c| latchkey_store::accounts::user(c, user))
            .await?;
        return Ok(Either::Left(SignedInPage {
            chrome,
            username: account.username,
            app: requesting.app,
            next,
        }));
    }
    Ok(Either::Right(SignInPage {
        chrome,
        app: requesting.app,
        next,
        self_signup: state.accounts.self_signup().await?,
    }))
}

/// The stored authorization request `next` resumes, if it resumes one.
pub(crate) fn resumed_request(next: &str) -> Option<String> {
    let query = next.strip_prefix(CONTINUE_PREFIX)?;
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "id")
        .map(|(_, id)| id.into_owned())
}

/// The authorization request `next` resumes, as the pages on its way show
/// it (its language and application); empty when `next` resumes none.
pub(crate) async fn requesting(state: &AppState, next: &str) -> Result<Requesting, WebError> {
    match resumed_request(next) {
        Some(id) => Ok(state.oidc.requesting(&id).await?),
        None => Ok(Requesting::default()),
    }
}

/// Whether the authorization request `next` resumes (if it resumes one)
/// needs a new passkey ceremony from the signed-in `me`; the provider
/// decides.
async fn sign_in_needed(state: &AppState, me: &SignedIn, next: &str) -> Result<bool, WebError> {
    let Some(id) = resumed_request(next) else {
        return Ok(false);
    };
    let subject = me.data.subject(me.user_id(), &me.session.handle);
    Ok(state.oidc.sign_in_needed(&id, &subject).await?)
}

/// The path (and start of the query) a pending authorization request
/// resumes at after sign-in (see `oidc::authorize::continue_path`).
const CONTINUE_PREFIX: &str = "/authorize/continue?";

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

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    csrf: String,
    /// Where the sign-in form that follows leads ("Sign in as someone
    /// else"); same-origin only.
    #[serde(default)]
    next: Option<String>,
}

/// Signs out this browser, then shows the sign-in form.
#[post("/signout")]
pub async fn post_signout(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignOutForm>,
    me: MaybeSignedIn,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    if let Some(me) = me.0 {
        state
            .accounts
            .sign_out(&me, SessionEnd::SignOut, &client::info(&req))
            .await?;
    }
    let to = match form.next.as_deref().filter(|n| !n.is_empty()) {
        Some(next) => {
            let next = ceremony::safe_next(Some(next));
            let enc: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            format!("/signin?next={enc}")
        }
        None => "/signin".to_owned(),
    };
    Ok(HttpResponse::SeeOther()
        .cookie(cookies::session_removal())
        .insert_header((header::LOCATION, to))
        .finish())
}

#[get("/stepup")]
pub async fn get_stepup(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<NextQuery>,
    me: MaybeSignedIn,
) -> Result<StepUpPage, WebError> {
    let next = ceremony::safe_next(q.next.as_deref());
    if me.0.is_none() {
        return Err(WebError::SignInRequired { next });
    }
    let requesting = requesting(&state, &next).await?;
    Ok(StepUpPage {
        chrome: Chrome::with_ui_locales(&req, requesting.ui_locales.as_deref()).await,
        app: requesting.app,
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
