//! Changing attestation policies in the console (administrators only):
//! create a policy, edit its rules, attach it to a group, a tier, an
//! application or the console, or take it off. Creating and editing first
//! show the dry run — who would stop complying, with what would comply —
//! and a confirm button carrying the proposed rules. Every POST checks the
//! CSRF token and the Origin and needs a fresh step-up. A change that
//! relaxes a rule is not saved: it opens a `weaken_policy` request (the
//! administrator's step-up is its factor) and the engine applies it once
//! approved. The operations are `latchkey_accounts::Policies`', as for
//! `latchkey policy …`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use askama::Template;
use latchkey_accounts::{AccountsError, Policies, PolicyTarget};
use latchkey_core::{AccountTier, ClientId};
use latchkey_passkey::PolicyRules;
use latchkey_passkey::mds::CertificationLevel;
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use latchkey_web::{client, csrf};
use serde::Deserialize;

use crate::access::{self, Console};
use crate::policies::{AffectedRow, affected_rows, describe};
use crate::policy_views::comparison_facts;
use crate::views::Fact;
use latchkey_i18n::msg;

const ADMINS_ONLY: &str = "Attestation policies are for administrators.";

/// The rules as a form sends them (the create and edit forms, and the
/// confirm form's hidden copy).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RulesForm {
    #[serde(default)]
    pub csrf: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub require_attestation: Option<String>,
    #[serde(default)]
    pub device_bound: Option<String>,
    /// Allowed models: AAGUIDs or model names of the imported metadata, one
    /// per line.
    #[serde(default)]
    pub models: String,
    /// `""` or `L1` … `L3+`.
    #[serde(default)]
    pub min_certification: String,
    #[serde(default)]
    pub refuse_compromised: Option<String>,
    /// Present on the new-policy form: a taken name is refused rather than
    /// edited.
    #[serde(default)]
    pub new: Option<String>,
}

impl RulesForm {
    /// The form filled with `rules`.
    pub fn of(name: &str, rules: &PolicyRules) -> Self {
        let on = |b: bool| b.then(|| "on".to_owned());
        Self {
            csrf: String::new(),
            name: name.to_owned(),
            require_attestation: on(rules.require_attestation),
            device_bound: on(rules.device_bound),
            models: rules
                .allowed_aaguids
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n"),
            min_certification: rules
                .min_certification
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            refuse_compromised: on(rules.refuse_compromised),
            new: None,
        }
    }

    /// The rules, with model names resolved against the imported metadata;
    /// a sentence when something does not parse.
    async fn rules(&self, policies: &Policies) -> Result<PolicyRules, String> {
        let min_certification = match self.min_certification.trim() {
            "" => None,
            l => Some(
                CertificationLevel::parse(l)
                    .ok_or_else(|| msg("console-policy-bad-certification").to_owned())?,
            ),
        };
        let mut allowed_aaguids = Vec::new();
        for model in self.models.lines().map(str::trim).filter(|m| !m.is_empty()) {
            match policies.resolve_model(model).await {
                Ok(found) => allowed_aaguids.extend(found),
                Err(AccountsError::InvalidInput { message, .. }) => {
                    return Err(format!("Allowed models: {model:?}: {message}"));
                }
                Err(e) => return Err(e.to_string()),
            }
        }
        allowed_aaguids.sort();
        allowed_aaguids.dedup();
        Ok(PolicyRules {
            require_attestation: self.require_attestation.is_some(),
            device_bound: self.device_bound.is_some(),
            allowed_aaguids,
            min_certification,
            refuse_compromised: self.refuse_compromised.is_some(),
        })
    }
}

/// The dry run of a create or an edit, with the confirm form.
#[derive(Debug, Template)]
#[template(path = "admin/policy_preview.html")]
pub struct PolicyPreviewPage {
    pub chrome: Chrome,
    pub me: String,
    pub name: String,
    pub creating: bool,
    pub rules: String,
    pub changes: Vec<Fact>,
    pub needs_approval: bool,
    pub facts: Vec<Fact>,
    pub affected: Vec<AffectedRow>,
    /// The proposed rules, carried by the confirm form.
    pub form: RulesForm,
}

pub(crate) fn policies(state: &AppState) -> Policies {
    Policies::new(state.db.clone(), state.audit.clone(), state.clock.clone())
}

/// The operations as the acting administrator makes them: audited with
/// their address and the passkey of their step-up.
pub(crate) fn policies_by(state: &AppState, req: &HttpRequest, console: &Console) -> Policies {
    policies(state).acting_from(&client::ip(req), console.me.data.credential.as_deref())
}

