//! RSA-SHA384 and Ed25519 next to RSA-SHA256/512: key forms, signing and
//! verifying envelopes, `signature_metadata` (checked, never followed),
//! envelopes under a key of the other kind, and interop with the `openssl`
//! CLI and PHP's `openssl_sign`/`openssl_verify`.
use crate::common;
use respsig::Policy;

use std::process::{Command, Output};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use respsig::{
    Algorithm, Error, Hash, KeyProblem, Keyring, Member, Problem, PublicKey, SigningKey, Snippet,
    canonical,
};
use serde_json::{Value, json};

fn payload() -> Value {
    json!({"code": 200, "message": "Valid license key", "url": "https://example.com/a", "timestamp": 1709169556})
}

/// The four signers: RSA-2048 with each hash, and Ed25519.
fn signers() -> Vec<SigningKey> {
    let rsa = common::private("keys/rsa2048.pem");
    vec![
        rsa.clone(),
        rsa.clone().with_hash(Hash::Sha384),
        rsa.with_hash(Hash::Sha512),
        common::private("keys/ed25519.pem"),
    ]
}

fn keyring(key: &PublicKey) -> Keyring {
    Keyring::new().with("product", key.clone()).unwrap()
}

/// `envelope` with `,"signature_metadata":<metadata>` added as its last
/// member (it is unsigned: the signature still covers the same text).
fn with_metadata(envelope: &str, metadata: &str) -> String {
    let body = envelope.strip_suffix('}').unwrap();
    format!("{body},\"signature_metadata\":{metadata}}}")
}

fn mismatch(claimed: &str, key: Algorithm) -> Error {
    Error::AlgorithmMismatch {
        claimed: Snippet::new(claimed),
        key,
    }
}

#[test]
fn algorithm_names_as_the_sdk_spells_them() {
    for (name, algorithm) in [
        ("RSA-SHA256", Algorithm::RsaSha256),
        ("sha256", Algorithm::RsaSha256),
        ("Rsa-Sha256", Algorithm::RsaSha256),
        ("RSA-SHA384", Algorithm::RsaSha384),
        ("sha384", Algorithm::RsaSha384),
        ("rsa-sha512", Algorithm::RsaSha512),
        ("SHA512", Algorithm::RsaSha512),
        ("Ed25519", Algorithm::Ed25519),
        ("ed25519", Algorithm::Ed25519),
        ("ED25519", Algorithm::Ed25519),
    ] {
        assert_eq!(Algorithm::from_name(name), Some(algorithm), "{name}");
    }
    for unknown in [
        "",
        "RS256",
        "RSA",
        "rsa-",
        "sha1",
        "RSA-SHA1",
        "EdDSA",
        "rsa-ed25519",
        "sha-256",
        "RSA-SHA256 ",
        " sha384",
        "none",
        "HS256",
    ] {
        assert_eq!(Algorithm::from_name(unknown), None, "{unknown:?}");
    }
    let names: Vec<String> = [
        Algorithm::RsaSha256,
        Algorithm::RsaSha384,
        Algorithm::RsaSha512,
        Algorithm::Ed25519,
    ]
    .iter()
    .map(ToString::to_string)
    .collect();
    assert_eq!(names, ["RSA-SHA256", "RSA-SHA384", "RSA-SHA512", "Ed25519"]);
}

#[test]
fn every_form_of_the_ed25519_key_is_the_same_key() {
    let signer = common::private("keys/ed25519.pem");
    let raw = common::bytes("keys/ed25519.pub.raw");
    let der = common::bytes("keys/ed25519.pub.der");
    let pem = common::text("keys/ed25519.pub.pem");
    let key = PublicKey::from_ed25519(&raw).unwrap();
    for (form, other) in [
        ("PEM", PublicKey::from_pem(&pem)),
        ("DER", PublicKey::from_der(&der)),
        ("SPKI DER", PublicKey::from_der(&der)),
        ("signer", Ok(signer.public_key().clone())),
        (
            "PKCS#8 DER signer",
            SigningKey::from_der(&common::bytes("keys/ed25519.der"))
                .map(|k| k.public_key().clone()),
        ),
    ] {
        assert_eq!(other, Ok(key.clone()), "{form}");
    }
    assert_eq!(key.algorithm(), Algorithm::Ed25519);
    assert_eq!(key.hash(), Hash::Sha512);
    assert_eq!(
        (key.bits(), key.signature_len(), key.signature_len()),
        (256, 64, 64)
    );
    assert_eq!(key.spki_der(), &der[..]);
    assert_eq!(key.to_pem(), pem);
    // The fingerprint is the SHA-256 of the SPKI DER, as for RSA keys.
    let digest = ring::digest::digest(&ring::digest::SHA256, &der);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(key.fingerprint(), hex);
    // A hash has no say over an Ed25519 key, public or private.
    assert_eq!(key.clone().with_hash(Hash::Sha256), key);
    let hashed = signer.clone().with_hash(Hash::Sha256);
    assert_eq!(
        (hashed.algorithm(), hashed.hash()),
        (Algorithm::Ed25519, Hash::Sha512)
    );
    assert_eq!(
        hashed.sign_bytes(b"m").unwrap(),
        signer.sign_bytes(b"m").unwrap()
    );
    assert!(format!("{signer:?}").contains("algorithm: Ed25519"));
}

