//! Creating an account with its first passkey: from the one-time bootstrap
//! link, from an invitation, or by self-service sign-up when enabled. The
//! operations are `latchkey_accounts`'.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Deserialize;

use crate::ceremony::{self, RegistrationBody, count, options_json, refused};
use crate::chrome::Chrome;
use crate::error::{ApiError, WebError};
use crate::state::AppState;
use crate::views::EnrolPage;
use crate::{client, cookies, csrf};
use latchkey_i18n::msg;

#[get("/bootstrap/{token}")]
pub async fn get_bootstrap(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<EnrolPage, WebError> {
    state.accounts.check_bootstrap_link(&token).await?;
    let chrome = Chrome::of(&req).await;
    Ok(EnrolPage {
        app: None,
        heading: chrome.t("enrol-bootstrap-heading"),
        intro: chrome.t("enrol-bootstrap-intro"),
        chrome,
        grant: "bootstrap",
        token: token.into_inner(),
        username: String::new(),
        next: String::new(),
    })
}

#[get("/invite/{token}")]
pub async fn get_invitation(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<EnrolPage, WebError> {
    let invitation = state.accounts.open_invitation(&token).await?;
    let suggested = invitation
        .email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let chrome = Chrome::of(&req).await;
    Ok(EnrolPage {
        app: None,
        heading: chrome.t("enrol-invite-heading"),
        intro: chrome.t1("enrol-invite-intro", "email", &invitation.email),
        chrome,
        grant: "invite",
        token: token.into_inner(),
        username: suggested,
        next: String::new(),
    })
}

#[derive(Debug, Deserialize)]
pub struct SignupQuery {
    next: Option<String>,
}

#[get("/signup")]
pub async fn get_signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<SignupQuery>,
) -> Result<EnrolPage, WebError> {
    if !state.accounts.self_signup().await? {
        return Err(WebError::NotFound);
    }
    let next = q
        .next
        .as_deref()
        .map(|n| ceremony::safe_next(Some(n)))
        .unwrap_or_default();
    let requesting = crate::signin::requesting(&state, &next).await?;
    let chrome = Chrome::with_ui_locales(&req, requesting.ui_locales.as_deref()).await;
    let app = requesting.app;
    let intro = match &app {
        Some(app) => chrome.t1("enrol-signup-intro-app", "app", app.name.as_str()),
        None => chrome.t("enrol-signup-intro"),
    };
    Ok(EnrolPage {
        app,
        heading: chrome.t("enrol-signup-heading"),
        chrome,
        intro,
        grant: "signup",
        token: String::new(),
        username: String::new(),
        next,
    })
}

#[derive(Debug, Deserialize)]
pub struct EnrolOptionsBody {
    grant: String,
    #[serde(default)]
    token: Option<String>,
    username: String,
    display_name: String,
}

/// Checks the grant and starts the registration of the first passkey.
#[post("/enrol/options")]
pub async fn post_enrol_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<EnrolOptionsBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let start = state
        .accounts
        .start_enrolment(
            &body.grant,
            body.token.as_deref().unwrap_or_default(),
            &body.username,
            &body.display_name,
            &client::info(&req),
        )
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
}

/// The onboarding page, continuing to `next` (a local path) afterwards.
fn onboarding_url(next: Option<&str>) -> String {
    match next.filter(|n| !n.is_empty()) {
        Some(n) => format!(
            "/onboarding?next={}",
            url::form_urlencoded::byte_serialize(ceremony::safe_next(Some(n)).as_bytes())
                .collect::<String>()
        ),
        None => "/onboarding".to_owned(),
    }
}

/// Verifies the new passkey and creates the account, spending the grant;
/// the browser is signed in to it.
#[post("/enrol/finish")]
pub async fn post_enrol_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegistrationBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let client = client::info(&req);
    let previous = crate::session::current(&req).await?;
    let unnamed = Chrome::of(&req).await.t(msg("passkey-label-first"));
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
    Ok(HttpResponse::Ok()
        .cookie(cookies::session(session.token.expose(), session.max_age))
        .json(serde_json::json!({ "redirect": onboarding_url(body.next.as_deref()) })))
}
