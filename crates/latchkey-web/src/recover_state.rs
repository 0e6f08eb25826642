//! The recovering browser's own state: which request it made and the
//! secret that binds the request to it, in a signed cookie.
//!
//! For an account that does not exist (or is disabled), the browser gets a
//! decoy: the same cookie naming a request id that was never stored. The
//! signature tells the server that it issued the cookie; a request id the
//! store does not know is then a decoy, and the pages answer exactly as for
//! a new request that still needs its proof. Nothing about a decoy is
//! stored.

use actix_web::HttpRequest;
use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::{GuardedActionId, HashedToken};
use latchkey_recovery::{EngineError, Refusal, Request, State};
use ring::hmac;
use ring::rand::{SecureRandom as _, SystemRandom};
use serde::{Deserialize, Serialize};

use latchkey_i18n::{Arg, Locale, msg};

use crate::error::WebError;
use crate::state::AppState;

pub const COOKIE: &str = "__Host-latchkey_recovery";

/// How long the browser keeps the cookie (longer than any request lives).
const MAX_AGE_DAYS: i64 = 90;

/// What the cookie says (readable by its own browser, signed by us).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Recovering {
    /// The request id (a decoy's is random and never stored).
    #[serde(rename = "r")]
    pub request: String,
    /// The secret binding the request to this browser: its hash is the
    /// request's requester session.
    #[serde(rename = "h")]
    pub handle: String,
    /// Wrong codes shown from this browser (a decoy's lock counts these).
    #[serde(rename = "f", default)]
    pub failures: u32,
    /// The enrolment grant, once the request completed.
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub grant: Option<String>,
}

/// The request a browser's cookie stands for.
#[derive(Debug)]
pub enum Seen {
    Real(Box<Request>),
    Decoy,
}

fn key(state: &AppState) -> hmac::Key {
    state.master.keyed_hash_key("recovery-browser")
}

/// 256 random bits, URL-safe.
pub fn new_handle() -> Result<String, WebError> {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| WebError::Internal("the system random source failed".into()))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

impl Recovering {
    /// A new browser state for `request` (real or decoy).
    pub fn new(request: GuardedActionId) -> Result<Self, WebError> {
        Ok(Self {
            request: request.to_string(),
            handle: new_handle()?,
            failures: 0,
            grant: None,
        })
    }

    /// The signed cookie.
    pub fn cookie(&self, state: &AppState) -> Cookie<'static> {
        let payload =
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default().as_slice());
        let tag = hmac::sign(&key(state), payload.as_bytes());
        let value = format!("{payload}.{}", URL_SAFE_NO_PAD.encode(tag.as_ref()));
        let mut c = Cookie::build(COOKIE, value)
            .path("/")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Lax)
            .finish();
        c.set_max_age(CookieDuration::days(MAX_AGE_DAYS));
        c
    }

    /// A cookie that removes it.
    pub fn removal() -> Cookie<'static> {
        let mut c = Cookie::build(COOKIE, "")
            .path("/")
            .secure(true)
            .http_only(true)
            .same_site(SameSite::Lax)
            .finish();
        c.make_removal();
        c
    }

    /// The browser's state, if it carries a cookie we signed.
    pub fn of(req: &HttpRequest, state: &AppState) -> Option<Self> {
        let cookie = req.cookie(COOKIE)?;
        let (payload, tag) = cookie.value().split_once('.')?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        hmac::verify(&key(state), payload.as_bytes(), &tag).ok()?;
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()
    }

    /// The engine's id of the request (for a decoy, one it does not know).
    pub fn id(&self) -> Option<GuardedActionId> {
        GuardedActionId::parse(&self.request).ok()
    }

    /// Whether `request` is bound to this browser.
    pub fn binds(&self, request: &Request) -> bool {
        request
            .requester_session
            .as_ref()
            .is_some_and(|s| s.matches(&HashedToken::of(&self.handle)))
    }

    /// Loads the request this browser made, brought up to date when its
    /// delay or lifetime ended; a decoy when the store does not know it.
    pub async fn load(&self, state: &AppState) -> Result<Seen, WebError> {
        let Some(id) = self.id() else {
            return Ok(Seen::Decoy);
        };
        let request = match state.recovery.view(id).await {
            Ok(r) => r,
            Err(EngineError::Refused(Refusal::NotFound {})) => return Ok(Seen::Decoy),
            Err(EngineError::Refused(r)) => return Err(WebError::BadRequest(sentence(&r))),
            Err(EngineError::Store(e)) => return Err(e.into()),
        };
        if !self.binds(&request) {
            return Ok(Seen::Decoy);
        }
        let now = state.clock.now();
        let due = (request.state == State::Waiting
            && request.eligible_at.is_some_and(|at| now >= at))
            || (!request.state.is_final() && now >= request.expires_at);
        if !due {
            return Ok(Seen::Real(Box::new(request)));
        }
        match state.recovery.advance(id).await {
            Ok(r) => Ok(Seen::Real(Box::new(r))),
            Err(EngineError::Refused(_)) => Ok(Seen::Real(Box::new(request))),
            Err(EngineError::Store(e)) => Err(e.into()),
        }
    }
}

