//! Project Wycheproof (C2SP): every RSASSA-PKCS1-v1_5 and Ed25519 vector
//! in `testdata/wycheproof/` (see its README for provenance, counts and the
//! decisions pinned here), run through the crate's own key loading
//! (`PublicKey::from_*`, `KeyPolicy`, `SigningKey::from_*`) and its raw
//! verify and sign path (`PublicKey::verify_signature`,
//! `SigningKey::sign_bytes`).
//!
//! Verification files: a `valid` vector must verify, an `invalid` one must
//! fail with exactly `Error::BadSignature`, and the `acceptable` ones are
//! pinned (`MissingNull` refused; the legacy e = 3 `SmallPublicKey` cases
//! judged like the v1 `valid` ones they are). A key outside the default
//! policy (here: e = 3) must be refused at load with its exact
//! `KeyProblem`; such groups are then run again under
//! `KeyPolicy::allow_small_exponent()` and judged by their result.
//!
//! Signing files: PKCS#1 v1.5 is deterministic, so for every SHA-256,
//! SHA-384 and SHA-512 case whose key the crate loads, the signature must equal `sig`
//! byte for byte and verify. Keys the crate refuses must be refused with the
//! exact error pinned in `expected_private_rejection`.
//!
//! Each file prints one table (`cargo test --test it wycheproof -- --nocapture`)
//! and its totals are pinned as constants, so that a silent change of
//! behaviour fails.
use std::path::PathBuf;

use respsig::{
    Algorithm, Error, Hash, KeyPolicy, KeyProblem, MAX_BITS, MIN_BITS, PublicKey, SigningKey,
};
use serde_json::Value;

/// How many mismatches the failure message lists.
const SHOW: usize = 10;

fn path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/wycheproof")
        .join(rel)
}

fn load(rel: &str) -> Value {
    let text =
        std::fs::read(path(rel)).unwrap_or_else(|e| panic!("testdata/wycheproof/{rel}: {e}"));
    let json: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(json["algorithm"], "RSASSA-PKCS1-v1_5", "{rel}");
    json
}

fn hex(s: &str) -> Vec<u8> {
    fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => panic!("not a hex digit: {:?}", char::from(c)),
        }
    }
    let s = s.as_bytes();
    assert!(s.len().is_multiple_of(2), "odd hex length {}", s.len());
    s.chunks(2)
        .map(|p| (nibble(p[0]) << 4) | nibble(p[1]))
        .collect()
}

fn str_of<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("`{field}` is not a string"))
}

/// The first of `fields` present in `group` (the v1 and legacy schemas name
/// the same things differently).
fn hex_of(group: &Value, fields: &[&str]) -> Vec<u8> {
    let field = fields
        .iter()
        .find(|f| group.get(**f).is_some())
        .unwrap_or_else(|| panic!("none of {fields:?} in the group"));
    hex(str_of(group, field))
}

fn hash_of(group: &Value) -> Option<Hash> {
    match str_of(group, "sha") {
        "SHA-256" => Some(Hash::Sha256),
        "SHA-384" => Some(Hash::Sha384),
        "SHA-512" => Some(Hash::Sha512),
        _ => None,
    }
}

