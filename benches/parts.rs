//! The parts of an envelope check measured separately: envelope
//! parse, the canonical writer, base64 decode, end-to-end verify of the
//! four seed envelopes and of a ~2 KB payload, sign at 2048 and 4096 bits,
//! loading keys from PEM, batch verify (rayon over `Keyring::verify`), and the
//! stages of a verify at each payload size of the cost curve. Every
//! verify and sign group carries its raw ring baseline (and aws-lc-rs's
//! with `--features aws-lc`) so the report shows ratios from one run.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `criterion_group!` defines an undocumented `pub fn`.
#![allow(missing_docs)]

mod common;
// The crate's decoder (a private module: its unit tests and `decode` go
// unused here) and the one it replaced.
#[path = "../src/base64.rs"]
#[allow(dead_code, unused_imports)]
mod base64;
#[path = "common/base64_table.rs"]
mod base64_table;
// What `base64`'s unit tests use, when `--all-targets` builds this bench
// in test mode (unused here too).
#[cfg(test)]
#[path = "../src/test_rng.rs"]
#[allow(dead_code)]
mod test_rng;

use respsig::Policy;
use std::hint::black_box;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use common::{
    DEMO_KEY, ENVELOPE_2K_2048, ENVELOPE_2K_4096, Envelope, Key, PAYLOAD_2K, SEED_373, SEEDS,
    Signing, read,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use respsig::{Error, Keyring, Limits, PublicKey, SigningKey, canonical, dangerous};

/// Envelope parse. Two ways: `respsig::dangerous::read` (the public,
/// unverified parse: the same strict reader `verify` starts with), and
/// `Keyring::verify` with a keyring that lacks the envelope's key name,
/// which stops right after parsing with `UnknownKeyName`.
fn parse(c: &mut Criterion) {
    let seed = read(SEED_373);
    let big = read(ENVELOPE_2K_2048);
    let limits = Limits::default();
    let other = Keyring::new()
        .with("other", Key::from_pem_file(DEMO_KEY).public)
        .unwrap();
    for text in [&seed, &big] {
        dangerous::read(text.as_bytes(), &limits).unwrap();
        assert!(matches!(
            other.verify(text, &Policy::any_age()),
            Err(Error::UnknownKeyName { .. })
        ));
    }

    let mut g = c.benchmark_group("parse");
    for (name, text) in [("seed_373", &seed), ("envelope_2k", &big)] {
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("dangerous_read/{name}"), |b| {
            b.iter(|| dangerous::read(black_box(text.as_bytes()), &limits))
        });
        g.bench_function(format!("verify_unknown_key/{name}"), |b| {
            b.iter(|| other.verify(black_box(text.as_str()), &Policy::any_age()))
        });
    }
    g.finish();
}

/// The canonical writer (`serde_json::Value` to PHP `json_encode` bytes),
/// on the seed payload and on the ~2 KB payload with unicode and floats;
/// each input is checked to be its own canonical form first.
fn canonical_writer(c: &mut Criterion) {
    let seed = Envelope::from_file(SEED_373).response;
    let big_text = read(PAYLOAD_2K);
    let big = canonical::read(big_text.as_bytes()).unwrap();
    assert_eq!(canonical::to_vec(&big), big_text.as_bytes());
    let seed_b64 = Envelope::from_file(SEED_373).signed;
    assert_eq!(
        Base64::decode_vec(std::str::from_utf8(&seed_b64).unwrap()).unwrap(),
        canonical::to_vec(&seed)
    );

    let mut g = c.benchmark_group("canonical");
    for (name, value) in [("seed_373", &seed), ("payload_2k", &big)] {
        g.throughput(Throughput::Bytes(canonical::to_vec(value).len() as u64));
        g.bench_function(format!("to_vec/{name}"), |b| {
            b.iter(|| canonical::to_vec(black_box(value)))
        });
    }
    g.throughput(Throughput::Bytes(big_text.len() as u64));
    g.bench_function("canonicalize/payload_2k", |b| {
        b.iter(|| canonical::canonicalize(black_box(big_text.as_bytes())))
    });
    g.finish();
}

