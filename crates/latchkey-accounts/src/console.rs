//! What the admin console records beside the operations it calls: a
//! refused attempt to use it, and an export of the audit log (before the
//! export's first byte). Both are audit events, appended here so that the
//! console itself only parses, calls and renders.

use latchkey_core::{AuditEventKind, UserId};
use latchkey_passkey::PolicyRules;
use latchkey_passkey::policy::{AttestationPolicy, Finding, Requirement, Rule, Violation};
use latchkey_store::attestation_policies::{self as stored, CONSOLE_TARGET, TargetKind};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::{DbConnection, StoreError, credentials, write_transaction};

use crate::error::AccountsError;
use crate::policies::{Models, evaluate_stored, rules_of};
use crate::service::{Accounts, ActiveSession};

/// The name the console's default policy goes by when none is assigned.
pub const CONSOLE_DEFAULT_POLICY: &str = "console default";

/// The console's policy when none is assigned to it: a device-bound
/// passkey (user verification is required by every ceremony anyway).
/// Attestation is not in it: passkeys registered before the metadata was
/// imported can never become attested, and the default must not lock every
/// administrator out the day the metadata arrives. Assign a policy to the
/// console to demand more.
pub fn console_default_policy() -> AttestationPolicy {
    AttestationPolicy {
        name: CONSOLE_DEFAULT_POLICY.to_owned(),
        rules: PolicyRules {
            device_bound: true,
            ..PolicyRules::default()
        },
    }
}

/// A console step-up refused by the console's policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsoleRefusal {
    pub policy: String,
    pub violations: Vec<Violation>,
}

impl ConsoleRefusal {
    /// What is needed, as a sentence for the refusal page.
    pub fn sentence(&self) -> String {
        let mut out = format!(
            "The admin console needs a step-up with a passkey that meets its attestation policy \"{}\".",
            self.policy
        );
        for v in &self.violations {
            out.push_str(&format!(" {} {}", v.found.text(), v.required.text()));
        }
        out
    }
}

fn console_gate(
    conn: &mut DbConnection,
    user: UserId,
    credential: Option<&str>,
    instead: Option<&str>,
) -> Result<Result<Option<ConsoleRefusal>, AccountsError>, StoreError> {
    let stored_policy = match instead {
        Some(name) => Some(
            stored::find_by_name(conn, name)?
                .ok_or(StoreError::NotFound("the attestation policy"))?,
        ),
        None => stored::for_target(conn, TargetKind::Console, CONSOLE_TARGET)?,
    };
    let policy = match stored_policy {
        Some(p) => match rules_of(&p) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        },
        None => console_default_policy(),
    };
    let used = credential
        .and_then(|id| latchkey_core::CredentialId::parse(id).ok())
        .map(|id| credentials::find_active(conn, id))
        .transpose()?
        .flatten()
        .filter(|c| c.user_id == user.to_string());
    let violations = match &used {
        Some(c) => evaluate_stored(conn, &mut Models::default(), &policy, c)?
            .violations()
            .to_vec(),
        None => vec![Violation {
            rule: Rule::AttestationRequired,
            found: Finding::StepUpNotRegistered,
            required: Requirement::OwnPasskey,
        }],
    };
    if violations.is_empty() {
        return Ok(Ok(None));
    }
    Ok(Ok(Some(ConsoleRefusal {
        policy: policy.name,
        violations,
    })))
}

impl Accounts {
    /// Whether the passkey of the session's step-up meets the console's
    /// attestation policy (the one assigned to the console, or
    /// [`console_default_policy`]), with today's metadata: `Some` says why
    /// not.
    pub async fn console_gate(
        &self,
        me: &ActiveSession,
    ) -> Result<Option<ConsoleRefusal>, AccountsError> {
        let (user, credential) = (me.user_id(), me.data.credential.clone());
        self.db()
            .run(move |c| console_gate(c, user, credential.as_deref(), None))
            .await?
    }

    /// Whether the passkey of the session's step-up would meet the policy
    /// `name` were it the console's: assigning the console a policy the
    /// acting administrator's own passkey fails would lock them out.
    pub async fn console_gate_under(
        &self,
        me: &ActiveSession,
        name: &str,
    ) -> Result<Option<ConsoleRefusal>, AccountsError> {
        let (user, credential) = (me.user_id(), me.data.credential.clone());
        let name = name.to_owned();
        self.db()
            .run(move |c| console_gate(c, user, credential.as_deref(), Some(&name)))
            .await
            .map_err(|e| match e {
                StoreError::NotFound(what) => AccountsError::NotFound(what),
                e => e.into(),
            })?
    }

    /// A signed-in account was refused the console page `path` for
    /// `reason` (`console.refused`).
    pub async fn record_console_refusal(
        &self,
        user: UserId,
        ip: &str,
        path: &str,
        reason: &str,
    ) -> Result<(), AccountsError> {
        self.append(
            NewAuditEvent::new(AuditEventKind::ConsoleRefused)
                .actor(user)
                .ip(ip)
                .detail(serde_json::json!({ "reason": reason, "path": path })),
        )
        .await
    }

    /// An administrator exports the audit log range `filter` (its query
    /// string) as `format` (`audit.exported`).
    pub async fn record_audit_export(
        &self,
        admin: UserId,
        ip: &str,
        format: &str,
        filter: &str,
    ) -> Result<(), AccountsError> {
        self.append(
            NewAuditEvent::new(AuditEventKind::AuditExported)
                .actor(admin)
                .ip(ip)
                .detail(serde_json::json!({ "format": format, "filter": filter })),
        )
        .await
    }

    async fn append(&self, event: NewAuditEvent) -> Result<(), AccountsError> {
        let (audit, now) = (self.audit(), self.now());
        self.db()
            .run(move |c| write_transaction(c, |c| audit.append(c, now, &event).map(drop)))
            .await?;
        Ok(())
    }
}
