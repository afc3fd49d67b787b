//! Writing offline license files (feature `license-writer`).
//!
//! A license file is standard base64 of RSA blocks: the license JSON cut
//! into chunks of at most `k - 11` bytes (`k` = modulus bytes), each chunk
//! given PKCS#1 v1.5 type-1 padding and put through the private-key
//! operation. That is what PHP's `openssl_private_encrypt` and `openssl
//! rsautl -sign` do, and because type-1 padding is deterministic the output
//! is byte for byte theirs.
//!
//! # Constant-time story
//!
//! ring, which makes every envelope signature, has no raw private-key
//! operation over caller-padded data, so this one operation goes through
//! the rsa crate (`RsaPrivateKey::sign_with_rng` with an unprefixed PKCS#1
//! v1.5 scheme). That path is **blinded** (a fresh random blinding factor
//! from the operating system per block) and checks its result against the
//! public key before returning it, but the rsa crate's big-integer
//! arithmetic is not constant time: RUSTSEC-2023-0071 (the Marvin attack)
//! applies to it. Blinding keeps the timing from revealing the key for a
//! given input; the advisory's residual risk is an attacker who can make a
//! server write many licenses for inputs they choose and time each one
//! precisely. Write licenses where that timing is not observable (an
//! offline tool, a queue, a job that does not answer per request), or not
//! at all from an endpoint that answers attacker-chosen input immediately.
//! `supply-chain/README.md` records this decision.
//!
//! # What a written file protects
//!
//! Every file gets one more member, [`INTEGRITY_MEMBER`], as its **first**
//! member: the SHA-256 of the canonical bytes of the license without it
//! (see the `blocks` module). The PHP SDK ignores members it does not
//! know. The blocks are cut so that:
//!
//! 1. block 0 holds the opening `{` and the whole member (its closing
//!    quote included), so every file that starts with a block 0 carries it;
//! 2. every other block's data is 1 to `k - 11` bytes and begins with a
//!    byte that is neither JSON whitespace (space, tab, line feed, carriage
//!    return) nor `{`.
//!
//! The reader skips JSON whitespace and then needs `{`, so a file built
//! from this writer's blocks (of any of its files under one key) that does
//! not start with a block 0 is not a JSON object and is refused. One that
//! does start with the block 0 of a file F carries F's digest as its first
//! member, and is accepted only if the rest is F's license (value for
//! value, SHA-256 being collision resistant): so every cut, splice,
//! reorder, repeat or substitution of blocks, and block 0 alone (when the
//! file has more than one), is refused under the default
//! [`LicensePolicy`], with [`LicenseProblem::IntegrityMismatch`] or as not
//! a JSON object. A text that cannot be cut that way (a run of blanks and
//! `{` longer than a block's data) is refused
//! ([`LicenseProblem::NoSafeBlockBoundary`]) rather than written weaker.
//!
//! What it does not cover: blocks signed by the same key but not by this
//! writer (files the license server writes, 0.1's files with the member
//! last). A file that starts with such a block 0 reads as that kind of
//! file; [`LicensePolicy::require_integrity`] refuses those without the
//! member, for a key only this writer uses.
//!
//! Every file written is read back with the public key before it is
//! returned, so the writer never hands out a file the reader refuses.
//!
//! The other offline format, the signed-JSON document, is an ordinary
//! signature made by the crypto backend:
//! [`SigningKey::sign_license_json`].

use std::fmt;

use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::{Pkcs1v15Sign, RsaPrivateKey};
use serde_json::Value;

use crate::error::{Error, KeyProblem, LicenseProblem, Problem, Snippet};
use crate::key::PublicKey;
use crate::license::blocks::has_nested_member;
use crate::license::{self, INTEGRITY_MEMBER, integrity_digest};
use crate::limits::Limits;
use crate::sign::SigningKey;
use crate::{canonical, json};

/// Bytes of a block taken by the type-1 padding (`00 01`, at least eight
/// `FF`, `00`).
const PADDING: usize = 11;

