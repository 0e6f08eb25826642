//! Ceremony tests: real registrations and sign-ins against software
//! authenticators, and every way one can fail.

// The testkit's authenticator, included by path: the testkit depends on the
// whole server (which depends on this crate), far too much for these tests.
#[path = "../../latchkey-testkit/src/authenticator.rs"]
#[allow(dead_code, reason = "not every knob is used here")]
mod soft_authenticator;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::{Acr, Amr, UserId};
use latchkey_passkey::{
    AuthOutcome, AuthenticationState, KeyStorage, NewPasskey, PasskeyError, PasskeyUser,
    RegistrationPolicy, RelyingParty, RpConfig, StoredPasskey,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use soft_authenticator::SoftAuthenticator;
use url::Url;
use webauthn_authenticator_rs::AuthenticatorBackendHashedClientData;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

const RP_ID: &str = "example.com";
const ORIGIN: &str = "https://id.example.com";
const ICLOUD: uuid::Uuid = uuid::uuid!("fbfc3007-154e-4ecc-8c0b-6e020557d7bd");

fn rp() -> RelyingParty {
    RpConfig::new(RP_ID, "Example", &[Url::parse(ORIGIN).unwrap()]).unwrap()
}

fn user(name: &str) -> PasskeyUser {
    PasskeyUser {
        id: UserId::new(),
        name: format!("{name}@example.com"),
        display_name: name.to_owned(),
    }
}

/// Through JSON and back, as the session store keeps ceremony state.
fn stored_state<T: Serialize + DeserializeOwned>(state: &T) -> T {
    serde_json::from_str(&serde_json::to_string(state).unwrap()).unwrap()
}

fn register(rp: &RelyingParty, auth: &mut SoftAuthenticator, user: &PasskeyUser) -> NewPasskey {
    let (options, state) = rp
        .start_registration(user, &[], &RegistrationPolicy::none())
        .unwrap();
    let response = auth.register(&options, ORIGIN);
    rp.finish_registration(&response.to_string(), stored_state(&state))
        .unwrap()
}

fn stored(new: &NewPasskey) -> StoredPasskey {
    StoredPasskey {
        owner: new.owner,
        passkey_json: new.passkey_json.clone(),
        sign_count: new.sign_count,
        attested: new.attested,
    }
}

fn sign_in_options(rp: &RelyingParty) -> (serde_json::Value, AuthenticationState) {
    let (options, state) = rp.start_authentication().unwrap();
    (options, stored_state(&state))
}

/// A whole discoverable sign-in as the web layer will run it: identify,
/// load by credential id, finish.
fn sign_in(
    rp: &RelyingParty,
    auth: &mut SoftAuthenticator,
    stored: &StoredPasskey,
) -> Result<AuthOutcome, PasskeyError> {
    let (options, state) = sign_in_options(rp);
    let response = auth.authenticate(&options, ORIGIN).to_string();
    rp.identify(&response)?;
    rp.finish_authentication(&response, state, stored)
}

fn updated(stored: &StoredPasskey, outcome: &AuthOutcome) -> StoredPasskey {
    StoredPasskey {
        passkey_json: outcome.passkey_json.clone(),
        sign_count: outcome.sign_count,
        ..stored.clone()
    }
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The clientDataJSON a browser on `ORIGIN` writes.
fn browser_client_data(kind: &str, challenge: &[u8]) -> Vec<u8> {
    format!(
        r#"{{"type":"{kind}","challenge":"{}","origin":"{ORIGIN}","crossOrigin":false}}"#,
        b64(challenge)
    )
    .into_bytes()
}

/// Plays the browser in front of a webauthn-authenticator-rs authenticator
/// for `create()`. Its own `do_registration` writes `origin` as a URL with a
/// trailing slash (`https://id.example.com/`), which is not the serialised
/// origin browsers write, and which is refused; this writes it as they do.
fn browser_create<T: AuthenticatorBackendHashedClientData>(
    token: &mut T,
    ccr: CreationChallengeResponse,
) -> RegisterPublicKeyCredential {
    let client_data = browser_client_data("webauthn.create", &ccr.public_key.challenge);
    let hash = ring::digest::digest(&ring::digest::SHA256, &client_data);
    let mut cred = AuthenticatorBackendHashedClientData::perform_register(
        token,
        hash.as_ref().to_vec(),
        ccr.public_key,
        60_000,
    )
    .unwrap();
    cred.response.client_data_json = client_data;
    cred
}

/// [`browser_create`] for `get()`.
fn browser_get<T: AuthenticatorBackendHashedClientData>(
    token: &mut T,
    rcr: RequestChallengeResponse,
) -> PublicKeyCredential {
    let client_data = browser_client_data("webauthn.get", &rcr.public_key.challenge);
    let hash = ring::digest::digest(&ring::digest::SHA256, &client_data);
    let mut cred = AuthenticatorBackendHashedClientData::perform_auth(
        token,
        hash.as_ref().to_vec(),
        rcr.public_key,
        60_000,
    )
    .unwrap();
    cred.response.client_data_json = client_data;
    cred
}

// ---- happy paths -----------------------------------------------------------

#[test]
fn device_bound_passkey_registers_and_signs_in_with_hwk() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let alice = user("alice");

    let new = register(&rp, &mut auth, &alice);
    assert_eq!(new.owner, alice.id);
    assert_eq!(Some(new.credential_id.clone()), auth.last_credential_id());
    assert!(!new.backup_eligible && !new.backup_state);
    assert_eq!(new.key_storage(), KeyStorage::DeviceBound);
    assert!(!new.attested);
    assert_eq!(new.attestation_format, None);
    assert_eq!(new.aaguid, None, "an all-zero AAGUID is unknown");
    assert_eq!(new.model, None);
    assert_eq!(new.sign_count, 1);
    assert_eq!(new.discoverable, Some(true));

    let mut stored = stored(&new);
    let (options, state) = sign_in_options(&rp);
    let response = auth.authenticate(&options, ORIGIN).to_string();
    let who = rp.identify(&response).unwrap();
    assert_eq!(who.user_id, alice.id);
    assert_eq!(who.credential_id, new.credential_id);

    let outcome = rp.finish_authentication(&response, state, &stored).unwrap();
    assert_eq!(outcome.user_id, alice.id);
    assert_eq!(outcome.credential_id, new.credential_id);
    assert_eq!(outcome.sign_count, 2);
    assert!(outcome.passkey_changed);
    assert!(outcome.user_verified);
    assert_eq!(outcome.key_storage(), KeyStorage::DeviceBound);
    assert_eq!(outcome.acr, Acr::Phr, "not attested, so not phrh");
    assert_eq!(outcome.amr, vec![Amr::Hwk, Amr::User, Amr::Pop]);

    // The updated passkey keeps working, and its counter keeps rising.
    stored = updated(&stored, &outcome);
    let again = sign_in(&rp, &mut auth, &stored).unwrap();
    assert_eq!(again.sign_count, 3);
}

#[test]
fn synced_passkey_registers_with_backup_flags_model_and_earns_swk() {
    let rp = rp();
    let mut auth = SoftAuthenticator::synced().with_aaguid(ICLOUD);
    let new = register(&rp, &mut auth, &user("bea"));
    assert!(new.backup_eligible && new.backup_state);
    assert_eq!(new.key_storage(), KeyStorage::Synced);
    assert_eq!(
        new.aaguid.as_deref(),
        Some("fbfc3007-154e-4ecc-8c0b-6e020557d7bd")
    );
    assert_eq!(new.model, Some("iCloud Keychain"));
    assert_eq!(new.sign_count, 0);

    let mut stored = stored(&new);
    for _ in 0..2 {
        // A counter that stays at zero is not a regression.
        let outcome = sign_in(&rp, &mut auth, &stored).unwrap();
        assert_eq!(outcome.sign_count, 0);
        assert!(outcome.backup_eligible && outcome.backup_state);
        assert_eq!(outcome.acr, Acr::Phr);
        assert_eq!(outcome.amr, vec![Amr::Swk, Amr::User, Amr::Pop]);
        stored = updated(&stored, &outcome);
    }
}

#[test]
fn attested_device_bound_passkey_earns_phrh() {
    let rp = rp();
    let mut auth = SoftAuthenticator::new();
    let new = register(&rp, &mut auth, &user("carl"));
    let stored = StoredPasskey {
        attested: true,
        ..stored(&new)
    };
    let outcome = sign_in(&rp, &mut auth, &stored).unwrap();
    assert_eq!(outcome.acr, Acr::Phrh);
    assert_eq!(outcome.amr[0], Amr::Hwk);
}

#[test]
fn creation_options_ask_for_a_discoverable_user_verified_key_without_attestation() {
    let rp = rp();
    let alice = user("alice");
    let existing = vec![vec![1u8, 2, 3], vec![4u8, 5, 6]];
    let (options, state) = rp
        .start_registration(&alice, &existing, &RegistrationPolicy::none())
        .unwrap();
    let pk = &options["publicKey"];
    assert_eq!(pk["rp"]["id"], RP_ID);
    assert_eq!(pk["rp"]["name"], "Example");
    assert_eq!(pk["user"]["id"], b64(alice.id.as_uuid().as_bytes()));
    assert_eq!(pk["user"]["name"], "alice@example.com");
    assert_eq!(pk["authenticatorSelection"]["residentKey"], "required");
    assert_eq!(pk["authenticatorSelection"]["requireResidentKey"], true);
    assert_eq!(pk["authenticatorSelection"]["userVerification"], "required");
    assert_eq!(pk["attestation"], "none");
    // `uvm` was removed in WebAuthn Level 3; credProps is still asked for.
    assert!(pk["extensions"].get("uvm").is_none(), "{options}");
    assert!(!options.to_string().contains("uvm"), "{options}");
    assert_eq!(pk["extensions"]["credProps"], true, "{options}");
    let excluded: Vec<&str> = pk["excludeCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(excluded, vec![b64(&[1, 2, 3]), b64(&[4, 5, 6])]);
    let challenge = URL_SAFE_NO_PAD
        .decode(pk["challenge"].as_str().unwrap())
        .unwrap();
    assert!(challenge.len() >= 16);
    assert_eq!(state.owner(), alice.id);
}

#[test]
fn request_options_are_discoverable_conditional_and_require_user_verification() {
    let (options, _state) = rp().start_authentication().unwrap();
    let pk = &options["publicKey"];
    assert_eq!(pk["rpId"], RP_ID);
    assert_eq!(pk["userVerification"], "required");
    assert!(pk["allowCredentials"].as_array().unwrap().is_empty());
    assert_eq!(options["mediation"], "conditional");
    assert!(!options.to_string().contains("uvm"), "{options}");
    let challenge = URL_SAFE_NO_PAD
        .decode(pk["challenge"].as_str().unwrap())
        .unwrap();
    assert!(challenge.len() >= 16);
}

#[test]
fn two_ceremonies_get_different_challenges() {
    let rp = rp();
    let (a, _) = rp.start_authentication().unwrap();
    let (b, _) = rp.start_authentication().unwrap();
    assert_ne!(a["publicKey"]["challenge"], b["publicKey"]["challenge"]);
}

#[path = "ceremonies/attestation.rs"]
mod attestation;
#[path = "ceremonies/bound.rs"]
mod bound;
#[path = "ceremonies/registration_failures.rs"]
mod registration_failures;
#[path = "ceremonies/sign_in_failures.rs"]
mod sign_in_failures;
#[path = "ceremonies/soft_passkey.rs"]
mod soft_passkey;
