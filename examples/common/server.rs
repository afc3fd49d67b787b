//! A small stand-in for the GetKeyManager license server: a few of its
//! endpoints, answered with envelopes signed by respsig the way the real
//! server signs them. Shared by `examples/license_server.rs` (which runs it)
//! and `tests/it/http.rs` (which starts it in-process on 127.0.0.1:0).
//!
//! Which key signs follows the server's documented responses
//! (`testdata/gkm/`): a response about a known product is signed under
//! `product`, one with no product in context (a bad API key, an unknown
//! license key, an unknown product) under `global`. The product's public key
//! is served signed under `global`, so a client that trusts only the global
//! key can learn the product key ([`respsig::Keyring::add_product_key`]).
//!
//! A name with no key configured gets what the real server sends then: the
//! literal `Private key not set` in `signature`.
//!
//! The demo data is fixed: one product, two license keys, one API key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use respsig::{ResponseCode, SigningKey, UNSIGNED_MARKER};
use serde_json::{Map, Value};

/// The API key the demo server accepts (the example value of the server's
/// API reference).
pub const API_KEY: &str = "2964c3c9-0b5d-4d89-b3ac-4668f30bc492";
/// The demo product's UUID (what `get-product-public-key` is asked about).
pub const PRODUCT_UUID: &str = "8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f";
/// The demo product's numeric id (what `update-product-meta` takes).
pub const PRODUCT_ID: &str = "4";
/// A license key of the demo product, assigned: `verify` answers 200.
pub const LICENSE_ASSIGNED: &str = "19d4c2a0-b2ee-47a9-9fa7-f8befcc142fd";
/// A license key of the demo product, not assigned: `verify` answers 201.
pub const LICENSE_UNASSIGNED: &str = "276fac24-3dd1-429f-b8ff-3b74047e0d56";
/// The one product meta key that exists at start.
pub const META_KEY: &str = "test-key";

/// The server's signing keys by the name it signs under. `None` makes the
/// server send unsigned responses under that name, as the real server does
/// when no key is configured.
#[derive(Debug, Clone, Default)]
pub struct Keys {
    /// Signs responses about the demo product.
    pub product: Option<SigningKey>,
    /// Signs responses with no product in context, and vouches for the
    /// product's public key.
    pub global: Option<SigningKey>,
}

struct Server {
    keys: Keys,
    /// The demo product's meta data (`update-product-meta` changes it).
    meta: Mutex<Map<String, Value>>,
}

type Params = HashMap<String, String>;

/// The routes, ready for `axum::serve`.
pub fn app(keys: Keys) -> Router {
    let mut meta = Map::new();
    meta.insert(META_KEY.to_owned(), Value::from("test value"));
    let server = Arc::new(Server {
        keys,
        meta: Mutex::new(meta),
    });
    Router::new()
        .route("/api/v1/verify", post(verify))
        .route("/api/v1/update-product-meta", post(update_product_meta))
        .route(
            "/api/v1/get-product-public-key",
            get(get_product_public_key),
        )
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(server)
}

/// `POST /api/v1/verify` (`api_key`, `license_key`, `identifier`).
async fn verify(
    State(server): State<Arc<Server>>,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    // An unreadable form is treated as an empty one: no API key.
    let params = form.map(|Form(p)| p).unwrap_or_default();
    if let Some(refusal) = server.check_api_key(&params) {
        return refusal;
    }
    let license = param(&params, "license_key");
    let reply = |code| server.reply(StatusCode::OK, "product", payload(code, None, []));
    if license == Some(LICENSE_ASSIGNED) {
        if param(&params, "identifier").is_none() {
            return reply(ResponseCode::IdentifierRequired);
        }
        return reply(ResponseCode::ValidLicenseKey);
    }
    if license == Some(LICENSE_UNASSIGNED) {
        return reply(ResponseCode::LicenseNotAssigned);
    }
    // No license, no product: the server signs under `global` (the
    // documented 210 response is global-signed).
    server.reply(
        StatusCode::OK,
        "global",
        payload(ResponseCode::InvalidLicenseKey, None, []),
    )
}

/// `POST /api/v1/update-product-meta` (`api_key`, `product_id`, `key`,
/// `value`): only existing keys can be updated.
async fn update_product_meta(
    State(server): State<Arc<Server>>,
    form: Result<Form<Params>, FormRejection>,
) -> Response {
    let params = form.map(|Form(p)| p).unwrap_or_default();
    if let Some(refusal) = server.check_api_key(&params) {
        return refusal;
    }
    if param(&params, "product_id") != Some(PRODUCT_ID) {
        return server.reply(
            StatusCode::OK,
            "global",
            payload(ResponseCode::ProductNotFoundMetaUpdate, None, []),
        );
    }
    let reply = |code, message| server.reply(StatusCode::OK, "product", payload(code, message, []));
    let Some(key) = param(&params, "key") else {
        return reply(ResponseCode::ProductMetaKeyRequiredUpdate, None);
    };
    let Some(value) = param(&params, "value") else {
        return reply(ResponseCode::ProductMetaValueRequiredUpdate, None);
    };
    let mut meta = server.meta.lock().unwrap_or_else(PoisonError::into_inner);
    match meta.get_mut(key) {
        Some(old) => {
            *old = Value::from(value);
            drop(meta);
            reply(ResponseCode::ProductMetaUpdated, None)
        }
        None => {
            drop(meta);
            // The real server's wording, not the catalogue's ("doesn't
            // exist"): testdata/gkm/seed-372-update-product-meta.json.
            reply(
                ResponseCode::ProductMetaKeyNotExistsUpdate,
                Some("Meta key doesn't exists"),
            )
        }
    }
}

