//! A small license server that answers a few of GetKeyManager's endpoints
//! with envelopes signed by respsig, for trying the client side over real
//! HTTP (see `examples/license_client.rs`):
//!
//! ```sh
//! cargo run --example license_server -- --port 8080
//! ```
//!
//! By default it signs with the TEST-ONLY keys published in
//! `testdata/keys/` (`product` = rsa2048.pem, `global` = other2048.pem):
//! anyone can forge its responses. Never use those keys for anything else.

#[path = "common/server.rs"]
mod server;

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use respsig::SigningKey;

const USAGE: &str = "\
usage: license_server [--port PORT] [--product-key PATH] [--global-key PATH]

  --port PORT         TCP port on 127.0.0.1 (default 8080; 0 picks a free one)
  --product-key PATH  PEM private key signing under `product`
                      (default testdata/keys/rsa2048.pem, a published TEST key)
  --global-key PATH   PEM private key signing under `global`
                      (default testdata/keys/other2048.pem, a published TEST key)";

const DEFAULT_PRODUCT_KEY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/keys/rsa2048.pem");
const DEFAULT_GLOBAL_KEY: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/keys/other2048.pem");

struct Args {
    port: u16,
    product_key: PathBuf,
    global_key: PathBuf,
}

/// The arguments, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Args>, String> {
    let mut parsed = Args {
        port: 8080,
        product_key: PathBuf::from(DEFAULT_PRODUCT_KEY),
        global_key: PathBuf::from(DEFAULT_GLOBAL_KEY),
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--port" => {
                let port = value()?;
                parsed.port = port
                    .parse()
                    .map_err(|_| format!("--port: {port:?} is not a port number (0 to 65535)"))?;
            }
            "--product-key" => parsed.product_key = value()?.into(),
            "--global-key" => parsed.global_key = value()?.into(),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(parsed))
}

/// `path`, relative to the repository when it is inside it.
fn shown(path: &Path) -> String {
    let path = path
        .strip_prefix(env!("CARGO_MANIFEST_DIR"))
        .unwrap_or(path);
    path.display().to_string()
}

fn load_key(path: &Path) -> Result<SigningKey, String> {
    let pem =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", shown(path)))?;
    // The crate's errors never print key material.
    SigningKey::from_pem(&pem).map_err(|e| format!("{}: {e}", shown(path)))
}

/// One line per request: method, path, status.
async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let uri = request.uri().path().to_owned();
    let response = next.run(request).await;
    println!("{method} {uri} -> {}", response.status());
    response
}

async fn serve(args: Args, keys: server::Keys) -> Result<(), String> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    println!("listening on http://{bound}");
    let app = server::app(keys).layer(middleware::from_fn(log));
    axum::serve(listener, app)
        .await
        .map_err(|e| format!("server error: {e}"))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("license_server: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (product, global) = match (load_key(&args.product_key), load_key(&args.global_key)) {
        (Ok(product), Ok(global)) => (product, global),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("license_server: {e}");
            return ExitCode::from(2);
        }
    };

    let mut test_keys = false;
    for (name, key, path, default) in [
        ("product", &product, &args.product_key, DEFAULT_PRODUCT_KEY),
        ("global", &global, &args.global_key, DEFAULT_GLOBAL_KEY),
    ] {
        let is_test_key = path == Path::new(default);
        test_keys |= is_test_key;
        println!(
            "{name:<7} key sha256:{} {}{}",
            key.public_key().fingerprint(),
            shown(path),
            if is_test_key { "  (TEST-ONLY KEY)" } else { "" }
        );
    }
    if test_keys {
        println!(
            "WARNING: signing with TEST-ONLY keys published in this repository (testdata/keys/):"
        );
        println!(
            "WARNING: anyone can forge this server's responses. Never use them outside tests."
        );
    }
    println!(
        "demo data: api_key={} product_uuid={} product_id={} license keys {} (assigned), {} (not assigned)",
        server::API_KEY,
        server::PRODUCT_UUID,
        server::PRODUCT_ID,
        server::LICENSE_ASSIGNED,
        server::LICENSE_UNASSIGNED
    );

    let keys = server::Keys {
        product: Some(product),
        global: Some(global),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("license_server: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(args, keys)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("license_server: {e}");
            ExitCode::FAILURE
        }
    }
}
