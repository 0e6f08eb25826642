//! Assertions bound to a decision: a user-verified authentication, limited
//! to one account's passkeys, whose WebAuthn challenge carries a 32-byte
//! binding chosen by the caller (the digest of what is being decided, e.g.
//! the approval of one guarded-action request).
//!
//! The challenge is `binding ‖ 16 random bytes`. The authenticator signs
//! over the client data, which contains the challenge, so a verified
//! assertion proves that its holder saw and confirmed exactly that binding:
//! the binding cannot be moved to another decision without a new signature.
//! The random half keeps every ceremony's challenge unique (WebAuthn asks
//! for at least 16 random bytes), even for two ceremonies over the same
//! binding.

use serde::{Deserialize, Serialize};
use webauthn_rs::prelude::{Passkey, PasskeyAuthentication};
use webauthn_rs_proto::CollectedClientData;

use crate::authentication::{AuthOutcome, StoredPasskey, conclude, user_handle};
use crate::config::RelyingParty;
use crate::error::PasskeyError;
use crate::wire;

/// Bytes of the caller's binding at the start of the challenge.
pub const BINDING_LEN: usize = 32;
/// Random bytes after the binding.
pub const NONCE_LEN: usize = 16;

/// The server-side state of a bound assertion in progress. Like every
/// ceremony state: session store only, single use, 5-minute expiry.
#[derive(Debug, Serialize, Deserialize)]
pub struct BoundAuthenticationState(PasskeyAuthentication);

/// A verified bound assertion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundOutcome {
    pub outcome: AuthOutcome,
    /// The first [`BINDING_LEN`] bytes of the challenge the authenticator
    /// signed over: the binding this assertion confirms.
    pub bound_digest: [u8; BINDING_LEN],
}

impl RelyingParty {
    /// Starts a user-verified authentication limited to `passkeys` (all of
    /// one account: `allowCredentials`), whose challenge is `binding`
    /// followed by [`NONCE_LEN`] random bytes. The JSON is a
    /// `RequestChallengeResponse` for a modal `get()`.
    ///
    /// webauthn-rs draws its own random challenge; it is replaced in both
    /// the options and the (serialised) state, keeping 16 of its random
    /// bytes after the binding.
    pub fn start_bound_authentication(
        &self,
        binding: &[u8; BINDING_LEN],
        passkeys: &[StoredPasskey],
    ) -> Result<(serde_json::Value, BoundAuthenticationState), PasskeyError> {
        if passkeys.is_empty() {
            return Err(PasskeyError::UnknownCredential);
        }
        let passkeys = passkeys
            .iter()
            .map(|p| serde_json::from_str::<Passkey>(&p.passkey_json))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PasskeyError::internal("a stored passkey could not be read.", e))?;
        let (mut rcr, state) = self.webauthn.start_passkey_authentication(&passkeys)?;
        let drawn = &rcr.public_key.challenge;
        let nonce = drawn
            .get(..NONCE_LEN)
            .ok_or_else(|| internal("webauthn-rs drew a short challenge."))?;
        let mut challenge = binding.to_vec();
        challenge.extend_from_slice(nonce);
        rcr.public_key.challenge = challenge;
        // `uvm` was removed in WebAuthn Level 3 (see `registration`).
        if let Some(extensions) = rcr.public_key.extensions.as_mut() {
            extensions.uvm = None;
        }
        let options = serde_json::to_value(&rcr)
            .map_err(|e| PasskeyError::internal("the request options did not serialise.", e))?;
        // The options and the state encode the challenge alike (base64url,
        // unpadded): copy the encoded value across.
        let encoded = options["publicKey"]["challenge"].clone();
        let mut state = serde_json::to_value(&state)
            .map_err(|e| PasskeyError::internal("the ceremony state did not serialise.", e))?;
        match state.get_mut("ast").and_then(|a| a.get_mut("challenge")) {
            Some(slot) if encoded.is_string() => *slot = encoded,
            _ => return Err(internal("the ceremony state has no challenge to bind.")),
        }
        let state: PasskeyAuthentication = serde_json::from_value(state)
            .map_err(|e| PasskeyError::internal("the bound ceremony state did not parse.", e))?;
        Ok((options, BoundAuthenticationState(state)))
    }

    /// Verifies a bound assertion against `state` and the stored passkey
    /// (loaded by the presented credential id), and returns the binding it
    /// was signed over.
    ///
    /// Security invariants enforced here:
    /// - the passkey is one of those the ceremony was started for
    ///   (webauthn-rs: `allowCredentials`), and a user handle, when the
    ///   authenticator sends one, names `stored.owner`;
    /// - the client data's challenge is the state's (webauthn-rs), so the
    ///   bound digest returned is the binding given at the start, taken
    ///   from the very client data the signature covers;
    /// - origin, counter and user-verification rules as for a sign-in
    ///   ([`RelyingParty::finish_authentication`]).
    pub fn finish_bound_authentication(
        &self,
        response_json: &str,
        state: BoundAuthenticationState,
        stored: &StoredPasskey,
    ) -> Result<BoundOutcome, PasskeyError> {
        let response = wire::parse_assertion(response_json)?;
        let credential = self.presented_passkey(&response, stored)?;
        // Optional here (the ceremony named its passkeys), but never another
        // account's.
        if response.get_user_unique_id().is_some_and(|h| !h.is_empty())
            && user_handle(&response)? != stored.owner
        {
            return Err(PasskeyError::UserHandleMismatch);
        }
        let result = self
            .webauthn
            .finish_passkey_authentication(&response, &state.0);
        let outcome = conclude(result, credential, &response, stored)?;
        let signed: CollectedClientData =
            serde_json::from_slice(&response.response.client_data_json)
                .map_err(PasskeyError::malformed)?;
        let bound_digest = signed
            .challenge
            .get(..BINDING_LEN)
            .and_then(|b| <[u8; BINDING_LEN]>::try_from(b).ok())
            .ok_or(PasskeyError::ChallengeMismatch)?;
        Ok(BoundOutcome {
            outcome,
            bound_digest,
        })
    }

    /// The credential id a response presents (nothing verified).
    pub fn presented_credential_id(&self, response_json: &str) -> Result<Vec<u8>, PasskeyError> {
        Ok(wire::parse_assertion(response_json)?.raw_id.to_vec())
    }
}

fn internal(detail: &'static str) -> PasskeyError {
    PasskeyError::Internal {
        detail,
        cause: None,
    }
}
