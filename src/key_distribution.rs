//! Key distribution: taking a product's public key from the server's
//! `GET /api/v1/get-product-public-key` response.
//!
//! That response is itself a signed envelope. The product key it carries is
//! trusted only because a key the caller already trusts vouches for it: the
//! envelope must have verified (a [`Verified`] exists only then) under the
//! name [`VOUCHER`] (`global`, the server's own key), carry code 632, and,
//! when the caller says which product it asked about, name that product.
//! The key then passes the same load policy as any other key.
//!
//! Where the payload keeps the key follows the official SDK, which reads
//! `public_key` or `data.public_key`, and the product's UUID from
//! `product.uuid` or `data.product_uuid`; `product_uuid` at the top level is
//! read too. No real 632 response has been seen here.

use serde_json::Value;

use crate::error::{Error, KeyResponseProblem, Snippet};
use crate::key::PublicKey;
use crate::response_code::ResponseCode;
use crate::verify::Verified;

/// The key name whose signature vouches for a distributed product key.
pub const VOUCHER: &str = "global";

/// The product key a verified public-key response vouches for: the check
/// behind [`Keyring::add_product_key`](crate::Keyring::add_product_key).
pub(crate) fn product_key(
    response: &Verified,
    product_uuid: Option<&str>,
) -> Result<PublicKey, Error> {
    let refuse = |problem| Err(Error::KeyResponse(problem));
    if response.key_name() != VOUCHER {
        return refuse(KeyResponseProblem::WrongVoucher {
            signed_by: Snippet::new(response.key_name()),
            required: VOUCHER,
        });
    }
    match response.response_code() {
        Some(ResponseCode::PRODUCT_PUBLIC_KEY_FOUND) => {}
        Some(ResponseCode::PRODUCT_PUBLIC_KEY_NOT_FOUND) => {
            return refuse(KeyResponseProblem::NotFound);
        }
        other => {
            return refuse(KeyResponseProblem::UnexpectedCode {
                code: other.map(ResponseCode::code),
            });
        }
    }
    let payload = response.payload();
    let data = payload.get("data");
    if let Some(expected) = product_uuid {
        let named: Vec<&Value> = [
            payload.get("product").and_then(|p| p.get("uuid")),
            data.and_then(|d| d.get("product_uuid")),
            payload.get("product_uuid"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if named.is_empty() {
            return refuse(KeyResponseProblem::MissingProduct);
        }
        // Every place that names a product must name the one asked for.
        for got in named {
            if got.as_str() != Some(expected) {
                let got = got.as_str().map_or_else(|| got.to_string(), str::to_owned);
                return refuse(KeyResponseProblem::ProductMismatch {
                    got: Snippet::new(&got),
                });
            }
        }
    }
    let keys: Vec<&Value> = [
        payload.get("public_key"),
        data.and_then(|d| d.get("public_key")),
    ]
    .into_iter()
    .flatten()
    .collect();
    match keys.as_slice() {
        [] => refuse(KeyResponseProblem::MissingKey),
        [first, rest @ ..] => {
            let pem = first
                .as_str()
                .ok_or(Error::KeyResponse(KeyResponseProblem::MissingKey))?;
            if rest.iter().any(|other| other.as_str() != Some(pem)) {
                return refuse(KeyResponseProblem::AmbiguousKey);
            }
            PublicKey::from_pem(pem)
        }
    }
}
