//! `/authorize`: the request goes to `latchkey_oidc::Provider`, which
//! decides; this module turns its answer into a redirect or the consent
//! page.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::AuthenticatedSubject;
use latchkey_oidc::flow::StoredRequest;
use latchkey_oidc::{AuthorizeStep, ConsentPrompt, FlowError};
use serde::Deserialize;

use super::policy;
use crate::chrome::Chrome;
use crate::csrf;
use crate::error::WebError;
use crate::session::{self, SignedIn};
use crate::state::AppState;
use crate::views::ConsentPage;

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// What the signed-in browser proves to the authorization server.
fn subject(me: Option<SignedIn>) -> Option<AuthenticatedSubject> {
    me.map(|m| m.data.subject(m.session.user_id, &m.session.handle))
}

/// Where the user resumes a pending request after signing in.
pub fn continue_path(request_id: &str) -> String {
    format!("/authorize/continue?id={request_id}")
}

/// The provider's answer as HTTP.
async fn respond(req: &HttpRequest, step: AuthorizeStep) -> Result<HttpResponse, WebError> {
    match step {
        AuthorizeStep::Redirect(to) => Ok(see_other(&to)),
        AuthorizeStep::SignIn {
            request_id,
            sign_up,
        } => {
            let next = continue_path(&request_id);
            let enc: String = url::form_urlencoded::byte_serialize(next.as_bytes()).collect();
            let page = if sign_up { "/signup" } else { "/signin" };
            Ok(see_other(&format!("{page}?next={enc}")))
        }
        AuthorizeStep::Consent(prompt) => consent_page(req, &prompt).await,
    }
}

async fn consent_page(req: &HttpRequest, prompt: &ConsentPrompt) -> Result<HttpResponse, WebError> {
    let requesting = match req.app_data::<web::Data<AppState>>() {
        Some(state) => state.oidc.requesting(&prompt.request_id).await?,
        None => Default::default(),
    };
    let chrome = Chrome::with_ui_locales(req, requesting.ui_locales.as_deref()).await;
    let app = requesting.app;
    let page = ConsentPage {
        app,
        client_name: prompt.client_name.clone(),
        username: prompt.username.clone(),
        scopes: crate::scopes::describe_all(&chrome, &prompt.scopes),
        chrome,
        request: prompt.request_id.clone(),
        user: prompt.user.to_string(),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        // The consent form's answer redirects to the client: browsers apply
        // form-action to that redirect, so allow its origin.
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            consent_page_policy(&prompt.redirect_uri),
        ))
        .body(askama::Template::render(&page).map_err(|e| WebError::Internal(Box::new(e)))?))
}

#[get("/authorize")]
pub async fn get_authorize(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, WebError> {
    let params: Vec<(String, String)> = url::form_urlencoded::parse(req.query_string().as_bytes())
        .into_owned()
        .collect();
    let me = session::current(&req).await?;
    // The session's passkey is checked against the client's attestation
    // policy first: when it fails, the request is kept (as for a sign-in)
    // and waits for a complying passkey.
    let client = params
        .iter()
        .find(|(k, _)| k == "client_id")
        .and_then(|(_, v)| latchkey_core::ClientId::parse(v).ok());
    let policy_refused = match (&me, &client) {
        (Some(me), Some(client)) => policy::refused_for(&state, me, client).await?,
        _ => false,
    };
    let me = if policy_refused { None } else { subject(me) };
    let step = state
        .oidc
        .authorize(&params, me, policy_refused, &crate::client::ip(&req))
        .await
        .map_err(|e| refused(&state, e))?;
    match step {
        AuthorizeStep::SignIn { request_id, .. } if policy_refused => {
            Ok(see_other(&policy::policy_path(&request_id)))
        }
        step => respond(&req, step).await,
    }
}

/// The subject of this browser for the stored request; `Err` with the
/// redirect to the policy page when the session's passkey fails the
/// client's attestation policy.
async fn gated_subject(
    req: &HttpRequest,
    state: &AppState,
    stored: &StoredRequest,
) -> Result<Result<Option<AuthenticatedSubject>, HttpResponse>, WebError> {
    let me = session::current(req).await?;
    if let Some(m) = &me
        && policy::refused_for(state, m, stored.client_id()).await?
    {
        return Ok(Err(see_other(&policy::policy_path(stored.id()))));
    }
    Ok(Ok(subject(me)))
}

/// A refusal of the authorization endpoint as a page; a rate limit is
/// counted (its name is a constant, so the label set stays bounded).
fn refused(state: &AppState, e: FlowError) -> WebError {
    if let FlowError::RateLimited { limit, .. } = &e {
        state
            .metrics
            .rate_limited
            .with_label_values(&[*limit])
            .inc();
    }
    e.into()
}

#[derive(Debug, Deserialize)]
pub struct ContinueQuery {
    id: String,
}

/// Where the sign-in page sends the user back to.
#[get("/authorize/continue")]
pub async fn get_authorize_continue(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<ContinueQuery>,
) -> Result<HttpResponse, WebError> {
    // The request is read once, for the policy check and to go on.
    let stored = state.oidc.stored_request(&q.id).await?;
    let me = match gated_subject(&req, &state, &stored).await? {
        Ok(me) => me,
        Err(redirect) => return Ok(redirect),
    };
    let step = state.oidc.continue_stored(&stored, me).await?;
    respond(&req, step).await
}

/// The page policy with `form-action` widened to the client's redirect URI
/// (its origin, or its scheme for a private-use scheme like
/// `com.example.app:/callback`).
fn consent_page_policy(redirect_uri: &str) -> String {
    let target = match url::Url::parse(redirect_uri) {
        Ok(u) if u.has_host() => u.origin().ascii_serialization(),
        Ok(u) => format!("{}:", u.scheme()),
        Err(_) => String::new(),
    };
    crate::middleware::CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'",
        &format!("form-action 'self' {target}"),
    )
}

#[derive(Debug, Deserialize)]
pub struct ConsentForm {
    csrf: String,
    request: String,
    decision: String,
    /// The account the page was shown to.
    user: String,
}

#[post("/authorize/consent")]
pub async fn post_authorize_consent(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ConsentForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let stored = state.oidc.stored_request(&form.request).await?;
    let me = match gated_subject(&req, &state, &stored).await? {
        Ok(me) => me,
        Err(redirect) => return Ok(redirect),
    };
    let step = state
        .oidc
        .answer_consent(
            &form.request,
            &form.user,
            form.decision == "allow",
            me,
            &crate::client::ip(&req),
        )
        .await?;
    respond(&req, step).await
}
