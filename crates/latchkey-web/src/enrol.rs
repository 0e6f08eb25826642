//! Creating an account with its first passkey: from the one-time bootstrap
//! link, from an invitation, or by self-service sign-up when enabled.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use latchkey_core::{HashedToken, PlainToken, TokenKind, UserId};
use latchkey_passkey::{PasskeyUser, RegistrationState};
use latchkey_store::accounts::{self, Enrolment, Grant};
use latchkey_store::{StoreError, invitations};
use serde::{Deserialize, Serialize};

use crate::account::{new_credential, session_data_for_new_passkey};
use crate::ceremony::{self, NS_ENROL, Outcome};
use crate::error::{ApiError, WebError};
use crate::state::AppState;
use crate::views::EnrollPage;
use crate::{client, cookies, csrf, ratelimit};

/// Namespace of recovery codes waiting to be shown once on the onboarding page.
pub const NS_ONBOARDING_CODES: &str = "onboarding-codes";

fn bootstrap_token(raw: &str) -> Option<HashedToken> {
    PlainToken::from_presented(TokenKind::Bootstrap, raw).map(|t| t.hashed())
}

fn invitation_token(raw: &str) -> Option<HashedToken> {
    PlainToken::from_presented(TokenKind::Invitation, raw).map(|t| t.hashed())
}

const BOOTSTRAP_GONE: &str = "This bootstrap link is not valid any more. While no administrator exists, every start of the server prints a new one.";
const INVITATION_GONE: &str =
    "This invitation is not valid: it was used already or has expired. Ask for a new one.";