#[test]
fn ed25519_keys_are_refused_exactly() {
    let raw = common::bytes("keys/ed25519.pub.raw");
    let der = common::bytes("keys/ed25519.pub.der");
    for len in [0, 31, 33, 64] {
        let bytes: Vec<u8> = raw.iter().copied().cycle().take(len).collect();
        assert_eq!(
            PublicKey::from_ed25519(&bytes),
            Err(Error::KeyRejected(KeyProblem::Ed25519Length { len })),
            "{len}"
        );
    }
    // RFC 8410: id-Ed25519 takes no parameters; a NULL is refused.
    let mut with_null = vec![
        0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00,
    ];
    with_null.extend_from_slice(&der[9..]);
    assert_eq!(
        PublicKey::from_der(&with_null),
        Err(Error::KeyRejected(KeyProblem::Der))
    );
    // A 31-byte key inside an SPKI.
    let mut short = der.clone();
    short[1] -= 1;
    short[10] -= 1;
    short.pop();
    assert_eq!(
        PublicKey::from_der(&short),
        Err(Error::KeyRejected(KeyProblem::Ed25519Length { len: 31 }))
    );
    // Raw bytes are not DER, and an Ed25519 SPKI is not PKCS#1.
    assert_eq!(
        PublicKey::from_der(&raw),
        Err(Error::KeyRejected(KeyProblem::Der))
    );
    // `from_der` tells the forms apart: the SPKI is read as one (never as
    // PKCS#1), the same key as the raw bytes.
    assert_eq!(
        PublicKey::from_der(&der),
        Ok(PublicKey::from_ed25519(&raw).unwrap())
    );
    // PKCS#8 Ed25519 is read as PKCS#8 (never as a PKCS#1 RSA key): the
    // same key as the PEM file.
    let pkcs8 = common::bytes("keys/ed25519.der");
    assert_eq!(
        SigningKey::from_der(&pkcs8).unwrap().public_key(),
        common::private("keys/ed25519.pem").public_key()
    );
    // The seed cut short.
    let mut cut = pkcs8.clone();
    cut[1] -= 1;
    cut[15] -= 1;
    cut[13] -= 1;
    cut.pop();
    assert!(matches!(
        SigningKey::from_der(&cut),
        Err(Error::KeyRejected(KeyProblem::PrivateKey { .. }))
    ));
}

/// Ed25519 public keys of small order are refused wherever a key is
/// loaded: under one, `R` of small order with `S = 0` verifies for every
/// message (found by a review: 32 zero bytes in a key file accepted a
/// forged envelope). Each of libsodium's seven encodings, with and without
/// the sign bit, raw, as a key file's bytes and inside an SPKI.
#[test]
fn ed25519_keys_of_small_order_are_refused() {
    let hex = |s: &str| -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    };
    let ff = "ff".repeat(30);
    let blocked = [
        "00".repeat(32),
        format!("01{}", "00".repeat(31)),
        "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05".to_owned(),
        "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a".to_owned(),
        format!("ec{ff}7f"),
        format!("ed{ff}7f"),
        format!("ee{ff}7f"),
    ];
    let spki_prefix = hex("302a300506032b6570032100");
    let refused = Err(Error::KeyRejected(KeyProblem::Ed25519SmallOrder));
    for text in &blocked {
        for sign in [0x00, 0x80] {
            let mut key = hex(text);
            key[31] |= sign;
            assert_eq!(PublicKey::from_ed25519(&key), refused, "{text} {sign:x}");
            assert_eq!(PublicKey::from_pem_or_der(&key), refused, "{text} {sign:x}");
            let spki = [&spki_prefix[..], &key].concat();
            assert_eq!(PublicKey::from_der(&spki), refused, "{text} {sign:x}");
        }
    }
    // A real key and its neighbours still load.
    let raw = common::bytes("keys/ed25519.pub.raw");
    assert!(PublicKey::from_ed25519(&raw).is_ok());
    let mut two = hex(&blocked[1]);
    two[0] = 2;
    assert!(PublicKey::from_ed25519(&two).is_ok());
    assert_eq!(
        Error::KeyRejected(KeyProblem::Ed25519SmallOrder).to_string(),
        "key rejected: the Ed25519 public key is a point of small order, under which any message verifies"
    );
}

