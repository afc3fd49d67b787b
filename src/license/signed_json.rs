//! The signed-JSON offline license: `{"license": {...}, "signature": "..."}`,
//! as the PHP SDK's `LicenseValidator::validateOfflineLicense` reads it.
//!
//! The SDK decodes the document into a PHP array, removes `signature`,
//! encodes the rest with `json_encode(..., JSON_UNESCAPED_SLASHES |
//! JSON_UNESCAPED_UNICODE)` and checks the signature over those bytes. This
//! module computes the same bytes with the canonical writer under those two
//! flags ([`canonical::Options::php_sdk_license`]), members in the
//! document's order, and verifies with the configured key's hash; nothing
//! in the document chooses a key, an algorithm or a hash.
//!
//! Strict as the envelope reader: size and depth limits first, a member
//! twice anywhere is an error, `signature` is strict base64 of exactly the
//! modulus length. One thing PHP does that a JSON value does not show: an
//! object that is empty or keyed `"0"`, `"1"`, ... in order becomes a PHP
//! list and is re-encoded as an array, so the SDK would verify other bytes
//! than the document's. Such documents are refused
//! ([`LicenseProblem::ReadsAsPhpList`]), and the writer does not make them.
//!
//! The signature covers every member but itself: unlike a `.lic` file
//! without the integrity member, no part of a signed-JSON license can be
//! replaced, moved or dropped.

use serde_json::{Map, Value};

use crate::canonical::{self, Options};
use crate::error::{Error, LicenseProblem, Member, Problem};
use crate::json;
use crate::key::PublicKey;
use crate::license;
use crate::limits::Limits;
use crate::verify::check_signature_len;

/// The member that holds the license object.
const LICENSE: &str = "license";
/// The member that holds the signature.
const SIGNATURE: &str = "signature";

fn malformed(member: Member, problem: Problem) -> Error {
    Error::Malformed { member, problem }
}

/// Reads and verifies a signed-JSON license under `keys` (the keys of one
/// name: the document does not say which key; the caller does). Returns
/// the key that verified, the signed bytes and the license object.
///
/// In order: the document is one JSON object within the depth limit with
/// no member twice anywhere; `license` is an object and `signature` a
/// string; the signature is strict base64 as long as a signature under a
/// key of the name; no object reads as a PHP list; the signature verifies
/// over the PHP encoding of the document without `signature` under one of
/// the keys, with that key's algorithm. The whole document is covered:
/// nothing in it can be changed, moved or left out.
pub(crate) fn open<'k>(
    keys: &'k [PublicKey],
    input: &[u8],
    limits: &Limits,
) -> Result<(&'k PublicKey, Vec<u8>, Value), Error> {
    let document = json::parse_nested(input, limits.depth_limit(), 0)
        .map_err(|problem| malformed(Member::LicenseDocument, problem))?;
    let Value::Object(mut members) = document else {
        return Err(malformed(Member::LicenseDocument, Problem::NotAnObject));
    };
    match members.get(LICENSE) {
        None => return Err(malformed(Member::License, Problem::Missing)),
        Some(Value::Object(_)) => {}
        Some(_) => return Err(malformed(Member::License, Problem::NotAnObject)),
    }
    let signature = match members.shift_remove(SIGNATURE) {
        None => return Err(malformed(Member::LicenseSignature, Problem::Missing)),
        Some(Value::String(s)) => s,
        Some(_) => return Err(malformed(Member::LicenseSignature, Problem::NotAString)),
    };
    let signature = crate::base64::decode(&signature)
        .ok_or_else(|| malformed(Member::LicenseSignature, Problem::Base64))?;
    check_signature_len(&signature, keys.iter())?;
    let mut unsigned = Value::Object(members);
    if reads_as_php_list(&unsigned) {
        return Err(LicenseProblem::ReadsAsPhpList.into());
    }
    let signed = canonical::to_vec_with(&unsigned, Options::php_sdk_license());
    let key = keys
        .iter()
        .find(|k| k.verify_raw(&signed, &signature))
        .ok_or(Error::BadSignature)?;
    // `license` was found to be an object above.
    let license = unsigned
        .get_mut(LICENSE)
        .map(Value::take)
        .unwrap_or_default();
    Ok((key, signed, license))
}

/// Whether any object in `value` is one PHP's `json_decode($text, true)`
/// turns into a list: empty, or keyed exactly `"0"`, `"1"`, ... in order.
fn reads_as_php_list(value: &Value) -> bool {
    // An explicit stack: the depth is bounded by the reader, but no
    // recursion is needed.
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(map) => {
                if is_list_keyed(map) {
                    return true;
                }
                stack.extend(map.values());
            }
            Value::Array(items) => stack.extend(items),
            _ => {}
        }
    }
    false
}

fn is_list_keyed(map: &Map<String, Value>) -> bool {
    map.keys()
        .enumerate()
        .all(|(i, key)| key.as_str() == i.to_string())
}

/// Writes `license` (a JSON object) as a signed-JSON offline license,
/// signed by `sign` and read back with `public`: what
/// [`SigningKey::sign_license_json`](crate::SigningKey::sign_license_json)
/// does.
pub(crate) fn write(
    public: &PublicKey,
    sign: impl FnOnce(&[u8]) -> Result<Vec<u8>, Error>,
    license: &Value,
) -> Result<String, Error> {
    use base64ct::{Base64, Encoding};

    if !license.is_object() {
        return Err(malformed(Member::License, Problem::NotAnObject));
    }
    let limit = Limits::DEFAULT_MAX_DEPTH;
    if json::depth(license) + 1 > limit {
        return Err(malformed(Member::License, Problem::TooDeep { limit }));
    }
    let mut members = Map::new();
    members.insert(LICENSE.to_owned(), license.clone());
    let unsigned = Value::Object(members);
    if reads_as_php_list(&unsigned) {
        return Err(LicenseProblem::ReadsAsPhpList.into());
    }
    let signed = canonical::to_vec_with(&unsigned, Options::php_sdk_license());
    let signature = Base64::encode_string(&sign(&signed)?);
    // `signed` ends with the document's closing brace.
    let mut out = signed[..signed.len() - 1].to_vec();
    out.extend_from_slice(b",\"signature\":\"");
    out.extend_from_slice(signature.as_bytes());
    out.extend_from_slice(b"\"}");
    let out = String::from_utf8(out).map_err(|_| Error::SigningFailed)?;

    // Read it back as a client would.
    let read = license::read_back(public, out.as_bytes())?;
    if read.signed_bytes() != signed.as_slice() {
        return Err(Error::SigningFailed);
    }
    Ok(out)
}
