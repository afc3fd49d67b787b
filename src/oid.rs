//! The algorithm identifiers of the keys the crate reads, in SPKI and
//! PKCS#8 alike.

use der::asn1::ObjectIdentifier;

/// `rsaEncryption` (PKCS#1): an RSA key.
pub(crate) const RSA_ENCRYPTION: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-Ed25519` (RFC 8410): an Ed25519 key.
pub(crate) const ID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
