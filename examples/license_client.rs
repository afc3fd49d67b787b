//! Calls the license server (`examples/license_server.rs`, or anything that
//! answers like it) over HTTP and verifies every response with respsig:
//!
//! ```sh
//! cargo run --example license_client -- --server http://127.0.0.1:8080
//! ```
//!
//! It starts out trusting only the `global` key. The product's key comes
//! from `GET /api/v1/get-product-public-key`, taken only because the
//! `global` key signed that response ([`respsig::Keyring::add_product_key`]);
//! the product-signed responses after it verify under that key. A `product`
//! key given with `--key` is pinned instead: the served key must be it.
//!
//! Every answer is checked against its own request: the client reads the
//! clock just before sending, and [`respsig::Keyring::verify`] with [`respsig::Policy::answer_to`]
//! refuses an answer signed before then (less a minute of clock skew), which
//! is a recorded answer played back, not the server's answer to this
//! request. The payloads name no request, so a signature alone does not
//! show that.
//!
//! Prints each verified payload, or why it was refused. Exit status: 0 all
//! verified, 1 some refused (or a request failed), 2 bad usage or keys.

use std::process::ExitCode;

use respsig::{Keyring, Policy, PublicKey, UnixTime, Verified};

const USAGE: &str = "\
usage: license_client [--server URL] [--key NAME=PATH]... [--api-key KEY]
                      [--product-uuid UUID] [--license-key KEY]

  --server URL          the server (default http://127.0.0.1:8080; plain HTTP)
  --key NAME=PATH       a PEM public key trusted under NAME, repeatable
                        (default global=testdata/keys/other2048.pub.pem, the
                        TEST key of license_server's default global key)
  --api-key KEY         sent as api_key (default: the demo server's)
  --product-uuid UUID   the product whose key to fetch (default: the demo's)
  --license-key KEY     the license key to verify (default: the demo's)";

const DEFAULT_GLOBAL_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/keys/other2048.pub.pem"
);

// The demo data of examples/common/server.rs.
const DEMO_API_KEY: &str = "2964c3c9-0b5d-4d89-b3ac-4668f30bc492";
const DEMO_PRODUCT_UUID: &str = "8d3f2c4e-0b7a-4c1e-9f5d-2a6b8c0d1e3f";
const DEMO_PRODUCT_ID: &str = "4";
const DEMO_LICENSE: &str = "19d4c2a0-b2ee-47a9-9fa7-f8befcc142fd";

struct Args {
    server: String,
    keys: Vec<(String, String)>,
    api_key: String,
    product_uuid: String,
    license_key: String,
}

/// The arguments, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        server: "http://127.0.0.1:8080".to_owned(),
        keys: Vec::new(),
        api_key: DEMO_API_KEY.to_owned(),
        product_uuid: DEMO_PRODUCT_UUID.to_owned(),
        license_key: DEMO_LICENSE.to_owned(),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--server" => parsed.server = value()?.trim_end_matches('/').to_owned(),
            "--key" => {
                let spec = value()?;
                let (name, path) = spec
                    .split_once('=')
                    .filter(|(name, path)| !name.is_empty() && !path.is_empty())
                    .ok_or(format!("--key: {spec:?} is not NAME=PATH"))?;
                parsed.keys.push((name.to_owned(), path.to_owned()));
            }
            "--api-key" => parsed.api_key = value()?,
            "--product-uuid" => parsed.product_uuid = value()?,
            "--license-key" => parsed.license_key = value()?,
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if !parsed.server.starts_with("http://") {
        return Err(format!(
            "--server: {:?} is not an http:// URL (this example has no TLS)",
            parsed.server
        ));
    }
    if parsed.keys.is_empty() {
        parsed
            .keys
            .push(("global".to_owned(), DEFAULT_GLOBAL_KEY.to_owned()));
    }
    Ok(Some(parsed))
}

fn load_keyring(keys: &[(String, String)]) -> Result<Keyring, String> {
    let mut keyring = Keyring::new();
    for (name, path) in keys {
        let pem = std::fs::read_to_string(path)
            .map_err(|e| format!("--key {name}: cannot read {path}: {e}"))?;
        let key = PublicKey::from_pem(&pem).map_err(|e| format!("--key {name}: {path}: {e}"))?;
        let shown = path
            .strip_prefix(concat!(env!("CARGO_MANIFEST_DIR"), "/"))
            .unwrap_or(path);
        println!("trusting {name:<7} sha256:{} {shown}", key.fingerprint());
        keyring
            .add(name, key)
            .map_err(|e| format!("--key {name}: {e}"))?;
    }
    Ok(keyring)
}

/// One call: the HTTP status and body, or why there is none.
fn call(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    form: &[(&str, &str)],
) -> Result<(u16, String), String> {
    let response = match method {
        "GET" => {
            let mut request = agent.get(url);
            for (name, value) in form {
                request = request.query(*name, *value);
            }
            request.call()
        }
        _ => agent.post(url).send_form(form.iter().copied()),
    };
    let mut response = response.map_err(|e| format!("request failed: {e}"))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("cannot read the response body: {e}"))?;
    Ok((status, body))
}

struct Client {
    agent: ureq::Agent,
    server: String,
    keyring: Keyring,
    verified: usize,
    refused: usize,
}

impl Client {
    /// Calls `path`, verifies the answer as the answer to this call,
    /// prints the outcome.
    fn check(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Option<Verified> {
        let url = format!("{}{path}", self.server);
        println!("\n{method} {path}");
        // Read before the request goes out: the answer cannot be older.
        let sent_at = UnixTime::now();
        let (status, body) = match call(&self.agent, method, &url, form) {
            Ok(answer) => answer,
            Err(e) => {
                println!("  FAILED: {e}");
                self.refused += 1;
                return None;
            }
        };
        match self.keyring.verify(&body, &Policy::answer_to(sent_at)) {
            Ok(verified) => {
                println!(
                    "  HTTP {status}, verified under `{}` (sha256:{})",
                    verified.key_name(),
                    verified.key().fingerprint()
                );
                println!("  {}", String::from_utf8_lossy(verified.payload_bytes()));
                self.verified += 1;
                Some(verified)
            }
            Err(e) => {
                println!("  HTTP {status}, REFUSED: {e}");
                self.refused += 1;
                None
            }
        }
    }

    /// The key distribution step: take the product key the `global` key
    /// vouches for, or check it against a pinned one.
    fn learn_product_key(&mut self, response: &Verified, product_uuid: &str) {
        let pinned = self.keyring.keys("product").to_vec();
        match self
            .keyring
            .add_product_key("product", response, Some(product_uuid))
        {
            Ok(key) if pinned.is_empty() || pinned.contains(&key) => {
                println!("  product key sha256:{} now trusted", key.fingerprint());
            }
            Ok(key) => {
                self.keyring.remove("product", &key);
                println!(
                    "  REFUSED: the server vouches for product key sha256:{}, which is not the pinned one",
                    key.fingerprint()
                );
                self.refused += 1;
            }
            Err(e) => {
                println!("  REFUSED: {e}");
                self.refused += 1;
            }
        }
    }
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("license_client: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let keyring = match load_keyring(&args.keys) {
        Ok(keyring) => keyring,
        Err(e) => {
            eprintln!("license_client: {e}");
            return ExitCode::from(2);
        }
    };
    // Refusal statuses (401, 404) still carry a signed envelope to verify.
    let config = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(std::time::Duration::from_secs(10)))
        .build();
    let mut client = Client {
        agent: ureq::Agent::new_with_config(config),
        server: args.server,
        keyring,
        verified: 0,
        refused: 0,
    };
    let api_key = args.api_key.as_str();

    let key_response = client.check(
        "GET",
        "/api/v1/get-product-public-key",
        &[("api_key", api_key), ("product_uuid", &args.product_uuid)],
    );
    if let Some(response) = key_response {
        client.learn_product_key(&response, &args.product_uuid);
    }
    client.check(
        "POST",
        "/api/v1/verify",
        &[
            ("api_key", api_key),
            ("license_key", &args.license_key),
            ("identifier", "domain.ltd"),
        ],
    );
    // No product in context: the server signs under `global`.
    client.check(
        "POST",
        "/api/v1/verify",
        &[
            ("api_key", api_key),
            ("license_key", "not-a-license-key"),
            ("identifier", "domain.ltd"),
        ],
    );
    client.check(
        "POST",
        "/api/v1/update-product-meta",
        &[
            ("api_key", api_key),
            ("product_id", DEMO_PRODUCT_ID),
            ("key", "test-key"),
            ("value", "updated by license_client"),
        ],
    );
    client.check("GET", "/api/v1/no-such-endpoint", &[("api_key", api_key)]);

    println!("\n{} verified, {} refused", client.verified, client.refused);
    if client.refused == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
