//! `Keyring::verify_batch` gives, in input order, exactly what
//! `Keyring::verify` gives for each envelope: with the `parallel` feature
//! (rayon) and without it. Timing lives in the benches.

use crate::common;
use respsig::Policy;

use respsig::{Error, Keyring, Verified};

/// Every envelope in the adversarial corpus and the four server seeds,
/// plus altered copies of the seeds: a mix of successes and of most of the
/// crate's errors.
fn envelopes() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["adversarial/cases", "gkm"] {
        let mut files: Vec<_> = std::fs::read_dir(common::path(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        out.extend(files.iter().map(|p| std::fs::read(p).unwrap()));
    }
    for seed in [
        "seed-372-update-product-meta.json",
        "seed-373-update-product-meta.json",
        "seed-650-update-product.json",
        "seed-651-update-product.json",
    ] {
        let text = common::text(&format!("gkm/{seed}"));
        out.push(text.replace("\"product\"", "\"global\"").into_bytes());
        out.push(text.replace("\"product\"", "\"nobody\"").into_bytes());
        out.push(text.replace("\"code\": 3", "\"code\": 4").into_bytes());
        out.push(
            text.replace("\"signature\": \"", "\"signature\": \"A")
                .into_bytes(),
        );
        out.push(text.replace('{', "[").into_bytes());
    }
    out
}

/// What a result says, completely: `Verified` has no `PartialEq`, so its
/// `Debug` (key name, key, payload) and its signed bytes.
fn describe(result: &Result<Verified, Error>) -> String {
    match result {
        Ok(v) => format!("{v:?} {:?}", v.payload_bytes()),
        Err(e) => format!("{e:?}"),
    }
}

fn keyring() -> Keyring {
    common::demo_keyring()
}

#[test]
fn batch_equals_one_by_one_in_order() {
    let keyring = keyring();
    let envelopes = envelopes();
    assert!(envelopes.len() > 20, "corpus found: {}", envelopes.len());
    // Repeated, so rayon splits the input into many pieces.
    let many: Vec<&[u8]> = envelopes
        .iter()
        .cycle()
        .take(envelopes.len() * 8)
        .map(Vec::as_slice)
        .collect();
    let batch = keyring.verify_batch(&many);
    assert_eq!(batch.len(), many.len());
    let mut ok = 0;
    for (i, (input, got)) in many.iter().zip(&batch).enumerate() {
        let want = keyring.verify(input, &Policy::any_age());
        assert_eq!(describe(got), describe(&want), "envelope {i}");
        ok += usize::from(got.is_ok());
    }
    // Both outcomes are exercised.
    assert!(ok >= 8 * 4, "{ok} verified");
    assert!(ok < many.len());
}

#[test]
fn batch_with_options_and_empty_input() {
    let keyring = keyring();
    let none: [&str; 0] = [];
    assert!(keyring.verify_batch(&none).is_empty());
    let seed = common::text("gkm/seed-373-update-product-meta.json");
    let options = respsig::VerifyOptions::new().freshness(respsig::Freshness::new(
        std::time::Duration::from_secs(60),
        std::time::Duration::from_secs(60),
    ));
    let options = options.clock(respsig::FixedClock(1_709_169_556 + 61));
    let results = keyring.verify_batch_with(&[seed.as_str(), seed.as_str()], &options);
    for r in &results {
        assert_eq!(
            r.as_ref().err(),
            Some(&Error::StaleTimestamp {
                timestamp: 1_709_169_556,
                now: 1_709_169_617,
                max_age: 60
            })
        );
    }
    let strings: Vec<String> = vec![seed.clone(); 3];
    let results = keyring.verify_batch(&strings);
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().unwrap().code() == Some(373))
    );
}
