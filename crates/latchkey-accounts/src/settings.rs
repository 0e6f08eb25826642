//! Instance settings changed at run time by an administrator from the
//! console (`latchkey_store::live_settings`): self sign-up on or off. Each
//! change is audited (`setting.changed`, old and new value) in the
//! transaction that stores it; the flows read the stored value at each use.

use latchkey_core::{AuditEventKind, Role};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::live_settings::{LiveSettings, SELF_SIGNUP};
use latchkey_store::{users, write_transaction};
use serde_json::json;

use crate::ceremony::ClientInfo;
use crate::error::AccountsError;
use crate::service::{Accounts, ActiveSession};

impl Accounts {
    /// Opens or closes self sign-up on behalf of the administrator signed
    /// in as `me` (fresh step-up; the admin role checked in the
    /// transaction). `Ok(false)` when it was so already (nothing recorded).
    pub async fn set_self_signup(
        &self,
        me: &ActiveSession,
        open: bool,
        client: &ClientInfo,
    ) -> Result<bool, AccountsError> {
        self.require_step_up(me)?;
        let admin = me.user_id();
        let (audit, now, settings) = (self.audit(), self.now(), self.settings().clone());
        let (ip, request_id) = (client.ip.clone(), client.request_id.clone());
        let changed = self
            .db()
            .run(move |c| {
                write_transaction(c, |c| {
                    let caller = users::find(c, admin)?;
                    let roles = users::roles(c, admin)?;
                    if caller.is_none_or(|u| u.is_disabled())
                        || !roles.iter().any(|r| r == Role::Admin.as_str())
                    {
                        return Ok(Err(AccountsError::AdminRequired));
                    }
                    let old = settings.self_signup_in(c)?;
                    if old == open {
                        return Ok(Ok(false));
                    }
                    LiveSettings::set_self_signup_in(c, open, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::SettingChanged)
                            .actor(admin)
                            .subject(SELF_SIGNUP)
                            .ip(&ip)
                            .request_id(request_id.as_deref())
                            .detail(json!({ "setting": "self_signup", "old": old, "new": open })),
                    )?;
                    Ok(Ok(true))
                })
            })
            .await??;
        self.settings().forget();
        Ok(changed)
    }
}