/// PKCS#8 v2 (with the public key) loads when the public key matches, in
/// RFC 5958's form and in the one ring writes; a wrong one is refused.
#[test]
fn ed25519_pkcs8_v2() {
    let v1 = common::bytes("keys/ed25519.der");
    let own = common::bytes("keys/ed25519.pub.raw");
    let other = common::public("keys/other-ed25519.pub.pem").spki_der()[12..].to_vec();
    let v2 = |public: &[u8], tag: &[u8]| {
        let mut body = vec![2, 1, 1, 0x30, 5, 6, 3, 0x2b, 0x65, 0x70, 4, 0x22, 4, 0x20];
        body.extend_from_slice(&v1[16..48]);
        body.extend_from_slice(tag);
        body.extend_from_slice(public);
        let mut der = vec![0x30, u8::try_from(body.len()).unwrap()];
        der.extend(body);
        der
    };
    let want = common::private("keys/ed25519.pem");
    for tag in [&[0x81, 0x21, 0][..], &[0xa1, 0x23, 3, 0x21, 0]] {
        let key = SigningKey::from_der(&v2(&own, tag)).unwrap();
        assert_eq!(key.public_key(), want.public_key());
        assert_eq!(key.sign_bytes(b"m"), want.sign_bytes(b"m"));
        assert_eq!(
            SigningKey::from_der(&v2(&other, tag)).err(),
            Some(Error::KeyRejected(KeyProblem::PrivateKey {
                reason: "InconsistentComponents".to_owned()
            }))
        );
    }
}

/// Every algorithm signs the ASCII text of `response_base64`, nothing
/// else, and verifies under its own key only.
#[test]
fn every_algorithm_signs_the_text_of_response_base64() {
    let all = signers();
    for signer in &all {
        let algorithm = signer.algorithm();
        let envelope = signer.sign_envelope("product", &payload()).unwrap();
        let verified = keyring(signer.public_key())
            .verify(&envelope, &Policy::any_age())
            .unwrap();
        assert_eq!(verified.payload_bytes(), canonical::to_vec(&payload()));
        assert_eq!(verified.key().algorithm(), algorithm);

        let env: Value = serde_json::from_str(&envelope).unwrap();
        let text = env["response_base64"].as_str().unwrap();
        let sig = STANDARD.decode(env["signature"].as_str().unwrap()).unwrap();
        assert_eq!(
            sig.len(),
            signer.public_key().signature_len(),
            "{algorithm}"
        );
        let key = signer.public_key();
        assert_eq!(key.verify_signature(text.as_bytes(), &sig), Ok(()));
        assert_eq!(
            key.verify_signature(&STANDARD.decode(text).unwrap(), &sig),
            Err(Error::BadSignature),
            "{algorithm}: the decoded payload is not what is signed"
        );
        // Any other algorithm's key refuses it.
        for other in all.iter().filter(|o| o.algorithm() != algorithm) {
            let got = keyring(other.public_key())
                .verify(&envelope, &Policy::any_age())
                .unwrap_err();
            let want = if other.algorithm() == Algorithm::Ed25519 || algorithm == Algorithm::Ed25519
            {
                Error::SignatureLength {
                    got: sig.len(),
                    expected: other.public_key().signature_len(),
                }
            } else {
                Error::BadSignature
            };
            assert_eq!(got, want, "{algorithm} under {}", other.algorithm());
        }
    }
    // Another Ed25519 key refuses an Ed25519 envelope.
    let envelope = all[3].sign_envelope("product", &payload()).unwrap();
    let other = common::public("keys/other-ed25519.pub.pem");
    assert_eq!(
        keyring(&other)
            .verify(&envelope, &Policy::any_age())
            .unwrap_err(),
        Error::BadSignature
    );
}

