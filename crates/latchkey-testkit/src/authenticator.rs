//! A software passkey authenticator for tests (and, later, load generation).
//!
//! It plays browser and authenticator at once: given the options JSON the
//! server sends to `navigator.credentials.create()` / `get()`, it returns the
//! JSON a browser posts back (`PublicKeyCredential.toJSON()` shape, base64url
//! without padding). Unlike webauthn-authenticator-rs's `SoftPasskey`, it makes
//! discoverable credentials (the user handle comes back at sign-in) and sets
//! the backup flags.
//!
//! It is honest by default: real ECDSA P-256 keys (ring), attestation "none",
//! authenticator data laid out as WebAuthn §6.1 says, the assertion signature
//! over `authenticatorData ‖ SHA-256(clientDataJSON)`, DER-encoded. Knobs make
//! it misbehave on purpose: drop user verification, tamper a signature, sign
//! for another RP ID, present another user's handle, roll a counter back,
//! re-register an existing credential, report a cross-origin (framed) call or a
//! foreign top-level origin in the client data.
//!
//! Self-contained (ring, base64, serde_json, uuid) so a crate that cannot
//! depend on the testkit can include this file with `#[path]`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::digest::{SHA256, digest};
use ring::rand::{SecureRandom, SystemRandom};
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_BE: u8 = 0x08;
const FLAG_BS: u8 = 0x10;
const FLAG_AT: u8 = 0x40;
const COSE_ES256: i64 = -7;

/// Why the authenticator (or the browser in front of it) refused a ceremony,
/// as a browser would report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SoftAuthenticatorError {
    /// The options JSON lacks something a browser needs.
    BadOptions(String),
    /// ES256 was not among `pubKeyCredParams` (browser: NotSupportedError).
    NoSupportedAlgorithm,
    /// A credential in `excludeCredentials` lives here (InvalidStateError).
    Excluded,
    /// No credential for this RP ID (the browser would show nothing).
    NoCredential,
}

impl fmt::Display for SoftAuthenticatorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadOptions(why) => write!(f, "the options are unusable: {why}"),
            Self::NoSupportedAlgorithm => f.write_str("ES256 was not offered"),
            Self::Excluded => f.write_str("an excluded credential is on this authenticator"),
            Self::NoCredential => f.write_str("no credential for this RP ID"),
        }
    }
}

impl std::error::Error for SoftAuthenticatorError {}

/// One credential the authenticator holds.
#[derive(Debug)]
pub struct SoftCredential {
    pub id: Vec<u8>,
    pub rp_id: String,
    pub user_handle: Vec<u8>,
    /// The counter of the last signature made (reported at registration too).
    pub counter: u32,
    key: EcdsaKeyPair,
}

/// A packed attestation identity: an attestation certificate (DER, issued
/// by a test CA) and its P-256 key, as a security key carries from its
/// factory.
pub struct PackedAttestation {
    cert_der: Vec<u8>,
    key: EcdsaKeyPair,
}

impl fmt::Debug for PackedAttestation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PackedAttestation").finish_non_exhaustive()
    }
}

impl PackedAttestation {
    /// `cert_der` certifies the public key of `pkcs8` (a P-256 key).
    pub fn new(cert_der: Vec<u8>, pkcs8: &[u8]) -> Self {
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8, &SystemRandom::new())
                .unwrap_or_else(|_| panic!("the attestation key is not a P-256 PKCS#8 key"));
        Self { cert_der, key }
    }
}

/// One-shot misbehaviour for the next ceremony, reset after it.
#[derive(Debug, Default)]
struct Next {
    tamper_signature: bool,
    rp_id: Option<String>,
    user_handle: Option<Option<Vec<u8>>>,
    reuse_credential: Option<Vec<u8>>,
    cross_origin: bool,
    top_origin: Option<String>,
}