/// Strict base64 decode: base64ct (constant time) on the seed envelope's
/// strings, and the crate's decoder against the one it replaced.
fn base64_decode(c: &mut Criterion) {
    let seed = read(SEED_373);
    let v: serde_json::Value = serde_json::from_str(&seed).unwrap();
    let sig = v["signature"].as_str().unwrap().to_owned();
    let seed_payload = v["response_base64"].as_str().unwrap().to_owned();
    let big: serde_json::Value = serde_json::from_str(&read(ENVELOPE_2K_2048)).unwrap();
    let big_payload = big["response_base64"].as_str().unwrap().to_owned();

    let mut g = c.benchmark_group("base64_decode");
    for (name, text) in [
        ("signature_2048", &sig),
        ("payload_seed_373", &seed_payload),
        ("payload_2k", &big_payload),
    ] {
        assert!(Base64::decode_vec(text).is_ok());
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(name, |b| {
            b.iter(|| Base64::decode_vec(black_box(text.as_str())))
        });
    }
    // The crate's decoder (`block`) against the table decoder it replaced
    // (`table`), into a buffer made once: the encodings of 256 B (an
    // RSA-2048 signature), 2 KiB, 64 KiB and 1 MiB (344 characters, 2.7 KB,
    // 88 KB and 1.4 MB of text).
    for len in [256usize, 2048, 65536, 1 << 20] {
        let bytes: Vec<u8> = (0..len as u64)
            .map(|i| (i.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 56) as u8)
            .collect();
        let text = Base64::encode_string(&bytes);
        let mut out = vec![0u8; len];
        assert_eq!(base64::decoded_len(text.as_bytes()), Some(len));
        assert!(base64::decode_into(text.as_bytes(), &mut out) && out == bytes);
        out.fill(0);
        assert!(base64_table::decode_into(text.as_bytes(), &mut out) && out == bytes);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_function(format!("block/{}", text.len()), |b| {
            b.iter(|| base64::decode_into(black_box(text.as_bytes()), &mut out))
        });
        g.bench_function(format!("table/{}", text.len()), |b| {
            b.iter(|| base64_table::decode_into(black_box(text.as_bytes()), &mut out))
        });
    }
    g.finish();
}

/// A verify group: the crate end to end and the raw baselines of the same
/// bytes, for each envelope.
fn verify_envelopes(c: &mut Criterion, group: &str, key: &str, envelopes: &[(&str, &str)]) {
    let key = Key::from_pem_file(key);
    let keyring = key.keyring();
    #[cfg(feature = "aws-lc")]
    let parsed = key.aws_lc();
    let mut g = c.benchmark_group(group);
    for &(name, path) in envelopes {
        let env = Envelope::from_file(path);
        env.check(&key, &keyring);
        let text = env.text.as_str();
        g.bench_function(format!("respsig/{name}"), |b| {
            b.iter(|| keyring.verify(black_box(text), &Policy::any_age()))
        });
        g.bench_function(format!("ring_raw/{name}"), |b| {
            b.iter(|| key.ring_verify(black_box(&env.signed), black_box(&env.signature)))
        });
        #[cfg(feature = "aws-lc")]
        g.bench_function(format!("aws_lc_raw/{name}"), |b| {
            b.iter(|| parsed.verify_sig(black_box(&env.signed), black_box(&env.signature)))
        });
    }
    g.finish();
}

/// The four seed envelopes under the demo key.
fn verify_seeds(c: &mut Criterion) {
    verify_envelopes(c, "verify_seeds", DEMO_KEY, &SEEDS);
}

/// The ~2 KB payload under RSA-2048 (the 4096-bit one is `verify_4096` in
/// benches/verify.rs; it is measured here too so both sizes share a run).
fn verify_2k(c: &mut Criterion) {
    verify_envelopes(
        c,
        "verify_2k_2048",
        "testdata/keys/rsa2048.pub.pem",
        &[("payload_2k", ENVELOPE_2K_2048)],
    );
    verify_envelopes(
        c,
        "verify_2k_4096",
        "testdata/keys/rsa4096.pub.pem",
        &[("payload_2k", ENVELOPE_2K_4096)],
    );
}