/// `GET /api/v1/get-product-public-key?product_uuid=...`: the product's
/// public key (PEM SPKI), signed under `global`; 632 found, 633 not found.
async fn get_product_public_key(
    State(server): State<Arc<Server>>,
    query: Result<Query<Params>, QueryRejection>,
) -> Response {
    let params = query.map(|Query(p)| p).unwrap_or_default();
    if let Some(refusal) = server.check_api_key(&params) {
        return refusal;
    }
    let product_key = server.keys.product.as_ref().map(SigningKey::public_key);
    let response = match (param(&params, "product_uuid"), product_key) {
        (Some(PRODUCT_UUID), Some(key)) => payload(
            ResponseCode::ProductPublicKeyFound,
            None,
            [
                ("product", serde_json::json!({ "uuid": PRODUCT_UUID })),
                ("public_key", Value::from(key.to_pem())),
            ],
        ),
        _ => payload(ResponseCode::ProductPublicKeyNotFound, None, []),
    };
    server.reply(StatusCode::OK, "global", response)
}

/// Any other path. The server's reference documents no response for an
/// unknown endpoint; this sends its generic signed refusal, 150 "Access
/// denied" under `global` (as in its documented blocked-access response),
/// with status 404.
async fn not_found(State(server): State<Arc<Server>>) -> Response {
    server.reply(
        StatusCode::NOT_FOUND,
        "global",
        payload(ResponseCode::AccessDenied, None, []),
    )
}

/// A known path with the wrong method: the same refusal, status 405.
async fn method_not_allowed(State(server): State<Arc<Server>>) -> Response {
    server.reply(
        StatusCode::METHOD_NOT_ALLOWED,
        "global",
        payload(ResponseCode::AccessDenied, None, []),
    )
}

impl Server {
    /// 100 "Invalid API Key", status 401, under `global`, unless the
    /// request carries the demo API key.
    fn check_api_key(&self, params: &Params) -> Option<Response> {
        (param(params, "api_key") != Some(API_KEY)).then(|| {
            self.reply(
                StatusCode::UNAUTHORIZED,
                "global",
                payload(ResponseCode::InvalidApiKey, None, []),
            )
        })
    }

    /// The envelope of `response` under `name`, as the HTTP response.
    fn reply(&self, status: StatusCode, name: &str, response: Value) -> Response {
        let key = match name {
            "product" => self.keys.product.as_ref(),
            _ => self.keys.global.as_ref(),
        };
        let body = match key {
            Some(key) => key.sign_envelope(name, &response),
            None => Ok(unsigned_envelope(name, &response)),
        };
        match body {
            Ok(body) => {
                (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
            }
            // The crate's errors never carry key material.
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("signing failed: {e}\n"),
            )
                .into_response(),
        }
    }
}

/// What the server sends when it has no key for `name`: the same envelope,
/// with `Private key not set` in place of a signature.
fn unsigned_envelope(name: &str, response: &Value) -> String {
    let payload = respsig::canonical::to_vec(response);
    let mut envelope = Map::new();
    envelope.insert("response".to_owned(), response.clone());
    envelope.insert(
        "response_base64".to_owned(),
        Value::from(base64::engine::general_purpose::STANDARD.encode(payload)),
    );
    envelope.insert("private_key_used".to_owned(), Value::from(name));
    envelope.insert("signature".to_owned(), Value::from(UNSIGNED_MARKER));
    Value::Object(envelope).to_string()
}

/// A payload in the server's member order: `code`, `message`, the
/// endpoint's data, `timestamp` (the current Unix time). The message is the
/// catalogue's unless given.
fn payload<const N: usize>(
    code: ResponseCode,
    message: Option<&str>,
    data: [(&str, Value); N],
) -> Value {
    let mut response = Map::new();
    response.insert("code".to_owned(), Value::from(code.code()));
    let message = message.or(code.message()).unwrap_or_default();
    response.insert("message".to_owned(), Value::from(message));
    for (name, value) in data {
        response.insert(name.to_owned(), value);
    }
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    response.insert("timestamp".to_owned(), Value::from(now));
    Value::Object(response)
}

/// A request parameter, absent when missing or empty.
fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}
