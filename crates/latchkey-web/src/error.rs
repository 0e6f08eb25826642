//! The one place where errors become HTTP responses: `WebError` for pages
//! (HTML), `ApiError` for the JSON endpoints the pages' script calls. A 5xx
//! shows only the request id (`x-request-id`); the cause goes to the log.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentType};
use actix_web::{HttpResponse, ResponseError};
use askama::Template as _;

use latchkey_i18n::Locale;

pub use crate::error_text::{
    ACCOUNT_DISABLED, ADMIN_REQUIRED, APPROVER_REQUIRED, ApiErrorText, CLIENT_GONE, FOREIGN_ORIGIN,
    FORM_EXPIRED, GRANT_INVALID, LANGUAGE_UNKNOWN, Message, OTHER_BROWSER, PENDING_GONE,
    REQUEST_GONE, SIGNUP_DISABLED,
};

use crate::chrome::{Chrome, ErrorPageText};
use crate::views::ErrorPage;

type Cause = Box<dyn std::error::Error + Send + Sync>;

fn log_internal(cause: &Cause) {
    tracing::error!(error = %cause, source = ?cause.source(), "internal error");
}

/// An error of a page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("This page does not exist.")]
    NotFound,
    #[error("{0}")]
    Gone(&'static str),
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Forbidden(&'static str),
    /// Refused by an attestation policy: the sentence says what is needed.
    #[error("{0}")]
    PolicyRefused(String),
    /// Not signed in: go to the sign-in page and come back.
    #[error("Sign in to continue.")]
    SignInRequired { next: String },
    /// A sensitive action needs a fresh passkey confirmation first.
    #[error("Confirm with your passkey to continue.")]
    StepUpRequired { next: String },
    #[error("Too many attempts. Try again in {retry_after} seconds.")]
    TooManyRequests { retry_after: u64 },
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("The request headers are too large.")]
    HeadersTooLarge,
    #[error("Something went wrong on our side.")]
    Internal(#[source] Cause),
}

impl From<latchkey_store::StoreError> for WebError {
    fn from(e: latchkey_store::StoreError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<latchkey_session::SessionError> for WebError {
    fn from(e: latchkey_session::SessionError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl From<ApiError> for WebError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Forbidden(m) => Self::Forbidden(m),
            ApiError::TooManyRequests { retry_after } => Self::TooManyRequests { retry_after },
            ApiError::NotFound(m) => Self::Gone(m),
            ApiError::PayloadTooLarge => Self::PayloadTooLarge,
            ApiError::Internal(c) => Self::Internal(c),
            other => Self::BadRequest(other.to_string()),
        }
    }
}

fn encode(next: &str) -> String {
    url::form_urlencoded::byte_serialize(next.as_bytes()).collect()
}

impl ResponseError for WebError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Gone(_) => StatusCode::GONE,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Forbidden(_) | Self::PolicyRefused(_) => StatusCode::FORBIDDEN,
            Self::SignInRequired { .. } | Self::StepUpRequired { .. } => StatusCode::SEE_OTHER,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::SignInRequired { next } => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/signin?next={}", encode(next))))
                    .finish();
            }
            Self::StepUpRequired { next } => {
                return HttpResponse::SeeOther()
                    .insert_header((header::LOCATION, format!("/stepup?next={}", encode(next))))
                    .finish();
            }
            Self::Internal(cause) => log_internal(cause),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        if let Self::TooManyRequests { retry_after } = self {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        let status = self.status_code().as_u16();
        let message = self.message();
        let page = ErrorPage {
            chrome: Chrome::fallback(),
            status,
            message: message.render(Locale::DEFAULT),
        };
        let body = page.render().unwrap_or_else(|_| self.to_string());
        let mut response = res.content_type(ContentType::html()).body(body);
        // Rendered again in the request's language (`chrome::localise_error_pages`).
        response
            .extensions_mut()
            .insert(ErrorPageText { status, message });
        response
    }
}

impl WebError {
    /// What the error page says: a message of the catalogue where the
    /// sentence is one of ours, else the sentence as it came.
    pub fn message(&self) -> Message {
        match self {
            Self::NotFound => Message::Key("error-not-found"),
            Self::SignInRequired { .. } => Message::Key("error-sign-in-required"),
            Self::StepUpRequired { .. } => Message::Key("error-step-up-required"),
            Self::TooManyRequests { retry_after } => {
                Message::Seconds("error-too-many", *retry_after)
            }
            Self::PayloadTooLarge => Message::Key("error-payload-too-large"),
            Self::HeadersTooLarge => Message::Key("error-headers-too-large"),
            Self::Internal(_) => Message::Key("error-internal"),
            Self::Gone(s) | Self::Forbidden(s) => Message::sentence(s),
            Self::BadRequest(s) | Self::PolicyRefused(s) => Message::sentence(s),
        }
    }
}

