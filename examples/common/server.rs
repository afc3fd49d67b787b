//! A small stand-in for the GetKeyManager license server: a few of its
//! endpoints, answered with envelopes signed by respsig the way the real
//! server signs them. Shared by `examples/license_server.rs` (which runs it)
//! and `tests/it/http.rs` (which starts it in-process on 127.0.0.1:0);
//! `serve.rs` beside it holds the connections.
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
//! The limits on each request (the layers of [`app`], the form reader
//! [`Fields`]) and what a request over them gets: the catalogue has no code
//! for these, so they are answered as a front proxy would answer them,
//! unsigned (`text/plain`, the 408 empty), never with a signed "Invalid API
//! Key":
//!
//! | limit | held by | answer |
//! |---|---|---|
//! | body over [`MAX_BODY`] bytes, declared (`Content-Length`) | tower-http `RequestBodyLimitLayer`, before the handler runs | 413 |
//! | body over [`MAX_BODY`] bytes, chunked | the same layer's counting body, read by [`Fields`] | 413 |
//! | a form (or query) of more than [`MAX_FIELDS`] fields, or a field twice | [`Fields`], counting `&` before decoding | 400 |
//! | a POST that is not `application/x-www-form-urlencoded` | [`Fields`] (axum's `RawForm`) | 415 |
//! | more than [`MAX_IN_FLIGHT`] requests in the handlers | tower `GlobalConcurrencyLimitLayer` + `LoadShedLayer` | 503 |
//! | a request (body read and signing) longer than [`REQUEST_TIMEOUT`] | tower-http `TimeoutLayer` | 408 |
//!
//! RSA signing runs on tokio's blocking pool (`spawn_blocking`), off the
//! async workers that read and write every connection; the runtime bounds
//! that pool (`examples/license_server.rs`), the in-flight limit bounds its
//! queue.
//!
//! The demo data is fixed: one product, two license keys, one API key.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{FromRequest, RawForm, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use respsig::{ResponseCode, SigningKey, UNSIGNED_MARKER};
use serde_json::{Map, Value};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

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

/// The largest request body, in bytes. These endpoints' forms are a few
/// hundred bytes (UUIDs, an identifier, a meta value); 8 KiB leaves room
/// for long meta values and an SDK's extra fields, and bounds what a
/// request can make the server hold (axum's default is 2 MB).
pub const MAX_BODY: usize = 8 * 1024;
/// The most fields a form or query may have. The endpoints take at most
/// four; SDKs send a few of their own (a version, a hardware id), hence the
/// slack.
pub const MAX_FIELDS: usize = 32;
/// The most requests in the handlers at once; beyond it, 503 at once
/// rather than a queue that grows with the number of connections. Far
/// above what two cores sign in a queue's worth of time, far below what
/// memory would notice (each holds at most [`MAX_BODY`]).
pub const MAX_IN_FLIGHT: usize = 512;
/// How long a request may take once its headers are in: reading its body
/// (a few KB) and signing (a fraction of a millisecond). A client that
/// sends its body slowly loses its slot after this.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// The body of a 413, the same whether the body declared its length
/// (tower-http writes this) or was chunked (this file writes it).
pub const TOO_LARGE: &str = "length limit exceeded";
/// The body of a 400 for a form of more than [`MAX_FIELDS`] fields.
pub const TOO_MANY_FIELDS: &str = "too many form fields";
/// The body of a 400 for a form that names a field twice (which of the two
/// would count is a guess: a front proxy may read the first, a framework
/// the last).
pub const DUPLICATE_FIELD: &str = "a form field given twice";
/// The body of a 503 when [`MAX_IN_FLIGHT`] requests are in the handlers.
pub const BUSY: &str = "server busy, retry later";

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

/// What a handler decided: the status, the key name it is signed under, the
/// payload. [`Server::send`] signs it.
struct Answer {
    status: StatusCode,
    name: &'static str,
    payload: Value,
}

impl Answer {
    fn ok(name: &'static str, payload: Value) -> Self {
        Self {
            status: StatusCode::OK,
            name,
            payload,
        }
    }
}

