//! The guarded-action policies in force (administrators only): every tier
//! and action with its factors, delay, approvals, lifetime and what
//! completion revokes, and a form to change one. A change that is at least
//! as strict on every knob applies at once; one that relaxes anything opens
//! a `weaken_policy` request, approved like any other
//! (`Accounts::change_recovery_policy` → `GuardedActions::change_policy`).

use latchkey_web::chrome::Chrome;
use std::collections::BTreeSet;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use askama_web::WebTemplate;
use latchkey_accounts::AccountsError;
use latchkey_core::{AccountTier, Role};
use latchkey_recovery::policy_changes::RecoveryPolicyChange;
use latchkey_recovery::{
    ActionKind, FactorKind, GuardedActions, Policy, PolicyChangeOutcome, Refusal, Revocation,
    duration,
};
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access::{self, Console};
use latchkey_i18n::{Arg, Locale, msg};

use crate::views::{Fact, when};

const ADMINS_ONLY: &str = "Recovery policies are for administrators.";

const REVOCATIONS: [(Revocation, &str, &str); 3] = [
    (
        Revocation::OtherPasskeys,
        "revokes_other_passkeys",
        msg("console-revokes-passkeys"),
    ),
    (
        Revocation::Sessions,
        "revokes_sessions",
        msg("console-revokes-sessions"),
    ),
    (
        Revocation::RefreshFamilies,
        "revokes_refresh_families",
        msg("console-revokes-refresh"),
    ),
];

/// One row of the list.
#[derive(Debug)]
pub struct PolicyRow {
    pub tier: &'static str,
    pub action: &'static str,
    pub action_words: &'static str,
    pub factors: String,
    pub delay: String,
    pub approvals: String,
    pub lifetime: String,
    pub revokes: String,
    pub updated: String,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/recovery_policies.html")]
pub struct PoliciesPage {
    pub chrome: Chrome,
    pub me: String,
    pub flash: Option<String>,
    pub rows: Vec<PolicyRow>,
}

/// A checkbox of the form.
#[derive(Debug)]
pub struct Check {
    pub name: &'static str,
    pub label: &'static str,
    pub checked: bool,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/recovery_policy.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub me: String,
    pub tier: &'static str,
    pub action: &'static str,
    pub action_words: &'static str,
    pub form: PolicyForm,
    pub kinds: Vec<Check>,
    pub revokes: Vec<Check>,
    pub error: Option<String>,
}

/// The form as typed (shown again with a refusal).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PolicyForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    pub factors: String,
    #[serde(default)]
    pub delay: String,
    #[serde(default)]
    pub approvals: String,
    #[serde(default)]
    pub approver_role: String,
    pub out_of_band_check: Option<String>,
    #[serde(default)]
    pub lifetime: String,
    kind_recovery_code: Option<String>,
    kind_email_link: Option<String>,
    kind_passkey: Option<String>,
    kind_out_of_band: Option<String>,
    revokes_other_passkeys: Option<String>,
    revokes_sessions: Option<String>,
    revokes_refresh_families: Option<String>,
}

fn kind_field(form: &PolicyForm, kind: FactorKind) -> bool {
    match kind {
        FactorKind::RecoveryCode => form.kind_recovery_code.is_some(),
        FactorKind::EmailLink => form.kind_email_link.is_some(),
        FactorKind::Passkey => form.kind_passkey.is_some(),
        FactorKind::OutOfBand => form.kind_out_of_band.is_some(),
    }
}

fn revoke_field(form: &PolicyForm, r: Revocation) -> bool {
    match r {
        Revocation::OtherPasskeys => form.revokes_other_passkeys.is_some(),
        Revocation::Sessions => form.revokes_sessions.is_some(),
        Revocation::RefreshFamilies => form.revokes_refresh_families.is_some(),
    }
}

fn on(b: bool) -> Option<String> {
    b.then(|| "on".to_owned())
}

impl PolicyForm {
    fn of(p: &Policy) -> Self {
        let kind = |k| on(p.factor_kinds.contains(&k));
        let revokes = |r| on(p.revokes.contains(&r));
        Self {
            csrf: String::new(),
            factors: p.factors.to_string(),
            delay: duration::format(p.delay),
            approvals: p.approvals.to_string(),
            approver_role: p.approver_role.as_str().to_owned(),
            out_of_band_check: on(p.out_of_band_check),
            lifetime: duration::format(p.lifetime),
            kind_recovery_code: kind(FactorKind::RecoveryCode),
            kind_email_link: kind(FactorKind::EmailLink),
            kind_passkey: kind(FactorKind::Passkey),
            kind_out_of_band: kind(FactorKind::OutOfBand),
            revokes_other_passkeys: revokes(Revocation::OtherPasskeys),
            revokes_sessions: revokes(Revocation::Sessions),
            revokes_refresh_families: revokes(Revocation::RefreshFamilies),
        }
    }

