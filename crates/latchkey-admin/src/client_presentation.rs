//! How an application appears to people, set on its console page: links to
//! its home page, privacy policy and terms, and a logo fetched once from
//! `logo_uri` and stored ([`latchkey_oidc::Provider::set_client_presentation`]).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use latchkey_oidc::clients::presentation::{PresentationError, PresentationForm};
use latchkey_web::csrf;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use serde::Deserialize;

use crate::access;

#[derive(Debug, Deserialize)]
pub struct PresentationFields {
    csrf: String,
    #[serde(default)]
    client_uri: String,
    #[serde(default)]
    policy_uri: String,
    #[serde(default)]
    tos_uri: String,
    #[serde(default)]
    logo_uri: String,
}

#[post("/clients/{id}/presentation")]
pub async fn post_presentation(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<PresentationFields>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let id = latchkey_core::ClientId::parse(&path).map_err(|_| WebError::NotFound)?;
    let page = format!("/admin/clients/{id}");
    let console = access::admin_page_to(&req, &state, &page, crate::clients::ADMINS_ONLY).await?;
    let form = form.into_inner();
    let wanted = PresentationForm {
        client_uri: form.client_uri,
        policy_uri: form.policy_uri,
        tos_uri: form.tos_uri,
        logo_uri: form.logo_uri,
    };
    match state
        .oidc
        .set_client_presentation(crate::clients::changed_by(&req, &console), &id, wanted)
        .await
    {
        Ok(Some(_)) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("{page}?done=presented")))
            .finish()),
        Ok(None) | Err(PresentationError::NotFound) => Err(WebError::NotFound),
        Err(PresentationError::Store(e)) => Err(e.into()),
        Err(e) => {
            let locale = latchkey_web::chrome::Chrome::console(&req).await.locale;
            Err(WebError::BadRequest(format!(
                "{e} {}",
                locale.t(latchkey_i18n::msg("admin-client-nothing-changed"))
            )))
        }
    }
}
