//! Inputs shared by the benchmark targets: fixture files, keys as ring and
//! aws-lc-rs take them, and the fields of an envelope. Everything here runs
//! once, outside timing; every fixture is checked before it is measured.
#![allow(dead_code)]

use base64ct::{Base64, Encoding};
use respsig::Policy;
use respsig::{Keyring, PublicKey, SigningKey};
use serde_json::Value;

/// A file of the repository, as text.
pub fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The demo key: the server's RSA-2048 key behind the seed envelopes.
pub const DEMO_KEY: &str = "testdata/gkm/gkm-demo-public.pem";
/// The seed envelope of the headline benchmark (code 373, key `product`).
pub const SEED_373: &str = "testdata/gkm/seed-373-update-product-meta.json";
/// All four seed envelopes (two under `product`, two under `global`, all
/// signed by the demo key).
pub const SEEDS: [(&str, &str); 4] = [
    ("seed_372", "testdata/gkm/seed-372-update-product-meta.json"),
    ("seed_373", SEED_373),
    ("seed_650", "testdata/gkm/seed-650-update-product.json"),
    ("seed_651", "testdata/gkm/seed-651-update-product.json"),
];
/// The ~2 KB payload (canonical text) and its envelopes (testdata/bench/).
pub const PAYLOAD_2K: &str = "testdata/bench/payload-2k.json";
pub const ENVELOPE_2K_2048: &str = "testdata/bench/envelope-2k-rsa2048.json";
pub const ENVELOPE_2K_4096: &str = "testdata/bench/envelope-2k-rsa4096.json";

/// A public key as the crate, ring and aws-lc-rs each take it.
pub struct Key {
    pub public: PublicKey,
    /// Big-endian modulus and exponent (ring's `RsaPublicKeyComponents`).
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    /// PKCS#1 `RSAPublicKey` DER (ring's and aws-lc-rs's RSA key bytes).
    pub pkcs1_der: Vec<u8>,
}

impl Key {
    pub fn from_pem_file(path: &str) -> Key {
        let public = PublicKey::from_pem(&read(path)).unwrap();
        let spki = spki::SubjectPublicKeyInfoRef::try_from(public.spki_der()).unwrap();
        let pkcs1_der = spki.subject_public_key.raw_bytes().to_vec();
        let rsa = pkcs1::RsaPublicKey::try_from(pkcs1_der.as_slice()).unwrap();
        Key {
            n: rsa.modulus.as_bytes().to_vec(),
            e: rsa.public_exponent.as_bytes().to_vec(),
            pkcs1_der,
            public,
        }
    }

    /// A keyring holding this key under `product` and `global`.
    pub fn keyring(&self) -> Keyring {
        Keyring::new()
            .with("product", self.public.clone())
            .unwrap()
            .with("global", self.public.clone())
            .unwrap()
    }

    /// ring's verify of `sig` over `msg`, the key as bare components.
    pub fn ring_verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        ring::signature::RsaPublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
        .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
        .is_ok()
    }

    /// aws-lc-rs's key, parsed once.
    #[cfg(feature = "aws-lc")]
    pub fn aws_lc(&self) -> aws_lc_rs::signature::ParsedPublicKey {
        aws_lc_rs::signature::ParsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &self.pkcs1_der,
        )
        .unwrap()
    }
}

/// An envelope's text and the two fields a raw verify needs.
pub struct Envelope {
    pub text: String,
    /// The ASCII bytes of `response_base64`: what is signed.
    pub signed: Vec<u8>,
    /// The decoded `signature`.
    pub signature: Vec<u8>,
    /// The plain `response` member.
    pub response: Value,
}

impl Envelope {
    pub fn from_file(path: &str) -> Envelope {
        let text = read(path);
        let v: Value = serde_json::from_str(&text).unwrap();
        let field = |name: &str| v[name].as_str().unwrap().to_owned();
        Envelope {
            signed: field("response_base64").into_bytes(),
            signature: Base64::decode_vec(&field("signature")).unwrap(),
            response: v["response"].clone(),
            text,
        }
    }