#[test]
fn signature_metadata_that_agrees_changes_nothing() {
    for signer in signers() {
        let algorithm = signer.algorithm();
        let envelope = signer.sign_envelope("product", &payload()).unwrap();
        let keyring = keyring(signer.public_key());
        let name = algorithm.name();
        let spellings = [
            name.to_owned(),
            name.to_ascii_lowercase(),
            name.to_ascii_uppercase(),
            name.trim_start_matches("RSA-").to_owned(),
        ];
        for spelling in spellings {
            for metadata in [
                format!(r#"{{"algorithm":"{spelling}"}}"#),
                format!(r#"{{"key_id":"k1","algorithm":"{spelling}","extra":[1,{{"a":null}}]}}"#),
            ] {
                let env = with_metadata(&envelope, &metadata);
                let verified = keyring
                    .verify(&env, &Policy::any_age())
                    .unwrap_or_else(|e| panic!("{metadata}: {e}"));
                assert_eq!(verified.payload_bytes(), canonical::to_vec(&payload()));
            }
        }
        // An object naming no algorithm names nothing to disagree with.
        for metadata in ["{}", r#"{"key_id":"k1"}"#] {
            let env = with_metadata(&envelope, metadata);
            assert!(
                keyring.verify(&env, &Policy::any_age()).is_ok(),
                "{algorithm} {metadata}"
            );
        }
    }
}

#[test]
fn signature_metadata_that_disagrees_is_refused_naming_both() {
    let all = signers();
    for signer in &all {
        let envelope = signer.sign_envelope("product", &payload()).unwrap();
        let keyring = keyring(signer.public_key());
        for other in all.iter().filter(|o| o.algorithm() != signer.algorithm()) {
            let claimed = other.algorithm().name();
            let env = with_metadata(&envelope, &format!(r#"{{"algorithm":"{claimed}"}}"#));
            let err = keyring.verify(&env, &Policy::any_age()).unwrap_err();
            assert_eq!(err, mismatch(claimed, signer.algorithm()));
            assert_eq!(
                err.to_string(),
                format!(
                    "algorithm mismatch: `signature_metadata` names algorithm \"{claimed}\", but the key configured under that name verifies with {}",
                    signer.algorithm()
                )
            );
        }
    }
}

#[test]
fn signature_metadata_with_an_unknown_algorithm_is_refused() {
    for signer in signers() {
        let envelope = signer.sign_envelope("product", &payload()).unwrap();
        let keyring = keyring(signer.public_key());
        for claimed in ["none", "", "RS256", "HS256", "EdDSA", "RSA-SHA1", "sha-256"] {
            let env = with_metadata(&envelope, &format!(r#"{{"algorithm":"{claimed}"}}"#));
            assert_eq!(
                keyring.verify(&env, &Policy::any_age()).unwrap_err(),
                mismatch(claimed, signer.algorithm()),
                "{claimed:?}"
            );
        }
        // Escapes are read as JSON reads them; the name is cut when shown.
        let env = with_metadata(&envelope, r#"{"algorithm":"\u0045d448"}"#);
        assert_eq!(
            keyring.verify(&env, &Policy::any_age()).unwrap_err(),
            mismatch("Ed448", signer.algorithm())
        );
        let long = "x".repeat(100);
        let env = with_metadata(&envelope, &format!(r#"{{"algorithm":"{long}"}}"#));
        let err = keyring.verify(&env, &Policy::any_age()).unwrap_err();
        assert_eq!(err, mismatch(&long, signer.algorithm()));
        assert!(
            err.to_string()
                .contains(&format!("\"{}\"...", "x".repeat(32)))
        );
    }
}

#[test]
fn malformed_signature_metadata_is_malformed() {
    let metadata = |problem| Error::Malformed {
        member: Member::SignatureMetadata,
        problem,
    };
    let algorithm = |problem| Error::Malformed {
        member: Member::SignatureMetadataAlgorithm,
        problem,
    };
    for signer in signers() {
        let envelope = signer.sign_envelope("product", &payload()).unwrap();
        let name = signer.algorithm().name();
        let keyring = keyring(signer.public_key());
        let cases: Vec<(String, Error)> = vec![
            (format!("\"{name}\""), metadata(Problem::NotAnObject)),
            (format!("[\"{name}\"]"), metadata(Problem::NotAnObject)),
            ("null".into(), metadata(Problem::NotAnObject)),
            ("7".into(), metadata(Problem::NotAnObject)),
            (r#"{"algorithm":7}"#.into(), algorithm(Problem::NotAString)),
            (
                r#"{"algorithm":null}"#.into(),
                algorithm(Problem::NotAString),
            ),
            (
                format!(r#"{{"algorithm":["{name}"]}}"#),
                algorithm(Problem::NotAString),
            ),
            (
                format!(r#"{{"algorithm":{{"name":"{name}"}}}}"#),
                algorithm(Problem::NotAString),
            ),
            (
                format!(r#"{{"algorithm":"{name}","algorithm":"{name}"}}"#),
                algorithm(Problem::Duplicate),
            ),
            (
                format!(r#"{{"algorithm":"{name}","algorith\u006d":"{name}"}}"#),
                algorithm(Problem::Duplicate),
            ),
            (
                format!(r#"{{"algorithm":"{name}","k":1,"k":2}}"#),
                metadata(Problem::DuplicateKey {
                    key: Snippet::new("k"),
                }),
            ),
            (
                format!(r#"{{"algorithm":"{name}",}}"#),
                metadata(Problem::Syntax {
                    offset: envelope.len() + 37 + name.len(),
                    expected: "a string key",
                }),
            ),
        ];
        for (text, want) in cases {
            let env = with_metadata(&envelope, &text);
            assert_eq!(
                keyring.verify(&env, &Policy::any_age()).unwrap_err(),
                want,
                "{name}: {text}"
            );
            // The same refusal without verifying.
            assert_eq!(
                respsig::dangerous::read(env.as_bytes(), &respsig::Limits::new()).unwrap_err(),
                want,
                "{text}"
            );
        }
        // Nesting inside the member counts against the depth limit as in
        // `response`: envelope (1) + member (1) + 126 arrays = 128 levels.
        let deep = format!(r#"{{"x":{}1{}}}"#, "[".repeat(127), "]".repeat(127));
        let env = with_metadata(&envelope, &deep);
        assert_eq!(
            keyring.verify(&env, &Policy::any_age()).unwrap_err(),
            metadata(Problem::TooDeep { limit: 128 })
        );
        let fits = format!(r#"{{"x":{}1{}}}"#, "[".repeat(126), "]".repeat(126));
        assert!(
            keyring
                .verify(with_metadata(&envelope, &fits), &Policy::any_age())
                .is_ok()
        );
        // Many members (duplicates are looked up in a hash set, not by a
        // linear search per member); the last one's duplicate is found.
        let many: Vec<String> = (0..40_000).map(|i| format!("\"m{i}\":{i}")).collect();
        let env = with_metadata(&envelope, &format!("{{{}}}", many.join(",")));
        assert!(keyring.verify(&env, &Policy::any_age()).is_ok());
        let env = with_metadata(&envelope, &format!("{{{},\"m39999\":0}}", many.join(",")));
        assert_eq!(
            keyring.verify(&env, &Policy::any_age()).unwrap_err(),
            metadata(Problem::DuplicateKey {
                key: Snippet::new("m39999")
            })
        );
        // The member twice, even agreeing both times.
        let once = with_metadata(&envelope, &format!(r#"{{"algorithm":"{name}"}}"#));
        let twice = with_metadata(&once, &format!(r#"{{"algorithm":"{name}"}}"#));
        assert_eq!(
            keyring.verify(&twice, &Policy::any_age()).unwrap_err(),
            metadata(Problem::Duplicate)
        );
    }
}

/// The metadata can only refuse: it never makes an envelope verify that
/// would not verify without it, whatever it names.
#[test]
fn signature_metadata_never_selects_an_algorithm_or_a_key() {
    let rsa = common::private("keys/rsa2048.pem");
    let sha512 = rsa
        .clone()
        .with_hash(Hash::Sha512)
        .sign_envelope("product", &payload())
        .unwrap();
    // The caller configured SHA-256: the SHA-512 envelope is refused, and
    // naming SHA-512 in the metadata does not change the key's algorithm.
    let sha256_ring = keyring(rsa.public_key());
    assert_eq!(
        sha256_ring.verify(&sha512, &Policy::any_age()).unwrap_err(),
        Error::BadSignature
    );
    assert_eq!(
        sha256_ring
            .verify(
                with_metadata(&sha512, r#"{"algorithm":"RSA-SHA512"}"#),
                &Policy::any_age()
            )
            .unwrap_err(),
        mismatch("RSA-SHA512", Algorithm::RsaSha256)
    );
    // Rotation: SHA-256 and Ed25519 keys under one name. Each envelope
    // verifies under its own key, with or without agreeing metadata; the
    // metadata only narrows the keys tried, and naming the other key's
    // algorithm gets the envelope refused.
    let ed = common::private("keys/ed25519.pem");
    let both = Keyring::new()
        .with("product", rsa.public_key().clone())
        .unwrap()
        .with("product", ed.public_key().clone())
        .unwrap();
    let by_rsa = rsa.sign_envelope("product", &payload()).unwrap();
    let by_ed = ed.sign_envelope("product", &payload()).unwrap();
    for (envelope, signer) in [(&by_rsa, &rsa), (&by_ed, &ed)] {
        assert_eq!(
            both.verify(envelope, &Policy::any_age()).unwrap().key(),
            signer.public_key()
        );
        let own = with_metadata(
            envelope,
            &format!(r#"{{"algorithm":"{}"}}"#, signer.algorithm()),
        );
        assert_eq!(
            both.verify(&own, &Policy::any_age()).unwrap().key(),
            signer.public_key()
        );
    }
    assert_eq!(
        both.verify(
            with_metadata(&by_rsa, r#"{"algorithm":"Ed25519"}"#),
            &Policy::any_age()
        )
        .unwrap_err(),
        Error::SignatureLength {
            got: 256,
            expected: 64
        }
    );
    assert_eq!(
        both.verify(
            with_metadata(&by_ed, r#"{"algorithm":"RSA-SHA256"}"#),
            &Policy::any_age()
        )
        .unwrap_err(),
        Error::SignatureLength {
            got: 64,
            expected: 256
        }
    );
    // Naming an algorithm no key of the name has: the first key is named.
    assert_eq!(
        both.verify(
            with_metadata(&by_rsa, r#"{"algorithm":"sha384"}"#),
            &Policy::any_age()
        )
        .unwrap_err(),
        mismatch("sha384", Algorithm::RsaSha256)
    );
}

/// A disagreeing name is refused before the signature is decoded or
/// checked: a broken or forged signature gets the same error.
#[test]
fn a_disagreeing_algorithm_is_refused_before_any_signature_work() {
    let signer = common::private("keys/rsa2048.pem").with_hash(Hash::Sha384);
    let keyring = keyring(signer.public_key());
    let envelope = signer.sign_envelope("product", &payload()).unwrap();
    let env: Value = serde_json::from_str(&envelope).unwrap();
    let sig = env["signature"].as_str().unwrap();
    // Not base64, the wrong length, and the right length but wrong bytes.
    let flipped = format!(
        "{}{}",
        if sig.starts_with('A') { "B" } else { "A" },
        &sig[1..]
    );
    for bad_signature in ["not base64!", "AAAA", &flipped] {
        let forged = envelope.replace(&sig.replace('/', "\\/"), bad_signature);
        assert_ne!(forged, envelope);
        // Without the metadata, each is refused for what it is.
        assert!(keyring.verify(&forged, &Policy::any_age()).is_err());
        let forged = with_metadata(&forged, r#"{"algorithm":"Ed25519"}"#);
        assert_eq!(
            keyring.verify(&forged, &Policy::any_age()).unwrap_err(),
            mismatch("Ed25519", Algorithm::RsaSha384),
            "{bad_signature}"
        );
    }
}

#[test]
fn an_envelope_under_a_key_of_the_other_kind() {
    let rsa = common::private("keys/rsa2048.pem");
    let ed = common::private("keys/ed25519.pem");
    let by_ed = ed.sign_envelope("product", &payload()).unwrap();
    let by_rsa = rsa.sign_envelope("product", &payload()).unwrap();
    // Ed25519 envelope, RSA key name: the signature's length gives it away.
    assert_eq!(
        keyring(rsa.public_key())
            .verify(&by_ed, &Policy::any_age())
            .unwrap_err(),
        Error::SignatureLength {
            got: 64,
            expected: 256
        }
    );
    assert_eq!(
        keyring(rsa.public_key())
            .verify(
                with_metadata(&by_ed, r#"{"algorithm":"Ed25519"}"#),
                &Policy::any_age()
            )
            .unwrap_err(),
        mismatch("Ed25519", Algorithm::RsaSha256)
    );
    // RSA envelope, Ed25519 key name.
    assert_eq!(
        keyring(ed.public_key())
            .verify(&by_rsa, &Policy::any_age())
            .unwrap_err(),
        Error::SignatureLength {
            got: 256,
            expected: 64
        }
    );
    assert_eq!(
        keyring(ed.public_key())
            .verify(
                with_metadata(&by_rsa, r#"{"algorithm":"RSA-SHA256"}"#),
                &Policy::any_age()
            )
            .unwrap_err(),
        mismatch("RSA-SHA256", Algorithm::Ed25519)
    );
    // An RSA key and another Ed25519 key under one name: the RSA key is
    // not run on a 64-byte signature, the Ed25519 key refuses it.
    let mixed = Keyring::new()
        .with("product", rsa.public_key().clone())
        .unwrap()
        .with("product", common::public("keys/other-ed25519.pub.pem"))
        .unwrap();
    assert_eq!(
        mixed.verify(&by_ed, &Policy::any_age()).unwrap_err(),
        Error::BadSignature
    );
}

/// License files are RSA blocks: an Ed25519 key opens none, and next to
/// the RSA key it changes nothing.
#[test]
fn license_files_are_rsa_only() {
    let lic = common::bytes("license/openssl-2048.lic");
    let ed = common::public("keys/ed25519.pub.pem");
    let policy = respsig::LicensePolicy::new()
        .hardware_id("HW-1234")
        .clock(respsig::FixedClock::at(1_767_225_600));
    assert_eq!(
        keyring(&ed)
            .verify_license("product", &lic, &policy)
            .unwrap_err(),
        Error::License(respsig::LicenseProblem::NoRsaKey)
    );
    let both = keyring(&ed)
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap();
    let verified = both.verify_license("product", &lic, &policy).unwrap();
    assert_eq!(verified.key().algorithm(), Algorithm::RsaSha256);
}

#[test]
fn dangerous_read_shows_the_metadata() {
    let envelope = common::private("keys/ed25519.pem")
        .sign_envelope("product", &payload())
        .unwrap();
    let limits = respsig::Limits::new();
    let plain = respsig::dangerous::read(envelope.as_bytes(), &limits).unwrap();
    assert_eq!(plain.signature_metadata(), None);
    assert_eq!(plain.claimed_algorithm(), None);
    let env = with_metadata(&envelope, r#"{"algorithm":"rsa-sha384","kid":"k"}"#);
    let read = respsig::dangerous::read(env.as_bytes(), &limits).unwrap();
    assert_eq!(
        read.signature_metadata(),
        Some(&json!({"algorithm": "rsa-sha384", "kid": "k"}))
    );
    assert_eq!(
        read.claimed_algorithm(),
        Some(("rsa-sha384", Some(Algorithm::RsaSha384)))
    );
    let env = with_metadata(&envelope, r#"{"algorithm":"HS256"}"#);
    let read = respsig::dangerous::read(env.as_bytes(), &limits).unwrap();
    assert_eq!(read.claimed_algorithm(), Some(("HS256", None)));
}

// ---------------------------------------------------------------------------
// Interop

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The `openssl` command that verifies `sig` over the file `msg` with the
/// public key `public`, and what it prints on success.
fn openssl_verify(
    openssl: &str,
    algorithm: Algorithm,
    public: &str,
    sig: &std::path::Path,
    msg: &std::path::Path,
) -> (Command, &'static str) {
    let mut cmd = Command::new(openssl);
    match algorithm {
        Algorithm::Ed25519 => {
            cmd.args(["pkeyutl", "-verify", "-pubin", "-rawin", "-inkey"])
                .arg(common::path(public))
                .arg("-sigfile")
                .arg(sig)
                .arg("-in")
                .arg(msg);
            (cmd, "Signature Verified Successfully")
        }
        _ => {
            cmd.args(["dgst", dgst_flag(algorithm), "-verify"])
                .arg(common::path(public))
                .arg("-signature")
                .arg(sig)
                .arg(msg);
            (cmd, "Verified OK")
        }
    }
}

fn dgst_flag(algorithm: Algorithm) -> &'static str {
    match algorithm {
        Algorithm::RsaSha256 => "-sha256",
        Algorithm::RsaSha384 => "-sha384",
        Algorithm::RsaSha512 => "-sha512",
        _ => unreachable!(),
    }
}

/// The new algorithms, with the key files that make them.
fn new_algorithms() -> Vec<(SigningKey, &'static str, &'static str)> {
    vec![
        (
            common::private("keys/rsa2048.pem").with_hash(Hash::Sha384),
            "keys/rsa2048.pem",
            "keys/rsa2048.pub.pem",
        ),
        (
            common::private("keys/rsa3072.pem").with_hash(Hash::Sha384),
            "keys/rsa3072.pem",
            "keys/rsa3072.pub.pem",
        ),
        (
            common::private("keys/rsa4096.pem").with_hash(Hash::Sha384),
            "keys/rsa4096.pem",
            "keys/rsa4096.pub.pem",
        ),
        (
            common::private("keys/ed25519.pem"),
            "keys/ed25519.pem",
            "keys/ed25519.pub.pem",
        ),
    ]
}

/// `openssl dgst -sha384 -verify` and `openssl pkeyutl -verify -rawin`
/// accept what the crate signs, over the `response_base64` text.
#[test]
fn openssl_cli_accepts_rsa_sha384_and_ed25519_the_crate_signs() {
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (msg, sig) = (dir.path().join("msg"), dir.path().join("sig"));
    for (signer, _, public) in new_algorithms() {
        let env: Value =
            serde_json::from_str(&signer.sign_envelope("product", &payload()).unwrap()).unwrap();
        std::fs::write(&msg, env["response_base64"].as_str().unwrap()).unwrap();
        std::fs::write(
            &sig,
            STANDARD.decode(env["signature"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let (mut cmd, ok) = openssl_verify(openssl, signer.algorithm(), public, &sig, &msg);
        let out = run(&mut cmd);
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), ok, "{public}");
        // And refuses it over the decoded payload.
        std::fs::write(&msg, canonical::to_vec(&payload())).unwrap();
        let (mut cmd, _) = openssl_verify(openssl, signer.algorithm(), public, &sig, &msg);
        assert!(!cmd.output().unwrap().status.success(), "{public}");
    }
}

/// The crate verifies what `openssl dgst -sha384 -sign` and `openssl
/// pkeyutl -sign -rawin` sign over the base64 text; Ed25519 and PKCS#1
/// v1.5 being deterministic, the signatures are byte for byte the crate's.
#[test]
fn crate_accepts_rsa_sha384_and_ed25519_openssl_signs() {
    let Some(openssl) = common::tool("openssl", "version") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (msg, sig) = (dir.path().join("msg"), dir.path().join("sig"));
    let response_base64 = STANDARD.encode(canonical::to_vec(&payload()));
    std::fs::write(&msg, &response_base64).unwrap();
    for (signer, private, _) in new_algorithms() {
        let mut cmd = Command::new(openssl);
        match signer.algorithm() {
            Algorithm::Ed25519 => cmd.args(["pkeyutl", "-sign", "-rawin", "-inkey"]),
            algorithm => cmd.args(["dgst", dgst_flag(algorithm), "-sign"]),
        };
        run(cmd
            .arg(common::path(private))
            .arg("-out")
            .arg(&sig)
            .args(if signer.algorithm() == Algorithm::Ed25519 {
                vec!["-in"]
            } else {
                vec![]
            })
            .arg(&msg));
        let signature = std::fs::read(&sig).unwrap();
        assert_eq!(
            signature,
            signer.sign_bytes(response_base64.as_bytes()).unwrap(),
            "{private}"
        );
        let envelope = json!({
            "response": payload(),
            "response_base64": response_base64,
            "private_key_used": "global",
            "signature": STANDARD.encode(&signature),
        })
        .to_string();
        let keyring = Keyring::new()
            .with("global", signer.public_key().clone())
            .unwrap();
        assert_eq!(
            keyring
                .verify(&envelope, &Policy::any_age())
                .unwrap()
                .payload_bytes(),
            canonical::to_vec(&payload())
        );
    }
}

fn php(script: &str, args: &[&std::path::Path]) -> String {
    let php = common::tool("php", "-v").unwrap();
    let out = run(Command::new(php).args(["-r", script]).args(args));
    String::from_utf8(out.stdout).unwrap()
}

/// PHP's `openssl_verify` with `OPENSSL_ALGO_SHA384` accepts the crate's
/// RSA-SHA384 envelopes, and the crate accepts PHP's `openssl_sign`.
#[test]
fn php_and_the_crate_agree_on_rsa_sha384() {
    if common::tool("php", "-v").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env_path = dir.path().join("envelope.json");
    for bits in [2048, 4096] {
        let signer = common::private(&format!("keys/rsa{bits}.pem")).with_hash(Hash::Sha384);
        let public = common::path(&format!("keys/rsa{bits}.pub.pem"));
        let private = common::path(&format!("keys/rsa{bits}.pem"));
        std::fs::write(
            &env_path,
            signer.sign_envelope("product", &payload()).unwrap(),
        )
        .unwrap();
        let verify = r#"$e = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
$k = openssl_pkey_get_public(file_get_contents($argv[2]));
$sig = base64_decode($e["signature"], true);
echo openssl_verify($e["response_base64"], $sig, $k, OPENSSL_ALGO_SHA384), " ";
echo openssl_verify($e["response_base64"], $sig, $k, OPENSSL_ALGO_SHA256);"#;
        assert_eq!(php(verify, &[&env_path, &public]), "1 0", "{bits}");

        // PHP signs an envelope the way the server does.
        let sign = r#"$r = ["code" => 200, "message" => "Valid license key", "url" => "https://example.com/a", "timestamp" => 1709169556];
$b = base64_encode(json_encode($r));
openssl_sign($b, $sig, openssl_pkey_get_private(file_get_contents($argv[1])), OPENSSL_ALGO_SHA384);
echo json_encode(["response" => $r, "response_base64" => $b, "private_key_used" => "product", "signature" => base64_encode($sig)]);"#;
        let envelope = php(sign, &[&private]);
        let verified = keyring(signer.public_key())
            .verify(&envelope, &Policy::any_age())
            .unwrap();
        assert_eq!(verified.payload_bytes(), canonical::to_vec(&payload()));
        assert_eq!(
            keyring(&signer.public_key().clone().with_hash(Hash::Sha256))
                .verify(&envelope, &Policy::any_age())
                .unwrap_err(),
            Error::BadSignature
        );
        // PHP's envelope is byte for byte the crate's (deterministic
        // padding, same canonical JSON).
        assert_eq!(
            envelope,
            signer.sign_envelope("product", &payload()).unwrap()
        );
    }
}

/// PHP 8.2 loads an Ed25519 key but its `openssl_sign` and `openssl_verify`
/// cannot use it: with a digest constant (`OPENSSL_ALGO_SHA256`,
/// `OPENSSL_ALGO_SHA512`) `openssl_verify` returns -1 and `openssl_sign`
/// false ("operation not supported for this keytype"); with 0, not a known
/// algorithm, both return false. An SDK on PHP 8.2 cannot verify Ed25519
/// envelopes through ext/openssl at all.
#[test]
fn php_8_2_cannot_use_ed25519_keys() {
    if common::tool("php", "-v").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let env_path = dir.path().join("envelope.json");
    let signer = common::private("keys/ed25519.pem");
    std::fs::write(
        &env_path,
        signer.sign_envelope("product", &payload()).unwrap(),
    )
    .unwrap();
    let script = r#"if (PHP_VERSION_ID >= 80300) { echo "not 8.2: ", PHP_VERSION; exit; }
$e = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
$pub = openssl_pkey_get_public(file_get_contents($argv[2]));
$priv = openssl_pkey_get_private(file_get_contents($argv[3]));
echo $pub !== false ? "loads" : "no", " ", $priv !== false ? "loads" : "no";
$sig = base64_decode($e["signature"], true);
foreach ([OPENSSL_ALGO_SHA256, OPENSSL_ALGO_SHA512, 0] as $a) {
  echo " ", var_export(@openssl_verify($e["response_base64"], $sig, $pub, $a), true);
  echo "/", var_export(@openssl_sign($e["response_base64"], $out, $priv, $a), true);
}"#;
    let out = php(
        script,
        &[
            &env_path,
            &common::path("keys/ed25519.pub.pem"),
            &common::path("keys/ed25519.pem"),
        ],
    );
    if out.starts_with("not 8.2") {
        eprintln!("SKIPPED: {out}; this pins PHP 8.2's behaviour");
        return;
    }
    assert_eq!(out, "loads loads -1/false -1/false false/false");
}
