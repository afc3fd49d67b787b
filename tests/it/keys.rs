//! Key loading in every accepted format, checked against what the OpenSSL
//! CLI wrote (testdata/keys/make.sh), and the size and type policy.
use crate::common;

use respsig::{
    Error, Hash, KeyNameProblem, KeyPolicy, KeyProblem, Keyring, PublicKey, SigningKey, Snippet,
};

fn reference() -> PublicKey {
    common::public("keys/rsa2048.pub.pem")
}

#[test]
fn every_public_format_loads_the_same_key() {
    let spki_der_from_openssl = common::bytes("keys/rsa2048.pub.der");
    let modulus_hex = common::text("keys/rsa2048.modulus.txt");
    let modulus_hex = modulus_hex.trim().strip_prefix("Modulus=").unwrap();
    let modulus: Vec<u8> = (0..modulus_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&modulus_hex[i..i + 2], 16).unwrap())
        .collect();

    let loaded = [
        (
            "SPKI PEM",
            PublicKey::from_pem(&common::text("keys/rsa2048.pub.pem")),
        ),
        (
            "PKCS#1 PEM",
            PublicKey::from_pem(&common::text("keys/rsa2048.rsapub.pem")),
        ),
        ("SPKI DER", PublicKey::from_der(&spki_der_from_openssl)),
        (
            "SPKI DER (KeyPolicy::load)",
            KeyPolicy::strict().load(&spki_der_from_openssl),
        ),
        (
            "PKCS#1 DER",
            PublicKey::from_der(&common::bytes("keys/rsa2048.rsapub.der")),
        ),
        (
            "PKCS#1 DER (KeyPolicy::load)",
            KeyPolicy::strict().load(&common::bytes("keys/rsa2048.rsapub.der")),
        ),
        (
            "PKCS#1 PEM (KeyPolicy::load)",
            KeyPolicy::strict().load(&common::bytes("keys/rsa2048.rsapub.pem")),
        ),
        (
            "PKCS#8 private key (public half)",
            PublicKey::from_private(&common::bytes("keys/rsa2048.pem")),
        ),
        (
            "PKCS#1 DER private key (public half)",
            PublicKey::from_private(&common::bytes("keys/rsa2048.rsa.der")),
        ),
        (
            "modulus and exponent",
            PublicKey::from_components(&modulus, &[1, 0, 1]),
        ),
        (
            "modulus with a leading zero",
            PublicKey::from_components(&[&[0u8][..], &modulus].concat(), &[0, 1, 0, 1]),
        ),
    ];
    for (format, key) in loaded {
        let key = key.unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(key.bits(), 2048, "{format}");
        assert_eq!(key.signature_len(), 256, "{format}");
        assert_eq!(key.hash(), Hash::Sha256, "{format}");
        // Re-encoded SPKI is byte-identical to OpenSSL's.
        assert_eq!(key.spki_der(), spki_der_from_openssl.as_slice(), "{format}");
        assert_eq!(key, reference(), "{format}");
    }
    // The fingerprint is SHA-256 over OpenSSL's DER.
    let digest = ring::digest::digest(&ring::digest::SHA256, &spki_der_from_openssl);
    let hex: String = digest.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(reference().fingerprint(), hex);
    // to_pem round-trips.
    assert_eq!(
        PublicKey::from_pem(&reference().to_pem()).unwrap(),
        reference()
    );
}

