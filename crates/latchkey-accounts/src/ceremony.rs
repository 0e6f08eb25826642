//! What every passkey ceremony shares: ceremony ids and state in the session
//! store (single use, 5 minutes), who the client is, and the outcome that is
//! logged and handed back to the caller.

use chrono::Duration;
use latchkey_core::{PlainToken, TokenKind, UserId};
use serde::{Serialize, de::DeserializeOwned};

use crate::error::AccountsError;
use crate::service::Accounts;

/// A ceremony's challenge lives this long, and is used at most once.
pub const CHALLENGE_TTL: Duration = Duration::minutes(5);

/// Session-store namespaces of ceremony state.
pub const NS_SIGNIN: &str = "ceremony-signin";
pub const NS_ENROL: &str = "ceremony-enrol";
pub const NS_ADD: &str = "ceremony-add";
pub const NS_STEPUP: &str = "ceremony-stepup";

/// Who is asking: the client's address (rate limits, the audit log, the
/// sessions list), a coarse platform name (logs and metrics) and its
/// User-Agent (kept with a session it starts, so the account page can say
/// which device it is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: String,
    pub platform: &'static str,
    /// At most [`MAX_USER_AGENT`] characters: see [`bounded_user_agent`].
    pub user_agent: String,
    /// The HTTP request's id, recorded with the audit events of console
    /// changes.
    pub request_id: Option<String>,
}

/// The longest User-Agent kept with a session, in characters.
pub const MAX_USER_AGENT: usize = 256;

/// A User-Agent as a session keeps it: control characters dropped, at most
/// [`MAX_USER_AGENT`] characters, so a client cannot make sessions large.
pub fn bounded_user_agent(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_control())
        .take(MAX_USER_AGENT)
        .collect()
}

/// How a ceremony was performed: a bounded set, for logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    /// A conditional (autofill) sign-in on the same device.
    Autofill,
    /// The "Sign in with a passkey" button on the same device.
    Modal,
    /// A modal sign-in with a passkey on another device.
    CrossDevice,
    /// The first passkey of a new account.
    Enrolment,
    /// Another passkey added to an account.
    Add,
    /// A step-up inside a session.
    StepUp,
    /// An approver's decision in the admin console, bound to what is decided.
    Approval,
}

impl Flow {
    /// The flow a sign-in page reports; anything unknown counts as modal.
    pub fn of_sign_in(raw: Option<&str>) -> Self {
        match raw {
            Some("autofill") => Self::Autofill,
            Some("cross-device") => Self::CrossDevice,
            _ => Self::Modal,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Autofill => "autofill",
            Self::Modal => "modal",
            Self::CrossDevice => "cross-device",
            Self::Enrolment => "enrolment",
            Self::Add => "add",
            Self::StepUp => "step-up",
            Self::Approval => "approval",
        }
    }
}

/// Which WebAuthn ceremony.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    Authentication,
    Registration,
}

impl CeremonyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Authentication => "authentication",
            Self::Registration => "registration",
        }
    }
}

/// One ceremony outcome: logged by the operation that finished it, and
/// returned so that the caller can count it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeremonyOutcome {
    pub ceremony: CeremonyKind,
    pub flow: Flow,
    pub user: Option<UserId>,
    pub credential: Option<String>,
    pub platform: &'static str,
    /// `success` or a failure reason code.
    pub result: &'static str,
}

impl CeremonyOutcome {
    pub(crate) fn new(ceremony: CeremonyKind, flow: Flow, client: &ClientInfo) -> Self {
        Self {
            ceremony,
            flow,
            user: None,
            credential: None,
            platform: client.platform,
            result: "success",
        }
    }

    pub fn is_success(&self) -> bool {
        self.result == "success"
    }

    /// Logs the outcome (target `latchkey::ceremony`).
    pub(crate) fn log(&self) {
        let (ceremony, flow) = (self.ceremony.as_str(), self.flow.as_str());
        let user = self.user.map(|u| u.to_string()).unwrap_or_default();
        let credential = self.credential.as_deref().unwrap_or_default();
        let (platform, outcome) = (self.platform, self.result);
        // The client's failures are WARN; ERROR is for faults of ours.
        if self.is_success() {
            tracing::info!(target: "latchkey::ceremony", ceremony, flow, user, credential, platform, outcome, "passkey ceremony succeeded");
        } else if self.result == "internal" {
            tracing::error!(target: "latchkey::ceremony", ceremony, flow, user, credential, platform, outcome, reason = outcome, "passkey ceremony failed on the server");
        } else {
            tracing::warn!(target: "latchkey::ceremony", ceremony, flow, user, credential, platform, outcome, reason = outcome, "passkey ceremony failed");
        }
    }
}

