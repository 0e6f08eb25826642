//! The console's errors as HTTP: the guarded-action engine's refusals become
//! sentences (on the page, or as JSON for the page's script); everything
//! else is the site's error handling (`latchkey_web::error`).

use actix_web::HttpResponse;
use latchkey_recovery::{EngineError, Refusal};
use latchkey_web::error::{ApiError, WebError};

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

#[cfg(test)]
mod tests {
    use super::*;

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