/// A software authenticator holding discoverable P-256 credentials.
#[derive(Debug)]
pub struct SoftAuthenticator {
    /// The UP flag (a user touched it). Default true.
    pub user_present: bool,
    /// The UV flag (PIN or biometric). Default true; set false to drop it.
    pub user_verified: bool,
    /// The BE flag: a synced passkey provider. Default false.
    pub backup_eligible: bool,
    /// The BS flag: currently backed up. Default false.
    pub backup_state: bool,
    /// The AAGUID written at registration. Default all zeros, as Chromium's
    /// virtual authenticator and privacy-preserving clients send.
    pub aaguid: uuid::Uuid,
    /// Whether counters advance; synced providers keep them at 0. Default true.
    pub counts_signatures: bool,
    /// What the browser reports in `clientExtensionResults.credProps.rk`
    /// (`None` leaves credProps out). Default `Some(true)`.
    pub reports_discoverable: Option<bool>,
    /// When set, registrations carry a `packed` attestation statement signed
    /// with this identity (x5c: its certificate) instead of `none`.
    pub attestation: Option<PackedAttestation>,
    credentials: Vec<SoftCredential>,
    next: Next,
    rng: SystemRandom,
}

impl Default for SoftAuthenticator {
    fn default() -> Self {
        Self::new()
    }
}

impl SoftAuthenticator {
    /// A user-verifying, device-bound authenticator with counters.
    pub fn new() -> Self {
        Self {
            user_present: true,
            user_verified: true,
            backup_eligible: false,
            backup_state: false,
            aaguid: uuid::Uuid::nil(),
            counts_signatures: true,
            reports_discoverable: Some(true),
            attestation: None,
            credentials: Vec::new(),
            next: Next::default(),
            rng: SystemRandom::new(),
        }
    }

    /// Behaves like a synced passkey provider (BE and BS set, counter 0).
    pub fn synced() -> Self {
        Self {
            backup_eligible: true,
            backup_state: true,
            counts_signatures: false,
            ..Self::new()
        }
    }

    /// Registrations carry a packed attestation by `attestation`.
    pub fn with_packed_attestation(mut self, attestation: PackedAttestation) -> Self {
        self.attestation = Some(attestation);
        self
    }

    pub fn with_aaguid(mut self, aaguid: uuid::Uuid) -> Self {
        self.aaguid = aaguid;
        self
    }

    pub fn with_user_verified(mut self, user_verified: bool) -> Self {
        self.user_verified = user_verified;
        self
    }

    pub fn with_backup(mut self, eligible: bool, state: bool) -> Self {
        self.backup_eligible = eligible;
        self.backup_state = state;
        self
    }

    // ---- what it holds -------------------------------------------------

    pub fn credentials(&self) -> &[SoftCredential] {
        &self.credentials
    }

    /// The id of the credential registered last.
    pub fn last_credential_id(&self) -> Option<Vec<u8>> {
        self.credentials.last().map(|c| c.id.clone())
    }

    pub fn credential(&self, id: &[u8]) -> Option<&SoftCredential> {
        self.credentials.iter().find(|c| c.id == id)
    }

    // ---- misbehaviour knobs ---------------------------------------------

    /// Sets the credential's counter: the next assertion reports `n + 1`
    /// (roll it back below what the server saw to simulate a clone).
    pub fn set_counter(&mut self, credential_id: &[u8], n: u32) {
        let cred = self
            .credentials
            .iter_mut()
            .find(|c| c.id == credential_id)
            .unwrap_or_else(|| panic!("set_counter: no such credential"));
        cred.counter = n;
    }

    /// The next assertion's signature is made over other data (valid DER,
    /// wrong signature).
    pub fn tamper_next_signature(&mut self) {
        self.next.tamper_signature = true;
    }

    /// The next ceremony writes SHA-256 of `rp_id` as the RP ID hash.
    pub fn use_rp_id_next(&mut self, rp_id: &str) {
        self.next.rp_id = Some(rp_id.to_owned());
    }

    /// The next assertion carries `handle` as its user handle (e.g. another
    /// user's), or none at all with `None`.
    pub fn present_user_handle_next(&mut self, handle: Option<Vec<u8>>) {
        self.next.user_handle = Some(handle);
    }

    /// The next registration re-registers this existing credential (same id
    /// and key) and ignores `excludeCredentials`, as a forged client would.
    pub fn reuse_credential_next(&mut self, credential_id: &[u8]) {
        self.next.reuse_credential = Some(credential_id.to_vec());
    }

    /// The next ceremony's client data says `"crossOrigin": true`, as a
    /// browser writes it when the page is framed by another origin.
    pub fn cross_origin_next(&mut self) {
        self.next.cross_origin = true;
    }