fn strip(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

fn bit_len(n: &[u8]) -> usize {
    let n = strip(n);
    n.first()
        .map_or(0, |top| n.len() * 8 - top.leading_zeros() as usize)
}

/// A group's public key in every form the file gives it.
struct PublicForms {
    spki: Vec<u8>,
    pkcs1: Vec<u8>,
    pem: String,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl PublicForms {
    /// v1 verify groups: `publicKeyDer`, `publicKeyAsn`, `publicKeyPem`,
    /// `publicKey {modulus, publicExponent}`; v1 sign groups: `keyDer`,
    /// `keyAsn`, `keyPem`, `privateKey {modulus, publicExponent}`; legacy
    /// groups: `keyDer`, `keyAsn`, `keyPem`, `n`, `e`.
    fn of(group: &Value) -> Self {
        let components = group.get("publicKey").or_else(|| group.get("privateKey"));
        let (n, e) = match components {
            Some(c) => (hex_of(c, &["modulus"]), hex_of(c, &["publicExponent"])),
            None => (hex_of(group, &["n"]), hex_of(group, &["e"])),
        };
        let forms = PublicForms {
            spki: hex_of(group, &["publicKeyDer", "keyDer"]),
            pkcs1: hex_of(group, &["publicKeyAsn", "keyAsn"]),
            pem: group
                .get("publicKeyPem")
                .or_else(|| group.get("keyPem"))
                .and_then(Value::as_str)
                .expect("PEM public key")
                .to_owned(),
            n,
            e,
        };
        let size = group
            .get("keySize")
            .or_else(|| group.get("keysize"))
            .and_then(Value::as_u64)
            .expect("keySize");
        assert_eq!(bit_len(&forms.n) as u64, size, "keySize");
        forms
    }

    /// What the crate's documented key policy says about this key, worked
    /// out here from the modulus and exponent.
    fn policy(&self, small_exponent_allowed: bool) -> Result<(), KeyProblem> {
        let bits = bit_len(&self.n);
        if bits < MIN_BITS {
            return Err(KeyProblem::TooSmall {
                bits,
                min: MIN_BITS,
            });
        }
        if bits > MAX_BITS {
            return Err(KeyProblem::TooLarge {
                bits,
                max: MAX_BITS,
            });
        }
        let e = strip(&self.e);
        assert!(e.len() <= 8, "exponent too long for this test");
        let e = e.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b));
        if e & 1 == 0 || e == 1 || e > (1 << 33) - 1 {
            return Err(KeyProblem::BadExponent);
        }
        if e < 65537 && !small_exponent_allowed {
            return Err(KeyProblem::SmallExponent {
                e: u32::try_from(e).unwrap(),
            });
        }
        Ok(())
    }

    /// Loads the key from every form; all must agree (the same key or the
    /// same error), and a loaded key must re-encode to the file's SPKI.
    fn load(&self, small_exponent_allowed: bool) -> Result<PublicKey, Error> {
        let (by_spki, others) = if small_exponent_allowed {
            // `KeyPolicy::load` reads every form (the lax policy has no
            // loader of bare components).
            let p = KeyPolicy::default().allow_small_exponent();
            (
                p.load(&self.spki),
                vec![p.load(&self.pkcs1), p.load(self.pem.as_bytes())],
            )
        } else {
            (
                PublicKey::from_der(&self.spki),
                vec![
                    PublicKey::from_der(&self.pkcs1),
                    PublicKey::from_pem(&self.pem),
                    PublicKey::from_pem_or_der(&self.spki),
                    PublicKey::from_pem_or_der(&self.pkcs1),
                    KeyPolicy::strict().load(self.pem.as_bytes()),
                    PublicKey::from_components(&self.n, &self.e),
                ],
            )
        };
        for (i, other) in others.into_iter().enumerate() {
            assert_eq!(other, by_spki, "key form #{i} disagrees with the SPKI DER");
        }
        if let Ok(key) = &by_spki {
            assert_eq!(key.spki_der(), &self.spki[..], "SPKI round trip");
            assert_eq!(key.bits(), bit_len(&self.n));
        }
        by_spki
    }
}

struct Case<'a> {
    id: u64,
    comment: &'a str,
    flags: Vec<&'a str>,
    msg: Vec<u8>,
    sig: Vec<u8>,
    result: &'a str,
}

impl<'a> Case<'a> {
    fn of(test: &'a Value) -> Self {
        Case {
            id: test["tcId"].as_u64().expect("tcId"),
            comment: str_of(test, "comment"),
            flags: test["flags"]
                .as_array()
                .expect("flags")
                .iter()
                .map(|f| f.as_str().expect("flag"))
                .collect(),
            msg: hex(str_of(test, "msg")),
            sig: hex(str_of(test, "sig")),
            result: str_of(test, "result"),
        }
    }

    fn mismatch(&self, file: &str, what: &str) -> String {
        format!(
            "{file} tcId {} ({:?}, {}, flags {:?}): {what}",
            self.id, self.comment, self.result, self.flags
        )
    }
}

