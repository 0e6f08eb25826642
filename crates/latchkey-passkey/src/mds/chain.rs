//! The JWS of a blob: header, `x5c` chain up to the trust anchor, signature.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use serde::Deserialize;
use x509_parser::certificate::X509Certificate;
use x509_parser::prelude::FromDer as _;

use super::MdsError;

/// The FIDO Alliance's MDS root: GlobalSign Root CA - R3 (SHA-256
/// fingerprint CB:B5:22:D7:B7:F1:27:AD:6A:01:13:86:5B:DF:1C:D4:10:2E:7D:07:
/// 59:AF:63:5A:7C:F4:72:0D:C9:63:C5:3B), as Debian's ca-certificates ships it.
const FIDO_ROOT_PEM: &[u8] = include_bytes!("globalsign-root-r3.pem");

/// The certificate a blob's chain must end at.
#[derive(Clone)]
pub struct TrustAnchor {
    der: Vec<u8>,
}

impl std::fmt::Debug for TrustAnchor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = X509Certificate::from_der(&self.der)
            .map(|(_, c)| c.subject().to_string())
            .unwrap_or_default();
        f.debug_struct("TrustAnchor")
            .field("subject", &name)
            .finish()
    }
}

impl TrustAnchor {
    /// The FIDO Alliance's root, shipped with the binary. The only anchor
    /// production code uses.
    pub fn fido() -> Self {
        // The shipped PEM is checked by a unit test; should it ever fail to
        // parse, every blob is refused as untrusted rather than panicking.
        Self::from_pem(FIDO_ROOT_PEM).unwrap_or(Self { der: Vec::new() })
    }

    /// An anchor from a DER certificate (tests bring their own root).
    pub fn from_der(der: Vec<u8>) -> Result<Self, MdsError> {
        X509Certificate::from_der(&der).map_err(|e| {
            MdsError::Malformed(format!("the trust anchor is not a certificate ({e})"))
        })?;
        Ok(Self { der })
    }

    /// An anchor from a PEM certificate.
    pub fn from_pem(pem: &[u8]) -> Result<Self, MdsError> {
        let (_, pem) = x509_parser::pem::parse_x509_pem(pem)
            .map_err(|e| MdsError::Malformed(format!("the trust anchor is not PEM ({e})")))?;
        Self::from_der(pem.contents)
    }

    /// The anchor's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    x5c: Vec<String>,
}

#[derive(Clone, Copy)]
enum Alg {
    Rs256,
    Es256,
}