/// An RSA private key (2048 to 4096 bits) that writes offline license
/// files.
///
/// ```
/// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem")?;
/// # let public = std::fs::read_to_string("testdata/keys/rsa2048.pub.pem")?;
/// use respsig::{Keyring, LicensePolicy, LicenseWriter, PublicKey};
///
/// let writer = LicenseWriter::from_pem(&pem)?;
/// let license = serde_json::json!({
///     "license_key": "LIC-2024-ABCD1234",
///     "hardware_id": "HW-1234",
///     "expires_at": "2035-12-31",
/// });
/// let file = writer.write(&license)?;
///
/// // A client reads it back with the public key only.
/// let keyring = Keyring::new().with("product", PublicKey::from_pem(&public)?)?;
/// let policy = LicensePolicy::new().hardware_id("HW-1234");
/// let verified = keyring.verify_license("product", &file, &policy)?;
/// assert!(verified.has_integrity());
/// assert_eq!(verified.license().hardware_id.as_deref(), Some("HW-1234"));
/// assert_eq!(verified.value().as_object().unwrap().len(), 4); // and the integrity member
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LicenseWriter {
    key: RsaPrivateKey,
    public: PublicKey,
}

impl LicenseWriter {
    /// Loads a PEM private key: `BEGIN PRIVATE KEY` (PKCS#8) or
    /// `BEGIN RSA PRIVATE KEY` (PKCS#1), under the same rules as
    /// [`SigningKey::from_pem`] (2048 to 4096 bits, e = 65537 or more, a
    /// consistent key).
    pub fn from_pem(pem: &str) -> Result<Self, Error> {
        // The signing key's loader applies the size and exponent policy,
        // checks the PEM label and proves the key consistent.
        let signing = SigningKey::from_pem(pem)?;
        let (_, der) = crate::pem::decode(pem)?;
        Self::finish(&signing, &der)
    }