/// Every group of the file with its tests; checks `numberOfTests`, that
/// each group has the expected `type`, and that every flag is explained in
/// `notes`.
fn groups<'a>(json: &'a Value, rel: &str, kind: &str) -> Vec<(&'a Value, Vec<Case<'a>>)> {
    let notes = json["notes"].as_object().expect("notes");
    let mut out = Vec::new();
    let mut count = 0;
    for group in json["testGroups"].as_array().expect("testGroups") {
        assert_eq!(str_of(group, "type"), kind, "{rel}");
        let mut cases = Vec::new();
        for test in group["tests"].as_array().expect("tests") {
            let case = Case::of(test);
            for flag in &case.flags {
                assert!(notes.contains_key(*flag), "{rel}: flag {flag} not in notes");
            }
            cases.push(case);
        }
        count += cases.len();
        out.push((group, cases));
    }
    assert_eq!(
        Some(count as u64),
        json["numberOfTests"].as_u64(),
        "{rel}: numberOfTests"
    );
    out
}

fn fail_on(rel: &str, mismatches: &[String]) {
    assert!(
        mismatches.is_empty(),
        "{rel}: {} mismatches, the first {}:\n{}",
        mismatches.len(),
        SHOW.min(mismatches.len()),
        mismatches[..SHOW.min(mismatches.len())].join("\n")
    );
}

// ---------------------------------------------------------------------------
// Verification

/// Per-file totals of a verification file. `accepted + refused +
/// policy_refused == run`; the `lax_*` columns count the same policy-refused
/// vectors run again under `KeyPolicy::allow_small_exponent()`.
#[derive(Debug, Default, PartialEq, Eq)]
struct VerifyTotals {
    run: usize,
    accepted: usize,
    refused: usize,
    policy_refused: usize,
    lax_accepted: usize,
    lax_refused: usize,
}

/// The decision for a vector whose key loaded: by `result`, and for
/// `acceptable` by its flags.
fn expected_verdict(case: &Case<'_>) -> Result<(), Error> {
    match case.result {
        "valid" => Ok(()),
        "invalid" => Err(Error::BadSignature),
        "acceptable" => match case.flags.as_slice() {
            // DigestInfo without the NULL parameter. ring builds the one
            // expected encoded block (with NULL) and compares it whole, so a
            // strict verifier refuses it.
            ["MissingNull"] => Err(Error::BadSignature),
            // Legacy files: correct signatures under an e = 3 key ("short
            // signature", "signature is close to n"), `acceptable` only
            // because of the exponent; v1 labels the same cases `valid`.
            // The key policy is what refuses them (at load); once the key is
            // allowed, they verify.
            ["SmallPublicKey"] => Ok(()),
            other => panic!(
                "tcId {}: no decision pinned for acceptable flags {other:?}",
                case.id
            ),
        },
        other => panic!("tcId {}: unknown result {other:?}", case.id),
    }
}

fn run_verify_file(rel: &str, want: &VerifyTotals) {
    let json = load(rel);
    let kind = "RsassaPkcs1Verify";
    let mut t = VerifyTotals::default();
    let mut mismatches = Vec::new();
    for (group, cases) in groups(&json, rel, kind) {
        let hash = hash_of(group).unwrap_or_else(|| panic!("{rel}: unsupported sha"));
        // The group's key, in every form, under the default policy and, if
        // that refuses a small exponent, under the opt-in.
        let forms = PublicForms::of(group);
        let strict = forms.load(false).map(|k| k.with_hash(hash));
        assert_eq!(
            strict.as_ref().map(|_| ()).map_err(Clone::clone),
            forms.policy(false).map_err(Error::KeyRejected),
            "{rel}: strict key policy"
        );
        let lax = match &strict {
            Err(Error::KeyRejected(KeyProblem::SmallExponent { .. })) => {
                assert_eq!(forms.policy(true), Ok(()), "{rel}: lax key policy");
                Some(forms.load(true).unwrap().with_hash(hash))
            }
            _ => None,
        };
        for case in cases {
            t.run += 1;
            let want = expected_verdict(&case);
            let (key, accepted, refused) = match (&strict, &lax) {
                (Ok(key), _) => (key, &mut t.accepted, &mut t.refused),
                (Err(_), Some(key)) => {
                    t.policy_refused += 1;
                    (key, &mut t.lax_accepted, &mut t.lax_refused)
                }
                (Err(e), None) => panic!("{rel}: no pinned decision for a key refused by {e:?}"),
            };
            let got = key.verify_signature(&case.msg, &case.sig);
            match got {
                Ok(()) => *accepted += 1,
                Err(_) => *refused += 1,
            }
            if want != got {
                mismatches.push(case.mismatch(rel, &format!("expected {want:?}, got {got:?}")));
            }
        }
    }
    println!(
        "{rel}\n  | run | accepted | refused (BadSignature) | refused by key policy | of those, under allow_small_exponent: accepted / refused | mismatches |\n  | {} | {} | {} | {} | {} / {} | {} |",
        t.run,
        t.accepted,
        t.refused,
        t.policy_refused,
        t.lax_accepted,
        t.lax_refused,
        mismatches.len()
    );
    fail_on(rel, &mismatches);
    assert_eq!(&t, want, "{rel}: totals changed");
}