    /// The next ceremony's client data carries this `topOrigin` (the
    /// top-level page of a framed call, WebAuthn Level 3).
    pub fn top_origin_next(&mut self, top_origin: &str) {
        self.next.top_origin = Some(top_origin.to_owned());
    }

    // ---- ceremonies -----------------------------------------------------

    /// `navigator.credentials.create()`: panics if the authenticator refuses.
    pub fn register(&mut self, creation_options: &Value, origin: &str) -> Value {
        self.try_register(creation_options, origin)
            .unwrap_or_else(|e| panic!("the soft authenticator refused to register: {e}"))
    }

    /// `navigator.credentials.create()`, with the refusal a browser would raise.
    pub fn try_register(
        &mut self,
        creation_options: &Value,
        origin: &str,
    ) -> Result<Value, SoftAuthenticatorError> {
        let next = std::mem::take(&mut self.next);
        let options = public_key(creation_options);
        let challenge = b64_field(options, "/challenge")?;
        let rp_id = match options.pointer("/rp/id").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => host_of(origin)?,
        };
        let user_handle = b64_field(options, "/user/id")?;
        let es256 = options
            .get("pubKeyCredParams")
            .and_then(Value::as_array)
            .is_some_and(|ps| ps.iter().any(|p| p["alg"].as_i64() == Some(COSE_ES256)));
        if !es256 {
            return Err(SoftAuthenticatorError::NoSupportedAlgorithm);
        }

        let index = match &next.reuse_credential {
            Some(id) => self
                .credentials
                .iter()
                .position(|c| &c.id == id)
                .ok_or(SoftAuthenticatorError::NoCredential)?,
            None => {
                let excluded = descriptor_ids(options, "excludeCredentials");
                if self
                    .credentials
                    .iter()
                    .any(|c| c.rp_id == rp_id && excluded.contains(&c.id))
                {
                    return Err(SoftAuthenticatorError::Excluded);
                }
                let cred = self.new_credential(&rp_id, user_handle);
                self.credentials.push(cred);
                self.credentials.len() - 1
            }
        };
        let counts = self.counts_signatures;
        let cred = &mut self.credentials[index];
        if counts {
            cred.counter += 1;
        }
        let public = cred.key.public_key().as_ref().to_vec();

