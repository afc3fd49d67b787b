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
use crate::error::{Error, LicenseProblem, Problem, Snippet};
use crate::json;
use crate::keyring::Keyring;
use crate::license::{self, LicenseOptions, VerifiedLicense};
use crate::sign::SigningKey;

/// The member that holds the license object.
const LICENSE: &str = "license";
/// The member that holds the signature.
const SIGNATURE: &str = "signature";

fn malformed(member: &'static str, problem: Problem) -> Error {
    LicenseProblem::Document { member, problem }.into()
}

// Here, not in keyring.rs: reading a signed-JSON license is this
// module's concern; the keyring only supplies the keys.
impl Keyring {
    /// Reads and verifies a signed-JSON license under the keys named
    /// `name`, with the default [`LicenseOptions`]. See
    /// [`verify_license_json_with`](Self::verify_license_json_with).
    ///
    /// ```
    /// # let pem = std::fs::read_to_string("testdata/keys/rsa2048.pem").unwrap();
    /// use respsig::{Keyring, SigningKey};
    /// let key = SigningKey::from_pem(&pem)?;
    /// let doc = key.sign_license_json(&serde_json::json!({
    ///     "license_key": "LIC-1", "hardware_id": "HW-1", "url": "https://é.example/",
    /// }))?;
    /// assert!(doc.starts_with(r#"{"license":{"license_key":"LIC-1","hardware_id":"HW-1","url":"https://é.example/"},"signature":""#));
    /// let keyring = Keyring::new().with("product", key.public_key().clone())?;
    /// let verified = keyring.verify_license_json("product", &doc)?;
    /// assert_eq!(verified.license()["hardware_id"], "HW-1");
    /// # Ok::<(), respsig::Error>(())
    /// ```
    pub fn verify_license_json(
        &self,
        name: &str,
        document: impl AsRef<[u8]>,
    ) -> Result<VerifiedLicense, Error> {
        verify(self, name, document.as_ref(), &LicenseOptions::new())
    }

    /// Reads and verifies a signed-JSON license under the keys named
    /// `name` (the document does not say which key; the caller does).
    ///
    /// In order: the size limit; the document is one JSON object within
    /// the depth limit with no member twice anywhere; `license` is an
    /// object and `signature` a string; `name` is configured; the signature
    /// is strict base64 as long as a key's modulus; no object reads as a
    /// PHP list; the signature verifies over the PHP encoding of the
    /// document without `signature` under one of the name's keys, with
    /// that key's hash. The whole document is covered: nothing in it can be
    /// changed, moved or left out. Expiry and binding are
    /// [`LicenseCheck`](crate::LicenseCheck)'s job.
    pub fn verify_license_json_with(
        &self,
        name: &str,
        document: impl AsRef<[u8]>,
        options: &LicenseOptions,
    ) -> Result<VerifiedLicense, Error> {
        verify(self, name, document.as_ref(), options)
    }
}

fn verify(
    keyring: &Keyring,
    name: &str,
    input: &[u8],
    options: &LicenseOptions,
) -> Result<VerifiedLicense, Error> {
    let limits = license::limits_of(options);
    limits.check_len(input.len())?;
    let document = json::parse_nested(input, limits.depth_limit(), 0)
        .map_err(|problem| malformed("document", problem))?;
    let Value::Object(mut members) = document else {
        return Err(malformed("document", Problem::NotAnObject));
    };
    match members.get(LICENSE) {
        None => return Err(malformed(LICENSE, Problem::Missing)),
        Some(Value::Object(_)) => {}
        Some(_) => return Err(malformed(LICENSE, Problem::NotAnObject)),
    }
    let signature = match members.shift_remove(SIGNATURE) {
        None => return Err(malformed(SIGNATURE, Problem::Missing)),
        Some(Value::String(s)) => s,
        Some(_) => return Err(malformed(SIGNATURE, Problem::NotAString)),
    };
    let (key_name, keys) = match keyring.entry(name) {
        Some((key_name, keys)) if !keys.is_empty() => (key_name, keys),
        _ => {
            return Err(LicenseProblem::UnknownKeyName {
                name: Snippet::new(name),
            }
            .into());
        }
    };
    let signature =
        crate::base64::decode(&signature).ok_or_else(|| malformed(SIGNATURE, Problem::Base64))?;
    if !keys.iter().any(|k| k.modulus_len() == signature.len()) {
        return Err(LicenseProblem::SignatureLength {
            got: signature.len(),
            expected: keys[0].modulus_len(),
        }
        .into());
    }
    let mut unsigned = Value::Object(members);
    if reads_as_php_list(&unsigned) {
        return Err(LicenseProblem::ReadsAsPhpList.into());
    }
    let signed = canonical::to_vec_with(&unsigned, Options::php_sdk_license());
    let key = keys
        .iter()
        .find(|k| k.verify_raw(&signed, &signature))
        .ok_or(LicenseProblem::BadSignature)?;
    // `license` was found to be an object above.
    let license = unsigned
        .get_mut(LICENSE)
        .map(Value::take)
        .unwrap_or_default();
    Ok(license::verified_json(key_name, key, signed, license))
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

impl SigningKey {
    /// Writes `license` (a JSON object) as a signed-JSON offline license,
    /// the form the PHP SDK's `validateOfflineLicense` reads:
    /// `{"license":...,"signature":"..."}`, encoded as PHP's `json_encode`
    /// with `JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE`, signed with
    /// this key's hash over the document without `signature`.
    ///
    /// Refuses a license with an object PHP would re-encode as an array
    /// ([`LicenseProblem::ReadsAsPhpList`]) or nested deeper than the
    /// reader's default limit. The document is read back with the public
    /// key before it is returned.
    pub fn sign_license_json(&self, license: &Value) -> Result<String, Error> {
        use base64ct::{Base64, Encoding};

        if !license.is_object() {
            return Err(malformed(LICENSE, Problem::NotAnObject));
        }
        let limit = crate::Limits::DEFAULT_MAX_DEPTH;
        if json::depth(license) + 1 > limit {
            return Err(malformed(LICENSE, Problem::TooDeep { limit }));
        }
        let mut members = Map::new();
        members.insert(LICENSE.to_owned(), license.clone());
        let unsigned = Value::Object(members);
        if reads_as_php_list(&unsigned) {
            return Err(LicenseProblem::ReadsAsPhpList.into());
        }
        let signed = canonical::to_vec_with(&unsigned, Options::php_sdk_license());
        let signature = Base64::encode_string(&self.sign_bytes(&signed)?);
        // `signed` ends with the document's closing brace.
        let mut out = signed[..signed.len() - 1].to_vec();
        out.extend_from_slice(b",\"signature\":\"");
        out.extend_from_slice(signature.as_bytes());
        out.extend_from_slice(b"\"}");
        let out = String::from_utf8(out).map_err(|_| Error::SigningFailed)?;

        // Read it back as a client would.
        let keyring = Keyring::new().with("license", self.public_key().clone())?;
        let read = keyring.verify_license_json("license", &out)?;
        if read.signed_bytes() != signed.as_slice() {
            return Err(Error::SigningFailed);
        }
        Ok(out)
    }
}