pub(crate) fn html(status: StatusCode, page: &impl Template) -> Result<HttpResponse, WebError> {
    let body = page.render().map_err(|e| WebError::Internal(Box::new(e)))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

fn see_other(to: String) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn encoded(name: &str) -> String {
    url::form_urlencoded::byte_serialize(name.as_bytes()).collect()
}

/// Whether the form edits an existing policy; a sentence when the new-policy
/// form names a taken name, or the edit form a policy that is gone.
async fn existing(ops: &Policies, form: &RulesForm) -> Result<Result<bool, String>, WebError> {
    let exists = ops.list().await?.iter().any(|p| p.name == form.name.trim());
    Ok(match (form.new.is_some(), exists) {
        (true, true) => Err(msg("console-policy-name-taken").to_owned()),
        (false, false) => Err(msg("console-policy-no-such").to_owned()),
        (new, _) => Ok(!new),
    })
}

/// A refused form shown again where it came from, with why.
async fn refused_again(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    form: RulesForm,
    error: String,
    editing: bool,
) -> Result<HttpResponse, WebError> {
    if editing {
        let page = crate::policies::policy_page(
            req,
            state,
            console,
            &form.name.clone(),
            Some(form),
            Some(error),
            "",
        )
        .await?;
        html(StatusCode::BAD_REQUEST, &page)
    } else {
        let page = crate::policies::list_page(req, state, console, form, Some(error)).await?;
        html(StatusCode::BAD_REQUEST, &page)
    }
}

/// The dry run of the rules in the form: for a new policy over every
/// enabled account (it applies to nothing yet), for an existing one over
/// the accounts it applies to today. Nothing is saved.
#[post("/policies/preview")]
pub async fn post_preview(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RulesForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/policies", ADMINS_ONLY).await?;
    let form = form.into_inner();
    let ops = policies(&state);
    let exists = match existing(&ops, &form).await? {
        Ok(exists) => exists,
        Err(e) => return refused_again(&req, &state, &console, form, e, false).await,
    };
    let rules = match form.rules(&ops).await {
        Ok(r) => r,
        Err(e) => return refused_again(&req, &state, &console, form, e, exists).await,
    };
    let proposal = match ops.preview(&form.name, rules).await {
        Ok(p) => p,
        Err(AccountsError::InvalidInput { message, .. }) => {
            return refused_again(&req, &state, &console, form, message.to_owned(), exists).await;
        }
        Err(e) => return Err(e.into()),
    };
    let report = &proposal.report;
    let chrome = Chrome::console(&req).await;
    let l = chrome.locale;
    let page = PolicyPreviewPage {
        chrome,
        me: crate::approvals::username(&state, &console).await?,
        name: proposal.policy.clone(),
        creating: proposal.current.is_none(),
        rules: describe(l, &proposal.proposed),
        changes: comparison_facts(
            l,
            &proposal.comparison,
            proposal.current.as_ref().unwrap_or(&PolicyRules::default()),
            &proposal.proposed,
        ),
        needs_approval: proposal.needs_approval(),
        facts: vec![
            Fact {
                label: msg("console-policy-would-apply"),
                value: report.users.to_string(),
            },
            Fact {
                label: msg("console-policy-would-lock-out"),
                value: report.users_locked_out.to_string(),
            },
            Fact {
                label: msg("console-policy-would-refuse"),
                value: report.failing_credentials.to_string(),
            },
        ],
        affected: affected_rows(l, report),
        form: RulesForm {
            new: form.new.clone(),
            ..RulesForm::of(&proposal.policy, &proposal.proposed)
        },
    };
    html(StatusCode::OK, &page)
}

/// Saves the confirmed rules: a new policy is created, a change that
/// relaxes nothing is saved, and a weakening opens a request for approval.
#[post("/policies/save")]
pub async fn post_save(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<RulesForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let console = access::admin_page_to(&req, &state, "/admin/policies", ADMINS_ONLY).await?;
    let form = form.into_inner();
    let ops = policies(&state);
    let exists = match existing(&ops, &form).await? {
        Ok(exists) => exists,
        Err(e) => return refused_again(&req, &state, &console, form, e, false).await,
    };
    let rules = match form.rules(&ops).await {
        Ok(r) => r,
        Err(e) => return refused_again(&req, &state, &console, form, e, exists).await,
    };
    let actor = console.me.user_id().to_string();
    let ops = policies_by(&state, &req, &console);
    let page = format!("/admin/policies/{}", encoded(form.name.trim()));
    let saved = if exists {
        ops.update(&form.name, rules, &actor).await.map(|_| ())
    } else {
        ops.create(&form.name, rules, &actor).await.map(|_| ())
    };
    match saved {
        Ok(()) => Ok(see_other(format!("{page}?done=saved"))),
        Err(AccountsError::NeedsApproval { change }) => {
            let id = state
                .accounts
                .request_policy_change(&console.me, change, &client::info(&req))
                .await?;
            Ok(see_other(format!("/admin/approvals/{id}")))
        }
        Err(AccountsError::InvalidInput { message, .. }) => {
            refused_again(&req, &state, &console, form, message.to_owned(), exists).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct TargetForm {
    csrf: String,
    /// `assign` or `unassign`.
    op: String,
    /// `group`, `tier`, `client` or `console`.
    kind: String,
    #[serde(default)]
    target: String,
}

fn target_of(kind: &str, target: &str) -> Result<PolicyTarget, String> {
    let target = target.trim();
    match kind {
        "group" if !target.is_empty() => Ok(PolicyTarget::Group(target.to_owned())),
        "tier" => match target {
            "standard" => Ok(PolicyTarget::Tier(AccountTier::Standard)),
            "elevated" => Ok(PolicyTarget::Tier(AccountTier::Elevated)),
            "critical" => Ok(PolicyTarget::Tier(AccountTier::Critical)),
            _ => Err(msg("console-policy-bad-tier").to_owned()),
        },
        "client" => ClientId::parse(target)
            .map(PolicyTarget::Client)
            .map_err(|_| msg("console-policy-bad-client").to_owned()),
        "console" => Ok(PolicyTarget::Console),
        _ => Err(msg("console-policy-bad-target").to_owned()),
    }
}

/// Attaches the policy to a target (replacing the target's policy) or
/// takes it off. Assigning a policy, or replacing one by a policy that
/// relaxes nothing, is saved at once; unassigning (or replacing by a
/// weaker policy) opens a request for approval.
#[post("/policies/{name}/targets")]
pub async fn post_target(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    form: web::Form<TargetForm>,
) -> Result<HttpResponse, WebError> {
    csrf::verify(&req, Some(&form.csrf), &state.origin)?;
    let name = path.into_inner();
    let page = format!("/admin/policies/{}", encoded(&name));
    let console = access::admin_page_to(&req, &state, &page, ADMINS_ONLY).await?;
    let ops = policies(&state);
    let Some(policy) = ops.list().await?.into_iter().find(|p| p.name == name) else {
        return Err(WebError::NotFound);
    };
    let actor = console.me.user_id().to_string();
    let ops = policies_by(&state, &req, &console);
    let result = match target_of(&form.kind, &form.target) {
        Err(e) => Err(e),
        Ok(target) => {
            let outcome = match form.op.as_str() {
                "assign" if target == PolicyTarget::Console => {
                    // Never lock the acting administrator out of the console.
                    match state
                        .accounts
                        .console_gate_under(&console.me, &name)
                        .await?
                    {
                        Some(refusal) => Err(AccountsError::PolicyRefused {
                            policy: refusal.policy,
                            violations: refusal.violations,
                        }),
                        None => ops.assign(&name, target, &actor).await,
                    }
                }
                "assign" => ops.assign(&name, target, &actor).await,
                "unassign" => match ops.policy_of(target.clone()).await {
                    Ok(Some(current)) if current == name => ops.unassign(target, &actor).await,
                    Ok(_) => Err(AccountsError::NotFound("this policy on that target")),
                    Err(e) => Err(e),
                },
                _ => return Err(WebError::BadRequest("Choose assign or unassign.".into())),
            };
            match outcome {
                Ok(()) => Ok("targets"),
                Err(AccountsError::NeedsApproval { change }) => {
                    let id = state
                        .accounts
                        .request_policy_change(&console.me, change, &client::info(&req))
                        .await?;
                    return Ok(see_other(format!("/admin/approvals/{id}")));
                }
                Err(AccountsError::NotFound(what)) => Err(format!("{what} was not found.")),
                Err(e @ AccountsError::PolicyRefused { .. }) => Err(format!(
                    "The passkey of your step-up does not meet this policy, so assigning it to the console would lock you out: {e}"
                )),
                Err(AccountsError::InvalidInput { message, .. }) => Err(message.to_owned()),
                Err(e) => return Err(e.into()),
            }
        }
    };
    match result {
        Ok(done) => Ok(see_other(format!("{page}?done={done}"))),
        Err(error) => {
            let shown = crate::policies::policy_page(
                &req,
                &state,
                &console,
                &policy.name,
                None,
                Some(error),
                "",
            )
            .await?;
            html(StatusCode::BAD_REQUEST, &shown)
        }
    }
}

/// The report as CSV, for a spreadsheet.
#[get("/policies/{name}/report.csv")]
pub async fn get_report_csv(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, WebError> {
    access::admin_page(&req, &state, ADMINS_ONLY).await?;
    let report = match policies(&state).report(&path).await {
        Ok(r) => r,
        Err(AccountsError::NotFound(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let file = format!(
        "attachment; filename=\"policy-{}-report.csv\"",
        report
            .policy
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            .collect::<String>()
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, file))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(crate::policies::report_csv(&report)))
}
