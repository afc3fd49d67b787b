//! The `.lic` file: standard base64 of a sequence of RSA blocks, each
//! exactly the modulus length, each the private-key operation over PKCS#1
//! v1.5 type-1 padded data (what OpenSSL calls private-key encryption, PHP
//! `openssl_private_encrypt`). Reading applies the public key to each
//! block, checks and strips the padding, concatenates the data and reads it
//! as a JSON object.
//!
//! There is no hash: what protects a block is its padding (`00 01`, at least
//! eight `FF` bytes, `00`) and that the recovered bytes must be valid JSON.
//! The reader checks all of it exactly, refuses a block that is not reduced
//! modulo `n`, and names the first block that fails.
//!
//! **What that does not protect**: each block is signed on its own, so
//! blocks of different files under the same key can be combined. Where a
//! block boundary falls inside a JSON string of the same length in two
//! files, block 0 of one followed by block 1 of the other is a file that
//! opens, parses, and mixes the two licenses (one's hardware id, the
//! other's expiry). Blocks can likewise be reordered or repeated wherever
//! the JSON still parses. Files as the license server issues them are
//! open to this.
//!
//! **The integrity member**: the crate's writer adds one member,
//! [`INTEGRITY_MEMBER`], to every file it writes: the SHA-256 (lowercase
//! hex) of the canonical bytes ([`crate::canonical::to_vec`]) of the license
//! read back without that member. The reader checks it whenever it is
//! present, so a splice, reorder, repeat or substitution of blocks that
//! keeps it fails with [`LicenseProblem::IntegrityMismatch`]. It cannot
//! tell a file that never had the member from one whose member was cut away
//! with its blocks: [`LicensePolicy::require_integrity`] refuses files
//! without it, for producers that always write it. The PHP SDK ignores
//! members it does not know, so it still reads these files.
//!
//! Base64 is strict (RFC 4648 alphabet, padding, zero trailing bits); line
//! breaks and surrounding whitespace, which files pick up in transit, are
//! removed first.

use num_bigint::BigUint;
use serde_json::Value;

use crate::canonical;
use crate::error::{Error, LicenseProblem, Member, Problem};
use crate::json;
use crate::key::PublicKey;
use crate::license::{INTEGRITY_MEMBER, LicensePolicy};

/// Fewest `FF` bytes in a type-1 padding (RFC 8017, 8 bytes).
const MIN_PADDING: usize = 8;

/// What a `.lic` file opens to under one key of the name.
pub(crate) struct Opened<'k> {
    pub(crate) key: &'k PublicKey,
    /// The text the blocks open to.
    pub(crate) text: Vec<u8>,
    pub(crate) license: Value,
    pub(crate) integrity: bool,
}

/// Reads a `.lic` file with `keys` (the keys of one name).
///
/// Each RSA key of the right size is tried; the one whose public operation
/// turns the first block into correctly padded data is the one that must
/// turn every other block into correctly padded data too. The recovered
/// text must be a JSON object; if it carries [`INTEGRITY_MEMBER`], that
/// must match the rest.
pub(crate) fn open<'k>(
    keys: &'k [PublicKey],
    file: &[u8],
    policy: &LicensePolicy,
) -> Result<Opened<'k>, Error> {
    let limits = policy.input_limits();
    let malformed = || Error::Malformed {
        member: Member::LicenseFile,
        problem: Problem::Base64,
    };
    let text: Vec<u8> = file
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let text = std::str::from_utf8(&text).map_err(|_| malformed())?;
    let blocks = crate::base64::decode(text).ok_or_else(malformed)?;
    if blocks.is_empty() {
        return Err(LicenseProblem::Empty.into());
    }

    let mut rsa = false;
    let mut sized = false;
    let mut padding_failed = false;
    for key in keys {
        // License files are RSA blocks: an Ed25519 key cannot open one.
        let Some((n, e)) = key.components() else {
            continue;
        };
        rsa = true;
        let k = key.signature_len();
        if blocks.len() % k != 0 {
            continue;
        }
        sized = true;
        let (n, e) = (BigUint::from_bytes_be(n), BigUint::from_bytes_be(e));
        // The first block decides whether this is the key.
        let first = match open_block(&n, &e, &blocks[..k], 0) {
            Ok(first) => first,
            Err(LicenseProblem::Padding { .. }) => {
                padding_failed = true;
                continue;
            }
            Err(_) => continue,
        };
        let mut data = first;
        for (index, block) in blocks.chunks(k).enumerate().skip(1) {
            data.extend_from_slice(&open_block(&n, &e, block, index)?);
        }
        let license = json::parse_nested(&data, limits.depth_limit(), 0)
            .map_err(|problem| LicenseProblem::Json { problem })?;
        if !license.is_object() {
            return Err(LicenseProblem::Json {
                problem: Problem::NotAnObject,
            }
            .into());
        }
        let integrity = check_integrity(&license)?;
        if !integrity && policy.integrity_required() {
            return Err(LicenseProblem::IntegrityMissing.into());
        }
        return Ok(Opened {
            key,
            text: data,
            license,
            integrity,
        });
    }
    if !rsa {
        return Err(LicenseProblem::NoRsaKey.into());
    }
    if !sized {
        return Err(LicenseProblem::Length { len: blocks.len() }.into());
    }
    // Block 0 opened under no key. When no key's padding check even ran,
    // it was not below the modulus of any key of its length.
    if padding_failed {
        Err(LicenseProblem::Padding { block: 0 }.into())
    } else {
        Err(LicenseProblem::BlockOutOfRange { block: 0 }.into())
    }
}

/// The digest [`INTEGRITY_MEMBER`] carries for `license` (an object
/// without that member).
pub(crate) fn integrity_digest(license: &Value) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, &canonical::to_vec(license));
    crate::hex::encode(digest.as_ref())
}

/// Checks the integrity member of a `.lic` license if it has one; returns
/// whether it had one.
fn check_integrity(license: &Value) -> Result<bool, LicenseProblem> {
    let Some(map) = license.as_object() else {
        return Ok(false);
    };
    let Some(member) = map.get(INTEGRITY_MEMBER) else {
        return Ok(false);
    };
    let claimed = member.as_str().ok_or(LicenseProblem::IntegrityMalformed)?;
    if claimed.len() != 64
        || !claimed
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return Err(LicenseProblem::IntegrityMalformed);
    }
    let mut rest = map.clone();
    rest.shift_remove(INTEGRITY_MEMBER);
    // Public data on both sides: no need for a constant-time comparison.
    if integrity_digest(&Value::Object(rest)) != claimed {
        return Err(LicenseProblem::IntegrityMismatch);
    }
    Ok(true)
}

/// The public-key operation (`n`, `e`) on one block, then the type-1
/// padding check.
fn open_block(
    n: &BigUint,
    e: &BigUint,
    block: &[u8],
    index: usize,
) -> Result<Vec<u8>, LicenseProblem> {
    let c = BigUint::from_bytes_be(block);
    if c >= *n {
        return Err(LicenseProblem::BlockOutOfRange { block: index });
    }
    let m = c.modpow(e, n).to_bytes_be();
    // `m` has lost its leading zero bytes; the padded block is k bytes.
    let k = block.len();
    if m.len() != k - 1 || m[0] != 0x01 {
        return Err(LicenseProblem::Padding { block: index });
    }
    let ff = m[1..].iter().take_while(|&&b| b == 0xff).count();
    let sep = 1 + ff;
    if ff < MIN_PADDING || m.get(sep) != Some(&0x00) {
        return Err(LicenseProblem::Padding { block: index });
    }
    Ok(m[sep + 1..].to_vec())
}