/// ring takes an RSA public key two ways; both re-derive the key's
/// Montgomery constants on every call. Which is faster decides the
/// `ring_raw` baseline (bare components).
fn ring_key_forms(c: &mut Criterion) {
    let key = Key::from_pem_file(DEMO_KEY);
    let env = Envelope::from_file(SEED_373);
    let unparsed = ring::signature::UnparsedPublicKey::new(
        &ring::signature::RSA_PKCS1_2048_8192_SHA256,
        key.pkcs1_der.clone(),
    );
    assert!(unparsed.verify(&env.signed, &env.signature).is_ok());
    assert!(key.ring_verify(&env.signed, &env.signature));
    let mut g = c.benchmark_group("ring_key_forms");
    g.bench_function("components", |b| {
        b.iter(|| key.ring_verify(black_box(&env.signed), black_box(&env.signature)))
    });
    g.bench_function("unparsed_pkcs1_der", |b| {
        b.iter(|| unparsed.verify(black_box(&env.signed), black_box(&env.signature)))
    });
    g.finish();
}

/// Sign: the crate (response value to envelope string) against ring's raw
/// sign of the same base64 text; seed payload at 4096 bits, ~2 KB payload
/// at 2048 and 4096 (seed at 2048 is `sign_2048` in benches/verify.rs).
fn sign(c: &mut Criterion) {
    let seed = Envelope::from_file(SEED_373).response;
    let big = canonical::read(read(PAYLOAD_2K).as_bytes()).unwrap();
    for (group, key, response) in [
        ("sign_4096", "testdata/keys/rsa4096.pem", &seed),
        ("sign_2k_2048", "testdata/keys/rsa2048.pem", &big),
        ("sign_2k_4096", "testdata/keys/rsa4096.pem", &big),
    ] {
        let signing = Signing::from_pem_file(key);
        let signed = signing.check(response);
        let mut out = vec![0; signing.ring.public().modulus_len()];
        let mut g = c.benchmark_group(group);
        if group.ends_with("4096") {
            g.sample_size(30);
        }
        g.bench_function("respsig", |b| {
            b.iter(|| signing.key.sign_envelope("product", black_box(response)))
        });
        g.bench_function("ring_raw", |b| {
            b.iter(|| signing.ring_sign(black_box(&signed), &mut out))
        });
        #[cfg(feature = "aws-lc")]
        g.bench_function("aws_lc_raw", |b| {
            b.iter(|| signing.aws_lc_sign(black_box(&signed), &mut out))
        });
        g.finish();
    }
}

/// Loading keys from PEM: a public key into a keyring, and a private key
/// (which the crate checks with one test signature at load).
fn key_load(c: &mut Criterion) {
    let mut g = c.benchmark_group("keyring_load");
    for bits in [2048, 4096] {
        let pem = read(&format!("testdata/keys/rsa{bits}.pub.pem"));
        g.bench_function(format!("public_pem_{bits}"), |b| {
            b.iter(|| {
                let key = PublicKey::from_pem(black_box(&pem)).unwrap();
                Keyring::new().with("product", key).unwrap()
            })
        });
    }
    let pem = read(DEMO_KEY);
    g.bench_function("public_pem_demo", |b| {
        b.iter(|| PublicKey::from_pem(black_box(&pem)))
    });
    let pem = read("testdata/keys/rsa2048.pem");
    g.bench_function("signing_pem_2048", |b| {
        b.iter(|| SigningKey::from_pem(black_box(&pem)))
    });
    g.finish();
}

/// `Keyring::verify` from rayon over 64 envelopes (the four seeds, 16 times
/// each): on a rayon pool of one thread against the default pool (one
/// thread per core), throughput in envelopes.
fn verify_batch(c: &mut Criterion) {
    let keyring = Key::from_pem_file(DEMO_KEY).keyring();
    let texts: Vec<String> = SEEDS.iter().map(|(_, path)| read(path)).collect();
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
    assert_eq!(all.current_num_threads(), rayon::current_num_threads());

    let mut g = c.benchmark_group("verify_batch");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("threads_1", |b| {
        b.iter(|| one.install(|| common::verify_all(&keyring, black_box(&batch))))
    });
    g.bench_function(format!("threads_{}", all.current_num_threads()), |b| {
        b.iter(|| all.install(|| common::verify_all(&keyring, black_box(&batch))))
    });
    g.bench_function("sequential_verify", |b| {
        b.iter(|| {
            batch
                .iter()
                .map(|e| keyring.verify(black_box(*e), &Policy::any_age()))
                .collect::<Vec<_>>()
        })
    });
    g.finish();
}