#[get("/bootstrap/{token}")]
pub async fn get_bootstrap(
    req: HttpRequest,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<EnrollPage, WebError> {
    let hashed = bootstrap_token(&token).ok_or(WebError::Gone(BOOTSTRAP_GONE))?;
    if !state
        .db
        .run(move |c| accounts::bootstrap_token_is_valid(c, &hashed))
        .await?
    {
        return Err(WebError::Gone(BOOTSTRAP_GONE));
    }
    Ok(EnrollPage {
        csrf: csrf::token(&req),
        heading: "Set up the first administrator",
        intro: "This link works once. The account you create here administers this Latchkey instance; its passkey is the only way in.".into(),
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
) -> Result<EnrollPage, WebError> {
    let hashed = invitation_token(&token).ok_or(WebError::Gone(INVITATION_GONE))?;
    let now = state.clock.now();
    let invitation = state
        .db
        .run(move |c| invitations::find_open(c, &hashed, now))
        .await?
        .ok_or(WebError::Gone(INVITATION_GONE))?;
    let suggested = invitation
        .email
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    Ok(EnrollPage {
        csrf: csrf::token(&req),
        heading: "Create your account",
        intro: format!(
            "You were invited as {}. Choose a username and create a passkey on this device.",
            invitation.email
        ),
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
) -> Result<EnrollPage, WebError> {
    if !state.self_signup {
        return Err(WebError::NotFound);
    }
    Ok(EnrollPage {
        csrf: csrf::token(&req),
        heading: "Create an account",
        intro: "Choose a username and create a passkey on this device. There is no password."
            .into(),
        grant: "signup",
        token: String::new(),
        username: String::new(),
        next: q
            .next
            .as_deref()
            .map(|n| ceremony::safe_next(Some(n)))
            .unwrap_or_default(),
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

#[derive(Debug, Clone, Serialize, Deserialize)]
enum GrantKind {
    /// SHA-256 (hex) of the bootstrap token; the token itself is not kept.
    Bootstrap(String),
    Invitation {
        id: String,
    },
    SelfSignup,
}

#[derive(Debug, Serialize, Deserialize)]
struct EnrolState {
    user_id: UserId,
    username: String,
    display_name: String,
    email: Option<String>,
    grant: GrantKind,
    registration: RegistrationState,
}

/// Checks the grant and starts the registration of the first passkey.
#[post("/enroll/options")]
pub async fn post_enrol_options(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<EnrolOptionsBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    ratelimit::check(&state, ratelimit::CEREMONY_STARTS_PER_IP, &client::ip(&req)).await?;
    let username = ceremony::parse_username(&body.username)?;
    let display_name = ceremony::parse_display_name(&body.display_name)?;
    let token = body.token.clone().unwrap_or_default();
    let now = state.clock.now();
    let (grant, email) = match body.grant.as_str() {
        "bootstrap" => {
            let hashed = bootstrap_token(&token).ok_or(ApiError::NotFound(BOOTSTRAP_GONE))?;
            let h = hashed.clone();
            if !state
                .db
                .run(move |c| accounts::bootstrap_token_is_valid(c, &h))
                .await?
            {
                return Err(ApiError::NotFound(BOOTSTRAP_GONE));
            }
            (GrantKind::Bootstrap(hashed.to_hex()), None)
        }
        "invite" => {
            let hashed = invitation_token(&token).ok_or(ApiError::NotFound(INVITATION_GONE))?;
            let inv = state
                .db
                .run(move |c| invitations::find_open(c, &hashed, now))
                .await?
                .ok_or(ApiError::NotFound(INVITATION_GONE))?;
            (GrantKind::Invitation { id: inv.id }, Some(inv.email))
        }
        "signup" if state.self_signup => (GrantKind::SelfSignup, None),
        "signup" => {
            return Err(ApiError::Forbidden(
                "Self-service sign-up is not enabled on this instance.",
            ));
        }
        _ => {
            return Err(ApiError::bad_request(
                "invalid_grant",
                "Unknown kind of enrolment.",
            ));
        }
    };
    let taken = {
        let u = username.clone();
        state
            .db
            .run(move |c| latchkey_store::users::find_by_username(c, &u))
            .await?
            .is_some()
    };
    if taken {
        return Err(ApiError::Conflict(
            "This username is taken; choose another.".into(),
        ));
    }
    let user_id = UserId::new();
    let person = PasskeyUser {
        id: user_id,
        name: username.clone(),
        display_name: display_name.clone(),
    };
    let (options, registration) = state
        .rp
        .start_registration(&person, &[], &latchkey_passkey::RegistrationPolicy::none())
        .map_err(|e| ceremony::failed(&e))?;
    let id = ceremony::new_id();
    let saved = EnrolState {
        user_id,
        username,
        display_name,
        email,
        grant,
        registration,
    };
    ceremony::save(&state, NS_ENROL, &id, &saved).await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "ceremony": id, "publicKey": options["publicKey"] })))
}

#[derive(Debug, Deserialize)]
pub struct RegistrationBody {
    pub ceremony: String,
    pub credential: serde_json::Value,
    #[serde(default)]
    pub label: Option<String>,
    /// Where the page wants to go afterwards (enrolment only).
    #[serde(default)]
    pub next: Option<String>,
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

/// Verifies the new passkey and creates the account, spending the grant.
#[post("/enroll/finish")]
pub async fn post_enrol_finish(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<RegistrationBody>,
) -> Result<HttpResponse, ApiError> {
    csrf::verify(&req, None, &state.origin)?;
    let platform = client::platform(&req);
    let ip = client::ip(&req);
    let fail = |code: &str, user: Option<UserId>| {
        ceremony::record(
            &state,
            &Outcome {
                ceremony: "registration",
                flow: "enrolment",
                user,
                credential: None,
                platform,
                result: code,
            },
        );
    };
    let saved: EnrolState = ceremony::take(&state, NS_ENROL, &body.ceremony)
        .await
        .inspect_err(|e| fail(e.code(), None))?;
    let user_id = saved.user_id;
    let passkey = state
        .rp
        .finish_registration(&body.credential.to_string(), saved.registration)
        .map_err(|e| {
            fail(e.reason_code(), Some(user_id));
            ceremony::failed(&e)
        })?;
    let grant = match saved.grant {
        GrantKind::Bootstrap(token_sha256) => Grant::Bootstrap { token_sha256 },
        GrantKind::Invitation { id } => Grant::Invitation { id },
        GrantKind::SelfSignup => Grant::SelfSignup,
    };
    let label = passkey
        .model
        .map_or_else(|| "First passkey".to_owned(), str::to_owned);
    let enrolment = Enrolment {
        user_id,
        username: saved.username,
        display_name: saved.display_name,
        email: saved.email,
        grant,
        credential: new_credential(user_id, &passkey, label),
    };
    let now = state.clock.now();
    let (audit, ipc) = (state.audit.clone(), ip.clone());
    let enrolled = state
        .db
        .run(move |c| accounts::enrol(c, &audit, &enrolment, &ipc, now))
        .await
        .map_err(|e| {
            fail("grant_refused", Some(user_id));
            match e {
                StoreError::NotFound(_) => {
                    ApiError::NotFound("This link was used already or has expired.")
                }
                StoreError::Conflict(_) => {
                    ApiError::Conflict("This username is taken; choose another.".into())
                }
                e => e.into(),
            }
        })?;
    let data = session_data_for_new_passkey(
        now,
        &passkey,
        enrolled.credential_id.to_string(),
        "enrolment",
        platform,
    );
    let (token, session) = state
        .sessions
        .create_session(
            user_id,
            serde_json::to_value(&data).map_err(|e| ApiError::Internal(Box::new(e)))?,
        )
        .await?;
    // Ten recovery codes, shown once on the next page.
    let (hasher, audit, ipc) = (
        state.recovery_codes.clone(),
        state.audit.clone(),
        ip.clone(),
    );
    let codes = state
        .db
        .run(move |c| accounts::regenerate_recovery_codes(c, &audit, &hasher, user_id, &ipc, now))
        .await?;
    state
        .sessions
        .put_json(
            NS_ONBOARDING_CODES,
            &session.handle,
            codes.expose(),
            chrono::Duration::minutes(15),
        )
        .await?;
    ceremony::record(
        &state,
        &Outcome {
            ceremony: "registration",
            flow: "enrolment",
            user: Some(user_id),
            credential: Some(&enrolled.credential_id.to_string()),
            platform,
            result: "success",
        },
    );
    let max_age = (session.absolute_expires_at - now).num_seconds();
    Ok(HttpResponse::Ok()
        .cookie(cookies::session(token.expose(), max_age))
        .json(serde_json::json!({ "redirect": onboarding_url(body.next.as_deref()) })))
}
