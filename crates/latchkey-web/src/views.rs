//! Page views, one type per template under `templates/`. Every page carries
//! its [`Chrome`]: the CSRF token (a meta tag and the forms), the language
//! and the instance's name.

use askama::Template;
use askama_web::WebTemplate;

pub use crate::chrome::Chrome;

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/home.html")]
pub struct HomePage {
    pub chrome: Chrome,
    pub issuer: String,
}

#[derive(Debug, Template)]
#[template(path = "pages/error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub message: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/signin.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    /// The application the sign-in continues to, if it came from one.
    pub app: Option<latchkey_oidc::clients::presentation::RequestingApp>,
    pub next: String,
    pub self_signup: bool,
}

/// `/signin` for a browser that is signed in already and need not sign in
/// again: continue, or sign out and sign in as someone else.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/signed_in.html")]
pub struct SignedInPage {
    pub chrome: Chrome,
    pub username: String,
    /// The application Continue goes on to, if any.
    pub app: Option<latchkey_oidc::clients::presentation::RequestingApp>,
    /// Where Continue goes (same-origin, as for the sign-in form).
    pub next: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/enrol.html")]
pub struct EnrolPage {
    pub chrome: Chrome,
    pub heading: String,
    pub intro: String,
    /// `bootstrap`, `invite` or `signup`.
    pub grant: &'static str,
    pub token: String,
    pub username: String,
    /// Where to go after onboarding (an authorization request waiting for
    /// the new account); empty for the account page.
    pub next: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/onboarding.html")]
pub struct OnboardingPage {
    pub chrome: Chrome,
    pub codes: Option<Vec<String>>,
    pub continue_to: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/passkey_here.html")]
pub struct PasskeyHerePage {
    pub chrome: Chrome,
    pub continue_to: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/stepup.html")]
pub struct StepUpPage {
    pub chrome: Chrome,
    /// The application the confirmation is for, if it came from one.
    pub app: Option<latchkey_oidc::clients::presentation::RequestingApp>,
    pub next: String,
}

/// A client's attestation policy that the session's passkey does not meet.
#[derive(Debug, Template)]
#[template(path = "pages/passkey_required.html")]
pub struct PasskeyRequiredPage {
    pub chrome: Chrome,
    pub client_name: String,
    pub policy: String,
    /// What was found, and what would satisfy the rule.
    pub violations: Vec<(String, String)>,
    /// How many of the user's passkeys meet the policy.
    pub alternatives: usize,
    /// The authorization request waiting.
    pub request: String,
    pub next: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/recovery_codes.html")]
pub struct RecoveryCodesPage {
    pub chrome: Chrome,
    pub codes: Vec<String>,
}

/// One passkey row of the account page.
#[derive(Debug)]
pub struct PasskeyRow {
    pub id: String,
    pub label: String,
    pub model: String,
    /// "synced" or "device-bound".
    pub kind: &'static str,
    pub attested: bool,
    pub clone_suspected: bool,
    pub created: String,
    /// `None` until the passkey is first used to sign in (registering it
    /// is not a use).
    pub last_used: Option<String>,
    pub current: bool,
}

/// One session row of the account page.
#[derive(Debug)]
pub struct SessionRow {
    /// Names the session in its sign-out form: the SHA-256 of its token,
    /// never the token.
    pub handle: String,
    /// "Chrome on macOS" (see `device`).
    pub device: String,
    /// The address it was started from, when known.
    pub ip: Option<String>,
    pub created: String,
    pub last_seen: String,
    pub current: bool,
}

/// One application the user allowed (consent), on the account page.
#[derive(Debug)]
pub struct AppRow {
    pub client_id: String,
    pub name: String,
    /// What it can see, described (see `scopes`).
    pub scopes: Vec<String>,
    pub granted: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/account.html")]
pub struct AccountPage {
    pub chrome: Chrome,
    pub username: String,
    pub display_name: String,
    pub is_admin: bool,
    pub flash: Option<String>,
    pub passkeys: Vec<PasskeyRow>,
    pub recovery_codes_left: i64,
    /// The address on file, and when it was verified.
    pub email: Option<String>,
    pub email_verified: Option<String>,
    pub sessions: Vec<SessionRow>,
    pub apps: Vec<AppRow>,
    /// Open guarded-action requests about this account (recoveries,
    /// sensitive changes), each with a cancel button.
    pub pending: Vec<PendingRow>,
    /// The account's chosen language (a shipped code), empty for none.
    pub language: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/consent.html")]
pub struct ConsentPage {
    pub chrome: Chrome,
    pub client_name: String,
    /// The application asking, with its logo and links.
    pub app: Option<latchkey_oidc::clients::presentation::RequestingApp>,
    pub username: String,
    /// Human descriptions of the requested scopes.
    pub scopes: Vec<String>,
    pub request: String,
    /// The account the page is shown to (checked when the form comes back).
    pub user: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/signed_out.html")]
pub struct SignedOutPage {
    pub chrome: Chrome,
    /// Ask first (no valid `id_token_hint`).
    pub confirm: bool,
}

/// "Lost your passkey?": the account to recover.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/recover.html")]
pub struct RecoverPage {
    pub chrome: Chrome,
    pub account: String,
    pub error: Option<String>,
}

/// The proof a recovering browser gives: a recovery code or an e-mail link.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/recover_factor.html")]
pub struct RecoverFactorPage {
    pub chrome: Chrome,
    /// What happened to the last thing sent from this page.
    pub message: Option<String>,
    pub error: bool,
    /// Proofs still needed after the ones given (more than one only for
    /// accounts whose policy asks for several, once one was right).
    pub given: usize,
    pub needed: usize,
}

/// Where a recovery stands, for the browser that asked.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/recover_status.html")]
pub struct RecoverStatusPage {
    pub chrome: Chrome,
    /// The engine's state name (also a `data-state` for scripts and tests).
    pub state: &'static str,
    pub heading: String,
    pub explanation: String,
    /// "42 minutes" until the waiting period ends.
    pub time_left: Option<String>,
    pub approvals_have: usize,
    pub approvals_need: usize,
    /// What is still missing, in words.
    pub missing: Vec<String>,
    /// The proof is still to be given (links to the factor page).
    pub needs_proof: bool,
    /// Ready: the form that completes it.
    pub ready: bool,
    /// Completed from this browser: the link to the passkey page.
    pub enrol: bool,
    /// Refresh the page every few seconds (nothing final yet).
    pub refresh: bool,
}

/// Registering the new passkey after a completed recovery.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/recover_enrol.html")]
pub struct RecoverEnrolPage {
    pub chrome: Chrome,
    pub username: String,
}

/// A link from a notice (cancel, or the e-mail proof): the token is in the
/// URL's fragment; the page's form posts it.
#[derive(Debug, Template, WebTemplate)]
#[template(path = "pages/recovery_link.html")]
pub struct RecoveryLinkPage {
    pub chrome: Chrome,
    /// `cancel`, `email` or `verify`: what the link is for.
    pub kind: &'static str,
    /// Where the form posts.
    pub action: &'static str,
    pub heading: String,
    pub intro: String,
    pub button: String,
    /// The outcome, after the POST.
    pub done: Option<String>,
    pub error: bool,
}

/// An open request about the account, on the account page.
#[derive(Debug)]
pub struct PendingRow {
    pub id: String,
    pub action: String,
    /// Which passkey, which address.
    pub detail: Option<String>,
    pub state: String,
    pub created: String,
    pub eligible: String,
    /// While the delay runs: how long it still runs.
    pub time_left: Option<String>,
    /// "1 of 2 approvals", when the policy asks for approvals.
    pub approvals: Option<String>,
    /// Ready new recovery codes the owner may now see.
    pub collect_codes: bool,
}