/// The routes behind the request limits (the module's table), ready for
/// [`serve`](super::serve::serve) or `axum::serve`.
pub fn app(keys: Keys) -> Router {
    let mut meta = Map::new();
    meta.insert(META_KEY.to_owned(), Value::from("test value"));
    let server = Arc::new(Server {
        keys,
        meta: Mutex::new(meta),
    });
    // Outermost first. The body limit comes before the in-flight limit, so
    // a declared oversized body is refused without taking a slot; the
    // timeout is inside it, so no slot is held longer than the timeout.
    // `Router::layer` wraps each route: the in-flight limit is the global
    // one, a single count for all of them.
    let limits = ServiceBuilder::new()
        .layer(RequestBodyLimitLayer::new(MAX_BODY))
        .layer(HandleErrorLayer::new(|_: tower::BoxError| async {
            let mut busy = refuse(StatusCode::SERVICE_UNAVAILABLE, BUSY);
            busy.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            busy
        }))
        .load_shed()
        .layer(GlobalConcurrencyLimitLayer::new(MAX_IN_FLIGHT))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ));
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
        .layer(limits)
}

/// The request's fields: its form (POST) or query (GET), read within
/// [`MAX_BODY`] and [`MAX_FIELDS`], no field twice. Rejected with an
/// unsigned 413, 400 or 415 (the module's table).
pub struct Fields(Params);

impl<S: Send + Sync> FromRequest<S> for Fields {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let RawForm(form) = RawForm::from_request(request, state)
            .await
            .map_err(|rejection| match rejection.status() {
                // The body-limit layer's counting body ran out.
                StatusCode::PAYLOAD_TOO_LARGE => refuse(StatusCode::PAYLOAD_TOO_LARGE, TOO_LARGE),
                status => refuse(status, &rejection.body_text()),
            })?;
        parse_fields(&form)
            .map(Fields)
            .map_err(|why| refuse(StatusCode::BAD_REQUEST, why))
    }
}

/// `form` (`a=1&b=2`, percent-encoded) as fields. The fields are counted
/// before anything is decoded or allocated, so an oversized form costs one
/// pass over at most [`MAX_BODY`] bytes.
fn parse_fields(form: &[u8]) -> Result<Params, &'static str> {
    // Empty pieces (`a=1&&b=2`) are skipped, as the decoder skips them.
    let fields = form
        .split(|&byte| byte == b'&')
        .filter(|field| !field.is_empty())
        .count();
    if fields > MAX_FIELDS {
        return Err(TOO_MANY_FIELDS);
    }
    let mut params = Params::with_capacity(fields);
    for (name, value) in form_urlencoded::parse(form) {
        if params
            .insert(name.into_owned(), value.into_owned())
            .is_some()
        {
            return Err(DUPLICATE_FIELD);
        }
    }
    Ok(params)
}

/// An unsigned answer, as a front proxy would send it: `status`, `text`.
fn refuse(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text.to_owned(),
    )
        .into_response()
}

/// `POST /api/v1/verify` (`api_key`, `license_key`, `identifier`).
async fn verify(State(server): State<Arc<Server>>, Fields(params): Fields) -> Response {
    server.send(verify_answer(&params)).await
}

fn verify_answer(params: &Params) -> Answer {
    if let Some(refusal) = check_api_key(params) {
        return refusal;
    }
    let license = param(params, "license_key");
    let reply = |code| Answer::ok("product", payload(code, None, []));
    if license == Some(LICENSE_ASSIGNED) {
        if param(params, "identifier").is_none() {
            return reply(ResponseCode::IDENTIFIER_REQUIRED);
        }
        return reply(ResponseCode::VALID_LICENSE_KEY);
    }
    if license == Some(LICENSE_UNASSIGNED) {
        return reply(ResponseCode::LICENSE_NOT_ASSIGNED);
    }
    // No license, no product: the server signs under `global` (the
    // documented 210 response is global-signed).
    Answer::ok(
        "global",
        payload(ResponseCode::INVALID_LICENSE_KEY, None, []),
    )
}

/// `POST /api/v1/update-product-meta` (`api_key`, `product_id`, `key`,
/// `value`): only existing keys can be updated.
async fn update_product_meta(
    State(server): State<Arc<Server>>,
    Fields(params): Fields,
) -> Response {
    let answer = server.update_meta(&params);
    server.send(answer).await
}