macro_rules! verify_file {
    ($name:ident, $rel:literal, $run:literal, $accepted:literal, $refused:literal, $policy:literal, $lax_accepted:literal, $lax_refused:literal) => {
        #[test]
        fn $name() {
            run_verify_file(
                $rel,
                &VerifyTotals {
                    run: $run,
                    accepted: $accepted,
                    refused: $refused,
                    policy_refused: $policy,
                    lax_accepted: $lax_accepted,
                    lax_refused: $lax_refused,
                },
            );
        }
    };
}

// name, file, run, accepted, refused (BadSignature), refused by key policy,
// under allow_small_exponent: accepted, refused.
verify_file!(
    v1_2048_sha256,
    "testvectors_v1/rsa_signature_2048_sha256_test.json",
    259,
    7,
    250,
    2,
    2,
    0
);
verify_file!(
    v1_3072_sha256,
    "testvectors_v1/rsa_signature_3072_sha256_test.json",
    259,
    7,
    251,
    1,
    1,
    0
);
verify_file!(
    v1_4096_sha256,
    "testvectors_v1/rsa_signature_4096_sha256_test.json",
    258,
    7,
    251,
    0,
    0,
    0
);
verify_file!(
    v1_8192_sha256,
    "testvectors_v1/rsa_signature_8192_sha256_test.json",
    258,
    7,
    251,
    0,
    0,
    0
);
verify_file!(
    v1_2048_sha512,
    "testvectors_v1/rsa_signature_2048_sha512_test.json",
    259,
    7,
    251,
    1,
    1,
    0
);
verify_file!(
    v1_3072_sha512,
    "testvectors_v1/rsa_signature_3072_sha512_test.json",
    260,
    7,
    252,
    1,
    1,
    0
);
verify_file!(
    v1_4096_sha512,
    "testvectors_v1/rsa_signature_4096_sha512_test.json",
    259,
    7,
    252,
    0,
    0,
    0
);
verify_file!(
    v1_2048_sha384,
    "testvectors_v1/rsa_signature_2048_sha384_test.json",
    258,
    7,
    251,
    0,
    0,
    0
);
verify_file!(
    v1_3072_sha384,
    "testvectors_v1/rsa_signature_3072_sha384_test.json",
    259,
    7,
    252,
    0,
    0,
    0
);
verify_file!(
    v1_4096_sha384,
    "testvectors_v1/rsa_signature_4096_sha384_test.json",
    259,
    7,
    252,
    0,
    0,
    0
);
verify_file!(
    v1_8192_sha384,
    "testvectors_v1/rsa_signature_8192_sha384_test.json",
    259,
    7,
    252,
    0,
    0,
    0
);
verify_file!(
    legacy_2048_sha256,
    "legacy_testvectors/rsa_signature_2048_sha256_test.json",
    240,
    7,
    231,
    2,
    2,
    0
);
verify_file!(
    legacy_3072_sha256,
    "legacy_testvectors/rsa_signature_3072_sha256_test.json",
    239,
    7,
    231,
    1,
    1,
    0
);

// ---------------------------------------------------------------------------
// Signing

/// Per-file totals of a signing file. `signed_sha256 + signed_sha384 +
/// signed_sha512 + policy_refused + other_hash == run`.
#[derive(Debug, Default, PartialEq, Eq)]
struct SignTotals {
    run: usize,
    /// SHA-256 cases signed, output equal to `sig` and verified.
    signed_sha256: usize,
    /// SHA-384 cases signed, output equal to `sig` and verified.
    signed_sha384: usize,
    /// SHA-512 cases signed, output equal to `sig` and verified.
    signed_sha512: usize,
    /// Cases whose private key the crate refuses (all hashes).
    policy_refused: usize,
    /// Cases whose key loads but whose hash (SHA-1, SHA-224) the crate
    /// does not offer: not signed.
    other_hash: usize,
    /// Of the policy-refused SHA-256/384/512 cases: the expected `sig`
    /// verified with the public key loaded under `allow_small_exponent`
    /// (e = 3 keys of 2048 bits and more).
    lax_verified: usize,
}

