//! Attestation policies in the console (administrators only): each
//! policy's rules, where it applies and what it refuses today (the report
//! of `latchkey policy report`, through the same operation, also as CSV),
//! and the status of the imported FIDO metadata. The forms that change
//! policies post to [`crate::policy_forms`].

use actix_web::{HttpRequest, get, web};
use askama::Template;
use askama_web::WebTemplate;
use latchkey_accounts::{AccountsError, Policies};
use latchkey_passkey::PolicyRules;
use latchkey_store::authenticator_metadata;
use latchkey_web::chrome::Chrome;
use latchkey_web::error::WebError;
use latchkey_web::state::AppState;
use serde::Deserialize;

use crate::access::{self, Console};
use crate::policy_forms::RulesForm;
use crate::views::{Fact, when};
use latchkey_i18n::{Arg, Locale, msg};

const ADMINS_ONLY: &str = "Attestation policies are for administrators.";

/// A policy in the list, with today's report.
#[derive(Debug)]
pub struct PolicyRow {
    pub name: String,
    pub rules: String,
    pub users: usize,
    pub locked_out: usize,
    pub failing: usize,
}

/// An account the policy refuses a passkey of.
#[derive(Debug)]
pub struct AffectedRow {
    pub id: String,
    pub username: String,
    pub compliant: usize,
    pub failing: Vec<String>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/policies.html")]
pub struct PoliciesPage {
    pub chrome: Chrome,
    pub me: String,
    pub metadata: Vec<Fact>,
    pub metadata_warning: Option<String>,
    pub rows: Vec<PolicyRow>,
    /// The new-policy form.
    pub form: RulesForm,
    pub error: Option<String>,
}

#[derive(Debug, Template, WebTemplate)]
#[template(path = "admin/policy.html")]
pub struct PolicyPage {
    pub chrome: Chrome,
    pub me: String,
    pub name: String,
    pub rules: String,
    pub facts: Vec<Fact>,
    pub affected: Vec<AffectedRow>,
    pub targets: Vec<latchkey_accounts::TargetView>,
    /// The edit form.
    pub form: RulesForm,
    pub flash: Option<String>,
    pub error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    #[serde(default)]
    done: String,
}

fn flash(done: &str) -> Option<&'static str> {
    match done {
        "saved" => Some(msg("console-policy-saved")),
        "targets" => Some(msg("console-policy-targets-saved")),
        _ => None,
    }
}

/// The accounts a report names, as the pages list them.
pub fn affected_rows(l: Locale, report: &latchkey_accounts::PolicyReport) -> Vec<AffectedRow> {
    report
        .affected
        .iter()
        .map(|u| AffectedRow {
            id: u.id.to_string(),
            username: u.username.clone(),
            compliant: u.compliant,
            failing: u
                .failing
                .iter()
                .map(|c| {
                    let why: Vec<String> = c
                        .violations
                        .iter()
                        .map(|v| latchkey_web::policy_text::violation(l, v).1)
                        .collect();
                    format!("{}: {}", c.label, why.join(" "))
                })
                .collect(),
        })
        .collect()
}

/// The rules in words, in `l`.
pub fn describe(l: Locale, rules: &PolicyRules) -> String {
    let mut parts = Vec::new();
    if rules.require_attestation {
        parts.push(l.t(msg("console-rules-attested")));
    }
    parts.push(l.t(if rules.device_bound {
        msg("console-rules-device-bound")
    } else {
        msg("console-rules-synced-allowed")
    }));
    if !rules.allowed_aaguids.is_empty() {
        parts.push(l.format(
            msg("console-rules-models"),
            &[("n", Arg::from(rules.allowed_aaguids.len()))],
        ));
    }
    if let Some(level) = rules.min_certification {
        parts.push(l.format(
            msg("console-rules-certification"),
            &[("level", Arg::from(level.as_str()))],
        ));
    }
    if rules.refuse_compromised {
        parts.push(l.t(msg("console-rules-compromised-refused")));
    }
    parts.join(&l.t(msg("console-list-joiner")))
}

/// A refusal shown on a policy page: a message key of the catalogue (this
/// crate's own refusals), else a sentence of the domain, shown as it is.
fn said(l: Locale, error: String) -> String {
    if l.has(&error) { l.t(&error) } else { error }
}

