//! The crate's side of the PHP / Python / `openssl speed` comparison
//! (benches/compare/): a plain timing loop over the envelopes in
//! benches/compare/envelopes.txt, printing `TOOL<TAB>name<TAB>envelopes per
//! second` (median of rounds), the same lines compare.php and compare.py
//! print. TOOL is `respsig-aws-lc` or `respsig-ring`, the backend this
//! build verifies with. Run through benches/compare/run.sh, or `cargo bench
//! --bench compare` (add `--no-default-features --features ring` for ring).
//!
//! Each envelope's key is loaded once into a keyring (under `product` and
//! `global`), then every iteration is a full `Keyring::verify` from the
//! envelope text to `Verified`. Then signing: `SigningKey::sign_envelope`
//! of the seed 373 `response` with the RSA-2048 and RSA-4096 test keys,
//! printed as `TOOL-sign<TAB>sign_rsaBITS<TAB>envelopes per second`, which
//! run.sh sets against `openssl speed`'s sign rate for the same size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use respsig::Policy;
use std::hint::black_box;
use std::time::{Duration, Instant};

use respsig::{Keyring, PublicKey, SigningKey};

/// The backend this build verifies and signs with (aws-lc-rs wins when
/// both features are on, as in the library).
const TOOL: &str = if cfg!(feature = "aws-lc") {
    "respsig-aws-lc"
} else {
    "respsig-ring"
};

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let seconds: f64 = std::env::var("COMPARE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.5);
    let rounds: usize = std::env::var("COMPARE_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let list = std::fs::read_to_string(format!("{root}/benches/compare/envelopes.txt")).unwrap();
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let [name, key, envelope] = fields[..] else {
            panic!("bad line in envelopes.txt: {line}");
        };
        let pem = std::fs::read_to_string(format!("{root}/{key}")).unwrap();
        let key = PublicKey::from_pem(&pem).unwrap();
        let keyring = Keyring::new()
            .with("product", key.clone())
            .unwrap()
            .with("global", key)
            .unwrap();
        let text = std::fs::read_to_string(format!("{root}/{envelope}")).unwrap();
        keyring.verify(&text, &Policy::any_age()).unwrap();

        let mut rates: Vec<f64> = (0..rounds)
            .map(|_| {
                rate(seconds, || {
                    keyring
                        .verify(black_box(text.as_str()), &Policy::any_age())
                        .is_ok()
                })
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        println!("{TOOL}\t{name}\t{:.0}", rates[rates.len() / 2]);
    }

    let seed = std::fs::read_to_string(format!(
        "{root}/testdata/gkm/seed-373-update-product-meta.json"
    ))
    .unwrap();
    let seed: serde_json::Value = serde_json::from_str(&seed).unwrap();
    let response = &seed["response"];
    for bits in [2048, 4096] {
        let pem = std::fs::read_to_string(format!("{root}/testdata/keys/rsa{bits}.pem")).unwrap();
        let key = SigningKey::from_pem(&pem).unwrap();
        let keyring = Keyring::new()
            .with("product", key.public_key().clone())
            .unwrap();
        keyring
            .verify(
                key.sign_envelope("product", response).unwrap(),
                &respsig::Policy::any_age(),
            )
            .unwrap();
        let mut rates: Vec<f64> = (0..rounds)
            .map(|_| {
                rate(seconds, || {
                    key.sign_envelope(black_box("product"), black_box(response))
                        .is_ok()
                })
            })
            .collect();
        rates.sort_by(f64::total_cmp);
        println!("{TOOL}-sign\tsign_rsa{bits}\t{:.0}", rates[rates.len() / 2]);
    }
}

/// Calls `f` for about `seconds`, in batches, and returns calls per second.
fn rate(seconds: f64, mut f: impl FnMut() -> bool) -> f64 {
    let budget = Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut calls = 0u64;
    let mut batch = 16u64;
    while start.elapsed() < budget {
        for _ in 0..batch {
            assert!(f());
        }
        calls += batch;
        batch = (batch * 2).min(4096);
    }
    calls as f64 / start.elapsed().as_secs_f64()
}