/// Where a verify's time goes, at each payload size of the cost curve
/// (the envelopes `benches/curve/make.php` writes to `target/curve/`;
/// skipped when they are not there). From outside the crate, by where
/// verify stops:
/// - `read`: a keyring without the envelope's key name (`UnknownKeyName`
///   right after the envelope reader: syntax, duplicates, depth of the
///   whole envelope, `response` included, and the strings unescaped);
/// - `through_rsa`: the right name bound to another RSA-2048 key
///   (`BadSignature`: the reader, the signature's base64, the RSA verify);
/// - `full`: `Ok(Verified)`; `full` minus `through_rsa` is the payload's
///   base64 decode and its comparison with `response`;
/// - `ring_raw`: ring's verify of the same bytes;
/// - `read_empty_response`: `read` on the same envelope with `response`
///   replaced by `{}` (compact envelopes only): `read` minus this is the
///   strict read of `response`, this the rest (UTF-8, the two base64
///   strings, the other members);
/// - `serde_ignored`: serde_json reading the envelope into `IgnoredAny` (no
///   duplicate or depth checks, no strings kept): a light scanner's cost.
fn stages(c: &mut Criterion) {
    let dir = format!("{}/target/curve", env!("CARGO_MANIFEST_DIR"));
    if !std::path::Path::new(&dir).join("100.json").exists() {
        eprintln!("stages: skipped, run `php benches/curve/make.php . target/curve` first");
        return;
    }
    let key = Key::from_pem_file("testdata/keys/rsa2048.pub.pem");
    let keyring = Keyring::new().with("product", key.public.clone()).unwrap();
    let unknown = Keyring::new().with("other", key.public.clone()).unwrap();
    let wrong = Keyring::new()
        .with(
            "product",
            Key::from_pem_file("testdata/keys/other2048.pub.pem").public,
        )
        .unwrap();
    let options = respsig::Policy::any_age().limits(Limits::new().max_input_bytes(8 << 20));
    let mut g = c.benchmark_group("stages");
    for name in [
        "100",
        "1024",
        "2048",
        "8192",
        "65536",
        "1048576",
        "2048-pretty",
        "65536-pretty",
    ] {
        let text = std::fs::read_to_string(format!("{dir}/{name}.json")).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        let signed = v["response_base64"].as_str().unwrap().as_bytes().to_vec();
        let sig = Base64::decode_vec(v["signature"].as_str().unwrap()).unwrap();
        assert!(keyring.verify(&text, &options).is_ok());
        assert!(key.ring_verify(&signed, &sig));
        assert!(matches!(
            unknown.verify(&text, &options),
            Err(Error::UnknownKeyName { .. })
        ));
        assert!(matches!(
            wrong.verify(&text, &options),
            Err(Error::BadSignature)
        ));
        g.throughput(Throughput::Bytes(text.len() as u64));
        let text = text.as_str();
        g.bench_function(format!("read/{name}"), |b| {
            b.iter(|| unknown.verify(black_box(text), &options))
        });
        g.bench_function(format!("through_rsa/{name}"), |b| {
            b.iter(|| wrong.verify(black_box(text), &options))
        });
        g.bench_function(format!("full/{name}"), |b| {
            b.iter(|| keyring.verify(black_box(text), &options))
        });
        g.bench_function(format!("ring_raw/{name}"), |b| {
            b.iter(|| key.ring_verify(black_box(&signed), black_box(&sig)))
        });
        if !name.ends_with("pretty") {
            let payload = v["response_base64"].as_str().unwrap();
            let payload = Base64::decode_vec(payload).unwrap();
            let payload = std::str::from_utf8(&payload).unwrap();
            let prefix = format!("{{\"response\":{payload},");
            let rest = text.strip_prefix(prefix.as_str()).unwrap();
            let empty = format!("{{\"response\":{{}},{rest}");
            assert!(matches!(
                unknown.verify(&empty, &options),
                Err(Error::UnknownKeyName { .. })
            ));
            g.bench_function(format!("read_empty_response/{name}"), |b| {
                b.iter(|| unknown.verify(black_box(empty.as_str()), &options))
            });
        }
        g.bench_function(format!("serde_ignored/{name}"), |b| {
            b.iter(|| serde_json::from_str::<serde::de::IgnoredAny>(black_box(text)))
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = config();
    targets = parse, canonical_writer, base64_decode, verify_seeds, verify_2k, ring_key_forms, sign, key_load, verify_batch, stages
}
criterion_main!(benches);
