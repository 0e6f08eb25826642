//! The cryptographic floor: what one core does with nothing but the
//! signatures a request needs. An ES256 token costs one P-256 signature to
//! issue and one verification to check; a passkey sign-in one verification.

use std::time::{Duration, Instant};

use ring::rand::SystemRandom;
use ring::signature::{
    ECDSA_P256_SHA256_FIXED, ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _,
    UnparsedPublicKey,
};
use serde::{Deserialize, Serialize};

use crate::scenario::Op;

/// Single-core costs of the primitives, and the machine's core count.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Floor {
    pub es256_sign_us: f64,
    pub p256_verify_us: f64,
    pub es256_signs_per_s_per_core: f64,
    pub p256_verifies_per_s_per_core: f64,
    pub cores: usize,
}

/// Signatures made and verified by the server for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoCost {
    pub signs: u32,
    pub verifies: u32,
}

impl Op {
    /// The server's signature work for one operation (ES256 clients).
    pub fn crypto_cost(self) -> CryptoCost {
        let (signs, verifies) = match self {
            // The passkey assertion; the access token and the ID token.
            Op::Signin => (2, 1),
            // A new access token and ID token (openid scope).
            Op::Refresh => (2, 0),
            Op::ClientCredentials => (1, 0),
            // The access token is checked before anything else.
            Op::Userinfo | Op::Introspect => (0, 1),
            Op::Discovery | Op::Jwks => (0, 0),
        };
        CryptoCost { signs, verifies }
    }
}

impl Floor {
    /// The single-core crypto cost of one operation of `op`, µs (`None`
    /// where it needs no signature).
    pub fn cost_us(&self, op: Op) -> Option<f64> {
        let c = op.crypto_cost();
        let us =
            f64::from(c.signs) * self.es256_sign_us + f64::from(c.verifies) * self.p256_verify_us;
        (us > 0.0).then_some(us)
    }

    /// The operations per second all cores would reach doing only the crypto.
    pub fn ops_per_s(&self, op: Op) -> Option<f64> {
        self.cost_us(op).map(|us| self.cores as f64 * 1e6 / us)
    }

    /// Weighted over a blend's operations (one cycle of it).
    pub fn cost_us_of(&self, ops: &[Op]) -> Option<f64> {
        let total: f64 = ops.iter().filter_map(|&op| self.cost_us(op)).sum();
        (total > 0.0 && !ops.is_empty()).then(|| total / ops.len() as f64)
    }
}

/// Nanoseconds this thread has run on a CPU (the first field of
/// `/proc/thread-self/schedstat`), so that a shared machine's other work
/// does not count against the primitives.
fn thread_cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Runs `f` repeatedly for about `budget`, returning µs of this thread's
/// CPU time per call (wall time where the kernel does not tell).
fn time_per_call(budget: Duration, mut f: impl FnMut()) -> f64 {
    // Warm up caches and the CPU clock.
    for _ in 0..50 {
        f();
    }
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    let mut n: u64 = 0;
    while start.elapsed() < budget {
        for _ in 0..100 {
            f();
        }
        n += 100;
    }
    let wall_us = start.elapsed().as_secs_f64() * 1e6;
    let us = match (cpu_start, thread_cpu_ns()) {
        (Some(a), Some(b)) if b > a => (b - a) as f64 / 1e3,
        _ => wall_us,
    };
    us / n as f64
}

/// Measures signing and verification on this thread, `budget` of wall
/// time each, in CPU time.
pub fn measure(budget: Duration) -> anyhow::Result<Floor> {
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| anyhow::anyhow!("P-256 key generation failed"))?;
    let key = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
        .map_err(|_| anyhow::anyhow!("P-256 key parsing failed"))?;
    // About the size of a JWT's signing input.
    let message = vec![b'x'; 420];
    let signature = key
        .sign(&rng, &message)
        .map_err(|_| anyhow::anyhow!("signing failed"))?;
    let public =
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, key.public_key().as_ref().to_vec());
    let mut failed = false;
    let sign_us = time_per_call(budget, || {
        failed |= key.sign(&rng, &message).is_err();
    });
    let verify_us = time_per_call(budget, || {
        failed |= public.verify(&message, signature.as_ref()).is_err();
    });
    if failed {
        anyhow::bail!("a signature failed while measuring");
    }
    Ok(Floor {
        es256_sign_us: sign_us,
        p256_verify_us: verify_us,
        es256_signs_per_s_per_core: 1e6 / sign_us,
        p256_verifies_per_s_per_core: 1e6 / verify_us,
        cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn floor() -> Floor {
        Floor {
            es256_sign_us: 20.0,
            p256_verify_us: 60.0,
            es256_signs_per_s_per_core: 50_000.0,
            p256_verifies_per_s_per_core: 16_666.0,
            cores: 2,
        }
    }

    #[test]
    fn floors_follow_each_operations_signatures() {
        let f = floor();
        assert_eq!(f.cost_us(Op::Signin), Some(100.0));
        assert_eq!(f.cost_us(Op::ClientCredentials), Some(20.0));
        assert_eq!(f.ops_per_s(Op::ClientCredentials), Some(100_000.0));
        assert_eq!(f.cost_us(Op::Jwks), None);
        assert_eq!(f.ops_per_s(Op::Discovery), None);
        assert_eq!(f.cost_us_of(&[Op::ClientCredentials, Op::Jwks]), Some(10.0));
    }

    #[test]
    fn measuring_gives_plausible_numbers() {
        let f = measure(Duration::from_millis(20)).unwrap();
        assert!(f.es256_sign_us > 0.0 && f.p256_verify_us > 0.0);
        assert!(f.cores >= 1);
    }
}