        let mut auth_data = self.auth_data_head(next.rp_id.as_deref().unwrap_or(&rp_id), FLAG_AT);
        let cred = &self.credentials[index];
        auth_data.extend_from_slice(&cred.counter.to_be_bytes());
        auth_data.extend_from_slice(self.aaguid.as_bytes());
        let id_len = u16::try_from(cred.id.len()).unwrap_or(u16::MAX);
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&cred.id);
        auth_data.extend_from_slice(&cose_es256_key(&public));

        let client_data = client_data_json("webauthn.create", &challenge, origin, &next);
        let mut attestation_object = Vec::new();
        cbor_head(&mut attestation_object, 5, 3);
        cbor_text(&mut attestation_object, "fmt");
        match &self.attestation {
            None => {
                cbor_text(&mut attestation_object, "none");
                cbor_text(&mut attestation_object, "attStmt");
                cbor_head(&mut attestation_object, 5, 0);
            }
            Some(att) => {
                // Packed, full attestation (WebAuthn §8.2): the attestation
                // key signs authenticatorData ‖ SHA-256(clientDataJSON).
                let mut signed = auth_data.clone();
                signed.extend_from_slice(digest(&SHA256, client_data.as_bytes()).as_ref());
                let sig = att
                    .key
                    .sign(&self.rng, &signed)
                    .unwrap_or_else(|_| panic!("attestation signing failed"));
                cbor_text(&mut attestation_object, "packed");
                cbor_text(&mut attestation_object, "attStmt");
                cbor_head(&mut attestation_object, 5, 3);
                cbor_text(&mut attestation_object, "alg");
                cbor_int(&mut attestation_object, COSE_ES256);
                cbor_text(&mut attestation_object, "sig");
                cbor_bytes(&mut attestation_object, sig.as_ref());
                cbor_text(&mut attestation_object, "x5c");
                cbor_head(&mut attestation_object, 4, 1);
                cbor_bytes(&mut attestation_object, &att.cert_der);
            }
        }
        cbor_text(&mut attestation_object, "authData");
        cbor_bytes(&mut attestation_object, &auth_data);

        let mut extensions = json!({});
        if let Some(rk) = self.reports_discoverable {
            extensions["credProps"] = json!({ "rk": rk });
        }
        let id = b64(&cred.id);
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "attestationObject": b64(&attestation_object),
                "transports": ["internal", "hybrid"],
            },
            "clientExtensionResults": extensions,
        }))
    }

    /// `navigator.credentials.get()`: picks the credential for the RP ID
    /// (one from `allowCredentials` if any, else the newest); panics if none.
    pub fn authenticate(&mut self, request_options: &Value, origin: &str) -> Value {
        self.try_authenticate(request_options, origin, None)
            .unwrap_or_else(|e| panic!("the soft authenticator refused to sign: {e}"))
    }

    /// `navigator.credentials.get()` with this credential chosen by the user.
    pub fn authenticate_with(
        &mut self,
        request_options: &Value,
        origin: &str,
        credential_id: &[u8],
    ) -> Value {
        self.try_authenticate(request_options, origin, Some(credential_id))
            .unwrap_or_else(|e| panic!("the soft authenticator refused to sign: {e}"))
    }

    pub fn try_authenticate(
        &mut self,
        request_options: &Value,
        origin: &str,
        credential_id: Option<&[u8]>,
    ) -> Result<Value, SoftAuthenticatorError> {
        let next = std::mem::take(&mut self.next);
        let options = public_key(request_options);
        let challenge = b64_field(options, "/challenge")?;
        let rp_id = match options.get("rpId").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => host_of(origin)?,
        };
        let allowed = descriptor_ids(options, "allowCredentials");
        let index = self
            .credentials
            .iter()
            .rposition(|c| {
                c.rp_id == rp_id
                    && credential_id.is_none_or(|id| c.id == id)
                    && (allowed.is_empty() || allowed.contains(&c.id))
            })
            .ok_or(SoftAuthenticatorError::NoCredential)?;
        if self.counts_signatures {
            self.credentials[index].counter += 1;
        }

        let mut auth_data = self.auth_data_head(next.rp_id.as_deref().unwrap_or(&rp_id), 0);
        let cred = &self.credentials[index];
        auth_data.extend_from_slice(&cred.counter.to_be_bytes());
        let client_data = client_data_json("webauthn.get", &challenge, origin, &next);

        let mut signed = auth_data.clone();
        signed.extend_from_slice(digest(&SHA256, client_data.as_bytes()).as_ref());
        if next.tamper_signature
            && let Some(last) = signed.last_mut()
        {
            *last ^= 0x01;
        }
        let signature = cred
            .key
            .sign(&self.rng, &signed)
            .unwrap_or_else(|_| panic!("ECDSA signing failed"));

        let user_handle = match next.user_handle {
            Some(handle) => handle,
            None => Some(cred.user_handle.clone()),
        };
        let id = b64(&cred.id);
        Ok(json!({
            "id": id,
            "rawId": id,
            "type": "public-key",
            "authenticatorAttachment": "platform",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.as_ref()),
                "userHandle": user_handle.map(|h| b64(&h)),
            },
            "clientExtensionResults": {},
        }))
    }

    // ---- internals --------------------------------------------------------

    fn new_credential(&self, rp_id: &str, user_handle: Vec<u8>) -> SoftCredential {
        let mut id = vec![0u8; 32];
        self.rng
            .fill(&mut id)
            .unwrap_or_else(|_| panic!("no randomness"));
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &self.rng)
            .unwrap_or_else(|_| panic!("P-256 key generation failed"));
        let key =
            EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &self.rng)
                .unwrap_or_else(|_| panic!("P-256 key parsing failed"));
        SoftCredential {
            id,
            rp_id: rp_id.to_owned(),
            user_handle,
            counter: 0,
            key,
        }
    }

    /// RP ID hash and flags; the caller appends the counter and the rest.
    fn auth_data_head(&self, rp_id: &str, extra_flags: u8) -> Vec<u8> {
        let mut flags = extra_flags;
        for (on, bit) in [
            (self.user_present, FLAG_UP),
            (self.user_verified, FLAG_UV),
            (self.backup_eligible, FLAG_BE),
            (self.backup_state, FLAG_BS),
        ] {
            if on {
                flags |= bit;
            }
        }
        let mut data = digest(&SHA256, rp_id.as_bytes()).as_ref().to_vec();
        data.push(flags);
        data
    }
}