    /// Checks, once, that the crate and ring both accept this envelope
    /// under `key` and that the crate hands back the decoded payload, so no
    /// benchmark measures a failing path.
    pub fn check(&self, key: &Key, keyring: &Keyring) {
        let verified = keyring.verify(&self.text, &Policy::any_age()).unwrap();
        let payload = Base64::decode_vec(std::str::from_utf8(&self.signed).unwrap()).unwrap();
        assert_eq!(verified.payload_bytes(), payload.as_slice());
        assert!(key.ring_verify(&self.signed, &self.signature));
        #[cfg(feature = "aws-lc")]
        assert!(
            key.aws_lc()
                .verify_sig(&self.signed, &self.signature)
                .is_ok()
        );
    }
}

/// A private key as the crate and ring each take it.
pub struct Signing {
    pub key: SigningKey,
    pub ring: ring::signature::RsaKeyPair,
    #[cfg(feature = "aws-lc")]
    pub aws_lc: aws_lc_rs::signature::RsaKeyPair,
}

impl Signing {
    /// From a PKCS#8 PEM file (testdata/keys/rsa*.pem).
    pub fn from_pem_file(path: &str) -> Signing {
        let pem = read(path);
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = Base64::decode_vec(&b64).unwrap();
        Signing {
            key: SigningKey::from_pem(&pem).unwrap(),
            ring: ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap(),
            #[cfg(feature = "aws-lc")]
            aws_lc: aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).unwrap(),
        }
    }

    /// The envelope the crate makes for `response` under `product`, and
    /// checks, once, that ring's raw signature of the same base64 text is
    /// the same bytes (PKCS#1 v1.5 is deterministic). Returns the base64
    /// text the raw benchmark signs.
    pub fn check(&self, response: &Value) -> Vec<u8> {
        let envelope = self.key.sign_envelope("product", response).unwrap();
        let env: Value = serde_json::from_str(&envelope).unwrap();
        let signed = env["response_base64"].as_str().unwrap().as_bytes().to_vec();
        let sig = Base64::decode_vec(env["signature"].as_str().unwrap()).unwrap();
        let mut raw = vec![0; self.ring.public().modulus_len()];
        self.ring_sign(&signed, &mut raw);
        assert_eq!(raw, sig, "ring and respsig disagree");
        #[cfg(feature = "aws-lc")]
        {
            self.aws_lc_sign(&signed, &mut raw);
            assert_eq!(raw, sig, "aws-lc-rs and respsig disagree");
        }
        let keyring = Keyring::new()
            .with("product", self.key.public_key().clone())
            .unwrap();
        keyring.verify(&envelope, &Policy::any_age()).unwrap();
        signed
    }

    /// ring's sign of `msg` into `out`.
    pub fn ring_sign(&self, msg: &[u8], out: &mut [u8]) {
        self.ring
            .sign(
                &ring::signature::RSA_PKCS1_SHA256,
                &ring::rand::SystemRandom::new(),
                msg,
                out,
            )
            .unwrap();
    }

    /// aws-lc-rs's sign of `msg` into `out`.
    #[cfg(feature = "aws-lc")]
    pub fn aws_lc_sign(&self, msg: &[u8], out: &mut [u8]) {
        self.aws_lc
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                msg,
                out,
            )
            .unwrap();
    }
}

/// Every envelope of `batch` verified under any age on the current rayon
/// pool, in input order: how the README verifies many envelopes
/// (`Keyring` is `Sync`).
#[allow(dead_code)]
pub fn verify_all(
    keyring: &respsig::Keyring,
    batch: &[&str],
) -> Vec<Result<respsig::Verified, respsig::Error>> {
    use rayon::prelude::*;
    let policy = respsig::Policy::any_age();
    batch
        .par_iter()
        .map(|e| keyring.verify(e, &policy))
        .collect()
}
