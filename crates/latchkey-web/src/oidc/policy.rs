//! A client's attestation policy at `/authorize`: the passkey this session
//! signed in with is checked against it every time (the operations are
//! `latchkey_accounts`'). When it does not comply the request waits while
//! the user confirms with one of their complying passkeys — the assertion
//! request lists only those — or, when they have none, a page says what the
//! application requires.

use crate::chrome::Chrome;
use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_accounts::ClientGate;
use latchkey_core::ClientId;
use serde::Deserialize;

use super::authorize::continue_path;
use crate::ceremony::{count, options_json, refused};
use crate::error::{ApiError, WebError};
use crate::session::{MaybeSignedIn, SignedIn};
use crate::state::AppState;
use crate::views::PasskeyRequiredPage;
use crate::{client, csrf};

/// Where a request waits for a complying passkey.
pub fn policy_path(request_id: &str) -> String {
    let enc: String = url::form_urlencoded::byte_serialize(request_id.as_bytes()).collect();
    format!("/authorize/passkey?id={enc}")
}

/// Whether the session's passkey fails `client`'s policy.
pub async fn refused_for(
    state: &AppState,
    me: &SignedIn,
    client: &ClientId,
) -> Result<bool, ApiError> {
    let gate = state
        .accounts
        .client_gate(client, me.user_id(), me.data.credential.as_deref())
        .await?;
    Ok(matches!(gate, ClientGate::Refused(_)))
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

#[derive(Debug, Deserialize)]
pub struct RequestQuery {
    id: String,
}

/// What the application requires, and (when the user has a complying
/// passkey) the button that asks for it.
#[get("/authorize/passkey")]
pub async fn get_authorize_passkey(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<RequestQuery>,
    me: MaybeSignedIn,
) -> Result<HttpResponse, WebError> {
    let next = continue_path(&q.id);
    let Some(me) = me.0 else {
        return Err(WebError::SignInRequired { next });
    };
    let client_id = state.oidc.pending_client_id(&q.id).await?;
    let gate = state
        .accounts
        .client_gate(&client_id, me.user_id(), me.data.credential.as_deref())
        .await?;
    let refusal = match gate {
        ClientGate::NoPolicy | ClientGate::Complies => return Ok(see_other(&next)),
        ClientGate::Refused(r) => r,
    };
    let cid = client_id.clone();
    let client_name = state
        .db
        .run(move |c| latchkey_store::clients::find(c, &cid))
        .await?
        .map_or_else(|| client_id.as_str().to_owned(), |c| c.name);
    let chrome = Chrome::continuing(&req, Some(&q.id)).await;
    let violations = refusal
        .violations
        .iter()
        .map(|v| crate::policy_text::violation(chrome.locale, v))
        .collect();
    let page = PasskeyRequiredPage {
        chrome,
        client_name,
        policy: refusal.policy.name,
        violations,
        alternatives: refusal.compliant_passkeys,
        request: q.id.clone(),
        next,
    };
    let status = if page.alternatives > 0 {
        StatusCode::OK
    } else {
        StatusCode::FORBIDDEN
    };
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(askama::Template::render(&page).map_err(|e| WebError::Internal(Box::new(e)))?))
}

/// The client of a waiting request, for the JSON endpoints.
async fn pending_client(state: &AppState, id: &str) -> Result<ClientId, ApiError> {
    state
        .oidc
        .pending_client_id(id)
        .await
        .map_err(|_| ApiError::NotFound(crate::error::PENDING_GONE))
}

#[derive(Debug, Deserialize)]
pub struct OptionsBody {
    id: String,
}

/// Starts an assertion limited to the account's complying passkeys.
#[post("/authorize/passkey/options")]
pub async fn post_authorize_passkey_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<OptionsBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let client_id = pending_client(&state, &body.id).await?;
    let start = state
        .accounts
        .start_policy_step_up(&me, &client_id)
        .await
        .map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(options_json(&start)))
}

#[derive(Debug, Deserialize)]
pub struct FinishBody {
    id: String,
    ceremony: String,
    credential: serde_json::Value,
}

/// Verifies the assertion; the session now stands on that passkey.
#[post("/authorize/passkey/finish")]
pub async fn post_authorize_passkey_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    me: SignedIn,
    body: web::Json<FinishBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let client_id = pending_client(&state, &body.id).await?;
    let finished = state
        .accounts
        .finish_policy_step_up(
            &me,
            &client_id,
            &body.ceremony,
            &body.credential.to_string(),
            &client::info(&req),
        )
        .await;
    count(&state, &finished.outcome);
    finished.result.map_err(|e| refused(&state, e))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "ok": true })))
}
