//! RSA key generation (feature `keygen`).
//!
//! The crypto backends cannot generate RSA keys, so the rsa crate generates them. That is
//! the rsa crate's only use here: key generation involves no secret-
//! dependent operation on attacker-chosen input, which is what the Marvin
//! attack (RUSTSEC-2023-0071) exploits. The new key is then loaded through
//! the backend like any other, and every signature is made by the backend.

use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use zeroize::Zeroizing;

use crate::error::{Error, KeyProblem};
use crate::sign::SigningKey;

/// The modulus sizes `generate` offers.
pub const SIZES: [usize; 3] = [2048, 3072, 4096];

/// A freshly generated key pair.
pub struct KeyPair {
    /// The private key as PKCS#8 PEM (`BEGIN PRIVATE KEY`), zeroized on
    /// drop.
    pub private_pem: Zeroizing<String>,
    /// The same key, loaded for signing.
    pub signing_key: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("signing_key", &self.signing_key)
            .finish_non_exhaustive()
    }
}

/// Generates an RSA key pair of `bits` (2048, 3072 or 4096) with e = 65537.
pub fn generate(bits: usize) -> Result<KeyPair, Error> {
    if !SIZES.contains(&bits) {
        return Err(KeyProblem::UnsupportedSize { bits }.into());
    }
    let mut rng = rsa::rand_core::OsRng;
    let key = rsa::RsaPrivateKey::new(&mut rng, bits).map_err(|_| Error::KeyGeneration)?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|_| Error::KeyGeneration)?;
    let signing_key = SigningKey::from_pem(&pem)?;
    Ok(KeyPair {
        private_pem: Zeroizing::new(pem.to_string()),
        signing_key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_offered_sizes() {
        for bits in [0, 1024, 2047, 3000, 4095, 8192] {
            let refused = generate(bits).unwrap_err();
            assert_eq!(
                refused,
                Error::KeyRejected(KeyProblem::UnsupportedSize { bits })
            );
        }
        assert_eq!(
            generate(3000).unwrap_err().to_string(),
            "key rejected: 3000 bits is not a size key generation offers (2048, 3072 or 4096)"
        );
    }
}