/// The refusals people meet on the public pages (recovery, the links of
/// notices, the account page), with their messages in the catalogue.
const PUBLIC_REFUSALS: [(Refusal, &str); 15] = [
    (Refusal::Expired {}, msg("refusal-expired")),
    (
        Refusal::FactorsIncomplete {},
        msg("refusal-factors-incomplete"),
    ),
    (
        Refusal::FactorKindNotAllowed {},
        msg("refusal-factor-kind-not-allowed"),
    ),
    (
        Refusal::FactorAlreadyVerified {},
        msg("refusal-factor-already-verified"),
    ),
    (Refusal::NotYetEligible {}, msg("refusal-not-yet-eligible")),
    (Refusal::NotOwner {}, msg("refusal-not-owner")),
    (Refusal::SessionMismatch {}, msg("refusal-session-mismatch")),
    (
        Refusal::CancelLinkInvalid {},
        msg("refusal-cancel-link-invalid"),
    ),
    (Refusal::LinkInvalid {}, msg("refusal-link-invalid")),
    (Refusal::GrantInvalid {}, msg("refusal-grant-invalid")),
    (Refusal::NotFound {}, msg("refusal-not-found")),
    (
        Refusal::AccountUnavailable {},
        msg("refusal-account-unavailable"),
    ),
    (Refusal::LockedNow {}, msg("refusal-locked")),
    (Refusal::RateLimited {}, msg("refusal-rate-limited")),
    (
        Refusal::NoVerifiedEmail {},
        msg("refusal-no-verified-email"),
    ),
];

/// An engine refusal as a sentence in `locale`: the catalogue's
/// `refusal-<code>` message (every refusal has one; the tests keep its
/// English equal to the engine's own words), else the engine's words.
pub fn sentence_in(locale: Locale, r: &Refusal) -> String {
    let key = format!("refusal-{}", r.code().replace('_', "-"));
    if !locale.has(&key) {
        return sentence(r);
    }
    let args: Vec<(&str, Arg<'_>)> = match r {
        Refusal::Final { state } => {
            let state = format!("request-state-{}", state.as_str().replace('_', "-"));
            vec![("state", Arg::from(locale.t(&state)))]
        }
        Refusal::ApprovalsIncomplete { have, need } => vec![
            ("have", Arg::from(i64::from(*have))),
            ("need", Arg::from(i64::from(*need))),
        ],
        Refusal::PolicyCannotBeMet {
            required,
            available,
        } => vec![
            ("required", Arg::from(i64::from(*required))),
            ("available", Arg::from(*available)),
        ],
        Refusal::WrongFactor { attempts_left } => {
            vec![("attempts_left", Arg::from(*attempts_left))]
        }
        _ => Vec::new(),
    };
    locale.format(&key, &args)
}

/// The message of a public refusal whose English sentence is `text`.
pub fn refusal_key(text: &str) -> Option<&'static str> {
    PUBLIC_REFUSALS
        .iter()
        .find(|(known, _)| sentence(known) == text)
        .map(|(_, key)| *key)
}

/// An engine refusal as a sentence for people: capitalised, with a full stop.
pub fn sentence(r: &Refusal) -> String {
    let text = r.to_string();
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of every refusal.
    fn every_refusal() -> Vec<Refusal> {
        vec![
            Refusal::Final {
                state: State::Completed,
            },
            Refusal::Expired {},
            Refusal::FactorsIncomplete {},
            Refusal::FactorsComplete {},
            Refusal::FactorKindNotAllowed {},
            Refusal::FactorAlreadyVerified {},
            Refusal::NotYetEligible {},
            Refusal::ApprovalsIncomplete { have: 1, need: 2 },
            Refusal::OutOfBandCheckMissing {},
            Refusal::ApprovalNotRequired {},
            Refusal::NotYetApprovable {},
            Refusal::ApprovalsComplete {},
            Refusal::ApproverIsRequester {},
            Refusal::ApproverIsSubject {},
            Refusal::ApproverLacksRole {},
            Refusal::ApprovalNotFresh {},
            Refusal::ApprovalBoundElsewhere {},
            Refusal::AlreadyApproved {},
            Refusal::OutOfBandNotUsed {},
            Refusal::OutOfBandAlreadyRecorded {},
            Refusal::EvidenceMissing {},
            Refusal::NotOwner {},
            Refusal::SessionMismatch {},
            Refusal::CancelLinkInvalid {},
            Refusal::LinkInvalid {},
            Refusal::GrantInvalid {},
            Refusal::NotFound {},
            Refusal::AccountUnavailable {},
            Refusal::PolicyCannotBeMet {
                required: 2,
                available: 1,
            },
            Refusal::WrongFactor { attempts_left: 3 },
            Refusal::LockedNow {},
            Refusal::RateLimited {},
            Refusal::PasskeyNotAccepted {},
            Refusal::NoVerifiedEmail {},
            Refusal::InvalidAction {},
            Refusal::PolicyNotValid {},
            Refusal::PolicyUnchanged {},
            Refusal::UnknownPolicyChange {},
            Refusal::StalePolicyChange {},
        ]
    }

    #[test]
    fn every_refusal_reads_in_english_as_the_engine_words_it_and_is_translated() {
        for r in &every_refusal() {
            assert_eq!(sentence_in(Locale::DEFAULT, r), sentence(r), "{}", r.code());
            for code in ["de", "ar"] {
                let there = sentence_in(Locale::from_code(code).unwrap(), r);
                assert_ne!(there, sentence(r), "{} in {code}", r.code());
                assert!(!there.contains('{'), "{} in {code}: {there}", r.code());
            }
        }
        for (r, _) in &PUBLIC_REFUSALS {
            assert!(refusal_key(&sentence(r)).is_some(), "{}", r.code());
        }
        let final_de = sentence_in(
            Locale::from_code("de").unwrap(),
            &Refusal::Final {
                state: State::Denied,
            },
        );
        assert_eq!(final_de, "Die Anfrage ist bereits abgelehnt.");
    }

    #[test]
    fn the_payload_round_trips_and_leaves_out_a_missing_grant() {
        let r = Recovering {
            request: "x".into(),
            handle: "h".into(),
            failures: 2,
            grant: None,
        };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, r#"{"r":"x","h":"h","f":2}"#);
        assert_eq!(serde_json::from_str::<Recovering>(&json).unwrap(), r);
    }
}