/// The exact error `SigningKey::from_*` gives for a key outside the policy:
/// the public-key policy's own, applied to the private key's modulus and
/// exponent before the backend sees it.
fn expected_private_rejection(policy: &KeyProblem) -> Error {
    match policy {
        KeyProblem::TooSmall { .. } | KeyProblem::SmallExponent { .. } => {
            Error::KeyRejected(policy.clone())
        }
        other => panic!("no private-key rejection pinned for {other:?}"),
    }
}

fn load_private(group: &Value) -> Result<SigningKey, Error> {
    let pkcs8 = hex_of(group, &["privateKeyPkcs8"]);
    let pem = str_of(group, "privateKeyPem");
    let by_pkcs8 = SigningKey::from_der(&pkcs8);
    let public = |r: &Result<SigningKey, Error>| {
        r.as_ref()
            .map(|k| k.public_key().clone())
            .map_err(Clone::clone)
    };
    // The PKCS#1 PEM gives the same key, or the same refusal.
    assert_eq!(
        public(&SigningKey::from_pem(pem)),
        public(&by_pkcs8),
        "from_pem"
    );
    // `from_der` tells PKCS#8 from PKCS#1 by structure: the same result.
    let by_der = public(&by_pkcs8);
    assert_eq!(public(&SigningKey::from_der(&pkcs8)), by_der, "from_der");
    by_pkcs8
}

fn run_sign_file(rel: &str, want: &SignTotals) {
    let json = load(rel);
    let kind = "RsassaPkcs1Generate";
    let mut t = SignTotals::default();
    let mut mismatches = Vec::new();
    for (group, cases) in groups(&json, rel, kind) {
        let forms = PublicForms::of(group);
        let policy = forms.policy(false);
        let public = forms.load(false);
        assert_eq!(
            public.as_ref().map(|_| ()).map_err(Clone::clone),
            policy.clone().map_err(Error::KeyRejected),
            "{rel}: public key policy"
        );
        let private = load_private(group);
        match (&policy, &private) {
            (Ok(()), Ok(k)) => {
                assert_eq!(Ok(k.public_key()), public.as_ref(), "{rel}: public half")
            }
            (Err(p), got) => assert_eq!(
                got.as_ref().map(|_| ()),
                Err(&expected_private_rejection(p)),
                "{rel}: private key refusal"
            ),
            (Ok(()), Err(e)) => panic!("{rel}: private key refused: {e:?}"),
        }
        let hash = hash_of(group);
        // A key refused for signing still made the signatures: where the
        // crate can verify them (e = 3 under the opt-in, SHA-256/512), they
        // must verify.
        let lax = match (&private, hash) {
            (Err(_), Some(hash)) => forms.load(true).ok().map(|k| k.with_hash(hash)),
            _ => None,
        };
        for case in cases {
            t.run += 1;
            match (&private, hash) {
                (Err(e), _) => {
                    t.policy_refused += 1;
                    // Wycheproof marks small keys `acceptable`, never `valid`.
                    if case.result != "acceptable" {
                        mismatches.push(case.mismatch(rel, &format!("key refused: {e:?}")));
                    }
                    if let Some(key) = &lax {
                        match key.verify_signature(&case.msg, &case.sig) {
                            Ok(()) => t.lax_verified += 1,
                            Err(e) => mismatches.push(
                                case.mismatch(rel, &format!("expected sig does not verify: {e:?}")),
                            ),
                        }
                    }
                }
                (Ok(_), None) => t.other_hash += 1,
                (Ok(key), Some(hash)) => {
                    assert!(
                        matches!(case.result, "valid" | "acceptable"),
                        "{rel} tcId {}: result {}",
                        case.id,
                        case.result
                    );
                    let key = key.clone().with_hash(hash);
                    let sig = key.sign_bytes(&case.msg);
                    let verifier = public.as_ref().unwrap().clone().with_hash(hash);
                    match sig {
                        Ok(sig) if sig == case.sig => {
                            assert_eq!(key.public_key().verify_signature(&case.msg, &sig), Ok(()));
                            assert_eq!(verifier.verify_signature(&case.msg, &sig), Ok(()));
                            match hash {
                                Hash::Sha256 => t.signed_sha256 += 1,
                                Hash::Sha384 => t.signed_sha384 += 1,
                                _ => t.signed_sha512 += 1,
                            }
                        }
                        Ok(sig) => mismatches.push(case.mismatch(
                            rel,
                            &format!(
                                "signature differs from the expected one (first bytes {:02x?})",
                                &sig[..8]
                            ),
                        )),
                        Err(e) => {
                            mismatches.push(case.mismatch(rel, &format!("signing failed: {e:?}")))
                        }
                    }
                }
            }
        }
    }
    println!(
        "{rel}\n  | run | signed exactly SHA-256 / SHA-384 / SHA-512 | refused by key policy (of those, sig verified under allow_small_exponent) | other hash, not offered | mismatches |\n  | {} | {} / {} / {} | {} ({}) | {} | {} |",
        t.run,
        t.signed_sha256,
        t.signed_sha384,
        t.signed_sha512,
        t.policy_refused,
        t.lax_verified,
        t.other_hash,
        mismatches.len()
    );
    fail_on(rel, &mismatches);
    assert_eq!(&t, want, "{rel}: totals changed");
}