/// An error of a JSON endpoint: `{"error": code, "message": sentence}`.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{message}")]
    BadRequest { code: &'static str, message: String },
    #[error("Sign in to continue.")]
    SignInRequired,
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("Confirm with your passkey to continue.")]
    StepUpRequired,
    #[error("{0}")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("Too many attempts. Try again in {retry_after} seconds.")]
    TooManyRequests { retry_after: u64 },
    #[error("{message}")]
    Ceremony { code: &'static str, message: String },
    #[error("The request body is too large.")]
    PayloadTooLarge,
    #[error("Something went wrong on our side.")]
    Internal(#[source] Cause),
}

impl ApiError {
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::BadRequest {
            code,
            message: message.into(),
        }
    }

    /// The generic registration failure: nothing about why.
    pub fn registration_failed() -> Self {
        Self::BadRequest {
            code: "registration_failed",
            message: REGISTRATION_FAILED.to_owned(),
        }
    }

    /// The stable code in the JSON body (and in logs and metrics).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest { code, .. } | Self::Ceremony { code, .. } => code,
            Self::SignInRequired => "sign_in_required",
            Self::Forbidden(_) => "forbidden",
            Self::StepUpRequired => "step_up_required",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::TooManyRequests { .. } => "rate_limited",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Internal(_) => "internal",
        }
    }
}

impl From<latchkey_store::StoreError> for ApiError {
    fn from(e: latchkey_store::StoreError) -> Self {
        match e {
            // Whether a credential id is registered (to this or another
            // account) is not the client's to learn: the reason is logged,
            // the answer is the generic registration failure.
            latchkey_store::StoreError::Conflict(what)
                if what == latchkey_store::credentials::DUPLICATE_CREDENTIAL =>
            {
                tracing::warn!(
                    reason = "credential_exists",
                    "passkey registration refused: the credential id is already registered"
                );
                Self::registration_failed()
            }
            latchkey_store::StoreError::Conflict(what) => {
                Self::Conflict(format!("{what} already exists."))
            }
            e => Self::Internal(Box::new(e)),
        }
    }
}

/// Ceremony reason codes that are logged but never told to the client, who
/// gets [`REGISTRATION_FAILED`] instead: they would say that a credential
/// is already registered.
const UNTOLD_REASONS: &[&str] = &["credential_excluded"];

/// The generic registration failure.
pub const REGISTRATION_FAILED: &str =
    "The passkey could not be registered. Try again, or use another passkey.";

impl From<latchkey_session::SessionError> for ApiError {
    fn from(e: latchkey_session::SessionError) -> Self {
        Self::Internal(Box::new(e))
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } | Self::Ceremony { .. } => StatusCode::BAD_REQUEST,
            Self::SignInRequired => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::StepUpRequired => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Self::Internal(cause) = self {
            log_internal(cause);
        }
        let mut res = HttpResponse::build(self.status_code());
        if let Self::TooManyRequests { retry_after } = self {
            res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
        }
        let (code, message) = match self {
            Self::Ceremony { code, .. } if UNTOLD_REASONS.contains(code) => {
                ("registration_failed", REGISTRATION_FAILED.to_owned())
            }
            _ => (self.code(), self.to_string()),
        };
        let localisable = match self {
            Self::SignInRequired => Message::Key("error-sign-in-required"),
            Self::StepUpRequired => Message::Key("error-step-up-required"),
            Self::TooManyRequests { retry_after } => {
                Message::Seconds("error-too-many", *retry_after)
            }
            Self::PayloadTooLarge => Message::Key("error-payload-too-large"),
            Self::Internal(_) => Message::Key("error-internal"),
            _ => Message::coded(code, &message),
        };
        let mut response = res.json(serde_json::json!({ "error": code, "message": message }));
        // Said again in the request's language (`chrome::localise_error_pages`).
        response.extensions_mut().insert(ApiErrorText {
            code,
            message: localisable,
        });
        response
    }
}

/// JSON bodies that do not parse get the same shape as every other error.
pub fn json_error_handler(
    err: actix_web::error::JsonPayloadError,
    _req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as E;
    let api = match &err {
        E::OverflowKnownLength { .. } | E::Overflow { .. } => ApiError::PayloadTooLarge,
        E::ContentType => ApiError::bad_request(
            "unsupported_media_type",
            "Send the body as application/json.",
        ),
        _ => ApiError::bad_request(
            "malformed_request",
            "The request body is not valid JSON of the expected shape.",
        ),
    };
    actix_web::error::InternalError::from_response(err, api.error_response()).into()
}

fn internal(e: impl std::error::Error + Send + Sync + 'static) -> Cause {
    Box::new(e)
}

