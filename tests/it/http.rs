//! A real HTTP round trip: the example license server
//! (`examples/common/server.rs`) on 127.0.0.1:0, requests with ureq, every
//! answer verified with respsig; then the same answers altered in transit by
//! a tampering proxy, each refused with its exact error; then recorded
//! answers played back by the same proxy, refused by the answer-to-request
//! check. The server runs as the example runs it, behind its limits
//! (`examples/common/serve.rs`); `http_hostile.rs` sends it what breaks
//! them.
use crate::common;
#[path = "../../examples/common/serve.rs"]
pub(crate) mod serve;
#[path = "../../examples/common/server.rs"]
pub(crate) mod server;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use respsig::{
    Error, FixedClock, KeyResponseProblem, Keyring, Policy, ResponseCode, Snippet, UNSIGNED_MARKER,
    UnixTime, Verified,
};
use serde_json::Value;

pub(crate) fn keys() -> server::Keys {
    server::Keys {
        product: Some(common::private("keys/rsa2048.pem")),
        global: Some(common::private("keys/other2048.pem")),
    }
}

/// What a client configured with both public keys trusts.
pub(crate) fn keyring() -> Keyring {
    Keyring::new()
        .with("product", common::public("keys/rsa2048.pub.pem"))
        .unwrap()
        .with("global", common::public("keys/other2048.pub.pem"))
        .unwrap()
}

/// Serves `app` on 127.0.0.1:0 as the example serves it, until the test's
/// runtime ends, and returns its base URL.
async fn start(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    assert_ne!(addr.port(), 0);
    tokio::spawn(serve::serve(listener, app, std::future::pending()));
    format!("http://{addr}")
}

fn agent() -> ureq::Agent {
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(30)))
        .build();
    ureq::Agent::new_with_config(config)
}