macro_rules! sign_file {
    ($name:ident, $rel:literal, $run:literal, $sha256:literal, $sha384:literal, $sha512:literal, $policy:literal, $other:literal, $lax:literal) => {
        #[test]
        fn $name() {
            run_sign_file(
                $rel,
                &SignTotals {
                    run: $run,
                    signed_sha256: $sha256,
                    signed_sha384: $sha384,
                    signed_sha512: $sha512,
                    policy_refused: $policy,
                    other_hash: $other,
                    lax_verified: $lax,
                },
            );
        }
    };
}

// name, file, run, signed SHA-256, SHA-384, SHA-512, refused by key policy,
// other hash, sig verified under allow_small_exponent.
sign_file!(
    sign_v1_1024,
    "testvectors_v1/rsa_pkcs1_1024_sig_gen_test.json",
    33,
    0,
    0,
    0,
    33,
    0,
    0
);
sign_file!(
    sign_v1_1536,
    "testvectors_v1/rsa_pkcs1_1536_sig_gen_test.json",
    32,
    0,
    0,
    0,
    32,
    0,
    0
);
sign_file!(
    sign_v1_2048,
    "testvectors_v1/rsa_pkcs1_2048_sig_gen_test.json",
    43,
    8,
    8,
    8,
    3,
    16,
    3
);
sign_file!(
    sign_v1_3072,
    "testvectors_v1/rsa_pkcs1_3072_sig_gen_test.json",
    26,
    8,
    8,
    8,
    2,
    0,
    2
);
sign_file!(
    sign_v1_4096,
    "testvectors_v1/rsa_pkcs1_4096_sig_gen_test.json",
    24,
    8,
    8,
    8,
    0,
    0,
    0
);
sign_file!(
    sign_legacy_misc,
    "legacy_testvectors/rsa_sig_gen_misc_test.json",
    158,
    24,
    24,
    24,
    70,
    16,
    5
);

// ---------------------------------------------------------------------------
// Ed25519

/// Totals of the Ed25519 file: `accepted + refused == run`.
#[derive(Debug, Default, PartialEq, Eq)]
struct EdTotals {
    run: usize,
    accepted: usize,
    /// Refused with exactly `Error::BadSignature`.
    refused: usize,
    /// Groups (one key each), every key loaded from all its forms.
    keys: usize,
}