/// Verifies the compact JWS `jwt` and returns its decoded payload.
pub(super) fn verify_jws(
    jwt: &str,
    anchor: &TrustAnchor,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, MdsError> {
    let mut parts = jwt.split('.');
    let (Some(h64), Some(p64), Some(s64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MdsError::Malformed(
            "it is not a JWT of three dot-separated parts".into(),
        ));
    };
    let b64 = |what: &str, part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| MdsError::Malformed(format!("its {what} is not base64url")))
    };
    let header: Header = serde_json::from_slice(&b64("header", h64)?)
        .map_err(|e| MdsError::Malformed(format!("its header is not valid JSON ({e})")))?;
    let payload = b64("payload", p64)?;
    let sig = b64("signature", s64)?;
    let alg = match header.alg.as_str() {
        "RS256" => Alg::Rs256,
        "ES256" => Alg::Es256,
        other => return Err(MdsError::UnsupportedAlgorithm(other.to_owned())),
    };
    if header.x5c.is_empty() {
        return Err(MdsError::Malformed(
            "its header carries no x5c certificate chain".into(),
        ));
    }
    let ders = header
        .x5c
        .iter()
        .map(|c| {
            STANDARD
                .decode(c)
                .map_err(|_| MdsError::Malformed("an x5c certificate is not base64".into()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let chain = ders
        .iter()
        .map(|der| match X509Certificate::from_der(der) {
            Ok(([], cert)) => Ok(cert),
            _ => Err(MdsError::Malformed(
                "an x5c entry is not a DER certificate".into(),
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let root = match X509Certificate::from_der(&anchor.der) {
        Ok((_, root)) => root,
        Err(_) => {
            return Err(MdsError::UntrustedChain(
                "the trust anchor cannot be read".into(),
            ));
        }
    };
    verify_chain(&chain, &root, now)?;

    let leaf_key = &chain[0].public_key().subject_public_key.data;
    let algorithm: &'static dyn VerificationAlgorithm = match alg {
        Alg::Rs256 => &signature::RSA_PKCS1_2048_8192_SHA256,
        Alg::Es256 => &signature::ECDSA_P256_SHA256_FIXED,
    };
    let signed = &jwt.as_bytes()[..h64.len() + 1 + p64.len()];
    UnparsedPublicKey::new(algorithm, &leaf_key[..])
        .verify(signed, &sig)
        .map_err(|_| MdsError::BadSignature)?;
    Ok(payload)
}

/// Each certificate is valid at `now` and issued by the next one (which is
/// a CA); the last is the anchor itself or issued by it.
fn verify_chain(
    chain: &[X509Certificate<'_>],
    root: &X509Certificate<'_>,
    now: DateTime<Utc>,
) -> Result<(), MdsError> {
    check_validity(root, now)?;
    for (i, cert) in chain.iter().enumerate() {
        check_validity(cert, now)?;
        let issuer = match chain.get(i + 1) {
            Some(next) => next,
            None if is_same(cert, root) => return Ok(()),
            None => root,
        };
        if cert.issuer() != issuer.subject() {
            return Err(MdsError::UntrustedChain(format!(
                "\"{}\" is issued by \"{}\", not by \"{}\"",
                cert.subject(),
                cert.issuer(),
                issuer.subject()
            )));
        }
        if !issuer.is_ca() {
            return Err(MdsError::UntrustedChain(format!(
                "\"{}\" is not a certificate authority",
                issuer.subject()
            )));
        }
        verify_signed_by(cert, issuer)?;
    }
    Ok(())
}

/// Whether two parsed certificates are the same certificate.
fn is_same(a: &X509Certificate<'_>, b: &X509Certificate<'_>) -> bool {
    tbs(a) == tbs(b) && a.signature_value.data == b.signature_value.data
}

/// The signed part of a certificate, as encoded.
fn tbs<'a>(cert: &'a X509Certificate<'_>) -> &'a [u8] {
    cert.tbs_certificate.as_ref()
}

fn check_validity(cert: &X509Certificate<'_>, now: DateTime<Utc>) -> Result<(), MdsError> {
    let validity = cert.validity();
    let (from, to) = (
        validity.not_before.timestamp(),
        validity.not_after.timestamp(),
    );
    let t = now.timestamp();
    if t < from || t > to {
        let show = |ts: i64| {
            DateTime::<Utc>::from_timestamp(ts, 0)
                .map(|d| d.format("%Y-%m-%d %H:%M:%S").to_string())
                .unwrap_or_else(|| ts.to_string())
        };
        return Err(MdsError::CertificateNotValid {
            subject: cert.subject().to_string(),
            not_before: show(from),
            not_after: show(to),
        });
    }
    Ok(())
}

const P256: &str = "1.2.840.10045.3.1.7";
const P384: &str = "1.3.132.0.34";

/// Checks `cert`'s signature with `issuer`'s public key.
fn verify_signed_by(
    cert: &X509Certificate<'_>,
    issuer: &X509Certificate<'_>,
) -> Result<(), MdsError> {
    let spki = issuer.public_key();
    let curve = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.as_oid().ok())
        .map(|o| o.to_id_string());
    let sig_alg = cert.signature_algorithm.algorithm.to_id_string();
    let algorithm: &'static dyn VerificationAlgorithm = match (sig_alg.as_str(), curve.as_deref()) {
        ("1.2.840.113549.1.1.11", _) => &signature::RSA_PKCS1_2048_8192_SHA256,
        ("1.2.840.113549.1.1.12", _) => &signature::RSA_PKCS1_2048_8192_SHA384,
        ("1.2.840.113549.1.1.13", _) => &signature::RSA_PKCS1_2048_8192_SHA512,
        ("1.2.840.10045.4.3.2", Some(P256)) => &signature::ECDSA_P256_SHA256_ASN1,
        ("1.2.840.10045.4.3.2", Some(P384)) => &signature::ECDSA_P384_SHA256_ASN1,
        ("1.2.840.10045.4.3.3", Some(P256)) => &signature::ECDSA_P256_SHA384_ASN1,
        ("1.2.840.10045.4.3.3", Some(P384)) => &signature::ECDSA_P384_SHA384_ASN1,
        _ => {
            return Err(MdsError::UntrustedChain(format!(
                "\"{}\" is signed with an unsupported algorithm ({sig_alg})",
                cert.subject()
            )));
        }
    };
    UnparsedPublicKey::new(algorithm, &spki.subject_public_key.data[..])
        .verify(tbs(cert), &cert.signature_value.data)
        .map_err(|_| {
            MdsError::UntrustedChain(format!(
                "the signature on \"{}\" does not verify with the key of \"{}\"",
                cert.subject(),
                issuer.subject()
            ))
        })
}
