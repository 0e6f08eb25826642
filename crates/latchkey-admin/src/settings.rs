//! Instance settings safe to change at run time (administrators only): self
//! sign-up on or off (`Accounts::set_self_signup`) and how long new
//! refresh-token families live (`Accounts::set_refresh_lifetime`, 1 hour to
//! 90 days). The value is stored in
//! the database and read by the flows at each use, so it applies without a
//! restart; the configuration gives it until the console first sets it.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use askama_web::WebTemplate;
use latchkey_accounts::AccountsError;
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access;

pub(crate) const ADMINS_ONLY: &str = "Settings are for administrators.";
pub(crate) const SELF_SIGNUP: &str = "Self sign-up is either open or closed.";
pub(crate) const REFRESH_LIFETIME: &str =
    "A refresh token lives between 1 and 2160 hours (90 days).";

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub chrome: Chrome,
    pub me: String,
    pub self_signup: bool,
    /// New refresh-token families' lifetime, in hours.
    pub refresh_hours: i64,
    /// The message of what was just done.
    pub flash: Option<&'static str>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    #[serde(default)]
    done: String,
}

#[get("/settings")]
pub async fn get_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    q: web::Query<SettingsQuery>,
) -> Result<SettingsPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    Ok(SettingsPage {
        chrome: Chrome::console(&req).await,
        me: crate::approvals::username(&state, &console).await?,
        self_signup: state.accounts.self_signup().await?,
        refresh_hours: state
            .accounts
            .settings()
            .refresh_lifetime()
            .await
            .map_err(WebError::from)?
            .num_hours(),
        flash: (q.done == "saved").then_some(latchkey_i18n::msg("admin-flash-settings-saved")),
    })
}

#[derive(Debug, Deserialize)]
pub struct SignupForm {
    csrf: String,
    /// `open` or `closed`.
    #[serde(default)]
    self_signup: String,
}

#[post("/settings/self-signup")]
pub async fn post_self_signup(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignupForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/settings", ADMINS_ONLY).await?;
    let open = match form.self_signup.as_str() {
        "open" => true,
        "closed" => false,
        _ => {
            return Err(WebError::BadRequest(SELF_SIGNUP.to_owned()));
        }
    };
    match state
        .accounts
        .set_self_signup(&console.me, open, &client::info(&req))
        .await
    {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/admin/settings?done=saved"))
            .finish()),
        Err(AccountsError::StepUpRequired) => Err(WebError::StepUpRequired {
            next: "/admin/settings".to_owned(),
        }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct LifetimeForm {
    csrf: String,
    #[serde(default)]
    hours: String,
}

/// Sets how long new refresh-token families live.
#[post("/settings/refresh-lifetime")]
pub async fn post_refresh_lifetime(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LifetimeForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/settings", ADMINS_ONLY).await?;
    let out_of_range = || WebError::BadRequest(REFRESH_LIFETIME.to_owned());
    let hours: i64 = form.hours.trim().parse().map_err(|_| out_of_range())?;
    match state
        .accounts
        .set_refresh_lifetime(&console.me, hours, &client::info(&req))
        .await
    {
        Ok(_) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/admin/settings?done=saved"))
            .finish()),
        Err(AccountsError::StepUpRequired) => Err(WebError::StepUpRequired {
            next: "/admin/settings".to_owned(),
        }),
        Err(AccountsError::InvalidInput { message, .. }) => {
            Err(WebError::BadRequest(message.to_owned()))
        }
        Err(e) => Err(e.into()),
    }
}