    /// Loads a private key file's bytes, PEM or DER, as
    /// [`PublicKey::from_pem_or_der`](crate::PublicKey::from_pem_or_der)
    /// reads a public key file.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        crate::pem::either(bytes, Self::from_pem, Self::from_der)
    }

    /// Loads a DER private key, PKCS#8 or PKCS#1.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        Self::finish(&SigningKey::from_der(der)?, der)
    }

    /// The rsa crate's form of a key `signing` has accepted.
    fn finish(signing: &SigningKey, der: &[u8]) -> Result<Self, Error> {
        if signing.algorithm() == crate::Algorithm::Ed25519 {
            return Err(KeyProblem::PrivateKey {
                reason: "an Ed25519 key cannot write a .lic file, which is RSA blocks (it can sign a signed-JSON license)".to_owned(),
            }
            .into());
        }
        let key = RsaPrivateKey::from_pkcs8_der(der)
            .or_else(|_| RsaPrivateKey::from_pkcs1_der(der))
            // The error names no key material; the rsa crate's own message
            // could quote the input.
            .map_err(|_| KeyProblem::PrivateKey {
                reason: "the rsa crate could not read this key".to_owned(),
            })?;
        Ok(LicenseWriter {
            key,
            public: signing.public_key().clone(),
        })
    }

    /// The public half: what a client needs to read the files.
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    /// Writes `license` (a JSON object) as a license file: the canonical
    /// form of the value (PHP's `json_encode`, as the server writes it)
    /// with [`INTEGRITY_MEMBER`] added as its first member, then the
    /// blocks (cut as [`write_json`](Self::write_json) says), base64, no
    /// line breaks and no final newline.
    pub fn write(&self, license: &Value) -> Result<String, Error> {
        if !license.is_object() {
            return Err(LicenseProblem::Json {
                problem: Problem::NotAnObject,
            }
            .into());
        }
        self.write_json(&canonical::to_vec(license))
    }

    /// Writes the exact bytes `json_text`, with [`INTEGRITY_MEMBER`]
    /// inserted as the first member (right after the opening `{`), as a
    /// license file. They must be a JSON object the reader accepts (UTF-8,
    /// no duplicate members, within the default depth) without that member
    /// at any level; the file must fit the reader's default size limit.
    ///
    /// The blocks are cut so that the file cannot be cut down or spliced
    /// unnoticed (see the `license` module docs): block 0
    /// holds everything up to the end of the integrity member, and no other
    /// block's data begins with JSON whitespace or `{`. Text where that is
    /// impossible (a run of blanks and `{` longer than a block's data, in a
    /// string or between tokens) is refused with
    /// [`LicenseProblem::NoSafeBlockBoundary`].
    pub fn write_json(&self, json_text: &[u8]) -> Result<String, Error> {
        use base64ct::{Base64, Encoding};

        let limits = Limits::default();
        let value = json::parse_nested(json_text, limits.depth_limit(), 0)
            .map_err(|problem| LicenseProblem::Json { problem })?;
        let Some(members) = value.as_object() else {
            return Err(LicenseProblem::Json {
                problem: Problem::NotAnObject,
            }
            .into());
        };
        if members.contains_key(INTEGRITY_MEMBER) {
            return Err(LicenseProblem::Json {
                problem: Problem::DuplicateKey {
                    key: Snippet::new(INTEGRITY_MEMBER),
                },
            }
            .into());
        }
        if has_nested_member(&value) {
            return Err(LicenseProblem::IntegrityMisplaced.into());
        }
        // The digest is over the license as the reader will see it.
        let member = format!("\"{INTEGRITY_MEMBER}\":\"{}\"", integrity_digest(&value));
        // The object parsed: its first non-blank byte is its `{`.
        let open = json_text
            .iter()
            .position(|&b| b == b'{')
            .ok_or(Error::SigningFailed)?;
        let mut text = Vec::with_capacity(json_text.len() + member.len() + 1);
        text.extend_from_slice(&json_text[..=open]);
        text.extend_from_slice(member.as_bytes());
        let member_end = text.len();
        if !members.is_empty() {
            text.push(b',');
        }
        text.extend_from_slice(&json_text[open + 1..]);

        let k = self.public.signature_len();
        let ends = block_ends(&text, k - PADDING, member_end)?;
        // Refuse a file the reader would refuse as too large before doing
        // any private-key work: blocks, then base64.
        limits.check_len((ends.len() * k).div_ceil(3) * 4)?;

        let mut rng = rsa::rand_core::OsRng;
        let mut out = Vec::with_capacity(ends.len() * k);
        let mut start = 0;
        for &end in &ends {
            let block = self
                .key
                .sign_with_rng(&mut rng, Pkcs1v15Sign::new_unprefixed(), &text[start..end])
                .map_err(|_| Error::SigningFailed)?;
            out.extend_from_slice(&block);
            start = end;
        }
        let file = Base64::encode_string(&out);

        // Read it back as a client would; a fault anywhere above shows here.
        let read = license::read_back(&self.public, file.as_bytes())?;
        if read.signed_bytes() != text || !read.has_integrity() {
            return Err(Error::SigningFailed);
        }
        Ok(file)
    }
}