/// Every group's key is loaded from its raw `pk`, its SPKI DER (through
/// `from_der` and `from_der`) and its PEM; all must give the same
/// Ed25519 key, re-encoding to the file's SPKI. `valid` vectors must
/// verify, `invalid` ones fail with exactly `BadSignature` (the file has no
/// `acceptable` vector).
fn run_ed25519_file(rel: &str, want: &EdTotals) {
    let text =
        std::fs::read(path(rel)).unwrap_or_else(|e| panic!("testdata/wycheproof/{rel}: {e}"));
    let json: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(json["algorithm"], "EDDSA", "{rel}");
    let mut t = EdTotals::default();
    let mut mismatches = Vec::new();
    for (group, cases) in groups(&json, rel, "EddsaVerify") {
        assert_eq!(group["publicKey"]["curve"], "edwards25519", "{rel}");
        let raw = hex(str_of(&group["publicKey"], "pk"));
        let spki = hex(str_of(group, "publicKeyDer"));
        let key = PublicKey::from_ed25519(&raw).unwrap();
        for (form, other) in [
            ("SPKI DER", PublicKey::from_der(&spki)),
            ("DER", PublicKey::from_der(&spki)),
            ("PEM", PublicKey::from_pem(str_of(group, "publicKeyPem"))),
        ] {
            assert_eq!(other.as_ref(), Ok(&key), "{rel}: key form {form}");
        }
        assert_eq!(key.spki_der(), &spki[..], "{rel}: SPKI round trip");
        assert_eq!(key.algorithm(), Algorithm::Ed25519);
        // A hash has no say over an Ed25519 key.
        assert_eq!(key.clone().with_hash(Hash::Sha256), key);
        t.keys += 1;
        for case in cases {
            t.run += 1;
            let want = match case.result {
                "valid" => Ok(()),
                "invalid" => Err(Error::BadSignature),
                other => panic!("tcId {}: no decision pinned for {other:?}", case.id),
            };
            let got = key.verify_signature(&case.msg, &case.sig);
            match got {
                Ok(()) => t.accepted += 1,
                Err(_) => t.refused += 1,
            }
            if want != got {
                mismatches.push(case.mismatch(rel, &format!("expected {want:?}, got {got:?}")));
            }
        }
    }
    println!(
        "{rel}\n  | run | accepted | refused (BadSignature) | keys loaded (4 forms each) | mismatches |\n  | {} | {} | {} | {} | {} |",
        t.run,
        t.accepted,
        t.refused,
        t.keys,
        mismatches.len()
    );
    fail_on(rel, &mismatches);
    assert_eq!(&t, want, "{rel}: totals changed");
}

#[test]
fn v1_ed25519() {
    run_ed25519_file(
        "testvectors_v1/ed25519_test.json",
        &EdTotals {
            run: 151,
            accepted: 88,
            refused: 63,
            keys: 78,
        },
    );
}

/// The folder holds exactly the files this test reads (plus the README).
#[test]
fn testdata_holds_exactly_the_files_run() {
    let run: &[&str] = &[
        "legacy_testvectors/rsa_sig_gen_misc_test.json",
        "legacy_testvectors/rsa_signature_2048_sha256_test.json",
        "legacy_testvectors/rsa_signature_3072_sha256_test.json",
        "testvectors_v1/ed25519_test.json",
        "testvectors_v1/rsa_pkcs1_1024_sig_gen_test.json",
        "testvectors_v1/rsa_pkcs1_1536_sig_gen_test.json",
        "testvectors_v1/rsa_pkcs1_2048_sig_gen_test.json",
        "testvectors_v1/rsa_pkcs1_3072_sig_gen_test.json",
        "testvectors_v1/rsa_pkcs1_4096_sig_gen_test.json",
        "testvectors_v1/rsa_signature_2048_sha256_test.json",
        "testvectors_v1/rsa_signature_2048_sha384_test.json",
        "testvectors_v1/rsa_signature_2048_sha512_test.json",
        "testvectors_v1/rsa_signature_3072_sha256_test.json",
        "testvectors_v1/rsa_signature_3072_sha384_test.json",
        "testvectors_v1/rsa_signature_3072_sha512_test.json",
        "testvectors_v1/rsa_signature_4096_sha256_test.json",
        "testvectors_v1/rsa_signature_4096_sha384_test.json",
        "testvectors_v1/rsa_signature_4096_sha512_test.json",
        "testvectors_v1/rsa_signature_8192_sha256_test.json",
        "testvectors_v1/rsa_signature_8192_sha384_test.json",
    ];
    let mut found = Vec::new();
    for dir in ["legacy_testvectors", "testvectors_v1"] {
        for entry in std::fs::read_dir(path(dir)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            found.push(format!("{dir}/{name}"));
        }
    }
    found.sort();
    assert_eq!(found, run);
    let source = include_str!("wycheproof.rs");
    for rel in run {
        assert_eq!(
            source.matches(&format!("\"{rel}\"")).count(),
            2,
            "{rel} run once"
        );
    }
}