/// The report as CSV: a header, then one record per passkey that does not
/// comply (and one per account in scope without any passkey). Cells a
/// spreadsheet would run as formulas are defused as in the audit export.
pub fn report_csv(r: &latchkey_accounts::PolicyReport) -> String {
    use crate::audit_export::csv_cell;
    let mut out = String::from(
        "policy,account_id,username,complying_passkeys,refused,passkey_id,passkey_label,aaguid,rules_broken,what_would_comply\n",
    );
    let mut line = |cells: [String; 10]| {
        let cells: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    };
    for u in &r.affected {
        let head = |c: Option<&latchkey_accounts::ReportedCredential>| {
            [
                r.policy.clone(),
                u.id.to_string(),
                u.username.clone(),
                u.compliant.to_string(),
                u.locked_out().to_string(),
                c.map(|c| c.id.clone()).unwrap_or_default(),
                c.map(|c| c.label.clone()).unwrap_or_default(),
                c.and_then(|c| c.aaguid.clone()).unwrap_or_default(),
                c.map(|c| {
                    let codes: Vec<&str> = c.violations.iter().map(|v| v.rule.code()).collect();
                    codes.join(" ")
                })
                .unwrap_or_default(),
                c.map(|c| {
                    let why: Vec<String> = c.violations.iter().map(|v| v.required.text()).collect();
                    why.join(" ")
                })
                .unwrap_or_else(|| "Register a passkey that complies.".to_owned()),
            ]
        };
        if u.failing.is_empty() {
            line(head(None));
        }
        for c in &u.failing {
            line(head(Some(c)));
        }
    }
    out
}

fn policies(state: &AppState) -> Policies {
    Policies::new(state.db.clone(), state.audit.clone(), state.clock.clone())
}

#[get("/policies")]
pub async fn get_policies(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<PoliciesPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    list_page(&req, &state, &console, RulesForm::default(), None).await
}

/// The list, with the new-policy form (`form`, refused for `error`).
pub(crate) async fn list_page(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    form: RulesForm,
    error: Option<String>,
) -> Result<PoliciesPage, WebError> {
    let chrome = Chrome::console(req).await;
    let l = chrome.locale;
    let ops = policies(state);
    let mut rows = Vec::new();
    for p in ops.list().await? {
        let report = ops.report(&p.name).await?;
        rows.push(PolicyRow {
            rules: describe(l, &p.rules),
            name: p.name,
            users: report.users,
            locked_out: report.users_locked_out,
            failing: report.failing_credentials,
        });
    }
    let blob = state.db.run(authenticator_metadata::last_blob).await?;
    let now = state.clock.now();
    let (metadata, metadata_warning) = match blob {
        None => (Vec::new(), Some(l.t(msg("console-metadata-missing")))),
        Some(b) => (
            vec![
                Fact {
                    label: msg("console-metadata-serial"),
                    value: b.serial.to_string(),
                },
                Fact {
                    label: msg("console-metadata-imported"),
                    value: when(b.imported_at),
                },
                Fact {
                    label: msg("console-metadata-next-update"),
                    value: when(b.next_update),
                },
                Fact {
                    label: msg("console-metadata-models"),
                    value: b.entries.to_string(),
                },
            ],
            (b.next_update < now).then(|| l.t(msg("console-metadata-stale"))),
        ),
    };
    Ok(PoliciesPage {
        chrome,
        me: crate::approvals::username(state, console).await?,
        metadata,
        metadata_warning,
        rows,
        form,
        error: error.map(|e| said(l, e)),
    })
}

#[get("/policies/{name}")]
pub async fn get_policy(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<DoneQuery>,
) -> Result<PolicyPage, WebError> {
    let console = access::admin_page(&req, &state, ADMINS_ONLY).await?;
    policy_page(&req, &state, &console, &path, None, None, &q.done).await
}

/// One policy: its rules, targets and report, with the edit form (`form`,
/// refused for `error`) and the target forms.
pub(crate) async fn policy_page(
    req: &HttpRequest,
    state: &AppState,
    console: &Console,
    name: &str,
    form: Option<RulesForm>,
    error: Option<String>,
    done: &str,
) -> Result<PolicyPage, WebError> {
    let ops = policies(state);
    let Some(policy) = ops.list().await?.into_iter().find(|p| p.name == name) else {
        return Err(WebError::NotFound);
    };
    let report = match ops.report(&policy.name).await {
        Ok(r) => r,
        Err(AccountsError::NotFound(_)) => return Err(WebError::NotFound),
        Err(e) => return Err(e.into()),
    };
    let chrome = Chrome::console(req).await;
    let l = chrome.locale;
    Ok(PolicyPage {
        me: crate::approvals::username(state, console).await?,
        rules: describe(l, &policy.rules),
        facts: vec![
            Fact {
                label: msg("console-policy-applies"),
                value: report.users.to_string(),
            },
            Fact {
                label: msg("console-policy-locked-out"),
                value: report.users_locked_out.to_string(),
            },
            Fact {
                label: msg("console-policy-refuses"),
                value: report.failing_credentials.to_string(),
            },
        ],
        affected: affected_rows(l, &report),
        targets: ops.targets(&policy.name).await?,
        form: form.unwrap_or_else(|| RulesForm::of(&policy.name, &policy.rules)),
        flash: flash(done).map(|k| l.t(k)),
        error: error.map(|e| said(l, e)),
        name: policy.name,
        chrome,
    })
}
