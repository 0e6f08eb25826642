//! What errors say to people, in their language: the error keeps its
//! English sentence, and the response carries a [`Message`] that
//! `chrome::localise_error_pages` says again in the request's language —
//! this crate's fixed sentences, the account rules' errors by their code,
//! the recovery refusals of the public pages.

use latchkey_i18n::{Locale, msg};

use crate::error::{MALFORMED_ADDRESS, MALFORMED_FORM, REGISTRATION_FAILED};

/// What a JSON error says, kept on its response to be said again in the
/// request's language.
#[derive(Debug, Clone)]
pub struct ApiErrorText {
    pub code: &'static str,
    pub message: Message,
}

/// A message for people that may be in the catalogue.
#[derive(Debug, Clone)]
pub enum Message {
    Key(&'static str),
    /// A message with `{ $seconds }`.
    Seconds(&'static str, u64),
    /// A sentence from elsewhere (a domain error), shown as it is.
    Text(String),
    /// A domain error's sentence, in the catalogue under `api-<code>` when
    /// its words are fixed for that code.
    Coded {
        key: String,
        text: String,
    },
}

/// The fixed sentences of this crate's errors and their messages: an error
/// page shows the message in the request's language.
const SENTENCES: &[(&str, &str)] = &[
    (MALFORMED_FORM, msg("error-malformed-form")),
    (MALFORMED_ADDRESS, msg("error-malformed-address")),
    (FORM_EXPIRED, msg("error-form-expired")),
    (FOREIGN_ORIGIN, msg("error-foreign-origin")),
    (ACCOUNT_DISABLED, msg("error-account-disabled")),
    (ADMIN_REQUIRED, msg("error-admin-required")),
    (APPROVER_REQUIRED, msg("error-approver-required")),
    (SIGNUP_DISABLED, msg("error-signup-disabled")),
    (REQUEST_GONE, msg("error-request-gone")),
    (CLIENT_GONE, msg("error-client-gone")),
    (REGISTRATION_FAILED, msg("error-registration-failed")),
    (LANGUAGE_UNKNOWN, msg("error-language-unknown")),
    (GRANT_INVALID, msg("error-recovery-grant-invalid")),
    (OTHER_BROWSER, msg("error-recovery-other-browser")),
    (PENDING_GONE, msg("error-request-gone")),
];

pub const GRANT_INVALID: &str = "This recovery cannot set up a passkey here: it was used already, has expired, or belongs to another browser.";
pub const OTHER_BROWSER: &str = "Finish the recovery in the browser where it was started.";
pub const PENDING_GONE: &str =
    "This sign-in request has expired. Start again from the application.";

pub const LANGUAGE_UNKNOWN: &str = "Choose a language from the list.";

pub const FORM_EXPIRED: &str = "the form has expired; reload the page and try again";
pub const FOREIGN_ORIGIN: &str = "the request did not come from this site";
pub const ACCOUNT_DISABLED: &str = "This account is disabled.";
pub const ADMIN_REQUIRED: &str = "Only an administrator can do this.";
pub const APPROVER_REQUIRED: &str = "Only approvers and administrators can use the admin console.";
pub const SIGNUP_DISABLED: &str = "Self-service sign-up is not enabled on this instance.";
pub const REQUEST_GONE: &str =
    "This sign-in request has expired. Go back to the application and start again.";
pub const CLIENT_GONE: &str = "The application is no longer registered.";

impl Message {
    pub(crate) fn sentence(s: &str) -> Self {
        SENTENCES
            .iter()
            .find(|(en, _)| *en == s)
            .map(|(_, key)| *key)
            .or_else(|| crate::recover_state::refusal_key(s))
            .map_or_else(|| Self::Text(s.to_owned()), Self::Key)
    }

    /// The message of a JSON error with `code`: one of this crate's fixed
    /// sentences, the catalogue's words for the code, or the sentence as
    /// it came.
    pub(crate) fn coded(code: &str, text: &str) -> Self {
        // Conflicts lose their domain code on the way: these are known by
        // the account rules' own sentence.
        use latchkey_accounts::AccountsError as A;
        for (e, key) in [
            (A::UsernameTaken, msg("api-username-taken")),
            (A::LastPasskey, msg("api-last-passkey")),
        ] {
            if e.to_string() == text {
                return Self::Coded {
                    key: key.to_owned(),
                    text: text.to_owned(),
                };
            }
        }
        match Self::sentence(text) {
            Self::Text(text) => {
                let key = format!("api-{}", code.replace('_', "-"));
                if Locale::DEFAULT.has(&key) {
                    Self::Coded { key, text }
                } else {
                    Self::Text(text)
                }
            }
            known => known,
        }
    }

    /// The message in `locale`.
    pub fn render(&self, locale: Locale) -> String {
        match self {
            Self::Key(k) => locale.t(k),
            Self::Seconds(k, n) => locale.format(k, &[("seconds", (*n).into())]),
            Self::Text(t) => t.clone(),
            Self::Coded { key, .. } => locale.t(key),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;

    /// Each `api-<code>` message says in English exactly what the error of
    /// that code says, so the catalogue cannot drift from the code.
    #[test]
    fn coded_messages_say_what_the_errors_of_their_code_say() {
        use latchkey_accounts::AccountsError as A;
        let cases = [
            ApiError::from(A::UsernameTaken),
            ApiError::from(A::ChallengeExpired),
            ApiError::from(A::WrongAccount),
            ApiError::from(A::CloneSuspected),
            ApiError::from(A::LastPasskey),
        ];
        for e in cases {
            let message = Message::coded(e.code(), &e.to_string());
            assert!(matches!(message, Message::Coded { .. }), "{}", e.code());
            assert_eq!(
                message.render(Locale::DEFAULT),
                e.to_string(),
                "{}",
                e.code()
            );
            let de = message.render(Locale::from_code("de").unwrap());
            assert_ne!(de, e.to_string(), "{} in German", e.code());
        }
        assert!(matches!(
            Message::coded("no_such_code", "As it came."),
            Message::Text(t) if t == "As it came."
        ));
    }
}