/// `GET /api/v1/get-product-public-key?product_uuid=...`: the product's
/// public key (PEM SPKI), signed under `global`; 632 found, 633 not found.
async fn get_product_public_key(
    State(server): State<Arc<Server>>,
    Fields(params): Fields,
) -> Response {
    let answer = check_api_key(&params).unwrap_or_else(|| {
        let product_key = server.keys.product.as_ref().map(SigningKey::public_key);
        let response = match (param(&params, "product_uuid"), product_key) {
            (Some(PRODUCT_UUID), Some(key)) => payload(
                ResponseCode::PRODUCT_PUBLIC_KEY_FOUND,
                None,
                [
                    ("product", serde_json::json!({ "uuid": PRODUCT_UUID })),
                    ("public_key", Value::from(key.to_pem())),
                ],
            ),
            _ => payload(ResponseCode::PRODUCT_PUBLIC_KEY_NOT_FOUND, None, []),
        };
        Answer::ok("global", response)
    });
    server.send(answer).await
}

/// Any other path. The server's reference documents no response for an
/// unknown endpoint; this sends its generic signed refusal, 150 "Access
/// denied" under `global` (as in its documented blocked-access response),
/// with status 404.
async fn not_found(State(server): State<Arc<Server>>) -> Response {
    server.send(access_denied(StatusCode::NOT_FOUND)).await
}

/// A known path with the wrong method: the same refusal, status 405.
async fn method_not_allowed(State(server): State<Arc<Server>>) -> Response {
    server
        .send(access_denied(StatusCode::METHOD_NOT_ALLOWED))
        .await
}

fn access_denied(status: StatusCode) -> Answer {
    Answer {
        status,
        name: "global",
        payload: payload(ResponseCode::ACCESS_DENIED, None, []),
    }
}

/// 100 "Invalid API Key", status 401, under `global`, unless the request
/// carries the demo API key.
fn check_api_key(params: &Params) -> Option<Answer> {
    (param(params, "api_key") != Some(API_KEY)).then(|| Answer {
        status: StatusCode::UNAUTHORIZED,
        name: "global",
        payload: payload(ResponseCode::INVALID_API_KEY, None, []),
    })
}

impl Server {
    fn update_meta(&self, params: &Params) -> Answer {
        if let Some(refusal) = check_api_key(params) {
            return refusal;
        }
        if param(params, "product_id") != Some(PRODUCT_ID) {
            return Answer::ok(
                "global",
                payload(ResponseCode::PRODUCT_NOT_FOUND_META_UPDATE, None, []),
            );
        }
        let reply = |code, message| Answer::ok("product", payload(code, message, []));
        let Some(key) = param(params, "key") else {
            return reply(ResponseCode::PRODUCT_META_KEY_REQUIRED_UPDATE, None);
        };
        let Some(value) = param(params, "value") else {
            return reply(ResponseCode::PRODUCT_META_VALUE_REQUIRED_UPDATE, None);
        };
        let mut meta = self.meta.lock().unwrap_or_else(PoisonError::into_inner);
        match meta.get_mut(key) {
            Some(old) => {
                *old = Value::from(value);
                reply(ResponseCode::PRODUCT_META_UPDATED, None)
            }
            // The real server's wording, not the catalogue's ("doesn't
            // exist"): testdata/gkm/seed-372-update-product-meta.json.
            None => reply(
                ResponseCode::PRODUCT_META_KEY_NOT_EXISTS_UPDATE,
                Some("Meta key doesn't exists"),
            ),
        }
    }

    /// `answer` signed, as the HTTP response. The RSA operation (a fraction
    /// of a millisecond of CPU) runs on the blocking pool, so the async
    /// workers keep reading and writing the other connections meanwhile.
    async fn send(self: Arc<Self>, answer: Answer) -> Response {
        let Answer {
            status,
            name,
            payload,
        } = answer;
        let body = tokio::task::spawn_blocking(move || self.envelope(name, &payload)).await;
        match body {
            Ok(Ok(body)) => {
                (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
            }
            // The crate's errors never carry key material.
            Ok(Err(e)) => refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("signing failed: {e}\n"),
            ),
            Err(_) => refuse(StatusCode::INTERNAL_SERVER_ERROR, "signing failed\n"),
        }
    }

    /// The envelope of `response` under `name`.
    fn envelope(&self, name: &str, response: &Value) -> Result<String, respsig::Error> {
        let key = match name {
            "product" => self.keys.product.as_ref(),
            _ => self.keys.global.as_ref(),
        };
        match key {
            Some(key) => key.sign_envelope(name, response),
            None => Ok(unsigned_envelope(name, response)),
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
