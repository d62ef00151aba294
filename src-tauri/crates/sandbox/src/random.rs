//! Random text for the ids, secrets and tokens the sandbox gives out.

use rand::Rng;

/// `length` characters drawn from `alphabet`.
pub(crate) fn random_text(length: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..length)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}
