//! Same-run ratios measured paired and interleaved (BENCHMARKS.md's
//! headline figures): the crate's end-to-end operation and its raw baseline run in
//! alternating batches (order swapped every round), so load from other
//! work on a shared machine hits both sides of each ratio alike. Prints a
//! markdown table: median time per call of each side and the median of the
//! per-round ratios, with its interquartile range.
//!
//! The last row signs the ~2 KB payload (floats, unicode), where the
//! canonical writer has most to do, against ring's raw sign of the same
//! base64 text.
//!
//! `cargo bench --bench paired [--features aws-lc]`; `PAIRED_ROUNDS`
//! (default 200) rounds of about 2 ms per side.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use respsig::Policy;
use std::hint::black_box;
use std::time::Instant;

use common::{
    DEMO_KEY, ENVELOPE_2K_2048, ENVELOPE_2K_4096, Envelope, Key, PAYLOAD_2K, SEED_373, Signing,
};

/// Runs `a` and `b` in alternating batches; returns (ns per call of a, of
/// b, and the median, first and third quartile of the per-round ratio a/b).
fn paired(rounds: usize, mut a: impl FnMut(), mut b: impl FnMut()) -> [f64; 5] {
    let start = Instant::now();
    let mut calls = 0u32;
    while start.elapsed().as_millis() < 50 {
        a();
        b();
        calls += 1;
    }
    let per_pair = start.elapsed().as_secs_f64() / f64::from(calls);
    let batch = ((4e-3 / per_pair).ceil() as u32).max(1);
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        t.elapsed().as_secs_f64() * 1e9 / f64::from(batch)
    };
    let (mut ta, mut tb, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let (x, y) = if round % 2 == 0 {
            let x = time(&mut a);
            (x, time(&mut b))
        } else {
            let y = time(&mut b);
            (time(&mut a), y)
        };
        ta.push(x);
        tb.push(y);
        ratio.push(x / y);
    }
    let q = |v: &mut Vec<f64>, p: f64| {
        v.sort_by(f64::total_cmp);
        v[((v.len() - 1) as f64 * p).round() as usize]
    };
    [
        q(&mut ta, 0.5),
        q(&mut tb, 0.5),
        q(&mut ratio, 0.5),
        q(&mut ratio, 0.25),
        q(&mut ratio, 0.75),
    ]
}

/// `Keyring::verify` from rayon's `par_iter` over 64 seed envelopes on the default rayon
/// pool against a pool of one thread: the ratio is one-thread time over
/// all-threads time, i.e. the speedup.
fn batch(rounds: usize) {
    let keyring = Key::from_pem_file(DEMO_KEY).keyring();
    let texts: Vec<String> = common::SEEDS
        .iter()
        .map(|(_, path)| common::read(path))
        .collect();
    let batch: Vec<&str> = (0..64).map(|i| texts[i % texts.len()].as_str()).collect();
    assert!(
        common::verify_all(&keyring, &batch)
            .iter()
            .all(Result::is_ok)
    );
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let all = rayon::ThreadPoolBuilder::new().build().unwrap();
    let r = paired(
        rounds / 4,
        || {
            black_box(one.install(|| common::verify_all(&keyring, black_box(&batch))));
        },
        || {
            black_box(all.install(|| common::verify_all(&keyring, black_box(&batch))));
        },
    );
    row(
        "verify_batch/threads_1 (64 envelopes)",
        &format!("threads_{}", all.current_num_threads()),
        r,
    );
}

fn row(id: &str, base: &str, r: [f64; 5]) {
    println!(
        "| `{id}` | {:.2} µs | `{base}` | {:.2} µs | **{:.3}** | {:.3} – {:.3} |",
        r[0] / 1e3,
        r[1] / 1e3,
        r[2],
        r[3],
        r[4]
    );
}

fn main() {
    let rounds = std::env::var("PAIRED_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    println!("| crate | median | baseline | median | ratio (median) | ratio IQR |");
    println!("|---|---:|---|---:|---:|---:|");

    for (group, path, key) in [
        ("verify_2048", SEED_373, DEMO_KEY),
        (
            "verify_4096",
            ENVELOPE_2K_4096,
            "testdata/keys/rsa4096.pub.pem",
        ),
        (
            "verify_2k_2048",
            ENVELOPE_2K_2048,
            "testdata/keys/rsa2048.pub.pem",
        ),
    ] {
        let key = Key::from_pem_file(key);
        let keyring = key.keyring();
        let env = Envelope::from_file(path);
        env.check(&key, &keyring);
        let text = env.text.as_str();
        let crate_verify = || {
            black_box(keyring.verify(black_box(text), &Policy::any_age()).is_ok());
        };
        let ring_raw = || {
            black_box(key.ring_verify(black_box(&env.signed), black_box(&env.signature)));
        };
        let r = paired(rounds, crate_verify, ring_raw);
        row(&format!("{group}/respsig"), "ring_raw", r);
        #[cfg(feature = "aws-lc")]
        {
            let parsed = key.aws_lc();
            let aws_raw = || {
                black_box(
                    parsed
                        .verify_sig(black_box(&env.signed), black_box(&env.signature))
                        .is_ok(),
                );
            };
            let r = paired(rounds, crate_verify, aws_raw);
            row(&format!("{group}/respsig"), "aws_lc_raw", r);
        }
    }

    batch(rounds);

    let signing = Signing::from_pem_file("testdata/keys/rsa2048.pem");
    let response = Envelope::from_file(SEED_373).response;
    let signed = signing.check(&response);
    let mut out = vec![0; signing.ring.public().modulus_len()];
    // Captures shared references only, so it is `Copy`: one closure for
    // every baseline.
    let respsig = || {
        black_box(
            signing
                .key
                .sign_envelope("product", black_box(&response))
                .is_ok(),
        );
    };
    let r = paired(rounds / 2, respsig, || {
        signing.ring_sign(black_box(&signed), &mut out)
    });
    row("sign_2048/respsig", "ring_raw", r);
    #[cfg(feature = "aws-lc")]
    {
        let r = paired(rounds / 2, respsig, || {
            signing.aws_lc_sign(black_box(&signed), &mut out)
        });
        row("sign_2048/respsig", "aws_lc_raw", r);
    }

    // The ~2 KB payload (unicode, floats): the canonical writer's share.
    let payload_2k = respsig::canonical::read(common::read(PAYLOAD_2K).as_bytes()).unwrap();
    let signed_2k = signing.check(&payload_2k);
    let r = paired(
        rounds / 2,
        || {
            black_box(
                signing
                    .key
                    .sign_envelope("product", black_box(&payload_2k))
                    .is_ok(),
            );
        },
        || signing.ring_sign(black_box(&signed_2k), &mut out),
    );
    row("sign_2k_2048/respsig", "ring_raw", r);
}
