//! The client operations of the admin console, on the provider: each runs
//! the same function as the `latchkey client …` command, in the database
//! pool, audited with the administrator as [`ChangedBy`]. Who may call them
//! (the admin role, a fresh step-up) is the console's access check.

use chrono::Duration;
use latchkey_core::{ClientId, PlainToken};
use latchkey_store::StoreError;

use super::{
    ChangedBy, ClientRegistration, ClientUpdate, RegisteredClient, RegistrationError, RotateError,
    RotatedSecret, find, list, register_publishing_key, rotate_secret, update,
};
use crate::provider::Provider;

impl Provider {
    /// Every client, oldest first.
    pub async fn clients(&self) -> Result<Vec<RegisteredClient>, StoreError> {
        self.db().run(list).await
    }

    /// The client with this id, enabled or not.
    pub async fn client(&self, id: &ClientId) -> Result<Option<RegisteredClient>, StoreError> {
        let id = id.clone();
        self.db().run(move |c| find(c, &id)).await
    }

    /// Registers a client and publishes a key of its ID token algorithm
    /// (then reloads this node's key ring, so it signs with it at once).
    pub async fn register_client(
        &self,
        by: ChangedBy,
        reg: ClientRegistration,
    ) -> Result<(ClientId, Option<PlainToken>), RegistrationError> {
        let (audit, master, now, keys) = (
            self.audit(),
            self.master().clone(),
            self.now(),
            self.keys().clone(),
        );
        self.db()
            .run(move |c| {
                let created = register_publishing_key(c, &audit, &master, by, &reg, now);
                if created.is_ok() {
                    keys.reload(c, &master, now)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                }
                Ok(created)
            })
            .await?
    }

    /// Changes a client's settings (`None`: no such client).
    pub async fn update_client(
        &self,
        by: ChangedBy,
        id: &ClientId,
        new: ClientUpdate,
    ) -> Result<Option<RegisteredClient>, RegistrationError> {
        let (audit, now, id) = (self.audit(), self.now(), id.clone());
        self.db()
            .run(move |c| Ok(update(c, &audit, by, &id, &new, now)))
            .await?
    }

    /// Gives a confidential client a new secret; the current one works for
    /// `overlap`.
    pub async fn rotate_client_secret(
        &self,
        by: ChangedBy,
        id: &ClientId,
        overlap: Duration,
    ) -> Result<RotatedSecret, RotateError> {
        let (audit, now, id) = (self.audit(), self.now(), id.clone());
        self.db()
            .run(move |c| Ok(rotate_secret(c, &audit, by, &id, overlap, now)))
            .await?
    }

    /// Disables (ending every grant) or enables a client; whether its state
    /// changed.
    pub async fn set_client_disabled(
        &self,
        by: ChangedBy,
        id: &ClientId,
        disabled: bool,
    ) -> Result<bool, StoreError> {
        let (audit, now, id) = (self.audit(), self.now(), id.clone());
        self.db()
            .run(move |c| {
                if disabled {
                    Ok(super::disable(c, &audit, by, &id, now)?.is_some())
                } else {
                    super::enable(c, &audit, by, &id, now)
                }
            })
            .await
    }
}
