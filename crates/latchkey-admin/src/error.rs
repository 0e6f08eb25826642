//! The console's errors as HTTP: the guarded-action engine's refusals become
//! sentences (on the page, or as JSON for the page's script); everything
//! else is the site's error handling (`latchkey_web::error`).

use actix_web::HttpResponse;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use latchkey_i18n::msg;
use latchkey_recovery::{EngineError, Refusal};
use latchkey_web::chrome::ErrorPageText;
use latchkey_web::error::{ApiError, Message, WebError};

/// A refusal as a sentence for people (the public recovery pages' wording).
pub use latchkey_web::recover_state::sentence;

/// A refusal for the page's script: `409 {"error": code, "message": sentence}`.
pub fn refused_json(r: &Refusal) -> HttpResponse {
    HttpResponse::Conflict().json(serde_json::json!({
        "error": r.code(),
        "message": sentence(r),
    }))
}

/// An engine failure on a page: an unknown request is 404, the store's
/// failure a 500.
pub fn page_error(e: EngineError) -> WebError {
    match e {
        EngineError::Refused(Refusal::NotFound {}) => WebError::NotFound,
        EngineError::Refused(r) => WebError::BadRequest(sentence(&r)),
        EngineError::Store(e) => WebError::Internal(Box::new(e)),
    }
}

/// An engine failure of a JSON endpoint that is not a refusal to show.
pub fn api_error(e: EngineError) -> ApiError {
    match e {
        EngineError::Refused(Refusal::NotFound {}) => ApiError::NotFound("No such request."),
        EngineError::Refused(r) => ApiError::bad_request(r.code(), sentence(&r)),
        EngineError::Store(e) => ApiError::Internal(Box::new(e)),
    }
}

/// The console's own refusals (a fixed English sentence on an error page)
/// and their messages.
const REFUSALS: &[(&str, &str)] = &[
    (crate::users::ADMINS_ONLY, msg("admin-refusal-accounts")),
    (
        crate::clients::ADMINS_ONLY,
        msg("admin-refusal-applications"),
    ),
    (crate::keys::ADMINS_ONLY, msg("admin-refusal-keys")),
    (crate::settings::ADMINS_ONLY, msg("admin-refusal-settings")),
    (crate::branding::ADMINS_ONLY, msg("admin-refusal-branding")),
    (
        crate::dashboard::ADMINS_ONLY,
        msg("admin-refusal-dashboard"),
    ),
    (crate::audit::ADMINS_ONLY, msg("admin-refusal-audit")),
    (
        crate::users::SEARCH_TOO_LONG,
        msg("admin-refusal-search-too-long"),
    ),
    (
        crate::users::CHOOSE_GROUP_FROM_LIST,
        msg("admin-refusal-choose-group-list"),
    ),
    (
        crate::users::INVITATION_DAYS,
        msg("admin-refusal-invitation-days"),
    ),
    (crate::users::CHOOSE_TIER, msg("admin-refusal-choose-tier")),
    (
        crate::users::CHOOSE_GROUPS,
        msg("admin-refusal-choose-groups"),
    ),
    (
        crate::user_changes::CHOOSE_ROLE,
        msg("admin-refusal-choose-role"),
    ),
    (
        crate::user_changes::GROUP_CHANGE,
        msg("admin-refusal-group-change"),
    ),
    (
        crate::user_changes::CHOOSE_GROUP,
        msg("admin-refusal-choose-group"),
    ),
    (
        crate::user_changes::NO_SUCH_GROUP,
        msg("admin-refusal-no-such-group"),
    ),
    (crate::clients::OVERLAP, msg("admin-refusal-overlap")),
    (
        crate::audit_filter::BAD_ACTOR,
        msg("admin-refusal-bad-actor"),
    ),
    (
        crate::audit_filter::BAD_SUBJECT,
        msg("admin-refusal-bad-subject"),
    ),
    (
        crate::audit_filter::BAD_REQUEST_ID,
        msg("admin-refusal-bad-request-id"),
    ),
    (crate::audit_filter::BAD_FROM, msg("admin-refusal-bad-from")),
    (
        crate::audit_filter::BAD_UNTIL,
        msg("admin-refusal-bad-until"),
    ),
    (crate::audit_filter::BAD_KIND, msg("admin-refusal-bad-kind")),
    (
        crate::audit_filter::FROM_AFTER_UNTIL,
        msg("admin-refusal-from-after-until"),
    ),
    (
        crate::audit_filter::BAD_POSITION,
        msg("admin-refusal-bad-position"),
    ),
    (
        crate::clients::UNKNOWN_POLICY,
        msg("admin-refusal-unknown-policy"),
    ),
    (
        crate::clients_views::MIN_LEVEL,
        msg("admin-refusal-min-level"),
    ),
    (
        crate::settings::SELF_SIGNUP,
        msg("admin-refusal-self-signup"),
    ),
    (
        crate::settings::REFRESH_LIFETIME,
        msg("admin-refusal-refresh-lifetime"),
    ),
];

/// The message of a console refusal whose English sentence is `text`.
pub fn refusal_key(text: &str) -> Option<&'static str> {
    REFUSALS
        .iter()
        .find(|(sentence, _)| *sentence == text)
        .map(|(_, key)| *key)
}

/// A sentence shown on a console page in `locale`: one of the console's
/// own in its words there, any other (a domain error's) as it came.
pub fn in_language(locale: latchkey_i18n::Locale, sentence: String) -> String {
    refusal_key(&sentence).map_or(sentence, |key| locale.t(key))
}

/// Marks the console's refusals on its error pages as messages, so that
/// the site's error pages (`latchkey_web::chrome::localise_error_pages`,
/// outside this) show them in the request's language.
pub async fn localise_refusals(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if let Some(text) = res
        .response_mut()
        .extensions_mut()
        .get_mut::<ErrorPageText>()
        && let Message::Text(sentence) = &text.message
        && let Some(key) = refusal_key(sentence)
    {
        text.message = Message::Key(key);
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_refusal_reads_in_english_as_its_sentence() {
        for (sentence, key) in REFUSALS {
            assert_eq!(latchkey_i18n::Locale::DEFAULT.t(key), *sentence, "{key}");
            assert_ne!(
                latchkey_i18n::Locale::from_code("de").unwrap().t(key),
                *sentence,
                "{key} in German"
            );
        }
    }

    #[test]
    fn refusals_read_as_sentences() {
        assert_eq!(
            sentence(&Refusal::ApproverIsRequester {}),
            "The requester cannot approve or decide their own request."
        );
        assert_eq!(
            sentence(&Refusal::ApprovalsIncomplete { have: 1, need: 2 }),
            "1 of 2 approvals given."
        );
    }
}
