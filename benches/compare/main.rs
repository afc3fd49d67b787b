//! The crate's side of the PHP / Python comparison (benches/compare/): a
//! plain timing loop over the envelopes in benches/compare/envelopes.txt,
//! printing `respsig<TAB>name<TAB>envelopes per second` (median of
//! rounds), the same lines compare.php and compare.py print. Run through
//! benches/compare/run.sh, or `cargo bench --bench compare`.
//!
//! Each envelope's key is loaded once into a keyring (under `product` and
//! `global`), then every iteration is a full `Keyring::verify` from the
//! envelope text to `Verified`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use respsig::Policy;
use std::hint::black_box;
use std::time::{Duration, Instant};

use respsig::{Keyring, PublicKey};

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
        println!("respsig\t{name}\t{:.0}", rates[rates.len() / 2]);
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
