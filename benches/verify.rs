//! The headline benchmarks: the crate's end-to-end envelope
//! verify and sign next to the raw RSA operation of the same backend on the
//! same bytes, in the same Criterion group, so each report shows the
//! crate's overhead as a ratio.
//!
//! Ids (fixed): `verify_2048/{respsig,ring_raw,aws_lc_raw}` over the seed
//! envelope with code 373 under the demo key; `verify_4096/...` over the
//! ~2 KB payload signed by testdata/keys/rsa4096.pem
//! (testdata/bench/envelope-2k-rsa4096.json); `sign_2048/{respsig,ring_raw}`
//! with testdata/keys/rsa2048.pem. `aws_lc_raw` only with `--features
//! aws-lc` (aws-lc-rs, key parsed once beforehand).
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

mod common;

use respsig::Policy;
use std::hint::black_box;

use common::{ENVELOPE_2K_4096, Envelope, Key, SEED_373, Signing};
use criterion::{Criterion, criterion_group, criterion_main};

fn verify_group(c: &mut Criterion, group: &str, envelope: &str, key: &str) {
    let key = Key::from_pem_file(key);
    let keyring = key.keyring();
    let env = Envelope::from_file(envelope);
    env.check(&key, &keyring);
    let text = env.text.as_str();

    let mut g = c.benchmark_group(group);
    g.bench_function("respsig", |b| {
        b.iter(|| keyring.verify(black_box(text), &Policy::any_age()))
    });
    g.bench_function("ring_raw", |b| {
        b.iter(|| key.ring_verify(black_box(&env.signed), black_box(&env.signature)))
    });
    #[cfg(feature = "aws-lc")]
    {
        let parsed = key.aws_lc();
        g.bench_function("aws_lc_raw", |b| {
            b.iter(|| parsed.verify_sig(black_box(&env.signed), black_box(&env.signature)))
        });
    }
    g.finish();
}

fn verify_2048(c: &mut Criterion) {
    verify_group(c, "verify_2048", SEED_373, common::DEMO_KEY);
}

fn verify_4096(c: &mut Criterion) {
    verify_group(
        c,
        "verify_4096",
        ENVELOPE_2K_4096,
        "testdata/keys/rsa4096.pub.pem",
    );
}

fn sign_2048(c: &mut Criterion) {
    let signing = Signing::from_pem_file("testdata/keys/rsa2048.pem");
    let response = Envelope::from_file(SEED_373).response;
    let signed = signing.check(&response);
    let mut out = vec![0; signing.ring.public().modulus_len()];

    let mut g = c.benchmark_group("sign_2048");
    g.bench_function("respsig", |b| {
        b.iter(|| signing.key.sign_envelope("product", black_box(&response)))
    });
    g.bench_function("ring_raw", |b| {
        b.iter(|| signing.ring_sign(black_box(&signed), &mut out))
    });
    g.finish();
}

criterion_group!(benches, verify_2048, verify_4096, sign_2048);
criterion_main!(benches);