/// What a ceremony's finish returns: its outcome (already logged) and the
/// result for the caller.
#[derive(Debug)]
pub struct Finished<T> {
    pub outcome: CeremonyOutcome,
    pub result: Result<T, AccountsError>,
}

impl<T> Finished<T> {
    /// A finished ceremony: logs the outcome, with `user`, and `code` as the
    /// failure reason (or the error's own code).
    pub(crate) fn done(
        mut outcome: CeremonyOutcome,
        result: Result<T, (AccountsError, Option<UserId>, Option<&'static str>)>,
    ) -> Self {
        let result = match result {
            Ok(value) => Ok(value),
            Err((e, user, code)) => {
                if user.is_some() {
                    outcome.user = user;
                }
                outcome.result = code.unwrap_or_else(|| e.code());
                Err(e)
            }
        };
        outcome.log();
        Self { outcome, result }
    }
}

/// The options of a started ceremony: its id and the WebAuthn `publicKey`
/// options for the browser.
#[derive(Debug, Clone, PartialEq)]
pub struct CeremonyStart {
    pub id: String,
    pub public_key: serde_json::Value,
}

/// A fresh, unguessable ceremony id.
pub fn new_id() -> String {
    let token = PlainToken::generate(TokenKind::Session);
    token.expose().get(4..).unwrap_or_default().to_owned()
}

impl Accounts {
    /// Keeps ceremony state server-side until the browser finishes; returns
    /// the ceremony id and the browser's options.
    pub(crate) async fn save_ceremony<T: Serialize>(
        &self,
        ns: &str,
        options: &serde_json::Value,
        value: &T,
    ) -> Result<CeremonyStart, AccountsError> {
        let id = new_id();
        self.sessions()
            .put_json(ns, &id, value, CHALLENGE_TTL)
            .await?;
        Ok(CeremonyStart {
            id,
            public_key: options["publicKey"].clone(),
        })
    }

    /// Takes ceremony state (single use). Unknown, used or expired ids are
    /// one error: the challenge is no longer valid.
    pub(crate) async fn take_ceremony<T: DeserializeOwned>(
        &self,
        ns: &str,
        id: &str,
    ) -> Result<T, AccountsError> {
        if id.is_empty() || id.len() > 128 {
            return Err(AccountsError::ChallengeExpired);
        }
        self.sessions()
            .take_json(ns, id)
            .await?
            .ok_or(AccountsError::ChallengeExpired)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt as _;

    use super::*;

    #[derive(Clone, Default)]
    struct Levels(Arc<Mutex<Vec<Level>>>);

    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Levels {
        fn on_event(
            &self,
            event: &tracing::Event<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            self.0.lock().unwrap().push(*event.metadata().level());
        }
    }

    fn level_of(result: &'static str) -> Level {
        let levels = Levels::default();
        let subscriber = tracing_subscriber::registry().with(levels.clone());
        let client = ClientInfo {
            ip: "192.0.2.1".into(),
            platform: "linux",
            user_agent: String::new(),
            request_id: None,
        };
        let mut outcome = CeremonyOutcome::new(CeremonyKind::Authentication, Flow::Modal, &client);
        outcome.result = result;
        tracing::subscriber::with_default(subscriber, || outcome.log());
        let seen = levels.0.lock().unwrap().clone();
        assert_eq!(seen.len(), 1, "{seen:?}");
        seen[0]
    }

    #[test]
    fn a_user_agent_is_kept_without_control_characters_and_bounded() {
        assert_eq!(bounded_user_agent("Mozilla/5.0\r\nX: y"), "Mozilla/5.0X: y");
        let long = "é".repeat(1000);
        assert_eq!(bounded_user_agent(&long).chars().count(), MAX_USER_AGENT);
        assert_eq!(bounded_user_agent(""), "");
    }

    #[test]
    fn failures_of_the_client_are_warnings_and_only_ours_are_errors() {
        assert_eq!(level_of("success"), Level::INFO);
        assert_eq!(level_of("signature_invalid"), Level::WARN);
        assert_eq!(level_of("malformed_response"), Level::WARN);
        assert_eq!(level_of("internal"), Level::ERROR);
    }
}