#[test]
fn every_private_format_loads_the_same_key() {
    for (format, key) in [
        (
            "PKCS#8 PEM",
            SigningKey::from_pem(&common::text("keys/rsa2048.pem")),
        ),
        (
            "PKCS#1 PEM",
            SigningKey::from_pem(&common::text("keys/rsa2048.rsa.pem")),
        ),
        (
            "PKCS#8 DER",
            SigningKey::from_der(&common::bytes("keys/rsa2048.der")),
        ),
        (
            "PKCS#1 DER",
            SigningKey::from_der(&common::bytes("keys/rsa2048.rsa.der")),
        ),
        (
            "PKCS#8 DER (pem or der)",
            SigningKey::from_pem_or_der(&common::bytes("keys/rsa2048.der")),
        ),
        (
            "PKCS#1 PEM (pem or der)",
            SigningKey::from_pem_or_der(&common::bytes("keys/rsa2048.rsa.pem")),
        ),
    ] {
        let key = key.unwrap_or_else(|e| panic!("{format}: {e}"));
        assert_eq!(key.public_key(), &reference(), "{format}");
    }
}

#[test]
fn a_1024_bit_key_is_refused() {
    assert_eq!(
        PublicKey::from_pem(&common::text("keys/rsa1024.pub.pem")),
        Err(Error::KeyRejected(KeyProblem::TooSmall {
            bits: 1024,
            min: 2048
        }))
    );
    // The private key meets the same policy, with the same error, before
    // the backend sees it; its public half alone loads for any size a
    // verifier takes.
    assert_eq!(
        SigningKey::from_pem(&common::text("keys/rsa1024.pem")).unwrap_err(),
        Error::KeyRejected(KeyProblem::TooSmall {
            bits: 1024,
            min: 2048
        })
    );
    assert_eq!(
        PublicKey::from_private(&common::bytes("keys/rsa1024.pem")),
        Err(Error::KeyRejected(KeyProblem::TooSmall {
            bits: 1024,
            min: 2048
        }))
    );
}

#[test]
fn larger_keys_load() {
    assert_eq!(common::public("keys/rsa3072.pub.pem").bits(), 3072);
    assert_eq!(common::public("keys/rsa4096.pub.pem").bits(), 4096);
    assert_eq!(common::public("keys/rsa4096.pub.pem").signature_len(), 512);
}

#[test]
fn wrong_kinds_of_input_are_refused_clearly() {
    assert_eq!(
        PublicKey::from_pem(&common::text("keys/ec-p256.pub.pem")),
        Err(Error::KeyRejected(KeyProblem::UnsupportedAlgorithm))
    );
    assert_eq!(
        PublicKey::from_pem(&common::text("keys/rsa2048.pem")),
        Err(Error::KeyRejected(KeyProblem::PemLabel {
            found: Snippet::new("PRIVATE KEY"),
            expected: "PUBLIC KEY, RSA PUBLIC KEY"
        }))
    );
    assert_eq!(
        SigningKey::from_pem(&common::text("keys/rsa2048.pub.pem")).unwrap_err(),
        Error::KeyRejected(KeyProblem::PemLabel {
            found: Snippet::new("PUBLIC KEY"),
            expected: "PRIVATE KEY, RSA PRIVATE KEY"
        })
    );
    assert_eq!(
        PublicKey::from_pem("not a key"),
        Err(Error::KeyRejected(KeyProblem::Pem))
    );
    assert_eq!(
        PublicKey::from_der(b"\x30\x03\x02\x01\x01"),
        Err(Error::KeyRejected(KeyProblem::Der))
    );
    // A truncated DER key.
    let der = common::bytes("keys/rsa2048.pub.der");
    assert_eq!(
        PublicKey::from_der(&der[..der.len() - 1]),
        Err(Error::KeyRejected(KeyProblem::Der))
    );
}

#[test]
fn errors_and_debug_never_show_key_material() {
    let key = common::private("keys/rsa2048.pem");
    let debug = format!("{key:?}");
    assert!(
        debug.starts_with("SigningKey { bits: 2048, hash: Sha256"),
        "{debug}"
    );
    let pem = common::text("keys/rsa2048.pem");
    let body_line = pem.lines().nth(1).unwrap();
    assert!(!debug.contains(&body_line[..16]));
    // A corrupted private key: the error names no byte of it.
    let corrupted = pem.replacen(&body_line[..8], "AAAAAAAA", 1);
    let err = SigningKey::from_pem(&corrupted).unwrap_err().to_string();
    assert!(err.starts_with("key rejected"), "{err}");
    assert!(!err.contains(&body_line[8..16]), "{err}");
}

