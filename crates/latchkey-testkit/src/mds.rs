//! `TestMds`: FIDO metadata (MDS3) blobs signed by a generated root,
//! intermediate and leaf, shaped like the FIDO Alliance's, so tests import
//! real signed blobs — and tampered, expired, wrong-root and rolled-back
//! ones.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair,
    PKCS_ECDSA_P256_SHA256,
};
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair};
use serde_json::{Value, json};

/// The AAGUID of the test authenticator model in [`TestMds::standard_payload`].
pub const TEST_AAGUID: &str = "6d44ba9b-f6ec-2e49-b930-0c8fe920cb73";

/// Seconds since the epoch of 2020-01-01 and 2040-01-01: the default
/// validity of every certificate, around both the fixed test clock
/// (2030-01-01) and the real one.
const VALID_FROM: i64 = 1_577_836_800;
const VALID_TO: i64 = 2_208_988_800;

/// A signing chain for metadata blobs.
pub struct TestMds {
    root_der: Vec<u8>,
    root_pem: String,
    chain: Vec<Vec<u8>>,
    leaf: EcdsaKeyPair,
}

impl std::fmt::Debug for TestMds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestMds").finish_non_exhaustive()
    }
}

impl Default for TestMds {
    fn default() -> Self {
        Self::new()
    }
}

fn params(cn: &str, ca: bool, from: i64, to: i64) -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "Latchkey Test Metadata");
    dn.push(DnType::CommonName, cn);
    p.distinguished_name = dn;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    }
    p.not_before = time::OffsetDateTime::from_unix_timestamp(from).unwrap();
    p.not_after = time::OffsetDateTime::from_unix_timestamp(to).unwrap();
    p
}

impl TestMds {
    /// A root, an intermediate and a leaf, valid 2020–2040.
    pub fn new() -> Self {
        Self::with_leaf_validity(VALID_FROM, VALID_TO)
    }

    /// Like [`TestMds::new`], but the leaf is valid only between the two
    /// instants (seconds since the epoch): for expired-certificate tests.
    pub fn with_leaf_validity(not_before: i64, not_after: i64) -> Self {
        let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let root = CertifiedIssuer::self_signed(
            params("Test MDS Root", true, VALID_FROM, VALID_TO),
            root_key,
        )
        .unwrap();
        let inter_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
        let inter = CertifiedIssuer::signed_by(
            params("Test MDS Intermediate", true, VALID_FROM, VALID_TO),
            inter_key,
            &*root,
        )
        .unwrap();
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
        let leaf_key = KeyPair::try_from(pkcs8.as_ref()).unwrap();
        let leaf_cert = params("mds.test", false, not_before, not_after)
            .signed_by(&leaf_key, &*inter)
            .unwrap();
        let leaf = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Self {
            root_der: root.der().to_vec(),
            root_pem: root.pem(),
            chain: vec![leaf_cert.der().to_vec(), inter.der().to_vec()],
            leaf,
        }
    }

    /// The root certificate (DER), to pass as the trust anchor.
    pub fn root_der(&self) -> &[u8] {
        &self.root_der
    }

    /// The root certificate (PEM).
    pub fn root_pem(&self) -> &str {
        &self.root_pem
    }

    /// A blob of `payload` signed with ES256 by the leaf, `x5c` = leaf and
    /// intermediate (the root is not included, as in the real blob).
    pub fn blob(&self, payload: &Value) -> String {
        self.blob_with_header(
            &json!({
                "alg": "ES256",
                "typ": "JWT",
                "x5c": self.chain.iter().map(|c| STANDARD.encode(c)).collect::<Vec<_>>(),
            }),
            payload,
        )
    }

    /// A blob with a header of the caller's choosing, signed by the leaf.
    pub fn blob_with_header(&self, header: &Value, payload: &Value) -> String {
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let sig = self
            .leaf
            .sign(&SystemRandom::new(), signing_input.as_bytes())
            .unwrap();
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig))
    }

    /// `blob` with its payload replaced after signing (the signature kept).
    pub fn tampered(blob: &str, payload: &Value) -> String {
        let parts: Vec<&str> = blob.split('.').collect();
        format!(
            "{}.{}.{}",
            parts[0],
            URL_SAFE_NO_PAD.encode(payload.to_string()),
            parts[2]
        )
    }

    /// A payload with serial `no`, `next_update` (YYYY-MM-DD) and `entries`.
    pub fn payload(no: i64, next_update: &str, entries: Vec<Value>) -> Value {
        json!({
            "legalHeader": "Test metadata; no legal meaning.",
            "no": no,
            "nextUpdate": next_update,
            "entries": entries,
        })
    }

    /// A FIDO2 entry: a hardware key certified L1 then L2, with one
    /// attestation root.
    pub fn entry(aaguid: &str, description: &str) -> Value {
        json!({
            "aaguid": aaguid,
            "metadataStatement": {
                "legalHeader": "",
                "aaguid": aaguid,
                "description": description,
                "authenticatorVersion": 2,
                "protocolFamily": "fido2",
                "schema": 3,
                "keyProtection": ["hardware", "secure_element"],
                "attestationTypes": ["basic_full"],
                "attestationRootCertificates": [STANDARD.encode(b"not a real certificate")],
            },
            "statusReports": [
                { "status": "FIDO_CERTIFIED_L1", "effectiveDate": "2021-01-01" },
                { "status": "FIDO_CERTIFIED_L2", "effectiveDate": "2022-06-01" },
            ],
            "timeOfLastStatusChange": "2022-06-01",
        })
    }

    /// A U2F entry (no AAGUID), which importers skip.
    pub fn u2f_entry() -> Value {
        json!({
            "attestationCertificateKeyIdentifiers": ["923881fe2f214ee465484371aeb72e97f5a58e0a"],
            "metadataStatement": { "description": "Test U2F key", "protocolFamily": "u2f" },
            "statusReports": [{ "status": "FIDO_CERTIFIED", "effectiveDate": "2019-01-01" }],
        })
    }

    /// A model entry whose attestation root is `root_der` (a real certificate,
    /// e.g. [`TestAttestationCa::root_der`]), certified L2, with extra
    /// status reports `statuses` (e.g. `"ATTESTATION_KEY_COMPROMISE"`).
    pub fn entry_with_root(
        aaguid: &str,
        description: &str,
        root_der: &[u8],
        statuses: &[&str],
    ) -> Value {
        let mut e = Self::entry(aaguid, description);
        e["metadataStatement"]["attestationRootCertificates"] = json!([STANDARD.encode(root_der)]);
        let reports = e["statusReports"].as_array_mut().unwrap();
        for s in statuses {
            reports.push(json!({ "status": s, "effectiveDate": "2029-06-01" }));
        }
        e
    }

    /// Serial `no`, nextUpdate `next_update`: the test model, a second
    /// FIDO2 model, and a U2F entry.
    pub fn standard_payload(no: i64, next_update: &str) -> Value {
        Self::payload(
            no,
            next_update,
            vec![
                Self::entry(TEST_AAGUID, "Latchkey Test Key"),
                Self::entry("cb69481e-8ff7-4039-93ec-0a2729a154a8", "Test YubiKey 5"),
                Self::u2f_entry(),
            ],
        )
    }
}