/// One blocking ureq call, off the async workers: GET with the parameters
/// as the query, POST with them as a form. Returns status and body.
async fn call(
    method: &'static str,
    url: String,
    params: Vec<(&'static str, String)>,
) -> (u16, String) {
    tokio::task::spawn_blocking(move || {
        let agent = agent();
        let pairs = params.iter().map(|(k, v)| (*k, v.as_str()));
        let response = match method {
            "GET" => {
                let mut request = agent.get(&url);
                for (k, v) in pairs {
                    request = request.query(k, v);
                }
                request.call()
            }
            "POST" => agent.post(&url).send_form(pairs),
            other => panic!("method {other}"),
        };
        let mut response = response.unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        let body = response.body_mut().read_to_string().unwrap();
        (response.status().as_u16(), body)
    })
    .await
    .unwrap()
}

fn with_api_key(params: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut all = vec![("api_key", server::API_KEY.to_owned())];
    all.extend(params.iter().map(|(k, v)| (*k, (*v).to_owned())));
    all
}

/// The requests of the tests below, by a short name.
fn request(name: &str) -> (&'static str, &'static str, Vec<(&'static str, String)>) {
    let verify = "/api/v1/verify";
    let meta = "/api/v1/update-product-meta";
    let key = "/api/v1/get-product-public-key";
    match name {
        "valid" => (
            "POST",
            verify,
            with_api_key(&[
                ("license_key", server::LICENSE_ASSIGNED),
                ("identifier", "domain.ltd"),
            ]),
        ),
        "no-identifier" => (
            "POST",
            verify,
            with_api_key(&[("license_key", server::LICENSE_ASSIGNED)]),
        ),
        "unassigned" => (
            "POST",
            verify,
            with_api_key(&[
                ("license_key", server::LICENSE_UNASSIGNED),
                ("identifier", "domain.ltd"),
            ]),
        ),
        "invalid-license" => (
            "POST",
            verify,
            with_api_key(&[("license_key", "no-such-key"), ("identifier", "domain.ltd")]),
        ),
        "bad-api-key" => ("POST", verify, vec![("api_key", "wrong".to_owned())]),
        "meta-updated" => (
            "POST",
            meta,
            with_api_key(&[
                ("product_id", server::PRODUCT_ID),
                ("key", server::META_KEY),
                ("value", "v2"),
            ]),
        ),
        "meta-missing" => (
            "POST",
            meta,
            with_api_key(&[
                ("product_id", server::PRODUCT_ID),
                ("key", "nope"),
                ("value", "v"),
            ]),
        ),
        "meta-no-key" => (
            "POST",
            meta,
            with_api_key(&[("product_id", server::PRODUCT_ID)]),
        ),
        "meta-no-product" => (
            "POST",
            meta,
            with_api_key(&[
                ("product_id", "999"),
                ("key", server::META_KEY),
                ("value", "v"),
            ]),
        ),
        "key-found" => (
            "GET",
            key,
            with_api_key(&[("product_uuid", server::PRODUCT_UUID)]),
        ),
        "key-not-found" => (
            "GET",
            key,
            with_api_key(&[("product_uuid", "another-product")]),
        ),
        "unknown-path" => ("GET", "/api/v1/no-such-endpoint", with_api_key(&[])),
        "wrong-method" => ("GET", verify, with_api_key(&[])),
        other => panic!("no request {other}"),
    }
}

/// Sends the named request to `base` (optionally under a path prefix).
async fn send(base: &str, name: &str) -> (u16, String) {
    let (method, path, params) = request(name);
    call(method, format!("{base}{path}"), params).await
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

/// Checks a verified answer: key name, code, message, a current timestamp.
fn assert_verified(verified: &Verified, name: &str, code: ResponseCode, message: &str) {
    assert_eq!(verified.key_name(), name, "{verified:?}");
    assert_eq!(verified.response_code(), Some(code), "{verified:?}");
    assert_eq!(verified.message(), Some(message), "{verified:?}");
    let timestamp = verified.timestamp().unwrap().as_secs();
    assert!((now() - timestamp).abs() <= 60, "timestamp {timestamp}");
    // The payload the client gets is the signed one, the server's member order.
    let payload: Value = serde_json::from_slice(verified.payload_bytes()).unwrap();
    let members: Vec<&str> = payload
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(members.first(), Some(&"code"));
    assert_eq!(members.last(), Some(&"timestamp"));
}

#[tokio::test(flavor = "multi_thread")]
async fn every_endpoint_answers_with_an_envelope_that_verifies() {
    let base = start(server::app(keys())).await;
    let keyring = keyring();
    let product = common::public("keys/rsa2048.pub.pem");
    let global = common::public("keys/other2048.pub.pem");
    #[rustfmt::skip]
    let cases = [
        ("valid", 200, "product", ResponseCode::VALID_LICENSE_KEY, "Valid license key"),
        ("no-identifier", 200, "product", ResponseCode::IDENTIFIER_REQUIRED, "Identifier is required"),
        ("unassigned", 200, "product", ResponseCode::LICENSE_NOT_ASSIGNED, "This license key is not assigned"),
        // No product in context: signed under `global`, as the documented 210.
        ("invalid-license", 200, "global", ResponseCode::INVALID_LICENSE_KEY, "Invalid license key"),
        ("bad-api-key", 401, "global", ResponseCode::INVALID_API_KEY, "Invalid API Key"),
        ("meta-updated", 200, "product", ResponseCode::PRODUCT_META_UPDATED, "Product meta updated"),
        // The real server's wording (seed-372), not the catalogue's.
        ("meta-missing", 200, "product", ResponseCode::PRODUCT_META_KEY_NOT_EXISTS_UPDATE, "Meta key doesn't exists"),
        ("meta-no-key", 200, "product", ResponseCode::PRODUCT_META_KEY_REQUIRED_UPDATE, "Meta key is required"),
        ("meta-no-product", 200, "global", ResponseCode::PRODUCT_NOT_FOUND_META_UPDATE, "Product not found"),
        ("key-found", 200, "global", ResponseCode::PRODUCT_PUBLIC_KEY_FOUND, "Public key retrieved successfully"),
        ("key-not-found", 200, "global", ResponseCode::PRODUCT_PUBLIC_KEY_NOT_FOUND, "Public key not available for product"),
        ("unknown-path", 404, "global", ResponseCode::ACCESS_DENIED, "Access denied"),
        ("wrong-method", 405, "global", ResponseCode::ACCESS_DENIED, "Access denied"),
    ];
    for (name, status, key_name, code, message) in cases {
        let (got_status, body) = send(&base, name).await;
        assert_eq!(got_status, status, "{name}: {body}");
        let verified = keyring
            .verify(&body, &Policy::any_age())
            .unwrap_or_else(|e| panic!("{name}: {e}\n{body}"));
        assert_verified(&verified, key_name, code, message);
        let expected_key = if key_name == "product" {
            &product
        } else {
            &global
        };
        assert_eq!(verified.key(), expected_key, "{name}");
        // The envelope is written as the server writes it: members in its
        // order, `/` escaped.
        assert!(
            body.starts_with("{\"response\":{\"code\":"),
            "{name}: {body}"
        );
        let slashes_escaped = body
            .match_indices('/')
            .all(|(i, _)| i > 0 && body.as_bytes()[i - 1] == b'\\');
        assert!(slashes_escaped, "{name}: {body}");
    }

    // The found key is the product's, in PEM SPKI, about the product asked for.
    let (_, body) = send(&base, "key-found").await;
    let verified = keyring.verify(&body, &Policy::any_age()).unwrap();
    assert_eq!(verified.payload()["product"]["uuid"], server::PRODUCT_UUID);
    assert_eq!(verified.payload()["public_key"], product.to_pem());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_client_trusting_only_global_learns_the_product_key_over_http() {
    let base = start(server::app(keys())).await;
    let mut client = Keyring::new()
        .with("global", common::public("keys/other2048.pub.pem"))
        .unwrap();

    // Before: a product-signed answer names a key the client does not have.
    let (_, body) = send(&base, "valid").await;
    assert_eq!(
        client.verify(&body, &Policy::any_age()).unwrap_err(),
        Error::UnknownKeyName {
            name: Snippet::new("product")
        }
    );

    // 633 is verified (under global) but vouches for nothing.
    let (_, body) = send(&base, "key-not-found").await;
    let verified = client.verify(&body, &Policy::any_age()).unwrap();
    assert_eq!(
        client.add_product_key("product", &verified, Some("another-product")),
        Err(Error::KeyResponse(KeyResponseProblem::NotFound))
    );
    assert!(client.keys("product").is_empty());

    // 632 under global: the key is taken, for the product asked about only.
    let (_, body) = send(&base, "key-found").await;
    let verified = client.verify(&body, &Policy::any_age()).unwrap();
    assert_eq!(
        client.add_product_key("product", &verified, Some("another-product")),
        Err(Error::KeyResponse(KeyResponseProblem::ProductMismatch {
            got: Snippet::new(server::PRODUCT_UUID)
        }))
    );
    let key = client
        .add_product_key("product", &verified, Some(server::PRODUCT_UUID))
        .unwrap();
    assert_eq!(
        key.fingerprint(),
        common::public("keys/rsa2048.pub.pem").fingerprint()
    );
    assert_eq!(client.keys("product"), std::slice::from_ref(&key));

    // After: the product-signed answers verify under the distributed key.
    for (name, code) in [
        ("valid", ResponseCode::VALID_LICENSE_KEY),
        ("meta-updated", ResponseCode::PRODUCT_META_UPDATED),
    ] {
        let (_, body) = send(&base, name).await;
        let verified = client.verify(&body, &Policy::any_age()).unwrap();
        assert_eq!(verified.key(), &key);
        assert_eq!(verified.response_code(), Some(code));
    }

    // A product-signed answer cannot vouch for a key.
    let (_, body) = send(&base, "valid").await;
    let verified = client.verify(&body, &Policy::any_age()).unwrap();
    assert_eq!(
        client.add_product_key("other", &verified, None),
        Err(Error::KeyResponse(KeyResponseProblem::WrongVoucher {
            signed_by: Snippet::new("product"),
            required: "global"
        }))
    );
}

// The tampering proxy: `/{tamper}/{path}` forwards `/{path}` (method, query,
// form body) to the server with ureq and alters the answer's body. In its
// recording mode, `/record/{path}` keeps a copy of the genuine answer it
// passes on, and `/replay/{path}` forwards the request but sends that
// recording back instead of the server's answer.

struct Proxy {
    upstream: String,
    recorded: Mutex<Option<(u16, String)>>,
}

/// Alters an envelope as an attacker between client and server would.
/// `None` when the alteration does not apply (the test then fails: a
/// tamper that changes nothing proves nothing).
fn tamper(kind: &str, body: &str) -> Option<String> {
    let mut envelope: Value = serde_json::from_str(body).ok()?;
    let members = envelope.as_object_mut()?;
    let text = |member: &str| {
        members
            .get(member)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    match kind {
        "genuine" => return Some(body.to_owned()),
        "flip-signature-byte" => {
            let mut raw = STANDARD.decode(text("signature")?).ok()?;
            raw[100] ^= 0x01;
            members.insert("signature".to_owned(), Value::from(STANDARD.encode(raw)));
        }
        "flip-payload-byte" => {
            // One character of the signed base64 text.
            let mut chars: Vec<char> = text("response_base64")?.chars().collect();
            chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
            let altered: String = chars.into_iter().collect();
            members.insert("response_base64".to_owned(), Value::from(altered));
        }
        "relabel-product-as-global" => {
            if text("private_key_used")? != "product" {
                return None;
            }
            members.insert("private_key_used".to_owned(), Value::from("global"));
        }
        "strip-signature" => {
            members.remove("signature")?;
        }
        "private-key-not-set" => {
            members.insert("signature".to_owned(), Value::from(UNSIGNED_MARKER));
        }
        "edit-response" => {
            // The plain copy says "valid"; the signed payload does not.
            let response = members.get_mut("response")?.as_object_mut()?;
            response.insert("code".to_owned(), Value::from(200));
            response.insert("message".to_owned(), Value::from("Valid license key"));
        }
        "replace-public-key" => {
            // Another key in both copies, base64 recomputed: only the
            // signature still ties the payload to the server.
            let attacker = common::public("keys/rsa3072.pub.pem").to_pem();
            let response = members.get_mut("response")?;
            response
                .as_object_mut()?
                .get_mut("public_key")?
                .clone_from(&Value::from(attacker));
            let b64 = STANDARD.encode(respsig::canonical::to_vec(response));
            members.insert("response_base64".to_owned(), Value::from(b64));
        }
        other => panic!("no tamper {other}"),
    }
    Some(envelope.to_string())
}

async fn proxy(State(proxy): State<Arc<Proxy>>, request: Request) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let content_type = request.headers().get(header::CONTENT_TYPE).cloned();
    let body: Bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap();
    let (kind, rest) = path[1..].split_once('/').unwrap();
    let kind = kind.to_owned();
    let url = match query {
        Some(q) => format!("{}/{rest}?{q}", proxy.upstream),
        None => format!("{}/{rest}", proxy.upstream),
    };
    let (status, upstream_body) = tokio::task::spawn_blocking(move || {
        let agent = agent();
        let response = if method == axum::http::Method::GET {
            agent.get(&url).call()
        } else {
            let mut request = agent.post(&url);
            if let Some(ct) = content_type {
                request = request.header("content-type", ct.to_str().unwrap());
            }
            request.send(&body[..])
        };
        let mut response = response.unwrap();
        let text = response.body_mut().read_to_string().unwrap();
        (response.status().as_u16(), text)
    })
    .await
    .unwrap();
    match kind.as_str() {
        "record" => {
            *proxy.recorded.lock().unwrap() = Some((status, upstream_body.clone()));
            return (
                StatusCode::from_u16(status).unwrap(),
                [(header::CONTENT_TYPE, "application/json")],
                upstream_body,
            )
                .into_response();
        }
        "replay" => {
            return match proxy.recorded.lock().unwrap().clone() {
                Some((status, recorded)) => (
                    StatusCode::from_u16(status).unwrap(),
                    [(header::CONTENT_TYPE, "application/json")],
                    recorded,
                )
                    .into_response(),
                None => (StatusCode::BAD_GATEWAY, "nothing recorded").into_response(),
            };
        }
        _ => {}
    }
    let value = |text: &str| serde_json::from_str::<Value>(text).ok();
    match tamper(&kind, &upstream_body) {
        Some(altered) if kind == "genuine" || value(&altered) != value(&upstream_body) => (
            StatusCode::from_u16(status).unwrap(),
            [(header::CONTENT_TYPE, "application/json")],
            altered,
        )
            .into_response(),
        _ => (
            StatusCode::BAD_GATEWAY,
            format!("tamper {kind} did not apply"),
        )
            .into_response(),
    }
}

async fn start_proxy(upstream: String) -> String {
    let app = axum::Router::new()
        .fallback(proxy)
        .with_state(Arc::new(Proxy {
            upstream,
            recorded: Mutex::new(None),
        }));
    start(app).await
}

#[tokio::test(flavor = "multi_thread")]
async fn answers_altered_in_transit_are_refused_with_the_exact_error() {
    let base = start(server::app(keys())).await;
    let proxy = start_proxy(base.clone()).await;
    let keyring = keyring();

    // Through the proxy, untouched: still verifies.
    for name in ["valid", "invalid-license", "key-found", "unknown-path"] {
        let (status, body) = send(&format!("{proxy}/genuine"), name).await;
        let (direct_status, _) = send(&base, name).await;
        assert_eq!(status, direct_status, "{name}");
        keyring
            .verify(&body, &Policy::any_age())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    let cases: [(&str, &str, Error); 11] = [
        ("flip-signature-byte", "valid", Error::BadSignature),
        (
            "flip-signature-byte",
            "invalid-license",
            Error::BadSignature,
        ),
        ("flip-payload-byte", "valid", Error::BadSignature),
        ("flip-payload-byte", "meta-updated", Error::BadSignature),
        // product and global are different keys here.
        ("relabel-product-as-global", "valid", Error::BadSignature),
        (
            "relabel-product-as-global",
            "meta-updated",
            Error::BadSignature,
        ),
        // A missing signature is an unsigned response (src/verify.rs).
        ("strip-signature", "valid", Error::Unsigned),
        ("private-key-not-set", "valid", Error::Unsigned),
        ("private-key-not-set", "unknown-path", Error::Unsigned),
        ("edit-response", "invalid-license", Error::ContentMismatch),
        ("replace-public-key", "key-found", Error::BadSignature),
    ];
    for (kind, name, expected) in cases {
        let (status, body) = send(&format!("{proxy}/{kind}"), name).await;
        assert_ne!(status, 502, "{kind} {name}: {body}");
        assert_eq!(
            keyring
                .verify(&body, &Policy::any_age())
                .map(|v| v.into_payload()),
            Err(expected),
            "{kind} {name}: {body}"
        );
    }

    // The refused key response vouches for nothing.
    let mut client = Keyring::new()
        .with("global", common::public("keys/other2048.pub.pem"))
        .unwrap();
    let (_, body) = send(&format!("{proxy}/replace-public-key"), "key-found").await;
    assert_eq!(
        client.verify(&body, &Policy::any_age()).unwrap_err(),
        Error::BadSignature
    );
    let (_, body) = send(&format!("{proxy}/genuine"), "key-found").await;
    let verified = client.verify(&body, &Policy::any_age()).unwrap();
    client
        .add_product_key("product", &verified, Some(server::PRODUCT_UUID))
        .unwrap();
    assert_eq!(
        client.keys("product"),
        &[common::public("keys/rsa2048.pub.pem")]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_without_a_key_sends_private_key_not_set_which_is_refused() {
    let keys = server::Keys {
        product: None,
        ..keys()
    };
    let base = start(server::app(keys)).await;
    let keyring = keyring();

    let (status, body) = send(&base, "valid").await;
    assert_eq!(status, 200);
    let envelope: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(envelope["signature"], UNSIGNED_MARKER);
    assert_eq!(envelope["private_key_used"], "product");
    assert_eq!(
        keyring.verify(&body, &Policy::any_age()).unwrap_err(),
        Error::Unsigned
    );

    // Otherwise the envelope is whole: the payload matches, only the
    // signature is missing.
    let unverified = respsig::dangerous::read(body.as_bytes(), &respsig::Limits::new()).unwrap();
    assert!(unverified.is_unsigned());
    assert_eq!(unverified.response_matches_payload(), Some(true));
    assert_eq!(unverified.response()["code"], 200);

    // Global-signed answers are still signed.
    let (_, body) = send(&base, "invalid-license").await;
    assert_verified(
        &keyring.verify(&body, &Policy::any_age()).unwrap(),
        "global",
        ResponseCode::INVALID_LICENSE_KEY,
        "Invalid license key",
    );
    // With no product key there is no key to serve: 633.
    let (_, body) = send(&base, "key-found").await;
    assert_eq!(
        keyring
            .verify(&body, &Policy::any_age())
            .unwrap()
            .response_code(),
        Some(ResponseCode::PRODUCT_PUBLIC_KEY_NOT_FOUND)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_recorded_answer_played_back_is_refused_as_not_an_answer_to_the_request() {
    let base = start(server::app(keys())).await;
    let proxy = start_proxy(base.clone()).await;
    let keyring = keyring();

    // The proxy records a genuine "Valid license key" for the assigned key.
    let (status, recorded) = send(&format!("{proxy}/record"), "valid").await;
    assert_eq!(status, 200);
    let genuine = keyring.verify(&recorded, &Policy::any_age()).unwrap();
    assert_verified(
        &genuine,
        "product",
        ResponseCode::VALID_LICENSE_KEY,
        "Valid license key",
    );
    let signed_at = genuine.timestamp().unwrap().as_secs();

    // Just over a minute later (the clock says so; nothing sleeps), the
    // client sends (a) the same request, (b) one for a license key that is
    // not assigned, (c) one for a key that does not exist. The server
    // really answers (b) and (c) with a refusal; the proxy sends the
    // recording instead.
    let sent_at = signed_at + 61;
    let live = Policy::answer_to(UnixTime::from_secs(sent_at)).clock(FixedClock::at(sent_at + 1));
    for (name, really) in [
        ("valid", ResponseCode::VALID_LICENSE_KEY),
        ("unassigned", ResponseCode::LICENSE_NOT_ASSIGNED),
        ("invalid-license", ResponseCode::INVALID_LICENSE_KEY),
    ] {
        let (_, direct) = send(&base, name).await;
        assert_eq!(
            keyring
                .verify(&direct, &Policy::any_age())
                .unwrap()
                .response_code(),
            Some(really),
            "{name}"
        );
        let (status, replayed) = send(&format!("{proxy}/replay"), name).await;
        assert_eq!((status, replayed.as_str()), (200, recorded.as_str()));

        // The documented limit: without the check, the recording is a
        // genuine signed "valid" and is accepted, for any license key, at
        // any time; a freshness bound lets it through while it lasts.
        for options in [
            Policy::any_age(),
            Policy::max_age(std::time::Duration::from_secs(300))
                .clock_drift(std::time::Duration::from_secs(60))
                .clock(FixedClock::at(sent_at + 1)),
        ] {
            let accepted = keyring.verify(&replayed, &options).unwrap();
            assert_eq!(
                accepted.response_code(),
                Some(ResponseCode::VALID_LICENSE_KEY),
                "{name}"
            );
        }

        // With it, refused: signed before the request was sent.
        assert_eq!(
            keyring.verify(&replayed, &live).unwrap_err(),
            Error::NotAnAnswerToRequest {
                signed_at: UnixTime::from_secs(signed_at),
                sent_at: UnixTime::from_secs(sent_at),
                replay_window: std::time::Duration::from_secs(60)
            },
            "{name}"
        );
        // Within the skew, a playback cannot be told from an answer: the
        // other documented limit.
        let within = Policy::answer_to(UnixTime::from_secs(signed_at + 60))
            .clock(FixedClock::at(signed_at + 60));
        assert!(keyring.verify(&replayed, &within).is_ok(), "{name}");
    }

    // A fresh answer, through the same proxy, passes: the time is read
    // before the request goes out, as the example client does.
    let sent_at = UnixTime::now().as_secs();
    let (_, fresh) = send(&format!("{proxy}/genuine"), "valid").await;
    let options = Policy::answer_to(UnixTime::from_secs(sent_at))
        .clock(FixedClock::at(UnixTime::now().as_secs()));
    assert_verified(
        &keyring.verify(&fresh, &options).unwrap(),
        "product",
        ResponseCode::VALID_LICENSE_KEY,
        "Valid license key",
    );
    assert_eq!(
        keyring
            .verify(&fresh, &Policy::answer_to(UnixTime::from_secs(sent_at)))
            .unwrap()
            .payload_bytes(),
        keyring
            .verify(&fresh, &Policy::any_age())
            .unwrap()
            .payload_bytes()
    );

    // Where the payload names what was asked for, the binding holds at
    // any time: the key answer for one product, played back for another.
    let (_, recorded) = send(&format!("{proxy}/record"), "key-found").await;
    let (_, replayed) = send(&format!("{proxy}/replay"), "key-not-found").await;
    assert_eq!(replayed, recorded);
    let verified = keyring
        .verify(&replayed, &Policy::answer_to(UnixTime::from_secs(sent_at)))
        .unwrap();
    assert!(
        verified
            .require("product.uuid", server::PRODUCT_UUID)
            .is_ok()
    );
    assert_eq!(
        verified
            .require("product.uuid", "another-product")
            .unwrap_err(),
        Error::MemberMismatch {
            member: Snippet::new("product.uuid"),
            present: true
        }
    );
}