#[test]
fn keyring_names_and_rotation() {
    let old = common::public("keys/rsa2048.pub.pem");
    let new = common::public("keys/other2048.pub.pem");
    let mut keyring = Keyring::new();
    keyring.add("product", old.clone()).unwrap();
    keyring.add("product", new.clone()).unwrap();
    keyring.add("product", new.clone()).unwrap(); // no duplicate entry
    assert_eq!(keyring.keys("product"), [old.clone(), new.clone()]);
    assert!(keyring.remove("product", &old));
    assert!(!keyring.remove("product", &old));
    assert_eq!(keyring.keys("product"), std::slice::from_ref(&new));
    assert_eq!(keyring.names().collect::<Vec<_>>(), ["product"]);
    assert_eq!(
        keyring.add("", new).unwrap_err(),
        Error::InvalidKeyName(KeyNameProblem::Empty)
    );
    assert_eq!(
        Keyring::new()
            .add(&"n".repeat(respsig::MAX_NAME_LEN + 1), reference())
            .unwrap_err(),
        Error::InvalidKeyName(KeyNameProblem::TooLong {
            len: respsig::MAX_NAME_LEN + 1
        })
    );
    assert!(
        Keyring::new()
            .add(&"n".repeat(respsig::MAX_NAME_LEN), reference())
            .is_ok()
    );
}

/// The same key wrapped at other widths, on one line, with CRLF or with
/// text before it (as OpenSSL and PHP accept) loads the same; the base64
/// itself stays strict.
#[test]
fn pem_wrapping_does_not_matter() {
    fn rewrap(pem: &str, width: usize, eol: &str) -> String {
        let lines: Vec<&str> = pem.lines().collect();
        let body: String = lines[1..lines.len() - 1].concat();
        let wrapped: Vec<String> = body
            .as_bytes()
            .chunks(width)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        format!(
            "{}{eol}{}{eol}{}{eol}",
            lines[0],
            wrapped.join(eol),
            lines[lines.len() - 1]
        )
    }
    let public = common::text("keys/rsa2048.pub.pem");
    let private = common::text("keys/rsa2048.pem");
    for (width, eol) in [(76, "\n"), (10_000, "\n"), (64, "\r\n"), (1, "\n")] {
        let key = PublicKey::from_pem(&rewrap(&public, width, eol)).unwrap();
        assert_eq!(key, reference(), "{width} {eol:?}");
        let key = SigningKey::from_pem(&rewrap(&private, width, eol)).unwrap();
        assert_eq!(key.public_key(), &reference(), "{width} {eol:?}");
    }
    let with_preamble = format!("Product public key (downloaded 2026-11-23):\n{public}");
    assert_eq!(PublicKey::from_pem(&with_preamble).unwrap(), reference());
    // Strict base64 inside: a stray character is refused.
    let broken = public.replacen("MII", "M*I", 1);
    assert_eq!(
        PublicKey::from_pem(&broken),
        Err(Error::KeyRejected(KeyProblem::Pem))
    );
    // The old encrypted PEM format is refused with its own reason.
    let encrypted = private.replacen(
        "-----\n",
        "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\n",
        1,
    );
    assert_eq!(
        SigningKey::from_pem(&encrypted).unwrap_err(),
        Error::KeyRejected(KeyProblem::EncryptedPem)
    );
}

#[test]
fn an_even_modulus_is_refused() {
    let mut n = vec![0xffu8; 256];
    n[255] = 0xfe;
    assert_eq!(
        PublicKey::from_components(&n, &[1, 0, 1]),
        Err(Error::KeyRejected(KeyProblem::InvalidModulus))
    );
}
