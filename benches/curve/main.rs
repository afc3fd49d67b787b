//! The crate's side of the cost curve (benches/curve/, BENCHMARKS.md): for
//! each envelope that `make.php` wrote (payloads of 100 B to 1 MiB, compact
//! and pretty-printed `response`), `Keyring::verify_with` end to end and
//! ring's raw verify of the same bytes, paired: alternating batches, order
//! swapped every round, so load from other work hits both sides alike. The
//! crate's non-RSA work is the per-round difference of the two.
//!
//! Also timed, alone: reading the envelope (a keyring without the
//! envelope's key name, so verify stops at `UnknownKeyName` right after
//! the reader), the stage before any RSA work.
//!
//! Prints one tab-separated line per envelope:
//! `respsig SIZE VARIANT ENVELOPE_BYTES FULL_NS RAW_NS RATIO DIFF_NS DIFF_Q1 DIFF_Q3 READ_NS`
//! (medians; DIFF_Q1/Q3 the interquartile range of the per-round
//! difference). Run through `bash benches/curve/run.sh`; `CURVE_DIR` is
//! where the envelopes are, `CURVE_SECONDS` (default 2) the time per
//! envelope.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::Instant;

use base64ct::{Base64, Encoding};
use respsig::{Error, Keyring, Limits, Policy, PublicKey};

/// Per-call times (ns) of `a` and `b` in alternating batches of about
/// 4 ms each, for about `seconds` in all.
fn paired(seconds: f64, mut a: impl FnMut(), mut b: impl FnMut()) -> (Vec<f64>, Vec<f64>) {
    let start = Instant::now();
    let mut calls = 0u32;
    while calls < 2 || start.elapsed().as_millis() < 50 {
        a();
        b();
        calls += 1;
    }
    let per_pair = start.elapsed().as_secs_f64() / f64::from(calls);
    let batch = ((4e-3 / per_pair).ceil() as u32).max(1);
    let rounds = ((seconds / (per_pair * f64::from(batch))) as usize).clamp(15, 400);
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        t.elapsed().as_secs_f64() * 1e9 / f64::from(batch)
    };
    let (mut ta, mut tb) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        if round % 2 == 0 {
            ta.push(time(&mut a));
            tb.push(time(&mut b));
        } else {
            tb.push(time(&mut b));
            ta.push(time(&mut a));
        }
    }
    (ta, tb)
}

/// The `p` quantile of `v` (sorted here).
fn q(mut v: Vec<f64>, p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p).round() as usize]
}

/// Median time per call of `f`, in batches of about 4 ms, for `seconds`.
fn alone(seconds: f64, mut f: impl FnMut()) -> f64 {
    let (t, _) = paired(seconds, &mut f, || {});
    q(t, 0.5)
}

fn main() {
    let root = env!("CARGO_MANIFEST_DIR");
    let dir = std::env::var("CURVE_DIR").unwrap_or_else(|_| format!("{root}/target/curve"));
    let seconds: f64 = std::env::var("CURVE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let pem = std::fs::read_to_string(format!("{root}/testdata/keys/rsa2048.pub.pem")).unwrap();
    let public = PublicKey::from_pem(&pem).unwrap();
    let keyring = Keyring::new().with("product", public.clone()).unwrap();
    let other = Keyring::new().with("other", public).unwrap();
    // The 1 MiB payload's envelope is 2.4 MB compact, 3.2 MB pretty.
    let options = Policy::any_age().limits(Limits::new().max_input_bytes(8 << 20));

    let spki =
        spki::SubjectPublicKeyInfoRef::try_from(keyring.keys("product")[0].spki_der()).unwrap();
    let rsa = pkcs1::RsaPublicKey::try_from(spki.subject_public_key.raw_bytes()).unwrap();
    let (n, e) = (rsa.modulus.as_bytes(), rsa.public_exponent.as_bytes());
    let ring_verify = |msg: &[u8], sig: &[u8]| {
        ring::signature::RsaPublicKeyComponents { n, e }
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, msg, sig)
            .is_ok()
    };

    for size in [100, 1024, 2048, 8192, 65536, 1048576] {
        for variant in ["compact", "pretty"] {
            let file = match variant {
                "compact" => format!("{dir}/{size}.json"),
                _ => format!("{dir}/{size}-pretty.json"),
            };
            let text = std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{file}: {e} (run benches/curve/run.sh)"));
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            let signed = v["response_base64"].as_str().unwrap().as_bytes().to_vec();
            let sig = Base64::decode_vec(v["signature"].as_str().unwrap()).unwrap();
            let verified = keyring.verify(&text, &options).unwrap();
            assert_eq!(
                verified.payload_bytes(),
                Base64::decode_vec(v["response_base64"].as_str().unwrap()).unwrap()
            );
            assert_eq!(verified.payload_bytes().len(), size);
            assert!(ring_verify(&signed, &sig));
            assert!(matches!(
                other.verify(&text, &options),
                Err(Error::UnknownKeyName { .. })
            ));

            let (full, raw) = paired(
                seconds,
                || {
                    black_box(keyring.verify(black_box(&text), &options).is_ok());
                },
                || {
                    black_box(ring_verify(black_box(&signed), black_box(&sig)));
                },
            );
            let ratio: Vec<f64> = full.iter().zip(&raw).map(|(a, b)| a / b).collect();
            let diff: Vec<f64> = full.iter().zip(&raw).map(|(a, b)| a - b).collect();
            let read = alone(seconds / 4.0, || {
                black_box(other.verify(black_box(&text), &options).is_err());
            });
            println!(
                "respsig\t{size}\t{variant}\t{}\t{:.0}\t{:.0}\t{:.4}\t{:.0}\t{:.0}\t{:.0}\t{:.0}",
                text.len(),
                q(full, 0.5),
                q(raw, 0.5),
                q(ratio, 0.5),
                q(diff.clone(), 0.5),
                q(diff.clone(), 0.25),
                q(diff, 0.75),
                read,
            );
        }
    }
}