    /// The policy the form describes, or what is wrong with it.
    fn policy(&self, l: Locale) -> Result<Policy, String> {
        let count = |text: &str, key: &str| text.trim().parse::<u8>().map_err(|_| l.t(key));
        let span = |text: &str, key: &str| duration::parse(text.trim()).ok_or_else(|| l.t(key));
        let approver_role = match self.approver_role.as_str() {
            "approver" => Role::Approver,
            "admin" => Role::Admin,
            _ => return Err(l.t(msg("console-rpolicy-bad-role"))),
        };
        Ok(Policy {
            factors: count(&self.factors, msg("console-rpolicy-bad-factors"))?,
            factor_kinds: FactorKind::ALL
                .into_iter()
                .filter(|k| kind_field(self, *k))
                .collect(),
            delay: span(&self.delay, msg("console-rpolicy-bad-delay"))?,
            approvals: count(&self.approvals, msg("console-rpolicy-bad-approvals"))?,
            approver_role,
            out_of_band_check: self.out_of_band_check.is_some(),
            lifetime: span(&self.lifetime, msg("console-rpolicy-bad-lifetime"))?,
            revokes: REVOCATIONS
                .iter()
                .map(|(r, _, _)| *r)
                .filter(|r| revoke_field(self, *r))
                .collect::<BTreeSet<_>>(),
        })
    }
}

fn kind_words(k: FactorKind) -> &'static str {
    match k {
        FactorKind::RecoveryCode => msg("console-kind-recovery-code"),
        FactorKind::EmailLink => msg("console-kind-email-link"),
        FactorKind::Passkey => msg("console-kind-passkey"),
        FactorKind::OutOfBand => msg("console-kind-out-of-band"),
    }
}

fn tier_of(text: &str) -> Result<AccountTier, WebError> {
    text.parse::<AccountTier>().map_err(|_| WebError::NotFound)
}

fn action_of(text: &str) -> Result<ActionKind, WebError> {
    text.parse::<ActionKind>().map_err(|_| WebError::NotFound)
}

fn row(
    l: Locale,
    tier: AccountTier,
    action: ActionKind,
    p: &Policy,
    updated: Option<&(chrono::DateTime<chrono::Utc>, String)>,
) -> PolicyRow {
    let kinds: Vec<_> = p.factor_kinds.iter().map(|k| l.t(kind_words(*k))).collect();
    let mut approvals = match p.approvals {
        0 => l.t(msg("console-approvals-none")),
        n => l.format(
            msg("console-approvals-from-role"),
            &[
                ("n", Arg::from(n)),
                ("role", Arg::from(p.approver_role.as_str())),
            ],
        ),
    };
    if p.out_of_band_check {
        approvals.push_str(&l.t(msg("console-approvals-with-check")));
    }
    let revokes: Vec<_> = REVOCATIONS
        .iter()
        .filter(|(r, _, _)| p.revokes.contains(r))
        .map(|(_, _, words)| l.t(words))
        .collect();
    PolicyRow {
        tier: tier.as_str(),
        action: action.as_str(),
        action_words: crate::request_views::action_label(action),
        factors: l.format(
            msg("console-factors-of"),
            &[
                ("n", Arg::from(p.factors)),
                ("kinds", Arg::from(kinds.join("; "))),
            ],
        ),
        delay: duration::format(p.delay),
        approvals,
        lifetime: duration::format(p.lifetime),
        revokes: if revokes.is_empty() {
            l.t(msg("console-revokes-nothing"))
        } else {
            revokes.join(&l.t(msg("console-list-joiner")))
        },
        updated: updated.map_or_else(
            || l.t(msg("console-rpolicy-configured")),
            |(at, by)| {
                l.format(
                    msg("console-rpolicy-stored-by"),
                    &[("when", Arg::from(when(*at))), ("by", Arg::from(by))],
                )
            },
        ),
    }
}

/// What a `weaken_policy` request for one of these policies changes, for
/// the approvers: the policy, then each knob that differs, old → new, with
/// the relaxed ones marked.
pub fn change_facts(l: Locale, c: &RecoveryPolicyChange) -> Vec<Fact> {
    let before = row(l, c.tier, c.action, &c.from, None);
    let after = row(l, c.tier, c.action, &c.to, None);
    let relaxed = c.to.relaxed_knobs(&c.from);
    let mut facts = vec![Fact {
        label: msg("console-fact-recovery-policy"),
        value: l.format(
            msg("console-rpolicy-of-tier"),
            &[
                ("action", Arg::from(l.t(before.action_words))),
                ("tier", Arg::from(before.tier)),
            ],
        ),
    }];
    for (label, knobs, old, new) in [
        (
            msg("console-fact-factors"),
            &["factors", "factor_kinds"][..],
            &before.factors,
            &after.factors,
        ),
        (
            msg("console-fact-delay"),
            &["delay"][..],
            &before.delay,
            &after.delay,
        ),
        (
            msg("console-fact-approvals"),
            &["approvals", "approver_role", "out_of_band_check"][..],
            &before.approvals,
            &after.approvals,
        ),
        (
            msg("console-fact-lifetime"),
            &["lifetime"][..],
            &before.lifetime,
            &after.lifetime,
        ),
        (
            msg("console-fact-revokes"),
            &["revokes"][..],
            &before.revokes,
            &after.revokes,
        ),
    ] {
        if old == new {
            continue;
        }
        let key = if knobs.iter().any(|k| relaxed.contains(k)) {
            msg("console-rule-relaxed")
        } else {
            msg("console-rule-changed")
        };
        facts.push(Fact {
            label,
            value: l.format(
                key,
                &[("before", Arg::from(old)), ("after", Arg::from(new))],
            ),
        });
    }
    facts
}

