//! What the admin console records beside the operations it calls: a
//! refused attempt to use it, and an export of the audit log (before the
//! export's first byte). Both are audit events, appended here so that the
//! console itself only parses, calls and renders.

use latchkey_core::{AuditEventKind, UserId};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::write_transaction;

use crate::error::AccountsError;
use crate::service::Accounts;

impl Accounts {
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
