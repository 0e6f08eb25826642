//! WebAuthn responses as the browser posts them: `RelyingParty::identify`,
//! `finish_registration` and `finish_authentication`, over client data,
//! attestation objects and authenticator data from the fuzzer.
//!
//! Input: one mode byte, a big-endian u16 length, part A of that length,
//! then part B. In part A, `$C` stands for the ceremony's real challenge and
//! `$O` for the configured origin, so the fuzzer gets past the challenge.
//!
//! - mode 0: the whole rest is a response JSON (every entry point).
//! - mode 1: registration; A is clientDataJSON, B the attestation object (an
//!   honest one from the software authenticator when B is empty).
//! - mode 2: sign-in; A is clientDataJSON, B the authenticator data, with an
//!   honest signature and user handle.
//! - mode 3: sign-in with an honest assertion whose clientDataJSON is A.
//!
//! Invariants: nothing panics; a registration is accepted only if its client
//! data is a `webauthn.create` from exactly the configured origin, not
//! cross-origin and without a foreign top origin.
#![no_main]

#[path = "../../crates/latchkey-testkit/src/authenticator.rs"]
#[allow(dead_code)]
mod soft_authenticator;

use std::sync::{LazyLock, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use latchkey_core::UserId;
use latchkey_passkey::{PasskeyUser, RegistrationPolicy, RelyingParty, RpConfig, StoredPasskey};
use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};
use soft_authenticator::SoftAuthenticator;

const ORIGIN: &str = "https://id.example.com";

struct Fixture {
    rp: RelyingParty,
    user: PasskeyUser,
    auth: Mutex<SoftAuthenticator>,
    stored: StoredPasskey,
    attestation_object: Vec<u8>,
}

static FIXTURE: LazyLock<Fixture> = LazyLock::new(|| {
    let rp = RpConfig::new(
        "example.com",
        "Example",
        &[url::Url::parse(ORIGIN).expect("origin")],
    )
    .expect("relying party");
    let user = PasskeyUser {
        id: UserId::new(),
        name: "ada@example.com".into(),
        display_name: "Ada".into(),
    };
    let mut auth = SoftAuthenticator::new();
    let (options, state) = rp
        .start_registration(&user, &[], &RegistrationPolicy::none())
        .expect("registration options");
    let response = auth.register(&options, ORIGIN);
    let attestation_object = URL_SAFE_NO_PAD
        .decode(
            response["response"]["attestationObject"]
                .as_str()
                .expect("attestationObject"),
        )
        .expect("base64");
    let new = rp
        .finish_registration(&response.to_string(), state)
        .expect("an honest registration");
    let stored = StoredPasskey {
        owner: new.owner,
        passkey_json: new.passkey_json,
        sign_count: new.sign_count,
        attested: false,
    };
    Fixture {
        rp,
        user,
        auth: Mutex::new(auth),
        stored,
        attestation_object,
    }
});

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn fill(template: &[u8], options: &Value) -> Vec<u8> {
    let challenge = options["publicKey"]["challenge"]
        .as_str()
        .unwrap_or_default();
    let text = String::from_utf8_lossy(template);
    text.replace("$C", challenge)
        .replace("$O", ORIGIN)
        .into_bytes()
}

fn split(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 2 {
        return (data, &[]);
    }
    let len = usize::from(u16::from_be_bytes([data[0], data[1]]));
    let rest = &data[2..];
    rest.split_at(len.min(rest.len()))
}

/// What an accepted registration's client data must say.
fn assert_acceptable(client_data: &[u8]) {
    let c: Value = serde_json::from_slice(client_data).expect("accepted client data is JSON");
    assert_eq!(c["type"], "webauthn.create", "{c}");
    assert_eq!(c["origin"], ORIGIN, "{c}");
    assert_ne!(c.get("crossOrigin"), Some(&Value::Bool(true)), "{c}");
    if let Some(top) = c.get("topOrigin") {
        assert_eq!(top, ORIGIN, "{c}");
    }
}

fuzz_target!(|data: &[u8]| {
    let f = &*FIXTURE;
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode % 4 {
        0 => {
            let text = String::from_utf8_lossy(rest);
            let _ = f.rp.identify(&text);
            if let Ok((_, state)) =
                f.rp.start_registration(&f.user, &[], &RegistrationPolicy::none())
            {
                let _ = f.rp.finish_registration(&text, state);
            }
            if let Ok((_, state)) = f.rp.start_authentication() {
                let _ = f.rp.finish_authentication(&text, state, &f.stored);
            }
        }
        1 => {
            let (a, b) = split(rest);
            let Ok((options, state)) =
                f.rp.start_registration(&f.user, &[], &RegistrationPolicy::none())
            else {
                return;
            };
            let client_data = fill(a, &options);
            let object = if b.is_empty() {
                f.attestation_object.clone()
            } else {
                b.to_vec()
            };
            let id = b64(b"fuzz-credential");
            let response = json!({
                "id": id, "rawId": id, "type": "public-key",
                "response": {
                    "clientDataJSON": b64(&client_data),
                    "attestationObject": b64(&object),
                },
                "clientExtensionResults": {},
            });
            if f.rp
                .finish_registration(&response.to_string(), state)
                .is_ok()
            {
                assert_acceptable(&client_data);
            }
        }
        2 | 3 => {
            let (a, b) = split(rest);
            let Ok((options, state)) = f.rp.start_authentication() else {
                return;
            };
            let mut honest = f
                .auth
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .authenticate(&options, ORIGIN);
            let before = honest.clone();
            let client_data = fill(a, &options);
            honest["response"]["clientDataJSON"] = Value::String(b64(&client_data));
            if mode % 4 == 2 {
                honest["response"]["authenticatorData"] = Value::String(b64(b));
            }
            let changed = honest != before;
            let text = honest.to_string();
            let _ = f.rp.identify(&text);
            // The signature covers the honest client data only: anything
            // else must be refused.
            let result = f.rp.finish_authentication(&text, state, &f.stored);
            assert!(
                !changed || result.is_err(),
                "a changed response was accepted"
            );
        }
        _ => unreachable!(),
    }
});