fn flash(l: Locale, done: &str) -> Option<String> {
    match done {
        "applied" => Some(l.t(msg("console-rpolicy-applied"))),
        "requested" => Some(l.t(msg("console-rpolicy-requested"))),
        _ => None,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

#[get("/recovery-policies")]
pub async fn get_policies(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    q: web::Query<DoneQuery>,
) -> Result<PoliciesPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let chrome = Chrome::console(&req).await;
    let l = chrome.locale;
    let rows = engine
        .policies_in_force()
        .await
        .map_err(crate::error::page_error)?
        .iter()
        .map(|p| row(l, p.tier, p.action, &p.policy, p.updated.as_ref()))
        .collect();
    Ok(PoliciesPage {
        chrome,
        me: crate::approvals::username(&state, &console).await?,
        flash: flash(l, &q.done),
        rows,
    })
}

async fn form_page(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    (tier, action): (AccountTier, ActionKind),
    form: PolicyForm,
    error: Option<String>,
) -> Result<PolicyPage, WebError> {
    let kinds = FactorKind::ALL
        .into_iter()
        .map(|k| Check {
            name: match k {
                FactorKind::RecoveryCode => "kind_recovery_code",
                FactorKind::EmailLink => "kind_email_link",
                FactorKind::Passkey => "kind_passkey",
                FactorKind::OutOfBand => "kind_out_of_band",
            },
            label: kind_words(k),
            checked: kind_field(&form, k),
        })
        .collect();
    let revokes = REVOCATIONS
        .iter()
        .map(|(r, name, words)| Check {
            name,
            label: words,
            checked: revoke_field(&form, *r),
        })
        .collect();
    Ok(PolicyPage {
        chrome: Chrome::console(req).await,
        me: crate::approvals::username(state, console).await?,
        tier: tier.as_str(),
        action: action.as_str(),
        action_words: crate::request_views::action_label(action),
        form,
        kinds,
        revokes,
        error,
    })
}

#[get("/recovery-policies/{tier}/{action}")]
pub async fn get_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<(String, String)>,
) -> Result<PolicyPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let (tier, action) = (tier_of(&path.0)?, action_of(&path.1)?);
    let set = engine
        .policy_set()
        .await
        .map_err(crate::error::page_error)?;
    let form = PolicyForm::of(set.policy(tier, action));
    form_page(&req, &state, &console, (tier, action), form, None).await
}

/// Saves a change: at once when it tightens, as a request when it relaxes;
/// a refused change shows the form again with the reason and changes
/// nothing.
#[post("/recovery-policies/{tier}/{action}")]
pub async fn post_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    engine: web::Data<GuardedActions>,
    path: web::Path<(String, String)>,
    form: web::Form<PolicyForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let (tier, action) = (tier_of(&path.0)?, action_of(&path.1)?);
    let page = format!("/admin/recovery-policies/{tier}/{}", action.as_str());
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    let form = form.into_inner();
    let l = Chrome::console(&req).await.locale;
    let error = match form.policy(l) {
        Err(message) => message,
        Ok(policy) => {
            let set = engine
                .policy_set()
                .await
                .map_err(crate::error::page_error)?;
            match set.with_policy(tier, action, policy.clone()) {
                Err(e) => l.format(
                    msg("console-rpolicy-not-saved"),
                    &[("reason", Arg::from(e.to_string()))],
                ),
                Ok(_) => match state
                    .accounts
                    .change_recovery_policy(&console.me, tier, action, policy, &client::info(&req))
                    .await
                {
                    Ok(outcome) => {
                        let done = match outcome {
                            PolicyChangeOutcome::Applied => "applied",
                            PolicyChangeOutcome::Requested(_) => "requested",
                        };
                        return Ok(HttpResponse::SeeOther()
                            .insert_header((
                                header::LOCATION,
                                format!("/admin/recovery-policies?done={done}"),
                            ))
                            .finish());
                    }
                    Err(AccountsError::Refused(Refusal::PolicyUnchanged {})) => {
                        l.t(msg("console-rpolicy-unchanged"))
                    }
                    Err(AccountsError::Refused(r)) => l.format(
                        msg("console-rpolicy-not-saved"),
                        &[(
                            "reason",
                            Arg::from(
                                latchkey_web::recover_state::sentence_in(l, &r)
                                    .trim_end_matches('.')
                                    .to_owned(),
                            ),
                        )],
                    ),
                    Err(e) => return Err(e.into()),
                },
            }
        }
    };
    let shown = form_page(&req, &state, &console, (tier, action), form, Some(error)).await?;
    let body = shown
        .render()
        .map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::build(StatusCode::BAD_REQUEST)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}
