//! Signing in with a discoverable passkey (autofill or modal).

use latchkey_core::{Acr, Amr, UserId};
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use webauthn_rs::prelude::{
    AuthenticationResult, Credential, DiscoverableAuthentication, Passkey, PublicKeyCredential,
    WebauthnError,
};

use crate::assurance::{KeyStorage, acr_for, amr_for};
use crate::client_data;
use crate::config::RelyingParty;
use crate::error::PasskeyError;
use crate::wire;

/// The server-side state of a sign-in in progress: keep it in the session
/// store (single use, 5-minute expiry), never in the browser. Nothing here
/// remembers that a state was used; the single-use `take` of the store is
/// what stops a replay.
#[derive(Debug, Serialize, Deserialize)]
pub struct AuthenticationState(DiscoverableAuthentication);

/// Who a sign-in response claims to be, before it is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identified {
    /// From the response's user handle. Unverified until `finish_authentication`.
    pub user_id: UserId,
    /// The WebAuthn credential id presented.
    pub credential_id: Vec<u8>,
}

/// A stored passkey, as the caller loaded it by the presented credential id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    /// The account the passkey was registered to.
    pub owner: UserId,
    pub passkey_json: String,
    /// The highest signature counter seen so far.
    pub sign_count: u32,
    /// Whether its registration carried a verified attestation.
    pub attested: bool,
}

/// A verified sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthOutcome {
    pub user_id: UserId,
    pub credential_id: Vec<u8>,
    /// The passkey with its counter and backup state brought up to date:
    /// store it back along with `sign_count`.
    pub passkey_json: String,
    /// Whether `passkey_json` differs from the stored one.
    pub passkey_changed: bool,
    pub sign_count: u32,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub user_verified: bool,
    pub acr: Acr,
    pub amr: Vec<Amr>,
}

impl AuthOutcome {
    pub fn key_storage(&self) -> KeyStorage {
        KeyStorage::from_backup_eligible(self.backup_eligible)
    }
}

impl RelyingParty {
    /// Starts a discoverable sign-in (user verification required). The JSON
    /// is a `RequestChallengeResponse` with an empty `allowCredentials` and
    /// `"mediation": "conditional"`: pass it as is to a conditional (autofill)
    /// `get()`; for the modal button drop `mediation`.
    pub fn start_authentication(
        &self,
    ) -> Result<(serde_json::Value, AuthenticationState), PasskeyError> {
        let (mut rcr, state) = self.webauthn.start_discoverable_authentication()?;
        // `uvm` was removed in WebAuthn Level 3 (see `registration`).
        if let Some(extensions) = rcr.public_key.extensions.as_mut() {
            extensions.uvm = None;
        }
        let options = serde_json::to_value(&rcr)
            .map_err(|e| PasskeyError::internal("the request options did not serialise.", e))?;
        Ok((options, AuthenticationState(state)))
    }

    /// Reads who a sign-in response claims to be, so the caller can load the
    /// presented passkey (by credential id) before verifying it. Nothing is
    /// verified here.
    pub fn identify(&self, response_json: &str) -> Result<Identified, PasskeyError> {
        let response = wire::parse_assertion(response_json)?;
        let user_id = user_handle(&response)?;
        Ok(Identified {
            user_id,
            credential_id: response.raw_id.clone(),
        })
    }

    /// Verifies a sign-in response against `state` and the stored passkey.
    ///
    /// Security invariants enforced here:
    /// - **A credential is bound to its user.** The user handle in the
    ///   response must equal `stored.owner`; a credential presented with
    ///   another user's handle is refused (`UserHandleMismatch`), so one user
    ///   can never sign in as another with their own passkey. The caller
    ///   must load `stored` by the presented credential id, not by the
    ///   claimed user.
    /// - **Counters only go up.** When the stored counter is above zero and
    ///   the presented one is not greater, the sign-in is refused
    ///   (`CounterRegression`: the key may have been cloned). Passkeys whose
    ///   counter stays at zero (most synced ones) are not affected.
    /// - **The ceremony ran on a top-level page of a configured origin.**
    ///   The client data's `origin` must be exactly a configured origin, not
    ///   `crossOrigin: true`, without a foreign `topOrigin`
    ///   (`client_data::check`; webauthn-rs checks none of these exactly).
    /// - Challenge, RP ID hash, user presence and verification, signature
    ///   and backup-flag consistency are verified by webauthn-rs.
    pub fn finish_authentication(
        &self,
        response_json: &str,
        state: AuthenticationState,
        stored: &StoredPasskey,
    ) -> Result<AuthOutcome, PasskeyError> {
        let response = wire::parse_assertion(response_json)?;
        let credential = self.presented_passkey(&response, stored)?;
        if user_handle(&response)? != stored.owner {
            return Err(PasskeyError::UserHandleMismatch);
        }
        let result =
            self.webauthn
                .finish_discoverable_authentication_v2(&response, state.0, &credential);
        conclude(result, credential, &response, stored)
    }

