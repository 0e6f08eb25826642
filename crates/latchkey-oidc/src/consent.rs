//! Consent: what a user allowed a third-party client, granted from the
//! consent page and withdrawn from the account page. Both are audited in the
//! transaction that makes the change; withdrawing ends what the client holds
//! for the user through [`crate::refresh`], like every other revocation.

use std::collections::BTreeSet;

use latchkey_core::{AuditEventKind, ClientId, UserId};
use latchkey_store::audit::NewAuditEvent;
use latchkey_store::{StoreError, consents, write_transaction};

use crate::provider::Provider;
use crate::refresh::{self, RefreshError};

impl Provider {
    /// Records that `user` allowed `client` these scopes (added to what was
    /// allowed before), audited as `consent.granted` from `ip`.
    pub async fn grant_consent(
        &self,
        user: UserId,
        client: &ClientId,
        scopes: &BTreeSet<String>,
        ip: &str,
    ) -> Result<(), StoreError> {
        let (audit, now, ip) = (self.audit(), self.now(), ip.to_owned());
        let (cid, scopes) = (client.clone(), scopes.clone());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    let all = consents::grant(c, user, &cid, &scopes, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::ConsentGranted)
                            .actor(user)
                            .subject(user)
                            .ip(ip)
                            .detail(
                                serde_json::json!({ "client_id": cid.as_str(), "scopes": all }),
                            ),
                    )
                })
            })
            .await
            .map(drop)
    }

    /// Withdraws the consent `user` gave `client` and ends what the client
    /// holds for the user: its refresh-token families (each audited) and
    /// every access token, those issued under the families included.
    /// Audited as `consent.revoked` from `ip`. Whether there was a consent.
    pub async fn withdraw_consent(
        &self,
        user: UserId,
        client: &ClientId,
        ip: &str,
    ) -> Result<bool, StoreError> {
        let (audit, now, ip, cid) = (self.audit(), self.now(), ip.to_owned(), client.clone());
        self.db()
            .run(move |c| {
                write_transaction(c, |c| {
                    if !consents::revoke(c, user, &cid)? {
                        return Ok(false);
                    }
                    let families =
                        refresh::revoke_families_of_user_client(c, &audit, user, &cid, now)
                            .map_err(RefreshError::into_store)?;
                    // Every access token the client holds for the user.
                    crate::revocation::revoke_user_client(c, user, &cid, now)?;
                    audit.append(
                        c,
                        now,
                        &NewAuditEvent::new(AuditEventKind::ConsentRevoked)
                            .actor(user)
                            .subject(user)
                            .ip(ip)
                            .detail(serde_json::json!({
                                "client_id": cid.as_str(),
                                "refresh_families_revoked": families.families.len(),
                            })),
                    )?;
                    Ok(true)
                })
            })
            .await
    }
}