/// The `publicKey` member of the options, or the options themselves.
fn public_key(options: &Value) -> &Value {
    options.get("publicKey").unwrap_or(options)
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes base64url (padded or not, also tolerating the standard alphabet).
fn b64_decode(text: &str) -> Option<Vec<u8>> {
    let normalised: String = text
        .trim_end_matches('=')
        .chars()
        .map(|c| match c {
            '+' => '-',
            '/' => '_',
            c => c,
        })
        .collect();
    URL_SAFE_NO_PAD.decode(normalised).ok()
}

fn b64_field(options: &Value, pointer: &str) -> Result<Vec<u8>, SoftAuthenticatorError> {
    options
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(b64_decode)
        .ok_or_else(|| SoftAuthenticatorError::BadOptions(format!("{pointer} is not base64url")))
}

fn descriptor_ids(options: &Value, member: &str) -> Vec<Vec<u8>> {
    options
        .get(member)
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|d| d.get("id").and_then(Value::as_str).and_then(b64_decode))
                .collect()
        })
        .unwrap_or_default()
}

fn host_of(origin: &str) -> Result<String, SoftAuthenticatorError> {
    let rest = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    let host = rest.split(['/', ':']).next().unwrap_or_default();
    if host.is_empty() {
        return Err(SoftAuthenticatorError::BadOptions(format!(
            "no RP ID and no host in origin {origin:?}"
        )));
    }
    Ok(host.to_owned())
}

/// The clientDataJSON a browser writes (member order as Chromium's).
fn client_data_json(kind: &str, challenge: &[u8], origin: &str, next: &Next) -> String {
    let origin = serde_json::to_string(origin).unwrap_or_default();
    let top = next
        .top_origin
        .as_deref()
        .map(|t| {
            format!(
                r#","topOrigin":{}"#,
                serde_json::to_string(t).unwrap_or_default()
            )
        })
        .unwrap_or_default();
    format!(
        r#"{{"type":"{kind}","challenge":"{}","origin":{origin},"crossOrigin":{}{top}}}"#,
        b64(challenge),
        next.cross_origin
    )
}

/// A COSE_Key for an ES256 public key (uncompressed SEC1 point in).
fn cose_es256_key(sec1: &[u8]) -> Vec<u8> {
    let (x, y) = sec1
        .get(1..)
        .map(|xy| xy.split_at(xy.len() / 2))
        .unwrap_or_else(|| panic!("bad public key"));
    let mut out = Vec::new();
    cbor_head(&mut out, 5, 5);
    cbor_int(&mut out, 1); // kty
    cbor_int(&mut out, 2); // EC2
    cbor_int(&mut out, 3); // alg
    cbor_int(&mut out, COSE_ES256);
    cbor_int(&mut out, -1); // crv
    cbor_int(&mut out, 1); // P-256
    cbor_int(&mut out, -2); // x
    cbor_bytes(&mut out, x);
    cbor_int(&mut out, -3); // y
    cbor_bytes(&mut out, y);
    out
}

// A minimal CBOR encoder: the few shapes WebAuthn needs.

fn cbor_head(out: &mut Vec<u8>, major: u8, n: u64) {
    let m = major << 5;
    match n {
        0..=23 => out.push(m | n as u8),
        24..=0xff => out.extend_from_slice(&[m | 24, n as u8]),
        0x100..=0xffff => {
            out.push(m | 25);
            out.extend_from_slice(&(n as u16).to_be_bytes());
        }
        0x1_0000..=0xffff_ffff => {
            out.push(m | 26);
            out.extend_from_slice(&(n as u32).to_be_bytes());
        }
        _ => {
            out.push(m | 27);
            out.extend_from_slice(&n.to_be_bytes());
        }
    }
}

fn cbor_int(out: &mut Vec<u8>, i: i64) {
    if i >= 0 {
        cbor_head(out, 0, i as u64);
    } else {
        cbor_head(out, 1, (-1 - i) as u64);
    }
}

fn cbor_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    cbor_head(out, 2, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 3, text.len() as u64);
    out.extend_from_slice(text.as_bytes());
}