/// Whether a block whose data begins with `byte` could begin a license:
/// the reader skips JSON whitespace, then needs `{`.
pub(crate) fn may_begin_object(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r' | b'{')
}

/// Where the writer ends each block's data in `text`: offsets, ascending,
/// the last `text.len()`. Every chunk is 1 to `max` bytes (`max` = `k -
/// 11`); the first ends at `first_end` or later (so it holds the whole
/// integrity member); and every chunk but the first begins with a byte for
/// which [`may_begin_object`] is false.
///
/// Each chunk is as long as it can be: the greatest end within `max` bytes
/// whose next byte may begin a block. That choice never fails where
/// another would succeed (a later end leaves every end the earlier one
/// could reach next, or a later one), so
/// [`LicenseProblem::NoSafeBlockBoundary`] means no cut exists.
pub(crate) fn block_ends(
    text: &[u8],
    max: usize,
    first_end: usize,
) -> Result<Vec<usize>, LicenseProblem> {
    let mut ends = Vec::with_capacity(text.len().div_ceil(max.max(1)));
    let mut start = 0;
    while start < text.len() {
        let least = if start == 0 {
            first_end.max(1)
        } else {
            start + 1
        };
        let most = (start + max).min(text.len());
        let end = if most == text.len() && least <= most {
            Some(most)
        } else {
            (least..=most)
                .rev()
                .find(|&end| text.get(end).is_some_and(|&b| !may_begin_object(b)))
        };
        let Some(end) = end else {
            return Err(LicenseProblem::NoSafeBlockBoundary { offset: start });
        };
        ends.push(end);
        start = end;
    }
    Ok(ends)
}

impl fmt::Debug for LicenseWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LicenseWriter")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use base64ct::{Base64, Encoding};
    use num_bigint::BigUint;
    use serde_json::{Value, json};

    use super::*;
    use crate::error::LicenseProblem;
    use crate::keyring::Keyring;
    use crate::license::LicensePolicy;
    use crate::license::blocks::open_block;
    use crate::test_rng::Rng;

    const PEM: &str = include_str!("../../testdata/keys/rsa2048.pem");

    fn writer() -> LicenseWriter {
        LicenseWriter::from_pem(PEM).unwrap()
    }

    /// Whether `text` can be cut into chunks as [`block_ends`] promises,
    /// by trying every cut (dynamic programming from the end).
    fn cut_exists(text: &[u8], max: usize, first_end: usize) -> bool {
        let n = text.len();
        // ok[i]: the text from i can be cut, i being a chunk start.
        let mut ok = vec![false; n + 1];
        ok[n] = true;
        for i in (0..n).rev() {
            let least = if i == 0 { first_end.max(1) } else { i + 1 };
            ok[i] =
                (least..=(i + max).min(n)).any(|e| ok[e] && (e == n || !may_begin_object(text[e])));
        }
        ok[0]
    }

    /// The chunks hold to the promise exactly; and the writer refuses a
    /// text only when no cut exists (checked by trying every cut), on
    /// random texts heavy in blanks and `{` of many lengths and maxima.
    #[test]
    fn block_ends_keeps_its_promise_or_no_cut_exists() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let alphabet = b" \t\n\r{{{{a\",}";
        let (mut cut, mut refused) = (0, 0);
        for round in 0..4000 {
            let len = 1 + rng.below(400);
            let max = 1 + rng.below(60);
            let first_end = rng.below(max + 3);
            // Some texts all letters, some nearly all blanks and braces.
            let bad_share = round % 5;
            let text: Vec<u8> = (0..len)
                .map(|_| match rng.below(5) < bad_share {
                    true => alphabet[rng.below(9)],
                    false => alphabet[9 + rng.below(3)],
                })
                .collect();
            match block_ends(&text, max, first_end) {
                Ok(ends) => {
                    cut += 1;
                    assert_eq!(ends.last(), Some(&len));
                    assert!(ends[0] >= first_end.max(1));
                    let mut start = 0;
                    for (i, &end) in ends.iter().enumerate() {
                        assert!(end > start && end - start <= max, "{round}: chunk {i}");
                        if i > 0 {
                            assert!(!may_begin_object(text[start]), "{round}: chunk {i}");
                        }
                        start = end;
                    }
                }
                Err(LicenseProblem::NoSafeBlockBoundary { offset }) => {
                    refused += 1;
                    assert!(offset < len);
                    assert!(!cut_exists(&text, max, first_end), "{round}");
                }
                Err(other) => panic!("{round}: {other:?}"),
            }
        }
        assert!(cut > 1000 && refused > 300, "{cut} cut, {refused} refused");
    }

    /// The data of each block of a written file, opened with the public
    /// key.
    fn chunks(writer: &LicenseWriter, file: &str) -> Vec<Vec<u8>> {
        let (n, e) = writer.public_key().components().unwrap();
        let (n, e) = (BigUint::from_bytes_be(n), BigUint::from_bytes_be(e));
        let k = writer.public_key().signature_len();
        let bytes = Base64::decode_vec(file).unwrap();
        bytes
            .chunks(k)
            .enumerate()
            .map(|(i, b)| open_block(&n, &e, b, i).unwrap())
            .collect()
    }

    /// License texts of many sizes and shapes: canonical ones whose
    /// strings move the block boundaries byte by byte, and exact ones
    /// with blanks between tokens and runs of blanks and braces in
    /// strings.
    fn texts() -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for n in (0..700).step_by(9) {
            let license = json!({
                "license_key": "LIC-A-0001",
                "note": "n".repeat(n),
                "expires_at": "2099-12-31",
            });
            out.push(canonical::to_vec(&license));
        }
        for n in (0..500).step_by(23) {
            let braces = "{ ".repeat(n % 110);
            out.push(
                format!(
                    "  {{\n  \"license_key\" : \"LIC-B\",\n\t\"pad\": \"{}\",\r\n  \"s\": \"{braces}\" ,\n  \"x\": {{ \"y\": [ {{}}, {{ }} ] }}\n}}\n ",
                    "p".repeat(n)
                )
                .into_bytes(),
            );
        }
        out.push(br#"{"license_key":""}"#.to_vec());
        out.push(b" \n{ \"license_key\" : \"x\"\t}".to_vec());
        out
    }

    /// Every file the writer writes keeps the promise: block 0 holds the
    /// opening brace and the whole integrity member, every other block's
    /// data begins with neither a blank nor `{`, and the blocks open to
    /// the text with the member first.
    #[test]
    fn written_files_begin_no_object_but_in_block_0() {
        let w = writer();
        for text in texts() {
            let file = w.write_json(&text).unwrap();
            let chunks = chunks(&w, &file);
            let data = chunks.concat();
            let open = data.iter().position(|&b| b == b'{').unwrap();
            let member = format!("\"{INTEGRITY_MEMBER}\":\"");
            assert_eq!(&data[open + 1..open + 1 + member.len()], member.as_bytes());
            assert!(chunks[0].len() > open + member.len() + 64);
            assert_eq!(chunks[0][open + member.len() + 65], b'"');
            for (i, chunk) in chunks.iter().enumerate().skip(1) {
                assert!(!chunk.is_empty() && chunk.len() <= 245);
                assert!(!may_begin_object(chunk[0]), "block {i}");
            }
        }
    }

    /// A text no cut can serve is refused before any signing.
    #[test]
    fn text_with_no_safe_boundary_is_refused() {
        let w = writer();
        let text = format!("{{\"s\":\"{}\"}}", "{".repeat(300));
        assert_eq!(
            w.write_json(text.as_bytes()).unwrap_err(),
            Error::License(LicenseProblem::NoSafeBlockBoundary { offset: 99 })
        );
        let text = format!("{}{{}}", " ".repeat(200));
        assert_eq!(
            w.write_json(text.as_bytes()).unwrap_err(),
            Error::License(LicenseProblem::NoSafeBlockBoundary { offset: 0 })
        );
        // The member's name below the top is refused too.
        let text = format!("{{\"a\":{{\"{INTEGRITY_MEMBER}\":\"x\"}}}}");
        assert_eq!(
            w.write_json(text.as_bytes()).unwrap_err(),
            Error::License(LicenseProblem::IntegrityMisplaced)
        );
    }

    /// How a rearranged file fared, for the totals.
    #[derive(Default, Debug)]
    struct Tally {
        /// Refused because the text is not a JSON object.
        not_json: usize,
        /// A JSON object (member first): refused by the digest alone.
        digest: usize,
        /// The same bytes as a genuine file: not an attack.
        genuine: usize,
    }

    /// `candidate` (blocks, with their data) must be refused exactly as
    /// its text says: as not a JSON object, or, if it is one, for its
    /// digest; and every text that is an object starts with the member.
    fn refused(
        ring: &Keyring,
        candidate: &[(&[u8], &[u8])],
        genuine: &[Vec<u8>],
        tally: &mut Tally,
    ) {
        let file: Vec<u8> = candidate
            .iter()
            .flat_map(|(b, _)| b.iter().copied())
            .collect();
        if genuine.contains(&file) {
            tally.genuine += 1;
            return;
        }
        let data: Vec<u8> = candidate
            .iter()
            .flat_map(|(_, d)| d.iter().copied())
            .collect();
        let got = ring
            .verify_license("p", Base64::encode_string(&file), &LicensePolicy::new())
            .unwrap_err();
        let limits = Limits::default();
        let want = match json::parse_nested(&data, limits.depth_limit(), 0) {
            Ok(Value::Object(map)) => {
                assert_eq!(
                    map.keys().next().map(String::as_str),
                    Some(INTEGRITY_MEMBER)
                );
                tally.digest += 1;
                LicenseProblem::IntegrityMismatch
            }
            Ok(_) => {
                tally.not_json += 1;
                LicenseProblem::Json {
                    problem: Problem::NotAnObject,
                }
            }
            Err(problem) => {
                tally.not_json += 1;
                LicenseProblem::Json { problem }
            }
        };
        assert_eq!(
            got,
            Error::License(want),
            "{}",
            String::from_utf8_lossy(&data)
        );
    }

    /// Pairs of licenses that differ in content but not in length (so
    /// that splices of them parse), and pairs that differ in length, at
    /// many sizes: the block boundaries fall at many places.
    fn pairs() -> Vec<[Vec<u8>; 2]> {
        let mut out = Vec::new();
        for n in (0..760).step_by(31) {
            let one = |key: &str, seats: i64, c: &str, m: usize| {
                canonical::to_vec(&json!({
                    "license_key": key,
                    "seats": seats,
                    "note": c.repeat(m),
                    "expires_at": "2099-12-31",
                }))
            };
            out.push([one("LIC-A-0001", 10, "a", n), one("LIC-B-0002", 99, "b", n)]);
            out.push([
                one("LIC-A-0001", 1, "a", n),
                one("LIC-B-0002", 1, "b", n + 40),
            ]);
        }
        for n in [0, 100, 333] {
            let pretty = |key: &str| {
                format!(
                    "{{\n  \"license_key\": \"{key}\",\n  \"note\": \"{}\",\n  \"opts\": {{ \"a\": [ 1, {{ \"b\": \"  {{ {{ \" }} ] }}\n}}\n",
                    "x".repeat(n)
                )
                .into_bytes()
            };
            out.push([pretty("LIC-P-0001"), pretty("LIC-Q-0002")]);
        }
        out
    }

    /// The matrix: for two files of one key, every cut (each block left
    /// out; each prefix, block 0 alone among them; each suffix), every
    /// splice at every pair of blocks both ways, every swap of two blocks
    /// and every block repeated at every place is refused under the
    /// default policy, while the two genuine files verify.
    #[test]
    fn every_cut_splice_reorder_and_repeat_is_refused() {
        let w = writer();
        let ring = Keyring::new().with("p", w.public_key().clone()).unwrap();
        let k = w.public_key().signature_len();
        let mut tally = Tally::default();
        let mut multi = 0;
        for pair in pairs() {
            let files = pair.map(|text| {
                let file = w.write_json(&text).unwrap();
                let verified = ring
                    .verify_license("p", &file, &LicensePolicy::new())
                    .unwrap();
                assert!(verified.has_integrity());
                let raw = Base64::decode_vec(&file).unwrap();
                let chunks = chunks(&w, &file);
                (raw, chunks)
            });
            let genuine: Vec<Vec<u8>> = files.iter().map(|(raw, _)| raw.clone()).collect();
            let blocks: Vec<Vec<(&[u8], &[u8])>> = files
                .iter()
                .map(|(raw, chunks)| {
                    raw.chunks(k)
                        .zip(chunks)
                        .map(|(b, c)| (b, c.as_slice()))
                        .collect()
                })
                .collect();
            multi += usize::from(blocks[0].len() > 1);
            for (x, y) in [(0, 1), (1, 0)] {
                let (a, b) = (&blocks[x], &blocks[y]);
                let n = a.len();
                for i in 0..n {
                    let mut cut = a.clone();
                    cut.remove(i);
                    if !cut.is_empty() {
                        refused(&ring, &cut, &genuine, &mut tally);
                    }
                }
                for i in 1..n {
                    refused(&ring, &a[..i], &genuine, &mut tally);
                    refused(&ring, &a[i..], &genuine, &mut tally);
                }
                for i in 1..=n {
                    for j in 0..b.len() {
                        let spliced = [&a[..i], &b[j..]].concat();
                        refused(&ring, &spliced, &genuine, &mut tally);
                    }
                }
                for i in 0..n {
                    for j in i + 1..n {
                        let mut swapped = a.clone();
                        swapped.swap(i, j);
                        refused(&ring, &swapped, &genuine, &mut tally);
                    }
                    for at in 0..=n {
                        let mut repeated = a.clone();
                        repeated.insert(at, a[i]);
                        refused(&ring, &repeated, &genuine, &mut tally);
                    }
                }
            }
        }
        eprintln!("{tally:?}, {multi} pairs of several blocks");
        assert!(multi >= 40, "{multi}");
        assert!(tally.digest >= 200, "{tally:?}");
        assert!(tally.not_json >= 2000, "{tally:?}");
    }

    /// What is not the writer's still reads: a server-style file (no
    /// member), and files from 0.1's writer (member last).
    #[test]
    fn server_and_earlier_files_still_read() {
        let public =
            crate::PublicKey::from_pem(include_str!("../../testdata/keys/rsa2048.pub.pem"))
                .unwrap();
        let server = license::read_back(
            &public,
            include_bytes!("../../testdata/license/openssl-2048.lic"),
        )
        .unwrap();
        assert!(!server.has_integrity());
        for old in [
            &include_bytes!("../../testdata/license/respsig-splice-attacker.lic")[..],
            &include_bytes!("../../testdata/license/respsig-splice-someone.lic")[..],
        ] {
            let read = license::read_back(&public, old).unwrap();
            assert!(read.has_integrity());
            let map = read.value().as_object().unwrap();
            assert_eq!(
                map.keys().next_back().map(String::as_str),
                Some(INTEGRITY_MEMBER)
            );
        }
    }

    /// A `.lic` file of `text` cut at `k - 11` bytes, as 0.1's writer and
    /// the server cut, with no read-back: files the writer would not make.
    fn raw_file(w: &LicenseWriter, text: &[u8]) -> String {
        let k = w.public_key().signature_len();
        let mut out = Vec::new();
        for chunk in text.chunks(k - PADDING) {
            let block = w
                .key
                .sign_with_rng(
                    &mut rsa::rand_core::OsRng,
                    Pkcs1v15Sign::new_unprefixed(),
                    chunk,
                )
                .unwrap();
            out.extend_from_slice(&block);
        }
        Base64::encode_string(&out)
    }

    /// The member first or last (0.1) with the right digest reads; in the
    /// middle, below the top or twice it is refused.
    #[test]
    fn the_member_is_read_first_or_last_and_nowhere_else() {
        let w = writer();
        let ring = Keyring::new().with("p", w.public_key().clone()).unwrap();
        let policy = LicensePolicy::new();
        let rest = json!({"license_key": "LIC-1", "seats": 3});
        let digest = integrity_digest(&rest);
        let member = format!("\"{INTEGRITY_MEMBER}\":\"{digest}\"");
        let read = |text: String| ring.verify_license("p", raw_file(&w, text.as_bytes()), &policy);
        let first = read(format!(
            "{{{member},\"license_key\":\"LIC-1\",\"seats\":3}}"
        ))
        .unwrap();
        assert!(first.has_integrity());
        let last = read(format!(
            "{{\"license_key\":\"LIC-1\",\"seats\":3,{member}}}"
        ))
        .unwrap();
        assert!(last.has_integrity());
        let misplaced = Error::License(LicenseProblem::IntegrityMisplaced);
        assert_eq!(
            read(format!(
                "{{\"license_key\":\"LIC-1\",{member},\"seats\":3}}"
            ))
            .unwrap_err(),
            misplaced
        );
        assert_eq!(
            read(format!(
                "{{{member},\"license_key\":\"LIC-1\",\"seats\":{{{member}}}}}"
            ))
            .unwrap_err(),
            misplaced
        );
        // Below the top in a file without a top-level member.
        assert_eq!(
            read(format!(
                "{{\"license_key\":\"LIC-1\",\"x\":[{{{member}}}]}}"
            ))
            .unwrap_err(),
            misplaced
        );
        assert!(matches!(
            read(format!("{{{member},\"license_key\":\"LIC-1\",{member}}}")).unwrap_err(),
            Error::License(LicenseProblem::Json {
                problem: Problem::DuplicateKey { .. }
            })
        ));
        // First, with another license's digest.
        assert_eq!(
            read(format!(
                "{{{member},\"license_key\":\"LIC-1\",\"seats\":4}}"
            ))
            .unwrap_err(),
            Error::License(LicenseProblem::IntegrityMismatch)
        );
    }
}
