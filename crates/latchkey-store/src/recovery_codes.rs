//! Recovery codes. Each code has ≥ 80 bits of entropy, is stored as a keyed
//! hash (HMAC-SHA256 with a key derived from the master key, so a database
//! dump alone cannot be brute-forced), and can be used once.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use latchkey_core::{Secret, UserId};
use rand::Rng as _;
use ring::hmac;

use crate::schema::recovery_codes;
use crate::seal::MasterKey;
use crate::{DbConnection, StoreError, to_db, write_transaction};

/// How many codes a batch holds.
pub const CODES_PER_BATCH: usize = 10;
/// Characters of a code: Crockford base32 (no I, L, O, U), 5 bits each.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 20 characters × 5 bits = 100 bits.
const CODE_CHARS: usize = 20;

/// Computes the stored form of codes.
pub struct RecoveryCodeHasher {
    key: hmac::Key,
}

impl std::fmt::Debug for RecoveryCodeHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodeHasher(<key redacted>)")
    }
}

/// Normalises what a person typed: upper case, no separators, and the
/// look-alikes I/L → 1 and O → 0.
pub fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

impl RecoveryCodeHasher {
    pub fn new(master: &MasterKey) -> Self {
        Self {
            key: master.keyed_hash_key("recovery-codes"),
        }
    }

    pub fn hash(&self, code: &str) -> Vec<u8> {
        hmac::sign(&self.key, normalise(code).as_bytes())
            .as_ref()
            .to_vec()
    }
}

/// A fresh code, grouped `XXXXX-XXXXX-XXXXX-XXXXX` for reading aloud.
fn generate_code() -> String {
    let mut rng = rand::rng();
    let raw: String = (0..CODE_CHARS)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect();
    raw.as_bytes()
        .chunks(5)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Replaces the user's codes with a new batch; returns the plaintext codes,
/// to be shown once and never stored.
pub fn regenerate(
    conn: &mut DbConnection,
    hasher: &RecoveryCodeHasher,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Secret<Vec<String>>, StoreError> {
    let codes: Vec<String> = (0..CODES_PER_BATCH).map(|_| generate_code()).collect();
    let batch = uuid::Uuid::new_v4().to_string();
    write_transaction(conn, |conn| {
        diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.to_string())))
            .execute(conn)?;
        for code in &codes {
            diesel::insert_into(recovery_codes::table)
                .values((
                    recovery_codes::id.eq(uuid::Uuid::new_v4().to_string()),
                    recovery_codes::user_id.eq(user.to_string()),
                    recovery_codes::batch_id.eq(&batch),
                    recovery_codes::code_hash.eq(hasher.hash(code)),
                    recovery_codes::created_at.eq(to_db(now)),
                ))
                .execute(conn)?;
        }
        Ok(())
    })?;
    Ok(Secret::new(codes))
}

/// How many unused codes the user has.
pub fn remaining(conn: &mut DbConnection, user: UserId) -> Result<i64, StoreError> {
    Ok(recovery_codes::table
        .filter(recovery_codes::user_id.eq(user.to_string()))
        .filter(recovery_codes::used_at.is_null())
        .count()
        .get_result(conn)?)
}

/// Uses one of the user's codes. True if it was valid and unused; it is then
/// spent (a concurrent second use of the same code gets false).
pub fn consume(
    conn: &mut DbConnection,
    hasher: &RecoveryCodeHasher,
    user: UserId,
    code: &str,
    now: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let n = diesel::update(
        recovery_codes::table
            .filter(recovery_codes::user_id.eq(user.to_string()))
            .filter(recovery_codes::code_hash.eq(hasher.hash(code)))
            .filter(recovery_codes::used_at.is_null()),
    )
    .set(recovery_codes::used_at.eq(Some(to_db(now))))
    .execute(conn)?;
    Ok(n == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_at_least_80_bits_and_normalise_look_alikes() {
        let code = generate_code();
        assert_eq!(code.len(), 23);
        let bits = normalise(&code).len() as f64 * (ALPHABET.len() as f64).log2();
        assert!(bits >= 80.0);
        assert_eq!(normalise("abcde-fghij ilo"), "ABCDEFGH1J110");
    }

    #[test]
    fn hash_depends_on_the_master_key_and_ignores_formatting() {
        let a = RecoveryCodeHasher::new(&MasterKey::generate().unwrap());
        let b = RecoveryCodeHasher::new(&MasterKey::generate().unwrap());
        assert_eq!(a.hash("ABCDE-12345"), a.hash("abcde12345"));
        assert_ne!(a.hash("ABCDE-12345"), b.hash("ABCDE-12345"));
    }
}