impl From<latchkey_accounts::AccountsError> for ApiError {
    fn from(e: latchkey_accounts::AccountsError) -> Self {
        use latchkey_accounts::AccountsError as A;
        let message = e.to_string();
        match e {
            A::Passkey(p) if p.is_internal() => Self::Internal(internal(p)),
            A::Passkey(p) => Self::Ceremony {
                code: p.reason_code(),
                message,
            },
            A::ChallengeExpired | A::CloneSuspected | A::WrongAccount => Self::Ceremony {
                code: e.code(),
                message,
            },
            A::RateLimited { retry_after, .. } => Self::TooManyRequests { retry_after },
            A::AccountDisabled => Self::Forbidden(ACCOUNT_DISABLED),
            A::AdminRequired => Self::Forbidden(ADMIN_REQUIRED),
            A::ApproverRequired => Self::Forbidden(APPROVER_REQUIRED),
            A::SelfSignupDisabled => Self::Forbidden(SIGNUP_DISABLED),
            A::SessionMismatch(m) => Self::Forbidden(m),
            A::StepUpRequired => Self::StepUpRequired,
            A::InvalidInput { code, message } => Self::bad_request(code, message),
            A::UnknownGrant => Self::bad_request("invalid_grant", message),
            A::Metadata(m) => Self::bad_request(m.code(), message),
            A::Branding(_) => Self::bad_request(e.code(), message),
            A::PolicyRefused { .. } => Self::Ceremony {
                code: e.code(),
                message,
            },
            A::UsernameTaken | A::LastPasskey | A::Refused(_) | A::NeedsApproval { .. } => {
                Self::Conflict(message)
            }
            A::GrantGone(m) => Self::NotFound(m),
            A::NotFound(_) => Self::NotFound("This does not exist."),
            A::Store(e) => e.into(),
            A::Session(e) => e.into(),
            A::Internal(m) => Self::Internal(internal(std::io::Error::other(m))),
        }
    }
}

impl From<latchkey_accounts::AccountsError> for WebError {
    fn from(e: latchkey_accounts::AccountsError) -> Self {
        use latchkey_accounts::AccountsError as A;
        match e {
            A::NotFound(_) => Self::NotFound,
            A::GrantGone(m) => Self::Gone(m),
            A::StepUpRequired => Self::StepUpRequired {
                next: "/account".into(),
            },
            A::InvalidInput { message, .. } => Self::BadRequest(message.into()),
            A::Branding(b) => Self::BadRequest(b.to_string()),
            A::Refused(r) => Self::BadRequest(crate::recover_state::sentence(&r)),
            A::Store(e) => e.into(),
            e => ApiError::from(e).into(),
        }
    }
}

// ---- extractor errors ------------------------------------------------------
//
// actix-web's own answers to a form, query or path that does not deserialise
// are plain text naming the fields and the parser's complaint ("missing field
// `csrf`"). Every extractor gets a handler here instead: a fixed sentence, as
// the site's error page or, for a client that asks for JSON, the JSON error.

/// Sentences for input that does not parse: fixed, naming no field.
pub const MALFORMED_FORM: &str = "The form could not be read. Reload the page and try again.";
pub const MALFORMED_ADDRESS: &str = "This address is not valid.";

/// Whether the client asked for JSON rather than a page.
fn wants_json(req: &actix_web::HttpRequest) -> bool {
    let accepts = |h: header::HeaderName, what: &str| {
        req.headers()
            .get(h)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains(what))
    };
    accepts(header::ACCEPT, "application/json") && !accepts(header::ACCEPT, "text/html")
}

/// The response for input that did not parse: the error page, or JSON for a
/// client that asks for it. The parser's message goes to the debug log only.
fn malformed(
    err: impl std::fmt::Debug + std::fmt::Display + 'static,
    req: &actix_web::HttpRequest,
    too_large: bool,
    sentence: &'static str,
) -> actix_web::Error {
    tracing::debug!(error = %err, "request input did not parse");
    let response = match (too_large, wants_json(req)) {
        (true, true) => ApiError::PayloadTooLarge.error_response(),
        (true, false) => WebError::PayloadTooLarge.error_response(),
        (false, true) => ApiError::bad_request("malformed_request", sentence).error_response(),
        (false, false) => WebError::BadRequest(sentence.to_owned()).error_response(),
    };
    actix_web::error::InternalError::from_response(err, response).into()
}

/// Form bodies (`web::Form`).
pub fn form_error_handler(
    err: actix_web::error::UrlencodedError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    use actix_web::error::UrlencodedError as E;
    let too_large = matches!(err, E::Overflow { .. });
    malformed(err, req, too_large, MALFORMED_FORM)
}

/// Query strings (`web::Query`).
pub fn query_error_handler(
    err: actix_web::error::QueryPayloadError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    malformed(err, req, false, MALFORMED_ADDRESS)
}

/// Path segments (`web::Path`).
pub fn path_error_handler(
    err: actix_web::error::PathError,
    req: &actix_web::HttpRequest,
) -> actix_web::Error {
    malformed(err, req, false, MALFORMED_ADDRESS)
}

/// Any path no route serves: the site's error page (`404`), or the JSON
/// error for a client that asks for JSON — never an empty body that leaves
/// the browser to show a page of its own.
pub async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    if wants_json(&req) {
        ApiError::NotFound("Nothing is served at this address.").error_response()
    } else {
        WebError::NotFound.error_response()
    }
}