    /// The checks every assertion passes before webauthn-rs verifies it:
    /// the client data's origin (see [`client_data::check`]) and the
    /// presented credential being the stored passkey. Returns the passkey
    /// as webauthn-rs verifies it, with the caller's counter when that ran
    /// ahead of the copy inside the JSON.
    pub(crate) fn presented_passkey(
        &self,
        response: &PublicKeyCredential,
        stored: &StoredPasskey,
    ) -> Result<Credential, PasskeyError> {
        client_data::check(&response.response.client_data_json, self.config().origins())?;
        let passkey: Passkey = serde_json::from_str(&stored.passkey_json)
            .map_err(|e| PasskeyError::internal("the stored passkey could not be read.", e))?;
        if passkey.cred_id().as_slice() != response.raw_id.as_slice() {
            return Err(PasskeyError::UnknownCredential);
        }
        let mut credential = Credential::from(passkey);
        credential.counter = credential.counter.max(stored.sign_count);
        Ok(credential)
    }
}

/// What every assertion checks once webauthn-rs has verified (or refused)
/// it: counters only go up, the user was verified; and the passkey brought
/// up to date for the caller to store.
pub(crate) fn conclude(
    verified: Result<AuthenticationResult, WebauthnError>,
    credential: Credential,
    response: &PublicKeyCredential,
    stored: &StoredPasskey,
) -> Result<AuthOutcome, PasskeyError> {
    let stored_counter = credential.counter;
    let presented = || wire::assertion_counter(&response.response.authenticator_data);
    let result = match verified {
        Ok(result) => result,
        Err(WebauthnError::CredentialPossibleCompromise) => {
            return Err(PasskeyError::CounterRegression {
                stored: stored_counter,
                presented: presented().unwrap_or(0),
            });
        }
        Err(e) => return Err(e.into()),
    };
    // webauthn-rs already refuses this; kept so the invariant does not
    // depend on a library default.
    if stored_counter > 0 && result.counter() <= stored_counter {
        return Err(PasskeyError::CounterRegression {
            stored: stored_counter,
            presented: result.counter(),
        });
    }
    if !result.user_verified() {
        return Err(PasskeyError::UserVerificationMissing);
    }

    let mut passkey = Passkey::from(credential);
    let changed = passkey.update_credential(&result).unwrap_or(false);
    let passkey_json = serde_json::to_string(&passkey)
        .map_err(|e| PasskeyError::internal("the updated passkey did not serialise.", e))?;
    let storage = KeyStorage::from_backup_eligible(result.backup_eligible());
    Ok(AuthOutcome {
        user_id: stored.owner,
        credential_id: result.cred_id().clone(),
        passkey_changed: changed || passkey_json != stored.passkey_json,
        passkey_json,
        sign_count: result.counter().max(stored_counter),
        backup_eligible: result.backup_eligible(),
        backup_state: result.backup_state(),
        user_verified: result.user_verified(),
        acr: acr_for(storage, stored.attested),
        amr: amr_for(storage),
    })
}

/// The user handle of a discoverable sign-in: our 16-byte user id.
pub(crate) fn user_handle(response: &PublicKeyCredential) -> Result<UserId, PasskeyError> {
    let handle = response
        .get_user_unique_id()
        .filter(|h| !h.is_empty())
        .ok_or(PasskeyError::UserHandleMissing)?;
    Uuid::from_slice(handle)
        .map(UserId::from_uuid)
        .map_err(|_| PasskeyError::UnknownCredential)
}
