//! `Keyring` is `Sync`: verifying envelopes from several threads against
//! one shared `&Keyring` gives, for each envelope, exactly what verifying it
//! alone gives. Timing lives in the benches.

use std::time::Duration;

use crate::common;

use respsig::{Error, FixedClock, Keyring, Policy, UnixTime, Verified};

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

/// Verifies `inputs` on `threads` threads sharing `keyring` (thread `t`
/// takes the inputs at `t`, `t + threads`, ...) and returns the results in
/// input order.
fn verify_on_threads(
    keyring: &Keyring,
    inputs: &[&[u8]],
    policy: &Policy,
    threads: usize,
) -> Vec<Result<Verified, Error>> {
    let mut results: Vec<Option<Result<Verified, Error>>> = vec![None; inputs.len()];
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                scope.spawn(move || {
                    inputs
                        .iter()
                        .enumerate()
                        .skip(t)
                        .step_by(threads)
                        .map(|(i, input)| (i, keyring.verify(input, policy)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            for (i, result) in handle.join().unwrap() {
                assert!(results[i].is_none(), "input {i} verified twice");
                results[i] = Some(result);
            }
        }
    });
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| panic!("input {i} not verified")))
        .collect()
}

#[test]
fn threads_sharing_a_keyring_equal_one_by_one() {
    let keyring = keyring();
    let envelopes = envelopes();
    assert!(envelopes.len() > 20, "corpus found: {}", envelopes.len());
    // Repeated, so each thread verifies many envelopes while the others do.
    let many: Vec<&[u8]> = envelopes
        .iter()
        .cycle()
        .take(envelopes.len() * 4)
        .map(Vec::as_slice)
        .collect();
    let policy = Policy::any_age();
    let threaded = verify_on_threads(&keyring, &many, &policy, 4);
    assert_eq!(threaded.len(), many.len());
    let mut ok = 0;
    for (i, (input, got)) in many.iter().zip(&threaded).enumerate() {
        let want = keyring.verify(input, &policy);
        assert_eq!(describe(got), describe(&want), "envelope {i}");
        ok += usize::from(got.is_ok());
    }
    // Both outcomes are exercised.
    assert!(ok >= 4 * 4, "{ok} verified");
    assert!(ok < many.len());
}

#[test]
fn threads_with_a_policy_and_no_input() {
    let keyring = keyring();
    let policy = Policy::max_age(Duration::from_secs(60))
        .clock_drift(Duration::from_secs(60))
        .clock(FixedClock::at(1_709_169_556 + 61));
    assert!(verify_on_threads(&keyring, &[], &policy, 2).is_empty());
    let seed = common::text("gkm/seed-373-update-product-meta.json");
    let results = verify_on_threads(&keyring, &[seed.as_bytes(), seed.as_bytes()], &policy, 2);
    assert_eq!(results.len(), 2);
    for r in &results {
        assert_eq!(
            r.as_ref().err(),
            Some(&Error::StaleTimestamp {
                signed_at: UnixTime::from_secs(1_709_169_556),
                now: UnixTime::from_secs(1_709_169_617),
                max_age: Duration::from_secs(60)
            })
        );
    }
    let inputs: Vec<&[u8]> = vec![seed.as_bytes(); 3];
    let results = verify_on_threads(&keyring, &inputs, &Policy::any_age(), 3);
    assert_eq!(results.len(), 3);
    assert!(
        results
            .iter()
            .all(|r| r.as_ref().unwrap().code() == Some(373))
    );
}
